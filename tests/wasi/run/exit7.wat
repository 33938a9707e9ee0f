;; SPDX-License-Identifier: MIT
;; _start ends with proc_exit(7): wm_wasi_run returns 0, exit code 7.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 7)) (unreachable)))
