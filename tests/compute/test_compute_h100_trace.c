/* test_compute_h100_trace.c: the compute model on the real trace results/traces/h100.csv (written by
 * the kernel bench on an H100). Exit 77 (skipped) while the file is not checked in.
 * Checks: it loads with provenance; MLA decode at batch 64, context 4096 (BF16, 128 heads) comes
 * from the trace (exact or interpolated) and lies between its measured neighbours. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compute.h"

#define TRACE CS_SOURCE_DIR "/results/traces/h100.csv"

int main(void) {
  if (access(TRACE, R_OK) != 0) {
    printf("SKIP: %s not present yet (the kernel bench writes it on an H100)\n", TRACE);
    return 77;
  }
  char err[512];
  comp_trace *t;
  if (comp_trace_load(TRACE, &t, err, sizeof err) < 0) {
    fprintf(stderr, "FAIL: %s\n", err);
    return 1;
  }
  const comp_trace_meta *mt = comp_trace_meta_get(t);
  printf("trace: %s, gpu '%s', %d SMs, driver %s, CUDA %s, cuBLAS %s, date %s, %zu rows\n", TRACE, mt->gpu,
         mt->sm_count, mt->driver, mt->cuda_runtime, mt->cublas, mt->date, comp_trace_nrows(t));
  comp_gpu h100 = {"h100", mt->sm_count, mt->sm_clock_mhz * 1e6, 989.4e12, 1978.9e12, 3.35e12, NULL};
  comp_model m;
  if (comp_model_init(&m, &h100, t, err, sizeof err) < 0) {
    fprintf(stderr, "FAIL: %s\n", err);
    comp_trace_free(t);
    return 1;
  }
  int rc = 0;
  /* the MLA impl, dtype and head count as measured: the first mla_decode row's */
  const comp_trace_row *first = NULL;
  for (size_t i = 0; i < comp_trace_nrows(t) && !first; i++)
    if (comp_trace_row_at(t, i)->op == COMP_OP_MLA_DECODE) first = comp_trace_row_at(t, i);
  if (!first) {
    fprintf(stderr, "FAIL: %s has no mla_decode rows\n", TRACE);
    comp_trace_free(t);
    return 1;
  }
  comp_query q = {COMP_OP_MLA_DECODE, first->impl, first->dtype, {64, 4096, first->d[2], 0}, 0, 0};
  comp_query lo = q, hi = q;
  comp_result r, rl, rh;
  if (comp_duration(&m, &q, &r, err, sizeof err) < 0) {
    fprintf(stderr, "FAIL: %s\n", err);
    rc = 1;
  } else if (r.source == COMP_SRC_ROOFLINE) {
    fprintf(stderr, "FAIL: MLA decode batch 64 context 4096 not covered by the trace: %s\n", r.detail);
    rc = 1;
  } else {
    /* neighbours: half and double context at the same batch, also from the trace */
    lo.d[1] = 2048;
    hi.d[1] = 8192;
    if (comp_duration(&m, &lo, &rl, err, sizeof err) < 0 || comp_duration(&m, &hi, &rh, err, sizeof err) < 0 ||
        rl.source == COMP_SRC_ROOFLINE || rh.source == COMP_SRC_ROOFLINE) {
      fprintf(stderr, "FAIL: neighbours (context 2048, 8192) not covered\n");
      rc = 1;
    } else if (!(rl.time_s <= r.time_s && r.time_s <= rh.time_s)) {
      fprintf(stderr, "FAIL: %.3f us (%s) not between %.3f and %.3f us\n", r.time_s * 1e6, r.detail,
              rl.time_s * 1e6, rh.time_s * 1e6);
      rc = 1;
    } else {
      printf("ok: mla_decode b=64 ctx=4096: %.3f us (%s: %s), between %.3f and %.3f us\n", r.time_s * 1e6,
             comp_source_name(r.source), r.detail, rl.time_s * 1e6, rh.time_s * 1e6);
    }
  }
  comp_trace_free(t);
  return rc;
}
