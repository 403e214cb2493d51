/* topo_node.c: host (scale-up) internals, shared by every builder with node.gpus > 0, and the
 * TOPO_NODE family (hosts only, no scale-out fabric).
 *
 * One host of G GPUs (topo_node_spec), what topo__add_host() adds:
 *
 *   GPU i  --NVLINK (node.nvlink)--  NVSwitch       one node per NVLink domain: the host, or a rack
 *                                                   (NVL72: 72 GPUs over 18 hosts of 4 share one)
 *   GPU i  --PCIE (node.pcie)------  PCIe switch i / gpus_per_pcie_switch
 *   NIC i  --PCIE (node.pcie)------  the same PCIe switch as GPU i (one scale-out NIC per GPU)
 *   PCIe switch --PCIE (hostmem bw)-- host memory   one node per host
 *   storage NIC j --PCIE-----------  PCIe switch j mod (PCIe switches); never on the fabric
 *
 * Per host: G GPUs, G + storage_nics NICs, ceil(G / gpus_per_pcie_switch) PCIe switches, one host
 * memory node, and 3G + (PCIe switches) + storage_nics internal links. The fabric builders add the
 * NIC -> leaf cable (node.nic, or spec->fabric when node.nic.bw_Bps == 0) and set the plane/rail of
 * GPU i and NIC i; topo__add_host leaves them at -1.
 *
 * Why every PCIe switch reaches host memory: in a multi-plane build a GPU whose own NIC sits in
 * plane p reaches plane q only through another NIC of its host, over NVLink (GPU -> NVSwitch ->
 * GPU' -> PCIe -> NIC') or over PCIe through host memory; the graph offers both and the network
 * model picks. Kinds are kept apart (TOPO_NVSWITCH, TOPO_PCIE_SWITCH are not TOPO_SWITCH) so that
 * switch-level BFS and the radix check see the scale-out fabric only.
 */
#include <stdint.h>
#include <stdlib.h>

#include "topo_int.h"

/* Shared with topo_ft.c. Declared here and there because topo_int.h belongs to the graph core;
 * they belong in topo_int.h next to topo__add_host. */

#define NODE_MAX_GPUS 1024        /* a host or a rack slice; bounds the per-host loops */
#define NODE_MAX_STORAGE_NICS 64

static int link_spec_ok(const topo_link_spec *ls, const char *name, int need_bw, char *err, size_t errlen) {
  if ((unsigned)ls->cls >= TOPO_CLASS_COUNT)
    return topo__fail(err, errlen, TOPO_EINVAL, "%s: class %d: not a link class (nvlink, pcie, ib, eth)", name,
                      (int)ls->cls);
  if (!(ls->bw_Bps >= 0.0) || (need_bw && !(ls->bw_Bps > 0.0)))
    return topo__fail(err, errlen, TOPO_EINVAL, "%s.bw: %g B/s: must be %s", name, ls->bw_Bps,
                      need_bw ? "> 0 (per direction)" : ">= 0 (0: use the default)");
  return 0;
}

