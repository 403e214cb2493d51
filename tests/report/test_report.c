/* test_report.c: report_render on a results database built with plain SQL (the schema of res.h).
 *
 * Each test makes a temp folder (mkdtemp) holding the database and the results, and removes it
 * (CS_REPORT_KEEP=1 in the environment keeps it and prints where it is).
 * The fixture report block is tests/data/report/report.yaml, with the figure folder
 * tests/data/report/figures/lat/ (query.sql + plot.gp).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "report.h"
#include "res.h"

#ifndef CS_TEST_DATA
#define CS_TEST_DATA "tests/data"
#endif
#define FIXTURE_DIR CS_TEST_DATA "/report"

/* ---- helpers ---- */

typedef struct env {
  char dir[256];
  char db_path[300];
  char results[300];
  sqlite3 *db;
  char written[8192];
  char err[4096];
} env;

static void rm_rf(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (d) {
      struct dirent *e;
      while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        rm_rf(sub);
      }
      closedir(d);
    }
    rmdir(path);
  } else {
    unlink(path);
  }
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = calloc((size_t)n + 1, 1);
  assert_non_null(s);
  size_t got = fread(s, 1, (size_t)n, f);
  fclose(f);
  s[got] = '\0';
  return s;
}

static void sql(env *e, const char *q) {
  char *msg = NULL;
  if (sqlite3_exec(e->db, q, NULL, NULL, &msg) != SQLITE_OK) fail_msg("SQL failed: %s\n%s", msg, q);
}

/* The schema documented at the top of cli/res/res.h. */
static int setup(void **state) {
  env *e = calloc(1, sizeof *e);
  snprintf(e->dir, sizeof e->dir, "/tmp/cs_report_XXXXXX");
  assert_non_null(mkdtemp(e->dir));
  snprintf(e->db_path, sizeof e->db_path, "%s/db.sqlite", e->dir);
  snprintf(e->results, sizeof e->results, "%s/results", e->dir);
  assert_int_equal(sqlite3_open(e->db_path, &e->db), SQLITE_OK);
  char pragmas[200];
  snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d; PRAGMA journal_mode=WAL;",
           RES_APPLICATION_ID, RES_SCHEMA_VERSION);
  sql(e, pragmas);
  sql(e, "CREATE TABLE runs(id INTEGER PRIMARY KEY, scenario TEXT, scenario_sha256 TEXT, point_label TEXT,"
         " resolved_yaml TEXT, seed INTEGER, replicate INTEGER, git_rev TEXT, started_at TEXT, wall_s REAL,"
         " status TEXT, error TEXT, UNIQUE(scenario_sha256, seed, replicate));"
         "CREATE TABLE params(run INTEGER REFERENCES runs(id) ON DELETE CASCADE, key TEXT, value TEXT,"
         " PRIMARY KEY(run, key));"
         "CREATE TABLE metrics(run INTEGER REFERENCES runs(id) ON DELETE CASCADE, name TEXT, value REAL,"
         " unit TEXT, PRIMARY KEY(run, name));"
         "CREATE TABLE series(run INTEGER REFERENCES runs(id) ON DELETE CASCADE, name TEXT, x REAL, y REAL);"
         "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);");
  *state = e;
  return 0;
}

static int teardown(void **state) {
  env *e = *state;
  sqlite3_close(e->db);
  if (getenv("CS_REPORT_KEEP")) fprintf(stderr, "kept %s\n", e->dir);   /* to look at the outputs */
  else rm_rf(e->dir);
  free(e);
  return 0;
}

