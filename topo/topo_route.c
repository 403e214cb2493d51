/* topo_route.c: routes between endpoints (topo.h, "routing"): minimal routes over BFS layers, their
 * count, and the four policies STATIC, ECMP, ADAPTIVE and UGAL.
 *
 * A route is the list of arcs from the source endpoint's node to the destination endpoint's node.
 * It has three parts:
 *   prefix  endpoint -> its fabric switch s: a bare endpoint's one cable; a GPU's own NIC path
 *           GPU -> PCIe switch -> NIC -> leaf; for PXN (below) first GPU -> NVSwitch -> proxy GPU;
 *   fabric  s -> t over fabric switches only, minimal (dist_t decreases by one per hop);
 *   suffix  t -> destination: the reverse of the destination's own prefix (leaf -> NIC -> PCIe -> GPU).
 * Two GPUs on one NVSwitch (same host or NVLink domain) talk over NVLink only: GPU -> NVSwitch -> GPU.
 *
 * Distances. For each destination switch t the router keeps dist_t (uint8 hops from every fabric
 * switch to t: topo_bfs_switches' figures, computed on a switch-only copy of the adjacency, which is
 * 3-6x faster on direct networks with many endpoint ports) in a cache of fixed-size slots, one
 * byte per switch per slot, bounded by cache_bytes. When every slot is taken the whole cache is dropped and filled
 * again: simple, deterministic (routes never depend on what is cached) and, for graphs with few
 * switches (all-pairs fits), never happens. A query needs at most two arrays at once (UGAL: to the
 * destination and from the source), so at least four slots exist. Rejected: LRU (bookkeeping on
 * every hit for a cache that, for the sizes we run, either holds everything or is swept in
 * destination order anyway).
 *
 * Minimal next hops at switch u toward t: the arcs u -> v with v a fabric switch and
 * dist_t[v] == dist_t[u] - 1, in adjacency (link-id) order; parallel links are distinct next hops.
 * Every such hop lies on a minimal route, so a walk never dead-ends.
 *
 * Policies (at a switch with one minimal next hop there is nothing to choose):
 *   STATIC   fat-trees (every switch-switch link joins two tiers): D-mod-k. On an upward hop from a
 *            tier-l switch the up-arc is (key / D_l) mod (number of up-arcs), where key is the
 *            destination's leaf-major position (leaf rank x leaf down-ports + its port on the leaf;
 *            equal to the endpoint index where endpoints are numbered leaf by leaf) and D_l is the
 *            product of the down-arities of tiers 1 .. l-1. Consecutive destinations under a leaf
 *            take consecutive spines, so a permutation into distinct destinations under one leaf
 *            shares no uplink and no downlink. Downward hops are unique except for parallel cables
 *            (partial builds: S spines, h/S cables per leaf-spine pair): there the cable is
 *            (key / S) mod cables, the one the upward choice would have used (see down_div). Other graphs (Slim Fly, Dragonfly, hand-built): a fixed minimal path, the
 *            next hop at each switch being (destination endpoint index mod choices).
 *            Why a leaf-major key rather than the raw GPU index: hosts number their GPUs across
 *            rails/planes, so GPU indices under one leaf are not consecutive; the raw index would
 *            make D-mod-k collide where the real (port-based) tables do not.
 *   ECMP     at each switch with several next hops: mix64(flow, switch node) mod choices, mix64 the
 *            splitmix64 finaliser. Independent per switch, so distinct flows collide on a link with
 *            the birthday probability, as with real hash-based ECMP.
 *   ADAPTIVE up to max distinct minimal routes. Routes are numbered in mixed radix over the
 *            branchings (nth_route). If there are at most max, all of them in number order; else
 *            numbers drawn from a splitmix64 stream of seed (the network model passes a hash of the
 *            connection), so each candidate varies at every branching and the candidates of many
 *            flows cover every uplink and downlink. Rejected: depth-first, lowest arc first (every
 *            flow's candidates shared the first uplink and differed only near the destination), and
 *            a window of consecutive numbers (it varies the first hop only, so the candidates of a
 *            flow all shared one spine-to-leaf cable when a leaf pair has parallel cables).
 *            The network model picks among them by load.
 *   UGAL     the ADAPTIVE candidates (up to max - n_nonminimal, at least one), then n_nonminimal
 *            Valiant routes: minimal to an intermediate switch m, then minimal to the destination.
 *            m is drawn from a splitmix64 stream of seed (value mod switches, in node order); a draw
 *            is skipped if m is the source or destination switch, lies on a minimal route (the
 *            detour would be minimal), is unreachable, the route would exceed TOPO_ROUTE_MAX arcs,
 *            would use an arc twice, or repeats an earlier candidate; at most 64 + 32 x n draws. The
 *            two legs choose among equal next hops by the draw's hash (like ECMP with the draw as
 *            flow), so distinct draws of one m can give distinct routes.
 *   For STATIC and ECMP, topo_route_candidates returns the one route (ECMP's flow = seed).
 *
 * Multi-plane (MPFT: planes are disconnected fabrics; a GPU's own NIC is in its plane). If the
 * destination's switch cannot be reached from the source GPU's own leaf, the route first crosses
 * NVLink to a proxy GPU on the source's NVSwitch whose own leaf reaches it (PXN, as NCCL does it),
 * then leaves through the proxy's NIC. The proxy is, in order of preference: the GPU of the source
 * host with the destination's local index (in MPFT the one in the destination's plane, like the
 * rail-matched proxy of PXN), any GPU of the source host in the destination's plane, any GPU of the
 * source host, any GPU of the NVLink domain; ties go to the lowest endpoint index. The source GPU
 * never goes through another GPU when its own leaf reaches the destination (so MRFT, one fabric with
 * shared spines, sends cross-rail traffic up to the spines from the GPU's own rail).
 *
 * A GPU's own NIC: on its PCIe switch, the NICs that reach a fabric switch and have the GPU's plane,
 * taken in port order; the GPU gets the one at its own rank among the PCIe switch's GPUs of that
 * plane (modulo the count). With no NIC of its plane, the rank among all GPUs over all fabric NICs.
 * A GPU with a NIC straight on it (no PCIe switch) or a fabric switch straight on it uses that.
 *
 * topo_switch_hops and topo_minimal_path_count describe the fabric segment (under PXN: from the
 * proxy's leaf); an NVLink-only pair has 0 hops and 1 route, as has an endpoint with itself.
 *
 * Costs: a cache miss is one BFS over the fabric, O(switches + switch-switch arcs) (a 16k-router
 * dragonfly: about 0.7 ms; callers that route many flows should group them by destination); a
 * route is O(hops x switch degree); a path count is O(switches and arcs of the minimal DAG).
 * Memory besides the cache: 40 B per endpoint, 8 B per node, 8 B per switch-switch arc, 28 B per
 * switch. Nothing is allocated after topo_router_new().
 */
