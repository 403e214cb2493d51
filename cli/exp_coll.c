/* exp_coll.c: STUB, replaced by the helper that owns experiment `collective`. */
#include <stdio.h>
#include "exp.h"
#include "exp_net.h"
#include "exp_topo.h"
static const scen_key keys[] = {CLI_TOPOLOGY_KEY, CLI_NETWORK_KEY, {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}};
static int run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)s; (void)replicate; (void)out; snprintf(err, errlen, "collective: not built yet"); return -1;
}
const cli_experiment cli_exp_collective = {"collective", "not built yet", keys, run};
