/* exp_pkt_incast.c: experiment `incast` (packet model only): N senders to one receiver, with a
 * victim flow that shares an upstream link with the incast but not its bottleneck.
 *
 * Placement (from the topology, nothing hand-picked): the receiver R is endpoint 0; the senders are
 * endpoints on other hosts and leaves than R, taken round robin over the leaves (one per leaf per
 * pass, endpoint order), so the incast converges through the spines. The victim V is the first
 * endpoint on sender 0's leaf that is neither R nor a sender, sending to the first endpoint D on a
 * leaf other than R's and V's whose route from V shares an arc with sender 0's route to R (under the
 * scenario's routing): V -> D never crosses the incast's last links, only an uplink the incast also
 * uses. With PFC the pauses spread from R's leaf back up that uplink (head-of-line blocking) and
 * the victim waits; with DCQCN the senders slow down before the queues reach XOFF; IB credits stop a
 * sender per virtual lane, hop by hop (the same tree of backpressure, without PAUSE frames).
 *
 * Traffic: every sender posts `bytes` to R at t = 0; the victim posts `victim_bytes` to D every
 * `victim_interval` from t = 0 until the incast has been delivered. Each victim message's latency is
 * t_deliver - t_send; the same victim runs once more on an idle network (victim_alone_*).
 * Metrics: incast completion and goodput, victim p50/p99/max, the worst queue and input buffer,
 * PAUSE frames and paused time (summed over arcs and priorities), ECN marks, CNPs, credit stalls,
 * overflows. Deterministic in (scenario, seed): ECN marks draw from the model's seeded stream. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"
#include "exp_net.h"
#include "exp_topo.h"

#define END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}
#define MAX_SENDERS 4096

static const scen_key keys[] = {
  CLI_TOPOLOGY_KEY,
  CLI_NETWORK_KEY,
  {"senders", SCEN_INT, "incast senders N", "16", 0, SCEN_MIN | SCEN_MAX, 1, MAX_SENDERS, NULL, NULL, 0, NULL},
  {"bytes", SCEN_BYTES, "bytes each sender sends to the receiver", "4MiB", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  {"victim_bytes", SCEN_BYTES, "size of each victim message", "4KiB", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  {"victim_interval", SCEN_TIME, "time between victim messages", "5us", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  END,
};

typedef struct incast {
  net_model *n;
  uint32_t v, d;
  double vbytes;
  sim_time_ps interval;
  uint32_t left;          /* incast messages not yet delivered */
  int stop_when_done;     /* 0: the victim alone, for `count` messages */
  uint32_t count, sent;
  double *lat_us;
  uint32_t nlat, cap;
  sim_time_ps t_done;
} incast;

static void on_incast(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  (void)tag;
  incast *c = ctx;
  c->left--;
  if (info->t_deliver > c->t_done) c->t_done = info->t_deliver;
}

static void on_victim(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  (void)tag;
  incast *c = ctx;
  if (c->nlat == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 1024;
    c->lat_us = realloc(c->lat_us, c->cap * sizeof *c->lat_us);
    if (!c->lat_us) abort();
  }
  c->lat_us[c->nlat++] = (double)(info->t_deliver - info->t_send) * 1e-6;
}

static void victim_tick(sim_engine *e, void *ctx, uint64_t arg) {
  (void)arg;
  incast *c = ctx;
  if (c->stop_when_done ? c->left == 0 : c->sent >= c->count) return;
  net_msg m;
  memset(&m, 0, sizeof m);
  m.src = c->v;
  m.dst = c->d;
  m.bytes = c->vbytes;
  m.done = on_victim;
  m.ctx = c;
  if (net_send(c->n, &m, NULL) == 0) c->sent++;
  sim_schedule(e, c->interval, victim_tick, c, 0);
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, uint32_t n, double q) {
  if (n == 0) return 0;
  qsort(v, n, sizeof *v, cmp_d);
  uint32_t i = (uint32_t)ceil(q * n);
  return v[i ? i - 1 : 0];
}

static int shares_arc(const topo_route *a, const topo_route *b) {
  for (uint32_t i = 0; i < a->n; i++)
    for (uint32_t j = 0; j < b->n; j++)
      if (a->arc[i] == b->arc[j]) return 1;
  return 0;
}

