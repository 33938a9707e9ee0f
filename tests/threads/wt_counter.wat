;; wasi-threads: 8 threads add their start_arg (1) to a shared counter 1000
;; times each with i32.atomic.rmw.add, set their tid's bit and count
;; themselves done; main waits on memory.atomic.wait32 until all 8 are
;; done, checks that the 8 tids differ, and prints the counter ("8000").
;; Memory: 0 counter, 4 threads done, 8 bitmap of tids, 16 iovec, 32..64 text.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (global $threads i32 (i32.const 8))
  (global $iters i32 (i32.const 1000))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (local $i i32)
    (loop $add
      (drop (i32.atomic.rmw.add (i32.const 0) (local.get $arg)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $add (i32.lt_u (local.get $i) (global.get $iters))))
    (drop (i32.atomic.rmw.or (i32.const 8)
      (i32.shl (i32.const 1) (i32.and (local.get $tid) (i32.const 31)))))
    (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 4) (i32.const 1))))
  (func (export "_start")
    (local $i i32) (local $done i32)
    (loop $spawn_all
      (if (i32.le_s (call $spawn (i32.const 1)) (i32.const 0)) (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $spawn_all (i32.lt_u (local.get $i) (global.get $threads))))
    (block $all_done
      (loop $wait
        (local.set $done (i32.atomic.load (i32.const 4)))
        (br_if $all_done (i32.ge_u (local.get $done) (global.get $threads)))
        (drop (memory.atomic.wait32 (i32.const 4) (local.get $done) (i64.const -1)))
        (br $wait)))
    (if (i32.ne (i32.popcnt (i32.atomic.load (i32.const 8))) (global.get $threads))
      (then unreachable))
    (call $print (i32.atomic.load (i32.const 0))))
  ;; Print n in decimal and a newline on stdout.
  (func $print (param $n i32)
    (local $p i32)
    (i32.store8 (i32.const 63) (i32.const 10))
    (local.set $p (i32.const 63))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (local.get $n)))
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (i32.sub (i32.const 64) (local.get $p)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))
