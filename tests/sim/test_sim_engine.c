/* Event engine: ordering, cancel, run/stop semantics, determinism, pool growth, and the
 * equivalence of every queue kind on a random workload with cancels (ns-3 bench-scheduler style). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_rng.h>

#include "sim.h"
#include "sim_int.h"

/* ---- a trace of fired events ---- */

typedef struct rec {
  sim_time_ps t;
  uint64_t arg;
} rec;

typedef struct trace {
  rec *v;
  size_t n, cap;
} trace;

static void trace_add(trace *tr, sim_time_ps t, uint64_t arg) {
  if (tr->n == tr->cap) {
    tr->cap = tr->cap ? 2 * tr->cap : 1024;
    tr->v = realloc(tr->v, tr->cap * sizeof *tr->v);
    assert_non_null(tr->v);
  }
  tr->v[tr->n].t = t;
  tr->v[tr->n].arg = arg;
  tr->n++;
}

static void trace_free(trace *tr) {
  free(tr->v);
  memset(tr, 0, sizeof *tr);
}

static void record_handler(sim_engine *e, void *ctx, uint64_t arg) {
  trace_add(ctx, sim_now(e), arg);
}

static sim_engine *engine(sim_queue_kind k, size_t cap, uint64_t seed, uint32_t rep) {
  sim_engine_opts o = {k, cap, seed, rep};
  return sim_engine_new(&o);
}

/* Every kind, DEFAULT included (it resolves to one of the others). */
#define FOR_EACH_KIND(k) for (int k = 0; k < SIM_QUEUE_COUNT_; k++)

/* ---- ordering ---- */

static void test_order_time_then_insertion(void **state) {
  (void)state;
  /* spread 1000 ps: 50 separate crowds of ties; spread 1 ps: 4 adjacent times interleaved, so the
   * calendar's fine buckets are crowded and out of order */
  static const sim_time_ps spreads[] = {1000, 1};
  for (size_t si = 0; si < 2; si++)
  FOR_EACH_KIND(k) {
    sim_engine *e = engine((sim_queue_kind)k, 0, 1, 0);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 99);
    enum { N = 20000 };
    static sim_time_ps t_of[N];
    trace tr = {0};
    for (uint64_t i = 0; i < N; i++) {
      unsigned long distinct = spreads[si] == 1 ? 4 : 50;
      t_of[i] = spreads[si] * (sim_time_ps)gsl_rng_uniform_int(r, distinct);
      sim_schedule_at(e, t_of[i], record_handler, &tr, i);
    }
    assert_int_equal(sim_pending(e), N);
    assert_int_equal(sim_run(e, SIM_TIME_MAX), N);
    assert_int_equal(tr.n, N);
    for (size_t i = 1; i < N; i++) {
      const rec *a = &tr.v[i - 1], *b = &tr.v[i];
      if (!(a->t < b->t || (a->t == b->t && a->arg < b->arg)))
        fail_msg("%s: event %zu (t=%llu arg=%llu) fired after (t=%llu arg=%llu)",
                 sim_queue_kind_name((sim_queue_kind)k), i, (unsigned long long)b->t,
                 (unsigned long long)b->arg, (unsigned long long)a->t, (unsigned long long)a->arg);
      assert_int_equal(b->t, t_of[b->arg]);
    }
    assert_int_equal(sim_pending(e), 0);
    trace_free(&tr);
    gsl_rng_free(r);
    sim_engine_free(e);
  }
}

/* ---- cancel ---- */

