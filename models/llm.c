/* llm.c: KV-cache and training-FLOP arithmetic for transformer LLMs (see llm.h for conventions).
 *
 * All counts are per token. FLOPs count 2 per multiply-accumulate; "training" means forward plus
 * backward (weight-gradient and data-gradient GEMMs), i.e. 3x the forward GEMM FLOPs, with no
 * activation recomputation. Norms, softmax and elementwise ops are not counted (as in Megatron-LM).
 */
#include "llm.h"

#include <string.h>

double llm_kv_bytes_per_token(const llm_config *c, double bytes_per_elem) {
  double per_layer;
  if (c->attention == LLM_ATTN_MLA) {
    /* MLA caches the compressed KV latent (kv_lora_rank) and the decoupled rope key shared by
     * all heads (qk_rope_head_dim); keys and values are re-expanded (or absorbed) at use. */
    per_layer = (double)(c->kv_lora_rank + c->qk_rope_head_dim);
  } else {
    /* GQA/MHA cache one K and one V vector per KV head. MHA: kv heads == query heads. */
    int64_t kvh = c->attention == LLM_ATTN_MHA ? c->num_heads : c->num_kv_heads;
    per_layer = 2.0 * (double)kvh * (double)c->head_dim;
  }
  return per_layer * (double)c->num_layers * bytes_per_elem;
}

/* Megatron-LM counting, per token (the library's total divided by batch x seq_len). */
static void flops_megatron(const llm_config *c, double s, llm_flops *f) {
  const double d = (double)c->hidden_size;
  const double mtp = (double)c->mtp_layers;
  const double L = (double)c->num_layers + mtp;   /* MTP modules are counted as extra blocks */
  const double gm = c->gated_mlp ? 1.5 : 1.0;      /* SwiGLU: 3 GEMMs instead of 2 */

  if (c->attention == LLM_ATTN_MLA) {
    const double h = (double)c->num_heads;
    const double qk = (double)c->qk_nope_head_dim, rope = (double)c->qk_rope_head_dim;
    const double v = (double)c->v_head_dim, kvr = (double)c->kv_lora_rank;
    double q_term = c->q_lora_rank > 0
                        ? (double)c->q_lora_rank * (d + h * (qk + rope) + 1.0)
                        : d * h * (qk + rope);
    double kv_term = kvr * (d + h * (qk + v) + 1.0) + d * rope;
    double o_term = h * v * d;
    /* 3 passes x 2 FLOPs per MAC = 6. Causal mask: half of the s x s scores are computed. */
    f->attn_proj = 6.0 * L * (q_term + kv_term + o_term);
    f->attn_core = 6.0 * L * (s * h * (qk + rope) / 2.0 + s * h * v / 2.0);
  } else {
    const double heads = (double)c->num_heads;
    const double groups = c->attention == LLM_ATTN_MHA ? heads : (double)c->num_kv_heads;
    const double ratio = (double)c->head_dim * heads / d;     /* query projection / hidden */
    /* 12 = 3 passes x 2 GEMMs x 2 FLOPs per MAC (Megatron's expansion factor). */
    f->attn_proj = 12.0 * L * d * d * (1.0 + groups / heads) * ratio;
    f->attn_core = 12.0 * L * d * d * (s / d / 2.0) * ratio;
  }

  double n_moe = 0.0, n_dense = L;
  if (c->num_experts > 0) {
    n_moe = (double)(c->num_layers - c->first_dense_layers) + mtp;  /* MTP block uses the last layer's MoE MLP */
    n_dense = (double)c->first_dense_layers;
  }
  double shared_ffn = (double)c->num_shared_experts * (double)c->moe_ffn_hidden_size;
  f->mlp = 12.0 * d * gm *
           ((double)c->ffn_hidden_size * n_dense +
            ((double)c->moe_ffn_hidden_size * (double)c->experts_per_token + shared_ffn) * n_moe);
  f->other = 6.0 * mtp * (3.0 * d + 2.0 * d * d);           /* MTP norms and projection */
  f->logits = 6.0 * d * (double)c->vocab_size * (mtp + 1.0);
}

