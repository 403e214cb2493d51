/* test_fattree.c: the fat-tree family builders (topo/topo_ft.c) and host internals (topo/topo_node.c).
 *
 * Every build here is checked three ways: topo_count() against the paper's Table 3 or the closed
 * formulas, topo_count() against what the graph really holds (counted node by node, link by link),
 * and the structure (radix respected, components, switch-level diameter, which switch each
 * endpoint reaches and in which plane). Failures name the build and the field. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "topo.h"

#define EXPECT_U64(what, field, got, want)                                                                 \
  do {                                                                                                     \
    uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                                                  \
    if (g_ != w_) {                                                                                        \
      print_error("%s: %s: got %llu, want %llu\n", (what), (field), (unsigned long long)g_,               \
                  (unsigned long long)w_);                                                                 \
      fail();                                                                                              \
    }                                                                                                      \
  } while (0)

#define EXPECT_TRUE(what, cond)                                                                            \
  do {                                                                                                     \
    if (!(cond)) {                                                                                         \
      print_error("%s: expected %s\n", (what), #cond);                                                     \
      fail();                                                                                              \
    }                                                                                                      \
  } while (0)

static topo_spec spec_of(topo_family f, int radix) {
  topo_spec s;
  topo_spec_init(&s);
  s.family = f;
  s.radix = radix;
  return s;
}

static topo_spec with_hosts(topo_spec s, int gpus) {
  s.node.gpus = gpus;
  s.node.gpus_per_pcie_switch = 1;
  s.node.nvlink.bw_Bps = 160e9;
  s.node.pcie.bw_Bps = 50e9;
  return s;
}

static topo_counts count_ok(const topo_spec *s, const char *what) {
  topo_counts c;
  char err[256] = "";
  int rc = topo_count(s, &c, err, sizeof err);
  if (rc != 0) {
    print_error("%s: topo_count failed (%d): %s\n", what, rc, err);
    fail();
  }
  return c;
}

static int is_fabric_switch(const topo_graph *g, uint32_t v) { return g->kind[v] == TOPO_SWITCH; }

/* The counts a graph really holds, from its nodes and links (planes is left to the caller). */
static topo_counts measure(const topo_graph *g) {
  topo_counts m;
  memset(&m, 0, sizeof m);
  m.endpoints = g->n_endpoints;
  for (uint32_t v = 0; v < g->n_nodes; v++) {
    switch ((topo_kind)g->kind[v]) {
    case TOPO_SWITCH:
      m.switches++;
      if (g->radix[v] > m.switch_radix) m.switch_radix = g->radix[v];
      if ((int)topo_degree(g, v) > m.max_ports_used) m.max_ports_used = (int)topo_degree(g, v);
      break;
    case TOPO_GPU: m.gpus++; break;
    case TOPO_NIC: m.nics++; break;
    case TOPO_NVSWITCH: m.nvswitches++; break;
    case TOPO_PCIE_SWITCH: m.pcie_switches++; break;
    case TOPO_HOSTMEM: m.hosts++; break;
    default: break;
    }
  }
  for (uint32_t l = 0; l < g->n_links; l++) {
    int sa = is_fabric_switch(g, g->link_a[l]), sb = is_fabric_switch(g, g->link_b[l]);
    if (sa && sb) m.switch_links++;
    else if (sa || sb) m.endpoint_links++;
    else m.internal_links++;
  }
  return m;
}

static void expect_counts_equal(const char *what, const topo_counts *got, const topo_counts *want) {
  EXPECT_U64(what, "endpoints", got->endpoints, want->endpoints);
  EXPECT_U64(what, "switches", got->switches, want->switches);
  EXPECT_U64(what, "switch_links", got->switch_links, want->switch_links);
  EXPECT_U64(what, "endpoint_links", got->endpoint_links, want->endpoint_links);
  EXPECT_U64(what, "hosts", got->hosts, want->hosts);
  EXPECT_U64(what, "gpus", got->gpus, want->gpus);
  EXPECT_U64(what, "nics", got->nics, want->nics);
  EXPECT_U64(what, "nvswitches", got->nvswitches, want->nvswitches);
  EXPECT_U64(what, "pcie_switches", got->pcie_switches, want->pcie_switches);
  EXPECT_U64(what, "internal_links", got->internal_links, want->internal_links);
  EXPECT_U64(what, "switch_radix", got->switch_radix, want->switch_radix);
  EXPECT_U64(what, "max_ports_used", got->max_ports_used, want->max_ports_used);
}

/* Builds a spec, checks count() == the graph and that no switch exceeds its radix, and returns the
 * graph (the caller frees it). */
static topo_graph *build_checked(const topo_spec *s, const char *what, topo_check *chk) {
  topo_counts c = count_ok(s, what);
  topo_graph *g = NULL;
  char err[256] = "";
  int rc = topo_build(s, &g, err, sizeof err);
  if (rc != 0 || !g) {
    print_error("%s: topo_build failed (%d): %s\n", what, rc, err);
    fail();
  }
  topo_counts m = measure(g);
  char label[160];
  snprintf(label, sizeof label, "%s: count() vs built graph", what);
  expect_counts_equal(label, &m, &c);
  EXPECT_U64(what, "g->counts.planes (copied from count())", g->counts.planes, c.planes);
  assert_int_equal(topo_check_graph(g, chk), 0);
  if (!chk->radix_ok) {
    print_error("%s: switch %u uses %u ports, over its radix %u\n", what, chk->worst_switch,
                topo_degree(g, chk->worst_switch), (unsigned)g->radix[chk->worst_switch]);
    fail();
  }
  return g;
}

/* Switch-level BFS from `src`: the farthest leaf/edge (tier 1) reached, and how many tier-1 switches
 * were not reached at all. */
