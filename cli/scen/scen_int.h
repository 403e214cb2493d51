/* scen_int.h: internals of the scenario loader (scen_*.c only).
 *
 * Two trees:
 *   scen_node  the raw YAML as written (after include merging), every node with file:line:col.
 *              Lives in a scen_doc and is cloned per sweep point, where axis values and --set
 *              overrides are written into the clone.
 *   scen_val   the validated point: one slot per schema key (schema order), typed values in
 *              canonical units, canonical text. Accessors, canonical YAML and params read it.
 * Allocation failures abort (scen__xmalloc): a scenario is small and OOM is not an input error.
 */
#ifndef CLUSTERSIM_SCEN_INT_H
#define CLUSTERSIM_SCEN_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "scen.h"

/* ---- memory, strings, errors (scen_util.c) ---- */
void *scen__xmalloc(size_t n);
void *scen__xcalloc(size_t n, size_t size);
void *scen__xrealloc(void *p, size_t n);
char *scen__xstrdup(const char *s);
#if defined(__GNUC__)
#define SCEN__PRINTF(a, b) __attribute__((format(printf, a, b)))
#define SCEN__NORETURN __attribute__((noreturn))
#else
#define SCEN__PRINTF(a, b)
#define SCEN__NORETURN
#endif
/* Programmer error (accessor misuse, bad schema table): message with file:line, then abort. */
SCEN__NORETURN void scen__die(const char *file, int line, const char *fmt, ...) SCEN__PRINTF(3, 4);
#define SCEN__DIE(...) scen__die(__FILE__, __LINE__, __VA_ARGS__)

typedef struct scen__buf {
  char *p;
  size_t len, cap;
} scen__buf;
void scen__buf_putc(scen__buf *b, char c);
void scen__buf_puts(scen__buf *b, const char *s);
void scen__buf_printf(scen__buf *b, const char *fmt, ...) SCEN__PRINTF(2, 3);
char *scen__buf_take(scen__buf *b); /* NUL-terminated, owned by the caller; b is reset */

/* Fills err and returns code. file may be NULL (""), path may be NULL (""). */
int scen__fail(scen_err *err, int code, const char *file, int line, int col, const char *path,
               const char *fmt, ...) SCEN__PRINTF(7, 8);

/* Levenshtein distance (bytes), capped at 99. */
int scen__edit_distance(const char *a, const char *b);
/* Closest candidate to word among n names (case-insensitive equality wins), NULL if none close. */
const char *scen__suggest(const char *word, const char *const *names, size_t n);

/* Dotted path "a.b[2].c" split into segments {"a","b","2","c"}. */
#define SCEN__MAX_DEPTH 32
typedef struct scen__path {
  char buf[256];
  char *seg[SCEN__MAX_DEPTH];
  size_t n;
} scen__path;
int scen__path_parse(const char *path, scen__path *p); /* 0 or -1 (empty segment, too long) */
int scen__is_index(const char *seg, size_t *idx);
/* out = parent + "." + key (or key when parent is empty); "parent[i]" for list items. */
void scen__path_join(char *out, size_t len, const char *parent, const char *key);
void scen__path_index(char *out, size_t len, const char *parent, size_t i);

/* ---- raw tree (scen_tree.c, parsing in scen_yaml.c) ---- */
typedef enum scen__kind { SCEN__SCALAR, SCEN__MAP, SCEN__SEQ } scen__kind;

typedef struct scen_node {
  scen__kind kind;
  char *text;              /* SCALAR: the text as libyaml delivers it */
  int quoted;              /* SCALAR: written quoted or as a block scalar (never null) */
  char *key;               /* as a map member: its key (owned) */
  int kline, kcol;         /* position of that key */
  char *file;              /* owned; "--set" for overrides */
  int line, col;           /* position of the value, 1-based */
  struct scen_node **kids; /* MAP members (key set) or SEQ items */
  size_t n, cap;
  /* A MAP written over a scalar (a preset name) by an include or a dotted --set/sweep path:
   * the preset named by `base` is loaded first and this map merged over it. */
  struct scen_node *base;
  int implicit; /* MAP created by a dotted path (a default preset applies under it) */
} scen_node;

scen_node *scen__node_new(scen__kind kind, const char *file, int line, int col);
scen_node *scen__scalar_new(const char *text, const char *file, int line, int col);
void scen__node_free(scen_node *n);
scen_node *scen__node_clone(const scen_node *n);
void scen__node_append(scen_node *parent, scen_node *kid);
scen_node *scen__node_get(const scen_node *map, const char *key);
scen_node *scen__node_take(scen_node *map, const char *key); /* detach member, NULL if absent */
void scen__node_put(scen_node *map, const char *key, scen_node *val); /* replace or append */
/* Deep merge of src over dst (maps merge key by key, everything else replaces); consumes src. */
scen_node *scen__node_merge(scen_node *dst, scen_node *src);
int scen__node_is_null(const scen_node *n);
/* Writes val (owned) at the segments below root, creating maps on the way; a scalar on the way
 * becomes an implicit map with the scalar as base (a preset to resolve later). */
int scen__node_set(scen_node *root, const scen__path *p, scen_node *val, const char *pathtext,
                   scen_err *err);
/* Finds the node at a path (map keys and list indices), NULL if absent. */
const scen_node *scen__node_find(const scen_node *root, const scen__path *p);
const char *scen__kind_name(const scen_node *n);

