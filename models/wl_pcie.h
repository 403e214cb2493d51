/* wl_pcie.h: PCIe contention workload, prefix wl_pcie_ (paper section 4.5; docs/pcie.md): KV-cache
 * loads from host memory against rounds of an expert-parallel (EP) all-to-all on each GPU's PCIe link,
 * as an op graph on the executor (og.h). Used by experiment `pcie_contention`.
 *
 * Mechanism. In a host (topo_node.c) a GPU hangs off a PCIe switch together with its NIC; the switch
 * has an uplink to host memory. EP traffic received over the fabric crosses NIC -> PCIe switch -> GPU;
 * a KV-cache load crosses host memory -> PCIe switch -> GPU (og_send_host). Both share the arc PCIe
 * switch -> GPU, and the flow model (net.h) splits it by weighted max-min fairness, level by level in
 * strict priority order. Nothing here knows about PCIe: contention and its removal by priority come
 * out of the network model.
 *
 * The graph, all deterministic in (seed, replicate):
 *   EP: warmup + rounds rounds. Round k is a NOP on rank 0 (its start); every GPU's ep.peers
 *       stream-less sends of ep_bytes depend on it: to the GPU of the same local index on `peers`
 *       distinct other hosts (its own rail/plane, as DeepEP's IB stage), the host offsets drawn per
 *       round from stream 1 of the seed and shared by all GPUs (so every GPU also receives from
 *       exactly `peers` GPUs). Round k+1 starts when round k's messages are delivered and a timer of
 *       `period` started with round k has run out (the later of the two; period 0: back to back).
 *   KV: every loading GPU (local index < kv_gpus_per_host, 0: all) gets transfers of kv_bytes from
 *       its host memory at the offered rate kv_load_Bps: a chain of background timers (gaps
 *       exponential with mean kv_bytes / load, or periodic with a random phase; own random stream 2 +
 *       endpoint per GPU) marks the arrivals; transfer i starts at its arrival or when transfer
 *       i - kv_streams has been delivered, whichever is later (a copy engine's FIFO with kv_streams in
 *       flight: a GPU's transfers share one route and one weight, so they finish in the order they
 *       start). KV messages have max-min weight kv_weight (EP: 1) and are background ops: the run ends
 *       when the last round is delivered. Arrivals are generated up to a horizon; a run that outlasts
 *       the horizon is run again with twice the horizon (on a fresh engine and network from
 *       `mknet`), so the result does not depend on the guess.
 *   Priority: ep_first 0: EP and KV at level 0; 1: EP at 0, KV at 1 (strict).
 *
 * Results: the latency (delivery - send) of every EP message of the measured rounds, in (round, src,
 * peer) order, with whether its receiver loads KV; the measured window (from the start of the first
 * measured round to the last delivery, at least rounds x period); KV bytes delivered per loading GPU in
 * the window (read off the host-memory uplinks, which carry nothing but KV, at the first measured
 * round's start and at the end: transfers in flight count by what they have delivered); transfers
 * queued or in flight per loading GPU at the end. Costs: O(GPUs x peers x rounds + KV arrivals) ops.
 * Lifetime: wl_pcie_run fills a wl_pcie_result the caller frees with wl_pcie_result_free. */
#ifndef CLUSTERSIM_WL_PCIE_H
#define CLUSTERSIM_WL_PCIE_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "sim.h"
#include "topo.h"

#define WL_PCIE_MAX_MESSAGES 50000000.0   /* measured EP messages (8 bytes + 1 each) */

typedef struct wl_pcie_spec {
  double ep_bytes;
  uint32_t peers, rounds, warmup;   /* rounds: measured; warmup before them */
  sim_time_ps period;
  double kv_load_Bps, kv_bytes, kv_weight;
  int kv_poisson;                   /* 1: exponential gaps; 0: periodic with a random phase */
  uint32_t kv_streams, kv_gpus_per_host;
  int ep_first;
  uint64_t seed;
  uint32_t replicate;
  sim_time_ps horizon_ps;           /* first horizon of KV arrivals (0: a guess from the rounds); the
                                       results do not depend on it, only the number of attempts */
} wl_pcie_spec;

/* Makes the engine and network model of one attempt (the caller's: from its scenario); *g is the
 * network's graph. 0 or -1 with a message in err. */
typedef int (*wl_pcie_mknet)(void *ctx, sim_engine **e, topo_graph **g, net_model **n, char *err, size_t errlen);

typedef struct wl_pcie_result {
  uint32_t gpus, hosts, nkv;        /* nkv: GPUs that load KV */
  double *lat_us;                   /* nlat measured EP messages, (round, src, peer) order */
  uint8_t *to_kv;                   /* 1: the message's receiver loads KV */
  size_t nlat;
  double alone_us;                  /* an EP message without contention: peers messages sharing the
                                       route's narrowest link, plus the route's fixed latency */
  double window_s;                  /* measured window, at least rounds x period */
  double ep_tput_GBps;              /* EP bytes sent per GPU per second of the window */
  double kv_tput_GBps;              /* KV bytes delivered per loading GPU per second (from the first
                                       measured round to the end) */
  double kv_backlog;                /* KV transfers queued or in flight per loading GPU at the end */
  sim_time_ps t_end;
  uint64_t net_solves, events, ops;
  uint32_t attempts;                /* runs made (horizon doublings + 1) */
} wl_pcie_result;

/* Checks the spec against a topology of `gpus` endpoints, G per host (hosts >= 2, peers <= hosts - 1,
 * kv_gpus_per_host <= G, measured messages <= WL_PCIE_MAX_MESSAGES). 0 or -1 with a message naming
 * the scenario key (ep.peers, kv.gpus_per_host, ep.rounds). */
int wl_pcie_check(const wl_pcie_spec *sp, uint32_t gpus, uint32_t gpus_per_host, char *err, size_t errlen);

/* Runs the workload on networks from mknet (each attempt frees its own). 0 or -1 with a message. */
int wl_pcie_run(const wl_pcie_spec *sp, wl_pcie_mknet mknet, void *ctx, wl_pcie_result *out, char *err,
                size_t errlen);
void wl_pcie_result_free(wl_pcie_result *r);

#endif
