/* SPDX-License-Identifier: MIT */
/*
** sock_echo.c -- a WASI guest that serves one connection on a listening
** socket the host pre-opened (`wasmem run --tcplisten`; its fd is argv[1]):
** accept, read a line, answer it in upper case, shut down. It also checks
** what a guest sees on fds that are not sockets.
*/
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int lfd = argc > 1 ? atoi(argv[1]) : 3;
  char buf[256];
  if (recv(1, buf, 1, 0) != -1 || errno != ENOTSOCK) {
    printf("recv on stdout: expected ENOTSOCK, got %s\n", strerror(errno));
    return 1;
  }
  if (accept(1, NULL, NULL) != -1 || errno != ENOTSOCK) {
    printf("accept on stdout: expected ENOTSOCK, got %s\n", strerror(errno));
    return 1;
  }
  int c = accept(lfd, NULL, NULL);
  if (c < 0) {
    printf("accept(%d): %s\n", lfd, strerror(errno));
    return 1;
  }
  size_t n = 0;
  while (n < sizeof buf) {
    ssize_t r = recv(c, buf + n, sizeof buf - n, 0);
    if (r < 0) {
      printf("recv: %s\n", strerror(errno));
      return 1;
    }
    if (r == 0) break;
    n += (size_t)r;
    if (memchr(buf + n - (size_t)r, '\n', (size_t)r)) break;
  }
  for (size_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
  if (send(c, buf, n, 0) != (ssize_t)n) {
    printf("send: %s\n", strerror(errno));
    return 1;
  }
  if (shutdown(c, SHUT_RDWR) != 0 || close(c) != 0) {
    printf("shutdown/close: %s\n", strerror(errno));
    return 1;
  }
  printf("served %zu bytes\n", n);
  return 0;
}
