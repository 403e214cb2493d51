/* exp_coll.c: experiment `collective`: nccl-tests-style AllGather / ReduceScatter / AllReduce bus
 * bandwidth of groups of GPUs (TP groups) on a topology under a routing policy (paper Figure 8:
 * RoCE under ECMP, adaptive and static routing across TP sizes). models/coll.h runs the algorithm;
 * this file places the groups and measures.
 *
 * Placement (docs/collectives.md). Hosts are the graph's hosts (bare endpoints: one endpoint each).
 *   placement.gpus_per_host  g: GPUs of one group on one host. A group of `ranks` GPUs spans
 *                            ranks / g hosts. g = 1: one GPU per host, rail-aligned (GPU index i on
 *                            every host), so every ring hop crosses the scale-out network and runs at
 *                            most at the NIC's rate. g > 1: hops inside a host go over NVLink; channel
 *                            c rotates the host's GPUs by c, so channels leave through different NICs.
 *   placement.hosts          packed: a group's hosts are consecutive hosts (ring neighbours mostly
 *                            under one leaf); spread: hosts are taken round-robin over the leaves
 *                            (first host of every leaf, then the second, ...), so ring neighbours sit
 *                            under different leaves and every inter-host hop crosses the spines.
 *   placement.groups         groups running at once. Host sets are consecutive runs of ranks / g hosts
 *                            in the order above; each set holds (GPUs per host) / g groups, one per
 *                            block of g GPU indices (as TP groups tile a job). 0: as many as fit, i.e.
 *                            every GPU of the cluster (up to whole host sets) is in one group.
 * All groups start together; each runs `iterations` times back to back (an iteration of all groups
 * starts when the previous one has finished everywhere).
 *
 * Measures, per size S (series, x = S in bytes): busbw_GBps / algbw_GBps = the mean over groups and
 * iterations of what nccl-tests would print in each group; busbw_min_GBps = the slowest group
 * (what a training step that waits for every TP group sees); time_us = mean group time. The same
 * figures for the largest size are metrics, with line_GBps (the rate of a rank's NIC link: the
 * ceiling of busbw for g = 1) and messages (net messages of the whole run). GB = 1e9 bytes.
 * Deterministic in (scenario, seed, replicate): connection ids (ECMP's hash input) are drawn from
 * (seed, replicate, group), as QP numbers and source ports differ from run to run on real hardware.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coll.h"
#include "exp.h"
#include "exp_net.h"
#include "exp_topo.h"
#include "net.h"
#include "sim.h"
#include "topo.h"

#define END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}

static const char *const op_vals[] = {"allgather", "reducescatter", "allreduce", NULL};
static const char *const algo_vals[] = {"ring", NULL};
static const char *const hosts_vals[] = {"packed", "spread", NULL};

static const scen_key placement_keys[] = {
  {"gpus_per_host", SCEN_INT, "GPUs of one group on one host (1: one GPU per host, rail-aligned: every ring hop "
   "crosses the network)", "1", 0, SCEN_MIN | SCEN_MAX, 1, 4096, NULL, NULL, 0, NULL},
  {"hosts", SCEN_ENUM, "order of a group's hosts: packed (consecutive hosts) or spread (round-robin over the "
   "leaves: ring neighbours under different leaves)", "spread", 0, 0, 0, 0, hosts_vals, NULL, 0, NULL},
  {"groups", SCEN_INT, "groups running at once (0: as many as fit, every GPU in one group)", "0", 0, SCEN_MIN, 0, 0,
   NULL, NULL, 0, NULL},
  END,
};

static const scen_key coll_keys[] = {
  CLI_TOPOLOGY_KEY,
  CLI_NETWORK_KEY,
  {"op", SCEN_ENUM, "collective: allgather, reducescatter or allreduce", "allgather", 0, 0, 0, 0, op_vals, NULL, 0,
   NULL},
  {"algorithm", SCEN_ENUM, "how the collective becomes messages: ring (NCCL's ring)", "ring", 0, 0, 0, 0, algo_vals,
   NULL, 0, NULL},
  {"ranks", SCEN_INT, "GPUs per group (the TP size)", "8", 0, SCEN_MIN | SCEN_MAX, 2, 1 << 20, NULL, NULL, 0, NULL},
  {"sizes", SCEN_LIST, "message sizes S (nccl-tests: output bytes for allgather, input bytes for reducescatter and "
   "allreduce), one series point each", "[1MiB, 16MiB, 256MiB]", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, SCEN_BYTES,
   NULL},
  {"channels", SCEN_INT, "rings per group (NCCL channels), each with its own connection (ECMP flow) per hop", "2", 0,
   SCEN_MIN | SCEN_MAX, 1, 64, NULL, NULL, 0, NULL},
  {"slice", SCEN_BYTES, "pipelining: a channel's chunk of a step is cut into slices of this size (0: one message "
   "per channel per step)", "0B", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  {"window", SCEN_INT, "messages in flight per connection (1: FIFO, each pays its latency; more: their latencies "
   "overlap but they share the connection's rate, see models/coll.h)", "1", 0, SCEN_MIN | SCEN_MAX, 1,
   COLL_WINDOW_MAX, NULL, NULL, 0, NULL},
  {"reduce_bw", SCEN_BW, "rate at which a rank reduces received data (0: reductions free)", "0B/s", 0, SCEN_MIN, 0,
   0, NULL, NULL, 0, NULL},
  {"iterations", SCEN_INT, "runs per size, back to back; figures are their mean", "1", 0, SCEN_MIN | SCEN_MAX, 1,
   1000, NULL, NULL, 0, NULL},
  {"placement", SCEN_MAP, "where the groups sit: gpus_per_host, hosts (packed|spread), groups", "{}", 0, 0, 0, 0,
   NULL, placement_keys, 0, NULL},
  END,
};

static void param_u(res_run *out, const char *key, unsigned long long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", v);
  res_run_param(out, key, buf);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The groups' rings: rings[q] holds nrings x ranks endpoints for group q. */
