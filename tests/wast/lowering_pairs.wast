;; Lowering regression tests for fused pairs: a MOVE before an i32 load (MOVE_I32_LOAD, _K,
;; LOAD8_U_K), an i32 load compared with a slot by br_if (I32_LOAD_BR_EQ/NE), a select on a
;; bit test (SELECT_AND_K) and a float multiply by a loaded value added into memory
;; (F32/F64_MUL_ADD_RMW): the address being the move's destination, the loaded value on
;; either side of the compare or on both, masks with the sign bit, every select type, a
;; product rounded before the add (no fused multiply-add), out-of-bounds traps in each part,
;; values used twice (no fusion) and labels between the two (no fusion).
(module
  (memory 1)
  (data (i32.const 0) "\10\00\00\00\2a\00\00\00")   ;; 0: 16, 4: 42
  (data (i32.const 16) "\00\00\00\00\07\00\00\00\ff\80")   ;; 16: 0, 20: 7, 24: ff 80
  ;; q = p; p = load(p)
  (func (export "move_load") (param i32) (result i32) (local i32)
    (local.set 0 (i32.load (local.tee 1 (local.get 0))))
    (i32.add (i32.mul (local.get 1) (i32.const 1000)) (local.get 0)))
  ;; The address is the move's destination.
  (func (export "move_load_dest") (param i32) (result i32) (local i32)
    (local.set 1 (local.get 0))
    (i32.load (local.get 1)))
  (func (export "move_load_k") (param i32) (result i32) (local i32)
    (local.set 1 (local.get 0))
    (i32.add (i32.load offset=2 (i32.add (local.get 1) (i32.const 2))) (local.get 1)))
  (func (export "move_load8") (param i32) (result i32) (local i32)
    (local.set 1 (local.get 0))
    (i32.add (i32.load8_u offset=1 (i32.add (local.get 1) (i32.const 7))) (local.get 1)))
  ;; A loop label between the move and the load: the second pass enters at the load.
  (func (export "move_load_label") (param i32) (result i32) (local i32 i32)
    (local.set 1 (local.get 0))
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.load (local.get 1))))
      (local.set 1 (i32.const 4))
      (local.set 0 (i32.const 20))
      (br_if $l (i32.lt_u (local.get 2) (i32.const 50))))
    (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get 2)))
  ;; br_if on a loaded value compared with a slot, either side.
  (func (export "load_ne") (param i32 i32) (result i32)
    (block (br_if 0 (i32.ne (i32.load offset=4 (local.get 0)) (local.get 1))) (return (i32.const 1)))
    (i32.const 0))
  (func (export "load_eq_swapped") (param i32 i32) (result i32)
    (block (br_if 0 (i32.eq (local.get 1) (i32.load offset=4 (local.get 0)))) (return (i32.const 0)))
    (i32.const 1))
  ;; The loaded value is both operands (and kept in a local).
  (func (export "load_eq_self") (param i32) (result i32) (local i32)
    (block (br_if 0 (i32.eq (local.tee 1 (i32.load (local.get 0))) (local.get 1))) (return (i32.const -1)))
    (local.get 1))
  ;; A list search: the first key equal to k, or -1.
  (func (export "find") (param i32 i32) (result i32)
    (block $done
      (loop $l
        (br_if $done (i32.eq (i32.load offset=4 (local.get 0)) (local.get 1)))
        (br_if $l (local.tee 0 (i32.load (local.get 0)))))
      (return (i32.const -1)))
    (local.get 0))
  ;; A label between the load and the compare.
  (func (export "load_ne_label") (param i32 i32) (result i32)
    (block
      (br_if 0 (i32.ne (i32.load offset=4 (local.get 0)) (loop (result i32) (local.get 1))))
      (return (i32.const 1)))
    (i32.const 0))
  ;; select on x & mask, every type; the sign bit as the mask.
  (func (export "sel_i32") (param i32 i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.and (local.get 2) (i32.const 0x80000000))))
  (func (export "sel_i64") (param i64 i64 i32) (result i64)
    (select (local.get 0) (local.get 1) (i32.and (local.get 2) (i32.const 6))))
  (func (export "sel_f32") (param f32 f32 i32) (result f32)
    (select (local.get 0) (local.get 1) (i32.and (local.get 2) (i32.const 1))))
  (func (export "sel_f64") (param f64 f64 i32) (result f64)
    (select (result f64) (local.get 0) (local.get 1) (i32.and (local.get 2) (i32.const 1))))
  ;; A CRC step: crc >> 1, xor'd with the polynomial when the low bit of crc ^ v is set.
  (func (export "crc_step") (param i32 i32) (result i32) (local i32)
    (select (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
            (local.get 2)
            (i32.and (i32.xor (local.get 0) (local.get 1)) (i32.const 1))))
  ;; The bit test's value used again (no fusion), and a label between the two.
  (func (export "sel_tee") (param i32 i32 i32) (result i32) (local i32)
    (select (local.get 0) (local.get 1) (local.tee 3 (i32.and (local.get 2) (i32.const 12))))
    (i32.add (i32.mul (local.get 3) (i32.const 1000))))
  (func (export "sel_label") (param i32 i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (loop (result i32) (i32.and (local.get 2) (i32.const 2)))))
  ;; x[c] = x[c] + a * x[b], with the memarg offsets 8 (b) and 16 (c); returns the new x[c].
  (func (export "axpy64") (param f64 i32 i32) (result f64)
    (f64.store offset=16 (local.get 2)
      (f64.add (f64.mul (local.get 0) (f64.load offset=8 (local.get 1)))
               (f64.load offset=16 (local.get 2))))
    (f64.load offset=16 (local.get 2)))
  (func (export "axpy32") (param f32 i32 i32) (result f32)
    (f32.store offset=16 (local.get 2)
      (f32.add (f32.mul (local.get 0) (f32.load offset=8 (local.get 1)))
               (f32.load offset=16 (local.get 2))))
    (f32.load offset=16 (local.get 2)))
  ;; A label between the multiply and the add.
  (func (export "axpy64_label") (param f64 i32 i32) (result f64)
    (f64.store offset=16 (local.get 2)
      (f64.add (f64.mul (local.get 0) (f64.load offset=8 (local.get 1)))
               (loop (result f64) (f64.load offset=16 (local.get 2)))))
    (f64.load offset=16 (local.get 2)))
  (func (export "set64") (param i32 f64) (f64.store (local.get 0) (local.get 1)))
  (func (export "set32") (param i32 f32) (f32.store (local.get 0) (local.get 1)))
  (func (export "get64") (param i32) (result f64) (f64.load (local.get 0)))
)
(assert_return (invoke "move_load" (i32.const 0)) (i32.const 16))
(assert_return (invoke "move_load" (i32.const 16)) (i32.const 16000))
(assert_return (invoke "move_load" (i32.const 65532)) (i32.const 65532000))
(assert_trap (invoke "move_load" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "move_load_dest" (i32.const 4)) (i32.const 42))
(assert_trap (invoke "move_load_dest" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "move_load_k" (i32.const 0)) (i32.const 42))
(assert_trap (invoke "move_load_k" (i32.const 65530)) "out of bounds memory access")
(assert_return (invoke "move_load8" (i32.const 16)) (i32.const 271))
(assert_return (invoke "move_load8" (i32.const 17)) (i32.const 145))
(assert_trap (invoke "move_load8" (i32.const 65528)) "out of bounds memory access")
(assert_return (invoke "move_load8" (i32.const 65527)) (i32.const 65527))
(assert_return (invoke "move_load_label" (i32.const 0)) (i32.const 20058))
(assert_return (invoke "move_load_label" (i32.const 4)) (i32.const 20084))
(assert_return (invoke "load_ne" (i32.const 0) (i32.const 42)) (i32.const 1))
(assert_return (invoke "load_ne" (i32.const 0) (i32.const 41)) (i32.const 0))
(assert_trap (invoke "load_ne" (i32.const 65532) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "load_eq_swapped" (i32.const 16) (i32.const 7)) (i32.const 1))
(assert_return (invoke "load_eq_swapped" (i32.const 16) (i32.const 8)) (i32.const 0))
(assert_return (invoke "load_eq_self" (i32.const 4)) (i32.const 42))
(assert_trap (invoke "load_eq_self" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "find" (i32.const 0) (i32.const 42)) (i32.const 0))
(assert_return (invoke "find" (i32.const 0) (i32.const 7)) (i32.const 16))
(assert_return (invoke "find" (i32.const 0) (i32.const 8)) (i32.const -1))
(assert_return (invoke "load_ne_label" (i32.const 0) (i32.const 42)) (i32.const 1))
(assert_return (invoke "load_ne_label" (i32.const 0) (i32.const 43)) (i32.const 0))
(assert_return (invoke "sel_i32" (i32.const 1) (i32.const 2) (i32.const 0x80000000)) (i32.const 1))
(assert_return (invoke "sel_i32" (i32.const 1) (i32.const 2) (i32.const 0x7fffffff)) (i32.const 2))
(assert_return (invoke "sel_i64" (i64.const -1) (i64.const 5) (i32.const 4)) (i64.const -1))
(assert_return (invoke "sel_i64" (i64.const -1) (i64.const 5) (i32.const 9)) (i64.const 5))
(assert_return (invoke "sel_f32" (f32.const -0.0) (f32.const nan:0x200000) (i32.const 3)) (f32.const -0.0))
(assert_return (invoke "sel_f32" (f32.const -0.0) (f32.const nan:0x200000) (i32.const 2)) (f32.const nan:0x200000))
(assert_return (invoke "sel_f64" (f64.const 1.5) (f64.const -inf) (i32.const -1)) (f64.const 1.5))
(assert_return (invoke "sel_f64" (f64.const 1.5) (f64.const -inf) (i32.const -2)) (f64.const -inf))
(assert_return (invoke "crc_step" (i32.const 0) (i32.const 1)) (i32.const 0xA001))
(assert_return (invoke "crc_step" (i32.const 3) (i32.const 1)) (i32.const 1))
(assert_return (invoke "crc_step" (i32.const 0x80000001) (i32.const 0)) (i32.const 0x4000A001))
(assert_return (invoke "sel_tee" (i32.const 1) (i32.const 2) (i32.const 4)) (i32.const 4001))
(assert_return (invoke "sel_tee" (i32.const 1) (i32.const 2) (i32.const 3)) (i32.const 2))
(assert_return (invoke "sel_label" (i32.const 1) (i32.const 2) (i32.const 2)) (i32.const 1))
(assert_return (invoke "sel_label" (i32.const 1) (i32.const 2) (i32.const 5)) (i32.const 2))
;; x[256+8] = 3, x[512+16] = 1: 1 + 2 * 3
(invoke "set64" (i32.const 264) (f64.const 3))
(invoke "set64" (i32.const 528) (f64.const 1))
(assert_return (invoke "axpy64" (f64.const 2) (i32.const 256) (i32.const 512)) (f64.const 7))
(assert_return (invoke "axpy64" (f64.const -0.5) (i32.const 256) (i32.const 512)) (f64.const 5.5))
;; The product is rounded before the add: (1 + 2^-30)^2 - 1 is 2^-29, not 2^-29 + 2^-60.
(invoke "set64" (i32.const 264) (f64.const 0x1.00000004p+0))
(invoke "set64" (i32.const 528) (f64.const -1))
(assert_return (invoke "axpy64" (f64.const 0x1.00000004p+0) (i32.const 256) (i32.const 512)) (f64.const 0x1p-29))
;; -0 * 1 + 0 is +0; inf * 0 is a NaN.
(invoke "set64" (i32.const 264) (f64.const 1))
(invoke "set64" (i32.const 528) (f64.const 0))
(assert_return (invoke "axpy64" (f64.const -0.0) (i32.const 256) (i32.const 512)) (f64.const 0))
(invoke "set64" (i32.const 264) (f64.const 0))
(assert_return (invoke "axpy64" (f64.const inf) (i32.const 256) (i32.const 512)) (f64.const nan:arithmetic))
;; b and c the same element: x = x + a * x.
(invoke "set64" (i32.const 528) (f64.const 3))
(assert_return (invoke "axpy64" (f64.const 2) (i32.const 520) (i32.const 512)) (f64.const 9))
;; A trap in the multiply's load, then in the add's: x[c] is left as it was.
(invoke "set64" (i32.const 528) (f64.const 4))
(assert_trap (invoke "axpy64" (f64.const 2) (i32.const 65528) (i32.const 512)) "out of bounds memory access")
(assert_trap (invoke "axpy64" (f64.const 2) (i32.const 256) (i32.const 65520)) "out of bounds memory access")
(assert_return (invoke "get64" (i32.const 528)) (f64.const 4))
(assert_return (invoke "axpy64_label" (f64.const 2) (i32.const 520) (i32.const 512)) (f64.const 12))
(invoke "set32" (i32.const 264) (f32.const 3))
(invoke "set32" (i32.const 528) (f32.const 1))
(assert_return (invoke "axpy32" (f32.const 2) (i32.const 256) (i32.const 512)) (f32.const 7))
(invoke "set32" (i32.const 264) (f32.const 0x1.001p+0))
(invoke "set32" (i32.const 528) (f32.const -1))
(assert_return (invoke "axpy32" (f32.const 0x1.001p+0) (i32.const 256) (i32.const 512)) (f32.const 0x1p-11))
(assert_trap (invoke "axpy32" (f32.const 2) (i32.const 65532) (i32.const 512)) "out of bounds memory access")
(assert_trap (invoke "axpy32" (f32.const 2) (i32.const 256) (i32.const 65520)) "out of bounds memory access")

