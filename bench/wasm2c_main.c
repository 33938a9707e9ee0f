/* SPDX-License-Identifier: MIT */
/*
** wasm2c_main.c -- the host of a kernel translated by wabt's wasm2c
** (`bench/run.sh --wasm2c`): instantiates the module, calls its `run`
** and prints the checksum as bench.h's native main does. The module's
** prefix comes in as W2C_NAME (wasm2c -n NAME); the generated code and
** wabt's runtime (wasm-rt-impl.c, guard pages and a signal handler for
** bounds checks) are compiled with it, never kept in this repository.
*/
#include <stdint.h>
#include <stdio.h>

#include "wasm-rt.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define W2C(suffix) CAT(CAT(Z_, W2C_NAME), suffix)

#include W2C_HEADER

int main(void) {
  W2C(_instance_t) inst;
  wasm_rt_init();
  W2C(_init_module)();
  W2C(_instantiate)(&inst);
  uint32_t r = W2C(Z_run)(&inst);
  printf("%d\n", (int32_t)r);
  W2C(_free)(&inst);
  wasm_rt_free();
  return 0;
}
