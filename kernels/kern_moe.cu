/* kern_moe.cu: MoE expert FFN (kern_moe.h): the decode-shaped FP8 grouped GEMM ("moe_gg") and the
 * loop of cuBLASLt calls.
 *
 * Grouped path, why it is built this way. At 1-32 tokens per expert the FFN is memory-bound by
 * far: 8 experts of DeepSeek-V3 (hidden 7168, inter 2048) are 352 MB of E4M3 weights, ~118 us at
 * 3 TB/s, while the math (<= 23 GFLOP at 32 tokens) is ~20 us even for mma.sync. So the design
 * is about bytes in flight and launches, not tensor throughput:
 *  - one CTA = NW warps, one expert, no producer warp (a 9th warp caps registers at 168: see the
 *    kernel); each warp owns MT slabs of 16 weight rows (full K) and loads them straight into
 *    registers with 16-byte ld.global.nc.L1::no_allocate (each weight byte is used once per CTA,
 *    so shared memory would only add a copy), P = 2 scale blocks (128 deep) ahead, 64 KB in
 *    flight per SM. Default layout (KERN_MOE_GG=3): GEMM 1 16 warps x 16 rows (8 gate warps, 8
 *    up warps, 128 columns of A per CTA, 1 CTA/SM), GEMM 2 4 warps x 16 rows (64-row tiles, 4
 *    CTAs/SM: 896 tiles for 8 experts instead of 448 spread the last wave, 0.97 vs 0.85 of the
 *    SMs busy to the end); KERN_MOE_GG=0 is the first layout (8 warps x 2 m-tiles for GEMM 1,
 *    128-row tiles at 2 CTAs/SM for GEMM 2), 2-3% slower;
 *  - the K order inside an mma does not matter as long as A and B agree, so thread (g, tig)
 *    takes 16 contiguous bytes of its weight rows and the same 16 bytes of each token's
 *    activation row: no shuffles, no ldmatrix (the permutation is the identity on each 128-deep
 *    scale block, so the block scales stay exact);
 *  - the tokens' E4M3 activations stream through a 4-stage (GEMM 2 at 32 tokens: 2) shared-memory
 *    ring (512-deep chunks, one cp.async.bulk per token row, mbarrier completion), refilled by
 *    whichever warp finishes a stage last, so no warp stops at a CTA barrier in the main loop;
 *    the activation scales are loaded once;
 *  - mma.sync m16n8k32 E4M3 with the weight rows as the M side (16) and the tokens as N (8 per
 *    tile, NT tiles), FP32 partial per 128-deep block promoted with w_scale * x_scale (the
 *    DeepSeek-V3 recipe: no FP22 accumulation over more than one block);
 *  - GEMM 1's CTA covers gate rows i0..i0+127 and up rows I+i0.. of one expert, so silu(gate) *
 *    up and the 1x128 amax of A are done in its epilogue (the up warps hand their H to the gate
 *    warps through 16 KB of smem): H never reaches global memory and there is no SwiGLU launch;
 *  - zero-token experts: their CTAs exit at once; no host sync, counts read on the device;
 *  - programmatic dependent launch: GEMM 1 and 2 are launched so that their CTAs may start while
 *    the previous kernel drains; before griddepcontrol.wait they only touch weights, scales and
 *    the offsets (inputs of the whole call) - the weight loads of the first blocks overlap the
 *    predecessor's tail.
 * Rejected: an L2 bulk prefetch (cp.async.bulk.prefetch.L2) of each weight row 512-2048 bytes
 * ahead of the register loads: measured 18-40% slower (NOTES.md), the register loads already
 * keep HBM ~88% busy in GEMM 1 and the prefetched lines only compete with them for L2;
 * wgmma (needs 64 rows of M = tokens, or the transposed form with B = activations in
 * swizzled smem and A = weights through smem: an extra smem pass for no gain when memory-bound);
 * split-K across CTAs (needs a reduction pass; a 128-row x 7168 slab per CTA already gives 128
 * CTAs for 8 experts). */
#include "kern_moe.h"
#include "kern.h"
#include "kern_int.h"

#include <stdint.h>

static size_t align256(size_t x) { return (x + 255) / 256 * 256; }

