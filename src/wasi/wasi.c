/* SPDX-License-Identifier: MIT */
/*
** wasi.c -- the WASI preview1 host module (and wasi_unstable, snapshot 0,
** as a few entries of its table): the wm_wasi context and its
** configuration, the checked guest-memory path, args/environ, clocks,
** random, poll_oneoff, proc_* and sock_*, and the table of all functions
** that wm_wasi_define installs. File and path calls live in wasi_fs.c.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime.h"
#include "wasi.h"

/*
** Calls that are not supported, and why (never a stub that pretends):
**   sock_accept, sock_recv, sock_send, sock_shutdown  ENOTSOCK on an fd
**                   that is not a socket. Sockets exist only when the host
**                   pre-opens them (wasi_sock.c); preview1 has no call to
**                   create, bind or connect one.
**   sock_recv       flags other than RECV_PEEK/RECV_WAITALL, and
**   sock_send       any flags: EINVAL (none are defined).
**   poll_oneoff     more than 65536 subscriptions: ENOTSUP.
**   proc_raise      ENOSYS: signals are not part of the sandbox model (the
**                   call is deprecated in preview1 and wasi-libc's raise()
**                   handles the common signals itself).
**   fd_fdstat_set_rights  supported for dropping rights; adding any
**                   returns ENOTCAPABLE.
**   fd_fdstat_set_flags   APPEND and NONBLOCK only; DSYNC/RSYNC/SYNC give
**                   ENOTSUP (Linux cannot change them on an open fd).
**   path_symlink    an absolute target gives ENOTCAPABLE.
**   path_link       with LOOKUP_SYMLINK_FOLLOW: EINVAL, as in Wasmtime.
*/

/* ------------------------------------------------------- guest memory */

uint8_t *wm__wasi_mem(wm_call_ctx *ctx, uint64_t off, uint64_t len) {
  wm_memory *m = wm_call_ctx_memory(ctx);
  if (!m || !wm__in_range(off, len, wm_memory_size(m))) return NULL;
  return wm_memory_data(m) + off;
}

void wm__wasi_st16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
void wm__wasi_st32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
void wm__wasi_st64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
uint32_t wm__wasi_ld32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
uint64_t wm__wasi_ld64(const uint8_t *p) {
  return (uint64_t)wm__wasi_ld32(p) | (uint64_t)wm__wasi_ld32(p + 4) << 32;
}

int wm__wasi_errno(int e) {
  switch (e) {
  case 0: return WE_SUCCESS;
  case E2BIG: return WE_2BIG;
  case EACCES: return WE_ACCES;
  case EAGAIN: return WE_AGAIN;
  case EBADF: return WE_BADF;
  case EBUSY: return WE_BUSY;
  case EEXIST: return WE_EXIST;
  case EFAULT: return WE_FAULT;
  case EFBIG: return WE_FBIG;
  case EILSEQ: return WE_ILSEQ;
  case EINTR: return WE_INTR;
  case EINVAL: return WE_INVAL;
  case EIO: return WE_IO;
  case EISDIR: return WE_ISDIR;
  case ELOOP: return WE_LOOP;
  case EMFILE: return WE_MFILE;
  case EMLINK: return WE_MLINK;
  case ENAMETOOLONG: return WE_NAMETOOLONG;
  case ENFILE: return WE_NFILE;
  case ENODEV: return WE_NODEV;
  case ENOENT: return WE_NOENT;
  case ENOMEM: return WE_NOMEM;
  case ENOSPC: return WE_NOSPC;
  case ENOSYS: return WE_NOSYS;
  case ENOTDIR: return WE_NOTDIR;
  case ENOTEMPTY: return WE_NOTEMPTY;
  case ENOTSUP: return WE_NOTSUP;
  case ENOTTY: return WE_NOTTY;
  case ENXIO: return WE_NXIO;
  case EOVERFLOW: return WE_OVERFLOW;
  case EPERM: return WE_PERM;
  case EPIPE: return WE_PIPE;
  case EROFS: return WE_ROFS;
  case ESPIPE: return WE_SPIPE;
  case ETXTBSY: return WE_TXTBSY;
  case EADDRINUSE: return WE_ADDRINUSE;
  case EADDRNOTAVAIL: return WE_ADDRNOTAVAIL;
  case ECONNABORTED: return WE_CONNABORTED;
  case ECONNREFUSED: return WE_CONNREFUSED;
  case ECONNRESET: return WE_CONNRESET;
  case EDQUOT: return WE_DQUOT;
  case EHOSTUNREACH: return WE_HOSTUNREACH;
  case EISCONN: return WE_ISCONN;
  case EMSGSIZE: return WE_MSGSIZE;
  case ENETDOWN: return WE_NETDOWN;
  case ENETRESET: return WE_NETRESET;
  case ENETUNREACH: return WE_NETUNREACH;
  case ENOBUFS: return WE_NOBUFS;
  case ENOTCONN: return WE_NOTCONN;
  case ENOTSOCK: return WE_NOTSOCK;
  case ETIMEDOUT: return WE_TIMEDOUT;
  case EAFNOSUPPORT: return WE_AFNOSUPPORT;
  case EALREADY: return WE_ALREADY;
  case EDESTADDRREQ: return WE_DESTADDRREQ;
  case EINPROGRESS: return WE_INPROGRESS;
  case EPROTO: return WE_PROTO;
  case EPROTONOSUPPORT: return WE_PROTONOSUPPORT;
  case EPROTOTYPE: return WE_PROTOTYPE;
  /* openat2(RESOLVE_BENEATH) reports an escape attempt as EXDEV. */
  case EXDEV: return WE_NOTCAPABLE;
  default: return WE_IO;
  }
}

