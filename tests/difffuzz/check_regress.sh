#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check_regress.sh -- one regression module of the differential fuzzer: both
# interpreter loops must print exactly what V8 printed (the .out file beside
# the module, made by `node v8_exec.js X.wasm`).
# Usage: tests/difffuzz/check_regress.sh WM_FUZZ_EXEC X.wasm
set -uo pipefail
exec_bin=${1:?usage: check_regress.sh WM_FUZZ_EXEC X.wasm}
wasm=${2:?usage: check_regress.sh WM_FUZZ_EXEC X.wasm}
expected=${wasm%.wasm}.out
status=0
for flags in "" --checked; do
  # shellcheck disable=SC2086 # flags is one word or none
  if ! diff -u "$expected" <("$exec_bin" $flags "$wasm" 2>&1); then
    echo "FAIL: $wasm ${flags:-(plain)} differs from V8's output"
    status=1
  fi
done
exit $status
