/* res.h: the results store (SQLite) and the sweep driver.
 *
 * File format: a SQLite database with application_id = RES_APPLICATION_ID and user_version =
 * RES_SCHEMA_VERSION; journal_mode=WAL; each run is written in one transaction, so a killed process
 * leaves only whole runs behind. A file with another application_id, or a newer user_version, is
 * refused with a message naming both values. The schema is documented in docs/results-schema.md.
 *
 *   runs(id INTEGER PRIMARY KEY AUTOINCREMENT (never reused), scenario TEXT, scenario_sha256 TEXT,
 *        point_label TEXT, resolved_yaml TEXT, seed INTEGER, replicate INTEGER, git_rev TEXT,
 *        started_at TEXT (UTC ISO-8601), wall_s REAL, status TEXT ('ok' | 'failed'), error TEXT,
 *        UNIQUE(scenario_sha256, seed, replicate))
 *   params(run INTEGER REFERENCES runs(id) ON DELETE CASCADE, key TEXT, value TEXT, PRIMARY KEY(run, key))
 *   metrics(run INTEGER REFERENCES runs(id) ON DELETE CASCADE, name TEXT, value REAL, unit TEXT,
 *           PRIMARY KEY(run, name))
 *   series(run INTEGER REFERENCES runs(id) ON DELETE CASCADE, name TEXT, seq INTEGER, x REAL, y REAL,
 *          PRIMARY KEY(run, name, seq))   -- seq: 0,1,2.. in the order the points were added
 *   meta(key TEXT PRIMARY KEY, value TEXT)          -- created_by, schema notes
 *
 * Lifetime: res_db from res_open, closed by res_close (NULL ok). A res_run buffers one run in memory
 * until res_run_commit (which frees it) or res_run_discard.
 */
#ifndef CLUSTERSIM_RES_H
#define CLUSTERSIM_RES_H

#include <stddef.h>
#include <stdint.h>

#define RES_APPLICATION_ID 0x436C5369   /* 'ClSi' */
#define RES_SCHEMA_VERSION 1
#define RES_DEFAULT_DB "results/clustersim.sqlite"

typedef struct res_db res_db;
typedef struct res_run res_run;

/* Opens or creates (parent folder too); path NULL or "": RES_DEFAULT_DB. Refuses, leaving the file
 * untouched, a non-SQLite file, a foreign application_id or a newer user_version. Sets WAL,
 * foreign_keys=ON, synchronous=NORMAL, busy_timeout 30 s. 0, or -1 with a message in err. */
int res_open(const char *path, res_db **out, char *err, size_t errlen);
void res_close(res_db *db);
void *res_sqlite(res_db *db);        /* the sqlite3* handle, for reports' queries */

/* 1 if a run with this identity finished with status 'ok', 0 if not, -1 on error. */
int res_run_done(res_db *db, const char *sha256, uint64_t seed, uint32_t replicate);

/* scenario and sha256 must not be NULL (abort); started_at is taken now (UTC). Never NULL. */
res_run *res_run_begin(const char *scenario, const char *sha256, const char *point_label,
                       const char *resolved_yaml, uint64_t seed, uint32_t replicate);
/* Add to the buffered run (strings are copied; value/unit may be NULL). A param or metric added
 * twice under one name keeps the last value (so derived metrics may overwrite). Series points are
 * appended; each series keeps the order of its points (column seq). Aborts on OOM. */
void res_run_param(res_run *r, const char *key, const char *value);
void res_run_metric(res_run *r, const char *name, double value, const char *unit);
void res_run_series(res_run *r, const char *name, double x, double y);
/* Looks up a metric already added to this run (for derived metrics); 0 found, -1 not. */
int res_run_get_metric(const res_run *r, const char *name, double *value);
/* Marks r so that its commit also replaces an existing 'ok' row of its identity (a forced re-run). */
void res_run_replace(res_run *r);
/* Writes the run in one transaction (replacing a previous 'failed' row of the same identity) and
 * frees r, also on failure. status "ok" or "failed"; error may be NULL. If an 'ok' row of the same
 * identity exists and r was not marked by res_run_replace, nothing is written and 0 is returned
 * (a finished run is never overwritten by accident, nor by a later failure). 0, or -1 with err. */
int res_run_commit(res_db *db, res_run *r, const char *status, const char *error, double wall_s,
                   char *err, size_t errlen);
void res_run_discard(res_run *r);

const char *res_git_rev(void);       /* the build's git revision */

/* ---- sweep driver ----
 * Runs points x replicates, skipping those already done (so a killed sweep resumes), optionally in
 * N worker processes (fork; each opens the database itself; WAL + busy timeout serialise writers).
 * Work is handed out one run at a time, so uneven points balance. A worker that dies (a signal, an
 * exit) fails only the run it held: the parent records it as 'failed' with the reason and starts a
 * replacement. Shows progress (done/total, elapsed, ETA) on stderr when it is a terminal, one line
 * per failed run (always), and a final summary line (unless quiet).
 *
 * point() may be called several times for one point (skip check, run, failure message), in the
 * parent and in workers: it must be deterministic, and info's strings need stay valid only until
 * the next call of point(). A point's identity is (sha256, seed, replicate). replicates 0 means 1. */
typedef struct sweep_point_info {
  const char *scenario;      /* scenario name */
  const char *sha256;        /* identity of the point (hash of its resolved YAML) */
  const char *label;         /* sweep axes of the point, for progress and errors */
  const char *yaml;          /* resolved YAML */
  uint64_t seed;
} sweep_point_info;

typedef struct sweep_ops {
  size_t npoints;
  uint32_t replicates;
  void *ctx;
  void (*point)(void *ctx, size_t i, sweep_point_info *info);
  /* Fills the run (params are added by the driver from `params` below, before run is called).
   * 0 ok; <0 failed (err says why; recorded as status 'failed'). */
  int (*run)(void *ctx, size_t i, uint32_t replicate, res_run *out, char *err, size_t errlen);
  /* Adds the point's flattened params to r (NULL: none). With jobs > 1, point/run/params run in
   * forked workers: what they change in ctx is not seen by the parent. */
  void (*params)(void *ctx, size_t i, res_run *r);
} sweep_ops;

typedef struct sweep_opts {
  const char *db_path;       /* NULL: RES_DEFAULT_DB */
  int jobs;                  /* worker processes; <= 1: run in this process */
  int progress;              /* 1 force, 0 never, -1 auto (isatty(stderr)) */
  int force;                 /* 1: re-run points already done (their old rows are replaced) */
  int quiet;                 /* 1: no final summary line */
} sweep_opts;

typedef struct sweep_stats {
  size_t total;      /* npoints x replicates */
  size_t skipped;    /* already done 'ok' before this call (0 with force) */
  size_t ran;        /* run now, ok or failed */
  size_t failed;     /* of ran: failed (callback < 0, or its worker died) */
  double wall_s;
} sweep_stats;

/* 0 when every point is done ok (ran now or before); 1 when some failed; -1 on a store error (err
 * says which; runs finished before it stay written, and a re-run resumes). stats may be NULL. */
int sweep_run(const sweep_ops *ops, const sweep_opts *opts, sweep_stats *stats, char *err, size_t errlen);

#endif
