/* sim_queue.c: the event-queue variants behind sim_queue_ops.
 *
 * All queues hold 16-byte sim_qentry values inline (no pointers) and order them by (t, key), a
 * total order, so every variant pops the identical sequence (tests/sim checks this).
 *
 * heap2, heap4: implicit d-ary heaps. Layout: the root sits at physical index D-1, so the D children
 * of a node always start at a multiple of D: for D = 4 they fill exactly one 64-byte cache line
 * (the array is 64-byte aligned). Every physical index past the last entry holds a sentinel
 * {UINT64_MAX, UINT64_MAX} (no real key equals it: slots are < 2^32 - 1), so the min-child search
 * never checks bounds. Pop is "bottom-up" (Wegener): the hole left by the root walks down to a leaf
 * along min children, then the last entry sifts up from there. In a hold model the last entry is
 * late and belongs near the bottom, so this halves the comparisons of the textbook sift-down.
 * Push: O(log_D n) sift-up, O(1) on average for random times. Pop: O(D log_D n).
 *
 * calendar (the default): a two-level calendar queue, built for this machine's memory, where a
 * random access that misses the caches costs ~150 ns (more than a whole event at 10M events/s)
 * while streaming is cheap. Every random access of the textbook calendar queue (append to a random
 * bucket of ~n/8 buckets) is turned into streaming or cache-resident work:
 *   - coarse buckets: C = t >> cshift, a ring of nbc buckets covering one "year"
 *     [year_start, year_start + nbc); each bucket is a list of 64-event chunks (2.5 KiB) from a
 *     shared arena, so a push is an append to one of the few bucket tails that are hot (delays
 *     cluster in the near future) and memory is ~n events plus one partial chunk per bucket;
 *   - far: an unsorted array for C beyond the year; at the year's end the next year starts at the
 *     earliest far bucket and far events inside it are moved to the ring (O(|far|) once a year);
 *   - draining a coarse bucket (~4096 events, 160 KiB, fits L2): a counting sort by fine bucket
 *     (~8 events each) into a scratch array fs, two streaming passes; then each fine bucket is
 *     insertion-sorted when reached and popped in order;
 *   - pushes that land in the coarse bucket being drained go to a small binary heap of whole
 *     events ("near"); a pop takes the smaller of the heap's top and the current fine run, after
 *     loading fine buckets until the next one cannot hold anything earlier.
 *   The queue prefetches (for writing) the pool slot of the event CAL_PF_DIST places ahead in fs.
 *   Parameters are re-tuned, O(n), when the size doubles (push) or quarters, or when a year shows
 *   mostly empty buckets: the coarse width is chosen from the density of the earliest quarter of a
 *   1024-event sample so that a drained bucket holds ~min(max(n/16, 256), 4096) events, nbc so
 *   that the ring spans ~8 times n / (front density). Cost: push O(1); pop O(1) amortised for
 *   smooth distributions (each event: one append, two streaming passes, an insertion sort of a
 *   ~8-event run). Degenerate inputs (all events at one time) end in the near heap or one fine
 *   bucket: O(log n) per event either way (a crowded fine bucket out of order goes to the near
 *   heap rather than to insertion sort); correctness never depends on the parameters. The
 *   steady state allocates nothing (chunks are recycled, scratch arrays kept).
 */
#include <string.h>

#include "sim_int.h"

static const sim_qentry SENTINEL = {UINT64_MAX, UINT64_MAX};

/* ---------------------------------------------------------------------------------------------
 * d-ary heap core (D = 2 or 4), shared by heap2, heap4 and the calendar's near heap. */

typedef struct dheap {
  sim_qentry *a;  /* physical array, 64-byte aligned; root at index D - 1 */
  size_t n;       /* entries */
  size_t cap;     /* physical entries allocated */
} dheap;