;; MOVE_I32_LOAD then a store to the address it loaded from (MOVE_I32_LOAD_STORE):
;; `n = l->next; l->next = r` in a list reversal; the stored value being the loaded one;
;; a different offset, a load that overwrites the moved address, a label between (no
;; fusion); out of bounds.
(module
  (memory 1)
  ;; A list at 100 -> 200 -> 300 -> 0; node = (next, value).
  (data (i32.const 100) "\c8\00\00\00\01\00\00\00")
  (data (i32.const 200) "\2c\01\00\00\02\00\00\00")
  (data (i32.const 300) "\00\00\00\00\03\00\00\00")
  (func $reverse (export "reverse") (param i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 0 (i32.load (local.tee 2 (local.get 0))))
      (i32.store (local.get 2) (local.get 1))
      (local.set 1 (local.get 2))
      (br_if $l (local.get 0)))
    (local.get 1))
  ;; The values in list order, as decimal digits.
  (func $digits (export "digits") (param i32) (result i32) (local i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        (local.set 1 (i32.add (i32.mul (local.get 1) (i32.const 10))
                              (i32.load offset=4 (local.get 0))))
        (local.set 0 (i32.load (local.get 0)))
        (br $l)))
    (local.get 1))
  (func (export "reverse_digits") (param i32) (result i32)
    (call $digits (call $reverse (local.get 0))))
  ;; The value stored is the one just loaded: memory keeps it.
  (func (export "store_loaded") (param i32) (result i32) (local i32)
    (local.set 0 (i32.load offset=4 (local.tee 1 (local.get 0))))
    (i32.store offset=4 (local.get 1) (local.get 0))
    (i32.add (i32.mul (local.get 0) (i32.const 1000)) (i32.load offset=4 (local.get 1))))
  ;; The stored value is the move's source, which the load then overwrote.
  (func (export "store_source") (param i32 i32) (result i32) (local i32)
    (local.set 0 (i32.load offset=4 (local.tee 2 (local.get 0))))
    (i32.store offset=4 (local.get 2) (local.get 1))
    (i32.add (i32.mul (local.get 0) (i32.const 1000)) (i32.load offset=4 (local.get 2))))
  ;; Another offset for the store: two accesses.
  (func (export "other_offset") (param i32 i32) (result i32) (local i32)
    (local.set 0 (i32.load (local.tee 2 (local.get 0))))
    (i32.store offset=4 (local.get 2) (local.get 1))
    (i32.add (i32.mul (local.get 0) (i32.const 1000)) (i32.load offset=4 (local.get 2))))
  ;; The load overwrites the moved address: the store goes where it points.
  (func (export "load_over_move") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.load (local.tee 2 (local.get 0))))
    (i32.store (local.get 2) (local.get 1))
    (i32.load (local.get 2)))
  ;; A label between the load and the store.
  (func (export "label_between") (param i32 i32) (result i32) (local i32)
    (local.set 0 (i32.load (local.tee 2 (local.get 0))))
    (loop (i32.store (local.get 2) (local.get 1)))
    (i32.add (i32.mul (local.get 0) (i32.const 1000)) (i32.load (local.get 2))))
)
(assert_return (invoke "digits" (i32.const 100)) (i32.const 123))
(assert_return (invoke "reverse_digits" (i32.const 100)) (i32.const 321))
(assert_return (invoke "reverse_digits" (i32.const 300)) (i32.const 123))
(assert_return (invoke "reverse_digits" (i32.const 0)) (i32.const 0))
(assert_return (invoke "store_loaded" (i32.const 200)) (i32.const 2002))
(assert_return (invoke "store_source" (i32.const 200) (i32.const 9)) (i32.const 2009))
(assert_return (invoke "store_source" (i32.const 200) (i32.const 2)) (i32.const 9002))
(assert_return (invoke "other_offset" (i32.const 100) (i32.const 5)) (i32.const 200005))
(assert_return (invoke "load_over_move" (i32.const 1000) (i32.const 77)) (i32.const 77))
(assert_return (invoke "label_between" (i32.const 1000) (i32.const 66)) (i32.const 66))
(assert_return (invoke "label_between" (i32.const 1004) (i32.const 5)) (i32.const 5))
(assert_trap (invoke "reverse" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "store_loaded" (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "store_loaded" (i32.const 65528)) (i32.const 0))

;; A list reversal's whole loop (MOVE_I32_LOAD_STORE, a MOVE, br_if on the next
;; node: MOVE_I32_LOAD_STORE_MOVE_BR_IF): a five-node list reversed and back, a
;; node out of bounds in the middle (the nodes before it stay relinked), a
;; condition that is the MOVE's own destination, and a label before the MOVE
;; (no fusion).
(module
  (memory 1)
  ;; 16 -> 32 -> 48 -> 64 -> 80 -> 0, values 1..5; 112 -> 128 -> 65534.
  (data (i32.const 16) "\20\00\00\00\01\00\00\00")
  (data (i32.const 32) "\30\00\00\00\02\00\00\00")
  (data (i32.const 48) "\40\00\00\00\03\00\00\00")
  (data (i32.const 64) "\50\00\00\00\04\00\00\00")
  (data (i32.const 80) "\00\00\00\00\05\00\00\00")
  (data (i32.const 112) "\80\00\00\00\07\00\00\00")
  (data (i32.const 128) "\fe\ff\00\00\08\00\00\00")
  (func $reverse (export "reverse") (param i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 0 (i32.load (local.tee 2 (local.get 0))))
      (i32.store (local.get 2) (local.get 1))
      (local.set 1 (local.get 2))
      (br_if $l (local.get 0)))
    (local.get 1))
  (func $digits (export "digits") (param i32) (result i32) (local i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        (local.set 1 (i32.add (i32.mul (local.get 1) (i32.const 10))
                              (i32.load offset=4 (local.get 0))))
        (local.set 0 (i32.load (local.get 0)))
        (br $l)))
    (local.get 1))
  (func (export "reverse_digits") (param i32) (result i32)
    (call $digits (call $reverse (local.get 0))))
  (func (export "twice_digits") (param i32) (result i32)
    (call $digits (call $reverse (call $reverse (local.get 0)))))
  ;; The condition is the MOVE's destination (the next node): r = n; while r.
  ;; Returns the last address loaded from + 1000 * the steps taken.
  (func (export "cond_is_dest") (param i32) (result i32) (local i32 i32 i32)
    (loop $l
      (local.set 3 (i32.add (local.get 3) (i32.const 1)))
      (local.set 0 (i32.load (local.tee 2 (local.get 0))))
      (i32.store (local.get 2) (local.get 1))
      (local.set 1 (local.get 0))
      (br_if $l (local.get 1)))
    (i32.add (local.get 2) (i32.mul (local.get 3) (i32.const 1000))))
  (func (export "next") (param i32) (result i32) (i32.load (local.get 0)))
  ;; A label (the target of a branch not taken) between the store and the
  ;; MOVE: the same result, not fused.
  (func (export "label_before_move") (param i32 i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 0 (i32.load (local.tee 3 (local.get 0))))
      (block (br_if 0 (local.get 1)) (i32.store (local.get 3) (local.get 2)))
      (local.set 2 (local.get 3))
      (br_if $l (local.get 0)))
    (call $digits (local.get 2)))
)
(assert_return (invoke "digits" (i32.const 16)) (i32.const 12345))
(assert_return (invoke "reverse_digits" (i32.const 16)) (i32.const 54321))
(assert_return (invoke "digits" (i32.const 16)) (i32.const 1))
(assert_return (invoke "twice_digits" (i32.const 80)) (i32.const 54321))
(assert_return (invoke "label_before_move" (i32.const 80) (i32.const 0)) (i32.const 12345))
(assert_return (invoke "digits" (i32.const 80)) (i32.const 5))
(assert_trap (invoke "reverse" (i32.const 112)) "out of bounds memory access")
(assert_return (invoke "digits" (i32.const 128)) (i32.const 87))
(assert_return (invoke "digits" (i32.const 112)) (i32.const 7))
;; 16 -> 32 -> ... -> 80 -> 0 again: five steps, the last load from 80.
;; Each step stores the r of the step before: 16 -> 0, then 32 -> 32 ... 80 -> 80.
(assert_return (invoke "cond_is_dest" (i32.const 16)) (i32.const 5080))
(assert_return (invoke "next" (i32.const 16)) (i32.const 0))
(assert_return (invoke "next" (i32.const 32)) (i32.const 32))
(assert_return (invoke "next" (i32.const 80)) (i32.const 80))

