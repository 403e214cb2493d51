/* net_pkt.c: the packet-level network model behind net.h (DESIGN: network fidelity level 2).
 *
 * Objects. Every arc a (topo.h: a directed link u -> v) is the output PORT of u towards v and, at v,
 * the INPUT BUFFER that port feeds (one per virtual lane = priority level). A message becomes
 * ceil(bytes / MTU) packets (one zero-byte packet for a latency-only message); its QP (one per
 * message) sits in the injection list of its first arc. Packets, messages and ports live in arrays
 * that grow by doubling (amortised, never per packet in steady state); events come from the
 * engine's pool. No malloc per packet.
 *
 * Timing of one packet over arc a from node u (the formula the one-packet test checks):
 *   transmission starts at t_s when u's port is free and the packet may go (credits / not paused);
 *   it ends at t_e = max(t_s + bytes / bw_a, t_tail) where t_tail bounds a cut-through node: the
 *     packet's tail cannot leave before it has arrived (a store-and-forward node starts at t_tail);
 *   at the next node v (not the destination) the head is ready for its output port at
 *     (cut-through ? t_s : t_e) + d_a + S_v and the tail at t_e + d_a + S_v, where
 *     d_a = link latency (PHY, FEC) + cable length x propagation, S_v = node_ps[kind of v];
 *   at the destination the packet is received when its tail is: t_e + d_a.
 * So on an idle route of cut-through nodes one packet takes sum(d) + sum(S) + bytes / min(bw): the
 * flow model's latency minus the software, plus the serialisation at the bottleneck. The software
 * (host_ps of the path class) is charged per message as in the flow model: the QP starts H after
 * the send, the message is delivered H after its last packet's tail.
 *
 * Link-level flow control (by the class of the link):
 *   credits (IB, NVLink, PCIe): the sender keeps credit[a][vl] bytes, initially the buffer size; a
 *     packet needs credit >= its bytes; its space is freed when it starts leaving v (or at once at
 *     the destination) and the credit is back at u d_a later. Occupancy <= buffer is an invariant
 *     (checked, abort if broken): lossless by construction.
 *   PFC (Ethernet, pfc = 1): v counts ingress bytes per (arc, priority); crossing XOFF sends PAUSE,
 *     falling to XON sends RESUME, each reaching u d_a later; a paused priority starts no packet.
 *     The buffer must hold XOFF + headroom (net_pkt_new refuses less); overflows are counted.
 * Output ports serve priority levels strictly (0 first); inside a level, forwarded packets (FIFO)
 * and the node's own QPs (round robin) alternate. Credits are per VL, so a VL without credits does
 * not block the others.
 *
 * Congestion control (Ethernet): RED-like ECN marking at enqueue on the egress queue of the packet's
 * priority; the receiver NIC sends a CNP (at most one per QP per cnp_interval) that reaches the
 * sender after the route's fixed latency (CNPs and ACKs are not queued: they are small and ride the
 * high-priority class); DCQCN (net.h) at the sender sets the QP's rate, enforced as a gap between its
 * packets. DCQCN's timers run lazily: they are applied when the QP next sends or gets a CNP.
 *
 * Routing: the policy's route (STATIC / ECMP per connection, as the flow model) for every packet;
 * ADAPTIVE / UGAL: the message keeps the router's candidate routes and at every fabric switch each
 * packet takes the candidate continuing from that switch whose next arc has the shortest output
 * queue (ties keep the packet's current route); with spray = k > 1 packets go round robin over
 * the k candidates (oblivious spraying). Packets arriving after a later packet of their message are
 * counted (out-of-order placement: the message completes when all its packets are in).
 *
 * Window: a QP has at most window_bytes (rounded up to whole packets) unacknowledged; the ACK of a
 * packet reaches the sender the route's fixed latency after the packet's tail arrived.
 */
#include "net_pkt_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE32 UINT32_MAX
#define NP NET_PRIO_LEVELS

enum { FC_NONE = 0, FC_CREDIT, FC_PFC };
enum { QP_WAIT_START = 0, QP_READY, QP_WAIT_WINDOW, QP_WAIT_RATE, QP_DONE };

typedef struct ppkt {
  sim_time_ps t_tail;   /* when its tail is ready at the output of the node it is at */
  uint32_t msg, seq, bytes;
  uint32_t next;        /* queue link; free-list link */
  uint32_t in_arc;      /* arc it came in on (its input buffer); NONE32 at the source */
  uint8_t route, hop;   /* candidate route of its message; index of the next arc on it */
  uint8_t prio, ecn;
} ppkt;

typedef struct pport {
  sim_time_ps busy_until;       /* the port's current transmission ends */
  uint32_t qh[NP], qt[NP];      /* output queue per priority (packet ids) */
  uint64_t qbytes[NP], qtot, qmax;
  uint32_t rh[NP], rt[NP];      /* QPs of this node ready to inject here, per priority (message ids) */
  uint32_t nq, nready;
  int64_t credit[NP];           /* credit links: bytes the sender may still send per VL */
  uint64_t occ[NP], occ_tot, occ_max;   /* at the arc's head node: input-buffer bytes from this arc */
  sim_time_ps paused_since[NP];
  uint64_t pkts, bytes, pauses;
  sim_time_ps pause_ps;
  uint8_t paused, pause_sent;   /* PFC bits per priority: paused (sender side), PAUSE sent (receiver) */
  uint8_t wake, rr;
} pport;

typedef struct pmsg {
  double bytes_d;               /* as sent (for the callback) */
  uint64_t bytes, off;          /* bytes to packetise, bytes packetised */
  uint32_t n_pkts, sent, recv, hi_seq, inflight, window_pkts;
  uint32_t mtu;
  sim_time_ps t_send, lat_ps, ack_ps, host_ps;
  net_done_fn done;
  void *ctx;
  uint64_t tag;
  uint32_t src, dst, gen;
  uint32_t n_routes, port, next_ready, spray_rr;
  uint8_t prio, live, state, spray;
  /* DCQCN reaction point (bytes/s, picoseconds) */
  double line_Bps, rc, rt, alpha;
  sim_time_ps next_tx, t_cut, t_timer, t_alpha, t_cnp;
  uint64_t bsince;
  int iT, iB;
  uint8_t cut_any, cnp_any;
} pmsg;

