/* report_table.c: one table of the report block -> <results>/tables/<name>.md and <name>.csv.
 *
 * Rows are points (one sha256 each), labelled by the value of param `row`. A point's label, its
 * `where` filter and its `columns` come from its latest run of any status (so a failed point still
 * has a name in the error); its values come from the latest 'ok' run of each replicate (TEMP table
 * sel), averaged over replicates. Cost: a few small queries per row and value; tables have tens of
 * rows, so no attempt is made to batch them.
 *
 * Cell text is built first (cells[row][col]), then printed padded, so the Markdown reads well as
 * plain text too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

typedef struct trow {
  char *sha;
  char *label;                  /* NULL: the point has no such param */
  long long anyrun;             /* latest run, any status */
  long long *runs;              /* latest 'ok' run per replicate */
  size_t nruns;
  char *last_status, *last_error;
  int keep;
} trow;

typedef struct tval {           /* one (row, value) cell */
  double sim;                   /* scaled mean; NAN when the metric is missing */
  int n;                        /* replicates carrying the metric */
  int has_paper;
  double paper, dev;            /* dev: relative, signed */
  int outside;
} tval;

static char *get_param(sqlite3 *db, long long run, const char *key) {
  sqlite3_stmt *st = NULL;
  char *v = NULL;
  if (sqlite3_prepare_v2(db, "SELECT value FROM main.params WHERE run = ?1 AND key = ?2", -1, &st, NULL) !=
      SQLITE_OK)
    return NULL;
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(st, 0);
    v = rep_strdup(t ? (const char *)t : "");
  }
  sqlite3_finalize(st);
  return v;
}

/* A comma-separated list of the first rows of a one-column query (for "available: ..." hints). */
static void list_query(sqlite3 *db, const char *sql, long long arg, rep_buf *out) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return;
  if (sqlite3_bind_parameter_count(st) > 0) sqlite3_bind_int64(st, 1, arg);
  int n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (n == 20) {
      rep_buf_add(out, ", ...");
      break;
    }
    const unsigned char *t = sqlite3_column_text(st, 0);
    rep_buf_printf(out, "%s%s", n++ ? ", " : "", t ? (const char *)t : "NULL");
  }
  if (n == 0) rep_buf_add(out, "(none)");
  sqlite3_finalize(st);
}

static void free_rows(trow *r, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(r[i].sha);
    free(r[i].label);
    free(r[i].runs);
    free(r[i].last_status);
    free(r[i].last_error);
  }
  free(r);
}

static char *col_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? rep_strdup((const char *)t) : NULL;
}

/* Every current point with its label and runs, in point order. */
static int load_points(rep_ctx *c, const rep_table *t, trow **out, size_t *nout, char *err, size_t errlen) {
  sqlite3_stmt *st = NULL, *rs = NULL;
  trow *rows = NULL;
  size_t n = 0;
  int rc = -1;
  if (sqlite3_prepare_v2(c->db,
                         "SELECT c.sha256, r.id, r.status, r.error FROM temp.cur c LEFT JOIN main.runs r"
                         " ON r.id = (SELECT max(id) FROM main.runs WHERE scenario_sha256 = c.sha256)"
                         " ORDER BY c.ord",
                         -1, &st, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(c->db, "SELECT run FROM temp.sel WHERE sha256 = ?1 ORDER BY replicate", -1, &rs,
                         NULL) != SQLITE_OK) {
    snprintf(err, errlen, "table %s: reading runs from %s: %s", t->name, c->db_path, sqlite3_errmsg(c->db));
    goto out;
  }
  int s;
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    rows = rep_xrealloc(rows, n + 1, sizeof *rows);
    trow *r = &rows[n++];
    memset(r, 0, sizeof *r);
    r->sha = col_text(st, 0);
    if (sqlite3_column_type(st, 1) == SQLITE_NULL) continue;   /* no run at all */
    r->anyrun = sqlite3_column_int64(st, 1);
    r->last_status = col_text(st, 2);
    r->last_error = col_text(st, 3);
    r->label = get_param(c->db, r->anyrun, t->row);
    sqlite3_bind_text(rs, 1, r->sha, -1, SQLITE_STATIC);
    while (sqlite3_step(rs) == SQLITE_ROW) {
      r->runs = rep_xrealloc(r->runs, r->nruns + 1, sizeof *r->runs);
      r->runs[r->nruns++] = sqlite3_column_int64(rs, 0);
    }
    sqlite3_reset(rs);
  }
  if (s != SQLITE_DONE) {
    snprintf(err, errlen, "table %s: reading runs from %s: %s", t->name, c->db_path, sqlite3_errmsg(c->db));
    goto out;
  }
  rc = 0;
out:
  sqlite3_finalize(st);
  sqlite3_finalize(rs);
  if (rc != 0) {
    free_rows(rows, n);
    rows = NULL;
    n = 0;
  }
  *out = rows;
  *nout = n;
  return rc;
}

