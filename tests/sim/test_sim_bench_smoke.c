/* Bench smoke test: the hold model runs on every queue kind and reports sane numbers. Asserts no
 * timing threshold (CI machines vary); docs/engine.md holds the measured rates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim.h"

static void test_hold_smoke(void **state) {
  (void)state;
  for (int k = 0; k < SIM_QUEUE_COUNT_; k++) {
    sim_bench_result r;
    assert_int_equal(sim_bench_hold((sim_queue_kind)k, 1000, 20000, SIM_PS_PER_US, 7, &r), 0);
    assert_int_equal(r.n_pending, 1000);
    assert_int_equal(r.events, 20000);
    assert_true(r.wall_s > 0.0);
    assert_true(r.events_per_s > 0.0);
    /* 1000 pending, mean 1 us: ~1e9 events/s of simulated time... time must have advanced */
    assert_true(r.end_time_ps > 0);
  }
}

static void test_hold_bad_args(void **state) {
  (void)state;
  sim_bench_result r;
  assert_int_equal(sim_bench_hold(SIM_QUEUE_HEAP4, 0, 10, 1000, 1, &r), -1);
  assert_int_equal(sim_bench_hold(SIM_QUEUE_HEAP4, 10, 0, 1000, 1, &r), -1);
  assert_int_equal(sim_bench_hold(SIM_QUEUE_COUNT_, 10, 10, 1000, 1, &r), -1);
  assert_int_equal(sim_bench_hold(SIM_QUEUE_HEAP4, 10, 10, 1000, 1, NULL), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hold_smoke),
      cmocka_unit_test(test_hold_bad_args),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
