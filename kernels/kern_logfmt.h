/* kern_logfmt.h: LogFMT-nBit encode/decode (paper section 3.2), fused into copies.
 *
 * Per 1x128 tile of bf16 values x_i:
 *   lmax = log2 max|x_i|, lmin = max(log2 min_{x_i != 0} |x_i|, lmax - 32)   (range ~ E5)
 *   K = 2^(n-1) - 1 magnitude codes; step = (lmax - lmin) / (K - 1)
 *   code 0 = zero; code k in 1..K decodes to sign * 2^(lmin + step * (k - 1))
 *   (so lmin is S.00..01 and lmax is S.11..11, as in the paper).
 * Rounding is to the nearest level in LINEAR space (the paper's unbiased choice): between the
 * levels L_k and L_{k+1} = L_k * 2^step the value goes up iff |x| > (L_k + L_{k+1}) / 2, which in
 * log space is frac((log2|x| - lmin)/step) > thr, thr = log2((1 + 2^step) / 2) / step (one
 * constant per tile, so encoding needs one log2 per element and no exp2). Below lmin the choice
 * is between 0 and 2^lmin with the same rule (threshold 2^lmin / 2). If lmax == lmin every
 * nonzero value codes to 1. A tile of zeros has meta (0, 0) and codes 0.
 * Storage: one byte per code (sign in bit n-1), meta = (lmin, step) as two floats per tile.
 * n must be 3..8; element counts must be multiples of 128. */
#ifndef KERN_LOGFMT_H
#define KERN_LOGFMT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KERN_LOGFMT_TILE 128

int kern_logfmt_encode(const void *x, uint8_t *codes, float *meta, size_t n, int nbits);
int kern_logfmt_decode(const uint8_t *codes, const float *meta, void *y, size_t n, int nbits);
/* Encode and decode in one pass: y = decode(encode(x)), reading and writing bf16 once, i.e. the
 * arithmetic of both ends of a LogFMT transfer fused into a copy. */
int kern_logfmt_roundtrip(const void *x, void *y, size_t n, int nbits);
/* Plain bf16 copy with the same access pattern (16-byte loads and stores), for comparison. */
int kern_copy_bf16(const void *x, void *y, size_t n);

#ifdef __cplusplus
}
#endif
#endif
