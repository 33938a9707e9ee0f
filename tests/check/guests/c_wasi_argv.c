/* SPDX-License-Identifier: MIT */
/*
** c_wasi_argv.c -- `wasmem check` test guest: a WASI command with the
** usual `int main(int argc, char **argv)` that frees everything it
** allocates itself. wasi-libc (Debian's 0.0~git20220510) builds argv in
** __main_void with malloc (the strings, one block) and calloc (the
** pointer array, argc + 1 entries) and never frees either: after main
** returns nothing points to the array (definitely lost) and only the lost
** array points to the strings (indirectly lost). Valgrind reports the same
** shape for a libc that did this; the test pins down that the checker sees
** allocations made by libc's start-up code, before main.
**
** Run with two arguments so the array is 16 bytes (argc 3, 4 pointers): a
** multiple of 8, so dlmalloc's top pointer lands exactly at its end, not
** inside it.
**
** Build: clang-14 --target=wasm32-wasi -O1 -Wl,--strip-debug c_wasi_argv.c
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  size_t n = 0;
  for (int i = 0; i < argc; i++) n += strlen(argv[i]);
  char *p = malloc(n + 1); /* our own block, freed */
  p[0] = 0;
  for (int i = 1; i < argc; i++) strcat(p, argv[i]);
  printf("argc %d, args '%s'\n", argc, p);
  free(p);
  return 0;
}
