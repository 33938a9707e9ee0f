/* SPDX-License-Identifier: MIT */
/*
** run.c -- `wasmem run`: run a WASI command (its _start) or call an export
** of a WASI reactor (after _initialize), with pre-opened directories,
** environment and arguments, in the style of the Wasmtime CLI.
*/
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char run_help[] =
    "usage: wasmem run [OPTIONS] FILE [--] [ARGS...]\n"
    "\n"
    "Run the WASI module FILE with the wasi_snapshot_preview1 host functions\n"
    "(and the older wasi_unstable's).\n"
    "A command module runs its _start; a reactor runs _initialize (if it has\n"
    "one) and then the export named by --invoke. ARGS are the guest's argv\n"
    "after argv[0] (FILE), or with --invoke the function's arguments (i32 and\n"
    "i64 as decimal or 0x hex, f32 and f64 as decimal).\n"
    "\n"
    "options:\n"
    "  --dir HOST[::GUEST]   let the guest use directory HOST, named GUEST\n"
    "                        (default: HOST as given); repeatable\n"
    "  --ro-dir HOST[::GUEST]  the same, read-only: the guest can read and\n"
    "                        list but not create, change or remove anything\n"
    "  --tcplisten HOST:PORT listen on a TCP address and give the guest the\n"
    "                        listening socket; sockets follow the directories\n"
    "                        (the first is fd 3 + the number of --dir and\n"
    "                        --ro-dir); repeatable\n"
    "  --env KEY=VALUE       set a guest environment variable; --env KEY\n"
    "                        copies KEY from wasmem's environment; repeatable\n"
    "  --invoke FUNC         call export FUNC instead of _start\n"
    "  --max-memory SIZE     the most bytes the guest's linear memory may\n"
    "                        reach (64K, 64M, 2G; default 8G): memory.grow\n"
    "                        past it returns -1, a larger initial memory\n"
    "                        fails to instantiate (exit status 2)\n"
    "  --max-gc-bytes SIZE   the most bytes of garbage-collected objects\n"
    "                        (WebAssembly 3.0 structs and arrays) live at\n"
    "                        once (default 1G): past it, after a collection,\n"
    "                        the guest traps \"out of GC memory\"\n"
    "  --fuel N              stop the guest after N wasm instructions (each\n"
    "                        costs 1, except nop, block, loop, else and end)\n"
    "  --timeout DURATION    stop the guest after DURATION (1s, 500ms, 2m,\n"
    "                        1.5h, 250us; a bare number is seconds)\n"
    "                        With either, Ctrl-C stops the guest too.\n"
    "  --no-cache            neither use nor write the code cache (modules of\n"
    "                        1 MiB or more are cached by content under\n"
    "                        $XDG_CACHE_HOME/wasmem, else ~/.cache/wasmem)\n"
    "  --aot                 run compiled code (see wasmem compile): the\n"
    "                        module is compiled once with $WASMEM_CC (else cc)\n"
    "                        into the cache's aot/ folder and the object is\n"
    "                        reused (with --no-cache: a temporary object). A\n"
    "                        module using what is not compiled yet (threads...)\n"
    "                        runs in the interpreter after a note on stderr; a\n"
    "                        C compiler that is missing or fails is an error.\n"
    "                        With --fuel or --timeout it is compiled metered\n"
    "  --bounds-checks       with --aot: compiled code checks every access\n"
    "                        instead of reserving 8 GiB of guard pages\n"
    "\n"
    "The guest sees no file outside its --dir directories. stdin, stdout and\n"
    "stderr pass through. A wasi-threads program (importing wasi thread-spawn\n"
    "and a shared memory, which run makes) runs each thread on a host thread,\n"
    "at most 128 at once; the first proc_exit or trap in any thread, or the\n"
    "return of _start, ends them all. The exit status is the guest's\n"
    "proc_exit code (0 if it returns normally); a trap prints its message and\n"
    "exits 134, except that running out of --timeout exits 124, out of --fuel\n"
    "125, and a guest stopped by Ctrl-C 130; errors before the guest runs\n"
    "exit 2. --fuel and --timeout count the main thread only.\n";

/* Parse one --invoke argument by its parameter type. */
static bool parse_arg(const char *s, wm_valtype t, wm_val *out) {
  char *end;
  errno = 0;
  switch (t) {
  case WM_I32: case WM_I64: {
    long long v = strtoll(s, &end, 0);
    if (errno == ERANGE || *end || end == s) {
      errno = 0;
      unsigned long long u = strtoull(s, &end, 0);
      if (errno || *end || end == s || s[0] == '-') return false;
      v = (long long)u;
    }
    if (t == WM_I32) {
      if (v < INT32_MIN || v > (long long)UINT32_MAX) return false;
      *out = wm_val_i32((int32_t)(uint32_t)v);
    } else {
      *out = wm_val_i64(v);
    }
    return true;
  }
  case WM_F32: case WM_F64: {
    double d = strtod(s, &end);
    if (*end || end == s) return false;
    *out = t == WM_F32 ? wm_val_f32((float)d) : wm_val_f64(d);
    return true;
  }
  default:
    return false;
  }
}