namespace {

constexpr int GG_KC = 512;            /* K elements (bytes) per ring chunk: 4 scale blocks */
constexpr int GG_KBC = GG_KC / 128;
constexpr int GG_PITCH = GG_KC + 64;  /* token row pitch in smem: rows alternate bank halves, so a
                                         quarter-warp's 16-byte reads (2 rows x 64 B) never clash */
constexpr int GG_MAXSTAGES = 4;      /* ring stages (template S <= this) */

struct GgParams {
  const uint8_t *w;     /* [E][N][K] E4M3 */
  const float *ws;      /* [E][ws_stride], [nb][wsld] per expert */
  const uint8_t *x;     /* [T][K] E4M3, rows grouped by expert */
  const float *xs;      /* grouped 1x128 scale layout (kern_gemm.h) */
  const int *off;       /* [E+1] device */
  uint8_t *aq;          /* SWIGLU: A [T][N/2] E4M3 */
  float *as;            /* SWIGLU: A scales, grouped layout */
  __nv_bfloat16 *y;     /* plain: Y [T][N] */
  int N, K, tiles, wsld;
  size_t w_stride, ws_stride;
};

/* smem: barriers | S-stage token ring | activation scales [KB][TP] | amax [NW][TP] | (split
 * SwiGLU) the up half's H values [8][TP/8 * 4][32] */
size_t gg_smem_bytes(int tp, int kb, int nw, int stages, bool split) {
  return 128 + (size_t)stages * tp * GG_PITCH + (size_t)kb * tp * 4 + (size_t)nw * tp * 4 +
         (split ? (size_t)8 * tp * 4 * 4 * 4 : 0);
}

__device__ __forceinline__ uint32_t smem_u32(const void *p) {
  return (uint32_t)__cvta_generic_to_shared(p);
}
__device__ __forceinline__ void mbar_init(uint64_t *b, uint32_t n) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(smem_u32(b)), "r"(n) : "memory");
}
__device__ __forceinline__ void mbar_expect_tx(uint64_t *b, uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(smem_u32(b)), "r"(bytes)
               : "memory");
}
__device__ __forceinline__ void mbar_wait(uint64_t *b, uint32_t parity) {
  asm volatile(
      "{\n.reg .pred P1;\nGG_WAIT:\n"
      "mbarrier.try_wait.parity.shared::cta.b64 P1, [%0], %1;\n"
      "@P1 bra GG_DONE;\nbra GG_WAIT;\nGG_DONE:\n}\n" ::"r"(smem_u32(b)),
      "r"(parity)
      : "memory");
}
__device__ __forceinline__ void bulk_g2s(void *dst, const void *src, uint32_t bytes, uint64_t *bar) {
  asm volatile(
      "cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];\n" ::"r"(
          smem_u32(dst)),
      "l"(src), "r"(bytes), "r"(smem_u32(bar))
      : "memory");
}
__device__ __forceinline__ void griddep_wait() { asm volatile("griddepcontrol.wait;\n" ::: "memory"); }
__device__ __forceinline__ void griddep_launch() { asm volatile("griddepcontrol.launch_dependents;\n" ::); }
/* Streaming weight load: read once, keep out of L1, let L2 fetch the 256-byte neighbourhood (the
 * next scale block of the same row, loaded by this thread two iterations later). */
__device__ __forceinline__ uint4 ldg_stream(const void *p) {
  uint4 v;
  asm("ld.global.nc.L1::no_allocate.L2::256B.v4.u32 {%0,%1,%2,%3}, [%4];\n"
      : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
      : "l"(p));
  return v;
}
__device__ __forceinline__ void mma_e4m3(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                                         uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}
__device__ __forceinline__ float bf16_round(float v) { return __bfloat162float(__float2bfloat16_rn(v)); }
__device__ __forceinline__ uint8_t to_e4m3(float v) {
  return (uint8_t)__nv_cvt_float_to_fp8(v, __NV_SATFINITE, __NV_E4M3);
}

