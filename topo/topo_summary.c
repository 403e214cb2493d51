/* topo_summary.c: the figures `clustersim topo describe` prints: counts by class, diameter,
 * average hops, path diversity, bisection bandwidth, memory.
 *
 * Costs: one BFS over the fabric switches is O(switches + switch links). Exact figures search from
 * every switch that has endpoints; past SUMMARY_EXACT_SOURCES such switches a deterministic sample
 * (from the seed) is searched instead and the summary says so (diameter_exact = 0: a lower bound).
 */
#include <stdlib.h>
#include <string.h>

#include "topo_int.h"

#define SUMMARY_EXACT_SOURCES 2048u
#define SUMMARY_SAMPLE_SOURCES 64u
#define SUMMARY_PAIRS 256u

/* The next value of a splitmix64 stream. */
static uint64_t mix64(uint64_t *state) { return topo__mix64(*state += UINT64_C(0x9E3779B97F4A7C15)); }

/* Cut between the id-ordered halves of the endpoints (per plane; hosts kept whole). A switch sits
 * on the side of most of its endpoints; switches without endpoints (spines, cores) are placed tier
 * by tier on the side of most of their already-placed neighbours (ties: side 0). The capacity of
 * this cut is an upper bound on the bisection bandwidth; for fat-trees and for group-ordered
 * direct networks it is the familiar figure (N/2 links for a full fat-tree). */
static double halves_cut_Bps(const topo_graph *g) {
  uint32_t n = g->n_nodes;
  int8_t *side = malloc(n ? n : 1);
  int32_t *vote = calloc(n ? n : 1, sizeof *vote);
  TOPO_ASSERT(side && vote);
  memset(side, -1, n);
  /* Bare endpoints: the halves of each plane (planes are separate fabrics, each is cut in two).
   * Hosts: the halves of the host ids, every device of a host on its host's side. */
  int32_t max_host = -1, max_plane = 0;
  for (uint32_t v = 0; v < n; v++) {
    if (g->host[v] > max_host) max_host = g->host[v];
    if (g->plane[v] > max_plane) max_plane = g->plane[v];
  }
  if (max_host >= 0) {
    for (uint32_t v = 0; v < n; v++)
      if (g->host[v] >= 0) side[v] = g->host[v] < (max_host + 1) / 2 ? 0 : 1;
  } else {
    uint32_t *in_plane = calloc((size_t)max_plane + 1, sizeof *in_plane);
    uint32_t *seen = calloc((size_t)max_plane + 1, sizeof *seen);
    TOPO_ASSERT(in_plane && seen);
    for (uint32_t e = 0; e < g->n_endpoints; e++) {
      int16_t pl = g->plane[g->endpoint_node[e]];
      in_plane[pl > 0 ? pl : 0]++;
    }
    for (uint32_t e = 0; e < g->n_endpoints; e++) {
      uint32_t v = g->endpoint_node[e];
      int pl = g->plane[v] > 0 ? g->plane[v] : 0;
      side[v] = seen[pl]++ < in_plane[pl] / 2 ? 0 : 1;
    }
    free(in_plane);
    free(seen);
  }
  /* Switches, tier by tier: votes of placed neighbours. */
  for (int tier = 0; tier <= 3; tier++) {
    for (uint32_t v = 0; v < n; v++) {
      if (side[v] >= 0 || g->kind[v] != TOPO_SWITCH || g->tier[v] != tier) continue;
      int32_t c0 = 0, c1 = 0;
      for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++) {
        uint32_t w = topo_arc_to(g, g->adj_arc[i]);
        if (side[w] == 0) c0++;
        if (side[w] == 1) c1++;
      }
      vote[v] = c1 - c0;
    }
    for (uint32_t v = 0; v < n; v++)
      if (side[v] < 0 && g->kind[v] == TOPO_SWITCH && g->tier[v] == tier) side[v] = vote[v] > 0 ? 1 : 0;
  }
  for (uint32_t v = 0; v < n; v++)
    if (side[v] < 0) side[v] = 0;
  double cut = 0.0;
  for (uint32_t l = 0; l < g->n_links; l++)
    if (side[g->link_a[l]] != side[g->link_b[l]]) cut += g->bw_Bps[l];
  free(side);
  free(vote);
  return cut;
}

