/* SPDX-License-Identifier: MIT */
/*
** check.c -- `wasmem check [OPTIONS] call|run ...`: the guest heap checker
** around any `call` or `run` invocation. It parses the checker's options,
** then runs the subcommand, which asks here (cli_check_*) for the module
** options, the runtime's checker and the attachment, and hands its exit
** status to cli_check_finish at the end.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const char check_help[] =
    "usage: wasmem check [OPTIONS] call FILE FUNC [ARGS...]\n"
    "       wasmem check [OPTIONS] run [RUN-OPTIONS] FILE [-- ARGS...]\n"
    "\n"
    "Runs `wasmem call` or `wasmem run` with the guest heap checker: every load\n"
    "and store of the guest, and every host access through the exchange API,\n"
    "is checked against a shadow of linear memory; the guest's allocator\n"
    "(wasi-libc malloc/free, Rust's __rust_alloc family, the exchange\n"
    "conventions, or --allocator) is tracked through every call, from the host\n"
    "and from inside the guest. Errors are reported on stderr as they happen,\n"
    "in Valgrind's style (`==wasmem== Invalid read of size 4`), with wasm\n"
    "backtraces; at the end, a leak check and the HEAP, LEAK and ERROR SUMMARY.\n"
    "\n"
    "Options:\n"
    "  --error-exitcode=N    exit with N when any error was found (default: the\n"
    "                        subcommand's own status)\n"
    "  --leak-check=full|summary|no\n"
    "                        full (default): every leak with its allocation\n"
    "                        stack; summary: the totals; no: no leak check\n"
    "  --show-reachable=yes|no\n"
    "                        also list still-reachable blocks (default no)\n"
    "  --quarantine=BYTES    freed bytes held back from the guest's allocator\n"
    "                        to catch use after free (default 16777216)\n"
    "  --allocator alloc=NAME,free=NAME,realloc=NAME\n"
    "                        the guest's allocator functions by name (any of\n"
    "                        the three), instead of recognising them\n"
    "  --suppressions=FILE   lines `KIND FUNCTION` (FUNCTION may end in *, KIND\n"
    "                        may be *): errors of that kind with that function\n"
    "                        in their stack (N:FUNCTION: as frame N, 0 the\n"
    "                        innermost) are counted as suppressed, not reported.\n"
    "                        Built in: wasi-libc's argv blocks, never freed\n"
    "  --json=FILE           also write each error and leak record as one JSON\n"
    "                        object a line, then a summary object\n"
    "  --heap-map=FILE.svg   draw linear memory at exit: data, stack, heap, each\n"
    "                        block (live, host-owned, freed, leaked), to FILE\n"
    "  --heap-map-every-call also draw it after each exported call the command\n"
    "                        makes, to FILE-1.svg, FILE-2.svg, ...\n"
    "  --backtrace-depth=N   frames kept per stack (default 12, at most 64)\n"
    "\n"
    "Error kinds: invalid-read, invalid-write, use-after-free-read,\n"
    "use-after-free-write, double-free, invalid-free, host-block-free,\n"
    "overlapping-alloc, alloc-outside-heap; leak kinds: leak-definite,\n"
    "leak-indirect, leak-possible, leak-reachable, leak-host (blocks the host\n"
    "got through the exchange API and never freed). Definite, possible and\n"
    "host leaks count as errors.\n";

typedef struct cli_checkstate {
  bool on;
  int error_exitcode;        /* -1: keep the subcommand's status */
  wm_leak_check leak;
  bool show_reachable;
  size_t quarantine;
  uint32_t depth;
  char *alloc_fn, *free_fn, *realloc_fn;
  char *supp_text;
  FILE *json;
  char *heap_map;            /* --heap-map FILE */
  bool every_call;
  unsigned ncalls;
  const char *module;        /* its file name, for the map's title */
  wm_checker *chk;
  bool attached;
} cli_checkstate;

