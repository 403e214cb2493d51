/* exp_pcie.c: experiment `pcie_contention`: KV-cache loads from host memory against expert-parallel
 * (EP) all-to-all traffic on a GPU's PCIe link (paper section 4.5), and the traffic prioritisation
 * the paper proposes (EP before KV on PCIe).
 *
 * The workload (EP rounds, Poisson KV loads, their op graph and what it measures) is models/wl_pcie.h;
 * this file is its key table and the metrics.
 *
 * Metrics (GB = 1e9 bytes): ep_lat_{p50,p99,max,mean}_us over the measured EP messages;
 * ep_lat_alone_us, a message's latency without any contention (ep.peers messages sharing the
 * route's narrowest link, plus the route's fixed latency): what a KV-free run must measure;
 * ep_tput_GBps (EP bytes sent per GPU per second over the measured window, the window being at
 * least the measured rounds x ep.period); kv_offered_GBps, kv_tput_GBps (KV bytes delivered per
 * loading GPU per second over the window, transfers in flight counted by the bytes they have
 * delivered so far, read off the host-memory uplinks which carry nothing but KV); kv_backlog (KV
 * transfers queued or in flight per loading GPU at the end: grows with the run when the offered load
 * exceeds what PCIe leaves); with some GPUs not loading KV, ep_lat_p99_us_kv_gpus and
 * ep_lat_p99_us_other_gpus split the EP messages by their receiver.
 *
 * Costs: wl_pcie.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"
#include "exp_net.h"
#include "exp_topo.h"
#include "net.h"
#include "sim.h"
#include "sim_stats.h"
#include "wl_pcie.h"

#define END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}

static const char *const arrival_vals[] = {"poisson", "periodic", NULL};
static const char *const prio_vals[] = {"none", "ep_first", NULL};

static const scen_key ep_keys[] = {
  {"bytes", SCEN_BYTES, "bytes of one EP message (one GPU to one peer in one round)", NULL, 1, SCEN_MIN_EXCL, 0, 0,
   NULL, NULL, 0, NULL},
  {"peers", SCEN_INT, "peers per GPU per round: the same local GPU on this many distinct other hosts", NULL, 1,
   SCEN_MIN, 1, 0, NULL, NULL, 0, NULL},
  {"period", SCEN_TIME, "a round starts every period, or when the previous one is delivered if later (0: back to "
   "back)", "0ns", 0, 0, 0, 0, NULL, NULL, 0, NULL},
  {"rounds", SCEN_INT, "measured rounds", "100", 0, SCEN_MIN | SCEN_MAX, 1, 1e7, NULL, NULL, 0, NULL},
  {"warmup_rounds", SCEN_INT, "rounds run before the measured ones (KV queues fill)", "0", 0, SCEN_MIN | SCEN_MAX, 0,
   1e7, NULL, NULL, 0, NULL},
  END,
};

static const scen_key kv_keys[] = {
  {"load", SCEN_BW, "offered KV-cache load per loading GPU, host memory -> GPU (0: no KV traffic)", "0B/s", 0,
   SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  {"bytes", SCEN_BYTES, "bytes of one KV transfer", "16MiB", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  {"arrivals", SCEN_ENUM, "transfer arrivals per GPU: poisson (exponential gaps) or periodic (random phase)",
   "poisson", 0, 0, 0, 0, arrival_vals, NULL, 0, NULL},
  {"weight", SCEN_F64, "max-min weight of a KV transfer (an EP message has 1)", "1", 0, SCEN_MIN_EXCL, 0, 0, NULL,
   NULL, 0, NULL},
  {"streams", SCEN_INT, "KV transfers in flight per GPU; later ones wait in a FIFO", "1", 0, SCEN_MIN | SCEN_MAX, 1,
   1024, NULL, NULL, 0, NULL},
  {"gpus_per_host", SCEN_INT, "GPUs of each host that load KV: local indices 0 .. n-1 (0: all)", "0", 0, SCEN_MIN, 0,
   0, NULL, NULL, 0, NULL},
  END,
};

static const scen_key keys[] = {
  CLI_TOPOLOGY_KEY,
  CLI_NETWORK_KEY,
  {"ep", SCEN_MAP, "expert-parallel all-to-all rounds: bytes, peers, period, rounds, warmup_rounds", NULL, 1, 0, 0, 0,
   NULL, ep_keys, 0, NULL},
  {"kv", SCEN_MAP, "KV-cache loads host memory -> GPU: load, bytes, arrivals, weight, streams, gpus_per_host", "{}", 0,
   0, 0, 0, NULL, kv_keys, 0, NULL},
  {"kv_priority", SCEN_ENUM, "none: EP and KV share PCIe by max-min; ep_first: EP strictly before KV", "none", 0, 0,
   0, 0, prio_vals, NULL, 0, NULL},
  END,
};

static void summary_metrics(res_run *out, const char *prefix, const double *x, size_t n) {
  sim_summary sm;
  char name[96];
  if (sim_summarize(x, n, &sm) < 0) return;
  snprintf(name, sizeof name, "%s_p50_us", prefix);
  res_run_metric(out, name, sm.p50, "us");
  snprintf(name, sizeof name, "%s_p99_us", prefix);
  res_run_metric(out, name, sm.p99, "us");
  snprintf(name, sizeof name, "%s_max_us", prefix);
  res_run_metric(out, name, sm.max, "us");
  snprintf(name, sizeof name, "%s_mean_us", prefix);
  res_run_metric(out, name, sm.mean, "us");
}

/* The engine and network of one attempt of the workload: the scenario's. */
static int mknet(void *ctx, sim_engine **e, topo_graph **g, net_model **n, char *err, size_t errlen) {
  const scen *s = ((const void *const *)ctx)[0];
  uint32_t replicate = *(const uint32_t *)((const void *const *)ctx)[1];
  sim_engine_opts eo = {0};
  eo.seed = scen_seed(s);
  eo.replicate = replicate;
  *e = sim_engine_new(&eo);
  return cli_net_build(s, *e, g, n, err, errlen);
}