/* --------------------------------------------------------- the context */

/* Bind a stdio entry to a host fd. Only regular files may seek: wasi-libc
** takes a character device without seek rights for a terminal (isatty),
** which makes stdout line-buffered there. */
void wm__wasi_bind_std(wm__wfd *e, int host) {
  memset(e, 0, sizeof *e);
  e->kind = WFD_HOST;
  e->host = host;
  struct stat st;
  int type = 0;
  socklen_t tl = sizeof type;
  bool got = fstat(host, &st) == 0, reg = got && S_ISREG(st.st_mode);
  e->filetype = reg ? WFT_REG : WFT_CHAR;
  /* A socket (inetd, systemd, a test harness) stays one, so that writes
  ** to it use send(MSG_NOSIGNAL) and a gone peer is EPIPE, not SIGPIPE. */
  if (got && S_ISSOCK(st.st_mode) && getsockopt(host, SOL_SOCKET, SO_TYPE, &type, &tl) == 0)
    e->filetype = type == SOCK_DGRAM ? WFT_SOCK_DGRAM : WFT_SOCK_STREAM;
  e->rights = reg ? WR_STDIO : WR_STDIO & ~(WR_FD_SEEK | WR_FD_TELL);
  e->rights_inh = 0;
}

/* A stdio entry on host fd `host`, examined at its first use
** (wm__wasi_fd): what the host fd is then decides its type and rights. */
static void unbound_std(wm__wfd *e, int host) {
  memset(e, 0, sizeof *e);
  e->kind = WFD_HOST;
  e->host = host;
  e->unbound = true;
}

static int add_std(wm_wasi *w, int host) {
  wm__wfd e;
  unbound_std(&e, host);
  return wm__wasi_fd_add(w, &e) < 0 ? WM_ENOMEM : 0;
}

