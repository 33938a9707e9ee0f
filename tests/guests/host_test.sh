#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# host_test.sh -- runs examples/seed/host.c (the article's host in C on
# wasmem's core API) on one seed guest and checks the article's results; for
# the Rust guest also replays the article's double free (no --transfer: the
# host frees an input the guest already freed), which must end in a trap
# inside the guest's dealloc, not a pass.
# Usage: tests/guests/host_test.sh SEED_HOST GUESTDIR VARIANT [--ownership]
# Exits 77 (CTest's skip) when the variant was not built, except with CI=true.
set -uo pipefail
host=${1:?usage: host_test.sh SEED_HOST GUESTDIR VARIANT}
gdir=${2:?}
variant=${3:?}
wasm=$gdir/$variant.wasm
if ! grep -qx "$variant" "$gdir/variants" 2>/dev/null || [ ! -f "$wasm" ]; then
  echo "SKIP: guest '$variant' was not built"
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
own=()
case $variant in rust*) own=(--transfer) ;; esac

# --ownership: SEED_HOST is examples/seed/ownership.c's program instead.
if [ "${4:-}" = --ownership ]; then
  got=$("$host" "$wasm" 2>&1); rc=$?
  printf '%s\n' "$got"
  if [ $rc -eq 0 ] && grep -q 'transferred to the guest' <<<"$got" && grep -q 'double free' <<<"$got"; then
    echo "1 passed, 0 failed"; exit 0
  fi
  echo "0 passed, 1 failed"; exit 1
fi

want='array_sum([1, 2, 3, 4, 5]) = 15
upper("this should be uppercase") = "THIS SHOULD BE UPPERCASE"'
got=$("$host" "$wasm" "${own[@]}" 2>&1)
pass=0 fail=0
if [ "$got" = "$want" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); printf 'FAIL %s:\n%s\n' "$variant" "$got"
fi
if [ "$variant" = rust ]; then
  got=$("$host" "$wasm" 2>&1); rc=$?
  if [ $rc -ne 0 ] && grep -q 'dealloc' <<<"$got"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); printf 'FAIL %s double free (exit %d):\n%s\n' "$variant" $rc "$got"
  fi
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
