/* test_og.c: op graphs and the executor (models/og.c) against hand-computed timelines.
 *
 * A chain on one stream ends at the sum of its durations; compute on stream 0 overlapping a send on
 * stream 1 ends at max(compute, transfer); a cross-rank dependency (rank 1's kernel after rank 0's
 * message) starts at the delivery; sm_leave = 20 of 132 stretches a kernel by 132/112; a cycle is
 * refused naming its ops; a send without a network, or with sm_leave >= SMs, is refused; category
 * weights, background ops and marks (test_weight_background_mark). */
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
#include "wl_ping.h"

#define US SIM_PS_PER_US

/* Two endpoints joined by one switch: links of bw B/s, no latency. */
typedef tfix_net fix;
static fix mk_net(double bw) {
  fix f;
  tfix_star(&f, 2, bw, 2, bw);
  return f;
}
static void free_net(fix *f) { tfix_net_free(f); }

static void run_ok(og_graph *g, net_model *n, sim_engine *e, uint32_t sm, og_stats *st) {
  char err[512];
  if (og_finalize(g, err, sizeof err) < 0) fail_msg("og_finalize: %s", err);
  og_exec_opts o = {sm, NULL, NULL};
  if (og_run(g, n, e, &o, st, err, sizeof err) < 0) fail_msg("og_run: %s", err);
}

static void test_chain_one_stream(void **state) {
  (void)state;
  sim_engine *e = sim_engine_new(NULL);
  og_graph *g = og_new(1, 2, 0);
  sim_time_ps d[3] = {5 * US, 7 * US, 11 * US};
  uint32_t id[3];
  /* added in order on stream 0, no explicit edges: the stream orders them */
  for (int i = 0; i < 3; i++) id[i] = og_compute(g, 0, 0, 0, d[i], 0);
  og_stats st;
  run_ok(g, NULL, e, 132, &st);
  assert_int_equal(og_start_ps(g, id[0]), 0);
  assert_int_equal(og_end_ps(g, id[0]), 5 * US);
  assert_int_equal(og_start_ps(g, id[1]), 5 * US);
  assert_int_equal(og_start_ps(g, id[2]), 12 * US);
  assert_int_equal(og_end_ps(g, id[2]), 23 * US);
  assert_int_equal(st.t_end, 23 * US);
  /* the same kernels on stream-less lanes all start at 0 */
  og_free(g);
  g = og_new(1, 1, 0);
  for (int i = 0; i < 3; i++) id[i] = og_compute(g, 0, OG_NOSTREAM, 0, d[i], 0);
  sim_engine_free(e);
  e = sim_engine_new(NULL);
  run_ok(g, NULL, e, 132, &st);
  for (int i = 0; i < 3; i++) assert_int_equal(og_start_ps(g, id[i]), 0);
  assert_int_equal(st.t_end, 11 * US);
  og_free(g);
  sim_engine_free(e);
}

/* Compute on stream 0 overlaps a 1 MB send at 1e11 B/s (10 us) on stream 1; a join waits for both. */
static void test_overlap_two_streams(void **state) {
  (void)state;
  fix f = mk_net(1e11);
  og_graph *g = og_new(2, 2, 0);
  uint32_t c = og_compute(g, 0, 0, 0, 25 * US, 0);
  uint32_t s = og_send(g, 0, 1, 0, 0, 1, 1e6, 0, 0);
  uint32_t s2 = og_send(g, 0, 1, 0, 0, 1, 1e6, 0, 0);   /* after s on the same stream */
  uint32_t j = og_nop(g, 0, 0, 0);                        /* after c on stream 0 */
  og_dep(g, s2, j);
  og_stats st;
  run_ok(g, f.n, f.e, 132, &st);
  assert_int_equal(og_start_ps(g, c), 0);
  assert_int_equal(og_start_ps(g, s), 0);
  assert_int_equal(og_end_ps(g, s), 10 * US);
  assert_int_equal(og_start_ps(g, s2), 10 * US);
  assert_int_equal(og_end_ps(g, s2), 20 * US);
  assert_int_equal(og_end_ps(g, j), 25 * US);
  /* longer messages: the join follows the sends (2 x 2 MB = 40 us) */
  og_free(g);
  free_net(&f);
  f = mk_net(1e11);
  g = og_new(2, 2, 0);
  og_compute(g, 0, 0, 0, 25 * US, 0);
  og_send(g, 0, 1, 0, 0, 1, 2e6, 0, 0);
  s2 = og_send(g, 0, 1, 0, 0, 1, 2e6, 0, 0);
  j = og_nop(g, 0, 0, 0);
  og_dep(g, s2, j);
  run_ok(g, f.n, f.e, 132, &st);
  assert_int_equal(og_end_ps(g, j), 40 * US);
  og_free(g);
  free_net(&f);
}

