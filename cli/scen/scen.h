/* scen.h: the scenario loader (libyaml). Needs neither the engine nor SQLite.
 *
 * Pipeline for one scenario file:
 *   parse (libyaml, every node keeps file:line:column)
 *   -> merge `include:` files (the including file overrides what it includes; recursive, cycles refused)
 *   -> split off the `sweep:` block; expand its axes into the cartesian product of points
 *   -> per point: apply the axis values, then the user's --set overrides (user wins)
 *   -> resolve preset references (a string at a SCEN_PRESET key names scenarios/<dir>/<name>.yaml)
 *   -> validate against the schema (common keys + the experiment's keys): unknown keys, types,
 *      units, ranges, enums, required keys; fill defaults
 *   -> a `scen` per point: typed accessors, canonical resolved YAML, its sha256, flattened params.
 *
 * Units (case-sensitive; a number without a unit is an error for united types):
 *   time:      ps ns us ms s                          -> picoseconds (uint64)
 *   bytes:     B KB MB GB TB (1e3^k)  KiB MiB GiB TiB (2^10k)            -> bytes (double)
 *   bandwidth: bps Kbps Mbps Gbps Tbps (bits/s)  B/s KB/s MB/s GB/s TB/s KiB/s MiB/s GiB/s (bytes/s)
 *                                                      -> bytes per second (double)
 *   `400Gbps` = 50e9 B/s; `50GB/s` = 50e9 B/s; `50gbps` is an error listing the allowed units.
 *
 * Errors: every error is one message "FILE:LINE:COL: error: KEY.PATH: what is wrong; allowed: ...".
 * For --set overrides FILE is "--set" and COL the position in the argument.
 *
 * Lifetime: scen_doc and scen objects are owned by the caller; *_free(NULL) is a no-op.
 * Accessors with a path that the schema does not declare are programmer errors (abort, file:line).
 */
#ifndef CLUSTERSIM_SCEN_H
#define CLUSTERSIM_SCEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum scen_type {
  SCEN_STR = 1,
  SCEN_INT,      /* int64 */
  SCEN_F64,      /* plain number, no unit */
  SCEN_BOOL,     /* true/false */
  SCEN_ENUM,     /* one of .enum_vals */
  SCEN_TIME,     /* "1.5us" -> ps */
  SCEN_BYTES,    /* "2KiB" -> bytes */
  SCEN_BW,       /* "400Gbps" -> bytes/s */
  SCEN_MAP,      /* nested keys: .children */
  SCEN_LIST,     /* sequence: of scalars of type .elem, or of maps with .children when elem==SCEN_MAP */
  SCEN_PRESET,   /* inline map with .children, or a string naming a preset file in .preset_dir */
  SCEN_ANY       /* free-form subtree, kept in the YAML but not validated (e.g. `report:`) */
} scen_type;

/* Range flags for numeric and united types. */
#define SCEN_MIN      0x1u   /* value >= min */
#define SCEN_MAX      0x2u   /* value <= max */
#define SCEN_MIN_EXCL 0x4u   /* value >  min (e.g. bandwidth must be positive) */

typedef struct scen_key {
  const char *name;                 /* NULL terminates a key table */
  scen_type type;
  const char *help;                 /* one line, shown in errors and --help */
  const char *def;                  /* default as YAML scalar text; NULL = none */
  int required;                     /* 1: must be present (after includes/presets/overrides) */
  unsigned range;                   /* SCEN_MIN | SCEN_MAX | SCEN_MIN_EXCL */
  double min, max;                  /* in canonical units (bytes, ps, bytes/s) */
  const char *const *enum_vals;     /* SCEN_ENUM: NULL-terminated list */
  const struct scen_key *children;  /* SCEN_MAP / SCEN_PRESET / SCEN_LIST of maps */
  scen_type elem;                   /* SCEN_LIST: element type */
  const char *preset_dir;           /* SCEN_PRESET: folder under the presets root, e.g. "models" */
} scen_key;

/* Common top-level keys that every scenario may use, validated by the loader itself:
 *   schema_version (int, required, must equal SCEN_SCHEMA_VERSION), name (str, default: file stem),
 *   description (str), experiment (str, required), seed (int >= 0, default 1),
 *   replicates (int >= 1, default 1), include (list of paths), sweep (axes), report (any). */
#define SCEN_SCHEMA_VERSION 1

/* Return codes of the functions that can fail on input (0 = success). */
#define SCEN_ERR_IO      (-1)   /* a file (scenario, include, preset) cannot be read */
#define SCEN_ERR_SYNTAX  (-2)   /* not YAML, several documents, aliases */
#define SCEN_ERR_INVALID (-3)   /* schema: unknown key, type, unit, range, enum, missing key, sweep, --set */

typedef struct scen_err {
  char file[512];
  int line, col;            /* 1-based; 0 when unknown */
  char path[256];           /* key path, dotted, e.g. "model.num_layers" or "sweep.seq_len" */
  char msg[1024];           /* what is wrong and what is allowed */
} scen_err;

/* "FILE:LINE:COL: error: PATH: MSG\n" */
void scen_err_print(const scen_err *e, FILE *out);
int scen_err_format(const scen_err *e, char *buf, size_t len);

typedef struct scen_opts {
  const char *presets_root;          /* folder holding models/, hardware/, ...; NULL: see scen_default_presets_root */
  const char *const *overrides;      /* "a.b.c=value" strings */
  size_t n_overrides;
} scen_opts;

