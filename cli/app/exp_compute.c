/* exp_compute.c: experiment `compute_op`: the duration of one GPU op from the compute model
 * (measured kernel trace, interpolated by shape, or roofline), recording which source it used. */
#include <stdio.h>
#include <string.h>

#include "compute.h"
#include "exp.h"
#include "exp_hw.h"

static const char *const op_vals[] = {"mla_decode", "gemm", "moe_ffn", "logfmt_copy", "copy", "quant", NULL};

#define POSF(nm, help) {nm, SCEN_F64, help, NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL}
#define DIM(nm, help) {nm, SCEN_INT, help, "0", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL}
#define END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}

static const scen_key gpu_compute_keys[] = {
  {"sm_count", SCEN_INT, "streaming multiprocessors", NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  POSF("sm_clock_mhz", "SM clock the peak FLOP/s assume"),
  POSF("peak_bf16_flops", "dense BF16 tensor-core FLOP/s"),
  POSF("peak_fp8_flops", "dense FP8 tensor-core FLOP/s"),
  {"hbm_bw", SCEN_BW, "HBM bandwidth", NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  {"trace_from", SCEN_STR, "GPU whose measured trace applies (results/traces/<name>.csv)", "''", 0, 0, 0, 0, NULL,
   NULL, 0, NULL},
  END,
};

const scen_key cli_gpu_keys[] = {
  {"name", SCEN_STR, "GPU preset name", NULL, 1, 0, 0, 0, NULL, NULL, 0, NULL},
  {"compute", SCEN_MAP, "compute part of the GPU", NULL, 1, 0, 0, 0, NULL, gpu_compute_keys, 0, NULL},
  END,
};

static const scen_key compute_keys[] = {
  CLI_GPU_KEY(1),
  CLI_TRACE_KEYS,
  {"op", SCEN_ENUM, "GPU op", NULL, 1, 0, 0, 0, op_vals, NULL, 0, NULL},
  {"impl", SCEN_STR, "implementation as named in the trace (empty: first of dtype)", "''", 0, 0, 0, 0, NULL, NULL, 0,
   NULL},
  {"baseline_impl", SCEN_STR,
   "also time this implementation of the same shape and record the overhead over it (empty: none)", "''", 0, 0,
   0, 0, NULL, NULL, 0, NULL},
  {"dtype", SCEN_STR, "data type as named in the trace (empty: any); fp8* uses the FP8 peak", "''", 0, 0, 0, 0, NULL,
   NULL, 0, NULL},
  DIM("batch", "mla_decode: requests"),
  DIM("context", "mla_decode: tokens of KV per request"),
  DIM("heads", "mla_decode: query heads (128 for DeepSeek-V3)"),
  DIM("m", "gemm, quant: rows (tokens)"),
  DIM("n", "gemm: output columns"),
  DIM("k", "gemm: reduction dim; quant: row length"),
  DIM("tokens_per_expert", "moe_ffn: tokens routed to each expert"),
  DIM("experts", "moe_ffn: experts on the GPU"),
  DIM("hidden", "moe_ffn: model width"),
  DIM("moe_inter", "moe_ffn: expert intermediate size"),
  DIM("elements", "logfmt_copy: elements"),
  DIM("nbits", "logfmt_copy: LogFMT bits"),
  DIM("bytes", "copy: bytes"),
  {"work_flops", SCEN_F64, "FLOPs of the op for the roofline (0: derived where the model can)", "0", 0, SCEN_MIN, 0,
   0, NULL, NULL, 0, NULL},
  {"work_bytes", SCEN_BYTES, "bytes moved for the roofline (0: derived where the model can)", "0B", 0, 0, 0, 0,
   NULL, NULL, 0, NULL},
  END,
};

/* Which scenario keys give d0..d3 of each op (see compute.h). */
static const char *const dims[COMP_OP_COUNT][4] = {
  [COMP_OP_MLA_DECODE] = {"batch", "context", "heads", NULL},
  [COMP_OP_GEMM] = {"m", "n", "k", NULL},
  [COMP_OP_MOE_FFN] = {"tokens_per_expert", "experts", "hidden", "moe_inter"},
  [COMP_OP_LOGFMT_COPY] = {"elements", "nbits", NULL, NULL},
  [COMP_OP_COPY] = {"bytes", NULL, NULL, NULL},
  [COMP_OP_QUANT] = {"m", "k", NULL, NULL},
};

comp_gpu cli_gpu_from_scen(const scen *s) {
  comp_gpu g = {
    scen_str(s, "gpu.name"),
    (int)scen_int(s, "gpu.compute.sm_count"),
    scen_f64(s, "gpu.compute.sm_clock_mhz") * 1e6,
    scen_f64(s, "gpu.compute.peak_bf16_flops"),
    scen_f64(s, "gpu.compute.peak_fp8_flops"),
    scen_bw_Bps(s, "gpu.compute.hbm_bw"),
    scen_str(s, "gpu.compute.trace_from"),
  };
  return g;
}

int cli_comp_from_scen(const scen *s, comp_gpu *gp, comp_model *m, comp_trace **t, char *err, size_t errlen) {
  *gp = cli_gpu_from_scen(s);
  const comp_gpu *g = gp;
  *t = NULL;
  if (scen_bool(s, "use_trace")) {
    char dir[1024], path[1200];
    const char *td = scen_str(s, "traces_dir");
    if (!td[0]) {
      snprintf(dir, sizeof dir, "%s/results/traces", CS_SOURCE_DIR);
      td = dir;
    }
    comp_trace_path_for(g, td, path, sizeof path);
    if (comp_trace_load(path, t, err, errlen) < 0) return -1;
  }
  if (comp_model_init(m, g, *t, err, errlen) < 0) {
    comp_trace_free(*t);
    *t = NULL;
    return -1;
  }
  return 0;
}

static int compute_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)replicate;
  comp_op op;
  if (comp_op_parse(scen_str(s, "op"), &op) < 0) {
    snprintf(err, errlen, "op: unknown '%s'", scen_str(s, "op"));
    return -1;
  }
  comp_trace *t = NULL;
  comp_gpu g;
  comp_model m;
  if (cli_comp_from_scen(s, &g, &m, &t, err, errlen) < 0) return -1;
  const char *impl = scen_str(s, "impl"), *dtype = scen_str(s, "dtype");
  comp_query q = {op, impl[0] ? impl : NULL, dtype[0] ? dtype : NULL, {0, 0, 0, 0},
                  scen_f64(s, "work_flops"), scen_bytes(s, "work_bytes")};
  for (int i = 0; i < 4; i++)
    if (dims[op][i]) q.d[i] = scen_int(s, dims[op][i]);
  comp_result r;
  int rc = comp_duration(&m, &q, &r, err, errlen);
  /* Work for an achieved rate, where the query states it: FLOPs, else bytes. */
  double work = q.flops > 0.0 ? q.flops : q.bytes;
  const char *work_unit = q.flops > 0.0 ? "FLOP/s" : "B/s";
  if (rc == 0) {
    res_run_metric(out, "duration", r.time_s, "s");
    res_run_metric(out, "duration_us", r.time_s * 1e6, "us");
    res_run_param(out, "derived.source", comp_source_name(r.source));
    res_run_param(out, "derived.trace_file", r.file ? r.file : "");
    res_run_param(out, "derived.proxy_trace", r.proxy ? "yes" : "no");
    res_run_param(out, "derived.detail", r.detail);
    if (work > 0.0) res_run_metric(out, "achieved_rate", work / r.time_s, work_unit);
  }
  const char *base = scen_str(s, "baseline_impl");
  if (rc == 0 && base[0]) {
    comp_query bq = q;
    bq.impl = base;
    bq.dtype = NULL;   /* the baseline may move another type (e.g. a plain BF16 copy) */
    comp_result br;
    rc = comp_duration(&m, &bq, &br, err, errlen);
    if (rc == 0) {
      res_run_metric(out, "baseline_duration_us", br.time_s * 1e6, "us");
      res_run_metric(out, "overhead_pct", 100.0 * (r.time_s / br.time_s - 1.0), "%");
      res_run_param(out, "derived.baseline_source", comp_source_name(br.source));
    }
  }
  comp_trace_free(t);
  return rc;
}

const cli_experiment cli_exp_compute = {
  "compute_op",
  "duration of one GPU op (MLA decode, GEMM, MoE FFN, LogFMT copy) from the kernel trace or a roofline",
  compute_keys,
  compute_run,
  NULL,
};