;; The reversal's loop, when it branches to itself, runs in registers (in the
;; plain loop only): a list of 1000 nodes built here, reversed (the checksum h =
;; h * 31 + v of its values in order), reversed back; and a list whose last node
;; points near the end of memory: the trap comes when the loop loads from there,
;; after all 1000 nodes have been relinked, the last one too.
(module
  (memory 1)
  ;; Nodes at 1024 + 8 i: next, then the value i.
  (func $build (export "build") (param $n i32) (result i32) (local $i i32) (local $a i32)
    (loop $l
      (local.set $a (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 3))))
      (i32.store (local.get $a) (i32.add (local.get $a) (i32.const 8)))
      (i32.store offset=4 (local.get $a) (local.get $i))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.store (local.get $a) (i32.const 0))
    (i32.const 1024))
  (func $reverse (export "reverse") (param i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 0 (i32.load (local.tee 2 (local.get 0))))
      (i32.store (local.get 2) (local.get 1))
      (local.set 1 (local.get 2))
      (br_if $l (local.get 0)))
    (local.get 1))
  (func $sum (export "sum") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (i32.mul (local.get 1) (i32.const 31)) (i32.load offset=4 (local.get 0))))
      (br_if $l (local.tee 0 (i32.load (local.get 0)))))
    (local.get 1))
  (func (export "once") (param i32) (result i32) (call $sum (call $reverse (call $build (local.get 0)))))
  (func (export "twice") (param i32) (result i32)
    (call $sum (call $reverse (call $reverse (call $build (local.get 0))))))
  (func (export "broken") (result i32)
    (drop (call $build (i32.const 1000)))
    (i32.store (i32.const 9016) (i32.const 65534))
    (call $reverse (i32.const 1024)))
)
(assert_return (invoke "once" (i32.const 1000)) (i32.const -240608372))
(assert_return (invoke "twice" (i32.const 1000)) (i32.const 562641396))
(assert_return (invoke "once" (i32.const 1)) (i32.const 0))
(assert_trap (invoke "broken") "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 9016)) (i32.const -240608372))

;; Two MOVE2 in a row (local.get/local.set pairs: a register rotation) are
;; one MOVE4, whose moves run in order: a rotation through a temporary, a
;; chain where each move reads what the one before wrote, SHA-2's shift of
;; eight variables (MOVE2 MOVE4 MOVE2 MOVE4 MOVE), the rotation in a loop;
;; not fused across a label.
(module
  (func $pack4 (param i32 i32 i32 i32) (result i32)
    (i32.add (i32.add (i32.mul (local.get 0) (i32.const 1000)) (i32.mul (local.get 1) (i32.const 100)))
             (i32.add (i32.mul (local.get 2) (i32.const 10)) (local.get 3))))
  (func (export "rot4") (param i32 i32 i32 i32) (result i32) (local i32)
    (local.set 4 (local.get 0)) (local.set 0 (local.get 1)) (local.set 1 (local.get 2))
    (local.set 2 (local.get 3)) (local.set 3 (local.get 4))
    (call $pack4 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "chain") (param i32 i32 i32 i32 i32) (result i32)
    (local.set 0 (local.get 1)) (local.set 2 (local.get 0)) (local.set 3 (local.get 2))
    (local.set 4 (local.get 3))
    (i32.add (call $pack4 (local.get 0) (local.get 1) (local.get 2) (local.get 3))
             (i32.mul (local.get 4) (i32.const 10000))))
  (func (export "shift8") (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (local i32)
    (local.set 8 (local.get 7)) (local.set 7 (local.get 6)) (local.set 6 (local.get 5))
    (local.set 5 (local.get 4)) (local.set 4 (local.get 3)) (local.set 3 (local.get 2))
    (local.set 2 (local.get 1)) (local.set 1 (local.get 0)) (local.set 0 (local.get 8))
    (i32.add (i32.mul (call $pack4 (local.get 0) (local.get 1) (local.get 2) (local.get 3))
                      (i32.const 10000))
             (call $pack4 (local.get 4) (local.get 5) (local.get 6) (local.get 7))))
  (func (export "rot_n") (param i32 i32 i32 i32 i32) (result i32) (local i32)
    (block
      (loop
        (br_if 1 (i32.eqz (local.get 4)))
        (local.set 5 (local.get 0)) (local.set 0 (local.get 1)) (local.set 1 (local.get 2))
        (local.set 2 (local.get 3)) (local.set 3 (local.get 5))
        (local.set 4 (i32.sub (local.get 4) (i32.const 1)))
        (br 0)))
    (call $pack4 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "label") (param i32 i32 i32 i32) (result i32)
    (local.set 0 (local.get 1)) (local.set 1 (local.get 2))
    (loop (local.set 2 (local.get 3)) (local.set 3 (local.get 0)))
    (call $pack4 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
)
(assert_return (invoke "rot4" (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)) (i32.const 2341))
(assert_return (invoke "chain" (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5))
               (i32.const 22222))
(assert_return (invoke "shift8" (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
                                (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8))
               (i32.const 81234567))
(assert_return (invoke "rot_n" (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 0))
               (i32.const 1234))
(assert_return (invoke "rot_n" (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 1))
               (i32.const 2341))
(assert_return (invoke "rot_n" (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 4))
               (i32.const 1234))
(assert_return (invoke "rot_n" (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 7))
               (i32.const 4123))
(assert_return (invoke "label" (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)) (i32.const 2342))

;; A list search's two instructions run as one loop (in the plain loop): the key's
;; test, I32_LOAD_BR_NE to the step when unequal (mix's search) or I32_LOAD_BR_EQ out
;; when equal, and the step I32_LOAD_BR_IF back to it. Found at the first node, in
;; the middle, at the last, not found; the key loaded into the local it is compared
;; with (always equal: run one at a time); a next pointer whose load traps, and one
;; whose key's load traps, each after the nodes before it were searched.
;; Expected values from wabt's spectest-interp.
(module
  (memory 1)
  ;; Nodes at 1024 + 16 i: next (+0), key (+4), value (+8); key 3 i + 1,
  ;; value 100 + i; n nodes, the last one's next 0.
  (func $build (export "build") (param $n i32) (result i32) (local $i i32) (local $a i32)
    (loop $l
      (local.set $a (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 4))))
      (i32.store (local.get $a) (i32.add (local.get $a) (i32.const 16)))
      (i32.store offset=4 (local.get $a) (i32.add (i32.mul (local.get $i) (i32.const 3)) (i32.const 1)))
      (i32.store offset=8 (local.get $a) (i32.add (local.get $i) (i32.const 100)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.store (local.get $a) (i32.const 0))
    (i32.const 1024))
  ;; The value of the node with the key, else -1: the key's test branches
  ;; to the step when unequal (I32_LOAD_BR_NE), as mix's search.
  (func $find (export "find") (param $n i32) (param $k i32) (result i32)
    (block $none
      (loop $l
        (block $next
          (br_if $next (i32.ne (i32.load offset=4 (local.get $n)) (local.get $k)))
          (return (i32.load offset=8 (local.get $n))))
        (br_if $l (local.tee $n (i32.load (local.get $n))))))
    (i32.const -1))
  (func (export "build_find") (param $len i32) (param $k i32) (result i32)
    (call $find (call $build (local.get $len)) (local.get $k)))
  ;; Returns the last key loaded + 1000 * (the node it stopped at - 1024) / 16.
  (func (export "find_where") (param $n i32) (param $k i32) (result i32) (local $key i32)
    (block $none
      (loop $l
        (br_if $none (i32.eq (local.tee $key (i32.load offset=4 (local.get $n))) (local.get $k)))
        (br_if $l (local.tee $n (i32.load (local.get $n))))))
    (i32.add (local.get $key)
             (i32.mul (i32.const 1000) (i32.shr_u (i32.sub (local.get $n) (i32.const 1024)) (i32.const 4)))))
  (func (export "set_next") (param $i i32) (param $v i32)
    (i32.store (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 4))) (local.get $v)))
  ;; The key compared with the local it was loaded into: always equal.
  (func (export "find_self") (param $n i32) (result i32) (local $x i32)
    (block $none
      (loop $l
        (br_if $none (i32.eq (local.tee $x (i32.load offset=4 (local.get $n))) (local.get $x)))
        (br_if $l (local.tee $n (i32.load (local.get $n))))))
    (local.get $n))
)
(assert_return (invoke "build_find" (i32.const 1) (i32.const 1)) (i32.const 100))
(assert_return (invoke "build_find" (i32.const 1) (i32.const 7)) (i32.const -1))
(assert_return (invoke "build_find" (i32.const 50) (i32.const 1)) (i32.const 100))
(assert_return (invoke "build_find" (i32.const 50) (i32.const 4)) (i32.const 101))
(assert_return (invoke "build_find" (i32.const 50) (i32.const 148)) (i32.const 149))
(assert_return (invoke "build_find" (i32.const 50) (i32.const 149)) (i32.const -1))
(assert_return (invoke "build_find" (i32.const 50) (i32.const 2)) (i32.const -1))
(assert_return (invoke "find_where" (i32.const 1024) (i32.const 1)) (i32.const 1))
(assert_return (invoke "find_where" (i32.const 1024) (i32.const 94)) (i32.const 31094))
(assert_return (invoke "find_where" (i32.const 1024) (i32.const 148)) (i32.const 49148))
(assert_return (invoke "find_where" (i32.const 1024) (i32.const 2)) (i32.const 2147419796))
(assert_return (invoke "find_self" (i32.const 1024)) (i32.const 1024))
(invoke "set_next" (i32.const 10) (i32.const 65534))
(assert_trap (invoke "find" (i32.const 1024) (i32.const 1000)) "out of bounds memory access")
(assert_trap (invoke "find_where" (i32.const 1024) (i32.const 1000)) "out of bounds memory access")
(assert_return (invoke "find" (i32.const 1024) (i32.const 31)) (i32.const 110))
(assert_return (invoke "find_where" (i32.const 1024) (i32.const 31)) (i32.const 10031))
(invoke "set_next" (i32.const 10) (i32.const 65532))
(assert_trap (invoke "find" (i32.const 1024) (i32.const 1000)) "out of bounds memory access")
(assert_trap (invoke "find_where" (i32.const 1024) (i32.const 1000)) "out of bounds memory access")