/* Adds a run; params "k=v" strings; returns its id. */
static long long add_run(env *e, const char *sha, long long seed, int replicate, const char *status,
                         const char *const *params, size_t nparams) {
  char q[1024];
  snprintf(q, sizeof q,
           "INSERT INTO runs(scenario, scenario_sha256, point_label, resolved_yaml, seed, replicate, git_rev,"
           " started_at, wall_s, status, error) VALUES ('test', '%s', '', '', %lld, %d, 'abc123def456',"
           " '2025-01-01T00:00:00Z', 0.1, '%s', %s)",
           sha, seed, replicate, status, strcmp(status, "ok") ? "'solver diverged'" : "NULL");
  sql(e, q);
  long long id = sqlite3_last_insert_rowid(e->db);
  for (size_t i = 0; i < nparams; i++) {
    const char *eq = strchr(params[i], '=');
    assert_non_null(eq);
    snprintf(q, sizeof q, "INSERT INTO params(run, key, value) VALUES (%lld, '%.*s', '%s')", id,
             (int)(eq - params[i]), params[i], eq + 1);
    sql(e, q);
  }
  return id;
}

static void add_metric(env *e, long long run, const char *name, double v) {
  char q[512];
  snprintf(q, sizeof q, "INSERT INTO metrics(run, name, value, unit) VALUES (%lld, '%s', %.17g, 'B')", run, name, v);
  sql(e, q);
}

static void add_series(env *e, long long run, const char *name, double x, double y) {
  char q[512];
  snprintf(q, sizeof q, "INSERT INTO series(run, name, x, y) VALUES (%lld, '%s', %.17g, %.17g)", run, name, x, y);
  sql(e, q);
}

#define SHA_DS "d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5"
#define SHA_QW "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
#define SHA_LL "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
#define SHA_IB "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"
#define SHA_RO "e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4"

static const char *const ALL_SHA[] = {SHA_DS, SHA_QW, SHA_LL, SHA_IB, SHA_RO};

/* Three model points (one table row each) and two transport points (figure series). */
static void fill_models(env *e) {
  const char *ds[] = {"model=deepseek-v3", "model.attention=MLA", "source=config.json, BF16 cache"};
  const char *qw[] = {"model=qwen2.5-72b", "model.attention=GQA", "source=HF config"};
  const char *ll[] = {"model=llama-3.1-405b", "model.attention=GQA", "source=HF config"};
  add_metric(e, add_run(e, SHA_DS, 1, 0, "ok", ds, 3), "kv_cache_bytes_per_token", 70272);
  add_metric(e, add_run(e, SHA_QW, 1, 0, "ok", qw, 3), "kv_cache_bytes_per_token", 327712);
  add_metric(e, add_run(e, SHA_LL, 1, 0, "ok", ll, 3), "kv_cache_bytes_per_token", 516096);
  const char *ib[] = {"transport=ib"};
  const char *ro[] = {"transport=roce"};
  long long r = add_run(e, SHA_RO, 1, 0, "ok", ro, 1);   /* inserted first: order comes from points */
  add_series(e, r, "latency_us", 4096, 4.75);
  add_series(e, r, "latency_us", 1024, 3.5);
  add_series(e, r, "bw_GBps", 1024, 9);
  r = add_run(e, SHA_IB, 1, 0, "ok", ib, 1);
  add_series(e, r, "latency_us", 1024, 2.5);
  add_series(e, r, "latency_us", 4096, 3.25);
}

static report_points all_points(void) {
  report_points p = {"test", ALL_SHA, 5};
  return p;
}

static int render(env *e, const char *yaml, int no_images) {
  report_points pts = all_points();
  report_opts o = {e->db_path, e->results, FIXTURE_DIR "/figures", no_images};
  e->written[0] = e->err[0] = '\0';
  return report_render(yaml, "test.yaml", &pts, &o, e->written, sizeof e->written, e->err, sizeof e->err);
}

static char *fixture_yaml(void) {
  char *y = slurp(FIXTURE_DIR "/report.yaml");
  assert_non_null(y);
  return y;
}

static char *result_file(env *e, const char *rel) {
  char p[600];
  snprintf(p, sizeof p, "%s/%s", e->results, rel);
  return slurp(p);
}

/* Replaces the first occurrence of `from` in s (malloc'd) by `to`. */
static char *replace(char *s, const char *from, const char *to) {
  char *at = strstr(s, from);
  if (!at) fail_msg("fixture has no '%s'", from);
  size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
  char *out = calloc(n, 1);
  memcpy(out, s, (size_t)(at - s));
  strcat(out, to);
  strcat(out, at + strlen(from));
  free(s);
  return out;
}

