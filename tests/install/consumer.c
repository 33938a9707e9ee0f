/* SPDX-License-Identifier: MIT */
/*
** consumer.c -- a program built against an installed (or embedded) wasmem,
** the way a user's would be: only <wasmem.h> and the library. Loads a
** module from bytes, calls its `add` and prints the library's version.
** tests/install/run.sh builds it with pkg-config, find_package and
** add_subdirectory (FetchContent).
*/
#include <stdio.h>
#include <string.h>
#include <wasmem.h>

/* (module (func (export "add") (param i32 i32) (result i32)
**   local.get 0 local.get 1 i32.add)) */
static const uint8_t add_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f,
    0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64,
    0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b};

int main(void) {
  wm_error err = {0};
  wm_module *mod = NULL;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  int rc = wm_module_load(add_wasm, sizeof add_wasm, NULL, &mod, &err);
  if (!rc) rc = wm_runtime_new(NULL, &rt, &err);
  if (!rc) rc = wm_instance_new(rt, mod, NULL, &inst, &err);
  wm_val args[2] = {wm_val_i32(2), wm_val_i32(3)}, res[1];
  if (!rc) {
    wm_func *add = wm_instance_func(inst, "add");
    rc = add ? wm_func_call(rt, add, args, 2, res, 1, &err) : WM_ENOT_FOUND;
  }
  if (rc) fprintf(stderr, "consumer: %s\n", err.message);
  else printf("wasmem %s (header %s): add(2, 3) = %d\n", wm_version(), WM_VERSION, res[0].of.i32);
  wm_runtime_free(rt);
  wm_module_free(mod);
  return rc || strcmp(wm_version(), WM_VERSION) != 0;
}
