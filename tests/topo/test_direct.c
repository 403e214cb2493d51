/* test_direct.c: the direct (router-to-router) families: Slim Fly (topo_sf.c, with GF(q) from
 * topo_gf.c) and dragonfly (topo_df.c). Structural facts are checked on real builds: counts equal
 * the formulas, degrees, radix, connectivity, diameters by BFS from every router, every global port
 * paired once, arrangements as documented, and the cable formulas against topo_cables_of() of a
 * build. The paper's Table 3 sizes (SF q=28 formula_only; DF p=16 a=32 h=16 g=511) are checked
 * exactly, the dragonfly also built and timed. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "topo.h"
#include "topo_gf.h"

/* A failed check prints what was expected and where, then fails the test. */
#define CHECK(cond, ...)                                                           \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      print_error(__VA_ARGS__);                                                    \
      print_error("\n  failed: %s  (%s:%d)\n", #cond, __FILE__, __LINE__);         \
      fail();                                                                      \
    }                                                                              \
  } while (0)

#define U(x) ((unsigned long long)(x))

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A layout with a mix of electrical and optical inter-cabinet cables. */
static void test_layout(topo_spec *s, int per_row) {
  s->layout.cabinet_pitch_m = 0.6;
  s->layout.row_pitch_m = 2.4;
  s->layout.overhead_m = 2.0;
  s->layout.intra_cabinet_m = 1.25;
  s->layout.electrical_reach_m = 4.0;
  s->layout.cabinets_per_row = per_row;
}

static topo_spec sf_spec(int q, int p, int radix) {
  topo_spec s;
  topo_spec_init(&s);
  s.family = TOPO_SLIMFLY;
  s.sf_q = q;
  s.sf_p = p;
  s.radix = radix;
  test_layout(&s, 0);
  return s;
}

static topo_spec df_spec(int p, int a, int h, int g, topo_df_arrangement arr) {
  topo_spec s;
  topo_spec_init(&s);
  s.family = TOPO_DRAGONFLY;
  s.df_p = p;
  s.df_a = a;
  s.df_h = h;
  s.df_g = g;
  s.df_arrangement = arr;
  s.radix = p + a - 1 + h;
  test_layout(&s, 0);
  return s;
}

/* Switch-to-switch links at v. */
static uint32_t net_degree(const topo_graph *g, uint32_t v) {
  uint32_t n = 0;
  for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++)
    if (g->kind[topo_arc_to(g, g->adj_arc[i])] == TOPO_SWITCH) n++;
  return n;
}

/* Worst switch eccentricity by BFS from every switch; *unreached counts switch pairs not reached. */
static int switch_diameter(const topo_graph *g, uint64_t *unreached) {
  uint8_t *dist = malloc(g->n_nodes);
  uint32_t *queue = malloc(sizeof *queue * g->n_nodes);
  assert_non_null(dist);
  assert_non_null(queue);
  int diam = 0;
  *unreached = 0;
  for (uint32_t s = 0; s < g->n_nodes; s++) {
    if (g->kind[s] != TOPO_SWITCH) continue;
    int ecc = topo_bfs_switches(g, s, dist, queue);
    if (ecc > diam) diam = ecc;
    for (uint32_t v = 0; v < g->n_nodes; v++)
      if (g->kind[v] == TOPO_SWITCH && dist[v] == UINT8_MAX) (*unreached)++;
  }
  free(dist);
  free(queue);
  return diam;
}

static void check_counts_equal(const char *what, const topo_counts *a, const topo_counts *b) {
  CHECK(a->endpoints == b->endpoints && a->switches == b->switches && a->switch_links == b->switch_links &&
            a->endpoint_links == b->endpoint_links && a->max_ports_used == b->max_ports_used,
        "%s: formula counts (endpoints %llu, switches %llu, switch links %llu, endpoint links %llu, ports %d) != "
        "build counts (%llu, %llu, %llu, %llu, %d)",
        what, U(a->endpoints), U(a->switches), U(a->switch_links), U(a->endpoint_links), a->max_ports_used,
        U(b->endpoints), U(b->switches), U(b->switch_links), U(b->endpoint_links), b->max_ports_used);
}

/* Counts of what the graph really holds. */
static topo_counts counts_of_graph(const topo_graph *g) {
  topo_counts c;
  memset(&c, 0, sizeof c);
  for (uint32_t v = 0; v < g->n_nodes; v++) {
    if (g->kind[v] == TOPO_SWITCH) {
      c.switches++;
      int used = (int)topo_degree(g, v);
      if (used > c.max_ports_used) c.max_ports_used = used;
    }
    if (g->kind[v] == TOPO_ENDPOINT) c.endpoints++;
  }
  for (uint32_t l = 0; l < g->n_links; l++) {
    int sa = g->kind[g->link_a[l]] == TOPO_SWITCH, sb = g->kind[g->link_b[l]] == TOPO_SWITCH;
    if (sa && sb) c.switch_links++;
    else c.endpoint_links++;
  }
  return c;
}

