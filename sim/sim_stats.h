/* sim_stats.h: statistics helpers on GSL (summaries, percentiles, histograms, streaming moments). */
#ifndef CLUSTERSIM_SIM_STATS_H
#define CLUSTERSIM_SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_summary {
  size_t n;
  double mean, stddev, min, max;
  double p50, p90, p99, p999;
} sim_summary;

/* Summary of x[0..n) (x is copied and sorted internally; x itself is left untouched).
 * 0, or -1 when n == 0 (out is zeroed). Percentiles by gsl_stats_quantile_from_sorted_data. */
int sim_summarize(const double *x, size_t n, sim_summary *out);
/* q in [0,1] of already-sorted data. */
double sim_quantile_sorted(const double *sorted, size_t n, double q);

/* Streaming mean/variance (Welford), for when samples are not kept. */
typedef struct sim_moments { uint64_t n; double mean, m2, min, max; } sim_moments;
void sim_moments_init(sim_moments *m);
void sim_moments_add(sim_moments *m, double x);
double sim_moments_var(const sim_moments *m);   /* sample variance; 0 when n < 2 */

/* Histogram with fixed uniform bins on [lo, hi) (gsl_histogram inside); values outside are
 * counted in under/over. Opaque; sim_hist_free(NULL) is a no-op. */
typedef struct sim_hist sim_hist;
sim_hist *sim_hist_new(size_t nbins, double lo, double hi);
void sim_hist_free(sim_hist *h);
void sim_hist_add(sim_hist *h, double x);
size_t sim_hist_nbins(const sim_hist *h);
double sim_hist_count(const sim_hist *h, size_t bin);
void sim_hist_range(const sim_hist *h, size_t bin, double *lo, double *hi);
uint64_t sim_hist_under(const sim_hist *h);
uint64_t sim_hist_over(const sim_hist *h);

#endif
