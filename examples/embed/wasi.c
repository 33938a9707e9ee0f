/* SPDX-License-Identifier: MIT */
/*
** wasi.c -- run a WASI command: arguments, a pre-opened directory (the only
** files the guest can reach), stdout captured into memory, and the exit
** status wm_wasi_run returns (a proc_exit is the program's result, not an
** error).
**
**   cc wasi.c $(pkg-config --cflags --libs wasmem) -o wasi
**   ./wasi greet_wasi.wasm DIR      (greet_wasi.wasm: guest/greet_wasi.c;
**                                    DIR holds name.txt, seen as /data)
*/
#include <stdio.h>
#include <wasmem.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: wasi MODULE.wasm DIR\n");
    return 2;
  }
  wm_error err;
  wm_module *mod = NULL;
  wm_runtime *rt = NULL;
  wm_wasi *w = NULL;
  wm_instance *inst;
  int status = 1, code = 0;
  const char *guest_argv[] = {"greet", "one", "two"};

  if (wm_module_load_file(argv[1], NULL, &mod, &err) || wm_wasi_new(&w, &err) ||
      wm_wasi_set_args(w, 3, guest_argv, &err) ||
      wm_wasi_preopen_dir(w, argv[2], "/data", WM_WASI_READONLY, &err) ||
      wm_wasi_set_stdio_buffer(w, 1, NULL, 0, &err) || /* capture stdout */
      wm_runtime_new(NULL, &rt, &err) || wm_wasi_define(w, rt, &err) ||
      wm_instance_new(rt, mod, NULL, &inst, &err) ||
      wm_wasi_run(w, rt, inst, &code, &err))
    goto fail;

  size_t len;
  const uint8_t *out = wm_wasi_output(w, 1, &len);
  printf("the guest wrote %zu bytes:\n%.*s", len, (int)len, (const char *)out);
  printf("exit status: %d\n", code);
  status = 0;
  goto out;
fail:
  fprintf(stderr, "wasi: %s\n", err.message);
out:
  wm_runtime_free(rt); /* before the WASI context its functions use */
  wm_wasi_free(w);
  wm_module_free(mod);
  return status;
}