static void dheap_init(dheap *h, unsigned D, size_t cap_hint) {
  size_t cap = 64;
  while (cap < cap_hint + 2 * D) cap *= 2;
  h->a = sim__xbig(cap * sizeof *h->a);
  for (size_t i = 0; i < cap; i++) h->a[i] = SENTINEL;
  h->n = 0;
  h->cap = cap;
}

static void dheap_grow(dheap *h) {
  size_t cap = h->cap * 2;
  sim_qentry *a = sim__xbig_grow(h->a, h->cap * sizeof *a, cap * sizeof *a);
  for (size_t i = h->cap; i < cap; i++) a[i] = SENTINEL;
  h->a = a;
  h->cap = cap;
}

static inline size_t dheap_min_child(const sim_qentry *a, size_t c, unsigned D) {
  /* Index arithmetic instead of branches: the loads depend on the comparison (data dependency),
   * nothing has to be predicted. */
  if (D == 2) return c + (size_t)sim_qentry_less(a[c + 1], a[c]);
  if (D == 4) { /* tournament of two pairs */
    size_t m01 = c + (size_t)sim_qentry_less(a[c + 1], a[c]);
    size_t m23 = c + 2 + (size_t)sim_qentry_less(a[c + 3], a[c + 2]);
    return m01 + (m23 - m01) * (size_t)sim_qentry_less(a[m23], a[m01]);
  }
  size_t m = c;
  for (unsigned k = 1; k < D; k++)
    if (sim_qentry_less(a[c + k], a[m])) m = c + k;
  return m;
}

static inline void dheap_push(dheap *h, unsigned D, sim_qentry x) {
  const size_t o = D - 1;
  if (SIM_UNLIKELY(o + h->n + 2 * D >= h->cap)) dheap_grow(h);
  sim_qentry *a = h->a;
  size_t hole = o + h->n;
  h->n++;
  while (hole > o) {
    size_t p = (hole - o - 1) / D + o;
    if (!sim_qentry_less(x, a[p])) break;
    a[hole] = a[p];
    hole = p;
  }
  a[hole] = x;
}

/* Removes the root (h->n > 0). */
static inline sim_qentry dheap_pop(dheap *h, unsigned D) {
  const size_t o = D - 1;
  sim_qentry *a = h->a;
  sim_qentry top = a[o];
  size_t last = o + h->n - 1;
  sim_qentry x = a[last];
  a[last] = SENTINEL;
  h->n--;
  if (h->n == 0) return top;
  size_t end = o + h->n;
  size_t hole = o;
  for (;;) {
    size_t c = D * (hole - o) + 1 + o;
    if (c >= end) break;
    size_t m = dheap_min_child(a, c, D);
    a[hole] = a[m];
    hole = m;
  }
  while (hole > o) {
    size_t p = (hole - o - 1) / D + o;
    if (!sim_qentry_less(x, a[p])) break;
    a[hole] = a[p];
    hole = p;
  }
  a[hole] = x;
  return top;
}

static inline const sim_qentry *dheap_top(const dheap *h, unsigned D) {
  return h->n ? &h->a[D - 1] : NULL;
}

/* ---------------------------------------------------------------------------------------------
 * heap2 / heap4: 16-byte keys in the heap, the handler and its arguments in a side array indexed
 * by slot (written at push, read once at pop, prefetched one pop ahead). Moving 40-byte events
 * through every sift level instead would spread a group of four children over three lines. */

typedef struct heap_payload {
  sim_handler h;
  void *ctx;
  uint64_t arg;
} heap_payload;

typedef struct heapq {
  sim_queue base;
  dheap h;
  heap_payload *pl;
  size_t pl_cap;
} heapq;

static sim_queue *heapq_create(unsigned D, const sim_queue_ops *ops, size_t cap_hint) {
  heapq *q = sim__xmalloc(sizeof *q);
  memset(q, 0, sizeof *q);
  q->base.ops = ops;
  dheap_init(&q->h, D, cap_hint);
  q->pl_cap = cap_hint ? cap_hint : 64;
  q->pl = sim__xbig(q->pl_cap * sizeof *q->pl);
  return &q->base;
}

