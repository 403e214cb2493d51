/* exp_a2a.h: the `alltoall` experiment's core, shared with `clustersim bench net`. */
#ifndef CLUSTERSIM_EXP_A2A_H
#define CLUSTERSIM_EXP_A2A_H

#include <stddef.h>

#include "net.h"
#include "scen.h"
#include "wl_a2a.h"

typedef struct cli_a2a_out {
  uint32_t gpus;
  wl_a2a_result res;
  net_stats st;
  size_t graph_bytes;
} cli_a2a_out;

/* Builds the point's topology and model, runs the all-to-all. 0 or -1 (message in err). */
int cli_a2a_run(const scen *s, cli_a2a_out *o, char *err, size_t errlen);

#endif
