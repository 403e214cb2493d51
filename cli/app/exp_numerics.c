/* exp_numerics.c: experiments `logfmt` (paper 3.2: LogFMT-nBit versus FP8 and BF16 on
 * activation-like data) and `fp8_accum` (paper 3.1.1: FP22 accumulation in Hopper's FP8 tensor
 * cores versus FP32, and DeepSeek-V3's promotion every N_c products). The arithmetic lives in
 * kernels/numerics (num.h); this file maps scenario keys onto it and records metrics.
 * Both are deterministic in (seed, replicate): data streams derive from num_seed_mix(seed, replicate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"
#include "num.h"

#define END_KEYS {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}

/* ------------------------------------------------------------------ logfmt */

static const char *const format_vals[] = {"all", "logfmt8", "logfmt10", "logfmt", "e4m3", "e5m2", "bf16", "fp16", NULL};
/* what `all` runs, on the same data */
static const char *const all_formats[] = {"logfmt8", "logfmt10", "e4m3", "e5m2", "bf16"};
static const char *const rounding_vals[] = {"linear", "log", NULL};
static const char *const dist_vals[] = {"gaussian", "student_t", "lognormal", "mixture", "outlier_channels", NULL};

static const scen_key logfmt_keys[] = {
  {"format", SCEN_ENUM,
   "number format: LogFMT-8/-10 (or `logfmt` with nbits), FP8 E4M3/E5M2 with per-tile FP32 scale, BF16/FP16 "
   "(no scale); `all`: logfmt8, logfmt10, e4m3, e5m2, bf16 on the same data. Metrics are suffixed with the "
   "format (rel_rmse_logfmt8, ...)", "all", 0, 0, 0, 0, format_vals, NULL, 0, NULL},
  {"nbits", SCEN_INT, "LogFMT bits per element (1 sign + nbits-1 magnitude) when format is `logfmt`", "8", 0,
   SCEN_MIN | SCEN_MAX, 3, 16, NULL, NULL, 0, NULL},
  {"rounding", SCEN_ENUM, "LogFMT rounding: nearest in linear value (paper) or in log space (ablation)", "linear",
   0, 0, 0, 0, rounding_vals, NULL, 0, NULL},
  {"range_log2", SCEN_F64, "LogFMT min clamp: min >= max - range_log2 * ln 2 (paper: 32)", "32", 0, SCEN_MIN_EXCL,
   0, 0, NULL, NULL, 0, NULL},
  {"distribution", SCEN_ENUM, "activation-like data (see docs/numerics.md for the parameters)", "gaussian", 0, 0, 0,
   0, dist_vals, NULL, 0, NULL},
  {"elements", SCEN_INT, "values quantized per run", "262144", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  {"tile", SCEN_INT, "elements per scaling tile (1x128 in DeepSeek-V3 and the paper's LogFMT)", "128", 0,
   SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  {"channels", SCEN_INT, "row width for outlier_channels (7168 = DeepSeek-V3 hidden size)", "7168", 0,
   SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  END_KEYS,
};

/* Quantizes x with one format into q and records its metrics, suffixed "_<format>". */
static int logfmt_one(const scen *s, const char *fmt, const float *x, float *q, size_t n, size_t tile, res_run *out,
                      char *err, size_t errlen) {
  double bits = 0.0;
  char sfx[24];
  if (strncmp(fmt, "logfmt", 6) == 0) {
    num_logfmt_cfg c;
    c.nbits = strcmp(fmt, "logfmt8") == 0 ? 8 : strcmp(fmt, "logfmt10") == 0 ? 10 : (int)scen_int(s, "nbits");
    c.rounding = strcmp(scen_str(s, "rounding"), "log") == 0 ? NUM_LOGFMT_ROUND_LOG : NUM_LOGFMT_ROUND_LINEAR;
    c.range_log2 = scen_f64(s, "range_log2");
    if (num_logfmt_roundtrip(&c, x, n, tile, q) < 0) {
      snprintf(err, errlen, "logfmt: encoding failed (nbits %d; out of memory or non-finite data)", c.nbits);
      return -1;
    }
    bits = num_logfmt_bits_per_elem(c.nbits, tile);
    snprintf(sfx, sizeof sfx, "logfmt%d", c.nbits);
  } else {
    num_fmt f;
    if (num_fmt_parse(fmt, &f) < 0) {
      snprintf(err, errlen, "format: unknown '%s'", fmt);
      return -1;
    }
    num_quant_tiles(f, x, n, tile, q, NULL);
    const num_fmt_info *fi = num_fmt_get(f);
    int scaled = f == NUM_FMT_E4M3 || f == NUM_FMT_E5M2;
    bits = 1.0 + fi->exp_bits + fi->man_bits + (scaled ? 32.0 / (double)tile : 0.0);
    snprintf(sfx, sizeof sfx, "%s", fmt);
  }
  num_err_stats e;
  if (num_err_compute(x, q, n, &e) < 0) {
    snprintf(err, errlen, "out of memory for the error statistics");
    return -1;
  }
  static const char *const names[] = {"rel_rmse", "mean_rel_err", "p99_rel_err", "max_rel_err",
                                      "zero_flush_frac", "mean_rel_bias", "bits_per_elem"};
  const double vals[] = {e.rel_rmse, e.mean_rel_err, e.p99_rel_err, e.max_rel_err,
                         e.zero_flush_frac, e.mean_rel_bias, bits};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    char name[64];
    snprintf(name, sizeof name, "%s_%s", names[i], sfx);
    res_run_metric(out, name, vals[i], i == 6 ? "bit" : "1");
  }
  return 0;
}

static int logfmt_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  const char *fmt = scen_str(s, "format");
  const char *dist_s = scen_str(s, "distribution");
  num_dist dist;
  if (num_dist_parse(dist_s, &dist) < 0) {
    snprintf(err, errlen, "distribution: unknown '%s'", dist_s);
    return -1;
  }
  int64_t n64 = scen_int(s, "elements"), tile64 = scen_int(s, "tile"), ch64 = scen_int(s, "channels");
  if (n64 > (int64_t)1 << 30) {
    snprintf(err, errlen, "elements: %lld is more than 2^30", (long long)n64);
    return -1;
  }
  size_t n = (size_t)n64, tile = (size_t)tile64;
  float *x = malloc(n * sizeof *x), *q = malloc(n * sizeof *q);
  if (!x || !q) {
    free(x);
    free(q);
    snprintf(err, errlen, "out of memory for %zu elements", n);
    return -1;
  }
  num_dist_fill(dist, num_seed_mix(scen_seed(s), replicate, 0x4C46), (size_t)ch64, x, n);
  int rc = 0;
  if (strcmp(fmt, "all") == 0) {
    for (size_t i = 0; i < sizeof all_formats / sizeof all_formats[0] && rc == 0; i++)
      rc = logfmt_one(s, all_formats[i], x, q, n, tile, out, err, errlen);
  } else {
    rc = logfmt_one(s, fmt, x, q, n, tile, out, err, errlen);
  }
  free(x);
  free(q);
  return rc;
}

const cli_experiment cli_exp_logfmt = {
  "logfmt",
  "LogFMT-nBit (paper 3.2) versus per-tile scaled E4M3/E5M2 and BF16: relative RMSE, max relative error, "
  "fraction flushed to zero, bits per element, on seeded activation-like data",
  logfmt_keys,
  logfmt_run,
  NULL,
};

/* ------------------------------------------------------------------ fp8_accum */

static const char *const acc_vals[] = {"all", "fp32", "fp22", "fp22_promote", NULL};
static const char *const inputs_vals[] = {"positive", "zero_mean", NULL};
static const char *const regr_vals[] = {"trunc", "rne", NULL};

static const scen_key accum_keys[] = {
  {"k", SCEN_INT, "dot-product length K", "4096", 0, SCEN_MIN | SCEN_MAX, 1, 1 << 24, NULL, NULL, 0, NULL},
  {"accumulation", SCEN_ENUM,
   "fp32 (CUDA cores), fp22 (Hopper FP8 tensor core over all K), fp22_promote (FP22 partial sums added into "
   "FP32 every promote_interval products); `all`: the three on the same inputs. Metrics are suffixed with "
   "the kind (rel_err_mean_fp22, ...)", "all", 0, 0, 0, 0, acc_vals, NULL, 0, NULL},
  {"promote_interval", SCEN_INT, "products per FP32 promotion (N_c; 128 in DeepSeek-V3)", "128", 0, SCEN_MIN_EXCL, 0,
   0, NULL, NULL, 0, NULL},
  {"group", SCEN_INT, "products aligned together (32 = K of one FP8 wgmma, the paper's '32 mantissa products')",
   "32", 0, SCEN_MIN | SCEN_MAX, 1, 4096, NULL, NULL, 0, NULL},
  {"frac_bits", SCEN_INT, "fraction bits kept after alignment and in the register (paper: 13)", "13", 0,
   SCEN_MIN | SCEN_MAX, 1, 40, NULL, NULL, 0, NULL},
  {"register_rounding", SCEN_ENUM, "normalisation into the register: truncation (default) or RNE", "trunc", 0, 0,
   0, 0, regr_vals, NULL, 0, NULL},
  {"inputs", SCEN_ENUM, "E4M3 inputs: |N(0,1)| (positive, no cancellation) or N(0,1) (zero_mean)", "positive", 0,
   0, 0, 0, inputs_vals, NULL, 0, NULL},
  {"trials", SCEN_INT, "independent dot products per run", "64", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  END_KEYS,
};

static int accum_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  const char *acc = scen_str(s, "accumulation");
  num_acc_inputs in;
  if (num_acc_inputs_parse(scen_str(s, "inputs"), &in) < 0) {
    snprintf(err, errlen, "inputs: unknown '%s'", scen_str(s, "inputs"));
    return -1;
  }
  int64_t trials = scen_int(s, "trials");
  if (trials > 1000000) {
    snprintf(err, errlen, "trials: %lld is more than 10^6", (long long)trials);
    return -1;
  }
  double mean[NUM_ACC_COUNT] = {0};
  int ran[NUM_ACC_COUNT] = {0};
  for (int kind = 0; kind < NUM_ACC_COUNT; kind++) {
    if (strcmp(acc, "all") != 0 && strcmp(acc, num_accum_name((num_accum_kind)kind)) != 0) continue;
    num_accum_cfg c = num_accum_default((num_accum_kind)kind);
    c.frac_bits = (int)scen_int(s, "frac_bits");
    c.group = (int)scen_int(s, "group");
    c.promote_interval = (int)scen_int(s, "promote_interval");
    c.register_rne = strcmp(scen_str(s, "register_rounding"), "rne") == 0;
    num_accum_stats st;
    /* same seed for every kind: the three see the same inputs */
    if (num_accum_experiment(&c, in, (size_t)scen_int(s, "k"), (int)trials,
                             num_seed_mix(scen_seed(s), replicate, 0x4143), &st) < 0) {
      snprintf(err, errlen, "out of memory for k = %lld", (long long)scen_int(s, "k"));
      return -1;
    }
    const char *kn = num_accum_name((num_accum_kind)kind);
    char name[64];
    snprintf(name, sizeof name, "rel_err_mean_%s", kn);
    res_run_metric(out, name, st.rel_err_mean, "1");
    snprintf(name, sizeof name, "rel_err_p99_%s", kn);
    res_run_metric(out, name, st.rel_err_p99, "1");
    snprintf(name, sizeof name, "rel_err_max_%s", kn);
    res_run_metric(out, name, st.rel_err_max, "1");
    snprintf(name, sizeof name, "rel_err_signed_mean_%s", kn);
    res_run_metric(out, name, st.signed_mean, "1");
    mean[kind] = st.rel_err_mean;
    ran[kind] = 1;
  }
  if (ran[NUM_ACC_FP22] && ran[NUM_ACC_FP22_PROMOTE] && mean[NUM_ACC_FP22_PROMOTE] > 0.0)
    res_run_metric(out, "promote_gain", mean[NUM_ACC_FP22] / mean[NUM_ACC_FP22_PROMOTE], "1");
  res_run_metric(out, "trials", (double)trials, "1");
  return 0;
}

const cli_experiment cli_exp_fp8_accum = {
  "fp8_accum",
  "FP8 dot-product accumulation (paper 3.1.1): Hopper's FP22 tensor-core register versus FP32 and versus "
  "promotion to FP32 every N_c products; relative error against float64",
  accum_keys,
  accum_run,
  NULL,
};
