/* test_compute.c: the compute model on the synthetic fixture tests/data/traces/synthetic.csv,
 * whose times are exact power laws of the shape (see the generator note in the file). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "compute.h"

#define FIX CS_TEST_DATA "/traces/synthetic.csv"

static const comp_gpu h100 = {"h100", 132, 1830e6, 989.4e12, 1978.9e12, 3.35e12, NULL};
static const comp_gpu h800 = {"h800", 132, 1830e6, 989.4e12, 1978.9e12, 3.35e12, "h100"};

static comp_trace *load(void) {
  comp_trace *t = NULL;
  char err[512];
  if (comp_trace_load(FIX, &t, err, sizeof err) < 0) {
    print_error("%s\n", err);
    fail();
  }
  return t;
}

static void expect_time(const comp_model *m, comp_query q, double want_us, comp_source src) {
  comp_result r;
  char err[512];
  if (comp_duration(m, &q, &r, err, sizeof err) < 0) {
    print_error("%s\n", err);
    fail();
  }
  double got = r.time_s * 1e6;
  if (fabs(got - want_us) > 1e-6 * want_us || r.source != src) {
    print_error("%s d=(%lld,%lld,%lld,%lld): %.9g us from %s (%s), want %.9g us from %s\n", comp_op_name(q.op),
                (long long)q.d[0], (long long)q.d[1], (long long)q.d[2], (long long)q.d[3], got,
                comp_source_name(r.source), r.detail, want_us, comp_source_name(src));
    fail();
  }
  if (src != COMP_SRC_ROOFLINE) assert_string_equal(r.file, FIX);
  else assert_null(r.file);
  assert_true(r.time_ps == (uint64_t)llround(want_us * 1e6) || fabs((double)r.time_ps - want_us * 1e6) < 1e-6 * want_us * 1e6 + 1);
}

static double mla(double b, double c) { return 10.0 * pow(b, 0.5) * pow(c / 1024, 0.75); }
static double gemm(double m, double n, double k) { return 2 * m * n * k / 600e12 * 1e6 * pow(m / 8192, -0.1); }

static void test_meta(void **state) {
  (void)state;
  comp_trace *t = load();
  const comp_trace_meta *mt = comp_trace_meta_get(t);
  assert_int_equal(mt->version, 1);
  assert_int_equal(mt->sm_count, 132);
  assert_true(mt->sm_clock_mhz == 1830.0);
  assert_string_equal(mt->date, "2025-01-01");
  assert_true(mt->ceiling_fp8_tflops == 1300.0);
  assert_true(strstr(mt->gpu, "H100") != NULL);
  assert_int_equal(comp_trace_nrows(t), 32);
  comp_trace_free(t);
  comp_trace_free(NULL);
}

static void test_exact_and_interp(void **state) {
  (void)state;
  comp_trace *t = load();
  comp_model m;
  char err[256];
  assert_int_equal(comp_model_init(&m, &h100, t, err, sizeof err), 0);
  assert_int_equal(m.proxy, 0);
  comp_query q = {COMP_OP_MLA_DECODE, "flashmla", "bf16", {32, 2048, 128, 0}, 0, 0};
  expect_time(&m, q, mla(32, 2048), COMP_SRC_TRACE_EXACT);
  q.d[0] = 64; q.d[1] = 4096;                     /* bilinear inside the grid: exact for a power law */
  expect_time(&m, q, mla(64, 4096), COMP_SRC_TRACE_INTERP);
  q.d[0] = 8; q.d[1] = 3000;                      /* one axis on the grid */
  expect_time(&m, q, mla(8, 3000), COMP_SRC_TRACE_INTERP);
  q.impl = NULL;                                  /* first impl of the dtype */
  expect_time(&m, q, mla(8, 3000), COMP_SRC_TRACE_INTERP);
  comp_query g = {COMP_OP_GEMM, "cublaslt_fp8_blockscaled", "fp8", {1000, 7168, 2048, 0}, 0, 0};
  expect_time(&m, g, gemm(1000, 7168, 2048), COMP_SRC_TRACE_INTERP);
  g.d[0] = 2048;
  expect_time(&m, g, gemm(2048, 7168, 2048), COMP_SRC_TRACE_EXACT);
  /* unknown (N, K): nearest measured (N, K) scaled by FLOPs: M^0.9 law at (7168, 2048) x N K ratio */
  g.d[0] = 1000; g.d[1] = 7168; g.d[2] = 2560;
  expect_time(&m, g, gemm(1000, 7168, 2048) * 2560.0 / 2048.0, COMP_SRC_TRACE_INTERP);
  comp_query e = {COMP_OP_MOE_FFN, NULL, "fp8", {100, 32, 7168, 2048}, 0, 0};
  expect_time(&m, e, 20.0 * pow(100.0 / 16, 0.6), COMP_SRC_TRACE_INTERP);
  comp_query c = {COMP_OP_COPY, NULL, NULL, {10000000, 0, 0, 0}, 0, 0};
  expect_time(&m, c, 2.0 * pow(10.0, 0.95), COMP_SRC_TRACE_INTERP);
  comp_trace_free(t);
}

