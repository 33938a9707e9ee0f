;; wasi-threads: a spawned thread blocks in fd_read on stdin (a pipe nobody
;; writes); main calls proc_exit(5) after 50 ms, which must end the read.
;; Memory: 0 wait word, 100 iovec, 200 buffer, 300 count read.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param i32 i32)
    (i32.store (i32.const 100) (i32.const 200))
    (i32.store (i32.const 104) (i32.const 1))
    (drop (call $fd_read (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 300)))
    unreachable)
  (func (export "_start")
    (if (i32.le_s (call $spawn (i32.const 0)) (i32.const 0)) (then unreachable))
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 50000000)))
    (call $exit (i32.const 5))))
