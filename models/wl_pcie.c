/* wl_pcie.c: the PCIe contention workload as an op graph (wl_pcie.h). */
#include "wl_pcie.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "og.h"

#define STREAM_PEERS 1u   /* sim_derive_seed streams: EP peer offsets, */
#define STREAM_KV 2u      /*   then one per loading GPU from here */

int wl_pcie_check(const wl_pcie_spec *sp, uint32_t gpus, uint32_t G, char *err, size_t errlen) {
  uint32_t hosts = G ? gpus / G : 0;
  if (hosts < 2 || sp->peers < 1 || sp->peers > hosts - 1) {
    snprintf(err, errlen, "ep.peers = %u: at most hosts - 1 = %u (peers are on distinct other hosts; the topology "
             "has %u GPUs, %u per host)", sp->peers, hosts ? hosts - 1 : 0, gpus, G);
    return -1;
  }
  double nmsg = (double)sp->rounds * gpus * sp->peers;
  if (nmsg > WL_PCIE_MAX_MESSAGES) {
    snprintf(err, errlen, "ep.rounds = %u: %.0f measured messages (rounds x %u GPUs x %u peers); at most %.0f",
             sp->rounds, nmsg, gpus, sp->peers, WL_PCIE_MAX_MESSAGES);
    return -1;
  }
  if (sp->kv_gpus_per_host > G) {
    snprintf(err, errlen, "kv.gpus_per_host = %u: at most node.gpus = %u (0: all)", sp->kv_gpus_per_host, G);
    return -1;
  }
  return 0;
}

/* One attempt's state. */
typedef struct pc_try {
  const wl_pcie_spec *sp;
  sim_engine *e;
  topo_graph *g;
  net_model *n;
  og_graph *og;
  uint32_t G, gpus, hosts, nkv;
  uint32_t *kv_ep;        /* loading GPUs */
  uint32_t *kv_arc0;      /* their host-memory uplink arc */
  uint32_t *kv_t0, *kv_n; /* first timer op and number of arrivals generated, per loader */
  uint32_t *ep_op;        /* measured EP send ops */
  uint8_t *loads;         /* per endpoint: 1 if it loads KV */
  double kv_bytes0;       /* uplink bytes when the measured window opens */
  sim_time_ps t_meas0;
} pc_try;

static void try_free(pc_try *t) {
  og_free(t->og);
  free(t->kv_ep);
  free(t->kv_arc0);
  free(t->kv_t0);
  free(t->kv_n);
  free(t->ep_op);
  free(t->loads);
  net_free(t->n);
  topo_free(t->g);
  sim_engine_free(t->e);
  memset(t, 0, sizeof *t);
}

/* KV bytes delivered so far, summed over the distinct uplinks of the loaders. */
static double uplink_bytes(const pc_try *t) {
  double sum = 0.0;
  for (uint32_t i = 0; i < t->nkv; i++) {   /* O(nkv^2): a few hundred loaders at most */
    int seen = 0;
    for (uint32_t j = 0; j < i && !seen; j++) seen = t->kv_arc0[j] == t->kv_arc0[i];
    if (!seen) sum += net_arc_bytes(t->n, t->kv_arc0[i]);
  }
  return sum;
}

static void on_mark(void *ctx, uint32_t op, sim_time_ps now) {
  (void)op;
  pc_try *t = ctx;
  t->t_meas0 = now;
  t->kv_bytes0 = uplink_bytes(t);
}

static sim_time_ps kv_gap(const wl_pcie_spec *sp, gsl_rng *rng, double gap_ps) {
  double gap = sp->kv_poisson ? gsl_ran_exponential(rng, gap_ps) : gap_ps;
  return gap < 1.0 ? 1 : (sim_time_ps)llround(gap);
}

static double alone_us(const pc_try *t, char *err, size_t errlen) {
  uint32_t dst = t->G;   /* GPU 0 of host 1: GPU 0's peer at host offset 1 */
  topo_route rt;
  int rc = net_route(t->n, 0, dst, 0, &rt);
  if (rc < 0) {
    snprintf(err, errlen, "pcie_contention: no route from GPU 0 to GPU %u (net code %d)", dst, rc);
    return -1.0;
  }
  double bw = INFINITY;
  for (uint32_t i = 0; i < rt.n; i++) bw = fmin(bw, net_arc_bw(t->n, rt.arc[i]));
  return (double)t->sp->peers * t->sp->ep_bytes / bw * 1e6 +
         (double)net_route_latency_ps(t->n, &rt) / (double)SIM_PS_PER_US;
}

