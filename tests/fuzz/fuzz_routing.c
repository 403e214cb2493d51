/* fuzz_routing.c: the EP routing-file parser (models/wl_ep.c, wl_ep_routing_parse). Input: two bytes
 * that pick the shape (GPUs 2-9, tokens per GPU 1-4, experts per GPU 1-4, top-k 1-experts), then the
 * file's text. Oracles: a refusal has a message; an accepted routing has exactly GPUs x tokens x k
 * entries, each a valid expert id, distinct within a token. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "wl_ep.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2 || size > 1 << 20) return 0;
  wl_ep_spec s;
  memset(&s, 0, sizeof s);
  s.ranks = 2 + (data[0] & 7);
  s.tokens = 1 + ((data[0] >> 3) & 3);
  s.experts = s.ranks * (1 + ((data[0] >> 5) & 3));
  s.experts_per_token = 1 + data[1] % s.experts;
  size_t n = (size_t)s.ranks * s.tokens * s.experts_per_token;
  uint16_t *rt = malloc(n * sizeof *rt);
  for (size_t i = 0; i < n; i++) rt[i] = 0xFFFF;
  char err[1024] = "";
  if (wl_ep_routing_parse(&s, "routing.txt", (const char *)data + 2, size - 2, rt, err, sizeof err) < 0) {
    if (!err[0]) fuzz_fail("refused without a message");
  } else {
    for (size_t t = 0; t < (size_t)s.ranks * s.tokens; t++)
      for (uint32_t j = 0; j < s.experts_per_token; j++) {
        uint16_t e = rt[t * s.experts_per_token + j];
        if (e >= s.experts) fuzz_fail("token %zu slot %u: expert %u of %u accepted", t, j, e, s.experts);
        for (uint32_t q = 0; q < j; q++)
          if (rt[t * s.experts_per_token + q] == e) fuzz_fail("token %zu: expert %u twice", t, e);
      }
  }
  free(rt);
  return 0;
}
