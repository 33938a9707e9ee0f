/* SPDX-License-Identifier: MIT */
/*
** compile.c -- `wasmem compile`: a module translated to C by the library
** (wm_module_to_c) and built into a shared object by the system's C
** compiler; and loading a module for `call` and `run`, which takes such an
** object as well as a .wasm or .wat file.
*/
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

bool cli_bounds_checks;

static const char usage[] =
    "usage: wasmem compile FILE -o OUT.so|OUT.c [--cc CC] [--bounds-checks]\n"
    "\n"
    "Translate the module in FILE (.wasm or .wat) into C and build it into a\n"
    "shared object with the system's C compiler, for `wasmem run OUT.so` and\n"
    "`wasmem call OUT.so ...` (or wm_module_load_native). OUT.c keeps the C\n"
    "instead. The compiler is --cc, else $WASMEM_CC, else cc; it is run as\n"
    "CC " CLI_AOT_CFLAGS " -o OUT FILE.c -lm\n"
    "Loads and stores are not checked: the memory is reserved with 8 GiB of\n"
    "inaccessible guard pages, whose faults are the out-of-bounds trap, and\n"
    "the object refuses an imported memory not reserved so.\n"
    "--bounds-checks checks every access against the memory's size instead\n"
    "(slower; any memory will do). 32-bit hosts always check.\n"
    "A compiled object is code: run only objects you trust as you would a\n"
    "shared library. Not translated yet: SIMD, threads, exception handling,\n"
    "GC and typed function references, tail calls, memory64, several memories.\n";

int cli_load_module(const char *path, const wm_module_options *opts, wm_module **out,
                    wm_error *err) {
  /* Only a regular file is looked at first: a pipe's bytes would be gone. */
  struct stat st;
  FILE *f = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? fopen(path, "rb") : NULL;
  unsigned char magic[4] = {0, 0, 0, 0};
  if (f) {
    size_t n = fread(magic, 1, 4, f);
    (void)n;
    fclose(f);
  }
  if (memcmp(magic, "\x7f" "ELF", 4) == 0) return wm_module_load_native(path, opts, out, err);
  return wm_module_load_file(path, opts, out, err);
}

/* Run the compiler: CC (split at spaces) with the flags, out and src. */
static int run_cc(const char *cc, const char *out, const char *src) {
  char *copy = strdup(cc);
  if (!copy) return -1;
  char *args[64];
  int n = 0;
  for (char *tok = strtok(copy, " \t"); tok && n < 40; tok = strtok(NULL, " \t")) args[n++] = tok;
  if (n == 0) {
    free(copy);
    cli_error("compile: the C compiler's name is empty");
    return -1;
  }
  char flags[] = CLI_AOT_CFLAGS;
  for (char *tok = strtok(flags, " "); tok && n < 60; tok = strtok(NULL, " ")) args[n++] = tok;
  args[n++] = "-o";
  args[n++] = (char *)out;
  args[n++] = (char *)src;
  /* The object names libm itself: a static wasmem's dlopen has no libm
  ** loaded for it to find nearbyint and the like in. */
  args[n++] = "-lm";
  args[n] = NULL;
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], NULL, NULL, args, environ);
  if (rc != 0) {
    cli_error("compile: cannot run the C compiler '%s': %s", args[0], strerror(rc));
    free(copy);
    return -1;
  }
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  free(copy);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    cli_error("compile: the C compiler '%s' failed", cc);
    return -1;
  }
  return 0;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

int cli_compile_module(const wm_module *mod, const char *out, const char *cc, wm_error *err) {
  char *c = NULL;
  size_t len = 0;
  wm_compile_options co = {cli_bounds_checks ? WM_COMPILE_BOUNDS_CHECKS : 0u};
  int rc = wm_module_to_c_opts(mod, &co, &c, &len, err);
  if (rc) return rc;
  rc = 1;
  if (ends_with(out, ".c")) {
    FILE *f = fopen(out, "wb");
    bool ok = f && fwrite(c, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = false;
    if (ok)
      rc = 0;
    else
      cli_error("compile: cannot write %s: %s", out, strerror(errno));
    wm_free(c);
    return rc;
  }
  const char *tmpdir = getenv("TMPDIR");
  char src[4096];
  snprintf(src, sizeof src, "%s/wasmem-compile-XXXXXX.c", tmpdir && *tmpdir ? tmpdir : "/tmp");
  int fd = mkstemps(src, 2);
  if (fd < 0) {
    cli_error("compile: cannot make a temporary file: %s", strerror(errno));
    wm_free(c);
    return 1;
  }
  FILE *f = fdopen(fd, "wb");
  bool ok = f && fwrite(c, 1, len, f) == len;
  if (f ? fclose(f) != 0 : close(fd) != 0) ok = false;
  if (!ok)
    cli_error("compile: cannot write %s: %s", src, strerror(errno));
  else if (run_cc(cc, out, src) == 0)
    rc = 0;
  unlink(src);
  wm_free(c);
  return rc;
}

int cli_compile_to(const char *in, const char *out, const char *cc) {
  wm_module *mod = NULL;
  wm_error err;
  if (wm_module_load_file(in, NULL, &mod, &err) != 0) {
    cli_report(in, &err);
    return 1;
  }
  int rc = cli_compile_module(mod, out, cc, &err);
  if (rc < 0) cli_report(in, &err);
  wm_module_free(mod);
  return rc == 0 ? 0 : 1;
}

int cli_compile(int argc, char **argv) {
  const char *in = NULL, *out = NULL, *cc = getenv("WASMEM_CC");
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(usage, stdout);
      return 0;
    } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else if (strcmp(a, "--cc") == 0 && i + 1 < argc) {
      cc = argv[++i];
    } else if (strcmp(a, "--bounds-checks") == 0) {
      cli_bounds_checks = true;
    } else if (a[0] == '-' && a[1]) {
      cli_error("compile: unknown option '%s' (see wasmem compile --help)", a);
      return 2;
    } else if (!in) {
      in = a;
    } else {
      fputs(usage, stderr);
      return 2;
    }
  }
  if (!in || !out) {
    fputs(usage, stderr);
    return 2;
  }
  return cli_compile_to(in, out, cc && *cc ? cc : "cc");
}