static void check_cables_match(const char *what, const topo_spec *s, const topo_graph *g) {
  topo_cables built, formula;
  char err[256] = "";
  topo_cables_of(g, &built);
  int rc = topo_cables_formula(s, &formula, err, sizeof err);
  CHECK(rc == 0, "%s: topo_cables_formula failed: %s", what, err);
  for (int k = 0; k < 2; k++)
    for (int m = 0; m < TOPO_MEDIUM_COUNT; m++) {
      CHECK(built.n[k][m] == formula.n[k][m], "%s: %s %s cables: build %llu, formula %llu", what,
            k ? "endpoint" : "switch", topo_medium_name((topo_medium)m), U(built.n[k][m]), U(formula.n[k][m]));
      CHECK(fabs(built.m[k][m] - formula.m[k][m]) <= 1e-9 * fabs(built.m[k][m]) + 1e-9,
            "%s: %s %s cable metres: build %.6f, formula %.6f", what, k ? "endpoint" : "switch",
            topo_medium_name((topo_medium)m), built.m[k][m], formula.m[k][m]);
    }
}

/* ---------------- GF(q) ---------------- */

static void gf_fields_satisfy_the_axioms(void **st) {
  (void)st;
  const int qs[] = {2, 3, 4, 5, 7, 8, 9, 16, 25, 27, 32, 49, 81};
  for (size_t n = 0; n < sizeof qs / sizeof qs[0]; n++) {
    int q = qs[n];
    topo__gf F;
    char err[128] = "";
    CHECK(topo__gf_init(&F, q, err, sizeof err) == 0, "GF(%d): init failed: %s", q, err);
    /* xi generates GF(q)*: q-1 distinct nonzero powers. */
    char *seen = calloc((size_t)q, 1);
    for (int k = 0; k < q - 1; k++) {
      int v = topo__gf_pow_xi(&F, k);
      CHECK(v > 0 && v < q && !seen[v], "GF(%d): xi^%d = %d repeats or is zero: xi is not primitive", q, k, v);
      seen[v] = 1;
    }
    free(seen);
    for (int a = 0; a < q; a++) {
      CHECK(topo__gf_add(&F, a, topo__gf_neg(&F, a)) == 0, "GF(%d): %d + (-%d) != 0", q, a, a);
      CHECK(topo__gf_mul(&F, a, 1) == a, "GF(%d): %d * 1 != %d", q, a, a);
      if (a) CHECK(topo__gf_mul(&F, a, topo__gf_pow_xi(&F, -F.log[a])) == 1, "GF(%d): %d has no inverse", q, a);
      for (int b = 0; b < q && q <= 27; b++) {
        CHECK(topo__gf_add(&F, a, b) == topo__gf_add(&F, b, a), "GF(%d): + not commutative at %d, %d", q, a, b);
        CHECK(topo__gf_sub(&F, topo__gf_add(&F, a, b), b) == a, "GF(%d): (%d + %d) - %d != %d", q, a, b, b, a);
        for (int c = 0; c < q; c++) {
          int l = topo__gf_mul(&F, a, topo__gf_add(&F, b, c));
          int r = topo__gf_add(&F, topo__gf_mul(&F, a, b), topo__gf_mul(&F, a, c));
          CHECK(l == r, "GF(%d): %d*(%d+%d) = %d but %d*%d + %d*%d = %d", q, a, b, c, l, a, b, a, c, r);
        }
      }
    }
    /* p * 1 = 0: the characteristic. */
    int acc = 0;
    for (int i = 0; i < F.p; i++) acc = topo__gf_add(&F, acc, 1);
    CHECK(acc == 0, "GF(%d): adding 1 p=%d times gives %d, not 0", q, F.p, acc);
    topo__gf_free(&F);
  }
  topo__gf F;
  char err[128] = "";
  CHECK(topo__gf_init(&F, 12, err, sizeof err) == TOPO_EINVAL && strstr(err, "q=12"),
        "GF(12) must be refused naming q=12; got '%s'", err);
}

/* ---------------- Slim Fly ---------------- */

