#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lowered.sh -- `wasmem inspect --lowered FUNC FILE` (wm_module_print_lowered):
# the interpreter's code of a function named by its export or its index, a
# fused instruction shown as one, and a clear error (exit 1, nothing
# printed as code) for an imported, unknown or unnamed function and a body
# that does not validate; a missing FILE is a usage error (exit 2).
# usage: lowered.sh WASMEM WORKDIR
set -u
wasmem=$1 work=$2
mkdir -p "$work"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

cat >"$work/lowered.wat" <<'WAT'
(module
  (import "env" "f" (func $imp))
  (func $add (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))
WAT

out=$("$wasmem" inspect --lowered add "$work/lowered.wat" 2>&1) || bad "add: exit $?: $out"
grep -q "^function 1:" <<<"$out" || bad "add: no heading: $out"
grep -q "I32_ADD" <<<"$out" || bad "add: no I32_ADD: $out"
by_index=$("$wasmem" inspect --lowered 1 "$work/lowered.wat" 2>&1) || bad "index 1: exit $?"
[ "$out" = "$by_index" ] || bad "by name and by index differ: '$out' / '$by_index'"
# i += 1; br_if (i < n): the counter's step and test are one instruction.
out=$("$wasmem" inspect --lowered count "$work/lowered.wat" 2>&1) || bad "count: exit $?: $out"
grep -q "I32_ADD_K_BR" <<<"$out" || bad "count: the step and test not fused: $out"

expect_error() { # WHAT PATTERN ARGS...
  local what=$1 pat=$2; shift 2
  local o rc
  o=$("$wasmem" inspect "$@" 2>&1)
  rc=$?
  [ "$rc" = 1 ] || bad "$what: exit $rc, expected 1: $o"
  grep -q -- "$pat" <<<"$o" || bad "$what: expected '$pat' in: $o"
  if grep -q "^function" <<<"$o"; then
    grep -q "I32_" <<<"$o" && bad "$what: printed code: $o"
  fi
}
expect_error "imported" "function 0 is imported" --lowered 0 "$work/lowered.wat"
expect_error "out of range" "unknown function 3" --lowered 3 "$work/lowered.wat"
expect_error "unknown name" "no exported function 'nope'" --lowered nope "$work/lowered.wat"
expect_error "negative" "no exported function '-1'" --lowered -1 "$work/lowered.wat"

# A body that does not validate: loading checks it, so the load fails.
cat >"$work/invalid.wat" <<'WAT'
(module (func (export "f") (result i32) (i64.const 1)))
WAT
expect_error "invalid body" "type mismatch" --lowered f "$work/invalid.wat"

"$wasmem" inspect --lowered add >/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] || bad "no FILE: exit $rc, expected 2"
# Anything after FILE is a usage error too (it once read past the arguments).
for extra in "extra" "extra more" "--bad"; do
  # shellcheck disable=SC2086
  "$wasmem" inspect --lowered add "$work/lowered.wat" $extra >/dev/null 2>&1
  rc=$?
  [ "$rc" = 2 ] || bad "arguments after FILE ($extra): exit $rc, expected 2"
done
# (A compiled module's refusal, "has no lowered code", is test_aot's.)

[ $fail = 0 ] && echo "lowered.sh: all passed"
exit $fail
