/* kern_mla.h: MLA decode attention in DeepSeek-V3's absorbed form (plain C interface).
 *
 * Per request b and query head h (one query token per request, decode):
 *   s_j   = softmax_scale * <q[b][h][0:576], kv[b][j][0:576]>      j < seqlen[b]
 *   out[b][h][0:512] = sum_j softmax(s)_j * kv[b][j][0:512]
 * The 576-wide latent KV row (512 "nope" latent + 64 rope dims) is shared by all heads; V is the
 * first 512 dims of the same row. BF16 in/out, FP32 scores, softmax and accumulation.
 *
 * KV cache: paged. kv_cache is [num_pages][page_size][576] bf16; block_table[b][i] names the page
 * of tokens i*page_size .. (i+1)*page_size-1 of request b (row stride max_pages). A contiguous
 * cache is the identity table. page_size must be a multiple of 32 (the kernel's key tile).
 *
 * Work split: one thread block per (request, group of 64 heads, KV split). With nsplit > 1 each
 * block writes an FP32 partial output and log-sum-exp to the workspace and a second kernel
 * combines them; with nsplit == 1 the block writes bf16 output directly.
 * Layouts: q [batch][heads][576], out [batch][heads][512], seqlens [batch] int32 (device),
 * block_table [batch][max_pages] int32 (device). heads must be a multiple of 64. */
#ifndef KERN_MLA_H
#define KERN_MLA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KERN_MLA_DQK 576
#define KERN_MLA_DV 512
#define KERN_MLA_HEADS_PER_BLOCK 64
#define KERN_MLA_MAX_SPLITS 128

typedef struct kern_mla_args {
  const void *q;            /* device bf16 [batch][heads][576] */
  const void *kv_cache;     /* device bf16 [num_pages][page_size][576] */
  const int *block_table;   /* device int32 [batch][max_pages] */
  const int *seqlens;       /* device int32 [batch] */
  void *out;                /* device bf16 [batch][heads][512] */
  void *workspace;          /* device, kern_mla_workspace_bytes(); may be NULL when nsplit == 1 */
  int batch, heads, page_size, max_pages;
  int max_seqlen;           /* host-side bound on seqlens[] (sets the split length) */
  int nsplit;               /* KV splits per request, 1..KERN_MLA_MAX_SPLITS */
  float softmax_scale;
} kern_mla_args;

/* Heuristic split count: enough blocks to fill sm_count SMs (one block per SM) without making
 * splits shorter than 64 keys. */
int kern_mla_num_splits(int batch, int heads, int max_seqlen, int sm_count);
size_t kern_mla_workspace_bytes(int batch, int heads, int nsplit);
/* Launches on the default stream. Returns KERN_OK or KERN_EINVAL (bad shape). */
int kern_mla_decode(const kern_mla_args *a);

#ifdef __cplusplus
}
#endif
#endif
