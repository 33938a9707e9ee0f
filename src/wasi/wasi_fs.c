/* SPDX-License-Identifier: MIT */
/*
** wasi_fs.c -- WASI preview1 file descriptors and paths: the guest fd table,
** fd_* and path_* calls, and the directory sandbox every path goes through
** (openat2 RESOLVE_BENEATH, or our own component walk where it is missing).
*/
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi.h"

#define U32(v) ((uint32_t)(v).of.i32)
#define U64(v) ((uint64_t)(v).of.i64)

/* ---------------------------------------------------------- fd table */

wm__wfd *wm__wasi_fd(wm_wasi *w, uint32_t fd) {
  if (fd >= w->nfds || w->fds[fd].kind == WFD_FREE) return NULL;
  wm__wfd *e = &w->fds[fd];
  if (e->unbound) wm__wasi_bind_std(e, e->host);
  return e;
}

enum { MAX_FDS = 65536 }; /* a guest cannot make us grow forever */

bool wm__wasi_fd_room(const wm_wasi *w) {
  for (uint32_t i = 0; i < w->nfds; i++)
    if (w->fds[i].kind == WFD_FREE) return true;
  return w->nfds < MAX_FDS;
}

int wm__wasi_fd_add(wm_wasi *w, const wm__wfd *e) {
  uint32_t i = 0;
  while (i < w->nfds && w->fds[i].kind != WFD_FREE) i++;
  if (i == w->nfds) {
    if (w->nfds >= MAX_FDS) return -1;
    if (wm__grow((void **)&w->fds, &w->cap_fds, w->nfds + 1, sizeof *w->fds) != 0) return -1;
    w->nfds++;
  }
  w->fds[i] = *e;
  return (int)i;
}

void wm__wasi_fd_release(wm__wfd *e) {
  if (e->kind == WFD_HOST && e->own && e->host >= 0) close(e->host);
  wm__free(e->preopen);
  wm__free(e->buf);
  memset(e, 0, sizeof *e);
  e->kind = WFD_FREE;
  e->host = -1;
}

static uint8_t filetype_of(mode_t m) {
  if (S_ISREG(m)) return WFT_REG;
  if (S_ISDIR(m)) return WFT_DIR;
  if (S_ISCHR(m)) return WFT_CHAR;
  if (S_ISBLK(m)) return WFT_BLOCK;
  if (S_ISLNK(m)) return WFT_SYMLINK;
  if (S_ISSOCK(m)) return WFT_SOCK_STREAM;
  return WFT_UNKNOWN;
}

/* The fd if it exists and holds all of `rights`; the errno otherwise. */
static int get_fd(wm_wasi *w, uint32_t fd, uint64_t rights, wm__wfd **out) {
  wm__wfd *e = wm__wasi_fd(w, fd);
  if (!e) return WE_BADF;
  if ((e->rights & rights) != rights) return WE_NOTCAPABLE;
  *out = e;
  return 0;
}

/* A directory fd that paths are resolved against, holding `rights`. */
static int get_dir(wm_wasi *w, uint32_t fd, uint64_t rights, wm__wfd **out) {
  wm__wfd *e = wm__wasi_fd(w, fd);
  if (!e) return WE_BADF;
  if (e->kind != WFD_HOST || !e->is_dir) return WE_NOTDIR;
  if ((e->rights & rights) != rights) return WE_NOTCAPABLE;
  *out = e;
  return 0;
}

/* ----------------------------------------------------------- sandbox */

/* Copy a guest path into a NUL-terminated heap string. */
static int get_path(wm_call_ctx *ctx, uint32_t p, uint32_t len, char **out) {
  *out = NULL;
  const uint8_t *s = wm__wasi_mem(ctx, p, len);
  if (!s) return WE_FAULT;
  if (len >= PATH_MAX) return WE_NAMETOOLONG;
  if (memchr(s, 0, len)) return WE_INVAL;
  *out = wm__strndup((const char *)s, len);
  return *out ? 0 : WE_NOMEM;
}

/* -1 unknown, 0 missing (fall back), 1 works. Shared by every WASI
** context in the process, whatever thread runs it: the first call that
** learns the answer records it (from unknown only), so threads probing at
** once agree, and it never changes after, but for the test hook. */
static _Atomic int have_openat2 = -1;

void wm__wasi_force_walk(bool on) { atomic_store(&have_openat2, on ? 0 : -1); }

static void learn_openat2(int works) {
  int unknown = -1;
  atomic_compare_exchange_strong(&have_openat2, &unknown, works);
}

/*
** Fallback without openat2: walk the path one component at a time, asking
** the kernel to resolve only single names, always with O_NOFOLLOW. We keep
** our own stack of directory fds, so ".." pops it (and popping the bottom
** is an escape), and we expand symbolic links ourselves: their text is
** spliced into the rest of the path and walked the same way (an absolute
** target is an escape; more than 40 links is ELOOP). Returns the host fd
** or minus a preview1 errno, like open_beneath.
*/
enum { MAX_LINKS = 40 };

