/* tfix.h: the fixture the workload tests share (cmocka): a topology from a spec, an engine and a flow
 * model on it, each failure a test failure with the builder's message. Include after <cmocka.h>. */
#ifndef CLUSTERSIM_TFIX_H
#define CLUSTERSIM_TFIX_H

#include "net.h"
#include "sim.h"
#include "topo.h"

typedef struct tfix_net {
  topo_graph *g;
  sim_engine *e;
  net_model *n;
} tfix_net;

/* The default network options (net_opts_init), engine seed 0. */
static inline void tfix_net_new(const topo_spec *sp, tfix_net *f) {
  char err[512];
  if (topo_build(sp, &f->g, err, sizeof err) < 0) fail_msg("topo_build: %s", err);
  f->e = sim_engine_new(NULL);
  net_opts o;
  net_opts_init(&o);
  f->n = net_new(f->e, f->g, &o, err, sizeof err);
  if (!f->n) fail_msg("net_new: %s", err);
}

static inline void tfix_net_free(tfix_net *f) {
  net_free(f->n);
  sim_engine_free(f->e);
  topo_free(f->g);
  f->n = NULL;
  f->e = NULL;
  f->g = NULL;
}

/* A star: k endpoints on one switch, each by a link of bw B/s (endpoint `slow` at slow_bw; slow >= k: none),
 * no latency. */
static inline void tfix_star(tfix_net *f, uint32_t k, double bw, uint32_t slow, double slow_bw) {
  f->g = topo_graph_new(k + 1, k);
  uint32_t sw = topo_add_node(f->g, TOPO_SWITCH, 1, -1, -1, -1, -1, (uint16_t)k);
  topo_link_spec ls = {TOPO_IB, bw, 0};
  for (uint32_t i = 0; i < k; i++) {
    uint32_t v = topo_add_node(f->g, TOPO_ENDPOINT, 0, -1, -1, -1, -1, 0);
    ls.bw_Bps = i == slow ? slow_bw : bw;
    topo_add_link(f->g, v, sw, &ls);
    topo_add_endpoint(f->g, v);
  }
  char err[256];
  if (topo_finalize(f->g, err, sizeof err) < 0) fail_msg("topo_finalize: %s", err);
  f->e = sim_engine_new(NULL);
  net_opts o;
  net_opts_init(&o);
  f->n = net_new(f->e, f->g, &o, err, sizeof err);
  if (!f->n) fail_msg("net_new: %s", err);
}

/* The MPFT the EP and PCIe tests use: `endpoints` GPUs, 8 per host and 8 planes, 64-port switches, no
 * latency anywhere, NIC and fabric nic_Bps, NVLink 160 GB/s, PCIe 64 GB/s with 2 GPUs per switch. */
static inline void tfix_mpft_spec(topo_spec *sp, int endpoints, double nic_Bps) {
  topo_spec_init(sp);
  sp->family = TOPO_MPFT;
  sp->radix = 64;
  sp->endpoints = endpoints;
  sp->planes = 8;
  sp->fabric = (topo_link_spec){TOPO_IB, nic_Bps, 0};
  sp->node.gpus = 8;
  sp->node.gpus_per_pcie_switch = 2;
  sp->node.nvlink = (topo_link_spec){TOPO_NVLINK, 160e9, 0};
  sp->node.pcie = (topo_link_spec){TOPO_PCIE, 64e9, 0};
  sp->node.nic = (topo_link_spec){TOPO_IB, nic_Bps, 0};
  sp->node.nvlink_domain = 8;
  sp->layout = (topo_layout_spec){0.6, 1.2, 2.0, 1.0, 2.0, 0};
}

#endif
