/* test_cost.c: the cost model (models/cost.c) on hand-computed cases, and how it responds to each
 * price. The paper's Table 3 is checked end to end, through the presets, in tests/cli. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cost.h"

#define REL_EQ(a, b, tol) assert_true(fabs((a) - (b)) <= (tol) * fabs(b))

/* A small fat-tree-like case: 6 switches of 8 ports, 16 endpoints; 16 switch-switch cables, 10
 * electrical (1 m each) and 6 optical (30 m in all); 16 endpoint cables, electrical, 16 m. */
static void small_case(topo_counts *c, topo_cables *cab) {
  memset(c, 0, sizeof *c);
  memset(cab, 0, sizeof *cab);
  c->endpoints = 16;
  c->switches = 6;
  c->switch_links = 16;
  c->endpoint_links = 16;
  c->switch_radix = 8;
  c->planes = 1;
  cab->n[COST_SWITCH_CABLES][TOPO_ELECTRICAL] = 10;
  cab->m[COST_SWITCH_CABLES][TOPO_ELECTRICAL] = 10.0;
  cab->n[COST_SWITCH_CABLES][TOPO_OPTICAL] = 6;
  cab->m[COST_SWITCH_CABLES][TOPO_OPTICAL] = 30.0;
  cab->n[COST_ENDPOINT_CABLES][TOPO_ELECTRICAL] = 16;
  cab->m[COST_ENDPOINT_CABLES][TOPO_ELECTRICAL] = 16.0;
}

static cost_prices small_prices(void) {
  cost_prices p;
  cost_prices_init(&p);
  p.switch_base_usd = 1000;
  p.switch_port_usd = 100;
  p.cable_usd[TOPO_ELECTRICAL] = 50;
  p.cable_usd_per_m[TOPO_ELECTRICAL] = 10;
  p.cable_usd[TOPO_OPTICAL] = 300;
  p.cable_usd_per_m[TOPO_OPTICAL] = 2;
  return p;
}

static void hand_computed(void **st) {
  (void)st;
  topo_counts c;
  topo_cables cab;
  small_case(&c, &cab);
  cost_prices p = small_prices();
  cost_breakdown b;
  char err[256];
  assert_int_equal(cost_network(&c, &cab, &p, &b, err, sizeof err), 0);
  /* switches: 6 x (1000 + 100 x 8) = 10800 */
  assert_true(b.switch_ports == 48);
  assert_true(b.switches_usd == 10800.0);
  /* electrical: 10 x 50 + 10 m x 10 = 600; optical: 6 x 300 + 30 m x 2 = 1860 */
  assert_true(b.cables_usd[COST_SWITCH_CABLES][TOPO_ELECTRICAL] == 600.0);
  assert_true(b.cables_usd[COST_SWITCH_CABLES][TOPO_OPTICAL] == 1860.0);
  /* endpoint cables are not priced by default */
  assert_true(b.cables_usd[COST_ENDPOINT_CABLES][TOPO_ELECTRICAL] == 0.0);
  assert_true(b.cable_usd == 2460.0);
  assert_true(b.nics_usd == 0.0 && b.nic_ports == 0);
  assert_true(b.total_usd == 13260.0);
  assert_true(b.per_endpoint_usd == 13260.0 / 16);

  /* Endpoint cables priced: + 16 x 50 + 16 m x 10 = 960. NICs: 16 ports x 700. */
  p.price_endpoint_cables = 1;
  p.nic_usd = 700;
  assert_int_equal(cost_network(&c, &cab, &p, &b, err, sizeof err), 0);
  assert_true(b.cables_usd[COST_ENDPOINT_CABLES][TOPO_ELECTRICAL] == 960.0);
  assert_true(b.nic_ports == 16 && b.nics_usd == 11200.0);
  assert_true(b.total_usd == 13260.0 + 960.0 + 11200.0);
}

/* Doubling the port price doubles the port part of the switches' cost, nothing else. */
static void port_price_doubles_switch_part(void **st) {
  (void)st;
  topo_counts c;
  topo_cables cab;
  small_case(&c, &cab);
  cost_prices p = small_prices(), q;
  p.switch_base_usd = 0;
  q = p;
  q.switch_port_usd *= 2;
  cost_breakdown a, b;
  assert_int_equal(cost_network(&c, &cab, &p, &a, NULL, 0), 0);
  assert_int_equal(cost_network(&c, &cab, &q, &b, NULL, 0), 0);
  assert_true(b.switches_usd == 2.0 * a.switches_usd);
  assert_true(b.cable_usd == a.cable_usd);
  assert_true(b.total_usd - a.total_usd == a.switches_usd);
  /* A larger radix bought costs more even with the same cables (ports as bought, not as used). */
  c.switch_radix = 16;
  assert_int_equal(cost_network(&c, &cab, &p, &b, NULL, 0), 0);
  assert_true(b.switches_usd == 2.0 * a.switches_usd);
}