struct net_pkt {
  net_model *n;
  sim_engine *e;
  const topo_graph *g;
  const net_opts *o;
  net_pkt_spec sp;
  topo_class fabric_cls;
  uint32_t n_arcs;
  int adaptive_pp;              /* per-packet adaptive choice in switches */
  int spray_k;                  /* oblivious spraying over k routes (0: off) */
  uint32_t rt_k;                /* candidate routes kept per message */

  pport *port;
  sim_time_ps *d_ps;            /* per arc: link latency + propagation */
  double *ps_per_byte;          /* per arc: 1e12 / bandwidth */
  uint64_t *buf;                /* per arc: input buffer per VL at its head node */
  uint8_t *fc;                  /* per arc: FC_* */

  ppkt *pk;
  uint32_t pk_n, pk_cap, pk_free;
  pmsg *m;
  topo_route *routes;           /* rt_k per message slot */
  uint32_t m_n, m_cap;
  uint32_t *m_free, m_free_n;
  uint64_t rng;

  net_stats fst;                /* the flow-style counters net_get_stats reports (messages, bytes) */
  net_pkt_stats st;
};

/* ---------- helpers ---------- */

static void update_bytes(net_pkt *p) {
  size_t b = sizeof *p + (size_t)p->n_arcs * (sizeof(pport) + sizeof(sim_time_ps) + sizeof(double) + sizeof(uint64_t) + 1);
  b += (size_t)p->pk_cap * sizeof(ppkt);
  b += (size_t)p->m_cap * (sizeof(pmsg) + sizeof(uint32_t) + p->rt_k * sizeof(topo_route));
  p->st.bytes = b;
  p->fst.bytes = b;
  if (b > p->fst.peak_bytes) p->fst.peak_bytes = b;
}

/* Picoseconds to put `bytes` on a link of ps_per_byte: rounded up (a packet never ends early), but
 * products within 1e-6 ps of an integer are that integer (4096 B at 50 GB/s is 81920 ps, not 81921
 * because of the binary representation of 1e12 / 50e9). */
static sim_time_ps ser_ps(double ps_per_byte, uint64_t bytes) {
  double x = (double)bytes * ps_per_byte;
  double r = nearbyint(x);
  if (fabs(x - r) <= 1e-6) return (sim_time_ps)r;
  return (sim_time_ps)ceil(x);
}

static double u01(net_pkt *p) {
  p->rng = sim_splitmix64(p->rng);
  return (double)(p->rng >> 11) * (1.0 / 9007199254740992.0);
}

void net_pkt_spec_defaults(net_pkt_spec *s) {
  memset(s, 0, sizeof *s);
  for (int c = 0; c < TOPO_CLASS_COUNT; c++) {
    s->mtu_bytes[c] = 4096;
    s->buffer_bytes[c] = c == TOPO_ETH || c == TOPO_IB ? 256u * 1024 : 64u * 1024;
  }
  s->pfc = 1;
  s->pfc_xoff_bytes = 160u * 1024;
  s->pfc_xon_bytes = 128u * 1024;
  s->ecn = 0;
  s->ecn_kmin_bytes = 5u * 1000;     /* DCQCN paper values (scenarios/hardware/roce-dcqcn.yaml cites them) */
  s->ecn_kmax_bytes = 200u * 1000;
  s->ecn_pmax = 0.01;
  s->dcqcn = 0;
  net_dcqcn_spec *d = &s->dcqcn_p;
  d->g = 1.0 / 256;
  d->alpha_init = 1.0;
  d->alpha_period_ps = 55 * SIM_PS_PER_US;
  d->rate_reduce_period_ps = 50 * SIM_PS_PER_US;
  d->increase_period_ps = 55 * SIM_PS_PER_US;
  d->increase_bytes = 10u * 1000 * 1000;
  d->fast_recovery_steps = 5;
  d->ai_Bps = 40e6 / 8;
  d->hai_Bps = 100e6 / 8;
  d->min_Bps = 1e6 / 8;
  d->cnp_interval_ps = 50 * SIM_PS_PER_US;
}

/* ---------- construction ---------- */