#include <stdlib.h>
#include <string.h>

#include "topo_int.h"

#define NONE UINT32_MAX
#define UNREACH UINT8_MAX
#define MAX_TIER 15
#define PRE_MAX 6 /* NVLink hop pair + GPU -> PCIe -> NIC -> leaf */
#define OUT_MAX 3 /* GPU -> PCIe switch -> NIC -> leaf */

typedef struct ep_attach {
  uint32_t sw;           /* fabric switch (node id) the endpoint's own path reaches; NONE if none */
  uint32_t out[OUT_MAX]; /* its own path, endpoint node -> sw */
  uint32_t nvs_arc;      /* GPU -> NVSwitch arc; NONE if none */
  uint32_t local;        /* index within its host (endpoints are numbered host by host) */
  uint64_t key;          /* D-mod-k key: leaf-major position under the fabric */
  uint8_t n_out;
} ep_attach;

struct topo_router {
  const topo_graph *g;
  uint32_t n_sw;
  uint32_t *sw_node; /* switch index -> node id (node order) */
  uint32_t *sw_idx;  /* node id -> switch index; NONE for other nodes */
  ep_attach *ep;
  uint32_t *ep_of_node; /* node id -> endpoint index; NONE for other nodes */
  int fattree;
  uint64_t div[MAX_TIER + 2]; /* D-mod-k divisor per tier */

  /* distance cache: slot i is cache[i * n_sw .. (i + 1) * n_sw) */
  uint8_t *cache;
  uint32_t nslots, used;
  uint32_t *slot_of;    /* switch index -> slot; NONE */
  uint32_t *slot_owner; /* slot -> switch index */
  uint32_t *bfs_queue;  /* n_sw */

  /* The fabric alone as CSR over switch indices, in the graph's port order: the arcs of switch i
   * to other switches are sw_arc[sw_off[i] .. sw_off[i+1]), their heads sw_nbr[..]. 8 B per
   * switch-switch arc; BFS and next-hop scans then skip endpoint/NIC ports and touch only
   * sequential arrays and the n_sw-byte distance row (which stays in cache). */
  uint32_t *sw_off, *sw_nbr, *sw_arc;

  /* path-count memo, stamped so that nothing is cleared per query */
  double *cnt;
  double *mprod;       /* per switch: largest product of branch radices over its minimal routes */
  uint32_t *stamp;
  uint32_t cur_stamp;
};

/* ---- hashing ---- */
#define mix64 topo__mix64
static uint64_t hash2(uint64_t a, uint64_t b) { return mix64(mix64(a) ^ (b + 1) * 0x9E3779B97F4A7C15ull); }

/* ---- endpoint attachment (once, at router creation) ---- */
static uint32_t first_arc_to_kind(const topo_graph *g, uint32_t v, topo_kind k) {
  for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++)
    if (g->kind[topo_arc_to(g, g->adj_arc[i])] == k) return g->adj_arc[i];
  return NONE;
}