static int where_ok(rep_ctx *c, const rep_table *t, const trow *r) {
  for (size_t i = 0; i < t->nwhere; i++) {
    char *v = get_param(c->db, r->anyrun, t->where[i].key);
    int eq = v && !strcmp(v, t->where[i].value);
    free(v);
    if (!eq) return 0;
  }
  return 1;
}

/* Picks and orders the rows; sets `order` to indices into rows. Errors name every missing row. */
static int select_rows(rep_ctx *c, const rep_table *t, trow *rows, size_t n, size_t **order, size_t *norder,
                       char *err, size_t errlen) {
  rep_buf msg = {0};
  size_t *ord = rep_xcalloc(t->rows ? t->nrows : n, sizeof *ord);
  size_t k = 0;
  int rc = -1;
  size_t noruns = 0;
  for (size_t i = 0; i < n; i++) {
    if (!rows[i].anyrun) {
      noruns++;
      continue;
    }
    if (!where_ok(c, t, &rows[i])) continue;
    if (!rows[i].label) {
      if (t->rows) continue;                  /* another kind of point; `rows` picks the table's */
      rep_buf_printf(&msg, "table %s: point %.12s has no param '%s' (row key); its params: ", t->name,
                     rows[i].sha, t->row);
      list_query(c->db, "SELECT key FROM main.params WHERE run = ?1 ORDER BY key", rows[i].anyrun, &msg);
      goto out;
    }
    for (size_t j = 0; j < i; j++)
      if (rows[j].keep && !strcmp(rows[j].label, rows[i].label)) {
        rep_buf_printf(&msg, "table %s: points %.12s and %.12s both have %s = '%s'; a row must be one point "
                       "(narrow it with `where:` or choose another `row` key)",
                       t->name, rows[j].sha, rows[i].sha, t->row, rows[i].label);
        goto out;
      }
    rows[i].keep = 1;
  }
  if (t->rows) {
    int missing = 0;
    for (size_t r = 0; r < t->nrows; r++) {
      size_t i;
      for (i = 0; i < n; i++)
        if (rows[i].keep && !strcmp(rows[i].label, t->rows[r])) break;
      if (i < n && rows[i].nruns > 0) {
        ord[k++] = i;
        continue;
      }
      rep_buf_printf(&msg, "%s%s", missing++ ? ", " : "", t->rows[r]);
      if (i < n) rep_buf_printf(&msg, " (point %.12s: no 'ok' run; last run %s%s%s)", rows[i].sha,
                                rows[i].last_status ? rows[i].last_status : "?",
                                rows[i].last_error ? ": " : "", rows[i].last_error ? rows[i].last_error : "");
    }
    if (missing) {
      rep_buf tmp = {0};
      rep_buf_printf(&tmp, "table %s: missing rows (no current point with %s = that value has an 'ok' run"
                     " in %s): %s", t->name, t->row, c->db_path, msg.s);
      if (noruns) rep_buf_printf(&tmp, "; %zu current point(s) have no run at all (run the scenario first)",
                                 noruns);
      rep_buf_free(&msg);
      msg = tmp;
      goto out;
    }
  } else {
    if (noruns) {
      rep_buf_printf(&msg, "table %s: %zu current point(s) have no run in %s; run the scenario first",
                     t->name, noruns, c->db_path);
      goto out;
    }
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
      if (!rows[i].keep) continue;
      if (rows[i].nruns > 0) {
        ord[k++] = i;
        continue;
      }
      if (!bad++) rep_buf_printf(&msg, "table %s: rows without an 'ok' run: ", t->name);
      else rep_buf_add(&msg, ", ");
      rep_buf_printf(&msg, "%s (point %.12s, last run %s%s%s)", rows[i].label, rows[i].sha,
                     rows[i].last_status ? rows[i].last_status : "?", rows[i].last_error ? ": " : "",
                     rows[i].last_error ? rows[i].last_error : "");
    }
    if (bad) goto out;
    if (k == 0) {
      rep_buf_printf(&msg, "table %s: no current point matches", t->name);
      for (size_t w = 0; w < t->nwhere; w++)
        rep_buf_printf(&msg, "%s%s = '%s'", w ? ", " : " `where`: ", t->where[w].key, t->where[w].value);
      goto out;
    }
  }
  rc = 0;
