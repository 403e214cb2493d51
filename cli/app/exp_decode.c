/* exp_decode.c: experiment `decode`: one decode step of an MoE model (models/wl_decode.h) on a topology:
 * scenario -> wl_decode_spec -> routings -> op graph -> executor -> TPOT, tokens/s per user, output tokens/s
 * per GPU and a per-layer breakdown (compute busy time and exposed time of GPU 0, EP messages and bytes).
 *
 * compute: zero (paper 2.3.2's "computation overhead is minimized"), equal_comm (its NVL72 case:
 * "computation time is equal to the communication time": every compute stage lasts as long as the other
 * micro-batch's dispatch or combine it hides, both measured on the executor first, see wl_decode.h).
 * routing: spread (one expert per GPU, every copy to another GPU: wl_decode_route_spread) or gate
 * (wl_ep_route's draws from the run's RNG, node limit and skew applied; one routing per layer and
 * micro-batch). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"
#include "exp_decode.h"
#include "exp_hw.h"
#include "exp_net.h"
#include "exp_topo.h"
#include "wl_decode.h"

static const char *const compute_vals[] = {"zero", "equal_comm", "model", NULL};
static const char *const routing_vals[] = {"spread", "gate", NULL};

#define INT(nm, help, def, min) {nm, SCEN_INT, help, def, 0, SCEN_MIN, min, 0, NULL, NULL, 0, NULL}
#define POSB(nm, help, def) {nm, SCEN_F64, help, def, 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL}

static const scen_key decode_keys[] = {
  CLI_TOPOLOGY_KEY,
  CLI_NETWORK_KEY,
  INT("gpus", "EP size: the first N GPUs in endpoint order (0: all)", "0", 0),
  INT("tokens_per_gpu", "tokens (requests) per GPU per micro-batch", "32", 1),
  INT("hidden", "hidden size (elements per token)", "7168", 1),
  INT("experts", "routed experts", "256", 1),
  INT("redundant_experts", "redundant expert replicas (paper 2.3: hot experts duplicated); experts + "
      "redundant_experts must be a multiple of the EP size", "0", 0),
  INT("experts_per_token", "routed experts per token (top-k)", "8", 1),
  INT("shared_experts", "shared experts per token", "1", 0),
  {"shared_remote", SCEN_BOOL, "true: the shared expert is one more destination of every token (2.3.2's one expert "
   "per device); false: computed where the token is, no traffic", "false", 0, 0, 0, 0, NULL, NULL, 0, NULL},
  INT("groups", "expert groups for the node limit (1: none)", "1", 1),
  INT("node_limit", "expert groups a token may reach; 0: no limit", "0", 0),
  {"skew", SCEN_F64, "expert imbalance (routing: gate)", "0", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  POSB("dispatch_elem_bytes", "bytes per element in dispatch (FP8: 1)", "1"),
  {"scale_bytes", SCEN_F64, "bytes per dispatch scale (FP32: 4; 0: none)", "4", 0, SCEN_MIN, 0, 0, NULL, NULL, 0,
   NULL},
  INT("scale_block", "elements per scale", "128", 1),
  POSB("combine_elem_bytes", "bytes per element in combine (BF16: 2)", "2"),
  INT("layers", "transformer layers (DeepSeek-V3: 61)", "61", 1),
  INT("dense_layers", "leading layers without experts (DeepSeek-V3: 3)", "0", 0),
  INT("micro_batches", "1 or 2", "2", 1),
  {"overlap", SCEN_BOOL, "dual micro-batch overlap (false: no-overlap schedule)", "true", 0, 0, 0, 0, NULL, NULL, 0,
   NULL},
  {"compute", SCEN_ENUM, "zero, equal_comm (each compute stage as long as the communication it hides), or model "
   "(every op from the compute model: the gpu's kernel trace or roofline at the model's shapes)", "zero", 0, 0, 0, 0,
   compute_vals, NULL, 0, NULL},
  CLI_GPU_KEY(0),
  CLI_MODEL_KEY(0),
  CLI_TRACE_KEYS,
  INT("context", "compute: model: tokens of KV per request (MLA decode reads them)", "4096", 1),
  {"routing", SCEN_ENUM, "spread (one expert per GPU, all copies remote) or gate (random draws)", "spread", 0, 0, 0, 0,
   routing_vals, NULL, 0, NULL},
  {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

static int phase_s(const wl_ep_spec *ep, const uint16_t *rt, int combine, net_model *n, sim_engine *e, double *out,
                   char *err, size_t errlen) {
  og_graph *g = wl_ep_graph(ep, rt, combine, NULL, err, errlen);
  if (!g) return -1;
  og_stats st;
  int rc = og_finalize(g, err, errlen) < 0 || og_run(g, n, e, NULL, &st, err, errlen) < 0 ? -1 : 0;
  if (rc == 0) *out = (double)(st.t_end - st.t_start) / (double)SIM_PS_PER_S;
  og_free(g);
  return rc;
}

/* The workload spec of a point on GPUs eps[0 .. count) of g (g and eps NULL at load time), and the rules
 * the run needs; 0 or -1 with a message that starts with the key. */