static void sf_check_one(int q) {
  int d = q % 4 == 1 ? 1 : (q % 4 == 0 ? 0 : -1);
  int k_net = (3 * q - d) / 2, p = k_net / 2, half = (q - d) / 2;
  topo_spec s = sf_spec(q, 0, k_net + p + 1);
  char err[256] = "";
  topo_counts c;
  CHECK(topo_count(&s, &c, err, sizeof err) == 0, "slimfly q=%d: topo_count failed: %s", q, err);
  uint64_t uq = (uint64_t)q;
  CHECK(c.switches == 2 * uq * uq, "slimfly q=%d: %llu routers, want 2q^2 = %llu", q, U(c.switches), U(2 * uq * uq));
  CHECK(c.endpoints == 2 * uq * uq * (uint64_t)p, "slimfly q=%d: %llu endpoints, want 2q^2 p = %llu", q,
        U(c.endpoints), U(2 * uq * uq * (uint64_t)p));
  CHECK(c.switch_links == uq * uq * (uint64_t)k_net, "slimfly q=%d: %llu links, want q^2 k' = %llu", q,
        U(c.switch_links), U(uq * uq * (uint64_t)k_net));

  topo_graph *g = NULL;
  CHECK(topo_build(&s, &g, err, sizeof err) == 0, "slimfly q=%d: build failed: %s", q, err);
  topo_counts b = counts_of_graph(g);
  char what[64];
  snprintf(what, sizeof what, "slimfly q=%d", q);
  check_counts_equal(what, &c, &b);
  CHECK(g->n_endpoints == c.endpoints, "slimfly q=%d: %u registered endpoints, want %llu", q, g->n_endpoints,
        U(c.endpoints));
  CHECK(g->n_cabinets == (uint32_t)q, "slimfly q=%d: %u cabinets, want q", q, g->n_cabinets);

  topo_check ck;
  assert_int_equal(topo_check_graph(g, &ck), 0);
  CHECK(ck.radix_ok, "slimfly q=%d: switch %u uses %u ports > radix %d", q, ck.worst_switch,
        ck.worst_switch == UINT32_MAX ? 0 : topo_degree(g, ck.worst_switch), s.radix);
  CHECK(ck.connected, "slimfly q=%d: %u components", q, ck.components);

  /* Regular: k' network links, (q-d)/2 inside the subgroup (same group field), q to the other half. */
  for (uint32_t v = 0; v < g->n_nodes; v++) {
    if (g->kind[v] != TOPO_SWITCH) continue;
    CHECK(g->cabinet[v] == g->group[v] / 2, "slimfly q=%d: router %u of group 2x+s=%d sits in cabinet %d, want x",
          q, v, g->group[v], g->cabinet[v]);
    uint32_t same = 0, other = 0;
    for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++) {
      uint32_t w = topo_arc_to(g, g->adj_arc[i]);
      if (g->kind[w] != TOPO_SWITCH) continue;
      if (g->group[w] == g->group[v]) same++;
      else {
        other++;
        CHECK((g->group[w] & 1) != (g->group[v] & 1), "slimfly q=%d: router %u (group %d) linked to router %u of "
              "the same half (group %d) outside its subgroup", q, v, g->group[v], w, g->group[w]);
      }
    }
    CHECK(net_degree(g, v) == (uint32_t)k_net, "slimfly q=%d: router %u has %u network links, want k'=(3q-d)/2=%d",
          q, v, net_degree(g, v), k_net);
    CHECK(same == (uint32_t)half && other == (uint32_t)q,
          "slimfly q=%d: router %u has %u subgroup links (want (q-d)/2=%d) and %u to the other half (want q)", q, v,
          same, half, other);
    CHECK(topo_degree(g, v) == (uint32_t)(k_net + p), "slimfly q=%d: router %u uses %u ports, want k'+p=%d", q, v,
          topo_degree(g, v), k_net + p);
  }
  uint64_t unreached = 0;
  int diam = switch_diameter(g, &unreached);
  CHECK(unreached == 0, "slimfly q=%d: %llu router pairs unreachable", q, U(unreached));
  CHECK(diam == 2, "slimfly q=%d (d=%d): router diameter %d, want 2", q, d, diam);
  check_cables_match(what, &s, g);
  /* Another floor plan: 3 cabinets per row. */
  topo_free(g);
  test_layout(&s, 3);
  CHECK(topo_build(&s, &g, err, sizeof err) == 0, "slimfly q=%d: build failed: %s", q, err);
  check_cables_match(what, &s, g);
  topo_free(g);
}

static void sf_small_fields_are_regular_with_diameter_two(void **st) {
  (void)st;
  /* d = -1: 3, 7, 11, 19, 23, 27; d = 0: 4, 8, 16; d = 1: 5, 9, 13, 17, 25. Prime powers 4 8 9 16 25 27. */
  const int qs[] = {3, 4, 5, 7, 8, 9, 11, 13, 16, 17, 19, 23, 25, 27};
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) sf_check_one(qs[i]);
}

