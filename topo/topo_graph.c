/* topo_graph.c: the graph (struct-of-arrays), construction, CSR, layout, checks, names, dispatch.
 *
 * Invariant after topo_finalize(): for every node v, adj_arc[adj_off[v] .. adj_off[v+1]) lists the
 * arcs leaving v in link-id order (a builder's link order is the order of a node's ports), and
 * topo_arc_from(g, arc) == v for each of them. Nothing is allocated per query afterwards.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "topo_int.h"

void topo__die(const char *file, int line, const char *what) {
  fprintf(stderr, "%s:%d: topo: internal error: %s\n", file, line, what);
  abort();
}

int topo__fail(char *err, size_t errlen, int code, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return code;
}

/* ---- names ---- */
static const char *const kind_names[TOPO_KIND_COUNT] = {"endpoint", "gpu", "nic", "switch", "nvswitch",
                                                        "pcie_switch", "hostmem"};
static const char *const class_names[TOPO_CLASS_COUNT] = {"nvlink", "pcie", "ib", "eth"};
static const char *const medium_names[TOPO_MEDIUM_COUNT] = {"electrical", "optical"};
static const char *const family_names[TOPO_FAMILY_COUNT] = {"ft2", "ft3", "mrft", "mpft", "slimfly", "dragonfly",
                                                            "node"};
static const char *const arr_names[TOPO_DF_ARR_COUNT] = {"absolute", "relative", "circulant"};
static const char *const routing_names[TOPO_ROUTING_COUNT] = {"static", "ecmp", "adaptive", "ugal"};

static int parse_name(const char *s, const char *const *names, int n) {
  if (!s) return -1;
  for (int i = 0; i < n; i++)
    if (strcmp(s, names[i]) == 0) return i;
  return -1;
}

const char *topo_kind_name(topo_kind k) { return (unsigned)k < TOPO_KIND_COUNT ? kind_names[k] : "?"; }
const char *topo_class_name(topo_class c) { return (unsigned)c < TOPO_CLASS_COUNT ? class_names[c] : "?"; }
const char *topo_medium_name(topo_medium m) { return (unsigned)m < TOPO_MEDIUM_COUNT ? medium_names[m] : "?"; }
const char *topo_family_name(topo_family f) { return (unsigned)f < TOPO_FAMILY_COUNT ? family_names[f] : "?"; }
const char *topo_df_arrangement_name(topo_df_arrangement a) {
  return (unsigned)a < TOPO_DF_ARR_COUNT ? arr_names[a] : "?";
}
const char *topo_routing_name(topo_routing r) { return (unsigned)r < TOPO_ROUTING_COUNT ? routing_names[r] : "?"; }

int topo_class_parse(const char *s, topo_class *out) {
  int i = parse_name(s, class_names, TOPO_CLASS_COUNT);
  if (i < 0) return -1;
  *out = (topo_class)i;
  return 0;
}
int topo_family_parse(const char *s, topo_family *out) {
  int i = parse_name(s, family_names, TOPO_FAMILY_COUNT);
  if (i < 0) return -1;
  *out = (topo_family)i;
  return 0;
}
int topo_df_arrangement_parse(const char *s, topo_df_arrangement *out) {
  int i = parse_name(s, arr_names, TOPO_DF_ARR_COUNT);
  if (i < 0) return -1;
  *out = (topo_df_arrangement)i;
  return 0;
}
int topo_routing_parse(const char *s, topo_routing *out) {
  int i = parse_name(s, routing_names, TOPO_ROUTING_COUNT);
  if (i < 0) return -1;
  *out = (topo_routing)i;
  return 0;
}

int topo__is_prime_power(int q, int *p_out, int *e_out) {
  if (q < 2) return 0;
  int p = 0;
  for (int d = 2; d * d <= q; d++)
    if (q % d == 0) {
      p = d;
      break;
    }
  if (!p) p = q;
  int e = 0, r = q;
  while (r % p == 0) {
    r /= p;
    e++;
  }
  if (r != 1) return 0;
  if (p_out) *p_out = p;
  if (e_out) *e_out = e;
  return 1;
}

