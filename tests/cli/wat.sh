#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# wat.sh -- every command that takes a module takes a .wat: validate,
# inspect, call, run and check; a syntax error is one line
# FILE:LINE:COL: message and exit 1; wasmem wat2wasm writes wat2wasm's
# bytes, and its usage errors.
# usage: wat.sh WASMEM WAT2WASM WORKDIR
set -u
wasmem=$1 wat2wasm=$2 work=$3
mkdir -p "$work"
fail=0
expect() { # what, command output, regex
  if printf '%s' "$2" | grep -qE "$3"; then :; else echo "FAIL: $1: got [$2], want /$3/"; fail=1; fi
}

cat >"$work/add.wat" <<'WAT'
;; comments and annotations before the module are fine
(@x) (module
  (memory (export "memory") 1)
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b))))
WAT
cat >"$work/exit.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 7)) (unreachable)))
WAT
printf '(module\n  (func (export "f") (result i32)\n    (i32.const 1) (call $missing)))\n' >"$work/bad.wat"
printf '(module (func (result i32)))\n' >"$work/invalid.wat"

out=$("$wasmem" validate "$work/add.wat" 2>&1); expect "validate" "$out" "add.wat: valid$"
out=$("$wasmem" inspect "$work/add.wat" 2>&1); expect "inspect" "$out" "add: func \(i32, i32\) -> \(i32\)"
out=$("$wasmem" call "$work/add.wat" add 2 40 2>&1); expect "call" "$out" "^42$"
"$wasmem" run "$work/exit.wat"; rc=$?; expect "run exit status" "$rc" "^7$"
out=$("$wasmem" check call "$work/add.wat" add 1 2 2>&1); expect "check call" "$out" "^3"

# Through a pipe (read once): text, and binary as before.
out=$(cat "$work/add.wat" | "$wasmem" call /dev/stdin add 1 2 2>&1); expect "text from a pipe" "$out" "^3$"
"$wat2wasm" "$work/exit.wat" -o "$work/exit.wasm"
out=$(cat "$work/exit.wasm" | "$wasmem" validate /dev/stdin 2>&1); expect "binary from a pipe" "$out" "valid$"
out=$(printf 'junk' | "$wasmem" validate /dev/stdin 2>&1); expect "junk from a pipe" "$out" "magic header"

# A syntax error: one line naming file, line and column; exit 1.
out=$("$wasmem" validate "$work/bad.wat" 2>&1); rc=$?
expect "syntax error" "$out" "^wasmem: $work/bad.wat:3:25: unknown function \\\$missing$"
expect "syntax error status" "$rc" "^1$"
out=$("$wasmem" call "$work/bad.wat" f 2>&1); rc=$?
expect "call syntax error" "$out" "bad.wat:3:25: unknown function"
expect "call syntax error status" "$rc" "^1$"
# Text that parses but does not validate: the validator's message.
out=$("$wasmem" validate "$work/invalid.wat" 2>&1); rc=$?
expect "invalid" "$out" "invalid.wat: .*type mismatch"
expect "invalid status" "$rc" "^1$"

# wasmem wat2wasm: the same bytes as wat2wasm.
"$wasmem" wat2wasm "$work/add.wat" -o "$work/ours.wasm" || { echo "FAIL: wat2wasm"; fail=1; }
"$wat2wasm" --enable-annotations "$work/add.wat" -o "$work/ref.wasm"
cmp -s "$work/ours.wasm" "$work/ref.wasm" || { echo "FAIL: wat2wasm bytes differ"; fail=1; }
# (module binary) with no strings: an empty file, written as such.
printf '(module binary)' >"$work/empty.wat"
"$wasmem" wat2wasm "$work/empty.wat" -o "$work/empty.wasm" && [ -f "$work/empty.wasm" ] && [ ! -s "$work/empty.wasm" ] ||
  { echo "FAIL: wat2wasm of an empty binary module"; fail=1; }
out=$("$wasmem" wat2wasm "$work/bad.wat" -o "$work/x.wasm" 2>&1); rc=$?
expect "wat2wasm error" "$out" "bad.wat:3:25: unknown function"
expect "wat2wasm error status" "$rc" "^1$"
out=$("$wasmem" wat2wasm "$work/add.wat" 2>&1); rc=$?
expect "wat2wasm no -o" "$out" "expected FILE.wat -o OUT.wasm"
expect "wat2wasm no -o status" "$rc" "^2$"
out=$("$wasmem" wat2wasm "$work/add.wat" --frob -o x 2>&1); rc=$?
expect "wat2wasm option" "$out" "unknown option '--frob'"
out=$("$wasmem" wat2wasm "$work/nonexistent.wat" -o "$work/x.wasm" 2>&1); rc=$?
expect "wat2wasm missing file" "$out" "nonexistent.wat: No such file"
expect "wat2wasm missing file status" "$rc" "^1$"
out=$("$wasmem" wat2wasm "$work/add.wat" -o "$work/no/such/dir.wasm" 2>&1); rc=$?
expect "wat2wasm unwritable" "$out" "cannot write"
expect "wat2wasm unwritable status" "$rc" "^1$"
out=$("$wasmem" wat2wasm --help 2>&1); expect "wat2wasm help" "$out" "usage: wasmem wat2wasm"

[ $fail -eq 0 ] && echo "wat.sh: all passed"
exit $fail