static void sf_concentration_and_radix(void **st) {
  (void)st;
  char err[256] = "";
  topo_counts c;
  topo_spec s = sf_spec(5, 4, 11);   /* k' = 7, p = 4 */
  CHECK(topo_count(&s, &c, err, sizeof err) == 0, "slimfly q=5 p=4: %s", err);
  CHECK(c.endpoints == 200 && c.max_ports_used == 11 && c.switch_radix == 11,
        "slimfly q=5 p=4: endpoints %llu (want 200), ports used %d (want 11), radix %d (want 11)", U(c.endpoints),
        c.max_ports_used, c.switch_radix);
  s.radix = 10;
  int rc = topo_count(&s, &c, err, sizeof err);
  CHECK(rc == TOPO_EINVAL && strstr(err, "radix: 10") && strstr(err, "11"),
        "slimfly q=5 p=4 radix=10 must be refused naming radix=10 and the 11 ports needed; rc=%d '%s'", rc, err);
  topo_graph *g = NULL;
  rc = topo_build(&s, &g, err, sizeof err);
  CHECK(rc == TOPO_EINVAL && g == NULL, "slimfly radix too small: build must fail too (rc=%d)", rc);
  s = sf_spec(5, -1, 64);
  rc = topo_count(&s, &c, err, sizeof err);
  CHECK(rc == TOPO_EINVAL && strstr(err, "slimfly.p: -1"), "slimfly sf_p=-1 must be refused naming it; '%s'", err);
  s = sf_spec(5, 0, 64);
  s.node.gpus = 8;
  rc = topo_count(&s, &c, err, sizeof err);
  CHECK(rc == TOPO_EINVAL && strstr(err, "node.gpus: 8"), "slimfly with node.gpus=8 must be refused; '%s'", err);
}

static void sf_bad_q_is_refused_with_the_allowed_forms(void **st) {
  (void)st;
  const int bad[] = {-5, 0, 1, 2, 6, 10, 14, 30};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    for (int fo = 0; fo < 2; fo++) {
      topo_spec s = sf_spec(bad[i], 0, 255);
      s.formula_only = fo;
      char err[256] = "", want[32];
      topo_counts c;
      snprintf(want, sizeof want, "slimfly.q: %d", bad[i]);
      int rc = topo_count(&s, &c, err, sizeof err);
      CHECK(rc == TOPO_EINVAL && strstr(err, want) && strstr(err, "4w+d"),
            "slimfly q=%d (formula_only=%d) must be refused naming %s and the form 4w+d; rc=%d '%s'", bad[i], fo,
            want, rc, err);
    }
  }
  /* Right form, not a prime power: counts need formula_only, and say so. */
  const int npp[] = {12, 15, 20, 21, 24, 28, 33};
  for (size_t i = 0; i < sizeof npp / sizeof npp[0]; i++) {
    topo_spec s = sf_spec(npp[i], 0, 255);
    char err[256] = "", want[32];
    topo_counts c;
    snprintf(want, sizeof want, "slimfly.q: %d", npp[i]);
    int rc = topo_count(&s, &c, err, sizeof err);
    CHECK(rc == TOPO_EINVAL && strstr(err, want) && strstr(err, "prime power") && strstr(err, "formula_only"),
          "slimfly q=%d without formula_only must be refused naming q, prime power and formula_only; '%s'", npp[i],
          err);
    topo_graph *g = NULL;
    rc = topo_build(&s, &g, err, sizeof err);
    CHECK(rc == TOPO_EINVAL && !g, "slimfly q=%d: build must be refused too (rc=%d)", npp[i], rc);
    s.formula_only = 1;
    rc = topo_count(&s, &c, err, sizeof err);
    CHECK(rc == 0, "slimfly q=%d formula_only: counts must work; '%s'", npp[i], err);
  }
}

