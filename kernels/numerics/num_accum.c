/* num_accum.c: emulation of Hopper's FP8 tensor-core accumulation (paper section 3.1.1).
 *
 * The paper: "After aligning 32 mantissa products by right-shifting based on the maximum exponent,
 * the Tensor Core only maintains their highest 13 fraction bits for addition, and truncates bits
 * exceeding this range. Addition results are accumulated to FP22 registers (1 sign bit, 8 exponent
 * bits, and 13 mantissa bits)."
 *
 * Model (num_fp22_group): per group of g = 32 products (the K of one FP8 wgmma instruction,
 * m64nNk32, so one group per instruction) together with the register value c:
 *   E   = max exponent over {c, p_1..p_g} (nonzero terms; 2^E <= |v| < 2^(E+1));
 *   v'  = trunc(v / 2^(E-13)) * 2^(E-13) for every term (sign-magnitude right shift);
 *   s   = exact sum of the v' (integers times 2^(E-13): at most 33 * 2^14 units, exact in double);
 *   c'  = s normalised into the register: 13 fraction bits, truncated (default) or RNE, 8-bit
 *         exponent (FP32's range, so no overflow for FP8 inputs).
 * Products of two FP8 values have at most 8 significant bits and are exact in FP32/double.
 * The register truncation is the conservative reading of "truncates"; register_rne = 1 gives the
 * alternative, and docs/numerics.md shows how little it changes.
 *
 * FP32: c = fl32(c + p_i) sequentially (RNE), what CUDA cores do after promotion.
 * FP22_PROMOTE (DeepSeek-V3, N_c = 128): each run of promote_interval products is accumulated from
 * zero in the FP22 model (4 wgmma groups for N_c = 128), then added into an FP32 register.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

static const char *const acc_names[NUM_ACC_COUNT] = {"fp32", "fp22", "fp22_promote"};

const char *num_accum_name(num_accum_kind k) {
  return (unsigned)k < NUM_ACC_COUNT ? acc_names[k] : "?";
}

int num_accum_parse(const char *name, num_accum_kind *out) {
  for (int i = 0; i < NUM_ACC_COUNT; i++)
    if (strcmp(name, acc_names[i]) == 0) {
      *out = (num_accum_kind)i;
      return 0;
    }
  return -1;
}

num_accum_cfg num_accum_default(num_accum_kind kind) {
  num_accum_cfg c;
  c.kind = kind;
  c.frac_bits = 13;
  c.group = 32;
  c.promote_interval = 128;
  c.register_rne = 0;
  return c;
}

static int exp_of(double v) {
  int e;
  (void)frexp(v, &e);
  return e - 1;
}

double num_fp22_group(double acc, const double *p, size_t g, int frac_bits, int register_rne) {
  int emax = INT_MIN;
  if (acc != 0.0) emax = exp_of(acc);
  for (size_t i = 0; i < g; i++)
    if (p[i] != 0.0) {
      int e = exp_of(p[i]);
      if (e > emax) emax = e;
    }
  if (emax == INT_MIN) return acc;              /* all terms zero */
  double ulp = ldexp(1.0, emax - frac_bits);
  double s = trunc(acc / ulp);                  /* acc / ulp and p / ulp are exact scalings */
  for (size_t i = 0; i < g; i++) s += trunc(p[i] / ulp);
  s *= ulp;
  /* register: frac_bits fraction bits, 8-bit exponent (emin -126 as FP32) */
  return num_round_bits(s, frac_bits, -126, !register_rne);
}

/* Adds products p[0..m) into the FP22 register acc, g at a time. */
static double fp22_run(const num_accum_cfg *c, double acc, const double *p, size_t m, size_t g) {
  for (size_t i = 0; i < m; i += g) {
    size_t mm = m - i < g ? m - i : g;
    acc = num_fp22_group(acc, p + i, mm, c->frac_bits, c->register_rne);
  }
  return acc;
}

