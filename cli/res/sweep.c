/* sweep.c: the sweep driver. Enumerates points x replicates, skips the identities the store says
 * finished 'ok', and runs the rest in this process (jobs <= 1) or in N forked workers.
 *
 * Work items are numbered item = point * replicates + replicate.
 *
 * Parallel protocol (why not a shared counter or a pre-filled pipe): the parent hands each worker
 * one item at a time over the worker's own command pipe and reads one fixed-size result message per
 * item from the worker's own result pipe. So work balances dynamically, the parent always knows
 * which item each worker holds (a worker that dies fails exactly that item, recorded by the parent,
 * never a hang: its result pipe reaches EOF), progress needs no shared memory, and a pre-filled pipe
 * would cap a sweep at the pipe's capacity. A worker that loses its parent (the parent was killed)
 * reads EOF on its command pipe after its current run and exits, so nothing is left running.
 *
 * Fork discipline: no SQLite connection crosses a fork. The parent closes its connection before
 * spawning workers and opens one again only briefly (to record a dead worker's run); each worker
 * opens its own. Workers leave with _exit so no atexit handler or stdio buffer of the parent runs
 * twice.
 */
#include "res_int.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define SWEEP_ERRLEN 512
#define SWEEP_NO_ITEM UINT64_MAX
#define SWEEP_DRAW_EVERY_S 0.1

/* Worker -> parent, one per item (and one with item SWEEP_NO_ITEM when the worker cannot open the
 * store). Smaller than PIPE_BUF, so a write is atomic. */
typedef struct sweep_msg {
  uint64_t item;
  int32_t rc;                /* 0 ok, 1 failed (err: the run's error), -1 store error (err) */
  double wall_s;
  char err[SWEEP_ERRLEN];
} sweep_msg;

typedef struct sweep_state {
  const sweep_ops *ops;
  const sweep_opts *opts;
  const char *db_path;
  uint32_t reps;
  sweep_stats st;
  int progress;
  double t0, last_draw;
  size_t last_len;
} sweep_state;

/* ---- progress ---- */

static void draw(sweep_state *s, int force) {
  if (!s->progress) return;
  double now = res_now_s();
  if (!force && now - s->last_draw < SWEEP_DRAW_EVERY_S) return;
  s->last_draw = now;
  double el = now - s->t0;
  size_t done = s->st.skipped + s->st.ran;
  size_t left = s->st.total - done;
  char eta[32];
  if (s->st.ran > 0)
    snprintf(eta, sizeof eta, "%.1fs", el / (double)s->st.ran * (double)left);
  else
    snprintf(eta, sizeof eta, "--");
  char line[256];
  int n = snprintf(line, sizeof line, "[sweep] %zu/%zu done (%zu skipped, %zu failed)  elapsed %.1fs  ETA %s",
                   done, s->st.total, s->st.skipped, s->st.failed, el, eta);
  size_t len = n < 0 ? 0 : (size_t)n >= sizeof line ? sizeof line - 1 : (size_t)n;
  /* Pad with spaces over a longer previous line: no terminal escapes, so a forced progress line in
   * a log file stays readable. */
  fprintf(stderr, "\r%s%*s", line, s->last_len > len ? (int)(s->last_len - len) : 0, "");
  fflush(stderr);
  s->last_len = len;
}

/* Ends the progress line so that other output starts on a fresh line. */
static void draw_break(sweep_state *s) {
  if (s->progress && s->last_len > 0) {
    fputc('\n', stderr);
    s->last_len = 0;
  }
}

static void report_failure(sweep_state *s, uint64_t item, const char *why) {
  sweep_point_info info = {0};
  size_t i = (size_t)(item / s->reps);
  s->ops->point(s->ops->ctx, i, &info);
  draw_break(s);
  fprintf(stderr, "[sweep] FAILED %s (point %zu, replicate %u): %s\n",
          info.label && *info.label ? info.label : info.scenario ? info.scenario : "?", i,
          (unsigned)(item % s->reps), why);
  draw(s, 1);
}

/* ---- one run ---- */

