/* exp_latency.c: experiment `latency`: a ping-pong microbenchmark of small messages between two
 * GPUs of a given relation (same host, same leaf, cross leaf, cross pod), in the manner of
 * perftest's ib_send_lat: paper Table 5 (64 B one-way latency over InfiniBand, RoCE and NVLink).
 *
 * Mechanism. The scenario's topology and network model are built (cli_net_build); for each relation
 * measured, cli_net_pair picks the first pair of endpoints whose route has it; then A sends `bytes`
 * to B, B answers with `bytes` when it is delivered, and so on for `iterations` round trips, one
 * message in flight at a time: a real ping-pong, the op graph of models/wl_ping.h on the executor. one_way = mean RTT / 2.
 * Nothing in this file knows a latency: every number comes from the model (models/net.h: host
 * software at each end by path class, per-link PHY/FEC, cable propagation, the traversal of every
 * node between the ends, serialisation at the bottleneck) and the presets behind the scenario.
 *
 * Breakdown. For the route each way (net_route, the model's own choice) the fixed latency is split
 * by component with the model's formula, applied here term by term:
 *   host        2 x host_latency of the path class (fabric if the route crosses IB/Ethernet, else
 *               NVLink if it crosses NVLink, else PCIe)
 *   nic, switch, nvswitch, pcie_switch   traversal of the nodes of that kind between the ends
 *   link        the links' own fixed latency (PHY, FEC)
 *   propagation cable length x propagation per metre of its medium
 * and each component is the mean of the two directions (D-mod-k may route A->B and B->A over
 * different spines). serialization = one_way - the mean fixed latency: what the ping-pong measured
 * beyond the fixed part (bytes at the bottleneck rate). The run fails if the components do not add
 * up to net_route_latency_ps() (to 1 ps per arc: the model rounds its double sum once), so the
 * breakdown cannot drift from the model.
 *
 * Relations (`pair`): one of same_host, same_leaf, cross_leaf, cross_pod, or `all` (default):
 * every relation the topology has, in that order (a two-layer fat-tree has no cross_pod; a node
 * topology has only same_host). A single relation the topology lacks is an error. One run measures
 * several relations so that one sweep point is one link layer: a sweep is a cartesian product, and
 * paper Table 5 has link layers as rows and relations as columns.
 *
 * Metrics, per relation R measured (times in us): R_one_way_us, R_rtt_us (mean), R_rtt_min_us and
 * R_rtt_max_us (equal without other traffic), R_switch_hops (fabric switches on the route),
 * R_host_us, R_nic_us, R_switch_us, R_nvswitch_us, R_pcie_switch_us, R_link_us, R_propagation_us,
 * R_serialization_us, R_cable_m (cable metres one way). Params:
 * derived.pairs (the relations measured), derived.R.route (node kinds along A->B), derived.R.class
 * (path class), derived.R.src/dst (endpoint ids). Deterministic: no randomness is drawn.
 *
 * Costs: one topology build and model per run; cli_net_pair scans up to 64 sources x all
 * destinations (net_route each) per relation, so `all` on a topology without cross_pod scans
 * 64 x endpoints routes once; the ping-pong is 2 x iterations ops (wl_ping.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exp.h"
#include "exp_net.h"
#include "exp_topo.h"
#include "net.h"
#include "sim.h"
#include "wl_ping.h"

#define END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}
#define LAT_MAX_ITERATIONS 10000000

static const char *const pair_vals[] = {"all", "same_host", "same_leaf", "cross_leaf", "cross_pod", NULL};
#define N_RELATIONS 4
static const char *const relations[N_RELATIONS] = {"same_host", "same_leaf", "cross_leaf", "cross_pod"};

static const scen_key keys[] = {
  CLI_TOPOLOGY_KEY,
  CLI_NETWORK_KEY,
  {"pair", SCEN_ENUM, "GPU pair to measure: same_host (NVLink/PCIe inside a host), same_leaf, cross_leaf "
   "(leaf-spine-leaf), cross_pod (FT3: edge-agg-core-agg-edge), or all: every relation the topology has", "all", 0,
   0, 0, 0, pair_vals, NULL, 0, NULL},
  {"bytes", SCEN_BYTES, "message size, each way", "64B", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  {"iterations", SCEN_INT, "ping-pong round trips measured", "100", 0, SCEN_MIN | SCEN_MAX, 1, LAT_MAX_ITERATIONS,
   NULL, NULL, 0, NULL},
  END,
};

/* ---- latency breakdown of one route, the model's formula term by term (picoseconds) ---- */

enum { C_HOST, C_NIC, C_SWITCH, C_NVSWITCH, C_PCIE_SWITCH, C_LINK, C_PROP, C_COUNT };
static const char *const comp_names[C_COUNT] = {"host", "nic", "switch", "nvswitch", "pcie_switch", "link",
                                                "propagation"};

