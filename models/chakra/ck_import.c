/* ck_import.c: a Chakra trace (one ck_rank per rank) into an op graph (ck.h). */
#include <stdlib.h>
#include <string.h>

#include "ck.h"
#include "wl_a2a.h"
#include "wl_ring.h"

/* Durations of one rank's nodes sum to at most 2^62 ps (53 days): with the messages' times on top
 * the picosecond clock (2^64 ps) cannot wrap. */
#define CK_SUM_US_MAX ((UINT64_C(1) << 62) / SIM_PS_PER_US)

typedef struct p2p {
  uint32_t src, dst, tag, rank, node;   /* rank: the file's rank; node: index in it */
  uint32_t op;
  uint64_t bytes;
} p2p;

static int cmp_p2p(const void *a, const void *b) {
  const p2p *x = a, *y = b;
  if (x->src != y->src) return x->src < y->src ? -1 : 1;
  if (x->dst != y->dst) return x->dst < y->dst ? -1 : 1;
  if (x->tag != y->tag) return x->tag < y->tag ? -1 : 1;
  return x->node < y->node ? -1 : (x->node > y->node);
}

static int coll_supported(uint32_t c, coll_op *op) {
  switch (c) {
  case CK_ALL_REDUCE: *op = COLL_ALLREDUCE; return 1;
  case CK_ALL_GATHER: *op = COLL_ALLGATHER; return 1;
  case CK_REDUCE_SCATTER: *op = COLL_REDUCESCATTER; return 1;
  case CK_ALL_TO_ALL: return 1;
  default: return 0;
  }
}

