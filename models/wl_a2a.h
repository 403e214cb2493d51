/* wl_a2a.h: all-to-all workload, an op-graph builder (og.h) run on the executor: each of `count` endpoints sends `bytes` to
 * every other, all messages posted at the same instant (as NCCL's all-to-all posts one send per
 * peer), each pair its own connection (ECMP flow id). Used by experiment `alltoall` and by
 * `clustersim bench net`. */
#ifndef CLUSTERSIM_WL_A2A_H
#define CLUSTERSIM_WL_A2A_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "og.h"

typedef struct wl_a2a_result {
  uint64_t messages;          /* count x (count - 1) */
  sim_time_ps t_done_ps;      /* last delivery, from the instant of posting */
  sim_time_ps t_first_ps;     /* first delivery */
  double wall_s;              /* wall time of posting + running (CLOCK_MONOTONIC) */
  double algbw_Bps;           /* bytes x (count - 1) / t_done: per-endpoint send bandwidth */
} wl_a2a_result;

/* The graph: one stream-less send op per ordered pair, rank i = eps[i]; NULL for count < 2 or
 * bytes <= 0. The caller finalizes, runs and frees it. */
og_graph *wl_alltoall_graph(const uint32_t *eps, uint32_t count, double bytes);
/* The same messages appended to a graph under construction, between begin and end ops: the send
 * i -> j (rank ranks[i], endpoint eps[i] to eps[j]) waits for begin[i] and begin[j] (both ranks
 * have entered the all-to-all), end[i] waits for i's sends and receipts. begin / end NULL (or an
 * entry OG_NONE): none. Returns the messages added, count x (count - 1). */
uint64_t wl_alltoall_append(og_graph *g, const uint32_t *ranks, const uint32_t *eps, uint32_t count, double bytes,
                            const uint32_t *begin, const uint32_t *end, uint8_t cat);

/* Builds and runs the all-to-all among endpoints eps[0 .. count) on n's engine from its current time until the
 * last delivery. bytes > 0. 0, or a negative NET_E* code from net_send. */
int wl_alltoall(net_model *n, const uint32_t *eps, uint32_t count, double bytes, wl_a2a_result *out);

/* nccl-tests' alltoall_perf (S = bytes per rank: S/n to every rank) on a topology of hosts, as an op
 * graph. A pair on one host talks over NVLink. A pair on two hosts whose GPUs have the same local
 * index (rail/plane) goes straight NIC to NIC. Otherwise:
 *   pxn = 1 (NCCL's PXN): NVLink to the sender host's GPU with the destination's local index, then
 *           out of that GPU's NIC in its rail/plane;
 *   pxn = 0: MRFT (one fabric): from the sender's own NIC up to the spines and over to the other
 *           rail; MPFT (planes disconnected): out of the sender's NIC to the destination host's GPU
 *           on the sender's plane, then NVLink there (the relay at the receiver).
 * A relayed message moves in chunks of chunk_bytes (NCCL's P2P chunk), each forwarded when it has
 * arrived, at most `window` chunks in flight per leg (NCCL's buffer slots). Relays need every GPU
 * of a host taking part. NULL with a message in err on bad input. */
typedef struct wl_nccl_a2a_spec {
  const topo_graph *g;
  const uint32_t *eps;     /* GPUs taking part: rank i = eps[i] */
  uint32_t count;
  double bytes;            /* S per rank */
  int pxn;
  double chunk_bytes;
  uint32_t window;
} wl_nccl_a2a_spec;
typedef struct wl_nccl_a2a_counts {
  uint64_t direct, pxn, relay;   /* ordered pairs by path */
} wl_nccl_a2a_counts;
og_graph *wl_nccl_a2a_graph(const wl_nccl_a2a_spec *sp, wl_nccl_a2a_counts *cnt, char *err, size_t errlen);

#endif
