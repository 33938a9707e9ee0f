;; SPDX-License-Identifier: MIT
;; epipe.wat -- writes 4 KiB blocks to stdout until fd_write fails, then
;; exits with that errno: under `wasmem run ... | head -c 1` it must be
;; EPIPE (64), not wasmem killed by SIGPIPE.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\00\10\00\00") ;; one iovec: 4096 bytes at 16
  (func (export "_start") (local $e i32)
    (loop $more
      (local.set $e (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br_if $more (i32.eqz (local.get $e))))
    (call $exit (local.get $e))))