static int tier1_reach(const topo_graph *g, uint32_t src, uint32_t *unreached) {
  uint8_t *dist = malloc(g->n_nodes);
  uint32_t *q = malloc(sizeof *q * g->n_nodes);
  assert_non_null(dist);
  assert_non_null(q);
  topo_bfs_switches(g, src, dist, q);
  int far = 0;
  *unreached = 0;
  for (uint32_t v = 0; v < g->n_nodes; v++) {
    if (g->kind[v] != TOPO_SWITCH || g->tier[v] != 1) continue;
    if (dist[v] == UINT8_MAX) (*unreached)++;
    else if (dist[v] > far) far = dist[v];
  }
  free(dist);
  free(q);
  return far;
}

static uint32_t first_switch(const topo_graph *g, int tier, int plane) {
  for (uint32_t v = 0; v < g->n_nodes; v++)
    if (g->kind[v] == TOPO_SWITCH && g->tier[v] == tier && g->plane[v] == plane) return v;
  return UINT32_MAX;
}

/* Every endpoint reaches a leaf/edge switch of its own plane. */
static void expect_endpoints_on_own_plane(const topo_graph *g, const char *what) {
  for (uint32_t e = 0; e < g->n_endpoints; e++) {
    uint32_t v = g->endpoint_node[e], sw = topo_endpoint_switch(g, e);
    if (sw == UINT32_MAX || g->kind[sw] != TOPO_SWITCH || g->tier[sw] != 1 || g->plane[sw] != g->plane[v]) {
      print_error("%s: endpoint %u (node %u, plane %d) attaches to node %u (kind %s, tier %d, plane %d); "
                  "want a tier-1 switch of its plane\n",
                  what, e, v, g->plane[v], sw, sw == UINT32_MAX ? "none" : topo_kind_name(g->kind[sw]),
                  sw == UINT32_MAX ? -1 : g->tier[sw], sw == UINT32_MAX ? -1 : g->plane[sw]);
      fail();
    }
  }
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---------------------------------- FT2 ---------------------------------- */

static void ft2_k64_matches_table3(void **st) {
  (void)st;
  topo_spec s = spec_of(TOPO_FT2, 64);
  topo_counts c = count_ok(&s, "ft2 k=64");
  EXPECT_U64("ft2 k=64 (Table 3)", "endpoints", c.endpoints, 2048);
  EXPECT_U64("ft2 k=64 (Table 3)", "switches", c.switches, 96);
  EXPECT_U64("ft2 k=64 (Table 3)", "switch_links", c.switch_links, 2048);
  EXPECT_U64("ft2 k=64", "planes", c.planes, 1);
  EXPECT_U64("ft2 k=64", "max_ports_used", c.max_ports_used, 64);

  topo_check chk;
  double t0 = now_s();
  topo_graph *g = build_checked(&s, "ft2 k=64", &chk);
  double dt = now_s() - t0;
  if (dt > 1.0) {   /* it takes milliseconds; a second means something went quadratic */
    print_error("ft2 k=64: build + checks took %.3f s, want well under 1 s\n", dt);
    fail();
  }
  EXPECT_TRUE("ft2 k=64", chk.connected);
  uint32_t unreached;
  EXPECT_U64("ft2 k=64: switch hops between leaves", "diameter", tier1_reach(g, first_switch(g, 1, 0), &unreached), 2);
  EXPECT_U64("ft2 k=64: leaves unreachable from leaf 0", "count", unreached, 0);
  expect_endpoints_on_own_plane(g, "ft2 k=64");
  /* Leaves are filled in order: endpoint e hangs off leaf e / 32. */
  for (uint32_t e = 0; e < g->n_endpoints; e += 31)
    EXPECT_U64("ft2 k=64: leaf (group) of endpoint", "group", g->group[topo_endpoint_switch(g, e)], e / 32);
  topo_free(g);
}

static void ft2_sizes_follow_the_formulas(void **st) {
  (void)st;
  const int ks[] = {4, 8, 16, 64};
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
    uint64_t k = (uint64_t)ks[i];
    char what[64];
    snprintf(what, sizeof what, "ft2 k=%d", ks[i]);
    topo_spec s = spec_of(TOPO_FT2, ks[i]);
    topo_check chk;
    topo_graph *g = build_checked(&s, what, &chk);
    EXPECT_U64(what, "endpoints (k^2/2)", g->counts.endpoints, k * k / 2);
    EXPECT_U64(what, "switches (3k/2)", g->counts.switches, 3 * k / 2);
    EXPECT_U64(what, "switch_links (k^2/2)", g->counts.switch_links, k * k / 2);
    EXPECT_U64(what, "components", chk.components, 1);
    uint32_t unreached;
    EXPECT_U64(what, "leaf-to-leaf switch hops", tier1_reach(g, first_switch(g, 1, 0), &unreached), 2);
    /* Each spine reaches each leaf once: spine degree k, all to distinct leaves. */
    uint32_t sp = first_switch(g, 2, 0);
    EXPECT_U64(what, "spine degree", topo_degree(g, sp), k);
    expect_endpoints_on_own_plane(g, what);
    topo_free(g);
  }
}

