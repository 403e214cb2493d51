/* exp_pkt_ltl.c: experiment `latency_load`: Table 5's 64 B ping-pong with a background all-to-all
 * (issue 15: latency under load, IB vs RoCE). Meant for the packet model (on the flow model the
 * ping-pong shares bandwidth but queues nothing).
 *
 * Mechanism: the pair comes from cli_net_pair (`pair`, as in experiment latency); the background is
 * the first `background_gpus` endpoints (the pair's source among them: its NIC and leaf carry the
 * load), each sending `bg_bytes` messages to peers drawn uniformly from the run's random stream (so
 * messages collide at receivers and uplinks, as an all-to-all's do when ranks drift), one every
 * bg_bytes / (load x NIC rate), from t = 0 until the ping-pong ends; the ping-pong starts after
 * `warmup`. One-way latency of a round trip = its RTT / 2. The same ping-pong on an idle network
 * gives the *_idle_us metrics. Deterministic in (scenario, seed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"
#include "exp_net.h"
#include "exp_topo.h"

#define END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}

static const char *const pair_vals[] = {"same_leaf", "cross_leaf", NULL};

static const scen_key keys[] = {
  CLI_TOPOLOGY_KEY,
  CLI_NETWORK_KEY,
  {"pair", SCEN_ENUM, "ping-pong pair: same_leaf or cross_leaf (leaf-spine-leaf)", "cross_leaf", 0, 0, 0, 0,
   pair_vals, NULL, 0, NULL},
  {"bytes", SCEN_BYTES, "ping-pong message size, each way", "64B", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  {"iterations", SCEN_INT, "round trips measured", "30", 0, SCEN_MIN | SCEN_MAX, 1, 100000, NULL, NULL, 0, NULL},
  {"load", SCEN_F64, "background load offered per GPU, as a fraction of its NIC rate", "0.5", 0, SCEN_MIN | SCEN_MAX,
   0, 1, NULL, NULL, 0, NULL},
  {"background_gpus", SCEN_INT, "GPUs of the background all-to-all (the first N endpoints)", "512", 0,
   SCEN_MIN | SCEN_MAX, 2, 1000000, NULL, NULL, 0, NULL},
  {"bg_bytes", SCEN_BYTES, "background message size", "64KiB", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  {"warmup", SCEN_TIME, "background time before the ping-pong starts", "20us", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  END,
};

typedef struct ltl {
  net_model *n;
  uint32_t a, b, iters, done_iters, nbg;
  double bytes, bg_bytes;
  sim_time_ps gap, t_rt;
  int stop;
  double *ow_us;
  uint32_t *peer;        /* next peer offset per background GPU */
  double bg_delivered;
} ltl;

static void pp_send(ltl *c, uint32_t s, uint32_t d, uint64_t tag);

static void pp_done(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  ltl *c = ctx;
  if (tag == 0) {   /* ping arrived: pong */
    pp_send(c, c->b, c->a, 1);
    return;
  }
  c->ow_us[c->done_iters++] = (double)(info->t_deliver - c->t_rt) * 0.5e-6;
  if (c->done_iters == c->iters) {
    c->stop = 1;
    return;
  }
  c->t_rt = info->t_deliver;
  pp_send(c, c->a, c->b, 0);
}

static void pp_send(ltl *c, uint32_t s, uint32_t d, uint64_t tag) {
  net_msg m;
  memset(&m, 0, sizeof m);
  m.src = s;
  m.dst = d;
  m.bytes = c->bytes;
  m.done = pp_done;
  m.ctx = c;
  m.tag = tag;
  if (net_send(c->n, &m, NULL) < 0) abort();   /* the pair was routed by cli_net_pair */
}

static void pp_start(sim_engine *e, void *ctx, uint64_t arg) {
  (void)arg;
  ltl *c = ctx;
  c->t_rt = sim_now(e);
  pp_send(c, c->a, c->b, 0);
}

static void bg_done(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  (void)tag;
  ((ltl *)ctx)->bg_delivered += info->bytes;
}

static void bg_tick(sim_engine *e, void *ctx, uint64_t i) {
  ltl *c = ctx;
  if (c->stop) return;
  uint32_t k = 1 + (uint32_t)gsl_rng_uniform_int(sim_rng(e), c->nbg - 1);   /* a random peer: messages collide */
  c->peer[i]++;
  net_msg m;
  memset(&m, 0, sizeof m);
  m.src = (uint32_t)i;
  m.dst = (uint32_t)((i + k) % c->nbg);
  m.bytes = c->bg_bytes;
  m.done = bg_done;
  m.ctx = c;
  net_send(c->n, &m, NULL);
  sim_schedule(e, c->gap, bg_tick, c, i);
}

