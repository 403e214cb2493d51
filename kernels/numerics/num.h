/* num.h: CPU emulation of the low-precision number formats of the paper (section 3), prefix num_.
 *
 * Plain C (C11, no CUDA), so the same header serves the CPU tests, the `logfmt` and `fp8_accum`
 * experiments, and the CUDA kernels in kernels/ as their CPU reference (validate-then-benchmark).
 * See docs/numerics.md for the exact reading of the paper behind every choice here.
 *
 *   formats   BF16, FP16, FP8 E4M3 (OCP, max 448, no inf, saturating), FP8 E5M2 (IEEE-like,
 *             inf/nan): round-to-nearest-even with subnormals; bit encode/decode.
 *   scaling   per-tile quantization as in DeepSeek-V3: 1x128 activation tiles, 128x128 weight
 *             blocks, scale = amax / format_max in FP32.
 *   LogFMT    LogFMT-nBit (paper 3.2): per 1x128 tile, log-space grid between min and max of
 *             log|x|, min clamped to max - ln(2^32), code 0 = zero, rounding in linear space.
 *   accum     Hopper FP8 tensor-core accumulation (paper 3.1.1): groups of 32 products aligned to
 *             the largest exponent, truncated to 13 fraction bits, accumulated in an FP22 register
 *             (1+8+13); FP32 accumulation; FP22 with promotion to FP32 every N_c products.
 *   data      seeded generators (xoshiro256**) of activation-like data, and error statistics.
 *
 * Every function is pure apart from its output buffers; nothing allocates except num_err_compute
 * (a scratch copy for the percentile) and num_accum_experiment. No global state.
 */
#ifndef CLUSTERSIM_NUM_H
#define CLUSTERSIM_NUM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ formats */

typedef enum num_fmt {
  NUM_FMT_BF16 = 0,   /* 1+8+7, inf/nan, RNE */
  NUM_FMT_FP16,       /* 1+5+10 IEEE half */
  NUM_FMT_E4M3,       /* OCP FP8 E4M3: bias 7, max 448 (S.1111.110), S.1111.111 = NaN, no inf */
  NUM_FMT_E5M2,       /* OCP FP8 E5M2: bias 15, max 57344, inf and NaN as IEEE */
  NUM_FMT_COUNT
} num_fmt;

typedef struct num_fmt_info {
  const char *name;      /* "bf16", "fp16", "e4m3", "e5m2" */
  int exp_bits, man_bits;
  int bias;
  int emin;              /* exponent of the smallest normal, 1 - bias */
  double max_finite;     /* largest finite magnitude */
  int has_inf;           /* 1: overflow rounds to inf (IEEE); 0: saturates to +-max_finite */
} num_fmt_info;

const num_fmt_info *num_fmt_get(num_fmt f);
/* 0 and *out set, or -1 for an unknown name. */
int num_fmt_parse(const char *name, num_fmt *out);

/* x rounded to the nearest value of format f, ties to even, with subnormals. Overflow: inf where
 * the format has it (BF16, FP16, E5M2: values >= max + half an ulp), else saturation to +-max
 * (E4M3, as CUDA's __NV_SATFINITE; +-inf also saturates). NaN stays NaN. Exact for every double x:
 * one rounding, no intermediate float. */
double num_round(num_fmt f, double x);
/* Bit pattern of num_round(f, x), in the low 8 (FP8) or 16 bits. NaN: 0x7F (E4M3), 0x7F (E5M2),
 * 0x7FC0 (BF16), 0x7E00 (FP16). */
uint16_t num_encode(num_fmt f, double x);
double num_decode(num_fmt f, uint16_t bits);

/* x rounded to `man_bits` fraction bits with exponent >= emin (subnormals below), no overflow
 * handling: the building block of the above, exposed for the accumulation emulation and tests.
 * trunc = 1: toward zero instead of to nearest even. */
double num_round_bits(double x, int man_bits, int emin, int trunc);

/* ------------------------------------------------------------------ scaled quantization */

/* Quantize-dequantize n values in consecutive tiles of `tile` elements (the last may be short):
 *   amax = max |x| over the tile; scale = amax / max_finite(f) in FP32 (DeepSeek-V3: amax/448);
 *   q = round_f(x / scale) with the division in FP32; out = q * scale in FP32.
 * An all-zero tile gets scale 0 and zeros. BF16 and FP16 are rounded without scaling (scale 1).
 * scales (n_tiles = ceil(n/tile) floats) may be NULL. out may equal x. */
void num_quant_tiles(num_fmt f, const float *x, size_t n, size_t tile, float *out, float *scales);

