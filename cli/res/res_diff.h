/* res_diff.h: comparing results: two stores' runs (`clustersim diff`), and regenerated result
 * tables against their checked-in versions (the closing summary of `clustersim reproduce`).
 *
 * Runs: a point is matched across the two sides by (scenario, point_label, seed, replicate), not by
 * its scenario hash, so a run made with `--set` of an input is compared with the run it changes. On
 * each side the newest 'ok' run of a point is used (optionally only runs whose git_rev starts with a
 * given prefix, so two revisions' runs in one store can be compared). A metric has moved when
 * |b - a| > abs_tol and |b - a| > rel_tol * max(|a|, |b|) (both NaN: equal); a metric or point on one
 * side only is reported too. Values are in the metric's own unit (column metrics.unit).
 *
 * Tables: the CSV files of a report (results/tables/NAME.csv). Rows are matched by the first column
 * (and its repeat count), columns by header name; scenario_sha256 and *_deviation columns are not
 * compared (they follow the inputs and the values); numbers are compared with the tolerance above,
 * other cells as strings.
 *
 * Lifetime: no state; the snapshot of tables lives from res_tables_snapshot to res_tables_free.
 */
#ifndef CLUSTERSIM_RES_DIFF_H
#define CLUSTERSIM_RES_DIFF_H

#include <stddef.h>
#include <stdio.h>

typedef struct res_diff_opts {
  double rel_tol;            /* relative tolerance (fraction) */
  double abs_tol;            /* absolute tolerance, in the metric's unit */
  const char *rev_a, *rev_b; /* git_rev prefixes of the runs to take on each side; NULL: any */
} res_diff_opts;

typedef struct res_diff_stats {
  size_t compared;           /* metrics present on both sides */
  size_t moved;              /* of compared: beyond tolerance */
  size_t only_a, only_b;     /* metrics on one side only */
} res_diff_stats;

/* 1 when a and b differ beyond the tolerance of o. */
int res_diff_moved(double a, double b, const res_diff_opts *o);

/* Compares the runs of store a with those of store b (may be the same file) and prints one line per
 * moved metric or metric on one side only to out. Both files must exist. 0, or -1 with err. */
int res_diff_dbs(const char *path_a, const char *path_b, const res_diff_opts *o, FILE *out, res_diff_stats *st,
                 char *err, size_t errlen);

/* A snapshot of the *.csv files of one folder (their text, in memory). */
typedef struct res_tables res_tables;
/* Reads every NAME.csv in dir (a missing folder gives an empty snapshot). Never NULL. */
res_tables *res_tables_snapshot(const char *dir);
void res_tables_free(res_tables *t);
/* Compares the snapshot `before` with the CSV files now in dir: one line per moved cell (table,
 * row, column, old -> new), per row or table that appeared or went, to out. */
void res_tables_diff(const res_tables *before, const char *dir, const res_diff_opts *o, FILE *out,
                     res_diff_stats *st);

#endif
