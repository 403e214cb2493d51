// simgrid_hold.cpp: the hold model (as in sim/sim_bench.c) on SimGrid's engine.
//
// usage: simgrid_hold timer|actor N [EVENTS] [SEED]
//   timer: N pending kernel timers (simgrid::kernel::timer::Timer::set, the engine's own timer
//          queue, run from maestro by the engine's main loop); each callback arms one successor
//          at now + Exp(1 us) and returns. No actors exist.
//   actor: N actors on one host, each looping this_actor::sleep_for(Exp(1 us)); one wake-up is
//          one event. Carries what timers do not: a CPU-model sleep action per event and two
//          context switches (maestro -> actor -> maestro).
// Delays are drawn as in clustersim: -1e6 * log(gsl_rng_uniform_pos) on GSL's mt19937, rounded to
// whole picoseconds, then converted to seconds (SimGrid's clock is a double in seconds).
// Warm-up max(2N, 1e5) events, then EVENTS (default max(10N, 5e6)) timed handler invocations;
// wall time by CLOCK_MONOTONIC taken inside the handlers at the first and last timed event.
// One engine per process (SimGrid's engine is a singleton), so one N per run.
#include <simgrid/kernel/Timer.hpp>
#include <simgrid/s4u.hpp>

#include <gsl/gsl_rng.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace {

gsl_rng* rng;
uint64_t fired;       // handler invocations so far
uint64_t warm_end;    // fired count at which timing starts
uint64_t timed_end;   // fired count at which timing ends
double t0, t1;
bool done;

double now_s() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double delay_s() {
  double ps = -1e6 * std::log(gsl_rng_uniform_pos(rng));
  return double(uint64_t(ps + 0.5)) * 1e-12;
}

// Count one handler invocation; returns false once the timed window is over.
inline bool count_event() {
  ++fired;
  if (fired == warm_end) t0 = now_s();
  if (fired == timed_end) {
    t1 = now_s();
    done = true;
  }
  return !done;
}

void on_timer() {
  if (!count_event()) return;  // stop re-arming: the pending timers drain (untimed)
  simgrid::kernel::timer::Timer::set(simgrid::s4u::Engine::get_clock() + delay_s(), on_timer);
}

void actor_loop() {
  for (;;) {
    simgrid::s4u::this_actor::sleep_for(delay_s());
    if (done || !count_event()) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || (std::strcmp(argv[1], "timer") != 0 && std::strcmp(argv[1], "actor") != 0)) {
    std::fprintf(stderr, "usage: %s timer|actor N [EVENTS] [SEED]\n", argv[0]);
    return 2;
  }
  const bool timers = std::strcmp(argv[1], "timer") == 0;
  const uint64_t n = uint64_t(std::strtod(argv[2], nullptr));
  uint64_t events = argc > 3 ? uint64_t(std::strtod(argv[3], nullptr)) : 0;
  const unsigned long seed = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 1;
  if (events == 0) events = n * 10 > 5000000 ? n * 10 : 5000000;
  const uint64_t warm = 2 * n > 100000 ? 2 * n : 100000;
  warm_end = warm + 1;  // t0 at the first timed event's start: EVENTS events lie in (t0, t1]
  timed_end = warm + events + 1;
  // With t0 taken on entry to event warm+1 and t1 on entry to event warm+events+1, the window
  // covers exactly EVENTS complete handler invocations (plus the engine's work between them).

  rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);

  int eargc = 1;
  char* eargv[] = {argv[0], nullptr};
  simgrid::s4u::Engine e(&eargc, eargv);
  if (!timers) {
    // 16 KiB stacks and no guard page: with the default guard page each actor costs an extra
    // memory mapping, and Linux's default vm.max_map_count (65530) stops at ~32k actors.
    simgrid::s4u::Engine::set_config("contexts/stack-size:16");
    simgrid::s4u::Engine::set_config("contexts/guard-size:0");
    // Sleeps shorter than the timing precision (default 1e-9 s) get a warning and are not
    // exact; our delays are whole ps, so use 1e-12 s.
    simgrid::s4u::Engine::set_config("surf/precision:1e-12");
  }
  auto* zone = simgrid::s4u::create_full_zone("zone");
  simgrid::s4u::Host* host = zone->create_host("host", 1e9);
  zone->seal();

  if (timers) {
    for (uint64_t i = 0; i < n; i++) simgrid::kernel::timer::Timer::set(delay_s(), on_timer);
  } else {
    for (uint64_t i = 0; i < n; i++) simgrid::s4u::Actor::create("a" + std::to_string(i), host, actor_loop);
  }
  const double start = now_s();
  e.run();
  const double total = now_s() - start;

  if (!done) {
    std::fprintf(stderr, "run ended after %llu events, before the timed window closed\n",
                 (unsigned long long)fired);
    return 1;
  }
  const double wall = t1 - t0;
  std::printf("%-14s %10llu %12llu %9.3f %14.0f   (whole run incl. setup/warm-up/drain %.2f s, sim clock %.6g s)\n",
              timers ? "simgrid-timer" : "simgrid-actor", (unsigned long long)n, (unsigned long long)events,
              wall, double(events) / wall, total, simgrid::s4u::Engine::get_clock());
  gsl_rng_free(rng);
  return 0;
}