void topo_spec_init(topo_spec *s) {
  memset(s, 0, sizeof *s);
  s->family = TOPO_FT2;
  s->radix = 64;
  s->planes = 1;
  s->df_arrangement = TOPO_DF_ABSOLUTE;
  s->fabric.cls = TOPO_IB;
  s->fabric.bw_Bps = 50e9;
  s->node.gpus_per_pcie_switch = 1;
  s->layout.cabinet_pitch_m = 0.6;
  s->layout.row_pitch_m = 2.4;
  s->layout.overhead_m = 2.0;
  s->layout.intra_cabinet_m = 1.0;
  s->layout.electrical_reach_m = 0.0;
  s->switches_per_cabinet = 1;
  /* The override lives here, not in each command: every caller (run, topo describe, bench, tests)
   * starts from topo_spec_init(), so one variable raises the limit everywhere. A value that does
   * not parse keeps the default (the refusal message names the variable and the limit in force). */
  const char *env = getenv("CLUSTERSIM_MAX_GRAPH_BYTES");
  uint64_t lim;
  s->max_graph_bytes = env && topo_parse_bytes(env, &lim) == 0 && lim > 0 ? lim : TOPO_MAX_GRAPH_BYTES_DEFAULT;
}

uint64_t topo_graph_limit(const topo_spec *s) {
  return s->max_graph_bytes ? s->max_graph_bytes : TOPO_MAX_GRAPH_BYTES_DEFAULT;
}

int topo_parse_bytes(const char *text, uint64_t *out) {
  if (!text) return -1;
  char *end;
  double v = strtod(text, &end);
  if (end == text || !(v >= 0.0)) return -1;
  double mul = 1.0;
  switch (*end) {
  case 'K': case 'k': mul = 1024.0; end++; break;
  case 'M': mul = 1024.0 * 1024.0; end++; break;
  case 'G': mul = 1024.0 * 1024.0 * 1024.0; end++; break;
  case 'T': mul = 1024.0 * 1024.0 * 1024.0 * 1024.0; end++; break;
  default: break;
  }
  if (mul > 1.0 && end[0] == 'i' && end[1] == 'B') end += 2;
  else if (*end == 'B') end++;
  if (*end) return -1;
  v *= mul;
  if (v > 1.8e19) return -1;
  *out = (uint64_t)v;
  return 0;
}

int topo__check_radix(const topo_spec *s, int min, int even, char *err, size_t errlen) {
  if (s->radix >= min && s->radix <= TOPO_MAX_RADIX && !(even && s->radix % 2 != 0)) return 0;
  return topo__fail(err, errlen, TOPO_EINVAL, "radix: %d: ports per switch must be %s in [%d, %d] for %s",
                    s->radix, even ? "an even number" : "a whole number", min, TOPO_MAX_RADIX,
                    topo_family_name(s->family));
}

int topo_err_key(const char *msg, char *key, size_t keylen) {
  if (!msg || !keylen) return -1;
  size_t n = 0;
  while (msg[n] && ((msg[n] >= 'a' && msg[n] <= 'z') || (msg[n] >= '0' && msg[n] <= '9') || msg[n] == '_' ||
                    msg[n] == '.'))
    n++;
  if (n == 0 || msg[n] != ':' || msg[n + 1] != ' ' || n >= keylen) return -1;
  memcpy(key, msg, n);
  key[n] = '\0';
  return 0;
}

/* ---- construction ---- */
static void *grow(void *p, size_t elem, uint32_t cap) {
  void *q = realloc(p, elem * (size_t)cap);
  TOPO_ASSERT(q != NULL);
  return q;
}

static void nodes_reserve(topo_graph *g, uint32_t cap) {
  if (cap <= g->cap_nodes) return;
  g->kind = grow(g->kind, sizeof *g->kind, cap);
  g->tier = grow(g->tier, sizeof *g->tier, cap);
  g->plane = grow(g->plane, sizeof *g->plane, cap);
  g->radix = grow(g->radix, sizeof *g->radix, cap);
  g->host = grow(g->host, sizeof *g->host, cap);
  g->group = grow(g->group, sizeof *g->group, cap);
  g->cabinet = grow(g->cabinet, sizeof *g->cabinet, cap);
  g->endpoint_node = grow(g->endpoint_node, sizeof *g->endpoint_node, cap);
  g->cap_nodes = cap;
}

static void links_reserve(topo_graph *g, uint32_t cap) {
  if (cap <= g->cap_links) return;
  g->link_a = grow(g->link_a, sizeof *g->link_a, cap);
  g->link_b = grow(g->link_b, sizeof *g->link_b, cap);
  g->bw_Bps = grow(g->bw_Bps, sizeof *g->bw_Bps, cap);
  g->lat_ps = grow(g->lat_ps, sizeof *g->lat_ps, cap);
  g->cls = grow(g->cls, sizeof *g->cls, cap);
  g->medium = grow(g->medium, sizeof *g->medium, cap);
  g->length_m = grow(g->length_m, sizeof *g->length_m, cap);
  g->cap_links = cap;
}

