/* topo_ft.c: fat-tree family builders: FT2 (leaf/spine), MRFT (multi-rail), MPFT (multi-plane),
 * FT3 (k-ary three-layer, Al-Fares et al. SIGCOMM'08).
 *
 * Two-layer family (FT2, MRFT, MPFT), radix k, h = k/2:
 *   a leaf has h ports down (bare endpoints or NICs) and h up, spread round-robin over the S spines
 *   of its plane (uplink u -> spine u mod S; h mod S == 0, so h/S parallel cables per spine);
 *   a spine takes L * h/S cables from the L leaves of its plane, hence L <= k*S/h = 2S.
 *   Full FT2 (S = h): k leaves, k/2 spines, k^2/2 endpoints, k^2/2 leaf-spine cables.
 *   MPFT = P independent FT2 planes; GPU/NIC i of each host in plane i mod P.
 *   MRFT = one FT2 whose leaves belong to R rails; NIC i of each host on a leaf of rail i mod R; the
 *   spines are shared. Leaves are interleaved by rail (leaf id = block * R + rail), so the R leaves
 *   that serve the same hosts are neighbours on the floor (a scalable unit).
 * All three are one plan (ft2_plan), P planes x R rails (one of them 1); count() and build() both
 * read the plan, which is what keeps the counts equal to the graph.
 *
 * Attachment order: within (plane, rail), leaf ports are filled in order, h per leaf; attachment j
 * is on leaf (j / h) * R + rail. Bare endpoints are numbered plane by plane, leaf by leaf. With hosts,
 * NIC i of host x is attachment x * (G / (P R)) + i / (P R) of (plane, rail) i mod (P R), and the GPUs
 * are the endpoints, host by host.
 *
 * Port order (STYLE: link order = port order, see topo_graph.c): every endpoint/NIC cable is added
 * before any switch-switch cable, so a leaf's down ports come first, then its h uplinks in order;
 * a spine's ports are in leaf order. Links go child -> parent (link_a is the lower tier).
 *
 * Layout (cabinet ids; topo_layout_apply puts them on the floor row-major):
 *   two-layer, per plane: leaf cabinets (lpc leaves each, with everything under them), and
 *   ceil(S / switches_per_cabinet) spine cabinets numbered in the middle of the plane's sequence
 *   (leaf cabinets 0 .. C/2-1, spine cabinets, leaf cabinets C/2 ..), so spines sit central;
 *   planes follow one another, so an MPFT of P planes costs P times one plane when a floor row
 *   holds a plane. A host sits in the cabinet of the leaf of its NIC 0 (plane 0 / rail 0).
 *   FT3: per pod, its edge cabinets then its aggregation cabinets; the core cabinets come after
 *   pod k/2 - 1 (the middle). lpc = endpoints_per_cabinet / (endpoints under one leaf), 1 when 0.
 *
 * Costs: O(nodes + links) time, one allocation of switch ids per build; nothing per link.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topo_int.h"

/* From topo_node.c (see there: they belong in topo_int.h). */

#define FT_MAX_PLANES 32767  /* g->plane is int16_t */

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* Checks shared by every fat-tree: radix, fabric link, cabinets, node spec. */
static int ft_check_common(const topo_spec *s, char *err, size_t errlen) {
  const char *fam = topo_family_name(s->family);
  int rc = topo__check_radix(s, 4, 1, err, errlen);
  if (rc < 0) return rc;
  if (s->fabric.cls != TOPO_IB && s->fabric.cls != TOPO_ETH)
    return topo__fail(err, errlen, TOPO_EINVAL, "fabric.class: %s: a %s fabric link must be ib or eth",
                      topo_class_name(s->fabric.cls), fam);
  if (!(s->fabric.bw_Bps > 0.0))
    return topo__fail(err, errlen, TOPO_EINVAL, "fabric.bw: %g B/s: must be > 0 (per direction)",
                      s->fabric.bw_Bps);
  if (s->switches_per_cabinet < 1)
    return topo__fail(err, errlen, TOPO_EINVAL, "switches_per_cabinet: %d must be >= 1", s->switches_per_cabinet);
  if (s->endpoints_per_cabinet < 0)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "endpoints_per_cabinet: %d must be >= 0 (0: one leaf's worth per cabinet)",
                      s->endpoints_per_cabinet);
  return topo__node_validate(s, err, errlen);
}

