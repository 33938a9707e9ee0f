#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# simd.sh -- the SIMD benchmark: bench/simd.c built natively (gcc -O2) and
# as three wasm32 modules (clang-14 -O2): scalar (no -msimd128, no
# vectorisers), auto-vectorised (-msimd128, the plain C path) and
# intrinsics (-msimd128, the wasm_simd128.h path). Runs each natively,
# under wasmem and (if present) under node/V8, checks that all agree on the
# checksum, and prints best-of-N times, each build's ratio to native and
# the SIMD builds' speed-up over the scalar build.
#
# Usage: bench/simd.sh [--quick] [--runs N] [--no-node] [--wasmem PATH]
#                      [--out DIR] [--require-speedup]
#   --quick            ~10x smaller work, to check the script in seconds
#   --require-speedup  also fail unless both SIMD builds beat the scalar
#                      build under wasmem
#   --wasmem           the wasmem binary (default: build it in build/release)
# Times as in bench/run.sh: per process for native and wasmem (start-up,
# load and compile included), the `run` call alone for node.
# Exits non-zero if a build fails or any result disagrees.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
runs=3 quick=0 use_node=1 wasmem="" out="" require_speedup=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --runs) runs=$2; shift ;;
    --no-node) use_node=0 ;;
    --wasmem) wasmem=$2; shift ;;
    --out) out=$2; shift ;;
    --require-speedup) require_speedup=1 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "simd.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
setup bench-simd
src=$top/bench/simd.c
builds=(scalar autovec intrinsics)
declare -A flags=(
  [scalar]="-fno-vectorize -fno-slp-vectorize"
  [autovec]="-msimd128 -DSIMD_PLAIN"
  [intrinsics]="-msimd128"
)
echo "building bench/simd.c in $out ..." >&2
gcc -O2 -std=gnu11 "${defs[@]}" -o "$out/simd" "$src" -lm
for b in "${builds[@]}"; do
  # shellcheck disable=SC2086 # the flags are words
  clang-14 --target=wasm32 -O2 -nostdlib ${flags[$b]} "${defs[@]}" -Wl,--no-entry \
    -Wl,--export=run -o "$out/simd-$b.wasm" "$src"
done

failed=0
best_of "$out/simd" || { echo "simd.sh: native run failed: $errmsg" >&2; exit 1; }
nat_ms=$best_ms nat_sum=$result

hdr=$(printf '%-12s %7s %10s %8s %8s' build bytes "wasmem ms" /native speedup)
[ $use_node = 1 ] && hdr+=$(printf ' %9s %8s %8s' "node ms" /native speedup)
echo; echo "$hdr"; echo "${hdr//?/-}"
printf '%-12s %7s %10s %8s\n' "native" "-" "$nat_ms" "1.00x"
declare -A wm_ms=() node_ms=()
for b in "${builds[@]}"; do
  wasm=$out/simd-$b.wasm
  row=$(printf '%-12s %7s' "$b" "$(stat -c %s "$wasm")")
  if best_of "$wasmem" call "$wasm" run; then
    if [ "$result" = "$nat_sum" ]; then
      wm_ms[$b]=$best_ms
      row+=$(printf ' %10s %7sx %7sx' "$best_ms" "$(ratio "$best_ms" "$nat_ms")" \
        "$(ratio "${wm_ms[scalar]:-0}" "$best_ms")")
    else
      row+=$(printf ' %10s %8s %8s' "$best_ms" WRONG -)
      row+=" (wasmem checksum '$result', native '$nat_sum')"
      failed=1
    fi
  else
    row+=$(printf ' %10s %8s %8s' - ERROR -)
    row+=" (wasmem: $errmsg)"
    failed=1
  fi
  if [ $use_node = 1 ]; then
    if node_best "$wasm" && [ "$result" = "$nat_sum" ]; then
      node_ms[$b]=$best_ms
      row+=$(printf ' %9s %7sx %7sx' "$best_ms" "$(ratio "$best_ms" "$nat_ms")" \
        "$(ratio "${node_ms[scalar]:-0}" "$best_ms")")
    else
      row+=" node: failed or wrong checksum '$result' (native '$nat_sum')"
      failed=1
    fi
  fi
  echo "$row"
done
echo
echo "checksum $nat_sum; speedup = scalar build's time / this build's time; best of $runs"
for b in autovec intrinsics; do
  if [ -n "${wm_ms[scalar]:-}" ] && [ -n "${wm_ms[$b]:-}" ]; then
    if [ "${wm_ms[$b]}" -ge "${wm_ms[scalar]}" ]; then
      echo "NOTE: under wasmem the $b build is not faster than the scalar build"
      [ $require_speedup = 1 ] && failed=1
    fi
  elif [ $require_speedup = 1 ]; then
    failed=1
  fi
done
[ $quick = 1 ] && echo "(quick sizes: ratios are not representative)"
exit $failed
