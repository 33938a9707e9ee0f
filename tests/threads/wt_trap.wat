;; wasi-threads: a spawned thread traps (unreachable) while the main thread
;; waits with no timeout: the trap is the process's outcome.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func $boom (unreachable))
  (func (export "wasi_thread_start") (param i32 i32)
    (call $boom))
  (func (export "_start")
    (if (i32.le_s (call $spawn (i32.const 0)) (i32.const 0)) (then unreachable))
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
    unreachable))
