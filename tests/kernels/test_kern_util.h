/* test_kern_util.h: helpers shared by the GPU tests of kernels/ (plain C). */
#ifndef TEST_KERN_UTIL_H
#define TEST_KERN_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "kern.h"

/* CI machines have nvcc but no GPU: exit 77, which ctest reports as "Skipped". */
#define TK_REQUIRE_GPU()                                       \
  do {                                                         \
    if (kern_device_count() == 0) {                            \
      printf("SKIPPED: no CUDA device\n");                     \
      return 77;                                               \
    }                                                          \
  } while (0)

static int tk_failures = 0;

/* Report one relative-error check; a NaN/inf error always fails. */
static inline void tk_check(const char *what, double err, double tol) {
  const int ok = isfinite(err) && err <= tol;
  printf("%-58s rel_err %.3e  tol %.1e  %s\n", what, err, tol, ok ? "ok" : "FAIL");
  if (!ok) ++tk_failures;
}
static inline void tk_check_count(const char *what, long bad, long total, long allowed) {
  const int ok = bad <= allowed;
  printf("%-58s %ld of %ld  allowed %ld  %s\n", what, bad, total, allowed, ok ? "ok" : "FAIL");
  if (!ok) ++tk_failures;
}

static inline void *tk_malloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "out of memory (%zu bytes)\n", n);
    abort();
  }
  return p;
}

/* xorshift64* for host-side random data */
static uint64_t tk_rng = 0x9e3779b97f4a7c15ull;
static inline double tk_uniform(void) {
  tk_rng ^= tk_rng >> 12;
  tk_rng ^= tk_rng << 25;
  tk_rng ^= tk_rng >> 27;
  return (double)((tk_rng * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}

static inline void tk_bf16_to_double(const uint16_t *h, double *d, size_t n) {
  for (size_t i = 0; i < n; ++i) d[i] = kern_bf16_to_f32(h[i]);
}

static inline int tk_finish(const char *name) {
  if (tk_failures) {
    printf("%s: %d check(s) FAILED\n", name, tk_failures);
    return 1;
  }
  printf("%s: all checks passed\n", name);
  return 0;
}

#endif
