/* test_net_pkt.c: the packet-level network model (models/net_pkt.c) against hand-computed cases:
 * one packet's latency (serialisation + propagation + switch, cut-through and store-and-forward),
 * a pipelined message equal to the flow model, two flows sharing a bottleneck per packet, IB credits
 * under incast (no buffer ever over its size, no drop: invariant checked at every step), RoCE PFC
 * (PAUSE when the ingress crosses XOFF, the paused upstream queue growing at the line rate), DCQCN
 * converging two flows to a fair share, and the errors for bad inputs (MTU above the buffer, XON
 * above XOFF, zero credits). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net.h"

#define GB 1e9
#define REL_NEAR(a, b, tol)                                                                                      \
  do {                                                                                                           \
    double a_ = (double)(a), b_ = (double)(b);                                                                   \
    if (!(fabs(a_ - b_) <= (tol) * fabs(b_))) fail_msg("%s = %.9g, expected %s = %.9g within %g", #a, a_, #b, b_, \
                                                       (double)(tol));                                           \
  } while (0)

/* ---- hand-built graphs ---- */

/* A chain of switches s0 - s1 - ... with endpoints hanging off them; link latency lat_ps and
 * length len_m (electrical) on every link. */
typedef struct hand {
  topo_graph *g;
  uint32_t sw[8], nsw, nep;
  uint32_t trunk_link[8];   /* link s_i - s_i+1 */
  uint32_t ep_link[16];     /* link endpoint - its switch */
} hand;

static hand chain(topo_class cls, uint32_t nsw, const double *trunk_bw, uint32_t eps_per_sw, const double *ep_bw,
                  uint32_t lat_ps, float len_m) {
  hand h;
  memset(&h, 0, sizeof h);
  h.g = topo_graph_new(64, 64);
  h.nsw = nsw;
  for (uint32_t i = 0; i < nsw; i++) h.sw[i] = topo_add_node(h.g, TOPO_SWITCH, 1, 0, -1, (int)i, 0, 64);
  for (uint32_t i = 0; i + 1 < nsw; i++) {
    topo_link_spec s = {cls, trunk_bw[i], lat_ps};
    h.trunk_link[i] = topo_add_link(h.g, h.sw[i], h.sw[i + 1], &s);
  }
  for (uint32_t i = 0; i < nsw; i++)
    for (uint32_t k = 0; k < eps_per_sw; k++) {
      uint32_t v = topo_add_node(h.g, TOPO_ENDPOINT, 0, 0, -1, (int)i, 0, 0);
      topo_link_spec s = {cls, ep_bw[h.nep], lat_ps};
      h.ep_link[h.nep] = topo_add_link(h.g, v, h.sw[i], &s);
      topo_add_endpoint(h.g, v);
      h.nep++;
    }
  char err[256];
  assert_int_equal(topo_finalize(h.g, err, sizeof err), 0);
  for (uint32_t l = 0; l < h.g->n_links; l++) {
    h.g->length_m[l] = len_m;
    h.g->medium[l] = TOPO_ELECTRICAL;
  }
  return h;
}

/* The arc of link l leaving node v. */
static uint32_t arc_from(const topo_graph *g, uint32_t l, uint32_t v) { return g->link_a[l] == v ? 2 * l : 2 * l + 1; }

typedef struct rec {
  int n;
  sim_time_ps t[256];
  uint64_t tag[256];
} rec;

static void on_done(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  rec *r = ctx;
  assert_true(r->n < 256);
  r->t[r->n] = info->t_deliver;
  r->tag[r->n] = tag;
  r->n++;
}

static sim_time_ps t_of(const rec *r, uint64_t tag) {
  for (int i = 0; i < r->n; i++)
    if (r->tag[i] == tag) return r->t[i];
  fail_msg("message %llu not delivered", (unsigned long long)tag);
  return 0;
}

static void pkt_opts(net_opts *o) {
  net_opts_init(o);
  o->model = NET_MODEL_PACKET;
  o->check = 1;
}

