/* compute.c: kernel traces, shape interpolation and the roofline (see compute.h).
 *
 * Interpolation is piecewise linear in log(time) over log(dimension): kernel times follow power
 * laws over wide shape ranges (a GEMM's time is ~linear in M once the GPU is full, an MLA decode's
 * ~linear in context), so log-log is exact for a power law and never goes negative. Two axes
 * (MLA: batch x context) use bilinear interpolation in the same log space on the rectangle of the
 * four nearest measured corners; a missing corner falls through to the next source rather than
 * guessing. Nothing is extrapolated: outside the measured range the roofline answers and says so.
 * Cost: a linear scan of the rows per query (traces hold hundreds of rows; the workload generators
 * cache per-shape durations, so no index is kept).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute.h"

typedef comp_trace_row comp_row;

struct comp_trace {
  char path[512];
  comp_trace_meta meta;
  comp_row *rows;
  size_t nrows, cap;
};

static const char *const op_names[COMP_OP_COUNT] = {"mla_decode", "gemm", "moe_ffn", "logfmt_copy", "copy",
                                                             "quant"};
static const char *const src_names[] = {"trace_exact", "trace_interp", "roofline"};

const char *comp_op_name(comp_op op) { return (unsigned)op < COMP_OP_COUNT ? op_names[op] : "?"; }

int comp_op_parse(const char *name, comp_op *out) {
  for (int i = 0; i < COMP_OP_COUNT; i++)
    if (strcmp(name, op_names[i]) == 0) {
      *out = (comp_op)i;
      return 0;
    }
  return -1;
}

const char *comp_source_name(comp_source s) { return (unsigned)s <= COMP_SRC_ROOFLINE ? src_names[s] : "?"; }

/* Interpolation layout per op: axes (log-log interpolation) and keys (must match exactly). */
typedef struct op_spec {
  int naxes;
  int axis[2];
  int nkeys;
  int key[3];
} op_spec;

static const op_spec specs[COMP_OP_COUNT] = {
  {2, {0, 1}, 1, {2, 0, 0}},    /* mla_decode: batch x context at equal heads */
  {1, {0, 0}, 2, {1, 2, 0}},    /* gemm: M at equal (N, K) */
  {1, {0, 0}, 3, {1, 2, 3}},    /* moe_ffn: tokens/expert at equal experts, hidden, inter */
  {1, {0, 0}, 1, {1, 0, 0}},    /* logfmt_copy: elements at equal nbits */
  {1, {0, 0}, 0, {0, 0, 0}},    /* copy: bytes */
  {1, {0, 0}, 1, {1, 0, 0}},    /* quant: M at equal K */
};

/* ------------------------------------------------------------------ loading */

static void rstrip(char *s) {
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
}

static char *lstrip(char *s) {
  while (isspace((unsigned char)*s)) s++;
  return s;
}

static void copy_str(char *dst, size_t len, const char *src) {
  snprintf(dst, len, "%s", src);
}

static int parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *lstrip(end) != '\0' || errno == ERANGE) return -1;
  *out = v;
  return 0;
}

static int parse_i64(const char *s, int64_t *out) {
  if (*s == '\0') {               /* empty dimension: unused */
    *out = 0;
    return 0;
  }
  double v;
  if (parse_double(s, &v) < 0 || v != floor(v) || fabs(v) > 9.0e15) return -1;
  *out = (int64_t)v;
  return 0;
}

static void meta_line(comp_trace_meta *m, char *key, char *val) {
  rstrip(key);
  val = lstrip(val);
  rstrip(val);
  double d = 0.0;
  int isnum = parse_double(val, &d) == 0;
  if (strcmp(key, "gpu") == 0) copy_str(m->gpu, sizeof m->gpu, val);
  else if (strcmp(key, "sm_count") == 0 && isnum && d >= 0.0 && d <= 1e6 && d == floor(d))
    m->sm_count = (int)d;   /* an absurd count is ignored like a non-number (a cast would be UB) */
  else if (strcmp(key, "sm_clock_mhz") == 0 && isnum) m->sm_clock_mhz = d;
  else if (strcmp(key, "mem_clock_mhz") == 0 && isnum) m->mem_clock_mhz = d;
  else if (strcmp(key, "driver") == 0) copy_str(m->driver, sizeof m->driver, val);
  else if (strcmp(key, "cuda_runtime") == 0) copy_str(m->cuda_runtime, sizeof m->cuda_runtime, val);
  else if (strcmp(key, "cublas") == 0) copy_str(m->cublas, sizeof m->cublas, val);
  else if (strcmp(key, "date") == 0) copy_str(m->date, sizeof m->date, val);
  else if (strcmp(key, "ceiling_copy_GBps") == 0 && isnum) m->ceiling_copy_GBps = d;
  else if (strcmp(key, "ceiling_bf16_tflops") == 0 && isnum) m->ceiling_bf16_tflops = d;
  else if (strcmp(key, "ceiling_fp8_tflops") == 0 && isnum) m->ceiling_fp8_tflops = d;
}

