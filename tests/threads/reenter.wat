;; SPDX-License-Identifier: MIT
;; reenter.wat -- a guest that recurses through its host: down(n) calls the
;; import cb(n - 1), whose host function calls down again (test_stack.c).
(module
  (import "env" "cb" (func $cb (param i32) (result i32)))
  (func (export "down") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 100
    else
      local.get 0
      i32.const 1
      i32.sub
      call $cb
    end)
  (func (export "boom") unreachable))
