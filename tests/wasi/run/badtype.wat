;; SPDX-License-Identifier: MIT
;; A _start that takes a parameter: WM_ETYPE.
(module
  (memory (export "memory") 1)
  (func (export "_start") (param i32)))