static void test_cancel(void **state) {
  (void)state;
  FOR_EACH_KIND(k) {
    sim_engine *e = engine((sim_queue_kind)k, 4, 1, 0);
    trace tr = {0};
    sim_event_id a = sim_schedule(e, 10, record_handler, &tr, 1);
    sim_event_id b = sim_schedule(e, 20, record_handler, &tr, 2);
    sim_event_id c = sim_schedule(e, 30, record_handler, &tr, 3);
    assert_true(a != SIM_EVENT_NONE && b != SIM_EVENT_NONE && c != SIM_EVENT_NONE);
    assert_int_equal(sim_cancel(e, b), 0);          /* pending: cancelled */
    assert_int_equal(sim_cancel(e, b), -1);         /* twice: refused */
    assert_int_equal(sim_pending(e), 2);
    assert_int_equal(sim_run(e, 15), 1);            /* a fires */
    assert_int_equal(sim_cancel(e, a), -1);         /* already fired */
    /* a's and b's slots are reused now; their old handles must not cancel the new events */
    sim_event_id d = sim_schedule(e, 1, record_handler, &tr, 4);
    sim_event_id f = sim_schedule(e, 2, record_handler, &tr, 5);
    assert_int_equal(sim_cancel(e, a), -1);
    assert_int_equal(sim_cancel(e, b), -1);
    assert_true(d != a && d != b && f != a && f != b);
    assert_int_equal(sim_cancel(e, SIM_EVENT_NONE), -1);
    assert_int_equal(sim_cancel(e, ((uint64_t)7 << 32) | 1000000u), -1); /* never issued */
    assert_int_equal(sim_run(e, SIM_TIME_MAX), 3);
    assert_int_equal(tr.n, 4);
    const uint64_t want[] = {1, 4, 5, 3};
    for (size_t i = 0; i < 4; i++) assert_int_equal(tr.v[i].arg, want[i]);
    assert_int_equal(sim_cancel(e, c), -1);
    assert_int_equal(sim_pending(e), 0);
    assert_int_equal(sim__tombstones(e), 0);
    trace_free(&tr);
    sim_engine_free(e);
  }
}

/* A handler cancels its own handle (already fired) and a sibling at the same time (pending). */
typedef struct cancel_ctx {
  sim_event_id self, sibling;
  int self_rc, sibling_rc;
  trace tr;
} cancel_ctx;

static void cancel_handler(sim_engine *e, void *ctx, uint64_t arg) {
  cancel_ctx *c = ctx;
  trace_add(&c->tr, sim_now(e), arg);
  if (arg == 0) {
    c->self_rc = sim_cancel(e, c->self);
    c->sibling_rc = sim_cancel(e, c->sibling);
  }
}

static void test_cancel_from_handler(void **state) {
  (void)state;
  FOR_EACH_KIND(k) {
    sim_engine *e = engine((sim_queue_kind)k, 0, 1, 0);
    cancel_ctx c = {0};
    c.self = sim_schedule(e, 5, cancel_handler, &c, 0);
    c.sibling = sim_schedule(e, 5, cancel_handler, &c, 1);
    assert_int_equal(sim_run(e, SIM_TIME_MAX), 1);
    assert_int_equal(c.self_rc, -1);
    assert_int_equal(c.sibling_rc, 0);
    assert_int_equal(c.tr.n, 1);
    trace_free(&c.tr);
    sim_engine_free(e);
  }
}

/* Many cancels: tombstones are compacted away and the survivors keep their order. */
static void test_cancel_compaction(void **state) {
  (void)state;
  FOR_EACH_KIND(k) {
    sim_engine *e = engine((sim_queue_kind)k, 0, 1, 0);
    enum { N = 6000 };
    static sim_event_id ids[N];
    trace tr = {0};
    for (uint64_t i = 0; i < N; i++) ids[i] = sim_schedule(e, 100 * (i % 37), record_handler, &tr, i);
    for (size_t i = 0; i < N; i++)
      if (i % 5 != 0) assert_int_equal(sim_cancel(e, ids[i]), 0);
    assert_int_equal(sim_pending(e), N / 5);
    assert_true(sim__rebuilds(e) >= 1);
    assert_true(sim__tombstones(e) <= sim_pending(e) || sim__tombstones(e) <= 1024);
    assert_int_equal(sim_run(e, SIM_TIME_MAX), N / 5);
    for (size_t i = 0; i < tr.n; i++) {
      assert_int_equal(tr.v[i].arg % 5, 0);
      if (i) {
        const rec *a = &tr.v[i - 1], *b = &tr.v[i];
        assert_true(a->t < b->t || (a->t == b->t && a->arg < b->arg));
      }
    }
    assert_int_equal(sim__tombstones(e), 0);
    trace_free(&tr);
    sim_engine_free(e);
  }
}

