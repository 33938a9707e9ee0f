#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check_seed.sh WASMEM OUTDIR VARIANT -- the seed article's cases under
# `wasmem check`: the clean walkthrough calls (every variant) report zero
# errors and zero leaks; for the Rust guests, the article's double free (the
# host frees an input array_sum already freed) is reported with both frees'
# stacks, and a host that never frees upper's result leaks exactly its 24
# bytes. Exit 77 when the variant was not built.
set -uo pipefail
wasmem=$1 out=$2 v=$3
wasm=$out/$v.wasm
[ -f "$wasm" ] || { echo "skip: $v.wasm not built"; exit 77; }
fail=0
text="this should be uppercase"
transfer=()
case $v in rust|rust-wasi) transfer=(--transfer) ;; esac
as=()
case $v in as*) as=(--alloc asc) ;; esac

# expect NAME STATUS PATTERN... -- CMD: run CMD, require its exit status and
# every PATTERN (grep -E) in its stderr.
expect() {
  local name=$1 want=$2; shift 2
  local pats=()
  while [ "$1" != "--" ]; do pats+=("$1"); shift; done
  shift
  local err
  err=$("$@" 2>&1 >/dev/null)
  local st=$?
  local ok=1
  [ "$st" = "$want" ] || { echo "FAIL $v $name: exit $st, want $want"; ok=0; }
  for p in "${pats[@]}"; do
    grep -Eq -- "$p" <<<"$err" || { echo "FAIL $v $name: no /$p/ in the report"; ok=0; }
  done
  if [ $ok = 1 ]; then echo "ok   $v $name"; else fail=1; printf '%s\n' "$err" | sed 's/^/     | /'; fi
}

clean=("ERROR SUMMARY: 0 errors from 0 contexts" "definitely lost: 0 bytes|allocator: .*not")
expect "clean array_sum" 0 "${clean[@]}" -- \
  "$wasmem" check --error-exitcode=9 call "$wasm" array_sum --bytes 1,2,3,4,5 "${transfer[@]}" "${as[@]}"
expect "clean upper" 0 "${clean[@]}" -- \
  "$wasmem" check --error-exitcode=9 call "$wasm" upper --string "$text" --result string:same-len "${transfer[@]}" "${as[@]}"

case $v in
rust|rust-wasi)
  expect "double free" 9 "Free of a block the host owns" "Double free" \
    "by array_sum" "by dealloc" "the host \(wm_block_free\)" "is 0 bytes inside a block of size 5 free'd" \
    "ERROR SUMMARY: 2 errors from 2 contexts" -- \
    "$wasmem" check --error-exitcode=9 call "$wasm" array_sum --bytes 1,2,3,4,5
  expect "upper result leaked" 9 "24 bytes in 1 blocks are not freed by the host" \
    "not freed by host: 24 bytes in 1 blocks" "definitely lost: 0 bytes in 0 blocks" -- \
    "$wasmem" check --error-exitcode=9 call "$wasm" upper --string "$text" --result string:same-len \
    --transfer --keep-result
  ;;
esac
exit $fail
