/* kern_moe.cu: MoE expert FFN as a loop of cuBLASLt calls around fused quantize/SwiGLU kernels. */
#include "kern_moe.h"
#include "kern.h"
#include "kern_int.h"

static size_t align256(size_t x) { return (x + 255) / 256 * 256; }

extern "C" size_t kern_moe_scratch_bytes(int T, int H, int I) {
  const size_t t = (size_t)(T > 0 ? T : 1);
  return align256(t * H) + align256(t * H / 128 * 4) + align256(t * 2 * I * 2) +
         align256(t * I * 2) + align256(t * I / 128 * 4);
}

extern "C" int kern_moe_ffn(kern_gemm_ctx *ctx, const kern_moe_layer *L, const int *h_counts,
                            const int *d_offsets, const void *x, void *y, void *scratch) {
  if (!ctx || !L || !h_counts || !d_offsets || L->experts < 1 || L->hidden % 128 != 0 ||
      L->inter % 128 != 0)
    return KERN_EINVAL;
  const int E = L->experts, H = L->hidden, I = L->inter;
  int T = 0;
  for (int e = 0; e < E; ++e) {
    if (h_counts[e] < 0) return KERN_EINVAL;
    T += h_counts[e];
  }
  if (T == 0) return KERN_OK;
  unsigned char *s = (unsigned char *)scratch;
  uint8_t *xq = s;                  s += align256((size_t)T * H);
  float *xs = (float *)s;           s += align256((size_t)T * H / 128 * 4);
  __nv_bfloat16 *h = (__nv_bfloat16 *)s; s += align256((size_t)T * 2 * I * 2);
  void *a = s;                      s += align256((size_t)T * I * 2);
  float *as = (float *)s;

  const size_t w1_elems = (size_t)2 * I * H, w2_elems = (size_t)H * I;
  const size_t w1s_n = kern_wscale_count(2 * I, H), w2s_n = kern_wscale_count(H, I);
  const size_t esz = L->fp8 ? 1 : 2;
  int rc;
  if (L->fp8) {
    rc = kern_quant_act_1x128(x, xq, xs, T, H, d_offsets, E);
    if (rc) return rc;
  }
  int off = 0;
  for (int e = 0; e < E; ++e) {
    const int t = h_counts[e];
    if (t == 0) continue;
    const unsigned char *w1 = (const unsigned char *)L->w1 + (size_t)e * w1_elems * esz;
    __nv_bfloat16 *he = h + (size_t)off * 2 * I;
    if (L->fp8)
      rc = kern_gemm_fp8_blockscaled(ctx, xq + (size_t)off * H, xs + (size_t)off * (H / 128), w1,
                                     L->w1s + (size_t)e * w1s_n, he, t, 2 * I, H);
    else
      rc = kern_gemm_bf16(ctx, (const __nv_bfloat16 *)x + (size_t)off * H, w1, he, t, 2 * I, H);
    if (rc) return rc;
    off += t;
  }
  if (L->fp8)
    rc = kern_swiglu_quant_1x128(h, a, as, T, I, d_offsets, E);
  else
    rc = kern_swiglu_bf16(h, a, T, I);
  if (rc) return rc;
  off = 0;
  for (int e = 0; e < E; ++e) {
    const int t = h_counts[e];
    if (t == 0) continue;
    const unsigned char *w2 = (const unsigned char *)L->w2 + (size_t)e * w2_elems * esz;
    __nv_bfloat16 *ye = (__nv_bfloat16 *)y + (size_t)off * H;
    if (L->fp8)
      rc = kern_gemm_fp8_blockscaled(ctx, (const uint8_t *)a + (size_t)off * I,
                                     as + (size_t)off * (I / 128), w2, L->w2s + (size_t)e * w2s_n,
                                     ye, t, H, I);
    else
      rc = kern_gemm_bf16(ctx, (const __nv_bfloat16 *)a + (size_t)off * I, w2, ye, t, H, I);
    if (rc) return rc;
    off += t;
  }
  return KERN_OK;
}