/* Rank 1's kernel waits for rank 0's message: rank 0 computes 3 us, sends 0.5 MB (5 us), rank 1
 * receives and computes 4 us: 12 us; two concurrent sends share the link: each 10 us. */
static void test_cross_rank(void **state) {
  (void)state;
  fix f = mk_net(1e11);
  og_graph *g = og_new(2, 2, 0);
  uint32_t c0 = og_compute(g, 0, 0, 0, 3 * US, 0);
  uint32_t s = og_send(g, 0, 1, 0, 0, 1, 5e5, 0, 0);
  og_dep(g, c0, s);
  uint32_t r = og_recv(g, 1, 1, 0, s);
  uint32_t c1 = og_compute(g, 1, 0, 0, 4 * US, 0);
  og_dep(g, r, c1);
  og_stats st;
  run_ok(g, f.n, f.e, 132, &st);
  assert_int_equal(og_start_ps(g, s), 3 * US);
  assert_int_equal(og_end_ps(g, r), 8 * US);
  assert_int_equal(og_start_ps(g, c1), 8 * US);
  assert_int_equal(og_end_ps(g, c1), 12 * US);
  assert_int_equal(st.t_end, 12 * US);
  og_free(g);
  g = og_new(2, 1, 0);
  uint32_t a = og_send(g, 0, OG_NOSTREAM, 0, 0, 1, 5e5, 1, 0);
  uint32_t b = og_send(g, 0, OG_NOSTREAM, 0, 0, 1, 5e5, 2, 0);
  sim_engine *e2 = sim_engine_new(NULL);
  net_opts o;
  net_opts_init(&o);
  char err[256];
  net_model *n2 = net_new(e2, f.g, &o, err, sizeof err);
  run_ok(g, n2, e2, 0, &st);
  assert_int_equal(og_end_ps(g, a), 10 * US);
  assert_int_equal(og_end_ps(g, b), 10 * US);
  net_free(n2);
  sim_engine_free(e2);
  og_free(g);
  free_net(&f);
}

/* 20 of 132 SMs left to communication: 112 us of kernel at full SMs takes 132 us. Halving the
 * share left (10 SMs) gives 112 x 132 / 122. */
static void test_sm_share(void **state) {
  (void)state;
  for (int k = 0; k < 2; k++) {
    uint16_t leave = k ? 10 : 20;
    sim_engine *e = sim_engine_new(NULL);
    og_graph *g = og_new(1, 1, 0);
    uint32_t c = og_compute(g, 0, 0, 0, 112 * US, leave);
    og_stats st;
    run_ok(g, NULL, e, 132, &st);
    double want = 112e6 * 132.0 / (132.0 - leave);
    assert_true(fabs((double)og_end_ps(g, c) - want) <= 1.0);
    og_free(g);
    sim_engine_free(e);
  }
  /* sm_leave at or above the SMs is refused, naming the op */
  sim_engine *e = sim_engine_new(NULL);
  og_graph *g = og_new(1, 1, 0);
  uint32_t c = og_compute(g, 0, 0, 0, US, 132);
  og_name(g, c, "gemm.big");
  char err[512];
  assert_int_equal(og_finalize(g, err, sizeof err), 0);
  og_exec_opts o = {132, NULL, NULL};
  assert_int_equal(og_run(g, NULL, e, &o, NULL, err, sizeof err), OG_EINVAL);
  assert_non_null(strstr(err, "gemm.big"));
  assert_non_null(strstr(err, "132"));
  og_free(g);
  sim_engine_free(e);
}

