/* test_scen_load.c: the scenario loader end to end on fixture files (tests/data/scen) and on
 * small YAML texts written to a scratch folder: types, units, defaults, presets, includes, --set,
 * sweeps, canonical YAML and its sha256, params, and every error's file:line:column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "scen.h"

#define DATA CS_TEST_DATA "/scen"
#define PRESETS DATA "/presets"
#define SCRATCH CS_BINARY_DIR "/scen_test_scratch"

/* ---- the test experiment's schema: one key of every type ---- */
static const char *const attn_vals[] = {"mha", "gqa", "mla", NULL};
static const char *const mode_vals[] = {"fast", "exact", NULL};

#define K_END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}
static const scen_key model_keys[] = {
    {"name", SCEN_STR, "display name", NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
    {"num_layers", SCEN_INT, "blocks", NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
    {"hidden_size", SCEN_INT, "width", NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
    {"attention", SCEN_ENUM, "attention kind", "mha", 0, 0, 0, 0, attn_vals, NULL, 0, NULL},
    K_END,
};
static const scen_key gpu_keys[] = {
    {"hbm", SCEN_BYTES, "HBM capacity", NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
    {"nvlink_bw", SCEN_BW, "NVLink bandwidth", NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
    K_END,
};
static const scen_key link_keys[] = {
    {"bw", SCEN_BW, "link bandwidth", "400Gbps", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
    {"lat", SCEN_TIME, "link latency", "1us", 0, SCEN_MIN | SCEN_MAX, 0, 1e12, NULL, NULL, 0, NULL},
    {"mtu", SCEN_BYTES, "MTU", "4KiB", 0, SCEN_MIN, 256, 0, NULL, NULL, 0, NULL},
    K_END,
};
static const scen_key flow_keys[] = {
    {"size", SCEN_BYTES, "bytes", NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
    {"prio", SCEN_INT, "priority", "0", 0, SCEN_MIN | SCEN_MAX, 0, 7, NULL, NULL, 0, NULL},
    K_END,
};
static const scen_key test_schema[] = {
    {"model", SCEN_PRESET, "LLM", NULL, 1, 0, 0, 0, NULL, model_keys, 0, "models"},
    {"gpu", SCEN_PRESET, "GPU", "h800", 0, 0, 0, 0, NULL, gpu_keys, 0, "hardware"},
    {"link", SCEN_MAP, "the link", NULL, 0, 0, 0, 0, NULL, link_keys, 0, NULL},
    {"seq_len", SCEN_INT, "tokens", "4096", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
    {"ratio", SCEN_F64, "a fraction", "0.5", 0, SCEN_MIN | SCEN_MAX, 0, 1, NULL, NULL, 0, NULL},
    {"mode", SCEN_ENUM, "mode", "fast", 0, 0, 0, 0, mode_vals, NULL, 0, NULL},
    {"verbose", SCEN_BOOL, "chatty", "false", 0, 0, 0, 0, NULL, NULL, 0, NULL},
    {"sizes", SCEN_LIST, "message sizes", NULL, 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, SCEN_BYTES, NULL},
    {"tags", SCEN_LIST, "labels", "[a, b]", 0, 0, 0, 0, NULL, NULL, SCEN_STR, NULL},
    {"flows", SCEN_LIST, "flows", NULL, 0, 0, 0, 0, NULL, flow_keys, SCEN_MAP, NULL},
    {"notes", SCEN_ANY, "free-form", NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
    K_END,
};

/* ---- helpers ---- */

typedef struct loaded {
  int rc;
  scen_err err;
  scen **pts;
  size_t n;
  char msg[2048];
} loaded;

static void load_sets(const char *path, const char *const *sets, size_t nsets, loaded *L) {
  memset(L, 0, sizeof *L);
  scen_opts o = {PRESETS, sets, nsets};
  scen_doc *d = NULL;
  L->rc = scen_doc_load(path, &o, &d, &L->err);
  if (L->rc == 0) L->rc = scen_doc_expand(d, test_schema, &L->pts, &L->n, &L->err);
  scen_doc_free(d);
  if (L->rc < 0) scen_err_format(&L->err, L->msg, sizeof L->msg);
}

static void load(const char *path, loaded *L) { load_sets(path, NULL, 0, L); }

static void unload(loaded *L) {
  for (size_t i = 0; i < L->n; i++) scen_free(L->pts[i]);
  free(L->pts);
  L->pts = NULL;
  L->n = 0;
}

/* Writes text to SCRATCH/name and returns the path (static buffer per call site use). */
static const char *scratch(const char *name, const char *text) {
  static char path[4][512];
  static int k;
  char *p = path[k++ % 4];
  mkdir(SCRATCH, 0777);
  snprintf(p, 512, "%s/%s", SCRATCH, name);
  FILE *f = fopen(p, "w");
  if (!f) fail_msg("cannot write %s", p);
  fputs(text, f);
  fclose(f);
  return p;
}

static void expect_ok(const loaded *L) {
  if (L->rc != 0) fail_msg("expected success, got rc %d: %s", L->rc, L->msg);
}

/* The message must hold "FILE:LINE:COL" (FILE's last component) and every given fragment. */
static void expect_err(const loaded *L, int rc, const char *where, ...) {
  if (L->rc == 0) fail_msg("expected an error at %s, got success", where);
  if (rc && L->rc != rc) fail_msg("expected code %d, got %d: %s", rc, L->rc, L->msg);
  if (!strstr(L->msg, where)) fail_msg("expected position '%s' in: %s", where, L->msg);
  if (strchr(L->msg, '\n') != L->msg + strlen(L->msg) - 1) fail_msg("not one line: %s", L->msg);
  va_list ap;
  va_start(ap, where);
  const char *frag;
  while ((frag = va_arg(ap, const char *)) != NULL)
    if (!strstr(L->msg, frag)) fail_msg("expected '%s' in: %s", frag, L->msg);
  va_end(ap);
}

static const char *param(const scen *s, const char *key) {
  for (size_t i = 0; i < scen_nparams(s); i++)
    if (strcmp(scen_param_key(s, i), key) == 0) return scen_param_value(s, i);
  return NULL;
}

#define HEAD "schema_version: 1\nexperiment: test\nmodel: tiny\n"

/* ---- typed values, defaults, presets ---- */

static void test_basic_types(void **state) {
  (void)state;
  loaded L;
  load(DATA "/basic.yaml", &L);
  expect_ok(&L);
  assert_int_equal(L.n, 1);
  const scen *s = L.pts[0];
  assert_string_equal(scen_name(s), "basic"); /* default: file stem */
  assert_string_equal(scen_experiment(s), "test");
  assert_int_equal(scen_seed(s), 1);
  assert_int_equal(scen_replicates(s), 1);
  assert_string_equal(scen_str(s, "model"), "tiny");
  assert_string_equal(scen_str(s, "model.name"), "Tiny");
  assert_int_equal(scen_int(s, "model.num_layers"), 2);
  assert_string_equal(scen_str(s, "model.attention"), "gqa");
  assert_true(scen_bw_Bps(s, "link.bw") == 50e9);
  assert_true(scen_time_ps(s, "link.lat") == 1500000u);
  assert_true(scen_bytes(s, "link.mtu") == 4096.0); /* default */
  assert_int_equal(scen_int(s, "seq_len"), 1024);
  assert_true(scen_f64(s, "seq_len") == 1024.0);    /* INT through scen_f64 */
  assert_true(scen_f64(s, "ratio") == 0.5);
  assert_string_equal(scen_str(s, "mode"), "fast");
  assert_int_equal(scen_bool(s, "verbose"), 0);
  assert_int_equal(scen_list_len(s, "sizes"), 2);
  assert_true(scen_list_f64(s, "sizes", 0) == 1024.0);
  assert_true(scen_list_f64(s, "sizes", 1) == 2e6);
  assert_string_equal(scen_list_str(s, "sizes", 1), "2MB");
  assert_int_equal(scen_list_len(s, "tags"), 2); /* list default */
  assert_string_equal(scen_list_str(s, "tags", 1), "b");
  assert_int_equal(scen_list_len(s, "flows"), 2);
  assert_true(scen_bytes(s, "flows[0].size") == 1073741824.0);
  assert_int_equal(scen_int(s, "flows.0.prio"), 2);
  assert_int_equal(scen_int(s, "flows[1].prio"), 0); /* default inside a list item */
  assert_true(scen_bytes(s, "flows[1].size") == 10e3);
  assert_string_equal(scen_str(s, "gpu"), "h800");     /* default preset */
  assert_true(scen_bytes(s, "gpu.hbm") == 80e9);
  assert_true(scen_has(s, "notes"));
  assert_false(scen_has(s, "description"));
  assert_string_equal(scen_point_label(s), "");
  unload(&L);
}

static void test_report_raw(void **state) {
  (void)state;
  scen_opts o = {PRESETS, NULL, 0};
  scen_doc *d;
  scen_err e;
  assert_int_equal(scen_doc_load(DATA "/basic.yaml", &o, &d, &e), 0);
  assert_string_equal(scen_doc_scalar(d, "experiment"), "test");
  assert_string_equal(scen_doc_scalar(d, "link.bw"), "400Gbps");
  assert_null(scen_doc_scalar(d, "link"));
  assert_null(scen_doc_scalar(d, "nope"));
  assert_string_equal(scen_report_yaml(d), "tables:\n  - name: t1\n    row: model\n");
  scen_doc_where(d, "experiment", &e);
  assert_int_equal(e.line, 3);
  assert_int_equal(e.col, 13);
  scen_doc_free(d);
}

static void test_canonical_yaml(void **state) {
  (void)state;
  loaded L;
  load(DATA "/basic.yaml", &L);
  expect_ok(&L);
  const char *want =
      "schema_version: 1\n"
      "name: basic\n"
      "experiment: test\n"
      "seed: 1\n"
      "model:  # preset: tiny\n"
      "  name: Tiny\n"
      "  num_layers: 2\n"
      "  hidden_size: 64\n"
      "  attention: gqa\n"
      "gpu:  # preset: h800\n"
      "  hbm: 80GB\n"
      "  nvlink_bw: 400GB/s\n"
      "link:\n"
      "  bw: 50GB/s\n"
      "  lat: 1500ns\n"
      "  mtu: 4KiB\n"
      "seq_len: 1024\n"
      "ratio: 0.5\n"
      "mode: fast\n"
      "verbose: false\n"
      "sizes: [1KiB, 2MB]\n"
      "tags: [a, b]\n"
      "flows:\n"
      "  - size: 1GiB\n"
      "    prio: 2\n"
      "  - size: 10KB\n"
      "    prio: 0\n"
      "notes:\n"
      "  a: 1\n"
      "  b:\n"
      "    - x\n"
      "    - y\n";
  assert_string_equal(scen_yaml(L.pts[0]), want);
  char sha[65];
  scen_sha256_hex(want, strlen(want), sha);
  assert_string_equal(scen_sha256(L.pts[0]), sha);
  unload(&L);
}

/* Same values spelt differently, keys in another order, comments: same YAML, same sha. A changed
 * value: a different sha. */
static void test_canonical_identity(void **state) {
  (void)state;
  const char *a = scratch("ident_a.yaml", HEAD "link: {bw: 400Gbps, lat: 1.5us}\nseq_len: 1024\n");
  const char *b = scratch("ident_b.yaml",
                          "# comment\nseq_len: 1024\nexperiment: test\nname: ident_a\nschema_version: 1\n"
                          "link:\n  lat: 1500ns\n  bw: 50GB/s\n  mtu: 4096B\nmodel: tiny\ndescription: other\n"
                          "replicates: 3\n");
  const char *c = scratch("ident_c.yaml", HEAD "link: {bw: 400Gbps, lat: 1.5us}\nseq_len: 1025\n");
  loaded A, A2, B, C;
  load(a, &A);
  load(a, &A2);
  load(b, &B);
  load(c, &C);
  expect_ok(&A);
  expect_ok(&A2);
  expect_ok(&B);
  expect_ok(&C);
  assert_string_equal(scen_yaml(A.pts[0]), scen_yaml(A2.pts[0]));
  assert_string_equal(scen_yaml(A.pts[0]), scen_yaml(B.pts[0]));
  assert_string_equal(scen_sha256(A.pts[0]), scen_sha256(B.pts[0]));
  assert_string_not_equal(scen_sha256(A.pts[0]), scen_sha256(C.pts[0]));
  assert_int_equal(scen_replicates(B.pts[0]), 3);
  unload(&A);
  unload(&A2);
  unload(&B);
  unload(&C);
}

static void test_params(void **state) {
  (void)state;
  loaded L;
  load(DATA "/basic.yaml", &L);
  expect_ok(&L);
  const scen *s = L.pts[0];
  assert_string_equal(param(s, "model"), "tiny");
  assert_string_equal(param(s, "model.num_layers"), "2");
  assert_string_equal(param(s, "model.name"), "Tiny");
  assert_string_equal(param(s, "link.bw"), "50GB/s");
  assert_string_equal(param(s, "link.mtu"), "4KiB");
  assert_string_equal(param(s, "seq_len"), "1024");
  assert_string_equal(param(s, "sizes"), "[1KiB, 2MB]");
  assert_string_equal(param(s, "flows"), "[{size: 1GiB, prio: 2}, {size: 10KB, prio: 0}]");
  assert_string_equal(param(s, "notes"), "{a: 1, b: [x, y]}");
  assert_string_equal(param(s, "seed"), "1");
  assert_null(param(s, "report"));
  assert_null(param(s, "description"));
  unload(&L);
}

static void test_preset_by_path_and_include_in_preset(void **state) {
  (void)state;
  loaded L;
  load(DATA "/preset_path.yaml", &L);
  expect_ok(&L);
  const scen *s = L.pts[0];
  assert_string_equal(scen_str(s, "model"), "big"); /* name of a path preset: file stem */
  assert_int_equal(scen_int(s, "model.num_layers"), 61); /* preset overrides its include */
  assert_int_equal(scen_int(s, "model.hidden_size"), 7168);
  assert_null(scen_str(s, "gpu")); /* inline map */
  assert_true(scen_bytes(s, "gpu.hbm") == 1099511627776.0);
  assert_true(strstr(scen_yaml(s), "gpu:\n  hbm: 1TiB\n  nvlink_bw: 1TB/s\n") != NULL);
  unload(&L);
}

/* ---- includes ---- */

static void test_include_merge(void **state) {
  (void)state;
  loaded L;
  load(DATA "/inc_main.yaml", &L);
  expect_ok(&L);
  const scen *s = L.pts[0];
  assert_int_equal(scen_int(s, "seq_len"), 8192);          /* including file wins */
  assert_true(scen_bw_Bps(s, "link.bw") == 25e9);          /* overridden inside a map */
  assert_true(scen_time_ps(s, "link.lat") == 2000000u);    /* kept from the include */
  assert_string_equal(scen_str(s, "model"), "tiny");       /* preset from the include ... */
  assert_int_equal(scen_int(s, "model.num_layers"), 5);    /* ... refined by the map */
  assert_int_equal(scen_int(s, "model.hidden_size"), 64);
  assert_string_equal(scen_name(s), "inc_main");
  unload(&L);
}

static void test_include_from_presets_root(void **state) {
  (void)state;
  loaded L;
  load(DATA "/inc_from_presets.yaml", &L);
  expect_ok(&L);
  assert_string_equal(scen_str(L.pts[0], "gpu"), "h200");
  assert_true(scen_bw_Bps(L.pts[0], "gpu.nvlink_bw") == 900e9);
  unload(&L);
}

static void test_include_cycle(void **state) {
  (void)state;
  loaded L;
  load(DATA "/cyc_a.yaml", &L);
  expect_err(&L, SCEN_ERR_INVALID, "cyc_b.yaml:2:11", "include cycle", "cyc_a.yaml -> ", "cyc_b.yaml -> ", NULL);
}

static void test_include_missing(void **state) {
  (void)state;
  loaded L;
  load(DATA "/inc_missing.yaml", &L);
  expect_err(&L, SCEN_ERR_IO, "inc_missing.yaml:5:5", "include[1]", "no_such_file.yaml", "No such file", NULL);
}

/* ---- errors with positions ---- */

static void test_err_missing_file(void **state) {
  (void)state;
  loaded L;
  load(DATA "/does_not_exist.yaml", &L);
  expect_err(&L, SCEN_ERR_IO, "does_not_exist.yaml: error:", "cannot open scenario file", "No such file", NULL);
}

static void test_err_misspelt_key(void **state) {
  (void)state;
  loaded L;
  load(DATA "/err_misspelt.yaml", &L);
  expect_err(&L, SCEN_ERR_INVALID, "err_misspelt.yaml:4:1", "seq_lne: unknown key 'seq_lne'",
             "did you mean 'seq_len'?", "allowed keys here: schema_version, name", "sweep", NULL);
  const char *p = scratch("nested_typo.yaml", HEAD "link:\n  bw: 1Gbps\n  latency: 1us\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "nested_typo.yaml:6:3", "link.latency: unknown key 'latency'",
             "allowed keys here: bw, lat, mtu", NULL);
  p = scratch("far_typo.yaml", HEAD "zzzz: 1\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "far_typo.yaml:4:1", "unknown key 'zzzz'; allowed", NULL);
  assert_null(strstr(L.msg, "did you mean"));
}

static void test_err_wrong_unit(void **state) {
  (void)state;
  loaded L;
  load(DATA "/err_unit.yaml", &L);
  expect_err(&L, SCEN_ERR_INVALID, "err_unit.yaml:5:7", "link.bw:", "unknown unit 'gbps'",
             "case-sensitive; did you mean 'Gbps'", "GB/s", NULL);
  const char *p = scratch("nounit.yaml", HEAD "link: {lat: 5}\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "nounit.yaml:4:13", "link.lat", "has no unit", "ps ns us ms s", NULL);
  p = scratch("intunit.yaml", HEAD "seq_len: 4KiB\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "intunit.yaml:4:10", "seq_len", "expected an integer", NULL);
  p = scratch("listunit.yaml", HEAD "sizes: [1KiB, 2kb]\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "listunit.yaml:4:15", "sizes[1]", "did you mean 'KB'", NULL);
}

static void test_err_negative_and_zero_bw(void **state) {
  (void)state;
  loaded L;
  load(DATA "/err_negbw.yaml", &L);
  expect_err(&L, SCEN_ERR_INVALID, "err_negbw.yaml:6:7", "link.bw", "'-400Gbps' is negative", NULL);
  const char *p = scratch("zerobw.yaml", HEAD "link: {bw: 0Gbps}\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "zerobw.yaml:4:12", "link.bw", "0Gbps (= 0B/s) is out of range: must be > 0B/s",
             NULL);
}

static void test_err_ranges(void **state) {
  (void)state;
  loaded L;
  const char *p = scratch("range1.yaml", HEAD "ratio: 1.5\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "range1.yaml:4:8", "ratio", "1.5 is out of range: must be >= 0 and <= 1", NULL);
  p = scratch("range2.yaml", HEAD "seq_len: 0\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "range2.yaml:4:10", "must be > 0", NULL);
  p = scratch("range3.yaml", HEAD "link:\n  mtu: 100B\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "range3.yaml:5:8", "link.mtu", "must be >= 256B", NULL);
  p = scratch("range4.yaml", HEAD "flows:\n  - {size: 1KB, prio: 9}\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "range4.yaml:5:23", "flows[0].prio", "must be >= 0 and <= 7", NULL);
  p = scratch("range5.yaml", HEAD "link: {lat: 2s}\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "range5.yaml:4:13", "link.lat", "<= 1s", NULL);
}

static void test_err_types_and_enums(void **state) {
  (void)state;
  loaded L;
  const char *p = scratch("enum.yaml", HEAD "mode: exakt\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "enum.yaml:4:7", "mode", "'exakt' is not allowed", "did you mean 'exact'",
             "allowed: fast, exact", NULL);
  p = scratch("bool.yaml", HEAD "verbose: yes\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "bool.yaml:4:10", "expected true or false, got 'yes'", NULL);
  p = scratch("map.yaml", HEAD "link: 5\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "map.yaml:4:7", "link", "expected a map of keys (bw, lat, mtu)", NULL);
  p = scratch("list.yaml", HEAD "sizes: 1KiB\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "list.yaml:4:8", "sizes", "expected a list of a bytes with a unit", NULL);
  p = scratch("listmap.yaml", HEAD "flows: [1KB]\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "listmap.yaml:4:9", "flows[0]", "expected a map of keys (size, prio)", NULL);
  p = scratch("float.yaml", HEAD "ratio: half\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "float.yaml:4:8", "expected a plain number", NULL);
  p = scratch("empty.yaml", HEAD "seq_len:\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "empty.yaml:4:9", "seq_len", "expected an integer", "got an empty value", NULL);
}

static void test_err_required(void **state) {
  (void)state;
  loaded L;
  const char *p = scratch("noexp.yaml", "schema_version: 1\nmodel: tiny\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "noexp.yaml:1:1", "experiment: missing required key 'experiment'", NULL);
  p = scratch("req_inline.yaml", "schema_version: 1\nexperiment: test\nmodel:\n  num_layers: 3\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "req_inline.yaml:4:3", "model.hidden_size: missing required key 'hidden_size'",
             NULL);
  p = scratch("req_item.yaml", HEAD "flows:\n  - prio: 1\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "req_item.yaml:5:5", "flows[0].size: missing required key", NULL);
}

static void test_err_schema_version(void **state) {
  (void)state;
  loaded L;
  const char *p = scratch("nover.yaml", "# no version\nexperiment: test\nmodel: tiny\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "nover.yaml:2:1", "schema_version", "missing required key",
             "add 'schema_version: 1'", NULL);
  p = scratch("badver.yaml", "schema_version: 2\nexperiment: test\nmodel: tiny\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "badver.yaml:1:17", "schema_version", "version 2 is not supported",
             "reads schema_version 1", NULL);
  p = scratch("txtver.yaml", "schema_version: one\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "txtver.yaml:1:17", "expected an integer, got 'one'", NULL);
  p = scratch("emptyfile.yaml", "# only a comment\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "emptyfile.yaml:1:1", "empty scenario file", NULL);
}

static void test_err_yaml_syntax(void **state) {
  (void)state;
  loaded L;
  const char *p = scratch("dup.yaml", HEAD "seq_len: 1\nseq_len: 2\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_SYNTAX, "dup.yaml:5:1", "duplicate key 'seq_len' (first at line 4:1)", NULL);
  p = scratch("alias.yaml", HEAD "link: &l {bw: 1Gbps}\nnotes: *l\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_SYNTAX, "alias.yaml:5:8", "aliases (*l) are not supported", NULL);
  p = scratch("multi.yaml", HEAD "---\nseq_len: 1\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_SYNTAX, "multi.yaml:4:1", "a second YAML document", NULL);
  p = scratch("broken.yaml", HEAD "link: {bw: 1Gbps\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_SYNTAX, "broken.yaml:", "invalid YAML", NULL);
  p = scratch("toplist.yaml", "- a\n- b\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "toplist.yaml:1:1", "must be a map", NULL);
}

static void test_err_missing_preset(void **state) {
  (void)state;
  loaded L;
  load(DATA "/err_preset.yaml", &L);
  expect_err(&L, SCEN_ERR_IO, "err_preset.yaml:3:8", "model: preset 'tinny' not found", "models/tinny.yaml",
             "did you mean 'tiny'?", "available: base-big, big, tiny", NULL);
  const char *p = scratch("preset_badkey.yaml", HEAD "gpu: {hbm: 1GB, nvlink_bw: 1GB/s, hbm_bw: 3TB/s}\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "preset_badkey.yaml:4:35", "gpu.hbm_bw: unknown key", NULL);
  p = scratch("preset_path_missing.yaml", HEAD "gpu: ../nowhere/x.yaml\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_IO, "preset_path_missing.yaml:4:6", "preset '../nowhere/x.yaml' not found", NULL);
}

/* ---- --set ---- */

static void test_set_plain_and_preset(void **state) {
  (void)state;
  loaded L;
  const char *sets[] = {"seq_len=2048", "link.bw=100Gbps", "model.num_layers=7", "sizes=[1B, 2B, 3B]",
                        "name=renamed"};
  load_sets(DATA "/basic.yaml", sets, 5, &L);
  expect_ok(&L);
  const scen *s = L.pts[0];
  assert_int_equal(scen_int(s, "seq_len"), 2048);
  assert_true(scen_bw_Bps(s, "link.bw") == 12.5e9);
  assert_true(scen_time_ps(s, "link.lat") == 1500000u); /* sibling kept */
  assert_string_equal(scen_str(s, "model"), "tiny");    /* preset resolved, then refined */
  assert_int_equal(scen_int(s, "model.num_layers"), 7);
  assert_int_equal(scen_int(s, "model.hidden_size"), 64);
  assert_int_equal(scen_list_len(s, "sizes"), 3);
  assert_string_equal(scen_name(s), "renamed");
  unload(&L);

  /* a preset key left at its default, refined through --set */
  const char *sets2[] = {"gpu.hbm=96GB", "flows[1].prio=3", "model=big"};
  load_sets(DATA "/basic.yaml", sets2, 3, &L);
  expect_ok(&L);
  assert_string_equal(scen_str(L.pts[0], "gpu"), "h800");
  assert_true(scen_bytes(L.pts[0], "gpu.hbm") == 96e9);
  assert_true(scen_bw_Bps(L.pts[0], "gpu.nvlink_bw") == 400e9);
  assert_int_equal(scen_int(L.pts[0], "flows[1].prio"), 3);
  assert_int_equal(scen_int(L.pts[0], "model.num_layers"), 61);
  unload(&L);

  /* scen_doc_scalar sees overrides (the CLI picks the experiment before expansion) */
  scen_opts o = {PRESETS, (const char *const[]){"experiment=other"}, 1};
  scen_doc *d;
  scen_err e;
  assert_int_equal(scen_doc_load(DATA "/basic.yaml", &o, &d, &e), 0);
  assert_string_equal(scen_doc_scalar(d, "experiment"), "other");
  scen_doc_where(d, "experiment", &e);
  assert_string_equal(e.file, "--set");
  assert_int_equal(e.line, 1);
  assert_int_equal(e.col, 12);
  scen_doc_free(d);
}

static void test_set_errors(void **state) {
  (void)state;
  loaded L;
  const char *s1[] = {"seq_len=1", "link.bandwidth=1Gbps"};
  load_sets(DATA "/basic.yaml", s1, 2, &L);
  expect_err(&L, SCEN_ERR_INVALID, "--set:2:1", "link.bandwidth", "unknown key 'bandwidth'", "allowed keys here: bw",
             NULL);
  const char *s2[] = {"link.bw=50gbps"};
  load_sets(DATA "/basic.yaml", s2, 1, &L);
  expect_err(&L, SCEN_ERR_INVALID, "--set:1:9", "link.bw", "did you mean 'Gbps'", NULL);
  const char *s3[] = {"seq_len"};
  load_sets(DATA "/basic.yaml", s3, 1, &L);
  expect_err(&L, SCEN_ERR_INVALID, "--set:1:1", "expected KEY=VALUE", NULL);
  const char *s4[] = {"seq_len.x=1"};
  load_sets(DATA "/basic.yaml", s4, 1, &L);
  expect_err(&L, SCEN_ERR_INVALID, "--set:1:1", "'seq_len' is of type integer; it has no keys below it", NULL);
  const char *s5[] = {"model.layers=3"};
  load_sets(DATA "/basic.yaml", s5, 1, &L);
  expect_err(&L, SCEN_ERR_INVALID, "--set:1:1", "model.layers", "did you mean 'num_layers'", NULL);
  /* --set sweep.AXIS edits the sweep block (adds one here): two points, not an unknown key 'sweep' */
  const char *s6[] = {"sweep.seq_len=[1, 2]"};
  load_sets(DATA "/basic.yaml", s6, 1, &L);
  expect_ok(&L);
  assert_int_equal(L.n, 2);
  unload(&L);
  const char *s6b[] = {"sweep.seq_len=[1, 2]", "sweep=null"};
  load_sets(DATA "/basic.yaml", s6b, 2, &L);
  expect_ok(&L);
  assert_int_equal(L.n, 1);
  unload(&L);
  const char *s7[] = {"flows[5].prio=1"};
  load_sets(DATA "/basic.yaml", s7, 1, &L);
  expect_err(&L, SCEN_ERR_INVALID, "--set:1:15", "not an item of the list", NULL);
}

/* ---- sweeps ---- */

static void test_sweep_list_and_linear(void **state) {
  (void)state;
  loaded L;
  load(DATA "/sweep.yaml", &L);
  expect_ok(&L);
  assert_int_equal(L.n, 8);
  static const char *const labels[] = {
      "model=tiny seq_len=1024", "model=tiny seq_len=2048", "model=tiny seq_len=3072", "model=tiny seq_len=4096",
      "model=big seq_len=1024",  "model=big seq_len=2048",  "model=big seq_len=3072",  "model=big seq_len=4096",
  };
  for (size_t i = 0; i < 8; i++) {
    assert_string_equal(scen_point_label(L.pts[i]), labels[i]);
    assert_int_equal(scen_int(L.pts[i], "seq_len"), 1024 * (int64_t)(i % 4 + 1));
    assert_string_equal(scen_str(L.pts[i], "model"), i < 4 ? "tiny" : "big");
    for (size_t j = 0; j < i; j++) assert_string_not_equal(scen_sha256(L.pts[i]), scen_sha256(L.pts[j]));
  }
  assert_null(strstr(scen_yaml(L.pts[0]), "sweep:"));
  unload(&L);
}

static void test_sweep_geometric_and_values(void **state) {
  (void)state;
  loaded L;
  load(DATA "/sweep_geo.yaml", &L);
  expect_ok(&L);
  assert_int_equal(L.n, 8);
  static const double bw[] = {12.5e9, 25e9, 50e9, 100e9};
  for (size_t i = 0; i < 8; i++) {
    assert_true(scen_bw_Bps(L.pts[i], "link.bw") == bw[i / 2]);
    assert_true(scen_time_ps(L.pts[i], "link.lat") == (i % 2 ? 500000u : 1000000u));
  }
  assert_string_equal(scen_point_label(L.pts[0]), "link.bw=12500MB/s link.lat=1us");
  assert_string_equal(scen_point_label(L.pts[7]), "link.bw=100GB/s link.lat=500ns");
  unload(&L);

  const char *p = scratch("sweep_int_geo.yaml", HEAD "sweep:\n  seq_len: {from: 1024, to: 5000, factor: 2}\n");
  load(p, &L);
  expect_ok(&L);
  assert_int_equal(L.n, 3);
  assert_int_equal(scen_int(L.pts[2], "seq_len"), 4096);
  unload(&L);

  p = scratch("sweep_time.yaml", HEAD "sweep:\n  link.lat: {from: 0.5us, to: 1.5us, step: 500ns}\n");
  load(p, &L);
  expect_ok(&L);
  assert_int_equal(L.n, 3);
  assert_true(scen_time_ps(L.pts[2], "link.lat") == 1500000u);
  assert_string_equal(scen_point_label(L.pts[2]), "link.lat=1500ns");
  unload(&L);
}

static void test_sweep_with_set(void **state) {
  (void)state;
  loaded L;
  /* --set on an axis pins it (the axis is dropped); --set elsewhere applies to every point */
  const char *sets[] = {"seq_len=512", "model.hidden_size=32"};
  load_sets(DATA "/sweep.yaml", sets, 2, &L);
  expect_ok(&L);
  assert_int_equal(L.n, 2);
  assert_string_equal(scen_point_label(L.pts[1]), "model=big");
  assert_int_equal(scen_int(L.pts[1], "seq_len"), 512);
  assert_int_equal(scen_int(L.pts[1], "model.hidden_size"), 32);
  assert_int_equal(scen_int(L.pts[1], "model.num_layers"), 61);
  assert_string_equal(scen_str(L.pts[1], "model"), "big");
  unload(&L);
}

static void test_sweep_errors(void **state) {
  (void)state;
  loaded L;
  const char *p = scratch("sw_empty.yaml", HEAD "sweep:\n  seq_len: []\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "sw_empty.yaml:5:12", "sweep.seq_len", "empty axis", NULL);
  p = scratch("sw_path.yaml", HEAD "sweep:\n  link.latt: [1us]\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "sw_path.yaml:5:3", "sweep.link.latt", "did you mean 'lat'", NULL);
  p = scratch("sw_val.yaml", HEAD "sweep:\n  link.bw: [1Gbps, 2gbps]\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "sw_val.yaml:5:20", "link.bw", "did you mean 'Gbps'",
             "[sweep point link.bw=2gbps]", NULL);
  p = scratch("sw_range.yaml", HEAD "sweep:\n  mode: {from: 1, to: 2, step: 1}\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "sw_range.yaml:5:9", "a range needs a numeric key", NULL);
  p = scratch("sw_step.yaml", HEAD "sweep:\n  seq_len: {from: 1, to: 2, stp: 1}\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "sw_step.yaml:5:29", "unknown key 'stp'", "did you mean 'step'", NULL);
  p = scratch("sw_neg.yaml", HEAD "sweep:\n  seq_len: {from: 4, to: 2, step: 1}\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "sw_neg.yaml:5:26", "to (2) is below from (4)", NULL);
  p = scratch("sw_scalar.yaml", HEAD "sweep:\n  seq_len: 5\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "sw_scalar.yaml:5:12", "an axis needs a list", NULL);
  p = scratch("sw_bad.yaml", HEAD "sweep: [a]\n");
  load(p, &L);
  expect_err(&L, SCEN_ERR_INVALID, "sw_bad.yaml:4:8", "sweep", "expected a map of axes", NULL);
}

static void test_schema_print(void **state) {
  (void)state;
  FILE *f = tmpfile();
  assert_non_null(f);
  scen_schema_print(test_schema, f);
  rewind(f);
  char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  assert_non_null(strstr(buf, "preset:models"));
  assert_non_null(strstr(buf, "num_layers"));
  assert_non_null(strstr(buf, "[fast, exact]"));
  assert_non_null(strstr(buf, "400Gbps"));
  assert_non_null(strstr(buf, "list of bytes"));
}

static void test_include_scalar_and_null_sweep(void **state) {
  (void)state;
  loaded L;
  char text[1024];
  snprintf(text, sizeof text, "schema_version: 1\ninclude: %s/inc_base.yaml\nsweep:\n", DATA);
  load(scratch("inc_scalar.yaml", text), &L);
  expect_ok(&L);
  assert_int_equal(L.n, 1);
  assert_int_equal(scen_int(L.pts[0], "seq_len"), 2048);
  unload(&L);
}

static void test_presets_root_default(void **state) {
  (void)state;
  char buf[4096];
  unsetenv("CLUSTERSIM_PRESETS");
  assert_string_equal(scen_default_presets_root(DATA "/basic.yaml", buf, sizeof buf), CS_SOURCE_DIR "/scenarios");
  char dir[600], path[700];
  snprintf(dir, sizeof dir, "%s/scenarios", SCRATCH);
  mkdir(SCRATCH, 0777);
  mkdir(dir, 0777);
  snprintf(dir, sizeof dir, "%s/scenarios/paper", SCRATCH);
  mkdir(dir, 0777);
  snprintf(path, sizeof path, "%s/x.yaml", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fclose(f);
  const char *r = scen_default_presets_root(path, buf, sizeof buf);
  assert_true(strlen(r) > strlen("/scenarios"));
  assert_string_equal(r + strlen(r) - strlen("/scen_test_scratch/scenarios"), "/scen_test_scratch/scenarios");
  setenv("CLUSTERSIM_PRESETS", "/some/where", 1);
  assert_string_equal(scen_default_presets_root(path, buf, sizeof buf), "/some/where");
  unsetenv("CLUSTERSIM_PRESETS");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_basic_types),
      cmocka_unit_test(test_report_raw),
      cmocka_unit_test(test_canonical_yaml),
      cmocka_unit_test(test_canonical_identity),
      cmocka_unit_test(test_params),
      cmocka_unit_test(test_preset_by_path_and_include_in_preset),
      cmocka_unit_test(test_include_merge),
      cmocka_unit_test(test_include_from_presets_root),
      cmocka_unit_test(test_include_cycle),
      cmocka_unit_test(test_include_missing),
      cmocka_unit_test(test_err_missing_file),
      cmocka_unit_test(test_err_misspelt_key),
      cmocka_unit_test(test_err_wrong_unit),
      cmocka_unit_test(test_err_negative_and_zero_bw),
      cmocka_unit_test(test_err_ranges),
      cmocka_unit_test(test_err_types_and_enums),
      cmocka_unit_test(test_err_required),
      cmocka_unit_test(test_err_schema_version),
      cmocka_unit_test(test_err_yaml_syntax),
      cmocka_unit_test(test_err_missing_preset),
      cmocka_unit_test(test_set_plain_and_preset),
      cmocka_unit_test(test_set_errors),
      cmocka_unit_test(test_sweep_list_and_linear),
      cmocka_unit_test(test_sweep_geometric_and_values),
      cmocka_unit_test(test_sweep_with_set),
      cmocka_unit_test(test_sweep_errors),
      cmocka_unit_test(test_schema_print),
      cmocka_unit_test(test_include_scalar_and_null_sweep),
      cmocka_unit_test(test_presets_root_default),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
