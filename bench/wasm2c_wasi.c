/* SPDX-License-Identifier: MIT */
/*
** wasm2c_wasi.c -- the host of a WASI command translated by wabt's
** wasm2c (`bench/run.sh --wasm2c` with --coremark): the few preview1
** calls a benchmark like CoreMark makes (arguments, clocks, writing to
** stdout and stderr, exit), enough to time it; everything else answers
** ENOSYS. The module's prefix comes in as W2C_NAME and its header as
** W2C_HEADER, as in wasm2c_main.c.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wasm-rt.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define W2C(suffix) CAT(CAT(Z_, W2C_NAME), suffix)
#define WASI(name) Z_wasi_snapshot_preview1Z_##name

#include W2C_HEADER

enum { E_BADF = 8, E_INVAL = 28, E_NOSYS = 52 };

struct Z_wasi_snapshot_preview1_instance_t {
  wasm_rt_memory_t *mem;
  int argc;
  char **argv;
};

/* The guest's bytes [p, p + n), trapping as an access out of bounds would. */
static uint8_t *at(struct Z_wasi_snapshot_preview1_instance_t *w, uint32_t p, uint64_t n) {
  if ((uint64_t)p + n > w->mem->size) wasm_rt_trap(WASM_RT_TRAP_OOB);
  return w->mem->data + p;
}

static void put32(struct Z_wasi_snapshot_preview1_instance_t *w, uint32_t p, uint32_t v) {
  memcpy(at(w, p, 4), &v, 4);
}

u32 WASI(args_sizes_get)(struct Z_wasi_snapshot_preview1_instance_t *w, u32 argc, u32 size) {
  uint32_t n = 0;
  for (int i = 0; i < w->argc; i++) n += (uint32_t)strlen(w->argv[i]) + 1;
  put32(w, argc, (uint32_t)w->argc);
  put32(w, size, n);
  return 0;
}

u32 WASI(args_get)(struct Z_wasi_snapshot_preview1_instance_t *w, u32 argv, u32 buf) {
  for (int i = 0; i < w->argc; i++) {
    uint32_t len = (uint32_t)strlen(w->argv[i]) + 1;
    put32(w, argv + 4 * (uint32_t)i, buf);
    memcpy(at(w, buf, len), w->argv[i], len);
    buf += len;
  }
  return 0;
}

u32 WASI(clock_time_get)(struct Z_wasi_snapshot_preview1_instance_t *w, u32 id, u64 prec,
                         u32 out) {
  (void)prec;
  struct timespec ts;
  clockid_t c = id == 0 ? CLOCK_REALTIME : id == 1 ? CLOCK_MONOTONIC
              : id == 2 ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID;
  if (id > 3) return E_INVAL;
  clock_gettime(c, &ts);
  uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  memcpy(at(w, out, 8), &ns, 8);
  return 0;
}

u32 WASI(fd_write)(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 iovs, u32 n,
                   u32 out) {
  if (fd != 1 && fd != 2) return E_BADF;
  uint32_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t iov[2];
    memcpy(iov, at(w, iovs + 8 * i, 8), 8);
    const uint8_t *p = at(w, iov[0], iov[1]);
    for (uint32_t done = 0; done < iov[1];) {
      ssize_t k = write((int)fd, p + done, iov[1] - done);
      if (k <= 0) return E_BADF;
      done += (uint32_t)k;
    }
    total += iov[1];
  }
  put32(w, out, total);
  return 0;
}

u32 WASI(fd_fdstat_get)(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 out) {
  (void)w, (void)out;
  return fd <= 2 ? E_NOSYS : E_BADF;
}

u32 WASI(fd_close)(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd) {
  (void)w, (void)fd;
  return E_NOSYS;
}

u32 WASI(fd_seek)(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u64 off, u32 whence,
                  u32 out) {
  (void)w, (void)fd, (void)off, (void)whence, (void)out;
  return E_NOSYS;
}

void WASI(proc_exit)(struct Z_wasi_snapshot_preview1_instance_t *w, u32 code) {
  (void)w;
  exit((int)code);
}

int main(int argc, char **argv) {
  static W2C(_instance_t) inst;
  struct Z_wasi_snapshot_preview1_instance_t wasi = {0, argc, argv};
  wasm_rt_init();
  W2C(_init_module)();
  W2C(_instantiate)(&inst, &wasi);
  wasi.mem = W2C(Z_memory)(&inst);
  W2C(Z__start)(&inst);
  W2C(_free)(&inst);
  wasm_rt_free();
  return 0;
}
