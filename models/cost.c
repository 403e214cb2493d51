/* cost.c: network cost from counts, cables and prices (see cost.h for the method and its sources).
 *
 * cost = switches x (switch_base + switch_port x radix)
 *      + sum over priced cables of (cable_usd[medium] + cable_usd_per_m[medium] x length)
 *      + NIC ports x nic_usd
 * The cable sum needs only each class's count and total length per medium (topo_cables), because
 * the price is linear in length: sum(a + b x len_i) = n a + b sum(len_i).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cost.h"

void cost_prices_init(cost_prices *p) { memset(p, 0, sizeof *p); }

static int bad(char *err, size_t errlen, const char *what, double v, const char *why) {
  if (err && errlen) snprintf(err, errlen, "cost: %s = %g: %s", what, v, why);
  return -1;
}

int cost_prices_check(const cost_prices *p, int radix, char *err, size_t errlen) {
  if (!isfinite(p->switch_base_usd)) return bad(err, errlen, "switch_base_usd", p->switch_base_usd, "not finite");
  if (!isfinite(p->switch_port_usd) || p->switch_port_usd < 0)
    return bad(err, errlen, "switch_port_usd", p->switch_port_usd, "must be >= 0");
  for (int m = 0; m < TOPO_MEDIUM_COUNT; m++) {
    char what[64];
    snprintf(what, sizeof what, "%s_cable_usd", topo_medium_name((topo_medium)m));
    if (!isfinite(p->cable_usd[m]) || p->cable_usd[m] < 0) return bad(err, errlen, what, p->cable_usd[m], "must be >= 0");
    snprintf(what, sizeof what, "%s_cable_usd_per_m", topo_medium_name((topo_medium)m));
    if (!isfinite(p->cable_usd_per_m[m]) || p->cable_usd_per_m[m] < 0)
      return bad(err, errlen, what, p->cable_usd_per_m[m], "must be >= 0");
  }
  if (!isfinite(p->nic_usd) || p->nic_usd < 0) return bad(err, errlen, "nic_usd", p->nic_usd, "must be >= 0");
  if (radix > 0) {
    double sw = p->switch_base_usd + p->switch_port_usd * (double)radix;
    if (sw < 0) {
      if (err && errlen)
        snprintf(err, errlen,
                 "cost: a %d-port switch would cost %g USD (switch_base_usd %g + switch_port_usd %g x %d): "
                 "must be >= 0",
                 radix, sw, p->switch_base_usd, p->switch_port_usd, radix);
      return -1;
    }
  }
  return 0;
}

uint64_t cost_nic_ports(const topo_counts *c) { return c->endpoint_links; }

int cost_network(const topo_counts *c, const topo_cables *cab, const cost_prices *p, cost_breakdown *out,
                 char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (cost_prices_check(p, c->switch_radix, err, errlen) < 0) return -1;
  out->switch_ports = c->switches * (uint64_t)(c->switch_radix > 0 ? c->switch_radix : 0);
  out->switches_usd = (double)c->switches * p->switch_base_usd + (double)out->switch_ports * p->switch_port_usd;
  int classes = p->price_endpoint_cables ? 2 : 1;
  for (int k = 0; k < classes; k++)
    for (int m = 0; m < TOPO_MEDIUM_COUNT; m++) {
      out->cables_usd[k][m] = (double)cab->n[k][m] * p->cable_usd[m] + cab->m[k][m] * p->cable_usd_per_m[m];
      out->cable_usd += out->cables_usd[k][m];
    }
  out->nic_ports = p->nic_usd > 0 ? cost_nic_ports(c) : 0;
  out->nics_usd = (double)out->nic_ports * p->nic_usd;
  out->total_usd = out->switches_usd + out->cable_usd + out->nics_usd;
  out->per_endpoint_usd = c->endpoints ? out->total_usd / (double)c->endpoints : 0.0;
  return 0;
}
