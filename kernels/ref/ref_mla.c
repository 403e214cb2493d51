/* ref_mla.c: MLA decode attention reference (absorbed form), double precision. */
#include "kern_ref.h"
#include "kern.h"

#include <math.h>
#include <stdlib.h>

enum { DQK = 576, DV = 512 };

void kern_ref_mla_decode(const uint16_t *q, const uint16_t *kv_cache, const int *block_table,
                         int page_size, int seqlen, int heads, float softmax_scale, double *out) {
  double *s = malloc((size_t)(seqlen > 0 ? seqlen : 1) * sizeof *s);
  double *kvrow = malloc(DQK * sizeof *kvrow);
  double *acc = malloc(DV * sizeof *acc);
  double *qf = malloc(DQK * sizeof *qf);
  if (!s || !kvrow || !acc || !qf) abort();
  for (int h = 0; h < heads; ++h) {
    for (int d = 0; d < DQK; ++d) qf[d] = kern_bf16_to_f32(q[(size_t)h * DQK + d]);
    double mx = -INFINITY;
    for (int j = 0; j < seqlen; ++j) {
      const uint16_t *row =
          kv_cache + ((size_t)block_table[j / page_size] * page_size + j % page_size) * DQK;
      double dot = 0.0;
      for (int d = 0; d < DQK; ++d) dot += qf[d] * kern_bf16_to_f32(row[d]);
      s[j] = dot * softmax_scale;
      if (s[j] > mx) mx = s[j];
    }
    double sum = 0.0;
    for (int d = 0; d < DV; ++d) acc[d] = 0.0;
    for (int j = 0; j < seqlen; ++j) {
      const uint16_t *row =
          kv_cache + ((size_t)block_table[j / page_size] * page_size + j % page_size) * DQK;
      const double p = exp(s[j] - mx);
      sum += p;
      for (int d = 0; d < DV; ++d) acc[d] += p * kern_bf16_to_f32(row[d]);
    }
    for (int d = 0; d < DV; ++d) out[(size_t)h * DV + d] = sum > 0.0 ? acc[d] / sum : 0.0;
  }
  free(s);
  free(kvrow);
  free(acc);
  free(qf);
}

double kern_ref_rel_err(const double *a, const double *b, size_t n) {
  double num = 0.0, den = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (!isfinite(a[i])) return INFINITY;
    const double d = a[i] - b[i];
    num += d * d;
    den += b[i] * b[i];
  }
  return den > 0.0 ? sqrt(num / den) : sqrt(num);
}
