/* cmd_diff.c: `clustersim diff DB1 [DB2]`: every metric that moved between two sets of runs (two
 * stores, or two git revisions' runs in one store), beyond a tolerance. Matching and tolerance:
 * res_diff.h. Exit 0 when nothing moved, 1 when something did (like diff(1)), 2 on bad usage or a
 * store that cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "res_diff.h"

static const char diff_usage[] =
  "usage: clustersim diff DB1 [DB2] [--rev-a REV] [--rev-b REV] [--tol REL] [--abs ABS]\n"
  "Prints every metric of the runs in DB1 that moved in DB2 (points matched by scenario, sweep point,\n"
  "seed and replicate; the newest finished run of each), and metrics found on one side only.\n"
  "With one DB, --rev-a and --rev-b pick two git revisions' runs (prefixes of runs.git_rev).\n"
  "options:\n"
  "  --tol REL   relative tolerance, a fraction (default 1e-9)\n"
  "  --abs ABS   absolute tolerance in each metric's unit (default 0)\n"
  "exit status: 0 nothing moved, 1 something moved or is on one side only, 2 error\n";

static int parse_tol(const char *flag, const char *v, double *out) {
  char *end;
  double x = strtod(v, &end);
  if (!v[0] || *end || !(x >= 0) || x > 1e300) {
    fprintf(stderr, "clustersim: %s takes a number >= 0, got '%s'\n", flag, v);
    return -1;
  }
  *out = x;
  return 0;
}

int cmd_diff(int argc, char **argv) {
  res_diff_opts o = {1e-9, 0, NULL, NULL};
  const char *dbs[2] = {NULL, NULL};
  size_t ndb = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(diff_usage, stdout);
      return 0;
    }
    static const char *const flags[] = {"--rev-a", "--rev-b", "--tol", "--abs"};
    int f = -1;
    const char *val = NULL;
    for (int k = 0; k < 4; k++) {
      size_t l = strlen(flags[k]);
      if (strncmp(a, flags[k], l) == 0 && (a[l] == 0 || a[l] == '=')) {
        f = k;
        if (a[l] == '=') val = a + l + 1;
        else if (i + 1 < argc) val = argv[++i];
        else {
          fprintf(stderr, "clustersim: %s needs a value\n%s", flags[k], diff_usage);
          return 2;
        }
      }
    }
    if (f == 0) o.rev_a = val;
    else if (f == 1) o.rev_b = val;
    else if (f == 2) { if (parse_tol("--tol", val, &o.rel_tol) < 0) return 2; }
    else if (f == 3) { if (parse_tol("--abs", val, &o.abs_tol) < 0) return 2; }
    else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "clustersim: unknown option '%s'\n%s", a, diff_usage);
      return 2;
    } else if (ndb == 2) {
      fprintf(stderr, "clustersim: diff takes at most two databases\n%s", diff_usage);
      return 2;
    } else dbs[ndb++] = a;
  }
  if (ndb == 0) {
    fprintf(stderr, "clustersim: diff needs DB1 [DB2]\n%s", diff_usage);
    return 2;
  }
  if (ndb == 1) {
    if (!o.rev_a || !o.rev_b) {
      fprintf(stderr, "clustersim: diff with one database needs --rev-a and --rev-b\n%s", diff_usage);
      return 2;
    }
    dbs[1] = dbs[0];
  }
  res_diff_stats st;
  char err[1024] = "";
  if (res_diff_dbs(dbs[0], dbs[1], &o, stdout, &st, err, sizeof err) < 0) {
    fprintf(stderr, "clustersim: diff: %s\n", err);
    return 2;
  }
  printf("clustersim diff: %zu of %zu metric(s) moved beyond tolerance (rel %g, abs %g); %zu only in A, %zu only in B\n",
         st.moved, st.compared, o.rel_tol, o.abs_tol, st.only_a, st.only_b);
  return st.moved || st.only_a || st.only_b ? 1 : 0;
}
