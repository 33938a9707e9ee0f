#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run_aot.sh -- `run --aot` and `call --aot`: compiled once into the code
# cache and reused; the cache's trust rule (a directory or object that is
# not the user's alone, a symlink, a corrupted object: never loaded, told
# once, compiled again); --no-cache; falling back to the interpreter for
# what is not compiled yet, failing for a broken compiler; two processes
# compiling one module at once; `compile -j` splitting a big module.
# usage: run_aot.sh WASMEM WAT2WASM WORKDIR
set -u
wasmem=$1 wat2wasm=$2 work=$3
rm -rf "$work"
mkdir -p "$work/tmp"
cd "$work" || exit 1
export XDG_CACHE_HOME=$work/cache TMPDIR=$work/tmp
unset WASMEM_CC
aotdir=$XDG_CACHE_HOME/wasmem/aot
fail=0
bad() { echo "FAIL: $*"; fail=1; }
objects() { find "$aotdir" -name '*.so' 2>/dev/null | sort; }

cat >cmd.wat <<'WAT'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, cached\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 14))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))
WAT
"$wat2wasm" cmd.wat -o cmd.wasm || exit 1
cat >t.wat <<'WAT'
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1))))
WAT

# 1. Compiled on the first run, the same output and status as the
# interpreter; loaded from the cache on the next (a compiler that fails
# would be noticed: the object is not made again).
a=$("$wasmem" run cmd.wasm 2>&1; echo "exit $?")
b=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
[ "$a" = "$b" ] && [ "$a" = $'hello, cached\nexit 3' ] || bad "run --aot: interpreter '$a' vs compiled '$b'"
[ "$(objects | wc -l)" = 1 ] || bad "one object in the cache: $(objects)"
obj=$(objects | head -n 1)
[ "$(stat -c %a "$aotdir")" = 700 ] || bad "cache directory mode $(stat -c %a "$aotdir")"
[ "$(stat -c %a "$obj")" = 600 ] || bad "object mode $(stat -c %a "$obj")"
ino=$(stat -c %i "$obj")
b=$(WASMEM_CC=false "$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
# (WASMEM_CC is part of the key: false is another key, so it must fail.)
[ "$b" != "$a" ] || bad "another compiler reused the object compiled by cc"
b=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
[ "$b" = "$a" ] && [ "$(stat -c %i "$obj")" = "$ino" ] || bad "second run: '$b', object replaced"
out=$("$wasmem" call t.wat add --aot 2 40 2>&1) && [ "$out" = 42 ] || bad "call --aot: '$out'"
out=$("$wasmem" call t.wat div 1 0 --aot 2>&1)
[ $? = 1 ] && grep -q "integer divide by zero" <<<"$out" || bad "call --aot trap: '$out'"
[ "$(objects | wc -l)" = 2 ] || bad "two objects in the cache: $(objects)"
# --fuel compiles metered code, cached apart from the unmetered object.
out=$("$wasmem" call t.wat add 1 2 --aot --fuel 100 2>&1)
[ "$out" = 3 ] || bad "--aot --fuel: '$out'"
[ "$(objects | wc -l)" = 3 ] || bad "a metered object beside the unmetered: $(objects)"
out=$("$wasmem" call t.wat add 1 2 --aot --fuel 2 2>&1)
[ $? = 125 ] && grep -q "all fuel consumed" <<<"$out" || bad "--aot, out of fuel: '$out'"
[ "$(objects | wc -l)" = 3 ] || bad "the metered object reused: $(objects)"

# 2. A corrupted object: refused with one note, compiled again, run.
ls "$aotdir"/*.so >/dev/null
for o in $(objects); do printf 'garbage' >"$o"; done
out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
[ "$(grep -c "note: cached compiled object .* refused" <<<"$out")" = 1 ] && grep -q "compiling it again" <<<"$out" ||
  bad "corrupted object: '$out'"
[ "$(grep -v note: <<<"$out")" = "$a" ] || bad "corrupted object, output: '$out'"
out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
[ "$out" = "$a" ] || bad "after recompiling: '$out'"
# A truncated object.
key=$(ls -t "$aotdir"/*.so | head -n 1)
head -c 2000 "$key" >"$key.x" && mv "$key.x" "$key" && chmod 600 "$key"
out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
grep -q "refused" <<<"$out" && [ "$(grep -v note: <<<"$out")" = "$a" ] || bad "truncated object: '$out'"

# 3. The trust rule: an object writable by others, a symlink, a hard link.
key=$(ls -t "$aotdir"/*.so | head -n 1)
chmod 666 "$key"
out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
grep -q "refused (it is writable by group or others)" <<<"$out" || bad "object writable by others: '$out'"
[ "$(stat -c %a "$key")" = 600 ] || bad "object not replaced: mode $(stat -c %a "$key")"
cp "$key" "$work/elsewhere.so"
ln -sf "$work/elsewhere.so" "$key"
out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
grep -q "refused (it is not a regular file)" <<<"$out" && [ ! -L "$key" ] || bad "symlinked object: '$out'"
ln -f "$key" "$work/hardlink.so"
out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
grep -q "refused (it has other hard links)" <<<"$out" || bad "hard-linked object: '$out'"
rm -f "$work/hardlink.so"

# 4. A cache directory writable by others, or not the user's: not used
# (a temporary object instead, one note), nothing written there.
chmod 777 "$aotdir"
n=$(ls -A "$aotdir" | wc -l)
out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
grep -q "note: not using the compiled-code cache .*/aot: it is writable by group or others" <<<"$out" &&
  [ "$(grep -v note: <<<"$out")" = "$a" ] || bad "cache writable by others: '$out'"
[ "$(ls -A "$aotdir" | wc -l)" = "$n" ] || bad "wrote into an untrusted cache"
chmod 700 "$aotdir"
chmod 775 "$XDG_CACHE_HOME/wasmem"
out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
grep -q "not using the compiled-code cache .*/wasmem: it is writable" <<<"$out" || bad "parent writable by others: '$out'"
chmod 700 "$XDG_CACHE_HOME/wasmem"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
  chown nobody "$aotdir"
  out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
  grep -q "not using the compiled-code cache .*: it is not owned by you" <<<"$out" &&
    [ "$(grep -v note: <<<"$out")" = "$a" ] || bad "cache not owned: '$out'"
  chown root "$aotdir"
  key=$(ls -t "$aotdir"/*.so | head -n 1)
  chown nobody "$key"
  out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
  grep -q "refused (it is not owned by you)" <<<"$out" || bad "object not owned: '$out'"
else
  echo "note: not root: ownership cases skipped"
fi
mv "$aotdir" "$work/aot.real" && ln -s "$work/aot.real" "$aotdir"
out=$("$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
grep -q "not using the compiled-code cache" <<<"$out" && [ "$(grep -v note: <<<"$out")" = "$a" ] ||
  bad "symlinked cache directory: '$out'"
rm "$aotdir" && mv "$work/aot.real" "$aotdir"
[ -z "$(ls -A "$TMPDIR")" ] || bad "temporary files left: $(ls -A "$TMPDIR")"

# 5. --no-cache: a temporary object, removed; the cache untouched.
rm -rf "$XDG_CACHE_HOME"
out=$("$wasmem" run --aot --no-cache cmd.wasm 2>&1; echo "exit $?")
[ "$out" = "$a" ] || bad "--no-cache: '$out'"
[ ! -e "$XDG_CACHE_HOME/wasmem" ] || bad "--no-cache wrote the cache"
[ -z "$(ls -A "$TMPDIR")" ] || bad "--no-cache left $(ls -A "$TMPDIR")"

# 6. What is not compiled yet runs in the interpreter after one note; a
# compiler that is missing or fails is an error (exit 2), nothing cached.
cat >exn.wat <<'WAT'
(module (memory 1 1 shared) (func (export "f") (result i32) (call $g)) (func $g (result i32) (i32.const 2)))
WAT
out=$("$wasmem" call exn.wat f --aot 2>&1; echo "exit $?")
[ "$out" = $'wasmem: note: exn.wat: wasmem compile: shared memory (threads) not supported yet; running it in the interpreter\n2\nexit 0' ] ||
  bad "a shared memory with --aot: '$out'"
rm -rf "$XDG_CACHE_HOME"
out=$(WASMEM_CC=/nonexistent/cc "$wasmem" run --aot cmd.wasm 2>&1; echo "exit $?")
grep -q "cannot run the C compiler '/nonexistent/cc'" <<<"$out" && grep -q "cannot compile the module (run without --aot" <<<"$out" &&
  [ "$(tail -n 1 <<<"$out")" = "exit 2" ] || bad "missing cc: '$out'"
out=$(WASMEM_CC=false "$wasmem" call t.wat add 1 2 --aot 2>&1; echo "exit $?")
grep -q "the C compiler 'false' failed" <<<"$out" && [ "$(tail -n 1 <<<"$out")" = "exit 1" ] || bad "failing cc: '$out'"
[ -z "$(find "$aotdir" -name '*.so*')" ] || bad "a failed compile left $(find "$aotdir" -name '*.so*')"
[ -z "$(ls -A "$TMPDIR")" ] || bad "a failed compile left $(ls -A "$TMPDIR")"
# Not a regular file: the bytes are the key.
out=$(cat t.wat | "$wasmem" call /dev/stdin add 1 2 --aot 2>&1; echo "exit $?")
grep -q "needs a regular file" <<<"$out" || bad "--aot on a pipe: '$out'"
out=$("$wasmem" run --aot missing.wasm 2>&1; echo "exit $?")
grep -q "missing.wasm: No such file" <<<"$out" && [ "$(tail -n 1 <<<"$out")" = "exit 2" ] || bad "missing module: '$out'"
printf 'garbage!' >garbage.wasm
out=$("$wasmem" run --aot garbage.wasm 2>&1; echo "exit $?")
[ "$(tail -n 1 <<<"$out")" = "exit 2" ] && grep -q "garbage.wasm:" <<<"$out" || bad "malformed module: '$out'"
# An object given to --aot is loaded as it is.
"$wasmem" compile cmd.wasm -o cmd.so || bad "compile cmd.wasm"
out=$("$wasmem" run --aot cmd.so 2>&1; echo "exit $?")
[ "$out" = "$a" ] || bad "--aot of an object: '$out'"

# 7. Two processes at once (four here) compiling the same module: one
# compiles (a slow compiler, counted), the others wait and load its
# object; nobody sees half an object, nothing temporary is left.
rm -rf "$XDG_CACHE_HOME"
cat >slowcc <<SH
#!/bin/sh
echo run >>"$work/cc.log"
sleep 1
exec cc "\$@"
SH
chmod +x slowcc
: >cc.log
pids=()
for i in 1 2 3 4; do
  WASMEM_CC=$work/slowcc "$wasmem" run --aot cmd.wasm >"par$i.out" 2>&1 &
  pids+=($!)
done
for i in 1 2 3 4; do
  wait "${pids[$((i - 1))]}"
  st=$?
  [ "$(cat "par$i.out")"$'\n'"exit $st" = "$a" ] || bad "concurrent run $i: '$(cat "par$i.out")', exit $st"
done
# (Once to compile, once to link: one process did it.)
[ "$(wc -l <cc.log)" = 2 ] || bad "the compiler ran $(wc -l <cc.log) times"
[ "$(objects | wc -l)" = 1 ] || bad "objects after the concurrent runs: $(objects)"
[ -z "$(find "$aotdir" -name '.*tmp*')" ] || bad "temporary objects left: $(find "$aotdir" -name '.*tmp*')"

# 8. `compile -j`: a module of 2,100 functions, split into 3 C files
# compiled at once and linked: direct calls and call_indirect cross parts.
{
  echo '(module (type $t (func (param i32) (result i32))) (table 2100 funcref)'
  echo '  (elem (i32.const 0) func'
  for ((i = 0; i < 2100; i++)); do printf ' $f%d' $i; done
  echo ')'
  echo '  (func $f0 (type $t) (local.get 0))'
  for ((i = 1; i < 2100; i++)); do
    echo "  (func \$f$i (type \$t) (i32.add (i32.const $i) (call \$f$((i - 1)) (local.get 0))))"
  done
  echo '  (func (export "top") (param i32) (result i32) (call $f2099 (local.get 0)))'
  echo '  (func (export "ind") (param i32 i32) (result i32) (call_indirect (type $t) (local.get 1) (local.get 0))))'
} >big.wat
"$wasmem" compile big.wat -o big.so -j 3 || bad "compile -j 3"
for c in "top 5" "ind 1 2099" "ind 7 1000" "ind 0 2100"; do
  a2=$("$wasmem" call big.wat $c 2>&1 | head -n 1)
  b2=$("$wasmem" call big.so $c 2>&1 | head -n 1)
  [ "$a2" = "$b2" ] || bad "split object, call $c: interpreter '$a2' vs compiled '$b2'"
done
"$wasmem" compile big.wat -o big.c -j 3 && [ "$(grep -c 'wasmem_aot_module_v1' big.c)" = 1 ] || bad "compile -j to C"
out=$("$wasmem" compile big.wat -o x.so -j 0 2>&1) && bad "-j 0 accepted"
grep -q "expected a number of jobs" <<<"$out" || bad "-j 0: '$out'"
[ -z "$(ls -A "$TMPDIR")" ] || bad "compile -j left $(ls -A "$TMPDIR")"

# A compiler that writes its object and then fails leaves nothing behind.
cat >halfcc.sh <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -o ] && { echo half >"$2"; }; shift; done
exit 1
SH
chmod +x halfcc.sh
rm -rf "$XDG_CACHE_HOME"
out=$(WASMEM_CC=$work/halfcc.sh "$wasmem" call t.wat add 1 2 --aot 2>&1; echo "exit $?")
[ "$(tail -n 1 <<<"$out")" = "exit 1" ] || bad "half-writing cc: '$out'"
[ -z "$(find "$aotdir" -name '*.so*')" ] || bad "a failed compile left $(find "$aotdir" -name '*.so*')"
# A compiler command of more than 40 words is refused, not cut.
many="cc$(printf ' -DW%d' $(seq 1 40))"
out=$(WASMEM_CC=$many "$wasmem" call t.wat add 1 2 --aot 2>&1; echo "exit $?")
grep -q "more than 40 words" <<<"$out" && [ "$(tail -n 1 <<<"$out")" = "exit 1" ] || bad "41-word cc: '$out'"
# However long the compiler's command, two modules never share a key.
long="cc -DPAD=$(head -c 8200 /dev/zero | tr '\0' x)"
cat >one.wat <<'WAT'
(module (func (export "f") (result i32) (i32.const 1)))
WAT
cat >two.wat <<'WAT'
(module (func (export "f") (result i32) (i32.const 2)))
WAT
o1=$(WASMEM_CC=$long "$wasmem" call one.wat f --aot 2>&1)
o2=$(WASMEM_CC=$long "$wasmem" call two.wat f --aot 2>&1)
[ "$o1" = 1 ] && [ "$o2" = 2 ] || bad "long cc command: one.wat '$o1', two.wat '$o2'"

# Where 8 GiB of address space cannot be reserved (ulimit -v), guarded code
# says what to do, and --bounds-checks does it. (Skipped where the
# interpreter itself cannot run under the limit: a sanitizer's shadow.)
cat >mem.wat <<'WAT'
(module (memory 1) (func (export "f") (result i32) (i32.load (i32.const 0))))
WAT
if (ulimit -v 6000000; "$wasmem" call mem.wat f >/dev/null 2>&1); then
  out=$( (ulimit -v 6000000; "$wasmem" call mem.wat f --aot 2>&1; echo "exit $?") )
  grep -q "compile with --bounds-checks" <<<"$out" && [ "$(tail -n 1 <<<"$out")" = "exit 1" ] ||
    bad "guarded under ulimit -v: '$out'"
  out=$( (ulimit -v 6000000; "$wasmem" call mem.wat f --aot --bounds-checks 2>&1) )
  [ "$out" = 0 ] || bad "--bounds-checks under ulimit -v: '$out'"
fi

[ $fail = 0 ] && echo "run_aot.sh: all passed"
exit $fail