/* ---- run(until) and the clock ---- */

static void test_run_until(void **state) {
  (void)state;
  FOR_EACH_KIND(k) {
    sim_engine *e = engine((sim_queue_kind)k, 0, 1, 0);
    trace tr = {0};
    assert_int_equal(sim_run(e, 100), 0); /* empty queue: clock stays */
    assert_int_equal(sim_now(e), 0);
    sim_schedule_at(e, 10, record_handler, &tr, 1);
    sim_schedule_at(e, 20, record_handler, &tr, 2);
    sim_schedule_at(e, 30, record_handler, &tr, 3);
    sim_schedule_at(e, 3 * SIM_PS_PER_S, record_handler, &tr, 4);
    assert_int_equal(sim_run(e, 20), 2);    /* an event exactly at until fires */
    assert_int_equal(sim_now(e), 20);
    assert_int_equal(sim_run(e, 25), 0);    /* later events pending: clock moves to until */
    assert_int_equal(sim_now(e), 25);
    assert_int_equal(sim_pending(e), 2);
    assert_int_equal(sim_run(e, 5), 0);     /* until in the past: nothing, clock never goes back */
    assert_int_equal(sim_now(e), 25);
    sim_schedule(e, 0, record_handler, &tr, 5); /* at 25, relative to the advanced clock */
    assert_int_equal(sim_run(e, SIM_PS_PER_S), 2);
    assert_int_equal(sim_now(e), SIM_PS_PER_S);
    assert_int_equal(sim_run(e, SIM_TIME_MAX), 1);
    assert_int_equal(sim_now(e), 3 * SIM_PS_PER_S); /* the last event's time */
    assert_int_equal(sim_run(e, 4 * SIM_PS_PER_S), 0);
    assert_int_equal(sim_now(e), 3 * SIM_PS_PER_S); /* empty: stays at the last event */
    const uint64_t want[] = {1, 2, 5, 3, 4};
    assert_int_equal(tr.n, 5);
    for (size_t i = 0; i < 5; i++) assert_int_equal(tr.v[i].arg, want[i]);
    assert_int_equal(sim_events_processed(e), 5);
    trace_free(&tr);
    sim_engine_free(e);
  }
}

static void test_run_until_only_tombstones(void **state) {
  (void)state;
  FOR_EACH_KIND(k) {
    sim_engine *e = engine((sim_queue_kind)k, 0, 1, 0);
    trace tr = {0};
    sim_schedule_at(e, 10, record_handler, &tr, 1);
    sim_event_id id = sim_schedule_at(e, 50, record_handler, &tr, 2);
    assert_int_equal(sim_cancel(e, id), 0);
    assert_int_equal(sim_run(e, 40), 1);
    assert_int_equal(sim_now(e), 10); /* only a cancelled event is later: nothing pending */
    assert_int_equal(sim_run(e, SIM_TIME_MAX), 0);
    assert_int_equal(sim_now(e), 10);
    trace_free(&tr);
    sim_engine_free(e);
  }
}

/* ---- sim_stop ---- */

typedef struct stop_ctx {
  trace tr;
  uint64_t stop_at;
} stop_ctx;

static void stop_handler(sim_engine *e, void *ctx, uint64_t arg) {
  stop_ctx *s = ctx;
  trace_add(&s->tr, sim_now(e), arg);
  if (arg == s->stop_at) sim_stop(e);
}

