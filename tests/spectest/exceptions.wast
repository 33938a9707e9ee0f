;; Exception handling (WebAssembly 3.0): tags, throw, throw_ref, try_table
;; and exnref, as wasmem runs them. Native only (wast2json 1.0.32 knows the
;; legacy proposal, not try_table); CMake runs it in the plain, checked,
;; metered and eager loops.

(module $lib
  (tag $e (export "e") (param i32))
  (tag $e2 (export "e2") (param i64 f64))
  (func (export "throw") (param i32) (throw $e (local.get 0)))
)
(register "lib")

(module
  (tag $e (import "lib" "e") (param i32))
  (tag $e2 (import "lib" "e2") (param i64 f64))
  (func $lib_throw (import "lib" "throw") (param i32))
  (tag $v (param v128 i32))
  (tag $none)
  (global $g (mut exnref) (ref.null exn))
  (table $t 2 exnref)

  ;; A throw three calls deep, caught by tag; the payload comes through.
  (func $d3 (param i32) (throw $e (i32.mul (local.get 0) (i32.const 3))))
  (func $d2 (param i32) (call $d3 (i32.add (local.get 0) (i32.const 1))))
  (func $d1 (param i32) (call $d2 (local.get 0)) (unreachable))
  (func (export "deep") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $d1 (local.get 0)))
      (i32.const -1)
    )
  )

  ;; Through another instance's function, and with two values.
  (func (export "other") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $lib_throw (i32.const 77)))
      (i32.const -1)
    )
  )
  (func (export "two") (result f64) (local $f f64)
    (block $h (result i64 f64)
      (try_table (catch $e2 $h) (throw $e2 (i64.const 5) (f64.const 2.5)))
      (return (f64.const -1))
    )
    (local.set $f)
    (f64.add (f64.convert_i64_s) (local.get $f))
  )
  (func (export "v128") (result i32) (local $x i32)
    (block $h (result v128 i32)
      (try_table (catch $v $h) (throw $v (v128.const i32x4 1 2 3 4) (i32.const 10)))
      (return (i32.const -1))
    )
    (local.set $x)
    (i32.add (i32x4.extract_lane 3) (local.get $x))
  )

  ;; catch_all takes any tag; the first matching clause wins.
  (func (export "all") (param i32) (result i32)
    (block $a
      (block $b (result i32)
        (try_table (catch $e $b) (catch_all $a)
          (if (local.get 0) (then (throw $none)) (else (throw $e (i32.const 5))))
        )
        (return (i32.const -1))
      )
      (return)
    )
    (i32.const 100)
  )

  ;; Nested try_tables: the inner one catches only $none, the outer $e.
  (func (export "nested") (param i32) (result i32)
    (block $outer (result i32)
      (try_table (catch $e $outer)
        (block $inner
          (try_table (catch $none $inner)
            (if (local.get 0) (then (throw $none)) (else (throw $e (i32.const 1))))
          )
        )
        (return (i32.const 2))
      )
      (i32.const -1)
    )
  )

  ;; catch_ref keeps the exception: rethrown with throw_ref, caught again.
  (func (export "rethrow") (result i32)
    (block $h2 (result i32)
      (try_table (catch $e $h2)
        (block $h1 (result i32 exnref)
          (try_table (catch_ref $e $h1) (throw $e (i32.const 9)))
          (unreachable)
        )
        (throw_ref)
      )
      (i32.const -1)
    )
  )

  ;; exnref in a local, a global and a table, rethrown later.
  (func $catch_ref (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $e (i32.const 42)))
      (unreachable)
    )
  )
  (func (export "store") (local $x exnref)
    (local.set $x (call $catch_ref))
    (global.set $g (local.get $x))
    (table.set $t (i32.const 1) (local.get $x))
  )
  (func (export "from_global") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (global.get $g)))
      (i32.const -1)
    )
  )
  (func (export "from_table") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (table.get $t (i32.const 1))))
      (i32.const -1)
    )
  )
  (func (export "is_null") (result i32) (ref.is_null (table.get $t (i32.const 0))))
  (func (export "null") (throw_ref (ref.null exn)))

  ;; Traps are not caught.
  (func (export "trap") (result i32)
    (block $h
      (try_table (catch_all $h) (unreachable))
    )
    (i32.const 1)
  )
  (func (export "div") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (return (i32.div_u (i32.const 1) (local.get 0))))
    )
    (i32.const -1)
  )

  ;; Uncaught: outside any try_table, or a tag no clause names.
  (func (export "uncaught") (throw $e (i32.const 1)))
  (func (export "unmatched")
    (block $h (try_table (catch $none $h) (throw $e (i32.const 1))))
  )
  ;; A branch out of a try_table ends it: a later throw is not caught.
  (func (export "after")
    (block $h
      (block $out (try_table (catch_all $h) (br $out)))
      (throw $none)
    )
  )

  ;; Deep recursion: the exception unwinds 5000 frames to the catch.
  (func $rec (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 7))))
    (call $rec (i32.sub (local.get 0) (i32.const 1)))
  )
  (func (export "recursion") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $rec (i32.const 5000)))
      (i32.const -1)
    )
  )

  ;; A catch may target a loop: the payload is its parameter.
  (func (export "loop") (result i32) (local $n i32)
    (block $done (result i32)
      (i32.const 0)
      (loop $l (param i32)
        (local.set $n (i32.add (local.get $n)))
        (drop (br_if $done (local.get $n) (i32.ge_u (local.get $n) (i32.const 10))))
        (try_table (catch $e $l) (throw $e (i32.const 3)))
      )
      (unreachable)
    )
  )

  ;; try_table with params, and a result on the normal path.
  (func (export "params") (param i32) (result i32)
    (block $h (result i32)
      (local.get 0)
      (try_table (param i32) (result i32) (catch $e $h)
        (if (param i32) (result i32) (i32.eqz (local.get 0))
          (then (throw $e))
          (else (i32.add (i32.const 1)))
        )
      )
    )
  )

  ;; A catch clause whose label is the function's: returns from it.
  (func (export "to_func") (result i32)
    (try_table (catch $e 0) (throw $e (i32.const 31)))
    (i32.const -1)
  )
)

