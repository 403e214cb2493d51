/* topo_sf.c: Slim Fly (Besta & Hoefler, SC14): the McKay-Miller-Siran (MMS) graph of a prime power q.
 *
 * Routers (s, x, y), s in {0, 1}, x, y in GF(q): 2q^2 routers. Write q = 4w + d, d in {-1, 0, 1}, let
 * xi be a primitive element (topo_gf.h) and build the generator sets from powers of xi:
 *   d =  1: X = {xi^0, xi^2, ..., xi^(q-3)}                       X' = {xi^1, xi^3, ..., xi^(q-2)}
 *   d =  0: X = {xi^0, xi^2, ..., xi^(q-2)}                       X' = {xi^1, xi^3, ..., xi^(q-1)}
 *   d = -1: X = {xi^0, xi^2, ..., xi^(2w-2)} u {xi^(2w-1), xi^(2w+1), ..., xi^(4w-3)}
 *           X' = {xi^1, xi^3, ..., xi^(2w-1)} u {xi^(2w), xi^(2w+2), ..., xi^(4w-2)}
 * Each set has (q - d)/2 elements. Edges:
 *   (0,x,y) ~ (0,x,y')  iff  y - y' in X         (subgroup (0,x,*): (q-d)/2 links per router)
 *   (1,m,c) ~ (1,m,c')  iff  c - c' in X'        (subgroup (1,m,*): (q-d)/2 links per router)
 *   (0,x,y) ~ (1,m,c)   iff  y = m x + c         (q links per router: one per m, resp. per x)
 * so every router has network radix k' = (q-d)/2 + q = (3q - d)/2.
 *
 * Why the diameter is 2 (the builder asserts the set conditions; tests/topo/test_direct.c BFSes):
 *   (0,x,y), (0,x',y') with x != x' share exactly one neighbour (1,m,c): m = (y-y')/(x-x');
 *   likewise (1,m,c), (1,m',c') with m != m' through (0,x,y), x = (c'-c)/(m-m');
 *   (0,x,y) and (1,m,c) not adjacent, t = y - (m x + c) != 0: the path through (0,x,mx+c) needs t in X,
 *   the one through (1,m,y-mx) needs -t in X'; so X u X' must cover GF(q)* (X' = -X');
 *   (0,x,y), (0,x,y'): through the subgroup, so X u (X + X) must cover GF(q)* (and the same for X').
 * The sets are symmetric (X = -X: -1 = xi^((q-1)/2) shifts the exponents within the set; in
 * characteristic 2, -1 = 1), so the relations are undirected.
 *
 * Ids: router (s,x,y) is node (2x + s) q + y (so cabinet-major), y numbered by the element encoding
 * of topo_gf.h; the endpoints follow, p per router in router order (endpoint e hangs off router e / p).
 * Ports (link order): the p endpoint links, then the subgroup links, then the links to the other half.
 *
 * Layout (SC14's cabinets): cabinet x holds the subgroups (0,x,*) and (1,x,*) and their endpoints;
 * the group field is 2x + s. Per cabinet that keeps 2 q w subgroup links plus the q links
 * (0,x,*)-(1,x,*) (m = x) inside, and any two cabinets x != m are joined by exactly 2q links
 * ((0,x,*)-(1,m,*) and (0,m,*)-(1,x,*), one per c each): topo_cables_formula() needs no field
 * arithmetic, which is what lets formula_only specs (any q = 4w + d, e.g. q = 28) be costed.
 *
 * Cost: the build is O(q^3) links and O(q) field-table memory beyond the graph.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "topo_gf.h"
#include "topo_int.h"

typedef struct sf_dims {
  int q, d, w;
  int k_net;   /* network radix k' = (3q - d)/2 */
  int half;    /* |X| = |X'| = (q - d)/2 */
  int p;       /* endpoints per router */
} sf_dims;

