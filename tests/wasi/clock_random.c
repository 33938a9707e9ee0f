/* SPDX-License-Identifier: MIT */
/* clock_random.c -- WASI guest: clocks advance and have sane resolutions,
** sleeping (poll_oneoff) waits, random_get gives varied bytes. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static int failures;
/* Not declared by every wasi-libc: import it by hand. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int raw_proc_raise(int sig);

#define CHECK(c) do { if (!(c)) { printf("FAIL line %d: %s\n", __LINE__, #c); failures++; } } while (0)

int main(void) {
  __wasi_timestamp_t t0, t1, res, rt;
  CHECK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0) == 0);
  CHECK(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res) == 0 && res > 0 && res <= 1000000);
  CHECK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &rt) == 0);
  CHECK(rt > 1600000000ull * 1000000000ull); /* after 2020 */
  __wasi_timestamp_t p;
  CHECK(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &p) == 0);
  CHECK(__wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &p) == 0);
  CHECK(__wasi_clock_time_get(99, 1, &p) == __WASI_ERRNO_INVAL);
  CHECK(__wasi_clock_res_get(99, &p) == __WASI_ERRNO_INVAL);

  /* usleep goes through poll_oneoff with a relative clock subscription. */
  usleep(20000);
  CHECK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1) == 0);
  CHECK(t1 - t0 >= 20000000ull);
  struct timespec ts = {0, 5000000};
  CHECK(nanosleep(&ts, NULL) == 0);

  /* An absolute deadline already passed fires at once. */
  __wasi_subscription_t sub;
  memset(&sub, 0, sizeof sub);
  sub.userdata = 42;
  sub.u.tag = __WASI_EVENTTYPE_CLOCK;
  sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  sub.u.u.clock.timeout = t0;
  sub.u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
  __wasi_event_t ev;
  __wasi_size_t nev = 0;
  CHECK(__wasi_poll_oneoff(&sub, &ev, 1, &nev) == 0 && nev == 1 && ev.userdata == 42 &&
        ev.type == __WASI_EVENTTYPE_CLOCK && ev.error == 0);
  CHECK(__wasi_poll_oneoff(&sub, &ev, 0, &nev) == __WASI_ERRNO_INVAL);

  /* fd readiness: stdout is writable long before a 10 s timeout. */
  __wasi_subscription_t subs[2];
  __wasi_event_t evs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 1;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 10000000000ull;
  subs[1].userdata = 2;
  subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
  subs[1].u.u.fd_write.file_descriptor = 1;
  CHECK(__wasi_poll_oneoff(subs, evs, 2, &nev) == 0 && nev == 1 && evs[0].userdata == 2 &&
        evs[0].type == __WASI_EVENTTYPE_FD_WRITE && evs[0].error == 0);
  subs[1].u.u.fd_write.file_descriptor = 999;
  CHECK(__wasi_poll_oneoff(subs, evs, 2, &nev) == 0 && nev == 1 && evs[0].userdata == 2 &&
        evs[0].error == __WASI_ERRNO_BADF);

  unsigned char a[64], b[64];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  CHECK(__wasi_random_get(a, sizeof a) == 0);
  CHECK(__wasi_random_get(b, sizeof b) == 0);
  CHECK(memcmp(a, b, sizeof a) != 0);
  int zeros = 0;
  for (int i = 0; i < 64; i++) zeros += a[i] == 0;
  CHECK(zeros < 16);
  CHECK(__wasi_sched_yield() == 0);
  CHECK(raw_proc_raise(15) == __WASI_ERRNO_NOSYS);
  if (failures) return 1;
  printf("clock_random: ok\n");
  return 0;
}
