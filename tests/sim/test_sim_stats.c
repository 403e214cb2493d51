/* Statistics helpers against hand-computed values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "sim_stats.h"

#define NEAR(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static void test_summary_small(void **state) {
  (void)state;
  double x[] = {5, 1, 4, 2, 3};
  const double orig[] = {5, 1, 4, 2, 3};
  sim_summary s;
  assert_int_equal(sim_summarize(x, 5, &s), 0);
  assert_memory_equal(x, orig, sizeof orig); /* input untouched */
  assert_int_equal(s.n, 5);
  NEAR(s.mean, 3.0, 1e-12);
  NEAR(s.stddev, sqrt(2.5), 1e-12); /* sample stddev: sum of squares 10 over n-1 = 4 */
  NEAR(s.min, 1.0, 0);
  NEAR(s.max, 5.0, 0);
  /* GSL quantile: index (n-1) q = 4 q, linear between neighbours */
  NEAR(s.p50, 3.0, 1e-12);
  NEAR(s.p90, 4.6, 1e-12);   /* 3.6 -> 4 + 0.6 */
  NEAR(s.p99, 4.96, 1e-12);  /* 3.96 -> 4 + 0.96 */
  NEAR(s.p999, 4.996, 1e-12);
}

static void test_summary_edge(void **state) {
  (void)state;
  sim_summary s;
  memset(&s, 0xff, sizeof s);
  assert_int_equal(sim_summarize(NULL, 0, &s), -1);
  assert_int_equal(s.n, 0);
  NEAR(s.mean, 0.0, 0);
  double one = 42.0;
  assert_int_equal(sim_summarize(&one, 1, &s), 0);
  NEAR(s.mean, 42.0, 0);
  NEAR(s.stddev, 0.0, 0);
  NEAR(s.p99, 42.0, 0);
}

static void test_quantile_sorted(void **state) {
  (void)state;
  const double v[] = {10, 20, 30, 40};
  NEAR(sim_quantile_sorted(v, 4, 0.5), 25.0, 1e-12);   /* index 1.5 */
  NEAR(sim_quantile_sorted(v, 4, 0.25), 17.5, 1e-12);  /* index 0.75 */
  NEAR(sim_quantile_sorted(v, 4, 0.0), 10.0, 0);
  NEAR(sim_quantile_sorted(v, 4, 1.0), 40.0, 0);
  assert_true(isnan(sim_quantile_sorted(v, 0, 0.5)));
}

static void test_histogram(void **state) {
  (void)state;
  sim_hist *h = sim_hist_new(4, 0.0, 4.0);
  assert_non_null(h);
  const double xs[] = {-1.0, 0.0, 0.5, 1.0, 3.999, 4.0, 10.0, NAN};
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) sim_hist_add(h, xs[i]);
  assert_int_equal(sim_hist_nbins(h), 4);
  NEAR(sim_hist_count(h, 0), 2.0, 0); /* 0.0, 0.5 */
  NEAR(sim_hist_count(h, 1), 1.0, 0); /* 1.0: lower edge is inclusive */
  NEAR(sim_hist_count(h, 2), 0.0, 0);
  NEAR(sim_hist_count(h, 3), 1.0, 0); /* 3.999 */
  assert_int_equal(sim_hist_under(h), 1);  /* -1 */
  assert_int_equal(sim_hist_over(h), 3);   /* 4.0 (upper edge exclusive), 10, NaN */
  double lo, hi;
  sim_hist_range(h, 1, &lo, &hi);
  NEAR(lo, 1.0, 1e-12);
  NEAR(hi, 2.0, 1e-12);
  sim_hist_free(h);
  sim_hist_free(NULL);
  assert_null(sim_hist_new(0, 0.0, 1.0));
  assert_null(sim_hist_new(4, 1.0, 1.0));
  assert_null(sim_hist_new(4, 2.0, 1.0));
}

static void test_welford_equals_two_pass(void **state) {
  (void)state;
  enum { N = 20000 };
  static double x[N];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 12345);
  sim_moments m;
  sim_moments_init(&m);
  assert_true(sim_moments_var(&m) == 0.0);
  for (int i = 0; i < N; i++) {
    x[i] = 1e6 + gsl_rng_uniform(r); /* large offset: where the naive sum of squares fails */
    sim_moments_add(&m, x[i]);
  }
  gsl_rng_free(r);
  double mean2 = gsl_stats_mean(x, 1, N);
  double var2 = gsl_stats_variance_m(x, 1, N, mean2); /* two-pass */
  assert_int_equal(m.n, N);
  NEAR(m.mean, mean2, 1e-9 * mean2);
  NEAR(sim_moments_var(&m), var2, 1e-6 * var2);
  NEAR(var2, 1.0 / 12.0, 0.01); /* uniform(0,1) */
  double mn = x[0], mx = x[0];
  for (int i = 1; i < N; i++) {
    if (x[i] < mn) mn = x[i];
    if (x[i] > mx) mx = x[i];
  }
  NEAR(m.min, mn, 0);
  NEAR(m.max, mx, 0);
  sim_moments one;
  sim_moments_init(&one);
  sim_moments_add(&one, 3.0);
  NEAR(sim_moments_var(&one), 0.0, 0);
  /* hand-computed: {2,4,4,4,5,5,7,9}: mean 5, sum of squares 32, sample variance 32/7 */
  const double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
  sim_moments w;
  sim_moments_init(&w);
  for (int i = 0; i < 8; i++) sim_moments_add(&w, v[i]);
  NEAR(w.mean, 5.0, 1e-12);
  NEAR(sim_moments_var(&w), 32.0 / 7.0, 1e-12);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_summary_small),   cmocka_unit_test(test_summary_edge),
      cmocka_unit_test(test_quantile_sorted), cmocka_unit_test(test_histogram),
      cmocka_unit_test(test_welford_equals_two_pass),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
