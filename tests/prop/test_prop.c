/* test_prop.c: property tests over random small cases drawn from one seed (issue 17).
 *
 * The seed is $CS_PROP_SEED, else the clock; it is printed first, and every failure names the
 * case and repeats the seed, so `CS_PROP_SEED=N ./test_prop` replays a failing run exactly.
 * $CS_PROP_CASES scales the number of cases (default 600 topologies, 400 networks). $CS_PROP_PRIO=1
 * draws strict-priority levels 0..3 for a quarter of the messages (else all are level 0).
 *
 *   topology   every family, random small parameters: a spec the builder accepts gives a graph
 *              that respects every switch's radix, has the expected components, matches
 *              topo_count (endpoints, switches, links), keeps the CSR invariant, and whose memory
 *              is below topo_estimate_bytes (the estimate the size limit relies on is an upper
 *              bound); static routes between random endpoints are connected walks.
 *   network    random traffic (sizes, start times, priorities, routing policy, latencies) on
 *              random small fat-trees: every message is delivered; none before latency + bytes
 *              over its route's bottleneck; the capacity invariant holds at every delivery; bytes
 *              are conserved on every arc (what crossed it = the bytes of the messages routed
 *              over it); the delivery times are identical with every event-queue kind.
 * The -j 1 versus -j 2 property is prop_jobs.sh (it needs the program and the store). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net.h"
#include "sim.h"
#include "topo.h"

static uint64_t g_seed;
static int g_prio; /* $CS_PROP_PRIO=1: mixed strict-priority levels (test_prop_prio; see CMakeLists.txt) */
static int g_fail;
static uint64_t rs; /* the case's stream */

static uint64_t rnd(void) {
  rs += UINT64_C(0x9E3779B97F4A7C15);
  return sim_mix64(rs);
}
static int ri(int lo, int hi) { return lo + (int)(rnd() % (uint64_t)(hi - lo + 1)); } /* [lo, hi] */
static double rf(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }

#define FAIL(...)                                                      \
  do {                                                                 \
    fprintf(stderr, "FAIL (CS_PROP_SEED=%llu) ", (unsigned long long)g_seed); \
    fprintf(stderr, __VA_ARGS__);                                      \
    fputc('\n', stderr);                                               \
    g_fail++;                                                          \
  } while (0)

/* ---------------- topology ---------------- */

static void random_spec(topo_spec *s, char *desc, size_t len) {
  topo_spec_init(s);
  s->family = (topo_family)ri(0, TOPO_FAMILY_COUNT - 1);
  s->fabric.bw_Bps = 25e9 * ri(1, 4);
  s->planes = 0;
  switch (s->family) {
  case TOPO_FT2:
  case TOPO_MRFT:
  case TOPO_MPFT:
    s->radix = 2 * ri(2, 8);
    if (s->family == TOPO_MPFT) s->planes = 1 << ri(0, 2);
    if (s->family == TOPO_MRFT) s->planes = ri(1, 2);
    if (ri(0, 1)) s->endpoints = ri(1, s->radix * s->radix / 2) * (s->planes ? s->planes : 1);
    break;
  case TOPO_FT3:
    s->radix = 2 * ri(2, 5);
    break;
  case TOPO_SLIMFLY: {
    static const int qs[] = {5, 7, 8, 9, 11};
    s->sf_q = qs[ri(0, 4)];
    int d = s->sf_q % 4 == 1 ? 1 : (s->sf_q % 4 == 0 ? 0 : -1);
    int kn = (3 * s->sf_q - d) / 2;
    s->sf_p = ri(0, 1) ? 0 : ri(1, kn / 2 + 1);
    s->radix = kn + (s->sf_p ? s->sf_p : kn / 2) + ri(-1, 3);
    break;
  }
  case TOPO_DRAGONFLY:
    s->df_p = ri(1, 3);
    s->df_a = ri(2, 5);
    s->df_h = ri(1, 3);
    s->df_g = ri(2, s->df_a * s->df_h + 1);
    s->df_arrangement = (topo_df_arrangement)ri(0, TOPO_DF_ARR_COUNT - 1);
    s->radix = s->df_p + s->df_a - 1 + s->df_h + ri(-1, 2);
    break;
  case TOPO_NODE:
  default:
    break;
  }
  /* hosts for the fat-tree families and the node family, sometimes */
  if ((s->family <= TOPO_MPFT && ri(0, 2) == 0) || s->family == TOPO_NODE) {
    topo_node_spec *n = &s->node;
    n->gpus = 1 << ri(1, 3);
    n->gpus_per_pcie_switch = 1 << ri(0, 1);
    if (n->gpus_per_pcie_switch > n->gpus) n->gpus_per_pcie_switch = n->gpus;
    n->nvlink = (topo_link_spec){TOPO_NVLINK, 200e9, 0};
    n->pcie = (topo_link_spec){TOPO_PCIE, 50e9, 0};
    n->nic = (topo_link_spec){s->fabric.cls, 50e9, 0};
    n->nvlink_domain = n->gpus;
    if (s->family == TOPO_NODE) s->endpoints = n->gpus * ri(1, 3);
    else if (s->endpoints) s->endpoints = n->gpus * ri(1, 8);
    if (s->family == TOPO_MPFT || s->family == TOPO_MRFT) s->planes = n->gpus >= 2 && ri(0, 1) ? 2 : 1;
  }
  snprintf(desc, len, "%s radix=%d endpoints=%d planes=%d q=%d p=%d df=(%d,%d,%d,%d) gpus=%d",
           topo_family_name(s->family), s->radix, s->endpoints, s->planes, s->sf_q, s->sf_p, s->df_p, s->df_a,
           s->df_h, s->df_g, s->node.gpus);
}

