#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh -- build the benchmark kernels natively (gcc -O2) and as wasm32
# (clang-14, freestanding), run each natively, under wasmem and (if present)
# under node/V8, check that all agree on the checksum, and print a table of
# best-of-N times with wasmem/native ratios and their geometric mean.
#
# Usage: bench/run.sh [--quick] [--runs N] [--only k1,k2] [--no-node]
#                     [--check] [--wasmem PATH] [--out DIR]
#   --quick   ~10x smaller work sizes, to check the scripts in seconds
#   --check   also time `wasmem check --leak-check=no call` (the guest heap
#             checker's loop) and print its ratio to the plain run
#   --wasmem  the wasmem binary (default: build it in build/release)
# Times are wall-clock per process (start-up, load and compile included) for
# native and wasmem; node's column times the `run` call alone, since node's
# own start-up (~50 ms) would otherwise dominate.
# Exits non-zero if any kernel fails to build, run or agree.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernels=(fib sieve matmul crc32 sha256 memsum mix)
runs=3 quick=0 use_node=1 wasmem="" out="" check=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --runs) runs=$2; shift ;;
    --only) IFS=, read -r -a kernels <<<"$2"; shift ;;
    --no-node) use_node=0 ;;
    --check) check=1 ;;
    --wasmem) wasmem=$2; shift ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
setup bench
echo "building kernels in $out ..." >&2
for k in "${kernels[@]}"; do
  src=$top/bench/$k.c
  [ -f "$src" ] || { echo "run.sh: no kernel $src" >&2; exit 2; }
  gcc -O2 -std=gnu11 "${defs[@]}" -o "$out/$k" "$src"
  clang-14 --target=wasm32 -O2 -nostdlib "${defs[@]}" -Wl,--no-entry -Wl,--export=run \
    -o "$out/$k.wasm" "$src"
done

failed=0
ratios=()
node_ratios=()
check_ratios=()
hdr=$(printf '%-8s %10s %10s %8s' kernel "native ms" "wasmem ms" ratio)
[ $check = 1 ] && hdr+=$(printf ' %10s %8s' "check ms" "/wasmem")
[ $use_node = 1 ] && hdr+=$(printf ' %9s %6s' "node ms" ratio)
echo; echo "$hdr"; echo "${hdr//?/-}"
for k in "${kernels[@]}"; do
  best_of "$out/$k" || { printf '%-8s native run failed: %s\n' "$k" "$errmsg"; failed=1; continue; }
  nat_ms=$best_ms nat_sum=$result
  row=$(printf '%-8s %10s' "$k" "$nat_ms")
  if best_of "$wasmem" call "$out/$k.wasm" run; then
    if [ "$result" != "$nat_sum" ]; then
      row+=$(printf ' %10s %8s' "$best_ms" "WRONG")
      row+=" (wasmem checksum '$result', native '$nat_sum')"
      failed=1
    else
      r=$(ratio "$best_ms" "$nat_ms")
      ratios+=("$r")
      row+=$(printf ' %10s %7sx' "$best_ms" "$r")
      plain_ms=$best_ms
      if [ $check = 1 ]; then
        if best_of "$wasmem" check --leak-check=no call "$out/$k.wasm" run &&
           [ "$result" = "$nat_sum" ]; then
          r=$(ratio "$best_ms" "$plain_ms")
          check_ratios+=("$r")
          row+=$(printf ' %10s %7sx' "$best_ms" "$r")
        else
          row+=" check: failed or wrong checksum '$result'"
          failed=1
        fi
      fi
    fi
  else
    row+=$(printf ' %10s %8s' "-" "ERROR")
    row+=" (wasmem: $errmsg)"
    failed=1
  fi
  if [ $use_node = 1 ]; then
    if node_best "$out/$k.wasm" && [ "$result" = "$nat_sum" ]; then
      r=$(ratio "$best_ms" "$nat_ms")
      node_ratios+=("$r")
      row+=$(printf ' %9s %5sx' "$best_ms" "$r")
    else
      row+=" node: failed or wrong checksum '$result'"
      failed=1
    fi
  fi
  echo "$row"
done

geomean() { awk 'BEGIN { s = 0; n = 0 } { s += log($1); n++ } END { if (n) printf "%.2fx over %d kernels", exp(s / n), n; else printf "n/a" }'; }
echo
if [ ${#ratios[@]} -gt 0 ]; then
  echo "wasmem geo-mean ratio: $(printf '%s\n' "${ratios[@]}" | geomean)"
else
  echo "wasmem geo-mean ratio: n/a (no kernel ran correctly under wasmem)"
fi
if [ ${#check_ratios[@]} -gt 0 ]; then
  echo "check  geo-mean ratio: $(printf '%s\n' "${check_ratios[@]}" | geomean) (to the plain wasmem run)"
fi
if [ ${#node_ratios[@]} -gt 0 ]; then
  echo "node   geo-mean ratio: $(printf '%s\n' "${node_ratios[@]}" | geomean) (call time only)"
fi
[ $quick = 1 ] && echo "(quick sizes: ratios are not representative)"
exit $failed
