/* ck_gen.c: chakra_gen, writes Chakra execution traces of known workloads (ck.h's writer), the test
 * traces under tests/data/chakra/ (no PyTorch runs here to record real ones). Deterministic: the
 * same command writes the same bytes (a test compares them with the checked-in files).
 *
 *   chakra_gen WORKLOAD OUTDIR     writes OUTDIR/WORKLOAD.<rank>.et for every rank
 *
 * Workloads (sizes in bytes, durations in microseconds):
 *   a2a64  64 ranks: COMP "fwd" (100 + 10 x (rank mod 4) us, num_ops and tensor_size set), then
 *          an ALL_TO_ALL of 1 MiB per rank (data dep), then COMP "bwd" 50 us (data dep);
 *   ring8  8 ranks: COMP 20 us; COMM_SEND 256 KiB to rank + 1 (tag 7, data dep); COMM_RECV from
 *          rank - 1 (tag 7, ctrl dep on the COMP); COMP 10 us after the receive;
 *   coll8  8 ranks: METADATA, MEM_LOAD 3 us, COMP 30 us, ALL_REDUCE 4 MiB, ALL_GATHER 1 MiB (ctrl
 *          dep), REDUCE_SCATTER 2 MiB, a CPU op (is_cpu_op) of 7 us beside them, COMP 5 us at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck.h"

#define VERSION "0.0.4"

static int node(ck_writer *w, uint64_t id, const char *name, uint32_t type, uint64_t dur, const uint64_t *data,
                size_t nd, const uint64_t *ctrl, size_t nc, const ck_attr *a, size_t na) {
  ck_wnode x = {id, name, type, data, nd, ctrl, nc, dur, a, na};
  char err[256];
  if (ck_writer_node(w, &x, err, sizeof err) < 0) {
    fprintf(stderr, "chakra_gen: %s\n", err);
    return -1;
  }
  return 0;
}

#define I64(nm, v) {nm, CK_A_INT64, (int64_t)(v), NULL, 0}
#define I32(nm, v) {nm, CK_A_INT32, (int64_t)(v), NULL, 0}
#define U64(nm, v) {nm, CK_A_UINT64, (int64_t)(v), NULL, 0}
#define BOOL(nm, v) {nm, CK_A_BOOL, (int64_t)(v), NULL, 0}

static int gen_a2a64(ck_writer *w, uint32_t r, uint32_t n) {
  (void)n;
  uint64_t d1 = 1, d2 = 2;
  ck_attr fa[] = {BOOL("is_cpu_op", 0), I64("num_ops", 2ull * 4096 * 7168 * 2048), U64("tensor_size", 64ull << 20)};
  ck_attr ca[] = {I64("comm_type", CK_ALL_TO_ALL), I64("comm_size", 1 << 20)};
  ck_attr ba[] = {BOOL("is_cpu_op", 0)};
  if (node(w, 1, "fwd", CK_COMP, 100 + 10 * (r % 4), NULL, 0, NULL, 0, fa, 3) < 0) return -1;
  if (node(w, 2, "alltoall", CK_COLL, 0, &d1, 1, NULL, 0, ca, 2) < 0) return -1;
  return node(w, 3, "bwd", CK_COMP, 50, &d2, 1, NULL, 0, ba, 1);
}

static int gen_ring8(ck_writer *w, uint32_t r, uint32_t n) {
  uint64_t d1 = 1, d3 = 3;
  ck_attr sa[] = {I32("comm_dst", (r + 1) % n), I32("comm_tag", 7), I64("comm_size", 256 << 10)};
  ck_attr ra[] = {I32("comm_src", (r + n - 1) % n), I32("comm_tag", 7), I64("comm_size", 256 << 10)};
  if (node(w, 1, "work", CK_COMP, 20, NULL, 0, NULL, 0, NULL, 0) < 0) return -1;
  if (node(w, 2, "send", CK_SEND, 0, &d1, 1, NULL, 0, sa, 3) < 0) return -1;
  if (node(w, 3, "recv", CK_RECV, 0, NULL, 0, &d1, 1, ra, 3) < 0) return -1;
  return node(w, 4, "tail", CK_COMP, 10, &d3, 1, NULL, 0, NULL, 0);
}

static int gen_coll8(ck_writer *w, uint32_t r, uint32_t n) {
  (void)r;
  (void)n;
  uint64_t d10 = 10, d11 = 11, d12 = 12, d13 = 13, d14 = 14, d15 = 15;
  ck_attr ar[] = {I64("comm_type", CK_ALL_REDUCE), I64("comm_size", 4 << 20), {"pg_name", CK_A_STRING, 0, "0", 0}};
  ck_attr ag[] = {I64("comm_type", CK_ALL_GATHER), I64("comm_size", 1 << 20), {"pg_name", CK_A_STRING, 0, "0", 0}};
  ck_attr rs[] = {I64("comm_type", CK_REDUCE_SCATTER), I64("comm_size", 2 << 20),
                  {"pg_name", CK_A_STRING, 0, "0", 0}};
  ck_attr cpu[] = {BOOL("is_cpu_op", 1)};
  ck_attr ml[] = {U64("tensor_size", 1 << 20)};
  uint64_t d_cpu[] = {10, 11};
  if (node(w, 10, "meta", CK_METADATA, 0, NULL, 0, NULL, 0, NULL, 0) < 0) return -1;
  if (node(w, 11, "load", CK_MEM_LOAD, 3, &d10, 1, NULL, 0, ml, 1) < 0) return -1;
  if (node(w, 12, "gemm", CK_COMP, 30, &d11, 1, NULL, 0, NULL, 0) < 0) return -1;
  if (node(w, 13, "allreduce", CK_COLL, 0, &d12, 1, NULL, 0, ar, 3) < 0) return -1;
  if (node(w, 14, "allgather", CK_COLL, 0, NULL, 0, &d13, 1, ag, 3) < 0) return -1;
  if (node(w, 15, "reducescatter", CK_COLL, 0, &d14, 1, NULL, 0, rs, 3) < 0) return -1;
  if (node(w, 16, "host", CK_COMP, 7, NULL, 0, d_cpu, 2, cpu, 1) < 0) return -1;
  return node(w, 17, "tail", CK_COMP, 5, &d15, 1, NULL, 0, NULL, 0);
}

typedef struct gen {
  const char *name;
  uint32_t ranks;
  int (*fn)(ck_writer *w, uint32_t r, uint32_t n);
} gen;
static const gen gens[] = {{"a2a64", 64, gen_a2a64}, {"ring8", 8, gen_ring8}, {"coll8", 8, gen_coll8}};

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: chakra_gen WORKLOAD OUTDIR   (WORKLOAD: a2a64 ring8 coll8)\n");
    return 2;
  }
  for (size_t k = 0; k < sizeof gens / sizeof gens[0]; k++) {
    if (strcmp(argv[1], gens[k].name) != 0) continue;
    for (uint32_t r = 0; r < gens[k].ranks; r++) {
      char path[4096], pre[4000], err[512];
      snprintf(pre, sizeof pre, "%s/%s", argv[2], gens[k].name);
      ck_rank_path(pre, r, path, sizeof path);
      ck_writer *w = ck_writer_open(path, VERSION, err, sizeof err);
      if (!w) {
        fprintf(stderr, "chakra_gen: %s\n", err);
        return 1;
      }
      int rc = gens[k].fn(w, r, gens[k].ranks);
      if (ck_writer_close(w, err, sizeof err) < 0 || rc < 0) {
        fprintf(stderr, "chakra_gen: %s: write failed\n", path);
        return 1;
      }
    }
    return 0;
  }
  fprintf(stderr, "chakra_gen: unknown workload '%s' (known: a2a64 ring8 coll8)\n", argv[1]);
  return 2;
}
