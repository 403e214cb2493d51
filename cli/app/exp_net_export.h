/* exp_net_export.h: the exact platform of an all-to-all, written for an outside simulator (SimGrid:
 * tools/simgrid/, docs/simgrid-comparison.md). `clustersim bench net --export DIR` calls it.
 *
 * Two tab-separated text files in DIR (created if missing; existing files are replaced):
 *
 *   routes.tsv   one line per ordered endpoint pair (src != dst), src-major, dst ascending:
 *                  src  dst  lat_s  arc  arc ...
 *                lat_s is net_route_latency_ps() of the route in seconds, printed with 12 decimals
 *                (exact: the model's latencies are integer picoseconds); the arcs are those of
 *                net_route(n, src, dst, flow 0), source to destination (topo.h: arc 2l is link l
 *                from link_a to link_b, 2l+1 the reverse). Under ADAPTIVE/UGAL routing this is the
 *                route chosen on an idle network (no message in flight when the export runs).
 *   links.tsv    one line per arc that some route uses, ascending arc id:
 *                  arc  bw_Bps
 *                bw_Bps is net_arc_bw() (bytes/s, per direction), printed with 17 significant digits.
 *
 * Each file opens with a magic line and a version (STYLE 12), then a '#' column header:
 *   #clustersim-a2a-routes <TAB> 1 <TAB> endpoints=N <TAB> routes=N(N-1)
 *   #clustersim-a2a-links  <TAB> 1 <TAB> arcs=M <TAB> endpoints=N
 * Readers must refuse another magic or version.
 *
 * Cost: N(N-1) route queries (grouped by source; the router's distance cache holds every fabric
 * switch of the sizes we export) and about 40-70 bytes per route line: 1024 GPUs is 1,047,552 routes,
 * about 60 MB, written in 1 MiB stdio blocks. Memory: one bit per arc. Nothing is sent on the model.
 */
#ifndef CLUSTERSIM_EXP_NET_EXPORT_H
#define CLUSTERSIM_EXP_NET_EXPORT_H

#include <stddef.h>

#include "net.h"

#define CLI_A2A_EXPORT_VERSION 1

/* Writes DIR/routes.tsv and DIR/links.tsv for n's graph and routing. 0, or -1 with the failing path,
 * pair or system error in err[errlen] (files already written may be partial). */
int cli_net_export_a2a(net_model *n, const char *dir, char *err, size_t errlen);

#endif