static int open_walk(int dirfd, const char *path, int flags, mode_t mode, bool follow) {
  size_t cap = 16, depth = 0;
  int *stack = wm__malloc(cap * sizeof *stack);
  char *rest = wm__strndup(path, strlen(path));
  char *link = wm__malloc(PATH_MAX);
  int links = 0, fd = -WE_NOMEM;
  if (!stack || !rest || !link) goto out;
  stack[0] = dirfd;
  size_t pos = 0;
  for (;;) {
    while (rest[pos] == '/') pos++;
    int top = stack[depth];
    if (!rest[pos]) { /* the path ends at a directory ("", "a/", "a/.") */
      fd = openat(top, ".", flags | O_CLOEXEC, mode);
      if (fd < 0) fd = -wm__wasi_errno(errno);
      goto out;
    }
    size_t end = pos;
    while (rest[end] && rest[end] != '/') end++;
    size_t after = end;
    while (rest[after] == '/') after++;
    bool last = !rest[after], trailing = last && end != after;
    char save = rest[end];
    rest[end] = 0;
    const char *name = rest + pos;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
      if (name[1]) { /* ".." */
        if (depth == 0) { fd = -WE_NOTCAPABLE; goto out; }
        close(stack[depth--]);
      }
      rest[end] = save;
      pos = end;
      continue;
    }
    if (!last || trailing || follow) {
      /* Look at what the name is without following it. */
      struct stat st;
      int pf = openat(top, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (pf < 0 && (!last || errno != ENOENT)) { fd = -wm__wasi_errno(errno); goto out; }
      if (pf >= 0 && fstat(pf, &st) != 0) { close(pf); fd = -wm__wasi_errno(errno); goto out; }
      bool excl_create = last && (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
      if (pf >= 0 && S_ISLNK(st.st_mode) && !excl_create) {
        ssize_t n = readlinkat(pf, "", link, PATH_MAX);
        close(pf);
        if (n < 0) { fd = -wm__wasi_errno(errno); goto out; }
        if (n >= PATH_MAX) { fd = -WE_NAMETOOLONG; goto out; }
        if (++links > MAX_LINKS) { fd = -WE_LOOP; goto out; }
        if (n == 0) { fd = -WE_NOENT; goto out; }
        if (link[0] == '/') { fd = -WE_NOTCAPABLE; goto out; }
        /* rest = link text + what followed the name (slashes included). */
        rest[end] = save;
        size_t tail = strlen(rest + end);
        char *nr = wm__malloc((size_t)n + tail + 1);
        if (!nr) { fd = -WE_NOMEM; goto out; }
        memcpy(nr, link, (size_t)n);
        memcpy(nr + n, rest + end, tail + 1);
        wm__free(rest);
        rest = nr;
        pos = 0;
        continue;
      }
      if (!last && pf >= 0) {
        if (!S_ISDIR(st.st_mode)) { close(pf); fd = -WE_NOTDIR; goto out; }
        if (depth + 1 == cap) {
          int *ns = wm__realloc(stack, 2 * cap * sizeof *ns);
          if (!ns) { close(pf); fd = -WE_NOMEM; goto out; }
          stack = ns;
          cap *= 2;
        }
        stack[++depth] = pf;
        rest[end] = save;
        pos = end;
        continue;
      }
      if (pf >= 0) close(pf);
    }
    /* The final name, not a link to follow: open it without following. */
    fd = openat(top, name, flags | (trailing ? O_DIRECTORY : 0) | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) fd = -wm__wasi_errno(errno);
    goto out;
  }
out:
  if (stack)
    for (size_t i = 1; i <= depth; i++) close(stack[i]);
  wm__free(stack);
  wm__free(rest);
  wm__free(link);
  return fd;
}

/*
** Open `path` beneath dirfd: the host fd, or minus a preview1 errno. No
** path may leave the directory: absolute paths, ".." above it and symbolic
** links pointing outside (resolved by the kernel, RESOLVE_BENEATH) all give
** ENOTCAPABLE. follow=false refuses a final symlink (ELOOP unless O_PATH).
*/
static int open_beneath(int dirfd, const char *path, int flags, mode_t mode, bool follow) {
  if (path[0] == '/') return -WE_NOTCAPABLE;
  if (path[0] == 0) return -WE_NOENT;
  if (!follow) flags |= O_NOFOLLOW;
  int openat2_state = atomic_load_explicit(&have_openat2, memory_order_relaxed);
  if (openat2_state != 0) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0) {
      if (openat2_state < 0) learn_openat2(1);
      return (int)fd;
    }
    /* Seccomp filters may answer EPERM or ENOSYS for a syscall they do
    ** not know; only trust EPERM once openat2 has worked. */
    if (errno == ENOSYS || (errno == EPERM && openat2_state < 0)) learn_openat2(0);
    else return -wm__wasi_errno(errno);
  }
  return open_walk(dirfd, path, flags, mode, follow);
}

/*
** For calls that act on a name inside a directory (mkdir, unlink, rename,
** ...): open the parent of `path` beneath the guest directory and give the
** last component. *pfd must be closed by the caller. A last component of
** "." or ".." is reported in *dots (callers must not pass it to the host,
** where "dir/.." could name the directory above the sandbox).
*/
static int resolve_parent(int dirfd, char *path, int *pfd, const char **name, bool *dots,
                          bool *trailing) {
  *pfd = -1;
  size_t len = strlen(path);
  if (len == 0) return WE_NOENT;
  if (path[0] == '/') return WE_NOTCAPABLE;
  *trailing = false;
  while (len > 1 && path[len - 1] == '/') { path[--len] = 0; *trailing = true; }
  char *slash = strrchr(path, '/');
  const char *parent = ".";
  if (slash) {
    *slash = 0;
    *name = slash + 1;
    parent = path[0] ? path : ".";
    if (!path[0]) return WE_NOTCAPABLE; /* "/x" */
  } else {
    *name = path;
  }
  *dots = strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0;
  int fd = open_beneath(dirfd, parent, O_PATH | O_DIRECTORY, 0, true);
  if (fd < 0) return -fd;
  *pfd = fd;
  return 0;
}

/* ------------------------------------------------------ read, write */

