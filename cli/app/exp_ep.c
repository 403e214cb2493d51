/* exp_ep.c: experiment `ep`: DeepEP-style dispatch and combine (models/wl_ep.h) on a topology:
 * scenario -> wl_ep_spec -> gate -> dispatch graph, combine graph -> executor -> DeepEP's metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"
#include "exp_ep.h"
#include "exp_net.h"
#include "exp_topo.h"
#include "wl_ep.h"

static const char *const mode_vals[] = {"normal", "low_latency", NULL};

static const scen_key ep_keys[] = {
  CLI_TOPOLOGY_KEY,
  CLI_NETWORK_KEY,
  {"gpus", SCEN_INT, "EP size: the first N GPUs in endpoint order (0: all); whole hosts", "0", 0, SCEN_MIN, 0, 0, NULL,
   NULL, 0, NULL},
  {"mode", SCEN_ENUM, "normal (training, prefill: network once per node + NVLink forwarding) or low_latency "
   "(decode: straight to every target GPU)", "normal", 0, 0, 0, 0, mode_vals, NULL, 0, NULL},
  {"tokens", SCEN_INT, "tokens per GPU", "4096", 0, SCEN_MIN, 1, 0, NULL, NULL, 0, NULL},
  {"hidden", SCEN_INT, "hidden size (elements per token)", "7168", 0, SCEN_MIN, 1, 0, NULL, NULL, 0, NULL},
  {"experts", SCEN_INT, "routed experts", "256", 0, SCEN_MIN, 1, 0, NULL, NULL, 0, NULL},
  {"experts_per_token", SCEN_INT, "routed experts per token (top-k)", "8", 0, SCEN_MIN, 1, 0, NULL, NULL, 0, NULL},
  {"shared_experts", SCEN_INT, "shared experts (computed where the token is: no traffic)", "1", 0, SCEN_MIN, 0, 0,
   NULL, NULL, 0, NULL},
  {"groups", SCEN_INT, "expert groups (consecutive experts; DeepSeek-V3: 8, one per node in EP64)", "8", 0, SCEN_MIN,
   1, 0, NULL, NULL, 0, NULL},
  {"node_limit", SCEN_INT, "expert groups a token may reach (DeepSeek-V3: 4); 0: no limit", "4", 0, SCEN_MIN, 0, 0,
   NULL, NULL, 0, NULL},
  {"skew", SCEN_F64, "expert imbalance: expert e drawn with weight (e+1)^-skew; 0 uniform", "0", 0, SCEN_MIN, 0, 0,
   NULL, NULL, 0, NULL},
  {"dispatch_elem_bytes", SCEN_F64, "bytes per element in dispatch (FP8: 1)", "1", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL,
   0, NULL},
  {"scale_bytes", SCEN_F64, "bytes per dispatch scale (FP32: 4)", "4", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  {"scale_block", SCEN_INT, "elements per scale (1x128 tiles)", "128", 0, SCEN_MIN, 1, 0, NULL, NULL, 0, NULL},
  {"combine_elem_bytes", SCEN_F64, "bytes per element in combine (BF16: 2)", "2", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL,
   0, NULL},
  {"chunk", SCEN_BYTES, "pipelining chunk of the network and NVLink phases (normal mode)", "1MiB", 0, SCEN_MIN_EXCL,
   0, 0, NULL, NULL, 0, NULL},
  {"window", SCEN_INT, "chunks in flight per leg", "8", 0, SCEN_MIN, 1, 0, NULL, NULL, 0, NULL},
  {"routing_file", SCEN_STR, "token-to-expert choices from a file instead of the gate's draws: one line per token "
   "(GPU 0's tokens first), experts_per_token expert ids each (models/wl_ep.h); relative to the scenario's folder; "
   "'' draws them", "''", 0, 0, 0, 0, NULL, NULL, 0, NULL},
  {"store_routing_max", SCEN_INT, "store the routing itself (series `routing`) when it has at most this many "
   "choices (GPUs x tokens x top-k); its sha256 is always stored", "65536", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

static double mean(const double *v, uint32_t n) {
  double s = 0;
  for (uint32_t i = 0; i < n; i++) s += v[i];
  return n ? s / n : 0;
}

static wl_ep_spec spec_of(const scen *s, const topo_graph *g, const uint32_t *eps, uint32_t count) {
  wl_ep_spec sp = {g, eps, count, (uint32_t)scen_int(s, "tokens"), (uint32_t)scen_int(s, "hidden"),
                   (uint32_t)scen_int(s, "experts"), (uint32_t)scen_int(s, "experts_per_token"),
                   (uint32_t)scen_int(s, "groups"), (uint32_t)scen_int(s, "node_limit"), scen_f64(s, "skew"),
                   scen_f64(s, "dispatch_elem_bytes"), scen_f64(s, "scale_bytes"), scen_f64(s, "combine_elem_bytes"),
                   (uint32_t)scen_int(s, "scale_block"), strcmp(scen_str(s, "mode"), "low_latency") == 0,
                   scen_bytes(s, "chunk"), (uint32_t)scen_int(s, "window")};
  return sp;
}

/* Load-time check: the GPUs from the topology's counts (no graph), then the gate's rules. */
static int ep_check(const scen *s, char *err, size_t errlen) {
  uint32_t count;
  int rc = cli_net_gpus_at_load(s, &count, err, errlen);
  if (rc != 0) return rc < 0 ? -1 : 0;
  wl_ep_spec sp = spec_of(s, NULL, NULL, count);
  return wl_ep_check(&sp, err, errlen);
}

