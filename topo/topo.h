/* topo.h: cluster topologies of clustersim: the graph, its builders, its physical layout, routes.
 *
 * The graph is struct-of-arrays with integer ids (STYLE 5). Nodes are devices: GPUs, NICs, fabric
 * switches, NVSwitches, PCIe switches, host memory, and the bare endpoints of a fabric-only build.
 * Links are cables: link l joins link_a[l] and link_b[l] and carries bw_Bps in EACH direction; the
 * network model sees it as two arcs, arc 2l (a -> b) and arc 2l+1 (b -> a). After topo_finalize()
 * the adjacency is CSR: the arcs leaving node v are adj_arc[adj_off[v] .. adj_off[v+1]).
 *
 * Endpoints are what traffic starts and ends at: the GPUs of a build with node internals, else the
 * bare endpoint nodes (one per switch port facing outwards: the paper's Table 3 "endpoints").
 * Endpoint e is node endpoint_node[e]; endpoints are numbered host by host, GPU by GPU.
 *
 * Memory (documented figure, checked by `clustersim topo describe`): per node 1+1+2+2+4+4+4 = 18 B
 * plus 4 B of CSR offset; per link 4+4+8+4+1+1+4 = 26 B plus 2 x 4 B of CSR arcs = 34 B.
 * A fabric-only build has about (1 + links per endpoint) links per endpoint, so about
 * 22 + 34 x 2.5 = 107 B per endpoint for a dragonfly (261,632 endpoints: about 28 MB).
 *
 * Lifetime: topo_build() returns a graph the caller frees with topo_free() (NULL is a no-op). The
 * arrays are read-only outside topo/. Routers (topo_router_new) borrow the graph: free them first.
 *
 * Errors: functions that can fail on input return 0 or a negative TOPO_E* code and write a message
 * naming the offending parameter, its value and what is allowed into err[errlen]. A TOPO_EINVAL
 * message starts with the parameter as a scenario names it under its `topology:` block, then ": "
 * (e.g. "slimfly.q: 6: ...", "dragonfly.g: 1: ...", "radix: 7: ..."), so that a caller holding
 * the scenario can put the key's file:line:column in front (topo_err_key()).
 *
 * Size: topo_build() estimates the graph's bytes from the counts before allocating anything
 * (topo_estimate_bytes) and refuses a spec above spec->max_graph_bytes with the estimate and the
 * limit in the message, so that `k: 768` says how large it is instead of running out of memory.
 */
#ifndef CLUSTERSIM_TOPO_H
#define CLUSTERSIM_TOPO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TOPO_EINVAL (-1)   /* parameters out of range or inconsistent */
#define TOPO_ENOMEM (-2)   /* allocation failed */
#define TOPO_ENOGRAPH (-3) /* formula_only build: counts and cost exist, the graph does not */
#define TOPO_ETOOBIG (-4)  /* the graph's estimated size is above spec->max_graph_bytes */

/* One rule for switch ports in every family: g->radix is uint16_t, so a switch (or router) has
 * 1 .. TOPO_MAX_RADIX ports; fat-trees also need an even radix >= 4 (half down, half up). */
#define TOPO_MAX_RADIX 65535
/* Default limit of topo_build()'s graph estimate: 2 GiB (a 65,536-endpoint FT3 needs ~6 MB; an FT3
 * of radix 512, ~4.4 GB). topo_spec_init() takes $CLUSTERSIM_MAX_GRAPH_BYTES instead when set
 * (a byte count, optionally with K/M/G/T: binary multiples), so every command can raise it. */
#define TOPO_MAX_GRAPH_BYTES_DEFAULT (2ull << 30)

/* ---- node and link classes ---- */
typedef enum topo_kind {
  TOPO_ENDPOINT = 0, /* bare fabric endpoint (no node internals) */
  TOPO_GPU,
  TOPO_NIC,
  TOPO_SWITCH,       /* fabric switch (IB or Ethernet) */
  TOPO_NVSWITCH,     /* a node's NVLink switch complex (one node per host/rack domain) */
  TOPO_PCIE_SWITCH,
  TOPO_HOSTMEM,      /* CPU memory of a host, behind its PCIe switches */
  TOPO_KIND_COUNT
} topo_kind;

