/* cmd_topo.c: `clustersim topo describe FILE|NAME`: what a topology is made of and what it costs.
 *
 * FILE is a scenario with a `topology:` block (every sweep point is described), or a topology
 * preset file (scenarios/topologies/NAME.yaml), or NAME alone. Prints counts by class, cables by
 * medium and length, diameter, average hops, path diversity, bisection bandwidth, memory, build
 * time and, when a `cost:` block is present (or --cost NAME), the cost.
 */
/* realpath() is XSI */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cost.h"
#include "exp_topo.h"
#include "topo.h"

static const char topo_usage[] =
  "usage: clustersim topo describe FILE|NAME [--cost PRESET] [--set KEY=VALUE] [--presets DIR]\n"
  "FILE: a scenario with a `topology:` block (each sweep point is described) or a topology preset\n"
  "(scenarios/topologies/*.yaml); NAME: a preset in scenarios/topologies/. Prints endpoints,\n"
  "switches by tier, switch-to-switch and endpoint links, planes, host internals, links by class,\n"
  "cables by medium and length, diameter, average hops, path diversity, bisection bandwidth,\n"
  "memory, build time and the cost (with a `cost:` block or --cost).\n";

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void grp(char *buf, size_t len, uint64_t v) {
  char raw[32];
  snprintf(raw, sizeof raw, "%llu", (unsigned long long)v);
  size_t n = strlen(raw), o = 0;
  for (size_t i = 0; i < n && o + 2 < len; i++) {
    buf[o++] = raw[i];
    if ((n - i - 1) % 3 == 0 && i + 1 < n) buf[o++] = ',';
  }
  buf[o] = 0;
}

/* Errors of bad input exit 2 (as the loader's); 1 is left for a failure that is not the input's.
 * A topology message starts with the key it is about ("slimfly.q: 6: ...", see topo.h; or
 * "topology.radix = ..." from the spec reader): that key's file:line:column is put in front, and the
 * scenario's file is named as the user gave it, not the temporary wrapper of a preset. */
typedef struct describe_ctx {
  const scen_doc *doc;
  const char *shown;     /* FILE|NAME as given */
  const char *wrapper;   /* temporary scenario written for a preset, or NULL */
} describe_ctx;

static int describe_fail(const describe_ctx *dc, int code, const char *msg) {
  scen_err e;
  if (dc->doc && cli_topo_err_where(dc->doc, msg, &e) == 0) {
    if (dc->wrapper && strcmp(e.file, dc->wrapper) == 0) {
      snprintf(e.file, sizeof e.file, "%s", dc->shown);
      e.line = e.col = 0;
    }
    scen_err_print(&e, stderr);
  } else {
    fprintf(stderr, "clustersim: topo describe: %s: topology: %s\n", dc->shown, msg);
  }
  return code;
}

/* Input errors (bad or too large a spec) exit 2; anything else 1. */
static int topo_code(int rc) { return rc == TOPO_EINVAL || rc == TOPO_ETOOBIG ? -2 : -1; }

#define ROW(label, ...)                    \
  do {                                     \
    printf("  %-18s ", label);             \
    printf(__VA_ARGS__);                   \
    printf("\n");                          \
  } while (0)

static void print_counts(const topo_counts *c) {
  char a[32], b[32];
  grp(a, sizeof a, c->endpoints);
  ROW("endpoints", "%s", a);
  grp(a, sizeof a, c->switches);
  ROW("switches", "%s (%d ports each, at most %d used)", a, c->switch_radix, c->max_ports_used);
  grp(a, sizeof a, c->switch_links);
  grp(b, sizeof b, c->endpoint_links);
  ROW("links", "%s switch-switch, %s to endpoints/NICs", a, b);
  ROW("planes", "%d", c->planes);
  if (c->hosts) {
    ROW("hosts", "%llu: %llu GPUs, %llu NICs, %llu NVSwitch domains, %llu PCIe switches, %llu internal links",
        (unsigned long long)c->hosts, (unsigned long long)c->gpus, (unsigned long long)c->nics,
        (unsigned long long)c->nvswitches, (unsigned long long)c->pcie_switches,
        (unsigned long long)c->internal_links);
  }
}

