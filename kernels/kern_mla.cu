/* kern_mla.cu: MLA decode attention (absorbed form), split-KV, bf16 tensor cores (mma.sync).
 *
 * Block = 8 warps, 64 query heads of one request, one KV split. Per 32-key tile:
 *   1. QK:  S(64x32) = Q(64x576) K^T. Warp w computes a 32-head x 16-key quarter over one half of
 *           the 576 dims (warps 0-3: dims 0-287, warps 4-7: dims 288-575) and writes its FP32
 *           partial to shared memory. Splitting the reduction dim halves the shared-memory bytes
 *           each warp reads per MMA compared with 16-head x 32-key tiles over all 576 dims.
 *   2. softmax: 4 threads per head row add the two partials, keep the running max m and sum l in
 *           registers (online softmax, log2 domain), write P (bf16) and the rescale factor.
 *   3. PV:  O(64x512) += P(64x32) V(32x512). Warp w owns output dims 64w..64w+63 of all 64 heads:
 *           128 FP32 accumulators per thread, V read once per block, P re-read by every warp.
 * KV tiles stream through a 3-stage cp.async ring (36.5 KB each); Q (73 KB) stays resident.
 * Rows are padded by 16 bytes so that the 8 row addresses of an ldmatrix hit distinct banks.
 * Shared memory: 73 + 3*36.5 + 20 + 5 KB = ~207 KB: one block per SM. */
#include "kern_mla.h"
#include "kern.h"
#include "kern_int.h"

#include <stdint.h>