/* Report the outcome of a guest call; returns the exit status. */
static int finish(int rc, wm_error *err, wm_wasi *w) {
  int code;
  fflush(stdout);
  if (rc == WM_TRAP_EXIT && wm_wasi_exit_code(w, &code)) return code;
  if (rc == 0) return 0;
  if (wm_is_trap(rc)) {
    cli_error("trap: %s", err->message[0] ? err->message : wm_strerror(rc));
    return cli_limit_status(rc, 134);
  }
  cli_report("run", err);
  return 2;
}

/*
** wasi-threads: the process ends at the first proc_exit or trap in any
** thread, or when _start returns. Threads still running then may be in a
** loop nothing can stop (unmetered code that neither waits nor calls
** WASI), so, as Wasmtime does, the CLI ends the host process: stdout
** flushed, the trap reported as `wasmem run` reports one.
*/
static void threads_ended(void *data, int exit_code, int trap, const wm_error *trap_err) {
  (void)data;
  int status = exit_code;
  if (trap) {
    fflush(stdout);
    cli_error("trap: %s", trap_err && trap_err->message[0] ? trap_err->message : wm_strerror(trap));
    status = cli_limit_status(trap, 134);
  }
  fflush(NULL);
  _exit(status);
}

/* Make and define the shared memories the module imports: a program built
** for wasi-threads imports its memory (env.memory, as wasm-ld names it),
** which the runtime is to make with the import's limits. */
static int define_shared_memories(wm_runtime *rt, const wm_module *mod, wm_error *err) {
  uint32_t n = wm_module_import_count(mod);
  for (uint32_t i = 0; i < n; i++) {
    wm_extern_desc d;
    if (wm_module_import(mod, i, &d) != WM_OK || d.kind != WM_EXTERN_MEMORY || !d.limits.shared)
      continue;
    char name[256];
    if (d.name_len >= sizeof name) continue; /* left to instantiation to refuse */
    memcpy(name, d.name, d.name_len);
    name[d.name_len] = 0;
    wm_memory *m;
    int rc = wm_memory_new(rt, d.limits, &m, err);
    if (!rc) rc = wm_runtime_define_memory(rt, d.module, name, m, err);
    if (rc) return rc;
  }
  return WM_OK;
}

bool cli_parse_size(const char *opt, const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = isdigit((unsigned char)s[0]) ? strtoull(s, &end, 10) : 0;
  unsigned shift = 0;
  bool ok = isdigit((unsigned char)s[0]) && errno == 0;
  if (ok && *end) {
    const char *units = "KMGT", *u = strchr(units, toupper((unsigned char)*end));
    if (u) {
      shift = 10 * (unsigned)(u - units + 1);
      end++;
      if (*end == 'i') end++;
    }
    if (*end == 'B' || *end == 'b') end++;
    ok = *end == 0;
  }
  if (!ok || v == 0 || v > (UINT64_MAX >> shift)) {
    cli_error("%s '%s': expected a size in bytes greater than 0, optionally with a K, M, G or "
              "T suffix (e.g. 64M, 2G)", opt, s);
    return false;
  }
  *out = (uint64_t)v << shift;
  return true;
}

/* ------------------------------------------------ WASI options (shared) */

bool cli_wasi_is_option(const char *opt) {
  return strcmp(opt, "--dir") == 0 || strcmp(opt, "--ro-dir") == 0 ||
         strcmp(opt, "--tcplisten") == 0 || strcmp(opt, "--env") == 0;
}

int cli_wasi_init(cli_wasi *cw, int argc) {
  wm_error err;
  memset(cw, 0, sizeof *cw);
  cw->listen = calloc((size_t)argc + 1, sizeof *cw->listen);
  if (!cw->listen) {
    cli_error("out of memory");
    return -1;
  }
  if (wm_wasi_new(&cw->w, &err) != 0) {
    cli_report("wasi", &err);
    free(cw->listen);
    cw->listen = NULL;
    return -1;
  }
  return 0;
}

void cli_wasi_done(cli_wasi *cw) {
  wm_wasi_free(cw->w);
  free(cw->listen);
  memset(cw, 0, sizeof *cw);
}

