/* wl_ring.c: ring collectives as op-graph messages (wl_ring.h). */
#include "wl_ring.h"

#include <stdio.h>
#include <stdlib.h>

uint64_t wl_ring_messages(coll_op op, uint32_t n) {
  if (n < 2) return 0;
  uint64_t steps = op == COLL_ALLREDUCE ? 2ull * (n - 1) : (uint64_t)(n - 1);
  return steps * n;
}

uint64_t wl_ring_append(og_graph *g, coll_op op, const uint32_t *ranks, const uint32_t *eps, uint32_t n,
                        double bytes, const uint32_t *begin, const uint32_t *end, uint8_t cat, uint64_t flow_salt) {
  if (n < 2) return 0;
  uint32_t steps = op == COLL_ALLREDUCE ? 2 * (n - 1) : n - 1;
  double msg = bytes / (double)n;
  uint32_t *prev = malloc((size_t)n * sizeof *prev), *cur = malloc((size_t)n * sizeof *cur);
  uint64_t *flow = malloc((size_t)n * sizeof *flow);
  if (!prev || !cur || !flow) {
    fprintf(stderr, "%s:%d: wl_ring: out of memory\n", __FILE__, __LINE__);
    abort();
  }
  for (uint32_t p = 0; p < n; p++) {
    uint64_t f = sim_splitmix64(flow_salt ^ sim_splitmix64((uint64_t)p + 1));
    flow[p] = f ? f : 1;
  }
  for (uint32_t s = 0; s < steps; s++) {
    for (uint32_t p = 0; p < n; p++) {
      uint32_t q = (p + 1) % n;
      uint32_t id = og_send(g, ranks[p], OG_NOSTREAM, cat, eps[p], eps[q], msg, flow[p], 0);
      if (s == 0) {
        if (begin && begin[p] != OG_NONE) og_dep(g, begin[p], id);
        if (begin && begin[q] != OG_NONE) og_dep(g, begin[q], id);
      } else {
        og_dep(g, prev[(p + n - 1) % n], id);   /* p has received step s - 1 */
        og_dep(g, prev[p], id);                 /* window 1: the connection's last message is in */
      }
      cur[p] = id;
    }
    uint32_t *t = prev;
    prev = cur;
    cur = t;
  }
  if (end)
    for (uint32_t p = 0; p < n; p++) {
      if (end[p] == OG_NONE) continue;
      og_dep(g, prev[p], end[p]);
      og_dep(g, prev[(p + n - 1) % n], end[p]);
    }
  free(prev);
  free(cur);
  free(flow);
  return (uint64_t)steps * n;
}
