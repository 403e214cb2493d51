/* wl_ep.c: expert-parallel dispatch and combine (wl_ep.h). */
#include "wl_ep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wl_hosts.h"

int wl_ep_check(const wl_ep_spec *s, char *err, size_t errlen) {
  if (s->ranks < 2) return snprintf(err, errlen, "gpus: %u; allowed: 2 or more GPUs", s->ranks), -1;
  if (s->tokens < 1) return snprintf(err, errlen, "tokens: 0; allowed: 1 or more tokens per GPU"), -1;
  if (s->hidden < 1) return snprintf(err, errlen, "hidden: 0; allowed: 1 or more"), -1;
  if (s->experts < 1 || s->experts > 65535)
    return snprintf(err, errlen, "experts: %u; allowed: 1 .. 65535", s->experts), -1;
  if (s->experts % s->ranks)
    return snprintf(err, errlen, "experts: %u routed experts are not divisible among %u GPUs; allowed: a multiple of %u",
                    s->experts, s->ranks, s->ranks), -1;
  if (s->experts_per_token < 1 || s->experts_per_token > s->experts)
    return snprintf(err, errlen, "experts_per_token: %u; allowed: 1 .. experts (%u)", s->experts_per_token, s->experts),
           -1;
  if (s->groups < 1 || s->experts % s->groups)
    return snprintf(err, errlen, "groups: %u; allowed: a divisor of experts (%u)", s->groups, s->experts), -1;
  if (s->node_limit > s->groups)
    return snprintf(err, errlen, "node_limit: %u is larger than the %u expert groups (one per node); allowed: 0 (none) .. %u",
                    s->node_limit, s->groups, s->groups), -1;
  if (s->node_limit && (uint64_t)s->node_limit * (s->experts / s->groups) < s->experts_per_token)
    return snprintf(err, errlen, "node_limit: %u groups of %u experts hold fewer than experts_per_token (%u)",
                    s->node_limit, s->experts / s->groups, s->experts_per_token), -1;
  if (!(s->skew >= 0)) return snprintf(err, errlen, "skew: %g; allowed: >= 0", s->skew), -1;
  if (!(s->chunk_bytes > 0) || s->window < 1)
    return snprintf(err, errlen, "chunk, window: allowed chunk > 0 and window >= 1"), -1;
  if (s->scale_block < 1) return snprintf(err, errlen, "scale_block: 0; allowed: >= 1"), -1;
  return 0;
}

double wl_ep_token_bytes(const wl_ep_spec *s, int combine) {
  if (combine) return (double)s->hidden * s->combine_elem_bytes;
  double scales = ceil((double)s->hidden / s->scale_block) * s->scale_bytes;
  return (double)s->hidden * s->dispatch_elem_bytes + scales;
}

void wl_ep_route(const wl_ep_spec *s, gsl_rng *rng, uint16_t *routing) {
  uint32_t E = s->experts, k = s->experts_per_token, per_g = E / s->groups;
  double *w = malloc(E * sizeof *w), *cw = malloc(E * sizeof *cw);
  uint32_t *cand = malloc(E * sizeof *cand), *gsel = malloc(s->groups * sizeof *gsel);
  for (uint32_t e = 0; e < E; e++) w[e] = s->skew > 0 ? pow((double)e + 1.0, -s->skew) : 1.0;
  uint64_t ntok = (uint64_t)s->ranks * s->tokens;
  for (uint64_t t = 0; t < ntok; t++) {
    uint32_t nc = 0;
    if (s->node_limit) {
      for (uint32_t i = 0; i < s->groups; i++) gsel[i] = i;
      for (uint32_t i = 0; i < s->node_limit; i++) {   /* partial Fisher-Yates */
        uint32_t j = i + (uint32_t)gsl_rng_uniform_int(rng, s->groups - i);
        uint32_t x = gsel[i];
        gsel[i] = gsel[j];
        gsel[j] = x;
        for (uint32_t e = gsel[i] * per_g; e < (gsel[i] + 1) * per_g; e++) cand[nc++] = e;
      }
    } else {
      for (uint32_t e = 0; e < E; e++) cand[nc++] = e;
    }
    for (uint32_t j = 0; j < k; j++) {   /* k distinct by weight, without replacement */
      double tot = 0;
      for (uint32_t i = 0; i < nc; i++) cw[i] = (tot += w[cand[i]]);
      double u = gsl_rng_uniform(rng) * tot;
      uint32_t i = 0;
      while (i + 1 < nc && cw[i] <= u) i++;
      routing[t * k + j] = (uint16_t)cand[i];
      cand[i] = cand[--nc];
    }
  }
  free(w);
  free(cw);
  free(cand);
  free(gsel);
}

