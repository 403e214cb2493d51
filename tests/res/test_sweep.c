/* test_sweep.c: the sweep driver (cli/res/res.h): same rows in-process and with workers, resume after
 * SIGKILL without losing or duplicating anything, failures and dead workers recorded, progress. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "res.h"
#include "res_test_util.h"

#define ERRLEN 512

/* A fake experiment: point i has identity sha-<i>, seed 1000+i; a run records two params, two
 * metrics and a three-point series, all functions of (i, replicate). */
typedef struct fake {
  size_t npoints;
  uint32_t reps;
  int sleep_ms;
  int fail_mod;        /* > 0: points with i % fail_mod == 1 fail */
  long crash_point;    /* >= 0: a worker running this point kills itself with SIGKILL */
  pid_t parent;
  char sha[32], label[32], yaml[64];
} fake;

static void fake_point(void *ctx, size_t i, sweep_point_info *info) {
  fake *f = ctx;
  snprintf(f->sha, sizeof f->sha, "sha-%04zu", i);
  snprintf(f->label, sizeof f->label, "i=%zu", i);
  snprintf(f->yaml, sizeof f->yaml, "name: fake\ni: %zu\n", i);
  info->scenario = "fake";
  info->sha256 = f->sha;
  info->label = f->label;
  info->yaml = f->yaml;
  info->seed = 1000 + i;
}

static void fake_params(void *ctx, size_t i, res_run *r) {
  (void)ctx;
  char v[32];
  snprintf(v, sizeof v, "%zu", i);
  res_run_param(r, "i", v);
  res_run_param(r, "kind", "fake");
}

static void sleep_ms(int ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static int fake_run(void *ctx, size_t i, uint32_t rep, res_run *out, char *err, size_t errlen) {
  fake *f = ctx;
  if (f->crash_point >= 0 && (size_t)f->crash_point == i && getpid() != f->parent)
    kill(getpid(), SIGKILL);
  if (f->sleep_ms > 0) sleep_ms(f->sleep_ms);
  if (f->fail_mod > 0 && i % (size_t)f->fail_mod == 1) {
    snprintf(err, errlen, "synthetic failure at point %zu", i);
    return -1;
  }
  res_run_metric(out, "value", (double)(i * 10 + rep), "u");
  res_run_metric(out, "rep", rep, NULL);
  for (int k = 0; k < 3; k++) res_run_series(out, "s", k, (double)i * k + rep);
  return 0;
}

static sweep_ops fake_ops(fake *f) {
  f->parent = getpid();
  return (sweep_ops){.npoints = f->npoints, .replicates = f->reps, .ctx = f, .point = fake_point,
                     .run = fake_run, .params = fake_params};
}

static int sweep(fake *f, const char *path, int jobs, int force, sweep_stats *st) {
  sweep_ops ops = fake_ops(f);
  sweep_opts o = {.db_path = path, .jobs = jobs, .progress = 0, .force = force, .quiet = 1};
  char err[ERRLEN] = "";
  int rc = sweep_run(&ops, &o, st, err, sizeof err);
  if (rc < 0) fail_msg("sweep_run(%s, jobs %d) store error: %s", path, jobs, err);
  return rc;
}

static void expect_stats(const sweep_stats *st, size_t total, size_t skipped, size_t ran, size_t failed) {
  if (st->total != total || st->skipped != skipped || st->ran != ran || st->failed != failed)
    fail_msg("stats: total %zu skipped %zu ran %zu failed %zu; expected %zu %zu %zu %zu", st->total,
             st->skipped, st->ran, st->failed, total, skipped, ran, failed);
}

static void expect_invariants(const char *path) {
  const char *bad = rt_check_invariants(path);
  if (bad) fail_msg("%s: %s", path, bad);
}

static void expect_same(const char *a, const char *b) {
  char *da = rt_dump(a), *db = rt_dump(b);
  if (strcmp(da, db) != 0) fail_msg("%s and %s differ:\n--- %s\n%s--- %s\n%s", a, b, a, da, b, db);
  free(da);
  free(db);
}

static void test_sweep_serial_and_parallel_agree(void **state) {
  (void)state;
  fake f = {.npoints = 12, .reps = 2, .crash_point = -1};
  sweep_stats st;
  const char *a = rt_path("agree-serial.sqlite"), *b = rt_path("agree-parallel.sqlite");
  assert_int_equal(sweep(&f, a, 1, 0, &st), 0);
  expect_stats(&st, 24, 0, 24, 0);
  assert_int_equal(sweep(&f, b, 3, 0, &st), 0);
  expect_stats(&st, 24, 0, 24, 0);
  expect_same(a, b);
  assert_int_equal(rt_int_file(b, "SELECT count(*) FROM runs WHERE status='ok'"), 24);
  assert_int_equal(rt_int_file(b, "SELECT count(*) FROM metrics"), 48);
  assert_int_equal(rt_int_file(b, "SELECT count(*) FROM params"), 48);
  assert_int_equal(rt_int_file(b, "SELECT count(*) FROM series"), 72);
  assert_int_equal(rt_int_file(b, "SELECT count(*) FROM runs WHERE wall_s >= 0"), 24);
  expect_invariants(b);

  /* Second call: everything is done, nothing runs, nothing changes. */
  assert_int_equal(sweep(&f, b, 2, 0, &st), 0);
  expect_stats(&st, 24, 24, 0, 0);
  assert_int_equal(sweep(&f, a, 1, 0, &st), 0);
  expect_stats(&st, 24, 24, 0, 0);
  expect_same(a, b);
}

static void test_sweep_failures_are_recorded_and_retried(void **state) {
  (void)state;
  const char *path = rt_path("fail.sqlite");
  fake f = {.npoints = 10, .reps = 2, .fail_mod = 4, .crash_point = -1};   /* points 1, 5, 9 fail */
  sweep_stats st;
  assert_int_equal(sweep(&f, path, 2, 0, &st), 1);
  expect_stats(&st, 20, 0, 20, 6);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs WHERE status='failed' AND "
                                     "error='synthetic failure at point 5'"), 2);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs WHERE status='ok'"), 14);
  /* Failed runs keep their params, so a report can say which point failed. */
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM params p JOIN runs r ON r.id=p.run "
                                     "WHERE r.status='failed' AND p.key='i'"), 6);
  f.fail_mod = 0;
  assert_int_equal(sweep(&f, path, 1, 0, &st), 0);
  expect_stats(&st, 20, 14, 6, 0);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs WHERE status='ok'"), 20);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs"), 20);
  expect_invariants(path);
}