/* Leaves per cabinet from endpoints_per_cabinet; `under` endpoints (GPUs) hang under one leaf. */
static int leaves_per_cabinet(const topo_spec *s, int64_t under, int *lpc, char *err, size_t errlen) {
  int epc = s->endpoints_per_cabinet;
  if (epc == 0) {
    *lpc = 1;
    return 0;
  }
  if (epc % under != 0)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "endpoints_per_cabinet: %d must be 0 (one leaf's worth) or a multiple of the %lld "
                      "endpoints%s under one leaf (a leaf and its endpoints share a cabinet)",
                      epc, (long long)under, s->node.gpus ? " (GPUs)" : "");
  *lpc = (int)(epc / under);
  return 0;
}

static const topo_link_spec *nic_link(const topo_spec *s) {
  return s->node.nic.bw_Bps > 0.0 ? &s->node.nic : &s->fabric;
}

/* ======================= two-layer family: FT2, MRFT, MPFT ======================= */

typedef struct ft2_plan {
  int k, h;          /* radix; ports down (= up) per leaf */
  int P, R;          /* planes (MPFT) and rails (MRFT); the other is 1 */
  int S;             /* spines per plane */
  int G;             /* GPUs (and NICs) per host; 0: bare endpoints */
  int64_t hosts;
  int64_t endpoints; /* all planes: bare endpoints or GPUs */
  int64_t N;         /* leaf ports used per (plane, rail): bare endpoints or NICs */
  int Lr;            /* leaves per (plane, rail) = ceil(N / h) */
  int L;             /* leaves per plane = R * Lr */
  int lpc, spc;      /* leaves per cabinet, spines per cabinet */
  int leaf_cabs, spine_cabs;   /* per plane */
} ft2_plan;

