/* exp_net.c: the `network:` block and scenario -> network model (exp_net.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp_net.h"
#include "exp_pkt.h"
#include "exp_topo.h"

#define END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}

static const char *const routing_vals[] = {"static", "ecmp", "adaptive", "ugal", NULL};
static const char *const model_vals[] = {"flow", "packet", NULL};

const scen_key cli_network_keys[] = {
  {"model", SCEN_ENUM, "network model: flow (max-min fair flows) or packet (MTU packets, port queues, IB credits, "
   "RoCE PFC/ECN/DCQCN); absent: flow (left out so that flow scenarios keep their canonical text)", NULL, 0, 0, 0, 0, model_vals, NULL, 0, NULL},
  {"packet", SCEN_PRESET, "packet model inputs (network.model: packet): preset in scenarios/hardware/ (packet-*) or "
   "a map; absent: the model's defaults", NULL, 0, 0, 0, 0, NULL, cli_packet_keys, 0, "hardware"},
  {"routing", SCEN_ENUM, "route choice: static (D-mod-k tables), ecmp (hash per connection), adaptive (least "
   "loaded minimal route), ugal (adaptive plus Valiant routes)", "static", 0, 0, 0, 0, routing_vals, NULL, 0, NULL},
  {"adaptive_paths", SCEN_INT, "adaptive/ugal: candidate minimal routes considered per message", "16", 0,
   SCEN_MIN | SCEN_MAX, 1, TOPO_ROUTE_MAX, NULL, NULL, 0, NULL},
  {"spray", SCEN_INT, "adaptive/ugal: subflows per message over the least loaded routes (1: one route)", "1", 0,
   SCEN_MIN | SCEN_MAX, 1, TOPO_ROUTE_MAX, NULL, NULL, 0, NULL},
  {"ugal_nonminimal", SCEN_INT, "ugal: Valiant (non-minimal) candidates per message", "4", 0, SCEN_MIN | SCEN_MAX, 0,
   TOPO_ROUTE_MAX - 1, NULL, NULL, 0, NULL},
  {"rtt_fair", SCEN_BOOL, "max-min weight of a flow = 1 / its route latency (TCP-like); false: equal weights",
   "false", 0, 0, 0, 0, NULL, NULL, 0, NULL},
  {"check", SCEN_BOOL, "check that no arc carries more than its bandwidth after every solve", "false", 0, 0, 0, 0,
   NULL, NULL, 0, NULL},
  END,
};

int cli_net_opts_from_scen(const scen *s, net_opts *o, char *err, size_t errlen) {
  net_opts_init(o);
  const char *r = scen_str(s, "network.routing");
  if (topo_routing_parse(r, &o->routing) < 0) {
    snprintf(err, errlen, "network.routing: unknown '%s' (allowed: static ecmp adaptive ugal)", r);
    return -1;
  }
  o->adaptive_paths = (int)scen_int(s, "network.adaptive_paths");
  o->spray = (int)scen_int(s, "network.spray");
  o->ugal_nonminimal = (int)scen_int(s, "network.ugal_nonminimal");
  o->rtt_fair = scen_bool(s, "network.rtt_fair");
  o->check = scen_bool(s, "network.check");
  if (o->spray > o->adaptive_paths) {
    snprintf(err, errlen, "network.spray = %d: more than network.adaptive_paths (%d)", o->spray, o->adaptive_paths);
    return -1;
  }
  o->seed = (uint64_t)scen_int(s, "seed");
  if (scen_has(s, "network.model") && net_model_kind_parse(scen_str(s, "network.model"), &o->model) < 0)
    o->model = NET_MODEL_FLOW;
  if (o->model == NET_MODEL_PACKET && cli_pkt_opts_from_scen(s, o, err, errlen) < 0) return -1;

  topo_class fc;
  if (topo_class_parse(scen_str(s, "topology.fabric.class"), &fc) < 0) fc = TOPO_IB;
  net_latency_spec *l = &o->lat;
  l->host_ps[fc] = scen_time_ps(s, "topology.fabric.host_latency");
  l->node_ps[TOPO_SWITCH] = scen_time_ps(s, "topology.fabric.switch_latency");
  l->node_ps[TOPO_NIC] = scen_time_ps(s, "topology.fabric.nic_latency");
  if (scen_has(s, "topology.node")) {
    l->host_ps[TOPO_NVLINK] = scen_time_ps(s, "topology.node.nvlink.host_latency");
    l->host_ps[TOPO_PCIE] = scen_time_ps(s, "topology.node.pcie.host_latency");
    l->node_ps[TOPO_NVSWITCH] = scen_time_ps(s, "topology.node.nvlink.switch_latency");
    l->node_ps[TOPO_PCIE_SWITCH] = scen_time_ps(s, "topology.node.pcie.switch_latency");
  }
  l->prop_ps_per_m[TOPO_ELECTRICAL] = 1e3 * scen_f64(s, "topology.layout.electrical_ns_per_m");
  l->prop_ps_per_m[TOPO_OPTICAL] = 1e3 * scen_f64(s, "topology.layout.optical_ns_per_m");
  return 0;
}

int cli_net_build(const scen *s, sim_engine *e, topo_graph **g, net_model **n, char *err, size_t errlen) {
  *g = NULL;
  *n = NULL;
  topo_spec sp;
  net_opts o;
  if (cli_topo_spec_from_scen(s, &sp, err, errlen) < 0 || cli_net_opts_from_scen(s, &o, err, errlen) < 0) return -1;
  if (sp.formula_only) {
    snprintf(err, errlen, "topology.slimfly.formula_only: a network model needs a built graph");
    return -1;
  }
  if (topo_build(&sp, g, err, errlen) < 0) return -1;
  *n = net_new(e, *g, &o, err, errlen);
  if (!*n) {
    topo_free(*g);
    *g = NULL;
    return -1;
  }
  return 0;
}

/* Fabric switches a route passes through, and whether it crosses NVLink. */
static void route_shape(const topo_graph *g, const topo_route *r, int *switches, int *nvlink, int *fabric) {
  *switches = *nvlink = *fabric = 0;
  for (uint32_t i = 0; i < r->n; i++) {
    uint32_t a = r->arc[i];
    topo_class c = (topo_class)g->cls[a >> 1];
    if (c == TOPO_NVLINK) *nvlink = 1;
    if (c == TOPO_IB || c == TOPO_ETH) *fabric = 1;
    if (i + 1 < r->n && g->kind[topo_arc_to(g, a)] == TOPO_SWITCH) (*switches)++;
  }
}

