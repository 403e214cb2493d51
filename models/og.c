/* og.c: op graphs and the executor (og.h). */
#include "og.h"
#include "og_trace.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OG_CHECK(c)                                                                              \
  do {                                                                                           \
    if (!(c)) {                                                                                  \
      fprintf(stderr, "%s:%d: og: programmer error: %s\n", __FILE__, __LINE__, #c);              \
      abort();                                                                                   \
    }                                                                                            \
  } while (0)

struct og_graph {
  uint32_t nranks, nstreams;
  og_op *ops;
  uint32_t nops, cap;
  /* edges while building: (from, to) */
  uint32_t *e_from, *e_to;
  size_t nedges, cap_edges;
  /* after finalize: successors CSR, predecessor counts */
  uint32_t *succ_off, *succ;
  uint32_t *npred, *left;
  sim_time_ps *t_start, *t_end;
  int final;
  char *names;
  size_t names_len, names_cap;
  char *cats[OG_CATS_MAX];
  double cat_w[OG_CATS_MAX];
  uint32_t ncats;
  uint32_t nbg;   /* background ops */
  uint32_t *host, *gpu;
  /* run state */
  uint32_t *ready;
  uint32_t rhead, rtail;
  uint32_t done, done_fg, need_fg;
  void (*on_mark)(void *ctx, uint32_t op, sim_time_ps t);
  void *mark_ctx;
  net_model *net;
  sim_engine *eng;
  double sm_scale_den;
  uint32_t sm_count;
  int err_code;
  uint32_t err_op;
};

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  OG_CHECK(q != NULL);
  return q;
}

const char *og_kind_name(og_kind k) {
  static const char *const names[OG_KIND_COUNT] = {"nop", "compute", "send"};
  return (unsigned)k < OG_KIND_COUNT ? names[k] : "?";
}

og_graph *og_new(uint32_t nranks, uint32_t nstreams, size_t ops_hint) {
  OG_CHECK(nranks >= 1 && nstreams >= 1 && nstreams <= OG_STREAMS_MAX);
  og_graph *g = calloc(1, sizeof *g);
  OG_CHECK(g != NULL);
  g->nranks = nranks;
  g->nstreams = nstreams;
  g->cap = ops_hint ? (uint32_t)(ops_hint < UINT32_MAX - 1 ? ops_hint : UINT32_MAX - 1) : 1024;
  g->ops = xrealloc(NULL, g->cap * sizeof *g->ops);
  g->cap_edges = g->cap;
  g->e_from = xrealloc(NULL, g->cap_edges * sizeof *g->e_from);
  g->e_to = xrealloc(NULL, g->cap_edges * sizeof *g->e_to);
  g->host = xrealloc(NULL, nranks * sizeof *g->host);
  g->gpu = xrealloc(NULL, nranks * sizeof *g->gpu);
  for (uint32_t r = 0; r < nranks; r++) {
    g->host[r] = r;
    g->gpu[r] = 0;
  }
  og_cat(g, "op");
  return g;
}

void og_free(og_graph *g) {
  if (!g) return;
  free(g->ops);
  free(g->e_from);
  free(g->e_to);
  free(g->succ_off);
  free(g->succ);
  free(g->npred);
  free(g->left);
  free(g->t_start);
  free(g->t_end);
  free(g->names);
  for (uint32_t i = 0; i < g->ncats; i++) free(g->cats[i]);
  free(g->host);
  free(g->gpu);
  free(g->ready);
  free(g);
}

uint8_t og_cat(og_graph *g, const char *name) {
  for (uint32_t i = 0; i < g->ncats; i++)
    if (strcmp(g->cats[i], name) == 0) return (uint8_t)i;
  OG_CHECK(g->ncats < OG_CATS_MAX);
  size_t n = strlen(name) + 1;
  g->cats[g->ncats] = xrealloc(NULL, n);
  memcpy(g->cats[g->ncats], name, n);
  g->cat_w[g->ncats] = 1.0;
  return (uint8_t)g->ncats++;
}
const char *og_cat_name(const og_graph *g, uint8_t cat) { return cat < g->ncats ? g->cats[cat] : "?"; }
uint32_t og_ncats(const og_graph *g) { return g->ncats; }