static uint64_t expected_components(const topo_spec *sp, const topo_counts *c) {
  if (sp->family == TOPO_MPFT && sp->node.gpus == 0) return (uint64_t)(sp->planes > 0 ? sp->planes : 1);
  if (sp->family == TOPO_NODE && sp->node.nvlink_domain > 0)
    return (c->gpus + (uint64_t)sp->node.nvlink_domain - 1) / (uint64_t)sp->node.nvlink_domain;
  return 1;
}

static void prop_topology(int cases) {
  int built = 0, refused = 0, routes = 0;
  int per_family[TOPO_FAMILY_COUNT] = {0};
  for (int k = 0; k < cases; k++) {
    rs = g_seed * 1000003u + (uint64_t)k;
    topo_spec s;
    char desc[256], err[1024];
    random_spec(&s, desc, sizeof desc);
    topo_counts c;
    int rc = topo_count(&s, &c, err, sizeof err);
    topo_graph *g = NULL;
    int brc = topo_build(&s, &g, err, sizeof err);
    if ((rc == 0) != (brc == 0 || brc == TOPO_ENOGRAPH)) {
      FAIL("topology case %d (%s): topo_count %d but topo_build %d (%s)", k, desc, rc, brc, err);
      topo_free(g);
      continue;
    }
    if (brc < 0) {
      if (!err[0]) FAIL("topology case %d (%s): refused without a message", k, desc);
      refused++;
      continue;
    }
    built++;
    per_family[s.family]++;
    topo_check chk;
    topo_check_graph(g, &chk);
    if (!chk.radix_ok) FAIL("topology case %d (%s): switch %u over its radix", k, desc, chk.worst_switch);
    uint64_t want = expected_components(&s, &c);
    if (chk.components != want) FAIL("topology case %d (%s): %u components, want %llu", k, desc, chk.components,
                                     (unsigned long long)want);
    uint64_t sw = 0;
    for (uint32_t v = 0; v < g->n_nodes; v++) sw += g->kind[v] == TOPO_SWITCH;
    if (g->n_endpoints != c.endpoints || sw != c.switches ||
        g->n_links != c.switch_links + c.endpoint_links + c.internal_links)
      FAIL("topology case %d (%s): built %u endpoints, %llu switches, %u links; counted %llu, %llu, %llu", k, desc,
           g->n_endpoints, (unsigned long long)sw, g->n_links, (unsigned long long)c.endpoints,
           (unsigned long long)c.switches,
           (unsigned long long)(c.switch_links + c.endpoint_links + c.internal_links));
    uint64_t arcs = 0;
    for (uint32_t v = 0; v < g->n_nodes; v++)
      for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++, arcs++)
        if (topo_arc_from(g, g->adj_arc[i]) != v) {
          FAIL("topology case %d (%s): CSR arc %u of node %u starts at %u", k, desc, g->adj_arc[i], v,
               topo_arc_from(g, g->adj_arc[i]));
          break;
        }
    if (arcs != 2ull * g->n_links) FAIL("topology case %d (%s): %llu arcs for %u links", k, desc,
                                        (unsigned long long)arcs, g->n_links);
    if (topo_memory_bytes(g) > topo_estimate_bytes(&c))
      FAIL("topology case %d (%s): graph holds %zu bytes, above its estimate %llu", k, desc, topo_memory_bytes(g),
           (unsigned long long)topo_estimate_bytes(&c));
    /* static routes: connected walks from the source's node to the destination's */
    if (g->n_endpoints >= 2 && want == 1) {
      topo_router *r = topo_router_new(g, 1 << 20);
      for (int t = 0; t < 8; t++) {
        uint32_t a = (uint32_t)(rnd() % g->n_endpoints), b = (uint32_t)(rnd() % g->n_endpoints);
        if (a == b) continue;
        topo_route rt;
        if (topo_route_one(r, TOPO_ROUTING_STATIC, a, b, rnd(), &rt) < 0) {
          FAIL("topology case %d (%s): no static route %u -> %u", k, desc, a, b);
          continue;
        }
        uint32_t at = g->endpoint_node[a];
        for (uint32_t h = 0; h < rt.n; h++) {
          if (topo_arc_from(g, rt.arc[h]) != at) {
            FAIL("topology case %d (%s): route %u -> %u breaks at hop %u", k, desc, a, b, h);
            break;
          }
          at = topo_arc_to(g, rt.arc[h]);
        }
        if (at != g->endpoint_node[b]) FAIL("topology case %d (%s): route %u -> %u ends at node %u", k, desc, a, b, at);
        routes++;
      }
      topo_router_free(r);
    }
    topo_free(g);
  }
  printf("topology: %d cases: %d built (ft2 %d, ft3 %d, mrft %d, mpft %d, slimfly %d, dragonfly %d, node %d), "
         "%d refused with a message, %d routes walked\n",
         cases, built, per_family[TOPO_FT2], per_family[TOPO_FT3], per_family[TOPO_MRFT], per_family[TOPO_MPFT],
         per_family[TOPO_SLIMFLY], per_family[TOPO_DRAGONFLY], per_family[TOPO_NODE], refused, routes);
  if (built < cases / 3) FAIL("topology: only %d of %d random specs built; the generator is off", built, cases);
}