/* Grouped block-scaled FP8 GEMM for all experts: out_e = X_e W_e^T, X_e = rows off[e]..off[e+1]-1.
 * Grid: E * tiles CTAs, blockIdx = e * tiles + tile. NT: token tiles of 8 (t_e <= 8 NT).
 * SWIGLU (GEMM 1, MT = 2): tile = 128 intermediate columns; warp w: gate rows tile*128 + 16w ..+15
 *   (m-tile 0) and the up rows I + the same (m-tile 1); epilogue A = silu(bf16 gate) * bf16 up,
 *   1x128 E4M3 quantization (amax over the CTA's 128 columns), aq/as in the grouped layout.
 * plain (GEMM 2): tile = 8 MT 16 rows, bf16 Y.
 * Fragment mapping (mma m16n8k32, g = lane / 4, tig = lane % 4): per 128-deep block kb and half
 * c, thread loads W[row g][kb*128 + c*64 + tig*16 .. +15] and the same for row g + 8; bytes 0-7
 * are k-step (c, 0): a0 = row g bytes 0-3, a2 = bytes 4-7, a1/a3 the same of row g + 8; bytes 8-15
 * are k-step (c, 1). The B fragment of token 8j + g is the same 16 bytes of its row of X.
 * Ring refill without a producer warp: a 9th warp would put 3 warps on one of the SM's four
 * register-file quarters and cap every thread at 168 registers (the first version spilled at
 * NT = 4); instead each warp counts itself done with a chunk on a per-stage shared counter and the
 * warp that completes the count (old + 1 == 8 * generation) issues the stage's next chunk. The
 * counter never resets (generation = chunk / stages), so no store races with the next round. */
template <int NT, int MT, int P, bool SWIGLU, int MINB, int NW, int S>
__global__ void __launch_bounds__(NW * 32, MINB) moe_gg_kernel(const __grid_constant__ GgParams p) {
  constexpr int TP = 8 * NT, GG_THREADS = NW * 32, GG_STAGES = S;
  /* SPLIT (GEMM 1 with 16 warps): warps 0-7 take the gate rows, 8-15 the up rows, MT = 1 each */
  constexpr bool SPLIT = SWIGLU && MT == 1;
  static_assert(!SWIGLU || (MT == 2 && NW == 8) || (MT == 1 && NW == 16), "GEMM 1 warp layout");
  static_assert(S <= GG_MAXSTAGES, "stages");
  extern __shared__ __align__(128) unsigned char smem[];
  uint64_t *full = (uint64_t *)smem;
  unsigned *done = (unsigned *)(full + GG_STAGES);
  unsigned char *ring = smem + 128;
  const int K = p.K, KB = K / 128, NC = (K + GG_KC - 1) / GG_KC;
  float *xs_s = (float *)(ring + (size_t)GG_STAGES * TP * GG_PITCH);
  float *red = xs_s + KB * TP;
  float *upb = red + NW * TP; /* SPLIT only */
  const int e = blockIdx.x / p.tiles, tile = blockIdx.x - e * p.tiles;
  const int off0 = p.off[e], t = min(p.off[e + 1] - off0, TP);
  griddep_launch();
  if (t <= 0) return; /* zero-token expert: the whole CTA leaves before any barrier */
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, tig = lane & 3;
  { /* padding token rows (t..TP-1) of every stage: zero once, never written by the copies */
    const int pad = TP - t, per_row = GG_PITCH / 16;
    for (int i = threadIdx.x; i < GG_STAGES * pad * per_row; i += GG_THREADS) {
      const int s = i / (pad * per_row), r = t + (i / per_row) % pad, c = i % per_row;
      *(uint4 *)(ring + ((size_t)s * TP + r) * GG_PITCH + c * 16) = make_uint4(0u, 0u, 0u, 0u);
    }
  }
  int row0[MT];
  if (SPLIT) {
    row0[0] = (warp >= 8 ? p.N / 2 : 0) + tile * 128 + (warp & 7) * 16;
  } else if (SWIGLU) {
    row0[0] = tile * 128 + warp * 16;
    if (MT > 1) row0[MT - 1] = p.N / 2 + tile * 128 + warp * 16;
  } else {
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) row0[mt] = tile * (NW * MT * 16) + (warp * MT + mt) * 16;
  }
  const uint8_t *wrow[MT];
  const float *wsrow[MT];
