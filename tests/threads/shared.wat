;; SPDX-License-Identifier: MIT
;; shared.wat -- the module test_threads.c loads once and instantiates on
;; every thread: arithmetic, per-instance state, traps, and re-entry
;; through its host import cb (whose host function calls down again).
(module
  (import "env" "cb" (func $cb (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $count (mut i32) (i32.const 0))
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0
    i32.const 2
    i32.lt_u
    if (result i32)
      local.get 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $fib
      local.get 0
      i32.const 2
      i32.sub
      call $fib
      i32.add
    end)
  ;; Adds to this instance's counter in memory and in a global.
  (func (export "bump") (param i32) (result i32)
    i32.const 16
    i32.const 16
    i32.load
    local.get 0
    i32.add
    i32.store
    global.get $count
    i32.const 1
    i32.add
    global.set $count
    i32.const 16
    i32.load)
  (func (export "count") (result i32) global.get $count)
  (func (export "div") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.div_s)
  (func (export "load") (param i32) (result i32)
    local.get 0
    i32.load)
  (func (export "down") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 100
    else
      local.get 0
      i32.const 1
      i32.sub
      call $cb
    end))