/* Same on a row-major rows x cols matrix in br x bc blocks (128x128 for weights in DeepSeek-V3).
 * scales: ceil(rows/br) x ceil(cols/bc) floats, row-major, may be NULL. */
void num_quant_blocks(num_fmt f, const float *w, size_t rows, size_t cols, size_t br, size_t bc,
                      float *out, float *scales);

/* ------------------------------------------------------------------ LogFMT-nBit */

#define NUM_LOGFMT_MIN_BITS 3      /* 1 sign + 2 magnitude bits: codes 0 (zero), 1, 2, 3 */
#define NUM_LOGFMT_MAX_BITS 16
#define NUM_LOGFMT_RANGE_LOG2 32.0 /* paper: min >= max - log(2^32), "similar to E5" */

typedef enum num_logfmt_rounding {
  NUM_LOGFMT_ROUND_LINEAR = 0,  /* paper: nearest grid point in linear value (default) */
  NUM_LOGFMT_ROUND_LOG          /* ablation: nearest in log space (biased up in magnitude) */
} num_logfmt_rounding;

/* Per-tile side information, sent with the codes: ln of the smallest kept magnitude and the grid
 * step in ln units, both FP32 (64 bits per tile: 0.5 bit per element for 1x128 tiles). The
 * decoded magnitude of code k >= 1 is exp(min_ln + step * (k - 1)), computed in double from the
 * two floats and rounded to FP32. */
typedef struct num_logfmt_tile {
  float min_ln;
  float step;
} num_logfmt_tile;

typedef struct num_logfmt_cfg {
  int nbits;                       /* n: 1 sign bit + (n-1) magnitude bits, 3..16 */
  num_logfmt_rounding rounding;
  double range_log2;               /* min clamp: min >= max - range_log2 * ln 2; 0: default 32 */
} num_logfmt_cfg;

/* Encodes one tile of m values into m codes (sign in bit n-1, magnitude code k in the low n-1
 * bits; k = 0 is zero, k = 1 the tile minimum, k = 2^(n-1)-1 the tile maximum).
 * 0, or -1 for a bad cfg (nbits out of range) or a non-finite input (LogFMT has no inf/nan). */
int num_logfmt_encode(const num_logfmt_cfg *c, const float *x, size_t m, uint16_t *codes,
                      num_logfmt_tile *tile);
void num_logfmt_decode(const num_logfmt_cfg *c, const uint16_t *codes, size_t m,
                       const num_logfmt_tile *tile, float *out);
/* The magnitude of code k (0 for k = 0) under tile t. */
float num_logfmt_value(const num_logfmt_tile *t, unsigned k);
/* Encode + decode of n values in tiles of `tile` elements. 0 or -1 as num_logfmt_encode. */
int num_logfmt_roundtrip(const num_logfmt_cfg *c, const float *x, size_t n, size_t tile, float *out);
/* Wire bits per element: nbits + 64 / tile. */
double num_logfmt_bits_per_elem(int nbits, size_t tile);

/* ------------------------------------------------------------------ accumulation */

typedef enum num_accum_kind {
  NUM_ACC_FP32 = 0,       /* sequential FP32 adds of the (exact) products, RNE: CUDA-core FMA */
  NUM_ACC_FP22,           /* Hopper FP8 tensor core: whole K in the limited register */
  NUM_ACC_FP22_PROMOTE,   /* FP22 partial sums copied into an FP32 register every N_c products */
  NUM_ACC_COUNT
} num_accum_kind;

const char *num_accum_name(num_accum_kind k);          /* "fp32", "fp22", "fp22_promote" */
int num_accum_parse(const char *name, num_accum_kind *out);

typedef struct num_accum_cfg {
  num_accum_kind kind;
  int frac_bits;          /* fraction bits kept of aligned products and register: 13 on Hopper */
  int group;              /* products aligned together: 32 = K of one FP8 wgmma (m64nNk32) */
  int promote_interval;   /* FP22_PROMOTE: products per promotion, 128 in DeepSeek-V3 */
  int register_rne;       /* 0: the register normalisation truncates (default); 1: RNE */
} num_accum_cfg;

/* cfg with the Hopper defaults: frac_bits 13, group 32, promote_interval 128, truncation. */
num_accum_cfg num_accum_default(num_accum_kind kind);

/* Dot product of a and b (k elements; FP8 values in practice, whose products are exact in FP32)
 * under the accumulation cfg. Returns the final register value as a double. */
double num_dot(const num_accum_cfg *c, const float *a, const float *b, size_t k);
/* float64 reference: sum of the exact products in double, compensated (Neumaier). Also returns
 * sum |a_i b_i| in *abs_sum when non-NULL (the normaliser of the relative error). */