/* The GPU's own NIC among the NICs on PCIe switch p (see the file comment); NONE if p has none. */
static uint32_t own_nic_arc(const topo_graph *g, uint32_t gpu, uint32_t p) {
  for (int same_plane = 1; same_plane >= 0; same_plane--) {
    uint32_t rank = 0, nics = 0;
    int seen = 0;
    for (uint32_t i = g->adj_off[p]; i < g->adj_off[p + 1]; i++) {
      uint32_t w = topo_arc_to(g, g->adj_arc[i]);
      if (g->kind[w] == TOPO_GPU && (!same_plane || g->plane[w] == g->plane[gpu])) {
        if (w == gpu) seen = 1;
        if (!seen) rank++;
      }
      if (g->kind[w] == TOPO_NIC && (!same_plane || g->plane[w] == g->plane[gpu]) &&
          first_arc_to_kind(g, w, TOPO_SWITCH) != NONE)
        nics++;
    }
    if (nics == 0) continue;
    uint32_t want = rank % nics;
    for (uint32_t i = g->adj_off[p]; i < g->adj_off[p + 1]; i++) {
      uint32_t w = topo_arc_to(g, g->adj_arc[i]);
      if (g->kind[w] == TOPO_NIC && (!same_plane || g->plane[w] == g->plane[gpu]) &&
          first_arc_to_kind(g, w, TOPO_SWITCH) != NONE && want-- == 0)
        return g->adj_arc[i];
    }
  }
  return NONE;
}

static void attach_endpoint(const topo_graph *g, uint32_t v, ep_attach *a) {
  a->sw = NONE;
  a->n_out = 0;
  a->nvs_arc = first_arc_to_kind(g, v, TOPO_NVSWITCH);
  uint32_t arc = first_arc_to_kind(g, v, TOPO_SWITCH);
  if (arc != NONE) {   /* bare endpoint, or a GPU cabled straight to the fabric */
    a->out[a->n_out++] = arc;
    a->sw = topo_arc_to(g, arc);
    return;
  }
  arc = first_arc_to_kind(g, v, TOPO_NIC);
  if (arc != NONE) {
    uint32_t up = first_arc_to_kind(g, topo_arc_to(g, arc), TOPO_SWITCH);
    if (up != NONE) {
      a->out[0] = arc;
      a->out[1] = up;
      a->n_out = 2;
      a->sw = topo_arc_to(g, up);
      return;
    }
  }
  for (uint32_t i = g->adj_off[v]; i < g->adj_off[v + 1]; i++) {
    uint32_t p = topo_arc_to(g, g->adj_arc[i]);
    if (g->kind[p] != TOPO_PCIE_SWITCH) continue;
    uint32_t nic_arc = own_nic_arc(g, v, p);
    if (nic_arc == NONE) continue;
    uint32_t up = first_arc_to_kind(g, topo_arc_to(g, nic_arc), TOPO_SWITCH);
    a->out[0] = g->adj_arc[i];
    a->out[1] = nic_arc;
    a->out[2] = up;
    a->n_out = 3;
    a->sw = topo_arc_to(g, up);
    return;
  }
}

/* Fat-tree: switches have tiers >= 1 and every switch-switch link joins two different tiers. */
static int detect_fattree(const topo_graph *g) {
  if (g->spec.family == TOPO_SLIMFLY || g->spec.family == TOPO_DRAGONFLY) return 0;
  int links = 0;
  for (uint32_t l = 0; l < g->n_links; l++) {
    uint32_t a = g->link_a[l], b = g->link_b[l];
    if (g->kind[a] != TOPO_SWITCH || g->kind[b] != TOPO_SWITCH) continue;
    if (g->tier[a] == 0 || g->tier[b] == 0 || g->tier[a] == g->tier[b] || g->tier[a] > MAX_TIER ||
        g->tier[b] > MAX_TIER)
      return 0;
    links++;
  }
  return links > 0;
}

/* Down-arity per tier (ports to endpoints/NICs or lower tiers, most over the tier), the D-mod-k
 * divisors, and each endpoint's leaf-major key. */
static int setup_dmodk(topo_router *r) {
  const topo_graph *g = r->g;
  uint64_t down[MAX_TIER + 2] = {0};
  for (uint32_t i = 0; i < r->n_sw; i++) {
    uint32_t u = r->sw_node[i];
    uint64_t d = 0;
    for (uint32_t k = g->adj_off[u]; k < g->adj_off[u + 1]; k++) {
      uint32_t w = topo_arc_to(g, g->adj_arc[k]);
      if (g->kind[w] != TOPO_SWITCH || g->tier[w] < g->tier[u]) d++;
    }
    if (g->tier[u] <= MAX_TIER && d > down[g->tier[u]]) down[g->tier[u]] = d;
  }
  r->div[0] = r->div[1] = 1;
  for (int t = 2; t <= MAX_TIER + 1; t++) {
    uint64_t m = down[t - 1] ? down[t - 1] : 1;
    r->div[t] = r->div[t - 1] > UINT64_MAX / m ? r->div[t - 1] : r->div[t - 1] * m;
  }
  /* Leaf rank: order of a switch among the switches that carry endpoints (node order). */
  uint32_t *rank = malloc(sizeof *rank * (r->n_sw ? r->n_sw : 1));
  if (!rank) return TOPO_ENOMEM;
  for (uint32_t i = 0; i < r->n_sw; i++) rank[i] = NONE;
  uint32_t next = 0;
  for (uint32_t i = 0; i < r->n_sw; i++) {
    uint32_t u = r->sw_node[i];
    for (uint32_t k = g->adj_off[u]; k < g->adj_off[u + 1]; k++)
      if (g->kind[topo_arc_to(g, g->adj_arc[k])] != TOPO_SWITCH) {
        rank[i] = next++;
        break;
      }
  }
  uint64_t m1 = down[1] ? down[1] : 1;
  for (uint32_t e = 0; e < g->n_endpoints; e++) {
    ep_attach *a = &r->ep[e];
    a->key = e;
    if (a->sw == NONE) continue;
    uint32_t down_arc = a->out[a->n_out - 1] ^ 1u;   /* leaf -> NIC / endpoint */
    uint64_t pos = 0;
    for (uint32_t k = g->adj_off[a->sw]; k < g->adj_off[a->sw + 1]; k++) {
      if (g->adj_arc[k] == down_arc) break;
      if (g->kind[topo_arc_to(g, g->adj_arc[k])] != TOPO_SWITCH) pos++;
    }
    uint32_t rk = rank[r->sw_idx[a->sw]];
    a->key = (uint64_t)(rk == NONE ? 0 : rk) * m1 + pos;
  }
  free(rank);
  return 0;
}