static int ft2_plan_make(const topo_spec *s, ft2_plan *p, char *err, size_t errlen) {
  const char *fam = topo_family_name(s->family);
  memset(p, 0, sizeof *p);
  int rc = ft_check_common(s, err, errlen);
  if (rc < 0) return rc;
  p->k = s->radix;
  p->h = s->radix / 2;
  p->G = s->node.gpus;
  p->P = p->R = 1;
  if (s->family == TOPO_MPFT) {
    if (s->planes < 1 || s->planes > FT_MAX_PLANES)
      return topo__fail(err, errlen, TOPO_EINVAL, "planes: %d must be in [1, %d] for mpft", s->planes,
                        FT_MAX_PLANES);
    p->P = s->planes;
  } else if (s->family == TOPO_MRFT) {
    if (s->planes < 0 || s->planes > FT_MAX_PLANES)
      return topo__fail(err, errlen, TOPO_EINVAL, "planes: %d (rails) must be in [0, %d] for mrft (0: node.gpus)",
                        s->planes, FT_MAX_PLANES);
    p->R = s->planes > 0 ? s->planes : (p->G > 0 ? p->G : 1);
  } else if (s->planes != 0 && s->planes != 1) {
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "planes: %d: ft2 is one plane (0 or 1); use mpft for planes or mrft for rails", s->planes);
  }
  int sub = p->P * p->R;   /* (plane, rail) pairs a host spreads its NICs over */
  if (p->G > 0 && p->G % sub != 0)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "planes: %d must divide node.gpus %d for %s (GPU/NIC i of each host is in %s i mod %d)", sub,
                      p->G, fam, s->family == TOPO_MRFT ? "rail" : "plane", sub);

  if (s->spines < 0 || s->spines > p->h || (s->spines > 0 && p->h % s->spines != 0))
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "spines: %d must be 0 (full build: radix/2 = %d; partial: the fewest that take every uplink) or divide the %d uplinks of a leaf (radix/2)", s->spines,
                      p->h, p->h);
  p->S = s->spines ? s->spines : p->h;
  int64_t max_leaves = (int64_t)p->k * p->S / p->h;   /* spine ports: L * (h/S) <= k */
  int64_t max_lr = max_leaves / p->R;
  if (max_lr < 1)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "planes: %d rails need at least %d leaves, but %d spines of radix %d take at most %lld", p->R,
                      p->R, p->S, p->k, (long long)max_leaves);

  if (s->endpoints < 0)
    return topo__fail(err, errlen, TOPO_EINVAL, "endpoints: %d must be >= 0 (0: full)", s->endpoints);
  if (s->endpoints == 0) {
    /* Full: as many leaves as the spines take, as many whole hosts as fit under them. */
    int64_t cap = max_lr * p->h;   /* leaf ports per (plane, rail) */
    if (p->G == 0) {
      p->N = cap;
      p->endpoints = cap * sub;
    } else {
      p->hosts = cap * sub / p->G;
      if (p->hosts == 0)
        return topo__fail(err, errlen, TOPO_EINVAL,
                          "node.gpus: %d: not one host fits: a %s of radix %d has %lld leaf ports per %s", p->G, fam,
                          p->k, (long long)cap, s->family == TOPO_MRFT ? "rail" : "plane");
      p->N = p->hosts * (p->G / sub);
      p->endpoints = p->hosts * p->G;
    }
  } else {
    p->endpoints = s->endpoints;
    if (p->G == 0) {
      if (p->endpoints % sub != 0)
        return topo__fail(err, errlen, TOPO_EINVAL,
                          "endpoints: %d must be a multiple of %d (%s) so that each gets as many", s->endpoints, sub,
                          s->family == TOPO_MRFT ? "rails" : "planes");
      p->N = p->endpoints / sub;
    } else {
      if (p->endpoints % p->G != 0)
        return topo__fail(err, errlen, TOPO_EINVAL, "endpoints: %d must be a multiple of node.gpus %d (whole hosts)",
                          s->endpoints, p->G);
      p->hosts = p->endpoints / p->G;
      p->N = p->hosts * (p->G / sub);
    }
    int64_t lr = ceil_div(p->N, p->h);
    if (lr > max_lr)
      return topo__fail(err, errlen, TOPO_EINVAL,
                        "endpoints: %d needs %lld leaves per %s (%d ports down each), but %d spines of radix %d "
                        "take at most %lld; at most %lld endpoints (raise spines or radix, or add planes)",
                        s->endpoints, (long long)(lr * p->R), p->R > 1 ? "fabric" : "plane", p->h, p->S, p->k,
                        (long long)(max_lr * p->R), (long long)(max_lr * p->h * sub));
  }
  p->Lr = (int)ceil_div(p->N, p->h);
  p->L = p->R * p->Lr;
  if (s->spines == 0 && s->endpoints > 0) {
    /* Partial build, spines not given: the fewest spines that take every uplink (S divides h and
     * L * h/S <= k), i.e. full bisection with parallel cables, as one would cable a small cluster
     * (4 leaves of radix 64: 2 spines with 16 cables per leaf, not 32 spines with 1). */
    for (int S = 1; S <= p->h; S++)
      if (p->h % S == 0 && (int64_t)p->L * (p->h / S) <= p->k) {
        p->S = S;
        break;
      }
  }
  rc = leaves_per_cabinet(s, (int64_t)p->h * (p->G ? sub : 1), &p->lpc, err, errlen);
  if (rc < 0) return rc;
  p->spc = s->switches_per_cabinet;
  p->leaf_cabs = (int)ceil_div(p->L, p->lpc);
  p->spine_cabs = (int)ceil_div(p->S, p->spc);
  return 0;
}

