;; Compiled code holding a GC object (through an externref in a C local)
;; while a compiled callee, entered through the runtime, allocates enough
;; garbage to collect: the collection reads the caller's compiled frames
;; (collect.c), and the object must survive (tests/aot, run with `wasmem
;; spectest --aot`: both modules compiled).
(module $objs
  (type $box (struct (field i32)))
  (func (export "make") (param i32) (result externref)
    (extern.convert_any (struct.new $box (local.get 0))))
  (func (export "garbage") (param $n i32)
    (loop $l
      (drop (struct.new $box (i32.const -1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
  (func (export "read") (param externref) (result i32)
    (struct.get $box 0 (ref.cast (ref $box) (any.convert_extern (local.get 0))))))
(register "objs" $objs)
(module $user
  (import "objs" "make" (func $make (param i32) (result externref)))
  (import "objs" "garbage" (func $garbage (param i32)))
  (import "objs" "read" (func $read (param externref) (result i32)))
  (func (export "hold") (param i32) (result i32) (local externref)
    (local.set 1 (call $make (local.get 0)))
    (call $garbage (i32.const 200000))
    (call $read (local.get 1))))
(assert_return (invoke $user "hold" (i32.const 1000)) (i32.const 1000))
(assert_return (invoke $user "hold" (i32.const -5)) (i32.const -5))
