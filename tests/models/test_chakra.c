/* test_chakra.c: Chakra execution-trace import (models/chakra/ck.h) against natively built graphs.
 *
 *   1. a2a64 (tests/data/chakra/a2a64, chakra_gen): importing the 64 files and running them gives
 *      the same timeline as the same workload built natively (og compute ops + wl_a2a's all-to-all):
 *      equal completion and equal end time of every message, exactly, on a star and on an MPFT of
 *      8 hosts of 8 GPUs;
 *   2. ring8 (send/recv): matches the hand timeline 20 us + 256 KiB / B + 10 us, and the native
 *      og_send/og_recv graph exactly;
 *   3. an imported ALL_REDUCE, ALL_GATHER, REDUCE_SCATTER ends when coll.h's ring (one channel, no
 *      slicing, window 1) ends on the same network: the same algorithm on the one executor;
 *   4. coll8 (every node type): the node counts, 224 messages, the CPU op off the GPU streams;
 *   5. inputs move the result: 4x the all-to-all size takes longer, a retime callback replaces
 *      duration_micros and is recorded;
 *   6. refusals name the file and the node: unknown node type, unknown attribute, wrong attribute
 *      case, dangling dependency, duplicate id, truncated file, gzip, missing attribute, a send
 *      without its receive, collectives that disagree, a peer out of range, a priority level the
 *      network lacks, an unsupported collective;
 *   7. a dependency against the stream order (a cycle) is refused naming both trace nodes;
 *   8. the fields of a checked-in file read back as chakra_gen wrote them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ck.h"
#include "coll.h"
#include "og.h"
#include "tfix.h"
#include "wl_a2a.h"

#define US SIM_PS_PER_US
#define BW 50e9   /* bytes/s per link */

typedef tfix_net fix;

/* k endpoints on one switch, links of BW (endpoint `slow`'s of BW / 4: a ring then has a
 * bottleneck, so its dependencies shape the timeline), no latency */
static fix mk_star2(uint32_t k, uint32_t slow) {
  fix f;
  tfix_star(&f, k, BW, slow, BW / 4);
  return f;
}
static void free_net(fix *f) { tfix_net_free(f); }

static sim_time_ps run_graph2(og_graph *g, uint32_t k, uint32_t slow) {
  fix f = mk_star2(k, slow);
  char err[512];
  og_stats st;
  if (og_finalize(g, err, sizeof err) < 0) fail_msg("og_finalize: %s", err);
  if (og_run(g, f.n, f.e, NULL, &st, err, sizeof err) < 0) fail_msg("og_run: %s", err);
  free_net(&f);
  return st.t_end - st.t_start;
}
static sim_time_ps run_graph(og_graph *g, uint32_t k) { return run_graph2(g, k, UINT32_MAX); }

/* 8 hosts of 8 GPUs (NVLink inside, a NIC per GPU, one plane per GPU index): an MPFT of 64 GPUs,
 * with latencies, as in scenarios/examples/chakra-a2a.yaml */
static fix mk_mpft(void) {
  fix f;
  topo_spec sp;
  topo_spec_init(&sp);
  sp.family = TOPO_MPFT;
  sp.radix = 64;
  sp.endpoints = 64;
  sp.planes = 8;
  sp.fabric = (topo_link_spec){TOPO_IB, BW, 100000};
  sp.node.gpus = 8;
  sp.node.nvlink_domain = 8;
  sp.node.gpus_per_pcie_switch = 2;
  sp.node.nvlink = (topo_link_spec){TOPO_NVLINK, 160e9, 0};
  sp.node.pcie = (topo_link_spec){TOPO_PCIE, 64e9, 0};
  sp.node.nic = (topo_link_spec){TOPO_IB, BW, 100000};
  sp.layout = (topo_layout_spec){0.6, 1.2, 2.0, 1.0, 2.0, 0};
  char err[512];
  if (topo_build(&sp, &f.g, err, sizeof err) < 0) fail_msg("topo_build: %s", err);
  assert_int_equal(f.g->n_endpoints, 64);
  f.e = sim_engine_new(NULL);
  net_opts o;
  net_opts_init(&o);
  f.n = net_new(f.e, f.g, &o, err, sizeof err);
  if (!f.n) fail_msg("net_new: %s", err);
  return f;
}

