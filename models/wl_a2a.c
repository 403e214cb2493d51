/* wl_a2a.c: all-to-all workload (wl_a2a.h). */
#include "wl_a2a.h"

#include <string.h>
#include <time.h>

typedef struct a2a_ctx {
  uint64_t left;
  sim_time_ps first, last;
} a2a_ctx;

static void on_done(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  (void)tag;
  a2a_ctx *c = ctx;
  if (c->first == SIM_TIME_MAX) c->first = info->t_deliver;
  c->last = info->t_deliver;
  c->left--;
}

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int wl_alltoall(net_model *n, const uint32_t *eps, uint32_t count, double bytes, wl_a2a_result *out) {
  memset(out, 0, sizeof *out);
  if (count < 2 || !(bytes > 0)) return NET_EINVAL;
  sim_engine *e = net_engine(n);
  const sim_time_ps t0 = sim_now(e);
  a2a_ctx c = {0, SIM_TIME_MAX, 0};
  double w0 = mono_s();
  /* post in rounds of peers (i -> i + k), as NCCL orders its peers, so that no destination is
   * posted to by every source before the others get any */
  for (uint32_t k = 1; k < count; k++)
    for (uint32_t i = 0; i < count; i++) {
      net_msg m;
      memset(&m, 0, sizeof m);
      m.src = eps[i];
      m.dst = eps[(i + k) % count];
      m.bytes = bytes;
      m.done = on_done;
      m.ctx = &c;
      int rc = net_send(n, &m, NULL);
      if (rc < 0) return rc;
      c.left++;
    }
  out->messages = c.left;
  sim_run(e, SIM_TIME_MAX);
  out->wall_s = mono_s() - w0;
  if (c.left != 0) return NET_EINVAL;   /* cannot happen: every flow ends (no zero-capacity arcs) */
  out->t_done_ps = c.last - t0;
  out->t_first_ps = c.first - t0;
  out->algbw_Bps = out->t_done_ps ? bytes * (double)(count - 1) / ((double)out->t_done_ps * 1e-12) : 0;
  return 0;
}
