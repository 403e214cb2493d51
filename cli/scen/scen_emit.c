/* scen_emit.c: YAML text out of raw trees (report:, SCEN_ANY) and scalar quoting.
 *
 * Our own emitter, not libyaml's: the canonical YAML must be byte-stable across libyaml versions,
 * and we want one fixed style: block maps, two-space indent, flow lists of scalars, double quotes
 * only where plain text would be misread.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scen_int.h"

/* Plain is safe for names, numbers and united values; anything with YAML indicators is quoted. */
int scen__needs_quote(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || s[0] == ' ' || s[n - 1] == ' ') return 1;
  if (s[0] == '-' && (n == 1 || s[1] == ' ')) return 1;
  for (const char *c = s; *c; c++) {
    unsigned char u = (unsigned char)*c;
    if (u >= 0x80 || isalnum(u)) continue;
    if (!strchr("_.-+/ ()", *c)) return 1;
  }
  return 0;
}

/* Text that plain YAML would read as a number, a boolean or null. */
static int looks_typed(const char *s) {
  static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strcasecmp(s, words[i]) == 0) return 1;
  char *end;
  (void)strtod(s, &end);
  return end != s && *end == '\0';
}

void scen__emit_scalar(scen__buf *b, const char *s, int as_string) {
  if (!scen__needs_quote(s) && !(as_string && looks_typed(s))) {
    scen__buf_puts(b, s);
    return;
  }
  scen__buf_putc(b, '"');
  for (const char *c = s; *c; c++) {
    unsigned char u = (unsigned char)*c;
    if (*c == '"' || *c == '\\') {
      scen__buf_putc(b, '\\');
      scen__buf_putc(b, *c);
    } else if (*c == '\n') {
      scen__buf_puts(b, "\\n");
    } else if (*c == '\t') {
      scen__buf_puts(b, "\\t");
    } else if (u < 0x20) {
      scen__buf_printf(b, "\\x%02x", u);
    } else {
      scen__buf_putc(b, *c);
    }
  }
  scen__buf_putc(b, '"');
}

static void raw_scalar(scen__buf *b, const scen_node *n) {
  if (scen__node_is_null(n))
    scen__buf_puts(b, "null");
  else
    scen__emit_scalar(b, n->text, n->quoted);
}

static void indent_to(scen__buf *b, int indent) {
  for (int i = 0; i < indent; i++) scen__buf_putc(b, ' ');
}

/* Value after "key:" or "- ": inline for scalars and empty containers, else a nested block. */
static void raw_value(scen__buf *b, const scen_node *v, int indent) {
  if (v->kind == SCEN__SCALAR) {
    scen__buf_putc(b, ' ');
    raw_scalar(b, v);
    scen__buf_putc(b, '\n');
  } else if (v->n == 0) {
    scen__buf_puts(b, v->kind == SCEN__MAP ? " {}\n" : " []\n");
  } else {
    scen__buf_putc(b, '\n');
    scen__emit_raw_block(b, v, indent + 2);
  }
}

void scen__emit_raw_block(scen__buf *b, const scen_node *n, int indent) {
  for (size_t i = 0; i < n->n; i++) {
    const scen_node *k = n->kids[i];
    if (n->kind == SCEN__MAP) {
      indent_to(b, indent);
      scen__emit_scalar(b, k->key, 1);
      scen__buf_putc(b, ':');
      raw_value(b, k, indent);
    } else if (k->kind == SCEN__SCALAR || k->n == 0) {
      indent_to(b, indent);
      scen__buf_putc(b, '-');
      raw_value(b, k, indent);
    } else {
      /* "- " then the nested block, whose first line shares the dash's line */
      scen__buf sub = {0};
      scen__emit_raw_block(&sub, k, indent + 2);
      indent_to(b, indent);
      scen__buf_puts(b, "- ");
      scen__buf_puts(b, sub.p + indent + 2);
      free(sub.p);
    }
  }
}

void scen__emit_raw_flow(scen__buf *b, const scen_node *n) {
  if (n->kind == SCEN__SCALAR) {
    raw_scalar(b, n);
    return;
  }
  scen__buf_putc(b, n->kind == SCEN__MAP ? '{' : '[');
  for (size_t i = 0; i < n->n; i++) {
    if (i) scen__buf_puts(b, ", ");
    if (n->kind == SCEN__MAP) {
      scen__emit_scalar(b, n->kids[i]->key, 1);
      scen__buf_puts(b, ": ");
    }
    scen__emit_raw_flow(b, n->kids[i]);
  }
  scen__buf_putc(b, n->kind == SCEN__MAP ? '}' : ']');
}
