/* test_coll.c: ring collectives on the flow-level network model (models/coll.c).
 *
 * Hand-computed cases: a ring whose every hop has the link to itself runs at busbw == link rate
 * (1e-9 relative, zero latency), for every op, channel count and slicing; with latency the time is
 * steps x (chunk / bw + route latency); a slow hop sets busbw to its rate exactly.
 * The mechanism behind paper Figure 8, on a radix-16 fat-tree with rings whose hops all cross the
 * spines: ECMP (hash per connection) well below static D-mod-k and adaptive, both at line rate;
 * removing the cause flips it: rings inside a leaf, or spine links faster than the NICs, make all
 * three equal. Halving the NIC rate halves busbw. Errors name the field. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "coll.h"

#define GB 1e9
#define REL_EQ(a, b, tol)                                                                                 \
  do {                                                                                                    \
    double a_ = (a), b_ = (b);                                                                            \
    if (!(fabs(a_ - b_) <= (tol) * fabs(b_))) fail_msg("%s = %.15g, expected %s = %.15g (rel. tol %g)", #a, a_, #b, \
                                                      b_, (double)(tol));                                 \
  } while (0)

static topo_graph *build(const topo_spec *sp) {
  topo_graph *g = NULL;
  char err[256];
  if (topo_build(sp, &g, err, sizeof err) < 0) fail_msg("topo_build: %s", err);
  return g;
}

/* FT2 of bare endpoints, fabric links of bw (B/s) and lat_ps. */
static topo_graph *ft2(int radix, int endpoints, int spines, double bw, uint64_t lat_ps) {
  topo_spec sp;
  topo_spec_init(&sp);
  sp.family = TOPO_FT2;
  sp.radix = radix;
  sp.endpoints = endpoints;
  sp.spines = spines;
  sp.fabric.cls = TOPO_ETH;
  sp.fabric.bw_Bps = bw;
  sp.fabric.lat_ps = lat_ps;
  return build(&sp);
}

static net_model *mk(sim_engine **e, const topo_graph *g, topo_routing how) {
  *e = sim_engine_new(NULL);
  net_opts o;
  net_opts_init(&o);
  o.routing = how;
  o.check = 1;
  o.adaptive_paths = TOPO_ROUTE_MAX;
  char err[256];
  net_model *n = net_new(*e, g, &o, err, sizeof err);
  if (!n) fail_msg("net_new: %s", err);
  return n;
}

static coll_spec ring_spec(coll_op op, uint32_t n, const uint32_t *ring, double bytes) {
  coll_spec s;
  coll_spec_init(&s);
  s.op = op;
  s.nranks = n;
  s.rings = ring;
  s.nrings = 1;
  s.bytes = bytes;
  return s;
}

static coll_result run1(net_model *n, const coll_spec *s) {
  coll_result r;
  char err[256];
  int rc = coll_run_once(n, s, &r, err, sizeof err);
  if (rc != 0) fail_msg("coll_run_once: %d: %s", rc, err);
  return r;
}

/* Four endpoints under one leaf, ring 0 1 2 3: each hop has its sender's uplink and its receiver's
 * downlink to itself, so every chunk moves at the link rate and busbw == bw exactly, for every op
 * (AllReduce: 2(n-1) steps, factor 2(n-1)/n), channel count, slicing and window. */
static void test_ring_exact(void **st) {
  (void)st;
  const double bw = 50 * GB, S = 1 << 30;
  topo_graph *g = ft2(8, 4, 0, bw, 0);
  uint32_t ring[4] = {0, 1, 2, 3};
  for (int op = 0; op < COLL_OP_COUNT; op++)
    for (uint32_t ch = 1; ch <= 3; ch++)
      for (int sl = 0; sl < 3; sl++) {
        sim_engine *e;
        net_model *n = mk(&e, g, TOPO_ROUTING_STATIC);
        coll_spec s = ring_spec((coll_op)op, 4, ring, S);
        s.channels = ch;
        s.slice_bytes = sl == 0 ? 0 : S / 4 / ch / (sl == 1 ? 5 : 64);
        s.window = sl == 2 ? 3 : 0;
        coll_result r = run1(n, &s);
        REL_EQ(r.busbw_Bps, bw, 1e-9);
        uint32_t steps = op == COLL_ALLREDUCE ? 6 : 3;
        uint64_t slices = sl == 0 ? 1 : (sl == 1 ? 5 : 64);
        assert_int_equal(r.msgs, (uint64_t)steps * ch * slices * 4);
        REL_EQ(r.bytes_sent, S / 4 * steps * 4, 1e-12);
        net_free(n);
        sim_engine_free(e);
      }
  topo_free(g);
}

