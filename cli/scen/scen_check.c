/* scen_check.c: validation of a raw tree against a schema table, into typed scen_val trees.
 *
 * One pass per map: every member must name a key of the table (else "unknown key", with the
 * closest name and the allowed ones), its value is checked by type; then the keys not given get
 * their default (parsed like user text, so a default is validated like everything else), or
 * are reported missing at the enclosing map's position when required. An optional MAP that is
 * absent is materialised only when some child gets a default. Presets are loaded here, since
 * only the schema says that a string at a key names a preset file.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen_int.h"

#define KEY_END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}
#define MAX_PRESET_DEPTH 8

static const scen_key common_keys[] = {
    {"schema_version", SCEN_INT, "scenario schema version (this loader reads 1)", "1", 0, SCEN_MIN | SCEN_MAX, 1,
     1, NULL, NULL, 0, NULL},
    {"name", SCEN_STR, "scenario name (default: the file name without .yaml)", NULL, 0, 0, 0, 0, NULL, NULL, 0,
     NULL},
    {"description", SCEN_STR, "what the scenario is for (not part of the point's identity)", NULL, 0, 0, 0, 0, NULL,
     NULL, 0, NULL},
    {"experiment", SCEN_STR, "the experiment that runs the scenario", NULL, 1, 0, 0, 0, NULL, NULL, 0, NULL},
    {"seed", SCEN_INT, "base seed of the random streams", "1", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
    {"replicates", SCEN_INT, "independent runs per point (not part of the point's identity)", "1", 0, SCEN_MIN, 1,
     0, NULL, NULL, 0, NULL},
    {"report", SCEN_ANY, "tables and figures made from the results (kept as written)", NULL, 0, 0, 0, 0, NULL, NULL,
     0, NULL},
    KEY_END,
};

const char *const scen__toplevel_extra[] = {"include", "sweep", NULL};

const scen_key *scen__key_find(const scen_key *tbl, const char *name) {
  for (const scen_key *k = tbl; k && k->name; k++)
    if (strcmp(k->name, name) == 0) return k;
  return NULL;
}

size_t scen__key_count(const scen_key *tbl) {
  size_t n = 0;
  while (tbl && tbl[n].name) n++;
  return n;
}

scen_key *scen__schema_combine(const scen_key *schema) {
  size_t nc = scen__key_count(common_keys), ns = scen__key_count(schema);
  scen_key *t = scen__xcalloc(nc + ns + 1, sizeof *t);
  memcpy(t, common_keys, nc * sizeof *t);
  for (size_t i = 0; i < ns; i++) {
    if (scen__key_find(common_keys, schema[i].name) || !strcmp(schema[i].name, "include") ||
        !strcmp(schema[i].name, "sweep"))
      SCEN__DIE("experiment schema redefines the common key '%s'", schema[i].name);
    t[nc + i] = schema[i];
  }
  return t;
}

const char *scen__type_name(scen_type t) {
  switch (t) {
  case SCEN_STR: return "string";
  case SCEN_INT: return "integer";
  case SCEN_F64: return "number";
  case SCEN_BOOL: return "bool";
  case SCEN_ENUM: return "enum";
  case SCEN_TIME: return "time";
  case SCEN_BYTES: return "bytes";
  case SCEN_BW: return "bandwidth";
  case SCEN_MAP: return "map";
  case SCEN_LIST: return "list";
  case SCEN_PRESET: return "preset";
  case SCEN_ANY: return "any";
  }
  return "?";
}

static void enum_list(const scen_key *k, char *out, size_t len) {
  scen__buf b = {0};
  for (const char *const *e = k->enum_vals; e && *e; e++) scen__buf_printf(&b, "%s%s", e == k->enum_vals ? "" : ", ", *e);
  snprintf(out, len, "%s", b.p ? b.p : "");
  free(b.p);
}

/* "an integer", "a time with a unit (ps ns us ms s)", ... for "expected ..." messages. */
static void expected(const scen_key *k, scen_type t, char *out, size_t len) {
  char ev[400];
  switch (t) {
  case SCEN_STR: snprintf(out, len, "a string"); break;
  case SCEN_INT: snprintf(out, len, "an integer"); break;
  case SCEN_F64: snprintf(out, len, "a number"); break;
  case SCEN_BOOL: snprintf(out, len, "true or false"); break;
  case SCEN_ENUM:
    enum_list(k, ev, sizeof ev);
    snprintf(out, len, "one of: %s", ev);
    break;
  case SCEN_TIME: case SCEN_BYTES: case SCEN_BW:
    snprintf(out, len, "a %s with a unit (%s)", scen__type_name(t), scen__units_allowed(t));
    break;
  case SCEN_MAP: snprintf(out, len, "a map of keys"); break;
  case SCEN_LIST: snprintf(out, len, "a list, e.g. [a, b]"); break;
  case SCEN_PRESET:
    snprintf(out, len, "a preset name (a file in %s/ of the presets folder), a path to a .yaml file, or a map of keys",
             k->preset_dir ? k->preset_dir : ".");
    break;
  case SCEN_ANY: snprintf(out, len, "anything"); break;
  }
}