#pragma unroll
  for (int mt = 0; mt < MT; ++mt) {
    wrow[mt] = p.w + (size_t)e * p.w_stride + (size_t)(row0[mt] + g) * K + tig * 16;
    wsrow[mt] = p.ws + (size_t)e * p.ws_stride + (size_t)(row0[mt] / 128) * p.wsld;
  }
  uint4 wb[P][MT][2][2]; /* [pipeline slot][m-tile][row g / g+8][half c] */
  float wsb[P][MT];
  auto load_w = [&](uint4 (&dst)[MT][2][2], float (&dsts)[MT], int kb) {
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
#pragma unroll
      for (int r = 0; r < 2; ++r)
#pragma unroll
        for (int c = 0; c < 2; ++c) dst[mt][r][c] = ldg_stream(wrow[mt] + (size_t)r * 8 * K + kb * 128 + c * 64);
      dsts[mt] = __ldg(wsrow[mt] + kb);
    }
  };
  /* ring chunk c -> stage c % STAGES: t row copies of min(KC, K - c KC) bytes (one warp issues) */
  auto fill = [&](int c) {
    const int s = c % GG_STAGES, kc = min(GG_KC, K - c * GG_KC);
    if (lane == 0) mbar_expect_tx(&full[s], (uint32_t)(t * kc));
    __syncwarp();
    for (int r = lane; r < t; r += 32)
      bulk_g2s(ring + ((size_t)s * TP + r) * GG_PITCH, p.x + (size_t)(off0 + r) * K + (size_t)c * GG_KC,
               (uint32_t)kc, &full[s]);
  };
