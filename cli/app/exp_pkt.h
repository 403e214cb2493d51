/* exp_pkt.h: the `network.packet:` scenario block (inputs of the packet-level network model,
 * models/net.h net_pkt_spec) and what the packet experiments share.
 *
 * Schema (children of network.packet; a preset in scenarios/hardware/ (packet-*) or an inline map;
 * read only when network.model is packet):
 *   mtu, node_mtu          payload per packet on fabric paths (IB, RoCE) / inside a node (NVLink, PCIe)
 *   buffer, node_buffer    input buffer per port and virtual lane (IB) / priority (RoCE), fed by a
 *                          fabric link / a NVLink or PCIe link: the credits of a credit link
 *   switching              cut_through | store_forward (fabric switches)
 *   window                 bytes a QP may have unacknowledged (0: no window)
 *   pfc, pfc_xoff, pfc_xon RoCE: priority flow control and its ingress thresholds
 *   ecn, ecn_kmin, ecn_kmax, ecn_pmax   RoCE: RED-like ECN marking at egress
 *   dcqcn, dcqcn_*         RoCE: DCQCN reaction point at the NICs (g, alpha_init, alpha_period,
 *                          rate_reduce_period, increase_period, increase_bytes, fast_recovery,
 *                          ai, hai, min_rate, cnp_interval)
 * The defaults are the model's (net_opts_init); the presets name the source of every number.
 */
#ifndef CLUSTERSIM_EXP_PKT_H
#define CLUSTERSIM_EXP_PKT_H

#include <stddef.h>

#include "net.h"
#include "scen.h"

extern const scen_key cli_packet_keys[];   /* children of network.packet */

/* Fills o->pkt from network.packet (when present). 0 or -1 (message in err naming the key). */
int cli_pkt_opts_from_scen(const scen *s, net_opts *o, char *err, size_t errlen);

/* `clustersim bench packet [options]` (exp_pkt_bench.c): exit status 0, 1 (run failed) or 2 (usage). */
int cli_bench_packet(int argc, char **argv);

#endif