/* Runs item and commits it. 0 ok, 1 failed (rerr: the run's error), -1 store error (serr). */
static int run_item(sweep_state *s, res_db *db, uint64_t item, double *wall_s, char *rerr,
                    size_t rerrlen, char *serr, size_t serrlen) {
  const sweep_ops *ops = s->ops;
  size_t i = (size_t)(item / s->reps);
  uint32_t rep = (uint32_t)(item % s->reps);
  sweep_point_info info = {0};
  ops->point(ops->ctx, i, &info);
  res_run *r = res_run_begin(info.scenario, info.sha256, info.label, info.yaml, info.seed, rep);
  if (s->opts->force) res_run_replace(r);
  if (ops->params) ops->params(ops->ctx, i, r);
  rerr[0] = '\0';
  double t0 = res_now_s();
  int rc = ops->run(ops->ctx, i, rep, r, rerr, rerrlen);
  *wall_s = res_now_s() - t0;
  if (rc < 0 && rerr[0] == '\0') snprintf(rerr, rerrlen, "run failed (code %d) without a message", rc);
  /* A failed run keeps what it recorded before failing (params always; metrics so far). */
  if (res_run_commit(db, r, rc < 0 ? "failed" : "ok", rc < 0 ? rerr : NULL, *wall_s, serr, serrlen) != 0)
    return -1;
  return rc < 0 ? 1 : 0;
}

static void account(sweep_state *s, uint64_t item, int rc, const char *why) {
  s->st.ran++;
  if (rc != 0) {
    s->st.failed++;
    report_failure(s, item, why);
  }
  draw(s, 0);
}

static int run_serial(sweep_state *s, res_db *db, const uint64_t *items, size_t n, char *err,
                      size_t errlen) {
  char rerr[SWEEP_ERRLEN];
  for (size_t k = 0; k < n; k++) {
    double wall;
    int rc = run_item(s, db, items[k], &wall, rerr, sizeof rerr, err, errlen);
    if (rc < 0) return -1;
    account(s, items[k], rc, rerr);
  }
  return 0;
}

/* ---- workers ---- */

typedef struct worker {
  pid_t pid;           /* 0: slot free */
  int cmd_fd;          /* parent writes items; -1 once closed */
  int res_fd;          /* parent reads sweep_msg */
  uint64_t item;       /* held item, or SWEEP_NO_ITEM */
} worker;

static int write_full(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* 1 full read, 0 EOF (or a truncated message), -1 error. */
static int read_full(int fd, void *buf, size_t n) {
  char *p = buf;
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) return 0;
    p += r;
    n -= (size_t)r;
  }
  return 1;
}

