#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_max_memory.sh -- `--max-memory SIZE` on `wasmem call` and `wasmem run`:
# memory.grow past the budget returns -1, a larger initial memory fails to
# instantiate with a message naming the limit, and malformed sizes are
# refused with exit status 2.
# usage: cli_max_memory.sh WASMEM WAT2WASM WORKDIR
set -u
wasmem=$1 wat2wasm=$2 work=$3
mkdir -p "$work"
fail=0

cat >"$work/grow.wat" <<'WAT'
(module
  (memory (export "memory") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
WAT
cat >"$work/big.wat" <<'WAT'
(module (memory 32) (func (export "f")))
WAT
# A command whose exit code is 10 + what memory.grow 16 returned.
cat >"$work/start.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.add (i32.const 10) (memory.grow (i32.const 16))))))
WAT
for m in grow big start; do
  "$wat2wasm" "$work/$m.wat" -o "$work/$m.wasm" || exit 1
done

. "$(dirname "$0")/expect.sh"

g="$work/grow.wasm"
expect "call: no limit" 0 1 '' -- "$wasmem" call "$g" grow 16
expect "call: within 1M" 0 1 '' -- "$wasmem" call "$g" grow 15 --max-memory 1M
expect "call: past 1M" 0 -1 '' -- "$wasmem" call "$g" grow 16 --max-memory 1M
expect "call: 64K, option first" 0 -1 '' -- "$wasmem" call "$g" grow --max-memory 64K 1
expect "call: 1MiB spelled out" 0 1 '' -- "$wasmem" call "$g" grow 15 --max-memory 1MiB
expect "call: bytes" 0 -1 '' -- "$wasmem" call "$g" grow 1 --max-memory 65536
expect "call: initial memory too large" 1 '' 'runtime limit exceeded: 2097152 more bytes of memory would pass the budget of 1048576 .*max_memory_bytes' \
  -- "$wasmem" call "$work/big.wasm" f --max-memory 1M
expect "call: malformed size" 2 '' "call: --max-memory '12X': expected a size" \
  -- "$wasmem" call "$g" grow 1 --max-memory 12X
expect "call: zero" 2 '' "call: --max-memory '0': expected a size" \
  -- "$wasmem" call "$g" grow 1 --max-memory 0
expect "call: too large" 2 '' "expected a size" \
  -- "$wasmem" call "$g" grow 1 --max-memory 99999999999999999T
expect "call: no value" 2 '' "option --max-memory needs a value" \
  -- "$wasmem" call "$g" grow 1 --max-memory

s="$work/start.wasm"
expect "run: no limit" 11 '' '' -- "$wasmem" run "$s"
expect "run: past 1M" 9 '' '' -- "$wasmem" run --max-memory 1M "$s"
expect "run: within 2M" 11 '' '' -- "$wasmem" run --max-memory 2M "$s"
expect "run: initial memory too large" 2 '' 'max_memory_bytes' \
  -- "$wasmem" run --max-memory 1M "$work/big.wasm"
expect "run: malformed size" 2 '' "run: --max-memory 'lots': expected a size" \
  -- "$wasmem" run --max-memory lots "$s"
exit $fail
