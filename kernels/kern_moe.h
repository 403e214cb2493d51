/* kern_moe.h: MoE expert FFN for the experts on one GPU (plain C interface).
 *
 * For each expert e with t_e tokens (rows off[e] .. off[e+1]-1 of X, grouped by expert):
 *   H_e = X_e W1_e^T      W1_e [2I][H]: rows 0..I-1 gate, I..2I-1 up
 *   A_e = silu(H_e[:, :I]) * H_e[:, I:]
 *   Y_e = A_e W2_e^T      W2_e [H][I]
 * FP8 variant: X and A quantized per 1x128 tile (grouped scale layout of kern_gemm.h), W1/W2 per
 * 128x128 block (offline), FP32 accumulation with the scales applied per 128-deep K block, H
 * rounded to BF16 before the SwiGLU, BF16 Y. BF16 variant: the same with BF16 GEMMs.
 *
 * Two FP8 implementations compute that same op (kern_moe_impl):
 *  - GROUPED (kern_moe.cu, "moe_gg"): three launches for all experts together, whatever the
 *    token counts (zero included): X quantizer; grouped GEMM 1 with the SwiGLU and the 1x128
 *    quantization of A fused into its epilogue (H never reaches global memory); grouped GEMM 2.
 *    Decode-shaped: each warp streams 16-row slabs of one expert's weights straight from HBM into
 *    registers (16-byte loads, mma.sync m16n8k32 E4M3), the expert's few tokens sit in shared
 *    memory. Up to KERN_MOE_GROUPED_MAX_T tokens per expert (KERN_ENOTSUP above). No host sync:
 *    the counts are read on the device from d_offsets; h_counts only picks the token-tile width.
 *  - CUBLASLT: one cuBLASLt block-scaled call per expert and GEMM (2E calls) around one quantize
 *    and one SwiGLU(+quant) launch. Serves any count; cuBLASLt 13.1 has no grouped (variable-M)
 *    batch mode, only strided / pointer-array batches of one shape.
 * AUTO (kern_moe_ffn) takes GROUPED for FP8 when the largest count is <= KERN_MOE_GROUPED_MAX_T,
 * else CUBLASLT (kernels/NOTES.md, "MoE grouped GEMM": 3.0-3.2x faster than the cuBLASLt loop
 * at 1-2 tokens, 1.5-1.8x at 4-32 on the H100). */
#ifndef KERN_MOE_H
#define KERN_MOE_H

#include <stddef.h>
#include "kern_gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KERN_MOE_GROUPED_MAX_T 32

typedef enum kern_moe_impl {
  KERN_MOE_AUTO = 0,
  KERN_MOE_GROUPED = 1,   /* FP8 only, counts <= KERN_MOE_GROUPED_MAX_T */
  KERN_MOE_CUBLASLT = 2
} kern_moe_impl;

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

/* h_counts: host [E] tokens per expert; d_offsets: device [E+1] prefix sums of h_counts, ready
 * when the call is made (it is read by the first launch and, through programmatic dependent
 * launch, by the later ones before they wait for their predecessor).
 * x, y: device bf16 [T][hidden]. Launches on the default stream.
 * Returns KERN_OK, KERN_EINVAL or KERN_ENOTSUP (impl not available for this layer or counts). */
int kern_moe_ffn(kern_gemm_ctx *ctx, const kern_moe_layer *L, const int *h_counts,
                 const int *d_offsets, const void *x, void *y, void *scratch);
int kern_moe_ffn_impl(kern_gemm_ctx *ctx, const kern_moe_layer *L, const int *h_counts,
                      const int *d_offsets, const void *x, void *y, void *scratch,
                      kern_moe_impl impl);

#ifdef __cplusplus
}
#endif
#endif