static int ft2_leaf_cab(const ft2_plan *p, int plane, int leaf) {
  int c = leaf / p->lpc, half = p->leaf_cabs / 2;
  return plane * (p->leaf_cabs + p->spine_cabs) + (c < half ? c : c + p->spine_cabs);
}
static int ft2_spine_cab(const ft2_plan *p, int plane, int spine) {
  return plane * (p->leaf_cabs + p->spine_cabs) + p->leaf_cabs / 2 + spine / p->spc;
}
/* Plane field of a leaf / of what hangs under it: the plane (MPFT), the rail (MRFT), else 0. */
static int ft2_leaf_label(const topo_spec *s, int plane, int leaf, int R) {
  if (s->family == TOPO_MPFT) return plane;
  if (s->family == TOPO_MRFT) return leaf % R;
  return 0;
}

static int ft2_count(const topo_spec *s, topo_counts *c, char *err, size_t errlen) {
  ft2_plan p;
  int rc = ft2_plan_make(s, &p, err, errlen);
  if (rc < 0) return rc;
  c->endpoints = (uint64_t)p.endpoints;
  c->switches = (uint64_t)p.P * (uint64_t)(p.L + p.S);
  c->switch_links = (uint64_t)p.P * (uint64_t)p.L * (uint64_t)p.h;
  c->endpoint_links = (uint64_t)p.endpoints;   /* one cable per bare endpoint or per GPU's NIC */
  topo__node_count(&s->node, (uint64_t)p.hosts, c);
  c->planes = p.P;
  c->switch_radix = p.k;
  int leaf_used = p.h + (int)(p.N < p.h ? p.N : p.h), spine_used = p.L * (p.h / p.S);
  c->max_ports_used = leaf_used > spine_used ? leaf_used : spine_used;
  return 0;
}

static int ft2_build(const topo_spec *s, topo_graph *g, char *err, size_t errlen) {
  ft2_plan p;
  int rc = ft2_plan_make(s, &p, err, errlen);
  if (rc < 0) return rc;
  int sub = p.P * p.R;
  uint32_t *leaf = malloc(sizeof *leaf * ((size_t)p.P * (size_t)p.L + (size_t)p.P * (size_t)p.S +
                                          2 * (size_t)(p.G > 0 ? p.G : 0)));
  if (!leaf) return topo__fail(err, errlen, TOPO_ENOMEM, "%s: out of memory", topo_family_name(s->family));
  uint32_t *spine = leaf + (size_t)p.P * (size_t)p.L;
  uint32_t *gpu = spine + (size_t)p.P * (size_t)p.S, *nic = gpu + (p.G > 0 ? p.G : 0);

  for (int pl = 0; pl < p.P; pl++) {
    for (int l = 0; l < p.L; l++)
      leaf[pl * p.L + l] = topo_add_node(g, TOPO_SWITCH, 1, ft2_leaf_label(s, pl, l, p.R), -1, pl * p.L + l,
                                         ft2_leaf_cab(&p, pl, l), p.k);
    for (int sp = 0; sp < p.S; sp++)
      spine[pl * p.S + sp] = topo_add_node(g, TOPO_SWITCH, 2, s->family == TOPO_MRFT ? -1 : ft2_leaf_label(s, pl, 0, 1),
                                           -1, -1, ft2_spine_cab(&p, pl, sp), p.k);
  }

  if (p.G == 0) {
    for (int pl = 0; pl < p.P; pl++)
      for (int l = 0; l < p.L; l++) {
        int64_t first = (int64_t)(l / p.R) * p.h, n = p.N - first < p.h ? p.N - first : p.h;
        uint32_t lf = leaf[pl * p.L + l];
        for (int64_t e = 0; e < n; e++) {
          uint32_t v = topo_add_node(g, TOPO_ENDPOINT, 0, g->plane[lf], -1, pl * p.L + l, g->cabinet[lf], 0);
          topo_add_endpoint(g, v);
          topo_add_link(g, v, lf, &s->fabric);
        }
      }
  } else {
    const topo_link_spec *nls = nic_link(s);
    int per = p.G / sub, hpd = topo__node_hosts_per_domain(&s->node);
    uint32_t nvs = UINT32_MAX;
    for (int64_t x = 0; x < p.hosts; x++) {
      int64_t j0 = x * per;
      int cab = ft2_leaf_cab(&p, 0, (int)(j0 / p.h) * p.R);
      if (x % hpd == 0) nvs = UINT32_MAX;   /* a new NVLink domain */
      nvs = topo__add_host(g, &s->node, (int)x, cab, nvs, gpu, nic);
      for (int i = 0; i < p.G; i++) {
        int c = i % sub, pl = s->family == TOPO_MPFT ? c : 0, r = s->family == TOPO_MRFT ? c : 0;
        int64_t j = j0 + i / sub;
        int l = (int)(j / p.h) * p.R + r;
        uint32_t lf = leaf[pl * p.L + l];
        g->plane[gpu[i]] = g->plane[nic[i]] = g->plane[lf];
        topo_add_link(g, nic[i], lf, nls);
      }
    }
  }

  for (int pl = 0; pl < p.P; pl++)
    for (int l = 0; l < p.L; l++)
      for (int u = 0; u < p.h; u++) topo_add_link(g, leaf[pl * p.L + l], spine[pl * p.S + u % p.S], &s->fabric);
  free(leaf);
  return 0;
}

