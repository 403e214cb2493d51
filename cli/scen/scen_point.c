/* scen_point.c: one validated sweep point: accessors, canonical YAML, sha256, params, label.
 *
 * Canonical YAML (what the sha256 names):
 *   - keys in schema order (common keys first), absent optional keys left out, defaults filled;
 *   - left out because they do not change a run's result: `description`, `replicates`, `report`
 *     (so adding replicates reuses finished ones, and editing a report does not re-run anything);
 *   - presets inlined as maps, with a comment naming the preset: `model:  # preset: deepseek-v3`;
 *   - united values in the canonical spelling of scen_units.c (largest unit dividing exactly, bandwidth
 *     in bytes/s: 400Gbps -> 50GB/s, 1.5us -> 1500ns); numbers as the shortest exact text;
 *   - lists of scalars in flow style [a, b]; strings quoted only where plain YAML would misread them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen_int.h"

struct scen {
  char *path;
  scen_key *tbl; /* common keys + experiment keys; root.kids index into it */
  scen_val root;
  char *yaml;
  char sha[65];
  char *label;
  char **pkey, **pval;
  size_t np;
};

static int as_string(scen_type t) { return t == SCEN_STR || t == SCEN_ENUM; }

static int left_out(const scen_key *k, int top) {
  return top && (!strcmp(k->name, "description") || !strcmp(k->name, "replicates") || !strcmp(k->name, "report"));
}

static int has_kids(const scen_val *v) {
  for (size_t i = 0; i < v->n; i++)
    if (v->kids[i].present) return 1;
  return 0;
}

static void val_flow(scen__buf *b, const scen_val *v) {
  switch (v->type) {
  case SCEN_MAP:
  case SCEN_PRESET: {
    scen__buf_putc(b, '{');
    int first = 1;
    for (size_t i = 0; i < v->n; i++) {
      if (!v->kids[i].present) continue;
      scen__buf_puts(b, first ? "" : ", ");
      first = 0;
      scen__buf_printf(b, "%s: ", v->tbl[i].name);
      val_flow(b, &v->kids[i]);
    }
    scen__buf_putc(b, '}');
    break;
  }
  case SCEN_LIST:
    scen__buf_putc(b, '[');
    for (size_t i = 0; i < v->n; i++) {
      scen__buf_puts(b, i ? ", " : "");
      val_flow(b, &v->kids[i]);
    }
    scen__buf_putc(b, ']');
    break;
  case SCEN_ANY: scen__emit_raw_flow(b, v->raw); break;
  default: scen__emit_scalar(b, v->text, as_string(v->type)); break;
  }
}

static void indent_to(scen__buf *b, int n) {
  for (int i = 0; i < n; i++) scen__buf_putc(b, ' ');
}

static void emit_map(scen__buf *b, const scen_val *m, int indent, int top);

static void emit_value(scen__buf *b, const scen_val *v, int indent) {
  switch (v->type) {
  case SCEN_MAP:
  case SCEN_PRESET:
    if (!has_kids(v)) scen__buf_puts(b, " {}");
    if (v->preset) scen__buf_printf(b, "  # preset: %s", v->preset);
    scen__buf_putc(b, '\n');
    if (has_kids(v)) emit_map(b, v, indent + 2, 0);
    break;
  case SCEN_LIST:
    if (v->n == 0) {
      scen__buf_puts(b, " []\n");
    } else if (v->key->elem == SCEN_MAP) {
      scen__buf_putc(b, '\n');
      for (size_t i = 0; i < v->n; i++) {
        indent_to(b, indent + 2);
        if (!has_kids(&v->kids[i])) {
          scen__buf_puts(b, "- {}\n");
          continue;
        }
        scen__buf sub = {0};
        emit_map(&sub, &v->kids[i], indent + 4, 0);
        scen__buf_puts(b, "- ");
        scen__buf_puts(b, sub.p + indent + 4);
        free(sub.p);
      }
    } else {
      scen__buf_putc(b, ' ');
      val_flow(b, v);
      scen__buf_putc(b, '\n');
    }
    break;
  case SCEN_ANY:
    if (v->raw->kind == SCEN__SCALAR || v->raw->n == 0) {
      scen__buf_putc(b, ' ');
      scen__emit_raw_flow(b, v->raw);
      scen__buf_putc(b, '\n');
    } else {
      scen__buf_putc(b, '\n');
      scen__emit_raw_block(b, v->raw, indent + 2);
    }
    break;
  default:
    scen__buf_putc(b, ' ');
    scen__emit_scalar(b, v->text, as_string(v->type));
    scen__buf_putc(b, '\n');
    break;
  }
}

