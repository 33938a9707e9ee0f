/* SPDX-License-Identifier: MIT */
/*
** main.c -- the wasmem command-line tool: subcommand dispatch and the
** validate, inspect and call subcommands. Uses only the public API.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: wasmem <command> [options] ...\n"
    "\n"
    "commands:\n"
    "  validate FILE              check that FILE is a valid module\n"
    "  inspect FILE               list imports, exports and their types\n"
    "  call FILE FUNC [ARGS...]   instantiate FILE and call export FUNC\n"
    "  spectest FILE.wast [-v]    run a spec test script (.wast, or\n"
    "                             wast2json's FILE.json)\n"
    "  run FILE [ARGS...]         run a WASI program (--dir, --ro-dir, --env,\n"
    "                             --tcplisten, --invoke)\n"
    "                             (call and run take --fuel N and\n"
    "                             --timeout DURATION: exit 125 and 124,\n"
    "                             and --max-memory SIZE)\n"
    "  wat2wasm FILE.wat -o OUT    convert a text module to binary\n"
    "  compile FILE -o OUT.so     compile a module to native code (C, then\n"
    "                             the system's cc); call and run take OUT.so\n"
    "  check [OPTIONS] call|run ...\n"
    "                             run call or run under the guest heap checker\n"
    "                             (leaks, double frees, bad accesses)\n"
    "\n"
    "Run `wasmem <command> --help` for details of one command.\n";

static const char validate_help[] =
    "usage: wasmem validate FILE\n"
    "\n"
    "Decode and validate the module FILE (binary, or text: .wat). Prints \"FILE: valid\" and\n"
    "exits 0, or prints one error line (with the byte offset when known) and\n"
    "exits 1.\n";

static const char wat2wasm_help[] =
    "usage: wasmem wat2wasm FILE.wat -o OUT.wasm\n"
    "\n"
    "Convert the module FILE.wat, in the WebAssembly text format, to binary:\n"
    "the same bytes as wabt's wat2wasm writes. The module is not validated\n"
    "(`wasmem validate` does that, and takes .wat files too). A syntax error\n"
    "is printed as FILE:LINE:COL: message, exit 1.\n";

static const char inspect_help[] =
    "usage: wasmem inspect FILE\n"
    "       wasmem inspect --lowered FUNC FILE\n"
    "\n"
    "Print the imports and exports of the module FILE (binary or text) with their types\n"
    "(functions as (params) -> (results), tables and memories with their\n"
    "limits, globals with their type and mutability), then every memory, table\n"
    "and global (and exception tag, if any, with its payload as params), the\n"
    "start function, and a summary of the data and element segments.\n"
    "\n"
    "--lowered FUNC prints instead the interpreter's lowered code of function FUNC\n"
    "(an exported function's name, or a function index), one instruction a line:\n"
    "for reading and debugging, in a format that follows the interpreter.\n";

static const char call_help[] =
    "usage: wasmem call FILE FUNC [ARGS...] [OPTIONS]\n"
    "\n"
    "Instantiate FILE (imports may name the `spectest` host module and WASI,\n"
    "wasi_snapshot_preview1 or wasi_unstable) and call its exported function\n"
    "FUNC. Each numeric argument is parsed by the type of the matching\n"
    "parameter:\n"
    "  i32, i64    decimal or 0x-prefixed hex, optionally negative\n"
    "              (e.g. -1, 4294967295, 0xffffffff)\n"
    "  f32, f64    a decimal or C99 hex float, nan, inf, -inf\n"
    "              (e.g. 1.5, -0, 0x1p-3), or the raw bit pattern written as\n"
    "              bits:N with N decimal or 0x hex (e.g. bits:0x7fc00001)\n"
    "  funcref     null\n"
    "  externref   null, or a number N naming a distinct host reference\n"
    "  v128        SHAPE:LANES, comma-separated, lane 0 first; SHAPE one of\n"
    "                i8x16, i16x8, i32x4, i64x2  integer lanes as above, each\n"
    "                                            in range of its width\n"
    "                f32x4, f64x2                float lanes as above\n"
    "              e.g. i32x4:1,-2,0xff,4294967295 or f32x4:1.5,nan,-inf,0\n"
    "Results are printed one per line: integers as signed decimal, f32 with\n"
    "%.9g and f64 with %.17g, references as null or ref, v128 as\n"
    "i32x4:A,B,C,D (lanes printed as those scalars are).\n"
    "  --v128 SHAPE       print v128 results in another shape: i8x16, i16x8,\n"
    "                     i32x4, i64x2, f32x4 or f64x2\n"
    "\n"
    "Passing data through linear memory (the guest's exported allocator is\n"
    "used; the guest needs one of alloc/dealloc, malloc/free,\n"
    "__wbindgen_malloc/__wbindgen_free, __new/__pin/__unpin, cabi_realloc;\n"
    "alloc alone also does, but its blocks are then never freed):\n"
    "  --bytes 1,2,3      bytes (decimal or 0x hex, 0-255, comma-separated;\n"
    "                     '' for none) copied into a fresh guest block and\n"
    "                     passed as TWO i32 parameters (ptr, len), in the\n"
    "                     position where the option stands among the args\n"
    "  --string TEXT      the UTF-8 bytes of TEXT, passed as (ptr, len)\n"
    "  --file PATH        the bytes of a file, passed as (ptr, len)\n"
    "  --as-string TEXT   an AssemblyScript String object (UTF-16, made with\n"
    "                     __new(size, 2) and pinned), passed as ONE i32 pointer\n"
    "                     as AS functions taking `string` expect (selects the\n"
    "                     asc allocator unless --alloc says otherwise)\n"
    "  --result KIND:CONV the function returns a guest block that the host then\n"
    "                     owns; it is printed and freed with the guest's free.\n"
    "                     KIND: string (must be valid UTF-8, printed as text)\n"
    "                           bytes  (printed as comma-separated decimal)\n"
    "                     CONV: same-len   i32 ptr; length of the first\n"
    "                                      byte/string argument (the seed's upper)\n"
    "                           out-ptr    an extra LAST i32 parameter: the\n"
    "                                      address of 8 bytes where the guest\n"
    "                                      stores {ptr: u32, len: u32}\n"
    "                           pair       two i32 results (ptr, len)\n"
    "                           i64        one i64: ptr low 32 bits, len high\n"
    "                           cstr       i32 ptr to NUL-terminated bytes\n"
    "                           len-prefix i32 ptr to a u32 LE length, then bytes\n"
    "                           as-string  i32 ptr to an AssemblyScript String\n"
    "                                      (UTF-16; string: printed as UTF-8)\n"
    "                     Other results of the function are printed after it.\n"
    "  --alloc NAME       force the allocator convention: seed, malloc, cabi,\n"
    "                     wbindgen or asc (default: detected from the exports)\n"
    "  --transfer         the callee takes ownership of the input blocks and\n"
    "                     frees them itself (the seed's Rust array_sum and\n"
    "                     upper do). Default: the host frees its inputs after\n"
    "                     the call with the guest's free.\n"
    "  --max-memory SIZE  the most bytes the module's linear memory may reach\n"
    "                     (64K, 64M, 2G; default 8G): memory.grow past it\n"
    "                     returns -1, a larger initial memory fails to\n"
    "                     instantiate\n"
    "  --max-gc-bytes SIZE  the most bytes of garbage-collected objects live\n"
    "                     at once (default 1G; see run --help)\n"
    "  --no-cache         neither use nor write the code cache (as in run)\n"
    "  --aot              run compiled code, compiled once into the cache\n"
    "                     (see run --help)\n"
    "  --bounds-checks    with --aot: compiled code checks every access\n"
    "  --keep-result      the host forgets to free the --result block (it is\n"
    "                     given back only when the guest context ends): the\n"
    "                     leak `wasmem check` reports as \"not freed by the host\"\n"
    "For modules importing WASI, as in `wasmem run` (see wasmem run --help):\n"
    "  --dir HOST[::GUEST], --ro-dir HOST[::GUEST], --env KEY=VALUE,\n"
    "  --tcplisten HOST:PORT\n"
    "Stopping the guest (the module is then loaded metered):\n"
    "  --fuel N           stop after N wasm instructions (each costs 1, except\n"
    "                     nop, block, loop, else and end): trap \"all fuel\n"
    "                     consumed\", exit status 125\n"
    "  --timeout DURATION stop after DURATION (1s, 500ms, 2m, 1.5h, 250us; a\n"
    "                     bare number is seconds): trap \"deadline exceeded\",\n"
    "                     exit status 124\n"
    "  With either, Ctrl-C stops the guest: trap \"interrupted\", exit status 130\n"
    "Everything wasmem allocated is freed before exit; what could not be freed\n"
    "is reported on stderr. Examples:\n"
    "  wasmem call m.wasm array_sum --bytes 1,2,3,4,5           prints 15\n"
    "  wasmem call m.wasm upper --string \"this should be uppercase\" \\\n"
    "      --result string:same-len          prints THIS SHOULD BE UPPERCASE\n"
    "A trap prints its message and a wasm backtrace to stderr and exits 1\n"
    "(124, 125 and 130 for --timeout, --fuel and Ctrl-C). A WASI guest that\n"
    "calls proc_exit ends the call with its code as the exit status\n"
    "(\"FUNC exited with code N\" on stderr when N is not 0).\n";

void cli_error(const char *fmt, ...) {
  va_list ap;
  fputs("wasmem: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void cli_print_functype(FILE *f, const wm_functype *ft) {
  fputc('(', f);
  for (uint32_t i = 0; i < ft->nparams; i++)
    fprintf(f, "%s%s", i ? ", " : "", wm_valtype_name(ft->params[i]));
  fputs(") -> (", f);
  for (uint32_t i = 0; i < ft->nresults; i++)
    fprintf(f, "%s%s", i ? ", " : "", wm_valtype_name(ft->results[i]));
  fputc(')', f);
}

/* Print an error from the library as one line, with the byte offset of
** decoding errors. The message may hold a backtrace after a newline; only
** traps want that, so callers that print traps do it themselves. */
void cli_report(const char *what, const wm_error *err) {
  const char *msg = err->message[0] ? err->message : wm_strerror(err->code);
  int len = (int)strcspn(msg, "\n");
  /* Some library messages already name the offset; do not say it twice. */
  const char *at = strstr(msg, "at byte");
  /* A text module's errors name the file already ("FILE:LINE:COL: ..."). */
  size_t wlen = strlen(what);
  if (strncmp(msg, what, wlen) == 0 && msg[wlen] == ':') {
    cli_error("%.*s", len, msg);
    return;
  }
  if (err->offset != UINT32_MAX && !(at && at - msg < len))
    cli_error("%s: %.*s (at byte 0x%" PRIx32 ")", what, len, msg, err->offset);
  else
    cli_error("%s: %.*s", what, len, msg);
}