/* ---------------- network ---------------- */

#define NMSG_MAX 48

typedef struct traffic {
  int n;
  uint32_t src[NMSG_MAX], dst[NMSG_MAX];
  double bytes[NMSG_MAX];
  uint8_t prio[NMSG_MAX];
  sim_time_ps at[NMSG_MAX];
} traffic;

typedef struct run_state {
  net_model *net;
  const traffic *tr;
  topo_route route[NMSG_MAX];
  sim_time_ps lower[NMSG_MAX];   /* latency + bytes / bottleneck of the route taken */
  sim_time_ps t_done[NMSG_MAX];
  int delivered, cap_bad, early, sent;
  char why[512];
} run_state;

static void on_done(net_model *n, void *ctx, uint64_t tag, const net_msg_info *info) {
  run_state *st = ctx;
  st->t_done[tag] = info->t_deliver;
  st->delivered++;
  if (info->t_deliver - info->t_send < st->lower[tag]) {
    st->early++;
    snprintf(st->why, sizeof st->why, "message %llu: %llu ps, below latency + bytes/bottleneck %llu ps",
             (unsigned long long)tag, (unsigned long long)(info->t_deliver - info->t_send),
             (unsigned long long)st->lower[tag]);
  }
  char err[256];
  if (net_check_capacity(n, err, sizeof err) < 0) {
    st->cap_bad++;
    snprintf(st->why, sizeof st->why, "capacity: %.400s", err);
  }
}

