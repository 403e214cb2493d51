/* test_wl_ep.c: DeepEP-style dispatch and combine (models/wl_ep.c) against hand counts, and the phase
 * appended inside a larger graph (wl_ep_append) against the standalone graph.
 *
 * Machine: an MPFT of 4 hosts x 8 GPUs (8 planes), no latency anywhere, NIC 50 GB/s, NVLink 160 GB/s.
 * Hand case: 32 experts, one per GPU, top-2; every token of rank r (host h, local index l) goes to the
 * GPUs l and l+1 (mod 8) of host h+1 (mod 4). Normal mode: the token crosses the network once, to GPU r+8 (same local index,
 * same plane), which forwards one copy over NVLink to the other: RDMA bytes = NVLink bytes = ranks x tokens x
 * token bytes, one node per token, and it is remote. Low-latency mode: two network copies, no NVLink.
 * Doubling the hidden size doubles every byte count. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "og.h"
#include "tfix.h"
#include "wl_ep.h"

#define R 32
#define TOK 64

typedef struct fix {
  topo_graph *g;
  sim_engine *e;
  net_model *n;
  uint32_t eps[R];
} fix;

static void mk(fix *f) {
  topo_spec sp;
  tfix_mpft_spec(&sp, R, 50e9);
  tfix_net nf;
  tfix_net_new(&sp, &nf);
  f->g = nf.g;
  f->e = nf.e;
  f->n = nf.n;
  assert_int_equal(f->g->n_endpoints, R);
  for (uint32_t i = 0; i < R; i++) f->eps[i] = i;
}
static void unmk(fix *f) {
  tfix_net nf = {f->g, f->e, f->n};
  tfix_net_free(&nf);
}

static wl_ep_spec spec(const fix *f, uint32_t hidden, int ll) {
  wl_ep_spec s = {f->g, f->eps, R, TOK, hidden, R, 2, 4, 0, 0, 1, 4, 2, 128, ll, 1 << 20, 8};
  return s;
}

static uint16_t *next_host_routing(void) {
  uint16_t *rt = malloc((size_t)R * TOK * 2 * sizeof *rt);
  for (uint32_t r = 0; r < R; r++)
    for (uint32_t t = 0; t < TOK; t++) {
      rt[((size_t)r * TOK + t) * 2] = (uint16_t)((r + 8) % R);
      rt[((size_t)r * TOK + t) * 2 + 1] = (uint16_t)(((r / 8 + 1) * 8 + (r + 1) % 8) % R);
    }
  return rt;
}

static void check_counts(const fix *f, uint32_t hidden, int ll) {
  wl_ep_spec s = spec(f, hidden, ll);
  uint16_t *rt = next_host_routing();
  char err[512];
  for (int combine = 0; combine < 2; combine++) {
    wl_ep_counts c;
    og_graph *g = wl_ep_graph(&s, rt, combine, &c, err, sizeof err);
    if (!g) fail_msg("wl_ep_graph: %s", err);
    double tb = combine ? hidden * 2.0 : hidden + hidden / 128.0 * 4;
    assert_true(fabs(wl_ep_token_bytes(&s, combine) - tb) < 1e-9);
    double one = (double)R * TOK * tb;
    assert_true(fabs(c.rdma_bytes - (ll ? 2 : 1) * one) < 1e-6 * one);
    assert_true(fabs(c.nvl_bytes - (ll ? 0 : 1) * one) < 1e-6 * one);
    assert_true(fabs(c.nodes_per_token - 1) < 1e-12);
    assert_true(fabs(c.remote_nodes_per_token - 1) < 1e-12);
    for (uint32_t e = 0; e < R; e++) assert_int_equal(c.expert_tokens[e], 2 * TOK);
    wl_ep_counts_free(&c);
    og_free(g);
  }
  free(rt);
}

static void test_hand_count(void **state) {
  (void)state;
  fix f;
  mk(&f);
  check_counts(&f, 7168, 0);
  check_counts(&f, 7168, 1);
  check_counts(&f, 2 * 7168, 0);   /* doubling the hidden size doubles the bytes (tb above) */
  unmk(&f);
}