static int check_spec(const net_pkt *p, char *err, size_t errlen) {
  const net_pkt_spec *s = &p->sp;
  const topo_graph *g = p->g;
  int used[TOPO_CLASS_COUNT] = {0};
  for (uint32_t l = 0; l < g->n_links; l++) used[g->cls[l]] = 1;
  uint32_t mtu_max = 0;
  int mtu_cls = 0;
  for (int c = 0; c < TOPO_CLASS_COUNT; c++) {
    if (s->mtu_bytes[c] == 0) {
      snprintf(err, errlen, "net_new: packet model: network.packet.mtu of class %s is 0 bytes (allowed: 1 and more)",
               topo_class_name((topo_class)c));
      return -1;
    }
    if (used[c] && s->mtu_bytes[c] > mtu_max) {
      mtu_max = s->mtu_bytes[c];
      mtu_cls = c;
    }
  }
  for (int c = 0; c < TOPO_CLASS_COUNT; c++) {
    if (!used[c]) continue;
    if (s->buffer_bytes[c] == 0) {
      snprintf(err, errlen,
               "net_new: packet model: network.packet.buffer of class %s is 0 bytes: zero credits, no packet could "
               "ever be sent (allowed: at least network.packet.mtu, %u bytes)",
               topo_class_name((topo_class)c), mtu_max);
      return -1;
    }
    if (s->buffer_bytes[c] < mtu_max) {
      snprintf(err, errlen,
               "net_new: packet model: network.packet.mtu = %u bytes (class %s) is larger than network.packet.buffer "
               "(%s input buffer per port and VL) = %llu bytes: such a packet could never get the credits or buffer it "
               "needs (allowed: mtu <= buffer)",
               mtu_max, topo_class_name((topo_class)mtu_cls), topo_class_name((topo_class)c),
               (unsigned long long)s->buffer_bytes[c]);
      return -1;
    }
  }
  if (used[TOPO_ETH] && s->pfc) {
    if (s->pfc_xon_bytes > s->pfc_xoff_bytes) {
      snprintf(err, errlen,
               "net_new: packet model: network.packet.pfc_xon = %llu bytes is above network.packet.pfc_xoff = %llu "
               "bytes (allowed: pfc_xon <= pfc_xoff: a paused port must drain below XOFF before it resumes)",
               (unsigned long long)s->pfc_xon_bytes, (unsigned long long)s->pfc_xoff_bytes);
      return -1;
    }
    if (s->pfc_xoff_bytes == 0 || s->pfc_xoff_bytes >= s->buffer_bytes[TOPO_ETH]) {
      snprintf(err, errlen,
               "net_new: packet model: network.packet.pfc_xoff = %llu bytes (allowed: above 0 and below "
               "network.packet.buffer = %llu bytes)",
               (unsigned long long)s->pfc_xoff_bytes, (unsigned long long)s->buffer_bytes[TOPO_ETH]);
      return -1;
    }
    /* Headroom: after crossing XOFF the receiver still gets what is on the wire while the PAUSE
     * travels back (d x bw), what the sender puts out before it hears it (d x bw), the packet
     * being received and the one being sent (2 MTU). */
    for (uint32_t a = 0; a < p->n_arcs; a++) {
      if (p->fc[a] != FC_PFC) continue;
      double need = 2.0 * (double)p->d_ps[a] / p->ps_per_byte[a] + 2.0 * mtu_max;
      if ((double)(s->buffer_bytes[TOPO_ETH] - s->pfc_xoff_bytes) < need) {
        snprintf(err, errlen,
                 "net_new: packet model: PFC headroom too small on arc %u: network.packet.buffer %llu - pfc_xoff %llu "
                 "= %llu bytes, needs %.0f (2 x link delay %llu ps x %.4g B/s + 2 x mtu %u; allowed: a lower pfc_xoff "
                 "or a larger buffer)",
                 a, (unsigned long long)s->buffer_bytes[TOPO_ETH], (unsigned long long)s->pfc_xoff_bytes,
                 (unsigned long long)(s->buffer_bytes[TOPO_ETH] - s->pfc_xoff_bytes), need,
                 (unsigned long long)p->d_ps[a], 1e12 / p->ps_per_byte[a], mtu_max);
        return -1;
      }
    }
  }
  if (s->ecn && !(s->ecn_kmin_bytes <= s->ecn_kmax_bytes && s->ecn_pmax >= 0 && s->ecn_pmax <= 1)) {
    snprintf(err, errlen, "net_new: packet model: network.packet.ecn needs ecn_kmin <= ecn_kmax and 0 <= ecn_pmax <= 1 "
             "(kmin %llu, kmax %llu, pmax %g)",
             (unsigned long long)s->ecn_kmin_bytes, (unsigned long long)s->ecn_kmax_bytes, s->ecn_pmax);
    return -1;
  }
  if (s->dcqcn) {
    const net_dcqcn_spec *d = &s->dcqcn_p;
    if (!s->ecn) {
      snprintf(err, errlen, "net_new: packet model: network.packet.dcqcn needs ECN marking (network.packet.ecn: true)");
      return -1;
    }
    if (!(d->g > 0 && d->g <= 1) || !(d->alpha_init > 0 && d->alpha_init <= 1) || d->alpha_period_ps == 0 ||
        d->increase_period_ps == 0 || d->increase_bytes == 0 || d->fast_recovery_steps < 0 || !(d->ai_Bps >= 0) ||
        !(d->hai_Bps >= 0) || !(d->min_Bps > 0)) {
      snprintf(err, errlen,
               "net_new: packet model: network.packet.dcqcn parameters out of range (g %g and alpha_init %g in (0, 1]; alpha period "
               "%llu ps, increase period %llu ps, increase bytes %llu all > 0; F %d >= 0; ai %g, hai %g >= 0; min "
               "rate %g > 0 B/s)",
               d->g, d->alpha_init, (unsigned long long)d->alpha_period_ps, (unsigned long long)d->increase_period_ps,
               (unsigned long long)d->increase_bytes, d->fast_recovery_steps, d->ai_Bps, d->hai_Bps, d->min_Bps);
      return -1;
    }
  }
  return 0;
}

net_pkt *net_pkt_new(net_model *n, char *err, size_t errlen) {
  net_pkt *p = calloc(1, sizeof *p);
  if (!p) {
    snprintf(err, errlen, "net_new: out of memory");
    return NULL;
  }
  p->n = n;
  p->e = net_engine(n);
  p->g = net_graph(n);
  p->o = net__opts(n);
  p->sp = p->o->pkt;
  p->fabric_cls = net__fabric_class(n);
  const topo_graph *g = p->g;
  p->n_arcs = 2 * g->n_links;
  topo_routing how = p->o->routing;
  int adaptive = how == TOPO_ROUTING_ADAPTIVE || how == TOPO_ROUTING_UGAL;
  p->spray_k = adaptive && p->o->spray > 1 ? p->o->spray : 0;
  p->adaptive_pp = adaptive && !p->spray_k;
  p->rt_k = 1;
  if (p->spray_k) p->rt_k = (uint32_t)p->spray_k;
  if (p->adaptive_pp) {
    int k = p->o->adaptive_paths + (how == TOPO_ROUTING_UGAL ? p->o->ugal_nonminimal : 0);
    p->rt_k = (uint32_t)(k > TOPO_ROUTE_MAX ? TOPO_ROUTE_MAX : k);
  }
  size_t A = p->n_arcs ? p->n_arcs : 1;
  p->port = calloc(A, sizeof(pport));
  p->d_ps = calloc(A, sizeof(sim_time_ps));
  p->ps_per_byte = calloc(A, sizeof(double));
  p->buf = calloc(A, sizeof(uint64_t));
  p->fc = calloc(A, 1);
  if (!p->port || !p->d_ps || !p->ps_per_byte || !p->buf || !p->fc) {
    snprintf(err, errlen, "net_new: out of memory for %u arcs", p->n_arcs);
    net_pkt_free(p);
    return NULL;
  }
  const net_latency_spec *L = &p->o->lat;
  for (uint32_t a = 0; a < p->n_arcs; a++) {
    uint32_t l = a >> 1;
    topo_class c = (topo_class)g->cls[l];
    p->d_ps[a] = (sim_time_ps)llround((double)g->lat_ps[l] + (double)g->length_m[l] * L->prop_ps_per_m[g->medium[l]]);
    if (!(g->bw_Bps[l] > 0)) {
      net_pkt_free(p);
      snprintf(err, errlen, "net_new: packet model: link %u has bandwidth %g B/s (allowed: > 0)", l, g->bw_Bps[l]);
      return NULL;
    }
    p->ps_per_byte[a] = 1e12 / g->bw_Bps[l];
    p->buf[a] = p->sp.buffer_bytes[c];
    p->fc[a] = c == TOPO_ETH ? (p->sp.pfc ? FC_PFC : FC_NONE) : FC_CREDIT;
    pport *P = &p->port[a];
    for (int q = 0; q < NP; q++) {
      P->qh[q] = P->qt[q] = P->rh[q] = P->rt[q] = NONE32;
      P->credit[q] = (int64_t)p->buf[a];
    }
  }
  if (check_spec(p, err, errlen) < 0) {
    net_pkt_free(p);
    return NULL;
  }
  p->pk_free = NONE32;
  p->rng = sim_splitmix64(p->o->seed ^ UINT64_C(0x7061636b6574));   /* "packet" */
  update_bytes(p);
  return p;
}