int wm__wasi_iovs_check(wm_call_ctx *ctx, uint32_t iovs_p, uint32_t niovs, const uint8_t **iovs) {
  const uint8_t *v = wm__wasi_mem(ctx, iovs_p, (uint64_t)niovs * 8);
  if (!v) return WE_FAULT;
  for (uint32_t i = 0; i < niovs; i++)
    if (!wm__wasi_mem(ctx, wm__wasi_ld32(v + 8 * (uint64_t)i), wm__wasi_ld32(v + 8 * (uint64_t)i + 4)))
      return WE_FAULT;
  *iovs = v;
  return 0;
}

int wm__wasi_iovs_batch(wm_call_ctx *ctx, const uint8_t *iovs, uint32_t niovs, uint32_t *next,
                        uint64_t done, struct iovec *batch, int max, uint64_t *want) {
  int nb = 0;
  uint64_t sum = 0;
  uint32_t i = *next;
  for (; i < niovs && nb < max; i++) {
    uint32_t len = wm__wasi_ld32(iovs + 8 * (uint64_t)i + 4);
    if (done + sum + len > UINT32_MAX) break;
    batch[nb].iov_base = wm__wasi_mem(ctx, wm__wasi_ld32(iovs + 8 * (uint64_t)i), len);
    batch[nb].iov_len = len;
    sum += len;
    nb++;
  }
  *next = i;
  *want = sum;
  return nb;
}

/* Captured output: keep what fits under the limit. */
static int buf_write(wm__wfd *e, wm_call_ctx *ctx, const uint8_t *iovs, uint32_t niovs,
                     uint64_t *total) {
  for (uint32_t i = 0; i < niovs; i++) {
    uint32_t len = wm__wasi_ld32(iovs + 8 * (uint64_t)i + 4);
    const uint8_t *p = wm__wasi_mem(ctx, wm__wasi_ld32(iovs + 8 * (uint64_t)i), len);
    if (*total + len > UINT32_MAX) break;
    size_t room = e->limit - e->len, n = len < room ? len : room;
    if (len == 0) continue; /* nothing to keep; the buffer may not exist yet */
    if (n == 0) return *total ? 0 : WE_NOSPC;
    if (e->len + n > e->cap) {
      size_t cap = e->cap ? e->cap : 256;
      while (cap < e->len + n) cap = cap > e->limit / 2 ? e->limit : cap * 2;
      uint8_t *nb = wm__realloc(e->buf, cap);
      if (!nb) return *total ? 0 : WE_NOMEM;
      e->buf = nb;
      e->cap = cap;
    }
    memcpy(e->buf + e->len, p, n);
    e->len += n;
    *total += n;
    if (n < len) break;
  }
  return 0;
}

/*
** fd_read/fd_write/fd_pread/fd_pwrite. Every iovec is checked before any
** I/O happens; then they are passed to the host in fixed-size batches.
*/
static int do_rw(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a, bool write, bool positional) {
  uint32_t fd = U32(a[0]), niovs = U32(a[2]);
  uint64_t off = positional ? U64(a[3]) : 0;
  uint32_t nret_p = U32(a[positional ? 4 : 3]);
  wm__wfd *e;
  uint64_t need = (write ? WR_FD_WRITE : WR_FD_READ) | (positional ? WR_FD_SEEK : 0);
  int rc = get_fd(w, fd, need, &e);
  if (rc) return rc;
  const uint8_t *iovs;
  uint8_t *nret = wm__wasi_mem(ctx, nret_p, 4);
  if (wm__wasi_iovs_check(ctx, U32(a[1]), niovs, &iovs) != 0 || !nret) return WE_FAULT;
  if (e->kind != WFD_HOST && positional) return WE_SPIPE;
  if (e->is_dir) return write ? WE_BADF : WE_ISDIR;

  uint64_t total = 0;
  if (e->kind == WFD_BUF_OUT || e->kind == WFD_BUF_IN) {
    if ((e->kind == WFD_BUF_OUT) != write) return WE_BADF;
    if (write) {
      rc = buf_write(e, ctx, iovs, niovs, &total);
      if (rc) return rc;
    }
    for (uint32_t i = 0; !write && i < niovs; i++) {
      uint32_t len = wm__wasi_ld32(iovs + 8 * (uint64_t)i + 4);
      uint8_t *p = wm__wasi_mem(ctx, wm__wasi_ld32(iovs + 8 * (uint64_t)i), len);
      if (total + len > UINT32_MAX) break;
      size_t n = e->len - e->pos < len ? e->len - e->pos : len;
      if (n) memcpy(p, e->buf + e->pos, n); /* an empty stdin has no buffer */
      e->pos += n;
      total += n;
      if (n < len) break;
    }
    wm__wasi_st32(nret, (uint32_t)total);
    return 0;
  }

  /* A socket takes one sendmsg(MSG_NOSIGNAL) or recvmsg: a datagram is
  ** never split, and a peer that went away is EPIPE, not SIGPIPE. */
  if (!positional && WM__WFD_IS_SOCK(e)) {
    uint32_t n = 0;
    int mflags;
    rc = wm__wasi_sock_io(e, ctx, iovs, niovs, write, 0, &n, &mflags);
    if (rc) return rc;
    wm__wasi_st32(nret, n);
    return 0;
  }
  struct iovec batch[WM__IOV_BATCH];
  uint32_t i = 0;
  while (i < niovs) {
    uint64_t want;
    int nb = wm__wasi_iovs_batch(ctx, iovs, niovs, &i, total, batch, WM__IOV_BATCH, &want);
    if (nb == 0) break;
    ssize_t n;
    do {
      if (positional) {
        n = write ? pwritev(e->host, batch, nb, (off_t)(off + total))
                  : preadv(e->host, batch, nb, (off_t)(off + total));
      } else {
        n = write ? writev(e->host, batch, nb) : readv(e->host, batch, nb);
      }
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (total) break; /* report what was done; the error shows next time */
      return wm__wasi_errno(errno);
    }
    total += (uint64_t)n;
    if ((uint64_t)n < want) break;
  }
  wm__wasi_st32(nret, (uint32_t)total);
  return 0;
}