/* Node limit: with L groups per token, a token reaches at most L nodes (one group per node here). */
static void test_node_limit_bounds_nodes(void **state) {
  (void)state;
  fix f;
  mk(&f);
  char err[512];
  double npt[2];
  for (int lim = 0; lim < 2; lim++) {
    wl_ep_spec s = spec(&f, 7168, 0);
    s.experts_per_token = 8;
    s.node_limit = lim ? 2 : 0;
    uint16_t *rt = malloc((size_t)R * TOK * 8 * sizeof *rt);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    wl_ep_route(&s, rng, rt);
    gsl_rng_free(rng);
    wl_ep_counts c;
    og_graph *g = wl_ep_graph(&s, rt, 0, &c, err, sizeof err);
    if (!g) fail_msg("wl_ep_graph: %s", err);
    npt[lim] = c.nodes_per_token;
    if (lim) assert_true(c.nodes_per_token <= 2 + 1e-12);
    /* IB bytes are (remote nodes per token) x tokens x token bytes: the paper's Mt */
    double want = c.remote_nodes_per_token * R * TOK * wl_ep_token_bytes(&s, 0);
    assert_true(fabs(c.rdma_bytes - want) < 1e-6 * want);
    wl_ep_counts_free(&c);
    og_free(g);
    free(rt);
  }
  assert_true(npt[1] < npt[0]);
  unmk(&f);
}

/* The phase appended after a 10 us kernel on every rank ends 10 us after the standalone phase, and each
 * rank's done op ends after every message it sends or receives. */
static void test_append_matches_standalone(void **state) {
  (void)state;
  char err[512];
  for (int ll = 0; ll < 2; ll++)
    for (int combine = 0; combine < 2; combine++) {
      fix f;
      mk(&f);
      wl_ep_spec s = spec(&f, 7168, ll);
      uint16_t *rt = next_host_routing();
      og_graph *a = wl_ep_graph(&s, rt, combine, NULL, err, sizeof err);
      if (!a) fail_msg("wl_ep_graph: %s", err);
      og_exec_opts o = {132, NULL, NULL};
      og_stats st;
      if (og_finalize(a, err, sizeof err) < 0 || og_run(a, f.n, f.e, &o, &st, err, sizeof err) < 0)
        fail_msg("standalone: %s", err);
      sim_time_ps t_alone = st.t_end - st.t_start;
      og_free(a);
      unmk(&f);

      mk(&f);
      s = spec(&f, 7168, ll);
      og_graph *b = og_new(R, 2, 0);
      uint32_t start[R], done[R];
      uint8_t ck = og_cat(b, "kernel");
      for (uint32_t i = 0; i < R; i++) start[i] = og_compute(b, i, 0, ck, 10 * SIM_PS_PER_US, 0);
      wl_ep_place pl = {NULL, start, done, 1};
      if (wl_ep_append(b, &s, rt, combine, &pl, NULL, err, sizeof err) < 0) fail_msg("append: %s", err);
      uint32_t after[R];
      for (uint32_t i = 0; i < R; i++) {
        after[i] = og_compute(b, i, 0, ck, 1 * SIM_PS_PER_US, 0);
        og_dep(b, done[i], after[i]);
      }
      if (og_finalize(b, err, sizeof err) < 0 || og_run(b, f.n, f.e, &o, &st, err, sizeof err) < 0)
        fail_msg("appended: %s", err);
      sim_time_ps last = 0;
      for (uint32_t i = 0; i < R; i++) last = og_end_ps(b, done[i]) > last ? og_end_ps(b, done[i]) : last;
      assert_true(llabs((long long)(last - st.t_start) - (long long)(t_alone + 10 * SIM_PS_PER_US)) <= 2);
      for (uint32_t op = 0; op < og_nops(b); op++) {
        const og_op *p = og_get(b, op);
        if (p->kind != OG_SEND) continue;
        assert_true(og_start_ps(b, op) >= st.t_start + 10 * SIM_PS_PER_US);
        assert_true(og_end_ps(b, op) <= og_end_ps(b, done[p->src_ep]));
        assert_true(og_end_ps(b, op) <= og_end_ps(b, done[p->dst_ep]));
      }
      for (uint32_t i = 0; i < R; i++) assert_true(og_start_ps(b, after[i]) >= og_end_ps(b, done[i]));
      og_free(b);
      free(rt);
      unmk(&f);
    }
}

int main(void) {
  const struct CMUnitTest t[] = {
    cmocka_unit_test(test_hand_count),
    cmocka_unit_test(test_node_limit_bounds_nodes),
    cmocka_unit_test(test_append_matches_standalone),
  };
  return cmocka_run_group_tests(t, NULL, NULL);
}
