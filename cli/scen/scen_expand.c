/* scen_expand.c: the sweep block, --set overrides and the per-point pipeline.
 *
 * Per point: clone the merged tree, write the axis values (first axis slowest), then the --set
 * values (the user wins), then validate against common keys + the experiment's schema (presets
 * are resolved there). An override naming an axis path, or an ancestor of it, pins that axis:
 * the axis is dropped, so points are not duplicated and labels stay true.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen_int.h"

#define MAX_AXIS_VALUES 100000

/* Points of one sweep: each is a validated copy of the scenario (about 12 KB and 0.2 ms for a
 * topology scenario), built before the first run, so the count is checked first, from the axes'
 * lengths alone. The limit is SCEN_MAX_POINTS_DEFAULT unless $CLUSTERSIM_MAX_SWEEP_POINTS says
 * otherwise (the explicit override: a whole number >= 1). */
static size_t max_points(void) {
  const char *env = getenv("CLUSTERSIM_MAX_SWEEP_POINTS");
  if (env && env[0]) {
    char *end;
    double v = strtod(env, &end);
    if (end != env && !*end && v >= 1.0 && v < 1e15) return (size_t)v;
  }
  return SCEN_MAX_POINTS_DEFAULT;
}

typedef struct axis {
  const scen_node *node; /* the member of the sweep map */
  char pathtext[256];    /* "sweep.<axis>" for messages */
  scen__path path;
  scen_node **vals;
  char **labels;
  size_t n;
  int pinned;
} axis;

/* Checks a dotted path against the schema. *type gets the target's type (a list element's type
 * for "list[i]"). */
static int schema_walk(const scen_key *top, const scen__path *p, const char *file, int line, int col,
                       const char *prefix, const scen_key **out, scen_type *type, scen_err *err) {
  const scen_key *tbl = top, *k = NULL;
  int in_item = 0;
  char sofar[256] = "";
  for (size_t i = 0; i < p->n; i++) {
    const char *seg = p->seg[i];
    char shown[300];
    snprintf(shown, sizeof shown, "%s%s%s", prefix, prefix[0] && sofar[0] ? "." : "", sofar);
    if (k && k->type == SCEN_ANY) break;
    if (k && k->type == SCEN_LIST && !in_item) {
      if (!scen__is_index(seg, NULL))
        return scen__fail(err, SCEN_ERR_INVALID, file, line, col, shown,
                          "a list: address one item by its index, e.g. %s[0], not '.%s'", sofar, seg);
      in_item = 1;
      size_t l = strlen(sofar);
      snprintf(sofar + l, sizeof sofar - l, "[%s]", seg);
      if (k->elem != SCEN_MAP) {
        if (i + 1 < p->n)
          return scen__fail(err, SCEN_ERR_INVALID, file, line, col, shown,
                            "items of this list are of type %s; they have no keys below them",
                            scen__type_name(k->elem));
        *out = k;
        *type = k->elem;
        return 0;
      }
      tbl = k->children;
      continue;
    }
    if (k && !(k->type == SCEN_MAP || k->type == SCEN_PRESET || in_item))
      return scen__fail(err, SCEN_ERR_INVALID, file, line, col, shown,
                        "'%s' is of type %s; it has no keys below it", sofar, scen__type_name(k->type));
    in_item = 0;
    const scen_key *kk = scen__key_find(tbl, seg);
    size_t l = strlen(sofar);
    snprintf(sofar + l, sizeof sofar - l, "%s%s", l ? "." : "", seg);
    snprintf(shown, sizeof shown, "%s%s%s", prefix, prefix[0] ? "." : "", sofar);
    if (!kk) {
      char msg[1024];
      scen__unknown_msg(seg, tbl, i == 0 ? scen__toplevel_extra : NULL, msg, sizeof msg);
      return scen__fail(err, SCEN_ERR_INVALID, file, line, col, shown, "%s", msg);
    }
    k = kk;
    tbl = k->children;
  }
  *out = k;
  *type = in_item ? SCEN_MAP : k->type;
  return 0;
}

static void axis_free(axis *a) {
  for (size_t i = 0; i < a->n; i++) {
    scen__node_free(a->vals[i]);
    free(a->labels[i]);
  }
  free(a->vals);
  free(a->labels);
}

