/* coll.c: ring collectives on the flow-level network model (coll.h).
 *
 * State: one `conn` per (channel, ring position) = the connection from position p to p+1 on that
 * channel's ring; conn index k = channel * n + p. Slices are numbered linearly per connection,
 * i = step * ns + slice (ns slices per chunk per step, T = steps * ns in all). Invariants:
 *   - a connection sends in index order: `sent` is the next index;
 *   - receipts are consumed in index order; rbase is the lowest index not yet received (and
 *     reduced), rmask bit b says index rbase + b has been received (bit 0 is always clear); slices
 *     of one connection may arrive out of order (ADAPTIVE puts them on different routes) but never
 *     more than the window ahead of rbase, so 64 bits suffice;
 *   - send condition for index i on conn k: i < rbase(k) + window (a free buffer at the receiver)
 *     and, for step >= 1, index i - ns received on the connection into k's sender (the same slice of
 *     the previous step: per-rank dependency).
 * Every receipt can unblock exactly two senders: the same connection (a buffer was freed) and the
 * receiver's own outgoing connection on this channel (its dependency). So a receipt costs O(1)
 * besides the sends it triggers, and nothing is allocated after coll_new.
 *
 * Message tag: conn index << 32 | slice index. Deliveries of a run stopped by an error are ignored.
 *
 * Rejected: one net message per step carrying all channels (ECMP must see each channel's own
 * connection); a global step barrier (NCCL has none; it would hide how one slow hop propagates).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coll.h"

#define COLL_ASSERT(x)                                                                        \
  do {                                                                                        \
    if (!(x)) {                                                                               \
      fprintf(stderr, "%s:%d: coll: assertion failed: %s\n", __FILE__, __LINE__, #x);         \
      abort();                                                                                \
    }                                                                                         \
  } while (0)

/* ---- algorithms: the schedule of a collective as an ops table (STYLE 6) ----
 * A schedule says how many steps there are and whether what arrives at a step is reduced before
 * it is forwarded. The executor below is the ring's (peer = successor); a tree or a direct
 * algorithm would bring its own peers with its own ops entry. */
typedef struct coll_algo_ops {
  const char *name;
  uint32_t (*steps)(coll_op op, uint32_t n);
  int (*reduces)(coll_op op, uint32_t n, uint32_t step);
} coll_algo_ops;

static uint32_t ring_steps(coll_op op, uint32_t n) { return op == COLL_ALLREDUCE ? 2 * (n - 1) : n - 1; }
static int ring_reduces(coll_op op, uint32_t n, uint32_t step) {
  if (op == COLL_REDUCESCATTER) return 1;
  if (op == COLL_ALLREDUCE) return step < n - 1;   /* its ReduceScatter half */
  return 0;
}

static const coll_algo_ops algo_ops[COLL_ALGO_COUNT] = {
  [COLL_RING] = {"ring", ring_steps, ring_reduces},
};

static const char *const op_names[COLL_OP_COUNT] = {"allgather", "reducescatter", "allreduce"};

const char *coll_op_name(coll_op op) { return (unsigned)op < COLL_OP_COUNT ? op_names[op] : "?"; }
int coll_op_parse(const char *s, coll_op *out) {
  for (int i = 0; i < COLL_OP_COUNT; i++)
    if (s && strcmp(s, op_names[i]) == 0) {
      *out = (coll_op)i;
      return 0;
    }
  return -1;
}
const char *coll_algo_name(coll_algo a) { return (unsigned)a < COLL_ALGO_COUNT ? algo_ops[a].name : "?"; }
int coll_algo_parse(const char *s, coll_algo *out) {
  for (int i = 0; i < COLL_ALGO_COUNT; i++)
    if (s && strcmp(s, algo_ops[i].name) == 0) {
      *out = (coll_algo)i;
      return 0;
    }
  return -1;
}

double coll_busbw_factor(coll_op op, uint32_t n) {
  if (n < 2) return 0.0;
  double f = (double)(n - 1) / (double)n;
  return op == COLL_ALLREDUCE ? 2.0 * f : f;
}

void coll_spec_init(coll_spec *s) {
  memset(s, 0, sizeof *s);
  s->op = COLL_ALLGATHER;
  s->algo = COLL_RING;
  s->channels = 1;
  s->nrings = 1;
}

typedef struct conn {
  uint64_t flow;    /* net_msg.flow of this connection */
  uint64_t rmask;   /* receipts beyond rbase (bit 0: rbase itself, always clear) */
  uint32_t sent;    /* next slice index to send */
  uint32_t rbase;   /* lowest slice index not yet received */
} conn;

