/* test_res.c: the results store (cli/res/res.h): file format checks, one-transaction commits,
 * replace rules, the done check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "res.h"
#include "res_test_util.h"

#define ERRLEN 512

static res_db *open_ok(const char *path) {
  res_db *db = NULL;
  char err[ERRLEN] = "";
  int rc = res_open(path, &db, err, sizeof err);
  if (rc != 0) fail_msg("res_open(%s) failed: %s", path, err);
  assert_non_null(db);
  return db;
}

/* res_open must fail with a message containing want (and the path). */
static void open_refused(const char *path, const char *want) {
  res_db *db = (res_db *)1;
  char err[ERRLEN] = "";
  int rc = res_open(path, &db, err, sizeof err);
  if (rc == 0) fail_msg("res_open(%s) accepted a file it must refuse (want '%s')", path, want);
  assert_null(db);
  if (!strstr(err, want)) fail_msg("res_open(%s): message\n  '%s'\nlacks\n  '%s'", path, err, want);
  if (!strstr(err, path)) fail_msg("res_open: message '%s' does not name the file", err);
}

static void test_create_open_reopen(void **state) {
  (void)state;
  const char *path = rt_path("new/sub/folder/r.sqlite");   /* parents do not exist yet */
  res_db *db = open_ok(path);
  sqlite3 *h = res_sqlite(db);
  assert_non_null(h);
  assert_int_equal(rt_int(h, "PRAGMA application_id"), RES_APPLICATION_ID);
  assert_int_equal(rt_int(h, "PRAGMA user_version"), RES_SCHEMA_VERSION);
  assert_int_equal(rt_int(h, "PRAGMA foreign_keys"), 1);
  assert_int_equal(rt_int(h, "PRAGMA busy_timeout"), 30000);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM meta WHERE key='created_by' AND value LIKE 'clustersim %'"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                             "('runs','params','metrics','series','meta')"), 5);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name='runs_by_scenario'"), 1);
  res_close(db);
  /* WAL is persistent in the file. */
  sqlite3 *raw = rt_sqlite_open(path);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
  sqlite3_finalize(st);
  sqlite3_close(raw);
  /* Reopen: nothing recreated, still one meta row each. */
  db = open_ok(path);
  assert_int_equal(rt_int(res_sqlite(db), "SELECT count(*) FROM meta WHERE key='created_by'"), 1);
  res_close(db);
  res_close(NULL);
  assert_non_null(res_git_rev());
  assert_true(strlen(res_git_rev()) > 0);
}