/* ======================= FT3: k-ary three-layer fat-tree ======================= */

typedef struct ft3_plan {
  int k, h, G;
  int64_t endpoints, hosts;
  int lpc, spc;
  int edge_cabs, agg_cabs, core_cabs;   /* per pod, per pod, in all */
} ft3_plan;

static int ft3_plan_make(const topo_spec *s, ft3_plan *p, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  int rc = ft_check_common(s, err, errlen);
  if (rc < 0) return rc;
  p->k = s->radix;
  p->h = s->radix / 2;
  p->G = s->node.gpus;
  int64_t full = (int64_t)p->k * p->h * p->h;
  if (s->planes != 0 && s->planes != 1)
    return topo__fail(err, errlen, TOPO_EINVAL, "planes: %d: ft3 is one plane (0 or 1)", s->planes);
  if (s->spines != 0)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "spines: %d: ft3 has (radix/2)^2 = %lld cores and takes no spine count (0 only)", s->spines,
                      (long long)p->h * p->h);
  if (s->endpoints != 0 && s->endpoints != full)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "endpoints: %d: ft3 builds are full only: 0 or radix^3/4 = %lld", s->endpoints,
                      (long long)full);
  if (p->G > 0 && full % p->G != 0)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "node.gpus: %d must divide the %lld endpoints of an ft3 of radix %d (whole hosts)", p->G,
                      (long long)full, p->k);
  p->endpoints = full;
  p->hosts = p->G > 0 ? full / p->G : 0;
  rc = leaves_per_cabinet(s, p->h, &p->lpc, err, errlen);
  if (rc < 0) return rc;
  p->spc = s->switches_per_cabinet;
  p->edge_cabs = (int)ceil_div(p->h, p->lpc);
  p->agg_cabs = (int)ceil_div(p->h, p->spc);
  p->core_cabs = (int)ceil_div((int64_t)p->h * p->h, p->spc);
  return 0;
}

static int ft3_pod_base(const ft3_plan *p, int pod) {
  return pod * (p->edge_cabs + p->agg_cabs) + (pod >= p->h ? p->core_cabs : 0);
}

static int ft3_count(const topo_spec *s, topo_counts *c, char *err, size_t errlen) {
  ft3_plan p;
  int rc = ft3_plan_make(s, &p, err, errlen);
  if (rc < 0) return rc;
  uint64_t k = (uint64_t)p.k, h = (uint64_t)p.h;
  c->endpoints = (uint64_t)p.endpoints;            /* k^3/4 */
  c->switches = 2 * k * h + h * h;                 /* k pods x (h edge + h agg) + (k/2)^2 cores = 5k^2/4 */
  c->switch_links = 2 * k * h * h;                 /* edge-agg k^3/4 + agg-core k^3/4 = k^3/2 */
  c->endpoint_links = (uint64_t)p.endpoints;
  topo__node_count(&s->node, (uint64_t)p.hosts, c);
  c->planes = 1;
  c->switch_radix = p.k;
  c->max_ports_used = p.k;   /* every edge, aggregation and core switch is full */
  return 0;
}

