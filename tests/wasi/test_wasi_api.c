/* SPDX-License-Identifier: MIT */
/*
** test_wasi_api.c -- the WASI C API and the guest-pointer checks: every
** out-of-range pointer (iovecs, buffers, paths, out-parameters) must give
** errno EFAULT (21) and leave host state untouched; captured stdio, stdin
** from memory, args/env, preopens and proc_exit's code.
** usage: test_wasi_api WASI_UNIT.wasm
*/
#include "wasi_test.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_wasi_api WASI_UNIT.wasm\n");
    return 2;
  }
  wm_error err;
  wm_wasi *w;
  CHECK(wm_wasi_new(&w, &err) == 0);

  /* Configuration errors. */
  CHECK(wm_wasi_add_env(w, "=x", &err) == WM_EINVAL);
  CHECK(wm_wasi_add_env(w, "novalue", &err) == WM_EINVAL);
  CHECK(wm_wasi_set_stdio_fd(w, 3, 1, &err) == WM_EINVAL);
  CHECK(wm_wasi_set_stdio_buffer(w, 1, "x", 1, &err) == WM_EINVAL);
  CHECK(wm_wasi_preopen_dir(w, "/no/such/dir/at/all", "/x", 0, &err) == WM_EIO);
  int code = -1;
  CHECK(!wm_wasi_exit_code(w, &code));

  const char *args[] = {"prog", "arg one"};
  CHECK(wm_wasi_set_args(w, 2, args, &err) == 0);
  CHECK(wm_wasi_add_env(w, "A=1", &err) == 0);
  CHECK(wm_wasi_add_env(w, "A=22", &err) == 0); /* replaces */
  CHECK(wm_wasi_set_stdio_buffer(w, 1, NULL, 0, &err) == 0);
  CHECK(wm_wasi_set_stdio_buffer(w, 0, "input", 5, &err) == 0);
  char tmpl[] = "/tmp/wasmem-wasi-XXXXXX";
  CHECK(mkdtemp(tmpl) != NULL);
  CHECK(wm_wasi_preopen_dir(w, tmpl, "/t", 0, &err) == 0);

  wm_module *mod;
  if (wm_module_load_file(argv[1], NULL, &mod, &err) != 0) {
    printf("cannot load %s: %s\n", argv[1], err.message);
    return 1;
  }
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  CHECK(wm_wasi_define(w, rt, &err) == 0);
  if (wm_instance_new(rt, mod, NULL, &inst, &err) != 0) {
    printf("cannot instantiate: %s\n", err.message);
    return 1;
  }
  mem = wm_memory_data(wm_instance_memory(inst, "memory"));
  const uint32_t END = 65536;
  size_t outlen;

  /* fd_write: iovec array, buffers and nwritten all checked; nothing is
  ** written when any of them is bad, even if earlier iovecs were fine. */
  memcpy(mem + 100, "hello", 5);
  put32(0, 100); put32(4, 5);          /* good iovec */
  put32(8, END - 2); put32(12, 10);    /* buffer runs off the end */
  put32(16, 0xFFFFFFF0u); put32(20, 0x20); /* offset+len wraps 32 bits */
  CHECK(C("fd_write", L(1), L(END - 4), L(1), L(200)) == EFAULT_);     /* array straddles */
  CHECK(C("fd_write", L(1), L(0x7FFFFFF0), L(1), L(200)) == EFAULT_);  /* array outside */
  CHECK(C("fd_write", L(1), L(0), L(0x20000000), L(200)) == EFAULT_);  /* count*8 huge */
  CHECK(C("fd_write", L(1), L(0), L(2), L(200)) == EFAULT_);           /* 2nd buffer bad */
  CHECK(C("fd_write", L(1), L(16), L(1), L(200)) == EFAULT_);          /* wrapping buffer */
  CHECK(C("fd_write", L(1), L(0), L(1), L(END - 3)) == EFAULT_);       /* nwritten */
  CHECK(C("fd_write", L(1), L(0), L(1), L(-1)) == EFAULT_);
  wm_wasi_output(w, 1, &outlen);
  CHECK(outlen == 0);
  CHECK(C("fd_write", L(1), L(0), L(1), L(200)) == 0 && get32(200) == 5);
  const uint8_t *out = wm_wasi_output(w, 1, &outlen);
  CHECK(outlen == 5 && memcmp(out, "hello", 5) == 0);
  CHECK(C("fd_pwrite", L(1), L(0), L(1), L(0), L(200)) != 0); /* a buffer has no position */

  /* fd_read from the stdin buffer. */
  put32(0, 300); put32(4, 3);
  CHECK(C("fd_read", L(0), L(0), L(2), L(200)) == EFAULT_);
  CHECK(C("fd_read", L(0), L(0), L(1), L(200)) == 0 && get32(200) == 3 && memcmp(mem + 300, "inp", 3) == 0);
  CHECK(C("fd_read", L(0), L(0), L(1), L(200)) == 0 && get32(200) == 2 && memcmp(mem + 300, "ut", 2) == 0);
  CHECK(C("fd_read", L(0), L(0), L(1), L(200)) == 0 && get32(200) == 0);
  CHECK(C("fd_read", L(1), L(0), L(1), L(200)) == EBADF_);

  /* Stdio on host fds is examined when the guest first uses it, so a
  ** rebinding after the context was defined shows: a regular file is
  ** WFT_REG (4) with the seek right, a pipe WFT_CHAR (2) without. */
  char ftmpl[] = "/tmp/wasmem-wasi-stdio-XXXXXX";
  int reg = mkstemp(ftmpl), pfd[2];
  CHECK(reg >= 0 && pipe(pfd) == 0);
  unlink(ftmpl);
  CHECK(wm_wasi_set_stdio_fd(w, 2, reg, &err) == 0);
  CHECK(C("fd_fdstat_get", L(2), L(400)) == 0 && mem[400] == 4 && (get32(408) & 4));
  CHECK(wm_wasi_set_stdio_fd(w, 2, pfd[1], &err) == 0);
  CHECK(C("fd_fdstat_get", L(2), L(400)) == 0 && mem[400] == 2 && !(get32(408) & 4));
  CHECK(C("fd_fdstat_get", L(2), L(END - 4)) == EFAULT_);
  CHECK(wm_wasi_set_stdio_fd(w, 2, 2, &err) == 0);
  close(reg);
  close(pfd[0]);
  close(pfd[1]);

  /* args and environ. */
  CHECK(C("args_sizes_get", L(END - 2), L(0)) == EFAULT_);
  CHECK(C("args_sizes_get", L(0), L(4)) == 0 && get32(0) == 2 && get32(4) == 13);
  CHECK(C("args_get", L(END - 4), L(100)) == EFAULT_);
  CHECK(C("args_get", L(0), L(END - 12)) == EFAULT_);
  CHECK(C("args_get", L(0), L(100)) == 0 && get32(0) == 100 && get32(4) == 105 &&
        strcmp((char *)mem + 105, "arg one") == 0);
  CHECK(C("environ_sizes_get", L(0), L(4)) == 0 && get32(0) == 1 && get32(4) == 5);
  CHECK(C("environ_get", L(0), L(100)) == 0 && strcmp((char *)mem + 100, "A=22") == 0);

  /* random, clocks. */
  CHECK(C("random_get", L(END - 10), L(11)) == EFAULT_);
  CHECK(C("random_get", L(0), L(END)) == 0);
  CHECK(C("clock_time_get", L(1), L(0), L(END - 7)) == EFAULT_);
  CHECK(C("clock_time_get", L(7), L(0), L(0)) == EINVAL_);
  CHECK(C("clock_time_get", L(1), L(0), L(END - 8)) == 0);

  /* poll_oneoff: subscriptions and events are guest-sized arrays. */
  CHECK(C("poll_oneoff", L(END - 40), L(0), L(1), L(200)) == EFAULT_);
  CHECK(C("poll_oneoff", L(0), L(END - 16), L(1), L(200)) == EFAULT_);
  CHECK(C("poll_oneoff", L(0), L(100), L(2000), L(200)) == EFAULT_); /* 96,000 bytes */
  memset(mem, 0, 48);
  mem[8] = 0; /* clock, relative timeout 0 */
  CHECK(C("poll_oneoff", L(0), L(100), L(1), L(200)) == 0 && get32(200) == 1);

  /* Paths and pre-opens. */
  CHECK(C("fd_prestat_get", L(3), L(END - 4)) == EFAULT_);
  CHECK(C("fd_prestat_get", L(3), L(0)) == 0 && get32(4) == 2);
  CHECK(C("fd_prestat_get", L(1), L(0)) == EBADF_);
  CHECK(C("fd_prestat_dir_name", L(3), L(END - 1), L(2)) == EFAULT_);
  CHECK(C("fd_prestat_dir_name", L(3), L(0), L(2)) == 0 && memcmp(mem, "/t", 2) == 0);
  memcpy(mem + 100, "f.txt", 5);
  CHECK(C("path_open", L(3), L(0), L(END - 3), L(5), L(1), L(~0ull), L(~0ull), L(0), L(200)) == EFAULT_);
  CHECK(C("path_open", L(3), L(0), L(100), L(0xFFFFFFFF), L(1), L(~0ull), L(~0ull), L(0), L(200)) == EFAULT_);
  CHECK(C("path_open", L(3), L(0), L(100), L(5), L(1), L(~0ull), L(~0ull), L(0), L(END - 1)) == EFAULT_);
  char host[256];
  snprintf(host, sizeof host, "%s/f.txt", tmpl);
  struct stat st;
  CHECK(stat(host, &st) != 0); /* none of the bad calls created it */
  CHECK(C("path_open", L(3), L(0), L(100), L(5), L(1), L(~0ull), L(~0ull), L(0), L(200)) == 0);
  uint32_t fd = get32(200);
  CHECK(stat(host, &st) == 0);
  memcpy(mem + 100, "f\0txt", 5);
  CHECK(C("path_open", L(3), L(0), L(100), L(5), L(0), L(~0ull), L(~0ull), L(0), L(200)) == EINVAL_);
  memcpy(mem + 100, "../x", 4);
  CHECK(C("path_open", L(3), L(0), L(100), L(4), L(1), L(~0ull), L(~0ull), L(0), L(200)) == ENOTCAPABLE_);
  CHECK(C("path_create_directory", L(3), L(100), L(4)) == ENOTCAPABLE_);
  CHECK(C("path_create_directory", L(3), L(END - 1), L(4)) == EFAULT_);
  CHECK(C("path_filestat_get", L(3), L(0), L(END - 1), L(2), L(0)) == EFAULT_);
  memcpy(mem + 100, "f.txt", 5);
  CHECK(C("path_filestat_get", L(3), L(0), L(100), L(5), L(END - 63)) == EFAULT_);
  CHECK(C("path_filestat_get", L(3), L(0), L(100), L(5), L(1000)) == 0 && mem[1016] == 4);
  CHECK(C("path_symlink", L(END - 2), L(10), L(3), L(100), L(5)) == EFAULT_);
  CHECK(C("fd_readdir", L(3), L(END - 100), L(200), L(0), L(200)) == EFAULT_);
  CHECK(C("fd_readdir", L(3), L(1000), L(4096), L(0), L(END - 2)) == EFAULT_);
  CHECK(C("fd_readdir", L(3), L(1000), L(4096), L(0), L(200)) == 0 && get32(200) > 24);
  CHECK(C("fd_seek", L(fd), L(0), L(0), L(END - 4)) == EFAULT_);
  CHECK(C("fd_seek", L(fd), L(0), L(3), L(200)) == EINVAL_);
  CHECK(C("fd_close", L(fd)) == 0);
  CHECK(C("fd_close", L(fd)) == EBADF_);
  CHECK(C("sock_send", L(1), L(0), L(0), L(0), L(200)) == ENOTSOCK_);
  CHECK(C("sock_send", L(99), L(0), L(0), L(0), L(200)) == EBADF_);

  /* The same escapes through the portable walk used without openat2. */
  wm__wasi_force_walk(true);
  memcpy(mem + 100, "../x", 4);
  CHECK(C("path_open", L(3), L(0), L(100), L(4), L(1), L(~0ull), L(~0ull), L(0), L(200)) == ENOTCAPABLE_);
  memcpy(mem + 100, "/etc", 4);
  CHECK(C("path_open", L(3), L(0), L(100), L(4), L(0), L(~0ull), L(~0ull), L(0), L(200)) == ENOTCAPABLE_);
  memcpy(mem + 100, "d", 1);
  CHECK(C("path_create_directory", L(3), L(100), L(1)) == 0);
  memcpy(mem + 100, "d/../f.txt", 10); /* stays inside: fine */
  CHECK(C("path_open", L(3), L(0), L(100), L(10), L(0), L(~0ull), L(~0ull), L(0), L(200)) == 0);
  CHECK(C("fd_close", L(get32(200))) == 0);
  memcpy(mem + 100, "/etcevil", 8);
  CHECK(C("path_symlink", L(100), L(4), L(3), L(104), L(4)) == ENOTCAPABLE_);
  memcpy(mem + 100, "../..evil", 9);
  CHECK(C("path_symlink", L(100), L(5), L(3), L(105), L(4)) == 0);
  memcpy(mem + 100, "evil/passwd", 11);
  CHECK(C("path_open", L(3), L(1), L(100), L(11), L(0), L(~0ull), L(~0ull), L(0), L(200)) == ENOTCAPABLE_);
  CHECK(C("path_open", L(3), L(1), L(100), L(4), L(0), L(~0ull), L(~0ull), L(0), L(200)) != 0);
  CHECK(C("path_filestat_get", L(3), L(1), L(100), L(4), L(1000)) != 0);
  CHECK(C("path_filestat_get", L(3), L(0), L(100), L(4), L(1000)) == 0 && mem[1016] == 7);
  memcpy(mem + 100, "evil/x", 6);
  CHECK(C("path_create_directory", L(3), L(100), L(6)) == ENOTCAPABLE_);
  wm__wasi_force_walk(false);
  snprintf(host, sizeof host, "%s/evil", tmpl);
  CHECK(unlink(host) == 0);
  snprintf(host, sizeof host, "%s/d", tmpl);
  CHECK(rmdir(host) == 0);
  snprintf(host, sizeof host, "%s/f.txt", tmpl);
  unlink(host);

  /* proc_exit traps with WM_TRAP_EXIT and records the code. */
  CHECK(C("proc_exit", L(7)) == -1 && last_rc == WM_TRAP_EXIT);
  CHECK(wm_wasi_exit_code(w, &code) && code == 7);

  wm_runtime_free(rt);
  wm_module_free(mod);
  wm_wasi_free(w);
  rmdir(tmpl);

  /* Every allocation of configuring and defining can fail: each failure
  ** must come back as WM_ENOMEM and leak nothing (ASan/valgrind check). */
  bool completed = false;
  for (long n = 0; n < 200 && !completed; n++) {
    wm__alloc_fail_after(n);
    wm_wasi *w2 = NULL;
    wm_runtime *rt2 = NULL;
    int rc = wm_wasi_new(&w2, &err);
    if (rc == 0) rc = wm_wasi_set_args(w2, 2, args, &err);
    if (rc == 0) rc = wm_wasi_add_env(w2, "K=V", &err);
    if (rc == 0) rc = wm_wasi_preopen_dir(w2, "/", "/", 0, &err);
    if (rc == 0) rc = wm_wasi_set_stdio_buffer(w2, 0, "in", 2, &err);
    if (rc == 0) rc = wm_runtime_new(NULL, &rt2, &err);
    if (rc == 0) rc = wm_wasi_define(w2, rt2, &err);
    wm__alloc_fail_after(-1);
    CHECK(rc == 0 || rc == WM_ENOMEM);
    completed = rc == 0;
    wm_runtime_free(rt2);
    wm_wasi_free(w2);
  }
  CHECK(completed);
  if (failures) {
    printf("%d failure(s)\n", failures);
    return 1;
  }
  printf("test_wasi_api: ok\n");
  return 0;
}
