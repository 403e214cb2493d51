/* coll.h: collectives on the flow-level network model (net.h), prefix coll_. nccl-tests-style
 * AllGather, ReduceScatter and AllReduce, expanded by an algorithm into point-to-point messages
 * that an executor runs on the event engine with net_send and completion callbacks.
 *
 * Algorithm (the only one so far; docs/collectives.md): NCCL's ring. n ranks in a ring; rank at
 * position p sends to position p+1. AllGather and ReduceScatter take n-1 steps, AllReduce 2(n-1)
 * (a ReduceScatter then an AllGather). At every step each rank sends one chunk of S/n bytes to its
 * successor. A step's send on a rank waits for that rank's receipt of the previous step (per rank,
 * no global barrier: a slow hop delays only what depends on it). ReduceScatter (and the first n-1
 * steps of AllReduce) reduce each received chunk before it is forwarded: modelled as a delay of
 * bytes / reduce_Bps after delivery (reduce_Bps = 0: reductions are free, the default; a GPU reduces
 * at HBM speed, far above a NIC's rate, so for network-bound sizes this is exact enough).
 *
 * Channels: c parallel rings (NCCL channels), each carrying 1/c of every chunk, each with its own
 * connection per hop, i.e. its own `flow` id (a QP / 5-tuple), so ECMP hashes them separately.
 * Channel k runs on ring k mod nrings of the spec (NCCL gives channels different ring orders so that
 * they leave a host through different NICs; the caller builds those orders).
 *
 * Slices: with slice_bytes > 0 a channel's chunk of a step is cut into ceil(chunk / slice_bytes)
 * equal slices; slice j of step s may be forwarded as soon as slice j of step s-1 has arrived, so
 * large chunks pipeline along the ring. Each slice is one net message.
 *
 * Window: a connection has at most `window` messages in flight; slice i is sent only once slice
 * i - window has been received (and reduced where the op reduces): NCCL's buffer slots, consumed in
 * order. window = 1 (the default) makes a connection FIFO: one message on the wire at a time, as a
 * QP sends, each paying its own latency. window > 1 overlaps the latencies of up to `window`
 * messages, but the flow model has no order inside a connection: messages in flight together share
 * its rate (processor sharing, each a max-min share of weight 1), so they finish together, a newer
 * one slows an older one, and a connection with more in flight gets more shares where it competes.
 * True FIFO with overlapped latency would need a "bytes through" notification from net.h (open).
 *
 * Sizes (nccl-tests, doc/PERFORMANCE.md there): S = bytes of the output buffer (AllGather) or of
 * the input buffer (ReduceScatter, AllReduce) on one rank; a rank sends S/n per step.
 * algbw = S / t; busbw = algbw x (n-1)/n (AllGather, ReduceScatter), x 2(n-1)/n (AllReduce), so that
 * a ring whose slowest hop runs at B has busbw = B.
 *
 * Costs: coll_new allocates per collective (connections x 24 B plus the rings); coll_start and the
 * event loop allocate nothing (the net model pools its messages). Messages per collective:
 * steps x channels x slices x n. Not thread-safe (one engine, one thread).
 *
 * Lifetime: coll_new borrows the net model and copies the spec's rings; coll_free (NULL ok) before
 * net_free. A coll_run may be started again once it has completed (iterations), never while it runs.
 * Errors: coll_new and coll_start return NULL / a negative COLL_E* code with a message in err naming
 * the field and what is allowed. A net_send that fails mid-run (it cannot, for routes coll_new has
 * checked) stops the collective: coll_status() then returns the code and coll_error() the message.
 */
#ifndef CLUSTERSIM_COLL_H
#define CLUSTERSIM_COLL_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "sim.h"

#define COLL_EINVAL (-1)    /* spec out of range */
#define COLL_ENOROUTE (-2)  /* a hop of a ring has no route */
#define COLL_EBUSY (-3)     /* started while still running */
#define COLL_ESEND (-4)     /* net_send failed during the run */

