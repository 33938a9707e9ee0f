;; Lowering regression tests: an i32 division or remainder by a constant k
;; (|k| >= 2) becomes one instruction (I32_DIV_S_K, I32_DIV_U_K, I32_REM_S_K,
;; I32_REM_U_K) that multiplies by a reciprocal instead of dividing. "check"
;; compares each against the plain instruction (the same op with the divisor in
;; a local, which is not a constant) over edge dividends and an LCG's, for
;; every divisor of the table: small, powers of two, 2^31, 2^32 - 2, odd large
;; ones, negative ones for the signed forms. 1 and -1, and 0 (which traps),
;; keep the plain form.
(module
  (type $q (func (param i32) (result i32 i32 i32 i32)))
  (memory 1)
  ;; the divisors, in the order of the table
  (data (i32.const 0) "\02\00\00\00\03\00\00\00\05\00\00\00\07\00\00\00\0a\00\00\00\0c\00\00\00\11\00\00\00\18\00\00\00\64\00\00\00\81\02\00\00\e8\03\00\00\ff\ff\00\00\00\00\01\00\55\55\55\55\ff\ff\ff\7f\00\00\00\80\01\00\00\80\fe\ff\ff\ff\01\00\00\00\fe\ff\ff\ff\fd\ff\ff\ff\f9\ff\ff\ff\f6\ff\ff\ff\f4\ff\ff\ff\7f\fd\ff\ff\01\00\00\80")
  (func $k0 (type $q) ;; 2
    (i32.div_s (local.get 0) (i32.const 2)) (i32.div_u (local.get 0) (i32.const 2))
    (i32.rem_s (local.get 0) (i32.const 2)) (i32.rem_u (local.get 0) (i32.const 2)))
  (func $k1 (type $q) ;; 3
    (i32.div_s (local.get 0) (i32.const 3)) (i32.div_u (local.get 0) (i32.const 3))
    (i32.rem_s (local.get 0) (i32.const 3)) (i32.rem_u (local.get 0) (i32.const 3)))
  (func $k2 (type $q) ;; 5
    (i32.div_s (local.get 0) (i32.const 5)) (i32.div_u (local.get 0) (i32.const 5))
    (i32.rem_s (local.get 0) (i32.const 5)) (i32.rem_u (local.get 0) (i32.const 5)))
  (func $k3 (type $q) ;; 7
    (i32.div_s (local.get 0) (i32.const 7)) (i32.div_u (local.get 0) (i32.const 7))
    (i32.rem_s (local.get 0) (i32.const 7)) (i32.rem_u (local.get 0) (i32.const 7)))
  (func $k4 (type $q) ;; 10
    (i32.div_s (local.get 0) (i32.const 10)) (i32.div_u (local.get 0) (i32.const 10))
    (i32.rem_s (local.get 0) (i32.const 10)) (i32.rem_u (local.get 0) (i32.const 10)))
  (func $k5 (type $q) ;; 12
    (i32.div_s (local.get 0) (i32.const 12)) (i32.div_u (local.get 0) (i32.const 12))
    (i32.rem_s (local.get 0) (i32.const 12)) (i32.rem_u (local.get 0) (i32.const 12)))
  (func $k6 (type $q) ;; 17
    (i32.div_s (local.get 0) (i32.const 17)) (i32.div_u (local.get 0) (i32.const 17))
    (i32.rem_s (local.get 0) (i32.const 17)) (i32.rem_u (local.get 0) (i32.const 17)))
  (func $k7 (type $q) ;; 24
    (i32.div_s (local.get 0) (i32.const 24)) (i32.div_u (local.get 0) (i32.const 24))
    (i32.rem_s (local.get 0) (i32.const 24)) (i32.rem_u (local.get 0) (i32.const 24)))
  (func $k8 (type $q) ;; 100
    (i32.div_s (local.get 0) (i32.const 100)) (i32.div_u (local.get 0) (i32.const 100))
    (i32.rem_s (local.get 0) (i32.const 100)) (i32.rem_u (local.get 0) (i32.const 100)))
  (func $k9 (type $q) ;; 641
    (i32.div_s (local.get 0) (i32.const 641)) (i32.div_u (local.get 0) (i32.const 641))
    (i32.rem_s (local.get 0) (i32.const 641)) (i32.rem_u (local.get 0) (i32.const 641)))
  (func $k10 (type $q) ;; 1000
    (i32.div_s (local.get 0) (i32.const 1000)) (i32.div_u (local.get 0) (i32.const 1000))
    (i32.rem_s (local.get 0) (i32.const 1000)) (i32.rem_u (local.get 0) (i32.const 1000)))
  (func $k11 (type $q) ;; 65535
    (i32.div_s (local.get 0) (i32.const 65535)) (i32.div_u (local.get 0) (i32.const 65535))
    (i32.rem_s (local.get 0) (i32.const 65535)) (i32.rem_u (local.get 0) (i32.const 65535)))
  (func $k12 (type $q) ;; 65536
    (i32.div_s (local.get 0) (i32.const 65536)) (i32.div_u (local.get 0) (i32.const 65536))
    (i32.rem_s (local.get 0) (i32.const 65536)) (i32.rem_u (local.get 0) (i32.const 65536)))
  (func $k13 (type $q) ;; 1431655765
    (i32.div_s (local.get 0) (i32.const 1431655765)) (i32.div_u (local.get 0) (i32.const 1431655765))
    (i32.rem_s (local.get 0) (i32.const 1431655765)) (i32.rem_u (local.get 0) (i32.const 1431655765)))
  (func $k14 (type $q) ;; 2147483647
    (i32.div_s (local.get 0) (i32.const 2147483647)) (i32.div_u (local.get 0) (i32.const 2147483647))
    (i32.rem_s (local.get 0) (i32.const 2147483647)) (i32.rem_u (local.get 0) (i32.const 2147483647)))
  (func $k15 (type $q) ;; 2147483648
    (i32.div_s (local.get 0) (i32.const -2147483648)) (i32.div_u (local.get 0) (i32.const -2147483648))
    (i32.rem_s (local.get 0) (i32.const -2147483648)) (i32.rem_u (local.get 0) (i32.const -2147483648)))
  (func $k16 (type $q) ;; 2147483649
    (i32.div_s (local.get 0) (i32.const -2147483647)) (i32.div_u (local.get 0) (i32.const -2147483647))
    (i32.rem_s (local.get 0) (i32.const -2147483647)) (i32.rem_u (local.get 0) (i32.const -2147483647)))
  (func $k17 (type $q) ;; 4294967294
    (i32.div_s (local.get 0) (i32.const -2)) (i32.div_u (local.get 0) (i32.const -2))
    (i32.rem_s (local.get 0) (i32.const -2)) (i32.rem_u (local.get 0) (i32.const -2)))
  (func $k18 (type $q) ;; 1
    (i32.div_s (local.get 0) (i32.const 1)) (i32.div_u (local.get 0) (i32.const 1))
    (i32.rem_s (local.get 0) (i32.const 1)) (i32.rem_u (local.get 0) (i32.const 1)))
  (func $k19 (type $q) ;; -2
    (i32.div_s (local.get 0) (i32.const -2)) (i32.div_u (local.get 0) (i32.const -2))
    (i32.rem_s (local.get 0) (i32.const -2)) (i32.rem_u (local.get 0) (i32.const -2)))
  (func $k20 (type $q) ;; -3
    (i32.div_s (local.get 0) (i32.const -3)) (i32.div_u (local.get 0) (i32.const -3))
    (i32.rem_s (local.get 0) (i32.const -3)) (i32.rem_u (local.get 0) (i32.const -3)))
  (func $k21 (type $q) ;; -7
    (i32.div_s (local.get 0) (i32.const -7)) (i32.div_u (local.get 0) (i32.const -7))
    (i32.rem_s (local.get 0) (i32.const -7)) (i32.rem_u (local.get 0) (i32.const -7)))
  (func $k22 (type $q) ;; -10
    (i32.div_s (local.get 0) (i32.const -10)) (i32.div_u (local.get 0) (i32.const -10))
    (i32.rem_s (local.get 0) (i32.const -10)) (i32.rem_u (local.get 0) (i32.const -10)))
  (func $k23 (type $q) ;; -12
    (i32.div_s (local.get 0) (i32.const -12)) (i32.div_u (local.get 0) (i32.const -12))
    (i32.rem_s (local.get 0) (i32.const -12)) (i32.rem_u (local.get 0) (i32.const -12)))
  (func $k24 (type $q) ;; -641
    (i32.div_s (local.get 0) (i32.const -641)) (i32.div_u (local.get 0) (i32.const -641))
    (i32.rem_s (local.get 0) (i32.const -641)) (i32.rem_u (local.get 0) (i32.const -641)))
  (func $k25 (type $q) ;; -2147483647
    (i32.div_s (local.get 0) (i32.const -2147483647)) (i32.div_u (local.get 0) (i32.const -2147483647))
    (i32.rem_s (local.get 0) (i32.const -2147483647)) (i32.rem_u (local.get 0) (i32.const -2147483647)))
  (table funcref (elem $k0 $k1 $k2 $k3 $k4 $k5 $k6 $k7 $k8 $k9 $k10 $k11 $k12 $k13 $k14 $k15 $k16 $k17 $k18 $k19 $k20 $k21 $k22 $k23 $k24 $k25))
  ;; mismatches at dividend a over every divisor
  (func $mism (param $a i32) (result i32)
    (local $i i32) (local $k i32) (local $n i32)
    (local $ds i32) (local $du i32) (local $rs i32) (local $ru i32)
    (loop $next
      (local.set $k (i32.load (i32.shl (local.get $i) (i32.const 2))))
      (call_indirect (type $q) (local.get $a) (local.get $i))
      (local.set $ru) (local.set $rs) (local.set $du) (local.set $ds)
      (local.set $n (i32.add (local.get $n)
        (i32.add
          (i32.add (i32.ne (local.get $ds) (i32.div_s (local.get $a) (local.get $k)))
                   (i32.ne (local.get $du) (i32.div_u (local.get $a) (local.get $k))))
          (i32.add (i32.ne (local.get $rs) (i32.rem_s (local.get $a) (local.get $k)))
                   (i32.ne (local.get $ru) (i32.rem_u (local.get $a) (local.get $k)))))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                             (i32.const 26))))
    (local.get $n))
  ;; the edges, then n dividends of an LCG, each with its neighbours
  (func (export "check") (param $n i32) (result i32) (local $x i32) (local $bad i32)
    (local.set $bad (i32.add (call $mism (i32.const 0))
      (i32.add (call $mism (i32.const 1)) (call $mism (i32.const -1)))))
    (local.set $bad (i32.add (local.get $bad) (i32.add (call $mism (i32.const 0x7fffffff))
      (i32.add (call $mism (i32.const 0x80000000)) (call $mism (i32.const 0x80000001))))))
    (local.set $bad (i32.add (local.get $bad) (i32.add (call $mism (i32.const 0xfffffffe))
      (i32.add (call $mism (i32.const 0x55555555)) (call $mism (i32.const 0xaaaaaaab))))))
    (local.set $x (i32.const 12345))
    (loop $more
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1664525)) (i32.const 1013904223)))
      (local.set $bad (i32.add (local.get $bad) (i32.add (call $mism (local.get $x))
        (i32.add (call $mism (i32.add (local.get $x) (i32.const 1)))
                 (call $mism (i32.sub (local.get $x) (i32.const 1)))))))
      ;; small dividends too, where the quotient is 0 or 1
      (local.set $bad (i32.add (local.get $bad) (call $mism (i32.shr_u (local.get $x) (i32.const 24)))))
      (br_if $more (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $bad))
  ;; spot values, each worked by hand
  (func (export "div10") (param i32) (result i32) (i32.div_u (local.get 0) (i32.const 10)))
  (func (export "rem10") (param i32) (result i32) (i32.rem_u (local.get 0) (i32.const 10)))
  (func (export "sdiv12") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const 12)))
  (func (export "srem_neg7") (param i32) (result i32) (i32.rem_s (local.get 0) (i32.const -7)))
  (func (export "sdiv_neg7") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const -7)))
  (func (export "sdiv_min") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const 0x80000000)))
  (func (export "udiv_min") (param i32) (result i32) (i32.div_u (local.get 0) (i32.const 0x80000000)))
  ;; the plain forms keep their traps
  (func (export "div0") (param i32) (result i32) (i32.div_u (local.get 0) (i32.const 0)))
  (func (export "rem0") (param i32) (result i32) (i32.rem_s (local.get 0) (i32.const 0)))
  (func (export "sdiv_m1") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const -1)))
  (func (export "srem_m1") (param i32) (result i32) (i32.rem_s (local.get 0) (i32.const -1)))
)

