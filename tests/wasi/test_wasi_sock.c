/* SPDX-License-Identifier: MIT */
/*
** test_wasi_sock.c -- pre-opened sockets (sock_accept/recv/send/shutdown,
** fd_read/fd_write and poll_oneoff on them, EPIPE and never SIGPIPE),
** read-only pre-opened directories, the cap on captured output and on
** poll_oneoff's subscriptions.
** usage: test_wasi_sock WASI_UNIT.wasm
*/
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "wasi_test.h"

static wm_module *mod;
static const uint32_t END = 65536;

/* Instantiate wasi_unit.wasm against w (sets rt, inst, mem). */
static bool boot(wm_wasi *w) {
  wm_error err;
  if (wm_runtime_new(NULL, &rt, &err) != 0 || wm_wasi_define(w, rt, &err) != 0 ||
      wm_instance_new(rt, mod, NULL, &inst, &err) != 0) {
    printf("cannot instantiate: %s\n", err.message);
    return false;
  }
  mem = wm_memory_data(wm_instance_memory(inst, "memory"));
  return true;
}

static void halt(wm_wasi *w) {
  wm_runtime_free(rt);
  rt = NULL;
  wm_wasi_free(w);
}

/* One iovec at 0 for len bytes at 300, holding `s` if given. */
static void iov(const char *s, uint32_t len) {
  put32(0, 300);
  put32(4, len);
  if (s) memcpy(mem + 300, s, len);
}

static int connect_to(uint16_t port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof sa) != 0) {
    printf("cannot connect to port %u\n", port);
    exit(1);
  }
  return c;
}