/* runs a finalized graph on f */
static sim_time_ps run_on(og_graph *g, fix *f) {
  char err[512];
  og_stats st;
  if (og_run(g, f->n, f->e, NULL, &st, err, sizeof err) < 0) fail_msg("og_run: %s", err);
  return st.t_end - st.t_start;
}

static ck_rank *read_set(const char *name, uint32_t n) {
  ck_rank *R = calloc(n, sizeof *R);
  char pre[1024], path[1100], err[512];
  snprintf(pre, sizeof pre, "%s/chakra/%s/%s", CS_TEST_DATA, name, name);
  for (uint32_t r = 0; r < n; r++)
    if (ck_read(ck_rank_path(pre, r, path, sizeof path), NULL, &R[r], err, sizeof err) < 0) fail_msg("%s", err);
  return R;
}
static void free_set(ck_rank *R, uint32_t n) {
  for (uint32_t r = 0; r < n; r++) ck_rank_free(&R[r]);
  free(R);
}
static uint32_t *iota(uint32_t n) {
  uint32_t *e = malloc(n * sizeof *e);
  for (uint32_t i = 0; i < n; i++) e[i] = i;
  return e;
}

/* end times of the graph's send ops, sorted */
static int cmp_t(const void *a, const void *b) {
  sim_time_ps x = *(const sim_time_ps *)a, y = *(const sim_time_ps *)b;
  return x < y ? -1 : (x > y);
}
static sim_time_ps *send_ends(const og_graph *g, uint32_t *cnt) {
  sim_time_ps *t = malloc((og_nops(g) + 1) * sizeof *t);
  uint32_t k = 0;
  for (uint32_t i = 0; i < og_nops(g); i++)
    if (og_get(g, i)->kind == OG_SEND) t[k++] = og_end_ps(g, i);
  qsort(t, k, sizeof *t, cmp_t);
  *cnt = k;
  return t;
}

static void test_a2a64_matches_native(void **state) {
  (void)state;
  const uint32_t n = 64;
  ck_rank *R = read_set("a2a64", n);
  assert_string_equal(R[0].version, "0.0.4");
  assert_int_equal(R[5].nnodes, 3);
  uint32_t *eps = iota(n);
  char err[512];
  ck_import_opts io = {eps, n, NULL, NULL};
  ck_import_stats cs;
  og_graph *gi = ck_import(R, &io, &cs, err, sizeof err);
  if (!gi) fail_msg("ck_import: %s", err);
  assert_int_equal(cs.messages, n * (n - 1));
  assert_int_equal(cs.comp, 2 * n);
  assert_int_equal(cs.coll, n);
  sim_time_ps ti = run_graph(gi, n);

  /* native: fwd on the compute stream, the all-to-all between begin and end on the comm stream, bwd */
  og_graph *gn = og_new(n, 3, 8192);
  uint8_t cat = og_cat(gn, "native");
  uint32_t *b = malloc(n * sizeof *b), *e = malloc(n * sizeof *e), *fw = malloc(n * sizeof *fw);
  for (uint32_t r = 0; r < n; r++) {
    fw[r] = og_compute(gn, r, 0, cat, (sim_time_ps)(100 + 10 * (r % 4)) * US, 0);
    b[r] = og_nop(gn, r, 1, cat);
    e[r] = og_nop(gn, r, 1, cat);
    og_dep(gn, fw[r], b[r]);
  }
  wl_alltoall_append(gn, NULL, eps, n, (double)(1 << 20) / n, b, e, cat);
  for (uint32_t r = 0; r < n; r++) {
    uint32_t bw = og_compute(gn, r, 0, cat, 50 * US, 0);
    og_dep(gn, e[r], bw);
  }
  sim_time_ps tn = run_graph(gn, n);
  assert_true(ti > 180 * US);
  if (ti != tn) fail_msg("imported trace ends at %llu ps, the native graph at %llu ps", (unsigned long long)ti,
                         (unsigned long long)tn);
  uint32_t ki, kn;
  sim_time_ps *ei = send_ends(gi, &ki), *en = send_ends(gn, &kn);
  assert_int_equal(ki, kn);
  for (uint32_t i = 0; i < ki; i++)
    if (ei[i] != en[i]) fail_msg("star: message %u (by end time): imported %llu ps, native %llu ps", i,
                                 (unsigned long long)ei[i], (unsigned long long)en[i]);
  free(ei);
  free(en);
  /* again on the MPFT of H800-like hosts (NVLink inside a host, planes across): still equal */
  fix fa = mk_mpft(), fb = mk_mpft();
  ti = run_on(gi, &fa);
  tn = run_on(gn, &fb);
  if (ti != tn) fail_msg("mpft: imported %llu ps, native %llu ps", (unsigned long long)ti, (unsigned long long)tn);
  assert_true(ti > 180 * US);
  ei = send_ends(gi, &ki);
  en = send_ends(gn, &kn);
  for (uint32_t i = 0; i < ki; i++)
    if (ei[i] != en[i]) fail_msg("mpft: message %u (by end time): imported %llu ps, native %llu ps", i,
                                 (unsigned long long)ei[i], (unsigned long long)en[i]);
  free(ei);
  free(en);
  free_net(&fa);
  free_net(&fb);
  free(b);
  free(e);
  free(fw);
  og_free(gi);
  og_free(gn);
  free(eps);
  free_set(R, n);
}