/* The paper's Table 3 Slim Fly: q = 28 (not a prime power: formula only), 64-port routers. */
static void sf_table3_formula_only_q28(void **st) {
  (void)st;
  topo_spec s = sf_spec(28, 0, 64);
  s.formula_only = 1;
  char err[256] = "";
  topo_counts c;
  CHECK(topo_count(&s, &c, err, sizeof err) == 0, "slimfly q=28 formula_only: %s", err);
  CHECK(c.switches == 1568 && c.endpoints == 32928 && c.switch_links == 32928 && c.max_ports_used == 63,
        "slimfly q=28 (d=0, k'=42, p=21): %llu routers (want 1,568), %llu endpoints (want 32,928), %llu links "
        "(want 32,928), %d ports (want 63)",
        U(c.switches), U(c.endpoints), U(c.switch_links), c.max_ports_used);
  topo_graph *g = NULL;
  int rc = topo_build(&s, &g, err, sizeof err);
  CHECK(rc == TOPO_ENOGRAPH && g == NULL, "slimfly q=28 formula_only: build must return TOPO_ENOGRAPH, got %d", rc);
  topo_cables cab;
  rc = topo_cables_formula(&s, &cab, err, sizeof err);
  CHECK(rc == 0, "slimfly q=28 formula_only: cables formula failed: %s", err);
  uint64_t sw = cab.n[0][0] + cab.n[0][1], ep = cab.n[1][0] + cab.n[1][1];
  CHECK(sw == 32928 && ep == 32928, "slimfly q=28: cables %llu switch + %llu endpoint, want 32,928 each", U(sw),
        U(ep));
  /* 28 cabinets: 28 x 28 x 15 links inside, 2 x 28 between each of the 378 pairs. */
  CHECK(cab.n[0][TOPO_ELECTRICAL] >= 28 * 28 * 15, "slimfly q=28: %llu electrical switch cables < the 11,760 inside "
        "cabinets", U(cab.n[0][TOPO_ELECTRICAL]));
  print_message("slimfly q=28 (formula_only): 1,568 routers, 32,928 endpoints, 32,928 links; cables: %llu electrical "
                "(%.0f m), %llu optical (%.0f m)\n",
                U(cab.n[0][0] + cab.n[1][0]), cab.m[0][0] + cab.m[1][0], U(cab.n[0][1] + cab.n[1][1]),
                cab.m[0][1] + cab.m[1][1]);
  /* Same formula for a prime power q = 29 (d = 1) vs. 28: counts grow as the formula says. */
  s.sf_q = 29;
  s.radix = 64;
  CHECK(topo_count(&s, &c, err, sizeof err) == 0, "slimfly q=29: %s", err);
  CHECK(c.switches == 2 * 29 * 29 && c.max_ports_used == 43 + 21, "slimfly q=29: %llu routers, %d ports",
        U(c.switches), c.max_ports_used);
}

/* ---------------- dragonfly ---------------- */

typedef struct df_case {
  int p, a, h, g;
  int diameter;   /* expected router diameter; 0: only <= 3 */
} df_case;

