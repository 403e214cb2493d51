/* ck.h: MLCommons Chakra execution traces (ET), prefix ck_: reading, checking, writing, and importing
 * them into an op graph (og.h) that the one executor runs (../../shared/DESIGN.md "Workloads are op
 * graphs": importers and generators produce the same graph).
 *
 * Format (et_def.proto beside this file; Chakra's own field numbers): one file per rank, named
 * <prefix>.<rank>.et as Chakra's converters and ASTRA-sim name them. A file is a sequence of
 * messages, each preceded by its length as a base-128 varint: first one GlobalMetadata (its
 * `version` is kept), then the Nodes. A file that ends inside a length or a message is refused as
 * truncated; gzip'd traces (Chakra's protolib reads those too) are refused with a hint to gunzip.
 *
 * What a node becomes (ck_import):
 *   COMP_NODE      an og compute op of duration_micros on the rank's compute stream (0), or on its
 *                  host stream (2) when attribute is_cpu_op is true; with a retime callback, the
 *                  callback's duration from num_ops / tensor_size instead (og_set_src records it);
 *   MEM_LOAD_NODE, MEM_STORE_NODE  a compute-stream op of duration_micros (a copy engine's time as
 *                  traced); METADATA_NODE a zero-time op; both keep their dependencies;
 *   COMM_COLL_NODE the k-th collective node of every rank forms collective k over all the ranks
 *                  (one communicator: the import has no process groups); each rank's node becomes
 *                  a begin and an end op on its communication stream (1) and the collective's
 *                  messages run between them, stream-less: ALL_TO_ALL as wl_a2a.h's all-to-all
 *                  (comm_size / n to every peer, posted in NCCL's peer order), ALL_REDUCE,
 *                  ALL_GATHER, REDUCE_SCATTER as wl_ring.h's ring (NCCL's ring, one channel);
 *                  a rank's end waits for its sends and receives;
 *   COMM_SEND_NODE a message of comm_size bytes to comm_dst on the communication stream, at network
 *                  priority comm_priority (0 .. NET_PRIO_LEVELS - 1, 0 highest; default 0); the
 *   COMM_RECV_NODE on comm_dst with comm_src = the sender and the same comm_tag is a zero-time op
 *                  on its communication stream after that message: sends and receives of one
 *                  (src, dst, tag) match in trace order;
 *   data_deps and ctrl_deps (ids of nodes of the same file) become og dependencies alike.
 * Known attributes (name: allowed value cases): is_cpu_op bool; num_ops, tensor_size, comm_size,
 * comm_type, comm_src, comm_dst, comm_tag, comm_priority: any integer case; pg_name string (must be
 * the same on every rank of a collective); involved_dim bool list (ASTRA-sim's; every entry must be
 * true: all dimensions take part). Any other attribute, a node type or collective outside the list,
 * a dependency on an id not in the file, a duplicate id, a peer rank out of range, or collectives
 * that disagree between ranks are refused with the file and the node id named.
 *
 * Units: durations in microseconds as in the trace (integer), sizes in bytes, simulated time in ps.
 * Limits (ck_limits): bytes per file, bytes per message, nodes per file, dependencies per node;
 * the graph's size is checked with og_check_size before it is built.
 * Lifetime: ck_read / ck_parse fill a caller-owned ck_rank (free with ck_rank_free, also after a
 * failure); ck_import returns a graph the caller finalizes, runs and frees (og_free). The writer
 * (ck_writer) is for generators and tests. Errors: 0 / NULL or a negative CK_E* code with the
 * message in err ("FILE: node ID: what").
 */
#ifndef CLUSTERSIM_CK_H
#define CLUSTERSIM_CK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "og.h"

#define CK_EIO (-1)      /* the file could not be read or written */
#define CK_EFORMAT (-2)  /* not a valid Chakra trace (framing, protobuf, truncation) */
#define CK_EINVAL (-3)   /* a valid trace clustersim does not accept (types, attributes, deps) */
#define CK_ELIMIT (-4)   /* beyond a limit of ck_limits */

/* Node types and collectives: the values of et_def.proto's NodeType and CollectiveCommType. */
typedef enum ck_type {
  CK_INVALID = 0, CK_METADATA, CK_MEM_LOAD, CK_MEM_STORE, CK_COMP, CK_SEND, CK_RECV, CK_COLL, CK_TYPE_COUNT
} ck_type;
typedef enum ck_coll {
  CK_ALL_REDUCE = 0, CK_REDUCE, CK_ALL_GATHER, CK_GATHER, CK_SCATTER, CK_BROADCAST, CK_ALL_TO_ALL,
  CK_REDUCE_SCATTER, CK_REDUCE_SCATTER_BLOCK, CK_BARRIER, CK_COLL_COUNT
} ck_coll;
const char *ck_type_name(uint32_t t);   /* "COMP_NODE", ...; "?" outside the enum */
const char *ck_coll_name(uint32_t c);   /* "ALL_TO_ALL", ... */

#define CK_HAS_COMM_TYPE 0x01u
#define CK_HAS_COMM_SIZE 0x02u
#define CK_HAS_COMM_SRC 0x04u
#define CK_HAS_COMM_DST 0x08u

