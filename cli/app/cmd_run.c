/* cmd_run.c: `clustersim run FILE` and `clustersim sweep FILE [-j N]`. Both run every point of the
 * scenario (one point when it has no sweep block) into the results database, skipping points
 * already finished; `sweep` shows progress by default on a terminal. */
#include <stdio.h>

#include "cli.h"

static const char run_usage[] =
  "usage: clustersim run FILE [options]\n"
  "       clustersim sweep FILE [-j N] [options]\n"
  "Runs the scenario FILE (every point of its sweep block x its replicates) into the results database.\n"
  "Points already finished (same resolved scenario, seed and replicate) are skipped, so an interrupted\n"
  "sweep resumes where it stopped.\n"
  "options:\n"
  "  --set KEY.PATH=VALUE  override any scenario key (repeatable; applied after sweep values)\n"
  "  --db PATH             results database (default results/clustersim.sqlite, or $CLUSTERSIM_DB)\n"
  "  -j N, --jobs N        run N points in parallel worker processes\n"
  "  --force               re-run points already finished (replacing their rows)\n"
  "  --trace FILE          write each run's timeline as Chrome trace JSON (open in https://ui.perfetto.dev\n"
  "                        or chrome://tracing); a scenario of several runs writes FILE.pPOINT.rREP.json;\n"
  "                        implies --force for the runs it traces\n"
  "  --progress / --no-progress   progress line on stderr (default: when stderr is a terminal)\n"
  "  --presets DIR         folder holding models/, hardware/ presets (default: the scenario's scenarios/)\n"
  "  -q, --quiet           no summary line\n";

static int run_common(int argc, char **argv, int sweep) {
  cli_opts o;
  int rc = cli_parse_common(argc, argv, &o, run_usage);
  if (rc) return rc > 0 ? 0 : 2;
  if (o.npositional != 1) {
    fprintf(stderr, "clustersim: %s needs exactly one scenario FILE\n%s", sweep ? "sweep" : "run", run_usage);
    return 2;
  }
  if (!sweep && o.progress < 0) o.progress = 0;
  cli_scenario cs;
  if (cli_scenario_load(o.positional[0], &o, &cs) < 0) return 2;
  rc = cli_scenario_run(&cs, &o);
  cli_scenario_free(&cs);
  return rc == 0 ? 0 : 1;
}

int cmd_run(int argc, char **argv) { return run_common(argc, argv, 0); }
int cmd_sweep(int argc, char **argv) { return run_common(argc, argv, 1); }
