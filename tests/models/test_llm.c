/* test_llm.c: mechanism tests of the LLM arithmetic (models/llm.c) on hand-built configs.
 * The paper's table values are checked end to end, through the presets, in tests/cli. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "llm.h"

static llm_config mla_moe(void) {
  llm_config c = {0};
  c.name = "mla-moe";
  c.attention = LLM_ATTN_MLA;
  c.num_layers = 10; c.hidden_size = 1024; c.vocab_size = 32000; c.num_heads = 16;
  c.q_lora_rank = 256; c.kv_lora_rank = 128; c.qk_nope_head_dim = 64; c.qk_rope_head_dim = 32;
  c.v_head_dim = 64; c.ffn_hidden_size = 4096; c.gated_mlp = 1;
  c.num_experts = 32; c.experts_per_token = 4; c.moe_ffn_hidden_size = 512; c.num_shared_experts = 1;
  c.first_dense_layers = 2;
  return c;
}

static llm_config gqa_dense(void) {
  llm_config c = {0};
  c.name = "gqa";
  c.attention = LLM_ATTN_GQA;
  c.num_layers = 12; c.hidden_size = 2048; c.vocab_size = 50000; c.num_heads = 16; c.num_kv_heads = 4;
  c.head_dim = 128; c.ffn_hidden_size = 8192; c.gated_mlp = 1;
  return c;
}

#define REL_EQ(a, b, tol) assert_true(fabs((a) - (b)) <= (tol) * fabs(b))

static void kv_mla_counts_latent_and_rope(void **st) {
  (void)st;
  llm_config c = mla_moe();
  /* (kv_lora_rank + rope) x layers x bytes = (128 + 32) x 10 x 2 */
  assert_true(llm_kv_bytes_per_token(&c, 2.0) == 3200.0);
}

static void kv_gqa_counts_k_and_v_per_kv_head(void **st) {
  (void)st;
  llm_config c = gqa_dense();
  assert_true(llm_kv_bytes_per_token(&c, 2.0) == 2.0 * 4 * 128 * 12 * 2);
  c.attention = LLM_ATTN_MHA;  /* MHA: every query head has its own K and V */
  assert_true(llm_kv_bytes_per_token(&c, 2.0) == 2.0 * 16 * 128 * 12 * 2);
}

static void kv_scales_with_layers_dtype_and_heads(void **st) {
  (void)st;
  llm_config a = mla_moe(), b = mla_moe();
  b.num_layers *= 2;
  assert_true(llm_kv_bytes_per_token(&b, 2.0) == 2.0 * llm_kv_bytes_per_token(&a, 2.0));
  assert_true(llm_kv_bytes_per_token(&a, 1.0) == 0.5 * llm_kv_bytes_per_token(&a, 2.0));
  llm_config g = gqa_dense(), h = gqa_dense();
  h.num_kv_heads *= 2;
  assert_true(llm_kv_bytes_per_token(&h, 2.0) == 2.0 * llm_kv_bytes_per_token(&g, 2.0));
  /* Query heads do not enter a GQA cache. */
  h = gqa_dense();
  h.num_heads *= 2;
  assert_true(llm_kv_bytes_per_token(&h, 2.0) == llm_kv_bytes_per_token(&g, 2.0));
}

static void dense_6n_is_closed_form_and_ignores_seq(void **st) {
  (void)st;
  llm_config c = gqa_dense();
  llm_flops f1, f2;
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_DENSE_6N, 1024, &f1), 0);
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_DENSE_6N, 8192, &f2), 0);
  double d = 2048, L = 12, V = 50000;
  REL_EQ(f1.total, 6.0 * (12.0 * L * d * d + V * d), 1e-12);
  assert_true(f1.total == f2.total);
  assert_true(f1.attn_core == 0.0);
}