static void test_ring8_sendrecv(void **state) {
  (void)state;
  const uint32_t n = 8;
  ck_rank *R = read_set("ring8", n);
  uint32_t *eps = iota(n);
  char err[512];
  ck_import_opts io = {eps, n, NULL, NULL};
  ck_import_stats cs;
  og_graph *gi = ck_import(R, &io, &cs, err, sizeof err);
  if (!gi) fail_msg("ck_import: %s", err);
  assert_int_equal(cs.send, n);
  assert_int_equal(cs.recv, n);
  assert_int_equal(cs.messages, n);
  sim_time_ps ti = run_graph(gi, n);
  double want = 20e-6 + 262144.0 / BW + 10e-6;
  double got = (double)ti * 1e-12;
  if (fabs(got - want) > 1e-9 * want) fail_msg("ring8: %.12g s, hand timeline %.12g s", got, want);
  /* native */
  og_graph *gn = og_new(n, 3, 256);
  uint32_t w[8], s[8];
  for (uint32_t r = 0; r < n; r++) {
    w[r] = og_compute(gn, r, 0, 0, 20 * US, 0);
    s[r] = og_send(gn, r, 1, 0, r, (r + 1) % n, 262144, 0, 0);
    og_dep(gn, w[r], s[r]);
  }
  for (uint32_t r = 0; r < n; r++) {
    uint32_t v = og_recv(gn, r, 1, 0, s[(r + n - 1) % n]);
    og_dep(gn, w[r], v);
    uint32_t t = og_compute(gn, r, 0, 0, 10 * US, 0);
    og_dep(gn, v, t);
  }
  assert_true(run_graph(gn, n) == ti);
  og_free(gn);
  og_free(gi);
  free(eps);
  free_set(R, n);
}

/* one collective node per rank, in memory */
static void one_coll(ck_rank *R, uint32_t n, uint32_t coll, uint64_t bytes) {
  for (uint32_t r = 0; r < n; r++) {
    ck_writer *w = ck_writer_mem("t");
    ck_attr a[] = {{"comm_type", CK_A_INT64, coll, NULL, 0}, {"comm_size", CK_A_INT64, (int64_t)bytes, NULL, 0}};
    ck_wnode x = {1, "c", CK_COLL, NULL, 0, NULL, 0, 0, a, 2};
    char err[256], name[64];
    if (ck_writer_node(w, &x, err, sizeof err) < 0) fail_msg("%s", err);
    size_t len;
    const uint8_t *b = ck_writer_bytes(w, &len);
    snprintf(name, sizeof name, "mem.%u.et", r);
    if (ck_parse(b, len, name, NULL, &R[r], err, sizeof err) < 0) fail_msg("%s", err);
    ck_writer_close(w, NULL, 0);
  }
}