topo_router *topo_router_new(const topo_graph *g, size_t cache_bytes) {
  TOPO_ASSERT(g != NULL && g->adj_off != NULL);   /* finalized graphs only */
  topo_router *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->g = g;
  size_t nn = (size_t)g->n_nodes + 1;
  r->sw_idx = malloc(sizeof *r->sw_idx * nn);
  r->ep_of_node = malloc(sizeof *r->ep_of_node * nn);
  r->ep = calloc((size_t)g->n_endpoints + 1, sizeof *r->ep);
  if (!r->sw_idx || !r->ep_of_node || !r->ep) goto fail;
  for (uint32_t v = 0; v < g->n_nodes; v++) {
    r->ep_of_node[v] = NONE;
    r->sw_idx[v] = NONE;
    if (g->kind[v] == TOPO_SWITCH) r->sw_idx[v] = r->n_sw++;
  }
  size_t ns = (size_t)r->n_sw + 1;
  r->sw_node = malloc(sizeof *r->sw_node * ns);
  r->slot_of = malloc(sizeof *r->slot_of * ns);
  r->cnt = malloc(sizeof *r->cnt * ns);
  r->mprod = malloc(sizeof *r->mprod * ns);
  r->stamp = calloc(ns, sizeof *r->stamp);
  r->bfs_queue = malloc(sizeof *r->bfs_queue * ns);
  r->sw_off = malloc(sizeof *r->sw_off * ns);
  if (!r->sw_node || !r->slot_of || !r->cnt || !r->mprod || !r->stamp || !r->bfs_queue || !r->sw_off) goto fail;
  for (uint32_t v = 0; v < g->n_nodes; v++)
    if (r->sw_idx[v] != NONE) r->sw_node[r->sw_idx[v]] = v;
  size_t m = 0;
  for (uint32_t i = 0; i < r->n_sw; i++) {
    uint32_t u = r->sw_node[i];
    r->sw_off[i] = (uint32_t)m;
    for (uint32_t k = g->adj_off[u]; k < g->adj_off[u + 1]; k++)
      if (r->sw_idx[topo_arc_to(g, g->adj_arc[k])] != NONE) m++;
  }
  r->sw_off[r->n_sw] = (uint32_t)m;
  r->sw_nbr = malloc(sizeof *r->sw_nbr * (m + 1));
  r->sw_arc = malloc(sizeof *r->sw_arc * (m + 1));
  if (!r->sw_nbr || !r->sw_arc) goto fail;
  for (uint32_t i = 0, j = 0; i < r->n_sw; i++) {
    uint32_t u = r->sw_node[i];
    for (uint32_t k = g->adj_off[u]; k < g->adj_off[u + 1]; k++) {
      uint32_t w = r->sw_idx[topo_arc_to(g, g->adj_arc[k])];
      if (w == NONE) continue;
      r->sw_nbr[j] = w;
      r->sw_arc[j++] = g->adj_arc[k];
    }
  }
  for (uint32_t i = 0; i < r->n_sw; i++) r->slot_of[i] = NONE;

  /* Endpoints: attachment, host-local index. */
  int32_t prev_host = -1;
  uint32_t local = 0;
  for (uint32_t e = 0; e < g->n_endpoints; e++) {
    uint32_t v = g->endpoint_node[e];
    r->ep_of_node[v] = e;
    attach_endpoint(g, v, &r->ep[e]);
    int32_t h = g->host[v];
    local = (h >= 0 && h == prev_host) ? local + 1 : 0;
    prev_host = h;
    r->ep[e].local = local;
  }
  r->fattree = detect_fattree(g);
  if (setup_dmodk(r) < 0) goto fail;

  /* Cache: as many destination slots as cache_bytes holds, never more than all-pairs, at least 4. */
  if (cache_bytes == 0) cache_bytes = (size_t)64 << 20;
  if (r->n_sw > 0) {
    size_t slots = cache_bytes / r->n_sw;
    if (slots > r->n_sw) slots = r->n_sw;
    if (slots < 4) slots = 4;
    r->nslots = (uint32_t)slots;
    r->cache = malloc(slots * r->n_sw);
    r->slot_owner = malloc(sizeof *r->slot_owner * slots);
    if (!r->cache || !r->slot_owner) goto fail;
  }
  r->cur_stamp = 0;
  return r;
fail:
  topo_router_free(r);
  return NULL;
}