static void emit_map(scen__buf *b, const scen_val *m, int indent, int top) {
  for (size_t i = 0; i < m->n; i++) {
    const scen_val *v = &m->kids[i];
    if (!v->present || left_out(&m->tbl[i], top)) continue;
    indent_to(b, indent);
    scen__buf_printf(b, "%s:", m->tbl[i].name);
    emit_value(b, v, indent);
  }
}

static void param_add(scen *s, const char *key, const char *val) {
  s->pkey = scen__xrealloc(s->pkey, (s->np + 1) * sizeof *s->pkey);
  s->pval = scen__xrealloc(s->pval, (s->np + 1) * sizeof *s->pval);
  s->pkey[s->np] = scen__xstrdup(key);
  s->pval[s->np] = scen__xstrdup(val);
  s->np++;
}

static void flatten(scen *s, const scen_val *v, const char *path, int top) {
  if (v->type == SCEN_MAP || v->type == SCEN_PRESET) {
    if (v->preset) param_add(s, path, v->preset);
    for (size_t i = 0; i < v->n; i++) {
      if (!v->kids[i].present || (top && !strcmp(v->tbl[i].name, "report"))) continue;
      char p[256];
      scen__path_join(p, sizeof p, path, v->tbl[i].name);
      flatten(s, &v->kids[i], p, 0);
    }
    return;
  }
  if (v->type == SCEN_LIST || v->type == SCEN_ANY) {
    scen__buf b = {0};
    val_flow(&b, v);
    param_add(s, path, b.p);
    free(b.p);
    return;
  }
  param_add(s, path, v->text);
}

scen *scen__point_new(const char *path, scen_key *tbl, scen_val *root, const char *label) {
  scen *s = scen__xcalloc(1, sizeof *s);
  s->path = scen__xstrdup(path);
  s->tbl = tbl;
  s->root = *root;
  memset(root, 0, sizeof *root);
  s->label = scen__xstrdup(label ? label : "");
  scen__buf b = {0};
  emit_map(&b, &s->root, 0, 1);
  s->yaml = scen__buf_take(&b);
  scen_sha256_hex(s->yaml, strlen(s->yaml), s->sha);
  flatten(s, &s->root, "", 1);
  return s;
}

void scen_free(scen *s) {
  if (!s) return;
  scen__val_free(&s->root);
  free(s->tbl);
  free(s->path);
  free(s->yaml);
  free(s->label);
  for (size_t i = 0; i < s->np; i++) {
    free(s->pkey[i]);
    free(s->pval[i]);
  }
  free(s->pkey);
  free(s->pval);
  free(s);
}

/* ---- accessors ---- */

typedef struct found {
  const scen_key *k;
  const scen_val *v; /* NULL or !present: no value */
  scen_type t;       /* k->type, or the element type for "list[i]" of scalars */
} found;