/* With latency L per message (link latency on the two hops endpoint-leaf-endpoint) and no slicing,
 * t = (n-1) (chunk / bw + L) for AllGather (window 1: a connection's messages one after the other).
 * Slices with a window of all of them overlap their latencies and share the rate: the same time. */
static void test_ring_latency(void **st) {
  (void)st;
  const double bw = 50 * GB, S = 64e6;   /* chunk 16 MB: 320 us per step */
  const uint64_t lat = 1000000;          /* 1 us per link, 2 links per hop */
  topo_graph *g = ft2(8, 4, 0, bw, lat);
  uint32_t ring[4] = {0, 1, 2, 3};
  sim_engine *e;
  net_model *n = mk(&e, g, TOPO_ROUTING_STATIC);
  topo_route rt;
  assert_int_equal(net_route(n, 0, 1, 0, &rt), 0);
  sim_time_ps L = net_route_latency_ps(n, &rt);
  assert_true(L >= 2 * lat);
  coll_spec s = ring_spec(COLL_ALLGATHER, 4, ring, S);
  coll_result r = run1(n, &s);
  double want = 3.0 * (S / 4 / bw * 1e12 + (double)L);
  if (fabs((double)(r.t_end - r.t_start) - want) > 4.0)   /* ps rounding per step */
    fail_msg("t = %llu ps, expected %.1f", (unsigned long long)(r.t_end - r.t_start), want);
  s.slice_bytes = S / 4 / 8;
  s.window = 8;
  coll_result r8 = run1(n, &s);
  if (fabs((double)(r8.t_end - r8.t_start) - want) > 32.0)
    fail_msg("sliced, window 8: t = %llu ps, expected %.1f", (unsigned long long)(r8.t_end - r8.t_start), want);
  /* window 1: every slice pays L: 3 x 8 latencies, the transfer pipelined: 3 chunk/bw + 24 L at most */
  s.window = 1;
  coll_result r1 = run1(n, &s);
  assert_true((double)(r1.t_end - r1.t_start) <= 3.0 * S / 4 / bw * 1e12 + 24.0 * (double)L + 64.0);
  net_free(n);
  sim_engine_free(e);
  topo_free(g);
}

/* Two switches joined by a link of B/2, endpoints 0 1 on the first, 2 3 on the second, ring
 * 0 1 2 3: hops 1->2 and 3->0 cross the slow link (opposite directions), so every connection
 * carries n-1 = 3 chunks one after the other and the slowest takes 3 x 2c/B: busbw = B/2, the
 * bottleneck hop's rate, exactly. Rank 1 finishing early does not help: busbw is set by the
 * slowest hop. */
static void test_slow_hop_sets_busbw(void **st) {
  (void)st;
  const double B = 10 * GB, S = 4e6, c = S / 4;
  topo_graph *g = topo_graph_new(8, 8);
  uint32_t sw[2];
  for (int i = 0; i < 2; i++) sw[i] = topo_add_node(g, TOPO_SWITCH, 1, 0, -1, i, 0, 8);
  topo_link_spec slow = {TOPO_IB, B / 2, 0}, fast = {TOPO_IB, B, 0};
  topo_add_link(g, sw[0], sw[1], &slow);
  for (int i = 0; i < 4; i++) {
    uint32_t v = topo_add_node(g, TOPO_ENDPOINT, 0, 0, -1, i / 2, 0, 0);
    topo_add_link(g, v, sw[i / 2], &fast);
    topo_add_endpoint(g, v);
  }
  char err[256];
  assert_int_equal(topo_finalize(g, err, sizeof err), 0);
  uint32_t ring[4] = {0, 1, 2, 3};
  sim_engine *e;
  net_model *n = mk(&e, g, TOPO_ROUTING_STATIC);
  coll_spec s = ring_spec(COLL_ALLGATHER, 4, ring, S);
  coll_result r = run1(n, &s);
  REL_EQ((double)(r.t_end - r.t_start), 6 * c / B * 1e12, 1e-9);
  REL_EQ(r.busbw_Bps, B / 2, 1e-9);
  net_free(n);
  sim_engine_free(e);
  topo_free(g);
}