int cli_wasi_option(cli_wasi *cw, const char *opt, const char *v) {
  wm_error err;
  int rc = 0;
  cw->nused++;
  if (strcmp(opt, "--tcplisten") == 0) {
    cw->listen[cw->nlisten++] = v; /* opened after the directories */
  } else if (strcmp(opt, "--dir") == 0 || strcmp(opt, "--ro-dir") == 0) {
    char *host = strdup(v);
    if (!host) { cli_error("out of memory"); return -1; }
    char *sep = strstr(host, "::");
    const char *guest = NULL;
    if (sep) { *sep = 0; guest = sep + 2; }
    unsigned flags = opt[2] == 'r' ? WM_WASI_READONLY : 0;
    rc = wm_wasi_preopen_dir(cw->w, host, guest, flags, &err);
    free(host);
  } else if (strchr(v, '=')) {
    rc = wm_wasi_add_env(cw->w, v, &err);
  } else {
    const char *val = getenv(v);
    if (!val) return 0; /* as Wasmtime: an unset variable is left out */
    size_t n = strlen(v) + strlen(val) + 2;
    char *kv = malloc(n);
    if (!kv) { cli_error("out of memory"); return -1; }
    snprintf(kv, n, "%s=%s", v, val);
    rc = wm_wasi_add_env(cw->w, kv, &err);
    free(kv);
  }
  if (rc != 0) {
    cli_report(opt, &err);
    return -1;
  }
  return 0;
}

/* Sockets after all directories: wasi-libc stops looking for pre-opened
** directories at the first fd that is not one. */
int cli_wasi_finish(cli_wasi *cw) {
  wm_error err;
  for (int i = 0; i < cw->nlisten; i++) {
    if (wm_wasi_listen_tcp(cw->w, cw->listen[i], NULL, NULL, &err) != 0) {
      cli_report("--tcplisten", &err);
      return -1;
    }
  }
  cw->nlisten = 0;
  return 0;
}

/* ------------------------------------------------------------- wasmem run */

