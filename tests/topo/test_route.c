/* test_route.c: mechanism tests of topo/topo_route.c on small graphs built by hand (the shapes of a
 * two-layer fat-tree, a router graph with a triangle and a square, multi-rail and multi-plane hosts)
 * and on topo_build() graphs of every family. Each check says what it expects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "topo.h"

static const topo_link_spec LS = {TOPO_IB, 50e9, 0};

/* ---- hand-built graphs ---- */

/* Two-layer fat-tree of radix k: k leaves with k/2 endpoints each, `spines` spines, `par` parallel
 * links per leaf-spine pair, dealt round-robin (uplink u -> spine u mod spines, as the builders
 * do). Endpoints numbered leaf by leaf.
 * Node ids: leaves 0..k-1, spines k..k+k/2-1, then the endpoints. */
static topo_graph *ft2_hand(int k, int spines, int par) {
  topo_graph *g = topo_graph_new(0, 0);
  int h = k / 2;
  uint32_t leaf[64], spine[64];
  for (int l = 0; l < k; l++) leaf[l] = topo_add_node(g, TOPO_SWITCH, 1, -1, -1, l, -1, k);
  for (int s = 0; s < spines; s++) spine[s] = topo_add_node(g, TOPO_SWITCH, 2, -1, -1, -1, -1, k);
  for (int l = 0; l < k; l++)
    for (int e = 0; e < h; e++) {
      uint32_t v = topo_add_node(g, TOPO_ENDPOINT, 0, -1, -1, l, -1, 0);
      topo_add_link(g, v, leaf[l], &LS);
      topo_add_endpoint(g, v);
    }
  for (int l = 0; l < k; l++)
    for (int p = 0; p < par; p++)
      for (int s = 0; s < spines; s++) topo_add_link(g, leaf[l], spine[s], &LS);
  char err[128];
  assert_int_equal(topo_finalize(g, err, sizeof err), 0);
  return g;
}

/* Routers R0 R1 R2 in a triangle, R2 R3 R4 R5 in a square (R2-R3-R4-R5-R2); endpoint i on Ri.
 * Distances: R0->R4 3 hops over 2 routes (via R3 or R5), R3->R5 2 hops over 2 routes. */
static topo_graph *tri_square(void) {
  topo_graph *g = topo_graph_new(0, 0);
  g->spec.family = TOPO_DRAGONFLY;   /* not a fat-tree: STATIC is the fixed minimal path */
  uint32_t R[6];
  for (int i = 0; i < 6; i++) R[i] = topo_add_node(g, TOPO_SWITCH, 1, -1, -1, 0, -1, 8);
  for (int i = 0; i < 6; i++) {
    uint32_t e = topo_add_node(g, TOPO_ENDPOINT, 0, -1, -1, 0, -1, 0);
    topo_add_link(g, e, R[i], &LS);
    topo_add_endpoint(g, e);
  }
  topo_add_link(g, R[0], R[1], &LS);
  topo_add_link(g, R[1], R[2], &LS);
  topo_add_link(g, R[2], R[0], &LS);
  topo_add_link(g, R[2], R[3], &LS);
  topo_add_link(g, R[3], R[4], &LS);
  topo_add_link(g, R[4], R[5], &LS);
  topo_add_link(g, R[5], R[2], &LS);
  char err[128];
  assert_int_equal(topo_finalize(g, err, sizeof err), 0);
  return g;
}

/* Hosts with node internals, shaped like topo_node.c's: per host an NVSwitch, `gpus` GPUs, PCIe
 * switches with gpus_per_pcie GPUs and as many NICs each. MPFT (planes > 0): GPU/NIC i in plane
 * i % planes, per plane one leaf per host and `spines` spines of that plane. MRFT (planes == 0):
 * GPU/NIC i on rail i (the plane field), one leaf per rail and host, `spines` spines shared by all
 * rails. One link per leaf-spine pair. */
typedef struct hostnet {
  topo_graph *g;
  uint32_t nvs[4], gpu[4][8], nic[4][8], leaf[4][8];
} hostnet;

static hostnet hosts_hand(int hosts, int gpus, int gpus_per_pcie, int planes, int spines) {
  hostnet n;
  memset(&n, 0, sizeof n);
  topo_graph *g = topo_graph_new(0, 0);
  n.g = g;
  int rails = planes > 0 ? planes : gpus;   /* fabrics (MPFT planes) or rails (MRFT) */
  g->spec.family = planes > 0 ? TOPO_MPFT : TOPO_MRFT;
  for (int h = 0; h < hosts; h++) {
    n.nvs[h] = topo_add_node(g, TOPO_NVSWITCH, 0, -1, h, -1, -1, 0);
    for (int p0 = 0; p0 < gpus; p0 += gpus_per_pcie) {
      uint32_t pcie = topo_add_node(g, TOPO_PCIE_SWITCH, 0, -1, h, -1, -1, 0);
      for (int i = p0; i < p0 + gpus_per_pcie; i++) {
        int pl = planes > 0 ? i % planes : i;
        n.gpu[h][i] = topo_add_node(g, TOPO_GPU, 0, pl, h, -1, -1, 0);
        topo_add_link(g, n.gpu[h][i], pcie, &LS);
        topo_add_link(g, n.gpu[h][i], n.nvs[h], &LS);
        topo_add_endpoint(g, n.gpu[h][i]);
      }
      for (int i = p0; i < p0 + gpus_per_pcie; i++) {
        int pl = planes > 0 ? i % planes : i;
        n.nic[h][i] = topo_add_node(g, TOPO_NIC, 0, pl, h, -1, -1, 0);
        topo_add_link(g, pcie, n.nic[h][i], &LS);
      }
    }
  }
  uint32_t sp[8][8];
  int nfab = planes > 0 ? planes : 1;
  for (int f = 0; f < nfab; f++)
    for (int s = 0; s < spines; s++) sp[f][s] = topo_add_node(g, TOPO_SWITCH, 2, planes > 0 ? f : -1, -1, -1, -1, 8);
  for (int r = 0; r < rails; r++)
    for (int h = 0; h < hosts; h++) {
      n.leaf[h][r] = topo_add_node(g, TOPO_SWITCH, 1, r, -1, h, -1, 8);
      int f = planes > 0 ? r : 0;
      for (int s = 0; s < spines; s++) topo_add_link(g, n.leaf[h][r], sp[f][s], &LS);
    }
  for (int h = 0; h < hosts; h++)
    for (int i = 0; i < gpus; i++) {
      int r = planes > 0 ? i % planes : i;
      topo_add_link(g, n.nic[h][i], n.leaf[h][r], &LS);
    }
  char err[128];
  assert_int_equal(topo_finalize(g, err, sizeof err), 0);
  return n;
}

