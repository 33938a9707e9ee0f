;; SPDX-License-Identifier: MIT
;; trap_offsets.wat -- traps of several kinds two calls deep, for
;; trap_offsets.sh: each backtrace line's byte offset must be the
;; instruction that wasm-objdump shows there.
(module
  (memory 1)
  (table 2 funcref)
  (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  ;; A table lookup first (one fused instruction: the trap is the load's).
  (func $load (param i32) (result i32)
    (i32.add (i32.load offset=4 (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 16)))
             (i32.load offset=8 (local.get 0))))
  (func $indirect (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
  (func $mid (param i32 i32) (result i32)
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (block (result i32)
      (br_if 0 (call $div (local.get 0) (local.get 1)) (i32.eqz (local.get 1)))
      (drop)
      (i32.add (call $load (local.get 1)) (call $indirect (local.get 1)))))
  (func (export "outer") (param i32 i32) (result i32)
    (i32.mul (i32.const 3) (call $mid (local.get 0) (local.get 1))))
  (func (export "nop") (param i32 i32) (result i32) (local.get 0))
  ;; x[c] += 2 * x[b]: one fused instruction with two accesses, each trapping at
  ;; its own load (offset=8 for b, offset=16 for c); then q = c, c = load(c).
  (func $axpy (param i32 i32)
    (f64.store offset=16 (local.get 1)
      (f64.add (f64.mul (f64.const 2) (f64.load offset=8 (local.get 0)))
               (f64.load offset=16 (local.get 1)))))
  (func $walk (param i32) (result i32) (local i32)
    (local.set 0 (i32.load offset=40000 (local.tee 1 (local.get 0))))
    (i32.add (local.get 0) (local.get 1)))
  (func (export "fused") (param i32 i32) (result i32)
    (call $axpy (local.get 0) (local.get 1))
    (call $walk (local.get 1)))
  ;; q = p, p = load(p), store(q, r): one fused instruction whose load
  ;; traps (its store, at the same address, cannot).
  (func $xchg (param i32 i32) (result i32) (local i32)
    (local.set 0 (i32.load offset=8 (local.tee 2 (local.get 0))))
    (i32.store offset=8 (local.get 2) (local.get 1))
    (local.get 0))
  (func (export "xchg") (param i32 i32) (result i32)
    (call $xchg (local.get 0) (local.get 1)))
  ;; s + s * load(p): one fused instruction (I32_MUL_LD_ADD) that traps in
  ;; its load.
  (func $imad (param i32 i32) (result i32)
    (i32.add (local.get 1) (i32.mul (local.get 1) (i32.load offset=12 (local.get 0)))))
  (func (export "imad") (param i32 i32) (result i32)
    (call $imad (local.get 0) (local.get 1)))
  ;; x[c + j] += 2 * x[b + j], both addresses tee'd into locals: the second
  ;; add joins the fused instruction (F64_ADD_MUL_ADD_RMW), whose accesses
  ;; trap at their own loads (offset=8 for b, offset=16 for c).
  (func $mm (param i32 i32) (local i32 i32)
    (f64.store offset=16 (local.tee 2 (i32.add (local.get 1) (i32.const 0)))
      (f64.add (f64.mul (f64.const 2) (f64.load offset=8 (local.tee 3 (i32.add (local.get 0) (local.get 1)))))
               (f64.load offset=16 (local.get 2)))))
  (func (export "mm") (param i32 i32) (result i32)
    (call $mm (local.get 0) (local.get 1))
    (i32.const 0))
  ;; 100 / (b - 1) in $div1, called with the add that computes its argument
  ;; (one fused instruction, I32_ADD_K_CALL): the caller's frame names the
  ;; call, two levels deep.
  (func $div1 (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))
  (func $addcall (param i32) (result i32) (call $div1 (i32.add (local.get 0) (i32.const -1))))
  (func (export "addcall") (param i32 i32) (result i32)
    (call $addcall (i32.add (local.get 1) (i32.const 0)))))
