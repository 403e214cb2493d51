/* net.h: the flow-level network model of clustersim (DESIGN: network fidelity level 1).
 *
 * A message of S bytes from one endpoint to another becomes one flow (or, for adaptive spraying,
 * several subflows) along a route of arcs (topo.h: arc 2l is link l from a to b, 2l+1 from b to a).
 * Every arc has its link's bandwidth per direction; at every instant the arcs' bandwidth is shared
 * among the flows crossing them by weighted max-min fairness (progressive filling), level by level
 * in strict priority order (level 0 first; level p gets what levels < p leave). Rates change only
 * when a flow starts or ends. After such a change only the flows that can be affected are
 * re-solved: the connected component, in the bipartite graph of flows and the arcs they cross, of
 * the arcs whose flow set changed. All changes at one picosecond are solved together (one solve
 * event per instant, after the events already queued for it).
 *
 * Delivery time of a message sent at t0:
 *   t0 + transfer (bytes at the flow's max-min rate, integrated over the rate changes: this is the
 *        serialisation at the bottleneck) + latency(route), where
 *   latency = 2 x host_ps[path class]      software at each end (post, poll), by the route's class:
 *                                           the fabric's (IB/ETH) if it crosses the fabric, else
 *                                           NVLink if it crosses NVLink, else PCIe
 *           + sum over arcs   (link lat_ps: PHY, FEC  +  length_m x prop_ps_per_m[medium])
 *           + sum over the nodes the route passes through (not its two ends): node_ps[kind]
 *             (fabric switch traversal, NIC, NVSwitch, PCIe switch).
 * Switches are cut-through: a packet's serialisation is paid once, at the bottleneck, not per hop.
 *
 * Routing (topo_router, topo.h): STATIC follows the router's table (D-mod-k on fat-trees); ECMP
 * hashes the message's flow id (a connection: one QP / 5-tuple) at every switch, so concurrent
 * connections collide; ADAPTIVE takes the router's candidate minimal routes and puts the message
 * on the least loaded one at send time (load of a route = its most loaded arc, arc load = (active
 * flows + 1) / bandwidth, over the switch-to-switch arcs; ties: the summed load, then the flow id's
 * hash), or, with spray = k > 1, sprays it over the k least loaded: k subflows (weight 1/k each, so
 * the message weighs what one flow does) drawing from ONE byte pool, so bytes go wherever there is
 * capacity as sprayed packets do, and the message ends when the pool is empty (packet spraying at
 * flow level);
 * UGAL adds Valiant (non-minimal) candidates, each route's load weighted by its hop count.
 *
 * Invariant (checked after every solve in builds without NDEBUG, or when opts.check is set): on no
 * arc does the sum of the rates of its flows exceed its bandwidth (relative slack 1e-9).
 *
 * Lifetime: net_new() borrows the engine and the graph (free the model first). Messages are
 * pooled; the per-arc flow lists grow by doubling (amortised). Not thread-safe.
 * Errors: functions that can fail on input return 0 or a negative NET_E* code and write a message
 * into err[errlen] (net_new) or return the code (net_send: the only input errors are bad endpoints).
 */
#ifndef CLUSTERSIM_NET_H
#define CLUSTERSIM_NET_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "topo.h"

#define NET_EINVAL (-1)
#define NET_ENOROUTE (-2)

#define NET_PRIO_LEVELS 4   /* strict priority levels, 0 highest */

/* Fixed latencies (picoseconds). Link latencies (PHY, FEC) are in the graph (topo link lat_ps). */
typedef struct net_latency_spec {
  uint64_t host_ps[TOPO_CLASS_COUNT];       /* software per end per message, by path class */
  uint64_t node_ps[TOPO_KIND_COUNT];        /* traversal of a node the route passes through, by kind */
  double prop_ps_per_m[TOPO_MEDIUM_COUNT];  /* signal propagation per metre of cable, by medium */
} net_latency_spec;

/* Which model answers the calls below (same API, same callbacks). */
typedef enum net_model_kind {
  NET_MODEL_FLOW = 0,   /* "flow": the flow-level model above (default) */
  NET_MODEL_PACKET,     /* "packet": MTU packets, port queues, credits / PFC, ECN, DCQCN (net_pkt.c) */
  NET_MODEL_COUNT
} net_model_kind;
const char *net_model_kind_name(net_model_kind k);       /* "flow", "packet"; "?" out of range */
int net_model_kind_parse(const char *s, net_model_kind *out);   /* 0 or -1 */

/* DCQCN reaction point at the sending NIC, per QP (one QP per message): Zhu et al., SIGCOMM 2015
 * ("Congestion Control for Large-Scale RDMA Deployments"). On a CNP: target = current, current *=
 * (1 - alpha/2) (at most once per rate_reduce_period), alpha = (1-g) alpha + g; without CNPs alpha
 * decays by (1-g) per alpha_period. Rate increase events come from a timer (increase_period) and a
 * byte counter (increase_bytes): fast recovery (current = (target + current)/2) for the first
 * fast_recovery_steps, then additive (target += ai) and hyper (target += i x hai) increase. */
