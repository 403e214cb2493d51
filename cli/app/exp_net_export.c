/* exp_net_export.c: all-to-all platform export (exp_net_export.h).
 *
 * One pass over the ordered pairs writes routes.tsv and marks the arcs used in a bitmap; links.tsv
 * follows from the bitmap. Lines are formatted by hand into a stack buffer and written with one
 * fwrite each: printf's "%u" and "%.12f" cost about 3x more per route at a million routes, and the
 * latency is an integer of picoseconds, so "seconds.twelve digits" is exact without floating point.
 * Rejected: a binary format (the point of the files is that a 100-line C++ reader and a human can
 * check them; gzip makes them small if they need to be kept).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exp_net_export.h"

#define IO_BUF_BYTES (1u << 20)
#define PS_PER_S 1000000000000ull

/* Writes v in decimal at p; returns the end. */
static char *put_u64(char *p, uint64_t v) {
  char tmp[20];
  int k = 0;
  do {
    tmp[k++] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v);
  while (k) *p++ = tmp[--k];
  return p;
}

/* Picoseconds as seconds with exactly 12 decimals ("0.000001500000"). */
static char *put_ps_as_s(char *p, uint64_t ps) {
  p = put_u64(p, ps / PS_PER_S);
  *p++ = '.';
  uint64_t frac = ps % PS_PER_S;
  for (uint64_t d = PS_PER_S / 10u; d; d /= 10u) {
    *p++ = (char)('0' + (int)(frac / d));
    frac %= d;
  }
  return p;
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t pathlen, char **buf, char *err,
                      size_t errlen) {
  int k = snprintf(path, pathlen, "%s/%s", dir, name);
  if (k < 0 || (size_t)k >= pathlen) {
    snprintf(err, errlen, "export: path '%s/%s' too long", dir, name);
    return NULL;
  }
  FILE *f = fopen(path, "w");
  if (!f) {
    snprintf(err, errlen, "export: cannot write %s: %s", path, strerror(errno));
    return NULL;
  }
  *buf = malloc(IO_BUF_BYTES);
  if (*buf) setvbuf(f, *buf, _IOFBF, IO_BUF_BYTES);
  return f;
}

/* Closes f (and frees its buffer after); -1 with the path if any write failed. */
static int close_out(FILE *f, char *buf, const char *path, char *err, size_t errlen) {
  int bad = ferror(f);
  int e = bad ? EIO : 0;
  if (fclose(f) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  free(buf);
  if (bad) {
    snprintf(err, errlen, "export: writing %s failed: %s", path, strerror(e));
    return -1;
  }
  return 0;
}

int cli_net_export_a2a(net_model *n, const char *dir, char *err, size_t errlen) {
  const topo_graph *g = net_graph(n);
  const uint32_t ne = g->n_endpoints;
  const uint32_t n_arcs = 2u * g->n_links;
  if (ne < 2) {
    snprintf(err, errlen, "export: the graph has %u endpoints (an all-to-all needs 2 or more)", ne);
    return -1;
  }
  if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "export: cannot create directory %s: %s", dir, strerror(errno));
    return -1;
  }
  uint64_t *used = calloc((n_arcs + 63u) / 64u, sizeof *used);
  if (!used) {
    snprintf(err, errlen, "export: out of memory for the arc bitmap (%u arcs)", n_arcs);
    return -1;
  }

  char path[4096];
  char *buf = NULL;
  int rc = -1;
  FILE *f = open_out(dir, "routes.tsv", path, sizeof path, &buf, err, errlen);
  if (!f) goto out;
  fprintf(f, "#clustersim-a2a-routes\t%d\tendpoints=%u\troutes=%llu\n", CLI_A2A_EXPORT_VERSION, ne,
          (unsigned long long)ne * (ne - 1u));
  fputs("#src\tdst\tlat_s\tarcs (source to destination)\n", f);

  /* src, dst, latency, TOPO_ROUTE_MAX arcs: at most 3 x 21 + 32 x 11 bytes. */
  char line[64 + 21 * 3 + 11 * TOPO_ROUTE_MAX];
  for (uint32_t s = 0; s < ne; s++) {
    for (uint32_t d = 0; d < ne; d++) {
      if (d == s) continue;
      topo_route r;
      int e = net_route(n, s, d, 0, &r);
      if (e < 0) {
        snprintf(err, errlen, "export: no route from endpoint %u to %u (net_route: %d)", s, d, e);
        fclose(f);
        free(buf);
        goto out;
      }
      char *p = line;
      p = put_u64(p, s);
      *p++ = '\t';
      p = put_u64(p, d);
      *p++ = '\t';
      p = put_ps_as_s(p, net_route_latency_ps(n, &r));
      for (uint32_t i = 0; i < r.n; i++) {
        uint32_t a = r.arc[i];
        used[a >> 6] |= 1ull << (a & 63u);
        *p++ = '\t';
        p = put_u64(p, a);
      }
      *p++ = '\n';
      fwrite(line, 1, (size_t)(p - line), f);
    }
  }
  if (close_out(f, buf, path, err, errlen) < 0) goto out;

  uint32_t m = 0;
  for (uint32_t a = 0; a < n_arcs; a++) m += (uint32_t)((used[a >> 6] >> (a & 63u)) & 1u);
  f = open_out(dir, "links.tsv", path, sizeof path, &buf, err, errlen);
  if (!f) goto out;
  fprintf(f, "#clustersim-a2a-links\t%d\tarcs=%u\tendpoints=%u\n", CLI_A2A_EXPORT_VERSION, m, ne);
  fputs("#arc\tbw_Bps (per direction)\n", f);
  for (uint32_t a = 0; a < n_arcs; a++)
    if ((used[a >> 6] >> (a & 63u)) & 1u) fprintf(f, "%u\t%.17g\n", a, net_arc_bw(n, a));
  if (close_out(f, buf, path, err, errlen) < 0) goto out;
  rc = 0;
out:
  free(used);
  return rc;
}