static void on_send(sim_engine *e, void *ctx, uint64_t i) {
  (void)e;
  run_state *st = ctx;
  const traffic *tr = st->tr;
  net_msg m = {tr->src[i], tr->dst[i], tr->bytes[i], tr->prio[i], 0.0, 0, on_done, st, i};
  /* the route the policy takes now: the same call net_send makes at this instant */
  topo_route *r = &st->route[i];
  if (net_route(st->net, m.src, m.dst, 0, r) < 0) r->n = 0;
  double bw = INFINITY;
  for (uint32_t h = 0; h < r->n; h++) bw = fmin(bw, net_arc_bw(st->net, r->arc[h]));
  double ser = r->n && m.bytes > 0 ? floor(m.bytes / bw * 1e12) : 0.0;
  st->lower[i] = net_route_latency_ps(st->net, r) + (sim_time_ps)ser;
  if (net_send(st->net, &m, NULL) == 0) st->sent++;
}

/* One run of the traffic; 0 or -1 (setup failed). */
static int run_traffic(const topo_graph *g, const net_opts *o, sim_queue_kind q, const traffic *tr, run_state *st) {
  memset(st, 0, sizeof *st);
  st->tr = tr;
  sim_engine_opts eo = {q, 0, 1, 0};
  sim_engine *e = sim_engine_new(&eo);
  char err[512];
  st->net = net_new(e, g, o, err, sizeof err);
  if (!st->net) {
    snprintf(st->why, sizeof st->why, "net_new: %.400s", err);
    sim_engine_free(e);
    return -1;
  }
  for (int i = 0; i < tr->n; i++) sim_schedule_at(e, tr->at[i], on_send, st, (uint64_t)i);
  sim_run(e, SIM_TIME_MAX);
  return 0;
}

