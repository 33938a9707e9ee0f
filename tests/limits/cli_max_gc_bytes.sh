#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_max_gc_bytes.sh -- `--max-gc-bytes SIZE` on `wasmem call`, `run` and
# `spectest`: garbage far past the budget is collected, live objects past
# it trap "out of GC memory" naming the budget, and malformed sizes are
# refused with exit status 2.
# usage: cli_max_gc_bytes.sh WASMEM WORKDIR
set -u
wasmem=$1 work=$2
mkdir -p "$work"
fail=0

cat >"$work/gc.wat" <<'WAT'
(module
  (type $node (struct (field i32) (field (mut (ref null $node)))))
  (type $bytes (array (mut i8)))
  (global $list (mut (ref null $node)) (ref.null $node))
  ;; n arrays of 4 KiB nothing keeps, then 7
  (func (export "garbage") (param $n i32) (result i32)
    (loop $l
      (drop (array.new_default $bytes (i32.const 4096)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.const 7))
  ;; a list of n live nodes (40 bytes each), then the first node's value
  (func $hoard (export "hoard") (param $n i32) (result i32)
    (loop $l
      (global.set $list (struct.new $node (local.get $n) (global.get $list)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (struct.get $node 0 (global.get $list)))
  (func (export "_start") (drop (call $hoard (i32.const 100000)))))
WAT

. "$(dirname "$0")/expect.sh"

m="$work/gc.wat"
expect "call: 4 MB of garbage under 64K" 0 7 '' -- "$wasmem" call "$m" garbage 1000 --max-gc-bytes 64K
expect "call: a live list within 64K" 0 1 '' -- "$wasmem" call "$m" hoard 1000 --max-gc-bytes 64K
expect "call: a live list past 64K" 1 '' 'trap: out of GC memory: an object of 16 bytes would pass max_gc_bytes \(65536 bytes' \
  -- "$wasmem" call "$m" hoard 100000 --max-gc-bytes 64K
expect "call: the default budget holds it" 0 1 '' -- "$wasmem" call "$m" hoard 100000
expect "call: malformed size" 2 '' "call: --max-gc-bytes '12X': expected a size" \
  -- "$wasmem" call "$m" garbage 1 --max-gc-bytes 12X
expect "call: no value" 2 '' "option --max-gc-bytes needs a value" \
  -- "$wasmem" call "$m" garbage 1 --max-gc-bytes
expect "run: past 64K traps" 134 '' 'out of GC memory' -- "$wasmem" run --max-gc-bytes 64K "$m"
expect "run: within 8M" 0 '' '' -- "$wasmem" run --max-gc-bytes 8M "$m"
expect "run: malformed size" 2 '' "run: --max-gc-bytes 'lots': expected a size" \
  -- "$wasmem" run --max-gc-bytes lots "$m"
expect "run: option after the module" 0 '' "note: '--max-gc-bytes' comes after" \
  -- "$wasmem" run "$m" --max-gc-bytes 64K
cat >"$work/s.wast" <<'WAST'
(module
  (type $bytes (array (mut i8)))
  (func (export "big") (drop (array.new_default $bytes (i32.const 100000)))))
(assert_trap (invoke "big") "out of GC memory")
WAST
expect "spectest: the budget applies" 0 '2 passed, 0 failed, 0 skipped' '' \
  -- "$wasmem" spectest --max-gc-bytes 64K "$work/s.wast"
expect "spectest: malformed size" 2 '' "spectest: --max-gc-bytes '0': expected a size" \
  -- "$wasmem" spectest --max-gc-bytes 0 "$work/s.wast"
expect "spectest: no value" 2 '' "spectest: --max-gc-bytes needs a value" \
  -- "$wasmem" spectest "$work/s.wast" --max-gc-bytes
exit $fail
