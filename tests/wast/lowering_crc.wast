;; Lowering regression tests for the bit-serial CRC forms and switch tables: a shift
;; whose result an xor with a constant takes (I32_SHR_U_XOR_K; the shift's result kept
;; in a local.tee's local, or only on the stack), a select on a bit of an xor, shifted
;; or not (SELECT_XOR_AND_K), the two together (I32_SHR_U_XOR_K_SELECT), and a br_table on i + k (BR_TABLE_K). Edge cases: shift
;; counts of 0, 31, 32 and more (taken mod 32), the constant first, the sign bit as
;; mask, select of every scalar type, an xor or sum read twice (no fusion), a label in
;; between (no fusion), sums that wrap at 2^32 and indexes past the table's end.
(module
  ;; crc >> 1, tee'd, then ^ poly; the local is read again afterwards.
  (func (export "shr_xor_tee") (param i32) (result i32) (local i32)
    (i32.add
      (i32.mul (i32.xor (local.tee 1 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
               (i32.const 0x10000))
      (local.get 1)))
  ;; The shift only on the stack; the constant first; counts mod 32.
  (func (export "shr_xor") (param i32 i32) (result i32)
    (i32.xor (i32.const 0x5A5A) (i32.shr_u (local.get 0) (local.get 1))))
  (func (export "shr_xor_31") (param i32) (result i32)
    (i32.xor (i32.shr_u (local.get 0) (i32.const 31)) (i32.const 0x80000000)))
  (func (export "shr_xor_33") (param i32) (result i32)
    (i32.xor (i32.shr_u (local.get 0) (i32.const 33)) (i32.const -1)))
  ;; The shift writes the local its own operand is: x = x >> 4; x ^ k.
  (func (export "shr_xor_self") (param i32) (result i32)
    (i32.add (i32.xor (local.tee 0 (i32.shr_u (local.get 0) (i32.const 4))) (i32.const 0xFF))
             (i32.mul (local.get 0) (i32.const 0x100))))
  ;; A loop label between the shift and the xor: the second pass enters at the xor.
  (func (export "shr_xor_label") (param i32) (result i32) (local i32 i32)
    (local.set 1 (i32.shr_u (local.get 0) (i32.const 1)))
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.xor (local.get 1) (i32.const 3))))
      (local.set 1 (i32.const 16))
      (br_if $l (i32.lt_u (local.get 2) (i32.const 100))))
    (local.get 2))

  ;; One step of a bit-serial CRC-16, the tested bit of crc ^ (v >> k).
  (func $step (export "crc_step") (param i32 i32 i32) (result i32) (local i32)
    (select (i32.xor (local.tee 3 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
            (local.get 3)
            (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (local.get 2))) (i32.const 1))))
  ;; Eight of them, bit 0 with no shift at all.
  (func (export "crc8") (param i32 i32) (result i32) (local i32)
    (local.set 0 (select (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (local.get 1)) (i32.const 1))))
    (local.set 0 (select (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 1))) (i32.const 1))))
    (local.set 0 (select (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 2))) (i32.const 1))))
    (local.set 0 (select (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 3))) (i32.const 1))))
    (local.set 0 (select (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 4))) (i32.const 1))))
    (local.set 0 (select (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 5))) (i32.const 1))))
    (local.set 0 (select (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 6))) (i32.const 1))))
    (local.set 0 (select (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 7))) (i32.const 1))))
    (local.get 0))
  ;; The sign bit as the mask; a shift of 32 (none).
  (func (export "sel_xor_sign") (param i32 i32 i32 i32) (result i32)
    (select (local.get 0) (local.get 1)
            (i32.and (i32.xor (local.get 2) (i32.shr_u (local.get 3) (i32.const 32))) (i32.const 0x80000000))))
  ;; Every scalar type on the arms.
  (func (export "sel_xor_i64") (param i64 i64 i32 i32) (result i64)
    (select (local.get 0) (local.get 1) (i32.and (i32.xor (local.get 2) (local.get 3)) (i32.const 6))))
  (func (export "sel_xor_f32") (param f32 f32 i32 i32) (result f32)
    (select (local.get 0) (local.get 1)
            (i32.and (i32.xor (local.get 2) (i32.shr_u (local.get 3) (i32.const 3))) (i32.const 1))))
  (func (export "sel_xor_f64") (param f64 f64 i32 i32) (result f64)
    (select (result f64) (local.get 0) (local.get 1)
            (i32.and (i32.xor (local.get 2) (local.get 3)) (i32.const 1))))
  ;; The xor read twice (tee'd): the select must see the same bit.
  (func (export "sel_xor_twice") (param i32 i32) (result i32) (local i32)
    (i32.add
      (select (i32.const 100) (i32.const 200)
              (i32.and (local.tee 2 (i32.xor (local.get 0) (local.get 1))) (i32.const 1)))
      (local.get 2)))
  ;; A label between the xor and the test (the block's end, which br_if targets).
  (func (export "sel_xor_label") (param i32 i32) (result i32)
    (select (i32.const 7) (i32.const 9)
            (i32.and (block (result i32) (br_if 0 (i32.xor (local.get 0) (local.get 1)) (local.get 0)))
                     (i32.const 1))))

  ;; A switch on c - 32 (' ', ','...): sums that wrap, indexes past the end.
  (func (export "switch") (param i32) (result i32)
    (block $d
      (block $c
        (block $b
          (block $a
            (br_table $a $b $c $b $d (i32.add (local.get 0) (i32.const -32))))
          (return (i32.const 10)))
        (return (i32.const 11)))
      (return (i32.const 12)))
    (i32.const 13))
  ;; With a value to the label; the sum also read afterwards (no fusion).
  (func (export "switch_value") (param i32) (result i32)
    (block $x (result i32)
      (block $y (result i32)
        (br_table $x $y $x (i32.const 50) (i32.add (local.get 0) (i32.const 5))))
      (i32.const 1)
      (i32.add))
  )
  (func (export "switch_twice") (param i32) (result i32) (local i32)
    (block $x
      (block $y
        (br_table $x $y (local.tee 1 (i32.add (local.get 0) (i32.const 1)))))
      (return (i32.add (local.get 1) (i32.const 100))))
    (local.get 1))
  ;; A loop label between the add and the br_table.
  (func (export "switch_label") (param i32) (result i32)
    (block $x
      (block $y
        (br_table $x $y (loop (result i32) (i32.add (local.get 0) (i32.const 2)))))
      (return (i32.const 20)))
    (i32.const 21))
  ;; The shift-xor and the select as one instruction (I32_SHR_U_XOR_K_SELECT),
  ;; the tested bit read from the local the shift has just written; and a
  ;; loop label between the two (not fused), the same step.
  (func (export "crc_step_d1") (param i32 i32) (result i32) (local i32)
    (select (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
            (local.get 2)
            (i32.and (i32.xor (local.get 2) (i32.shr_u (local.get 1) (i32.const 3))) (i32.const 1))))
  (func (export "crc_step_label") (param i32 i32) (result i32) (local i32)
    (i32.xor (local.tee 2 (i32.shr_u (local.get 0) (i32.const 1))) (i32.const 0xA001))
    (loop (param i32) (result i32)
      (select (local.get 2)
              (i32.and (i32.xor (local.get 2) (i32.shr_u (local.get 1) (i32.const 3))) (i32.const 1)))))
)

(assert_return (invoke "shr_xor_tee" (i32.const 0x1234)) (i32.const 0xA91B091A))
(assert_return (invoke "shr_xor_tee" (i32.const 0xFFFFFFFF)) (i32.const 0xDFFDFFFF))
(assert_return (invoke "shr_xor" (i32.const 0xFFFF) (i32.const 4)) (i32.const 0x55A5))
(assert_return (invoke "shr_xor" (i32.const 0xFFFF) (i32.const 36)) (i32.const 0x55A5))
(assert_return (invoke "shr_xor" (i32.const 0xFFFF) (i32.const 0)) (i32.const 0xA5A5))
(assert_return (invoke "shr_xor_31" (i32.const 0x80000000)) (i32.const 0x80000001))
(assert_return (invoke "shr_xor_31" (i32.const 1)) (i32.const 0x80000000))
(assert_return (invoke "shr_xor_33" (i32.const 6)) (i32.const -4))
(assert_return (invoke "shr_xor_self" (i32.const 0x1230)) (i32.const 0x124DC))
(assert_return (invoke "shr_xor_label" (i32.const 8)) (i32.const 102))

(assert_return (invoke "crc_step" (i32.const 0) (i32.const 1) (i32.const 0)) (i32.const 0xA001))
(assert_return (invoke "crc_step" (i32.const 0) (i32.const 2) (i32.const 0)) (i32.const 0))
(assert_return (invoke "crc_step" (i32.const 0) (i32.const 2) (i32.const 1)) (i32.const 0xA001))
(assert_return (invoke "crc_step" (i32.const 0) (i32.const 2) (i32.const 33)) (i32.const 0xA001))
(assert_return (invoke "crc_step" (i32.const 3) (i32.const 0x80000000) (i32.const 31)) (i32.const 1))
(assert_return (invoke "crc_step" (i32.const 2) (i32.const 0) (i32.const 0)) (i32.const 1))
(assert_return (invoke "crc8" (i32.const 0) (i32.const 0x31)) (i32.const 54465))
(assert_return (invoke "crc8" (i32.const 0xFFFF) (i32.const 0x31)) (i32.const 38014))
(assert_return (invoke "sel_xor_sign" (i32.const 1) (i32.const 2) (i32.const 0x80000000) (i32.const 0))
  (i32.const 1))
(assert_return (invoke "sel_xor_sign" (i32.const 1) (i32.const 2) (i32.const 0x80000000) (i32.const 0x80000000))
  (i32.const 2))
(assert_return (invoke "sel_xor_sign" (i32.const 1) (i32.const 2) (i32.const 0x7FFFFFFF) (i32.const 0))
  (i32.const 2))
(assert_return (invoke "sel_xor_i64" (i64.const -1) (i64.const 0x100000000) (i32.const 4) (i32.const 0))
  (i64.const -1))
(assert_return (invoke "sel_xor_i64" (i64.const -1) (i64.const 0x100000000) (i32.const 4) (i32.const 4))
  (i64.const 0x100000000))
(assert_return (invoke "sel_xor_f32" (f32.const 1.5) (f32.const -0.0) (i32.const 0) (i32.const 8))
  (f32.const 1.5))
(assert_return (invoke "sel_xor_f32" (f32.const 1.5) (f32.const -0.0) (i32.const 1) (i32.const 8))
  (f32.const -0.0))
(assert_return (invoke "sel_xor_f64" (f64.const nan:0x4) (f64.const 2.0) (i32.const 3) (i32.const 2))
  (f64.const nan:0x4))
(assert_return (invoke "sel_xor_f64" (f64.const nan:0x4) (f64.const 2.0) (i32.const 3) (i32.const 1))
  (f64.const 2.0))
(assert_return (invoke "sel_xor_twice" (i32.const 6) (i32.const 3)) (i32.const 105))
(assert_return (invoke "sel_xor_twice" (i32.const 6) (i32.const 2)) (i32.const 204))
(assert_return (invoke "sel_xor_label" (i32.const 1) (i32.const 0)) (i32.const 7))
(assert_return (invoke "sel_xor_label" (i32.const 1) (i32.const 1)) (i32.const 9))

(assert_return (invoke "switch" (i32.const 32)) (i32.const 10))
(assert_return (invoke "switch" (i32.const 33)) (i32.const 11))
(assert_return (invoke "switch" (i32.const 34)) (i32.const 12))
(assert_return (invoke "switch" (i32.const 35)) (i32.const 11))
(assert_return (invoke "switch" (i32.const 36)) (i32.const 13))
(assert_return (invoke "switch" (i32.const 37)) (i32.const 13))
(assert_return (invoke "switch" (i32.const 31)) (i32.const 13))
(assert_return (invoke "switch" (i32.const 0)) (i32.const 13))
(assert_return (invoke "switch" (i32.const -1)) (i32.const 13))
(assert_return (invoke "switch" (i32.const 0x80000020)) (i32.const 13))
(assert_return (invoke "switch_value" (i32.const -5)) (i32.const 50))
(assert_return (invoke "switch_value" (i32.const -4)) (i32.const 51))
(assert_return (invoke "switch_value" (i32.const -3)) (i32.const 50))
(assert_return (invoke "switch_value" (i32.const -6)) (i32.const 50))
(assert_return (invoke "switch_value" (i32.const 0x7FFFFFFF)) (i32.const 50))
(assert_return (invoke "switch_twice" (i32.const -1)) (i32.const 0))
(assert_return (invoke "switch_twice" (i32.const 0)) (i32.const 101))
(assert_return (invoke "switch_twice" (i32.const 5)) (i32.const 106))
(assert_return (invoke "switch_label" (i32.const -2)) (i32.const 21))
(assert_return (invoke "switch_label" (i32.const -1)) (i32.const 20))
(assert_return (invoke "switch_label" (i32.const 0)) (i32.const 20))
(assert_return (invoke "crc_step_d1" (i32.const 6) (i32.const 0)) (i32.const 0xA002))
(assert_return (invoke "crc_step_d1" (i32.const 4) (i32.const 0)) (i32.const 2))
(assert_return (invoke "crc_step_d1" (i32.const 4) (i32.const 8)) (i32.const 0xA003))
(assert_return (invoke "crc_step_d1" (i32.const 0xFFFFFFFF) (i32.const 0xFFFFFFFF)) (i32.const 0x7FFFFFFF))
(assert_return (invoke "crc_step_label" (i32.const 6) (i32.const 0)) (i32.const 0xA002))
(assert_return (invoke "crc_step_label" (i32.const 4) (i32.const 8)) (i32.const 0xA003))
(assert_return (invoke "crc_step_label" (i32.const 0xFFFFFFFF) (i32.const 0xFFFFFFFF)) (i32.const 0x7FFFFFFF))

;; A 16-bit CRC as CoreMark writes it: the shift masked to 15 bits before the
;; xor with the polynomial (I32_SHR_U_AND_K_XOR_K), and with the select on the
;; tested bit after it (I32_SHR_U_AND_K_XOR_K_SELECT). Edge cases as above: the
;; tee'd local read again, shift counts mod 32, masks 0 and all ones, the shift
;; writing its own operand's local, a label between (not fused), f64 arms.
;; Expected values from wabt's spectest-interp.
(module
  ;; ((crc >> 1) & 0x7fff) ^ poly, tee'd: I32_SHR_U_AND_K_XOR_K; the local
  ;; read again afterwards.
  (func (export "mshr_xor_tee") (param i32) (result i32) (local i32)
    (i32.add
      (i32.mul (i32.xor (local.tee 1 (i32.and (i32.shr_u (local.get 0) (i32.const 1)) (i32.const 0x7fff)))
                        (i32.const 0xA001))
               (i32.const 0x10000))
      (local.get 1)))
  ;; Shift counts mod 32, the masks 0 and all ones, the constant first.
  (func (export "mshr_xor_33") (param i32) (result i32)
    (i32.xor (i32.const 0x5A5A) (i32.and (i32.shr_u (local.get 0) (i32.const 33)) (i32.const 0xF0F0))))
  (func (export "mshr_xor_0") (param i32) (result i32)
    (i32.xor (i32.and (i32.shr_u (local.get 0) (i32.const 0)) (i32.const 0)) (i32.const -1)))
  (func (export "mshr_xor_all") (param i32) (result i32)
    (i32.xor (i32.and (i32.shr_u (local.get 0) (i32.const 31)) (i32.const -1)) (i32.const 0x80000000)))
  ;; The shift writes the local its own operand is: x = (x >> 4) & 0xff; x ^ k.
  (func (export "mshr_xor_self") (param i32) (result i32)
    (i32.add (i32.xor (local.tee 0 (i32.and (i32.shr_u (local.get 0) (i32.const 4)) (i32.const 0xff)))
                      (i32.const 0x3C))
             (i32.mul (local.get 0) (i32.const 0x100))))
  ;; A loop label between the masked shift and the xor: not fused.
  (func (export "mshr_xor_label") (param i32) (result i32) (local i32 i32)
    (local.set 1 (i32.and (i32.shr_u (local.get 0) (i32.const 1)) (i32.const 0x7fff)))
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.xor (local.get 1) (i32.const 3))))
      (local.set 1 (i32.const 16))
      (br_if $l (i32.lt_u (local.get 2) (i32.const 100))))
    (local.get 2))
  ;; A 16-bit CRC's step as CoreMark's crcu8 writes it: the three as one
  ;; (I32_SHR_U_AND_K_XOR_K_SELECT), four steps, the first bit unshifted.
  (func (export "mcrc4") (param i32 i32) (result i32) (local i32)
    (local.set 0 (select (i32.xor (local.tee 2 (i32.and (i32.shr_u (local.get 0) (i32.const 1)) (i32.const 0x7fff))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (local.get 1)) (i32.const 1))))
    (local.set 0 (select (i32.xor (local.tee 2 (i32.and (i32.shr_u (local.get 0) (i32.const 1)) (i32.const 0x7fff))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 1))) (i32.const 1))))
    (local.set 0 (select (i32.xor (local.tee 2 (i32.and (i32.shr_u (local.get 0) (i32.const 1)) (i32.const 0x7fff))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 2))) (i32.const 1))))
    (local.set 0 (select (i32.xor (local.tee 2 (i32.and (i32.shr_u (local.get 0) (i32.const 1)) (i32.const 0x7fff))) (i32.const 0xA001))
      (local.get 2) (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 3))) (i32.const 1))))
    (local.get 0))
  ;; f64 arms: the select copies all 8 bytes.
  (func (export "mcrc_f64") (param i32 i32 f64) (result f64) (local i32)
    (local.set 3 (i32.xor (i32.and (i32.shr_u (local.get 0) (i32.const 1)) (i32.const 0x7fff)) (i32.const 0xA001)))
    (select (local.get 2) (f64.convert_i32_u (local.get 3))
            (i32.and (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 2))) (i32.const 1))))
)
(assert_return (invoke "mshr_xor_tee" (i32.const 65535)) (i32.const -536969217))
(assert_return (invoke "mshr_xor_tee" (i32.const 4660)) (i32.const -1457845990))
(assert_return (invoke "mshr_xor_tee" (i32.const -1)) (i32.const -536969217))
(assert_return (invoke "mshr_xor_33" (i32.const 4294967295)) (i32.const 43690))
(assert_return (invoke "mshr_xor_33" (i32.const 305419896)) (i32.const 31338))
(assert_return (invoke "mshr_xor_0" (i32.const 4660)) (i32.const -1))
(assert_return (invoke "mshr_xor_all" (i32.const -1)) (i32.const -2147483647))
(assert_return (invoke "mshr_xor_all" (i32.const 2147483647)) (i32.const -2147483648))
(assert_return (invoke "mshr_xor_self" (i32.const 4660)) (i32.const 8991))
(assert_return (invoke "mshr_xor_self" (i32.const -1)) (i32.const 65475))
(assert_return (invoke "mshr_xor_label" (i32.const 4660)) (i32.const 2329))
(assert_return (invoke "mshr_xor_label" (i32.const 0)) (i32.const 117))
(assert_return (invoke "mcrc4" (i32.const 0) (i32.const 0)) (i32.const 0))
(assert_return (invoke "mcrc4" (i32.const 65535) (i32.const 5)) (i32.const 30719))
(assert_return (invoke "mcrc4" (i32.const 4660) (i32.const 10)) (i32.const 35106))
(assert_return (invoke "mcrc4" (i32.const -1) (i32.const -1)) (i32.const 4095))
(assert_return (invoke "mcrc_f64" (i32.const 1) (i32.const 0) (f64.const -0x1.8p+3)) (f64.const -0x1.8p+3))
(assert_return (invoke "mcrc_f64" (i32.const 1) (i32.const 4) (f64.const -0x1.8p+3)) (f64.const 40961))
