/* GPU test: MLA decode (split-KV + combine, paged KV) against the double-precision reference. */
#include <stdint.h>
#include <string.h>

#include "kern_mla.h"
#include "kern_ref.h"
#include "test_kern_util.h"

int main(void) {
  TK_REQUIRE_GPU();
  kern_device_info info;
  kern_device_info_get(&info);
  enum { B = 6, HEADS = 128, PAGE = 64 };
  const int seqlens[B] = {1, 37, 300, 1024, 2500, 64};
  int max_seqlen = 0;
  for (int b = 0; b < B; ++b) max_seqlen = seqlens[b] > max_seqlen ? seqlens[b] : max_seqlen;
  const int max_pages = (max_seqlen + PAGE - 1) / PAGE;
  const int num_pages = B * max_pages + 3;
  /* random page permutation: block tables point all over the pool */
  int *perm = tk_malloc((size_t)num_pages * sizeof(int));
  for (int i = 0; i < num_pages; ++i) perm[i] = i;
  for (int i = num_pages - 1; i > 0; --i) {
    int j = (int)(tk_uniform() * (i + 1));
    int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  int *bt = tk_malloc((size_t)B * max_pages * sizeof(int));
  for (int i = 0; i < B * max_pages; ++i) bt[i] = perm[i];

  const size_t kv_n = (size_t)num_pages * PAGE * KERN_MLA_DQK;
  const size_t q_n = (size_t)B * HEADS * KERN_MLA_DQK, o_n = (size_t)B * HEADS * KERN_MLA_DV;
  void *d_kv = kern_dev_alloc(kv_n * 2), *d_q = kern_dev_alloc(q_n * 2), *d_out = kern_dev_alloc(o_n * 2);
  int *d_bt = kern_dev_alloc((size_t)B * max_pages * sizeof(int));
  int *d_seq = kern_dev_alloc(B * sizeof(int));
  kern_h2d(d_bt, bt, (size_t)B * max_pages * sizeof(int));
  kern_h2d(d_seq, seqlens, sizeof seqlens);
  void *d_ws = kern_dev_alloc(kern_mla_workspace_bytes(B, HEADS, KERN_MLA_MAX_SPLITS));

  uint16_t *kv = tk_malloc(kv_n * 2), *q = tk_malloc(q_n * 2), *out = tk_malloc(o_n * 2);
  double *ref = tk_malloc(o_n * sizeof(double)), *got = tk_malloc(o_n * sizeof(double));
  const float scale = 1.0f / sqrtf(192.f);
  const int heur = kern_mla_num_splits(B, HEADS, max_seqlen, info.sm_count);
  const int splits[] = {1, 7, heur, 40};
  for (int trial = 0; trial < 2; ++trial) {
    /* fresh inputs per trial; q scaled up in trial 1 for a peakier softmax */
    kern_fill_random_bf16(d_kv, kv_n, 100 + (uint64_t)trial, 1.f);
    kern_fill_random_bf16(d_q, q_n, 200 + (uint64_t)trial, trial ? 4.f : 1.f);
    kern_d2h(kv, d_kv, kv_n * 2);
    kern_d2h(q, d_q, q_n * 2);
    for (int b = 0; b < B; ++b)
      kern_ref_mla_decode(q + (size_t)b * HEADS * KERN_MLA_DQK, kv, bt + (size_t)b * max_pages, PAGE,
                          seqlens[b], HEADS, scale, ref + (size_t)b * HEADS * KERN_MLA_DV);
    for (size_t si = 0; si < sizeof splits / sizeof splits[0]; ++si) {
      kern_dev_memset(d_out, 0xff, o_n * 2); /* poison: bf16 NaN */
      kern_mla_args a;
      memset(&a, 0, sizeof a);
      a.q = d_q; a.kv_cache = d_kv; a.block_table = d_bt; a.seqlens = d_seq; a.out = d_out;
      a.workspace = d_ws; a.batch = B; a.heads = HEADS; a.page_size = PAGE; a.max_pages = max_pages;
      a.max_seqlen = max_seqlen; a.nsplit = splits[si]; a.softmax_scale = scale;
      int rc = kern_mla_decode(&a);
      kern_sync();
      if (rc != 0) {
        printf("kern_mla_decode returned %d\n", rc);
        ++tk_failures;
        continue;
      }
      kern_d2h(out, d_out, o_n * 2);
      tk_bf16_to_double(out, got, o_n);
      char what[128];
      snprintf(what, sizeof what, "mla_decode trial %d nsplit %d (all requests)", trial, splits[si]);
      tk_check(what, kern_ref_rel_err(got, ref, o_n), 1e-2);
      for (int b = 0; b < B; ++b) {
        snprintf(what, sizeof what, "  request %d seqlen %d", b, seqlens[b]);
        const size_t off = (size_t)b * HEADS * KERN_MLA_DV;
        tk_check(what, kern_ref_rel_err(got + off, ref + off, (size_t)HEADS * KERN_MLA_DV), 1e-2);
      }
    }
  }
  kern_mla_args bad;
  memset(&bad, 0, sizeof bad);
  bad.batch = 1; bad.heads = 100; bad.page_size = 64; bad.max_pages = 1; bad.max_seqlen = 1; bad.nsplit = 1;
  if (kern_mla_decode(&bad) != KERN_EINVAL) {
    printf("heads=100 not rejected\n");
    ++tk_failures;
  }
  kern_dev_free(d_kv); kern_dev_free(d_q); kern_dev_free(d_out); kern_dev_free(d_bt);
  kern_dev_free(d_seq); kern_dev_free(d_ws);
  free(kv); free(q); free(out); free(ref); free(got); free(perm); free(bt);
  return tk_finish("test_kern_mla");
}