static void ft2_partial_builds_fill_leaves_in_order(void **st) {
  (void)st;
  topo_spec s = spec_of(TOPO_FT2, 64);
  s.endpoints = 128;   /* 4 leaves of 32; default: the fewest spines that take every uplink: 2 */
  topo_check chk;
  topo_graph *g = build_checked(&s, "ft2 k=64 E=128", &chk);
  EXPECT_U64("ft2 k=64 E=128", "endpoints", g->counts.endpoints, 128);
  EXPECT_U64("ft2 k=64 E=128", "switches (4 leaves + 2 spines)", g->counts.switches, 6);
  EXPECT_U64("ft2 k=64 E=128", "switch_links (4 x 32 uplinks)", g->counts.switch_links, 128);
  EXPECT_TRUE("ft2 k=64 E=128", chk.connected);
  EXPECT_TRUE("ft2 k=64 E=128", chk.radix_ok);
  uint32_t unreached;
  EXPECT_U64("ft2 k=64 E=128", "leaf-to-leaf hops", tier1_reach(g, first_switch(g, 1, 0), &unreached), 2);
  EXPECT_U64("ft2 k=64 E=128", "spine degree (4 leaves x 16)", topo_degree(g, first_switch(g, 2, 0)), 64);
  topo_free(g);

  /* All 32 spines, one cable from each leaf to each. */
  s.spines = 32;
  g = build_checked(&s, "ft2 k=64 E=128 S=32", &chk);
  EXPECT_U64("ft2 k=64 E=128 S=32", "switches (4 leaves + 32 spines)", g->counts.switches, 36);
  EXPECT_U64("ft2 k=64 E=128 S=32", "spine degree", topo_degree(g, first_switch(g, 2, 0)), 4);
  topo_free(g);

  /* Fewer spines: the 32 uplinks of a leaf go 8 to each of 4 spines (parallel cables). */
  s.spines = 4;
  g = build_checked(&s, "ft2 k=64 E=128 S=4", &chk);
  EXPECT_U64("ft2 k=64 E=128 S=4", "switches", g->counts.switches, 8);
  EXPECT_U64("ft2 k=64 E=128 S=4", "switch_links", g->counts.switch_links, 128);
  uint32_t leaf0 = first_switch(g, 1, 0), sp0 = first_switch(g, 2, 0), par = 0;
  for (uint32_t i = g->adj_off[leaf0]; i < g->adj_off[leaf0 + 1]; i++)
    if (topo_arc_to(g, g->adj_arc[i]) == sp0) par++;
  EXPECT_U64("ft2 k=64 E=128 S=4: cables leaf 0 -> spine 0", "parallel", par, 8);
  EXPECT_U64("ft2 k=64 E=128 S=4", "spine degree (4 leaves x 8)", topo_degree(g, sp0), 32);
  topo_free(g);

  /* A last leaf partly filled: 100 endpoints = 3 x 32 + 4. */
  s.spines = 0;
  s.endpoints = 100;
  g = build_checked(&s, "ft2 k=64 E=100", &chk);
  EXPECT_U64("ft2 k=64 E=100", "switches (4 leaves + 2 spines)", g->counts.switches, 4 + 2);
  uint32_t last = topo_endpoint_switch(g, 99);
  EXPECT_U64("ft2 k=64 E=100: leaf of endpoint 99", "group", g->group[last], 3);
  EXPECT_U64("ft2 k=64 E=100: ports used on leaf 3 (4 down + 32 up)", "degree", topo_degree(g, last), 36);
  topo_free(g);

  /* Half the spines take at most half the leaves. */
  s.endpoints = 1024;
  s.spines = 16;
  topo_counts c = count_ok(&s, "ft2 k=64 E=1024 S=16");
  EXPECT_U64("ft2 k=64 E=1024 S=16", "switches (32 leaves + 16 spines)", c.switches, 48);
  EXPECT_U64("ft2 k=64 E=1024 S=16", "max_ports_used (spine: 32 leaves x 2)", c.max_ports_used, 64);
}

/* ---------------------------------- FT3 ---------------------------------- */

static void ft3_small_builds_are_al_fares_fat_trees(void **st) {
  (void)st;
  const int ks[] = {4, 8, 16};
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
    int k = ks[i], h = k / 2;
    uint64_t K = (uint64_t)k;
    char what[64];
    snprintf(what, sizeof what, "ft3 k=%d", k);
    topo_spec s = spec_of(TOPO_FT3, k);
    topo_check chk;
    topo_graph *g = build_checked(&s, what, &chk);
    EXPECT_U64(what, "endpoints (k^3/4)", g->counts.endpoints, K * K * K / 4);
    EXPECT_U64(what, "switches (5k^2/4)", g->counts.switches, 5 * K * K / 4);
    EXPECT_U64(what, "switch_links (k^3/2)", g->counts.switch_links, K * K * K / 2);
    EXPECT_U64(what, "components", chk.components, 1);
    uint32_t unreached;
    EXPECT_U64(what, "edge-to-edge switch hops", tier1_reach(g, first_switch(g, 1, 0), &unreached), 4);
    EXPECT_U64(what, "edges unreachable", unreached, 0);
    expect_endpoints_on_own_plane(g, what);

    /* Index of each switch within its (tier, pod), in id order: aggregation a of pod p. */
    int32_t *idx = malloc(sizeof *idx * g->n_nodes);
    int *next = calloc((size_t)(4 * (k + 1)), sizeof *next);   /* tiers 0..3 x pods -1..k-1 */
    assert_non_null(idx);
    assert_non_null(next);
    for (uint32_t v = 0; v < g->n_nodes; v++)
      if (g->kind[v] == TOPO_SWITCH) idx[v] = next[g->tier[v] * (k + 1) + (g->group[v] + 1)]++;
    /* Core c connects to aggregation switch c / (k/2) of every pod, one cable per pod, in pod order. */
    for (uint32_t v = 0; v < g->n_nodes; v++) {
      if (g->kind[v] != TOPO_SWITCH || g->tier[v] != 3) continue;
      EXPECT_U64(what, "core degree", topo_degree(g, v), K);
      int pod = 0;
      for (uint32_t a = g->adj_off[v]; a < g->adj_off[v + 1]; a++, pod++) {
        uint32_t w = topo_arc_to(g, g->adj_arc[a]);
        EXPECT_U64(what, "core neighbour tier", g->tier[w], 2);
        EXPECT_U64(what, "core port p -> pod p", g->group[w], pod);
        EXPECT_U64(what, "core c -> aggregation c/(k/2)", idx[w], idx[v] / h);
      }
    }
    free(idx);
    free(next);
    topo_free(g);
  }
}