int cli_run(int argc, char **argv) {
  const char *file = NULL, *invoke = NULL;
  int first_arg = argc;
  wm_wasi *w = NULL;
  wm_runtime *rt = NULL;
  wm_module *mod = NULL;
  wm_val *vals = NULL;
  const char **gargv = NULL;
  wm_runtime_options ro;
  cli_wasi cw;
  wm_error err;
  int status = 2;
  err.message[0] = 0;
  memset(&ro, 0, sizeof ro);

  if (cli_wasi_init(&cw, argc) != 0) return 2;
  w = cw.w;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(run_help, stdout);
      status = 0;
      goto out;
    } else if (cli_wasi_is_option(a) || cli_limit_is_option(a) || strcmp(a, "--invoke") == 0 ||
               strcmp(a, "--max-memory") == 0 || strcmp(a, "--max-gc-bytes") == 0) {
      if (i + 1 >= argc) {
        cli_error("run: %s needs a value (see wasmem run --help)", a);
        goto out;
      }
      const char *v = argv[++i];
      if (strcmp(a, "--invoke") == 0) invoke = v;
      else if (strcmp(a, "--max-memory") == 0) {
        if (!cli_parse_size("run: --max-memory", v, &ro.max_memory_bytes)) goto out;
      } else if (strcmp(a, "--max-gc-bytes") == 0) {
        if (!cli_parse_size("run: --max-gc-bytes", v, &ro.max_gc_bytes)) goto out;
      } else if (cli_limit_is_option(a)) {
        if (cli_limit_option("run", a, v) != 0) goto out;
      } else if (cli_wasi_option(&cw, a, v) != 0) goto out;
    } else if (cli_cache_is_option(a)) {
      cli_cache_option(a);
    } else if (cli_aot_is_option(a)) {
      cli_aot_option(a);
    } else if (strcmp(a, "--") == 0 && !file) {
      continue;
    } else if (a[0] == '-' && a[1] && !file) {
      cli_error("run: unknown option '%s' (see wasmem run --help)", a);
      goto out;
    } else {
      file = a;
      first_arg = i + 1;
      if (first_arg < argc && strcmp(argv[first_arg], "--") == 0) first_arg++;
      else {
        /* As in Wasmtime, everything after FILE is the guest's: say so
        ** when it looks like one of ours (not after an explicit --). */
        for (int k = first_arg; k < argc; k++)
          if (cli_wasi_is_option(argv[k]) || cli_limit_is_option(argv[k]) ||
              cli_cache_is_option(argv[k]) || cli_aot_is_option(argv[k]) ||
              strcmp(argv[k], "--invoke") == 0 ||
              strcmp(argv[k], "--max-memory") == 0 || strcmp(argv[k], "--max-gc-bytes") == 0) {
            fprintf(stderr,
                    "wasmem: note: '%s' comes after %s, so it is passed to the guest; "
                    "put wasmem's options before the module\n",
                    argv[k], file);
            break;
          }
      }
      break;
    }
  }
  if (!file) {
    cli_error("run: expected FILE (see wasmem run --help)");
    goto out;
  }
  if (cli_wasi_finish(&cw) != 0) goto out;

  /* Guest argv: FILE then the rest (only for commands; --invoke takes them
  ** as function arguments). */
  int nguest = invoke ? 1 : 1 + (argc - first_arg);
  gargv = calloc((size_t)nguest, sizeof *gargv);
  if (!gargv) { cli_error("out of memory"); goto out; }
  gargv[0] = file;
  for (int i = 1; i < nguest; i++) gargv[i] = argv[first_arg + i - 1];
  if (wm_wasi_set_args(w, nguest, gargv, &err) != 0) { cli_report("args", &err); goto out; }

  if (cli_open_module(file, &mod) != 0) goto out;
  if (wm_runtime_new(&ro, &rt, &err) != 0) { cli_report("runtime", &err); goto out; }
  cli_limit_apply(rt);
  if (cli_check_runtime(rt, file) != 0) goto out;
  if (wm_wasi_define(w, rt, &err) != 0) { cli_report("wasi", &err); goto out; }
  wm_wasi_threads_options to = {128, NULL, threads_ended, NULL};
  if (wm_wasi_set_threads(w, &to, &err) != 0) { cli_report("wasi", &err); goto out; }
  if (define_shared_memories(rt, mod, &err) != 0) { cli_report(file, &err); goto out; }
  wm_instance *inst;
  int rc = wm_instance_new(rt, mod, NULL, &inst, &err);
  if (rc != 0) {
    status = wm_is_trap(rc) ? finish(rc, &err, w) : (cli_report(file, &err), 2);
    goto out;
  }
  if (cli_check_attach(inst) != 0) goto out;

  fflush(stdout);
  if (!invoke) {
    int code = 0;
    rc = wm_wasi_run(w, rt, inst, &code, &err);
    if (rc == WM_ENOT_FOUND || rc == WM_ETYPE) {
      cli_error("%s: %s%s", file, err.message, rc == WM_ENOT_FOUND ? " (use --invoke FUNC)" : "");
      goto out;
    }
    status = rc ? finish(rc, &err, w) : (fflush(stdout), code);
    cli_check_after_call("_start");
    goto out;
  }

  wm_func *init = wm_instance_func(inst, "_initialize");
  if (init) {
    rc = wm_func_call(rt, init, NULL, 0, NULL, 0, &err);
    if (rc != 0) { status = finish(rc, &err, w); goto out; }
  }
  wm_func *f = wm_instance_func(inst, invoke);
  if (!f) {
    cli_error("%s: no exported function '%s'", file, invoke);
    goto out;
  }
  wm_functype ft = wm_func_type(f);
  int nargs = argc - first_arg;
  if ((uint32_t)nargs != ft.nparams) {
    cli_error("%s: function '%s' takes %" PRIu32 " argument%s, %d given", file, invoke,
              ft.nparams, ft.nparams == 1 ? "" : "s", nargs);
    goto out;
  }
  vals = calloc((size_t)ft.nparams + ft.nresults + 1, sizeof *vals);
  if (!vals) { cli_error("out of memory"); goto out; }
  for (uint32_t i = 0; i < ft.nparams; i++) {
    if (!parse_arg(argv[first_arg + (int)i], ft.params[i], &vals[i])) {
      cli_error("argument %" PRIu32 " '%s': not a valid %s", i + 1, argv[first_arg + (int)i],
                wm_valtype_name(ft.params[i]));
      goto out;
    }
  }
  rc = wm_func_call(rt, f, vals, ft.nparams, vals + ft.nparams, ft.nresults, &err);
  cli_check_after_call(invoke);
  status = finish(rc, &err, w);
  if (rc == 0) {
    for (uint32_t i = 0; i < ft.nresults; i++) {
      cli_print_val(stdout, &vals[ft.nparams + i]);
      fputc('\n', stdout);
    }
    if (fflush(stdout) != 0) status = 1;
  }
out:
  status = cli_check_finish(status);
  free(vals);
  free(gargv);
  cli_limit_release();
  wm_runtime_free(rt);
  if (mod) (void)wm_module_cache_update(mod, NULL); /* best effort, as the cache */
  wm_module_free(mod);
  cli_wasi_done(&cw);
  return status;
}
