/* og_bench.c: `clustersim bench graph`, the executor's speed on a synthetic graph (og.h).
 *
 * R ranks on one switch (links of 50 GB/s, no latency). Per rank and layer: two kernels on the
 * compute stream (1-16 us, from a hash of seed, rank and layer), and every `send_every` layers a
 * message of 64 KiB to the next rank on the communication stream after the first kernel, whose
 * receive (on the peer's communication stream) the peer's next layer waits for. Prints ops, edges,
 * simulated time, wall time of og_run (building excluded) and ops/s. */
#include "og.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int og_bench(FILE *out, uint64_t target_ops, uint32_t ranks, uint32_t send_every, uint64_t seed) {
  if (ranks < 2 || send_every < 1 || target_ops < 1000) {
    fprintf(stderr, "clustersim: bench graph: needs --ranks >= 2, --send-every >= 1, --ops >= 1000\n");
    return 2;
  }
  topo_graph *tg = topo_graph_new(ranks + 1, ranks);
  uint32_t sw = topo_add_node(tg, TOPO_SWITCH, 1, -1, -1, -1, -1, (int)ranks);
  topo_link_spec ls = {TOPO_IB, 50e9, 0};
  for (uint32_t r = 0; r < ranks; r++) {
    uint32_t v = topo_add_node(tg, TOPO_ENDPOINT, 0, -1, -1, -1, -1, 0);
    topo_add_link(tg, v, sw, &ls);
    topo_add_endpoint(tg, v);
  }
  char err[512];
  if (topo_finalize(tg, err, sizeof err) < 0) {
    fprintf(stderr, "clustersim: bench graph: %s\n", err);
    topo_free(tg);
    return 1;
  }
  sim_engine_opts eo = {0};
  eo.seed = seed;
  sim_engine *e = sim_engine_new(&eo);
  net_opts no;
  net_opts_init(&no);
  net_model *n = net_new(e, tg, &no, err, sizeof err);
  if (!n) {
    fprintf(stderr, "clustersim: bench graph: %s\n", err);
    sim_engine_free(e);
    topo_free(tg);
    return 1;
  }
  /* ops per layer and rank: 2 kernels, plus a send and a receive every send_every layers */
  double per_layer = 2.0 + 2.0 / send_every;
  uint64_t layers = (uint64_t)((double)target_ops / (per_layer * ranks)) + 1;
  double b0 = now_s();
  og_graph *g = og_new(ranks, 2, (size_t)((double)layers * ranks * per_layer) + 16);
  uint32_t *pending = calloc(ranks, sizeof *pending);   /* receive the rank's next layer waits for */
  for (uint32_t r = 0; r < ranks; r++) pending[r] = OG_NONE;
  for (uint64_t l = 0; l < layers; l++)
    for (uint32_t r = 0; r < ranks; r++) {
      uint64_t h = sim_splitmix64(seed ^ (l * ranks + r));
      uint32_t c1 = og_compute(g, r, 0, 0, (1 + (h & 15)) * SIM_PS_PER_US, 0);
      if (pending[r] != OG_NONE) {
        og_dep(g, pending[r], c1);
        pending[r] = OG_NONE;
      }
      og_compute(g, r, 0, 0, (1 + ((h >> 4) & 15)) * SIM_PS_PER_US, 0);
      if (l % send_every == 0) {
        uint32_t peer = (r + 1) % ranks;
        uint32_t s = og_send(g, r, 1, 0, r, peer, 65536.0, 0, 0);
        og_dep(g, c1, s);
        pending[peer] = og_recv(g, peer, 1, 0, s);
      }
    }
  free(pending);
  int rc = og_finalize(g, err, sizeof err);
  double build_s = now_s() - b0;
  og_stats st;
  og_exec_opts xo = {132, NULL, NULL};
  if (rc == 0) rc = og_run(g, n, e, &xo, &st, err, sizeof err);
  if (rc < 0) {
    fprintf(stderr, "clustersim: bench graph: %s\n", err);
  } else {
    fprintf(out,
            "bench graph: %u ranks, %llu ops (%llu compute, %llu send), %llu edges, %.1f MB (%.1f B/op)\n"
            "  build+finalize %.3f s; run: simulated %.3f ms, wall %.3f s, %llu engine events\n"
            "  %.2f M ops/s\n",
            ranks, (unsigned long long)st.ops, (unsigned long long)st.computes, (unsigned long long)st.sends,
            (unsigned long long)st.edges, (double)og_mem_bytes(g) / 1e6, (double)og_mem_bytes(g) / (double)st.ops,
            build_s, (double)(st.t_end - st.t_start) * 1e-9, st.wall_s, (unsigned long long)st.events,
            (double)st.ops / st.wall_s * 1e-6);
  }
  og_free(g);
  net_free(n);
  sim_engine_free(e);
  topo_free(tg);
  return rc < 0 ? 1 : 0;
}
