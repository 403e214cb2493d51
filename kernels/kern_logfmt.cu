/* kern_logfmt.cu: LogFMT-nBit encode / decode / fused round trip (definition in kern_logfmt.h).
 *
 * 16 lanes per 128-element tile, 8 bf16 per lane (16-byte loads; the encoder and the fused round
 * trip take ENC_U tiles per lane group with all loads issued first). Per element the encoder
 * costs one MUFU.LG2, the decoder one MUFU.EX2; per tile two log2 for the range and one exp2 +
 * one log2 for the rounding threshold. */
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
  t.step = (lmax - t.lmin) / (float)(K - 1);
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

__device__ __forceinline__ float decode1(uint32_t c, float lmin, float step, int nbits) {
  const uint32_t K = (1u << (nbits - 1)) - 1u;
  const uint32_t k = c & K;
  const float v = k ? exp2f(lmin + step * (float)(k - 1)) : 0.f;
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

bool args_ok(size_t n, int nbits) { return n > 0 && n % 128 == 0 && nbits >= 3 && nbits <= 8; }
unsigned grid_for(size_t ntiles) { return (unsigned)((ntiles * 16 + 255) / 256); }
unsigned grid_enc(size_t ntiles) { return (unsigned)((ntiles + 16 * ENC_U - 1) / (16 * ENC_U)); }

}  // namespace

extern "C" int kern_logfmt_encode(const void *x, uint8_t *codes, float *meta, size_t n, int nbits) {
  if (!args_ok(n, nbits)) return KERN_EINVAL;
  const size_t nt = n / 128;
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
