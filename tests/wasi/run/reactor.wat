;; SPDX-License-Identifier: MIT
;; No _start (a reactor): WM_ENOT_FOUND.
(module
  (memory (export "memory") 1)
  (func (export "_initialize")))
