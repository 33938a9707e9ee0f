;; wasi-threads: a spawned thread loops forever (no wait, no WASI call);
;; main returns from _start after 50 ms. Only a metered thread can be
;; stopped (or the process ended).
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param i32 i32)
    (loop $forever (br $forever)))
  (func (export "_start")
    (if (i32.le_s (call $spawn (i32.const 0)) (i32.const 0)) (then unreachable))
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 50000000)))))