int wm__wasi_fd_read(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) { return do_rw(w, ctx, a, false, false); }
int wm__wasi_fd_write(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) { return do_rw(w, ctx, a, true, false); }
int wm__wasi_fd_pread(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) { return do_rw(w, ctx, a, false, true); }
int wm__wasi_fd_pwrite(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) { return do_rw(w, ctx, a, true, true); }

/* A host-backed fd, for calls that only make sense on files. */
static int host_fd(wm_wasi *w, uint32_t fd, uint64_t rights, wm__wfd **out) {
  int rc = get_fd(w, fd, rights, out);
  if (rc) return rc;
  if ((*out)->kind != WFD_HOST) return WE_SPIPE;
  return 0;
}

int wm__wasi_fd_seek(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  int64_t off = a[1].of.i64;
  uint32_t whence = U32(a[2]);
  bool tell_only = off == 0 && whence == 1;
  wm__wfd *e;
  int rc = get_fd(w, U32(a[0]), tell_only ? WR_FD_TELL : WR_FD_SEEK, &e);
  if (rc) return rc;
  uint8_t *out = wm__wasi_mem(ctx, U32(a[3]), 8);
  if (!out) return WE_FAULT;
  if (whence > 2) return WE_INVAL;
  if (e->kind != WFD_HOST) return WE_SPIPE;
  if (e->is_dir) return WE_ISDIR;
  off_t r = lseek(e->host, (off_t)off, whence == 0 ? SEEK_SET : whence == 1 ? SEEK_CUR : SEEK_END);
  if (r < 0) return wm__wasi_errno(errno);
  wm__wasi_st64(out, (uint64_t)r);
  return 0;
}

int wm__wasi_fd_tell(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *e;
  int rc = get_fd(w, U32(a[0]), WR_FD_TELL, &e);
  if (rc) return rc;
  uint8_t *out = wm__wasi_mem(ctx, U32(a[1]), 8);
  if (!out) return WE_FAULT;
  if (e->kind != WFD_HOST) return WE_SPIPE;
  if (e->is_dir) return WE_ISDIR;
  off_t r = lseek(e->host, 0, SEEK_CUR);
  if (r < 0) return wm__wasi_errno(errno);
  wm__wasi_st64(out, (uint64_t)r);
  return 0;
}

int wm__wasi_fd_close(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  wm__wfd *e = wm__wasi_fd(w, U32(a[0]));
  if (!e) return WE_BADF;
  wm__wasi_fd_release(e);
  return 0;
}

/* Memory buffers have nothing to flush: sync succeeds on them. */
int wm__wasi_fd_sync(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  wm__wfd *e;
  int rc = get_fd(w, U32(a[0]), WR_FD_SYNC, &e);
  if (rc) return rc;
  if (e->kind == WFD_HOST && fsync(e->host) != 0) return wm__wasi_errno(errno);
  return 0;
}

int wm__wasi_fd_datasync(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  wm__wfd *e;
  int rc = get_fd(w, U32(a[0]), WR_FD_DATASYNC, &e);
  if (rc) return rc;
  if (e->kind == WFD_HOST && fdatasync(e->host) != 0) return wm__wasi_errno(errno);
  return 0;
}

/* ------------------------------------------------------- fd metadata */

enum { FDF_APPEND = 1, FDF_DSYNC = 2, FDF_NONBLOCK = 4, FDF_RSYNC = 8, FDF_SYNC = 16 };

int wm__wasi_fd_fdstat_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *e = wm__wasi_fd(w, U32(a[0]));
  if (!e) return WE_BADF;
  uint8_t *p = wm__wasi_mem(ctx, U32(a[1]), 24);
  if (!p) return WE_FAULT;
  uint16_t flags = 0;
  if (e->kind == WFD_HOST) {
    int fl = fcntl(e->host, F_GETFL);
    if (fl < 0) return wm__wasi_errno(errno);
    if (fl & O_APPEND) flags |= FDF_APPEND;
    if (fl & O_NONBLOCK) flags |= FDF_NONBLOCK;
    if ((fl & O_SYNC) == O_SYNC) flags |= FDF_SYNC | FDF_RSYNC;
    else if (fl & O_DSYNC) flags |= FDF_DSYNC;
  }
  memset(p, 0, 24);
  p[0] = e->filetype;
  wm__wasi_st16(p + 2, flags);
  wm__wasi_st64(p + 8, e->rights);
  wm__wasi_st64(p + 16, e->rights_inh);
  return 0;
}

/* Only APPEND and NONBLOCK can change on an open Linux fd; the sync flags
** give ENOTSUP. */
int wm__wasi_fd_fdstat_set_flags(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  wm__wfd *e;
  int rc = host_fd(w, U32(a[0]), WR_FD_FDSTAT_SET_FLAGS, &e);
  if (rc) return rc;
  uint32_t f = U32(a[1]);
  if (f & ~(uint32_t)(FDF_APPEND | FDF_NONBLOCK)) return WE_NOTSUP;
  int fl = fcntl(e->host, F_GETFL);
  if (fl < 0) return wm__wasi_errno(errno);
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (f & FDF_APPEND) fl |= O_APPEND;
  if (f & FDF_NONBLOCK) fl |= O_NONBLOCK;
  if (fcntl(e->host, F_SETFL, fl) != 0) return wm__wasi_errno(errno);
  return 0;
}

