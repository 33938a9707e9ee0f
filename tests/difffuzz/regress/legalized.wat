;; SPDX-License-Identifier: MIT
;; What binaryen's legalize-js-interface pass (run by --fuzz-passes) leaves:
;; log-i64 taking the two halves as i32s, the high half of an i64 result
;; passed through env.setTempRet0/getTempRet0. Checked against V8's output
;; (legalized.out).
(module
  (import "env" "setTempRet0" (func $set (param i32)))
  (import "env" "getTempRet0" (func $get (result i32)))
  (import "fuzzing-support" "log-i64" (func $log-i64 (param i32 i32)))
  (import "fuzzing-support" "log-i32" (func $log-i32 (param i32)))
  (func (export "wide") (result i32)
    (call $set (i32.const -2))
    (i32.const 7))
  (func (export "log")
    (call $log-i64 (i32.const 1) (i32.const -1))
    (call $log-i32 (call $get))))
