/* exp_pcie.c: experiment `pcie_contention`: KV-cache loads from host memory against expert-parallel
 * (EP) all-to-all traffic on a GPU's PCIe link (paper section 4.5), and the traffic prioritisation
 * the paper proposes (EP before KV on PCIe).
 *
 * Mechanism (docs/pcie.md). In a host (topo_node.c) a GPU hangs off a PCIe switch together with its
 * NIC; the switch has an uplink to host memory. EP traffic received over the fabric crosses
 * NIC -> PCIe switch -> GPU; a KV-cache load crosses host memory -> PCIe switch -> GPU. Both share
 * the arc PCIe switch -> GPU, and the flow model (models/net.h) splits it between them by weighted
 * max-min fairness, level by level in strict priority order. Nothing else in this experiment knows
 * about PCIe: the contention, and its removal by priority, come out of the model.
 *
 * Workload, all deterministic in (scenario, seed, replicate):
 *   EP: `ep.rounds` rounds of a dispatch-like all-to-all. In a round every GPU sends ep.bytes to
 *       each of ep.peers peers: the GPU of the same local index on ep.peers distinct other hosts
 *       (its own rail or plane, as DeepEP's IB stage), the host offsets drawn per round from the
 *       seed and shared by all GPUs, so every GPU also receives from exactly ep.peers GPUs. A round
 *       starts every ep.period, or when the previous round has been delivered if that is later (a
 *       dispatch waits for the previous one; period 0: back to back). Message latency = delivery
 *       minus send (serialisation at the max-min rate, integrated, plus the route's fixed latency).
 *   KV: every loading GPU (local index < kv.gpus_per_host) receives transfers of kv.bytes from its
 *       host memory along net_host_route() at the offered rate kv.load (Poisson or periodic
 *       arrivals, own random stream per GPU); at most kv.streams transfers are in flight per GPU,
 *       later ones wait in a FIFO (a copy engine's queue). A transfer is one flow of max-min
 *       weight kv.weight (an EP message has weight 1).
 *   kv_priority: none (both priority 0) or ep_first (EP priority 0, KV priority 1: strict).
 * The run ends when the last round is delivered. Rounds before ep.warmup_rounds are not measured.
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
 * Costs: memory O(measured messages) for the latencies (rounds x GPUs x peers doubles, allocated
 * once before the run); no allocation in the event loop apart from the network model's pools.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "exp.h"
#include "exp_net.h"
#include "exp_topo.h"
#include "net.h"
#include "sim.h"
#include "sim_stats.h"

#define END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}
#define PC_MAX_MESSAGES 50000000.0   /* measured EP messages (8 bytes + 1 each) */
#define PC_STREAM_PEERS 1u           /* sim_derive_seed streams: EP peer offsets, */
#define PC_STREAM_KV 2u              /*   then one per loading GPU from here */

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

typedef struct pc_kv {        /* the KV loader of one GPU */
  uint32_t ep;                /* its endpoint */
  topo_route route;           /* host memory -> PCIe switch -> GPU */
  uint32_t queued, inflight;
  gsl_rng *rng;               /* arrival gaps */
} pc_kv;

typedef struct pc_run {
  sim_engine *e;
  net_model *n;
  topo_graph *g;
  uint32_t G, hosts, gpus;
  /* EP */
  double ep_bytes;
  uint32_t peers, rounds, warmup;   /* rounds: total, warmup included */
  sim_time_ps period;
  uint8_t ep_prio, kv_prio;
  gsl_rng *peer_rng;
  uint32_t *perm;                   /* hosts - 1 host offsets, shuffled per round */
  uint32_t round, outstanding;
  sim_time_ps round_start, t_meas0, t_end;
  double *lat_us;                   /* measured messages, by (round - warmup, src, peer) */
  uint8_t *to_kv;                   /* 1: the message's receiver loads KV */
  /* KV */
  pc_kv *kv;
  uint32_t nkv;
  uint8_t *loads;                   /* per endpoint: 1 if it loads KV */
  double kv_bytes, kv_weight, kv_gap_ps;
  double kv_bytes0;                 /* KV bytes delivered when the measured window opens */
  int kv_poisson;
  uint32_t streams;
  /* first failure inside the event loop */
  int rc;
  char *err;
  size_t errlen;
} pc_run;

