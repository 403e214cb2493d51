/* kern_mla.cu: MLA decode attention (absorbed form), split-KV, Hopper wgmma (sm_90a).
 *
 * Block = 2 warpgroups (256 threads), 64 query heads of one request, one KV split; 64-key tiles.
 * Shared memory holds Q (64 x 576) and a 2-stage ring of KV tiles (64 x 576), all in the
 * 128-byte-swizzled layout that wgmma reads directly: a 576-wide row is 9 chunks of 64 elements;
 * chunk c of row r lives at c*64*128 + r*128 and its 16-byte pieces are XOR-swizzled by r % 8.
 * The same KV tile is the K operand of QK^T (K-major) and the V operand of PV (N-major, transposed
 * B): the latent doubles as V without a second copy. O (64 x 512 FP32) lives in registers, 128 per
 * thread in each warpgroup (WG0 dims 0-255, WG1 dims 256-511).
 *
 * v3 (default, mla_decode_kernel_v3): warp-specialized, no block-wide barrier in the loop.
 *   WG0: S(64x64) = Q K^T (36 wgmma m64n64k16, both operands from smem), online softmax in
 *        registers (FP32, log2 domain), P (bf16) + rescale factors to smem, PV on dims 0-255;
 *        iteration t queues PV0(t-1) and QK(t) back to back.
 *   WG1: PV on dims 256-511 (4 wgmma m64n256k16, A = P, B = V) and all KV loads (cp.async,
 *        zero-fill past the split end), refilling a stage as soon as both PV halves are done.
 *   Named barriers hand P, freed stages and landed tiles between the two.
 * v2 (mla_decode_kernel, KERN_MLA_VARIANT=2): same data layout, one __syncthreads per tile,
 *   WG0 QK + softmax, then both warpgroups PV. Kept for A/B runs (NOTES.md).
 * Shared memory: Q 72 KB + 2 x 72 KB KV + 8 KB P + 0.5 KB + 1 KB alignment = ~225 KB, one block
 * per SM. v1 (mma.sync, 32-key tiles, 3 block barriers per tile) is in git history and NOTES.md.
 * v6 (DEFAULT since session 4, KERN_MLA_VARIANT=6): the v3 kernel plus one WG1 thread issuing
 *   cp.async.bulk.prefetch.L2 of the tile KERN_MLA_PF (default 2) tiles beyond each cp.async load,
 *   so the loads mostly hit L2; KERN_MLA_VARIANT=3 is v3 exactly as before (no prefetch).
 * v4 (2-CTA cluster, TMA multicast) and v5 (persistent v3) were built, passed the tests and ran
 *   slower than v6 (NOTES.md sessions 3 and 4); like v1 they are in git history, not here.
 * KERN_MLA_DBG=1 (diagnostics only, wrong results): skip the KV loads after the first tiles. */
#include "kern_mla.h"
#include "kern.h"
#include "kern_int.h"

#include <stdint.h>
#include <type_traits>