typedef struct placement {
  uint32_t groups, hosts_per_group, nrings, ranks, hosts, gpus_per_host;
  uint32_t *rings;   /* groups x nrings x ranks */
} placement;

static int place(const scen *s, const topo_graph *g, uint32_t ranks, uint32_t channels, placement *pl, char *err,
                 size_t errlen) {
  memset(pl, 0, sizeof *pl);
  uint32_t gph = (uint32_t)scen_int(s, "placement.gpus_per_host");
  int spread = strcmp(scen_str(s, "placement.hosts"), "spread") == 0;
  int64_t want = scen_int(s, "placement.groups");

  /* Hosts: runs of endpoints with one host id (endpoints are numbered host by host). */
  uint32_t E = g->n_endpoints;
  uint32_t *first = malloc(sizeof *first * ((size_t)E + 1));
  uint32_t *order = malloc(sizeof *order * ((size_t)E + 1));
  uint32_t *leaf = malloc(sizeof *leaf * ((size_t)E + 1));
  if (!first || !order || !leaf) {
    free(first), free(order), free(leaf);
    snprintf(err, errlen, "collective: out of memory placing groups on %u endpoints", E);
    return -1;
  }
  uint32_t H = 0, per_host = UINT32_MAX;
  for (uint32_t e = 0; e < E; e++) {
    int32_t h = g->host[g->endpoint_node[e]];
    if (e == 0 || h < 0 || h != g->host[g->endpoint_node[e - 1]]) first[H++] = e;
  }
  first[H] = E;
  for (uint32_t h = 0; h < H; h++) {
    uint32_t c = first[h + 1] - first[h];
    if (c < per_host) per_host = c;
  }
  int rc = -1;
  if (H >= (1u << 20)) {
    snprintf(err, errlen, "collective: %u hosts: at most %u supported by the placement", H, (1u << 20) - 1);
    goto out;
  }
  if (gph > per_host) {
    snprintf(err, errlen, "placement.gpus_per_host = %u: more than the %u GPUs (endpoints) of a host", gph, per_host);
    goto out;
  }
  if (ranks % gph != 0) {
    snprintf(err, errlen, "ranks = %u: must be a multiple of placement.gpus_per_host (%u)", ranks, gph);
    goto out;
  }
  /* Host order: packed = host order; spread = round-robin over leaves in order of first appearance. */
  for (uint32_t h = 0; h < H; h++) leaf[h] = topo_endpoint_switch(g, first[h]);
  if (!spread) {
    for (uint32_t h = 0; h < H; h++) order[h] = h;
  } else {
    /* key of host h: (its rank among its leaf's hosts, its leaf's rank in order of first
     * appearance); sorting by key takes the first host of every leaf, then the second, ... */
    uint32_t *lidx = malloc(sizeof *lidx * g->n_nodes), *cnt = calloc((size_t)H + 1, sizeof *cnt);
    uint64_t *key = malloc(sizeof *key * ((size_t)H + 1));
    if (!lidx || !cnt || !key) {
      free(lidx), free(cnt), free(key);
      snprintf(err, errlen, "collective: out of memory placing groups");
      goto out;
    }
    for (uint32_t v = 0; v < g->n_nodes; v++) lidx[v] = UINT32_MAX;
    uint32_t L = 0, nofab = UINT32_MAX;
    for (uint32_t h = 0; h < H; h++) {
      uint32_t l = nofab;   /* no fabric switch (a `node` build): all such hosts count as one leaf */
      if (leaf[h] < g->n_nodes) {
        if (lidx[leaf[h]] == UINT32_MAX) lidx[leaf[h]] = L++;
        l = lidx[leaf[h]];
      } else if (nofab == UINT32_MAX) {
        l = nofab = L++;
      }
      key[h] = (uint64_t)cnt[l]++ << 40 | (uint64_t)l << 20 | h;   /* h, l < 2^20 (checked above) */
    }
    qsort(key, H, sizeof *key, cmp_u64);
    for (uint32_t h = 0; h < H; h++) order[h] = (uint32_t)(key[h] & 0xFFFFF);
    free(lidx), free(cnt), free(key);
  }
  uint32_t m = ranks / gph, sets = H / m, blocks = per_host / gph;
  uint64_t max_groups = (uint64_t)sets * blocks;
  if (max_groups == 0) {
    snprintf(err, errlen, "ranks = %u with placement.gpus_per_host = %u needs %u hosts; the topology has %u", ranks,
             gph, m, H);
    goto out;
  }
  if ((uint64_t)want > max_groups) {
    snprintf(err, errlen, "placement.groups = %lld: at most %llu fit (%u host sets of %u hosts x %u GPU blocks of %u)",
             (long long)want, (unsigned long long)max_groups, sets, m, blocks, gph);
    goto out;
  }
  pl->groups = want ? (uint32_t)want : (uint32_t)max_groups;
  pl->hosts_per_group = m;
  pl->ranks = ranks;
  pl->hosts = H;
  pl->gpus_per_host = per_host;
  pl->nrings = channels < gph ? channels : gph;
  pl->rings = malloc(sizeof *pl->rings * (size_t)pl->groups * pl->nrings * ranks);
  if (!pl->rings) {
    snprintf(err, errlen, "collective: out of memory for %u groups", pl->groups);
    goto out;
  }
  for (uint32_t q = 0; q < pl->groups; q++) {
    uint32_t set = q / blocks, block = q % blocks;
    for (uint32_t r = 0; r < pl->nrings; r++) {
      uint32_t *ring = pl->rings + ((size_t)q * pl->nrings + r) * ranks;
      for (uint32_t x = 0; x < m; x++)
        for (uint32_t j = 0; j < gph; j++)
          ring[x * gph + j] = first[order[set * m + x]] + block * gph + (j + r) % gph;
    }
  }
  rc = 0;
out:
  free(first), free(order), free(leaf);
  return rc;
}

