;; atomics.wast -- the threads proposal's instructions at their edges:
;; alignment traps (the effective address, offset included, checked before
;; the bounds), out-of-bounds atomic accesses, every read-modify-write's
;; returned old value and what it stores (narrow forms wrap the operand),
;; cmpxchg whose expected value has bits above the access size, wait and
;; notify with one thread, shared memories across instances, and the
;; encodings and validation rules.

(module $m
  (memory (export "mem") 1 1 shared)
  (func (export "set64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "get64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "get32") (param i32) (result i32) (i32.load (local.get 0)))

  (func (export "load32_off3") (param i32) (result i32) (i32.atomic.load offset=3 (local.get 0)))
  (func (export "load64_off8") (param i32) (result i64) (i64.atomic.load offset=8 (local.get 0)))
  (func (export "load16") (param i32) (result i32) (i32.atomic.load16_u (local.get 0)))
  (func (export "load8_64") (param i32) (result i64) (i64.atomic.load8_u (local.get 0)))
  (func (export "load32_64") (param i32) (result i64) (i64.atomic.load32_u (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.atomic.store8 (local.get 0) (local.get 1)))
  (func (export "store32_64") (param i32 i64) (i64.atomic.store32 (local.get 0) (local.get 1)))

  (func (export "add") (param i32 i32) (result i32) (i32.atomic.rmw.add (local.get 0) (local.get 1)))
  (func (export "sub") (param i32 i32) (result i32) (i32.atomic.rmw.sub (local.get 0) (local.get 1)))
  (func (export "and") (param i32 i32) (result i32) (i32.atomic.rmw.and (local.get 0) (local.get 1)))
  (func (export "or") (param i32 i32) (result i32) (i32.atomic.rmw.or (local.get 0) (local.get 1)))
  (func (export "xor") (param i32 i32) (result i32) (i32.atomic.rmw.xor (local.get 0) (local.get 1)))
  (func (export "xchg") (param i32 i32) (result i32) (i32.atomic.rmw.xchg (local.get 0) (local.get 1)))
  (func (export "add8") (param i32 i32) (result i32) (i32.atomic.rmw8.add_u (local.get 0) (local.get 1)))
  (func (export "sub16") (param i32 i32) (result i32) (i32.atomic.rmw16.sub_u (local.get 0) (local.get 1)))
  (func (export "add64") (param i32 i64) (result i64) (i64.atomic.rmw.add (local.get 0) (local.get 1)))
  (func (export "sub32_64") (param i32 i64) (result i64) (i64.atomic.rmw32.sub_u (local.get 0) (local.get 1)))
  (func (export "xchg16_64") (param i32 i64) (result i64) (i64.atomic.rmw16.xchg_u (local.get 0) (local.get 1)))
  (func (export "or8_64") (param i32 i64) (result i64) (i64.atomic.rmw8.or_u (local.get 0) (local.get 1)))

  (func (export "cmpxchg") (param i32 i32 i32) (result i32)
    (i32.atomic.rmw.cmpxchg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "cmpxchg8") (param i32 i32 i32) (result i32)
    (i32.atomic.rmw8.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "cmpxchg16") (param i32 i32 i32) (result i32)
    (i32.atomic.rmw16.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "cmpxchg32_64") (param i32 i64 i64) (result i64)
    (i64.atomic.rmw32.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "cmpxchg64") (param i32 i64 i64) (result i64)
    (i64.atomic.rmw.cmpxchg (local.get 0) (local.get 1) (local.get 2)))

  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64_off4") (param i32 i64 i64) (result i32)
    (memory.atomic.wait64 offset=4 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "fence") (result i32) (atomic.fence) (i32.const 7))
  ;; An atomic access after unreachable code still validates and lowers.
  (func (export "dead") (result i32)
    (return (i32.const 5))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1))))
  ;; The result of an atomic read feeds ordinary code (local.set, add).
  (func (export "twice_old") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.atomic.rmw.add (local.get 0) (local.get 1)))
    (i32.add (local.get 2) (local.get 2)))
)

