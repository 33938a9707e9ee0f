/* SPDX-License-Identifier: MIT */
/*
** wasi.h -- internals shared by the WASI host module's files: wasi.c (the
** context, argument/clock/process calls and the function table) and
** wasi_fs.c (file descriptors, paths and the directory sandbox).
*/
#ifndef WM_WASI_H
#define WM_WASI_H

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include "util.h"

/* Preview1 errno values (a subset; the numbers are fixed by the ABI). */
enum {
  WE_SUCCESS = 0, WE_2BIG = 1, WE_ACCES = 2, WE_AGAIN = 6, WE_BADF = 8, WE_BUSY = 10,
  WE_EXIST = 20, WE_FAULT = 21, WE_FBIG = 22, WE_ILSEQ = 25, WE_INTR = 27, WE_INVAL = 28,
  WE_IO = 29, WE_ISDIR = 31, WE_LOOP = 32, WE_MFILE = 33, WE_MLINK = 34,
  WE_NAMETOOLONG = 37, WE_NFILE = 41, WE_NODEV = 43, WE_NOENT = 44, WE_NOMEM = 48,
  WE_NOSPC = 51, WE_NOSYS = 52, WE_NOTDIR = 54, WE_NOTEMPTY = 55, WE_NOTSUP = 58,
  WE_NOTSOCK = 57, WE_NOTTY = 59, WE_NXIO = 60, WE_OVERFLOW = 61, WE_PERM = 63, WE_PIPE = 64,
  WE_ROFS = 69, WE_SPIPE = 70, WE_TXTBSY = 74, WE_XDEV = 75, WE_NOTCAPABLE = 76,
  /* sockets */
  WE_ADDRINUSE = 3, WE_ADDRNOTAVAIL = 4, WE_CONNABORTED = 13, WE_CONNREFUSED = 14,
  WE_CONNRESET = 15, WE_DQUOT = 19, WE_HOSTUNREACH = 23, WE_ISCONN = 30, WE_MSGSIZE = 35,
  WE_NETDOWN = 38, WE_NETRESET = 39, WE_NETUNREACH = 40, WE_NOBUFS = 42, WE_NOTCONN = 53,
  WE_TIMEDOUT = 73, WE_AFNOSUPPORT = 5, WE_ALREADY = 7, WE_DESTADDRREQ = 17, WE_INPROGRESS = 26,
  WE_PROTO = 65, WE_PROTONOSUPPORT = 66, WE_PROTOTYPE = 67
};

/* Filetypes. */
enum { WFT_UNKNOWN = 0, WFT_BLOCK = 1, WFT_CHAR = 2, WFT_DIR = 3, WFT_REG = 4,
       WFT_SOCK_DGRAM = 5, WFT_SOCK_STREAM = 6, WFT_SYMLINK = 7 };

/* Rights bits we check (the rest are reported but not needed to decide). */
#define WR_FD_DATASYNC (1ull << 0)
#define WR_FD_READ (1ull << 1)
#define WR_FD_SEEK (1ull << 2)
#define WR_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define WR_FD_SYNC (1ull << 4)
#define WR_FD_TELL (1ull << 5)
#define WR_FD_WRITE (1ull << 6)
#define WR_PATH_CREATE_FILE (1ull << 10)
#define WR_PATH_OPEN (1ull << 13)
#define WR_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define WR_FD_FILESTAT_GET (1ull << 21)
#define WR_POLL_FD_READWRITE (1ull << 27)
#define WR_SOCK_SHUTDOWN (1ull << 28)
#define WR_SOCK_ACCEPT (1ull << 29)
#define WR_ALL ((1ull << 30) - 1)
/* Rights that change a file system: what a read-only pre-open withholds
** (fd_write, fd_allocate, path_create_directory/file, path_link_source and
** _target, path_rename_source/target, path_filestat_set_size/times,
** fd_filestat_set_size/times, path_symlink, path_remove_directory,
** path_unlink_file). Linking counts as a change on both sides: a hard link
** made in a writable directory to a read-only file is that file, writable. */
#define WR_MODIFY (WR_FD_WRITE | (1ull << 8) | (1ull << 9) | (1ull << 10) | (1ull << 11) | \
                   (1ull << 12) | (1ull << 16) | (1ull << 17) | (1ull << 19) | (1ull << 20) | \
                   (1ull << 22) | (1ull << 23) | (1ull << 24) | (1ull << 25) | (1ull << 26))
