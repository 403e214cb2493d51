/* wl_decode.c: a decode step as an op graph (see wl_decode.h). */
#include "wl_decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const opk_names[WL_DECODE_OPK_COUNT] = {"attn", "gate", "experts", "shared", "dense_ffn",
                                                           "lm_head"};

const char *wl_decode_opk_name(wl_decode_opk k) { return (unsigned)k < WL_DECODE_OPK_COUNT ? opk_names[k] : "?"; }

int wl_decode_check(const wl_decode_spec *s, char *err, size_t errlen) {
  if (s->layers < 1) return snprintf(err, errlen, "layers: 0; allowed: 1 or more"), -1;
  if (s->dense_layers > s->layers)
    return snprintf(err, errlen, "dense_layers: %u is more than layers (%u); allowed: 0 .. %u", s->dense_layers,
                    s->layers, s->layers), -1;
  if (s->micro_batches < 1 || s->micro_batches > 2)
    return snprintf(err, errlen, "micro_batches: %u; allowed: 1 or 2", s->micro_batches), -1;
  if (s->overlap && s->micro_batches != 2)
    return snprintf(err, errlen, "overlap: dual micro-batch overlap needs micro_batches: 2 (got %u)", s->micro_batches),
           -1;
  if (!s->ep.low_latency) return snprintf(err, errlen, "low_latency: decode uses the low-latency EP mode (1)"), -1;
  if (s->ep.tokens < 1)
    return snprintf(err, errlen, "tokens_per_gpu: 0; allowed: 1 or more tokens per GPU per micro-batch"), -1;
  if (s->ep.ranks >= 2 && s->ep.experts % s->ep.ranks)
    return snprintf(err, errlen,
                    "ep_size: %u GPUs do not divide the %u routed experts; allowed: a divisor of the experts, or add "
                    "redundant_experts so that experts + redundant is a multiple of ep_size",
                    s->ep.ranks, s->ep.experts), -1;
  return wl_ep_check(&s->ep, err, errlen);
}

int wl_decode_route_spread(const wl_ep_spec *s, uint16_t *routing, char *err, size_t errlen) {
  uint32_t R = s->ranks, k = s->experts_per_token;
  if (s->experts != R)
    return snprintf(err, errlen, "experts: %u; the spread routing holds one expert per GPU (experts = ranks = %u)",
                    s->experts, R), -1;
  if (k + 1 > R) return snprintf(err, errlen, "experts_per_token: %u; allowed: at most ranks - 1 (%u)", k, R - 1), -1;
  for (uint32_t r = 0; r < R; r++)
    for (uint32_t t = 0; t < s->tokens; t++)
      for (uint32_t j = 0; j < k; j++) {
        uint64_t off = 1 + ((uint64_t)t * k + j) % (R - 1);
        routing[((size_t)r * s->tokens + t) * k + j] = (uint16_t)((r + off) % R);
      }
  return 0;
}

typedef struct bld {
  og_graph *g;
  const wl_decode_spec *s;
  uint8_t cat[WL_DECODE_OPK_COUNT];
  uint32_t *prev;   /* per rank: the op the next one must wait for in the no-overlap schedule (OG_NONE: none) */
} bld;

static uint32_t comp(bld *b, uint32_t r, wl_decode_opk k, uint32_t l, uint32_t m, uint32_t after) {
  uint32_t op = og_compute(b->g, r, 0, b->cat[k], b->s->dur[m][k].ps, 0);
  og_set_src(b->g, op, b->s->dur[m][k].src);
  if (r == 0) og_name(b->g, op, "L%u.mb%u.%s", l, m, opk_names[k]);
  if (after != OG_NONE) og_dep(b->g, after, op);
  if (!b->s->overlap && b->prev[r] != OG_NONE) og_dep(b->g, b->prev[r], op);
  b->prev[r] = op;
  return op;
}

static int phase(bld *b, const uint16_t *rt, int combine, const uint32_t *start, uint32_t *done, uint64_t *msgs,
                 double *bytes, char *err, size_t errlen) {
  uint32_t n0 = og_nops(b->g);
  wl_ep_place pl = {NULL, start, done, 1};
  if (wl_ep_append(b->g, &b->s->ep, rt, combine, &pl, NULL, err, errlen) < 0) return -1;
  for (uint32_t op = n0; op < og_nops(b->g); op++) {
    const og_op *p = og_get(b->g, op);
    if (p->kind != OG_SEND) continue;
    (*msgs)++;
    *bytes += p->v.bytes;
  }
  if (!b->s->overlap)
    for (uint32_t r = 0; r < b->s->ep.ranks; r++) b->prev[r] = done[r];
  return 0;
}