static void ft3_k64_matches_table3_and_builds_fast(void **st) {
  (void)st;
  topo_spec s = spec_of(TOPO_FT3, 64);
  topo_counts c = count_ok(&s, "ft3 k=64");
  EXPECT_U64("ft3 k=64 (Table 3)", "endpoints", c.endpoints, 65536);
  EXPECT_U64("ft3 k=64 (Table 3)", "switches", c.switches, 5120);
  EXPECT_U64("ft3 k=64 (Table 3)", "switch_links", c.switch_links, 131072);
  topo_graph *g = NULL;
  char err[256] = "";
  double t0 = now_s();
  assert_int_equal(topo_build(&s, &g, err, sizeof err), 0);
  double dt = now_s() - t0;
  if (dt > 1.0) {
    print_error("ft3 k=64: build took %.3f s, want well under 1 s\n", dt);
    fail();
  }
  topo_counts m = measure(g);
  expect_counts_equal("ft3 k=64: count() vs built graph", &m, &c);
  topo_free(g);
}

static void doubling_the_radix_moves_the_size(void **st) {
  (void)st;
  topo_spec a = spec_of(TOPO_FT2, 16), b = spec_of(TOPO_FT2, 32);
  topo_counts ca = count_ok(&a, "ft2 k=16"), cb = count_ok(&b, "ft2 k=32");
  EXPECT_U64("ft2 k=16 -> k=32", "endpoints x4", cb.endpoints, 4 * ca.endpoints);
  EXPECT_U64("ft2 k=16 -> k=32", "switches x2", cb.switches, 2 * ca.switches);
  a = spec_of(TOPO_FT3, 8);
  b = spec_of(TOPO_FT3, 16);
  ca = count_ok(&a, "ft3 k=8");
  cb = count_ok(&b, "ft3 k=16");
  EXPECT_U64("ft3 k=8 -> k=16", "endpoints x8", cb.endpoints, 8 * ca.endpoints);
  EXPECT_U64("ft3 k=8 -> k=16", "switches x4", cb.switches, 4 * ca.switches);
  EXPECT_U64("ft3 k=8 -> k=16", "switch_links x8", cb.switch_links, 8 * ca.switch_links);
  /* And the other inputs: planes multiply an MPFT, a partial build shrinks an FT2. */
  a = spec_of(TOPO_MPFT, 16);
  a.planes = 2;
  b = a;
  b.planes = 4;
  ca = count_ok(&a, "mpft k=16 P=2");
  cb = count_ok(&b, "mpft k=16 P=4");
  EXPECT_U64("mpft P=2 -> P=4", "endpoints x2", cb.endpoints, 2 * ca.endpoints);
  EXPECT_U64("mpft P=2 -> P=4", "switches x2", cb.switches, 2 * ca.switches);
}

/* ---------------------------------- MPFT ---------------------------------- */

static void mpft_bare_planes_are_separate_ft2s(void **st) {
  (void)st;
  topo_spec s = spec_of(TOPO_MPFT, 64);
  s.planes = 8;
  topo_counts c = count_ok(&s, "mpft k=64 P=8");
  EXPECT_U64("mpft k=64 P=8 (Table 3)", "endpoints", c.endpoints, 16384);
  EXPECT_U64("mpft k=64 P=8 (Table 3)", "switches", c.switches, 768);
  EXPECT_U64("mpft k=64 P=8 (Table 3)", "switch_links", c.switch_links, 16384);
  EXPECT_U64("mpft k=64 P=8", "planes", c.planes, 8);

  const int ps[] = {2, 8};
  const int ks[] = {8, 64};
  for (size_t i = 0; i < 2; i++)
    for (size_t j = 0; j < 2; j++) {
      char what[64];
      snprintf(what, sizeof what, "mpft k=%d P=%d (bare)", ks[j], ps[i]);
      s = spec_of(TOPO_MPFT, ks[j]);
      s.planes = ps[i];
      topo_check chk;
      topo_graph *g = build_checked(&s, what, &chk);
      EXPECT_U64(what, "components (one per plane)", chk.components, (uint64_t)ps[i]);
      expect_endpoints_on_own_plane(g, what);
      uint64_t L = (uint64_t)ks[j];
      for (int p = 0; p < ps[i]; p++) {
        uint32_t unreached;
        int far = tier1_reach(g, first_switch(g, 1, p), &unreached);
        EXPECT_U64(what, "leaf-to-leaf hops within a plane", far, 2);
        EXPECT_U64(what, "leaves unreachable from a plane (the other planes')", unreached,
                   L * (uint64_t)(ps[i] - 1));
      }
      /* Endpoints are numbered plane by plane. */
      EXPECT_U64(what, "plane of the last endpoint", g->plane[g->endpoint_node[g->n_endpoints - 1]], ps[i] - 1);
      topo_free(g);
    }
}