topo_graph *topo_graph_new(uint32_t nodes_hint, uint32_t links_hint) {
  topo_graph *g = calloc(1, sizeof *g);
  TOPO_ASSERT(g != NULL);
  topo_spec_init(&g->spec);
  nodes_reserve(g, nodes_hint ? nodes_hint : 64);
  links_reserve(g, links_hint ? links_hint : 64);
  return g;
}

void topo_free(topo_graph *g) {
  if (!g) return;
  free(g->kind);
  free(g->tier);
  free(g->plane);
  free(g->radix);
  free(g->host);
  free(g->group);
  free(g->cabinet);
  free(g->endpoint_node);
  free(g->link_a);
  free(g->link_b);
  free(g->bw_Bps);
  free(g->lat_ps);
  free(g->cls);
  free(g->medium);
  free(g->length_m);
  free(g->adj_off);
  free(g->adj_arc);
  free(g);
}

uint32_t topo_add_node(topo_graph *g, topo_kind kind, int tier, int plane, int host, int group, int cabinet,
                       int radix) {
  TOPO_ASSERT(g->adj_off == NULL);   /* no adds after finalize */
  if (g->n_nodes == g->cap_nodes) nodes_reserve(g, g->cap_nodes * 2);
  uint32_t v = g->n_nodes++;
  g->kind[v] = (uint8_t)kind;
  g->tier[v] = (uint8_t)tier;
  g->plane[v] = (int16_t)plane;
  g->radix[v] = (uint16_t)radix;
  g->host[v] = host;
  g->group[v] = group;
  g->cabinet[v] = cabinet;
  if (cabinet >= 0 && (uint32_t)cabinet + 1 > g->n_cabinets) g->n_cabinets = (uint32_t)cabinet + 1;
  return v;
}

uint32_t topo_add_link(topo_graph *g, uint32_t a, uint32_t b, const topo_link_spec *ls) {
  TOPO_ASSERT(g->adj_off == NULL);
  TOPO_ASSERT(a < g->n_nodes && b < g->n_nodes && a != b);
  if (g->n_links == g->cap_links) links_reserve(g, g->cap_links * 2);
  uint32_t l = g->n_links++;
  g->link_a[l] = a;
  g->link_b[l] = b;
  g->bw_Bps[l] = ls->bw_Bps;
  g->lat_ps[l] = ls->lat_ps > UINT32_MAX ? UINT32_MAX : (uint32_t)ls->lat_ps;
  g->cls[l] = (uint8_t)ls->cls;
  g->medium[l] = TOPO_ELECTRICAL;
  g->length_m[l] = 0.0f;
  return l;
}

uint32_t topo_add_endpoint(topo_graph *g, uint32_t node) {
  TOPO_ASSERT(node < g->n_nodes);
  /* endpoint_node shares the node capacity: there are never more endpoints than nodes. */
  g->endpoint_node[g->n_endpoints] = node;
  return g->n_endpoints++;
}

int topo_finalize(topo_graph *g, char *err, size_t errlen) {
  TOPO_ASSERT(g->adj_off == NULL);
  g->adj_off = calloc((size_t)g->n_nodes + 1, sizeof *g->adj_off);
  g->adj_arc = malloc(sizeof *g->adj_arc * ((size_t)g->n_links * 2 + 1));
  if (!g->adj_off || !g->adj_arc) return topo__fail(err, errlen, TOPO_ENOMEM, "out of memory for the adjacency");
  for (uint32_t l = 0; l < g->n_links; l++) {
    g->adj_off[g->link_a[l] + 1]++;
    g->adj_off[g->link_b[l] + 1]++;
  }
  for (uint32_t v = 0; v < g->n_nodes; v++) g->adj_off[v + 1] += g->adj_off[v];
  uint32_t *fill = malloc(sizeof *fill * ((size_t)g->n_nodes + 1));
  if (!fill) return topo__fail(err, errlen, TOPO_ENOMEM, "out of memory for the adjacency");
  memcpy(fill, g->adj_off, sizeof *fill * g->n_nodes);
  for (uint32_t l = 0; l < g->n_links; l++) {
    g->adj_arc[fill[g->link_a[l]]++] = 2 * l;
    g->adj_arc[fill[g->link_b[l]]++] = 2 * l + 1;
  }
  free(fill);
  return 0;
}