/* Splits a CSV line in place on commas (the trace has no quoted fields). Returns the field count. */
static int split_csv(char *line, char **f, int maxf) {
  int n = 0;
  char *p = line;
  for (;;) {
    if (n == maxf) return maxf + 1;
    f[n++] = p;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = '\0';
    p = c + 1;
  }
  for (int i = 0; i < n; i++) {
    f[i] = lstrip(f[i]);
    rstrip(f[i]);
  }
  return n;
}

#define NCOLS 14

static int parse_row(comp_trace *t, char *line, int lineno, char *err, size_t errlen) {
  char *f[NCOLS + 1];
  int n = split_csv(line, f, NCOLS);
  if (n != NCOLS) {
    snprintf(err, errlen, "%s:%d: %d fields, expected %d (%s)", t->path, lineno, n, NCOLS,
             COMP_TRACE_COLUMNS);
    return -1;
  }
  comp_row r;
  memset(&r, 0, sizeof r);
  if (comp_op_parse(f[0], &r.op) < 0) {
    char allowed[256] = "";
    for (int i = 0; i < COMP_OP_COUNT; i++) {
      if (i) strncat(allowed, ", ", sizeof allowed - strlen(allowed) - 1);
      strncat(allowed, op_names[i], sizeof allowed - strlen(allowed) - 1);
    }
    snprintf(err, errlen, "%s:%d: op '%s' unknown; allowed: %s", t->path, lineno, f[0], allowed);
    return -1;
  }
  copy_str(r.impl, sizeof r.impl, f[1]);
  copy_str(r.dtype, sizeof r.dtype, f[2]);
  static const char *const dnames[4] = {"d0", "d1", "d2", "d3"};
  for (int i = 0; i < 4; i++)
    if (parse_i64(f[3 + i], &r.d[i]) < 0 || r.d[i] < 0) {
      snprintf(err, errlen, "%s:%d: %s '%s' is not a non-negative integer", t->path, lineno, dnames[i], f[3 + i]);
      return -1;
    }
  if (parse_double(f[7], &r.flops) < 0 || parse_double(f[8], &r.bytes) < 0) {
    snprintf(err, errlen, "%s:%d: flops '%s' or bytes '%s' is not a number", t->path, lineno, f[7], f[8]);
    return -1;
  }
  if (parse_double(f[9], &r.time_us) < 0 || !(r.time_us > 0.0) || !isfinite(r.time_us)) {
    snprintf(err, errlen, "%s:%d: time_us '%s' must be a positive number", t->path, lineno, f[9]);
    return -1;
  }
  if (t->nrows == t->cap) {
    size_t nc = t->cap ? 2 * t->cap : 64;
    comp_row *nr = realloc(t->rows, nc * sizeof *nr);
    if (!nr) {
      snprintf(err, errlen, "%s: out of memory at %zu rows", t->path, t->nrows);
      return -1;
    }
    t->rows = nr;
    t->cap = nc;
  }
  t->rows[t->nrows++] = r;
  return 0;
}