void scen__key_names(const scen_key *tbl, const char *const *extra, char *out, size_t len) {
  scen__buf b = {0};
  for (const scen_key *k = tbl; k && k->name; k++) scen__buf_printf(&b, "%s%s", b.len ? ", " : "", k->name);
  for (const char *const *e = extra; e && *e; e++) scen__buf_printf(&b, "%s%s", b.len ? ", " : "", *e);
  snprintf(out, len, "%s", b.p ? b.p : "");
  free(b.p);
}

void scen__unknown_msg(const char *word, const scen_key *tbl, const char *const *extra, char *out, size_t len) {
  size_t n = scen__key_count(tbl), ne = 0;
  while (extra && extra[ne]) ne++;
  const char **names = scen__xcalloc(n + ne, sizeof *names);
  for (size_t i = 0; i < n; i++) names[i] = tbl[i].name;
  for (size_t i = 0; i < ne; i++) names[n + i] = extra[i];
  const char *sug = scen__suggest(word, names, n + ne);
  free(names);
  char allowed[700];
  scen__key_names(tbl, extra, allowed, sizeof allowed);
  if (sug)
    snprintf(out, len, "unknown key '%s' (did you mean '%s'?); allowed keys here: %s", word, sug, allowed);
  else
    snprintf(out, len, "unknown key '%s'; allowed keys here: %s", word, allowed);
}

void scen__val_free(scen_val *v) {
  if (!v) return;
  for (size_t i = 0; i < v->n; i++) scen__val_free(&v->kids[i]);
  free(v->kids);
  free(v->text);
  free(v->preset);
  scen__node_free(v->raw);
  memset(v, 0, sizeof *v);
}

static int fail_node(scen__ctx *c, const scen_node *n, const char *path, const char *fmt, ...) SCEN__PRINTF(4, 5);
static int fail_node(scen__ctx *c, const scen_node *n, const char *path, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return scen__fail(c->err, SCEN_ERR_INVALID, n->file, n->line, n->col, path, "%s", msg);
}

static void fmt_value(scen_type t, double v, char *out, size_t len) {
  switch (t) {
  case SCEN_TIME: scen__fmt_time((uint64_t)v, out, len); break;
  case SCEN_BYTES: scen__fmt_bytes(v, out, len); break;
  case SCEN_BW: scen__fmt_bw(v, out, len); break;
  default: scen__fmt_f64(v, out, len); break;
  }
}

