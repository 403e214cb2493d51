/* test_paper_tables.c: paper Tables 1, 2 and 3 end to end (presets -> loader -> experiment -> SQLite),
 * and the mechanism behind them: change an input through --set and the numbers move as they must.
 * The paper's values live here, with their tolerances; the code computes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "cli.h"

static char tmpdir[256];
static int dbn;

/* Runs scenarios/paper/<name>.yaml with the given overrides into a fresh database; returns its path. */
static const char *run_paper(const char *name, const char *const *sets, size_t nsets, char *db, size_t dblen) {
  char path[1024];
  snprintf(path, sizeof path, "%s/scenarios/paper/%s.yaml", CS_SOURCE_DIR, name);
  snprintf(db, dblen, "%s/db%d.sqlite", tmpdir, dbn++);
  cli_opts o;
  memset(&o, 0, sizeof o);
  o.db_path = db;
  o.jobs = 1;
  o.quiet = 1;
  o.progress = 0;
  o.results_dir = tmpdir;
  for (size_t i = 0; i < nsets; i++) o.sets[o.nsets++] = sets[i];
  cli_scenario cs;
  assert_int_equal(cli_scenario_load(path, &o, &cs), 0);
  assert_int_equal(cli_scenario_run(&cs, &o), 0);
  cli_scenario_free(&cs);
  return db;
}

/* The metric of the run whose `model` param is `model`. */
static double metric(const char *db, const char *model, const char *name) {
  sqlite3 *h;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  sqlite3_stmt *st;
  const char *q = "SELECT m.value FROM runs r JOIN params p ON p.run = r.id AND p.key = 'model' "
                  "JOIN metrics m ON m.run = r.id WHERE r.status = 'ok' AND p.value = ?1 AND m.name = ?2";
  assert_int_equal(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) fail_msg("no metric %s for model %s in %s", name, model, db);
  double v = sqlite3_column_double(st, 0);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);  /* exactly one run per model */
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

/* The metric of the run whose param `key` is `value` (e.g. topology.name = FT3). */
static double metric_by(const char *db, const char *key, const char *value, const char *name) {
  sqlite3 *h;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  sqlite3_stmt *st;
  const char *q = "SELECT m.value FROM runs r JOIN params p ON p.run = r.id AND p.key = ?1 "
                  "JOIN metrics m ON m.run = r.id WHERE r.status = 'ok' AND p.value = ?2 AND m.name = ?3";
  assert_int_equal(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) fail_msg("no metric %s for %s = %s in %s", name, key, value, db);
  double v = sqlite3_column_double(st, 0);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);  /* exactly one run per row */
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

static double t3(const char *db, const char *col, const char *name) { return metric_by(db, "topology.name", col, name); }

static void within(const char *what, double got, double want, double rel) {
  double dev = (got - want) / want;
  printf("  %-44s simulated %14.6f paper %12.3f deviation %+.4f%%\n", what, got, want, 100.0 * dev);
  if (fabs(dev) > rel) fail_msg("%s: %.6f vs paper %.6f: deviation %.4f%% > %.4f%%", what, got, want, 100 * dev, 100 * rel);
}

/* Table 1: KV cache per token (KB = 1000 B), within 0.1%. */
static void table1_kv_cache(void **st) {
  (void)st;
  char db[512];
  run_paper("table1", NULL, 0, db, sizeof db);
  within("DeepSeek-V3 KV KB/token", metric(db, "deepseek-v3", "kv_cache_bytes_per_token") / 1e3, 70.272, 0.001);
  within("Qwen-2.5 72B KV KB/token", metric(db, "qwen2.5-72b", "kv_cache_bytes_per_token") / 1e3, 327.680, 0.001);
  within("LLaMA-3.1 405B KV KB/token", metric(db, "llama-3.1-405b", "kv_cache_bytes_per_token") / 1e3, 516.096, 0.001);
}

