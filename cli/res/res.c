/* res.c: the results store. One SQLite file, schema version RES_SCHEMA_VERSION, documented in
 * docs/results-schema.md.
 *
 * Crash safety: journal_mode=WAL with synchronous=NORMAL. A commit is durable once its frames are in
 * the WAL in the OS page cache, so a process killed by SIGKILL at any instant leaves each run either
 * entirely present or entirely absent (one BEGIN IMMEDIATE ... COMMIT per run); the next open
 * replays the WAL. Only a power loss may drop the last few commits (never half of one); that is the
 * price of not fsync-ing every run, and a re-run sweep redoes exactly the missing points.
 *
 * Concurrency: sweep workers each open their own connection; WAL lets readers run beside the one
 * writer, BEGIN IMMEDIATE takes the write lock up front (no deadlock-prone lock upgrade) and
 * busy_timeout makes a writer wait for another instead of failing.
 */
#include "res_int.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#ifndef CS_GIT_REV
#define CS_GIT_REV "unknown"
#endif

#define RES_BUSY_TIMEOUT_MS 30000

void res_seterr(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || errlen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

double res_now_s(void) {
  struct timespec ts;
  RES_ASSERT(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *res_git_rev(void) { return CS_GIT_REV; }

static char *xstrdup(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  RES_ALLOC_CHECK(p);
  memcpy(p, s, n);
  return p;
}

/* Grows *arr (element size sz) so that it holds at least n+1 elements. */
static void grow(void **arr, size_t *cap, size_t n, size_t sz) {
  if (n < *cap) return;
  size_t nc = *cap ? *cap * 2 : 8;
  void *p = realloc(*arr, nc * sz);
  RES_ALLOC_CHECK(p);
  *arr = p;
  *cap = nc;
}

/* ---- schema ---- */

/* Version 1. Changing anything here means RES_SCHEMA_VERSION + 1, a migration in migrate() and a
 * section in docs/results-schema.md. */
static const char SCHEMA_V1[] =
    "CREATE TABLE IF NOT EXISTS meta("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS runs("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  scenario TEXT NOT NULL,"
    "  scenario_sha256 TEXT NOT NULL,"
    "  point_label TEXT,"
    "  resolved_yaml TEXT,"
    "  seed INTEGER NOT NULL,"
    "  replicate INTEGER NOT NULL,"
    "  git_rev TEXT NOT NULL,"
    "  started_at TEXT NOT NULL,"
    "  wall_s REAL,"
    "  status TEXT NOT NULL CHECK(status IN ('ok','failed')),"
    "  error TEXT,"
    "  UNIQUE(scenario_sha256, seed, replicate));"
    "CREATE INDEX IF NOT EXISTS runs_by_scenario ON runs(scenario, status);"
    "CREATE TABLE IF NOT EXISTS params("
    "  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"
    "  value TEXT,"
    "  PRIMARY KEY(run, key)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS params_by_key ON params(key, value);"
    "CREATE TABLE IF NOT EXISTS metrics("
    "  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  value REAL,"
    "  unit TEXT,"
    "  PRIMARY KEY(run, name)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS metrics_by_name ON metrics(name);"
    "CREATE TABLE IF NOT EXISTS series("
    "  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  x REAL,"
    "  y REAL,"
    "  PRIMARY KEY(run, name, seq)) WITHOUT ROWID;";

static const char *const STMT_SQL[RES_ST_COUNT] = {
    [RES_ST_FIND] = "SELECT id, status FROM runs WHERE scenario_sha256=?1 AND seed=?2 AND replicate=?3",
    [RES_ST_DONE] = "SELECT 1 FROM runs WHERE scenario_sha256=?1 AND seed=?2 AND replicate=?3 "
                    "AND status='ok'",
    [RES_ST_DELETE] = "DELETE FROM runs WHERE id=?1",
    [RES_ST_INS_RUN] = "INSERT INTO runs(scenario, scenario_sha256, point_label, resolved_yaml, seed, "
                       "replicate, git_rev, started_at, wall_s, status, error) "
                       "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
    [RES_ST_INS_PARAM] = "INSERT INTO params(run, key, value) VALUES(?1,?2,?3)",
    [RES_ST_INS_METRIC] = "INSERT INTO metrics(run, name, value, unit) VALUES(?1,?2,?3,?4)",
    [RES_ST_INS_SERIES] = "INSERT INTO series(run, name, seq, x, y) VALUES(?1,?2,?3,?4,?5)",
};

/* Runs one statement returning one integer (a PRAGMA). 0 ok, else the SQLite code. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int64(st, 0);
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    *out = 0;
    rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  return rc;
}

static int query_text(sqlite3 *db, const char *sql, char *out, size_t outlen) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) return rc;
  out[0] = '\0';
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, outlen, "%s", t ? (const char *)t : "");
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  return rc;
}

/* mkdir -p of the folder holding path. 0, or -1 with err. */
/* What a failed store operation means for the user, from SQLite's (extended) code: a full disk, a
 * read-only file or folder, a missing folder; "" for other codes (SQLite's own text says enough).
 * Every hint ends with what happens to finished runs: they stay, and a re-run skips them. */
static void store_hint(const char *path, int code, char *out, size_t len) {
  out[0] = '\0';
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash == dir) dir[1] = '\0';
  else if (slash) *slash = '\0';
  else snprintf(dir, sizeof dir, ".");
  struct statvfs vf;
  int have_vf = statvfs(dir, &vf) == 0;
  int prim = code & 0xff;
  struct rlimit fl;
  int fsize_limited = getrlimit(RLIMIT_FSIZE, &fl) == 0 && fl.rlim_cur != RLIM_INFINITY;
  if ((prim == SQLITE_FULL || prim == SQLITE_IOERR) && fsize_limited) {
    snprintf(out, len, " (a file-size limit, ulimit -f %llu KiB, stops the database from growing): raise the "
             "limit or give --db elsewhere, then run again; runs finished before are kept and will be skipped",
             (unsigned long long)fl.rlim_cur / 1024ull);
  } else if (prim == SQLITE_FULL || (prim == SQLITE_IOERR && errno == ENOSPC)) {
    if (have_vf)
      snprintf(out, len, " (the file system holding '%.200s' is full: %llu KiB free): "
               "free space or give --db on another disk, then run again; runs finished before are kept and "
               "will be skipped", dir, (unsigned long long)vf.f_bavail * (unsigned long long)vf.f_frsize / 1024ull);
    else
      snprintf(out, len, " (disk full or a file-size limit): free space, then run again; finished runs are kept");
  } else if (prim == SQLITE_READONLY || prim == SQLITE_CANTOPEN || prim == SQLITE_PERM || prim == SQLITE_AUTH) {
    const char *why = NULL;
    if (have_vf && (vf.f_flag & ST_RDONLY)) why = "it is on a read-only file system";
    else if (access(path, F_OK) == 0 && access(path, W_OK) != 0) why = "the file is not writable";
    else if (access(dir, W_OK) != 0)
      why = "its folder is not writable (SQLite keeps the -wal and -shm files beside the database)";
    if (why)
      snprintf(out, len, " (the results database is read-only: %s): runs cannot be recorded there; give --db "
               "with a writable path (a copy of the file keeps its runs); nothing was changed", why);
  }
}

static int make_parent(const char *path, char *err, size_t errlen) {
  char *p = xstrdup(path);
  char *slash = strrchr(p, '/');
  if (!slash || slash == p) {
    free(p);
    return 0;
  }
  *slash = '\0';
  for (char *q = p + 1; ; q++) {
    if (*q == '/' || *q == '\0') {
      char c = *q;
      *q = '\0';
      if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        res_seterr(err, errlen, "%s: cannot create folder '%s': %s", path, p, strerror(errno));
        free(p);
        return -1;
      }
      *q = c;
      if (c == '\0') break;
    }
  }
  struct stat sb;
  if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    res_seterr(err, errlen, "%s: '%s' is not a folder", path, p);
    free(p);
    return -1;
  }
  free(p);
  return 0;
}

static void close_stmts(res_db *d) {
  for (int i = 0; i < RES_ST_COUNT; i++) {
    sqlite3_finalize(d->st[i]);
    d->st[i] = NULL;
  }
}

void res_close(res_db *db) {
  if (!db) return;
  close_stmts(db);
  if (db->db) sqlite3_close(db->db);
  free(db->path);
  free(db);
}

void *res_sqlite(res_db *db) { return db ? db->db : NULL; }

/* Creates the schema in a new (or half-created) file, inside one write transaction; re-reads the
 * header under the write lock, so two processes opening a new file at once create it once. */
static int create_schema(res_db *d, char *err, size_t errlen) {
  sqlite3 *db = d->db;
  char *msg = NULL;
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
  if (rc != SQLITE_OK) goto fail;
  int64_t ver = 0;
  if ((rc = query_int(db, "PRAGMA user_version", &ver)) != SQLITE_OK) goto fail_rb;
  if (ver == 0) {
    char sql[512];
    if ((rc = sqlite3_exec(db, SCHEMA_V1, NULL, NULL, &msg)) != SQLITE_OK) goto fail_rb;
    snprintf(sql, sizeof sql,
             "PRAGMA application_id=%d; PRAGMA user_version=%d;"
             "INSERT OR REPLACE INTO meta(key, value) VALUES"
             "('created_by', 'clustersim %s'),"
             "('created_at', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ','now')),"
             "('schema_version', '%d');",
             RES_APPLICATION_ID, RES_SCHEMA_VERSION, res_git_rev(), RES_SCHEMA_VERSION);
    if ((rc = sqlite3_exec(db, sql, NULL, NULL, &msg)) != SQLITE_OK) goto fail_rb;
  }
  if ((rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &msg)) != SQLITE_OK) goto fail_rb;
  return 0;
fail_rb:
  sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fail:;
  char hint[600];
  store_hint(d->path, sqlite3_extended_errcode(db), hint, sizeof hint);
  res_seterr(err, errlen, "%s: cannot create the results schema: %s%s", d->path,
             msg ? msg : sqlite3_errmsg(db), hint);
  sqlite3_free(msg);
  return -1;
}