static int sf_dims_of(const topo_spec *s, sf_dims *o, char *err, size_t errlen) {
  memset(o, 0, sizeof *o);
  int q = s->sf_q;
  if (s->node.gpus != 0)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "node.gpus: %d: the Slim Fly builder attaches bare endpoints only (node.gpus must be 0)",
                      s->node.gpus);
  if (q < 3 || q % 4 == 2)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "slimfly.q: %d: q must be 4w+d with w >= 1 and d in {-1, 0, 1}, i.e. q >= 3 and q mod 4 "
                      "in {0, 1, 3} (e.g. 5, 7, 8, 9, 11, 13; q = 4w+2 has no MMS graph)",
                      q);
  int d = q % 4 == 1 ? 1 : (q % 4 == 0 ? 0 : -1);
  if (!s->formula_only && !topo__is_prime_power(q, NULL, NULL))
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "slimfly.q: %d: not a prime power: the MMS graph needs GF(q), so q must be a prime power "
                      "(e.g. 5, 7, 8, 9, 11, 13, 16, 17, 19, 23, 25, 27); or set slimfly.formula_only for counts and cost only",
                      q);
  long long k_net = (3LL * q - d) / 2;
  if (s->sf_p < 0)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "slimfly.p: %d: endpoints per router must be >= 0 (0: floor(k'/2) = %lld for q=%d)", s->sf_p,
                      k_net / 2, q);
  long long p = s->sf_p ? s->sf_p : k_net / 2;
  if (s->radix < 1 || s->radix > 65535)
    return topo__check_radix(s, 1, 0, err, errlen);
  if (k_net + p > s->radix)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "radix: %d: too small for slimfly.q = %d: a router needs k'=(3q-d)/2=%lld network ports + p=%lld "
                      "endpoint ports = %lld",
                      s->radix, q, k_net, p, k_net + p);
  o->q = q;
  o->d = d;
  o->w = (q - d) / 4;
  o->k_net = (int)k_net;
  o->half = (q - d) / 2;
  o->p = (int)p;
  return 0;
}

static int sf_count(const topo_spec *s, topo_counts *c, char *err, size_t errlen) {
  sf_dims D;
  int rc = sf_dims_of(s, &D, err, errlen);
  if (rc < 0) return rc;
  uint64_t q = (uint64_t)D.q;
  uint64_t routers = 2 * q * q;
  c->switches = routers;
  c->endpoints = routers * (uint64_t)D.p;
  /* 2q^2 routers x (q-d)/2 subgroup links / 2 ends, plus q^3 links y = m x + c (one per x, m, c). */
  c->switch_links = q * q * (uint64_t)D.half + q * q * q;
  c->endpoint_links = c->endpoints;
  c->planes = 1;
  c->switch_radix = s->radix;
  c->max_ports_used = D.k_net + D.p;
  return 0;
}

/* Membership of X (in_set[v]) and X' (in_set[q + v]) and the sorted generator lists gens[0..half)
 * (X) and gens[half..2 half) (X'), from the exponent rules in the header comment. */
static void sf_generators(const topo__gf *F, const sf_dims *D, uint8_t *in_set, int *gens) {
  int q = D->q, w = D->w;
  memset(in_set, 0, 2 * (size_t)q);
  for (int set = 0; set < 2; set++) {
    uint8_t *in = in_set + (size_t)set * (size_t)q;
    if (D->d == 1) {
      for (int k = set; k <= q - 3 + set; k += 2) in[topo__gf_pow_xi(F, k)] = 1;
    } else if (D->d == 0) {
      for (int k = set; k <= q - 2 + set; k += 2) in[topo__gf_pow_xi(F, k)] = 1;
    } else if (set == 0) {
      for (int k = 0; k <= 2 * w - 2; k += 2) in[topo__gf_pow_xi(F, k)] = 1;
      for (int k = 2 * w - 1; k <= 4 * w - 3; k += 2) in[topo__gf_pow_xi(F, k)] = 1;
    } else {
      for (int k = 1; k <= 2 * w - 1; k += 2) in[topo__gf_pow_xi(F, k)] = 1;
      for (int k = 2 * w; k <= 4 * w - 2; k += 2) in[topo__gf_pow_xi(F, k)] = 1;
    }
    int n = 0;
    for (int v = 0; v < q; v++)
      if (in[v]) {
        TOPO_ASSERT(n < D->half);
        gens[set * D->half + n++] = v;
      }
    TOPO_ASSERT(n == D->half);   /* the exponents name distinct elements */
    TOPO_ASSERT(!in[0]);
    for (int v = 1; v < q; v++) TOPO_ASSERT(in[v] == in[topo__gf_neg(F, v)]);   /* symmetric */
  }
  for (int v = 1; v < q; v++) TOPO_ASSERT(in_set[v] || in_set[q + v]);   /* X u X' = GF(q)* */
}

static uint32_t sf_router(const sf_dims *D, int s, int x, int y) {
  return (uint32_t)(((2 * x + s) * D->q) + y);
}

