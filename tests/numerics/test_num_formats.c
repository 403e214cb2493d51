/* test_num_formats.c: exact rounding to BF16 / FP16 / E4M3 / E5M2 and per-tile scaling. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "num.h"

/* Encodes x and compares with the expected bits, printing both sides on failure. */
static void expect_enc(num_fmt f, double x, unsigned want) {
  unsigned got = num_encode(f, x);
  if (got != want) {
    print_error("%s encode(%.17g) = 0x%02X, want 0x%02X\n", num_fmt_get(f)->name, x, got, want);
    fail();
  }
}

static void test_e4m3_vectors(void **state) {
  (void)state;
  num_fmt f = NUM_FMT_E4M3;
  expect_enc(f, 0.0, 0x00);
  expect_enc(f, -0.0, 0x80);
  expect_enc(f, 1.0, 0x38);
  expect_enc(f, -2.0, 0xC0);
  expect_enc(f, 448.0, 0x7E);                 /* max finite: S.1111.110 */
  expect_enc(f, -448.0, 0xFE);
  expect_enc(f, 0x1p-6, 0x08);                /* min normal */
  expect_enc(f, 7 * 0x1p-9, 0x07);            /* max subnormal */
  expect_enc(f, 0x1p-9, 0x01);                /* min subnormal */
  /* ties to even */
  expect_enc(f, 1.0625, 0x38);                /* 1.000|1 -> 1.000 */
  expect_enc(f, 1.1875, 0x3A);                /* 1.001|1 -> 1.010 */
  expect_enc(f, 0x1p-10, 0x00);               /* half the min subnormal -> 0 (even) */
  expect_enc(f, 3 * 0x1p-10, 0x02);           /* 1.5 min subnormal -> 2 (even) */
  expect_enc(f, 1.5 * 0x1p-10, 0x01);         /* above the tie -> 1 */
  /* saturation: no inf in E4M3 */
  expect_enc(f, 464.0, 0x7E);
  expect_enc(f, 480.0, 0x7E);
  expect_enc(f, 1e9, 0x7E);
  expect_enc(f, INFINITY, 0x7E);
  expect_enc(f, -INFINITY, 0xFE);
  expect_enc(f, NAN, 0x7F);
  assert_true(isnan(num_decode(f, 0x7F)));
  assert_true(isnan(num_decode(f, 0xFF)));
  assert_true(num_decode(f, 0x78) == 256.0);  /* S.1111.000 is a number in E4M3 */
  assert_true(num_decode(f, 0x7E) == 448.0);
  assert_true(num_round(f, 500.0) == 448.0);
}

static void test_e5m2_vectors(void **state) {
  (void)state;
  num_fmt f = NUM_FMT_E5M2;
  expect_enc(f, 1.0, 0x3C);
  expect_enc(f, 57344.0, 0x7B);               /* max finite */
  expect_enc(f, 61439.0, 0x7B);               /* below max + half ulp */
  expect_enc(f, 61440.0, 0x7C);               /* tie: 1.11 (odd) vs 10.00 (even) -> inf */
  expect_enc(f, INFINITY, 0x7C);
  expect_enc(f, -INFINITY, 0xFC);
  expect_enc(f, 0x1p-16, 0x01);               /* min subnormal */
  expect_enc(f, 0x1p-14, 0x04);               /* min normal */
  expect_enc(f, 1.125, 0x3C);                 /* 1.00|1 -> 1.00 (even) */
  expect_enc(f, 1.375, 0x3E);                 /* 1.01|1 -> 1.10 (even) */
  assert_true(isinf(num_decode(f, 0x7C)));
  assert_true(isnan(num_decode(f, 0x7D)));
  assert_true(isnan(num_round(f, NAN)));
}

static void test_bf16_vectors(void **state) {
  (void)state;
  num_fmt f = NUM_FMT_BF16;
  expect_enc(f, 1.0, 0x3F80);
  expect_enc(f, 1.0 + 0x1p-8, 0x3F80);        /* tie -> even */
  expect_enc(f, 1.0 + 3 * 0x1p-8, 0x3F82);    /* tie -> even (up) */
  expect_enc(f, 3.14159265358979, 0x4049);
  expect_enc(f, 0x1.FEp127, 0x7F7F);
  expect_enc(f, 0x1.FFp127, 0x7F80);          /* max + half ulp -> inf */
  expect_enc(f, 0x1p-133, 0x0001);            /* min subnormal */
  expect_enc(f, -0x1p-126, 0x8080);
}