namespace {

constexpr int DQK = KERN_MLA_DQK;        /* 576 */
constexpr int DV = KERN_MLA_DV;          /* 512 */
constexpr int HB = KERN_MLA_HEADS_PER_BLOCK; /* 64 */
constexpr int TK = 32;                   /* keys per tile */
constexpr int NSTAGE = 3;
constexpr int ROW = DQK + 8;             /* padded smem row, elements (1168 bytes) */
constexpr int SROW = TK + 8;             /* fp32 score row stride */
constexpr int PROW = TK + 8;             /* bf16 P row stride (80 bytes) */
constexpr int NTHREADS = 256;
constexpr int CHUNKS_PER_ROW = DQK / 8;  /* 72 16-byte chunks per 576-dim row */

constexpr size_t SMEM_Q = (size_t)HB * ROW * 2;
constexpr size_t SMEM_KV = (size_t)NSTAGE * TK * ROW * 2;
constexpr size_t SMEM_S = (size_t)2 * HB * SROW * 4;
constexpr size_t SMEM_P = (size_t)HB * PROW * 2;
constexpr size_t SMEM_TOTAL = SMEM_Q + SMEM_KV + SMEM_S + SMEM_P + 2 * HB * 4;

__device__ __forceinline__ uint32_t smem_u32(const void *p) {
  return (uint32_t)__cvta_generic_to_shared(p);
}
__device__ __forceinline__ void cp_async16(uint32_t dst, const void *src, int src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src),
               "r"(src_bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}
__device__ __forceinline__ void ldsm_x4(uint32_t r[4], uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}
__device__ __forceinline__ void ldsm_x4_t(uint32_t r[4], uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}
/* D += A(16x16 bf16, row) * B(16x8 bf16, col), FP32 accumulate. */
__device__ __forceinline__ void mma16816(float d[4], const uint32_t a[4], uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

struct MlaParams {
  const __nv_bfloat16 *q;
  const __nv_bfloat16 *kv;
  const int *block_table;
  const int *seqlens;
  __nv_bfloat16 *out;
  float *opart;   /* [batch][nsplit][heads][512] */
  float *lse;     /* [batch][nsplit][heads], log2 domain */
  int heads, page_size, max_pages, nsplit, split_len;
  float scale_log2;
};

__global__ void __launch_bounds__(NTHREADS, 1) mla_decode_kernel(const MlaParams p) {
  extern __shared__ __align__(128) unsigned char smem[];
  __nv_bfloat16 *sQ = (__nv_bfloat16 *)smem;
  __nv_bfloat16 *sKV = (__nv_bfloat16 *)(smem + SMEM_Q);
  float *sS = (float *)(smem + SMEM_Q + SMEM_KV);
  __nv_bfloat16 *sP = (__nv_bfloat16 *)(smem + SMEM_Q + SMEM_KV + SMEM_S);
  float *sAlpha = (float *)(smem + SMEM_Q + SMEM_KV + SMEM_S + SMEM_P);
  float *sL = sAlpha + HB;

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  /* blockIdx.x = head group fastest so that the blocks reading the same KV run together (L2). */
  const int ngroups = p.heads / HB;
  const int hg = blockIdx.x % ngroups;
  const int split = blockIdx.x / ngroups;
  const int b = blockIdx.y;
  const int seqlen = p.seqlens[b];
  const int kstart = split * p.split_len;
  const int kend = min(seqlen, kstart + p.split_len);
  const int ntiles = kend > kstart ? (kend - kstart + TK - 1) / TK : 0;

  const __nv_bfloat16 *qb = p.q + ((size_t)b * p.heads + (size_t)hg * HB) * DQK;
  const int *bt = p.block_table + (size_t)b * p.max_pages;

  auto load_tile = [&](int t) {
    const int stage = t % NSTAGE;
    __nv_bfloat16 *dst = sKV + (size_t)stage * TK * ROW;
    const int key0 = kstart + t * TK;
#pragma unroll
    for (int i = 0; i < TK * CHUNKS_PER_ROW / NTHREADS; ++i) {
      const int c = tid + i * NTHREADS;
      const int r = c / CHUNKS_PER_ROW, col = c % CHUNKS_PER_ROW;
      const int key = key0 + r;
      const bool valid = key < kend;
      const __nv_bfloat16 *src = p.kv;
      if (valid) {
        const int page = bt[key / p.page_size];
        src = p.kv + ((size_t)page * p.page_size + (key % p.page_size)) * DQK + col * 8;
      }
      /* invalid rows are zero-filled: P is 0 there, and 0 * garbage could be NaN */
      cp_async16(smem_u32(dst + r * ROW + col * 8), src, valid ? 16 : 0);
    }
  };

  /* prologue: Q + tile 0 in group 0, tile 1 in group 1 */
#pragma unroll
  for (int i = 0; i < HB * CHUNKS_PER_ROW / NTHREADS; ++i) {
    const int c = tid + i * NTHREADS;
    const int r = c / CHUNKS_PER_ROW, col = c % CHUNKS_PER_ROW;
    cp_async16(smem_u32(sQ + r * ROW + col * 8), qb + (size_t)r * DQK + col * 8, 16);
  }
  if (ntiles > 0) load_tile(0);
  cp_async_commit();
  if (ntiles > 1) load_tile(1);
  cp_async_commit();

  /* QK roles */
  const int mw = warp & 1, nw = (warp >> 1) & 1, kh = warp >> 2;
  /* softmax roles: 4 threads per head row, 8 keys each */
  const int srow = tid >> 2, sq = tid & 3;
  float m_run = -INFINITY, l_run = 0.f;
  /* PV: warp owns dims 64*warp .. +63 */
  float o[4][8][4];
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 8; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) o[i][j][e] = 0.f;

  const uint32_t sQ_base = smem_u32(sQ);
  const uint32_t sP_base = smem_u32(sP);

  for (int t = 0; t < ntiles; ++t) {
    cp_async_wait<1>();
    __syncthreads();
    if (t + 2 < ntiles) load_tile(t + 2);
    cp_async_commit();

    const __nv_bfloat16 *kvt = sKV + (size_t)(t % NSTAGE) * TK * ROW;
    const uint32_t kv_base = smem_u32(kvt);

    /* ---- 1. QK partial over dims [288*kh, 288*kh+288) ---- */
    {
      float acc[2][2][4];
#pragma unroll
      for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j)
#pragma unroll
          for (int e = 0; e < 4; ++e) acc[i][j][e] = 0.f;
      const int arow = 32 * mw + (lane & 15);
      const int acol = (lane >> 4) * 8;
      const int brow = 16 * nw + (lane & 7) + (lane >> 4) * 8;
      const int bcol = ((lane >> 3) & 1) * 8;
#pragma unroll 6
      for (int kk = 0; kk < 18; ++kk) {
        const int d0 = 288 * kh + 16 * kk;
        uint32_t a0[4], a1[4], bb[4];
        ldsm_x4(a0, sQ_base + (uint32_t)((arow * ROW + d0 + acol) * 2));
        ldsm_x4(a1, sQ_base + (uint32_t)(((arow + 16) * ROW + d0 + acol) * 2));
        ldsm_x4(bb, kv_base + (uint32_t)((brow * ROW + d0 + bcol) * 2));
        mma16816(acc[0][0], a0, bb[0], bb[1]);
        mma16816(acc[0][1], a0, bb[2], bb[3]);
        mma16816(acc[1][0], a1, bb[0], bb[1]);
        mma16816(acc[1][1], a1, bb[2], bb[3]);
      }
      float *sSk = sS + kh * HB * SROW;
#pragma unroll
      for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j) {
          const int r0 = 32 * mw + 16 * i + (lane >> 2);
          const int c = 16 * nw + 8 * j + (lane & 3) * 2;
          *(float2 *)(sSk + r0 * SROW + c) = make_float2(acc[i][j][0], acc[i][j][1]);
          *(float2 *)(sSk + (r0 + 8) * SROW + c) = make_float2(acc[i][j][2], acc[i][j][3]);
        }
    }
    __syncthreads();