;; Loads zero-extend; stores wrap.
(invoke "set64" (i32.const 0) (i64.const 0xF1F2F3F4F5F6F7F8))
(assert_return (invoke "load16" (i32.const 0)) (i32.const 0xF7F8))
(assert_return (invoke "load8_64" (i32.const 7)) (i64.const 0xF1))
(assert_return (invoke "load32_64" (i32.const 4)) (i64.const 0xF1F2F3F4))
(assert_return (invoke "load32_off3" (i32.const 1)) (i32.const 0xF1F2F3F4))
(assert_return (invoke "load64_off8" (i32.const 0)) (i64.const 0))
(assert_trap (invoke "load64_off8" (i32.const -8)) "out of bounds memory access") ;; no wrap
(invoke "store8" (i32.const 0) (i32.const 0x1234))
(assert_return (invoke "get32" (i32.const 0)) (i32.const 0xF5F6F734))
(invoke "store32_64" (i32.const 0) (i64.const 0x1122334455667788))
(assert_return (invoke "get64" (i32.const 0)) (i64.const 0xF1F2F3F455667788))

;; Alignment of the effective address: the offset counts.
(assert_trap (invoke "load32_off3" (i32.const 0)) "unaligned atomic")
(assert_trap (invoke "load32_off3" (i32.const 2)) "unaligned atomic")
(assert_trap (invoke "load16" (i32.const 1)) "unaligned atomic")
(assert_trap (invoke "load32_64" (i32.const 2)) "unaligned atomic")
(assert_trap (invoke "add64" (i32.const 4) (i64.const 1)) "unaligned atomic")
(assert_trap (invoke "cmpxchg16" (i32.const 3) (i32.const 0) (i32.const 0)) "unaligned atomic")
(assert_trap (invoke "notify" (i32.const 2) (i32.const 1)) "unaligned atomic")
(assert_trap (invoke "wait64_off4" (i32.const 0) (i64.const 0) (i64.const 0)) "unaligned atomic")
;; Out of bounds, aligned: the bounds trap. Unaligned and out of bounds:
;; alignment is checked first, as the reference interpreter does.
(assert_trap (invoke "load32_off3" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "load64_off8" (i32.const 65528)) "out of bounds memory access")
(assert_trap (invoke "load64_off8" (i32.const -4)) "unaligned atomic")
(assert_trap (invoke "add" (i32.const 65536) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "add" (i32.const 65537) (i32.const 1)) "unaligned atomic")
(assert_trap (invoke "store8" (i32.const 65536) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "cmpxchg64" (i32.const 65536) (i64.const 0) (i64.const 0)) "out of bounds memory access")
(assert_trap (invoke "notify" (i32.const 65536) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "wait32" (i32.const 65536) (i32.const 0) (i64.const 0)) "out of bounds memory access")
(assert_return (invoke "load8_64" (i32.const 65535)) (i64.const 0))