double num_dot_ref(const float *a, const float *b, size_t k, double *abs_sum);

/* One tensor-core group step: the register value acc plus the g products p[], aligned to the
 * largest exponent among all g+1 terms, each truncated toward zero to frac_bits fraction bits of
 * that exponent, summed exactly, then normalised into the register (frac_bits, 8-bit exponent). */
double num_fp22_group(double acc, const double *p, size_t g, int frac_bits, int register_rne);

typedef enum num_acc_inputs {
  NUM_IN_POSITIVE = 0,    /* |N(0,1)| rounded to E4M3: every product >= 0, no cancellation */
  NUM_IN_ZERO_MEAN,       /* N(0,1) rounded to E4M3: products of both signs */
  NUM_IN_COUNT
} num_acc_inputs;

const char *num_acc_inputs_name(num_acc_inputs in);    /* "positive", "zero_mean" */
int num_acc_inputs_parse(const char *name, num_acc_inputs *out);
/* k E4M3 values (unscaled: N(0,1) fits E4M3's range), deterministic in seed. */
void num_fp8_inputs(num_acc_inputs in, uint64_t seed, float *x, size_t k);

typedef struct num_accum_stats {
  int trials;
  double rel_err_mean;    /* mean over trials of |dot - ref| / sum |a_i b_i| */
  double rel_err_p99;     /* 99th percentile (nearest rank) */
  double rel_err_max;
  double signed_mean;     /* mean of (dot - ref) / sum |a_i b_i|: truncation drifts negative */
} num_accum_stats;

/* `trials` dot products of length k with fresh inputs a, b per trial (streams derived from seed
 * and the trial index), under cfg, against num_dot_ref. The relative error is normalised by
 * sum |a_i b_i| (equal to |ref| for positive inputs; well-defined under cancellation for zero-mean
 * ones). 0, or -1 when allocation fails or trials < 1. */
int num_accum_experiment(const num_accum_cfg *c, num_acc_inputs in, size_t k, int trials, uint64_t seed,
                         num_accum_stats *out);

/* ------------------------------------------------------------------ data and statistics */

typedef struct num_rng {
  uint64_t s[4];
} num_rng;

/* xoshiro256** seeded through splitmix64 (Blackman & Vigna); identical streams on every platform. */
void num_rng_seed(num_rng *r, uint64_t seed);
uint64_t num_rng_next(num_rng *r);
double num_rng_uniform(num_rng *r);            /* [0, 1), 53 bits */
double num_rng_normal(num_rng *r);             /* N(0,1), Box-Muller (one value per call) */
/* Mixes (seed, a, b) into an independent stream seed (splitmix64 finaliser). */
uint64_t num_seed_mix(uint64_t seed, uint64_t a, uint64_t b);

typedef enum num_dist {
  NUM_DIST_GAUSSIAN = 0,     /* N(0,1) */
  NUM_DIST_STUDENT_T,        /* Student t with 3 degrees of freedom: heavy tails */
  NUM_DIST_LOGNORMAL,        /* random sign x exp(N(0, 1.5^2)): wide magnitude range */
  NUM_DIST_MIXTURE,          /* 0.95 N(0,1) + 0.05 N(0, 20^2) */
  NUM_DIST_OUTLIER_CHANNELS, /* N(0,1) x per-channel scale exp(N(0,0.5^2)); 0.5% channels x 50 */
  NUM_DIST_COUNT
} num_dist;

const char *num_dist_name(num_dist d);   /* "gaussian", "student_t", "lognormal", "mixture", "outlier_channels" */
int num_dist_parse(const char *name, num_dist *out);
/* n values, FP32, deterministic in seed. `channels` is the row width for outlier_channels (element
 * i lies in channel i % channels; 7168 = DeepSeek-V3 hidden size); ignored by the others. */
void num_dist_fill(num_dist d, uint64_t seed, size_t channels, float *x, size_t n);

typedef struct num_err_stats {
  size_t n, n_nonzero;
  double rel_rmse;           /* sqrt(sum (q-x)^2 / sum x^2) */
  double mean_rel_err;       /* mean over nonzero x of |q-x|/|x| */
  double p99_rel_err;        /* 99th percentile of the same (nearest rank) */
  double max_rel_err;
  double zero_flush_frac;    /* fraction of nonzero x decoded as 0 */
  double mean_rel_bias;      /* sum (|q|-|x|) / sum |x|: magnitude bias */
} num_err_stats;

/* 0, or -1 when the scratch allocation fails. */
int num_err_compute(const float *x, const float *q, size_t n, num_err_stats *out);

#ifdef __cplusplus
}
#endif
#endif