int wm_wasi_new(wm_wasi **out, wm_error *err) {
  *out = NULL;
  wm_wasi *w = wm__calloc(1, sizeof *w);
  if (!w) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (wm__wasi_threads_init(w) != 0) {
    wm__free(w);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  for (int i = 0; i < 3; i++) {
    if (add_std(w, i) != 0) {
      wm_wasi_free(w);
      return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
    }
  }
  *out = w;
  return 0;
}

void wm_wasi_free(wm_wasi *w) {
  if (!w) return;
  wm__wasi_threads_free(w); /* its threads use the rest */
  for (uint32_t i = 0; i < w->argc; i++) wm__free(w->argv[i]);
  wm__free(w->argv);
  for (uint32_t i = 0; i < w->nenv; i++) wm__free(w->env[i]);
  wm__free(w->env);
  for (uint32_t i = 0; i < w->nfds; i++) wm__wasi_fd_release(&w->fds[i]);
  wm__free(w->fds);
  wm__free(w);
}

int wm_wasi_set_args(wm_wasi *w, int argc, const char *const *argv, wm_error *err) {
  if (!w || argc < 0 || (argc > 0 && !argv)) return wm__error(err, WM_EINVAL, UINT32_MAX, NULL);
  char **v = argc ? wm__calloc((size_t)argc, sizeof *v) : NULL;
  if (argc && !v) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  for (int i = 0; i < argc; i++) {
    v[i] = argv[i] ? wm__strndup(argv[i], strlen(argv[i])) : NULL;
    if (!v[i]) {
      for (int j = 0; j < i; j++) wm__free(v[j]);
      wm__free(v);
      return wm__error(err, argv[i] ? WM_ENOMEM : WM_EINVAL, UINT32_MAX, NULL);
    }
  }
  for (uint32_t i = 0; i < w->argc; i++) wm__free(w->argv[i]);
  wm__free(w->argv);
  w->argv = v;
  w->argc = (uint32_t)argc;
  return 0;
}

int wm_wasi_add_env(wm_wasi *w, const char *kv, wm_error *err) {
  const char *eq = kv ? strchr(kv, '=') : NULL;
  if (!w || !eq || eq == kv)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "environment entry must be KEY=VALUE");
  size_t klen = (size_t)(eq - kv) + 1;
  char *s = wm__strndup(kv, strlen(kv));
  if (!s) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  for (uint32_t i = 0; i < w->nenv; i++) {
    if (strncmp(w->env[i], kv, klen) == 0) {
      wm__free(w->env[i]);
      w->env[i] = s;
      return 0;
    }
  }
  if (wm__grow((void **)&w->env, &w->cap_env, w->nenv + 1, sizeof *w->env) != 0) {
    wm__free(s);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  w->env[w->nenv++] = s;
  return 0;
}

int wm_wasi_preopen_dir(wm_wasi *w, const char *host_path, const char *guest_path,
                        unsigned flags, wm_error *err) {
  if (!w || !host_path || (flags & ~(unsigned)WM_WASI_READONLY))
    return wm__error(err, WM_EINVAL, UINT32_MAX, NULL);
  if (!guest_path) guest_path = host_path;
  int fd = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return wm__error(err, WM_EIO, UINT32_MAX, "cannot open directory '%s': %s", host_path,
                     strerror(errno));
  wm__wfd e;
  memset(&e, 0, sizeof e);
  e.kind = WFD_HOST;
  e.host = fd;
  e.own = true;
  e.is_dir = true;
  e.filetype = WFT_DIR;
  e.rights = WR_DIR_BASE;
  e.rights_inh = WR_ALL;
  if (flags & WM_WASI_READONLY) {
    /* Withheld from the directory and from all it passes on, so whatever
    ** is opened beneath it is read-only too. */
    e.rights &= ~WR_MODIFY;
    e.rights_inh &= ~WR_MODIFY;
  }
  e.preopen = wm__strndup(guest_path, strlen(guest_path));
  if (!e.preopen || wm__wasi_fd_add(w, &e) < 0) {
    wm__free(e.preopen);
    close(fd);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  return 0;
}

int wm_wasi_preopen_socket(wm_wasi *w, int host_fd, uint32_t *guest_fd, wm_error *err) {
  struct stat st;
  int type = 0, listening = 0;
  socklen_t tl = sizeof type, ll = sizeof listening;
  if (!w || host_fd < 0) {
    if (host_fd >= 0) close(host_fd);
    return wm__error(err, WM_EINVAL, UINT32_MAX, "no socket given");
  }
  if (fstat(host_fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
      getsockopt(host_fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 ||
      getsockopt(host_fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ll) != 0 ||
      (type != SOCK_STREAM && type != SOCK_DGRAM)) {
    close(host_fd);
    return wm__error(err, WM_EINVAL, UINT32_MAX, "fd %d is not a stream or datagram socket",
                     host_fd);
  }
  wm__wfd e;
  memset(&e, 0, sizeof e);
  e.kind = WFD_HOST;
  e.host = host_fd;
  e.own = true;
  e.filetype = type == SOCK_STREAM ? WFT_SOCK_STREAM : WFT_SOCK_DGRAM;
  e.rights = listening ? WR_SOCK_LISTEN : WR_SOCK_CONN;
  e.rights_inh = listening ? WR_SOCK_CONN : 0;
  int g = wm__wasi_fd_add(w, &e);
  if (g < 0) {
    close(host_fd);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  if (guest_fd) *guest_fd = (uint32_t)g;
  return 0;
}

int wm_wasi_listen_tcp(wm_wasi *w, const char *addr, uint32_t *guest_fd, uint16_t *port,
                       wm_error *err) {
  /* HOST:PORT, HOST possibly in brackets (an IPv6 literal). */
  char host[256];
  const char *colon = addr ? strrchr(addr, ':') : NULL;
  size_t hl = colon ? (size_t)(colon - addr) : 0;
  if (!w || !colon || hl == 0 || hl >= sizeof host || !colon[1])
    return wm__error(err, WM_EINVAL, UINT32_MAX, "bad address '%s': expected HOST:PORT",
                     addr ? addr : "(null)");
  const char *hs = addr;
  if (addr[0] == '[') {
    if (hl < 3 || addr[hl - 1] != ']')
      return wm__error(err, WM_EINVAL, UINT32_MAX, "bad address '%s': expected [IPV6]:PORT", addr);
    hs++;
    hl -= 2;
  }
  memcpy(host, hs, hl);
  host[hl] = 0;
  unsigned long pn = 0;
  for (const char *c = colon + 1; *c; c++) {
    pn = pn * 10 + (unsigned long)(*c - '0');
    if (*c < '0' || *c > '9' || pn > 65535)
      return wm__error(err, WM_EINVAL, UINT32_MAX, "bad port in '%s': expected 0 to 65535", addr);
  }
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  int gai = getaddrinfo(host, colon + 1, &hints, &res);
  if (gai != 0)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "cannot resolve '%s': %s", addr,
                     gai_strerror(gai));
  int fd = -1, e = 0;
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) { e = errno; continue; }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0) break;
    e = errno;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0)
    return wm__error(err, WM_EIO, UINT32_MAX, "cannot listen on '%s': %s", addr, strerror(e));
  if (port) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    *port = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
      *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                              : ((struct sockaddr_in *)&ss)->sin_port);
  }
  return wm_wasi_preopen_socket(w, fd, guest_fd, err);
}

int wm_wasi_set_stdio_fd(wm_wasi *w, int guest_fd, int host_fd, wm_error *err) {
  if (!w || guest_fd < 0 || guest_fd > 2 || host_fd < 0)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "guest fd must be 0, 1 or 2");
  wm__wfd *e = &w->fds[guest_fd];
  wm__wasi_fd_release(e);
  unbound_std(e, host_fd);
  return 0;
}

int wm_wasi_set_stdio_buffer(wm_wasi *w, int guest_fd, const void *data, size_t len,
                             wm_error *err) {
  if (!w || guest_fd < 0 || guest_fd > 2 || (guest_fd != 0 && data) ||
      (guest_fd == 0 && len && !data))
    return wm__error(err, WM_EINVAL, UINT32_MAX, NULL);
  uint8_t *copy = NULL;
  if (guest_fd == 0 && len) {
    copy = wm__malloc(len);
    if (!copy) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
    memcpy(copy, data, len);
  }
  wm__wfd *e = &w->fds[guest_fd];
  wm__wasi_fd_release(e);
  memset(e, 0, sizeof *e);
  e->kind = guest_fd == 0 ? WFD_BUF_IN : WFD_BUF_OUT;
  e->host = -1;
  e->filetype = WFT_CHAR;
  e->rights = WR_STDIO & ~(WR_FD_SEEK | WR_FD_TELL);
  e->rights_inh = 0;
  if (guest_fd == 0) {
    e->buf = copy;
    e->len = e->cap = len;
  } else {
    e->limit = len ? len : WM_WASI_CAPTURE_MAX;
  }
  return 0;
}