static void test_stop(void **state) {
  (void)state;
  FOR_EACH_KIND(k) {
    sim_engine *e = engine((sim_queue_kind)k, 0, 1, 0);
    stop_ctx s = {{0}, 3};
    for (uint64_t i = 1; i <= 6; i++) sim_schedule_at(e, 100 * i, stop_handler, &s, i);
    sim_stop(e); /* outside a run: no effect */
    assert_int_equal(sim_run(e, SIM_TIME_MAX), 3);
    assert_int_equal(sim_now(e), 300);
    assert_int_equal(sim_pending(e), 3);
    s.stop_at = 0;
    assert_int_equal(sim_run(e, 450), 1); /* stop flag cleared; until still honoured */
    assert_int_equal(sim_now(e), 450);
    assert_int_equal(sim_run(e, SIM_TIME_MAX), 2);
    assert_int_equal(sim_now(e), 600);
    trace_free(&s.tr);
    sim_engine_free(e);
  }
}

/* ---- handlers scheduling at delay 0 ---- */

typedef struct zero_ctx {
  trace tr;
  int depth;
} zero_ctx;

static void zero_handler(sim_engine *e, void *ctx, uint64_t arg) {
  zero_ctx *z = ctx;
  trace_add(&z->tr, sim_now(e), arg);
  if (arg < 100 && z->depth < 3) { /* chain: 0 -> 100 -> 200 -> 300, all at the same time */
    z->depth++;
    sim_schedule(e, 0, zero_handler, z, arg + 100);
  }
}

static void test_delay_zero(void **state) {
  (void)state;
  FOR_EACH_KIND(k) {
    sim_engine *e = engine((sim_queue_kind)k, 0, 1, 0);
    zero_ctx z = {{0}, 0};
    sim_schedule_at(e, 7, zero_handler, &z, 0);
    sim_schedule_at(e, 7, zero_handler, &z, 1000); /* same time, scheduled before the child */
    sim_schedule_at(e, 8, zero_handler, &z, 2000);
    assert_int_equal(sim_run(e, SIM_TIME_MAX), 4);
    /* the delay-0 child (arg 100) fires at 7, after the sibling scheduled earlier at 7 */
    const uint64_t want[] = {0, 1000, 100, 2000};
    const sim_time_ps want_t[] = {7, 7, 7, 8};
    assert_int_equal(z.tr.n, 4);
    for (size_t i = 0; i < 4; i++) {
      assert_int_equal(z.tr.v[i].arg, want[i]);
      assert_int_equal(z.tr.v[i].t, want_t[i]);
    }
    trace_free(&z.tr);
    sim_engine_free(e);
  }
}

/* ---- random workload with cancels: determinism and equivalence of queue kinds ---- */

#define WL_IDS 64

typedef struct wl {
  trace tr;
  sim_event_id ids[WL_IDS];
  uint64_t next_arg;
  uint64_t budget;
} wl;

static void wl_handler(sim_engine *e, void *ctx, uint64_t arg);

static sim_time_ps wl_delay(gsl_rng *r) {
  unsigned long kind = gsl_rng_uniform_int(r, 100);
  if (kind < 15) return 0;                                                   /* same time */
  if (kind < 45) return 1000 * (sim_time_ps)gsl_rng_uniform_int(r, 20);      /* coarse: ties */
  if (kind < 92) return (sim_time_ps)(-1e6 * log(gsl_rng_uniform_pos(r)));  /* exp, 1 us */
  if (kind < 98) return (sim_time_ps)gsl_rng_uniform_int(r, 1000000000);    /* up to 1 ms */
  return SIM_PS_PER_S + (sim_time_ps)gsl_rng_uniform_int(r, 1000);          /* far timeouts */
}

static void wl_spawn(sim_engine *e, wl *w) {
  gsl_rng *r = sim_rng(e);
  uint64_t a = w->next_arg++;
  w->ids[a % WL_IDS] = sim_schedule(e, wl_delay(r), wl_handler, w, a);
}