static void test_roofline(void **state) {
  (void)state;
  comp_trace *t = load();
  comp_model m;
  char err[256];
  assert_int_equal(comp_model_init(&m, &h100, t, err, sizeof err), 0);
  /* outside the measured batch range: no extrapolation */
  comp_query q = {COMP_OP_MLA_DECODE, "flashmla", "bf16", {512, 4096, 128, 0}, 1e9, 3.35e9};
  expect_time(&m, q, 1000.0, COMP_SRC_ROOFLINE);  /* 3.35e9 B / 3.35e12 B/s = 1 ms */
  /* heads not measured */
  q.d[0] = 64; q.d[2] = 16; q.bytes = 0; q.flops = 989.4e12 * 1e-3;
  expect_time(&m, q, 1000.0, COMP_SRC_ROOFLINE);
  /* gemm with a dtype no row has: roofline with derived FLOPs */
  comp_query g = {COMP_OP_GEMM, NULL, "bf16", {4096, 4096, 4096, 0}, 0, 0};
  expect_time(&m, g, 2.0 * 4096.0 * 4096 * 4096 / 989.4e12 * 1e6, COMP_SRC_ROOFLINE);
  g.dtype = "fp8_e4m3";                           /* the bench's dtype name: FP8 peak */
  expect_time(&m, g, 2.0 * 4096.0 * 4096 * 4096 / 1978.9e12 * 1e6, COMP_SRC_ROOFLINE);
  /* no trace at all */
  comp_model bare;
  assert_int_equal(comp_model_init(&bare, &h100, NULL, err, sizeof err), 0);
  comp_query c = {COMP_OP_COPY, NULL, NULL, {1000000, 0, 0, 0}, 0, 0};
  expect_time(&bare, c, 2e6 / 3.35e12 * 1e6, COMP_SRC_ROOFLINE);
  /* moe_ffn off the trace: roofline with work derived from the shape (3 GEMMs, FP8 weights) */
  comp_query me = {COMP_OP_MOE_FFN, NULL, "fp8", {1, 2, 3, 4}, 0, 0};
  double me_flops = 2.0 * 3 * 1 * 2 * 3 * 4, me_bytes = 2.0 * 3 * 3 * 4 * 1 + 2.0 * 1 * 2 * 3 * 2;
  expect_time(&m, me, fmax(me_flops / 1978.9e12, me_bytes / 3.35e12) * 1e6, COMP_SRC_ROOFLINE);
  /* nothing to go on: a shape with no work and no flops/bytes given */
  comp_query mq = {COMP_OP_MOE_FFN, NULL, "fp8", {0, 0, 0, 0}, 0, 0};
  comp_result r;
  assert_int_equal(comp_duration(&m, &mq, &r, err, sizeof err), -1);
  assert_non_null(strstr(err, "moe_ffn"));
  comp_trace_free(t);
}

static void test_h800_uses_h100_trace(void **state) {
  (void)state;
  comp_trace *t = load();
  comp_model m;
  char err[256], path[256];
  assert_string_equal(comp_trace_path_for(&h800, "results/traces", path, sizeof path), "results/traces/h100.csv");
  assert_int_equal(comp_model_init(&m, &h800, t, err, sizeof err), 0);
  assert_int_equal(m.proxy, 1);
  comp_query q = {COMP_OP_MLA_DECODE, "flashmla", "bf16", {32, 2048, 128, 0}, 0, 0};
  comp_result r;
  assert_int_equal(comp_duration(&m, &q, &r, err, sizeof err), 0);
  assert_int_equal(r.proxy, 1);
  assert_int_equal(r.source, COMP_SRC_TRACE_EXACT);
  /* a preset whose trace_from is not the trace's GPU is refused, naming both */
  comp_gpu b200 = {"b200", 148, 1.9e9, 2.25e15, 4.5e15, 8e12, NULL};
  assert_int_equal(comp_model_init(&m, &b200, t, err, sizeof err), -1);
  assert_non_null(strstr(err, "b200"));
  comp_gpu odd = {"h100x", 114, 1.7e9, 7e14, 1.4e15, 2e12, "h100"};
  assert_int_equal(comp_model_init(&m, &odd, t, err, sizeof err), -1);
  assert_non_null(strstr(err, "114"));
  comp_trace_free(t);
}

static void expect_load_error(const char *file, const char *needle) {
  comp_trace *t = (comp_trace *)1;
  char err[512] = "";
  assert_int_equal(comp_trace_load(file, &t, err, sizeof err), -1);
  assert_null(t);
  if (!strstr(err, needle)) {
    print_error("loading %s: message '%s' lacks '%s'\n", file, err, needle);
    fail();
  }
}

static void test_bad_files(void **state) {
  (void)state;
  expect_load_error(CS_TEST_DATA "/traces/bad_magic.csv", "not a clustersim kernel trace");
  expect_load_error(CS_TEST_DATA "/traces/newer_version.csv", "version 2 is newer");
  expect_load_error(CS_TEST_DATA "/traces/bad_row.csv", "bad_row.csv:5: op 'conv2d' unknown");
  expect_load_error(CS_TEST_DATA "/traces/no_such_file.csv", "cannot open");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_meta),     cmocka_unit_test(test_exact_and_interp),
    cmocka_unit_test(test_roofline), cmocka_unit_test(test_h800_uses_h100_trace),
    cmocka_unit_test(test_bad_files),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