int wl_ep_routing_parse(const wl_ep_spec *s, const char *name, const char *text, size_t len, uint16_t *routing,
                        char *err, size_t errlen) {
  uint64_t want = (uint64_t)s->ranks * s->tokens, tok = 0;
  uint32_t k = s->experts_per_token;
  size_t line = 0, pos = 0;
  while (pos < len) {
    size_t eol = pos;
    while (eol < len && text[eol] != '\n') eol++;
    line++;
    size_t p = pos, end = eol;
    if (end > p && text[end - 1] == '\r') end--;
    while (p < end && (text[p] == ' ' || text[p] == '\t')) p++;
    if (p == end || text[p] == '#') {
      pos = eol + 1;
      continue;
    }
    if (tok >= want) {
      snprintf(err, errlen, "%s:%zu:1: more token lines than the scenario has tokens; allowed: exactly ranks x tokens "
               "= %u x %u = %llu lines", name, line, s->ranks, s->tokens, (unsigned long long)want);
      return -1;
    }
    uint16_t *rt = routing + tok * k;
    uint32_t j = 0;
    while (p < end) {
      if (text[p] == ' ' || text[p] == '\t' || text[p] == ',') {
        p++;
        continue;
      }
      size_t col = p - pos + 1;
      if (text[p] < '0' || text[p] > '9') {
        snprintf(err, errlen, "%s:%zu:%zu: '%c' is not an expert id; allowed: whole numbers 0 .. %u separated by "
                 "spaces or commas", name, line, col, text[p], s->experts - 1);
        return -1;
      }
      uint64_t v = 0;
      while (p < end && text[p] >= '0' && text[p] <= '9') {
        if (v < 1000000) v = v * 10 + (uint64_t)(text[p] - '0');
        p++;
      }
      if (v >= s->experts) {
        snprintf(err, errlen, "%s:%zu:%zu: expert id %llu out of range; allowed: 0 .. %u (experts: %u)", name, line, col,
                 (unsigned long long)v, s->experts - 1, s->experts);
        return -1;
      }
      if (j == k) {
        snprintf(err, errlen, "%s:%zu:%zu: more than experts_per_token = %u expert ids on the line", name, line, col, k);
        return -1;
      }
      for (uint32_t q = 0; q < j; q++)
        if (rt[q] == v) {
          snprintf(err, errlen, "%s:%zu:%zu: expert %llu twice for one token; allowed: %u distinct experts", name, line,
                   col, (unsigned long long)v, k);
          return -1;
        }
      rt[j++] = (uint16_t)v;
    }
    if (j < k) {
      snprintf(err, errlen, "%s:%zu:1: %u expert ids; allowed: exactly experts_per_token = %u", name, line, j, k);
      return -1;
    }
    tok++;
    pos = eol + 1;
  }
  if (tok != want) {
    snprintf(err, errlen, "%s: %llu token lines; allowed: exactly ranks x tokens = %u x %u = %llu (one line per token)",
             name, (unsigned long long)tok, s->ranks, s->tokens, (unsigned long long)want);
    return -1;
  }
  return 0;
}

int wl_ep_routing_read(const wl_ep_spec *s, const char *path, uint16_t *routing, char *err, size_t errlen) {
  struct stat st;
  if (stat(path, &st) != 0) return snprintf(err, errlen, "%s: cannot open the routing file: %s", path, strerror(errno)), -1;
  if (!S_ISREG(st.st_mode)) return snprintf(err, errlen, "%s: not a regular file; allowed: a routing file", path), -1;
  if (st.st_size > (off_t)1 << 30)
    return snprintf(err, errlen, "%s: %lld bytes; allowed: routing files up to 1 GiB", path, (long long)st.st_size), -1;
  FILE *f = fopen(path, "rb");
  if (!f) return snprintf(err, errlen, "%s: cannot open the routing file: %s", path, strerror(errno)), -1;
  size_t n = (size_t)st.st_size;
  char *buf = malloc(n ? n : 1);
  size_t got = buf ? fread(buf, 1, n, f) : 0;
  fclose(f);
  if (!buf || got != n) {
    free(buf);
    return snprintf(err, errlen, "%s: cannot read the routing file", path), -1;
  }
  int rc = wl_ep_routing_parse(s, path, buf, n, routing, err, errlen);
  free(buf);
  return rc;
}

