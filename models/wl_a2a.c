/* wl_a2a.c: all-to-all workload (wl_a2a.h), an op graph run on the one executor (og.h). */
#include "wl_a2a.h"

#include <string.h>

#include "og.h"

og_graph *wl_alltoall_graph(const uint32_t *eps, uint32_t count, double bytes) {
  if (count < 2 || !(bytes > 0)) return NULL;
  og_graph *g = og_new(count, 1, (size_t)count * count + 16);
  uint8_t cat = og_cat(g, "alltoall");
  /* posted in rounds of peers (i -> i + k), as NCCL orders its peers, so that no destination is
   * posted to by every source before the others get any; stream-less: one grouped kernel */
  for (uint32_t k = 1; k < count; k++)
    for (uint32_t i = 0; i < count; i++)
      og_send(g, i, OG_NOSTREAM, cat, eps[i], eps[(i + k) % count], bytes, 0, 0);
  return g;
}

int wl_alltoall(net_model *n, const uint32_t *eps, uint32_t count, double bytes, wl_a2a_result *out) {
  memset(out, 0, sizeof *out);
  og_graph *g = wl_alltoall_graph(eps, count, bytes);
  if (!g) return NET_EINVAL;
  char err[256];
  int rc = og_finalize(g, err, sizeof err);
  og_stats st;
  if (rc == 0) rc = og_run(g, n, net_engine(n), NULL, &st, err, sizeof err);
  if (rc < 0) {
    og_free(g);
    return NET_EINVAL;
  }
  sim_time_ps first = SIM_TIME_MAX;
  for (uint32_t i = 0; i < og_nops(g); i++)
    if (og_end_ps(g, i) < first) first = og_end_ps(g, i);
  out->messages = st.sends;
  out->wall_s = st.wall_s;
  out->t_done_ps = st.t_end - st.t_start;
  out->t_first_ps = first - st.t_start;
  out->algbw_Bps = out->t_done_ps ? bytes * (double)(count - 1) / ((double)out->t_done_ps * 1e-12) : 0;
  og_free(g);
  return 0;
}
