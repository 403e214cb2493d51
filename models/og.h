/* og.h: op graphs and their one executor, prefix og_ (../shared/DESIGN.md "Workloads are op graphs").
 *
 * A graph holds, per rank (a GPU), ops of three kinds:
 *   OG_COMPUTE  a kernel of a given duration (from the compute model: the builder records where it
 *               came from in `src`); it may leave `sm_leave` of the GPU's SMs to communication
 *               kernels and then runs proportionally slower: dur x sm_count / (sm_count - sm_leave);
 *   OG_SEND     a message of `bytes` from endpoint src_ep to dst_ep on the network model; the op
 *               ends when the message is delivered (net.h's completion);
 *   OG_NOP      zero time: joins, barriers, the receive side of a send (og_recv), markers.
 * Dependencies: og_dep(a, b) makes b wait for a's end, inside a rank or across ranks (a receive on
 * rank j depends on the send op of rank i). Streams: ops of one rank on one stream run in the order
 * they were added, each after the previous one ended (CUDA's in-order streams: at least a compute
 * stream and a communication stream per GPU); OG_NOSTREAM ops wait for their dependencies only
 * (e.g. the peer messages of one grouped NCCL kernel, bracketed by a begin and an end op on the
 * communication stream). Collectives are expanded into such messages by their builders (wl_*).
 *
 * Execution (og_run): from sim_now, every op whose predecessors (dependencies and stream
 * predecessor) have ended starts at once; an op ends at start + duration (COMPUTE), at delivery
 * (SEND) or at start (NOP). Ready ops start in FIFO order, so a run is deterministic.
 *
 * Memory per op (og_mem_bytes): the op record (40 B), its start and end times (16 B), a predecessor
 * counter (4 B) and the successor index (4 B + 4 B per edge; 8 B per edge while building), so a graph
 * of 10 million ops with two edges each takes about 0.9 GB. Names are optional (an arena).
 *
 * Lifetime: og_new, add ops and edges, og_finalize (refuses cycles, naming the ops on one), og_run
 * (any number of times: each run resets the times), og_free. Adding after og_finalize is refused.
 * Errors: og_finalize and og_run return 0 or a negative OG_E* code with a message in err. Builder
 * calls abort with file:line on a programmer error (rank or stream out of range, op id unknown).
 */
#ifndef CLUSTERSIM_OG_H
#define CLUSTERSIM_OG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "net.h"
#include "sim.h"

#define OG_EINVAL (-1)   /* bad op (sm_leave >= sm_count, ...) */
#define OG_ECYCLE (-2)   /* the dependencies have a cycle */
#define OG_ESEND (-3)    /* the network model refused a message */
#define OG_ESTATE (-4)   /* not finalized, or ops left unfinished */

#define OG_NOSTREAM 0xFFu
#define OG_STREAMS_MAX 16
#define OG_CATS_MAX 64
#define OG_NONE UINT32_MAX

typedef enum og_kind { OG_NOP = 0, OG_COMPUTE, OG_SEND, OG_KIND_COUNT } og_kind;
const char *og_kind_name(og_kind k);   /* "nop", "compute", "send" */

typedef struct og_op {
  union {
    sim_time_ps dur_ps;   /* COMPUTE: at all SMs */
    double bytes;         /* SEND */
  } v;
  uint64_t flow;          /* SEND: connection id (net_msg.flow) */
  uint32_t rank;
  uint32_t src_ep, dst_ep;/* SEND */
  uint32_t name;          /* offset + 1 into the name arena; 0: none */
  uint16_t sm_leave;      /* COMPUTE: SMs left to communication */
  uint8_t kind, stream, prio, cat, src, flags;   /* flags: OG_F_* */
} og_op;

#define OG_F_BACKGROUND 1u   /* the run does not wait for it (og_background) */
#define OG_F_HOSTMEM 2u      /* SEND from host memory (og_send_host) */
#define OG_F_MARK 4u         /* og_exec_opts.on_mark is called when it ends (og_mark) */

typedef struct og_graph og_graph;

/* nranks >= 1, 1 <= nstreams <= OG_STREAMS_MAX; ops_hint sizes the arrays (0: 1024). */
og_graph *og_new(uint32_t nranks, uint32_t nstreams, size_t ops_hint);
void og_free(og_graph *g);

/* Category of ops (e.g. "dispatch.rdma"): the id of name, added on first use (at most OG_CATS_MAX);
 * used by traces and metrics. Category 0 is "op". */
uint8_t og_cat(og_graph *g, const char *name);
const char *og_cat_name(const og_graph *g, uint8_t cat);
uint32_t og_ncats(const og_graph *g);

/* Placement of a rank, for traces: host and the GPU's index in it (default: host = rank, gpu 0). */
void og_place(og_graph *g, uint32_t rank, uint32_t host, uint32_t gpu);

uint32_t og_nop(og_graph *g, uint32_t rank, uint32_t stream, uint8_t cat);
uint32_t og_compute(og_graph *g, uint32_t rank, uint32_t stream, uint8_t cat, sim_time_ps dur_ps,
                    uint16_t sm_leave);
uint32_t og_send(og_graph *g, uint32_t rank, uint32_t stream, uint8_t cat, uint32_t src_ep, uint32_t dst_ep,
                 double bytes, uint64_t flow, uint8_t prio);