/* Builds the graph with KV arrivals up to horizon_ps (and one beyond, per loader). */
static int build(pc_try *t, sim_time_ps horizon_ps, char *err, size_t errlen) {
  const wl_pcie_spec *sp = t->sp;
  uint32_t R = sp->warmup + sp->rounds, S = sp->kv_streams ? sp->kv_streams : 1;
  double gap_ps = sp->kv_load_Bps > 0.0 ? sp->kv_bytes / sp->kv_load_Bps * (double)SIM_PS_PER_S : 0.0;
  uint64_t nep = (uint64_t)R * t->gpus * sp->peers;
  double arrivals = gap_ps > 0.0 ? (double)t->nkv * ((double)horizon_ps / fmax(gap_ps, 1.0) + 2.0) : 0.0;
  if (arrivals > 4e9) arrivals = 4e9;
  uint64_t ops = 2ull * R + nep + 2ull * (uint64_t)arrivals, edges = 3ull * nep + 3ull * (uint64_t)arrivals + 2ull * R;
  if (og_check_size("pcie_contention (ep.rounds x GPUs x ep.peers messages, kv.load / kv.bytes arrivals)", ops,
                    edges, err, errlen) < 0)
    return -1;
  og_graph *og = t->og = og_new(t->gpus, 1, (size_t)ops);
  uint8_t c_round = og_cat(og, "ep.round"), c_ep = og_cat(og, "ep"), c_arr = og_cat(og, "kv.arrival"),
          c_kv = og_cat(og, "kv");
  og_cat_weight(og, c_kv, sp->kv_weight);
  uint8_t ep_prio = 0, kv_prio = sp->ep_first ? 1 : 0;

  /* EP rounds */
  gsl_rng *prng = gsl_rng_alloc(gsl_rng_mt19937);
  uint32_t *perm = malloc((t->hosts - 1) * sizeof *perm);
  t->ep_op = malloc(((size_t)sp->rounds * t->gpus * sp->peers + 1) * sizeof *t->ep_op);
  if (!prng || !perm || !t->ep_op) {
    if (prng) gsl_rng_free(prng);
    free(perm);
    snprintf(err, errlen, "pcie_contention: out of memory for %llu messages", (unsigned long long)nep);
    return -1;
  }
  gsl_rng_set(prng, sim_derive_seed(sp->seed, sp->replicate, STREAM_PEERS));
  for (uint32_t i = 0; i + 1 < t->hosts; i++) perm[i] = i + 1;
  uint32_t prev_timer = OG_NONE;
  uint32_t prev_first = OG_NONE, per_round = t->gpus * sp->peers;
  size_t m_i = 0;
  for (uint32_t k = 0; k < R; k++) {
    uint32_t rs = og_nop(og, 0, OG_NOSTREAM, c_round);
    if (k == sp->warmup) og_mark(og, rs);
    if (prev_timer != OG_NONE) og_dep(og, prev_timer, rs);
    if (prev_first != OG_NONE)
      for (uint32_t i = 0; i < per_round; i++) og_dep(og, prev_first + i, rs);
    /* sp->peers distinct host offsets in 1 .. hosts-1: a partial Fisher-Yates shuffle */
    uint32_t m = t->hosts - 1;
    for (uint32_t j = 0; j < sp->peers; j++) {
      uint32_t x = j + (uint32_t)gsl_rng_uniform_int(prng, m - j);
      uint32_t tmp = perm[j];
      perm[j] = perm[x];
      perm[x] = tmp;
    }
    uint32_t first = OG_NONE;
    for (uint32_t src = 0; src < t->gpus; src++) {
      uint32_t h = src / t->G, l = src % t->G;
      for (uint32_t j = 0; j < sp->peers; j++) {
        uint32_t dst = ((h + perm[j]) % t->hosts) * t->G + l;
        uint32_t op = og_send(og, src, OG_NOSTREAM, c_ep, src, dst, sp->ep_bytes, 0, ep_prio);
        og_dep(og, rs, op);
        if (first == OG_NONE) first = op;
        if (k >= sp->warmup) t->ep_op[m_i++] = op;
      }
    }
    prev_first = first;
    /* the period timer (none after the last round: the run ends at its delivery) */
    prev_timer = OG_NONE;
    if (k + 1 < R) {
      prev_timer = og_compute(og, 0, OG_NOSTREAM, c_round, sp->period, 0);
      og_dep(og, rs, prev_timer);
    }
  }
  free(perm);
  gsl_rng_free(prng);

  /* KV arrivals: a timer chain on stream 0 of each loader, transfers stream-less */
  for (uint32_t i = 0; i < t->nkv; i++) {
    uint32_t ep = t->kv_ep[i];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) {
      snprintf(err, errlen, "pcie_contention: out of memory (rng)");
      return -1;
    }
    gsl_rng_set(rng, sim_derive_seed(sp->seed, sp->replicate, STREAM_KV + ep));
    sim_time_ps at = sp->kv_poisson ? kv_gap(sp, rng, gap_ps) : (sim_time_ps)(gsl_rng_uniform(rng) * gap_ps);
    sim_time_ps d = at;
    uint32_t n = 0, x0 = OG_NONE;
    for (;;) {
      uint32_t tm = og_compute(og, ep, 0, c_arr, d, 0);
      og_background(og, tm);
      uint32_t x = og_send_host(og, ep, OG_NOSTREAM, c_kv, ep, sp->kv_bytes, kv_prio);
      og_background(og, x);
      og_dep(og, tm, x);
      if (n == 0) {
        t->kv_t0[i] = tm;
        x0 = x;
      }
      if (n >= S) og_dep(og, x0 + 2 * (n - S), x);   /* ops alternate timer, transfer */
      n++;
      if (at > horizon_ps) break;
      d = kv_gap(sp, rng, gap_ps);
      at += d;
    }
    t->kv_n[i] = n;
    gsl_rng_free(rng);
  }
  return og_finalize(og, err, errlen);
}