static void heapq_destroy(sim_queue *q) {
  if (!q) return;
  free(((heapq *)q)->h.a);
  free(((heapq *)q)->pl);
  free(q);
}

static inline void heapq_push(sim_queue *q, unsigned D, const sim_qevent *ev) {
  heapq *hq = (heapq *)q;
  uint32_t slot = SIM_KEY_SLOT(ev->k.key);
  if (SIM_UNLIKELY(slot >= hq->pl_cap)) {
    size_t cap = hq->pl_cap;
    while (cap <= slot) cap *= 2;
    hq->pl = sim__xbig_grow(hq->pl, hq->pl_cap * sizeof *hq->pl, cap * sizeof *hq->pl);
    hq->pl_cap = cap;
  }
  hq->pl[slot] = (heap_payload){ev->h, ev->ctx, ev->arg};
  dheap_push(&hq->h, D, ev->k);
  q->n++;
}

static inline int heapq_pop_le(sim_queue *q, unsigned D, sim_time_ps until, sim_qevent *out) {
  heapq *hq = (heapq *)q;
  const sim_qentry *top = dheap_top(&hq->h, D);
  if (!top || top->t > until) return 0;
  sim_qentry k = dheap_pop(&hq->h, D);
  const heap_payload *p = &hq->pl[SIM_KEY_SLOT(k.key)];
  out->k = k;
  out->h = p->h;
  out->ctx = p->ctx;
  out->arg = p->arg;
  q->n--;
  if (hq->h.n) {
    uint32_t next = SIM_KEY_SLOT(hq->h.a[D - 1].key);
    SIM_PREFETCH(&hq->pl[next]);
    SIM_PREFETCH_W(&q->pool[next]);
  }
  return 1;
}

static sim_queue *heap2_create(size_t cap) { return heapq_create(2, &sim__queue_heap2, cap); }
static sim_queue *heap4_create(size_t cap) { return heapq_create(4, &sim__queue_heap4, cap); }
static void heap2_push(sim_queue *q, const sim_qevent *ev) { heapq_push(q, 2, ev); }
static void heap4_push(sim_queue *q, const sim_qevent *ev) { heapq_push(q, 4, ev); }
static int heap2_pop_le(sim_queue *q, sim_time_ps until, sim_qevent *out) {
  return heapq_pop_le(q, 2, until, out);
}
static int heap4_pop_le(sim_queue *q, sim_time_ps until, sim_qevent *out) {
  return heapq_pop_le(q, 4, until, out);
}

const sim_queue_ops sim__queue_heap2 = {"heap2", heap2_create, heapq_destroy, heap2_push, heap2_pop_le};
const sim_queue_ops sim__queue_heap4 = {"heap4", heap4_create, heapq_destroy, heap4_push, heap4_pop_le};

/* ---------------------------------------------------------------------------------------------
 * fheap: a small binary min-heap of whole events (the calendar's near heap: a fine bucket of ~8
 * events plus the pushes that land in the bucket being drained; it lives in L1). */

typedef struct fheap {
  sim_qevent *a;
  size_t n, cap;
} fheap;

static inline void fheap_push(fheap *h, const sim_qevent *x) {
  if (SIM_UNLIKELY(h->n == h->cap)) {
    h->cap = h->cap ? 2 * h->cap : 64;
    h->a = sim__xrealloc(h->a, h->cap * sizeof *h->a);
  }
  sim_qevent *a = h->a;
  size_t hole = h->n++;
  while (hole > 0) {
    size_t p = (hole - 1) / 2;
    if (!sim_qentry_less(x->k, a[p].k)) break;
    a[hole] = a[p];
    hole = p;
  }
  a[hole] = *x;
}