static void test_cycle_refused(void **state) {
  (void)state;
  og_graph *g = og_new(2, 1, 0);
  uint32_t a = og_nop(g, 0, OG_NOSTREAM, 0);
  uint32_t b = og_compute(g, 1, OG_NOSTREAM, 0, US, 0);
  uint32_t c = og_nop(g, 0, OG_NOSTREAM, 0);
  uint32_t d = og_nop(g, 1, OG_NOSTREAM, 0);   /* outside the cycle */
  og_name(g, a, "attn.layer0");
  og_name(g, b, "moe.layer0");
  og_name(g, c, "combine.layer0");
  og_dep(g, a, b);
  og_dep(g, b, c);
  og_dep(g, c, a);
  og_dep(g, d, a);
  char err[512];
  assert_int_equal(og_finalize(g, err, sizeof err), OG_ECYCLE);
  assert_non_null(strstr(err, "cycle"));
  assert_non_null(strstr(err, "attn.layer0"));
  assert_non_null(strstr(err, "moe.layer0"));
  assert_non_null(strstr(err, "combine.layer0"));
  sim_engine *e = sim_engine_new(NULL);
  assert_int_equal(og_run(g, NULL, e, NULL, NULL, err, sizeof err), OG_ESTATE);
  og_free(g);
  /* a cycle through the stream order: b waits (edge) for c, which the stream puts after b */
  g = og_new(1, 1, 0);
  b = og_compute(g, 0, 0, 0, US, 0);
  c = og_compute(g, 0, 0, 0, US, 0);
  og_dep(g, c, b);
  assert_int_equal(og_finalize(g, err, sizeof err), OG_ECYCLE);
  assert_non_null(strstr(err, "compute#0 rank 0 stream 0"));
  og_free(g);
  /* a send with no network */
  g = og_new(2, 1, 0);
  og_send(g, 0, 0, 0, 0, 1, 1.0, 0, 0);
  assert_int_equal(og_finalize(g, err, sizeof err), 0);
  assert_int_equal(og_run(g, NULL, e, NULL, NULL, err, sizeof err), OG_EINVAL);
  assert_non_null(strstr(err, "send#0"));
  og_free(g);
  sim_engine_free(e);
}

/* Determinism and memory: the same graph run twice gives the same times; bytes per op stay under
 * the documented figure. */
static void test_rerun_and_memory(void **state) {
  (void)state;
  og_graph *g = og_new(8, 2, 0);
  for (uint32_t r = 0; r < 8; r++) {
    uint32_t prev = OG_NONE;
    for (uint32_t i = 0; i < 1000; i++) {
      uint32_t c = og_compute(g, r, i & 1u, 0, (sim_time_ps)(1 + (i * 7 + r) % 13) * US, 0);
      if (prev != OG_NONE) og_dep(g, prev, c);
      prev = c;
    }
  }
  og_stats a, b;
  sim_engine *e = sim_engine_new(NULL);
  run_ok(g, NULL, e, 132, &a);
  sim_time_ps end1 = a.t_end - a.t_start;
  char err[128];
  og_exec_opts o = {132, NULL, NULL};
  assert_int_equal(og_run(g, NULL, e, &o, &b, err, sizeof err), 0);
  assert_int_equal(b.t_end - b.t_start, end1);
  size_t per_op = og_mem_bytes(g) / og_nops(g);
  assert_true(per_op <= 100);
  og_free(g);
  sim_engine_free(e);
}

static void on_mark(void *ctx, uint32_t op, sim_time_ps t) {
  sim_time_ps *seen = ctx;
  seen[0] = t;
  seen[1] = op;
}