namespace {

constexpr int DQK = KERN_MLA_DQK;            /* 576 */
constexpr int DV = KERN_MLA_DV;              /* 512 */
constexpr int HB = KERN_MLA_HEADS_PER_BLOCK; /* 64 */
constexpr int TK = 64;                       /* keys per tile */
constexpr int NCHUNK = DQK / 64;             /* 9 swizzle chunks of 64 elements per row */
constexpr int NTHREADS = 256;
constexpr uint32_t CHUNK_BYTES = 64 * 128;   /* one 64-element chunk of 64 rows: 8 KB */
constexpr uint32_t TILE_BYTES = NCHUNK * CHUNK_BYTES; /* 72 KB (Q or one KV stage) */
constexpr uint32_t OFF_Q = 0;
constexpr uint32_t OFF_KV = TILE_BYTES;
constexpr uint32_t OFF_P = OFF_KV + 2 * TILE_BYTES;
constexpr uint32_t OFF_ALPHA = OFF_P + CHUNK_BYTES;
constexpr uint32_t OFF_L = OFF_ALPHA + HB * 4;
constexpr size_t SMEM_TOTAL = OFF_L + HB * 4 + 1024; /* + alignment slack */

__device__ __forceinline__ uint32_t smem_u32(const void *p) {
  return (uint32_t)__cvta_generic_to_shared(p);
}
__device__ __forceinline__ void cp_async16(uint32_t dst, const void *src, int src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src),
               "r"(src_bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_group 0;\n" ::: "memory"); }
__device__ __forceinline__ void fence_proxy_async() {
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}
__device__ __forceinline__ void named_bar_sync(int id, int n) {
  asm volatile("bar.sync %0, %1;\n" ::"r"(id), "r"(n) : "memory");
}
__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory"); }
template <int N>
__device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
}
/* Shared-memory matrix descriptor, 128-byte swizzle. */
__device__ __forceinline__ uint64_t make_desc(uint32_t addr, uint32_t lbo, uint32_t sbo) {
  return (uint64_t)((addr & 0x3FFFFu) >> 4) | ((uint64_t)((lbo >> 4) & 0x3FFFu) << 16) |
         ((uint64_t)((sbo >> 4) & 0x3FFFu) << 32) | (1ull << 62);
}
/* byte offset of 16-byte piece `col` (0..71) of row r in a swizzled 64-row tile */
__device__ __forceinline__ uint32_t swz(int r, int col) {
  return (uint32_t)((col >> 3) * CHUNK_BYTES + r * 128 + (((col & 7) ^ (r & 7)) << 4));
}
/* D(64x64, f32) (+)= A(64x16, smem desc) * B(16x64, smem desc) */
__device__ __forceinline__ void wgmma_m64n64_ss(float (&d)[32], uint64_t da, uint64_t db, int accum) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %34, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 "
      "{"
      "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15,"
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31"
      "}, %32, %33, p, 1, 1, 0, 0;\n}\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
        "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
        "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
        "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31])
      : "l"(da), "l"(db), "r"(accum));
}
/* D(64x256, f32) (+)= A(64x16, smem desc) * B(16x256, smem desc, N-major) */
__device__ __forceinline__ void wgmma_m64n256_ss_tb(float (&d)[128], uint64_t da, uint64_t db, int accum) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 "
      "{"
      "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15,"
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31,"
      "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47,"
      "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63,"
      "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79,"
      "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95,"
      "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111,"
      "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127"
      "}, %128, %129, p, 1, 1, 0, 1;\n}\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
        "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
        "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
        "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]),
        "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]),
        "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]),
        "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]),
        "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]),
        "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]),
        "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]),
        "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]),
        "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]),
        "+f"(d[96]), "+f"(d[97]), "+f"(d[98]), "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]),
        "+f"(d[104]), "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]), "+f"(d[111]),
        "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]), "+f"(d[117]), "+f"(d[118]), "+f"(d[119]),
        "+f"(d[120]), "+f"(d[121]), "+f"(d[122]), "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127])
      : "l"(da), "l"(db), "r"(accum));
}

template <int N>
__device__ __forceinline__ void fence_regs(float (&d)[N]) {
#pragma unroll
  for (int i = 0; i < N; ++i) asm volatile("" : "+f"(d[i])::"memory");
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
  int dbg; /* diagnostics only (KERN_MLA_DBG): bit 0 = skip the KV loads after the first tiles */
  int pf;     /* v6: L2 prefetch distance in tiles (0 = off, i.e. v3) */
};

