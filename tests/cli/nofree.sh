#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nofree.sh -- `wasmem call` on guests whose blocks cannot be given back:
# the seed article's AssemblyScript shape (alloc returns one static slot,
# no dealloc) and cabi_realloc. The call succeeds, prints its result on
# stdout, and stderr carries exactly one line saying what was not freed and
# why; a dealloc of the wrong type is still refused.
# usage: nofree.sh WASMEM WAT2WASM WORKDIR
set -u
wasmem=$1 wat2wasm=$2 work=$3
mkdir -p "$work"
fail=0

# The article's alloc: the same 8 bytes at 0x600 for every call. upper
# writes its result at 0x700; trapper traps.
cat >"$work/nofree.wat" <<'WAT'
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 0x600))
  (func (export "array_sum") (param $p i32) (param $n i32) (result i32) (local $s i32)
    (block $b (loop $l (br_if $b (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br $l)))
    (i32.and (local.get $s) (i32.const 255)))
  (func (export "upper") (param $p i32) (param $n i32) (result i32) (local $i i32) (local $c i32)
    (block $b (loop $l (br_if $b (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $i))))
      (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))
        (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))
      (i32.store8 (i32.add (i32.const 0x700) (local.get $i)) (local.get $c))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (i32.const 0x700))
  (func (export "trapper") (param i32 i32) (result i32) unreachable))
WAT
cat >"$work/bad_dealloc.wat" <<'WAT'
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 0x600))
  (func (export "dealloc") (param i32))
  (func (export "array_sum") (param i32 i32) (result i32) (i32.const 0)))
WAT
cat >"$work/cabi.wat" <<'WAT'
(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0x600))
  (func (export "array_sum") (param i32 i32) (result i32) (i32.load8_u (local.get 0))))
WAT
for m in nofree bad_dealloc cabi; do
  "$wat2wasm" "$work/$m.wat" -o "$work/$m.wasm" || exit 1
done

# expect NAME STATUS STDOUT STDERR -- ARGS...: `wasmem call ARGS` must exit
# with STATUS and print exactly STDOUT and STDERR.
expect() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4; shift 5
  local out err rc
  out=$("$wasmem" call "$@" 2>"$work/stderr"); rc=$?
  err=$(cat "$work/stderr")
  if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ] && [ "$err" = "$want_err" ]; then
    echo "ok   $name"
  else
    echo "FAIL $name: exit $rc (want $want_rc)"
    printf '  stdout: %s\n  want:   %s\n  stderr: %s\n  want:   %s\n' "$out" "$want_out" "$err" "$want_err"
    fail=1
  fi
}
nofree=$work/nofree.wasm
w1="wasmem: warning: 1 guest block (5 bytes) could not be freed: the guest exports alloc but no dealloc"
expect "array_sum: the input is noted as not freed" 0 15 "$w1" -- "$nofree" array_sum --bytes 1,2,3,4,5
expect "--alloc seed: the same" 0 15 "$w1" -- "$nofree" array_sum --bytes 1,2,3,4,5 --alloc seed
expect "--transfer: the guest owns the input, nothing to note" 0 15 "" -- \
  "$nofree" array_sum --bytes 1,2,3,4,5 --transfer
# The result cannot be given back either: one line for both blocks, no
# separate error for the result.
w2="wasmem: warning: 2 guest blocks (6 bytes) could not be freed: the guest exports alloc but no dealloc"
expect "upper --result: input and result in one line" 0 ABC "$w2" -- \
  "$nofree" upper --string abc --result string:same-len
expect "upper --result --keep-result: the same" 0 ABC "$w2" -- \
  "$nofree" upper --string abc --result string:same-len --keep-result
# A trap: reported with its backtrace, and the input block noted after it.
err=$("$wasmem" call "$nofree" trapper --bytes 1,2,3,4,5 2>&1 >/dev/null); rc=$?
if [ $rc = 1 ] && grep -q "trap: unreachable" <<<"$err" && [ "$(tail -n 1 <<<"$err")" = "$w1" ] &&
   [ "$(grep -c warning <<<"$err")" = 1 ]; then
  echo "ok   a trap: the input is noted too"
else
  echo "FAIL a trap: exit $rc (want 1), stderr:"; printf '%s\n' "$err"; fail=1
fi
expect "dealloc of the wrong type: refused" 1 "" \
  "wasmem: $work/bad_dealloc.wasm: no guest allocator: export 'dealloc' takes 1 parameter(s) and returns 0 result(s), not the i32 signature its convention needs" \
  -- "$work/bad_dealloc.wasm" array_sum --bytes 1
expect "cabi: no free function, said so" 0 7 \
  "wasmem: warning: 1 guest block (2 bytes) could not be freed: cabi_realloc has no free function (a result is given back only through its function's cabi_post_ export)" \
  -- "$work/cabi.wasm" array_sum --bytes 7,8
exit $fail