/* A send failed inside the event loop (a model or set-up bug, not bad input: set-up checked the
 * routes): keep the first message and stop the run. */
static void fail_in_loop(pc_run *r, int code, const char *what, uint32_t src, uint32_t dst) {
  if (r->rc == 0) {
    r->rc = -1;
    snprintf(r->err, r->errlen, "pcie_contention: %s (endpoint %u -> %u) failed at %llu ps (net code %d)", what, src,
             dst, (unsigned long long)sim_now(r->e), code);
  }
  sim_stop(r->e);
}

/* ---- KV loaders ---- */

static void kv_done(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info);

static void kv_start(pc_run *r, pc_kv *k, uint64_t idx) {
  while (k->inflight < r->streams && k->queued > 0) {
    net_msg m = {0};
    m.src = m.dst = k->ep;
    m.bytes = r->kv_bytes;
    m.prio = r->kv_prio;
    m.weight = r->kv_weight;
    m.done = kv_done;
    m.ctx = r;
    m.tag = idx;
    int rc = net_send_route(r->n, &m, &k->route, NULL);
    if (rc < 0) {
      fail_in_loop(r, rc, "KV transfer from host memory", k->ep, k->ep);
      return;
    }
    k->queued--;
    k->inflight++;
  }
}

static void kv_done(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  (void)info;
  pc_run *r = ctx;
  pc_kv *k = &r->kv[tag];
  k->inflight--;
  kv_start(r, k, tag);
}

static sim_time_ps kv_gap(pc_run *r, pc_kv *k) {
  double gap = r->kv_poisson ? gsl_ran_exponential(k->rng, r->kv_gap_ps) : r->kv_gap_ps;
  return gap < 1.0 ? 1 : (sim_time_ps)llround(gap);
}

static void kv_arrival(sim_engine *e, void *ctx, uint64_t idx) {
  pc_run *r = ctx;
  pc_kv *k = &r->kv[idx];
  k->queued++;
  kv_start(r, k, idx);
  sim_schedule(e, kv_gap(r, k), kv_arrival, r, idx);
}

/* ---- EP rounds ---- */

static void ep_done(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info);
static double kv_uplink_bytes(const pc_run *r);

static void round_start(sim_engine *e, void *ctx, uint64_t arg) {
  (void)arg;
  pc_run *r = ctx;
  r->round_start = sim_now(e);
  if (r->round == r->warmup) {
    r->t_meas0 = r->round_start;
    r->kv_bytes0 = kv_uplink_bytes(r);
  }
  /* ep.peers distinct host offsets in 1 .. hosts-1: a partial Fisher-Yates shuffle of perm. */
  uint32_t m = r->hosts - 1;
  for (uint32_t j = 0; j < r->peers; j++) {
    uint32_t x = j + (uint32_t)gsl_rng_uniform_int(r->peer_rng, m - j);
    uint32_t t = r->perm[j];
    r->perm[j] = r->perm[x];
    r->perm[x] = t;
  }
  int measured = r->round >= r->warmup;
  uint64_t base = measured ? (uint64_t)(r->round - r->warmup) * r->gpus * r->peers : 0;
  r->outstanding = r->gpus * r->peers;
  for (uint32_t src = 0; src < r->gpus; src++) {
    uint32_t h = src / r->G, l = src % r->G;
    for (uint32_t j = 0; j < r->peers; j++) {
      uint32_t dst = ((h + r->perm[j]) % r->hosts) * r->G + l;
      uint64_t idx = base + (uint64_t)src * r->peers + j;
      net_msg msg = {0};
      msg.src = src;
      msg.dst = dst;
      msg.bytes = r->ep_bytes;
      msg.prio = r->ep_prio;
      msg.weight = 1.0;
      msg.done = ep_done;
      msg.ctx = r;
      msg.tag = measured ? idx : UINT64_MAX;
      if (measured) r->to_kv[idx] = r->loads[dst];
      int rc = net_send(r->n, &msg, NULL);
      if (rc < 0) {
        fail_in_loop(r, rc, "EP message", src, dst);
        return;
      }
    }
  }
}

