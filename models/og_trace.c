/* og_trace.c: Chrome trace JSON of op-graph runs (og_trace.h), written with jansson. */
#include "og_trace.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TID_MSG (OG_STREAMS_MAX - 1)

struct og_trace {
  FILE *f;
  char *path, *tmp;
  size_t events;
  uint32_t graphs;
  int failed;
  /* threads already named: (host, tid) pairs */
  uint64_t *named;
  size_t nnamed, capnamed;
};

static og_trace *sink;
void og_trace_sink_set(og_trace *t) { sink = t; }
og_trace *og_trace_sink(void) { return sink; }
size_t og_trace_events(const og_trace *t) { return t->events; }

static void emit(og_trace *t, json_t *ev) {
  if (!ev) {
    t->failed = 1;
    return;
  }
  if (t->events && fputs(",\n", t->f) < 0) t->failed = 1;
  if (json_dumpf(ev, t->f, JSON_COMPACT | JSON_REAL_PRECISION(17)) < 0) t->failed = 1;
  json_decref(ev);
  t->events++;
}

static void trace_free(og_trace *t) {
  if (!t) return;
  if (sink == t) sink = NULL;
  if (t->f) fclose(t->f);
  free(t->path);
  free(t->tmp);
  free(t->named);
  free(t);
}

og_trace *og_trace_open(const char *path, const char *title, char *err, size_t errlen) {
  og_trace *t = calloc(1, sizeof *t);
  size_t n = strlen(path);
  t->path = malloc(n + 1);
  t->tmp = malloc(n + 5);
  memcpy(t->path, path, n + 1);
  snprintf(t->tmp, n + 5, "%s.tmp", path);
  t->f = fopen(t->tmp, "w");
  if (!t->f) {
    snprintf(err, errlen, "%s: cannot write the trace: %s", t->tmp, strerror(errno));
    trace_free(t);
    return NULL;
  }
  json_t *other = json_pack("{s:s, s:s}", "generator", "clustersim", "title", title ? title : "");
  char *o = json_dumps(other, JSON_COMPACT);
  json_decref(other);
  fprintf(t->f, "{\"displayTimeUnit\":\"ns\",\"otherData\":%s,\"traceEvents\":[\n", o ? o : "{}");
  free(o);
  return t;
}

static void name_thread(og_trace *t, uint32_t host, uint32_t gpu, uint32_t tid) {
  uint64_t key = ((uint64_t)host << 32) | tid;
  for (size_t i = 0; i < t->nnamed; i++)
    if (t->named[i] == key) return;
  if (t->nnamed == t->capnamed) {
    t->capnamed = t->capnamed ? 2 * t->capnamed : 64;
    t->named = realloc(t->named, t->capnamed * sizeof *t->named);
    if (!t->named) abort();
  }
  t->named[t->nnamed++] = key;
  int host_new = 1;
  for (size_t i = 0; i + 1 < t->nnamed; i++)
    if (t->named[i] >> 32 == host) host_new = 0;
  char nm[64];
  if (host_new) {
    snprintf(nm, sizeof nm, "host %u", host);
    emit(t, json_pack("{s:s, s:s, s:I, s:I, s:{s:s}}", "name", "process_name", "ph", "M", "pid", (json_int_t)host,
                      "tid", (json_int_t)0, "args", "name", nm));
    emit(t, json_pack("{s:s, s:s, s:I, s:I, s:{s:I}}", "name", "process_sort_index", "ph", "M", "pid",
                      (json_int_t)host, "tid", (json_int_t)0, "args", "sort_index", (json_int_t)host));
  }
  if (tid % OG_STREAMS_MAX == TID_MSG) snprintf(nm, sizeof nm, "gpu %u messages", gpu);
  else snprintf(nm, sizeof nm, "gpu %u stream %u", gpu, tid % OG_STREAMS_MAX);
  emit(t, json_pack("{s:s, s:s, s:I, s:I, s:{s:s}}", "name", "thread_name", "ph", "M", "pid", (json_int_t)host,
                    "tid", (json_int_t)tid, "args", "name", nm));
}

