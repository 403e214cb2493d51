/* test_wl_pcie.c: the PCIe contention workload (models/wl_pcie.c) against hand counts.
 *
 * Machine (tfix.h): an MPFT of 4 hosts x 8 GPUs, no latency, NIC 50 GB/s, PCIe 64 GB/s, 2 GPUs and their
 * NICs per PCIe switch, each switch with a 64 GB/s uplink to host memory. EP: every GPU sends 1 MiB to
 * each of 3 peers (the other hosts) per round.
 *   Alone, a GPU's 3 messages share its NIC: latency = 3 MiB / 50 GB/s.
 *   With a KV transfer always in flight into every GPU (offered load far above PCIe), weight 4, no
 *   priority: the host-memory uplink splits 64 GB/s between the two loaders of a switch (32 each); on
 *   the PCIe switch -> GPU arc (64 GB/s) the 3 EP flows (weight 1) and the KV flow (weight 4, 32 GB/s
 *   at most) fill to 64/7 GB/s per unit of weight: EP gets 3 x 64/7 = 27.4 GB/s, KV 36.6 > 32, so KV
 *   is held at 32 by the uplink and EP gets the remaining 32 GB/s: 1 MiB / (32/3 GB/s) per message.
 *   With ep_first: EP as alone.
 * Then: results do not depend on the KV horizon (a tiny first horizon forces re-runs); under PCIe
 * capacity the KV throughput follows the offered load; bad input names the key. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tfix.h"
#include "wl_pcie.h"

#define GPUS 32
#define MIB 1048576.0

static int mknet(void *ctx, sim_engine **e, topo_graph **g, net_model **n, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  (void)ctx;
  topo_spec sp;
  tfix_mpft_spec(&sp, GPUS, 50e9);
  tfix_net f;
  tfix_net_new(&sp, &f);
  *e = f.e;
  *g = f.g;
  *n = f.n;
  return 0;
}

static wl_pcie_spec base(void) {
  wl_pcie_spec s;
  memset(&s, 0, sizeof s);
  s.ep_bytes = MIB;
  s.peers = 3;
  s.rounds = 20;
  s.warmup = 2;
  s.period = 0;
  s.kv_bytes = 16 * MIB;
  s.kv_weight = 4;
  s.kv_poisson = 1;
  s.kv_streams = 1;
  s.seed = 7;
  return s;
}

static wl_pcie_result run(const wl_pcie_spec *s) {
  wl_pcie_result r;
  char err[512];
  if (wl_pcie_run(s, mknet, NULL, &r, err, sizeof err) < 0) fail_msg("wl_pcie_run: %s", err);
  return r;
}

static double median(const wl_pcie_result *r) {
  double *x = malloc(r->nlat * sizeof *x);
  memcpy(x, r->lat_us, r->nlat * sizeof *x);
  for (size_t i = 1; i < r->nlat; i++)   /* insertion sort: a few hundred values */
    for (size_t j = i; j > 0 && x[j - 1] > x[j]; j--) {
      double t = x[j];
      x[j] = x[j - 1];
      x[j - 1] = t;
    }
  double m = x[r->nlat / 2];
  free(x);
  return m;
}

static void test_alone(void **st) {
  (void)st;
  wl_pcie_spec s = base();
  wl_pcie_result r = run(&s);
  double want = 3 * MIB / 50e9 * 1e6;
  assert_int_equal(r.nlat, (size_t)20 * GPUS * 3);
  assert_int_equal(r.nkv, 0);
  assert_true(fabs(r.alone_us - want) < 1e-9 * want);
  for (size_t i = 0; i < r.nlat; i++) assert_true(fabs(r.lat_us[i] - want) < 1e-6 * want);
  /* back to back: 20 rounds of 3 MiB in 20 x want */
  assert_true(fabs(r.ep_tput_GBps - 50.0) < 1e-6 * 50.0);
  wl_pcie_result_free(&r);
  /* with a period of twice the round, throughput halves and latency stays */
  s.period = (sim_time_ps)(2 * want * SIM_PS_PER_US);
  r = run(&s);
  assert_true(fabs(r.ep_tput_GBps - 25.0) < 1e-6 * 25.0);
  assert_true(fabs(median(&r) - want) < 1e-6 * want);
  wl_pcie_result_free(&r);
}

