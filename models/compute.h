/* compute.h: the compute model, prefix comp_. Durations of GPU ops from measured kernel traces,
 * interpolated by shape, with a roofline for shapes no trace covers. Every answer says where it
 * came from (comp_source) and from which file, so figures can record it.
 *
 * Trace file (written by the kernel bench in kernels/, e.g. results/traces/h100.csv):
 *   # clustersim kernel trace v1          <- magic + version, first line; newer versions refused
 *   # gpu: NVIDIA H100 80GB HBM3          <- "# key: value" provenance lines: gpu, sm_count,
 *   # ...                                    sm_clock_mhz, mem_clock_mhz, driver, cuda_runtime,
 *                                            cublas, date, ceiling_copy_GBps, ceiling_bf16_tflops,
 *                                            ceiling_fp8_tflops (unknown keys are kept out, ignored)
 *   op,impl,dtype,d0,d1,d2,d3,flops,bytes,time_us,tflops,gbps,pct_ceiling,repeats
 *   gemm,cublaslt_fp8_blockscaled,fp8,4096,7168,2048,0,1.2e11,...
 * Dimensions per op:
 *   mla_decode   d0 batch, d1 context, d2 heads          interp: bilinear log-log over (d0, d1)
 *   gemm         d0 M, d1 N, d2 K                        interp: log-log over M at equal (N, K);
 *                                                        else nearest (N, K) scaled by FLOPs
 *   moe_ffn      d0 tokens/expert, d1 experts, d2 hidden, d3 moe_inter   interp over d0
 *   logfmt_copy  d0 elements, d1 nbits                   interp over d0
 *   copy         d0 bytes                                interp over d0
 *   quant        d0 M, d1 K (1x128 activation tiles)     interp over d0 at equal K
 * Lookup order: exact row (TRACE_EXACT) -> interpolation inside the measured range, never
 * extrapolation (TRACE_INTERP) -> roofline max(flops / peak, bytes / hbm_Bps) (ROOFLINE).
 * Duplicate shapes: the first row wins (the bench writes one row per shape; repeats are inside it).
 *
 * Lifetime: comp_trace from comp_trace_load, freed by comp_trace_free (NULL ok). A comp_model
 * holds pointers to a comp_gpu and a comp_trace owned by the caller, which must outlive it.
 * Errors: functions return 0 or -1 with a message "FILE:LINE: what; expected ..." in err.
 */
#ifndef CLUSTERSIM_COMPUTE_H
#define CLUSTERSIM_COMPUTE_H

#include <stddef.h>
#include <stdint.h>

#define COMP_TRACE_MAGIC "# clustersim kernel trace v"
#define COMP_TRACE_VERSION 1
/* The MLA decode op is DeepSeek-V3's absorbed form as kernels/ implements it: each head reads the
 * latent KV row of 512 + 64 (rope) dims and writes 512 (used by the roofline's work count). */
#define COMP_MLA_KV_DIM 576
#define COMP_MLA_V_DIM 512

#define COMP_TRACE_COLUMNS "op,impl,dtype,d0,d1,d2,d3,flops,bytes,time_us,tflops,gbps,pct_ceiling,repeats"

typedef enum comp_op {
  COMP_OP_MLA_DECODE = 0,
  COMP_OP_GEMM,
  COMP_OP_MOE_FFN,
  COMP_OP_LOGFMT_COPY,
  COMP_OP_COPY,
  COMP_OP_QUANT,               /* BF16 -> E4M3 with 1x128 scales alone */
  COMP_OP_COUNT
} comp_op;

typedef enum comp_source {
  COMP_SRC_TRACE_EXACT = 0,   /* a measured row of this very shape */
  COMP_SRC_TRACE_INTERP,      /* interpolated (or FLOP-scaled) between measured rows */
  COMP_SRC_ROOFLINE           /* no trace covers it: peak FLOP/s and HBM bandwidth of the preset */
} comp_source;

