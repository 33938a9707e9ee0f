#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# aot.sh -- `wasmem compile` and compiled objects through the CLI: results
# and trap messages equal to the interpreter's, a WASI command run compiled,
# and every refusal: a feature not translated yet, a C compiler that is
# missing or fails, an object that is not ours, of another ABI, or whose
# module does not match its hash, fuel asked of an unmetered object; and
# `compile --metered`: fuel, a timeout and their exit statuses as the
# interpreter's.
# usage: aot.sh WASMEM WAT2WASM WORKDIR [WASI_COMMAND.wasm]
set -u
wasmem=$1 wat2wasm=$2 work=$3 wasi=${4:-}
mkdir -p "$work"
cd "$work" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

cat >t.wat <<'WAT'
(module
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $add)
  (type $bin (func (param i32 i32) (result i32)))
  (func $add (export "add") (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "oob") (param i32) (result i32) (i32.load (local.get 0)))
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (i32.const 1) (call $deep (local.get 0))))
  (func (export "ind") (param i32) (result i32)
    (call_indirect (type $bin) (i32.const 2) (i32.const 3) (local.get 0)))
  (func (export "ind_f") (param i32) (result f32)
    (call_indirect (param i32 i32) (result f32) (i32.const 2) (i32.const 3) (local.get 0)))
  (func (export "unr") unreachable)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "many") (result i32 i64 f64)
    (i32.const 7) (i64.const -8) (f64.const 2.5)))
WAT
"$wat2wasm" t.wat -o t.wasm || exit 1
"$wasmem" compile t.wasm -o t.so || bad "compile t.wasm"
"$wasmem" compile t.wat -o t.c || bad "compile to C"
grep -q 'wasmem_aot_module_v1' t.c || bad "the C names its descriptor"

# The same answer, or the same trap message, as the interpreter.
same() {
  local a b
  a=$("$wasmem" call t.wasm "$@" 2>&1; echo "exit $?")
  b=$("$wasmem" call t.so "$@" 2>&1; echo "exit $?")
  # The compiled backtrace has no byte offsets: compare the first line.
  [ "$(head -n 1 <<<"$a")$(tail -n 1 <<<"$a")" = "$(head -n 1 <<<"$b")$(tail -n 1 <<<"$b")" ] ||
    bad "call $*: interpreter '$a' vs compiled '$b'"
}
same add 2 40
same add 0x7fffffff 1
same div 7 -2
same div 1 0
same div 0x80000000 -1
same oob 65533
same oob 65532
same deep 1
same ind 0
same ind 1
same ind 5
same ind_f 0
same unr
same grow 1
same grow 70000
same many
out=$("$wasmem" call t.so add 2 40) && [ "$out" = 42 ] || bad "add through the object: '$out'"
out=$("$wasmem" call t.so deep 1 2>&1) && bad "deep recursion must trap"
grep -q "call stack exhausted" <<<"$out" || bad "deep recursion: '$out'"

# A frame of 3,000 i64 locals live across a recursive call: the stack
# check leaves room for it and traps; it does not overflow the C stack.
{
  echo '(module (memory 1) (func $r (export "r") (param i32) (result i64)'
  printf '  (local'; for ((i = 0; i < 3000; i++)); do printf ' i64'; done; echo ')'
  for ((i = 1; i <= 3000; i++)); do echo "  (local.set $i (i64.load (i32.const $(((i * 8) % 65000)))))"; done
  echo '  (if (result i64) (i32.eqz (local.get 0)) (then (i64.const 0))'
  echo '    (else (call $r (i32.sub (local.get 0) (i32.const 1)))))'
  for ((i = 1; i <= 3000; i++)); do echo "  local.get $i i64.add"; done
  echo '))'
} >frame.wat
"$wasmem" compile frame.wat -o frame.so || bad "compile frame.wat"
out=$("$wasmem" call frame.so r 100000000 2>&1)
st=$?
[ $st = 1 ] && grep -q "call stack exhausted" <<<"$out" || bad "big frames: exit $st, '$out'"
out=$("$wasmem" call frame.so r 3 2>&1) && [ "$out" = 0 ] || bad "big frames, shallow: '$out'"