void net_pkt_free(net_pkt *p) {
  if (!p) return;
  free(p->port);
  free(p->d_ps);
  free(p->ps_per_byte);
  free(p->buf);
  free(p->fc);
  free(p->pk);
  free(p->m);
  free(p->routes);
  free(p->m_free);
  free(p);
}

/* ---------- pools ---------- */

static uint32_t pkt_alloc(net_pkt *p) {
  uint32_t h = p->pk_free;
  if (h != NONE32) {
    p->pk_free = p->pk[h].next;
  } else {
    if (p->pk_n == p->pk_cap) {
      p->pk_cap = p->pk_cap ? 2 * p->pk_cap : 4096;
      p->pk = net__xrealloc(p->pk, (size_t)p->pk_cap * sizeof(ppkt));
      update_bytes(p);
    }
    h = p->pk_n++;
  }
  if (++p->st.active_pkts > p->st.peak_pkts) p->st.peak_pkts = p->st.active_pkts;
  return h;
}

static void pkt_release(net_pkt *p, uint32_t h) {
  p->pk[h].next = p->pk_free;
  p->pk_free = h;
  p->st.active_pkts--;
}

static uint32_t msg_alloc(net_pkt *p) {
  if (p->m_free_n) return p->m_free[--p->m_free_n];
  if (p->m_n == p->m_cap) {
    p->m_cap = p->m_cap ? 2 * p->m_cap : 1024;
    p->m = net__xrealloc(p->m, (size_t)p->m_cap * sizeof(pmsg));
    p->m_free = net__xrealloc(p->m_free, (size_t)p->m_cap * sizeof(uint32_t));
    p->routes = net__xrealloc(p->routes, (size_t)p->m_cap * p->rt_k * sizeof(topo_route));
    update_bytes(p);
  }
  p->m[p->m_n].gen = 0;
  return p->m_n++;
}

static inline topo_route *msg_route(net_pkt *p, uint32_t mi, uint32_t r) { return &p->routes[(size_t)mi * p->rt_k + r]; }
static inline uint64_t msg_ref(const net_pkt *p, uint32_t mi) { return ((uint64_t)p->m[mi].gen << 32) | mi; }
/* The message an event refers to, or NULL if that message is gone (its slot reused). */
static inline pmsg *msg_of(net_pkt *p, uint64_t ref) {
  uint32_t mi = (uint32_t)ref;
  pmsg *m = &p->m[mi];
  return m->live && m->gen == (uint32_t)(ref >> 32) ? m : NULL;
}

/* ---------- events ---------- */

static void ev_arrive(sim_engine *e, void *ctx, uint64_t arg);
static void ev_wake(sim_engine *e, void *ctx, uint64_t arg);
static void ev_credit(sim_engine *e, void *ctx, uint64_t arg);
static void ev_pfc(sim_engine *e, void *ctx, uint64_t arg);
static void ev_start(sim_engine *e, void *ctx, uint64_t arg);
static void ev_ack(sim_engine *e, void *ctx, uint64_t arg);
static void ev_cnp(sim_engine *e, void *ctx, uint64_t arg);
static void ev_rate(sim_engine *e, void *ctx, uint64_t arg);
static void ev_deliver(sim_engine *e, void *ctx, uint64_t arg);

static void try_send(net_pkt *p, uint32_t a);

static void arm_wake(net_pkt *p, uint32_t a, sim_time_ps t) {
  pport *P = &p->port[a];
  if (P->wake) return;
  P->wake = 1;
  sim_schedule_at(p->e, t, ev_wake, p, a);
}

static void ready_push(net_pkt *p, uint32_t mi) {
  pmsg *m = &p->m[mi];
  pport *P = &p->port[m->port];
  m->state = QP_READY;
  m->next_ready = NONE32;
  if (P->rt[m->prio] == NONE32)
    P->rh[m->prio] = mi;
  else
    p->m[P->rt[m->prio]].next_ready = mi;
  P->rt[m->prio] = mi;
  P->nready++;
}

static uint32_t ready_pop(net_pkt *p, pport *P, int q) {
  uint32_t mi = P->rh[q];
  P->rh[q] = p->m[mi].next_ready;
  if (P->rh[q] == NONE32) P->rt[q] = NONE32;
  P->nready--;
  return mi;
}

/* ---------- DCQCN reaction point ---------- */

static void dcqcn_increase(const net_dcqcn_spec *d, pmsg *m) {
  int F = d->fast_recovery_steps;
  int mx = m->iT > m->iB ? m->iT : m->iB, mn = m->iT < m->iB ? m->iT : m->iB;
  if (mx < F) {
    /* fast recovery: the target stays, the current rate halves the distance to it */
  } else if (mn < F) {
    m->rt += d->ai_Bps;                      /* additive increase */
  } else {
    m->rt += (double)(mn - F + 1) * d->hai_Bps;   /* hyper increase */
  }
  if (m->rt > m->line_Bps) m->rt = m->line_Bps;
  m->rc = 0.5 * (m->rt + m->rc);
  if (m->rc > m->line_Bps) m->rc = m->line_Bps;
}

/* Applies the increase timer's expiries up to now (lazily: DCQCN's timer fires whether or not the
 * QP sends; its effect only shows when it does). */
static void dcqcn_timer(const net_dcqcn_spec *d, pmsg *m, sim_time_ps now) {
  if (!m->cut_any) return;
  while (now - m->t_timer >= d->increase_period_ps) {
    m->t_timer += d->increase_period_ps;
    m->iT++;
    dcqcn_increase(d, m);
    if (m->rc >= m->line_Bps) {   /* back at line rate: further expiries change nothing */
      m->t_timer = now;
      break;
    }
  }
}

static void dcqcn_sent(const net_dcqcn_spec *d, pmsg *m, uint32_t bytes, sim_time_ps now) {
  dcqcn_timer(d, m, now);
  if (!m->cut_any) return;
  m->bsince += bytes;
  while (m->bsince >= d->increase_bytes) {
    m->bsince -= d->increase_bytes;
    m->iB++;
    dcqcn_increase(d, m);
  }
}