;; Each RMW returns the old value and stores old op operand.
(invoke "set64" (i32.const 16) (i64.const 0x00000000F0F0F0F0))
(assert_return (invoke "add" (i32.const 16) (i32.const 0x10101010)) (i32.const 0xF0F0F0F0))
(assert_return (invoke "get32" (i32.const 16)) (i32.const 0x01010100))
(assert_return (invoke "sub" (i32.const 16) (i32.const 0x01010101)) (i32.const 0x01010100))
(assert_return (invoke "get32" (i32.const 16)) (i32.const 0xFFFFFFFF))
(assert_return (invoke "and" (i32.const 16) (i32.const 0x0F0F0F0F)) (i32.const 0xFFFFFFFF))
(assert_return (invoke "get32" (i32.const 16)) (i32.const 0x0F0F0F0F))
(assert_return (invoke "or" (i32.const 16) (i32.const 0xF0000000)) (i32.const 0x0F0F0F0F))
(assert_return (invoke "get32" (i32.const 16)) (i32.const 0xFF0F0F0F))
(assert_return (invoke "xor" (i32.const 16) (i32.const 0xFFFFFFFF)) (i32.const 0xFF0F0F0F))
(assert_return (invoke "get32" (i32.const 16)) (i32.const 0x00F0F0F0))
(assert_return (invoke "xchg" (i32.const 16) (i32.const 42)) (i32.const 0x00F0F0F0))
(assert_return (invoke "get32" (i32.const 16)) (i32.const 42))
;; Narrow forms: the operand wraps, the neighbours stay, the result is
;; zero-extended.
(invoke "set64" (i32.const 24) (i64.const 0x11223344556677FF))
(assert_return (invoke "add8" (i32.const 24) (i32.const 0x102)) (i32.const 0xFF))
(assert_return (invoke "get64" (i32.const 24)) (i64.const 0x1122334455667701))
(assert_return (invoke "sub16" (i32.const 26) (i32.const 0x10001)) (i32.const 0x5566))
(assert_return (invoke "get64" (i32.const 24)) (i64.const 0x1122334455657701))
(assert_return (invoke "sub32_64" (i32.const 28) (i64.const 0x100000022)) (i64.const 0x11223344))
(assert_return (invoke "get64" (i32.const 24)) (i64.const 0x1122332255657701))
(assert_return (invoke "xchg16_64" (i32.const 30) (i64.const -1)) (i64.const 0x1122))
(assert_return (invoke "get64" (i32.const 24)) (i64.const 0xFFFF332255657701))
(assert_return (invoke "or8_64" (i32.const 25) (i64.const 0x180)) (i64.const 0x77))
(assert_return (invoke "get64" (i32.const 24)) (i64.const 0xFFFF33225565F701))
(assert_return (invoke "add64" (i32.const 24) (i64.const 0x00010000000000FF)) (i64.const 0xFFFF33225565F701))
(assert_return (invoke "get64" (i32.const 24)) (i64.const 0x000033225565F800))
(assert_return (invoke "twice_old" (i32.const 16) (i32.const 1)) (i32.const 84))
(assert_return (invoke "get32" (i32.const 16)) (i32.const 43))

;; cmpxchg: the expected value wraps to the access size before comparing.
(invoke "set64" (i32.const 32) (i64.const 0x00000000AABBCCDD))
(assert_return (invoke "cmpxchg8" (i32.const 32) (i32.const 0xFFFFFFDD) (i32.const 0x1EE)) (i32.const 0xDD))
(assert_return (invoke "get32" (i32.const 32)) (i32.const 0xAABBCCEE))
(assert_return (invoke "cmpxchg8" (i32.const 32) (i32.const 0xDD) (i32.const 0x11)) (i32.const 0xEE))
(assert_return (invoke "get32" (i32.const 32)) (i32.const 0xAABBCCEE))
(assert_return (invoke "cmpxchg16" (i32.const 34) (i32.const 0x5AABB) (i32.const 0x1234)) (i32.const 0xAABB))
(assert_return (invoke "get32" (i32.const 32)) (i32.const 0x1234CCEE))
(assert_return (invoke "cmpxchg32_64" (i32.const 32) (i64.const 0xFFFFFFFF1234CCEE) (i64.const 0x7777777788888888))
               (i64.const 0x1234CCEE))
(assert_return (invoke "get64" (i32.const 32)) (i64.const 0x0000000088888888))
(assert_return (invoke "cmpxchg32_64" (i32.const 32) (i64.const 0x1234CCEE) (i64.const 0)) (i64.const 0x88888888))
(assert_return (invoke "cmpxchg64" (i32.const 32) (i64.const 0x88888888) (i64.const -2)) (i64.const 0x88888888))
(assert_return (invoke "cmpxchg64" (i32.const 32) (i64.const -1) (i64.const 0)) (i64.const -2))
(assert_return (invoke "cmpxchg" (i32.const 32) (i32.const -2) (i32.const 9)) (i32.const -2))
(assert_return (invoke "get64" (i32.const 32)) (i64.const 0xFFFFFFFF00000009))