# Functions inlined into each other: $r and $big (a frame of 400 i64
# locals live across a call) call each other; gcc puts $r inside $big, so
# $big (f1) calls itself, each frame the big one. The bound is the
# compiler's measured frame: deep recursion traps.
{
  echo '(module (memory 1)'
  echo '  (func $r (export "r") (param i32) (result i64)'
  echo '    (if (result i64) (i32.eqz (local.get 0)) (then (i64.const 0))'
  echo '      (else (call $big (i32.sub (local.get 0) (i32.const 1))))))'
  echo '  (func $big (param i32) (result i64)'
  printf '  (local'; for ((i = 0; i < 400; i++)); do printf ' i64'; done; echo ')'
  for ((i = 1; i <= 400; i++)); do echo "  (local.set $i (i64.load (i32.const $(((i * 8) % 65000)))))"; done
  echo '  (call $r (local.get 0))'
  for ((i = 1; i <= 400; i++)); do echo "  local.get $i i64.add"; done
  echo '))'
} >inl.wat
"$wasmem" compile inl.wat -o inl.so || bad "compile inl.wat"
if cc --version 2>/dev/null | grep -qi gcc && command -v objdump >/dev/null; then
  objdump -d inl.so | awk '/<f1>:$/,/^$/' | grep -q 'call.*<f1>' ||
    bad "inlined: \$r was not inlined into \$big (f1 does not call itself)"
fi
out=$("$wasmem" call inl.so r 100000000 2>&1)
st=$?
[ $st = 1 ] && grep -q "call stack exhausted" <<<"$out" || bad "inlined big frames: exit $st, '$out'"
out=$("$wasmem" call inl.so r 3 2>&1) && [ "$out" = 0 ] || bad "inlined big frames, shallow: '$out'"

# The frames the compiler reports (-fstack-usage) bound the check. A
# compiler whose report says 100 MB: every entry traps, none overflows. One
# that reports a dynamic frame, or nothing: built again without
# -fstack-usage, every function noinline, and the object works.
cat >su_cc.sh <<'SH'
#!/bin/sh
echo "$*" >>su_cc.log
cc "$@" || exit 1
o=; prev=
for a in "$@"; do [ "$prev" = -o ] && o=$a; prev=$a; done
case $o in *.o) su=${o%.o}.su ;; *) exit 0 ;; esac
[ -f "$su" ] || exit 0
case $SU_MODE in
  big) sed -i 's/\t[0-9]*\tstatic$/\t100000000\tstatic/' "$su" ;;
  dynamic) sed -i '1s/\tstatic$/\tdynamic/' "$su" ;;
  bounded) sed -i 's/\tstatic$/\tdynamic,bounded/' "$su" ;;
  junk) echo 'no tabs here' >>"$su" ;;
  none) rm -f "$su" ;;
esac
SH
chmod +x su_cc.sh
rm -f su_cc.log
SU_MODE=big "$wasmem" compile t.wasm -o su_big.so --cc ./su_cc.sh || bad "compile with a 100 MB frame"
out=$("$wasmem" call su_big.so add 2 40 2>&1) && bad "a 100 MB frame ran: '$out'"
grep -q "call stack exhausted" <<<"$out" || bad "a 100 MB frame: '$out'"
[ "$(grep -c -- '-fstack-usage' su_cc.log)" = 1 ] && [ "$(wc -l <su_cc.log)" = 2 ] ||
  bad "a measured build is one compile and a link: $(cat su_cc.log)"
# "dynamic,bounded" (arguments pushed around calls) gives an upper bound:
# measured, not built again.
rm -f su_cc.log
SU_MODE=bounded "$wasmem" compile t.wasm -o su_bounded.so --cc ./su_cc.sh || bad "compile, bounded frames"
out=$("$wasmem" call su_bounded.so add 2 40 2>&1) && [ "$out" = 42 ] || bad "bounded frames: '$out'"
[ "$(wc -l <su_cc.log)" = 2 ] || bad "bounded frames built again: $(cat su_cc.log)"
for mode in dynamic junk none; do
  rm -f su_cc.log
  SU_MODE=$mode "$wasmem" compile t.wasm -o su_$mode.so --cc ./su_cc.sh || bad "compile, $mode frames"
  out=$("$wasmem" call su_$mode.so add 2 40 2>&1) && [ "$out" = 42 ] || bad "$mode frames: '$out'"
  out=$("$wasmem" call su_$mode.so deep 1 2>&1)
  grep -q "call stack exhausted" <<<"$out" || bad "$mode frames, deep: '$out'"
  # compile (measured), compile again (noinline), link.
  [ "$(sed -n 2p su_cc.log | grep -c -- '-fstack-usage')" = 0 ] && [ "$(wc -l <su_cc.log)" = 3 ] ||
    bad "$mode frames: built again without -fstack-usage: $(cat su_cc.log)"
