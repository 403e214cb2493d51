/* topo_df.c: canonical dragonfly (Kim, Dally, Scott & Abts, ISCA'08).
 *
 * g groups of a routers; every router has p endpoints, a - 1 local links (the group is a complete
 * graph) and h global links; 2 <= g <= a h + 1. Router r of group i is node i a + r; the endpoints
 * follow, p per router in router order. Ports (link order): endpoints, local links, global links.
 * One cabinet per group (routers and their endpoints); the group field is the group.
 *
 * ---- Global links ----
 * Group i has L = a h global ports; port j sits on router j / h. With N = g - 1 other groups,
 * base = L / N and rem = L mod N (base >= 1 since g <= L + 1):
 *   round ports j < base N: round t = j / N, slot u = j mod N goes to group sigma_i(u); every round
 *     gives each other group one link, so every pair of groups has base round links;
 *   extra ports j >= base N (only when N does not divide L): the rem extra ports of each group follow
 *     the "extra graph" E, a fixed simple graph on the groups in which every group has rem neighbours:
 *       i ~ i +- s (mod g) for s = 1 .. floor(rem/2); for odd rem also
 *         g even: i ~ i + g/2;
 *         g odd:  a near-perfect matching along the Hamiltonian cycle 0, m, 2m, ... (m = (g-1)/2,
 *                 step m generates Z_g): cycle positions 2t and 2t+1 are paired, the last position
 *                 (group (g+1)/2) stays unmatched.
 *     So every pair of groups has base or base + 1 links. L g odd happens exactly when rem and g are
 *     both odd: then ONE global port stays unused in the whole network (the last port of group
 *     (g+1)/2), and global links = floor(L g / 2). The extra ports of group i list their E
 *     neighbours in ascending slot order sigma_i^{-1}.
 * Pairing: the k-th port of group i towards group t pairs with the k-th port of t towards i (in a
 * round: the same round; extra ports: the one E link). So every used port pairs with exactly one
 * port of another group, and no link joins a group to itself.
 *
 * The arrangement is the slot order sigma_i (a bijection from 0..N-1 to the other groups):
 *   absolute:  sigma_i(u) = u if u < i else u + 1: group i's ports go to groups 0 .. g-1 in order,
 *              skipping i (Hastings et al.'s absolute arrangement when g = a h + 1);
 *   relative:  sigma_i(u) = (i + u + 1) mod g: port j of group i goes to group i + j + 1 (g = a h + 1);
 *   circulant: slot 2s goes to offset +(s+1), slot 2s+1 to offset -(s+1) (mod g), and for even g the
 *              last slot N-1 to offset g/2. Offsets +o and -o sit on neighbouring ports, and a link of
 *              offset +o from group i ends on the -o port of group i + o: with h even and g = a h + 1
 *              a global link always joins router r of group i to router r of group i +- o, so the
 *              global links of each router index form a circulant graph on the groups.
 *
 * Cost: O(links) time; the build keeps g * rem slot ids (< the number of global ports) beyond the graph.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "topo_int.h"

#define DF_NONE UINT32_MAX

typedef struct df_dims {
  uint32_t p, a, h, g;
  uint32_t L;      /* global ports per group, a h */
  uint32_t N;      /* other groups, g - 1 */
  uint32_t base;   /* L / N: links between every pair of groups from the rounds */
  uint32_t rem;    /* L mod N: extra ports per group */
  topo_df_arrangement arr;
} df_dims;

static int df_dims_of(const topo_spec *s, df_dims *o, char *err, size_t errlen) {
  memset(o, 0, sizeof *o);
  if (s->node.gpus != 0)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "node.gpus: %d: the dragonfly builder attaches bare endpoints only (node.gpus must be 0)",
                      s->node.gpus);
  if (s->df_p < 1) return topo__fail(err, errlen, TOPO_EINVAL, "dragonfly.p: %d: endpoints per router must be >= 1", s->df_p);
  if (s->df_a < 1) return topo__fail(err, errlen, TOPO_EINVAL, "dragonfly.a: %d: routers per group must be >= 1", s->df_a);
  if (s->df_h < 1)
    return topo__fail(err, errlen, TOPO_EINVAL, "dragonfly.h: %d: global links per router must be >= 1", s->df_h);
  if ((unsigned)s->df_arrangement >= TOPO_DF_ARR_COUNT)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "dragonfly.arrangement: %d: must be absolute, relative or circulant", (int)s->df_arrangement);
  if (s->radix < 1 || s->radix > 65535)
    return topo__check_radix(s, 1, 0, err, errlen);
  long long need = (long long)s->df_p + s->df_a - 1 + s->df_h;
  if (need > s->radix)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "radix: %d: too small for this dragonfly: a router needs p=%d endpoint + a-1=%d local + h=%d global ports "
                      "= %lld",
                      s->radix, s->df_p, s->df_a - 1, s->df_h, need);
  long long L = (long long)s->df_a * s->df_h;   /* < 2^32: a + h <= 65536 */
  if (s->df_g < 2 || s->df_g > L + 1)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "dragonfly.g: %d: groups must be in 2 .. a*h+1 = %lld (a=%d routers x h=%d global ports per "
                      "group reach at most a*h other groups)",
                      s->df_g, L + 1, s->df_a, s->df_h);
  o->p = (uint32_t)s->df_p;
  o->a = (uint32_t)s->df_a;
  o->h = (uint32_t)s->df_h;
  o->g = (uint32_t)s->df_g;
  o->L = (uint32_t)L;
  o->N = o->g - 1;
  o->base = o->L / o->N;
  o->rem = o->L % o->N;
  o->arr = s->df_arrangement;
  return 0;
}