typedef enum topo_class { TOPO_NVLINK = 0, TOPO_PCIE, TOPO_IB, TOPO_ETH, TOPO_CLASS_COUNT } topo_class;
typedef enum topo_medium { TOPO_ELECTRICAL = 0, TOPO_OPTICAL, TOPO_MEDIUM_COUNT } topo_medium;

const char *topo_kind_name(topo_kind k);
const char *topo_class_name(topo_class c);
const char *topo_medium_name(topo_medium m);
int topo_class_parse(const char *s, topo_class *out);   /* "nvlink" "pcie" "ib" "eth"; 0 or -1 */

/* ---- families ---- */
typedef enum topo_family {
  TOPO_FT2 = 0,   /* two-layer fat-tree (leaf/spine) from radix k; k^2/2 endpoints when full */
  TOPO_FT3,       /* k-ary three-layer fat-tree: k^3/4 endpoints, 5k^2/4 switches */
  TOPO_MRFT,      /* multi-rail: NIC i of every host on rail i's leaves; one fabric, shared spines */
  TOPO_MPFT,      /* multi-plane: P independent FT2 planes; GPU/NIC i of each host in plane i mod P */
  TOPO_SLIMFLY,   /* MMS graph for prime power q (or formula_only counts for any q) */
  TOPO_DRAGONFLY, /* canonical dragonfly: p endpoints/router, a routers/group, h global/router, g groups */
  TOPO_NODE,      /* one scale-up domain only (a host or an NVL72 rack), no scale-out fabric */
  TOPO_FAMILY_COUNT
} topo_family;

const char *topo_family_name(topo_family f);
int topo_family_parse(const char *s, topo_family *out);   /* "ft2" "ft3" "mrft" "mpft" "slimfly" "dragonfly" "node" */

/* Global-link arrangements of a dragonfly (Hastings et al., Cluster'15 names). */
typedef enum topo_df_arrangement {
  TOPO_DF_ABSOLUTE = 0, /* group i's global ports in order go to groups 0..g-1 skipping i */
  TOPO_DF_RELATIVE,     /* port j of group i goes to group (i + j + 1) mod g */
  TOPO_DF_CIRCULANT,    /* slot 2s to group offset +(s+1), slot 2s+1 to -(s+1) (g/2 last when g even): see topo_df.c */
  TOPO_DF_ARR_COUNT
} topo_df_arrangement;
const char *topo_df_arrangement_name(topo_df_arrangement a);
int topo_df_arrangement_parse(const char *s, topo_df_arrangement *out);

/* A link class as the builders use it: per-direction bandwidth and the fixed latency of the
 * link (serialisation excluded; propagation comes from the layout's length). */
typedef struct topo_link_spec {
  topo_class cls;
  double bw_Bps;     /* per direction, bytes/s */
  uint64_t lat_ps;   /* port-to-port latency of the link itself (PHY/FEC), excluding cable length */
} topo_link_spec;

/* Host (scale-up) internals. gpus == 0: bare endpoints attach straight to the fabric. */
typedef struct topo_node_spec {
  int gpus;                 /* GPUs per host; also NICs per host (one scale-out NIC per GPU) */
  int gpus_per_pcie_switch; /* GPUs (each with its NIC) sharing one PCIe switch; >= 1 */
  int storage_nics;         /* extra NICs on the PCIe switches (storage plane; not attached to the fabric) */
  topo_link_spec nvlink;    /* GPU <-> NVSwitch, per GPU per direction (usable bandwidth) */
  topo_link_spec pcie;      /* GPU/NIC <-> PCIe switch, PCIe switch <-> host memory */
  double hostmem_bw_Bps;    /* host memory side of each PCIe switch uplink (0: same as pcie.bw_Bps) */
  topo_link_spec nic;       /* NIC <-> fabric leaf (the scale-out port) */
  int nvlink_domain;        /* GPUs per NVLink domain: == gpus for a host, 72 for an NVL72 rack */
} topo_node_spec;

/* Where cables go and how long they are (physical layout). Builders put every switch (and each
 * endpoint or host) in a cabinet; topo_layout_apply() places cabinets on a floor grid, row-major
 * in cabinet-id order, and gives each link its medium and length:
 *   same cabinet: electrical, intra_cabinet_m;
 *   else: Manhattan distance (dx * cabinet_pitch_m + dy * row_pitch_m) + overhead_m, electrical up
 *   to electrical_reach_m, optical beyond. */