static cli_checkstate cs = {false, -1, WM_LEAK_CHECK_FULL, false, 0, 0, NULL, NULL, NULL,
                            NULL, NULL, NULL, false, 0, NULL, NULL, false};

/* Every line of text with Valgrind's prefix. */
static void print_prefixed(const char *text) {
  const char *p = text;
  while (*p) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n) fprintf(stderr, "==wasmem== %.*s\n", (int)n, p);
    else fputs("==wasmem==\n", stderr);
    p += n + (e ? 1 : 0);
  }
}

static json_t *frames_json(const wm_check_stack *s) {
  json_t *a = json_array();
  for (uint32_t i = 0; i < s->nframes; i++) {
    const wm_check_frame *f = &s->frames[i];
    json_array_append_new(
        a, json_pack("{s:o, s:I, s:o}", "func", f->name ? json_string(f->name) : json_null(),
                     "idx", (json_int_t)f->func_idx, "offset",
                     f->offset == UINT32_MAX ? json_null() : json_integer(f->offset)));
  }
  return a;
}

static void write_json(const wm_check_report *r) {
  json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o}", "kind", wm_check_kind_id(r->kind),
                        "addr", (json_int_t)r->addr, "size", (json_int_t)r->size, "count",
                        (json_int_t)r->count, "bytes", (json_int_t)r->bytes, "where",
                        frames_json(&r->where), "host",
                        r->where.host ? json_string(r->where.host) : json_null());
  if (r->has_block)
    json_object_set_new(o, "block",
                        json_pack("{s:I, s:I, s:b, s:o, s:o}", "addr", (json_int_t)r->block_addr,
                                  "size", (json_int_t)r->block_size, "freed", r->block_freed,
                                  "alloc", frames_json(&r->alloc_stack), "free",
                                  frames_json(&r->free_stack)));
  else
    json_object_set_new(o, "block", json_null());
  char *s = json_dumps(o, JSON_COMPACT);
  if (s) fprintf(cs.json, "%s\n", s);
  free(s);
  json_decref(o);
}

static void on_report(const wm_check_report *r, void *data) {
  (void)data;
  if (cs.json) write_json(r);
  if (r->kind == WM_CHECK_LEAK_REACHABLE && !cs.show_reachable) return;
  print_prefixed(r->text);
  fputs("==wasmem==\n", stderr);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  while (b) {
    size_t got = fread(b + n, 1, cap - n - 1, f);
    n += got;
    if (n + 1 < cap) break;
    char *nb = realloc(b, cap *= 2);
    if (!nb) free(b);
    b = nb;
  }
  fclose(f);
  if (b) b[n] = 0;
  return b;
}

/* --allocator alloc=NAME,free=NAME,realloc=NAME */
static bool parse_allocator(const char *v) {
  char *copy = strdup(v), *save = NULL;
  if (!copy) return false;
  bool ok = true;
  for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(t, '=');
    if (!eq || !eq[1]) { ok = false; break; }
    *eq = 0;
    char **slot = strcmp(t, "alloc") == 0 ? &cs.alloc_fn
                  : strcmp(t, "free") == 0 ? &cs.free_fn
                  : strcmp(t, "realloc") == 0 ? &cs.realloc_fn : NULL;
    if (!slot) { ok = false; break; }
    free(*slot);
    *slot = strdup(eq + 1);
    if (!*slot) ok = false;
  }
  free(copy);
  return ok;
}

/* The value of --name=V or --name V; advances *i for the second form. */
static const char *opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] == 0 && *i + 1 < argc) return argv[++*i];
  return NULL;
}

static void cleanup(void) {
  free(cs.alloc_fn);
  free(cs.free_fn);
  free(cs.realloc_fn);
  free(cs.supp_text);
  free(cs.heap_map);
  if (cs.json && fclose(cs.json) != 0) cli_error("check: cannot write the --json file");
  cs.json = NULL;
}