/* ---- helpers ---- */

/* The route chains arc to arc from the source endpoint's node to the destination's. */
static void assert_route_valid(const topo_graph *g, const topo_route *rt, uint32_t src, uint32_t dst) {
  if (src == dst) {
    assert_int_equal(rt->n, 0);
    return;
  }
  assert_true(rt->n > 0 && rt->n <= TOPO_ROUTE_MAX);
  assert_int_equal(topo_arc_from(g, rt->arc[0]), g->endpoint_node[src]);
  assert_int_equal(topo_arc_to(g, rt->arc[rt->n - 1]), g->endpoint_node[dst]);
  for (uint32_t i = 0; i + 1 < rt->n; i++) {
    assert_true(rt->arc[i] < 2 * g->n_links);
    assert_int_equal(topo_arc_to(g, rt->arc[i]), topo_arc_from(g, rt->arc[i + 1]));
  }
}

/* Arcs of a route that join two fabric switches. */
static uint32_t switch_arcs(const topo_graph *g, const topo_route *rt) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < rt->n; i++)
    if (g->kind[topo_arc_from(g, rt->arc[i])] == TOPO_SWITCH && g->kind[topo_arc_to(g, rt->arc[i])] == TOPO_SWITCH)
      n++;
  return n;
}

static int same_route(const topo_route *a, const topo_route *b) {
  return a->n == b->n && memcmp(a->arc, b->arc, sizeof a->arc[0] * a->n) == 0;
}

/* Most flows on any arc over a set of routes. */
static int max_arc_load(const topo_graph *g, const topo_route *rts, size_t n) {
  int *load = calloc(2 * (size_t)g->n_links, sizeof *load);
  assert_non_null(load);
  int worst = 0;
  for (size_t i = 0; i < n; i++)
    for (uint32_t j = 0; j < rts[i].n; j++)
      if (++load[rts[i].arc[j]] > worst) worst = load[rts[i].arc[j]];
  free(load);
  return worst;
}

/* Most flows on any switch-to-switch arc. */
static int max_fabric_load(const topo_graph *g, const topo_route *rts, size_t n) {
  int *load = calloc(2 * (size_t)g->n_links, sizeof *load);
  assert_non_null(load);
  int worst = 0;
  for (size_t i = 0; i < n; i++)
    for (uint32_t j = 0; j < rts[i].n; j++) {
      uint32_t a = rts[i].arc[j];
      if (g->kind[topo_arc_from(g, a)] != TOPO_SWITCH || g->kind[topo_arc_to(g, a)] != TOPO_SWITCH) continue;
      if (++load[a] > worst) worst = load[a];
    }
  free(load);
  return worst;
}