typedef struct topo_layout_spec {
  double cabinet_pitch_m;     /* centre-to-centre distance of neighbouring cabinets in a row */
  double row_pitch_m;         /* centre-to-centre distance of neighbouring rows */
  double overhead_m;          /* vertical runs and slack added to every inter-cabinet cable */
  double intra_cabinet_m;     /* length of a cable inside a cabinet */
  double electrical_reach_m;  /* longest electrical (copper) cable at the link rate */
  int cabinets_per_row;       /* 0: ceil(sqrt(number of cabinets)) */
} topo_layout_spec;

typedef struct topo_spec {
  topo_family family;
  int radix;          /* switch ports (FT2, FT3, MRFT, MPFT; and the port count bought for SF/DF) */
  int endpoints;      /* FT2/MRFT/MPFT partial build: endpoints (GPUs) to connect; 0 = full */
  int spines;         /* FT2/MRFT/MPFT spines per plane; 0: radix/2 for a full build, the fewest that take
                         every leaf uplink (parallel cables) for a partial one */
  int planes;         /* MPFT: planes P (>= 1); MRFT: rails (0 = node.gpus) */
  int sf_q;           /* Slim Fly: q = 4w + d, d in {-1, 0, 1}; prime power unless formula_only */
  int sf_p;           /* Slim Fly concentration (endpoints per router); 0 = floor(network radix / 2) */
  int formula_only;   /* Slim Fly: counts (and cost) from formulas; no graph. Required for non prime-power q */
  int df_p, df_a, df_h, df_g;   /* dragonfly: endpoints/router, routers/group, global links/router, groups */
  topo_df_arrangement df_arrangement;
  topo_link_spec fabric;        /* switch <-> switch and switch <-> bare-endpoint links */
  topo_node_spec node;          /* host internals (gpus == 0: none) */
  topo_layout_spec layout;
  int endpoints_per_cabinet;    /* bare endpoints / hosts' GPUs per cabinet for fat-tree leaves (0: one leaf's worth) */
  int switches_per_cabinet;     /* switch-only cabinets (spines, cores): switches per cabinet (>= 1) */
  uint64_t max_graph_bytes;     /* topo_build() refuses specs estimated above this (0: the default) */
} topo_spec;

/* Fills a spec with defaults (no family-specific sizes); max_graph_bytes from
 * $CLUSTERSIM_MAX_GRAPH_BYTES or TOPO_MAX_GRAPH_BYTES_DEFAULT. */
void topo_spec_init(topo_spec *s);
/* The limit in force for a spec (max_graph_bytes, or the default when 0). */
uint64_t topo_graph_limit(const topo_spec *s);
/* Parses a byte count "123", "8G", "512MiB" (K/M/G/T, binary); 0 or -1. */
int topo_parse_bytes(const char *text, uint64_t *out);

/* Counts a build has or would have (also for formula_only). switch_links: switch <-> switch
 * cables (the paper's Table 3 "links"); endpoint_links: fabric cables to endpoints or NICs. */
typedef struct topo_counts {
  uint64_t endpoints, switches, switch_links, endpoint_links;
  uint64_t hosts, gpus, nics, nvswitches, pcie_switches, internal_links;
  int planes;
  int switch_radix;         /* ports per switch as bought */
  int max_ports_used;       /* most ports used on any switch */
} topo_counts;

/* Fabric cables by medium and total length: [0] switch <-> switch, [1] switch <-> endpoint/NIC.
 * Only scale-out links (classes IB and ETH) count; NVLink and PCIe inside a host do not. */
typedef struct topo_cables {
  uint64_t n[2][TOPO_MEDIUM_COUNT];
  double m[2][TOPO_MEDIUM_COUNT];   /* metres, summed */
} topo_cables;