static net_model *mk(sim_engine **e, const topo_graph *g, const net_opts *o) {
  *e = sim_engine_new(NULL);
  char err[512];
  net_model *n = net_new(*e, g, o, err, sizeof err);
  if (!n) fail_msg("net_new: %s", err);
  return n;
}

static uint64_t send(net_model *n, uint32_t s, uint32_t d, double bytes, uint8_t prio, rec *r, uint64_t tag) {
  net_msg m;
  memset(&m, 0, sizeof m);
  m.src = s;
  m.dst = d;
  m.bytes = bytes;
  m.prio = prio;
  m.done = on_done;
  m.ctx = r;
  m.tag = tag;
  uint64_t id = 0;
  assert_int_equal(net_send(n, &m, &id), 0);
  return id;
}

/* ---- one packet, exactly ---- */

/* ep0 - s0 - s1 - ep1, 50 GB/s IB links of 100 ns PHY/FEC and 2 m of copper (5 ns/m: 10 ns), switch
 * 337 ns, software 713 ns per end. One 4096 B packet at 50 GB/s serialises in 81.92 ns. Cut-through:
 *   2 x 713 + 3 x (100 + 10) + 2 x 337 + 81.92 = 2511.92 ns;
 * a 0 B message: 2430 ns; ten packets pipelined: 2430 + 10 x 81.92 ns (as the flow model: the
 * serialisation paid once, at the bottleneck). Store-and-forward switches add one serialisation per
 * switch: 2430 + 3 x 81.92 ns for one packet, 2430 + 12 x 81.92 for ten. A 25 GB/s middle link
 * (cut-through): the bottleneck's 163.84 ns, once. */
static void test_one_packet_latency(void **state) {
  (void)state;
  const sim_time_ps H = 713000, S = 337000, D = 100000 + 10000, SER = 81920;
  const sim_time_ps fixed = 2 * H + 3 * D + 2 * S;
  for (int variant = 0; variant < 3; variant++) {
    double tb[] = {variant == 2 ? 25 * GB : 50 * GB}, eb[] = {50 * GB, 50 * GB};
    hand h = chain(TOPO_IB, 2, tb, 1, eb, 100000, 2.0f);
    net_opts o;
    pkt_opts(&o);
    o.lat.host_ps[TOPO_IB] = H;
    o.lat.node_ps[TOPO_SWITCH] = S;
    o.lat.prop_ps_per_m[TOPO_ELECTRICAL] = 5000;
    if (variant == 1) o.pkt.store_forward[TOPO_SWITCH] = 1;
    sim_engine *e;
    net_model *n = mk(&e, h.g, &o);
    rec r = {0};
    send(n, 0, 1, 4096, 0, &r, 1);
    sim_run(e, SIM_TIME_MAX);
    send(n, 0, 1, 0, 0, &r, 2);
    sim_time_ps t2 = sim_now(e);
    sim_run(e, SIM_TIME_MAX);
    send(n, 0, 1, 10 * 4096, 0, &r, 3);
    sim_time_ps t3 = sim_now(e);
    sim_run(e, SIM_TIME_MAX);
    assert_int_equal(r.n, 3);
    if (variant == 0) {
      assert_int_equal(t_of(&r, 1), fixed + SER);
      assert_int_equal(t_of(&r, 2) - t2, fixed);
      assert_int_equal(t_of(&r, 3) - t3, fixed + 10 * SER);
    } else if (variant == 1) {
      assert_int_equal(t_of(&r, 1), fixed + 3 * SER);
      assert_int_equal(t_of(&r, 2) - t2, fixed);
      assert_int_equal(t_of(&r, 3) - t3, fixed + 12 * SER);
    } else {
      assert_int_equal(t_of(&r, 1), fixed + 2 * SER);
      assert_int_equal(t_of(&r, 3) - t3, fixed + 20 * SER);
    }
    net_pkt_stats st;
    assert_int_equal(net_get_pkt_stats(n, &st), 0);
    assert_int_equal(st.pkts_sent, 12);
    assert_int_equal(st.pkts_delivered, 12);
    assert_int_equal(st.transmissions, 36);   /* 3 arcs each */
    assert_int_equal(st.active_pkts, 0);
    net_free(n);
    sim_engine_free(e);
    topo_free(h.g);
  }
}

