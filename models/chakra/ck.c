/* ck.c: reading, checking and writing Chakra execution traces (ck.h). */
#include "ck.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_def.pb-c.h"

typedef ChakraProtoMsg__Node pb_node;
typedef ChakraProtoMsg__AttributeProto pb_attr;
typedef ChakraProtoMsg__GlobalMetadata pb_meta;

#define CK_FILE_BYTES_DEFAULT (1ull << 30)
#define CK_MSG_BYTES_DEFAULT (64u << 20)
#define CK_NODES_DEFAULT (16u << 20)
#define CK_DEPS_DEFAULT 65536u

static const char *const type_names[CK_TYPE_COUNT] = {"INVALID_NODE",  "METADATA_NODE",  "MEM_LOAD_NODE",
                                                      "MEM_STORE_NODE", "COMP_NODE",      "COMM_SEND_NODE",
                                                      "COMM_RECV_NODE", "COMM_COLL_NODE"};
static const char *const coll_names[CK_COLL_COUNT] = {
  "ALL_REDUCE", "REDUCE",         "ALL_GATHER",           "GATHER", "SCATTER", "BROADCAST",
  "ALL_TO_ALL", "REDUCE_SCATTER", "REDUCE_SCATTER_BLOCK", "BARRIER"};

const char *ck_type_name(uint32_t t) { return t < CK_TYPE_COUNT ? type_names[t] : "?"; }
const char *ck_coll_name(uint32_t c) { return c < CK_COLL_COUNT ? coll_names[c] : "?"; }

const char *ck_rank_path(const char *prefix, uint32_t rank, char *buf, size_t len) {
  snprintf(buf, len, "%s.%u.et", prefix, rank);
  return buf;
}

void ck_rank_free(ck_rank *r) {
  if (!r) return;
  free(r->nodes);
  free(r->deps);
  free(r->names);
  r->nodes = NULL;
  r->deps = NULL;
  r->names = NULL;
  r->nnodes = 0;
  r->ndeps = 0;
  r->names_len = 0;
  r->names_cap = 0;
}

/* ---- reading ---- */

/* A base-128 varint of at most 5 bytes (Chakra frames with 32-bit lengths). 1 and *v, 0 at a clean
 * end of input (no byte left), -1 truncated or too long. */
static int read_varint32(const uint8_t *b, size_t len, size_t *pos, uint64_t *v) {
  if (*pos >= len) return 0;
  uint64_t x = 0;
  for (unsigned i = 0; i < 5; i++) {
    if (*pos >= len) return -1;
    uint8_t c = b[(*pos)++];
    x |= (uint64_t)(c & 0x7F) << (7 * i);
    if (!(c & 0x80)) {
      *v = x;
      return 1;
    }
  }
  return -1;
}

static int names_add(ck_rank *r, const char *s, uint32_t *off, char *err, size_t errlen) {
  size_t n = strlen(s) + 1;
  if (r->names_len + n > UINT32_MAX) {
    snprintf(err, errlen, "%s: node names above 4 GiB", r->file);
    return CK_ELIMIT;
  }
  if (r->names_len + n > r->names_cap) {
    size_t nc = (r->names_len + n) * 2 + 256;
    char *p = realloc(r->names, nc);
    if (!p) {
      snprintf(err, errlen, "%s: out of memory for node names", r->file);
      return CK_ELIMIT;
    }
    r->names = p;
    r->names_cap = nc;
  }
  memcpy(r->names + r->names_len, s, n);
  *off = (uint32_t)r->names_len;
  r->names_len += n;
  return 0;
}

static const char *case_name(ChakraProtoMsg__AttributeProto__ValueCase c) {
  switch (c) {
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE__NOT_SET: return "no value";
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_DOUBLE_VAL: return "double_val";
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_FLOAT_VAL: return "float_val";
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_BOOL_VAL: return "bool_val";
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_STRING_VAL: return "string_val";
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_BYTES_VAL: return "bytes_val";
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_BOOL_LIST: return "bool_list";
  default: return "a list or integer case";
  }
}

