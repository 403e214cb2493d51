/* fuzz_set.c: the --set parser. Input: up to 8 lines, each one --set argument ("a.b=value"),
 * applied to a fixed topology scenario with a sweep; the points are expanded and validated.
 * Oracles: an error always has a message and names "--set" or a file position; canonical YAML of
 * every point parses back. */
#include <string.h>

#include "exp.h"
#include "fuzz_util.h"
#include "scen.h"
#include "scen_int.h"

static const char base[] =
  "schema_version: 1\n"
  "experiment: topology\n"
  "topology:\n"
  "  family: ft2\n"
  "  radix: 8\n"
  "  fabric: fabric-ib-ndr\n"
  "cost: cost-ndr400-64port\n"
  "sweep:\n"
  "  topology.radix: [4, 8]\n";

static char presets[1024];
static char path[1024];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_limits();
  snprintf(presets, sizeof presets, "%s/scenarios", CS_SOURCE_DIR);
  snprintf(path, sizeof path, "%s", fuzz_write_file("set-base.yaml", (const uint8_t *)base, sizeof base - 1));
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *text = fuzz_strdup(data, size);
  const char *sets[8];
  size_t ns = 0;
  for (char *line = text, *nl; line && ns < 8; line = nl) {
    nl = strchr(line, '\n');
    if (nl) *nl++ = '\0';
    sets[ns++] = line;
  }
  scen_opts o = {presets, sets, ns};
  scen_doc *d = NULL;
  scen_err e;
  if (scen_doc_load(path, &o, &d, &e) < 0) {
    if (!e.msg[0]) fuzz_fail("scen_doc_load with --set failed without a message");
    free(text);
    return 0;
  }
  const char *ename = scen_doc_scalar(d, "experiment");
  const cli_experiment *x = ename ? cli_experiment_find(ename) : NULL;
  if (x) {
    scen **pts = NULL;
    size_t n = 0;
    if (scen_doc_expand(d, x->schema, &pts, &n, &e) == 0) {
      for (size_t i = 0; i < n; i++) {
        const char *y = scen_yaml(pts[i]);
        scen_node *back = NULL;
        scen_err e2;
        if (scen__parse_text(y, strlen(y), "canonical", 1, 0, &back, &e2) < 0)
          fuzz_fail("canonical YAML does not parse back: %s\n%s", e2.msg, y);
        scen__node_free(back);
        scen_free(pts[i]);
      }
      free(pts);
    } else if (!e.msg[0]) {
      fuzz_fail("scen_doc_expand failed without a message");
    }
  }
  scen_doc_free(d);
  free(text);
  return 0;
}
