/* num_data.c: seeded generators of activation-like data and error statistics.
 *
 * The RNG is xoshiro256** seeded through splitmix64 (public-domain reference algorithms by
 * Blackman and Vigna), kept here rather than GSL's so that kernels/ depends on libm only and the
 * CUDA bench can reproduce the same inputs. Normals by Box-Muller, one value per call (simple
 * and stateless beyond the four words; speed is not the point here).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void num_rng_seed(num_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t num_rng_next(num_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5u, 7) * 9u;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double num_rng_uniform(num_rng *r) { return (double)(num_rng_next(r) >> 11) * 0x1.0p-53; }

double num_rng_normal(num_rng *r) {
  double u1 = 1.0 - num_rng_uniform(r);       /* (0, 1]: log is finite */
  double u2 = num_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t num_seed_mix(uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t x = seed ^ (a * 0xD1B54A32D192ED03ull);
  uint64_t y = splitmix64(&x) ^ (b * 0x8CB92BA72F3D8DD7ull);
  return splitmix64(&y);
}

static const char *const dist_names[NUM_DIST_COUNT] = {"gaussian", "student_t", "lognormal", "mixture",
                                                        "outlier_channels"};

const char *num_dist_name(num_dist d) { return (unsigned)d < NUM_DIST_COUNT ? dist_names[d] : "?"; }

int num_dist_parse(const char *name, num_dist *out) {
  for (int i = 0; i < NUM_DIST_COUNT; i++)
    if (strcmp(name, dist_names[i]) == 0) {
      *out = (num_dist)i;
      return 0;
    }
  return -1;
}

/* Shape parameters of the generators (inputs of an experiment, not answers; see docs/numerics.md). */
#define T_NU 3                  /* Student t degrees of freedom */
#define LOGN_SIGMA 1.5          /* lognormal magnitudes: sigma of ln|x| */
#define MIX_P 0.05              /* mixture: weight of the wide component */
#define MIX_SCALE 20.0          /*          its standard deviation */
#define CH_SIGMA 0.5            /* outlier_channels: sigma of ln(channel scale) */
#define CH_OUTLIER_P 0.005      /*                   fraction of outlier channels */
#define CH_OUTLIER_SCALE 50.0   /*                   their extra gain */

/* Scale of channel c: a pure function of (seed, c), so any slice of the data can be regenerated. */
static double channel_scale(uint64_t seed, uint64_t c) {
  num_rng r;
  num_rng_seed(&r, num_seed_mix(seed, 0x6368616eull, c));
  double s = exp(CH_SIGMA * num_rng_normal(&r));
  if (num_rng_uniform(&r) < CH_OUTLIER_P) s *= CH_OUTLIER_SCALE;
  return s;
}

void num_dist_fill(num_dist d, uint64_t seed, size_t channels, float *x, size_t n) {
  num_rng r;
  num_rng_seed(&r, num_seed_mix(seed, 0x64617461ull, (uint64_t)d));
  if (channels == 0) channels = 7168;
  for (size_t i = 0; i < n; i++) {
    double v;
    switch (d) {
    case NUM_DIST_STUDENT_T: {
      double z = num_rng_normal(&r), chi2 = 0.0;
      for (int j = 0; j < T_NU; j++) {
        double g = num_rng_normal(&r);
        chi2 += g * g;
      }
      v = z / sqrt(chi2 / T_NU);
      break;
    }
    case NUM_DIST_LOGNORMAL: {
      double m = exp(LOGN_SIGMA * num_rng_normal(&r));
      v = num_rng_uniform(&r) < 0.5 ? -m : m;
      break;
    }
    case NUM_DIST_MIXTURE: {
      double z = num_rng_normal(&r);
      v = num_rng_uniform(&r) < MIX_P ? MIX_SCALE * z : z;
      break;
    }
    case NUM_DIST_OUTLIER_CHANNELS:
      v = channel_scale(seed, i % channels) * num_rng_normal(&r);
      break;
    case NUM_DIST_GAUSSIAN:
    default:
      v = num_rng_normal(&r);
      break;
    }
    x[i] = (float)v;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int num_err_compute(const float *x, const float *q, size_t n, num_err_stats *out) {
  memset(out, 0, sizeof *out);
  out->n = n;
  double *rel = malloc((n ? n : 1) * sizeof *rel);
  if (!rel) return -1;
  double se = 0.0, sx = 0.0, sabs = 0.0, sbias = 0.0, srel = 0.0, mx = 0.0;
  size_t nz = 0, flushed = 0;
  for (size_t i = 0; i < n; i++) {
    double xv = (double)x[i], qv = (double)q[i], d = qv - xv;
    se += d * d;
    sx += xv * xv;
    sabs += fabs(xv);
    sbias += fabs(qv) - fabs(xv);
    if (xv != 0.0) {
      double re = fabs(d) / fabs(xv);
      rel[nz++] = re;
      srel += re;
      if (re > mx) mx = re;
      if (qv == 0.0) flushed++;
    }
  }
  out->n_nonzero = nz;
  out->rel_rmse = sx > 0.0 ? sqrt(se / sx) : 0.0;
  out->mean_rel_bias = sabs > 0.0 ? sbias / sabs : 0.0;
  if (nz > 0) {
    qsort(rel, nz, sizeof *rel, cmp_double);
    size_t rank = (size_t)ceil(0.99 * (double)nz);   /* nearest-rank percentile, 1-based */
    out->p99_rel_err = rel[(rank ? rank : 1) - 1];
    out->mean_rel_err = srel / (double)nz;
    out->max_rel_err = mx;
    out->zero_flush_frac = (double)flushed / (double)nz;
  }
  free(rel);
  return 0;
}
