/* kern_int.h: internals shared by the .cu files of kernels/ (CUDA C++ only, not a public header). */
#ifndef KERN_INT_H
#define KERN_INT_H
#ifndef __CUDACC__
#error "kern_int.h is for CUDA translation units"
#endif

#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <cublasLt.h>
#include <stdio.h>
#include <stdlib.h>

#define KERN_CUDA_CHECK(call)                                                              \
  do {                                                                                     \
    cudaError_t kern_e_ = (call);                                                          \
    if (kern_e_ != cudaSuccess) {                                                          \
      fprintf(stderr, "%s:%d: CUDA error %s: %s (%s)\n", __FILE__, __LINE__,               \
              cudaGetErrorName(kern_e_), cudaGetErrorString(kern_e_), #call);              \
      abort();                                                                             \
    }                                                                                      \
  } while (0)

#define KERN_CUBLAS_CHECK(call)                                                            \
  do {                                                                                     \
    cublasStatus_t kern_s_ = (call);                                                       \
    if (kern_s_ != CUBLAS_STATUS_SUCCESS) {                                                \
      fprintf(stderr, "%s:%d: cuBLAS error %d (%s)\n", __FILE__, __LINE__, (int)kern_s_,   \
              #call);                                                                      \
      abort();                                                                             \
    }                                                                                      \
  } while (0)

/* After every launch: catches bad configurations at once (async faults show at the next sync). */
#define KERN_LAUNCH_CHECK() KERN_CUDA_CHECK(cudaGetLastError())

static inline int kern_ceil_div(int a, int b) { return (a + b - 1) / b; }

#endif