static void test_ring_collectives_match_coll(void **state) {
  (void)state;
  const uint32_t n = 8;
  const uint32_t ck[3] = {CK_ALL_REDUCE, CK_ALL_GATHER, CK_REDUCE_SCATTER};
  const coll_op co[3] = {COLL_ALLREDUCE, COLL_ALLGATHER, COLL_REDUCESCATTER};
  uint32_t *eps = iota(n);
  for (int k = 0; k < 3; k++) {
    ck_rank R[8];
    one_coll(R, n, ck[k], 8u << 20);
    char err[512];
    ck_import_opts io = {eps, n, NULL, NULL};
    og_graph *gi = ck_import(R, &io, NULL, err, sizeof err);
    if (!gi) fail_msg("ck_import: %s", err);
    sim_time_ps ti = run_graph2(gi, n, 3);
    /* the ring's rule, op by op: step s's send at p starts at the later of p's receipt of step
     * s - 1 and its connection's previous delivery; after the slow endpoint 3 the receipt paces */
    uint32_t *snd = malloc(og_nops(gi) * sizeof *snd), ns = 0;
    for (uint32_t i = 0; i < og_nops(gi); i++)
      if (og_get(gi, i)->kind == OG_SEND) snd[ns++] = i;
    assert_int_equal(ns, (k == 0 ? 2 : 1) * (n - 1) * n);
    for (uint32_t st = 1; st < ns / n; st++)
      for (uint32_t p = 0; p < n; p++) {
        sim_time_ps rcpt = og_end_ps(gi, snd[(st - 1) * n + (p + n - 1) % n]), own = og_end_ps(gi, snd[(st - 1) * n + p]);
        sim_time_ps want = rcpt > own ? rcpt : own;
        if (og_start_ps(gi, snd[st * n + p]) != want)
          fail_msg("%s step %u position %u starts at %llu ps, want %llu", ck_coll_name(ck[k]), st, p,
                   (unsigned long long)og_start_ps(gi, snd[st * n + p]), (unsigned long long)want);
      }
    assert_true(og_end_ps(gi, snd[3]) > og_end_ps(gi, snd[4]));   /* 3's send is the slow one */
    free(snd);
    fix f = mk_star2(n, 3);
    coll_spec sp;
    coll_spec_init(&sp);
    sp.op = co[k];
    sp.nranks = n;
    sp.rings = eps;
    sp.bytes = 8u << 20;
    sp.flow_salt = 1;   /* the import's salt for collective 0 */
    coll_result cr;
    if (coll_run_once(f.n, &sp, &cr, err, sizeof err) < 0) fail_msg("coll_run_once: %s", err);
    if (cr.t_end - cr.t_start != ti)
      fail_msg("%s: imported %llu ps, coll.h's ring %llu ps", ck_coll_name(ck[k]), (unsigned long long)ti,
               (unsigned long long)(cr.t_end - cr.t_start));
    free_net(&f);
    og_free(gi);
    for (uint32_t r = 0; r < n; r++) ck_rank_free(&R[r]);
  }
  free(eps);
}

static void test_coll8_all_types(void **state) {
  (void)state;
  const uint32_t n = 8;
  ck_rank *R = read_set("coll8", n);
  uint32_t *eps = iota(n);
  char err[512];
  ck_import_opts io = {eps, n, NULL, NULL};
  ck_import_stats cs;
  og_graph *g = ck_import(R, &io, &cs, err, sizeof err);
  if (!g) fail_msg("ck_import: %s", err);
  assert_int_equal(cs.nodes, 8 * n);
  assert_int_equal(cs.comp, 3 * n);
  assert_int_equal(cs.mem, n);
  assert_int_equal(cs.meta, n);
  assert_int_equal(cs.coll, 3 * n);
  assert_int_equal(cs.messages, n * (2 * (n - 1)) + 2 * n * (n - 1));
  sim_time_ps t = run_graph(g, n);
  /* the host op (7 us, after the 3 us load) runs beside the GPU work, which is longer */
  int seen = 0;
  for (uint32_t i = 0; i < og_nops(g); i++) {
    const og_op *o = og_get(g, i);
    if (o->stream == CK_STREAM_HOST) {
      seen++;
      assert_true(og_start_ps(g, i) == 3 * US);
      assert_true(og_end_ps(g, i) == 10 * US);
    }
  }
  assert_int_equal(seen, n);
  assert_true(t > (3 + 30 + 5) * US);
  og_free(g);
  free(eps);
  free_set(R, n);
}