static uint64_t test_mix(uint64_t *x) {   /* the test's own random stream (splitmix64) */
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* ---- fat-tree (hand-built) ---- */

static void ft2_counts_hops_and_routes(void **st) {
  (void)st;
  topo_graph *g = ft2_hand(4, 2, 1);   /* 4 leaves x 2 endpoints, 2 spines */
  topo_router *r = topo_router_new(g, 0);
  assert_non_null(r);
  /* Same leaf: no switch hop, one route. Other leaf: 2 hops over k/2 = 2 spines. */
  assert_int_equal(topo_switch_hops(r, 0, 1), 0);
  assert_true(topo_minimal_path_count(r, 0, 1) == 1.0);
  assert_int_equal(topo_switch_hops(r, 0, 2), 2);
  assert_true(topo_minimal_path_count(r, 0, 2) == 2.0);
  assert_int_equal(topo_switch_hops(r, 3, 3), 0);
  assert_true(topo_minimal_path_count(r, 3, 3) == 1.0);
  for (uint32_t s = 0; s < g->n_endpoints; s++)
    for (uint32_t d = 0; d < g->n_endpoints; d++)
      for (int how = 0; how < TOPO_ROUTING_COUNT; how++) {
        topo_route rt;
        assert_int_equal(topo_route_one(r, (topo_routing)how, s, d, 77 + s * 8 + d, &rt), 0);
        assert_route_valid(g, &rt, s, d);
        if (s != d) assert_int_equal(rt.n, 2 + switch_arcs(g, &rt));
        assert_int_equal((int)switch_arcs(g, &rt), topo_switch_hops(r, s, d));
      }
  /* k = 8: k/2 = 4 routes between leaves. */
  topo_router_free(r);
  topo_free(g);
  g = ft2_hand(8, 4, 1);
  r = topo_router_new(g, 0);
  assert_true(topo_minimal_path_count(r, 0, 31) == 4.0);
  assert_int_equal(topo_switch_hops(r, 0, 31), 2);
  topo_router_free(r);
  topo_free(g);
}

static void parallel_links_are_distinct_routes(void **st) {
  (void)st;
  topo_graph *g = ft2_hand(2, 1, 2);   /* 2 leaves x 1 endpoint, 1 spine, 2 cables per leaf-spine pair */
  topo_router *r = topo_router_new(g, 0);
  /* 2 cables up x 2 cables down. */
  assert_true(topo_minimal_path_count(r, 0, 1) == 4.0);
  topo_route c[8];
  size_t n = topo_route_candidates(r, TOPO_ROUTING_ADAPTIVE, 0, 1, 8, 0, 0, c);
  assert_int_equal(n, 4);
  for (size_t i = 0; i < n; i++) {
    assert_route_valid(g, &c[i], 0, 1);
    for (size_t j = 0; j < i; j++) assert_false(same_route(&c[i], &c[j]));
  }
  topo_router_free(r);
  topo_free(g);
}

/* D-mod-k versus ECMP on a k = 16 two-layer fat-tree: each endpoint of leaf 0 sends to a distinct
 * endpoint of leaf 1. D-mod-k puts destination i on spine i mod 8: no uplink or downlink is shared.
 * ECMP hashes each flow independently: 8 flows on 8 spines all differ with probability 8!/8^8
 * (0.24%), so nearly every set of flow ids collides somewhere. */
static void static_dmodk_avoids_the_collisions_of_ecmp(void **st) {
  (void)st;
  const int k = 16, h = 8;
  topo_graph *g = ft2_hand(k, h, 1);
  topo_router *r = topo_router_new(g, 0);
  topo_route rts[128];
  for (int i = 0; i < h; i++) {
    assert_int_equal(topo_route_one(r, TOPO_ROUTING_STATIC, (uint32_t)i, (uint32_t)(h + i), 0, &rts[i]), 0);
    assert_route_valid(g, &rts[i], (uint32_t)i, (uint32_t)(h + i));
  }
  assert_int_equal(max_arc_load(g, rts, (size_t)h), 1);
  /* The whole shift permutation i -> i + 8 (mod 128): no arc carries two flows. */
  for (int i = 0; i < k * h; i++)
    assert_int_equal(topo_route_one(r, TOPO_ROUTING_STATIC, (uint32_t)i, (uint32_t)((i + h) % (k * h)), 0, &rts[i]), 0);
  assert_int_equal(max_arc_load(g, rts, (size_t)(k * h)), 1);
  /* The same with 2 spines x 4 parallel cables per leaf-spine pair (a partial build): D-mod-k picks
   * the cable down that it took up, so the 8 flows still share no cable either way. */
  topo_graph *g2 = ft2_hand(k, 2, 4);
  topo_router *r2 = topo_router_new(g2, 0);
  for (int i = 0; i < k * h; i++) {
    uint32_t d = (uint32_t)((i + h) % (k * h));
    assert_int_equal(topo_route_one(r2, TOPO_ROUTING_STATIC, (uint32_t)i, d, 0, &rts[i]), 0);
    assert_route_valid(g2, &rts[i], (uint32_t)i, d);
  }
  assert_int_equal(max_arc_load(g2, rts, (size_t)(k * h)), 1);
  assert_true(topo_minimal_path_count(r2, 0, 8) == 8.0 * 4.0);   /* 8 cables up x 4 down */
  topo_router_free(r2);
  topo_free(g2);
  /* ECMP: 100 sets of random flow ids for the leaf 0 -> leaf 1 permutation. */
  uint64_t x = 12345;
  int collided = 0;
  for (int trial = 0; trial < 100; trial++) {
    for (int i = 0; i < h; i++)
      assert_int_equal(
          topo_route_one(r, TOPO_ROUTING_ECMP, (uint32_t)i, (uint32_t)(h + i), test_mix(&x), &rts[i]), 0);
    if (max_fabric_load(g, rts, (size_t)h) > 1) collided++;
  }
  print_message("ECMP: %d of 100 flow-id sets share an uplink; D-mod-k: none\n", collided);
  assert_true(collided > 50);
  /* ECMP spreads one pair's flows over every spine (the hash is not degenerate). */
  int used[8] = {0};
  for (uint64_t f = 0; f < 256; f++) {
    topo_route rt;
    assert_int_equal(topo_route_one(r, TOPO_ROUTING_ECMP, 0, 127, f, &rt), 0);
    assert_route_valid(g, &rt, 0, 127);
    used[topo_arc_to(g, rt.arc[1]) - (uint32_t)k] = 1;   /* spines are nodes k .. k + 7 */
  }
  for (int s = 0; s < h; s++) assert_true(used[s]);
  topo_router_free(r);
  topo_free(g);
}

static void adaptive_returns_min_of_max_and_count(void **st) {
  (void)st;
  topo_graph *g = ft2_hand(8, 4, 1);
  topo_router *r = topo_router_new(g, 0);
  topo_route c[16];
  for (size_t max = 1; max <= 6; max++) {
    size_t n = topo_route_candidates(r, TOPO_ROUTING_ADAPTIVE, 1, 30, max, 0, 0, c);
    assert_int_equal(n, max < 4 ? max : 4);
    for (size_t i = 0; i < n; i++) {
      assert_route_valid(g, &c[i], 1, 30);
      assert_int_equal(switch_arcs(g, &c[i]), 2);
      for (size_t j = 0; j < i; j++) assert_false(same_route(&c[i], &c[j]));
    }
  }
  /* Same leaf: the one route. */
  assert_int_equal(topo_route_candidates(r, TOPO_ROUTING_ADAPTIVE, 0, 1, 16, 0, 0, c), 1);
  assert_int_equal(c[0].n, 2);
  topo_router_free(r);
  topo_free(g);
}

/* A router whose cache holds 4 destinations (it drops and refills often) answers exactly as one
 * that holds all of them. */
static void small_cache_gives_the_same_answers(void **st) {
  (void)st;
  topo_graph *g = ft2_hand(8, 4, 1);
  topo_router *a = topo_router_new(g, 0), *b = topo_router_new(g, 1);
  for (uint32_t s = 0; s < g->n_endpoints; s++)
    for (uint32_t d = 0; d < g->n_endpoints; d += 3) {
      assert_int_equal(topo_switch_hops(a, s, d), topo_switch_hops(b, s, d));
      assert_true(topo_minimal_path_count(a, s, d) == topo_minimal_path_count(b, s, d));
      for (int how = 0; how < TOPO_ROUTING_COUNT; how++) {
        topo_route ra, rb;
        assert_int_equal(topo_route_one(a, (topo_routing)how, s, d, s ^ d, &ra), 0);
        assert_int_equal(topo_route_one(b, (topo_routing)how, s, d, s ^ d, &rb), 0);
        assert_true(same_route(&ra, &rb));
      }
      topo_route ca[6], cb[6];
      size_t na = topo_route_candidates(a, TOPO_ROUTING_UGAL, s, d, 6, 2, 99, ca);
      size_t nb = topo_route_candidates(b, TOPO_ROUTING_UGAL, s, d, 6, 2, 99, cb);
      assert_int_equal(na, nb);
      for (size_t i = 0; i < na; i++) assert_true(same_route(&ca[i], &cb[i]));
    }
  topo_router_free(a);
  topo_router_free(b);
  topo_free(g);
}

/* ---- router graph (hand-built) ---- */

static void router_graph_counts_and_static(void **st) {
  (void)st;
  topo_graph *g = tri_square();
  topo_router *r = topo_router_new(g, 0);
  assert_int_equal(topo_switch_hops(r, 0, 1), 1);
  assert_true(topo_minimal_path_count(r, 0, 1) == 1.0);
  assert_int_equal(topo_switch_hops(r, 0, 4), 3);
  assert_true(topo_minimal_path_count(r, 0, 4) == 2.0);
  assert_int_equal(topo_switch_hops(r, 3, 5), 2);
  assert_true(topo_minimal_path_count(r, 3, 5) == 2.0);
  /* STATIC: next hop = destination index mod choices, the same at every query. */
  topo_route a, b;
  assert_int_equal(topo_route_one(r, TOPO_ROUTING_STATIC, 0, 4, 1, &a), 0);
  assert_int_equal(topo_route_one(r, TOPO_ROUTING_STATIC, 0, 4, 2, &b), 0);
  assert_route_valid(g, &a, 0, 4);
  assert_true(same_route(&a, &b));
  assert_int_equal(switch_arcs(g, &a), 3);
  /* At R2 the choices toward R4 are R3 (link 9) and R5 (link 12), in that (port) order:
   * destination 4 mod 2 = 0 -> R3 (node 3). */
  assert_int_equal(topo_arc_to(g, a.arc[2]), 3);
  /* ECMP uses both ways over flow ids. */
  int via3 = 0, via5 = 0;
  for (uint64_t f = 0; f < 64; f++) {
    assert_int_equal(topo_route_one(r, TOPO_ROUTING_ECMP, 0, 4, f, &a), 0);
    assert_route_valid(g, &a, 0, 4);
    if (topo_arc_to(g, a.arc[2]) == 3) via3++;
    if (topo_arc_to(g, a.arc[2]) == 5) via5++;
  }
  assert_int_equal(via3 + via5, 64);
  assert_true(via3 > 0 && via5 > 0);
  topo_router_free(r);
  topo_free(g);
}

/* A non-minimal UGAL candidate is minimal s -> m, then minimal m -> t, for some switch m on it
 * other than s and t, and longer than the minimal hops. */
static void ugal_nonminimal_go_through_an_intermediate(void **st) {
  (void)st;
  topo_graph *g = tri_square();
  topo_router *r = topo_router_new(g, 0);
  uint8_t dist[6][32];
  uint32_t q[32];
  for (uint32_t s = 0; s < 6; s++) topo_bfs_switches(g, s, dist[s], q);   /* routers are nodes 0..5 */
  /* source, destination, detours the graph has: {0,1} via R2, R3, R4 or R5 (at least 3 routes);
   * {0,4} only via R1 (R2, R3, R5 lie on minimal routes), then R3 or R5: 2 routes; {3,5} via R0
   * or R1: 2 routes; {1,5} via R0, R3 or R4: at least 3. */
  const uint32_t pairs[][3] = {{0, 1, 3}, {0, 4, 2}, {3, 5, 2}, {1, 5, 3}};
  for (size_t pi = 0; pi < sizeof pairs / sizeof pairs[0]; pi++) {
    uint32_t se = pairs[pi][0], de = pairs[pi][1], detours = pairs[pi][2];
    int minhops = topo_switch_hops(r, se, de);
    double cnt = topo_minimal_path_count(r, se, de);
    for (uint64_t seed = 1; seed <= 5; seed++) {
      topo_route c[8], c2[8];
      size_t n = topo_route_candidates(r, TOPO_ROUTING_UGAL, se, de, 6, 3, seed, c);
      size_t nmin = cnt < 3 ? (size_t)cnt : 3;
      assert_int_equal(n, nmin + detours);
      for (size_t i = 0; i < n; i++) {
        assert_route_valid(g, &c[i], se, de);
        for (size_t j = 0; j < i; j++) assert_false(same_route(&c[i], &c[j]));
        int hops = (int)switch_arcs(g, &c[i]);
        if (i < nmin) {
          assert_int_equal(hops, minhops);
          continue;
        }
        assert_true(hops > minhops);
        /* switch sequence x_0 = s .. x_L = t */
        uint32_t x[TOPO_ROUTE_MAX + 1], L = 0;
        x[0] = topo_arc_to(g, c[i].arc[0]);
        for (uint32_t j = 1; j + 1 < c[i].n; j++) x[++L] = topo_arc_to(g, c[i].arc[j]);
        assert_int_equal((int)L, hops);
        int found = 0;
        for (uint32_t j = 1; j < L && !found; j++)
          found = x[j] != x[0] && x[j] != x[L] && dist[x[0]][x[j]] == j && dist[x[j]][x[L]] == L - j;
        assert_true(found);
      }
      /* Determinism: the same seed gives the same list. */
      assert_int_equal(topo_route_candidates(r, TOPO_ROUTING_UGAL, se, de, 6, 3, seed, c2), n);
      for (size_t i = 0; i < n; i++) assert_true(same_route(&c[i], &c2[i]));
    }
  }
  /* With max = 1 the one candidate is minimal. */
  topo_route one;
  assert_int_equal(topo_route_candidates(r, TOPO_ROUTING_UGAL, 0, 4, 1, 3, 1, &one), 1);
  assert_int_equal(switch_arcs(g, &one), 3);
  topo_router_free(r);
  topo_free(g);
}

static void bad_and_unreachable_endpoints_fail(void **st) {
  (void)st;
  topo_graph *g = tri_square();
  topo_router *r = topo_router_new(g, 0);
  topo_route rt, c[4];
  assert_int_equal(topo_switch_hops(r, 0, 6), TOPO_EINVAL);
  assert_int_equal(topo_switch_hops(r, 99, 0), TOPO_EINVAL);
  assert_true(topo_minimal_path_count(r, 6, 0) < 0);
  assert_int_equal(topo_route_one(r, TOPO_ROUTING_ECMP, 0, 6, 0, &rt), TOPO_EINVAL);
  assert_int_equal(topo_route_candidates(r, TOPO_ROUTING_ADAPTIVE, 0, 6, 4, 0, 0, c), 0);
  topo_router_free(r);
  topo_free(g);
  /* Two fabrics with no link between them (and no NVLink): unreachable. */
  g = topo_graph_new(0, 0);
  uint32_t a = topo_add_node(g, TOPO_SWITCH, 1, -1, -1, 0, -1, 4);
  uint32_t b = topo_add_node(g, TOPO_SWITCH, 1, -1, -1, 1, -1, 4);
  for (int i = 0; i < 2; i++) {
    uint32_t e = topo_add_node(g, TOPO_ENDPOINT, 0, -1, -1, i, -1, 0);
    topo_add_link(g, e, i ? b : a, &LS);
    topo_add_endpoint(g, e);
  }
  char err[64];
  assert_int_equal(topo_finalize(g, err, sizeof err), 0);
  r = topo_router_new(g, 0);
  assert_true(topo_switch_hops(r, 0, 1) < 0);
  assert_true(topo_minimal_path_count(r, 0, 1) < 0);
  assert_true(topo_route_one(r, TOPO_ROUTING_STATIC, 0, 1, 0, &rt) < 0);
  assert_int_equal(topo_route_candidates(r, TOPO_ROUTING_UGAL, 0, 1, 4, 2, 1, c), 0);
  topo_router_free(r);
  topo_free(g);
}

/* ---- hosts (hand-built) ---- */

/* Multi-rail: 2 hosts x 2 GPUs on one PCIe switch (2 NICs, rails 0 and 1), a leaf per rail and
 * host, 2 spines shared by the rails. */
static void mrft_gpu_uses_its_own_rail(void **st) {
  (void)st;
  hostnet n = hosts_hand(2, 2, 2, 0, 2);
  topo_graph *g = n.g;
  topo_router *r = topo_router_new(g, 0);
  /* endpoints: host 0 GPUs 0,1 = 0,1; host 1 = 2,3 */
  topo_route rt;
  /* Same host: NVLink only. */
  assert_int_equal(topo_route_one(r, TOPO_ROUTING_STATIC, 0, 1, 0, &rt), 0);
  assert_route_valid(g, &rt, 0, 1);
  assert_int_equal(rt.n, 2);
  assert_int_equal(topo_arc_to(g, rt.arc[0]), n.nvs[0]);
  assert_int_equal(topo_switch_hops(r, 0, 1), 0);
  assert_true(topo_minimal_path_count(r, 0, 1) == 1.0);
  /* GPU 1 -> GPU 1 of the other host: its own NIC (the second on the PCIe switch), rail 1,
   * up to the spines (the hosts have different leaves): GPU PCIe NIC leaf spine leaf NIC PCIe GPU. */
  assert_int_equal(topo_route_one(r, TOPO_ROUTING_ECMP, 1, 3, 5, &rt), 0);
  assert_route_valid(g, &rt, 1, 3);
  assert_int_equal(rt.n, 8);
  assert_int_equal(topo_arc_to(g, rt.arc[1]), n.nic[0][1]);
  assert_int_equal(topo_arc_to(g, rt.arc[2]), n.leaf[0][1]);
  assert_int_equal(topo_arc_to(g, rt.arc[4]), n.leaf[1][1]);
  assert_int_equal(topo_arc_to(g, rt.arc[5]), n.nic[1][1]);
  assert_true(topo_minimal_path_count(r, 1, 3) == 2.0);
  /* Cross-rail GPU 0 -> GPU 1 of the other host: rail 0 leaf, a shared spine, rail 1 leaf; no NVLink. */
  assert_int_equal(topo_route_one(r, TOPO_ROUTING_STATIC, 0, 3, 0, &rt), 0);
  assert_route_valid(g, &rt, 0, 3);
  assert_int_equal(rt.n, 8);
  assert_int_equal(topo_arc_to(g, rt.arc[2]), n.leaf[0][0]);
  assert_int_equal(topo_arc_to(g, rt.arc[4]), n.leaf[1][1]);
  assert_int_equal(topo_switch_hops(r, 0, 3), 2);
  topo_router_free(r);
  topo_free(g);
}

/* Multi-plane: 2 hosts x 2 GPUs (GPU i in plane i), each GPU with its own PCIe switch and NIC;
 * per plane a leaf per host and 2 spines. The planes share nothing. */
static void mpft_cross_plane_goes_over_nvlink_first(void **st) {
  (void)st;
  hostnet n = hosts_hand(2, 2, 1, 2, 2);
  topo_graph *g = n.g;
  topo_router *r = topo_router_new(g, 0);
  /* Same plane: straight out of the GPU's own NIC. */
  topo_route rt;
  assert_int_equal(topo_route_one(r, TOPO_ROUTING_STATIC, 0, 2, 0, &rt), 0);
  assert_route_valid(g, &rt, 0, 2);
  assert_int_equal(rt.n, 8);
  assert_int_equal(topo_arc_to(g, rt.arc[1]), n.nic[0][0]);
  /* Cross-plane (host 0 GPU 0, plane 0 -> host 1 GPU 1, plane 1): GPU0 -> NVSwitch -> GPU1 of
   * host 0 (plane 1) -> its PCIe switch -> NIC -> plane-1 leaf -> spine -> leaf -> NIC -> PCIe -> GPU. */
  for (int how = 0; how < TOPO_ROUTING_COUNT; how++) {
    assert_int_equal(topo_route_one(r, (topo_routing)how, 0, 3, 9, &rt), 0);
    assert_route_valid(g, &rt, 0, 3);
    assert_int_equal(rt.n, 10);
    assert_int_equal(topo_arc_to(g, rt.arc[0]), n.nvs[0]);
    assert_int_equal(topo_arc_to(g, rt.arc[1]), n.gpu[0][1]);
    assert_int_equal(topo_arc_to(g, rt.arc[3]), n.nic[0][1]);
    assert_int_equal(topo_arc_to(g, rt.arc[4]), n.leaf[0][1]);
    assert_int_equal(g->plane[topo_arc_to(g, rt.arc[5])], 1);
  }
  assert_int_equal(topo_switch_hops(r, 0, 3), 2);
  assert_true(topo_minimal_path_count(r, 0, 3) == 2.0);
  topo_route c[4];
  assert_int_equal(topo_route_candidates(r, TOPO_ROUTING_ADAPTIVE, 0, 3, 4, 0, 0, c), 2);
  assert_int_equal(topo_arc_to(g, c[1].arc[1]), n.gpu[0][1]);
  /* Same host, other plane: NVLink only. */
  assert_int_equal(topo_route_one(r, TOPO_ROUTING_ECMP, 2, 3, 0, &rt), 0);
  assert_int_equal(rt.n, 2);
  assert_int_equal(topo_switch_hops(r, 2, 3), 0);
  topo_router_free(r);
  topo_free(g);
}

/* ---- real builds (topo_build) ---- */

static topo_graph *build_or_fail(const topo_spec *s) {
  topo_graph *g = NULL;
  char err[256] = "";
  int rc = topo_build(s, &g, err, sizeof err);
  if (rc < 0) {
    print_message("topo_build(%s): %s\n", topo_family_name(s->family), err);
    fail_msg("topo_build(%s) failed: %d", topo_family_name(s->family), rc);
  }
  return g;
}

/* For every pair (s in srcs, every d): the count from dynamic programming equals the routes ADAPTIVE
 * enumerates (when it fits), every policy's route is valid and has switch_hops fabric arcs. */
static void check_all_policies(const topo_graph *g, topo_router *r, uint32_t s, uint32_t d) {
  int hops = topo_switch_hops(r, s, d);
  assert_true(hops >= 0);
  double cnt = topo_minimal_path_count(r, s, d);
  assert_true(cnt >= 1.0);
  for (int how = 0; how < TOPO_ROUTING_COUNT; how++) {
    topo_route rt;
    assert_int_equal(topo_route_one(r, (topo_routing)how, s, d, (uint64_t)s * 7919u + d, &rt), 0);
    assert_route_valid(g, &rt, s, d);
    assert_int_equal((int)switch_arcs(g, &rt), hops);
  }
  if (cnt <= 64) {
    topo_route c[65];
    size_t n = topo_route_candidates(r, TOPO_ROUTING_ADAPTIVE, s, d, 65, 0, 0, c);
    assert_true((double)n == cnt);
  }
}

/* The router's hops equal topo_bfs_switches' distances between the endpoints' switches. */
static void assert_hops_match_bfs(const topo_graph *g, topo_router *r) {
  uint8_t *dist = malloc(g->n_nodes);
  uint32_t *q = malloc(sizeof *q * g->n_nodes);
  assert_true(dist && q);
  for (uint32_t b = 0; b < g->n_endpoints; b += 5) {
    topo_bfs_switches(g, topo_endpoint_switch(g, b), dist, q);
    for (uint32_t a = 0; a < g->n_endpoints; a++)
      assert_int_equal(topo_switch_hops(r, a, b), dist[topo_endpoint_switch(g, a)]);
  }
  free(dist);
  free(q);
}

static void ft3_k8_path_counts(void **st) {
  (void)st;
  topo_spec s;
  topo_spec_init(&s);
  s.family = TOPO_FT3;
  s.radix = 8;
  topo_graph *g = build_or_fail(&s);
  assert_int_equal(g->n_endpoints, 128);
  topo_router *r = topo_router_new(g, 0);
  uint32_t s0 = topo_endpoint_switch(g, 0);
  int same_edge = 0, same_pod = 0, other_pod = 0;
  for (uint32_t d = 0; d < g->n_endpoints; d++) {
    uint32_t sd = topo_endpoint_switch(g, d);
    int hops = topo_switch_hops(r, 0, d);
    double cnt = topo_minimal_path_count(r, 0, d);
    if (sd == s0) {
      assert_int_equal(hops, 0);
      assert_true(cnt == 1.0);
      same_edge++;
    } else if (g->group[sd] == g->group[s0]) {   /* same pod, other edge: k/2 aggregation switches */
      assert_int_equal(hops, 2);
      assert_true(cnt == 4.0);
      same_pod++;
    } else {                                      /* other pod: (k/2)^2 cores */
      assert_int_equal(hops, 4);
      assert_true(cnt == 16.0);
      other_pod++;
    }
    check_all_policies(g, r, 0, d);
    check_all_policies(g, r, d, 0);
  }
  assert_int_equal(same_edge, 4);
  assert_int_equal(same_pod, 12);
  assert_int_equal(other_pod, 112);
  assert_hops_match_bfs(g, r);
  /* D-mod-k on shift permutations (i -> i + shift): no arc carries two flows. */
  static topo_route rts[128];
  const uint32_t shifts[] = {1, 4, 16, 64};
  for (size_t k = 0; k < sizeof shifts / sizeof shifts[0]; k++) {
    for (uint32_t i = 0; i < 128; i++)
      assert_int_equal(topo_route_one(r, TOPO_ROUTING_STATIC, i, (i + shifts[k]) % 128, 0, &rts[i]), 0);
    assert_int_equal(max_arc_load(g, rts, 128), 1);
  }
  topo_router_free(r);
  topo_free(g);
}

static void slimfly_q5_diameter_two(void **st) {
  (void)st;
  topo_spec s;
  topo_spec_init(&s);
  s.family = TOPO_SLIMFLY;
  s.sf_q = 5;
  s.radix = 16;
  topo_graph *g = build_or_fail(&s);
  topo_router *r = topo_router_new(g, 0);
  int worst = 0;
  for (uint32_t a = 0; a < g->n_endpoints; a++)
    for (uint32_t b = 0; b < g->n_endpoints; b++) {
      int h = topo_switch_hops(r, a, b);
      assert_true(h >= 0 && h <= 2);
      if (h > worst) worst = h;
    }
  assert_int_equal(worst, 2);
  assert_hops_match_bfs(g, r);
  for (uint32_t a = 0; a < g->n_endpoints; a += 7)
    for (uint32_t b = 0; b < g->n_endpoints; b += 3) check_all_policies(g, r, a, b);
  /* UGAL: the detours are longer than 2 hops... or exactly longer than minimal. */
  topo_route c[8];
  uint32_t far = 0;
  while (topo_switch_hops(r, 0, far) != 2) far++;
  size_t n = topo_route_candidates(r, TOPO_ROUTING_UGAL, 0, far, 8, 4, 3, c);
  assert_true(n >= 5);
  for (size_t i = 0; i < n; i++) {
    assert_route_valid(g, &c[i], 0, far);
    if (i >= n - 4) assert_true(switch_arcs(g, &c[i]) > 2);
  }
  topo_router_free(r);
  topo_free(g);
}

static void dragonfly_small_hops_and_counts(void **st) {
  (void)st;
  topo_spec s;
  topo_spec_init(&s);
  s.family = TOPO_DRAGONFLY;
  s.df_p = 2;
  s.df_a = 4;
  s.df_h = 2;
  s.df_g = 9;   /* a h + 1: one global link between every two groups */
  s.radix = 8;
  topo_graph *g = build_or_fail(&s);
  topo_router *r = topo_router_new(g, 0);
  for (uint32_t a = 0; a < g->n_endpoints; a++)
    for (uint32_t b = 0; b < g->n_endpoints; b++) {
      int h = topo_switch_hops(r, a, b);
      assert_true(h >= 0 && h <= 3);
    }
  for (uint32_t a = 0; a < g->n_endpoints; a += 5)
    for (uint32_t b = 0; b < g->n_endpoints; b += 3) check_all_policies(g, r, a, b);
  /* Routers joined by a global (or local) link: one hop, one route (no parallel cables here). */
  int directly = 0;
  for (uint32_t l = 0; l < g->n_links; l++) {
    uint32_t x = g->link_a[l], y = g->link_b[l];
    if (g->kind[x] != TOPO_SWITCH || g->kind[y] != TOPO_SWITCH) continue;
    uint32_t ex = UINT32_MAX, ey = UINT32_MAX;
    for (uint32_t e = 0; e < g->n_endpoints && (ex == UINT32_MAX || ey == UINT32_MAX); e++) {
      if (topo_endpoint_switch(g, e) == x && ex == UINT32_MAX) ex = e;
      if (topo_endpoint_switch(g, e) == y && ey == UINT32_MAX) ey = e;
    }
    assert_int_equal(topo_switch_hops(r, ex, ey), 1);
    assert_true(topo_minimal_path_count(r, ex, ey) == 1.0);
    if (g->group[x] != g->group[y]) directly++;
  }
  assert_int_equal(directly, 9 * 8 / 2);
  assert_hops_match_bfs(g, r);
  topo_router_free(r);
  topo_free(g);
}

/* D-mod-k with hosts: for shift permutations (GPU i -> GPU i + shift) no switch-to-switch cable
 * carries two flows, whatever the rails or planes (the key is the leaf-major port position). */
static void assert_static_shifts_share_no_cable(const topo_graph *g, topo_router *r) {
  static topo_route rts[64];
  assert_true(g->n_endpoints <= 64);
  const uint32_t shifts[] = {1, 3, 8, 24, 40};
  for (size_t k = 0; k < sizeof shifts / sizeof shifts[0]; k++) {
    for (uint32_t i = 0; i < g->n_endpoints; i++)
      assert_int_equal(topo_route_one(r, TOPO_ROUTING_STATIC, i, (i + shifts[k]) % g->n_endpoints, 0, &rts[i]), 0);
    assert_true(max_fabric_load(g, rts, g->n_endpoints) <= 1);   /* 0: all under one leaf */
  }
}

static topo_spec hosts_spec(topo_family fam, int planes, int radix) {
  topo_spec s;
  topo_spec_init(&s);
  s.family = fam;
  s.radix = radix;
  s.planes = planes;
  s.endpoints = 64;
  s.node.gpus = 8;
  s.node.gpus_per_pcie_switch = 2;
  s.node.nvlink = (topo_link_spec){TOPO_NVLINK, 160e9, 0};
  s.node.pcie = (topo_link_spec){TOPO_PCIE, 50e9, 0};
  return s;
}

static int route_visits_kind(const topo_graph *g, const topo_route *rt, topo_kind k) {
  for (uint32_t i = 0; i < rt->n; i++)
    if (g->kind[topo_arc_to(g, rt->arc[i])] == k) return 1;
  return 0;
}

static void mpft_build_cross_plane_uses_nvlink(void **st) {
  (void)st;
  topo_spec s = hosts_spec(TOPO_MPFT, 2, 8);
  topo_graph *g = build_or_fail(&s);
  topo_router *r = topo_router_new(g, 0);
  uint32_t gpus = 8;
  for (uint32_t a = 0; a < g->n_endpoints; a++)
    for (uint32_t b = 0; b < g->n_endpoints; b++) {
      uint32_t na = g->endpoint_node[a], nb = g->endpoint_node[b];
      topo_route rt;
      assert_int_equal(topo_route_one(r, TOPO_ROUTING_ECMP, a, b, a * 131u + b, &rt), 0);
      assert_route_valid(g, &rt, a, b);
      if (a == b) continue;
      if (g->host[na] == g->host[nb]) {   /* same host: NVLink only */
        assert_int_equal(rt.n, 2);
        assert_int_equal(topo_switch_hops(r, a, b), 0);
      } else if (g->plane[na] != g->plane[nb]) {
        /* other plane: GPU -> NVSwitch -> the source host's GPU with the destination's index */
        assert_int_equal(g->kind[topo_arc_to(g, rt.arc[0])], TOPO_NVSWITCH);
        uint32_t proxy = topo_arc_to(g, rt.arc[1]);
        assert_int_equal(proxy, g->endpoint_node[a - a % gpus + b % gpus]);
        assert_int_equal(g->plane[proxy], g->plane[nb]);
        assert_int_equal(g->kind[topo_arc_to(g, rt.arc[2])], TOPO_PCIE_SWITCH);
        assert_int_equal(g->kind[topo_arc_to(g, rt.arc[3])], TOPO_NIC);
      } else {                             /* same plane: straight out of its own NIC */
        assert_false(route_visits_kind(g, &rt, TOPO_NVSWITCH));
        assert_int_equal(g->plane[topo_arc_to(g, rt.arc[1])], g->plane[na]);
      }
      int hops = topo_switch_hops(r, a, b);
      assert_true(hops == 0 || hops == 2);
      assert_int_equal((int)switch_arcs(g, &rt), hops);
    }
  for (uint32_t b = 0; b < g->n_endpoints; b += 3) check_all_policies(g, r, 0, b);
  assert_static_shifts_share_no_cable(g, r);
  topo_router_free(r);
  topo_free(g);
}

static void mrft_build_cross_rail_goes_to_the_spines(void **st) {
  (void)st;
  topo_spec s = hosts_spec(TOPO_MRFT, 0, 16);
  topo_graph *g = build_or_fail(&s);
  topo_router *r = topo_router_new(g, 0);
  for (uint32_t a = 0; a < g->n_endpoints; a++)
    for (uint32_t b = 0; b < g->n_endpoints; b++) {
      uint32_t na = g->endpoint_node[a], nb = g->endpoint_node[b];
      topo_route rt;
      assert_int_equal(topo_route_one(r, TOPO_ROUTING_STATIC, a, b, 0, &rt), 0);
      assert_route_valid(g, &rt, a, b);
      if (a == b || g->host[na] == g->host[nb]) continue;
      assert_false(route_visits_kind(g, &rt, TOPO_NVSWITCH));
      /* leaves its own NIC (rail of the GPU) */
      uint32_t nic = topo_arc_to(g, rt.arc[1]);
      assert_int_equal(g->kind[nic], TOPO_NIC);
      assert_int_equal(g->plane[nic], g->plane[na]);
      if (g->plane[na] != g->plane[nb]) assert_int_equal(topo_switch_hops(r, a, b), 2);
    }
  for (uint32_t b = 0; b < g->n_endpoints; b += 3) check_all_policies(g, r, 5, b);
  assert_static_shifts_share_no_cable(g, r);
  topo_router_free(r);
  topo_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(ft2_counts_hops_and_routes),
    cmocka_unit_test(parallel_links_are_distinct_routes),
    cmocka_unit_test(static_dmodk_avoids_the_collisions_of_ecmp),
    cmocka_unit_test(adaptive_returns_min_of_max_and_count),
    cmocka_unit_test(small_cache_gives_the_same_answers),
    cmocka_unit_test(router_graph_counts_and_static),
    cmocka_unit_test(ugal_nonminimal_go_through_an_intermediate),
    cmocka_unit_test(bad_and_unreachable_endpoints_fail),
    cmocka_unit_test(mrft_gpu_uses_its_own_rail),
    cmocka_unit_test(mpft_cross_plane_goes_over_nvlink_first),
    cmocka_unit_test(ft3_k8_path_counts),
    cmocka_unit_test(slimfly_q5_diameter_two),
    cmocka_unit_test(dragonfly_small_hops_and_counts),
    cmocka_unit_test(mpft_build_cross_plane_uses_nvlink),
    cmocka_unit_test(mrft_build_cross_rail_goes_to_the_spines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
