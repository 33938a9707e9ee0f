;; Lowering regression tests of two fusions: an i32 xor/or of a value shifted or rotated by a
;; constant (I32_XOR_SHL_K ... I32_OR_SHR_U_K) and a table lookup i32.load((x << k) + imm)
;; (I32_LOAD_SHL_K). Each with the shifted
;; value as either operand, shift counts of 32 and more (wasm counts mod 32), address arithmetic
;; that wraps at 2^32, out-of-bounds loads, and a label between the two instructions (no fusion:
;; the value that reaches the second may come from a branch).
(module
  (memory 1)
  (data (i32.const 16) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")
  (data (i32.const 65528) "\aa\bb\cc\dd\11\22\33\44")

  ;; --- xor/or of a shifted value ---------------------------------------
  (func (export "xor_shl") (param i32 i32) (result i32)
    (i32.xor (local.get 0) (i32.shl (local.get 1) (i32.const 5))))
  (func (export "xor_shr_u") (param i32 i32) (result i32)
    (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 8))))
  (func (export "xor_rotl") (param i32 i32) (result i32)
    (i32.xor (local.get 0) (i32.rotl (local.get 1) (i32.const 7))))
  (func (export "xor_rotr") (param i32 i32) (result i32)
    (i32.xor (local.get 0) (i32.rotr (local.get 1) (i32.const 7))))
  (func (export "or_shl") (param i32 i32) (result i32)
    (i32.or (local.get 0) (i32.shl (local.get 1) (i32.const 8))))
  (func (export "or_shr_u") (param i32 i32) (result i32)
    (i32.or (local.get 0) (i32.shr_u (local.get 1) (i32.const 24))))
  ;; The shifted value first, the other operand pushed after it.
  (func (export "shr_u_xor") (param i32 i32) (result i32)
    (i32.xor (i32.shr_u (local.get 1) (i32.const 8)) (local.get 0)))
  (func (export "shl_or") (param i32 i32) (result i32)
    (i32.or (i32.shl (local.get 1) (i32.const 8)) (local.get 0)))
  ;; Counts of 32 and more are taken mod 32.
  (func (export "xor_shl_33") (param i32 i32) (result i32)
    (i32.xor (local.get 0) (i32.shl (local.get 1) (i32.const 33))))
  (func (export "xor_shr_u_40") (param i32 i32) (result i32)
    (i32.xor (local.get 0) (i32.shr_u (local.get 1) (i32.const 40))))
  (func (export "xor_rotl_32") (param i32 i32) (result i32)
    (i32.xor (local.get 0) (i32.rotl (local.get 1) (i32.const 32))))
  ;; The same local on both sides: x ^ (x >> 3), and a result written back to it.
  (func (export "self") (param i32) (result i32)
    (local.set 0 (i32.xor (local.get 0) (i32.shr_u (local.get 0) (i32.const 3))))
    (local.get 0))
  ;; A chain, as in SHA-256's sigma functions.
  (func (export "sigma") (param i32) (result i32)
    (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 30)) (i32.rotl (local.get 0) (i32.const 19)))
             (i32.rotl (local.get 0) (i32.const 10))))
  ;; A CRC-32 step: c = table[(c ^ b) & 255] ^ (c >> 8), over the table at 16.
  (func (export "crc_step") (param i32 i32) (result i32)
    (i32.xor
      (i32.load offset=16
        (i32.shl (i32.and (i32.xor (local.get 0) (local.get 1)) (i32.const 3)) (i32.const 2)))
      (i32.shr_u (local.get 0) (i32.const 8))))
  ;; The shift is the last instruction before a label that a branch with another value
  ;; reaches: the xor must use the block's value, whichever path gave it.
  (func (export "label_xor") (param i32 i32 i32) (result i32)
    (i32.xor (local.get 0)
      (block (result i32)
        (br_if 0 (i32.const 7) (local.get 2))
        (drop)
        (i32.shr_u (local.get 1) (i32.const 4)))))
  ;; The shifted value is also kept in a local (tee): both uses see it.
  (func (export "tee") (param i32 i32) (result i32)
    (local i32)
    (i32.add
      (i32.xor (local.get 0) (local.tee 2 (i32.shr_u (local.get 1) (i32.const 4))))
      (local.get 2)))

  ;; --- table lookups ---------------------------------------------------
  (func (export "lookup") (param i32) (result i32)
    (i32.load offset=0 (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 16))))
  (func (export "lookup_off") (param i32) (result i32)
    (i32.load offset=4 (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 12))))
  ;; No displacement: the shift feeds the load itself.
  (func (export "lookup_plain") (param i32) (result i32)
    (i32.load offset=16 (i32.shl (local.get 0) (i32.const 2))))
  ;; A shift count of 34 is 2.
  (func (export "lookup_34") (param i32) (result i32)
    (i32.load (i32.add (i32.shl (local.get 0) (i32.const 34)) (i32.const 16))))
  ;; (x << 2) + imm wraps at 2^32 as the i32.add does; the memarg offset is added after.
  (func (export "lookup_wrap") (param i32) (result i32)
    (i32.load offset=8 (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const -4))))
  ;; A label between the shift and the add: the address may come from the branch.
  (func (export "lookup_label") (param i32 i32) (result i32)
    (i32.load
      (i32.add
        (block (result i32)
          (br_if 0 (i32.const 4) (local.get 1))
          (drop)
          (i32.shl (local.get 0) (i32.const 2)))
        (i32.const 16))))
  ;; The shifted index also kept in a local: no fusion, both uses see it.
  (func (export "lookup_tee") (param i32) (result i32)
    (local i32)
    (i32.add
      (i32.load (i32.add (local.tee 1 (i32.shl (local.get 0) (i32.const 2))) (i32.const 16)))
      (local.get 1)))
  ;; The loaded value written straight to a local, then used.
  (func (export "lookup_set") (param i32) (result i32)
    (local i32)
    (local.set 1 (i32.load (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 16))))
    (i32.mul (local.get 1) (i32.const 10)))
)