static void ep_done(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  pc_run *r = ctx;
  if (tag != UINT64_MAX) r->lat_us[tag] = (double)(info->t_deliver - info->t_send) / (double)SIM_PS_PER_US;
  if (--r->outstanding > 0) return;
  sim_time_ps now = sim_now(r->e);
  if (++r->round == r->rounds) {
    r->t_end = now;
    sim_stop(r->e);
    return;
  }
  sim_time_ps next = r->round_start + r->period;
  sim_schedule_at(r->e, next > now ? next : now, round_start, r, 0);
}

/* ---- set-up and metrics ---- */

/* KV bytes delivered so far: the host-memory -> PCIe switch arcs carry KV only (EP never crosses
 * host memory on these routes), so their byte counters are the KV bytes, in-flight transfers
 * included. One arc per PCIe switch with loading GPUs. */
static double kv_uplink_bytes(const pc_run *r) {
  double sum = 0.0;
  for (uint32_t i = 0; i < r->nkv; i++) {   /* O(nkv^2): a few hundred loaders at most */
    uint32_t a = r->kv[i].route.arc[0];
    int seen = 0;
    for (uint32_t j = 0; j < i && !seen; j++) seen = r->kv[j].route.arc[0] == a;
    if (!seen) sum += net_arc_bytes(r->n, a);
  }
  return sum;
}

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