/* ---- layout ---- */
uint32_t topo__layout_per_row(const topo_layout_spec *ls, uint32_t ncab) {
  uint32_t per_row = ls->cabinets_per_row > 0 ? (uint32_t)ls->cabinets_per_row
                                              : (uint32_t)ceil(sqrt((double)(ncab ? ncab : 1)));
  return per_row ? per_row : 1;
}

double topo__layout_length_m(const topo_layout_spec *ls, uint32_t per_row, uint32_t ca, uint32_t cb) {
  long xa = (long)(ca % per_row), ya = (long)(ca / per_row);
  long xb = (long)(cb % per_row), yb = (long)(cb / per_row);
  return (double)labs(xa - xb) * ls->cabinet_pitch_m + (double)labs(ya - yb) * ls->row_pitch_m + ls->overhead_m;
}

void topo_layout_apply(topo_graph *g, const topo_layout_spec *ls) {
  uint32_t per_row = topo__layout_per_row(ls, g->n_cabinets);
  for (uint32_t l = 0; l < g->n_links; l++) {
    int32_t ca = g->cabinet[g->link_a[l]], cb = g->cabinet[g->link_b[l]];
    if (ca < 0 || cb < 0 || ca == cb) {
      g->medium[l] = TOPO_ELECTRICAL;
      g->length_m[l] = (float)ls->intra_cabinet_m;
      continue;
    }
    double len = topo__layout_length_m(ls, per_row, (uint32_t)ca, (uint32_t)cb);
    g->length_m[l] = (float)len;
    g->medium[l] = (uint8_t)topo__layout_medium(ls, len);
  }
}

uint64_t topo_estimate_bytes(const topo_counts *c) {
  /* The figures of topo_memory_bytes(), from counts: per node 18 B of attributes, 4 B of CSR offset,
   * 4 B of endpoint slot (reserved for every node) and 4 B of topo_finalize()'s fill counter; per
   * link 26 B plus 2 x 4 B of CSR arcs. Saturates instead of wrapping for absurd counts. */
  const double per_node = 18.0 + 4.0 + 4.0 + 4.0, per_link = 26.0 + 8.0;
  double nodes = (double)c->endpoints + (double)c->switches + (double)c->nics + (double)c->nvswitches +
                 (double)c->pcie_switches + (double)c->hosts + 16.0;
  double links = (double)c->switch_links + (double)c->endpoint_links + (double)c->internal_links + 16.0;
  double b = nodes * per_node + links * per_link + (double)sizeof(topo_graph);
  return b >= 1.8e19 ? UINT64_MAX : (uint64_t)b;
}

size_t topo_memory_bytes(const topo_graph *g) {
  size_t n = g->n_nodes, m = g->n_links;
  size_t per_node = sizeof *g->kind + sizeof *g->tier + sizeof *g->plane + sizeof *g->radix + sizeof *g->host +
                    sizeof *g->group + sizeof *g->cabinet + sizeof *g->adj_off;
  size_t per_link = sizeof *g->link_a + sizeof *g->link_b + sizeof *g->bw_Bps + sizeof *g->lat_ps + sizeof *g->cls +
                    sizeof *g->medium + sizeof *g->length_m + 2 * sizeof *g->adj_arc;
  return sizeof *g + n * per_node + (size_t)g->n_endpoints * sizeof *g->endpoint_node + m * per_link;
}

/* ---- checks ---- */
int topo_check_graph(const topo_graph *g, topo_check *out) {
  TOPO_ASSERT(g->adj_off != NULL);
  memset(out, 0, sizeof *out);
  out->radix_ok = 1;
  out->worst_switch = UINT32_MAX;
  for (uint32_t v = 0; v < g->n_nodes; v++)
    if (g->kind[v] == TOPO_SWITCH && topo_degree(g, v) > g->radix[v]) {
      out->radix_ok = 0;
      if (out->worst_switch == UINT32_MAX || topo_degree(g, v) > topo_degree(g, out->worst_switch))
        out->worst_switch = v;
    }
  /* Components by BFS over every node. */
  uint32_t *comp = malloc(sizeof *comp * (g->n_nodes + 1));
  uint32_t *q = malloc(sizeof *q * (g->n_nodes + 1));
  if (!comp || !q) {
    free(comp);
    free(q);
    return TOPO_ENOMEM;
  }
  for (uint32_t v = 0; v < g->n_nodes; v++) comp[v] = UINT32_MAX;
  for (uint32_t s = 0; s < g->n_nodes; s++) {
    if (comp[s] != UINT32_MAX) continue;
    uint32_t c = out->components++, head = 0, tail = 0;
    comp[s] = c;
    q[tail++] = s;
    while (head < tail) {
      uint32_t v = q[head++];
      for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++) {
        uint32_t w = topo_arc_to(g, g->adj_arc[i]);
        if (comp[w] == UINT32_MAX) {
          comp[w] = c;
          q[tail++] = w;
        }
      }
    }
  }
  out->connected = out->components <= 1;
  free(comp);
  free(q);
  return 0;
}