done

# Many results: two signatures alike in their first 63 results, each its
# own struct.
{
  echo '(module'
  for t in i32 f64 i64; do
    printf '  (func (export "%s") (result' "$t"
    for ((i = 0; i < 63; i++)); do printf ' i32'; done
    printf ' %s)' "$t"
    for ((i = 0; i < 63; i++)); do printf ' (i32.const %d)' "$i"; done
    case $t in i32) echo ' (i32.const 777))' ;; f64) echo ' (f64.const 2.5))' ;; i64) echo ' (i64.const 0x123456789))' ;; esac
  done
  echo ')'
} >sigs.wat
"$wasmem" compile sigs.wat -o sigs.so || bad "compile sigs.wat"
for fn in i32 f64 i64; do
  a=$("$wasmem" call sigs.wat "$fn" 2>&1 | tail -n 1)
  b=$("$wasmem" call sigs.so "$fn" 2>&1 | tail -n 1)
  [ "$a" = "$b" ] || bad "many results $fn: interpreter '$a' vs compiled '$b'"
done

# A signalling NaN times 1, minus 0, over 1, where the 1 and the 0 come from
# integers (the C compiler must not fold them away): quietened, as wasm says.
cat >snan.wat <<'WAT'
(module
  (func (export "mul1") (param i32) (result i32)
    (i32.reinterpret_f32 (f32.mul (f32.reinterpret_i32 (local.get 0)) (f32.convert_i32_s (i32.const 1)))))
  (func (export "sub0") (param i32) (result i32)
    (i32.reinterpret_f32 (f32.sub (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (i32.const 0)))))
  (func (export "div1") (param i32) (result i32)
    (i32.reinterpret_f32 (f32.div (f32.reinterpret_i32 (local.get 0)) (f32.convert_i32_u (i32.const 1)))))
  (func (export "mulm1") (param i64) (result i64)
    (i64.reinterpret_f64 (f64.mul (f64.reinterpret_i64 (local.get 0)) (f64.convert_i64_s (i64.const -1)))))
  (func (export "promdem") (param i32) (result i32)
    (i32.reinterpret_f32 (f32.demote_f64 (f64.promote_f32 (f32.reinterpret_i32 (local.get 0))))))
  (func (export "zero_local") (param i32) (result i32) (local f32)
    (i32.reinterpret_f32 (f32.sub (f32.reinterpret_i32 (local.get 0)) (local.get 1)))))
WAT
"$wasmem" compile snan.wat -o snan.so || bad "compile snan.wat"
for call in "mul1 0x7fa00000" "sub0 0x7fa00000" "div1 0x7fa00000" "mulm1 0x7ff4000000000000" \
            "promdem 0x7fa00000" "zero_local 0x7fa00000"; do
  a=$("$wasmem" call snan.wat $call 2>&1)
  b=$("$wasmem" call snan.so $call 2>&1)
  [ "$a" = "$b" ] || bad "signalling NaN, $call: interpreter '$a' vs compiled '$b'"
done

# Not translated yet: a clear error, exit 1, no object.
cat >shared.wat <<'WAT'
(module (memory 1 1 shared) (func (export "f")))
WAT
"$wat2wasm" --enable-threads shared.wat -o shared.wasm || exit 1
rm -f shared.so
out=$("$wasmem" compile shared.wasm -o shared.so 2>&1) && bad "shared memory compiled"
grep -q "shared memory (threads) not supported yet" <<<"$out" || bad "shared memory refusal: '$out'"
[ -e shared.so ] && bad "a refused compile left shared.so"
# spectest -v --aot says why each module it runs interpreted is not translated.
cat >mixed.wast <<'WAST'
(module (type $t (func (result i32))) (func $f (type $t) (i32.const 7)) (elem declare func $f)
  (func (export "r") (result i32) (call_ref $t (ref.func $f))))