void og_place(og_graph *g, uint32_t rank, uint32_t host, uint32_t gpu) {
  OG_CHECK(rank < g->nranks);
  g->host[rank] = host;
  g->gpu[rank] = gpu;
}
void og_placement(const og_graph *g, uint32_t rank, uint32_t *host, uint32_t *gpu) {
  OG_CHECK(rank < g->nranks);
  *host = g->host[rank];
  *gpu = g->gpu[rank];
}

static uint32_t add_op(og_graph *g, og_kind kind, uint32_t rank, uint32_t stream, uint8_t cat) {
  OG_CHECK(!g->final);
  OG_CHECK(rank < g->nranks);
  OG_CHECK(stream == OG_NOSTREAM || stream < g->nstreams);
  OG_CHECK(cat < g->ncats);
  OG_CHECK(g->nops < UINT32_MAX - 1);
  if (g->nops == g->cap) {
    g->cap = g->cap < (UINT32_MAX - 1) / 2 ? g->cap * 2 : UINT32_MAX - 1;
    g->ops = xrealloc(g->ops, (size_t)g->cap * sizeof *g->ops);
  }
  og_op *o = &g->ops[g->nops];
  memset(o, 0, sizeof *o);
  o->kind = (uint8_t)kind;
  o->rank = rank;
  o->stream = (uint8_t)stream;
  o->cat = cat;
  o->src_ep = o->dst_ep = OG_NONE;
  return g->nops++;
}

uint32_t og_nop(og_graph *g, uint32_t rank, uint32_t stream, uint8_t cat) {
  return add_op(g, OG_NOP, rank, stream, cat);
}

uint32_t og_compute(og_graph *g, uint32_t rank, uint32_t stream, uint8_t cat, sim_time_ps dur_ps,
                    uint16_t sm_leave) {
  uint32_t id = add_op(g, OG_COMPUTE, rank, stream, cat);
  g->ops[id].v.dur_ps = dur_ps;
  g->ops[id].sm_leave = sm_leave;
  return id;
}

uint32_t og_send(og_graph *g, uint32_t rank, uint32_t stream, uint8_t cat, uint32_t src_ep, uint32_t dst_ep,
                 double bytes, uint64_t flow, uint8_t prio) {
  OG_CHECK(bytes >= 0);
  uint32_t id = add_op(g, OG_SEND, rank, stream, cat);
  og_op *o = &g->ops[id];
  o->v.bytes = bytes;
  o->src_ep = src_ep;
  o->dst_ep = dst_ep;
  o->flow = flow;
  o->prio = prio;
  return id;
}

void og_dep(og_graph *g, uint32_t before, uint32_t after) {
  OG_CHECK(!g->final);
  OG_CHECK(before < g->nops && after < g->nops);
  if (g->nedges == g->cap_edges) {
    g->cap_edges *= 2;
    g->e_from = xrealloc(g->e_from, g->cap_edges * sizeof *g->e_from);
    g->e_to = xrealloc(g->e_to, g->cap_edges * sizeof *g->e_to);
  }
  g->e_from[g->nedges] = before;
  g->e_to[g->nedges] = after;
  g->nedges++;
}

uint32_t og_send_host(og_graph *g, uint32_t rank, uint32_t stream, uint8_t cat, uint32_t dst_ep, double bytes,
                      uint8_t prio) {
  uint32_t id = og_send(g, rank, stream, cat, dst_ep, dst_ep, bytes, 0, prio);
  g->ops[id].flags |= OG_F_HOSTMEM;
  return id;
}

void og_cat_weight(og_graph *g, uint8_t cat, double weight) {
  OG_CHECK(cat < g->ncats && weight > 0);
  g->cat_w[cat] = weight;
}

void og_background(og_graph *g, uint32_t op) {
  OG_CHECK(!g->final && op < g->nops);
  if (!(g->ops[op].flags & OG_F_BACKGROUND)) g->nbg++;
  g->ops[op].flags |= OG_F_BACKGROUND;
}

void og_mark(og_graph *g, uint32_t op) {
  OG_CHECK(op < g->nops);
  g->ops[op].flags |= OG_F_MARK;
}