#define COLL_WINDOW_MAX 64      /* slices in flight per connection (the receive mask is 64 bits) */
#define COLL_WINDOW_DEFAULT 1   /* FIFO per connection (see Window above) */
#define COLL_SLICES_MAX 4096    /* slices per chunk per step */

typedef enum coll_op { COLL_ALLGATHER = 0, COLL_REDUCESCATTER, COLL_ALLREDUCE, COLL_OP_COUNT } coll_op;
typedef enum coll_algo { COLL_RING = 0, COLL_ALGO_COUNT } coll_algo;

const char *coll_op_name(coll_op op);        /* "allgather", "reducescatter", "allreduce" */
int coll_op_parse(const char *s, coll_op *out);   /* 0 or -1 */
const char *coll_algo_name(coll_algo a);     /* "ring" */
int coll_algo_parse(const char *s, coll_algo *out);
/* busbw / algbw: (n-1)/n for AllGather and ReduceScatter, 2(n-1)/n for AllReduce; 0 for n < 2. */
double coll_busbw_factor(coll_op op, uint32_t nranks);

typedef struct coll_spec {
  coll_op op;
  coll_algo algo;
  uint32_t nranks;         /* n >= 2 */
  uint32_t channels;       /* >= 1 */
  uint32_t nrings;         /* >= 1 rings given */
  const uint32_t *rings;   /* nrings x nranks endpoints: rings[r * nranks + p] is position p of ring r;
                              each ring a permutation of the same n distinct endpoints */
  double bytes;            /* S (nccl-tests), >= 0 */
  double slice_bytes;      /* > 0: slice size; 0: one message per channel per step */
  uint32_t window;         /* slices in flight per connection, 1..COLL_WINDOW_MAX; 0: default */
  double reduce_Bps;       /* reduction rate of received data; 0: reductions free */
  uint64_t flow_salt;      /* connection ids (net_msg.flow) are a hash of (salt, channel, position) */
  uint8_t prio;            /* net priority level of every message */
} coll_spec;

void coll_spec_init(coll_spec *s);   /* ring AllGather, 1 channel, no slicing, window 1 */

typedef struct coll_run coll_run;

typedef struct coll_result {
  sim_time_ps t_start, t_end;   /* coll_start's sim_now; the last receipt (after its reduction) */
  uint64_t msgs;                /* messages sent */
  double bytes_sent;            /* bytes summed over messages */
  double algbw_Bps, busbw_Bps;  /* from S and t_end - t_start (0 when that is 0) */
} coll_result;

/* Called once per start, at completion (from an engine event). It may start other collectives or
 * start this one again. */
typedef void (*coll_done_fn)(coll_run *c, void *ctx, const coll_result *r);

/* Validates the spec (ranges, rings, a route for every hop) and allocates the state. NULL on bad
 * input, with err naming the field. */
coll_run *coll_new(net_model *n, const coll_spec *s, char *err, size_t errlen);
void coll_free(coll_run *c);

/* Starts the collective now (sim_now). done may be NULL. 0, COLL_EBUSY, or COLL_ESEND. */
int coll_start(coll_run *c, coll_done_fn done, void *ctx);
/* 1 while started and not complete. */
int coll_running(const coll_run *c);
/* The last completed start's result; -1 if none completed yet. */
int coll_result_get(const coll_run *c, coll_result *out);
int coll_status(const coll_run *c);          /* 0 or the COLL_E* code that stopped the run */
const char *coll_error(const coll_run *c);   /* its message ("" when none) */

/* Steps, slices per chunk per step and messages of one start (for sizing and tests). */
uint32_t coll_steps(const coll_run *c);
uint32_t coll_slices(const coll_run *c);
uint64_t coll_messages(const coll_run *c);

/* Convenience for tests and single runs: coll_new, coll_start, sim_run until the engine is idle,
 * result, coll_free. 0 or a negative code (message in err). */
int coll_run_once(net_model *n, const coll_spec *s, coll_result *out, char *err, size_t errlen);

#endif