int res_open(const char *path, res_db **out, char *err, size_t errlen) {
  RES_ASSERT(out);
  *out = NULL;
  if (!path || !*path) path = RES_DEFAULT_DB;
  if (make_parent(path, err, errlen) != 0) return -1;

  res_db *d = calloc(1, sizeof *d);
  RES_ALLOC_CHECK(d);
  d->path = xstrdup(path);
  int rc = sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK) {
    char hint[600];
    store_hint(path, rc, hint, sizeof hint);
    res_seterr(err, errlen, "%s: cannot open: %s%s", path,
               d->db ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc), hint);
    goto fail;
  }
  sqlite3_busy_timeout(d->db, RES_BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes(d->db, 1);

  /* Read the header before changing anything: a foreign file must be left exactly as it was. */
  /* One statement, so one snapshot: another process may be creating the file right now. */
  int64_t appid = 0, ver = 0, nobj = 0;
  {
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(d->db,
                            "SELECT (SELECT application_id FROM pragma_application_id),"
                            " (SELECT user_version FROM pragma_user_version),"
                            " (SELECT count(*) FROM sqlite_master)", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      appid = sqlite3_column_int64(st, 0);
      ver = sqlite3_column_int64(st, 1);
      nobj = sqlite3_column_int64(st, 2);
      rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
  }
  if (rc != SQLITE_OK) {
    if ((rc & 0xff) == SQLITE_NOTADB)
      res_seterr(err, errlen, "%s: not a SQLite database, so not a clustersim results file (%s)",
                 path, sqlite3_errmsg(d->db));
    else {
      char hint[600];
      store_hint(path, sqlite3_extended_errcode(d->db), hint, sizeof hint);
      res_seterr(err, errlen, "%s: cannot read the file header: %s%s", path, sqlite3_errmsg(d->db), hint);
    }
    goto fail;
  }
  uint32_t id32 = (uint32_t)appid;
  int fresh = (id32 == 0 && ver == 0 && nobj == 0);
  if (!fresh && id32 != (uint32_t)RES_APPLICATION_ID) {
    res_seterr(err, errlen,
               "%s: not a clustersim results file: application_id 0x%08X (expected 0x%08X)", path,
               (unsigned)id32, (unsigned)RES_APPLICATION_ID);
    goto fail;
  }
  if (ver > RES_SCHEMA_VERSION) {
    res_seterr(err, errlen,
               "%s: written by a newer clustersim: schema version %lld, this build reads up to %d",
               path, (long long)ver, RES_SCHEMA_VERSION);
    goto fail;
  }

  char mode[32];
  rc = query_text(d->db, "PRAGMA journal_mode=WAL", mode, sizeof mode);
  if (rc != SQLITE_OK || strcmp(mode, "wal") != 0) {
    char hint[600];
    store_hint(path, rc != SQLITE_OK ? sqlite3_extended_errcode(d->db) : SQLITE_READONLY, hint, sizeof hint);
    res_seterr(err, errlen, "%s: cannot switch to WAL journal mode (got '%s'): %s%s", path,
               rc == SQLITE_OK ? mode : "", sqlite3_errmsg(d->db), hint);
    goto fail;
  }
  char *msg = NULL;
  rc = sqlite3_exec(d->db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;", NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    res_seterr(err, errlen, "%s: cannot set pragmas: %s", path, msg ? msg : sqlite3_errmsg(d->db));
    sqlite3_free(msg);
    goto fail;
  }
  if (ver < RES_SCHEMA_VERSION && create_schema(d, err, errlen) != 0) goto fail;

  for (int i = 0; i < RES_ST_COUNT; i++) {
    rc = sqlite3_prepare_v3(d->db, STMT_SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i], NULL);
    if (rc != SQLITE_OK) {
      res_seterr(err, errlen, "%s: schema does not match version %d (%s)", path,
                 RES_SCHEMA_VERSION, sqlite3_errmsg(d->db));
      goto fail;
    }
  }
  *out = d;
  return 0;
fail:
  res_close(d);
  return -1;
}

