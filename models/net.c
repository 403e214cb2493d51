/* net.c: the flow-level network model (net.h).
 *
 * State. A message (nmsg) owns one or more subflows (nflow, chained by next_sub). A flow crosses
 * n_hops arcs; its arc ids and, for each, its position in that arc's flow list live in a hop block
 * (hop_arc/hop_pos at hop_off .. hop_off + n_hops), allocated from per-length free lists so that
 * blocks are reused without fragmentation. Each arc keeps the list of its flows as packed entries
 * (flow << 8 | hop index) so that a flow can be removed in O(1) by swap-with-last, the moved
 * entry's hop_pos being fixed through its hop index.
 *
 * Invariant between solves: a flow's `rate` is constant since `last_ps`, `remaining` is its byte
 * count at last_ps, and its end event (ev) is at last_ps + ceil(remaining / rate) picoseconds;
 * rate 0 (new flow before its solve, or starved by higher priorities) has no end event.
 *
 * Solve (one per instant with changes, on the engine: a zero-delay event scheduled at the first
 * change, so every change already queued for that picosecond is included):
 *   1. component: breadth-first from the dirty arcs (whose flow set changed) through their flows to
 *      the flows' other arcs. Rates outside it cannot change: max-min allocations only interact
 *      through shared arcs. Cost O(flows x hops + arcs) of the component.
 *   2. weighted progressive filling per priority level (0 first): every arc gets share =
 *      remaining capacity / sum of weights of its unfrozen flows; repeatedly the arc with the
 *      smallest share (an indexed binary heap) freezes its unfrozen flows at weight x share, which
 *      is subtracted from their other arcs; those arcs are re-keyed once per popped arc (not once
 *      per flow), which keeps heap work near O(arcs touched x log arcs). Level p starts from what
 *      levels < p left.
 *   3. every flow of the component whose rate changed is settled at the old rate and its end
 *      event moved; unchanged flows are not touched (their events stay valid).
 * Rejected: recomputing the whole network per event (what "incremental" forbids); exact
 * incremental max-min that re-freezes only the flows a change un-bottlenecks (complex, and its
 * worst case is the component anyway); coalescing completions within a time window (changes
 * results; only same-picosecond changes are merged).
 */
#include "net.h"
#include "net_pkt_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE32 UINT32_MAX

typedef struct arcv {
  uint64_t *v;      /* entries: flow << 8 | hop index */
  uint32_t n, cap;
} arcv;

typedef struct nflow {
  double remaining;    /* bytes as of last_ps */
  double rate;         /* bytes/s since last_ps */
  double weight;
  double new_rate;     /* solve scratch */
  sim_time_ps last_ps;
  sim_event_id ev;
  uint32_t hop_off;
  uint32_t msg;
  uint32_t next_sub;   /* next subflow of the same message, or NONE32 */
  uint32_t mark;       /* solve epoch */
  uint8_t n_hops, prio, frozen, live;
} nflow;

typedef struct nmsg {
  double bytes;
  sim_time_ps t_send, lat_ps;
  net_done_fn done;
  void *ctx;
  uint64_t tag;
  uint32_t src, dst;
  uint32_t gen;        /* generation: ids of reused slots differ */
  uint32_t pending;    /* subflows not yet through */
  uint32_t first_sub;  /* NONE32 once all subflows are through */
  /* pooled (sprayed over k > 1 routes): the subflows draw from one byte pool, so bytes go wherever
   * there is capacity (as sprayed packets do); the message, not its subflows, has the end event */
  double remaining, rate;
  sim_time_ps last_ps;
  sim_event_id ev;
  uint32_t mark;       /* solve epoch */
  uint8_t prio, live, pooled;
} nmsg;

struct net_model {
  const net_impl_ops *ops;   /* the model answering the public calls: flow_ops below or net_pkt_ops */
  net_pkt *pkt;              /* the packet model's state (NULL for the flow model) */
  sim_engine *e;
  const topo_graph *g;
  net_opts o;
  topo_router *router;
  uint32_t n_arcs;
  topo_class fabric_cls;

  /* arcs */
  double *cap;         /* bytes/s */
  arcv *list;
  double *arc_rate, *arc_bytes;
  sim_time_ps *arc_last;
  /* solve scratch per arc */
  double *rem, *wsum;
  uint32_t *nunf, *amark, *hpos_heap, *touch_mark;
  double *d_rem, *d_w;   /* per-arc changes of one pop, applied arc by arc (fill_level) */
  uint32_t *d_n;
  uint32_t *heap, heap_n;
  uint32_t epoch;

  /* flows */
  nflow *f;
  uint32_t f_n, f_cap;          /* slots used (high-water), capacity */
  uint32_t *f_free, f_free_n;
  /* hop blocks */
  uint32_t *hop_arc, *hop_pos;
  uint32_t hop_n, hop_cap;
  uint32_t hop_free[TOPO_ROUTE_MAX + 1];   /* head block offset per length, NONE32 empty */

  /* messages */
  nmsg *m;
  uint32_t m_n, m_cap;
  uint32_t *m_free, m_free_n;
  uint64_t seq;                 /* messages sent: ECMP default salt, UGAL seeds */

  /* dirty arcs and the component */
  uint32_t *dirty, dirty_n, dirty_cap, *dmark;
  uint32_t dirty_epoch;
  uint32_t *comp_arcs, comp_arcs_cap, comp_arcs_n;
  uint32_t *comp_flows, comp_flows_cap, comp_flows_n;
  uint32_t *pool_msgs, pool_msgs_cap, pool_msgs_n;   /* pooled messages whose rate changed in a solve */
  uint32_t *touched, touched_n;
  int solve_pending;

  topo_route cand[TOPO_ROUTE_MAX];
  net_stats st;
  size_t list_bytes;
};

/* ---------- small helpers ---------- */

void *net__xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    fprintf(stderr, "%s:%d: out of memory (%zu bytes)\n", __FILE__, __LINE__, n);
    abort();
  }
  return q;
}