/* Any integer case of the oneof: 0 with *v, -1 otherwise. */
static int attr_int(const pb_attr *a, int64_t *v) {
  switch (a->value_case) {
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_INT32_VAL: *v = a->int32_val; return 0;
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_INT64_VAL: *v = a->int64_val; return 0;
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_UINT32_VAL: *v = a->uint32_val; return 0;
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_UINT64_VAL:
    if (a->uint64_val > INT64_MAX) return -1;
    *v = (int64_t)a->uint64_val;
    return 0;
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_SINT32_VAL: *v = a->sint32_val; return 0;
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_SINT64_VAL: *v = a->sint64_val; return 0;
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_FIXED32_VAL: *v = a->fixed32_val; return 0;
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_FIXED64_VAL:
    if (a->fixed64_val > INT64_MAX) return -1;
    *v = (int64_t)a->fixed64_val;
    return 0;
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_SFIXED32_VAL: *v = a->sfixed32_val; return 0;
  case CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_SFIXED64_VAL: *v = a->sfixed64_val; return 0;
  default: return -1;
  }
}

/* The attributes of node p into n. */
static int node_attrs(ck_rank *r, const pb_node *p, ck_node *n, char *err, size_t errlen) {
  static const char *const known = "is_cpu_op, num_ops, tensor_size, comm_type, comm_size, comm_src, comm_dst, "
                                   "comm_tag, comm_priority, pg_name, involved_dim";
  for (size_t i = 0; i < p->n_attr; i++) {
    const pb_attr *a = p->attr[i];
    const char *nm = a->name ? a->name : "";
    int64_t v = 0;
    if (strcmp(nm, "is_cpu_op") == 0) {
      if (a->value_case != CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_BOOL_VAL) goto badbool;
      n->is_cpu = a->bool_val ? 1u : 0u;
    } else if (strcmp(nm, "pg_name") == 0) {
      if (a->value_case != CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_STRING_VAL) {
        snprintf(err, errlen, "%s: node %llu: attribute pg_name must be a string_val, not %s", r->file,
                 (unsigned long long)p->id, case_name(a->value_case));
        return CK_EINVAL;
      }
      int rc = names_add(r, a->string_val ? a->string_val : "", &n->pg_off, err, errlen);
      if (rc < 0) return rc;
    } else if (strcmp(nm, "involved_dim") == 0) {
      if (a->value_case != CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_BOOL_LIST || !a->bool_list) {
        snprintf(err, errlen, "%s: node %llu: attribute involved_dim must be a bool_list, not %s", r->file,
                 (unsigned long long)p->id, case_name(a->value_case));
        return CK_EINVAL;
      }
      for (size_t j = 0; j < a->bool_list->n_values; j++)
        if (!a->bool_list->values[j]) {
          snprintf(err, errlen,
                   "%s: node %llu: involved_dim[%zu] is false: collectives over a subset of the network "
                   "dimensions are not supported (all ranks take part in every collective)",
                   r->file, (unsigned long long)p->id, j);
          return CK_EINVAL;
        }
    } else {
      static const char *const ints[] = {"num_ops",  "tensor_size", "comm_type", "comm_size",
                                         "comm_src", "comm_dst",    "comm_tag",  "comm_priority"};
      size_t k = 0;
      while (k < sizeof ints / sizeof ints[0] && strcmp(nm, ints[k]) != 0) k++;
      if (k == sizeof ints / sizeof ints[0]) {
        snprintf(err, errlen, "%s: node %llu: unknown attribute '%.64s' (known: %s)", r->file,
                 (unsigned long long)p->id, nm, known);
        return CK_EINVAL;
      }
      if (attr_int(a, &v) < 0) {
        snprintf(err, errlen, "%s: node %llu: attribute %s must be an integer (int32_val, int64_val, uint64_val, ...), "
                 "not %s", r->file, (unsigned long long)p->id, nm, case_name(a->value_case));
        return CK_EINVAL;
      }
      if (v < 0 || (k >= 4 && v > (int64_t)UINT32_MAX)) {
        snprintf(err, errlen, "%s: node %llu: attribute %s = %lld is out of range (0 .. %s)", r->file,
                 (unsigned long long)p->id, nm, (long long)v, k >= 4 ? "4294967295" : "2^63-1");
        return CK_EINVAL;
      }
      uint64_t u = (uint64_t)v;
      switch (k) {
      case 0: n->num_ops = u; break;
      case 1: n->tensor_size = u; break;
      case 2:
        if (u >= CK_COLL_COUNT) {
          snprintf(err, errlen, "%s: node %llu: comm_type %llu is not a CollectiveCommType (0 .. %d)", r->file,
                   (unsigned long long)p->id, (unsigned long long)u, CK_COLL_COUNT - 1);
          return CK_EINVAL;
        }
        n->coll = (uint32_t)u;
        n->has |= CK_HAS_COMM_TYPE;
        break;
      case 3: n->comm_size = u; n->has |= CK_HAS_COMM_SIZE; break;
      case 4: n->comm_src = (uint32_t)u; n->has |= CK_HAS_COMM_SRC; break;
      case 5: n->comm_dst = (uint32_t)u; n->has |= CK_HAS_COMM_DST; break;
      case 6: n->comm_tag = (uint32_t)u; break;
      default: n->prio = (uint32_t)u; break;
      }
    }
    continue;
  badbool:
    snprintf(err, errlen, "%s: node %llu: attribute %s must be a bool_val, not %s", r->file,
             (unsigned long long)p->id, nm, case_name(a->value_case));
    return CK_EINVAL;
  }
  /* what each type needs */
  const char *need = NULL;
  switch (n->type) {
  case CK_COLL:
    if (!(n->has & CK_HAS_COMM_TYPE)) need = "comm_type";
    else if (!(n->has & CK_HAS_COMM_SIZE)) need = "comm_size";
    break;
  case CK_SEND:
    if (!(n->has & CK_HAS_COMM_DST)) need = "comm_dst";
    else if (!(n->has & CK_HAS_COMM_SIZE)) need = "comm_size";
    break;
  case CK_RECV:
    if (!(n->has & CK_HAS_COMM_SRC)) need = "comm_src";
    else if (!(n->has & CK_HAS_COMM_SIZE)) need = "comm_size";
    break;
  default: break;
  }
  if (need) {
    snprintf(err, errlen, "%s: node %llu: a %s needs attribute %s", r->file, (unsigned long long)p->id,
             ck_type_name(n->type), need);
    return CK_EINVAL;
  }
  return 0;
}

