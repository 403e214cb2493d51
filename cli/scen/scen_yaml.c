/* scen_yaml.c: YAML text -> scen_node tree through libyaml's event API.
 *
 * Events, not libyaml's document API, because we want our own tree with positions on keys and
 * values, duplicate keys refused at the second occurrence, and aliases refused with a message
 * (anchors alone are harmless and ignored). One document per file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "scen_int.h"

typedef struct frame {
  scen_node *node;
  char *key; /* MAP: key read, value pending */
  int kline, kcol;
} frame;

typedef struct parser {
  const char *file;
  int line0, col0;
  frame stack[64];
  int depth;
  scen_node *root;
  scen_err *err;
} parser;

static int pos_line(const parser *p, yaml_mark_t m) { return p->line0 + (int)m.line; }
static int pos_col(const parser *p, yaml_mark_t m) { return (int)m.column + 1 + (m.line == 0 ? p->col0 : 0); }

static int fail_at(parser *p, int code, yaml_mark_t m, const char *fmt, ...) SCEN__PRINTF(4, 5);
static int fail_at(parser *p, int code, yaml_mark_t m, const char *fmt, ...) {
  char msg[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return scen__fail(p->err, code, p->file, pos_line(p, m), pos_col(p, m), NULL, "%s", msg);
}

/* Hands a finished node to its parent (or makes it the root). */
static int attach(parser *p, scen_node *n, yaml_mark_t m) {
  if (p->depth == 0) {
    p->root = n;
    return 0;
  }
  frame *f = &p->stack[p->depth - 1];
  if (f->node->kind == SCEN__SEQ) {
    scen__node_append(f->node, n);
    return 0;
  }
  if (!f->key) { /* n is a key */
    if (n->kind != SCEN__SCALAR) {
      scen__node_free(n);
      return fail_at(p, SCEN_ERR_SYNTAX, m, "map keys must be plain names");
    }
    scen_node *first = scen__node_get(f->node, n->text);
    if (first) {
      char msg[64];
      snprintf(msg, sizeof msg, "%d:%d", first->kline, first->kcol);
      int rc = scen__fail(p->err, SCEN_ERR_SYNTAX, p->file, n->line, n->col, NULL,
                          "duplicate key '%s' (first at line %s); each key may appear once per map", n->text,
                          msg);
      scen__node_free(n);
      return rc;
    }
    f->key = n->text;
    f->kline = n->line;
    f->kcol = n->col;
    n->text = NULL;
    scen__node_free(n);
    return 0;
  }
  n->key = f->key;
  n->kline = f->kline;
  n->kcol = f->kcol;
  f->key = NULL;
  scen__node_append(f->node, n);
  return 0;
}

static void parser_cleanup(parser *p) {
  for (int i = 0; i < p->depth; i++) {
    free(p->stack[i].key);
    scen__node_free(p->stack[i].node);
  }
  p->depth = 0;
  scen__node_free(p->root);
  p->root = NULL;
}

static int handle(parser *p, yaml_event_t *ev, int *ndocs) {
  yaml_mark_t m = ev->start_mark;
  switch (ev->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++*ndocs > 1)
      return fail_at(p, SCEN_ERR_SYNTAX, m,
                     "a second YAML document ('---'); a scenario file holds exactly one document");
    return 0;
  case YAML_ALIAS_EVENT:
    return fail_at(p, SCEN_ERR_SYNTAX, m,
                   "YAML aliases (*%s) are not supported; repeat the value, or move shared values to an "
                   "include: file or a preset",
                   (const char *)ev->data.alias.anchor);
  case YAML_SCALAR_EVENT: {
    scen_node *n = scen__scalar_new((const char *)ev->data.scalar.value, p->file, pos_line(p, m), pos_col(p, m));
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    return attach(p, n, m);
  }
  case YAML_MAPPING_START_EVENT:
  case YAML_SEQUENCE_START_EVENT: {
    if (p->depth > 0 && p->stack[p->depth - 1].node->kind == SCEN__MAP && !p->stack[p->depth - 1].key)
      return fail_at(p, SCEN_ERR_SYNTAX, m, "map keys must be plain names, not maps or lists");
    if (p->depth == (int)(sizeof p->stack / sizeof p->stack[0]))
      return fail_at(p, SCEN_ERR_SYNTAX, m, "nesting deeper than 64 levels");
    scen__kind k = ev->type == YAML_MAPPING_START_EVENT ? SCEN__MAP : SCEN__SEQ;
    frame *f = &p->stack[p->depth++];
    f->node = scen__node_new(k, p->file, pos_line(p, m), pos_col(p, m));
    f->key = NULL;
    return 0;
  }
  case YAML_MAPPING_END_EVENT:
  case YAML_SEQUENCE_END_EVENT: {
    frame f = p->stack[--p->depth];
    free(f.key); /* cannot be set: libyaml pairs keys with values */
    return attach(p, f.node, m);
  }
  default:
    return 0;
  }
}

