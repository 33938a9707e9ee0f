#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# wast.sh -- `wasmem spectest FILE.wast`, the native script reader: a
# passing script, a failing assertion's line, a script that stops following
# the format (the commands before it still run), a command not supported
# yet (the ones after it still run), module definitions and instances, the
# choice of reader by suffix or first character, the loading options (--wasm2 too), and a missing file.
# usage: wast.sh WASMEM WORKDIR
set -u
wasmem=$1 work=$2
mkdir -p "$work"
fail=0
# expect WHAT STATUS WANT-STATUS OUTPUT REGEX
expect() {
  if [ "$2" != "$3" ]; then echo "FAIL: $1: exit status $2, want $3"; fail=1; fi
  if printf '%s' "$4" | grep -qE "$5"; then echo "ok: $1"; else echo "FAIL: $1: got [$4], want /$5/"; fail=1; fi
}

cat >"$work/good.wast" <<'WAST'
(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_malformed (module quote "(func (i32.const 0x1_0000_0000))") "constant out of range")
(module $q quote "(func (export \"q\") (result i32) (i32.const 4))")
(assert_return (invoke $q "q") (i32.const 4))
WAST
out=$("$wasmem" spectest "$work/good.wast" 2>&1); st=$?
expect "passing script" "$st" 0 "$out" '^5 passed, 0 failed, 0 skipped$'
out=$("$wasmem" spectest -v "$work/good.wast" 2>&1); st=$?
expect "-v names each command" "$st" 0 "$out" 'good\.wast:3: assert_malformed: "constant out of range" -> 1:26: constant out of range'
for opt in --checked --metered --eager; do
  out=$("$wasmem" spectest $opt "$work/good.wast" 2>&1); st=$?
  expect "spectest $opt" "$st" 0 "$out" '^5 passed, 0 failed, 0 skipped$'
done

# --wasm2: WebAssembly 2.0's verdicts where 3.0 changed a meaning (two
# memories, memory.size's byte, a constant reading a defined global), 3.0's
# without it.
cat >"$work/wasm2.wast" <<'WAST'
(assert_invalid (module (memory 1) (memory 1)) "multiple memories")
(assert_invalid (module (global i32 (i32.const 0)) (global i32 (global.get 0))) "unknown global")
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\08\01" "\06\00" "\3f\80\00" "\1a" "\0b")
  "zero byte expected")
WAST
out=$("$wasmem" spectest --wasm2 "$work/wasm2.wast" 2>&1); st=$?
expect "spectest --wasm2" "$st" 0 "$out" '^3 passed, 0 failed, 0 skipped$'
out=$("$wasmem" spectest "$work/wasm2.wast" 2>&1); st=$?
expect "without --wasm2" "$st" 1 "$out" '^0 passed, 3 failed, 0 skipped$'

# Through wast2json: a module that fails to instantiate last, with a
# command after it, is reported under the script's name (the failures
# counted at the end once read a name freed with the JSON document).
cat >"$work/orphan.wast" <<'WAST'
(module (table 1 funcref) (elem (i32.const 5) func 0) (func (export "f")))
(assert_return (invoke "f"))
WAST
if wast2json "$work/orphan.wast" -o "$work/orphan.json" 2>/dev/null; then
  out=$("$wasmem" spectest "$work/orphan.json" 2>&1); st=$?
  expect "orphans under the JSON script's name" "$st" 1 "$out" 'orphan\.wast:1: module: 1 later command'
fi

# Chosen by the first character when the name does not end in .wast.
cp "$work/good.wast" "$work/script.txt"
out=$("$wasmem" spectest "$work/script.txt" 2>&1); st=$?
expect "by first character" "$st" 0 "$out" '^5 passed, 0 failed, 0 skipped$'
printf ';; a comment first\n(module)\n' >"$work/comment.txt"
out=$("$wasmem" spectest "$work/comment.txt" 2>&1); st=$?
expect "comment first" "$st" 0 "$out" '^1 passed, 0 failed, 0 skipped$'

cat >"$work/bad.wast" <<'WAST'
(module (func (export "one") (result i32) (i32.const 1)))
(assert_return (invoke "one") (i32.const 2))
(assert_malformed (module quote "(func)") "should not load")
(thread $t (module))
(assert_return (invoke "one" (ref.i31 1)) (i32.const 1))
(assert_return (invoke "one") (i32.const 1))
(assert_return (invoke "one") (i32.const 1)
WAST
out=$("$wasmem" spectest "$work/bad.wast" 2>&1); st=$?
expect "failing assertion" "$st" 1 "$out" 'bad\.wast:2: assert_return: one: result 0: expected i32:2, got i32:1'
expect "module that loads" "$st" 1 "$out" 'bad\.wast:3: assert_malformed: expected "should not load", but the module loaded'
expect "not supported yet" "$st" 1 "$out" 'bad\.wast:4: command: thread not supported yet'
expect "value not supported yet" "$st" 1 "$out" 'bad\.wast:5: command: assert_return with \(ref\.i31 1\) not supported yet'
expect "script error" "$st" 1 "$out" 'bad\.wast:8:1: expected a result or .\)., got end of script'
expect "counts" "$st" 1 "$out" '^2 passed, 5 failed, 0 skipped$'

# Module definitions: an unknown one, one that did not load, and one whose
# instance cannot be made each fail their instance command alone.
cat >"$work/defs.wast" <<'WAST'
(module instance $a $nothing)
(module definition $bad (func (result i32)))
(module instance $b $bad)
(module definition $trap (func $s unreachable) (start $s))
(module instance $c $trap)
(module definition $ok (func (export "f") (result i32) (i32.const 7)))
(module instance $d $ok)
(assert_return (invoke $d "f") (i32.const 7))
WAST
out=$("$wasmem" spectest "$work/defs.wast" 2>&1); st=$?
expect "unknown definition" "$st" 1 "$out" 'defs\.wast:1: module instance: unknown module definition'
expect "definition that failed" "$st" 1 "$out" 'defs\.wast:3: module instance: the module definition did not load'
expect "instance not made" "$st" 1 "$out" 'defs\.wast:5: module instance: TRAP_UNREACHABLE: unreachable'
expect "definition counts" "$st" 1 "$out" '^4 passed, 4 failed, 0 skipped$'

# Not a file; not a script.
out=$("$wasmem" spectest "$work/missing.wast" 2>&1); st=$?
expect "missing file" "$st" 1 "$out" 'missing\.wast: No such file'
printf '(modul)' >"$work/junk.wast"
out=$("$wasmem" spectest "$work/junk.wast" 2>&1); st=$?
expect "unknown command" "$st" 1 "$out" "junk\\.wast:1:2: unknown command 'modul'"
out=$("$wasmem" spectest --help 2>&1); st=$?
expect "help" "$st" 0 "$out" 'FILE\.wast'
exit $fail
