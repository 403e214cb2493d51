/* GPU test: MoE expert FFN (FP8 block-scaled and BF16) against a CPU pipeline that repeats the
 * same quantization steps in double precision: X quantized per 1x128 (bit-exact with the GPU),
 * H = X W1^T rounded to bf16, A = silu(gate) * up quantized per 1x128 (or rounded to bf16),
 * Y = A W2^T. Differences come from FP32-vs-double accumulation and rare E4M3 code flips.
 *
 * Cases: every implementation (AUTO, the grouped decode kernel, the cuBLASLt loop) on token counts
 * that include a zero-token expert and reach each token-tile width of the grouped kernel (<= 8, 16,
 * 32 tokens: NT = 1, 2, 4) and the AUTO fallback above 32; hidden 2688 gives GEMM 1 a K of 5.25
 * ring chunks (more chunks than ring stages, the last one partial), inter 384 a GEMM 2 K of one
 * partial chunk. The output is poisoned (0xff bytes = bf16 NaN) before every call, so an unwritten
 * element fails the check. */
#include <stdint.h>
#include <string.h>

#include "kern_gemm.h"
#include "kern_moe.h"
#include "kern_ref.h"
#include "test_kern_util.h"

enum { E = 4, MAXT = 160 };

static void quant_f32_1x128(const double *v, uint8_t *q, float *s, int M, int K) {
  for (int m = 0; m < M; ++m)
    for (int kb = 0; kb < K / 128; ++kb) {
      float amax = 0.f;
      for (int i = 0; i < 128; ++i) amax = fmaxf(amax, fabsf((float)v[(size_t)m * K + kb * 128 + i]));
      if (amax == 0.f) amax = 448.f;
      const float inv = 448.f / amax;
      for (int i = 0; i < 128; ++i)
        q[(size_t)m * K + kb * 128 + i] = kern_f32_to_e4m3((float)v[(size_t)m * K + kb * 128 + i] * inv);
      s[(size_t)kb * M + m] = amax / 448.f;
    }
}

static double round_bf16(double v) { return kern_bf16_to_f32(kern_f32_to_bf16((float)v)); }

