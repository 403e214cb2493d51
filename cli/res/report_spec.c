/* report_spec.c: the scenario's `report:` block (YAML text) -> rep_spec.
 *
 * Uses the libyaml document API: the block is small (tens of lines), so a tree with marks is simpler
 * than an event state machine and gives every error a line:column. Line and column are those of the
 * text handed to report_render (the re-emitted block), which is why messages say "report block line".
 * Every map rejects unknown and repeated keys and lists the allowed ones (the scenario loader does
 * the same for the rest of the file).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "report_int.h"

typedef struct parse_ctx {
  yaml_document_t *doc;
  const char *where;
  char *err;
  size_t errlen;
} parse_ctx;

static int fail(parse_ctx *p, const yaml_node_t *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(parse_ctx *p, const yaml_node_t *n, const char *path, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n)
    snprintf(p->err, p->errlen, "%s: report block line %lu:%lu: %s: %s", p->where,
             (unsigned long)n->start_mark.line + 1, (unsigned long)n->start_mark.column + 1, path, msg);
  else
    snprintf(p->err, p->errlen, "%s: report block: %s: %s", p->where, path, msg);
  return -1;
}

static yaml_node_t *node_at(parse_ctx *p, int idx) { return yaml_document_get_node(p->doc, idx); }

static const char *scalar(const yaml_node_t *n) {
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *kind_name(const yaml_node_t *n) {
  if (!n) return "nothing";
  switch (n->type) {
  case YAML_SCALAR_NODE: return "a scalar";
  case YAML_SEQUENCE_NODE: return "a list";
  case YAML_MAPPING_NODE: return "a map";
  default: return "nothing";
  }
}

/* A scalar string; the null scalar ("", "~", "null") is refused where a value is needed. */
static int get_str(parse_ctx *p, const yaml_node_t *n, const char *path, char **out) {
  const char *s = scalar(n);
  if (!s) return fail(p, n, path, "expected a string, got %s", kind_name(n));
  if (!*s || (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
              (!strcmp(s, "~") || !strcmp(s, "null"))))
    return fail(p, n, path, "expected a non-empty string");
  free(*out);
  *out = rep_strdup(s);
  return 0;
}

static int get_num(parse_ctx *p, const yaml_node_t *n, const char *path, double *out) {
  const char *s = scalar(n);
  if (!s) return fail(p, n, path, "expected a number, got %s", kind_name(n));
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end || errno == ERANGE || !isfinite(v))
    return fail(p, n, path, "expected a plain finite number (no unit), got '%s'", s);
  *out = v;
  return 0;
}

static int get_int(parse_ctx *p, const yaml_node_t *n, const char *path, long lo, long hi, int *out) {
  const char *s = scalar(n);
  if (!s) return fail(p, n, path, "expected an integer, got %s", kind_name(n));
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (end == s || *end || errno == ERANGE)
    return fail(p, n, path, "expected an integer, got '%s'", s);
  if (v < lo || v > hi) return fail(p, n, path, "%ld is out of range; allowed: %ld..%ld", v, lo, hi);
  *out = (int)v;
  return 0;
}

static int get_bool(parse_ctx *p, const yaml_node_t *n, const char *path, int *out) {
  const char *s = scalar(n);
  if (s && (!strcmp(s, "true") || !strcmp(s, "false"))) {
    *out = s[0] == 't';
    return 0;
  }
  return fail(p, n, path, "expected true or false, got %s%s%s", s ? "'" : "", s ? s : kind_name(n),
              s ? "'" : "");
}

/* Iterates a map, checking each key against `allowed` (NULL-terminated) and refusing repeats.
 * Calls fn(ctx, key, value node, key path) for each pair. */
typedef int (*pair_fn)(parse_ctx *p, void *obj, const char *key, yaml_node_t *val, const char *path);

static int each_pair(parse_ctx *p, yaml_node_t *map, const char *path, const char *const *allowed,
                     void *obj, pair_fn fn) {
  if (!map || map->type != YAML_MAPPING_NODE)
    return fail(p, map, path, "expected a map, got %s", kind_name(map));
  for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top; a++) {
    yaml_node_t *k = node_at(p, a->key);
    const char *key = scalar(k);
    if (!key) return fail(p, k, path, "keys must be scalars, got %s", kind_name(k));
    for (yaml_node_pair_t *b = map->data.mapping.pairs.start; b < a; b++) {
      const char *prev = scalar(node_at(p, b->key));
      if (prev && !strcmp(prev, key)) return fail(p, k, path, "key '%s' appears twice", key);
    }
    if (allowed) {
      int ok = 0;
      for (const char *const *w = allowed; *w; w++) ok |= !strcmp(*w, key);
      if (!ok) {
        char list[256] = "";
        size_t len = 0;
        for (const char *const *w = allowed; *w; w++) {
          int m = snprintf(list + len, sizeof list - len, "%s%s", w == allowed ? "" : ", ", *w);
          if (m < 0 || (size_t)m >= sizeof list - len) break;
          len += (size_t)m;
        }
        return fail(p, k, path, "unknown key '%s'; allowed: %s", key, list);
      }
    }
    char kpath[256];
    if ((size_t)snprintf(kpath, sizeof kpath, "%s.%s", path, key) >= sizeof kpath)
      return fail(p, k, path, "key path too long");
    if (fn(p, obj, key, node_at(p, a->value), kpath) != 0) return -1;
  }
  return 0;
}