static void print_cables(const topo_cables *cab) {
  for (int k = 0; k < 2; k++) {
    const char *what = k == 0 ? "cables sw-sw" : "cables endpoint";
    ROW(what, "%llu electrical (%.1f km), %llu optical (%.1f km)", (unsigned long long)cab->n[k][TOPO_ELECTRICAL],
        cab->m[k][TOPO_ELECTRICAL] / 1e3, (unsigned long long)cab->n[k][TOPO_OPTICAL],
        cab->m[k][TOPO_OPTICAL] / 1e3);
  }
}

/* 0, -2 (bad input: exit 2) or -1. */
static int describe_point(const describe_ctx *dc, const scen *s, const cost_prices *cli_prices, int have_cli_prices) {
  const char *shown = dc->shown;
  char err[1024];
  topo_spec spec;
  if (cli_topo_spec_from_scen(s, &spec, err, sizeof err) < 0) return describe_fail(dc, -2, err);
  topo_counts c;
  int rc = topo_count(&spec, &c, err, sizeof err);
  if (rc < 0) return describe_fail(dc, topo_code(rc), err);
  topo_cables cab;
  topo_graph *g = NULL;
  double t0 = now_s();
  rc = spec.formula_only ? TOPO_ENOGRAPH : topo_build(&spec, &g, err, sizeof err);
  double build_s = now_s() - t0;
  if (rc < 0 && rc != TOPO_ENOGRAPH) return describe_fail(dc, topo_code(rc), err);
  const char *label = scen_str(s, "topology.name");
  printf("%s%s%s (family %s, %s)\n", label[0] ? label : topo_family_name(spec.family), scen_point_label(s)[0] ? "  " : "",
         scen_point_label(s), topo_family_name(spec.family), shown);
  print_counts(&c);
  if (g) {
    uint64_t tiers[4] = {0, 0, 0, 0};
    for (uint32_t v = 0; v < g->n_nodes; v++)
      if (g->kind[v] == TOPO_SWITCH && g->tier[v] < 4) tiers[g->tier[v]]++;
    if (tiers[2] || tiers[3])
      ROW("switch tiers", "%llu leaf/edge, %llu spine/aggregation, %llu core", (unsigned long long)tiers[1],
          (unsigned long long)tiers[2], (unsigned long long)tiers[3]);
    topo_check chk;
    topo_check_graph(g, &chk);
    ROW("checks", "radix %s, %u component%s", chk.radix_ok ? "respected" : "EXCEEDED", chk.components,
        chk.components == 1 ? "" : "s");
    topo_summary sum;
    if (topo_summarize(g, scen_seed(s), &sum, err, sizeof err) < 0) {
      fprintf(stderr, "clustersim: topo describe: %s\n", err);
      topo_free(g);
      return -1;
    }
    ROW("links by class", "nvlink %llu, pcie %llu, ib %llu, eth %llu", (unsigned long long)sum.links_by_class[TOPO_NVLINK],
        (unsigned long long)sum.links_by_class[TOPO_PCIE], (unsigned long long)sum.links_by_class[TOPO_IB],
        (unsigned long long)sum.links_by_class[TOPO_ETH]);
    topo_cables_of(g, &cab);
    print_cables(&cab);
    ROW("diameter", "%d switch hops between endpoints' switches (%s)", sum.diameter,
        sum.diameter_exact ? "exact: every source searched" : "sampled sources: a lower bound");
    ROW("average hops", "%.3f switch hops per endpoint pair", sum.avg_hops);
    ROW("path diversity", "%.2f minimal routes per endpoint pair on different switches (sampled)",
        sum.path_diversity);
    ROW("bisection", "%.3f TB/s per direction (%s)", sum.bisection_Bps / 1e12, sum.bisection_method);
    ROW("memory", "%.1f MB graph (%.0f B per endpoint)", (double)sum.memory_bytes / 1e6,
        c.endpoints ? (double)sum.memory_bytes / (double)c.endpoints : 0.0);
    ROW("build", "%.3f s", build_s);
  } else {
    rc = topo_cables_formula(&spec, &cab, err, sizeof err);
    if (rc < 0) return describe_fail(dc, topo_code(rc), err);
    ROW("graph", "not built: formula_only (counts and cables from the family's formulas)");
    print_cables(&cab);
  }
  cost_prices p;
  int have = 0;
  if (have_cli_prices) {
    p = *cli_prices;
    have = 1;
  } else {
    int pr = cli_cost_prices_from_scen(s, &p, err, sizeof err);
    if (pr < 0) {
      topo_free(g);
      return describe_fail(dc, -2, err);
    }
    have = pr == 0;
  }
  if (have) {
    cost_breakdown cb;
    if (cost_network(&c, &cab, &p, &cb, err, sizeof err) < 0) {
      fprintf(stderr, "clustersim: topo describe: %s\n", err);
      topo_free(g);
      return -1;
    }
    ROW("cost", "%.2f M$ (switches %.2f M$, cables %.2f M$, NICs %.2f M$): %.3f k$ per endpoint",
        cb.total_usd / 1e6, cb.switches_usd / 1e6, cb.cable_usd / 1e6, cb.nics_usd / 1e6, cb.per_endpoint_usd / 1e3);
  }
  topo_free(g);
  printf("\n");
  return 0;
}

