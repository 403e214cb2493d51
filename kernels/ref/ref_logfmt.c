/* ref_logfmt.c: LogFMT-nBit reference encoder/decoder (definition in kern_logfmt.h), computed in
 * double. The GPU uses float MUFU log2, so codes may differ by one step where a value sits within
 * float rounding of a rounding threshold; tests count those. */
#include "kern_ref.h"
#include "kern.h"

#include <math.h>

void kern_ref_logfmt_encode(const uint16_t *x, uint8_t *codes, float *meta, size_t n, int nbits) {
  const int K = (1 << (nbits - 1)) - 1;
  for (size_t t = 0; t < n / 128; ++t) {
    const uint16_t *xt = x + t * 128;
    double amax = 0.0, amin = INFINITY;
    for (int i = 0; i < 128; ++i) {
      const double a = fabs((double)kern_bf16_to_f32(xt[i]));
      if (a > amax) amax = a;
      if (a > 0.0 && a < amin) amin = a;
    }
    if (amax == 0.0) {
      for (int i = 0; i < 128; ++i)
        codes[t * 128 + i] = (uint8_t)((xt[i] >> 15) << (nbits - 1));
      meta[2 * t] = 0.f;
      meta[2 * t + 1] = 0.f;
      continue;
    }
    const double lmax = log2(amax);
    double lmin = log2(amin);
    if (lmin < lmax - 32.0) lmin = lmax - 32.0;
    const double step = (lmax - lmin) / (double)(K - 1);
    const double thr = step > 0.0 ? log2(0.5 * (1.0 + exp2(step))) / step : 0.0;
    meta[2 * t] = (float)lmin;
    meta[2 * t + 1] = (float)step;
    for (int i = 0; i < 128; ++i) {
      const double v = (double)kern_bf16_to_f32(xt[i]);
      const unsigned sign = (unsigned)(xt[i] >> 15) << (nbits - 1);
      const double a = fabs(v);
      unsigned k;
      if (a == 0.0) {
        k = 0;
      } else {
        const double d = log2(a) - lmin;
        if (d < 0.0 || step == 0.0) {
          k = d > -1.0 ? 1u : 0u;
        } else {
          const double u = d / step;
          const double f = floor(u);
          int kk = (int)f + ((u - f) > thr ? 1 : 0);
          if (kk > K - 1) kk = K - 1;
          k = (unsigned)kk + 1u;
        }
      }
      codes[t * 128 + i] = (uint8_t)(sign | k);
    }
  }
}

float kern_ref_logfmt_decode1(uint8_t code, float lmin, float step, int nbits) {
  const unsigned K = (1u << (nbits - 1)) - 1u;
  const unsigned k = code & K;
  const double v = k ? exp2((double)lmin + (double)step * (double)(k - 1)) : 0.0;
  return (float)(((unsigned)code >> (nbits - 1)) & 1u ? -v : v);
}
