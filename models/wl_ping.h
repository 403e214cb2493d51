/* wl_ping.h: ping-pong workload, prefix wl_ping_ (perftest's ib_send_lat): endpoint a sends `bytes` to b,
 * b answers with `bytes` when it is delivered, `iters` round trips, one message in flight at a time, as an
 * op graph on the executor (og.h): rank 0 (endpoint a) holds the pings on its stream 0, rank 1 (endpoint
 * b) the pongs; ping i+1 waits for pong i, pong i for ping i. Round trip i = end of pong i - start of ping
 * i. Used by experiment `latency` (paper Table 5). Costs: 2 x iters ops and edges (about 90 B each:
 * og.h); og_check_size refuses a graph above the op-graph limit. */
#ifndef CLUSTERSIM_WL_PING_H
#define CLUSTERSIM_WL_PING_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "og.h"

typedef struct wl_ping_result {
  uint64_t done;                       /* round trips completed */
  double rtt_sum_ps;
  sim_time_ps rtt_min_ps, rtt_max_ps;
} wl_ping_result;

/* The graph (caller finalizes, runs and frees it); NULL with a message when above the size limit. */
og_graph *wl_ping_graph(uint32_t a, uint32_t b, double bytes, uint64_t iters, char *err, size_t errlen);
/* After og_run: the round trips of the graph. */
void wl_ping_measure(const og_graph *g, wl_ping_result *out);
/* Builds, runs (on n's engine, from its current time) and measures. 0 or -1 with a message. */
int wl_ping_run(net_model *n, uint32_t a, uint32_t b, double bytes, uint64_t iters, wl_ping_result *out, char *err,
                size_t errlen);

#endif