/* A listening socket accepts and polls; a connected one reads, writes,
** polls and shuts down. */
#define WR_SOCK_LISTEN (WR_SOCK_ACCEPT | WR_POLL_FD_READWRITE | WR_FD_FDSTAT_SET_FLAGS | \
                        WR_FD_FILESTAT_GET)
#define WR_SOCK_CONN (WR_FD_READ | WR_FD_WRITE | WR_POLL_FD_READWRITE | WR_SOCK_SHUTDOWN | \
                      WR_FD_FDSTAT_SET_FLAGS | WR_FD_FILESTAT_GET)
/* Rights of stdio bound to host fds: no truncating, re-timing, allocating
** or fcntl flags, which would reach the host's own terminal or files. */
#define WR_STDIO (WR_FD_READ | WR_FD_WRITE | WR_FD_SEEK | WR_FD_TELL | WR_FD_SYNC | \
                  WR_FD_DATASYNC | (1ull << 7) | (1ull << 21) | (1ull << 27))
/* Rights a directory can hold: no reading, writing or seeking of bytes. */
#define WR_DIR_BASE (WR_ALL & ~(WR_FD_READ | WR_FD_SEEK | WR_FD_TELL | WR_FD_WRITE | \
                              (1ull << 7) | (1ull << 8) | (1ull << 22)))
/* Rights a non-directory can hold: none of the path_* or readdir rights. */
#define WR_FILE_BASE (WR_ALL & ~((1ull << 9) | (1ull << 10) | (1ull << 11) | (1ull << 12) | \
                               (1ull << 13) | (1ull << 14) | (1ull << 15) | (1ull << 16) | \
                               (1ull << 17) | (1ull << 18) | (1ull << 19) | (1ull << 20) | \
                               (1ull << 24) | (1ull << 25) | (1ull << 26)))

/* What a guest fd is. */
typedef enum wfd_kind {
  WFD_FREE = 0,
  WFD_HOST,      /* a host fd: file, directory, tty, pipe */
  WFD_BUF_OUT,   /* captured stdout/stderr */
  WFD_BUF_IN     /* stdin fed from memory */
} wfd_kind;

typedef struct wm__wfd {
  wfd_kind kind;
  int host;              /* WFD_HOST: the host fd */
  bool own;              /* close host when the guest closes it */
  bool is_dir;           /* directory: path calls are relative to it */
  bool unbound;          /* stdio on host fd `host`, not yet examined:
                         ** wm__wasi_fd does that (wm__wasi_bind_std) at
                         ** first use, so that a context costs no fstat */
  uint8_t filetype;
  uint16_t fdflags;
  uint64_t rights, rights_inh;
  char *preopen;         /* guest name of a pre-opened directory, or NULL */
  uint8_t *buf;          /* WFD_BUF_*: bytes (owned) */
  size_t len, cap, pos;  /* WFD_BUF_IN reads from pos */
  size_t limit;          /* WFD_BUF_OUT: most bytes kept */
} wm__wfd;

struct wm_wasi {
  char **argv; uint32_t argc;
  char **env; uint32_t nenv, cap_env;
  wm__wfd *fds; uint32_t nfds, cap_fds;
  bool exited;           /* under group->mu once threads exist */
  int exit_code;
  /* wasi-threads (wasi_threads.c): the thread group, and `io`, which every
  ** WASI call but proc_exit, sched_yield and thread-spawn holds once
  ** `threaded` is set (at the first thread-spawn), since the fd table and
  ** the context are shared by all the group's threads. */
  struct wm__wgroup *group;
  atomic_bool threaded;
  pthread_mutex_t io;
};
typedef struct wm__wgroup wm__wgroup;