void topo_router_free(topo_router *r) {
  if (!r) return;
  free(r->sw_node);
  free(r->sw_idx);
  free(r->ep);
  free(r->ep_of_node);
  free(r->cache);
  free(r->slot_of);
  free(r->slot_owner);
  free(r->bfs_queue);
  free(r->sw_off);
  free(r->sw_nbr);
  free(r->sw_arc);
  free(r->cnt);
  free(r->mprod);
  free(r->stamp);
  free(r);
}

/* ---- distance cache ---- */
static void cache_drop(topo_router *r) {
  for (uint32_t i = 0; i < r->used; i++) r->slot_of[r->slot_owner[i]] = NONE;
  r->used = 0;
}

/* Makes sure k arrays can be fetched without a drop in between (k <= 4 <= nslots). */
static void cache_room(topo_router *r, uint32_t k) {
  if (r->nslots - r->used < k) cache_drop(r);
}

/* Hops from every switch (by switch index) to switch index t. */
static const uint8_t *dist_to(topo_router *r, uint32_t t) {
  uint32_t s = r->slot_of[t];
  if (s != NONE) return r->cache + (size_t)s * r->n_sw;
  if (r->used == r->nslots) cache_drop(r);
  s = r->used++;
  /* BFS over the fabric CSR; the same distances as topo_bfs_switches (a test checks), without its
   * pass over every node and every endpoint port. */
  uint8_t *d = r->cache + (size_t)s * r->n_sw;
  memset(d, UNREACH, r->n_sw);
  uint32_t head = 0, tail = 0;
  d[t] = 0;
  r->bfs_queue[tail++] = t;
  while (head < tail) {
    uint32_t u = r->bfs_queue[head++];
    if (d[u] >= UNREACH - 1) continue;   /* more than 254 hops: left unreachable */
    uint8_t du1 = (uint8_t)(d[u] + 1);
    for (uint32_t k = r->sw_off[u]; k < r->sw_off[u + 1]; k++) {
      uint32_t w = r->sw_nbr[k];
      if (d[w] != UNREACH) continue;
      d[w] = du1;
      r->bfs_queue[tail++] = w;
    }
  }
  r->slot_of[t] = s;
  r->slot_owner[s] = t;
  return d;
}

/* ---- one query's plan: prefix, fabric segment s -> t, suffix ---- */
typedef struct plan {
  uint32_t pre[PRE_MAX], post[OUT_MAX];
  uint32_t n_pre, n_post;
  uint32_t s, t;        /* switch indices; NONE: no fabric segment */
  const uint8_t *dist_t;
  uint32_t hops;
  uint64_t key;         /* STATIC key of the destination */
  uint32_t dst_ep;
} plan;

static uint32_t pick_proxy(topo_router *r, uint32_t src, uint32_t dst, const uint8_t *dist_t, uint32_t *nvs_gpu_arc) {
  const topo_graph *g = r->g;
  uint32_t a_node = g->endpoint_node[src], b_node = g->endpoint_node[dst];
  uint32_t nvs = topo_arc_to(g, r->ep[src].nvs_arc);
  uint32_t best = NONE, best_rank = 4;
  for (uint32_t i = g->adj_off[nvs]; i < g->adj_off[nvs + 1]; i++) {
    uint32_t w = topo_arc_to(g, g->adj_arc[i]);
    uint32_t c = r->ep_of_node[w];
    if (g->kind[w] != TOPO_GPU || c == NONE || c == src || r->ep[c].sw == NONE) continue;
    if (dist_t[r->sw_idx[r->ep[c].sw]] == UNREACH) continue;
    int same_host = g->host[w] == g->host[a_node] && g->host[w] >= 0;
    uint32_t rk = !same_host                                      ? 3u
                  : r->ep[c].local == r->ep[dst].local             ? 0u
                  : g->plane[w] == g->plane[b_node]                ? 1u
                                                                   : 2u;
    if (rk < best_rank || (rk == best_rank && c < best)) {
      best = c;
      best_rank = rk;
      *nvs_gpu_arc = g->adj_arc[i];
    }
  }
  return best;
}

