/* sim.h: the discrete-event engine of clustersim.
 *
 * Time is an unsigned 64-bit count of picoseconds (2^64 ps is about 213 days of simulated time).
 * Events are ordered by (time, insertion sequence): two events at the same picosecond fire in the
 * order they were scheduled, so a run is bit-for-bit deterministic for a given seed and replicate.
 *
 * Lifetime: sim_engine_new() allocates the event pool once; sim_engine_free(NULL) is a no-op.
 * No allocation happens in the event loop while the pool has room; the pool grows by doubling
 * (amortised, outside the steady state) when more events are pending than its capacity.
 * The engine is single-threaded; use one engine per thread or process.
 */
#ifndef CLUSTERSIM_SIM_H
#define CLUSTERSIM_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>

typedef uint64_t sim_time_ps;

#define SIM_PS_PER_NS  UINT64_C(1000)
#define SIM_PS_PER_US  UINT64_C(1000000)
#define SIM_PS_PER_MS  UINT64_C(1000000000)
#define SIM_PS_PER_S   UINT64_C(1000000000000)
#define SIM_TIME_MAX   UINT64_MAX

typedef struct sim_engine sim_engine;

/* A handler runs when its event fires; sim_now() is then the event's time. It may schedule and
 * cancel events freely. ctx and arg are the caller's, passed through untouched. */
typedef void (*sim_handler)(sim_engine *e, void *ctx, uint64_t arg);

/* Handle of a scheduled event, for sim_cancel(). Generation-tagged: a stale handle (the event fired
 * or was cancelled, its slot reused) is recognised and refused. 0 is never a valid handle. */
typedef uint64_t sim_event_id;

#define SIM_EVENT_NONE ((sim_event_id)0)

/* Event-queue variants (an ops table inside; sim_queue_kind_name() gives the name). All of them pop
 * the identical sequence; they differ only in speed. SIM_QUEUE_DEFAULT is 0 so that a
 * zero-initialised sim_engine_opts gets the default, which is the kind the hold benchmark shows
 * fastest (docs/engine.md): currently the calendar queue. */
typedef enum sim_queue_kind {
  SIM_QUEUE_DEFAULT = 0, /* "default": resolves to the fastest kind */
  SIM_QUEUE_HEAP2,       /* "heap2": binary heap */
  SIM_QUEUE_HEAP4,       /* "heap4": 4-ary heap, children share one cache line */
  SIM_QUEUE_CALENDAR,    /* "calendar": bucketed calendar queue, O(1) amortised; for large sets */
  SIM_QUEUE_COUNT_
} sim_queue_kind;

typedef struct sim_engine_opts {
  sim_queue_kind queue;   /* SIM_QUEUE_DEFAULT (0) = the fastest kind */
  size_t capacity_hint;   /* initial pool size in events; 0 = 1024 */
  uint64_t seed;          /* run seed */
  uint32_t replicate;     /* replicate index: the RNG stream is derived from (seed, replicate) */
} sim_engine_opts;

sim_engine *sim_engine_new(const sim_engine_opts *opts); /* NULL opts = defaults; aborts on OOM */
void sim_engine_free(sim_engine *e);

sim_time_ps sim_now(const sim_engine *e);
size_t sim_pending(const sim_engine *e);
uint64_t sim_events_processed(const sim_engine *e);

/* Schedule at now + delay_ps / at absolute time t (t >= now, else a programmer error: abort). */
sim_event_id sim_schedule(sim_engine *e, sim_time_ps delay_ps, sim_handler h, void *ctx, uint64_t arg);
sim_event_id sim_schedule_at(sim_engine *e, sim_time_ps t_ps, sim_handler h, void *ctx, uint64_t arg);

/* 0 if the event was pending and is now cancelled; -1 if it already fired or was cancelled (or id
 * is 0 or was never issued by this engine). O(1): the queue entry becomes a tombstone, dropped when
 * it reaches the front; the queue is compacted when tombstones outnumber live events. */
int sim_cancel(sim_engine *e, sim_event_id id);

/* Runs events with time <= until_ps (SIM_TIME_MAX: until the queue is empty or sim_stop()).
 * Returns the number of events processed by this call. The clock ends at the last event's time
 * (or at until_ps if that is finite and the queue still holds later events). The clock never goes
 * back: until_ps < sim_now() processes nothing. Calling sim_run from a handler is a programmer
 * error (abort). */
uint64_t sim_run(sim_engine *e, sim_time_ps until_ps);
/* From a handler: sim_run returns after this event, the clock at this event's time. The flag is
 * cleared when sim_run starts, so a stop outside a run has no effect. */
void sim_stop(sim_engine *e);

/* The run's random stream: GSL mt19937 seeded from splitmix64(seed, replicate). Never NULL. */
gsl_rng *sim_rng(sim_engine *e);
/* splitmix64 (Steele, Lea, Flood; Vigna's constants): sim_mix64 is its finaliser, sim_splitmix64 one
 * whole step (the finaliser of x + the golden gamma). The one hash of the project: seeds, ECMP,
 * sampling, connection ids. */
static inline uint64_t sim_mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}
static inline uint64_t sim_splitmix64(uint64_t x) { return sim_mix64(x + UINT64_C(0x9E3779B97F4A7C15)); }

/* The seed derivation itself, for components that need their own independent stream. */
unsigned long sim_derive_seed(uint64_t seed, uint32_t replicate, uint32_t stream);

const char *sim_queue_kind_name(sim_queue_kind k); /* "heap2", ...; "?" when out of range */
int sim_queue_kind_parse(const char *name, sim_queue_kind *out); /* 0 or -1; accepts "default" */
sim_queue_kind sim_engine_queue_kind(const sim_engine *e);       /* resolved: never DEFAULT */

/* ---- hold-model benchmark (clustersim bench engine) ----
 * n_pending events are kept in the queue; each handler schedules one new event at an exponential
 * delay (mean mean_delay_ps) and returns. Measures handler-to-handler throughput. */
typedef struct sim_bench_result {
  size_t n_pending;
  uint64_t events;
  double wall_s;
  double events_per_s;
  sim_time_ps end_time_ps;
} sim_bench_result;

/* Fills n_pending events, runs a warm-up of max(2 n_pending, 100000) untimed events, then times
 * n_events handler invocations (CLOCK_MONOTONIC). 0, or -1 when n_pending or n_events is 0, q is
 * out of range or out is NULL. */
int sim_bench_hold(sim_queue_kind q, size_t n_pending, uint64_t n_events, uint64_t mean_delay_ps,
                   uint64_t seed, sim_bench_result *out);

/* `clustersim bench engine`: runs the hold model (mean delay 1 us) for each queue kind (or only
 * `only`, unless it is SIM_QUEUE_DEFAULT, which means all) and N = 1e3, 1e5, 1e6 pending, and
 * prints a Markdown table of events/s to out. n_events 0 = 10 million timed events per point.
 * 0, or -1 when a run fails. */
int sim_bench_engine(FILE *out, sim_queue_kind only, uint64_t n_events, uint64_t seed);

#endif
