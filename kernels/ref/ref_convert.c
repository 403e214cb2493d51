/* ref_convert.c: exact host conversions between float, bf16 and FP8 E4M3 (declared in kern.h). */
#include "kern.h"

#include <math.h>
#include <string.h>

float kern_bf16_to_f32(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

uint16_t kern_f32_to_bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u); /* quiet NaN */
  uint32_t lsb = (u >> 16) & 1u;
  u += 0x7fffu + lsb; /* round to nearest even */
  return (uint16_t)(u >> 16);
}

/* E4M3 (OCP "fn"): 1 sign, 4 exponent (bias 7), 3 mantissa; 0x7f/0xff are NaN, max 448. */
float kern_e4m3_to_f32(uint8_t v) {
  int s = v >> 7, e = (v >> 3) & 0xf, m = v & 7;
  float r;
  if (e == 0xf && m == 7) return NAN;
  if (e == 0)
    r = ldexpf((float)m, -9); /* subnormal: m * 2^-6 / 8 */
  else
    r = ldexpf((float)(8 + m), e - 10);
  return s ? -r : r;
}

uint8_t kern_f32_to_e4m3(float f) {
  if (isnan(f)) return 0x7f;
  uint8_t s = signbit(f) ? 0x80 : 0;
  double a = fabs((double)f);
  if (a >= 448.0) return (uint8_t)(s | 0x7e); /* saturate (satfinite) */
  /* Enumerate: find the nearest representable magnitude, ties to even code. The spacing in
   * binade [2^(e-7), 2^(e-6)) is 2^(e-10) for e >= 1; subnormals step 2^-9. */
  int code;
  if (a < ldexp(1.0, -6)) {
    double q = a / ldexp(1.0, -9);           /* in units of the subnormal step */
    double r = nearbyint(q);                 /* FE_TONEAREST: ties to even */
    code = (int)r;                           /* 0..8; 8 means 2^-6 = exponent 1, mantissa 0 */
  } else {
    int e2;
    (void)frexp(a, &e2);                     /* a = f * 2^e2, f in [0.5,1) -> binade 2^(e2-1) */
    int ebias = e2 - 1 + 7;                  /* biased exponent */
    double step = ldexp(1.0, e2 - 1 - 3);
    double q = a / step;                     /* in [8,16) */
    double r = nearbyint(q);
    code = (ebias << 3) + (int)r - 8;        /* r==16 carries into the next binade correctly */
  }
  if (code > 0x7e) code = 0x7e;
  return (uint8_t)(s | code);
}