static found lookup(const scen *s, const char *path, const char *fn) {
  scen__path p;
  if (!s || !path || scen__path_parse(path, &p) < 0) SCEN__DIE("%s(\"%s\"): not a key path", fn, path ? path : "(null)");
  const scen_key *tbl = s->tbl, *k = NULL;
  const scen_val *v = &s->root;
  int in_item = 0;
  for (size_t i = 0; i < p.n; i++) {
    const char *seg = p.seg[i];
    if (k && k->type == SCEN_LIST && !in_item) {
      size_t idx;
      if (!scen__is_index(seg, &idx)) SCEN__DIE("%s(\"%s\"): '%s' is a list; index it as [i]", fn, path, k->name);
      if (v && v->present) {
        if (idx >= v->n) SCEN__DIE("%s(\"%s\"): index %zu out of range (the list has %zu items)", fn, path, idx, v->n);
        v = &v->kids[idx];
      } else {
        v = NULL;
      }
      if (k->elem != SCEN_MAP) {
        if (i + 1 < p.n) SCEN__DIE("%s(\"%s\"): items of '%s' have no keys", fn, path, k->name);
        return (found){k, v, k->elem};
      }
      in_item = 1;
      tbl = k->children;
      continue;
    }
    if (k && !(k->type == SCEN_MAP || k->type == SCEN_PRESET || in_item))
      SCEN__DIE("%s(\"%s\"): '%s' is of type %s and has no keys below it", fn, path, k->name, scen__type_name(k->type));
    in_item = 0;
    const scen_key *kk = scen__key_find(tbl, seg);
    if (!kk) SCEN__DIE("%s(\"%s\"): '%s' is not declared in the schema", fn, path, seg);
    v = v && v->present ? &v->kids[kk - tbl] : NULL;
    k = kk;
    tbl = k->children;
  }
  return (found){k, v, in_item ? SCEN_MAP : k->type};
}

static const scen_val *need(found f, const char *fn, const char *path, scen_type t1, scen_type t2) {
  if (f.t != t1 && f.t != t2)
    SCEN__DIE("%s(\"%s\"): the key is of type %s", fn, path, scen__type_name(f.t));
  if (!f.v || !f.v->present)
    SCEN__DIE("%s(\"%s\"): the key has no value (no default, not required); check scen_has() first", fn, path);
  return f.v;
}

int scen_has(const scen *s, const char *path) {
  found f = lookup(s, path, "scen_has");
  return f.v && f.v->present;
}

const char *scen_str(const scen *s, const char *path) {
  found f = lookup(s, path, "scen_str");
  if (f.t == SCEN_PRESET) return f.v && f.v->present ? f.v->preset : NULL;
  return need(f, "scen_str", path, SCEN_STR, SCEN_ENUM)->text;
}

int64_t scen_int(const scen *s, const char *path) {
  return need(lookup(s, path, "scen_int"), "scen_int", path, SCEN_INT, SCEN_INT)->i;
}

double scen_f64(const scen *s, const char *path) {
  return need(lookup(s, path, "scen_f64"), "scen_f64", path, SCEN_F64, SCEN_INT)->f;
}

int scen_bool(const scen *s, const char *path) {
  return need(lookup(s, path, "scen_bool"), "scen_bool", path, SCEN_BOOL, SCEN_BOOL)->b;
}

uint64_t scen_time_ps(const scen *s, const char *path) {
  return need(lookup(s, path, "scen_time_ps"), "scen_time_ps", path, SCEN_TIME, SCEN_TIME)->ps;
}

double scen_bytes(const scen *s, const char *path) {
  return need(lookup(s, path, "scen_bytes"), "scen_bytes", path, SCEN_BYTES, SCEN_BYTES)->f;
}

double scen_bw_Bps(const scen *s, const char *path) {
  return need(lookup(s, path, "scen_bw_Bps"), "scen_bw_Bps", path, SCEN_BW, SCEN_BW)->f;
}

size_t scen_list_len(const scen *s, const char *path) {
  found f = lookup(s, path, "scen_list_len");
  if (f.t != SCEN_LIST) SCEN__DIE("scen_list_len(\"%s\"): the key is of type %s", path, scen__type_name(f.t));
  return f.v && f.v->present ? f.v->n : 0;
}

