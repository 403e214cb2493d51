/* exp_topo.c: experiment `topology`: counts, a structural check and the cost of a cluster topology
 * (paper Table 3: FT2, MPFT, FT3, Slim Fly, Dragonfly).
 *
 * A run counts the topology (every family), builds it unless the spec is formula_only (then the
 * cables come from the family's layout rule instead of the graph), checks the graph (radix, and one
 * component, or one per plane for an MPFT of bare endpoints), and prices it with the `cost:` block.
 * Every metric is a pure function of the scenario. The wall time of the build is recorded as the
 * param derived.build_wall_s (like the run's own wall seconds, it differs between runs, so it is kept
 * out of the metrics). It, memory_bytes, cabinets and components exist only for built graphs (buildable = 1); the
 * cost metrics only when the scenario has a `cost:` block. The run also fails when the graph and
 * topo_count() disagree on switches, endpoints or cables (builders and counters are separate code).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cost.h"
#include "exp.h"
#include "exp_topo.h"
#include "topo.h"

#define END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}
#define INT0(nm, help) {nm, SCEN_INT, help, "0", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL}
#define INTPOS(nm, def, help) {nm, SCEN_INT, help, def, 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL}
#define METRES(nm, help) {nm, SCEN_F64, help, NULL, 1, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL}
#define USD(nm, def, req, help) {nm, SCEN_F64, help, def, req, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL}

static const char *const family_vals[] = {"ft2", "ft3", "mrft", "mpft", "slimfly", "dragonfly", "node", NULL};
static const char *const class_vals[] = {"ib", "eth", NULL};
static const char *const arr_vals[] = {"absolute", "relative", "circulant", NULL};

/* A link class inside a host: bandwidth per direction, fixed latency. */
#define TIME0(nm, help) {nm, SCEN_TIME, help, "0ns", 0, 0, 0, 0, NULL, NULL, 0, NULL}