/* The same idle-path message on both models: equal to the picosecond but for the flow model's
 * rounding of its end event (at most 1 ps). */
static void test_idle_path_matches_flow(void **state) {
  (void)state;
  double tb[] = {50 * GB}, eb[] = {100 * GB, 100 * GB};
  hand h = chain(TOPO_IB, 2, tb, 1, eb, 100000, 0.0f);
  sim_time_ps t[2];
  for (int m = 0; m < 2; m++) {
    net_opts o;
    pkt_opts(&o);
    o.model = m ? NET_MODEL_PACKET : NET_MODEL_FLOW;
    o.lat.host_ps[TOPO_IB] = 1000000;
    o.lat.node_ps[TOPO_SWITCH] = 300000;
    sim_engine *e;
    net_model *n = mk(&e, h.g, &o);
    rec r = {0};
    send(n, 0, 1, 1 << 20, 0, &r, 1);   /* 256 packets */
    sim_run(e, SIM_TIME_MAX);
    t[m] = t_of(&r, 1);
    net_free(n);
    sim_engine_free(e);
  }
  /* bottleneck 50 GB/s: 1 MiB in 20971.52 ns; cut-through: the 100 GB/s first hop is hidden */
  sim_time_ps want = 2 * 1000000 + 3 * 100000 + 2 * 300000 + 20971520;
  assert_int_equal(t[1], want);
  assert_true(llabs((long long)t[0] - (long long)t[1]) <= 1);
  topo_free(h.g);
}

/* ---- two flows, one bottleneck ---- */

/* ep0, ep1 on s0 (100 GB/s each), a 50 GB/s trunk to s1, ep2, ep3 there. A: 10 MiB, B: 20 MiB.
 * Shared per packet: 25 GB/s each until A ends at 2 x 10 MiB / 50 GB/s = 419.43 us, then B alone:
 * its last 10 MiB at 50 GB/s, ending at 629.15 us (plus the fixed latency, 0.3 us here). Within 1%. */
static void test_two_flows_share(void **state) {
  (void)state;
  for (int fabric = 0; fabric < 2; fabric++) {
    double tb[] = {50 * GB}, eb[] = {100 * GB, 100 * GB, 100 * GB, 100 * GB};
    hand h = chain(fabric ? TOPO_ETH : TOPO_IB, 2, tb, 2, eb, 100000, 0.0f);
    net_opts o;
    pkt_opts(&o);
    sim_engine *e;
    net_model *n = mk(&e, h.g, &o);
    rec r = {0};
    const double MiB = 1048576.0;
    send(n, 0, 2, 10 * MiB, 0, &r, 1);
    send(n, 1, 3, 20 * MiB, 0, &r, 2);
    sim_run(e, SIM_TIME_MAX);
    REL_NEAR(t_of(&r, 1), 2 * 10 * MiB / (50 * GB) * 1e12, 0.01);
    REL_NEAR(t_of(&r, 2), 3 * 10 * MiB / (50 * GB) * 1e12, 0.01);
    /* the trunk carried both messages' bytes exactly */
    uint32_t trunk = arc_from(h.g, h.trunk_link[0], h.sw[0]);
    REL_NEAR(net_arc_bytes(n, trunk), 30 * MiB, 1e-12);
    net_pkt_stats st;
    net_get_pkt_stats(n, &st);
    assert_int_equal(st.overflows, 0);
    net_free(n);
    sim_engine_free(e);
    topo_free(h.g);
  }
}

/* ---- IB credits ---- */