out:
  if (rc != 0) {
    snprintf(err, errlen, "%s", msg.s ? msg.s : "table: row selection failed");
    free(ord);
    ord = NULL;
    k = 0;
  }
  rep_buf_free(&msg);
  *order = ord;
  *norder = k;
  return rc;
}

/* scale 0.001 is applied as /1000 when 1/scale is an integer: 70272 B -> 70.272 exactly. */
static double apply_scale(double v, double scale) {
  double inv = 1.0 / scale;
  double r = nearbyint(inv);
  if (r != 0 && fabs(inv - r) <= 1e-9 * fabs(r) && fabs(scale) < 1) return v / r;
  return v * scale;
}

static int load_value(rep_ctx *c, const rep_table *t, const rep_val *v, const trow *r, tval *out, char *err,
                      size_t errlen) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->db,
                         "SELECT avg(m.value), count(m.value) FROM main.metrics m JOIN temp.sel s"
                         " ON s.run = m.run WHERE s.sha256 = ?1 AND m.name = ?2",
                         -1, &st, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "table %s: reading metric %s: %s", t->name, v->metric, sqlite3_errmsg(c->db));
    return -1;
  }
  sqlite3_bind_text(st, 1, r->sha, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, v->metric, -1, SQLITE_STATIC);
  out->sim = NAN;
  out->n = 0;
  if (sqlite3_step(st) == SQLITE_ROW) {
    out->n = sqlite3_column_int(st, 1);
    if (out->n > 0) out->sim = apply_scale(sqlite3_column_double(st, 0), v->scale);
  }
  sqlite3_finalize(st);
  out->has_paper = 0;
  for (size_t e = 0; e < v->npaper; e++)
    if (!strcmp(v->paper[e].row, r->label)) {
      out->has_paper = 1;
      out->paper = v->paper[e].value;
    }
  out->dev = NAN;
  out->outside = 0;
  if (out->has_paper) {
    if (out->n == 0) {
      out->outside = 1;                       /* a paper value with nothing simulated to compare */
    } else if (out->paper != 0) {
      out->dev = (out->sim - out->paper) / out->paper;
      out->outside = !(fabs(out->dev) <= v->tol * (1 + 1e-12));
    } else {                                  /* paper 0: relative deviation undefined; use |sim| */
      out->dev = out->sim == 0 ? 0 : (out->sim > 0 ? INFINITY : -INFINITY);
      out->outside = !(fabs(out->sim) <= v->tol);
    }
  }
  return 0;
}

/* Decimals that make the tolerance visible in a percentage: tol 0.001 -> 2 ("+0.10%"), 1e-5 -> 4. */
static int dev_decimals(double tol) {
  int d = 2;
  if (tol > 0) {
    int need = (int)ceil(-log10(tol * 100)) + 1;
    if (need > d) d = need;
  }
  return d > 8 ? 8 : d;
}

static size_t utf8_width(const char *s) {
  size_t w = 0;
  for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
  return w;
}

