#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# v128.sh -- v128 values in the CLI: `wasmem call` arguments (SHAPE:LANES)
# and results (i32x4 by default, --v128 SHAPE), `run --invoke` results, and
# the mismatches `wasmem spectest` must report for v128 and `either`
# expectations (spectest_v128.wast, and hand-written scripts for what
# wast2json never writes).
# usage: v128.sh WASMEM WAT2WASM WAST2JSON WORKDIR
set -u
wasmem=$1 wat2wasm=$2 wast2json=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
wasm=$work/v128.wasm
"$wat2wasm" "$here/v128.wat" -o "$wasm" || exit 1
fail=0

# expect STATUS OUTPUT -- COMMAND...: the exit status and the exact
# stdout+stderr.
expect() {
  local want=$1 want_out=$2
  shift 3
  local out st
  out=$("$@" 2>&1)
  st=$?
  if [ "$st" != "$want" ] || [ "$out" != "$want_out" ]; then
    printf 'FAIL: %s\n  status %s (want %s)\n  got:  %s\n  want: %s\n' "$*" "$st" "$want" "$out" "$want_out"
    fail=1
  else
    echo "ok: $*"
  fi
}

# shellcheck disable=SC2317 # called through expect
call() { "$wasmem" call "$wasm" "$@"; }
# shellcheck disable=SC2317
stdout_only() { "$@" 2>/dev/null; }

# Results: i32x4 by default, signed lanes; --v128 picks the shape. The
# module's constant is the bytes 0..15, so each shape shows lane order.
expect 0 'i32x4:50462976,117835012,185207048,252579084' -- call bytes
expect 0 'i8x16:0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15' -- call bytes --v128 i8x16
expect 0 'i16x8:256,770,1284,1798,2312,2826,3340,3854' -- call bytes --v128 i16x8
expect 0 'i64x2:506097522914230528,1084818905618843912' -- call bytes --v128 i64x2
expect 0 'f32x4:3.82047143e-37,1.00825135e-34,2.65846276e-32,7.00365327e-30' -- call bytes --v128 f32x4
expect 0 'f64x2:7.9499288951273625e-275,3.6919162048650923e-236' -- call bytes --v128 f64x2
# Arguments in every shape: negative and unsigned-range integer lanes, hex,
# floats as the scalar arguments take them (nan, inf, bits:N).
expect 0 'i32x4:1,-2,255,-1' -- call id i32x4:1,-2,0xff,4294967295
expect 0 'i8x16:-128,-1,127,0,1,-1,16,0,0,0,0,0,0,0,0,-2' -- \
  call id i8x16:-128,255,127,0,1,-1,0x10,0,0,0,0,0,0,0,0,254 --v128 i8x16
expect 0 'i16x8:-32768,-1,32767,0,1,2,3,-4' -- call id i16x8:-32768,65535,32767,0,1,2,3,0xfffc --v128 i16x8
expect 0 'i64x2:-9223372036854775808,-1' -- call id i64x2:-9223372036854775808,18446744073709551615 --v128 i64x2
expect 0 'i64x2:-9223372036854775808,-1' -- call id i64x2:0x8000000000000000,-1 --v128 i64x2
expect 0 'f32x4:1.5,nan,-inf,-0' -- call id f32x4:1.5,nan,-inf,-0 --v128 f32x4
expect 0 'i32x4:1069547520,2143289344,-8388608,2139095041' -- call id f32x4:1.5,nan,-inf,bits:0x7f800001
expect 0 'f64x2:-0,0.125' -- call id f64x2:-0,0x1p-3 --v128 f64x2
expect 0 'i64x2:-9223372036854775808,4593671619917905920' -- call id f64x2:-0,0x1p-3 --v128 i64x2
expect 0 'i64x2:9221120237041090561,1' -- call id f64x2:bits:0x7ff8000000000001,4.9406564584124654e-324 --v128 i64x2
# A v128 among other parameters and results.
expect 0 $'7\ni32x4:1,2,3,4' -- call swap i32x4:1,2,3,4 7
expect 0 $'7\ni8x16:1,0,0,0,2,0,0,0,3,0,0,0,4,0,0,0' -- call swap --v128 i8x16 i32x4:1,2,3,4 7
# Through the heap checker, and `run --invoke` (default shape).
expect 0 'i32x4:9,8,7,6' -- stdout_only "$wasmem" check --leak-check=no call "$wasm" id i32x4:9,8,7,6
expect 0 'i32x4:50462976,117835012,185207048,252579084' -- "$wasmem" run --invoke bytes "$wasm"