static void mpft_hosts_put_gpu_i_in_plane_i_mod_p(void **st) {
  (void)st;
  const int ps[] = {2, 8};
  for (size_t t = 0; t < 2; t++) {
    int P = ps[t];
    char what[96];
    snprintf(what, sizeof what, "mpft k=8 P=%d, 8-GPU hosts, 2 GPUs per PCIe switch", P);
    topo_spec s = with_hosts(spec_of(TOPO_MPFT, 8), 8);
    s.planes = P;
    s.node.gpus_per_pcie_switch = 2;
    s.node.storage_nics = 1;
    topo_check chk;
    topo_graph *g = build_checked(&s, what, &chk);
    /* Full: each plane has 8 leaves x 4 ports = 32 NIC ports; a host puts 8/P NICs in each. */
    EXPECT_U64(what, "hosts", g->counts.hosts, 32 * (uint64_t)P / 8);
    EXPECT_U64(what, "endpoints (GPUs)", g->counts.endpoints, 32 * (uint64_t)P);
    EXPECT_U64(what, "planes", g->counts.planes, (uint64_t)P);
    EXPECT_U64(what, "components (planes joined inside hosts)", chk.components, 1);
    expect_endpoints_on_own_plane(g, what);
    for (uint32_t e = 0; e < g->n_endpoints; e++) {
      uint32_t sw = topo_endpoint_switch(g, e);
      EXPECT_U64(what, "plane of GPU i's NIC leaf == i mod P", g->plane[sw], (e % 8) % (uint32_t)P);
    }
    /* No switch path between planes: a plane-0 leaf reaches only plane-0 switches. */
    uint8_t *dist = malloc(g->n_nodes);
    uint32_t *q = malloc(sizeof *q * g->n_nodes);
    assert_non_null(dist);
    assert_non_null(q);
    topo_bfs_switches(g, first_switch(g, 1, 0), dist, q);
    for (uint32_t v = 0; v < g->n_nodes; v++)
      if (g->kind[v] == TOPO_SWITCH && g->plane[v] != 0 && dist[v] != UINT8_MAX) {
        print_error("%s: switch %u of plane %d is reachable from plane 0 over switches\n", what, v, g->plane[v]);
        fail();
      }
    free(dist);
    free(q);
    /* A host's devices share the cabinet of the leaf its NIC 0 hangs off. */
    for (uint32_t e = 0; e < g->n_endpoints; e += 8)
      EXPECT_U64(what, "cabinet of GPU 0 == cabinet of its leaf", g->cabinet[g->endpoint_node[e]],
                 g->cabinet[topo_endpoint_switch(g, e)]);
    topo_free(g);
  }
}

/* ---------------------------------- MRFT ---------------------------------- */

static void mrft_hosts_put_nic_i_on_rail_i(void **st) {
  (void)st;
  const int ks[] = {16, 64};
  for (size_t t = 0; t < 2; t++) {
    int k = ks[t];
    char what[96];
    snprintf(what, sizeof what, "mrft k=%d, 8-GPU hosts, rails = gpus", k);
    topo_spec s = with_hosts(spec_of(TOPO_MRFT, k), 8);
    s.planes = 0;   /* rails = node.gpus */
    topo_check chk;
    topo_graph *g = build_checked(&s, what, &chk);
    uint64_t K = (uint64_t)k;
    /* Same fabric as an FT2 of radix k: k^2/2 GPUs, 3k/2 switches, k^2/2 cables. */
    EXPECT_U64(what, "endpoints (GPUs)", g->counts.endpoints, K * K / 2);
    EXPECT_U64(what, "hosts", g->counts.hosts, K * K / 16);
    EXPECT_U64(what, "switches", g->counts.switches, 3 * K / 2);
    EXPECT_U64(what, "switch_links", g->counts.switch_links, K * K / 2);
    EXPECT_U64(what, "planes (one fabric)", g->counts.planes, 1);
    EXPECT_U64(what, "components", chk.components, 1);
    uint32_t unreached;
    EXPECT_U64(what, "leaf-to-leaf hops (shared spines)", tier1_reach(g, first_switch(g, 1, 0), &unreached), 2);
    EXPECT_U64(what, "leaves unreachable", unreached, 0);
    expect_endpoints_on_own_plane(g, what);
    for (uint32_t e = 0; e < g->n_endpoints; e++) {
      uint32_t sw = topo_endpoint_switch(g, e);
      EXPECT_U64(what, "rail of GPU i's leaf == i", g->plane[sw], e % 8);
    }
    /* Host 0's 8 NICs go to the 8 neighbouring leaves of one scalable unit (leaf ids 0..7). */
    for (uint32_t e = 0; e < 8; e++)
      EXPECT_U64(what, "leaf of host 0's NIC i", g->group[topo_endpoint_switch(g, e)], e);
    for (uint32_t v = 0; v < g->n_nodes; v++)
      if (g->kind[v] == TOPO_SWITCH && g->tier[v] == 2)
        EXPECT_TRUE(what, g->plane[v] == -1);   /* spines are shared by all rails */
    topo_free(g);
  }

  /* Bare MRFT: an FT2 whose leaves carry rail labels. */
  topo_spec s = spec_of(TOPO_MRFT, 16);
  s.planes = 4;
  topo_check chk;
  topo_graph *g = build_checked(&s, "mrft k=16 R=4 (bare)", &chk);
  EXPECT_U64("mrft k=16 R=4 (bare)", "endpoints", g->counts.endpoints, 128);
  EXPECT_U64("mrft k=16 R=4 (bare)", "components", chk.components, 1);
  expect_endpoints_on_own_plane(g, "mrft k=16 R=4 (bare)");
  topo_free(g);
}

/* ------------------------------ node internals ----------------------------- */