static void md_escape(rep_buf *b, const char *s) {
  for (; *s; s++) {
    if (*s == '|') rep_buf_add(b, "\\|");
    else if (*s == '\n' || *s == '\r') rep_buf_add(b, " ");
    else rep_buf_addn(b, s, 1);
  }
}

static void csv_field(rep_buf *b, const char *s) {
  if (!s) return;
  if (!strpbrk(s, ",\"\r\n")) {
    rep_buf_add(b, s);
    return;
  }
  rep_buf_add(b, "\"");
  for (; *s; s++) {
    if (*s == '"') rep_buf_add(b, "\"\"");
    else rep_buf_addn(b, s, 1);
  }
  rep_buf_add(b, "\"");
}

/* A table of cell strings, printed with padded columns. */
typedef struct grid {
  char **cell;                  /* [r * ncol + c]; row 0 is the header */
  int *right;                   /* per column: right-aligned (numbers) */
  size_t nrow, ncol;
} grid;

static void grid_set(grid *g, size_t r, size_t col, const char *s) {
  rep_buf b = {0};
  md_escape(&b, s);
  if (!b.s) rep_buf_add(&b, "");
  g->cell[r * g->ncol + col] = b.s;
}

static void grid_print(const grid *g, rep_buf *out) {
  size_t *w = rep_xcalloc(g->ncol, sizeof *w);
  for (size_t r = 0; r < g->nrow; r++)
    for (size_t col = 0; col < g->ncol; col++) {
      size_t cw = utf8_width(g->cell[r * g->ncol + col]);
      if (cw > w[col]) w[col] = cw;
    }
  for (size_t col = 0; col < g->ncol; col++)
    if (w[col] < 3) w[col] = 3;
  for (size_t r = 0; r < g->nrow; r++) {
    rep_buf_add(out, "|");
    for (size_t col = 0; col < g->ncol; col++) {
      const char *s = g->cell[r * g->ncol + col];
      size_t pad = w[col] - utf8_width(s);
      rep_buf_add(out, " ");
      if (g->right[col])
        for (size_t i = 0; i < pad; i++) rep_buf_add(out, " ");
      rep_buf_add(out, s);
      if (!g->right[col])
        for (size_t i = 0; i < pad; i++) rep_buf_add(out, " ");
      rep_buf_add(out, " |");
    }
    rep_buf_add(out, "\n");
    if (r == 0) {
      rep_buf_add(out, "|");
      for (size_t col = 0; col < g->ncol; col++) {
        rep_buf_add(out, " ");
        for (size_t i = 0; i + 1 < w[col]; i++) rep_buf_add(out, "-");
        rep_buf_add(out, g->right[col] ? ":" : "-");
        rep_buf_add(out, " |");
      }
      rep_buf_add(out, "\n");
    }
  }
  free(w);
}

static void grid_free(grid *g) {
  for (size_t i = 0; i < g->nrow * g->ncol; i++) free(g->cell[i]);
  free(g->cell);
  free(g->right);
}

static void header_with_unit(char *out, size_t len, const rep_val *v, const char *suffix) {
  if (v->unit) snprintf(out, len, "%s (%s)%s", v->label, v->unit, suffix);
  else snprintf(out, len, "%s%s", v->label, suffix);
}

