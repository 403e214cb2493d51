/* test_og_trace.c: the Chrome trace of a run (models/og_trace.c) parses back with jansson, and its
 * slices carry the executor's times: rank 0 (host 0, gpu 0) runs a 3 us kernel on stream 0 and then a
 * 1 MB send on stream 1 to rank 1 (host 1, gpu 2), which runs a 2 us kernel after the receive; two
 * graphs run one after the other share the clock. Also: NOPs are not written, every message has one
 * begin and one end with the same id, and the file appears only at og_trace_close. */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "og.h"
#include "og_trace.h"

#define US SIM_PS_PER_US

static topo_graph *two_endpoints(void) {
  topo_graph *g = topo_graph_new(4, 4);
  uint32_t sw = topo_add_node(g, TOPO_SWITCH, 1, -1, -1, -1, -1, 8);
  topo_link_spec ls = {TOPO_IB, 50e9, 0};
  for (int i = 0; i < 2; i++) {
    uint32_t v = topo_add_node(g, TOPO_ENDPOINT, 0, -1, -1, -1, -1, 0);
    topo_add_link(g, v, sw, &ls);
    topo_add_endpoint(g, v);
  }
  char err[256];
  if (topo_finalize(g, err, sizeof err) < 0) fail_msg("topo_finalize: %s", err);
  return g;
}

static og_graph *mk(uint32_t *k0, uint32_t *snd, uint32_t *k1) {
  og_graph *g = og_new(2, 2, 0);
  og_place(g, 0, 0, 0);
  og_place(g, 1, 1, 2);
  uint8_t ck = og_cat(g, "attn"), cs = og_cat(g, "dispatch.rdma");
  *k0 = og_compute(g, 0, 0, ck, 3 * US, 0);
  og_name(g, *k0, "attention L%d", 0);
  uint32_t n0 = og_nop(g, 0, 1, 0);
  og_dep(g, *k0, n0);
  *snd = og_send(g, 0, 1, cs, 0, 1, 1e6, 0, 0);
  uint32_t rv = og_recv(g, 1, 0, cs, *snd);
  *k1 = og_compute(g, 1, 0, ck, 2 * US, 0);
  og_dep(g, rv, *k1);
  char err[256];
  if (og_finalize(g, err, sizeof err) < 0) fail_msg("og_finalize: %s", err);
  return g;
}

static const json_t *find(const json_t *evs, const char *ph, const char *name, json_int_t op) {
  size_t i;
  const json_t *ev;
  json_array_foreach(evs, i, ev) {
    const char *p = json_string_value(json_object_get(ev, "ph"));
    const char *n = json_string_value(json_object_get(ev, "name"));
    json_t *args = json_object_get(ev, "args");
    if (!p || strcmp(p, ph) || (name && (!n || strcmp(n, name)))) continue;
    if (op >= 0 && (!args || json_integer_value(json_object_get(args, "op")) != op)) continue;
    return ev;
  }
  return NULL;
}

static double num(const json_t *ev, const char *k) { return json_number_value(json_object_get(ev, k)); }

