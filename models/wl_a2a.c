/* wl_a2a.c: all-to-all workload (wl_a2a.h), an op graph run on the one executor (og.h). */
#include "wl_a2a.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og.h"
#include "wl_hosts.h"

og_graph *wl_alltoall_graph(const uint32_t *eps, uint32_t count, double bytes) {
  char err[256];
  if (count < 2 || !(bytes > 0) || og_check_size("all-to-all", (uint64_t)count * count, 0, err, sizeof err) < 0)
    return NULL;
  og_graph *g = og_new(count, 1, (size_t)count * count + 16);
  wl_alltoall_append(g, NULL, eps, count, bytes, NULL, NULL, og_cat(g, "alltoall"));
  return g;
}

uint64_t wl_alltoall_append(og_graph *g, const uint32_t *ranks, const uint32_t *eps, uint32_t count, double bytes,
                            const uint32_t *begin, const uint32_t *end, uint8_t cat) {
  /* posted in rounds of peers (i -> i + k), as NCCL orders its peers, so that no destination is
   * posted to by every source before the others get any; stream-less: one grouped kernel */
  for (uint32_t k = 1; k < count; k++)
    for (uint32_t i = 0; i < count; i++) {
      uint32_t j = (i + k) % count;
      uint32_t id = og_send(g, ranks ? ranks[i] : i, OG_NOSTREAM, cat, eps[i], eps[j], bytes, 0, 0);
      if (begin && begin[i] != OG_NONE) og_dep(g, begin[i], id);
      if (begin && begin[j] != OG_NONE) og_dep(g, begin[j], id);
      if (end && end[i] != OG_NONE) og_dep(g, id, end[i]);
      if (end && end[j] != OG_NONE) og_dep(g, id, end[j]);
    }
  return count >= 2 ? (uint64_t)count * (count - 1) : 0;
}

int wl_alltoall(net_model *n, const uint32_t *eps, uint32_t count, double bytes, wl_a2a_result *out) {
  memset(out, 0, sizeof *out);
  og_graph *g = wl_alltoall_graph(eps, count, bytes);
  if (!g) return NET_EINVAL;
  char err[256];
  int rc = og_finalize(g, err, sizeof err);
  og_stats st;
  if (rc == 0) rc = og_run(g, n, net_engine(n), NULL, &st, err, sizeof err);
  if (rc < 0) {
    og_free(g);
    return NET_EINVAL;
  }
  sim_time_ps first = SIM_TIME_MAX;
  for (uint32_t i = 0; i < og_nops(g); i++)
    if (og_end_ps(g, i) < first) first = og_end_ps(g, i);
  out->messages = st.sends;
  out->wall_s = st.wall_s;
  out->t_done_ps = st.t_end - st.t_start;
  out->t_first_ps = first - st.t_start;
  out->algbw_Bps = out->t_done_ps ? bytes * (double)(count - 1) / ((double)out->t_done_ps * 1e-12) : 0;
  og_free(g);
  return 0;
}

/* ---- nccl-tests all-to-all with PXN (wl_a2a.h) ---- */

/* One relayed message: chunks over leg 1 (from -> via), each forwarded over leg 2 (via -> to) when
 * it has arrived; at most `window` chunks in flight per leg (NCCL's buffer slots). */
static void relay(og_graph *g, uint8_t cat1, uint8_t cat2, uint32_t r_from, uint32_t r_via, uint32_t from,
                  uint32_t via, uint32_t to, double bytes, double chunk, uint32_t window) {
  uint32_t nch = (uint32_t)(bytes / chunk);
  if ((double)nch * chunk < bytes) nch++;
  if (nch == 0) nch = 1;
  uint32_t base1 = og_nops(g);
  for (uint32_t j = 0; j < nch; j++) {
    double b = j + 1 < nch ? chunk : bytes - chunk * (double)(nch - 1);
    uint32_t s1 = og_send(g, r_from, OG_NOSTREAM, cat1, from, via, b, 0, 0);
    uint32_t s2 = og_send(g, r_via, OG_NOSTREAM, cat2, via, to, b, 0, 0);
    og_dep(g, s1, s2);
    if (j >= window) {
      og_dep(g, base1 + 2 * (j - window), s1);       /* slot of leg 1 free */
      og_dep(g, base1 + 2 * (j - window) + 1, s2);   /* slot of leg 2 free */
    }
  }
}