static void host_internals_follow_the_node_spec(void **st) {
  (void)st;
  topo_spec s = with_hosts(spec_of(TOPO_FT2, 8), 8);
  s.node.gpus_per_pcie_switch = 2;
  s.node.storage_nics = 1;
  s.node.hostmem_bw_Bps = 30e9;
  s.node.nic.cls = TOPO_IB;
  s.node.nic.bw_Bps = 25e9;
  topo_check chk;
  topo_graph *g = build_checked(&s, "ft2 k=8, 8-GPU hosts", &chk);
  const char *what = "ft2 k=8, 8-GPU hosts (4 PCIe switches, 1 storage NIC)";
  EXPECT_U64(what, "hosts (32 GPUs / 8)", g->counts.hosts, 4);
  EXPECT_U64(what, "pcie_switches", g->counts.pcie_switches, 16);
  EXPECT_U64(what, "nics (8 + 1 storage per host)", g->counts.nics, 36);
  EXPECT_U64(what, "nvswitches", g->counts.nvswitches, 4);
  EXPECT_U64(what, "internal_links (3 x 8 + 4 + 1 per host)", g->counts.internal_links, 4 * 29);
  EXPECT_U64(what, "endpoint_links (one NIC cable per GPU)", g->counts.endpoint_links, 32);
  EXPECT_U64(what, "components", chk.components, 1);
  uint64_t storage = 0;
  for (uint32_t l = 0; l < g->n_links; l++) {
    uint32_t a = g->link_a[l], b = g->link_b[l];
    topo_kind ka = (topo_kind)g->kind[a], kb = (topo_kind)g->kind[b];
    if (ka == TOPO_GPU && kb == TOPO_NVSWITCH) EXPECT_U64(what, "GPU-NVSwitch class", g->cls[l], TOPO_NVLINK);
    if ((ka == TOPO_GPU || ka == TOPO_NIC) && kb == TOPO_PCIE_SWITCH)
      EXPECT_U64(what, "GPU/NIC-PCIe class", g->cls[l], TOPO_PCIE);
    if (ka == TOPO_PCIE_SWITCH && kb == TOPO_HOSTMEM)
      EXPECT_TRUE(what, g->cls[l] == TOPO_PCIE && g->bw_Bps[l] == 30e9);
    if (ka == TOPO_NIC && kb == TOPO_SWITCH) EXPECT_TRUE(what, g->cls[l] == TOPO_IB && g->bw_Bps[l] == 25e9);
  }
  for (uint32_t v = 0; v < g->n_nodes; v++)
    if (g->kind[v] == TOPO_NIC && g->plane[v] < 0) {
      storage++;
      EXPECT_U64(what, "storage NIC links (its PCIe switch only)", topo_degree(g, v), 1);
    }
  EXPECT_U64(what, "storage NICs", storage, 4);
  expect_endpoints_on_own_plane(g, what);
  topo_free(g);

  /* NIC bandwidth 0: the NIC cable is a fabric cable. */
  s.node.nic.bw_Bps = 0.0;
  s.node.nic.cls = TOPO_NVLINK;   /* ignored with bw 0 */
  g = build_checked(&s, "ft2 k=8, 8-GPU hosts, nic = fabric", &chk);
  for (uint32_t l = 0; l < g->n_links; l++)
    if (g->kind[g->link_a[l]] == TOPO_NIC && g->kind[g->link_b[l]] == TOPO_SWITCH)
      EXPECT_TRUE("nic = fabric", g->cls[l] == TOPO_IB && g->bw_Bps[l] == s.fabric.bw_Bps);
  topo_free(g);
}

static void node_family_is_hosts_only(void **st) {
  (void)st;
  topo_spec s = with_hosts(spec_of(TOPO_NODE, 0), 8);
  topo_check chk;
  topo_graph *g = build_checked(&s, "node: one 8-GPU host", &chk);
  EXPECT_U64("node: one 8-GPU host", "endpoints", g->counts.endpoints, 8);
  EXPECT_U64("node: one 8-GPU host", "switches", g->counts.switches, 0);
  EXPECT_U64("node: one 8-GPU host", "nvswitches", g->counts.nvswitches, 1);
  EXPECT_U64("node: one 8-GPU host", "components", chk.components, 1);
  topo_free(g);

  /* NVL72: 18 hosts of 4 GPUs around one NVLink domain. */
  s = with_hosts(spec_of(TOPO_NODE, 0), 4);
  s.node.nvlink_domain = 72;
  g = build_checked(&s, "node: NVL72", &chk);
  const char *what = "node: NVL72 (18 hosts x 4 GPUs, one NVSwitch)";
  EXPECT_U64(what, "endpoints", g->counts.endpoints, 72);
  EXPECT_U64(what, "hosts", g->counts.hosts, 18);
  EXPECT_U64(what, "nvswitches", g->counts.nvswitches, 1);
  EXPECT_U64(what, "components", chk.components, 1);
  EXPECT_U64(what, "cabinets", g->n_cabinets, 1);
  for (uint32_t v = 0; v < g->n_nodes; v++)
    if (g->kind[v] == TOPO_NVSWITCH) EXPECT_U64(what, "NVSwitch degree (one link per GPU)", topo_degree(g, v), 72);
  topo_free(g);

  s.endpoints = 144;   /* two racks, no fabric between them */
  g = build_checked(&s, "node: 2 x NVL72", &chk);
  EXPECT_U64("node: 2 x NVL72", "nvswitches", g->counts.nvswitches, 2);
  EXPECT_U64("node: 2 x NVL72", "components", chk.components, 2);
  EXPECT_U64("node: 2 x NVL72", "cabinets", g->n_cabinets, 2);
  topo_free(g);

  /* An NVL72 domain inside a fabric: 4-GPU hosts on an MPFT of 4 planes share rack NVSwitches. */
  s = with_hosts(spec_of(TOPO_MPFT, 16), 4);
  s.planes = 4;
  s.node.nvlink_domain = 72;
  g = build_checked(&s, "mpft k=16 P=4, NVL72 racks", &chk);
  /* 4 planes x 128 ports / 4 GPUs = 128 hosts = 512 GPUs; ceil(128 / 18) = 8 NVSwitches. */
  EXPECT_U64("mpft k=16 P=4, NVL72 racks", "endpoints", g->counts.endpoints, 512);
  EXPECT_U64("mpft k=16 P=4, NVL72 racks", "nvswitches", g->counts.nvswitches, 8);
  EXPECT_U64("mpft k=16 P=4, NVL72 racks", "components", chk.components, 1);
  topo_free(g);
}