static int spec_of(const scen *s, const topo_graph *tg, const uint32_t *eps, uint32_t count, wl_decode_spec *spo,
                   char *err, size_t errlen) {
  wl_decode_spec sp;
  memset(&sp, 0, sizeof sp);
  uint32_t k = (uint32_t)scen_int(s, "experts_per_token");
  int shared_remote = scen_bool(s, "shared_remote");
  if (shared_remote) k += (uint32_t)scen_int(s, "shared_experts");
  uint32_t ex = (uint32_t)(scen_int(s, "experts") + scen_int(s, "redundant_experts"));
  sp.ep = (wl_ep_spec){tg, eps, count, (uint32_t)scen_int(s, "tokens_per_gpu"), (uint32_t)scen_int(s, "hidden"), ex, k,
                       (uint32_t)scen_int(s, "groups"), (uint32_t)scen_int(s, "node_limit"), scen_f64(s, "skew"),
                       scen_f64(s, "dispatch_elem_bytes"), scen_f64(s, "scale_bytes"), scen_f64(s, "combine_elem_bytes"),
                       (uint32_t)scen_int(s, "scale_block"), 1, 1e15, 1};
  sp.layers = (uint32_t)scen_int(s, "layers");
  sp.dense_layers = (uint32_t)scen_int(s, "dense_layers");
  sp.micro_batches = (uint32_t)scen_int(s, "micro_batches");
  sp.overlap = scen_bool(s, "overlap");
  sp.shared_remote = shared_remote;
  *spo = sp;
  if (sp.ep.tokens == 0) {
    snprintf(err, errlen, "tokens_per_gpu: 0; allowed: 1 or more tokens per GPU per micro-batch");
    return -1;
  }
  if (count >= 2 && ex % count) {
    snprintf(err, errlen,
             "gpus: EP size %u does not divide the %u experts (experts + redundant_experts); allowed: an EP size that "
             "divides them, or set redundant_experts so that experts + redundant_experts is a multiple of %u",
             count, ex, count);
    return -1;
  }
  return wl_decode_check(&sp, err, errlen);
}

/* compute: model: every op of a micro-batch from the compute model. Routed tokens per expert: the busiest
 * GPU's received (token, expert) copies of micro-batch A's first MoE layer over its experts (the step waits
 * for the slowest GPU; spread routing gives every GPU the same). The op sources go to derived.compute. */
static int fill_from_model(const scen *s, wl_decode_spec *sp, const uint16_t *rt, res_run *out, char *err,
                           size_t errlen) {
  const wl_ep_spec *ep = &sp->ep;
  uint32_t epg = ep->experts / ep->ranks;
  uint64_t *per_gpu = calloc(ep->ranks, sizeof *per_gpu);
  if (!per_gpu) {
    snprintf(err, errlen, "decode: out of memory");
    return -1;
  }
  size_t nch = (size_t)ep->ranks * ep->tokens * ep->experts_per_token;
  for (size_t i = 0; i < nch; i++) per_gpu[rt[i] / epg]++;
  uint64_t mx = 0;
  for (uint32_t r = 0; r < ep->ranks; r++)
    if (per_gpu[r] > mx) mx = per_gpu[r];
  free(per_gpu);
  comp_gpu gpu;
  comp_model cm;
  comp_trace *t = NULL;
  if (cli_comp_from_scen(s, &gpu, &cm, &t, err, errlen) < 0) return -1;
  llm_config mc;
  cli_llm_from_scen(s, &mc);
  char what[4096];
  int rc = wl_decode_fill_compute(sp, &cm, &mc, scen_int(s, "context"), (double)mx / epg, epg, what, sizeof what, err,
                                  errlen);
  comp_trace_free(t);
  if (rc == 0 && out) {
    res_run_param(out, "derived.compute", what);
    res_run_metric(out, "tokens_per_expert", (double)mx / epg, "1");
    for (int k = 0; k < WL_DECODE_OPK_COUNT; k++) {
      char name[64];
      snprintf(name, sizeof name, "%s_us", wl_decode_opk_name((wl_decode_opk)k));
      res_run_metric(out, name, (double)sp->dur[0][k].ps / (double)SIM_PS_PER_US, "us");
    }
  }
  return rc;
}