static void update_bytes_stat(net_model *n) {
  size_t b = sizeof *n + (size_t)n->n_arcs * (sizeof(double) * 7 + sizeof(arcv) + sizeof(sim_time_ps) +
                                              sizeof(uint32_t) * 7);
  b += (size_t)n->f_cap * (sizeof(nflow) + sizeof(uint32_t));
  b += (size_t)n->hop_cap * 2 * sizeof(uint32_t);
  b += (size_t)n->m_cap * (sizeof(nmsg) + sizeof(uint32_t));
  b += (size_t)(n->dirty_cap + n->comp_arcs_cap + n->comp_flows_cap) * sizeof(uint32_t);
  b += n->list_bytes;
  n->st.bytes = b;
  if (b > n->st.peak_bytes) n->st.peak_bytes = b;
}

void net_opts_init(net_opts *o) {
  memset(o, 0, sizeof *o);
  net_pkt_spec_defaults(&o->pkt);
}

const char *net_model_kind_name(net_model_kind k) {
  switch (k) {
  case NET_MODEL_FLOW: return "flow";
  case NET_MODEL_PACKET: return "packet";
  default: return "?";
  }
}

int net_model_kind_parse(const char *s, net_model_kind *out) {
  for (int k = 0; k < NET_MODEL_COUNT; k++)
    if (s && strcmp(s, net_model_kind_name((net_model_kind)k)) == 0) {
      *out = (net_model_kind)k;
      return 0;
    }
  return -1;
}

static const net_impl_ops flow_ops;

static double ps_to_s(sim_time_ps t) { return (double)t * 1e-12; }

/* ---------- construction ---------- */

net_model *net_new(sim_engine *e, const topo_graph *g, const net_opts *o, char *err, size_t errlen) {
  if (!e || !g || !o) {
    snprintf(err, errlen, "net_new: engine, graph and options are required");
    return NULL;
  }
  if ((unsigned)o->model >= NET_MODEL_COUNT) {
    snprintf(err, errlen, "net_new: model %d out of range (allowed: flow, packet)", (int)o->model);
    return NULL;
  }
  if ((unsigned)o->routing >= TOPO_ROUTING_COUNT || o->adaptive_paths < 0 || o->adaptive_paths > TOPO_ROUTE_MAX ||
      o->spray < 0 || o->spray > TOPO_ROUTE_MAX || o->ugal_nonminimal < 0 || o->ugal_nonminimal >= TOPO_ROUTE_MAX) {
    snprintf(err, errlen,
             "net_new: options out of range (routing %d, adaptive_paths %d, spray %d, ugal_nonminimal %d; allowed: "
             "adaptive_paths and spray 0..%d, ugal_nonminimal 0..%d)",
             (int)o->routing, o->adaptive_paths, o->spray, o->ugal_nonminimal, TOPO_ROUTE_MAX, TOPO_ROUTE_MAX - 1);
    return NULL;
  }
  for (int m = 0; m < TOPO_MEDIUM_COUNT; m++)
    if (!(o->lat.prop_ps_per_m[m] >= 0)) {
      snprintf(err, errlen, "net_new: propagation per metre must be >= 0 (medium %s: %g ps/m)",
               topo_medium_name((topo_medium)m), o->lat.prop_ps_per_m[m]);
      return NULL;
    }
  net_model *n = calloc(1, sizeof *n);
  if (!n) {
    snprintf(err, errlen, "net_new: out of memory");
    return NULL;
  }
  n->ops = &flow_ops;
  n->e = e;
  n->g = g;
  n->o = *o;
  if (n->o.adaptive_paths == 0) n->o.adaptive_paths = 16;
  if (n->o.spray == 0) n->o.spray = 1;
  if (n->o.ugal_nonminimal == 0) n->o.ugal_nonminimal = 4;
#ifndef NDEBUG
  n->o.check = 1;
#endif
  n->router = topo_router_new(g, o->router_cache_bytes);
  if (!n->router) {
    free(n);
    snprintf(err, errlen, "net_new: cannot create the router (out of memory)");
    return NULL;
  }
  n->n_arcs = 2 * g->n_links;
  n->fabric_cls = TOPO_IB;
  for (uint32_t l = 0; l < g->n_links; l++)
    if (g->cls[l] == TOPO_IB || g->cls[l] == TOPO_ETH) {
      n->fabric_cls = (topo_class)g->cls[l];
      break;
    }
  size_t A = n->n_arcs ? n->n_arcs : 1;
  n->cap = net__xrealloc(NULL, A * sizeof(double));
  n->list = calloc(A, sizeof(arcv));
  n->arc_rate = calloc(A, sizeof(double));
  n->arc_bytes = calloc(A, sizeof(double));
  n->arc_last = calloc(A, sizeof(sim_time_ps));
  n->rem = calloc(A, sizeof(double));
  n->wsum = calloc(A, sizeof(double));
  n->nunf = calloc(A, sizeof(uint32_t));
  n->amark = calloc(A, sizeof(uint32_t));
  n->dmark = calloc(A, sizeof(uint32_t));
  n->touch_mark = calloc(A, sizeof(uint32_t));
  n->d_rem = calloc(A, sizeof(double));
  n->d_w = calloc(A, sizeof(double));
  n->d_n = calloc(A, sizeof(uint32_t));
  n->hpos_heap = net__xrealloc(NULL, A * sizeof(uint32_t));
  n->heap = net__xrealloc(NULL, A * sizeof(uint32_t));
  n->touched = net__xrealloc(NULL, A * sizeof(uint32_t));
  if (!n->list || !n->arc_rate || !n->arc_bytes || !n->arc_last || !n->rem || !n->wsum || !n->nunf || !n->amark ||
      !n->dmark || !n->touch_mark || !n->d_rem || !n->d_w || !n->d_n) {
    net_free(n);
    snprintf(err, errlen, "net_new: out of memory for %u arcs", n->n_arcs);
    return NULL;
  }
  for (uint32_t a = 0; a < n->n_arcs; a++) {
    n->cap[a] = g->bw_Bps[a >> 1];
    n->hpos_heap[a] = NONE32;
  }
  for (int i = 0; i <= TOPO_ROUTE_MAX; i++) n->hop_free[i] = NONE32;
  n->epoch = 0;
  n->dirty_epoch = 1;
  update_bytes_stat(n);
  if (o->model == NET_MODEL_PACKET) {
    n->pkt = net_pkt_new(n, err, errlen);
    if (!n->pkt) {
      net_free(n);
      return NULL;
    }
    n->ops = &net_pkt_ops;
  }
  return n;
}