    /* ---- 2. online softmax over this tile ---- */
    {
      const float *s0 = sS + srow * SROW + sq * 8;
      const float *s1 = s0 + HB * SROW;
      float s[8];
      const float4 x0 = *(const float4 *)s0, x1 = *(const float4 *)(s0 + 4);
      const float4 y0 = *(const float4 *)s1, y1 = *(const float4 *)(s1 + 4);
      s[0] = x0.x + y0.x; s[1] = x0.y + y0.y; s[2] = x0.z + y0.z; s[3] = x0.w + y0.w;
      s[4] = x1.x + y1.x; s[5] = x1.y + y1.y; s[6] = x1.z + y1.z; s[7] = x1.w + y1.w;
      const int key0 = kstart + t * TK + sq * 8;
      float mx = -INFINITY;
#pragma unroll
      for (int e = 0; e < 8; ++e) {
        s[e] = (key0 + e < kend) ? s[e] * p.scale_log2 : -INFINITY;
        mx = fmaxf(mx, s[e]);
      }
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
      const float m_new = fmaxf(m_run, mx);
      const float m_use = (m_new == -INFINITY) ? 0.f : m_new;
      const float alpha = exp2f(m_run - m_use);
      float sum = 0.f;
      uint32_t pk[4];
#pragma unroll
      for (int e = 0; e < 8; e += 2) {
        const float p0 = exp2f(s[e] - m_use), p1 = exp2f(s[e + 1] - m_use);
        sum += p0 + p1;
        __nv_bfloat162 h = __floats2bfloat162_rn(p0, p1);
        pk[e / 2] = *(uint32_t *)&h;
      }
      sum += __shfl_xor_sync(0xffffffffu, sum, 1);
      sum += __shfl_xor_sync(0xffffffffu, sum, 2);
      l_run = l_run * alpha + sum;
      m_run = m_new;
      *(uint4 *)(sP + srow * PROW + sq * 8) = make_uint4(pk[0], pk[1], pk[2], pk[3]);
      if (sq == 0) sAlpha[srow] = alpha;
    }
    __syncthreads();

