/* topo_int.h: internals shared by the files of topo/ (not for other modules). */
#ifndef CLUSTERSIM_TOPO_INT_H
#define CLUSTERSIM_TOPO_INT_H

#include <stdarg.h>
#include "sim.h"
#include "topo.h"

/* Programmer errors stop at once with file:line (STYLE 3). */
#define TOPO_ASSERT(c)                                                                        \
  do {                                                                                        \
    if (!(c)) topo__die(__FILE__, __LINE__, #c);                                              \
  } while (0)
void topo__die(const char *file, int line, const char *what);

/* err[errlen] = formatted message; returns code. */
int topo__fail(char *err, size_t errlen, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* One family: counts without building, and the builder (which adds nodes/links/endpoints and
 * cabinets; topo_build() then applies the layout and finalizes). STYLE 6: an ops table. */
typedef struct topo__family_ops {
  topo_family family;
  int (*count)(const topo_spec *s, topo_counts *c, char *err, size_t errlen);
  int (*build)(const topo_spec *s, topo_graph *g, char *err, size_t errlen);
  /* Cables from the family's layout rule without building (NULL: build and measure instead). */
  int (*cables_formula)(const topo_spec *s, topo_cables *out, char *err, size_t errlen);
} topo__family_ops;

extern const topo__family_ops topo__ft2_ops, topo__ft3_ops, topo__mrft_ops, topo__mpft_ops, topo__node_ops;
extern const topo__family_ops topo__sf_ops, topo__df_ops;

/* Adds one host's internals (node spec): GPUs, NICs (one per GPU), PCIe switches, host memory,
 * the NVSwitch (unless `nvswitch` is given: an NVL72 rack shares one across hosts), and the
 * storage NICs. Registers the GPUs as endpoints. gpu_out/nic_out receive spec->gpus ids each.
 * Invariant the router and topo_endpoint_switch rely on: a GPU's own NIC is the next node id.
 * Returns the NVSwitch node id used. */
uint32_t topo__add_host(topo_graph *g, const topo_node_spec *ns, int host, int cabinet, uint32_t nvswitch,
                        uint32_t *gpu_out, uint32_t *nic_out);

/* The floor-grid rule of topo_layout_apply(), shared with the families' cables_formula so that a
 * formula and a built graph measure cables the same way: cabinets per row (ls->cabinets_per_row, or
 * ceil(sqrt(ncab))), the length of a cable between two distinct cabinets (Manhattan distance +
 * overhead), and its medium (electrical up to the copper reach). */
uint32_t topo__layout_per_row(const topo_layout_spec *ls, uint32_t ncab);
double topo__layout_length_m(const topo_layout_spec *ls, uint32_t per_row, uint32_t ca, uint32_t cb);
static inline topo_medium topo__layout_medium(const topo_layout_spec *ls, double len_m) {
  return len_m <= ls->electrical_reach_m ? TOPO_ELECTRICAL : TOPO_OPTICAL;
}

/* splitmix64 finaliser (sim.h): hashes for ECMP and sampling. */
static inline uint64_t topo__mix64(uint64_t z) { return sim_mix64(z); }

/* Host internals shared by the fat-tree builders and the TOPO_NODE family (topo_node.c). */
int topo__node_validate(const topo_spec *s, char *err, size_t errlen);
void topo__node_count(const topo_node_spec *ns, uint64_t hosts, topo_counts *c);
int topo__node_hosts_per_domain(const topo_node_spec *ns);

/* The one radix rule (TOPO_MAX_RADIX) and its one wording, for every family:
 *   "radix: 7: ports per switch must be an even number in [4, 65535] for ft2". */
int topo__check_radix(const topo_spec *s, int min, int even, char *err, size_t errlen);

/* Small integer helpers. */
int topo__is_prime_power(int q, int *p_out, int *e_out);

#endif
