/* num_fp.c: rounding to BF16/FP16/FP8 and per-tile scaled quantization.
 *
 * Method: every format is (man_bits, emin, max_finite, has_inf). For finite x != 0 with
 * 2^e <= |x| < 2^(e+1), the quantum is 2^(max(e, emin) - man_bits); |x| / quantum is exact in
 * double (a power-of-two scaling), nearbyint() rounds it to nearest even under the default
 * rounding mode, and the product back is exact. So each value is rounded once, straight from
 * double, which is what the hardware does from FP32 (every FP32 value is a double). Rejected: bit
 * tricks on the FP32 pattern (the BF16 "+0x7FFF + lsb" idiom) since they do not generalise to
 * FP8's subnormals and saturation and would need one routine per format.
 */
#include <math.h>
#include <string.h>

#include "num.h"

static const num_fmt_info fmt_table[NUM_FMT_COUNT] = {
  /* name   exp man bias emin max_finite                 inf */
  {"bf16", 8, 7, 127, -126, 0x1.FEp127, 1},                  /* (2 - 2^-7) * 2^127 */
  {"fp16", 5, 10, 15, -14, 65504.0, 1},                     /* (2 - 2^-10) * 2^15 */
  {"e4m3", 4, 3, 7, -6, 448.0, 0},                          /* 1.75 * 2^8; S.1111.111 is NaN */
  {"e5m2", 5, 2, 15, -14, 57344.0, 1},                      /* 1.75 * 2^15 */
};

const num_fmt_info *num_fmt_get(num_fmt f) {
  return (unsigned)f < NUM_FMT_COUNT ? &fmt_table[f] : NULL;
}

int num_fmt_parse(const char *name, num_fmt *out) {
  for (int i = 0; i < NUM_FMT_COUNT; i++)
    if (strcmp(name, fmt_table[i].name) == 0) {
      *out = (num_fmt)i;
      return 0;
    }
  return -1;
}

double num_round_bits(double x, int man_bits, int emin, int trunc) {
  if (x == 0.0 || !isfinite(x)) return x;
  double ax = fabs(x);
  int e;
  (void)frexp(ax, &e);            /* ax = m * 2^e, m in [0.5, 1) */
  e -= 1;                         /* ax in [2^e, 2^(e+1)) */
  if (e < emin) e = emin;         /* subnormal: fixed quantum */
  double q = ldexp(1.0, e - man_bits);
  double units = ax / q;          /* exact */
  double r = (trunc ? floor(units) : nearbyint(units)) * q;
  return copysign(r, x);
}

double num_round(num_fmt f, double x) {
  const num_fmt_info *fi = &fmt_table[f];
  if (isnan(x)) return x;
  if (isinf(x)) return fi->has_inf ? x : copysign(fi->max_finite, x);
  double r = num_round_bits(x, fi->man_bits, fi->emin, 0);
  if (fabs(r) > fi->max_finite)   /* rounded past the largest finite: only possible on overflow */
    r = fi->has_inf ? copysign(INFINITY, x) : copysign(fi->max_finite, x);
  return r;
}

uint16_t num_encode(num_fmt f, double x) {
  const num_fmt_info *fi = &fmt_table[f];
  unsigned sign_shift = (unsigned)(fi->exp_bits + fi->man_bits);
  unsigned exp_all = (1u << fi->exp_bits) - 1u;
  unsigned man_all = (1u << fi->man_bits) - 1u;
  if (isnan(x)) {
    if (f == NUM_FMT_E4M3) return 0x7F;
    /* quiet NaN: all-ones exponent, top fraction bit */
    return (uint16_t)((exp_all << fi->man_bits) | (1u << (fi->man_bits - 1)));
  }
  double r = num_round(f, x);
  unsigned sign = signbit(r) ? 1u : 0u;
  double ar = fabs(r);
  unsigned bits;
  if (ar == 0.0) {
    bits = 0;
  } else if (isinf(ar)) {
    bits = exp_all << fi->man_bits;
  } else {
    int e;
    (void)frexp(ar, &e);
    e -= 1;
    if (e < fi->emin) {           /* subnormal: exponent field 0, value = man * 2^(emin - man_bits) */
      bits = (unsigned)ldexp(ar, fi->man_bits - fi->emin);
    } else {
      unsigned man = (unsigned)(ldexp(ar, fi->man_bits - e) - ldexp(1.0, fi->man_bits));
      bits = ((unsigned)(e + fi->bias) << fi->man_bits) | (man & man_all);
    }
  }
  return (uint16_t)((sign << sign_shift) | bits);
}