(assert_return (invoke "r") (i32.const 7))
(module (memory 1 1 shared) (func (export "g") (result i32) (i32.atomic.load (i32.const 0))))
(assert_return (invoke "g") (i32.const 0))
WAST
out=$("$wasmem" spectest -v --aot mixed.wast 2>&1)
grep -q "^mixed.wast:4: module: interpreted: wasmem compile: shared memory (threads) not supported yet$" <<<"$out" &&
  [ "$(grep -c "interpreted: " <<<"$out")" = 1 ] &&
  grep -q "aot: 1 modules compiled, 1 interpreted" <<<"$out" || bad "spectest -v --aot reasons: '$out'"

# SIMD is translated (tests/aot/simd.wast checks its results); a SIMD
# module's C has simd_lanes.h, a module without v128 has none of it.
cat >simd.wat <<'WAT'
(module (func (export "f") (result i32) (i32x4.extract_lane 2 (v128.const i32x4 1 2 3 4))))
WAT
"$wat2wasm" simd.wat -o simd.wasm || exit 1
"$wasmem" compile simd.wasm -o simd.c || bad "SIMD module not translated"
grep -q "wm_v128" simd.c || bad "SIMD module's C without wm_v128"
"$wasmem" compile t.wasm -o t_nosimd.c || bad "t.wasm not translated"
grep -q "wm_v128\|WM_SIMD" t_nosimd.c && bad "a module without v128 has the SIMD header"
# A counted loop over memory is translated twice (src/aot/aot_vec.c): a
# guarded copy with 64-bit addresses, which gcc (12 and later, -O2)
# vectorises, and the exact loop; a loop that may trap once.
cat >vec.wat <<'WAT'
(module (memory 1)
  (func (export "sum") (param $p i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load (i32.add (local.get $p) (local.get $i)))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 4096))))
    (local.get $s))
  (func (export "div") (param $p i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.div_u (local.get $s) (i32.load (i32.add (local.get $p) (local.get $i)))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 4096))))
    (local.get $s)))
WAT
# versioned NAME V L: NAME.wat translated into NAME.c, with V fast loop
# heads and L exact ones; then, where cc is gcc 12 or later, its
# vectoriser's report on NAME.c in NAME.txt (else NAME.txt is empty).
gcc_major=$(cc -dumpversion 2>/dev/null | cut -d. -f1)
versioned() {
  "$wasmem" compile "$1.wat" -o "$1.c" || bad "$1.wat not translated"
  [ "$(grep -c '^V[0-9]*:;$' "$1.c")" = "$2" ] && [ "$(grep -c '^L[0-9]*:;$' "$1.c")" = "$3" ] ||
    bad "$1.c: not $2 fast loop heads and $3 exact ones"
  : >"$1.txt"
  if cc -v 2>&1 | grep -q "^gcc version" && [ "${gcc_major:-0}" -ge 12 ] 2>/dev/null; then
    cc -O2 -fPIC -w -fopt-info-vec-all -c "$1.c" -o "$1.o" 2>"$1.txt"
    return 0
  fi
  return 1
}
if versioned vec 1 2; then
  [ "$(grep -c 'optimized: loop vectorized' vec.txt)" = 1 ] ||
    bad "gcc vectorised not one loop: $(grep optimized vec.txt)"
fi
# A nest whose inner loop's guard cannot change in it (bench/memsum's
# repetitions) is one fast copy under the guard hoisted to its entry,
# whose outer loop gcc vectorises, as it does natively.
cat >nest.wat <<'WAT'
(module (memory 1)
  (func (export "reps") (param $p i32) (result i32) (local $r i32) (local $i i32) (local $s i32)
    (loop $o
      (local.set $i (i32.const 0))
      (loop $l
        (local.set $s (i32.add (local.get $s)
          (i32.xor (local.get $r) (i32.load (i32.add (local.get $p) (local.get $i))))))
        (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 4096))))
      (br_if $o (i32.ne (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 64))))
    (local.get $s)))
WAT
if versioned nest 2 2; then
  grep -q 'outer-loop already vectorized' nest.txt || bad "gcc did not vectorise the nest's outer loop"