const uint8_t *wm_wasi_output(const wm_wasi *w, int guest_fd, size_t *len) {
  *len = 0;
  if (!w || guest_fd < 1 || (uint32_t)guest_fd >= w->nfds) return NULL;
  const wm__wfd *e = &w->fds[guest_fd];
  if (e->kind != WFD_BUF_OUT) return NULL;
  *len = e->len;
  return e->buf ? e->buf : (const uint8_t *)"";
}

bool wm_wasi_exit_code(const wm_wasi *w, int *code) {
  if (!w || !w->exited) return false;
  if (code) *code = w->exit_code;
  return true;
}

int wm_wasi_run(wm_wasi *w, wm_runtime *rt, wm_instance *inst, int *exit_code, wm_error *err) {
  if (exit_code) *exit_code = 0;
  if (!w || !rt || !inst) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_wasi_run: NULL argument");
  wm_func *start = wm_instance_func(inst, "_start");
  if (!start)
    return wm__error(err, WM_ENOT_FOUND, UINT32_MAX,
                     "no _start export: not a WASI command (a reactor's exports are called "
                     "with wm_func_call)");
  wm_functype t = wm_func_type(start);
  if (t.nparams || t.nresults)
    return wm__error(err, WM_ETYPE, UINT32_MAX, "_start must take and return nothing");
  /* WASI preview1 is 32-bit: its pointers are i32s into a 32-bit memory. */
  wm_memory *m = wm_instance_memory(inst, "memory");
  if (!m) m = wm_instance_default_memory(inst);
  if (m && m->decl.is64)
    return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX,
                     "WASI preview1 is 32-bit: a guest whose memory is 64-bit (memory64) is not "
                     "supported");
  int rc = wm_func_call(rt, start, NULL, 0, NULL, 0, err);
  rc = wm__wasi_threads_finish(w, rc, err);
  int code = 0;
  /* proc_exit is how a command ends: its code is the result, not an error. */
  if (rc == WM_TRAP_EXIT && wm_wasi_exit_code(w, &code)) {
    rc = 0;
    if (err) err->code = 0, err->offset = UINT32_MAX, err->message[0] = 0;
  }
  if (rc == 0 && exit_code) *exit_code = code;
  return rc;
}

/* -------------------------------------------------- args and environ */

/* Shared by args_* and environ_*: a vector of strings. */
static int strings_sizes(wm_call_ctx *ctx, char **v, uint32_t n, uint32_t count_p, uint32_t size_p) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) total += strlen(v[i]) + 1;
  uint8_t *pc = wm__wasi_mem(ctx, count_p, 4), *ps = wm__wasi_mem(ctx, size_p, 4);
  if (!pc || !ps) return WE_FAULT;
  if (total > UINT32_MAX) return WE_OVERFLOW;
  wm__wasi_st32(pc, n);
  wm__wasi_st32(ps, (uint32_t)total);
  return 0;
}

static int strings_get(wm_call_ctx *ctx, char **v, uint32_t n, uint32_t ptrs_p, uint32_t buf_p) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) total += strlen(v[i]) + 1;
  uint8_t *ptrs = wm__wasi_mem(ctx, ptrs_p, (uint64_t)n * 4);
  uint8_t *buf = wm__wasi_mem(ctx, buf_p, total);
  if (!ptrs || !buf) return WE_FAULT;
  uint64_t off = 0;
  for (uint32_t i = 0; i < n; i++) {
    size_t len = strlen(v[i]) + 1;
    wm__wasi_st32(ptrs + 4 * (uint64_t)i, (uint32_t)(buf_p + off));
    memcpy(buf + off, v[i], len);
    off += len;
  }
  return 0;
}

static int f_args_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  return strings_get(ctx, w->argv, w->argc, (uint32_t)a[0].of.i32, (uint32_t)a[1].of.i32);
}
static int f_args_sizes_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  return strings_sizes(ctx, w->argv, w->argc, (uint32_t)a[0].of.i32, (uint32_t)a[1].of.i32);
}
static int f_environ_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  return strings_get(ctx, w->env, w->nenv, (uint32_t)a[0].of.i32, (uint32_t)a[1].of.i32);
}
static int f_environ_sizes_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  return strings_sizes(ctx, w->env, w->nenv, (uint32_t)a[0].of.i32, (uint32_t)a[1].of.i32);
}

/* ---------------------------------------------------- clocks, random */

static int host_clock(uint32_t id, clockid_t *out) {
  switch (id) {
  case 0: *out = CLOCK_REALTIME; return 0;
  case 1: *out = CLOCK_MONOTONIC; return 0;
  case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return 0;
  case 3: *out = CLOCK_THREAD_CPUTIME_ID; return 0;
  default: return WE_INVAL;
  }
}

static uint64_t ts_ns(const struct timespec *ts) {
  return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static int clock_now(uint32_t id, uint64_t *ns) {
  clockid_t c;
  struct timespec ts;
  if (host_clock(id, &c) != 0) return WE_INVAL;
  if (clock_gettime(c, &ts) != 0) return wm__wasi_errno(errno);
  *ns = ts_ns(&ts);
  return 0;
}

static int f_clock_res_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)w;
  clockid_t c;
  struct timespec ts;
  if (host_clock((uint32_t)a[0].of.i32, &c) != 0) return WE_INVAL;
  uint8_t *p = wm__wasi_mem(ctx, (uint32_t)a[1].of.i32, 8);
  if (!p) return WE_FAULT;
  if (clock_getres(c, &ts) != 0) return wm__wasi_errno(errno);
  wm__wasi_st64(p, ts_ns(&ts));
  return 0;
}