int scen__parse_text(const char *text, size_t len, const char *file, int line0, int col0, scen_node **out,
                     scen_err *err) {
  parser p;
  memset(&p, 0, sizeof p);
  p.file = file;
  p.line0 = line0;
  p.col0 = col0;
  p.err = err;
  *out = NULL;

  yaml_parser_t yp;
  if (!yaml_parser_initialize(&yp)) SCEN__DIE("yaml_parser_initialize failed");
  yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
  int ndocs = 0, rc = 0;
  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&yp, &ev)) {
      char msg[512];
      snprintf(msg, sizeof msg, "%s%s%s", yp.problem ? yp.problem : "syntax error", yp.context ? " " : "",
               yp.context ? yp.context : "");
      rc = scen__fail(err, SCEN_ERR_SYNTAX, file, pos_line(&p, yp.problem_mark), pos_col(&p, yp.problem_mark),
                      NULL, "invalid YAML: %s", msg);
      break;
    }
    int done = ev.type == YAML_STREAM_END_EVENT;
    rc = handle(&p, &ev, &ndocs);
    yaml_event_delete(&ev);
    if (rc < 0 || done) break;
  }
  yaml_parser_delete(&yp);
  if (rc < 0) {
    parser_cleanup(&p);
    return rc;
  }
  *out = p.root;
  return 0;
}

/* Scenario, include and preset files are small text: refuse what is not a regular file (/dev/zero,
 * a FIFO, a folder: read "until the end" they never end or block) and anything above this size
 * before reading it, instead of growing a buffer until the process runs out of memory. The largest
 * scenario or preset in scenarios/ is a few KiB; 16 MiB leaves room for generated sweeps. */
#define SCEN_MAX_FILE_BYTES (16u << 20)

static const char *file_type_name(mode_t m) {
  if (S_ISDIR(m)) return "a folder";
  if (S_ISFIFO(m)) return "a FIFO (named pipe)";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "a special file";
}

int scen__parse_file(const char *path, const scen_node *ref, const char *refpath, const char *what,
                     scen_node **out, scen_err *err) {
  *out = NULL;
  /* O_NONBLOCK: opening a FIFO without a writer must not hang; it is refused just below. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const char *why = strerror(errno);
    if (ref)
      return scen__fail(err, SCEN_ERR_IO, ref->file, ref->line, ref->col, refpath, "%s '%s': cannot open '%s': %s",
                        what, ref->text ? ref->text : "", path, why);
    return scen__fail(err, SCEN_ERR_IO, path, 0, 0, NULL, "cannot open %s: %s", what, why);
  }
  struct stat st;
  const char *bad = NULL;
  char why[160] = "";
  if (fstat(fd, &st) != 0) {
    snprintf(why, sizeof why, "cannot stat: %s", strerror(errno));
    bad = why;
  } else if (!S_ISREG(st.st_mode)) {
    snprintf(why, sizeof why, "%s, not a regular file", file_type_name(st.st_mode));
    bad = why;
  } else if ((uint64_t)st.st_size > SCEN_MAX_FILE_BYTES) {
    snprintf(why, sizeof why, "%lld bytes, above the limit of %u bytes (16 MiB) for a scenario, include or preset file",
             (long long)st.st_size, SCEN_MAX_FILE_BYTES);
    bad = why;
  }
  if (bad) {
    close(fd);
    if (ref)
      return scen__fail(err, SCEN_ERR_IO, ref->file, ref->line, ref->col, refpath, "%s '%s': '%s' is %s", what,
                        ref->text ? ref->text : "", path, bad);
    return scen__fail(err, SCEN_ERR_IO, path, 0, 0, NULL, "refused: %s", bad);
  }
  /* Read at most the limit + 1 bytes: a file that grows while we read is refused too. */
  size_t cap = (size_t)st.st_size + 1, len = 0;
  if (cap > SCEN_MAX_FILE_BYTES + 1u) cap = SCEN_MAX_FILE_BYTES + 1u;
  char *text = scen__xmalloc(cap + 1);
  int rerr = 0;
  for (;;) {
    if (len == cap) {
      if (cap > SCEN_MAX_FILE_BYTES) break;
      cap = cap * 2 > SCEN_MAX_FILE_BYTES + 1u ? SCEN_MAX_FILE_BYTES + 1u : cap * 2;
      text = scen__xrealloc(text, cap + 1);
    }
    ssize_t n = read(fd, text + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) continue;   /* regular files do not block; be safe */
    if (n < 0) {
      rerr = errno;
      break;
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  close(fd);
  if (rerr) {
    free(text);
    return scen__fail(err, SCEN_ERR_IO, path, 0, 0, NULL, "cannot read %s: %s", what, strerror(rerr));
  }
  if (len > SCEN_MAX_FILE_BYTES) {
    free(text);
    return scen__fail(err, SCEN_ERR_IO, path, 0, 0, NULL, "refused: it grew above the limit of %u bytes (16 MiB) "
                      "for a scenario, include or preset file while being read", SCEN_MAX_FILE_BYTES);
  }
  text[len] = '\0';
  /* The real length, not strlen: libyaml then reports a NUL byte as the control character it is. */
  int rc = scen__parse_text(text, len, path, 1, 0, out, err);
  free(text);
  return rc;
}
