/* SPDX-License-Identifier: MIT */
/*
** wasi_threads.c -- wasi-threads: the import `wasi` `thread-spawn`, which
** runs the caller's module again as a new instance on a new host thread,
** in a runtime of its own, importing the caller's shared memory, and calls
** its export wasi_thread_start(tid, start_arg); and the thread group that
** one WASI context holds: how it ends (proc_exit or a trap in any thread,
** or the main thread's return), how its threads are stopped and waited
** for, and the lock that WASI calls take once a thread exists.
**
** Stopping a thread is stopping its runtime (wm__runtime_stop): its
** memory.atomic.wait calls return and trap, its WASI calls trap at entry
** and wake from blocking reads and polls (the group's eventfd, polled
** beside the guest's fds), and metered code (WM_MODULE_METERED) traps at
** its next block. A thread of unmetered code in a loop that neither waits
** nor calls WASI cannot be stopped: the `ended` callback (the CLI's ends
** the process) is the way out for it.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "runtime.h"
#include "wasi.h"

enum { DEFAULT_MAX_THREADS = 128, MAX_TID = 0x1FFFFFFF };

typedef struct wthread {
  wm_wasi *w;
  wm_runtime *rt;        /* its own runtime, freed by the thread at its end */
  wm_func *start;        /* wasi_thread_start in rt's instance */
  int32_t tid;
  uint32_t arg;
  struct wthread *next;
} wthread;

/* The spawned thread this host thread runs, or NULL (an embedder's). */
static _Thread_local wthread *tl_self;

struct wm__wgroup {
  pthread_mutex_t mu;    /* everything below */
  pthread_cond_t idle;   /* signalled as alive drops */
  wthread *list;         /* running threads (not yet freeing their runtime) */
  uint32_t running;      /* threads whose wasi_thread_start has not returned:
                         ** what max_threads bounds */
  uint32_t alive;        /* threads started and not yet gone (their
                         ** runtime freed): what the end waits for */
  uint32_t max;
  int32_t next_tid;
  bool spawned;          /* a thread was ever started */
  bool ended;            /* no more threads: the process is ending */
  wm_runtime *main_rt;   /* the embedder's runtime that spawned, if any */
  bool main_stopped;     /* main_rt was stopped by the end */
  int stopfd;            /* eventfd, readable once the group ended; or -1 */
  /* The outcome when a thread (not the main one) ended the group by a
  ** trap: its code and message. */
  int trap;
  wm_error trap_err;
  wm_wasi_threads_options opts;
};

int wm__wasi_threads_init(wm_wasi *w) {
  wm__wgroup *g = wm__calloc(1, sizeof *g);
  if (!g) return WM_ENOMEM;
  pthread_mutex_init(&g->mu, NULL);
  pthread_cond_init(&g->idle, NULL);
  pthread_mutex_init(&w->io, NULL);
  g->max = DEFAULT_MAX_THREADS;
  g->next_tid = 1;
  g->stopfd = -1;
  w->group = g;
  return WM_OK;
}

void wm__wasi_threads_free(wm_wasi *w) {
  wm__wgroup *g = w->group;
  if (!g) return;
  (void)wm_wasi_threads_end(w, NULL);
  if (g->stopfd >= 0) close(g->stopfd);
  pthread_cond_destroy(&g->idle);
  pthread_mutex_destroy(&g->mu);
  pthread_mutex_destroy(&w->io);
  wm__free(g);
}

int wm_wasi_set_threads(wm_wasi *w, const wm_wasi_threads_options *opts, wm_error *err) {
  if (!w || !opts) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_wasi_set_threads: NULL argument");
  if (opts->max_threads > MAX_TID)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "max_threads: at most %u threads", MAX_TID);
  wm__wgroup *g = w->group;
  pthread_mutex_lock(&g->mu);
  bool started = g->spawned;
  if (!started) g->opts = *opts, g->max = opts->max_threads;
  pthread_mutex_unlock(&g->mu);
  if (started)
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "wm_wasi_set_threads: threads were spawned already");
  return WM_OK;
}

/* ------------------------------------------------------------- stopping */

/* Stop every runtime of the group but the caller's (which is ending by
** itself); the main runtime only when asked. Under g->mu. */
static void stop_all(wm__wgroup *g, wm_runtime *self, bool stop_main) {
  for (wthread *t = g->list; t; t = t->next)
    if (t->rt != self) wm__runtime_stop(t->rt);
  if (stop_main && g->main_rt && g->main_rt != self) {
    wm__runtime_stop(g->main_rt);
    g->main_stopped = true;
  }
  if (g->stopfd >= 0) {
    uint64_t one = 1;
    (void)!write(g->stopfd, &one, sizeof one);
  }
}

