/* SPDX-License-Identifier: MIT */
/*
** cache.c -- the code cache of `run` and `call` (and so of `check run|call`):
** where it lives ($XDG_CACHE_HOME/wasmem, else ~/.cache/wasmem), which
** modules it is worth it for (1 MiB and more: validating a smaller one costs
** less than reading a file), and --no-cache. The library does the rest
** (wm_module_options.cache_dir); compiled objects (`--aot`) are kept in
** its aot/ folder by aot_cache.c.
*/
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* Validating runs at several hundred MB/s: below this, a start saves less
** than the cache file costs to find and read. */
#define CACHE_MIN_BYTES ((unsigned long long)1 << 20)

static bool no_cache;
static char dir[4096];

bool cli_cache_is_option(const char *opt) { return strcmp(opt, "--no-cache") == 0; }

void cli_cache_option(const char *opt) {
  (void)opt;
  no_cache = true;
}

/* WASMEM_CACHE_MIN (bytes) moves the threshold, for tests. */
static unsigned long long min_bytes(void) {
  const char *v = getenv("WASMEM_CACHE_MIN");
  if (!v || !*v) return CACHE_MIN_BYTES;
  char *end;
  unsigned long long n = strtoull(v, &end, 10);
  return *end ? CACHE_MIN_BYTES : n;
}

const char *cli_cache_dir(const char *module_path) {
  struct stat st;
  if (no_cache || stat(module_path, &st) != 0 || !S_ISREG(st.st_mode) ||
      (unsigned long long)st.st_size < min_bytes())
    return NULL;
  return cli_cache_root();
}

const char *cli_cache_root(void) {
  if (no_cache) return NULL;
  /* XDG: a relative XDG_CACHE_HOME is to be ignored. */
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  int n;
  if (xdg && xdg[0] == '/') n = snprintf(dir, sizeof dir, "%s/wasmem", xdg);
  else if (home && home[0] == '/') n = snprintf(dir, sizeof dir, "%s/.cache/wasmem", home);
  else return NULL;
  return n > 0 && (size_t)n < sizeof dir ? dir : NULL;
}