static uint64_t df_global_links(const df_dims *D) { return (uint64_t)D->L * D->g / 2; }

static int df_count(const topo_spec *s, topo_counts *c, char *err, size_t errlen) {
  df_dims D;
  int rc = df_dims_of(s, &D, err, errlen);
  if (rc < 0) return rc;
  uint64_t routers = (uint64_t)D.a * D.g;
  c->switches = routers;
  c->endpoints = routers * D.p;
  c->switch_links = (uint64_t)D.g * D.a * (D.a - 1) / 2 + df_global_links(&D);
  c->endpoint_links = c->endpoints;
  c->planes = 1;
  c->switch_radix = s->radix;
  c->max_ports_used = (int)(D.p + D.a - 1 + D.h);
  return 0;
}

/* sigma_i(u): the group slot u of group i points to. */
static uint32_t df_slot_group(const df_dims *D, uint32_t i, uint32_t u) {
  uint32_t g = D->g;
  switch (D->arr) {
  case TOPO_DF_ABSOLUTE: return u < i ? u : u + 1;
  case TOPO_DF_RELATIVE: return (uint32_t)(((uint64_t)i + u + 1) % g);
  default: {
    uint32_t off = (u & 1u) ? g - (u / 2 + 1) : u / 2 + 1;   /* +(s+1) or -(s+1) mod g; u = N-1 of even g: g/2 */
    return (uint32_t)(((uint64_t)i + off) % g);
  }
  }
}

/* sigma_i^{-1}(t): the slot of group i that points to group t != i. */
static uint32_t df_group_slot(const df_dims *D, uint32_t i, uint32_t t) {
  uint32_t g = D->g;
  switch (D->arr) {
  case TOPO_DF_ABSOLUTE: return t < i ? t : t - 1;
  case TOPO_DF_RELATIVE: return (t + g - i) % g - 1;
  default: {
    uint32_t o = (t + g - i) % g;   /* 1 .. g-1 */
    if (2 * (uint64_t)o <= g) return 2 * (o - 1);   /* +o (and g/2 for even g) */
    return 2 * (g - o - 1) + 1;                     /* -(g-o) */
  }
  }
}

/* Neighbours of group i in the extra graph E (header comment); returns how many (rem, or rem - 1
 * for the unmatched group when rem and g are odd). */
static uint32_t df_extra_neighbours(const df_dims *D, uint32_t i, uint32_t *nb) {
  uint32_t g = D->g, n = 0;
  for (uint32_t s = 1; s <= D->rem / 2; s++) {
    nb[n++] = (i + s) % g;
    nb[n++] = (i + g - s) % g;
  }
  if (D->rem & 1u) {
    if (g % 2 == 0) {
      nb[n++] = (i + g / 2) % g;
    } else {
      uint32_t m = (g - 1) / 2;
      uint32_t k = (uint32_t)((2 * (uint64_t)(g - i)) % g);   /* i's position on the cycle: i = k m, m^-1 = -2 */
      if (k != g - 1) nb[n++] = (k % 2 == 0) ? (i + m) % g : (i + g - m) % g;
    }
  }
  return n;
}

/* Number of links between groups i != t: base, plus one where E joins them. */
static uint32_t df_pair_links(const df_dims *D, uint32_t i, uint32_t t) {
  uint32_t g = D->g, o = (t + g - i) % g;
  uint32_t od = o < g - o ? o : g - o;
  uint32_t extra = od <= D->rem / 2;
  if ((D->rem & 1u) && !extra) {
    if (g % 2 == 0) {
      extra = 2 * o == g;
    } else {
      uint32_t nb[1], n = 0, m = (g - 1) / 2, k = (uint32_t)((2 * (uint64_t)(g - i)) % g);
      if (k != g - 1) nb[n++] = (k % 2 == 0) ? (i + m) % g : (i + g - m) % g;
      extra = n == 1 && nb[0] == t;
    }
  }
  return D->base + extra;
}

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