static void make_foreign(const char *path, int64_t appid, int64_t ver, int with_table) {
  sqlite3 *db = rt_sqlite_open(path);
  char sql[256];
  snprintf(sql, sizeof sql, "PRAGMA application_id=%lld; PRAGMA user_version=%lld; %s",
           (long long)appid, (long long)ver,
           with_table ? "CREATE TABLE t(x); INSERT INTO t VALUES(42);" : "");
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

static void test_refuse_foreign_application_id(void **state) {
  (void)state;
  const char *path = rt_path("foreign.sqlite");
  make_foreign(path, 0x12345678, 0, 1);
  open_refused(path, "not a clustersim results file: application_id 0x12345678 (expected 0x436C5369)");
  /* Left untouched: still a rollback-journal file holding its data. */
  assert_int_equal(rt_int_file(path, "SELECT x FROM t"), 42);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM sqlite_master WHERE name='runs'"), 0);

  const char *plain = rt_path("plain.sqlite");   /* some other tool's database, application_id 0 */
  make_foreign(plain, 0, 0, 1);
  open_refused(plain, "not a clustersim results file: application_id 0x00000000 (expected 0x436C5369)");
}

static void test_refuse_newer_user_version(void **state) {
  (void)state;
  const char *path = rt_path("newer.sqlite");
  res_db *db = open_ok(path);
  res_close(db);
  sqlite3 *raw = rt_sqlite_open(path);
  assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version=2", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(raw);
  open_refused(path, "written by a newer clustersim: schema version 2, this build reads up to 1");
}

static void test_refuse_not_sqlite(void **state) {
  (void)state;
  const char *path = rt_path("notes.txt");
  static const char text[] = "these are my notes, not a database; please do not overwrite them.\n"
                             "-------------------------------------------------------------------\n";
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  open_refused(path, "not a SQLite database");
  char buf[512] = "";
  f = fopen(path, "r");
  assert_non_null(f);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  assert_string_equal(buf, text);
}

static void test_refuse_unwritable_folder(void **state) {
  (void)state;
  const char *file = rt_path("a-file");
  FILE *f = fopen(file, "w");
  assert_non_null(f);
  fclose(f);
  char path[700];
  snprintf(path, sizeof path, "%s/x.sqlite", file);   /* parent is a regular file */
  res_db *db = NULL;
  char err[ERRLEN] = "";
  assert_int_equal(res_open(path, &db, err, sizeof err), -1);
  assert_null(db);
  assert_non_null(strstr(err, path));
}

static res_run *sample_run(const char *sha, uint64_t seed, uint32_t rep, double scale) {
  res_run *r = res_run_begin("unit", sha, "x=1,y=2", "name: unit\nx: 1\n", seed, rep);
  res_run_param(r, "x", "1");
  res_run_param(r, "y", "2");
  res_run_param(r, "y", "3");                 /* last wins */
  res_run_param(r, "z", NULL);
  res_run_metric(r, "tpot", 1.5 * scale, "ms");
  res_run_metric(r, "bw", 100.0, "GB/s");
  res_run_metric(r, "tpot", 2.5 * scale, "ms");   /* last wins */
  for (int k = 0; k < 5; k++) {
    res_run_series(r, "lat", k, k * scale);
    res_run_series(r, "cdf", k, 0.5 * k);      /* interleaved series keep their own order */
  }
  return r;
}

static void test_commit_writes_all_tables(void **state) {
  (void)state;
  const char *path = rt_path("commit.sqlite");
  res_db *db = open_ok(path);
  res_run *r = sample_run("aaaa", 7, 3, 1.0);
  double v = 0;
  assert_int_equal(res_run_get_metric(r, "tpot", &v), 0);
  assert_true(v == 2.5);
  assert_int_equal(res_run_get_metric(r, "nope", &v), -1);
  char err[ERRLEN] = "";
  assert_int_equal(res_run_commit(db, r, "ok", NULL, 1.25, err, sizeof err), 0);
  sqlite3 *h = res_sqlite(db);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM runs"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM runs WHERE scenario='unit' AND scenario_sha256='aaaa' "
                             "AND seed=7 AND replicate=3 AND status='ok' AND error IS NULL AND wall_s=1.25 "
                             "AND point_label='x=1,y=2' AND resolved_yaml LIKE 'name: unit%'"), 1);
  char q[256];
  snprintf(q, sizeof q, "SELECT count(*) FROM runs WHERE git_rev='%s'", res_git_rev());
  assert_int_equal(rt_int(h, q), 1);
  /* started_at: UTC ISO-8601, within a minute of now. */
  assert_int_equal(rt_int(h, "SELECT count(*) FROM runs WHERE started_at GLOB "
                             "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z' "
                             "AND abs(julianday('now') - julianday(started_at)) < 60.0/86400"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM params"), 3);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM params WHERE key='y' AND value='3'"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM params WHERE key='z' AND value IS NULL"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM metrics"), 2);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM metrics WHERE name='tpot' AND value=2.5 AND unit='ms'"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM series"), 10);
  assert_int_equal(rt_int(h, "SELECT sum(seq) FROM series WHERE name='cdf'"), 10);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM series WHERE name='lat' AND x=seq AND y=seq"), 5);
  res_close(db);
}

static void test_failed_then_ok_replaces(void **state) {
  (void)state;
  const char *path = rt_path("replace.sqlite");
  res_db *db = open_ok(path);
  sqlite3 *h = res_sqlite(db);
  char err[ERRLEN] = "";
  res_run *r = res_run_begin("unit", "bbbb", "p", NULL, 1, 0);
  res_run_param(r, "x", "1");
  res_run_metric(r, "partial", 1, NULL);
  assert_int_equal(res_run_commit(db, r, "failed", "model diverged", 0.5, err, sizeof err), 0);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM runs WHERE status='failed' AND error='model diverged'"), 1);
  assert_int_equal(res_run_done(db, "bbbb", 1, 0), 0);
  int64_t failed_id = rt_int(h, "SELECT id FROM runs");

  assert_int_equal(res_run_commit(db, sample_run("bbbb", 1, 0, 1.0), "ok", NULL, 1.0, err, sizeof err), 0);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM runs"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM runs WHERE status='ok' AND error IS NULL"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM metrics WHERE name='partial'"), 0);   /* cascade */
  assert_int_equal(rt_int(h, "SELECT count(*) FROM metrics"), 2);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM params"), 3);
  int64_t ok_id = rt_int(h, "SELECT id FROM runs");
  assert_true(ok_id != failed_id);

  /* An 'ok' row stays against a later failure and a second ok (no-op success). */
  assert_int_equal(res_run_commit(db, sample_run("bbbb", 1, 0, 9.0), "failed", "late", 1.0, err, sizeof err), 0);
  assert_int_equal(res_run_commit(db, sample_run("bbbb", 1, 0, 9.0), "ok", NULL, 1.0, err, sizeof err), 0);
  assert_int_equal(rt_int(h, "SELECT id FROM runs"), ok_id);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM runs"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM metrics WHERE name='tpot' AND value=2.5"), 1);

  /* A forced re-run replaces it. */
  r = sample_run("bbbb", 1, 0, 2.0);
  res_run_replace(r);
  assert_int_equal(res_run_commit(db, r, "ok", NULL, 1.0, err, sizeof err), 0);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM runs"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM metrics WHERE name='tpot' AND value=5.0"), 1);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM metrics"), 2);
  assert_int_equal(rt_int(h, "SELECT count(*) FROM series"), 10);
  assert_true(rt_int(h, "SELECT id FROM runs") != ok_id);
  res_close(db);
  assert_null(rt_check_invariants(path));
}