static void test_contention_and_priority(void **st) {
  (void)st;
  wl_pcie_spec s = base();
  s.kv_load_Bps = 1000e9;   /* always backlogged */
  wl_pcie_result r = run(&s);
  double shared = MIB / (32e9 / 3) * 1e6, alone = 3 * MIB / 50e9 * 1e6;
  assert_int_equal(r.nkv, GPUS);
  assert_true(fabs(median(&r) - shared) < 1e-3 * shared);
  assert_true(r.kv_backlog > 1.0);                                /* the queue grows */
  assert_true(fabs(r.kv_tput_GBps - 32.0) < 0.5);                 /* KV held at its uplink share */
  wl_pcie_result_free(&r);
  s.ep_first = 1;
  r = run(&s);
  for (size_t i = 0; i < r.nlat; i++) assert_true(fabs(r.lat_us[i] - alone) < 1e-6 * alone);
  /* KV gets what EP leaves of the GPU arc: 64 - 50 per GPU while EP runs, at most its 32 */
  assert_true(r.kv_tput_GBps < 32.0 && r.kv_tput_GBps > 13.0);
  wl_pcie_result_free(&r);
}

static void test_horizon_does_not_matter(void **st) {
  (void)st;
  wl_pcie_spec s = base();
  s.kv_load_Bps = 20e9;
  s.period = 200 * SIM_PS_PER_US;
  wl_pcie_result a = run(&s);
  s.horizon_ps = SIM_PS_PER_US;
  wl_pcie_result b = run(&s);
  assert_int_equal(a.attempts, 1);
  assert_true(b.attempts > 3);
  assert_int_equal(a.nlat, b.nlat);
  assert_memory_equal(a.lat_us, b.lat_us, a.nlat * sizeof *a.lat_us);
  assert_true(a.kv_tput_GBps == b.kv_tput_GBps && a.kv_backlog == b.kv_backlog && a.t_end == b.t_end);
  wl_pcie_result_free(&a);
  wl_pcie_result_free(&b);
}

static void test_kv_follows_load(void **st) {
  (void)st;
  wl_pcie_spec s = base();
  s.kv_poisson = 0;        /* periodic: the offered load exactly */
  s.rounds = 200;
  s.period = 200 * SIM_PS_PER_US;   /* 40 ms */
  s.kv_load_Bps = 5e9;
  wl_pcie_result a = run(&s);
  s.kv_load_Bps = 10e9;
  wl_pcie_result b = run(&s);
  assert_true(fabs(a.kv_tput_GBps - 5.0) < 0.3);
  assert_true(fabs(b.kv_tput_GBps - 10.0) < 0.5);
  assert_true(b.kv_backlog <= 1.0 && a.kv_backlog <= 1.0);   /* below capacity: no queue */
  wl_pcie_result_free(&a);
  wl_pcie_result_free(&b);
}

static void test_bad_input(void **st) {
  (void)st;
  wl_pcie_spec s = base();
  char err[512];
  s.peers = 4;   /* 4 hosts: at most 3 peers */
  assert_int_equal(wl_pcie_check(&s, GPUS, 8, err, sizeof err), -1);
  assert_non_null(strstr(err, "ep.peers = 4"));
  assert_non_null(strstr(err, "hosts - 1 = 3"));
  s.peers = 3;
  s.kv_gpus_per_host = 9;
  assert_int_equal(wl_pcie_check(&s, GPUS, 8, err, sizeof err), -1);
  assert_non_null(strstr(err, "kv.gpus_per_host = 9"));
  s.kv_gpus_per_host = 0;
  assert_int_equal(wl_pcie_check(&s, GPUS, 8, err, sizeof err), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_alone),
    cmocka_unit_test(test_contention_and_priority),
    cmocka_unit_test(test_horizon_does_not_matter),
    cmocka_unit_test(test_kv_follows_load),
    cmocka_unit_test(test_bad_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