/* Rights can only be dropped. */
int wm__wasi_fd_fdstat_set_rights(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  wm__wfd *e = wm__wasi_fd(w, U32(a[0]));
  if (!e) return WE_BADF;
  uint64_t base = U64(a[1]), inh = U64(a[2]);
  if ((base & ~e->rights) || (inh & ~e->rights_inh)) return WE_NOTCAPABLE;
  e->rights = base;
  e->rights_inh = inh;
  return 0;
}

/* The filestat record: 64 bytes in preview1; 56 in snapshot 0, whose link
** count is a u32 at 20 (after the filetype byte), so every later field sits
** 8 bytes lower. */
static void put_filestat(uint8_t *p, const struct stat *st, bool snap0) {
  uint32_t lo = snap0 ? 8 : 0; /* how much lower size and the times are */
  memset(p, 0, snap0 ? WM__FILESTAT0_SIZE : WM__FILESTAT_SIZE);
  wm__wasi_st64(p, (uint64_t)st->st_dev);
  wm__wasi_st64(p + 8, (uint64_t)st->st_ino);
  p[16] = filetype_of(st->st_mode);
  if (snap0)
    wm__wasi_st32(p + 20, st->st_nlink > UINT32_MAX ? UINT32_MAX : (uint32_t)st->st_nlink);
  else
    wm__wasi_st64(p + 24, (uint64_t)st->st_nlink);
  wm__wasi_st64(p + 32 - lo, (uint64_t)st->st_size);
  wm__wasi_st64(p + 40 - lo, (uint64_t)st->st_atim.tv_sec * 1000000000u + (uint64_t)st->st_atim.tv_nsec);
  wm__wasi_st64(p + 48 - lo, (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec);
  wm__wasi_st64(p + 56 - lo, (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec);
}

static int fd_filestat_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a, bool snap0) {
  wm__wfd *e = wm__wasi_fd(w, U32(a[0]));
  if (!e) return WE_BADF;
  uint8_t *p = wm__wasi_mem(ctx, U32(a[1]), snap0 ? WM__FILESTAT0_SIZE : WM__FILESTAT_SIZE);
  if (!p) return WE_FAULT;
  struct stat st;
  memset(&st, 0, sizeof st);
  if (e->kind == WFD_HOST) {
    if (fstat(e->host, &st) != 0) return wm__wasi_errno(errno);
  } else {
    st.st_mode = S_IFCHR;
  }
  put_filestat(p, &st, snap0);
  if (WM__WFD_IS_SOCK(e)) p[16] = e->filetype; /* stat cannot tell stream from datagram */
  return 0;
}

int wm__wasi_fd_filestat_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  return fd_filestat_get(w, ctx, a, false);
}
int wm__wasi_fd_filestat_get0(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  return fd_filestat_get(w, ctx, a, true);
}

int wm__wasi_fd_filestat_set_size(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  wm__wfd *e;
  int rc = host_fd(w, U32(a[0]), 1ull << 22, &e);
  if (rc) return rc;
  if (U64(a[1]) > INT64_MAX) return WE_INVAL;
  if (ftruncate(e->host, (off_t)U64(a[1])) != 0) return wm__wasi_errno(errno);
  return 0;
}

enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };

static int make_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]) {
  if (fst & ~15u) return WE_INVAL;
  if ((fst & FST_ATIM) && (fst & FST_ATIM_NOW)) return WE_INVAL;
  if ((fst & FST_MTIM) && (fst & FST_MTIM_NOW)) return WE_INVAL;
  uint64_t v[2] = {atim, mtim};
  for (int i = 0; i < 2; i++) {
    uint32_t set = i ? FST_MTIM : FST_ATIM, now = i ? FST_MTIM_NOW : FST_ATIM_NOW;
    ts[i].tv_sec = 0;
    if (fst & set) {
      ts[i].tv_sec = (time_t)(v[i] / 1000000000u);
      ts[i].tv_nsec = (long)(v[i] % 1000000000u);
    } else {
      ts[i].tv_nsec = (fst & now) ? UTIME_NOW : UTIME_OMIT;
    }
  }
  return 0;
}

int wm__wasi_fd_filestat_set_times(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  wm__wfd *e;
  int rc = host_fd(w, U32(a[0]), 1ull << 23, &e);
  if (rc) return rc;
  struct timespec ts[2];
  rc = make_times(U64(a[1]), U64(a[2]), U32(a[3]), ts);
  if (rc) return rc;
  if (futimens(e->host, ts) != 0) return wm__wasi_errno(errno);
  return 0;
}

int wm__wasi_fd_advise(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  wm__wfd *e;
  int rc = host_fd(w, U32(a[0]), 1ull << 7, &e);
  if (rc) return rc;
  static const int adv[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                            POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  uint32_t advice = U32(a[3]);
  if (advice > 5 || U64(a[1]) > INT64_MAX || U64(a[2]) > INT64_MAX) return WE_INVAL;
  int r = posix_fadvise(e->host, (off_t)U64(a[1]), (off_t)U64(a[2]), adv[advice]);
  return r ? wm__wasi_errno(r) : 0;
}

int wm__wasi_fd_allocate(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  wm__wfd *e;
  int rc = host_fd(w, U32(a[0]), 1ull << 8, &e);
  if (rc) return rc;
  if (U64(a[1]) > INT64_MAX || U64(a[2]) > INT64_MAX || U64(a[2]) == 0) return WE_INVAL;
  int r = posix_fallocate(e->host, (off_t)U64(a[1]), (off_t)U64(a[2]));
  return r ? wm__wasi_errno(r) : 0;
}

int wm__wasi_fd_renumber(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  uint32_t from = U32(a[0]), to = U32(a[1]);
  wm__wfd *f = wm__wasi_fd(w, from), *t = wm__wasi_fd(w, to);
  if (!f || !t) return WE_BADF;
  if (from == to) return 0;
  wm__wasi_fd_release(t);
  *t = *f;
  memset(f, 0, sizeof *f);
  f->kind = WFD_FREE;
  f->host = -1;
  return 0;
}

/* ------------------------------------------------ prestat, readdir */

int wm__wasi_fd_prestat_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *e = wm__wasi_fd(w, U32(a[0]));
  if (!e || !e->preopen) return WE_BADF;
  uint8_t *p = wm__wasi_mem(ctx, U32(a[1]), 8);
  if (!p) return WE_FAULT;
  memset(p, 0, 8);
  wm__wasi_st32(p + 4, (uint32_t)strlen(e->preopen));
  return 0;
}

