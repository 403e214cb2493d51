/* sim_bench.c: the hold-model benchmark (clustersim bench engine).
 *
 * Hold model (Jones 1986, the classic priority-queue benchmark): n_pending events stay in the
 * queue; each handler schedules one successor at now + Exp(mean) and returns, so the queue size is
 * constant and every event is one pop and one push. Delays are rounded to integer ps; with a 1 us
 * mean and 1e6 pending the average gap between events is ~1 ps, so ties happen and take the
 * (time, seq) path too. */
#define HAVE_INLINE 1 /* GSL's inline gsl_rng_uniform_pos */
#include <math.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "sim_int.h"

typedef struct hold_state {
  gsl_rng *rng;
  double mean_ps;
  uint64_t left;
} hold_state;

static inline sim_time_ps hold_delay(hold_state *st) {
  double x = -st->mean_ps * log(gsl_rng_uniform_pos(st->rng));
  return (sim_time_ps)(x + 0.5);
}

static void hold_handler(sim_engine *e, void *ctx, uint64_t arg) {
  hold_state *st = ctx;
  sim_schedule(e, hold_delay(st), hold_handler, ctx, arg);
  if (--st->left == 0) sim_stop(e);
}

static double now_s(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) SIM_FATAL("clock_gettime failed");
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int sim_bench_hold(sim_queue_kind q, size_t n_pending, uint64_t n_events, uint64_t mean_delay_ps,
                   uint64_t seed, sim_bench_result *out) {
  if (!out || n_pending == 0 || n_events == 0 || (unsigned)q >= SIM_QUEUE_COUNT_) return -1;
  sim_engine_opts o = {q, n_pending, seed, 0};
  sim_engine *e = sim_engine_new(&o);
  hold_state st = {sim_rng(e), (double)mean_delay_ps, 0};
  for (size_t i = 0; i < n_pending; i++) sim_schedule(e, hold_delay(&st), hold_handler, &st, i);

  uint64_t warm = 2 * (uint64_t)n_pending;
  if (warm < 100000) warm = 100000;
  st.left = warm;
  sim_run(e, SIM_TIME_MAX);

  st.left = n_events;
  uint64_t p0 = sim_events_processed(e);
  double t0 = now_s();
  sim_run(e, SIM_TIME_MAX);
  double t1 = now_s();
  out->n_pending = n_pending;
  out->events = sim_events_processed(e) - p0;
  out->wall_s = t1 - t0;
  out->events_per_s = out->wall_s > 0 ? (double)out->events / out->wall_s : 0.0;
  out->end_time_ps = sim_now(e);
  int ok = (out->events == n_events && sim_pending(e) == n_pending);
  sim_engine_free(e);
  return ok ? 0 : -1;
}

int sim_bench_engine(FILE *out, sim_queue_kind only, uint64_t n_events, uint64_t seed) {
  static const size_t ns[] = {1000, 100000, 1000000};
  if (n_events == 0) n_events = 10000000;
  fprintf(out, "hold model: mean delay 1 us, %llu timed events per point (after warm-up), seed %llu\n\n",
          (unsigned long long)n_events, (unsigned long long)seed);
  fprintf(out, "| queue | pending | events/s | ns/event |\n|---|---:|---:|---:|\n");
  int rc = 0;
  for (unsigned k = 1; k < SIM_QUEUE_COUNT_; k++) {
    if (only != SIM_QUEUE_DEFAULT && (unsigned)only != k) continue;
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
      sim_bench_result r;
      if (sim_bench_hold((sim_queue_kind)k, ns[i], n_events, SIM_PS_PER_US, seed, &r) != 0) {
        fprintf(out, "| %s | %zu | FAILED | |\n", sim_queue_kind_name((sim_queue_kind)k), ns[i]);
        rc = -1;
        continue;
      }
      fprintf(out, "| %s | %zu | %.3g | %.1f |\n", sim_queue_kind_name((sim_queue_kind)k), ns[i],
              r.events_per_s, 1e9 / r.events_per_s);
      fflush(out);
    }
  }
  fprintf(out, "\ndefault queue: %s\n", sim_queue_kind_name(SIM_QUEUE_DEFAULT_RESOLVED));
  return rc;
}