/*
** End the group, once: no thread may be spawned any more, and every other
** thread is stopped. `exit_code` is the process's status when it ends
** without a trap (trap 0); a trap's code and message otherwise. The
** embedder's `ended` callback runs first, outside the lock, if threads are
** running (it may end the process). from_thread: a spawned thread ends it
** (exit or trap), so the main thread is stopped too.
*/
static void group_end(wm_wasi *w, int exit_code, int trap, const wm_error *trap_err,
                      wm_runtime *self, bool from_thread) {
  wm__wgroup *g = w->group;
  pthread_mutex_lock(&g->mu);
  if (g->ended) {
    pthread_mutex_unlock(&g->mu);
    return;
  }
  g->ended = true;
  if (from_thread && trap) {
    g->trap = trap;
    g->trap_err = *trap_err;
  }
  bool busy = g->running > (from_thread ? 1u : 0u) || (from_thread && g->main_rt);
  wm_wasi_threads_options o = g->opts;
  pthread_mutex_unlock(&g->mu);
  if (busy && o.ended) o.ended(o.data, exit_code, trap, trap ? trap_err : NULL);
  pthread_mutex_lock(&g->mu);
  stop_all(g, self, from_thread);
  pthread_mutex_unlock(&g->mu);
}

bool wm__wasi_stopped(wm_call_ctx *ctx) {
  return ctx && atomic_load_explicit(&ctx->rt->stopped, memory_order_relaxed);
}

void wm__wasi_exit(wm_wasi *w, wm_call_ctx *ctx, int code) {
  wm__wgroup *g = w->group;
  pthread_mutex_lock(&g->mu);
  bool threaded = g->spawned, first = !w->exited && !g->ended;
  if (first) {
    w->exited = true;
    w->exit_code = code;
  }
  pthread_mutex_unlock(&g->mu);
  if (threaded && first) group_end(w, code, 0, NULL, ctx ? ctx->rt : NULL, tl_self != NULL);
}

int wm_wasi_threads_end(wm_wasi *w, wm_error *err) {
  if (!w) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_wasi_threads_end: NULL argument");
  wm__wgroup *g = w->group;
  pthread_mutex_lock(&g->mu);
  bool spawned = g->spawned;
  pthread_mutex_unlock(&g->mu);
  if (!spawned) return WM_OK;
  pthread_mutex_lock(&g->mu);
  int code = w->exit_code;
  pthread_mutex_unlock(&g->mu);
  group_end(w, code, 0, NULL, NULL, false);
  pthread_mutex_lock(&g->mu);
  while (g->alive) pthread_cond_wait(&g->idle, &g->mu);
  /* The main runtime may be used again: take back what stopped it. */
  wm_runtime *m = g->main_rt;
  if (m && g->main_stopped) {
    atomic_store(&m->stopped, false);
    int v = atomic_load(&m->interrupt);
    while (v > 0 && !atomic_compare_exchange_weak(&m->interrupt, &v, v - 1)) {}
  }
  g->main_rt = NULL;
  g->main_stopped = false;
  int trap = g->trap;
  if (trap && err) *err = g->trap_err;
  pthread_mutex_unlock(&g->mu);
  return trap;
}

/* After the main thread's call returned rc: end and wait for the threads;
** a thread's trap, or its proc_exit, is the process's outcome. */
int wm__wasi_threads_finish(wm_wasi *w, int rc, wm_error *err) {
  wm__wgroup *g = w->group;
  pthread_mutex_lock(&g->mu);
  bool spawned = g->spawned, ended = g->ended, exited = w->exited;
  int code = w->exit_code;
  pthread_mutex_unlock(&g->mu);
  if (!spawned) return rc;
  if (!ended && rc && !(rc == WM_TRAP_EXIT && exited)) group_end(w, 0, rc, err, NULL, false);
  else if (!ended) group_end(w, exited ? code : 0, 0, NULL, NULL, false);
  int trap = wm_wasi_threads_end(w, err);
  if (trap) return trap;
  pthread_mutex_lock(&g->mu);
  exited = w->exited;
  pthread_mutex_unlock(&g->mu);
  if (ended && exited) return WM_TRAP_EXIT; /* a thread's proc_exit stopped main */
  return rc;
}

/* -------------------------------------------------- blocking WASI calls */

int wm__wasi_block(wm_wasi *w, struct pollfd *pfd, nfds_t n, int timeout_ms) {
  /* pfd has room for one more entry: the group's stop eventfd. */
  pfd[n].fd = w->group->stopfd;
  pfd[n].events = POLLIN;
  pfd[n].revents = 0;
  pthread_mutex_unlock(&w->io);
  int r = poll(pfd, n + 1, timeout_ms);
  int e = errno;
  pthread_mutex_lock(&w->io);
  errno = e;
  if (r > 0 && pfd[n].revents) return -2;
  return r;
}