int wm__wasi_fd_prestat_dir_name(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *e = wm__wasi_fd(w, U32(a[0]));
  if (!e || !e->preopen) return WE_BADF;
  uint32_t len = U32(a[2]);
  uint8_t *p = wm__wasi_mem(ctx, U32(a[1]), len);
  if (!p) return WE_FAULT;
  size_t n = strlen(e->preopen);
  if (len < n) return WE_NAMETOOLONG;
  memcpy(p, e->preopen, n);
  return 0;
}

static uint8_t dtype_of(unsigned char t) {
  switch (t) {
  case DT_REG: return WFT_REG;
  case DT_DIR: return WFT_DIR;
  case DT_CHR: return WFT_CHAR;
  case DT_BLK: return WFT_BLOCK;
  case DT_LNK: return WFT_SYMLINK;
  case DT_SOCK: return WFT_SOCK_STREAM;
  default: return WFT_UNKNOWN;
  }
}

/*
** Directory entries from `cookie` on, each a 24-byte header and the name;
** the last one is cut at buf_len (the guest then asks again from its
** cookie). Cookies are the kernel's d_off values, which lseek accepts.
*/
int wm__wasi_fd_readdir(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *e;
  int rc = get_fd(w, U32(a[0]), 1ull << 14, &e);
  if (rc) return rc;
  uint32_t buf_len = U32(a[2]);
  uint8_t *buf = wm__wasi_mem(ctx, U32(a[1]), buf_len);
  uint8_t *used_p = wm__wasi_mem(ctx, U32(a[4]), 4);
  if (!buf || !used_p) return WE_FAULT;
  if (e->kind != WFD_HOST || !e->is_dir) return WE_NOTDIR;
  if (U64(a[3]) > INT64_MAX) return WE_INVAL;
  if (lseek(e->host, (off_t)U64(a[3]), SEEK_SET) < 0) return wm__wasi_errno(errno);
  enum { DBUF = 16384 };
  char *dbuf = wm__malloc(DBUF);
  if (!dbuf) return WE_NOMEM;
  uint32_t used = 0;
  while (used < buf_len) {
    ssize_t n = getdents64(e->host, dbuf, DBUF);
    if (n < 0) { rc = wm__wasi_errno(errno); goto out; }
    if (n == 0) break;
    for (ssize_t off = 0; off < n && used < buf_len;) {
      struct dirent64 *d = (struct dirent64 *)(dbuf + off);
      off += d->d_reclen;
      uint32_t namlen = (uint32_t)strlen(d->d_name);
      uint8_t hdr[24];
      memset(hdr, 0, sizeof hdr);
      wm__wasi_st64(hdr, (uint64_t)d->d_off);
      wm__wasi_st64(hdr + 8, (uint64_t)d->d_ino);
      wm__wasi_st32(hdr + 16, namlen);
      hdr[20] = dtype_of(d->d_type);
      uint32_t k = buf_len - used < 24 ? buf_len - used : 24;
      memcpy(buf + used, hdr, k);
      used += k;
      k = buf_len - used < namlen ? buf_len - used : namlen;
      memcpy(buf + used, d->d_name, k);
      used += k;
    }
  }
  wm__wasi_st32(used_p, used);
out:
  wm__free(dbuf);
  return rc;
}

/* ------------------------------------------------------------ paths */

enum { OF_CREAT = 1, OF_DIRECTORY = 2, OF_EXCL = 4, OF_TRUNC = 8 };
#define WR_READ_ANY (WR_FD_READ | (1ull << 14))
#define WR_WRITE_ANY (WR_FD_WRITE | (1ull << 8) | (1ull << 22))

