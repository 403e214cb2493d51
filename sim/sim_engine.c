/* sim_engine.c: event pool, clock, schedule/cancel/run, RNG seeding, queue-kind registry.
 * Invariants and the cost of each choice are in sim_int.h. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* madvise(MADV_HUGEPAGE); everything else is C11 + POSIX */
#endif
#include <stdarg.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "sim_int.h"

void sim__fatal(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s:%d: fatal: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  abort();
}

void *sim__xmalloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) SIM_FATAL("out of memory allocating %zu bytes", bytes);
  return p;
}

void *sim__xrealloc(void *p, size_t bytes) {
  void *np = realloc(p, bytes ? bytes : 1);
  if (!np) SIM_FATAL("out of memory reallocating to %zu bytes", bytes);
  return np;
}

void *sim__xaligned(size_t align, size_t bytes) {
  size_t rounded = (bytes + align - 1) / align * align;
  void *p = aligned_alloc(align, rounded ? rounded : align);
  if (!p) SIM_FATAL("out of memory allocating %zu aligned bytes", bytes);
  return p;
}

/* Large arrays (the pool, heap arrays, calendar chunks) are accessed at random; with 4 KiB pages
 * a 1e6-event pool spans 2048 pages, beyond the L2 TLB, and every miss pays a page walk on top.
 * Arrays of 2 MiB and more are therefore 2 MiB-aligned and offered to transparent huge pages
 * (Linux madvise; a no-op elsewhere or where THP is off: correctness never depends on it). */
#define SIM_HUGE_BYTES ((size_t)2 << 20)

void *sim__xbig(size_t bytes) {
  if (bytes < SIM_HUGE_BYTES) return sim__xaligned(64, bytes);
  void *p = sim__xaligned(SIM_HUGE_BYTES, bytes);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  size_t rounded = (bytes + SIM_HUGE_BYTES - 1) / SIM_HUGE_BYTES * SIM_HUGE_BYTES;
  (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure changes speed, not results */
#endif
  return p;
}

void *sim__xbig_grow(void *p, size_t old_bytes, size_t new_bytes) {
  void *np = sim__xbig(new_bytes);
  if (p) memcpy(np, p, old_bytes < new_bytes ? old_bytes : new_bytes);
  free(p);
  return np;
}

/* ---- queue kinds ---- */

static const char *const queue_names[SIM_QUEUE_COUNT_] = {"default", "heap2", "heap4", "calendar"};

const sim_queue_ops *sim__queue_ops(sim_queue_kind k) {
  switch (k) {
  case SIM_QUEUE_DEFAULT: return sim__queue_ops(SIM_QUEUE_DEFAULT_RESOLVED);
  case SIM_QUEUE_HEAP2: return &sim__queue_heap2;
  case SIM_QUEUE_HEAP4: return &sim__queue_heap4;
  case SIM_QUEUE_CALENDAR: return &sim__queue_calendar;
  case SIM_QUEUE_COUNT_: break;
  }
  return NULL;
}

const char *sim_queue_kind_name(sim_queue_kind k) {
  return ((unsigned)k < SIM_QUEUE_COUNT_) ? queue_names[k] : "?";
}

int sim_queue_kind_parse(const char *name, sim_queue_kind *out) {
  if (!name || !out) return -1;
  for (unsigned i = 0; i < SIM_QUEUE_COUNT_; i++) {
    if (strcmp(name, queue_names[i]) == 0) {
      *out = (sim_queue_kind)i;
      return 0;
    }
  }
  return -1;
}

/* ---- seeds ---- */


/* Each input goes through a full splitmix64 round before the next is mixed in, so (seed, r, s)
 * and (seed, r', s') differ in about half their bits. GSL's mt19937 seeds from the low 32 bits of
 * the unsigned long only; we fold the high half in so all 64 mixed bits count. */
unsigned long sim_derive_seed(uint64_t seed, uint32_t replicate, uint32_t stream) {
  uint64_t h = sim_splitmix64(seed);
  h = sim_splitmix64(h ^ replicate);
  h = sim_splitmix64(h ^ ((uint64_t)stream << 32));
  return (unsigned long)((h ^ (h >> 32)) & 0xffffffffu);
}

/* ---- engine ---- */

static void pool_link_free(sim_engine *e, size_t from, size_t to) {
  /* slots [from, to) onto the free list, lowest first */
  for (size_t i = from; i < to; i++) {
    e->pool[i].tag = 0;
    e->pool[i].next_free = (i + 1 < to) ? (uint32_t)(i + 1) : e->free_head;
  }
  if (to > from) e->free_head = (uint32_t)from;
}

/* Doubling growth: amortised O(1) per schedule, and only while the pending set exceeds every
 * earlier peak; the steady state never allocates. */
static void pool_grow(sim_engine *e) {
  size_t old = e->cap;
  size_t cap = old * 2;
  if (cap > (size_t)SIM_SLOT_MAX) cap = SIM_SLOT_MAX;
  if (cap <= old) SIM_FATAL("event pool full: %zu events pending", old);
  e->pool = sim__xbig_grow(e->pool, old * sizeof *e->pool, cap * sizeof *e->pool);
  e->cap = cap;
  pool_link_free(e, old, cap);
  e->q->pool = e->pool;
}

sim_engine *sim_engine_new(const sim_engine_opts *opts) {
  sim_engine_opts o;
  memset(&o, 0, sizeof o);
  if (opts) o = *opts;
  if ((unsigned)o.queue >= SIM_QUEUE_COUNT_) SIM_FATAL("bad queue kind %d", (int)o.queue);
  if (o.capacity_hint == 0) o.capacity_hint = 1024;
  if (o.capacity_hint > SIM_SLOT_MAX) o.capacity_hint = SIM_SLOT_MAX;

  sim_engine *e = sim__xmalloc(sizeof *e);
  memset(e, 0, sizeof *e);
  e->kind = (o.queue == SIM_QUEUE_DEFAULT) ? SIM_QUEUE_DEFAULT_RESOLVED : o.queue;
  e->ops = sim__queue_ops(e->kind);
  e->q = e->ops->create(o.capacity_hint);
  e->cap = o.capacity_hint;
  e->pool = sim__xbig(e->cap * sizeof *e->pool);
  e->free_head = SIM_SLOT_NONE;
  pool_link_free(e, 0, e->cap);
  e->q->pool = e->pool;
  e->next_tag = 1;
  e->rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!e->rng) SIM_FATAL("gsl_rng_alloc failed");
  gsl_rng_set(e->rng, sim_derive_seed(o.seed, o.replicate, 0));
  return e;
}

