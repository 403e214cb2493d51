/* kern_bench: times the kernels over the shapes the simulator needs and writes a trace file
 * (format in kernels/README.md). Needs CUDA and cuBLASLt only.
 *
 *   kern_bench [--out trace.csv] [--quick] [--only mla|gemm|gemmpair|moe|logfmt[,...]]
 *   (default --out: kern_trace.csv in the current directory, never the checked-in
 *   results/traces/h100.csv; name that file explicitly to replace it)
 *   (--only takes a comma list, e.g. --only mla,logfmt; the copy and 8192^3 GEMM ceilings always run)
 *
 * Method (see /work/.library/device/METHOD.md): random inputs, never zeros; warm-up calls before
 * timing; each call timed with CUDA events; the median of the repeats is reported; inputs rotate
 * over several buffer sets whose total is > 3x the L2 size, so repeated calls do not read the
 * previous call's data out of L2. */
#include "kern.h"
#include "kern_gemm.h"
#include "kern_logfmt.h"
#include "kern_mla.h"
#include "kern_moe.h"
#include "kern_int.h"

#include <algorithm>
#include <functional>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <string>
#include <time.h>
#include <vector>

namespace {

struct Row {
  std::string op, impl, dtype;
  long d[4];
  double flops, bytes, time_us, tflops, gbps, pct;
  int repeats;
};

std::vector<Row> g_rows;
kern_device_info g_info;
double g_ceil_copy = 0, g_ceil_bf16 = 0, g_ceil_fp8 = 0;
bool g_quick = false;
uint64_t g_seed = 1;

/* Median time (us) of fn(r) over repeats, r = rotation index; fn must only enqueue work. */
double time_median_us(const std::function<void(int)> &fn, int nsets, int *repeats_out) {
  kern_timer *t = kern_timer_create();
  fn(0);
  kern_sync();
  kern_timer_start(t);
  fn(1 % nsets);
  double est = kern_timer_stop_ms(t) * 1000.0;
  int reps = (int)std::min(50.0, std::max(7.0, 40000.0 / std::max(est, 1.0)));
  if (g_quick) reps = std::min(reps, 9);
  for (int w = 0; w < 2; ++w) fn((w + 2) % nsets);
  std::vector<double> v;
  for (int r = 0; r < reps; ++r) {
    kern_timer_start(t);
    fn(r % nsets);
    v.push_back(kern_timer_stop_ms(t) * 1000.0);
  }
  kern_timer_destroy(t);
  std::sort(v.begin(), v.end());
  *repeats_out = reps;
  return v[v.size() / 2];
}

/* Medians (us) of several functions timed interleaved: repeat r runs fns[0](r), fns[1](r), ...
 * each between its own events, so that clock and power drift over the run hits all alike (the
 * 8192^3 GEMM alone moved 816-945 us between runs of session 3). All[i] gets fns[i]'s samples. */
std::vector<double> time_interleaved_us(const std::vector<std::function<void(int)>> &fns, int nsets,
                                        int reps, std::vector<std::vector<double>> *all = nullptr) {
  kern_timer *t = kern_timer_create();
  for (int w = 0; w < 2; ++w)
    for (auto &f : fns) f(w % nsets);
  kern_sync();
  std::vector<std::vector<double>> v(fns.size());
  for (int r = 0; r < reps; ++r)
    for (size_t i = 0; i < fns.size(); ++i) {
      kern_timer_start(t);
      fns[i](r % nsets);
      v[i].push_back(kern_timer_stop_ms(t) * 1000.0);
    }
  kern_timer_destroy(t);
  std::vector<double> med;
  for (auto &x : v) {
    std::vector<double> y = x;
    std::sort(y.begin(), y.end());
    med.push_back(y[y.size() / 2]);
  }
  if (all) *all = v;
  return med;
}

int sets_for(double bytes_per_set) {
  const double target = 3.0 * (double)g_info.l2_bytes;
  int n = (int)ceil(target / std::max(bytes_per_set, 1.0));
  return std::max(1, std::min(n, 64));
}

/* A failed call marks the measurement; add_row then drops it (printed, not in the trace). */
bool g_fail = false;
void check_rc(int rc, const char *what) {
  if (rc != KERN_OK) {
    if (!g_fail) fprintf(stderr, "kern_bench: %s failed with %d\n", what, rc);
    g_fail = true;
  }
}

void add_row(const char *op, const char *impl, const char *dtype, long d0, long d1, long d2, long d3,
             double flops, double bytes, double us, int reps, double ceil_tflops) {
  if (g_fail) {
    printf("  %-12s %-26s %ld %ld %ld %ld: FAILED, not recorded\n", op, impl, d0, d1, d2, d3);
    g_fail = false;
    return;
  }
  Row r;
  r.op = op; r.impl = impl; r.dtype = dtype;
  r.d[0] = d0; r.d[1] = d1; r.d[2] = d2; r.d[3] = d3;
  r.flops = flops; r.bytes = bytes; r.time_us = us;
  r.tflops = flops / (us * 1e-6) / 1e12;
  r.gbps = bytes / (us * 1e-6) / 1e9;
  double pc = 0;
  if (ceil_tflops > 0 && flops > 0) pc = r.tflops / ceil_tflops;
  if (g_ceil_copy > 0) pc = std::max(pc, r.gbps / g_ceil_copy);
  r.pct = 100.0 * pc;
  r.repeats = reps;
  g_rows.push_back(r);
  printf("  %-12s %-26s %-9s %6ld %6ld %6ld %5ld  %10.2f us %8.1f TF/s %8.1f GB/s %6.1f%%\n", op, impl,
         dtype, d0, d1, d2, d3, us, r.tflops, r.gbps, r.pct);
  fflush(stdout);
}

/* ------------------------------------------------------------------ ceilings + copy */
void bench_copy() {
  printf("== copy (cudaMemcpy device to device; bytes = read + write)\n");
  const size_t big = (size_t)1 << 30;
  void *a = kern_dev_alloc(big), *b = kern_dev_alloc(big);
  kern_fill_random_bf16(a, big / 2, g_seed++, 1.f);
  const size_t sizes[] = {(size_t)64 << 20, (size_t)256 << 20, (size_t)1 << 30};
  for (size_t s : sizes) {
    int reps;
    const int nsets = (int)std::max<size_t>(1, std::min<size_t>(big / s, (size_t)sets_for((double)s)));
    double us = time_median_us([&](int r) {
      KERN_CUDA_CHECK(cudaMemcpyAsync((char *)b + (size_t)r * s % big, (char *)a + (size_t)r * s % big, s,
                                      cudaMemcpyDeviceToDevice, 0));
    }, nsets, &reps);
    const double gbps = 2.0 * (double)s / (us * 1e-6) / 1e9;
    g_ceil_copy = std::max(g_ceil_copy, gbps);
    add_row("copy", "cudaMemcpyD2D", "byte", (long)s, 0, 0, 0, 0, 2.0 * (double)s, us, reps, 0);
  }
  kern_dev_free(a);
  kern_dev_free(b);
}

/* ------------------------------------------------------------------ GEMM */
struct GemmBufs {
  int M, N, K, nsets;
  std::vector<void *> x, w, xq, wq;
  std::vector<float *> xs, ws;
  void *y;
  float *one;
};

void gemm_alloc(GemmBufs &g, int M, int N, int K, bool fp8) {
  g.M = M; g.N = N; g.K = K;
  const double set_bytes = 2.0 * ((double)M * K + (double)N * K);
  g.nsets = sets_for(set_bytes);
  for (int s = 0; s < g.nsets; ++s) {
    void *x = kern_dev_alloc((size_t)M * K * 2), *w = kern_dev_alloc((size_t)N * K * 2);
    kern_fill_random_bf16(x, (size_t)M * K, g_seed++, 1.f);
    kern_fill_random_bf16(w, (size_t)N * K, g_seed++, 0.05f);
    g.x.push_back(x); g.w.push_back(w);
    if (fp8) {
      void *xq = kern_dev_alloc((size_t)M * K), *wq = kern_dev_alloc((size_t)N * K);
      float *xs = (float *)kern_dev_alloc(kern_xscale_count(M, K) * 4);
      float *ws = (float *)kern_dev_alloc(kern_wscale_count(N, K) * 4);
      kern_quant_act_1x128(x, xq, xs, M, K, NULL, 0);
      kern_quant_weight_128x128(w, wq, ws, N, K);
      g.xq.push_back(xq); g.wq.push_back(wq); g.xs.push_back(xs); g.ws.push_back(ws);
    }
  }
  g.y = kern_dev_alloc((size_t)M * N * 2);
  g.one = (float *)kern_dev_alloc(4);
  const float one = 1.f;
  kern_h2d(g.one, &one, 4);
  kern_sync();
}
void gemm_free(GemmBufs &g) {
  for (auto p : g.x) kern_dev_free(p);
  for (auto p : g.w) kern_dev_free(p);
  for (auto p : g.xq) kern_dev_free(p);
  for (auto p : g.wq) kern_dev_free(p);
  for (auto p : g.xs) kern_dev_free(p);
  for (auto p : g.ws) kern_dev_free(p);
  kern_dev_free(g.y);
  kern_dev_free(g.one);
}

void bench_gemm_shape(kern_gemm_ctx *ctx, int M, int N, int K, bool ceiling) {
  const double flops = 2.0 * M * N * K;
  const double scale_bytes = 4.0 * ((double)kern_xscale_count(M, K) + (double)kern_wscale_count(N, K));
  GemmBufs g;
  gemm_alloc(g, M, N, K, true);
  int reps;
  double us;
  /* BF16 baseline */
  us = time_median_us([&](int r) { check_rc(kern_gemm_bf16(ctx, g.x[r], g.w[r], g.y, M, N, K), "bf16 gemm"); },
                      g.nsets, &reps);
  if (ceiling) g_ceil_bf16 = std::max(g_ceil_bf16, flops / (us * 1e-6) / 1e12);
  add_row("gemm", "cublas_bf16", "bf16", M, N, K, 0, flops, 2.0 * ((double)M * K + (double)N * K + (double)M * N), us,
          reps, g_ceil_bf16);
  if (ceiling) {
    us = time_median_us([&](int r) {
      check_rc(kern_gemm_fp8_tensorscaled(ctx, g.xq[r], g.one, g.wq[r], g.one, g.y, M, N, K), "fp8 tensor gemm");
    }, g.nsets, &reps);
    g_ceil_fp8 = std::max(g_ceil_fp8, flops / (us * 1e-6) / 1e12);
    add_row("gemm", "cublaslt_fp8_tensorscaled", "fp8_e4m3", M, N, K, 0, flops,
            (double)M * K + (double)N * K + 2.0 * M * N, us, reps, g_ceil_fp8);
  }
  /* block-scaled GEMM alone, quant + GEMM and quant alone: timed interleaved (session 5), so the
   * quant + GEMM / GEMM ratio is read within one stretch of the run */
  {
    const double est = time_median_us([&](int r) {
      check_rc(kern_gemm_fp8_blockscaled(ctx, g.xq[r], g.xs[r], g.wq[r], g.ws[r], g.y, M, N, K), "fp8 block gemm");
    }, g.nsets, &reps);
    reps = (int)std::min(50.0, std::max(7.0, 40000.0 / std::max(est, 1.0)));
    if (g_quick) reps = std::min(reps, 9);
    const std::vector<double> med = time_interleaved_us({
      [&](int r) {
        check_rc(kern_gemm_fp8_blockscaled(ctx, g.xq[r], g.xs[r], g.wq[r], g.ws[r], g.y, M, N, K), "fp8 block gemm");
      },
      [&](int r) {
        check_rc(kern_quant_act_1x128(g.x[r], g.xq[r], g.xs[r], M, K, NULL, 0), "quant");
        check_rc(kern_gemm_fp8_blockscaled(ctx, g.xq[r], g.xs[r], g.wq[r], g.ws[r], g.y, M, N, K), "fp8 block gemm");
      },
      [&](int r) { check_rc(kern_quant_act_1x128(g.x[r], g.xq[r], g.xs[r], M, K, NULL, 0), "quant"); }},
      g.nsets, reps);
    add_row("gemm", "cublaslt_fp8_blockscaled", "fp8_e4m3", M, N, K, 0, flops,
            (double)M * K + (double)N * K + 2.0 * M * N + scale_bytes, med[0], reps, g_ceil_fp8);
    add_row("gemm", "quant_fp8_blockscaled", "fp8_e4m3", M, N, K, 0, flops,
            2.0 * M * K + (double)N * K + 2.0 * M * N + scale_bytes, med[1], reps, g_ceil_fp8);
    add_row("quant", "act_1x128", "fp8_e4m3", M, K, 0, 0, 0,
            2.0 * M * K + (double)M * K + 4.0 * kern_xscale_count(M, K), med[2], reps, 0);
  }
  gemm_free(g);
}

void bench_gemm(kern_gemm_ctx *ctx) {
  printf("== gemm: Y[M][N] = X[M][K] W[N][K]^T\n");
  bench_gemm_shape(ctx, 8192, 8192, 8192, true);
  const int NK[][2] = {{7168, 2048}, {2048, 7168}, {24576, 1536}, {32768, 512},
                       {7168, 16384}, {4096, 7168}, {1536, 7168}};
  const int Ms[] = {128, 256, 512, 1024, 2048, 4096, 8192};
  for (auto &nk : NK)
    for (int M : Ms) {
      if (g_quick && M != 4096 && M != 128) continue;
      bench_gemm_shape(ctx, M, nk[0], nk[1], false);
    }
}

/* ------------------------------------------------------------------ quant + GEMM pairs
 * `--only gemmpair` (session 5): GEMM alone and quant + GEMM with each quantizer variant, plus the
 * quantizers alone, timed interleaved; ROUNDS rounds, each with its own medians and ratios, so
 * the spread of the ratio is visible. Also checks that v2/v3 give v1's codes and scales. */
extern "C" void kern_quant_act_variant(int v);

void bench_gemm_pair_shape(kern_gemm_ctx *ctx, int M, int N, int K, int rounds, int reps) {
  GemmBufs g;
  gemm_alloc(g, M, N, K, true);
  const size_t nq = (size_t)M * K, ns = kern_xscale_count(M, K);
  { /* bit-exactness of the variants against v1 on this shape */
    std::vector<unsigned char> q1(nq), q2(nq);
    std::vector<float> s1(ns), s2(ns);
    kern_quant_act_variant(1);
    check_rc(kern_quant_act_1x128(g.x[0], g.xq[0], g.xs[0], M, K, NULL, 0), "quant");
    kern_sync();
    KERN_CUDA_CHECK(cudaMemcpy(q1.data(), g.xq[0], nq, cudaMemcpyDeviceToHost));
    KERN_CUDA_CHECK(cudaMemcpy(s1.data(), g.xs[0], ns * 4, cudaMemcpyDeviceToHost));
    for (int v = 2; v <= 3; ++v) {
      KERN_CUDA_CHECK(cudaMemset(g.xq[0], 0x5a, nq));
      KERN_CUDA_CHECK(cudaMemset(g.xs[0], 0x5a, ns * 4));
      kern_quant_act_variant(v);
      check_rc(kern_quant_act_1x128(g.x[0], g.xq[0], g.xs[0], M, K, NULL, 0), "quant");
      kern_sync();
      KERN_CUDA_CHECK(cudaMemcpy(q2.data(), g.xq[0], nq, cudaMemcpyDeviceToHost));
      KERN_CUDA_CHECK(cudaMemcpy(s2.data(), g.xs[0], ns * 4, cudaMemcpyDeviceToHost));
      size_t dq = 0, ds = 0;
      for (size_t i = 0; i < nq; ++i) dq += q1[i] != q2[i];
      for (size_t i = 0; i < ns; ++i) ds += memcmp(&s1[i], &s2[i], 4) != 0;
      printf("  pair %dx%dx%d: quant v%d vs v1: %zu codes, %zu scales differ\n", M, N, K, v, dq, ds);
    }
    kern_quant_act_variant(0);
  }
  auto gemm = [&](int r) {
    check_rc(kern_gemm_fp8_blockscaled(ctx, g.xq[r], g.xs[r], g.wq[r], g.ws[r], g.y, M, N, K), "fp8 block gemm");
  };
  auto qg = [&](int v) {
    return [&, v](int r) {
      kern_quant_act_variant(v);
      check_rc(kern_quant_act_1x128(g.x[r], g.xq[r], g.xs[r], M, K, NULL, 0), "quant");
      kern_quant_act_variant(0);
      gemm(r);
    };
  };
  auto qa = [&](int v) {
    return [&, v](int r) {
      kern_quant_act_variant(v);
      check_rc(kern_quant_act_1x128(g.x[r], g.xq[r], g.xs[r], M, K, NULL, 0), "quant");
      kern_quant_act_variant(0);
    };
  };
  const double qbytes = 3.0 * M * K + 4.0 * ns;
  printf("  pair %dx%dx%d (%d reps per round; us medians; ratio = GEMM / (quant + GEMM)):\n", M, N, K, reps);
  printf("    round     gemm   q1+gemm  q2+gemm  q3+gemm     q1     q2     q3   ratio1 ratio2 ratio3  q2 GB/s\n");
  std::vector<std::vector<double>> pooled(7);
  for (int rd = 0; rd < rounds; ++rd) {
    std::vector<std::vector<double>> all;
    const std::vector<double> m = time_interleaved_us({gemm, qg(1), qg(2), qg(3), qa(1), qa(2), qa(3)}, g.nsets, reps, &all);
    for (size_t i = 0; i < 7; ++i) pooled[i].insert(pooled[i].end(), all[i].begin(), all[i].end());
    printf("    %5d %8.1f %8.1f %8.1f %8.1f %6.1f %6.1f %6.1f   %5.1f%% %5.1f%% %5.1f%%  %7.0f\n", rd, m[0], m[1], m[2], m[3],
           m[4], m[5], m[6], 100 * m[0] / m[1], 100 * m[0] / m[2], 100 * m[0] / m[3], qbytes / (m[5] * 1e-6) / 1e9);
  }
  std::vector<double> pm;
  for (auto &x : pooled) { std::sort(x.begin(), x.end()); pm.push_back(x[x.size() / 2]); }
  printf("    all   %8.1f %8.1f %8.1f %8.1f %6.1f %6.1f %6.1f   %5.1f%% %5.1f%% %5.1f%%  %7.0f\n", pm[0], pm[1], pm[2], pm[3],
         pm[4], pm[5], pm[6], 100 * pm[0] / pm[1], 100 * pm[0] / pm[2], 100 * pm[0] / pm[3], qbytes / (pm[5] * 1e-6) / 1e9);
  gemm_free(g);
}

void bench_gemm_pair(kern_gemm_ctx *ctx) {
  printf("== gemmpair: quant + block-scaled FP8 GEMM vs the GEMM alone, interleaved\n");
  bench_gemm_pair_shape(ctx, 8192, 8192, 8192, g_quick ? 2 : 5, g_quick ? 7 : 15);
  bench_gemm_pair_shape(ctx, 4096, 7168, 2048, g_quick ? 2 : 5, g_quick ? 15 : 40);
}

/* ------------------------------------------------------------------ MLA */
void bench_mla() {
  printf("== mla_decode: heads 128, d_qk 576, d_v 512, page 64\n");
  const int heads = 128, page = 64;
  const int batches[] = {1, 2, 4, 8, 16, 32, 64, 132};
  const int ctxs[] = {1024, 2048, 4096, 8192, 16384, 32768};
  const size_t row_bytes = KERN_MLA_DQK * 2;
  const size_t max_tokens = (size_t)132 * 32768;
  const size_t pool_tokens = std::max(max_tokens, (size_t)(3.5 * (double)g_info.l2_bytes / row_bytes));
  const size_t pool_pages = (pool_tokens + page - 1) / page;
  void *kv = kern_dev_alloc(pool_pages * page * row_bytes);
  kern_fill_random_bf16(kv, pool_pages * page * KERN_MLA_DQK, g_seed++, 1.f);
  void *q = kern_dev_alloc((size_t)132 * heads * KERN_MLA_DQK * 2);
  kern_fill_random_bf16(q, (size_t)132 * heads * KERN_MLA_DQK, g_seed++, 1.f);
  void *out = kern_dev_alloc((size_t)132 * heads * KERN_MLA_DV * 2);
  int *d_seq = (int *)kern_dev_alloc(132 * sizeof(int));
  void *ws = kern_dev_alloc(kern_mla_workspace_bytes(132, heads, KERN_MLA_MAX_SPLITS));
  const float scale = 1.0f / sqrtf(192.f);
  /* KERN_BENCH_MLA_SHAPE=batch,context: that shape alone (ncu runs) */
  int only_b = 0, only_c = 0;
  if (const char *v = getenv("KERN_BENCH_MLA_SHAPE")) {
    only_b = atoi(v);
    const char *c = strchr(v, ',');
    only_c = c ? atoi(c + 1) : 0;
  }
  for (int b : batches)
    for (int c : ctxs) {
      if (g_quick && !((b == 1 && c == 32768) || (b == 132 && c == 4096) || (b == 8 && c == 8192))) continue;
      if (only_b && (b != only_b || c != only_c)) continue;
      const int pages_per_req = c / page;
      const size_t pages_per_set = (size_t)b * pages_per_req;
      const int nsets = (int)std::max<size_t>(1, std::min<size_t>(pool_pages / pages_per_set,
                                                                  (size_t)sets_for((double)pages_per_set * page * row_bytes)));
      std::vector<int> bt((size_t)nsets * b * pages_per_req);
      for (size_t i = 0; i < bt.size(); ++i) bt[i] = (int)i; /* set s uses its own pages */
      int *d_bt = (int *)kern_dev_alloc(bt.size() * sizeof(int));
      kern_h2d(d_bt, bt.data(), bt.size() * sizeof(int));
      std::vector<int> seq(b, c);
      kern_h2d(d_seq, seq.data(), b * sizeof(int));
      const int ns_auto = kern_mla_num_splits(b, heads, c, g_info.sm_count);
      const double flops = 2.0 * b * heads * (double)c * (KERN_MLA_DQK + KERN_MLA_DV);
      const double bytes = (double)b * c * row_bytes + (double)b * heads * (KERN_MLA_DQK + KERN_MLA_DV) * 2;
      std::vector<int> tries = {ns_auto};
      if (b <= 16) { /* log alternatives for the split heuristic (not in the trace) */
        for (int alt : {ns_auto / 2, ns_auto * 2 / 3, (ns_auto * 3) / 2})
          if (alt >= 1 && alt <= KERN_MLA_MAX_SPLITS && alt != ns_auto) tries.push_back(alt);
      }
      for (size_t ti = 0; ti < tries.size(); ++ti) {
        kern_mla_args a;
        memset(&a, 0, sizeof a);
        a.q = q; a.kv_cache = kv; a.seqlens = d_seq; a.out = out; a.workspace = ws;
        a.batch = b; a.heads = heads; a.page_size = page; a.max_pages = pages_per_req;
        a.max_seqlen = c; a.nsplit = tries[ti]; a.softmax_scale = scale;
        int reps;
        double us = time_median_us([&](int r) {
          a.block_table = d_bt + (size_t)r * b * pages_per_req;
          check_rc(kern_mla_decode(&a), "mla");
        }, nsets, &reps);
        if (ti == 0) {
          add_row("mla_decode", "mma_splitkv", "bf16", b, c, heads, 0, flops, bytes, us, reps, g_ceil_bf16);
          printf("    (nsplit %d, %d sets)\n", tries[ti], nsets);
        } else {
          printf("    split sweep b=%d ctx=%d nsplit=%d: %.2f us (%.0f GB/s)\n", b, c, tries[ti], us,
                 bytes / (us * 1e-6) / 1e9);
        }
      }
      kern_dev_free(d_bt);
    }
  kern_dev_free(kv); kern_dev_free(q); kern_dev_free(out); kern_dev_free(d_seq); kern_dev_free(ws);
}

/* ------------------------------------------------------------------ MoE */
void bench_moe(kern_gemm_ctx *ctx) {
  const int H = 7168, I = 2048;
  printf("== moe_ffn: hidden %d, moe_inter %d, uniform tokens per expert\n", H, I);
  std::vector<int> Es = {8, 32};
  std::vector<int> ts = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
  /* KERN_BENCH_MOE_E / KERN_BENCH_MOE_T (comma lists) narrow the sweep, KERN_BENCH_MOE_FP8_ONLY
   * drops the bf16 rows (A/B runs, ncu) */
  auto list = [](const char *v) {
    std::vector<int> r;
    for (const char *s = v; *s;) {
      r.push_back(atoi(s));
      const char *c = strchr(s, ',');
      if (!c) break;
      s = c + 1;
    }
    return r;
  };
  if (const char *v = getenv("KERN_BENCH_MOE_E")) Es = list(v);
  if (const char *v = getenv("KERN_BENCH_MOE_T")) ts = list(v);
  const bool bf16_too = !getenv("KERN_BENCH_MOE_FP8_ONLY");
  for (int E : Es)
    for (int fp8 = 1; fp8 >= (bf16_too ? 0 : 1); --fp8) {
      const size_t w1n = (size_t)E * 2 * I * H, w2n = (size_t)E * H * I;
      void *w1 = kern_dev_alloc(w1n * 2), *w2 = kern_dev_alloc(w2n * 2);
      kern_fill_random_bf16(w1, w1n, g_seed++, 0.05f);
      kern_fill_random_bf16(w2, w2n, g_seed++, 0.05f);
      kern_moe_layer L;
      memset(&L, 0, sizeof L);
      L.experts = E; L.hidden = H; L.inter = I; L.fp8 = fp8;
      void *w1q = NULL, *w2q = NULL;
      float *w1s = NULL, *w2s = NULL;
      if (fp8) {
        w1q = kern_dev_alloc(w1n); w2q = kern_dev_alloc(w2n);
        w1s = (float *)kern_dev_alloc((size_t)E * kern_wscale_count(2 * I, H) * 4);
        w2s = (float *)kern_dev_alloc((size_t)E * kern_wscale_count(H, I) * 4);
        for (int e = 0; e < E; ++e) {
          check_rc(kern_quant_weight_128x128((char *)w1 + (size_t)e * 2 * I * H * 2, (char *)w1q + (size_t)e * 2 * I * H,
                                             w1s + (size_t)e * kern_wscale_count(2 * I, H), 2 * I, H), "wq1");
          check_rc(kern_quant_weight_128x128((char *)w2 + (size_t)e * H * I * 2, (char *)w2q + (size_t)e * H * I,
                                             w2s + (size_t)e * kern_wscale_count(H, I), H, I), "wq2");
        }
        kern_dev_free(w1); kern_dev_free(w2);
        w1 = NULL; w2 = NULL;
        L.w1 = w1q; L.w2 = w2q; L.w1s = w1s; L.w2s = w2s;
      } else {
        L.w1 = w1; L.w2 = w2;
      }
      const int tmax = *std::max_element(ts.begin(), ts.end());
      const int Tmax = tmax * E;
      void *x = kern_dev_alloc((size_t)Tmax * H * 2), *y = kern_dev_alloc((size_t)Tmax * H * 2);
      kern_fill_random_bf16(x, (size_t)Tmax * H, g_seed++, 1.f);
      void *scratch = kern_dev_alloc(kern_moe_scratch_bytes(Tmax, H, I));
      int *d_off = (int *)kern_dev_alloc((size_t)(E + 1) * sizeof(int));
      for (int t : ts) {
        if (g_quick && t != 1 && t != 128 && t != 512) continue;
        std::vector<int> cnt(E, t), off(E + 1);
        off[0] = 0;
        for (int e = 0; e < E; ++e) off[e + 1] = off[e] + cnt[e];
        kern_h2d(d_off, off.data(), (E + 1) * sizeof(int));
        const double T = (double)t * E;
        const double flops = 6.0 * T * H * I;
        const double wbytes = fp8 ? (double)(w1n + w2n) + 4.0 * E * (kern_wscale_count(2 * I, H) + kern_wscale_count(H, I))
                                  : 2.0 * (double)(w1n + w2n);
        const double bytes = wbytes + 2.0 * T * H * 2;
        /* fp8 at t <= KERN_MOE_GROUPED_MAX_T: the default (grouped kernel) and the cuBLASLt loop
         * timed interleaved, the second as an fp8_cublaslt row after it (the compute model reads
         * the first impl of an op and dtype: fp8, the default) */
        const bool both = fp8 && t <= KERN_MOE_GROUPED_MAX_T;
        std::vector<std::function<void(int)>> fns;
        fns.push_back([&](int) { check_rc(kern_moe_ffn(ctx, &L, cnt.data(), d_off, x, y, scratch), "moe"); });
        if (both)
          fns.push_back([&](int) {
            check_rc(kern_moe_ffn_impl(ctx, &L, cnt.data(), d_off, x, y, scratch, KERN_MOE_CUBLASLT), "moe cublaslt");
          });
        int reps = (int)std::min(50.0, std::max(9.0, 60000.0 / (E * 50.0))); /* ~50 us per expert and call */
        if (g_quick) reps = std::min(reps, 9);
        /* weights >= 350 MB (> 7x the L2): no rotation needed */
        const std::vector<double> us = time_interleaved_us(fns, 1, reps);
        add_row("moe_ffn", fp8 ? "fp8" : "bf16", fp8 ? "fp8_e4m3" : "bf16", t, E, H, I, flops, bytes, us[0], reps,
                fp8 ? g_ceil_fp8 : g_ceil_bf16);
        if (both)
          add_row("moe_ffn", "fp8_cublaslt", "fp8_e4m3", t, E, H, I, flops, bytes, us[1], reps, g_ceil_fp8);
      }
      kern_dev_free(x); kern_dev_free(y); kern_dev_free(scratch); kern_dev_free(d_off);
      kern_dev_free(w1); kern_dev_free(w2); kern_dev_free(w1q); kern_dev_free(w2q);
      kern_dev_free(w1s); kern_dev_free(w2s);
    }
}

/* ------------------------------------------------------------------ LogFMT */
void bench_logfmt() {
  printf("== logfmt_copy: bf16 in/out, 1-byte codes + 8 bytes of meta per 128 values\n");
  const size_t ns[] = {(size_t)1 << 22, (size_t)1 << 24, (size_t)1 << 26, (size_t)1 << 28};
  const size_t pool = (size_t)1 << 28; /* elements */
  void *x = kern_dev_alloc(pool * 2), *y = kern_dev_alloc(pool * 2);
  uint8_t *codes = (uint8_t *)kern_dev_alloc(pool);
  float *meta = (float *)kern_dev_alloc(pool / 128 * 8);
  /* activations-like data: random bf16 scaled per tile over ~12 octaves */
  kern_fill_random_bf16(x, pool, g_seed++, 4.f);
  kern_logfmt_encode(x, codes, meta, pool, 8);
  kern_sync();
  const int nbits_list[] = {8};
  for (size_t n : ns) {
    if (g_quick && n != ((size_t)1 << 26)) continue;
    const int nsets = (int)std::max<size_t>(1, std::min<size_t>(pool / n, (size_t)sets_for(2.0 * n)));
    for (int nb : nbits_list) {
      int reps;
      double us;
      const double meta_b = (double)n / 128 * 8;
      us = time_median_us([&](int r) { check_rc(kern_copy_bf16((char *)x + r * n * 2, (char *)y + r * n * 2, n), "copy"); },
                          nsets, &reps);
      add_row("logfmt_copy", "copy", "bf16", (long)n, nb, 0, 0, 0, 4.0 * n, us, reps, 0);
      us = time_median_us([&](int r) {
        check_rc(kern_logfmt_roundtrip((char *)x + r * n * 2, (char *)y + r * n * 2, n, nb), "roundtrip");
      }, nsets, &reps);
      add_row("logfmt_copy", "encode_decode", "logfmt", (long)n, nb, 0, 0, 0, 4.0 * n, us, reps, 0);
      us = time_median_us([&](int r) {
        check_rc(kern_logfmt_encode((char *)x + r * n * 2, codes + r * n, meta + r * (n / 128) * 2, n, nb), "enc");
      }, nsets, &reps);
      add_row("logfmt_copy", "encode", "logfmt", (long)n, nb, 0, 0, 0, 2.0 * n + n + meta_b, us, reps, 0);
      us = time_median_us([&](int r) {
        check_rc(kern_logfmt_decode(codes + r * n, meta + r * (n / 128) * 2, (char *)y + r * n * 2, n, nb), "dec");
      }, nsets, &reps);
      add_row("logfmt_copy", "decode", "logfmt", (long)n, nb, 0, 0, 0, (double)n + meta_b + 2.0 * n, us, reps, 0);
    }
  }
  kern_dev_free(x); kern_dev_free(y); kern_dev_free(codes); kern_dev_free(meta);
}

/* ------------------------------------------------------------------ output */
std::string driver_string() {
  std::string s;
  FILE *f = fopen("/proc/driver/nvidia/version", "r");
  if (f) {
    char line[512];
    if (fgets(line, sizeof line, f)) {
      /* "NVRM version: NVIDIA UNIX [Open ]Kernel Module [for x86_64]  580.159.04  ...":
       * take the first token of the form digits.digits */
      for (const char *k = line; *k; ++k) {
        if (*k >= '0' && *k <= '9' && (k == line || k[-1] == ' ' || k[-1] == '\t')) {
          const char *e = k;
          while ((*e >= '0' && *e <= '9') || *e == '.') ++e;
          if (memchr(k, '.', (size_t)(e - k)) && (*e == ' ' || *e == '\t' || *e == '\n' || !*e)) {
            s.assign(k, e);
            break;
          }
        }
      }
    }
    fclose(f);
  }
  char buf[64];
  snprintf(buf, sizeof buf, "%sCUDA %d.%d", s.empty() ? "" : " (", g_info.driver_version / 1000,
           (g_info.driver_version % 1000) / 10);
  return s.empty() ? std::string(buf) : s + buf + ")";
}

void write_trace(const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "kern_bench: cannot open %s for writing\n", path);
    exit(1);
  }
  char date[64];
  time_t now = time(NULL);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  fprintf(f, "# clustersim kernel trace v1\n");
  fprintf(f, "# gpu: %s\n", g_info.name);
  fprintf(f, "# sm_count: %d\n", g_info.sm_count);
  fprintf(f, "# sm_clock_mhz: %d\n", g_info.sm_clock_mhz);
  fprintf(f, "# mem_clock_mhz: %d\n", g_info.mem_clock_mhz);
  fprintf(f, "# driver: %s\n", driver_string().c_str());
  fprintf(f, "# cuda_runtime: %d.%d\n", g_info.runtime_version / 1000, (g_info.runtime_version % 1000) / 10);
  fprintf(f, "# cublas: %d.%d.%d\n", g_info.cublas_version / 10000, (g_info.cublas_version / 100) % 100,
          g_info.cublas_version % 100);
  fprintf(f, "# date: %s\n", date);
  fprintf(f, "# ceiling_copy_GBps: %.1f\n", g_ceil_copy);
  fprintf(f, "# ceiling_bf16_tflops: %.1f\n", g_ceil_bf16);
  fprintf(f, "# ceiling_fp8_tflops: %.1f\n", g_ceil_fp8);
  fprintf(f, "op,impl,dtype,d0,d1,d2,d3,flops,bytes,time_us,tflops,gbps,pct_ceiling,repeats\n");
  for (const Row &r : g_rows)
    fprintf(f, "%s,%s,%s,%ld,%ld,%ld,%ld,%.6g,%.6g,%.3f,%.2f,%.1f,%.1f,%d\n", r.op.c_str(), r.impl.c_str(),
            r.dtype.c_str(), r.d[0], r.d[1], r.d[2], r.d[3], r.flops, r.bytes, r.time_us, r.tflops, r.gbps, r.pct,
            r.repeats);
  fclose(f);
  printf("wrote %s (%zu rows)\n", path, g_rows.size());
}