void net_free(net_model *n) {
  if (!n) return;
  net_pkt_free(n->pkt);
  if (n->list)
    for (uint32_t a = 0; a < n->n_arcs; a++) free(n->list[a].v);
  free(n->list);
  free(n->cap);
  free(n->arc_rate);
  free(n->arc_bytes);
  free(n->arc_last);
  free(n->rem);
  free(n->wsum);
  free(n->nunf);
  free(n->amark);
  free(n->dmark);
  free(n->touch_mark);
  free(n->d_rem);
  free(n->d_w);
  free(n->d_n);
  free(n->hpos_heap);
  free(n->heap);
  free(n->touched);
  free(n->f);
  free(n->f_free);
  free(n->hop_arc);
  free(n->hop_pos);
  free(n->m);
  free(n->m_free);
  free(n->dirty);
  free(n->comp_arcs);
  free(n->comp_flows);
  free(n->pool_msgs);
  topo_router_free(n->router);
  free(n);
}

sim_engine *net_engine(const net_model *n) { return n->e; }
const topo_graph *net_graph(const net_model *n) { return n->g; }

/* ---------- pools ---------- */

static uint32_t flow_alloc(net_model *n) {
  if (n->f_free_n) return n->f_free[--n->f_free_n];
  if (n->f_n == n->f_cap) {
    n->f_cap = n->f_cap ? 2 * n->f_cap : 1024;
    n->f = net__xrealloc(n->f, (size_t)n->f_cap * sizeof(nflow));
    n->f_free = net__xrealloc(n->f_free, (size_t)n->f_cap * sizeof(uint32_t));
    update_bytes_stat(n);
  }
  return n->f_n++;
}

static uint32_t hop_alloc(net_model *n, uint32_t len) {
  uint32_t off = n->hop_free[len];
  if (off != NONE32) {
    n->hop_free[len] = n->hop_arc[off];
    return off;
  }
  if (n->hop_n + len > n->hop_cap) {
    uint32_t c = n->hop_cap ? n->hop_cap : 8192;
    while (n->hop_n + len > c) c *= 2;
    n->hop_arc = net__xrealloc(n->hop_arc, (size_t)c * sizeof(uint32_t));
    n->hop_pos = net__xrealloc(n->hop_pos, (size_t)c * sizeof(uint32_t));
    n->hop_cap = c;
    update_bytes_stat(n);
  }
  off = n->hop_n;
  n->hop_n += len;
  return off;
}

static void hop_release(net_model *n, uint32_t off, uint32_t len) {
  n->hop_arc[off] = n->hop_free[len];
  n->hop_free[len] = off;
}

static uint32_t msg_alloc(net_model *n) {
  if (n->m_free_n) return n->m_free[--n->m_free_n];
  if (n->m_n == n->m_cap) {
    n->m_cap = n->m_cap ? 2 * n->m_cap : 1024;
    n->m = net__xrealloc(n->m, (size_t)n->m_cap * sizeof(nmsg));
    n->m_free = net__xrealloc(n->m_free, (size_t)n->m_cap * sizeof(uint32_t));
    update_bytes_stat(n);
  }
  n->m[n->m_n].gen = 0;
  return n->m_n++;
}

static void arcv_push(net_model *n, uint32_t a, uint64_t entry) {
  arcv *v = &n->list[a];
  if (v->n == v->cap) {
    uint32_t c = v->cap ? 2 * v->cap : 4;
    v->v = net__xrealloc(v->v, (size_t)c * sizeof(uint64_t));
    n->list_bytes += (size_t)(c - v->cap) * sizeof(uint64_t);
    v->cap = c;
  }
  v->v[v->n++] = entry;
}

static void mark_dirty(net_model *n, uint32_t a) {
  if (n->dmark[a] == n->dirty_epoch) return;
  n->dmark[a] = n->dirty_epoch;
  if (n->dirty_n == n->dirty_cap) {
    n->dirty_cap = n->dirty_cap ? 2 * n->dirty_cap : 1024;
    n->dirty = net__xrealloc(n->dirty, (size_t)n->dirty_cap * sizeof(uint32_t));
  }
  n->dirty[n->dirty_n++] = a;
}

/* ---------- arc accounting ---------- */

/* Brings arc a's byte count to now and changes its summed rate by d. */
static void arc_rate_add(net_model *n, uint32_t a, sim_time_ps now, double d) {
  n->arc_bytes[a] += n->arc_rate[a] * ps_to_s(now - n->arc_last[a]);
  n->arc_last[a] = now;
  n->arc_rate[a] += d;
  if (n->list[a].n == 0 || n->arc_rate[a] < 0) n->arc_rate[a] = 0;   /* no drift below zero or on an idle arc */
}

/* Brings a flow's remaining bytes to `now` under its current rate. */
/* Returns the bytes it overshot (end events are rounded up to the next picosecond: a flow ending
 * there has sent up to rate x 1 ps more than it had), for the arcs' byte counts. */
static double flow_settle(nflow *f, sim_time_ps now) {
  double over = 0;
  if (now > f->last_ps && f->rate > 0) {
    f->remaining -= f->rate * ps_to_s(now - f->last_ps);
    if (f->remaining < 0) {
      over = -f->remaining;
      f->remaining = 0;
    }
  }
  f->last_ps = now;
  return over;
}

/* ---------- the solve ---------- */

static void handle_flow_end(sim_engine *e, void *ctx, uint64_t arg);
static void handle_msg_end(sim_engine *e, void *ctx, uint64_t arg);
static void handle_deliver(sim_engine *e, void *ctx, uint64_t arg);
static void handle_solve(sim_engine *e, void *ctx, uint64_t arg);

static void request_solve(net_model *n) {
  if (n->solve_pending) return;
  n->solve_pending = 1;
  sim_schedule(n->e, 0, handle_solve, n, 0);
}

static inline double key_of(const net_model *n, uint32_t a) { return n->rem[a] / n->wsum[a]; }

/* Indexed binary min-heap of arcs by share; ties by arc id (deterministic). */
static inline int heap_less(const net_model *n, uint32_t a, uint32_t b) {
  double ka = key_of(n, a), kb = key_of(n, b);
  return ka < kb || (ka == kb && a < b);
}

static void heap_set(net_model *n, uint32_t i, uint32_t a) {
  n->heap[i] = a;
  n->hpos_heap[a] = i;
}

static void sift_up(net_model *n, uint32_t i) {
  uint32_t a = n->heap[i];
  while (i > 0) {
    uint32_t p = (i - 1) / 2;
    if (!heap_less(n, a, n->heap[p])) break;
    heap_set(n, i, n->heap[p]);
    i = p;
  }
  heap_set(n, i, a);
}

