/* cmd_common.c: option parsing and the scenario-run machinery shared by run, sweep and report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "exp_topo.h"
#include "og_trace.h"

const char *cli_source_dir(void) { return CS_SOURCE_DIR; }

static int parse_int(const char *s, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || end == s || v < 0 || v > 4096) return -1;
  *out = (int)v;
  return 0;
}

int cli_parse_common(int argc, char **argv, cli_opts *o, const char *usage) {
  memset(o, 0, sizeof *o);
  o->progress = -1;
  o->jobs = 1;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char *val = NULL;
#define NEEDVAL(flag)                                                                  \
  do {                                                                                 \
    size_t fl = strlen(flag);                                                          \
    if (a[fl] == '=') val = a + fl + 1;                                                \
    else if (i + 1 < argc) val = argv[++i];                                            \
    else { fprintf(stderr, "clustersim: %s needs a value\n%s", flag, usage); return -1; } \
  } while (0)
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(usage, stdout);
      return 1;
    } else if (strncmp(a, "--set", 5) == 0 && (a[5] == 0 || a[5] == '=')) {
      NEEDVAL("--set");
      if (o->nsets == CLI_MAX_SETS) { fprintf(stderr, "clustersim: at most %d --set\n", CLI_MAX_SETS); return -1; }
      if (!strchr(val, '=')) {
        fprintf(stderr, "clustersim: --set needs KEY.PATH=VALUE, got '%s'\n", val);
        return -1;
      }
      o->sets[o->nsets++] = val;
    } else if (strncmp(a, "--db", 4) == 0 && (a[4] == 0 || a[4] == '=')) {
      NEEDVAL("--db");
      o->db_path = val;
    } else if (strncmp(a, "--presets", 9) == 0 && (a[9] == 0 || a[9] == '=')) {
      NEEDVAL("--presets");
      o->presets_root = val;
    } else if (strncmp(a, "--results", 9) == 0 && (a[9] == 0 || a[9] == '=')) {
      NEEDVAL("--results");
      o->results_dir = val;
    } else if (strncmp(a, "-j", 2) == 0 || (strncmp(a, "--jobs", 6) == 0 && (a[6] == 0 || a[6] == '='))) {
      if (a[1] == 'j' && a[2]) val = a + 2;          /* -j4 */
      else if (a[1] == 'j') NEEDVAL("-j");            /* -j 4 */
      else NEEDVAL("--jobs");                         /* --jobs 4, --jobs=4 */
      if (parse_int(val, &o->jobs) < 0 || o->jobs < 1) {
        fprintf(stderr, "clustersim: -j takes a whole number from 1 to 4096, got '%s'\n", val);
        return -1;
      }
    } else if (strncmp(a, "--trace", 7) == 0 && (a[7] == 0 || a[7] == '=')) {
      NEEDVAL("--trace");
      o->trace = val;
    } else if (strcmp(a, "--force") == 0) {
      o->force = 1;
    } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
      o->quiet = 1;
    } else if (strcmp(a, "--progress") == 0) {
      o->progress = 1;
    } else if (strcmp(a, "--no-progress") == 0) {
      o->progress = 0;
    } else if (strcmp(a, "--no-images") == 0) {
      o->no_images = 1;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "clustersim: unknown option '%s'\n%s", a, usage);
      return -1;
    } else {
      if (o->npositional == 8) { fprintf(stderr, "clustersim: too many arguments\n%s", usage); return -1; }
      o->positional[o->npositional++] = a;
    }
#undef NEEDVAL
  }
  if (!o->db_path) o->db_path = getenv("CLUSTERSIM_DB") ? getenv("CLUSTERSIM_DB") : RES_DEFAULT_DB;
  if (!o->results_dir) o->results_dir = "results";
  return 0;
}