/* ---- runs ---- */

static void bind_identity(sqlite3_stmt *st, const char *sha256, uint64_t seed, uint32_t replicate) {
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
  /* SQLite integers are signed: a seed >= 2^63 is stored as its two's-complement int64. */
  sqlite3_bind_int64(st, 2, (sqlite3_int64)seed);
  sqlite3_bind_int64(st, 3, (sqlite3_int64)replicate);
}

int res_run_done(res_db *db, const char *sha256, uint64_t seed, uint32_t replicate) {
  RES_ASSERT(db && sha256);
  sqlite3_stmt *st = db->st[RES_ST_DONE];
  bind_identity(st, sha256, seed, replicate);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
  sqlite3_reset(st);
  return ret;
}

res_run *res_run_begin(const char *scenario, const char *sha256, const char *point_label,
                       const char *resolved_yaml, uint64_t seed, uint32_t replicate) {
  RES_ASSERT(scenario && sha256);
  res_run *r = calloc(1, sizeof *r);
  RES_ALLOC_CHECK(r);
  r->scenario = xstrdup(scenario);
  r->sha256 = xstrdup(sha256);
  r->label = xstrdup(point_label);
  r->yaml = xstrdup(resolved_yaml);
  r->seed = seed;
  r->replicate = replicate;
  time_t now = time(NULL);
  struct tm tm;
  RES_ASSERT(gmtime_r(&now, &tm) != NULL);
  strftime(r->started_at, sizeof r->started_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return r;
}

void res_run_replace(res_run *r) {
  RES_ASSERT(r);
  r->replace = 1;
}

void res_run_param(res_run *r, const char *key, const char *value) {
  RES_ASSERT(r && key);
  for (size_t i = 0; i < r->nparams; i++)
    if (strcmp(r->params[i].key, key) == 0) {  /* last wins */
      free(r->params[i].value);
      r->params[i].value = xstrdup(value);
      return;
    }
  grow((void **)&r->params, &r->capparams, r->nparams, sizeof *r->params);
  r->params[r->nparams].key = xstrdup(key);
  r->params[r->nparams].value = xstrdup(value);
  r->nparams++;
}

void res_run_metric(res_run *r, const char *name, double value, const char *unit) {
  RES_ASSERT(r && name);
  for (size_t i = 0; i < r->nmetrics; i++)
    if (strcmp(r->metrics[i].name, name) == 0) {  /* last wins */
      free(r->metrics[i].unit);
      r->metrics[i].unit = xstrdup(unit);
      r->metrics[i].value = value;
      return;
    }
  grow((void **)&r->metrics, &r->capmetrics, r->nmetrics, sizeof *r->metrics);
  r->metrics[r->nmetrics].name = xstrdup(name);
  r->metrics[r->nmetrics].unit = xstrdup(unit);
  r->metrics[r->nmetrics].value = value;
  r->nmetrics++;
}

int res_run_get_metric(const res_run *r, const char *name, double *value) {
  RES_ASSERT(r && name);
  for (size_t i = 0; i < r->nmetrics; i++)
    if (strcmp(r->metrics[i].name, name) == 0) {
      if (value) *value = r->metrics[i].value;
      return 0;
    }
  return -1;
}

void res_run_series(res_run *r, const char *name, double x, double y) {
  RES_ASSERT(r && name);
  uint32_t k;
  if (r->nsnames > 0 && strcmp(r->snames[r->slast], name) == 0) {
    k = r->slast;
  } else {
    for (k = 0; k < r->nsnames; k++)
      if (strcmp(r->snames[k], name) == 0) break;
    if (k == r->nsnames) {
      grow((void **)&r->snames, &r->capsnames, r->nsnames, sizeof *r->snames);
      r->snames[r->nsnames++] = xstrdup(name);
    }
    r->slast = k;
  }
  grow((void **)&r->pts, &r->cappts, r->npts, sizeof *r->pts);
  r->pts[r->npts++] = (res_spoint){.name = k, .x = x, .y = y};
}

void res_run_discard(res_run *r) {
  if (!r) return;
  free(r->scenario);
  free(r->sha256);
  free(r->label);
  free(r->yaml);
  for (size_t i = 0; i < r->nparams; i++) {
    free(r->params[i].key);
    free(r->params[i].value);
  }
  free(r->params);
  for (size_t i = 0; i < r->nmetrics; i++) {
    free(r->metrics[i].name);
    free(r->metrics[i].unit);
  }
  free(r->metrics);
  for (size_t i = 0; i < r->nsnames; i++) free(r->snames[i]);
  free(r->snames);
  free(r->pts);
  free(r);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s) {
  if (s)
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, i);
}