/* ---------------------------------- layout ---------------------------------- */

static void spine_and_core_cabinets_sit_in_the_middle(void **st) {
  (void)st;
  topo_spec s = spec_of(TOPO_FT2, 8);   /* 8 leaves, 4 spines */
  topo_check chk;
  topo_graph *g = build_checked(&s, "ft2 k=8 layout", &chk);
  EXPECT_U64("ft2 k=8 layout", "cabinets (8 leaf + 4 spine)", g->n_cabinets, 12);
  for (uint32_t v = 0; v < g->n_nodes; v++) {
    if (g->kind[v] != TOPO_SWITCH) continue;
    if (g->tier[v] == 2) EXPECT_TRUE("ft2 k=8: spine cabinets are 4..7", g->cabinet[v] >= 4 && g->cabinet[v] <= 7);
    else EXPECT_U64("ft2 k=8 layout", "cabinet of leaf l (l < 4: l, else l + 4 spine cabinets)", g->cabinet[v],
                    g->group[v] < 4 ? g->group[v] : g->group[v] + 4);
  }
  for (uint32_t e = 0; e < g->n_endpoints; e++)
    EXPECT_U64("ft2 k=8 layout", "cabinet of an endpoint (== its leaf's)", g->cabinet[g->endpoint_node[e]],
               g->cabinet[topo_endpoint_switch(g, e)]);
  topo_free(g);

  s.switches_per_cabinet = 2;
  s.endpoints_per_cabinet = 8;   /* two leaves of 4 endpoints per cabinet */
  g = build_checked(&s, "ft2 k=8, 2 leaves / 2 spines per cabinet", &chk);
  EXPECT_U64("ft2 k=8, 2 leaves / 2 spines per cabinet", "cabinets (4 + 2)", g->n_cabinets, 6);
  EXPECT_U64("ft2 k=8, 2 leaves / 2 spines per cabinet", "cabinet of spine 0", g->cabinet[first_switch(g, 2, 0)], 2);
  topo_free(g);

  /* FT3 k=4: per pod 2 edge + 2 aggregation cabinets; the 4 core cabinets after pod 1. */
  s = spec_of(TOPO_FT3, 4);
  g = build_checked(&s, "ft3 k=4 layout", &chk);
  EXPECT_U64("ft3 k=4 layout", "cabinets (4 pods x 4 + 4 core)", g->n_cabinets, 20);
  for (uint32_t v = 0; v < g->n_nodes; v++) {
    if (g->kind[v] != TOPO_SWITCH) continue;
    int pod = g->group[v], base = pod * 4 + (pod >= 2 ? 4 : 0);
    if (g->tier[v] == 3) EXPECT_TRUE("ft3 k=4: core cabinets are 8..11", g->cabinet[v] >= 8 && g->cabinet[v] <= 11);
    else if (g->tier[v] == 2)
      EXPECT_TRUE("ft3 k=4: aggregation after its pod's edges", g->cabinet[v] >= base + 2 && g->cabinet[v] < base + 4);
    else EXPECT_TRUE("ft3 k=4: edge cabinets first in a pod", g->cabinet[v] >= base && g->cabinet[v] < base + 2);
  }
  topo_free(g);
}

static void mpft_costs_planes_times_one_plane(void **st) {
  (void)st;
  topo_spec one = spec_of(TOPO_FT2, 8), many = spec_of(TOPO_MPFT, 8);
  many.planes = 4;
  one.layout.cabinets_per_row = many.layout.cabinets_per_row = 12;   /* a plane fills a row */
  one.layout.electrical_reach_m = many.layout.electrical_reach_m = 3.0;
  topo_cables c1, cp;
  char err[256] = "";
  assert_int_equal(topo_cables_formula(&one, &c1, err, sizeof err), 0);
  assert_int_equal(topo_cables_formula(&many, &cp, err, sizeof err), 0);
  uint64_t total = 0;
  for (int k = 0; k < 2; k++)
    for (int m = 0; m < TOPO_MEDIUM_COUNT; m++) {
      total += c1.n[k][m];
      EXPECT_U64("mpft P=4 vs ft2: cables", k ? "switch-endpoint" : "switch-switch", cp.n[k][m], 4 * c1.n[k][m]);
      if (fabs(cp.m[k][m] - 4.0 * c1.m[k][m]) > 1e-6 * (1.0 + cp.m[k][m])) {
        print_error("mpft P=4 vs ft2: %s %s metres: %.3f, want 4 x %.3f\n", k ? "switch-endpoint" : "switch-switch",
                    topo_medium_name((topo_medium)m), cp.m[k][m], c1.m[k][m]);
        fail();
      }
    }
  EXPECT_U64("ft2 k=8: fabric cables", "total", total, 32 + 32);
  EXPECT_TRUE("ft2 k=8 with 3 m reach: some cables optical", c1.n[0][TOPO_OPTICAL] > 0);
}

/* ------------------------------ invalid input ------------------------------ */

static void expect_refused(const topo_spec *s, const char *needle) {
  char err[256] = "";
  topo_counts c;
  int rc = topo_count(s, &c, err, sizeof err);
  if (rc != TOPO_EINVAL || !strstr(err, needle)) {
    print_error("%s radix=%d: topo_count gave %d \"%s\"; want TOPO_EINVAL naming \"%s\"\n",
                topo_family_name(s->family), s->radix, rc, err, needle);
    fail();
  }
  topo_graph dummy, *g = &dummy;   /* topo_build must reset *out on failure */
  err[0] = 0;
  rc = topo_build(s, &g, err, sizeof err);
  if (rc != TOPO_EINVAL || g != NULL || !strstr(err, needle)) {
    print_error("%s: topo_build gave %d \"%s\"; want TOPO_EINVAL naming \"%s\"\n", topo_family_name(s->family), rc,
                err, needle);
    fail();
  }
}

