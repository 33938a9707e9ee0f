/* SPDX-License-Identifier: MIT */
/*
** test_wasi_unstable.c -- wasi_unstable (snapshot 0) next to preview1:
** fd_seek's whence numbering, the 56-byte filestat with its u32 link
** count, the 56-byte clock subscription of poll_oneoff, leading slashes
** of paths, and sock_accept's absence. Each layout check also shows that
** nothing past the shorter record is written.
** usage: test_wasi_unstable WASI_UNSTABLE.wasm
*/
#include <fcntl.h>
#include <time.h>

#include "wasi_test.h"

static uint64_t get64(uint32_t off) { uint64_t v; memcpy(&v, mem + off, 8); return v; }
static void put64(uint32_t off, uint64_t v) { memcpy(mem + off, &v, 8); }

/* A module that imports sock_accept from `ns`: does it instantiate? */
static int import_sock_accept(const char *ns) {
  uint8_t b[128] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                    0x01, 0x08, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f};
  size_t n = 18, nl = strlen(ns);
  b[n++] = 0x02;
  b[n++] = (uint8_t)(1 + 1 + nl + 1 + 11 + 2);
  b[n++] = 1;
  b[n++] = (uint8_t)nl;
  memcpy(b + n, ns, nl);
  n += nl;
  b[n++] = 11;
  memcpy(b + n, "sock_accept", 11);
  n += 11;
  b[n++] = 0; /* a function */
  b[n++] = 0; /* of type 0 */
  wm_error err;
  wm_module *m;
  wm_instance *i;
  if (wm_module_load(b, n, NULL, &m, &err) != 0) return -100;
  int rc = wm_instance_new(rt, m, NULL, &i, &err);
  if (rc == WM_EUNKNOWN_IMPORT) CHECK(strstr(err.message, ns) && strstr(err.message, "sock_accept"));
  wm_module_free(m);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_wasi_unstable WASI_UNSTABLE.wasm\n");
    return 2;
  }
  wm_error err;
  wm_wasi *w;
  CHECK(wm_wasi_new(&w, &err) == 0);
  char tmpl[] = "/tmp/wasmem-wasi0-XXXXXX";
  CHECK(mkdtemp(tmpl) != NULL);
  char file[64], link2[64];
  snprintf(file, sizeof file, "%s/f", tmpl);
  snprintf(link2, sizeof link2, "%s/g", tmpl);
  FILE *fp = fopen(file, "w");
  CHECK(fp && fwrite("0123456789", 1, 10, fp) == 10);
  if (fp) fclose(fp);
  CHECK(link(file, link2) == 0); /* two links: nlink is 2 */
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

  /* Paths: "/f" under the pre-open is "f" for wasi_unstable (its libc
  ** sent the separator after the pre-open's name), absolute for preview1. */
  memcpy(mem + 100, "/f", 2);
  memcpy(mem + 110, "//g", 3);
  CHECK(C("p_path_open", L(3), L(0), L(100), L(2), L(0), L(~0ull), L(~0ull), L(0), L(200)) == ENOTCAPABLE_);
  CHECK(C("u_path_open", L(3), L(0), L(100), L(2), L(0), L(~0ull), L(~0ull), L(0), L(200)) == 0);
  uint32_t fd = get32(200);
  CHECK(C("u_path_open", L(3), L(0), L(110), L(3), L(0), L(~0ull), L(~0ull), L(0), L(200)) == 0);
  CHECK(C("u_fd_close", L(get32(200))) == 0);
  CHECK(C("u_path_open", L(3), L(0), L(END - 1), L(2), L(0), L(~0ull), L(~0ull), L(0), L(200)) == EFAULT_);
  memcpy(mem + 119, "/..", 3); /* "/.." is still not beneath the pre-open */
  CHECK(C("u_path_open", L(3), L(0), L(119), L(3), L(0), L(~0ull), L(~0ull), L(0), L(200)) == ENOTCAPABLE_);
  /* path_symlink: the link's contents keep their slash, its name loses it. */
  memcpy(mem + 130, "/abs/x", 6);
  memcpy(mem + 140, "/s", 2);
  CHECK(C("u_path_symlink", L(130), L(6), L(3), L(140), L(2)) == ENOTCAPABLE_);
  memcpy(mem + 130, "f", 1);
  CHECK(C("u_path_symlink", L(130), L(1), L(3), L(140), L(2)) == 0);
  CHECK(C("u_path_readlink", L(3), L(140), L(2), L(300), L(16), L(200)) == 0 && get32(200) == 1 &&
        mem[300] == 'f');

  /* fd_seek: snapshot 0 numbers whence CUR 0, END 1, SET 2. */
  CHECK(C("u_fd_seek", L(fd), L(3), L(2), L(200)) == 0 && get64(200) == 3);  /* SET */
  CHECK(C("u_fd_seek", L(fd), L(2), L(0), L(200)) == 0 && get64(200) == 5);  /* CUR */
  CHECK(C("u_fd_seek", L(fd), L(-1), L(1), L(200)) == 0 && get64(200) == 9); /* END */
  CHECK(C("u_fd_seek", L(fd), L(0), L(3), L(200)) == EINVAL_);
  CHECK(C("u_fd_seek", L(fd), L(0), L(-1), L(200)) == EINVAL_);
  CHECK(C("u_fd_seek", L(fd), L(0), L(0), L(END - 4)) == EFAULT_);
  CHECK(C("p_fd_seek", L(fd), L(3), L(0), L(200)) == 0 && get64(200) == 3);  /* preview1 SET */
  CHECK(C("p_fd_seek", L(fd), L(2), L(1), L(200)) == 0 && get64(200) == 5);  /* preview1 CUR */

  /* filestat: dev, ino, filetype@16, nlink u32@20, size@24, atim@32,
  ** mtim@40, ctim@48: 56 bytes; preview1 has nlink u64@24 and 64. */
  struct stat st;
  CHECK(stat(file, &st) == 0);
  uint64_t mtim = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
  memset(mem + 400, 0xAA, 80);
  CHECK(C("u_fd_filestat_get", L(fd), L(400)) == 0);
  CHECK(get64(400) == (uint64_t)st.st_dev && get64(408) == (uint64_t)st.st_ino);
  CHECK(mem[416] == 4 && get32(420) == 2 && get64(424) == 10 && get64(440) == mtim);
  CHECK(mem[456] == 0xAA && get64(456) == 0xAAAAAAAAAAAAAAAAull); /* 56.. untouched */
  CHECK(C("u_fd_filestat_get", L(fd), L(END - 56)) == 0);
  CHECK(C("u_fd_filestat_get", L(fd), L(END - 55)) == EFAULT_);
  CHECK(C("p_fd_filestat_get", L(fd), L(END - 56)) == EFAULT_);
  memset(mem + 400, 0xAA, 80);
  CHECK(C("p_fd_filestat_get", L(fd), L(400)) == 0);
  CHECK(get64(424) == 2 && get64(432) == 10 && get64(448) == mtim && mem[464] == 0xAA);
  CHECK(C("u_fd_filestat_get", L(99), L(400)) == EBADF_);
  memset(mem + 400, 0xAA, 80);
  memcpy(mem + 100, "/g", 2);
  CHECK(C("u_path_filestat_get", L(3), L(0), L(100), L(2), L(400)) == 0);
  CHECK(mem[416] == 4 && get32(420) == 2 && get64(424) == 10 && get64(456) == 0xAAAAAAAAAAAAAAAAull);
  CHECK(C("u_path_filestat_get", L(3), L(0), L(100), L(2), L(END - 55)) == EFAULT_);
  CHECK(C("u_path_filestat_get", L(3), L(0), L(100), L(2), L(END - 56)) == 0);
  CHECK(C("u_fd_close", L(fd)) == 0);

  /* poll_oneoff: a clock subscription is userdata@0, tag@8, identifier@16,
  ** clock id@24, timeout@32, precision@40, flags@48: 56 bytes. The
  ** identifier holds ~0 so that reading preview1's offsets would take an
  ** unknown clock. Subscription 1: clock 99, which does not exist. */
  memset(mem, 0, 112);
  put64(0, 0x1234);
  put64(16, ~0ull);
  put32(24, 1);                /* monotonic */
  put64(32, 1000000);          /* 1 ms, relative */
  put64(56, 0x5678);
  put32(80, 99);
  CHECK(C("u_poll_oneoff", L(0), L(200), L(2), L(600)) == 0 && get32(600) == 1);
  CHECK(get64(200) == 0x5678 && mem[208] == EINVAL_ && mem[210] == 0); /* the bad clock at once */
  put32(80, 1);
  put64(88, 0);                /* timeout 0, absolute: already passed */
  mem[104] = 1;                /* abstime */
  put64(32, 60000000000ull);   /* subscription 0 waits a minute: not reached */
  CHECK(C("u_poll_oneoff", L(0), L(200), L(2), L(600)) == 0 && get32(600) == 1);
  CHECK(get64(200) == 0x5678 && mem[208] == 0 && mem[210] == 0);
  CHECK(C("u_poll_oneoff", L(END - 111), L(200), L(2), L(600)) == EFAULT_);
  CHECK(C("u_poll_oneoff", L(END - 112), L(200), L(2), L(600)) == 0);

  /* sock_accept is preview1's only. */
  CHECK(import_sock_accept("wasi_unstable") == WM_EUNKNOWN_IMPORT);
  CHECK(import_sock_accept("wasi_snapshot_preview1") == 0);

  wm_runtime_free(rt);
  wm_module_free(mod);
  wm_wasi_free(w);
  unlink(file);
  unlink(link2);
  snprintf(file, sizeof file, "%s/s", tmpl);
  unlink(file);
  rmdir(tmpl);
  if (failures) printf("%d failure(s)\n", failures);
  else printf("ok\n");
  return failures != 0;
}