void wl_ep_counts_free(wl_ep_counts *c) {
  free(c->rank_rdma);
  free(c->rank_nvl);
  free(c->expert_tokens);
  c->rank_rdma = c->rank_nvl = NULL;
  c->expert_tokens = NULL;
}

/* Chunked transfer of `bytes` src -> via, each chunk forwarded to the nf targets (share fb[i] of
 * the bytes each); dispatch. Combine (rev): the targets send their shares to via first, chunk j of
 * the reduced copy goes via -> src when every target's chunk j has arrived. */
static void pipe_fan(og_graph *g, uint8_t c_net, uint8_t c_nv, uint32_t r_src, uint32_t r_via, uint32_t src,
                     uint32_t via, double bytes, const uint32_t *f_rank, const uint32_t *f_ep, const double *fb,
                     uint32_t nf, double chunk, uint32_t window, int rev, uint32_t *hist) {
  uint32_t nch = (uint32_t)ceil(bytes / chunk);
  if (nch < 1) nch = 1;
  /* hist: per chunk j mod window, the ops of chunk j (net op and the nf nvlink ops) for the slots */
  for (uint32_t j = 0; j < nch; j++) {
    double frac = (j + 1 < nch ? chunk : bytes - chunk * (double)(nch - 1)) / bytes;
    uint32_t *slot = hist + (size_t)(j % window) * (nf + 1);
    if (!rev) {
      uint32_t net = og_send(g, r_src, OG_NOSTREAM, c_net, src, via, bytes * frac, 0, 0);
      if (j >= window) og_dep(g, slot[0], net);
      slot[0] = net;
      for (uint32_t i = 0; i < nf; i++) {
        uint32_t nv = og_send(g, r_via, OG_NOSTREAM, c_nv, via, f_ep[i], fb[i] * frac, 0, 0);
        og_dep(g, net, nv);
        if (j >= window) og_dep(g, slot[1 + i], nv);
        slot[1 + i] = nv;
      }
    } else {
      uint32_t net = og_send(g, r_via, OG_NOSTREAM, c_net, via, src, bytes * frac, 0, 0);
      for (uint32_t i = 0; i < nf; i++) {
        uint32_t nv = og_send(g, f_rank[i], OG_NOSTREAM, c_nv, f_ep[i], via, fb[i] * frac, 0, 0);
        og_dep(g, nv, net);
        if (j >= window) og_dep(g, slot[1 + i], nv);
        slot[1 + i] = nv;
      }
      if (j >= window) og_dep(g, slot[0], net);
      slot[0] = net;
    }
  }
}

/* Graph rank of EP rank i. */
static uint32_t grank(const wl_ep_place *pl, uint32_t i) { return pl && pl->rank ? pl->rank[i] : i; }