typedef struct id_ix {
  uint64_t id;
  uint32_t ix;
} id_ix;
static int cmp_id(const void *a, const void *b) {
  const id_ix *x = a, *y = b;
  if (x->id != y->id) return x->id < y->id ? -1 : 1;
  return x->ix < y->ix ? -1 : (x->ix > y->ix);
}

int ck_parse(const uint8_t *buf, size_t len, const char *name, const ck_limits *lim, ck_rank *out, char *err,
             size_t errlen) {
  memset(out, 0, sizeof *out);
  snprintf(out->file, sizeof out->file, "%s", name ? name : "(trace)");
  ck_limits L = lim ? *lim : (ck_limits){0, 0, 0, 0};
  if (!L.file_bytes) L.file_bytes = CK_FILE_BYTES_DEFAULT;
  if (!L.msg_bytes) L.msg_bytes = CK_MSG_BYTES_DEFAULT;
  if (!L.nodes) L.nodes = CK_NODES_DEFAULT;
  if (!L.deps) L.deps = CK_DEPS_DEFAULT;
  const char *f = out->file;
  if (len > L.file_bytes) {
    snprintf(err, errlen, "%s: %zu bytes, above the limit of %llu bytes per trace file", f, len,
             (unsigned long long)L.file_bytes);
    return CK_ELIMIT;
  }
  if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
    snprintf(err, errlen, "%s: a gzip file: gunzip it first (clustersim reads uncompressed Chakra traces)", f);
    return CK_EFORMAT;
  }
  uint32_t one = 0;
  int rc = names_add(out, "", &one, err, errlen);
  if (rc < 0) return rc;
  uint64_t *raw = NULL;   /* dependency ids as read */
  size_t nraw = 0, capraw = 0;
  uint32_t capn = 0;
  id_ix *ix = NULL;
  size_t pos = 0;
  int nmsg = 0;
  for (;;) {
    size_t at = pos;
    uint64_t mlen = 0;
    int vr = read_varint32(buf, len, &pos, &mlen);
    if (vr == 0) break;
    if (vr < 0) {
      snprintf(err, errlen, "%s: byte %zu: %s message length (a varint of at most 5 bytes)", f, at,
               pos >= len ? "truncated inside a" : "malformed");
      rc = CK_EFORMAT;
      goto fail;
    }
    if (mlen > L.msg_bytes) {
      snprintf(err, errlen, "%s: byte %zu: a message of %llu bytes, above the limit of %u", f, at,
               (unsigned long long)mlen, L.msg_bytes);
      rc = CK_ELIMIT;
      goto fail;
    }
    if (mlen > len - pos) {
      snprintf(err, errlen, "%s: truncated: the %s at byte %zu declares %llu bytes, %zu are left", f,
               nmsg ? "node" : "GlobalMetadata", at, (unsigned long long)mlen, len - pos);
      rc = CK_EFORMAT;
      goto fail;
    }
    const uint8_t *m = buf + pos;
    pos += (size_t)mlen;
    if (nmsg++ == 0) {
      pb_meta *md = chakra_proto_msg__global_metadata__unpack(NULL, (size_t)mlen, m);
      if (!md) {
        snprintf(err, errlen, "%s: byte %zu: the first message is not a valid Chakra GlobalMetadata", f, at);
        rc = CK_EFORMAT;
        goto fail;
      }
      snprintf(out->version, sizeof out->version, "%s", md->version ? md->version : "");
      chakra_proto_msg__global_metadata__free_unpacked(md, NULL);
      continue;
    }
    pb_node *p = chakra_proto_msg__node__unpack(NULL, (size_t)mlen, m);
    if (!p) {
      snprintf(err, errlen, "%s: byte %zu: message %d is not a valid Chakra Node", f, at, nmsg - 1);
      rc = CK_EFORMAT;
      goto fail;
    }
    if (out->nnodes >= L.nodes) {
      snprintf(err, errlen, "%s: more than %u nodes (the limit per trace file)", f, L.nodes);
      chakra_proto_msg__node__free_unpacked(p, NULL);
      rc = CK_ELIMIT;
      goto fail;
    }
    if ((uint32_t)p->type >= CK_TYPE_COUNT || p->type == CHAKRA_PROTO_MSG__NODE_TYPE__INVALID_NODE) {
      snprintf(err, errlen, "%s: node %llu: node type %d is not supported (known: METADATA_NODE, MEM_LOAD_NODE, "
               "MEM_STORE_NODE, COMP_NODE, COMM_SEND_NODE, COMM_RECV_NODE, COMM_COLL_NODE)",
               f, (unsigned long long)p->id, (int)p->type);
      chakra_proto_msg__node__free_unpacked(p, NULL);
      rc = CK_EINVAL;
      goto fail;
    }
    size_t nd = p->n_data_deps + p->n_ctrl_deps;
    if (nd > L.deps) {
      snprintf(err, errlen, "%s: node %llu: %zu dependencies, above the limit of %u", f, (unsigned long long)p->id,
               nd, L.deps);
      chakra_proto_msg__node__free_unpacked(p, NULL);
      rc = CK_ELIMIT;
      goto fail;
    }
    if (out->nnodes == capn) {
      uint32_t nc = capn ? (capn < L.nodes / 2 ? capn * 2 : L.nodes) : 64;
      ck_node *q = realloc(out->nodes, (size_t)nc * sizeof *q);
      id_ix *qi = realloc(ix, (size_t)nc * sizeof *qi);
      if (qi) ix = qi;
      if (q) out->nodes = q;
      if (!q || !qi) {
        snprintf(err, errlen, "%s: out of memory at node %u", f, out->nnodes);
        chakra_proto_msg__node__free_unpacked(p, NULL);
        rc = CK_ELIMIT;
        goto fail;
      }
      capn = nc;
    }
    if (nraw + nd > capraw) {
      size_t nc = (capraw + nd) * 2 + 64;
      uint64_t *q = realloc(raw, nc * sizeof *q);
      if (!q) {
        snprintf(err, errlen, "%s: out of memory for dependencies", f);
        chakra_proto_msg__node__free_unpacked(p, NULL);
        rc = CK_ELIMIT;
        goto fail;
      }
      raw = q;
      capraw = nc;
    }
    ck_node *n = &out->nodes[out->nnodes];
    memset(n, 0, sizeof *n);
    n->id = p->id;
    n->type = (uint32_t)p->type;
    n->dur_us = p->duration_micros;
    n->dep_off = (uint32_t)nraw;
    n->ndeps = (uint32_t)nd;
    if (p->n_data_deps) memcpy(raw + nraw, p->data_deps, p->n_data_deps * sizeof *raw);
    if (p->n_ctrl_deps) memcpy(raw + nraw + p->n_data_deps, p->ctrl_deps, p->n_ctrl_deps * sizeof *raw);
    nraw += nd;
    if (nraw > UINT32_MAX) {
      snprintf(err, errlen, "%s: more than 2^32 dependencies", f);
      chakra_proto_msg__node__free_unpacked(p, NULL);
      rc = CK_ELIMIT;
      goto fail;
    }
    rc = names_add(out, p->name ? p->name : "", &n->name_off, err, errlen);
    if (rc == 0) rc = node_attrs(out, p, n, err, errlen);
    chakra_proto_msg__node__free_unpacked(p, NULL);
    if (rc < 0) goto fail;
    ix[out->nnodes].id = n->id;
    ix[out->nnodes].ix = out->nnodes;
    out->nnodes++;
  }
  if (nmsg == 0) {
    snprintf(err, errlen, "%s: empty: a Chakra trace starts with a GlobalMetadata message", f);
    rc = CK_EFORMAT;
    goto fail;
  }
  /* ids: unique; dependencies: resolved to indices */
  if (out->nnodes) qsort(ix, out->nnodes, sizeof *ix, cmp_id);
  for (uint32_t i = 1; i < out->nnodes; i++)
    if (ix[i].id == ix[i - 1].id) {
      snprintf(err, errlen, "%s: node %llu: the id occurs twice (messages %u and %u)", f,
               (unsigned long long)ix[i].id, ix[i - 1].ix + 1, ix[i].ix + 1);
      rc = CK_EINVAL;
      goto fail;
    }
  out->deps = malloc((nraw ? nraw : 1) * sizeof *out->deps);
  if (!out->deps) {
    snprintf(err, errlen, "%s: out of memory for dependencies", f);
    rc = CK_ELIMIT;
    goto fail;
  }
  out->ndeps = nraw;
  for (uint32_t i = 0; i < out->nnodes; i++) {
    const ck_node *n = &out->nodes[i];
    for (uint32_t j = 0; j < n->ndeps; j++) {
      uint64_t d = raw[n->dep_off + j];
      size_t lo = 0, hi = out->nnodes;
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix[mid].id < d) lo = mid + 1;
        else hi = mid;
      }
      if (lo == out->nnodes || ix[lo].id != d) {
        snprintf(err, errlen, "%s: node %llu: a dependency on node %llu, which is not in the file", f,
                 (unsigned long long)n->id, (unsigned long long)d);
        rc = CK_EINVAL;
        goto fail;
      }
      if (ix[lo].ix == i) {
        snprintf(err, errlen, "%s: node %llu: depends on itself", f, (unsigned long long)n->id);
        rc = CK_EINVAL;
        goto fail;
      }
      out->deps[n->dep_off + j] = ix[lo].ix;
    }
  }
  free(raw);
  free(ix);
  return 0;