static int retime_cb(void *ctx, const ck_node *x, sim_time_ps *dur, uint8_t *src, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  (*(int *)ctx)++;
  *dur = (sim_time_ps)(x->num_ops / 1000000);   /* 1 ps per MFLOP */
  *src = 2;
  return 0;
}

static void test_inputs_move_result(void **state) {
  (void)state;
  const uint32_t n = 8;
  uint32_t *eps = iota(n);
  char err[512];
  sim_time_ps t[2];
  for (int k = 0; k < 2; k++) {
    ck_rank R[8];
    one_coll(R, n, CK_ALL_TO_ALL, (1u << 20) << (2 * k));
    ck_import_opts io = {eps, n, NULL, NULL};
    og_graph *g = ck_import(R, &io, NULL, err, sizeof err);
    if (!g) fail_msg("%s", err);
    t[k] = run_graph(g, n);
    og_free(g);
    for (uint32_t r = 0; r < n; r++) ck_rank_free(&R[r]);
  }
  assert_true(t[1] > 3 * t[0]);
  /* retime: a2a64's fwd carries num_ops = 2 x 4096 x 7168 x 2048; bwd has none and keeps 50 us */
  ck_rank *R = read_set("a2a64", 64);
  uint32_t *e64 = iota(64);
  int calls = 0;
  ck_import_opts io = {e64, 64, retime_cb, &calls};
  ck_import_stats cs;
  og_graph *g = ck_import(R, &io, &cs, err, sizeof err);
  if (!g) fail_msg("%s", err);
  assert_int_equal(calls, 64);
  assert_int_equal(cs.retimed, 64);
  uint64_t want = 2ull * 4096 * 7168 * 2048 / 1000000;
  int seen = 0;
  for (uint32_t i = 0; i < og_nops(g); i++) {
    const og_op *o = og_get(g, i);
    if (o->kind == OG_COMPUTE && o->src == 2) {
      assert_true(o->v.dur_ps == want);
      seen++;
    }
  }
  assert_int_equal(seen, 64);
  og_free(g);
  free(e64);
  free_set(R, 64);
  free(eps);
}

/* ---- refusals ---- */

typedef struct bad {
  uint8_t *b;
  size_t len;
} bad;
static bad one_node(const ck_wnode *x) {
  ck_writer *w = ck_writer_mem("t");
  char err[256];
  if (ck_writer_node(w, x, err, sizeof err) < 0) fail_msg("%s", err);
  size_t len;
  const uint8_t *p = ck_writer_bytes(w, &len);
  bad r = {malloc(len), len};
  memcpy(r.b, p, len);
  ck_writer_close(w, NULL, 0);
  return r;
}
static void refused(bad in, const char *want1, const char *want2) {
  ck_rank r;
  char err[512] = "";
  int rc = ck_parse(in.b, in.len, "bad.3.et", NULL, &r, err, sizeof err);
  if (rc >= 0) fail_msg("accepted; wanted a refusal with '%s'", want1);
  if (!strstr(err, "bad.3.et") || !strstr(err, want1) || (want2 && !strstr(err, want2)))
    fail_msg("message '%s' lacks 'bad.3.et', '%s' or '%s'", err, want1, want2 ? want2 : "");
  free(in.b);
}

