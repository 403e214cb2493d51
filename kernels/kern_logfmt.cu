/* kern_logfmt.cu: LogFMT-nBit encode / decode / fused round trip (definition in kern_logfmt.h).
 *
 * Decoder and copy: 16 lanes per 128-element tile, 8 bf16 per lane (16-byte loads).
 * Encoder and fused round trip (v3, default; logfmt_enc_v3_kernel below): 4 lanes per tile, 32
 * values per lane, integer-domain range reduction and a branch-free floor via a round-down add;
 * KERN_LOGFMT_VARIANT=2 selects the v2 encoder (16 lanes per tile, ENC_U tiles per lane group).
 * Per element the encoder costs one MUFU.LG2, the decoder one MUFU.EX2 (flush-to-zero forms). */
#include "kern_logfmt.h"
#include "kern.h"
#include "kern_int.h"

namespace {

struct TileParams {
  float lmin, step, inv_step, thr;
  bool zero;
};

/* Range over the tile's 128 values (8 per lane, reduced over the 16-lane half warp). */
__device__ __forceinline__ TileParams tile_params(const float a[8], int nbits, unsigned mask) {
  float amax = 0.f, amin = INFINITY;
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    amax = fmaxf(amax, a[i]);
    if (a[i] > 0.f) amin = fminf(amin, a[i]);
  }
#pragma unroll
  for (int o = 8; o > 0; o >>= 1) {
    amax = fmaxf(amax, __shfl_xor_sync(mask, amax, o));
    amin = fminf(amin, __shfl_xor_sync(mask, amin, o));
  }
  TileParams t;
  t.zero = (amax == 0.f);
  if (t.zero) {
    t.lmin = 0.f; t.step = 0.f; t.inv_step = 0.f; t.thr = 0.f;
    return t;
  }
  const float lmax = __log2f(amax);
  t.lmin = fmaxf(__log2f(amin), lmax - 32.f);
  const int K = (1 << (nbits - 1)) - 1;
  t.step = (lmax - t.lmin) * (1.f / (float)(K - 1));
  if (t.step > 0.f) {
    t.inv_step = 1.f / t.step;
    t.thr = __log2f(0.5f * (1.f + exp2f(t.step))) * t.inv_step;
  } else {
    t.inv_step = 0.f; t.thr = 0.f;
  }
  return t;
}

__device__ __forceinline__ uint32_t encode1(float x, const TileParams &t, int nbits) {
  const float a = fabsf(x);
  const uint32_t sign = (__float_as_uint(x) >> 31) << (nbits - 1);
  if (a == 0.f || t.zero) return sign;
  const int K = (1 << (nbits - 1)) - 1;
  const float d = __log2f(a) - t.lmin;  /* log distance above the lowest level */
  uint32_t k;
  if (d < 0.f || t.step == 0.f) {
    k = d > -1.f ? 1u : 0u;             /* 0 vs 2^lmin, midpoint 2^(lmin-1) */
  } else {
    const float u = d * t.inv_step;
    const float f = floorf(u);
    int kk = (int)f + ((u - f) > t.thr ? 1 : 0);
    kk = min(kk, K - 1);
    k = (uint32_t)kk + 1u;
  }
  return sign | k;
}