# Bad arguments: one line naming the argument and what is wrong.
shapes='i8x16, i16x8, i32x4, i64x2, f32x4 or f64x2'
expect 1 "wasmem: argument 1 'i32x4:1,2,3': i32x4 takes 4 lanes, 3 given" -- call id i32x4:1,2,3
expect 1 "wasmem: argument 1 'i64x2:1,2,3': i64x2 takes 2 lanes, 3 given" -- call id i64x2:1,2,3
expect 1 "wasmem: argument 1 'i32x4:': i32x4 takes 4 lanes, 0 given" -- call id i32x4:
expect 1 "wasmem: argument 1 'i8x16:0,0,0,256,0,0,0,0,0,0,0,0,0,0,0,0': lane 3 '256' is not an integer in range of i8" -- \
  call id i8x16:0,0,0,256,0,0,0,0,0,0,0,0,0,0,0,0
expect 1 "wasmem: argument 1 'i8x16:-129,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0': lane 0 '-129' is not an integer in range of i8" -- \
  call id i8x16:-129,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0
expect 1 "wasmem: argument 1 'i16x8:0,0,0,0,0,0,0,-32769': lane 7 '-32769' is not an integer in range of i16" -- \
  call id i16x8:0,0,0,0,0,0,0,-32769
expect 1 "wasmem: argument 1 'i32x4:1,,3,4': lane 1 '' is not an integer in range of i32" -- call id i32x4:1,,3,4
expect 1 "wasmem: argument 1 'i64x2:0,18446744073709551616': lane 1 '18446744073709551616' is not an integer in range of i64" -- \
  call id i64x2:0,18446744073709551616
expect 1 "wasmem: argument 1 'f32x4:1,x,2,3': lane 1 'x' is not an f32" -- call id f32x4:1,x,2,3
expect 1 "wasmem: argument 1 'f64x2:1,bits:-1': lane 1 'bits:-1' is not an f64" -- call id f64x2:1,bits:-1
long=1234567890123456789012345678901234567890123456789012345678901234567890
expect 1 "wasmem: argument 1 'i64x2:$long,1': lane 0 '${long:0:40}' is not an integer in range of i64" -- \
  call id "i64x2:$long,1"
expect 1 "wasmem: argument 1 'i32x5:1,2,3,4': expected SHAPE:LANES with SHAPE $shapes (e.g. i32x4:1,2,3,4)" -- \
  call id i32x5:1,2,3,4
expect 1 "wasmem: argument 1 '1,2,3,4': expected SHAPE:LANES with SHAPE $shapes (e.g. i32x4:1,2,3,4)" -- \
  call id 1,2,3,4
expect 2 "wasmem: call: --v128 'i32': expected $shapes" -- call bytes --v128 i32
expect 2 "wasmem: call: option --v128 needs a value (see wasmem call --help)" -- call bytes --v128
"$wasmem" call --help | grep -q -- '--v128 SHAPE' || { echo "FAIL: call --help does not document --v128"; fail=1; }

# spectest: every assertion of spectest_v128.wast fails, each with its line.
json=$work/spectest_v128.json
(cd "$work" && "$wast2json" "$here/spectest_v128.wast" -o "$json") || exit 1
d0='0 (0)' nc='nan:canonical'
want="15: assert_return: bytes: result 0: expected i8x16:[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16], got i8x16:[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] (lane 15 differs)
17: assert_return: id: result 0: expected f32x4:[1065353216 (1), 1073741824 (2), nan:arithmetic, 1082130432 (4)], got f32x4:[1065353216 (1), 1073741824 (2), 2141192192 (nan), 1082130432 (4)] (lane 2 differs)
18: assert_return: id: result 0: expected f32x4:[1065353216 (1), $nc, 1077936128 (3), 1082130432 (4)], got f32x4:[1065353216 (1), 2143289345 (nan), 1077936128 (3), 1082130432 (4)] (lane 1 differs)
19: assert_return: id: result 0: expected f64x2:[nan:arithmetic, $d0], got f64x2:[9219994337134247936 (nan), $d0] (lane 0 differs)
20: assert_return: id: result 0: expected f64x2:[$d0, $nc], got f64x2:[$d0, 9221120237041090561 (nan)] (lane 1 differs)
22: assert_return: id: result 0: expected f32x4:[$d0, $d0, $d0, $d0], got f32x4:[2147483648 (-0), $d0, $d0, $d0] (lane 0 differs)
24: assert_return: id: result 0: expected i16x8:[65535, 0, 0, 0, 0, 0, 0, 1], got i16x8:[65535, 0, 0, 0, 0, 0, 0, 0] (lane 7 differs)
25: assert_return: id: result 0: expected i64x2:[18446744073709551615, 6], got i64x2:[18446744073709551615, 5] (lane 1 differs)
26: assert_return: id: result 0: expected i32x4:[1, 2, 3, 5], got i32x4:[1, 2, 3, 4] (lane 3 differs)
28: assert_return: bytes: result 0: expected one of i32x4:[0, 0, 0, 0] | f32x4:[$nc, $d0, $d0, $d0], got i32x4:[50462976, 117835012, 185207048, 252579084]
29: assert_return: seven: result 0: expected one of i32:1 | i32:2, got i32:7
1 passed, 11 failed, 0 skipped"
check_spectest() {
  local what=$1 json=$2 want=$3 out st
  out=$("$wasmem" spectest "$json" 2>&1)
  st=$?
  out=$(printf '%s\n' "$out" | sed 's|^[^:]*\.wast:||')
  if [ "$st" != 1 ] || [ "$out" != "$want" ]; then
    printf 'FAIL: spectest %s: status %s (want 1)\n--- got:\n%s\n--- want:\n%s\n' "$what" "$st" "$out" "$want"
    fail=1
  else
    echo "ok: spectest $what"
  fi
}
check_spectest spectest_v128.json "$json" "$want"
# The same script read natively: the same lines.
check_spectest spectest_v128.wast "$here/spectest_v128.wast" "$want"