int cli_net_pair(net_model *n, const char *relation, uint32_t *src, uint32_t *dst, char *err, size_t errlen) {
  const topo_graph *g = net_graph(n);
  int want_sw = -1;   /* fabric switches on the route; -1: same host */
  if (strcmp(relation, "same_host") == 0) want_sw = -1;
  else if (strcmp(relation, "same_leaf") == 0) want_sw = 1;
  else if (strcmp(relation, "cross_leaf") == 0) want_sw = 3;
  else if (strcmp(relation, "cross_pod") == 0) want_sw = 5;
  else {
    snprintf(err, errlen, "pair '%s': unknown (allowed: same_host same_leaf cross_leaf cross_pod)", relation);
    return -1;
  }
  for (uint32_t s = 0; s < g->n_endpoints && s < 64; s++) {
    int32_t hs = g->host[g->endpoint_node[s]];
    for (uint32_t d = 0; d < g->n_endpoints; d++) {
      if (d == s) continue;
      int32_t hd = g->host[g->endpoint_node[d]];
      int same_host = hs >= 0 && hs == hd;
      if ((want_sw < 0) != same_host) continue;
      topo_route r;
      if (net_route(n, s, d, 0, &r) < 0) continue;
      int sw, nv, fab;
      route_shape(g, &r, &sw, &nv, &fab);
      if (want_sw < 0 ? (!fab) : (fab && !nv && sw == want_sw)) {
        *src = s;
        *dst = d;
        return 0;
      }
    }
  }
  snprintf(err, errlen, "pair '%s': the topology (%s, %u endpoints) has no such pair", relation,
           topo_family_name(g->spec.family), g->n_endpoints);
  return -1;
}

/* The `gpus` rule, one wording for load time and run time. */
static int gpus_rule(const scen *s, uint64_t endpoints, uint32_t *count, char *err, size_t errlen) {
  int64_t want = scen_int(s, "gpus");
  uint64_t c = want == 0 ? endpoints : (uint64_t)want;
  if (want < 0 || (uint64_t)want > endpoints || c < 2 || c > UINT32_MAX) {
    snprintf(err, errlen, "gpus = %lld: the topology has %llu endpoints (allowed: 0 = all, or 2 .. %llu)",
             (long long)want, (unsigned long long)endpoints, (unsigned long long)endpoints);
    return -1;
  }
  *count = (uint32_t)c;
  return 0;
}

int cli_net_gpus(const scen *s, const topo_graph *g, uint32_t **eps, uint32_t *count, char *err, size_t errlen) {
  *eps = NULL;
  uint32_t c;
  if (gpus_rule(s, g->n_endpoints, &c, err, errlen) < 0) return -1;
  *eps = malloc((size_t)c * sizeof **eps);
  if (!*eps) {
    snprintf(err, errlen, "gpus = %u: out of memory for the endpoint list", c);
    return -1;
  }
  for (uint32_t i = 0; i < c; i++) (*eps)[i] = i;
  *count = c;
  return 0;
}

int cli_net_gpus_at_load(const scen *s, uint32_t *count, char *err, size_t errlen) {
  topo_spec ts;
  topo_counts c;
  if (cli_topo_spec_from_scen(s, &ts, err, errlen) < 0 || topo_count(&ts, &c, err, errlen) < 0) return 1;
  return gpus_rule(s, c.endpoints, count, err, errlen);
}
