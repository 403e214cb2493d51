/* exp_hold.c: experiment `engine_hold`: the engine's hold model as a scenario (the same code as
 * `clustersim bench engine`). Its metrics are simulated quantities only, so they are identical for
 * the same seed and replicate; wall-clock speed goes to runs.wall_s. */
#include <stdio.h>

#include "exp.h"
#include "sim.h"

static const char *const queue_vals[] = {"heap2", "heap4", "calendar", NULL};

static const scen_key hold_keys[] = {
  {"queue", SCEN_ENUM, "event-queue variant", "heap4", 0, 0, 0, 0, queue_vals, NULL, 0, NULL},
  {"pending", SCEN_INT, "events kept pending", "1000", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  {"events", SCEN_INT, "handler invocations to run", "100000", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  {"mean_delay", SCEN_TIME, "mean of the exponential re-schedule delay", "1us", 0, SCEN_MIN_EXCL, 0, 0, NULL,
   NULL, 0, NULL},
  {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

static int hold_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  sim_queue_kind q;
  if (sim_queue_kind_parse(scen_str(s, "queue"), &q) < 0) {
    snprintf(err, errlen, "queue: unknown variant '%s'", scen_str(s, "queue"));
    return -1;
  }
  sim_bench_result r;
  uint64_t seed = (uint64_t)sim_derive_seed(scen_seed(s), replicate, 0);
  if (sim_bench_hold(q, (size_t)scen_int(s, "pending"), (uint64_t)scen_int(s, "events"),
                     scen_time_ps(s, "mean_delay"), seed, &r) < 0) {
    snprintf(err, errlen, "hold model failed");
    return -1;
  }
  res_run_metric(out, "events", (double)r.events, "1");
  res_run_metric(out, "end_time", (double)r.end_time_ps, "ps");
  res_run_metric(out, "mean_gap", (double)r.end_time_ps / (double)r.events, "ps");
  return 0;
}

const cli_experiment cli_exp_hold = {
  "engine_hold",
  "hold model on the event engine: N pending events, each handler re-schedules one at an exponential delay",
  hold_keys,
  hold_run,
  NULL,
};
