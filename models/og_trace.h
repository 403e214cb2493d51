/* og_trace.h: a run's timeline as Chrome trace JSON (the Trace Event Format that Perfetto and
 * chrome://tracing load), prefix og_trace_.
 *
 * Layout: one process per host (pid = host, named "host H"), one thread per GPU stream
 * (tid = gpu x OG_STREAMS_MAX + stream, named "gpu G stream S"), and per GPU one thread "gpu G
 * messages" (tid = gpu x OG_STREAMS_MAX + OG_STREAMS_MAX - 1 ... the stream-less ops) where the messages
 * of grouped kernels sit. Compute ops and sends on a stream are complete slices (ph "X", ts and dur in
 * microseconds of simulated time); every send is also an async event pair (ph "b" / "e", id = the
 * graph's sequence number x 2^32 + op id, cat = the op's category), args bytes, src_ep, dst_ep. NOPs are
 * not written. Graphs that run one after another on one engine share its clock, so a point that runs
 * a dispatch graph and then a combine graph gives one consistent timeline.
 *
 * The file is written as the graphs are added (each event dumped by jansson, so memory stays flat);
 * og_trace_close finishes the JSON and renames the temporary file into place. A process-wide sink
 * (og_trace_sink_set) makes og_run add every graph it runs successfully: how `clustersim run --trace`
 * reaches the experiments without their knowing.
 * Errors: 0 or -1 with a message naming the file in err. */
#ifndef CLUSTERSIM_OG_TRACE_H
#define CLUSTERSIM_OG_TRACE_H

#include <stddef.h>

#include "og.h"

typedef struct og_trace og_trace;

/* Opens path (written as path.tmp until og_trace_close); title goes to otherData. NULL with err. */
og_trace *og_trace_open(const char *path, const char *title, char *err, size_t errlen);
/* Appends the timeline of a graph that has run. */
int og_trace_add(og_trace *t, const og_graph *g, char *err, size_t errlen);
/* Finishes and renames the file; frees t (also on error). */
int og_trace_close(og_trace *t, char *err, size_t errlen);
/* Drops the temporary file and frees t (NULL ok). */
void og_trace_abort(og_trace *t);
/* Events written so far. */
size_t og_trace_events(const og_trace *t);

/* The process-wide sink og_run adds to (NULL: none). */
void og_trace_sink_set(og_trace *t);
og_trace *og_trace_sink(void);

#endif
