#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# backtrace.sh -- a trap in compiled code has the interpreter's backtrace:
# the same message and the same wasm functions, innermost first, named from
# the name section or the exports, for traps in generated checks (unreachable,
# stack exhaustion), in a helper (division), in call_indirect's check, and
# through the guard-page fault handler (or the explicit check).
# usage: backtrace.sh WASMEM WAT2WASM WORKDIR CC [--bounds-checks]
#
# The expected differences, exactly:
# - compiled frames carry no byte offsets: they are taken out of the
#   interpreter's lines before comparing;
# - built with inlining off (CC -fno-inline) the outputs are then equal, but
#   for deep recursion: both list the recursing function until "  ...",
#   the compiled lines being shorter, more of them fit in the message;
# - built as `wasmem compile` builds (inlining on), a function the C
#   compiler inlined into its caller has no frame: the compiled lines are the
#   interpreter's with some left out, never the outermost, never the
#   innermost of a trap the code raises itself (its site names its
#   function); a fault's innermost may be the function it was inlined into.
set -u
wasmem=$1 wat2wasm=$2 work=$3 cc=$4 checks=${5:-}
mkdir -p "$work"
cd "$work" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }
if ! command -v "${cc%% *}" >/dev/null; then
  echo "backtrace.sh: all passed (skipped: no $cc)"
  exit 0
fi

