/* kern_moe.h: MoE expert FFN for the experts on one GPU (plain C interface).
 *
 * For each expert e with t_e tokens (rows off[e] .. off[e+1]-1 of X, grouped by expert):
 *   H_e = X_e W1_e^T      W1_e [2I][H]: rows 0..I-1 gate, I..2I-1 up
 *   A_e = silu(H_e[:, :I]) * H_e[:, I:]
 *   Y_e = A_e W2_e^T      W2_e [H][I]
 * FP8 variant: X and A quantized per 1x128 tile (one launch each over all tokens, grouped scale
 * layout of kern_gemm.h), W1/W2 per 128x128 block (offline), block-scaled cuBLASLt GEMMs, BF16
 * H and Y. BF16 variant: the same with BF16 GEMMs.
 *
 * Grouping: one cuBLASLt call per expert and GEMM (2E calls). cuBLASLt 13.0 has no grouped GEMM
 * with block scaling; a loop serves any token distribution, each call gets the algorithm for its
 * own M, and the plans are cached, so the CPU issue cost (~5 us/call) hides behind GPU work
 * whenever an expert GEMM runs longer than that (it streams >= 14 MB of weights). Experts with
 * zero tokens cost nothing. */
#ifndef KERN_MOE_H
#define KERN_MOE_H

#include <stddef.h>
#include "kern_gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kern_moe_layer {
  int experts, hidden, inter; /* hidden, inter multiples of 128 */
  int fp8;                    /* 1: E4M3 block-scaled; 0: bf16 */
  const void *w1;             /* [E][2I][H] fp8 or bf16 */
  const float *w1s;           /* [E][kern_wscale_count(2I, H)] (fp8 only) */
  const void *w2;             /* [E][H][I] */
  const float *w2s;           /* [E][kern_wscale_count(H, I)] */
} kern_moe_layer;

/* Scratch for T tokens in total: X quantized, H, A (quantized or bf16) and their scales. */
size_t kern_moe_scratch_bytes(int total_tokens, int hidden, int inter);

/* h_counts: host [E] tokens per expert; d_offsets: device [E+1] prefix sums of h_counts.
 * x, y: device bf16 [T][hidden]. Returns KERN_OK, KERN_EINVAL or KERN_ENOTSUP. */
int kern_moe_ffn(kern_gemm_ctx *ctx, const kern_moe_layer *L, const int *h_counts,
                 const int *d_offsets, const void *x, void *y, void *scratch);

#ifdef __cplusplus
}
#endif
#endif
