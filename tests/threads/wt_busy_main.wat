;; wasi-threads: main loops forever after spawning a thread that calls
;; proc_exit(3) 50 ms later: a metered main thread stops, exit status 3.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param i32 i32)
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 50000000)))
    (call $exit (i32.const 3)))
  (func (export "_start")
    (if (i32.le_s (call $spawn (i32.const 0)) (i32.const 0)) (then unreachable))
    (loop $forever (br $forever))))