static wl_pcie_spec spec_of(const scen *s, uint32_t replicate) {
  wl_pcie_spec sp;
  memset(&sp, 0, sizeof sp);
  sp.ep_bytes = scen_bytes(s, "ep.bytes");
  sp.peers = (uint32_t)scen_int(s, "ep.peers");
  sp.period = scen_time_ps(s, "ep.period");
  sp.warmup = (uint32_t)scen_int(s, "ep.warmup_rounds");
  sp.rounds = (uint32_t)scen_int(s, "ep.rounds");
  sp.ep_first = strcmp(scen_str(s, "kv_priority"), "ep_first") == 0;
  sp.kv_load_Bps = scen_bw_Bps(s, "kv.load");
  sp.kv_bytes = scen_bytes(s, "kv.bytes");
  sp.kv_weight = scen_f64(s, "kv.weight");
  sp.kv_poisson = strcmp(scen_str(s, "kv.arrivals"), "poisson") == 0;
  sp.kv_streams = (uint32_t)scen_int(s, "kv.streams");
  int64_t per_host = scen_int(s, "kv.gpus_per_host");
  sp.kv_gpus_per_host = per_host > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)per_host;
  sp.seed = scen_seed(s);
  sp.replicate = replicate;
  return sp;
}

/* Load-time check: hosts and GPUs from the topology's counts (no graph), then the workload's rules. */
static int pcie_check(const scen *s, char *err, size_t errlen) {
  topo_spec ts;
  topo_counts c;
  if (cli_topo_spec_from_scen(s, &ts, err, errlen) < 0 || topo_count(&ts, &c, err, errlen) < 0) return 0;   /* said by the topology check */
  if (ts.node.gpus <= 0 || ts.family == TOPO_NODE) {
    snprintf(err, errlen, "topology: pcie_contention needs hosts on a scale-out fabric: topology.node (GPUs per host "
             "> 0) and a fabric family (ft2 ft3 mrft mpft slimfly dragonfly; is %s%s)", topo_family_name(ts.family),
             ts.node.gpus <= 0 ? ", no node" : "");
    return -1;
  }
  wl_pcie_spec sp = spec_of(s, 0);
  return wl_pcie_check(&sp, (uint32_t)c.endpoints, (uint32_t)ts.node.gpus, err, errlen);
}

static int run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  wl_pcie_spec sp = spec_of(s, replicate);
  const void *ctx[2] = {s, &replicate};
  wl_pcie_result r;
  if (wl_pcie_run(&sp, mknet, ctx, &r, err, errlen) < 0) return -1;

  summary_metrics(out, "ep_lat", r.lat_us, r.nlat);
  res_run_metric(out, "ep_lat_alone_us", r.alone_us, "us");
  res_run_metric(out, "ep_tput_GBps", r.ep_tput_GBps, "GB/s");
  res_run_metric(out, "kv_offered_GBps", sp.kv_load_Bps / 1e9, "GB/s");
  res_run_metric(out, "kv_tput_GBps", r.kv_tput_GBps, "GB/s");
  res_run_metric(out, "kv_backlog", r.kv_backlog, "transfers");
  if (r.nkv > 0 && r.nkv < r.gpus) {
    /* Split by receiver: partition lat_us in place (order no longer matters). */
    size_t a = 0;
    for (size_t i = 0; i < r.nlat; i++) {
      if (!r.to_kv[i]) continue;
      double t = r.lat_us[a];
      r.lat_us[a] = r.lat_us[i];
      r.lat_us[i] = t;
      uint8_t f = r.to_kv[a];
      r.to_kv[a] = r.to_kv[i];
      r.to_kv[i] = f;
      a++;
    }
    summary_metrics(out, "ep_lat_kv_gpus", r.lat_us, a);
    summary_metrics(out, "ep_lat_other_gpus", r.lat_us + a, r.nlat - a);
  }
  res_run_metric(out, "sim_time_ms", (double)r.t_end / (double)SIM_PS_PER_MS, "ms");
  res_run_metric(out, "net_solves", (double)r.net_solves, "1");
  res_run_metric(out, "events", (double)r.events, "1");
  char buf[64];
  snprintf(buf, sizeof buf, "%u", r.hosts);
  res_run_param(out, "derived.hosts", buf);
  snprintf(buf, sizeof buf, "%u", r.nkv);
  res_run_param(out, "derived.kv_gpus", buf);
  wl_pcie_result_free(&r);
  return 0;
}

const cli_experiment cli_exp_pcie_contention = {
  "pcie_contention",
  "KV-cache loads (host memory -> GPU) against EP all-to-all on the GPU's PCIe link; EP-first priority",
  keys, run, pcie_check};