static void test_sockets(void) {
  wm_error err;
  wm_wasi *w;
  CHECK(wm_wasi_new(&w, &err) == 0);

  /* Configuration errors; a non-socket is closed all the same. */
  int file = open("/dev/null", O_RDONLY);
  CHECK(wm_wasi_preopen_socket(w, file, NULL, &err) == WM_EINVAL);
  CHECK(fcntl(file, F_GETFD) == -1);
  CHECK(wm_wasi_preopen_socket(w, -1, NULL, &err) == WM_EINVAL);
  const char *bad[] = {"nocolon", "127.0.0.1:", ":80", "127.0.0.1:80x", "[::1:80",
                       "127.0.0.1:1234567", "127.0.0.1:99999", "127.0.0.1:65536",
                       "no.such.host.invalid:80"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    CHECK(wm_wasi_listen_tcp(w, bad[i], NULL, NULL, &err) == WM_EINVAL);

  uint32_t la, lb, us, ud;
  uint16_t pa = 0, pb = 0;
  CHECK(wm_wasi_listen_tcp(w, "127.0.0.1:0", &la, &pa, &err) == 0 && la == 3 && pa != 0);
  char taken[32];
  snprintf(taken, sizeof taken, "127.0.0.1:%u", pa);
  CHECK(wm_wasi_listen_tcp(w, taken, NULL, NULL, &err) == WM_EIO &&
        strstr(err.message, "cannot listen"));
  CHECK(wm_wasi_listen_tcp(w, "localhost:0", &lb, &pb, &err) == 0 && lb == 4);
  int sv[2], dv[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(wm_wasi_preopen_socket(w, sv[1], &us, &err) == 0 && us == 5);
  CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv) == 0);
  CHECK(wm_wasi_preopen_socket(w, dv[1], &ud, &err) == 0 && ud == 6);
  /* stdout bound to a socket whose peer is gone: EPIPE, not SIGPIPE. */
  int ov[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, ov) == 0);
  CHECK(wm_wasi_set_stdio_fd(w, 1, ov[1], &err) == 0);
  close(ov[0]);
  CHECK(wm_wasi_set_stdio_buffer(w, 0, NULL, 0, &err) == 0);
  if (!boot(w)) exit(1);
  CHECK(C("fd_fdstat_get", L(1), L(100)) == 0 && mem[100] == 6);
  iov("x", 1);
  CHECK(C("fd_write", L(1), L(0), L(1), L(200)) == EPIPE_);

  /* A listener: a socket that accepts, but cannot be read. */
  CHECK(C("fd_fdstat_get", L(la), L(100)) == 0 && mem[100] == 6 &&
        (get32(108) & (1u << 29)) && !(get32(108) & 2));
  CHECK(C("fd_prestat_get", L(la), L(100)) == EBADF_); /* not a directory */
  iov(NULL, 8);
  CHECK(C("sock_recv", L(la), L(0), L(1), L(0), L(200), L(204)) == ENOTCAPABLE_);
  CHECK(C("sock_shutdown", L(la), L(3)) == ENOTCAPABLE_);
  CHECK(C("sock_accept", L(0), L(0), L(200)) == ENOTSOCK_); /* stdin: a buffer */
  CHECK(C("sock_accept", L(99), L(0), L(200)) == EBADF_);

  /* Non-blocking: nothing waits yet. */
  CHECK(C("fd_fdstat_set_flags", L(la), L(4)) == 0);
  CHECK(C("sock_accept", L(la), L(0), L(200)) == EAGAIN_);

  /* A client connects (the kernel completes it from the backlog); poll
  ** says the listener is readable. */
  int c = connect_to(pa);
  CHECK(write(c, "ping", 4) == 4);
  memset(mem + 400, 0, 48);
  mem[400] = 0x5a; /* userdata */
  mem[408] = 1;    /* fd_read */
  put32(416, la);
  CHECK(C("poll_oneoff", L(400), L(500), L(1), L(200)) == 0 && get32(200) == 1 &&
        mem[500] == 0x5a && mem[510] == 1 && mem[508] == 0);

  /* Bad arguments take no connection. */
  CHECK(C("sock_accept", L(la), L(0), L(END - 2)) == EFAULT_);
  CHECK(C("sock_accept", L(la), L(8), L(200)) == EINVAL_);
  CHECK(C("sock_accept", L(la), L(0), L(200)) == 0);
  uint32_t n = get32(200);
  CHECK(n == 7);
  CHECK(C("fd_fdstat_get", L(n), L(100)) == 0 && mem[100] == 6 && (get32(108) & 2) &&
        (get32(108) & 64) && !(get32(108) & (1u << 29)));

  /* recv: pointers checked; PEEK leaves the bytes; flags checked. */
  iov(NULL, 2);
  CHECK(C("sock_recv", L(n), L(END - 4), L(1), L(0), L(200), L(204)) == EFAULT_);
  CHECK(C("sock_recv", L(n), L(0), L(1), L(0), L(END - 2), L(204)) == EFAULT_);
  CHECK(C("sock_recv", L(n), L(0), L(1), L(0), L(200), L(END - 1)) == EFAULT_);
  put32(4, END);
  CHECK(C("sock_recv", L(n), L(0), L(1), L(0), L(200), L(204)) == EFAULT_);
  iov(NULL, 2);
  CHECK(C("sock_recv", L(n), L(0), L(1), L(4), L(200), L(204)) == EINVAL_);
  CHECK(C("sock_recv", L(n), L(0), L(1), L(1), L(200), L(204)) == 0 && get32(200) == 2 &&
        memcmp(mem + 300, "pi", 2) == 0 && mem[204] == 0);
  iov(NULL, 16);
  CHECK(C("sock_recv", L(n), L(0), L(1), L(0), L(200), L(204)) == 0 && get32(200) == 4 &&
        memcmp(mem + 300, "ping", 4) == 0);

  /* send and fd_write reach the client; fd_read reads from it. */
  char buf[16];
  iov("pong", 4);
  CHECK(C("sock_send", L(n), L(0), L(1), L(1), L(200)) == EINVAL_);
  CHECK(C("sock_send", L(n), L(0), L(1), L(0), L(END - 1)) == EFAULT_);
  CHECK(C("sock_send", L(n), L(0), L(1), L(0), L(200)) == 0 && get32(200) == 4);
  CHECK(read(c, buf, sizeof buf) == 4 && memcmp(buf, "pong", 4) == 0);
  iov("abc", 3);
  CHECK(C("fd_write", L(n), L(0), L(1), L(200)) == 0 && get32(200) == 3);
  CHECK(read(c, buf, sizeof buf) == 3 && memcmp(buf, "abc", 3) == 0);
  CHECK(write(c, "xyz", 3) == 3);
  iov(NULL, 3);
  CHECK(C("fd_read", L(n), L(0), L(1), L(200)) == 0 && get32(200) == 3 &&
        memcmp(mem + 300, "xyz", 3) == 0);

  /* Shut down writing: the client reads end-of-file; a send after it is
  ** EPIPE, and no SIGPIPE kills this process. */
  CHECK(C("sock_shutdown", L(n), L(0)) == EINVAL_);
  CHECK(C("sock_shutdown", L(n), L(4)) == EINVAL_);
  CHECK(C("sock_shutdown", L(n), L(2)) == 0);
  CHECK(read(c, buf, sizeof buf) == 0);
  iov("late", 4);
  CHECK(C("sock_send", L(n), L(0), L(1), L(0), L(200)) == EPIPE_);
  CHECK(C("fd_write", L(n), L(0), L(1), L(200)) == EPIPE_);
  close(c);
  iov(NULL, 4);
  CHECK(C("sock_recv", L(n), L(0), L(1), L(0), L(200), L(204)) == 0 && get32(200) == 0);
  CHECK(C("fd_close", L(n)) == 0);
  CHECK(C("sock_recv", L(n), L(0), L(1), L(0), L(200), L(204)) == EBADF_);

  /* Accept with NONBLOCK: the new fd does not wait for data. */
  int c2 = connect_to(pb);
  CHECK(C("sock_accept", L(lb), L(4), L(200)) == 0);
  uint32_t m = get32(200);
  CHECK(C("fd_fdstat_get", L(m), L(100)) == 0 && (mem[102] & 4));
  CHECK(C("sock_recv", L(m), L(0), L(1), L(0), L(200), L(204)) == EAGAIN_);
  close(c2);

  /* A connected Unix stream socket: WAITALL. */
  CHECK(write(sv[0], "hello", 5) == 5);
  iov(NULL, 5);
  CHECK(C("sock_recv", L(us), L(0), L(1), L(2), L(200), L(204)) == 0 && get32(200) == 5 &&
        memcmp(mem + 300, "hello", 5) == 0);
  close(sv[0]);
  /* A datagram larger than the buffer: truncated, and the flag says so. */
  CHECK(C("fd_fdstat_get", L(ud), L(100)) == 0 && mem[100] == 5);
  CHECK(send(dv[0], "0123456789", 10, 0) == 10);
  iov(NULL, 4);
  CHECK(C("sock_recv", L(ud), L(0), L(1), L(0), L(200), L(204)) == 0 && get32(200) == 4 &&
        mem[204] == 1 && memcmp(mem + 300, "0123", 4) == 0);
  /* A datagram over more iovecs than one batch (64) is sent and received
  ** whole, through sock_* and fd_* alike. */
  CHECK(C("fd_filestat_get", L(ud), L(100)) == 0 && mem[116] == 5);
  for (uint32_t i = 0; i < 100; i++) {
    put32(1000 + 8 * i, 3000 + i);
    put32(1004 + 8 * i, 1);
    mem[3000 + i] = (uint8_t)i;
  }
  uint8_t dg[256];
  CHECK(C("sock_send", L(ud), L(1000), L(100), L(0), L(200)) == 0 && get32(200) == 100);
  CHECK(recv(dv[0], dg, sizeof dg, 0) == 100 && dg[99] == 99);
  CHECK(C("fd_write", L(ud), L(1000), L(100), L(200)) == 0 && get32(200) == 100);
  CHECK(recv(dv[0], dg, sizeof dg, 0) == 100);
  memset(mem + 3000, 0, 100);
  CHECK(send(dv[0], dg, 100, 0) == 100);
  CHECK(C("sock_recv", L(ud), L(1000), L(100), L(0), L(200), L(204)) == 0 && get32(200) == 100 &&
        mem[204] == 0 && mem[3099] == 99);
  close(dv[0]);
  halt(w);

  /* An unconnected UDP socket has nowhere to send to. */
  CHECK(wm_wasi_new(&w, &err) == 0);
  CHECK(wm_wasi_preopen_socket(w, socket(AF_INET, SOCK_DGRAM, 0), &ud, &err) == 0);
  if (!boot(w)) exit(1);
  iov("x", 1);
  CHECK(C("sock_send", L(ud), L(0), L(1), L(0), L(200)) == EDESTADDRREQ_);
  halt(w);
}