static void dcqcn_cnp(const net_dcqcn_spec *d, pmsg *m, sim_time_ps now) {
  dcqcn_timer(d, m, now);
  if (!m->cut_any) {
    m->alpha = d->alpha_init;
  } else {
    uint64_t k = (now - m->t_alpha) / d->alpha_period_ps;   /* periods without a CNP: alpha decays */
    if (k) m->alpha *= pow(1.0 - d->g, (double)k);
    m->alpha = (1.0 - d->g) * m->alpha + d->g;
  }
  m->t_alpha = now;
  if (m->cut_any && now - m->t_cut < d->rate_reduce_period_ps) return;
  m->rt = m->rc;
  m->rc *= 1.0 - 0.5 * m->alpha;
  if (m->rc < d->min_Bps) m->rc = d->min_Bps;
  m->t_cut = m->t_timer = now;
  m->iT = m->iB = 0;
  m->bsince = 0;
  m->cut_any = 1;
}

/* ---------- ports ---------- */

static void release_input(net_pkt *p, uint32_t a, uint8_t q, uint32_t bytes, sim_time_ps now) {
  pport *P = &p->port[a];
  P->occ[q] -= bytes;
  P->occ_tot -= bytes;
  if (p->fc[a] == FC_CREDIT) {
    sim_schedule_at(p->e, now + p->d_ps[a], ev_credit, p, (uint64_t)a << 34 | (uint64_t)q << 32 | bytes);
  } else if (p->fc[a] == FC_PFC && (P->pause_sent >> q & 1) && P->occ[q] <= p->sp.pfc_xon_bytes) {
    P->pause_sent &= (uint8_t)~(1u << q);
    p->st.resumes++;
    sim_schedule_at(p->e, now + p->d_ps[a], ev_pfc, p, (uint64_t)a << 3 | (uint64_t)q);
  }
}

/* Puts packet h on arc a now (the port is free and the packet may go). */
static void transmit(net_pkt *p, uint32_t a, uint32_t h, sim_time_ps now) {
  ppkt *k = &p->pk[h];
  pport *P = &p->port[a];
  sim_time_ps te = now + ser_ps(p->ps_per_byte[a], k->bytes);
  if (k->in_arc != NONE32 && k->t_tail > te) te = k->t_tail;   /* cut-through: not before the tail is in */
  P->busy_until = te;
  if (p->fc[a] == FC_CREDIT) P->credit[k->prio] -= k->bytes;
  P->pkts++;
  P->bytes += k->bytes;
  p->st.transmissions++;
  if (k->in_arc != NONE32) release_input(p, k->in_arc, k->prio, k->bytes, now);
  k->in_arc = a;
  k->hop++;
  const topo_route *r = msg_route(p, k->msg, k->route);
  if (k->hop == r->n) {
    sim_schedule_at(p->e, te + p->d_ps[a], ev_arrive, p, h);   /* the destination has the tail */
  } else {
    uint8_t kind = p->g->kind[topo_arc_to(p->g, a)];
    sim_time_ps S = p->o->lat.node_ps[kind];
    k->t_tail = te + p->d_ps[a] + S;
    sim_time_ps t_head = (p->sp.store_forward[kind] ? te : now) + p->d_ps[a] + S;
    sim_schedule_at(p->e, t_head, ev_arrive, p, h);
  }
  if (P->nq || P->nready) arm_wake(p, a, te);
}

static inline int may_send(net_pkt *p, uint32_t a, const pport *P, int q, uint32_t bytes) {
  if (p->fc[a] == FC_CREDIT && P->credit[q] < (int64_t)bytes) {
    p->st.credit_stalls++;
    return 0;
  }
  return 1;
}

static void qp_after_send(net_pkt *p, uint32_t mi, uint32_t bytes, sim_time_ps now, sim_time_ps t_free);

static void try_send(net_pkt *p, uint32_t a) {
  pport *P = &p->port[a];
  sim_time_ps now = sim_now(p->e);
  if (P->busy_until > now) {
    if (P->nq || P->nready) arm_wake(p, a, P->busy_until);
    return;
  }
  for (int q = 0; q < NP; q++) {
    if (P->paused >> q & 1) continue;
    for (int t = 0; t < 2; t++) {
      int inject = (P->rr ^ t) & 1;
      if (!inject) {
        uint32_t h = P->qh[q];
        if (h == NONE32 || !may_send(p, a, P, q, p->pk[h].bytes)) continue;
        P->qh[q] = p->pk[h].next;
        if (P->qh[q] == NONE32) P->qt[q] = NONE32;
        P->qbytes[q] -= p->pk[h].bytes;
        P->qtot -= p->pk[h].bytes;
        P->nq--;
        P->rr = 1;
        transmit(p, a, h, now);
        return;
      }
      uint32_t mi = P->rh[q];
      if (mi == NONE32) continue;
      pmsg *m = &p->m[mi];
      uint64_t left = m->bytes - m->off;
      uint32_t bytes = (uint32_t)(left < m->mtu ? left : m->mtu);
      if (!may_send(p, a, P, q, bytes)) continue;
      ready_pop(p, P, q);
      uint32_t h = pkt_alloc(p);
      m = &p->m[mi];
      ppkt *k = &p->pk[h];
      k->msg = mi;
      k->seq = m->sent;
      k->bytes = bytes;
      k->next = NONE32;
      k->in_arc = NONE32;
      k->t_tail = now;
      k->hop = 0;
      k->route = (uint8_t)(m->spray ? m->spray_rr++ % m->n_routes : 0);
      k->prio = m->prio;
      k->ecn = 0;
      m->off += bytes;
      p->st.pkts_sent++;
      P->rr = 0;
      transmit(p, a, h, now);
      qp_after_send(p, mi, bytes, now, P->busy_until);
      if (P->nready) arm_wake(p, a, P->busy_until);
      return;
    }
  }
}

