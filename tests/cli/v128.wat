;; SPDX-License-Identifier: MIT
;; v128 arguments and results of `wasmem call` and `run --invoke` (v128.sh).
(module
  (func (export "id") (param v128) (result v128) (local.get 0))
  ;; Bytes 0..15 in memory order: read in each shape, this shows the lane
  ;; order and the little-endian lanes without trusting our own parser.
  (func (export "bytes") (result v128)
    (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))
  (func (export "swap") (param v128 i32) (result i32 v128) (local.get 1) (local.get 0)))
