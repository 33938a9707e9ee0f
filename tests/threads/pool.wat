;; pool.wat -- the guest of test_pool_threads.c: one page (at most two) with
;; "seed" at 8; scribble fills all of it, grown by a page, with a secret.
(module
  (memory (export "memory") 1 2)
  (data (i32.const 8) "seed")
  (func (export "scribble") (param $secret i32)
    (drop (memory.grow (i32.const 1)))
    (memory.fill (i32.const 0) (local.get $secret) (i32.mul (memory.size) (i32.const 65536)))))
