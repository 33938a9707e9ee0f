;; SPDX-License-Identifier: MIT
;; limits.wat -- guests for limits.sh: an endless loop, a function of known
;; cost, and a WASI-less command for `run --invoke`.
(module
  (memory (export "memory") 1)
  (func $spin (export "f") (loop $l (br $l)))
  ;; 5 instructions: costs 5 units of fuel
  (func (export "straight") (result i32)
    i32.const 1 i32.const 2 i32.add i32.const 3 i32.mul)
  ;; an endless loop one call down, for the backtrace
  (func (export "outer") (call $spin))
  ;; the same, through a start-less _start for `run`
  (func (export "_start") (call $spin))
  ;; the seed allocator convention (a bump allocator) and a function taking
  ;; a byte range that never returns: the host's blocks must still be freed
  (global $bump (mut i32) (i32.const 1024))
  (func (export "alloc") (param i32) (result i32) (local i32)
    (local.set 1 (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (local.get 0)))
    (local.get 1))
  (func (export "dealloc") (param i32 i32) (drop (local.get 0)))
  (func (export "sum_spin") (param i32 i32) (result i32) (call $spin) (i32.const 0)))