__global__ void __launch_bounds__(NTHREADS, 1) mla_decode_kernel(const MlaParams p) {
  extern __shared__ __align__(1024) unsigned char smem_raw[];
  /* 1024-byte alignment for the 128-byte swizzle pattern */
  const uint32_t raw_u32 = smem_u32(smem_raw);
  const uint32_t base = (raw_u32 + 1023u) & ~1023u;
  unsigned char *smem = smem_raw + (base - raw_u32);
  float *sAlpha = (float *)(smem + OFF_ALPHA);
  float *sL = (float *)(smem + OFF_L);
  const uint32_t sQ = base + OFF_Q, sKV = base + OFF_KV, sP = base + OFF_P;

  const int tid = threadIdx.x, lane = tid & 31, wg = tid >> 7, wl = (tid >> 5) & 3;
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

  /* loader role: row lr (0..63), 16-byte pieces lsub + 4 i (i = 0..17) */
  const int lr = tid >> 2, lsub = tid & 3;
  auto load_tile = [&](int t) {
    const uint32_t dst = sKV + (uint32_t)(t & 1) * TILE_BYTES;
    const int key = kstart + t * TK + lr;
    const bool valid = key < kend;
    const __nv_bfloat16 *src = p.kv;
    if (valid) {
      const int page = bt[key / p.page_size];
      src = p.kv + ((size_t)page * p.page_size + (key % p.page_size)) * DQK;
    }
    /* rows past the split end are zero-filled: P is 0 there, and 0 * garbage could be NaN */
#pragma unroll
    for (int i = 0; i < 18; ++i) {
      const int col = lsub + 4 * i;
      cp_async16(dst + swz(lr, col), valid ? (const void *)(src + col * 8) : (const void *)src,
                 valid ? 16 : 0);
    }
  };

  /* prologue: Q + tile 0 */
#pragma unroll
  for (int i = 0; i < 18; ++i) {
    const int col = lsub + 4 * i;
    cp_async16(sQ + swz(lr, col), qb + (size_t)lr * DQK + col * 8, 16);
  }
  if (ntiles > 0) load_tile(0);
  cp_async_commit();

  /* accumulator roles: thread holds rows r0 = 16*wl + lane/4 and r0 + 8; columns 8j + 2q + e */
  const int q4 = lane & 3;
  const int r0 = 16 * wl + (lane >> 2);
  float m_run[2] = {-INFINITY, -INFINITY}, l_run[2] = {0.f, 0.f};
  float o[128];
#pragma unroll
  for (int i = 0; i < 128; ++i) o[i] = 0.f;

  for (int t = 0; t < ntiles; ++t) {
    cp_async_wait_all();
    fence_proxy_async(); /* cp.async data -> wgmma (async proxy) */
    __syncthreads();     /* tile t visible to all; everyone is done with tile t-1 and P */
    if (t + 1 < ntiles && !(p.dbg & 1)) load_tile(t + 1);
    cp_async_commit();
    const uint32_t kvs = sKV + (uint32_t)(t & 1) * TILE_BYTES;

    if (wg == 0) {
      /* ---- S = Q K^T (64 heads x 64 keys) ---- */
      float s[32];
#pragma unroll
      for (int i = 0; i < 32; ++i) s[i] = 0.f;
      wgmma_fence();
#pragma unroll
      for (int c = 0; c < NCHUNK; ++c)
#pragma unroll
        for (int kk = 0; kk < 4; ++kk) {
          const uint32_t off = (uint32_t)c * CHUNK_BYTES + (uint32_t)kk * 32;
          wgmma_m64n64_ss(s, make_desc(sQ + off, 16, 1024), make_desc(kvs + off, 16, 1024),
                          (c | kk) != 0);
        }
      wgmma_commit();
      wgmma_wait<0>();
      fence_regs(s);
      /* ---- online softmax (rows r0, r0+8) ---- */
      const int key0 = kstart + t * TK + 2 * q4;
      float mx[2] = {-INFINITY, -INFINITY};
#pragma unroll
      for (int j = 0; j < 8; ++j)
#pragma unroll
        for (int i = 0; i < 2; ++i)
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            float &v = s[4 * j + 2 * i + e];
            v = (key0 + 8 * j + e < kend) ? v * p.scale_log2 : -INFINITY;
            mx[i] = fmaxf(mx[i], v);
          }
      float alpha[2], m_use[2], sum[2] = {0.f, 0.f};
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 1));
        mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 2));
        const float m_new = fmaxf(m_run[i], mx[i]);
        m_use[i] = (m_new == -INFINITY) ? 0.f : m_new;
        alpha[i] = exp2f(m_run[i] - m_use[i]);
        m_run[i] = m_new;
      }
      unsigned char *pbase = smem + OFF_P;