og_graph *wl_decode_graph(const wl_decode_spec *s, const uint16_t *const *routings, wl_decode_info *info, char *err,
                          size_t errlen) {
  if (wl_decode_check(s, err, errlen) < 0) return NULL;
  uint32_t R = s->ep.ranks, M = s->micro_batches, L = s->layers;
  memset(info, 0, sizeof *info);
  info->layers = L;
  info->msgs = calloc(L, sizeof *info->msgs);
  info->bytes = calloc(L, sizeof *info->bytes);
  info->first_op = calloc(L + 1, sizeof *info->first_op);
  info->end_s = calloc(L, sizeof *info->end_s);
  info->compute_s = calloc(L, sizeof *info->compute_s);
  info->exposed_s = calloc(L, sizeof *info->exposed_s);
  bld b = {og_new(R, 2, (size_t)L * M * R * 16 + 1024), s, {0}, malloc(R * sizeof(uint32_t))};
  uint32_t *ready[2], *start = malloc(R * sizeof *start), *done = malloc(R * sizeof *done);
  if (!info->msgs || !info->bytes || !info->first_op || !info->end_s || !info->compute_s || !info->exposed_s ||
      !b.prev || !start || !done)
    abort();
  for (uint32_t m = 0; m < 2; m++) {
    ready[m] = malloc(R * sizeof *ready[m]);
    if (!ready[m]) abort();
    for (uint32_t r = 0; r < R; r++) ready[m][r] = OG_NONE;
  }
  for (uint32_t r = 0; r < R; r++) b.prev[r] = OG_NONE;
  for (int k = 0; k < WL_DECODE_OPK_COUNT; k++) b.cat[k] = og_cat(b.g, opk_names[k]);
  uint32_t *gate[2], *disp[2];
  for (uint32_t m = 0; m < 2; m++) {
    gate[m] = malloc(R * sizeof(uint32_t));
    disp[m] = malloc(R * sizeof(uint32_t));
    if (!gate[m] || !disp[m]) abort();
  }
  int rc = 0;
  for (uint32_t l = 0; l < L && rc == 0; l++) {
    info->first_op[l] = og_nops(b.g);
    int moe = l >= s->dense_layers;
    if (!moe) {
      for (uint32_t m = 0; m < M; m++)
        for (uint32_t r = 0; r < R; r++) {
          comp(&b, r, WL_DECODE_ATTN, l, m, ready[m][r]);
          ready[m][r] = comp(&b, r, WL_DECODE_DENSE_FFN, l, m, OG_NONE);
        }
      continue;
    }
    const uint16_t *const *rt = routings + (size_t)(l - s->dense_layers) * M;
    /* attention and gate of every micro-batch, each followed by its dispatch (overlap), or the whole
     * micro-batch in sequence (no overlap: comp() chains every op after the previous one). */
    for (uint32_t m = 0; m < M && rc == 0; m++) {
      for (uint32_t r = 0; r < R; r++) {
        comp(&b, r, WL_DECODE_ATTN, l, m, ready[m][r]);
        gate[m][r] = comp(&b, r, WL_DECODE_GATE, l, m, OG_NONE);
      }
      rc = phase(&b, rt[m], 0, gate[m], disp[m], &info->msgs[l], &info->bytes[l], err, errlen);
      if (rc == 0 && !s->overlap) {   /* micro-batch m's experts and combine before the next one's attention */
        for (uint32_t r = 0; r < R; r++) {
          comp(&b, r, WL_DECODE_EXPERTS, l, m, disp[m][r]);
          start[r] = comp(&b, r, WL_DECODE_SHARED, l, m, OG_NONE);
        }
        rc = phase(&b, rt[m], 1, start, ready[m], &info->msgs[l], &info->bytes[l], err, errlen);
      }
    }
    if (s->overlap)
      for (uint32_t m = 0; m < M && rc == 0; m++) {
        for (uint32_t r = 0; r < R; r++) {
          comp(&b, r, WL_DECODE_EXPERTS, l, m, disp[m][r]);
          start[r] = comp(&b, r, WL_DECODE_SHARED, l, m, OG_NONE);
        }
        rc = phase(&b, rt[m], 1, start, ready[m], &info->msgs[l], &info->bytes[l], err, errlen);
      }
  }
  info->first_op[L] = og_nops(b.g);
  if (rc == 0)
    for (uint32_t m = 0; m < M; m++)
      for (uint32_t r = 0; r < R; r++) comp(&b, r, WL_DECODE_LM_HEAD, L, m, ready[m][r]);
  for (uint32_t m = 0; m < 2; m++) free(ready[m]), free(gate[m]), free(disp[m]);
  free(start);
  free(done);
  free(b.prev);
  if (rc < 0) {
    og_free(b.g);
    wl_decode_info_free(info);
    return NULL;
  }
  return b.g;
}