static void qp_after_send(net_pkt *p, uint32_t mi, uint32_t bytes, sim_time_ps now, sim_time_ps t_free) {
  pmsg *m = &p->m[mi];
  m->sent++;
  m->inflight++;
  if (m->sent == m->n_pkts) {
    m->state = QP_DONE;
    return;
  }
  if (p->sp.dcqcn) {
    dcqcn_sent(&p->sp.dcqcn_p, m, bytes, now);
    m->next_tx = now + ser_ps(1e12 / m->rc, bytes);   /* the rate limiter: a gap of bytes / rc */
  }
  if (m->window_pkts && m->inflight >= m->window_pkts) {
    m->state = QP_WAIT_WINDOW;
    return;
  }
  if (p->sp.dcqcn) {
    if (m->next_tx > t_free) {
      m->state = QP_WAIT_RATE;
      sim_schedule_at(p->e, m->next_tx, ev_rate, p, msg_ref(p, mi));
      return;
    }
  }
  ready_push(p, mi);
}

/* A QP may be ready again (window opened or rate gap over). */
static void qp_wake(net_pkt *p, uint32_t mi, sim_time_ps now) {
  pmsg *m = &p->m[mi];
  if (m->window_pkts && m->inflight >= m->window_pkts) {
    m->state = QP_WAIT_WINDOW;
    return;
  }
  if (p->sp.dcqcn && m->next_tx > now) {
    m->state = QP_WAIT_RATE;
    sim_schedule_at(p->e, m->next_tx, ev_rate, p, msg_ref(p, mi));
    return;
  }
  ready_push(p, mi);
  try_send(p, m->port);
}

static void ev_wake(sim_engine *e, void *ctx, uint64_t arg) {
  (void)e;
  net_pkt *p = ctx;
  p->st.events++;
  p->port[arg].wake = 0;
  try_send(p, (uint32_t)arg);
}

static void ev_credit(sim_engine *e, void *ctx, uint64_t arg) {
  (void)e;
  net_pkt *p = ctx;
  p->st.events++;
  uint32_t a = (uint32_t)(arg >> 34), q = (uint32_t)(arg >> 32) & 3u, bytes = (uint32_t)arg;
  pport *P = &p->port[a];
  P->credit[q] += bytes;
  if (P->credit[q] > (int64_t)p->buf[a]) {
    fprintf(stderr, "%s:%d: credit invariant broken on arc %u VL %u: %lld credits, buffer %llu\n", __FILE__,
            __LINE__, a, q, (long long)P->credit[q], (unsigned long long)p->buf[a]);
    abort();
  }
  try_send(p, a);
}

static void ev_pfc(sim_engine *e, void *ctx, uint64_t arg) {
  net_pkt *p = ctx;
  p->st.events++;
  uint32_t a = (uint32_t)(arg >> 3), q = (uint32_t)arg & 3u;
  int on = (int)(arg >> 2) & 1;
  pport *P = &p->port[a];
  sim_time_ps now = sim_now(e);
  if (on) {
    if (!(P->paused >> q & 1)) {
      P->paused |= (uint8_t)(1u << q);
      P->paused_since[q] = now;
      P->pauses++;
    }
    return;
  }
  if (P->paused >> q & 1) {
    P->paused &= (uint8_t)~(1u << q);
    P->pause_ps += now - P->paused_since[q];
    p->st.pause_ps += now - P->paused_since[q];
  }
  try_send(p, a);
}

/* The next arc of packet k at node v (k->hop indexes it): its route's, or for per-packet adaptive
 * routing at a fabric switch the candidate with the shortest output queue from v. */
static uint32_t next_arc(net_pkt *p, ppkt *k, uint32_t v, sim_time_ps now) {
  const topo_route *r = msg_route(p, k->msg, k->route);
  uint32_t b = r->arc[k->hop];
  const pmsg *m = &p->m[k->msg];
  if (!p->adaptive_pp || m->n_routes < 2 || p->g->kind[v] != TOPO_SWITCH) return b;
  uint64_t best = p->port[b].qtot + (p->port[b].busy_until > now);
  uint32_t best_r = k->route;
  for (uint32_t i = 0; i < m->n_routes && best; i++) {
    const topo_route *c = msg_route(p, k->msg, i);
    if (c->n <= k->hop || c->arc[k->hop] == b || topo_arc_from(p->g, c->arc[k->hop]) != v) continue;
    uint32_t x = c->arc[k->hop];
    uint64_t d = p->port[x].qtot + (p->port[x].busy_until > now);
    if (d < best) {
      best = d;
      best_r = i;
    }
  }
  k->route = (uint8_t)best_r;
  return msg_route(p, k->msg, best_r)->arc[k->hop];
}

static void receive(net_pkt *p, ppkt *k, sim_time_ps now) {
  uint32_t mi = k->msg;
  pmsg *m = &p->m[mi];
  m->recv++;
  p->st.pkts_delivered++;
  if (k->seq + 1 < m->hi_seq)
    p->st.ooo++;
  else
    m->hi_seq = k->seq + 1;
  if (k->ecn && p->sp.dcqcn && (!m->cnp_any || now - m->t_cnp >= p->sp.dcqcn_p.cnp_interval_ps)) {
    m->cnp_any = 1;
    m->t_cnp = now;
    p->st.cnps++;
    sim_schedule_at(p->e, now + m->ack_ps, ev_cnp, p, msg_ref(p, mi));
  }
  if (m->window_pkts) sim_schedule_at(p->e, now + m->ack_ps, ev_ack, p, msg_ref(p, mi));
  if (m->recv == m->n_pkts) sim_schedule_at(p->e, now + m->host_ps, ev_deliver, p, mi);
}