/* 8 endpoints on s0 send 1 MiB each to one endpoint on s1 (incast over a 50 GB/s trunk), links of
 * 50 ns, no switch latency. Every 1 us: no credit count below zero, no buffer over its size
 * (net_check_capacity); at the end no overflow, every packet delivered.
 * With input buffers of 2 packets (8 KiB per VL) the credits limit the LAST link: the sink frees a
 * packet's space when its tail is in, and the credit is back at s1 d later, so a credit goes round
 * in ser + 2 d = 81.92 + 100 = 181.92 ns, and 2 packets per 181.92 ns is 45.03 GB/s: 8 MiB in
 * 186.29 us. With 4 packets (16 KiB) the loop no longer limits: the trunk's 50 GB/s, 167.77 us.
 * Within 1% (the fixed latency, 150 ns, is inside it). */
static void test_ib_credits_incast(void **state) {
  (void)state;
  double tb[] = {50 * GB}, eb[9];
  for (int i = 0; i < 9; i++) eb[i] = 50 * GB;
  topo_graph *g = topo_graph_new(32, 32);
  uint32_t s0 = topo_add_node(g, TOPO_SWITCH, 1, 0, -1, 0, 0, 64), s1 = topo_add_node(g, TOPO_SWITCH, 1, 0, -1, 1, 0, 64);
  topo_link_spec tl = {TOPO_IB, tb[0], 50000};
  uint32_t trunk_l = topo_add_link(g, s0, s1, &tl);
  for (int i = 0; i < 9; i++) {
    uint32_t v = topo_add_node(g, TOPO_ENDPOINT, 0, 0, -1, 0, 0, 0);
    topo_link_spec s = {TOPO_IB, eb[i], 50000};
    topo_add_link(g, v, i < 8 ? s0 : s1, &s);
    topo_add_endpoint(g, v);
  }
  char err[512];
  assert_int_equal(topo_finalize(g, err, sizeof err), 0);
  for (int big = 0; big < 2; big++) {
  const uint64_t buf = big ? 16384 : 8192;
  net_opts o;
  pkt_opts(&o);
  for (int c = 0; c < TOPO_CLASS_COUNT; c++) o.pkt.buffer_bytes[c] = buf;
  sim_engine *e;
  net_model *n = mk(&e, g, &o);
  rec r = {0};
  for (uint32_t i = 0; i < 8; i++) send(n, i, 8, 1048576, 0, &r, i + 1);
  uint64_t steps = 0;
  while (r.n < 8) {
    sim_run(e, sim_now(e) + SIM_PS_PER_US);
    if (net_check_capacity(n, err, sizeof err) != 0) fail_msg("credit invariant: %s", err);
    for (uint32_t a = 0; a < 2 * g->n_links; a++) {
      net_pkt_arc pa;
      assert_int_equal(net_get_pkt_arc(n, a, &pa), 0);
      assert_true(pa.credits >= 0 && pa.credits <= (int64_t)buf);
      assert_true(pa.occ_bytes <= buf);
    }
    assert_true(++steps < 100000);
  }
  net_pkt_stats st;
  net_get_pkt_stats(n, &st);
  assert_int_equal(st.overflows, 0);
  assert_true(st.max_occ_bytes <= buf);
  assert_true(st.credit_stalls > 0);   /* the incast did run out of credits */
  assert_int_equal(st.pkts_sent, 8 * 256);
  assert_int_equal(st.pkts_delivered, 8 * 256);
  sim_time_ps last = 0;
  for (int i = 0; i < 8; i++)
    if (r.t[i] > last) last = r.t[i];
  double rate = big ? 50 * GB : 8192.0 / (81920 + 100000) * 1e12;
  REL_NEAR(last, 8 * 1048576.0 / rate * 1e12, 0.01);
  REL_NEAR(net_arc_bytes(n, arc_from(g, trunk_l, s0)), 8 * 1048576.0, 1e-12);
  net_free(n);
  sim_engine_free(e);
  }
  topo_free(g);
}

/* ---- RoCE PFC ---- */