/* Steps a write statement to completion and resets it. SQLITE_DONE on success. */
static int step_reset(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc;
}

/* The body of the transaction. 1 written, 0 skipped (an 'ok' row stays), -1 error (err set). */
static int commit_body(res_db *db, const res_run *r, const char *status, const char *error,
                       double wall_s, const char **what) {
  sqlite3_stmt *st = db->st[RES_ST_FIND];
  bind_identity(st, r->sha256, r->seed, r->replicate);
  int rc = sqlite3_step(st);
  int64_t old_id = -1;
  int old_ok = 0;
  if (rc == SQLITE_ROW) {
    old_id = sqlite3_column_int64(st, 0);
    const unsigned char *s = sqlite3_column_text(st, 1);
    old_ok = s && strcmp((const char *)s, "ok") == 0;
  } else if (rc != SQLITE_DONE) {
    sqlite3_reset(st);
    *what = "looking up the run";
    return -1;
  }
  sqlite3_reset(st);
  if (old_ok && !r->replace) return 0;
  if (old_id >= 0) {
    st = db->st[RES_ST_DELETE];
    sqlite3_bind_int64(st, 1, old_id);
    if (step_reset(st) != SQLITE_DONE) {
      *what = "deleting the previous run";
      return -1;
    }
  }

  st = db->st[RES_ST_INS_RUN];
  sqlite3_clear_bindings(st);
  sqlite3_bind_text(st, 1, r->scenario, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, r->sha256, -1, SQLITE_STATIC);
  bind_text_or_null(st, 3, r->label);
  bind_text_or_null(st, 4, r->yaml);
  sqlite3_bind_int64(st, 5, (sqlite3_int64)r->seed);
  sqlite3_bind_int64(st, 6, (sqlite3_int64)r->replicate);
  sqlite3_bind_text(st, 7, res_git_rev(), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 8, r->started_at, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 9, wall_s);
  sqlite3_bind_text(st, 10, status, -1, SQLITE_STATIC);
  bind_text_or_null(st, 11, error);
  if (step_reset(st) != SQLITE_DONE) {
    *what = "inserting the run";
    return -1;
  }
  sqlite3_int64 id = sqlite3_last_insert_rowid(db->db);

  st = db->st[RES_ST_INS_PARAM];
  for (size_t i = 0; i < r->nparams; i++) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, r->params[i].key, -1, SQLITE_STATIC);
    bind_text_or_null(st, 3, r->params[i].value);
    if (step_reset(st) != SQLITE_DONE) {
      *what = "inserting params";
      return -1;
    }
  }
  st = db->st[RES_ST_INS_METRIC];
  for (size_t i = 0; i < r->nmetrics; i++) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, r->metrics[i].name, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, r->metrics[i].value);   /* NaN is stored as NULL by SQLite */
    bind_text_or_null(st, 4, r->metrics[i].unit);
    if (step_reset(st) != SQLITE_DONE) {
      *what = "inserting metrics";
      return -1;
    }
  }
  if (r->npts > 0) {
    /* seq numbers the points of each series in the order they were added. */
    int64_t *seq = calloc(r->nsnames, sizeof *seq);
    RES_ALLOC_CHECK(seq);
    st = db->st[RES_ST_INS_SERIES];
    for (size_t i = 0; i < r->npts; i++) {
      const res_spoint *p = &r->pts[i];
      sqlite3_bind_int64(st, 1, id);
      sqlite3_bind_text(st, 2, r->snames[p->name], -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 3, seq[p->name]++);
      sqlite3_bind_double(st, 4, p->x);
      sqlite3_bind_double(st, 5, p->y);
      if (step_reset(st) != SQLITE_DONE) {
        free(seq);
        *what = "inserting series";
        return -1;
      }
    }
    free(seq);
  }
  return 1;
}