og_graph *wl_nccl_a2a_graph(const wl_nccl_a2a_spec *sp, wl_nccl_a2a_counts *cnt, char *err, size_t errlen) {
  const topo_graph *tg = sp->g;
  uint32_t n = sp->count;
  if (n < 2 || !(sp->bytes > 0) || !(sp->chunk_bytes > 0) || sp->window < 1) {
    snprintf(err, errlen, "nccl all-to-all: needs 2 or more GPUs, bytes > 0, chunk > 0 and window >= 1");
    return NULL;
  }
  wl_hosts hm;
  if (wl_hosts_build(tg, &hm) < 0) {
    wl_hosts_free(&hm);
    snprintf(err, errlen, "nccl all-to-all: out of memory");
    return NULL;
  }
  /* rank of each endpoint taking part */
  uint32_t *rank = malloc((size_t)tg->n_endpoints * sizeof *rank);
  if (!rank) {
    wl_hosts_free(&hm);
    snprintf(err, errlen, "nccl all-to-all: out of memory");
    return NULL;
  }
  for (uint32_t e = 0; e < tg->n_endpoints; e++) rank[e] = OG_NONE;
  for (uint32_t i = 0; i < n; i++) rank[sp->eps[i]] = i;
  /* at most two legs per chunk of every pair (relayed), three edges per op */
  uint64_t chunks = (uint64_t)ceil(sp->bytes / n / sp->chunk_bytes);
  uint64_t est = (uint64_t)n * n * 2 * (chunks ? chunks : 1);
  if (og_check_size("nccl all-to-all", est, 3 * est, err, errlen) < 0) {
    free(rank);
    wl_hosts_free(&hm);
    return NULL;
  }
  og_graph *g = og_new(n, 1, (size_t)n * n + 16);
  for (uint32_t i = 0; i < n; i++) {
    int32_t ho = tg->host[tg->endpoint_node[sp->eps[i]]];
    og_place(g, i, ho >= 0 ? (uint32_t)ho : i, hm.local[sp->eps[i]]);
  }
  uint8_t c_direct = og_cat(g, "a2a.direct"), c_nv = og_cat(g, "a2a.pxn.nvlink"), c_net = og_cat(g, "a2a.pxn.net");
  uint8_t c_rnet = og_cat(g, "a2a.relay.net"), c_rnv = og_cat(g, "a2a.relay.nvlink");
  double per = sp->bytes / n;   /* nccl-tests: S / n to every rank (its own share is a local copy) */
  wl_nccl_a2a_counts c = {0};
  const int mpft = tg->spec.family == TOPO_MPFT;
  for (uint32_t k = 1; k < n && g; k++)
    for (uint32_t i = 0; i < n; i++) {
      uint32_t a = sp->eps[i], b = sp->eps[(i + k) % n];
      uint32_t na = tg->endpoint_node[a], nb = tg->endpoint_node[b];
      int32_t ha = tg->host[na], hb = tg->host[nb];
      int same_host = ha >= 0 && ha == hb;
      int other_rail = !same_host && hm.local[a] != hm.local[b];
      if (same_host || !other_rail || ha < 0 || hb < 0) {
        og_send(g, i, OG_NOSTREAM, c_direct, a, b, per, 0, 0);
        c.direct++;
        continue;
      }
      if (sp->pxn) {
        /* PXN: NVLink to the sender host's GPU on the destination's rail/plane, out of its NIC */
        uint32_t via = wl_hosts_gpu(&hm, ha, hm.local[b]);
        if (via == OG_NONE || rank[via] == OG_NONE) {
          snprintf(err, errlen, "nccl all-to-all: PXN needs GPU %u of host %d (the proxy for endpoint %u) to take part",
                   hm.local[b], ha, b);
          og_free(g);
          g = NULL;
          break;
        }
        relay(g, c_nv, c_net, i, rank[via], a, via, b, per, sp->chunk_bytes, sp->window);
        c.pxn++;
      } else if (mpft && tg->plane[na] != tg->plane[nb]) {
        /* no PXN and no path across planes: out of the sender's NIC to the destination host's GPU
         * on the sender's plane, then NVLink there (relayed at the receiver) */
        uint32_t via = wl_hosts_gpu(&hm, hb, hm.local[a]);
        if (via == OG_NONE || rank[via] == OG_NONE) {
          snprintf(err, errlen, "nccl all-to-all: the relay for endpoint %u needs GPU %u of host %d to take part", b,
                   hm.local[a], hb);
          og_free(g);
          g = NULL;
          break;
        }
        relay(g, c_rnet, c_rnv, i, rank[via], a, via, b, per, sp->chunk_bytes, sp->window);
        c.relay++;
      } else {
        og_send(g, i, OG_NOSTREAM, c_direct, a, b, per, 0, 0);   /* MRFT: up to the spines and across rails */
        c.direct++;
      }
    }
  free(rank);
  wl_hosts_free(&hm);
  if (cnt) *cnt = c;
  return g;
}
