#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# article.sh -- the seed article's own AssemblyScript module (as-article.wasm,
# examples/seed/as/assembly/article.ts as printed: alloc returns one static
# 8-byte slot, there is no dealloc and no upper). `wasmem call array_sum
# --bytes 1,2,3,4,5` prints 15, exits 0 and says on stderr, in one line,
# that the block could not be freed; the article's JavaScript host under
# node (examples/seed/host.js) gives 15 with the same note.
# Usage: tests/guests/article.sh WASMEM GUESTDIR
# Exits 77 (CTest's skip) when as-article was not built, except with CI=true.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
wasmem=${1:?usage: article.sh WASMEM GUESTDIR}
gdir=${2:?}
wasm=$gdir/as-article.wasm
if ! grep -qx as-article "$gdir/variants" 2>/dev/null || [ ! -f "$wasm" ]; then
  echo "SKIP: as-article was not built (AssemblyScript missing?)"
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
errf=$(mktemp)
trap 'rm -f "$errf"' EXIT
pass=0 fail=0
# check NAME WANT_OUT WANT_ERR -- CMD...: exit 0, exactly this stdout and stderr.
check() {
  local name=$1 want_out=$2 want_err=$3; shift 4
  local out err rc
  out=$("$@" 2>"$errf"); rc=$?
  err=$(cat "$errf")
  if [ $rc -eq 0 ] && [ "$out" = "$want_out" ] && [ "$err" = "$want_err" ]; then
    echo "ok   $name"; pass=$((pass + 1))
  else
    printf 'FAIL %s: exit %d\n  stdout: %s\n  stderr: %s\n' "$name" $rc "$out" "$err"
    fail=$((fail + 1))
  fi
}
note="1 guest block (5 bytes) could not be freed: the guest exports alloc but no dealloc"
check "wasmem call array_sum [1,2,3,4,5] = 15, the block noted" 15 "wasmem: warning: $note" -- \
  "$wasmem" call "$wasm" array_sum --bytes 1,2,3,4,5
if command -v node >/dev/null; then
  check "node host.js array_sum [1,2,3,4,5] = 15, the block noted" 15 "host.js: warning: $note" -- \
    node "$top/examples/seed/host.js" "$wasm" array_sum --bytes 1,2,3,4,5
else
  echo "note: node not found: the JavaScript host is not compared"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