/* A topology preset (no `experiment:`) is wrapped into a one-line scenario naming it. */
static int wrap_preset(const char *arg, char *scen_path_out, size_t len, char *presets_out, size_t plen,
                       const char *cost) {
  char name[256];
  const char *slash = strrchr(arg, '/');
  const char *base = slash ? slash + 1 : arg;
  snprintf(name, sizeof name, "%s", base);
  char *dot = strstr(name, ".yaml");
  if (dot) *dot = 0;
  if (slash) /* the presets root of the preset file itself: its nearest scenarios/ folder, else the source tree's */
    scen_default_presets_root(arg, presets_out, plen);
  /* A preset file is named by its absolute path, so that one outside scenarios/topologies/ is read
   * too (not looked up by its base name); a NAME stays a name. */
  char real[PATH_MAX];
  const char *ref = slash && realpath(arg, real) ? real : name;
  snprintf(scen_path_out, len, "/tmp/clustersim-topo-%ld.yaml", (long)getpid());
  FILE *f = fopen(scen_path_out, "w");
  if (!f) return -1;
  fprintf(f, "schema_version: 1\nname: %s\nexperiment: topology\ntopology: \"%s\"\n", name, ref);
  if (cost) fprintf(f, "cost: %s\n", cost);
  fclose(f);
  return 0;
}

/* What a FILE argument is, from its top-level keys: 1 a scenario (`experiment:`), 2 a topology
 * preset (`family:`), 0 neither, -1 not a readable file, -2 not a regular file or too large (the
 * loader refuses those with the reason; don't read /dev/zero or a FIFO line by line here). */
static int file_kind(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return -1;
  if (!S_ISREG(st.st_mode) || st.st_size > (off_t)(64 << 20)) return -2;
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[1024];
  int exp = 0, fam = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "experiment:", 11) == 0) exp = 1;
    if (strncmp(line, "family:", 7) == 0) fam = 1;
  }
  fclose(f);
  return exp ? 1 : fam ? 2 : 0;
}

