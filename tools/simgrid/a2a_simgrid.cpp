/* a2a_simgrid.cpp: the all-to-all of `clustersim bench net --export DIR`, replayed on SimGrid (s4u).
 *
 *   a2a_simgrid DIR BYTES [--latency=post|link|none] [--actors-per-gpu=K] [SimGrid flags: --cfg=k:v ...]
 *
 * Reads DIR/links.tsv and DIR/routes.tsv (cli/app/exp_net_export.h, format version 1) and builds the
 * platform programmatically:
 *   - one host per endpoint (GPU) "gI", in one Full routing zone;
 *   - one SHARED link "aK" per exported arc K, with the arc's bandwidth (bytes/s) and zero latency
 *     (an arc is one direction of a cable, so a cable's two directions never share);
 *   - one explicit, non-symmetrical route per ordered pair: the exported arcs, in order.
 * Then every GPU sends BYTES bytes to every other GPU, all posted at time 0: K sender actors per GPU
 * put_async into mailboxes, K receiver actors per GPU get_async from them (see main() for the
 * mapping), and every communication's completion date is recorded by its receiver.
 * Rejected: Comm::sendto_async (host to host, no receiver actor). Same simulated times, but in
 * SimGrid 3.32 its completion costs grow with the number of communications in flight: 17 s at 256
 * GPUs against 1.2 s through mailboxes (toy platform, 2-core VM), about N^4: hopeless at 1024.
 *
 * Route latency (exported per pair, seconds). Three treatments (docs/simgrid-comparison.md):
 *   post  (default) the platform has no latency at all; each communication's delivery date is its
 *         SimGrid completion date plus its route's latency. This is clustersim's own definition
 *         (net.h: delivery = t0 + transfer at the max-min rate + latency, and the latency phase holds
 *         no bandwidth), so with equal max-min weights the two must agree to rounding.
 *   link  SimGrid's own semantics: the latency goes on the route as one extra link per distinct
 *         latency value, FATPIPE (no sharing between the flows that cross it) with 1e15 B/s (never
 *         the bottleneck). CM02 then pays the latency FIRST (the flow takes no bandwidth until its
 *         latency has elapsed) and weighs the flow in the max-min share by 1/latency (its sharing
 *         penalty is the route's latency: RTT-unfair, as TCP), i.e. clustersim's rtt_fair: true,
 *         with the latency moved from the end to the start of the flow.
 *   none  ignore the exported latencies (pure bandwidth sharing).
 *
 * SimGrid configuration set here (before the user's --cfg flags, which therefore win):
 *   network/model:CM02           max-min sharing without LV08's correction factors
 *   network/latency-factor:1, network/bandwidth-factor:1, network/weight-S:0   (CM02's own defaults,
 *                                stated so that a changed default cannot creep in)
 *   network/crosstraffic:0       no 5% reverse (ACK) load on the reverse route (default 1)
 *   network/TCP-gamma:0          no window bound gamma / (2 latency) on a flow's rate (default 4 MiB;
 *                                3.32 skips the bound when gamma is 0: checked with --latency=link)
 *   contexts/stack-size:32       KiB per actor (default 8 MiB: 16,384 actors would reserve 128 GiB, and
 *                                the stacks count in the resident memory: 64 KiB gave +25% peak RSS
 *                                at 256 GPUs); the actors only post and wait. SimGrid's default guard
 *                                page stays, so an overflow faults instead of corrupting memory (two
 *                                mappings per actor: 32,768 at 1024 GPUs, under vm.max_map_count)
 *
 * Output: one line of key=value pairs on stdout (compare.sh parses it), progress on stderr.
 * Peak memory is the process's ru_maxrss (platform, routes and the run together).
 */
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace {

constexpr int kFormatVersion = 1;
constexpr double kLatencyLinkBw = 1e15; /* bytes/s: far above any arc; FATPIPE, so never shared */

enum class LatMode { Post, Link, None };

struct Platform {
  uint32_t n = 0;                      /* endpoints */
  uint64_t routes = 0;
  std::vector<sg4::Host*> hosts;
  std::vector<double> lat_s;           /* n x n, post mode */
};

[[noreturn]] void die(const char* fmt, const char* a, const char* b = "")
{
  std::fprintf(stderr, "a2a_simgrid: ");
  std::fprintf(stderr, fmt, a, b);
  std::fputc('\n', stderr);
  std::exit(2);
}

double now_s()
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/* "#magic<TAB>version<TAB>key=value..." -> the value of key, checking magic and version. */
uint64_t header_value(const char* line, const char* magic, const char* key, const std::string& path)
{
  size_t ml = std::strlen(magic);
  if (line[0] != '#' || std::strncmp(line + 1, magic, ml) != 0 || line[1 + ml] != '\t')
    die("%s: not a clustersim export (first line must start with #%s)", path.c_str(), magic);
  char* end = nullptr;
  long v    = std::strtol(line + 2 + ml, &end, 10);
  if (v != kFormatVersion)
    die("%s: format version %s, this reader knows version 1 (cli/app/exp_net_export.h)", path.c_str(),
        std::to_string(v).c_str());
  std::string k = std::string("\t") + key + "=";
  const char* p = std::strstr(end, k.c_str());
  if (!p)
    die("%s: header has no %s=", path.c_str(), key);
  return std::strtoull(p + k.size(), nullptr, 10);
}

FILE* open_in(const std::string& path)
{
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f)
    die("cannot read %s: %s", path.c_str(), std::strerror(errno));
  static char buf[1 << 20];
  std::setvbuf(f, buf, _IOFBF, sizeof buf);
  return f;
}

