/* cmd_report.c: `clustersim report NAME|all` and `clustersim reproduce`.
 * A report runs its scenario first (finished points are skipped, so this is cheap when the results
 * are already in the database), then renders the scenario's `report:` block. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "report.h"
#include "res_diff.h"

static const char report_usage[] =
  "usage: clustersim report NAME|FILE|all [options]\n"
  "Runs the paper scenario NAME (scenarios/paper/NAME.yaml; finished points are skipped) and writes\n"
  "the tables and figures of its report block: results/tables/<table>.md and .csv,\n"
  "results/figures/<figure>/<figure>.png and .svg. `all` does every paper scenario with a report.\n"
  "options:\n"
  "  --db PATH        results database (default results/clustersim.sqlite)\n"
  "  --results DIR    output folder (default results)\n"
  "  --no-images      write figure data and scripts but do not run gnuplot\n"
  "  -j N             run missing points in N worker processes\n"
  "  --set KEY=VALUE  override scenario keys (the report then shows the overridden points)\n";

/* Renders one scenario's report. 0 ok, 1 some value outside tolerance, -1 error. */
static int report_one(const char *path, const cli_opts *o) {
  cli_scenario cs;
  if (cli_scenario_load(path, o, &cs) < 0) return -1;
  const char *ry = scen_report_yaml(cs.doc);
  if (!ry) {
    fprintf(stderr, "clustersim: %s has no report: block\n", path);
    cli_scenario_free(&cs);
    return -1;
  }
  cli_opts ro = *o;
  ro.quiet = 1;
  int rc = cli_scenario_run(&cs, &ro);
  if (rc != 0) {
    cli_scenario_free(&cs);
    return -1;
  }
  const char **shas = calloc(cs.npoints ? cs.npoints : 1, sizeof *shas);
  if (!shas) abort();
  for (size_t i = 0; i < cs.npoints; i++) shas[i] = scen_sha256(cs.points[i]);
  report_points pts = {scen_name(cs.points[0]), shas, cs.npoints};
  /* Figure sources (query.sql + plot.gp) are checked in under results/figures/: take them from the
   * current folder's tree when it has them, else from the source tree; outputs go to --results. */
  char figsrc[1024];
  struct stat st;
  if (stat("results/figures", &st) == 0 && S_ISDIR(st.st_mode))
    snprintf(figsrc, sizeof figsrc, "results/figures");
  else
    snprintf(figsrc, sizeof figsrc, "%s/results/figures", cli_source_dir());
  report_opts rop = {o->db_path, o->results_dir, figsrc, o->no_images};
  char written[8192] = "", err[2048] = "";
  rc = report_render(ry, path, &pts, &rop, written, sizeof written, err, sizeof err);
  if (rc < 0) fprintf(stderr, "clustersim: report %s: %s\n", path, err);
  else {
    printf("%s: %zu point(s)\n", scen_name(cs.points[0]), cs.npoints);
    for (char *line = strtok(written, "\n"); line; line = strtok(NULL, "\n")) printf("  wrote %s\n", line);
    if (rc > 0) fprintf(stderr, "clustersim: %s: some values are outside the paper's tolerance (see the table)\n",
                        scen_name(cs.points[0]));
  }
  free(shas);
  cli_scenario_free(&cs);
  return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every .yaml file in scenarios/paper, sorted by name. */
static int report_all(const cli_opts *o) {
  char dir[1024];
  snprintf(dir, sizeof dir, "scenarios/paper");
  DIR *d = opendir(dir);
  if (!d) {
    snprintf(dir, sizeof dir, "%s/scenarios/paper", cli_source_dir());
    d = opendir(dir);
  }
  if (!d) {
    fprintf(stderr, "clustersim: cannot open scenarios/paper (looked in . and %s)\n", cli_source_dir());
    return -1;
  }
  char *names[256];
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d)) && n < 256) {
    size_t l = strlen(de->d_name);
    if (l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0) {
      char *p = malloc(strlen(dir) + l + 2);
      if (!p) abort();
      sprintf(p, "%s/%s", dir, de->d_name);
      names[n++] = p;
    }
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp_str);
  int worst = 0;
  for (size_t i = 0; i < n; i++) {
    int rc = report_one(names[i], o);
    if (rc < 0) worst = -1;
    else if (rc > 0 && worst == 0) worst = 1;
    free(names[i]);
  }
  return worst;
}

int cmd_report(int argc, char **argv) {
  cli_opts o;
  int rc = cli_parse_common(argc, argv, &o, report_usage);
  if (rc) return rc > 0 ? 0 : 2;
  if (o.npositional != 1) {
    fprintf(stderr, "clustersim: report needs one NAME, FILE or `all`\n%s", report_usage);
    return 2;
  }
  if (strcmp(o.positional[0], "all") == 0) rc = report_all(&o);
  else {
    char path[1024];
    if (!cli_find_scenario(o.positional[0], path, sizeof path)) {
      fprintf(stderr, "clustersim: no report '%s': not a file, and no scenarios/paper/%s.yaml here or in %s\n",
              o.positional[0], o.positional[0], cli_source_dir());
      return 2;
    }
    rc = report_one(path, &o);
  }
  return rc < 0 ? 1 : rc;
}

static const char reproduce_usage[] =
  "usage: clustersim reproduce [--db PATH] [--results DIR] [-j N] [--no-images]\n"
  "Runs every paper scenario (scenarios/paper/*.yaml) and regenerates results/tables and results/figures.\n";

int cmd_reproduce(int argc, char **argv) {
  cli_opts o;
  int rc = cli_parse_common(argc, argv, &o, reproduce_usage);
  if (rc) return rc > 0 ? 0 : 2;
  /* The tables before this run (the checked-in ones when --results is the source tree's results/,
   * else the source tree's results/tables): the closing summary says which values moved. */
  char tdir[1024], sdir[1024];
  snprintf(tdir, sizeof tdir, "%s/tables", o.results_dir);
  snprintf(sdir, sizeof sdir, "%s/results/tables", cli_source_dir());
  struct stat st;
  res_tables *before = res_tables_snapshot(stat(tdir, &st) == 0 ? tdir : sdir);
  rc = report_all(&o);
  res_diff_opts dopt = {1e-9, 0, NULL, NULL};
  res_diff_stats ds;
  printf("\nclustersim reproduce: values that moved since the previous tables:\n");
  res_tables_diff(before, tdir, &dopt, stdout, &ds);
  res_tables_free(before);
  if (ds.moved + ds.only_a + ds.only_b == 0) printf("  none (%zu values compared)\n", ds.compared);
  else printf("  %zu of %zu value(s) moved, %zu gone, %zu new\n", ds.moved, ds.compared, ds.only_a, ds.only_b);
  printf("\nclustersim reproduce: tables in %s/tables/, figures in %s/figures/, runs in %s\n", o.results_dir,
         o.results_dir, o.db_path);
  /* A value outside its paper tolerance is a finding to read in the table, not a failed run:
   * reproduce still succeeds (report NAME exits 1 for scripts that want to gate on it). */
  if (rc > 0) printf("clustersim reproduce: some values are outside their tolerance (marked OUTSIDE in the tables)\n");
  return rc < 0 ? 1 : 0;
}
