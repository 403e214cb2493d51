/* kern.h: common plain-C interface of the CUDA kernels (kernels/).
 *
 * Everything here is callable from C11 translation units (tests, bench) and is implemented in
 * kern_common.cu. Device buffers are plain cudaMalloc'd memory handed around as void pointers;
 * the caller owns them and frees them with kern_dev_free (NULL is accepted).
 *
 * Error channels (STYLE.md 3): a failed CUDA/cuBLAS call is a broken environment or a programmer
 * error and stops the process with file:line; input errors (bad shapes) return a negative code.
 *
 * Storage types: bf16 is stored as uint16_t (upper half of an IEEE float), fp8 as uint8_t in
 * OCP E4M3 (bias 7, max 448, no infinities). */
#ifndef KERN_H
#define KERN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  KERN_OK = 0,
  KERN_EINVAL = -1,   /* shape or argument out of the supported range */
  KERN_ENOTSUP = -2   /* the library (cuBLASLt) has no algorithm for this case */
};

/* Number of CUDA devices; 0 where the driver or runtime is missing or reports none (CI). */
int kern_device_count(void);

/* Device name, SM count, clocks etc. of device 0, for trace headers. */
typedef struct kern_device_info {
  char name[256];
  int sm_count;
  int sm_clock_mhz;      /* cudaDevAttrClockRate: the boost clock the driver reports */
  int mem_clock_mhz;
  int driver_version;    /* cudaDriverGetVersion, e.g. 13000 */
  int runtime_version;   /* cudaRuntimeGetVersion */
  int cublas_version;    /* cublasLtGetVersion, e.g. 130000 */
  size_t l2_bytes;
  size_t global_mem_bytes;
} kern_device_info;
void kern_device_info_get(kern_device_info *info);

void *kern_dev_alloc(size_t bytes);                 /* aborts on failure */
void kern_dev_free(void *p);
void kern_h2d(void *dst, const void *src, size_t bytes);
void kern_d2h(void *dst, const void *src, size_t bytes);
void kern_dev_memset(void *p, int byte, size_t bytes);
void kern_sync(void);                              /* cudaDeviceSynchronize + error check */

/* Fill n bf16 values with uniform random numbers in [-scale, scale) (never exact zeros unless
 * the hash says so, probability 2^-16), deterministic in seed. */
void kern_fill_random_bf16(void *dst, size_t n, uint64_t seed, float scale);
/* Same for floats in [lo, hi). */
void kern_fill_random_f32(float *dst, size_t n, uint64_t seed, float lo, float hi);

/* Host-side conversions (exact, round-to-nearest-even), shared by tests, bench and references. */
float kern_bf16_to_f32(uint16_t h);
uint16_t kern_f32_to_bf16(float f);
float kern_e4m3_to_f32(uint8_t v);
uint8_t kern_f32_to_e4m3(float f);  /* RNE, saturates to +-448, NaN -> 0x7f */

/* Timing with CUDA events on the default stream. */
typedef struct kern_timer kern_timer;   /* opaque */
kern_timer *kern_timer_create(void);
void kern_timer_destroy(kern_timer *t);  /* accepts NULL */
void kern_timer_start(kern_timer *t);
float kern_timer_stop_ms(kern_timer *t); /* records, synchronizes, returns elapsed ms */

#ifdef __cplusplus
}
#endif
#endif