static void assert_contains(const char *hay, const char *needle) {
  if (!hay || !strstr(hay, needle)) fail_msg("expected to find\n  %s\nin\n%s", needle, hay ? hay : "(null)");
}

static const char *gnuplot_path(void) {
  const char *g = getenv("CLUSTERSIM_GNUPLOT");
#ifdef GNUPLOT_EXE
  if (!g) g = GNUPLOT_EXE;
#endif
  if (!g || !*g || strstr(g, "NOTFOUND")) return NULL;
  return g;
}

/* ---- tests ---- */

static const char EXPECT_MD[] =
    "# Table K: KV cache size per token (test)\n"
    "\n"
    "| Model          | Attention | KV cache per token (KB), paper | KV cache per token (KB), simulated | Deviation | Status |\n"
    "| -------------- | --------- | -----------------------------: | ---------------------------------: | --------: | ------ |\n"
    "| deepseek-v3    | MLA       |                         70.272 |                             70.272 |    +0.00% | ok     |\n"
    "| qwen2.5-72b    | GQA       |                        327.680 |                            327.712 |    +0.01% | ok     |\n"
    "| llama-3.1-405b | GQA       |                        516.096 |                            516.096 |    +0.00% | ok     |\n"
    "\n"
    "- KV cache per token: deviation = (simulated - paper) / paper; tolerance ±0.1%.\n"
    "- deepseek-v3, Source: config.json, BF16 cache\n"
    "- qwen2.5-72b, Source: HF config\n"
    "- llama-3.1-405b, Source: HF config\n";

static const char EXPECT_CSV[] =
    "model,model.attention,source,kv_cache_bytes_per_token,kv_cache_bytes_per_token_paper,"
    "kv_cache_bytes_per_token_deviation,kv_cache_bytes_per_token_status,n,scenario_sha256\n"
    "deepseek-v3,MLA,\"config.json, BF16 cache\",70.272,70.272,0,ok,1," SHA_DS "\n"
    "qwen2.5-72b,GQA,HF config,327.712,327.68,9.765624999994588e-05,ok,1," SHA_QW "\n"
    "llama-3.1-405b,GQA,HF config,516.096,516.096,0,ok,1," SHA_LL "\n";

static void test_table_with_paper_values(void **state) {
  env *e = *state;
  fill_models(e);
  char *y = fixture_yaml();
  int rc = render(e, y, 1);
  assert_int_equal(rc, 0);
  char *md = result_file(e, "tables/kv.md");
  char *csv = result_file(e, "tables/kv.csv");
  assert_non_null(md);
  assert_non_null(csv);
  if (strncmp(md, EXPECT_MD, strlen(EXPECT_MD)) != 0) fail_msg("kv.md differs; got:\n%s\nexpected start:\n%s", md, EXPECT_MD);
  assert_contains(md, "- Database: `");
  assert_contains(md, "- Git revision of the runs: abc123def456.\n");
  assert_contains(md, "- Points (scenario sha256): deepseek-v3 `d5d5d5d5d5d5`, qwen2.5-72b `a1a1a1a1a1a1`, "
                      "llama-3.1-405b `b2b2b2b2b2b2`.\n");
  assert_string_equal(csv, EXPECT_CSV);
  assert_contains(e->written, "/results/tables/kv.md\n");
  assert_contains(e->written, "/results/tables/kv.csv\n");
  free(md);
  free(csv);
  free(y);
}

static void test_table_outside_tolerance(void **state) {
  env *e = *state;
  fill_models(e);
  char *y = replace(fixture_yaml(), "tolerance: 0.001", "tolerance: 0.00001");
  assert_int_equal(render(e, y, 1), 1);                 /* files are still written */
  char *md = result_file(e, "tables/kv.md");
  char *csv = result_file(e, "tables/kv.csv");
  assert_contains(md, "|  +0.0098% | **OUTSIDE ±0.001%** |");
  assert_contains(md, "|  +0.0000% | ok                  |");
  assert_contains(csv, "qwen2.5-72b,GQA,HF config,327.712,327.68,9.765624999994588e-05,outside,1,");
  free(md);
  free(csv);
  free(y);
}