static void prop_network(int cases) {
  int msgs = 0, runs = 0, fail0 = g_fail;
  for (int k = 0; k < cases; k++) {
    rs = g_seed * 7919u + (uint64_t)k + 0x5151;
    topo_spec s;
    topo_spec_init(&s);
    s.family = ri(0, 3) ? TOPO_FT2 : TOPO_MPFT;
    s.radix = 2 * ri(2, 4);
    s.planes = s.family == TOPO_MPFT ? 2 : 1;
    s.fabric.bw_Bps = 12.5e9 * ri(1, 8);
    s.fabric.lat_ps = (uint64_t)ri(0, 500) * 1000;
    if (ri(0, 1)) s.endpoints = s.planes * ri(2, s.radix * s.radix / 4);
    topo_graph *g = NULL;
    char err[1024], desc[160];
    snprintf(desc, sizeof desc, "%s radix=%d endpoints=%d", topo_family_name(s.family), s.radix, s.endpoints);
    if (topo_build(&s, &g, err, sizeof err) < 0) {
      FAIL("network case %d (%s): build: %s", k, desc, err);
      continue;
    }
    uint32_t ne = g->n_endpoints;
    traffic tr;
    memset(&tr, 0, sizeof tr);
    tr.n = ri(2, NMSG_MAX);
    for (int i = 0; i < tr.n; i++) {
      /* MPFT of bare endpoints: planes are separate fabrics; stay within one plane */
      do {
        tr.src[i] = (uint32_t)(rnd() % ne);
        tr.dst[i] = (uint32_t)(rnd() % ne);
      } while (tr.src[i] == tr.dst[i] ||
               (s.family == TOPO_MPFT && g->plane[g->endpoint_node[tr.src[i]]] != g->plane[g->endpoint_node[tr.dst[i]]]));
      tr.bytes[i] = ri(0, 9) == 0 ? 0.0 : floor(rf() * 8e6) + 1.0;
      tr.prio[i] = (uint8_t)(ri(0, 3) == 0 ? ri(0, NET_PRIO_LEVELS - 1) : 0);
      if (!g_prio) tr.prio[i] = 0;   /* the draw is kept so that a seed gives the same traffic either way */
      tr.at[i] = ri(0, 1) ? 0 : (sim_time_ps)(rf() * 200e6);   /* up to 200 us */
    }
    net_opts o;
    net_opts_init(&o);
    o.routing = (topo_routing)ri(0, 2);   /* static, ecmp, adaptive (one route a message) */
    o.check = 1;
    o.seed = rnd();
    o.lat.host_ps[TOPO_IB] = (uint64_t)ri(0, 2000) * 1000;
    o.lat.node_ps[TOPO_SWITCH] = (uint64_t)ri(0, 600) * 1000;
    o.lat.prop_ps_per_m[TOPO_ELECTRICAL] = 5000.0 * ri(0, 1);
    o.lat.prop_ps_per_m[TOPO_OPTICAL] = 5000.0 * ri(0, 1);
    snprintf(desc + strlen(desc), sizeof desc - strlen(desc), " %s, %d messages", topo_routing_name(o.routing), tr.n);

    static run_state st, ref;
    if (run_traffic(g, &o, SIM_QUEUE_HEAP2, &tr, &ref) < 0) {
      FAIL("network case %d (%s): %s", k, desc, ref.why);
      topo_free(g);
      continue;
    }
    runs++;
    msgs += tr.n;
    if (ref.sent != tr.n || ref.delivered != tr.n)
      FAIL("network case %d (%s): %d sent, %d delivered of %d", k, desc, ref.sent, ref.delivered, tr.n);
    if (ref.early || ref.cap_bad) FAIL("network case %d (%s): %s", k, desc, ref.why);
    /* bytes conserved on every arc */
    uint32_t narcs = 2 * g->n_links;
    double *want = calloc(narcs, sizeof *want);
    for (int i = 0; i < tr.n; i++)
      for (uint32_t h = 0; h < ref.route[i].n; h++) want[ref.route[i].arc[h]] += tr.bytes[i];
    for (uint32_t a = 0; a < narcs; a++) {
      double got = net_arc_bytes(ref.net, a);
      if (fabs(got - want[a]) > 1e-6 * want[a] + 1e-3) {
        FAIL("network case %d (%s): arc %u carried %.3f bytes, messages routed over it hold %.3f", k, desc, a, got,
             want[a]);
        break;
      }
    }
    free(want);
    /* identical results with every event-queue kind */
    for (int q = SIM_QUEUE_HEAP4; q < SIM_QUEUE_COUNT_; q++) {
      run_traffic(g, &o, (sim_queue_kind)q, &tr, &st);
      if (memcmp(st.t_done, ref.t_done, sizeof ref.t_done) != 0)
        FAIL("network case %d (%s): delivery times differ between heap2 and %s", k, desc,
             sim_queue_kind_name((sim_queue_kind)q));
      sim_engine *e = net_engine(st.net);
      net_free(st.net);
      sim_engine_free(e);
    }
    sim_engine *e = net_engine(ref.net);
    net_free(ref.net);
    sim_engine_free(e);
    topo_free(g);
  }
  if (g_fail == fail0)
    printf("network: %d cases, %d messages%s: all delivered, none early, capacity respected at every delivery, "
           "bytes conserved on every arc, identical across heap2/heap4/calendar\n", runs, msgs,
           g_prio ? " (mixed priorities)" : "");
  else
    printf("network: %d cases, %d messages: %d failures\n", runs, msgs, g_fail - fail0);
}

int main(void) {
  const char *env = getenv("CS_PROP_SEED");
  g_seed = env && env[0] ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
  int scale = 1;
  const char *c = getenv("CS_PROP_CASES");
  if (c && atoi(c) > 0) scale = atoi(c);
  g_prio = getenv("CS_PROP_PRIO") && atoi(getenv("CS_PROP_PRIO")) > 0;
  printf("test_prop: seed %llu (CS_PROP_SEED=%llu replays it)\n", (unsigned long long)g_seed,
         (unsigned long long)g_seed);
  setenv("CLUSTERSIM_MAX_GRAPH_BYTES", "256M", 1);
  prop_topology(600 * scale);
  prop_network(400 * scale);
  if (g_fail) {
    printf("test_prop: %d failures; replay with CS_PROP_SEED=%llu\n", g_fail, (unsigned long long)g_seed);
    return 1;
  }
  printf("test_prop: all properties held (seed %llu)\n", (unsigned long long)g_seed);
  return 0;
}
