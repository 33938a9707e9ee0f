/* SPDX-License-Identifier: MIT */
/*
** wasi_sock.c -- the WASI preview1 socket calls (sock_accept, sock_recv,
** sock_send, sock_shutdown) on sockets the host pre-opened with
** wm_wasi_preopen_socket or wm_wasi_listen_tcp. Preview1 has no call that
** creates, binds or connects a socket, so these are all a guest can do.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi.h"

#define U32(v) ((uint32_t)(v).of.i32)

enum { FDF_NONBLOCK = 4, RIF_PEEK = 1, RIF_WAITALL = 2, ROF_TRUNCATED = 1, SDF_RD = 1, SDF_WR = 2 };

/* A socket fd holding `rights`: EBADF if no such fd, ENOTSOCK if it is not
** a socket, ENOTCAPABLE if it lacks a right (a listener cannot recv). */
static int get_sock(wm_wasi *w, uint32_t fd, uint64_t rights, wm__wfd **out) {
  wm__wfd *e = wm__wasi_fd(w, fd);
  if (!e) return WE_BADF;
  if (e->kind != WFD_HOST || !WM__WFD_IS_SOCK(e)) return WE_NOTSOCK;
  if ((e->rights & rights) != rights) return WE_NOTCAPABLE;
  *out = e;
  return 0;
}

/*
** sock_accept(fd, flags, ro_fd). The out-parameter and the fd table are
** checked before the connection is taken, so neither a bad pointer nor a
** full table (EMFILE) loses a connection. A listener
** made non-blocking with fd_fdstat_set_flags gives EAGAIN when none waits.
*/
int wm__wasi_sock_accept(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *e;
  int rc = get_sock(w, U32(a[0]), WR_SOCK_ACCEPT, &e);
  if (rc) return rc;
  uint32_t flags = U32(a[1]);
  if (flags & ~(uint32_t)FDF_NONBLOCK) return WE_INVAL;
  uint8_t *out = wm__wasi_mem(ctx, U32(a[2]), 4);
  if (!out) return WE_FAULT;
  if (!wm__wasi_fd_room(w)) return WE_MFILE; /* leave the connection queued */
  int fd;
  do {
    fd = accept4(e->host, NULL, NULL, SOCK_CLOEXEC | ((flags & FDF_NONBLOCK) ? SOCK_NONBLOCK : 0));
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return wm__wasi_errno(errno);
  wm__wfd c;
  memset(&c, 0, sizeof c);
  c.kind = WFD_HOST;
  c.host = fd;
  c.own = true;
  c.filetype = e->filetype;
  c.rights = e->rights_inh & WR_SOCK_CONN;
  c.rights_inh = 0;
  int g = wm__wasi_fd_add(w, &c);
  if (g < 0) {
    close(fd);
    return WE_NOMEM;
  }
  wm__wasi_st32(out, (uint32_t)g);
  return 0;
}

int wm__wasi_sock_io(wm__wfd *e, wm_call_ctx *ctx, const uint8_t *iovs, uint32_t niovs, bool send,
                     int flags, uint32_t *n, int *mflags) {
  /* All the buffers in one call, up to the kernel's IOV_MAX: a stream may
  ** move fewer bytes than asked, but a datagram must not be cut. */
  bool dgram = e->filetype == WFT_SOCK_DGRAM;
  uint32_t max = niovs < IOV_MAX ? niovs : IOV_MAX;
  if (dgram && niovs > IOV_MAX) return WE_MSGSIZE;
  struct iovec small[WM__IOV_BATCH], *v = small;
  if (max > WM__IOV_BATCH && !(v = wm__calloc(max, sizeof *v))) return WE_NOMEM;
  uint32_t next = 0;
  uint64_t want;
  struct msghdr mh;
  memset(&mh, 0, sizeof mh);
  mh.msg_iov = v;
  mh.msg_iovlen = (size_t)wm__wasi_iovs_batch(ctx, iovs, niovs, &next, 0, v, (int)max, &want);
  int rc = 0;
  if (dgram && next < niovs) {
    rc = WE_MSGSIZE; /* over 4 GiB in one datagram */
  } else {
    ssize_t r;
    do r = send ? sendmsg(e->host, &mh, flags | MSG_NOSIGNAL) : recvmsg(e->host, &mh, flags);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
      rc = wm__wasi_errno(errno);
    } else {
      *n = (uint32_t)r;
      *mflags = mh.msg_flags;
    }
  }
  if (v != small) wm__free(v);
  return rc;
}

/* What sock_recv and sock_send share: the socket (holding `right`), its
** checked iovec array (a[1], a[2]) and byte-count out-parameter (a[4]). */
static int sock_args(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a, uint64_t right, wm__wfd **e,
                     const uint8_t **iovs, uint8_t **nret) {
  int rc = get_sock(w, U32(a[0]), right, e);
  if (rc) return rc;
  *nret = wm__wasi_mem(ctx, U32(a[4]), 4);
  if (wm__wasi_iovs_check(ctx, U32(a[1]), U32(a[2]), iovs) != 0 || !*nret) return WE_FAULT;
  return 0;
}

/* sock_recv(fd, ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags). */
int wm__wasi_sock_recv(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *e;
  const uint8_t *iovs;
  uint8_t *nret;
  int rc = sock_args(w, ctx, a, WR_FD_READ, &e, &iovs, &nret);
  if (rc) return rc;
  uint8_t *oflags = wm__wasi_mem(ctx, U32(a[5]), 2);
  if (!oflags) return WE_FAULT;
  uint32_t riflags = U32(a[3]), n = 0;
  if (riflags & ~(uint32_t)(RIF_PEEK | RIF_WAITALL)) return WE_INVAL;
  int hf = ((riflags & RIF_PEEK) ? MSG_PEEK : 0) | ((riflags & RIF_WAITALL) ? MSG_WAITALL : 0);
  int mflags = 0;
  rc = wm__wasi_sock_io(e, ctx, iovs, U32(a[2]), false, hf, &n, &mflags);
  if (rc) return rc;
  wm__wasi_st32(nret, n);
  wm__wasi_st16(oflags, (mflags & MSG_TRUNC) ? ROF_TRUNCATED : 0);
  return 0;
}

/* sock_send(fd, si_data, si_data_len, si_flags, so_datalen). */
int wm__wasi_sock_send(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *e;
  const uint8_t *iovs;
  uint8_t *nret;
  int rc = sock_args(w, ctx, a, WR_FD_WRITE, &e, &iovs, &nret);
  if (rc) return rc;
  if (U32(a[3]) != 0) return WE_INVAL;
  uint32_t n = 0;
  int mflags;
  rc = wm__wasi_sock_io(e, ctx, iovs, U32(a[2]), true, 0, &n, &mflags);
  if (rc) return rc;
  wm__wasi_st32(nret, n);
  return 0;
}

/* sock_shutdown(fd, how): how is SDF_RD, SDF_WR or both. */
int wm__wasi_sock_shutdown(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  (void)ctx;
  wm__wfd *e;
  int rc = get_sock(w, U32(a[0]), WR_SOCK_SHUTDOWN, &e);
  if (rc) return rc;
  uint32_t how = U32(a[1]);
  if (how == 0 || how > (SDF_RD | SDF_WR)) return WE_INVAL;
  int h = how == SDF_RD ? SHUT_RD : how == SDF_WR ? SHUT_WR : SHUT_RDWR;
  if (shutdown(e->host, h) != 0) return wm__wasi_errno(errno);
  return 0;
}