fi
out=$("$wasmem" call simd.wasm f 2>&1)
[ "$out" = "3" ] || bad "SIMD module (interpreted): '$out'"
"$wasmem" compile simd.wasm -o simd.so || bad "SIMD module not compiled"
out=$("$wasmem" call simd.so f 2>&1)
[ "$out" = "3" ] || bad "SIMD module (compiled): '$out'"

# The C compiler: missing, failing, chosen by --cc and WASMEM_CC.
out=$("$wasmem" compile t.wasm -o x.so --cc /nonexistent/cc 2>&1) && bad "missing cc succeeded"
grep -q "cannot run the C compiler" <<<"$out" || bad "missing cc: '$out'"
out=$("$wasmem" compile t.wasm -o x.so --cc false 2>&1) && bad "failing cc succeeded"
grep -q "the C compiler 'false' failed" <<<"$out" || bad "failing cc: '$out'"
WASMEM_CC=false "$wasmem" compile t.wasm -o x.so 2>/dev/null && bad "WASMEM_CC ignored"
"$wasmem" compile t.wasm -o y.so --cc "cc -O1" || bad "--cc with arguments"

# Objects that are not ours, of another ABI, or of other bytes.
echo 'int x;' >other.c
cc -shared -fPIC -o other.so other.c || exit 1
out=$("$wasmem" call other.so add 1 2 2>&1) && bad "a foreign object loaded"
grep -q "not a module compiled by this wasmem" <<<"$out" || bad "foreign object: '$out'"
# A descriptor without its largest frame.
sed 's/&wm_frame_max}/0}/' t.c >noframe.c
cc -O0 -shared -fPIC -ffp-contract=off -o noframe.so noframe.c || exit 1
out=$("$wasmem" call noframe.so add 1 2 2>&1) && bad "an object without its largest frame loaded"
grep -q "names no largest frame" <<<"$out" || bad "no largest frame: '$out'"
sed 's/^  WM_AOT_ABI, /  99u, /' t.c >abi.c
cc -O0 -shared -fPIC -ffp-contract=off -o abi.so abi.c || exit 1
out=$("$wasmem" call abi.so add 1 2 2>&1) && bad "another ABI loaded"
grep -q "another ABI version" <<<"$out" || bad "ABI refusal: '$out'"
# The module's last byte changed (the end of the bytes' string literal: an
# octal escape or one character): its hash no longer matches.
python3 - <<'PY' || exit 1
s = open("t.c").read()
k = s.index('";', s.index("wm_wasm["))
if s[k - 4] == "\\":
    s = s[:k - 4] + "\\%03o" % ((int(s[k - 3:k], 8) + 1) % 256) + s[k:]
else:
    s = s[:k - 1] + "\\%03o" % ((ord(s[k - 1]) + 1) % 256) + s[k:]
open("hash.c", "w").write(s)
PY
cc -O0 -shared -fPIC -ffp-contract=off -o hash.so hash.c || exit 1
out=$("$wasmem" call hash.so add 1 2 2>&1) && bad "a module of other bytes loaded"
grep -q "do not match the hash" <<<"$out" || bad "hash refusal: '$out'"
out=$("$wasmem" call missing.so add 1 2 2>&1) && bad "a missing object loaded"
# A truncated object (an interrupted copy): refused, not a SIGBUS in dlopen.
head -c 3000 t.so >cut.so
out=$("$wasmem" call cut.so add 1 2 2>&1)
st=$?
[ $st = 1 ] && grep -q "is cut short" <<<"$out" || bad "truncated object: exit $st, '$out'"

# Fuel needs an object compiled --metered.
out=$("$wasmem" call t.so add 1 2 --fuel 1000 2>&1) && bad "fuel with unmetered compiled code"
grep -q "compiled without metering.*--metered" <<<"$out" || bad "fuel refusal: '$out'"
cat >spin.wat <<'WAT'
(module
  (func $spin (export "spin") (loop $l (br $l)))
  (func (export "straight") (result i32)
    i32.const 1 i32.const 2 i32.add i32.const 3 i32.mul))
WAT
"$wasmem" compile --metered spin.wat -o spin.so || bad "compile --metered"
for args in "straight --fuel 5" "straight --fuel 4" "spin --fuel 100000" "spin --timeout 0.2s"; do
  # shellcheck disable=SC2086
  a=$(timeout 20 "$wasmem" call spin.wat $args 2>&1 | head -n 1; echo "exit ${PIPESTATUS[0]}")
  # shellcheck disable=SC2086
  b=$(timeout 20 "$wasmem" call spin.so $args 2>&1 | head -n 1; echo "exit ${PIPESTATUS[0]}")
  [ "$a" = "$b" ] || bad "metered $args: interpreter '$a', compiled '$b'"