__device__ __forceinline__ float ex2_ftz(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}
__device__ __forceinline__ float lg2_ftz(float x) {
  float y;
  asm("lg2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}
/* v3: one exp2 form for the decoder and the fused round trip (bit-identical results): MUFU.EX2
 * with flush-to-zero (bf16 subnormal outputs, below 2^-126, decode to 0) */
__device__ __forceinline__ float decode1(uint32_t c, float lmin, float step, int nbits) {
  const uint32_t K = (1u << (nbits - 1)) - 1u;
  const uint32_t k = c & K;
  const float v = k ? ex2_ftz(fmaf(step, (float)(k - 1), lmin)) : 0.f;
  return (c >> (nbits - 1)) & 1u ? -v : v;
}

__device__ __forceinline__ void store8(__nv_bfloat16 *p, const float v[8]) {
  uint4 pk;
  __nv_bfloat162 *h2 = (__nv_bfloat162 *)&pk;
#pragma unroll
  for (int i = 0; i < 4; ++i) h2[i] = __floats2bfloat162_rn(v[2 * i], v[2 * i + 1]);
  *(uint4 *)p = pk;
}

/* Decode and encode kernels: one 16-byte chunk (8 values) per thread, 16 lanes per tile. */
template <int MODE> /* 1 decode, 3 copy */
__global__ void __launch_bounds__(256) logfmt_kernel(const __nv_bfloat16 *__restrict__ x,
                                                     const uint8_t *__restrict__ codes,
                                                     const float *__restrict__ meta,
                                                     __nv_bfloat16 *__restrict__ y, size_t ntiles,
                                                     int nbits) {
  const size_t tile = ((size_t)blockIdx.x * blockDim.x + threadIdx.x) >> 4;
  const int sub = threadIdx.x & 15;
  if (tile >= ntiles) return;
  const size_t e0 = tile * 128 + (size_t)sub * 8;
  if (MODE == 3) {
    *(uint4 *)(y + e0) = *(const uint4 *)(x + e0);
    return;
  }
  const uint2 raw = *(const uint2 *)(codes + e0);
  const float2 m = *(const float2 *)(meta + 2 * tile);
  float v[8];
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    v[i] = decode1((raw.x >> (8 * i)) & 0xffu, m.x, m.y, nbits);
    v[4 + i] = decode1((raw.y >> (8 * i)) & 0xffu, m.x, m.y, nbits);
  }
  store8(y + e0, v);
}

/* Encoder (MODE 0) and fused round trip (MODE 2): each thread handles U chunks of 8 values
 * (U tiles per 16-lane group, 16 consecutive tiles per block step) and issues all U 16-byte loads
 * before any arithmetic, so that more bytes are in flight while the issue-heavy encode runs (v1
 * had one 16-byte load per thread followed by ~150 dependent instructions). */
constexpr int ENC_U = 4;
template <int MODE>
__global__ void __launch_bounds__(256) logfmt_enc_kernel(const __nv_bfloat16 *__restrict__ x,
                                                         uint8_t *__restrict__ codes,
                                                         float *__restrict__ meta,
                                                         __nv_bfloat16 *__restrict__ y,
                                                         size_t ntiles, int nbits) {
  const int sub = threadIdx.x & 15;
  const unsigned mask = 0xffffu << (threadIdx.x & 16);
  uint4 raw[ENC_U];
  size_t tiles[ENC_U];
#pragma unroll
  for (int u = 0; u < ENC_U; ++u) {
    tiles[u] = ((size_t)blockIdx.x * ENC_U + u) * 16 + (threadIdx.x >> 4);
    if (tiles[u] < ntiles) raw[u] = __ldcs((const uint4 *)(x + tiles[u] * 128 + (size_t)sub * 8));
    else raw[u] = make_uint4(0u, 0u, 0u, 0u);
  }
#pragma unroll
  for (int u = 0; u < ENC_U; ++u) {
    if (tiles[u] >= ntiles) break; /* uniform over the 16 lanes of a tile */
    const size_t e0 = tiles[u] * 128 + (size_t)sub * 8;
    float v[8], a[8];
    const __nv_bfloat162 *h2 = (const __nv_bfloat162 *)&raw[u];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const float2 f = __bfloat1622float2(h2[i]);
      v[2 * i] = f.x; v[2 * i + 1] = f.y;
    }
#pragma unroll
    for (int i = 0; i < 8; ++i) a[i] = fabsf(v[i]);
    const TileParams t = tile_params(a, nbits, mask);
    uint32_t c[8];
#pragma unroll
    for (int i = 0; i < 8; ++i) c[i] = encode1(v[i], t, nbits);
    if (MODE == 0) {
      uint2 pk;
      pk.x = c[0] | (c[1] << 8) | (c[2] << 16) | (c[3] << 24);
      pk.y = c[4] | (c[5] << 8) | (c[6] << 16) | (c[7] << 24);
      __stcs((uint2 *)(codes + e0), pk);
      if (sub == 0) *(float2 *)(meta + 2 * tiles[u]) = make_float2(t.lmin, t.step);
    } else {
#pragma unroll
      for (int i = 0; i < 8; ++i) v[i] = decode1(c[i], t.lmin, t.step, nbits);
      uint4 pk;
      __nv_bfloat162 *o2 = (__nv_bfloat162 *)&pk;
#pragma unroll
      for (int i = 0; i < 4; ++i) o2[i] = __floats2bfloat162_rn(v[2 * i], v[2 * i + 1]);
      __stcs((uint4 *)(y + e0), pk);
    }
  }
}