/* Table 2: training GFLOPs per token at 4K, within 1%. */
static void table2_training_flops(void **st) {
  (void)st;
  char db[512];
  run_paper("table2", NULL, 0, db, sizeof db);
  within("DeepSeek-V2 GFLOPs/token", metric(db, "deepseek-v2", "train_flops_per_token") / 1e9, 155, 0.01);
  within("DeepSeek-V3 GFLOPs/token", metric(db, "deepseek-v3", "train_flops_per_token") / 1e9, 250, 0.01);
  within("Qwen-72B GFLOPs/token", metric(db, "qwen2.5-72b", "train_flops_per_token") / 1e9, 394, 0.01);
  within("LLaMA-405B GFLOPs/token", metric(db, "llama-3.1-405b", "train_flops_per_token") / 1e9, 2448, 0.01);
  /* Model sizes the papers state: V3 671B total / 37B active, V2 236B / 21B (DeepSeek reports). */
  within("DeepSeek-V3 total params (B)", metric(db, "deepseek-v3", "params_total") / 1e9, 671, 0.01);
  within("DeepSeek-V3 active params (B)", metric(db, "deepseek-v3", "params_active") / 1e9, 37, 0.03);
  within("DeepSeek-V2 total params (B)", metric(db, "deepseek-v2", "params_total") / 1e9, 236, 0.01);
  within("DeepSeek-V2 active params (B)", metric(db, "deepseek-v2", "params_active") / 1e9, 21, 0.03);
}

/* Double the layers: double the KV cache (every model). FP8 cache: half. */
static void mechanism_kv_layers_and_dtype(void **st) {
  (void)st;
  char a[512], b[512], c[512];
  const char *dbl[] = {"model.num_layers=122"};
  run_paper("table1", NULL, 0, a, sizeof a);
  run_paper("table1", dbl, 1, b, sizeof b);
  assert_true(metric(b, "deepseek-v3", "kv_cache_bytes_per_token") ==
              2.0 * metric(a, "deepseek-v3", "kv_cache_bytes_per_token"));
  const char *fp8[] = {"kv_cache_dtype=fp8"};
  run_paper("table1", fp8, 1, c, sizeof c);
  assert_true(metric(c, "qwen2.5-72b", "kv_cache_bytes_per_token") ==
              0.5 * metric(a, "qwen2.5-72b", "kv_cache_bytes_per_token"));
  /* GQA: doubling KV heads doubles the cache; MLA: the latent rank drives it. */
  const char *kvh[] = {"model.num_kv_heads=16"};
  run_paper("table1", kvh, 1, c, sizeof c);
  assert_true(metric(c, "llama-3.1-405b", "kv_cache_bytes_per_token") ==
              2.0 * metric(a, "llama-3.1-405b", "kv_cache_bytes_per_token"));
}

/* Change the sequence length: the attention term (and only it) moves in the Megatron rows;
 * the dense 6N rows have no attention-score term, until the convention is forced to megatron. */
static void mechanism_seq_len_moves_attention(void **st) {
  (void)st;
  char a[512], b[512], c[512], d[512];
  const char *s8k[] = {"seq_len=8192"};
  run_paper("table2", NULL, 0, a, sizeof a);
  run_paper("table2", s8k, 1, b, sizeof b);
  double core4 = metric(a, "deepseek-v3", "train_flops_attn_core");
  double core8 = metric(b, "deepseek-v3", "train_flops_attn_core");
  assert_true(core4 > 0 && fabs(core8 - 2 * core4) <= 1e-9 * core8);
  assert_true(fabs((metric(b, "deepseek-v3", "train_flops_per_token") - metric(a, "deepseek-v3", "train_flops_per_token")) -
                   core4) <= 1e-9 * core4);
  assert_true(metric(a, "deepseek-v3", "train_flops_mlp") == metric(b, "deepseek-v3", "train_flops_mlp"));
  assert_true(metric(a, "qwen2.5-72b", "train_flops_per_token") == metric(b, "qwen2.5-72b", "train_flops_per_token"));
  const char *meg4[] = {"flops_convention=megatron"};
  const char *meg8[] = {"flops_convention=megatron", "seq_len=8192"};
  run_paper("table2", meg4, 1, c, sizeof c);
  run_paper("table2", meg8, 2, d, sizeof d);
  assert_true(metric(d, "qwen2.5-72b", "train_flops_per_token") > metric(c, "qwen2.5-72b", "train_flops_per_token"));
  /* Top-k routing drives the MoE cost: 16 experts per token instead of 8 adds 8 expert MLPs. */
  const char *top16[] = {"model.experts_per_token=16"};
  run_paper("table2", top16, 1, c, sizeof c);
  double extra = metric(c, "deepseek-v3", "train_flops_mlp") - metric(a, "deepseek-v3", "train_flops_mlp");
  double want = 12.0 * 7168 * 1.5 * 2048 * 8 * 58;  /* 12 d 1.5 moe_ffn x 8 more experts x 58 MoE layers */
  assert_true(fabs(extra - want) <= 1e-9 * want);
}