#pragma unroll
      for (int j = 0; j < 8; ++j)
#pragma unroll
        for (int i = 0; i < 2; ++i) {
          const float p0 = exp2f(s[4 * j + 2 * i] - m_use[i]);
          const float p1 = exp2f(s[4 * j + 2 * i + 1] - m_use[i]);
          sum[i] += p0 + p1;
          const int r = r0 + 8 * i;
          *(__nv_bfloat162 *)(pbase + r * 128 + ((j ^ (r & 7)) << 4) + q4 * 4) =
              __floats2bfloat162_rn(p0, p1);
        }
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        sum[i] += __shfl_xor_sync(0xffffffffu, sum[i], 1);
        sum[i] += __shfl_xor_sync(0xffffffffu, sum[i], 2);
        l_run[i] = l_run[i] * alpha[i] + sum[i];
      }
      if (q4 == 0) {
        sAlpha[r0] = alpha[0];
        sAlpha[r0 + 8] = alpha[1];
      }
      fence_proxy_async(); /* P (generic stores) -> wgmma */
#pragma unroll
      for (int j = 0; j < 32; ++j) {
        o[4 * j + 0] *= alpha[0]; o[4 * j + 1] *= alpha[0];
        o[4 * j + 2] *= alpha[1]; o[4 * j + 3] *= alpha[1];
      }
    }
    named_bar_sync(1, NTHREADS); /* P and alpha ready */
    if (wg == 1) {
      const float a0 = sAlpha[r0], a1 = sAlpha[r0 + 8];
#pragma unroll
      for (int j = 0; j < 32; ++j) {
        o[4 * j + 0] *= a0; o[4 * j + 1] *= a0;
        o[4 * j + 2] *= a1; o[4 * j + 3] *= a1;
      }
    }
    /* ---- O[:, 256 wg .. +256) += P V ---- */
    fence_regs(o);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < 4; ++kk)
      wgmma_m64n256_ss_tb(o, make_desc(sP + (uint32_t)kk * 32, 16, 1024),
                          make_desc(kvs + (uint32_t)(4 * wg) * CHUNK_BYTES + (uint32_t)kk * 2048,
                                    CHUNK_BYTES, 1024),
                          1);
    wgmma_commit();
    wgmma_wait<0>();
    fence_regs(o);
  }
  cp_async_wait_all();

  /* ---- epilogue ---- */
  const int h0 = hg * HB;
  if (wg == 0 && q4 == 0) {
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      sL[r0 + 8 * i] = l_run[i];
      if (p.nsplit > 1) {
        const size_t li = ((size_t)b * p.nsplit + split) * p.heads + h0 + r0 + 8 * i;
        p.lse[li] = l_run[i] > 0.f ? m_run[i] + log2f(l_run[i]) : -INFINITY;
      }
    }
  }
  __syncthreads();
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    const int r = r0 + 8 * i;
    const float l = sL[r];
    const float inv = l > 0.f ? 1.f / l : 0.f;
#pragma unroll
    for (int j = 0; j < 32; ++j) {
      const int d = 256 * wg + 8 * j + 2 * q4;
      const float v0 = o[4 * j + 2 * i] * inv, v1 = o[4 * j + 2 * i + 1] * inv;
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

__device__ __forceinline__ void named_bar_arrive(int id, int n) {
  asm volatile("bar.arrive %0, %1;\n" ::"r"(id), "r"(n) : "memory");
}
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}
/* named barriers of v3 (id 0 is __syncthreads) */
constexpr int BAR_P = 1;     /* WG0 -> WG1: P(t) and alpha(t) in smem */
constexpr int BAR_PFREE = 2; /* WG1 -> WG0: PV1(t) done, sP/sAlpha may be overwritten */
constexpr int BAR_FREE = 3;  /* WG0 -> WG1: PV0(t) done, KV stage t&1 may be refilled */
constexpr int BAR_KV = 4;    /* WG1 -> WG0: KV tile t+1 landed */