static void test_missing_row_is_an_error(void **state) {
  env *e = *state;
  fill_models(e);
  char *y = replace(fixture_yaml(), "rows: [deepseek-v3,", "rows: [mixtral, deepseek-v3, gpt-5,");
  assert_int_equal(render(e, y, 1), -1);
  assert_contains(e->err, "table kv: missing rows");
  assert_contains(e->err, "mixtral, gpt-5");
  free(y);
  /* A point whose only run failed is missing too, and the message says why. */
  sql(e, "UPDATE runs SET status = 'failed', error = 'solver diverged' WHERE scenario_sha256 = '" SHA_QW "'");
  y = fixture_yaml();
  assert_int_equal(render(e, y, 1), -1);
  assert_contains(e->err, "qwen2.5-72b (point a1a1a1a1a1a1: no 'ok' run; last run failed: solver diverged)");
  free(y);
}

static void test_replicates_are_averaged(void **state) {
  env *e = *state;
  const char *pa[] = {"model=a"};
  const char *pb[] = {"model=b"};
  /* a: replicate 0 ran twice (the later run counts), replicates 1 and 2 once, plus a failed run of 2. */
  add_metric(e, add_run(e, SHA_DS, 7, 0, "ok", pa, 1), "t_ms", 999);   /* superseded by the next run */
  add_metric(e, add_run(e, SHA_DS, 1, 0, "ok", pa, 1), "t_ms", 10);
  add_metric(e, add_run(e, SHA_DS, 1, 1, "ok", pa, 1), "t_ms", 20);
  add_metric(e, add_run(e, SHA_DS, 1, 2, "ok", pa, 1), "t_ms", 30);
  add_run(e, SHA_DS, 2, 2, "failed", pa, 1);
  add_metric(e, add_run(e, SHA_QW, 1, 0, "ok", pb, 1), "t_ms", 5);
  const char *yaml =
      "tables:\n"
      "  - name: rep\n"
      "    row: model\n"
      "    values:\n"
      "      - {metric: t_ms, label: Step time, unit: ms, digits: 1}\n";
  report_points pts = {"test", ALL_SHA, 2};
  report_opts o = {e->db_path, e->results, NULL, 1};
  int rc = report_render(yaml, "rep.yaml", &pts, &o, e->written, sizeof e->written, e->err, sizeof e->err);
  if (rc != 0) fail_msg("rc %d: %s", rc, e->err);
  char *md = result_file(e, "tables/rep.md");
  char *csv = result_file(e, "tables/rep.csv");
  assert_contains(md, "| model | Step time (ms) |   n |\n"
                      "| ----- | -------------: | --: |\n"
                      "| a     |           20.0 |   3 |\n"
                      "| b     |            5.0 |   1 |\n");
  assert_contains(md, "- Simulated values are means over the n replicates of each point.\n");
  assert_string_equal(csv, "model,t_ms,n,scenario_sha256\n"
                           "a,20,3," SHA_DS "\n"
                           "b,5,1," SHA_QW "\n");
  free(md);
  free(csv);
}

static const char EXPECT_TSV[] = "# ib\n1024\t2.5\n4096\t3.25\n\n\n# roce\n1024\t3.5\n4096\t4.75\n";