static int setup(const scen *s, uint32_t replicate, pc_run *r, char *err, size_t errlen) {
  const topo_graph *g = r->g;
  const topo_spec *sp = &g->spec;
  if (sp->node.gpus <= 0 || sp->family == TOPO_NODE) {
    snprintf(err, errlen, "topology: pcie_contention needs hosts on a scale-out fabric: topology.node (GPUs per host "
             "> 0) and a fabric family (ft2 ft3 mrft mpft slimfly dragonfly; is %s%s)",
             topo_family_name(sp->family), sp->node.gpus <= 0 ? ", no node" : "");
    return -1;
  }
  r->G = (uint32_t)sp->node.gpus;
  r->gpus = g->n_endpoints;
  r->hosts = r->gpus / r->G;
  int64_t peers = scen_int(s, "ep.peers");
  if (r->hosts < 2 || peers > (int64_t)r->hosts - 1) {
    snprintf(err, errlen, "ep.peers = %lld: at most hosts - 1 = %u (peers are on distinct other hosts; the topology "
             "has %u GPUs, %u per host)", (long long)peers, r->hosts - 1, r->gpus, r->G);
    return -1;
  }
  r->peers = (uint32_t)peers;
  r->ep_bytes = scen_bytes(s, "ep.bytes");
  r->period = scen_time_ps(s, "ep.period");
  r->warmup = (uint32_t)scen_int(s, "ep.warmup_rounds");
  uint32_t measured = (uint32_t)scen_int(s, "ep.rounds");
  r->rounds = r->warmup + measured;
  double nmsg = (double)measured * r->gpus * r->peers;
  if (nmsg > PC_MAX_MESSAGES) {
    snprintf(err, errlen, "ep.rounds = %u: %.0f measured messages (rounds x %u GPUs x %u peers); at most %.0f",
             measured, nmsg, r->gpus, r->peers, PC_MAX_MESSAGES);
    return -1;
  }
  int ep_first = strcmp(scen_str(s, "kv_priority"), "ep_first") == 0;
  r->ep_prio = 0;
  r->kv_prio = ep_first ? 1 : 0;

  double load = scen_bw_Bps(s, "kv.load");
  r->kv_bytes = scen_bytes(s, "kv.bytes");
  r->kv_weight = scen_f64(s, "kv.weight");
  r->kv_poisson = strcmp(scen_str(s, "kv.arrivals"), "poisson") == 0;
  r->streams = (uint32_t)scen_int(s, "kv.streams");
  int64_t per_host = scen_int(s, "kv.gpus_per_host");
  if (per_host > (int64_t)r->G) {
    snprintf(err, errlen, "kv.gpus_per_host = %lld: at most node.gpus = %u (0: all)", (long long)per_host, r->G);
    return -1;
  }
  uint32_t kv_local = per_host == 0 ? r->G : (uint32_t)per_host;
  r->kv_gap_ps = load > 0.0 ? r->kv_bytes / load * (double)SIM_PS_PER_S : 0.0;

  size_t nm = (size_t)nmsg;
  r->lat_us = malloc(nm * sizeof *r->lat_us);
  r->to_kv = calloc(nm, 1);
  r->perm = malloc((r->hosts - 1) * sizeof *r->perm);
  r->loads = calloc(r->gpus, 1);
  r->kv = calloc(r->gpus, sizeof *r->kv);
  r->peer_rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r->lat_us || !r->to_kv || !r->perm || !r->loads || !r->kv || !r->peer_rng) {
    snprintf(err, errlen, "pcie_contention: out of memory for %zu messages", nm);
    return -1;
  }
  uint64_t seed = scen_seed(s);
  gsl_rng_set(r->peer_rng, sim_derive_seed(seed, replicate, PC_STREAM_PEERS));
  for (uint32_t i = 0; i + 1 < r->hosts; i++) r->perm[i] = i + 1;

  for (uint32_t ep = 0; ep < r->gpus; ep++) {
    if (load <= 0.0 || ep % r->G >= kv_local) continue;
    pc_kv *k = &r->kv[r->nkv];
    k->ep = ep;
    int rc = net_host_route(r->n, ep, 0, &k->route);
    if (rc < 0 || k->route.n == 0) {
      snprintf(err, errlen, "topology.node: GPU %u has no route from host memory (net code %d): the node needs PCIe "
               "switches with a host-memory uplink", ep, rc);
      return -1;
    }
    k->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!k->rng) {
      snprintf(err, errlen, "pcie_contention: out of memory (rng)");
      return -1;
    }
    gsl_rng_set(k->rng, sim_derive_seed(seed, replicate, PC_STREAM_KV + ep));
    r->loads[ep] = 1;
    r->nkv++;
  }
  return 0;
}

/* Latency of one EP message without contention: the GPU's ep.peers messages share the narrowest link
 * of the route (NIC port or PCIe) equally, plus the route's fixed latency. */
static int alone_us(pc_run *r, double *out, char *err, size_t errlen) {
  uint32_t dst = r->G;   /* GPU 0 of host 1: GPU 0's peer at host offset 1 */
  topo_route rt;
  int rc = net_route(r->n, 0, dst, 0, &rt);
  if (rc < 0) {
    snprintf(err, errlen, "pcie_contention: no route from GPU 0 to GPU %u (net code %d)", dst, rc);
    return -1;
  }
  double bw = INFINITY;
  for (uint32_t i = 0; i < rt.n; i++) bw = fmin(bw, net_arc_bw(r->n, rt.arc[i]));
  *out = ((double)r->peers * r->ep_bytes / bw * 1e6) + (double)net_route_latency_ps(r->n, &rt) / (double)SIM_PS_PER_US;
  return 0;
}

static void pc_free(pc_run *r) {
  for (uint32_t i = 0; i < r->nkv; i++) gsl_rng_free(r->kv[i].rng);
  free(r->kv);
  free(r->loads);
  free(r->perm);
  free(r->to_kv);
  free(r->lat_us);
  if (r->peer_rng) gsl_rng_free(r->peer_rng);
  net_free(r->n);
  topo_free(r->g);
  sim_engine_free(r->e);
}