/* ep0 - s0 - s1 - ep1 on Ethernet, 50 GB/s, except s1 -> ep1 at 25 GB/s; no switch or software
 * latency, links 100 ns, no cable: d = 100 ns. ep0 sends 4 MiB. Packets (4096 B, 81.92 ns at 50 GB/s)
 * reach s1 one per 81.92 ns from t0 = 2 d = 200 ns (cut-through: heads) and leave one per 163.84 ns,
 * so s1's ingress from the trunk holds ceil(i/2) packets after arrival i: it reaches XOFF = 40
 * packets (160 KiB) at arrival 79 (t0 + 79 x 81.92 ns = 6671.68 ns) and sends PAUSE, which stops
 * s0's trunk port d later (6771.68 ns). From then s0's trunk queue grows at 50 GB/s (ep0 still
 * sends): 10 packets 10 x 81.92 ns later, +- 2 (the packet on the wire when the PAUSE lands, and
 * event order within a picosecond). s1 drains at 25 GB/s to XON = 32 packets (8 x 163.84 ns after
 * XOFF) and resumes: the pause lasts about 1.3 us, not more than 2 us. Over the whole transfer the goodput is ep1's 25 GB/s: 4 MiB in
 * 167.77 us (within 1%), no buffer overflows (the headroom holds), pauses > 0. */
static void test_pfc_pause(void **state) {
  (void)state;
  double tb[] = {50 * GB}, eb[] = {50 * GB, 25 * GB};
  hand h = chain(TOPO_ETH, 2, tb, 1, eb, 100000, 0.0f);
  net_opts o;
  pkt_opts(&o);
  assert_int_equal(o.pkt.pfc, 1);
  o.pkt.pfc_xoff_bytes = 160 * 1024;
  o.pkt.pfc_xon_bytes = 128 * 1024;
  o.pkt.buffer_bytes[TOPO_ETH] = 256 * 1024;
  sim_engine *e;
  net_model *n = mk(&e, h.g, &o);
  rec r = {0};
  send(n, 0, 1, 4 * 1048576, 0, &r, 1);
  uint32_t trunk = arc_from(h.g, h.trunk_link[0], h.sw[0]);
  const sim_time_ps SER = 81920, t_pause = 200000 + 79 * SER + 100000;
  sim_run(e, t_pause - 1000);
  net_pkt_arc pa;
  net_get_pkt_arc(n, trunk, &pa);
  assert_int_equal(pa.paused, 0);
  assert_true(pa.queue_bytes <= 4096);
  sim_run(e, t_pause + 10 * SER);
  net_get_pkt_arc(n, trunk, &pa);
  assert_int_equal(pa.paused & 1u, 1u);
  assert_int_equal(pa.pauses, 1);
  long long q_pkts = (long long)(pa.queue_bytes / 4096);
  if (llabs(q_pkts - 10) > 2) fail_msg("paused trunk queue %lld packets, expected 10 +- 2", q_pkts);
  sim_run(e, t_pause + 2 * SIM_PS_PER_US);
  net_get_pkt_arc(n, trunk, &pa);
  assert_int_equal(pa.paused, 0);
  assert_true(pa.pause_ps > 1200000 && pa.pause_ps < 2 * SIM_PS_PER_US);
  sim_run(e, SIM_TIME_MAX);
  REL_NEAR(t_of(&r, 1), 4 * 1048576.0 / (25 * GB) * 1e12, 0.01);
  net_pkt_stats st;
  net_get_pkt_stats(n, &st);
  assert_int_equal(st.overflows, 0);
  assert_true(st.pauses > 1 && st.resumes == st.pauses);
  assert_true(st.max_occ_bytes <= 256 * 1024);
  assert_true(st.pause_ps > 0);
  net_free(n);
  sim_engine_free(e);
  topo_free(h.g);
}

/* ---- DCQCN ---- */

/* Two RoCE senders on s0 share a 50 GB/s trunk to s1 (all links 50 GB/s, 100 ns), ECN (RED
 * thresholds 5 KB / 200 KB, 1%) and DCQCN with the defaults of net_opts_init (the DCQCN paper's).
 * A runs alone first: at its line rate, 50 GB/s, no marks (the trunk is as fast as the NIC). B then
 * starts at its line rate too; the trunk queue crosses Kmin, marked packets bring CNPs, both cut and
 * recover. Over the second half of 20 ms each gets the fair share, 25 GB/s, within 5%, and the trunk
 * stays busy (the two together within 5% of 50 GB/s). */
