/* SPDX-License-Identifier: MIT */
/*
** readonly.c -- a WASI guest given a read-only directory (`wasmem run
** --ro-dir HOST::/ro`, holding r.txt, beside a writable /sandbox): reading
** and listing work; creating, writing, truncating, renaming, linking (also
** into /sandbox) and removing fail with ENOTCAPABLE (or, for a write on a
** file opened without write rights, EBADF/ENOTCAPABLE) and change nothing.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fails;

static void refused(const char *what, int rc) {
  if (rc != -1 || errno != ENOTCAPABLE) {
    printf("%s: expected ENOTCAPABLE, got rc %d (%s)\n", what, rc, strerror(errno));
    fails++;
  }
}

int main(void) {
  char buf[32] = {0};
  FILE *f = fopen("/ro/r.txt", "r");
  if (!f || !fgets(buf, sizeof buf, f) || strcmp(buf, "read me\n") != 0) {
    printf("read: %s\n", f ? buf : strerror(errno));
    fails++;
  }
  if (f) fclose(f);

  errno = 0;
  refused("fopen w", fopen("/ro/r.txt", "w") ? 0 : -1);
  refused("fopen new", fopen("/ro/new.txt", "w") ? 0 : -1);
  refused("open O_TRUNC", open("/ro/r.txt", O_RDWR | O_TRUNC));
  refused("mkdir", mkdir("/ro/d", 0777));
  refused("unlink", unlink("/ro/r.txt"));
  refused("rename", rename("/ro/r.txt", "/ro/x.txt"));
  refused("symlink", symlink("r.txt", "/ro/l"));
  refused("link", link("/ro/r.txt", "/ro/h"));
  /* A hard link in a writable directory would be the read-only file. */
  if (access("/sandbox", F_OK) != 0) {
    printf("no /sandbox: run with --sandbox too\n");
    fails++;
  }
  refused("link out", link("/ro/r.txt", "/sandbox/h"));
  /* wasi-libc asks only for rights the directory can pass on, so this
  ** opens; the write must still fail. */
  int fd = open("/ro/r.txt", O_WRONLY | O_APPEND);
  if (fd >= 0) {
    if (write(fd, "x", 1) != -1) {
      printf("write through O_WRONLY fd succeeded\n");
      fails++;
    }
    close(fd);
  } else if (errno != ENOTCAPABLE) {
    printf("open O_WRONLY: %s\n", strerror(errno));
    fails++;
  }

  DIR *d = opendir("/ro");
  int seen = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) seen += strcmp(e->d_name, "r.txt") == 0;
  if (d) closedir(d);
  if (seen != 1) {
    printf("readdir: r.txt seen %d times\n", seen);
    fails++;
  }
  if (!fails) printf("readonly: ok\n");
  return fails ? 1 : 0;
}
