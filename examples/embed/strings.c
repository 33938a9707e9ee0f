/* SPDX-License-Identifier: MIT */
/*
** strings.c -- strings in and out of a guest through the exchange API: the
** guest's own allocator makes the blocks, wasmem copies the bytes in,
** reads the result back with a bounds and UTF-8 check, and frees what the
** host owns. No guest pointer is ever trusted, nothing leaks on a trap.
**
**   cc strings.c $(pkg-config --cflags --libs wasmem) -o strings
**   ./strings strings.wasm NAME     (strings.wasm: guest/strings.c)
*/
#include <stdio.h>
#include <wasmem.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: strings MODULE.wasm NAME\n");
    return 2;
  }
  wm_error err;
  wm_module *mod = NULL;
  wm_runtime *rt = NULL;
  wm_instance *inst;
  wm_guest *g = NULL;
  int status = 1;

  if (wm_module_load_file(argv[1], NULL, &mod, &err) || wm_runtime_new(NULL, &rt, &err) ||
      wm_instance_new(rt, mod, NULL, &inst, &err) ||
      /* Finds the guest's allocator by its exports (here alloc/dealloc). */
      wm_guest_new(rt, inst, NULL, &g, &err))
    goto fail;

  /* In: a string borrowed for the call (wasmem frees its block after).
  ** Out: a new string the guest returns through an out-pointer; the block
  ** is then the host's. */
  wm_arg args[1] = {wm_arg_string(argv[2])};
  wm_guest_call_options opts = {WM_RESULT_OUT_PTR, false, 0};
  wm_block greeting;
  if (wm_guest_call(g, "greet", &opts, args, 1, NULL, 0, &greeting, &err)) goto fail;
  char *text;
  size_t len;
  if (wm_memory_read_string(wm_guest_memory(g), greeting.ptr, greeting.len, &text, &len, &err)) {
    wm_block_free(g, greeting, NULL);
    goto fail;
  }
  printf("greet: %s (%zu bytes)\n", text, len);
  wm_free(text);
  if (wm_block_free(g, greeting, &err)) goto fail; /* give it back to the guest */

  /* A plain value result: the string is borrowed, only an i32 comes back. */
  wm_val n;
  if (wm_guest_call(g, "vowels", NULL, args, 1, &n, 1, NULL, &err)) goto fail;
  printf("vowels: %d\n", n.of.i32);

  /* A second free of the same handle is refused, not passed to the guest. */
  if (wm_block_free(g, greeting, &err) == WM_EOWNERSHIP) printf("second free refused: %s\n", err.message);
  status = 0;
  goto out;
fail:
  fprintf(stderr, "strings: %s\n", err.message);
out:
  {
    wm_guest_stats leaks;
    wm_guest_free(g, &leaks); /* frees (and counts) whatever the host forgot */
    if (g && leaks.live_blocks) fprintf(stderr, "strings: %u blocks leaked\n", leaks.live_blocks);
  }
  wm_runtime_free(rt);
  wm_module_free(mod);
  return status;
}
