/* sim_stats.c: statistics helpers on GSL. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_histogram.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim_int.h"
#include "sim_stats.h"

int sim_summarize(const double *x, size_t n, sim_summary *out) {
  memset(out, 0, sizeof *out);
  if (n == 0) return -1;
  double *s = sim__xmalloc(n * sizeof *s);
  memcpy(s, x, n * sizeof *s);
  gsl_sort(s, 1, n);
  out->n = n;
  out->mean = gsl_stats_mean(s, 1, n);
  out->stddev = (n > 1) ? gsl_stats_sd_m(s, 1, n, out->mean) : 0.0;
  out->min = s[0];
  out->max = s[n - 1];
  out->p50 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.50);
  out->p90 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.90);
  out->p99 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.99);
  out->p999 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.999);
  free(s);
  return 0;
}

double sim_quantile_sorted(const double *sorted, size_t n, double q) {
  if (n == 0) return NAN;
  if (q < 0.0) q = 0.0;
  if (q > 1.0) q = 1.0;
  return gsl_stats_quantile_from_sorted_data(sorted, 1, n, q);
}

void sim_moments_init(sim_moments *m) {
  m->n = 0;
  m->mean = 0.0;
  m->m2 = 0.0;
  m->min = INFINITY;
  m->max = -INFINITY;
}

/* Welford's update: numerically stable where the two-pass sum of squares would cancel. */
void sim_moments_add(sim_moments *m, double x) {
  m->n++;
  double d = x - m->mean;
  m->mean += d / (double)m->n;
  m->m2 += d * (x - m->mean);
  if (x < m->min) m->min = x;
  if (x > m->max) m->max = x;
}

double sim_moments_var(const sim_moments *m) {
  return (m->n < 2) ? 0.0 : m->m2 / (double)(m->n - 1);
}

struct sim_hist {
  gsl_histogram *g;
  uint64_t under, over;
};

sim_hist *sim_hist_new(size_t nbins, double lo, double hi) {
  if (nbins == 0 || !(lo < hi) || !isfinite(lo) || !isfinite(hi)) return NULL;
  sim_hist *h = sim__xmalloc(sizeof *h);
  h->g = gsl_histogram_alloc(nbins);
  if (!h->g) SIM_FATAL("gsl_histogram_alloc(%zu) failed", nbins);
  gsl_histogram_set_ranges_uniform(h->g, lo, hi);
  h->under = h->over = 0;
  return h;
}

void sim_hist_free(sim_hist *h) {
  if (!h) return;
  gsl_histogram_free(h->g);
  free(h);
}

/* NaN is counted in over: it belongs to no bin and must not vanish from the totals. */
void sim_hist_add(sim_hist *h, double x) {
  if (x < h->g->range[0]) {
    h->under++;
  } else if (!(x < h->g->range[h->g->n])) {
    h->over++;
  } else if (gsl_histogram_increment(h->g, x) != 0) {
    h->over++; /* rounding at the top edge: cannot happen for x < hi, kept for safety */
  }
}

size_t sim_hist_nbins(const sim_hist *h) { return h->g->n; }
double sim_hist_count(const sim_hist *h, size_t bin) { return gsl_histogram_get(h->g, bin); }
void sim_hist_range(const sim_hist *h, size_t bin, double *lo, double *hi) {
  gsl_histogram_get_range(h->g, bin, lo, hi);
}
uint64_t sim_hist_under(const sim_hist *h) { return h->under; }
uint64_t sim_hist_over(const sim_hist *h) { return h->over; }