/* wasi_threads.c: make and free w->group (wm_wasi_new, wm_wasi_free; the
** free ends the group and waits for its threads). */
int wm__wasi_threads_init(wm_wasi *w);
void wm__wasi_threads_free(wm_wasi *w);
/* wasi_threads.c: define the `wasi` module (thread-spawn) in rt. */
int wm__wasi_define_threads(wm_wasi *w, wm_runtime *rt, wm_error *err);
/* wasi_threads.c: proc_exit(code) from ctx's thread: the first exit is
** the process's; with threads it ends the group (stopping the others). */
void wm__wasi_exit(wm_wasi *w, wm_call_ctx *ctx, int code);
/* wasi_threads.c: whether ctx's runtime was stopped (its group ended). */
bool wm__wasi_stopped(wm_call_ctx *ctx);
/* wasi_threads.c: the main thread's call returned rc (wm_wasi_run): end
** the group, wait for its threads, and return the process's outcome. */
int wm__wasi_threads_finish(wm_wasi *w, int rc, wm_error *err);
/* wasi_threads.c, with `io` held and w->threaded: poll pfd[0..n) plus the
** group's stop eventfd (pfd must have room for n + 1) with `io` released;
** poll's result, or -2 when the group ended. */
int wm__wasi_block(wm_wasi *w, struct pollfd *pfd, nfds_t n, int timeout_ms);
/* wasi_threads.c, likewise: wait until guest fd `fd` (a pipe, terminal or
** socket) is readable: 0, or -1 when the group ended meanwhile. */
int wm__wasi_wait_readable(wm_wasi *w, uint32_t fd);

/* wasi.c: the one bounds-checked path from a guest offset to host memory.
** NULL when [off, off+len) is not inside the caller's memory 0 (or there is
** none); callers turn that into WE_FAULT. */
uint8_t *wm__wasi_mem(wm_call_ctx *ctx, uint64_t off, uint64_t len);
/* Little-endian stores and loads on checked pointers. */
void wm__wasi_st16(uint8_t *p, uint16_t v);
void wm__wasi_st32(uint8_t *p, uint32_t v);
void wm__wasi_st64(uint8_t *p, uint64_t v);
uint32_t wm__wasi_ld32(const uint8_t *p);
uint64_t wm__wasi_ld64(const uint8_t *p);
/* Host errno -> preview1 errno. */
int wm__wasi_errno(int host_errno);

/* wasi_fs.c: guest iovec arrays (8 bytes each: offset, length). Check
** that the array and every buffer it names are inside memory: 0, or
** WE_FAULT. */
int wm__wasi_iovs_check(wm_call_ctx *ctx, uint32_t iovs_p, uint32_t niovs, const uint8_t **iovs);
/* Fill batch[0..max) with host iovecs for the checked iovecs from *next
** on, stopping before the byte count would pass UINT32_MAX - done; returns
** how many, and their total in *want. */
struct iovec;
int wm__wasi_iovs_batch(wm_call_ctx *ctx, const uint8_t *iovs, uint32_t niovs, uint32_t *next,
                        uint64_t done, struct iovec *batch, int max, uint64_t *want);
enum { WM__IOV_BATCH = 64 };

/* wasi.c: bind a stdio entry to host fd `host` now (its file type and
** rights from fstat). */
void wm__wasi_bind_std(wm__wfd *e, int host);

/* wasi_fs.c: the fd table. An entry returned is bound (never unbound). */
wm__wfd *wm__wasi_fd(wm_wasi *w, uint32_t fd);
/* Append an fd entry; returns its number, or -1 (no memory, or too many). */
int wm__wasi_fd_add(wm_wasi *w, const wm__wfd *e);
/* Whether one more fd entry fits (a free slot, or room below the limit). */
bool wm__wasi_fd_room(const wm_wasi *w);
void wm__wasi_fd_release(wm__wfd *e);

