/* SPDX-License-Identifier: MIT */
/*
** greet_wasi.c (guest) -- the WASI command of ../wasi.c, built with
** wasi-libc: clang-14 --target=wasm32-wasi -O2 -o greet_wasi.wasm greet_wasi.c
** Prints its arguments, then the first line of /data/name.txt (a directory
** the host pre-opens), and exits with the number of arguments it got.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  FILE *f = fopen("/data/name.txt", "r");
  if (!f) {
    perror("/data/name.txt");
    return 100;
  }
  char line[128] = "";
  if (!fgets(line, sizeof line, f)) line[0] = 0;
  fclose(f);
  line[strcspn(line, "\n")] = 0;
  printf("Hello, %s!\n", line);
  fflush(stdout);
  exit(argc - 1); /* proc_exit: the host gets it as the exit status */
}