void wl_decode_measure(const og_graph *g, const og_stats *st, wl_decode_info *info) {
  double t0 = (double)st->t_start, prev_end = t0;
  for (uint32_t l = 0; l < info->layers; l++) {
    sim_time_ps end = st->t_start;
    double busy = 0;
    for (uint32_t op = info->first_op[l]; op < info->first_op[l + 1]; op++) {
      if (og_end_ps(g, op) > end) end = og_end_ps(g, op);
      const og_op *p = og_get(g, op);
      if (p->kind == OG_COMPUTE && p->rank == 0) busy += (double)(og_end_ps(g, op) - og_start_ps(g, op));
    }
    info->end_s[l] = ((double)end - t0) / (double)SIM_PS_PER_S;
    info->compute_s[l] = busy / (double)SIM_PS_PER_S;
    double span = ((double)end - prev_end) / (double)SIM_PS_PER_S;
    info->exposed_s[l] = span > info->compute_s[l] ? span - info->compute_s[l] : 0;
    prev_end = (double)end;
  }
  info->step_s = (double)(st->t_end - st->t_start) / (double)SIM_PS_PER_S;
}

void wl_decode_info_free(wl_decode_info *info) {
  free(info->msgs);
  free(info->bytes);
  free(info->first_op);
  free(info->end_s);
  free(info->compute_s);
  free(info->exposed_s);
  memset(info, 0, sizeof *info);
}

typedef struct acc {
  const comp_model *cm;
  sim_time_ps ps;
  int src;
  int any;
  char *what;
  size_t whatlen;
} acc;

static int add_q(acc *a, comp_op op, const char *dtype, int64_t d0, int64_t d1, int64_t d2, int64_t d3, char *err,
                 size_t errlen) {
  if (d0 < 1 || d1 < 1) return 0;   /* no work (e.g. no shared expert) */
  comp_query q = {op, NULL, dtype, {d0, d1, d2, d3}, 0, 0};
  comp_result r;
  if (comp_duration(a->cm, &q, &r, err, errlen) < 0) return -1;
  a->ps += r.time_ps;
  if (!a->any || (int)r.source > a->src) a->src = (int)r.source;
  a->any = 1;
  if (a->what && a->whatlen) {
    size_t n = strlen(a->what);
    if (n < a->whatlen)
      snprintf(a->what + n, a->whatlen - n, "  %s(%lld,%lld,%lld,%lld)=%s %.3f us\n", comp_op_name(op), (long long)d0,
               (long long)d1, (long long)d2, (long long)d3, comp_source_name(r.source), r.time_s * 1e6);
  }
  return 0;
}

