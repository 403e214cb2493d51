/* cmd_bench.c: `clustersim bench engine` (the hold model at several pending-set sizes) and
 * `clustersim bench net` (flow-level all-to-all on an MPFT at several sizes). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "exp_a2a.h"
#include "exp_decode.h"
#include "exp_ep.h"
#include "exp_net.h"
#include "exp_net_export.h"
#include "exp_pkt.h"
#include "og.h"
#include "sim.h"

static const char bench_usage[] =
  "usage: clustersim bench engine [--queue heap2|heap4|calendar|all] [--n N[,N...]] [--events E] [--seed S]\n"
  "Hold model: N events pending; each handler schedules one new event at an exponential delay\n"
  "(mean 1 us). Prints events per second for each queue variant and N (default N = 1e3,1e5,1e6;\n"
  "E = max(10 N, 5e6) timed events after a warm-up of max(2N, 1e5)).\n"
  "--queue: the variant to time; the default, all, times heap2, heap4 and calendar in turn. (The\n"
  "engine of a run uses SIM_QUEUE_DEFAULT, currently the calendar queue.)\n";

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);  /* accepts 1e6 */
  if (errno || *end || end == s || v < 1 || v > 1e12) return -1;
  *out = (uint64_t)v;
  return 0;
}

static int bench_engine(int argc, char **argv) {
  int qsel = -1;  /* all */
  uint64_t ns[16] = {1000, 100000, 1000000};
  size_t nn = 3;
  uint64_t events = 0, seed = 1;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) { fputs(bench_usage, stdout); return 0; }
    if (!v) { fprintf(stderr, "clustersim: bench engine: %s needs a value\n%s", a, bench_usage); return 2; }
    if (strcmp(a, "--queue") == 0) {
      sim_queue_kind k;
      if (strcmp(v, "all") == 0) qsel = -1;
      else if (sim_queue_kind_parse(v, &k) == 0) qsel = (int)k;
      else { fprintf(stderr, "clustersim: --queue: unknown '%s'; allowed: heap2, heap4, calendar, all\n", v); return 2; }
    } else if (strcmp(a, "--n") == 0) {
      nn = 0;
      char buf[256];
      snprintf(buf, sizeof buf, "%s", v);
      for (char *t = strtok(buf, ","); t && nn < 16; t = strtok(NULL, ",")) {
        if (parse_u64(t, &ns[nn]) < 0) { fprintf(stderr, "clustersim: --n: bad count '%s'\n", t); return 2; }
        nn++;
      }
    } else if (strcmp(a, "--events") == 0) {
      if (parse_u64(v, &events) < 0) { fprintf(stderr, "clustersim: --events: bad count '%s'\n", v); return 2; }
    } else if (strcmp(a, "--seed") == 0) {
      if (parse_u64(v, &seed) < 0) { fprintf(stderr, "clustersim: --seed: bad value '%s'\n", v); return 2; }
    } else {
      fprintf(stderr, "clustersim: bench engine: unknown option '%s'\n%s", a, bench_usage);
      return 2;
    }
    i++;
  }
  printf("%-9s %10s %12s %9s %14s\n", "queue", "pending", "events", "wall_s", "events/s");
  for (int q = (int)SIM_QUEUE_HEAP2; q < (int)SIM_QUEUE_COUNT_; q++) {  /* DEFAULT is an alias */
    if (qsel >= 0 && q != qsel) continue;
    for (size_t i = 0; i < nn; i++) {
      uint64_t ev = events ? events : (ns[i] * 10 > 5000000 ? ns[i] * 10 : 5000000);
      sim_bench_result r;
      if (sim_bench_hold((sim_queue_kind)q, (size_t)ns[i], ev, SIM_PS_PER_US, seed, &r) < 0) {
        fprintf(stderr, "clustersim: bench failed for %s N=%llu\n", sim_queue_kind_name((sim_queue_kind)q),
                (unsigned long long)ns[i]);
        return 1;
      }
      printf("%-9s %10zu %12llu %9.3f %14.0f\n", sim_queue_kind_name((sim_queue_kind)q), r.n_pending,
             (unsigned long long)r.events, r.wall_s, r.events_per_s);
      fflush(stdout);
    }
  }
  return 0;
}