static _Noreturn void worker_main(sweep_state *s, int cmd_fd, int res_fd) {
  sweep_msg m;
  res_db *db = NULL;
  memset(&m, 0, sizeof m);
  if (res_open(s->db_path, &db, m.err, sizeof m.err) != 0) {
    m.item = SWEEP_NO_ITEM;
    m.rc = -1;
    write_full(res_fd, &m, sizeof m);
    _exit(2);
  }
  uint64_t item;
  while (read_full(cmd_fd, &item, sizeof item) == 1) {
    memset(&m, 0, sizeof m);
    char serr[SWEEP_ERRLEN];
    m.item = item;
    m.rc = run_item(s, db, item, &m.wall_s, m.err, sizeof m.err, serr, sizeof serr);
    if (m.rc < 0) snprintf(m.err, sizeof m.err, "%s", serr);
    if (write_full(res_fd, &m, sizeof m) != 0) break;   /* parent gone */
    if (m.rc < 0) break;
  }
  res_close(db);
  _exit(0);
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* Forks a worker into slot w. 0, or -1 (errno) when pipe or fork fails. */
static int spawn(sweep_state *s, worker *ws, size_t nw, worker *w) {
  int cmd[2], res[2];
  if (pipe(cmd) != 0) return -1;
  if (pipe(res) != 0) {
    close(cmd[0]);
    close(cmd[1]);
    return -1;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(cmd[0]); close(cmd[1]); close(res[0]); close(res[1]);
    errno = e;
    return -1;
  }
  if (pid == 0) {
    /* The parent's ends of every other worker's pipes must close here, or those workers would never
     * see EOF on their command pipes. */
    for (size_t k = 0; k < nw; k++)
      if (&ws[k] != w && ws[k].pid > 0) {
        close_fd(&ws[k].cmd_fd);
        close_fd(&ws[k].res_fd);
      }
    close(cmd[1]);
    close(res[0]);
    worker_main(s, cmd[0], res[1]);
  }
  close(cmd[0]);
  close(res[1]);
  w->pid = pid;
  w->cmd_fd = cmd[1];
  w->res_fd = res[0];
  w->item = SWEEP_NO_ITEM;
  return 0;
}

/* Gives w the next item, or closes its command pipe when there is none (it then exits). */
static void dispatch(worker *w, const uint64_t *items, size_t n, size_t *next, int stop) {
  if (w->cmd_fd < 0) return;
  if (!stop && *next < n) {
    if (write_full(w->cmd_fd, &items[*next], sizeof items[*next]) == 0) {
      w->item = items[(*next)++];
      return;
    }
    /* EPIPE: the worker died idle; its EOF comes next and a replacement takes the item. */
  }
  close_fd(&w->cmd_fd);
}

/* Stops handing out work: idle workers get EOF and exit; busy ones finish their current run. */
static void halt(worker *ws, size_t nw, int *stop) {
  *stop = 1;
  for (size_t k = 0; k < nw; k++)
    if (ws[k].pid > 0 && ws[k].item == SWEEP_NO_ITEM) close_fd(&ws[k].cmd_fd);
}

/* Records the item a dead worker held as 'failed' (unless a finished row already exists). */
static int record_dead(sweep_state *s, uint64_t item, const char *why, char *err, size_t errlen) {
  res_db *db = NULL;
  if (res_open(s->db_path, &db, err, errlen) != 0) return -1;
  size_t i = (size_t)(item / s->reps);
  sweep_point_info info = {0};
  s->ops->point(s->ops->ctx, i, &info);
  res_run *r = res_run_begin(info.scenario, info.sha256, info.label, info.yaml, info.seed,
                             (uint32_t)(item % s->reps));
  if (s->ops->params) s->ops->params(s->ops->ctx, i, r);
  /* Not marked replace: if the worker died after committing, its 'ok' row stands. */
  int rc = res_run_commit(db, r, "failed", why, 0.0, err, errlen);
  res_close(db);
  return rc;
}

static int run_parallel(sweep_state *s, const uint64_t *items, size_t n, int jobs, char *err,
                        size_t errlen) {
  size_t nw = (size_t)jobs < n ? (size_t)jobs : n;
  worker *ws = calloc(nw, sizeof *ws);
  struct pollfd *pfd = calloc(nw, sizeof *pfd);
  size_t *pidx = calloc(nw, sizeof *pidx);
  RES_ALLOC_CHECK(ws && pfd && pidx);
  for (size_t k = 0; k < nw; k++) ws[k].cmd_fd = ws[k].res_fd = -1;

  /* A worker that died makes writes to its pipe fail with EPIPE instead of killing us. */
  struct sigaction ign = {0}, old_pipe;
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, &old_pipe);

  size_t next = 0, alive = 0;
  int stop = 0, ret = 0;
  for (size_t k = 0; k < nw; k++) {
    if (spawn(s, ws, nw, &ws[k]) != 0) break;   /* fewer workers; at worst none (see below) */
    alive++;
    dispatch(&ws[k], items, n, &next, stop);
  }

  while (alive > 0) {
    size_t np = 0;
    for (size_t k = 0; k < nw; k++)
      if (ws[k].pid > 0) {
        pfd[np] = (struct pollfd){.fd = ws[k].res_fd, .events = POLLIN};
        pidx[np++] = k;
      }
    int pr = poll(pfd, (nfds_t)np, s->progress ? 250 : -1);
    if (pr < 0) {
      if (errno == EINTR) continue;
      RES_ASSERT(!"poll failed");
    }
    draw(s, 0);
    for (size_t q = 0; q < np; q++) {
      if (!(pfd[q].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      worker *w = &ws[pidx[q]];
      sweep_msg m;
      int got = read_full(w->res_fd, &m, sizeof m);
      if (got == 1) {
        m.err[sizeof m.err - 1] = '\0';
        if (m.rc < 0) {
          /* A store error: stop handing out work; busy workers finish their current run. */
          if (ret == 0) res_seterr(err, errlen, "%s", m.err);
          ret = -1;
          w->item = SWEEP_NO_ITEM;
          halt(ws, nw, &stop);
        } else {
          account(s, m.item, m.rc, m.err);
        }
        w->item = SWEEP_NO_ITEM;
        dispatch(w, items, n, &next, stop);
        continue;
      }
      /* EOF: the worker is gone, normally (command pipe closed) or not. */
      int wst = 0;
      while (waitpid(w->pid, &wst, 0) < 0 && errno == EINTR) {}
      pid_t dead = w->pid;
      close_fd(&w->cmd_fd);
      close_fd(&w->res_fd);
      w->pid = 0;
      alive--;
      if (w->item != SWEEP_NO_ITEM) {
        uint64_t dead_item = w->item;
        char why[SWEEP_ERRLEN];
        if (WIFSIGNALED(wst))
          snprintf(why, sizeof why, "worker process %ld killed by signal %d (%s)", (long)dead,
                   WTERMSIG(wst), strsignal(WTERMSIG(wst)));
        else
          snprintf(why, sizeof why, "worker process %ld exited with status %d before finishing",
                   (long)dead, WIFEXITED(wst) ? WEXITSTATUS(wst) : -1);
        w->item = SWEEP_NO_ITEM;
        if (ret == 0 && record_dead(s, dead_item, why, err, errlen) != 0) {
          ret = -1;
          halt(ws, nw, &stop);
        } else {
          account(s, dead_item, 1, why);
        }
      }
      if (!stop && next < n && spawn(s, ws, nw, w) == 0) {
        alive++;
        dispatch(w, items, n, &next, stop);
      }
    }
  }
  sigaction(SIGPIPE, &old_pipe, NULL);
  free(ws);
  free(pfd);
  free(pidx);

  /* No worker could be started (or all respawns failed): finish here rather than give up. */
  if (ret == 0 && next < n) {
    res_db *db = NULL;
    if (res_open(s->db_path, &db, err, errlen) != 0) return -1;
    ret = run_serial(s, db, items + next, n - next, err, errlen);
    res_close(db);
  }
  return ret;
}

/* ---- driver ---- */

int sweep_run(const sweep_ops *ops, const sweep_opts *opts, sweep_stats *stats, char *err,
              size_t errlen) {
  RES_ASSERT(ops && ops->point && ops->run);
  static const sweep_opts defaults = {.db_path = NULL, .jobs = 1, .progress = -1};
  if (!opts) opts = &defaults;
  sweep_state s = {0};
  s.ops = ops;
  s.opts = opts;
  s.db_path = opts->db_path && *opts->db_path ? opts->db_path : RES_DEFAULT_DB;
  s.reps = ops->replicates ? ops->replicates : 1;
  s.t0 = res_now_s();
  s.progress = opts->progress < 0 ? isatty(STDERR_FILENO) : opts->progress > 0;
  if (ops->npoints > SIZE_MAX / s.reps) {
    res_seterr(err, errlen, "sweep: %zu points x %u replicates is too many", ops->npoints,
               (unsigned)s.reps);
    return -1;
  }
  s.st.total = ops->npoints * s.reps;
  if (stats) memset(stats, 0, sizeof *stats);

  /* A file-size limit (ulimit -f) would kill us with SIGXFSZ in the middle of a commit; ignored, the
   * write fails with EFBIG instead and is reported like a full disk (store_hint in res.c), with the
   * finished runs intact. Workers inherit the disposition. */
  signal(SIGXFSZ, SIG_IGN);

  res_db *db = NULL;
  if (res_open(s.db_path, &db, err, errlen) != 0) return -1;

  /* Items still to run, in order. */
  uint64_t *items = malloc((s.st.total ? s.st.total : 1) * sizeof *items);
  RES_ALLOC_CHECK(items);
  size_t n = 0;
  int ret = 0;
  for (size_t i = 0; i < ops->npoints && ret == 0; i++) {
    sweep_point_info info = {0};
    ops->point(ops->ctx, i, &info);
    RES_ASSERT(info.scenario && info.sha256);
    for (uint32_t rep = 0; rep < s.reps; rep++) {
      int done = opts->force ? 0 : res_run_done(db, info.sha256, info.seed, rep);
      if (done < 0) {
        res_seterr(err, errlen, "%s: cannot check point %zu: %s", s.db_path, i,
                   sqlite3_errmsg(db->db));
        ret = -1;
        break;
      }
      if (done)
        s.st.skipped++;
      else
        items[n++] = (uint64_t)i * s.reps + rep;
    }
  }
  draw(&s, 1);

  if (ret == 0 && n > 0) {
    if (opts->jobs <= 1 || n == 1) {
      ret = run_serial(&s, db, items, n, err, errlen);
      res_close(db);
    } else {
      res_close(db);   /* no connection crosses a fork */
      ret = run_parallel(&s, items, n, opts->jobs, err, errlen);
    }
  } else {
    res_close(db);
  }
  free(items);

  s.st.wall_s = res_now_s() - s.t0;
  draw(&s, 1);
  draw_break(&s);
  if (ret == 0 && s.st.failed > 0) ret = 1;
  if (!opts->quiet) {
    if (ret < 0)
      fprintf(stderr, "[sweep] stopped by a store error after %zu runs: %s\n", s.st.ran,
              err && errlen ? err : "");
    fprintf(stderr, "[sweep] %zu runs: %zu ran (%zu failed), %zu skipped (done before), %.1fs -> %s\n",
            s.st.total, s.st.ran, s.st.failed, s.st.skipped, s.st.wall_s, s.db_path);
  }
  if (stats) *stats = s.st;
  return ret;
}
