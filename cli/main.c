/*
** main.c -- the wasmem command-line tool: subcommand dispatch and the
** validate, inspect and call subcommands. Uses only the public API.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
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
    "  spectest FILE.json [-v]    run a wast2json script\n"
    "  run FILE [ARGS...]         run a WASI program (--dir, --env, --invoke)\n"
    "\n"
    "Run `wasmem <command> --help` for details of one command.\n";

static const char validate_help[] =
    "usage: wasmem validate FILE\n"
    "\n"
    "Decode and validate the binary module FILE. Prints \"FILE: valid\" and\n"
    "exits 0, or prints one error line (with the byte offset when known) and\n"
    "exits 1.\n";

static const char inspect_help[] =
    "usage: wasmem inspect FILE\n"
    "\n"
    "Print the imports and exports of the binary module FILE with their types\n"
    "(functions as (params) -> (results), tables and memories with their\n"
    "limits, globals with their type and mutability), then every memory, table\n"
    "and global, the start function, and a summary of the data and element\n"
    "segments.\n";

static const char call_help[] =
    "usage: wasmem call FILE FUNC [ARGS...]\n"
    "\n"
    "Instantiate FILE (imports may name only the `spectest` host module) and\n"
    "call its exported function FUNC. Each argument is parsed by the type of\n"
    "the matching parameter:\n"
    "  i32, i64    decimal or 0x-prefixed hex, optionally negative\n"
    "              (e.g. -1, 4294967295, 0xffffffff)\n"
    "  f32, f64    a decimal or C99 hex float, nan, inf, -inf\n"
    "              (e.g. 1.5, -0, 0x1p-3), or the raw bit pattern written as\n"
    "              bits:N with N decimal or 0x hex (e.g. bits:0x7fc00001)\n"
    "  funcref     null\n"
    "  externref   null, or a number N naming a distinct host reference\n"
    "Results are printed one per line: integers as signed decimal, f32 with\n"
    "%.9g and f64 with %.17g, references as null or ref.\n"
    "A trap prints its message and a wasm backtrace to stderr and exits 1.\n";

void cli_error(const char *fmt, ...) {
  va_list ap;
  fputs("wasmem: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

const char *cli_valtype_name(wm_valtype t) {
  switch (t) {
  case WM_I32: return "i32";
  case WM_I64: return "i64";
  case WM_F32: return "f32";
  case WM_F64: return "f64";
  case WM_V128: return "v128";
  case WM_FUNCREF: return "funcref";
  case WM_EXTERNREF: return "externref";
  }
  return "?";
}

void cli_print_functype(FILE *f, const wm_functype *ft) {
  fputc('(', f);
  for (uint32_t i = 0; i < ft->nparams; i++)
    fprintf(f, "%s%s", i ? ", " : "", cli_valtype_name(ft->params[i]));
  fputs(") -> (", f);
  for (uint32_t i = 0; i < ft->nresults; i++)
    fprintf(f, "%s%s", i ? ", " : "", cli_valtype_name(ft->results[i]));
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

/* ---------------------------------------------------------------- validate */

static int cmd_validate(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    fputs(validate_help, stdout);
    return 0;
  }
  int rc = check_no_options("validate", argc, argv);
  if (rc) return rc;
  if (argc != 2) {
    cli_error("validate: expected exactly one FILE (see wasmem validate --help)");
    return 2;
  }
  wm_error err;
  wm_module *mod = NULL;
  if (wm_module_load_file(argv[1], NULL, &mod, &err) != 0) {
    cli_report(argv[1], &err);
    return 1;
  }
  printf("%s: valid\n", argv[1]);
  wm_module_free(mod);
  return 0;
}

/* ----------------------------------------------------------------- inspect */

static void print_limits(const wm_limits *l) {
  if (l->has_max)
    printf("{min %" PRIu64 ", max %" PRIu64 "}", l->min, l->max);
  else
    printf("{min %" PRIu64 "}", l->min);
}