/* Picks receiver, senders, victim. 0 or -1 with a message. */
static int place(net_model *n, uint32_t ns, uint32_t *snd, uint32_t *v, uint32_t *d, int *shares, char *err,
                 size_t errlen) {
  const topo_graph *g = net_graph(n);
  const uint32_t R = 0, leafR = topo_endpoint_switch(g, R);
  const int32_t hostR = g->host[g->endpoint_node[R]];
  uint8_t *used = calloc(g->n_endpoints, 1);
  uint32_t *per_leaf = calloc(g->n_nodes, sizeof *per_leaf);
  if (!used || !per_leaf) abort();
  used[R] = 1;
  uint32_t got = 0;
  for (uint32_t pass = 0; got < ns && pass < g->n_endpoints; pass++) {
    uint32_t before = got;
    for (uint32_t e = 1; e < g->n_endpoints && got < ns; e++) {
      uint32_t leaf = topo_endpoint_switch(g, e);
      int32_t h = g->host[g->endpoint_node[e]];
      if (used[e] || leaf == leafR || (hostR >= 0 && h == hostR) || per_leaf[leaf] > pass) continue;
      used[e] = 1;
      per_leaf[leaf]++;
      snd[got++] = e;
    }
    if (got == before) break;
  }
  free(per_leaf);
  if (got < ns) {
    free(used);
    snprintf(err, errlen, "senders = %u: the topology has only %u endpoints off the receiver's host and leaf", ns, got);
    return -1;
  }
  topo_route r0;
  if (net_route(n, snd[0], R, 0, &r0) < 0) {
    free(used);
    snprintf(err, errlen, "incast: no route from endpoint %u to the receiver", snd[0]);
    return -1;
  }
  uint32_t leaf0 = topo_endpoint_switch(g, snd[0]);
  *v = *d = UINT32_MAX;
  for (uint32_t e = 1; e < g->n_endpoints && *v == UINT32_MAX; e++)
    if (!used[e] && topo_endpoint_switch(g, e) == leaf0) *v = e;
  if (*v == UINT32_MAX) {
    free(used);
    snprintf(err, errlen, "incast: no victim endpoint on sender 0's leaf (add endpoints or lower senders)");
    return -1;
  }
  uint32_t first = UINT32_MAX;
  for (uint32_t e = 1; e < g->n_endpoints && *d == UINT32_MAX; e++) {
    uint32_t leaf = topo_endpoint_switch(g, e);
    if (e == *v || leaf == leafR || leaf == leaf0) continue;
    topo_route rv;
    if (net_route(n, *v, e, 0, &rv) < 0) continue;
    if (first == UINT32_MAX) first = e;
    if (shares_arc(&rv, &r0)) *d = e;
  }
  free(used);
  *shares = *d != UINT32_MAX;
  if (!*shares) *d = first;
  if (*d == UINT32_MAX) {
    snprintf(err, errlen, "incast: no victim destination on a third leaf");
    return -1;
  }
  return 0;
}

/* One run: incast (with the victim) or the victim alone (count messages). */
static int run_one(const scen *s, int with_incast, uint32_t count, incast *c, net_pkt_stats *st, uint32_t *placed,
                   char *err, size_t errlen) {
  sim_engine_opts eo = {SIM_QUEUE_DEFAULT, 0, scen_seed(s), 0};
  sim_engine *e = sim_engine_new(&eo);
  topo_graph *g = NULL;
  net_model *n = NULL;
  int rc = -1;
  uint32_t ns = (uint32_t)scen_int(s, "senders");
  uint32_t *snd = calloc(ns, sizeof *snd);
  if (!snd) abort();
  if (cli_net_build(s, e, &g, &n, err, errlen) < 0) goto out;
  if (net_get_pkt_stats(n, st) < 0) {
    snprintf(err, errlen, "incast: needs the packet model (network.model: packet)");
    goto out;
  }
  int shares;
  if (place(n, ns, snd, &c->v, &c->d, &shares, err, errlen) < 0) goto out;
  placed[0] = c->v;
  placed[1] = c->d;
  placed[2] = (uint32_t)shares;
  placed[3] = snd[0];
  c->n = n;
  c->vbytes = scen_bytes(s, "victim_bytes");
  c->interval = scen_time_ps(s, "victim_interval");
  c->stop_when_done = with_incast;
  c->count = count;
  if (with_incast) {
    for (uint32_t i = 0; i < ns; i++) {
      net_msg m;
      memset(&m, 0, sizeof m);
      m.src = snd[i];
      m.dst = 0;
      m.bytes = scen_bytes(s, "bytes");
      m.done = on_incast;
      m.ctx = c;
      if (net_send(n, &m, NULL) < 0) {
        snprintf(err, errlen, "incast: cannot send from endpoint %u to 0", snd[i]);
        goto out;
      }
      c->left++;
    }
  }
  sim_schedule(e, 0, victim_tick, c, 0);
  sim_run(e, SIM_TIME_MAX);
  net_get_pkt_stats(n, st);
  rc = 0;
out:
  free(snd);
  net_free(n);
  topo_free(g);
  sim_engine_free(e);
  return rc;
}