(assert_return (invoke "check" (i32.const 3000)) (i32.const 0))
(assert_return (invoke "div10" (i32.const 4294967295)) (i32.const 429496729))
(assert_return (invoke "rem10" (i32.const 4294967295)) (i32.const 5))
(assert_return (invoke "div10" (i32.const 9)) (i32.const 0))
(assert_return (invoke "sdiv12" (i32.const -25)) (i32.const -2))
(assert_return (invoke "sdiv12" (i32.const 0x80000000)) (i32.const -178956970))
(assert_return (invoke "srem_neg7" (i32.const -15)) (i32.const -1))
(assert_return (invoke "srem_neg7" (i32.const 15)) (i32.const 1))
(assert_return (invoke "sdiv_neg7" (i32.const 15)) (i32.const -2))
(assert_return (invoke "sdiv_neg7" (i32.const -15)) (i32.const 2))
(assert_return (invoke "sdiv_min" (i32.const 0x80000000)) (i32.const 1))
(assert_return (invoke "sdiv_min" (i32.const 0x7fffffff)) (i32.const 0))
(assert_return (invoke "udiv_min" (i32.const 0xffffffff)) (i32.const 1))
(assert_trap (invoke "div0" (i32.const 5)) "integer divide by zero")
(assert_trap (invoke "rem0" (i32.const 5)) "integer divide by zero")
(assert_trap (invoke "sdiv_m1" (i32.const 0x80000000)) "integer overflow")
(assert_return (invoke "sdiv_m1" (i32.const 7)) (i32.const -7))
(assert_return (invoke "srem_m1" (i32.const 0x80000000)) (i32.const 0))
