;; cli.wast -- the module the CLI tests in tests/CMakeLists.txt call
;; (cli.0.wasm), checked here too.
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "fmul") (param f64 f64) (result f64) (f64.mul (local.get 0) (local.get 1)))
)
(assert_return (invoke "add" (i32.const 0x7fffffff) (i32.const 1)) (i32.const 0x80000000))
(assert_return (invoke "div" (i32.const 7) (i32.const -2)) (i32.const -3))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_return (invoke "fmul" (f64.const 1.5) (f64.const 2)) (f64.const 3))

;; cli.1.wasm: what `wasmem inspect` lists beyond imports and exports.
(module
  (memory 1 3)
  (table 2 funcref)
  (global (mut i64) (i64.const 5))
  (func $f)
  (start $f)
  (data (i32.const 16) "hello")
  (data "xy")
  (elem (i32.const 0) func $f)
  (elem declare func $f)
)