static void megatron_attention_term_moves_with_seq(void **st) {
  (void)st;
  llm_config c = mla_moe();
  llm_flops a, b;
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_MEGATRON, 2048, &a), 0);
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_MEGATRON, 4096, &b), 0);
  /* Only the causal core-attention term depends on seq_len, and linearly. */
  REL_EQ(b.attn_core, 2.0 * a.attn_core, 1e-12);
  assert_true(a.attn_proj == b.attn_proj && a.mlp == b.mlp && a.logits == b.logits);
  REL_EQ(b.total - a.total, a.attn_core, 1e-12);
  /* Hand count of the core term: 6 L s h (qk + rope + v) / 2. */
  REL_EQ(a.attn_core, 6.0 * 10 * 2048 * 16 * (64 + 32 + 64) / 2.0, 1e-12);
}

static void megatron_moe_mlp_counts_activated_experts(void **st) {
  (void)st;
  llm_config c = mla_moe();
  llm_flops a, b;
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_MEGATRON, 4096, &a), 0);
  /* 12 d 1.5 (ffn x dense layers + (moe_ffn x topk + shared x moe_ffn) x moe layers) */
  REL_EQ(a.mlp, 12.0 * 1024 * 1.5 * (4096.0 * 2 + (512.0 * 4 + 512.0) * 8), 1e-12);
  /* Doubling the routed experts (same top-k) does not change the FLOPs; doubling top-k does. */
  c.num_experts *= 2;
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_MEGATRON, 4096, &b), 0);
  assert_true(b.mlp == a.mlp);
  c.experts_per_token *= 2;
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_MEGATRON, 4096, &b), 0);
  REL_EQ(b.mlp - a.mlp, 12.0 * 1024 * 1.5 * 512.0 * 4 * 8, 1e-12);
  /* ... and doubles total parameters' routed part, not the active one (top-k is back to 4). */
  llm_config p = mla_moe(), q = mla_moe();
  q.num_experts *= 2;
  assert_true(llm_params_total(&q) > llm_params_total(&p));
  assert_true(llm_params_active(&q) - llm_params_active(&p) == 1024.0 * 32 * 8);  /* router only */
}

static void megatron_gqa_matches_hand_count(void **st) {
  (void)st;
  llm_config c = gqa_dense();
  llm_flops f;
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_MEGATRON, 4096, &f), 0);
  double d = 2048, L = 12, ratio = 128.0 * 16 / d;
  REL_EQ(f.attn_proj, 12.0 * L * d * d * (1.0 + 4.0 / 16.0) * ratio, 1e-12);
  REL_EQ(f.attn_core, 12.0 * L * d * d * (4096.0 / d / 2.0) * ratio, 1e-12);
  REL_EQ(f.mlp, 12.0 * d * 1.5 * 8192.0 * L, 1e-12);
  REL_EQ(f.logits, 6.0 * d * 50000, 1e-12);
}

static void mtp_adds_a_block_and_a_head(void **st) {
  (void)st;
  llm_config c = mla_moe();
  llm_flops a, b;
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_MEGATRON, 4096, &a), 0);
  c.mtp_layers = 1;
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_MEGATRON, 4096, &b), 0);
  REL_EQ(b.logits, 2.0 * a.logits, 1e-12);
  assert_true(b.other > 0 && b.mlp > a.mlp && b.attn_proj > a.attn_proj);
}

static void invalid_configs_are_refused(void **st) {
  (void)st;
  llm_config c = gqa_dense();
  llm_flops f;
  c.num_kv_heads = 0;
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_MEGATRON, 4096, &f), -1);
  c = gqa_dense();
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_MEGATRON, 0, &f), -1);
  c.hidden_size = 0;
  assert_int_equal(llm_train_flops_per_token(&c, LLM_FLOPS_DENSE_6N, 4096, &f), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(kv_mla_counts_latent_and_rope),
    cmocka_unit_test(kv_gqa_counts_k_and_v_per_kv_head),
    cmocka_unit_test(kv_scales_with_layers_dtype_and_heads),
    cmocka_unit_test(dense_6n_is_closed_form_and_ignores_seq),
    cmocka_unit_test(megatron_attention_term_moves_with_seq),
    cmocka_unit_test(megatron_moe_mlp_counts_activated_experts),
    cmocka_unit_test(megatron_gqa_matches_hand_count),
    cmocka_unit_test(mtp_adds_a_block_and_a_head),
    cmocka_unit_test(invalid_configs_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