static void df_check_one(const df_case *dc, topo_df_arrangement arr) {
  topo_spec s = df_spec(dc->p, dc->a, dc->h, dc->g, arr);
  int a = dc->a, h = dc->h, G = dc->g, L = a * h, N = G - 1, base = L / N, rem = L % N;
  int odd = (L * G) % 2;
  char what[128], err[256] = "";
  snprintf(what, sizeof what, "dragonfly p=%d a=%d h=%d g=%d %s", dc->p, a, h, G, topo_df_arrangement_name(arr));
  topo_counts c;
  CHECK(topo_count(&s, &c, err, sizeof err) == 0, "%s: topo_count failed: %s", what, err);
  uint64_t global = (uint64_t)L * (uint64_t)G / 2;
  CHECK(c.switches == (uint64_t)(a * G) && c.endpoints == (uint64_t)(a * G * dc->p) &&
            c.switch_links == (uint64_t)(G * a * (a - 1) / 2) + global,
        "%s: counts %llu routers, %llu endpoints, %llu links; want %d, %d, %llu", what, U(c.switches),
        U(c.endpoints), U(c.switch_links), a * G, a * G * dc->p, U((uint64_t)(G * a * (a - 1) / 2) + global));
  topo_graph *g = NULL;
  CHECK(topo_build(&s, &g, err, sizeof err) == 0, "%s: build failed: %s", what, err);
  topo_counts b = counts_of_graph(g);
  check_counts_equal(what, &c, &b);
  CHECK(g->n_cabinets == (uint32_t)G, "%s: %u cabinets, want one per group (%d)", what, g->n_cabinets, G);

  topo_check ck;
  assert_int_equal(topo_check_graph(g, &ck), 0);
  CHECK(ck.radix_ok, "%s: switch %u over radix %d", what, ck.worst_switch, s.radix);
  CHECK(ck.connected, "%s: %u components", what, ck.components);

  /* Ports: p endpoints, a-1 distinct local neighbours, h global (one router has h-1 when a h g is odd). */
  uint32_t *pair = calloc((size_t)G * (size_t)G, sizeof *pair);
  uint32_t *mark = calloc(g->n_nodes, sizeof *mark);
  assert_non_null(pair);
  assert_non_null(mark);
  int short_routers = 0;
  for (uint32_t v = 0; v < g->n_nodes; v++) {
    if (g->kind[v] != TOPO_SWITCH) continue;
    int ep = 0, local = 0, glob = 0;
    for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++) {
      uint32_t w = topo_arc_to(g, g->adj_arc[i]);
      if (g->kind[w] != TOPO_SWITCH) {
        ep++;
        continue;
      }
      if (g->group[w] == g->group[v]) {
        local++;
        CHECK(mark[w] != v + 1, "%s: routers %u and %u of group %d joined twice locally", what, v, w, g->group[v]);
        mark[w] = v + 1;
      } else {
        glob++;
        pair[(size_t)g->group[v] * (size_t)G + (size_t)g->group[w]]++;
      }
    }
    CHECK(ep == dc->p && local == a - 1, "%s: router %u has %d endpoints (want %d) and %d local links (want %d)",
          what, v, ep, dc->p, local, a - 1);
    CHECK(glob == h || (odd && glob == h - 1), "%s: router %u has %d global links, want h=%d", what, v, glob, h);
    if (glob == h - 1) {
      short_routers++;
      /* Documented: the last port of group (g+1)/2, i.e. its last router. */
      CHECK(v == (uint32_t)(((G + 1) / 2) * a + a - 1), "%s: router %u has the unused global port; the last router "
            "of group (g+1)/2 = %d (node %d) should", what, v, (G + 1) / 2, ((G + 1) / 2) * a + a - 1);
    }
  }
  CHECK(short_routers == odd, "%s: %d routers with an unused global port; want %d (a*h*g = %d is %s)", what,
        short_routers, odd, L * G, odd ? "odd" : "even");
  /* Pairs of groups: base or base+1 links, symmetric; exactly base when N divides a h. */
  for (int i = 0; i < G; i++) {
    uint32_t tot = 0;
    for (int t = 0; t < G; t++) {
      uint32_t n = pair[(size_t)i * (size_t)G + (size_t)t];
      tot += n;
      if (t == i) continue;
      CHECK(n == pair[(size_t)t * (size_t)G + (size_t)i], "%s: groups %d->%d see %u links, %d->%d see %u", what, i,
            t, n, t, i, pair[(size_t)t * (size_t)G + (size_t)i]);
      CHECK(n == (uint32_t)base || (rem && n == (uint32_t)base + 1),
            "%s: groups %d and %d joined by %u global links, want %d%s", what, i, t, n, base,
            rem ? " or one more" : " (every pair alike: g-1 divides a*h)");
    }
    CHECK(tot == (uint32_t)L || (odd && tot == (uint32_t)L - 1), "%s: group %d uses %u global ports of %d", what, i,
          tot, L);
  }
  /* The arrangement: with g = a h + 1, router r of group i reaches the groups its ports name. */
  if (G == L + 1) {
    for (int i = 0; i < G; i++)
      for (int r = 0; r < a; r++) {
        uint32_t v = (uint32_t)(i * a + r);
        for (uint32_t k = g->adj_off[v]; k < g->adj_off[v + 1]; k++) {
          uint32_t w = topo_arc_to(g, g->adj_arc[k]);
          if (g->kind[w] != TOPO_SWITCH || g->group[w] == i) continue;
          int t = g->group[w], j, ok = 0;
          for (j = r * h; j < (r + 1) * h && !ok; j++) {
            int want;
            if (arr == TOPO_DF_ABSOLUTE) want = j < i ? j : j + 1;
            else if (arr == TOPO_DF_RELATIVE) want = (i + j + 1) % G;
            else {
              int off = (j & 1) ? G - (j / 2 + 1) : j / 2 + 1;
              want = (i + off) % G;
            }
            ok = want == t;
          }
          CHECK(ok, "%s: router %d of group %d links to group %d, which none of its ports %d..%d names", what, r, i,
                t, r * h, (r + 1) * h - 1);
          if (arr == TOPO_DF_CIRCULANT && h % 2 == 0)
            CHECK((int)w - t * a == r, "%s: circulant, h even: router %d of group %d links to router %d of group %d",
                  what, r, i, (int)w - t * a, t);
        }
      }
  }
  free(pair);
  free(mark);

  uint64_t unreached = 0;
  int diam = switch_diameter(g, &unreached);
  CHECK(unreached == 0, "%s: %llu router pairs unreachable", what, U(unreached));
  CHECK(diam <= 3, "%s: router diameter %d; every pair of groups is linked, so local-global-local = 3 at most", what,
        diam);
  if (dc->diameter) CHECK(diam == dc->diameter, "%s: router diameter %d, want %d", what, diam, dc->diameter);
  check_cables_match(what, &s, g);
  topo_free(g);
}