const char *comp_op_name(comp_op op);            /* "mla_decode", "gemm", ... */
int comp_op_parse(const char *name, comp_op *out);
const char *comp_source_name(comp_source s);     /* "trace_exact", "trace_interp", "roofline" */

/* Hardware preset, compute part (scenarios/hardware/gpu-*.yaml; each number's source is there). */
typedef struct comp_gpu {
  const char *name;            /* preset name, e.g. "h800" */
  int sm_count;
  double sm_clock_hz;          /* boost clock the peak FLOP/s assume */
  double peak_bf16_flops;      /* dense tensor-core FLOP/s */
  double peak_fp8_flops;       /* dense tensor-core FLOP/s */
  double hbm_Bps;              /* HBM bandwidth, bytes/s */
  const char *trace_from;      /* GPU whose trace this one uses (h800 -> "h100": same SMs and
                                  clocks, different NVLink); NULL or "": its own name */
} comp_gpu;

/* Provenance of a trace, from its header lines (empty string / 0 where absent). */
typedef struct comp_trace_meta {
  int version;
  char gpu[128];
  int sm_count;
  double sm_clock_mhz, mem_clock_mhz;
  char driver[64], cuda_runtime[64], cublas[64], date[64];
  double ceiling_copy_GBps, ceiling_bf16_tflops, ceiling_fp8_tflops;
} comp_trace_meta;

typedef struct comp_trace comp_trace;

/* One measured row (time_us > 0 always). */
typedef struct comp_trace_row {
  comp_op op;
  char impl[48];
  char dtype[16];
  int64_t d[4];
  double flops, bytes, time_us;
} comp_trace_row;

int comp_trace_load(const char *path, comp_trace **out, char *err, size_t errlen);
void comp_trace_free(comp_trace *t);
const comp_trace_meta *comp_trace_meta_get(const comp_trace *t);
const char *comp_trace_path(const comp_trace *t);
size_t comp_trace_nrows(const comp_trace *t);
const comp_trace_row *comp_trace_row_at(const comp_trace *t, size_t i);   /* NULL past the end */

/* "<traces_dir>/<trace_from or name>.csv" into buf; returns buf. */
const char *comp_trace_path_for(const comp_gpu *g, const char *traces_dir, char *buf, size_t len);

typedef struct comp_model {
  const comp_gpu *gpu;
  const comp_trace *trace;     /* NULL: roofline only */
  int proxy;                   /* 1: the trace was measured on another GPU (gpu->trace_from) */
} comp_model;

/* Checks that the trace belongs to the preset: the preset's trace_from (or name) must occur in the
 * trace's `gpu:` line (case-insensitive) and the SM counts must agree where both are known. */
int comp_model_init(comp_model *m, const comp_gpu *gpu, const comp_trace *trace, char *err, size_t errlen);

typedef struct comp_query {
  comp_op op;
  const char *impl;            /* e.g. "cublaslt_fp8_blockscaled"; NULL: the first impl of dtype */
  const char *dtype;           /* as in the trace ("fp8_e4m3", "bf16"); NULL: any. Selects rows; a
                                  name starting "fp8" takes the FP8 peak in the roofline, else BF16 */
  int64_t d[4];                /* see the table above; unused dims 0 */
  double flops, bytes;         /* for the roofline and FLOP scaling; 0: derived from the shape
                                  (gemm 2MNK, A and B in dtype, C in BF16; mla_decode; moe_ffn;
                                  copy 2 x d0; quant; logfmt_copy) */
} comp_query;

typedef struct comp_result {
  double time_s;
  uint64_t time_ps;
  comp_source source;
  const char *file;            /* the trace's path for TRACE_*, NULL for ROOFLINE */
  int proxy;                   /* the trace is another GPU's (see comp_model.proxy) */
  char detail[768];            /* how it was obtained, for logs and reports */
} comp_result;

/* 0, or -1 when the query is malformed or the roofline lacks flops and bytes. */
int comp_duration(const comp_model *m, const comp_query *q, comp_result *out, char *err, size_t errlen);

#endif