/* Radix-16 FT2, full: 16 leaves of 8 endpoints, 8 spines. Groups of 16 ranks, one per leaf:
 * group q = endpoints 8 l + q, l = 0..15 (spread: every hop leaf l -> l+1 crosses the spines), all
 * 8 groups at once: each leaf sends 8 x channels flows up its 8 uplinks. `packed` instead: group q
 * = the 8 endpoints of leaf q (16 groups of 8), nothing crosses. Returns the mean and min busbw. */
typedef struct group_res {
  double mean, min;
} group_res;

static void count_done(coll_run *c, void *ctx, const coll_result *r) {
  (void)c;
  (void)r;
  (*(int *)ctx)++;
}

static group_res run_groups(const topo_graph *g, topo_routing how, int packed, uint32_t channels, double S,
                            uint64_t salt) {
  sim_engine *e;
  net_model *n = mk(&e, g, how);
  enum { EPL = 8, LEAVES = 16 };
  uint32_t ngroups = packed ? LEAVES : EPL, nr = packed ? EPL : LEAVES;
  uint32_t rings[16][16];
  coll_run *runs[16];
  char err[256];
  int done = 0;
  for (uint32_t q = 0; q < ngroups; q++) {
    for (uint32_t k = 0; k < nr; k++) rings[q][k] = packed ? q * EPL + k : k * EPL + q;
    coll_spec s = ring_spec(COLL_ALLGATHER, nr, rings[q], S);
    s.channels = channels;
    s.flow_salt = salt * 1000 + q;
    runs[q] = coll_new(n, &s, err, sizeof err);
    if (!runs[q]) fail_msg("coll_new: %s", err);
  }
  for (uint32_t q = 0; q < ngroups; q++) assert_int_equal(coll_start(runs[q], count_done, &done), 0);
  sim_run(e, SIM_TIME_MAX);
  assert_int_equal(done, (int)ngroups);
  group_res gr = {0, INFINITY};
  for (uint32_t q = 0; q < ngroups; q++) {
    coll_result r;
    assert_int_equal(coll_result_get(runs[q], &r), 0);
    gr.mean += r.busbw_Bps / ngroups;
    if (r.busbw_Bps < gr.min) gr.min = r.busbw_Bps;
    coll_free(runs[q]);
  }
  char cerr[256];
  assert_int_equal(net_check_capacity(n, cerr, sizeof cerr), 0);
  net_free(n);
  sim_engine_free(e);
  return gr;
}

static void test_routing_order(void **st) {
  (void)st;
  const double bw = 50 * GB, S = 256e6;
  topo_graph *g = ft2(16, 0, 0, bw, 0);
  assert_int_equal(g->n_endpoints, 128);
  for (uint32_t ch = 1; ch <= 2; ch++) {
    group_res st_ = run_groups(g, TOPO_ROUTING_STATIC, 0, ch, S, 1);
    group_res ad = run_groups(g, TOPO_ROUTING_ADAPTIVE, 0, ch, S, 1);
    /* D-mod-k: the 8 flows a leaf sends go to 8 distinct destinations under one leaf: distinct
     * uplinks and downlinks, line rate exactly. Adaptive: least loaded spine at send time. */
    REL_EQ(st_.min, bw, 1e-9);
    REL_EQ(ad.min, bw, 1e-9);
    for (uint64_t salt = 1; salt <= 3; salt++) {
      group_res ec = run_groups(g, TOPO_ROUTING_ECMP, 0, ch, S, salt);
      /* 8 hashed flows (x channels) on 8 uplinks per leaf, 16 leaves: a leaf without a collision
       * has probability 8!/8^8 = 0.24%; colliding flows share a link. */
      if (!(ec.mean < 0.75 * bw)) fail_msg("ECMP mean busbw %.3f GB/s not below 0.75 x %.1f (channels %u)", ec.mean / GB,
                                          bw / GB, ch);
      if (!(ec.min < 0.6 * bw)) fail_msg("ECMP slowest group %.3f GB/s not below 0.6 x line", ec.min / GB);
    }
  }
  topo_free(g);
}