static int check_range(scen__ctx *c, const scen_key *k, scen_type t, const scen_node *n, const char *path, double v) {
  unsigned r = k->range;
  int bad = ((r & SCEN_MIN) && v < k->min) || ((r & SCEN_MIN_EXCL) && v <= k->min) || ((r & SCEN_MAX) && v > k->max);
  if (!bad) return 0;
  char lo[64], hi[64], val[64], rule[200];
  fmt_value(t, k->min, lo, sizeof lo);
  fmt_value(t, k->max, hi, sizeof hi);
  fmt_value(t, v, val, sizeof val);
  const char *op = (r & SCEN_MIN_EXCL) ? ">" : ">=";
  if ((r & (SCEN_MIN | SCEN_MIN_EXCL)) && (r & SCEN_MAX))
    snprintf(rule, sizeof rule, "%s %s and <= %s", op, lo, hi);
  else if (r & SCEN_MAX)
    snprintf(rule, sizeof rule, "<= %s", hi);
  else
    snprintf(rule, sizeof rule, "%s %s", op, lo);
  if (strcmp(val, n->text) == 0)
    return fail_node(c, n, path, "%s is out of range: must be %s", n->text, rule);
  return fail_node(c, n, path, "%s (= %s) is out of range: must be %s", n->text, val, rule);
}

int scen__check_scalar(scen__ctx *c, const scen_key *k, scen_type t, const scen_node *n, const char *path,
                       scen_val *v) {
  char exp[600], why[700], buf[64];
  v->key = k;
  v->type = t;
  if (n->kind != SCEN__SCALAR || scen__node_is_null(n)) {
    expected(k, t, exp, sizeof exp);
    return fail_node(c, n, path, "expected %s, got %s", exp, scen__kind_name(n));
  }
  const char *s = n->text;
  double num = 0;
  switch (t) {
  case SCEN_STR:
    v->text = scen__xstrdup(s);
    break;
  case SCEN_ENUM: {
    size_t ne = 0;
    while (k->enum_vals && k->enum_vals[ne]) ne++;
    for (size_t i = 0; i < ne; i++)
      if (strcmp(k->enum_vals[i], s) == 0) v->text = scen__xstrdup(s);
    if (!v->text) {
      const char *sug = scen__suggest(s, (const char *const *)k->enum_vals, ne);
      enum_list(k, exp, sizeof exp);
      if (sug) return fail_node(c, n, path, "'%s' is not allowed (did you mean '%s'?); allowed: %s", s, sug, exp);
      return fail_node(c, n, path, "'%s' is not allowed; allowed: %s", s, exp);
    }
    break;
  }
  case SCEN_BOOL:
    if (strcmp(s, "true") == 0)
      v->b = 1;
    else if (strcmp(s, "false") == 0)
      v->b = 0;
    else
      return fail_node(c, n, path, "expected true or false, got '%s'", s);
    v->text = scen__xstrdup(v->b ? "true" : "false");
    break;
  case SCEN_INT: {
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (end == s || *end || errno == ERANGE) {
      if (errno == ERANGE) return fail_node(c, n, path, "'%s' does not fit in a 64-bit integer", s);
      return fail_node(c, n, path, "expected an integer (no unit, no fraction), got '%s'", s);
    }
    v->i = x;
    v->f = (double)x;
    num = v->f;
    snprintf(buf, sizeof buf, "%" PRId64, v->i);
    v->text = scen__xstrdup(buf);
    break;
  }
  case SCEN_F64: {
    char *end;
    double x = strtod(s, &end);
    if (end == s || *end || !isfinite(x) || strpbrk(s, "xX"))
      return fail_node(c, n, path, "expected a plain number (no unit), got '%s'", s);
    v->f = num = x;
    scen__fmt_f64(x, buf, sizeof buf);
    v->text = scen__xstrdup(buf);
    break;
  }
  case SCEN_TIME:
    if (scen_parse_time_ps(s, &v->ps, why, sizeof why) < 0) return fail_node(c, n, path, "%s", why);
    v->f = num = (double)v->ps;
    scen__fmt_time(v->ps, buf, sizeof buf);
    v->text = scen__xstrdup(buf);
    break;
  case SCEN_BYTES:
  case SCEN_BW: {
    int rc = t == SCEN_BYTES ? scen_parse_bytes(s, &v->f, why, sizeof why) : scen_parse_bw_Bps(s, &v->f, why, sizeof why);
    if (rc < 0) return fail_node(c, n, path, "%s", why);
    num = v->f;
    if (t == SCEN_BYTES)
      scen__fmt_bytes(v->f, buf, sizeof buf);
    else
      scen__fmt_bw(v->f, buf, sizeof buf);
    v->text = scen__xstrdup(buf);
    break;
  }
  default:
    SCEN__DIE("key '%s': type %s is not a scalar type", k->name, scen__type_name(t));
  }
  v->present = 1;
  if (t == SCEN_INT || t == SCEN_F64 || t == SCEN_TIME || t == SCEN_BYTES || t == SCEN_BW)
    return check_range(c, k, t, n, path, num);
  return 0;
}

