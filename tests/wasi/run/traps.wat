;; SPDX-License-Identifier: MIT
;; _start traps: wm_wasi_run returns the trap.
(module
  (memory (export "memory") 1)
  (func (export "_start") (unreachable)))
