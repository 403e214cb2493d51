/* report_util.c: string buffer, number formatting and file helpers for the report module. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "report_int.h"

#define REP_OOM() (fprintf(stderr, "%s:%d: out of memory\n", __FILE__, __LINE__), abort())

void *rep_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) REP_OOM();
  return p;
}

void *rep_xrealloc(void *p, size_t n, size_t size) {
  if (size && n > (size_t)-1 / size) REP_OOM();
  size_t bytes = n * size;
  void *q = realloc(p, bytes ? bytes : 1);
  if (!q) REP_OOM();
  return q;
}

char *rep_strdup(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *d = rep_xcalloc(n, 1);
  memcpy(d, s, n);
  return d;
}

static void buf_reserve(rep_buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  b->s = rep_xrealloc(b->s, cap, 1);
  b->cap = cap;
}

void rep_buf_addn(rep_buf *b, const char *s, size_t n) {
  buf_reserve(b, n);
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void rep_buf_add(rep_buf *b, const char *s) { rep_buf_addn(b, s, strlen(s)); }

void rep_buf_printf(rep_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    fprintf(stderr, "%s:%d: vsnprintf failed for format \"%s\"\n", __FILE__, __LINE__, fmt);
    abort();
  }
  buf_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void rep_buf_free(rep_buf *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
}

void rep_fmt_g(char *out, size_t outlen, double v) {
  if (isnan(v)) {
    snprintf(out, outlen, "nan");
    return;
  }
  if (isinf(v)) {
    snprintf(out, outlen, v < 0 ? "-inf" : "inf");
    return;
  }
  /* Shortest of %.1g .. %.17g that round-trips: 70.272 stays "70.272", not 70.272000000000006. */
  /* Start at the number of integer digits so that 20 prints as "20", not "2e+01". */
  int start = 1;
  if (fabs(v) >= 1) start = (int)floor(log10(fabs(v))) + 1;
  if (start > 17) start = 17;
  for (int prec = start; prec <= 17; prec++) {
    snprintf(out, outlen, "%.*g", prec, v);
    if (strtod(out, NULL) == v) return;
  }
}

int rep_mkdirs(const char *path, char *err, size_t errlen) {
  char tmp[4096];
  size_t n = strlen(path);
  if (n == 0) return 0;
  if (n >= sizeof tmp) {
    snprintf(err, errlen, "path too long (%zu bytes): %.64s...", n, path);
    return -1;
  }
  memcpy(tmp, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (tmp[i] != '/' && tmp[i] != '\0') continue;
    char saved = tmp[i];
    tmp[i] = '\0';
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
      snprintf(err, errlen, "cannot create folder %s: %s", tmp, strerror(errno));
      return -1;
    }
    struct stat st;
    if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
      snprintf(err, errlen, "%s exists and is not a folder", tmp);
      return -1;
    }
    tmp[i] = saved;
  }
  return 0;
}

int rep_write_file(const char *path, const char *data, size_t len, char *err, size_t errlen) {
  rep_buf tmp = {0};
  rep_buf_printf(&tmp, "%s.tmp", path);
  FILE *f = fopen(tmp.s, "wb");
  if (!f) {
    snprintf(err, errlen, "cannot write %s: %s", tmp.s, strerror(errno));
    rep_buf_free(&tmp);
    return -1;
  }
  size_t w = len ? fwrite(data, 1, len, f) : 0;
  int bad = (w != len) | ferror(f);
  if (fclose(f) != 0) bad = 1;
  if (bad) {
    snprintf(err, errlen, "cannot write %s: %s", tmp.s, strerror(errno));
    remove(tmp.s);
    rep_buf_free(&tmp);
    return -1;
  }
  if (rename(tmp.s, path) != 0) {
    snprintf(err, errlen, "cannot rename %s to %s: %s", tmp.s, path, strerror(errno));
    remove(tmp.s);
    rep_buf_free(&tmp);
    return -1;
  }
  rep_buf_free(&tmp);
  return 0;
}

char *rep_read_file(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return NULL;
  }
  rep_buf b = {0};
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) rep_buf_addn(&b, chunk, n);
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    snprintf(err, errlen, "cannot read %s: read error", path);
    rep_buf_free(&b);
    return NULL;
  }
  if (!b.s) rep_buf_add(&b, "");
  return b.s;
}

int rep_is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int rep_name_ok(const char *name) {
  if (!name || !*name || name[0] == '.') return 0;
  for (const char *p = name; *p; p++) {
    char ch = *p;
    int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '_' || ch == '-' || ch == '.';
    if (!ok) return 0;
  }
  return 1;
}