static double us(sim_time_ps ps) { return (double)ps * 1e-6; }

int og_trace_add(og_trace *t, const og_graph *g, char *err, size_t errlen) {
  uint32_t seq = t->graphs++;
  char lab[160];
  for (uint32_t i = 0; i < og_nops(g); i++) {
    const og_op *o = og_get(g, i);
    if (o->kind == OG_NOP) continue;
    sim_time_ps t0 = og_start_ps(g, i), t1 = og_end_ps(g, i);
    if (t0 == SIM_TIME_MAX || t1 == SIM_TIME_MAX) continue;   /* did not run */
    uint32_t host, gpu;
    og_placement(g, o->rank, &host, &gpu);
    uint32_t tid = gpu * OG_STREAMS_MAX + (o->stream == OG_NOSTREAM ? TID_MSG : o->stream);
    name_thread(t, host, gpu, tid);
    const char *cat = og_cat_name(g, o->cat);
    const char *name = o->name ? og_op_label(g, i, lab, sizeof lab) : cat;
    if (o->kind == OG_COMPUTE) {
      emit(t, json_pack("{s:s, s:s, s:s, s:f, s:f, s:I, s:I, s:{s:I, s:I}}", "name", name, "cat", cat, "ph", "X", "ts",
                        us(t0), "dur", us(t1 - t0), "pid", (json_int_t)host, "tid", (json_int_t)tid, "args", "op",
                        (json_int_t)i, "sm_leave", (json_int_t)o->sm_leave));
      continue;
    }
    if (o->stream != OG_NOSTREAM)
      emit(t, json_pack("{s:s, s:s, s:s, s:f, s:f, s:I, s:I, s:{s:I, s:f}}", "name", name, "cat", cat, "ph", "X",
                        "ts", us(t0), "dur", us(t1 - t0), "pid", (json_int_t)host, "tid", (json_int_t)tid, "args",
                        "op", (json_int_t)i, "bytes", o->v.bytes));
    char id[32];
    snprintf(id, sizeof id, "0x%llx", (unsigned long long)(((uint64_t)seq << 32) | i));
    emit(t, json_pack("{s:s, s:s, s:s, s:s, s:f, s:I, s:I, s:{s:I, s:f, s:I, s:I}}", "name", name, "cat", cat, "ph",
                      "b", "id", id, "ts", us(t0), "pid", (json_int_t)host, "tid", (json_int_t)tid, "args", "op",
                      (json_int_t)i, "bytes", o->v.bytes, "src_ep", (json_int_t)o->src_ep, "dst_ep",
                      (json_int_t)o->dst_ep));
    emit(t, json_pack("{s:s, s:s, s:s, s:s, s:f, s:I, s:I}", "name", name, "cat", cat, "ph", "e", "id", id, "ts",
                      us(t1), "pid", (json_int_t)host, "tid", (json_int_t)tid));
  }
  if (t->failed) {
    snprintf(err, errlen, "%s: writing the trace failed (disk full?)", t->tmp);
    return -1;
  }
  return 0;
}

int og_trace_close(og_trace *t, char *err, size_t errlen) {
  int rc = 0;
  if (fputs("\n]}\n", t->f) < 0 || t->failed) rc = -1;
  if (fclose(t->f) != 0) rc = -1;
  t->f = NULL;
  if (rc < 0) {
    snprintf(err, errlen, "%s: writing the trace failed (disk full?)", t->tmp);
    remove(t->tmp);
  } else if (rename(t->tmp, t->path) != 0) {
    snprintf(err, errlen, "%s: cannot rename the trace into place: %s", t->path, strerror(errno));
    rc = -1;
  }
  trace_free(t);
  return rc;
}

void og_trace_abort(og_trace *t) {
  if (!t) return;
  if (t->f) {
    fclose(t->f);
    t->f = NULL;
  }
  remove(t->tmp);
  trace_free(t);
}
