;; Loop versioning in compiled code (src/aot/aot_vec.c): a counted loop
;; whose addresses are base + iv + k runs as a copy with 64-bit addresses
;; (which the C compiler may vectorise) when a guard at its entry proves
;; that no address wraps around 2^32 nor leaves the memory; otherwise as
;; the exact loop. Every answer here is the interpreter's too (the file
;; runs interpreted as well): addresses that wrap at the first iteration
;; (valid low memory), traps in the middle of a loop with the stores
;; before them kept, offsets, the memory's last byte, counters that miss
;; their limit, negative strides, overlapping source and destination, a
;; pointer as the counter, invariant and constant addresses.

(module
  (memory 1)
  (data (i32.const 0)
    "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00\08\00\00\00"
    "\09\00\00\00\0a\00\00\00\0b\00\00\00\0c\00\00\00\0d\00\00\00\0e\00\00\00\0f\00\00\00\10\00\00\00")
  (data (i32.const 65472)
    "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00\08\00\00\00"
    "\09\00\00\00\0a\00\00\00\0b\00\00\00\0c\00\00\00\0d\00\00\00\0e\00\00\00\0f\00\00\00\10\00\00\00")
  ;; acc += mem[base + i], i from i0 by 4 while i + 4 != n (at least once).
  (func (export "sum") (param $base i32) (param $i i32) (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (i32.load (i32.add (local.get $base) (local.get $i)))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $n))))
    (local.get $acc))
  ;; The same with offset=8 and a term read after the counter's update
  ;; (base + i + 4 after i += 4 is the old i + 8).
  (func (export "sum_off") (param $base i32) (param $i i32) (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (local.set $acc (i32.add (local.get $acc)
        (i32.load offset=8 (i32.add (i32.add (local.get $base) (local.get $i)) (i32.const 4)))))
      (br_if $l (i32.ne (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; mem[base + i] = i * 3 + 1, a store per iteration; the limit a constant.
  (func (export "fill64") (param $base i32) (param $i i32)
    (loop $l
      (i32.store (i32.add (local.get $base) (local.get $i))
        (i32.add (i32.mul (local.get $i) (i32.const 3)) (i32.const 1)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 64)))))
  ;; dst[j] += a * src[j] in f64 over n bytes (a matmul row), two bases.
  (func (export "axpy") (param $dst i32) (param $src i32) (param $a f64) (param $n i32)
    (local $j i32)
    (loop $l
      (f64.store (i32.add (local.get $dst) (local.get $j))
        (f64.add (f64.load (i32.add (local.get $dst) (local.get $j)))
          (f64.mul (local.get $a) (f64.load (i32.add (local.get $src) (local.get $j))))))
      (br_if $l (i32.ne (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $n)))))
  ;; A downward counter: i += -4 (never versioned; still exact).
  (func (export "sum_down") (param $base i32) (param $i i32) (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (i32.load (i32.add (local.get $base) (local.get $i)))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const -4))) (local.get $n))))
    (local.get $acc))
  ;; A division in the loop (may trap: never versioned).
  (func (export "div_sum") (param $base i32) (param $d i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (i32.div_u (i32.load (i32.add (local.get $base) (local.get $i))) (local.get $d))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 16))))
    (local.get $acc))
;; A pointer that is its own counter (no base), with a second access at a
  ;; loop-invariant address q (a base, no counter) and one at a constant.
  (func (export "ptr_sum") (param $p i32) (param $end i32) (param $q i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (i32.add (local.get $acc) (i32.load (local.get $p)))
        (i32.add (i32.load8_u (local.get $q)) (i32.load16_u (i32.const 65534)))))
      (br_if $l (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $end))))
    (local.get $acc))
  (func (export "ld") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "ld64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "st64") (param i32 f64) (f64.store (local.get 0) (local.get 1)))
  ;; A sum of the 8 doubles at p, as bits, after truncation to i64.
  (func (export "fsum8") (param $p i32) (result i64)
    (local $i i32) (local $acc i64)
    (loop $l
      (local.set $acc (i64.add (local.get $acc)
        (i64.trunc_sat_f64_s (f64.mul (f64.load (i32.add (local.get $p) (local.get $i))) (f64.const 1024)))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 64))))
    (local.get $acc)))