double num_decode(num_fmt f, uint16_t bits) {
  const num_fmt_info *fi = &fmt_table[f];
  unsigned sign_shift = (unsigned)(fi->exp_bits + fi->man_bits);
  unsigned exp_all = (1u << fi->exp_bits) - 1u;
  unsigned man_all = (1u << fi->man_bits) - 1u;
  unsigned sign = ((unsigned)bits >> sign_shift) & 1u;
  unsigned ef = ((unsigned)bits >> fi->man_bits) & exp_all;
  unsigned man = (unsigned)bits & man_all;
  double v;
  if (f == NUM_FMT_E4M3 && ef == exp_all && man == man_all) {
    v = NAN;                      /* E4M3 spends only S.1111.111 on NaN */
  } else if (fi->has_inf && ef == exp_all) {
    v = man ? NAN : INFINITY;
  } else if (ef == 0) {
    v = ldexp((double)man, fi->emin - fi->man_bits);
  } else {
    v = ldexp(1.0 + ldexp((double)man, -fi->man_bits), (int)ef - fi->bias);
  }
  return sign ? -v : v;
}

/* One tile (or block row segment set) already reduced to its amax: the DeepSeek-V3 recipe
 * (inference/kernel.py act_quant: s = amax / 448; y = x / s) in FP32. */
static float tile_scale(num_fmt f, float amax) {
  if (f == NUM_FMT_BF16 || f == NUM_FMT_FP16) return 1.0f;
  return amax / (float)fmt_table[f].max_finite;
}

static float quant_one(num_fmt f, float x, float scale) {
  if (scale == 0.0f) return 0.0f;
  float y = x / scale;
  float q = (float)num_round(f, (double)y);
  return q * scale;
}

void num_quant_tiles(num_fmt f, const float *x, size_t n, size_t tile, float *out, float *scales) {
  if (tile == 0) tile = n ? n : 1;
  for (size_t t0 = 0, ti = 0; t0 < n; t0 += tile, ti++) {
    size_t m = n - t0 < tile ? n - t0 : tile;
    float amax = 0.0f;
    for (size_t i = 0; i < m; i++) amax = fmaxf(amax, fabsf(x[t0 + i]));
    float s = tile_scale(f, amax);
    if (scales) scales[ti] = s;
    for (size_t i = 0; i < m; i++) out[t0 + i] = quant_one(f, x[t0 + i], s);
  }
}

void num_quant_blocks(num_fmt f, const float *w, size_t rows, size_t cols, size_t br, size_t bc,
                      float *out, float *scales) {
  if (br == 0) br = rows ? rows : 1;
  if (bc == 0) bc = cols ? cols : 1;
  size_t nbc = (cols + bc - 1) / bc;
  for (size_t r0 = 0; r0 < rows; r0 += br) {
    size_t mr = rows - r0 < br ? rows - r0 : br;
    for (size_t c0 = 0; c0 < cols; c0 += bc) {
      size_t mc = cols - c0 < bc ? cols - c0 : bc;
      float amax = 0.0f;
      for (size_t i = 0; i < mr; i++)
        for (size_t j = 0; j < mc; j++) amax = fmaxf(amax, fabsf(w[(r0 + i) * cols + c0 + j]));
      float s = tile_scale(f, amax);
      if (scales) scales[(r0 / br) * nbc + c0 / bc] = s;
      for (size_t i = 0; i < mr; i++)
        for (size_t j = 0; j < mc; j++) {
          size_t k = (r0 + i) * cols + c0 + j;
          out[k] = quant_one(f, w[k], s);
        }
    }
  }
}