void build_platform(const std::string& dir, LatMode mode, Platform& P)
{
  sg4::NetZone* zone = sg4::create_full_zone("a2a");
  char* line         = nullptr;
  size_t cap         = 0;

  /* links.tsv: arc -> SHARED link with the arc's bandwidth, no latency. */
  std::string lp = dir + "/links.tsv";
  FILE* f        = open_in(lp);
  if (getline(&line, &cap, f) < 0)
    die("%s: empty", lp.c_str());
  uint64_t n_arcs = header_value(line, "clustersim-a2a-links", "arcs", lp);
  P.n             = static_cast<uint32_t>(header_value(line, "clustersim-a2a-links", "endpoints", lp));
  std::vector<sg4::Link*> arc_link;
  uint64_t seen = 0;
  while (getline(&line, &cap, f) >= 0) {
    if (line[0] == '#')
      continue;
    char* p      = nullptr;
    uint64_t arc = std::strtoull(line, &p, 10);
    double bw    = std::strtod(p, nullptr);
    if (!(bw > 0))
      die("%s: arc with bandwidth <= 0: %s", lp.c_str(), line);
    if (arc >= arc_link.size())
      arc_link.resize(arc + 1, nullptr);
    arc_link[arc] = zone->create_link("a" + std::to_string(arc), bw)
                        ->set_sharing_policy(sg4::Link::SharingPolicy::SHARED)
                        ->set_latency(0)
                        ->seal();
    seen++;
  }
  std::fclose(f);
  if (seen != n_arcs)
    die("%s: header says arcs=%s, the file has a different count", lp.c_str(), std::to_string(n_arcs).c_str());

  for (uint32_t i = 0; i < P.n; i++)
    P.hosts.push_back(zone->create_host("g" + std::to_string(i), 1e9)->seal());

  /* routes.tsv: one route per ordered pair. */
  std::string rp = dir + "/routes.tsv";
  f              = open_in(rp);
  if (getline(&line, &cap, f) < 0)
    die("%s: empty", rp.c_str());
  uint64_t want = header_value(line, "clustersim-a2a-routes", "routes", rp);
  if (header_value(line, "clustersim-a2a-routes", "endpoints", rp) != P.n)
    die("%s and links.tsv disagree on the number of endpoints", rp.c_str());
  if (mode == LatMode::Post)
    P.lat_s.assign(static_cast<size_t>(P.n) * P.n, 0.0);
  std::map<double, sg4::Link*> lat_link; /* link mode: one FATPIPE link per distinct latency */
  std::vector<sg4::LinkInRoute> hops;
  while (getline(&line, &cap, f) >= 0) {
    if (line[0] == '#')
      continue;
    char* p    = nullptr;
    auto s     = static_cast<uint32_t>(std::strtoul(line, &p, 10));
    auto d     = static_cast<uint32_t>(std::strtoul(p, &p, 10));
    double lat = std::strtod(p, &p);
    if (s >= P.n || d >= P.n || s == d)
      die("%s: bad pair in line: %s", rp.c_str(), line);
    hops.clear();
    for (;;) {
      while (*p == '\t' || *p == ' ')
        p++;
      if (*p == '\n' || *p == '\0')
        break;
      uint64_t arc = std::strtoull(p, &p, 10);
      if (arc >= arc_link.size() || !arc_link[arc])
        die("%s: route uses an arc missing from links.tsv: %s", rp.c_str(), line);
      hops.emplace_back(arc_link[arc]);
    }
    if (mode == LatMode::Post) {
      P.lat_s[static_cast<size_t>(s) * P.n + d] = lat;
    } else if (mode == LatMode::Link && lat > 0) {
      auto it = lat_link.find(lat);
      if (it == lat_link.end()) {
        sg4::Link* l = zone->create_link("lat" + std::to_string(lat_link.size()), kLatencyLinkBw)
                           ->set_sharing_policy(sg4::Link::SharingPolicy::FATPIPE)
                           ->set_latency(lat)
                           ->seal();
        it = lat_link.emplace(lat, l).first;
      }
      hops.emplace_back(it->second);
    }
    zone->add_route(P.hosts[s]->get_netpoint(), P.hosts[d]->get_netpoint(), nullptr, nullptr, hops, false);
    P.routes++;
  }
  std::fclose(f);
  free(line);
  if (P.routes != want || want != static_cast<uint64_t>(P.n) * (P.n - 1))
    die("%s: expected one route per ordered pair (%s routes)", rp.c_str(),
        std::to_string(static_cast<uint64_t>(P.n) * (P.n - 1)).c_str());
  zone->seal();
  if (mode == LatMode::Link)
    std::fprintf(stderr, "a2a_simgrid: %zu latency links (distinct route latencies)\n", lat_link.size());
}

} // namespace

