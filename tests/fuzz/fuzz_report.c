/* fuzz_report.c: the report block parser (cli/res/report_spec.c, rep_spec_parse, the entry point
 * the report command uses). Input: a scenario file's text; its `report:` block, as the loader
 * re-emits it (scen_report_yaml), is parsed, or the whole input when the loader refuses the file,
 * so that both well-formed blocks and raw text reach the parser. Oracle: a refusal has a message. */
#include <string.h>

#include "fuzz_util.h"
#include "report_int.h"
#include "scen.h"

static char presets[1024];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_limits();
  snprintf(presets, sizeof presets, "%s/scenarios", CS_SOURCE_DIR);
  return 0;
}

static void parse(const char *yaml) {
  rep_spec sp;
  memset(&sp, 0, sizeof sp);
  char err[2048] = "";
  if (rep_spec_parse(yaml, "fuzz", &sp, err, sizeof err) < 0) {
    if (!err[0]) fuzz_fail("rep_spec_parse failed without a message");
    return;
  }
  rep_spec_free(&sp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 65536) return 0;
  const char *path = fuzz_write_file("report.yaml", data, size);
  scen_opts o = {presets, NULL, 0};
  scen_doc *d = NULL;
  scen_err e;
  if (scen_doc_load(path, &o, &d, &e) == 0) {
    const char *r = scen_report_yaml(d);
    if (r) parse(r);
    scen_doc_free(d);
  } else {
    char *s = fuzz_strdup(data, size);
    parse(s);
    free(s);
  }
  return 0;
}