typedef struct breakdown {
  double ps[C_COUNT];
  double cable_m;
  int switches;        /* fabric switches passed through */
  topo_class cls;      /* path class: what host_latency applies */
} breakdown;

static int comp_of_kind(topo_kind k) {
  switch (k) {
  case TOPO_NIC: return C_NIC;
  case TOPO_SWITCH: return C_SWITCH;
  case TOPO_NVSWITCH: return C_NVSWITCH;
  case TOPO_PCIE_SWITCH: return C_PCIE_SWITCH;
  default: return -1;   /* GPUs, host memory, endpoints: never between the ends of a fabric/NVLink route */
  }
}

/* 0, or -1 when the route passes through a node kind the breakdown has no column for. */
static int route_breakdown(const topo_graph *g, const net_latency_spec *L, const topo_route *r, breakdown *b,
                           char *err, size_t errlen) {
  memset(b, 0, sizeof *b);
  int fab = 0, nv = 0;
  for (uint32_t i = 0; i < r->n; i++) {
    uint32_t a = r->arc[i], l = a >> 1;
    b->ps[C_LINK] += (double)g->lat_ps[l];
    b->ps[C_PROP] += (double)g->length_m[l] * L->prop_ps_per_m[g->medium[l]];
    b->cable_m += (double)g->length_m[l];
    if (i > 0) {
      topo_kind k = (topo_kind)g->kind[topo_arc_from(g, a)];
      int c = comp_of_kind(k);
      if (c < 0 && L->node_ps[k] != 0) {
        snprintf(err, errlen, "latency: the route passes through a %s node, which has a traversal latency but "
                 "no breakdown column", topo_kind_name(k));
        return -1;
      }
      if (c >= 0) b->ps[c] += (double)L->node_ps[k];
      if (k == TOPO_SWITCH) b->switches++;
    }
    if (g->cls[l] == TOPO_IB || g->cls[l] == TOPO_ETH) {
      fab = 1;
      b->cls = (topo_class)g->cls[l];
    }
    if (g->cls[l] == TOPO_NVLINK) nv = 1;
  }
  if (!fab) b->cls = nv ? TOPO_NVLINK : TOPO_PCIE;
  b->ps[C_HOST] = 2.0 * (double)L->host_ps[b->cls];
  return 0;
}

static double breakdown_total(const breakdown *b) {
  double s = 0;
  for (int c = 0; c < C_COUNT; c++) s += b->ps[c];
  return s;
}

/* "gpu > pcie_switch > nic > switch(t1) > nic > pcie_switch > gpu"; t1 leaf/edge, t2 spine/aggregation, t3 core */
static void route_text(const topo_graph *g, const topo_route *r, char *out, size_t len) {
  size_t k = 0;
  out[0] = '\0';
  for (uint32_t i = 0; i <= r->n && k < len; i++) {
    uint32_t v = i < r->n ? topo_arc_from(g, r->arc[i]) : topo_arc_to(g, r->arc[r->n - 1]);
    int w = g->kind[v] == TOPO_SWITCH
                ? snprintf(out + k, len - k, "%sswitch(t%d)", i ? " > " : "", (int)g->tier[v])
                : snprintf(out + k, len - k, "%s%s", i ? " > " : "", topo_kind_name((topo_kind)g->kind[v]));
    if (w < 0) break;
    k += (size_t)w;
  }
}

static void metric_rel(res_run *out, const char *rel, const char *name, double v, const char *unit) {
  char key[96];
  snprintf(key, sizeof key, "%s_%s", rel, name);
  res_run_metric(out, key, v, unit);
}

static void param_rel(res_run *out, const char *rel, const char *name, const char *v) {
  char key[96];
  snprintf(key, sizeof key, "derived.%s.%s", rel, name);
  res_run_param(out, key, v);
}

