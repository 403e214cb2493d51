/* test_wl_decode.c: the decode step (models/wl_decode.c) run by the op-graph executor on the flow
 * network: the idealised TPOT bound of paper section 2.3.2 from the event timeline.
 *
 * Idealised case (2.3.2): one expert per GPU, 32 tokens per GPU per micro-batch, each token sent to 8 routed
 * + 1 shared expert on other GPUs (the spread routing), hidden 7000 ("about 7K"; 7000 reproduces the
 * paper's 120.96 us), dispatch FP8 without scales and combine BF16, compute zero, two micro-batches.
 *   IB: hosts of one GPU on a two-level fat tree, NIC and fabric 50 GB/s effective, no latency:
 *       paper 14.76 ms for 61 layers.
 *   NVL72: 72 GPUs on one NVSwitch at 900 GB/s per GPU per direction; compute per micro-batch equal to the
 *       communication of one EP step (the paper's assumption), that step measured from a first run:
 *       paper 0.82 ms.
 * Hand count per MoE layer: 64 ranks x 63 destinations x 2 phases x 2 micro-batches messages and
 * 2 x 64 x 32 x 9 x 7000 x (1 + 2) bytes. Responses: halve the NIC bandwidth, double the tokens, 6+2
 * experts, 60 layers. */
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
#include "og.h"
#include "wl_decode.h"

#define MAXR 128

typedef struct fix {
  topo_graph *g;
  sim_engine *e;
  net_model *n;
  uint32_t eps[MAXR];
  uint32_t ranks;
} fix;

/* ib = 1: ranks hosts of 1 GPU on an FT2 at nic_Bps; 0: one NVL72 domain of 18 x 4 GPUs at nic_Bps NVLink. */
static void mk(fix *f, int ib, uint32_t ranks, double bw) {
  topo_spec sp;
  topo_spec_init(&sp);
  sp.node.gpus_per_pcie_switch = 1;
  sp.node.pcie = (topo_link_spec){TOPO_PCIE, 64e9, 0};
  if (ib) {
    sp.family = TOPO_FT2;
    sp.radix = 64;
    sp.endpoints = (int)ranks;
    sp.fabric = (topo_link_spec){TOPO_IB, bw, 0};
    sp.node.gpus = 1;
    sp.node.nvlink_domain = 1;
    sp.node.nvlink = (topo_link_spec){TOPO_NVLINK, 400e9, 0};
    sp.node.nic = (topo_link_spec){TOPO_IB, bw, 0};
  } else {
    sp.family = TOPO_NODE;
    sp.node.gpus = 4;
    sp.node.nvlink_domain = 72;
    sp.node.nvlink = (topo_link_spec){TOPO_NVLINK, bw, 0};
    sp.node.nic = (topo_link_spec){TOPO_IB, 50e9, 0};
  }
  sp.layout = (topo_layout_spec){0.6, 1.2, 2.0, 1.0, 2.0, 0};
  tfix_net nf;
  tfix_net_new(&sp, &nf);
  f->g = nf.g;
  f->e = nf.e;
  f->n = nf.n;
  f->ranks = f->g->n_endpoints;
  assert_int_equal(f->ranks, ranks);
  for (uint32_t i = 0; i < f->ranks; i++) f->eps[i] = i;
}
static void unmk(fix *f) {
  tfix_net nf = {f->g, f->e, f->n};
  tfix_net_free(&nf);
}

static wl_decode_spec ideal(const fix *f, uint32_t tokens, uint32_t k, uint32_t layers) {
  wl_decode_spec s;
  memset(&s, 0, sizeof s);
  s.ep = (wl_ep_spec){f->g, f->eps, f->ranks, tokens, 7000, f->ranks, k, 1, 0, 0, 1, 0, 2, 128, 1, 1e12, 1};
  s.layers = layers;
  s.micro_batches = 2;
  s.overlap = 1;
  s.shared_remote = 1;
  return s;
}

typedef struct res {
  double step_s;
  uint64_t msgs0;
  double bytes0;
} res;