/* ---- the graph ---- */
typedef struct topo_graph {
  topo_spec spec;
  topo_counts counts;

  uint32_t n_nodes, cap_nodes;
  uint8_t *kind;       /* topo_kind */
  uint8_t *tier;       /* fabric switches: 1 leaf/edge/router, 2 spine/aggregation, 3 core; 0 others */
  int16_t *plane;      /* plane or rail of a fabric switch / NIC / endpoint; -1 none */
  uint16_t *radix;     /* ports of a switch (as bought); 0 for other nodes */
  int32_t *host;       /* host id of GPUs, NICs, NVSwitch, PCIe switches, host memory; -1 fabric */
  int32_t *group;      /* pod (FT3), group (DF), subgroup (SF: 2*x + s), leaf id (FT2); -1 none */
  int32_t *cabinet;    /* physical cabinet (layout); -1 unplaced */

  uint32_t n_links, cap_links;
  uint32_t *link_a, *link_b;
  double *bw_Bps;      /* per direction */
  uint32_t *lat_ps;    /* fixed latency of the link (PHY), propagation excluded */
  uint8_t *cls;        /* topo_class */
  uint8_t *medium;     /* topo_medium (from the layout) */
  float *length_m;     /* from the layout; 0 before topo_layout_apply */

  uint32_t *adj_off;   /* n_nodes + 1 */
  uint32_t *adj_arc;   /* 2 * n_links */

  uint32_t n_endpoints;
  uint32_t *endpoint_node;
  uint32_t n_cabinets;
} topo_graph;

static inline uint32_t topo_arc_from(const topo_graph *g, uint32_t arc) {
  return (arc & 1u) ? g->link_b[arc >> 1] : g->link_a[arc >> 1];
}
static inline uint32_t topo_arc_to(const topo_graph *g, uint32_t arc) {
  return (arc & 1u) ? g->link_a[arc >> 1] : g->link_b[arc >> 1];
}

/* Builds the graph of a spec (dispatching to the family's builder), applies the layout and
 * finalizes. formula_only specs return TOPO_ENOGRAPH after filling *counts_out (may be NULL). */
int topo_build(const topo_spec *spec, topo_graph **out, char *err, size_t errlen);
/* Counts of a spec without building it (every family; the only route for formula_only). */
int topo_count(const topo_spec *spec, topo_counts *out, char *err, size_t errlen);
/* Bytes topo_build() would hold at its peak for these counts: the graph's arrays (topo_memory_bytes'
 * figures) plus the CSR fill counters of topo_finalize(). An upper estimate, not a measurement. */
uint64_t topo_estimate_bytes(const topo_counts *c);
/* The size check topo_build() makes before allocating: 0, or TOPO_ETOOBIG with the estimate, the
 * limit and how to raise it (message starting with the key that sizes the family: radix, endpoints,
 * slimfly.q, dragonfly.g). */
int topo_check_size(const topo_spec *spec, const topo_counts *c, char *err, size_t errlen);
/* The scenario key an EINVAL/ETOOBIG message starts with (see Errors above): copies "slimfly.q"
 * of "slimfly.q: 6: ..." into key; 0, or -1 when the message names no key. */
int topo_err_key(const char *msg, char *key, size_t keylen);
void topo_free(topo_graph *g);
/* Cables of a built graph (after its layout), and the same figures from a family's layout rule
 * without a graph (formula_only Slim Fly; other families build and measure). */
void topo_cables_of(const topo_graph *g, topo_cables *out);
int topo_cables_formula(const topo_spec *spec, topo_cables *out, char *err, size_t errlen);

/* Low-level construction (used by builders and tests). Node/link ids are returned. */
topo_graph *topo_graph_new(uint32_t nodes_hint, uint32_t links_hint);
uint32_t topo_add_node(topo_graph *g, topo_kind kind, int tier, int plane, int host, int group, int cabinet,
                       int radix);
uint32_t topo_add_link(topo_graph *g, uint32_t a, uint32_t b, const topo_link_spec *ls);
uint32_t topo_add_endpoint(topo_graph *g, uint32_t node);   /* registers node as the next endpoint */
/* Builds the CSR adjacency; call once after the last add. */
int topo_finalize(topo_graph *g, char *err, size_t errlen);
/* Gives links their medium and length from cabinets (see topo_layout_spec). */
void topo_layout_apply(topo_graph *g, const topo_layout_spec *ls);

static inline uint32_t topo_degree(const topo_graph *g, uint32_t v) { return g->adj_off[v + 1] - g->adj_off[v]; }

/* Bytes the graph holds (arrays at their used sizes), for the describe report and the bench. */
size_t topo_memory_bytes(const topo_graph *g);

