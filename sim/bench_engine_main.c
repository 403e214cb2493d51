/* bench_engine_main.c: standalone `sim_bench` for the engine (the same table as
 * `clustersim bench engine`): sim_bench [queue|all] [timed_events] [seed] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

int main(int argc, char **argv) {
  sim_queue_kind k = SIM_QUEUE_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "all") != 0 && sim_queue_kind_parse(argv[1], &k) != 0) {
    fprintf(stderr, "sim_bench: unknown queue '%s' (allowed: all, heap2, heap4, calendar)\n", argv[1]);
    return 2;
  }
  uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
  uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
  return sim_bench_engine(stdout, k, n, seed) == 0 ? 0 : 1;
}