/* Builds the phase into g (standalone: a new graph with the EP ranks placed on their hosts). */
static int ep_build(og_graph **gp, const wl_ep_spec *s, const uint16_t *routing, int combine, const wl_ep_place *pl,
                    wl_ep_counts *cnt, char *err, size_t errlen) {
  if (wl_ep_check(s, err, errlen) < 0) return -1;
  const topo_graph *tg = s->g;
  uint32_t R = s->ranks, k = s->experts_per_token, per_rank = s->experts / R;
  wl_hosts hm;
  if (wl_hosts_build(tg, &hm) < 0) {
    wl_hosts_free(&hm);
    snprintf(err, errlen, "ep: out of memory");
    return -1;
  }
  uint32_t *rank_of = malloc(tg->n_endpoints * sizeof *rank_of);
  int32_t *node = malloc(R * sizeof *node);
  uint32_t nnodes = hm.nhosts;
  for (uint32_t e = 0; e < tg->n_endpoints; e++) rank_of[e] = UINT32_MAX;
  for (uint32_t i = 0; i < R; i++) {
    rank_of[s->eps[i]] = i;
    node[i] = tg->host[tg->endpoint_node[s->eps[i]]];
  }
  /* tokens per (src rank, dst rank): dedup per rank (normal) or per expert (low latency) */
  double *pair = calloc((size_t)R * R, sizeof *pair);
  /* tokens per (src rank, dst node) crossing the network (normal) */
  double *pnode = calloc((size_t)R * nnodes, sizeof *pnode);
  uint8_t *seen_r = calloc(R, 1), *seen_n = calloc(nnodes ? nnodes : 1, 1);
  uint64_t *etok = calloc(s->experts, sizeof *etok);
  double nodes_sum = 0, remote_sum = 0;
  for (uint32_t r = 0; r < R; r++)
    for (uint32_t t = 0; t < s->tokens; t++) {
      const uint16_t *rt = routing + ((size_t)r * s->tokens + t) * k;
      uint32_t nn = 0, nremote = 0;
      for (uint32_t j = 0; j < k; j++) {
        uint32_t d = rt[j] / per_rank;
        etok[rt[j]]++;
        if (s->low_latency) {
          if (d != r) pair[(size_t)r * R + d] += 1;
        } else if (!seen_r[d]) {
          seen_r[d] = 1;
          if (d != r) pair[(size_t)r * R + d] += 1;
        }
        int32_t nd = node[d];
        if (nd >= 0 && !seen_n[nd]) {
          seen_n[nd] = 1;
          nn++;
          if (nd != node[r]) {
            nremote++;
            pnode[(size_t)r * nnodes + (uint32_t)nd] += 1;
          }
        }
      }
      for (uint32_t j = 0; j < k; j++) {
        seen_r[rt[j] / per_rank] = 0;
        int32_t nd = node[rt[j] / per_rank];
        if (nd >= 0) seen_n[nd] = 0;
      }
      nodes_sum += nn;
      remote_sum += nremote;
    }
  double tb = wl_ep_token_bytes(s, combine);
  int rc = -1;
  og_graph *g = *gp;
  uint64_t have = g ? og_nops(g) : 0;
  if (!g) {
    g = og_new(R, 1, (size_t)R * 64);
    for (uint32_t i = 0; i < R; i++) og_place(g, i, node[i] >= 0 ? (uint32_t)node[i] : i, hm.local[s->eps[i]]);
  }
  uint32_t first = og_nops(g);
  const char *ph = combine ? "combine" : "dispatch";
  char nm[64];
  snprintf(nm, sizeof nm, "%s.rdma", ph);
  uint8_t c_net = og_cat(g, nm);
  snprintf(nm, sizeof nm, "%s.nvlink", ph);
  uint8_t c_nv = og_cat(g, nm);
  double *rank_rdma = calloc(R, sizeof *rank_rdma), *rank_nvl = calloc(R, sizeof *rank_nvl);
  double rdma = 0, nvl = 0;
  uint32_t *f_rank = malloc(R * sizeof *f_rank), *f_ep = malloc(R * sizeof *f_ep);
  double *fb = malloc(R * sizeof *fb);
  uint32_t *hist = malloc((size_t)s->window * (R + 1) * sizeof *hist);
  /* the ops this phase adds (messages; chunked relays in normal mode), checked against the limit */
  uint64_t nops = 0;
  uint64_t *ndst = calloc(nnodes ? nnodes : 1, sizeof *ndst);   /* per node: destinations of r there */
  if (!ndst) {
    snprintf(err, errlen, "ep: out of memory for %u nodes", nnodes);
    goto out;
  }
  for (uint32_t r = 0; r < R; r++) {
    memset(ndst, 0, nnodes * sizeof *ndst);
    for (uint32_t d = 0; d < R; d++) {
      if (pair[(size_t)r * R + d] <= 0) continue;
      if (s->low_latency || node[d] == node[r]) nops++;
      if (node[d] >= 0) ndst[node[d]]++;
    }
    if (s->low_latency) continue;
    for (uint32_t nd = 0; nd < nnodes; nd++) {
      double b = pnode[(size_t)r * nnodes + nd] * tb;
      if (b > 0) nops += (uint64_t)ceil(b / s->chunk_bytes) * (1 + ndst[nd]);
    }
  }
  free(ndst);
  nops += R;
  if (og_check_size(combine ? "ep combine" : "ep dispatch", have + nops, 2 * have + 4 * nops, err, errlen) < 0)
    goto out;
  if (s->low_latency) {
    for (uint32_t r = 0; r < R; r++)
      for (uint32_t d = 0; d < R; d++) {
        double b = pair[(size_t)r * R + d] * tb;
        if (b <= 0) continue;
        if (!combine)
          og_send(g, grank(pl, r), OG_NOSTREAM, node[d] == node[r] ? c_nv : c_net, s->eps[r], s->eps[d], b, 0, 0);
        else
          og_send(g, grank(pl, d), OG_NOSTREAM, node[d] == node[r] ? c_nv : c_net, s->eps[d], s->eps[r], b, 0, 0);
        if (node[d] == node[r]) {
          nvl += b;
          rank_nvl[r] += b;
        } else {
          rdma += b;
          rank_rdma[r] += b;
        }
      }
  } else {
    for (uint32_t r = 0; r < R; r++) {
      /* own node: NVLink straight */
      for (uint32_t d = 0; d < R; d++) {
        double b = pair[(size_t)r * R + d] * tb;
        if (b <= 0 || node[d] != node[r]) continue;
        if (!combine)
          og_send(g, grank(pl, r), OG_NOSTREAM, c_nv, s->eps[r], s->eps[d], b, 0, 0);
        else
          og_send(g, grank(pl, d), OG_NOSTREAM, c_nv, s->eps[d], s->eps[r], b, 0, 0);
        nvl += b;
        rank_nvl[r] += b;
      }
      /* other nodes: over the network to the rail-matched relay, then NVLink fan-out */
      for (uint32_t nd = 0; nd < nnodes; nd++) {
        double b = pnode[(size_t)r * nnodes + nd] * tb;
        if (b <= 0) continue;
        uint32_t via = wl_hosts_gpu(&hm, (int32_t)nd, hm.local[s->eps[r]]);
        if (via == UINT32_MAX || rank_of[via] == UINT32_MAX) {
          snprintf(err, errlen, "ep: node %u has no GPU %u in the EP group (normal mode needs whole nodes)", nd,
                   hm.local[s->eps[r]]);
          goto out;
        }
        uint32_t nf = 0;
        for (uint32_t d = 0; d < R; d++) {
          double bd = pair[(size_t)r * R + d] * tb;
          if (bd <= 0 || node[d] != (int32_t)nd || s->eps[d] == via) continue;
          f_rank[nf] = grank(pl, d);
          f_ep[nf] = s->eps[d];
          fb[nf] = bd;
          nf++;
          nvl += bd;
          rank_nvl[r] += bd;
        }
        /* fan-out bytes are per chunk shares of the relay's copy: fb / b of each chunk */
        pipe_fan(g, c_net, c_nv, grank(pl, r), grank(pl, rank_of[via]), s->eps[r], via, b, f_rank, f_ep, fb, nf, s->chunk_bytes, s->window,
                 combine, hist);
        rdma += b;
        rank_rdma[r] += b;
      }
    }
  }
  if (pl) {
    /* start and done edges: every message of the phase waits for its sender's start op; the done NOP of
     * an EP rank waits for every message it sends or receives */
    uint32_t last = og_nops(g);
    snprintf(nm, sizeof nm, "%s.done", ph);
    uint8_t c_done = og_cat(g, nm);
    if (pl->done)
      for (uint32_t i = 0; i < R; i++) pl->done[i] = og_nop(g, grank(pl, i), pl->stream, c_done);
    for (uint32_t op = first; op < last; op++) {
      const og_op *o = og_get(g, op);
      uint32_t rs = rank_of[o->src_ep], rd = rank_of[o->dst_ep];
      if (pl->start && pl->start[rs] != OG_NONE) og_dep(g, pl->start[rs], op);
      if (pl->done) {
        og_dep(g, op, pl->done[rs]);
        if (rd != rs) og_dep(g, op, pl->done[rd]);
      }
    }
  }
  rc = 0;
  if (cnt) {
    memset(cnt, 0, sizeof *cnt);
    cnt->rdma_bytes = rdma;
    cnt->nvl_bytes = nvl;
    cnt->rank_rdma = rank_rdma;
    cnt->rank_nvl = rank_nvl;
    rank_rdma = rank_nvl = NULL;
    cnt->nodes_per_token = nodes_sum / ((double)R * s->tokens);
    cnt->remote_nodes_per_token = remote_sum / ((double)R * s->tokens);
    cnt->expert_tokens = etok;
    etok = NULL;
  }
out:
  free(rank_rdma);
  free(rank_nvl);
  free(f_rank);
  free(f_ep);
  free(fb);
  free(hist);
  free(etok);
  free(seen_r);
  free(seen_n);
  free(pair);
  free(pnode);
  free(rank_of);
  free(node);
  wl_hosts_free(&hm);
  if (rc < 0 && !*gp) og_free(g);
  if (rc == 0) *gp = g;
  return rc;
}

og_graph *wl_ep_graph(const wl_ep_spec *s, const uint16_t *routing, int combine, wl_ep_counts *cnt, char *err,
                      size_t errlen) {
  og_graph *g = NULL;
  return ep_build(&g, s, routing, combine, NULL, cnt, err, errlen) == 0 ? g : NULL;
}

int wl_ep_append(og_graph *g, const wl_ep_spec *s, const uint16_t *routing, int combine, const wl_ep_place *pl,
                 wl_ep_counts *cnt, char *err, size_t errlen) {
  if (!g) {
    snprintf(err, errlen, "ep: no graph to append to");
    return -1;
  }
  return ep_build(&g, s, routing, combine, pl, cnt, err, errlen);
}