/* compute: model needs gpu: and model:, and a model whose shapes hold together. */
static int model_check(const scen *s, char *err, size_t errlen) {
  if (strcmp(scen_str(s, "compute"), "model") != 0) return 0;
  if (!scen_has(s, "gpu") || !scen_has(s, "model")) {
    snprintf(err, errlen, "compute: model needs a gpu: preset (e.g. gpu-h800) and a model: preset (e.g. deepseek-v3)%s%s",
             scen_has(s, "gpu") ? "" : "; gpu: missing", scen_has(s, "model") ? "" : "; model: missing");
    return -1;
  }
  llm_config mc;
  cli_llm_from_scen(s, &mc);
  return cli_llm_check(&mc, err, errlen);
}

/* Load-time check: the EP size from the topology's counts (no graph), then the workload's rules. */
static int decode_check(const scen *s, char *err, size_t errlen) {
  uint32_t count;
  int rc = cli_net_gpus_at_load(s, &count, err, errlen);
  if (rc != 0) return rc < 0 ? -1 : 0;
  wl_decode_spec sp;
  if (spec_of(s, NULL, NULL, count, &sp, err, errlen) < 0) return -1;
  return model_check(s, err, errlen);
}

int cli_decode_run(const scen *s, uint32_t replicate, res_run *out, cli_decode_out *o, char *err, size_t errlen) {
  memset(o, 0, sizeof *o);
  sim_engine_opts eo = {SIM_QUEUE_DEFAULT, 0, scen_seed(s), replicate};
  sim_engine *e = sim_engine_new(&eo);
  topo_graph *tg = NULL;
  net_model *n = NULL;
  og_graph *g = NULL;
  uint32_t *eps = NULL, count = 0;
  uint16_t *rtbuf = NULL;
  const uint16_t **rts = NULL;
  wl_decode_info info;
  memset(&info, 0, sizeof info);
  int rc = -1;
  if (cli_net_build(s, e, &tg, &n, err, errlen) < 0) goto out;
  if (cli_net_gpus(s, tg, &eps, &count, err, errlen) < 0) goto out;
  wl_decode_spec sp;
  if (spec_of(s, tg, eps, count, &sp, err, errlen) < 0) goto out;
  uint32_t k = sp.ep.experts_per_token;
  int spread = strcmp(scen_str(s, "routing"), "spread") == 0;
  uint32_t moe = sp.layers - sp.dense_layers, M = sp.micro_batches, nrt = spread ? 1 : moe * M;
  size_t per = (size_t)count * sp.ep.tokens * k;
  rtbuf = malloc((nrt ? nrt : 1) * per * sizeof *rtbuf);
  rts = malloc(((size_t)moe * M + 1) * sizeof *rts);
  if (!rtbuf || !rts) {
    snprintf(err, errlen, "decode: out of memory for %u routings of %zu choices", nrt, per);
    goto out;
  }
  if (spread) {
    if (wl_decode_route_spread(&sp.ep, rtbuf, err, errlen) < 0) goto out;
  } else {
    for (uint32_t i = 0; i < nrt; i++) wl_ep_route(&sp.ep, sim_rng(e), rtbuf + i * per);
  }
  for (uint32_t i = 0; i < moe * M; i++) rts[i] = rtbuf + (spread ? 0 : i * per);
  double d_s = 0, c_s = 0;
  if (strcmp(scen_str(s, "compute"), "equal_comm") == 0) {
    if (moe == 0) {
      snprintf(err, errlen, "compute: equal_comm needs at least one MoE layer (dense_layers < layers)");
      goto out;
    }
    if (phase_s(&sp.ep, rts[0], 0, n, e, &d_s, err, errlen) < 0 || phase_s(&sp.ep, rts[0], 1, n, e, &c_s, err, errlen) < 0)
      goto out;
    sim_time_ps dps = (sim_time_ps)llround(d_s * (double)SIM_PS_PER_S);
    sim_time_ps cps = (sim_time_ps)llround(c_s * (double)SIM_PS_PER_S);
    /* A's attention hides B's combine, B's attention A's dispatch, A's experts B's dispatch, B's experts A's combine */
    sp.dur[0][WL_DECODE_ATTN].ps = M == 2 ? cps : (dps + cps) / 2;
    sp.dur[1][WL_DECODE_ATTN].ps = dps;
    sp.dur[0][WL_DECODE_EXPERTS].ps = M == 2 ? dps : (dps + cps) - (dps + cps) / 2;
    sp.dur[1][WL_DECODE_EXPERTS].ps = cps;
  }
  if (strcmp(scen_str(s, "compute"), "model") == 0) {
    if (model_check(s, err, errlen) < 0 || fill_from_model(s, &sp, rts[0], out, err, errlen) < 0) goto out;
  }
  g = wl_decode_graph(&sp, rts, &info, err, errlen);
  if (!g) goto out;
  og_stats st;
  if (og_finalize(g, err, errlen) < 0 || og_run(g, n, e, NULL, &st, err, errlen) < 0) goto out;
  wl_decode_measure(g, &st, &info);
  double tpot = info.step_s;
  o->tpot_s = tpot;
  o->wall_s = st.wall_s;
  o->ops = st.ops;
  o->sends = st.sends;
  o->events = st.events;
  o->gpus = count;
  o->layers = sp.layers;
  if (!out) {
    rc = 0;
    goto out;
  }
  res_run_metric(out, "tpot_ms", tpot * 1e3, "ms");
  res_run_metric(out, "tokens_per_s_per_user", 1.0 / tpot, "1/s");
  res_run_metric(out, "output_tokens_per_s_per_gpu", (double)M * sp.ep.tokens / tpot, "1/s");
  res_run_metric(out, "gpus", (double)count, "1");
  res_run_metric(out, "dispatch_alone_us", d_s * 1e6, "us");
  res_run_metric(out, "combine_alone_us", c_s * 1e6, "us");
  double tb = wl_ep_token_bytes(&sp.ep, 0) + wl_ep_token_bytes(&sp.ep, 1);
  res_run_metric(out, "ep_bytes_per_gpu_per_layer_hand", (double)M * sp.ep.tokens * k * tb, "B");
  if (moe) {
    res_run_metric(out, "ep_messages_per_layer", (double)info.msgs[sp.dense_layers], "1");
    res_run_metric(out, "ep_bytes_per_layer", info.bytes[sp.dense_layers], "B");
  }
  double prev = 0;
  for (uint32_t l = 0; l < sp.layers; l++) {
    res_run_series(out, "layer_span_us", l, (info.end_s[l] - prev) * 1e6);
    res_run_series(out, "layer_compute_us", l, info.compute_s[l] * 1e6);
    res_run_series(out, "layer_exposed_comm_us", l, info.exposed_s[l] * 1e6);
    prev = info.end_s[l];
  }
  char wall[32];
  snprintf(wall, sizeof wall, "%.6f", st.wall_s);
  res_run_param(out, "derived.wall_s", wall);
  rc = 0;
out:
  wl_decode_info_free(&info);
  og_free(g);
  free(rts);
  free(rtbuf);
  free(eps);
  net_free(n);
  topo_free(tg);
  sim_engine_free(e);
  return rc;
}

static int decode_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  cli_decode_out o;
  return cli_decode_run(s, replicate, out, &o, err, errlen);
}

const cli_experiment cli_exp_decode = {
  "decode",
  "one MoE decode step (attention, gate, EP dispatch, experts, combine per layer; dual micro-batch overlap): TPOT, "
  "tokens/s per user and per GPU, per-layer breakdown",
  decode_keys,
  decode_run,
  decode_check,
};