static const scen_val *list_item(const scen *s, const char *path, size_t i, const char *fn) {
  found f = lookup(s, path, fn);
  const scen_val *v = need(f, fn, path, SCEN_LIST, SCEN_LIST);
  if (f.k->elem == SCEN_MAP || f.k->elem == SCEN_LIST)
    SCEN__DIE("%s(\"%s\"): items are maps; read them as \"%s[i].key\"", fn, path, path);
  if (i >= v->n) SCEN__DIE("%s(\"%s\", %zu): index out of range (the list has %zu items)", fn, path, i, v->n);
  return &v->kids[i];
}

const char *scen_list_str(const scen *s, const char *path, size_t i) {
  return list_item(s, path, i, "scen_list_str")->text;
}

double scen_list_f64(const scen *s, const char *path, size_t i) {
  const scen_val *v = list_item(s, path, i, "scen_list_f64");
  if (v->type == SCEN_STR || v->type == SCEN_ENUM || v->type == SCEN_BOOL)
    SCEN__DIE("scen_list_f64(\"%s\"): items are of type %s", path, scen__type_name(v->type));
  return v->f;
}

const char *scen_name(const scen *s) { return scen_str(s, "name"); }
const char *scen_experiment(const scen *s) { return scen_str(s, "experiment"); }
uint64_t scen_seed(const scen *s) { return (uint64_t)scen_int(s, "seed"); }
uint32_t scen_replicates(const scen *s) { return (uint32_t)scen_int(s, "replicates"); }
const char *scen_path(const scen *s) { return s->path; }
const char *scen_yaml(const scen *s) { return s->yaml; }
const char *scen_sha256(const scen *s) { return s->sha; }
size_t scen_nparams(const scen *s) { return s->np; }

const char *scen_param_key(const scen *s, size_t i) {
  if (i >= s->np) SCEN__DIE("scen_param_key(%zu): only %zu params", i, s->np);
  return s->pkey[i];
}

const char *scen_param_value(const scen *s, size_t i) {
  if (i >= s->np) SCEN__DIE("scen_param_value(%zu): only %zu params", i, s->np);
  return s->pval[i];
}

const char *scen_point_label(const scen *s) { return s->label; }

/* ---- --help ---- */

static void print_keys(const scen_key *tbl, int indent, FILE *out) {
  for (const scen_key *k = tbl; k && k->name; k++) {
    char type[64], def[64];
    if (k->type == SCEN_PRESET)
      snprintf(type, sizeof type, "preset:%s", k->preset_dir ? k->preset_dir : "");
    else if (k->type == SCEN_LIST)
      snprintf(type, sizeof type, "list of %s", scen__type_name(k->elem));
    else
      snprintf(type, sizeof type, "%s", scen__type_name(k->type));
    snprintf(def, sizeof def, "%s", k->def ? k->def : k->required ? "(required)" : "-");
    fprintf(out, "  %*s%-*s %-16s %-12s %s", indent, "", 24 - indent, k->name, type, def, k->help ? k->help : "");
    if (k->type == SCEN_ENUM && k->enum_vals) {
      fputs(" [", out);
      for (const char *const *e = k->enum_vals; *e; e++) fprintf(out, "%s%s", e == k->enum_vals ? "" : ", ", *e);
      fputc(']', out);
    }
    if (k->type == SCEN_TIME || k->type == SCEN_BYTES || k->type == SCEN_BW)
      fprintf(out, " (units: %s)", scen__units_allowed(k->type));
    fputc('\n', out);
    if (k->children && indent < 16) print_keys(k->children, indent + 2, out);
  }
}

void scen_schema_print(const scen_key *schema, FILE *out) {
  fprintf(out, "  %-24s %-16s %-12s %s\n", "key", "type", "default", "meaning");
  print_keys(schema, 0, out);
}