/* L2 bulk prefetch (sm_90) of KV keys [k0, k1) of one request, one instruction per page run */
__device__ __forceinline__ void prefetch_kv_l2(const MlaParams &p, const int *bt, int k0, int k1) {
  for (int k = k0; k < k1;) {
    const int e = min(k1, (k / p.page_size + 1) * p.page_size);
    const __nv_bfloat16 *src = p.kv + ((size_t)bt[k / p.page_size] * p.page_size + (k % p.page_size)) * DQK;
    asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;\n" ::"l"(src), "r"((uint32_t)(e - k) * DQK * 2)
                 : "memory");
    k = e;
  }
}

/* v3: warp-specialized pipeline. WG0 = QK^T + softmax + PV on dims 0-255; WG1 = PV on dims
 * 256-511 + all KV loads. No block-wide barrier inside the loop: WG0 issues PV0(t) and QK(t+1)
 * back to back (async wgmma) so the tensor pipe has queued work while WG0 waits, and WG1 refills
 * a stage as soon as both PV halves of the tile that used it are done. */
__global__ void __launch_bounds__(NTHREADS, 1) mla_decode_kernel_v3(const MlaParams p) {
  extern __shared__ __align__(1024) unsigned char smem_raw[];
  const uint32_t raw_u32 = smem_u32(smem_raw);
  const uint32_t base = (raw_u32 + 1023u) & ~1023u;
  unsigned char *smem = smem_raw + (base - raw_u32);
  float *sAlpha = (float *)(smem + OFF_ALPHA);
  float *sL = (float *)(smem + OFF_L);
  const uint32_t sQ = base + OFF_Q, sKV = base + OFF_KV, sP = base + OFF_P;

  const int tid = threadIdx.x, lane = tid & 31, wg = tid >> 7, wl = (tid >> 5) & 3;
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

  /* loaders: 256 threads (npass 1) or 128 threads (npass 2); row lr, pieces lsub + 4 i */
  auto load_tile = [&](int t, int ltid, int npass) {
    const uint32_t dst = sKV + (uint32_t)(t & 1) * TILE_BYTES;
#pragma unroll
    for (int pass = 0; pass < 2; ++pass) {
      if (pass >= npass) break;
      const int lr = (ltid >> 2) + 32 * pass;
      const int lsub = ltid & 3;
      const int key = kstart + t * TK + lr;
      const bool valid = key < kend;
      const __nv_bfloat16 *src = p.kv;
      if (valid) {
        const int page = bt[key / p.page_size];
        src = p.kv + ((size_t)page * p.page_size + (key % p.page_size)) * DQK;
      }
#pragma unroll
      for (int i = 0; i < 18; ++i) {
        const int col = lsub + 4 * i;
        cp_async16(dst + swz(lr, col), valid ? (const void *)(src + col * 8) : (const void *)src,
                   valid ? 16 : 0);
      }
    }
  };

  /* prologue (all 256 threads): Q + tile 0, then WG1 alone issues tile 1 */
  {
    const int lr = tid >> 2, lsub = tid & 3;
#pragma unroll
    for (int i = 0; i < 18; ++i) {
      const int col = lsub + 4 * i;
      cp_async16(sQ + swz(lr, col), qb + (size_t)lr * DQK + col * 8, 16);
    }
    if (ntiles > 0) load_tile(0, tid, 1);
    cp_async_commit();
    cp_async_wait<0>();
    fence_proxy_async();
    __syncthreads();
  }

  const int q4 = lane & 3;
  const int r0 = 16 * wl + (lane >> 2);
  float o[128];
#pragma unroll
  for (int i = 0; i < 128; ++i) o[i] = 0.f;

  if (wg == 0) {
    float m_run[2] = {-INFINITY, -INFINITY}, l_run[2] = {0.f, 0.f};
    float s[32];
#pragma unroll
    for (int i = 0; i < 32; ++i) s[i] = 0.f;
    /* Iteration t queues PV0(t-1) and QK(t) back to back and waits for both in the same
     * iteration (an async wgmma carried across the loop's back edge makes ptxas serialize). */
    auto issue_pv0 = [&](int t) {
      const uint32_t kvs = sKV + (uint32_t)(t & 1) * TILE_BYTES;
#pragma unroll
      for (int kk = 0; kk < 4; ++kk)
        wgmma_m64n256_ss_tb(o, make_desc(sP + (uint32_t)kk * 32, 16, 1024),
                            make_desc(kvs + (uint32_t)kk * 2048, CHUNK_BYTES, 1024), 1);
      wgmma_commit();
    };
    /* iteration 0 is peeled (FIRST = true): wgmma under a run-time branch would be serialized */
    auto iter = [&](int t, auto first_tag) {
      constexpr bool FIRST = decltype(first_tag)::value;
      fence_regs(o);
      fence_regs(s);
      wgmma_fence();
      if (!FIRST) {
        issue_pv0(t - 1);
        named_bar_sync(BAR_KV, NTHREADS); /* tile t landed */
      }
      {
        const uint32_t kvs = sKV + (uint32_t)(t & 1) * TILE_BYTES;
#pragma unroll
        for (int c = 0; c < NCHUNK; ++c)
#pragma unroll
          for (int kk = 0; kk < 4; ++kk) {
            const uint32_t off = (uint32_t)c * CHUNK_BYTES + (uint32_t)kk * 32;
            wgmma_m64n64_ss(s, make_desc(sQ + off, 16, 1024), make_desc(kvs + off, 16, 1024),
                            (c | kk) != 0);
          }
        wgmma_commit();
      }
      wgmma_wait<1>(); /* PV0(t-1) done */
      if (!FIRST) named_bar_arrive(BAR_FREE, NTHREADS); /* stage (t-1)&1 may be refilled */
      wgmma_wait<0>(); /* QK(t) done */
      fence_regs(o);
      fence_regs(s);
      /* ---- online softmax ---- */
      const int key0 = kstart + t * TK + 2 * q4;
      float mx[2] = {-INFINITY, -INFINITY};
#pragma unroll
      for (int j = 0; j < 8; ++j)
#pragma unroll
        for (int i = 0; i < 2; ++i)
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            float &v = s[4 * j + 2 * i + e];
            v = (key0 + 8 * j + e < kend) ? v * p.scale_log2 : -INFINITY;
            mx[i] = fmaxf(mx[i], v);
          }
      float alpha[2], m_use[2], sum[2] = {0.f, 0.f};
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 1));
        mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 2));
        const float m_new = fmaxf(m_run[i], mx[i]);
        m_use[i] = (m_new == -INFINITY) ? 0.f : m_new;
        alpha[i] = exp2f(m_run[i] - m_use[i]);
        m_run[i] = m_new;
      }
      if (!FIRST) named_bar_sync(BAR_PFREE, NTHREADS); /* WG1 done reading P(t-1) */
      unsigned char *pbase = smem + OFF_P;
