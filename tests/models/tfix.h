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