int wm__wasi_wait_readable(wm_wasi *w, uint32_t fd) {
  wm__wfd *e = wm__wasi_fd(w, fd);
  /* Regular files and directories never block; nor do non-blocking fds. */
  if (!e || e->kind != WFD_HOST || e->is_dir || e->filetype == WFT_REG || (e->fdflags & 4))
    return 0;
  struct pollfd pfd[2] = {{.fd = e->host, .events = POLLIN}};
  for (;;) {
    int r = wm__wasi_block(w, pfd, 1, -1);
    if (r == -2) return -1;
    if (r >= 0 || errno != EINTR) return 0; /* the call itself reports errors */
  }
}

/* --------------------------------------------------------- thread-spawn */

static void *thread_main(void *p) {
  wthread *t = p;
  wm_wasi *w = t->w;
  wm__wgroup *g = w->group;
  tl_self = t;
  wm_val args[2] = {wm_val_i32(t->tid), wm_val_i32((int32_t)t->arg)};
  wm_error err;
  err.message[0] = 0;
  int rc = wm_func_call(t->rt, t->start, args, 2, NULL, 0, &err);
  /* A trap ends the process unless the group is ending already (then it
  ** is the stop) or it is this thread's own proc_exit. */
  pthread_mutex_lock(&g->mu);
  bool exited = w->exited;
  pthread_mutex_unlock(&g->mu);
  if (rc && !(rc == WM_TRAP_EXIT && exited)) {
    /* Prefix the message with the thread; its end may be cut off. */
    char head[32];
    int h = snprintf(head, sizeof head, "in wasi thread %d: ", (int)t->tid);
    size_t len = strlen(err.message), room = sizeof err.message - 1 - (size_t)h;
    if (len > room) len = room;
    memmove(err.message + h, err.message, len);
    memcpy(err.message, head, (size_t)h);
    err.message[h + len] = 0;
    group_end(w, 0, rc, &err, t->rt, true);
  }
  /* Done: no longer counted against max_threads (a guest joining it may
  ** spawn the next at once), but alive until its runtime is freed. */
  pthread_mutex_lock(&g->mu);
  g->running--;
  for (wthread **pp = &g->list; *pp; pp = &(*pp)->next)
    if (*pp == t) {
      *pp = t->next;
      break;
    }
  pthread_mutex_unlock(&g->mu);
  wm_runtime_free(t->rt);
  wm__free(t);
  tl_self = NULL;
  pthread_mutex_lock(&g->mu);
  g->alive--;
  pthread_cond_broadcast(&g->idle);
  pthread_mutex_unlock(&g->mu);
  return NULL;
}

/* A tid no running thread has, from g->next_tid on (1..MAX_TID, wrapping).
** Under g->mu; there are fewer threads than ids. */
static int32_t new_tid(wm__wgroup *g) {
  for (;;) {
    int32_t tid = g->next_tid;
    g->next_tid = tid == MAX_TID ? 1 : tid + 1;
    bool used = false;
    for (wthread *t = g->list; t && !used; t = t->next) used = t->tid == tid;
    if (!used) return tid;
  }
}

/* Define in rt what the module imports from its caller's instance: every
** memory import as the caller's memory of that index (shared, checked at
** instantiation). Functions of WASI come from wm_wasi_define; anything
** else from the embedder's `setup` callback. */
static int define_imports(wm_runtime *rt, const wm_instance *caller, wm_error *err) {
  const wm_module *mod = caller->mod;
  uint32_t n = wm_module_import_count(mod);
  for (uint32_t i = 0; i < n; i++) {
    wm_extern_desc d;
    if (wm_module_import(mod, i, &d) != WM_OK || d.kind != WM_EXTERN_MEMORY) continue;
    char name[256];
    if (d.name_len >= sizeof name) return wm__error(err, WM_ELIMIT, UINT32_MAX, "import name too long");
    memcpy(name, d.name, d.name_len);
    name[d.name_len] = 0;
    int rc = wm_runtime_define_memory(rt, d.module, name, caller->mems[d.index], err);
    if (rc) return rc;
  }
  return WM_OK;
}

