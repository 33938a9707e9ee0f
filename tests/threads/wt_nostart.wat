;; wasi-threads: no wasi_thread_start export, so thread-spawn fails; main
;; exits with the negated result (EINVAL, 28).
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "_start")
    (call $exit (i32.sub (i32.const 0) (call $spawn (i32.const 0))))))