static void test_figure_data_and_images(void **state) {
  env *e = *state;
  fill_models(e);
  char *y = fixture_yaml();
  int rc = render(e, y, 0);
  if (rc != 0) fail_msg("rc %d: %s", rc, e->err);
  char *tsv = result_file(e, "figures/lat/data.tsv");
  assert_non_null(tsv);
  assert_string_equal(tsv, EXPECT_TSV);
  /* The output folder is self-contained: query and script are copied next to the data. */
  char *gp = result_file(e, "figures/lat/plot.gp");
  char *q = result_file(e, "figures/lat/query.sql");
  assert_non_null(gp);
  assert_non_null(q);
  assert_contains(e->written, "/results/figures/lat/data.tsv\n");
  if (!gnuplot_path()) {
    assert_contains(e->written, "images not rendered: gnuplot not found");
  } else {
    char *png = result_file(e, "figures/lat/lat.png");
    char *svg = result_file(e, "figures/lat/lat.svg");
    assert_non_null(png);
    assert_non_null(svg);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    assert_contains(svg, "<svg");
    assert_contains(svg, "roce");                       /* series names reach the key */
    assert_contains(svg, "width=\"640\"");              /* plot.gp's own terminal size took effect */
    assert_contains(e->written, "/results/figures/lat/lat.png\n");
    assert_contains(e->written, "/results/figures/lat/lat.svg\n");
    free(png);
    free(svg);
  }
  free(tsv);
  free(gp);
  free(q);
  free(y);
}

static void test_figure_without_images(void **state) {
  env *e = *state;
  fill_models(e);
  char *y = fixture_yaml();
  assert_int_equal(render(e, y, 1), 0);
  char *tsv = result_file(e, "figures/lat/data.tsv");
  assert_string_equal(tsv, EXPECT_TSV);
  char *png = result_file(e, "figures/lat/lat.png");
  assert_null(png);
  assert_contains(e->written, "images not rendered (no_images)");
  free(tsv);
  free(y);
}

/* A plot.gp with an error: the message carries gnuplot's own words. */
static void test_gnuplot_failure_is_reported(void **state) {
  env *e = *state;
  if (!gnuplot_path()) skip();
  fill_models(e);
  char src[400], p[500];
  snprintf(src, sizeof src, "%s/figsrc/bad", e->dir);
  snprintf(p, sizeof p, "%s/figsrc", e->dir);
  mkdir(p, 0777);
  mkdir(src, 0777);
  snprintf(p, sizeof p, "%s/query.sql", src);
  FILE *f = fopen(p, "w");
  fputs("SELECT 's', x, y FROM series JOIN temp.sel ON sel.run = series.run;", f);
  fclose(f);
  snprintf(p, sizeof p, "%s/plot.gp", src);
  f = fopen(p, "w");
  fputs("plot data using 1:(nosuchfunc($2))\n", f);
  fclose(f);
  snprintf(p, sizeof p, "%s/figsrc", e->dir);
  report_points pts = all_points();
  report_opts o = {e->db_path, e->results, p, 0};
  int rc = report_render("figures: [bad]\n", "t.yaml", &pts, &o, e->written, sizeof e->written, e->err,
                         sizeof e->err);
  assert_int_equal(rc, -1);
  assert_contains(e->err, "figure bad: gnuplot");
  assert_contains(e->err, "nosuchfunc");
  assert_contains(e->written, "/results/figures/bad/data.tsv\n");   /* what was written is listed */
}

/* Without gnuplot (CLUSTERSIM_GNUPLOT empty) the data is still written and the list says why not images. */
static void test_figure_without_gnuplot(void **state) {
  env *e = *state;
  fill_models(e);
  char *y = fixture_yaml();
  setenv("CLUSTERSIM_GNUPLOT", "", 1);
  int rc = render(e, y, 0);
  unsetenv("CLUSTERSIM_GNUPLOT");
  assert_int_equal(rc, 0);
  assert_contains(e->written, "/results/figures/lat/data.tsv\n");
  assert_contains(e->written, "images not rendered: gnuplot not found");
  assert_null(result_file(e, "figures/lat/lat.png"));
  free(y);
}