int comp_trace_load(const char *path, comp_trace **out, char *err, size_t errlen) {
  *out = NULL;
  FILE *fp = fopen(path, "r");
  if (!fp) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  comp_trace *t = calloc(1, sizeof *t);
  if (!t) {
    fclose(fp);
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  copy_str(t->path, sizeof t->path, path);
  char line[4096];
  int lineno = 0, state = 0;      /* 0: expect magic, 1: header lines, 2: rows */
  int rc = 0;
  while (rc == 0 && fgets(line, sizeof line, fp)) {
    lineno++;
    if (!strchr(line, '\n') && !feof(fp)) {
      snprintf(err, errlen, "%s:%d: line longer than %zu characters", path, lineno, sizeof line - 1);
      rc = -1;
      break;
    }
    rstrip(line);
    if (state == 0) {
      size_t ml = strlen(COMP_TRACE_MAGIC);
      char *end;
      long v = strncmp(line, COMP_TRACE_MAGIC, ml) == 0 ? strtol(line + ml, &end, 10) : -1;
      if (v < 1 || *end != '\0') {
        snprintf(err, errlen, "%s:%d: not a clustersim kernel trace: the first line must be '%s%d', found '%.60s'",
                 path, lineno, COMP_TRACE_MAGIC, COMP_TRACE_VERSION, line);
        rc = -1;
      } else if (v > COMP_TRACE_VERSION) {
        snprintf(err, errlen, "%s:%d: kernel trace version %ld is newer than this build reads (%d); "
                 "update clustersim or re-run the kernel bench", path, lineno, v, COMP_TRACE_VERSION);
        rc = -1;
      }
      t->meta.version = (int)v;
      state = 1;
      continue;
    }
    if (line[0] == '\0') continue;
    if (line[0] == '#') {
      char *colon = strchr(line + 1, ':');
      if (colon) {
        *colon = '\0';
        meta_line(&t->meta, lstrip(line + 1), colon + 1);
      }
      continue;
    }
    if (state == 1) {
      char hdr[sizeof line];
      size_t j = 0;
      for (size_t i = 0; line[i] && j + 1 < sizeof hdr; i++)
        if (!isspace((unsigned char)line[i])) hdr[j++] = line[i];
      hdr[j] = '\0';
      if (strcmp(hdr, COMP_TRACE_COLUMNS) != 0) {
        snprintf(err, errlen, "%s:%d: CSV header '%.200s' differs from the expected '%s'", path, lineno, line,
                 COMP_TRACE_COLUMNS);
        rc = -1;
      }
      state = 2;
      continue;
    }
    rc = parse_row(t, line, lineno, err, errlen);
  }
  if (rc == 0 && ferror(fp)) {
    snprintf(err, errlen, "%s: read error", path);
    rc = -1;
  }
  if (rc == 0 && state == 0) {
    snprintf(err, errlen, "%s: empty file, expected the line '%s%d'", path, COMP_TRACE_MAGIC, COMP_TRACE_VERSION);
    rc = -1;
  }
  if (rc == 0 && state < 2) {
    snprintf(err, errlen, "%s: no CSV header '%s'", path, COMP_TRACE_COLUMNS);
    rc = -1;
  }
  fclose(fp);
  if (rc < 0) {
    comp_trace_free(t);
    return -1;
  }
  *out = t;
  return 0;
}

void comp_trace_free(comp_trace *t) {
  if (!t) return;
  free(t->rows);
  free(t);
}

const comp_trace_meta *comp_trace_meta_get(const comp_trace *t) { return &t->meta; }
const char *comp_trace_path(const comp_trace *t) { return t->path; }
size_t comp_trace_nrows(const comp_trace *t) { return t->nrows; }
const comp_trace_row *comp_trace_row_at(const comp_trace *t, size_t i) { return i < t->nrows ? &t->rows[i] : NULL; }

const char *comp_trace_path_for(const comp_gpu *g, const char *traces_dir, char *buf, size_t len) {
  const char *who = g->trace_from && g->trace_from[0] ? g->trace_from : g->name;
  snprintf(buf, len, "%s/%s.csv", traces_dir, who);
  return buf;
}

/* ------------------------------------------------------------------ model */

static int contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  if (n == 0) return 1;
  for (; *hay; hay++) {
    size_t i = 0;
    while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) i++;
    if (i == n) return 1;
  }
  return 0;
}