# What wast2json never writes, by hand: results of the wrong type, an
# either for two results; malformed v128 arguments and expectations are
# reported, not guessed at (before the action runs).
m=spectest_v128.0.wasm
bytes='{"type": "invoke", "field": "bytes", "args": []}'
arg() { printf '{"type": "invoke", "field": "id", "args": [%s]}' "$1"; }
cat >"$work/by-hand.json" <<EOF
{"source_filename": "m.wast", "commands": [
 {"type": "module", "line": 1, "filename": "$m"},
 {"type": "assert_return", "line": 2, "action": $(arg '{"type": "v128", "lane_type": "i7", "value": ["0","0","0","0"]}'), "expected": []},
 {"type": "assert_return", "line": 3, "action": $(arg '{"type": "v128", "lane_type": "i32", "value": ["0","0","0"]}'), "expected": []},
 {"type": "assert_return", "line": 4, "action": $(arg '{"type": "v128", "lane_type": "i8", "value": ["0","0","0","256","0","0","0","0","0","0","0","0","0","0","0","0"]}'), "expected": []},
 {"type": "assert_return", "line": 5, "action": $(arg '{"type": "v128", "lane_type": "i64", "value": ["0", 1]}'), "expected": []},
 {"type": "assert_return", "line": 6, "action": $(arg '{"type": "v128", "lane_type": "f32", "value": "0"}'), "expected": []},
 {"type": "assert_return", "line": 7, "action": $bytes, "expected": [{"type": "v128", "lane_type": "i32", "value": ["0","0","0"]}]},
 {"type": "assert_return", "line": 8, "action": $bytes, "expected": [{"type": "v128", "lane_type": "i32", "value": ["50462976","117835012","185207048","x"]}]},
 {"type": "assert_return", "line": 9, "action": $bytes, "either": []},
 {"type": "assert_return", "line": 10, "action": $bytes, "either": {"type": "i32", "value": "1"}},
 {"type": "assert_return", "line": 11, "action": $bytes},
 {"type": "assert_return", "line": 12, "action": $bytes, "expected": [{"type": "v128", "lane_type": "i32", "value": ["50462976","117835012","185207048","252579084"]}]},
 {"type": "assert_return", "line": 13, "action": {"type": "invoke", "field": "seven", "args": []}, "expected": [{"type": "v128", "lane_type": "i32", "value": ["7","0","0","0"]}]},
 {"type": "assert_return", "line": 14, "action": $bytes, "expected": [{"type": "i32", "value": "50462976"}]},
 {"type": "assert_return", "line": 15, "action": {"type": "invoke", "field": "two", "args": []}, "either": [{"type": "v128", "lane_type": "i64", "value": ["1","2"]}]}
]}
EOF
want="2: assert_return: malformed value
3: assert_return: malformed value
4: assert_return: malformed value
5: assert_return: malformed value
6: assert_return: malformed value
7: assert_return: malformed expected results
8: assert_return: malformed expected results
9: assert_return: malformed expected results
10: assert_return: malformed expected results
11: assert_return: malformed expected results
13: assert_return: seven: result 0: expected i32x4:[7, 0, 0, 0], got i32:7
14: assert_return: bytes: result 0: expected i32:50462976, got i32x4:[50462976, 117835012, 185207048, 252579084]
15: assert_return: expected 1 result, got 2
2 passed, 13 failed, 0 skipped"
check_spectest by-hand.json "$work/by-hand.json" "$want"

exit $fail