static void df_sizes_and_arrangements(void **st) {
  (void)st;
  const df_case cases[] = {
      {2, 4, 2, 9, 3},     /* g = a h + 1 */
      {4, 8, 4, 33, 3},    /* g = a h + 1 */
      {1, 4, 2, 5, 3},     /* a h = 8 over 4 other groups: 2 links per pair */
      {2, 4, 3, 6, 3},     /* 12 ports over 5: base 2, rem 2 */
      {1, 3, 3, 6, 3},     /* 9 over 5: base 1, rem 4 */
      {1, 3, 3, 7, 3},     /* 9 over 6: rem 3, g odd: a h g = 63 odd, one port unused */
      {1, 4, 2, 6, 3},     /* 8 over 5: rem 3, g even: the g/2 offset */
      {1, 7, 1, 4, 3},     /* 7 over 3: rem 1, g even */
      {1, 5, 3, 12, 3},    /* 15 over 11: rem 4 */
      {2, 3, 5, 10, 3},    /* 15 over 9: rem 6 */
      {1, 5, 1, 5, 3},     /* 5 over 4: rem 1, g odd: one port unused */
      {1, 2, 2, 2, 2},     /* two groups: every global port to the other group */
      {1, 1, 4, 5, 1},     /* one router per group: the global links alone, a complete graph */
      {3, 6, 3, 19, 3},    /* h odd, g = a h + 1 */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    for (int arr = 0; arr < TOPO_DF_ARR_COUNT; arr++) df_check_one(&cases[i], (topo_df_arrangement)arr);
}

static void df_counts_scale(void **st) {
  (void)st;
  char err[256] = "";
  topo_counts c1, c2;
  topo_spec s = df_spec(2, 4, 2, 9, TOPO_DF_ABSOLUTE);
  assert_int_equal(topo_count(&s, &c1, err, sizeof err), 0);
  s.df_a = 8;   /* g = 9 <= 8*2+1 still */
  s.radix = 2 + 7 + 2;
  assert_int_equal(topo_count(&s, &c2, err, sizeof err), 0);
  CHECK(c2.switches == 2 * c1.switches && c2.endpoints == 2 * c1.endpoints,
        "dragonfly: doubling a from 4 to 8 must double routers (%llu -> %llu) and endpoints (%llu -> %llu)",
        U(c1.switches), U(c2.switches), U(c1.endpoints), U(c2.endpoints));
  /* local links a(a-1)/2 per group: 6 -> 28; global links a h g / 2: 36 -> 72. */
  CHECK(c1.switch_links == 9 * 6 + 36 && c2.switch_links == 9 * 28 + 72,
        "dragonfly: links %llu (want 90) and %llu (want 324)", U(c1.switch_links), U(c2.switch_links));
  s = df_spec(2, 4, 2, 9, TOPO_DF_ABSOLUTE);
  s.df_p = 4;
  s.radix += 2;
  assert_int_equal(topo_count(&s, &c2, err, sizeof err), 0);
  CHECK(c2.endpoints == 2 * c1.endpoints && c2.switches == c1.switches && c2.switch_links == c1.switch_links,
        "dragonfly: doubling p doubles endpoints only (%llu -> %llu endpoints)", U(c1.endpoints), U(c2.endpoints));
  s = df_spec(2, 4, 2, 5, TOPO_DF_ABSOLUTE);   /* half the groups (fewer than a h + 1) */
  assert_int_equal(topo_count(&s, &c2, err, sizeof err), 0);
  CHECK(c2.switches == 20 && c2.switch_links == 5 * 6 + 20, "dragonfly g=5: %llu routers (want 20), %llu links "
        "(want 50)", U(c2.switches), U(c2.switch_links));
}

static void df_bad_specs_are_refused(void **st) {
  (void)st;
  struct {
    int p, a, h, g, radix, arr;
    const char *want;
  } bad[] = {
      {2, 4, 2, 1, 0, 0, "dragonfly.g: 1"},  {2, 4, 2, 10, 0, 0, "dragonfly.g: 10"}, {2, 4, 2, 0, 0, 0, "a*h+1 = 9"},
      {0, 4, 2, 9, 0, 0, "dragonfly.p: 0"},  {2, 0, 2, 9, 0, 0, "dragonfly.a: 0"},   {2, 4, 0, 9, 0, 0, "dragonfly.h: 0"},
      {2, 4, 2, 9, 6, 0, "radix: 6"}, {2, 4, 2, 9, 0, 7, "dragonfly.arrangement: 7"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    topo_spec s = df_spec(bad[i].p, bad[i].a, bad[i].h, bad[i].g, (topo_df_arrangement)bad[i].arr);
    if (bad[i].radix) s.radix = bad[i].radix;
    if (s.radix < 1) s.radix = 16;
    char err[256] = "";
    topo_counts c;
    int rc = topo_count(&s, &c, err, sizeof err);
    CHECK(rc == TOPO_EINVAL && strstr(err, bad[i].want), "dragonfly case %zu must be refused with '%s'; rc=%d '%s'", i,
          bad[i].want, rc, err);
    topo_graph *g = NULL;
    rc = topo_build(&s, &g, err, sizeof err);
    CHECK(rc == TOPO_EINVAL && !g, "dragonfly case %zu: build must be refused too (rc=%d)", i, rc);
  }
  topo_spec s = df_spec(2, 4, 2, 9, TOPO_DF_ABSOLUTE);
  s.radix = 8;   /* needs 2 + 3 + 2 = 7: fine */
  topo_counts c;
  char err[256] = "";
  CHECK(topo_count(&s, &c, err, sizeof err) == 0 && c.switch_radix == 8 && c.max_ports_used == 7,
        "dragonfly radix 8 for 7 ports: rc ok, radix 8 kept, 7 used; got %d/%d (%s)", c.switch_radix,
        c.max_ports_used, err);
}

/* The paper's Table 3 dragonfly: 64-port routers, p = 16, a = 32, h = 16, g = 511 (< a h + 1 = 513: 512
 * global ports per group over 510 other groups, so base 1 and 2 extra links per group). */
static void df_table3_count_and_build(void **st) {
  (void)st;
  topo_spec s = df_spec(16, 32, 16, 511, TOPO_DF_ABSOLUTE);
  s.radix = 64;
  char err[256] = "";
  topo_counts c;
  CHECK(topo_count(&s, &c, err, sizeof err) == 0, "dragonfly Table 3: %s", err);
  CHECK(c.endpoints == 261632 && c.switches == 16352 && c.switch_links == 384272 && c.max_ports_used == 63,
        "dragonfly Table 3: %llu endpoints (want 261,632), %llu switches (want 16,352), %llu links (want 384,272), "
        "%d ports (want 63)",
        U(c.endpoints), U(c.switches), U(c.switch_links), c.max_ports_used);
  for (int arr = 0; arr < TOPO_DF_ARR_COUNT; arr++) {
    s.df_arrangement = (topo_df_arrangement)arr;
    topo_graph *g = NULL;
    double t0 = now_s();
    int rc = topo_build(&s, &g, err, sizeof err);
    double dt = now_s() - t0;
    CHECK(rc == 0, "dragonfly Table 3 (%s): build failed: %s", topo_df_arrangement_name(s.df_arrangement), err);
    print_message("dragonfly Table 3 (%s): built %u endpoints, %u routers, %u links in %.3f s; graph %.1f MB "
                  "(topo_memory_bytes %zu)\n",
                  topo_df_arrangement_name(s.df_arrangement), g->n_endpoints, (unsigned)c.switches, g->n_links, dt,
                  (double)topo_memory_bytes(g) / 1e6, topo_memory_bytes(g));
    CHECK(dt < 5.0, "dragonfly Table 3: build took %.2f s, want < 5 s", dt);
    topo_counts b = counts_of_graph(g);
    check_counts_equal("dragonfly Table 3", &c, &b);
    CHECK(g->n_endpoints == 261632, "dragonfly Table 3: %u endpoints registered", g->n_endpoints);
    topo_check ck;
    assert_int_equal(topo_check_graph(g, &ck), 0);
    CHECK(ck.radix_ok && ck.connected, "dragonfly Table 3: radix_ok %d, components %u", ck.radix_ok, ck.components);
    for (uint32_t v = 0; v < g->n_nodes; v++)
      if (g->kind[v] == TOPO_SWITCH)
        CHECK(topo_degree(g, v) == 63, "dragonfly Table 3: router %u uses %u ports, want 16+31+16 = 63", v,
              topo_degree(g, v));
    /* Routers of a few groups: eccentricity 3 (local-global-local). */
    uint8_t *dist = malloc(g->n_nodes);
    uint32_t *queue = malloc(sizeof *queue * g->n_nodes);
    const uint32_t src[] = {0, 31, 8176, 16351};
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++) {
      int ecc = topo_bfs_switches(g, src[i], dist, queue);
      CHECK(ecc == 3, "dragonfly Table 3: router %u has eccentricity %d, want 3", src[i], ecc);
    }
    free(dist);
    free(queue);
    if (arr == 0) check_cables_match("dragonfly Table 3", &s, g);
    topo_free(g);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(gf_fields_satisfy_the_axioms),
      cmocka_unit_test(sf_small_fields_are_regular_with_diameter_two),
      cmocka_unit_test(sf_concentration_and_radix),
      cmocka_unit_test(sf_bad_q_is_refused_with_the_allowed_forms),
      cmocka_unit_test(sf_table3_formula_only_q28),
      cmocka_unit_test(df_sizes_and_arrangements),
      cmocka_unit_test(df_counts_scale),
      cmocka_unit_test(df_bad_specs_are_refused),
      cmocka_unit_test(df_table3_count_and_build),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
