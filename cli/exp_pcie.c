/* exp_pcie.c: STUB, replaced by the helper that owns experiment `pcie_contention`. */
#include <stdio.h>
#include "exp.h"
#include "exp_net.h"
#include "exp_topo.h"
static const scen_key keys[] = {CLI_TOPOLOGY_KEY, CLI_NETWORK_KEY, {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}};
static int run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)s; (void)replicate; (void)out; snprintf(err, errlen, "pcie_contention: not built yet"); return -1;
}
const cli_experiment cli_exp_pcie_contention = {"pcie_contention", "not built yet", keys, run};