static void test_done_check(void **state) {
  (void)state;
  const char *path = rt_path("done.sqlite");
  res_db *db = open_ok(path);
  char err[ERRLEN] = "";
  assert_int_equal(res_run_done(db, "cccc", 5, 0), 0);
  assert_int_equal(res_run_commit(db, sample_run("cccc", 5, 0, 1), "ok", NULL, 0, err, sizeof err), 0);
  assert_int_equal(res_run_done(db, "cccc", 5, 0), 1);
  assert_int_equal(res_run_done(db, "cccc", 5, 1), 0);   /* other replicate */
  assert_int_equal(res_run_done(db, "cccc", 6, 0), 0);   /* other seed */
  assert_int_equal(res_run_done(db, "dddd", 5, 0), 0);   /* other point */
  /* Seeds above 2^63 round-trip as identities. */
  assert_int_equal(res_run_commit(db, sample_run("cccc", UINT64_MAX - 1, 0, 1), "ok", NULL, 0, err, sizeof err), 0);
  assert_int_equal(res_run_done(db, "cccc", UINT64_MAX - 1, 0), 1);
  assert_int_equal(res_run_done(db, "cccc", UINT64_MAX, 0), 0);
  res_close(db);
  /* Survives close and reopen. */
  db = open_ok(path);
  assert_int_equal(res_run_done(db, "cccc", 5, 0), 1);
  res_close(db);
}

static void test_bad_status_writes_nothing(void **state) {
  (void)state;
  const char *path = rt_path("status.sqlite");
  res_db *db = open_ok(path);
  char err[ERRLEN] = "";
  assert_int_equal(res_run_commit(db, sample_run("eeee", 1, 0, 1), "ok", NULL, 0, err, sizeof err), 0);
  assert_int_equal(res_run_commit(db, sample_run("ffff", 1, 0, 1), "done", NULL, 0, err, sizeof err), -1);
  assert_non_null(strstr(err, "status must be 'ok' or 'failed', got 'done'"));
  assert_int_equal(rt_int(res_sqlite(db), "SELECT count(*) FROM runs"), 1);
  res_run_discard(res_run_begin("unit", "gggg", NULL, NULL, 0, 0));
  res_run_discard(NULL);
  res_close(db);
}

/* A metric of NaN is stored as NULL (SQLite has no NaN); infinities survive. */
static void test_nonfinite_metrics(void **state) {
  (void)state;
  const char *path = rt_path("nan.sqlite");
  res_db *db = open_ok(path);
  char err[ERRLEN] = "";
  res_run *r = res_run_begin("unit", "hhhh", NULL, NULL, 0, 0);
  res_run_metric(r, "nan", NAN, NULL);
  res_run_metric(r, "inf", INFINITY, NULL);
  assert_int_equal(res_run_commit(db, r, "ok", NULL, 0, err, sizeof err), 0);
  assert_int_equal(rt_int(res_sqlite(db), "SELECT count(*) FROM metrics WHERE name='nan' AND value IS NULL"), 1);
  assert_int_equal(rt_int(res_sqlite(db), "SELECT count(*) FROM metrics WHERE name='inf' AND value > 1e308"), 1);
  res_close(db);
}

/* Two connections (as two sweep workers) writing interleaved runs: all rows land once. */
static void test_two_connections(void **state) {
  (void)state;
  const char *path = rt_path("two.sqlite");
  res_db *a = open_ok(path), *b = open_ok(path);
  char err[ERRLEN] = "", sha[32];
  for (int k = 0; k < 20; k++) {
    snprintf(sha, sizeof sha, "s%02d", k);
    assert_int_equal(res_run_commit(k % 2 ? a : b, sample_run(sha, 0, 0, k), "ok", NULL, 0, err, sizeof err), 0);
  }
  assert_int_equal(res_run_done(a, "s01", 0, 0), 1);
  assert_int_equal(res_run_done(b, "s00", 0, 0), 1);
  res_close(a);
  res_close(b);
  assert_int_equal(rt_int_file(path, "SELECT count(*) FROM runs"), 20);
  assert_null(rt_check_invariants(path));
}

static int teardown_all(void **state) {
  (void)state;
  rt_tmp_cleanup();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_open_reopen),
      cmocka_unit_test(test_refuse_foreign_application_id),
      cmocka_unit_test(test_refuse_newer_user_version),
      cmocka_unit_test(test_refuse_not_sqlite),
      cmocka_unit_test(test_refuse_unwritable_folder),
      cmocka_unit_test(test_commit_writes_all_tables),
      cmocka_unit_test(test_failed_then_ok_replaces),
      cmocka_unit_test(test_done_check),
      cmocka_unit_test(test_bad_status_writes_nothing),
      cmocka_unit_test(test_nonfinite_metrics),
      cmocka_unit_test(test_two_connections),
  };
  return cmocka_run_group_tests(tests, NULL, teardown_all);
}
