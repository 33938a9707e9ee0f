/* SPDX-License-Identifier: MIT */
/* files.c -- WASI guest run with a pre-opened /sandbox (an empty host temp
** dir whose parent holds secret.txt): files, directories, seek, readdir,
** rename, links and stat through wasi-libc, then escape attempts through
** the raw preview1 calls, which must fail with ENOTCAPABLE (or ELOOP). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL line %d: %s (errno %d)\n", __LINE__, #c, errno); failures++; } } while (0)

/* The guest fd of the pre-open named /sandbox. */
static int sandbox_fd(void) {
  for (int fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
    char name[64];
    if (ps.u.dir.pr_name_len >= sizeof name) continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len) != 0) continue;
    name[ps.u.dir.pr_name_len] = 0;
    if (strcmp(name, "/sandbox") == 0) return fd;
  }
  return -1;
}

static __wasi_errno_t raw_open(int dir, const char *path, __wasi_lookupflags_t look, __wasi_fd_t *out) {
  return __wasi_path_open(dir, look, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, out);
}

int main(void) {
  /* Files: create, write, seek, read, size, truncate. */
  FILE *f = fopen("/sandbox/a.txt", "w");
  CHECK(f != NULL);
  CHECK(fputs("hello, file\n", f) >= 0);
  CHECK(fclose(f) == 0);
  int fd = open("/sandbox/a.txt", O_RDWR);
  CHECK(fd >= 0);
  char buf[64];
  CHECK(read(fd, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
  CHECK(lseek(fd, 0, SEEK_CUR) == 5);
  CHECK(lseek(fd, -5, SEEK_END) == 7);
  CHECK(read(fd, buf, sizeof buf) == 5 && memcmp(buf, "file\n", 5) == 0);
  CHECK(pwrite(fd, "HELLO", 5, 0) == 5);
  CHECK(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "HELLO", 5) == 0);
  CHECK(lseek(fd, 0, SEEK_CUR) == 12); /* pread/pwrite leave the offset */
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 12 && S_ISREG(st.st_mode));
  CHECK(ftruncate(fd, 3) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 3);
  CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
  CHECK(close(fd) == 0);
  CHECK(close(fd) == -1 && errno == EBADF);

  /* Append mode. */
  fd = open("/sandbox/a.txt", O_WRONLY | O_APPEND);
  CHECK(fd >= 0 && write(fd, "xy", 2) == 2 && close(fd) == 0);
  CHECK(stat("/sandbox/a.txt", &st) == 0 && st.st_size == 5);
  CHECK(open("/sandbox/a.txt", O_WRONLY | O_CREAT | O_EXCL, 0644) == -1 && errno == EEXIST);
  CHECK(open("/sandbox/missing", O_RDONLY) == -1 && errno == ENOENT);

  /* Directories and readdir. */
  CHECK(mkdir("/sandbox/d", 0755) == 0);
  CHECK(mkdir("/sandbox/d", 0755) == -1 && errno == EEXIST);
  for (int i = 0; i < 40; i++) {
    char name[64];
    snprintf(name, sizeof name, "/sandbox/d/file-with-a-longish-name-%02d", i);
    int g = open(name, O_WRONLY | O_CREAT, 0644);
    CHECK(g >= 0);
    close(g);
  }
  DIR *dir = opendir("/sandbox/d");
  CHECK(dir != NULL);
  int n = 0, dots = 0;
  struct dirent *de;
  while (dir && (de = readdir(dir))) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) dots++;
    else if (strncmp(de->d_name, "file-with-a-longish-name-", 25) == 0 && de->d_type == DT_REG) n++;
  }
  CHECK(n == 40);
  if (dir) {
    rewinddir(dir);
    int again = 0;
    while ((de = readdir(dir))) again++;
    CHECK(again == n + dots);
    closedir(dir);
  }
  CHECK(rmdir("/sandbox/d") == -1 && errno == ENOTEMPTY);
  for (int i = 0; i < 40; i++) {
    char name[64];
    snprintf(name, sizeof name, "/sandbox/d/file-with-a-longish-name-%02d", i);
    CHECK(unlink(name) == 0);
  }
  CHECK(rmdir("/sandbox/d") == 0);

  /* Rename, hard link, symlink inside the sandbox. */
  CHECK(rename("/sandbox/a.txt", "/sandbox/b.txt") == 0);
  CHECK(access("/sandbox/a.txt", F_OK) == -1 && errno == ENOENT);
  CHECK(link("/sandbox/b.txt", "/sandbox/c.txt") == 0);
  CHECK(stat("/sandbox/c.txt", &st) == 0 && st.st_nlink == 2);
  CHECK(symlink("b.txt", "/sandbox/s") == 0);
  char target[32];
  ssize_t len = readlink("/sandbox/s", target, sizeof target);
  CHECK(len == 5 && memcmp(target, "b.txt", 5) == 0);
  CHECK(lstat("/sandbox/s", &st) == 0 && S_ISLNK(st.st_mode));
  CHECK(stat("/sandbox/s", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5);
  fd = open("/sandbox/s", O_RDONLY);
  CHECK(fd >= 0 && read(fd, buf, 3) == 3 && memcmp(buf, "HEL", 3) == 0);
  close(fd);
  CHECK(open("/sandbox/s", O_RDONLY | O_NOFOLLOW) == -1 && errno == ELOOP);
  struct timespec times[2] = {{1000, 0}, {2000, 500}};
  CHECK(utimensat(AT_FDCWD, "/sandbox/b.txt", times, 0) == 0);
  CHECK(stat("/sandbox/b.txt", &st) == 0 && st.st_mtim.tv_sec == 2000 && st.st_atim.tv_sec == 1000);
  CHECK(unlink("/sandbox/s") == 0 && unlink("/sandbox/c.txt") == 0);
  CHECK(unlink("/sandbox/b.txt") == 0);
  CHECK(mkdir("/sandbox/sub", 0755) == 0);
  CHECK(unlink("/sandbox/sub") == -1 && (errno == EISDIR || errno == EPERM));

  /* Escapes, through the raw calls so that wasi-libc cannot intercept. */
  int sb = sandbox_fd();
  CHECK(sb >= 3);
  __wasi_fd_t out;
  CHECK(raw_open(sb, "../secret.txt", 0, &out) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(raw_open(sb, "sub/../../secret.txt", 0, &out) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(raw_open(sb, "..", 0, &out) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(raw_open(sb, "/etc/passwd", 0, &out) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(raw_open(sb, "/", 0, &out) == __WASI_ERRNO_NOTCAPABLE);
  /* ".." that stays inside is fine. */
  CHECK(raw_open(sb, "sub/..", 0, &out) == 0 && __wasi_fd_close(out) == 0);
  /* Relative symlinks the guest makes may point anywhere; following them
  ** out fails. */
  CHECK(__wasi_path_symlink("/etc", sb, "evil") == __WASI_ERRNO_NOTCAPABLE); /* absolute */
  CHECK(__wasi_path_symlink("../../../../../../../../etc", sb, "evil") == 0);
  CHECK(__wasi_path_symlink("../secret.txt", sb, "evil2") == 0);
  CHECK(__wasi_path_symlink("../..", sb, "sub/evil3") == 0);
  CHECK(raw_open(sb, "evil/passwd", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, &out) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(raw_open(sb, "evil", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, &out) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(raw_open(sb, "evil", 0, &out) == __WASI_ERRNO_LOOP);
  CHECK(raw_open(sb, "evil2", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, &out) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(raw_open(sb, "sub/evil3/secret.txt", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, &out) == __WASI_ERRNO_NOTCAPABLE);
  __wasi_filestat_t fs;
  CHECK(__wasi_path_filestat_get(sb, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "evil", &fs) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(__wasi_path_filestat_get(sb, 0, "evil", &fs) == 0 && fs.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK(__wasi_path_filestat_get(sb, 0, "..", &fs) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(__wasi_path_filestat_get(sb, 0, "../secret.txt", &fs) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(__wasi_path_create_directory(sb, "../escaped") == __WASI_ERRNO_NOTCAPABLE);
  CHECK(__wasi_path_create_directory(sb, "evil/escaped") == __WASI_ERRNO_NOTCAPABLE);
  CHECK(__wasi_path_unlink_file(sb, "evil2/x") == __WASI_ERRNO_NOTCAPABLE);
  CHECK(__wasi_path_rename(sb, "evil2", sb, "../moved") == __WASI_ERRNO_NOTCAPABLE);
  /* A trailing slash names a directory: on a regular file it is ENOTDIR
  ** for the source and the target of a rename, and for a link's source. */
  FILE *ts = fopen("/sandbox/ts.txt", "w");
  CHECK(ts != NULL);
  if (ts) fclose(ts);
  CHECK(__wasi_path_rename(sb, "ts.txt/", sb, "moved") == __WASI_ERRNO_NOTDIR);
  CHECK(__wasi_path_rename(sb, "ts.txt", sb, "moved/") == __WASI_ERRNO_NOTDIR);
  CHECK(__wasi_path_link(sb, 0, "ts.txt/", sb, "moved") == __WASI_ERRNO_NOTDIR);
  CHECK(access("/sandbox/ts.txt", F_OK) == 0 && access("/sandbox/moved", F_OK) == -1);
  CHECK(unlink("/sandbox/ts.txt") == 0);
  CHECK(__wasi_path_link(sb, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "evil2", sb, "hard") != 0);
  CHECK(__wasi_path_symlink("x", sb, "../planted") == __WASI_ERRNO_NOTCAPABLE);
  CHECK(__wasi_path_remove_directory(sb, "sub/..") != 0);
  uint8_t lbuf[16];
  __wasi_size_t used;
  CHECK(__wasi_path_readlink(sb, "../x", lbuf, sizeof lbuf, &used) == __WASI_ERRNO_NOTCAPABLE);
  /* O_CREAT through a dangling link to outside must not create the target. */
  CHECK(symlink("../planted", "/sandbox/dangling") == 0);
  CHECK(open("/sandbox/dangling", O_WRONLY | O_CREAT, 0644) == -1 && errno == ENOTCAPABLE);
  CHECK(unlink("/sandbox/dangling") == 0);
  /* Through wasi-libc: paths outside every pre-open do not resolve. */
  CHECK(open("/etc/passwd", O_RDONLY) == -1);
  CHECK(open("/sandbox/evil/passwd", O_RDONLY) == -1 && errno == ENOTCAPABLE);
  CHECK(unlink("/sandbox/evil") == 0 && unlink("/sandbox/evil2") == 0);
  CHECK(unlink("/sandbox/sub/evil3") == 0 && rmdir("/sandbox/sub") == 0);

  /* fd_* on the wrong kind of fd. */
  CHECK(__wasi_fd_seek(sb, 0, 9, (__wasi_filesize_t *)&fs) == __WASI_ERRNO_INVAL ||
        __wasi_fd_seek(sb, 0, 9, (__wasi_filesize_t *)&fs) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(__wasi_fd_close(1234) == __WASI_ERRNO_BADF);
  CHECK(raw_open(1, "x", 0, &out) == __WASI_ERRNO_NOTDIR);
  if (failures) return 1;
  printf("files: ok\n");
  return 0;
}
