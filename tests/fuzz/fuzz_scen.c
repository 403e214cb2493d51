/* fuzz_scen.c: the scenario loader and checker. Input: a scenario file's text. It is loaded
 * (includes and presets resolved against the source tree's scenarios/), bound to its experiment's
 * schema, expanded and validated; for `experiment: topology` each point's topology is also counted
 * and, when small, built and checked. Errors are the expected outcome for most inputs.
 * Oracles: an error always has a message; the canonical YAML of every point parses back; a built
 * graph passes its structural checks' bookkeeping (counts equal what topo_count said). */
#include <string.h>

#include "exp.h"
#include "exp_topo.h"
#include "fuzz_util.h"
#include "scen.h"
#include "scen_int.h"
#include "topo.h"

static char presets[1024];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_limits();
  snprintf(presets, sizeof presets, "%s/scenarios", CS_SOURCE_DIR);
  return 0;
}

static void check_topology(const scen *s) {
  topo_spec sp;
  char err[1024];
  if (cli_topo_spec_from_scen(s, &sp, err, sizeof err) < 0) {
    if (!err[0]) fuzz_fail("cli_topo_spec_from_scen failed without a message");
    return;
  }
  topo_counts c;
  err[0] = 0;
  if (topo_count(&sp, &c, err, sizeof err) < 0) {
    if (!err[0]) fuzz_fail("topo_count failed without a message");
    return;
  }
  if (sp.formula_only) return;
  topo_graph *g = NULL;
  err[0] = 0;
  int rc = topo_build(&sp, &g, err, sizeof err);
  if (rc < 0) {
    if (!err[0]) fuzz_fail("topo_build failed (%d) without a message", rc);
    return;
  }
  if (g->counts.switches != c.switches || g->n_endpoints != c.endpoints)
    fuzz_fail("topology %s: built %u endpoints, counted %llu", topo_family_name(sp.family), g->n_endpoints,
              (unsigned long long)c.endpoints);
  topo_check chk;
  topo_check_graph(g, &chk);
  topo_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 65536) return 0;   /* scenario files are small; keep inputs fast */
  const char *path = fuzz_write_file("scenario.yaml", data, size);
  scen_opts o = {presets, NULL, 0};
  scen_doc *d = NULL;
  scen_err e;
  if (scen_doc_load(path, &o, &d, &e) < 0) {
    if (!e.msg[0]) fuzz_fail("scen_doc_load failed without a message");
    return 0;
  }
  (void)scen_report_yaml(d);
  const char *ename = scen_doc_scalar(d, "experiment");
  const cli_experiment *x = ename ? cli_experiment_find(ename) : NULL;
  if (!x) {
    scen_doc_where(d, "experiment", &e);
    scen_doc_free(d);
    return 0;
  }
  scen **pts = NULL;
  size_t n = 0;
  if (scen_doc_expand(d, x->schema, &pts, &n, &e) < 0) {
    if (!e.msg[0]) fuzz_fail("scen_doc_expand failed without a message");
    scen_doc_free(d);
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    const char *y = scen_yaml(pts[i]);
    scen_node *back = NULL;
    scen_err e2;
    if (scen__parse_text(y, strlen(y), "canonical", 1, 0, &back, &e2) < 0)
      fuzz_fail("the canonical YAML of point %zu does not parse back: %s\n%s", i, e2.msg, y);
    scen__node_free(back);
    for (size_t k = 0; k < scen_nparams(pts[i]); k++)
      if (!scen_param_key(pts[i], k) || !scen_param_value(pts[i], k)) fuzz_fail("param %zu is NULL", k);
    (void)scen_sha256(pts[i]);
    (void)scen_point_label(pts[i]);
    if (strcmp(x->name, "topology") == 0) check_topology(pts[i]);
  }
  for (size_t i = 0; i < n; i++) scen_free(pts[i]);
  free(pts);
  scen_doc_free(d);
  return 0;
}