int main(int argc, char** argv)
{
  if (argc < 3 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: a2a_simgrid DIR BYTES [--latency=post|link|none] [--actors-per-gpu=K] "
                         "[--cfg=key:value ...]\n");
    return 2;
  }
  std::string dir = argv[1];
  char* end       = nullptr;
  double bytes_d  = std::strtod(argv[2], &end);
  if (*end || !(bytes_d > 0) || bytes_d > 1e18)
    die("BYTES must be a positive number of bytes, not '%s'", argv[2]);
  auto bytes   = static_cast<uint64_t>(bytes_d);
  LatMode mode = LatMode::Post;
  uint32_t K   = 8;

  /* Our defaults first, then the user's flags (later --cfg flags override earlier ones). */
  std::vector<std::string> args = {argv[0],
                                   "--cfg=network/model:CM02",
                                   "--cfg=network/latency-factor:1",
                                   "--cfg=network/bandwidth-factor:1",
                                   "--cfg=network/weight-S:0",
                                   "--cfg=network/crosstraffic:0",
                                   "--cfg=network/TCP-gamma:0",
                                   "--cfg=contexts/stack-size:32",
                                   "--log=root.thres:warning"};
  for (int i = 3; i < argc; i++) {
    if (std::strncmp(argv[i], "--latency=", 10) == 0) {
      std::string m = argv[i] + 10;
      if (m == "post")
        mode = LatMode::Post;
      else if (m == "link")
        mode = LatMode::Link;
      else if (m == "none")
        mode = LatMode::None;
      else
        die("--latency=%s: allowed post, link, none", m.c_str());
    } else if (std::strncmp(argv[i], "--actors-per-gpu=", 17) == 0) {
      long k = std::strtol(argv[i] + 17, &end, 10);
      if (*end || k < 1 || k > 1024)
        die("--actors-per-gpu=%s: allowed 1 .. 1024", argv[i] + 17);
      K = static_cast<uint32_t>(k);
    } else {
      args.emplace_back(argv[i]);
    }
  }
  std::vector<char*> av;
  for (auto& a : args)
    av.push_back(a.data());
  av.push_back(nullptr);
  int ac = static_cast<int>(args.size());
  sg4::Engine e(&ac, av.data());

  double t0 = now_s();
  Platform P;
  build_platform(dir, mode, P);
  double build_s = now_s() - t0;

  /* K sender and K receiver actors per GPU (--actors-per-gpu, default 8). Sender (i, q) puts to the
   * destinations j = q mod K; the message i -> j goes to mailbox "r<j>.<i mod K>", which receiver
   * (j, i mod K) drains with get_async. All puts and gets are posted at time 0 (actors run before
   * the clock moves), so every transfer starts at 0. The payload is the source's index + 1, so the
   * receiver knows whose route latency to add. Why K actors rather than one: SimGrid 3.32 removes
   * a finished communication from its actor's activity list by a linear scan, so an actor with m
   * pending communications pays O(m) per completion; K splits that by K (measured on a toy
   * platform: 1.6x faster at 512 GPUs with K = 8 than with K = 1). */
  std::vector<double> last(static_cast<size_t>(P.n) * K, 0.0);
  std::vector<double> first(static_cast<size_t>(P.n) * K, 1e300);
  std::vector<uint64_t> got_n(static_cast<size_t>(P.n) * K, 0);
  std::vector<sg4::Mailbox*> mbox(static_cast<size_t>(P.n) * K);
  for (uint32_t j = 0; j < P.n; j++)
    for (uint32_t q = 0; q < K; q++)
      mbox[static_cast<size_t>(j) * K + q] = sg4::Mailbox::by_name("r" + std::to_string(j) + "." + std::to_string(q));
  for (uint32_t i = 0; i < P.n; i++) {
    for (uint32_t q = 0; q < K; q++) {
      std::string tag = std::to_string(i) + "." + std::to_string(q);
      sg4::Actor::create("s" + tag, P.hosts[i], [i, q, K, bytes, &P, &mbox]() {
        std::vector<sg4::CommPtr> comms;
        for (uint32_t j = q; j < P.n; j += K)
          if (j != i)
            comms.push_back(mbox[static_cast<size_t>(j) * K + i % K]->put_async(
                reinterpret_cast<void*>(static_cast<uintptr_t>(i) + 1), bytes));
        sg4::Comm::wait_all(comms);
      });
      sg4::Actor::create("r" + tag, P.hosts[i],
                         [i, q, K, &P, &mbox, &last, &first, &got_n]() {
                           size_t me = static_cast<size_t>(i) * K + q;
                           uint32_t cnt = 0;
                           for (uint32_t s = q; s < P.n; s += K)
                             cnt += s != i;
                           std::vector<void*> payload(cnt, nullptr);
                           std::vector<sg4::CommPtr> comms;
                           for (uint32_t x = 0; x < cnt; x++)
                             comms.push_back(mbox[me]->get_async(&payload[x]));
                           sg4::Comm::wait_all(comms);
                           double hi = 0;
                           double lo = 1e300;
                           for (uint32_t x = 0; x < cnt; x++) {
                             auto src = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(payload[x]) - 1);
                             double t = comms[x]->get_finish_time();
                             if (!P.lat_s.empty())
                               t += P.lat_s[static_cast<size_t>(src) * P.n + i];
                             hi = std::max(hi, t);
                             lo = std::min(lo, t);
                           }
                           last[me]  = hi;
                           first[me] = lo;
                           got_n[me] = cnt;
                         });
    }
  }
  std::fprintf(stderr, "a2a_simgrid: %u hosts, %" PRIu64 " routes, platform built in %.2f s; running\n", P.n,
               P.routes, build_s);
  double t1 = now_s();
  e.run();
  double wall_s = now_s() - t1;

  uint64_t delivered = 0;
  for (uint64_t c : got_n)
    delivered += c;
  if (delivered != static_cast<uint64_t>(P.n) * (P.n - 1))
    die("only %s messages delivered: the simulation stopped early", std::to_string(delivered).c_str());
  double sim_s   = *std::max_element(last.begin(), last.end());
  double first_s = *std::min_element(first.begin(), first.end());
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  uint64_t flows = static_cast<uint64_t>(P.n) * (P.n - 1);
  const char* mname = mode == LatMode::Post ? "post" : mode == LatMode::Link ? "link" : "none";
  std::printf("simgrid version=%d.%d gpus=%u flows=%" PRIu64 " bytes=%" PRIu64 " latency=%s sim_s=%.12f "
              "first_s=%.12f engine_clock_s=%.12f wall_s=%.3f build_s=%.3f flows_per_s=%.0f peak_rss_kB=%ld "
              "cpu_s=%.3f actors_per_gpu=%u\n",
              SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR, P.n, flows, bytes, mname, sim_s, first_s,
              sg4::Engine::get_clock(), wall_s, build_s, static_cast<double>(flows) / wall_s, ru.ru_maxrss, cpu_s, K);
  return 0;
}