static int ft3_build(const topo_spec *s, topo_graph *g, char *err, size_t errlen) {
  ft3_plan p;
  int rc = ft3_plan_make(s, &p, err, errlen);
  if (rc < 0) return rc;
  int k = p.k, h = p.h;
  size_t pods_sw = (size_t)k * (size_t)h;
  uint32_t *edge = malloc(sizeof *edge * (2 * pods_sw + (size_t)h * (size_t)h + 2 * (size_t)p.G));
  if (!edge) return topo__fail(err, errlen, TOPO_ENOMEM, "ft3: out of memory");
  uint32_t *agg = edge + pods_sw, *core = agg + pods_sw;
  uint32_t *gpu = core + (size_t)h * (size_t)h, *nic = gpu + p.G;
  int core_base = h * (p.edge_cabs + p.agg_cabs);

  for (int pod = 0; pod < k; pod++) {
    int base = ft3_pod_base(&p, pod);
    for (int e = 0; e < h; e++)
      edge[pod * h + e] = topo_add_node(g, TOPO_SWITCH, 1, 0, -1, pod, base + e / p.lpc, k);
    for (int a = 0; a < h; a++)
      agg[pod * h + a] = topo_add_node(g, TOPO_SWITCH, 2, 0, -1, pod, base + p.edge_cabs + a / p.spc, k);
  }
  for (int c = 0; c < h * h; c++) core[c] = topo_add_node(g, TOPO_SWITCH, 3, 0, -1, -1, core_base + c / p.spc, k);

  if (p.G == 0) {
    for (int pod = 0; pod < k; pod++)
      for (int e = 0; e < h; e++) {
        uint32_t sw = edge[pod * h + e];
        for (int i = 0; i < h; i++) {
          uint32_t v = topo_add_node(g, TOPO_ENDPOINT, 0, 0, -1, pod, g->cabinet[sw], 0);
          topo_add_endpoint(g, v);
          topo_add_link(g, v, sw, &s->fabric);
        }
      }
  } else {
    const topo_link_spec *nls = nic_link(s);
    int hpd = topo__node_hosts_per_domain(&s->node);
    uint32_t nvs = UINT32_MAX;
    for (int64_t x = 0; x < p.hosts; x++) {
      int64_t j0 = x * p.G;   /* attachment j is on edge j / h (global edge id = pod * h + e) */
      if (x % hpd == 0) nvs = UINT32_MAX;
      nvs = topo__add_host(g, &s->node, (int)x, g->cabinet[edge[j0 / h]], nvs, gpu, nic);
      for (int i = 0; i < p.G; i++) {
        g->plane[gpu[i]] = g->plane[nic[i]] = 0;
        topo_add_link(g, nic[i], edge[(j0 + i) / h], nls);
      }
    }
  }

  for (int pod = 0; pod < k; pod++)
    for (int e = 0; e < h; e++)
      for (int a = 0; a < h; a++) topo_add_link(g, edge[pod * h + e], agg[pod * h + a], &s->fabric);
  /* Core c = a * h + j hangs off aggregation switch a (= c / h) of every pod: core ports in pod order. */
  for (int pod = 0; pod < k; pod++)
    for (int a = 0; a < h; a++)
      for (int j = 0; j < h; j++) topo_add_link(g, agg[pod * h + a], core[a * h + j], &s->fabric);
  free(edge);
  return 0;
}

const topo__family_ops topo__ft2_ops = {TOPO_FT2, ft2_count, ft2_build, NULL};
const topo__family_ops topo__mrft_ops = {TOPO_MRFT, ft2_count, ft2_build, NULL};
const topo__family_ops topo__mpft_ops = {TOPO_MPFT, ft2_count, ft2_build, NULL};
const topo__family_ops topo__ft3_ops = {TOPO_FT3, ft3_count, ft3_build, NULL};
