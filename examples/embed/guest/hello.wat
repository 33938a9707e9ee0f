;; SPDX-License-Identifier: MIT
;; hello.wat -- the guest of hello.c: it imports the host's `log` (a
;; pointer and a length in its memory) and exports `greet`, which logs a
;; greeting and returns its argument doubled.
(module
  (import "host" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello from wasm!")
  (func (export "greet") (param $n i32) (result i32)
    (call $log (i32.const 16) (i32.const 16))
    (i32.mul (local.get $n) (i32.const 2))))