static const char bench_net_usage[] =
  "usage: clustersim bench net [--gpus N[,N...]] [--bytes SIZE] [--routing static|ecmp|adaptive|ugal]\n"
  "                            [--scenario FILE] [--set KEY=VALUE ...] [--export DIR]\n"
  "Flow-level all-to-all (every GPU sends SIZE to every other, all posted at once) on the scenario's\n"
  "topology (default scenarios/examples/alltoall-mpft.yaml: MPFT of H800 hosts, 400G IB), for each N\n"
  "(default 128,512,1024; topology.endpoints = gpus = N). Prints simulated completion time, wall time,\n"
  "messages (flows) per wall second, solves, and peak memory: the model's own and the process's RSS.\n"
  "Each size runs in its own process, so peak RSS is per size. --export DIR also writes the exact\n"
  "platform of the all-to-all (links.tsv, routes.tsv: cli/app/exp_net_export.h) into DIR (one size) or\n"
  "DIR/<N> (several), for tools/simgrid/compare.sh.\n";

/* One size in a child process: prints its table row; exit status 0 or 1. */
static int bench_net_one(const char *path, uint32_t gpus, const char *bytes, const char *routing, const char **sets,
                         size_t nsets, const char *export_dir) {
  char ov_ep[64], ov_g[64], ov_b[96], ov_r[96];
  const char *ov[CLI_MAX_SETS + 4];
  size_t nov = 0;
  snprintf(ov_ep, sizeof ov_ep, "topology.endpoints=%u", gpus);
  snprintf(ov_g, sizeof ov_g, "gpus=%u", gpus);
  ov[nov++] = ov_ep;
  ov[nov++] = ov_g;
  if (bytes) {
    snprintf(ov_b, sizeof ov_b, "bytes=%s", bytes);
    ov[nov++] = ov_b;
  }
  if (routing) {
    snprintf(ov_r, sizeof ov_r, "network.routing=%s", routing);
    ov[nov++] = ov_r;
  }
  for (size_t i = 0; i < nsets; i++) ov[nov++] = sets[i];
  cli_opts o;
  memset(&o, 0, sizeof o);
  for (size_t i = 0; i < nov; i++) o.sets[i] = ov[i];
  o.nsets = nov;
  cli_scenario cs;
  if (cli_scenario_load(path, &o, &cs) < 0) return 1;
  if (strcmp(cs.exp->name, "alltoall") != 0 || cs.npoints != 1) {
    fprintf(stderr, "clustersim: bench net: %s must be one point of experiment alltoall (it is %zu of %s)\n", path,
            cs.npoints, cs.exp->name);
    cli_scenario_free(&cs);
    return 1;
  }
  char err[1024];
  if (export_dir) {   /* the platform on an idle network, before (and apart from) the timed run */
    sim_engine *e = sim_engine_new(NULL);
    topo_graph *g = NULL;
    net_model *n = NULL;
    int rc = cli_net_build(cs.points[0], e, &g, &n, err, sizeof err);
    if (rc == 0) rc = cli_net_export_a2a(n, export_dir, err, sizeof err);
    net_free(n);
    topo_free(g);
    sim_engine_free(e);
    if (rc < 0) {
      fprintf(stderr, "clustersim: bench net: --export %s: %s\n", export_dir, err);
      cli_scenario_free(&cs);
      return 1;
    }
  }
  cli_a2a_out r;
  if (cli_a2a_run(cs.points[0], &r, err, sizeof err) < 0) {
    fprintf(stderr, "clustersim: bench net: %u GPUs: %s\n", gpus, err);
    cli_scenario_free(&cs);
    return 1;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("| %5u | %9llu | %12.6f | %8.2f | %10.0f | %6llu | %8.1f | %8.1f |\n", r.gpus,
         (unsigned long long)r.res.messages, (double)r.res.t_done_ps * 1e-9, r.res.wall_s,
         r.res.wall_s > 0 ? (double)r.res.messages / r.res.wall_s : 0.0, (unsigned long long)r.st.solves,
         (double)(r.st.peak_bytes + r.graph_bytes) / 1048576.0, (double)ru.ru_maxrss / 1024.0);
  fflush(stdout);
  cli_scenario_free(&cs);
  return 0;
}

static int bench_net(int argc, char **argv) {
  uint32_t gpus[16] = {128, 512, 1024};
  size_t ng = 3;
  const char *bytes = NULL, *routing = NULL, *export_dir = NULL, *sets[CLI_MAX_SETS];
  size_t nsets = 0;
  char defpath[1024];
  snprintf(defpath, sizeof defpath, "%s/scenarios/examples/alltoall-mpft.yaml", cli_source_dir());
  const char *path = defpath;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) { fputs(bench_net_usage, stdout); return 0; }
    if (!v) { fprintf(stderr, "clustersim: bench net: %s needs a value\n%s", a, bench_net_usage); return 2; }
    if (strcmp(a, "--gpus") == 0) {
      ng = 0;
      char buf[256];
      snprintf(buf, sizeof buf, "%s", v);
      for (char *t = strtok(buf, ","); t && ng < 16; t = strtok(NULL, ",")) {
        uint64_t x;
        if (parse_u64(t, &x) < 0 || x < 2 || x > 1000000) {
          fprintf(stderr, "clustersim: --gpus: bad count '%s' (allowed: 2 .. 1000000)\n", t);
          return 2;
        }
        gpus[ng++] = (uint32_t)x;
      }
    } else if (strcmp(a, "--bytes") == 0) bytes = v;
    else if (strcmp(a, "--routing") == 0) routing = v;
    else if (strcmp(a, "--scenario") == 0) path = v;
    else if (strcmp(a, "--export") == 0) export_dir = v;
    else if (strcmp(a, "--set") == 0) {
      if (nsets == CLI_MAX_SETS - 4) { fprintf(stderr, "clustersim: bench net: too many --set\n"); return 2; }
      sets[nsets++] = v;
    } else {
      fprintf(stderr, "clustersim: bench net: unknown option '%s'\n%s", a, bench_net_usage);
      return 2;
    }
    i++;
  }
  printf("bench net: %s%s%s%s%s\n", path, bytes ? ", bytes " : "", bytes ? bytes : "", routing ? ", routing " : "",
         routing ? routing : "");
  printf("| GPUs  | messages  | simulated ms | wall s   | messages/s | solves | model MB | RSS MB   |\n");
  printf("|------:|----------:|-------------:|---------:|-----------:|-------:|---------:|---------:|\n");
  fflush(stdout);
  if (export_dir && ng > 1 && mkdir(export_dir, 0777) < 0 && errno != EEXIST) {
    fprintf(stderr, "clustersim: bench net: --export %s: cannot create it: %s\n", export_dir, strerror(errno));
    return 1;
  }
  int rc = 0;
  for (size_t i = 0; i < ng; i++) {
    pid_t pid = fork();
    if (pid < 0) { perror("clustersim: bench net: fork"); return 1; }
    if (pid == 0) {
      char dir[1024];
      if (export_dir && ng > 1) snprintf(dir, sizeof dir, "%s/%u", export_dir, gpus[i]);
      else if (export_dir) snprintf(dir, sizeof dir, "%s", export_dir);
      _exit(bench_net_one(path, gpus[i], bytes, routing, sets, nsets, export_dir ? dir : NULL));
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = 1;
  }
  return rc;
}