static int setup(pc_try *t, wl_pcie_mknet mknet, void *ctx, char *err, size_t errlen) {
  const wl_pcie_spec *sp = t->sp;
  if (mknet(ctx, &t->e, &t->g, &t->n, err, errlen) < 0) return -1;
  const topo_spec *ts = &t->g->spec;
  if (ts->node.gpus <= 0 || ts->family == TOPO_NODE) {
    snprintf(err, errlen, "topology: pcie_contention needs hosts on a scale-out fabric: topology.node (GPUs per host "
             "> 0) and a fabric family (ft2 ft3 mrft mpft slimfly dragonfly; is %s%s)",
             topo_family_name(ts->family), ts->node.gpus <= 0 ? ", no node" : "");
    return -1;
  }
  t->G = (uint32_t)ts->node.gpus;
  t->gpus = t->g->n_endpoints;
  t->hosts = t->gpus / t->G;
  if (wl_pcie_check(sp, t->gpus, t->G, err, errlen) < 0) return -1;
  uint32_t kv_local = sp->kv_gpus_per_host == 0 ? t->G : sp->kv_gpus_per_host;
  t->loads = calloc(t->gpus, 1);
  t->kv_ep = calloc(t->gpus, sizeof *t->kv_ep);
  t->kv_arc0 = calloc(t->gpus, sizeof *t->kv_arc0);
  t->kv_t0 = calloc(t->gpus, sizeof *t->kv_t0);
  t->kv_n = calloc(t->gpus, sizeof *t->kv_n);
  if (!t->loads || !t->kv_ep || !t->kv_arc0 || !t->kv_t0 || !t->kv_n) {
    snprintf(err, errlen, "pcie_contention: out of memory for %u GPUs", t->gpus);
    return -1;
  }
  for (uint32_t ep = 0; ep < t->gpus; ep++) {
    if (sp->kv_load_Bps <= 0.0 || ep % t->G >= kv_local) continue;
    topo_route r;
    int rc = net_host_route(t->n, ep, 0, &r);
    if (rc < 0 || r.n == 0) {
      snprintf(err, errlen, "topology.node: GPU %u has no route from host memory (net code %d): the node needs PCIe "
               "switches with a host-memory uplink", ep, rc);
      return -1;
    }
    t->kv_ep[t->nkv] = ep;
    t->kv_arc0[t->nkv] = r.arc[0];
    t->loads[ep] = 1;
    t->nkv++;
  }
  return 0;
}