(assert_return (invoke "deep" (i32.const 4)) (i32.const 15))
(assert_return (invoke "other") (i32.const 77))
(assert_return (invoke "two") (f64.const 7.5))
(assert_return (invoke "v128") (i32.const 14))
(assert_return (invoke "all" (i32.const 0)) (i32.const 5))
(assert_return (invoke "all" (i32.const 1)) (i32.const 100))
(assert_return (invoke "nested" (i32.const 0)) (i32.const 1))
(assert_return (invoke "nested" (i32.const 1)) (i32.const 2))
(assert_return (invoke "rethrow") (i32.const 9))
(assert_return (invoke "is_null") (i32.const 1))
(assert_return (invoke "store"))
(assert_return (invoke "from_global") (i32.const 42))
(assert_return (invoke "from_table") (i32.const 42))
(assert_return (invoke "is_null") (i32.const 1))
(assert_trap (invoke "null") "null exception reference")
(assert_trap (invoke "trap") "unreachable")
(assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
(assert_return (invoke "div" (i32.const 1)) (i32.const 1))
(assert_exception (invoke "uncaught"))
(assert_exception (invoke "unmatched"))
(assert_exception (invoke "after"))
(assert_return (invoke "recursion") (i32.const 7))
(assert_return (invoke "loop") (i32.const 12))
(assert_return (invoke "params" (i32.const 0)) (i32.const 0))
(assert_return (invoke "params" (i32.const 4)) (i32.const 5))
(assert_return (invoke "to_func") (i32.const 31))
(assert_exception (invoke $lib "throw" (i32.const 3)))

;; Tags are per instance: a second instance of the same module has tags of
;; its own, which the first one's clauses do not catch.
(module $a
  (tag $t (export "t"))
  (func (export "throw") (throw $t))
)
(register "a")
(module $b
  (tag $t (export "t"))
  (func (export "throw") (throw $t))
)
(register "b")
(module
  (tag $ta (import "a" "t"))
  (func $a_throw (import "a" "throw"))
  (func $b_throw (import "b" "throw"))
  (table 2 funcref)
  (elem (i32.const 0) $a_throw $b_throw)
  (func (export "which") (param i32) (result i32)
    (block $h
      (try_table (catch $ta $h) (call_indirect (local.get 0)))
      (return (i32.const 0))
    )
    (i32.const 1)
  )
)
(assert_return (invoke "which" (i32.const 0)) (i32.const 1))
(assert_exception (invoke "which" (i32.const 1)))

;; Tag imports match by type.
(assert_unlinkable
  (module (tag (import "lib" "e") (param i64)))
  "incompatible import type"
)
(assert_unlinkable
  (module (tag (import "lib" "throw")))
  "incompatible import type"
)

;; Validation.
(assert_invalid (module (tag (result i32))) "non-empty tag result type")
(assert_invalid (module (func (throw 0))) "unknown tag 0")
(assert_invalid (module (tag (param i32)) (func (throw 0))) "type mismatch")
(assert_invalid (module (func (throw_ref (ref.null func)))) "type mismatch")
(assert_invalid (module (tag) (func (try_table (catch 1 0)))) "unknown tag 1")
(assert_invalid (module (func (try_table (catch_all 1)))) "unknown label")
(assert_invalid (module (tag (param i32)) (func (try_table (catch 0 0)))) "type mismatch")
(assert_invalid (module (func (result exnref) (try_table (catch_all 0)) (unreachable))) "type mismatch")
(assert_invalid (module (func (try_table (result i32)))) "type mismatch")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\07\01\05\00\1f\40\01\04")  ;; try_table with a catch clause of kind 4
  "malformed catch clause")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\06\01\04\00\06\40\0b")      ;; the legacy proposal's try
  "legacy exception handling not supported")