static int make_plan(topo_router *r, uint32_t src, uint32_t dst, plan *p) {
  const topo_graph *g = r->g;
  if (src >= g->n_endpoints || dst >= g->n_endpoints) return TOPO_EINVAL;
  memset(p, 0, sizeof *p);
  p->s = p->t = NONE;
  p->dst_ep = dst;
  if (src == dst) return 0;
  const ep_attach *a = &r->ep[src], *b = &r->ep[dst];
  if (a->nvs_arc != NONE && b->nvs_arc != NONE && topo_arc_to(g, a->nvs_arc) == topo_arc_to(g, b->nvs_arc)) {
    p->pre[0] = a->nvs_arc;
    p->pre[1] = b->nvs_arc ^ 1u;
    p->n_pre = 2;
    return 0;
  }
  if (a->sw == NONE || b->sw == NONE) return TOPO_EINVAL;
  p->t = r->sw_idx[b->sw];
  p->dist_t = dist_to(r, p->t);
  p->key = r->fattree ? b->key : dst;
  for (uint32_t i = 0; i < b->n_out; i++) p->post[i] = b->out[b->n_out - 1 - i] ^ 1u;
  p->n_post = b->n_out;
  const ep_attach *from = a;
  if (p->dist_t[r->sw_idx[a->sw]] == UNREACH) {
    /* Another plane: PXN through a GPU on the same NVSwitch whose own leaf reaches t. */
    uint32_t nvs_gpu_arc = NONE;
    uint32_t c = a->nvs_arc == NONE ? NONE : pick_proxy(r, src, dst, p->dist_t, &nvs_gpu_arc);
    if (c == NONE) return TOPO_EINVAL;
    p->pre[p->n_pre++] = a->nvs_arc;
    p->pre[p->n_pre++] = nvs_gpu_arc;
    from = &r->ep[c];
  }
  for (uint32_t i = 0; i < from->n_out; i++) p->pre[p->n_pre++] = from->out[i];
  p->s = r->sw_idx[from->sw];
  p->hops = p->dist_t[p->s];
  if (p->n_pre + p->hops + p->n_post > TOPO_ROUTE_MAX) return TOPO_EINVAL;
  return 0;
}

/* Minimal next hops of switch index u toward dist_t, in adjacency order: start with *k = 0; each
 * call returns the next arc (and its head's switch index in *v) or NONE when there are no more. */
static uint32_t next_hop(const topo_router *r, uint32_t u, const uint8_t *dist_t, uint32_t *k, uint32_t *v) {
  uint32_t want = (uint32_t)dist_t[u] - 1, base = r->sw_off[u], end = r->sw_off[u + 1];
  for (uint32_t i = base + *k; i < end; i++) {
    uint32_t w = r->sw_nbr[i];
    if (dist_t[w] == want) {
      *k = i - base + 1;
      *v = w;
      return r->sw_arc[i];
    }
  }
  *k = end - base;
  return NONE;
}

static uint32_t count_next(const topo_router *r, uint32_t u, const uint8_t *dist_t, int *all_up) {
  uint32_t n = 0, k = 0, v;
  int up = 1;
  while (next_hop(r, u, dist_t, &k, &v) != NONE) {
    n++;
    if (r->g->tier[r->sw_node[v]] <= r->g->tier[r->sw_node[u]]) up = 0;
  }
  if (all_up) *all_up = up;
  return n;
}

static uint32_t nth_next(const topo_router *r, uint32_t u, const uint8_t *dist_t, uint32_t idx) {
  uint32_t k = 0, v, arc;
  while ((arc = next_hop(r, u, dist_t, &k, &v)) != NONE)
    if (idx-- == 0) return arc;
  TOPO_ASSERT(0);
  return NONE;
}

/* D-mod-k on a downward hop from u whose n choices are parallel cables to one lower switch v: the
 * cable is (key / P) mod n, P = v's distinct parents (its up-arcs / n). With v's uplinks dealt
 * round-robin over its parents (uplink i -> parent i mod P, the builders' port order), the upward
 * choice key mod (P n) put the destination on parent key mod P and cable (key / P) mod n; taking the
 * same cable down keeps distinct destinations under v on distinct cables. 1 if the choices lead to
 * several switches (no such structure to follow). */
static uint64_t down_div(const topo_router *r, uint32_t u, const uint8_t *dist_t, uint32_t n) {
  const topo_graph *g = r->g;
  uint32_t k = 0, v0 = NONE, v;
  while (next_hop(r, u, dist_t, &k, &v) != NONE) {
    if (v0 == NONE) v0 = v;
    if (v != v0) return 1;
  }
  uint32_t node = r->sw_node[v0];
  uint64_t up = 0;
  for (uint32_t i = g->adj_off[node]; i < g->adj_off[node + 1]; i++) {
    uint32_t w = topo_arc_to(g, g->adj_arc[i]);
    if (g->kind[w] == TOPO_SWITCH && g->tier[w] > g->tier[node]) up++;
  }
  return up / n > 0 ? up / n : 1;
}

/* Index among n choices at switch u for a policy (file comment). */
static uint32_t choose(const topo_router *r, topo_routing how, uint32_t u, const uint8_t *dist_t, uint32_t n,
                       int all_up, uint64_t key, uint64_t flow) {
  if (n == 1) return 0;
  if (how == TOPO_ROUTING_STATIC) {
    uint64_t div = 1;
    if (r->fattree && all_up) {
      uint32_t tier = r->g->tier[r->sw_node[u]];
      div = r->div[tier <= MAX_TIER ? tier : MAX_TIER];
    } else if (r->fattree) {
      div = down_div(r, u, dist_t, n);
    }
    return (uint32_t)((key / div) % n);
  }
  return (uint32_t)(hash2(flow, r->sw_node[u]) % n);
}