/* True when argv holds -h or --help anywhere before a "--". */
static bool wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) return false;
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return true;
  }
  return false;
}

/* Reject options we do not know so that a typo is not taken for a file. */
static int check_no_options(const char *cmd, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] != '\0') {
      cli_error("%s: unknown option '%s' (see wasmem %s --help)", cmd, argv[i], cmd);
      return 2;
    }
  }
  return 0;
}

/* The shared start of `validate` and `inspect`: --help, exactly one FILE,
** load it. Returns the exit status to stop with, or -1 with *mod loaded. */
static int load_one_file(const char *cmd, const char *help, int argc, char **argv, wm_module **mod) {
  if (wants_help(argc, argv)) {
    fputs(help, stdout);
    return 0;
  }
  int rc = check_no_options(cmd, argc, argv);
  if (rc) return rc;
  if (argc != 2) {
    cli_error("%s: expected exactly one FILE (see wasmem %s --help)", cmd, cmd);
    return 2;
  }
  wm_error err;
  /* A large module's bodies are validated through buffers, not held. */
  wm_module_options o = {0};
  o.flags = WM_MODULE_SPARSE;
  if (wm_module_load_file(argv[1], &o, mod, &err) != 0) {
    cli_report(argv[1], &err);
    return 1;
  }
  return -1;
}

/* ---------------------------------------------------------------- validate */

static int cmd_validate(int argc, char **argv) {
  wm_module *mod = NULL;
  int rc = load_one_file("validate", validate_help, argc, argv, &mod);
  if (rc >= 0) return rc;
  printf("%s: valid\n", argv[1]);
  wm_module_free(mod);
  return 0;
}