static void sift_down(net_model *n, uint32_t i) {
  uint32_t a = n->heap[i];
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= n->heap_n) break;
    if (c + 1 < n->heap_n && heap_less(n, n->heap[c + 1], n->heap[c])) c++;
    if (!heap_less(n, n->heap[c], a)) break;
    heap_set(n, i, n->heap[c]);
    i = c;
  }
  heap_set(n, i, a);
}

static void heap_remove(net_model *n, uint32_t a) {
  uint32_t i = n->hpos_heap[a];
  if (i == NONE32) return;
  n->hpos_heap[a] = NONE32;
  uint32_t last = n->heap[--n->heap_n];
  if (i == n->heap_n) return;
  heap_set(n, i, last);
  sift_up(n, i);
  sift_down(n, n->hpos_heap[last]);
}

static void heap_rekey(net_model *n, uint32_t a) {
  uint32_t i = n->hpos_heap[a];
  if (i == NONE32) return;
  sift_up(n, i);
  sift_down(n, n->hpos_heap[a]);
}

static void push_u32(uint32_t **v, uint32_t *len, uint32_t *cap, uint32_t x) {
  if (*len == *cap) {
    *cap = *cap ? 2 * *cap : 1024;
    *v = net__xrealloc(*v, (size_t)*cap * sizeof(uint32_t));
  }
  (*v)[(*len)++] = x;
}

static void collect_component(net_model *n) {
  n->epoch++;
  if (n->epoch == 0) {   /* wrapped: clear the marks once every 2^32 solves */
    memset(n->amark, 0, (size_t)n->n_arcs * sizeof(uint32_t));
    for (uint32_t i = 0; i < n->f_n; i++) n->f[i].mark = 0;
    for (uint32_t i = 0; i < n->m_n; i++) n->m[i].mark = 0;
    n->epoch = 1;
  }
  const uint32_t ep = n->epoch;
  n->comp_arcs_n = n->comp_flows_n = 0;
  for (uint32_t i = 0; i < n->dirty_n; i++) {
    uint32_t a = n->dirty[i];
    if (n->amark[a] != ep) {
      n->amark[a] = ep;
      push_u32(&n->comp_arcs, &n->comp_arcs_n, &n->comp_arcs_cap, a);
    }
  }
  for (uint32_t i = 0; i < n->comp_arcs_n; i++) {
    const arcv *v = &n->list[n->comp_arcs[i]];
    for (uint32_t k = 0; k < v->n; k++) {
      uint32_t fi = (uint32_t)(v->v[k] >> 8);
      nflow *f = &n->f[fi];
      if (f->mark == ep) continue;
      f->mark = ep;
      push_u32(&n->comp_flows, &n->comp_flows_n, &n->comp_flows_cap, fi);
      const uint32_t *h = &n->hop_arc[f->hop_off];
      for (uint32_t j = 0; j < f->n_hops; j++) {
        uint32_t b = h[j];
        if (n->amark[b] != ep) {
          n->amark[b] = ep;
          push_u32(&n->comp_arcs, &n->comp_arcs_n, &n->comp_arcs_cap, b);
        }
      }
    }
  }
}

/* Progressive filling of priority level p over the component (rem already holds what higher levels
 * left). Sets new_rate of the level's flows. */
static void fill_level(net_model *n, uint8_t p) {
  for (uint32_t i = 0; i < n->comp_arcs_n; i++) {
    uint32_t a = n->comp_arcs[i];
    n->wsum[a] = 0;
    n->nunf[a] = 0;
  }
  for (uint32_t i = 0; i < n->comp_flows_n; i++) {
    nflow *f = &n->f[n->comp_flows[i]];
    if (f->prio != p) continue;
    f->frozen = 0;
    f->new_rate = 0;
    const uint32_t *h = &n->hop_arc[f->hop_off];
    for (uint32_t j = 0; j < f->n_hops; j++) {
      n->wsum[h[j]] += f->weight;
      n->nunf[h[j]]++;
    }
  }
  n->heap_n = 0;
  for (uint32_t i = 0; i < n->comp_arcs_n; i++) {
    uint32_t a = n->comp_arcs[i];
    if (n->rem[a] < 0) n->rem[a] = 0;
    if (n->nunf[a]) heap_set(n, n->heap_n++, a);
  }
  if (n->heap_n > 1)
    for (uint32_t i = n->heap_n / 2; i-- > 0;) sift_down(n, i);

  const uint32_t tep = n->epoch;
  while (n->heap_n) {
    uint32_t a = n->heap[0];
    heap_remove(n, a);
    double share = n->rem[a] > 0 ? n->rem[a] / n->wsum[a] : 0.0;
    n->touched_n = 0;
    const arcv *v = &n->list[a];
    for (uint32_t k = 0; k < v->n; k++) {
      nflow *f = &n->f[v->v[k] >> 8];
      if (f->prio != p || f->frozen) continue;
      f->frozen = 1;
      double r = f->weight * share;
      f->new_rate = r;
      const uint32_t *h = &n->hop_arc[f->hop_off];
      for (uint32_t j = 0; j < f->n_hops; j++) {
        uint32_t b = h[j];
        if (b == a) continue;   /* a is out of the heap and saturated: set below */
        if (n->touch_mark[b] != tep) {
          n->touch_mark[b] = tep;
          n->touched[n->touched_n++] = b;
        }
        n->d_rem[b] += r;       /* applied below, one arc at a time */
        n->d_w[b] += f->weight;
        n->d_n[b]++;
      }
    }
    n->rem[a] = 0;   /* a is saturated (or starved): exactly nothing left for this level */
    n->wsum[a] = 0;
    n->nunf[a] = 0;
    /* Re-key each touched arc right after applying its own change: then it is the only entry out
     * of place when it is sifted, which is what sift_up/sift_down need. (Changing every key first
     * and sifting afterwards breaks the heap: an entry whose key rose can hide a smaller one below
     * it, which is then never popped in order.) */
    for (uint32_t t = 0; t < n->touched_n; t++) {
      uint32_t b = n->touched[t];
      n->touch_mark[b] = 0;
      n->rem[b] -= n->d_rem[b];
      n->wsum[b] -= n->d_w[b];
      n->nunf[b] -= n->d_n[b];
      n->d_rem[b] = n->d_w[b] = 0;
      n->d_n[b] = 0;
      if (n->nunf[b] == 0) {
        n->wsum[b] = 0;
        heap_remove(n, b);
      } else {
        if (n->rem[b] < 0) n->rem[b] = 0;
        heap_rekey(n, b);
      }
    }
  }
}

