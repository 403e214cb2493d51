/* test_net.c: the flow-level network model (models/net.c) against hand-computed cases: one
 * bottleneck, two flows sharing, the parking lot, different RTTs, strict priority, latency sums;
 * the capacity invariant and byte conservation under random traffic; incrementality (a change
 * re-solves only its component); and routing effects from the mechanism (ECMP collides where
 * D-mod-k and adaptive routing do not; with one spine all three are equal). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "net.h"

#define GB 1e9
#define REL_EQ(a, b, tol) assert_true(fabs((a) - (b)) <= (tol) * fabs(b) + 1e-300)

/* ---- a hand-built graph: switches in a chain, endpoints hanging off them ---- */
typedef struct hand {
  topo_graph *g;
  uint32_t sw[8];
  uint32_t ep[16];   /* endpoint ids (also their index) */
  uint32_t nsw, nep;
} hand;

static topo_link_spec lk(double bw, uint64_t lat_ps) {
  topo_link_spec s = {TOPO_IB, bw, lat_ps};
  return s;
}

/* chain of nsw switches with links of bw[i] between switch i and i+1; eps_per_sw endpoints per
 * switch on links of ep_bw. */
static hand chain(uint32_t nsw, const double *bw, uint32_t eps_per_sw, double ep_bw) {
  hand h;
  memset(&h, 0, sizeof h);
  h.g = topo_graph_new(64, 64);
  h.nsw = nsw;
  for (uint32_t i = 0; i < nsw; i++) h.sw[i] = topo_add_node(h.g, TOPO_SWITCH, 1, 0, -1, (int)i, 0, 64);
  for (uint32_t i = 0; i + 1 < nsw; i++) {
    topo_link_spec s = lk(bw[i], 0);
    topo_add_link(h.g, h.sw[i], h.sw[i + 1], &s);
  }
  for (uint32_t i = 0; i < nsw; i++)
    for (uint32_t k = 0; k < eps_per_sw; k++) {
      uint32_t v = topo_add_node(h.g, TOPO_ENDPOINT, 0, 0, -1, (int)i, 0, 0);
      topo_link_spec s = lk(ep_bw, 0);
      topo_add_link(h.g, v, h.sw[i], &s);
      h.ep[h.nep++] = topo_add_endpoint(h.g, v);
    }
  char err[256];
  assert_int_equal(topo_finalize(h.g, err, sizeof err), 0);
  return h;
}

typedef struct rec {
  int n;
  sim_time_ps t[64];
  uint64_t tag[64];
} rec;

static void on_done(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  (void)n;
  rec *r = ctx;
  r->t[r->n] = info->t_deliver;
  r->tag[r->n] = tag;
  r->n++;
}