fail:
  free(raw);
  free(ix);
  ck_rank_free(out);
  return rc;
}

int ck_read(const char *path, const ck_limits *lim, ck_rank *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return CK_EIO;
  }
  uint64_t maxb = lim && lim->file_bytes ? lim->file_bytes : CK_FILE_BYTES_DEFAULT;
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  int rc = 0;
  while (buf) {
    if (len == cap) {
      if (cap > maxb) break;
      uint8_t *q = realloc(buf, cap * 2);
      if (!q) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = q;
      cap *= 2;
    }
    size_t got = fread(buf + len, 1, cap - len, fp);
    len += got;
    if (got == 0) break;
  }
  if (!buf) {
    snprintf(err, errlen, "%s: out of memory reading the file", path);
    rc = CK_ELIMIT;
  } else if (ferror(fp)) {
    snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
    rc = CK_EIO;
  }
  fclose(fp);
  if (rc == 0) rc = ck_parse(buf, len, path, lim, out, err, errlen);
  free(buf);
  return rc;
}

/* ---- writing ---- */

struct ck_writer {
  FILE *fp;   /* NULL: memory */
  uint8_t *buf;
  size_t len, cap;
  int failed;
};

static void w_bytes(ck_writer *w, const void *p, size_t n) {
  if (w->failed) return;
  if (w->fp) {
    if (fwrite(p, 1, n, w->fp) != n) w->failed = 1;
    return;
  }
  if (w->len + n > w->cap) {
    size_t nc = (w->len + n) * 2;
    uint8_t *q = realloc(w->buf, nc);
    if (!q) {
      w->failed = 1;
      return;
    }
    w->buf = q;
    w->cap = nc;
  }
  memcpy(w->buf + w->len, p, n);
  w->len += n;
}