static void test_refusals(void **state) {
  (void)state;
  ck_attr foo[] = {{"foo_bar", CK_A_INT64, 1, NULL, 0}};
  ck_wnode x = {42, "n", CK_COMP, NULL, 0, NULL, 0, 5, foo, 1};
  refused(one_node(&x), "node 42", "unknown attribute 'foo_bar'");
  x.nattrs = 0;
  x.type = 99;
  refused(one_node(&x), "node 42", "node type 99");
  x.type = CK_INVALID;
  refused(one_node(&x), "node 42", "node type 0");
  x.type = CK_COMP;
  ck_attr str[] = {{"num_ops", CK_A_STRING, 0, "many", 0}};
  x.attrs = str;
  x.nattrs = 1;
  refused(one_node(&x), "node 42", "num_ops must be an integer");
  x.nattrs = 0;
  uint64_t dep = 7;
  x.data_deps = &dep;
  x.ndata = 1;
  refused(one_node(&x), "node 42", "node 7, which is not in the file");
  x.ndata = 0;
  x.ctrl_deps = &dep;
  x.nctrl = 1;
  refused(one_node(&x), "node 42", "node 7");
  x.nctrl = 0;
  x.type = CK_SEND;
  refused(one_node(&x), "node 42", "needs attribute comm_dst");
  x.type = CK_COLL;
  ck_attr ct[] = {{"comm_type", CK_A_INT64, 99, NULL, 0}, {"comm_size", CK_A_INT64, 1, NULL, 0}};
  x.attrs = ct;
  x.nattrs = 2;
  refused(one_node(&x), "node 42", "comm_type 99");
  x.type = CK_COMP;
  x.nattrs = 0;
  /* duplicate id: two nodes 42 */
  {
    ck_writer *w = ck_writer_mem("t");
    char err[256];
    ck_writer_node(w, &x, err, sizeof err);
    ck_writer_node(w, &x, err, sizeof err);
    size_t len;
    const uint8_t *p = ck_writer_bytes(w, &len);
    bad d = {malloc(len), len};
    memcpy(d.b, p, len);
    ck_writer_close(w, NULL, 0);
    refused(d, "node 42", "twice");
  }
  /* truncated: the last byte cut */
  bad t = one_node(&x);
  t.len--;
  refused(t, "truncated", "node at byte");
  /* a length varint cut short */
  bad v = {malloc(2), 2};
  v.b[0] = 0x00;
  v.b[1] = 0x85;
  refused(v, "truncated inside a", NULL);
  bad z = {malloc(4), 4};
  memcpy(z.b, "\x1f\x8b\x08\x00", 4);
  refused(z, "gzip", NULL);
  bad e = {malloc(1), 0};
  refused(e, "empty", NULL);
  /* a message that is not a Node: field 3 (type) as a length-delimited field */
  bad p = one_node(&x);
  size_t ml = p.b[0];   /* GlobalMetadata length */
  p.b = realloc(p.b, ml + 1 + 4);
  p.b[ml + 1] = 3;
  p.b[ml + 2] = 0x1a;   /* field 3, wire type 2 */
  p.b[ml + 3] = 0x05;   /* 5 bytes, only 1 there */
  p.b[ml + 4] = 0x00;
  p.len = ml + 1 + 4;
  refused(p, "not a valid Chakra Node", NULL);
}

static void test_import_refusals(void **state) {
  (void)state;
  uint32_t eps[4] = {0, 1, 2, 3};
  char err[512];
  /* a send without a receive */
  ck_rank R[4];
  for (uint32_t r = 0; r < 2; r++) {
    ck_attr a[] = {{"comm_dst", CK_A_INT32, 1, NULL, 0}, {"comm_size", CK_A_INT64, 100, NULL, 0}};
    ck_wnode x = {5, "s", r == 0 ? CK_SEND : CK_COMP, NULL, 0, NULL, 0, 1, a, r == 0 ? 2 : 0};
    bad b = one_node(&x);
    char name[32];
    snprintf(name, sizeof name, "p2p.%u.et", r);
    if (ck_parse(b.b, b.len, name, NULL, &R[r], err, sizeof err) < 0) fail_msg("%s", err);
    free(b.b);
  }
  ck_import_opts io = {eps, 2, NULL, NULL};
  assert_null(ck_import(R, &io, NULL, err, sizeof err));
  if (!strstr(err, "p2p.0.et: node 5") || !strstr(err, "no matching COMM_RECV_NODE")) fail_msg("%s", err);
  /* a priority level the network model lacks */
  R[0].nodes[0].prio = NET_PRIO_LEVELS;
  assert_null(ck_import(R, &io, NULL, err, sizeof err));
  if (!strstr(err, "p2p.0.et: node 5") || !strstr(err, "comm_priority 4")) fail_msg("%s", err);
  R[0].nodes[0].prio = 0;
  /* a peer out of range */
  io.nranks = 1;
  assert_null(ck_import(R, &io, NULL, err, sizeof err));
  if (!strstr(err, "p2p.0.et: node 5") || !strstr(err, "out of range")) fail_msg("%s", err);
  ck_rank_free(&R[0]);
  ck_rank_free(&R[1]);
  /* collectives that disagree (size), and an unsupported one */
  one_coll(R, 2, CK_ALL_REDUCE, 1000);
  one_coll(R + 2, 2, CK_ALL_REDUCE, 2000);
  ck_rank M[2] = {R[0], R[3]};
  io.nranks = 2;
  assert_null(ck_import(M, &io, NULL, err, sizeof err));
  if (!strstr(err, "collective 0 disagrees") || !strstr(err, "mem.1.et: node 1")) fail_msg("%s", err);
  for (int i = 0; i < 4; i++) ck_rank_free(&R[i]);
  one_coll(R, 2, CK_BROADCAST, 1000);
  assert_null(ck_import(R, &io, NULL, err, sizeof err));
  if (!strstr(err, "mem.0.et: node 1") || !strstr(err, "BROADCAST is not supported")) fail_msg("%s", err);
  ck_rank_free(&R[0]);
  ck_rank_free(&R[1]);
}

