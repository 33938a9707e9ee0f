;; WebAssembly 3.0's 64-bit memories (memory64): i64 addresses, u64 memarg
;; offsets, i64 sizes and grow results, bulk operations with i64 operands,
;; data segments at i64 offsets. Our memories hold at most 4 GiB, so an
;; effective address of 2^32 or more traps before the plain access (ADDR64).
;; Native only: wabt 1.0.32 caps offsets at 2^32-1 and has no table64.

(module
  (memory i64 1 2)
  (data (i64.const 0xfffc) "\01\02\03\04")
  (data $p "\0a\0b\0c\0d")
  (func (export "load") (param i64) (result i32) (i32.load (local.get 0)))
  (func (export "load_off") (param i64) (result i32) (i32.load offset=0xfffc (local.get 0)))
  (func (export "load_huge") (param i64) (result i32)
    (i32.load8_u offset=0xffff_ffff_ffff_ffff (local.get 0)))
  (func (export "load_4g") (param i64) (result i32) (i32.load8_u offset=0x1_0000_0000 (local.get 0)))
  (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "load64") (param i64) (result i64) (i64.load offset=8 (local.get 0)))
  (func (export "size") (result i64) (memory.size))
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i64 i64 i64) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i64 i32 i32) (memory.init $p (local.get 0) (local.get 1) (local.get 2)))
  (func (export "u8") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "v128") (param i64) (result i32)
    (i32x4.extract_lane 0 (v128.load offset=4 (local.get 0))))
  (func (export "rmw") (param i64 i32) (result i32)
    (i32.atomic.rmw.add offset=4 (local.get 0) (local.get 1)))
)
(assert_return (invoke "load" (i64.const 0xfffc)) (i32.const 0x04030201))
(assert_return (invoke "load_off" (i64.const 0)) (i32.const 0x04030201))
(assert_trap (invoke "load" (i64.const 0xfffd)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const 0x1_0000_0000)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const 0xffff_ffff_ffff_fffc)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const -1)) "out of bounds memory access")
;; address + offset wraps past 2^64: out of bounds, never address 0
(assert_trap (invoke "load_huge" (i64.const 1)) "out of bounds memory access")
(assert_trap (invoke "load_huge" (i64.const 0)) "out of bounds memory access")
(assert_trap (invoke "load_off" (i64.const 0xffff_ffff_ffff_0004)) "out of bounds memory access")
;; 2^32 exactly, and 2^32 - n, from the offset
(assert_trap (invoke "load_4g" (i64.const 0)) "out of bounds memory access")
(assert_trap (invoke "load_4g" (i64.const -0x1_0000_0000)) "out of bounds memory access")
(assert_trap (invoke "load_off" (i64.const 0xffff_0004)) "out of bounds memory access")
(assert_return (invoke "store" (i64.const 8) (i64.const 0x1122334455667788)))
(assert_return (invoke "load64" (i64.const 0)) (i64.const 0x1122334455667788))
(assert_trap (invoke "store" (i64.const 0xfff9) (i64.const 0)) "out of bounds memory access")
(assert_return (invoke "v128" (i64.const 4)) (i32.const 0x55667788))
(assert_return (invoke "rmw" (i64.const 4) (i32.const 1)) (i32.const 0x55667788))
(assert_return (invoke "load64" (i64.const 0)) (i64.const 0x1122334455667789))
(assert_trap (invoke "rmw" (i64.const 1) (i32.const 1)) "unaligned atomic")
(assert_trap (invoke "rmw" (i64.const 0xffff_ffff_ffff_fffc) (i32.const 1)) "out of bounds memory access")

;; memory.size and memory.grow are i64; a failed grow is -1 as an i64
(assert_return (invoke "size") (i64.const 1))
(assert_return (invoke "grow" (i64.const 2)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 0x1_0000_0001)) (i64.const -1))
(assert_return (invoke "grow" (i64.const -1)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 1)) (i64.const 1))
(assert_return (invoke "size") (i64.const 2))
(assert_return (invoke "grow" (i64.const 1)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 0)) (i64.const 2))