/* ---------------------------------------------------------------- wat2wasm */

static int cmd_wat2wasm(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    fputs(wat2wasm_help, stdout);
    return 0;
  }
  const char *in = NULL, *outpath = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      outpath = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      cli_error("wat2wasm: unknown option '%s' (see wasmem wat2wasm --help)", argv[i]);
      return 2;
    } else if (!in) {
      in = argv[i];
    } else {
      in = NULL;
      break;
    }
  }
  if (!in || !outpath) {
    cli_error("wat2wasm: expected FILE.wat -o OUT.wasm (see wasmem wat2wasm --help)");
    return 2;
  }
  FILE *f = fopen(in, "rb");
  if (!f) {
    cli_error("%s: %s", in, strerror(errno));
    return 1;
  }
  char *text = NULL;
  size_t len = 0, cap = 0, n;
  for (;;) {
    if (len == cap) {
      char *bigger = cap < ((size_t)1 << 40) ? realloc(text, cap ? cap * 2 : 65536) : NULL;
      if (!bigger) {
        cli_error("%s: out of memory", in);
        free(text);
        fclose(f);
        return 1;
      }
      text = bigger;
      cap = cap ? cap * 2 : 65536;
    }
    if ((n = fread(text + len, 1, cap - len, f)) == 0) break;
    len += n;
  }
  bool bad = ferror(f) != 0;
  fclose(f);
  if (bad) {
    cli_error("%s: read error", in);
    free(text);
    return 1;
  }
  uint8_t *bin = NULL;
  size_t bin_len = 0;
  wm_error err;
  int rc = wm_wat_to_wasm(text, len, &bin, &bin_len, &err);
  free(text);
  if (rc) {
    cli_error("%s:%s", in, err.message);
    return 1;
  }
  FILE *o = fopen(outpath, "wb");
  bool ok = o && (bin_len == 0 || fwrite(bin, 1, bin_len, o) == bin_len); /* bin may be NULL */
  if (o && fclose(o) != 0) ok = false;
  wm_free(bin);
  if (!ok) {
    cli_error("%s: cannot write: %s", outpath, strerror(errno));
    return 1;
  }
  return 0;
}

/* ----------------------------------------------------------------- inspect */

/* A 64-bit memory or table (memory64, table64) says so first. */
static void print_limits(const wm_limits *l) {
  printf("{%smin %" PRIu64, l->is64 ? "i64, " : "", l->min);
  if (l->has_max) printf(", max %" PRIu64, l->max);
  printf("}");
}

/* Names may hold any bytes; print control characters escaped so that a
** hostile module cannot drive the terminal. Names are cut at a NUL byte by
** the API, so name_len may exceed what we can see. */
static void print_name(const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
      printf("\\%02x", c);
    else
      putchar(c);
  }
}

static void print_desc_type(const wm_extern_desc *d) {
  printf("%s", wm_externkind_name(d->kind));
  switch (d->kind) {
  case WM_EXTERN_FUNC:
    putchar(' ');
    cli_print_functype(stdout, &d->func);
    break;
  case WM_EXTERN_TABLE:
    printf(" %s ", wm_valtype_name(d->elem_type));
    print_limits(&d->limits);
    break;
  case WM_EXTERN_MEMORY:
    putchar(' ');
    print_limits(&d->limits);
    break;
  case WM_EXTERN_GLOBAL:
    printf(" %s%s", d->global_mutable ? "mut " : "", wm_valtype_name(d->global_type));
    break;
  case WM_EXTERN_TAG: /* its payload, as a function type's params */
    putchar(' ');
    cli_print_functype(stdout, &d->func);
    break;
  }
}

static const char *segment_mode_name(wm_segment_mode m) {
  switch (m) {
  case WM_SEGMENT_ACTIVE: return "active";
  case WM_SEGMENT_PASSIVE: return "passive";
  case WM_SEGMENT_DECLARATIVE: return "declarative";
  }
  return "?";
}

static void print_segment(const char *what, uint32_t i, const wm_segment_desc *d) {
  printf("  %s %" PRIu32 ": %s, %" PRIu32 " %s", what, i, segment_mode_name(d->mode), d->count,
         d->elem_type ? "elements" : "bytes");
  if (d->elem_type) printf(" of %s", wm_valtype_name(d->elem_type));
  if (d->mode == WM_SEGMENT_ACTIVE) {
    printf(", %s %" PRIu32 " at ", d->elem_type ? "table" : "memory", d->target);
    if (d->offset_known)
      printf("%" PRIu64, d->offset);
    else
      printf("(global)");
  }
  putchar('\n');
}

/* Every memory, table and global (imported or not, exported or not), the
** function count, the start function and the segments. */
static void print_spaces_and_segments(const wm_module *mod) {
  wm_module_info info;
  wm_module_get_info(mod, &info);
  printf("functions: %" PRIu32 " (%" PRIu32 " imported)\n", info.nfuncs, info.nfunc_imports);
  static const struct { wm_externkind kind; const char *plural; } spaces[] = {
      {WM_EXTERN_MEMORY, "memories"}, {WM_EXTERN_TABLE, "tables"}, {WM_EXTERN_GLOBAL, "globals"},
      {WM_EXTERN_TAG, "tags"}};
  for (size_t k = 0; k < sizeof spaces / sizeof spaces[0]; k++) {
    uint32_t n = spaces[k].kind == WM_EXTERN_MEMORY   ? info.nmems
                 : spaces[k].kind == WM_EXTERN_TABLE  ? info.ntables
                 : spaces[k].kind == WM_EXTERN_GLOBAL ? info.nglobals
                                                      : info.ntags;
    uint32_t nimp = spaces[k].kind == WM_EXTERN_MEMORY   ? info.nmem_imports
                    : spaces[k].kind == WM_EXTERN_TABLE  ? info.ntable_imports
                    : spaces[k].kind == WM_EXTERN_GLOBAL ? info.nglobal_imports
                                                         : info.ntag_imports;
    if (spaces[k].kind == WM_EXTERN_TAG && !n) continue; /* listed only when there are some */
    printf("%s (%" PRIu32 "):\n", spaces[k].plural, n);
    for (uint32_t i = 0; i < n; i++) {
      wm_extern_desc d;
      if (wm_module_entity(mod, spaces[k].kind, i, &d) != 0) continue;
      printf("  %" PRIu32 ": ", i);
      print_desc_type(&d);
      if (i < nimp) printf(" (imported)");
      putchar('\n');
    }
  }
  if (info.has_start) printf("start: func %" PRIu32 "\n", info.start);
  printf("data segments (%" PRIu32 "):\n", info.ndatas);
  for (uint32_t i = 0; i < info.ndatas; i++) {
    wm_segment_desc d;
    if (wm_module_data(mod, i, &d) == 0) print_segment("data", i, &d);
  }
  printf("element segments (%" PRIu32 "):\n", info.nelems);
  for (uint32_t i = 0; i < info.nelems; i++) {
    wm_segment_desc d;
    if (wm_module_elem(mod, i, &d) == 0) print_segment("elem", i, &d);
  }
}

