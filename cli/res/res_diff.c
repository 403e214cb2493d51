/* res_diff.c: comparing two stores' runs and regenerated tables with their snapshots (res_diff.h). */
#include "res_diff.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "res_int.h"

int res_diff_moved(double a, double b, const res_diff_opts *o) {
  if (isnan(a) || isnan(b)) return !(isnan(a) && isnan(b));
  if (a == b) return 0;
  double d = fabs(b - a), m = fmax(fabs(a), fabs(b));
  if (isinf(d)) return 1;
  return d > o->abs_tol && d > o->rel_tol * m;
}

static char *dup_str(const char *s) {
  char *p = strdup(s ? s : "");
  RES_ALLOC_CHECK(p);
  return p;
}

/* ---- stores ---- */

typedef struct drow {
  char *key;        /* scenario \x1f label \x1f seed \x1f replicate: the point */
  char *name, *unit;
  double value;
} drow;

typedef struct dside { drow *r; size_t n, cap; } dside;

static int drow_cmp(const void *pa, const void *pb) {
  const drow *a = pa, *b = pb;
  int c = strcmp(a->key, b->key);
  return c ? c : strcmp(a->name, b->name);
}

static void dside_free(dside *s) {
  for (size_t i = 0; i < s->n; i++) {
    free(s->r[i].key);
    free(s->r[i].name);
    free(s->r[i].unit);
  }
  free(s->r);
  memset(s, 0, sizeof *s);
}

static const char q_metrics[] =
  "WITH pick AS (SELECT max(id) AS id FROM runs WHERE status = 'ok' AND (?1 IS NULL OR substr(git_rev, 1, "
  "length(?1)) = ?1) GROUP BY scenario, point_label, seed, replicate) "
  "SELECT r.scenario, coalesce(r.point_label, ''), r.seed, r.replicate, m.name, m.value, coalesce(m.unit, '') "
  "FROM pick JOIN runs r ON r.id = pick.id JOIN metrics m ON m.run = r.id";

static int load_side(const char *path, const char *rev, dside *s, char *err, size_t errlen) {
  struct stat stt;
  if (stat(path, &stt) != 0) {
    res_seterr(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  res_db *db = NULL;
  if (res_open(path, &db, err, errlen) < 0) return -1;
  sqlite3 *h = res_sqlite(db);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(h, q_metrics, -1, &st, NULL) != SQLITE_OK) {
    res_seterr(err, errlen, "%s: %s", path, sqlite3_errmsg(h));
    res_close(db);
    return -1;
  }
  if (rev) sqlite3_bind_text(st, 1, rev, -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (s->n == s->cap) {
      s->cap = s->cap ? 2 * s->cap : 256;
      s->r = realloc(s->r, s->cap * sizeof *s->r);
      RES_ALLOC_CHECK(s->r);
    }
    char key[4096];
    snprintf(key, sizeof key, "%s\x1f%s\x1f%lld\x1f%lld", (const char *)sqlite3_column_text(st, 0),
             (const char *)sqlite3_column_text(st, 1), (long long)sqlite3_column_int64(st, 2),
             (long long)sqlite3_column_int64(st, 3));
    drow *d = &s->r[s->n++];
    d->key = dup_str(key);
    d->name = dup_str((const char *)sqlite3_column_text(st, 4));
    d->value = sqlite3_column_type(st, 5) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 5);
    d->unit = dup_str((const char *)sqlite3_column_text(st, 6));
  }
  if (rc != SQLITE_DONE) res_seterr(err, errlen, "%s: %s", path, sqlite3_errmsg(h));
  sqlite3_finalize(st);
  res_close(db);
  if (rc != SQLITE_DONE) return -1;
  qsort(s->r, s->n, sizeof *s->r, drow_cmp);
  return 0;
}

/* "scenario [label] seed=S rep=R" from a key. */
static void key_text(const char *key, char *buf, size_t len) { /* len >= 2200 */
  char f[4][1024] = {{0}};
  size_t k = 0, j = 0;
  for (const char *p = key; *p; p++) {
    if (*p == '\x1f') { if (k < 3) { k++; j = 0; } continue; }
    if (j + 1 < sizeof f[k]) f[k][j++] = *p;
  }
  int n = f[1][0] ? snprintf(buf, len, "%.1000s [%.1000s] seed=%.40s rep=%.40s", f[0], f[1], f[2], f[3])
                  : snprintf(buf, len, "%.1000s seed=%.40s rep=%.40s", f[0], f[2], f[3]);
  (void)n;
}

static void print_change(FILE *out, const char *where, const char *name, double a, double b, const char *unit) {
  fprintf(out, "  %s  %s: %.10g -> %.10g%s%s", where, name, a, b, unit[0] ? " " : "", unit);
  if (isfinite(a) && isfinite(b) && a != 0) fprintf(out, " (%+.3g%%)", 100.0 * (b - a) / fabs(a));
  fputc('\n', out);
}