static void invalid_specs_are_refused_by_name(void **st) {
  (void)st;
  topo_spec s = spec_of(TOPO_FT2, 63);
  expect_refused(&s, "radix: 63: ports per switch must be an even number");
  s.radix = 2;
  expect_refused(&s, "radix: 2");
  s = spec_of(TOPO_FT3, 0);
  expect_refused(&s, "radix: 0");

  s = spec_of(TOPO_FT2, 64);
  s.endpoints = 2049;
  expect_refused(&s, "endpoints: 2049");
  s.endpoints = -1;
  expect_refused(&s, "endpoints: -1");
  s.endpoints = 0;
  s.spines = 5;
  expect_refused(&s, "spines: 5");
  s.spines = 4;   /* 4 spines take 8 leaves, a full build needs 64 */
  s.endpoints = 2048;
  expect_refused(&s, "endpoints: 2048 needs 64 leaves");
  s = spec_of(TOPO_FT2, 64);
  s.planes = 2;
  expect_refused(&s, "planes: 2");
  s = spec_of(TOPO_FT2, 8);
  s.switches_per_cabinet = 0;
  expect_refused(&s, "switches_per_cabinet: 0");
  s = spec_of(TOPO_FT2, 8);
  s.endpoints_per_cabinet = 6;
  expect_refused(&s, "endpoints_per_cabinet: 6");
  s = spec_of(TOPO_FT2, 8);
  s.fabric.bw_Bps = 0.0;
  expect_refused(&s, "fabric.bw: 0");
  s = spec_of(TOPO_FT2, 8);
  s.fabric.cls = TOPO_PCIE;
  expect_refused(&s, "fabric.class: pcie");

  s = spec_of(TOPO_MPFT, 64);
  s.planes = 0;
  expect_refused(&s, "planes: 0");
  s = spec_of(TOPO_MPFT, 64);
  s.planes = 3;
  s.endpoints = 128;
  expect_refused(&s, "endpoints: 128 must be a multiple of 3");
  s = with_hosts(spec_of(TOPO_MPFT, 64), 8);
  s.planes = 3;
  expect_refused(&s, "planes: 3 must divide node.gpus 8");
  s = with_hosts(spec_of(TOPO_MRFT, 64), 8);
  s.planes = 3;
  expect_refused(&s, "planes: 3 must divide node.gpus 8");

  s = spec_of(TOPO_FT3, 8);
  s.endpoints = 100;
  expect_refused(&s, "endpoints: 100");
  s = spec_of(TOPO_FT3, 8);
  s.spines = 2;
  expect_refused(&s, "spines: 2");
  s = with_hosts(spec_of(TOPO_FT3, 8), 3);
  expect_refused(&s, "node.gpus: 3 must divide the 128");

  s = with_hosts(spec_of(TOPO_FT2, 8), 8);
  s.endpoints = 12;
  expect_refused(&s, "endpoints: 12 must be a multiple of node.gpus 8");
  s = with_hosts(spec_of(TOPO_FT2, 4), 16);   /* 8 leaf ports, 16 NICs per host */
  expect_refused(&s, "node.gpus: 16: not one host fits");
  s = with_hosts(spec_of(TOPO_FT2, 8), -1);
  expect_refused(&s, "node.gpus: -1");
  s = with_hosts(spec_of(TOPO_FT2, 8), 8);
  s.node.gpus_per_pcie_switch = 0;
  expect_refused(&s, "node.gpus_per_pcie_switch: 0");
  s = with_hosts(spec_of(TOPO_FT2, 8), 4);
  s.node.nvlink_domain = 70;
  expect_refused(&s, "node.nvlink_domain: 70");
  s = with_hosts(spec_of(TOPO_FT2, 8), 8);
  s.node.nic.bw_Bps = 50e9;   /* cls left at 0 = nvlink */
  expect_refused(&s, "node.nic: class nvlink");
  s = with_hosts(spec_of(TOPO_FT2, 8), 8);
  s.node.nvlink.bw_Bps = 0.0;
  expect_refused(&s, "node.nvlink.bw: 0");
  s = with_hosts(spec_of(TOPO_FT2, 8), 8);
  s.node.storage_nics = -1;
  expect_refused(&s, "node.storage_nics: -1");

  s = spec_of(TOPO_NODE, 0);
  expect_refused(&s, "node.gpus: 0");
  s = with_hosts(spec_of(TOPO_NODE, 0), 8);
  s.endpoints = 12;
  expect_refused(&s, "endpoints: 12");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(ft2_k64_matches_table3),
    cmocka_unit_test(ft2_sizes_follow_the_formulas),
    cmocka_unit_test(ft2_partial_builds_fill_leaves_in_order),
    cmocka_unit_test(ft3_small_builds_are_al_fares_fat_trees),
    cmocka_unit_test(ft3_k64_matches_table3_and_builds_fast),
    cmocka_unit_test(doubling_the_radix_moves_the_size),
    cmocka_unit_test(mpft_bare_planes_are_separate_ft2s),
    cmocka_unit_test(mpft_hosts_put_gpu_i_in_plane_i_mod_p),
    cmocka_unit_test(mrft_hosts_put_nic_i_on_rail_i),
    cmocka_unit_test(host_internals_follow_the_node_spec),
    cmocka_unit_test(node_family_is_hosts_only),
    cmocka_unit_test(spine_and_core_cabinets_sit_in_the_middle),
    cmocka_unit_test(mpft_costs_planes_times_one_plane),
    cmocka_unit_test(invalid_specs_are_refused_by_name),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