/* Walks s -> t (switch indices) appending arcs; returns the new length. */
static uint32_t walk(const topo_router *r, topo_routing how, uint32_t s, const uint8_t *dist_t, uint64_t key,
                     uint64_t flow, uint32_t *arcs, uint32_t n) {
  uint32_t u = s;
  while (dist_t[u] > 0) {
    int up = 0;
    uint32_t c = count_next(r, u, dist_t, &up);
    uint32_t arc = nth_next(r, u, dist_t, choose(r, how, u, dist_t, c, up, key, flow));
    arcs[n++] = arc;
    u = r->sw_idx[topo_arc_to(r->g, arc)];
  }
  return n;
}

static void assemble(const plan *p, const uint32_t *mid, uint32_t n_mid, topo_route *out) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < p->n_pre; i++) out->arc[n++] = p->pre[i];
  for (uint32_t i = 0; i < n_mid; i++) out->arc[n++] = mid[i];
  for (uint32_t i = 0; i < p->n_post; i++) out->arc[n++] = p->post[i];
  out->n = n;
}

/* ---- public queries ---- */
int topo_switch_hops(topo_router *r, uint32_t src_ep, uint32_t dst_ep) {
  TOPO_ASSERT(r != NULL);
  plan p;
  int rc = make_plan(r, src_ep, dst_ep, &p);
  if (rc < 0) return rc;
  return p.s == NONE ? 0 : (int)p.hops;
}

/* Minimal routes from switch u to t (memoised per query by stamp), and in mprod[u] the largest
 * product of branching radices along them: route numbers 0 .. mprod - 1 reach every route
 * (nth_route). */
static double count_paths(topo_router *r, uint32_t u, const uint8_t *dist_t) {
  if (r->stamp[u] == r->cur_stamp) return r->cnt[u];
  double c = 0.0, mp = 1.0;
  if (dist_t[u] == 0) {
    c = 1.0;
  } else {
    uint32_t k = 0, v, branches = 0;
    double best = 0.0;
    while (next_hop(r, u, dist_t, &k, &v) != NONE) {   /* depth <= dist_t[u] */
      c += count_paths(r, v, dist_t);
      if (r->mprod[v] > best) best = r->mprod[v];
      branches++;
    }
    mp = (double)branches * best;
  }
  r->stamp[u] = r->cur_stamp;
  r->cnt[u] = c;
  r->mprod[u] = mp;
  return c;
}

/* Minimal routes of a plan (a fresh count: the memo is stamped per query). */
static double paths_of(topo_router *r, const plan *p) {
  if (++r->cur_stamp == 0) {
    memset(r->stamp, 0, sizeof *r->stamp * ((size_t)r->n_sw + 1));
    r->cur_stamp = 1;
  }
  return count_paths(r, p->s, p->dist_t);
}

double topo_minimal_path_count(topo_router *r, uint32_t src_ep, uint32_t dst_ep) {
  TOPO_ASSERT(r != NULL);
  plan p;
  int rc = make_plan(r, src_ep, dst_ep, &p);
  if (rc < 0) return (double)rc;
  if (p.s == NONE) return 1.0;   /* same endpoint, or NVLink only: one way */
  return paths_of(r, &p);
}

int topo_route_one(topo_router *r, topo_routing how, uint32_t src_ep, uint32_t dst_ep, uint64_t flow,
                   topo_route *out) {
  TOPO_ASSERT(r != NULL && out != NULL);
  if ((unsigned)how >= TOPO_ROUTING_COUNT) return TOPO_EINVAL;
  plan p;
  int rc = make_plan(r, src_ep, dst_ep, &p);
  if (rc < 0) {
    out->n = 0;
    return rc;
  }
  uint32_t mid[TOPO_ROUTE_MAX], n = 0;
  if (p.s != NONE) {
    /* ADAPTIVE and UGAL asked for one route: route number 0 (lowest arcs), as STATIC would be
     * arbitrary here. */
    topo_routing h = (how == TOPO_ROUTING_ECMP || how == TOPO_ROUTING_STATIC) ? how : TOPO_ROUTING_COUNT;
    if (h == TOPO_ROUTING_COUNT) {
      uint32_t u = p.s;
      while (p.dist_t[u] > 0) {
        uint32_t arc = nth_next(r, u, p.dist_t, 0);
        mid[n++] = arc;
        u = r->sw_idx[topo_arc_to(r->g, arc)];
      }
    } else {
      n = walk(r, h, p.s, p.dist_t, p.key, flow, mid, 0);
    }
  }
  assemble(&p, mid, n, out);
  return 0;
}

/* The minimal route numbered q in mixed radix over the branchings, the first branching least
 * significant: routes q and q + 1 leave the source switch by different arcs where it has a choice,
 * so a window of consecutive numbers spreads over the first hops (where the load is decided on a
 * fat-tree) rather than over the last ones. Numbers below the product of the radices along a route
 * map to distinct routes on graphs where every branch has the same radices (fat-trees); elsewhere
 * two numbers can name one route (callers remove duplicates). */