int res_run_commit(res_db *db, res_run *r, const char *status, const char *error, double wall_s,
                   char *err, size_t errlen) {
  RES_ASSERT(db && r);
  int ret = -1;
  if (!status || (strcmp(status, "ok") != 0 && strcmp(status, "failed") != 0)) {
    res_seterr(err, errlen, "%s: run %s seed %llu replicate %u: status must be 'ok' or 'failed', got '%s'",
               db->path, r->label ? r->label : r->scenario, (unsigned long long)r->seed,
               (unsigned)r->replicate, status ? status : "(null)");
    goto out;
  }
  char *msg = NULL;
  const char *what = "starting the transaction";
  int rc = sqlite3_exec(db->db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
  if (rc == SQLITE_OK) {
    int body = commit_body(db, r, status, error, wall_s, &what);
    if (body >= 0) {
      what = "committing";
      rc = sqlite3_exec(db->db, "COMMIT", NULL, NULL, &msg);
      if (rc == SQLITE_OK) ret = 0;
    }
  }
  if (ret != 0) {
    char hint[600];
    store_hint(db->path, sqlite3_extended_errcode(db->db), hint, sizeof hint);
    res_seterr(err, errlen, "%s: run %s seed %llu replicate %u: %s: %s%s", db->path,
               r->label ? r->label : r->scenario, (unsigned long long)r->seed,
               (unsigned)r->replicate, what, msg ? msg : sqlite3_errmsg(db->db), hint);
    if (!sqlite3_get_autocommit(db->db)) sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
  }
  sqlite3_free(msg);
out:
  res_run_discard(r);
  return ret;
}