static void on_group_done(coll_run *c, void *ctx, const coll_result *r) {
  (void)c;
  (void)r;
  (*(uint32_t *)ctx)++;
}

/* Bandwidth of a rank's NIC link: the node spec's NIC for builds with hosts, else the endpoint's
 * own fabric link. */
static double line_Bps(const topo_graph *g, uint32_t ep) {
  uint32_t v = g->endpoint_node[ep];
  if (g->spec.node.gpus > 0 && g->spec.node.nic.bw_Bps > 0) return g->spec.node.nic.bw_Bps;
  for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++) {
    uint32_t l = g->adj_arc[i] >> 1;
    if (g->cls[l] == TOPO_IB || g->cls[l] == TOPO_ETH) return g->bw_Bps[l];
  }
  return g->spec.fabric.bw_Bps;
}

static int coll_exp_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  coll_op op;
  coll_algo algo;
  if (coll_op_parse(scen_str(s, "op"), &op) < 0) {
    snprintf(err, errlen, "op: unknown '%s' (allowed: allgather reducescatter allreduce)", scen_str(s, "op"));
    return -1;
  }
  if (coll_algo_parse(scen_str(s, "algorithm"), &algo) < 0) {
    snprintf(err, errlen, "algorithm: unknown '%s' (allowed: ring)", scen_str(s, "algorithm"));
    return -1;
  }
  uint32_t ranks = (uint32_t)scen_int(s, "ranks"), channels = (uint32_t)scen_int(s, "channels");
  uint32_t iters = (uint32_t)scen_int(s, "iterations");
  size_t nsizes = scen_list_len(s, "sizes");
  if (nsizes == 0) {
    snprintf(err, errlen, "sizes: empty; give at least one message size, e.g. [1MiB, 256MiB]");
    return -1;
  }

  sim_engine_opts eo = {.seed = scen_seed(s), .replicate = replicate};
  sim_engine *e = sim_engine_new(&eo);
  topo_graph *g = NULL;
  net_model *n = NULL;
  placement pl = {0};
  coll_run **runs = NULL;
  double *tsum = NULL;
  int rc = -1;
  if (cli_net_build(s, e, &g, &n, err, errlen) < 0) goto out;
  if (ranks > g->n_endpoints) {
    snprintf(err, errlen, "ranks = %u: more than the topology's %u endpoints", ranks, g->n_endpoints);
    goto out;
  }
  if (place(s, g, ranks, channels, &pl, err, errlen) < 0) goto out;
  runs = calloc(pl.groups, sizeof *runs);
  tsum = calloc(pl.groups, sizeof *tsum);
  if (!runs || !tsum) {
    snprintf(err, errlen, "collective: out of memory for %u groups", pl.groups);
    goto out;
  }
  param_u(out, "derived.groups", pl.groups);
  param_u(out, "derived.hosts_per_group", pl.hosts_per_group);
  param_u(out, "derived.hosts", pl.hosts);
  param_u(out, "derived.rings_per_group", pl.nrings);

  double line = line_Bps(g, pl.rings[0]);
  double factor = coll_busbw_factor(op, ranks);
  size_t largest = 0;
  for (size_t i = 1; i < nsizes; i++)
    if (scen_list_f64(s, "sizes", i) > scen_list_f64(s, "sizes", largest)) largest = i;
  uint64_t msgs = 0;
  for (size_t si = 0; si < nsizes; si++) {
    double S = scen_list_f64(s, "sizes", si);
    for (uint32_t q = 0; q < pl.groups; q++) {
      coll_spec cs;
      coll_spec_init(&cs);
      cs.op = op;
      cs.algo = algo;
      cs.nranks = ranks;
      cs.channels = channels;
      cs.nrings = pl.nrings;
      cs.rings = pl.rings + (size_t)q * pl.nrings * ranks;
      cs.bytes = S;
      cs.slice_bytes = scen_bytes(s, "slice");
      cs.window = (uint32_t)scen_int(s, "window");
      cs.reduce_Bps = scen_bw_Bps(s, "reduce_bw");
      cs.flow_salt = sim_derive_seed(scen_seed(s), replicate, q + 1);
      runs[q] = coll_new(n, &cs, err, errlen);
      if (!runs[q]) goto out;
      tsum[q] = 0;
    }
    if (si == 0) param_u(out, "derived.slices", coll_slices(runs[0]));
    for (uint32_t it = 0; it < iters; it++) {
      uint32_t done = 0;
      for (uint32_t q = 0; q < pl.groups; q++)
        if (coll_start(runs[q], on_group_done, &done) < 0) {
          snprintf(err, errlen, "collective: group %u: %s", q, coll_error(runs[q]));
          goto out;
        }
      sim_run(e, SIM_TIME_MAX);
      for (uint32_t q = 0; q < pl.groups; q++) {
        coll_result r;
        if (coll_status(runs[q]) != 0 || coll_result_get(runs[q], &r) < 0 || coll_running(runs[q])) {
          snprintf(err, errlen, "collective: group %u did not complete (size %g B): %s", q, S,
                   coll_status(runs[q]) ? coll_error(runs[q]) : "no event left");
          goto out;
        }
        tsum[q] += (double)(r.t_end - r.t_start) * 1e-12;
        msgs += r.msgs;
      }
      if (done != pl.groups) {
        snprintf(err, errlen, "collective: %u of %u groups completed (size %g B)", done, pl.groups, S);
        goto out;
      }
    }
    double bus = 0, alg = 0, t_mean = 0, bus_min = INFINITY;
    for (uint32_t q = 0; q < pl.groups; q++) {
      double t = tsum[q] / iters;
      double a = t > 0 ? S / t : 0;
      alg += a;
      bus += a * factor;
      t_mean += t;
      if (a * factor < bus_min) bus_min = a * factor;
      coll_free(runs[q]);
      runs[q] = NULL;
    }
    bus /= pl.groups, alg /= pl.groups, t_mean /= pl.groups;
    res_run_series(out, "busbw_GBps", S, bus * 1e-9);
    res_run_series(out, "algbw_GBps", S, alg * 1e-9);
    res_run_series(out, "busbw_min_GBps", S, bus_min * 1e-9);
    res_run_series(out, "time_us", S, t_mean * 1e6);
    if (si == largest) {
      res_run_metric(out, "busbw_GBps", bus * 1e-9, "GB/s");
      res_run_metric(out, "algbw_GBps", alg * 1e-9, "GB/s");
      res_run_metric(out, "busbw_min_GBps", bus_min * 1e-9, "GB/s");
      res_run_metric(out, "time_us", t_mean * 1e6, "us");
      res_run_metric(out, "size_bytes", S, "B");
    }
  }
  res_run_metric(out, "line_GBps", line * 1e-9, "GB/s");
  res_run_metric(out, "groups", pl.groups, "1");
  res_run_metric(out, "messages", (double)msgs, "1");
  {
    net_stats st;
    net_get_stats(n, &st);
    res_run_metric(out, "solves", (double)st.solves, "1");
  }
  rc = 0;
out:
  if (runs)
    for (uint32_t q = 0; q < pl.groups; q++) coll_free(runs[q]);
  free(runs);
  free(tsum);
  free(pl.rings);
  net_free(n);
  topo_free(g);
  sim_engine_free(e);
  return rc;
}

const cli_experiment cli_exp_collective = {
  "collective",
  "nccl-tests-style ring AllGather/ReduceScatter/AllReduce bus bandwidth of concurrent GPU groups on a topology "
  "under a routing policy (paper Figure 8)",
  coll_keys,
  coll_exp_run,
  NULL,
};