int topo__node_validate(const topo_spec *s, char *err, size_t errlen) {
  const topo_node_spec *ns = &s->node;
  if (ns->gpus < 0 || ns->gpus > NODE_MAX_GPUS)
    return topo__fail(err, errlen, TOPO_EINVAL, "node.gpus: %d must be in [0, %d] (0: bare endpoints, no hosts)",
                      ns->gpus, NODE_MAX_GPUS);
  if (ns->gpus == 0) return 0;   /* the rest of the node spec is unused */
  if (ns->gpus_per_pcie_switch < 1)
    return topo__fail(err, errlen, TOPO_EINVAL, "node.gpus_per_pcie_switch: %d must be >= 1",
                      ns->gpus_per_pcie_switch);
  if (ns->storage_nics < 0 || ns->storage_nics > NODE_MAX_STORAGE_NICS)
    return topo__fail(err, errlen, TOPO_EINVAL, "node.storage_nics: %d must be in [0, %d]", ns->storage_nics,
                      NODE_MAX_STORAGE_NICS);
  if (ns->nvlink_domain != 0 && (ns->nvlink_domain < ns->gpus || ns->nvlink_domain % ns->gpus != 0))
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "node.nvlink_domain: %d must be 0 (one host) or a multiple of node.gpus %d (whole hosts "
                      "share one NVSwitch)",
                      ns->nvlink_domain, ns->gpus);
  int rc;
  if ((rc = link_spec_ok(&ns->nvlink, "node.nvlink", 1, err, errlen)) < 0) return rc;
  if ((rc = link_spec_ok(&ns->pcie, "node.pcie", 1, err, errlen)) < 0) return rc;
  if ((rc = link_spec_ok(&ns->nic, "node.nic", 0, err, errlen)) < 0) return rc;
  if (!(ns->hostmem_bw_Bps >= 0.0))
    return topo__fail(err, errlen, TOPO_EINVAL, "node.hostmem_bw: %g B/s: must be >= 0 (0: node.pcie.bw)",
                      ns->hostmem_bw_Bps);
  /* A NIC's own link spec is for the scale-out port: a zeroed class (nvlink) would silently drop
   * the cable from the fabric's cable count and cost, so say so instead. */
  if (ns->nic.bw_Bps > 0.0 && ns->nic.cls != TOPO_IB && ns->nic.cls != TOPO_ETH)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "node.nic: class %s: the NIC -> leaf link must be ib or eth (or set node.nic.bw = 0 to "
                      "use the fabric link)",
                      topo_class_name(ns->nic.cls));
  return 0;
}

int topo__node_hosts_per_domain(const topo_node_spec *ns) {
  return ns->nvlink_domain > 0 ? ns->nvlink_domain / ns->gpus : 1;
}

static int pcie_switches_per_host(const topo_node_spec *ns) {
  return (ns->gpus + ns->gpus_per_pcie_switch - 1) / ns->gpus_per_pcie_switch;
}

/* Adds the node-internal counts of `hosts` hosts (hosts are numbered from 0, so NVLink domains are
 * consecutive runs of hosts_per_domain and the last one may be partial). */
void topo__node_count(const topo_node_spec *ns, uint64_t hosts, topo_counts *c) {
  if (ns->gpus <= 0 || hosts == 0) return;
  uint64_t G = (uint64_t)ns->gpus, hpd = (uint64_t)topo__node_hosts_per_domain(ns);
  uint64_t pcie = (uint64_t)pcie_switches_per_host(ns), st = (uint64_t)ns->storage_nics;
  c->hosts += hosts;
  c->gpus += hosts * G;
  c->nics += hosts * (G + st);
  c->nvswitches += (hosts + hpd - 1) / hpd;
  c->pcie_switches += hosts * pcie;
  c->internal_links += hosts * (3 * G + pcie + st);
}