/* Picoseconds until `remaining` bytes are through at `rate` (> 0), rounded up: an end event never
 * fires before the bytes are. */
static sim_time_ps end_delay_ps(double remaining, double rate) {
  double dt = remaining / rate * 1e12;
  if (!(dt < 1.8e19)) return SIM_TIME_MAX;   /* beyond the clock (a leftover rate of ~0): no end */
  return dt <= 0 ? 0 : (sim_time_ps)ceil(dt);
}

/* Absolute end time, or SIM_TIME_MAX when it lies beyond the clock: the flow then waits for the
 * next solve that gives it a real rate (rescheduled there). */
static sim_time_ps end_at(sim_time_ps now, double remaining, double rate) {
  sim_time_ps d = end_delay_ps(remaining, rate);
  return d >= SIM_TIME_MAX - now ? SIM_TIME_MAX : now + d;
}

static void reschedule(net_model *n, uint32_t fi, sim_time_ps now) {
  nflow *f = &n->f[fi];
  if (f->ev != SIM_EVENT_NONE) sim_cancel(n->e, f->ev);
  f->ev = SIM_EVENT_NONE;
  if (f->rate <= 0) return;
  sim_time_ps t = end_at(now, f->remaining, f->rate);
  if (t == SIM_TIME_MAX) return;
  f->ev = sim_schedule_at(n->e, t, handle_flow_end, n, fi);
}

static int check_arcs(const net_model *n, const uint32_t *arcs, uint32_t count, char *err, size_t errlen);

static void solve(net_model *n) {
  const sim_time_ps now = sim_now(n->e);
  collect_component(n);
  n->dirty_n = 0;
  n->dirty_epoch++;
  if (n->dirty_epoch == 0) {
    memset(n->dmark, 0, (size_t)n->n_arcs * sizeof(uint32_t));
    n->dirty_epoch = 1;
  }
  n->st.solves++;
  n->st.solve_arcs += n->comp_arcs_n;
  n->st.solve_flows += n->comp_flows_n;

  unsigned levels = 0;
  for (uint32_t i = 0; i < n->comp_flows_n; i++) levels |= 1u << n->f[n->comp_flows[i]].prio;
  for (uint32_t i = 0; i < n->comp_arcs_n; i++) {
    uint32_t a = n->comp_arcs[i];
    n->rem[a] = n->cap[a];
  }
  for (uint8_t p = 0; p < NET_PRIO_LEVELS; p++)
    if (levels & (1u << p)) fill_level(n, p);

  n->pool_msgs_n = 0;
  for (uint32_t i = 0; i < n->comp_flows_n; i++) {
    uint32_t fi = n->comp_flows[i];
    nflow *f = &n->f[fi];
    if (f->new_rate == f->rate) continue;
    double d = f->new_rate - f->rate;
    const uint32_t *h = &n->hop_arc[f->hop_off];
    for (uint32_t j = 0; j < f->n_hops; j++) arc_rate_add(n, h[j], now, d);
    n->st.reschedules++;
    nmsg *m = &n->m[f->msg];
    if (m->pooled) {
      if (m->mark != n->epoch) {   /* first change of this message in this solve: settle the pool */
        m->mark = n->epoch;
        if (now > m->last_ps && m->rate > 0) m->remaining -= m->rate * ps_to_s(now - m->last_ps);
        if (m->remaining < 0) m->remaining = 0;
        m->last_ps = now;
        push_u32(&n->pool_msgs, &n->pool_msgs_n, &n->pool_msgs_cap, f->msg);
      }
      m->rate += d;
      f->rate = f->new_rate;
      continue;
    }
    (void)flow_settle(f, now);   /* not ending: nothing overshot (its end event is later) */
    f->rate = f->new_rate;
    reschedule(n, fi, now);
  }
  for (uint32_t i = 0; i < n->pool_msgs_n; i++) {
    uint32_t mi = n->pool_msgs[i];
    nmsg *m = &n->m[mi];
    if (m->ev != SIM_EVENT_NONE) sim_cancel(n->e, m->ev);
    m->ev = SIM_EVENT_NONE;
    if (m->rate <= 0) {
      m->rate = 0;
      continue;
    }
    sim_time_ps t = end_at(now, m->remaining, m->rate);
    if (t != SIM_TIME_MAX) m->ev = sim_schedule_at(n->e, t, handle_msg_end, n, mi);
  }
  if (n->o.check) {
    char err[256];
    if (check_arcs(n, n->comp_arcs, n->comp_arcs_n, err, sizeof err) < 0) {
      fprintf(stderr, "%s:%d: capacity invariant broken after a solve at %llu ps: %s\n", __FILE__, __LINE__,
              (unsigned long long)now, err);
      abort();
    }
  }
}

static void handle_solve(sim_engine *e, void *ctx, uint64_t arg) {
  (void)e;
  (void)arg;
  net_model *n = ctx;
  n->solve_pending = 0;
  if (n->dirty_n) solve(n);
}

/* ---------- flows and messages ---------- */

static void add_flow(net_model *n, uint32_t mi, const topo_route *r, double bytes, uint8_t prio, double weight) {
  uint32_t fi = flow_alloc(n);
  nflow *f = &n->f[fi];
  memset(f, 0, sizeof *f);
  f->remaining = bytes;
  f->weight = weight;
  f->last_ps = sim_now(n->e);
  f->ev = SIM_EVENT_NONE;
  f->msg = mi;
  f->prio = prio;
  f->live = 1;
  f->n_hops = (uint8_t)r->n;
  f->hop_off = hop_alloc(n, r->n);
  f = &n->f[fi];
  for (uint32_t j = 0; j < r->n; j++) {
    uint32_t a = r->arc[j];
    n->hop_arc[f->hop_off + j] = a;
    n->hop_pos[f->hop_off + j] = n->list[a].n;
    arcv_push(n, a, (uint64_t)fi << 8 | j);
    mark_dirty(n, a);
  }
  nmsg *m = &n->m[mi];
  f->next_sub = m->first_sub;
  m->first_sub = fi;
  m->pending++;
  n->st.flows_started++;
  n->st.active_flows++;
  if (n->st.active_flows > n->st.peak_active_flows) n->st.peak_active_flows = n->st.active_flows;
  request_solve(n);
}

