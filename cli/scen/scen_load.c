/* scen_load.c: scenario files, `include:` merging, preset files, --set arguments, the scen_doc.
 *
 * Include semantics: the listed files are merged in order (a later one overrides an earlier one),
 * then the including file is merged over them, map by map: the including file wins. A relative
 * include path is taken from the including file's folder, then from the presets root (so
 * `include: [hardware/h800-node.yaml]` works from any scenario). Cycles are refused by comparing
 * realpath()s along the chain of files being loaded.
 */
/* realpath() is XSI */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scen_int.h"

#ifndef CS_SOURCE_DIR
#define CS_SOURCE_DIR "."
#endif

#define MAX_INCLUDE_DEPTH 16

typedef struct incstack {
  char *real[MAX_INCLUDE_DEPTH + 1];
  const char *shown[MAX_INCLUDE_DEPTH + 1];
  int n;
} incstack;

/* from_file's folder + rel, or rel when it is absolute or from_file has no folder. */
static void resolve_rel(const char *from_file, const char *rel, char *out, size_t len) {
  const char *slash = strrchr(from_file, '/');
  if (rel[0] == '/' || !slash)
    snprintf(out, len, "%s", rel);
  else
    snprintf(out, len, "%.*s/%s", (int)(slash - from_file), from_file, rel);
}

static char *file_stem(const char *path) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  size_t n = strlen(b);
  if (n > 5 && strcmp(b + n - 5, ".yaml") == 0)
    n -= 5;
  else if (n > 4 && strcmp(b + n - 4, ".yml") == 0)
    n -= 4;
  char *s = scen__xmalloc(n + 1);
  memcpy(s, b, n);
  s[n] = '\0';
  return s;
}

static int check_version(const scen_node *v, const char *path, scen_err *err) {
  if (v->kind != SCEN__SCALAR || scen__node_is_null(v))
    return scen__fail(err, SCEN_ERR_INVALID, v->file, v->line, v->col, "schema_version",
                      "expected an integer, got %s; write 'schema_version: %d'", scen__kind_name(v),
                      SCEN_SCHEMA_VERSION);
  char *end;
  long ver = strtol(v->text, &end, 10);
  if (end == v->text || *end)
    return scen__fail(err, SCEN_ERR_INVALID, v->file, v->line, v->col, "schema_version",
                      "expected an integer, got '%s'; write 'schema_version: %d'", v->text, SCEN_SCHEMA_VERSION);
  if (ver != SCEN_SCHEMA_VERSION)
    return scen__fail(err, SCEN_ERR_INVALID, v->file, v->line, v->col, "schema_version",
                      "version %ld is not supported by %s; this clustersim reads schema_version %d", ver,
                      path, SCEN_SCHEMA_VERSION);
  return 0;
}

static int load_rec(const char *path, const char *presets_root, int need_version, const scen_node *ref,
                    const char *refpath, const char *what, incstack *st, scen_node **out, scen_err *err);