/* length-delimited: varint length, then the packed message */
static void w_msg(ck_writer *w, const ProtobufCMessage *m) {
  size_t n = protobuf_c_message_get_packed_size(m);
  uint8_t hdr[10];
  size_t h = 0;
  size_t v = n;
  do {
    uint8_t b = (uint8_t)(v & 0x7F);
    v >>= 7;
    hdr[h++] = (uint8_t)(b | (v ? 0x80 : 0));
  } while (v);
  w_bytes(w, hdr, h);
  uint8_t *tmp = malloc(n ? n : 1);
  if (!tmp) {
    w->failed = 1;
    return;
  }
  protobuf_c_message_pack(m, tmp);
  w_bytes(w, tmp, n);
  free(tmp);
}

static void w_meta(ck_writer *w, const char *version) {
  pb_meta md = CHAKRA_PROTO_MSG__GLOBAL_METADATA__INIT;
  md.version = (char *)(version ? version : "");
  w_msg(w, &md.base);
}

ck_writer *ck_writer_mem(const char *version) {
  ck_writer *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w_meta(w, version);
  return w;
}

ck_writer *ck_writer_open(const char *path, const char *version, char *err, size_t errlen) {
  ck_writer *w = calloc(1, sizeof *w);
  if (!w) {
    snprintf(err, errlen, "%s: out of memory", path);
    return NULL;
  }
  w->fp = fopen(path, "wb");
  if (!w->fp) {
    snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
    free(w);
    return NULL;
  }
  w_meta(w, version);
  return w;
}

