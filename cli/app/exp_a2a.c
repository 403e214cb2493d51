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
  uint32_t count = 0;
  if (cli_net_gpus(s, g, &eps, &count, err, errlen) < 0) goto out;
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
  NULL,
};

/* ---- experiment nccl_alltoall: nccl-tests' alltoall_perf with PXN (wl_nccl_a2a_graph) ---- */

static const scen_key nccl_a2a_keys[] = {
  CLI_TOPOLOGY_KEY,
  CLI_NETWORK_KEY,
  {"gpus", SCEN_INT, "GPUs taking part: the first N in endpoint order (0: all); whole hosts", "0", 0, SCEN_MIN, 0, 0,
   NULL, NULL, 0, NULL},
  {"bytes", SCEN_BYTES, "S, bytes per rank (nccl-tests' size): S/n to every rank", "1MiB", 0, SCEN_MIN_EXCL, 0, 0,
   NULL, NULL, 0, NULL},
  {"pxn", SCEN_BOOL, "NCCL PXN: cross-rail/plane data crosses NVLink to the rail-matched GPU first", "true", 0, 0, 0, 0,
   NULL, NULL, 0, NULL},
  {"chunk", SCEN_BYTES, "relay chunk (NCCL_P2P_NET_CHUNKSIZE, NCCL's default 128 KiB)", "128KiB", 0, SCEN_MIN_EXCL,
   0, 0, NULL, NULL, 0, NULL},
  {"window", SCEN_INT, "relay chunks in flight per leg (NCCL_STEPS, 8 in NCCL)", "8", 0, SCEN_MIN, 1, 0, NULL, NULL,
   0, NULL},
  {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

static int nccl_a2a_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)replicate;   /* deterministic: no random draws */
  sim_engine_opts eo = {SIM_QUEUE_DEFAULT, 0, scen_seed(s), 0};
  sim_engine *e = sim_engine_new(&eo);
  topo_graph *g = NULL;
  net_model *n = NULL;
  og_graph *og = NULL;
  uint32_t *eps = NULL;
  int rc = -1;
  if (cli_net_build(s, e, &g, &n, err, errlen) < 0) goto out;
  uint32_t count = 0;
  if (cli_net_gpus(s, g, &eps, &count, err, errlen) < 0) goto out;
  wl_nccl_a2a_spec sp = {g, eps, count, scen_bytes(s, "bytes"), scen_bool(s, "pxn"), scen_bytes(s, "chunk"),
                         (uint32_t)scen_int(s, "window")};
  wl_nccl_a2a_counts cnt;
  og = wl_nccl_a2a_graph(&sp, &cnt, err, errlen);
  if (!og) goto out;
  og_stats st;
  if (og_finalize(og, err, errlen) < 0 || og_run(og, n, e, NULL, &st, err, errlen) < 0) goto out;
  double t = (double)(st.t_end - st.t_start) * 1e-12;
  double algbw = t > 0 ? sp.bytes / t : 0;
  char wall[32];
  snprintf(wall, sizeof wall, "%.6f", st.wall_s);
  res_run_param(out, "derived.wall_s", wall);
  res_run_param(out, "type", "float");   /* nccl-tests' columns: count = S / sizeof(float) */
  res_run_metric(out, "gpus", (double)count, "1");
  res_run_metric(out, "size_B", sp.bytes, "B");
  res_run_metric(out, "count", sp.bytes / 4.0, "1");
  res_run_metric(out, "time_us", t * 1e6, "us");
  res_run_metric(out, "algbw_GBps", algbw * 1e-9, "GB/s");
  res_run_metric(out, "busbw_GBps", algbw * (double)(count - 1) / (double)count * 1e-9, "GB/s");
  res_run_metric(out, "messages", (double)st.sends, "1");
  res_run_metric(out, "pairs_direct", (double)cnt.direct, "1");
  res_run_metric(out, "pairs_pxn", (double)cnt.pxn, "1");
  res_run_metric(out, "pairs_relay", (double)cnt.relay, "1");
  rc = 0;
out:
  og_free(og);
  free(eps);
  net_free(n);
  topo_free(g);
  sim_engine_free(e);
  return rc;
}

const cli_experiment cli_exp_nccl_alltoall = {
  "nccl_alltoall",
  "nccl-tests alltoall_perf on a topology of hosts, with or without PXN (time, algbw, busbw = algbw (n-1)/n)",
  nccl_a2a_keys,
  nccl_a2a_run,
  NULL,
};