int cli_check(int argc, char **argv) {
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i], *v;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(check_help, stdout);
      cleanup();
      return 0;
    }
    if (strcmp(a, "call") == 0 || strcmp(a, "run") == 0) break;
    if ((v = opt_value(argc, argv, &i, "--error-exitcode"))) {
      char *end;
      long n = strtol(v, &end, 10);
      if (*end || n < 0 || n > 255) { cli_error("check: --error-exitcode '%s': 0-255", v); goto bad; }
      cs.error_exitcode = (int)n;
    } else if ((v = opt_value(argc, argv, &i, "--leak-check"))) {
      if (strcmp(v, "full") == 0) cs.leak = WM_LEAK_CHECK_FULL;
      else if (strcmp(v, "summary") == 0) cs.leak = WM_LEAK_CHECK_SUMMARY;
      else if (strcmp(v, "no") == 0) cs.leak = WM_LEAK_CHECK_NO;
      else { cli_error("check: --leak-check '%s': full, summary or no", v); goto bad; }
    } else if ((v = opt_value(argc, argv, &i, "--show-reachable"))) {
      if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
        cli_error("check: --show-reachable '%s': yes or no", v);
        goto bad;
      }
      cs.show_reachable = strcmp(v, "yes") == 0;
    } else if ((v = opt_value(argc, argv, &i, "--quarantine"))) {
      char *end;
      unsigned long long n = strtoull(v, &end, 10);
      if (*end || !*v || n == 0) { cli_error("check: --quarantine '%s': a byte count > 0", v); goto bad; }
      cs.quarantine = (size_t)n;
    } else if ((v = opt_value(argc, argv, &i, "--backtrace-depth"))) {
      char *end;
      unsigned long n = strtoul(v, &end, 10);
      if (*end || n < 1 || n > 64) { cli_error("check: --backtrace-depth '%s': 1-64", v); goto bad; }
      cs.depth = (uint32_t)n;
    } else if ((v = opt_value(argc, argv, &i, "--allocator"))) {
      if (!parse_allocator(v)) {
        cli_error("check: --allocator '%s': expected alloc=NAME,free=NAME,realloc=NAME", v);
        goto bad;
      }
    } else if ((v = opt_value(argc, argv, &i, "--suppressions"))) {
      free(cs.supp_text);
      cs.supp_text = slurp(v);
      if (!cs.supp_text) { cli_error("check: --suppressions '%s': %s", v, strerror(errno)); goto bad; }
    } else if (strcmp(a, "--heap-map-every-call") == 0) {
      cs.every_call = true;
    } else if ((v = opt_value(argc, argv, &i, "--heap-map"))) {
      free(cs.heap_map);
      cs.heap_map = strdup(v);
      if (!cs.heap_map) { cli_error("out of memory"); goto bad; }
    } else if ((v = opt_value(argc, argv, &i, "--json"))) {
      if (cs.json) fclose(cs.json);
      cs.json = fopen(v, "w");
      if (!cs.json) { cli_error("check: --json '%s': %s", v, strerror(errno)); goto bad; }
    } else {
      cli_error("check: unknown option '%s' (see wasmem check --help)", a);
      goto bad;
    }
  }
  if (i >= argc) {
    cli_error("check: expected call or run (see wasmem check --help)");
    goto bad;
  }
  if (cs.every_call && !cs.heap_map) {
    cli_error("check: --heap-map-every-call needs --heap-map=FILE.svg");
    goto bad;
  }
  cs.on = true;
  int status = strcmp(argv[i], "call") == 0 ? cli_call(argc - i, argv + i) : cli_run(argc - i, argv + i);
  cleanup();
  return status;
bad:
  cleanup();
  return 2;
}

const wm_module_options *cli_check_module_options(void) {
  static wm_module_options opts = {.flags = WM_MODULE_CHECKED};
  return cs.on ? &opts : NULL;
}

