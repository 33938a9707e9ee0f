/* SPDX-License-Identifier: MIT */
/*
** limits.c -- `--fuel N` and `--timeout DURATION` of `call` and `run` (and
** so of `check call|run`): the module is then loaded metered, the runtime
** gets the budget and the deadline, Ctrl-C (SIGINT) interrupts the guest,
** and each ends wasmem with its own exit status.
*/
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static struct {
  bool fuel_set, timeout_set;
  uint64_t fuel;
  uint64_t timeout_ns;
} lim;

bool cli_limit_is_option(const char *opt) {
  return strcmp(opt, "--fuel") == 0 || strcmp(opt, "--timeout") == 0;
}

/* "1s", "500ms", "2m", "1.5s", "250us", "100ns", "1h"; a bare number is
** seconds. Up to about 584 years. */
static bool parse_duration(const char *s, uint64_t *ns) {
  static const struct { const char *unit; double scale; } units[] = {
      {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}, {"", 1e9},
  };
  char *end;
  errno = 0;
  if (!*s || *s == '-' || *s == '+') return false;
  double v = strtod(s, &end);
  if (errno || end == s || !(v >= 0)) return false;
  for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
    if (strcmp(end, units[i].unit) != 0) continue;
    double t = v * units[i].scale;
    if (!(t < 1.8e19)) return false;
    *ns = (uint64_t)t;
    return *ns > 0;
  }
  return false;
}

int cli_limit_option(const char *cmd, const char *opt, const char *value) {
  if (strcmp(opt, "--fuel") == 0) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (errno || end == value || *end || value[0] == '-' || v == WM_FUEL_UNLIMITED) {
      cli_error("%s: --fuel '%s': expected a number of instructions", cmd, value);
      return -1;
    }
    lim.fuel = v;
    lim.fuel_set = true;
    return 0;
  }
  if (!parse_duration(value, &lim.timeout_ns)) {
    cli_error("%s: --timeout '%s': expected a duration such as 1s, 500ms or 2m", cmd, value);
    return -1;
  }
  lim.timeout_set = true;
  return 0;
}

const wm_module_options *cli_module_options(const char *module_path) {
  static wm_module_options opts;
  const wm_module_options *chk = cli_check_module_options();
  opts.flags = chk ? chk->flags : 0;
  if (lim.fuel_set || lim.timeout_set) opts.flags |= WM_MODULE_METERED;
  opts.cache_dir = cli_cache_dir(module_path);
  /* With a cache, lower ahead what the last run called (run.c and main.c
  ** call wm_module_cache_update at the end). */
  if (opts.cache_dir) opts.flags |= WM_MODULE_PRELOWER;
  /* Without one, leave the bodies in the file (a large module). */
  else opts.flags |= WM_MODULE_SPARSE;
  return &opts;
}

/* The runtime SIGINT interrupts while a limit is given. */
static wm_runtime *volatile sig_rt;

static void on_sigint(int sig) {
  (void)sig;
  wm_runtime_interrupt(sig_rt); /* only an atomic store */
}

void cli_limit_apply(wm_runtime *rt) {
  if (!lim.fuel_set && !lim.timeout_set) return;
  /* Neither can fail on a runtime. */
  if (lim.fuel_set) wm_runtime_set_fuel(rt, lim.fuel);
  if (lim.timeout_set) wm_runtime_set_deadline(rt, lim.timeout_ns);
  /* The first Ctrl-C stops the guest with a trap and a backtrace; the
  ** handler then resets itself, so a second one kills wasmem as usual. */
  sig_rt = rt;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
}

void cli_limit_release(void) {
  if (!sig_rt) return;
  signal(SIGINT, SIG_DFL);
  sig_rt = NULL;
}

int cli_limit_status(int rc, int status) {
  if (rc == WM_TRAP_DEADLINE) return CLI_EXIT_TIMEOUT;
  if (rc == WM_TRAP_OUT_OF_FUEL) return CLI_EXIT_FUEL;
  if (rc == WM_TRAP_INTERRUPTED) return CLI_EXIT_INTERRUPTED;
  return status;
}