;; In bounds: the fast copy. 1 + ... + 16 = 136.
(assert_return (invoke "sum" (i32.const 0) (i32.const 0) (i32.const 64)) (i32.const 136))
(assert_return (invoke "sum" (i32.const 8) (i32.const 0) (i32.const 16)) (i32.const 18))
;; Up to the memory's last byte: 65472 + 60 + 4 = 65536.
(assert_return (invoke "sum" (i32.const 65472) (i32.const 0) (i32.const 64)) (i32.const 136))
;; One word further: the last iteration traps.
(assert_trap (invoke "sum" (i32.const 65476) (i32.const 0) (i32.const 64)) "out of bounds memory access")
;; base + i wraps at the first iteration: 0xFFFFFFF0 + 16 is address 0.
(assert_return (invoke "sum" (i32.const -16) (i32.const 16) (i32.const 48)) (i32.const 36))
;; ... and at the second: 0xFFFFFFFC traps before anything wraps.
(assert_trap (invoke "sum" (i32.const -16) (i32.const 12) (i32.const 48)) "out of bounds memory access")
;; A counter from 2^32 - 8 that wraps to 0 before its limit 8: the
;; addresses 8 + 0xFFFFFFF8 = 0 (wrapped), 4, 8, 12.
(assert_return (invoke "sum" (i32.const 8) (i32.const -8) (i32.const 8)) (i32.const 10))
(assert_return (invoke "sum" (i32.const 16) (i32.const -8) (i32.const 8)) (i32.const 18))
;; A start that misses the limit (i0 = 2, step 4, limit 64): runs until the
;; address leaves the memory.
(assert_trap (invoke "sum" (i32.const 0) (i32.const 2) (i32.const 64)) "out of bounds memory access")
;; A start equal to the limit: once around 2^32, trapping at 65536.
(assert_trap (invoke "sum" (i32.const 0) (i32.const 64) (i32.const 64)) "out of bounds memory access")
;; Offsets: base + (i + 4) + 4 + 8, i from 0 to n. 65472 - 16 + 60 + 16 = 65532.
(assert_return (invoke "sum_off" (i32.const 0) (i32.const 0) (i32.const 48)) (i32.const 126))
(assert_return (invoke "sum_off" (i32.const 65456) (i32.const 0) (i32.const 64)) (i32.const 136))
(assert_trap (invoke "sum_off" (i32.const 65460) (i32.const 0) (i32.const 64)) "out of bounds memory access")
;; The offset does not wrap: 0xFFFFFFF0 + 4 + 4 wraps to 0xFFFFFFF8, + 8 is
;; past 2^32: out of bounds.
(assert_trap (invoke "sum_off" (i32.const -16) (i32.const 4) (i32.const 64)) "out of bounds memory access")
;; ... while base + i + 4 that wraps to low memory is valid: -24 + 16 + 4 + 4 = 0, + 8.
(assert_return (invoke "sum_off" (i32.const -24) (i32.const 16) (i32.const 32)) (i32.const 18))
;; A pointer counter: 1 + ... + 16 and 16 times (mem[q] + 0, the high half of 16).
(assert_return (invoke "ptr_sum" (i32.const 0) (i32.const 64) (i32.const 65535)) (i32.const 136))
(assert_return (invoke "ptr_sum" (i32.const 0) (i32.const 64) (i32.const 4)) (i32.const 168))
;; The invariant address out of bounds: traps at the first iteration.
(assert_trap (invoke "ptr_sum" (i32.const 0) (i32.const 64) (i32.const 65536)) "out of bounds memory access")
;; The pointer reaching the memory's end in the middle of the loop.
(assert_trap (invoke "ptr_sum" (i32.const 65528) (i32.const 65544) (i32.const 0)) "out of bounds memory access")
;; A pointer that wraps: 0xFFFFFFFC is out of bounds at once.
(assert_trap (invoke "ptr_sum" (i32.const -4) (i32.const 12) (i32.const 0)) "out of bounds memory access")
;; Stores: in bounds, then a fill that traps in the middle of the loop at
;; the memory's end: the stores before the trap stay, nothing after.
(invoke "fill64" (i32.const 1024) (i32.const 0))
(assert_return (invoke "ld" (i32.const 1024)) (i32.const 1))
(assert_return (invoke "ld" (i32.const 1084)) (i32.const 181))
(assert_trap (invoke "fill64" (i32.const 65504) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 65504)) (i32.const 1))
(assert_return (invoke "ld" (i32.const 65532)) (i32.const 85))
;; f64: dst += 0.5 * src over 8 doubles, apart, then overlapping by one
;; element either way (each iteration reads what the one before wrote, or
;; not); a destination above 2^32 - 64 traps at once.
(invoke "st64" (i32.const 2048) (f64.const 1.0))
(invoke "st64" (i32.const 2056) (f64.const 2.0))
(invoke "st64" (i32.const 2064) (f64.const 3.0))
(invoke "st64" (i32.const 2072) (f64.const 4.0))
(invoke "st64" (i32.const 2080) (f64.const 5.0))
(invoke "st64" (i32.const 2088) (f64.const 6.0))
(invoke "st64" (i32.const 2096) (f64.const 7.0))
(invoke "st64" (i32.const 2104) (f64.const 8.0))
(invoke "st64" (i32.const 2112) (f64.const 9.0))
(invoke "axpy" (i32.const 3072) (i32.const 2048) (f64.const 0.5) (i32.const 64))
(assert_return (invoke "fsum8" (i32.const 3072)) (i64.const 18432))
(invoke "axpy" (i32.const 2056) (i32.const 2048) (f64.const 0.5) (i32.const 64))
(assert_return (invoke "fsum8" (i32.const 2056)) (i64.const 74748))
(invoke "axpy" (i32.const 2048) (i32.const 2056) (f64.const 0.5) (i32.const 64))
(assert_return (invoke "fsum8" (i32.const 2048)) (i64.const 96758))
(assert_trap (invoke "axpy" (i32.const -64) (i32.const 2048) (f64.const 1.0) (i32.const 64))
  "out of bounds memory access")