;; bulk operations take i64 addresses and lengths
(assert_return (invoke "fill" (i64.const 0x1fffe) (i32.const 7) (i64.const 2)))
(assert_return (invoke "u8" (i64.const 0x1ffff)) (i32.const 7))
(assert_return (invoke "fill" (i64.const 0x20000) (i32.const 7) (i64.const 0)))
(assert_trap (invoke "fill" (i64.const 0x20001) (i32.const 7) (i64.const 0)) "out of bounds memory access")
(assert_trap (invoke "fill" (i64.const 0) (i32.const 7) (i64.const 0x1_0000_0000)) "out of bounds memory access")
(assert_trap (invoke "fill" (i64.const 1) (i32.const 7) (i64.const -1)) "out of bounds memory access")
(assert_trap (invoke "fill" (i64.const 0x1_0000_0000) (i32.const 7) (i64.const 0)) "out of bounds memory access")
(assert_return (invoke "copy" (i64.const 0x1fff0) (i64.const 0x1fffe) (i64.const 2)))
(assert_return (invoke "u8" (i64.const 0x1fff1)) (i32.const 7))
(assert_trap (invoke "copy" (i64.const 0) (i64.const 0x1_0000_0000) (i64.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy" (i64.const 0) (i64.const 0) (i64.const 0x1_0000_0000)) "out of bounds memory access")
(assert_trap (invoke "copy" (i64.const -1) (i64.const 0) (i64.const 1)) "out of bounds memory access")
(assert_return (invoke "init" (i64.const 0x1fffc) (i32.const 1) (i32.const 3)))
(assert_return (invoke "u8" (i64.const 0x1fffc)) (i32.const 0x0b))
(assert_trap (invoke "init" (i64.const 0x1_0000_0000) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "init" (i64.const 0x1fffe) (i32.const 0) (i32.const 3)) "out of bounds memory access")

;; A memory of exactly 4 GiB: the last byte is addressable, 2^32 is not.
(module
  (memory i64 0 65536)
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "size") (result i64) (memory.size))
  (func (export "st8") (param i64 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "ld8") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "ld32") (param i64) (result i32) (i32.load (local.get 0)))
  (func (export "ld8_off1") (param i64) (result i32) (i32.load8_u offset=1 (local.get 0)))
  (func (export "fill") (param i64 i64) (memory.fill (local.get 0) (i32.const 9) (local.get 1)))
)
(assert_return (invoke "grow" (i64.const 65536)) (i64.const 0))
(assert_return (invoke "size") (i64.const 65536))
(assert_return (invoke "grow" (i64.const 1)) (i64.const -1))
(assert_return (invoke "st8" (i64.const 0xffff_ffff) (i32.const 5)))
(assert_return (invoke "ld8" (i64.const 0xffff_ffff)) (i32.const 5))
(assert_trap (invoke "ld32" (i64.const 0xffff_fffd)) "out of bounds memory access")
(assert_trap (invoke "ld8" (i64.const 0x1_0000_0000)) "out of bounds memory access")
(assert_trap (invoke "ld8_off1" (i64.const 0xffff_ffff)) "out of bounds memory access")
(assert_return (invoke "fill" (i64.const 0xffff_ffff) (i64.const 1)))
(assert_return (invoke "ld8" (i64.const 0xffff_ffff)) (i32.const 9))
(assert_trap (invoke "fill" (i64.const 0xffff_ffff) (i64.const 2)) "out of bounds memory access")
(assert_return (invoke "fill" (i64.const 0x1_0000_0000) (i64.const 0)))
(assert_trap (invoke "fill" (i64.const 0x1_0000_0001) (i64.const 0)) "out of bounds memory access")