int cli_check_runtime(wm_runtime *rt, const char *module) {
  if (!cs.on) return 0;
  cs.module = module;
  wm_check_options o;
  memset(&o, 0, sizeof o);
  o.quarantine_bytes = cs.quarantine;
  o.alloc_fn = cs.alloc_fn;
  o.free_fn = cs.free_fn;
  o.realloc_fn = cs.realloc_fn;
  o.on_report = on_report;
  o.backtrace_depth = cs.depth;
  wm_error err;
  if (wm_checker_new(rt, &o, &cs.chk, &err) != 0 ||
      (cs.supp_text && wm_checker_suppress(cs.chk, cs.supp_text, &err) != 0)) {
    cli_report("check", &err);
    return -1;
  }
  return 0;
}

/* Draw the heap map to path; what names the moment in the title. */
static void draw(const char *path, const char *what) {
  FILE *f = fopen(path, "w");
  if (!f) {
    cli_error("check: --heap-map '%s': %s", path, strerror(errno));
    return;
  }
  char title[512];
  snprintf(title, sizeof title, "%s %s", cs.module ? cs.module : "", what);
  wm_error err;
  if (wm_checker_heap_map(cs.chk, title, f, &err) != 0) cli_report("check: heap map", &err);
  if (fclose(f) != 0) cli_error("check: --heap-map '%s': %s", path, strerror(errno));
}

void cli_check_after_call(const char *what) {
  if (!cs.on || !cs.attached || !cs.every_call) return;
  char path[4096], label[300];
  const char *dot = strrchr(cs.heap_map, '.');
  size_t stem = dot && strchr(dot, '/') == NULL ? (size_t)(dot - cs.heap_map) : strlen(cs.heap_map);
  snprintf(path, sizeof path, "%.*s-%u%s", (int)stem, cs.heap_map, ++cs.ncalls,
           dot && stem < strlen(cs.heap_map) ? dot : ".svg");
  snprintf(label, sizeof label, "after %s", what);
  draw(path, label);
}

int cli_check_attach(wm_instance *inst) {
  if (!cs.on || !cs.chk) return 0;
  wm_error err;
  if (wm_checker_attach(cs.chk, inst, &err) != 0) {
    cli_report("check", &err);
    return -1;
  }
  cs.attached = true;
  fprintf(stderr, "==wasmem== wasmem check, a memory checker for the guest's heap\n");
  fprintf(stderr, "==wasmem== %s\n==wasmem==\n", wm_checker_allocator(cs.chk));
  return 0;
}

int cli_check_finish(int status) {
  if (!cs.on || !cs.chk || !cs.attached) return status;
  wm_check_summary s;
  wm_error err;
  if (wm_checker_finish(cs.chk, cs.leak, &s, &err) != 0) {
    cli_report("check", &err);
    return status ? status : 1;
  }
  if (cs.heap_map) draw(cs.heap_map, "at exit");
  size_t need = wm_check_summary_format(cs.chk, &s, cs.leak, NULL, 0);
  char *text = malloc(need + 1);
  if (text) {
    wm_check_summary_format(cs.chk, &s, cs.leak, text, need + 1);
    print_prefixed(text);
    free(text);
  }
  if (cs.json) {
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "kind",
                          "summary", "errors", (json_int_t)s.errors, "contexts",
                          (json_int_t)s.error_contexts, "suppressed", (json_int_t)s.suppressed,
                          "definitely_lost", (json_int_t)s.leak_bytes[0], "indirectly_lost",
                          (json_int_t)s.leak_bytes[1], "possibly_lost", (json_int_t)s.leak_bytes[2],
                          "still_reachable", (json_int_t)s.leak_bytes[3], "host_leaked",
                          (json_int_t)s.leak_bytes[4], "in_use_blocks", (json_int_t)s.in_use_blocks,
                          "allocs", (json_int_t)s.allocs);
    json_object_set_new(o, "allocator", json_string(wm_checker_allocator(cs.chk)));
    char *j = json_dumps(o, JSON_COMPACT);
    if (j) fprintf(cs.json, "%s\n", j);
    free(j);
    json_decref(o);
  }
  if (s.errors && cs.error_exitcode >= 0) return cs.error_exitcode;
  return status;
}