;; Not versioned, still exact.
(assert_return (invoke "sum_down" (i32.const 0) (i32.const 60) (i32.const -4)) (i32.const 136))
(assert_trap (invoke "sum_down" (i32.const 0) (i32.const 60) (i32.const -8)) "out of bounds memory access")
(assert_return (invoke "div_sum" (i32.const 0) (i32.const 1)) (i32.const 10))
(assert_trap (invoke "div_sum" (i32.const 0) (i32.const 0)) "integer divide by zero")
;; Last, as it writes the whole memory: a fill whose addresses wrap at its first store: 0xFFFFFF00 + 256 = 0
;; (i from 256: i * 3 + 1 = 769 ... the limit 64 comes after the wrap of i).
(assert_trap (invoke "fill64" (i32.const -256) (i32.const 256)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 0)) (i32.const 769))
(assert_return (invoke "ld" (i32.const 65532)) (i32.const 197365))

;; Versioned nests (aot_vec.c, wm__aot_vec_nest): a loop whose body is
;; straight-line code around one versionable loop, whose guard does not
;; change in the nest (its bases and limit not written there, its counter
;; set to a constant or to an unwritten local plus a constant before it),
;; runs as a fast copy of the whole nest under that guard checked once at
;; its entry. The same edges as above: the last valid word, one past it
;; (a trap in the nest's first pass, stores before it kept), a counter
;; that starts wrapped, a dropped load that must still trap, and a nest
;; whose inner base moves (not hoisted, still exact).
(module
  (memory 1)
  (data (i32.const 0)
    "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00\08\00\00\00"
    "\09\00\00\00\0a\00\00\00\0b\00\00\00\0c\00\00\00\0d\00\00\00\0e\00\00\00\0f\00\00\00\10\00\00\00")
  (data (i32.const 65472)
    "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00\08\00\00\00"
    "\09\00\00\00\0a\00\00\00\0b\00\00\00\0c\00\00\00\0d\00\00\00\0e\00\00\00\0f\00\00\00\10\00\00\00")
  ;; bench/memsum's nest: for r below reps, for i from 0 by 4 to n,
  ;; acc = acc * 3 + (mem[base + i] ^ r).
  (func (export "reps") (param $base i32) (param $n i32) (param $reps i32) (result i32)
    (local $r i32) (local $i i32) (local $acc i32)
    (loop $o
      (local.set $i (i32.const 0))
      (loop $l
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 3))
          (i32.xor (i32.load (i32.add (local.get $base) (local.get $i))) (local.get $r))))
        (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $n))))
      (br_if $o (i32.ne (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $reps))))
    (local.get $acc))
  ;; The counter starts at i0 + 4, a parameter the nest does not write.
  (func (export "reps_from") (param $base i32) (param $i0 i32) (param $n i32) (param $reps i32)
    (result i32)
    (local $r i32) (local $i i32) (local $acc i32)
    (loop $o
      (local.set $i (i32.add (local.get $i0) (i32.const 4)))
      (loop $l
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 3))
          (i32.xor (i32.load (i32.add (local.get $base) (local.get $i))) (local.get $r))))
        (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $n))))
      (br_if $o (i32.ne (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $reps))))
    (local.get $acc))
  ;; Stores: mem[base + i] = i + r, every pass.
  (func (export "fill_reps") (param $base i32) (param $n i32) (param $reps i32)
    (local $r i32) (local $i i32)
    (loop $o
      (local.set $i (i32.const 0))
      (loop $l
        (i32.store (i32.add (local.get $base) (local.get $i)) (i32.add (local.get $i) (local.get $r)))
        (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $n))))
      (br_if $o (i32.ne (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $reps)))))
  ;; A load whose value is dropped, after a store of the same pass: its
  ;; fault is still the trap, and the store before it stays.
  (func (export "touch") (param $base i32) (param $n i32) (param $reps i32)
    (local $r i32) (local $i i32)
    (loop $o
      (local.set $i (i32.const 0))
      (loop $l
        (i32.store (i32.const 0) (local.get $i))
        (drop (i32.load (i32.add (local.get $base) (local.get $i))))
        (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $n))))
      (br_if $o (i32.ne (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $reps)))))
  ;; The inner loop's base moves with the outer loop (matmul's rows): not a
  ;; versioned nest; the inner loop is versioned alone.
  (func (export "rows") (param $base i32) (param $rows i32) (result i32)
    (local $r i32) (local $i i32) (local $acc i32)
    (loop $o
      (local.set $i (i32.const 0))
      (loop $l
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 3))
          (i32.load (i32.add (local.get $base) (local.get $i)))))
        (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 16))))
      (local.set $base (i32.add (local.get $base) (i32.const 16)))
      (br_if $o (i32.ne (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))
    (local.get $acc))
  (func (export "ld") (param i32) (result i32) (i32.load (local.get 0))))

