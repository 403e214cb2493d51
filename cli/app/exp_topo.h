/* exp_topo.h: the `topology:` and `cost:` scenario keys, shared by the `topology` experiment
 * (cli/app/exp_topo.c) and the commands that read the same blocks (`clustersim topo describe FILE`).
 *
 * Schema (presets: topology in scenarios/topologies/, node/fabric/layout/cost in scenarios/hardware/):
 *   topology:              preset name or map
 *     name                 display label (reports' rows), default ""
 *     family               ft2 ft3 mrft mpft slimfly dragonfly node
 *     radix                switch ports as bought (0, the default: the fabric's switch_radix)
 *     endpoints, spines    FT2/MRFT/MPFT partial builds (0: full)
 *     planes               MPFT planes / MRFT rails (0: node.gpus, or 1 without a node)
 *     slimfly: {q, p, formula_only}
 *     dragonfly: {p, a, h, g, arrangement}
 *     fabric               preset (default fabric-ib-ndr): {class ib|eth, bw, latency, switch_radix,
 *                          switch_latency, nic_latency, host_latency}  (the link-layer profile)
 *     node                 preset (absent: bare endpoints): {gpus, gpus_per_pcie_switch, storage_nics,
 *                          nvlink, pcie: presets (nvlink-*, pcie-*) or maps {bw, latency, switch_latency,
 *                          host_latency}, hostmem_bw, nic {bw, latency}, nvlink_domain}
 *     layout               preset (default layout-sc14-400g): {cabinet_pitch_m, row_pitch_m, overhead_m,
 *                          intra_cabinet_m, electrical_reach_m, cabinets_per_row, electrical_ns_per_m,
 *                          optical_ns_per_m}
 *     endpoints_per_cabinet, switches_per_cabinet
 *   cost:                  preset name or map (optional): switch_base_usd, switch_port_usd,
 *                          {electrical,optical}_cable_usd, {electrical,optical}_cable_usd_per_m, nic_usd,
 *                          price_endpoint_cables
 */
#ifndef CLUSTERSIM_EXP_TOPO_H
#define CLUSTERSIM_EXP_TOPO_H

#include <stddef.h>

#include "cost.h"
#include "scen.h"
#include "topo.h"

extern const scen_key cli_topology_keys[];   /* children of `topology:` */
extern const scen_key cli_cost_keys[];       /* children of `cost:` */
extern const scen_key cli_topo_schema[];     /* top level: `topology` (required) and `cost` (optional) */

/* Fills *out from the scenario's `topology:` block (the schema above must be part of the scenario's
 * schema). 0, or -1 with a message naming the key when the values cannot make a spec. */
int cli_topo_spec_from_scen(const scen *s, topo_spec *out, char *err, size_t errlen);

/* A topology message that starts with the key it is about ("slimfly.q: 6: ...", topo.h's convention,
 * or "topology.radix = ..." from the spec reader) as a loader error: e gets the key's path under
 * `topology.` (or `cost.`), its file:line:column in doc and the rest of the message. 0, or -1 when the
 * message names no key (e then holds the whole message, no position). */
int cli_topo_err_where(const scen_doc *doc, const char *msg, scen_err *e);
/* The same for any message that starts with a scenario key: prefix is put before a key that does not
 * start with it ("topology." for topology messages, "" for an experiment's own keys). */
int cli_key_err_where(const scen_doc *doc, const char *msg, const char *prefix, scen_err *e);

/* Checks every point's topology before anything runs (the spec, then topo_count: shapes, radix, size
 * limit), so a bad topology is a bad-input error with the key's position like the loader's. 0 or -1
 * (printed to stderr). Only for experiments whose schema has `topology` (scen_has aborts otherwise). */
int cli_topo_check_points(const scen_doc *doc, scen *const *points, size_t n);

/* Fills *out from the `cost:` block. 0 filled; 1 the scenario has no `cost:` block (*out zeroed);
 * -1 invalid prices (message names the key). */
int cli_cost_prices_from_scen(const scen *s, cost_prices *out, char *err, size_t errlen);

#endif
