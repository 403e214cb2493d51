/* kern_ref.h: CPU references for the kernels (plain C11, double accumulation).
 * All arrays are host memory in the layouts of the matching kern_*.h header. */
#ifndef KERN_REF_H
#define KERN_REF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MLA decode for one request: q [heads][576], kv rows fetched through the block table. */
void kern_ref_mla_decode(const uint16_t *q, const uint16_t *kv_cache, const int *block_table,
                         int page_size, int seqlen, int heads, float softmax_scale, double *out);

/* Quantizers with the exact arithmetic of the GPU kernels (bit-exact expected). */
void kern_ref_quant_act_1x128(const uint16_t *x, uint8_t *xq, float *xs, int M, int K);
void kern_ref_quant_weight_128x128(const uint16_t *w, uint8_t *wq, float *ws, int N, int K);

/* y[M][N] = dequant(xq, xs) dequant(wq, ws)^T in double (scale layouts of kern_gemm.h). */
void kern_ref_gemm_fp8_blockscaled(const uint8_t *xq, const float *xs, const uint8_t *wq,
                                   const float *ws, double *y, int M, int N, int K);
/* y = x w^T for bf16 operands, double accumulation. */
void kern_ref_gemm_bf16(const uint16_t *x, const uint16_t *w, double *y, int M, int N, int K);

/* LogFMT reference (kern_logfmt.h definition) in double precision. */
void kern_ref_logfmt_encode(const uint16_t *x, uint8_t *codes, float *meta, size_t n, int nbits);
float kern_ref_logfmt_decode1(uint8_t code, float lmin, float step, int nbits);

/* ||a - b|| / ||b|| (Frobenius). Returns +inf if any a is NaN/inf. */
double kern_ref_rel_err(const double *a, const double *b, size_t n);

#ifdef __cplusplus
}
#endif
#endif