static void ev_arrive(sim_engine *e, void *ctx, uint64_t arg) {
  net_pkt *p = ctx;
  p->st.events++;
  uint32_t h = (uint32_t)arg;
  ppkt *k = &p->pk[h];
  sim_time_ps now = sim_now(e);
  uint32_t a = k->in_arc;
  const topo_route *r = msg_route(p, k->msg, k->route);
  if (k->hop == r->n) {   /* at the destination: the sink frees the space at once */
    if (p->fc[a] == FC_CREDIT)
      sim_schedule_at(e, now + p->d_ps[a], ev_credit, p, (uint64_t)a << 34 | (uint64_t)k->prio << 32 | k->bytes);
    receive(p, k, now);
    pkt_release(p, h);
    return;
  }
  pport *I = &p->port[a];
  uint8_t q = k->prio;
  I->occ[q] += k->bytes;
  I->occ_tot += k->bytes;
  if (I->occ_tot > I->occ_max) I->occ_max = I->occ_tot;
  if (I->occ[q] > p->st.max_occ_bytes) p->st.max_occ_bytes = I->occ[q];
  if (I->occ[q] > p->buf[a]) {
    p->st.overflows++;
    if (p->fc[a] == FC_CREDIT) {
      fprintf(stderr, "%s:%d: buffer invariant broken on arc %u VL %u: %llu bytes held, buffer %llu\n", __FILE__,
              __LINE__, a, q, (unsigned long long)I->occ[q], (unsigned long long)p->buf[a]);
      abort();
    }
  }
  if (p->fc[a] == FC_PFC && I->occ[q] >= p->sp.pfc_xoff_bytes && !(I->pause_sent >> q & 1)) {
    I->pause_sent |= (uint8_t)(1u << q);
    p->st.pauses++;
    sim_schedule_at(e, now + p->d_ps[a], ev_pfc, p, (uint64_t)a << 3 | 4u | q);
  }
  uint32_t v = topo_arc_to(p->g, a);
  uint32_t b = next_arc(p, k, v, now);
  pport *O = &p->port[b];
  if (p->sp.ecn && p->g->cls[b >> 1] == TOPO_ETH) {
    uint64_t ql = O->qbytes[q];
    if (ql > p->sp.ecn_kmin_bytes) {
      double pr = ql >= p->sp.ecn_kmax_bytes
                      ? 1.0
                      : p->sp.ecn_pmax * (double)(ql - p->sp.ecn_kmin_bytes) /
                            (double)(p->sp.ecn_kmax_bytes - p->sp.ecn_kmin_bytes);
      if (u01(p) < pr && !k->ecn) {
        k->ecn = 1;
        p->st.ecn_marks++;
      }
    }
  }
  k->next = NONE32;
  if (O->qt[q] == NONE32)
    O->qh[q] = h;
  else
    p->pk[O->qt[q]].next = h;
  O->qt[q] = h;
  O->qbytes[q] += k->bytes;
  O->qtot += k->bytes;
  O->nq++;
  if (O->qtot > O->qmax) O->qmax = O->qtot;
  if (O->qbytes[q] > p->st.max_queue_bytes) p->st.max_queue_bytes = O->qbytes[q];
  try_send(p, b);
}

static void ev_start(sim_engine *e, void *ctx, uint64_t arg) {
  net_pkt *p = ctx;
  p->st.events++;
  pmsg *m = msg_of(p, arg);
  if (!m) return;
  qp_wake(p, (uint32_t)arg, sim_now(e));
}

static void ev_ack(sim_engine *e, void *ctx, uint64_t arg) {
  net_pkt *p = ctx;
  p->st.events++;
  pmsg *m = msg_of(p, arg);
  if (!m) return;
  m->inflight--;
  if (m->state == QP_WAIT_WINDOW) qp_wake(p, (uint32_t)arg, sim_now(e));
}

static void ev_cnp(sim_engine *e, void *ctx, uint64_t arg) {
  net_pkt *p = ctx;
  p->st.events++;
  pmsg *m = msg_of(p, arg);
  if (!m || m->state == QP_DONE) return;
  dcqcn_cnp(&p->sp.dcqcn_p, m, sim_now(e));
}

static void ev_rate(sim_engine *e, void *ctx, uint64_t arg) {
  net_pkt *p = ctx;
  p->st.events++;
  pmsg *m = msg_of(p, arg);
  if (!m || m->state != QP_WAIT_RATE) return;
  qp_wake(p, (uint32_t)arg, sim_now(e));
}

static void ev_deliver(sim_engine *e, void *ctx, uint64_t arg) {
  net_pkt *p = ctx;
  p->st.events++;
  uint32_t mi = (uint32_t)arg;
  pmsg *m = &p->m[mi];
  net_msg_info info = {msg_ref(p, mi), m->src, m->dst, m->bytes_d, m->prio, m->t_send, sim_now(e), m->lat_ps};
  net_done_fn done = m->done;
  void *dctx = m->ctx;
  uint64_t tag = m->tag;
  m->live = 0;
  m->gen++;
  p->m_free[p->m_free_n++] = mi;
  p->fst.msgs_delivered++;
  if (done) done(p->n, dctx, tag, &info);
}

/* ---------- sending ---------- */

/* Fixed latency of a route without the software: links (PHY, FEC, propagation) and nodes passed. */
static sim_time_ps route_fixed_ps(const net_pkt *p, const topo_route *r) {
  sim_time_ps t = 0;
  for (uint32_t i = 0; i < r->n; i++) {
    t += p->d_ps[r->arc[i]];
    if (i > 0) t += p->o->lat.node_ps[p->g->kind[topo_arc_from(p->g, r->arc[i])]];
  }
  return t;
}

static topo_class path_class(const net_pkt *p, const topo_route *r) {
  int fab = 0, nv = 0;
  for (uint32_t i = 0; i < r->n; i++) {
    uint8_t c = p->g->cls[r->arc[i] >> 1];
    if (c == TOPO_IB || c == TOPO_ETH) fab = 1;
    if (c == TOPO_NVLINK) nv = 1;
  }
  return fab ? p->fabric_cls : nv ? TOPO_NVLINK : TOPO_PCIE;
}

/* Starts message m on routes[0..k) (already copied into its slot). */
static uint32_t start_msg(net_pkt *p, uint32_t mi, const net_msg *m, uint32_t src, uint32_t dst, uint32_t k) {
  pmsg *x = &p->m[mi];
  const topo_route *r0 = msg_route(p, mi, 0);
  uint32_t gen = x->gen;
  memset(x, 0, sizeof *x);
  x->gen = gen;
  x->live = 1;
  x->bytes_d = m->bytes;
  x->bytes = (uint64_t)ceil(m->bytes);
  topo_class c = path_class(p, r0);
  x->mtu = p->sp.mtu_bytes[c];
  x->n_pkts = x->bytes ? (uint32_t)((x->bytes + x->mtu - 1) / x->mtu) : 1;
  x->window_pkts = p->sp.window_bytes ? (uint32_t)((p->sp.window_bytes + x->mtu - 1) / x->mtu) : 0;
  x->t_send = sim_now(p->e);
  x->lat_ps = net_route_latency_ps(p->n, r0);
  x->ack_ps = route_fixed_ps(p, r0);
  x->host_ps = p->o->lat.host_ps[c];
  x->done = m->done;
  x->ctx = m->ctx;
  x->tag = m->tag;
  x->src = src;
  x->dst = dst;
  x->n_routes = k;
  x->port = r0->arc[0];
  x->prio = m->prio;
  x->spray = p->spray_k && k > 1;
  x->state = QP_WAIT_START;
  /* DCQCN's line rate: the first fabric link's (the NIC port), else the first link's */
  x->line_Bps = p->g->bw_Bps[r0->arc[0] >> 1];
  for (uint32_t i = 0; i < r0->n; i++) {
    uint8_t cl = p->g->cls[r0->arc[i] >> 1];
    if (cl == TOPO_IB || cl == TOPO_ETH) {
      x->line_Bps = p->g->bw_Bps[r0->arc[i] >> 1];
      break;
    }
  }
  x->rc = x->rt = x->line_Bps;
  x->alpha = p->sp.dcqcn_p.alpha_init;
  p->fst.msgs_sent++;
  sim_schedule(p->e, x->host_ps, ev_start, p, msg_ref(p, mi));
  return mi;
}

