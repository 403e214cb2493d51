/* test_num_logfmt.c: LogFMT-nBit properties (paper 3.2 as read in docs/numerics.md). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "num.h"

static num_logfmt_cfg cfg(int nbits, num_logfmt_rounding r) {
  num_logfmt_cfg c = {nbits, r, 0.0};
  return c;
}

static void test_zero_sign_ends(void **state) {
  (void)state;
  num_logfmt_cfg c = cfg(8, NUM_LOGFMT_ROUND_LINEAR);
  float x[6] = {0.0f, -0.0f, 0.5f, -8.0f, 3.0f, -0.75f};
  uint16_t codes[6];
  float out[6];
  num_logfmt_tile t;
  assert_int_equal(num_logfmt_encode(&c, x, 6, codes, &t), 0);
  assert_int_equal(codes[0], 0x00);             /* zero: S.0000000 */
  assert_int_equal(codes[1], 0x80);             /* negative zero keeps its sign */
  assert_int_equal(codes[2], 0x01);             /* tile minimum: S.0000001 */
  assert_int_equal(codes[3], 0x80 | 0x7F);      /* tile maximum: S.1111111 */
  num_logfmt_decode(&c, codes, 6, &t, out);
  assert_true(out[0] == 0.0f && !signbit(out[0]));
  assert_true(out[1] == 0.0f && signbit(out[1]));
  assert_true(fabsf(out[2] - 0.5f) <= 0.5f * 1e-6f);
  assert_true(fabsf(out[3] + 8.0f) <= 8.0f * 1e-6f);
  assert_true(out[4] > 0.0f && out[5] < 0.0f);  /* signs survive */
}

static void test_monotonic(void **state) {
  (void)state;
  enum { M = 128 };
  num_logfmt_cfg c = cfg(8, NUM_LOGFMT_ROUND_LINEAR);
  float x[M];
  uint16_t codes[M];
  num_logfmt_tile t;
  for (int i = 0; i < M; i++) x[i] = (float)exp(-8.0 + 12.0 * i / (M - 1));  /* increasing */
  assert_int_equal(num_logfmt_encode(&c, x, M, codes, &t), 0);
  for (int i = 1; i < M; i++) assert_true(codes[i] >= codes[i - 1]);
  for (unsigned k = 1; k < 127; k++) assert_true(num_logfmt_value(&t, k + 1) > num_logfmt_value(&t, k));
}

/* Every nonzero value inside [min, max]: log-space error <= step/2 when rounding in log space,
 * <= ln((1 + e^step)/2) when rounding in linear space, and the linear choice is never farther in
 * value than either grid neighbour. */
static void test_error_bounds_and_nearest(void **state) {
  (void)state;
  enum { M = 128 };
  float x[M], out[M];
  uint16_t codes[M];
  num_rng r;
  num_rng_seed(&r, 5);
  for (int nb = 4; nb <= 10; nb += 2) {
    for (int rep = 0; rep < 50; rep++) {
      num_dist_fill(NUM_DIST_LOGNORMAL, (uint64_t)(rep * 16 + nb), 0, x, M);
      for (int mode = 0; mode < 2; mode++) {
        num_logfmt_cfg c = cfg(nb, mode ? NUM_LOGFMT_ROUND_LOG : NUM_LOGFMT_ROUND_LINEAR);
        num_logfmt_tile t;
        assert_int_equal(num_logfmt_encode(&c, x, M, codes, &t), 0);
        num_logfmt_decode(&c, codes, M, &t, out);
        double s = (double)t.step;
        double bound = mode ? s / 2 : log((1.0 + exp(s)) / 2.0);
        unsigned kmax = (1u << (nb - 1)) - 1u;
        for (int i = 0; i < M; i++) {
          double a = fabs((double)x[i]), q = fabs((double)out[i]);
          assert_true(q > 0.0);                 /* lognormal range < 2^32: nothing flushed */
          double le = fabs(log(q) - log(a));
          if (le > bound * (1 + 1e-9) + 1e-6) {
            print_error("n=%d mode=%d: |ln q - ln x| = %g > bound %g (step %g)\n", nb, mode, le, bound, s);
            fail();
          }
          if (!mode) {
            unsigned k = codes[i] & kmax;
            double d = fabs(q - a);
            if (k > 1) assert_true(d <= fabs((double)num_logfmt_value(&t, k - 1) - a));
            if (k < kmax) assert_true(d <= fabs((double)num_logfmt_value(&t, k + 1) - a));
          }
        }
      }
    }
  }
}

/* Grid {1, 2, 4} (n = 3): 2.9 lies nearer 2 in value but nearer 4 in log (sqrt(8) = 2.83). */
static void test_linear_vs_log_rounding(void **state) {
  (void)state;
  float x[3] = {1.0f, 4.0f, 2.9f}, out[3];
  uint16_t codes[3];
  num_logfmt_tile t;
  num_logfmt_cfg lin = cfg(3, NUM_LOGFMT_ROUND_LINEAR), lg = cfg(3, NUM_LOGFMT_ROUND_LOG);
  assert_int_equal(num_logfmt_encode(&lin, x, 3, codes, &t), 0);
  num_logfmt_decode(&lin, codes, 3, &t, out);
  assert_true(fabsf(out[2] - 2.0f) < 1e-5f);
  assert_int_equal(codes[2], 2);
  assert_int_equal(num_logfmt_encode(&lg, x, 3, codes, &t), 0);
  num_logfmt_decode(&lg, codes, 3, &t, out);
  assert_true(fabsf(out[2] - 4.0f) < 1e-5f);
  assert_int_equal(codes[2], 3);
}