static int f_clock_time_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)w;
  uint64_t ns = 0;
  int e = clock_now((uint32_t)a[0].of.i32, &ns);
  if (e) return e;
  uint8_t *p = wm__wasi_mem(ctx, (uint32_t)a[2].of.i32, 8);
  if (!p) return WE_FAULT;
  wm__wasi_st64(p, ns);
  return 0;
}

static int f_random_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)w;
  uint32_t len = (uint32_t)a[1].of.i32;
  uint8_t *p = wm__wasi_mem(ctx, (uint32_t)a[0].of.i32, len);
  if (!p) return WE_FAULT;
  while (len > 0) {
    ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return wm__wasi_errno(errno);
    }
    p += n;
    len -= (uint32_t)n;
  }
  return 0;
}

/* ------------------------------------------------------- poll_oneoff */

enum { EVENT_SIZE = 32, EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };

/*
** Where a subscription's clock fields sit. Preview1's subscription is 48
** bytes, its clock record (id, timeout, precision, flags) at 16. Snapshot
** 0's clock record begins with a u64 `identifier` (unused: the event
** carries the subscription's userdata), so it is 56 bytes with the same
** fields 8 bytes higher. The fd record and the event are the same in both.
*/
typedef struct sub_layout {
  uint32_t size, clock; /* subscription size; offset of the clock id */
} sub_layout;
static const sub_layout SUB_PREVIEW1 = {48, 16}, SUB_SNAPSHOT0 = {56, 24};
/* Host memory per call is ~30 bytes a subscription; this bounds it. */
enum { MAX_SUBS = 65536 };

