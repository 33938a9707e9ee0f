/* SPDX-License-Identifier: MIT */
/*
** ownership.c -- the seed article's double free, replayed on wasmem's
** exchange API: the host hands a block to the Rust guest's array_sum (which
** frees it, Vec::from_raw_parts), then frees it again as the article did.
** wasmem refuses the second free and says why; the guest's heap stays intact.
**
** Build (the walkthrough does this):
**   cc -std=c11 -I include examples/seed/ownership.c build/release/libwasmem.a -lm -o seed_ownership
** Usage: seed_ownership RUST_GUEST.wasm    (exit 0 when every step went as told)
*/
#include <stdio.h>
#include <string.h>

#include "wasmem.h"

static int step_failed(const char *what, const wm_error *err) {
  fprintf(stderr, "seed_ownership: %s: %s\n", what, err->message[0] ? err->message : wm_strerror(err->code));
  return 1;
}

/* array_sum of [1..5] with the input block handed over (transfer): 15. */
static int sum_transferred(wm_guest *g, wm_block *in, int32_t *sum, wm_error *err) {
  static const uint8_t input[] = {1, 2, 3, 4, 5};
  int rc = wm_guest_alloc_copy(g, input, sizeof input, in, err);
  if (rc) return rc;
  wm_guest_call_options o = {0};
  o.transfer = true; /* the callee takes ownership, as Rust's from_raw_parts does */
  wm_arg a = wm_arg_block(*in);
  wm_val r;
  rc = wm_guest_call(g, "array_sum", &o, &a, 1, &r, 1, NULL, err);
  if (rc == 0) *sum = r.of.i32;
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: seed_ownership RUST_GUEST.wasm\n");
    return 2;
  }
  wm_error err = {0};
  wm_module *mod = NULL;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_guest *g = NULL;
  int status = 1;

  if (wm_module_load_file(argv[1], NULL, &mod, &err)) return step_failed(argv[1], &err);
  if (wm_runtime_new(NULL, &rt, &err) || wm_instance_new(rt, mod, NULL, &inst, &err) ||
      wm_guest_new(rt, inst, NULL, &g, &err)) {
    step_failed(argv[1], &err);
    goto out;
  }

  wm_block in;
  int32_t sum = 0;
  if (sum_transferred(g, &in, &sum, &err)) { step_failed("array_sum", &err); goto out; }
  printf("array_sum([1, 2, 3, 4, 5]) = %d   (input block 0x%x handed to the guest)\n", sum,
         (unsigned)in.ptr);

  /* The article's mistake: free the input after the call. */
  printf("the host frees the input again, as the article did:\n");
  int rc = wm_block_free(g, in, &err);
  if (rc != WM_EOWNERSHIP) {
    fprintf(stderr, "seed_ownership: expected WM_EOWNERSHIP, got %s\n", wm_errname(rc));
    goto out;
  }
  printf("  wasmem refused: %s\n", err.message);

  /* A received block freed twice: refused the same way. */
  wm_guest_call_options o = {0};
  o.result = WM_RESULT_SAME_LEN;
  o.transfer = true;
  wm_arg a = wm_arg_string("this should be uppercase");
  wm_block up;
  if (wm_guest_call(g, "upper", &o, &a, 1, NULL, 0, &up, &err)) { step_failed("upper", &err); goto out; }
  const char *s;
  if (wm_memory_string(wm_guest_memory(g), up.ptr, up.len, &s, &err)) { step_failed("reading upper", &err); goto out; }
  printf("upper(\"this should be uppercase\") = \"%.*s\"\n", (int)up.len, s);
  if (wm_block_free(g, up, &err)) { step_failed("freeing upper's result", &err); goto out; }
  rc = wm_block_free(g, up, &err);
  if (rc != WM_EOWNERSHIP) {
    fprintf(stderr, "seed_ownership: expected WM_EOWNERSHIP, got %s\n", wm_errname(rc));
    goto out;
  }
  printf("freeing upper's result twice:\n  wasmem refused: %s\n", err.message);

  /* The guest's heap is intact: the same exchange works again. */
  if (sum_transferred(g, &in, &sum, &err)) { step_failed("array_sum again", &err); goto out; }
  printf("array_sum again = %d: the guest's heap is intact\n", sum);
  wm_guest_stats st;
  wm_guest_get_stats(g, &st);
  printf("blocks: %u allocated, %u received, %u transferred, %u freed, %u still host-owned\n",
         st.allocated, st.received, st.transferred, st.freed, st.live_blocks);
  status = sum == 15 && st.live_blocks == 0 ? 0 : 1;
out:
  wm_guest_free(g, NULL);
  wm_runtime_free(rt);
  wm_module_free(mod);
  return status;
}