static int df_build(const topo_spec *s, topo_graph *g, char *err, size_t errlen) {
  df_dims D;
  int rc = df_dims_of(s, &D, err, errlen);
  if (rc < 0) return rc;
  /* ext[i rem + e]: the slot (sigma_i^-1) of group i's e-th extra port, ascending; DF_NONE unused. */
  uint32_t *ext = NULL;
  if (D.rem) {
    ext = malloc(sizeof *ext * (size_t)D.g * D.rem);
    if (!ext) return topo__fail(err, errlen, TOPO_ENOMEM, "dragonfly: out of memory for the global-link map");
    for (uint32_t i = 0; i < D.g; i++) {
      uint32_t *row = ext + (size_t)i * D.rem;
      uint32_t n = df_extra_neighbours(&D, i, row);
      for (uint32_t e = 0; e < n; e++) row[e] = df_group_slot(&D, i, row[e]);
      for (uint32_t e = n; e < D.rem; e++) row[e] = DF_NONE;
      qsort(row, D.rem, sizeof *row, cmp_u32);
    }
  }

  uint32_t first = g->n_nodes, n_routers = D.a * D.g;
  for (uint32_t i = 0; i < D.g; i++)
    for (uint32_t r = 0; r < D.a; r++) topo_add_node(g, TOPO_SWITCH, 1, 0, -1, (int)i, (int)i, s->radix);
  for (uint32_t v = first; v < first + n_routers; v++)
    for (uint32_t k = 0; k < D.p; k++) {
      uint32_t e = topo_add_node(g, TOPO_ENDPOINT, 0, 0, -1, g->group[v], g->cabinet[v], 0);
      topo_add_endpoint(g, e);
      topo_add_link(g, v, e, &s->fabric);
    }
  for (uint32_t i = 0; i < D.g; i++)
    for (uint32_t r1 = 0; r1 < D.a; r1++)
      for (uint32_t r2 = r1 + 1; r2 < D.a; r2++) topo_add_link(g, first + i * D.a + r1, first + i * D.a + r2, &s->fabric);

  /* Global links, each added once from the lower-numbered group, in port order of that group. */
  uint32_t round_ports = D.base * D.N;
  uint64_t added = 0;
  for (uint32_t i = 0; i < D.g; i++)
    for (uint32_t j = 0; j < D.L; j++) {
      uint32_t t, j2;
      if (j < round_ports) {
        t = df_slot_group(&D, i, j % D.N);
        j2 = (j / D.N) * D.N + df_group_slot(&D, t, i);
      } else {
        uint32_t slot = ext[(size_t)i * D.rem + (j - round_ports)];
        if (slot == DF_NONE) continue;   /* the one unused port (rem and g odd) */
        t = df_slot_group(&D, i, slot);
        uint32_t want = df_group_slot(&D, t, i);
        const uint32_t *row = ext + (size_t)t * D.rem;
        const uint32_t *hit = bsearch(&want, row, D.rem, sizeof *row, cmp_u32);
        TOPO_ASSERT(hit != NULL);   /* E is symmetric */
        j2 = round_ports + (uint32_t)(hit - row);
      }
      TOPO_ASSERT(t != i && t < D.g && j2 < D.L);
      if (t < i) continue;
      topo_add_link(g, first + i * D.a + j / D.h, first + t * D.a + j2 / D.h, &s->fabric);
      added++;
    }
  TOPO_ASSERT(added == df_global_links(&D));
  free(ext);
  return 0;
}

/* The cables topo_layout_apply() gives a built dragonfly, per pair of groups (O(g^2), no graph):
 * local and endpoint links stay in their group's cabinet. Lengths are rounded through float as
 * the graph stores them. */
static int df_cables(const topo_spec *s, topo_cables *out, char *err, size_t errlen) {
  df_dims D;
  int rc = df_dims_of(s, &D, err, errlen);
  if (rc < 0) return rc;
  const topo_layout_spec *ls = &s->layout;
  uint32_t ncab = D.g;
  uint32_t per_row = topo__layout_per_row(ls, ncab);
  double intra_m = (double)(float)ls->intra_cabinet_m;
  uint64_t local = (uint64_t)D.g * D.a * (D.a - 1) / 2, ep = (uint64_t)D.g * D.a * D.p;
  out->n[0][TOPO_ELECTRICAL] += local;
  out->m[0][TOPO_ELECTRICAL] += (double)local * intra_m;
  out->n[1][TOPO_ELECTRICAL] += ep;
  out->m[1][TOPO_ELECTRICAL] += (double)ep * intra_m;
  for (uint32_t a = 0; a < ncab; a++)
    for (uint32_t b = a + 1; b < ncab; b++) {
      uint32_t n = df_pair_links(&D, a, b);
      double len = topo__layout_length_m(ls, per_row, a, b);
      topo_medium med = topo__layout_medium(ls, len);
      out->n[0][med] += n;
      out->m[0][med] += (double)n * (double)(float)len;
    }
  return 0;
}

const topo__family_ops topo__df_ops = {TOPO_DRAGONFLY, df_count, df_build, df_cables};