int cmd_topo(int argc, char **argv) {
  if (argc < 1 || strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
    fputs(topo_usage, argc < 1 ? stderr : stdout);
    return argc < 1 ? 2 : 0;
  }
  if (strcmp(argv[0], "describe") != 0) {
    fprintf(stderr, "clustersim: topo: unknown subcommand '%s'; allowed: describe\n%s", argv[0], topo_usage);
    return 2;
  }
  /* --cost NAME is ours; the rest goes to the common parser. */
  const char *cost = NULL;
  char *rest[64];
  int nrest = 0;
  for (int i = 1; i < argc && nrest < 63; i++) {
    if (strcmp(argv[i], "--cost") == 0 && i + 1 < argc) cost = argv[++i];
    else rest[nrest++] = argv[i];
  }
  rest[nrest] = NULL;
  cli_opts o;
  int rc = cli_parse_common(nrest, rest, &o, topo_usage);
  if (rc) return rc > 0 ? 0 : 2;
  if (o.npositional != 1) {
    fprintf(stderr, "clustersim: topo describe needs exactly one FILE or NAME\n%s", topo_usage);
    return 2;
  }
  const char *arg = o.positional[0];
  char path[1200], presets[1024] = "", tmp[256] = "";
  int has = file_kind(arg);
  if (has == 0) {
    fprintf(stderr, "clustersim: topo describe: %s: no `topology:` block and no `experiment:` key, and not a "
                    "topology preset (no top-level `family:`); allowed: a scenario with `experiment: topology` "
                    "and a `topology:` block, a topology preset file, or a name from scenarios/topologies/\n",
            arg);
    return 2;
  }
  if (has == 1 || has == -2) {
    snprintf(path, sizeof path, "%s", arg);   /* -2: the loader says what is wrong with the file */
  } else {
    if (has < 0 && strchr(arg, '/')) {
      fprintf(stderr, "clustersim: topo describe: cannot read '%s'\n", arg);
      return 2;
    }
    if (has < 0) {
      char rootbuf[1024], pf[1400];
      const char *root = o.presets_root ? o.presets_root : scen_default_presets_root(arg, rootbuf, sizeof rootbuf);
      snprintf(pf, sizeof pf, "%s/topologies/%s.yaml", root, arg);
      if (access(pf, R_OK) != 0) {
        fprintf(stderr, "clustersim: topo describe: '%s' is neither a file nor a topology preset (no %s); "
                        "allowed: a scenario or preset file, or a name from %s/topologies/\n", arg, pf, root);
        return 2;
      }
    }
    if (wrap_preset(arg, tmp, sizeof tmp, presets, sizeof presets, cost) < 0) {
      fprintf(stderr, "clustersim: topo describe: cannot write a temporary scenario in /tmp\n");
      return 2;
    }
    snprintf(path, sizeof path, "%s", tmp);
    if (presets[0] && !o.presets_root) o.presets_root = presets;
    if (!o.presets_root) o.presets_root = NULL;
    cost = NULL;   /* written into the wrapper */
  }
  cli_scenario cs;
  rc = cli_scenario_load(path, &o, &cs);
  if (tmp[0]) remove(tmp);
  if (rc < 0) return 2;
  if (strcmp(cs.exp->name, "topology") != 0) {
    fprintf(stderr, "clustersim: topo describe: %s: experiment is '%s'; allowed: topology\n", arg, cs.exp->name);
    cli_scenario_free(&cs);
    return 2;
  }
  /* --cost on a scenario: a preset named on the command line overrides the scenario's block. */
  cost_prices cp;
  cost_prices_init(&cp);
  int have_cp = 0;
  if (cost) {
    fprintf(stderr, "clustersim: topo describe: --cost works with a topology preset; for a scenario use "
                    "--set cost=%s\n", cost);
    cli_scenario_free(&cs);
    return 2;
  }
  int bad = 0;
  describe_ctx dc = {cs.doc, arg, tmp[0] ? tmp : NULL};
  for (size_t i = 0; i < cs.npoints; i++) {
    int r = describe_point(&dc, cs.points[i], &cp, have_cp);
    if (r == -2) bad = 2;
    else if (r < 0 && !bad) bad = 1;
  }
  cli_scenario_free(&cs);
  return bad;
}