static int check_value(scen__ctx *c, const scen_key *k, const scen_node *n, const char *path, scen_val *v);

/* Loads the preset named by scalar `name` and merges `over` (may be NULL) over it; checks. */
static int check_preset_file(scen__ctx *c, const scen_key *k, const scen_node *name, const scen_node *over,
                             const char *path, scen_val *v) {
  if (c->depth >= MAX_PRESET_DEPTH)
    return fail_node(c, name, path, "presets nested deeper than %d levels", MAX_PRESET_DEPTH);
  scen_node *pm = NULL;
  char *pname = NULL;
  int rc = scen__preset_load(k, name, path, c->presets_root, &pm, &pname, c->err);
  if (rc < 0) return rc;
  if (over) {
    scen_node *o = scen__node_clone(over);
    scen__node_free(o->base);
    o->base = NULL;
    pm = scen__node_merge(pm, o);
  }
  c->depth++;
  rc = scen__check_map(c, k->children, pm, pm, path, v);
  c->depth--;
  v->key = k;
  v->type = SCEN_PRESET;
  v->preset = pname;
  scen__node_free(pm);
  return rc;
}

static int check_value(scen__ctx *c, const scen_key *k, const scen_node *n, const char *path, scen_val *v) {
  char exp[600];
  v->key = k;
  v->type = k->type;
  switch (k->type) {
  case SCEN_MAP:
    if (n->kind != SCEN__MAP) {
      char names[600];
      scen__key_names(k->children, NULL, names, sizeof names);
      return fail_node(c, n, path, "expected a map of keys (%s), got %s", names, scen__kind_name(n));
    }
    return scen__check_map(c, k->children, n, n, path, v);
  case SCEN_PRESET:
    if (n->kind == SCEN__SCALAR && !scen__node_is_null(n)) return check_preset_file(c, k, n, NULL, path, v);
    if (n->kind == SCEN__MAP) {
      if (n->base) return check_preset_file(c, k, n->base, n, path, v);
      if (n->implicit && k->def) {
        scen_node *def = scen__scalar_new(k->def, n->file, n->line, n->col);
        int rc = check_preset_file(c, k, def, n, path, v);
        scen__node_free(def);
        return rc;
      }
      int rc = scen__check_map(c, k->children, n, n, path, v);
      v->type = SCEN_PRESET;
      return rc;
    }
    expected(k, k->type, exp, sizeof exp);
    return fail_node(c, n, path, "expected %s, got %s", exp, scen__kind_name(n));
  case SCEN_LIST:
    if (n->kind != SCEN__SEQ) {
      char ev[600];
      expected(k, k->elem, ev, sizeof ev);
      return fail_node(c, n, path, "expected a list of %s, e.g. [a, b], got %s", ev, scen__kind_name(n));
    }
    v->kids = scen__xcalloc(n->n, sizeof *v->kids);
    v->n = n->n;
    v->present = 1;
    for (size_t i = 0; i < n->n; i++) {
      char ipath[256];
      scen__path_index(ipath, sizeof ipath, path, i);
      int rc;
      if (k->elem == SCEN_MAP) {
        const scen_node *it = n->kids[i];
        if (it->kind != SCEN__MAP) {
          char names[600];
          scen__key_names(k->children, NULL, names, sizeof names);
          return fail_node(c, it, ipath, "expected a map of keys (%s), got %s", names, scen__kind_name(it));
        }
        rc = scen__check_map(c, k->children, it, it, ipath, &v->kids[i]);
        v->kids[i].key = k;
      } else {
        rc = scen__check_scalar(c, k, k->elem, n->kids[i], ipath, &v->kids[i]);
      }
      if (rc < 0) return rc;
    }
    return 0;
  case SCEN_ANY:
    v->raw = scen__node_clone(n);
    v->present = 1;
    return 0;
  default:
    return scen__check_scalar(c, k, k->type, n, path, v);
  }
}

