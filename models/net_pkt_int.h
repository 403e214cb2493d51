/* net_pkt_int.h: internals shared by the two network models behind net.h (net.c: the flow model
 * and the dispatch; net_pkt.c: the packet model). Not a public header: only models/net*.c include it.
 *
 * net_new() builds the common part (options with their defaults, router, link classes) and, for
 * NET_MODEL_PACKET, net_pkt_new(); the public calls then go through the ops table of the chosen
 * model (STYLE 6: variants are ops tables). The packet model borrows route choice, message checks
 * and the latency formula from net.c through the net__ helpers below, so both models pick the same
 * routes and charge the same fixed latencies. */
#ifndef CLUSTERSIM_NET_PKT_INT_H
#define CLUSTERSIM_NET_PKT_INT_H

#include "net.h"

/* The public calls a model answers (net.h documents their meaning). */
typedef struct net_impl_ops {
  int (*send)(net_model *n, const net_msg *m, uint64_t *id);
  int (*send_route)(net_model *n, const net_msg *m, const topo_route *r, uint64_t *id);
  double (*msg_rate)(const net_model *n, uint64_t id);
  double (*arc_load)(const net_model *n, uint32_t arc);
  double (*arc_bytes)(const net_model *n, uint32_t arc);
  void (*get_stats)(const net_model *n, net_stats *out);
  int (*check_capacity)(const net_model *n, char *err, size_t errlen);
} net_impl_ops;

typedef struct net_pkt net_pkt;

extern const net_impl_ops net_pkt_ops;

/* The packet defaults of net_opts_init (net.h lists them). */
void net_pkt_spec_defaults(net_pkt_spec *s);
/* Builds the packet state of model n (whose common part net_new has set up); NULL with a message
 * naming the bad input (MTU above a buffer, XON above XOFF, zero credits, PFC headroom...). */
net_pkt *net_pkt_new(net_model *n, char *err, size_t errlen);
void net_pkt_free(net_pkt *p);   /* NULL: no-op */
int net_pkt_get_stats(const net_pkt *p, net_pkt_stats *out);
int net_pkt_get_arc(const net_pkt *p, uint32_t arc, net_pkt_arc *out);

/* From net.c. */
net_pkt *net__pkt(const net_model *n);
const net_opts *net__opts(const net_model *n);   /* with net_new's defaults filled in */
topo_class net__fabric_class(const net_model *n);
int net__check_msg(const net_msg *m);
uint64_t net__default_flow(uint32_t src, uint32_t dst);
/* The routing policy's routes for a message now (k > 1: spraying / adaptive candidates, least
 * loaded first by the flow model's rule), copied to out[0..ret). ret >= 1 or a negative code. */
int net__choose_routes(net_model *n, uint32_t src, uint32_t dst, uint64_t flow, int k, topo_route *out);

/* realloc that aborts with file:line on out of memory (net.c; n == 0 allocates 1 byte). */
void *net__xrealloc(void *p, size_t n);

#endif