/* `inspect --lowered FUNC`: FUNC an exported function's name or a
** function index. */
static int print_lowered(wm_module *mod, const char *file, const char *func) {
  uint32_t idx = UINT32_MAX, n = wm_module_export_count(mod);
  for (uint32_t i = 0; i < n && idx == UINT32_MAX; i++) {
    wm_extern_desc d;
    if (wm_module_export(mod, i, &d) == 0 && d.kind == WM_EXTERN_FUNC && strcmp(d.name, func) == 0)
      idx = d.index;
  }
  char *end;
  unsigned long v = strtoul(func, &end, 10);
  if (idx == UINT32_MAX && func[0] >= '0' && func[0] <= '9' && !*end && v < UINT32_MAX)
    idx = (uint32_t)v;
  if (idx == UINT32_MAX) {
    cli_error("inspect: %s: no exported function '%s' (give its name or a function index)", file, func);
    return 1;
  }
  wm_error err;
  printf("function %" PRIu32 ":\n", idx);
  if (wm_module_print_lowered(mod, idx, stdout, &err) != 0) {
    fflush(stdout);
    cli_report(file, &err);
    return 1;
  }
  return 0;
}

static int cmd_inspect(int argc, char **argv) {
  wm_module *mod = NULL;
  const char *lowered = NULL;
  if (argc >= 3 && strcmp(argv[1], "--lowered") == 0) {
    /* Drop the option and its FUNC: the command's name moves up two. */
    lowered = argv[2];
    argv[2] = argv[0];
    argv += 2;
    argc -= 2;
  }
  int rc = load_one_file("inspect", inspect_help, argc, argv, &mod);
  if (rc >= 0) return rc;
  if (lowered) {
    rc = print_lowered(mod, argv[1], lowered);
    wm_module_free(mod);
    return rc;
  }
  uint32_t n = wm_module_import_count(mod);
  printf("imports (%" PRIu32 "):\n", n);
  for (uint32_t i = 0; i < n; i++) {
    wm_extern_desc d;
    if (wm_module_import(mod, i, &d) != 0) continue;
    printf("  ");
    print_name(d.module ? d.module : "");
    putchar('.');
    print_name(d.name);
    printf(": ");
    print_desc_type(&d);
    putchar('\n');
  }
  n = wm_module_export_count(mod);
  printf("exports (%" PRIu32 "):\n", n);
  for (uint32_t i = 0; i < n; i++) {
    wm_extern_desc d;
    if (wm_module_export(mod, i, &d) != 0) continue;
    printf("  ");
    print_name(d.name);
    printf(": ");
    print_desc_type(&d);
    printf(" [index %" PRIu32 "]", d.index);
    if (d.kind == WM_EXTERN_FUNC) {
      const char *fn = wm_module_func_name(mod, d.index);
      if (fn) {
        printf(" $");
        print_name(fn);
      }
    }
    putchar('\n');
  }
  print_spaces_and_segments(mod);
  wm_module_free(mod);
  return 0;
}

/* -------------------------------------------------------------------- call */

/* Parse an integer: optional sign, then decimal or 0x hex. The magnitude
** must fit in 64 bits; the caller checks the range of its type. */
static bool parse_int(const char *s, bool *neg, uint64_t *mag) {
  *neg = false;
  if (*s == '-' || *s == '+') *neg = (*s++ == '-');
  int base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  if (!*s) return false;
  uint64_t v = 0;
  for (; *s; s++) {
    int d;
    if (*s >= '0' && *s <= '9') d = *s - '0';
    else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
    else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
    else if (*s == '_') continue;
    else return false;
    if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) return false;
    v = v * (uint64_t)base + (uint64_t)d;
  }
  *mag = v;
  return true;
}

static bool parse_v128(const char *s, wm_val *out, const char **why);

/* Parse an argument of type t into *out; returns false with a reason. */
static bool parse_arg(const char *s, wm_valtype t, wm_val *out, const char **why) {
  bool neg;
  uint64_t mag;
  *why = NULL;
  switch (t) {
  case WM_I32:
    if (!parse_int(s, &neg, &mag) || (neg ? mag > 0x80000000u : mag > 0xffffffffu)) break;
    *out = wm_val_i32((int32_t)(uint32_t)(neg ? 0u - mag : mag));
    return true;
  case WM_I64:
    if (!parse_int(s, &neg, &mag) || (neg && mag > UINT64_C(0x8000000000000000))) break;
    *out = wm_val_i64((int64_t)(neg ? 0u - mag : mag));
    return true;
  case WM_F32:
  case WM_F64: {
    if (strncmp(s, "bits:", 5) == 0) {
      if (!parse_int(s + 5, &neg, &mag) || neg || (t == WM_F32 && mag > 0xffffffffu)) break;
      out->type = t;
      out->of.f64_bits = 0;
      if (t == WM_F32) out->of.f32_bits = (uint32_t)mag;
      else out->of.f64_bits = mag;
      return true;
    }
    char *end;
    errno = 0;
    if (t == WM_F32) {
      float f = strtof(s, &end);
      if (end == s || *end) break;
      *out = wm_val_f32(f);
    } else {
      double d = strtod(s, &end);
      if (end == s || *end) break;
      *out = wm_val_f64(d);
    }
    return true;
  }
  case WM_FUNCREF:
    if (strcmp(s, "null") != 0) {
      *why = "a funcref argument can only be null";
      break;
    }
    out->type = t;
    out->of.ref = NULL;
    return true;
  case WM_EXTERNREF:
    out->type = t;
    out->of.ref = NULL;
    if (strcmp(s, "null") == 0) return true;
    if (!parse_int(s, &neg, &mag) || neg || mag == UINT64_MAX || mag + 1 > UINTPTR_MAX) break;
    out->of.ref = (void *)(uintptr_t)(mag + 1);
    return true;
  case WM_EXNREF:
  case WM_ANYREF:
    if (strcmp(s, "null") != 0) {
      *why = t == WM_EXNREF ? "an exnref argument can only be null"
                            : "an anyref argument can only be null";
      break;
    }
    out->type = t;
    out->of.ref = NULL;
    return true;
  case WM_V128: return parse_v128(s, out, why);
  }
  return false;
}