/* YAML text -> tree. file names the source in positions; line/col offsets shift positions
 * (used for --set values: line = override number, col = offset of the value in the argument).
 * *out may be NULL for an empty stream. Multi-document streams and aliases are errors. */
int scen__parse_text(const char *text, size_t len, const char *file, int line0, int col0,
                     scen_node **out, scen_err *err);
/* Missing file: code SCEN_ERR_IO with the position of ref (NULL: no position). */
int scen__parse_file(const char *path, const scen_node *ref, const char *refpath, const char *what,
                     scen_node **out, scen_err *err);

/* Emission (scen_emit.c). Scalars are quoted when plain text would be misread. */
int scen__needs_quote(const char *s);
void scen__emit_scalar(scen__buf *b, const char *s, int force_quote);
void scen__emit_raw_block(scen__buf *b, const scen_node *n, int indent); /* map/seq members */
void scen__emit_raw_flow(scen__buf *b, const scen_node *n);

/* ---- units (scen_units.c) ---- */
/* Canonical spelling: integer mantissa with the largest unit that divides the value exactly
 * (1.5us -> "1500ns", 400Gbps -> "50GB/s", 2048B -> "2KiB"); bandwidths are spelled in bytes/s. */
void scen__fmt_time(uint64_t ps, char *out, size_t len);
void scen__fmt_bytes(double bytes, char *out, size_t len);
void scen__fmt_bw(double Bps, char *out, size_t len);
void scen__fmt_f64(double v, char *out, size_t len); /* shortest text that reads back exactly */
const char *scen__units_allowed(scen_type t);       /* "ps ns us ms s" ... */

/* ---- load: files, includes, presets (scen_load.c) ---- */
typedef struct scen__override {
  char *arg;         /* "a.b=value" as given */
  char *keytext;     /* "a.b" */
  scen__path path;
  scen_node *value;  /* parsed YAML of the value, positioned in "--set" line N col C */
  int line, col;     /* N (1-based index of the override), column of the key (1) */
} scen__override;

struct scen_doc {
  char *path;         /* scenario file as given */
  char *stem;         /* file name without folder and .yaml: default `name` */
  char *presets_root; /* resolved */
  scen_node *root;    /* merged map without include:, sweep: */
  scen_node *sweep;   /* detached sweep block or NULL */
  char *report_yaml;  /* raw report: re-emitted, NULL if absent */
  scen__override *ov;
  size_t nov;
};

/* Loads a file with its includes merged (consumes `include:` and checks `schema_version`).
 * need_version: the file must carry schema_version (the scenario itself; includes and presets
 * may omit it). ref/refpath: the node that named this file (NULL for the scenario). */
int scen__load_tree(const char *path, const char *presets_root, int need_version, const scen_node *ref,
                    const char *refpath, const char *what, scen_node **out, scen_err *err);

/* Resolves a preset name at key k to its file path; name is written to *pname (owned). */
int scen__preset_load(const scen_key *k, const scen_node *ref, const char *path, const char *presets_root,
                      scen_node **out, char **pname, scen_err *err);

/* ---- validated values (scen_check.c, scen_point.c) ---- */
typedef struct scen_val {
  const scen_key *key;    /* schema entry (list items: the list's key) */
  scen_type type;         /* own type (list items: the list's elem) */
  int present;
  char *text;             /* canonical text of a scalar */
  int64_t i;
  double f;               /* F64, INT (as double), BYTES, BW (bytes/s), TIME (ps as double) */
  uint64_t ps;
  int b;
  char *preset;           /* PRESET read from a file: its name */
  const scen_key *tbl;    /* MAP/PRESET/list-of-map item: the children table */
  struct scen_val *kids;  /* map: one per tbl entry; list: items */
  size_t n;
  scen_node *raw;         /* ANY: the raw subtree */
} scen_val;

void scen__val_free(scen_val *v); /* frees what v holds, not v */

typedef struct scen__ctx {
  const char *presets_root;
  scen_err *err;
  int depth; /* preset nesting */
} scen__ctx;

/* Validates map (NULL: absent) against tbl into out; where: position for missing keys. */
int scen__check_map(scen__ctx *c, const scen_key *tbl, const scen_node *map, const scen_node *where,
                    const char *path, scen_val *out);
/* Validates one scalar node against type t of key k (ranges/enums of k) into v. */
int scen__check_scalar(scen__ctx *c, const scen_key *k, scen_type t, const scen_node *n, const char *path,
                       scen_val *v);

/* The key of a schema table, NULL if absent; the count of a table. */
const scen_key *scen__key_find(const scen_key *tbl, const char *name);
size_t scen__key_count(const scen_key *tbl);
const char *scen__type_name(scen_type t);
/* "a, b, c" of the table's names (plus extra names), for "allowed:" lists. */
void scen__key_names(const scen_key *tbl, const char *const *extra, char *out, size_t len);
/* Unknown key message body: "unknown key 'x'; did you mean 'y'?; allowed: a, b". */
void scen__unknown_msg(const char *word, const scen_key *tbl, const char *const *extra, char *out,
                       size_t len);

/* The combined schema (common keys, then the experiment's); owned by each scen. */
scen_key *scen__schema_combine(const scen_key *schema);
/* Top-level names consumed at load (include, sweep): allowed but not in the table. */
extern const char *const scen__toplevel_extra[];

/* Builds a scen from a validated root (takes ownership of root and tbl). */
scen *scen__point_new(const char *path, scen_key *tbl, scen_val *root, const char *label);

#endif
