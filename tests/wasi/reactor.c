/* reactor.c -- WASI reactor (built with -mexec-model=reactor): _initialize
** runs the constructor, then exported functions may be called. */
#include <stdio.h>
#include <stdlib.h>

static int base;

__attribute__((constructor)) static void init(void) { base = 100; }

__attribute__((export_name("add_base"))) int add_base(int x) {
  printf("add_base(%d)\n", x);
  fflush(stdout);
  return base + x;
}

__attribute__((export_name("quit"))) void quit(int code) { exit(code); }