/* Longer cables cost more only through the per-metre term; the per-cable term counts cables. */
static void length_moves_only_the_per_metre_term(void **st) {
  (void)st;
  topo_counts c;
  topo_cables cab, longer;
  small_case(&c, &cab);
  longer = cab;
  longer.m[COST_SWITCH_CABLES][TOPO_OPTICAL] += 100.0;   /* 100 m more optical cable */
  cost_prices p = small_prices();
  cost_breakdown a, b;
  assert_int_equal(cost_network(&c, &cab, &p, &a, NULL, 0), 0);
  assert_int_equal(cost_network(&c, &longer, &p, &b, NULL, 0), 0);
  REL_EQ(b.total_usd - a.total_usd, 100.0 * p.cable_usd_per_m[TOPO_OPTICAL], 1e-12);
  assert_true(b.cables_usd[COST_SWITCH_CABLES][TOPO_ELECTRICAL] == a.cables_usd[COST_SWITCH_CABLES][TOPO_ELECTRICAL]);
  /* Without a per-metre price the length does not matter at all. */
  p.cable_usd_per_m[TOPO_OPTICAL] = 0;
  assert_int_equal(cost_network(&c, &cab, &p, &a, NULL, 0), 0);
  assert_int_equal(cost_network(&c, &longer, &p, &b, NULL, 0), 0);
  assert_true(a.total_usd == b.total_usd);
  /* Moving a cable from electrical to optical (same length) changes the cost by the price gap. */
  p = small_prices();
  topo_cables moved = cab;
  moved.n[COST_SWITCH_CABLES][TOPO_ELECTRICAL] -= 1;
  moved.m[COST_SWITCH_CABLES][TOPO_ELECTRICAL] -= 1.0;
  moved.n[COST_SWITCH_CABLES][TOPO_OPTICAL] += 1;
  moved.m[COST_SWITCH_CABLES][TOPO_OPTICAL] += 1.0;
  assert_int_equal(cost_network(&c, &cab, &p, &a, NULL, 0), 0);
  assert_int_equal(cost_network(&c, &moved, &p, &b, NULL, 0), 0);
  REL_EQ(b.total_usd - a.total_usd, (300.0 + 2.0) - (50.0 + 10.0), 1e-12);
}

/* Per endpoint: the same network with twice the endpoints attached costs half per endpoint. */
static void per_endpoint_and_empty(void **st) {
  (void)st;
  topo_counts c;
  topo_cables cab;
  small_case(&c, &cab);
  cost_prices p = small_prices();
  cost_breakdown a, b;
  assert_int_equal(cost_network(&c, &cab, &p, &a, NULL, 0), 0);
  c.endpoints *= 2;
  assert_int_equal(cost_network(&c, &cab, &p, &b, NULL, 0), 0);
  assert_true(b.total_usd == a.total_usd && b.per_endpoint_usd == 0.5 * a.per_endpoint_usd);
  /* No endpoints, no switches (a node-only build): zero, no division by zero. */
  topo_counts z;
  topo_cables zc;
  memset(&z, 0, sizeof z);
  memset(&zc, 0, sizeof zc);
  assert_int_equal(cost_network(&z, &zc, &p, &b, NULL, 0), 0);
  assert_true(b.total_usd == 0.0 && b.per_endpoint_usd == 0.0);
}

static void bad_prices_are_named(void **st) {
  (void)st;
  topo_counts c;
  topo_cables cab;
  small_case(&c, &cab);
  cost_prices p = small_prices();
  cost_breakdown b;
  char err[256] = "";
  p.cable_usd_per_m[TOPO_OPTICAL] = -1;
  assert_int_equal(cost_network(&c, &cab, &p, &b, err, sizeof err), -1);
  assert_non_null(strstr(err, "optical_cable_usd_per_m"));
  /* A negative intercept is allowed (SC14's router fit has one) while the switch stays >= 0 ... */
  p = small_prices();
  p.switch_base_usd = -700;
  assert_int_equal(cost_network(&c, &cab, &p, &b, err, sizeof err), 0);
  assert_true(b.switches_usd == 6.0 * (-700.0 + 800.0));
  /* ... but not a switch with a negative price at its radix. */
  p.switch_base_usd = -900;
  assert_int_equal(cost_network(&c, &cab, &p, &b, err, sizeof err), -1);
  assert_non_null(strstr(err, "8-port switch"));
  p = small_prices();
  p.nic_usd = NAN;
  assert_int_equal(cost_prices_check(&p, 8, err, sizeof err), -1);
  assert_non_null(strstr(err, "nic_usd"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(hand_computed),
    cmocka_unit_test(port_price_doubles_switch_part),
    cmocka_unit_test(length_moves_only_the_per_metre_term),
    cmocka_unit_test(per_endpoint_and_empty),
    cmocka_unit_test(bad_prices_are_named),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
