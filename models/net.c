/* net.c: STUB while the real flow-level model is written (lead). Do not edit. */
#include <stdlib.h>
#include <string.h>
#include "net.h"
struct net_model { sim_engine *e; const topo_graph *g; net_opts o; };
void net_opts_init(net_opts *o) { memset(o, 0, sizeof *o); }
net_model *net_new(sim_engine *e, const topo_graph *g, const net_opts *o, char *err, size_t errlen) {
  (void)err; (void)errlen; net_model *n = calloc(1, sizeof *n); n->e = e; n->g = g; n->o = *o; return n; }
void net_free(net_model *n) { free(n); }
int net_send(net_model *n, const net_msg *m, uint64_t *id) { (void)n; (void)m; (void)id; return NET_EINVAL; }
int net_send_route(net_model *n, const net_msg *m, const topo_route *r, uint64_t *id) { (void)n; (void)m; (void)r; (void)id; return NET_EINVAL; }
int net_route(net_model *n, uint32_t s, uint32_t d, uint64_t f, topo_route *o) { (void)n; (void)s; (void)d; (void)f; (void)o; return NET_ENOROUTE; }
sim_time_ps net_route_latency_ps(const net_model *n, const topo_route *r) { (void)n; (void)r; return 0; }
int net_host_route(const net_model *n, uint32_t g, int t, topo_route *o) { (void)n; (void)g; (void)t; (void)o; return NET_ENOROUTE; }
double net_msg_rate(const net_model *n, uint64_t id) { (void)n; (void)id; return -1; }
double net_arc_load(const net_model *n, uint32_t a) { (void)n; (void)a; return 0; }
double net_arc_bw(const net_model *n, uint32_t a) { (void)n; (void)a; return 0; }
double net_arc_bytes(const net_model *n, uint32_t a) { (void)n; (void)a; return 0; }
void net_get_stats(const net_model *n, net_stats *o) { (void)n; memset(o, 0, sizeof *o); }
int net_check_capacity(const net_model *n, char *err, size_t errlen) { (void)n; (void)err; (void)errlen; return 0; }
sim_engine *net_engine(const net_model *n) { return n->e; }
const topo_graph *net_graph(const net_model *n) { return n->g; }
