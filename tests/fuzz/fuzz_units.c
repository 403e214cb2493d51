/* fuzz_units.c: unit parsing (time, bytes, bandwidth). Input: one value's text.
 * Oracles: a refusal has a reason; an accepted value, printed in its canonical spelling
 * (scen__fmt_*), parses back to the same value (time exactly; bytes and bandwidth to the last bit,
 * as the canonical spelling promises "an integer times the largest unit that divides it exactly"
 * or the shortest text that reads back). */
#include <math.h>
#include <string.h>

#include "fuzz_util.h"
#include "scen.h"
#include "scen_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 256) return 0;
  char *s = fuzz_strdup(data, size);
  char why[256], txt[128], why2[256];
  uint64_t ps, ps2;
  why[0] = 0;
  if (scen_parse_time_ps(s, &ps, why, sizeof why) == 0) {
    scen__fmt_time(ps, txt, sizeof txt);
    if (scen_parse_time_ps(txt, &ps2, why2, sizeof why2) < 0 || ps2 != ps)
      fuzz_fail("time '%s' -> %llu ps -> '%s' does not read back (%s)", s, (unsigned long long)ps, txt, why2);
  } else if (!why[0]) {
    fuzz_fail("time '%s' refused without a reason", s);
  }
  double b, b2;
  why[0] = 0;
  if (scen_parse_bytes(s, &b, why, sizeof why) == 0) {
    if (!isfinite(b) || b < 0) fuzz_fail("bytes '%s' -> %g accepted", s, b);
    scen__fmt_bytes(b, txt, sizeof txt);
    if (scen_parse_bytes(txt, &b2, why2, sizeof why2) < 0 || b2 != b)
      fuzz_fail("bytes '%s' -> %.17g -> '%s' does not read back (%s)", s, b, txt, why2);
  } else if (!why[0]) {
    fuzz_fail("bytes '%s' refused without a reason", s);
  }
  why[0] = 0;
  if (scen_parse_bw_Bps(s, &b, why, sizeof why) == 0) {
    if (!isfinite(b) || b < 0) fuzz_fail("bandwidth '%s' -> %g accepted", s, b);
    scen__fmt_bw(b, txt, sizeof txt);
    if (scen_parse_bw_Bps(txt, &b2, why2, sizeof why2) < 0 || b2 != b)
      fuzz_fail("bandwidth '%s' -> %.17g B/s -> '%s' does not read back (%s)", s, b, txt, why2);
  } else if (!why[0]) {
    fuzz_fail("bandwidth '%s' refused without a reason", s);
  }
  free(s);
  return 0;
}
