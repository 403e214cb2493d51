/* fuzz_util.c: helpers of the fuzz targets (see fuzz_util.h). */
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"

char *fuzz_strdup(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) abort();
  if (size) memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size) {
  static char dir[512] = "";
  static char path[1024];
  if (!dir[0]) {
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/clustersim-fuzz-%ld", t && t[0] ? t : "/tmp", (long)getpid());
    if (mkdir(dir, 0700) != 0) { /* exists from an earlier run of this pid: fine */ }
  }
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f) fuzz_fail("cannot write %s", path);
  if (size && fwrite(data, 1, size, f) != size) fuzz_fail("cannot write %s", path);
  if (fclose(f) != 0) fuzz_fail("cannot close %s", path);
  return path;
}

void fuzz_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("fuzz oracle failed: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  abort();
}

void fuzz_limits(void) {
  /* A sweep of at most 64 points and graphs of at most 4 MiB: every input stays well under the
   * per-input timeout while the refusals themselves (the limits' code paths) are still reached. */
  setenv("CLUSTERSIM_MAX_SWEEP_POINTS", "64", 0);
  setenv("CLUSTERSIM_MAX_GRAPH_BYTES", "4M", 0);
}