int topo_bfs_switches(const topo_graph *g, uint32_t src, uint8_t *dist, uint32_t *queue) {
  TOPO_ASSERT(src < g->n_nodes && g->kind[src] == TOPO_SWITCH);
  memset(dist, 0xff, g->n_nodes);
  uint32_t head = 0, tail = 0;
  dist[src] = 0;
  queue[tail++] = src;
  int ecc = 0;
  while (head < tail) {
    uint32_t v = queue[head++];
    uint8_t dv = dist[v];
    if (dv > ecc) ecc = dv;
    for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++) {
      uint32_t w = topo_arc_to(g, g->adj_arc[i]);
      if (g->kind[w] != TOPO_SWITCH || dist[w] != UINT8_MAX) continue;
      dist[w] = (uint8_t)(dv + 1);
      queue[tail++] = w;
    }
  }
  return ecc;
}

uint32_t topo_endpoint_switch(const topo_graph *g, uint32_t ep) {
  TOPO_ASSERT(ep < g->n_endpoints);
  uint32_t v = g->endpoint_node[ep];
  /* A bare endpoint hangs off its switch; a GPU reaches the fabric through its own NIC. */
  for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++) {
    uint32_t w = topo_arc_to(g, g->adj_arc[i]);
    if (g->kind[w] == TOPO_SWITCH) return w;
  }
  /* A GPU's own NIC is the next node id (topo__add_host adds them in pairs). */
  if (g->kind[v] == TOPO_GPU && v + 1 < g->n_nodes && g->kind[v + 1] == TOPO_NIC) {
    uint32_t nic = v + 1;
    for (uint32_t k = g->adj_off[nic]; k < g->adj_off[nic + 1]; k++) {
      uint32_t sw = topo_arc_to(g, g->adj_arc[k]);
      if (g->kind[sw] == TOPO_SWITCH) return sw;
    }
  }
  return UINT32_MAX;
}

/* ---- dispatch ---- */
static const topo__family_ops *family_ops(topo_family f) {
  switch (f) {
  case TOPO_FT2: return &topo__ft2_ops;
  case TOPO_FT3: return &topo__ft3_ops;
  case TOPO_MRFT: return &topo__mrft_ops;
  case TOPO_MPFT: return &topo__mpft_ops;
  case TOPO_SLIMFLY: return &topo__sf_ops;
  case TOPO_DRAGONFLY: return &topo__df_ops;
  case TOPO_NODE: return &topo__node_ops;
  default: return NULL;
  }
}

int topo_count(const topo_spec *spec, topo_counts *out, char *err, size_t errlen) {
  const topo__family_ops *ops = family_ops(spec->family);
  if (!ops) return topo__fail(err, errlen, TOPO_EINVAL, "family: unknown (%d)", (int)spec->family);
  memset(out, 0, sizeof *out);
  return ops->count(spec, out, err, errlen);
}

/* "4.44 GiB", "512 KiB", "100 B" for messages. */
static void human_bytes(uint64_t b, char *out, size_t len) {
  static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = (double)b;
  int i = 0;
  while (v >= 1024.0 && i < 6) {
    v /= 1024.0;
    i++;
  }
  if (i == 0) snprintf(out, len, "%llu B", (unsigned long long)b);
  else snprintf(out, len, "%.2f %s", v, u[i]);
}

