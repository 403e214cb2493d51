/* ref_gemm.c: FP8 block-scaled quantization and GEMM references. The quantizers repeat the GPU
 * arithmetic operation for operation in float (amax, inv = 448 / amax, x * inv, RNE to E4M3,
 * scale = amax / 448), so results must match bit for bit. */
#include "kern_ref.h"
#include "kern.h"

#include <math.h>
#include <stdlib.h>

static int wscale_ld(int K) { return (K / 128 + 3) / 4 * 4; }

void kern_ref_quant_act_1x128(const uint16_t *x, uint8_t *xq, float *xs, int M, int K) {
  const int KB = K / 128;
  for (int m = 0; m < M; ++m)
    for (int kb = 0; kb < KB; ++kb) {
      const uint16_t *src = x + (size_t)m * K + (size_t)kb * 128;
      float amax = 0.f;
      for (int i = 0; i < 128; ++i) amax = fmaxf(amax, fabsf(kern_bf16_to_f32(src[i])));
      if (amax == 0.f) amax = 448.f;
      const float inv = 448.f / amax;
      for (int i = 0; i < 128; ++i)
        xq[(size_t)m * K + (size_t)kb * 128 + i] = kern_f32_to_e4m3(kern_bf16_to_f32(src[i]) * inv);
      xs[(size_t)kb * M + m] = amax / 448.f;
    }
}

void kern_ref_quant_weight_128x128(const uint16_t *w, uint8_t *wq, float *ws, int N, int K) {
  const int ld = wscale_ld(K);
  for (int nb = 0; nb < N / 128; ++nb)
    for (int kb = 0; kb < K / 128; ++kb) {
      float amax = 0.f;
      for (int r = 0; r < 128; ++r)
        for (int c = 0; c < 128; ++c)
          amax = fmaxf(amax, fabsf(kern_bf16_to_f32(w[(size_t)(nb * 128 + r) * K + kb * 128 + c])));
      if (amax == 0.f) amax = 448.f;
      const float inv = 448.f / amax;
      for (int r = 0; r < 128; ++r)
        for (int c = 0; c < 128; ++c) {
          const size_t i = (size_t)(nb * 128 + r) * K + (size_t)kb * 128 + c;
          wq[i] = kern_f32_to_e4m3(kern_bf16_to_f32(w[i]) * inv);
        }
      ws[(size_t)nb * ld + kb] = amax / 448.f;
    }
}

void kern_ref_gemm_fp8_blockscaled(const uint8_t *xq, const float *xs, const uint8_t *wq,
                                   const float *ws, double *y, int M, int N, int K) {
  const int ld = wscale_ld(K), KB = K / 128;
  float lut[256];
  for (int i = 0; i < 256; ++i) lut[i] = kern_e4m3_to_f32((uint8_t)i);
  double *wrow = malloc((size_t)K * sizeof *wrow);
  if (!wrow) abort();
  for (int n = 0; n < N; ++n) {
    for (int k = 0; k < K; ++k)
      wrow[k] = (double)lut[wq[(size_t)n * K + k]] * ws[(size_t)(n / 128) * ld + k / 128];
    for (int m = 0; m < M; ++m) {
      double acc = 0.0;
      for (int kb = 0; kb < KB; ++kb) {
        double part = 0.0;
        const uint8_t *xr = xq + (size_t)m * K + (size_t)kb * 128;
        for (int i = 0; i < 128; ++i) part += (double)lut[xr[i]] * wrow[kb * 128 + i];
        acc += part * xs[(size_t)kb * M + m];
      }
      y[(size_t)m * N + n] = acc;
    }
  }
  free(wrow);
}

void kern_ref_gemm_bf16(const uint16_t *x, const uint16_t *w, double *y, int M, int N, int K) {
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double acc = 0.0;
      for (int k = 0; k < K; ++k)
        acc += (double)kern_bf16_to_f32(x[(size_t)m * K + k]) * kern_bf16_to_f32(w[(size_t)n * K + k]);
      y[(size_t)m * N + n] = acc;
    }
}
