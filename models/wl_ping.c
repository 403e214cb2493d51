/* wl_ping.c: the ping-pong workload as an op graph (wl_ping.h). */
#include "wl_ping.h"

#include <stdio.h>
#include <string.h>

og_graph *wl_ping_graph(uint32_t a, uint32_t b, double bytes, uint64_t iters, char *err, size_t errlen) {
  if (iters < 1 || iters > UINT32_MAX / 2 - 1) {
    snprintf(err, errlen, "iterations = %llu: allowed 1 .. %u", (unsigned long long)iters, UINT32_MAX / 2 - 1);
    return NULL;
  }
  if (og_check_size("ping-pong (2 x iterations messages)", 2 * iters, 4 * iters, err, errlen) < 0) return NULL;
  og_graph *g = og_new(2, 1, (size_t)(2 * iters));
  og_place(g, 0, a, 0);
  og_place(g, 1, b, 0);
  uint8_t cp = og_cat(g, "ping"), cq = og_cat(g, "pong");
  uint32_t prev = OG_NONE;
  for (uint64_t i = 0; i < iters; i++) {
    uint32_t p = og_send(g, 0, 0, cp, a, b, bytes, 0, 0);
    if (prev != OG_NONE) og_dep(g, prev, p);
    uint32_t q = og_send(g, 1, 0, cq, b, a, bytes, 0, 0);
    og_dep(g, p, q);
    prev = q;
  }
  return g;
}

void wl_ping_measure(const og_graph *g, wl_ping_result *out) {
  memset(out, 0, sizeof *out);
  for (uint32_t i = 0; i + 1 < og_nops(g); i += 2) {   /* ops alternate ping, pong */
    sim_time_ps t0 = og_start_ps(g, i), t1 = og_end_ps(g, i + 1);
    if (t0 == SIM_TIME_MAX || t1 == SIM_TIME_MAX) break;
    sim_time_ps rtt = t1 - t0;
    out->rtt_sum_ps += (double)rtt;
    if (out->done == 0 || rtt < out->rtt_min_ps) out->rtt_min_ps = rtt;
    if (out->done == 0 || rtt > out->rtt_max_ps) out->rtt_max_ps = rtt;
    out->done++;
  }
}

int wl_ping_run(net_model *n, uint32_t a, uint32_t b, double bytes, uint64_t iters, wl_ping_result *out, char *err,
                size_t errlen) {
  memset(out, 0, sizeof *out);
  og_graph *g = wl_ping_graph(a, b, bytes, iters, err, errlen);
  if (!g) return -1;
  og_stats st;
  int rc = og_finalize(g, err, errlen) < 0 || og_run(g, n, net_engine(n), NULL, &st, err, errlen) < 0 ? -1 : 0;
  if (rc == 0) wl_ping_measure(g, out);
  og_free(g);
  return rc;
}
