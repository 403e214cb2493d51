/* topo_ft.c: fat-tree family builders (STUB: being written). */
#include "topo_int.h"
static int stub_count(const topo_spec *s, topo_counts *c, char *err, size_t errlen) {
  (void)c;
  return topo__fail(err, errlen, TOPO_EINVAL, "%s: not built yet", topo_family_name(s->family));
}
static int stub_build(const topo_spec *s, topo_graph *g, char *err, size_t errlen) {
  (void)g;
  return topo__fail(err, errlen, TOPO_EINVAL, "%s: not built yet", topo_family_name(s->family));
}
const topo__family_ops topo__ft2_ops = {TOPO_FT2, stub_count, stub_build, NULL};
const topo__family_ops topo__ft3_ops = {TOPO_FT3, stub_count, stub_build, NULL};
const topo__family_ops topo__mrft_ops = {TOPO_MRFT, stub_count, stub_build, NULL};
const topo__family_ops topo__mpft_ops = {TOPO_MPFT, stub_count, stub_build, NULL};
const topo__family_ops topo__node_ops = {TOPO_NODE, stub_count, stub_build, NULL};
uint32_t topo__add_host(topo_graph *g, const topo_node_spec *ns, int host, int cabinet, uint32_t nvswitch,
                        uint32_t *gpu_out, uint32_t *nic_out) {
  (void)g; (void)ns; (void)host; (void)cabinet; (void)gpu_out; (void)nic_out;
  return nvswitch;
}