int res_diff_dbs(const char *path_a, const char *path_b, const res_diff_opts *o, FILE *out, res_diff_stats *st,
                 char *err, size_t errlen) {
  res_diff_stats z = {0};
  if (!st) st = &z;
  memset(st, 0, sizeof *st);
  dside a = {0}, b = {0};
  if (load_side(path_a, o->rev_a, &a, err, errlen) < 0) return -1;
  if (load_side(path_b, o->rev_b, &b, err, errlen) < 0) {
    dside_free(&a);
    return -1;
  }
  size_t i = 0, j = 0;
  char where[4096];
  while (i < a.n || j < b.n) {
    int c = i == a.n ? 1 : j == b.n ? -1 : drow_cmp(&a.r[i], &b.r[j]);
    if (c == 0) {
      st->compared++;
      if (res_diff_moved(a.r[i].value, b.r[j].value, o)) {
        st->moved++;
        key_text(a.r[i].key, where, sizeof where);
        print_change(out, where, a.r[i].name, a.r[i].value, b.r[j].value, b.r[j].unit);
      }
      i++, j++;
    } else if (c < 0) {
      st->only_a++;
      key_text(a.r[i].key, where, sizeof where);
      fprintf(out, "- %s  %s: %.10g%s%s (only in %s)\n", where, a.r[i].name, a.r[i].value, a.r[i].unit[0] ? " " : "",
              a.r[i].unit, path_a);
      i++;
    } else {
      st->only_b++;
      key_text(b.r[j].key, where, sizeof where);
      fprintf(out, "+ %s  %s: %.10g%s%s (only in %s)\n", where, b.r[j].name, b.r[j].value, b.r[j].unit[0] ? " " : "",
              b.r[j].unit, path_b);
      j++;
    }
  }
  dside_free(&a);
  dside_free(&b);
  return 0;
}

/* ---- tables ---- */

typedef struct csv_file { char *name, *text; } csv_file;
struct res_tables { csv_file *f; size_t n; };

static char *slurp(const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  size_t cap = 4096, n = 0;
  char *s = malloc(cap);
  RES_ALLOC_CHECK(s);
  size_t k;
  while ((k = fread(s + n, 1, cap - n - 1, fp)) > 0) {
    n += k;
    if (cap - n - 1 == 0) {
      cap *= 2;
      s = realloc(s, cap);
      RES_ALLOC_CHECK(s);
    }
  }
  fclose(fp);
  s[n] = 0;
  return s;
}

static int csv_name_cmp(const void *pa, const void *pb) {
  return strcmp(((const csv_file *)pa)->name, ((const csv_file *)pb)->name);
}

res_tables *res_tables_snapshot(const char *dir) {
  res_tables *t = calloc(1, sizeof *t);
  RES_ALLOC_CHECK(t);
  DIR *d = opendir(dir);
  if (!d) return t;
  size_t cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (l < 5 || strcmp(de->d_name + l - 4, ".csv") != 0) continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    char *text = slurp(path);
    if (!text) continue;
    if (t->n == cap) {
      cap = cap ? 2 * cap : 32;
      t->f = realloc(t->f, cap * sizeof *t->f);
      RES_ALLOC_CHECK(t->f);
    }
    t->f[t->n].name = dup_str(de->d_name);
    t->f[t->n].name[l - 4] = 0;
    t->f[t->n].text = text;
    t->n++;
  }
  closedir(d);
  if (t->n) qsort(t->f, t->n, sizeof *t->f, csv_name_cmp);
  return t;
}

void res_tables_free(res_tables *t) {
  if (!t) return;
  for (size_t i = 0; i < t->n; i++) {
    free(t->f[i].name);
    free(t->f[i].text);
  }
  free(t->f);
  free(t);
}

/* A parsed CSV: rows x cells (RFC 4180 quoting). */
typedef struct csv { char ***cell; size_t *ncell; size_t nrow; } csv;

static void csv_parse(const char *s, csv *c) {
  memset(c, 0, sizeof *c);
  size_t caprow = 0;
  while (*s) {
    if (c->nrow == caprow) {
      caprow = caprow ? 2 * caprow : 64;
      c->cell = realloc(c->cell, caprow * sizeof *c->cell);
      c->ncell = realloc(c->ncell, caprow * sizeof *c->ncell);
      RES_ALLOC_CHECK(c->cell);
      RES_ALLOC_CHECK(c->ncell);
    }
    char **row = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
      size_t bl = 0, bc = 64;
      char *buf = malloc(bc);
      RES_ALLOC_CHECK(buf);
      int quoted = *s == '"';
      if (quoted) s++;
      for (; *s; s++) {
        if (quoted && *s == '"') {
          if (s[1] == '"') s++;
          else { quoted = 0; continue; }
        } else if (!quoted && (*s == ',' || *s == '\n' || *s == '\r')) break;
        if (bl + 2 > bc) {
          bc *= 2;
          buf = realloc(buf, bc);
          RES_ALLOC_CHECK(buf);
        }
        buf[bl++] = *s;
      }
      buf[bl] = 0;
      if (n == cap) {
        cap = cap ? 2 * cap : 16;
        row = realloc(row, cap * sizeof *row);
        RES_ALLOC_CHECK(row);
      }
      row[n++] = buf;
      if (*s == ',') { s++; continue; }
      if (*s == '\r') s++;
      if (*s == '\n') s++;
      break;
    }
    c->cell[c->nrow] = row;
    c->ncell[c->nrow] = n;
    c->nrow++;
  }
}

