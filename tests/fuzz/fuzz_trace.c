/* fuzz_trace.c: the kernel-trace CSV reader (models/compute.c, comp_trace_load). Input: a trace
 * file's text. Oracles: a refusal has a message; an accepted trace has rows with time_us > 0 (the
 * header's promise) and a model can be set up over it without a crash. */
#include <math.h>
#include <string.h>

#include "compute.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 20) return 0;
  const char *path = fuzz_write_file("trace.csv", data, size);
  comp_trace *t = NULL;
  char err[1024] = "";
  if (comp_trace_load(path, &t, err, sizeof err) < 0) {
    if (!err[0]) fuzz_fail("comp_trace_load failed without a message");
    return 0;
  }
  (void)comp_trace_meta_get(t);
  for (size_t i = 0; i < comp_trace_nrows(t); i++) {
    const comp_trace_row *r = comp_trace_row_at(t, i);
    if (!r) fuzz_fail("row %zu of %zu is NULL", i, comp_trace_nrows(t));
    if (!(r->time_us > 0) || !isfinite(r->time_us)) fuzz_fail("row %zu: time_us %g accepted", i, r->time_us);
  }
  if (comp_trace_row_at(t, comp_trace_nrows(t)) != NULL) fuzz_fail("a row past the end");
  comp_trace_free(t);
  return 0;
}