/* Merges the files listed in `inc` (owned) into *base. */
static int load_includes(const char *path, scen_node *inc, const char *presets_root, incstack *st,
                         scen_node **base, scen_err *err) {
  int rc = 0;
  if (inc->kind == SCEN__MAP || scen__node_is_null(inc)) {
    rc = scen__fail(err, SCEN_ERR_INVALID, inc->file, inc->line, inc->col, "include",
                    "expected a file name or a list of file names, got %s", scen__kind_name(inc));
    scen__node_free(inc);
    return rc;
  }
  size_t nitems = inc->kind == SCEN__SEQ ? inc->n : 1;
  for (size_t i = 0; i < nitems && rc == 0; i++) {
    const scen_node *it = inc->kind == SCEN__SEQ ? inc->kids[i] : inc;
    char ipath[64];
    scen__path_index(ipath, sizeof ipath, "include", i);
    if (it->kind != SCEN__SCALAR || scen__node_is_null(it)) {
      rc = scen__fail(err, SCEN_ERR_INVALID, it->file, it->line, it->col, ipath,
                      "expected a file name, got %s", scen__kind_name(it));
      break;
    }
    char cand[PATH_MAX], alt[PATH_MAX] = "";
    resolve_rel(path, it->text, cand, sizeof cand);
    if (access(cand, R_OK) != 0 && it->text[0] != '/' && presets_root) {
      snprintf(alt, sizeof alt, "%s/%s", presets_root, it->text);
      if (access(alt, R_OK) == 0) snprintf(cand, sizeof cand, "%s", alt);
    }
    if (access(cand, R_OK) != 0) {
      const char *why = strerror(errno);
      rc = scen__fail(err, SCEN_ERR_IO, it->file, it->line, it->col, ipath,
                      "included file '%s' not found: cannot open '%s'%s%s%s: %s", it->text, cand,
                      alt[0] ? " nor '" : "", alt, alt[0] ? "'" : "", why);
      break;
    }
    scen_node *sub = NULL;
    rc = load_rec(cand, presets_root, 0, it, ipath, "included file", st, &sub, err);
    if (rc == 0) *base = scen__node_merge(*base, sub);
  }
  scen__node_free(inc);
  return rc;
}

static int load_rec(const char *path, const char *presets_root, int need_version, const scen_node *ref,
                    const char *refpath, const char *what, incstack *st, scen_node **out, scen_err *err) {
  *out = NULL;
  char real[PATH_MAX];
  if (!realpath(path, real)) snprintf(real, sizeof real, "%s", path);
  for (int i = 0; i < st->n; i++) {
    if (strcmp(st->real[i], real) != 0) continue;
    scen__buf chain = {0};
    for (int j = i; j < st->n; j++) scen__buf_printf(&chain, "%s -> ", st->shown[j]);
    scen__buf_puts(&chain, path);
    if (i > 0) { /* the files that led into the cycle, from the scenario on */
      scen__buf_puts(&chain, " (reached from ");
      for (int j = 0; j < i; j++) scen__buf_printf(&chain, "%s%s", j ? " -> " : "", st->shown[j]);
      scen__buf_puts(&chain, ")");
    }
    int rc = scen__fail(err, SCEN_ERR_INVALID, ref->file, ref->line, ref->col, refpath,
                        "include cycle: %s", chain.p);
    free(chain.p);
    return rc;
  }
  if (st->n == MAX_INCLUDE_DEPTH)
    return scen__fail(err, SCEN_ERR_INVALID, ref->file, ref->line, ref->col, refpath,
                      "includes nested deeper than %d files", MAX_INCLUDE_DEPTH);

  scen_node *root = NULL;
  int rc = scen__parse_file(path, ref, refpath, what, &root, err);
  if (rc < 0) return rc;
  if (!root) {
    if (need_version)
      return scen__fail(err, SCEN_ERR_INVALID, path, 1, 1, NULL,
                        "empty scenario file; it must start with 'schema_version: %d'", SCEN_SCHEMA_VERSION);
    return scen__fail(err, SCEN_ERR_INVALID, path, 1, 1, NULL, "empty %s; expected a map of keys", what);
  }
  if (root->kind != SCEN__MAP) {
    rc = scen__fail(err, SCEN_ERR_INVALID, root->file, root->line, root->col, NULL,
                    "the top level of a %s must be a map (key: value lines), got %s",
                    need_version ? "scenario" : what, scen__kind_name(root));
    scen__node_free(root);
    return rc;
  }
  scen_node *ver = scen__node_take(root, "schema_version");
  if (ver)
    rc = check_version(ver, path, err);
  else if (need_version)
    rc = scen__fail(err, SCEN_ERR_INVALID, root->file, root->line, root->col, "schema_version",
                    "missing required key; a scenario must say which schema it follows: add "
                    "'schema_version: %d' at the top",
                    SCEN_SCHEMA_VERSION);
  scen__node_free(ver);
  scen_node *inc = scen__node_take(root, "include");
  if (rc == 0 && inc) {
    st->real[st->n] = real;
    st->shown[st->n] = path;
    st->n++;
    scen_node *base = NULL;
    rc = load_includes(path, inc, presets_root, st, &base, err);
    inc = NULL;
    st->n--;
    if (rc == 0) root = scen__node_merge(base, root);
    else scen__node_free(base);
  }
  scen__node_free(inc);
  if (rc < 0) {
    scen__node_free(root);
    return rc;
  }
  *out = root;
  return 0;
}