int cli_ep_run(const scen *s, uint32_t replicate, cli_ep_out *o, char *err, size_t errlen) {
  memset(o, 0, sizeof *o);
  sim_engine_opts eo = {SIM_QUEUE_DEFAULT, 0, scen_seed(s), replicate};
  sim_engine *e = sim_engine_new(&eo);
  topo_graph *g = NULL;
  net_model *n = NULL;
  og_graph *og[2] = {NULL, NULL};
  uint32_t *eps = NULL;
  uint16_t *routing = NULL;
  wl_ep_counts cnt[2];
  memset(cnt, 0, sizeof cnt);
  int rc = -1;
  if (cli_net_build(s, e, &g, &n, err, errlen) < 0) goto out;
  uint32_t count = 0;
  if (cli_net_gpus(s, g, &eps, &count, err, errlen) < 0) goto out;
  wl_ep_spec sp = spec_of(s, g, eps, count);
  if (wl_ep_check(&sp, err, errlen) < 0) goto out;
  routing = malloc((size_t)count * sp.tokens * sp.experts_per_token * sizeof *routing);
  if (!routing) {
    snprintf(err, errlen, "ep: out of memory for the routing of %u x %u tokens", count, sp.tokens);
    goto out;
  }
  const char *rf = scen_str(s, "routing_file");
  if (rf && rf[0]) {
    char path[4096];
    const char *sp_path = scen_path(s), *slash = sp_path ? strrchr(sp_path, '/') : NULL;
    if (rf[0] == '/' || !slash) snprintf(path, sizeof path, "%s", rf);
    else snprintf(path, sizeof path, "%.*s/%s", (int)(slash - sp_path), sp_path, rf);
    char why[512];
    if (wl_ep_routing_read(&sp, path, routing, why, sizeof why) < 0) {
      snprintf(err, errlen, "routing_file: %s", why);
      goto out;
    }
  } else {
    wl_ep_route(&sp, sim_rng(e), routing);
  }
  double t[2];
  uint64_t msgs = 0;
  for (int c = 0; c < 2; c++) {
    og[c] = wl_ep_graph(&sp, routing, c, &cnt[c], err, errlen);
    if (!og[c]) goto out;
    og_stats st;
    if (og_finalize(og[c], err, errlen) < 0 || og_run(og[c], n, e, NULL, &st, err, errlen) < 0) goto out;
    t[c] = (double)(st.t_end - st.t_start) * 1e-12;
    msgs += st.sends;
    o->wall_s += st.wall_s;
  }
  uint64_t emax = 0, emin = UINT64_MAX;
  for (uint32_t x = 0; x < sp.experts; x++) {
    if (cnt[0].expert_tokens[x] > emax) emax = cnt[0].expert_tokens[x];
    if (cnt[0].expert_tokens[x] < emin) emin = cnt[0].expert_tokens[x];
  }
  for (int c = 0; c < 2; c++) {
    o->t_s[c] = t[c];
    o->rdma_Bps[c] = t[c] > 0 ? mean(cnt[c].rank_rdma, count) / t[c] : 0;
    o->nvl_Bps[c] = t[c] > 0 ? mean(cnt[c].rank_nvl, count) / t[c] : 0;
    o->rdma_bytes_per_gpu[c] = mean(cnt[c].rank_rdma, count);
  }
  double ntok = (double)count * sp.tokens;
  o->gpus = count;
  o->messages = msgs;
  o->ib_bytes_per_token = cnt[0].rdma_bytes / ntok;
  o->token_bytes = wl_ep_token_bytes(&sp, 0);
  o->nodes_per_token = cnt[0].nodes_per_token;
  o->remote_nodes_per_token = cnt[0].remote_nodes_per_token;
  o->expert_tokens_max = emax;
  o->expert_tokens_min = emin;
  o->experts = sp.experts;
  o->k = sp.experts_per_token;
  o->expert_tokens = cnt[0].expert_tokens;
  cnt[0].expert_tokens = NULL;
  o->nchoices = (uint64_t)count * sp.tokens * sp.experts_per_token;
  {
    /* hash of the routing as little-endian uint16 */
    uint8_t *le = malloc(o->nchoices * 2 + 1);
    if (!le) {
      snprintf(err, errlen, "ep: out of memory hashing the routing");
      goto out;
    }
    for (uint64_t i = 0; i < o->nchoices; i++) {
      le[2 * i] = (uint8_t)(routing[i] & 0xFF);
      le[2 * i + 1] = (uint8_t)(routing[i] >> 8);
    }
    scen_sha256_hex(le, o->nchoices * 2, o->routing_sha256);
    free(le);
  }
  o->routing = routing;
  routing = NULL;
  rc = 0;
out:
  for (int c = 0; c < 2; c++) {
    og_free(og[c]);
    wl_ep_counts_free(&cnt[c]);
  }
  free(routing);
  free(eps);
  net_free(n);
  topo_free(g);
  sim_engine_free(e);
  return rc;
}