done
out=$("$wasmem" call spin.so straight --fuel 4 2>&1)
[ $? = 125 ] && grep -q "all fuel consumed" <<<"$out" || bad "compiled, out of fuel: '$out'"
out=$("$wasmem" call spin.so straight 2>&1) && [ "$out" = 9 ] || bad "metered object without limits: '$out'"

# A WASI command, compiled: the same output and exit status (its imports
# are host functions that reach the caller's memory).
cat >cmd.wat <<'WAT'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, compiled\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))
WAT
"$wat2wasm" cmd.wat -o cmd.wasm || exit 1
for g in cmd.wasm $wasi; do
  [ -f "$g" ] || continue
  "$wasmem" compile "$g" -o g.so || bad "compile $g"
  a=$("$wasmem" run "$g" 2>&1; echo "exit $?")
  b=$("$wasmem" run g.so 2>&1; echo "exit $?")
  [ "$a" = "$b" ] || bad "run $g: interpreter '$a' vs compiled '$b'"
done
"$wasmem" compile cmd.wasm -o cmd.so || bad "compile cmd.wasm"
out=$("$wasmem" run cmd.so 2>&1)
st=$?
[ "$out" = "hello, compiled" ] && [ $st = 3 ] || bad "run cmd.so: '$out', exit $st"

# A module of 2,100 functions is split into parts (one per 4,000, at
# least two) whatever -j is: -j 1 and -j 3 make the same object, whose
# calls cross the parts. f_i returns f_{i+1} + 1, the last 0.
python3 - <<'PY' || exit 1
n = 2100
with open("many.wat", "w") as f:
    f.write("(module\n")
    for i in range(n - 1):
        f.write("  (func $f%d (result i32) (i32.add (call $f%d) (i32.const 1)))\n" % (i, i + 1))
    f.write("  (func $f%d (result i32) (i32.const 0))\n" % (n - 1))
    f.write("  (export \"first\" (func $f0)))\n")
PY
"$wat2wasm" many.wat -o many.wasm || exit 1
"$wasmem" compile -j 1 many.wasm -o many1.so || bad "compile -j 1 many.wasm"
"$wasmem" compile -j 3 many.wasm -o many3.so || bad "compile -j 3 many.wasm"
cmp -s many1.so many3.so || bad "-j 1 and -j 3 made different objects"
out=$("$wasmem" call many3.so first 2>&1)
[ "$out" = 2099 ] || bad "call many3.so first: '$out'"

# Metered tail calls charge the interpreter's fuel: the least fuel with
# which a chain of them (pending, between two signatures; and a function's
# call of itself) completes is the same compiled.
cat >tails.wat <<'WAT'
(module
  (func $even (export "even") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 44))
      (else (return_call $odd (i64.extend_i32_u (i32.sub (local.get 0) (i32.const 1)))))))
  (func $odd (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 99))
      (else (return_call $even (i32.wrap_i64 (i64.sub (local.get 0) (i64.const 1)))))))
  (func $count (export "count") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7))
      (else (return_call $count (i32.sub (local.get 0) (i32.const 1)))))))
WAT
"$wasmem" compile --metered tails.wat -o tails.so || bad "compile --metered tails.wat"
least_fuel() { # FILE FUNC: bisection over 1..20000
  local lo=1 hi=20000 mid
  while [ $((hi - lo)) -gt 1 ]; do
    mid=$(((lo + hi) / 2))
    if "$wasmem" call "$1" "$2" 1000 --fuel $mid >/dev/null 2>&1; then hi=$mid; else lo=$mid; fi
  done
  echo $hi
}
for fn in even count; do
  a=$(least_fuel tails.wat $fn)
  b=$(least_fuel tails.so $fn)
  [ "$a" = "$b" ] && [ "$a" -lt 20000 ] || bad "tail calls' fuel, $fn: interpreter $a, compiled $b"
done

[ $fail = 0 ] && echo "aot.sh: all passed"
exit $fail
