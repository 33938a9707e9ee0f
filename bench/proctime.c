/* SPDX-License-Identifier: MIT */
/*
** proctime.c -- runs one command and measures it as a whole process, for
** the benchmark scripts: wall time (fork to reap, CLOCK_MONOTONIC), CPU time
** (user + system, from wait4) and peak resident memory (ru_maxrss). The
** command's own output passes through untouched; the figures go to a file,
** so nothing has to be parsed out of the command's output.
** Usage: proctime OUTFILE CMD [ARGS...]
** Writes "wall_us cpu_us maxrss_kb" to OUTFILE and exits with the command's
** exit status (128 + the signal number if a signal ended it; 127 if it
** could not be started).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long tv_us(struct timeval tv) {
  return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: proctime OUTFILE CMD [ARGS...]\n");
    return 2;
  }
  FILE *out = fopen(argv[1], "w");
  if (!out) {
    fprintf(stderr, "proctime: cannot write %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  long long t0 = now_us();
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "proctime: fork: %s\n", strerror(errno));
    return 2;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    fprintf(stderr, "proctime: cannot run %s: %s\n", argv[2], strerror(errno));
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  pid_t got;
  do got = wait4(pid, &status, 0, &ru);
  while (got < 0 && errno == EINTR);
  long long wall = now_us() - t0;
  if (got < 0) {
    fprintf(stderr, "proctime: wait4: %s\n", strerror(errno));
    return 2;
  }
  fprintf(out, "%lld %lld %ld\n", wall, tv_us(ru.ru_utime) + tv_us(ru.ru_stime),
          ru.ru_maxrss);
  if (fclose(out) != 0) {
    fprintf(stderr, "proctime: cannot write %s\n", argv[1]);
    return 2;
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