struct coll_run {
  net_model *net;
  sim_engine *e;
  coll_spec spec;          /* spec.rings points at `rings` below */
  const coll_algo_ops *ops;
  uint32_t *rings;         /* nrings x n endpoints */
  uint32_t n, C, steps, ns, T, W;
  double msg_bytes;        /* bytes of one slice */
  sim_time_ps reduce_ps;   /* reduction of one slice */
  conn *conns;             /* C x n */
  uint32_t conns_done;
  int running, have_result, status;
  char errmsg[256];
  coll_done_fn done;
  void *done_ctx;
  coll_result cur, last;
};


static int fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int code, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return code;
}

static inline uint32_t sender_ep(const coll_run *c, uint32_t k) {
  uint32_t ch = k / c->n, p = k % c->n;
  return c->rings[(ch % c->spec.nrings) * c->n + p];
}
static inline uint32_t receiver_ep(const coll_run *c, uint32_t k) {
  uint32_t ch = k / c->n, p = k % c->n;
  return c->rings[(ch % c->spec.nrings) * c->n + (p + 1) % c->n];
}
static inline int received(const conn *cn, uint32_t i) {
  if (i < cn->rbase) return 1;
  uint32_t b = i - cn->rbase;
  return b < 64 && ((cn->rmask >> b) & 1u);
}

static void on_deliver(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info);

static void stop_run(coll_run *c, int code, const char *what, int rc) {
  c->status = code;
  c->running = 0;
  snprintf(c->errmsg, sizeof c->errmsg, "%s (net code %d)", what, rc);
}

/* Sends what connection k may send now (file comment: send condition). */
static void try_send(coll_run *c, uint32_t k) {
  conn *cn = &c->conns[k];
  uint32_t ch = k / c->n, p = k % c->n;
  const conn *in = &c->conns[ch * c->n + (p + c->n - 1) % c->n];
  while (c->status == 0 && cn->sent < c->T && cn->sent - cn->rbase < c->W) {
    uint32_t i = cn->sent;
    if (i >= c->ns && !received(in, i - c->ns)) break;
    net_msg m = {.src = sender_ep(c, k), .dst = receiver_ep(c, k), .bytes = c->msg_bytes, .prio = c->spec.prio,
                 .weight = 1.0, .flow = cn->flow, .done = on_deliver, .ctx = c,
                 .tag = (uint64_t)k << 32 | (uint64_t)i};
    int rc = net_send(c->net, &m, NULL);
    if (rc < 0) {
      char what[160];
      snprintf(what, sizeof what, "net_send from endpoint %u to %u (channel %u, position %u, slice %u) failed", m.src,
               m.dst, ch, p, i);
      stop_run(c, COLL_ESEND, what, rc);
      return;
    }
    cn->sent++;
    c->cur.msgs++;
    c->cur.bytes_sent += c->msg_bytes;
  }
}

static void complete(coll_run *c) {
  c->cur.t_end = sim_now(c->e);
  double t_s = (double)(c->cur.t_end - c->cur.t_start) * 1e-12;
  c->cur.algbw_Bps = t_s > 0 ? c->spec.bytes / t_s : 0.0;
  c->cur.busbw_Bps = c->cur.algbw_Bps * coll_busbw_factor(c->spec.op, c->n);
  c->running = 0;
  c->have_result = 1;
  c->last = c->cur;
  if (c->done) c->done(c, c->done_ctx, &c->last);
}

static void receipt(coll_run *c, uint32_t k, uint32_t i) {
  conn *cn = &c->conns[k];
  COLL_ASSERT(i >= cn->rbase && i - cn->rbase < 64);
  cn->rmask |= UINT64_C(1) << (i - cn->rbase);
  while (cn->rmask & 1u) {
    cn->rmask >>= 1;
    cn->rbase++;
  }
  uint32_t ch = k / c->n, p = k % c->n;
  try_send(c, k);                                   /* a buffer of k's receiver was freed */
  try_send(c, ch * c->n + (p + 1) % c->n);          /* the receiver's own next send */
  if (cn->rbase == c->T && ++c->conns_done == c->C * c->n && c->status == 0) complete(c);
}

static void on_reduced(sim_engine *e, void *ctx, uint64_t tag) {
  (void)e;
  coll_run *c = ctx;
  if (c->status != 0) return;
  receipt(c, (uint32_t)(tag >> 32), (uint32_t)tag);
}

