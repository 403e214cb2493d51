/* kern_gemm.h: FP8 GEMM with DeepSeek-V3 fine-grained scaling, and the BF16 baseline.
 *
 *   Y[M][N] (bf16) = X[M][K] * W[N][K]^T       (row-major, nn.Linear convention, K % 128 == 0)
 *
 * FP8 path: X is quantized per 1x128 tile (one FP32 scale per row and 128 columns), W per
 * 128x128 block, both to E4M3 with scale = amax / 448 (a zero tile gets scale 1). The product
 * runs in cuBLASLt with CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F on W and
 * CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F on X: FP32 accumulation with the scales applied per
 * 128-deep K block inside the library, BF16 output.
 *
 * Scale layouts (what cuBLASLt expects; W is cuBLAS's A operand, X its B operand):
 *   X scales: xs[kb * M + m]                  (kb = k / 128; M contiguous)
 *   W scales: ws[nb * ld + kb], ld = kern_wscale_ld(K) = roundup(K/128, 4)
 * cuBLASLt 13.0 has block-scaled algorithms only for M % 4 == 0; other M are staged through
 * padded buffers inside kern_gemm_fp8_blockscaled (two small copies, correct for any M).
 * Grouped activations (MoE): rows [off[g], off[g+1]) of X form group g, whose scales are the
 * dense layout above for its own M = off[g+1]-off[g], stored from xs + off[g] * (K/128). */
#ifndef KERN_GEMM_H
#define KERN_GEMM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kern_gemm_ctx kern_gemm_ctx; /* cuBLASLt handle, workspace, plan cache */
kern_gemm_ctx *kern_gemm_create(void);
void kern_gemm_destroy(kern_gemm_ctx *ctx); /* accepts NULL */

int kern_wscale_ld(int K);
size_t kern_xscale_count(int M, int K);
size_t kern_wscale_count(int N, int K);

/* BF16 -> E4M3 with one scale per 1x128 tile. d_offsets (device, ngroups+1 ints, off[0]=0,
 * off[ngroups]=M) may be NULL for a single group. */
int kern_quant_act_1x128(const void *x, void *xq, float *xs, int M, int K, const int *d_offsets,
                         int ngroups);
/* BF16 -> E4M3 with one scale per 128x128 block of W[N][K]; N % 128 == 0. */
int kern_quant_weight_128x128(const void *w, void *wq, float *ws, int N, int K);

/* Y = X W^T with block-scaled FP8 operands. Returns KERN_ENOTSUP if cuBLASLt offers no
 * algorithm for the shape. */
int kern_gemm_fp8_blockscaled(kern_gemm_ctx *ctx, const void *xq, const float *xs, const void *wq,
                              const float *ws, void *y, int M, int N, int K);
/* Y = sx * sw * X W^T with one FP32 scale per tensor (device scalars): the library's fastest
 * FP8 path, used as the FP8 ceiling. */
int kern_gemm_fp8_tensorscaled(kern_gemm_ctx *ctx, const void *xq, const float *sx, const void *wq,
                               const float *sw, void *y, int M, int N, int K);
/* Y = X W^T in BF16 with FP32 accumulation. */
int kern_gemm_bf16(kern_gemm_ctx *ctx, const void *x, const void *w, void *y, int M, int N, int K);

/* SwiGLU on H[M][2I] = [gate | up] (bf16): A = silu(gate) * up, either quantized to E4M3 per
 * 1x128 tile (grouped scale layout as above; I % 128 == 0) or written as bf16. */
int kern_swiglu_quant_1x128(const void *h, void *aq, float *as, int M, int I, const int *d_offsets,
                            int ngroups);
int kern_swiglu_bf16(const void *h, void *a, int M, int I);

#ifdef __cplusplus
}
#endif
#endif