static res run(fix *f, const wl_decode_spec *s) {
  char err[512];
  uint32_t moe = s->layers - s->dense_layers, M = s->micro_batches;
  uint16_t *rt = malloc((size_t)f->ranks * s->ep.tokens * s->ep.experts_per_token * sizeof *rt);
  if (wl_decode_route_spread(&s->ep, rt, err, sizeof err) < 0) fail_msg("route: %s", err);
  const uint16_t **rts = malloc((size_t)moe * M * sizeof *rts);
  for (size_t i = 0; i < (size_t)moe * M; i++) rts[i] = rt;
  wl_decode_info info;
  og_graph *g = wl_decode_graph(s, rts, &info, err, sizeof err);
  if (!g) fail_msg("wl_decode_graph: %s", err);
  og_exec_opts o = {132, NULL, NULL};
  og_stats st;
  if (og_finalize(g, err, sizeof err) < 0 || og_run(g, f->n, f->e, &o, &st, err, sizeof err) < 0)
    fail_msg("run: %s", err);
  wl_decode_measure(g, &st, &info);
  res r = {info.step_s, info.msgs[s->dense_layers], info.bytes[s->dense_layers]};
  /* the step ends after the last layer, at most the LM heads later (A's head may run under B's combine) */
  double head = 0;
  for (uint32_t m = 0; m < M; m++) head += (double)s->dur[m][WL_DECODE_LM_HEAD].ps / (double)SIM_PS_PER_S;
  assert_true(info.step_s >= info.end_s[s->layers - 1] - 1e-12);
  assert_true(info.step_s <= info.end_s[s->layers - 1] + head + 1e-12);
  if (head == 0) assert_true(fabs(info.end_s[s->layers - 1] - info.step_s) < 1e-12);
  wl_decode_info_free(&info);
  og_free(g);
  free(rts);
  free(rt);
  return r;
}

#define REL(a, b, tol) assert_true(fabs((a) / (b) - 1.0) < (tol))

static double ib_case(double bw, uint32_t tokens, uint32_t k, uint32_t layers, res *out) {
  fix f;
  mk(&f, 1, 64, bw);
  wl_decode_spec s = ideal(&f, tokens, k, layers);
  res r = run(&f, &s);
  unmk(&f);
  if (out) *out = r;
  return r.step_s;
}

static void test_ib_bound(void **st) {
  (void)st;
  res r;
  double t = ib_case(50e9, 32, 9, 61, &r);
  printf("idealised IB TPOT %.4f ms (paper 14.76)\n", t * 1e3);
  REL(t, 14.76e-3, 0.01);
  assert_int_equal(r.msgs0, (uint64_t)64 * 63 * 2 * 2);
  REL(r.bytes0, 2.0 * 64 * 32 * 9 * 7000 * 3, 1e-9);
}

static void test_ib_responds(void **st) {
  (void)st;
  double base = ib_case(50e9, 32, 9, 61, NULL);
  REL(ib_case(25e9, 32, 9, 61, NULL), 2 * base, 0.01);          /* half the NIC bandwidth: twice the bound */
  REL(ib_case(50e9, 64, 9, 61, NULL), 2 * base, 0.01);          /* twice the tokens */
  REL(ib_case(50e9, 32, 8, 61, NULL), base * 8.0 / 9.0, 0.01);  /* 6 routed + 2 shared = 8 copies */
  REL(ib_case(50e9, 32, 9, 60, NULL), base * 60.0 / 61.0, 0.005);
}

static void test_no_overlap_not_faster(void **st) {
  (void)st;
  fix f;
  mk(&f, 1, 64, 50e9);
  wl_decode_spec s = ideal(&f, 32, 9, 4);
  for (int m = 0; m < 2; m++)
    for (int k = 0; k < WL_DECODE_OPK_COUNT; k++) s.dur[m][k].ps = 20 * SIM_PS_PER_US;
  double ov = run(&f, &s).step_s;
  s.overlap = 0;
  double no = run(&f, &s).step_s;
  unmk(&f);
  /* no overlap: per MoE layer and micro-batch 4 x 20 us compute + the 120.96 us of its EP step */
  REL(no, 4 * 2 * (80e-6 + 120.96e-6) + 2 * 20e-6, 0.01);
  assert_true(ov < 0.8 * no);
}