;; wait and notify with one thread: not-equal, timed out (at once and
;; after 1 ms), and nobody to wake.
(invoke "set64" (i32.const 40) (i64.const 0x0000000500000007))
(assert_return (invoke "wait32" (i32.const 40) (i32.const 8) (i64.const -1)) (i32.const 1))
(assert_return (invoke "wait32" (i32.const 40) (i32.const 7) (i64.const 0)) (i32.const 2))
(assert_return (invoke "wait32" (i32.const 40) (i32.const 7) (i64.const 1000000)) (i32.const 2))
(assert_return (invoke "wait64_off4" (i32.const 36) (i64.const 0x0000000500000007) (i64.const 1000)) (i32.const 2))
(assert_return (invoke "wait64_off4" (i32.const 36) (i64.const 7) (i64.const -1)) (i32.const 1))
(assert_return (invoke "notify" (i32.const 40) (i32.const 1)) (i32.const 0))
(assert_return (invoke "notify" (i32.const 40) (i32.const -1)) (i32.const 0))
(assert_return (invoke "fence") (i32.const 7))
(assert_return (invoke "dead") (i32.const 5))

;; A second instance shares the memory: what one stores atomically the
;; other reads.
(register "shared" $m)
(module
  (import "shared" "mem" (memory 1 1 shared))
  (func (export "inc") (param i32) (result i32) (i32.atomic.rmw.add (local.get 0) (i32.const 1)))
)
(assert_return (invoke "inc" (i32.const 16)) (i32.const 43))
(assert_return (invoke $m "get32" (i32.const 16)) (i32.const 44))
(assert_unlinkable
  (module (import "shared" "mem" (memory 1 1)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "memory" (memory 1 2 shared)))
  "incompatible import type")
(module (import "spectest" "shared_memory" (memory 1 2 shared)))

;; On an unshared memory the accesses work; wait traps, notify wakes none.
(module
  (memory 1)
  (func (export "wait") (param i32) (result i32)
    (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const 0)))
  (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 1)))
  (func (export "xchg") (param i32) (result i32) (i32.atomic.rmw.xchg (i32.const 0) (local.get 0)))
)
(assert_trap (invoke "wait" (i32.const 0)) "expected shared memory")
(assert_trap (invoke "wait" (i32.const 2)) "unaligned atomic")
(assert_return (invoke "notify") (i32.const 0))
(assert_return (invoke "xchg" (i32.const 3)) (i32.const 0))
(assert_return (invoke "xchg" (i32.const 4)) (i32.const 3))

;; Validation: a memory is needed, the alignment must be natural (smaller
;; or larger), the operand types are the instruction's.
(assert_invalid (module (func (drop (i32.atomic.load (i32.const 0))))) "unknown memory")
(assert_invalid
  (module (memory 1 1 shared) (func (drop (i32.atomic.load align=2 (i32.const 0)))))
  "atomic alignment must be natural")
(assert_invalid
  (module (memory 1 1 shared) (func (drop (i64.atomic.load32_u align=8 (i32.const 0)))))
  "atomic alignment must be natural")
(assert_invalid
  (module (memory 1 1 shared)
    (func (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i32.const 0)))))
  "type mismatch")
(assert_invalid
  (module (memory 1 1 shared)
    (func (drop (i64.atomic.rmw.cmpxchg (i32.const 0) (i32.const 0) (i64.const 0)))))
  "type mismatch")

;; Encodings: an unknown 0xFE opcode, a fence's reserved byte, a shared
;; memory without a maximum, a shared table.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\04\01\03\01\01"
    "\0a\07\01\05\00\fe\04\00\0b")
  "illegal opcode")
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\07\01\05\00\fe\03\01\0b")
  "zero byte expected")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\05\03\01\02\01")
  "integer too large")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\04\05\01\70\03\01\01")
  "integer too large")
