/* test_exp_numerics.c: runs the `logfmt` and `fp8_accum` experiments through stub scen and res
 * layers: values come from a key table or the schema's defaults; reading a key the schema lacks
 * fails the test (the real loader aborts). Checks the metrics' relations the paper discusses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exp.h"

extern const cli_experiment cli_exp_logfmt, cli_exp_fp8_accum;

/* ---- stub scenario: key=value pairs over the experiment's schema defaults ---- */
struct scen {
  const scen_key *schema;
  const char *kv[16][2];
  int nkv;
};

static const char *value_of(const scen *s, const char *path) {
  for (int i = 0; i < s->nkv; i++)
    if (strcmp(s->kv[i][0], path) == 0) return s->kv[i][1];
  for (const scen_key *k = s->schema; k->name; k++)
    if (strcmp(k->name, path) == 0) {
      if (!k->def) fail_msg("key %s has no default and no value", path);
      return k->def;
    }
  fail_msg("key %s is not in the schema", path);
  return NULL;
}

const char *scen_str(const scen *s, const char *path) { return value_of(s, path); }
int64_t scen_int(const scen *s, const char *path) { return strtoll(value_of(s, path), NULL, 10); }
double scen_f64(const scen *s, const char *path) { return strtod(value_of(s, path), NULL); }
uint64_t scen_seed(const scen *s) { (void)s; return 1; }

/* ---- stub results: the last run's metrics ---- */
struct res_run {
  char name[64][40];
  double value[64];
  int n;
};

void res_run_metric(res_run *r, const char *name, double value, const char *unit) {
  (void)unit;
  assert_true(r->n < 64);
  snprintf(r->name[r->n], sizeof r->name[0], "%s", name);
  r->value[r->n++] = value;
}
void res_run_param(res_run *r, const char *key, const char *value) { (void)r; (void)key; (void)value; }

static double metric(const res_run *r, const char *name) {
  for (int i = 0; i < r->n; i++)
    if (strcmp(r->name[i], name) == 0) return r->value[i];
  fail_msg("metric %s not recorded", name);
  return 0;
}

static void run(const cli_experiment *e, scen *s, res_run *r) {
  char err[256] = "";
  s->schema = e->schema;
  memset(r, 0, sizeof *r);
  if (e->run(s, 0, r, err, sizeof err) != 0) fail_msg("%s failed: %s", e->name, err);
}

static void test_logfmt(void **state) {
  (void)state;
  static const char *const fmts[] = {"logfmt8", "logfmt10", "e4m3", "e5m2", "bf16"};
  static const char *const dists[] = {"gaussian", "student_t", "lognormal", "mixture", "outlier_channels"};
  for (int d = 0; d < 5; d++) {
    scen s = {NULL, {{"distribution", dists[d]}, {"elements", "65536"}}, 2};  /* format: all (default) */
    res_run r;
    run(&cli_exp_logfmt, &s, &r);
    double rmse[5];
    for (int f = 0; f < 5; f++) {
      char nm[64];
      snprintf(nm, sizeof nm, "rel_rmse_%s", fmts[f]);
      rmse[f] = metric(&r, nm);
      print_message("%-17s %-9s rel_rmse %.4g\n", dists[d], fmts[f], rmse[f]);
    }
    assert_true(rmse[1] < rmse[0]);              /* LogFMT-10 < LogFMT-8 */
    assert_true(rmse[0] < rmse[2]);              /* LogFMT-8 < E4M3 (this emulation's finding) */
    assert_true(rmse[2] < rmse[3]);              /* E4M3 < E5M2 */
    assert_true(rmse[4] < rmse[1]);              /* BF16 < LogFMT-10 */
  }
  /* one format, generic n; deterministic */
  scen s = {NULL, {{"format", "logfmt"}, {"nbits", "6"}, {"elements", "4096"}}, 3};
  res_run a, b;
  run(&cli_exp_logfmt, &s, &a);
  run(&cli_exp_logfmt, &s, &b);
  assert_true(metric(&a, "rel_rmse_logfmt6") == metric(&b, "rel_rmse_logfmt6"));
  assert_true(metric(&a, "bits_per_elem_logfmt6") == 6.5);
}

static void test_fp8_accum(void **state) {
  (void)state;
  scen s = {NULL, {{"k", "4096"}, {"trials", "16"}}, 2};   /* accumulation: all (default) */
  res_run r;
  run(&cli_exp_fp8_accum, &s, &r);
  double f32 = metric(&r, "rel_err_mean_fp32"), f22 = metric(&r, "rel_err_mean_fp22");
  double pro = metric(&r, "rel_err_mean_fp22_promote");
  print_message("positive K=4096 fp32 %.3g fp22 %.3g promote %.3g gain %.1f\n", f32, f22, pro,
                metric(&r, "promote_gain"));
  assert_true(f32 < pro && pro * 30 < f22);
  scen one = {NULL, {{"k", "512"}, {"trials", "4"}, {"accumulation", "fp22"}}, 3};
  run(&cli_exp_fp8_accum, &one, &r);
  assert_true(metric(&r, "rel_err_mean_fp22") > 0.0);
  assert_int_equal(r.n, 5);                      /* 4 metrics of fp22 + trials; no promote_gain */
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_logfmt), cmocka_unit_test(test_fp8_accum)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
