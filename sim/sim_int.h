/* sim_int.h: internals of the event engine, shared by the sim sources and white-box tests only.
 *
 * Representation (the invariants every queue and the engine rely on):
 *
 *   pool[slot]   8-byte records {tag, next_free}, indexed by a uint32 slot. A slot is in exactly one
 *                state: free (on the free list, tag 0), live (tag != 0, its event in the queue) or
 *                tombstone (cancelled: tag 0 but its event still in the queue; the slot is freed
 *                when that event is popped). The pool grows by doubling (realloc): slots are
 *                indices, never pointers, so growth invalidates nothing.
 *   sim_qevent   the queued event itself: {t, key, h, ctx, arg}, 40 bytes, key = seq << 32 | slot.
 *                The handler and its arguments travel with the queue entry, so firing an event
 *                reads nothing from the pool: the pool is written (tag = 0, free-list link), never
 *                read, on the hot path while no cancelled event is queued. On this machine a random
 *                read that misses the caches costs ~150 ns, more than the whole event budget; the
 *                earlier design (32-byte pool record read at fire, prefetched) spent a third of
 *                its time there. Queues order events by sim_qentry {t, key}, i.e. by (time,
 *                insertion sequence): seq is unique, so the order is total and every correct
 *                queue pops the same sequence.
 *   seq          32 bits, from e->next_seq. When it would pass SIM_SEQ_LIMIT the engine pops every
 *                entry (in order), renumbers them 0..n-1 and pushes them back: order-preserving,
 *                O(n log n) once per 2^32 schedules (at 10M events/s: once per ~7 minutes).
 *   handle       sim_event_id = tag << 32 | (slot + 1). tag is a 32-bit schedule counter (0 skipped)
 *                stored in the slot while the event is live and cleared when it fires or is
 *                cancelled, so an old handle no longer matches. A stale handle could only match
 *                again if its slot held a live event scheduled exactly a multiple of 2^32
 *                schedules later. 0 is never a handle.
 *
 * Cancel is lazy (tombstones): O(1) to cancel, no queue work; the entry is discarded when it reaches
 * the front. Only while tombstones exist does the run loop read the slot's tag to recognise them
 * (one random read per event). Tombstones take queue space until then, so when they outnumber live events (and are
 * more than SIM_TOMB_COMPACT_MIN) the engine rebuilds the queue without them: amortised O(log n)
 * per cancel. Rejected: O(log n) removal with a position index per slot, which costs a random write
 * into the pool on every sift step of every push and pop, for the benefit of the rare cancel.
 */
#ifndef CLUSTERSIM_SIM_INT_H
#define CLUSTERSIM_SIM_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"

#define SIM_SLOT_NONE        UINT32_MAX
#define SIM_SLOT_MAX         (UINT32_MAX - 1u)      /* slots are < this, so slot + 1 fits 32 bits */
#define SIM_SEQ_LIMIT        (UINT64_C(1) << 32)
#define SIM_TOMB_COMPACT_MIN 1024u

#define SIM_KEY(seq, slot)   (((uint64_t)(seq) << 32) | (uint64_t)(slot))
#define SIM_KEY_SLOT(key)    ((uint32_t)((key) & 0xffffffffu))

/* Programmer errors and failed allocations: stop at once with file:line. */
#define SIM_FATAL(...) sim__fatal(__FILE__, __LINE__, __VA_ARGS__)
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 3, 4)))
#endif
void sim__fatal(const char *file, int line, const char *fmt, ...);
void *sim__xmalloc(size_t bytes);
void *sim__xrealloc(void *p, size_t bytes);
void *sim__xaligned(size_t align, size_t bytes); /* aligned_alloc, size rounded up; abort on OOM */
/* Big randomly-accessed arrays: 64-byte aligned; from 2 MiB on, huge-page aligned and advised
 * (MADV_HUGEPAGE). Freed with free(). _grow copies min(old, new) bytes and frees p. */
void *sim__xbig(size_t bytes);
void *sim__xbig_grow(void *p, size_t old_bytes, size_t new_bytes);

#if defined(__GNUC__)
#define SIM_PREFETCH(p) __builtin_prefetch(p)
#define SIM_PREFETCH_W(p) __builtin_prefetch((p), 1)
#define SIM_LIKELY(x)   __builtin_expect(!!(x), 1)
#define SIM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SIM_PREFETCH(p) ((void)(p))
#define SIM_PREFETCH_W(p) ((void)(p))
#define SIM_LIKELY(x)   (x)
#define SIM_UNLIKELY(x) (x)
#endif

typedef struct sim_slot {
  uint32_t tag;       /* handle tag while live; 0 when free or cancelled */
  uint32_t next_free; /* free-list link while free */
} sim_slot;

typedef struct sim_qentry {
  sim_time_ps t;
  uint64_t key;       /* seq << 32 | slot */
} sim_qentry;

typedef struct sim_qevent {
  sim_qentry k;
  sim_handler h;
  void *ctx;
  uint64_t arg;
} sim_qevent;

/* Branch-free on purpose (| and & instead of || and &&): in a heap the outcome is a coin toss,
 * and a mispredicted branch per comparison cost more than the whole comparison. */
static inline int sim_qentry_less(sim_qentry a, sim_qentry b) {
  return (a.t < b.t) | ((a.t == b.t) & (a.key < b.key));
}

typedef struct sim_queue sim_queue;

/* Event-queue variant. pop_le removes and returns the least event if its time is <= until (1),
 * else leaves the queue's contents untouched and returns 0. */
typedef struct sim_queue_ops {
  const char *name;
  sim_queue *(*create)(size_t cap_hint);
  void (*destroy)(sim_queue *q);
  void (*push)(sim_queue *q, const sim_qevent *ev);
  int (*pop_le)(sim_queue *q, sim_time_ps until, sim_qevent *out);
} sim_queue_ops;

/* Common head of every queue object. Queues prefetch pool[slot] (for writing) of events about
 * to pop: the engine writes that slot when the event fires, and on this machine a store that
 * misses stalls the core once the store queue fills behind it, as surely as a load miss. */
struct sim_queue {
  const sim_queue_ops *ops;
  const sim_slot *pool;    /* updated by the engine whenever the pool moves */
  size_t n;                /* events held, tombstones included */
};

extern const sim_queue_ops sim__queue_heap2;
extern const sim_queue_ops sim__queue_heap4;
extern const sim_queue_ops sim__queue_calendar;

/* The kind SIM_QUEUE_DEFAULT stands for (chosen by the benchmark, see docs/engine.md). */
#define SIM_QUEUE_DEFAULT_RESOLVED SIM_QUEUE_CALENDAR
const sim_queue_ops *sim__queue_ops(sim_queue_kind k);

struct sim_engine {
  sim_time_ps now;
  sim_slot *pool;
  size_t cap;               /* slots in pool */
  uint32_t free_head;       /* SIM_SLOT_NONE when empty */
  int running, stopping;
  size_t n_live, n_tomb;
  uint64_t next_seq;
  uint32_t next_tag;
  uint64_t processed;
  sim_queue *q;
  const sim_queue_ops *ops;
  gsl_rng *rng;
  sim_queue_kind kind;      /* resolved, never SIM_QUEUE_DEFAULT */
  uint64_t rebuilds;        /* renumber/compaction passes (for tests and docs) */
};

/* White-box hooks for tests. */
void sim__set_next_seq(sim_engine *e, uint64_t seq); /* seq >= current only (keeps the order) */
uint64_t sim__rebuilds(const sim_engine *e);
size_t sim__tombstones(const sim_engine *e);
size_t sim__pool_capacity(const sim_engine *e);

#endif