#pragma unroll
      for (int j = 0; j < 8; ++j)
#pragma unroll
        for (int i = 0; i < 2; ++i) {
          const float p0 = exp2f(s[4 * j + 2 * i] - m_use[i]);
          const float p1 = exp2f(s[4 * j + 2 * i + 1] - m_use[i]);
          sum[i] += p0 + p1;
          const int r = r0 + 8 * i;
          *(__nv_bfloat162 *)(pbase + r * 128 + ((j ^ (r & 7)) << 4) + q4 * 4) =
              __floats2bfloat162_rn(p0, p1);
        }
      if (q4 == 0) {
        sAlpha[r0] = alpha[0];
        sAlpha[r0 + 8] = alpha[1];
      }
      fence_proxy_async();
      named_bar_arrive(BAR_P, NTHREADS);
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        sum[i] += __shfl_xor_sync(0xffffffffu, sum[i], 1);
        sum[i] += __shfl_xor_sync(0xffffffffu, sum[i], 2);
        l_run[i] = l_run[i] * alpha[i] + sum[i];
      }
#pragma unroll
      for (int j = 0; j < 32; ++j) {
        o[4 * j + 0] *= alpha[0]; o[4 * j + 1] *= alpha[0];
        o[4 * j + 2] *= alpha[1]; o[4 * j + 3] *= alpha[1];
      }
    };
    if (ntiles > 0) iter(0, std::true_type{});
    for (int t = 1; t < ntiles; ++t) iter(t, std::false_type{});
    if (ntiles > 0) {
      fence_regs(o);
      wgmma_fence();
      issue_pv0(ntiles - 1);
      wgmma_wait<0>();
      fence_regs(o);
      named_bar_arrive(BAR_FREE, NTHREADS); /* last PV0 done (matches WG1) */
    }
    if (q4 == 0) {
      const int h0 = hg * HB;
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        sL[r0 + 8 * i] = l_run[i];
        if (p.nsplit > 1) {
          const size_t li = ((size_t)b * p.nsplit + split) * p.heads + h0 + r0 + 8 * i;
          p.lse[li] = l_run[i] > 0.f ? m_run[i] + log2f(l_run[i]) : -INFINITY;
        }
      }
    }
  } else {
    const int ltid = tid - 128;
    if (ntiles > 1) load_tile(1, ltid, 2);
    cp_async_commit();
    /* v6 (= v3 + p.pf > 0): one thread keeps L2 prefetches pf tiles ahead of the cp.async loads */
    if (p.pf > 0 && ltid == 0)
      prefetch_kv_l2(p, bt, min(kend, kstart + 2 * TK), min(kend, kstart + (2 + p.pf) * TK));
    for (int t = 0; t < ntiles; ++t) {
      if (t > 0) {
        /* WG0's PV0(t-1) done: stage (t-1)&1 = (t+1)&1 is free */
        named_bar_sync(BAR_FREE, NTHREADS);
        if (t + 1 < ntiles && !(p.dbg & 1)) load_tile(t + 1, ltid, 2);
        cp_async_commit();
        if (p.pf > 0 && ltid == 0 && t + 1 + p.pf < ntiles)
          prefetch_kv_l2(p, bt, kstart + (t + 1 + p.pf) * TK, min(kend, kstart + (t + 2 + p.pf) * TK));
      }
      named_bar_sync(BAR_P, NTHREADS);
      const float a0 = sAlpha[r0], a1 = sAlpha[r0 + 8];
#pragma unroll
      for (int j = 0; j < 32; ++j) {
        o[4 * j + 0] *= a0; o[4 * j + 1] *= a0;
        o[4 * j + 2] *= a1; o[4 * j + 3] *= a1;
      }
      const uint32_t kvs = sKV + (uint32_t)(t & 1) * TILE_BYTES;
      fence_regs(o);
      wgmma_fence();
#pragma unroll
      for (int kk = 0; kk < 4; ++kk)
        wgmma_m64n256_ss_tb(o, make_desc(sP + (uint32_t)kk * 32, 16, 1024),
                            make_desc(kvs + 4 * CHUNK_BYTES + (uint32_t)kk * 2048, CHUNK_BYTES, 1024),
                            1);
      wgmma_commit();
      /* tile t+1 must land before WG0's QK(t+1): wait for its group while PV1 runs */
      if (t + 1 < ntiles) {
        cp_async_wait<0>();
        fence_proxy_async();
        named_bar_arrive(BAR_KV, NTHREADS);
      }
      wgmma_wait<0>();
      fence_regs(o);
      if (t + 1 < ntiles) named_bar_arrive(BAR_PFREE, NTHREADS);
    }
    if (ntiles > 0) named_bar_sync(BAR_FREE, NTHREADS);
  }
  cp_async_wait<0>();

  /* ---- epilogue ---- */
  __syncthreads();
  const int h0 = hg * HB;
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    const int r = r0 + 8 * i;
    const float l = sL[r];
    const float inv = l > 0.f ? 1.f / l : 0.f;
