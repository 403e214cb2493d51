/* report.c: report_render — parse the block, open the store, select the runs, render each part.
 *
 * Run selection is done once, in SQL, into two TEMP tables that tables and figure queries share:
 *   cur(sha256 TEXT PRIMARY KEY, ord INTEGER)     the scenario's current points, ord = point order
 *   sel(sha256 TEXT, replicate INTEGER, run INTEGER)
 *                                                 the latest 'ok' run (largest runs.id) of each
 *                                                 current point and replicate
 * "Latest" is by id, not started_at: ids grow with commits, clocks may not.
 * The database is opened read-write without create (a report never makes an empty store, and a
 * read-only WAL connection fails where the -shm file cannot be created); nothing in main is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "report_int.h"
#include "res.h"

#ifndef GNUPLOT_EXE
#define GNUPLOT_EXE ""
#endif

static int exec_sql(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    snprintf(err, errlen, "%s: %s", what, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
  }
  return 0;
}

static int pragma_int(sqlite3 *db, const char *sql, long long *out) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 0 : -1;
}

static int open_db(const char *path, sqlite3 **out, char *err, size_t errlen) {
  sqlite3 *db = NULL;
  if (!rep_is_file(path)) {
    snprintf(err, errlen, "results database %s does not exist; run the scenario first", path);
    return -1;
  }
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot open results database %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return -1;
  }
  sqlite3_busy_timeout(db, 10000);
  long long app = 0, ver = 0;
  if (pragma_int(db, "PRAGMA application_id", &app) != 0 || pragma_int(db, "PRAGMA user_version", &ver) != 0) {
    snprintf(err, errlen, "%s is not a readable SQLite database: %s", path, sqlite3_errmsg(db));
    sqlite3_close(db);
    return -1;
  }
  if (app != RES_APPLICATION_ID) {
    snprintf(err, errlen, "%s is not a clustersim results database (application_id 0x%08llX, expected 0x%08X)",
             path, (unsigned long long)app, (unsigned)RES_APPLICATION_ID);
    sqlite3_close(db);
    return -1;
  }
  if (ver < 1 || ver > RES_SCHEMA_VERSION) {
    snprintf(err, errlen, "%s has results schema version %lld; this build reads version %d%s", path, ver,
             RES_SCHEMA_VERSION, ver > RES_SCHEMA_VERSION ? " (written by a newer clustersim)" : "");
    sqlite3_close(db);
    return -1;
  }
  *out = db;
  return 0;
}

static int fill_current(sqlite3 *db, const report_points *pts, char *err, size_t errlen) {
  if (exec_sql(db,
               "DROP TABLE IF EXISTS temp.cur; DROP TABLE IF EXISTS temp.sel;"
               "CREATE TEMP TABLE cur(sha256 TEXT PRIMARY KEY, ord INTEGER NOT NULL);",
               "creating the table of current points", err, errlen) != 0)
    return -1;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.cur(sha256, ord) VALUES (?1, ?2)", -1, &st, NULL) !=
      SQLITE_OK) {
    snprintf(err, errlen, "preparing the current points: %s", sqlite3_errmsg(db));
    return -1;
  }
  for (size_t i = 0; pts && i < pts->n; i++) {
    if (!pts->sha256[i]) continue;
    sqlite3_bind_text(st, 1, pts->sha256[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
    if (sqlite3_step(st) != SQLITE_DONE) {
      snprintf(err, errlen, "filling the current points: %s", sqlite3_errmsg(db));
      sqlite3_finalize(st);
      return -1;
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return exec_sql(db,
                  "CREATE TEMP TABLE sel AS"
                  " SELECT r.scenario_sha256 AS sha256, r.replicate AS replicate, max(r.id) AS run"
                  " FROM main.runs r JOIN temp.cur c ON c.sha256 = r.scenario_sha256"
                  " WHERE r.status = 'ok' GROUP BY r.scenario_sha256, r.replicate;"
                  "CREATE INDEX temp.sel_sha ON sel(sha256);",
                  "selecting the latest 'ok' run of each point", err, errlen);
}

static void copy_written(const rep_buf *w, char *written, size_t written_len) {
  if (!written || written_len == 0) return;
  const char *s = w->s ? w->s : "";
  size_t n = strlen(s);
  if (n < written_len) {
    memcpy(written, s, n + 1);
    return;
  }
  /* Truncate at a line boundary and say so. */
  const char *more = "...\n";
  size_t room = written_len > strlen(more) ? written_len - strlen(more) - 1 : 0;
  size_t cut = room;
  while (cut > 0 && s[cut - 1] != '\n') cut--;
  memcpy(written, s, cut);
  snprintf(written + cut, written_len - cut, "%s", more);
}

int report_render(const char *report_yaml, const char *scenario_file, const report_points *pts,
                  const report_opts *opts, char *written, size_t written_len, char *err, size_t errlen) {
  char dummy_err[8];
  if (!err || errlen == 0) {
    err = dummy_err;
    errlen = sizeof dummy_err;
  }
  err[0] = '\0';
  if (written && written_len) written[0] = '\0';
  const char *where = scenario_file ? scenario_file : "report";

  rep_spec spec;
  if (rep_spec_parse(report_yaml, where, &spec, err, errlen) != 0) return -1;

  rep_ctx c;
  memset(&c, 0, sizeof c);
  rep_buf figsrc = {0};
  c.db_path = opts && opts->db_path ? opts->db_path : RES_DEFAULT_DB;
  c.scenario_file = where;
  c.results_dir = opts && opts->results_dir && *opts->results_dir ? opts->results_dir : "results";
  if (opts && opts->figures_src && *opts->figures_src) {
    c.figures_src = opts->figures_src;
  } else {
    rep_buf_printf(&figsrc, "%s/figures", c.results_dir);
    c.figures_src = figsrc.s;
  }
  c.no_images = opts ? opts->no_images : 0;
  /* CLUSTERSIM_GNUPLOT overrides the build's gnuplot (empty: none), e.g. for a gnuplot elsewhere. */
  const char *env_gp = getenv("CLUSTERSIM_GNUPLOT");
  c.gnuplot = env_gp ? env_gp : GNUPLOT_EXE;
  /* CMake's find_program leaves "GNUPLOT-NOTFOUND" when there is none. */
  size_t gl = strlen(c.gnuplot);
  if (gl >= 9 && !strcmp(c.gnuplot + gl - 9, "-NOTFOUND")) c.gnuplot = "";

  int rc = 0;
  if (spec.ntables == 0 && spec.nfigs == 0) goto done;
  if (open_db(c.db_path, &c.db, err, errlen) != 0 || fill_current(c.db, pts, err, errlen) != 0) {
    rc = -1;
    goto done;
  }
  for (size_t i = 0; i < spec.ntables; i++) {
    int r = rep_table_render(&c, &spec.tables[i], err, errlen);
    if (r < 0) {
      rc = -1;
      goto done;
    }
    if (r > 0) rc = 1;
  }
  for (size_t i = 0; i < spec.nfigs; i++) {
    if (rep_fig_render(&c, &spec.figs[i], err, errlen) != 0) {
      rc = -1;
      goto done;
    }
  }
done:
  copy_written(&c.written, written, written_len);
  if (c.db) sqlite3_close(c.db);
  rep_buf_free(&c.written);
  rep_buf_free(&figsrc);
  rep_spec_free(&spec);
  return rc;
}
