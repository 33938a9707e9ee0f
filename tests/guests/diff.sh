#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# diff.sh -- differential test of one seed guest (examples/seed): the same
# exchanges (alloc, copy in, call, read back, dealloc) done by the article's
# JavaScript host under node (examples/seed/host.js), by the same host in C
# on wasmem's core API (examples/seed/host.c, SEED_HOST) and by `wasmem call`
# (once it has --bytes); outputs and exit statuses must agree. node's own
# results are first checked against the article's (15, THIS SHOULD BE
# UPPERCASE).
# Usage: tests/guests/diff.sh WASMEM SEED_HOST GUESTDIR VARIANT WORKDIR [--aot]
# --aot: `wasmem call --aot` (compiled code, cached under WORKDIR) is the
# host under test, and falling back to the interpreter is a failure.
# GUESTDIR is examples/seed/build.sh's output. Exits 77 (CTest's skip) when
# the variant was not built or node is missing -- except with CI=true, where
# every toolchain is installed and a skip would hide a failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
wasmem=${1:?usage: diff.sh WASMEM SEED_HOST GUESTDIR VARIANT WORKDIR}
seed_host=${2:?}
gdir=${3:?}
variant=${4:?}
work=${5:?}
aot=${6:-}
host=$top/examples/seed/host.js
wasm=$gdir/$variant.wasm
mkdir -p "$work"

skip() {
  if [ "${CI:-}" = true ]; then echo "diff.sh: $1 (a failure under CI=true)"; exit 1; fi
  echo "SKIP: $1"; exit 77
}
command -v node >/dev/null || skip "node not found"
if ! grep -qx "$variant" "$gdir/variants" 2>/dev/null || [ ! -f "$wasm" ]; then
  skip "guest '$variant' was not built (toolchain missing? see examples/seed/build.sh output)"
fi

# Rust's array_sum/upper take ownership of their input (the article's code).
own=()
case $variant in rust*) own=(--transfer) ;; esac

# Inputs: 1000 bytes (every value, so the u8 sum wraps) and 1000 characters
# of mixed ASCII and multi-byte UTF-8.
node -e 'process.stdout.write(Buffer.from(Array.from({length: 1000}, (_, i) => (i * 7 + 3) & 255)))' >"$work/k1000.bin"
node -e 'let s = ""; while (Buffer.byteLength(s) < 1000) s += "ab Cd é ü ж 世 😀 xyz. "; process.stdout.write(s)' >"$work/t1000.txt"

cases=(
  "array_sum --bytes 1,2,3,4,5"
  "array_sum --bytes ''"
  "array_sum --bytes 200"
  "array_sum --bytes 255,1"
  "array_sum --file $work/k1000.bin"
  "upper --string 'this should be uppercase' --result string:same-len"
  "upper --string '' --result string:same-len"
  "upper --string q --result string:same-len"
  "upper --string 'grüße, жёлтый 世界 😀 ok' --result string:same-len"
  "upper --file $work/t1000.txt --result string:same-len"
  "upper --bytes 104,105,9,33 --result string:same-len"
)
case $variant in
  c | c-mv | c-wasi)
    cases+=(
      "upper_i64 --string 'packed i64 ß' --result string:i64"
      "upper_out --string 'out pointer ß' --result string:out-ptr"
      "upper_cstr --string 'nul terminated ß' --result string:cstr"
      "upper_i64 --string '' --result string:i64"
    ) ;;
esac
[ "$variant" = c-mv ] && cases+=("upper_pair --string 'multi-value pair ß' --result string:pair")

pass=0 fail=0
# The oracle's results for the article's two calls.
check_node() {
  local want=$1 got; shift
  got=$(node "$host" "$wasm" "$@" "${own[@]}" 2>&1)
  if [ "$got" = "$want" ]; then pass=$((pass + 1)); else
    echo "FAIL node $variant $*: got '$got', want '$want'"; fail=$((fail + 1))
  fi
}
check_node 15 array_sum --bytes 1,2,3,4,5
check_node "THIS SHOULD BE UPPERCASE" upper --string "this should be uppercase" --result string:same-len

# The hosts under test: the C host always, `wasmem call` once it passes
# arrays (the exchange CLI lands separately).
runners=(host) tier=()
if [ "$aot" = --aot ]; then
  runners=(aot) tier=(--aot)
  export XDG_CACHE_HOME=$work/aot-cache
elif "$wasmem" call --help 2>&1 | grep -q -- '--bytes'; then
  runners+=(call)
else
  echo "note: wasmem call has no --bytes yet: comparing node with the C host only"
fi

for runner in "${runners[@]}"; do
  case $runner in
    host) cmd=("$seed_host") ;;
    aot) cmd=("$wasmem" call) ;;
    *) cmd=("$wasmem" call) ;;
  esac
  for c in "${cases[@]}"; do
    args=()
    eval "args=($c)"
    n_out=$(node "$host" "$wasm" "${args[@]}" "${own[@]}" 2>"$work/node.err"); n_rc=$?
    w_out=$("${cmd[@]}" "$wasm" "${args[@]}" "${own[@]}" ${tier[@]+"${tier[@]}"} 2>"$work/wasmem.err"); w_rc=$?
    # Both succeed with the same output, or both fail (a trap); compiled.
    if grep -q "running it in the interpreter" "$work/wasmem.err"; then
      fail=$((fail + 1))
      echo "FAIL $variant: not compiled: $(head -c 300 "$work/wasmem.err")"
    elif { [ $n_rc -eq 0 ] && [ $w_rc -eq 0 ] && [ "$n_out" = "$w_out" ]; } ||
       { [ $n_rc -ne 0 ] && [ $w_rc -ne 0 ]; }; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "FAIL $variant (${cmd[*]##*/}): $c ${own[*]}"
      echo "  node   (exit $n_rc): $(head -c 300 <<<"$n_out") $(head -c 200 "$work/node.err")"
      echo "  wasmem (exit $w_rc): $(head -c 300 <<<"$w_out") $(head -c 200 "$work/wasmem.err")"
    fi
  done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