/* One lane of a v128 argument: a float lane as the f32/f64 argument, an
** integer lane as an integer of its width (negative, or unsigned range). */
static bool parse_lane(const char *s, const cli_shape *sh, uint64_t *bits) {
  bool neg;
  uint64_t mag, max = cli_lane_mask(sh);
  if (sh->kind == 'f') {
    wm_val v;
    const char *why;
    if (!parse_arg(s, sh->width == 4 ? WM_F32 : WM_F64, &v, &why)) return false;
    *bits = sh->width == 4 ? v.of.f32_bits : v.of.f64_bits;
    return true;
  }
  if (!parse_int(s, &neg, &mag) || mag > (neg ? max / 2 + 1 : max)) return false;
  *bits = (neg ? 0 - mag : mag) & max;
  return true;
}

/* A v128 argument: SHAPE:LANES, e.g. i32x4:1,-2,0xff,4294967295. The
** reason for a refusal may be formatted into a static buffer. */
static bool parse_v128(const char *s, wm_val *out, const char **why) {
  static char msg[160];
  const char *colon = strchr(s, ':');
  const cli_shape *sh = colon ? cli_shape_find(s, (size_t)(colon - s)) : NULL;
  if (!sh) {
    *why = "expected SHAPE:LANES with SHAPE " CLI_SHAPE_NAMES " (e.g. i32x4:1,2,3,4)";
    return false;
  }
  unsigned n = colon[1] ? 1 : 0;
  for (const char *p = colon + 1; *p; p++) n += *p == ',';
  if (n != sh->lanes) {
    snprintf(msg, sizeof msg, "%s takes %u lanes, %u given", sh->name, sh->lanes, n);
    *why = msg;
    return false;
  }
  uint8_t bytes[16];
  const char *p = colon + 1;
  for (unsigned i = 0; i < n; i++) {
    size_t k = strcspn(p, ",");
    char tok[64];
    uint64_t bits;
    bool ok = k < sizeof tok;
    if (ok) {
      memcpy(tok, p, k);
      tok[k] = '\0';
      ok = parse_lane(tok, sh, &bits);
    }
    if (!ok) {
      snprintf(msg, sizeof msg, "lane %u '%.*s' is not %s %s", i, (int)(k < 40 ? k : 40), p,
               sh->kind == 'f' ? "an" : "an integer in range of", sh->lane);
      *why = msg;
      return false;
    }
    cli_lane_set(bytes, sh, i, bits);
    p += k + 1;
  }
  *out = wm_val_v128(bytes);
  return true;
}

void cli_print_val(FILE *f, const wm_val *v) {
  switch (v->type) {
  case WM_I32: fprintf(f, "%" PRId32, v->of.i32); break;
  case WM_I64: fprintf(f, "%" PRId64, v->of.i64); break;
  case WM_F32: fprintf(f, "%.9g", (double)wm_val_as_f32(*v)); break;
  case WM_F64: fprintf(f, "%.17g", wm_val_as_f64(*v)); break;
  case WM_FUNCREF:
  case WM_EXTERNREF:
    if (!v->of.ref) fputs("null", f);
    else if (v->type == WM_EXTERNREF) fprintf(f, "ref.extern %" PRIuPTR, (uintptr_t)v->of.ref - 1);
    else fputs("ref.func", f);
    break;
  case WM_EXNREF: fputs(v->of.ref ? "ref.exn" : "null", f); break;
  case WM_ANYREF:
    if (wm_anyref_kind_of(NULL, v->of.ref) == WM_ANY_I31)
      fprintf(f, "ref.i31 %" PRId32, wm_anyref_i31_value(v->of.ref));
    else
      fputs(v->of.ref ? "ref.any" : "null", f);
    break;
  case WM_V128: cli_print_v128(f, v->of.v128, cli_shape_default); break;
  }
}

/* One argument of `call`: a number parsed by its parameter's type, or a
** byte range / AS string copied into guest memory. */
typedef struct call_item {
  wm_arg_kind kind;
  const char *text;   /* numbers; also the option's text */
  uint8_t *data;      /* malloc'd bytes (--bytes, --file); else text */
  size_t len;
} call_item;

/* Parse "1,2,0xff" (or "") into bytes. */
static bool parse_bytes(const char *s, uint8_t **out, size_t *len) {
  size_t n = *s ? 1 : 0;
  for (const char *p = s; *p; p++) n += *p == ',';
  uint8_t *b = malloc(n ? n : 1);
  if (!b) return false;
  size_t i = 0;
  while (*s) {
    char tok[32];
    size_t k = strcspn(s, ",");
    bool neg;
    uint64_t v;
    if (k == 0 || k >= sizeof tok) goto bad;
    memcpy(tok, s, k);
    tok[k] = 0;
    if (!parse_int(tok, &neg, &v) || neg || v > 255) goto bad;
    b[i++] = (uint8_t)v;
    s += k;
    if (*s == ',') {
      s++;
      if (!*s) goto bad;
    }
  }
  *out = b;
  *len = i;
  return true;
bad:
  free(b);
  return false;
}

static bool read_file(const char *path, uint8_t **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  size_t cap = 4096, n = 0;
  uint8_t *b = malloc(cap);
  while (b) {
    n += fread(b + n, 1, cap - n, f);
    if (n < cap) break;
    uint8_t *nb = cap > SIZE_MAX / 2 ? NULL : realloc(b, cap * 2);
    if (!nb) {
      free(b);
      b = NULL;
      break;
    }
    b = nb;
    cap *= 2;
  }
  bool ok = b && !ferror(f);
  fclose(f);
  if (!ok) {
    free(b);
    return false;
  }
  *out = b;
  *len = n;
  return true;
}

