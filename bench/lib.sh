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
# definitions ($defs). Exits 2 if $runs is not a positive integer.
setup() {
  case $runs in
    ''|*[!0-9]*|0) echo "$(basename "$0"): --runs needs a positive integer" >&2; exit 2 ;;
  esac
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

# ---- Whole-process measurement, shared by run.sh and startup.sh ----------
# build_proctime: compiles bench/proctime.c into $out (sets $proctime).
build_proctime() {
  proctime=$out/proctime
  gcc -O2 -std=c11 -Wall -Wextra -o "$proctime" "$top/bench/proctime.c"
}
# measure CMD...: runs CMD once under proctime with stdout and stderr in
# $out/stdout.txt and $out/stderr.txt; sets $wall_us, $cpu_us and $rss_kb,
# or returns 1 with the error in $errmsg.
measure() {
  wall_us="" cpu_us="" rss_kb=""
  if ! "$proctime" "$out/proctime.txt" "$@" >"$out/stdout.txt" 2>"$out/stderr.txt"; then
    errmsg=$(head -c 200 "$out/stderr.txt" | tr '\n' ' ')
    [ -n "$errmsg" ] || errmsg="exit status non-zero; stdout: $(head -c 100 "$out/stdout.txt" | tr '\n' ' ')"
    return 1
  fi
  read -r wall_us cpu_us rss_kb <"$out/proctime.txt"
}
# median: the median of the numbers on stdin, one a line (the mean of the
# middle two for an even count); empty input prints nothing.
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.10g", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# spread: "min-max" of the numbers on stdin, divided by $1 (default 1),
# printed with $2 decimals (default 0).
spread() {
  sort -g | awk -v d="${1:-1}" -v p="${2:-0}" '{ v[NR] = $1 / d } END { if (NR) printf "%.*f-%.*f", p, v[1], p, v[NR] }'
}
# geomean: the geometric mean of the ratios on stdin, as "N.NNx", or "-".
geomean() { awk 'BEGIN { s = 0; n = 0 } { s += log($1); n++ } END { if (n) printf "%.2fx", exp(s / n); else printf "-" }'; }
# i32_of_hex: iwasm prints an i32 result as "0x1f:i32"; this turns such a
# line on stdin into the signed decimal the other runners print.
i32_of_hex() {
  local h
  h=$(grep -oE '0x[0-9a-fA-F]+:i32' | head -n 1 | sed -E 's/^0x//; s/:i32$//') || true
  [ -n "$h" ] || return 0
  local v=$((16#$h))
  if [ "$v" -ge 2147483648 ]; then v=$((v - 4294967296)); fi
  echo "$v"
}
# find_peer NAME [PATH]: the peer runtime's binary, from PATH if given (it
# must be executable), else $WM_PEERS_DIR/bin/NAME or $WM_PEERS_DIR/NAME,
# else NAME on $PATH; prints nothing when there is none. Exits 2 if PATH is
# given but is not an executable.
find_peer() {
  local name=$1 given=${2:-}
  if [ -n "$given" ]; then
    [ -x "$given" ] || { echo "$(basename "$0"): --$name $given: not an executable" >&2; exit 2; }
    echo "$given"
  elif [ -n "${WM_PEERS_DIR:-}" ] && [ -x "$WM_PEERS_DIR/bin/$name" ]; then
    echo "$WM_PEERS_DIR/bin/$name"
  elif [ -n "${WM_PEERS_DIR:-}" ] && [ -x "$WM_PEERS_DIR/$name" ]; then
    echo "$WM_PEERS_DIR/$name"
  else
    command -v "$name" 2>/dev/null || true
  fi
}
# find_peers: sets $wasm3 and $iwasm (each empty where absent, both empty when
# $use_peers is 0) from the options $wasm3_opt and $iwasm_opt.
find_peers() {
  wasm3="" iwasm=""
  if [ "$use_peers" = 1 ]; then
    wasm3=$(find_peer wasm3 "$wasm3_opt")
    iwasm=$(find_peer iwasm "$iwasm_opt")
  fi
  return 0
}
