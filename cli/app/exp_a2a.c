/* exp_a2a.c: experiment `alltoall`: the flow-level all-to-all of wl_a2a.h on a topology (every GPU
 * sends `bytes` to every other, all posted at once). Also the workload of `clustersim bench net`.
 * Metrics are pure functions of the scenario; the run's wall time is the param derived.wall_s. */
#include <stdio.h>
#include <stdlib.h>

#include "exp.h"
#include "exp_a2a.h"
#include "exp_net.h"
#include "exp_topo.h"
#include "wl_a2a.h"

static const scen_key a2a_keys[] = {
  CLI_TOPOLOGY_KEY,
  CLI_NETWORK_KEY,
  {"gpus", SCEN_INT, "endpoints taking part: the first N in endpoint order (0: all)", "0", 0, SCEN_MIN, 0, 0, NULL,
   NULL, 0, NULL},
  {"bytes", SCEN_BYTES, "bytes each endpoint sends to each other endpoint", "1MiB", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL,
   0, NULL},
  {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

int cli_a2a_run(const scen *s, cli_a2a_out *o, char *err, size_t errlen) {
  sim_engine_opts eo = {SIM_QUEUE_DEFAULT, 0, scen_seed(s), 0};
  sim_engine *e = sim_engine_new(&eo);
  topo_graph *g = NULL;
  net_model *n = NULL;
  int rc = -1;
  uint32_t *eps = NULL;
  if (cli_net_build(s, e, &g, &n, err, errlen) < 0) goto out;
  int64_t want = scen_int(s, "gpus");
  uint32_t count = want == 0 ? g->n_endpoints : (uint32_t)want;
  if (want < 0 || (uint64_t)want > g->n_endpoints || count < 2) {
    snprintf(err, errlen, "gpus = %lld: the topology has %u endpoints (allowed: 0 = all, or 2 .. %u)", (long long)want,
             g->n_endpoints, g->n_endpoints);
    goto out;
  }
  eps = malloc((size_t)count * sizeof *eps);
  if (!eps) {
    snprintf(err, errlen, "alltoall: out of memory");
    goto out;
  }
  for (uint32_t i = 0; i < count; i++) eps[i] = i;
  o->gpus = count;
  o->graph_bytes = topo_memory_bytes(g);
  int r = wl_alltoall(n, eps, count, scen_bytes(s, "bytes"), &o->res);
  if (r < 0) {
    snprintf(err, errlen, "alltoall: a message could not be sent (code %d: no route between two endpoints?)", r);
    goto out;
  }
  net_get_stats(n, &o->st);
  rc = 0;
out:
  free(eps);
  net_free(n);
  topo_free(g);
  sim_engine_free(e);
  return rc;
}

static int a2a_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)replicate;   /* deterministic: no random draws */
  cli_a2a_out o;
  if (cli_a2a_run(s, &o, err, errlen) < 0) return -1;
  char wall[32];
  snprintf(wall, sizeof wall, "%.6f", o.res.wall_s);
  res_run_param(out, "derived.wall_s", wall);
  res_run_metric(out, "gpus", (double)o.gpus, "1");
  res_run_metric(out, "messages", (double)o.res.messages, "1");
  res_run_metric(out, "completion_us", (double)o.res.t_done_ps * 1e-6, "us");
  res_run_metric(out, "first_delivery_us", (double)o.res.t_first_ps * 1e-6, "us");
  res_run_metric(out, "algbw_GBps", o.res.algbw_Bps * 1e-9, "GB/s");
  res_run_metric(out, "solves", (double)o.st.solves, "1");
  res_run_metric(out, "reschedules", (double)o.st.reschedules, "1");
  res_run_metric(out, "peak_flows", (double)o.st.peak_active_flows, "1");
  res_run_metric(out, "model_peak_bytes", (double)o.st.peak_bytes, "B");
  return 0;
}

const cli_experiment cli_exp_alltoall = {
  "alltoall",
  "flow-level all-to-all: every GPU sends `bytes` to every other at once (completion time, algbw)",
  a2a_keys,
  a2a_run,
};