/*
** A WASI call: args are the wasm arguments. Returns a preview1 errno (>= 0)
** placed in the i32 result, or a negative WM_TRAP_* code to trap.
*/
typedef int (*wm__wasi_fn)(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a);

/* wasi_fs.c: the fd_* and path_* calls and poll_oneoff's fd part, each with
** its parameters spelled as a name: 'i' an i32, 'I' an i64 (wasi.c has a
** static list of each spelling, P_<sig>). */
#define WM__WASI_FS_FUNCS(X)                                                  \
  X(fd_advise, iIIi) X(fd_allocate, iII) X(fd_close, i)                       \
  X(fd_datasync, i) X(fd_fdstat_get, ii) X(fd_fdstat_set_flags, ii)           \
  X(fd_fdstat_set_rights, iII) X(fd_filestat_get, ii)                         \
  X(fd_filestat_set_size, iI) X(fd_filestat_set_times, iIIi)                  \
  X(fd_pread, iiiIi) X(fd_prestat_get, ii) X(fd_prestat_dir_name, iii)        \
  X(fd_pwrite, iiiIi) X(fd_read, iiii) X(fd_readdir, iiiIi)                   \
  X(fd_renumber, ii) X(fd_seek, iIii) X(fd_sync, i) X(fd_tell, ii)            \
  X(fd_write, iiii) X(path_create_directory, iii)                            \
  X(path_filestat_get, iiiii) X(path_filestat_set_times, iiiiIIi)             \
  X(path_link, iiiiiii) X(path_open, iiiiiIIii)                               \
  X(path_readlink, iiiiii) X(path_remove_directory, iii)                      \
  X(path_rename, iiiiii) X(path_symlink, iiiii)                               \
  X(path_unlink_file, iii)

#define WM__WASI_DECL(name, sig) int wm__wasi_##name(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a);
WM__WASI_FS_FUNCS(WM__WASI_DECL)
#undef WM__WASI_DECL

/* wasi_fs.c: the snapshot-0 (wasi_unstable) forms of the two filestat
** calls, which write the older, shorter record (see put_filestat). The rest
** of wasi_unstable is preview1's functions as they are (wasi.c). */
enum { WM__FILESTAT_SIZE = 64, WM__FILESTAT0_SIZE = 56 };
int wm__wasi_fd_filestat_get0(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a);
int wm__wasi_path_filestat_get0(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a);

/* wasi_sock.c: one recvmsg (send false) or sendmsg (MSG_NOSIGNAL) over
** all the checked iovecs, for sock_recv/sock_send and for fd_read/fd_write
** on a socket: a datagram is never split. *n receives the byte count and
** *mflags the message flags; the result is 0 or a preview1 errno. */
int wm__wasi_sock_io(wm__wfd *e, wm_call_ctx *ctx, const uint8_t *iovs, uint32_t niovs, bool send,
                     int flags, uint32_t *n, int *mflags);

/* wasi_sock.c: the socket calls. */
int wm__wasi_sock_accept(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a);
int wm__wasi_sock_recv(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a);
int wm__wasi_sock_send(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a);
int wm__wasi_sock_shutdown(wm_wasi *w, wm_call_ctx *ctx, const wm_val *a);
/* True for a socket entry (its writes go through send(MSG_NOSIGNAL)). */
#define WM__WFD_IS_SOCK(e) ((e)->filetype == WFT_SOCK_STREAM || (e)->filetype == WFT_SOCK_DGRAM)

/* wasi_fs.c: tests only -- make path lookups use the portable walk instead
** of openat2, to test the fallback on kernels that have openat2. */
void wm__wasi_force_walk(bool on);

/* wasi_fs.c: readiness of a guest fd for poll_oneoff: 0 ready (with the
** bytes available in *nbytes where known), or a preview1 errno. */
int wm__wasi_fd_ready(wm_wasi *w, uint32_t fd, bool write, uint64_t *nbytes, int *host_fd);

#endif