/* Table 3: counts exact, cost and cost per endpoint within 2%, one price list for all columns. */
static void table3_topologies(void **st) {
  (void)st;
  char db[512];
  run_paper("table3", NULL, 0, db, sizeof db);
  static const struct {
    const char *col;
    double endpoints, switches, links, cost_musd, cost_kusd;
  } paper[] = {
    {"FT2", 2048, 96, 2048, 9, 4.39},
    {"MPFT", 16384, 768, 16384, 72, 4.39},
    {"FT3", 65536, 5120, 131072, 491, 7.5},
    {"SF", 32928, 1568, 32928, 146, 4.4},
    {"DF", 261632, 16352, 384272, 1522, 5.8},
  };
  for (size_t i = 0; i < sizeof paper / sizeof paper[0]; i++) {
    const char *c = paper[i].col;
    char what[64];
    printf("  %s: endpoints %.0f switches %.0f links %.0f\n", c, t3(db, c, "endpoints"), t3(db, c, "switches"),
           t3(db, c, "switch_links"));
    assert_true(t3(db, c, "endpoints") == paper[i].endpoints);
    assert_true(t3(db, c, "switches") == paper[i].switches);
    assert_true(t3(db, c, "switch_links") == paper[i].links);
    snprintf(what, sizeof what, "%s cost [M$]", c);
    within(what, t3(db, c, "cost_musd"), paper[i].cost_musd, 0.02);
    snprintf(what, sizeof what, "%s cost/endpoint [k$]", c);
    within(what, t3(db, c, "cost_per_endpoint_kusd"), paper[i].cost_kusd, 0.02);
  }
  /* Only the Slim Fly of q = 28 (not a prime power) comes from formulas; the others are built. */
  assert_true(t3(db, "SF", "buildable") == 0.0);
  assert_true(t3(db, "DF", "buildable") == 1.0 && t3(db, "FT3", "buildable") == 1.0);
}

/* Halve the optical cable prices: FT3 (two optical cables per endpoint, longer ones) gets cheaper
 * per endpoint than FT2 does (one); the electrical cables and the switches do not move. */
static void mechanism_table3_optical_price(void **st) {
  (void)st;
  char a[512], b[512];
  const char *half[] = {"cost.optical_cable_usd=47", "cost.optical_cable_usd_per_m=1.838"};
  run_paper("table3", NULL, 0, a, sizeof a);
  run_paper("table3", half, 2, b, sizeof b);
  const char *cols[] = {"FT2", "MPFT", "FT3", "SF", "DF"};
  double drop[5];
  for (int i = 0; i < 5; i++) {
    const char *c = cols[i];
    double oa = t3(a, c, "optical_cable_cost_usd"), ob = t3(b, c, "optical_cable_cost_usd");
    assert_true(oa > 0 && fabs(ob - 0.5 * oa) <= 1e-9 * oa);
    assert_true(t3(a, c, "switch_cost_usd") == t3(b, c, "switch_cost_usd"));
    assert_true(t3(a, c, "electrical_cable_cost_usd") == t3(b, c, "electrical_cable_cost_usd"));
    assert_true(fabs((t3(a, c, "cost_usd") - t3(b, c, "cost_usd")) - 0.5 * oa) <= 1e-9 * oa);
    drop[i] = t3(a, c, "cost_per_endpoint_kusd") - t3(b, c, "cost_per_endpoint_kusd");
  }
  assert_true(drop[2] > 2.0 * drop[0]);   /* FT3 > 2 x FT2: twice the cables, and longer */
}

