/* wl_decode.h: one decode step of an MoE model as an op graph (prefix wl_decode_), after paper
 * section 2.3 ("dual micro-batch overlap", the TPOT bound of 2.3.2).
 *
 * The step runs `layers` transformer layers, the first `dense_layers` of them without experts, then
 * the LM head. Every EP rank (a GPU) holds micro_batches x ep.tokens tokens (ep.tokens per micro-batch).
 * Per micro-batch and layer, on the GPU's compute stream: attention (MLA decode + its projection
 * GEMMs), the gate, then (MoE layers) EP dispatch (wl_ep_append, low-latency mode: one copy per
 * (token, expert) straight to the expert's GPU), the routed experts, the shared expert, EP combine;
 * dense layers run a dense FFN instead and move nothing. The comm stream holds the dispatch and
 * combine "done" ops in issue order.
 *
 * Overlap (overlap = 1, two micro-batches A and B): the compute stream issues attn A, gate A, attn B,
 * gate B, experts A, shared A, experts B, shared B; A's dispatch starts after gate A and its experts
 * wait for its dispatch, so the network carries one micro-batch's dispatch or combine while the GPU
 * computes the other's attention or MoE. Next layer's attention of a micro-batch waits for its combine.
 * overlap = 0: the no-overlap schedule: every op of the rank waits for the one before it, compute and
 * communication alternate (micro-batch A's whole layer, then B's).
 *
 * Durations are inputs (picoseconds per op, per micro-batch, the same on every rank, with their
 * comp_source in src): the caller fills them from the compute model (comp_duration at the step's
 * batch and context) or sets them (idealised case: zero). Routings are inputs: one per (MoE layer,
 * micro-batch), laid out as wl_ep_route's.
 *
 * Shared experts: shared_remote = 0 runs them locally (DeepSeek-V3's deployment; no bytes); the
 * idealised one-expert-per-device case of 2.3.2 counts the shared expert as one more destination of
 * every token, i.e. the routing's experts_per_token includes it (8 routed + 1 shared = 9 copies).
 *
 * Lifetime: wl_decode_graph returns a graph the caller frees (og_free) and fills the caller's
 * wl_decode_info; wl_decode_info_free frees its arrays. Errors: -1 / NULL with err naming the key. */
#ifndef CLUSTERSIM_WL_DECODE_H
#define CLUSTERSIM_WL_DECODE_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#include "compute.h"
#include "llm.h"
#include "og.h"
#include "wl_ep.h"

typedef enum wl_decode_opk {
  WL_DECODE_ATTN = 0,   /* MLA decode + q/kv/o projection GEMMs (FP8) */
  WL_DECODE_GATE,
  WL_DECODE_EXPERTS,    /* routed expert FFNs of this GPU (FP8) */
  WL_DECODE_SHARED,     /* shared expert */
  WL_DECODE_DENSE_FFN,  /* dense layers */
  WL_DECODE_LM_HEAD,
  WL_DECODE_OPK_COUNT
} wl_decode_opk;
const char *wl_decode_opk_name(wl_decode_opk k);   /* "attn", "gate", "experts", "shared", "dense_ffn", "lm_head" */

typedef struct wl_decode_dur {
  sim_time_ps ps;    /* per micro-batch on one GPU */
  uint8_t src;       /* comp_source of compute.h */
} wl_decode_dur;

typedef struct wl_decode_spec {
  wl_ep_spec ep;              /* EP ranks, tokens per micro-batch per rank, bytes per token; low_latency 1 */
  uint32_t layers;            /* >= 1 */
  uint32_t dense_layers;      /* first layers without experts, < layers allowed 0 .. layers */
  uint32_t micro_batches;     /* 1 or 2 */
  int overlap;                /* 1: dual micro-batch overlap; 0: no overlap */
  int shared_remote;          /* documentation flag: the routing's experts_per_token includes the shared expert */
  wl_decode_dur dur[2][WL_DECODE_OPK_COUNT];   /* [micro-batch][op] */
} wl_decode_spec;

/* Per-layer figures of the step (after og_run; wl_decode_measure). */
typedef struct wl_decode_info {
  uint32_t layers;
  uint64_t *msgs;         /* per layer: EP messages (dispatch + combine, all micro-batches) */
  double *bytes;          /* per layer: EP bytes */
  uint32_t *first_op;     /* per layer + 1: first op id of the layer (last entry: LM head's first) */
  double *end_s;          /* per layer (after wl_decode_measure): latest end of the layer's ops, from t0 */
  double *compute_s;      /* per layer: compute busy time of rank 0 */
  double *exposed_s;      /* per layer: layer span minus compute busy time on rank 0 */
  double step_s;          /* whole step (t_end - t_start) */
} wl_decode_info;

int wl_decode_check(const wl_decode_spec *s, char *err, size_t errlen);

/* routings[(l - dense_layers) x micro_batches + m]: routing of MoE layer l, micro-batch m. */
og_graph *wl_decode_graph(const wl_decode_spec *s, const uint16_t *const *routings, wl_decode_info *info, char *err,
                          size_t errlen);
/* After og_run: fills end_s, compute_s, exposed_s and step_s from the op times. */
void wl_decode_measure(const og_graph *g, const og_stats *st, wl_decode_info *info);
void wl_decode_info_free(wl_decode_info *info);

/* Fills s->dur[m][*] for every micro-batch from the compute model: tokens = s->ep.tokens per micro-batch,
 * context (tokens of KV per request), the model's shapes (MLA or GQA attention, MoE sizes), and
 * tokens_per_expert (routed tokens an expert of this GPU receives per micro-batch, from the routing) over
 * experts_per_gpu local experts. Ops and shapes (FP8 block-scaled GEMMs unless noted):
 *   attn      mla_decode (batch, context, heads) + q_a, q_b, kv_a, o projections (MLA), or q/k/v/o
 *             GEMMs (GQA: its decode attention from the roofline, no kernel trace covers it)
 *   gate      GEMM (batch, experts, hidden)
 *   experts   moe_ffn (tokens_per_expert, experts_per_gpu, hidden, moe_ffn_hidden_size)
 *   shared    moe_ffn (batch, shared experts, hidden, moe_ffn_hidden_size); 0 without shared experts
 *   dense_ffn GEMMs (batch, 2 x ffn, hidden) + (batch, hidden, ffn) (gated; else ffn, not 2 x ffn)
 *   lm_head   GEMM (batch, vocab, hidden)
 * An op made of several kernels takes the least exact source among them (roofline over trace_interp over
 * trace_exact). what (optional): per kernel "  op(d0,d1,d2,d3)=source time us", then per op
 * "name=source time us" (NUL-terminated, truncated at whatlen). 0, or -1 with err. */
int wl_decode_fill_compute(wl_decode_spec *s, const comp_model *cm, const llm_config *mc, int64_t context,
                           double tokens_per_expert, uint32_t experts_per_gpu, char *what, size_t whatlen, char *err,
                           size_t errlen);

/* The idealised routing of 2.3.2 (one expert per GPU, experts == ranks): token t of rank r, slot j goes to
 * rank (r + 1 + (t x k + j) mod (ranks - 1)) mod ranks: k distinct GPUs other than its own, spread evenly. */
int wl_decode_route_spread(const wl_ep_spec *s, uint16_t *routing, char *err, size_t errlen);

#endif
