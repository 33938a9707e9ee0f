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
    "usage: wasmem compile FILE -o OUT.so|OUT.c [--cc CC] [-j N] [--bounds-checks]\n"
    "                      [--metered]\n"
    "\n"
    "Translate the module in FILE (.wasm or .wat) into C and build it into a\n"
    "shared object with the system's C compiler, for `wasmem run OUT.so` and\n"
    "`wasmem call OUT.so ...` (or wm_module_load_native). OUT.c keeps the C\n"
    "instead. The compiler is --cc, else $WASMEM_CC, else cc; it is run as\n"
    "CC " CLI_AOT_CFLAGS " " CLI_AOT_MEASURED " -c FILE.c\n"
    "and the object linked with -lm; the frame sizes it reports bound the\n"
    "stack check. Where it reports none, the functions are built noinline.\n"
    "Loads and stores are not checked: the memory is reserved with 8 GiB of\n"
    "inaccessible guard pages, whose faults are the out-of-bounds trap, and\n"
    "the object refuses an imported memory not reserved so.\n"
    "--bounds-checks checks every access against the memory's size instead\n"
    "(slower; any memory will do). 32-bit hosts always check.\n"
    "--metered charges fuel per basic block and polls for interrupts, as\n"
    "the interpreter does under --fuel and --timeout, so that `wasmem run\n"
    "--fuel N OUT.so` can stop it (an object without it is refused there).\n"
    "A module of 2,000 functions or more is split into one C file per 4,000\n"
    "functions (at least two), compiled with -c, N at a time (-j N, default\n"
    "the number of CPUs), and linked: the object does not depend on N.\n"
    "A compiled object is code: run only objects you trust as you would a\n"
    "shared library. Not translated yet: threads.\n";

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

/* Start the compiler: CC (split at spaces), its flags, then extra
** (NULL-terminated). Its pid, or -1 after an error line. */
static pid_t start_cc(const char *cc, const char *const *extra) {
  char *copy = strdup(cc), flags[] = CLI_AOT_CFLAGS;
  size_t nextra = 0;
  while (extra[nextra]) nextra++;
  char **args = copy ? malloc((64 + nextra) * sizeof *args) : NULL;
  if (!args) {
    free(copy);
    cli_error("compile: out of memory");
    return -1;
  }
  size_t n = 0;
  bool long_cc = false;
  for (char *tok = strtok(copy, " \t"); tok && !long_cc; tok = strtok(NULL, " \t"))
    if (n == 40)
      long_cc = true;
    else
      args[n++] = tok;
  pid_t pid = -1;
  if (long_cc) {
    cli_error("compile: the C compiler's command has more than 40 words");
  } else if (n == 0) {
    cli_error("compile: the C compiler's name is empty");
  } else {
    for (char *tok = strtok(flags, " "); tok && n < 60; tok = strtok(NULL, " ")) args[n++] = tok;
    for (size_t i = 0; i < nextra; i++) args[n++] = (char *)extra[i];
    args[n] = NULL;
    int rc = posix_spawnp(&pid, args[0], NULL, NULL, args, environ);
    if (rc != 0) {
      cli_error("compile: cannot run the C compiler '%s': %s", args[0], strerror(rc));
      pid = -1;
    }
  }
  free(args);
  free(copy);
  return pid;
}

