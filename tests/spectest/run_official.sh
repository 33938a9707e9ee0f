#!/bin/sh
# SPDX-License-Identifier: MIT
# run_official.sh -- run the official spec testsuite (or any directory of
# .wast files) through `wasmem spectest`, with per-file and per-group counts:
# converted by wast2json, or with --wast read natively (`wasmem spectest
# FILE.wast`, text modules included; run_official_wast.sh says that).
# Local use only; CI does not run it.
#
# usage: tests/spectest/run_official.sh [--wast] [--wasm3] [WASMEM] [DIR]
#   --wasm3 judge modules by WebAssembly 3.0's rules (for the 3.0 suite);
#           by default `spectest --wasm2` runs the scripts, as the 2.0
#           suite (3a04b2c) expects where 3.0 changed a meaning (a memory
#           index where 2.0 had a reserved zero byte)
#   WASMEM  the wasmem binary (default: build/wasmem, build/release/wasmem,
#           then wasmem on PATH)
#   DIR     directory of .wast files (default: /work/testsuite)
# Set VERBOSE=1 to see each file's failure lines, and WAST2JSON_FLAGS to
# pass options to wast2json (split at spaces), e.g. for the relaxed-simd
# proposal's tests:
#   WAST2JSON_FLAGS=--enable-relaxed-simd run_official.sh WASMEM DIR
# SPECTEST_FLAGS adds options to every `wasmem spectest`, e.g. --aot
# (compiled code; the files' "aot:" lines are summed after the totals).
# SPECTEST_TIMEOUT is each file's limit in seconds (default 300; --aot
# compiles const.wast's 400 modules one by one: give it 900 on a busy
# machine).
set -u

native=0 rules=--wasm2
if [ "${1:-}" = --wast ]; then native=1; shift; fi
if [ "${1:-}" = --wasm3 ]; then rules=; shift; fi
wasmem=${1:-}
dir=${2:-/work/testsuite}
if [ -z "$wasmem" ]; then
  here=$(cd "$(dirname "$0")/../.." && pwd)
  if [ -x "$here/build/wasmem" ]; then wasmem=$here/build/wasmem
  elif [ -x "$here/build/release/wasmem" ]; then wasmem=$here/build/release/wasmem
  else wasmem=wasmem; fi
fi
[ $native = 1 ] || command -v wast2json >/dev/null 2>&1 || { echo "run_official.sh: wast2json not found" >&2; exit 2; }
command -v "$wasmem" >/dev/null 2>&1 || [ -x "$wasmem" ] || { echo "run_official.sh: $wasmem not found" >&2; exit 2; }
[ -d "$dir" ] || { echo "run_official.sh: $dir is not a directory" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wasmem-spec.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# Group by file name: simd_*, relaxed SIMD, bulk memory, reference types,
# else MVP.
group_of() {
  case "$1" in
    simd_*) echo simd ;;
    *relaxed*) echo relaxed-simd ;;
    bulk|memory_copy|memory_fill|memory_init|data_drop|table_copy|table_init|elem_drop) echo bulk-memory ;;
    ref_*|table_get|table_set|table_grow|table_size|table_fill|table-sub|select_typed|externref*|linking-ref*) echo reference-types ;;
    *) echo mvp ;;
  esac
}

printf '%-32s %7s %7s %7s\n' file passed failed skipped
for wast in "$dir"/*.wast; do
  [ -e "$wast" ] || continue
  name=$(basename "$wast" .wast)
  group=$(group_of "$name")
  mkdir -p "$tmp/$name"
  script=$wast
  # shellcheck disable=SC2086 # the flags are split at spaces on purpose
  if [ $native = 1 ]; then :
  elif ! wast2json ${WAST2JSON_FLAGS:-} "$wast" -o "$tmp/$name/$name.json" >"$tmp/$name/wast2json.log" 2>&1; then
    printf '%-32s %s\n' "$name" "wast2json failed (not counted)"
    [ "${VERBOSE:-0}" = 1 ] && head -n 2 "$tmp/$name/wast2json.log" | sed 's/^/    /'
    echo "$group $name 0 0 0 convert" >>"$tmp/counts"
    continue
  else
    script=$tmp/$name/$name.json
  fi
  out=$(timeout "${SPECTEST_TIMEOUT:-300}" "$wasmem" spectest $rules ${SPECTEST_FLAGS:-} "$script" 2>&1)
  rc=$?
  last=$(printf '%s\n' "$out" | tail -n 1)
  # Last line: "N passed, N failed, N skipped"
  set -- $last
  if [ $# -eq 6 ] && [ "$2" = "passed," ]; then
    p=$1 f=$3 s=$5 note=""
  else
    p=0 f=1 s=0 note="crashed or bad output (exit $rc): $last"
  fi
  printf '%-32s %7s %7s %7s %s\n' "$name" "$p" "$f" "$s" "$note"
  if [ "${VERBOSE:-0}" = 1 ] && [ "$f" != 0 ]; then
    printf '%s\n' "$out" | sed '$d' | head -n 40 | sed 's/^/    /'
  fi
  echo "$group $name $p $f $s ok" >>"$tmp/counts"
  printf '%s\n' "$out" | sed -n 's/^aot: \([0-9]*\) modules compiled, \([0-9]*\) interpreted.*/\1 \2/p' >>"$tmp/aot"
done

[ -f "$tmp/counts" ] || { echo "no .wast files in $dir"; exit 1; }
echo
printf '%-20s %7s %7s %7s %7s\n' group files passed failed skipped
awk '{ f[$1]++; p[$1]+=$3; x[$1]+=$4; s[$1]+=$5; P+=$3; X+=$4; S+=$5; F++ }
     END { n = split("mvp simd relaxed-simd bulk-memory reference-types", order, " ");
           for (i = 1; i <= n; i++) { g = order[i]; if (g in f)
             printf "%-20s %7d %7d %7d %7d\n", g, f[g], p[g], x[g], s[g] }
           printf "%-20s %7d %7d %7d %7d\n", "total", F, P, X, S }' "$tmp/counts"
[ -s "$tmp/aot" ] && awk '{ c += $1; i += $2 }
  END { printf "aot: %d modules compiled, %d interpreted\n", c, i }' "$tmp/aot"
awk '{ x += $4 } END { exit x ? 1 : 0 }' "$tmp/counts"