uint32_t topo__add_host(topo_graph *g, const topo_node_spec *ns, int host, int cabinet, uint32_t nvswitch,
                        uint32_t *gpu_out, uint32_t *nic_out) {
  TOPO_ASSERT(ns->gpus > 0 && ns->gpus_per_pcie_switch >= 1);
  int G = ns->gpus, npcie = pcie_switches_per_host(ns);
  topo_link_spec nvl = ns->nvlink, pcie = ns->pcie, mem = ns->pcie;
  nvl.cls = TOPO_NVLINK;   /* the class is what the link is, whatever the spec left in cls */
  pcie.cls = TOPO_PCIE;
  mem.cls = TOPO_PCIE;
  if (ns->hostmem_bw_Bps > 0.0) mem.bw_Bps = ns->hostmem_bw_Bps;

  if (nvswitch == UINT32_MAX) nvswitch = topo_add_node(g, TOPO_NVSWITCH, 0, -1, host, -1, cabinet, 0);
  TOPO_ASSERT(nvswitch < g->n_nodes && g->kind[nvswitch] == TOPO_NVSWITCH);
  uint32_t mem_node = topo_add_node(g, TOPO_HOSTMEM, 0, -1, host, -1, cabinet, 0);
  uint32_t pcie0 = g->n_nodes;   /* the host's PCIe switches are consecutive ids */
  for (int p = 0; p < npcie; p++) topo_add_node(g, TOPO_PCIE_SWITCH, 0, -1, host, -1, cabinet, 0);
  for (int i = 0; i < G; i++) {
    uint32_t gpu = topo_add_node(g, TOPO_GPU, 0, -1, host, -1, cabinet, 0);
    uint32_t nic = topo_add_node(g, TOPO_NIC, 0, -1, host, -1, cabinet, 0);
    uint32_t sw = pcie0 + (uint32_t)(i / ns->gpus_per_pcie_switch);
    topo_add_link(g, gpu, nvswitch, &nvl);
    topo_add_link(g, gpu, sw, &pcie);
    topo_add_link(g, nic, sw, &pcie);
    topo_add_endpoint(g, gpu);
    if (gpu_out) gpu_out[i] = gpu;
    if (nic_out) nic_out[i] = nic;
  }
  for (int p = 0; p < npcie; p++) topo_add_link(g, pcie0 + (uint32_t)p, mem_node, &mem);
  for (int j = 0; j < ns->storage_nics; j++) {
    uint32_t nic = topo_add_node(g, TOPO_NIC, 0, -1, host, -1, cabinet, 0);
    topo_add_link(g, nic, pcie0 + (uint32_t)(j % npcie), &pcie);
  }
  return nvswitch;
}

/* ---- TOPO_NODE: one or more scale-up domains, no fabric ---- */

/* Hosts of a TOPO_NODE build: spec->endpoints GPUs, or one NVLink domain (one host when
 * nvlink_domain is 0) when endpoints is 0. */
static int node_hosts(const topo_spec *s, int *hosts, char *err, size_t errlen) {
  int rc = topo__node_validate(s, err, errlen);
  if (rc < 0) return rc;
  const topo_node_spec *ns = &s->node;
  if (ns->gpus == 0)
    return topo__fail(err, errlen, TOPO_EINVAL, "node.gpus: 0: the node family is hosts only and needs GPUs per "
                                                "host >= 1");
  if (s->endpoints < 0 || s->endpoints % ns->gpus != 0)
    return topo__fail(err, errlen, TOPO_EINVAL,
                      "endpoints: %d must be 0 (one NVLink domain) or a positive multiple of node.gpus %d",
                      s->endpoints, ns->gpus);
  int gpus = s->endpoints ? s->endpoints : (ns->nvlink_domain ? ns->nvlink_domain : ns->gpus);
  *hosts = gpus / ns->gpus;
  return 0;
}

static int node_count(const topo_spec *s, topo_counts *c, char *err, size_t errlen) {
  int hosts = 0, rc = node_hosts(s, &hosts, err, errlen);
  if (rc < 0) return rc;
  topo__node_count(&s->node, (uint64_t)hosts, c);
  c->endpoints = c->gpus;
  c->planes = 0;   /* no scale-out fabric */
  return 0;
}

/* One cabinet per NVLink domain (a host, or an NVL72 rack). */
static int node_build(const topo_spec *s, topo_graph *g, char *err, size_t errlen) {
  int hosts = 0, rc = node_hosts(s, &hosts, err, errlen);
  if (rc < 0) return rc;
  int hpd = topo__node_hosts_per_domain(&s->node);
  uint32_t nvs = UINT32_MAX;
  for (int x = 0; x < hosts; x++) {
    if (x % hpd == 0) nvs = UINT32_MAX;
    nvs = topo__add_host(g, &s->node, x, x / hpd, nvs, NULL, NULL);
  }
  return 0;
}

const topo__family_ops topo__node_ops = {TOPO_NODE, node_count, node_build, NULL};
