/* fuzz_chakra.c: the Chakra execution-trace reader and importer (models/chakra/ck.h) on arbitrary
 * bytes. Input: a trace file as it would be read from disk (length-delimited GlobalMetadata and
 * Nodes). Under small limits (4096 nodes, 64 KiB per message, 256 dependencies per node) it is
 * parsed, then imported as both ranks of a two-rank trace (collectives then match and expand into
 * messages; a send or receive names its own rank and is refused) and as the one rank of a
 * one-rank trace, finalized and, where that succeeds, run on two endpoints of one switch. Oracles: a refusal has a message naming the file; an accepted rank has dependency
 * indices inside the file and never on the node itself, name offsets inside the arena; the import
 * either refuses with a message or gives a graph whose op count covers the nodes; a run ends
 * with every op done. */
#include <stdlib.h>
#include <string.h>

#include "ck.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

static void run_graph(og_graph *g) {
  topo_graph *t = topo_graph_new(3, 2);
  uint32_t sw = topo_add_node(t, TOPO_SWITCH, 1, -1, -1, -1, -1, 2);
  topo_link_spec ls = {TOPO_IB, 50e9, 1000};
  for (int i = 0; i < 2; i++) {
    uint32_t v = topo_add_node(t, TOPO_ENDPOINT, 0, -1, -1, -1, -1, 0);
    topo_add_link(t, v, sw, &ls);
    topo_add_endpoint(t, v);
  }
  char err[512];
  if (topo_finalize(t, err, sizeof err) < 0) fuzz_fail("topo_finalize: %s", err);
  sim_engine *e = sim_engine_new(NULL);
  net_opts o;
  net_opts_init(&o);
  net_model *n = net_new(e, t, &o, err, sizeof err);
  if (!n) fuzz_fail("net_new: %s", err);
  og_stats st;
  if (og_run(g, n, e, NULL, &st, err, sizeof err) < 0) fuzz_fail("og_run refused a finalized import: %s", err);
  if (st.ops != og_nops(g)) fuzz_fail("og_run: %llu of %u ops ran", (unsigned long long)st.ops, og_nops(g));
  net_free(n);
  sim_engine_free(e);
  topo_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 20) return 0;
  ck_limits lim = {1 << 20, 64 << 10, 4096, 256};
  ck_rank r;
  char err[1024] = "";
  if (ck_parse(data, size, "fuzz.0.et", &lim, &r, err, sizeof err) < 0) {
    if (!strstr(err, "fuzz.0.et")) fuzz_fail("refused without naming the file: '%s'", err);
    if (r.nodes || r.deps || r.names) fuzz_fail("refused but left memory in the rank");
    return 0;
  }
  if (r.nnodes > lim.nodes) fuzz_fail("%u nodes accepted, limit %u", r.nnodes, lim.nodes);
  for (uint32_t i = 0; i < r.nnodes; i++) {
    const ck_node *x = &r.nodes[i];
    if (x->type == CK_INVALID || x->type >= CK_TYPE_COUNT) fuzz_fail("node %u: type %u accepted", i, x->type);
    if (x->ndeps > lim.deps || (size_t)x->dep_off + x->ndeps > r.ndeps) fuzz_fail("node %u: deps out of range", i);
    for (uint32_t j = 0; j < x->ndeps; j++) {
      uint32_t d = r.deps[x->dep_off + j];
      if (d >= r.nnodes || d == i) fuzz_fail("node %u: dependency index %u (of %u nodes)", i, d, r.nnodes);
    }
    if (x->name_off >= r.names_len || x->pg_off >= r.names_len) fuzz_fail("node %u: name offset out of range", i);
  }
  ck_rank R[2] = {r, r};
  uint32_t eps[2] = {0, 1};
  for (uint32_t nr = 2; nr >= 1; nr--) {
    ck_import_opts io = {eps, nr, NULL, NULL};
    ck_import_stats st;
    og_graph *g = ck_import(R, &io, &st, err, sizeof err);
    if (!g) {
      if (!err[0]) fuzz_fail("import refused without a message");
      continue;
    }
    if (og_nops(g) < nr * r.nnodes) fuzz_fail("%u ops for %u x %u nodes", og_nops(g), nr, r.nnodes);
    if (og_finalize(g, err, sizeof err) == 0) run_graph(g);
    else if (!err[0]) fuzz_fail("og_finalize refused without a message");
    og_free(g);
  }
  ck_rank_free(&r);
  return 0;
}