uint32_t og_recv(og_graph *g, uint32_t rank, uint32_t stream, uint8_t cat, uint32_t send_op) {
  uint32_t id = og_nop(g, rank, stream, cat);
  og_dep(g, send_op, id);
  return id;
}

void og_name(og_graph *g, uint32_t op, const char *fmt, ...) {
  OG_CHECK(op < g->nops);
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
  if (g->names_len + (size_t)n + 1 > g->names_cap) {
    g->names_cap = (g->names_cap + (size_t)n + 1) * 2;
    g->names = xrealloc(g->names, g->names_cap);
  }
  OG_CHECK(g->names_len < UINT32_MAX - 1);
  memcpy(g->names + g->names_len, buf, (size_t)n + 1);
  g->ops[op].name = (uint32_t)g->names_len + 1;
  g->names_len += (size_t)n + 1;
}

void og_set_src(og_graph *g, uint32_t op, uint8_t src) {
  OG_CHECK(op < g->nops);
  g->ops[op].src = src;
}

const char *og_op_label(const og_graph *g, uint32_t op, char *buf, size_t len) {
  const og_op *o = &g->ops[op];
  if (o->name)
    snprintf(buf, len, "%s", g->names + o->name - 1);
  else if (o->stream == OG_NOSTREAM)
    snprintf(buf, len, "%s#%u rank %u", og_kind_name((og_kind)o->kind), op, o->rank);
  else
    snprintf(buf, len, "%s#%u rank %u stream %u", og_kind_name((og_kind)o->kind), op, o->rank, o->stream);
  return buf;
}

/* Names the ops of one cycle among the ops left with predecessors after Kahn's pass: walk
 * predecessors (every such op has one left) until an op repeats. */
static void describe_cycle(og_graph *g, char *err, size_t errlen) {
  uint32_t n = g->nops;
  /* predecessor among the unfinished: scan edges once */
  uint32_t *pred = xrealloc(NULL, (size_t)n * sizeof *pred);
  for (uint32_t i = 0; i < n; i++) pred[i] = OG_NONE;
  for (uint32_t v = 0; v < n; v++)
    for (uint32_t k = g->succ_off[v]; k < g->succ_off[v + 1]; k++) {
      uint32_t w = g->succ[k];
      if (g->left[v] && g->left[w] && pred[w] == OG_NONE) pred[w] = v;
    }
  uint32_t start = OG_NONE;
  for (uint32_t i = 0; i < n && start == OG_NONE; i++)
    if (g->left[i]) start = i;
  uint32_t *seen = xrealloc(NULL, (size_t)n * sizeof *seen);
  memset(seen, 0, (size_t)n * sizeof *seen);
  uint32_t v = start, step = 1;
  while (v != OG_NONE && !seen[v]) {
    seen[v] = step++;
    v = pred[v];
  }
  size_t off = 0;
  off += (size_t)snprintf(err, errlen, "op graph has a dependency cycle:");
  /* v is on the cycle: list it forward by walking predecessors and printing in reverse */
  uint32_t cyc[8], nc = 0, total = 0;
  if (v != OG_NONE) {
    uint32_t u = v;
    do {
      if (nc < 8) cyc[nc++] = u;
      total++;
      u = pred[u];
    } while (u != v && total < n);
  }
  char lab[160];
  for (uint32_t i = nc; i-- > 0 && off < errlen;)
    off += (size_t)snprintf(err + off, errlen - off, " %s ->", og_op_label(g, cyc[i], lab, sizeof lab));
  if (nc && off < errlen)
    snprintf(err + off, errlen - off, total > nc ? " ... (%u ops) -> back to the first" : " back to the first",
             total);
  free(pred);
  free(seen);
}

