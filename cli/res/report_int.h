/* report_int.h: internals of the report module (cli/res/report*.c). Prefix rep_.
 *
 *   report.c        entry point: opens the database, fills TEMP tables cur and sel, runs tables/figures
 *   report_spec.c   the report block (YAML, libyaml document API) -> rep_spec, with key-naming errors
 *   report_table.c  one table -> <results>/tables/<name>.md and .csv
 *   report_fig.c    one figure -> <results>/figures/<name>/data.tsv (+ .png/.svg through gnuplot)
 *   report_util.c   growable string buffer, number formatting, files (mkdir -p, atomic write)
 *
 * Memory: a rep_spec owns every string in it (freed by rep_spec_free). Everything else is local to
 * one call; nothing is cached between report_render calls (no statics).
 */
#ifndef CLUSTERSIM_REPORT_INT_H
#define CLUSTERSIM_REPORT_INT_H

#include <stddef.h>
#include <sqlite3.h>

#include "report.h"

/* ---- the report block ---- */

typedef struct rep_paper {      /* one `paper:` entry: row label -> paper value (in table units) */
  char *row;
  double value;
  int line, col;                /* of the entry in the report block, for "not a row" errors */
} rep_paper;

typedef struct rep_val {        /* one metric column */
  char *metric;
  char *label;                  /* default: metric */
  char *unit;                   /* NULL: no unit in the header */
  double scale;                 /* default 1 */
  int digits;                   /* decimals in Markdown, default 3 */
  rep_paper *paper;             /* NULL/0: no paper columns */
  size_t npaper;
  int has_paper;                /* 1 when `paper:` was given (even empty) */
  double tol;                   /* relative tolerance, default REP_DEFAULT_TOL */
} rep_val;

#define REP_DEFAULT_TOL 0.01
#define REP_DEFAULT_DIGITS 3

typedef struct rep_col {        /* one param shown verbatim */
  char *param;
  char *label;                  /* default: param */
  int footnote;                 /* 1: shown in the Markdown footnote block, not as a column */
} rep_col;

typedef struct rep_kv {
  char *key, *value;
} rep_kv;

typedef struct rep_table {
  char *name;                   /* file stem: [A-Za-z0-9_.-], not starting with '.' */
  char *title;                  /* default: name */
  char *row;                    /* param key labelling each row */
  char *row_label;              /* header of the row column; default: row */
  char **rows;                  /* NULL: every current point in point order */
  size_t nrows;
  rep_col *cols;
  size_t ncols;
  rep_val *vals;
  size_t nvals;
  rep_kv *where;                /* only points whose params equal these values */
  size_t nwhere;
  char *note;                   /* free text appended to the footnote block */
  int line;                     /* of the table entry in the block */
} rep_table;

typedef struct rep_fig {
  char *name;                   /* folder name, same charset as table names */
  int line;
} rep_fig;

typedef struct rep_spec {
  rep_table *tables;
  size_t ntables;
  rep_fig *figs;
  size_t nfigs;
} rep_spec;

/* Parses the report block. `where` prefixes messages (the scenario file, or "report").
 * 0, or -1 with "WHERE: report block line L:C: report.tables[0].values[1]: what; allowed: ..." */
int rep_spec_parse(const char *yaml, const char *where, rep_spec *out, char *err, size_t errlen);
void rep_spec_free(rep_spec *s);

/* ---- rendering context ---- */

typedef struct rep_buf {        /* growable NUL-terminated string; aborts on OOM */
  char *s;
  size_t len, cap;
} rep_buf;

typedef struct rep_ctx {
  sqlite3 *db;
  const char *db_path;
  const char *scenario_file;
  const char *results_dir;
  const char *figures_src;
  int no_images;
  const char *gnuplot;          /* "" or NULL: none */
  int png_term;                 /* 0 not probed yet, 1 pngcairo, 2 png */
  rep_buf written;              /* files produced, one per line; lines starting "# " are notes */
} rep_ctx;

/* 0, 1 (a row outside its tolerance), or -1 with err. */
int rep_table_render(rep_ctx *c, const rep_table *t, char *err, size_t errlen);
/* 0, or -1 with err. */
int rep_fig_render(rep_ctx *c, const rep_fig *f, char *err, size_t errlen);

/* ---- utilities (report_util.c) ---- */

void rep_buf_add(rep_buf *b, const char *s);
void rep_buf_addn(rep_buf *b, const char *s, size_t n);
void rep_buf_printf(rep_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rep_buf_free(rep_buf *b);

char *rep_strdup(const char *s);                 /* aborts on OOM; NULL -> NULL */
void *rep_xcalloc(size_t n, size_t size);        /* aborts on OOM */
void *rep_xrealloc(void *p, size_t n, size_t size);

/* Shortest "%.Ng" (N = 1..17) that reads back as the same double; "nan"/"inf"/"-inf" for those. */
void rep_fmt_g(char *out, size_t outlen, double v);

/* mkdir -p. 0, or -1 with err naming the folder and errno text. */
int rep_mkdirs(const char *path, char *err, size_t errlen);
/* Writes data to path through path.tmp + rename, so a reader never sees half a file. 0 or -1. */
int rep_write_file(const char *path, const char *data, size_t len, char *err, size_t errlen);
/* Reads a whole text file (NUL-terminated, caller frees). NULL with err when it cannot. */
char *rep_read_file(const char *path, char *err, size_t errlen);
/* 1 when the file exists and is a regular file. */
int rep_is_file(const char *path);

/* Safe file stem: [A-Za-z0-9_.-]+ not starting with '.'. */
int rep_name_ok(const char *name);

#endif