static void test_sweep_worker_death_fails_its_point_only(void **state) {
  (void)state;
  const char *path = rt_path("crash.sqlite");
  fake f = {.npoints = 8, .reps = 1, .crash_point = 3};
  sweep_stats st;
  assert_int_equal(sweep(&f, path, 2, 0, &st), 1);
  expect_stats(&st, 8, 0, 8, 1);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs WHERE status='failed' AND "
                                     "scenario_sha256='sha-0003' AND error LIKE '%killed by signal 9%'"), 1);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs WHERE status='ok'"), 7);
  f.crash_point = -1;
  assert_int_equal(sweep(&f, path, 2, 0, &st), 0);
  expect_stats(&st, 8, 7, 1, 0);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs WHERE status='ok'"), 8);
  expect_invariants(path);
}

static void test_sweep_force_replaces(void **state) {
  (void)state;
  const char *path = rt_path("force.sqlite");
  fake f = {.npoints = 5, .reps = 2, .crash_point = -1};
  sweep_stats st;
  assert_int_equal(sweep(&f, path, 1, 0, &st), 0);
  int64_t max_id = rt_int_file(path, "SELECT max(id) FROM runs");
  assert_int_equal(sweep(&f, path, 2, 1, &st), 0);
  expect_stats(&st, 10, 0, 10, 0);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs"), 10);
  char q[128];
  snprintf(q, sizeof q, "SELECT count(*) FROM runs WHERE id <= %lld", (long long)max_id);
  assert_int_equal(rt_int_file(path, q), 0);   /* every row is new */
  expect_invariants(path);
}

static void test_sweep_bad_db_loses_nothing(void **state) {
  (void)state;
  const char *path = rt_path("not-a-db.sqlite");
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("precious text that is no database at all, long enough to be a header.\n", fp);
  fclose(fp);
  fake f = {.npoints = 3, .reps = 1, .crash_point = -1};
  sweep_ops ops = fake_ops(&f);
  sweep_opts o = {.db_path = path, .jobs = 1, .progress = 0, .quiet = 1};
  sweep_stats st;
  char err[ERRLEN] = "";
  assert_int_equal(sweep_run(&ops, &o, &st, err, sizeof err), -1);
  assert_non_null(strstr(err, "not a SQLite database"));
  assert_int_equal(st.ran, 0);
  char buf[256] = "";
  fp = fopen(path, "r");
  assert_non_null(fp);
  assert_non_null(fgets(buf, sizeof buf, fp));
  fclose(fp);
  assert_string_equal(buf, "precious text that is no database at all, long enough to be a header.\n");
}

static void test_sweep_progress_line(void **state) {
  (void)state;
  const char *path = rt_path("progress.sqlite"), *log = rt_path("progress.log");
  fake f = {.npoints = 6, .reps = 1, .sleep_ms = 5, .crash_point = -1};
  sweep_ops ops = fake_ops(&f);
  sweep_opts o = {.db_path = path, .jobs = 2, .progress = 1, .quiet = 0};
  sweep_stats st;
  char err[ERRLEN] = "";
  fflush(stderr);
  int saved = dup(2);
  int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  assert_true(saved >= 0 && fd >= 0);
  dup2(fd, 2);
  close(fd);
  int rc = sweep_run(&ops, &o, &st, err, sizeof err);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  assert_int_equal(rc, 0);
  char text[8192] = "";
  FILE *fp = fopen(log, "r");
  assert_non_null(fp);
  size_t n = fread(text, 1, sizeof text - 1, fp);
  fclose(fp);
  text[n] = '\0';
  const char *want[] = {"\r[sweep] 0/6 done (0 skipped, 0 failed)  elapsed ", "ETA --",
                        "\r[sweep] 6/6 done (0 skipped, 0 failed)  elapsed ", "ETA 0.0s",
                        "[sweep] 6 runs: 6 ran (0 failed), 0 skipped (done before)"};
  for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
    if (!strstr(text, want[k])) fail_msg("progress output lacks '%s':\n%s", want[k], text);
}