    /* ---- 3. O = O * alpha + P V over dims [64*warp, +64) ---- */
    {
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const float a0 = sAlpha[16 * i + (lane >> 2)], a1 = sAlpha[16 * i + (lane >> 2) + 8];
#pragma unroll
        for (int j = 0; j < 8; ++j) {
          o[i][j][0] *= a0; o[i][j][1] *= a0;
          o[i][j][2] *= a1; o[i][j][3] *= a1;
        }
      }
#pragma unroll
      for (int kk = 0; kk < TK / 16; ++kk) {
        uint32_t a[4][4];
#pragma unroll
        for (int i = 0; i < 4; ++i)
          ldsm_x4(a[i], sP_base + (uint32_t)(((16 * i + (lane & 15)) * PROW + 16 * kk +
                                              (lane >> 4) * 8) * 2));
        const int vrow = 16 * kk + (lane & 7) + ((lane >> 3) & 1) * 8;
#pragma unroll
        for (int jp = 0; jp < 4; ++jp) {
          uint32_t bb[4];
          ldsm_x4_t(bb, kv_base + (uint32_t)((vrow * ROW + 64 * warp + 16 * jp + (lane >> 4) * 8) * 2));
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            mma16816(o[i][2 * jp], a[i], bb[0], bb[1]);
            mma16816(o[i][2 * jp + 1], a[i], bb[2], bb[3]);
          }
        }
      }
    }
  }
  cp_async_wait<0>();

  /* ---- epilogue ---- */
  if (sq == 0) sL[srow] = l_run;
  const int h0 = hg * HB;
  if (p.nsplit > 1 && sq == 0) {
    const size_t li = ((size_t)b * p.nsplit + split) * p.heads + h0 + srow;
    p.lse[li] = l_run > 0.f ? m_run + log2f(l_run) : -INFINITY;
  }
  __syncthreads();
#pragma unroll
  for (int i = 0; i < 4; ++i) {
#pragma unroll
    for (int half = 0; half < 2; ++half) {
      const int r = 16 * i + (lane >> 2) + 8 * half;
      const float l = sL[r];
      const float inv = l > 0.f ? 1.f / l : 0.f;
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        const int d = 64 * warp + 8 * j + (lane & 3) * 2;
        const float v0 = o[i][j][2 * half] * inv, v1 = o[i][j][2 * half + 1] * inv;
        if (p.nsplit == 1) {
          *(__nv_bfloat162 *)(p.out + ((size_t)b * p.heads + h0 + r) * DV + d) =
              __floats2bfloat162_rn(v0, v1);
        } else {
          *(float2 *)(p.opart + (((size_t)b * p.nsplit + split) * p.heads + h0 + r) * DV + d) =
              make_float2(v0, v1);
        }
      }
    }
  }
}

/* One block of 128 threads per (head, request): 4 output dims per thread. */
__global__ void __launch_bounds__(128) mla_combine_kernel(const MlaParams p) {
  __shared__ float sw[KERN_MLA_MAX_SPLITS];
  __shared__ float sinv;
  const int h = blockIdx.x, b = blockIdx.y, tid = threadIdx.x;
  const float *lse = p.lse + (size_t)b * p.nsplit * p.heads + h;
  if (tid < 32) {
    float mx = -INFINITY;
    for (int s = tid; s < p.nsplit; s += 32) mx = fmaxf(mx, lse[(size_t)s * p.heads]);
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, o));
    float sum = 0.f;
    for (int s = tid; s < p.nsplit; s += 32) {
      const float l = lse[(size_t)s * p.heads];
      const float w = (l == -INFINITY) ? 0.f : exp2f(l - mx);
      sw[s] = w;
      sum += w;
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
    if (tid == 0) sinv = sum > 0.f ? 1.f / sum : 0.f;
  }
  __syncthreads();
  float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
  const float *op = p.opart + ((size_t)b * p.nsplit * p.heads + h) * DV + tid * 4;
  for (int s = 0; s < p.nsplit; ++s) {
    const float w = sw[s];
    if (w == 0.f) continue;
    const float4 v = *(const float4 *)(op + (size_t)s * p.heads * DV);
    acc.x += w * v.x; acc.y += w * v.y; acc.z += w * v.z; acc.w += w * v.w;
  }
  const float inv = sinv;
  __nv_bfloat16 *out = p.out + ((size_t)b * p.heads + h) * DV + tid * 4;
  *(__nv_bfloat162 *)out = __floats2bfloat162_rn(acc.x * inv, acc.y * inv);
  *(__nv_bfloat162 *)(out + 2) = __floats2bfloat162_rn(acc.z * inv, acc.w * inv);
}

}  // namespace

