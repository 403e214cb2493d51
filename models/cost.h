/* cost.h: what a scale-out network costs, from its counts, its cables and a price list.
 *
 * Method (Besta & Hoefler, "Slim Fly", SC14, section on cost; the DeepSeek-V3 paper's Table 3 says
 * it follows it; Blach et al., NSDI'24 price a deployed Slim Fly the same way):
 *  - a switch (router) costs a linear function of its ports: switch_base_usd + switch_port_usd x radix,
 *    with radix the ports as bought (a 64-port switch costs the same whether 63 or 64 are cabled);
 *  - a cable costs a linear function of its length, with one function per medium (electrical copper,
 *    optical): cable_usd[m] + cable_usd_per_m[m] x length_m. Medium and length come from the physical
 *    layout (topo_layout_spec, topo_cables), never from the price list;
 *  - optional: a NIC price per endpoint NIC port;
 *  - the network is routers and router-router cables. Endpoint cables (switch <-> endpoint/NIC) are
 *    the same per endpoint for every topology, so comparisons in the SC14 manner leave them out;
 *    price_endpoint_cables = 1 adds them.
 * Only fabric switches and fabric cables count: NVSwitches, PCIe switches and the links inside a
 * host are the node's, not the network's.
 *
 * All money in US dollars (double); lengths in metres. Pure functions, no allocation.
 */
#ifndef CLUSTERSIM_COST_H
#define CLUSTERSIM_COST_H

#include <stddef.h>
#include <stdint.h>

#include "topo.h"

typedef struct cost_prices {
  double switch_base_usd;                     /* per switch whatever its ports (chassis, fans, CPU);
                                                 may be negative as a fitted intercept (SC14's is) */
  double switch_port_usd;                     /* per port as bought (the switch's radix) */
  double cable_usd[TOPO_MEDIUM_COUNT];        /* per cable: connectors, transceivers (>= 0) */
  double cable_usd_per_m[TOPO_MEDIUM_COUNT];  /* per metre of cable (>= 0) */
  double nic_usd;                             /* per endpoint NIC port (0: NICs not priced) */
  int price_endpoint_cables;                  /* 1: also price switch <-> endpoint/NIC cables */
} cost_prices;

/* Index of topo_cables' first dimension. */
enum { COST_SWITCH_CABLES = 0, COST_ENDPOINT_CABLES = 1 };

typedef struct cost_breakdown {
  uint64_t switch_ports;                      /* switches x radix: ports bought */
  uint64_t nic_ports;                         /* endpoint NIC ports priced */
  double switches_usd;
  double cables_usd[2][TOPO_MEDIUM_COUNT];    /* [COST_SWITCH_CABLES | COST_ENDPOINT_CABLES][medium];
                                                 endpoint cables 0 unless price_endpoint_cables */
  double cable_usd;                           /* sum of cables_usd */
  double nics_usd;
  double total_usd;                           /* switches + cables + NICs */
  double per_endpoint_usd;                    /* total / endpoints (0 when there are none) */
} cost_breakdown;

/* Fills *p with zeros (nothing priced). */
void cost_prices_init(cost_prices *p);

/* 0, or -1 with a message naming the price and its value: a negative or non-finite price, or a
 * switch whose price at `radix` ports is negative (radix 0: only the signs are checked). */
int cost_prices_check(const cost_prices *p, int radix, char *err, size_t errlen);

/* NIC ports priced: one per fabric cable at the endpoint side (c->endpoint_links), i.e. one per bare
 * endpoint or per scale-out NIC; storage NICs off the fabric are not counted. */
uint64_t cost_nic_ports(const topo_counts *c);

/* The network's cost. c->switches switches of c->switch_radix ports; cables as measured or as given
 * by a layout formula. 0, or -1 (message in err) when the prices fail cost_prices_check. */
int cost_network(const topo_counts *c, const topo_cables *cab, const cost_prices *p, cost_breakdown *out,
                 char *err, size_t errlen);

#endif
