/* report_fig.c: one figure -> <results>/figures/<name>/data.tsv, <name>.png, <name>.svg.
 *
 * The checked-in folder <figures_src>/<name>/ holds query.sql and plot.gp. The query's result rows
 * (series, x, y[, more columns]) become gnuplot data blocks; gnuplot then runs plot.gp twice, as a
 * child process with an argument vector (fork + execvp, chdir in the child): no shell ever sees
 * user text. Variables handed to plot.gp (see docs/reports.md):
 *   out      output file name, "<name>.png" or "<name>.svg"
 *   term     gnuplot terminal: "pngcairo" (or "png" where this gnuplot lacks cairo), "svg"
 *   fmt      "png" or "svg"
 *   data     "data.tsv"
 *   nseries  number of data blocks;  series  their names as a word list: word(series, i)
 * and the terminal and output are already set, so a plot.gp may set nothing; one that wants a size
 * writes `set terminal @term size 800,500` and `set output out`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report_int.h"

typedef struct series {
  char *name;
  rep_buf rows;
} series;

/* gnuplot data cell: numbers in shortest round-trip form, NULL as NaN, text without tabs/newlines. */
static void data_cell(rep_buf *b, sqlite3_stmt *st, int i) {
  char num[64];
  switch (sqlite3_column_type(st, i)) {
  case SQLITE_NULL:
    rep_buf_add(b, "NaN");
    break;
  case SQLITE_INTEGER:
    snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, i));
    rep_buf_add(b, num);
    break;
  case SQLITE_FLOAT:
    rep_fmt_g(num, sizeof num, sqlite3_column_double(st, i));
    rep_buf_add(b, num);
    break;
  default: {
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t || !*t) {
      rep_buf_add(b, "NaN");
      break;
    }
    for (; *t; t++) rep_buf_addn(b, (*t == '\t' || *t == '\n' || *t == '\r') ? " " : (const char *)t, 1);
  }
  }
}

/* Runs every statement of query.sql; exactly one may return rows, with >= 3 columns. */
static int run_query(rep_ctx *c, const rep_fig *f, const char *qpath, const char *sql, series **out,
                     size_t *nout, char *err, size_t errlen) {
  series *ser = NULL;
  size_t nser = 0;
  int have_data = 0, rc = -1;
  const char *tail = sql;
  while (tail && *tail) {
    sqlite3_stmt *st = NULL;
    const char *next = NULL;
    if (sqlite3_prepare_v2(c->db, tail, -1, &st, &next) != SQLITE_OK) {
      snprintf(err, errlen, "figure %s: %s: %s", f->name, qpath, sqlite3_errmsg(c->db));
      goto out;
    }
    tail = next;
    if (!st) continue;                        /* whitespace or comment only */
    int ncol = sqlite3_column_count(st);
    if (ncol > 0 && have_data) {
      snprintf(err, errlen, "figure %s: %s: more than one statement returns rows; the data must come from"
               " one SELECT (series, x, y)", f->name, qpath);
      sqlite3_finalize(st);
      goto out;
    }
    if (ncol > 0 && ncol < 3) {
      snprintf(err, errlen, "figure %s: %s: the SELECT returns %d column(s); it must return (series, x, y"
               "[, more columns])", f->name, qpath, ncol);
      sqlite3_finalize(st);
      goto out;
    }
    have_data |= ncol > 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
      const unsigned char *nm = sqlite3_column_text(st, 0);
      const char *name = nm ? (const char *)nm : "";
      size_t i;
      for (i = 0; i < nser; i++)
        if (!strcmp(ser[i].name, name)) break;
      if (i == nser) {
        ser = rep_xrealloc(ser, nser + 1, sizeof *ser);
        memset(&ser[nser], 0, sizeof ser[nser]);
        ser[nser++].name = rep_strdup(name);
      }
      for (int j = 1; j < ncol; j++) {
        if (j > 1) rep_buf_add(&ser[i].rows, "\t");
        data_cell(&ser[i].rows, st, j);
      }
      rep_buf_add(&ser[i].rows, "\n");
    }
    if (s != SQLITE_DONE) {
      snprintf(err, errlen, "figure %s: %s: %s", f->name, qpath, sqlite3_errmsg(c->db));
      sqlite3_finalize(st);
      goto out;
    }
    sqlite3_finalize(st);
  }
  if (!have_data) {
    snprintf(err, errlen, "figure %s: %s has no SELECT returning (series, x, y)", f->name, qpath);
    goto out;
  }
  if (nser == 0) {
    snprintf(err, errlen, "figure %s: %s returned no rows (are the scenario's points run? temp.cur holds "
             "the current points, temp.sel their latest 'ok' runs)", f->name, qpath);
    goto out;
  }
  rc = 0;
