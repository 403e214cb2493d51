/* exp_llm.c: experiment `llm`: KV-cache bytes and training FLOPs of an LLM config
 * (paper Tables 1 and 2, KV cache versus context length). */
#include <stdio.h>
#include <string.h>

#include "exp.h"
#include "exp_hw.h"
#include "llm.h"

static const char *const attn_vals[] = {"mha", "gqa", "mla", NULL};
static const char *const dtype_vals[] = {"fp32", "bf16", "fp16", "fp8", NULL};
static const char *const conv_vals[] = {"auto", "megatron", "dense_6n", NULL};

#define POS(nm, help) {nm, SCEN_INT, help, NULL, 1, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL}
#define NONNEG(nm, help) {nm, SCEN_INT, help, "0", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL}

/* The LLM preset schema (scenarios/models/<name>.yaml). */
const scen_key cli_llm_model_keys[] = {
  {"name", SCEN_STR, "display name", NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
  {"attention", SCEN_ENUM, "attention kind", NULL, 1, 0, 0, 0, attn_vals, NULL, 0, NULL},
  POS("num_layers", "transformer blocks"),
  POS("hidden_size", "model width d"),
  POS("vocab_size", "vocabulary size V"),
  POS("num_heads", "query heads"),
  NONNEG("num_kv_heads", "KV heads (GQA)"),
  NONNEG("head_dim", "per-head dim (GQA/MHA)"),
  NONNEG("q_lora_rank", "MLA query compression rank (0: none)"),
  NONNEG("kv_lora_rank", "MLA KV latent rank"),
  NONNEG("qk_nope_head_dim", "MLA per-head non-rope q/k dim"),
  NONNEG("qk_rope_head_dim", "MLA decoupled rope dim"),
  NONNEG("v_head_dim", "MLA per-head value dim"),
  POS("ffn_hidden_size", "dense MLP intermediate size"),
  {"gated_mlp", SCEN_BOOL, "SwiGLU (3 matrices) instead of 2", "true", 0, 0, 0, 0, NULL, NULL, 0, NULL},
  NONNEG("num_experts", "routed experts (0: dense)"),
  NONNEG("experts_per_token", "routed experts per token (top-k)"),
  NONNEG("moe_ffn_hidden_size", "expert intermediate size"),
  NONNEG("num_shared_experts", "shared experts per MoE layer"),
  NONNEG("first_dense_layers", "leading layers with a dense MLP"),
  NONNEG("mtp_layers", "multi-token-prediction modules"),
  {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

static const scen_key llm_keys[] = {
  CLI_MODEL_KEY(1),
  {"kv_cache_dtype", SCEN_ENUM, "element type of the KV cache", "bf16", 0, 0, 0, 0, dtype_vals, NULL, 0, NULL},
  {"seq_len", SCEN_INT, "training sequence length for FLOPs", "4096", 0, SCEN_MIN_EXCL, 0, 0, NULL, NULL, 0, NULL},
  {"context_len", SCEN_INT, "tokens held per request for the KV-cache total (0: skip)", "0", 0, SCEN_MIN, 0, 0,
   NULL, NULL, 0, NULL},
  {"flops_convention", SCEN_ENUM,
   "auto: megatron for MLA/MoE models, dense_6n for dense ones; or force one", "auto", 0, 0, 0, 0, conv_vals,
   NULL, 0, NULL},
  {"count_mtp", SCEN_BOOL, "count the MTP modules in training FLOPs", "false", 0, 0, 0, 0, NULL, NULL, 0, NULL},
  {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

static llm_attention attn_parse(const char *s) {
  if (strcmp(s, "mla") == 0) return LLM_ATTN_MLA;
  if (strcmp(s, "gqa") == 0) return LLM_ATTN_GQA;
  return LLM_ATTN_MHA;
}

static double dtype_bytes(const char *s) {
  if (strcmp(s, "fp32") == 0) return 4.0;
  if (strcmp(s, "fp8") == 0) return 1.0;
  return 2.0;
}

/* Fills an llm_config from the `model` subtree of a scenario. */
void cli_llm_from_scen(const scen *s, llm_config *c) {
  memset(c, 0, sizeof *c);
  c->name = scen_has(s, "model.name") ? scen_str(s, "model.name") : scen_str(s, "model");
  c->attention = attn_parse(scen_str(s, "model.attention"));
  c->num_layers = scen_int(s, "model.num_layers");
  c->hidden_size = scen_int(s, "model.hidden_size");
  c->vocab_size = scen_int(s, "model.vocab_size");
  c->num_heads = scen_int(s, "model.num_heads");
  c->num_kv_heads = scen_int(s, "model.num_kv_heads");
  c->head_dim = scen_int(s, "model.head_dim");
  c->q_lora_rank = scen_int(s, "model.q_lora_rank");
  c->kv_lora_rank = scen_int(s, "model.kv_lora_rank");
  c->qk_nope_head_dim = scen_int(s, "model.qk_nope_head_dim");
  c->qk_rope_head_dim = scen_int(s, "model.qk_rope_head_dim");
  c->v_head_dim = scen_int(s, "model.v_head_dim");
  c->ffn_hidden_size = scen_int(s, "model.ffn_hidden_size");
  c->gated_mlp = scen_bool(s, "model.gated_mlp");
  c->num_experts = scen_int(s, "model.num_experts");
  c->experts_per_token = scen_int(s, "model.experts_per_token");
  c->moe_ffn_hidden_size = scen_int(s, "model.moe_ffn_hidden_size");
  c->num_shared_experts = scen_int(s, "model.num_shared_experts");
  c->first_dense_layers = scen_int(s, "model.first_dense_layers");
  c->mtp_layers = scen_int(s, "model.mtp_layers");
}

/* Inputs that make no sense together are reported with the keys involved. */
int cli_llm_check(const llm_config *c, char *err, size_t errlen) {
  if (c->attention == LLM_ATTN_MLA && (c->kv_lora_rank <= 0 || c->v_head_dim <= 0 || c->qk_nope_head_dim <= 0)) {
    snprintf(err, errlen, "model: attention mla needs kv_lora_rank, qk_nope_head_dim and v_head_dim > 0");
    return -1;
  }
  if (c->attention != LLM_ATTN_MLA && c->head_dim <= 0) {
    snprintf(err, errlen, "model: attention %s needs head_dim > 0", llm_attention_name(c->attention));
    return -1;
  }
  if (c->attention == LLM_ATTN_GQA && (c->num_kv_heads <= 0 || c->num_heads % c->num_kv_heads != 0)) {
    snprintf(err, errlen, "model: attention gqa needs num_kv_heads > 0 dividing num_heads (%lld)",
             (long long)c->num_heads);
    return -1;
  }
  if (c->num_experts > 0 && (c->experts_per_token <= 0 || c->experts_per_token > c->num_experts ||
                             c->moe_ffn_hidden_size <= 0 || c->first_dense_layers > c->num_layers)) {
    snprintf(err, errlen, "model: a MoE model needs 0 < experts_per_token <= num_experts (%lld), "
             "moe_ffn_hidden_size > 0 and first_dense_layers <= num_layers", (long long)c->num_experts);
    return -1;
  }
  return 0;
}

static int llm_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)replicate;  /* closed-form model: every replicate gives the same numbers */
  llm_config c;
  cli_llm_from_scen(s, &c);
  if (cli_llm_check(&c, err, errlen) < 0) return -1;
  if (!scen_bool(s, "count_mtp")) c.mtp_layers = 0;

  double kv = llm_kv_bytes_per_token(&c, dtype_bytes(scen_str(s, "kv_cache_dtype")));
  res_run_metric(out, "kv_cache_bytes_per_token", kv, "B");
  int64_t ctx = scen_int(s, "context_len");
  if (ctx > 0) res_run_metric(out, "kv_cache_bytes_per_request", kv * (double)ctx, "B");

  const char *conv_s = scen_str(s, "flops_convention");
  llm_flops_conv conv;
  if (strcmp(conv_s, "auto") == 0)
    conv = (c.attention == LLM_ATTN_MLA || c.num_experts > 0) ? LLM_FLOPS_MEGATRON : LLM_FLOPS_DENSE_6N;
  else
    conv = strcmp(conv_s, "dense_6n") == 0 ? LLM_FLOPS_DENSE_6N : LLM_FLOPS_MEGATRON;
  res_run_param(out, "derived.flops_convention", llm_flops_conv_name(conv));

  llm_flops f;
  if (llm_train_flops_per_token(&c, conv, scen_int(s, "seq_len"), &f) < 0) {
    snprintf(err, errlen, "model %s cannot be counted under flops_convention %s", c.name,
             llm_flops_conv_name(conv));
    return -1;
  }
  res_run_metric(out, "train_flops_per_token", f.total, "FLOP");
  res_run_metric(out, "train_flops_attn_proj", f.attn_proj, "FLOP");
  res_run_metric(out, "train_flops_attn_core", f.attn_core, "FLOP");
  res_run_metric(out, "train_flops_mlp", f.mlp, "FLOP");
  res_run_metric(out, "train_flops_logits", f.logits, "FLOP");
  res_run_metric(out, "train_flops_other", f.other, "FLOP");
  res_run_metric(out, "params_total", llm_params_total(&c), "1");
  res_run_metric(out, "params_active", llm_params_active(&c), "1");
  return 0;
}

const cli_experiment cli_exp_llm = {
  "llm",
  "KV-cache bytes per token (and per request) and training FLOPs per token of an LLM config",
  llm_keys,
  llm_run,
  NULL,
};