static const scen_key link_keys[] = {
  {"name", SCEN_STR, "display name", NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
  {"bw", SCEN_BW, "bandwidth per direction", NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  TIME0("latency", "fixed latency of the link itself (PHY, FEC), per traversal"),
  TIME0("switch_latency", "nvlink: NVSwitch traversal; pcie: PCIe switch traversal (per pass)"),
  TIME0("host_latency", "software per end of a message carried only on this class (post, poll)"),
  END,
};

static const scen_key fabric_keys[] = {
  {"name", SCEN_STR, "display name", NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
  {"class", SCEN_ENUM, "link layer of the scale-out fabric", "ib", 0, 0, 0, 0, class_vals, NULL, 0, NULL},
  {"bw", SCEN_BW, "per port, per direction", NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  TIME0("latency", "fixed latency of a link itself (PHY, FEC), cable propagation excluded"),
  INT0("switch_radix", "ports of the fabric's switches (topology.radix 0 takes it)"),
  TIME0("switch_latency", "traversal of one fabric switch, port to port (cut-through)"),
  TIME0("nic_latency", "traversal of one NIC (DMA, transport), per end"),
  TIME0("host_latency", "software per end of a message over the fabric (post send, poll completion)"),
  END,
};

static const scen_key node_keys[] = {
  {"name", SCEN_STR, "display name", NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
  INTPOS("gpus", NULL, "GPUs per host; also scale-out NICs per host (one per GPU)"),
  INTPOS("gpus_per_pcie_switch", "1", "GPUs (each with its NIC) sharing one PCIe switch"),
  INT0("storage_nics", "extra NICs on the PCIe switches, off the scale-out fabric (storage plane)"),
  {"nvlink", SCEN_PRESET, "GPU <-> NVSwitch, per GPU (usable bandwidth): preset (nvlink-*) or a map", NULL, 1, 0, 0,
   0, NULL, link_keys, 0, "hardware"},
  {"pcie", SCEN_PRESET, "GPU/NIC <-> PCIe switch: preset (pcie-*) or a map", NULL, 1, 0, 0, 0, NULL, link_keys, 0,
   "hardware"},
  {"hostmem_bw", SCEN_BW, "PCIe switch <-> host memory (0: pcie.bw)", "0B/s", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  {"nic", SCEN_MAP, "NIC <-> fabric leaf (the scale-out port)", NULL, 1, 0, 0, 0, NULL, link_keys, 0, NULL},
  INT0("nvlink_domain", "GPUs per NVLink domain (0: gpus, one host; 72 for an NVL72 rack)"),
  END,
};

static const scen_key layout_keys[] = {
  {"name", SCEN_STR, "display name", NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
  METRES("cabinet_pitch_m", "centre-to-centre distance of neighbouring cabinets in a row (m)"),
  METRES("row_pitch_m", "centre-to-centre distance of neighbouring rows (m)"),
  METRES("overhead_m", "added to every inter-cabinet cable: vertical runs, slack (m)"),
  METRES("intra_cabinet_m", "length of a cable inside one cabinet (m)"),
  METRES("electrical_reach_m", "longest copper cable at the link rate (m); longer ones are optical"),
  INT0("cabinets_per_row", "cabinets per row of the floor grid (0: ceil(sqrt(cabinets)))"),
  {"electrical_ns_per_m", SCEN_F64, "signal propagation in copper cable (ns per metre; 0: not modelled)", "0", 0,
   SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  {"optical_ns_per_m", SCEN_F64, "signal propagation in optical fibre (ns per metre; 0: not modelled)", "0", 0,
   SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  END,
};

static const scen_key sf_keys[] = {
  INT0("q", "Slim Fly q = 4w + d, d in {-1, 0, 1}: 2q^2 routers (a prime power unless formula_only)"),
  INT0("p", "endpoints per router (0: floor(network radix / 2))"),
  {"formula_only", SCEN_BOOL, "counts and cost from formulas, no graph (any q)", "false", 0, 0, 0, 0, NULL, NULL, 0,
   NULL},
  END,
};

static const scen_key df_keys[] = {
  INT0("p", "endpoints per router"),
  INT0("a", "routers per group"),
  INT0("h", "global links per router"),
  INT0("g", "groups (at most a h + 1)"),
  {"arrangement", SCEN_ENUM, "global-link arrangement (Hastings et al. names)", "absolute", 0, 0, 0, 0, arr_vals,
   NULL, 0, NULL},
  END,
};

const scen_key cli_topology_keys[] = {
  {"name", SCEN_STR, "display label (a report's row)", "''", 0, 0, 0, 0, NULL, NULL, 0, NULL},
  {"family", SCEN_ENUM, "topology family", NULL, 1, 0, 0, 0, family_vals, NULL, 0, NULL},
  INT0("radix", "switch ports as bought, also for Slim Fly and Dragonfly routers (0: fabric.switch_radix)"),
  INT0("endpoints", "FT2/MRFT/MPFT: endpoints (GPUs) to connect (0: full)"),
  INT0("spines", "FT2/MRFT/MPFT: spines per plane (0: radix/2)"),
  INT0("planes", "MPFT planes, MRFT rails (0: node.gpus for mpft/mrft, else 1)"),
  {"slimfly", SCEN_MAP, "Slim Fly parameters", NULL, 0, 0, 0, 0, NULL, sf_keys, 0, NULL},
  {"dragonfly", SCEN_MAP, "Dragonfly parameters", NULL, 0, 0, 0, 0, NULL, df_keys, 0, NULL},
  {"fabric", SCEN_PRESET, "scale-out link class: preset in scenarios/hardware/ or a map", "fabric-ib-ndr", 0, 0, 0, 0,
   NULL, fabric_keys, 0, "hardware"},
  {"node", SCEN_PRESET, "host internals: preset in scenarios/hardware/ (node-h800, ...) or a map; absent: bare "
   "endpoints", NULL, 0, 0, 0, 0, NULL, node_keys, 0, "hardware"},
  {"layout", SCEN_PRESET, "physical layout (cabinets, cable lengths, media): preset in scenarios/hardware/ or a map",
   "layout-sc14-400g", 0, 0, 0, 0, NULL, layout_keys, 0, "hardware"},
  INT0("endpoints_per_cabinet", "fat-tree leaves: endpoints (GPUs) per cabinet with their leaves (0: one leaf's worth)"),
  INTPOS("switches_per_cabinet", "1", "switch-only cabinets (spines, cores): switches per cabinet"),
  END,
};

const scen_key cli_cost_keys[] = {
  {"name", SCEN_STR, "display name", NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
  {"switch_base_usd", SCEN_F64, "per switch whatever its ports (USD; may be a negative fitted intercept)", "0", 0, 0,
   0, 0, NULL, NULL, 0, NULL},
  USD("switch_port_usd", NULL, 1, "per switch port as bought (USD)"),
  USD("electrical_cable_usd", NULL, 1, "per electrical (copper) cable (USD)"),
  USD("electrical_cable_usd_per_m", NULL, 1, "per metre of electrical cable (USD/m)"),
  USD("optical_cable_usd", NULL, 1, "per optical cable, transceivers included (USD)"),
  USD("optical_cable_usd_per_m", NULL, 1, "per metre of optical cable (USD/m)"),
  USD("nic_usd", "0", 0, "per endpoint NIC port (USD; 0: NICs not priced)"),
  {"price_endpoint_cables", SCEN_BOOL, "also price switch <-> endpoint cables (SC14 comparisons do not)", "false", 0, 0,
   0, 0, NULL, NULL, 0, NULL},
  END,
};

const scen_key cli_topo_schema[] = {
  {"topology", SCEN_PRESET, "the topology: a preset in scenarios/topologies/ or a map", NULL, 1, 0, 0, 0, NULL,
   cli_topology_keys, 0, "topologies"},
  {"cost", SCEN_PRESET, "prices: a preset in scenarios/hardware/ (cost-*) or a map; absent: no cost", NULL, 0, 0, 0,
   0, NULL, cli_cost_keys, 0, "hardware"},
  END,
};

static void link_from(const scen *s, const char *prefix, topo_class cls, topo_link_spec *out) {
  char p[128];
  out->cls = cls;
  snprintf(p, sizeof p, "%s.bw", prefix);
  out->bw_Bps = scen_bw_Bps(s, p);
  snprintf(p, sizeof p, "%s.latency", prefix);
  out->lat_ps = scen_time_ps(s, p);
}

static int int_of(const scen *s, const char *path, int64_t max, int *out, char *err, size_t errlen) {
  int64_t v = scen_int(s, path);
  if (v > max) {
    snprintf(err, errlen, "%s = %lld: too large (at most %lld)", path, (long long)v, (long long)max);
    return -1;
  }
  *out = (int)v;
  return 0;
}

int cli_topo_spec_from_scen(const scen *s, topo_spec *o, char *err, size_t errlen) {
  topo_spec_init(o);
  if (topo_family_parse(scen_str(s, "topology.family"), &o->family) < 0) {
    snprintf(err, errlen, "topology.family: unknown '%s'", scen_str(s, "topology.family"));
    return -1;
  }
  const int64_t big = 1 << 30;
  /* the radix's range is topo's rule (topo__check_radix: one wording); here only what fits an int */
  if (int_of(s, "topology.radix", INT_MAX, &o->radix, err, errlen) < 0 ||
      (o->radix == 0 && int_of(s, "topology.fabric.switch_radix", INT_MAX, &o->radix, err, errlen) < 0) ||
      int_of(s, "topology.endpoints", big, &o->endpoints, err, errlen) < 0 ||
      int_of(s, "topology.spines", 65535, &o->spines, err, errlen) < 0 ||
      int_of(s, "topology.planes", 32767, &o->planes, err, errlen) < 0 ||
      int_of(s, "topology.slimfly.q", 65535, &o->sf_q, err, errlen) < 0 ||
      int_of(s, "topology.slimfly.p", 65535, &o->sf_p, err, errlen) < 0 ||
      int_of(s, "topology.dragonfly.p", 65535, &o->df_p, err, errlen) < 0 ||
      int_of(s, "topology.dragonfly.a", 65535, &o->df_a, err, errlen) < 0 ||
      int_of(s, "topology.dragonfly.h", 65535, &o->df_h, err, errlen) < 0 ||
      int_of(s, "topology.dragonfly.g", big, &o->df_g, err, errlen) < 0 ||
      int_of(s, "topology.endpoints_per_cabinet", big, &o->endpoints_per_cabinet, err, errlen) < 0 ||
      int_of(s, "topology.switches_per_cabinet", 65535, &o->switches_per_cabinet, err, errlen) < 0)
    return -1;
  if (o->radix == 0) {
    snprintf(err, errlen, "topology.radix: 0 and the fabric (%s) names no switch_radix; give topology.radix or "
             "fabric.switch_radix (ports per switch, > 0)", scen_has(s, "topology.fabric.name")
             ? scen_str(s, "topology.fabric.name") : "inline map");
    return -1;
  }
  o->formula_only = scen_bool(s, "topology.slimfly.formula_only");
  if (o->formula_only && o->family != TOPO_SLIMFLY) {
    snprintf(err, errlen, "topology.slimfly.formula_only: only for family slimfly (family is %s)",
             topo_family_name(o->family));
    return -1;
  }
  if (topo_df_arrangement_parse(scen_str(s, "topology.dragonfly.arrangement"), &o->df_arrangement) < 0) {
    snprintf(err, errlen, "topology.dragonfly.arrangement: unknown '%s'", scen_str(s, "topology.dragonfly.arrangement"));
    return -1;
  }
  if (topo_class_parse(scen_str(s, "topology.fabric.class"), &o->fabric.cls) < 0) {
    snprintf(err, errlen, "topology.fabric.class: unknown '%s'", scen_str(s, "topology.fabric.class"));
    return -1;
  }
  o->fabric.bw_Bps = scen_bw_Bps(s, "topology.fabric.bw");
  o->fabric.lat_ps = scen_time_ps(s, "topology.fabric.latency");

  memset(&o->node, 0, sizeof o->node);
  o->node.gpus_per_pcie_switch = 1;
  if (scen_has(s, "topology.node")) {
    topo_node_spec *n = &o->node;
    if (int_of(s, "topology.node.gpus", 4096, &n->gpus, err, errlen) < 0 ||
        int_of(s, "topology.node.gpus_per_pcie_switch", 4096, &n->gpus_per_pcie_switch, err, errlen) < 0 ||
        int_of(s, "topology.node.storage_nics", 4096, &n->storage_nics, err, errlen) < 0 ||
        int_of(s, "topology.node.nvlink_domain", 1 << 20, &n->nvlink_domain, err, errlen) < 0)
      return -1;
    link_from(s, "topology.node.nvlink", TOPO_NVLINK, &n->nvlink);
    link_from(s, "topology.node.pcie", TOPO_PCIE, &n->pcie);
    link_from(s, "topology.node.nic", o->fabric.cls, &n->nic);
    n->hostmem_bw_Bps = scen_bw_Bps(s, "topology.node.hostmem_bw");
    if (n->nvlink_domain == 0) n->nvlink_domain = n->gpus;
    if (n->gpus_per_pcie_switch > n->gpus) {
      snprintf(err, errlen, "topology.node.gpus_per_pcie_switch = %d: more than node.gpus (%d)",
               n->gpus_per_pcie_switch, n->gpus);
      return -1;
    }
  }
  /* planes 0: one plane per GPU of a host for the multi-plane/multi-rail families, else one. */
  if (o->planes == 0)
    o->planes = (o->family == TOPO_MPFT || o->family == TOPO_MRFT) && o->node.gpus > 0 ? o->node.gpus : 1;

  topo_layout_spec *l = &o->layout;
  l->cabinet_pitch_m = scen_f64(s, "topology.layout.cabinet_pitch_m");
  l->row_pitch_m = scen_f64(s, "topology.layout.row_pitch_m");
  l->overhead_m = scen_f64(s, "topology.layout.overhead_m");
  l->intra_cabinet_m = scen_f64(s, "topology.layout.intra_cabinet_m");
  l->electrical_reach_m = scen_f64(s, "topology.layout.electrical_reach_m");
  if (int_of(s, "topology.layout.cabinets_per_row", big, &l->cabinets_per_row, err, errlen) < 0) return -1;
  return 0;
}

int cli_cost_prices_from_scen(const scen *s, cost_prices *p, char *err, size_t errlen) {
  cost_prices_init(p);
  if (!scen_has(s, "cost")) return 1;
  p->switch_base_usd = scen_f64(s, "cost.switch_base_usd");
  p->switch_port_usd = scen_f64(s, "cost.switch_port_usd");
  p->cable_usd[TOPO_ELECTRICAL] = scen_f64(s, "cost.electrical_cable_usd");
  p->cable_usd_per_m[TOPO_ELECTRICAL] = scen_f64(s, "cost.electrical_cable_usd_per_m");
  p->cable_usd[TOPO_OPTICAL] = scen_f64(s, "cost.optical_cable_usd");
  p->cable_usd_per_m[TOPO_OPTICAL] = scen_f64(s, "cost.optical_cable_usd_per_m");
  p->nic_usd = scen_f64(s, "cost.nic_usd");
  p->price_endpoint_cables = scen_bool(s, "cost.price_endpoint_cables");
  return cost_prices_check(p, 0, err, errlen) < 0 ? -1 : 0;
}

static void param_int(res_run *out, const char *key, long long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", v);
  res_run_param(out, key, buf);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Components the graph must have: one, except an MPFT of bare endpoints, whose planes share no
 * node at all (with hosts, a host's GPUs join the planes through NVLink and PCIe), and the node
 * family, which has no scale-out fabric: one component per NVLink domain. */
static uint64_t expected_components(const topo_spec *sp, const topo_counts *c) {
  if (sp->family == TOPO_MPFT && sp->node.gpus == 0) return (uint64_t)(sp->planes > 0 ? sp->planes : 1);
  if (sp->family == TOPO_NODE && sp->node.nvlink_domain > 0)
    return (c->gpus + (uint64_t)sp->node.nvlink_domain - 1) / (uint64_t)sp->node.nvlink_domain;
  return 1;
}

static int topo_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)replicate;   /* deterministic: every replicate builds the same graph */
  topo_spec sp;
  if (cli_topo_spec_from_scen(s, &sp, err, errlen) < 0) return -1;
  cost_prices prices;
  int have_cost = cli_cost_prices_from_scen(s, &prices, err, errlen);
  if (have_cost < 0) return -1;

  topo_counts c;
  if (topo_count(&sp, &c, err, errlen) < 0) return -1;
  res_run_param(out, "derived.family", topo_family_name(sp.family));
  param_int(out, "derived.planes", sp.planes);
  param_int(out, "derived.switch_radix", c.switch_radix);
  param_int(out, "derived.max_ports_used", c.max_ports_used);
  if (c.max_ports_used > c.switch_radix && c.switches > 0) {
    snprintf(err, errlen, "%s: a switch needs %d ports but radix is %d", topo_family_name(sp.family),
             c.max_ports_used, c.switch_radix);
    return -1;
  }

  topo_cables cab;
  int buildable = !sp.formula_only;
  if (buildable) {
    topo_graph *g = NULL;
    double t0 = now_s();
    if (topo_build(&sp, &g, err, errlen) < 0) return -1;
    double build_s = now_s() - t0;
    topo_check chk;
    if (topo_check_graph(g, &chk) < 0) {
      topo_free(g);
      snprintf(err, errlen, "%s: out of memory checking the graph", topo_family_name(sp.family));
      return -1;
    }
    uint64_t want = expected_components(&sp, &c);
    int rc = 0;
    if (!chk.radix_ok) {
      uint32_t v = chk.worst_switch;
      snprintf(err, errlen, "%s: switch %u uses %u ports, more than its radix %u", topo_family_name(sp.family), v,
               topo_degree(g, v), (unsigned)g->radix[v]);
      rc = -1;
    } else if (chk.components != want) {
      snprintf(err, errlen, "%s: the graph has %u connected components, expected %llu", topo_family_name(sp.family),
               chk.components, (unsigned long long)want);
      rc = -1;
    }
    topo_cables_of(g, &cab);
    uint64_t sw = cab.n[COST_SWITCH_CABLES][TOPO_ELECTRICAL] + cab.n[COST_SWITCH_CABLES][TOPO_OPTICAL];
    uint64_t ep = cab.n[COST_ENDPOINT_CABLES][TOPO_ELECTRICAL] + cab.n[COST_ENDPOINT_CABLES][TOPO_OPTICAL];
    uint64_t nsw = 0;
    for (uint32_t v = 0; v < g->n_nodes; v++) nsw += g->kind[v] == TOPO_SWITCH;
    if (rc == 0 && (nsw != c.switches || g->n_endpoints != c.endpoints)) {
      snprintf(err, errlen, "%s: the graph has %llu switches and %u endpoints but the counts say %llu and %llu",
               topo_family_name(sp.family), (unsigned long long)nsw, g->n_endpoints,
               (unsigned long long)c.switches, (unsigned long long)c.endpoints);
      rc = -1;
    }
    if (rc == 0 && (sw != c.switch_links || ep != c.endpoint_links)) {
      snprintf(err, errlen,
               "%s: the graph has %llu switch and %llu endpoint cables but the counts say %llu and %llu",
               topo_family_name(sp.family), (unsigned long long)sw, (unsigned long long)ep,
               (unsigned long long)c.switch_links, (unsigned long long)c.endpoint_links);
      rc = -1;
    }
    if (rc == 0) {
      char wall[32];
      snprintf(wall, sizeof wall, "%.6f", build_s);
      res_run_param(out, "derived.build_wall_s", wall);
      res_run_metric(out, "memory_bytes", (double)topo_memory_bytes(g), "B");
      res_run_metric(out, "cabinets", (double)g->n_cabinets, "1");
      res_run_metric(out, "components", (double)chk.components, "1");
    }
    topo_free(g);
    if (rc < 0) return -1;
    res_run_param(out, "derived.cables_from", "graph");
  } else {
    if (topo_cables_formula(&sp, &cab, err, errlen) < 0) return -1;
    res_run_param(out, "derived.cables_from", "formula");
  }

  res_run_metric(out, "buildable", buildable ? 1.0 : 0.0, "1");
  res_run_metric(out, "endpoints", (double)c.endpoints, "1");
  res_run_metric(out, "switches", (double)c.switches, "1");
  res_run_metric(out, "switch_links", (double)c.switch_links, "1");
  res_run_metric(out, "endpoint_links", (double)c.endpoint_links, "1");
  res_run_metric(out, "planes", (double)c.planes, "1");
  if (c.hosts) {
    res_run_metric(out, "hosts", (double)c.hosts, "1");
    res_run_metric(out, "gpus", (double)c.gpus, "1");
    res_run_metric(out, "nics", (double)c.nics, "1");
  }
  const int S = COST_SWITCH_CABLES, E = COST_ENDPOINT_CABLES;
  res_run_metric(out, "electrical_cables", (double)cab.n[S][TOPO_ELECTRICAL], "1");
  res_run_metric(out, "optical_cables", (double)cab.n[S][TOPO_OPTICAL], "1");
  res_run_metric(out, "cable_m", cab.m[S][TOPO_ELECTRICAL] + cab.m[S][TOPO_OPTICAL], "m");
  res_run_metric(out, "electrical_cable_m", cab.m[S][TOPO_ELECTRICAL], "m");
  res_run_metric(out, "optical_cable_m", cab.m[S][TOPO_OPTICAL], "m");
  res_run_metric(out, "endpoint_optical_cables", (double)cab.n[E][TOPO_OPTICAL], "1");
  res_run_metric(out, "endpoint_cable_m", cab.m[E][TOPO_ELECTRICAL] + cab.m[E][TOPO_OPTICAL], "m");

  if (have_cost == 0) {
    cost_breakdown b;
    if (cost_network(&c, &cab, &prices, &b, err, errlen) < 0) return -1;
    res_run_metric(out, "cost_usd", b.total_usd, "USD");
    res_run_metric(out, "cost_musd", b.total_usd * 1e-6, "MUSD");
    res_run_metric(out, "cost_per_endpoint_kusd", b.per_endpoint_usd * 1e-3, "kUSD");
    res_run_metric(out, "switch_cost_usd", b.switches_usd, "USD");
    res_run_metric(out, "cable_cost_usd", b.cable_usd, "USD");
    res_run_metric(out, "electrical_cable_cost_usd",
                   b.cables_usd[S][TOPO_ELECTRICAL] + b.cables_usd[E][TOPO_ELECTRICAL], "USD");
    res_run_metric(out, "optical_cable_cost_usd", b.cables_usd[S][TOPO_OPTICAL] + b.cables_usd[E][TOPO_OPTICAL], "USD");
    res_run_metric(out, "nic_cost_usd", b.nics_usd, "USD");
    res_run_metric(out, "switch_ports", (double)b.switch_ports, "1");
  }
  return 0;
}

const cli_experiment cli_exp_topology = {
  "topology",
  "counts, structural check and cost of a cluster topology (FT2, FT3, MRFT, MPFT, Slim Fly, Dragonfly, node)",
  cli_topo_schema,
  topo_run,
  NULL,
};

static int key_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'; }

int cli_key_err_where(const scen_doc *doc, const char *msg, const char *prefix, scen_err *e) {
  memset(e, 0, sizeof *e);
  size_t n = 0;
  while (key_char(msg[n]) && n + 1 < 160) n++;
  int sep = n > 0 && ((msg[n] == ':' && msg[n + 1] == ' ') || (msg[n] == ' ' && msg[n + 1] == '=' && msg[n + 2] == ' '));
  if (!doc || !sep) {
    snprintf(e->msg, sizeof e->msg, "%s%s", prefix[0] ? "topology: " : "", msg);
    return -1;
  }
  char key[160], path[200];
  memcpy(key, msg, n);
  key[n] = 0;
  size_t pl = strlen(prefix);
  if (!pl || strncmp(key, prefix, pl) == 0 || strncmp(key, "cost.", 5) == 0) snprintf(path, sizeof path, "%s", key);
  else snprintf(path, sizeof path, "%s%s", prefix, key);
  scen_doc_where(doc, path, e);
  snprintf(e->path, sizeof e->path, "%s", path);
  snprintf(e->msg, sizeof e->msg, "%s", msg + n + (msg[n] == ':' ? 2 : 3));   /* after ": " or " = " */
  return 0;
}

int cli_topo_err_where(const scen_doc *doc, const char *msg, scen_err *e) {
  return cli_key_err_where(doc, msg, "topology.", e);
}

int cli_topo_check_points(const scen_doc *doc, scen *const *points, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!scen_has(points[i], "topology.family")) continue;
    char err[1024];
    topo_spec sp;
    topo_counts c;
    if (cli_topo_spec_from_scen(points[i], &sp, err, sizeof err) == 0 && topo_count(&sp, &c, err, sizeof err) == 0 &&
        (sp.formula_only || topo_check_size(&sp, &c, err, sizeof err) == 0))
      continue;
    scen_err e;
    if (cli_topo_err_where(doc, err, &e) < 0) snprintf(e.file, sizeof e.file, "%s", scen_path(points[i]));
    scen_err_print(&e, stderr);
    if (scen_point_label(points[i])[0]) fprintf(stderr, "  (sweep point %zu: %s)\n", i, scen_point_label(points[i]));
    return -1;
  }
  return 0;
}