static int sf_build(const topo_spec *s, topo_graph *g, char *err, size_t errlen) {
  sf_dims D;
  int rc = sf_dims_of(s, &D, err, errlen);
  if (rc < 0) return rc;
  TOPO_ASSERT(!s->formula_only);   /* topo_build() stops formula_only specs before building */
  topo__gf F;
  rc = topo__gf_init(&F, D.q, err, errlen);
  if (rc < 0) return rc;
  int q = D.q;
  uint8_t *in_set = malloc(2 * (size_t)q);
  int *gens = malloc(sizeof *gens * 2 * (size_t)D.half);
  if (!in_set || !gens) {
    free(in_set);
    free(gens);
    topo__gf_free(&F);
    return topo__fail(err, errlen, TOPO_ENOMEM, "slimfly: out of memory for the generator sets (q=%d)", q);
  }
  sf_generators(&F, &D, in_set, gens);

  uint32_t first = g->n_nodes;
  for (int x = 0; x < q; x++)
    for (int side = 0; side < 2; side++)
      for (int y = 0; y < q; y++) {
        uint32_t v = topo_add_node(g, TOPO_SWITCH, 1, 0, -1, 2 * x + side, x, s->radix);
        TOPO_ASSERT(v == first + sf_router(&D, side, x, y));
      }
  uint32_t n_routers = 2u * (uint32_t)q * (uint32_t)q;
  for (uint32_t r = 0; r < n_routers; r++) {
    uint32_t v = first + r;
    for (int k = 0; k < D.p; k++) {
      uint32_t e = topo_add_node(g, TOPO_ENDPOINT, 0, 0, -1, g->group[v], g->cabinet[v], 0);
      topo_add_endpoint(g, e);
      topo_add_link(g, v, e, &s->fabric);
    }
  }
  /* Subgroup links: each unordered pair {y, y'} once, from the smaller encoding (the sets are symmetric). */
  for (int x = 0; x < q; x++)
    for (int side = 0; side < 2; side++)
      for (int y = 0; y < q; y++)
        for (int i = 0; i < D.half; i++) {
          int y2 = topo__gf_add(&F, y, gens[side * D.half + i]);
          if (y2 > y) topo_add_link(g, first + sf_router(&D, side, x, y), first + sf_router(&D, side, x, y2), &s->fabric);
        }
  /* Links between the halves: (0,x,y) ~ (1,m,c) iff y = m x + c. */
  for (int x = 0; x < q; x++)
    for (int m = 0; m < q; m++) {
      int mx = topo__gf_mul(&F, m, x);
      for (int c = 0; c < q; c++) {
        int y = topo__gf_add(&F, mx, c);
        topo_add_link(g, first + sf_router(&D, 0, x, y), first + sf_router(&D, 1, m, c), &s->fabric);
      }
    }
  uint64_t qq = (uint64_t)q;
  TOPO_ASSERT((uint64_t)g->n_links == qq * qq * (uint64_t)D.half + qq * qq * qq + (uint64_t)n_routers * (uint64_t)D.p);
  free(in_set);
  free(gens);
  topo__gf_free(&F);
  return 0;
}

/* The cables topo_layout_apply() gives a built Slim Fly, from the cabinet rule alone (see the
 * header comment): per cabinet q(2w+1) switch links and 2q p endpoint links inside, and 2q switch
 * links between every pair of cabinets. Lengths are rounded through float as the graph stores them. */
static int sf_cables(const topo_spec *s, topo_cables *out, char *err, size_t errlen) {
  sf_dims D;
  int rc = sf_dims_of(s, &D, err, errlen);
  if (rc < 0) return rc;
  const topo_layout_spec *ls = &s->layout;
  uint32_t ncab = (uint32_t)D.q;
  uint32_t per_row = topo__layout_per_row(ls, ncab);
  uint64_t q = (uint64_t)D.q;
  double intra_m = (double)(float)ls->intra_cabinet_m;
  uint64_t sw_in = q * (q * (2 * (uint64_t)D.w + 1));
  uint64_t ep = 2 * q * q * (uint64_t)D.p;
  out->n[0][TOPO_ELECTRICAL] += sw_in;
  out->m[0][TOPO_ELECTRICAL] += (double)sw_in * intra_m;
  out->n[1][TOPO_ELECTRICAL] += ep;
  out->m[1][TOPO_ELECTRICAL] += (double)ep * intra_m;
  for (uint32_t a = 0; a < ncab; a++)
    for (uint32_t b = a + 1; b < ncab; b++) {
      double len = topo__layout_length_m(ls, per_row, a, b);
      topo_medium med = topo__layout_medium(ls, len);
      out->n[0][med] += 2 * q;
      out->m[0][med] += (double)(2 * q) * (double)(float)len;
    }
  return 0;
}

const topo__family_ops topo__sf_ops = {TOPO_SLIMFLY, sf_count, sf_build, sf_cables};
