/* SPDX-License-Identifier: MIT */
/*
** interp_atomic.h -- the handlers of the threads proposal's instructions
** (ops.h, 0xFE), included inside the dispatch loop's body (interp_loop.h)
** so that all three loops have them. Every access is sequentially
** consistent (__atomic builtins on the host's naturally aligned words:
** linear memory is page aligned and an atomic address must be a multiple of
** its size). The order of the checks is the reference interpreter's: the
** alignment of the effective address, then (wait) a shared memory, then
** the bounds. Operands are read into locals before d is written, since d
** may be one of them. Plain loads and stores are untouched: only these
** instructions test alignment.
*/

/* The checked pointer p_ to the n bytes at R(a) + OPD(off), or a trap. */
#define ATOMIC_ADDR(a, off, n)                                                \
  uint8_t *p_;                                                                \
  if (WM_UNLIKELY(((uint64_t)R(a).u32 + OPD(off)) & ((n) - 1)))               \
    TRAP(WM_TRAP_UNALIGNED_ATOMIC);                                           \
  if (WM_UNLIKELY(!mem_access(membase, memsize, R(a).u32, OPD(off), n, &p_))) \
    TRAP(WM_TRAP_MEMORY_OOB)

/* ALOAD `d a off`: d = the zero-extended value. */
#define ALOAD(name, n, utype)                                                 \
  vmcase(name) {                                                              \
    ATOMIC_ADDR(1, 2, n);                                                     \
    CHK_ACCESS(p_, n, false);                                                 \
    R(0).u64 = __atomic_load_n((utype *)p_, __ATOMIC_SEQ_CST);                \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
/* ASTORE `a b off`: store b wrapped to the access size. */
#define ASTORE(name, n, utype)                                                \
  vmcase(name) {                                                              \
    utype v_ = (utype)R(1).u64;                                               \
    ATOMIC_ADDR(0, 2, n);                                                     \
    CHK_ACCESS(p_, n, true);                                                  \
    __atomic_store_n((utype *)p_, v_, __ATOMIC_SEQ_CST);                      \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
/* ARMW `d a b off`: d = the old value; `fetch` is an __atomic_fetch_* or
** __atomic_exchange_n. */
#define ARMW(name, n, utype, fetch)                                           \
  vmcase(name) {                                                              \
    utype v_ = (utype)R(2).u64;                                               \
    ATOMIC_ADDR(1, 3, n);                                                     \
    CHK_ACCESS(p_, n, true);                                                  \
    R(0).u64 = fetch((utype *)p_, v_, __ATOMIC_SEQ_CST);                      \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
/* ACMPX `d a b c off`: d = the old value; c is stored if old equals b, both
** wrapped to the access size. */
#define ACMPX(name, n, utype)                                                 \
  vmcase(name) {                                                              \
    utype e_ = (utype)R(2).u64, r_ = (utype)R(3).u64;                         \
    ATOMIC_ADDR(1, 4, n);                                                     \
    CHK_ACCESS(p_, n, true);                                                  \
    __atomic_compare_exchange_n((utype *)p_, &e_, r_, false, __ATOMIC_SEQ_CST, \
                                __ATOMIC_SEQ_CST);                            \
    R(0).u64 = e_; /* the old value, whether or not it was replaced */        \
    ip += 7;                                                                  \
    vmbreak;                                                                  \
  }
/* wait32/64 `d a b c off`: the thread sleeps in wm__atomic_wait_owned
** (atomic_wait.c) until a notify of this address or the timeout (c ns;
** negative: none), or until its runtime is stopped (a wasi-threads group
** ending: wm__runtime_stop), which traps "interrupted". An unshared
** memory traps. */
#define AWAIT(name, n)                                                        \
  vmcase(name) {                                                              \
    uint64_t want_ = R(2).u64;                                                \
    int64_t timeout_ = R(3).i64;                                              \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(((uint64_t)R(1).u32 + OPD(4)) & ((n) - 1)))               \
      TRAP(WM_TRAP_UNALIGNED_ATOMIC);                                         \
    if (WM_UNLIKELY(!mem0->decl.shared)) TRAP(WM_TRAP_EXPECTED_SHARED);       \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32, OPD(4), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                                 \
    int r_ = wm__atomic_wait_owned(p_, (n) == 8, want_, timeout_, rt,         \
                                   &rt->stopped);                             \
    if (WM_UNLIKELY(r_ == 3)) TRAP(WM_TRAP_INTERRUPTED);                      \
    R(0).u64 = (uint32_t)r_;                                                  \
    ip += 7;                                                                  \
    vmbreak;                                                                  \
  }

      ALOAD(I32_ATOMIC_LOAD, 4, uint32_t)
      ALOAD(I64_ATOMIC_LOAD, 8, uint64_t)
      ALOAD(I32_ATOMIC_LOAD8_U, 1, uint8_t)
      ALOAD(I32_ATOMIC_LOAD16_U, 2, uint16_t)
      ALOAD(I64_ATOMIC_LOAD8_U, 1, uint8_t)
      ALOAD(I64_ATOMIC_LOAD16_U, 2, uint16_t)
      ALOAD(I64_ATOMIC_LOAD32_U, 4, uint32_t)
      ASTORE(I32_ATOMIC_STORE, 4, uint32_t)
      ASTORE(I64_ATOMIC_STORE, 8, uint64_t)
      ASTORE(I32_ATOMIC_STORE8, 1, uint8_t)
      ASTORE(I32_ATOMIC_STORE16, 2, uint16_t)
      ASTORE(I64_ATOMIC_STORE8, 1, uint8_t)
      ASTORE(I64_ATOMIC_STORE16, 2, uint16_t)
      ASTORE(I64_ATOMIC_STORE32, 4, uint32_t)
#define ARMW_ALL(OP, fetch)                                                   \
      ARMW(I32_ATOMIC_RMW_##OP, 4, uint32_t, fetch)                           \
      ARMW(I64_ATOMIC_RMW_##OP, 8, uint64_t, fetch)                           \
      ARMW(I32_ATOMIC_RMW8_##OP##_U, 1, uint8_t, fetch)                       \
      ARMW(I32_ATOMIC_RMW16_##OP##_U, 2, uint16_t, fetch)                     \
      ARMW(I64_ATOMIC_RMW8_##OP##_U, 1, uint8_t, fetch)                       \
      ARMW(I64_ATOMIC_RMW16_##OP##_U, 2, uint16_t, fetch)                     \
      ARMW(I64_ATOMIC_RMW32_##OP##_U, 4, uint32_t, fetch)
      ARMW_ALL(ADD, __atomic_fetch_add)
      ARMW_ALL(SUB, __atomic_fetch_sub)
      ARMW_ALL(AND, __atomic_fetch_and)
      ARMW_ALL(OR, __atomic_fetch_or)
      ARMW_ALL(XOR, __atomic_fetch_xor)
      ARMW_ALL(XCHG, __atomic_exchange_n)
#undef ARMW_ALL
      ACMPX(I32_ATOMIC_RMW_CMPXCHG, 4, uint32_t)
      ACMPX(I64_ATOMIC_RMW_CMPXCHG, 8, uint64_t)
      ACMPX(I32_ATOMIC_RMW8_CMPXCHG_U, 1, uint8_t)
      ACMPX(I32_ATOMIC_RMW16_CMPXCHG_U, 2, uint16_t)
      ACMPX(I64_ATOMIC_RMW8_CMPXCHG_U, 1, uint8_t)
      ACMPX(I64_ATOMIC_RMW16_CMPXCHG_U, 2, uint16_t)
      ACMPX(I64_ATOMIC_RMW32_CMPXCHG_U, 4, uint32_t)

      vmcase(ATOMIC_FENCE) {
        atomic_thread_fence(memory_order_seq_cst);
        ip += 2;
        vmbreak;
      }
      vmcase(MEMORY_ATOMIC_NOTIFY) {
        /* `d a b off`. On an unshared memory nothing can wait: 0 woken. */
        uint32_t n_ = R(2).u32;
        ATOMIC_ADDR(1, 3, 4);
        CHK_ACCESS(p_, 4, false);
        R(0).u64 = mem0->decl.shared ? wm__atomic_notify(p_, n_) : 0;
        ip += 6;
        vmbreak;
      }
      AWAIT(MEMORY_ATOMIC_WAIT32, 4)
      AWAIT(MEMORY_ATOMIC_WAIT64, 8)

#undef AWAIT
#undef ATOMIC_ADDR
#undef ALOAD
#undef ASTORE
#undef ARMW
#undef ACMPX