#pragma unroll
  for (int q = 0; q < P; ++q)
    if (q < KB) load_w(wb[q], wsb[q], q);
  griddep_wait(); /* X and its scales come from the previous launch */
  if (warp == 0) {
    if (lane == 0) {
      for (int s = 0; s < GG_STAGES; ++s) {
        mbar_init(&full[s], 1);
        done[s] = 0;
      }
      asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
    __syncwarp();
    for (int c = 0; c < GG_STAGES && c < NC; ++c) fill(c);
  }
  for (int i = threadIdx.x; i < KB * TP; i += GG_THREADS) {
    const int kb = i / TP, r = i - kb * TP;
    xs_s[i] = r < t ? p.xs[(size_t)off0 * KB + (size_t)kb * t + r] : 0.f;
  }
  __syncthreads();

  float acc[MT][NT][4];
#pragma unroll
  for (int mt = 0; mt < MT; ++mt)
#pragma unroll
    for (int j = 0; j < NT; ++j)
#pragma unroll
      for (int r = 0; r < 4; ++r) acc[mt][j][r] = 0.f;

  for (int kb0 = 0; kb0 < KB; kb0 += P) {
#pragma unroll
    for (int q = 0; q < P; ++q) {
      const int kb = kb0 + q;
      if (kb < KB) {
        const int c = kb / GG_KBC, s = c % GG_STAGES, kl = kb - c * GG_KBC;
        if (kl == 0) mbar_wait(&full[s], (uint32_t)(c / GG_STAGES) & 1u);
        const unsigned char *xb = ring + (size_t)s * TP * GG_PITCH + kl * 128 + tig * 16;
        /* m-tile outer: one m-tile's FP32 block partials live at a time (NT*4 registers) */
#pragma unroll
        for (int mt = 0; mt < MT; ++mt) {
          float tmp[NT][4];
#pragma unroll
          for (int j = 0; j < NT; ++j)
#pragma unroll
            for (int r = 0; r < 4; ++r) tmp[j][r] = 0.f;
#pragma unroll
          for (int hc = 0; hc < 2; ++hc) {
            const uint4 r0 = wb[q][mt][0][hc], r1 = wb[q][mt][1][hc];
#pragma unroll
            for (int j = 0; j < NT; ++j) {
              const uint4 b = *(const uint4 *)(xb + (8 * j + g) * GG_PITCH + hc * 64);
              mma_e4m3(tmp[j], r0.x, r1.x, r0.y, r1.y, b.x, b.y);
              mma_e4m3(tmp[j], r0.z, r1.z, r0.w, r1.w, b.z, b.w);
            }
          }
#pragma unroll
          for (int j = 0; j < NT; ++j) {
            const float2 sx = *(const float2 *)(xs_s + kb * TP + 8 * j + 2 * tig);
            const float s0 = wsb[q][mt] * sx.x, s1 = wsb[q][mt] * sx.y;
            acc[mt][j][0] = fmaf(tmp[j][0], s0, acc[mt][j][0]);
            acc[mt][j][1] = fmaf(tmp[j][1], s1, acc[mt][j][1]);
            acc[mt][j][2] = fmaf(tmp[j][2], s0, acc[mt][j][2]);
            acc[mt][j][3] = fmaf(tmp[j][3], s1, acc[mt][j][3]);
          }
        }
        if (kb + P < KB) load_w(wb[q], wsb[q], kb + P);
        if ((kl == GG_KBC - 1 || kb == KB - 1) && c + GG_STAGES < NC) {
          /* this warp is done reading stage s; the 8th warp to say so refills it */
          __syncwarp();
          unsigned last = 0;
          if (lane == 0) {
            __threadfence_block();
            last = atomicAdd(&done[s], 1u) + 1u == (unsigned)NW * (unsigned)(c / GG_STAGES + 1);
          }
          if (__shfl_sync(0xffffffffu, last, 0)) {
            asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
            fill(c + GG_STAGES);
          }
        }
      }
    }
  }

  if (!SWIGLU) {
#pragma unroll
    for (int mt = 0; mt < MT; ++mt)
#pragma unroll
      for (int j = 0; j < NT; ++j) {
        const int tok = 8 * j + 2 * tig;
        __nv_bfloat16 *y0 = p.y + (size_t)(off0 + tok) * p.N + row0[mt] + g;
        if (tok < t) {
          y0[0] = __float2bfloat16_rn(acc[mt][j][0]);
          y0[8] = __float2bfloat16_rn(acc[mt][j][2]);
        }
        if (tok + 1 < t) {
          y0[p.N] = __float2bfloat16_rn(acc[mt][j][1]);
          y0[p.N + 8] = __float2bfloat16_rn(acc[mt][j][3]);
        }
      }
    return;
  }
  /* SwiGLU + 1x128 quantization, same arithmetic as swiglu_kernel<true> in kern_gemm.cu.
   * SPLIT: the up warps hand their bf16-rounded H to the gate warp of the same columns through
   * smem (conflict-free: [warp][value][lane]); the gate warps (gw = warp) do the rest. */
  const int I = p.N / 2, gw = warp & 7;
  const bool active = !SPLIT || warp < 8;
  if (SPLIT) {
    if (warp >= 8) {
#pragma unroll
      for (int j = 0; j < NT; ++j)
#pragma unroll
        for (int r = 0; r < 4; ++r) upb[((gw * NT + j) * 4 + r) * 32 + lane] = bf16_round(acc[0][j][r]);
    }
    __syncthreads();
  }
  float a[NT][4], am[NT][2];
#pragma unroll
  for (int j = 0; j < NT; ++j) {
#pragma unroll
    for (int r = 0; r < 4; ++r) {
      const float gv = bf16_round(acc[0][j][r]);
      const float uv = SPLIT ? upb[((gw * NT + j) * 4 + r) * 32 + lane] : bf16_round(acc[MT - 1][j][r]);
      a[j][r] = gv / (1.f + __expf(-gv)) * uv;
    }
    am[j][0] = fmaxf(fabsf(a[j][0]), fabsf(a[j][2]));
    am[j][1] = fmaxf(fabsf(a[j][1]), fabsf(a[j][3]));
#pragma unroll
    for (int o = 4; o < 32; o <<= 1) {
      am[j][0] = fmaxf(am[j][0], __shfl_xor_sync(0xffffffffu, am[j][0], o));
      am[j][1] = fmaxf(am[j][1], __shfl_xor_sync(0xffffffffu, am[j][1], o));
    }
    if (active && g == 0) {
      red[gw * TP + 8 * j + 2 * tig] = am[j][0];
      red[gw * TP + 8 * j + 2 * tig + 1] = am[j][1];
    }
  }
  __syncthreads();
  if (!active) return;
#pragma unroll
  for (int j = 0; j < NT; ++j)
#pragma unroll
    for (int q = 0; q < 2; ++q) {
      const int tok = 8 * j + 2 * tig + q;
      if (tok >= t) continue;
      float amax = red[tok];
#pragma unroll
      for (int w = 1; w < 8; ++w) amax = fmaxf(amax, red[w * TP + tok]);
      if (amax == 0.f) amax = 448.f;
      const float inv = 448.f / amax;
      uint8_t *dst = p.aq + (size_t)(off0 + tok) * I + tile * 128 + gw * 16 + g;
      dst[0] = to_e4m3(a[j][q] * inv);
      dst[8] = to_e4m3(a[j][q + 2] * inv);
      if (gw == 0 && g == 0) p.as[(size_t)off0 * (I / 128) + (size_t)tile * t + tok] = amax / 448.f;
    }
}

