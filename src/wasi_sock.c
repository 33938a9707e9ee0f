/*
** wasi_sock.c -- the WASI preview1 socket calls (sock_accept, sock_recv,
** sock_send, sock_shutdown) on sockets the host pre-opened with
** wm_wasi_preopen_socket or wm_wasi_listen_tcp. Preview1 has no call that
** creates, binds or connects a socket, so these are all a guest can do.
*/
#define _GNU_SOURCE
#include <errno.h>
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
** sock_accept(fd, flags, ro_fd). The out-parameter is checked before the
** connection is taken, so a bad pointer loses no connection. A listener
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
    return WE_NFILE;
  }
  wm__wasi_st32(out, (uint32_t)g);
  return 0;
}

/*
** What sock_recv and sock_send share: the socket (holding `right`), its
** iovec array (a[1], a[2]) and the byte-count out-parameter (a[nret_i]),
** all checked, and a msghdr over up to WM__IOV_BATCH of the buffers. One
** call moves at most that many: a short transfer is allowed, and a second
** one could block where the first did not.
*/
static int sock_msg(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a, uint64_t right, int nret_i,
                    wm__wfd **e, struct msghdr *mh, struct iovec *batch, uint8_t **nret) {
  int rc = get_sock(w, U32(a[0]), right, e);
  if (rc) return rc;
  const uint8_t *iovs;
  *nret = wm__wasi_mem(ctx, U32(a[nret_i]), 4);
  if (wm__wasi_iovs_check(ctx, U32(a[1]), U32(a[2]), &iovs) != 0 || !*nret) return WE_FAULT;
  uint32_t next = 0;
  uint64_t want;
  memset(mh, 0, sizeof *mh);
  mh->msg_iov = batch;
  mh->msg_iovlen =
      (size_t)wm__wasi_iovs_batch(ctx, iovs, U32(a[2]), &next, 0, batch, WM__IOV_BATCH, &want);
  return 0;
}

/* sock_recv(fd, ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags). */
int wm__wasi_sock_recv(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *e;
  struct msghdr mh;
  struct iovec batch[WM__IOV_BATCH];
  uint8_t *nret;
  uint32_t riflags = U32(a[3]);
  int rc = sock_msg(w, ctx, a, WR_FD_READ, 4, &e, &mh, batch, &nret);
  if (rc) return rc;
  uint8_t *oflags = wm__wasi_mem(ctx, U32(a[5]), 2);
  if (!oflags) return WE_FAULT;
  if (riflags & ~(uint32_t)(RIF_PEEK | RIF_WAITALL)) return WE_INVAL;
  int hf = ((riflags & RIF_PEEK) ? MSG_PEEK : 0) | ((riflags & RIF_WAITALL) ? MSG_WAITALL : 0);
  ssize_t n;
  do n = recvmsg(e->host, &mh, hf);
  while (n < 0 && errno == EINTR);
  if (n < 0) return wm__wasi_errno(errno);
  wm__wasi_st32(nret, (uint32_t)n);
  wm__wasi_st16(oflags, (mh.msg_flags & MSG_TRUNC) ? ROF_TRUNCATED : 0);
  return 0;
}

/* sock_send(fd, si_data, si_data_len, si_flags, so_datalen): MSG_NOSIGNAL,
** so a peer that went away is EPIPE for the guest, not SIGPIPE for us. */
int wm__wasi_sock_send(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a) {
  wm__wfd *e;
  struct msghdr mh;
  struct iovec batch[WM__IOV_BATCH];
  uint8_t *nret;
  int rc = sock_msg(w, ctx, a, WR_FD_WRITE, 4, &e, &mh, batch, &nret);
  if (rc) return rc;
  if (U32(a[3]) != 0) return WE_INVAL;
  ssize_t n;
  do n = sendmsg(e->host, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return wm__wasi_errno(errno);
  wm__wasi_st32(nret, (uint32_t)n);
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