void sim_engine_free(sim_engine *e) {
  if (!e) return;
  e->ops->destroy(e->q);
  gsl_rng_free(e->rng);
  free(e->pool);
  free(e);
}

sim_time_ps sim_now(const sim_engine *e) { return e->now; }
size_t sim_pending(const sim_engine *e) { return e->n_live; }
uint64_t sim_events_processed(const sim_engine *e) { return e->processed; }
gsl_rng *sim_rng(sim_engine *e) { return e->rng; }
sim_queue_kind sim_engine_queue_kind(const sim_engine *e) { return e->kind; }

static inline void slot_free(sim_engine *e, uint32_t slot) {
  e->pool[slot].tag = 0;
  e->pool[slot].next_free = e->free_head;
  e->free_head = slot;
}

/* Pops every event in order, drops tombstones, renumbers seq 0..n-1 and pushes the rest back.
 * Order-preserving (the relative order of survivors is unchanged), O(n log n); runs when seq would
 * wrap and when tombstones outnumber live events. Allocates a scratch array: outside the steady
 * state by construction. */
static void queue_rebuild(sim_engine *e) {
  size_t n = e->q->n;
  sim_qevent *tmp = sim__xmalloc(n * sizeof *tmp);
  size_t m = 0;
  while (e->ops->pop_le(e->q, SIM_TIME_MAX, &tmp[m])) {
    uint32_t slot = SIM_KEY_SLOT(tmp[m].k.key);
    if (e->pool[slot].tag == 0) {
      slot_free(e, slot);
      e->n_tomb--;
      continue;
    }
    tmp[m].k.key = SIM_KEY(m, slot);
    m++;
  }
  if (e->n_tomb != 0 || m != e->n_live)
    SIM_FATAL("queue rebuild: %zu tombstones left, %zu live popped of %zu", e->n_tomb, m, e->n_live);
  for (size_t i = 0; i < m; i++) e->ops->push(e->q, &tmp[i]);
  free(tmp);
  e->next_seq = m;
  e->rebuilds++;
}