static int pkt_send(net_model *n, const net_msg *m, uint64_t *id) {
  net_pkt *p = net__pkt(n);
  int rc = net__check_msg(m);
  if (rc < 0) return rc;
  const topo_graph *g = p->g;
  if (m->src >= g->n_endpoints || m->dst >= g->n_endpoints || m->src == m->dst) return NET_EINVAL;
  uint64_t flow = m->flow ? m->flow : net__default_flow(m->src, m->dst);
  topo_route cand[TOPO_ROUTE_MAX];
  int k = net__choose_routes(n, m->src, m->dst, flow, (int)p->rt_k, cand);
  if (k < 0) return k;
  /* every candidate must leave by the same first arc (the QP's port): true of GPU and endpoint sources */
  uint32_t kk = 0;
  for (int i = 0; i < k; i++)
    if (cand[i].arc[0] == cand[0].arc[0]) cand[kk++] = cand[i];
  uint32_t mi = msg_alloc(p);
  memcpy(msg_route(p, mi, 0), cand, kk * sizeof(topo_route));
  start_msg(p, mi, m, m->src, m->dst, kk);
  if (id) *id = msg_ref(p, mi);
  return 0;
}

static int pkt_send_route(net_model *n, const net_msg *m, const topo_route *r, uint64_t *id) {
  net_pkt *p = net__pkt(n);
  int rc = net__check_msg(m);
  if (rc < 0) return rc;
  if (!r || r->n == 0 || r->n > TOPO_ROUTE_MAX) return NET_EINVAL;
  const topo_graph *g = p->g;
  for (uint32_t i = 0; i < r->n; i++) {
    if (r->arc[i] >= p->n_arcs) return NET_EINVAL;
    if (i > 0 && topo_arc_from(g, r->arc[i]) != topo_arc_to(g, r->arc[i - 1])) return NET_EINVAL;
  }
  uint32_t mi = msg_alloc(p);
  *msg_route(p, mi, 0) = *r;
  start_msg(p, mi, m, UINT32_MAX, UINT32_MAX, 1);
  if (id) *id = msg_ref(p, mi);
  return 0;
}

/* ---------- queries ---------- */

/* A message's rate: its DCQCN rate while DCQCN is on, else its mean rate so far (bytes received /
 * time since its QP started); 0 before it starts; -1 once delivered or unknown. */
static double pkt_msg_rate(const net_model *n, uint64_t id) {
  const net_pkt *p = net__pkt(n);
  uint32_t mi = (uint32_t)id;
  if (mi >= p->m_n) return -1;
  const pmsg *m = &p->m[mi];
  if (!m->live || m->gen != (uint32_t)(id >> 32)) return -1;
  if (p->sp.dcqcn) return m->rc;
  sim_time_ps now = sim_now(p->e), t0 = m->t_send + m->host_ps;
  if (now <= t0 || m->recv == 0) return 0;
  double got = m->recv == m->n_pkts ? (double)m->bytes : (double)m->recv * m->mtu;
  return got / ((double)(now - t0) * 1e-12);
}

/* An arc's mean load since time 0 (bytes transmitted / now). */
static double pkt_arc_load(const net_model *n, uint32_t arc) {
  const net_pkt *p = net__pkt(n);
  sim_time_ps now = sim_now(p->e);
  if (arc >= p->n_arcs || now == 0) return 0;
  return (double)p->port[arc].bytes / ((double)now * 1e-12);
}

static double pkt_arc_bytes(const net_model *n, uint32_t arc) {
  const net_pkt *p = net__pkt(n);
  return arc < p->n_arcs ? (double)p->port[arc].bytes : 0;
}

static void pkt_get_stats(const net_model *n, net_stats *out) {
  const net_pkt *p = net__pkt(n);
  *out = p->fst;
  out->active_flows = p->st.active_pkts;
  out->peak_active_flows = p->st.peak_pkts;
}

/* The packet model's invariant: no input buffer fed by a credit link ever held more than its size
 * (checked at every arrival too), and no credit count is negative. */
static int pkt_check_capacity(const net_model *n, char *err, size_t errlen) {
  const net_pkt *p = net__pkt(n);
  for (uint32_t a = 0; a < p->n_arcs; a++) {
    const pport *P = &p->port[a];
    if (p->fc[a] != FC_CREDIT) continue;
    for (int q = 0; q < NP; q++)
      if (P->credit[q] < 0 || P->occ[q] > p->buf[a]) {
        snprintf(err, errlen, "arc %u VL %d: %lld credits, %llu bytes held, buffer %llu", a, q, (long long)P->credit[q],
                 (unsigned long long)P->occ[q], (unsigned long long)p->buf[a]);
        return -1;
      }
  }
  return 0;
}

int net_pkt_get_stats(const net_pkt *p, net_pkt_stats *out) {
  *out = p->st;
  return 0;
}

int net_pkt_get_arc(const net_pkt *p, uint32_t arc, net_pkt_arc *out) {
  if (arc >= p->n_arcs) return -1;
  const pport *P = &p->port[arc];
  memset(out, 0, sizeof *out);
  out->queue_bytes = P->qtot;
  out->max_queue_bytes = P->qmax;
  out->occ_bytes = P->occ_tot;
  out->max_occ_bytes = P->occ_max;
  out->credits = p->fc[arc] == FC_CREDIT ? P->credit[0] : 0;
  out->pkts = P->pkts;
  out->bytes = P->bytes;
  out->paused = P->paused;
  out->pauses = P->pauses;
  out->pause_ps = P->pause_ps;
  return 0;
}

const net_impl_ops net_pkt_ops = {pkt_send,      pkt_send_route, pkt_msg_rate,      pkt_arc_load,
                                  pkt_arc_bytes, pkt_get_stats,  pkt_check_capacity};