/* One EP phase alone (standalone wl_ep graph on the executor): seconds. */
static double phase_s(fix *f, const wl_ep_spec *ep, const uint16_t *rt, int combine) {
  char err[512];
  og_graph *g = wl_ep_graph(ep, rt, combine, NULL, err, sizeof err);
  if (!g) fail_msg("wl_ep_graph: %s", err);
  og_exec_opts o = {132, NULL, NULL};
  og_stats st;
  if (og_finalize(g, err, sizeof err) < 0 || og_run(g, f->n, f->e, &o, &st, err, sizeof err) < 0)
    fail_msg("run: %s", err);
  og_free(g);
  return (double)(st.t_end - st.t_start) / (double)SIM_PS_PER_S;
}

/* NVL72, computation equal to communication: each compute stage lasts as long as the other micro-batch's
 * communication stage it hides (attn A under combine B of the layer before, attn B under dispatch A,
 * experts A under dispatch B, experts B under combine A), the dispatch and combine times measured on
 * the executor first. */
static void test_nvl72_bound(void **st) {
  (void)st;
  fix f;
  mk(&f, 0, 72, 900e9);
  wl_decode_spec s = ideal(&f, 32, 9, 1);
  s.micro_batches = 1;
  s.overlap = 0;
  double step = run(&f, &s).step_s;   /* one EP step: dispatch + combine of one micro-batch */
  printf("NVL72 EP step %.3f us (paper 6.72)\n", step * 1e6);
  REL(step, 6.72e-6, 0.01);
  uint16_t *rt = malloc((size_t)72 * 32 * 9 * sizeof *rt);
  char err[512];
  if (wl_decode_route_spread(&s.ep, rt, err, sizeof err) < 0) fail_msg("%s", err);
  double d = phase_s(&f, &s.ep, rt, 0), c = phase_s(&f, &s.ep, rt, 1);
  free(rt);
  REL(d + c, step, 1e-6);
  s = ideal(&f, 32, 9, 61);
  sim_time_ps dps = (sim_time_ps)llround(d * (double)SIM_PS_PER_S), cps = (sim_time_ps)llround(c * (double)SIM_PS_PER_S);
  s.dur[0][WL_DECODE_ATTN].ps = cps;
  s.dur[1][WL_DECODE_ATTN].ps = dps;
  s.dur[0][WL_DECODE_EXPERTS].ps = dps;
  s.dur[1][WL_DECODE_EXPERTS].ps = cps;
  double t = run(&f, &s).step_s;
  printf("idealised NVL72 TPOT %.4f ms (paper 0.82)\n", t * 1e3);
  REL(t, 0.82e-3, 0.01);
  /* the same compute split evenly inside each micro-batch: the 4-stage pipeline cannot hide a combine
   * twice as long as the dispatch, so the step is longer */
  for (int m = 0; m < 2; m++) {
    s.dur[m][WL_DECODE_ATTN].ps = (dps + cps) / 2;
    s.dur[m][WL_DECODE_EXPERTS].ps = (dps + cps) - (dps + cps) / 2;
  }
  assert_true(run(&f, &s).step_s > 1.1 * t);
  unmk(&f);
}

static void test_bad_input(void **st) {
  (void)st;
  fix f;
  mk(&f, 1, 64, 50e9);
  char err[512];
  wl_decode_info info;
  wl_decode_spec s = ideal(&f, 0, 9, 61);
  assert_null(wl_decode_graph(&s, NULL, &info, err, sizeof err));
  assert_non_null(strstr(err, "tokens_per_gpu"));
  s = ideal(&f, 32, 9, 61);
  s.ep.experts = 100;
  assert_null(wl_decode_graph(&s, NULL, &info, err, sizeof err));
  assert_non_null(strstr(err, "redundant_experts"));
  s = ideal(&f, 32, 9, 61);
  s.micro_batches = 1;
  assert_null(wl_decode_graph(&s, NULL, &info, err, sizeof err));
  assert_non_null(strstr(err, "overlap"));
  unmk(&f);
}