(assert_return (invoke "reps" (i32.const 0) (i32.const 64) (i32.const 1)) (i32.const 32285032))
(assert_return (invoke "reps" (i32.const 0) (i32.const 64) (i32.const 3)) (i32.const -541598488))
;; Up to the memory's last byte, and one word further: the trap comes in
;; the nest's first pass.
(assert_return (invoke "reps" (i32.const 65472) (i32.const 64) (i32.const 3)) (i32.const -541598488))
(assert_trap (invoke "reps" (i32.const 65476) (i32.const 64) (i32.const 3)) "out of bounds memory access")
;; A limit the counter misses: runs until the address leaves the memory.
(assert_trap (invoke "reps" (i32.const 0) (i32.const 66) (i32.const 2)) "out of bounds memory access")
;; A counter from i0 + 4: 0 (as reps), 4 (one word less), and 2^32 - 16
;; (base + i wraps to address 0 at the first iteration: exact, valid).
(assert_return (invoke "reps_from" (i32.const 0) (i32.const -4) (i32.const 64) (i32.const 3)) (i32.const -541598488))
(assert_return (invoke "reps_from" (i32.const 0) (i32.const 0) (i32.const 64) (i32.const 2)) (i32.const 780777815))
(assert_return (invoke "reps_from" (i32.const 16) (i32.const -20) (i32.const 48) (i32.const 2)) (i32.const -731136256))
(assert_trap (invoke "reps_from" (i32.const 65472) (i32.const -4) (i32.const 68) (i32.const 2))
  "out of bounds memory access")
;; Stores in bounds, then a nest that traps at the memory's end in its
;; first pass: the pass's stores before the trap stay (i + 0), nothing after.
(invoke "fill_reps" (i32.const 1024) (i32.const 64) (i32.const 3))
(assert_return (invoke "ld" (i32.const 1024)) (i32.const 2))
(assert_return (invoke "ld" (i32.const 1084)) (i32.const 62))
(assert_trap (invoke "fill_reps" (i32.const 65504) (i32.const 64) (i32.const 3)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 65504)) (i32.const 0))
(assert_return (invoke "ld" (i32.const 65532)) (i32.const 28))
;; Dropped loads: in bounds up to the last word; two words further traps
;; at i = 56 (address 65536) with the store of its own iteration done.
(invoke "touch" (i32.const 65472) (i32.const 64) (i32.const 2))
(assert_return (invoke "ld" (i32.const 0)) (i32.const 60))
(assert_trap (invoke "touch" (i32.const 65480) (i32.const 64) (i32.const 2)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 0)) (i32.const 56))
(assert_trap (invoke "touch" (i32.const 65536) (i32.const 4) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 0)) (i32.const 0))
;; The moving base: four rows, up to the memory's end, then one row too many.
(assert_return (invoke "rows" (i32.const 65472) (i32.const 4)) (i32.const 32260420))
(assert_trap (invoke "rows" (i32.const 65488) (i32.const 4)) "out of bounds memory access")