static void test_dcqcn_fair(void **state) {
  (void)state;
  double tb[] = {50 * GB}, eb[] = {50 * GB, 50 * GB, 50 * GB, 50 * GB};
  hand h = chain(TOPO_ETH, 2, tb, 2, eb, 100000, 0.0f);
  net_opts o;
  pkt_opts(&o);
  o.pkt.ecn = 1;
  o.pkt.dcqcn = 1;
  sim_engine *e;
  net_model *n = mk(&e, h.g, &o);
  rec r = {0};
  uint64_t a = send(n, 0, 2, 1e12, 0, &r, 1);
  sim_run(e, 100 * SIM_PS_PER_US);
  REL_NEAR(net_msg_rate(n, a), 50 * GB, 1e-12);
  net_pkt_stats st;
  net_get_pkt_stats(n, &st);
  assert_int_equal(st.ecn_marks, 0);
  uint64_t b = send(n, 1, 3, 1e12, 0, &r, 2);
  (void)b;
  uint32_t to_a = arc_from(h.g, h.ep_link[2], h.sw[1]), to_b = arc_from(h.g, h.ep_link[3], h.sw[1]);
  const sim_time_ps T = 20 * SIM_PS_PER_MS;
  sim_run(e, T / 2);
  double a0 = net_arc_bytes(n, to_a), b0 = net_arc_bytes(n, to_b);
  sim_run(e, T);
  double secs = (double)(T - T / 2) * 1e-12;
  double ra = (net_arc_bytes(n, to_a) - a0) / secs, rb = (net_arc_bytes(n, to_b) - b0) / secs;
  REL_NEAR(ra, 25 * GB, 0.05);
  REL_NEAR(rb, 25 * GB, 0.05);
  REL_NEAR(ra + rb, 50 * GB, 0.05);
  net_get_pkt_stats(n, &st);
  assert_true(st.ecn_marks > 0 && st.cnps > 0);
  net_free(n);
  sim_engine_free(e);
  topo_free(h.g);
}

/* ---- agreement with the flow model on bandwidth-bound cases ---- */

typedef struct job {
  uint32_t src, dst;
  double bytes;
} job;

/* Runs the jobs (all sent at t = 0) on the flow and on the packet model; every delivery time agrees
 * within tol. */
static void agree(const topo_graph *g, const job *jobs, int nj, double tol, const char *what) {
  sim_time_ps t[2][64];
  for (int m = 0; m < 2; m++) {
    net_opts o;
    pkt_opts(&o);
    o.model = m ? NET_MODEL_PACKET : NET_MODEL_FLOW;
    o.lat.node_ps[TOPO_SWITCH] = 300000;
    sim_engine *e;
    net_model *n = mk(&e, g, &o);
    rec r = {0};
    for (int j = 0; j < nj; j++) send(n, jobs[j].src, jobs[j].dst, jobs[j].bytes, 0, &r, (uint64_t)j);
    sim_run(e, SIM_TIME_MAX);
    assert_int_equal(r.n, nj);
    for (int j = 0; j < nj; j++) t[m][j] = t_of(&r, (uint64_t)j);
    net_free(n);
    sim_engine_free(e);
  }
  for (int j = 0; j < nj; j++)
    if (!(fabs((double)t[1][j] - (double)t[0][j]) <= tol * (double)t[0][j]))
      fail_msg("%s: message %d (%u -> %u): packet %.3f us, flow %.3f us (%+.2f%%, allowed %g%%)", what, j, jobs[j].src,
               jobs[j].dst, (double)t[1][j] * 1e-6, (double)t[0][j] * 1e-6,
               100 * ((double)t[1][j] / (double)t[0][j] - 1), 100 * tol);
}