;; memory.copy between a 32-bit and a 64-bit memory: each address has its
;; memory's type, the length the narrower one (i32).
(module
  (memory $a 1)
  (memory $b i64 1)
  (data (memory $b) (i64.const 16) "wasm")
  (func (export "b_to_a") (param i32 i64 i32) (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "a_to_b") (param i64 i32 i32) (memory.copy $b $a (local.get 0) (local.get 1) (local.get 2)))
  (func (export "a8") (param i32) (result i32) (i32.load8_u $a (local.get 0)))
  (func (export "b8") (param i64) (result i32) (i32.load8_u $b (local.get 0)))
  (func (export "b8_off") (param i64) (result i32) (i32.load8_u $b offset=0xffff (local.get 0)))
)
(assert_return (invoke "b_to_a" (i32.const 100) (i64.const 16) (i32.const 4)))
(assert_return (invoke "a8" (i32.const 103)) (i32.const 0x6d))
(assert_return (invoke "a_to_b" (i64.const 200) (i32.const 100) (i32.const 4)))
(assert_return (invoke "b8" (i64.const 200)) (i32.const 0x77))
(assert_return (invoke "b8_off" (i64.const 0)) (i32.const 0))
(assert_trap (invoke "b8_off" (i64.const 1)) "out of bounds memory access")
(assert_trap (invoke "b_to_a" (i32.const 0) (i64.const 0x1_0000_0000) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "a_to_b" (i64.const 0x10001) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "b_to_a" (i32.const 0) (i64.const 0) (i32.const -1)) "out of bounds memory access")
(assert_invalid
  (module (memory $a 1) (memory $b i64 1)
    (func (memory.copy $a $b (i32.const 0) (i64.const 0) (i64.const 0))))
  "type mismatch")
(assert_invalid
  (module (memory $a 1) (memory $b i64 1)
    (func (memory.copy $a $b (i64.const 0) (i64.const 0) (i32.const 0))))
  "type mismatch")

;; Data segments at i64 offsets, checked at instantiation.
(assert_trap (module (memory i64 1) (data (i64.const 0xffff) "ab")) "out of bounds memory access")
(assert_trap (module (memory i64 1) (data (i64.const 0x1_0000_0000) "")) "out of bounds memory access")
(assert_invalid (module (memory i64 1) (data (i32.const 0) "")) "type mismatch")
(assert_invalid (module (memory 1) (data (i64.const 0) "")) "type mismatch")

;; Validation: addresses, sizes and lengths of a 64-bit memory are i64.
(assert_invalid (module (memory i64 1) (func (drop (i32.load (i32.const 0))))) "type mismatch")
(assert_invalid (module (memory i64 1) (func (i32.store (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (memory i64 1) (func (result i32) (memory.size))) "type mismatch")
(assert_invalid (module (memory i64 1) (func (drop (memory.grow (i32.const 0))))) "type mismatch")
(assert_invalid (module (memory i64 1) (func (memory.fill (i64.const 0) (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (drop (i32.load (i64.const 0))))) "type mismatch")
(assert_invalid (module (memory 1) (func (drop (i32.load offset=0x1_0000_0000 (i32.const 0))))) "offset out of range")
(assert_invalid (module (memory i64 0x1_0000_0000_0001)) "memory size")
(assert_invalid (module (memory i64 0 0x1_0000_0000_0001)) "memory size")
(assert_invalid (module (memory i64 2 1)) "size minimum must not be greater than maximum")

;; Imports: the address types must agree.
(module (memory (export "m64") i64 1) (memory (export "m32") 1))
(register "M")
(module (import "M" "m64" (memory i64 1)))
(assert_unlinkable (module (import "M" "m64" (memory 1))) "incompatible import type")
(assert_unlinkable (module (import "M" "m32" (memory i64 1))) "incompatible import type")

;; The binary format: flags 4 and 5, u64 limits, a 10-byte memarg offset.
(module binary
  "\00asm" "\01\00\00\00"
  "\01\05\01\60\00\01\7f"                       ;; type () -> i32
  "\03\02\01\00"                                ;; one function
  "\05\0d\01\05\01\82\80\80\80\80\80\80\80\80\00" ;; memory i64 1 2, the max in 10 bytes
  "\07\05\01\01\66\00\00"                       ;; export "f"
  "\0a\12\01\10\00\42\00\28\02\ff\ff\ff\ff\ff\ff\ff\ff\ff\01\0b" ;; i32.load offset=2^64-1
)
(assert_trap (invoke "f") "out of bounds memory access")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\05\03\01\08\00")
  "integer too large")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\05\03\01\06\00")
  "integer too large")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\05\0c\01\04\80\80\80\80\80\80\80\80\80\80")
  "integer representation too long")
