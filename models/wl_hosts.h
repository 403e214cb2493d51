/* wl_hosts.h: the hosts of a topology and their GPUs, for workload builders (prefix wl_hosts_):
 * endpoints grouped by host in endpoint order; a GPU's local index is its position in its host
 * (GPU i of a host is on rail/plane i in MRFT/MPFT). */
#ifndef CLUSTERSIM_WL_HOSTS_H
#define CLUSTERSIM_WL_HOSTS_H

#include <stdint.h>

#include "topo.h"

typedef struct wl_hosts {
  uint32_t *local;     /* per endpoint: index in its host */
  uint32_t *first;     /* per host: offset into list (nhosts + 1) */
  uint32_t *list;      /* endpoints grouped by host */
  uint32_t nhosts;
} wl_hosts;

/* 0, or -1 out of memory (free with wl_hosts_free either way). */
int wl_hosts_build(const topo_graph *g, wl_hosts *h);
void wl_hosts_free(wl_hosts *h);
/* The endpoint of host ho with local index li, or UINT32_MAX. */
uint32_t wl_hosts_gpu(const wl_hosts *h, int32_t ho, uint32_t li);

#endif