static inline void fheap_pop(fheap *h, sim_qevent *out) {
  sim_qevent *a = h->a;
  *out = a[0];
  size_t n = --h->n;
  if (n == 0) return;
  size_t hole = 0;
  for (;;) { /* bottom-up: the hole goes to a leaf along min children */
    size_t c = 2 * hole + 1;
    if (c >= n) break;
    if (c + 1 < n) c += (size_t)sim_qentry_less(a[c + 1].k, a[c].k);
    a[hole] = a[c];
    hole = c;
  }
  const sim_qevent *x = &a[n];
  while (hole > 0) {
    size_t p = (hole - 1) / 2;
    if (!sim_qentry_less(x->k, a[p].k)) break;
    a[hole] = a[p];
    hole = p;
  }
  a[hole] = *x;
}

/* ---------------------------------------------------------------------------------------------
 * calendar: two-level (coarse ring of chunked buckets, fine counting sort at drain time) */

#ifndef CAL_CHUNK
#define CAL_CHUNK       64u    /* events per chunk (2.5 KiB) */
#endif
#define CAL_FINE_TARGET 8u     /* entries per fine bucket after the counting sort */
#define CAL_COARSE_MIN  256u   /* wanted entries per coarse bucket, small queues */
#ifndef CAL_COARSE_MAX
#define CAL_COARSE_MAX  4096u  /* ... large queues: the counting sort stays in L2 */
#endif
#ifndef CAL_HORIZON
#define CAL_HORIZON     8u     /* the ring spans ~8 x (n / front density): far is rare */
#endif
#define CAL_MIN_NBC     16u
#define CAL_MAX_NBC     (1u << 20)
#define CAL_SAMPLE      1024u
#ifndef CAL_PF_DIST
#define CAL_PF_DIST     12u    /* pool-slot prefetch distance, in events */
#endif
#define CAL_NONE        UINT32_MAX

typedef struct cbucket {
  uint32_t head, tail; /* chunk ids, CAL_NONE when empty */
  uint32_t n_tail;     /* entries in the tail chunk */
  uint32_t n;          /* entries in the bucket */
} cbucket;

typedef struct calq {
  sim_queue base;
  /* near: entries with C < c_next, as a heap plus the not yet loaded fine buckets */
  fheap near;
  sim_qevent *fs;        /* the drained coarse bucket, grouped by fine bucket */
  uint32_t *foff;        /* fine bucket j = fs[j ? foff[j-1] : 0, foff[j]) */
  size_t fs_cap, foff_cap;
  uint32_t g, fj;        /* fine buckets in the drained coarse bucket; next one to load */
  uint32_t cur, hi;      /* the loaded fine bucket, sorted: fs[cur, hi) still to pop */
  uint32_t fs_end;       /* events in fs */
  unsigned fsh;          /* fine width 2^fsh ps */
  uint64_t fine_base;    /* start time of the drained coarse bucket */
  /* ring: coarse buckets year_start .. year_start + nbc - 1, chunk lists */
  cbucket *b;
  size_t nbc;
  unsigned cshift;       /* coarse width 2^cshift ps, >= 1 so C + 1 never overflows */
  uint64_t year_start, c_next;
  size_t n_ring;
  sim_qevent *arena;     /* chunk storage, CAL_CHUNK events per chunk */
  uint32_t *cnext;       /* chunk links (bucket lists and the free list) */
  size_t n_chunks;
  uint32_t free_chunk;
  /* far: C >= year_start + nbc, unsorted */
  sim_qevent *far;
  size_t n_far, cap_far;
  uint64_t far_min_c;
  size_t tuned_n, retune_hi;
  uint64_t loaded, scanned; /* since the last tuning: entries drained, coarse buckets stepped */
  uint64_t retunes, years;
} calq;