/* `where` picks points by param; points without those params (the figure's) are not rows. */
static void test_where_filter(void **state) {
  env *e = *state;
  fill_models(e);
  const char *yaml =
      "report:\n"
      "  tables:\n"
      "    - name: gqa\n"
      "      row: model\n"
      "      where: {model.attention: GQA}\n"
      "      values: [{metric: kv_cache_bytes_per_token, digits: 0}]\n"
      "      note: \"GQA models | only\"\n";
  int rc = render(e, yaml, 1);
  if (rc != 0) fail_msg("rc %d: %s", rc, e->err);
  char *md = result_file(e, "tables/gqa.md");
  assert_contains(md, "| model          | kv_cache_bytes_per_token |\n"
                      "| -------------- | -----------------------: |\n"
                      "| qwen2.5-72b    |                   327712 |\n"
                      "| llama-3.1-405b |                   516096 |\n");
  assert_contains(md, "- GQA models \\| only\n");
  free(md);
}

static void test_bad_report_yaml(void **state) {
  env *e = *state;
  fill_models(e);
  struct {
    const char *yaml;
    const char *expect[3];
  } cases[] = {
      {"tables:\n  - name: t\n    row: model\n    values:\n      - metric: m\n        scal: 2\n",
       {"test.yaml: report block line 6:9: report.tables[0].values[0]: unknown key 'scal'",
        "allowed: metric, label, unit, scale, digits, paper, tolerance", NULL}},
      {"tables:\n  - name: t\n    row: model\n    values:\n      - {metric: m, digits: many}\n",
       {"line 5:29: report.tables[0].values[0].digits: expected an integer, got 'many'", NULL, NULL}},
      {"tables:\n  - name: t\n    values:\n      - {metric: m}\n",
       {"report.tables[0]: missing key 'row'", NULL, NULL}},
      {"tables:\n  - name: ../t\n    row: model\n    values: [{metric: m}]\n",
       {"report.tables[0].name: '../t' is not a file name", NULL, NULL}},
      {"tables:\n  - name: t\n    row: model\n    values: [{metric: m, scale: 1KB}]\n",
       {"scale: expected a plain finite number (no unit), got '1KB'", NULL, NULL}},
      {"tables:\n  - name: t\n    row: model\n    rows: [a]\n    values: [{metric: m, paper: {b: 1}}]\n",
       {"report.tables[0].values[0].paper: 'b' is not in `rows`", NULL, NULL}},
      {"figure:\n  - x\n", {"unknown key 'figure'; allowed: tables, figures", NULL, NULL}},
      {"tables: [\n", {"YAML syntax", NULL, NULL}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int rc = render(e, cases[i].yaml, 1);
    if (rc != -1) fail_msg("case %zu: rc %d, expected -1", i, rc);
    for (int j = 0; j < 3 && cases[i].expect[j]; j++) assert_contains(e->err, cases[i].expect[j]);
  }
  /* A metric no run recorded (a typo) names the metrics that exist. */
  char *y = replace(fixture_yaml(), "metric: kv_cache_bytes_per_token", "metric: kv_cache_per_token");
  assert_int_equal(render(e, y, 1), -1);
  assert_contains(e->err, "metric 'kv_cache_per_token' is in none of its runs; metrics recorded: "
                          "kv_cache_bytes_per_token");
  free(y);
}

static void test_not_a_results_database(void **state) {
  env *e = *state;
  sql(e, "PRAGMA application_id = 7");
  char *y = fixture_yaml();
  assert_int_equal(render(e, y, 1), -1);
  assert_contains(e->err, "is not a clustersim results database (application_id 0x00000007, expected 0x436C5369)");
  free(y);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_table_with_paper_values, setup, teardown),
      cmocka_unit_test_setup_teardown(test_table_outside_tolerance, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_row_is_an_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_replicates_are_averaged, setup, teardown),
      cmocka_unit_test_setup_teardown(test_figure_data_and_images, setup, teardown),
      cmocka_unit_test_setup_teardown(test_figure_without_images, setup, teardown),
      cmocka_unit_test_setup_teardown(test_figure_without_gnuplot, setup, teardown),
      cmocka_unit_test_setup_teardown(test_gnuplot_failure_is_reported, setup, teardown),
      cmocka_unit_test_setup_teardown(test_where_filter, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_report_yaml, setup, teardown),
      cmocka_unit_test_setup_teardown(test_not_a_results_database, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