/* Real compute: DeepSeek-V3 shapes on the H100 trace via the H800 preset (scenarios/hardware/gpu-h800.yaml). */
static void test_fill_compute_trace(void **st) {
  (void)st;
  static const comp_gpu h800 = {"h800", 132, 1830e6, 989.4e12, 1978.9e12, 3.35e12, "h100"};
  llm_config v3 = {"DeepSeek-V3", LLM_ATTN_MLA, 61, 7168, 129280, 128, 0, 0, 1536, 512, 128, 64, 128, 18432, 1,
                   256, 8, 2048, 1, 3, 1};
  comp_trace *tr;
  char err[512], what[1024];
  if (comp_trace_load(CS_SOURCE_DIR "/results/traces/h100.csv", &tr, err, sizeof err) < 0) {
    printf("no trace (%s): skipped\n", err);
    return;
  }
  comp_model cm;
  if (comp_model_init(&cm, &h800, tr, err, sizeof err) < 0) fail_msg("%s", err);
  fix f;
  mk(&f, 1, 64, 50e9);
  wl_decode_spec s = ideal(&f, 32, 8, 61);
  if (wl_decode_fill_compute(&s, &cm, &v3, 4096, 32.0 * 8, 1, what, sizeof what, err, sizeof err) < 0)
    fail_msg("fill: %s", err);
  printf("%s", what);
  for (int k = 0; k < WL_DECODE_OPK_COUNT; k++) {
    assert_true(s.dur[0][k].ps > 0);
    assert_true(s.dur[0][k].ps == s.dur[1][k].ps);
  }
  /* MLA decode at batch 32, context 4096 is a measured row; the trace's GEMMs start at M = 128, so the
   * batch-32 projections come from the roofline and make the attention op's source roofline */
  assert_non_null(strstr(what, "mla_decode(32,4096,128,0)=trace_exact"));
  assert_non_null(strstr(what, "gemm(32,1536,7168,0)=roofline"));
  assert_true(s.dur[0][WL_DECODE_ATTN].src == COMP_SRC_ROOFLINE);
  sim_time_ps a4k = s.dur[0][WL_DECODE_ATTN].ps;
  if (wl_decode_fill_compute(&s, &cm, &v3, 16384, 32.0 * 8, 1, NULL, 0, err, sizeof err) < 0) fail_msg("%s", err);
  assert_true(s.dur[0][WL_DECODE_ATTN].ps > a4k);   /* longer context: longer MLA */
  /* a step with this compute, on the executor: no faster than its compute alone nor than the ideal bound */
  s.dense_layers = 3;
  res r = run(&f, &s);
  double comp_s = 0;
  for (int m = 0; m < 2; m++)
    for (int k = 0; k < WL_DECODE_OPK_COUNT; k++) {
      double per = (double)s.dur[m][k].ps / (double)SIM_PS_PER_S;
      int n = k == WL_DECODE_LM_HEAD ? 1 : k == WL_DECODE_DENSE_FFN ? 3 : (k == WL_DECODE_ATTN) ? 61 : 58;
      comp_s += per * n;
    }
  printf("real-compute step %.3f ms, compute alone %.3f ms\n", r.step_s * 1e3, comp_s * 1e3);
  assert_true(r.step_s >= comp_s * (1 - 1e-9));
  unmk(&f);
  comp_trace_free(tr);
}

int main(void) {
  const struct CMUnitTest t[] = {
    cmocka_unit_test(test_ib_bound),
    cmocka_unit_test(test_ib_responds),
    cmocka_unit_test(test_no_overlap_not_faster),
    cmocka_unit_test(test_nvl72_bound),
    cmocka_unit_test(test_bad_input),
    cmocka_unit_test(test_fill_compute_trace),
  };
  return cmocka_run_group_tests(t, NULL, NULL);
}