/* One bottleneck (ep0 -> ep1 over a 50 GB/s trunk, 100 GB/s access) and the parking lot of
 * test_net.c: S0 - S1 - S2 - S3, trunks of C, 2C, C (C = 50 GB/s), a long flow S0 -> S3 and short
 * ones (max-min: C/3 on trunk 1, 5C/3 and 2C/3 for the short flows of trunks 2 and 3), 4 MiB each:
 * completion times within 5% of the flow model's (IB credits and RoCE PFC alike). */
static void test_agree_flow(void **state) {
  (void)state;
  const double C = 50 * GB;
  for (int fabric = 0; fabric < 2; fabric++) {
    topo_class cls = fabric ? TOPO_ETH : TOPO_IB;
    double tb1[] = {C}, eb1[] = {2 * C, 2 * C};
    hand one = chain(cls, 2, tb1, 1, eb1, 100000, 0.0f);
    job j1[] = {{0, 1, 8 * 1048576.0}};
    agree(one.g, j1, 1, 0.05, fabric ? "RoCE one bottleneck" : "IB one bottleneck");
    topo_free(one.g);
    double tb[] = {C, 2 * C, C}, eb[12];
    for (int i = 0; i < 12; i++) eb[i] = 2 * C;
    hand pl = chain(cls, 4, tb, 3, eb, 100000, 0.0f);   /* endpoints: sw0: 0,1,2  sw1: 3,4,5  sw2: 6,7,8  sw3: 9,10,11 */
    const double B = 4 * 1048576.0;
    job jp[] = {{0, 9, B}, {1, 3, B}, {2, 4, B}, {5, 6, B}, {7, 10, B}};
    agree(pl.g, jp, 5, 0.05, fabric ? "RoCE parking lot" : "IB parking lot");
    topo_free(pl.g);
  }
}

/* ---- bad input ---- */

static void expect_refused(const topo_graph *g, const net_opts *o, const char *needle) {
  sim_engine *e = sim_engine_new(NULL);
  char err[512] = "";
  net_model *n = net_new(e, g, o, err, sizeof err);
  if (n) fail_msg("net_new accepted a bad input (expected an error with '%s')", needle);
  if (!strstr(err, needle)) fail_msg("error '%s' does not name '%s'", err, needle);
  sim_engine_free(e);
}

static void test_bad_input(void **state) {
  (void)state;
  double tb[] = {50 * GB}, eb[] = {50 * GB, 50 * GB};
  hand ib = chain(TOPO_IB, 2, tb, 1, eb, 100000, 0.0f);
  hand eth = chain(TOPO_ETH, 2, tb, 1, eb, 100000, 0.0f);
  net_opts o;
  pkt_opts(&o);
  o.pkt.mtu_bytes[TOPO_IB] = 8192;
  o.pkt.buffer_bytes[TOPO_IB] = 4096;
  expect_refused(ib.g, &o, "mtu");
  pkt_opts(&o);
  o.pkt.buffer_bytes[TOPO_IB] = 0;
  expect_refused(ib.g, &o, "zero credits");
  pkt_opts(&o);
  o.pkt.pfc_xon_bytes = o.pkt.pfc_xoff_bytes + 1;
  expect_refused(eth.g, &o, "pfc_xon");
  pkt_opts(&o);
  o.pkt.pfc_xoff_bytes = o.pkt.buffer_bytes[TOPO_ETH] - 4096;   /* no headroom */
  expect_refused(eth.g, &o, "headroom");
  pkt_opts(&o);
  o.pkt.dcqcn = 1;   /* without ECN */
  expect_refused(eth.g, &o, "ecn");
  topo_free(ib.g);
  topo_free(eth.g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_one_packet_latency), cmocka_unit_test(test_idle_path_matches_flow),
    cmocka_unit_test(test_two_flows_share),    cmocka_unit_test(test_ib_credits_incast),
    cmocka_unit_test(test_pfc_pause),          cmocka_unit_test(test_dcqcn_fair),
    cmocka_unit_test(test_agree_flow),         cmocka_unit_test(test_bad_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
