/* exp_hw.h: the `gpu:` and `model:` scenario blocks shared by the experiments that need a GPU's compute
 * model or an LLM's shapes (compute_op, llm, decode): their key tables (presets in scenarios/hardware/
 * and scenarios/models/) and the bridges to compute.h and llm.h.
 *
 * Schema:
 *   gpu:     name, compute: {sm_count, sm_clock_mhz, peak_bf16_flops, peak_fp8_flops, hbm_bw, trace_from}
 *   model:   name, attention (mha | gqa | mla), num_layers, hidden_size, vocab_size, num_heads, ... (llm.h)
 * With them, an experiment lists traces_dir (folder of kernel traces; '' = the source tree's
 * results/traces) and use_trace (false: roofline only) when it reads the trace. */
#ifndef CLUSTERSIM_EXP_HW_H
#define CLUSTERSIM_EXP_HW_H

#include <stddef.h>

#include "compute.h"
#include "llm.h"
#include "scen.h"

extern const scen_key cli_gpu_keys[];         /* children of `gpu:` */
extern const scen_key cli_llm_model_keys[];   /* children of `model:` */

#define CLI_GPU_KEY(req)                                                                                       \
  {"gpu", SCEN_PRESET, "GPU preset in scenarios/hardware/ (e.g. gpu-h100, gpu-h800)", NULL, req, 0, 0, 0, NULL, \
   cli_gpu_keys, 0, "hardware"}
#define CLI_MODEL_KEY(req)                                                                                      \
  {"model", SCEN_PRESET, "LLM config: a preset name in scenarios/models/ or an inline map", NULL, req, 0, 0, 0,  \
   NULL, cli_llm_model_keys, 0, "models"}
#define CLI_TRACE_KEYS                                                                                          \
  {"traces_dir", SCEN_STR, "folder of kernel traces (default: the source tree's results/traces)", "''", 0, 0, 0, \
   0, NULL, NULL, 0, NULL},                                                                                     \
  {"use_trace", SCEN_BOOL, "false: roofline only, for comparison", "true", 0, 0, 0, 0, NULL, NULL, 0, NULL}

/* The GPU of `gpu:` (strings point into s). */
comp_gpu cli_gpu_from_scen(const scen *s);
/* The compute model of the scenario's GPU, with its kernel trace when use_trace: *g and *t must outlive
 * *m (the model points to both; the caller frees *t with comp_trace_free). 0 or -1 with a message. */
int cli_comp_from_scen(const scen *s, comp_gpu *g, comp_model *m, comp_trace **t, char *err, size_t errlen);

/* The LLM of `model:`, and its consistency rules (messages name the keys). */
void cli_llm_from_scen(const scen *s, llm_config *c);
int cli_llm_check(const llm_config *c, char *err, size_t errlen);

#endif
