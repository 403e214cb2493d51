// ns3_hold.cc: the hold model (as in sim/sim_bench.c) on ns-3's default simulator.
//
// usage: ns3_hold map|heap|calendar|list|priority N [EVENTS] [SEED] [WARM]
// The scheduler is picked with Simulator::SetScheduler(ObjectFactory "ns3::<Name>Scheduler").
// Time resolution is set to picoseconds (ns-3's default is ns) so delays match clustersim's:
// -1e6 * log(gsl_rng_uniform_pos) on GSL's mt19937, rounded to whole ps. N events pending; each
// handler schedules one successor (Simulator::Schedule) and returns. Warm-up max(2N, 1e5) events
// (Simulator::Run, stopped from a handler with Simulator::Stop), then EVENTS (default
// max(10N, 5e6)) timed events in a second Simulator::Run, wall time by CLOCK_MONOTONIC. WARM
// overrides the warm-up count (used only where the scheduler is too slow for the default).
#include "ns3/nstime.h"
#include "ns3/object-factory.h"
#include "ns3/simulator.h"

#include <gsl/gsl_rng.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

using namespace ns3;

namespace {

gsl_rng* rng;
uint64_t left;  // handler invocations left in this Run

double now_s() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

Time delay() {
  double ps = -1e6 * std::log(gsl_rng_uniform_pos(rng));
  return PicoSeconds(int64_t(ps + 0.5));
}

void handler() {
  Simulator::Schedule(delay(), &handler);
  if (--left == 0) Simulator::Stop();  // Run returns after this event
}

}  // namespace

int main(int argc, char** argv) {
  const char* names[][2] = {{"map", "ns3::MapScheduler"},           {"heap", "ns3::HeapScheduler"},
                            {"calendar", "ns3::CalendarScheduler"}, {"list", "ns3::ListScheduler"},
                            {"priority", "ns3::PriorityQueueScheduler"}};
  const char* type = nullptr;
  if (argc >= 3)
    for (auto& nm : names)
      if (std::strcmp(argv[1], nm[0]) == 0) type = nm[1];
  if (!type) {
    std::fprintf(stderr, "usage: %s map|heap|calendar|list|priority N [EVENTS] [SEED] [WARM]\n", argv[0]);
    return 2;
  }
  const uint64_t n = uint64_t(std::strtod(argv[2], nullptr));
  uint64_t events = argc > 3 ? uint64_t(std::strtod(argv[3], nullptr)) : 0;
  const unsigned long seed = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 1;
  if (events == 0) events = n * 10 > 5000000 ? n * 10 : 5000000;
  uint64_t warm = argc > 5 ? uint64_t(std::strtod(argv[5], nullptr)) : 0;
  if (warm == 0) warm = 2 * n > 100000 ? 2 * n : 100000;

  rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);

  Time::SetResolution(Time::PS);
  ObjectFactory f;
  f.SetTypeId(type);
  Simulator::SetScheduler(f);
  for (uint64_t i = 0; i < n; i++) Simulator::Schedule(delay(), &handler);

  left = warm;
  Simulator::Run();
  left = events;
  const double t0 = now_s();
  Simulator::Run();
  const double t1 = now_s();
  const double sim_s = Simulator::Now().GetSeconds();
  if (left != 0) {
    std::fprintf(stderr, "run ended with %llu events left\n", (unsigned long long)left);
    return 1;
  }
  const double wall = t1 - t0;
  std::printf("%-14s %10llu %12llu %9.3f %14.0f   (warm-up %llu, sim clock %.6g s)\n", (std::string("ns3-") + argv[1]).c_str(),
              (unsigned long long)n, (unsigned long long)events, wall, double(events) / wall,
              (unsigned long long)warm, sim_s);
  Simulator::Destroy();
  gsl_rng_free(rng);
  return 0;
}