static void csv_free(csv *c) {
  for (size_t r = 0; r < c->nrow; r++) {
    for (size_t k = 0; k < c->ncell[r]; k++) free(c->cell[r][k]);
    free(c->cell[r]);
  }
  free(c->cell);
  free(c->ncell);
}

static int parse_num(const char *s, double *v) {
  if (!s[0]) return 0;
  char *end;
  *v = strtod(s, &end);
  return *end == 0;
}

static int skip_column(const char *h) {
  size_t l = strlen(h);
  return strcmp(h, "scenario_sha256") == 0 || (l > 10 && strcmp(h + l - 10, "_deviation") == 0);
}

/* Row r of c whose first cell is key, the occ-th such row (0-based); -1 none. */
static long find_row(const csv *c, const char *key, size_t occ) {
  for (size_t r = 1; r < c->nrow; r++)
    if (c->ncell[r] && strcmp(c->cell[r][0], key) == 0 && occ-- == 0) return (long)r;
  return -1;
}

static size_t occurrence(const csv *c, size_t row) {
  size_t k = 0;
  for (size_t r = 1; r < row; r++)
    if (c->ncell[r] && strcmp(c->cell[r][0], c->cell[row][0]) == 0) k++;
  return k;
}

static void diff_one(const char *name, const char *old_text, const char *new_text, const res_diff_opts *o, FILE *out,
                     res_diff_stats *st) {
  csv a, b;
  csv_parse(old_text, &a);
  csv_parse(new_text, &b);
  if (a.nrow == 0 || b.nrow == 0) goto done;
  for (size_t r = 1; r < a.nrow; r++) {
    if (!a.ncell[r] || (a.ncell[r] == 1 && !a.cell[r][0][0])) continue;
    long rb = find_row(&b, a.cell[r][0], occurrence(&a, r));
    if (rb < 0) {
      st->only_a++;
      fprintf(out, "  %s: row '%s' is gone\n", name, a.cell[r][0]);
      continue;
    }
    for (size_t ka = 1; ka < a.ncell[r] && ka < a.ncell[0]; ka++) {
      const char *h = a.cell[0][ka];
      if (skip_column(h)) continue;
      size_t kb = 1;
      while (kb < b.ncell[0] && strcmp(b.cell[0][kb], h) != 0) kb++;
      if (kb == b.ncell[0]) continue; /* a column that went is reported once, below */
      const char *va = a.cell[r][ka], *vb = kb < b.ncell[rb] ? b.cell[rb][kb] : "";
      double x, y;
      int moved;
      if (parse_num(va, &x) && parse_num(vb, &y)) moved = res_diff_moved(x, y, o);
      else moved = strcmp(va, vb) != 0;
      st->compared++;
      if (moved) {
        st->moved++;
        fprintf(out, "  %s: %s, %s: %s -> %s\n", name, a.cell[r][0], h, va[0] ? va : "(empty)",
                vb[0] ? vb : "(empty)");
      }
    }
  }
  for (size_t r = 1; r < b.nrow; r++) {
    if (!b.ncell[r] || (b.ncell[r] == 1 && !b.cell[r][0][0])) continue;
    if (find_row(&a, b.cell[r][0], occurrence(&b, r)) < 0) {
      st->only_b++;
      fprintf(out, "  %s: new row '%s'\n", name, b.cell[r][0]);
    }
  }
  for (size_t k = 1; k < a.ncell[0]; k++) {
    size_t kb = 1;
    while (kb < b.ncell[0] && strcmp(b.cell[0][kb], a.cell[0][k]) != 0) kb++;
    if (kb == b.ncell[0] && !skip_column(a.cell[0][k])) {
      st->only_a++;
      fprintf(out, "  %s: column '%s' is gone\n", name, a.cell[0][k]);
    }
  }
done:
  csv_free(&a);
  csv_free(&b);
}

void res_tables_diff(const res_tables *before, const char *dir, const res_diff_opts *o, FILE *out,
                     res_diff_stats *st) {
  res_diff_stats z = {0};
  if (!st) st = &z;
  memset(st, 0, sizeof *st);
  res_tables *now = res_tables_snapshot(dir);
  size_t i = 0, j = 0;
  while (i < before->n || j < now->n) {
    int c = i == before->n ? 1 : j == now->n ? -1 : strcmp(before->f[i].name, now->f[j].name);
    if (c == 0) {
      diff_one(now->f[j].name, before->f[i].text, now->f[j].text, o, out, st);
      i++, j++;
    } else if (c < 0) {
      st->only_a++;
      fprintf(out, "  %s: table is gone\n", before->f[i++].name);
    } else {
      st->only_b++;
      fprintf(out, "  %s: new table\n", now->f[j++].name);
    }
  }
  res_tables_free(now);
}
