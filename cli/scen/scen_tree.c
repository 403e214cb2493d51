/* scen_tree.c: the raw YAML tree: nodes with positions, clone, merge, dotted-path set and find. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen_int.h"

scen_node *scen__node_new(scen__kind kind, const char *file, int line, int col) {
  scen_node *n = scen__xcalloc(1, sizeof *n);
  n->kind = kind;
  n->file = scen__xstrdup(file ? file : "");
  n->line = line;
  n->col = col;
  return n;
}

scen_node *scen__scalar_new(const char *text, const char *file, int line, int col) {
  scen_node *n = scen__node_new(SCEN__SCALAR, file, line, col);
  n->text = scen__xstrdup(text);
  return n;
}

void scen__node_free(scen_node *n) {
  if (!n) return;
  for (size_t i = 0; i < n->n; i++) scen__node_free(n->kids[i]);
  free(n->kids);
  scen__node_free(n->base);
  free(n->text);
  free(n->key);
  free(n->file);
  free(n);
}

scen_node *scen__node_clone(const scen_node *n) {
  if (!n) return NULL;
  scen_node *c = scen__node_new(n->kind, n->file, n->line, n->col);
  c->text = n->text ? scen__xstrdup(n->text) : NULL;
  c->quoted = n->quoted;
  c->key = n->key ? scen__xstrdup(n->key) : NULL;
  c->kline = n->kline;
  c->kcol = n->kcol;
  c->implicit = n->implicit;
  c->base = scen__node_clone(n->base);
  for (size_t i = 0; i < n->n; i++) scen__node_append(c, scen__node_clone(n->kids[i]));
  return c;
}

void scen__node_append(scen_node *parent, scen_node *kid) {
  if (parent->n == parent->cap) {
    parent->cap = parent->cap ? parent->cap * 2 : 8;
    parent->kids = scen__xrealloc(parent->kids, parent->cap * sizeof *parent->kids);
  }
  parent->kids[parent->n++] = kid;
}

static size_t member_index(const scen_node *map, const char *key) {
  for (size_t i = 0; i < map->n; i++)
    if (map->kids[i]->key && strcmp(map->kids[i]->key, key) == 0) return i;
  return SIZE_MAX;
}

scen_node *scen__node_get(const scen_node *map, const char *key) {
  if (!map || map->kind != SCEN__MAP) return NULL;
  size_t i = member_index(map, key);
  return i == SIZE_MAX ? NULL : map->kids[i];
}

scen_node *scen__node_take(scen_node *map, const char *key) {
  if (!map || map->kind != SCEN__MAP) return NULL;
  size_t i = member_index(map, key);
  if (i == SIZE_MAX) return NULL;
  scen_node *n = map->kids[i];
  memmove(map->kids + i, map->kids + i + 1, (map->n - i - 1) * sizeof *map->kids);
  map->n--;
  return n;
}

void scen__node_put(scen_node *map, const char *key, scen_node *val) {
  if (val->key != key) {
    free(val->key);
    val->key = scen__xstrdup(key);
  }
  size_t i = member_index(map, key);
  if (i == SIZE_MAX) {
    scen__node_append(map, val);
    return;
  }
  if (!val->kline) {
    val->kline = map->kids[i]->kline;
    val->kcol = map->kids[i]->kcol;
  }
  scen__node_free(map->kids[i]);
  map->kids[i] = val;
}

/* Maps merge member by member; a map written over a scalar keeps the scalar as its base (a
 * preset name that the map refines); anything else replaces. */
scen_node *scen__node_merge(scen_node *dst, scen_node *src) {
  if (!dst) return src;
  if (dst->kind == SCEN__MAP && src->kind == SCEN__MAP) {
    for (size_t i = 0; i < src->n; i++) {
      scen_node *s = src->kids[i];
      size_t j = member_index(dst, s->key);
      if (j == SIZE_MAX)
        scen__node_append(dst, s);
      else
        dst->kids[j] = scen__node_merge(dst->kids[j], s);
    }
    src->n = 0;
    scen__node_free(src);
    return dst;
  }
  if (src->kind == SCEN__MAP && dst->kind == SCEN__SCALAR && !src->base) {
    free(dst->key);
    dst->key = NULL;
    src->base = dst;
    return src;
  }
  if (!src->kline) {
    src->kline = dst->kline;
    src->kcol = dst->kcol;
  }
  scen__node_free(dst);
  return src;
}

int scen__node_is_null(const scen_node *n) {
  if (!n || n->kind != SCEN__SCALAR || n->quoted) return 0;
  return n->text[0] == '\0' || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
         strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

const char *scen__kind_name(const scen_node *n) {
  if (scen__node_is_null(n)) return "an empty value";
  switch (n->kind) {
  case SCEN__MAP: return "a map";
  case SCEN__SEQ: return "a list";
  default: return "a scalar";
  }
}

int scen__node_set(scen_node *root, const scen__path *p, scen_node *val, const char *pathtext,
                   scen_err *err) {
  scen_node *cur = root;
  for (size_t i = 0; i < p->n; i++) {
    const char *seg = p->seg[i];
    int last = i + 1 == p->n;
    if (cur->kind == SCEN__SEQ) {
      size_t idx;
      if (!scen__is_index(seg, &idx) || idx >= cur->n) {
        int rc = scen__fail(err, SCEN_ERR_INVALID, val->file, val->line, val->col, pathtext,
                            "'%s' is not an item of the list at %s:%d:%d (it has %zu items, numbered from 0)",
                            seg, cur->file, cur->line, cur->col, cur->n);
        scen__node_free(val);
        return rc;
      }
      if (last) {
        free(val->key);
        val->key = NULL;
        scen__node_free(cur->kids[idx]);
        cur->kids[idx] = val;
        return 0;
      }
      cur = cur->kids[idx];
      if (cur->kind == SCEN__SCALAR) {
        int rc = scen__fail(err, SCEN_ERR_INVALID, val->file, val->line, val->col, pathtext,
                            "item %zu of the list is a scalar (at %s:%d:%d); it has no keys below it", idx,
                            cur->file, cur->line, cur->col);
        scen__node_free(val);
        return rc;
      }
    } else {
      if (last) {
        scen__node_put(cur, seg, val);
        return 0;
      }
      scen_node *next = scen__node_get(cur, seg);
      if (!next || scen__node_is_null(next)) {
        next = scen__node_new(SCEN__MAP, val->file, val->line, val->col);
        next->implicit = 1;
        scen__node_put(cur, seg, next);
      } else if (next->kind == SCEN__SCALAR) {
        /* a preset name: refine it (resolved and checked during validation) */
        scen_node *m = scen__node_new(SCEN__MAP, next->file, next->line, next->col);
        m->implicit = 1;
        scen_node *base = scen__node_take(cur, seg);
        m->kline = base->kline;
        m->kcol = base->kcol;
        free(base->key);
        base->key = NULL;
        m->base = base;
        scen__node_put(cur, seg, m);
        next = m;
      }
      cur = next;
    }
  }
  scen__node_free(val);
  return 0;
}

const scen_node *scen__node_find(const scen_node *root, const scen__path *p) {
  const scen_node *cur = root;
  for (size_t i = 0; cur && i < p->n; i++) {
    if (cur->kind == SCEN__SEQ) {
      size_t idx;
      cur = scen__is_index(p->seg[i], &idx) && idx < cur->n ? cur->kids[idx] : NULL;
    } else {
      cur = scen__node_get(cur, p->seg[i]);
    }
  }
  return cur;
}