typedef struct net_dcqcn_spec {
  double g;                          /* alpha gain, (0, 1] */
  double alpha_init;                 /* alpha at the first CNP, (0, 1] */
  sim_time_ps alpha_period_ps;       /* K */
  sim_time_ps rate_reduce_period_ps; /* at most one rate cut per period */
  sim_time_ps increase_period_ps;    /* T */
  uint64_t increase_bytes;           /* B */
  int fast_recovery_steps;           /* F */
  double ai_Bps, hai_Bps;            /* additive and hyper increase steps of the target rate */
  double min_Bps;                    /* floor of the current rate */
  sim_time_ps cnp_interval_ps;       /* notification point: at most one CNP per QP per interval */
} net_dcqcn_spec;

/* Packet-level inputs (NET_MODEL_PACKET only; net_opts_init fills the defaults noted). Link-level
 * flow control by link class: IB, NVLink and PCIe links are credit-based per virtual lane (= the
 * message's priority level): a sender transmits only with credits for the receiver's input buffer,
 * lossless by construction; Ethernet links use PFC per priority (pfc = 1) or nothing (pfc = 0:
 * queues grow without bound, losses are not modelled, the overflow is counted). */
typedef struct net_pkt_spec {
  uint32_t mtu_bytes[TOPO_CLASS_COUNT];    /* payload per packet by the message's path class (4096) */
  uint64_t buffer_bytes[TOPO_CLASS_COUNT]; /* input buffer per port and VL / priority, by the class of
                                              the link feeding it (IB, ETH 256 KiB; NVLink, PCIe 64 KiB);
                                              0 is refused (zero credits) */
  uint8_t store_forward[TOPO_KIND_COUNT];  /* per node kind: 1 store-and-forward, 0 cut-through (0) */
  uint64_t window_bytes;                   /* per QP bytes in flight (acknowledged at delivery); 0: none */
  int pfc;                                 /* ETH: 1 PFC (default), 0 none */
  uint64_t pfc_xoff_bytes, pfc_xon_bytes;  /* ingress occupancy that sends PAUSE / RESUME (160/128 KiB);
                                              XON <= XOFF, and buffer - XOFF must hold the headroom
                                              2 x link delay x bandwidth + 2 MTU */
  int ecn;                                 /* ETH egress: RED-like marking (0 off) */
  uint64_t ecn_kmin_bytes, ecn_kmax_bytes; /* queue bytes: no marks below kmin, all above kmax */
  double ecn_pmax;                         /* mark probability at kmax */
  int dcqcn;                               /* 1: DCQCN at the NICs (needs ecn) */
  net_dcqcn_spec dcqcn_p;
} net_pkt_spec;

typedef struct net_opts {
  net_model_kind model;       /* default FLOW (0) */
  net_pkt_spec pkt;           /* PACKET only */
  topo_routing routing;       /* default STATIC (0) */
  net_latency_spec lat;
  int adaptive_paths;         /* ADAPTIVE/UGAL: candidate minimal routes considered (0: 16) */
  int spray;                  /* ADAPTIVE/UGAL: routes a message is sprayed over (pooled subflows; 0, 1: one) */
  int ugal_nonminimal;        /* UGAL: Valiant candidates (0: 4) */
  int rtt_fair;               /* 1: a flow's max-min weight is 1 / (its route latency), as TCP-like
                                 window-limited transports share (SimGrid's LV08 weighting); 0: equal */
  int check;                  /* 1: check the capacity invariant after every solve even with NDEBUG */
  uint64_t seed;              /* UGAL intermediates, hash salt */
  size_t router_cache_bytes;  /* topo_router cache (0: 64 MiB) */
} net_opts;

void net_opts_init(net_opts *o);   /* zeroes: FLOW, STATIC, no latencies, defaults above; packet defaults in pkt */

typedef struct net_model net_model;

/* What a completion callback sees. t_deliver - t_send = transfer + latency. */
typedef struct net_msg_info {
  uint64_t id;          /* the message's id (as net_send returned it) */
  uint32_t src, dst;    /* endpoints; UINT32_MAX for a net_send_route message */
  double bytes;
  uint8_t prio;
  sim_time_ps t_send, t_deliver, lat_ps;
} net_msg_info;

/* Called at delivery (an engine event at t_deliver). It may send more messages. */
typedef void (*net_done_fn)(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info);

typedef struct net_msg {
  uint32_t src, dst;    /* endpoints (ignored by net_send_route) */
  double bytes;         /* >= 0; 0: a latency-only message */
  uint8_t prio;         /* 0 .. NET_PRIO_LEVELS-1, 0 highest */
  double weight;        /* max-min weight (0: 1); multiplied by 1/latency when rtt_fair */
  uint64_t flow;        /* connection id for ECMP (0: one connection per (src, dst) pair) */
  net_done_fn done;     /* may be NULL */
  void *ctx;
  uint64_t tag;
} net_msg;

net_model *net_new(sim_engine *e, const topo_graph *g, const net_opts *o, char *err, size_t errlen);
void net_free(net_model *n);