static uint32_t cal_chunk_alloc(calq *c) {
  if (SIM_UNLIKELY(c->free_chunk == CAL_NONE)) {
    size_t old = c->n_chunks, cap = old ? 2 * old : 64;
    if (cap >= CAL_NONE) SIM_FATAL("calendar: chunk arena full (%zu chunks)", old);
    c->arena = sim__xbig_grow(c->arena, old * CAL_CHUNK * sizeof *c->arena,
                              cap * CAL_CHUNK * sizeof *c->arena);
    c->cnext = sim__xrealloc(c->cnext, cap * sizeof *c->cnext);
    for (size_t i = old; i < cap; i++) c->cnext[i] = (i + 1 < cap) ? (uint32_t)(i + 1) : CAL_NONE;
    c->free_chunk = (uint32_t)old;
    c->n_chunks = cap;
  }
  uint32_t ch = c->free_chunk;
  c->free_chunk = c->cnext[ch];
  c->cnext[ch] = CAL_NONE;
  return ch;
}

static inline void cal_bucket_append(calq *c, cbucket *bk, const sim_qevent *x) {
  if (SIM_UNLIKELY(bk->tail == CAL_NONE || bk->n_tail == CAL_CHUNK)) {
    uint32_t ch = cal_chunk_alloc(c);
    if (bk->tail == CAL_NONE) bk->head = ch;
    else c->cnext[bk->tail] = ch;
    bk->tail = ch;
    bk->n_tail = 0;
  }
  c->arena[(size_t)bk->tail * CAL_CHUNK + bk->n_tail++] = *x;
  bk->n++;
}

/* Hands the bucket's chunks back (the bucket's entries must have been copied out). */
static void cal_bucket_release(calq *c, cbucket *bk) {
  if (bk->tail != CAL_NONE) {
    c->cnext[bk->tail] = c->free_chunk;
    c->free_chunk = bk->head;
  }
  bk->head = bk->tail = CAL_NONE;
  bk->n = bk->n_tail = 0;
}

/* Calls body(x) for every entry of a bucket, chunk by chunk. */
#define CAL_FOR_BUCKET(c, bk, x, body)                                                          \
  do {                                                                                          \
    uint32_t ch_ = (bk)->head;                                                                  \
    while (ch_ != CAL_NONE) {                                                                   \
      uint32_t cnt_ = (ch_ == (bk)->tail) ? (bk)->n_tail : CAL_CHUNK;                           \
      const sim_qevent *v_ = &(c)->arena[(size_t)ch_ * CAL_CHUNK];                              \
      for (uint32_t i_ = 0; i_ < cnt_; i_++) {                                                  \
        const sim_qevent *x = &v_[i_];                                                          \
        body;                                                                                   \
      }                                                                                         \
      ch_ = (c)->cnext[ch_];                                                                    \
    }                                                                                           \
  } while (0)

static void cal_far_append(calq *c, const sim_qevent *x, uint64_t C) {
  if (SIM_UNLIKELY(c->n_far == c->cap_far)) {
    c->cap_far = c->cap_far ? c->cap_far * 2 : 64;
    c->far = sim__xrealloc(c->far, c->cap_far * sizeof *c->far);
  }
  c->far[c->n_far++] = *x;
  if (C < c->far_min_c) c->far_min_c = C;
}

/* Files an entry under the current parameters (no size accounting). */
static inline void cal_place(calq *c, const sim_qevent *x) {
  uint64_t C = x->k.t >> c->cshift;
  if (C < c->c_next) {
    fheap_push(&c->near, x);
  } else if (C - c->year_start < c->nbc) {
    cal_bucket_append(c, &c->b[C - c->year_start], x);
    c->n_ring++;
  } else {
    cal_far_append(c, x, C);
  }
}

static sim_queue *cal_create(size_t cap_hint) {
  (void)cap_hint; /* sized by the first tunings, from the entries themselves */
  calq *c = sim__xmalloc(sizeof *c);
  memset(c, 0, sizeof *c);
  c->base.ops = &sim__queue_calendar;
  c->nbc = CAL_MIN_NBC;
  c->b = sim__xmalloc(c->nbc * sizeof *c->b);
  for (size_t i = 0; i < c->nbc; i++) c->b[i] = (cbucket){CAL_NONE, CAL_NONE, 0, 0};
  c->cshift = 24; /* ~17 us until the first tuning */
  c->free_chunk = CAL_NONE;
  c->far_min_c = UINT64_MAX;
  c->retune_hi = 2 * CAL_COARSE_MIN;
  return &c->base;
}

