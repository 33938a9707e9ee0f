;; wasi-threads: the module imports a host function besides WASI, which the
;; embedder defines in each thread's runtime (wm_wasi_threads_options.setup);
;; the thread stores what it returns, main exits with it. If the spawn
;; fails, main exits with the negated error.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "answer" (func $answer (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param i32 i32)
    (i32.atomic.store (i32.const 8) (call $answer))
    (i32.atomic.store (i32.const 0) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func (export "_start")
    (local $r i32)
    (local.set $r (call $spawn (i32.const 0)))
    (if (i32.lt_s (local.get $r) (i32.const 0))
      (then (call $exit (i32.sub (i32.const 0) (local.get $r)))))
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
    (call $exit (i32.atomic.load (i32.const 8)))))