int comp_model_init(comp_model *m, const comp_gpu *gpu, const comp_trace *trace, char *err, size_t errlen) {
  memset(m, 0, sizeof *m);
  m->gpu = gpu;
  m->trace = trace;
  if (!trace) return 0;
  const char *who = gpu->trace_from && gpu->trace_from[0] ? gpu->trace_from : gpu->name;
  if (trace->meta.gpu[0] && !contains_ci(trace->meta.gpu, who)) {
    snprintf(err, errlen, "%s: trace measured on '%s', but GPU preset '%s' takes its trace from '%s'", trace->path,
             trace->meta.gpu, gpu->name, who);
    return -1;
  }
  if (trace->meta.sm_count > 0 && gpu->sm_count > 0 && trace->meta.sm_count != gpu->sm_count) {
    snprintf(err, errlen, "%s: trace GPU has %d SMs, preset '%s' has %d: the trace does not transfer", trace->path,
             trace->meta.sm_count, gpu->name, gpu->sm_count);
    return -1;
  }
  m->proxy = strcmp(who, gpu->name) != 0;
  return 0;
}

static int row_matches(const comp_row *r, const comp_query *q, const char *impl, const int64_t *keyv) {
  if (r->op != q->op) return 0;
  if (impl && strcmp(r->impl, impl) != 0) return 0;
  if (q->dtype && strcmp(r->dtype, q->dtype) != 0) return 0;
  const op_spec *s = &specs[q->op];
  for (int i = 0; i < s->nkeys; i++)
    if (r->d[s->key[i]] != keyv[s->key[i]]) return 0;
  return 1;
}

/* Time of the first row matching the keys with these axis values; 0 if none. */
static double lookup(const comp_trace *t, const comp_query *q, const char *impl, const int64_t *keyv,
                     const int64_t *axv) {
  const op_spec *s = &specs[q->op];
  for (size_t i = 0; i < t->nrows; i++) {
    const comp_row *r = &t->rows[i];
    if (!row_matches(r, q, impl, keyv)) continue;
    int ok = 1;
    for (int a = 0; a < s->naxes; a++)
      if (r->d[s->axis[a]] != axv[a]) ok = 0;
    if (ok) return r->time_us;
  }
  return 0.0;
}

/* Nearest measured values lo <= x <= hi along axis a among matching rows. 0 if x is bracketed. */
static int bracket(const comp_trace *t, const comp_query *q, const char *impl, const int64_t *keyv, int a, int64_t x,
                   int64_t *lo, int64_t *hi) {
  const op_spec *s = &specs[q->op];
  *lo = -1;
  *hi = -1;
  for (size_t i = 0; i < t->nrows; i++) {
    const comp_row *r = &t->rows[i];
    if (!row_matches(r, q, impl, keyv)) continue;
    int64_t v = r->d[s->axis[a]];
    if (v <= 0) continue;
    if (v <= x && (*lo < 0 || v > *lo)) *lo = v;
    if (v >= x && (*hi < 0 || v < *hi)) *hi = v;
  }
  return *lo > 0 && *hi > 0 ? 0 : -1;
}

static double lerp_log(int64_t lo, int64_t hi, double tlo, double thi, int64_t x) {
  if (lo == hi) return tlo;
  double w = (log((double)x) - log((double)lo)) / (log((double)hi) - log((double)lo));
  return exp(log(tlo) + w * (log(thi) - log(tlo)));
}

/* Interpolated time (us) at the query's axes for the keys keyv; 0 when not covered. */
static double interp(const comp_trace *t, const comp_query *q, const char *impl, const int64_t *keyv, char *how,
                     size_t howlen) {
  const op_spec *s = &specs[q->op];
  int64_t lo[2], hi[2];
  for (int a = 0; a < s->naxes; a++)
    if (q->d[s->axis[a]] <= 0 || bracket(t, q, impl, keyv, a, q->d[s->axis[a]], &lo[a], &hi[a]) < 0) return 0.0;
  if (s->naxes == 1) {
    int64_t x = q->d[s->axis[0]];
    double tl = lookup(t, q, impl, keyv, &lo[0]), th = lookup(t, q, impl, keyv, &hi[0]);
    if (tl <= 0.0 || th <= 0.0) return 0.0;
    snprintf(how, howlen, "log-log over d%d between %lld and %lld", s->axis[0], (long long)lo[0], (long long)hi[0]);
    return lerp_log(lo[0], hi[0], tl, th, x);
  }
  int64_t x0 = q->d[s->axis[0]], x1 = q->d[s->axis[1]];
  int64_t c[4][2] = {{lo[0], lo[1]}, {lo[0], hi[1]}, {hi[0], lo[1]}, {hi[0], hi[1]}};
  double tc[4];
  for (int i = 0; i < 4; i++) {
    tc[i] = lookup(t, q, impl, keyv, c[i]);
    if (tc[i] <= 0.0) return 0.0;               /* incomplete rectangle: do not guess */
  }
  double a0 = lerp_log(lo[1], hi[1], tc[0], tc[1], x1);   /* at lo[0] */
  double a1 = lerp_log(lo[1], hi[1], tc[2], tc[3], x1);   /* at hi[0] */
  snprintf(how, howlen, "bilinear log-log over d%d %lld..%lld x d%d %lld..%lld", s->axis[0], (long long)lo[0],
           (long long)hi[0], s->axis[1], (long long)lo[1], (long long)hi[1]);
  return lerp_log(lo[0], hi[0], a0, a1, x0);
}