/* Wait for a compiler started by start_cc (pid, or -1 for whichever of
** them ends first): 0, or -1 after an error line. */
static int wait_cc(const char *cc, pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
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

static bool write_file(const char *path, const char *c, size_t len) {
  FILE *f = fopen(path, "wb");
  bool ok = f && fwrite(c, 1, len, f) == len;
  if (f && fclose(f) != 0) ok = false;
  if (!ok) cli_error("compile: cannot write %s: %s", path, strerror(errno));
  return ok;
}

unsigned cli_compile_jobs(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* How many C files: one for a module of fewer than SPLIT_MIN defined
** functions (its compile is short, and each part parses the header
** again), else one per PART_FUNCS functions, at least two. The count
** depends on the module alone, never on -j or the machine, so the object
** is the same wherever it is built; -j only says how many compilers run
** at once. Parts smaller than the jobs' share also balance better (the
** next part starts as soon as any compiler ends) and hold less of a
** compiler's memory: yosys' 34,004 functions make 9 parts. */
#define SPLIT_MIN 2000
#define PART_FUNCS 4000
static uint32_t parts_for(const wm_module *mod) {
  wm_module_info info;
  wm_module_get_info(mod, &info);
  uint32_t ndef = info.nfuncs - info.nfunc_imports;
  if (ndef < SPLIT_MIN) return 1;
  uint32_t n = (ndef + PART_FUNCS - 1) / PART_FUNCS;
  return n < 2 ? 2 : n > WM_C_PARTS_MAX ? WM_C_PARTS_MAX : n;
}

/* The largest frame the compiler reported for the parts' objects
** (dir/pK.su, -fstack-usage: "place\tbytes\tkind" per function), or
** false where a report is missing or names a frame of no bound (kind
** "dynamic": alloca, variable-length arrays) or over 1 GiB. "static" is
** the frame; "dynamic,bounded" (arguments pushed around calls) an upper
** bound of all the function uses. */
static bool read_frames(const char *dir, uint32_t nparts, uint64_t *max) {
  char path[4200], line[4096];
  *max = 0;
  bool ok = true;
  for (uint32_t p = 0; ok && p < nparts; p++) {
    snprintf(path, sizeof path, "%s/p%u.su", dir, (unsigned)p);
    FILE *f = fopen(path, "r");
    ok = f != NULL;
    while (ok && fgets(line, sizeof line, f)) {
      char *kind = strrchr(line, '\t'), *end;
      if (!kind || kind == line) {
        ok = false;
        break;
      }
      *kind++ = 0;
      char *bytes = strrchr(line, '\t');
      unsigned long long n = bytes ? strtoull(bytes + 1, &end, 10) : 0;
      ok = bytes && end > bytes + 1 && !*end && bytes[1] != '-' && n <= (1ull << 30) &&
           (strcmp(kind, "static\n") == 0 || strcmp(kind, "dynamic,bounded\n") == 0);
      if (ok && n > *max) *max = n;
    }
    if (f) fclose(f);
    unlink(path);
  }
  for (uint32_t p = 0; !ok && p < nparts; p++) {
    snprintf(path, sizeof path, "%s/p%u.su", dir, (unsigned)p);
    unlink(path);
  }
  return ok;
}

/* Compile the parts in dir (p0.c ...) with at most jobs compilers at once
** and link them into out: 0, or -1 after an error line. Measured
** (CLI_AOT_MEASURED), the functions may be inlined into each other and
** the largest frame the compiler reports is linked in (dir/frame.c); 1
** when it reported none usable. */
static int build_parts(const char *cc, const char *dir, uint32_t nparts, unsigned jobs,
                       const char *out, bool measured) {
  char (*src)[4200] = malloc(2 * (size_t)nparts * sizeof *src);
  const char **link = malloc(((size_t)nparts + 5) * sizeof *link);
  if (!src || !link) {
    free(src), free(link);
    cli_error("compile: out of memory");
    return -1;
  }
  char (*obj)[4200] = src + nparts;
  int rc = 0;
  uint32_t started = 0, done = 0;
  while (done < started || (rc == 0 && started < nparts)) {
    if (rc == 0 && started < nparts && started - done < jobs) {
      snprintf(src[started], sizeof src[0], "%s/p%u.c", dir, (unsigned)started);
      snprintf(obj[started], sizeof obj[0], "%s/p%u.o", dir, (unsigned)started);
      const char *args[] = {"-fstack-usage", "-DWM_FRAMES_MEASURED", "-c", "-o", obj[started],
                            src[started], NULL};
      if (start_cc(cc, measured ? args : args + 2) < 0) rc = -1;
      else started++;
      continue;
    }
    /* Whichever ends first: parts take unequal times. */
    done++;
    if (wait_cc(cc, -1) != 0) rc = -1;
  }
  char frame[4200], text[160];
  snprintf(frame, sizeof frame, "%s/frame.c", dir);
  uint64_t fmax = 0;
  if (rc == 0 && measured && !read_frames(dir, nparts, &fmax)) rc = 1;
  if (rc == 0 && measured) {
    int tn = snprintf(text, sizeof text,
                      "#include <stdint.h>\n__attribute__((visibility(\"hidden\"))) "
                      "const uint64_t wm_frame_max = %lluu;\n",
                      (unsigned long long)fmax);
    if (!write_file(frame, text, (size_t)tn)) rc = -1;
  }
  if (rc == 0) {
    size_t n = 0;
    link[n++] = "-o";
    link[n++] = out;
    for (uint32_t p = 0; p < nparts; p++) link[n++] = obj[p];
    if (measured) link[n++] = frame;
    /* The object names libm itself: a static wasmem's dlopen has no libm
    ** loaded for it to find nearbyint and the like in. */
    link[n++] = "-lm";
    link[n] = NULL;
    pid_t pid = start_cc(cc, link);
    rc = pid < 0 ? -1 : wait_cc(cc, pid);
  }
  for (uint32_t p = 0; p < started; p++) unlink(obj[p]);
  if (measured) unlink(frame);
  free(src), free(link);
  return rc;
}

int cli_compile_module(const wm_module *mod, const char *out, const char *cc, unsigned jobs,
                       unsigned flags, wm_error *err) {
  uint32_t nparts = ends_with(out, ".c") ? 1 : parts_for(mod);
  wm_compile_options co = {flags};
  char **c = calloc(nparts, sizeof *c);
  size_t *len = calloc(nparts, sizeof *len);
  int rc = c && len ? wm_module_to_c_parts(mod, &co, nparts, c, len, err) : 1;
  if (!c || !len) cli_error("compile: out of memory");
  if (rc) {
    free(c), free(len);
    return rc;
  }
  rc = 1;
  if (ends_with(out, ".c")) {
    rc = write_file(out, c[0], len[0]) ? 0 : 1;
  } else {
    const char *tmpdir = getenv("TMPDIR");
    char dir[4096], src[4200];
    snprintf(dir, sizeof dir, "%s/wasmem-compile-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(dir)) {
      cli_error("compile: cannot make a temporary directory: %s", strerror(errno));
    } else {
      bool ok = true;
      for (uint32_t p = 0; ok && p < nparts; p++) {
        snprintf(src, sizeof src, "%s/p%u.c", dir, (unsigned)p);
        ok = write_file(src, c[p], len[p]);
      }
      /* Measured frames first; where the compiler reports none usable,
      ** built again with every function noinline (the translator's
      ** estimates bound the frames). */
      if (ok) {
        int b = build_parts(cc, dir, nparts, jobs, out, true);
        if (b == 1) b = build_parts(cc, dir, nparts, jobs, out, false);
        rc = b == 0 ? 0 : 1;
      }
      for (uint32_t p = 0; p < nparts; p++) {
        snprintf(src, sizeof src, "%s/p%u.c", dir, (unsigned)p);
        unlink(src);
      }
      rmdir(dir);
    }
  }
  for (uint32_t p = 0; p < nparts; p++) wm_free(c[p]);
  free(c), free(len);
  return rc;
}

int cli_compile_to(const char *in, const char *out, const char *cc, unsigned jobs,
                   unsigned flags) {
  wm_module *mod = NULL;
  wm_error err;
  if (wm_module_load_file(in, NULL, &mod, &err) != 0) {
    cli_report(in, &err);
    return 1;
  }
  int rc = cli_compile_module(mod, out, cc, jobs, flags, &err);
  if (rc < 0) cli_report(in, &err);
  wm_module_free(mod);
  return rc == 0 ? 0 : 1;
}

int cli_compile(int argc, char **argv) {
  const char *in = NULL, *out = NULL, *cc = getenv("WASMEM_CC");
  unsigned jobs = cli_compile_jobs(), flags = 0;
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
      flags |= WM_COMPILE_BOUNDS_CHECKS;
    } else if (strcmp(a, "--metered") == 0) {
      flags |= WM_COMPILE_METERED;
    } else if (strcmp(a, "-j") == 0 && i + 1 < argc) {
      char *end;
      unsigned long n = strtoul(argv[++i], &end, 10);
      if (*end || n < 1 || n > WM_C_PARTS_MAX || argv[i][0] == '-') {
        cli_error("compile: -j '%s': expected a number of jobs from 1 to %u", argv[i], WM_C_PARTS_MAX);
        return 2;
      }
      jobs = (unsigned)n;
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
  return cli_compile_to(in, out, cc && *cc ? cc : "cc", jobs, flags);
}
