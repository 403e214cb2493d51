/* exp.c: the experiment registry (an ops table per experiment, see exp.h). */
#include <string.h>
#include "exp.h"

extern const cli_experiment cli_exp_llm, cli_exp_hold, cli_exp_logfmt, cli_exp_fp8_accum,
    cli_exp_compute, cli_exp_topology, cli_exp_latency, cli_exp_collective, cli_exp_pcie_contention, cli_exp_alltoall,
    cli_exp_incast, cli_exp_latency_load, cli_exp_nccl_alltoall, cli_exp_ep, cli_exp_decode, cli_exp_chakra;

static const cli_experiment *const registry[] = {
  &cli_exp_llm,
  &cli_exp_hold,
  &cli_exp_logfmt,
  &cli_exp_fp8_accum,
  &cli_exp_compute,
  &cli_exp_topology,
  &cli_exp_latency,
  &cli_exp_collective,
  &cli_exp_pcie_contention,
  &cli_exp_alltoall,
  &cli_exp_incast,
  &cli_exp_latency_load,
  &cli_exp_nccl_alltoall,
  &cli_exp_ep,
  &cli_exp_decode,
  &cli_exp_chakra,
  NULL
};

size_t cli_experiment_count(void) { return sizeof registry / sizeof registry[0] - 1; }
const cli_experiment *cli_experiment_at(size_t i) { return i < cli_experiment_count() ? registry[i] : NULL; }

const cli_experiment *cli_experiment_find(const char *name) {
  for (size_t i = 0; i < cli_experiment_count(); i++)
    if (strcmp(registry[i]->name, name) == 0) return registry[i];
  return NULL;
}
