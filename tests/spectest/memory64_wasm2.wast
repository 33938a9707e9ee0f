;; Under WebAssembly 2.0's rules (`spectest --wasm2`, WM_MODULE_WASM2) the
;; limits flags of 64-bit memories and tables (4, 5) are malformed, as 2.0's
;; decoder reads them: a flags byte over 1 (3 for a shared memory).
(module binary "\00asm" "\01\00\00\00" "\05\03\01\00\00")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\05\03\01\04\00")
  "integer too large")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\05\04\01\05\00\01")
  "integer too large")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\04\04\01\70\04\00")
  "integer too large")
(assert_malformed (module quote "(memory i64 1)") "integer too large")
