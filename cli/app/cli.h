/* cli.h: the commands of the clustersim program and the machinery they share. */
#ifndef CLUSTERSIM_CLI_H
#define CLUSTERSIM_CLI_H

#include <stddef.h>
#include "exp.h"
#include "res.h"
#include "scen.h"

#define CLI_MAX_SETS 64

/* Options common to the commands; parsed by cli_parse_common(). */
typedef struct cli_opts {
  const char *db_path;          /* --db; default RES_DEFAULT_DB */
  const char *presets_root;     /* --presets */
  const char *results_dir;      /* --results; default "results" */
  const char *sets[CLI_MAX_SETS];
  size_t nsets;                 /* --set a.b=v */
  int jobs;                     /* -j N */
  int force;                    /* --force: re-run finished points */
  int quiet;                    /* --quiet */
  int progress;                 /* --progress / --no-progress; -1 auto */
  int no_images;                /* --no-images */
  const char *trace;            /* --trace FILE: Chrome trace JSON of each run (models/og_trace.h) */
  const char *positional[8];
  size_t npositional;
} cli_opts;

/* Parses argv[0..argc) of a command. Returns 0, 1 when --help was asked, -1 on a usage error
 * (message printed). */
int cli_parse_common(int argc, char **argv, cli_opts *o, const char *usage);

/* A scenario loaded, expanded and bound to its experiment. */
typedef struct cli_scenario {
  scen_doc *doc;
  scen **points;
  size_t npoints;
  const cli_experiment *exp;
  const char *path;
  const char *trace;            /* --trace FILE, or NULL */
} cli_scenario;

int cli_scenario_load(const char *path, const cli_opts *o, cli_scenario *cs);
void cli_scenario_free(cli_scenario *cs);
/* Runs every point x replicate of the scenario into the database (skipping finished ones).
 * 0 all ok; 1 some point failed; -1 store error. */
int cli_scenario_run(cli_scenario *cs, const cli_opts *o);

/* Finds a scenario by report name: an existing path, or scenarios/paper/<name>.yaml under the
 * source tree or the current folder. Returns buf or NULL. */
const char *cli_find_scenario(const char *name, char *buf, size_t len);
const char *cli_source_dir(void);

int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_experiments(int argc, char **argv);
int cmd_topo(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
