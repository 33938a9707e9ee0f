#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cache.sh -- the code cache of `wasmem call` and `run`: modules under
# WASMEM_CACHE_MIN bytes (1 MiB by default) are not cached; others get one
# file under $XDG_CACHE_HOME/wasmem (else ~/.cache/wasmem), which the next
# start uses (and gains the list of the functions a run called first, for
# the next start to lower ahead, and the code the run lowered, which the
# next start installs instead of lowering); a truncated or corrupted file is
# replaced, never trusted;
# --no-cache neither reads nor writes; a cache home that cannot be written
# changes nothing but the speed.
# usage: cache.sh WASMEM WAT2WASM WORKDIR
set -u
wasmem=$1 wat2wasm=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
fail=0

check() {
  if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

cat >"$work/m.wat" <<'WAT'
(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "_start")))
WAT
"$wat2wasm" "$work/m.wat" -o "$work/m.wasm" || exit 1
export XDG_CACHE_HOME="$work/xdg"
dir="$XDG_CACHE_HOME/wasmem"
unset WASMEM_CACHE_MIN

out=$("$wasmem" call "$work/m.wasm" add 1 2)
check "small module: runs" '[ "$out" = 3 ]'
check "small module: not cached" '[ ! -e "$dir" ]'

export WASMEM_CACHE_MIN=0
out=$("$wasmem" call "$work/m.wasm" add 1 2)
check "first call: runs" '[ "$out" = 3 ]'
files=$(ls "$dir"/*.wmc 2>/dev/null | wc -l)
check "first call: writes one file" '[ "$files" = 1 ]'
f=$(ls "$dir"/*.wmc 2>/dev/null | head -n 1)
check "the file is named by a 128-bit hash" '[[ "$(basename "$f")" =~ ^[0-9a-f]{32}\.wmc$ ]]'
cp "$f" "$work/good.wmc"
out=$("$wasmem" call "$work/m.wasm" add 2 3)
check "cached call: runs" '[ "$out" = 5 ]'
check "cached call: file unchanged" 'cmp -s "$f" "$work/good.wmc"'

head -c 10 "$work/good.wmc" >"$f"
out=$("$wasmem" call "$work/m.wasm" add 3 4 2>"$work/err")
check "truncated file: runs" '[ "$out" = 7 ] && [ ! -s "$work/err" ]'
check "truncated file: replaced" 'cmp -s "$f" "$work/good.wmc"'

# Same size, one byte changed in the body table.
{ head -c 64 "$work/good.wmc"; printf '\377'; tail -c +66 "$work/good.wmc"; } >"$f"
check "corrupted file: same size" '[ "$(stat -c %s "$f")" = "$(stat -c %s "$work/good.wmc")" ]'
out=$("$wasmem" call "$work/m.wasm" add 4 5)
check "corrupted file: runs" '[ "$out" = 9 ]'
check "corrupted file: replaced" 'cmp -s "$f" "$work/good.wmc"'

rm -rf "$dir"
out=$("$wasmem" call "$work/m.wasm" add 1 1 --no-cache)
check "call --no-cache: runs" '[ "$out" = 2 ]'
check "call --no-cache: writes nothing" '[ ! -e "$dir" ]'
"$wasmem" run --no-cache "$work/m.wasm"
check "run --no-cache: exit 0" '[ $? = 0 ] && [ ! -e "$dir" ]'
"$wasmem" run "$work/m.wasm" --no-cache 2>"$work/err"
check "run: --no-cache after the module is the guest's" \
  'grep -q "passed to the guest" "$work/err" && [ -e "$dir" ]'
# The file of `call add` (its first-call list: add; add's lowered code); a
# run's first call is _start, which the list (WM_MODULE_PRELOWER) gains --
# one u32 more -- and whose lowered code (an entry of 24 bytes and its
# cells) the file gains too.
cp "$work/good.wmc" "$(ls "$dir"/*.wmc)"
"$wasmem" run "$work/m.wasm"
check "run: cached start, exit 0, _start noted" \
  '[ $? = 0 ] && [ "$(stat -c %s "$(ls "$dir"/*.wmc)")" -gt "$(( $(stat -c %s "$work/good.wmc") + 4 + 24 ))" ]'
cp "$(ls "$dir"/*.wmc)" "$work/run.wmc"
"$wasmem" run "$work/m.wasm"
check "run again: file unchanged" '[ $? = 0 ] && cmp -s "$(ls "$dir"/*.wmc)" "$work/run.wmc"'

# A relative XDG_CACHE_HOME is ignored (XDG): ~/.cache/wasmem instead.
rm -rf "$dir"
out=$(HOME="$work/home" XDG_CACHE_HOME=relative "$wasmem" call "$work/m.wasm" add 1 2)
check "relative XDG_CACHE_HOME: HOME's cache" \
  '[ "$out" = 3 ] && [ -e "$work/home/.cache/wasmem" ] && [ ! -e relative ]'
# A cache home that is a file: nothing cached, nothing said, same result.
touch "$work/blocked"
out=$(XDG_CACHE_HOME="$work/blocked" "$wasmem" call "$work/m.wasm" add 1 2 2>"$work/err")
check "unwritable cache home: runs silently" '[ "$out" = 3 ] && [ ! -s "$work/err" ]'
# validate never trusts the cache: it validates every time.
out=$("$wasmem" validate "$work/m.wasm")
check "validate: valid" '[ "$out" = "$work/m.wasm: valid" ]'

exit $fail