int wl_pcie_run(const wl_pcie_spec *sp, wl_pcie_mknet mknet, void *ctx, wl_pcie_result *out, char *err,
                size_t errlen) {
  memset(out, 0, sizeof *out);
  sim_time_ps horizon = 0;
  for (uint32_t attempt = 1;; attempt++) {
    pc_try t;
    memset(&t, 0, sizeof t);
    t.sp = sp;
    if (setup(&t, mknet, ctx, err, errlen) < 0) {
      try_free(&t);
      return -1;
    }
    double alone = alone_us(&t, err, errlen);
    if (alone < 0.0) {
      try_free(&t);
      return -1;
    }
    if (attempt == 1 && sp->horizon_ps) {
      horizon = sp->horizon_ps;
    } else if (attempt == 1) {   /* a first guess: each round four times as long as alone or its period */
      double round_ps = fmax((double)sp->period, alone * (double)SIM_PS_PER_US);
      horizon = (sim_time_ps)(4.0 * (sp->warmup + sp->rounds) * round_ps) + SIM_PS_PER_US;
    }
    og_stats st;
    og_exec_opts eo = {0, on_mark, &t};
    if (build(&t, horizon, err, errlen) < 0 || og_run(t.og, t.n, t.e, &eo, &st, err, errlen) < 0) {
      try_free(&t);
      return -1;
    }
    if (t.nkv > 0 && st.t_end > horizon) {   /* arrivals past the horizon could have mattered */
      try_free(&t);
      if (horizon > SIM_TIME_MAX / 4) {
        snprintf(err, errlen, "pcie_contention: the run outlasts every horizon of KV arrivals");
        return -1;
      }
      horizon *= 2;
      continue;
    }
    /* results */
    uint32_t measured = sp->rounds;
    size_t nm = (size_t)measured * t.gpus * sp->peers;
    out->lat_us = malloc((nm + 1) * sizeof *out->lat_us);
    out->to_kv = calloc(nm + 1, 1);
    if (!out->lat_us || !out->to_kv) {
      snprintf(err, errlen, "pcie_contention: out of memory for %zu latencies", nm);
      try_free(&t);
      wl_pcie_result_free(out);
      return -1;
    }
    for (size_t i = 0; i < nm; i++) {
      uint32_t op = t.ep_op[i];
      out->lat_us[i] = (double)(og_end_ps(t.og, op) - og_start_ps(t.og, op)) / (double)SIM_PS_PER_US;
      out->to_kv[i] = t.loads[og_get(t.og, op)->dst_ep];
    }
    out->nlat = nm;
    out->gpus = t.gpus;
    out->hosts = t.hosts;
    out->nkv = t.nkv;
    out->alone_us = alone;
    out->t_end = st.t_end;
    double window_s = (double)(st.t_end - t.t_meas0) / (double)SIM_PS_PER_S;
    double min_window_s = (double)measured * (double)sp->period / (double)SIM_PS_PER_S;
    out->window_s = window_s < min_window_s ? min_window_s : window_s;
    out->ep_tput_GBps = (double)measured * sp->peers * sp->ep_bytes / out->window_s / 1e9;
    if (t.nkv > 0) {
      out->kv_tput_GBps = (uplink_bytes(&t) - t.kv_bytes0) / (double)t.nkv / window_s / 1e9;
      double backlog = 0.0;
      for (uint32_t i = 0; i < t.nkv; i++)
        for (uint32_t a = 0; a < t.kv_n[i]; a++) {   /* arrived and not delivered */
          uint32_t tm = t.kv_t0[i] + 2 * a;
          backlog += (og_end_ps(t.og, tm) != SIM_TIME_MAX) - (og_end_ps(t.og, tm + 1) != SIM_TIME_MAX);
        }
      out->kv_backlog = backlog / t.nkv;
    }
    net_stats ns;
    net_get_stats(t.n, &ns);
    out->net_solves = ns.solves;
    out->events = sim_events_processed(t.e);
    out->ops = st.ops;
    out->attempts = attempt;
    try_free(&t);
    return 0;
  }
}

void wl_pcie_result_free(wl_pcie_result *r) {
  free(r->lat_us);
  free(r->to_kv);
  r->lat_us = NULL;
  r->to_kv = NULL;
}