double num_dot(const num_accum_cfg *c, const float *a, const float *b, size_t k) {
  /* products in chunks so that no allocation is needed: a chunk is a multiple of the group */
  enum { CHUNK = 4096 };
  double p[CHUNK];
  if (c->kind == NUM_ACC_FP32) {
    float acc = 0.0f;
    for (size_t i = 0; i < k; i++) acc += a[i] * b[i];  /* FP8 x FP8 product exact in FP32 */
    return (double)acc;
  }
  size_t g = c->group > 0 ? (size_t)c->group : 32;
  size_t step = g <= CHUNK ? (CHUNK / g) * g : g;   /* products per pass: whole groups */
  if (step > CHUNK) return NAN;                     /* group > 4096: not a tensor core */
  if (c->kind == NUM_ACC_FP22) {                    /* whole K in one register */
    double acc = 0.0;
    for (size_t i0 = 0; i0 < k; i0 += step) {
      size_t m = k - i0 < step ? k - i0 : step;
      for (size_t i = 0; i < m; i++) p[i] = (double)a[i0 + i] * (double)b[i0 + i];
      acc = fp22_run(c, acc, p, m, g);
    }
    return acc;
  }
  /* FP22_PROMOTE: blocks of promote_interval products, each from zero, added into FP32. A block
   * boundary that falls inside a group ends that group early, as a kernel issuing N_c / 32
   * wgmmas per promotion would. */
  size_t nc = c->promote_interval > 0 ? (size_t)c->promote_interval : 128;
  float acc32 = 0.0f;
  for (size_t i0 = 0; i0 < k; i0 += nc) {
    size_t m = k - i0 < nc ? k - i0 : nc;
    double part = 0.0;
    for (size_t j0 = 0; j0 < m; j0 += step) {
      size_t mm = m - j0 < step ? m - j0 : step;
      for (size_t i = 0; i < mm; i++) p[i] = (double)a[i0 + j0 + i] * (double)b[i0 + j0 + i];
      part = fp22_run(c, part, p, mm, g);
    }
    acc32 += (float)part;                       /* an FP22 value is exact in FP32 */
  }
  return (double)acc32;
}

double num_dot_ref(const float *a, const float *b, size_t k, double *abs_sum) {
  double s = 0.0, comp = 0.0, as = 0.0;
  for (size_t i = 0; i < k; i++) {
    double p = (double)a[i] * (double)b[i];     /* exact: 24 x 24 bits < 53 */
    double t = s + p;
    comp += fabs(s) >= fabs(p) ? (s - t) + p : (p - t) + s;  /* Neumaier */
    s = t;
    as += fabs(p);
  }
  if (abs_sum) *abs_sum = as;
  return s + comp;
}

static const char *const in_names[NUM_IN_COUNT] = {"positive", "zero_mean"};

const char *num_acc_inputs_name(num_acc_inputs in) { return (unsigned)in < NUM_IN_COUNT ? in_names[in] : "?"; }

int num_acc_inputs_parse(const char *name, num_acc_inputs *out) {
  for (int i = 0; i < NUM_IN_COUNT; i++)
    if (strcmp(name, in_names[i]) == 0) {
      *out = (num_acc_inputs)i;
      return 0;
    }
  return -1;
}

void num_fp8_inputs(num_acc_inputs in, uint64_t seed, float *x, size_t k) {
  num_rng r;
  num_rng_seed(&r, seed);
  for (size_t i = 0; i < k; i++) {
    double v = num_rng_normal(&r);
    if (in == NUM_IN_POSITIVE) v = fabs(v);
    x[i] = (float)num_round(NUM_FMT_E4M3, v);
  }
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int num_accum_experiment(const num_accum_cfg *c, num_acc_inputs in, size_t k, int trials, uint64_t seed,
                         num_accum_stats *out) {
  memset(out, 0, sizeof *out);
  if (trials < 1 || k == 0) return -1;
  float *a = malloc(k * sizeof *a), *b = malloc(k * sizeof *b);
  double *rel = malloc((size_t)trials * sizeof *rel);
  if (!a || !b || !rel) {
    free(a);
    free(b);
    free(rel);
    return -1;
  }
  double sum = 0.0, ssum = 0.0, mx = 0.0;
  for (int t = 0; t < trials; t++) {
    num_fp8_inputs(in, num_seed_mix(seed, (uint64_t)t, 0xA), a, k);
    num_fp8_inputs(in, num_seed_mix(seed, (uint64_t)t, 0xB), b, k);
    double abs_sum;
    double ref = num_dot_ref(a, b, k, &abs_sum);
    double got = num_dot(c, a, b, k);
    double e = abs_sum > 0.0 ? (got - ref) / abs_sum : 0.0;
    rel[t] = fabs(e);
    sum += fabs(e);
    ssum += e;
    if (fabs(e) > mx) mx = fabs(e);
  }
  qsort(rel, (size_t)trials, sizeof *rel, cmp_d);
  size_t rank = (size_t)ceil(0.99 * (double)trials);
  out->trials = trials;
  out->rel_err_mean = sum / trials;
  out->rel_err_p99 = rel[(rank ? rank : 1) - 1];
  out->rel_err_max = mx;
  out->signed_mean = ssum / trials;
  free(a);
  free(b);
  free(rel);
  return 0;
}
