/* exp_net.h: the `network:` scenario block and the bridge from a scenario to a network model
 * (models/net.h), shared by the network experiments (latency, collective, pcie contention) and
 * `clustersim bench net`.
 *
 * Schema:
 *   network:                   (map, optional: every key has a default)
 *     routing                  static | ecmp | adaptive | ugal   (default static)
 *     adaptive_paths           candidate minimal routes for adaptive/ugal (default 16)
 *     spray                    adaptive/ugal: subflows per message over the least loaded routes (default 1)
 *     ugal_nonminimal          Valiant candidates for ugal (default 4)
 *     rtt_fair                 max-min weight 1/latency per flow (TCP-like) instead of equal (default false)
 *     check                    check the capacity invariant after every solve (default false; always on
 *                              in builds without NDEBUG)
 * The latencies come from the `topology:` block's presets (exp_topo.h): fabric.{switch,nic,host}_latency,
 * node.nvlink.{switch,host}_latency, node.pcie.{switch,host}_latency, layout.{electrical,optical}_ns_per_m,
 * and each link's own `latency`.
 */
#ifndef CLUSTERSIM_EXP_NET_H
#define CLUSTERSIM_EXP_NET_H

#include <stddef.h>

#include "net.h"
#include "scen.h"
#include "topo.h"

extern const scen_key cli_network_keys[];   /* children of `network:` */

/* Schema entries an experiment lists in its key table (exp_topo.h's topology block and network:). */
#define CLI_TOPOLOGY_KEY                                                                                        \
  {"topology", SCEN_PRESET, "the topology: a preset in scenarios/topologies/ or a map", NULL, 1, 0, 0, 0, NULL,  \
   cli_topology_keys, 0, "topologies"}
#define CLI_NETWORK_KEY                                                                                         \
  {"network", SCEN_MAP, "network model options: routing, adaptive_paths, spray, ugal_nonminimal, rtt_fair, "     \
   "check", "{}", 0, 0, 0, 0, NULL, cli_network_keys, 0, NULL}

/* Fills *o from `network:` and the topology's latency keys. 0 or -1 (message in err). */
int cli_net_opts_from_scen(const scen *s, net_opts *o, char *err, size_t errlen);

/* Builds the scenario's topology (it must have a graph: not formula_only) and a network model on e.
 * On success the caller owns *g and *n: net_free(*n) first, then topo_free(*g). 0 or -1. */
int cli_net_build(const scen *s, sim_engine *e, topo_graph **g, net_model **n, char *err, size_t errlen);

/* Endpoint pairs by relation, for microbenchmarks: the first pair (in endpoint order, from endpoint
 * 0 where possible) whose route (under the model's routing) has the relation. Relations:
 *   "same_host"   two GPUs of one host (NVLink or PCIe inside the host)
 *   "same_leaf"   different hosts under one fabric switch (the route passes 1 switch)
 *   "cross_leaf"  the route passes 3 switches (leaf - spine - leaf)
 *   "cross_pod"   the route passes 5 switches (FT3: edge - aggregation - core - aggregation - edge)
 * Fabric relations pick GPUs in one plane/rail (their own NICs reach each other). 0, or -1 when the
 * graph has no such pair (message in err). */
int cli_net_pair(net_model *n, const char *relation, uint32_t *src, uint32_t *dst, char *err, size_t errlen);

/* The GPUs an experiment takes part with, from its `gpus` key: the first N endpoints in order (0: all).
 * *eps is malloc'ed (caller frees). 0, or -1 with a message naming the key and the allowed range. */
int cli_net_gpus(const scen *s, const topo_graph *g, uint32_t **eps, uint32_t *count, char *err, size_t errlen);

/* The same count at load time, from the topology's counts (no graph): 0 with *count, -1 with the `gpus`
 * message, 1 when the topology itself is bad (the topology check says so; err holds its message). */
int cli_net_gpus_at_load(const scen *s, uint32_t *count, char *err, size_t errlen);

#endif
