;; wasi-threads: main spawns threads that wait forever until thread-spawn
;; fails, then exits with 10 * (threads made) + the negated error: with at
;; most 2 threads, 26 (EAGAIN is 6). The exit stops the waiting threads.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param i32 i32)
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))
  (func (export "_start")
    (local $n i32) (local $r i32)
    (block $failed
      (loop $more
        (local.set $r (call $spawn (i32.const 0)))
        (br_if $failed (i32.lt_s (local.get $r) (i32.const 0)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $more (i32.lt_u (local.get $n) (i32.const 1000)))))
    (call $exit (i32.sub (i32.mul (local.get $n) (i32.const 10)) (local.get $r)))))