/* True when the module imports anything from WASI. */
static bool imports_from(const wm_module *mod, const char *module) {
  uint32_t n = wm_module_import_count(mod);
  for (uint32_t i = 0; i < n; i++) {
    wm_extern_desc d;
    if (wm_module_import(mod, i, &d) == 0 && d.module && strcmp(d.module, module) == 0)
      return true;
  }
  return false;
}

static void print_trap_or_error(const char *name, int rc, const wm_error *err) {
  if (wm_is_trap(rc)) /* the message holds the trap text then a backtrace */
    cli_error("trap: %s", err->message[0] ? err->message : wm_strerror(rc));
  else
    cli_report(name, err);
}

int cli_call(int argc, char **argv) {
  if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
    fputs(call_help, stdout);
    return 0;
  }
  if (argc >= 3 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
    fputs(call_help, stdout);
    return 0;
  }
  if (argc < 3) {
    cli_error("call: expected FILE FUNC [ARGS...] (see wasmem call --help)");
    return 2;
  }
  const char *path = argv[1], *name = argv[2];
  int status = 1, rc;
  wm_error err;
  wm_module *mod = NULL;
  wm_runtime *rt = NULL;
  wm_runtime_options ro;
  wm_instance *inst = NULL;
  cli_wasi cw;
  wm_guest *guest = NULL;
  wm_val *vals = NULL;
  wm_arg *gargs = NULL;
  call_item *items = calloc((size_t)argc, sizeof *items);
  uint32_t nitems = 0;
  bool exchange = false, transfer = false, result_string = false, keep_result = false;
  wm_result_conv conv = WM_RESULT_NONE;
  wm_alloc_kind akind = WM_ALLOC_AUTO;
  wm_block rblock = {0, 0, 0};
  const cli_shape *vshape = cli_shape_default; /* how v128 results print */
  memset(&ro, 0, sizeof ro);
  if (!items) {
    cli_error("out of memory");
    return 1;
  }
  if (cli_wasi_init(&cw, argc) != 0) {
    free(items);
    return 1;
  }

  /* Options may stand anywhere among the numeric arguments. */
  for (int i = 3; i < argc; i++) {
    const char *a = argv[i];
    bool takes = strcmp(a, "--bytes") == 0 || strcmp(a, "--string") == 0 ||
                 strcmp(a, "--file") == 0 || strcmp(a, "--as-string") == 0 ||
                 strcmp(a, "--result") == 0 || strcmp(a, "--alloc") == 0 ||
                 strcmp(a, "--max-memory") == 0 || strcmp(a, "--v128") == 0 ||
                 strcmp(a, "--max-gc-bytes") == 0 ||
                 cli_wasi_is_option(a) ||
                 cli_limit_is_option(a);
    if (takes && i + 1 >= argc) {
      cli_error("call: option %s needs a value (see wasmem call --help)", a);
      status = 2;
      goto done;
    }
    if (cli_wasi_is_option(a)) {
      if (cli_wasi_option(&cw, a, argv[++i]) != 0) {
        status = 2;
        goto done;
      }
    } else if (cli_limit_is_option(a)) {
      if (cli_limit_option("call", a, argv[++i]) != 0) {
        status = 2;
        goto done;
      }
    } else if (strcmp(a, "--max-memory") == 0) {
      if (!cli_parse_size("call: --max-memory", argv[++i], &ro.max_memory_bytes)) {
        status = 2;
        goto done;
      }
    } else if (strcmp(a, "--max-gc-bytes") == 0) {
      if (!cli_parse_size("call: --max-gc-bytes", argv[++i], &ro.max_gc_bytes)) {
        status = 2;
        goto done;
      }
    } else if (strcmp(a, "--v128") == 0) {
      const char *v = argv[++i];
      vshape = cli_shape_find(v, strlen(v));
      if (!vshape) {
        cli_error("call: --v128 '%s': expected " CLI_SHAPE_NAMES, v);
        status = 2;
        goto done;
      }
    } else if (cli_cache_is_option(a)) {
      cli_cache_option(a);
    } else if (cli_aot_is_option(a)) {
      cli_aot_option(a);
    } else if (strcmp(a, "--transfer") == 0) {
      transfer = exchange = true;
    } else if (strcmp(a, "--keep-result") == 0) {
      keep_result = true;
    } else if (strcmp(a, "--alloc") == 0) {
      if (!wm_alloc_kind_parse(argv[++i], &akind) || akind == WM_ALLOC_NONE) {
        cli_error("call: --alloc '%s': expected seed, malloc, cabi, wbindgen or asc", argv[i]);
        status = 2;
        goto done;
      }
      exchange = true;
    } else if (strcmp(a, "--result") == 0) {
      const char *v = argv[++i], *colon = strchr(v, ':');
      if (colon && (size_t)(colon - v) == 6 && strncmp(v, "string", 6) == 0) result_string = true;
      else if (!(colon && (size_t)(colon - v) == 5 && strncmp(v, "bytes", 5) == 0)) colon = NULL;
      if (!colon || !wm_result_conv_parse(colon + 1, &conv) || conv == WM_RESULT_NONE) {
        cli_error("call: --result '%s': expected KIND:CONV with KIND string or bytes and CONV "
                  "same-len, out-ptr, pair, i64, cstr, len-prefix or as-string", v);
        status = 2;
        goto done;
      }
      exchange = true;
    } else if (takes) {
      call_item *it = &items[nitems++];
      const char *v = argv[++i];
      it->text = v;
      exchange = true;
      if (strcmp(a, "--bytes") == 0) {
        it->kind = WM_ARG_BYTES;
        if (!parse_bytes(v, &it->data, &it->len)) {
          cli_error("call: --bytes '%s': expected comma-separated bytes 0-255", v);
          status = 2;
          goto done;
        }
      } else if (strcmp(a, "--file") == 0) {
        it->kind = WM_ARG_BYTES;
        if (!read_file(v, &it->data, &it->len)) {
          cli_error("call: --file '%s': %s", v, strerror(errno));
          goto done;
        }
      } else {
        it->kind = strcmp(a, "--string") == 0 ? WM_ARG_BYTES : WM_ARG_AS_STRING;
        it->len = strlen(v);
      }
    } else if (a[0] == '-' && a[1] == '-' && a[2]) {
      cli_error("call: unknown option '%s' (see wasmem call --help)", a);
      status = 2;
      goto done;
    } else {
      items[nitems].kind = WM_ARG_VALUE;
      items[nitems++].text = a;
    }
  }

  if (cli_open_module(path, &mod) != 0) goto done;
  if (wm_runtime_new(&ro, &rt, &err) != 0) {
    cli_report("runtime", &err);
    goto done;
  }
  cli_limit_apply(rt);
  if (cli_check_runtime(rt, path) != 0) goto done;
  /* Only when imported: its memory and table would count against the
  ** runtime's budgets (--max-memory). */
  if (imports_from(mod, "spectest") && cli_define_spectest(rt, &err) != 0) {
    cli_report("spectest module", &err);
    goto done;
  }
  if (imports_from(mod, "wasi_snapshot_preview1") || imports_from(mod, "wasi_unstable")) {
    const char *wargv[1] = {path};
    if (cli_wasi_finish(&cw) != 0) goto done;
    if (wm_wasi_set_args(cw.w, 1, wargv, &err) != 0 || wm_wasi_define(cw.w, rt, &err) != 0) {
      cli_report("WASI", &err);
      goto done;
    }
  } else if (cw.nused) {
    cli_error("warning: %s does not import WASI: --dir, --ro-dir, --env and --tcplisten have "
              "no effect", path);
  }
  if ((rc = wm_instance_new(rt, mod, NULL, &inst, &err)) != 0) {
    print_trap_or_error(path, rc, &err); /* a start function may trap */
    status = cli_limit_status(rc, status);
    goto done;
  }
  if (cli_check_attach(inst) != 0) goto done;
  wm_func *fn = wm_instance_func(inst, name);
  if (!fn) {
    const char *other = wm_instance_memory(inst, name)   ? "a memory"
                        : wm_instance_table(inst, name)  ? "a table"
                        : wm_instance_global(inst, name) ? "a global"
                                                         : NULL;
    if (other) cli_error("%s: export '%s' is %s, not a function", path, name, other);
    else cli_error("%s: no exported function '%s'", path, name);
    goto done;
  }
  wm_functype ft = wm_func_type(fn);
  /* Map the items onto wasm parameters: a range takes two, an AS string
  ** one, an out-pointer one more at the end. */
  uint32_t nwasm = 0;
  for (uint32_t i = 0; i < nitems; i++) nwasm += items[i].kind == WM_ARG_BYTES ? 2 : 1;
  uint32_t nextra = conv == WM_RESULT_OUT_PTR ? 1 : 0;
  if (nwasm + nextra != ft.nparams) {
    cli_error("%s: function '%s' takes %" PRIu32 " argument%s, %" PRIu32 " given%s", path, name,
              ft.nparams, ft.nparams == 1 ? "" : "s", nwasm + nextra,
              exchange ? " (--bytes, --string and --file count as two: ptr, len; --result "
                         "KIND:out-ptr adds one)"
                       : "");
    goto done;
  }
  uint32_t nvals = ft.nparams + ft.nresults;
  vals = calloc(nvals ? nvals : 1, sizeof *vals);
  gargs = calloc(nitems ? nitems : 1, sizeof *gargs);
  if (!vals || !gargs) {
    cli_error("out of memory");
    goto done;
  }
  uint32_t pos = 0;
  for (uint32_t i = 0; i < nitems; i++) {
    call_item *it = &items[i];
    if (it->kind != WM_ARG_VALUE) {
      gargs[i].kind = it->kind;
      gargs[i].data = it->data ? (const void *)it->data : (const void *)it->text;
      gargs[i].len = it->len;
      pos += it->kind == WM_ARG_BYTES ? 2 : 1;
      continue;
    }
    const char *why;
    if (!parse_arg(it->text, ft.params[pos], &vals[pos], &why)) {
      cli_error("argument %" PRIu32 " '%s': %s", pos + 1, it->text,
                why ? why : ft.params[pos] == WM_I32 || ft.params[pos] == WM_I64
                          ? "not an integer in range of the parameter type"
                          : "not a number");
      goto done;
    }
    gargs[i] = wm_arg_value(vals[pos]);
    pos++;
  }

  uint32_t first = 0; /* results printed as values start here */
  if (!exchange) {
    /* A reactor (wasi-libc's -mexec-model=reactor) is initialised before
    ** any other export is called, as wm_guest_new does on the other path. */
    wm_func *init = wm_instance_func(inst, "_initialize");
    rc = 0;
    if (init && init != fn && wm_func_type(init).nparams == 0 && wm_func_type(init).nresults == 0)
      rc = wm_func_call(rt, init, NULL, 0, NULL, 0, &err);
    if (rc == 0)
      rc = wm_func_call(rt, fn, vals, ft.nparams, vals + ft.nparams, ft.nresults, &err);
  } else {
    /* AssemblyScript strings exist only with AS's runtime: asking for one
    ** picks the asc allocator, even where alloc/dealloc are exported too. */
    bool as_strings = conv == WM_RESULT_AS_STRING;
    for (uint32_t i = 0; i < nitems; i++) as_strings |= items[i].kind == WM_ARG_AS_STRING;
    wm_guest_options gopts = {0};
    gopts.alloc = akind == WM_ALLOC_AUTO && as_strings ? WM_ALLOC_ASC : akind;
    if ((rc = wm_guest_new(rt, inst, &gopts, &guest, &err)) != 0) {
      print_trap_or_error(path, rc, &err);
      status = cli_limit_status(rc, status);
      goto done;
    }
    wm_guest_call_options copts = {0};
    copts.result = conv;
    copts.transfer = transfer;
    first = conv == WM_RESULT_PAIR ? 2 : conv == WM_RESULT_NONE || conv == WM_RESULT_OUT_PTR ? 0 : 1;
    if (ft.nresults < first) {
      cli_error("%s: function '%s' returns %" PRIu32 " result%s: too few for --result ...:%s",
                path, name, ft.nresults, ft.nresults == 1 ? "" : "s", wm_result_conv_name(conv));
      goto done;
    }
    rc = wm_guest_call(guest, name, &copts, gargs, nitems, vals + ft.nparams + first,
                       ft.nresults - first, &rblock, &err);
  }
  cli_check_after_call(name);
  int exit_code;
  if (rc == WM_TRAP_EXIT && wm_wasi_exit_code(cw.w, &exit_code)) {
    /* proc_exit ends the program, as `wasmem run` would: its code is the
    ** exit status, not a trap. */
    if (exit_code) fprintf(stderr, "wasmem: %s exited with code %d\n", name, exit_code);
    status = exit_code;
    goto done;
  }
  if (rc != 0) {
    print_trap_or_error(name, rc, &err);
    status = cli_limit_status(rc, status);
    goto done;
  }
  if (conv != WM_RESULT_NONE) {
    wm_memory *mem = wm_guest_memory(guest);
    if (result_string && conv == WM_RESULT_AS_STRING) {
      char *text;
      size_t n;
      if ((rc = wm_guest_read_as_string(guest, rblock.ptr, &text, &n, &err)) != 0) {
        cli_report("result", &err);
        goto done;
      }
      fwrite(text, 1, n, stdout);
      wm_free(text);
    } else if (result_string) {
      const char *view;
      if ((rc = wm_memory_string(mem, rblock.ptr, rblock.len, &view, &err)) != 0) {
        cli_report("result", &err);
        goto done;
      }
      fwrite(view, 1, rblock.len, stdout);
    } else {
      uint8_t *p;
      if ((rc = wm_memory_slice(mem, rblock.ptr, rblock.len, &p, &err)) != 0) {
        cli_report("result", &err);
        goto done;
      }
      for (uint32_t i = 0; i < rblock.len; i++) printf(i ? ",%u" : "%u", p[i]);
    }
    putchar('\n');
  }
  for (uint32_t i = first; i < ft.nresults; i++) {
    const wm_val *v = &vals[ft.nparams + i];
    if (v->type == WM_V128) cli_print_v128(stdout, v->of.v128, vshape);
    else cli_print_val(stdout, v);
    putchar('\n');
  }
  status = 0;
