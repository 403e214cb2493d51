/* wl_ring.h: NCCL's ring AllGather, ReduceScatter and AllReduce as messages of an op graph (og.h),
 * prefix wl_ring_. The algorithm of coll.h with one channel, no slicing, window 1 and free
 * reductions, so that a collective met inside a workload graph (an imported Chakra trace, ck.h)
 * runs on the one executor beside compute ops: n positions in a ring, position p sends to p + 1;
 * n - 1 steps (AllGather, ReduceScatter) or 2(n - 1) (AllReduce), each a message of bytes / n
 * (bytes = S of nccl-tests). Step s's send at p waits for p's receipt of step s - 1 (the send of
 * p - 1) and for its own connection's previous message (window 1: a connection is FIFO); step 0
 * waits for begin[p] and begin[p + 1] (both ranks have entered the collective: NCCL's receiver
 * posts its buffer). end[p] waits for p's last send and last receipt. Connection p's flow id is
 * coll.c's (sim_splitmix64(flow_salt ^ sim_splitmix64(p + 1)), never 0), so ECMP hashes the
 * connections as it does for coll_run.
 * Costs: steps x n send ops and 3 edges each. Lifetime: appends to a graph under construction. */
#ifndef CLUSTERSIM_WL_RING_H
#define CLUSTERSIM_WL_RING_H

#include <stddef.h>
#include <stdint.h>

#include "coll.h"
#include "og.h"

/* Messages one ring collective of n ranks adds: steps x n. */
uint64_t wl_ring_messages(coll_op op, uint32_t n);
/* ranks[p], eps[p]: og rank and endpoint of ring position p (n >= 2); begin[p] / end[p]: ops of
 * rank ranks[p] (OG_NONE: none). bytes >= 0. Returns the number of messages added. */
uint64_t wl_ring_append(og_graph *g, coll_op op, const uint32_t *ranks, const uint32_t *eps, uint32_t n,
                        double bytes, const uint32_t *begin, const uint32_t *end, uint8_t cat, uint64_t flow_salt);

#endif