static void put_file(const char *dir, const char *name, const char *text) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  if (!f) exit(1);
  fputs(text, f);
  fclose(f);
}

static bool file_is(const char *dir, const char *name, const char *text) {
  char p[512], got[64] = {0};
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "r");
  if (!f) return false;
  size_t n = fread(got, 1, sizeof got - 1, f);
  fclose(f);
  return n == strlen(text) && memcmp(got, text, n) == 0;
}

static bool exists(const char *dir, const char *name) {
  char p[512];
  struct stat st;
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return lstat(p, &st) == 0;
}

/* path_open(dirfd, path, oflags, fdflags) with all rights asked for. */
static int32_t open_at(uint32_t dir, const char *path, uint32_t oflags, uint32_t fdflags) {
  memcpy(mem + 100, path, strlen(path));
  return C("path_open", L(dir), L(0), L(100), L(strlen(path)), L(oflags), L(~0ull), L(~0ull),
           L(fdflags), L(200));
}

static int32_t on_name(const char *fn, uint32_t dir, const char *path) {
  memcpy(mem + 100, path, strlen(path));
  return C(fn, L(dir), L(100), L(strlen(path)));
}

static void test_readonly(void) {
  wm_error err;
  wm_wasi *w;
  char dir[] = "/tmp/wasmem-ro-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  put_file(dir, "r.txt", "data");
  char sub[600];
  snprintf(sub, sizeof sub, "%s/sub", dir);
  CHECK(mkdir(sub, 0777) == 0);
  put_file(sub, "s.txt", "sub");

  CHECK(wm_wasi_new(&w, &err) == 0);
  CHECK(wm_wasi_preopen_dir(w, dir, "/ro", 2, &err) == WM_EINVAL);
  CHECK(wm_wasi_preopen_dir(w, dir, "/ro", WM_WASI_READONLY, &err) == 0);
  char rw[] = "/tmp/wasmem-rw-XXXXXX";
  CHECK(mkdtemp(rw) != NULL);
  put_file(rw, "w.txt", "rw");
  CHECK(wm_wasi_preopen_dir(w, rw, "/rw", 0, &err) == 0); /* fd 4 */
  if (!boot(w)) exit(1);

  /* A hard link is the file itself: neither way across. */
  memcpy(mem + 100, "r.txth", 6);
  CHECK(C("path_link", L(3), L(0), L(100), L(5), L(4), L(105), L(1)) == ENOTCAPABLE_);
  memcpy(mem + 100, "w.txth", 6);
  CHECK(C("path_link", L(4), L(0), L(100), L(5), L(3), L(105), L(1)) == ENOTCAPABLE_);
  CHECK(!exists(rw, "h") && !exists(dir, "h"));
  memcpy(mem + 100, "w.txth", 6); /* within the writable one: fine */
  CHECK(C("path_link", L(4), L(0), L(100), L(5), L(4), L(105), L(1)) == 0 && exists(rw, "h"));

  /* Reading works; the fd has no write rights and cannot get them. */
  CHECK(open_at(3, "r.txt", 0, 0) == 0);
  uint32_t f = get32(200);
  CHECK(C("fd_fdstat_get", L(f), L(100)) == 0 && (get32(108) & 2) && !(get32(108) & 64));
  iov(NULL, 8);
  CHECK(C("fd_read", L(f), L(0), L(1), L(200)) == 0 && get32(200) == 4 &&
        memcmp(mem + 300, "data", 4) == 0);
  iov("EVIL", 4);
  CHECK(C("fd_write", L(f), L(0), L(1), L(200)) == ENOTCAPABLE_);
  CHECK(C("fd_filestat_set_size", L(f), L(0)) == ENOTCAPABLE_);
  CHECK(C("fd_close", L(f)) == 0);
  /* O_APPEND without write rights opens, and still cannot write. */
  CHECK(open_at(3, "r.txt", 0, 1) == 0);
  f = get32(200);
  CHECK(C("fd_write", L(f), L(0), L(1), L(200)) == ENOTCAPABLE_);
  CHECK(C("fd_close", L(f)) == 0);

  /* Nothing in the tree can change. */
  CHECK(open_at(3, "new.txt", 1, 0) == ENOTCAPABLE_);    /* O_CREAT */
  CHECK(open_at(3, "r.txt", 8, 0) == ENOTCAPABLE_);      /* O_TRUNC */
  CHECK(on_name("path_create_directory", 3, "d") == ENOTCAPABLE_);
  CHECK(on_name("path_unlink_file", 3, "r.txt") == ENOTCAPABLE_);
  CHECK(on_name("path_remove_directory", 3, "sub") == ENOTCAPABLE_);
  memcpy(mem + 100, "r.txtx.txt", 10);
  CHECK(C("path_rename", L(3), L(100), L(5), L(3), L(105), L(5)) == ENOTCAPABLE_);
  CHECK(C("path_symlink", L(100), L(5), L(3), L(105), L(5)) == ENOTCAPABLE_);
  CHECK(C("path_filestat_set_times", L(3), L(0), L(100), L(5), L(0), L(0), L(2)) == ENOTCAPABLE_);

  /* A directory opened beneath it inherits read-only. */
  CHECK(open_at(3, "sub", 2, 0) == 0);
  uint32_t s = get32(200);
  CHECK(open_at(s, "x", 1, 0) == ENOTCAPABLE_);
  CHECK(on_name("path_unlink_file", s, "s.txt") == ENOTCAPABLE_);
  CHECK(open_at(s, "s.txt", 0, 0) == 0);
  CHECK(C("fd_readdir", L(3), L(1000), L(4096), L(0), L(200)) == 0 && get32(200) > 24);
  halt(w);

  CHECK(file_is(dir, "r.txt", "data") && file_is(sub, "s.txt", "sub"));
  CHECK(!exists(dir, "new.txt") && !exists(dir, "d") && !exists(dir, "x.txt") &&
        !exists(sub, "x"));
  char p[700];
  snprintf(p, sizeof p, "%s/s.txt", sub);
  unlink(p);
  rmdir(sub);
  snprintf(p, sizeof p, "%s/r.txt", dir);
  unlink(p);
  rmdir(dir);
  snprintf(p, sizeof p, "%s/w.txt", rw);
  unlink(p);
  snprintf(p, sizeof p, "%s/h", rw);
  unlink(p);
  rmdir(rw);
}

