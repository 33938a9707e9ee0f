/* SPDX-License-Identifier: MIT */
/* args_env.c -- WASI guest: prints argv and the FOO and BAR variables, then
** exits with the status given as the last argument (if it is a number). */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  const char *foo = getenv("FOO"), *bar = getenv("BAR");
  printf("FOO=%s\n", foo ? foo : "(unset)");
  printf("BAR=%s\n", bar ? bar : "(unset)");
  int n = 0;
  for (char **e = environ; *e; e++) n++;
  printf("nenv=%d\n", n);
  if (argc > 1) {
    char *end;
    long code = strtol(argv[argc - 1], &end, 10);
    if (*end == 0) exit((int)code);
  }
  return 0;
}