static int incast_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)replicate;
  incast c, a;
  memset(&c, 0, sizeof c);
  memset(&a, 0, sizeof a);
  net_pkt_stats st, sa;
  uint32_t placed[4], pa[4];
  int rc = -1;
  if (run_one(s, 1, 0, &c, &st, placed, err, errlen) < 0) goto out;
  if (run_one(s, 0, c.sent, &a, &sa, pa, err, errlen) < 0) goto out;
  char buf[64];
  snprintf(buf, sizeof buf, "%u -> %u", placed[0], placed[1]);
  res_run_param(out, "derived.victim", buf);
  res_run_param(out, "derived.victim_shares_uplink", placed[2] ? "true" : "false");
  double ns = (double)scen_int(s, "senders"), bytes = scen_bytes(s, "bytes");
  double t_us = (double)c.t_done * 1e-6;
  res_run_metric(out, "incast_completion_us", t_us, "us");
  res_run_metric(out, "goodput_GBps", t_us > 0 ? ns * bytes / (t_us * 1e-6) * 1e-9 : 0, "GB/s");
  res_run_metric(out, "victim_messages", (double)c.nlat, "1");
  double vmean = 0;
  for (uint32_t i = 0; i < c.nlat; i++) vmean += c.lat_us[i];
  res_run_metric(out, "victim_mean_us", c.nlat ? vmean / c.nlat : 0, "us");
  res_run_metric(out, "victim_p50_us", pct(c.lat_us, c.nlat, 0.5), "us");
  res_run_metric(out, "victim_p99_us", pct(c.lat_us, c.nlat, 0.99), "us");
  res_run_metric(out, "victim_max_us", pct(c.lat_us, c.nlat, 1.0), "us");
  res_run_metric(out, "victim_alone_p50_us", pct(a.lat_us, a.nlat, 0.5), "us");
  res_run_metric(out, "victim_alone_p99_us", pct(a.lat_us, a.nlat, 0.99), "us");
  res_run_metric(out, "max_queue_KiB", (double)st.max_queue_bytes / 1024.0, "KiB");
  res_run_metric(out, "max_buffer_KiB", (double)st.max_occ_bytes / 1024.0, "KiB");
  res_run_metric(out, "pause_frames", (double)st.pauses, "1");
  res_run_metric(out, "pause_us", (double)st.pause_ps * 1e-6, "us");
  res_run_metric(out, "ecn_marks", (double)st.ecn_marks, "1");
  res_run_metric(out, "cnps", (double)st.cnps, "1");
  res_run_metric(out, "credit_stalls", (double)st.credit_stalls, "1");
  res_run_metric(out, "overflows", (double)st.overflows, "1");
  res_run_metric(out, "packets", (double)st.pkts_sent, "1");
  rc = 0;
out:
  free(c.lat_us);
  free(a.lat_us);
  return rc;
}

const cli_experiment cli_exp_incast = {
  "incast",
  "packet model: N senders to one receiver, a victim flow sharing an uplink (queues, PFC pauses, DCQCN, credits)",
  keys,
  incast_run,
  NULL,
};