int cli_scenario_load(const char *path, const cli_opts *o, cli_scenario *cs) {
  memset(cs, 0, sizeof *cs);
  cs->path = path;
  scen_opts so = {o->presets_root, o->sets, o->nsets};
  scen_err e;
  if (scen_doc_load(path, &so, &cs->doc, &e) < 0) {
    scen_err_print(&e, stderr);
    return -1;
  }
  const char *ename = scen_doc_scalar(cs->doc, "experiment");
  cs->exp = ename ? cli_experiment_find(ename) : NULL;
  if (!cs->exp) {
    scen_doc_where(cs->doc, "experiment", &e);
    char allowed[512] = "";
    for (size_t i = 0; i < cli_experiment_count(); i++) {
      if (i) strncat(allowed, ", ", sizeof allowed - strlen(allowed) - 1);
      strncat(allowed, cli_experiment_at(i)->name, sizeof allowed - strlen(allowed) - 1);
    }
    snprintf(e.path, sizeof e.path, "experiment");
    snprintf(e.msg, sizeof e.msg, "%s%s%s; allowed: %s", ename ? "unknown experiment '" : "missing",
             ename ? ename : "", ename ? "'" : "", allowed);
    scen_err_print(&e, stderr);
    scen_doc_free(cs->doc);
    cs->doc = NULL;
    return -1;
  }
  if (scen_doc_expand(cs->doc, cs->exp->schema, &cs->points, &cs->npoints, &e) < 0) {
    scen_err_print(&e, stderr);
    scen_doc_free(cs->doc);
    cs->doc = NULL;
    return -1;
  }
  /* a topology that cannot be built is bad input too: said now, with its key's position, exit 2 */
  int has_topo = 0;
  for (const scen_key *k = cs->exp->schema; k && k->name; k++) has_topo |= strcmp(k->name, "topology") == 0;
  if (has_topo && cli_topo_check_points(cs->doc, cs->points, cs->npoints) < 0) {
    cli_scenario_free(cs);
    return -1;
  }
  for (size_t i = 0; cs->exp->check && i < cs->npoints; i++) {
    char msg[1024];
    if (cs->exp->check(cs->points[i], msg, sizeof msg) == 0) continue;
    if (cli_key_err_where(cs->doc, msg, "", &e) < 0) snprintf(e.file, sizeof e.file, "%s", path);
    scen_err_print(&e, stderr);
    if (scen_point_label(cs->points[i])[0]) fprintf(stderr, "  (sweep point %zu: %s)\n", i, scen_point_label(cs->points[i]));
    cli_scenario_free(cs);
    return -1;
  }
  return 0;
}

void cli_scenario_free(cli_scenario *cs) {
  if (!cs) return;
  for (size_t i = 0; i < cs->npoints; i++) scen_free(cs->points[i]);
  free(cs->points);
  scen_doc_free(cs->doc);
  memset(cs, 0, sizeof *cs);
}

/* ---- sweep_ops over a cli_scenario ---- */
static void op_point(void *ctx, size_t i, sweep_point_info *info) {
  cli_scenario *cs = ctx;
  const scen *s = cs->points[i];
  info->scenario = scen_name(s);
  info->sha256 = scen_sha256(s);
  info->label = scen_point_label(s);
  info->yaml = scen_yaml(s);
  info->seed = scen_seed(s);
}

static void op_params(void *ctx, size_t i, res_run *r) {
  cli_scenario *cs = ctx;
  const scen *s = cs->points[i];
  for (size_t k = 0; k < scen_nparams(s); k++) res_run_param(r, scen_param_key(s, k), scen_param_value(s, k));
}

/* --trace FILE: FILE itself for a scenario of one run, else FILE's stem + ".pPOINT.rREPLICATE.json". */
static void trace_path(const cli_scenario *cs, size_t i, uint32_t replicate, char *buf, size_t len) {
  if (cs->npoints * scen_replicates(cs->points[0]) == 1) {
    snprintf(buf, len, "%s", cs->trace);
    return;
  }
  size_t n = strlen(cs->trace);
  if (n > 5 && strcmp(cs->trace + n - 5, ".json") == 0) n -= 5;
  snprintf(buf, len, "%.*s.p%zu.r%u.json", (int)n, cs->trace, i, replicate);
}

static int op_run(void *ctx, size_t i, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  cli_scenario *cs = ctx;
  og_trace *t = NULL;
  if (cs->trace) {
    char path[4096];
    trace_path(cs, i, replicate, path, sizeof path);
    t = og_trace_open(path, scen_point_label(cs->points[i]), err, errlen);
    if (!t) return -1;
    og_trace_sink_set(t);
  }
  int rc = cs->exp->run(cs->points[i], replicate, out, err, errlen);
  if (t) {
    og_trace_sink_set(NULL);
    if (rc < 0) og_trace_abort(t);
    else rc = og_trace_close(t, err, errlen);
  }
  return rc;
}

int cli_scenario_run(cli_scenario *cs, const cli_opts *o) {
  sweep_ops ops = {cs->npoints, scen_replicates(cs->points[0]), cs, op_point, op_run, op_params};
  cs->trace = o->trace;
  /* a trace is written by running: points already finished run again (their rows are replaced) */
  sweep_opts so = {o->db_path, o->jobs, o->progress, o->force || o->trace, o->quiet};
  sweep_stats st;
  char err[1024] = "";
  int rc = sweep_run(&ops, &so, &st, err, sizeof err);
  if (rc < 0) fprintf(stderr, "clustersim: %s: %s\n", cs->path, err);
  else if (rc > 0) fprintf(stderr, "clustersim: %s: %zu of %zu runs failed (see runs.error in %s)\n", cs->path,
                           st.failed, st.total, o->db_path);
  return rc;
}

static int is_file(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

const char *cli_find_scenario(const char *name, char *buf, size_t len) {
  if (is_file(name)) {
    snprintf(buf, len, "%s", name);
    return buf;
  }
  const char *roots[] = {".", cli_source_dir()};
  for (size_t i = 0; i < 2; i++) {
    snprintf(buf, len, "%s/scenarios/paper/%s.yaml", roots[i], name);
    if (is_file(buf)) return buf;
  }
  return NULL;
}
