/* topo_df.c: (STUB: being written). */
#include "topo_int.h"
static int stub_count(const topo_spec *s, topo_counts *c, char *err, size_t errlen) {
  (void)c;
  return topo__fail(err, errlen, TOPO_EINVAL, "%s: not built yet", topo_family_name(s->family));
}
static int stub_build(const topo_spec *s, topo_graph *g, char *err, size_t errlen) {
  (void)g;
  return topo__fail(err, errlen, TOPO_EINVAL, "%s: not built yet", topo_family_name(s->family));
}
const topo__family_ops topo__df_ops = {TOPO_DRAGONFLY, stub_count, stub_build, NULL};