/* Runs a 40-point sweep (25 ms a run) in a child process group, kills the group with SIGKILL once
 * at least 12 runs are in, then resumes it here: the rest runs, nothing is duplicated, and the
 * result equals an uninterrupted sweep's. */
static void sigkill_and_resume(const char *name, int jobs) {
  char file[64], ref_file[64];
  snprintf(file, sizeof file, "%s.sqlite", name);
  snprintf(ref_file, sizeof ref_file, "%s-ref.sqlite", name);
  const char *path = rt_path(file), *ref = rt_path(ref_file);
  enum { NPOINTS = 40, KILL_AFTER = 12 };
  fake f = {.npoints = NPOINTS, .reps = 1, .sleep_ms = 25, .crash_point = -1};
  res_db *db = NULL;
  char err[ERRLEN] = "";
  assert_int_equal(res_open(path, &db, err, sizeof err), 0);
  res_close(db);

#if defined(__linux__)
  /* Orphaned workers come back to us, so we can wait until every process of the group is gone. */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    setpgid(0, 0);
    sweep_ops ops = fake_ops(&f);
    sweep_opts o = {.db_path = path, .jobs = jobs, .progress = 0, .quiet = 1};
    sweep_stats st;
    sweep_run(&ops, &o, &st, err, sizeof err);
    _exit(3);   /* not reached before the kill */
  }
  setpgid(pid, pid);
  sqlite3 *h = rt_sqlite_open(path);
  int64_t n = 0;
  for (int t = 0; t < 2000 && (n = rt_int(h, "SELECT count(*) FROM runs WHERE status='ok'")) < KILL_AFTER; t++)
    sleep_ms(5);
  sqlite3_close(h);
  assert_int_equal(kill(-pid, SIGKILL), 0);
  int wst = 0;
  assert_int_equal(waitpid(pid, &wst, 0), pid);
  if (n < KILL_AFTER) fail_msg("the sweep wrote only %lld runs in 10 s", (long long)n);
  assert_true(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL);
#if defined(__linux__)
  while (waitpid(-pid, &wst, 0) > 0 || errno == EINTR) {}   /* the workers, reparented to us */
  prctl(PR_SET_CHILD_SUBREAPER, 0);
#else
  sleep_ms(300);
#endif

  /* What the kill left: whole runs only. */
  int64_t before = rt_int_file(path, "SELECT count(*) FROM runs WHERE status='ok'");
  assert_true(before >= KILL_AFTER && before < NPOINTS);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs r WHERE r.status='ok' AND ("
                                     "(SELECT count(*) FROM metrics WHERE run=r.id) != 2 OR "
                                     "(SELECT count(*) FROM params WHERE run=r.id) != 2 OR "
                                     "(SELECT count(*) FROM series WHERE run=r.id) != 3)"), 0);
  expect_invariants(path);

  f.sleep_ms = 0;
  sweep_stats st;
  assert_int_equal(sweep(&f, path, jobs, 0, &st), 0);
  expect_stats(&st, NPOINTS, (size_t)before, NPOINTS - (size_t)before, 0);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs"), NPOINTS);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs WHERE status='ok'"), NPOINTS);
  assert_int_equal(rt_int_file(path, "SELECT count(DISTINCT scenario_sha256) FROM runs"), NPOINTS);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM metrics"), 2 * NPOINTS);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM params"), 2 * NPOINTS);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM series"), 3 * NPOINTS);
  expect_invariants(path);
  assert_int_equal(sweep(&f, ref, 1, 0, &st), 0);
  expect_same(path, ref);
  /* A third call finds nothing to do. */
  assert_int_equal(sweep(&f, path, jobs, 0, &st), 0);
  expect_stats(&st, NPOINTS, NPOINTS, 0, 0);
}

static void test_sweep_sigkill_resume_serial(void **state) {
  (void)state;
  sigkill_and_resume("kill-j1", 1);
}

static void test_sweep_sigkill_resume_parallel(void **state) {
  (void)state;
  sigkill_and_resume("kill-j2", 2);
}

static int teardown_all(void **state) {
  (void)state;
  rt_tmp_cleanup();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sweep_serial_and_parallel_agree),
      cmocka_unit_test(test_sweep_failures_are_recorded_and_retried),
      cmocka_unit_test(test_sweep_worker_death_fails_its_point_only),
      cmocka_unit_test(test_sweep_force_replaces),
      cmocka_unit_test(test_sweep_bad_db_loses_nothing),
      cmocka_unit_test(test_sweep_progress_line),
      cmocka_unit_test(test_sweep_sigkill_resume_serial),
      cmocka_unit_test(test_sweep_sigkill_resume_parallel),
  };
  return cmocka_run_group_tests(tests, NULL, teardown_all);
}
