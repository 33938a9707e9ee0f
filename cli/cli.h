/* SPDX-License-Identifier: MIT */
/*
** cli.h -- declarations shared by the wasmem command-line tool's files:
** the subcommands and small helpers for printing types and values.
*/
#ifndef WM_CLI_H
#define WM_CLI_H

#include <stdio.h>
#include "wasmem.h"

/* Subcommands; argv[0] is the subcommand name. Return the exit status. */
int cli_spectest(int argc, char **argv);
int cli_run(int argc, char **argv); /* run.c */
int cli_call(int argc, char **argv); /* main.c */
int cli_check(int argc, char **argv); /* check.c */
int cli_compile(int argc, char **argv); /* compile.c */

/*
** compile.c: the C compiler's flags for compiled modules; compile module
** file `in` into `out` (a shared object, or C when out ends in .c) with
** the compiler cc (0, or 1 after printing the error), a module of 2,000
** functions or more split into `jobs` C files compiled at most `jobs` at
** once and linked; and load a module for `call` and `run` from a
** .wasm/.wat file or a compiled object.
*/
#define CLI_AOT_CFLAGS "-O2 -shared -fPIC -ffp-contract=off -fno-math-errno -fno-optimize-sibling-calls -w"
/* Added to each part's compile where the compiler reports its frames:
** functions may be inlined into each other, the largest frame comes from
** the report (compile.c). */
#define CLI_AOT_MEASURED "-fstack-usage -DWM_FRAMES_MEASURED"
int cli_compile_to(const char *in, const char *out, const char *cc, unsigned jobs,
                   unsigned flags);
/* The default number of compilers at once: the CPUs online. */
unsigned cli_compile_jobs(void);
/* The same for a loaded module: 0, a library error code (negative, err
** filled: the translation failed), or 1 after printing why the C compiler
** failed. */
int cli_compile_module(const wm_module *mod, const char *out, const char *cc, unsigned jobs,
                       unsigned flags, wm_error *err);
/* --bounds-checks (compile, spectest --aot): compiled code checks every
** access instead of relying on guard pages (WM_COMPILE_BOUNDS_CHECKS). */
extern bool cli_bounds_checks;
int cli_load_module(const char *path, const wm_module_options *opts, wm_module **out,
                    wm_error *err);

/*
** The guest heap checker around `call` and `run` (check.c), each a no-op
** unless `wasmem check` is running: the module options to load with (NULL
** or WM_MODULE_CHECKED), making the runtime's checker, attaching it to the
** instance (before anything of the instance runs), and at the end the leak
** check and summaries, which may change the exit status (--error-exitcode).
** The first two return 0 or -1 after printing the error.
*/
const wm_module_options *cli_check_module_options(void);
int cli_check_runtime(wm_runtime *rt, const char *module);
/* After an exported call (what names it): --heap-map-every-call's map. */
void cli_check_after_call(const char *what);
int cli_check_attach(wm_instance *inst);
int cli_check_finish(int status);

/*
** --fuel N and --timeout DURATION of `call` and `run` (limits.c). The
** option parser prints its error and returns -1 on a bad value. The module
** options to load with (the checker's, plus WM_MODULE_METERED when a limit
** is given); applying the limits to a runtime, with SIGINT interrupting it
** until cli_limit_release (before the runtime is freed); and the exit
** status for a call's outcome rc: CLI_EXIT_TIMEOUT, CLI_EXIT_FUEL or
** CLI_EXIT_INTERRUPTED when the guest was stopped, else status.
*/
#define CLI_EXIT_TIMEOUT 124 /* as timeout(1) */
#define CLI_EXIT_FUEL 125
#define CLI_EXIT_INTERRUPTED 130 /* 128 + SIGINT, as a shell reports it */
bool cli_limit_is_option(const char *opt);
int cli_limit_option(const char *cmd, const char *opt, const char *value);
const wm_module_options *cli_module_options(const char *module_path);
void cli_limit_apply(wm_runtime *rt);
void cli_limit_release(void);
int cli_limit_status(int rc, int status);

/*
** The code cache of `run` and `call` (cache.c): --no-cache, and the
** directory to cache the module at module_path in (NULL: none, because of
** --no-cache, no cache home, or a module under 1 MiB).
*/
bool cli_cache_is_option(const char *opt);
void cli_cache_option(const char *opt);
const char *cli_cache_dir(const char *module_path);
/* The cache's directory whatever the module's size (NULL: --no-cache or no
** cache home). */
const char *cli_cache_root(void);