/* Category weights split a link by weighted max-min; background ops do not hold the run; a marked op
 * reports its end. One link of 1 GB/s: sends of 1 MB at weights 1 and 3 from t = 0: the heavy one gets
 * 0.75 GB/s and ends at 1333.33 us, the light one ends when 2 MB have crossed, at 2000 us. A background
 * chain of ten 1000 us kernels beside a 2500 us foreground kernel: the run ends at 2500 us with eight
 * background kernels unfinished. */
static void test_weight_background_mark(void **state) {
  (void)state;
  fix f = mk_net(1e9);
  og_graph *g = og_new(2, 2, 0);
  uint8_t light = og_cat(g, "light"), heavy = og_cat(g, "heavy");
  og_cat_weight(g, heavy, 3.0);
  uint32_t a = og_send(g, 0, OG_NOSTREAM, light, 0, 1, 1e6, 1, 0);
  uint32_t b = og_send(g, 0, OG_NOSTREAM, heavy, 0, 1, 1e6, 2, 0);
  uint32_t fg = og_compute(g, 0, 0, 0, 2500 * US, 0);
  og_mark(g, fg);
  uint32_t bg0 = OG_NONE;
  for (int i = 0; i < 10; i++) {
    uint32_t x = og_compute(g, 1, 1, 0, 1000 * US, 0);
    og_background(g, x);
    if (i == 0) bg0 = x;
  }
  char err[512];
  assert_int_equal(og_finalize(g, err, sizeof err), 0);
  sim_time_ps seen[2] = {0, 0};
  og_exec_opts o = {0, on_mark, seen};
  og_stats st;
  assert_int_equal(og_run(g, f.n, f.e, &o, &st, err, sizeof err), 0);
  assert_true(fabs((double)og_end_ps(g, b) - 4e9 / 3.0) <= 2.0);
  assert_true(llabs((long long)og_end_ps(g, a) - (long long)(2000 * US)) <= 2);
  assert_int_equal(st.t_end, 2500 * US);
  assert_int_equal(seen[0], 2500 * US);
  assert_int_equal(seen[1], fg);
  assert_int_equal(st.bg_unfinished, 8);
  assert_int_equal(og_end_ps(g, bg0 + 1), 2000 * US);
  assert_int_equal(og_end_ps(g, bg0 + 2), SIM_TIME_MAX);
  og_free(g);
  free_net(&f);
}

/* The ping-pong workload (wl_ping.h): on one 1 GB/s link without latency, 1 MB each way takes 2 ms a round
 * trip, every time; halving the bytes halves it. */
static void test_pingpong(void **state) {
  (void)state;
  fix f = mk_net(1e9);
  wl_ping_result r;
  char err[256];
  assert_int_equal(wl_ping_run(f.n, 0, 1, 1e6, 5, &r, err, sizeof err), 0);
  assert_int_equal(r.done, 5);
  assert_true(llabs((long long)r.rtt_min_ps - (long long)(2000 * US)) <= 2);
  assert_true(llabs((long long)r.rtt_max_ps - (long long)(2000 * US)) <= 2);
  assert_true(fabs(r.rtt_sum_ps - 5 * 2000.0 * US) <= 10);
  assert_int_equal(wl_ping_run(f.n, 0, 1, 5e5, 3, &r, err, sizeof err), 0);
  assert_true(llabs((long long)r.rtt_max_ps - (long long)(1000 * US)) <= 2);
  assert_int_equal(wl_ping_run(f.n, 0, 1, 5e5, 0, &r, err, sizeof err), -1);
  assert_non_null(strstr(err, "iterations = 0"));
  free_net(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_chain_one_stream), cmocka_unit_test(test_overlap_two_streams),
      cmocka_unit_test(test_cross_rank),       cmocka_unit_test(test_sm_share),
      cmocka_unit_test(test_cycle_refused),    cmocka_unit_test(test_rerun_and_memory),
      cmocka_unit_test(test_weight_background_mark), cmocka_unit_test(test_pingpong),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