int og_finalize(og_graph *g, char *err, size_t errlen) {
  if (g->final) return 0;
  uint32_t n = g->nops;
  /* stream order as edges */
  {
    size_t nlanes = (size_t)g->nranks * g->nstreams;
    uint32_t *last = xrealloc(NULL, nlanes * sizeof *last);
    for (size_t i = 0; i < nlanes; i++) last[i] = OG_NONE;
    for (uint32_t i = 0; i < n; i++) {
      const og_op *o = &g->ops[i];
      if (o->stream == OG_NOSTREAM) continue;
      size_t lane = (size_t)o->rank * g->nstreams + o->stream;
      if (last[lane] != OG_NONE) og_dep(g, last[lane], i);
      last[lane] = i;
    }
    free(last);
  }
  g->succ_off = xrealloc(NULL, ((size_t)n + 1) * sizeof *g->succ_off);
  memset(g->succ_off, 0, ((size_t)n + 1) * sizeof *g->succ_off);
  g->npred = xrealloc(NULL, ((size_t)n + 1) * sizeof *g->npred);
  memset(g->npred, 0, ((size_t)n + 1) * sizeof *g->npred);
  OG_CHECK(g->nedges < UINT32_MAX);
  for (size_t k = 0; k < g->nedges; k++) {
    g->succ_off[g->e_from[k] + 1]++;
    g->npred[g->e_to[k]]++;
  }
  for (uint32_t i = 0; i < n; i++) g->succ_off[i + 1] += g->succ_off[i];
  g->succ = xrealloc(NULL, (g->nedges ? g->nedges : 1) * sizeof *g->succ);
  {
    uint32_t *fill = g->left = xrealloc(NULL, ((size_t)n + 1) * sizeof *g->left);
    memcpy(fill, g->succ_off, (size_t)n * sizeof *fill);
    for (size_t k = 0; k < g->nedges; k++) g->succ[fill[g->e_from[k]]++] = g->e_to[k];
  }
  free(g->e_from);
  free(g->e_to);
  g->e_from = g->e_to = NULL;
  g->t_start = xrealloc(NULL, ((size_t)n + 1) * sizeof *g->t_start);
  g->t_end = xrealloc(NULL, ((size_t)n + 1) * sizeof *g->t_end);
  g->ready = xrealloc(NULL, ((size_t)n + 1) * sizeof *g->ready);
  g->final = 1;
  /* Kahn's pass for cycles */
  memcpy(g->left, g->npred, (size_t)n * sizeof *g->left);
  uint32_t h = 0, t = 0;
  for (uint32_t i = 0; i < n; i++)
    if (!g->left[i]) g->ready[t++] = i;
  while (h < t) {
    uint32_t v = g->ready[h++];
    for (uint32_t k = g->succ_off[v]; k < g->succ_off[v + 1]; k++)
      if (--g->left[g->succ[k]] == 0) g->ready[t++] = g->succ[k];
  }
  if (t != n) {
    describe_cycle(g, err, errlen);
    g->final = -1;
    return OG_ECYCLE;
  }
  return 0;
}

/* ---- executor ---- */

static void op_end(og_graph *g, uint32_t id, sim_time_ps now) {
  g->t_end[id] = now;
  g->done++;
  uint8_t f = g->ops[id].flags;
  if (!(f & OG_F_BACKGROUND) && ++g->done_fg == g->need_fg && g->nbg) sim_stop(g->eng);
  if ((f & OG_F_MARK) && g->on_mark) g->on_mark(g->mark_ctx, id, now);
  for (uint32_t k = g->succ_off[id]; k < g->succ_off[id + 1]; k++) {
    uint32_t w = g->succ[k];
    if (--g->left[w] == 0) g->ready[g->rtail++] = w;
  }
}

static void drain(og_graph *g);

static void on_compute_end(sim_engine *e, void *ctx, uint64_t arg) {
  og_graph *g = ctx;
  op_end(g, (uint32_t)arg, sim_now(e));
  drain(g);
}

static void on_send_end(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  og_graph *g = ctx;
  op_end(g, (uint32_t)tag, info->t_deliver);
  drain(g);
}