/*
** Wait for the first of the subscriptions: clocks (relative or absolute
** deadlines, converted to the monotonic clock) and fd readiness (host fds
** through poll(2); memory buffers are always ready). Emits one event per
** subscription that is ready when the wait ends.
*/
static int poll_oneoff(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a, const sub_layout *lay) {
  const uint32_t sub_size = lay->size, clk = lay->clock;
  uint32_t nsubs = (uint32_t)a[2].of.i32;
  if (nsubs == 0) return WE_INVAL;
  if (nsubs > MAX_SUBS) return WE_NOTSUP;
  const uint8_t *in = wm__wasi_mem(ctx, (uint32_t)a[0].of.i32, (uint64_t)nsubs * sub_size);
  uint8_t *out = wm__wasi_mem(ctx, (uint32_t)a[1].of.i32, (uint64_t)nsubs * EVENT_SIZE);
  uint8_t *nev_p = wm__wasi_mem(ctx, (uint32_t)a[3].of.i32, 4);
  if (!in || !out || !nev_p) return WE_FAULT;

  /* Per subscription: monotonic deadline (clocks) or pollfd index (fds).
  ** Heap arrays: nsubs is guest-controlled. */
  uint64_t *deadline = wm__calloc(nsubs, sizeof *deadline);
  struct pollfd *pfd = wm__calloc((size_t)nsubs + 1, sizeof *pfd); /* + wm__wasi_block's */
  int32_t *pidx = wm__calloc(nsubs, sizeof *pidx);
  uint16_t *sub_err = wm__calloc(nsubs, sizeof *sub_err);
  uint64_t *avail = wm__calloc(nsubs, sizeof *avail);
  int rc = 0;
  if (!deadline || !pfd || !pidx || !sub_err || !avail) { rc = WE_NOMEM; goto done; }

  uint64_t now = 0;
  clock_now(1, &now);
  uint64_t first = UINT64_MAX;
  nfds_t npfd = 0;
  bool ready_now = false;
  for (uint32_t i = 0; i < nsubs; i++) {
    const uint8_t *s = in + (uint64_t)i * sub_size;
    uint8_t tag = s[8];
    pidx[i] = -1;
    if (tag == EV_CLOCK) {
      uint32_t id = wm__wasi_ld32(s + clk);
      uint64_t timeout = wm__wasi_ld64(s + clk + 8);
      uint16_t flags = (uint16_t)(s[clk + 24] | s[clk + 25] << 8);
      uint64_t rel = timeout, cnow = 0;
      if (clock_now(id, &cnow) != 0) { sub_err[i] = WE_INVAL; ready_now = true; continue; }
      if (flags & 1) rel = timeout > cnow ? timeout - cnow : 0; /* abstime */
      deadline[i] = rel > UINT64_MAX - now ? UINT64_MAX : now + rel;
      if (deadline[i] < first) first = deadline[i];
    } else if (tag == EV_FD_READ || tag == EV_FD_WRITE) {
      uint32_t fd = wm__wasi_ld32(s + 16);
      int host = -1;
      int e = wm__wasi_fd_ready(w, fd, tag == EV_FD_WRITE, &avail[i], &host);
      if (e || host < 0) { sub_err[i] = (uint16_t)e; ready_now = true; continue; }
      pfd[npfd].fd = host;
      pfd[npfd].events = tag == EV_FD_READ ? POLLIN : POLLOUT;
      pidx[i] = (int32_t)npfd++;
    } else {
      sub_err[i] = WE_INVAL;
      ready_now = true;
    }
  }

  /* Wait. A signal may cut the wait short: then simply look again. */
  for (;;) {
    clock_now(1, &now);
    int timeout_ms;
    if (ready_now || first <= now) timeout_ms = 0;
    else if (first == UINT64_MAX) timeout_ms = -1;
    else {
      uint64_t d = first - now, ms = d / 1000000 + (d % 1000000 != 0); /* no wrap */
      timeout_ms = ms > INT32_MAX ? INT32_MAX : (int)ms;
    }
    int n = 0;
    if (atomic_load_explicit(&w->threaded, memory_order_acquire)) {
      /* With threads: the lock released while waiting, and the group's end
      ** wakes the wait. */
      if (npfd == 0 && timeout_ms < 0) { rc = WE_INVAL; goto done; }
      n = wm__wasi_block(w, pfd, npfd, timeout_ms);
      if (n == -2) { rc = -1; goto done; }
      if (n < 0 && errno != EINTR) { rc = wm__wasi_errno(errno); goto done; }
      if (npfd == 0) n = 0;
    } else if (npfd > 0) {
      n = poll(pfd, npfd, timeout_ms);
      if (n < 0 && errno != EINTR) { rc = wm__wasi_errno(errno); goto done; }
    } else if (timeout_ms != 0) {
      if (timeout_ms < 0) { rc = WE_INVAL; goto done; } /* nothing can ever happen */
      struct timespec ts = { (time_t)(first / 1000000000u), (long)(first % 1000000000u) };
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    clock_now(1, &now);
    if (ready_now || n > 0 || first <= now) break;
  }

  uint32_t nev = 0;
  for (uint32_t i = 0; i < nsubs; i++) {
    const uint8_t *s = in + (uint64_t)i * sub_size;
    uint8_t tag = s[8];
    bool fire = sub_err[i] != 0;
    uint64_t nbytes = 0;
    uint16_t evflags = 0;
    if (!fire && tag == EV_CLOCK) fire = deadline[i] <= now;
    else if (!fire && pidx[i] >= 0) {
      short re = pfd[pidx[i]].revents;
      fire = re != 0;
      if (re & POLLHUP) evflags = 1; /* fd_readwrite_hangup */
      if (re & (POLLERR | POLLNVAL)) sub_err[i] = re & POLLNVAL ? WE_BADF : WE_IO;
      int avail_host = 0;
      if (tag == EV_FD_READ && ioctl(pfd[pidx[i]].fd, FIONREAD, &avail_host) == 0)
        nbytes = (uint64_t)avail_host;
    } else if (!fire && tag != EV_CLOCK) {
      fire = true; /* buffers are always ready */
      nbytes = avail[i];
    }
    if (!fire) continue;
    uint8_t *ev = out + (uint64_t)nev * EVENT_SIZE;
    memset(ev, 0, EVENT_SIZE);
    memmove(ev, s, 8); /* userdata; the guest may overlap in and out */
    wm__wasi_st16(ev + 8, sub_err[i]);
    ev[10] = tag;
    if (tag != EV_CLOCK) {
      wm__wasi_st64(ev + 16, nbytes);
      wm__wasi_st16(ev + 24, evflags);
    }
    nev++;
  }
  wm__wasi_st32(nev_p, nev);
done:
  wm__free(deadline);
  wm__free(pfd);
  wm__free(pidx);
  wm__free(sub_err);
  wm__free(avail);
  return rc;
}

/* poll_oneoff returns -1 when the thread group ended while it waited. */
static int stopped_trap(wm_call_ctx *ctx) {
  return wm_call_ctx_trap(ctx, WM_TRAP_INTERRUPTED, "stopped: the process is ending");
}
static int f_poll_oneoff(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  int rc = poll_oneoff(w, ctx, a, &SUB_PREVIEW1);
  return rc == -1 ? stopped_trap(ctx) : rc;
}
static int f_poll_oneoff0(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  int rc = poll_oneoff(w, ctx, a, &SUB_SNAPSHOT0);
  return rc == -1 ? stopped_trap(ctx) : rc;
}

/* ------------------------------------------------ process and sockets */

static int f_proc_exit(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wasi_exit(w, ctx, a[0].of.i32);
  return wm_call_ctx_trap(ctx, WM_TRAP_EXIT, "guest exited with code %u", (unsigned)a[0].of.i32);
}

static int f_proc_raise(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)w; (void)ctx; (void)a;
  return WE_NOSYS;
}

static int f_sched_yield(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)w; (void)ctx; (void)a;
  sched_yield();
  return 0;
}

/* --------------------------------------------------------- the table */

/*
** Every function's name, type and implementation, in one static table
** shared by all runtimes and never written: defining WASI in a runtime
** copies none of it. The types' parameter lists are named by their
** spelling ('i' an i32, 'I' an i64); every call but proc_exit returns an
** i32 errno.
*/
static const wm_valtype P_i[] = {WM_I32}, P_ii[] = {WM_I32, WM_I32},
  P_iii[] = {WM_I32, WM_I32, WM_I32}, P_iiii[] = {WM_I32, WM_I32, WM_I32, WM_I32},
  P_iiiii[] = {WM_I32, WM_I32, WM_I32, WM_I32, WM_I32},
  P_iiiiii[] = {WM_I32, WM_I32, WM_I32, WM_I32, WM_I32, WM_I32},
  P_iiiiiii[] = {WM_I32, WM_I32, WM_I32, WM_I32, WM_I32, WM_I32, WM_I32},
  P_iI[] = {WM_I32, WM_I64}, P_iII[] = {WM_I32, WM_I64, WM_I64},
  P_iIi[] = {WM_I32, WM_I64, WM_I32}, P_iIIi[] = {WM_I32, WM_I64, WM_I64, WM_I32},
  P_iIii[] = {WM_I32, WM_I64, WM_I32, WM_I32}, P_iiiIi[] = {WM_I32, WM_I32, WM_I32, WM_I64, WM_I32},
  P_iiiiIIi[] = {WM_I32, WM_I32, WM_I32, WM_I32, WM_I64, WM_I64, WM_I32},
  P_iiiiiIIii[] = {WM_I32, WM_I32, WM_I32, WM_I32, WM_I32, WM_I64, WM_I64, WM_I32, WM_I32};
