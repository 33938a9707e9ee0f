;; For the CLI tests (tests/CMakeLists.txt): an exception that escapes, its
;; tag exported under a name, and one that is caught.
;; compare.sh: skip -- wat2wasm 1.0.32 has the legacy try, not try_table.
(module
  (tag $e (export "boom") (param i32))
  (tag $quiet)
  (func (export "throw") (param i32) (result i32) (throw $e (local.get 0)))
  (func (export "throw_quiet") (throw $quiet))
  (func (export "caught") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw $e (i32.const 12)))
      (i32.const -1)))
)
