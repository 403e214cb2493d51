/* exp_decode.h: experiment `decode` (exp_decode.c) as a function, for `clustersim bench decode`. */
#ifndef CLUSTERSIM_EXP_DECODE_H
#define CLUSTERSIM_EXP_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "res.h"
#include "scen.h"

typedef struct cli_decode_out {
  double tpot_s;          /* simulated step */
  double wall_s;          /* og_run's wall time (graph building excluded) */
  uint64_t ops, sends, events;
  uint32_t gpus, layers;
} cli_decode_out;

/* Runs one decode point; records its metrics in out when out is not NULL. 0, or -1 with err. */
int cli_decode_run(const scen *s, uint32_t replicate, res_run *out, cli_decode_out *o, char *err, size_t errlen);

#endif