int rep_table_render(rep_ctx *c, const rep_table *t, char *err, size_t errlen) {
  trow *rows = NULL;
  size_t nrows = 0, *ord = NULL, nord = 0;
  tval *tv = NULL;
  char **colv = NULL;           /* [k * ncols + j]: param values of kept row k */
  int rc = -1;
  rep_buf md = {0}, csv = {0}, path = {0};
  grid g = {0};

  if (load_points(c, t, &rows, &nrows, err, errlen) != 0) goto out;
  if (select_rows(c, t, rows, nrows, &ord, &nord, err, errlen) != 0) goto out;

  /* Paper entries must name a row (a typo would otherwise silently skip a comparison). */
  for (size_t v = 0; v < t->nvals; v++)
    for (size_t e = 0; e < t->vals[v].npaper; e++) {
      size_t k;
      for (k = 0; k < nord; k++)
        if (!strcmp(rows[ord[k]].label, t->vals[v].paper[e].row)) break;
      if (k == nord) {
        rep_buf avail = {0};
        for (k = 0; k < nord; k++) rep_buf_printf(&avail, "%s%s", k ? ", " : "", rows[ord[k]].label);
        snprintf(err, errlen, "%s: report block line %d:%d: table %s, value %s: paper row '%s' is not a row "
                 "of the table; rows: %s", c->scenario_file, t->vals[v].paper[e].line, t->vals[v].paper[e].col,
                 t->name, t->vals[v].metric, t->vals[v].paper[e].row, avail.s ? avail.s : "(none)");
        rep_buf_free(&avail);
        goto out;
      }
    }

  /* Values; a metric missing from every row is an error (likely a typo), missing from some is "-". */
  tv = rep_xcalloc(nord * t->nvals, sizeof *tv);
  for (size_t v = 0; v < t->nvals; v++) {
    int any = 0;
    for (size_t k = 0; k < nord; k++) {
      if (load_value(c, t, &t->vals[v], &rows[ord[k]], &tv[k * t->nvals + v], err, errlen) != 0) goto out;
      any |= tv[k * t->nvals + v].n > 0;
    }
    if (!any) {
      rep_buf avail = {0};
      list_query(c->db, "SELECT DISTINCT m.name FROM main.metrics m JOIN temp.sel s ON s.run = m.run"
                 " ORDER BY m.name", 0, &avail);
      snprintf(err, errlen, "table %s: metric '%s' is in none of its runs; metrics recorded: %s", t->name,
               t->vals[v].metric, avail.s);
      rep_buf_free(&avail);
      goto out;
    }
  }
  colv = rep_xcalloc(nord * (t->ncols ? t->ncols : 1), sizeof *colv);
  for (size_t k = 0; k < nord; k++)
    for (size_t j = 0; j < t->ncols; j++) colv[k * t->ncols + j] = get_param(c->db, rows[ord[k]].anyrun, t->cols[j].param);

  int maxn = 0, npaper_vals = 0, outside = 0;
  for (size_t k = 0; k < nord; k++) {
    if ((int)rows[ord[k]].nruns > maxn) maxn = (int)rows[ord[k]].nruns;
    for (size_t v = 0; v < t->nvals; v++) outside |= tv[k * t->nvals + v].outside;
  }
  for (size_t v = 0; v < t->nvals; v++) npaper_vals += t->vals[v].has_paper;

  /* ---- Markdown ---- */
  size_t ncol = 1;
  for (size_t j = 0; j < t->ncols; j++) ncol += !t->cols[j].footnote;
  for (size_t v = 0; v < t->nvals; v++) ncol += t->vals[v].has_paper ? 4 : 1;
  if (maxn > 1) ncol++;
  g.nrow = nord + 1;
  g.ncol = ncol;
  g.cell = rep_xcalloc(g.nrow * g.ncol, sizeof *g.cell);
  g.right = rep_xcalloc(g.ncol, sizeof *g.right);
  char buf[512], num[64];
  size_t col = 0;
  grid_set(&g, 0, col++, t->row_label);
  for (size_t j = 0; j < t->ncols; j++)
    if (!t->cols[j].footnote) grid_set(&g, 0, col++, t->cols[j].label);
  for (size_t v = 0; v < t->nvals; v++) {
    const rep_val *rv = &t->vals[v];
    if (!rv->has_paper) {
      header_with_unit(buf, sizeof buf, rv, "");
      g.right[col] = 1;
      grid_set(&g, 0, col++, buf);
      continue;
    }
    header_with_unit(buf, sizeof buf, rv, ", paper");
    g.right[col] = 1;
    grid_set(&g, 0, col++, buf);
    header_with_unit(buf, sizeof buf, rv, ", simulated");
    g.right[col] = 1;
    grid_set(&g, 0, col++, buf);
    if (npaper_vals > 1) snprintf(buf, sizeof buf, "%s deviation", rv->label);
    else snprintf(buf, sizeof buf, "Deviation");
    g.right[col] = 1;
    grid_set(&g, 0, col++, buf);
    if (npaper_vals > 1) snprintf(buf, sizeof buf, "%s status", rv->label);
    else snprintf(buf, sizeof buf, "Status");
    grid_set(&g, 0, col++, buf);
  }
  if (maxn > 1) {
    g.right[col] = 1;
    grid_set(&g, 0, col++, "n");
  }
  for (size_t k = 0; k < nord; k++) {
    const trow *r = &rows[ord[k]];
    col = 0;
    grid_set(&g, k + 1, col++, r->label);
    for (size_t j = 0; j < t->ncols; j++)
      if (!t->cols[j].footnote) grid_set(&g, k + 1, col++, colv[k * t->ncols + j] ? colv[k * t->ncols + j] : "-");
    for (size_t v = 0; v < t->nvals; v++) {
      const rep_val *rv = &t->vals[v];
      const tval *x = &tv[k * t->nvals + v];
      if (rv->has_paper) {
        if (x->has_paper) snprintf(num, sizeof num, "%.*f", rv->digits, x->paper);
        else snprintf(num, sizeof num, "-");
        grid_set(&g, k + 1, col++, num);
      }
      if (x->n > 0) snprintf(num, sizeof num, "%.*f", rv->digits, x->sim);
      else snprintf(num, sizeof num, "-");
      grid_set(&g, k + 1, col++, num);
      if (!rv->has_paper) continue;
      if (x->has_paper && x->n > 0 && isfinite(x->dev))
        snprintf(num, sizeof num, "%+.*f%%", dev_decimals(rv->tol), x->dev * 100);
      else if (x->has_paper && x->n > 0)
        snprintf(num, sizeof num, "n/a");
      else
        snprintf(num, sizeof num, "-");
      grid_set(&g, k + 1, col++, num);
      if (!x->has_paper) snprintf(buf, sizeof buf, "-");
      else if (x->n == 0) snprintf(buf, sizeof buf, "**MISSING**");
      else if (x->outside) snprintf(buf, sizeof buf, "**OUTSIDE ±%.6g%%**", rv->tol * 100);
      else snprintf(buf, sizeof buf, "ok");
      grid_set(&g, k + 1, col++, buf);
    }
    if (maxn > 1) {
      snprintf(num, sizeof num, "%zu", r->nruns);
      grid_set(&g, k + 1, col++, num);
    }
  }
  rep_buf_printf(&md, "# %s\n\n", t->title);
  grid_print(&g, &md);
  rep_buf_add(&md, "\n");
  for (size_t v = 0; v < t->nvals; v++)
    if (t->vals[v].has_paper)
      rep_buf_printf(&md, "- %s: deviation = (simulated - paper) / paper; tolerance ±%.6g%%.\n", t->vals[v].label,
                     t->vals[v].tol * 100);
  if (maxn > 1) rep_buf_add(&md, "- Simulated values are means over the n replicates of each point.\n");
  for (size_t j = 0; j < t->ncols; j++) {
    if (!t->cols[j].footnote) continue;
    for (size_t k = 0; k < nord; k++) {
      const char *pv = colv[k * t->ncols + j];
      if (!pv) continue;
      rep_buf_printf(&md, "- %s, %s: ", rows[ord[k]].label, t->cols[j].label);
      md_escape(&md, pv);
      rep_buf_add(&md, "\n");
    }
  }
  if (t->note) {
    rep_buf_add(&md, "- ");
    md_escape(&md, t->note);
    rep_buf_add(&md, "\n");
  }
  rep_buf_printf(&md, "- Database: `%s`; scenario: `%s`.\n", c->db_path, c->scenario_file);
  {
    rep_buf ids = {0}, revs = {0};
    for (size_t k = 0; k < nord; k++)
      for (size_t i = 0; i < rows[ord[k]].nruns; i++)
        rep_buf_printf(&ids, "%s%lld", ids.len ? "," : "", rows[ord[k]].runs[i]);
    rep_buf sql = {0};
    rep_buf_printf(&sql, "SELECT DISTINCT coalesce(git_rev, 'unknown') FROM main.runs WHERE id IN (%s)"
                   " ORDER BY 1", ids.s ? ids.s : "");
    list_query(c->db, sql.s, 0, &revs);
    rep_buf_printf(&md, "- Git revision of the runs: %s.\n", revs.s ? revs.s : "(none)");
    rep_buf_free(&sql);
    rep_buf_free(&ids);
    rep_buf_free(&revs);
  }
  rep_buf_add(&md, "- Points (scenario sha256):");
  for (size_t k = 0; k < nord; k++)
    rep_buf_printf(&md, "%s %s `%.12s`", k ? "," : "", rows[ord[k]].label, rows[ord[k]].sha);
  rep_buf_add(&md, ".\n");

  /* ---- CSV ---- */
  csv_field(&csv, t->row);
  for (size_t j = 0; j < t->ncols; j++) {
    rep_buf_add(&csv, ",");
    csv_field(&csv, t->cols[j].param);
  }
  for (size_t v = 0; v < t->nvals; v++) {
    const char *m = t->vals[v].metric;
    rep_buf_add(&csv, ",");
    csv_field(&csv, m);
    if (!t->vals[v].has_paper) continue;
    const char *suf[] = {"_paper", "_deviation", "_status"};
    for (size_t i = 0; i < 3; i++) {
      snprintf(buf, sizeof buf, "%s%s", m, suf[i]);
      rep_buf_add(&csv, ",");
      csv_field(&csv, buf);
    }
  }
  rep_buf_add(&csv, ",n,scenario_sha256\n");
  for (size_t k = 0; k < nord; k++) {
    const trow *r = &rows[ord[k]];
    csv_field(&csv, r->label);
    for (size_t j = 0; j < t->ncols; j++) {
      rep_buf_add(&csv, ",");
      csv_field(&csv, colv[k * t->ncols + j]);
    }
    for (size_t v = 0; v < t->nvals; v++) {
      const tval *x = &tv[k * t->nvals + v];
      rep_buf_add(&csv, ",");
      if (x->n > 0) {
        rep_fmt_g(num, sizeof num, x->sim);
        rep_buf_add(&csv, num);
      }
      if (!t->vals[v].has_paper) continue;
      rep_buf_add(&csv, ",");
      if (x->has_paper) {
        rep_fmt_g(num, sizeof num, x->paper);
        rep_buf_add(&csv, num);
      }
      rep_buf_add(&csv, ",");
      if (x->has_paper && x->n > 0) {
        rep_fmt_g(num, sizeof num, x->dev);
        rep_buf_add(&csv, num);
      }
      rep_buf_add(&csv, ",");
      if (x->has_paper) rep_buf_add(&csv, x->n == 0 ? "missing" : x->outside ? "outside" : "ok");
    }
    rep_buf_printf(&csv, ",%zu,%s\n", r->nruns, r->sha);
  }

  /* ---- files ---- */
  rep_buf_printf(&path, "%s/tables", c->results_dir);
  if (rep_mkdirs(path.s, err, errlen) != 0) goto out;
  path.len = 0;
  rep_buf_printf(&path, "%s/tables/%s.md", c->results_dir, t->name);
  if (rep_write_file(path.s, md.s, md.len, err, errlen) != 0) goto out;
  rep_buf_printf(&c->written, "%s\n", path.s);
  path.len = 0;
  rep_buf_printf(&path, "%s/tables/%s.csv", c->results_dir, t->name);
  if (rep_write_file(path.s, csv.s, csv.len, err, errlen) != 0) goto out;
  rep_buf_printf(&c->written, "%s\n", path.s);
  rc = outside ? 1 : 0;
out:
  if (colv)
    for (size_t i = 0; i < nord * t->ncols; i++) free(colv[i]);
  free(colv);
  grid_free(&g);
  free(tv);
  free(ord);
  free_rows(rows, nrows);
  rep_buf_free(&md);
  rep_buf_free(&csv);
  rep_buf_free(&path);
  return rc;
}