/* Sends now (sim_now). *id (may be NULL) receives the message id. 0, NET_EINVAL (endpoint out of
 * range, src == dst with bytes > 0 is allowed only when they differ, prio out of range, bytes < 0),
 * or NET_ENOROUTE. */
int net_send(net_model *n, const net_msg *m, uint64_t *id);
/* Sends along an explicit route (e.g. host memory -> PCIe switch -> GPU, or a test's hand route).
 * The route must be a connected walk of arcs; n == 0 is refused. */
int net_send_route(net_model *n, const net_msg *m, const topo_route *r, uint64_t *id);

/* The route a message would take now from src to dst (the policy's choice; for ADAPTIVE the least
 * loaded candidate). 0 or NET_ENOROUTE/NET_EINVAL. */
int net_route(net_model *n, uint32_t src, uint32_t dst, uint64_t flow, topo_route *out);
/* Latency of a route (the formula above), picoseconds. */
sim_time_ps net_route_latency_ps(const net_model *n, const topo_route *r);
/* The route from a GPU's host memory to the GPU (host memory -> PCIe switch -> GPU, the GPU's own
 * PCIe switch); reversed with to_host. 0 or NET_ENOROUTE (no host memory in the graph). */
int net_host_route(const net_model *n, uint32_t gpu_ep, int to_host, topo_route *out);

/* Current rate (bytes/s) of an undelivered message: the sum over its subflows; 0 while it waits
 * for its first solve or after its bytes are through (latency phase); -1 if delivered or unknown.
 * Rates are current after sim_run returns (the solve of an instant runs within it). */
double net_msg_rate(const net_model *n, uint64_t id);
/* Sum of the current rates on arc a (bytes/s) and its bandwidth. */
double net_arc_load(const net_model *n, uint32_t arc);
double net_arc_bw(const net_model *n, uint32_t arc);
/* Bytes that have crossed arc a so far (integrated at every rate change; current as of the last
 * solve or completion touching a). */
double net_arc_bytes(const net_model *n, uint32_t arc);

typedef struct net_stats {
  uint64_t msgs_sent, msgs_delivered;
  uint64_t flows_started, flows_done;
  uint64_t solves;            /* solve passes (one per instant with changes) */
  uint64_t solve_flows;       /* flows visited by solves, summed (the cost of incrementality) */
  uint64_t solve_arcs;        /* arcs visited by solves, summed */
  uint64_t reschedules;       /* flows whose rate changed and whose end event moved */
  uint32_t active_flows, peak_active_flows;
  size_t bytes;               /* memory held by the model now (pools, lists, router cache excluded) */
  size_t peak_bytes;
} net_stats;
void net_get_stats(const net_model *n, net_stats *out);

/* Checks the capacity invariant on every arc now: 0, or -1 with the worst arc in err. */
int net_check_capacity(const net_model *n, char *err, size_t errlen);

/* ---- packet model only (NET_MODEL_PACKET) ---- */
typedef struct net_pkt_stats {
  uint64_t pkts_sent, pkts_delivered;   /* injected by NICs, received by endpoints */
  uint64_t transmissions;               /* packet transmissions over arcs (packet hops) */
  uint64_t events;                      /* engine events the model handled (packet events) */
  uint64_t ooo;                         /* packets that arrived after a later packet of their message */
  uint64_t ecn_marks, cnps;
  uint64_t pauses, resumes;             /* PFC frames sent */
  uint64_t credit_stalls;               /* a port with a packet to send and too few credits */
  uint64_t overflows;                   /* arrivals that took an input buffer past its size (no credits:
                                           PFC headroom too small or PFC off); 0 under credits */
  uint64_t max_occ_bytes;               /* worst input-buffer occupancy seen, any arc and VL */
  uint64_t max_queue_bytes;             /* worst output queue, any arc and priority */
  sim_time_ps pause_ps;                 /* time (arc, priority) pairs spent paused, summed */
  uint32_t active_pkts, peak_pkts;      /* packets in the network now / at most */
  size_t bytes;                         /* memory held by the packet model (pools, ports) */
} net_pkt_stats;
/* 0, or -1 for a flow model. */
int net_get_pkt_stats(const net_model *n, net_pkt_stats *out);

typedef struct net_pkt_arc {
  uint64_t queue_bytes, max_queue_bytes;   /* output queue of the arc's port, all priorities */
  uint64_t occ_bytes, max_occ_bytes;       /* input buffer at the arc's head node fed by it, all VLs */
  int64_t credits;                         /* credit links: bytes the sender may still send, VL 0 */
  uint64_t pkts, bytes;                    /* transmitted (counted at the start of each transmission) */
  uint32_t paused;                         /* PFC: bit p set while priority p is paused */
  uint64_t pauses;                         /* PAUSE frames received */
  sim_time_ps pause_ps;                    /* time paused, summed over priorities (closed intervals) */
} net_pkt_arc;
/* 0, or -1 for a flow model or an arc out of range. */
int net_get_pkt_arc(const net_model *n, uint32_t arc, net_pkt_arc *out);

sim_engine *net_engine(const net_model *n);
const topo_graph *net_graph(const net_model *n);

#endif