static void axis_add(axis *a, scen_node *v, const char *label) {
  a->vals = scen__xrealloc(a->vals, (a->n + 1) * sizeof *a->vals);
  a->labels = scen__xrealloc(a->labels, (a->n + 1) * sizeof *a->labels);
  a->vals[a->n] = v;
  a->labels[a->n] = scen__xstrdup(label);
  a->n++;
}

static int axis_list(axis *a, const scen_node *seq, scen_err *err) {
  if (seq->n == 0)
    return scen__fail(err, SCEN_ERR_INVALID, seq->file, seq->line, seq->col, a->pathtext,
                      "empty axis: give at least one value");
  for (size_t i = 0; i < seq->n; i++) {
    scen__buf b = {0};
    if (seq->kids[i]->kind == SCEN__SCALAR)
      scen__buf_puts(&b, seq->kids[i]->text); /* the label shows the value as written */
    else
      scen__emit_raw_flow(&b, seq->kids[i]);
    scen_node *v = scen__node_clone(seq->kids[i]);
    axis_add(a, v, b.p);
    free(b.p);
  }
  return 0;
}

/* Parses a range bound through the scalar checker of the target type (same units, same errors). */
static int range_num(scen__ctx *c, scen_type t, const scen_node *n, const char *path, double *out) {
  scen_key tmp = {"range", t, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL};
  scen_val v;
  memset(&v, 0, sizeof v);
  int rc = scen__check_scalar(c, &tmp, t, n, path, &v);
  *out = v.f;
  scen__val_free(&v);
  return rc;
}

static void range_text(scen_type t, double v, char *out, size_t len) {
  switch (t) {
  case SCEN_INT: snprintf(out, len, "%.0f", v); break;
  case SCEN_TIME: scen__fmt_time((uint64_t)llround(v), out, len); break;
  case SCEN_BYTES: scen__fmt_bytes(v, out, len); break;
  case SCEN_BW: scen__fmt_bw(v, out, len); break;
  default: scen__fmt_f64(v, out, len); break;
  }
}