static void cal_destroy(sim_queue *q) {
  if (!q) return;
  calq *c = (calq *)q;
  free(c->b);
  free(c->arena);
  free(c->cnext);
  free(c->far);
  free(c->fs);
  free(c->foff);
  free(c->near.a);
  free(c);
}

static int cmp_u64(const void *pa, const void *pb) {
  uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
  return (a > b) - (a < b);
}

static unsigned floor_log2(uint64_t x) {
  unsigned r = 0;
  while (x >>= 1) r++;
  return r;
}

/* Gathers every entry, chooses the coarse width and ring size from them, refiles them. O(n). */
static void cal_retune(calq *c) {
  size_t n = c->base.n;
  sim_qevent *all = sim__xmalloc(n * sizeof *all);
  size_t k = 0;
  for (size_t i = 0; i < c->near.n; i++) all[k++] = c->near.a[i];
  c->near.n = 0;
  for (uint32_t i = c->cur; i < c->hi; i++) all[k++] = c->fs[i];
  if (c->fj < c->g)
    for (uint32_t i = c->fj ? c->foff[c->fj - 1] : 0; i < c->foff[c->g - 1]; i++) all[k++] = c->fs[i];
  c->g = c->fj = c->cur = c->hi = 0;
  for (size_t i = 0; i < c->nbc; i++) {
    cbucket *bk = &c->b[i];
    CAL_FOR_BUCKET(c, bk, x, all[k++] = *x);
    cal_bucket_release(c, bk);
  }
  for (size_t i = 0; i < c->n_far; i++) all[k++] = c->far[i];
  c->n_far = 0;
  c->far_min_c = UINT64_MAX;
  c->n_ring = 0;
  if (k != n) SIM_FATAL("calendar: gathered %zu entries, expected %zu", k, n);

  /* Coarse width: from the density of the earliest quarter of a sample (where pops happen next),
   * so that a coarse bucket holds about `per` entries when it is drained. */
  unsigned cshift = c->cshift;
  size_t per = n / 16;
  if (per < CAL_COARSE_MIN) per = CAL_COARSE_MIN;
  if (per > CAL_COARSE_MAX) per = CAL_COARSE_MAX;
  uint64_t tmin = UINT64_MAX;
  for (size_t i = 0; i < n; i++)
    if (all[i].k.t < tmin) tmin = all[i].k.t;
  if (n >= 16) {
    uint64_t sample[CAL_SAMPLE];
    size_t s = n < CAL_SAMPLE ? n : CAL_SAMPLE;
    for (size_t i = 0; i < s; i++) sample[i] = all[i * (n / s)].k.t;
    qsort(sample, s, sizeof sample[0], cmp_u64);
    uint64_t span = sample[s / 4] - tmin;
    if (span == 0) span = sample[s - 1] - tmin;
    double w = (double)span * 4.0 * (double)per / (double)n; /* per / (n/4 / span) */
    cshift = (w < 2.0) ? 1u : floor_log2((uint64_t)w);
    if (cshift > 60) cshift = 60;
  }
  size_t nbc = CAL_MIN_NBC;
  while (nbc < CAL_MAX_NBC && nbc < (size_t)CAL_HORIZON * n / per) nbc *= 2;
  if (nbc != c->nbc) {
    c->b = sim__xrealloc(c->b, nbc * sizeof *c->b);
    for (size_t i = 0; i < nbc; i++) c->b[i] = (cbucket){CAL_NONE, CAL_NONE, 0, 0};
    c->nbc = nbc;
  }
  c->cshift = cshift;
  c->year_start = c->c_next = (n ? tmin : 0) >> cshift;
  for (size_t i = 0; i < n; i++) cal_place(c, &all[i]);
  free(all);
  c->tuned_n = n;
  c->retune_hi = 2 * (n > CAL_COARSE_MIN ? n : CAL_COARSE_MIN);
  c->loaded = c->scanned = 0;
  c->retunes++;
}

