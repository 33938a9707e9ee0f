;; Multiple memories (WebAssembly 3.0). Memory 0 lives in the interpreter's
;; memory cache; an instruction on another memory is bracketed by
;; MEMORY_SELECT m / MEMORY_SELECT 0, which no fusion crosses. Edge cases of
;; that bracket: the cache coming back for memory 0, fused address and
;; read-modify-write patterns on memory 1, results retargeted into locals.

(module $other
  (memory (export "mem") 1 3)
  (data (i32.const 0) "\01\02\03\04"))
(register "other" $other)

(module
  (import "other" "mem" (memory $imp 1 3))      ;; memory 0: imported
  (memory $a 1 4)                               ;; memory 1
  (memory $b 0)                                 ;; memory 2: empty
  (data (memory $a) (i32.const 0) "\10\20\30\40")
  (data $passive "\aa\bb\cc\dd")

  (func (export "load0") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load1") (param i32) (result i32) (i32.load8_u $a (local.get 0)))
  (func (export "load1_32") (param i32) (result i32) (i32.load $a (local.get 0)))
  ;; An address add that would fold into the load (LOADK) on memory 0.
  (func (export "load1_k") (param i32) (result i32)
    (i32.load8_u $a offset=1 (i32.add (local.get 0) (i32.const 1))))
  ;; Loads of both memories feeding one add (BINLD on memory 0 only).
  (func (export "sum01") (param i32) (result i32)
    (i32.add (i32.load8_u $a (local.get 0)) (i32.load8_u (local.get 0))))
  (func (export "sum10") (param i32) (result i32)
    (i32.add (i32.load8_u (local.get 0)) (i32.load8_u $a (local.get 0))))
  ;; x[i] += v on memory 1 (BINRMW on memory 0 only), then on memory 0.
  (func (export "rmw1") (param i32 i32)
    (i32.store $a (local.get 0) (i32.add (i32.load $a (local.get 0)) (local.get 1))))
  (func (export "rmw0") (param i32 i32)
    (i32.store (local.get 0) (i32.add (i32.load (local.get 0)) (local.get 1))))
  ;; A load of memory 1 set into a local, then memory 0 read.
  (func (export "set_local") (param i32) (result i32) (local i32)
    (local.set 1 (i32.load8_u $a (local.get 0)))
    (i32.add (local.get 1) (i32.load8_u (local.get 0))))
  (func (export "store1") (param i32 i32) (i32.store8 $a (local.get 0) (local.get 1)))
  (func (export "store2") (param i32 i32) (i32.store8 $b (local.get 0) (local.get 1)))
  (func (export "size") (result i32 i32 i32)
    (memory.size $imp) (memory.size $a) (memory.size $b))
  (func (export "grow2") (param i32) (result i32) (memory.grow $b (local.get 0)))
  ;; memory.grow of memory 1, then a load of memory 0 in the same function:
  ;; the cache must be memory 0's again (size included).
  (func (export "grow1_then_load0") (param i32) (result i32 i32)
    (memory.grow $a (local.get 0))
    (i32.load8_u (i32.const 65535)))
  (func (export "copy_1_to_0") (param i32 i32 i32)
    (memory.copy $imp $a (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_0_to_2") (param i32 i32 i32)
    (memory.copy $b $imp (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_1_to_1") (param i32 i32 i32)
    (memory.copy $a $a (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill1") (param i32 i32 i32)
    (memory.fill $a (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init1") (param i32 i32 i32)
    (memory.init $a $passive (local.get 0) (local.get 1) (local.get 2)))
  (func (export "v128_1") (param i32) (result i32)
    (i32x4.extract_lane 0 (v128.load $a (local.get 0))))
  (func (export "atomic1") (param i32 i32) (result i32)
    (i32.atomic.rmw.add 1 (local.get 0) (local.get 1)))
  ;; A branch between a memory 1 access and a memory 0 one.
  (func (export "branchy") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.load8_u $a (i32.const 1)))
      (else (i32.load8_u (i32.const 1)))))
)

(assert_return (invoke "load0" (i32.const 0)) (i32.const 1))
(assert_return (invoke "load1" (i32.const 0)) (i32.const 0x10))
(assert_return (invoke "load1_32" (i32.const 0)) (i32.const 0x40302010))
(assert_return (invoke "load1_k" (i32.const 0)) (i32.const 0x30))
(assert_return (invoke "sum01" (i32.const 1)) (i32.const 0x22))
(assert_return (invoke "sum10" (i32.const 2)) (i32.const 0x33))
(assert_return (invoke "set_local" (i32.const 3)) (i32.const 0x44))
(invoke "rmw1" (i32.const 0) (i32.const 1))
(assert_return (invoke "load1_32" (i32.const 0)) (i32.const 0x40302011))
(assert_return (invoke "load0" (i32.const 0)) (i32.const 1))
(invoke "rmw0" (i32.const 0) (i32.const 2))
(assert_return (invoke "load0" (i32.const 0)) (i32.const 3))
(assert_return (invoke "load1" (i32.const 0)) (i32.const 0x11))
(invoke "store1" (i32.const 100) (i32.const 7))
(assert_return (invoke "load1" (i32.const 100)) (i32.const 7))
(assert_return (invoke "load0" (i32.const 100)) (i32.const 0))
(assert_return (invoke "branchy" (i32.const 1)) (i32.const 0x20))
(assert_return (invoke "branchy" (i32.const 0)) (i32.const 2))

;; Bounds are each memory's own: memory 2 has no pages.
(assert_trap (invoke "store2" (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "load1" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "size") (i32.const 1) (i32.const 1) (i32.const 0))
(assert_return (invoke "grow2" (i32.const 1)) (i32.const 0))
(invoke "store2" (i32.const 0) (i32.const 9))
(assert_return (invoke "size") (i32.const 1) (i32.const 1) (i32.const 1))
(assert_return (invoke "grow1_then_load0" (i32.const 1)) (i32.const 1) (i32.const 0))
(assert_return (invoke "size") (i32.const 1) (i32.const 2) (i32.const 1))
(assert_trap (invoke "load0" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "load1" (i32.const 65536)) (i32.const 0))

;; memory.copy between memories, each side bounded by its own memory.
(invoke "copy_1_to_0" (i32.const 200) (i32.const 0) (i32.const 4))
(assert_return (invoke "load0" (i32.const 200)) (i32.const 0x11))
(assert_return (invoke "load0" (i32.const 203)) (i32.const 0x40))
(invoke "copy_0_to_2" (i32.const 1) (i32.const 200) (i32.const 2))
(assert_trap (invoke "copy_0_to_2" (i32.const 65535) (i32.const 0) (i32.const 2)) "out of bounds memory access")
(assert_trap (invoke "copy_1_to_0" (i32.const 0) (i32.const 131071) (i32.const 2)) "out of bounds memory access")
(invoke "copy_1_to_0" (i32.const 0) (i32.const 131070) (i32.const 2))
(invoke "copy_1_to_1" (i32.const 1) (i32.const 0) (i32.const 3))
(assert_return (invoke "load1_32" (i32.const 0)) (i32.const 0x30201111))
(invoke "fill1" (i32.const 10) (i32.const 0x5a) (i32.const 2))
(assert_return (invoke "load1" (i32.const 11)) (i32.const 0x5a))
(assert_return (invoke "load0" (i32.const 11)) (i32.const 0))
(assert_trap (invoke "fill1" (i32.const 131071) (i32.const 0) (i32.const 2)) "out of bounds memory access")
(invoke "init1" (i32.const 20) (i32.const 1) (i32.const 3))
(assert_return (invoke "load1" (i32.const 20)) (i32.const 0xbb))
(assert_return (invoke "load1" (i32.const 22)) (i32.const 0xdd))
(assert_return (invoke "v128_1" (i32.const 20)) (i32.const 0x00ddccbb))
(assert_return (invoke "atomic1" (i32.const 20) (i32.const 1)) (i32.const 0x00ddccbb))
(assert_return (invoke "load1" (i32.const 20)) (i32.const 0xbc))
(assert_trap (invoke "atomic1" (i32.const 21) (i32.const 1)) "unaligned atomic")

;; The other module's memory saw the writes to memory 0 of this one.
(module
  (import "other" "mem" (memory 1 3))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))
(assert_return (invoke "peek" (i32.const 200)) (i32.const 0x11))

;; Validation: every memory index exists.
(assert_invalid
  (module (memory 1) (func (drop (i32.load 1 (i32.const 0)))))
  "unknown memory 1")
(assert_invalid
  (module (memory 1) (func (drop (memory.size 1))))
  "unknown memory 1")
(assert_invalid
  (module (memory 1) (func (memory.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0))))
  "unknown memory 1")
(assert_invalid
  (module (memory 1) (data (memory 1) (i32.const 0) ""))
  "unknown memory 1")
;; Memop flags of 0x80 and above are malformed.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0b\01" "\09\00" "\41\00" "\28\80\01\00" "\1a" "\0b")
  "malformed memop flags")
;; A memory index written as a long LEB128 zero is memory 0.
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
  "\0a\0a\01" "\08\00" "\41\00" "\40\80\00" "\1a" "\0b")