static void wl_handler(sim_engine *e, void *ctx, uint64_t arg) {
  wl *w = ctx;
  gsl_rng *r = sim_rng(e);
  trace_add(&w->tr, sim_now(e), arg);
  unsigned long u = gsl_rng_uniform_int(r, 20);
  int children = (u == 0) ? 0 : (u == 1) ? 2 : 1;
  for (int i = 0; i < children && w->budget > 0; i++, w->budget--) wl_spawn(e, w);
  if (gsl_rng_uniform_int(r, 8) == 0) { /* cancel a recent event, pending or not */
    int rc = sim_cancel(e, w->ids[gsl_rng_uniform_int(r, WL_IDS)]);
    trace_add(&w->tr, UINT64_MAX, (uint64_t)(rc + 10)); /* the outcome is part of the trace */
  }
}

/* Runs the workload in segments of run(until) and returns the trace (caller frees). */
static trace wl_run(sim_queue_kind k, uint64_t seed, uint32_t rep, size_t initial, uint64_t budget) {
  sim_engine *e = engine(k, 256, seed, rep);
  wl *w = calloc(1, sizeof *w);
  assert_non_null(w);
  w->budget = budget;
  for (size_t i = 0; i < initial; i++) wl_spawn(e, w);
  for (sim_time_ps until = 0; sim_pending(e) > 0; until += 3 * SIM_PS_PER_US + 17) {
    sim_run(e, until);
    trace_add(&w->tr, sim_now(e), UINT64_MAX - 1); /* segment marker with the clock */
    if (until > 2 * SIM_PS_PER_S) sim_run(e, SIM_TIME_MAX);
  }
  assert_int_equal(sim__tombstones(e), 0);
  trace tr = w->tr;
  free(w);
  sim_engine_free(e);
  return tr;
}

static int trace_equal(const trace *a, const trace *b, size_t *at) {
  size_t n = a->n < b->n ? a->n : b->n;
  for (size_t i = 0; i < n; i++)
    if (a->v[i].t != b->v[i].t || a->v[i].arg != b->v[i].arg) {
      *at = i;
      return 0;
    }
  *at = n;
  return a->n == b->n;
}

static void test_determinism(void **state) {
  (void)state;
  trace a = wl_run(SIM_QUEUE_DEFAULT, 42, 3, 500, 20000);
  trace b = wl_run(SIM_QUEUE_DEFAULT, 42, 3, 500, 20000);
  trace c = wl_run(SIM_QUEUE_DEFAULT, 42, 4, 500, 20000);
  size_t at;
  assert_true(a.n > 20000);
  if (!trace_equal(&a, &b, &at)) fail_msg("same seed and replicate differ at record %zu", at);
  assert_false(trace_equal(&a, &c, &at)); /* another replicate: another stream */
  assert_true(sim_derive_seed(42, 3, 0) != sim_derive_seed(42, 4, 0));
  assert_true(sim_derive_seed(42, 3, 0) != sim_derive_seed(42, 3, 1));
  assert_true(sim_derive_seed(42, 3, 0) != sim_derive_seed(43, 3, 0));
  assert_int_equal(sim_derive_seed(42, 3, 0), sim_derive_seed(42, 3, 0));
  trace_free(&a);
  trace_free(&b);
  trace_free(&c);
}

static void test_queue_equivalence(void **state) {
  (void)state;
  static const struct { size_t initial; uint64_t budget; } cfg[] = {{100, 50000}, {20000, 200000}};
  for (size_t ci = 0; ci < sizeof cfg / sizeof cfg[0]; ci++) {
    trace ref = wl_run(SIM_QUEUE_HEAP2, 7, 0, cfg[ci].initial, cfg[ci].budget);
    for (int k = SIM_QUEUE_HEAP4; k < SIM_QUEUE_COUNT_; k++) {
      trace t = wl_run((sim_queue_kind)k, 7, 0, cfg[ci].initial, cfg[ci].budget);
      size_t at;
      if (!trace_equal(&ref, &t, &at))
        fail_msg("%s differs from heap2 at record %zu of %zu/%zu (initial %zu)",
                 sim_queue_kind_name((sim_queue_kind)k), at, t.n, ref.n, cfg[ci].initial);
      trace_free(&t);
    }
    trace_free(&ref);
  }
}