/* min >= max - ln(2^32): a value 2^-40 below the max flushes to zero, 2^-20 survives. */
static void test_min_clamp(void **state) {
  (void)state;
  num_logfmt_cfg c = cfg(8, NUM_LOGFMT_ROUND_LINEAR);
  float x[4] = {1.0f, 0x1p-40f, 0x1p-20f, 0x1p-32f}, out[4];
  uint16_t codes[4];
  num_logfmt_tile t;
  assert_int_equal(num_logfmt_encode(&c, x, 4, codes, &t), 0);
  assert_true(fabs((double)t.min_ln - (-32.0 * log(2.0))) < 1e-5);
  num_logfmt_decode(&c, codes, 4, &t, out);
  assert_int_equal(codes[1], 0);
  assert_true(out[1] == 0.0f);
  assert_true(fabs(log((double)out[2]) - log(0x1p-20)) <= (double)t.step);
  assert_int_equal(codes[3], 1);                /* exactly at the clamp: code 1 */
  /* a wider clamp keeps 2^-40 */
  c.range_log2 = 48.0;
  assert_int_equal(num_logfmt_encode(&c, x, 4, codes, &t), 0);
  assert_true(codes[1] != 0);
}

static void test_all_zero_and_errors(void **state) {
  (void)state;
  num_logfmt_cfg c = cfg(8, NUM_LOGFMT_ROUND_LINEAR);
  float z[3] = {0.0f, 0.0f, 0.0f}, out[3];
  uint16_t codes[3];
  num_logfmt_tile t;
  assert_int_equal(num_logfmt_encode(&c, z, 3, codes, &t), 0);
  num_logfmt_decode(&c, codes, 3, &t, out);
  assert_true(codes[0] == 0 && out[2] == 0.0f);
  float one[2] = {3.0f, -3.0f};                 /* single magnitude: step 0 */
  assert_int_equal(num_logfmt_encode(&c, one, 2, codes, &t), 0);
  num_logfmt_decode(&c, codes, 2, &t, out);
  assert_true(fabsf(out[0] - 3.0f) < 1e-6f && fabsf(out[1] + 3.0f) < 1e-6f);
  float bad[2] = {1.0f, NAN};
  assert_int_equal(num_logfmt_encode(&c, bad, 2, codes, &t), -1);
  c.nbits = 2;
  assert_int_equal(num_logfmt_encode(&c, one, 2, codes, &t), -1);
  c.nbits = 17;
  assert_int_equal(num_logfmt_encode(&c, one, 2, codes, &t), -1);
}

/* n = 10 beats n = 8 (about 4x: one more bit halves the step twice); linear rounding is never
 * farther from x in value than log rounding, element by element. */
static void test_more_bits_less_error(void **state) {
  (void)state;
  enum { N = 128 * 512 };
  float *x = malloc(sizeof(float) * N), *q = malloc(sizeof(float) * N);
  for (int d = 0; d < NUM_DIST_COUNT; d++) {
    num_dist_fill((num_dist)d, 9, 0, x, N);
    num_err_stats e8, e10, elog;
    num_logfmt_cfg c8 = cfg(8, NUM_LOGFMT_ROUND_LINEAR), c10 = cfg(10, NUM_LOGFMT_ROUND_LINEAR);
    num_logfmt_cfg clog = cfg(8, NUM_LOGFMT_ROUND_LOG);
    assert_int_equal(num_logfmt_roundtrip(&c8, x, N, 128, q), 0);
    assert_int_equal(num_err_compute(x, q, N, &e8), 0);
    assert_int_equal(num_logfmt_roundtrip(&c10, x, N, 128, q), 0);
    assert_int_equal(num_err_compute(x, q, N, &e10), 0);
    assert_int_equal(num_logfmt_roundtrip(&clog, x, N, 128, q), 0);
    assert_int_equal(num_err_compute(x, q, N, &elog), 0);
    if (!(e10.rel_rmse < e8.rel_rmse / 2.5)) {
      print_error("%s: rel_rmse n=10 %g, n=8 %g: expected about 4x less\n", num_dist_name((num_dist)d),
                  e10.rel_rmse, e8.rel_rmse);
      fail();
    }
    float *ql = malloc(sizeof(float) * N);
    assert_int_equal(num_logfmt_roundtrip(&c8, x, N, 128, q), 0);
    assert_int_equal(num_logfmt_roundtrip(&clog, x, N, 128, ql), 0);
    for (int i = 0; i < N; i++) assert_true(fabsf(q[i] - x[i]) <= fabsf(ql[i] - x[i]));
    assert_true(e8.rel_rmse <= elog.rel_rmse);
    free(ql);
  }
  free(x);
  free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_zero_sign_ends),          cmocka_unit_test(test_monotonic),
    cmocka_unit_test(test_error_bounds_and_nearest), cmocka_unit_test(test_linear_vs_log_rounding),
    cmocka_unit_test(test_min_clamp),               cmocka_unit_test(test_all_zero_and_errors),
    cmocka_unit_test(test_more_bits_less_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
