#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# wasi_unstable.sh -- `wasmem call` gives a module that imports only
# wasi_unstable (snapshot 0) its WASI context, as it does for preview1.
# usage: wasi_unstable.sh WASMEM WAT2WASM WORKDIR
set -u
wasmem=$1 wat2wasm=$2 work=$3
mkdir -p "$work"
cat > "$work/u.wat" <<'WAT'
(module
  (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "seek") (param i32) (result i32)
    (call $seek (local.get 0) (i64.const 0) (i32.const 0) (i32.const 8))))
WAT
"$wat2wasm" "$work/u.wat" -o "$work/u.wasm" || exit 1
# fd 99 is not open: EBADF (8) from the host function, not an unknown import.
out=$("$wasmem" call "$work/u.wasm" seek 99 2>&1)
if [ "$out" != 8 ]; then
  echo "FAIL: wasmem call seek 99: want 8, got: $out"
  exit 1
fi
echo ok