/* A transfer from the host memory of dst_ep's host to GPU endpoint dst_ep (cudaMemcpy H2D: the route
 * net_host_route gives, through the host's PCIe switches); src_ep = dst_ep in the op. */
uint32_t og_send_host(og_graph *g, uint32_t rank, uint32_t stream, uint8_t cat, uint32_t dst_ep, double bytes,
                      uint8_t prio);
/* Max-min weight of the messages of category cat (net_msg.weight; default 1). */
void og_cat_weight(og_graph *g, uint8_t cat, double weight);
/* Background op: the run ends when every other op has ended, whatever background ops are doing then
 * (open-loop traffic that runs alongside a workload: KV-cache loads, noise). Background ops left
 * unstarted or in flight keep og_end_ps = SIM_TIME_MAX; messages in flight stay in the network model,
 * so the engine and the model must not run on after such a run (free them, or run nothing more). */
void og_background(og_graph *g, uint32_t op);
/* Marked op: og_exec_opts.on_mark(ctx, op, time) is called when it ends, before what it releases
 * starts (a probe: read a network counter at a point of the workload). */
void og_mark(og_graph *g, uint32_t op);
/* The receive of send op s on rank: a NOP on (rank, stream) that depends on s. */
uint32_t og_recv(og_graph *g, uint32_t rank, uint32_t stream, uint8_t cat, uint32_t send_op);
void og_dep(og_graph *g, uint32_t before, uint32_t after);
/* Optional name of an op (printf format; kept in an arena). */
void og_name(og_graph *g, uint32_t op, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Where a compute op's duration came from (comp_source of compute.h, or the builder's code). */
void og_set_src(og_graph *g, uint32_t op, uint8_t src);

/* Adds the stream order as edges, builds the successor index and refuses a cycle (OG_ECYCLE, with
 * the ops of one cycle named in err). */
int og_finalize(og_graph *g, char *err, size_t errlen);

typedef struct og_exec_opts {
  uint32_t sm_count;      /* SMs of a GPU, for sm_leave; 0 refuses any op with sm_leave > 0 */
  void (*on_mark)(void *ctx, uint32_t op, sim_time_ps t);   /* marked ops' ends (NULL: none) */
  void *ctx;
} og_exec_opts;

typedef struct og_stats {
  uint64_t ops, computes, sends, edges;
  sim_time_ps t_start, t_end;   /* sim_now at og_run, the last (foreground) op's end */
  uint64_t bg_unfinished;       /* background ops that had not ended when the run ended */
  double wall_s;
  uint64_t events;              /* engine events processed during the run */
} og_stats;

/* Runs the graph on e (and n for sends; NULL when the graph has none) until every op has ended
 * (every foreground op: see og_background; the engine is then stopped).
 * 0, or OG_EINVAL / OG_ESEND / OG_ESTATE with the op named in err. */
int og_run(og_graph *g, net_model *n, sim_engine *e, const og_exec_opts *o, og_stats *out, char *err,
           size_t errlen);

/* Reading a graph (after og_run for the times). */
uint32_t og_nops(const og_graph *g);
uint32_t og_nranks(const og_graph *g);
uint32_t og_nstreams(const og_graph *g);
const og_op *og_get(const og_graph *g, uint32_t op);
sim_time_ps og_start_ps(const og_graph *g, uint32_t op);
sim_time_ps og_end_ps(const og_graph *g, uint32_t op);
void og_placement(const og_graph *g, uint32_t rank, uint32_t *host, uint32_t *gpu);
/* The op's name into buf ("kind#id rank r stream s" when it has none); returns buf. */
const char *og_op_label(const og_graph *g, uint32_t op, char *buf, size_t len);
/* Bytes the graph holds now. */
size_t og_mem_bytes(const og_graph *g);

/* Size limit of op graphs, checked by the builders (wl_*) before they build (issue 17: refuse with the
 * estimate instead of an out-of-memory kill): $CLUSTERSIM_MAX_OG_BYTES (e.g. "16G"; topo_parse_bytes'
 * syntax) or OG_MAX_BYTES_DEFAULT. */
#define OG_MAX_BYTES_DEFAULT (8ull << 30)
uint64_t og_limit_bytes(void);
/* Peak bytes of a finalized graph of `ops` ops and `edges` edges (stream order included): the op
 * records with their growth slack, the build-time edge list and the run-time arrays (og_mem_bytes). */
uint64_t og_estimate_bytes(uint64_t ops, uint64_t edges);
/* 0 when the estimate is within the limit; else -1 with "what: N ops and M edges need about X GiB,
 * above the op-graph limit of Y GiB (set CLUSTERSIM_MAX_OG_BYTES to raise it)" in err. */
int og_check_size(const char *what, uint64_t ops, uint64_t edges, char *err, size_t errlen);


/* `clustersim bench graph` (og_bench.c): builds and runs a synthetic graph of about target_ops ops on
 * `ranks` ranks, a message every send_every layers; prints the figures to out. 0, 1 on failure, 2 on
 * bad arguments. */
int og_bench(FILE *out, uint64_t target_ops, uint32_t ranks, uint32_t send_every, uint64_t seed);

#endif