/* Presets root when none is given: $CLUSTERSIM_PRESETS, else the nearest ancestor folder of the
 * scenario file named "scenarios", else the source tree's scenarios/ (compile-time). Returns a
 * pointer into buf. */
const char *scen_default_presets_root(const char *scenario_path, char *buf, size_t len);

typedef struct scen_doc scen_doc;   /* a parsed file with includes merged, before expansion */
typedef struct scen scen;           /* one validated sweep point */

int scen_doc_load(const char *path, const scen_opts *opts, scen_doc **out, scen_err *err);
void scen_doc_free(scen_doc *d);
/* Raw scalar at a dotted path before validation (e.g. "experiment"); NULL if absent or not scalar. */
const char *scen_doc_scalar(const scen_doc *d, const char *path);
/* Where a raw node sits, for error messages from callers (e.g. unknown experiment name). */
void scen_doc_where(const scen_doc *d, const char *path, scen_err *err);

/* Sweep points: at most this many per scenario unless $CLUSTERSIM_MAX_SWEEP_POINTS (a whole number)
 * says otherwise; above it scen_doc_expand() fails at once, naming the count, the axes' sizes and
 * the override, before building any point. An axis has at most 100,000 values. */
#define SCEN_MAX_POINTS_DEFAULT 100000

/* Expands the sweep and validates every point against common keys + schema.
 * On success *points is an array of *n owned scen pointers (free each, then the array with free()).
 * Order: the first axis of the sweep block varies slowest. No sweep block: one point. */
int scen_doc_expand(const scen_doc *d, const scen_key *schema, scen ***points, size_t *n, scen_err *err);

/* Sweep block syntax, per axis (the key is a dotted path of the schema):
 *   model: [deepseek-v3, qwen2.5-72b]           list of values (any scalar, units allowed)
 *   seq_len: {from: 1024, to: 8192, step: 1024} linear, inclusive of `to` when it lands on it
 *   ctx: {from: 1024, to: 131072, factor: 2}    geometric
 *   link.bw: {values: [100Gbps, 400Gbps]}       same as a list */

void scen_free(scen *s);

/* ---- typed accessors (paths are dotted, list items are addressed by the list accessors) ----
 * Items of a list of maps are addressed by an index segment: "links.2.bw" or "links[2].bw".
 * A path the schema does not declare, a type mismatch, or reading a value that is absent
 * (check scen_has first for keys with neither default nor `required`) abort with file:line. */
int scen_has(const scen *s, const char *path);            /* present after defaults */
const char *scen_str(const scen *s, const char *path);    /* STR, ENUM; also the preset name of a PRESET
                                                             (NULL for an inline map) */
int64_t scen_int(const scen *s, const char *path);
double scen_f64(const scen *s, const char *path);         /* F64 or INT */
int scen_bool(const scen *s, const char *path);
uint64_t scen_time_ps(const scen *s, const char *path);
double scen_bytes(const scen *s, const char *path);
double scen_bw_Bps(const scen *s, const char *path);
size_t scen_list_len(const scen *s, const char *path);
const char *scen_list_str(const scen *s, const char *path, size_t i);
double scen_list_f64(const scen *s, const char *path, size_t i);  /* canonical units for united elems */

/* ---- identity of the point ---- */
const char *scen_name(const scen *s);           /* `name` */
const char *scen_experiment(const scen *s);
uint64_t scen_seed(const scen *s);
uint32_t scen_replicates(const scen *s);
const char *scen_path(const scen *s);           /* the scenario file */
/* Canonical resolved YAML of the point: schema order, defaults filled, presets inlined, sweep
 * values applied, no `sweep:`/`include:` block. Identical inputs give byte-identical text.
 * United values use one spelling: an integer times the largest unit that divides the value
 * exactly, bandwidth always in bytes/s (400Gbps -> 50GB/s, 1.5us -> 1500ns, 2048B -> 2KiB).
 * Left out because they do not change a run's result: `description`, `replicates`, `report`
 * (more replicates reuse the finished ones; editing a report re-runs nothing). A preset read
 * from a file is inlined under a comment naming it: "model:  # preset: deepseek-v3". */
const char *scen_yaml(const scen *s);
const char *scen_sha256(const scen *s);         /* lowercase hex sha256 of scen_yaml() */
/* Flattened leaves: "model.num_layers" -> "61" (scalars as written after unit normalisation;
 * lists as "[a, b]"). Includes every schema leaf that has a value (report excepted), in schema
 * order, and for a preset key its preset name ("model" -> "deepseek-v3"). */
size_t scen_nparams(const scen *s);
const char *scen_param_key(const scen *s, size_t i);
const char *scen_param_value(const scen *s, size_t i);
/* "model=deepseek-v3 seq_len=4096": the sweep axes of this point, in axis order ("" if none). */
const char *scen_point_label(const scen *s);
/* The raw `report:` subtree of the scenario, re-emitted as YAML text (NULL if absent). */
const char *scen_report_yaml(const scen_doc *d);

/* ---- unit parsing, exposed for tests and for the CLI ---- */
int scen_parse_time_ps(const char *text, uint64_t *out, char *why, size_t whylen);
int scen_parse_bytes(const char *text, double *out, char *why, size_t whylen);
int scen_parse_bw_Bps(const char *text, double *out, char *why, size_t whylen);

/* sha256 of a buffer as 64 lowercase hex chars + NUL. */
void scen_sha256_hex(const void *data, size_t len, char out[65]);

/* Prints the schema (key, type, default, help) for `--help` of an experiment. */
void scen_schema_print(const scen_key *schema, FILE *out);

#endif
