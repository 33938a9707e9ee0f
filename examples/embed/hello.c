/* SPDX-License-Identifier: MIT */
/*
** hello.c -- embedding wasmem in a dozen calls: load a module, give it a
** host function to import, instantiate it and call an export.
**
**   cc hello.c $(pkg-config --cflags --libs wasmem) -o hello
**   ./hello hello.wasm          (hello.wasm: wat2wasm guest/hello.wat)
*/
#include <stdio.h>
#include <wasmem.h>

/* host.log(ptr, len): print guest bytes, checked against its memory. */
static int host_log(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)results, (void)data;
  wm_memory *mem = wm_call_ctx_memory(ctx);
  uint8_t buf[256];
  uint32_t len = (uint32_t)args[1].of.i32;
  if (len > sizeof buf) len = sizeof buf;
  /* An out-of-range pointer is the guest's bug: it traps, we don't crash. */
  if (!mem || wm_memory_read(mem, (uint32_t)args[0].of.i32, buf, len, NULL) != 0)
    return wm_call_ctx_trap(ctx, WM_TRAP_MEMORY_OOB, "host.log: bad pointer");
  printf("guest says: %.*s\n", (int)len, (const char *)buf);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: hello MODULE.wasm\n");
    return 2;
  }
  wm_error err;
  wm_module *mod = NULL;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_func *log_fn;
  int status = 1;

  if (wm_module_load_file(argv[1], NULL, &mod, &err) || wm_runtime_new(NULL, &rt, &err))
    goto fail;
  /* The import's type: (i32, i32) -> (). */
  wm_valtype params[2] = {WM_I32, WM_I32};
  wm_functype log_type = {2, 0, params, NULL};
  if (wm_func_new_host(rt, &log_type, host_log, NULL, &log_fn, &err) ||
      wm_runtime_define_func(rt, "host", "log", log_fn, &err) ||
      wm_instance_new(rt, mod, NULL, &inst, &err))
    goto fail;

  wm_func *greet = wm_instance_func(inst, "greet");
  wm_val args[1] = {wm_val_i32(21)}, results[1];
  if (!greet) {
    fprintf(stderr, "hello: no export 'greet'\n");
    goto out;
  }
  if (wm_func_call(rt, greet, args, 1, results, 1, &err)) goto fail;
  printf("greet(21) = %d\n", results[0].of.i32);
  status = 0;
  goto out;
fail:
  fprintf(stderr, "hello: %s\n", err.message);
out:
  wm_runtime_free(rt); /* frees the instance and the host function too */
  wm_module_free(mod);
  return status;
}