int topo_check_size(const topo_spec *spec, const topo_counts *c, char *err, size_t errlen) {
  uint64_t nodes = c->endpoints + c->switches + c->nics + c->nvswitches + c->pcie_switches + c->hosts + 16;
  uint64_t links = c->switch_links + c->endpoint_links + c->internal_links + 16;
  uint64_t est = topo_estimate_bytes(c), lim = topo_graph_limit(spec);
  if (est > lim || nodes > UINT32_MAX / 2 || links > UINT32_MAX / 4) {
    const char *key = spec->family == TOPO_SLIMFLY ? "slimfly.q"
                      : spec->family == TOPO_DRAGONFLY ? "dragonfly.g"
                      : spec->family == TOPO_NODE || spec->endpoints ? "endpoints" : "radix";
    long long kv = spec->family == TOPO_SLIMFLY ? spec->sf_q
                   : spec->family == TOPO_DRAGONFLY ? spec->df_g
                   : spec->family == TOPO_NODE || spec->endpoints ? spec->endpoints : spec->radix;
    char eb[32], lb[32];
    human_bytes(est, eb, sizeof eb);
    human_bytes(lim, lb, sizeof lb);
    if (nodes > UINT32_MAX / 2 || links > UINT32_MAX / 4)
      return topo__fail(err, errlen, TOPO_ETOOBIG,
                        "%s: %lld: this %s has %llu endpoints, %llu nodes and %llu links (about %s); graph ids are "
                        "32-bit: at most %u nodes and %u links can be built",
                        key, kv, topo_family_name(spec->family), (unsigned long long)c->endpoints,
                        (unsigned long long)nodes, (unsigned long long)links, eb, UINT32_MAX / 2, UINT32_MAX / 4);
    return topo__fail(err, errlen, TOPO_ETOOBIG,
                      "%s: %lld: this %s of %llu endpoints needs about %s for its graph (%llu nodes, %llu links), "
                      "above the limit of %s; raise the limit with CLUSTERSIM_MAX_GRAPH_BYTES=%lluG (bytes, or "
                      "with K/M/G/T) if the machine has the memory",
                      key, kv, topo_family_name(spec->family), (unsigned long long)c->endpoints, eb,
                      (unsigned long long)nodes, (unsigned long long)links, lb, (unsigned long long)((est >> 30) + 1));
  }
  return 0;
}

int topo_build(const topo_spec *spec, topo_graph **out, char *err, size_t errlen) {
  *out = NULL;
  const topo__family_ops *ops = family_ops(spec->family);
  if (!ops) return topo__fail(err, errlen, TOPO_EINVAL, "family: unknown (%d)", (int)spec->family);
  topo_counts c;
  memset(&c, 0, sizeof c);
  int rc = ops->count(spec, &c, err, errlen);
  if (rc < 0) return rc;
  if (spec->formula_only)
    return topo__fail(err, errlen, TOPO_ENOGRAPH,
                      "%s: formula_only: counts and cost only, no graph is built (q=%d is %s)",
                      topo_family_name(spec->family), spec->sf_q,
                      topo__is_prime_power(spec->sf_q, NULL, NULL) ? "a prime power" : "not a prime power");
  rc = topo_check_size(spec, &c, err, errlen);
  if (rc < 0) return rc;
  uint64_t nodes = c.endpoints + c.switches + c.nics + c.nvswitches + c.pcie_switches + c.hosts + 16;
  uint64_t links = c.switch_links + c.endpoint_links + c.internal_links + 16;
  topo_graph *g = topo_graph_new((uint32_t)nodes, (uint32_t)links);
  g->spec = *spec;
  g->counts = c;
  rc = ops->build(spec, g, err, errlen);
  if (rc == 0) {
    topo_layout_apply(g, &spec->layout);
    rc = topo_finalize(g, err, errlen);
  }
  if (rc < 0) {
    topo_free(g);
    return rc;
  }
  *out = g;
  return 0;
}

void topo_cables_of(const topo_graph *g, topo_cables *out) {
  memset(out, 0, sizeof *out);
  for (uint32_t l = 0; l < g->n_links; l++) {
    if (g->cls[l] != TOPO_IB && g->cls[l] != TOPO_ETH) continue;
    int sw = g->kind[g->link_a[l]] == TOPO_SWITCH && g->kind[g->link_b[l]] == TOPO_SWITCH;
    int k = sw ? 0 : 1;
    out->n[k][g->medium[l]]++;
    out->m[k][g->medium[l]] += (double)g->length_m[l];
  }
}

int topo_cables_formula(const topo_spec *spec, topo_cables *out, char *err, size_t errlen) {
  const topo__family_ops *ops = family_ops(spec->family);
  if (!ops) return topo__fail(err, errlen, TOPO_EINVAL, "family: unknown (%d)", (int)spec->family);
  memset(out, 0, sizeof *out);
  if (ops->cables_formula) return ops->cables_formula(spec, out, err, errlen);
  topo_graph *g = NULL;
  int rc = topo_build(spec, &g, err, errlen);
  if (rc < 0) return rc;
  topo_cables_of(g, out);
  topo_free(g);
  return 0;
}