/* ---- pool growth and sequence renumbering ---- */

static void test_pool_growth(void **state) {
  (void)state;
  FOR_EACH_KIND(k) {
    sim_engine *e = engine((sim_queue_kind)k, 4, 1, 0);
    assert_int_equal(sim__pool_capacity(e), 4);
    trace tr = {0};
    for (uint64_t i = 0; i < 5000; i++) sim_schedule_at(e, 5000 - i / 2, record_handler, &tr, i);
    assert_true(sim__pool_capacity(e) >= 5000);
    assert_int_equal(sim_pending(e), 5000);
    assert_int_equal(sim_run(e, SIM_TIME_MAX), 5000);
    for (size_t i = 1; i < tr.n; i++) {
      const rec *a = &tr.v[i - 1], *b = &tr.v[i];
      assert_true(a->t < b->t || (a->t == b->t && a->arg < b->arg));
    }
    trace_free(&tr);
    sim_engine_free(e);
  }
}

static void test_seq_renumber(void **state) {
  (void)state;
  FOR_EACH_KIND(k) {
    sim_engine *e = engine((sim_queue_kind)k, 0, 1, 0);
    trace tr = {0};
    for (uint64_t i = 0; i < 300; i++) sim_schedule_at(e, 10 * (i % 7), record_handler, &tr, i);
    sim__set_next_seq(e, SIM_SEQ_LIMIT - 50); /* 32-bit seq wraps within the next schedules */
    for (uint64_t i = 300; i < 600; i++) sim_schedule_at(e, 10 * (i % 7), record_handler, &tr, i);
    assert_int_equal(sim__rebuilds(e), 1);
    assert_int_equal(sim_run(e, SIM_TIME_MAX), 600);
    for (size_t i = 1; i < tr.n; i++) {
      const rec *a = &tr.v[i - 1], *b = &tr.v[i];
      assert_true(a->t < b->t || (a->t == b->t && a->arg < b->arg));
    }
    trace_free(&tr);
    sim_engine_free(e);
  }
}

static void test_queue_kind_names(void **state) {
  (void)state;
  sim_queue_kind k;
  FOR_EACH_KIND(i) {
    assert_int_equal(sim_queue_kind_parse(sim_queue_kind_name((sim_queue_kind)i), &k), 0);
    assert_int_equal(k, i);
  }
  assert_int_equal(sim_queue_kind_parse("heap3", &k), -1);
  assert_int_equal(sim_queue_kind_parse(NULL, &k), -1);
  assert_string_equal(sim_queue_kind_name(SIM_QUEUE_COUNT_), "?");
  sim_engine *e = sim_engine_new(NULL);
  assert_true(sim_engine_queue_kind(e) != SIM_QUEUE_DEFAULT);
  assert_non_null(sim_rng(e));
  sim_engine_free(e);
  sim_engine_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_order_time_then_insertion),
      cmocka_unit_test(test_cancel),
      cmocka_unit_test(test_cancel_from_handler),
      cmocka_unit_test(test_cancel_compaction),
      cmocka_unit_test(test_run_until),
      cmocka_unit_test(test_run_until_only_tombstones),
      cmocka_unit_test(test_stop),
      cmocka_unit_test(test_delay_zero),
      cmocka_unit_test(test_determinism),
      cmocka_unit_test(test_queue_equivalence),
      cmocka_unit_test(test_pool_growth),
      cmocka_unit_test(test_seq_renumber),
      cmocka_unit_test(test_queue_kind_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