int wl_decode_fill_compute(wl_decode_spec *s, const comp_model *cm, const llm_config *mc, int64_t context,
                           double tokens_per_expert, uint32_t experts_per_gpu, char *what, size_t whatlen, char *err,
                           size_t errlen) {
  int64_t B = s->ep.tokens, d = mc->hidden_size, H = mc->num_heads;
  if (B < 1) return snprintf(err, errlen, "tokens_per_gpu: 0; allowed: 1 or more tokens per GPU"), -1;
  if (context < 1) return snprintf(err, errlen, "context: %lld; allowed: 1 or more tokens", (long long)context), -1;
  const char *f8 = "fp8_e4m3";
  int64_t tpe = (int64_t)(tokens_per_expert + 0.5);
  if (tpe < 1) tpe = 1;
  int64_t ffn_mult = mc->gated_mlp ? 2 : 1;
  if (what && whatlen) what[0] = 0;
  for (int k = 0; k < WL_DECODE_OPK_COUNT; k++) {
    acc a = {cm, 0, COMP_SRC_TRACE_EXACT, 0, what, whatlen};
    int rc = 0;
    switch ((wl_decode_opk)k) {
      case WL_DECODE_ATTN:
        if (mc->attention == LLM_ATTN_MLA) {
          int64_t qk = mc->qk_nope_head_dim + mc->qk_rope_head_dim;
          rc = add_q(&a, COMP_OP_MLA_DECODE, NULL, B, context, H, 0, err, errlen);
          if (!rc && mc->q_lora_rank > 0) {
            rc = add_q(&a, COMP_OP_GEMM, f8, B, mc->q_lora_rank, d, 0, err, errlen);
            if (!rc) rc = add_q(&a, COMP_OP_GEMM, f8, B, H * qk, mc->q_lora_rank, 0, err, errlen);
          } else if (!rc) {
            rc = add_q(&a, COMP_OP_GEMM, f8, B, H * qk, d, 0, err, errlen);
          }
          if (!rc) rc = add_q(&a, COMP_OP_GEMM, f8, B, mc->kv_lora_rank + mc->qk_rope_head_dim, d, 0, err, errlen);
          if (!rc) rc = add_q(&a, COMP_OP_GEMM, f8, B, d, H * mc->v_head_dim, 0, err, errlen);
        } else {
          int64_t hd = mc->head_dim, kvh = mc->num_kv_heads;
          rc = add_q(&a, COMP_OP_GEMM, f8, B, (H + 2 * kvh) * hd, d, 0, err, errlen);
          if (!rc) rc = add_q(&a, COMP_OP_GEMM, f8, B, d, H * hd, 0, err, errlen);
          if (!rc) {   /* decode attention: read K and V of every KV head (BF16), 4 FLOPs per (q head, position, dim) */
            double bq = (double)B, ctx = (double)context, dh = (double)hd;
            comp_query q = {COMP_OP_COPY, NULL, "bf16", {1, 0, 0, 0}, 4.0 * bq * (double)H * ctx * dh,
                            2.0 * bq * ctx * (double)kvh * dh * 2};
            comp_result r;
            comp_model roof = *cm;
            roof.trace = NULL;
            rc = comp_duration(&roof, &q, &r, err, errlen);
            if (!rc && what && whatlen && strlen(what) < whatlen)
              snprintf(what + strlen(what), whatlen - strlen(what), "  gqa_decode(roofline)=roofline %.3f us\n",
                       r.time_s * 1e6);
            if (!rc) {
              a.ps += r.time_ps;
              a.src = COMP_SRC_ROOFLINE;
              a.any = 1;
            }
          }
        }
        break;
      case WL_DECODE_GATE: rc = add_q(&a, COMP_OP_GEMM, f8, B, mc->num_experts, d, 0, err, errlen); break;
      case WL_DECODE_EXPERTS:
        rc = add_q(&a, COMP_OP_MOE_FFN, NULL, tpe, experts_per_gpu, d, mc->moe_ffn_hidden_size, err, errlen);
        break;
      case WL_DECODE_SHARED:
        rc = add_q(&a, COMP_OP_MOE_FFN, NULL, B, mc->num_shared_experts, d, mc->moe_ffn_hidden_size, err, errlen);
        break;
      case WL_DECODE_DENSE_FFN:
        rc = add_q(&a, COMP_OP_GEMM, f8, B, ffn_mult * mc->ffn_hidden_size, d, 0, err, errlen);
        if (!rc) rc = add_q(&a, COMP_OP_GEMM, f8, B, d, mc->ffn_hidden_size, 0, err, errlen);
        break;
      case WL_DECODE_LM_HEAD: rc = add_q(&a, COMP_OP_GEMM, f8, B, mc->vocab_size, d, 0, err, errlen); break;
      default: break;
    }
    if (rc < 0) return -1;
    for (uint32_t m = 0; m < 2; m++) {
      s->dur[m][k].ps = a.ps;
      s->dur[m][k].src = (uint8_t)a.src;
    }
    if (what && whatlen) {
      size_t n = strlen(what);
      if (n < whatlen)
        snprintf(what + n, whatlen - n, "%s=%s %.3f us (least exact source of its kernels above)\n", opk_names[k], a.any ? comp_source_name((comp_source)a.src) : "none",
                 (double)a.ps / (double)SIM_PS_PER_US);
    }
  }
  return 0;
}