static int axis_range(scen__ctx *c, axis *a, const scen_node *m, scen_type t) {
  static const char *const rkeys[] = {"from", "to", "step", "factor", "values"};
  scen_err *err = c->err;
  const scen_node *part[5] = {0};
  for (size_t i = 0; i < m->n; i++) {
    size_t j = 0;
    while (j < 5 && strcmp(rkeys[j], m->kids[i]->key) != 0) j++;
    if (j == 5) {
      const char *sug = scen__suggest(m->kids[i]->key, rkeys, 5);
      return scen__fail(err, SCEN_ERR_INVALID, m->kids[i]->file, m->kids[i]->kline, m->kids[i]->kcol, a->pathtext,
                        "unknown key '%s' in an axis%s%s%s; allowed: values, or from, to and step or factor",
                        m->kids[i]->key, sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
    }
    part[j] = m->kids[i];
  }
  const scen_node *from = part[0], *to = part[1], *step = part[2], *factor = part[3], *values = part[4];
  if (values) {
    if (from || to || step || factor)
      return scen__fail(err, SCEN_ERR_INVALID, m->file, m->line, m->col, a->pathtext,
                        "give either values: [...] or from/to/step (or factor), not both");
    if (values->kind != SCEN__SEQ)
      return scen__fail(err, SCEN_ERR_INVALID, values->file, values->line, values->col, a->pathtext,
                        "values: expected a list, got %s", scen__kind_name(values));
    return axis_list(a, values, err);
  }
  if (!from || !to || (!step == !factor))
    return scen__fail(err, SCEN_ERR_INVALID, m->file, m->line, m->col, a->pathtext,
                      "a range needs from, to and exactly one of step (linear) or factor (geometric)%s",
                      !from ? "; 'from' is missing" : !to ? "; 'to' is missing" : "");
  if (!(t == SCEN_INT || t == SCEN_F64 || t == SCEN_TIME || t == SCEN_BYTES || t == SCEN_BW))
    return scen__fail(err, SCEN_ERR_INVALID, m->file, m->line, m->col, a->pathtext,
                      "a range needs a numeric key; this one is of type %s: list the values instead",
                      scen__type_name(t));
  double lo = 0, hi = 0, inc = 0, fac = 0;
  char p[300];
  snprintf(p, sizeof p, "%s.from", a->pathtext);
  int rc = range_num(c, t, from, p, &lo);
  snprintf(p, sizeof p, "%s.to", a->pathtext);
  if (rc == 0) rc = range_num(c, t, to, p, &hi);
  if (rc < 0) return rc;
  if (hi < lo)
    return scen__fail(err, SCEN_ERR_INVALID, to->file, to->line, to->col, a->pathtext,
                      "to (%s) is below from (%s)", to->text, from->text);
  if (step) {
    snprintf(p, sizeof p, "%s.step", a->pathtext);
    if ((rc = range_num(c, t, step, p, &inc)) < 0) return rc;
    if (!(inc > 0))
      return scen__fail(err, SCEN_ERR_INVALID, step->file, step->line, step->col, p, "step must be > 0, got %s",
                        step->text);
  } else {
    snprintf(p, sizeof p, "%s.factor", a->pathtext);
    if ((rc = range_num(c, SCEN_F64, factor, p, &fac)) < 0) return rc;
    if (!(fac > 1))
      return scen__fail(err, SCEN_ERR_INVALID, factor->file, factor->line, factor->col, p,
                        "factor must be > 1, got %s", factor->text);
    if (t == SCEN_INT && fac != floor(fac))
      return scen__fail(err, SCEN_ERR_INVALID, factor->file, factor->line, factor->col, p,
                        "an integer key needs an integer factor, got %s", factor->text);
    if (!(lo > 0))
      return scen__fail(err, SCEN_ERR_INVALID, from->file, from->line, from->col, a->pathtext,
                        "a geometric range needs from > 0, got %s", from->text);
  }
  double v = lo;
  for (size_t i = 0;; i++) {
    if (step) v = lo + (double)i * inc;
    if (v > hi + (step ? inc * 1e-9 : hi * 1e-12)) break;
    if (a->n == MAX_AXIS_VALUES)
      return scen__fail(err, SCEN_ERR_INVALID, m->file, m->line, m->col, a->pathtext,
                        "the range has more than %d values", MAX_AXIS_VALUES);
    char txt[64];
    range_text(t, v, txt, sizeof txt);
    axis_add(a, scen__scalar_new(txt, m->file, m->line, m->col), txt);
    if (!step) v *= fac;
  }
  return 0;
}

static int parse_axes(scen__ctx *c, const scen_doc *d, const scen_key *tbl, axis **out, size_t *nout) {
  *out = NULL;
  *nout = 0;
  if (!d->sweep) return 0;
  const scen_node *sw = d->sweep;
  axis *ax = scen__xcalloc(sw->n, sizeof *ax);
  *out = ax;
  for (size_t i = 0; i < sw->n; i++) {
    const scen_node *m = sw->kids[i];
    axis *a = &ax[i];
    *nout = i + 1;
    a->node = m;
    snprintf(a->pathtext, sizeof a->pathtext, "sweep.%s", m->key);
    if (scen__path_parse(m->key, &a->path) < 0)
      return scen__fail(c->err, SCEN_ERR_INVALID, m->file, m->kline, m->kcol, a->pathtext,
                        "'%s' is not a key path (names joined by '.', list items as [i])", m->key);
    const scen_key *k;
    scen_type t;
    int rc = schema_walk(tbl, &a->path, m->file, m->kline, m->kcol, "sweep", &k, &t, c->err);
    if (rc < 0) return rc;
    if (m->kind == SCEN__SEQ)
      rc = axis_list(a, m, c->err);
    else if (m->kind == SCEN__MAP)
      rc = axis_range(c, a, m, t);
    else
      rc = scen__fail(c->err, SCEN_ERR_INVALID, m->file, m->line, m->col, a->pathtext,
                      "an axis needs a list of values [a, b], {values: [...]}, {from, to, step} or "
                      "{from, to, factor}; got %s",
                      scen__kind_name(m));
    if (rc < 0) return rc;
    for (size_t j = 0; j < d->nov; j++) {
      const scen__path *op = &d->ov[j].path;
      if (op->n > a->path.n) continue;
      size_t s = 0;
      while (s < op->n && strcmp(op->seg[s], a->path.seg[s]) == 0) s++;
      if (s == op->n) a->pinned = 1;
    }
  }
  return 0;
}

static void free_points(scen **pts, size_t n) {
  if (!pts) return;
  for (size_t i = 0; i < n; i++) scen_free(pts[i]);
  free(pts);
}

static void note_point(scen_err *err, const char *label) {
  if (!err || !label[0]) return;
  size_t l = strlen(err->msg);
  snprintf(err->msg + l, sizeof err->msg - l, " [sweep point %s]", label);
}

static int build_point(scen__ctx *c, const scen_doc *d, const scen_key *schema, axis *ax, size_t nax,
                       const size_t *idx, scen **out) {
  *out = NULL;
  scen_node *root = scen__node_clone(d->root);
  if (!scen__node_get(root, "name")) {
    scen_node *nm = scen__scalar_new(d->stem, d->path, root->line, root->col);
    nm->quoted = 1;
    scen__node_put(root, "name", nm);
  }
  scen__buf label = {0};
  scen__buf_puts(&label, "");
  int rc = 0;
  for (size_t a = 0; a < nax && rc == 0; a++) {
    if (ax[a].pinned) continue;
    scen__buf_printf(&label, "%s%s=%s", label.len ? " " : "", ax[a].node->key, ax[a].labels[idx[a]]);
    rc = scen__node_set(root, &ax[a].path, scen__node_clone(ax[a].vals[idx[a]]), ax[a].pathtext, c->err);
  }
  for (size_t o = 0; o < d->nov && rc == 0; o++)
    rc = scen__node_set(root, &d->ov[o].path, scen__node_clone(d->ov[o].value), d->ov[o].keytext, c->err);
  scen_key *tbl = scen__schema_combine(schema);
  scen_val val;
  memset(&val, 0, sizeof val);
  if (rc == 0) rc = scen__check_map(c, tbl, root, root, "", &val);
  scen__node_free(root);
  if (rc < 0) {
    note_point(c->err, label.p);
    scen__val_free(&val);
    free(tbl);
    free(label.p);
    return rc;
  }
  *out = scen__point_new(d->path, tbl, &val, label.p);
  free(label.p);
  return 0;
}

int scen_doc_expand(const scen_doc *d, const scen_key *schema, scen ***points, size_t *n, scen_err *err) {
  *points = NULL;
  *n = 0;
  if (err) memset(err, 0, sizeof *err);
  scen__ctx c = {d->presets_root, err, 0};
  scen_key *tbl = scen__schema_combine(schema);
  int rc = 0;
  for (size_t o = 0; o < d->nov && rc == 0; o++) {
    const scen_key *k;
    scen_type t;
    rc = schema_walk(tbl, &d->ov[o].path, "--set", d->ov[o].line, d->ov[o].col, "", &k, &t, err);
  }
  axis *ax = NULL;
  size_t nax = 0;
  if (rc == 0) rc = parse_axes(&c, d, tbl, &ax, &nax);
  free(tbl);
  size_t total = 1, limit = max_points();
  double want = 1.0;   /* the product, also past the limit (saturates as a double, never wraps) */
  for (size_t a = 0; a < nax; a++)
    if (!ax[a].pinned) want *= (double)ax[a].n;
  if (rc == 0 && want > (double)limit) {
    scen__buf sizes = {0};
    for (size_t a = 0; a < nax; a++)
      if (!ax[a].pinned) scen__buf_printf(&sizes, "%s%zu", sizes.len ? " x " : "", ax[a].n);
    rc = scen__fail(err, SCEN_ERR_INVALID, d->sweep->file, d->sweep->line, d->sweep->col, "sweep",
                    "%.0f points (%s values per axis), above the limit of %zu points; each point is validated "
                    "and held before the first run (about 12 KB each): narrow the axes, split the sweep, or "
                    "raise the limit explicitly with CLUSTERSIM_MAX_SWEEP_POINTS=N",
                    want, sizes.p ? sizes.p : "", limit);
    free(sizes.p);
  }
  for (size_t a = 0; a < nax && rc == 0; a++)
    if (!ax[a].pinned) total *= ax[a].n;
  scen **pts = NULL;
  size_t *idx = scen__xcalloc(nax, sizeof *idx);
  if (rc == 0) {
    pts = scen__xcalloc(total, sizeof *pts);
    for (size_t p = 0; p < total && rc == 0; p++) {
      /* mixed radix, last axis fastest */
      size_t rest = p;
      for (size_t a = nax; a-- > 0;) {
        if (ax[a].pinned) continue;
        idx[a] = rest % ax[a].n;
        rest /= ax[a].n;
      }
      rc = build_point(&c, d, schema, ax, nax, idx, &pts[p]);
    }
  }
  free(idx);
  for (size_t a = 0; a < nax; a++) axis_free(&ax[a]);
  free(ax);
  if (rc < 0) {
    free_points(pts, total);
    return rc;
  }
  *points = pts;
  *n = total;
  return 0;
}
