/* res_test_util.h: helpers for the results-store tests (temporary folders, one-value queries). */
#ifndef CLUSTERSIM_RES_TEST_UTIL_H
#define CLUSTERSIM_RES_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

/* A fresh folder under the build tree (or $TMPDIR); removed with its files by rt_tmp_cleanup. */
const char *rt_tmp_dir(void);
void rt_tmp_cleanup(void);
/* rt_tmp_dir()/name in a static rotating buffer. */
const char *rt_path(const char *name);

/* Opens path with plain SQLite (busy timeout 10 s); aborts on failure. */
sqlite3 *rt_sqlite_open(const char *path);
/* First column of the first row of sql as an integer (0 if no row); aborts on SQL errors. */
int64_t rt_int(sqlite3 *db, const char *sql);
/* Same on a file: opens, queries, closes. */
int64_t rt_int_file(const char *path, const char *sql);
/* Every run with its params, metrics and series as one deterministic text (ids, times and wall
 * seconds left out), for comparing two databases. Caller frees. */
char *rt_dump(const char *path);
/* Checks the invariants a results file must always hold: identities unique, no orphan rows, only
 * 'ok'/'failed'. Returns NULL or a message (static). */
const char *rt_check_invariants(const char *path);

#endif