static int run_one(const scen *s, int loaded, ltl *c, char *err, size_t errlen) {
  sim_engine_opts eo = {SIM_QUEUE_DEFAULT, 0, scen_seed(s), 0};
  sim_engine *e = sim_engine_new(&eo);
  topo_graph *g = NULL;
  net_model *n = NULL;
  int rc = -1;
  if (cli_net_build(s, e, &g, &n, err, errlen) < 0) goto out;
  if (cli_net_pair(n, scen_str(s, "pair"), &c->a, &c->b, err, errlen) < 0) goto out;
  c->n = n;
  c->iters = (uint32_t)scen_int(s, "iterations");
  c->bytes = scen_bytes(s, "bytes");
  c->bg_bytes = scen_bytes(s, "bg_bytes");
  c->ow_us = calloc(c->iters, sizeof *c->ow_us);
  int64_t nb = scen_int(s, "background_gpus");
  c->nbg = (uint32_t)(nb > g->n_endpoints ? g->n_endpoints : nb);
  c->peer = calloc(c->nbg, sizeof *c->peer);
  if (!c->ow_us || !c->peer) abort();
  double nic_Bps = scen_has(s, "topology.node") ? scen_bw_Bps(s, "topology.node.nic.bw") : scen_bw_Bps(s, "topology.fabric.bw");
  double load = scen_f64(s, "load");
  if (loaded && load > 0) {
    c->gap = (sim_time_ps)llround(c->bg_bytes / (load * nic_Bps) * 1e12);
    if (c->gap == 0) c->gap = 1;
    for (uint32_t i = 0; i < c->nbg; i++) sim_schedule(e, 0, bg_tick, c, i);
  }
  sim_schedule(e, loaded ? scen_time_ps(s, "warmup") : 0, pp_start, c, 0);
  while (!c->stop && sim_pending(e)) sim_run(e, sim_now(e) + 10 * SIM_PS_PER_US);
  rc = 0;
out:
  net_free(n);
  topo_free(g);
  sim_engine_free(e);
  return rc;
}

static int cmp_d(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

static void stats(res_run *out, const char *pfx, double *v, uint32_t n) {
  qsort(v, n, sizeof *v, cmp_d);
  double mean = 0;
  for (uint32_t i = 0; i < n; i++) mean += v[i];
  char k[64];
  snprintf(k, sizeof k, "%s_mean_us", pfx);
  res_run_metric(out, k, n ? mean / n : 0, "us");
  snprintf(k, sizeof k, "%s_p50_us", pfx);
  res_run_metric(out, k, n ? v[(uint32_t)ceil(0.5 * n) - 1] : 0, "us");
  snprintf(k, sizeof k, "%s_p99_us", pfx);
  res_run_metric(out, k, n ? v[(uint32_t)ceil(0.99 * n) - 1] : 0, "us");
  snprintf(k, sizeof k, "%s_max_us", pfx);
  res_run_metric(out, k, n ? v[n - 1] : 0, "us");
}

static int ltl_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)replicate;
  ltl c, idle;
  memset(&c, 0, sizeof c);
  memset(&idle, 0, sizeof idle);
  int rc = -1;
  if (run_one(s, 1, &c, err, errlen) < 0 || run_one(s, 0, &idle, err, errlen) < 0) goto out;
  char buf[64];
  snprintf(buf, sizeof buf, "%u -> %u", c.a, c.b);
  res_run_param(out, "derived.pair", buf);
  stats(out, "one_way", c.ow_us, c.done_iters);
  stats(out, "one_way_idle", idle.ow_us, idle.done_iters);
  res_run_metric(out, "round_trips", (double)c.done_iters, "1");
  rc = 0;
out:
  free(c.ow_us);
  free(c.peer);
  free(idle.ow_us);
  free(idle.peer);
  return rc;
}

const cli_experiment cli_exp_latency_load = {
  "latency_load",
  "64 B ping-pong latency with a background all-to-all at a given load (packet model: queues at NICs and switches)",
  keys,
  ltl_run,
  NULL,
};