static const char bench_graph_usage[] =
  "usage: clustersim bench graph [--ops N] [--ranks R] [--send-every K] [--seed S]\n"
  "The op-graph executor on a synthetic graph (models/og_bench.c): R ranks (default 64) on one\n"
  "switch, two kernels per rank and layer on the compute stream, a 64 KiB message to the next rank\n"
  "every K layers (default 8) whose receive the peer's next layer waits for; about N ops in all\n"
  "(default 4e6). Prints ops, edges, memory per op, wall time of the run and ops/s.\n";

static int bench_graph(int argc, char **argv) {
  uint64_t nops = 4000000, ranks = 64, every = 8, seed = 1;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) { fputs(bench_graph_usage, stdout); return 0; }
    if (!v) { fprintf(stderr, "clustersim: bench graph: %s needs a value\n%s", a, bench_graph_usage); return 2; }
    uint64_t *dst = strcmp(a, "--ops") == 0 ? &nops : strcmp(a, "--ranks") == 0 ? &ranks
                  : strcmp(a, "--send-every") == 0 ? &every : strcmp(a, "--seed") == 0 ? &seed : NULL;
    if (!dst) { fprintf(stderr, "clustersim: bench graph: unknown option '%s'\n%s", a, bench_graph_usage); return 2; }
    if (parse_u64(v, dst) < 0 || (dst == &ranks && ranks > 65536) || (dst == &nops && nops > 1000000000)) {
      fprintf(stderr, "clustersim: bench graph: %s: '%s' is not allowed (a whole number; ranks <= 65536, ops <= 1e9)\n", a, v);
      return 2;
    }
    i++;
  }
  return og_bench(stdout, nops, (uint32_t)ranks, (uint32_t)(every ? every : 1), seed);
}