/* Measures one relation; 0, 1 when the topology has no such pair and `optional`, or -1. */
static int measure(const scen *s, net_model *n, const net_latency_spec *L, const char *rel, int optional,
                   res_run *out, char *err, size_t errlen) {
  const topo_graph *g = net_graph(n);
  uint32_t a, b;
  char why[512];
  if (cli_net_pair(n, rel, &a, &b, why, sizeof why) < 0) {
    if (optional) return 1;
    snprintf(err, errlen, "%s (key pair; pair: all measures every relation the topology has)", why);
    return -1;
  }
  topo_route fwd, back;
  if (net_route(n, a, b, 0, &fwd) < 0 || net_route(n, b, a, 0, &back) < 0) {
    snprintf(err, errlen, "pair = %s: no route between endpoints %u and %u", rel, a, b);
    return -1;
  }
  breakdown bf, bb;
  if (route_breakdown(g, L, &fwd, &bf, err, errlen) < 0 || route_breakdown(g, L, &back, &bb, err, errlen) < 0)
    return -1;
  const topo_route *rs[2] = {&fwd, &back};
  const breakdown *bs[2] = {&bf, &bb};
  for (int d = 0; d < 2; d++) {
    double model = (double)net_route_latency_ps(n, rs[d]), mine = breakdown_total(bs[d]);
    if (fabs(model - mine) > (double)rs[d]->n + 1.0) {
      snprintf(err, errlen, "pair = %s: the latency breakdown (%.3f ps) disagrees with the model's route latency "
               "(%.0f ps) %s", rel, mine, model, d ? "back" : "forth");
      return -1;
    }
  }

  wl_ping_result p;
  char why2[512];
  if (wl_ping_run(n, a, b, scen_bytes(s, "bytes"), (uint64_t)scen_int(s, "iterations"), &p, why2, sizeof why2) < 0) {
    snprintf(err, errlen, "pair = %s: the ping-pong between endpoints %u and %u failed: %s", rel, a, b, why2);
    return -1;
  }
  if ((int64_t)p.done != scen_int(s, "iterations")) {
    snprintf(err, errlen, "pair = %s: %lld of %lld round trips completed", rel, (long long)p.done,
             (long long)scen_int(s, "iterations"));
    return -1;
  }

  double one_way_ps = p.rtt_sum_ps / (double)p.done / 2.0;
  double fixed_ps = 0.5 * ((double)net_route_latency_ps(n, &fwd) + (double)net_route_latency_ps(n, &back));
  const double us = 1e-6;
  metric_rel(out, rel, "one_way_us", one_way_ps * us, "us");
  metric_rel(out, rel, "rtt_us", 2.0 * one_way_ps * us, "us");
  metric_rel(out, rel, "rtt_min_us", (double)p.rtt_min_ps * us, "us");
  metric_rel(out, rel, "rtt_max_us", (double)p.rtt_max_ps * us, "us");
  metric_rel(out, rel, "switch_hops", 0.5 * (bf.switches + bb.switches), "1");
  for (int c = 0; c < C_COUNT; c++) {
    char name[48];
    snprintf(name, sizeof name, "%s_us", comp_names[c]);
    metric_rel(out, rel, name, 0.5 * (bf.ps[c] + bb.ps[c]) * us, "us");
  }
  metric_rel(out, rel, "serialization_us", (one_way_ps - fixed_ps) * us, "us");
  metric_rel(out, rel, "cable_m", bf.cable_m, "m");

  char buf[1024];
  route_text(g, &fwd, buf, sizeof buf);
  param_rel(out, rel, "route", buf);
  param_rel(out, rel, "class", topo_class_name(bf.cls));
  snprintf(buf, sizeof buf, "%u", a);
  param_rel(out, rel, "src", buf);
  snprintf(buf, sizeof buf, "%u", b);
  param_rel(out, rel, "dst", buf);
  return 0;
}

static int latency_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  net_opts o;
  if (cli_net_opts_from_scen(s, &o, err, errlen) < 0) return -1;
  sim_engine_opts eo;
  memset(&eo, 0, sizeof eo);
  eo.seed = scen_seed(s);
  eo.replicate = replicate;
  sim_engine *e = sim_engine_new(&eo);
  topo_graph *g = NULL;
  net_model *n = NULL;
  if (cli_net_build(s, e, &g, &n, err, errlen) < 0) {
    sim_engine_free(e);
    return -1;
  }
  const char *want = scen_str(s, "pair");
  int all = strcmp(want, "all") == 0, rc = 0;
  char measured[128] = "";
  for (int i = 0; i < N_RELATIONS && rc >= 0; i++) {
    if (!all && strcmp(want, relations[i]) != 0) continue;
    rc = measure(s, n, &o.lat, relations[i], all, out, err, errlen);
    if (rc == 0) {
      size_t k = strlen(measured);
      snprintf(measured + k, sizeof measured - k, "%s%s", k ? " " : "", relations[i]);
    }
  }
  if (rc >= 0 && measured[0] == '\0') {
    snprintf(err, errlen, "pair = all: the topology (%s, %u endpoints) has no GPU pair of any relation (%s %s %s %s)",
             topo_family_name(g->spec.family), g->n_endpoints, relations[0], relations[1], relations[2],
             relations[3]);
    rc = -1;
  }
  if (rc >= 0) res_run_param(out, "derived.pairs", measured);
  net_free(n);
  topo_free(g);
  sim_engine_free(e);
  return rc < 0 ? -1 : 0;
}

const cli_experiment cli_exp_latency = {
  "latency",
  "ping-pong latency of small messages between two GPUs (same host, same leaf, cross leaf, cross pod), with the "
  "latency split by component (paper Table 5)",
  keys,
  latency_run,
  NULL,
};
