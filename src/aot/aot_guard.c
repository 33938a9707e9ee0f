/* SPDX-License-Identifier: MIT */
/*
** aot_guard.c -- the fault handler of compiled code without bounds checks
** (WM_AOT_GUARDED): a load or store past the memory's size hits the
** inaccessible rest of its reservation, and the SIGSEGV or SIGBUS it
** raises becomes the "out of bounds memory access" trap here.
**
** Each thread records the guarded memory of the compiled code it is
** running (wm__aot_run sets it, a nested call into the runtime clears it
** until it returns). A fault whose address lies in that memory's
** reservation jumps back to wm__aot_run's jump point, as any trap of
** compiled code does; only compiled code and the runtime's helpers, which
** check their own accesses, run while it is set. Every other fault goes to
** the handler installed before ours, or to the default action.
**
** The handler is installed once (pthread_once) with SA_NODEFER and an
** empty mask, so that leaving it by longjmp restores no signal mask: the
** mask in the handler is the one the faulting code ran with. It runs on
** the faulting thread's stack: compiled code faults above the C stack
** floor, whose margin (WM_CSTACK_MARGIN) is more than the handler and the
** kernel's signal frame take.
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "aot_guard.h"
#include "wasmem.h"

/* The memory of the guarded compiled code running on this thread. The
** initial-exec model keeps reading it in the handler free of lazy TLS
** allocation. */
static __thread wm_aot_guard guard_now __attribute__((tls_model("initial-exec")));

static struct sigaction prev_segv, prev_bus;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int install_errno;

/* Pass a fault that is not ours on, as if we had never been installed. */
static void pass_on(int sig, siginfo_t *si, void *uc) {
  const struct sigaction *p = sig == SIGSEGV ? &prev_segv : &prev_bus;
  if (p->sa_flags & SA_SIGINFO) {
    if (p->sa_sigaction) {
      p->sa_sigaction(sig, si, uc);
      return;
    }
  } else if (p->sa_handler != SIG_DFL && p->sa_handler != SIG_IGN) {
    p->sa_handler(sig);
    return;
  }
  /* The default action: returning re-runs the faulting instruction, whose
  ** fault then ends the process as it would have without us. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  (void)sigaction(sig, &dfl, NULL);
}

static void on_fault(int sig, siginfo_t *si, void *uc) {
  wm_aot_guard *g = &guard_now;
  uintptr_t a = (uintptr_t)si->si_addr;
  if (g->jb && a - (uintptr_t)g->lo < g->span) {
    jmp_buf *jb = g->jb;
    longjmp(*jb, WM_TRAP_MEMORY_OOB);
  }
  pass_on(sig, si, uc);
}

static void install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, &prev_segv) != 0 || sigaction(SIGBUS, &sa, &prev_bus) != 0)
    install_errno = 1;
}

int wm__aot_guard_install(void) {
  (void)pthread_once(&once, install);
  return install_errno ? -1 : 0;
}

wm_aot_guard wm__aot_guard_set(wm_aot_guard g) {
  wm_aot_guard old = guard_now;
  /* The handler may read it at any point of this: the jump buffer last. */
  guard_now.jb = NULL;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  guard_now.lo = g.lo;
  guard_now.span = g.span;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  guard_now.jb = g.jb;
  return old;
}