static size_t seq_len(const yaml_node_t *n) {
  return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static int need_seq(parse_ctx *p, const yaml_node_t *n, const char *path) {
  if (!n || n->type != YAML_SEQUENCE_NODE)
    return fail(p, n, path, "expected a list, got %s", kind_name(n));
  return 0;
}

/* ---- values[i] ---- */

static const char *const VAL_KEYS[] = {"metric", "label", "unit", "scale", "digits", "paper",
                                       "tolerance", NULL};

static int paper_pair(parse_ctx *p, void *obj, const char *key, yaml_node_t *val, const char *path) {
  rep_val *v = obj;
  double x = 0;
  if (get_num(p, val, path, &x) != 0) return -1;
  v->paper = rep_xrealloc(v->paper, v->npaper + 1, sizeof *v->paper);
  rep_paper *e = &v->paper[v->npaper++];
  e->row = rep_strdup(key);
  e->value = x;
  e->line = (int)val->start_mark.line + 1;
  e->col = (int)val->start_mark.column + 1;
  return 0;
}

static int val_pair(parse_ctx *p, void *obj, const char *key, yaml_node_t *n, const char *path) {
  rep_val *v = obj;
  if (!strcmp(key, "metric")) return get_str(p, n, path, &v->metric);
  if (!strcmp(key, "label")) return get_str(p, n, path, &v->label);
  if (!strcmp(key, "unit")) return get_str(p, n, path, &v->unit);
  if (!strcmp(key, "scale")) {
    if (get_num(p, n, path, &v->scale) != 0) return -1;
    if (v->scale == 0) return fail(p, n, path, "must not be 0");
    return 0;
  }
  if (!strcmp(key, "digits")) return get_int(p, n, path, 0, 17, &v->digits);
  if (!strcmp(key, "tolerance")) {
    if (get_num(p, n, path, &v->tol) != 0) return -1;
    if (v->tol < 0) return fail(p, n, path, "must be >= 0 (relative, e.g. 0.001 for 0.1%%)");
    return 0;
  }
  /* paper */
  v->has_paper = 1;
  if (n->type == YAML_SCALAR_NODE && !*scalar(n)) return 0;   /* `paper:` with nothing */
  return each_pair(p, n, path, NULL, v, paper_pair);
}

/* ---- columns[i] ---- */

static const char *const COL_KEYS[] = {"param", "label", "footnote", NULL};

static int col_pair(parse_ctx *p, void *obj, const char *key, yaml_node_t *n, const char *path) {
  rep_col *c = obj;
  if (!strcmp(key, "param")) return get_str(p, n, path, &c->param);
  if (!strcmp(key, "label")) return get_str(p, n, path, &c->label);
  return get_bool(p, n, path, &c->footnote);
}

/* ---- tables[i] ---- */

static const char *const TABLE_KEYS[] = {"name", "title", "row", "row_label", "rows", "columns",
                                         "values", "where", "note", NULL};
static const char *const ROW_KEYS[] = {"param", "label", NULL};

static int row_pair(parse_ctx *p, void *obj, const char *key, yaml_node_t *n, const char *path) {
  rep_table *t = obj;
  if (!strcmp(key, "param")) return get_str(p, n, path, &t->row);
  return get_str(p, n, path, &t->row_label);
}

static int where_pair(parse_ctx *p, void *obj, const char *key, yaml_node_t *n, const char *path) {
  rep_table *t = obj;
  char *v = NULL;
  if (get_str(p, n, path, &v) != 0) return -1;
  t->where = rep_xrealloc(t->where, t->nwhere + 1, sizeof *t->where);
  t->where[t->nwhere].key = rep_strdup(key);
  t->where[t->nwhere].value = v;
  t->nwhere++;
  return 0;
}

static int table_pair(parse_ctx *p, void *obj, const char *key, yaml_node_t *n, const char *path) {
  rep_table *t = obj;
  char ipath[300];
  if (!strcmp(key, "name")) {
    if (get_str(p, n, path, &t->name) != 0) return -1;
    if (!rep_name_ok(t->name))
      return fail(p, n, path, "'%s' is not a file name; allowed: letters, digits, '_', '-', '.' "
                  "(not first)", t->name);
    return 0;
  }
  if (!strcmp(key, "title")) return get_str(p, n, path, &t->title);
  if (!strcmp(key, "row_label")) return get_str(p, n, path, &t->row_label);
  if (!strcmp(key, "note")) return get_str(p, n, path, &t->note);
  if (!strcmp(key, "row")) {
    if (n->type == YAML_MAPPING_NODE) {
      if (each_pair(p, n, path, ROW_KEYS, t, row_pair) != 0) return -1;
      if (!t->row) return fail(p, n, path, "missing key 'param' (the param key labelling each row)");
      return 0;
    }
    return get_str(p, n, path, &t->row);
  }
  if (!strcmp(key, "where")) return each_pair(p, n, path, NULL, t, where_pair);
  if (need_seq(p, n, path) != 0) return -1;
  size_t len = seq_len(n);
  yaml_node_item_t *items = n->data.sequence.items.start;
  if (!strcmp(key, "rows")) {
    t->rows = rep_xcalloc(len, sizeof *t->rows);
    for (size_t i = 0; i < len; i++) {
      snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
      yaml_node_t *it = node_at(p, items[i]);
      if (get_str(p, it, ipath, &t->rows[i]) != 0) return -1;
      t->nrows = i + 1;
      for (size_t j = 0; j < i; j++)
        if (!strcmp(t->rows[j], t->rows[i]))
          return fail(p, it, ipath, "row '%s' is listed twice", t->rows[i]);
    }
    if (len == 0) return fail(p, n, path, "empty list; leave `rows` out to show every point");
    return 0;
  }
  if (!strcmp(key, "columns")) {
    t->cols = rep_xcalloc(len, sizeof *t->cols);
    for (size_t i = 0; i < len; i++) {
      snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
      yaml_node_t *it = node_at(p, items[i]);
      rep_col *c = &t->cols[i];
      t->ncols = i + 1;
      if (it->type == YAML_SCALAR_NODE) {
        if (get_str(p, it, ipath, &c->param) != 0) return -1;
      } else {
        if (each_pair(p, it, ipath, COL_KEYS, c, col_pair) != 0) return -1;
        if (!c->param) return fail(p, it, ipath, "missing key 'param' (a params key of the runs)");
      }
      if (!c->label) c->label = rep_strdup(c->param);
    }
    return 0;
  }
  /* values */
  if (len == 0) return fail(p, n, path, "empty list; a table needs at least one value column");
  t->vals = rep_xcalloc(len, sizeof *t->vals);
  for (size_t i = 0; i < len; i++) {
    snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
    yaml_node_t *it = node_at(p, items[i]);
    rep_val *v = &t->vals[i];
    t->nvals = i + 1;
    v->scale = 1.0;
    v->digits = REP_DEFAULT_DIGITS;
    v->tol = REP_DEFAULT_TOL;
    if (each_pair(p, it, ipath, VAL_KEYS, v, val_pair) != 0) return -1;
    if (!v->metric) return fail(p, it, ipath, "missing key 'metric' (a metric name of the runs)");
    if (!v->label) v->label = rep_strdup(v->metric);
  }
  return 0;
}

/* ---- figures[i] ---- */

static const char *const FIG_KEYS[] = {"name", NULL};

static int fig_pair(parse_ctx *p, void *obj, const char *key, yaml_node_t *n, const char *path) {
  (void)key;
  rep_fig *f = obj;
  return get_str(p, n, path, &f->name);
}

/* ---- top ---- */

static const char *const TOP_KEYS[] = {"tables", "figures", NULL};

static int top_pair(parse_ctx *p, void *obj, const char *key, yaml_node_t *n, const char *path) {
  rep_spec *s = obj;
  char ipath[300];
  if (need_seq(p, n, path) != 0) return -1;
  size_t len = seq_len(n);
  yaml_node_item_t *items = n->data.sequence.items.start;
  if (!strcmp(key, "tables")) {
    s->tables = rep_xcalloc(len, sizeof *s->tables);
    for (size_t i = 0; i < len; i++) {
      snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
      yaml_node_t *it = node_at(p, items[i]);
      rep_table *t = &s->tables[i];
      s->ntables = i + 1;
      t->line = (int)it->start_mark.line + 1;
      if (each_pair(p, it, ipath, TABLE_KEYS, t, table_pair) != 0) return -1;
      if (!t->name) return fail(p, it, ipath, "missing key 'name' (the file stem under tables/)");
      if (!t->row) return fail(p, it, ipath, "missing key 'row' (the param key labelling each row)");
      if (!t->vals) return fail(p, it, ipath, "missing key 'values' (the metric columns)");
      if (!t->title) t->title = rep_strdup(t->name);
      if (!t->row_label) t->row_label = rep_strdup(t->row);
      for (size_t j = 0; j < i; j++)
        if (!strcmp(s->tables[j].name, t->name))
          return fail(p, it, ipath, "table name '%s' is used twice", t->name);
      for (size_t v = 0; v < t->nvals; v++)
        for (size_t e = 0; e < t->vals[v].npaper && t->rows; e++) {
          int found = 0;
          for (size_t r = 0; r < t->nrows; r++) found |= !strcmp(t->rows[r], t->vals[v].paper[e].row);
          if (!found) {
            snprintf(p->err, p->errlen, "%s: report block line %d:%d: %s.values[%zu].paper: '%s' is "
                     "not in `rows`", p->where, t->vals[v].paper[e].line, t->vals[v].paper[e].col,
                     ipath, v, t->vals[v].paper[e].row);
            return -1;
          }
        }
    }
    return 0;
  }
  s->figs = rep_xcalloc(len, sizeof *s->figs);
  for (size_t i = 0; i < len; i++) {
    snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
    yaml_node_t *it = node_at(p, items[i]);
    rep_fig *f = &s->figs[i];
    s->nfigs = i + 1;
    f->line = (int)it->start_mark.line + 1;
    if (it->type == YAML_SCALAR_NODE) {
      if (get_str(p, it, ipath, &f->name) != 0) return -1;
    } else {
      if (each_pair(p, it, ipath, FIG_KEYS, f, fig_pair) != 0) return -1;
      if (!f->name) return fail(p, it, ipath, "missing key 'name' (the folder under figures/)");
    }
    if (!rep_name_ok(f->name))
      return fail(p, it, ipath, "'%s' is not a folder name; allowed: letters, digits, '_', '-', '.' "
                  "(not first)", f->name);
    for (size_t j = 0; j < i; j++)
      if (!strcmp(s->figs[j].name, f->name))
        return fail(p, it, ipath, "figure name '%s' is used twice", f->name);
  }
  return 0;
}

int rep_spec_parse(const char *yaml, const char *where, rep_spec *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (!where) where = "report";
  if (!yaml) yaml = "";
  yaml_parser_t parser;
  yaml_document_t doc;
  if (!yaml_parser_initialize(&parser)) {
    snprintf(err, errlen, "%s: report block: cannot initialise the YAML parser", where);
    return -1;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, strlen(yaml));
  if (!yaml_parser_load(&parser, &doc)) {
    snprintf(err, errlen, "%s: report block line %lu:%lu: YAML syntax: %s%s%s", where,
             (unsigned long)parser.problem_mark.line + 1, (unsigned long)parser.problem_mark.column + 1,
             parser.problem ? parser.problem : "error", parser.context ? " " : "",
             parser.context ? parser.context : "");
    yaml_parser_delete(&parser);
    return -1;
  }
  parse_ctx p = {&doc, where, err, errlen};
  int rc = 0;
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  if (root && root->type == YAML_SCALAR_NODE && !*scalar(root)) root = NULL;
  /* Accept the block with or without its `report:` key. */
  if (root && root->type == YAML_MAPPING_NODE &&
      root->data.mapping.pairs.top - root->data.mapping.pairs.start == 1) {
    const char *k = scalar(node_at(&p, root->data.mapping.pairs.start->key));
    if (k && !strcmp(k, "report")) root = node_at(&p, root->data.mapping.pairs.start->value);
  }
  if (root) rc = each_pair(&p, root, "report", TOP_KEYS, out, top_pair);
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  if (rc != 0) rep_spec_free(out);
  return rc;
}

void rep_spec_free(rep_spec *s) {
  if (!s) return;
  for (size_t i = 0; i < s->ntables; i++) {
    rep_table *t = &s->tables[i];
    free(t->name);
    free(t->title);
    free(t->row);
    free(t->row_label);
    free(t->note);
    for (size_t j = 0; j < t->nrows; j++) free(t->rows[j]);
    free(t->rows);
    for (size_t j = 0; j < t->ncols; j++) {
      free(t->cols[j].param);
      free(t->cols[j].label);
    }
    free(t->cols);
    for (size_t j = 0; j < t->nvals; j++) {
      rep_val *v = &t->vals[j];
      free(v->metric);
      free(v->label);
      free(v->unit);
      for (size_t e = 0; e < v->npaper; e++) free(v->paper[e].row);
      free(v->paper);
    }
    free(t->vals);
    for (size_t j = 0; j < t->nwhere; j++) {
      free(t->where[j].key);
      free(t->where[j].value);
    }
    free(t->where);
  }
  free(s->tables);
  for (size_t i = 0; i < s->nfigs; i++) free(s->figs[i].name);
  free(s->figs);
  memset(s, 0, sizeof *s);
}