static int run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  pc_run r;
  memset(&r, 0, sizeof r);
  r.err = err;
  r.errlen = errlen;
  sim_engine_opts eo = {0};
  eo.seed = scen_seed(s);
  eo.replicate = replicate;
  r.e = sim_engine_new(&eo);
  topo_graph *g = NULL;
  if (cli_net_build(s, r.e, &g, &r.n, err, errlen) < 0) {
    sim_engine_free(r.e);
    return -1;
  }
  r.g = g;
  double alone = 0.0;
  if (setup(s, replicate, &r, err, errlen) < 0 || alone_us(&r, &alone, err, errlen) < 0) {
    pc_free(&r);
    return -1;
  }

  for (uint32_t i = 0; i < r.nkv; i++) {
    pc_kv *k = &r.kv[i];
    sim_time_ps first = r.kv_poisson ? kv_gap(&r, k) : (sim_time_ps)(gsl_rng_uniform(k->rng) * r.kv_gap_ps);
    sim_schedule_at(r.e, first, kv_arrival, &r, i);
  }
  sim_schedule_at(r.e, 0, round_start, &r, 0);
  sim_run(r.e, SIM_TIME_MAX);
  if (r.rc < 0) {
    pc_free(&r);
    return -1;
  }
  if (r.round != r.rounds) {
    snprintf(err, errlen, "pcie_contention: the run stopped after %u of %u rounds (messages lost?)", r.round, r.rounds);
    pc_free(&r);
    return -1;
  }

  uint32_t measured = r.rounds - r.warmup;
  size_t nm = (size_t)measured * r.gpus * r.peers;
  double window_s = (double)(r.t_end - r.t_meas0) / (double)SIM_PS_PER_S;
  double min_window_s = (double)measured * (double)r.period / (double)SIM_PS_PER_S;
  if (window_s < min_window_s) window_s = min_window_s;

  summary_metrics(out, "ep_lat", r.lat_us, nm);
  res_run_metric(out, "ep_lat_alone_us", alone, "us");
  res_run_metric(out, "ep_tput_GBps", (double)measured * r.peers * r.ep_bytes / window_s / 1e9, "GB/s");
  res_run_metric(out, "kv_offered_GBps", scen_bw_Bps(s, "kv.load") / 1e9, "GB/s");
  double kv_tput = 0.0, backlog = 0.0;
  if (r.nkv > 0) {
    double kv_window_s = (double)(r.t_end - r.t_meas0) / (double)SIM_PS_PER_S;
    kv_tput = (kv_uplink_bytes(&r) - r.kv_bytes0) / (double)r.nkv / kv_window_s / 1e9;
    for (uint32_t i = 0; i < r.nkv; i++) backlog += r.kv[i].queued + r.kv[i].inflight;
    backlog /= r.nkv;
  }
  res_run_metric(out, "kv_tput_GBps", kv_tput, "GB/s");
  res_run_metric(out, "kv_backlog", backlog, "transfers");
  if (r.nkv > 0 && r.nkv < r.gpus) {
    /* Split by receiver: partition lat_us in place (order no longer matters). */
    size_t a = 0;
    for (size_t i = 0; i < nm; i++) {
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
    summary_metrics(out, "ep_lat_other_gpus", r.lat_us + a, nm - a);
  }
  net_stats ns;
  net_get_stats(r.n, &ns);
  res_run_metric(out, "sim_time_ms", (double)r.t_end / (double)SIM_PS_PER_MS, "ms");
  res_run_metric(out, "net_solves", (double)ns.solves, "1");
  res_run_metric(out, "events", (double)sim_events_processed(r.e), "1");
  char buf[64];
  snprintf(buf, sizeof buf, "%u", r.hosts);
  res_run_param(out, "derived.hosts", buf);
  snprintf(buf, sizeof buf, "%u", r.nkv);
  res_run_param(out, "derived.kv_gpus", buf);
  pc_free(&r);
  return 0;
}

const cli_experiment cli_exp_pcie_contention = {
  "pcie_contention",
  "KV-cache loads (host memory -> GPU) against EP all-to-all on the GPU's PCIe link; EP-first priority",
  keys, run, NULL};