typedef struct ck_node {
  uint64_t id;
  uint64_t dur_us;          /* duration_micros */
  uint64_t num_ops;         /* FLOPs of a compute node (0: absent) */
  uint64_t tensor_size;     /* bytes a compute or memory node moves (0: absent) */
  uint64_t comm_size;       /* bytes of a communication node */
  uint32_t type;            /* ck_type */
  uint32_t coll;            /* ck_coll, with CK_HAS_COMM_TYPE */
  uint32_t comm_src, comm_dst, comm_tag, prio;
  uint32_t has;             /* CK_HAS_* */
  uint32_t is_cpu;
  uint32_t dep_off, ndeps;  /* into ck_rank.deps: data deps, then ctrl deps (node indices) */
  uint32_t name_off;        /* into ck_rank.names */
  uint32_t pg_off;          /* into ck_rank.names: pg_name ("" when absent) */
} ck_node;

typedef struct ck_rank {
  char file[512];           /* as given to ck_read / ck_parse, for messages */
  char version[64];         /* GlobalMetadata.version */
  ck_node *nodes;           /* in file order */
  uint32_t nnodes;
  uint32_t *deps;           /* node indices (resolved from ids) */
  size_t ndeps;
  char *names;              /* NUL-terminated strings; offset 0 is "" */
  size_t names_len, names_cap;
} ck_rank;

typedef struct ck_limits {
  uint64_t file_bytes;      /* 0: 1 GiB */
  uint32_t msg_bytes;       /* one message; 0: 64 MiB */
  uint32_t nodes;           /* per file; 0: 16 Mi */
  uint32_t deps;            /* per node; 0: 65536 */
} ck_limits;

/* Parses one rank's trace from memory (name: the file, for messages). lim NULL: the defaults. */
int ck_parse(const uint8_t *buf, size_t len, const char *name, const ck_limits *lim, ck_rank *out, char *err,
             size_t errlen);
int ck_read(const char *path, const ck_limits *lim, ck_rank *out, char *err, size_t errlen);
void ck_rank_free(ck_rank *r);
/* "<prefix>.<rank>.et" into buf; returns buf. */
const char *ck_rank_path(const char *prefix, uint32_t rank, char *buf, size_t len);

/* ---- import into an op graph ---- */

#define CK_STREAM_COMPUTE 0u
#define CK_STREAM_COMM 1u
#define CK_STREAM_HOST 2u
#define CK_STREAMS 3u

/* Re-times a compute node from its attributes: 0 with *dur_ps and *src set, or -1 with a message. */
typedef int (*ck_retime_fn)(void *ctx, const ck_node *n, sim_time_ps *dur_ps, uint8_t *src, char *err,
                            size_t errlen);

typedef struct ck_import_opts {
  const uint32_t *eps;      /* endpoint of each rank (nranks of them) */
  uint32_t nranks;
  ck_retime_fn retime;      /* NULL: duration_micros */
  void *retime_ctx;
} ck_import_opts;

typedef struct ck_import_stats {
  uint64_t nodes, comp, mem, meta, coll, send, recv;   /* trace nodes by kind, over all ranks */
  uint64_t messages;        /* network messages of the graph */
  double bytes;             /* bytes over them */
  uint64_t retimed;         /* compute nodes re-timed by the callback */
} ck_import_stats;

/* The graph of ranks[0 .. o->nranks): one og rank per trace rank, CK_STREAMS streams. NULL with a
 * message on a trace the import does not accept or a graph above og_limit_bytes. */
og_graph *ck_import(const ck_rank *ranks, const ck_import_opts *o, ck_import_stats *st, char *err, size_t errlen);

/* ---- writing (generators, tests) ---- */

typedef struct ck_writer ck_writer;
/* Opens path for writing and writes the GlobalMetadata with `version`. NULL with a message. */
ck_writer *ck_writer_open(const char *path, const char *version, char *err, size_t errlen);
/* In-memory writer (ck_writer_bytes gives the buffer): for tests and the fuzz seeds. */
ck_writer *ck_writer_mem(const char *version);
/* An attribute of the node being written: integer (int64 case), bool, string, or the raw case. */
typedef struct ck_attr {
  const char *name;
  enum { CK_A_INT64, CK_A_UINT64, CK_A_INT32, CK_A_BOOL, CK_A_STRING, CK_A_DOUBLE } kind;
  int64_t i;
  const char *s;
  double d;
} ck_attr;
typedef struct ck_wnode {
  uint64_t id;
  const char *name;
  uint32_t type;
  const uint64_t *data_deps;
  size_t ndata;
  const uint64_t *ctrl_deps;
  size_t nctrl;
  uint64_t dur_us;
  const ck_attr *attrs;
  size_t nattrs;
} ck_wnode;
int ck_writer_node(ck_writer *w, const ck_wnode *n, char *err, size_t errlen);
const uint8_t *ck_writer_bytes(const ck_writer *w, size_t *len);
/* Closes (and for a file, flushes) the writer: 0 or CK_EIO. NULL ok. */
int ck_writer_close(ck_writer *w, char *err, size_t errlen);

#endif