static const wm_valtype result_i32[1] = {WM_I32};

/* The namespaces an entry is imported from. */
enum { NS_PREVIEW1 = 1, NS_UNSTABLE = 2, NS_BOTH = 3 };

typedef struct wasi_entry {
  const char *name;
  uint32_t len;          /* strlen(name) */
  uint8_t ns;            /* NS_*: where a name resolves to this entry */
  wm_type type;          /* points into the static lists above */
  wm__wasi_fn fn;
} wasi_entry;

/* wm_type's arrays are not const; nothing ever writes through them. */
#define WASI_TYPE(p, nres) {sizeof p / sizeof p[0], nres, (wm_valtype *)p, (wm_valtype *)result_i32, WM_COMP_FUNC}
#define WASI_NS(name, ns, p, fn) {#name, sizeof #name - 1, ns, WASI_TYPE(p, 1), fn},
#define WASI_E(name, p, fn) WASI_NS(name, NS_BOTH, p, fn)

/*
** wasi_unstable (snapshot 0) is preview1 but for a few layouts and one
** enum: fd_seek numbers whence CUR 0, END 1, SET 2 (preview1: SET 0, CUR
** 1, END 2); filestat has a u32 link count (56 bytes, not 64); a clock
** subscription has a leading u64 identifier (56 bytes, not 48); and
** sock_accept does not exist. Its own forms of those calls come first in
** the table: a name resolves to the first entry of its namespace.
*/
static int f_fd_seek0(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm_val b[4] = {a[0], a[1], a[2], a[3]};
  uint32_t whence = (uint32_t)a[2].of.i32;
  if (whence <= 2) b[2] = wm_val_i32(whence == 0 ? 1 : whence == 1 ? 2 : 0);
  return wm__wasi_fd_seek(w, ctx, b);
}

static const wasi_entry wasi_table[] = {
  WASI_NS(fd_seek, NS_UNSTABLE, P_iIii, f_fd_seek0)
  WASI_NS(fd_filestat_get, NS_UNSTABLE, P_ii, wm__wasi_fd_filestat_get0)
  WASI_NS(path_filestat_get, NS_UNSTABLE, P_iiiii, wm__wasi_path_filestat_get0)
  WASI_NS(poll_oneoff, NS_UNSTABLE, P_iiii, f_poll_oneoff0)
  WASI_NS(sock_accept, NS_PREVIEW1, P_iii, wm__wasi_sock_accept)
  WASI_E(args_get, P_ii, f_args_get)
  WASI_E(args_sizes_get, P_ii, f_args_sizes_get)
  WASI_E(environ_get, P_ii, f_environ_get)
  WASI_E(environ_sizes_get, P_ii, f_environ_sizes_get)
  WASI_E(clock_res_get, P_ii, f_clock_res_get)
  WASI_E(clock_time_get, P_iIi, f_clock_time_get)
  WASI_E(random_get, P_ii, f_random_get)
  WASI_E(poll_oneoff, P_iiii, f_poll_oneoff)
  {"proc_exit", sizeof "proc_exit" - 1, NS_BOTH, WASI_TYPE(P_i, 0), f_proc_exit},
  WASI_E(proc_raise, P_i, f_proc_raise)
  {"sched_yield", sizeof "sched_yield" - 1, NS_BOTH, {0, 1, NULL, (wm_valtype *)result_i32, WM_COMP_FUNC},
   f_sched_yield},
  WASI_E(sock_recv, P_iiiiii, wm__wasi_sock_recv)
  WASI_E(sock_send, P_iiiii, wm__wasi_sock_send)
  WASI_E(sock_shutdown, P_ii, wm__wasi_sock_shutdown)
#define WM__WASI_ENTRY(name, sig) WASI_E(name, P_##sig, wm__wasi_##name)
  WM__WASI_FS_FUNCS(WM__WASI_ENTRY)
#undef WM__WASI_ENTRY
};

enum { NWASI = sizeof wasi_table / sizeof wasi_table[0] };

/*
** The path arguments of the path_* calls (bit i: argument i is a path's
** offset, i + 1 its length). The
** wasi-libc of the snapshot-0 days passes a path relative to a pre-open as
** what follows the pre-open's name, separator included ("./f" under "."
** arrives as "/f"), and the runtimes of the day took it as relative:
** under wasi_unstable leading slashes are dropped before these calls (the
** path is still resolved beneath the directory). path_symlink's first
** path is the link's contents, kept as it is.
*/
static const struct { const char *name; uint8_t paths; } path_args[] = {
  {"path_create_directory", 1 << 1}, {"path_filestat_get", 1 << 2},
  {"path_filestat_set_times", 1 << 2}, {"path_link", 1 << 2 | 1 << 5},
  {"path_open", 1 << 2}, {"path_readlink", 1 << 1}, {"path_remove_directory", 1 << 1},
  {"path_rename", 1 << 1 | 1 << 4}, {"path_symlink", 1 << 3}, {"path_unlink_file", 1 << 1},
};

