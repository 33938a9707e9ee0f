/* SPDX-License-Identifier: MIT */
/*
** aot_cache.c -- `run --aot` and `call --aot`: a .wasm or .wat module is
** compiled once (compile.c) into the code cache's aot/ directory, keyed by
** everything that changes the object, and later runs load the object.
**
** A compiled object is code, so the cache's "never trusted" rule (the
** lowered form is checked on reading) cannot hold for it: the rule here is
** that only the user can have written it. The directories
** ($XDG_CACHE_HOME/wasmem and its aot/) and the object must be the user's
** and writable by nobody else; the directory is opened once and every
** name is looked up through that handle (/proc/self/fd/N/NAME), so a
** directory swapped in above it after the check is never used. Objects
** are written under a temporary name, flushed to disk and renamed into
** place, one process at a time per key (an flock on KEY.lock): a second
** process waits and loads the first one's object, and nobody sees half an
** object. An entry failing a check, or that the loader refuses (another
** ABI, a module not matching its hash, not an object), is compiled again,
** with one note on stderr. docs/SECURITY.md, "Compiled code", says why.
*/
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aot_abi.h"
#include "cli.h"

static bool aot;

bool cli_aot_is_option(const char *opt) {
  return strcmp(opt, "--aot") == 0 || strcmp(opt, "--bounds-checks") == 0;
}
/* --bounds-checks matters with --aot only: compiled code that checks
** every access, for hosts where 8 GiB of address space per memory cannot
** be reserved (a ulimit -v). It is part of the cache key. */
void cli_aot_option(const char *opt) {
  if (strcmp(opt, "--aot") == 0)
    aot = true;
  else
    cli_bounds_checks = true;
}
bool cli_aot_enabled(void) { return aot; }