/* Removing the cause makes the three equal: (a) rings inside one leaf (packed: no hop crosses the
 * spines); (b) spine links 8x the NIC rate (hosts of one GPU whose NIC runs at bw / 8): a collision
 * of up to 8 flows still fits, so every ring runs at the NIC rate. */
static void test_flip_when_cause_removed(void **st) {
  (void)st;
  const double bw = 50 * GB, S = 256e6;
  topo_graph *g = ft2(16, 0, 0, bw, 0);
  for (int how = TOPO_ROUTING_STATIC; how <= TOPO_ROUTING_ADAPTIVE; how++) {
    group_res r = run_groups(g, (topo_routing)how, 1, 2, S, 7);
    REL_EQ(r.min, bw, 1e-9);
    REL_EQ(r.mean, bw, 1e-9);
  }
  topo_free(g);

  topo_spec sp;
  topo_spec_init(&sp);
  sp.family = TOPO_FT2;
  sp.radix = 16;
  sp.fabric.cls = TOPO_ETH;
  sp.fabric.bw_Bps = bw;
  sp.node.gpus = 1;
  sp.node.gpus_per_pcie_switch = 1;
  sp.node.nvlink_domain = 1;
  topo_link_spec fast = {TOPO_NVLINK, 400 * GB, 0}, pcie = {TOPO_PCIE, 64 * GB, 0}, nic = {TOPO_ETH, bw / 8, 0};
  sp.node.nvlink = fast;
  sp.node.pcie = pcie;
  sp.node.nic = nic;
  g = build(&sp);
  assert_int_equal(g->n_endpoints, 128);
  for (int how = TOPO_ROUTING_STATIC; how <= TOPO_ROUTING_ADAPTIVE; how++) {
    group_res r = run_groups(g, (topo_routing)how, 0, 1, S, 3);
    REL_EQ(r.min, bw / 8, 1e-9);
  }
  topo_free(g);
}

/* Halving the NIC rate halves busbw (hosts of one GPU; static and adaptive at the NIC rate). */
static void test_halve_nic(void **st) {
  (void)st;
  const double bw = 50 * GB, S = 256e6;
  double got[2];
  for (int h = 0; h < 2; h++) {
    topo_spec sp;
    topo_spec_init(&sp);
    sp.family = TOPO_FT2;
    sp.radix = 16;
    sp.fabric.cls = TOPO_ETH;
    sp.fabric.bw_Bps = bw;
    sp.node.gpus = 1;
    sp.node.gpus_per_pcie_switch = 1;
    sp.node.nvlink_domain = 1;
    topo_link_spec fast = {TOPO_NVLINK, 400 * GB, 0}, pcie = {TOPO_PCIE, 64 * GB, 0},
                   nic = {TOPO_ETH, h ? bw / 2 : bw, 0};
    sp.node.nvlink = fast;
    sp.node.pcie = pcie;
    sp.node.nic = nic;
    topo_graph *g = build(&sp);
    got[h] = run_groups(g, TOPO_ROUTING_STATIC, 0, 2, S, 5).min;
    REL_EQ(run_groups(g, TOPO_ROUTING_ADAPTIVE, 0, 2, S, 5).min, got[h], 1e-9);
    topo_free(g);
  }
  REL_EQ(got[0], bw, 1e-9);
  REL_EQ(got[1], got[0] / 2, 1e-9);
}

/* A collective started again gives the same time (connections persist: same flow ids); ECMP with
 * the same salt is reproducible, and reductions at rate R add (n-1) chunk / R per ReduceScatter
 * on the ring of test_ring_exact (every step's receipt is reduced before it is forwarded). */
