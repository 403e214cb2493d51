/* cmd_bench.c: `clustersim bench engine`: the hold model at several pending-set sizes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sim.h"

static const char bench_usage[] =
  "usage: clustersim bench engine [--queue heap2|heap4|calendar|all] [--n N[,N...]] [--events E] [--seed S]\n"
  "Hold model: N events pending; each handler schedules one new event at an exponential delay\n"
  "(mean 1 us). Prints events per second for each queue variant and N (default N = 1e3,1e5,1e6;\n"
  "E = max(10 N, 5e6) timed events after a warm-up of max(2N, 1e5)). The default queue is the\n"
  "calendar queue.\n";

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

int cmd_bench(int argc, char **argv) {
  if (argc < 1 || strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
    printf("usage: clustersim bench engine [options]   (see clustersim bench engine --help)\n");
    return argc < 1 ? 2 : 0;
  }
  if (strcmp(argv[0], "engine") == 0) return bench_engine(argc - 1, argv + 1);
  fprintf(stderr, "clustersim: unknown benchmark '%s'; allowed: engine\n", argv[0]);
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