static void test_cycle_named(void **state) {
  (void)state;
  /* node 1 waits for node 2, which the compute stream runs after node 1: a cycle, named by node id */
  ck_writer *w = ck_writer_mem("t");
  char err[512];
  uint64_t d2 = 2;
  ck_wnode a = {1, "first", CK_COMP, &d2, 1, NULL, 0, 1, NULL, 0}, b = {2, "second", CK_COMP, NULL, 0, NULL, 0, 1, NULL, 0};
  ck_writer_node(w, &a, err, sizeof err);
  ck_writer_node(w, &b, err, sizeof err);
  size_t len;
  const uint8_t *p = ck_writer_bytes(w, &len);
  ck_rank r;
  if (ck_parse(p, len, "cyc.0.et", NULL, &r, err, sizeof err) < 0) fail_msg("%s", err);
  ck_writer_close(w, NULL, 0);
  uint32_t ep = 0;
  ck_import_opts io = {&ep, 1, NULL, NULL};
  og_graph *g = ck_import(&r, &io, NULL, err, sizeof err);
  if (!g) fail_msg("%s", err);
  assert_true(og_finalize(g, err, sizeof err) < 0);
  if (!strstr(err, "node 1 first") || !strstr(err, "node 2 second")) fail_msg("cycle message '%s'", err);
  og_free(g);
  ck_rank_free(&r);
}

static void test_read_fields(void **state) {
  (void)state;
  /* read a checked-in file, write its nodes again, compare the bytes */
  char path[1024], err[512];
  snprintf(path, sizeof path, "%s/chakra/ring8/ring8.3.et", CS_TEST_DATA);
  ck_rank r;
  if (ck_read(path, NULL, &r, err, sizeof err) < 0) fail_msg("%s", err);
  assert_int_equal(r.nnodes, 4);
  assert_int_equal(r.nodes[1].type, CK_SEND);
  assert_int_equal(r.nodes[1].comm_dst, 4);
  assert_int_equal(r.nodes[2].comm_src, 2);
  assert_int_equal(r.nodes[2].comm_tag, 7);
  assert_int_equal(r.nodes[1].comm_size, 256 << 10);
  assert_string_equal(r.names + r.nodes[3].name_off, "tail");
  assert_int_equal(r.nodes[3].dur_us, 10);
  ck_rank_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_a2a64_matches_native),
    cmocka_unit_test(test_ring8_sendrecv),
    cmocka_unit_test(test_ring_collectives_match_coll),
    cmocka_unit_test(test_coll8_all_types),
    cmocka_unit_test(test_inputs_move_result),
    cmocka_unit_test(test_refusals),
    cmocka_unit_test(test_import_refusals),
    cmocka_unit_test(test_cycle_named),
    cmocka_unit_test(test_read_fields),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
