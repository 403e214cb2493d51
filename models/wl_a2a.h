/* wl_a2a.h: all-to-all workload on the network model: each of `count` endpoints sends `bytes` to
 * every other, all messages posted at the same instant (as NCCL's all-to-all posts one send per
 * peer), each pair its own connection (ECMP flow id). Used by experiment `alltoall` and by
 * `clustersim bench net`. */
#ifndef CLUSTERSIM_WL_A2A_H
#define CLUSTERSIM_WL_A2A_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

typedef struct wl_a2a_result {
  uint64_t messages;          /* count x (count - 1) */
  sim_time_ps t_done_ps;      /* last delivery, from the instant of posting */
  sim_time_ps t_first_ps;     /* first delivery */
  double wall_s;              /* wall time of posting + running (CLOCK_MONOTONIC) */
  double algbw_Bps;           /* bytes x (count - 1) / t_done: per-endpoint send bandwidth */
} wl_a2a_result;

/* Runs the all-to-all among endpoints eps[0 .. count) on n's engine from its current time until the
 * last delivery. bytes > 0. 0, or a negative NET_E* code from net_send. */
int wl_alltoall(net_model *n, const uint32_t *eps, uint32_t count, double bytes, wl_a2a_result *out);

#endif