/* Starts every ready op; zero-time ops end at once, and what they release starts in turn. */
static void drain(og_graph *g) {
  sim_time_ps now = sim_now(g->eng);
  while (g->rhead != g->rtail) {
    uint32_t id = g->ready[g->rhead++];
    const og_op *o = &g->ops[id];
    g->t_start[id] = now;
    switch ((og_kind)o->kind) {
      case OG_NOP:
        op_end(g, id, now);
        break;
      case OG_COMPUTE: {
        sim_time_ps d = o->v.dur_ps;
        if (o->sm_leave)
          d = (sim_time_ps)((double)d * (double)g->sm_count / (double)(g->sm_count - o->sm_leave) + 0.5);
        if (d == 0)
          op_end(g, id, now);
        else
          sim_schedule(g->eng, d, on_compute_end, g, id);
        break;
      }
      case OG_SEND: {
        net_msg m;
        memset(&m, 0, sizeof m);
        m.src = o->src_ep;
        m.dst = o->dst_ep;
        m.bytes = o->v.bytes;
        m.prio = o->prio;
        m.weight = g->cat_w[o->cat];
        m.flow = o->flow;
        m.done = on_send_end;
        m.ctx = g;
        m.tag = id;
        int rc = NET_EINVAL;
        if (g->net && (o->flags & OG_F_HOSTMEM)) {
          topo_route r;
          rc = net_host_route(g->net, o->dst_ep, 0, &r);
          if (rc >= 0) rc = r.n ? net_send_route(g->net, &m, &r, NULL) : NET_EINVAL;
        } else if (g->net) {
          rc = net_send(g->net, &m, NULL);
        }
        if (rc < 0) {
          if (!g->err_code) {
            g->err_code = OG_ESEND;
            g->err_op = id;
          }
          sim_stop(g->eng);
          return;
        }
        break;
      }
      default:
        OG_CHECK(0);
    }
  }
}

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int og_run(og_graph *g, net_model *n, sim_engine *e, const og_exec_opts *o, og_stats *out, char *err,
           size_t errlen) {
  char lab[160];
  if (g->final != 1) {
    snprintf(err, errlen, "op graph: og_run before a successful og_finalize");
    return OG_ESTATE;
  }
  uint32_t nops = g->nops;
  uint32_t sm = o ? o->sm_count : 0;
  uint64_t computes = 0, sends = 0;
  for (uint32_t i = 0; i < nops; i++) {
    const og_op *op = &g->ops[i];
    if (op->kind == OG_COMPUTE) {
      computes++;
      if (op->sm_leave && op->sm_leave >= sm) {
        snprintf(err, errlen, "%s: leaves %u SMs to communication, the GPU has %u (allowed: fewer than its SMs)",
                 og_op_label(g, i, lab, sizeof lab), op->sm_leave, sm);
        return OG_EINVAL;
      }
    } else if (op->kind == OG_SEND) {
      sends++;
      if (!n) {
        snprintf(err, errlen, "%s: a send, and the run has no network model", og_op_label(g, i, lab, sizeof lab));
        return OG_EINVAL;
      }
    }
  }
  double w0 = mono_s();
  uint64_t ev0 = sim_events_processed(e);
  g->net = n;
  g->eng = e;
  g->sm_count = sm;
  g->err_code = 0;
  g->done = g->done_fg = 0;
  g->need_fg = nops - g->nbg;
  g->on_mark = o ? o->on_mark : NULL;
  g->mark_ctx = o ? o->ctx : NULL;
  g->rhead = g->rtail = 0;
  memcpy(g->left, g->npred, (size_t)nops * sizeof *g->left);
  sim_time_ps t0 = sim_now(e);
  for (uint32_t i = 0; i < nops; i++) {
    g->t_start[i] = g->t_end[i] = SIM_TIME_MAX;
    if (!g->left[i]) g->ready[g->rtail++] = i;
  }
  drain(g);
  if (!g->err_code) sim_run(e, SIM_TIME_MAX);
  sim_time_ps tend = t0;
  for (uint32_t i = 0; i < nops; i++)
    if (g->t_end[i] != SIM_TIME_MAX && g->t_end[i] > tend && !(g->ops[i].flags & OG_F_BACKGROUND)) tend = g->t_end[i];
  if (out) {
    memset(out, 0, sizeof *out);
    out->ops = nops;
    out->computes = computes;
    out->sends = sends;
    out->edges = g->succ_off[nops];
    out->t_start = t0;
    out->t_end = tend;
    out->wall_s = mono_s() - w0;
    out->events = sim_events_processed(e) - ev0;
    out->bg_unfinished = g->nbg - (g->done - g->done_fg);
  }
  if (g->err_code) {
    const og_op *op = &g->ops[g->err_op];
    snprintf(err, errlen, "%s: the network refused the message from endpoint %u to %u (no route, or out of range)",
             og_op_label(g, g->err_op, lab, sizeof lab), op->src_ep, op->dst_ep);
    return g->err_code;
  }
  if (g->done_fg != g->need_fg) {
    uint32_t i = 0;
    while (i < nops && (g->t_end[i] != SIM_TIME_MAX || (g->ops[i].flags & OG_F_BACKGROUND))) i++;
    snprintf(err, errlen, "op graph: %u of %u ops did not end (first: %s); the engine was stopped",
             g->need_fg - g->done_fg, g->need_fg, og_op_label(g, i, lab, sizeof lab));
    return OG_ESTATE;
  }
  if (og_trace_sink() && og_trace_add(og_trace_sink(), g, err, errlen) < 0) return OG_ESTATE;
  return 0;
}