/* Double the port price: the switch part doubles, cables stay; per endpoint the rise is the ports
 * bought per endpoint x the price (3 for FT2, 5 for FT3, 4 for DF). Longer inter-cabinet runs
 * (overhead 2 m -> 3 m) add exactly 1 m per optical cable, built or from formulas. */
static void mechanism_table3_ports_and_layout(void **st) {
  (void)st;
  char a[512], b[512], c[512];
  const char *dbl[] = {"cost.switch_port_usd=2844"};
  const char *ovh[] = {"topology.layout.overhead_m=3"};
  run_paper("table3", NULL, 0, a, sizeof a);
  run_paper("table3", dbl, 1, b, sizeof b);
  run_paper("table3", ovh, 1, c, sizeof c);
  const struct { const char *col; double ports_per_ep; } cols[] = {{"FT2", 3}, {"MPFT", 3}, {"FT3", 5}, {"DF", 4}};
  for (int i = 0; i < 4; i++) {
    const char *k = cols[i].col;
    assert_true(t3(b, k, "switch_cost_usd") == 2.0 * t3(a, k, "switch_cost_usd"));
    assert_true(t3(b, k, "cable_cost_usd") == t3(a, k, "cable_cost_usd"));
    double rise_usd = 1e3 * (t3(b, k, "cost_per_endpoint_kusd") - t3(a, k, "cost_per_endpoint_kusd"));
    assert_true(fabs(rise_usd - cols[i].ports_per_ep * 1422.0) <= 1e-6 * rise_usd);
  }
  const char *all[] = {"FT2", "MPFT", "FT3", "SF", "DF"};
  for (int i = 0; i < 5; i++) {
    double n_opt = t3(a, all[i], "optical_cables");
    double more_m = t3(c, all[i], "cable_m") - t3(a, all[i], "cable_m");
    assert_true(fabs(more_m - n_opt) <= 1e-3 * n_opt);
    assert_true(t3(c, all[i], "electrical_cables") == t3(a, all[i], "electrical_cables"));
    assert_true(fabs((t3(c, all[i], "cost_usd") - t3(a, all[i], "cost_usd")) - n_opt * 3.676) <= 1e-3 * n_opt);
  }
}

/* Slim Fly cables from formulas agree with the built graph where both exist (q = 29, a prime). */
static void table3_slimfly_formula_matches_graph(void **st) {
  (void)st;
  char a[512], b[512];
  const char *built[] = {"topology=slimfly-q28", "topology.slimfly.q=29", "topology.slimfly.p=0",
                         "topology.slimfly.formula_only=false"};
  const char *formula[] = {"topology=slimfly-q28", "topology.slimfly.q=29", "topology.slimfly.p=0"};
  run_paper("table3", built, 4, a, sizeof a);
  run_paper("table3", formula, 3, b, sizeof b);
  assert_true(t3(a, "SF", "buildable") == 1.0 && t3(b, "SF", "buildable") == 0.0);
  const char *same[] = {"endpoints", "switches", "switch_links", "optical_cables", "electrical_cables", "cost_usd"};
  for (int i = 0; i < 6; i++) assert_true(t3(a, "SF", same[i]) == t3(b, "SF", same[i]));
  assert_true(fabs(t3(a, "SF", "cable_m") - t3(b, "SF", "cable_m")) <= 1e-6 * t3(b, "SF", "cable_m"));
}

static int setup(void **st) {
  (void)st;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/cs_paper_XXXXXX");
  if (!mkdtemp(tmpdir)) return -1;
  return 0;
}

static int teardown(void **st) {
  (void)st;
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(table1_kv_cache),
    cmocka_unit_test(table2_training_flops),
    cmocka_unit_test(mechanism_kv_layers_and_dtype),
    cmocka_unit_test(mechanism_seq_len_moves_attention),
    cmocka_unit_test(table3_topologies),
    cmocka_unit_test(mechanism_table3_optical_price),
    cmocka_unit_test(mechanism_table3_ports_and_layout),
    cmocka_unit_test(table3_slimfly_formula_matches_graph),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