/* Ring exhausted (near, fine and ring empty; far not): a new year at the earliest far bucket. */
static void cal_new_year(calq *c) {
  size_t n = c->base.n;
  c->years++;
  int sparse = c->scanned >= 4 * c->nbc && c->loaded * 64 < c->scanned * CAL_COARSE_MIN;
  int shrunk = c->tuned_n > 4 * CAL_COARSE_MIN && n * 4 < c->tuned_n;
  if (sparse || shrunk) {
    cal_retune(c);
    return;
  }
  c->year_start = c->c_next = c->far_min_c;
  size_t keep = 0;
  uint64_t fmin = UINT64_MAX;
  for (size_t i = 0; i < c->n_far; i++) {
    const sim_qevent *x = &c->far[i];
    uint64_t C = x->k.t >> c->cshift;
    if (C - c->year_start < c->nbc) {
      cal_bucket_append(c, &c->b[C - c->year_start], x);
      c->n_ring++;
    } else {
      c->far[keep++] = *x;
      if (C < fmin) fmin = C;
    }
  }
  c->n_far = keep;
  c->far_min_c = fmin;
}

/* Counting sort of one coarse bucket into fine buckets of ~CAL_FINE_TARGET entries. Two passes
 * over chunks that stream from memory; the scatter target (<= 64 KiB typically) stays in cache. */
static void cal_drain_coarse(calq *c, cbucket *bk, uint64_t C) {
  uint32_t k = bk->n;
  uint32_t g = 1;
  unsigned gshift = 0;
  while (g < k / CAL_FINE_TARGET && gshift < c->cshift) {
    g *= 2;
    gshift++;
  }
  if (k > c->fs_cap) {
    c->fs_cap = 2 * (size_t)k;
    free(c->fs);
    c->fs = sim__xmalloc(c->fs_cap * sizeof *c->fs);
  }
  if (g + 1 > c->foff_cap) {
    c->foff_cap = 2 * (size_t)g + 1;
    free(c->foff);
    c->foff = sim__xmalloc(c->foff_cap * sizeof *c->foff);
  }
  unsigned fsh = c->cshift - gshift;
  uint32_t gm = g - 1, *cnt = c->foff;
  memset(cnt, 0, ((size_t)g + 1) * sizeof *cnt);
  /* Counting pass: the chunks come from memory (written long ago). Within a chunk the hardware
   * prefetcher streams; across chunks it cannot guess, so each step also prefetches the same
   * offset of the next chunk. */
  for (uint32_t ch = bk->head; ch != CAL_NONE; ch = c->cnext[ch]) {
    uint32_t m = (ch == bk->tail) ? bk->n_tail : CAL_CHUNK;
    const sim_qevent *v = &c->arena[(size_t)ch * CAL_CHUNK];
    uint32_t nx = c->cnext[ch];
    const sim_qevent *vn = (nx != CAL_NONE) ? &c->arena[(size_t)nx * CAL_CHUNK] : v;
    for (uint32_t i = 0; i < m; i++) {
      SIM_PREFETCH(&vn[i]);
      cnt[((v[i].k.t >> fsh) & gm) + 1]++;
    }
  }
  for (uint32_t j = 1; j <= g; j++) cnt[j] += cnt[j - 1];
  /* cnt[j] = start of fine j; scatter leaves cnt[j] = end of fine j */
  sim_qevent *fs = c->fs;
  CAL_FOR_BUCKET(c, bk, x, fs[cnt[(x->k.t >> fsh) & gm]++] = *x);
  c->n_ring -= k;
  cal_bucket_release(c, bk);
  c->g = g;
  c->fj = 0;
  c->cur = c->hi = 0;
  c->fsh = fsh;
  c->fine_base = C << c->cshift;
  c->loaded += k;
  c->fs_end = k;
  for (uint32_t i = 0; i < k && i < CAL_PF_DIST; i++)
    SIM_PREFETCH_W(&c->base.pool[SIM_KEY_SLOT(fs[i].k.key)]);
}

