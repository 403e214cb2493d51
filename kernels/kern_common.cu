/* kern_common.cu: device discovery, allocation, random fill and timing (see kern.h). */
#include "kern.h"
#include "kern_int.h"

#include <string.h>

extern "C" int kern_device_count(void) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();  /* clear the sticky "no driver" error */
    return 0;
  }
  return n;
}

extern "C" void kern_device_info_get(kern_device_info *info) {
  memset(info, 0, sizeof *info);
  cudaDeviceProp p;
  KERN_CUDA_CHECK(cudaGetDeviceProperties(&p, 0));
  snprintf(info->name, sizeof info->name, "%s", p.name);
  info->sm_count = p.multiProcessorCount;
  int khz = 0;
  KERN_CUDA_CHECK(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0));
  info->sm_clock_mhz = khz / 1000;
  KERN_CUDA_CHECK(cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, 0));
  info->mem_clock_mhz = khz / 1000;
  KERN_CUDA_CHECK(cudaDriverGetVersion(&info->driver_version));
  KERN_CUDA_CHECK(cudaRuntimeGetVersion(&info->runtime_version));
  info->cublas_version = (int)cublasLtGetVersion();
  info->l2_bytes = (size_t)p.l2CacheSize;
  info->global_mem_bytes = p.totalGlobalMem;
}

extern "C" void *kern_dev_alloc(size_t bytes) {
  void *p = NULL;
  KERN_CUDA_CHECK(cudaMalloc(&p, bytes ? bytes : 16));
  return p;
}
extern "C" void kern_dev_free(void *p) {
  if (p) KERN_CUDA_CHECK(cudaFree(p));
}
extern "C" void kern_h2d(void *dst, const void *src, size_t bytes) {
  KERN_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice));
}
extern "C" void kern_d2h(void *dst, const void *src, size_t bytes) {
  KERN_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost));
}
extern "C" void kern_dev_memset(void *p, int byte, size_t bytes) {
  KERN_CUDA_CHECK(cudaMemset(p, byte, bytes));
}
extern "C" void kern_sync(void) {
  KERN_CUDA_CHECK(cudaGetLastError());
  KERN_CUDA_CHECK(cudaDeviceSynchronize());
}

/* splitmix64: one independent 64-bit hash per element index. */
__device__ __forceinline__ uint64_t kern_mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

__global__ void kern_fill_bf16_kernel(__nv_bfloat16 *dst, size_t n, uint64_t seed, float scale) {
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  size_t stride = (size_t)gridDim.x * blockDim.x;
  for (; i < n; i += stride) {
    uint64_t h = kern_mix64(seed * 0x100000001b3ull + i);
    float u = (float)(h >> 40) * (1.0f / 16777216.0f);  /* [0,1) */
    dst[i] = __float2bfloat16((2.0f * u - 1.0f) * scale);
  }
}
__global__ void kern_fill_f32_kernel(float *dst, size_t n, uint64_t seed, float lo, float hi) {
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  size_t stride = (size_t)gridDim.x * blockDim.x;
  for (; i < n; i += stride) {
    uint64_t h = kern_mix64(seed * 0x100000001b3ull + i);
    float u = (float)(h >> 40) * (1.0f / 16777216.0f);
    dst[i] = lo + (hi - lo) * u;
  }
}

extern "C" void kern_fill_random_bf16(void *dst, size_t n, uint64_t seed, float scale) {
  if (n == 0) return;
  kern_fill_bf16_kernel<<<1024, 256>>>((__nv_bfloat16 *)dst, n, seed, scale);
  KERN_LAUNCH_CHECK();
}
extern "C" void kern_fill_random_f32(float *dst, size_t n, uint64_t seed, float lo, float hi) {
  if (n == 0) return;
  kern_fill_f32_kernel<<<1024, 256>>>(dst, n, seed, lo, hi);
  KERN_LAUNCH_CHECK();
}

struct kern_timer {
  cudaEvent_t a, b;
};
extern "C" kern_timer *kern_timer_create(void) {
  kern_timer *t = (kern_timer *)calloc(1, sizeof *t);
  if (!t) abort();
  KERN_CUDA_CHECK(cudaEventCreate(&t->a));
  KERN_CUDA_CHECK(cudaEventCreate(&t->b));
  return t;
}
extern "C" void kern_timer_destroy(kern_timer *t) {
  if (!t) return;
  cudaEventDestroy(t->a);
  cudaEventDestroy(t->b);
  free(t);
}
extern "C" void kern_timer_start(kern_timer *t) { KERN_CUDA_CHECK(cudaEventRecord(t->a, 0)); }
extern "C" float kern_timer_stop_ms(kern_timer *t) {
  KERN_CUDA_CHECK(cudaEventRecord(t->b, 0));
  KERN_CUDA_CHECK(cudaEventSynchronize(t->b));
  KERN_CUDA_CHECK(cudaGetLastError());
  float ms = 0.f;
  KERN_CUDA_CHECK(cudaEventElapsedTime(&ms, t->a, t->b));
  return ms;
}
