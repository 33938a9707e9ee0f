#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# limits.sh -- `--fuel N` and `--timeout DURATION` of `wasmem call`, `run`
# and `check call`: an endless loop stops with its trap, a backtrace and the
# documented exit status (124 for the timeout, 125 for the fuel, 130 for
# SIGINT), a call with enough fuel runs, and bad values are usage errors
# (exit 2).
# usage: limits.sh WASMEM WAT2WASM WORKDIR
set -u
wasmem=$1 wat2wasm=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
wasm=$work/limits.wasm
"$wat2wasm" "$here/limits.wat" -o "$wasm" || exit 1
fail=0

# expect STATUS PATTERN -- COMMAND...: the exit status and a pattern that
# stdout+stderr must match (grep -zE: the whole output as one string, so
# `.` also matches a newline).
expect() {
  local want=$1 pat=$2
  shift 3
  local out st t0 t1
  t0=$(date +%s)
  out=$("$@" 2>&1)
  st=$?
  t1=$(date +%s)
  if [ "$st" != "$want" ] || ! printf '%s\n' "$out" | grep -zEq -- "$pat"; then
    echo "FAIL: $* -> status $st (want $want), output:"
    printf '%s\n' "$out"
    fail=1
  else
    echo "ok: $* ($((t1 - t0)) s)"
  fi
}

expect 124 'trap: deadline exceeded' -- timeout 20 "$wasmem" call "$wasm" f --timeout 1s
expect 124 'at f \(func 0, byte 0x[0-9a-f]+\)' -- timeout 20 "$wasmem" call "$wasm" outer --timeout 300ms
expect 125 'trap: all fuel consumed' -- timeout 20 "$wasmem" call "$wasm" f --fuel 1000000
expect 125 'all fuel consumed.*func 0, byte.*func 2, byte' -- timeout 20 "$wasmem" call "$wasm" outer --fuel 1000
# Exactly enough fuel, and one unit short.
expect 0 '^9.$' -- "$wasmem" call "$wasm" straight --fuel 5
expect 125 'all fuel consumed' -- "$wasmem" call "$wasm" straight --fuel 4
expect 0 '^9.$' -- "$wasmem" call "$wasm" straight --timeout 2m
# Both at once: whichever comes first.
expect 125 'all fuel consumed' -- timeout 20 "$wasmem" call "$wasm" f --fuel 100 --timeout 10s
expect 124 'deadline exceeded' -- timeout 20 "$wasmem" call "$wasm" f --fuel 100000000000000 --timeout 0.2s
# run: _start and --invoke.
expect 124 'trap: deadline exceeded' -- timeout 20 "$wasmem" run --timeout 500ms "$wasm"
expect 125 'trap: all fuel consumed' -- timeout 20 "$wasmem" run --fuel 10000 --invoke f "$wasm"
expect 0 '^9.$' -- "$wasmem" run --fuel 5 --invoke straight "$wasm"
# Through the heap checker.
expect 125 'all fuel consumed' -- timeout 20 "$wasmem" check call "$wasm" f --fuel 1000
expect 124 'deadline exceeded' -- timeout 20 "$wasmem" check run --timeout 100ms "$wasm"
# Host blocks passed to a guest that is stopped: the guest's free cannot run
# either (it would need fuel or time), so they are abandoned, said once; the
# sanitizer build checks that the host itself leaks nothing.
expect 125 'all fuel consumed.*1 guest block \(3 bytes\).*was stopped' -- \
  timeout 20 "$wasmem" call "$wasm" sum_spin --bytes 1,2,3 --fuel 1000
expect 124 'deadline exceeded.*1 guest block \(3 bytes\).*was stopped' -- \
  timeout 20 "$wasmem" call "$wasm" sum_spin --string abc --timeout 100ms
# Ctrl-C (SIGINT) interrupts a limited guest: trap, backtrace, exit 130.
# A signal sent before wasmem installs its handler is ignored (a background
# job ignores SIGINT), so send one every second until it is gone.
"$wasmem" call "$wasm" outer --timeout 60s >"$work/sigint.out" 2>&1 &
pid=$!
for _ in $(seq 1 20); do
  sleep 1
  kill -0 "$pid" 2>/dev/null || break
  kill -INT "$pid" 2>/dev/null
done
wait "$pid"
st=$?
if [ "$st" = 130 ] && grep -zEq 'trap: interrupted.*func 0, byte.*func 2, byte' "$work/sigint.out"; then
  echo "ok: SIGINT -> 130"
else
  echo "FAIL: SIGINT -> status $st (want 130), output:"
  cat "$work/sigint.out"
  fail=1
fi
# Bad values.
expect 2 "--fuel 'x': expected a number" -- "$wasmem" call "$wasm" f --fuel x
expect 2 "--fuel '-1': expected a number" -- "$wasmem" call "$wasm" f --fuel -1
expect 2 "--timeout '5x': expected a duration" -- "$wasmem" call "$wasm" f --timeout 5x
expect 2 "--timeout '0': expected a duration" -- "$wasmem" call "$wasm" f --timeout 0
expect 2 "--timeout '-1s': expected a duration" -- "$wasmem" run --timeout -1s "$wasm"
expect 2 "--fuel needs a value" -- "$wasmem" run --fuel
expect 2 "option --timeout needs a value" -- "$wasmem" call "$wasm" f --timeout
exit $fail
