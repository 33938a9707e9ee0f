;; SPDX-License-Identifier: MIT
;; The harness's SIMD conventions (run.sh --simd), checked against V8's
;; output (simd_harness.out): log-v128 prints every bit of its vector; a
;; function with a v128 parameter or result cannot be called from JS (a host
;; exception, from the harness and through call-export, before it runs); an
;; exported v128 global reads as an exception.
(module
  (import "fuzzing-support" "log-i32" (func $log-i32 (param i32)))
  (import "fuzzing-support" "log-v128" (func $log-v128 (param v128)))
  (import "fuzzing-support" "call-export" (func $call-export (param i32 i32)))
  (import "fuzzing-support" "call-export-catch" (func $call-export-catch (param i32) (result i32)))
  (global $gv (mut v128) (v128.const i32x4 1 -2 0x7fffffff 0x80000000))
  (global $count (mut i32) (i32.const 0))
  ;; Export 0 takes a v128, export 1 returns one: neither runs from JS.
  (func (export "takes_v128") (param v128)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (call $log-v128 (local.get 0)))
  (func (export "returns_v128") (result v128)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (global.get $gv))
  (export "global_v128" (global $gv))
  (func (export "logs")
    (call $log-v128 (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1))
    (call $log-v128 (f32x4.splat (f32.const -0)))
    (call $log-v128 (f64x2.splat (f64.const nan:0x8000000000001)))
    (call $log-v128 (i16x8.add_sat_s (global.get $gv) (v128.const i16x8 -32768 1 2 3 4 5 6 32767)))
    (global.set $gv (i32x4.mul (global.get $gv) (global.get $gv)))
    (call $log-v128 (global.get $gv)))
  (func (export "catches")
    (call $log-i32 (call $call-export-catch (i32.const 0)))
    (call $log-i32 (call $call-export-catch (i32.const 1)))
    (call $log-i32 (call $call-export-catch (i32.const 2)))
    (call $log-i32 (global.get $count)))
  (func (export "throws")
    (call $call-export (i32.const 1) (i32.const 0))
    (call $log-i32 (i32.const 99)))
  (func (export "count") (result i32) (global.get $count)))
