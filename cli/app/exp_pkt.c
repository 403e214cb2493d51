/* exp_pkt.c: the `network.packet:` block -> net_pkt_spec (exp_pkt.h). One table gives the keys,
 * their types, ranges, defaults and help (STYLE 8); cross-key rules (MTU above the buffer, XON above
 * XOFF, zero credits, PFC headroom) are checked by the model itself (net_new), whose messages name
 * these keys. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exp_pkt.h"

#define END {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}
#define BYTES(name, def, min, help) {name, SCEN_BYTES, help, def, 0, SCEN_MIN, min, 0, NULL, NULL, 0, NULL}
#define TIME(name, def, help) {name, SCEN_TIME, help, def, 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL}
#define BW(name, def, help) {name, SCEN_BW, help, def, 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL}
#define BOOL(name, def, help) {name, SCEN_BOOL, help, def, 0, 0, 0, 0, NULL, NULL, 0, NULL}

static const char *const switching_vals[] = {"cut_through", "store_forward", NULL};

/* Defaults = net_opts_init's (models/net_pkt.c net_pkt_spec_defaults): the DCQCN paper's values for
 * ECN and DCQCN (scenarios/hardware/packet-roce-dcqcn.yaml cites them). */
const scen_key cli_packet_keys[] = {
  {"name", SCEN_STR, "display name of the preset", NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
  BYTES("mtu", "4KiB", 1, "payload bytes per packet on fabric paths (IB 4096; RoCE 4096 or 1024)"),
  BYTES("node_mtu", "4KiB", 1, "payload bytes per packet on paths inside a node (NVLink, PCIe)"),
  BYTES("buffer", "256KiB", 0, "input buffer per port and VL (IB) / priority (RoCE) fed by a fabric link: the credits "
        "of a credit link; >= mtu"),
  BYTES("node_buffer", "64KiB", 0, "input buffer per port and VL fed by an NVLink or PCIe link; >= node_mtu"),
  {"switching", SCEN_ENUM, "fabric switches: cut_through (forward once the head is in) or store_forward (once the "
   "tail is in)", "cut_through", 0, 0, 0, 0, switching_vals, NULL, 0, NULL},
  BYTES("window", "0B", 0, "bytes a QP may have unacknowledged (0: no window)"),
  BOOL("pfc", "true", "RoCE: priority flow control (PAUSE at pfc_xoff, RESUME at pfc_xon); false: none"),
  BYTES("pfc_xoff", "160KiB", 1, "RoCE: ingress bytes per port and priority that send PAUSE"),
  BYTES("pfc_xon", "128KiB", 0, "RoCE: ingress bytes that send RESUME; <= pfc_xoff"),
  BOOL("ecn", "false", "RoCE: RED-like ECN marking at egress queues"),
  BYTES("ecn_kmin", "5KB", 0, "ECN: no marks at or below this queue"),
  BYTES("ecn_kmax", "200KB", 0, "ECN: every packet marked above this queue"),
  {"ecn_pmax", SCEN_F64, "ECN: mark probability at ecn_kmax", "0.01", 0, SCEN_MIN | SCEN_MAX, 0, 1, NULL, NULL, 0,
   NULL},
  BOOL("dcqcn", "false", "RoCE: DCQCN rate control at the NICs (needs ecn)"),
  {"dcqcn_g", SCEN_F64, "DCQCN alpha gain g", "0.00390625", 0, SCEN_MIN_EXCL | SCEN_MAX, 0, 1, NULL, NULL, 0, NULL},
  {"dcqcn_alpha_init", SCEN_F64, "DCQCN alpha at a QP's first CNP", "1", 0, SCEN_MIN_EXCL | SCEN_MAX, 0, 1, NULL, NULL,
   0, NULL},
  TIME("dcqcn_alpha_period", "55us", "DCQCN alpha update period K (alpha decays without CNPs)"),
  TIME("dcqcn_rate_reduce_period", "50us", "DCQCN: at most one rate cut per period"),
  TIME("dcqcn_increase_period", "55us", "DCQCN rate increase timer T"),
  BYTES("dcqcn_increase_bytes", "10MB", 1, "DCQCN rate increase byte counter B"),
  {"dcqcn_fast_recovery", SCEN_INT, "DCQCN fast recovery steps F", "5", 0, SCEN_MIN | SCEN_MAX, 0, 1000, NULL, NULL,
   0, NULL},
  BW("dcqcn_ai", "40Mbps", "DCQCN additive increase step R_AI"),
  BW("dcqcn_hai", "100Mbps", "DCQCN hyper increase step R_HAI"),
  {"dcqcn_min_rate", SCEN_BW, "DCQCN floor of a QP's rate", "1Mbps", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  TIME("dcqcn_cnp_interval", "50us", "DCQCN notification point: at most one CNP per QP per interval"),
  END,
};

static uint64_t bytes_u64(const scen *s, const char *path) { return (uint64_t)llround(scen_bytes(s, path)); }

int cli_pkt_opts_from_scen(const scen *s, net_opts *o, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  if (!scen_has(s, "network.packet")) return 0;
  net_pkt_spec *p = &o->pkt;
  uint32_t mtu = (uint32_t)bytes_u64(s, "network.packet.mtu"), nmtu = (uint32_t)bytes_u64(s, "network.packet.node_mtu");
  uint64_t buf = bytes_u64(s, "network.packet.buffer"), nbuf = bytes_u64(s, "network.packet.node_buffer");
  p->mtu_bytes[TOPO_IB] = p->mtu_bytes[TOPO_ETH] = mtu;
  p->mtu_bytes[TOPO_NVLINK] = p->mtu_bytes[TOPO_PCIE] = nmtu;
  p->buffer_bytes[TOPO_IB] = p->buffer_bytes[TOPO_ETH] = buf;
  p->buffer_bytes[TOPO_NVLINK] = p->buffer_bytes[TOPO_PCIE] = nbuf;
  p->store_forward[TOPO_SWITCH] = strcmp(scen_str(s, "network.packet.switching"), "store_forward") == 0;
  p->window_bytes = bytes_u64(s, "network.packet.window");
  p->pfc = scen_bool(s, "network.packet.pfc");
  p->pfc_xoff_bytes = bytes_u64(s, "network.packet.pfc_xoff");
  p->pfc_xon_bytes = bytes_u64(s, "network.packet.pfc_xon");
  p->ecn = scen_bool(s, "network.packet.ecn");
  p->ecn_kmin_bytes = bytes_u64(s, "network.packet.ecn_kmin");
  p->ecn_kmax_bytes = bytes_u64(s, "network.packet.ecn_kmax");
  p->ecn_pmax = scen_f64(s, "network.packet.ecn_pmax");
  p->dcqcn = scen_bool(s, "network.packet.dcqcn");
  net_dcqcn_spec *d = &p->dcqcn_p;
  d->g = scen_f64(s, "network.packet.dcqcn_g");
  d->alpha_init = scen_f64(s, "network.packet.dcqcn_alpha_init");
  d->alpha_period_ps = scen_time_ps(s, "network.packet.dcqcn_alpha_period");
  d->rate_reduce_period_ps = scen_time_ps(s, "network.packet.dcqcn_rate_reduce_period");
  d->increase_period_ps = scen_time_ps(s, "network.packet.dcqcn_increase_period");
  d->increase_bytes = bytes_u64(s, "network.packet.dcqcn_increase_bytes");
  d->fast_recovery_steps = (int)scen_int(s, "network.packet.dcqcn_fast_recovery");
  d->ai_Bps = scen_bw_Bps(s, "network.packet.dcqcn_ai");
  d->hai_Bps = scen_bw_Bps(s, "network.packet.dcqcn_hai");
  d->min_Bps = scen_bw_Bps(s, "network.packet.dcqcn_min_rate");
  d->cnp_interval_ps = scen_time_ps(s, "network.packet.dcqcn_cnp_interval");
  return 0;
}