/* ---- structural checks (tests and `topo describe`) ---- */
typedef struct topo_check {
  int radix_ok;              /* no switch uses more ports than its radix */
  int connected;             /* one component over all nodes */
  uint32_t worst_switch;     /* a switch over its radix, or UINT32_MAX */
  uint32_t components;
} topo_check;
int topo_check_graph(const topo_graph *g, topo_check *out);

/* BFS over fabric switches only (NVSwitch/PCIe excluded): hop distances (in switch-to-switch
 * links) from switch `src` to every node id, UINT8_MAX where unreachable or not a switch.
 * dist must hold n_nodes bytes; queue n_nodes uint32. Returns the eccentricity of src. */
int topo_bfs_switches(const topo_graph *g, uint32_t src, uint8_t *dist, uint32_t *queue);

/* Fabric switch(es) an endpoint attaches to: the leaf/router of a bare endpoint, the leaf of each
 * NIC of a GPU (one per plane a GPU can reach through its own NIC; its own NIC first). */
uint32_t topo_endpoint_switch(const topo_graph *g, uint32_t ep);

/* ---- routing ---- */
#define TOPO_ROUTE_MAX 32
typedef struct topo_route {
  uint32_t n;                      /* arcs */
  uint32_t arc[TOPO_ROUTE_MAX];    /* source to destination */
} topo_route;

typedef enum topo_routing {
  TOPO_ROUTING_STATIC = 0, /* D-mod-k on fat-trees; a fixed minimal path on SF/DF */
  TOPO_ROUTING_ECMP,       /* hash(flow id, switch) over the equal-cost next hops at each switch */
  TOPO_ROUTING_ADAPTIVE,   /* the candidate minimal paths; the network model picks by load */
  TOPO_ROUTING_UGAL,       /* minimal + non-minimal (Valiant via a random intermediate router) candidates */
  TOPO_ROUTING_COUNT
} topo_routing;
const char *topo_routing_name(topo_routing r);
int topo_routing_parse(const char *s, topo_routing *out);

/* A router answers route queries on one graph. It caches per-destination-switch BFS distances
 * (bounded memory: the cache is dropped and refilled when full). Not thread-safe. */
typedef struct topo_router topo_router;
topo_router *topo_router_new(const topo_graph *g, size_t cache_bytes /* 0: 64 MiB */);
void topo_router_free(topo_router *r);

/* Switch-level hops between two endpoints' fabric switches on a minimal route (0: same switch). */
int topo_switch_hops(topo_router *r, uint32_t src_ep, uint32_t dst_ep);
/* Number of distinct minimal routes between two endpoints (a double: it can be large). */
double topo_minimal_path_count(topo_router *r, uint32_t src_ep, uint32_t dst_ep);

/* One route. STATIC ignores flow; ECMP hashes flow at every switch with a choice. 0 or <0. */
int topo_route_one(topo_router *r, topo_routing how, uint32_t src_ep, uint32_t dst_ep, uint64_t flow,
                   topo_route *out);
/* Up to max candidates for ADAPTIVE (minimal, distinct: all of them when there are at most max, else
 * drawn from seed over every branching: topo_route.c) or UGAL
 * (those minimal ones, then n_nonminimal Valiant routes through intermediates drawn from seed).
 * Deterministic in (graph, endpoints, max, n_nonminimal, seed). Returns how many. */
size_t topo_route_candidates(topo_router *r, topo_routing how, uint32_t src_ep, uint32_t dst_ep, size_t max,
                             size_t n_nonminimal, uint64_t seed, topo_route *out);

/* ---- summary for `topo describe` ---- */
typedef struct topo_summary {
  topo_counts counts;
  uint64_t links_by_class[TOPO_CLASS_COUNT];
  uint64_t links_by_medium[TOPO_MEDIUM_COUNT];
  double cable_m_by_medium[TOPO_MEDIUM_COUNT];
  int diameter;              /* switch hops between endpoints' switches, worst case */
  int diameter_exact;        /* 1: every source switch searched; 0: sampled (a lower bound) */
  double avg_hops;           /* mean switch hops over endpoint pairs (sampled where large) */
  double path_diversity;     /* mean minimal routes per endpoint pair on different switches (sampled) */
  double bisection_Bps;      /* see topo_describe(): per direction */
  const char *bisection_method;
  size_t memory_bytes;
  double build_s;
} topo_summary;
int topo_summarize(const topo_graph *g, uint64_t seed, topo_summary *out, char *err, size_t errlen);

#endif