extern "C" int kern_mla_num_splits(int batch, int heads, int max_seqlen, int sm_count) {
  if (batch <= 0 || heads < HB || max_seqlen <= 0 || sm_count <= 0) return 1;
  const int base = batch * (heads / HB);
  int max_split = max_seqlen / 64;
  if (max_split < 1) max_split = 1;
  if (max_split > KERN_MLA_MAX_SPLITS) max_split = KERN_MLA_MAX_SPLITS;
  /* smallest split count whose last wave is at least 85% full */
  for (int ns = 1; ns <= max_split; ++ns) {
    const int blocks = base * ns;
    const int waves = (blocks + sm_count - 1) / sm_count;
    if ((double)blocks / ((double)waves * sm_count) >= 0.85) return ns;
  }
  return max_split;
}

extern "C" size_t kern_mla_workspace_bytes(int batch, int heads, int nsplit) {
  if (nsplit <= 1) return 0;
  return (size_t)batch * nsplit * heads * (DV + 1) * sizeof(float);
}

extern "C" int kern_mla_decode(const kern_mla_args *a) {
  if (!a || a->batch <= 0 || a->heads <= 0 || a->heads % HB != 0 || a->page_size <= 0 ||
      a->page_size % TK != 0 || a->max_pages <= 0 || a->max_seqlen <= 0 || a->nsplit < 1 ||
      a->nsplit > KERN_MLA_MAX_SPLITS || (a->nsplit > 1 && !a->workspace) ||
      (long)a->max_pages * a->page_size < a->max_seqlen)
    return KERN_EINVAL;
  static bool attr_done = false;
  if (!attr_done) {
    KERN_CUDA_CHECK(cudaFuncSetAttribute(mla_decode_kernel,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         (int)SMEM_TOTAL));
    attr_done = true;
  }
  MlaParams p;
  p.q = (const __nv_bfloat16 *)a->q;
  p.kv = (const __nv_bfloat16 *)a->kv_cache;
  p.block_table = a->block_table;
  p.seqlens = a->seqlens;
  p.out = (__nv_bfloat16 *)a->out;
  p.opart = (float *)a->workspace;
  p.lse = p.opart ? p.opart + (size_t)a->batch * a->nsplit * a->heads * DV : nullptr;
  p.heads = a->heads;
  p.page_size = a->page_size;
  p.max_pages = a->max_pages;
  p.nsplit = a->nsplit;
  /* split length: a multiple of the key tile */
  int sl = (a->max_seqlen + a->nsplit - 1) / a->nsplit;
  p.split_len = (sl + TK - 1) / TK * TK;
  p.scale_log2 = a->softmax_scale * 1.4426950408889634f;
  dim3 grid((unsigned)(a->heads / HB * a->nsplit), (unsigned)a->batch);
  mla_decode_kernel<<<grid, NTHREADS, SMEM_TOTAL>>>(p);
  KERN_LAUNCH_CHECK();
  if (a->nsplit > 1) {
    mla_combine_kernel<<<dim3((unsigned)a->heads, (unsigned)a->batch), 128>>>(p);
    KERN_LAUNCH_CHECK();
  }
  return KERN_OK;
}
