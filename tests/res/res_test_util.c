#define _XOPEN_SOURCE 700   /* nftw */
#include "res_test_util.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp_dir[512];

const char *rt_tmp_dir(void) {
  if (!tmp_dir[0]) {
    snprintf(tmp_dir, sizeof tmp_dir, "%s/res-test-XXXXXX", CS_BINARY_DIR);
    if (!mkdtemp(tmp_dir)) {
      const char *t = getenv("TMPDIR");
      snprintf(tmp_dir, sizeof tmp_dir, "%s/res-test-XXXXXX", t && *t ? t : "/tmp");
      if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        abort();
      }
    }
  }
  return tmp_dir;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f) {
  (void)sb; (void)flag; (void)f;
  return remove(p);
}

void rt_tmp_cleanup(void) {
  if (tmp_dir[0] && !getenv("RES_TEST_KEEP")) nftw(tmp_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  tmp_dir[0] = '\0';
}

const char *rt_path(const char *name) {
  static char buf[4][600];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", rt_tmp_dir(), name);
  return buf[k];
}

sqlite3 *rt_sqlite_open(const char *path) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    fprintf(stderr, "rt_sqlite_open %s: %s\n", path, db ? sqlite3_errmsg(db) : "?");
    abort();
  }
  sqlite3_busy_timeout(db, 10000);
  return db;
}

int64_t rt_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "rt_int: %s: %s\n", sql, sqlite3_errmsg(db));
    abort();
  }
  int rc = sqlite3_step(st);
  int64_t v = 0;
  if (rc == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  else if (rc != SQLITE_DONE) {
    fprintf(stderr, "rt_int: %s: %s\n", sql, sqlite3_errmsg(db));
    abort();
  }
  sqlite3_finalize(st);
  return v;
}

int64_t rt_int_file(const char *path, const char *sql) {
  sqlite3 *db = rt_sqlite_open(path);
  int64_t v = rt_int(db, sql);
  sqlite3_close(db);
  return v;
}

char *rt_dump(const char *path) {
  static const char sql[] =
      "SELECT r.scenario || '|' || r.scenario_sha256 || '|' || r.seed || '|' || r.replicate || '|' "
      " || coalesce(r.point_label,'') || '|' || r.status || '|' || coalesce(r.error,'') || '|' "
      " || coalesce(r.resolved_yaml,'') || '|P:' "
      " || coalesce((SELECT group_concat(k, ',') FROM (SELECT key || '=' || coalesce(value,'NULL') AS k"
      "             FROM params WHERE run=r.id ORDER BY key)), '') || '|M:' "
      " || coalesce((SELECT group_concat(k, ',') FROM (SELECT name || '=' || quote(value) || ' ' ||"
      "             coalesce(unit,'') AS k FROM metrics WHERE run=r.id ORDER BY name)), '') || '|S:' "
      " || coalesce((SELECT group_concat(k, ',') FROM (SELECT name || '#' || seq || '=' || quote(x) ||"
      "             ':' || quote(y) AS k FROM series WHERE run=r.id ORDER BY name, seq)), '') "
      "FROM runs r ORDER BY r.scenario_sha256, r.seed, r.replicate";
  sqlite3 *db = rt_sqlite_open(path);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "rt_dump: %s\n", sqlite3_errmsg(db));
    abort();
  }
  size_t len = 0, cap = 1024;
  char *out = malloc(cap);
  out[0] = '\0';
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *t = (const char *)sqlite3_column_text(st, 0);
    size_t n = strlen(t ? t : "");
    while (len + n + 2 > cap) {
      cap *= 2;
      out = realloc(out, cap);
    }
    memcpy(out + len, t ? t : "", n);
    len += n;
    out[len++] = '\n';
    out[len] = '\0';
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

const char *rt_check_invariants(const char *path) {
  static char msg[256];
  sqlite3 *db = rt_sqlite_open(path);
  struct { const char *what, *sql; } checks[] = {
      {"duplicate identities in runs",
       "SELECT count(*) FROM (SELECT 1 FROM runs GROUP BY scenario_sha256, seed, replicate "
       "HAVING count(*) > 1)"},
      {"orphan params", "SELECT count(*) FROM params WHERE run NOT IN (SELECT id FROM runs)"},
      {"orphan metrics", "SELECT count(*) FROM metrics WHERE run NOT IN (SELECT id FROM runs)"},
      {"orphan series", "SELECT count(*) FROM series WHERE run NOT IN (SELECT id FROM runs)"},
      {"duplicate metrics", "SELECT count(*) FROM (SELECT 1 FROM metrics GROUP BY run, name HAVING count(*) > 1)"},
      {"duplicate series points",
       "SELECT count(*) FROM (SELECT 1 FROM series GROUP BY run, name, seq HAVING count(*) > 1)"},
      {"bad status", "SELECT count(*) FROM runs WHERE status NOT IN ('ok','failed')"},
  };
  const char *ret = NULL;
  for (size_t i = 0; i < sizeof checks / sizeof checks[0] && !ret; i++) {
    int64_t n = rt_int(db, checks[i].sql);
    if (n != 0) {
      snprintf(msg, sizeof msg, "%s: %lld", checks[i].what, (long long)n);
      ret = msg;
    }
  }
  sqlite3_close(db);
  return ret;
}