/* One layer shape: weights (bf16 and quantized) on both sides, then every count set and impl. */
static void run_shape(kern_gemm_ctx *ctx, int H, int I, const int (*sets)[E], int nsets, uint64_t seed) {
  const size_t w1n = (size_t)E * 2 * I * H, w2n = (size_t)E * H * I;
  const size_t w1sn = kern_wscale_count(2 * I, H), w2sn = kern_wscale_count(H, I);
  void *d_w1 = kern_dev_alloc(w1n * 2), *d_w2 = kern_dev_alloc(w2n * 2);
  void *d_w1q = kern_dev_alloc(w1n), *d_w2q = kern_dev_alloc(w2n);
  float *d_w1s = kern_dev_alloc(E * w1sn * 4), *d_w2s = kern_dev_alloc(E * w2sn * 4);
  void *d_x = kern_dev_alloc((size_t)MAXT * H * 2), *d_y = kern_dev_alloc((size_t)MAXT * H * 2);
  int *d_off = kern_dev_alloc((E + 1) * sizeof(int));
  void *scratch = kern_dev_alloc(kern_moe_scratch_bytes(MAXT, H, I));
  kern_fill_random_bf16(d_w1, w1n, seed + 1, 0.08f);
  kern_fill_random_bf16(d_w2, w2n, seed + 2, 0.08f);
  kern_fill_random_bf16(d_x, (size_t)MAXT * H, seed + 3, 2.f);
  for (int e = 0; e < E; ++e) {
    kern_quant_weight_128x128((char *)d_w1 + (size_t)e * 2 * I * H * 2, (char *)d_w1q + (size_t)e * 2 * I * H,
                              d_w1s + (size_t)e * w1sn, 2 * I, H);
    kern_quant_weight_128x128((char *)d_w2 + (size_t)e * H * I * 2, (char *)d_w2q + (size_t)e * H * I,
                              d_w2s + (size_t)e * w2sn, H, I);
  }
  kern_sync();
  uint16_t *x = tk_malloc((size_t)MAXT * H * 2), *w1 = tk_malloc(w1n * 2), *w2 = tk_malloc(w2n * 2);
  uint16_t *y = tk_malloc((size_t)MAXT * H * 2);
  uint8_t *w1q = tk_malloc(w1n), *w2q = tk_malloc(w2n);
  float *w1s = tk_malloc(E * w1sn * 4), *w2s = tk_malloc(E * w2sn * 4);
  kern_d2h(x, d_x, (size_t)MAXT * H * 2);
  kern_d2h(w1, d_w1, w1n * 2); kern_d2h(w2, d_w2, w2n * 2);
  kern_d2h(w1q, d_w1q, w1n); kern_d2h(w2q, d_w2q, w2n);
  kern_d2h(w1s, d_w1s, E * w1sn * 4); kern_d2h(w2s, d_w2s, E * w2sn * 4);
  double *ref = tk_malloc((size_t)MAXT * H * sizeof(double)), *got = tk_malloc((size_t)MAXT * H * sizeof(double));
  for (int si = 0; si < nsets; ++si) {
    const int *counts = sets[si];
    int off[E + 1] = {0}, tmax = 0;
    for (int e = 0; e < E; ++e) {
      off[e + 1] = off[e] + counts[e];
      if (counts[e] > tmax) tmax = counts[e];
    }
    const int T = off[E];
    if (T > MAXT) {
      fprintf(stderr, "test_kern_moe: case needs %d tokens, MAXT is %d\n", T, MAXT);
      abort();
    }
    kern_h2d(d_off, off, sizeof off);
    for (int fp8 = 1; fp8 >= 0; --fp8) {
      /* CPU pipeline */
      for (int e = 0; e < E; ++e) {
        const int t = counts[e];
        if (!t) continue;
        const uint16_t *xe = x + (size_t)off[e] * H;
        double *h = tk_malloc((size_t)t * 2 * I * sizeof(double));
        double *a = tk_malloc((size_t)t * I * sizeof(double));
        if (fp8) {
          uint8_t *xq = tk_malloc((size_t)t * H);
          float *xs = tk_malloc(kern_xscale_count(t, H) * 4);
          kern_ref_quant_act_1x128(xe, xq, xs, t, H);
          kern_ref_gemm_fp8_blockscaled(xq, xs, w1q + (size_t)e * 2 * I * H, w1s + (size_t)e * w1sn, h, t, 2 * I, H);
          free(xq); free(xs);
        } else {
          kern_ref_gemm_bf16(xe, w1 + (size_t)e * 2 * I * H, h, t, 2 * I, H);
        }
        for (int m = 0; m < t; ++m)
          for (int i = 0; i < I; ++i) {
            const double g = round_bf16(h[(size_t)m * 2 * I + i]), u = round_bf16(h[(size_t)m * 2 * I + I + i]);
            a[(size_t)m * I + i] = g / (1.0 + exp(-g)) * u;
          }
        if (fp8) {
          uint8_t *aq = tk_malloc((size_t)t * I);
          float *as = tk_malloc(kern_xscale_count(t, I) * 4);
          quant_f32_1x128(a, aq, as, t, I);
          kern_ref_gemm_fp8_blockscaled(aq, as, w2q + (size_t)e * H * I, w2s + (size_t)e * w2sn,
                                        ref + (size_t)off[e] * H, t, H, I);
          free(aq); free(as);
        } else {
          uint16_t *ab = tk_malloc((size_t)t * I * 2);
          for (size_t i = 0; i < (size_t)t * I; ++i) ab[i] = kern_f32_to_bf16((float)a[i]);
          kern_ref_gemm_bf16(ab, w2 + (size_t)e * H * I, ref + (size_t)off[e] * H, t, H, I);
          free(ab);
        }
        free(h); free(a);
      }
      kern_moe_layer L;
      memset(&L, 0, sizeof L);
      L.experts = E; L.hidden = H; L.inter = I; L.fp8 = fp8;
      L.w1 = fp8 ? d_w1q : d_w1; L.w2 = fp8 ? d_w2q : d_w2;
      L.w1s = fp8 ? d_w1s : NULL; L.w2s = fp8 ? d_w2s : NULL;
      static const char *const names[] = {"auto", "grouped", "cublaslt"};
      for (int impl = KERN_MOE_AUTO; impl <= KERN_MOE_CUBLASLT; ++impl) {
        const int grouped_ok = fp8 && tmax <= KERN_MOE_GROUPED_MAX_T;
        kern_dev_memset(d_y, 0xff, (size_t)T * H * 2);
        const int rc = kern_moe_ffn_impl(ctx, &L, counts, d_off, d_x, d_y, scratch, (kern_moe_impl)impl);
        kern_sync();
        char what[160];
        snprintf(what, sizeof what, "moe_ffn %s %-8s E=%d H=%d I=%d tokens %d,%d,%d,%d (rc=%d)", fp8 ? "fp8" : "bf16",
                 names[impl], E, H, I, counts[0], counts[1], counts[2], counts[3], rc);
        if (impl == KERN_MOE_GROUPED && !grouped_ok) { /* refused, and says so */
          tk_check_count(what, rc == KERN_ENOTSUP ? 0 : 1, 1, 0);
          continue;
        }
        if (impl == KERN_MOE_CUBLASLT && rc == KERN_ENOTSUP) {
          /* cuBLASLt 13.1 has no block-scaled algorithm for some of this layer's small-M GEMMs
           * (seen 2026-12 on the H100: hidden 2688, inter 384, token sets 1,0,5,8 and 9,16,0,3):
           * the library's limit, reported, not a failure of this code; AUTO takes the grouped
           * kernel there and is checked. */
          printf("%-58s cuBLASLt offers no algorithm (KERN_ENOTSUP): skipped\n", what);
          continue;
        }
        kern_d2h(y, d_y, (size_t)T * H * 2);
        tk_bf16_to_double(y, got, (size_t)T * H);
        tk_check(what, rc == 0 ? kern_ref_rel_err(got, ref, (size_t)T * H) : INFINITY, fp8 ? 2e-2 : 1e-2);
      }
    }
  }
  kern_dev_free(d_w1); kern_dev_free(d_w2); kern_dev_free(d_w1q); kern_dev_free(d_w2q);
  kern_dev_free(d_w1s); kern_dev_free(d_w2s); kern_dev_free(d_x); kern_dev_free(d_y);
  kern_dev_free(d_off); kern_dev_free(scratch);
  free(x); free(w1); free(w2); free(y); free(w1q); free(w2q); free(w1s); free(w2s); free(ref); free(got);
}

int main(void) {
  TK_REQUIRE_GPU();
  kern_gemm_ctx *ctx = kern_gemm_create();
  static const int small[][E] = {{3, 0, 17, 40}};
  run_shape(ctx, 512, 256, small, 1, 500);
  static const int decode[][E] = {{1, 0, 5, 8}, {9, 16, 0, 3}, {32, 17, 0, 1}, {0, 2, 33, 7}};
  run_shape(ctx, 2688, 384, decode, 4, 600);
  kern_gemm_destroy(ctx);
  return tk_finish("test_kern_moe");
}
