/* main.c: the clustersim program: dispatches to the commands in cli/app/cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
  "clustersim: discrete-event simulator of large AI clusters\n"
  "usage: clustersim COMMAND [args]   (clustersim COMMAND --help for each)\n"
  "commands:\n"
  "  run FILE            run a scenario (all its sweep points) into the results database\n"
  "  sweep FILE [-j N]   the same, N points in parallel, with progress\n"
  "  report NAME|all     run a paper scenario if needed and write its tables and figures\n"
  "  reproduce           every paper scenario: results/tables and results/figures\n"
  "  diff DB1 [DB2]      every metric that moved between two stores' (or revisions') runs\n"
  "  bench engine        event-engine hold-model benchmark (events/s)\n"
  "  topo describe FILE  counts, cables, diameter, hops, path diversity, bisection, memory, cost\n"
  "  experiments [NAME]  list experiments, or the scenario keys one accepts\n";

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
    {"run", cmd_run}, {"sweep", cmd_sweep}, {"report", cmd_report}, {"reproduce", cmd_reproduce},
    {"bench", cmd_bench}, {"experiments", cmd_experiments}, {"topo", cmd_topo}, {"diff", cmd_diff},
  };
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
    if (strcmp(argv[1], cmds[i].name) == 0) return cmds[i].fn(argc - 2, argv + 2);
  fprintf(stderr, "clustersim: unknown command '%s'\n%s", argv[1], usage);
  return 2;
}