static const char bench_ep_usage[] =
  "usage: clustersim bench ep [--scenario FILE]\n"
  "DeepEP-style dispatch + combine (experiment ep) on the MPFT of scenarios/examples/ep-mpft.yaml:\n"
  "EP64 normal mode with 4096 tokens per GPU, and EP256 low-latency mode with 128 tokens per GPU.\n"
  "Prints simulated dispatch and combine times, RDMA GB/s per GPU, messages, wall time and messages/s.\n";

static int bench_ep(int argc, char **argv) {
  const char *path = "scenarios/examples/ep-mpft.yaml";
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) { fputs(bench_ep_usage, stdout); return 0; }
    if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc) { path = argv[i + 1]; i++; continue; }
    fprintf(stderr, "clustersim: bench ep: unknown option '%s'\n%s", argv[i], bench_ep_usage);
    return 2;
  }
  static const char *const rows[2][4] = {
    {"topology.endpoints=64", "gpus=64", "mode=normal", "tokens=4096"},
    {"topology.endpoints=256", "gpus=256", "mode=low_latency", "tokens=128"},
  };
  printf("| case | GPUs | tokens/GPU | dispatch (us) | combine (us) | RDMA GB/s per GPU (d / c) | messages | wall (s) | messages/s |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int r = 0; r < 2; r++) {
    cli_opts o;
    memset(&o, 0, sizeof o);
    for (int k = 0; k < 4; k++) o.sets[k] = rows[r][k];
    o.nsets = 4;
    cli_scenario cs;
    if (cli_scenario_load(path, &o, &cs) < 0) return 1;
    if (strcmp(cs.exp->name, "ep") != 0 || cs.npoints != 1) {
      fprintf(stderr, "clustersim: bench ep: %s must be one point of experiment ep\n", path);
      cli_scenario_free(&cs);
      return 1;
    }
    char err[1024];
    cli_ep_out x;
    if (cli_ep_run(cs.points[0], 0, &x, err, sizeof err) < 0) {
      cli_ep_out_free(&x);
      fprintf(stderr, "clustersim: bench ep: %s\n", err);
      cli_scenario_free(&cs);
      return 1;
    }
    printf("| %s | %u | %s | %.1f | %.1f | %.1f / %.1f | %llu | %.2f | %.0f |\n", r ? "low-latency" : "normal", x.gpus,
           rows[r][3] + 7, x.t_s[0] * 1e6, x.t_s[1] * 1e6, x.rdma_Bps[0] * 1e-9, x.rdma_Bps[1] * 1e-9,
           (unsigned long long)x.messages, x.wall_s, x.wall_s > 0 ? (double)x.messages / x.wall_s : 0.0);
    fflush(stdout);
    cli_ep_out_free(&x);
    cli_scenario_free(&cs);
  }
  return 0;
}

