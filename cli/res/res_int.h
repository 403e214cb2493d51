/* res_int.h: internals shared by res.c (the store) and sweep.c (the driver). Not for other modules. */
#ifndef CLUSTERSIM_RES_INT_H
#define CLUSTERSIM_RES_INT_H

#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include "res.h"

/* Programmer errors and failed allocations stop at once with file:line (STYLE 3). */
#define RES_ASSERT(c)                                                                  \
  do {                                                                                 \
    if (!(c)) {                                                                        \
      fprintf(stderr, "%s:%d: res: assertion failed: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                         \
    }                                                                                  \
  } while (0)
#define RES_ALLOC_CHECK(p)                                                        \
  do {                                                                            \
    if (!(p)) {                                                                   \
      fprintf(stderr, "%s:%d: res: out of memory\n", __FILE__, __LINE__);         \
      abort();                                                                    \
    }                                                                             \
  } while (0)

/* Prepared statements kept for the life of the connection (commit is the hot path of a sweep). */
enum {
  RES_ST_FIND,        /* id, status of the row with an identity */
  RES_ST_DONE,        /* 1 if an identity finished ok */
  RES_ST_DELETE,      /* delete a run (children go by ON DELETE CASCADE) */
  RES_ST_INS_RUN,
  RES_ST_INS_PARAM,
  RES_ST_INS_METRIC,
  RES_ST_INS_SERIES,
  RES_ST_COUNT
};

struct res_db {
  sqlite3 *db;
  char *path;
  sqlite3_stmt *st[RES_ST_COUNT];
};

typedef struct res_param { char *key, *value; } res_param;
typedef struct res_metric { char *name, *unit; double value; } res_metric;
typedef struct res_spoint { uint32_t name; double x, y; } res_spoint; /* name: index in snames */

/* One run buffered in memory. Params and metrics are found by linear scan: O(n) per add, fine for
 * the tens to hundreds a run records; series names are interned so a 10^5-point series costs one
 * small struct per point, not one string. */
struct res_run {
  char *scenario, *sha256, *label, *yaml;
  uint64_t seed;
  uint32_t replicate;
  int replace;                     /* res_run_replace: replace an existing 'ok' row */
  char started_at[32];             /* UTC ISO-8601, when res_run_begin was called */
  res_param *params;   size_t nparams, capparams;
  res_metric *metrics; size_t nmetrics, capmetrics;
  char **snames;       size_t nsnames, capsnames;
  uint32_t slast;                  /* last series name used: most adds append to the same one */
  res_spoint *pts;     size_t npts, cappts;
};

/* snprintf into err when err is not NULL (errlen may be 0). */
void res_seterr(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

double res_now_s(void);            /* CLOCK_MONOTONIC seconds */

#endif
