/* exp.h: experiments, the bridge from a validated scenario to a model run.
 *
 * An experiment is an ops-table entry: its scenario schema (the keys it accepts beyond the common
 * ones of scen.h) and a run function that reads the scenario through scen accessors, calls the
 * models (which know nothing of YAML or SQLite) and records params/metrics/series in a res_run.
 * Each experiment lives in cli/app/exp_<name>.c and is listed in cli/app/exp.c.
 */
#ifndef CLUSTERSIM_EXP_H
#define CLUSTERSIM_EXP_H

#include <stddef.h>
#include <stdint.h>
#include "scen.h"
#include "res.h"

typedef struct cli_experiment {
  const char *name;
  const char *help;
  const scen_key *schema;
  /* 0 ok; <0 failed with a message in err. Must be deterministic in (scenario, seed, replicate). */
  int (*run)(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen);
  /* Optional: checks a point's workload inputs at load time, before anything runs (cheap: no graph is
   * built). 0, or -1 with a message that starts with the scenario key it is about ("experts: ...");
   * the loader puts that key's file:line:column in front and exits 2, as for its own errors. */
  int (*check)(const scen *s, char *err, size_t errlen);
} cli_experiment;

const cli_experiment *cli_experiment_find(const char *name);
size_t cli_experiment_count(void);
const cli_experiment *cli_experiment_at(size_t i);

#endif