/* Makes fine bucket fj the current run: insertion sort in place (~8 events). A crowded bucket
 * (many events at nearly one time) that is not already in order goes to the near heap instead,
 * so the cost stays O(log k) per event, never O(k^2). Events of equal time arrive in push order,
 * which is seq order, so a crowd of ties is usually already sorted. */
static inline void cal_load_fine(calq *c) {
  uint32_t j = c->fj++;
  uint32_t lo = j ? c->foff[j - 1] : 0, hi = c->foff[j];
  sim_qevent *fs = c->fs;
  if (SIM_UNLIKELY(hi - lo > 64)) {
    uint32_t i = lo + 1;
    while (i < hi && !sim_qentry_less(fs[i].k, fs[i - 1].k)) i++;
    if (i < hi) {
      for (i = lo; i < hi; i++) fheap_push(&c->near, &fs[i]);
      c->cur = c->hi = hi;
      return;
    }
  }
  for (uint32_t i = lo + 1; i < hi; i++) {
    if (!sim_qentry_less(fs[i].k, fs[i - 1].k)) continue;
    sim_qevent x = fs[i];
    uint32_t p = i;
    do {
      fs[p] = fs[p - 1];
      p--;
    } while (p > lo && sim_qentry_less(x.k, fs[p - 1].k));
    fs[p] = x;
  }
  c->cur = lo;
  c->hi = hi;
}

static void cal_push(sim_queue *q, const sim_qevent *x) {
  calq *c = (calq *)q;
  cal_place(c, x);
  if (SIM_UNLIKELY(++q->n > c->retune_hi)) cal_retune(c);
}

/* The least event is the smaller of the run's head fs[cur] and the heap's top, as long as the
 * next unloaded fine bucket cannot hold anything earlier: everything in it is at or after its
 * start time, and the run (the previous fine bucket) is before it. */
static int cal_pop_le(sim_queue *q, sim_time_ps until, sim_qevent *out) {
  calq *c = (calq *)q;
  for (;;) {
    while (c->cur == c->hi && c->fj < c->g &&
           (c->near.n == 0 || c->near.a[0].k.t >= c->fine_base + ((uint64_t)c->fj << c->fsh)))
      cal_load_fine(c);
    if (c->cur < c->hi || c->near.n > 0) break;
    if (q->n == 0) return 0;
    /* run, heap and fine buckets empty: drain the next non-empty coarse bucket */
    for (;;) {
      if (c->n_ring == 0) {
        cal_new_year(c);
        if (c->near.n > 0 || c->fj < c->g) break; /* a re-tune may have filed into the heap */
        continue;
      }
      uint64_t C = c->c_next++;
      cbucket *bk = &c->b[C - c->year_start];
      c->scanned++;
      if (bk->n) {
        cal_drain_coarse(c, bk, C);
        break;
      }
    }
  }
  if (c->cur < c->hi && (c->near.n == 0 || sim_qentry_less(c->fs[c->cur].k, c->near.a[0].k))) {
    if (c->fs[c->cur].k.t > until) return 0;
    /* fs is in time order up to the order inside a fine bucket: the event CAL_PF_DIST places
     * on fires ~CAL_PF_DIST events from now; its pool slot is written then. One prefetch per
     * pop keeps the misses in flight steady instead of bursting at each fine bucket. */
    if (c->cur + CAL_PF_DIST < c->fs_end)
      SIM_PREFETCH_W(&c->base.pool[SIM_KEY_SLOT(c->fs[c->cur + CAL_PF_DIST].k.key)]);
    *out = c->fs[c->cur++];
  } else {
    if (c->near.a[0].k.t > until) return 0;
    fheap_pop(&c->near, out);
  }
  q->n--;
  return 1;
}

const sim_queue_ops sim__queue_calendar = {"calendar", cal_create, cal_destroy, cal_push, cal_pop_le};
