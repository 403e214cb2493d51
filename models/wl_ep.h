/* wl_ep.h: expert-parallel dispatch and combine, DeepEP-style, as op graphs (prefix wl_ep_).
 *
 * Gate (wl_ep_route): every rank holds `tokens` tokens; each picks experts_per_token distinct routed
 * experts. With node_limit L > 0 a token first draws L distinct expert groups (uniformly; groups are
 * consecutive expert ranges, DeepSeek-V3: 256 experts in 8 groups, one group per node in EP64) and
 * picks its experts inside them; without it, among all experts. skew > 0 weights expert e by
 * (e + 1)^-skew (imbalance); 0 is uniform. Draws come from the given GSL RNG, or a routing table is
 * given. Experts are spread evenly over the ranks in order (rank = e / (experts / ranks)); shared
 * experts run locally and move no bytes.
 *
 * Token bytes: dispatch hidden x dispatch_elem_bytes plus hidden / scale_block x scale_bytes (FP8
 * with 1x128 FP32 scales: 7168 + 224); combine hidden x combine_elem_bytes (BF16).
 *
 * Normal mode (training, prefill): a token crosses the network once per destination node, to the
 * GPU there with the source's local index (same rail/plane), which forwards it over NVLink to every
 * target GPU on that node (deduplication); targets on the source's own node get it over NVLink
 * directly. The network and NVLink phases pipeline in chunks of chunk_bytes (window chunks in
 * flight per leg). Combine is the reverse: each target GPU returns its result for a token over
 * NVLink to the relay, which sends one reduced copy per token back over the network.
 * Low-latency mode (decode): one copy per (token, expert) straight from the source GPU to the
 * expert's GPU (the router's route: NVLink inside a node, PXN across planes), no forwarding;
 * combine returns the same copies.
 *
 * Bytes are aggregated per (source, destination, chunk): a message is the tokens of one chunk, not
 * one token. */
#ifndef CLUSTERSIM_WL_EP_H
#define CLUSTERSIM_WL_EP_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#include "og.h"
#include "topo.h"

typedef struct wl_ep_spec {
  const topo_graph *g;
  const uint32_t *eps;          /* EP ranks: rank i = endpoint eps[i] (whole hosts) */
  uint32_t ranks;
  uint32_t tokens;              /* per rank, >= 1 */
  uint32_t hidden;
  uint32_t experts;             /* routed */
  uint32_t experts_per_token;   /* top-k */
  uint32_t groups;              /* expert groups (>= 1, divides experts) */
  uint32_t node_limit;          /* groups a token may reach, 0: no limit */
  double skew;
  double dispatch_elem_bytes, scale_bytes, combine_elem_bytes;
  uint32_t scale_block;         /* elements per scale (128) */
  int low_latency;
  double chunk_bytes;
  uint32_t window;
} wl_ep_spec;

/* Checks the spec: 0, or -1 with err naming the key (as in the scenario: tokens, experts,
 * experts_per_token, groups, node_limit, ...) and what is allowed. */
int wl_ep_check(const wl_ep_spec *s, char *err, size_t errlen);

/* routing[(rank x tokens + t) x k + j] = expert of token t of rank, slot j. Draws it. */
void wl_ep_route(const wl_ep_spec *s, gsl_rng *rng, uint16_t *routing);

/* Reads a routing file into routing (layout as wl_ep_route's): text, one line per token in order
 * (rank 0's tokens 0 .. tokens-1, then rank 1's, ...), each line experts_per_token distinct expert ids
 * (0 .. experts-1) separated by spaces, tabs or commas; blank lines and lines starting with '#' are
 * skipped. The file is the routing: the node limit and skew are not applied to it. Refuses files that
 * are not regular or over 1 GiB. 0, or -1 with "FILE:LINE:COL: what; allowed ..." in err (the
 * wrong number of lines names the count wanted: ranks x tokens). */
int wl_ep_routing_read(const wl_ep_spec *s, const char *path, uint16_t *routing, char *err, size_t errlen);
/* The same from a buffer (name is used in messages); for tests and fuzzing. */
int wl_ep_routing_parse(const wl_ep_spec *s, const char *name, const char *text, size_t len, uint16_t *routing,
                        char *err, size_t errlen);

typedef struct wl_ep_counts {
  double rdma_bytes, nvl_bytes;        /* all ranks: over the network / over NVLink (dispatch) */
  double *rank_rdma, *rank_nvl;        /* per rank sent in dispatch (caller frees; NULL allowed) */
  double nodes_per_token;              /* mean distinct nodes a token reaches, its own included */
  double remote_nodes_per_token;       /* the same, other nodes only */
  uint64_t *expert_tokens;             /* per expert: tokens routed to it (caller frees) */
} wl_ep_counts;

/* The dispatch (combine = 0) or combine (1) graph for a routing. NULL on a bad spec (err). */
og_graph *wl_ep_graph(const wl_ep_spec *s, const uint16_t *routing, int combine, wl_ep_counts *cnt, char *err,
                      size_t errlen);
void wl_ep_counts_free(wl_ep_counts *c);

/* Placing a phase inside a larger graph (a decode or training step). */
typedef struct wl_ep_place {
  const uint32_t *rank;   /* EP rank i -> rank of the graph (NULL: identity) */
  const uint32_t *start;  /* per EP rank: op whose end lets its messages start (NULL, or OG_NONE entries: none) */
  uint32_t *done;         /* out, per EP rank: a NOP on `stream` of its graph rank ("dispatch.done" /
                             "combine.done") that ends when every message into it and every message it sends in
                             this phase have been delivered (NULL: none) */
  uint32_t stream;        /* stream of the done NOPs */
} wl_ep_place;

/* Appends the dispatch (combine = 0) or combine (1) phase for a routing to g (not finalized; its ranks
 * cover pl->rank's values). The ops are those wl_ep_graph builds, plus the start and done edges.
 * 0, or -1 with err (bad spec, or normal mode over a node not wholly in the group). */
int wl_ep_append(og_graph *g, const wl_ep_spec *s, const uint16_t *routing, int combine, const wl_ep_place *pl,
                 wl_ep_counts *cnt, char *err, size_t errlen);

/* Bytes of one token in dispatch and in combine. */
double wl_ep_token_bytes(const wl_ep_spec *s, int combine);

#endif