void print_table() {
  printf("\n%-12s %-26s %-32s %11s %9s %9s %7s\n", "op", "impl", "shape", "time_us", "TFLOP/s", "GB/s", "%ceil");
  for (const Row &r : g_rows) {
    char shape[64];
    snprintf(shape, sizeof shape, "%ld,%ld,%ld,%ld", r.d[0], r.d[1], r.d[2], r.d[3]);
    printf("%-12s %-26s %-32s %11.2f %9.1f %9.1f %7.1f\n", r.op.c_str(), r.impl.c_str(), shape, r.time_us,
           r.tflops, r.gbps, r.pct);
  }
}

/* --only takes a comma-separated list of sections */
bool want(const char *only, const char *name) {
  if (!only) return true;
  const size_t n = strlen(name);
  for (const char *s = only; *s;) {
    const char *e = strchr(s, ',');
    const size_t len = e ? (size_t)(e - s) : strlen(s);
    if (len == n && !strncmp(s, name, n)) return true;
    if (!e) break;
    s = e + 1;
  }
  return false;
}

}  // namespace

int main(int argc, char **argv) {
  const char *out = "kern_trace.csv"; /* not results/traces/: a first try must not overwrite it */
  const char *only = NULL;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
    else if (!strcmp(argv[i], "--quick")) g_quick = true;
    else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else {
      fprintf(stderr, "usage: %s [--out trace.csv] [--quick] [--only mla|gemm|gemmpair|moe|logfmt[,...]]\n", argv[0]);
      return 2;
    }
  }
  if (kern_device_count() == 0) {
    fprintf(stderr, "kern_bench: no CUDA device\n");
    return 1;
  }
  kern_device_info_get(&g_info);
  printf("device: %s, %d SMs, %d MHz, L2 %zu MB, driver %s, cuBLASLt %d\n", g_info.name, g_info.sm_count,
         g_info.sm_clock_mhz, g_info.l2_bytes >> 20, driver_string().c_str(), g_info.cublas_version);
  kern_gemm_ctx *ctx = kern_gemm_create();
  bench_copy();
  /* ceilings first: the 8192^3 GEMMs (BF16 and FP8 tensor-scaled) */
  if (want(only, "gemm")) bench_gemm(ctx);
  else bench_gemm_shape(ctx, 8192, 8192, 8192, true);
  if (want(only, "gemmpair")) bench_gemm_pair(ctx);
  if (want(only, "mla")) bench_mla();
  if (want(only, "moe")) bench_moe(ctx);
  if (want(only, "logfmt")) bench_logfmt();
  kern_gemm_destroy(ctx);
  /* pct_ceiling of rows measured before the ceilings were known: recompute */
  for (Row &r : g_rows) {
    double ct = 0;
    if (r.dtype == "bf16") ct = g_ceil_bf16;
    else if (r.dtype == "fp8_e4m3") ct = g_ceil_fp8;
    double pc = (ct > 0 && r.flops > 0) ? r.tflops / ct : 0;
    pc = std::max(pc, r.gbps / g_ceil_copy);
    r.pct = 100.0 * pc;
  }
  print_table();
  printf("ceilings: copy %.1f GB/s, bf16 %.1f TFLOP/s, fp8 %.1f TFLOP/s\n", g_ceil_copy, g_ceil_bf16, g_ceil_fp8);
  write_trace(out);
  return 0;
}
