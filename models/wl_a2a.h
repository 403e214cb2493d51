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

/* Builds and runs the all-to-all among endpoints eps[0 .. count) on n's engine from its current time until the
 * last delivery. bytes > 0. 0, or a negative NET_E* code from net_send. */
int wl_alltoall(net_model *n, const uint32_t *eps, uint32_t count, double bytes, wl_a2a_result *out);

#endif