static void test_restart_and_reduce(void **st) {
  (void)st;
  const double bw = 50 * GB, S = 64e6;
  topo_graph *g = ft2(8, 4, 0, bw, 0);
  uint32_t ring[4] = {3, 1, 0, 2};
  sim_engine *e;
  net_model *n = mk(&e, g, TOPO_ROUTING_ECMP);
  coll_spec s = ring_spec(COLL_REDUCESCATTER, 4, ring, S);
  s.channels = 2;
  char err[256];
  coll_run *c = coll_new(n, &s, err, sizeof err);
  assert_non_null(c);
  sim_time_ps t[2];
  for (int i = 0; i < 2; i++) {
    assert_int_equal(coll_start(c, NULL, NULL), 0);
    assert_int_equal(coll_start(c, NULL, NULL), COLL_EBUSY);
    assert_true(coll_running(c));
    sim_run(e, SIM_TIME_MAX);
    coll_result r;
    assert_int_equal(coll_result_get(c, &r), 0);
    t[i] = r.t_end - r.t_start;
  }
  assert_true(t[0] == t[1]);
  coll_free(c);
  s.reduce_Bps = 100 * GB;
  coll_result r = run1(n, &s);
  double chunk = S / 4 / 2;   /* per channel: each channel's slices reduce in parallel */
  REL_EQ((double)(r.t_end - r.t_start), (double)t[0] + 3 * chunk / (100 * GB) * 1e12, 1e-6);
  net_free(n);
  sim_engine_free(e);
  topo_free(g);
}

static void test_errors(void **st) {
  (void)st;
  topo_graph *g = ft2(8, 4, 0, 50 * GB, 0);
  sim_engine *e;
  net_model *n = mk(&e, g, TOPO_ROUTING_STATIC);
  char err[256];
  uint32_t ring[4] = {0, 1, 2, 3}, dup[4] = {0, 1, 1, 3}, out[4] = {0, 1, 2, 99}, two[8] = {0, 1, 2, 3, 0, 1, 2, 0};
  coll_spec s = ring_spec(COLL_ALLGATHER, 1, ring, 1e6);
  assert_null(coll_new(n, &s, err, sizeof err));
  assert_non_null(strstr(err, "nranks"));
  s = ring_spec(COLL_ALLGATHER, 4, dup, 1e6);
  assert_null(coll_new(n, &s, err, sizeof err));
  assert_non_null(strstr(err, "rings[0][2]"));
  s = ring_spec(COLL_ALLGATHER, 4, out, 1e6);
  assert_null(coll_new(n, &s, err, sizeof err));
  assert_non_null(strstr(err, "out of range"));
  s = ring_spec(COLL_ALLGATHER, 4, two, 1e6);
  s.nrings = 2;
  assert_null(coll_new(n, &s, err, sizeof err));
  assert_non_null(strstr(err, "rings[1][3]"));
  s = ring_spec(COLL_ALLGATHER, 4, ring, 1e6);
  s.channels = 0;
  assert_null(coll_new(n, &s, err, sizeof err));
  assert_non_null(strstr(err, "channels"));
  s.channels = 1;
  s.window = COLL_WINDOW_MAX + 1;
  assert_null(coll_new(n, &s, err, sizeof err));
  assert_non_null(strstr(err, "window"));
  s.window = 0;
  s.slice_bytes = 1;
  assert_null(coll_new(n, &s, err, sizeof err));
  assert_non_null(strstr(err, "slice_bytes"));
  s.slice_bytes = 0;
  s.bytes = -1;
  assert_null(coll_new(n, &s, err, sizeof err));
  assert_non_null(strstr(err, "bytes"));
  coll_op op;
  assert_int_equal(coll_op_parse("reducescatter", &op), 0);
  assert_int_equal(op, COLL_REDUCESCATTER);
  assert_int_equal(coll_op_parse("alltoall", &op), -1);
  REL_EQ(coll_busbw_factor(COLL_ALLGATHER, 8), 7.0 / 8, 1e-15);
  REL_EQ(coll_busbw_factor(COLL_ALLREDUCE, 8), 14.0 / 8, 1e-15);
  net_free(n);
  sim_engine_free(e);
  topo_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ring_exact),
    cmocka_unit_test(test_ring_latency),
    cmocka_unit_test(test_slow_hop_sets_busbw),
    cmocka_unit_test(test_routing_order),
    cmocka_unit_test(test_flip_when_cause_removed),
    cmocka_unit_test(test_halve_nic),
    cmocka_unit_test(test_restart_and_reduce),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
