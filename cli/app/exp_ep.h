/* exp_ep.h: the `ep` experiment's core, shared with `clustersim bench ep`. */
#ifndef CLUSTERSIM_EXP_EP_H
#define CLUSTERSIM_EXP_EP_H

#include <stddef.h>
#include <stdint.h>

#include "scen.h"

typedef struct cli_ep_out {
  uint32_t gpus;
  double t_s[2];                 /* dispatch, combine */
  double rdma_Bps[2], nvl_Bps[2];/* per GPU, mean over GPUs */
  double rdma_bytes_per_gpu[2];
  double ib_bytes_per_token, token_bytes, nodes_per_token, remote_nodes_per_token;
  uint64_t expert_tokens_max, expert_tokens_min, messages;
  double wall_s;                 /* og_run wall time, both phases */
  uint64_t *expert_tokens;       /* per routed expert: tokens routed to it (experts entries; cli_ep_out_free) */
  uint32_t experts, k;
  uint16_t *routing;             /* gpus x tokens x k expert ids (wl_ep_route's layout) */
  uint64_t nchoices;             /* gpus x tokens x k */
  char routing_sha256[65];       /* of the routing as little-endian uint16 */
} cli_ep_out;

void cli_ep_out_free(cli_ep_out *o);

/* Builds the point's topology and network, draws the gate (seed, replicate), runs dispatch then
 * combine. 0 or -1 (message in err). */
int cli_ep_run(const scen *s, uint32_t replicate, cli_ep_out *o, char *err, size_t errlen);

#endif