static void remove_flow(net_model *n, uint32_t fi, sim_time_ps now, double over) {
  nflow *f = &n->f[fi];
  for (uint32_t j = 0; j < f->n_hops; j++) {
    uint32_t a = n->hop_arc[f->hop_off + j];
    uint32_t pos = n->hop_pos[f->hop_off + j];
    arcv *v = &n->list[a];
    uint64_t last = v->v[--v->n];
    if (pos != v->n) {
      v->v[pos] = last;
      nflow *g = &n->f[last >> 8];
      n->hop_pos[g->hop_off + (last & 0xFF)] = pos;
    }
    arc_rate_add(n, a, now, -f->rate);
    n->arc_bytes[a] -= over;
    mark_dirty(n, a);
  }
  hop_release(n, f->hop_off, f->n_hops);
  f->live = 0;
  f->rate = 0;
  n->f_free[n->f_free_n++] = fi;
  n->st.flows_done++;
  n->st.active_flows--;
  request_solve(n);
}

static void handle_flow_end(sim_engine *e, void *ctx, uint64_t arg) {
  net_model *n = ctx;
  uint32_t fi = (uint32_t)arg;
  nflow *f = &n->f[fi];
  sim_time_ps now = sim_now(e);
  f->ev = SIM_EVENT_NONE;
  double over = flow_settle(f, now);
  uint32_t mi = f->msg;
  /* unlink from the message's subflow chain */
  nmsg *m = &n->m[mi];
  uint32_t *pp = &m->first_sub;
  while (*pp != fi) pp = &n->f[*pp].next_sub;
  *pp = f->next_sub;
  remove_flow(n, fi, now, over);
  if (--m->pending == 0) sim_schedule(e, m->lat_ps, handle_deliver, n, mi);
}

/* A pooled message's bytes are through: its subflows end together. */
static void handle_msg_end(sim_engine *e, void *ctx, uint64_t arg) {
  net_model *n = ctx;
  uint32_t mi = (uint32_t)arg;
  nmsg *m = &n->m[mi];
  sim_time_ps now = sim_now(e);
  m->ev = SIM_EVENT_NONE;
  double over = 0;   /* bytes sent past the pool (end rounded up to the picosecond), shared by rate */
  if (now > m->last_ps && m->rate > 0) {
    m->remaining -= m->rate * ps_to_s(now - m->last_ps);
    if (m->remaining < 0) over = -m->remaining;
  }
  m->remaining = 0;
  m->last_ps = now;
  double total = m->rate;
  while (m->first_sub != NONE32) {
    uint32_t fi = m->first_sub;
    nflow *f = &n->f[fi];
    m->first_sub = f->next_sub;
    f->last_ps = now;
    remove_flow(n, fi, now, total > 0 ? over * f->rate / total : 0);
    m = &n->m[mi];
  }
  m->pending = 0;
  m->rate = 0;
  sim_schedule(e, m->lat_ps, handle_deliver, n, mi);
}

static void handle_deliver(sim_engine *e, void *ctx, uint64_t arg) {
  net_model *n = ctx;
  uint32_t mi = (uint32_t)arg;
  nmsg *m = &n->m[mi];
  net_msg_info info = {((uint64_t)m->gen << 32) | mi, m->src, m->dst, m->bytes, m->prio, m->t_send, sim_now(e),
                       m->lat_ps};
  net_done_fn done = m->done;
  void *dctx = m->ctx;
  uint64_t tag = m->tag;
  m->live = 0;
  m->gen++;
  n->m_free[n->m_free_n++] = mi;
  n->st.msgs_delivered++;
  if (done) done(n, dctx, tag, &info);
}

/* ---------- routes ---------- */

sim_time_ps net_route_latency_ps(const net_model *n, const topo_route *r) {
  const topo_graph *g = n->g;
  const net_latency_spec *L = &n->o.lat;
  double lat = 0;
  int fab = 0, nv = 0;
  for (uint32_t i = 0; i < r->n; i++) {
    uint32_t a = r->arc[i], l = a >> 1;
    lat += (double)g->lat_ps[l] + (double)g->length_m[l] * L->prop_ps_per_m[g->medium[l]];
    if (i > 0) lat += (double)L->node_ps[g->kind[topo_arc_from(g, a)]];
    if (g->cls[l] == TOPO_IB || g->cls[l] == TOPO_ETH) fab = 1;
    if (g->cls[l] == TOPO_NVLINK) nv = 1;
  }
  topo_class c = fab ? n->fabric_cls : nv ? TOPO_NVLINK : TOPO_PCIE;
  lat += 2.0 * (double)L->host_ps[c];
  return (sim_time_ps)llround(lat);
}

/* Load of a route for adaptive choice: the most loaded arc ((flows + 1) / bandwidth), then the sum,
 * over the arcs between fabric switches: the candidates of a message share their first and last
 * hops (GPU, PCIe, NIC, leaf port), whose load would mask the differences (all arcs if the route has
 * no switch-to-switch arc). */
static void route_load(const net_model *n, const topo_route *r, double *mx, double *sum) {
  const topo_graph *g = n->g;
  *mx = 0;
  *sum = 0;
  int fabric_only = 0;
  for (uint32_t i = 0; i < r->n && !fabric_only; i++)
    fabric_only = g->kind[topo_arc_from(g, r->arc[i])] == TOPO_SWITCH && g->kind[topo_arc_to(g, r->arc[i])] == TOPO_SWITCH;
  for (uint32_t i = 0; i < r->n; i++) {
    uint32_t a = r->arc[i];
    if (fabric_only && !(g->kind[topo_arc_from(g, a)] == TOPO_SWITCH && g->kind[topo_arc_to(g, a)] == TOPO_SWITCH))
      continue;
    double x = ((double)n->list[a].n + 1.0) / n->cap[a];
    if (x > *mx) *mx = x;
    *sum += x;
  }
}

typedef struct cand_score {
  double mx, sum;
  uint64_t h;
  uint32_t idx;
} cand_score;

static int cand_better(const cand_score *a, const cand_score *b) {
  if (a->mx != b->mx) return a->mx < b->mx;
  if (a->sum != b->sum) return a->sum < b->sum;
  return a->h < b->h;
}