static void reposition(scen_node *n, const scen_node *where) {
  free(n->file);
  n->file = scen__xstrdup(where->file);
  n->line = where->line;
  n->col = where->col;
  for (size_t i = 0; i < n->n; i++) reposition(n->kids[i], where);
}

static int any_present(const scen_val *v) {
  for (size_t i = 0; i < v->n; i++)
    if (v->kids[i].present) return 1;
  return 0;
}

int scen__check_map(scen__ctx *c, const scen_key *tbl, const scen_node *map, const scen_node *where,
                    const char *path, scen_val *out) {
  size_t nk = scen__key_count(tbl);
  out->type = SCEN_MAP;
  out->tbl = tbl;
  out->n = nk;
  out->kids = scen__xcalloc(nk, sizeof *out->kids);
  out->present = 1;
  for (size_t i = 0; i < nk; i++) {
    out->kids[i].key = &tbl[i];
    out->kids[i].type = tbl[i].type;
  }
  char cpath[256];
  for (size_t i = 0; map && i < map->n; i++) {
    const scen_node *m = map->kids[i];
    const scen_key *k = scen__key_find(tbl, m->key);
    scen__path_join(cpath, sizeof cpath, path, m->key);
    if (!k) {
      char msg[1024];
      scen__unknown_msg(m->key, tbl, path[0] ? NULL : scen__toplevel_extra, msg, sizeof msg);
      return scen__fail(c->err, SCEN_ERR_INVALID, m->file, m->kline ? m->kline : m->line,
                        m->kline ? m->kcol : m->col, cpath, "%s", msg);
    }
    int rc = check_value(c, k, m, cpath, &out->kids[k - tbl]);
    if (rc < 0) return rc;
  }
  for (size_t i = 0; i < nk; i++) {
    const scen_key *k = &tbl[i];
    scen_val *v = &out->kids[i];
    if (v->present) continue;
    scen__path_join(cpath, sizeof cpath, path, k->name);
    if (k->def) {
      scen_node *d = NULL;
      if (scen__parse_text(k->def, strlen(k->def), "<default>", 1, 0, &d, c->err) < 0 || !d)
        SCEN__DIE("key '%s': default '%s' is not YAML", cpath, k->def);
      reposition(d, where);
      int rc = check_value(c, k, d, cpath, v);
      scen__node_free(d);
      if (rc < 0) return rc;
    } else if (k->required) {
      return scen__fail(c->err, SCEN_ERR_INVALID, where->file, where->line, where->col, cpath,
                        "missing required key '%s' (%s: %s)", k->name, scen__type_name(k->type),
                        k->help ? k->help : "");
    } else if (k->type == SCEN_MAP) {
      int rc = scen__check_map(c, k->children, NULL, where, cpath, v);
      if (rc < 0) return rc;
      v->key = k;
      if (!any_present(v)) scen__val_free(v), v->key = k, v->type = k->type;
    }
  }
  return 0;
}