static const char bench_decode_usage[] =
  "usage: clustersim bench decode [--scenario FILE]\n"
  "One DeepSeek-V3 decode step (experiment decode) on scenarios/examples/decode-ep320.yaml: EP320 = 40 hosts of\n"
  "8 H800 GPUs on an 8-plane MPFT, 61 layers, 32 tokens per GPU per micro-batch, dual micro-batch overlap.\n"
  "Prints the wall time of the whole point (topology, routing, graph, run; target < 2 s), the run alone,\n"
  "the simulated TPOT and ops/s.\n";

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench_decode(int argc, char **argv) {
  const char *path = "scenarios/examples/decode-ep320.yaml";
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) { fputs(bench_decode_usage, stdout); return 0; }
    if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc) { path = argv[i + 1]; i++; continue; }
    fprintf(stderr, "clustersim: bench decode: unknown option '%s'\n%s", argv[i], bench_decode_usage);
    return 2;
  }
  cli_opts o;
  memset(&o, 0, sizeof o);
  cli_scenario cs;
  if (cli_scenario_load(path, &o, &cs) < 0) return 1;
  if (strcmp(cs.exp->name, "decode") != 0 || cs.npoints != 1) {
    fprintf(stderr, "clustersim: bench decode: %s must be one point of experiment decode\n", path);
    cli_scenario_free(&cs);
    return 1;
  }
  char err[1024];
  cli_decode_out x;
  double t0 = now_s();
  int rc = cli_decode_run(cs.points[0], 0, NULL, &x, err, sizeof err);
  double wall = now_s() - t0;
  cli_scenario_free(&cs);
  if (rc < 0) {
    fprintf(stderr, "clustersim: bench decode: %s\n", err);
    return 1;
  }
  printf("| GPUs | layers | ops | messages | simulated TPOT (ms) | wall, whole point (s) | wall, og_run (s) | ops/s |\n");
  printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  printf("| %u | %u | %llu | %llu | %.3f | %.2f | %.2f | %.0f |\n", x.gpus, x.layers, (unsigned long long)x.ops,
         (unsigned long long)x.sends, x.tpot_s * 1e3, wall, x.wall_s, x.wall_s > 0 ? (double)x.ops / x.wall_s : 0.0);
  return 0;
}

int cmd_bench(int argc, char **argv) {
  if (argc < 1 || strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
    printf("usage: clustersim bench engine|net|packet|graph|ep|decode [options]   (see clustersim bench engine --help, bench net "
           "--help, bench packet --help)\n");
    return argc < 1 ? 2 : 0;
  }
  if (strcmp(argv[0], "engine") == 0) return bench_engine(argc - 1, argv + 1);
  if (strcmp(argv[0], "net") == 0) return bench_net(argc - 1, argv + 1);
  if (strcmp(argv[0], "packet") == 0) return cli_bench_packet(argc - 1, argv + 1);
  if (strcmp(argv[0], "graph") == 0) return bench_graph(argc - 1, argv + 1);
  if (strcmp(argv[0], "ep") == 0) return bench_ep(argc - 1, argv + 1);
  if (strcmp(argv[0], "decode") == 0) return bench_decode(argc - 1, argv + 1);
  fprintf(stderr, "clustersim: unknown benchmark '%s'; allowed: engine, net, packet, graph, ep, decode\n", argv[0]);
  return 2;
}

int cmd_experiments(int argc, char **argv) {
  if (argc >= 1 && strcmp(argv[0], "--help") && strcmp(argv[0], "-h")) {
    const cli_experiment *e = cli_experiment_find(argv[0]);
    if (!e) {
      fprintf(stderr, "clustersim: unknown experiment '%s' (clustersim experiments lists them)\n", argv[0]);
      return 2;
    }
    printf("experiment %s: %s\nkeys (besides schema_version, name, description, experiment, seed, replicates,"
           " include, sweep, report):\n", e->name, e->help);
    scen_schema_print(e->schema, stdout);
    return 0;
  }
  printf("usage: clustersim experiments [NAME]   lists experiments, or the scenario keys of one\n\n");
  for (size_t i = 0; i < cli_experiment_count(); i++)
    printf("  %-14s %s\n", cli_experiment_at(i)->name, cli_experiment_at(i)->help);
  return 0;
}
