/* SPDX-License-Identifier: MIT */
/*
** test_wasi_run.c -- wm_wasi_run: a command's exit status from proc_exit
** or a normal return, and its errors (a trap, no _start, a _start of the
** wrong type). usage: test_wasi_run DIR (where run/NAME.wat were built)
*/
#include "check.h"
#include "wasmem.h"

/* Run DIR/name.wasm; returns wm_wasi_run's code, the exit status in *code. */
static int run(const char *dir, const char *name, int *code, wm_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
  wm_module *mod;
  wm_wasi *w;
  wm_runtime *r;
  wm_instance *in;
  int rc = wm_module_load_file(path, NULL, &mod, err);
  if (rc) return rc;
  CHECK(wm_wasi_new(&w, err) == 0);
  CHECK(wm_runtime_new(NULL, &r, err) == 0);
  CHECK(wm_wasi_define(w, r, err) == 0);
  rc = wm_instance_new(r, mod, NULL, &in, err);
  if (!rc) rc = wm_wasi_run(w, r, in, code, err);
  wm_runtime_free(r);
  wm_wasi_free(w);
  wm_module_free(mod);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_wasi_run DIR\n");
    return 2;
  }
  wm_error err;
  int code = -1;
  CHECK(run(argv[1], "exit7", &code, &err) == 0 && code == 7);
  CHECK(err.code == 0 && err.message[0] == 0); /* no trap text left behind */
  code = -1;
  CHECK(run(argv[1], "returns", &code, &err) == 0 && code == 0);
  code = -1;
  CHECK(run(argv[1], "traps", &code, &err) == WM_TRAP_UNREACHABLE && code == 0 &&
        strstr(err.message, "unreachable") != NULL);
  CHECK(run(argv[1], "reactor", &code, &err) == WM_ENOT_FOUND && strstr(err.message, "_start"));
  CHECK(run(argv[1], "badtype", &code, &err) == WM_ETYPE && strstr(err.message, "_start"));
  CHECK(run(argv[1], "exit7", NULL, &err) == 0); /* exit_code may be NULL */
  CHECK(wm_wasi_run(NULL, NULL, NULL, &code, &err) == WM_EINVAL);
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail != 0;
}