#pragma unroll
    for (int j = 0; j < 32; ++j) {
      const int d = 256 * wg + 8 * j + 2 * q4;
      const float v0 = o[4 * j + 2 * i] * inv, v1 = o[4 * j + 2 * i + 1] * inv;
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

/* One block of 128 threads per (head, request): 4 output dims per thread. */
__global__ void __launch_bounds__(128) mla_combine_kernel(const MlaParams p) {
  __shared__ float sw[KERN_MLA_MAX_SPLITS];
  __shared__ float sinv;
  const int h = blockIdx.x, b = blockIdx.y, tid = threadIdx.x;
  /* launched with programmatic dependent launch: everything below reads the attention kernel's
   * partials, so wait for that grid (and its memory) first; the gain is the launch itself */
  asm volatile("griddepcontrol.wait;\n" ::: "memory");
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
  /* CU partials at a time, all loads issued before the first use: the first version (one
   * dependent load per split) took ~25 us at batch 1, 57 splits (ncu, 2026-12-06), about as long as
   * the attention itself; the weights are applied with a select, so a split with no keys (w = 0,
   * partial never written) contributes exactly 0 whatever its workspace holds */
  constexpr int CU = 8;
  float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
  const float *op = p.opart + ((size_t)b * p.nsplit * p.heads + h) * DV + tid * 4;
  for (int s0 = 0; s0 < p.nsplit; s0 += CU) {
    float4 v[CU];
#pragma unroll
    for (int u = 0; u < CU; ++u)
      v[u] = s0 + u < p.nsplit ? __ldcs((const float4 *)(op + (size_t)(s0 + u) * p.heads * DV))
                               : make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll
    for (int u = 0; u < CU; ++u) {
      const float w = s0 + u < p.nsplit ? sw[s0 + u] : 0.f;
      if (w != 0.f) {
        acc.x += w * v[u].x; acc.y += w * v[u].y; acc.z += w * v[u].z; acc.w += w * v[u].w;
      }
    }
  }
  const float inv = sinv;
  __nv_bfloat16 *out = p.out + ((size_t)b * p.heads + h) * DV + tid * 4;
  *(__nv_bfloat162 *)out = __floats2bfloat162_rn(acc.x * inv, acc.y * inv);
  *(__nv_bfloat162 *)(out + 2) = __floats2bfloat162_rn(acc.z * inv, acc.w * inv);
}

int g_variant = 6, g_dbg = 0, g_pf = 2;

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
      a->page_size % 32 != 0 || a->max_pages <= 0 || a->max_seqlen <= 0 || a->nsplit < 1 ||
      a->nsplit > KERN_MLA_MAX_SPLITS || (a->nsplit > 1 && !a->workspace) ||
      (long)a->max_pages * a->page_size < a->max_seqlen)
    return KERN_EINVAL;
  static bool attr_done = false;
  if (!attr_done) {
    KERN_CUDA_CHECK(cudaFuncSetAttribute(mla_decode_kernel,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         (int)SMEM_TOTAL));
    KERN_CUDA_CHECK(cudaFuncSetAttribute(mla_decode_kernel_v3,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         (int)SMEM_TOTAL));
    const char *v = getenv("KERN_MLA_VARIANT"), *d = getenv("KERN_MLA_DBG");
    if (v) g_variant = atoi(v);
    if (d) g_dbg = atoi(d);
    const char *pf = getenv("KERN_MLA_PF");
    if (pf) g_pf = atoi(pf);
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
  p.dbg = g_dbg;
  p.pf = g_variant == 6 ? g_pf : 0;   /* v3 = v6 without the L2 prefetch */
  if (g_variant == 2) mla_decode_kernel<<<grid, NTHREADS, SMEM_TOTAL>>>(p);
  else mla_decode_kernel_v3<<<grid, NTHREADS, SMEM_TOTAL>>>(p);
  KERN_LAUNCH_CHECK();
  if (a->nsplit > 1) {
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = dim3((unsigned)a->heads, (unsigned)a->batch);
    cfg.blockDim = dim3(128);
    cfg.stream = 0;
    cudaLaunchAttribute at[1];
    at[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    at[0].val.programmaticStreamSerializationAllowed = 1;
    cfg.attrs = at;
    cfg.numAttrs = 1;
    KERN_CUDA_CHECK(cudaLaunchKernelEx(&cfg, mla_combine_kernel, p));
  }
  return KERN_OK;
}