static void test_parse_back(void **state) {
  (void)state;
  char path[] = "/tmp/og_trace_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  unlink(path);
  char err[512];
  og_trace *t = og_trace_open(path, "unit", err, sizeof err);
  if (!t) fail_msg("%s", err);
  og_trace_sink_set(t);
  topo_graph *tg = two_endpoints();
  sim_engine *e = sim_engine_new(NULL);
  net_opts no;
  net_opts_init(&no);
  net_model *n = net_new(e, tg, &no, err, sizeof err);
  uint32_t k0[2], snd[2], k1[2];
  og_graph *g[2];
  for (int r = 0; r < 2; r++) {
    g[r] = mk(&k0[r], &snd[r], &k1[r]);
    og_stats st;
    if (og_run(g[r], n, e, NULL, &st, err, sizeof err) < 0) fail_msg("og_run: %s", err);
  }
  og_trace_sink_set(NULL);
  assert_true(access(path, F_OK) != 0);   /* only the .tmp until closed */
  if (og_trace_close(t, err, sizeof err) < 0) fail_msg("%s", err);

  json_error_t je;
  json_t *root = json_load_file(path, 0, &je);
  if (!root) fail_msg("%s:%d: %s", path, je.line, je.text);
  const json_t *evs = json_object_get(root, "traceEvents");
  assert_true(json_is_array(evs));
  /* per graph: 2 kernels, the send as a slice on stream 1 and as b/e; 2 process + 2 sort + 3 thread names */
  assert_int_equal(json_array_size(evs), 2 * (2 + 1 + 2) + 2 + 2 + 3);
  for (int r = 0; r < 2; r++) {
    const json_t *a = find(evs, "X", "attention L0", k0[r]);
    const json_t *b = find(evs, "X", "attn", k1[r]);
    const json_t *s = find(evs, "X", "dispatch.rdma", snd[r]);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(s);
    /* second graph's ops: same op ids, later times; find() returns the first, so skip the first's */
    if (r == 1) {
      size_t i;
      const json_t *ev;
      json_array_foreach(evs, i, ev) {
        const char *p = json_string_value(json_object_get(ev, "ph"));
        json_int_t op = json_integer_value(json_object_get(json_object_get(ev, "args"), "op"));
        if (!p || strcmp(p, "X") || num(ev, "ts") < 1e-6 * (double)og_start_ps(g[1], k0[1]) - 1e-9) continue;
        if (op == (json_int_t)k0[1]) a = ev;
        if (op == (json_int_t)k1[1]) b = ev;
        if (op == (json_int_t)snd[1]) s = ev;
      }
    }
    assert_true(fabs(num(a, "ts") - 1e-6 * (double)og_start_ps(g[r], k0[r])) < 1e-6);
    assert_true(fabs(num(a, "dur") - 3.0) < 1e-9);
    assert_true(fabs(num(s, "ts") - 1e-6 * (double)og_start_ps(g[r], snd[r])) < 1e-6);
    assert_true(fabs(num(s, "dur") - 1e-6 * (double)(og_end_ps(g[r], snd[r]) - og_start_ps(g[r], snd[r]))) < 1e-6);
    assert_true(fabs(num(s, "dur") - 20.0) < 1e-3);   /* 1 MB at 50 GB/s */
    assert_true(fabs(num(b, "ts") - 1e-6 * (double)og_start_ps(g[r], k1[r])) < 1e-6);
    assert_true(fabs(num(b, "dur") - 2.0) < 1e-9);
    assert_int_equal(json_integer_value(json_object_get(a, "pid")), 0);
    assert_int_equal(json_integer_value(json_object_get(b, "pid")), 1);
    assert_int_equal(json_integer_value(json_object_get(b, "tid")), 2 * OG_STREAMS_MAX + 0);
    assert_int_equal(json_integer_value(json_object_get(s, "tid")), 0 * OG_STREAMS_MAX + 1);
  }
  assert_true(fabs(1e-6 * (double)og_start_ps(g[1], k0[1]) - 25.0) < 1e-3);   /* after the first graph */
  /* async pairs: one b and one e per id */
  size_t i;
  const json_t *ev;
  int nb = 0, ne = 0;
  json_array_foreach(evs, i, ev) {
    const char *p = json_string_value(json_object_get(ev, "ph"));
    if (strcmp(p, "b") == 0) {
      nb++;
      const char *id = json_string_value(json_object_get(ev, "id"));
      int match = 0;
      size_t j;
      const json_t *e2;
      json_array_foreach(evs, j, e2) {
        const char *p2 = json_string_value(json_object_get(e2, "ph"));
        const char *id2 = json_string_value(json_object_get(e2, "id"));
        if (!strcmp(p2, "e") && id2 && !strcmp(id, id2)) {
          match++;
          assert_true(num(e2, "ts") >= num(ev, "ts"));
        }
      }
      assert_int_equal(match, 1);
    }
    if (strcmp(p, "e") == 0) ne++;
  }
  assert_int_equal(nb, 2);
  assert_int_equal(ne, 2);
  assert_non_null(find(evs, "M", "process_name", -1));
  json_decref(root);
  unlink(path);
  for (int r = 0; r < 2; r++) og_free(g[r]);
  net_free(n);
  sim_engine_free(e);
  topo_free(tg);
}

int main(void) {
  const struct CMUnitTest t[] = {cmocka_unit_test(test_parse_back)};
  return cmocka_run_group_tests(t, NULL, NULL);
}