/* A function's host data: the context, the entry it calls, and the
** arguments whose leading slashes go (0 but under wasi_unstable). */
typedef struct wasi_bind {
  wm_wasi *w;
  const wasi_entry *e;
  uint8_t paths;
} wasi_bind;

/*
** What wm_wasi_define leaves in a runtime: one allocation the runtime
** owns, holding a function object for each entry and namespace, made (its
** type interned) the first time an import names it, so that defining WASI
** costs one allocation and an instance pays only for the calls it imports.
** funcs[ns][i].type is NULL until then.
*/
typedef struct wasi_defined {
  wm_wasi *w;
  wm_func funcs[2][NWASI];
  wasi_bind binds[2][NWASI];
} wasi_defined;

enum { MAX_WASI_ARGS = 9 }; /* path_open's */

static int trampoline(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  const wasi_bind *b = data;
  wm_val copy[MAX_WASI_ARGS];
  if (b->paths) {
    memcpy(copy, args, b->e->type.nparams * sizeof *args);
    for (uint32_t i = 0; i + 1 < b->e->type.nparams; i++) {
      if (!(b->paths & (1u << i))) continue;
      uint32_t p = (uint32_t)copy[i].of.i32, len = (uint32_t)copy[i + 1].of.i32;
      const uint8_t *s = wm__wasi_mem(ctx, p, len);
      if (!s) continue; /* the call itself reports the fault */
      uint32_t k = 0;
      while (k < len && s[k] == '/') k++;
      copy[i] = wm_val_i32((int32_t)(p + k));
      copy[i + 1] = wm_val_i32((int32_t)(len - k));
    }
    args = copy;
  }
  /* With threads: a stopped thread goes no further, and the context is
  ** shared, so calls hold its lock (but exit and yield); a read that may
  ** block waits for its fd first, with the lock released meanwhile. */
  wm_wasi *w = b->w;
  wm__wasi_fn fn = b->e->fn;
  bool locked = atomic_load_explicit(&w->threaded, memory_order_acquire) &&
                fn != f_proc_exit && fn != f_sched_yield;
  if (locked) {
    if (wm__wasi_stopped(ctx)) return stopped_trap(ctx);
    pthread_mutex_lock(&w->io);
    if ((fn == wm__wasi_fd_read || fn == wm__wasi_sock_recv || fn == wm__wasi_sock_accept) &&
        wm__wasi_wait_readable(w, (uint32_t)args[0].of.i32) != 0) {
      pthread_mutex_unlock(&w->io);
      return stopped_trap(ctx);
    }
  }
  int r = fn(w, ctx, args);
  if (locked) pthread_mutex_unlock(&w->io);
  if (r < 0) return r;
  if (b->e->type.nresults) results[0] = wm_val_i32(r);
  return 0;
}

/* Resolve `name` among the entries of namespace ns (NS_PREVIEW1 or
** NS_UNSTABLE). */
static int resolve_in(wm_runtime *rt, wasi_defined *d, uint8_t ns, const char *name,
                      uint32_t len, wm_binding *out, wm_error *err) {
  int k = ns == NS_UNSTABLE;
  for (uint32_t i = 0; i < NWASI; i++) {
    const wasi_entry *e = &wasi_table[i];
    if (!(e->ns & ns) || e->len != len || memcmp(e->name, name, len) != 0) continue;
    wm_func *f = &d->funcs[k][i];
    if (!f->type) {
      uint32_t id;
      int rc = wm__intern_type(rt, &e->type, &id, err);
      if (rc) return rc;
      wasi_bind *b = &d->binds[k][i];
      b->w = d->w;
      b->e = e;
      for (size_t j = 0; k && j < sizeof path_args / sizeof path_args[0]; j++)
        if (strcmp(path_args[j].name, e->name) == 0) b->paths = path_args[j].paths;
      f->type_id = id;
      f->type = &e->type;
      f->host = trampoline;
      f->host_data = b;
      f->rt = rt;
    }
    out->kind = WM_EXTERN_FUNC;
    out->obj = f;
    return WM_OK;
  }
  return WM_ENOT_FOUND;
}

/* wm_resolve_fn (runtime.h) for wasi_snapshot_preview1 and wasi_unstable. */
static int resolve_preview1(wm_runtime *rt, void *data, const char *name, uint32_t len,
                            wm_binding *out, wm_error *err) {
  return resolve_in(rt, data, NS_PREVIEW1, name, len, out, err);
}
static int resolve_unstable(wm_runtime *rt, void *data, const char *name, uint32_t len,
                            wm_binding *out, wm_error *err) {
  return resolve_in(rt, data, NS_UNSTABLE, name, len, out, err);
}

int wm_wasi_define(wm_wasi *w, wm_runtime *rt, wm_error *err) {
  if (!w || !rt) return wm__error(err, WM_EINVAL, UINT32_MAX, NULL);
  /* The functions live as long as the runtime: it owns them. */
  wasi_defined *d = wm__calloc(1, sizeof *d);
  if (!d) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (wm__rt_own(rt, d) != 0) {
    wm__free(d);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  d->w = w;
  int rc = wm__rt_define_module(rt, "wasi_snapshot_preview1", resolve_preview1, d, err);
  if (!rc) rc = wm__rt_define_module(rt, "wasi_unstable", resolve_unstable, d, err);
  if (!rc) rc = wm__wasi_define_threads(w, rt, err);
  return rc;
}