int scen__load_tree(const char *path, const char *presets_root, int need_version, const scen_node *ref,
                    const char *refpath, const char *what, scen_node **out, scen_err *err) {
  incstack st = {{0}, {0}, 0};
  return load_rec(path, presets_root, need_version, ref, refpath, what, &st, out, err);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names of the presets in a folder (sorted), for "did you mean" and "available:". */
static void preset_names(const char *dir, const char *name, char *sug, size_t suglen, char *avail, size_t alen) {
  sug[0] = avail[0] = '\0';
  DIR *d = opendir(dir);
  if (!d) return;
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t l = strlen(e->d_name);
    if (l <= 5 || strcmp(e->d_name + l - 5, ".yaml") != 0) continue;
    names = scen__xrealloc(names, (n + 1) * sizeof *names);
    names[n] = scen__xstrdup(e->d_name);
    names[n][l - 5] = '\0';
    n++;
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_str);
  const char *s = scen__suggest(name, (const char *const *)names, n);
  if (s) snprintf(sug, suglen, "; did you mean '%s'?", s);
  scen__buf b = {0};
  for (size_t i = 0; i < n; i++) scen__buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
  if (n) snprintf(avail, alen, "; available: %s", b.p);
  free(b.p);
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

int scen__preset_load(const scen_key *k, const scen_node *ref, const char *path, const char *presets_root,
                      scen_node **out, char **pname, scen_err *err) {
  *out = NULL;
  *pname = NULL;
  const char *name = ref->text;
  size_t nl = strlen(name);
  char file[PATH_MAX];
  int by_path = strchr(name, '/') || (nl > 5 && strcmp(name + nl - 5, ".yaml") == 0);
  if (by_path) {
    resolve_rel(ref->file, name, file, sizeof file);
  } else {
    for (const char *c = name; *c; c++)
      if (!(*c == '-' || *c == '_' || *c == '.' || *c == '+' || (*c >= '0' && *c <= '9') ||
            (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
        return scen__fail(err, SCEN_ERR_INVALID, ref->file, ref->line, ref->col, path,
                          "'%s' is not a preset name (letters, digits, '-', '_', '.', '+'); give a preset "
                          "name from %s/%s/, a path to a .yaml file, or an inline map",
                          name, presets_root, k->preset_dir ? k->preset_dir : "");
    snprintf(file, sizeof file, "%s/%s/%s.yaml", presets_root, k->preset_dir ? k->preset_dir : ".", name);
  }
  if (access(file, R_OK) != 0) {
    const char *why = strerror(errno);
    char sug[128] = "", avail[600] = "";
    if (!by_path) {
      char dir[PATH_MAX];
      snprintf(dir, sizeof dir, "%s/%s", presets_root, k->preset_dir ? k->preset_dir : ".");
      preset_names(dir, name, sug, sizeof sug, avail, sizeof avail);
    }
    return scen__fail(err, SCEN_ERR_IO, ref->file, ref->line, ref->col, path,
                      "preset '%s' not found: cannot open '%s': %s%s%s", name, file, why, sug, avail);
  }
  int rc = scen__load_tree(file, presets_root, 0, ref, path, "preset", out, err);
  if (rc < 0) return rc;
  *pname = by_path ? file_stem(file) : scen__xstrdup(name);
  return 0;
}

const char *scen_default_presets_root(const char *scenario_path, char *buf, size_t len) {
  const char *env = getenv("CLUSTERSIM_PRESETS");
  if (env && env[0]) {
    snprintf(buf, len, "%s", env);
    return buf;
  }
  char real[PATH_MAX];
  if (scenario_path && realpath(scenario_path, real)) {
    char *slash;
    while ((slash = strrchr(real, '/')) != NULL && slash != real) {
      *slash = '\0'; /* real is now a folder */
      const char *base = strrchr(real, '/');
      base = base ? base + 1 : real;
      if (strcmp(base, "scenarios") == 0) {
        snprintf(buf, len, "%s", real);
        return buf;
      }
    }
  }
  snprintf(buf, len, "%s/scenarios", CS_SOURCE_DIR);
  return buf;
}

static int parse_override(const char *arg, int idx, scen__override *o, scen_err *err) {
  memset(o, 0, sizeof *o);
  o->arg = scen__xstrdup(arg);
  o->line = idx;
  o->col = 1;
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg)
    return scen__fail(err, SCEN_ERR_INVALID, "--set", idx, 1, NULL,
                      "'%s': expected KEY=VALUE, e.g. --set model.num_layers=4", arg);
  size_t kl = (size_t)(eq - arg);
  o->keytext = scen__xmalloc(kl + 1);
  memcpy(o->keytext, arg, kl);
  o->keytext[kl] = '\0';
  if (scen__path_parse(o->keytext, &o->path) < 0)
    return scen__fail(err, SCEN_ERR_INVALID, "--set", idx, 1, o->keytext,
                      "'%s' is not a key path (names joined by '.', list items as [i] or .i)", o->keytext);
  int col0 = (int)kl + 1;
  int rc = scen__parse_text(eq + 1, strlen(eq + 1), "--set", idx, col0, &o->value, err);
  if (rc < 0) {
    scen_err tmp = *err;
    return scen__fail(err, rc, tmp.file, tmp.line, tmp.col, o->keytext, "%s", tmp.msg);
  }
  if (!o->value) o->value = scen__scalar_new("", "--set", idx, col0 + 1);
  return 0;
}

static void doc_free_overrides(scen_doc *d) {
  for (size_t i = 0; i < d->nov; i++) {
    free(d->ov[i].arg);
    free(d->ov[i].keytext);
    scen__node_free(d->ov[i].value);
  }
  free(d->ov);
  d->ov = NULL;
  d->nov = 0;
}

void scen_doc_free(scen_doc *d) {
  if (!d) return;
  free(d->path);
  free(d->stem);
  free(d->presets_root);
  scen__node_free(d->root);
  scen__node_free(d->sweep);
  free(d->report_yaml);
  doc_free_overrides(d);
  free(d);
}

int scen_doc_load(const char *path, const scen_opts *opts, scen_doc **out, scen_err *err) {
  *out = NULL;
  if (err) memset(err, 0, sizeof *err);
  scen_doc *d = scen__xcalloc(1, sizeof *d);
  d->path = scen__xstrdup(path);
  d->stem = file_stem(path);
  char rootbuf[PATH_MAX];
  d->presets_root = scen__xstrdup(opts && opts->presets_root ? opts->presets_root
                                                             : scen_default_presets_root(path, rootbuf, sizeof rootbuf));
  int rc = 0;
  size_t nov = opts && opts->overrides ? opts->n_overrides : 0;
  d->ov = scen__xcalloc(nov, sizeof *d->ov);
  for (size_t i = 0; i < nov && rc == 0; i++) {
    d->nov = i + 1;
    rc = parse_override(opts->overrides[i], (int)i + 1, &d->ov[i], err);
  }
  if (rc == 0) rc = scen__load_tree(path, d->presets_root, 1, NULL, NULL, "scenario file", &d->root, err);
  /* --set sweep... edits the sweep block itself (before the points are made), e.g. --set sweep.gpus=[16]
   * or --set sweep=null; every other override applies to each point */
  for (size_t i = 0, j = 0; rc == 0 && i < d->nov; i++) {
    scen__override *ov = &d->ov[i];
    if (strcmp(ov->path.seg[0], "sweep") == 0) {
      /* an axis is named by a dotted key of its own (sweep.topology.family: the axis "topology.family") */
      scen__path ap = ov->path;
      if (ap.n > 2) {
        snprintf(ap.buf, sizeof ap.buf, "%s", ov->keytext);
        ap.buf[5] = 0;
        ap.seg[0] = ap.buf;
        ap.seg[1] = ap.buf + 6;
        ap.n = 2;
      }
      rc = scen__node_set(d->root, &ap, scen__node_clone(ov->value), ov->keytext, err);
      free(ov->arg);
      free(ov->keytext);
      scen__node_free(ov->value);
    } else {
      d->ov[j++] = *ov;
    }
    if (i + 1 == d->nov) d->nov = j;
  }
  if (rc == 0) {
    d->sweep = scen__node_take(d->root, "sweep");
    if (d->sweep && scen__node_is_null(d->sweep)) {
      scen__node_free(d->sweep);
      d->sweep = NULL;
    }
    if (d->sweep && d->sweep->kind != SCEN__MAP)
      rc = scen__fail(err, SCEN_ERR_INVALID, d->sweep->file, d->sweep->line, d->sweep->col, "sweep",
                      "expected a map of axes (dotted key: list of values or {from, to, step}), got %s",
                      scen__kind_name(d->sweep));
  }
  if (rc == 0) {
    const scen_node *rep = scen__node_get(d->root, "report");
    if (rep) {
      scen__buf b = {0};
      if (rep->kind == SCEN__SCALAR) {
        scen__emit_raw_flow(&b, rep);
        scen__buf_putc(&b, '\n');
      } else {
        scen__emit_raw_block(&b, rep, 0);
      }
      d->report_yaml = scen__buf_take(&b);
    }
  }
  if (rc < 0) {
    scen_doc_free(d);
    return rc;
  }
  *out = d;
  return 0;
}

static int path_eq(const scen__path *a, const scen__path *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(a->seg[i], b->seg[i]) != 0) return 0;
  return 1;
}

/* The override that decides path (the last one naming it or one of its ancestors). */
static const scen_node *override_for(const scen_doc *d, const scen__path *p, const scen__override **which) {
  for (size_t i = d->nov; i-- > 0;) {
    const scen__override *o = &d->ov[i];
    if (o->path.n > p->n || !path_eq(&o->path, p, o->path.n)) continue;
    scen__path rest;
    rest.n = p->n - o->path.n;
    for (size_t j = 0; j < rest.n; j++) rest.seg[j] = p->seg[o->path.n + j];
    *which = o;
    return rest.n ? scen__node_find(o->value, &rest) : o->value;
  }
  return NULL;
}

const char *scen_doc_scalar(const scen_doc *d, const char *path) {
  scen__path p;
  if (!d || scen__path_parse(path, &p) < 0) return NULL;
  const scen__override *o = NULL;
  const scen_node *n = override_for(d, &p, &o);
  if (!o) n = scen__node_find(d->root, &p);
  if (!n || n->kind != SCEN__SCALAR || scen__node_is_null(n)) return NULL;
  return n->text;
}

void scen_doc_where(const scen_doc *d, const char *path, scen_err *err) {
  memset(err, 0, sizeof *err);
  snprintf(err->path, sizeof err->path, "%s", path);
  snprintf(err->file, sizeof err->file, "%s", d->path);
  scen__path p;
  if (scen__path_parse(path, &p) < 0) return;
  const scen__override *o = NULL;
  const scen_node *n = override_for(d, &p, &o);
  if (!o) {
    /* deepest node on the path that exists */
    n = d->root;
    for (size_t k = p.n; k > 0; k--) {
      scen__path q = p;
      q.n = k;
      const scen_node *f = scen__node_find(d->root, &q);
      if (f) {
        n = f;
        break;
      }
    }
  }
  if (!n) return;
  snprintf(err->file, sizeof err->file, "%s", n->file);
  err->line = n->line;
  err->col = n->col;
}

const char *scen_report_yaml(const scen_doc *d) { return d ? d->report_yaml : NULL; }