/* Fills n->cand[0..k) with the routes a message takes now; returns k (>= 1) or a negative code. */
static int choose_routes(net_model *n, uint32_t src, uint32_t dst, uint64_t flow, int spray) {
  topo_routing how = n->o.routing;
  if (how == TOPO_ROUTING_STATIC || how == TOPO_ROUTING_ECMP) {
    if (topo_route_one(n->router, how, src, dst, flow, &n->cand[0]) < 0) return NET_ENOROUTE;
    return 1;
  }
  size_t nm = how == TOPO_ROUTING_UGAL ? (size_t)n->o.ugal_nonminimal : 0;
  size_t max = (size_t)n->o.adaptive_paths + nm;
  if (max > TOPO_ROUTE_MAX) max = TOPO_ROUTE_MAX;
  size_t k = topo_route_candidates(n->router, how, src, dst, max, nm, sim_splitmix64(n->o.seed ^ flow), n->cand);
  if (k == 0) return NET_ENOROUTE;
  cand_score sc[TOPO_ROUTE_MAX];
  for (size_t i = 0; i < k; i++) {
    route_load(n, &n->cand[i], &sc[i].mx, &sc[i].sum);
    if (how == TOPO_ROUTING_UGAL) {   /* UGAL: load x hops, so a longer route must be less loaded */
      sc[i].mx *= (double)n->cand[i].n;
      sc[i].sum *= (double)n->cand[i].n;
    }
    sc[i].h = sim_splitmix64(flow ^ sim_splitmix64(i + 1));
    sc[i].idx = (uint32_t)i;
  }
  size_t want = (size_t)spray < k ? (size_t)spray : k;
  /* partial selection sort: the `want` best first */
  for (size_t i = 0; i < want; i++) {
    size_t b = i;
    for (size_t j = i + 1; j < k; j++)
      if (cand_better(&sc[j], &sc[b])) b = j;
    cand_score t = sc[i];
    sc[i] = sc[b];
    sc[b] = t;
  }
  topo_route tmp[TOPO_ROUTE_MAX];
  for (size_t i = 0; i < want; i++) tmp[i] = n->cand[sc[i].idx];
  for (size_t i = 0; i < want; i++) n->cand[i] = tmp[i];
  return (int)want;
}

static uint64_t default_flow(uint32_t src, uint32_t dst) { return sim_splitmix64(((uint64_t)src << 32) | dst) | 1; }

int net_route(net_model *n, uint32_t src, uint32_t dst, uint64_t flow, topo_route *out) {
  const topo_graph *g = n->g;
  if (src >= g->n_endpoints || dst >= g->n_endpoints || src == dst) return NET_EINVAL;
  int k = choose_routes(n, src, dst, flow ? flow : default_flow(src, dst), 1);
  if (k < 0) return k;
  *out = n->cand[0];
  return 0;
}

int net_host_route(const net_model *n, uint32_t gpu_ep, int to_host, topo_route *out) {
  const topo_graph *g = n->g;
  if (gpu_ep >= g->n_endpoints) return NET_EINVAL;
  uint32_t v = g->endpoint_node[gpu_ep];
  uint32_t up = NONE32, mem = NONE32;
  for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1] && up == NONE32; i++)
    if (g->kind[topo_arc_to(g, g->adj_arc[i])] == TOPO_PCIE_SWITCH) up = g->adj_arc[i];
  if (up == NONE32) return NET_ENOROUTE;
  uint32_t p = topo_arc_to(g, up);
  for (uint32_t i = g->adj_off[p]; i < g->adj_off[p + 1] && mem == NONE32; i++)
    if (g->kind[topo_arc_to(g, g->adj_arc[i])] == TOPO_HOSTMEM) mem = g->adj_arc[i];
  if (mem == NONE32) return NET_ENOROUTE;
  out->n = 2;
  if (to_host) {
    out->arc[0] = up;
    out->arc[1] = mem;
  } else {
    out->arc[0] = mem ^ 1u;
    out->arc[1] = up ^ 1u;
  }
  return 0;
}

/* ---------- sending ---------- */

static int check_msg(const net_msg *m) {
  if (!m || !(m->bytes >= 0) || !isfinite(m->bytes) || m->prio >= NET_PRIO_LEVELS || !(m->weight >= 0) ||
      !isfinite(m->weight))
    return NET_EINVAL;
  return 0;
}

static uint32_t start_msg(net_model *n, const net_msg *m, uint32_t src, uint32_t dst, sim_time_ps lat) {
  uint32_t mi = msg_alloc(n);
  nmsg *x = &n->m[mi];
  x->bytes = m->bytes;
  x->t_send = sim_now(n->e);
  x->lat_ps = lat;
  x->done = m->done;
  x->ctx = m->ctx;
  x->tag = m->tag;
  x->src = src;
  x->dst = dst;
  x->pending = 0;
  x->first_sub = NONE32;
  x->remaining = m->bytes;
  x->rate = 0;
  x->last_ps = x->t_send;
  x->ev = SIM_EVENT_NONE;
  x->mark = 0;
  x->pooled = 0;
  x->prio = m->prio;
  x->live = 1;
  n->seq++;
  n->st.msgs_sent++;
  return mi;
}

static double flow_weight(const net_model *n, const net_msg *m, sim_time_ps lat) {
  double w = m->weight > 0 ? m->weight : 1.0;
  if (n->o.rtt_fair) w /= ps_to_s(lat > 0 ? lat : 1);
  return w;
}

static void launch(net_model *n, uint32_t mi, const net_msg *m, const topo_route *routes, int k, sim_time_ps lat) {
  if (m->bytes <= 0) {
    sim_schedule(n->e, lat, handle_deliver, n, mi);
    return;
  }
  double w = flow_weight(n, m, lat);
  n->m[mi].pooled = k > 1;
  /* a sprayed message weighs what one flow does: w / k per subflow */
  for (int i = 0; i < k; i++) add_flow(n, mi, &routes[i], m->bytes / k, m->prio, w / k);
}