/* "fp8", "fp8_e4m3", "fp8_e5m2": the FP8 family (the kernel bench writes "fp8_e4m3"). */
static int is_fp8(const char *dtype) { return dtype && strncmp(dtype, "fp8", 3) == 0; }

static double elem_bytes(const char *dtype) {
  if (is_fp8(dtype)) return 1.0;
  if (dtype && strcmp(dtype, "fp32") == 0) return 4.0;
  return 2.0;
}

static void fill_result(comp_result *out, double time_us, comp_source src, const comp_model *m) {
  out->time_s = time_us * 1e-6;
  out->time_ps = (uint64_t)llround(time_us * 1e6);
  out->source = src;
  out->file = src == COMP_SRC_ROOFLINE ? NULL : m->trace->path;
  out->proxy = src == COMP_SRC_ROOFLINE ? 0 : m->proxy;
}

int comp_duration(const comp_model *m, const comp_query *q, comp_result *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if ((unsigned)q->op >= COMP_OP_COUNT) {
    snprintf(err, errlen, "compute: op %d out of range", (int)q->op);
    return -1;
  }
  for (int i = 0; i < 4; i++)
    if (q->d[i] < 0) {
      snprintf(err, errlen, "compute: %s d%d = %lld is negative", comp_op_name(q->op), i, (long long)q->d[i]);
      return -1;
    }
  const comp_trace *t = m->trace;
  if (t) {
    /* impl: the query's, else the first one measured for this op and dtype (never mix impls) */
    const char *impl = q->impl;
    if (!impl)
      for (size_t i = 0; i < t->nrows && !impl; i++)
        if (t->rows[i].op == q->op && (!q->dtype || strcmp(t->rows[i].dtype, q->dtype) == 0)) impl = t->rows[i].impl;
    if (impl) {
      const op_spec *s = &specs[q->op];
      int64_t axv[2] = {q->d[s->axis[0]], q->d[s->axis[1]]};
      double tu = lookup(t, q, impl, q->d, axv);
      if (tu > 0.0) {
        fill_result(out, tu, COMP_SRC_TRACE_EXACT, m);
        snprintf(out->detail, sizeof out->detail, "%s %s row of %s", comp_op_name(q->op), impl, t->path);
        return 0;
      }
      char how[160];
      tu = interp(t, q, impl, q->d, how, sizeof how);
      if (tu > 0.0) {
        fill_result(out, tu, COMP_SRC_TRACE_INTERP, m);
        snprintf(out->detail, sizeof out->detail, "%s %s: %s", comp_op_name(q->op), impl, how);
        return 0;
      }
      if (q->op == COMP_OP_GEMM && q->d[1] > 0 && q->d[2] > 0) {
        /* nearest measured (N, K) in log distance whose M range covers the query; scale by FLOPs */
        double best = INFINITY;
        int64_t bk[4] = {0, 0, 0, 0};
        for (size_t i = 0; i < t->nrows; i++) {
          const comp_row *r = &t->rows[i];
          if (r->op != COMP_OP_GEMM || strcmp(r->impl, impl) != 0 || (q->dtype && strcmp(r->dtype, q->dtype) != 0) ||
              r->d[1] <= 0 || r->d[2] <= 0)
            continue;
          double dist = fabs(log((double)r->d[1] / (double)q->d[1])) + fabs(log((double)r->d[2] / (double)q->d[2]));
          if (dist >= best) continue;
          int64_t kv[4] = {q->d[0], r->d[1], r->d[2], 0};
          comp_query q2 = *q;
          q2.d[1] = r->d[1];
          q2.d[2] = r->d[2];
          double t2 = lookup(t, &q2, impl, kv, kv);
          if (t2 <= 0.0) t2 = interp(t, &q2, impl, kv, how, sizeof how);
          if (t2 > 0.0) {
            best = dist;
            memcpy(bk, kv, sizeof bk);
            tu = t2;
          }
        }
        if (best < INFINITY) {
          double scale = ((double)q->d[1] * (double)q->d[2]) / ((double)bk[1] * (double)bk[2]);
          fill_result(out, tu * scale, COMP_SRC_TRACE_INTERP, m);
          snprintf(out->detail, sizeof out->detail, "gemm %s: M=%lld at nearest N=%lld K=%lld, scaled by FLOPs x%.4g",
                   impl, (long long)q->d[0], (long long)bk[1], (long long)bk[2], scale);
          return 0;
        }
      }
    }
  }
  /* roofline */
  double flops = q->flops, bytes = q->bytes;
  if (flops <= 0.0 && bytes <= 0.0) {
    if (q->op == COMP_OP_GEMM) {
      double M = (double)q->d[0], N = (double)q->d[1], K = (double)q->d[2];
      flops = 2.0 * M * N * K;
      bytes = (M * K + K * N) * elem_bytes(q->dtype) + M * N * 2.0;
    } else if (q->op == COMP_OP_COPY) {
      bytes = 2.0 * (double)q->d[0];            /* read + write */
    } else if (q->op == COMP_OP_MLA_DECODE) {
      /* per request: heads x context x (QK^T over the latent+rope dims + PV over the latent);
       * bytes: the KV cache once, plus queries and outputs, all BF16 */
      double b = (double)q->d[0], ctx = (double)q->d[1], h = (double)q->d[2];
      flops = 2.0 * b * h * ctx * (COMP_MLA_KV_DIM + COMP_MLA_V_DIM);
      bytes = 2.0 * b * (ctx * COMP_MLA_KV_DIM + h * (COMP_MLA_KV_DIM + COMP_MLA_V_DIM));
    } else if (q->op == COMP_OP_MOE_FFN) {
      /* experts x (gate + up + down GEMMs) over tokens/expert; weights read once, activations in BF16 */
      double tpe = (double)q->d[0], e = (double)q->d[1], d = (double)q->d[2], f = (double)q->d[3];
      flops = 2.0 * 3.0 * tpe * e * d * f;
      bytes = e * 3.0 * d * f * elem_bytes(q->dtype) + 2.0 * tpe * e * d * 2.0;
    } else if (q->op == COMP_OP_QUANT) {
      /* read BF16, write E4M3 and one FP32 scale per 128 elements */
      double n = (double)q->d[0] * (double)q->d[1];
      bytes = n * 2.0 + n + n / 128.0 * 4.0;
    } else if (q->op == COMP_OP_LOGFMT_COPY) {
      /* read BF16, write BF16 (encode+decode fused into the copy) */
      bytes = 4.0 * (double)q->d[0];
    }
  }
  if (flops <= 0.0 && bytes <= 0.0) {
    snprintf(err, errlen, "compute: no trace covers %s (d = %lld, %lld, %lld, %lld) and the query gives neither "
             "flops nor bytes for the roofline", comp_op_name(q->op), (long long)q->d[0], (long long)q->d[1],
             (long long)q->d[2], (long long)q->d[3]);
    return -1;
  }
  const comp_gpu *g = m->gpu;
  double peak = is_fp8(q->dtype) ? g->peak_fp8_flops : g->peak_bf16_flops;
  if (!(peak > 0.0) || !(g->hbm_Bps > 0.0)) {
    snprintf(err, errlen, "compute: GPU preset '%s' lacks peak FLOP/s or HBM bandwidth for the roofline", g->name);
    return -1;
  }
  double tc = flops / peak, tm = bytes / g->hbm_Bps;
  fill_result(out, (tc > tm ? tc : tm) * 1e6, COMP_SRC_ROOFLINE, m);
  snprintf(out->detail, sizeof out->detail, "roofline on %s: %s-bound (%.4g FLOP, %.4g B)", g->name,
           tc > tm ? "compute" : "memory", flops, bytes);
  return 0;
}