static void on_deliver(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  (void)info;
  coll_run *c = ctx;
  if (c->status != 0) return;
  uint32_t i = (uint32_t)tag;
  if (c->reduce_ps > 0 && c->ops->reduces(c->spec.op, c->n, i / c->ns))
    sim_schedule(c->e, c->reduce_ps, on_reduced, c, tag);
  else
    receipt(c, (uint32_t)(tag >> 32), i);
}

coll_run *coll_new(net_model *net, const coll_spec *s, char *err, size_t errlen) {
  COLL_ASSERT(net != NULL && s != NULL);
  const topo_graph *g = net_graph(net);
  if ((unsigned)s->op >= COLL_OP_COUNT) {
    fail(err, errlen, COLL_EINVAL, "op: %d out of range (allowed: allgather reducescatter allreduce)", (int)s->op);
    return NULL;
  }
  if ((unsigned)s->algo >= COLL_ALGO_COUNT) {
    fail(err, errlen, COLL_EINVAL, "algo: %d out of range (allowed: ring)", (int)s->algo);
    return NULL;
  }
  if (s->nranks < 2 || s->nranks > g->n_endpoints) {
    fail(err, errlen, COLL_EINVAL, "nranks: %u must be in [2, %u] (the graph's endpoints)", s->nranks,
         g->n_endpoints);
    return NULL;
  }
  if (s->channels < 1 || s->channels > 1024) {
    fail(err, errlen, COLL_EINVAL, "channels: %u must be in [1, 1024]", s->channels);
    return NULL;
  }
  if (s->nrings < 1 || !s->rings) {
    fail(err, errlen, COLL_EINVAL, "rings: %u given; at least one ring of nranks endpoints is needed", s->nrings);
    return NULL;
  }
  if (!(s->bytes >= 0.0) || !isfinite(s->bytes) || !(s->slice_bytes >= 0.0) || !isfinite(s->slice_bytes) ||
      !(s->reduce_Bps >= 0.0) || !isfinite(s->reduce_Bps)) {
    fail(err, errlen, COLL_EINVAL, "bytes %g, slice_bytes %g, reduce_Bps %g: each must be finite and >= 0",
         s->bytes, s->slice_bytes, s->reduce_Bps);
    return NULL;
  }
  if (s->window > COLL_WINDOW_MAX) {
    fail(err, errlen, COLL_EINVAL, "window: %u must be in [1, %d] (0: %d)", s->window, COLL_WINDOW_MAX,
         COLL_WINDOW_DEFAULT);
    return NULL;
  }
  const uint32_t n = s->nranks, C = s->channels;
  const coll_algo_ops *ops = &algo_ops[s->algo];
  uint32_t steps = ops->steps(s->op, n);
  double chunk = s->bytes / (double)n / (double)C;   /* per channel per step */
  /* ceil, forgiving the last bits of rounding (a chunk of exactly k slices is k slices) */
  double nsd = s->slice_bytes > 0 ? ceil(chunk / s->slice_bytes * (1.0 - 1e-12)) : 1.0;
  if (nsd < 1) nsd = 1;
  if (nsd > COLL_SLICES_MAX) {
    fail(err, errlen, COLL_EINVAL,
         "slice_bytes: %g cuts a chunk of %g bytes (per channel per step) into %.0f slices; at most %d (raise "
         "slice_bytes or use 0: no slicing)",
         s->slice_bytes, chunk, nsd, COLL_SLICES_MAX);
    return NULL;
  }
  uint32_t ns = (uint32_t)nsd;
  if ((uint64_t)steps * ns >= (UINT64_C(1) << 31) || (uint64_t)C * n >= (UINT64_C(1) << 31)) {
    fail(err, errlen, COLL_EINVAL, "nranks %u x channels %u x slices %u: too many messages for one collective", n, C,
         ns);
    return NULL;
  }

  /* Rings: endpoints in range, distinct, and every ring over the same set as ring 0: after ring r
   * every endpoint of the set carries stamp r + 1 (ring r may only use endpoints stamped r). */
  uint32_t *stamp = calloc(g->n_endpoints, sizeof *stamp);
  COLL_ASSERT(stamp != NULL);
  for (uint32_t r = 0; r < s->nrings; r++) {
    for (uint32_t p = 0; p < n; p++) {
      uint32_t ep = s->rings[(size_t)r * n + p];
      if (ep >= g->n_endpoints || stamp[ep] != r) {
        free(stamp);
        fail(err, errlen, COLL_EINVAL,
             "rings[%u][%u]: endpoint %u is out of range (%u endpoints), repeated, or not in ring 0 (each ring is "
             "a permutation of the same %u endpoints)",
             r, p, ep, g->n_endpoints, n);
        return NULL;
      }
      stamp[ep] = r + 1;
    }
  }
  free(stamp);

  coll_run *c = calloc(1, sizeof *c);
  COLL_ASSERT(c != NULL);
  c->rings = malloc(sizeof *c->rings * (size_t)s->nrings * n);
  c->conns = calloc((size_t)C * n, sizeof *c->conns);
  COLL_ASSERT(c->rings != NULL && c->conns != NULL);
  memcpy(c->rings, s->rings, sizeof *c->rings * (size_t)s->nrings * n);
  c->net = net;
  c->e = net_engine(net);
  c->spec = *s;
  c->spec.rings = c->rings;
  c->spec.window = s->window ? s->window : COLL_WINDOW_DEFAULT;
  c->ops = ops;
  c->n = n;
  c->C = C;
  c->steps = steps;
  c->ns = ns;
  c->T = steps * ns;
  c->W = c->spec.window;
  c->msg_bytes = chunk / (double)ns;
  c->reduce_ps = s->reduce_Bps > 0 ? (sim_time_ps)llround(c->msg_bytes / s->reduce_Bps * 1e12) : 0;
  for (uint32_t k = 0; k < C * n; k++) {
    uint64_t f = sim_splitmix64(s->flow_salt ^ sim_splitmix64((uint64_t)k + 1));
    c->conns[k].flow = f ? f : 1;   /* 0 would mean "one connection per endpoint pair" */
  }
  /* Every hop must have a route (checked once per ring and position). */
  for (uint32_t r = 0; r < s->nrings && r < C; r++)
    for (uint32_t p = 0; p < n; p++) {
      topo_route rt;
      uint32_t a = c->rings[(size_t)r * n + p], b = c->rings[(size_t)r * n + (p + 1) % n];
      int rc = net_route(net, a, b, c->conns[r * n + p].flow, &rt);
      if (rc < 0) {
        fail(err, errlen, COLL_ENOROUTE, "rings[%u]: no route from endpoint %u to %u (position %u; net code %d)", r,
             a, b, p, rc);
        coll_free(c);
        return NULL;
      }
    }
  return c;
}