/* ------------------------------------------------------------------ v3 encoder
 * 4 lanes per 128-element tile, 4 x 16-byte chunks per lane (chunk j*4 + lane), all loads first.
 * Range: integer domain on the packed bf16 pairs (sm_90 16x2 SIMD min/max): max |x| as u16, the
 * smallest nonzero |x| as the s16 minimum of (|x| | 0x8000) - 1 (zero maps to 0x7fff, the largest);
 * both reduced in one max.s16x2 chain (the min half complemented), 2 shuffle steps.
 * Fast path (every tile whose nonzero magnitudes are normal, not clamped at lmax - 32, step > 0):
 *   w = (log2|x| - lmin) * inv_step + (2 - thr); code magnitude = floor(w), taken from the low
 *   bits of w + 2^23 added with round-down (no F2I, no floor/compare/select chain; a zero gives
 *   log2 = -inf and magnitude 0 for free); the sign byte comes from a sign-replicating PRMT.
 *   floor(u - thr) + 2 = floor(u) + 1 + [frac(u) > thr] except at exact ties.
 * Other tiles take the v2 per-element path (encode1). */
__device__ __forceinline__ uint32_t vmax_u16x2(uint32_t a, uint32_t b) {
  uint32_t d;
  asm("max.u16x2 %0, %1, %2;" : "=r"(d) : "r"(a), "r"(b));
  return d;
}
__device__ __forceinline__ uint32_t vmax_s16x2(uint32_t a, uint32_t b) {
  uint32_t d;
  asm("max.s16x2 %0, %1, %2;" : "=r"(d) : "r"(a), "r"(b));
  return d;
}
__device__ __forceinline__ uint32_t vmin_s16x2(uint32_t a, uint32_t b) {
  uint32_t d;
  asm("min.s16x2 %0, %1, %2;" : "=r"(d) : "r"(a), "r"(b));
  return d;
}
__device__ __forceinline__ uint32_t prmt(uint32_t a, uint32_t b, uint32_t s) {
  uint32_t d;
  asm("prmt.b32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(s));
  return d;
}

constexpr int V3_LPT = 4; /* lanes per tile */
constexpr int V3_CPL = 4; /* 16-byte chunks per lane */
template <int MODE> /* 0 encode, 2 fused round trip */
__global__ void __launch_bounds__(256) logfmt_enc_v3_kernel(const __nv_bfloat16 *__restrict__ x,
                                                            uint8_t *__restrict__ codes,
                                                            float *__restrict__ meta,
                                                            __nv_bfloat16 *__restrict__ y,
                                                            size_t ntiles, int nbits, float inv_km1) {
  const size_t tile = ((size_t)blockIdx.x * blockDim.x + threadIdx.x) / V3_LPT;
  const int l = threadIdx.x & (V3_LPT - 1);
  if (tile >= ntiles) return; /* uniform over the 4 lanes of a tile */
  const unsigned mask = 0xfu << (threadIdx.x & 28);
  uint4 raw[V3_CPL];
#pragma unroll
  for (int j = 0; j < V3_CPL; ++j)
    raw[j] = __ldcs((const uint4 *)(x + tile * 128 + (size_t)(j * V3_LPT + l) * 8));
  uint32_t mx = 0u, mn = 0x7fff7fffu;
#pragma unroll
  for (int j = 0; j < V3_CPL; ++j) {
    const uint32_t w[4] = {raw[j].x, raw[j].y, raw[j].z, raw[j].w};
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      mx = vmax_u16x2(mx, w[q] & 0x7fff7fffu);
      mn = vmin_s16x2(mn, (w[q] | 0x80008000u) - 0x00010001u);
    }
  }
  const uint32_t nmn = ~mn;
  uint32_t c = vmax_s16x2(prmt(mx, nmn, 0x3276u), prmt(mx, nmn, 0x1054u));
  c = vmax_s16x2(c, __shfl_xor_sync(mask, c, 1));
  c = vmax_s16x2(c, __shfl_xor_sync(mask, c, 2));
  const uint32_t amax16 = c >> 16;
  const uint32_t mn16 = (~c) & 0xffffu; /* (amin | 0x8000) - 1, or 0x7fff if all zero */
  TileParams t;
  t.zero = amax16 == 0u;
  t.lmin = 0.f; t.step = 0.f; t.inv_step = 0.f; t.thr = 0.f;
  bool fast = false;
  if (!t.zero) {
    const uint32_t amin16 = mn16 - 0x7fffu;
    const float lmax = __log2f(__uint_as_float(amax16 << 16));
    const float lamin = __log2f(__uint_as_float(amin16 << 16));
    t.lmin = fmaxf(lamin, lmax - 32.f);
    t.step = (lmax - t.lmin) * inv_km1;
    if (t.step > 0.f) {
      t.inv_step = __fdividef(1.f, t.step);
      t.thr = lg2_ftz(0.5f * (1.f + ex2_ftz(t.step))) * t.inv_step;
    }
    fast = t.step > 0.f && lamin >= lmax - 32.f && amin16 >= 0x80u;
  }
  const uint32_t sgn = (1u << (nbits - 1)) * 0x01010101u;
  const float c1 = 2.f - t.thr;
#pragma unroll
  for (int j = 0; j < V3_CPL; ++j) {
    const size_t e0 = tile * 128 + (size_t)(j * V3_LPT + l) * 8;
    const uint32_t w[4] = {raw[j].x, raw[j].y, raw[j].z, raw[j].w};
    uint32_t rb[8];
    float xf[8];
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      xf[2 * q] = __uint_as_float(w[q] << 16);
      xf[2 * q + 1] = __uint_as_float(w[q] & 0xffff0000u);
    }
    uint32_t cw[2];
    if (fast) {
#pragma unroll
      for (int i = 0; i < 8; ++i) {
        const float d = lg2_ftz(fabsf(xf[i])) - t.lmin;
        rb[i] = __float_as_uint(__fadd_rd(fmaf(d, t.inv_step, c1), 8388608.f));
      }
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const uint32_t kp = prmt(prmt(rb[4 * h], rb[4 * h + 1], 0x0040u),
                                 prmt(rb[4 * h + 2], rb[4 * h + 3], 0x0040u), 0x5410u);
        const uint32_t s = prmt(w[2 * h], w[2 * h + 1], 0xFDB9u); /* 0xff per negative value */
        cw[h] = (s & sgn) | kp;
      }
    } else {
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        cw[h] = 0u;
#pragma unroll
        for (int i = 0; i < 4; ++i) cw[h] |= encode1(xf[4 * h + i], t, nbits) << (8 * i);
      }
    }
    if (MODE == 0) {
      __stcs((uint2 *)(codes + e0), make_uint2(cw[0], cw[1]));
    } else {
      float v[8];
      if (fast) {
        /* rb = bits of 2^23 + k (k >= 1), or -inf for zeros: (float)(k - 1) exactly, or -inf */
#pragma unroll
        for (int i = 0; i < 8; ++i) {
          const float kf = __uint_as_float(rb[i]) - 8388609.f;
          const float m = ex2_ftz(fmaf(t.step, kf, t.lmin));
          v[i] = __uint_as_float(__float_as_uint(m) | (__float_as_uint(xf[i]) & 0x80000000u));
        }
      } else {
#pragma unroll
        for (int i = 0; i < 8; ++i) v[i] = decode1((cw[i >> 2] >> (8 * (i & 3))) & 0xffu, t.lmin, t.step, nbits);
      }
      uint4 pk;
      __nv_bfloat162 *o2 = (__nv_bfloat162 *)&pk;
#pragma unroll
      for (int i = 0; i < 4; ++i) o2[i] = __floats2bfloat162_rn(v[2 * i], v[2 * i + 1]);
      __stcs((uint4 *)(y + e0), pk);
    }
  }
  if (MODE == 0 && l == 0) *(float2 *)(meta + 2 * tile) = make_float2(t.lmin, t.step);
}
unsigned grid_v3(size_t ntiles) { return (unsigned)((ntiles * V3_LPT + 255) / 256); }
int g_enc_variant = -1; /* KERN_LOGFMT_VARIANT=2: the v2 encoder */
bool use_v3() {
  if (g_enc_variant < 0) {
    const char *v = getenv("KERN_LOGFMT_VARIANT");
    g_enc_variant = v ? atoi(v) : 3;
  }
  return g_enc_variant != 2;
}

