/* SPDX-License-Identifier: MIT */
/* reactor.c -- WASI reactor (built with -mexec-model=reactor): _initialize
** runs the constructor, then exported functions may be called. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int base;

__attribute__((constructor)) static void init(void) { base = 100; }

__attribute__((export_name("add_base"))) int add_base(int x) {
  printf("add_base(%d)\n", x);
  fflush(stdout);
  return base + x;
}

__attribute__((export_name("quit"))) void quit(int code) { exit(code); }

/* Write /sandbox/note.txt and return how many entries /sandbox then has
** (-1 on any failure): file access through `wasmem call --dir`. */
__attribute__((export_name("note_and_count"))) int note_and_count(void) {
  FILE *f = fopen("/sandbox/note.txt", "w");
  if (!f || fputs("hi\n", f) < 0 || fclose(f) != 0) return -1;
  DIR *d = opendir("/sandbox");
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  closedir(d);
  return n;
}
