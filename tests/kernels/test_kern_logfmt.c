/* GPU test: LogFMT-nBit encode/decode/round trip against the double-precision CPU reference. */
#include <stdint.h>
#include <string.h>

#include "kern_logfmt.h"
#include "kern_ref.h"
#include "test_kern_util.h"

int main(void) {
  TK_REQUIRE_GPU();
  const size_t n = (size_t)128 * 4096;
  const size_t nt = n / 128;
  uint16_t *x = tk_malloc(n * 2), *y = tk_malloc(n * 2), *y2 = tk_malloc(n * 2);
  uint8_t *codes = tk_malloc(n), *rcodes = tk_malloc(n);
  float *meta = tk_malloc(nt * 8), *rmeta = tk_malloc(nt * 8);
  double *orig = tk_malloc(n * sizeof(double)), *dec = tk_malloc(n * sizeof(double));
  double *rdec = tk_malloc(n * sizeof(double));
  /* activations-like: per tile a random base scale over 2^-20..2^5, values spread over up to
   * 2^-12 of the tile max, some exact zeros; special tiles: all zero, one nonzero, constant,
   * range wider than 2^32 (exercises the lmin clamp). */
  for (size_t t = 0; t < nt; ++t) {
    const double base = exp2(-20.0 + 25.0 * tk_uniform());
    for (int i = 0; i < 128; ++i) {
      double v = base * exp2(-12.0 * tk_uniform()) * (tk_uniform() < 0.5 ? -1.0 : 1.0);
      if (tk_uniform() < 0.02) v = 0.0;
      if (t == 1) v = 0.0;
      if (t == 2) v = (i == 17) ? -3.5 : 0.0;
      if (t == 3) v = 0.75;
      if (t == 4) v = (i % 2) ? exp2(-40.0 * tk_uniform()) : 1.0;
      x[t * 128 + i] = kern_f32_to_bf16((float)v);
    }
  }
  tk_bf16_to_double(x, orig, n);
  void *d_x = kern_dev_alloc(n * 2), *d_y = kern_dev_alloc(n * 2);
  uint8_t *d_codes = kern_dev_alloc(n);
  float *d_meta = kern_dev_alloc(nt * 8);
  kern_h2d(d_x, x, n * 2);
  const int nbits_list[] = {8, 5, 3};
  for (size_t bi = 0; bi < sizeof nbits_list / sizeof nbits_list[0]; ++bi) {
    const int nb = nbits_list[bi];
    char what[160];
    kern_dev_memset(d_codes, 0xff, n);
    kern_dev_memset(d_meta, 0xff, nt * 8);
    int rc = kern_logfmt_encode(d_x, d_codes, d_meta, n, nb);
    kern_sync();
    kern_d2h(codes, d_codes, n);
    kern_d2h(meta, d_meta, nt * 8);
    kern_ref_logfmt_encode(x, rcodes, rmeta, n, nb);
    long bad_meta = 0, diff = 0, far = 0;
    for (size_t t = 0; t < nt; ++t) {
      for (int j = 0; j < 2; ++j) {
        const double a = meta[2 * t + j], r = rmeta[2 * t + j];
        if (!isfinite(a) || fabs(a - r) > 1e-5 * (1.0 + fabs(r))) ++bad_meta;
      }
    }
    const unsigned K = (1u << (nb - 1)) - 1u;
    for (size_t i = 0; i < n; ++i) {
      if (codes[i] != rcodes[i]) {
        ++diff;
        const int same_sign = (codes[i] >> (nb - 1)) == (rcodes[i] >> (nb - 1));
        const int dk = (int)(codes[i] & K) - (int)(rcodes[i] & K);
        if (!same_sign || dk > 1 || dk < -1 || codes[i] >> nb) ++far;
      }
    }
    snprintf(what, sizeof what, "logfmt%d encode rc=%d: tile meta differing (lmin, step)", nb, rc);
    tk_check_count(what, bad_meta, (long)(2 * nt), 0);
    snprintf(what, sizeof what, "logfmt%d encode: codes differing from reference (near ties)", nb);
    tk_check_count(what, diff, (long)n, (long)(n / 1000));
    snprintf(what, sizeof what, "logfmt%d encode: codes off by more than one step", nb);
    tk_check_count(what, far, (long)n, 0);
    /* decode on GPU vs CPU decode of the GPU's codes */
    kern_dev_memset(d_y, 0xff, n * 2);
    rc = kern_logfmt_decode(d_codes, d_meta, d_y, n, nb);
    kern_sync();
    kern_d2h(y, d_y, n * 2);
    tk_bf16_to_double(y, dec, n);
    for (size_t i = 0; i < n; ++i)
      rdec[i] = kern_bf16_to_f32(kern_f32_to_bf16(kern_ref_logfmt_decode1(codes[i], meta[2 * (i / 128)],
                                                                           meta[2 * (i / 128) + 1], nb)));
    snprintf(what, sizeof what, "logfmt%d decode rc=%d vs CPU decode of the same codes", nb, rc);
    tk_check(what, kern_ref_rel_err(dec, rdec, n), 4e-3);
    /* fused round trip must equal decode(encode(x)) on the GPU bit for bit */
    kern_dev_memset(d_y, 0xff, n * 2);
    rc = kern_logfmt_roundtrip(d_x, d_y, n, nb);
    kern_sync();
    kern_d2h(y2, d_y, n * 2);
    long rt_bad = 0;
    for (size_t i = 0; i < n; ++i) rt_bad += y2[i] != y[i];
    snprintf(what, sizeof what, "logfmt%d fused round trip rc=%d vs encode+decode (bits)", nb, rc);
    tk_check_count(what, rt_bad, (long)n, 0);
    /* information only: quantization error of the format on this data (tile 4 excluded: its
     * values below the 2^-32 clamp are flushed by design) */
    double num = 0, den = 0;
    for (size_t i = 128 * 5; i < n; ++i) {
      num += (dec[i] - orig[i]) * (dec[i] - orig[i]);
      den += orig[i] * orig[i];
    }
    printf("  logfmt%d reconstruction rel_err vs input: %.3e\n", nb, sqrt(num / den));
  }
  /* plain copy */
  kern_dev_memset(d_y, 0xff, n * 2);
  kern_copy_bf16(d_x, d_y, n);
  kern_sync();
  kern_d2h(y, d_y, n * 2);
  tk_check_count("copy_bf16: elements differing", (long)(memcmp(x, y, n * 2) != 0), 1, 0);
  if (kern_logfmt_encode(d_x, d_codes, d_meta, 100, 8) != KERN_EINVAL) ++tk_failures;
  if (kern_logfmt_encode(d_x, d_codes, d_meta, n, 2) != KERN_EINVAL) ++tk_failures;
  kern_dev_free(d_x); kern_dev_free(d_y); kern_dev_free(d_codes); kern_dev_free(d_meta);
  free(x); free(y); free(y2); free(codes); free(rcodes); free(meta); free(rmeta);
  free(orig); free(dec); free(rdec);
  return tk_finish("test_kern_logfmt");
}