sim_event_id sim_schedule_at(sim_engine *e, sim_time_ps t_ps, sim_handler h, void *ctx, uint64_t arg) {
  if (SIM_UNLIKELY(t_ps < e->now))
    SIM_FATAL("sim_schedule_at: t = %llu ps is before now = %llu ps", (unsigned long long)t_ps,
              (unsigned long long)e->now);
  if (SIM_UNLIKELY(h == NULL)) SIM_FATAL("sim_schedule_at: NULL handler");
  if (SIM_UNLIKELY(e->free_head == SIM_SLOT_NONE)) pool_grow(e);
  if (SIM_UNLIKELY(e->next_seq >= SIM_SEQ_LIMIT)) queue_rebuild(e);
  uint32_t slot = e->free_head;
  sim_slot *sl = &e->pool[slot];
  e->free_head = sl->next_free;
  uint32_t tag = e->next_tag++;
  if (SIM_UNLIKELY(tag == 0)) tag = e->next_tag++;
  sl->tag = tag;
  sim_qevent ev = {{t_ps, SIM_KEY(e->next_seq, slot)}, h, ctx, arg};
  e->next_seq++;
  e->ops->push(e->q, &ev);
  e->n_live++;
  return ((uint64_t)tag << 32) | ((uint64_t)slot + 1);
}

sim_event_id sim_schedule(sim_engine *e, sim_time_ps delay_ps, sim_handler h, void *ctx, uint64_t arg) {
  if (SIM_UNLIKELY(delay_ps > SIM_TIME_MAX - e->now))
    SIM_FATAL("sim_schedule: now %llu ps + delay %llu ps overflows the clock",
              (unsigned long long)e->now, (unsigned long long)delay_ps);
  return sim_schedule_at(e, e->now + delay_ps, h, ctx, arg);
}

int sim_cancel(sim_engine *e, sim_event_id id) {
  uint64_t slot1 = id & 0xffffffffu;
  uint32_t tag = (uint32_t)(id >> 32);
  if (slot1 == 0 || slot1 > e->cap || tag == 0) return -1;
  sim_slot *sl = &e->pool[slot1 - 1];
  if (sl->tag != tag) return -1;
  sl->tag = 0; /* tombstone: the queued event stays until it reaches the front */
  e->n_live--;
  e->n_tomb++;
  if (e->n_tomb > SIM_TOMB_COMPACT_MIN && e->n_tomb > e->n_live) queue_rebuild(e);
  return 0;
}

uint64_t sim_run(sim_engine *e, sim_time_ps until_ps) {
  if (e->running) SIM_FATAL("sim_run called from a handler");
  if (until_ps < e->now) return 0;
  e->running = 1;
  e->stopping = 0;
  uint64_t start = e->processed;
  sim_qevent ev;
  while (!e->stopping && e->ops->pop_le(e->q, until_ps, &ev)) {
    uint32_t slot = SIM_KEY_SLOT(ev.k.key);
    sim_slot *sl = &e->pool[slot];
    /* Without tombstones every queued event is live: the slot is only written, never read. */
    if (SIM_UNLIKELY(e->n_tomb != 0) && sl->tag == 0) {
      sl->next_free = e->free_head;
      e->free_head = slot;
      e->n_tomb--;
      continue;
    }
    /* Freed before the handler runs: the handler's next schedule reuses this slot, whose line is
     * still in the store buffer or L1. */
    sl->tag = 0;
    sl->next_free = e->free_head;
    e->free_head = slot;
    e->n_live--;
    e->processed++;
    e->now = ev.k.t;
    ev.h(e, ev.ctx, ev.arg);
  }
  if (!e->stopping && until_ps != SIM_TIME_MAX && e->n_live > 0) e->now = until_ps;
  e->running = 0;
  return e->processed - start;
}

void sim_stop(sim_engine *e) { e->stopping = 1; }

void sim__set_next_seq(sim_engine *e, uint64_t seq) {
  if (seq < e->next_seq) SIM_FATAL("sim__set_next_seq: %llu < %llu would reorder events",
                                   (unsigned long long)seq, (unsigned long long)e->next_seq);
  e->next_seq = seq;
}
uint64_t sim__rebuilds(const sim_engine *e) { return e->rebuilds; }
size_t sim__tombstones(const sim_engine *e) { return e->n_tomb; }
size_t sim__pool_capacity(const sim_engine *e) { return e->cap; }