static void test_limits(void) {
  wm_error err;
  wm_wasi *w;
  CHECK(wm_wasi_new(&w, &err) == 0);
  CHECK(wm_wasi_set_stdio_buffer(w, 1, NULL, 8, &err) == 0);
  CHECK(wm_wasi_set_stdio_buffer(w, 0, NULL, 0, &err) == 0);
  if (!boot(w)) exit(1);
  iov(NULL, 4); /* an empty stdin: end of file at once */
  CHECK(C("fd_read", L(0), L(0), L(1), L(200)) == 0 && get32(200) == 0);
  size_t len;
  iov("", 0); /* before anything is kept: no buffer yet (wasi-libc does this) */
  CHECK(C("fd_write", L(1), L(0), L(1), L(200)) == 0 && get32(200) == 0);
  iov("hello", 5);
  CHECK(C("fd_write", L(1), L(0), L(1), L(200)) == 0 && get32(200) == 5);
  iov("world!", 6);
  CHECK(C("fd_write", L(1), L(0), L(1), L(200)) == 0 && get32(200) == 3);
  CHECK(C("fd_write", L(1), L(0), L(1), L(200)) == ENOSPC_);
  const uint8_t *out = wm_wasi_output(w, 1, &len);
  CHECK(len == 8 && memcmp(out, "hellowor", 8) == 0);
  iov("", 0);
  CHECK(C("fd_write", L(1), L(0), L(1), L(200)) == 0 && get32(200) == 0);
  CHECK(C("poll_oneoff", L(0), L(0), L(65537), L(200)) == ENOTSUP_);
  halt(w);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_wasi_sock WASI_UNIT.wasm\n");
    return 2;
  }
  wm_error err;
  if (wm_module_load_file(argv[1], NULL, &mod, &err) != 0) {
    printf("cannot load %s: %s\n", argv[1], err.message);
    return 1;
  }
  test_sockets();
  test_readonly();
  test_limits();
  wm_module_free(mod);
  if (failures) {
    printf("%d failure(s)\n", failures);
    return 1;
  }
  printf("test_wasi_sock: ok\n");
  return 0;
}