int wm__wasi_path_open(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *d;
  uint32_t oflags = U32(a[4]), fdflags = U32(a[7]);
  uint64_t need = WR_PATH_OPEN | ((oflags & OF_CREAT) ? WR_PATH_CREATE_FILE : 0) |
                  ((oflags & OF_TRUNC) ? WR_PATH_FILESTAT_SET_SIZE : 0);
  int rc = get_dir(w, U32(a[0]), need, &d);
  if (rc) return rc;
  bool follow = U32(a[1]) & 1;
  uint64_t rights = U64(a[5]) & d->rights_inh, inh = U64(a[6]) & d->rights_inh;
  uint8_t *out = wm__wasi_mem(ctx, U32(a[8]), 4);
  if (!out) return WE_FAULT;
  char *path;
  rc = get_path(ctx, U32(a[2]), U32(a[3]), &path);
  if (rc) return rc;
  int flags = 0;
  if (oflags & OF_CREAT) flags |= O_CREAT;
  if (oflags & OF_DIRECTORY) flags |= O_DIRECTORY;
  if (oflags & OF_EXCL) flags |= O_EXCL;
  if (oflags & OF_TRUNC) flags |= O_TRUNC;
  if (fdflags & FDF_APPEND) flags |= O_APPEND;
  if (fdflags & FDF_NONBLOCK) flags |= O_NONBLOCK;
  if (fdflags & FDF_SYNC) flags |= O_SYNC;
  else if (fdflags & FDF_DSYNC) flags |= O_DSYNC;
  if (fdflags & FDF_RSYNC) flags |= O_RSYNC;
  /* The host fd is writable only if the guest may write through it, so a
  ** read-only pre-open (no write rights to inherit) opens files O_RDONLY
  ** even for O_APPEND. (O_TRUNC needs path_filestat_set_size, checked.) */
  bool rd = rights & WR_READ_ANY, wr = rights & WR_WRITE_ANY;
  if (wr || ((flags & (O_TRUNC | O_APPEND)) && (d->rights_inh & WR_FD_WRITE)))
    flags |= rd ? O_RDWR : O_WRONLY;
  int fd = open_beneath(d->host, path, flags, 0666, follow);
  wm__free(path);
  if (fd < 0) return -fd;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    rc = wm__wasi_errno(errno);
    close(fd);
    return rc;
  }
  wm__wfd e;
  memset(&e, 0, sizeof e);
  e.kind = WFD_HOST;
  e.host = fd;
  e.own = true;
  e.is_dir = S_ISDIR(st.st_mode);
  e.filetype = filetype_of(st.st_mode);
  /* Rights that make no sense for the kind of object are dropped, as
  ** fd_fdstat_get then shows (directories cannot seek, files have no
  ** path rights). */
  e.rights = rights & (e.is_dir ? WR_DIR_BASE : WR_FILE_BASE);
  e.rights_inh = inh;
  int g = wm__wasi_fd_add(w, &e);
  if (g < 0) {
    close(fd);
    return WE_NFILE;
  }
  wm__wasi_st32(out, (uint32_t)g);
  return 0;
}

/* Resolve (dirfd, path) for a call on a name; on success *pfd, *name. */
typedef struct named {
  char *path;
  int pfd;
  const char *name;
  bool dots, trailing;
} named;

static int get_named(wm_wasi *w, wm_call_ctx *ctx, uint32_t dirfd, uint64_t rights, uint32_t p,
                     uint32_t len, named *n) {
  n->path = NULL;
  n->pfd = -1;
  wm__wfd *d;
  int rc = get_dir(w, dirfd, rights, &d);
  if (rc) return rc;
  rc = get_path(ctx, p, len, &n->path);
  if (rc) return rc;
  return resolve_parent(d->host, n->path, &n->pfd, &n->name, &n->dots, &n->trailing);
}

static void named_done(named *n) {
  if (n->pfd >= 0) close(n->pfd);
  wm__free(n->path);
}

int wm__wasi_path_create_directory(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  named n;
  int rc = get_named(w, ctx, U32(a[0]), 1ull << 9, U32(a[1]), U32(a[2]), &n);
  if (!rc) {
    if (n.dots) rc = WE_EXIST;
    else if (mkdirat(n.pfd, n.name, 0777) != 0) rc = wm__wasi_errno(errno);
  }
  named_done(&n);
  return rc;
}

int wm__wasi_path_remove_directory(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  named n;
  int rc = get_named(w, ctx, U32(a[0]), 1ull << 25, U32(a[1]), U32(a[2]), &n);
  if (!rc) {
    if (n.dots) rc = WE_INVAL;
    else if (unlinkat(n.pfd, n.name, AT_REMOVEDIR) != 0) rc = wm__wasi_errno(errno);
  }
  named_done(&n);
  return rc;
}