static net_model *mk(sim_engine **e, const topo_graph *g, const net_opts *o) {
  *e = sim_engine_new(NULL);
  net_opts d;
  net_opts_init(&d);
  d.check = 1;
  char err[256];
  net_model *n = net_new(*e, g, o ? o : &d, err, sizeof err);
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

static sim_time_ps t_of(const rec *r, uint64_t tag) {
  for (int i = 0; i < r->n; i++)
    if (r->tag[i] == tag) return r->t[i];
  fail_msg("message %llu not delivered", (unsigned long long)tag);
  return 0;
}

/* One bottleneck: 1 MB over a 10 GB/s access link and a 1 GB/s trunk: 1 ms exactly. */
static void test_one_bottleneck(void **state) {
  (void)state;
  double bw[] = {1 * GB};
  hand h = chain(2, bw, 1, 10 * GB);
  sim_engine *e;
  net_model *n = mk(&e, h.g, NULL);
  rec r = {0};
  uint64_t id = send(n, h.ep[0], h.ep[1], 1e6, 0, &r, 1);
  sim_run(e, 1);   /* the solve at t = 0 */
  REL_EQ(net_msg_rate(n, id), 1 * GB, 1e-15);
  sim_run(e, SIM_TIME_MAX);
  assert_int_equal(r.n, 1);
  assert_int_equal(t_of(&r, 1), SIM_PS_PER_MS);
  net_free(n);
  sim_engine_free(e);
  topo_free(h.g);
}

/* Two flows share the trunk: 0.5 GB/s each; the 1 MB one ends at 2 ms, then the 2 MB one gets the
 * whole trunk for its last 1 MB: ends at 3 ms. */
static void test_two_share(void **state) {
  (void)state;
  double bw[] = {1 * GB};
  hand h = chain(2, bw, 2, 10 * GB);
  sim_engine *e;
  net_model *n = mk(&e, h.g, NULL);
  rec r = {0};
  uint64_t a = send(n, h.ep[0], h.ep[2], 1e6, 0, &r, 1);
  uint64_t b = send(n, h.ep[1], h.ep[3], 2e6, 0, &r, 2);
  sim_run(e, 1);
  REL_EQ(net_msg_rate(n, a), 0.5 * GB, 1e-15);
  REL_EQ(net_msg_rate(n, b), 0.5 * GB, 1e-15);
  sim_run(e, 2 * SIM_PS_PER_MS + 1);
  REL_EQ(net_msg_rate(n, b), 1 * GB, 1e-15);
  assert_true(net_msg_rate(n, a) < 0);   /* delivered */
  sim_run(e, SIM_TIME_MAX);
  assert_int_equal(t_of(&r, 1), 2 * SIM_PS_PER_MS);
  assert_int_equal(t_of(&r, 2), 3 * SIM_PS_PER_MS);
  char err[256];
  assert_int_equal(net_check_capacity(n, err, sizeof err), 0);
  net_free(n);
  sim_engine_free(e);
  topo_free(h.g);
}

/* Parking lot: S0 - S1 - S2 - S3, trunks of C, 2C, C. A long flow S0 -> S3; two short flows on the
 * first trunk, one on the second, one on the third. Max-min: trunk 1 is the bottleneck of the long
 * flow and its two short flows (C/3 each); trunk 2's short flow gets 2C - C/3 = 5C/3; trunk 3's
 * short flow C - C/3 = 2C/3. */
static void test_parking_lot(void **state) {
  (void)state;
  const double C = 1 * GB;
  double bw[] = {C, 2 * C, C};
  hand h = chain(4, bw, 3, 100 * GB);   /* endpoints: sw0: 0,1,2  sw1: 3,4,5  sw2: 6,7,8  sw3: 9,10,11 */
  sim_engine *e;
  net_model *n = mk(&e, h.g, NULL);
  rec r = {0};
  uint64_t lng = send(n, h.ep[0], h.ep[9], 1e9, 0, &r, 1);
  uint64_t s1a = send(n, h.ep[1], h.ep[3], 1e9, 0, &r, 2);
  uint64_t s1b = send(n, h.ep[2], h.ep[4], 1e9, 0, &r, 3);
  uint64_t s2 = send(n, h.ep[5], h.ep[6], 1e9, 0, &r, 4);
  uint64_t s3 = send(n, h.ep[7], h.ep[10], 1e9, 0, &r, 5);
  sim_run(e, 1);
  REL_EQ(net_msg_rate(n, lng), C / 3, 1e-12);
  REL_EQ(net_msg_rate(n, s1a), C / 3, 1e-12);
  REL_EQ(net_msg_rate(n, s1b), C / 3, 1e-12);
  REL_EQ(net_msg_rate(n, s2), 5 * C / 3, 1e-12);
  REL_EQ(net_msg_rate(n, s3), 2 * C / 3, 1e-12);
  /* saturated trunks carry exactly their bandwidth */
  for (uint32_t l = 0; l < 3; l++) REL_EQ(net_arc_load(n, 2 * l), bw[l], 1e-12);
  net_free(n);
  sim_engine_free(e);
  topo_free(h.g);
}

/* Two flows with different RTTs on one bottleneck. Max-min (RDMA-like, the default): equal rates,
 * equal transfer ends, deliveries apart by exactly the latency difference. rtt_fair: rates in
 * inverse proportion to latency (10 us vs 30 us: 3/4 and 1/4 of the trunk). */
static void test_different_rtt(void **state) {
  (void)state;
  const double C = 1 * GB;
  topo_graph *g = topo_graph_new(8, 8);
  uint32_t s0 = topo_add_node(g, TOPO_SWITCH, 1, 0, -1, 0, 0, 8);
  uint32_t s1 = topo_add_node(g, TOPO_SWITCH, 1, 0, -1, 1, 0, 8);
  topo_link_spec trunk = lk(C, 0);
  topo_add_link(g, s0, s1, &trunk);
  uint32_t v[4];
  /* flow a: ep0 -> ep2 over 5 + 5 us; flow b: ep1 -> ep3 over 15 + 15 us */
  uint64_t lat[4] = {5 * SIM_PS_PER_US, 15 * SIM_PS_PER_US, 5 * SIM_PS_PER_US, 15 * SIM_PS_PER_US};
  for (int i = 0; i < 4; i++) {
    v[i] = topo_add_node(g, TOPO_ENDPOINT, 0, 0, -1, i < 2 ? 0 : 1, 0, 0);
    topo_link_spec s = lk(100 * GB, lat[i]);
    topo_add_link(g, v[i], i < 2 ? s0 : s1, &s);
    topo_add_endpoint(g, v[i]);
  }
  char err[256];
  assert_int_equal(topo_finalize(g, err, sizeof err), 0);
  for (int rtt = 0; rtt < 2; rtt++) {
    net_opts o;
    net_opts_init(&o);
    o.check = 1;
    o.rtt_fair = rtt;
    sim_engine *e;
    net_model *n = mk(&e, g, &o);
    rec r = {0};
    uint64_t a = send(n, 0, 2, 1e6, 0, &r, 1);   /* 5 us + 5 us */
    uint64_t b = send(n, 1, 3, 1e6, 0, &r, 2);   /* 15 us + 15 us */
    sim_run(e, 1);
    if (!rtt) {
      REL_EQ(net_msg_rate(n, a), C / 2, 1e-15);
      REL_EQ(net_msg_rate(n, b), C / 2, 1e-15);
      sim_run(e, SIM_TIME_MAX);
      assert_int_equal(t_of(&r, 1), 2 * SIM_PS_PER_MS + 10 * SIM_PS_PER_US);
      assert_int_equal(t_of(&r, 2), 2 * SIM_PS_PER_MS + 30 * SIM_PS_PER_US);
    } else {
      REL_EQ(net_msg_rate(n, a), 0.75 * C, 1e-12);
      REL_EQ(net_msg_rate(n, b), 0.25 * C, 1e-12);
      sim_run(e, SIM_TIME_MAX);
      /* a: 1 MB at 0.75 GB/s = 4/3 ms; b: 1/3 MB done by then, 2/3 MB at 1 GB/s: ends at 2 ms */
      assert_true(llabs((long long)t_of(&r, 1) - (long long)(4 * SIM_PS_PER_MS / 3 + 10 * SIM_PS_PER_US)) <= 1);
      assert_true(llabs((long long)t_of(&r, 2) - (long long)(2 * SIM_PS_PER_MS + 30 * SIM_PS_PER_US)) <= 2);
    }
    net_free(n);
    sim_engine_free(e);
  }
  topo_free(g);
}

/* Strict priority: the level-0 flow takes the whole trunk; the level-1 flow waits, then runs. */
static void test_priority(void **state) {
  (void)state;
  double bw[] = {1 * GB};
  hand h = chain(2, bw, 2, 10 * GB);
  sim_engine *e;
  net_model *n = mk(&e, h.g, NULL);
  rec r = {0};
  uint64_t lo = send(n, h.ep[0], h.ep[2], 1e6, 1, &r, 1);
  uint64_t hi = send(n, h.ep[1], h.ep[3], 1e6, 0, &r, 2);
  sim_run(e, 1);
  REL_EQ(net_msg_rate(n, hi), 1 * GB, 1e-15);
  assert_true(net_msg_rate(n, lo) == 0.0);
  sim_run(e, SIM_TIME_MAX);
  assert_int_equal(t_of(&r, 2), 1 * SIM_PS_PER_MS);
  assert_int_equal(t_of(&r, 1), 2 * SIM_PS_PER_MS);
  net_free(n);
  sim_engine_free(e);
  topo_free(h.g);
}

/* Latency: host software at both ends, every link's latency, propagation by length, every node
 * passed through; a 0-byte message takes exactly the latency. */
static void test_latency_sum(void **state) {
  (void)state;
  double bw[] = {1 * GB, 1 * GB};
  hand h = chain(3, bw, 1, 10 * GB);   /* ep0 - s0 - s1 - s2 - ep2: 4 links, 3 switches */
  for (uint32_t l = 0; l < h.g->n_links; l++) {
    h.g->lat_ps[l] = 7000;
    h.g->length_m[l] = 10.0f;
    h.g->medium[l] = l % 2 ? TOPO_OPTICAL : TOPO_ELECTRICAL;
  }
  net_opts o;
  net_opts_init(&o);
  o.check = 1;
  o.lat.host_ps[TOPO_IB] = 900000;
  o.lat.node_ps[TOPO_SWITCH] = 130000;
  o.lat.prop_ps_per_m[TOPO_ELECTRICAL] = 4800;
  o.lat.prop_ps_per_m[TOPO_OPTICAL] = 5000;
  sim_engine *e;
  net_model *n = mk(&e, h.g, &o);
  topo_route rt;
  assert_int_equal(net_route(n, h.ep[0], h.ep[2], 0, &rt), 0);
  assert_int_equal(rt.n, 4);
  /* links: 0 = s0-s1 (electrical), 1 = s1-s2 (optical), 2 = ep0-s0 (electrical), 4 = ep2-s2 (electrical) */
  double prop = 0;
  for (uint32_t i = 0; i < rt.n; i++) prop += 10.0 * (h.g->medium[rt.arc[i] >> 1] ? 5000 : 4800);
  sim_time_ps want = 2 * 900000 + 4 * 7000 + 3 * 130000 + (sim_time_ps)prop;
  assert_int_equal(net_route_latency_ps(n, &rt), want);
  rec r = {0};
  send(n, h.ep[0], h.ep[2], 0, 0, &r, 1);
  send(n, h.ep[0], h.ep[2], 1e6, 0, &r, 2);
  sim_run(e, SIM_TIME_MAX);
  assert_int_equal(t_of(&r, 1), want);
  assert_int_equal(t_of(&r, 2), want + SIM_PS_PER_MS);
  /* doubling the switch latency adds exactly 3 x 130 ns */
  net_free(n);
  sim_engine_free(e);
  o.lat.node_ps[TOPO_SWITCH] *= 2;
  n = mk(&e, h.g, &o);
  assert_int_equal(net_route_latency_ps(n, &rt), want + 3 * 130000);
  net_free(n);
  sim_engine_free(e);
  topo_free(h.g);
}

/* Spraying: one message over two parallel paths of 1 and 3 GB/s. Pooled subflows take 1 + 3 GB/s
 * together: 4 MB in exactly 1 ms (an even split would take 2 ms: 2 MB at 1 GB/s). The same message
 * unsprayed (spray 1) takes the less loaded candidate... both are idle, so the tie goes to the
 * hash: 4 MB at 1 or 3 GB/s. */
static void test_spray_pool(void **state) {
  (void)state;
  topo_graph *g = topo_graph_new(8, 8);
  uint32_t s0 = topo_add_node(g, TOPO_SWITCH, 1, 0, -1, 0, 0, 8), s1 = topo_add_node(g, TOPO_SWITCH, 1, 0, -1, 1, 0, 8);
  uint32_t s2 = topo_add_node(g, TOPO_SWITCH, 2, 0, -1, -1, 0, 8), s3 = topo_add_node(g, TOPO_SWITCH, 2, 0, -1, -1, 0, 8);
  topo_link_spec slow = lk(1 * GB, 0), fast = lk(3 * GB, 0), ep = lk(100 * GB, 0);
  topo_add_link(g, s0, s2, &slow);
  topo_add_link(g, s2, s1, &slow);
  topo_add_link(g, s0, s3, &fast);
  topo_add_link(g, s3, s1, &fast);
  uint32_t a = topo_add_node(g, TOPO_ENDPOINT, 0, 0, -1, 0, 0, 0), b = topo_add_node(g, TOPO_ENDPOINT, 0, 0, -1, 1, 0, 0);
  topo_add_link(g, a, s0, &ep);
  topo_add_link(g, b, s1, &ep);
  topo_add_endpoint(g, a);
  topo_add_endpoint(g, b);
  char err[256];
  assert_int_equal(topo_finalize(g, err, sizeof err), 0);
  net_opts o;
  net_opts_init(&o);
  o.check = 1;
  o.routing = TOPO_ROUTING_ADAPTIVE;
  o.adaptive_paths = 2;
  o.spray = 2;
  sim_engine *e;
  net_model *n = mk(&e, g, &o);
  rec r = {0};
  uint64_t id = send(n, 0, 1, 4e6, 0, &r, 1);
  sim_run(e, 1);
  REL_EQ(net_msg_rate(n, id), 4 * GB, 1e-15);
  sim_run(e, SIM_TIME_MAX);
  assert_int_equal(t_of(&r, 1), SIM_PS_PER_MS);
  REL_EQ(net_arc_bytes(n, 0), 1e6, 1e-12);   /* s0 -> s2: a quarter of the bytes */
  REL_EQ(net_arc_bytes(n, 4), 3e6, 1e-12);   /* s0 -> s3: three quarters */
  net_free(n);
  sim_engine_free(e);
  o.spray = 1;
  n = mk(&e, g, &o);
  memset(&r, 0, sizeof r);
  id = send(n, 0, 1, 4e6, 0, &r, 1);
  sim_run(e, sim_now(e) + 1);
  double x = net_msg_rate(n, id);
  assert_true(x == 1 * GB || x == 3 * GB);
  net_free(n);
  sim_engine_free(e);
  topo_free(g);
}

/* ---- fat-tree cases (topology builders) ---- */
static topo_graph *ft2(int radix, int endpoints, int spines) {
  topo_spec sp;
  topo_spec_init(&sp);
  sp.family = TOPO_FT2;
  sp.radix = radix;
  sp.endpoints = endpoints;
  sp.spines = spines;
  sp.fabric.cls = TOPO_ETH;
  sp.fabric.bw_Bps = 50 * GB;
  topo_graph *g = NULL;
  char err[256];
  if (topo_build(&sp, &g, err, sizeof err) < 0) fail_msg("topo_build: %s", err);
  return g;
}

/* Random messages with random sizes and start times: the invariant holds after every solve
 * (o.check aborts otherwise), every message is delivered, and bytes are conserved: each arc carried
 * exactly the bytes of the messages routed over it. */
typedef struct rnd_ctx {
  net_model *n;
  rec r;
  double *expect;   /* per arc */
  uint64_t state;
  int left;
} rnd_ctx;

static uint64_t lcg(uint64_t *s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return *s >> 33;
}

static void rnd_send(sim_engine *e, void *ctx, uint64_t arg) {
  (void)e;
  (void)arg;
  rnd_ctx *c = ctx;
  const topo_graph *g = net_graph(c->n);
  uint32_t s = (uint32_t)(lcg(&c->state) % g->n_endpoints), d = (uint32_t)(lcg(&c->state) % g->n_endpoints);
  if (d == s) d = (d + 1) % g->n_endpoints;
  double bytes = (double)(1 + lcg(&c->state) % 1000000);
  net_msg m;
  memset(&m, 0, sizeof m);
  m.src = s;
  m.dst = d;
  m.bytes = bytes;
  m.prio = (uint8_t)(lcg(&c->state) % 2);
  m.weight = (double)(1 + lcg(&c->state) % 4);   /* unequal weights: shares rise and fall in one pop */
  m.flow = lcg(&c->state) + 1;
  topo_route rt;
  /* static routing: the route net_send takes is net_route's */
  assert_int_equal(net_route(c->n, s, d, m.flow, &rt), 0);
  for (uint32_t i = 0; i < rt.n; i++) c->expect[rt.arc[i]] += bytes;
  assert_int_equal(net_send(c->n, &m, NULL), 0);
  if (--c->left > 0) sim_schedule(net_engine(c->n), lcg(&c->state) % (20 * SIM_PS_PER_US), rnd_send, c, 0);
}

static void test_random_invariant(void **state) {
  (void)state;
  topo_graph *g = ft2(8, 32, 0);
  for (int how = 0; how < 2; how++) {
    net_opts o;
    net_opts_init(&o);
    o.check = 1;
    o.routing = how ? TOPO_ROUTING_ECMP : TOPO_ROUTING_STATIC;
    sim_engine *e;
    rnd_ctx c;
    memset(&c, 0, sizeof c);
    c.n = mk(&e, g, &o);
    c.expect = calloc(2 * g->n_links, sizeof(double));
    c.state = 12345 + (uint64_t)how;
    c.left = 400;
    sim_schedule(e, 0, rnd_send, &c, 0);
    sim_run(e, SIM_TIME_MAX);
    net_stats st;
    net_get_stats(c.n, &st);
    assert_int_equal(st.msgs_sent, 400);
    assert_int_equal(st.msgs_delivered, 400);
    assert_int_equal(st.active_flows, 0);
    for (uint32_t a = 0; a < 2 * g->n_links; a++)
      if (fabs(net_arc_bytes(c.n, a) - c.expect[a]) > 1e-9 * c.expect[a])
        fail_msg("arc %u carried %.6f bytes, expected %.6f", a, net_arc_bytes(c.n, a), c.expect[a]);
    free(c.expect);
    net_free(c.n);
    sim_engine_free(e);
  }
  topo_free(g);
}

/* Incrementality: flows in two disjoint parts of the network; a new flow in one part re-solves only
 * that part's flows. */
static void test_incremental(void **state) {
  (void)state;
  topo_graph *g = ft2(8, 32, 0);   /* 8 leaves of 4 endpoints */
  sim_engine *e;
  net_model *n = mk(&e, g, NULL);
  rec r = {0};
  /* part A: leaf 0 only (endpoints 0..3), three flows into endpoint 3; part B: the same on leaf 1 */
  for (uint32_t i = 0; i < 3; i++) send(n, i, 3, 1e9, 0, &r, i);
  for (uint32_t i = 4; i < 7; i++) send(n, i, 7, 1e9, 0, &r, i);
  sim_run(e, 1);
  net_stats s0, s1;
  net_get_stats(n, &s0);
  sim_run(e, SIM_PS_PER_US);
  send(n, 4, 5, 1e9, 0, &r, 99);   /* shares endpoint 4's uplink with 4 -> 7: joins part B */
  sim_run(e, SIM_PS_PER_US + 1);
  net_get_stats(n, &s1);
  assert_int_equal(s1.solves, s0.solves + 1);
  assert_int_equal(s1.solve_flows - s0.solve_flows, 4);   /* part B's three flows and the new one */
  net_free(n);
  sim_engine_free(e);
  topo_free(g);
}

/* Routing effects: 16 endpoints on 4 leaves (radix 8: 4 down, 4 up), a shift permutation from each
 * leaf to the next. D-mod-k: no two flows share an uplink or downlink: every flow at the NIC rate.
 * ECMP: hashed uplinks collide (for this seed and set of flow ids): some flow below it. Adaptive: the
 * least loaded path at send time: all at the NIC rate. One spine: every route is the same single
 * path per pair and all three policies give identical rates. */
static double min_rate_perm(topo_graph *g, uint32_t L, topo_routing how, double *sum) {
  net_opts o;
  net_opts_init(&o);
  o.check = 1;
  o.routing = how;
  sim_engine *e;
  net_model *n = mk(&e, g, &o);
  rec r = {0};
  uint64_t ids[64];
  uint32_t N = g->n_endpoints;
  for (uint32_t i = 0; i < N; i++) {
    net_msg m;
    memset(&m, 0, sizeof m);
    m.src = i;
    m.dst = (i + L) % N;
    m.bytes = 1e9;
    m.flow = 1000 + i;
    m.done = on_done;
    m.ctx = &r;
    assert_int_equal(net_send(n, &m, &ids[i]), 0);
  }
  sim_run(e, 1);
  double mn = 1e300;
  *sum = 0;
  for (uint32_t i = 0; i < N; i++) {
    double x = net_msg_rate(n, ids[i]);
    if (x < mn) mn = x;
    *sum += x;
  }
  net_free(n);
  sim_engine_free(e);
  return mn;
}

static void test_routing_effects(void **state) {
  (void)state;
  topo_graph *g = ft2(8, 16, 0);
  double s_static, s_ecmp, s_adapt;
  double m_static = min_rate_perm(g, 4, TOPO_ROUTING_STATIC, &s_static);
  double m_ecmp = min_rate_perm(g, 4, TOPO_ROUTING_ECMP, &s_ecmp);
  double m_adapt = min_rate_perm(g, 4, TOPO_ROUTING_ADAPTIVE, &s_adapt);
  REL_EQ(m_static, 50 * GB, 1e-12);
  REL_EQ(m_adapt, 50 * GB, 1e-12);
  assert_true(m_ecmp <= 0.5 * 50 * GB * (1 + 1e-12));   /* at least one collision halves a flow */
  assert_true(s_ecmp < s_static);
  topo_free(g);

  /* the cause removed: one path per pair (4 leaves of 2 endpoints, one uplink each to one spine):
   * the leaf's two flows share its uplink whatever the policy: 25 GB/s each, identical. */
  topo_graph *g1 = topo_graph_new(16, 16);
  uint32_t spine = topo_add_node(g1, TOPO_SWITCH, 2, 0, -1, -1, 0, 8);
  for (int l = 0; l < 4; l++) {
    uint32_t leaf = topo_add_node(g1, TOPO_SWITCH, 1, 0, -1, l, 0, 8);
    topo_link_spec up = {TOPO_ETH, 50 * GB, 0};
    topo_add_link(g1, leaf, spine, &up);
    for (int k = 0; k < 2; k++) {
      uint32_t v = topo_add_node(g1, TOPO_ENDPOINT, 0, 0, -1, l, 0, 0);
      topo_add_link(g1, v, leaf, &up);
      topo_add_endpoint(g1, v);
    }
  }
  char err[256];
  assert_int_equal(topo_finalize(g1, err, sizeof err), 0);
  double a, b, c;
  double x = min_rate_perm(g1, 2, TOPO_ROUTING_STATIC, &a);
  double y = min_rate_perm(g1, 2, TOPO_ROUTING_ECMP, &b);
  double z = min_rate_perm(g1, 2, TOPO_ROUTING_ADAPTIVE, &c);
  REL_EQ(x, 25 * GB, 1e-12);
  assert_true(x == y && y == z && a == b && b == c);
  topo_free(g1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_one_bottleneck), cmocka_unit_test(test_two_share),
    cmocka_unit_test(test_parking_lot),    cmocka_unit_test(test_different_rtt),
    cmocka_unit_test(test_priority),       cmocka_unit_test(test_latency_sum),
    cmocka_unit_test(test_random_invariant), cmocka_unit_test(test_incremental),
    cmocka_unit_test(test_routing_effects), cmocka_unit_test(test_spray_pool),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