/* The spawn itself; the result is thread-spawn's: a tid or -errno. */
static int32_t spawn(wm_wasi *w, wm_call_ctx *ctx, uint32_t arg) {
  wm__wgroup *g = w->group;
  const wm_instance *caller = ctx->caller;
  if (!caller) return -WE_INVAL;
  const wm_module *mod = caller->mod;
  /* The heap checker is one thread's: not supported yet with threads. */
  if (mod->checked) return -WE_NOTSUP;
  /* Each thread's instance must see the same memory: an imported shared one. */
  if (mod->nmem_imports == 0 || !caller->mems[0]->decl.shared) return -WE_INVAL;
  wm_func *start = wm_instance_func((wm_instance *)caller, "wasi_thread_start");
  if (!start) return -WE_INVAL;
  wm_functype ft = wm_func_type(start);
  if (ft.nparams != 2 || ft.params[0] != WM_I32 || ft.params[1] != WM_I32 || ft.nresults)
    return -WE_INVAL;

  pthread_mutex_lock(&g->mu);
  if (g->ended || g->running >= g->max) {
    pthread_mutex_unlock(&g->mu);
    return -WE_AGAIN;
  }
  if (g->stopfd < 0) g->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (g->stopfd < 0) {
    pthread_mutex_unlock(&g->mu);
    return -WE_AGAIN;
  }
  g->running++;
  g->alive++;
  g->spawned = true;
  if (!tl_self) g->main_rt = ctx->rt;
  int32_t tid = new_tid(g);
  pthread_mutex_unlock(&g->mu);
  atomic_store_explicit(&w->threaded, true, memory_order_release);

  wthread *t = wm__calloc(1, sizeof *t);
  wm_error err;
  int rc = t ? wm_runtime_new(&ctx->rt->opts, &t->rt, &err) : WM_ENOMEM;
  if (!rc) rc = wm_wasi_define(w, t->rt, &err);
  if (!rc) rc = define_imports(t->rt, caller, &err);
  if (!rc && g->opts.setup) rc = g->opts.setup(g->opts.data, t->rt, &err);
  wm_instance *inst = NULL;
  if (!rc) rc = wm_instance_new(t->rt, mod, NULL, &inst, &err);
  pthread_attr_t attr;
  bool attr_ok = !rc && pthread_attr_init(&attr) == 0;
  if (attr_ok) {
    t->w = w;
    t->start = wm_instance_func(inst, "wasi_thread_start");
    t->tid = tid;
    t->arg = arg;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&g->mu);
    t->next = g->list;
    g->list = t;
    pthread_t th;
    bool ok = !g->ended && pthread_create(&th, &attr, thread_main, t) == 0;
    if (!ok) g->list = t->next;
    pthread_mutex_unlock(&g->mu);
    pthread_attr_destroy(&attr);
    if (ok) return tid;
  }
  if (t) wm_runtime_free(t->rt);
  wm__free(t);
  pthread_mutex_lock(&g->mu);
  g->running--;
  g->alive--;
  pthread_cond_broadcast(&g->idle);
  pthread_mutex_unlock(&g->mu);
  return -WE_AGAIN;
}

static int spawn_host(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  wm_wasi *w = data;
  if (wm__wasi_stopped(ctx))
    return wm_call_ctx_trap(ctx, WM_TRAP_INTERRUPTED, "stopped: the process is ending");
  results[0] = wm_val_i32(spawn(w, ctx, (uint32_t)args[0].of.i32));
  return 0;
}

static const wm_valtype spawn_params[1] = {WM_I32}, spawn_results[1] = {WM_I32};

/* What wm_wasi_define leaves in a runtime for the `wasi` module: the one
** function, made at the first import of it. */
typedef struct wasi_spawn_def {
  wm_wasi *w;
  wm_func f;
  wm_type type;
} wasi_spawn_def;

static int resolve_wasi(wm_runtime *rt, void *data, const char *name, uint32_t len,
                        wm_binding *out, wm_error *err) {
  wasi_spawn_def *d = data;
  /* "thread_spawn" is the name of the proposal's first drafts. */
  if (!((len == 12 && memcmp(name, "thread-spawn", 12) == 0) ||
        (len == 12 && memcmp(name, "thread_spawn", 12) == 0)))
    return WM_ENOT_FOUND;
  if (!d->f.type) {
    d->type = (wm_type){1, 1, (wm_valtype *)spawn_params, (wm_valtype *)spawn_results, WM_COMP_FUNC};
    uint32_t id;
    int rc = wm__intern_type(rt, &d->type, &id, err);
    if (rc) return rc;
    d->f.type_id = id;
    d->f.type = &d->type;
    d->f.host = spawn_host;
    d->f.host_data = d->w;
    d->f.rt = rt;
  }
  out->kind = WM_EXTERN_FUNC;
  out->obj = &d->f;
  return WM_OK;
}

int wm__wasi_define_threads(wm_wasi *w, wm_runtime *rt, wm_error *err) {
  wasi_spawn_def *d = wm__calloc(1, sizeof *d);
  if (!d) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (wm__rt_own(rt, d) != 0) {
    wm__free(d);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  d->w = w;
  return wm__rt_define_module(rt, "wasi", resolve_wasi, d, err);
}