bool args_ok(size_t n, int nbits) { return n > 0 && n % 128 == 0 && nbits >= 3 && nbits <= 8; }
unsigned grid_for(size_t ntiles) { return (unsigned)((ntiles * 16 + 255) / 256); }
unsigned grid_enc(size_t ntiles) { return (unsigned)((ntiles + 16 * ENC_U - 1) / (16 * ENC_U)); }

}  // namespace

extern "C" int kern_logfmt_encode(const void *x, uint8_t *codes, float *meta, size_t n, int nbits) {
  if (!args_ok(n, nbits)) return KERN_EINVAL;
  const size_t nt = n / 128;
  if (use_v3())
    logfmt_enc_v3_kernel<0><<<grid_v3(nt), 256>>>((const __nv_bfloat16 *)x, codes, meta, nullptr, nt,
                                                   nbits, 1.f / (float)((1 << (nbits - 1)) - 2));
  else
    logfmt_enc_kernel<0><<<grid_enc(nt), 256>>>((const __nv_bfloat16 *)x, codes, meta, nullptr, nt, nbits);
  KERN_LAUNCH_CHECK();
  return KERN_OK;
}
extern "C" int kern_logfmt_decode(const uint8_t *codes, const float *meta, void *y, size_t n,
                                  int nbits) {
  if (!args_ok(n, nbits)) return KERN_EINVAL;
  const size_t nt = n / 128;
  logfmt_kernel<1><<<grid_for(nt), 256>>>(nullptr, codes, meta,
                                          (__nv_bfloat16 *)y, nt, nbits);
  KERN_LAUNCH_CHECK();
  return KERN_OK;
}
extern "C" int kern_logfmt_roundtrip(const void *x, void *y, size_t n, int nbits) {
  if (!args_ok(n, nbits)) return KERN_EINVAL;
  const size_t nt = n / 128;
  if (use_v3())
    logfmt_enc_v3_kernel<2><<<grid_v3(nt), 256>>>((const __nv_bfloat16 *)x, nullptr, nullptr,
                                                   (__nv_bfloat16 *)y, nt, nbits,
                                                   1.f / (float)((1 << (nbits - 1)) - 2));
  else
    logfmt_enc_kernel<2><<<grid_enc(nt), 256>>>((const __nv_bfloat16 *)x, nullptr, nullptr,
                                            (__nv_bfloat16 *)y, nt, nbits);
  KERN_LAUNCH_CHECK();
  return KERN_OK;
}
extern "C" int kern_copy_bf16(const void *x, void *y, size_t n) {
  if (n == 0 || n % 128 != 0) return KERN_EINVAL;
  const size_t nt = n / 128;
  logfmt_kernel<3><<<grid_for(nt), 256>>>((const __nv_bfloat16 *)x, nullptr, nullptr,
                                          (__nv_bfloat16 *)y, nt, 8);
  KERN_LAUNCH_CHECK();
  return KERN_OK;
}