(assert_return (invoke "xor_shl" (i32.const 0xff) (i32.const 0x08000001)) (i32.const 0xdf))
(assert_return (invoke "xor_shr_u" (i32.const 1) (i32.const 0x80000000)) (i32.const 0x00800001))
(assert_return (invoke "xor_rotl" (i32.const 0) (i32.const 0x82000001)) (i32.const 0x000000c1))
(assert_return (invoke "xor_rotr" (i32.const 0) (i32.const 0x00000181)) (i32.const 0x02000003))
(assert_return (invoke "or_shl" (i32.const 0x0f) (i32.const 0x12345678)) (i32.const 0x3456780f))
(assert_return (invoke "or_shr_u" (i32.const 0x100) (i32.const 0xab000000)) (i32.const 0x1ab))
(assert_return (invoke "shr_u_xor" (i32.const 1) (i32.const 0x80000000)) (i32.const 0x00800001))
(assert_return (invoke "shl_or" (i32.const 0x0f) (i32.const 0x12345678)) (i32.const 0x3456780f))
(assert_return (invoke "xor_shl_33" (i32.const 0) (i32.const 0x80000003)) (i32.const 6))
(assert_return (invoke "xor_shr_u_40" (i32.const 0) (i32.const 0x80000000)) (i32.const 0x00800000))
(assert_return (invoke "xor_rotl_32" (i32.const 1) (i32.const 0x12345678)) (i32.const 0x12345679))
(assert_return (invoke "self" (i32.const 0xf0)) (i32.const 0xee))
(assert_return (invoke "sigma" (i32.const 1)) (i32.const 0x40080400))
(assert_return (invoke "sigma" (i32.const 0)) (i32.const 0))
(assert_return (invoke "crc_step" (i32.const 0x102) (i32.const 1)) (i32.const 5))
(assert_return (invoke "crc_step" (i32.const 0xaabbcc00) (i32.const 2)) (i32.const 0x00aabbcf))
(assert_return (invoke "label_xor" (i32.const 1) (i32.const 0x100) (i32.const 0)) (i32.const 0x11))
(assert_return (invoke "label_xor" (i32.const 1) (i32.const 0x100) (i32.const 1)) (i32.const 6))
(assert_return (invoke "tee" (i32.const 1) (i32.const 0x100)) (i32.const 0x21))

(assert_return (invoke "lookup" (i32.const 0)) (i32.const 1))
(assert_return (invoke "lookup" (i32.const 3)) (i32.const 4))
(assert_return (invoke "lookup_off" (i32.const 2)) (i32.const 3))
(assert_return (invoke "lookup_34" (i32.const 1)) (i32.const 2))
(assert_return (invoke "lookup_plain" (i32.const 1)) (i32.const 2))
(assert_return (invoke "lookup_plain" (i32.const 16379)) (i32.const 0x44332211))
(assert_trap (invoke "lookup_plain" (i32.const 16380)) "out of bounds memory access")
;; 0x40000000 << 2 is 0: the load reads at 16.
(assert_return (invoke "lookup_plain" (i32.const 0x40000000)) (i32.const 1))
;; 0x40000001 << 2 is 4 (mod 2^32), - 4 is 0, + 8 reads the i32 at 8 (zero).
(assert_return (invoke "lookup_wrap" (i32.const 0x40000001)) (i32.const 0))
;; 0x40000003 << 2 - 4 is 8: the load reads at 16.
(assert_return (invoke "lookup_wrap" (i32.const 0x40000003)) (i32.const 1))
;; 0 << 2 - 4 is 0xfffffffc: plus the offset 8 it is past 2^32, out of bounds (no wrap).
(assert_trap (invoke "lookup_wrap" (i32.const 0)) "out of bounds memory access")
;; (65528 >> 2) << 2 + 16 = 65544: out of bounds; one less reads the last word in full.
(assert_trap (invoke "lookup" (i32.const 16382)) "out of bounds memory access")
(assert_return (invoke "lookup" (i32.const 16379)) (i32.const 0x44332211))
(assert_trap (invoke "lookup" (i32.const 16380)) "out of bounds memory access")
(assert_trap (invoke "lookup_off" (i32.const 16380)) "out of bounds memory access")
(assert_return (invoke "lookup_off" (i32.const 16379)) (i32.const 0x44332211))
(assert_return (invoke "lookup_label" (i32.const 2) (i32.const 0)) (i32.const 3))
(assert_return (invoke "lookup_label" (i32.const 2) (i32.const 1)) (i32.const 2))
(assert_return (invoke "lookup_tee" (i32.const 1)) (i32.const 6))
(assert_return (invoke "lookup_set" (i32.const 2)) (i32.const 30))
