/* llm.h: LLM architecture arithmetic: KV-cache bytes per token and training FLOPs per token.
 *
 * Counting conventions (named, since papers differ):
 *  - LLM_FLOPS_MEGATRON: Megatron-LM's num_floating_point_operations() (training.py): 3 passes
 *    (forward, weight-grad, data-grad) x 2 FLOPs per MAC over every GEMM, MLA or GQA attention
 *    projections, causal core attention (half the s x s score matrix), SwiGLU MLPs (dense layers,
 *    routed experts x top-k, shared experts), the logit layer. DeepSeek-V3 paper, Table 2 MoE rows.
 *  - LLM_FLOPS_DENSE_6N: 6 x (12 L d^2 + V d): six FLOPs per parameter of a standard dense block
 *    (4d^2 attention + 8d^2 MLP) plus the embedding; no attention-score term. Table 2 dense rows.
 * KV cache (per token, all layers): MLA stores the compressed latent + the decoupled rope key;
 * GQA/MHA store K and V for every KV head.
 */
#ifndef CLUSTERSIM_LLM_H
#define CLUSTERSIM_LLM_H

#include <stdint.h>

typedef enum llm_attention { LLM_ATTN_MHA = 0, LLM_ATTN_GQA, LLM_ATTN_MLA } llm_attention;
typedef enum llm_flops_conv { LLM_FLOPS_MEGATRON = 0, LLM_FLOPS_DENSE_6N } llm_flops_conv;

typedef struct llm_config {
  const char *name;
  llm_attention attention;
  int64_t num_layers;             /* transformer blocks */
  int64_t hidden_size;            /* d */
  int64_t vocab_size;             /* V */
  int64_t num_heads;              /* query heads */
  int64_t num_kv_heads;           /* GQA/MHA */
  int64_t head_dim;               /* GQA/MHA */
  /* MLA */
  int64_t q_lora_rank;            /* 0: no query compression */
  int64_t kv_lora_rank;
  int64_t qk_nope_head_dim;
  int64_t qk_rope_head_dim;
  int64_t v_head_dim;
  /* MLP */
  int64_t ffn_hidden_size;        /* dense layers' intermediate size */
  int gated_mlp;                  /* SwiGLU: 3 matrices instead of 2 */
  /* MoE (num_experts == 0: dense model) */
  int64_t num_experts;            /* routed experts */
  int64_t experts_per_token;      /* top-k */
  int64_t moe_ffn_hidden_size;    /* per expert */
  int64_t num_shared_experts;
  int64_t first_dense_layers;     /* leading layers with a dense MLP */
  int64_t mtp_layers;             /* multi-token-prediction modules counted in training FLOPs */
} llm_config;

/* Bytes of KV cache one token occupies across all layers, at bytes_per_elem (2 for BF16). */
double llm_kv_bytes_per_token(const llm_config *c, double bytes_per_elem);

typedef struct llm_flops {
  double total;        /* FLOPs per token for one training step (fwd + bwd) */
  double attn_proj;    /* attention projections */
  double attn_core;    /* score and value products (depends on seq_len) */
  double mlp;          /* dense + expert + shared MLPs */
  double logits;       /* output layer (and MTP heads) */
  double other;        /* MTP projections and norms */
} llm_flops;

/* Training FLOPs per token at sequence length seq_len. 0, or -1 if the config cannot be counted
 * under this convention (e.g. DENSE_6N needs num_layers, hidden_size and vocab_size). */
int llm_train_flops_per_token(const llm_config *c, llm_flops_conv conv, int64_t seq_len, llm_flops *out);

/* Parameter counts (total and activated per token), embeddings included. */
double llm_params_total(const llm_config *c);
double llm_params_active(const llm_config *c);

const char *llm_attention_name(llm_attention a);
const char *llm_flops_conv_name(llm_flops_conv c);

#endif