int g_gg_pdl = -1; /* KERN_MOE_PDL=0 turns programmatic dependent launch off (A/B runs) */
int g_gg_cfg = -1; /* KERN_MOE_GG: bit 0 GEMM 1 with 16 warps (gate/up split), bit 1 GEMM 2 with
                      4-warp 64-row tiles (4 CTAs/SM); default GG_CFG_DEFAULT */
constexpr int GG_CFG_DEFAULT = 3; /* measured best on the H100, kernels/NOTES.md "MoE grouped GEMM" */

template <int NT, int MT, int P, bool SWIGLU, int MINB, int NW, int S>
void gg_launch(const GgParams &p, int experts, bool pdl) {
  auto kern = moe_gg_kernel<NT, MT, P, SWIGLU, MINB, NW, S>;
  const size_t smem = gg_smem_bytes(8 * NT, p.K / 128, NW, S, SWIGLU && MT == 1);
  static size_t smem_set = 0;
  if (smem > smem_set) {
    KERN_CUDA_CHECK(cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
    smem_set = smem;
  }
  cudaLaunchConfig_t cfg = {};
  cfg.gridDim = dim3((unsigned)(experts * p.tiles));
  cfg.blockDim = dim3(NW * 32);
  cfg.dynamicSmemBytes = smem;
  cfg.stream = 0;
  cudaLaunchAttribute at[1];
  at[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  at[0].val.programmaticStreamSerializationAllowed = 1;
  cfg.attrs = at;
  cfg.numAttrs = pdl ? 1 : 0;
  KERN_CUDA_CHECK(cudaLaunchKernelEx(&cfg, kern, p));
}

/* GEMM 1 then GEMM 2 for token tiles NT; p2.tiles must match the GEMM 2 layout (128 or 64 rows) */
template <int NT>
void gg_pair(const GgParams &p1, const GgParams &p2, int experts, bool pdl, int cfg) {
  if (cfg & 1) gg_launch<NT, 1, 2, true, 1, 16, 4>(p1, experts, pdl);
  else gg_launch<NT, 2, 2, true, 1, 8, 4>(p1, experts, pdl);
  if (cfg & 2) gg_launch<NT, 1, 2, false, 4, 4, NT >= 4 ? 2 : 4>(p2, experts, pdl);
  else gg_launch<NT, 1, 2, false, 2, 8, 4>(p2, experts, pdl);
}

}  // namespace

extern "C" size_t kern_moe_scratch_bytes(int T, int H, int I) {
  const size_t t = (size_t)(T > 0 ? T : 1);
  return align256(t * H) + align256(t * H / 128 * 4) + align256(t * 2 * I * 2) +
         align256(t * I * 2) + align256(t * I / 128 * 4);
}

extern "C" int kern_moe_ffn(kern_gemm_ctx *ctx, const kern_moe_layer *L, const int *h_counts,
                            const int *d_offsets, const void *x, void *y, void *scratch) {
  return kern_moe_ffn_impl(ctx, L, h_counts, d_offsets, x, y, scratch, KERN_MOE_AUTO);
}

extern "C" int kern_moe_ffn_impl(kern_gemm_ctx *ctx, const kern_moe_layer *L, const int *h_counts,
                                 const int *d_offsets, const void *x, void *y, void *scratch,
                                 kern_moe_impl impl) {
  if (!ctx || !L || !h_counts || !d_offsets || L->experts < 1 || L->hidden % 128 != 0 ||
      L->inter % 128 != 0 || L->hidden <= 0 || L->inter <= 0)
    return KERN_EINVAL;
  const int E = L->experts, H = L->hidden, I = L->inter;
  int T = 0, tmax = 0;
  for (int e = 0; e < E; ++e) {
    if (h_counts[e] < 0) return KERN_EINVAL;
    T += h_counts[e];
    if (h_counts[e] > tmax) tmax = h_counts[e];
  }
  if (impl == KERN_MOE_AUTO)
    impl = (L->fp8 && tmax <= KERN_MOE_GROUPED_MAX_T) ? KERN_MOE_GROUPED : KERN_MOE_CUBLASLT;
  if (impl == KERN_MOE_GROUPED && (!L->fp8 || tmax > KERN_MOE_GROUPED_MAX_T)) return KERN_ENOTSUP;
  if (T == 0) return KERN_OK;
  unsigned char *s = (unsigned char *)scratch;
  uint8_t *xq = s;                  s += align256((size_t)T * H);
  float *xs = (float *)s;           s += align256((size_t)T * H / 128 * 4);
  __nv_bfloat16 *h = (__nv_bfloat16 *)s; s += align256((size_t)T * 2 * I * 2);
  void *a = s;                      s += align256((size_t)T * I * 2);
  float *as = (float *)s;

  const size_t w1_elems = (size_t)2 * I * H, w2_elems = (size_t)H * I;
  const size_t w1s_n = kern_wscale_count(2 * I, H), w2s_n = kern_wscale_count(H, I);
  int rc;
  if (impl == KERN_MOE_GROUPED) {
    rc = kern_quant_act_1x128(x, xq, xs, T, H, d_offsets, E);
    if (rc) return rc;
    if (g_gg_pdl < 0) {
      const char *v = getenv("KERN_MOE_PDL");
      g_gg_pdl = v ? (atoi(v) != 0) : 1;
      v = getenv("KERN_MOE_GG");
      g_gg_cfg = v ? atoi(v) : GG_CFG_DEFAULT;
    }
    GgParams p1, p2;
    memset(&p1, 0, sizeof p1);
    p1.w = (const uint8_t *)L->w1; p1.ws = L->w1s; p1.x = xq; p1.xs = xs; p1.off = d_offsets;
    p1.aq = (uint8_t *)a; p1.as = as;
    p1.N = 2 * I; p1.K = H; p1.tiles = I / 128; p1.wsld = kern_wscale_ld(H);
    p1.w_stride = w1_elems; p1.ws_stride = w1s_n;
    memset(&p2, 0, sizeof p2);
    p2.w = (const uint8_t *)L->w2; p2.ws = L->w2s; p2.x = (const uint8_t *)a; p2.xs = as; p2.off = d_offsets;
    p2.y = (__nv_bfloat16 *)y;
    p2.N = H; p2.K = I; p2.tiles = H / ((g_gg_cfg & 2) ? 64 : 128); p2.wsld = kern_wscale_ld(I);
    p2.w_stride = w2_elems; p2.ws_stride = w2s_n;
    const bool pdl = g_gg_pdl != 0;
    if (tmax <= 8) gg_pair<1>(p1, p2, E, pdl, g_gg_cfg);
    else if (tmax <= 16) gg_pair<2>(p1, p2, E, pdl, g_gg_cfg);
    else gg_pair<4>(p1, p2, E, pdl, g_gg_cfg);
    return KERN_OK;
  }

  const size_t esz = L->fp8 ? 1 : 2;
  if (L->fp8) {
    rc = kern_quant_act_1x128(x, xq, xs, T, H, d_offsets, E);
    if (rc) return rc;
  }
  int off = 0;
  for (int e = 0; e < E; ++e) {
    const int t = h_counts[e];
    if (t == 0) continue;
    const unsigned char *w1 = (const unsigned char *)L->w1 + (size_t)e * w1_elems * esz;
    __nv_bfloat16 *he = h + (size_t)off * 2 * I;
    if (L->fp8)
      rc = kern_gemm_fp8_blockscaled(ctx, xq + (size_t)off * H, xs + (size_t)off * (H / 128), w1,
                                     L->w1s + (size_t)e * w1s_n, he, t, 2 * I, H);
    else
      rc = kern_gemm_bf16(ctx, (const __nv_bfloat16 *)x + (size_t)off * H, w1, he, t, 2 * I, H);
    if (rc) return rc;
    off += t;
  }
  if (L->fp8)
    rc = kern_swiglu_quant_1x128(h, a, as, T, I, d_offsets, E);
  else
    rc = kern_swiglu_bf16(h, a, T, I);
  if (rc) return rc;
  off = 0;
  for (int e = 0; e < E; ++e) {
    const int t = h_counts[e];
    if (t == 0) continue;
    const unsigned char *w2 = (const unsigned char *)L->w2 + (size_t)e * w2_elems * esz;
    __nv_bfloat16 *ye = (__nv_bfloat16 *)y + (size_t)off * H;
    if (L->fp8)
      rc = kern_gemm_fp8_blockscaled(ctx, (const uint8_t *)a + (size_t)off * I,
                                     as + (size_t)off * (I / 128), w2, L->w2s + (size_t)e * w2s_n,
                                     ye, t, H, I);
    else
      rc = kern_gemm_bf16(ctx, (const __nv_bfloat16 *)a + (size_t)off * I, w2, ye, t, H, I);
    if (rc) return rc;
    off += t;
  }
  return KERN_OK;
}