int wm__wasi_path_unlink_file(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  named n;
  int rc = get_named(w, ctx, U32(a[0]), 1ull << 26, U32(a[1]), U32(a[2]), &n);
  if (!rc) {
    struct stat st;
    if (n.dots) rc = WE_ISDIR;
    else if (n.trailing && fstatat(n.pfd, n.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
             !S_ISDIR(st.st_mode))
      rc = WE_NOTDIR;
    else if (unlinkat(n.pfd, n.name, 0) != 0) rc = wm__wasi_errno(errno);
  }
  named_done(&n);
  return rc;
}

/* A trailing slash on either name of a rename or link says the source is a
** directory: for an existing non-directory that is ENOTDIR, as on Linux.
** (resolve_parent strips the slash, so the kernel never sees it.) */
static int source_must_be_dir(const named *o, bool trailing) {
  struct stat st;
  if (trailing && fstatat(o->pfd, o->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
    return WE_NOTDIR;
  return 0;
}

int wm__wasi_path_rename(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  named o, n;
  n.path = NULL;
  n.pfd = -1;
  int rc = get_named(w, ctx, U32(a[0]), 1ull << 16, U32(a[1]), U32(a[2]), &o);
  if (!rc) rc = get_named(w, ctx, U32(a[3]), 1ull << 17, U32(a[4]), U32(a[5]), &n);
  if (!rc) {
    if (o.dots || n.dots) rc = WE_BUSY;
    else if ((rc = source_must_be_dir(&o, o.trailing || n.trailing)) != 0) { /* ENOTDIR */ }
    else if (renameat(o.pfd, o.name, n.pfd, n.name) != 0) rc = wm__wasi_errno(errno);
  }
  named_done(&o);
  named_done(&n);
  return rc;
}

/*
** An absolute target is refused (ENOTCAPABLE). A relative target is stored
** as given: a link climbing out of the sandbox with ".." can be made, but
** no WASI call follows it there (every lookup resolves beneath the
** pre-opened directory).
*/
int wm__wasi_path_symlink(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  char *target;
  int rc = get_path(ctx, U32(a[0]), U32(a[1]), &target);
  if (rc) return rc;
  named n;
  rc = get_named(w, ctx, U32(a[2]), 1ull << 24, U32(a[3]), U32(a[4]), &n);
  if (!rc) {
    struct stat st;
    if (n.dots) rc = WE_EXIST;
    else if (target[0] == '/') rc = WE_NOTCAPABLE;
    else if (n.trailing) /* a new link's name cannot name a directory */
      rc = fstatat(n.pfd, n.name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? WE_EXIST : WE_NOENT;
    else if (symlinkat(target, n.pfd, n.name) != 0) rc = wm__wasi_errno(errno);
  }
  named_done(&n);
  wm__free(target);
  return rc;
}

int wm__wasi_path_readlink(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  uint32_t buf_len = U32(a[4]);
  uint8_t *buf = wm__wasi_mem(ctx, U32(a[3]), buf_len);
  uint8_t *used = wm__wasi_mem(ctx, U32(a[5]), 4);
  if (!buf || !used) return WE_FAULT;
  named n;
  int rc = get_named(w, ctx, U32(a[0]), 1ull << 15, U32(a[1]), U32(a[2]), &n);
  if (!rc) {
    ssize_t r;
    if (n.dots) rc = WE_INVAL;
    else if ((r = readlinkat(n.pfd, n.name, (char *)buf, buf_len)) < 0) rc = wm__wasi_errno(errno);
    else wm__wasi_st32(used, (uint32_t)r);
  }
  named_done(&n);
  return rc;
}

/* LOOKUP_SYMLINK_FOLLOW is refused with EINVAL (as Wasmtime does): the
** host would follow the link outside our resolver. */
int wm__wasi_path_link(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  named o, n;
  n.path = NULL;
  n.pfd = -1;
  int rc = get_named(w, ctx, U32(a[0]), 1ull << 11, U32(a[2]), U32(a[3]), &o);
  if (!rc) rc = get_named(w, ctx, U32(a[4]), 1ull << 12, U32(a[5]), U32(a[6]), &n);
  if (!rc) {
    struct stat st;
    if (o.dots || n.dots) rc = WE_PERM;
    else if ((rc = source_must_be_dir(&o, o.trailing)) != 0) { /* ENOTDIR */ }
    else if (n.trailing)
      rc = fstatat(n.pfd, n.name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? WE_EXIST : WE_NOENT;
    else if (U32(a[1]) & 1)
      rc = WE_INVAL;
    else if (linkat(o.pfd, o.name, n.pfd, n.name, 0) != 0) rc = wm__wasi_errno(errno);
  }
  named_done(&o);
  named_done(&n);
  return rc;
}

/* Open the object a path names (following a final symlink if asked) as an
** O_PATH fd beneath the guest directory. */
static int open_object(wm_wasi *w, wm_call_ctx *ctx, uint32_t dirfd, uint64_t rights, bool follow,
                       uint32_t p, uint32_t len, int *out) {
  wm__wfd *d;
  int rc = get_dir(w, dirfd, rights, &d);
  if (rc) return rc;
  char *path;
  rc = get_path(ctx, p, len, &path);
  if (rc) return rc;
  int fd = open_beneath(d->host, path, O_PATH, 0, follow);
  wm__free(path);
  if (fd < 0) return -fd;
  *out = fd;
  return 0;
}

static int path_filestat_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a, bool snap0) {
  uint8_t *p = wm__wasi_mem(ctx, U32(a[4]), snap0 ? WM__FILESTAT0_SIZE : WM__FILESTAT_SIZE);
  if (!p) return WE_FAULT;
  int fd;
  int rc = open_object(w, ctx, U32(a[0]), 1ull << 18, U32(a[1]) & 1, U32(a[2]), U32(a[3]), &fd);
  if (rc) return rc;
  struct stat st;
  if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) rc = wm__wasi_errno(errno);
  else put_filestat(p, &st, snap0);
  close(fd);
  return rc;
}

int wm__wasi_path_filestat_get(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  return path_filestat_get(w, ctx, a, false);
}
int wm__wasi_path_filestat_get0(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  return path_filestat_get(w, ctx, a, true);
}

int wm__wasi_path_filestat_set_times(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  struct timespec ts[2];
  int rc = make_times(U64(a[4]), U64(a[5]), U32(a[6]), ts);
  if (rc) return rc;
  bool follow = U32(a[1]) & 1;
  if (!follow) {
    /* The link itself: act on its name in its (checked) parent. */
    named n;
    rc = get_named(w, ctx, U32(a[0]), 1ull << 20, U32(a[2]), U32(a[3]), &n);
    if (!rc) {
      if (n.dots) rc = WE_INVAL;
      else if (utimensat(n.pfd, n.name, ts, AT_SYMLINK_NOFOLLOW) != 0) rc = wm__wasi_errno(errno);
    }
    named_done(&n);
    return rc;
  }
  /* An O_PATH fd cannot be given to futimens; its /proc name can, and it
  ** names exactly the object we resolved. */
  int fd;
  rc = open_object(w, ctx, U32(a[0]), 1ull << 20, true, U32(a[2]), U32(a[3]), &fd);
  if (rc) return rc;
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (utimensat(AT_FDCWD, proc, ts, 0) != 0) rc = wm__wasi_errno(errno);
  close(fd);
  return rc;
}

/* --------------------------------------------------- poll support */

int wm__wasi_fd_ready(wm_wasi *w, uint32_t fd, bool write, uint64_t *nbytes, int *host) {
  wm__wfd *e = wm__wasi_fd(w, fd);
  *nbytes = 0;
  *host = -1;
  if (!e) return WE_BADF;
  if (e->kind == WFD_HOST) {
    *host = e->host;
    return 0;
  }
  if ((e->kind == WFD_BUF_OUT) != write) return WE_BADF;
  if (e->kind == WFD_BUF_IN) *nbytes = e->len - e->pos;
  return 0;
}