uint32_t og_nops(const og_graph *g) { return g->nops; }
uint32_t og_nranks(const og_graph *g) { return g->nranks; }
uint32_t og_nstreams(const og_graph *g) { return g->nstreams; }
const og_op *og_get(const og_graph *g, uint32_t op) {
  OG_CHECK(op < g->nops);
  return &g->ops[op];
}
sim_time_ps og_start_ps(const og_graph *g, uint32_t op) {
  OG_CHECK(op < g->nops && g->final == 1);
  return g->t_start[op];
}
sim_time_ps og_end_ps(const og_graph *g, uint32_t op) {
  OG_CHECK(op < g->nops && g->final == 1);
  return g->t_end[op];
}

size_t og_mem_bytes(const og_graph *g) {
  size_t b = sizeof *g + (size_t)g->cap * sizeof *g->ops + g->names_cap + (size_t)g->nranks * 8;
  if (g->e_from) b += g->cap_edges * 8;
  if (g->final) {
    size_t n1 = (size_t)g->nops + 1;
    b += n1 * (4 + 4 + 4 + 8 + 8 + 4) + (size_t)g->succ_off[g->nops] * 4;
  }
  return b;
}

uint64_t og_limit_bytes(void) {
  const char *env = getenv("CLUSTERSIM_MAX_OG_BYTES");
  uint64_t v;
  if (env && env[0] && topo_parse_bytes(env, &v) == 0 && v > 0) return v;
  return OG_MAX_BYTES_DEFAULT;
}

uint64_t og_estimate_bytes(uint64_t ops, uint64_t edges) {
  /* ops: the record (doubling growth: up to 2x), start/end times, counters, successor offsets, the
   * ready queue; edges: from/to while building (doubling) and the successor index */
  return ops * (2 * sizeof(og_op) + 4 + 4 + 4 + 8 + 8 + 4) + edges * (2 * 8 + 4) + sizeof(og_op) * 1024;
}

static const char *human(uint64_t v, char *buf, size_t len) {
  if (v >= 1ull << 30) snprintf(buf, len, "%.2f GiB", (double)v / (1ull << 30));
  else if (v >= 1ull << 20) snprintf(buf, len, "%.2f MiB", (double)v / (1ull << 20));
  else snprintf(buf, len, "%.1f KiB", (double)v / 1024);
  return buf;
}

int og_check_size(const char *what, uint64_t ops, uint64_t edges, char *err, size_t errlen) {
  uint64_t need = og_estimate_bytes(ops, edges), lim = og_limit_bytes();
  if (need <= lim && ops < UINT32_MAX - 1) return 0;
  char a[32], b[32];
  snprintf(err, errlen,
           "%s: an op graph of %llu ops and %llu edges needs about %s, above the op-graph limit of %s "
           "(set CLUSTERSIM_MAX_OG_BYTES to raise it%s)",
           what, (unsigned long long)ops, (unsigned long long)edges, human(need, a, sizeof a), human(lim, b, sizeof b),
           ops >= UINT32_MAX - 1 ? "; at most 4294967293 ops in any case" : "");
  return -1;
}
