# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2154,SC2034 # the options are the caller's variables
# lib.sh -- the timing helpers bench/run.sh and bench/simd.sh share; sourced,
# not run. The caller sets $top (the checkout) and $runs (how many runs to
# take the best of); setup sets the rest.

now_ns() { date +%s%N; }
# A checksum from a runner's output, as a signed decimal i32: drops type
# names such as "i32:" or "(i32)" and keeps the first integer.
checksum() { sed -E 's/\b[if](32|64)\b//g' | grep -oE -- '-?[0-9]+' | head -n 1 || true; }
# best_of CMD...: runs CMD $runs times; sets $best_ms and $result (checksum of
# the first run), or returns 1 with the error in $errmsg.
best_of() {
  best_ms="" result=""
  local i t0 t1 ms outp
  for ((i = 0; i < runs; i++)); do
    t0=$(now_ns)
    if ! outp=$("$@" 2>"$out/stderr.txt"); then
      errmsg=$(head -c 200 "$out/stderr.txt" | tr '\n' ' ')
      [ -n "$errmsg" ] || errmsg="exit status non-zero; stdout: $(head -c 100 <<<"$outp")"
      return 1
    fi
    t1=$(now_ns)
    ms=$(( (t1 - t0) / 1000000 ))
    [ -z "$result" ] && result=$(checksum <<<"$outp")
    if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
  done
}
# node_best: like best_of for node, timing the call only (node_run.js reports it).
node_best() {
  best_ms="" result=""
  local i outp ms
  for ((i = 0; i < runs; i++)); do
    if ! outp=$(node "$top/bench/node_run.js" "$1" 2>"$out/stderr.txt"); then
      errmsg=$(head -c 200 "$out/stderr.txt" | tr '\n' ' ')
      return 1
    fi
    ms=$(sed -n 's/^time_ms \([0-9]*\).*/\1/p' "$out/stderr.txt")
    [ -z "$result" ] && result=$(checksum <<<"$outp")
    if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
  done
}
# ratio A B: A / B to two decimals (B of 0 counts as 1 ms).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 1) b = 1; printf "%.2f", a / b }'; }
# setup NAME: the common start of a benchmark script once its options are
# read ($quick, $out, $use_node, $wasmem): the build directory (default
# build/NAME, or build/NAME-quick), whether node is there, the wasmem
# binary (built in build/release unless named) and the compiler
# definitions ($defs).
setup() {
  if [ -z "$out" ]; then
    out=$top/build/$1
    if [ "$quick" = 1 ]; then out=$out-quick; fi
  fi
  mkdir -p "$out"
  command -v node >/dev/null 2>&1 || use_node=0
  if [ -z "$wasmem" ]; then
    wasmem=$top/build/release/wasmem
    echo "building wasmem (Release) in $top/build/release ..." >&2
    cmake -S "$top" -B "$top/build/release" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$top/build/release" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
  fi
  [ -x "$wasmem" ] || { echo "$(basename "$0"): no wasmem binary at $wasmem" >&2; exit 1; }
  defs=()
  if [ "$quick" = 1 ]; then defs+=(-DBENCH_QUICK); fi
}