/* BF16 from FP32 by the usual bit trick (finite, no overflow) must agree with num_round. */
static void test_bf16_vs_bit_trick(void **state) {
  (void)state;
  num_rng r;
  num_rng_seed(&r, 42);
  for (int i = 0; i < 200000; i++) {
    uint32_t u = (uint32_t)num_rng_next(&r);
    if (((u >> 23) & 0xFF) >= 0xFE) continue; /* skip inf/nan and the overflow binade */
    float x;
    memcpy(&x, &u, sizeof x);
    uint32_t rb = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
    unsigned got = num_encode(NUM_FMT_BF16, (double)x);
    if (got != rb) {
      print_error("bf16(0x%08X) = 0x%04X, bit trick 0x%04X\n", u, got, rb);
      fail();
    }
  }
}

/* E4M3/E5M2: num_round equals the brute-force nearest over every finite code, ties to even code. */
static void brute_force(num_fmt f) {
  double vals[256];
  unsigned codes[256];
  int nv = 0;
  for (unsigned c = 0; c < 128; c++) {
    double v = num_decode(f, (uint16_t)c);
    if (!isfinite(v)) continue;
    vals[nv] = v;
    codes[nv++] = c;
  }
  /* positive codes decode in increasing order */
  for (int i = 1; i < nv; i++) assert_true(vals[i] > vals[i - 1]);
  num_rng r;
  num_rng_seed(&r, 7);
  double maxv = num_fmt_get(f)->max_finite;
  for (int it = 0; it < 100000; it++) {
    double x = ldexp(num_rng_uniform(&r), (int)(num_rng_next(&r) % 30) - 20);
    if (x > maxv) continue;
    int best = 0;
    for (int i = 1; i < nv; i++) {
      double d = fabs(vals[i] - x), db = fabs(vals[best] - x);
      if (d < db || (d == db && (codes[i] & 1u) == 0)) best = i;
    }
    double got = num_round(f, x);
    if (got != vals[best]) {
      print_error("%s round(%.17g) = %.17g, brute force %.17g\n", num_fmt_get(f)->name, x, got, vals[best]);
      fail();
    }
    /* every code decodes back to itself */
    assert_int_equal(num_encode(f, vals[best]), codes[best]);
  }
}

static void test_fp8_brute_force(void **state) {
  (void)state;
  brute_force(NUM_FMT_E4M3);
  brute_force(NUM_FMT_E5M2);
}

static void test_tile_quant(void **state) {
  (void)state;
  enum { N = 300, T = 128 };
  float x[N], q[N], s[3];
  num_dist_fill(NUM_DIST_STUDENT_T, 3, 0, x, N);
  num_quant_tiles(NUM_FMT_E4M3, x, N, T, q, s);
  for (int t = 0; t < 3; t++) {
    float amax = 0.0f;
    int imax = t * T;
    for (int i = t * T; i < N && i < (t + 1) * T; i++)
      if (fabsf(x[i]) > amax) { amax = fabsf(x[i]); imax = i; }
    assert_true(s[t] == amax / 448.0f);
    /* the tile max lands on +-448 * scale: relative error of one FP32 rounding at most */
    assert_true(fabsf(fabsf(q[imax]) - amax) <= amax * 2e-7f);
    for (int i = t * T; i < N && i < (t + 1) * T; i++) {
      double rel = fabs((double)q[i] - (double)x[i]);
      /* E4M3 half-ulp bound: 2^-4 relative for normals; subnormals: half of 2^-9 * scale */
      assert_true(rel <= fabs((double)x[i]) * 0.0625 + 0x1p-10 * (double)s[t] * 1.0001);
    }
  }
  /* all-zero tile */
  float z[4] = {0, 0, 0, 0}, zq[4], zs[1];
  num_quant_tiles(NUM_FMT_E4M3, z, 4, 128, zq, zs);
  assert_true(zs[0] == 0.0f && zq[0] == 0.0f && zq[3] == 0.0f);
}

static void test_block_quant(void **state) {
  (void)state;
  enum { R = 256, C = 200 };
  float *w = malloc(sizeof(float) * R * C), *q = malloc(sizeof(float) * R * C), s[2 * 2];
  num_dist_fill(NUM_DIST_GAUSSIAN, 11, 0, w, R * C);
  w[130 * C + 150] = 100.0f;                    /* one outlier in block (1,1) */
  num_quant_blocks(NUM_FMT_E4M3, w, R, C, 128, 128, q, s);
  assert_true(s[3] == 100.0f / 448.0f);
  assert_true(s[0] < s[3] / 10.0f);             /* the other blocks keep their own, small scale */
  assert_true(q[130 * C + 150] == 100.0f);
  free(w);
  free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_e4m3_vectors),   cmocka_unit_test(test_e5m2_vectors),
    cmocka_unit_test(test_bf16_vectors),   cmocka_unit_test(test_bf16_vs_bit_trick),
    cmocka_unit_test(test_fp8_brute_force), cmocka_unit_test(test_tile_quant),
    cmocka_unit_test(test_block_quant),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