og_graph *ck_import(const ck_rank *R, const ck_import_opts *o, ck_import_stats *st, char *err, size_t errlen) {
  const uint32_t n = o->nranks;
  ck_import_stats S;
  memset(&S, 0, sizeof S);
  if (n < 1) {
    snprintf(err, errlen, "chakra import: no ranks");
    return NULL;
  }
  /* 1. collectives: the k-th of every rank is collective k; all ranks agree */
  uint32_t K = 0;
  uint64_t msgs = 0, nodes = 0, ndeps = 0;
  for (uint32_t r = 0; r < n; r++) {
    uint32_t k = 0;
    uint64_t sum_us = 0;   /* bounds the rank's compute time: the ps clock must not wrap */
    for (uint32_t i = 0; i < R[r].nnodes; i++) {
      const ck_node *x = &R[r].nodes[i];
      if (x->dur_us > CK_SUM_US_MAX - sum_us) {
        snprintf(err, errlen, "%s: node %llu: the durations up to here sum to more than %llu us (the simulated "
                 "clock's range is about 213 days)", R[r].file, (unsigned long long)x->id,
                 (unsigned long long)CK_SUM_US_MAX);
        return NULL;
      }
      sum_us += x->dur_us;
      if (x->type == CK_SEND || x->type == CK_RECV) {
        uint32_t peer = x->type == CK_SEND ? x->comm_dst : x->comm_src;
        if (peer >= n || peer == r) {
          snprintf(err, errlen, "%s: node %llu: %s %s rank %u, %s (the trace has ranks 0 .. %u; this file is rank %u)",
                   R[r].file, (unsigned long long)x->id, ck_type_name(x->type),
                   x->type == CK_SEND ? "comm_dst" : "comm_src", peer, peer == r ? "its own rank" : "out of range",
                   n - 1, r);
          return NULL;
        }
        msgs += x->type == CK_SEND;
        if (x->prio >= NET_PRIO_LEVELS) {
          snprintf(err, errlen, "%s: node %llu: comm_priority %u: the network model has priority levels 0 .. %d "
                   "(0 highest)", R[r].file, (unsigned long long)x->id, x->prio, NET_PRIO_LEVELS - 1);
          return NULL;
        }
      }
      if (x->type != CK_COLL) continue;
      coll_op cop;
      if (!coll_supported(x->coll, &cop)) {
        snprintf(err, errlen, "%s: node %llu: collective %s is not supported (supported: ALL_REDUCE, ALL_GATHER, "
                 "REDUCE_SCATTER, ALL_TO_ALL)", R[r].file, (unsigned long long)x->id, ck_coll_name(x->coll));
        return NULL;
      }
      k++;
    }
    if (r == 0) K = k;
    else if (k != K) {
      snprintf(err, errlen, "%s has %u COMM_COLL_NODEs, %s has %u: every rank takes part in every collective "
               "(one communicator), so the counts must agree", R[0].file, K, R[r].file, k);
      return NULL;
    }
    nodes += R[r].nnodes;
    ndeps += R[r].ndeps;
  }
  /* index of the k-th collective node of each rank */
  uint32_t *cix = malloc(((size_t)K * n + 1) * sizeof *cix);
  uint32_t *cb = malloc(((size_t)K * n + 1) * sizeof *cb), *ce = malloc(((size_t)K * n + 1) * sizeof *ce);
  uint32_t *first = malloc((nodes + 1) * sizeof *first), *last = malloc((nodes + 1) * sizeof *last);
  uint32_t *rk = malloc((size_t)n * sizeof *rk);
  p2p *snd = malloc((msgs + 1) * sizeof *snd), *rcv = malloc((nodes + 1) * sizeof *rcv);
  og_graph *g = NULL;
  if (!cix || !cb || !ce || !first || !last || !rk || !snd || !rcv) {
    snprintf(err, errlen, "chakra import: out of memory for %llu nodes", (unsigned long long)nodes);
    goto fail;
  }
  for (uint32_t r = 0; r < n; r++) {
    rk[r] = r;
    uint32_t k = 0;
    for (uint32_t i = 0; i < R[r].nnodes; i++)
      if (R[r].nodes[i].type == CK_COLL) cix[(size_t)k++ * n + r] = i;
  }
  for (uint32_t k = 0; k < K; k++) {
    const ck_node *a = &R[0].nodes[cix[(size_t)k * n]];
    for (uint32_t r = 1; r < n; r++) {
      const ck_node *b = &R[r].nodes[cix[(size_t)k * n + r]];
      const char *pa = R[0].names + a->pg_off, *pb = R[r].names + b->pg_off;
      if (a->coll != b->coll || a->comm_size != b->comm_size || strcmp(pa, pb) != 0) {
        snprintf(err, errlen, "collective %u disagrees between ranks: %s: node %llu is %s of %llu bytes (pg '%s'), "
                 "%s: node %llu is %s of %llu bytes (pg '%s')", k, R[0].file, (unsigned long long)a->id,
                 ck_coll_name(a->coll), (unsigned long long)a->comm_size, pa, R[r].file, (unsigned long long)b->id,
                 ck_coll_name(b->coll), (unsigned long long)b->comm_size, pb);
        goto fail;
      }
    }
    coll_op cop = COLL_ALLREDUCE;
    int ring = a->coll != CK_ALL_TO_ALL && coll_supported(a->coll, &cop);
    msgs += ring ? wl_ring_messages(cop, n) : (uint64_t)n * (n - 1);
  }
  /* ops: a node is one op (a collective two) plus the messages; edges: deps, 4 per message, stream order */
  uint64_t ops = nodes + (uint64_t)K * n + msgs;
  if (og_check_size("chakra trace", ops, ndeps + 4 * msgs + ops, err, errlen) < 0) goto fail;

  g = og_new(n, CK_STREAMS, (size_t)ops + 16);
  uint8_t c_comp = og_cat(g, "chakra.comp"), c_cpu = og_cat(g, "chakra.cpu"), c_mem = og_cat(g, "chakra.mem");
  uint8_t c_meta = og_cat(g, "chakra.meta"), c_coll = og_cat(g, "chakra.coll"), c_a2a = og_cat(g, "chakra.alltoall");
  uint8_t c_ring = og_cat(g, "chakra.ring"), c_send = og_cat(g, "chakra.send"), c_recv = og_cat(g, "chakra.recv");
  /* 2. one op (or a begin/end pair) per node, in file order on its stream */
  size_t base = 0, ns = 0, nr = 0;
  for (uint32_t r = 0; r < n; r++) {
    uint32_t k = 0;
    sim_time_ps retimed_ps = 0;
    for (uint32_t i = 0; i < R[r].nnodes; i++) {
      const ck_node *x = &R[r].nodes[i];
      uint32_t a = OG_NONE, b = OG_NONE;
      sim_time_ps dur = (sim_time_ps)x->dur_us * SIM_PS_PER_US;   /* bounded by CK_SUM_US_MAX above */
      switch (x->type) {
      case CK_COMP: {
        uint8_t src = 0;
        int re = o->retime && !x->is_cpu && (x->num_ops || x->tensor_size);
        if (re && o->retime(o->retime_ctx, x, &dur, &src, err, errlen) < 0) goto fail;
        if (re && dur > (UINT64_C(1) << 62) - retimed_ps) {
          snprintf(err, errlen, "%s: node %llu: the re-timed durations of the rank sum to more than 2^62 ps",
                   R[r].file, (unsigned long long)x->id);
          goto fail;
        }
        if (re) retimed_ps += dur;
        a = b = og_compute(g, r, x->is_cpu ? CK_STREAM_HOST : CK_STREAM_COMPUTE, x->is_cpu ? c_cpu : c_comp, dur, 0);
        if (re) {
          og_set_src(g, a, src);
          S.retimed++;
        }
        S.comp++;
        break;
      }
      case CK_MEM_LOAD:
      case CK_MEM_STORE:
        a = b = og_compute(g, r, CK_STREAM_COMPUTE, c_mem, dur, 0);
        S.mem++;
        break;
      case CK_METADATA:
        a = b = og_nop(g, r, OG_NOSTREAM, c_meta);
        S.meta++;
        break;
      case CK_COLL:
        a = og_nop(g, r, CK_STREAM_COMM, c_coll);
        b = og_nop(g, r, CK_STREAM_COMM, c_coll);
        cb[(size_t)k * n + r] = a;
        ce[(size_t)k * n + r] = b;
        k++;
        S.coll++;
        break;
      case CK_SEND:
        a = b = og_send(g, r, CK_STREAM_COMM, c_send, o->eps[r], o->eps[x->comm_dst], (double)x->comm_size, 0,
                        (uint8_t)x->prio);
        snd[ns++] = (p2p){r, x->comm_dst, x->comm_tag, r, i, a, x->comm_size};
        S.send++;
        break;
      case CK_RECV:
        a = b = og_nop(g, r, CK_STREAM_COMM, c_recv);
        rcv[nr++] = (p2p){x->comm_src, r, x->comm_tag, r, i, a, x->comm_size};
        S.recv++;
        break;
      default:
        snprintf(err, errlen, "%s: node %llu: node type %u is not supported", R[r].file, (unsigned long long)x->id,
                 x->type);
        goto fail;
      }
      /* named by node id, so that a cycle (og_finalize) or a failed message names the trace's node */
      og_name(g, a, "node %llu %s", (unsigned long long)x->id, R[r].names + x->name_off);
      if (b != a) og_name(g, b, "node %llu %s (end)", (unsigned long long)x->id, R[r].names + x->name_off);
      first[base + i] = a;
      last[base + i] = b;
    }
    /* 3. data and control dependencies */
    for (uint32_t i = 0; i < R[r].nnodes; i++) {
      const ck_node *x = &R[r].nodes[i];
      for (uint32_t j = 0; j < x->ndeps; j++) og_dep(g, last[base + R[r].deps[x->dep_off + j]], first[base + i]);
    }
    base += R[r].nnodes;
  }
  /* 4. collectives, expanded */
  for (uint32_t k = 0; k < K; k++) {
    const ck_node *a = &R[0].nodes[cix[(size_t)k * n]];
    coll_op cop = COLL_ALLREDUCE;
    if (n < 2) continue;
    uint64_t added = 0;   /* every message of both algorithms carries comm_size / n */
    if (a->coll == CK_ALL_TO_ALL)
      added = wl_alltoall_append(g, rk, o->eps, n, (double)a->comm_size / n, cb + (size_t)k * n, ce + (size_t)k * n,
                                 c_a2a);
    else if (coll_supported(a->coll, &cop))
      added = wl_ring_append(g, cop, rk, o->eps, n, (double)a->comm_size, cb + (size_t)k * n, ce + (size_t)k * n,
                             c_ring, (uint64_t)k + 1);
    S.messages += added;
    S.bytes += (double)added * ((double)a->comm_size / n);
  }
  /* 5. sends and receives: matched by (src, dst, tag) in file order */
  qsort(snd, ns, sizeof *snd, cmp_p2p);
  qsort(rcv, nr, sizeof *rcv, cmp_p2p);
  size_t i = 0, j = 0;
  while (i < ns || j < nr) {
    int c = i < ns && j < nr ? (snd[i].src != rcv[j].src || snd[i].dst != rcv[j].dst || snd[i].tag != rcv[j].tag
                                    ? cmp_p2p(&snd[i], &rcv[j])
                                    : 0)
                             : (i < ns ? -1 : 1);
    if (c < 0) {
      const p2p *s = &snd[i];
      snprintf(err, errlen, "%s: node %llu: COMM_SEND_NODE to rank %u (comm_tag %u) has no matching COMM_RECV_NODE "
               "with comm_src %u in rank %u's file", R[s->rank].file, (unsigned long long)R[s->rank].nodes[s->node].id,
               s->dst, s->tag, s->src, s->dst);
      goto fail;
    }
    if (c > 0) {
      const p2p *v = &rcv[j];
      snprintf(err, errlen, "%s: node %llu: COMM_RECV_NODE from rank %u (comm_tag %u) has no matching "
               "COMM_SEND_NODE with comm_dst %u in rank %u's file", R[v->rank].file,
               (unsigned long long)R[v->rank].nodes[v->node].id, v->src, v->tag, v->dst, v->src);
      goto fail;
    }
    if (snd[i].bytes != rcv[j].bytes) {
      snprintf(err, errlen, "%s: node %llu: COMM_RECV_NODE of %llu bytes matches the COMM_SEND_NODE %llu of %s, of "
               "%llu bytes", R[rcv[j].rank].file, (unsigned long long)R[rcv[j].rank].nodes[rcv[j].node].id,
               (unsigned long long)rcv[j].bytes, (unsigned long long)R[snd[i].rank].nodes[snd[i].node].id,
               R[snd[i].rank].file, (unsigned long long)snd[i].bytes);
      goto fail;
    }
    og_dep(g, snd[i].op, rcv[j].op);
    S.messages++;
    S.bytes += (double)snd[i].bytes;
    i++;
    j++;
  }
  S.nodes = nodes;
  if (st) *st = S;
  free(cix);
  free(cb);
  free(ce);
  free(first);
  free(last);
  free(rk);
  free(snd);
  free(rcv);
  return g;
fail:
  og_free(g);
  free(cix);
  free(cb);
  free(ce);
  free(first);
  free(last);
  free(rk);
  free(snd);
  free(rcv);
  return NULL;
}