done:
  /* A guest with no free function cannot take the result back: the
  ** abandoned-blocks line below says so once for every block. */
  if (guest && rblock.id && !keep_result && wm_block_free(guest, rblock, &err) != 0 &&
      wm_guest_can_free(guest))
    cli_report("freeing the result", &err);
  /* The checker's leak check runs before the guest context gives back
  ** what the host still holds. */
  status = cli_check_finish(status);
  if (guest) {
    /* Why blocks were not given back: the guest has no way to take them
    ** (nothing the host can change), or its free trapped (often the host
    ** freeing what the function already freed). Asked before the context
    ** goes. */
    wm_alloc_kind k = wm_guest_alloc_kind(guest);
    bool can_free = wm_guest_can_free(guest);
    wm_guest_stats st;
    wm_guest_free(guest, &st);
    if (st.abandoned && k == WM_ALLOC_SEED && !can_free)
      cli_error("warning: %" PRIu32 " guest block%s (%" PRIu64 " bytes) could not be freed: "
                "the guest exports alloc but no dealloc",
                st.abandoned, st.abandoned == 1 ? "" : "s", st.abandoned_bytes);
    else if (st.abandoned && k == WM_ALLOC_CABI)
      cli_error("warning: %" PRIu32 " guest block%s (%" PRIu64 " bytes) could not be freed: "
                "cabi_realloc has no free function (a result is given back only through "
                "its function's cabi_post_ export)",
                st.abandoned, st.abandoned == 1 ? "" : "s", st.abandoned_bytes);
    else if (st.abandoned && (status == CLI_EXIT_FUEL || status == CLI_EXIT_TIMEOUT ||
                              status == CLI_EXIT_INTERRUPTED))
      cli_error("warning: %" PRIu32 " guest block%s (%" PRIu64 " bytes) could not be given back "
                "to the guest's allocator: the guest was stopped (--fuel, --timeout, Ctrl-C), so its "
                "free could not run either",
                st.abandoned, st.abandoned == 1 ? "" : "s", st.abandoned_bytes);
    else if (st.abandoned)
      cli_error("warning: %" PRIu32 " guest block%s (%" PRIu64 " bytes) could not be given back "
                "to the guest's allocator (its free trapped%s)",
                st.abandoned, st.abandoned == 1 ? "" : "s", st.abandoned_bytes,
                transfer ? "" : "; if the function frees its inputs itself, pass --transfer");
  }
  for (uint32_t i = 0; i < nitems; i++) free(items[i].data);
  free(items);
  free(gargs);
  free(vals);
  cli_limit_release();
  wm_runtime_free(rt);
  cli_wasi_done(&cw);
  if (mod) (void)wm_module_cache_update(mod, NULL); /* best effort, as the cache */
  wm_module_free(mod);
  if (fflush(stdout) != 0 && status == 0) {
    cli_error("cannot write output");
    status = 1;
  }
  return status;
}

/* ---------------------------------------------------------------- dispatch */

int main(int argc, char **argv) {
  /* A guest writing to a closed pipe gets EPIPE, as under Wasmtime, rather
  ** than wasmem being killed mid-call. */
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    fputs(usage_text, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("wasmem %s\n", WM_VERSION);
    return 0;
  }
  if (strcmp(cmd, "validate") == 0) return cmd_validate(argc - 1, argv + 1);
  if (strcmp(cmd, "inspect") == 0) return cmd_inspect(argc - 1, argv + 1);
  if (strcmp(cmd, "call") == 0) return cli_call(argc - 1, argv + 1);
  if (strcmp(cmd, "check") == 0) return cli_check(argc - 1, argv + 1);
  if (strcmp(cmd, "spectest") == 0) return cli_spectest(argc - 1, argv + 1);
  if (strcmp(cmd, "run") == 0) return cli_run(argc - 1, argv + 1);
  if (strcmp(cmd, "wat2wasm") == 0) return cmd_wat2wasm(argc - 1, argv + 1);
  if (strcmp(cmd, "compile") == 0) return cli_compile(argc - 1, argv + 1);
  cli_error("unknown command '%s'", cmd);
  fputs(usage_text, stderr);
  return 2;
}