static const char *kind_name(wm_externkind k) {
  switch (k) {
  case WM_EXTERN_FUNC: return "func";
  case WM_EXTERN_TABLE: return "table";
  case WM_EXTERN_MEMORY: return "memory";
  case WM_EXTERN_GLOBAL: return "global";
  }
  return "?";
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
  printf("%s", kind_name(d->kind));
  switch (d->kind) {
  case WM_EXTERN_FUNC:
    putchar(' ');
    cli_print_functype(stdout, &d->func);
    break;
  case WM_EXTERN_TABLE:
    printf(" %s ", cli_valtype_name(d->elem_type));
    print_limits(&d->limits);
    break;
  case WM_EXTERN_MEMORY:
    putchar(' ');
    print_limits(&d->limits);
    break;
  case WM_EXTERN_GLOBAL:
    printf(" %s%s", d->global_mutable ? "mut " : "", cli_valtype_name(d->global_type));
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
  if (d->elem_type) printf(" of %s", cli_valtype_name(d->elem_type));
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
      {WM_EXTERN_MEMORY, "memories"}, {WM_EXTERN_TABLE, "tables"}, {WM_EXTERN_GLOBAL, "globals"}};
  for (size_t k = 0; k < sizeof spaces / sizeof spaces[0]; k++) {
    uint32_t n = spaces[k].kind == WM_EXTERN_MEMORY  ? info.nmems
                 : spaces[k].kind == WM_EXTERN_TABLE ? info.ntables
                                                     : info.nglobals;
    uint32_t nimp = spaces[k].kind == WM_EXTERN_MEMORY  ? info.nmem_imports
                    : spaces[k].kind == WM_EXTERN_TABLE ? info.ntable_imports
                                                        : info.nglobal_imports;
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

static int cmd_inspect(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    fputs(inspect_help, stdout);
    return 0;
  }
  int rc = check_no_options("inspect", argc, argv);
  if (rc) return rc;
  if (argc != 2) {
    cli_error("inspect: expected exactly one FILE (see wasmem inspect --help)");
    return 2;
  }
  wm_error err;
  wm_module *mod = NULL;
  if (wm_module_load_file(argv[1], NULL, &mod, &err) != 0) {
    cli_report(argv[1], &err);
    return 1;
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
  case WM_V128:
    *why = "v128 arguments are not supported";
    break;
  }
  return false;
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
  case WM_V128: fputs("v128", f); break;
  }
}

static int cmd_call(int argc, char **argv) {
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
  int nargs = argc - 3, status = 1;
  wm_error err;
  wm_module *mod = NULL;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_val *vals = NULL;

  if (wm_module_load_file(path, NULL, &mod, &err) != 0) {
    cli_report(path, &err);
    return 1;
  }
  if (wm_runtime_new(NULL, &rt, &err) != 0) {
    cli_report("runtime", &err);
    goto done;
  }
  if (cli_define_spectest(rt, &err) != 0) {
    cli_report("spectest module", &err);
    goto done;
  }
  if (wm_instance_new(rt, mod, NULL, &inst, &err) != 0) {
    cli_report(path, &err);
    goto done;
  }
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
  if ((uint32_t)nargs != ft.nparams) {
    cli_error("%s: function '%s' takes %" PRIu32 " argument%s, %d given", path, name, ft.nparams,
              ft.nparams == 1 ? "" : "s", nargs);
    goto done;
  }
  uint32_t nvals = ft.nparams + ft.nresults;
  vals = calloc(nvals ? nvals : 1, sizeof *vals);
  if (!vals) {
    cli_error("out of memory");
    goto done;
  }
  for (uint32_t i = 0; i < ft.nparams; i++) {
    const char *why;
    if (!parse_arg(argv[3 + i], ft.params[i], &vals[i], &why)) {
      cli_error("argument %" PRIu32 " '%s': %s", i + 1, argv[3 + i],
                why ? why : ft.params[i] == WM_I32 || ft.params[i] == WM_I64
                          ? "not an integer in range of the parameter type"
                          : "not a number");
      goto done;
    }
  }
  int rc = wm_func_call(rt, fn, vals, ft.nparams, vals + ft.nparams, ft.nresults, &err);
  if (rc != 0) {
    if (wm_is_trap(rc)) {
      /* The message holds the trap text then a backtrace, one frame a line. */
      cli_error("trap: %s", err.message[0] ? err.message : wm_strerror(rc));
    } else {
      cli_report(name, &err);
    }
    goto done;
  }
  for (uint32_t i = 0; i < ft.nresults; i++) {
    cli_print_val(stdout, &vals[ft.nparams + i]);
    putchar('\n');
  }
  status = 0;
done:
  free(vals);
  wm_runtime_free(rt);
  wm_module_free(mod);
  if (fflush(stdout) != 0 && status == 0) {
    cli_error("cannot write output");
    status = 1;
  }
  return status;
}

/* ---------------------------------------------------------------- dispatch */

int main(int argc, char **argv) {
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
  if (strcmp(cmd, "call") == 0) return cmd_call(argc - 1, argv + 1);
  if (strcmp(cmd, "spectest") == 0) return cli_spectest(argc - 1, argv + 1);
  if (strcmp(cmd, "run") == 0) return cli_run(argc - 1, argv + 1);
  cli_error("unknown command '%s'", cmd);
  fputs(usage_text, stderr);
  return 2;
}
