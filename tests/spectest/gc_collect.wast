;; The collector (src/collect.c), run with --max-gc-bytes 1M in the four
;; loop modes: garbage many times the budget is reclaimed, and what stack
;; slots, globals (anyref and externref), tables, element segments,
;; exceptions, arrays and other objects name survives with its contents.
;; Garbage includes boxes of the kept objects' own type and size, so a kept
;; object freed by mistake is soon overwritten with -1 (and ASan reports it).
(module
  (type $box (struct (field (mut i32))))
  (type $node (struct (field i32) (field (mut (ref null $node)))))
  (type $bytes (array (mut i8)))
  (type $refs (array (mut anyref)))
  (tag $e (param (ref null $box)))
  (global $g (mut (ref null $box)) (ref.null $box))
  (global $ext (mut externref) (ref.null extern))
  (global $ex (mut exnref) (ref.null exn))
  (global $list (mut (ref null $node)) (ref.null $node))
  (global $arr (mut (ref null $refs)) (ref.null $refs))
  (table $t 2 (ref null $box))
  (elem $seg (ref null $box) (item (struct.new $box (i32.const 77))))

  ;; n rounds of a 64 KiB array and 16 boxes of -1 that nothing keeps.
  (func $garbage (export "garbage") (param $n i32)
    (local $k i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (drop (array.new_default $bytes (i32.const 65536)))
        (local.set $k (i32.const 16))
        (loop $b
          (drop (struct.new $box (i32.const -1)))
          (br_if $b (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))

  ;; A local (a stack slot) keeps its object across a callee's garbage.
  (func (export "on_stack") (param $v i32) (result i32)
    (local $b (ref null $box))
    (local.set $b (struct.new $box (local.get $v)))
    (call $garbage (i32.const 64))
    (struct.get $box 0 (local.get $b)))

  ;; An operand below a call's arguments keeps its object too.
  (func $id (param i32) (result i32) (call $garbage (i32.const 64)) (local.get 0))
  (func (export "operand") (param $v i32) (result i32)
    (struct.get $box 0
      (select (result (ref null $box))
        (struct.new $box (local.get $v))
        (ref.null $box)
        (call $id (i32.const 1)))))

  (func (export "keep_global") (param i32) (global.set $g (struct.new $box (local.get 0))))
  (func (export "read_global") (result i32) (struct.get $box 0 (global.get $g)))

  (func (export "keep_extern") (param i32)
    (global.set $ext (extern.convert_any (struct.new $box (local.get 0)))))
  (func (export "read_extern") (result i32)
    (struct.get $box 0 (ref.cast (ref $box) (any.convert_extern (global.get $ext)))))

  (func (export "keep_table") (param i32) (table.set $t (i32.const 1) (struct.new $box (local.get 0))))
  (func (export "read_table") (result i32) (struct.get $box 0 (table.get $t (i32.const 1))))

  ;; The segment's object was made at instantiation; garbage since then
  ;; must not have taken it.
  (func (export "read_elem") (result i32)
    (table.init $t $seg (i32.const 0) (i32.const 0) (i32.const 1))
    (struct.get $box 0 (table.get $t (i32.const 0))))

  ;; A list of n nodes valued 1..n, kept in a global: the sum traces it.
  (func (export "make_list") (param $n i32)
    (global.set $list (ref.null $node))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (global.set $list (struct.new $node (local.get $n) (global.get $list)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))
  (func (export "sum_list") (result i32)
    (local $p (ref null $node)) (local $s i32)
    (local.set $p (global.get $list))
    (block $done
      (loop $l
        (br_if $done (ref.is_null (local.get $p)))
        (local.set $s (i32.add (local.get $s) (struct.get $node 0 (local.get $p))))
        (local.set $p (struct.get $node 1 (local.get $p)))
        (br $l)))
    (local.get $s))

  ;; An array of references keeps its elements.
  (func (export "make_array") (param $n i32)
    (local $a (ref $refs)) (local $i i32)
    (local.set $a (array.new_default $refs (local.get $n)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (array.set $refs (local.get $a) (local.get $i) (struct.new $box (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (global.set $arr (local.get $a)))
  (func (export "sum_array") (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (array.len (global.get $arr))))
        (local.set $s (i32.add (local.get $s)
          (struct.get $box 0 (ref.cast (ref $box) (array.get $refs (global.get $arr) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))

  ;; A kept exception's payload keeps its object.
  (func (export "keep_exn") (param $v i32)
    (block $c (result (ref null $box) exnref)
      (try_table (catch_ref $e $c) (throw $e (struct.new $box (local.get $v))))
      (unreachable))
    (global.set $ex)
    (drop))
  (func (export "read_exn") (result i32)
    (block $c (result (ref null $box))
      (try_table (catch $e $c) (throw_ref (global.get $ex)))
      (unreachable))
    (struct.get $box 0))

  ;; Live objects past the budget: the collector cannot help.
  (func (export "hoard") (param $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (global.set $list (struct.new $node (local.get $n) (global.get $list)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))
  (func (export "drop_list") (global.set $list (ref.null $node)))
)

;; 2,000 rounds: about 130 MB of garbage under a 1 MiB budget.
(assert_return (invoke "garbage" (i32.const 2000)))
(assert_return (invoke "on_stack" (i32.const 1234)) (i32.const 1234))
(assert_return (invoke "operand" (i32.const 4321)) (i32.const 4321))
(assert_return (invoke "keep_global" (i32.const 11)))
(assert_return (invoke "keep_extern" (i32.const 22)))
(assert_return (invoke "keep_table" (i32.const 33)))
(assert_return (invoke "keep_exn" (i32.const 44)))
(assert_return (invoke "make_list" (i32.const 10000)))
(assert_return (invoke "make_array" (i32.const 1000)))
(assert_return (invoke "garbage" (i32.const 200)))
(assert_return (invoke "read_global") (i32.const 11))
(assert_return (invoke "read_extern") (i32.const 22))
(assert_return (invoke "read_table") (i32.const 33))
(assert_return (invoke "read_exn") (i32.const 44))
(assert_return (invoke "read_elem") (i32.const 77))
(assert_return (invoke "sum_list") (i32.const 50005000))
(assert_return (invoke "sum_array") (i32.const 499500))
;; What the host does not keep goes: replacing the kept ones frees them.
(assert_return (invoke "keep_global" (i32.const 12)))
(assert_return (invoke "make_list" (i32.const 100)))
(assert_return (invoke "garbage" (i32.const 200)))
(assert_return (invoke "read_global") (i32.const 12))
(assert_return (invoke "sum_list") (i32.const 5050))
;; A live list past the budget traps; dropped, the budget is whole again.
(assert_trap (invoke "hoard" (i32.const 100000)) "out of GC memory")
(assert_return (invoke "drop_list"))
(assert_return (invoke "garbage" (i32.const 100)))
(assert_return (invoke "make_list" (i32.const 10)))
(assert_return (invoke "sum_list") (i32.const 55))
;; Instantiation collects before its constant expressions make objects:
;; 800 KB of garbage, then a global's 300 KB array within the 1 MiB budget.
(module
  (type $bytes (array (mut i8)))
  (func (export "garbage") (param $n i32)
    (loop $l
      (drop (array.new_default $bytes (i32.const 100000)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
(assert_return (invoke "garbage" (i32.const 8)))
(module
  (type $bytes (array (mut i8)))
  (global $g (ref $bytes) (array.new_default $bytes (i32.const 300000)))
  (func (export "len") (result i32) (array.len (global.get $g))))
(assert_return (invoke "len") (i32.const 300000))
