/* scen_util.c: memory, string buffers, error messages, suggestions and dotted paths. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scen_int.h"

void *scen__xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) SCEN__DIE("out of memory (%zu bytes)", n);
  return p;
}

void *scen__xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) SCEN__DIE("out of memory (%zu x %zu bytes)", n, size);
  return p;
}

void *scen__xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) SCEN__DIE("out of memory (%zu bytes)", n);
  return q;
}

char *scen__xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = scen__xmalloc(n);
  memcpy(p, s, n);
  return p;
}

void scen__die(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s:%d: scen: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  abort();
}

static void buf_reserve(scen__buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  b->p = scen__xrealloc(b->p, cap);
  b->cap = cap;
}

void scen__buf_putc(scen__buf *b, char c) {
  buf_reserve(b, 1);
  b->p[b->len++] = c;
  b->p[b->len] = '\0';
}

void scen__buf_puts(scen__buf *b, const char *s) {
  size_t n = strlen(s);
  buf_reserve(b, n);
  memcpy(b->p + b->len, s, n + 1);
  b->len += n;
}

void scen__buf_printf(scen__buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) SCEN__DIE("vsnprintf failed for '%s'", fmt);
  buf_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

char *scen__buf_take(scen__buf *b) {
  char *p = b->p ? b->p : scen__xstrdup("");
  b->p = NULL;
  b->len = b->cap = 0;
  return p;
}

static void copy_str(char *dst, size_t len, const char *src) {
  size_t n = strlen(src);
  if (n >= len) n = len - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

int scen__fail(scen_err *err, int code, const char *file, int line, int col, const char *path,
               const char *fmt, ...) {
  if (!err) return code;
  copy_str(err->file, sizeof err->file, file ? file : "");
  err->line = line;
  err->col = col;
  copy_str(err->path, sizeof err->path, path ? path : "");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  return code;
}

int scen_err_format(const scen_err *e, char *buf, size_t len) {
  char pos[600];
  if (e->line > 0 && e->col > 0)
    snprintf(pos, sizeof pos, "%s:%d:%d", e->file, e->line, e->col);
  else if (e->line > 0)
    snprintf(pos, sizeof pos, "%s:%d", e->file, e->line);
  else
    snprintf(pos, sizeof pos, "%s", e->file[0] ? e->file : "<scenario>");
  if (e->path[0]) return snprintf(buf, len, "%s: error: %s: %s\n", pos, e->path, e->msg);
  return snprintf(buf, len, "%s: error: %s\n", pos, e->msg);
}

void scen_err_print(const scen_err *e, FILE *out) {
  char buf[2048];
  scen_err_format(e, buf, sizeof buf);
  fputs(buf, out);
}

int scen__edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 99;
  int row[64];
  for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    int diag = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int up = row[j];
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int best = diag + cost;
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb] > 99 ? 99 : row[lb];
}

/* Close means: equal ignoring case, or at most 2 edits and fewer edits than half the word. */
const char *scen__suggest(const char *word, const char *const *names, size_t n) {
  const char *best = NULL;
  int bestd = 99;
  for (size_t i = 0; i < n; i++) {
    if (strcasecmp(word, names[i]) == 0) return names[i];
    int d = scen__edit_distance(word, names[i]);
    if (d < bestd) {
      bestd = d;
      best = names[i];
    }
  }
  int wl = (int)strlen(word);
  if (best && bestd <= 2 && bestd * 2 <= wl) return best;
  /* "layers" for "num_layers", "latency" for "lat": one name contains the other */
  if (wl >= 3)
    for (size_t i = 0; i < n; i++)
      if (strlen(names[i]) >= 3 && (strstr(names[i], word) || strstr(word, names[i]))) return names[i];
  return NULL;
}

/* Grammar: seg ('.' seg | '[' digits ']')*, seg = one or more chars other than . [ ] */
int scen__path_parse(const char *path, scen__path *p) {
  size_t len = strlen(path);
  p->n = 0;
  if (len == 0 || len >= sizeof p->buf) return -1;
  memcpy(p->buf, path, len + 1);
  char *c = p->buf;
  for (;;) {
    /* a name segment */
    size_t n = strcspn(c, ".[]");
    if (n == 0 || p->n == SCEN__MAX_DEPTH) return -1;
    p->seg[p->n++] = c;
    c += n;
    /* any number of [index] */
    while (*c == '[') {
      *c++ = '\0';
      size_t d = strcspn(c, "]");
      if (d == 0 || c[d] != ']' || p->n == SCEN__MAX_DEPTH) return -1;
      c[d] = '\0';
      if (!scen__is_index(c, NULL)) return -1;
      p->seg[p->n++] = c;
      c += d + 1;
    }
    if (*c == '\0') return 0;
    if (*c != '.') return -1;
    *c++ = '\0';
  }
}

int scen__is_index(const char *seg, size_t *idx) {
  if (!*seg) return 0;
  size_t v = 0;
  for (const char *c = seg; *c; c++) {
    if (!isdigit((unsigned char)*c) || v > 100000000u) return 0;
    v = v * 10 + (size_t)(*c - '0');
  }
  if (idx) *idx = v;
  return 1;
}

void scen__path_join(char *out, size_t len, const char *parent, const char *key) {
  if (parent && parent[0])
    snprintf(out, len, "%s.%s", parent, key);
  else
    snprintf(out, len, "%s", key);
}

void scen__path_index(char *out, size_t len, const char *parent, size_t i) {
  snprintf(out, len, "%s[%zu]", parent ? parent : "", i);
}