int topo_summarize(const topo_graph *g, uint64_t seed, topo_summary *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  out->counts = g->counts;
  for (uint32_t l = 0; l < g->n_links; l++) {
    out->links_by_class[g->cls[l]]++;
    out->links_by_medium[g->medium[l]]++;
    out->cable_m_by_medium[g->medium[l]] += (double)g->length_m[l];
  }
  out->memory_bytes = topo_memory_bytes(g);

  /* Switches with endpoints, and how many endpoints each carries. */
  uint32_t n = g->n_nodes;
  uint32_t *eps_at = calloc(n ? n : 1, sizeof *eps_at);
  uint32_t *srcs = malloc(sizeof *srcs * (n ? n : 1));
  uint8_t *dist = malloc(n ? n : 1);
  uint32_t *queue = malloc(sizeof *queue * (n ? n : 1));
  int rc = 0;
  if (!eps_at || !srcs || !dist || !queue) {
    rc = topo__fail(err, errlen, TOPO_ENOMEM, "out of memory summarising the graph");
    goto done;
  }
  uint32_t nsrc = 0;
  for (uint32_t e = 0; e < g->n_endpoints; e++) {
    uint32_t sw = topo_endpoint_switch(g, e);
    if (sw == UINT32_MAX) continue;
    if (eps_at[sw]++ == 0) srcs[nsrc++] = sw;
  }
  uint64_t rng = seed ^ UINT64_C(0x746f706f73756d6d);
  uint32_t nsearch = nsrc;
  out->diameter_exact = 1;
  if (nsrc > SUMMARY_EXACT_SOURCES) {
    /* Partial Fisher-Yates: the first SUMMARY_SAMPLE_SOURCES entries become the sample. */
    for (uint32_t i = 0; i < SUMMARY_SAMPLE_SOURCES; i++) {
      uint32_t j = i + (uint32_t)(mix64(&rng) % (nsrc - i));
      uint32_t t = srcs[i];
      srcs[i] = srcs[j];
      srcs[j] = t;
    }
    nsearch = SUMMARY_SAMPLE_SOURCES;
    out->diameter_exact = 0;
  }
  /* Mean hops over ordered endpoint pairs (a != b), sampled by source switch. */
  double hop_sum = 0.0, pair_sum = 0.0;
  int diam = 0;
  for (uint32_t i = 0; i < nsearch; i++) {
    uint32_t s = srcs[i];
    topo_bfs_switches(g, s, dist, queue);
    for (uint32_t j = 0; j < nsrc; j++) {
      uint32_t t = srcs[j];
      if (dist[t] == UINT8_MAX) continue;   /* another plane */
      if (dist[t] > diam) diam = dist[t];
      double pairs = (double)eps_at[s] * (double)(t == s ? eps_at[t] - 1 : eps_at[t]);
      hop_sum += pairs * dist[t];
      pair_sum += pairs;
    }
  }
  out->diameter = nsrc ? diam : 0;
  out->avg_hops = pair_sum > 0 ? hop_sum / pair_sum : 0.0;

  /* Path diversity: minimal routes between sampled endpoint pairs on different switches. */
  if (g->n_endpoints > 1) {
    topo_router *r = topo_router_new(g, 0);
    if (!r) {
      rc = topo__fail(err, errlen, TOPO_ENOMEM, "out of memory for the router");
      goto done;
    }
    double psum = 0.0;
    uint32_t np = 0;
    for (uint32_t k = 0; k < SUMMARY_PAIRS * 4 && np < SUMMARY_PAIRS; k++) {
      uint32_t a = (uint32_t)(mix64(&rng) % g->n_endpoints), b = (uint32_t)(mix64(&rng) % g->n_endpoints);
      if (a == b) continue;
      if (topo_switch_hops(r, a, b) <= 0) continue;
      double c = topo_minimal_path_count(r, a, b);
      if (c <= 0) continue;
      psum += c;
      np++;
    }
    out->path_diversity = np ? psum / np : 1.0;
    topo_router_free(r);
  }
  out->bisection_Bps = halves_cut_Bps(g);
  out->bisection_method = "cut between the id-ordered halves of the endpoints of each plane (an upper bound)";
done:
  free(eps_at);
  free(srcs);
  free(dist);
  free(queue);
  return rc;
}