out:
  if (rc != 0) {
    for (size_t i = 0; i < nser; i++) {
      free(ser[i].name);
      rep_buf_free(&ser[i].rows);
    }
    free(ser);
    ser = NULL;
    nser = 0;
  }
  *out = ser;
  *nout = nser;
  return rc;
}

static int same_dir(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Runs argv[0] with argv in folder dir; stdin and stdout /dev/null; stderr captured into errout.
 * Returns the exit status (0..255), 128+signal, or -1 when it could not be started. */
static int run_child(char *const argv[], const char *dir, rep_buf *errout) {
  int fds[2];
  if (pipe(fds) != 0) {
    rep_buf_printf(errout, "pipe: %s", strerror(errno));
    return -1;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    rep_buf_printf(errout, "fork: %s", strerror(errno));
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    /* Child: only async-signal-safe calls until exec. */
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) {
      dup2(nul, 0);
      dup2(nul, 1);
    }
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    if (chdir(dir) != 0) {
      const char *m = "cannot enter the figure folder\n";
      ssize_t w = write(2, m, strlen(m));
      (void)w;
      _exit(126);
    }
    execvp(argv[0], argv);
    const char *m = "cannot execute gnuplot: ";
    const char *e = strerror(errno);
    ssize_t w = write(2, m, strlen(m));
    w = write(2, e, strlen(e));
    (void)w;
    _exit(127);
  }
  close(fds[1]);
  char chunk[4096];
  for (;;) {
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (errout->len < 64 * 1024) rep_buf_addn(errout, chunk, (size_t)n);
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

/* pngcairo when this gnuplot has it (antialiased, same fonts as svg), else the gd png terminal. */
static const char *png_term(rep_ctx *c, const char *dir) {
  if (c->png_term == 0) {
    char *argv[] = {(char *)c->gnuplot, "-e", "set terminal pngcairo", NULL};
    rep_buf e = {0};
    c->png_term = run_child(argv, dir, &e) == 0 ? 1 : 2;
    rep_buf_free(&e);
  }
  return c->png_term == 1 ? "pngcairo" : "png";
}

/* Last ~1500 bytes of gnuplot's stderr, for the error message. */
static const char *tail_of(const rep_buf *b) {
  if (!b->s) return "(no message)";
  size_t n = b->len;
  return n > 1500 ? b->s + n - 1500 : b->s;
}

static int render_image(rep_ctx *c, const rep_fig *f, const char *dir, const char *fmt, const series *ser,
                        size_t nser, char *err, size_t errlen) {
  const char *term = !strcmp(fmt, "png") ? png_term(c, dir) : "svg";
  rep_buf pre = {0}, eb = {0}, file = {0};
  rep_buf_printf(&pre, "out='%s.%s'; term='%s'; fmt='%s'; data='data.tsv'; nseries=%zu; series='", f->name, fmt,
                 term, fmt, nser);
  for (size_t i = 0; i < nser; i++) {
    rep_buf_add(&pre, i ? " \"" : "\"");
    for (const char *s = ser[i].name; *s; s++) {
      if (*s == '\'') rep_buf_add(&pre, "''");           /* gnuplot single-quoted string escape */
      else if (*s == '"') rep_buf_add(&pre, "''");        /* a double quote would end the word */
      else if (*s == '\n' || *s == '\r') rep_buf_add(&pre, " ");
      else rep_buf_addn(&pre, s, 1);
    }
    rep_buf_add(&pre, "\"");
  }
  rep_buf_printf(&pre, "'; set terminal %s; set output '%s.%s'", term, f->name, fmt);
  char *argv[] = {(char *)c->gnuplot, "-e", pre.s, "plot.gp", NULL};
  rep_buf_printf(&file, "%s/%s.%s", dir, f->name, fmt);
  remove(file.s);                              /* a stale image must not pass for a new one */
  int st = run_child(argv, dir, &eb);
  int rc = 0;
  if (st != 0) {
    snprintf(err, errlen, "figure %s: gnuplot (%s) failed rendering %s (%s %d): %s", f->name, c->gnuplot,
             file.s, st < 0 ? "could not start" : st > 128 ? "signal" : "exit status",
             st > 128 ? st - 128 : st, tail_of(&eb));
    rc = -1;
  } else {
    struct stat sb;
    if (stat(file.s, &sb) != 0 || sb.st_size == 0) {
      snprintf(err, errlen, "figure %s: gnuplot exited 0 but wrote no %s (does plot.gp `set output` to "
               "something other than `out`?)%s%s", f->name, file.s, eb.len ? "; gnuplot said: " : "",
               eb.len ? tail_of(&eb) : "");
      rc = -1;
    } else {
      rep_buf_printf(&c->written, "%s\n", file.s);
    }
  }
  rep_buf_free(&pre);
  rep_buf_free(&eb);
  rep_buf_free(&file);
  return rc;
}

int rep_fig_render(rep_ctx *c, const rep_fig *f, char *err, size_t errlen) {
  rep_buf src = {0}, dst = {0}, qpath = {0}, gpath = {0}, tsv = {0}, p = {0};
  char *sql = NULL, *gp = NULL;
  series *ser = NULL;
  size_t nser = 0;
  int rc = -1;

  rep_buf_printf(&src, "%s/%s", c->figures_src, f->name);
  rep_buf_printf(&dst, "%s/figures/%s", c->results_dir, f->name);
  rep_buf_printf(&qpath, "%s/query.sql", src.s);
  rep_buf_printf(&gpath, "%s/plot.gp", src.s);
  for (int i = 0; i < 2; i++) {
    const char *path = i ? gpath.s : qpath.s;
    if (!rep_is_file(path)) {
      snprintf(err, errlen, "figure %s: %s not found (a figure folder holds query.sql and plot.gp; "
               "figures_src is %s)", f->name, path, c->figures_src);
      goto out;
    }
  }
  if (!(sql = rep_read_file(qpath.s, err, errlen)) || !(gp = rep_read_file(gpath.s, err, errlen))) goto out;
  if (run_query(c, f, qpath.s, sql, &ser, &nser, err, errlen) != 0) goto out;

  for (size_t i = 0; i < nser; i++) {
    if (i) rep_buf_add(&tsv, "\n\n");
    rep_buf_add(&tsv, "# ");
    for (const char *s = ser[i].name; *s; s++) rep_buf_addn(&tsv, (*s == '\n' || *s == '\r') ? " " : s, 1);
    rep_buf_add(&tsv, "\n");
    rep_buf_add(&tsv, ser[i].rows.s);
  }

  if (rep_mkdirs(dst.s, err, errlen) != 0) goto out;
  if (!same_dir(src.s, dst.s)) {              /* keep the output folder self-contained */
    rep_buf_printf(&p, "%s/query.sql", dst.s);
    if (rep_write_file(p.s, sql, strlen(sql), err, errlen) != 0) goto out;
    rep_buf_printf(&c->written, "%s\n", p.s);
    p.len = 0;
    rep_buf_printf(&p, "%s/plot.gp", dst.s);
    if (rep_write_file(p.s, gp, strlen(gp), err, errlen) != 0) goto out;
    rep_buf_printf(&c->written, "%s\n", p.s);
    p.len = 0;
  }
  rep_buf_printf(&p, "%s/data.tsv", dst.s);
  if (rep_write_file(p.s, tsv.s, tsv.len, err, errlen) != 0) goto out;
  rep_buf_printf(&c->written, "%s\n", p.s);

  if (c->no_images) {
    rep_buf_printf(&c->written, "# %s: images not rendered (no_images); data.tsv and plot.gp are there\n", dst.s);
  } else if (!c->gnuplot || !*c->gnuplot) {
    rep_buf_printf(&c->written, "# %s: images not rendered: gnuplot not found (install gnuplot-nox and "
                   "reconfigure, or set CLUSTERSIM_GNUPLOT)\n", dst.s);
  } else {
    if (render_image(c, f, dst.s, "png", ser, nser, err, errlen) != 0) goto out;
    if (render_image(c, f, dst.s, "svg", ser, nser, err, errlen) != 0) goto out;
  }
  rc = 0;
out:
  for (size_t i = 0; i < nser; i++) {
    free(ser[i].name);
    rep_buf_free(&ser[i].rows);
  }
  free(ser);
  free(sql);
  free(gp);
  rep_buf_free(&src);
  rep_buf_free(&dst);
  rep_buf_free(&qpath);
  rep_buf_free(&gpath);
  rep_buf_free(&tsv);
  rep_buf_free(&p);
  return rc;
}