/*
** --aot of `run` and `call` (aot_cache.c): compile the module once into
** the cache's aot/ directory (a temporary object with --no-cache) and load
** the object. A module that cannot be translated yet, or options compiled
** code lacks (--fuel, --timeout, the checker), load for the interpreter
** after a note on stderr. 0; or a library error code with err filled; or
** CLI_REPORTED after printing the error itself.
*/
#define CLI_REPORTED 1
bool cli_aot_is_option(const char *opt);
void cli_aot_option(const char *opt);
bool cli_aot_enabled(void);
int cli_aot_load(const char *path, const wm_module_options *opts, wm_module **out, wm_error *err);
/* Load a module for `call` and `run`: cli_aot_load with --aot, else
** cli_load_module; 0, or -1 after printing the error naming path. */
int cli_open_module(const char *path, wm_module **out);

/* Print an error line "wasmem: ..." to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Name of a value type ("i32", "funcref", ...). */
/* Write a function type as "(i32, i32) -> (i32)". */
void cli_print_functype(FILE *f, const wm_functype *ft);
/* Write a value as `wasmem call` prints results (a v128 in shape i32x4). */
void cli_print_val(FILE *f, const wm_val *v);
/*
** The lane shapes of a v128 (v128.c). A v128 is its 16 bytes in memory
** order, as in wm_val. Lanes travel as their bits: an unsigned integer of
** the lane's width (a float lane's IEEE bits).
*/
typedef struct cli_shape {
  const char *name; /* "i32x4" */
  const char *lane; /* "i32", wast2json's lane_type */
  char kind;        /* 'i' or 'f' */
  unsigned width;   /* bytes per lane: 1, 2, 4 or 8 */
  unsigned lanes;   /* 16 / width */
} cli_shape;
#define CLI_SHAPE_NAMES "i8x16, i16x8, i32x4, i64x2, f32x4 or f64x2"
extern const cli_shape *const cli_shape_default; /* i32x4 */
/* The shape named by name[0..len) ("i32x4"), or by its lane type; NULL if none. */
const cli_shape *cli_shape_find(const char *name, size_t len);
const cli_shape *cli_shape_of_lane(const char *lane);
/* All ones in the lane's width. */
uint64_t cli_lane_mask(const cli_shape *s);
uint64_t cli_lane_get(const uint8_t v[16], const cli_shape *s, unsigned i);
void cli_lane_set(uint8_t v[16], const cli_shape *s, unsigned i, uint64_t bits);
/* Format a lane as `call` prints it: integers signed decimal, f32 %.9g,
** f64 %.17g. Returns what snprintf returns. */
int cli_format_lane(char *buf, size_t n, const cli_shape *s, uint64_t bits);
/* Write a v128 as "i32x4:1,-2,3,4" in shape s. */
void cli_print_v128(FILE *f, const uint8_t v[16], const cli_shape *s);
/* Print a library error as one line "wasmem: WHAT: message (at byte 0xNN)";
** any backtrace after the first line of the message is left out. */
void cli_report(const char *what, const wm_error *err);
/*
** The WASI options `run` and `call` share (run.c): --dir, --ro-dir, --env
** and --tcplisten, applied to one context in command-line order, except
** that listeners are opened by cli_wasi_finish after all directories.
** Each function prints its own error and returns -1 on failure.
*/
typedef struct cli_wasi {
  wm_wasi *w;
  const char **listen;  /* --tcplisten values not yet opened */
  int nlisten;
  int nused;            /* how many WASI options were given */
} cli_wasi;
int cli_wasi_init(cli_wasi *cw, int argc);
bool cli_wasi_is_option(const char *opt);
int cli_wasi_option(cli_wasi *cw, const char *opt, const char *value);
int cli_wasi_finish(cli_wasi *cw);
void cli_wasi_done(cli_wasi *cw);

/* run.c: parse a --max-memory SIZE: bytes, or a number with a K, M, G or
** T suffix (powers of 1024; "KiB", "MB" and the like also read). False
** (after printing an error naming opt) if malformed, zero or too large. */
bool cli_parse_size(const char *opt, const char *s, uint64_t *out);

/*
** `wasmem spectest` (spectest.c): one executor, spec_exec, runs the
** commands of a script, whichever reader made them (the library's .wast
** reader, or spectest_json.c's for wast2json output). A module command
** without module bytes is skipped (wast2json's text modules).
*/
typedef struct spec_run spec_run;
void spec_exec(spec_run *s, const wm_script_cmd *cmd);
/* A command a reader could not make: one failure line "SRC:LINE: TYPE: ...". */
void spec_fail(spec_run *s, int line, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The script name failure lines start with. */
void spec_source(spec_run *s, const char *name);
/* A whole file, NUL-terminated (malloc'ed), or NULL after an error line. */
char *spec_read_file(const char *path, size_t *len);
/* spectest_json.c: run a wast2json script; 1 (after an error line) when
** it is not one. */
int spec_json(spec_run *s, const char *path, const char *text, size_t len);
/* Define the `spectest` host module (print*, global_*, table, memory) in rt. */
int cli_define_spectest(wm_runtime *rt, wm_error *err);

#endif
