/* SPDX-License-Identifier: MIT */
/* hello.c -- WASI guest: text to stdout and stderr, then a normal return. */
#include <stdio.h>

int main(void) {
  printf("hello, wasi\n");
  fprintf(stderr, "to stderr\n");
  return 0;
}
