/* exp_chakra.c: experiment `chakra`: an MLCommons Chakra execution trace (one file per rank,
 * <trace>.<rank>.et) imported into an op graph (models/chakra/ck.h) and run by the one executor on
 * the scenario's topology and network model. Rank r runs on endpoint r. Compute nodes keep their
 * traced duration_micros, or with `retime: true` take the roofline of the `gpu:` preset from their
 * num_ops and tensor_size: max(num_ops / peak, tensor_size / HBM bandwidth) (compute.h, no kernel
 * trace: an imported node names no kernel shape). Metrics: completion time, messages, bytes, nodes.
 * Built without protobuf-c, the experiment exists but refuses to run, saying why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"
#include "exp_hw.h"
#include "exp_net.h"
#include "exp_topo.h"

#ifdef CLUSTERSIM_HAVE_CHAKRA
#include "ck.h"
#include "compute.h"
#endif

static const char *const dtype_vals[] = {"bf16", "fp8", NULL};

static const scen_key chakra_keys[] = {
  CLI_TOPOLOGY_KEY,
  CLI_NETWORK_KEY,
  {"trace", SCEN_STR, "prefix of the per-rank files <trace>.<rank>.et, relative to the scenario file", NULL, 1, 0, 0,
   0, NULL, NULL, 0, NULL},
  {"ranks", SCEN_INT, "ranks to import (rank r on endpoint r); 0: as many as files <trace>.0.et, .1.et, ... exist",
   "0", 0, SCEN_MIN, 0, 0, NULL, NULL, 0, NULL},
  {"retime", SCEN_BOOL, "re-time compute nodes from num_ops / tensor_size by the gpu preset's roofline",
   "false", 0, 0, 0, 0, NULL, NULL, 0, NULL},
  {"retime_dtype", SCEN_ENUM, "tensor-core peak the roofline takes (bf16, fp8)", "bf16", 0, 0, 0, 0, dtype_vals,
   NULL, 0, NULL},
  CLI_GPU_KEY(0),   /* for retime: true */
  {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

#ifdef CLUSTERSIM_HAVE_CHAKRA

#define CHAKRA_RANKS_MAX 65536u

/* The trace prefix: absolute, or relative to the scenario file's folder. */
static void trace_prefix(const scen *s, char *buf, size_t len) {
  const char *t = scen_str(s, "trace");
  const char *sp = scen_path(s), *slash = sp ? strrchr(sp, '/') : NULL;
  if (t[0] == '/' || !slash) snprintf(buf, len, "%s", t);
  else snprintf(buf, len, "%.*s/%s", (int)(slash - sp), sp, t);
}

typedef struct roof_ctx {
  comp_model m;
  const char *dtype;
} roof_ctx;

static int roof_retime(void *ctx, const ck_node *n, sim_time_ps *dur_ps, uint8_t *src, char *err, size_t errlen) {
  roof_ctx *c = ctx;
  comp_query q = {COMP_OP_GEMM, NULL, c->dtype, {0, 0, 0, 0}, (double)n->num_ops, (double)n->tensor_size};
  comp_result r;
  if (comp_duration(&c->m, &q, &r, err, errlen) < 0) return -1;
  *dur_ps = r.time_ps;
  *src = (uint8_t)r.source;
  return 0;
}

/* Reads the point's trace files: *R (nr of them; ck_rank_free each, then free) or -1 with a message
 * that starts with the key `trace`. */
static int load_ranks(const scen *s, ck_rank **R, uint32_t *nr, char *err, size_t errlen) {
  char prefix[3072], path[3200], why[1024];
  trace_prefix(s, prefix, sizeof prefix);
  *R = NULL;
  uint32_t n = (uint32_t)scen_int(s, "ranks");
  if (n == 0) {
    FILE *fp;
    while (n < CHAKRA_RANKS_MAX && (fp = fopen(ck_rank_path(prefix, n, path, sizeof path), "rb"))) {
      fclose(fp);
      n++;
    }
    if (n == 0) {
      snprintf(err, errlen, "trace: no file %s (ranks: 0 counts the files <trace>.0.et, .1.et, ...)",
               ck_rank_path(prefix, 0, path, sizeof path));
      return -1;
    }
  }
  *R = calloc(n, sizeof **R);
  if (!*R) {
    snprintf(err, errlen, "trace: out of memory for %u ranks", n);
    return -1;
  }
  *nr = n;
  for (uint32_t r = 0; r < n; r++)
    if (ck_read(ck_rank_path(prefix, r, path, sizeof path), NULL, &(*R)[r], why, sizeof why) < 0) {
      snprintf(err, errlen, "trace: %s", why);
      for (uint32_t q = 0; q < r; q++) ck_rank_free(&(*R)[q]);
      free(*R);
      *R = NULL;
      return -1;
    }
  return 0;
}

/* At load time: the keys, and every rank's file read and checked on its own (types, attributes,
 * dependencies, framing); what needs all ranks together (send/receive matching, collectives that
 * agree) is checked when the graph is built, at run time. */
static int chakra_check(const scen *s, char *err, size_t errlen) {
  if (scen_bool(s, "retime") && !scen_has(s, "gpu")) {
    snprintf(err, errlen, "retime: true needs a gpu: preset (e.g. gpu: gpu-h800) for the roofline");
    return -1;
  }
  if (scen_int(s, "ranks") > (int64_t)CHAKRA_RANKS_MAX) {
    snprintf(err, errlen, "ranks: %lld is above the limit of %u", (long long)scen_int(s, "ranks"), CHAKRA_RANKS_MAX);
    return -1;
  }
  ck_rank *R;
  uint32_t nr = 0;
  if (load_ranks(s, &R, &nr, err, errlen) < 0) return -1;
  for (uint32_t r = 0; r < nr; r++) ck_rank_free(&R[r]);
  free(R);
  return 0;
}

static int chakra_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)replicate;   /* deterministic: no random draws */
  ck_rank *R = NULL;
  uint32_t nr = 0;
  if (load_ranks(s, &R, &nr, err, errlen) < 0) return -1;
  sim_engine_opts eo = {SIM_QUEUE_DEFAULT, 0, scen_seed(s), 0};
  sim_engine *e = sim_engine_new(&eo);
  topo_graph *g = NULL;
  net_model *n = NULL;
  og_graph *og = NULL;
  uint32_t *eps = NULL;
  int rc = -1;
  if (cli_net_build(s, e, &g, &n, err, errlen) < 0) goto out;
  if (nr > g->n_endpoints) {
    snprintf(err, errlen, "ranks: the trace has %u ranks, the topology %u endpoints (rank r runs on endpoint r)", nr,
             g->n_endpoints);
    goto out;
  }
  eps = malloc((size_t)nr * sizeof *eps);
  if (!eps) {
    snprintf(err, errlen, "chakra: out of memory");
    goto out;
  }
  for (uint32_t r = 0; r < nr; r++) eps[r] = r;
  roof_ctx rx;
  memset(&rx, 0, sizeof rx);
  comp_gpu gpu;
  memset(&gpu, 0, sizeof gpu);
  ck_import_opts io = {eps, nr, NULL, NULL};
  if (scen_bool(s, "retime")) {
    gpu = cli_gpu_from_scen(s);
    if (comp_model_init(&rx.m, &gpu, NULL, err, errlen) < 0) goto out;
    rx.dtype = strcmp(scen_str(s, "retime_dtype"), "fp8") == 0 ? "fp8_e4m3" : "bf16";
    io.retime = roof_retime;
    io.retime_ctx = &rx;
  }
  ck_import_stats cs;
  og = ck_import(R, &io, &cs, err, errlen);
  if (!og) goto out;
  og_stats st;
  if (og_finalize(og, err, errlen) < 0 || og_run(og, n, e, NULL, &st, err, errlen) < 0) goto out;
  char buf[64];
  snprintf(buf, sizeof buf, "%.6f", st.wall_s);
  res_run_param(out, "derived.wall_s", buf);
  res_run_param(out, "derived.trace_version", R[0].version);
  res_run_metric(out, "ranks", (double)nr, "1");
  res_run_metric(out, "completion_us", (double)(st.t_end - st.t_start) * 1e-6, "us");
  res_run_metric(out, "messages", (double)cs.messages, "1");
  res_run_metric(out, "bytes", cs.bytes, "B");
  res_run_metric(out, "nodes", (double)cs.nodes, "1");
  res_run_metric(out, "comp_nodes", (double)cs.comp, "1");
  res_run_metric(out, "coll_nodes", (double)cs.coll, "1");
  res_run_metric(out, "send_nodes", (double)cs.send, "1");
  res_run_metric(out, "retimed_nodes", (double)cs.retimed, "1");
  res_run_metric(out, "ops", (double)st.ops, "1");
  rc = 0;
out:
  og_free(og);
  if (R)
    for (uint32_t r = 0; r < nr; r++) ck_rank_free(&R[r]);
  free(R);
  free(eps);
  net_free(n);
  topo_free(g);
  sim_engine_free(e);
  return rc;
}

#else

static int chakra_check(const scen *s, char *err, size_t errlen) {
  (void)s;
  snprintf(err, errlen, "trace: this clustersim was built without protobuf-c: the Chakra importer is missing "
           "(install libprotobuf-c-dev and protobuf-c-compiler, then rebuild)");
  return -1;
}
static int chakra_run(const scen *s, uint32_t replicate, res_run *out, char *err, size_t errlen) {
  (void)replicate;
  (void)out;
  return chakra_check(s, err, errlen);
}

#endif

const cli_experiment cli_exp_chakra = {
  "chakra",
  "an MLCommons Chakra execution trace (<trace>.<rank>.et) imported into an op graph and run (completion, messages)",
  chakra_keys,
  chakra_run,
  chakra_check,
};