void coll_free(coll_run *c) {
  if (!c) return;
  free(c->rings);
  free(c->conns);
  free(c);
}

int coll_start(coll_run *c, coll_done_fn done, void *ctx) {
  COLL_ASSERT(c != NULL);
  if (c->running) return COLL_EBUSY;
  if (c->status != 0) return c->status;
  for (uint32_t k = 0; k < c->C * c->n; k++) {
    c->conns[k].sent = c->conns[k].rbase = 0;
    c->conns[k].rmask = 0;
  }
  c->conns_done = 0;
  c->done = done;
  c->done_ctx = ctx;
  memset(&c->cur, 0, sizeof c->cur);
  c->cur.t_start = sim_now(c->e);
  c->running = 1;
  for (uint32_t k = 0; k < c->C * c->n && c->status == 0; k++) try_send(c, k);
  if (c->status != 0) return c->status;
  if (c->T == 0) complete(c);   /* cannot happen for n >= 2; kept for a future algorithm */
  return 0;
}

int coll_running(const coll_run *c) { return c->running; }
int coll_result_get(const coll_run *c, coll_result *out) {
  if (!c->have_result) return -1;
  *out = c->last;
  return 0;
}
int coll_status(const coll_run *c) { return c->status; }
const char *coll_error(const coll_run *c) { return c->errmsg; }
uint32_t coll_steps(const coll_run *c) { return c->steps; }
uint32_t coll_slices(const coll_run *c) { return c->ns; }
uint64_t coll_messages(const coll_run *c) { return (uint64_t)c->T * c->C * c->n; }

int coll_run_once(net_model *n, const coll_spec *s, coll_result *out, char *err, size_t errlen) {
  coll_run *c = coll_new(n, s, err, errlen);
  if (!c) return COLL_EINVAL;
  int rc = coll_start(c, NULL, NULL);
  if (rc == 0) {
    sim_run(net_engine(n), SIM_TIME_MAX);
    rc = coll_status(c);
    if (rc == 0 && coll_result_get(c, out) < 0) {
      fail(err, errlen, COLL_ESEND, "the collective did not complete: the engine ran out of events (%llu messages "
           "expected)", (unsigned long long)coll_messages(c));
      rc = COLL_ESEND;
    }
  }
  if (rc < 0 && coll_status(c) != 0) fail(err, errlen, rc, "%s", coll_error(c));
  coll_free(c);
  return rc;
}