void cli_ep_out_free(cli_ep_out *o) {
  free(o->expert_tokens);
  free(o->routing);
  o->expert_tokens = NULL;
  o->routing = NULL;
}

static int ep_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  cli_ep_out o;
  if (cli_ep_run(s, replicate, &o, err, errlen) < 0) {
    cli_ep_out_free(&o);
    return -1;
  }
  res_run_param(out, "derived.routing_sha256", o.routing_sha256);
  for (uint32_t x = 0; x < o.experts; x++) res_run_series(out, "expert_tokens", x, (double)o.expert_tokens[x]);
  if (o.nchoices <= (uint64_t)scen_int(s, "store_routing_max"))   /* x: (GPU x tokens + token) x k + slot */
    for (uint64_t i = 0; i < o.nchoices; i++) res_run_series(out, "routing", (double)i, o.routing[i]);
  cli_ep_out_free(&o);
  static const char *const ph[2] = {"dispatch", "combine"};
  char key[64], wall[32];
  snprintf(wall, sizeof wall, "%.6f", o.wall_s);
  res_run_param(out, "derived.wall_s", wall);
  for (int c = 0; c < 2; c++) {
    snprintf(key, sizeof key, "%s_us", ph[c]);
    res_run_metric(out, key, o.t_s[c] * 1e6, "us");
    snprintf(key, sizeof key, "%s_rdma_GBps", ph[c]);   /* DeepEP: RDMA bytes of a GPU / time */
    res_run_metric(out, key, o.rdma_Bps[c] * 1e-9, "GB/s");
    snprintf(key, sizeof key, "%s_nvl_GBps", ph[c]);
    res_run_metric(out, key, o.nvl_Bps[c] * 1e-9, "GB/s");
    snprintf(key, sizeof key, "%s_rdma_bytes_per_gpu", ph[c]);
    res_run_metric(out, key, o.rdma_bytes_per_gpu[c], "B");
  }
  res_run_metric(out, "gpus", (double)o.gpus, "1");
  res_run_metric(out, "ib_bytes_per_token", o.ib_bytes_per_token, "B");
  res_run_metric(out, "token_bytes", o.token_bytes, "B");
  res_run_metric(out, "nodes_per_token", o.nodes_per_token, "1");
  res_run_metric(out, "remote_nodes_per_token", o.remote_nodes_per_token, "1");
  res_run_metric(out, "expert_tokens_max", (double)o.expert_tokens_max, "1");
  res_run_metric(out, "expert_tokens_min", (double)o.expert_tokens_min, "1");
  res_run_metric(out, "messages", (double)o.messages, "1");
  return 0;
}

const cli_experiment cli_exp_ep = {
  "ep",
  "DeepEP-style expert-parallel dispatch and combine (normal or low-latency mode): time, RDMA and NVLink GB/s per GPU",
  ep_keys,
  ep_run,
  ep_check,
};