/* Print "wasmem: note: ..." (what the user is told once: a fallback or a
** cache entry compiled again). */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...) {
  va_list ap;
  fputs("wasmem: note: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* The file's stat as part of the key: its size and modification time (a
** rebuilt wasmem or an upgraded compiler changes them). */
static void put_stat(char *buf, size_t cap, const char *what, const char *path) {
  struct stat st;
  size_t n = strlen(buf);
  if (n >= cap) return;
  if (path && stat(path, &st) == 0)
    snprintf(buf + n, cap - n, " %s %lld:%lld.%ld", what, (long long)st.st_size,
             (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
  else
    snprintf(buf + n, cap - n, " %s ?", what);
}

/* The compiler's executable: its first word, found on PATH without a '/'. */
static const char *find_cc(const char *cc, char *buf, size_t cap) {
  size_t w = strcspn(cc, " \t");
  if (memchr(cc, '/', w)) {
    snprintf(buf, cap, "%.*s", (int)w, cc);
    return buf;
  }
  const char *path = getenv("PATH");
  for (const char *p = path ? path : ""; *p;) {
    size_t d = strcspn(p, ":");
    snprintf(buf, cap, "%.*s/%.*s", (int)d, p, (int)w, cc);
    if (access(buf, X_OK) == 0) return buf;
    p += d + (p[d] == ':');
  }
  return NULL;
}

/* The cache key: the hash of the module's bytes, and of everything that
** changes the object: wasmem's version, ABI and build (the executable and
** the library holding the translator),
** the compiler (its command and executable), its flags and the mode. As
** 32 hex digits. */
static void make_key(const uint8_t *bytes, size_t len, const char *cc, unsigned flags,
                     char hex[33]) {
  /* The module's hash first, and the compiler's command as its own hash:
  ** no length of anything after can push the module out of the key. */
  uint8_t h[16], hc[16];
  wm_module_hash(bytes, len, h);
  wm_module_hash((const uint8_t *)cc, strlen(cc), hc);
  char cfg[8192], exe[4096];
  int n = 0;
  for (int i = 0; i < 16; i++, n += 2) snprintf(cfg + n, sizeof cfg - (size_t)n, "%02x", h[i]);
  n += snprintf(cfg + n, sizeof cfg - (size_t)n, " wasmem %s abi %u cc ", WM_VERSION,
                (unsigned)WM_AOT_ABI);
  for (int i = 0; i < 16; i++, n += 2) snprintf(cfg + n, sizeof cfg - (size_t)n, "%02x", hc[i]);
  snprintf(cfg + n, sizeof cfg - (size_t)n, " flags '%s' '%s' mode %s%s;", CLI_AOT_CFLAGS,
           CLI_AOT_MEASURED, flags & WM_COMPILE_BOUNDS_CHECKS ? "checked-bounds" : "guard-pages",
           flags & WM_COMPILE_METERED ? " metered" : "");
  put_stat(cfg, sizeof cfg, "build", "/proc/self/exe");
  /* The translator's library, when wasmem links libwasmem.so. */
  Dl_info lib;
  put_stat(cfg, sizeof cfg, "lib",
           dladdr((void *)wm_module_to_c, &lib) && lib.dli_fname ? lib.dli_fname : NULL);
  put_stat(cfg, sizeof cfg, "ccexe", find_cc(cc, exe, sizeof exe));
  wm_module_hash((const uint8_t *)cfg, strlen(cfg), h);
  for (int i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

/* Why a directory or object of the cache is not to be trusted: NULL if
** it is the user's alone. */
static const char *distrust(const struct stat *st, bool dir) {
  if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
    return dir ? "it is not a directory" : "it is not a regular file";
  if (st->st_uid != geteuid()) return "it is not owned by you";
  if (st->st_mode & (S_IWGRP | S_IWOTH)) return "it is writable by group or others";
  if (!dir && st->st_nlink != 1) return "it has other hard links";
  return NULL;
}

/* Open (making it, 0700) directory name under at (AT_FDCWD for a full
** path), checked; -1 after a note saying why it is not used. */
static int open_dir(int at, const char *name, const char *shown) {
  if (mkdirat(at, name, 0700) != 0 && errno != EEXIST) {
    note("not using the compiled-code cache %s: %s", shown, strerror(errno));
    return -1;
  }
  int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  const char *why = fd < 0 ? strerror(errno) : fstat(fd, &st) != 0 ? strerror(errno) : distrust(&st, true);
  if (why) {
    note("not using the compiled-code cache %s: %s", shown, why);
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

/* Make the directory for compiled objects, $cache/aot; its fd or -1. */
static int open_cache(const char *root) {
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", root);
  char *slash = strrchr(parent, '/');
  /* The cache home itself ($XDG_CACHE_HOME, ~/.cache) may be missing. */
  if (slash && slash != parent) {
    *slash = 0;
    if (mkdir(parent, 0700) != 0 && errno != EEXIST) {
      note("not using the compiled-code cache %s: %s", root, strerror(errno));
      return -1;
    }
  }
  int top = open_dir(AT_FDCWD, root, root);
  if (top < 0) return -1;
  char shown[4200];
  snprintf(shown, sizeof shown, "%s/aot", root);
  int fd = open_dir(top, "aot", shown);
  close(top);
  return fd;
}

/* Read a whole regular file; NULL (after an error line) if it cannot. */
static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  struct stat st;
  if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    if (f) {
      fclose(f);
      cli_error("%s: --aot needs a regular file (the module is compiled and cached by its bytes)", path);
    } else {
      cli_error("%s: %s", path, strerror(errno));
    }
    return NULL;
  }
  uint8_t *b = malloc(st.st_size ? (size_t)st.st_size : 1);
  if (!b || fread(b, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
    cli_error("%s: cannot read: %s", path, b ? strerror(errno) : "out of memory");
    free(b);
    b = NULL;
  }
  fclose(f);
  *len = (size_t)st.st_size;
  return b;
}

/* Flush an object the compiler wrote (name in directory dfd) to disk,
** owned by the user alone. */
static int seal(int dfd, const char *name) {
  int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  int rc = fd < 0 || fchmod(fd, 0600) != 0 || fsync(fd) != 0 ? -1 : 0;
  if (fd >= 0) close(fd);
  return rc;
}

/* The translator's flags for a load with `opts`: --bounds-checks, and
** code that charges fuel and polls under --fuel or --timeout (cached
** apart: the mode is part of the key). */
static unsigned compile_flags(const wm_module_options *opts) {
  return (cli_bounds_checks ? WM_COMPILE_BOUNDS_CHECKS : 0u) |
         (opts->flags & WM_MODULE_METERED ? WM_COMPILE_METERED : 0u);
}

/* Outcome of compiling: loaded (0), run by the interpreter instead (the
** module was not translatable: *out is the interpreter's), or failed. */
enum { BUILT = 0, INTERPRET = 1, FAILED = -1 };

/* Compile module file `path` into object `obj`. On INTERPRET, *interp is
** the module loaded for the interpreter (and a note has said why). */
static int build(const char *path, const wm_module_options *opts, const char *obj, const char *cc,
                 wm_module **interp, wm_error *err) {
  wm_module_options o = *opts;
  o.cache_dir = NULL; /* the translator needs the whole module */
  o.flags &= ~WM_MODULE_SPARSE;
  wm_module *mod = NULL;
  if (wm_module_load_file(path, &o, &mod, err) != 0) return FAILED;
  int rc = cli_compile_module(mod, obj, cc, cli_compile_jobs(), compile_flags(opts), err);
  if (rc < 0 && err->code == WM_EUNSUPPORTED) {
    note("%s: %s; running it in the interpreter", path, err->message);
    *interp = mod;
    return INTERPRET;
  }
  wm_module_free(mod);
  if (rc > 0) {
    snprintf(err->message, sizeof err->message,
             "--aot: cannot compile the module (run without --aot to use the interpreter)");
    err->code = WM_EINVAL;
    err->offset = UINT32_MAX;
  }
  return rc == 0 ? BUILT : FAILED;
}

/* --no-cache, or no usable cache: a temporary object, removed once loaded
** (the mapping stays). */
static int load_temporary(const char *path, const wm_module_options *opts, const char *cc,
                          wm_module **out, wm_error *err) {
  const char *tmpdir = getenv("TMPDIR");
  char dir[4096], obj[4200];
  snprintf(dir, sizeof dir, "%s/wasmem-aot-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp(dir)) {
    cli_error("--aot: cannot make a temporary directory: %s", strerror(errno));
    return CLI_REPORTED;
  }
  snprintf(obj, sizeof obj, "%s/module.so", dir);
  int rc = build(path, opts, obj, cc, out, err);
  if (rc == BUILT) rc = wm_module_load_native(obj, opts, out, err);
  else rc = rc == INTERPRET ? 0 : err->message[0] ? -1 : CLI_REPORTED;
  unlink(obj);
  rmdir(dir);
  return rc;
}

/* Load the cached object NAME in directory fd dfd (the lock held), or
** compile it there first. */
static int load_cached(const char *path, const wm_module_options *opts, const char *cc, int dfd,
                       const char *key, const char *shown, wm_module **out, wm_error *err) {
  char name[64], obj[128];
  snprintf(name, sizeof name, "%s.so", key);
  /* Through the directory's handle: the same directory that was checked. */
  snprintf(obj, sizeof obj, "/proc/self/fd/%d/%s", dfd, name);
  struct stat st;
  if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    const char *why = distrust(&st, false);
    if (!why) {
      if (wm_module_load_native(obj, opts, out, err) == 0) return 0;
      why = err->message;
    }
    note("cached compiled object %s/%s refused (%.*s); compiling it again", shown, name,
         (int)strcspn(why, "\n"), why);
    if (unlinkat(dfd, name, 0) != 0) {
      cli_error("%s/%s: cannot remove it: %s", shown, name, strerror(errno));
      return CLI_REPORTED;
    }
  }
  /* The compiler (another process) writes by the directory's name; the
  ** object is then sealed and renamed through the handle, so one written
  ** into a directory swapped in meanwhile is never used. */
  char tmpname[96], tmp[4400];
  snprintf(tmpname, sizeof tmpname, ".%s.%ld.tmp.so", key, (long)getpid());
  snprintf(tmp, sizeof tmp, "%s/%s", shown, tmpname);
  int rc = build(path, opts, tmp, cc, out, err);
  if (rc == INTERPRET) return 0;
  if (rc == FAILED) {
    unlinkat(dfd, tmpname, 0); /* what a failing compiler left, if anything */
    return err->message[0] ? -1 : CLI_REPORTED;
  }
  if (seal(dfd, tmpname) == 0 && renameat(dfd, tmpname, dfd, name) == 0 && fsync(dfd) == 0)
    return wm_module_load_native(obj, opts, out, err);
  cli_error("%s/%s: cannot store the compiled object: %s", shown, name, strerror(errno));
  unlinkat(dfd, tmpname, 0);
  return CLI_REPORTED;
}

int cli_aot_load(const char *path, const wm_module_options *opts, wm_module **out, wm_error *err) {
  *out = NULL;
  err->message[0] = 0;
  const char *cc = getenv("WASMEM_CC");
  if (!cc || !*cc) cc = "cc";
  if (opts->flags & WM_MODULE_CHECKED) {
    note("%s: compiled code has no heap checker yet; running it in the interpreter", path);
    return cli_load_module(path, opts, out, err);
  }
  size_t len = 0;
  uint8_t *bytes = read_all(path, &len);
  if (!bytes) return CLI_REPORTED;
  /* Already an object: nothing to compile. */
  if (len >= 4 && memcmp(bytes, "\x7f" "ELF", 4) == 0) {
    free(bytes);
    return wm_module_load_native(path, opts, out, err);
  }
  char key[33];
  make_key(bytes, len, cc, compile_flags(opts), key);
  free(bytes);
  const char *root = cli_cache_root();
  int dfd = root ? open_cache(root) : -1;
  if (dfd < 0) return load_temporary(path, opts, cc, out, err);
  char shown[4200], lock[64];
  snprintf(shown, sizeof shown, "%s/aot", root);
  snprintf(lock, sizeof lock, "%s.lock", key);
  int lfd = openat(dfd, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lfd < 0 || flock(lfd, LOCK_EX) != 0) {
    note("not using the compiled-code cache %s: cannot lock %s: %s", shown, lock, strerror(errno));
    if (lfd >= 0) close(lfd);
    close(dfd);
    return load_temporary(path, opts, cc, out, err);
  }
  int rc = load_cached(path, opts, cc, dfd, key, shown, out, err);
  close(lfd); /* releases the lock */
  close(dfd);
  return rc;
}

int cli_open_module(const char *path, wm_module **out) {
  wm_error err;
  err.message[0] = 0;
  const wm_module_options *opts = cli_module_options(path);
  int rc = aot ? cli_aot_load(path, opts, out, &err) : cli_load_module(path, opts, out, &err);
  if (rc != 0 && rc != CLI_REPORTED) cli_report(path, &err);
  return rc == 0 ? 0 : -1;
}
