/* wl_hosts.c: hosts of a topology and the local index of their GPUs (wl_hosts.h). */
#include "wl_hosts.h"

#include <stdlib.h>

int wl_hosts_build(const topo_graph *g, wl_hosts *h) {
  uint32_t ne = g->n_endpoints, nh = 0;
  for (uint32_t e = 0; e < ne; e++) {
    int32_t ho = g->host[g->endpoint_node[e]];
    if (ho >= 0 && (uint32_t)ho + 1 > nh) nh = (uint32_t)ho + 1;
  }
  h->nhosts = nh;
  h->local = calloc(ne ? ne : 1, sizeof *h->local);
  h->first = calloc((size_t)nh + 1, sizeof *h->first);
  h->list = calloc(ne ? ne : 1, sizeof *h->list);
  if (!h->local || !h->first || !h->list) return -1;
  for (uint32_t e = 0; e < ne; e++) {
    int32_t ho = g->host[g->endpoint_node[e]];
    if (ho >= 0) h->first[ho + 1]++;
  }
  for (uint32_t i = 0; i < nh; i++) h->first[i + 1] += h->first[i];
  uint32_t *fill = calloc((size_t)nh + 1, sizeof *fill);
  if (!fill) return -1;
  for (uint32_t e = 0; e < ne; e++) {
    int32_t ho = g->host[g->endpoint_node[e]];
    if (ho < 0) continue;
    h->local[e] = fill[ho];
    h->list[h->first[ho] + fill[ho]++] = e;
  }
  free(fill);
  return 0;
}
void wl_hosts_free(wl_hosts *h) {
  free(h->local);
  free(h->first);
  free(h->list);
}
/* The GPU of host `ho` with local index `li`, or OG_NONE. */
uint32_t wl_hosts_gpu(const wl_hosts *h, int32_t ho, uint32_t li) {
  if (ho < 0 || (uint32_t)ho >= h->nhosts || li >= h->first[ho + 1] - h->first[ho]) return UINT32_MAX;
  return h->list[h->first[ho] + li];
}