int llm_train_flops_per_token(const llm_config *c, llm_flops_conv conv, int64_t seq_len, llm_flops *out) {
  memset(out, 0, sizeof *out);
  if (c->num_layers <= 0 || c->hidden_size <= 0 || c->vocab_size <= 0 || seq_len <= 0) return -1;
  if (conv == LLM_FLOPS_DENSE_6N) {
    /* 6 FLOPs per parameter per token; a dense block has 12 d^2 parameters (4 d^2 attention,
     * 8 d^2 MLP at 4x expansion); V d embedding. No attention-score term. */
    const double d = (double)c->hidden_size, L = (double)c->num_layers;
    out->attn_proj = 6.0 * 4.0 * L * d * d;
    out->mlp = 6.0 * 8.0 * L * d * d;
    out->logits = 6.0 * (double)c->vocab_size * d;
  } else {
    if (c->num_heads <= 0) return -1;
    if (c->attention == LLM_ATTN_MLA && (c->kv_lora_rank <= 0 || c->v_head_dim <= 0)) return -1;
    if (c->attention != LLM_ATTN_MLA && c->head_dim <= 0) return -1;
    if (c->attention == LLM_ATTN_GQA && c->num_kv_heads <= 0) return -1;
    flops_megatron(c, (double)seq_len, out);
  }
  out->total = out->attn_proj + out->attn_core + out->mlp + out->logits + out->other;
  return 0;
}

static double attn_params(const llm_config *c) {
  const double d = (double)c->hidden_size, h = (double)c->num_heads;
  if (c->attention == LLM_ATTN_MLA) {
    const double qk = (double)(c->qk_nope_head_dim + c->qk_rope_head_dim);
    double q = c->q_lora_rank > 0 ? d * (double)c->q_lora_rank + (double)c->q_lora_rank * h * qk : d * h * qk;
    double kv = d * (double)(c->kv_lora_rank + c->qk_rope_head_dim) +
                (double)c->kv_lora_rank * h * (double)(c->qk_nope_head_dim + c->v_head_dim);
    return q + kv + h * (double)c->v_head_dim * d;
  }
  const double hd = (double)c->head_dim;
  const double g = c->attention == LLM_ATTN_MHA ? h : (double)c->num_kv_heads;
  return d * h * hd + 2.0 * d * g * hd + h * hd * d;
}

static double params(const llm_config *c, int active) {
  const double d = (double)c->hidden_size;
  const double mats = c->gated_mlp ? 3.0 : 2.0;
  const double dense_mlp = mats * d * (double)c->ffn_hidden_size;
  double p = 2.0 * (double)c->vocab_size * d;  /* input embedding + untied output head */
  double per_attn = attn_params(c);
  if (c->num_experts <= 0) return p + (double)c->num_layers * (per_attn + dense_mlp);
  double expert = mats * d * (double)c->moe_ffn_hidden_size;
  double routed = active ? (double)c->experts_per_token : (double)c->num_experts;
  double moe_mlp = (routed + (double)c->num_shared_experts) * expert + d * (double)c->num_experts;
  double n_moe = (double)(c->num_layers - c->first_dense_layers);
  return p + (double)c->num_layers * per_attn + (double)c->first_dense_layers * dense_mlp + n_moe * moe_mlp;
}

double llm_params_total(const llm_config *c) { return params(c, 0); }
double llm_params_active(const llm_config *c) { return params(c, 1); }

const char *llm_attention_name(llm_attention a) {
  switch (a) {
    case LLM_ATTN_MHA: return "mha";
    case LLM_ATTN_GQA: return "gqa";
    case LLM_ATTN_MLA: return "mla";
  }
  return "?";
}

const char *llm_flops_conv_name(llm_flops_conv c) {
  return c == LLM_FLOPS_DENSE_6N ? "dense_6n" : "megatron";
}
