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
** The handler is installed at each guarded instantiation where it is not
** the current one (the first, or after an embedder put its own back), with
** SA_NODEFER and an empty mask, so that leaving it by longjmp restores no
** signal mask: the mask in the handler is the one the faulting code ran
** with. What longjmp does not give back is put back by hand: the floating
** point control state the kernel reset for the handler (rounding mode,
** flush-to-zero: x86-64's MXCSR and x87 control word, from the saved
** context) and an alternate signal stack the kernel disarmed for it
** (SS_AUTODISARM: set again by wm__aot_guard_after_trap, off that stack).
** A thread that blocks SIGSEGV would get the default action for a fault
** whatever the handler: wm__aot_run unblocks both signals around the
** outermost guarded activation of a thread (wm__aot_guard_unblock).
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <ucontext.h>

#include "aot_bt.h"
#include "aot_guard.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* Linux 4.7's flag; glibc may not name it */
#endif
#include "wasmem.h"

/* The memory of the guarded compiled code running on this thread. The
** initial-exec model keeps reading it in the handler free of lazy TLS
** allocation. */
static __thread wm_aot_guard guard_now __attribute__((tls_model("initial-exec")));

/* The alternate stack the faulting thread had (the saved context's), to
** arm again after a trap that left the handler by longjmp. */
static __thread stack_t alt_before __attribute__((tls_model("initial-exec")));
static __thread int alt_saved __attribute__((tls_model("initial-exec")));

static struct sigaction prev_segv, prev_bus;
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

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
  ** fault then ends the process as it would have without us; a signal
  ** sent rather than raised by a fault (si_code <= 0) is sent again. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  (void)sigaction(sig, &dfl, NULL);
  if (si->si_code <= 0) (void)raise(sig);
}

/* Put back the floating point control state the faulting code ran with:
** the kernel gave the handler the default one, and longjmp keeps it. */
static void restore_fp(const void *ucv) {
#if defined(__x86_64__) && defined(__linux__)
  const ucontext_t *uc = ucv;
  if (uc && uc->uc_mcontext.fpregs) {
    unsigned int mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    unsigned short cw = uc->uc_mcontext.fpregs->cwd;
    __asm__ __volatile__("ldmxcsr %0" : : "m"(mxcsr));
    __asm__ __volatile__("fldcw %0" : : "m"(cw));
  }
#else
  (void)ucv;
#endif
}

/* The faulting instruction's address, from the saved context; NULL where
** this host's layout is not known here. */
static const void *fault_pc(const void *ucv) {
  const ucontext_t *uc = ucv;
  if (!uc) return NULL;
#if defined(__x86_64__) && defined(__linux__)
  return (const void *)(uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__) && defined(__linux__)
  return (const void *)(uintptr_t)uc->uc_mcontext.pc;
#else
  return NULL;
#endif
}

static void on_fault(int sig, siginfo_t *si, void *uc) {
  wm_aot_guard *g = &guard_now;
  uintptr_t a = (uintptr_t)si->si_addr;
  /* Only a fault (si_code > 0) of the guarded memory is ours: a SIGSEGV
  ** sent by kill or sigqueue carries any address it likes. */
  if (g->jb && si->si_code > 0 && a - (uintptr_t)g->lo < g->span) {
    jmp_buf *jb = g->jb;
    /* Synchronous, in compiled code, which holds no lock: the unwinder,
    ** warmed up at instantiation, may run here. */
    if (g->bt) wm__aot_bt_capture(g->bt, UINT32_MAX, fault_pc(uc));
    restore_fp(uc);
    const ucontext_t *u = uc;
    if (u && !(u->uc_stack.ss_flags & SS_DISABLE)) {
      alt_before = u->uc_stack;
      alt_saved = 1;
    }
    longjmp(*jb, WM_TRAP_MEMORY_OOB);
  }
  pass_on(sig, si, uc);
}

static bool ours(int sig) {
  struct sigaction cur;
  return sigaction(sig, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) &&
         cur.sa_sigaction == on_fault;
}

int wm__aot_guard_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  int rc = 0;
  pthread_mutex_lock(&install_lock);
  /* Whatever is there now (the default, an embedder's, one put back over
  ** ours) is what a fault not ours goes to. */
  if (!ours(SIGSEGV) && sigaction(SIGSEGV, &sa, &prev_segv) != 0) rc = -1;
  if (!rc && !ours(SIGBUS) && sigaction(SIGBUS, &sa, &prev_bus) != 0) rc = -1;
  pthread_mutex_unlock(&install_lock);
  return rc;
}

void wm__aot_guard_after_trap(void) {
  if (!alt_saved) return;
  alt_saved = 0;
  stack_t cur;
  if (sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_DISABLE)) {
    stack_t again = alt_before;
    again.ss_flags &= (int)SS_AUTODISARM;
    (void)sigaltstack(&again, NULL);
  }
}

int wm__aot_guard_unblock(sigset_t *old) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGSEGV);
  sigaddset(&set, SIGBUS);
  if (pthread_sigmask(SIG_UNBLOCK, &set, old) != 0) return 0;
  return sigismember(old, SIGSEGV) == 1 || sigismember(old, SIGBUS) == 1;
}

void wm__aot_guard_reblock(const sigset_t *old) { (void)pthread_sigmask(SIG_SETMASK, old, NULL); }

wm_aot_guard wm__aot_guard_set(wm_aot_guard g) {
  wm_aot_guard old = guard_now;
  /* The handler may read it at any point of this: the jump buffer last. */
  guard_now.jb = NULL;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  guard_now.lo = g.lo;
  guard_now.span = g.span;
  guard_now.bt = g.bt;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  guard_now.jb = g.jb;
  return old;
}
