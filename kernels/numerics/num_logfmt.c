/* num_logfmt.c: LogFMT-nBit (paper section 3.2), encode and decode of 1xM tiles.
 *
 * Grid of one tile: kmax = 2^(n-1) - 1 magnitude codes; code k >= 1 stands for
 *   v(k) = exp(min_ln + step * (k - 1)),  step = (max_ln - min_ln) / (kmax - 1),
 * so code 1 is the tile minimum (S.00..01) and code kmax the maximum (S.11..11); code 0 is zero.
 * min_ln is clamped to max_ln - ln(2^32). min_ln and step are stored as FP32 and the encoder
 * rounds against the grid the decoder will rebuild from those two floats, so encode(decode)
 * is consistent to the last bit.
 *
 * Rounding in linear space (the paper's choice, "important ... for the unbiased activation
 * quantization"): among the grid values around |x| (and 0 below v(1)), take the one nearest to
 * |x| in value. Nearest in log space would put the threshold at the geometric mean of two grid
 * points, below their arithmetic mean, and so round up more often than down: a magnitude bias
 * (measured by the `logfmt` experiment's mean_rel_bias with rounding: log).
 *
 * Cost: one log per element and up to four exp per element (the candidates). The GPU kernel can
 * do better (one exp and a compare against a precomputed midpoint), and must agree with this.
 */
#include <math.h>
#include <stdlib.h>

#include "num.h"

static unsigned kmax_of(int nbits) { return (1u << (nbits - 1)) - 1u; }

float num_logfmt_value(const num_logfmt_tile *t, unsigned k) {
  if (k == 0) return 0.0f;
  return (float)exp((double)t->min_ln + (double)t->step * (double)(k - 1));
}

double num_logfmt_bits_per_elem(int nbits, size_t tile) {
  return (double)nbits + 64.0 / (double)(tile ? tile : 1);
}

/* Magnitude code for a > 0. */
static unsigned pick_code(const num_logfmt_cfg *c, const num_logfmt_tile *t, unsigned kmax, double a) {
  if (t->step == 0.0f) {
    /* every nonzero magnitude of the tile is the same value v(1) (up to FP32 rounding of min_ln) */
    double v1 = (double)num_logfmt_value(t, 1);
    if (c->rounding == NUM_LOGFMT_ROUND_LINEAR && a < 0.5 * v1) return 0;
    return 1;
  }
  double tpos = (log(a) - (double)t->min_ln) / (double)t->step;  /* 0 at v(1), kmax-1 at v(kmax) */
  if (c->rounding == NUM_LOGFMT_ROUND_LOG) {
    if (tpos < -0.5) return 0;
    double k = nearbyint(tpos) + 1.0;
    if (k < 1.0) k = 1.0;
    if (k > (double)kmax) k = (double)kmax;
    /* tpos carries FP rounding: settle the exact log-space nearest among k-1, k, k+1 */
    unsigned kb = (unsigned)k;
    double la = log(a), best = INFINITY;
    unsigned lo = kb > 1 ? kb - 1 : 1, hi = kb < kmax ? kb + 1 : kmax, res = kb;
    for (unsigned q = lo; q <= hi; q++) {
      double d = fabs(la - log((double)num_logfmt_value(t, q)));
      if (d < best) { best = d; res = q; }
    }
    return res;
  }
  /* linear: candidates around floor(tpos) + 1, code 0 (value 0) included below v(1) */
  double j = floor(tpos);
  if (j < -1.0) j = -1.0;
  if (j > (double)kmax) j = (double)kmax;
  long lo = (long)j, hi = (long)j + 3;         /* codes j .. j+3 around the bracket j+1, j+2 */
  if (lo < 0) lo = 0;
  if (hi > (long)kmax) hi = (long)kmax;
  unsigned res = (unsigned)lo;
  double best = INFINITY;
  for (long q = lo; q <= hi; q++) {
    double d = fabs(a - (double)num_logfmt_value(t, (unsigned)q));
    /* strictly nearer wins; an exact tie goes to the even code (round half to even) */
    if (d < best || (d == best && (q & 1) == 0)) { best = d; res = (unsigned)q; }
  }
  return res;
}

int num_logfmt_encode(const num_logfmt_cfg *c, const float *x, size_t m, uint16_t *codes,
                      num_logfmt_tile *tile) {
  if (c->nbits < NUM_LOGFMT_MIN_BITS || c->nbits > NUM_LOGFMT_MAX_BITS) return -1;
  unsigned kmax = kmax_of(c->nbits);
  double lmin = INFINITY, lmax = -INFINITY;
  for (size_t i = 0; i < m; i++) {
    if (!isfinite(x[i])) return -1;
    double a = fabs((double)x[i]);
    if (a > 0.0) {
      double l = log(a);
      if (l < lmin) lmin = l;
      if (l > lmax) lmax = l;
    }
  }
  if (lmax == -INFINITY) {                      /* all zero */
    tile->min_ln = 0.0f;
    tile->step = 0.0f;
    for (size_t i = 0; i < m; i++) codes[i] = (uint16_t)(signbit(x[i]) ? 1u << (c->nbits - 1) : 0u);
    return 0;
  }
  double range = (c->range_log2 > 0.0 ? c->range_log2 : NUM_LOGFMT_RANGE_LOG2) * log(2.0);
  if (lmin < lmax - range) lmin = lmax - range;
  tile->min_ln = (float)lmin;
  double st = (lmax - (double)tile->min_ln) / (double)(kmax - 1);
  tile->step = (float)(st > 0.0 ? st : 0.0);
  for (size_t i = 0; i < m; i++) {
    double a = fabs((double)x[i]);
    unsigned k = a > 0.0 ? pick_code(c, tile, kmax, a) : 0u;
    unsigned s = signbit(x[i]) ? 1u : 0u;
    codes[i] = (uint16_t)((s << (c->nbits - 1)) | k);
  }
  return 0;
}

void num_logfmt_decode(const num_logfmt_cfg *c, const uint16_t *codes, size_t m,
                       const num_logfmt_tile *tile, float *out) {
  unsigned kmax = kmax_of(c->nbits);
  for (size_t i = 0; i < m; i++) {
    unsigned k = codes[i] & kmax;
    float v = num_logfmt_value(tile, k);
    out[i] = (codes[i] >> (c->nbits - 1)) & 1u ? -v : v;
  }
}

int num_logfmt_roundtrip(const num_logfmt_cfg *c, const float *x, size_t n, size_t tile, float *out) {
  if (tile == 0) tile = n ? n : 1;
  uint16_t *codes = malloc(tile * sizeof *codes);
  if (!codes) return -1;
  int rc = 0;
  for (size_t t0 = 0; t0 < n && rc == 0; t0 += tile) {
    size_t m = n - t0 < tile ? n - t0 : tile;
    num_logfmt_tile hdr;
    rc = num_logfmt_encode(c, x + t0, m, codes, &hdr);
    if (rc == 0) num_logfmt_decode(c, codes, m, &hdr, out + t0);
  }
  free(codes);
  return rc;
}
