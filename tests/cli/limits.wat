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
  (func (export "_start") (call $spin)))