int ck_writer_node(ck_writer *w, const ck_wnode *n, char *err, size_t errlen) {
  pb_node p = CHAKRA_PROTO_MSG__NODE__INIT;
  p.id = n->id;
  p.name = (char *)(n->name ? n->name : "");
  p.type = (ChakraProtoMsg__NodeType)n->type;
  p.n_data_deps = n->ndata;
  p.data_deps = (uint64_t *)n->data_deps;
  p.n_ctrl_deps = n->nctrl;
  p.ctrl_deps = (uint64_t *)n->ctrl_deps;
  p.duration_micros = n->dur_us;
  pb_attr av[16];
  pb_attr *ap[16];
  if (n->nattrs > 16) {
    snprintf(err, errlen, "ck_writer_node: %zu attributes, at most 16", n->nattrs);
    return CK_EINVAL;
  }
  for (size_t i = 0; i < n->nattrs; i++) {
    const ck_attr *a = &n->attrs[i];
    pb_attr x = CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__INIT;
    x.name = (char *)a->name;
    switch (a->kind) {
    case CK_A_INT64: x.value_case = CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_INT64_VAL; x.int64_val = a->i; break;
    case CK_A_UINT64:
      x.value_case = CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_UINT64_VAL;
      x.uint64_val = (uint64_t)a->i;
      break;
    case CK_A_INT32:
      x.value_case = CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_INT32_VAL;
      x.int32_val = (int32_t)a->i;
      break;
    case CK_A_BOOL:
      x.value_case = CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_BOOL_VAL;
      x.bool_val = a->i != 0;
      break;
    case CK_A_STRING:
      x.value_case = CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_STRING_VAL;
      x.string_val = (char *)(a->s ? a->s : "");
      break;
    default: x.value_case = CHAKRA_PROTO_MSG__ATTRIBUTE_PROTO__VALUE_DOUBLE_VAL; x.double_val = a->d; break;
    }
    av[i] = x;
    ap[i] = &av[i];
  }
  p.n_attr = n->nattrs;
  p.attr = n->nattrs ? ap : NULL;
  w_msg(w, &p.base);
  if (w->failed) {
    snprintf(err, errlen, "node %llu: write failed", (unsigned long long)n->id);
    return CK_EIO;
  }
  return 0;
}

const uint8_t *ck_writer_bytes(const ck_writer *w, size_t *len) {
  *len = w->len;
  return w->buf;
}

int ck_writer_close(ck_writer *w, char *err, size_t errlen) {
  if (!w) return 0;
  int rc = w->failed ? CK_EIO : 0;
  if (w->fp && fclose(w->fp) != 0) rc = CK_EIO;
  if (rc < 0 && err) snprintf(err, errlen, "trace write failed");
  free(w->buf);
  free(w);
  return rc;
}