static int flow_send(net_model *n, const net_msg *m, uint64_t *id) {
  int rc = check_msg(m);
  if (rc < 0) return rc;
  const topo_graph *g = n->g;
  if (m->src >= g->n_endpoints || m->dst >= g->n_endpoints || m->src == m->dst) return NET_EINVAL;
  uint64_t flow = m->flow ? m->flow : default_flow(m->src, m->dst);
  int k = choose_routes(n, m->src, m->dst, flow, n->o.spray);
  if (k < 0) return k;
  sim_time_ps lat = 0;
  for (int i = 0; i < k; i++) {
    sim_time_ps l = net_route_latency_ps(n, &n->cand[i]);
    if (l > lat) lat = l;
  }
  uint32_t mi = start_msg(n, m, m->src, m->dst, lat);
  if (id) *id = ((uint64_t)n->m[mi].gen << 32) | mi;
  topo_route routes[TOPO_ROUTE_MAX];
  memcpy(routes, n->cand, (size_t)k * sizeof(topo_route));
  launch(n, mi, m, routes, k, lat);
  return 0;
}

static int flow_send_route(net_model *n, const net_msg *m, const topo_route *r, uint64_t *id) {
  int rc = check_msg(m);
  if (rc < 0) return rc;
  if (!r || r->n == 0 || r->n > TOPO_ROUTE_MAX) return NET_EINVAL;
  const topo_graph *g = n->g;
  for (uint32_t i = 0; i < r->n; i++) {
    if (r->arc[i] >= n->n_arcs) return NET_EINVAL;
    if (i > 0 && topo_arc_from(g, r->arc[i]) != topo_arc_to(g, r->arc[i - 1])) return NET_EINVAL;
  }
  sim_time_ps lat = net_route_latency_ps(n, r);
  uint32_t mi = start_msg(n, m, UINT32_MAX, UINT32_MAX, lat);
  if (id) *id = ((uint64_t)n->m[mi].gen << 32) | mi;
  launch(n, mi, m, r, 1, lat);
  return 0;
}

/* ---------- queries ---------- */

static double flow_msg_rate(const net_model *n, uint64_t id) {
  uint32_t mi = (uint32_t)id;
  if (mi >= n->m_n) return -1;
  const nmsg *m = &n->m[mi];
  if (!m->live || m->gen != (uint32_t)(id >> 32)) return -1;
  double r = 0;
  for (uint32_t fi = m->first_sub; fi != NONE32; fi = n->f[fi].next_sub) r += n->f[fi].rate;
  return r;
}

static double flow_arc_load(const net_model *n, uint32_t arc) {
  if (arc >= n->n_arcs) return 0;
  double s = 0;
  const arcv *v = &n->list[arc];
  for (uint32_t k = 0; k < v->n; k++) s += n->f[v->v[k] >> 8].rate;
  return s;
}

double net_arc_bw(const net_model *n, uint32_t arc) { return arc < n->n_arcs ? n->cap[arc] : 0; }

static double flow_arc_bytes(const net_model *n, uint32_t arc) {
  if (arc >= n->n_arcs) return 0;
  return n->arc_bytes[arc] + n->arc_rate[arc] * ps_to_s(sim_now(n->e) - n->arc_last[arc]);
}

static void flow_get_stats(const net_model *n, net_stats *out) { *out = n->st; }

/* The invariant on `count` arcs (arcs NULL: arcs 0 .. count-1). */
static int check_arcs(const net_model *n, const uint32_t *arcs, uint32_t count, char *err, size_t errlen) {
  for (uint32_t i = 0; i < count; i++) {
    uint32_t a = arcs ? arcs[i] : i;
    if (n->list[a].n == 0) continue;
    double s = flow_arc_load(n, a);
    if (s > n->cap[a] * (1 + 1e-9)) {
      const topo_graph *g = n->g;
      snprintf(err, errlen, "arc %u (%s %u -> %s %u) carries %.9g B/s over %u flows, bandwidth %.9g B/s", a,
               topo_kind_name((topo_kind)g->kind[topo_arc_from(g, a)]), topo_arc_from(g, a),
               topo_kind_name((topo_kind)g->kind[topo_arc_to(g, a)]), topo_arc_to(g, a), s, n->list[a].n, n->cap[a]);
      return -1;
    }
  }
  return 0;
}

static int flow_check_capacity(const net_model *n, char *err, size_t errlen) {
  return check_arcs(n, NULL, n->n_arcs, err, errlen);
}

/* ---------- dispatch: the public calls go to the model net_new chose ---------- */

static const net_impl_ops flow_ops = {flow_send,      flow_send_route, flow_msg_rate,      flow_arc_load,
                                      flow_arc_bytes, flow_get_stats,  flow_check_capacity};

int net_send(net_model *n, const net_msg *m, uint64_t *id) { return n->ops->send(n, m, id); }
int net_send_route(net_model *n, const net_msg *m, const topo_route *r, uint64_t *id) {
  return n->ops->send_route(n, m, r, id);
}
double net_msg_rate(const net_model *n, uint64_t id) { return n->ops->msg_rate(n, id); }
double net_arc_load(const net_model *n, uint32_t arc) { return n->ops->arc_load(n, arc); }
double net_arc_bytes(const net_model *n, uint32_t arc) { return n->ops->arc_bytes(n, arc); }
void net_get_stats(const net_model *n, net_stats *out) { n->ops->get_stats(n, out); }
int net_check_capacity(const net_model *n, char *err, size_t errlen) { return n->ops->check_capacity(n, err, errlen); }

int net_get_pkt_stats(const net_model *n, net_pkt_stats *out) { return n->pkt ? net_pkt_get_stats(n->pkt, out) : -1; }
int net_get_pkt_arc(const net_model *n, uint32_t arc, net_pkt_arc *out) {
  return n->pkt ? net_pkt_get_arc(n->pkt, arc, out) : -1;
}

/* ---------- what the packet model borrows (net_pkt_int.h) ---------- */

net_pkt *net__pkt(const net_model *n) { return n->pkt; }
const net_opts *net__opts(const net_model *n) { return &n->o; }
topo_class net__fabric_class(const net_model *n) { return n->fabric_cls; }
int net__check_msg(const net_msg *m) { return check_msg(m); }
uint64_t net__default_flow(uint32_t src, uint32_t dst) { return default_flow(src, dst); }
int net__choose_routes(net_model *n, uint32_t src, uint32_t dst, uint64_t flow, int k, topo_route *out) {
  int got = choose_routes(n, src, dst, flow, k);
  if (got > 0) memcpy(out, n->cand, (size_t)got * sizeof(topo_route));
  return got;
}