cat >bt.wat <<'WAT'
(module
  (type $ii (func (param i32) (result i32)))
  (memory 1)
  (table 4 funcref)
  (elem (i32.const 0) $ret7 $ret7)
  (func $rec (export "rec") (param i32) (result i32)
    (i32.add (i32.const 1) (call $rec (local.get 0))))
  (func $a (export "chain") (param i32) (result i32)
    (i32.add (call $b (local.get 0)) (i32.const 1)))
  (func $b (param i32) (result i32) (i32.mul (call $c (local.get 0)) (i32.const 3)))
  (func $c (param i32) (result i32) (if (local.get 0) (then unreachable)) (i32.const 5))
  (func $load_outer (export "oob") (param i32) (result i32)
    (i32.add (call $load_mid (local.get 0)) (i32.const 1)))
  (func $load_mid (param i32) (result i32) (i32.mul (call $load_inner (local.get 0)) (i32.const 3)))
  (func $load_inner (param i32) (result i32) (i32.load (local.get 0)))
  (func $div_outer (export "div") (param i32) (result i32)
    (i32.add (call $div_inner (i32.const 7) (local.get 0)) (i32.const 1)))
  (func $div_inner (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $ind_outer (export "ind") (param i32) (result i32)
    (i32.add (call $ind_inner (local.get 0)) (i32.const 1)))
  (func $ind_inner (param i32) (result i32)
    (call_indirect (type $ii) (local.get 0) (local.get 0)))
  (func $ret7 (result i32) (i32.const 7)))
WAT
# Names from the name section, and without one: export names, else <unnamed>.
"$wat2wasm" --debug-names bt.wat -o named.wasm || exit 1
"$wat2wasm" bt.wat -o plain.wasm || exit 1

strip_off() { sed -E 's/, byte 0x[0-9a-f]+\)/)/'; }
frames() { grep '^  at ' || true; }

# Is every line of $1 (compiled) in $2 (interpreted), in order?
subseq() {
  local -a want
  mapfile -t want <<<"$2"
  local i=0 line
  while IFS= read -r line; do
    while [ $i -lt ${#want[@]} ] && [ "${want[$i]}" != "$line" ]; do i=$((i + 1)); done
    [ $i -lt ${#want[@]} ] || return 1
    i=$((i + 1))
  done <<<"$1"
}

# check MODE WASM FUNC ARG: MODE exact, deep, or inlined (as above).
check() {
  local mode=$1 wasm=$2 so=$3 fn=$4 arg=$5 a b
  a=$("$wasmem" call "$wasm" "$fn" "$arg" 2>&1 | strip_off)
  b=$("$wasmem" call "$so" "$fn" "$arg" 2>&1)
  [ "$(head -n 1 <<<"$a")" = "$(head -n 1 <<<"$b")" ] || { bad "$so $fn: message '$a' vs '$b'"; return; }
  grep -q '^  at ' <<<"$a" || { bad "$wasm $fn: no backtrace: '$a'"; return; }
  local fa fb
  fa=$(frames <<<"$a")
  fb=$(frames <<<"$b")
  case $mode in
  exact)
    [ "$a" = "$b" ] || bad "$so $fn: interpreter '$a' vs compiled '$b'" ;;
  deep)
    local want
    want=$(head -n 1 <<<"$fa")
    [ "$(tail -n 1 <<<"$a")" = "  ..." ] && [ "$(tail -n 1 <<<"$b")" = "  ..." ] ||
      bad "$so $fn: not cut short: '$a' vs '$b'"
    [ -z "$(grep -v -x -F "$want" <<<"$fb")" ] && [ "$(wc -l <<<"$fb")" -ge "$(wc -l <<<"$fa")" ] ||
      bad "$so $fn: deep frames '$fb' vs '$fa'" ;;
  inlined | inlined_fault)
    subseq "$fb" "$fa" || bad "$so $fn: compiled frames not the interpreter's in order: '$fb' vs '$fa'"
    [ "$(tail -n 1 <<<"$fb")" = "$(tail -n 1 <<<"$fa")" ] || bad "$so $fn: outermost '$fb' vs '$fa'"
    [ $mode = inlined_fault ] || [ "$(head -n 1 <<<"$fb")" = "$(head -n 1 <<<"$fa")" ] ||
      bad "$so $fn: innermost '$fb' vs '$fa'" ;;
  esac
}

for wasm in named plain; do
  for inl in noinline inline; do
    so=$wasm.$inl.so
    if [ $inl = noinline ]; then
      "$wasmem" compile $wasm.wasm -o "$so" --cc "$cc -fno-inline" $checks || { bad "compile $so"; continue; }
      m=exact mf=exact
    else
      "$wasmem" compile $wasm.wasm -o "$so" --cc "$cc" $checks || { bad "compile $so"; continue; }
      m=inlined mf=inlined_fault
    fi
    check deep $wasm.wasm "$so" rec 0
    check $m $wasm.wasm "$so" chain 1
    check $mf $wasm.wasm "$so" oob 65533
    check $mf $wasm.wasm "$so" oob 0x7ffffff0
    check $m $wasm.wasm "$so" div 0
    check $mf $wasm.wasm "$so" ind 1
    check $mf $wasm.wasm "$so" ind 9
  done
done
# The names themselves: the name section's, else the export's, else none.
out=$("$wasmem" call named.noinline.so chain 1 2>&1)
[ "$out" = "$(printf 'wasmem: trap: unreachable\n  at c (func 3)\n  at b (func 2)\n  at a (func 1)')" ] ||
  bad "named chain: '$out'"
out=$("$wasmem" call plain.noinline.so chain 1 2>&1)
[ "$out" = "$(printf 'wasmem: trap: unreachable\n  at <unnamed> (func 3)\n  at <unnamed> (func 2)\n  at chain (func 1)')" ] ||
  bad "plain chain: '$out'"
# Through `--aot`: the object loaded from the cache (by a directory
# descriptor's /proc/self/fd path, closed after the load) and a temporary
# one (--no-cache: removed after the load) name the same frames.
want=$(printf 'wasmem: trap: unreachable\n  at c (func 3)\n  at b (func 2)\n  at a (func 1)')
for nc in "" --no-cache; do
  # shellcheck disable=SC2086
  out=$(XDG_CACHE_HOME=$work/xdg WASMEM_CC="$cc -fno-inline" "$wasmem" call named.wasm chain 1 --aot $nc $checks 2>&1)
  [ "$out" = "$want" ] || bad "--aot $nc chain: '$out'"
done
# Where the frames cannot be told, the output is the interpreter's frames as
# before, with the trap site's function first when it is not the entered
# one: an object whose symbols are stripped, and one built without unwind
# tables (the unwind stops inside it).
fallback() {
  local so=$1 out
  out=$("$wasmem" call "$so" chain 1 2>&1)
  [ "$out" = "$(printf 'wasmem: trap: unreachable\n  at c (func 3)\n  at a (func 1)')" ] ||
    bad "$so chain: '$out'"
  # A fault has no site; an explicit check's site is its function.
  local site=""
  [ -n "$checks" ] && site='\n  at load_inner (func 6)'
  out=$("$wasmem" call "$so" oob 65533 2>&1)
  [ "$out" = "$(printf "wasmem: trap: out of bounds memory access$site\\n  at load_outer (func 4)")" ] ||
    bad "$so oob: '$out'"
  out=$("$wasmem" call "$so" rec 0 2>&1)
  [ "$out" = "$(printf 'wasmem: trap: call stack exhausted\n  at rec (func 0)')" ] ||
    bad "$so rec: '$out'"
}
if command -v strip >/dev/null; then
  strip --strip-all named.noinline.so -o stripped.so && fallback stripped.so || bad "strip"
fi
"$wasmem" compile named.wasm -o nounwind.so $checks \
  --cc "$cc -fno-inline -fno-asynchronous-unwind-tables -fno-unwind-tables" && fallback nounwind.so ||
  bad "compile nounwind.so"
[ $fail = 0 ] && echo "backtrace.sh: all passed"
exit $fail