static uint32_t nth_route(const topo_router *r, const plan *p, uint64_t q, uint32_t *mid) {
  uint32_t u = p->s, n = 0;
  while (p->dist_t[u] > 0) {
    uint32_t c = count_next(r, u, p->dist_t, NULL);
    uint32_t arc = nth_next(r, u, p->dist_t, (uint32_t)(q % c));
    q /= c;
    mid[n++] = arc;
    u = r->sw_idx[topo_arc_to(r->g, arc)];
  }
  return n;
}

static int same_route(const topo_route *a, const topo_route *b) {
  return a->n == b->n && memcmp(a->arc, b->arc, sizeof a->arc[0] * a->n) == 0;
}

/* One Valiant route through intermediate switch m; 0 if m is not eligible (file comment). */
static int valiant(const topo_router *r, const plan *p, const uint8_t *dist_s, uint32_t m, uint64_t h,
                   topo_route *out) {
  uint32_t ds = dist_s[m], dt = p->dist_t[m];
  if (m == p->s || m == p->t || ds == UNREACH || dt == UNREACH) return 0;
  if (ds + dt <= p->hops) return 0;   /* on a minimal route */
  if (p->n_pre + ds + dt + p->n_post > TOPO_ROUTE_MAX) return 0;
  uint32_t mid[TOPO_ROUTE_MAX];
  /* Leg 1, s -> m: walk m -> s down dist_s, then reverse the arcs. */
  uint32_t u = m, n = 0;
  while (dist_s[u] > 0) {
    uint32_t c = count_next(r, u, dist_s, NULL);
    uint32_t arc = nth_next(r, u, dist_s, (uint32_t)(hash2(h, r->sw_node[u]) % c));
    mid[ds - 1 - n] = arc ^ 1u;
    n++;
    u = r->sw_idx[topo_arc_to(r->g, arc)];
  }
  /* Leg 2, m -> t. */
  n = walk(r, TOPO_ROUTING_ECMP, m, p->dist_t, 0, h, mid, n);
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t j = i + 1; j < n; j++)
      if (mid[i] == mid[j]) return 0;
  assemble(p, mid, n, out);
  return 1;
}

size_t topo_route_candidates(topo_router *r, topo_routing how, uint32_t src_ep, uint32_t dst_ep, size_t max,
                             size_t n_nonminimal, uint64_t seed, topo_route *out) {
  TOPO_ASSERT(r != NULL && (out != NULL || max == 0));
  if (max == 0 || (unsigned)how >= TOPO_ROUTING_COUNT) return 0;
  if (how == TOPO_ROUTING_STATIC || how == TOPO_ROUTING_ECMP)
    return topo_route_one(r, how, src_ep, dst_ep, seed, out) == 0 ? 1 : 0;
  cache_room(r, 2);
  plan p;
  if (make_plan(r, src_ep, dst_ep, &p) < 0) return 0;
  if (p.s == NONE) {
    assemble(&p, NULL, 0, out);
    return 1;
  }
  size_t nonmin = how == TOPO_ROUTING_UGAL ? n_nonminimal : 0;
  if (nonmin > max - 1) nonmin = max - 1;   /* keep at least one minimal route */
  /* minimal candidates (file comment): all of them in number order when they are no more than
   * wanted, else numbers drawn from a splitmix64 stream of seed, duplicates skipped, at most 8
   * draws per wanted route */
  size_t nmin = max - nonmin, n = 0;
  double total = paths_of(r, &p), span = r->mprod[p.s];
  if (total < 1) return 0;
  /* numbers 0 .. span-1 name every route (some twice where branches differ in radix) */
  uint64_t tot = span >= 0x1p62 ? (UINT64_C(1) << 62) : (uint64_t)span;
  int all = total <= (double)nmin;
  uint64_t scan = all ? tot : 8 * (uint64_t)nmin, draw = mix64(seed ^ 0x5851F42D4C957F2Dull);
  uint32_t mid[TOPO_ROUTE_MAX];
  for (uint64_t k = 0; k < scan && n < nmin; k++) {
    draw += 0x9E3779B97F4A7C15ull;   /* splitmix64 stream, apart from UGAL's below */
    uint32_t nm = nth_route(r, &p, all ? k : mix64(draw) % tot, mid);
    assemble(&p, mid, nm, &out[n]);
    int dup = 0;
    for (size_t i = 0; i < n && !dup; i++) dup = same_route(&out[i], &out[n]);
    if (!dup) n++;
  }
  if (nonmin == 0) return n;

  const uint8_t *dist_s = dist_to(r, p.s);   /* room reserved above: dist_t stays valid */
  uint64_t state = seed;
  size_t want = n + nonmin, tries = 64 + 32 * nonmin;
  for (size_t k = 0; k < tries && n < want; k++) {
    state += 0x9E3779B97F4A7C15ull;   /* splitmix64 stream */
    uint64_t z = mix64(state);
    uint32_t m = (uint32_t)(z % r->n_sw);
    if (!valiant(r, &p, dist_s, m, z, &out[n])) continue;
    int dup = 0;
    for (size_t i = 0; i < n && !dup; i++) dup = same_route(&out[i], &out[n]);
    if (!dup) n++;
  }
  return n;
}
