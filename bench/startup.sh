#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# startup.sh -- the start-up benchmark: how long a whole process takes, and
# how much memory it holds at its peak, to load, validate, instantiate and
# run a WASI command that does (almost) nothing, for three sizes of module:
#   empty  a nop `_start` with one page of memory (written with wat2wasm here)
#   hello  wasi-libc's printf, a small real C program (clang-14, built here;
#          or --small FILE)
#   large  the module given with --large FILE, run with --large-args (e.g.
#          yosys.core.wasm with -V: 30 MB of code that prints its version)
# on wasmem (`run`, and `validate` alone) and, where present, wasm3, WAMR's
# iwasm and node (node:wasi). Runs are interleaved (each round runs every
# module on every runtime once) and the table shows, per module and
# runtime, the median wall time with its min-max, the median CPU time
# (user + system) and the median peak RSS, below a row for `true` (what
# starting any process costs on this machine). Start-up is cold: nothing is
# cached between runs except what the OS keeps (the file in page cache);
# the wasmem row runs with --no-cache. With --cached, a "wasmem cached" row
# runs with a code cache of every module (its own directory in the output
# directory), filled by one run of each module before the rounds.
#
# Usage: bench/startup.sh [--runs N] [--large FILE] [--large-args "ARGS"]
#                         [--small FILE] [--wasmem PATH] [--wasm3 PATH]
#                         [--iwasm PATH] [--no-peers] [--no-node]
#                         [--cached] [--out DIR]
#   --runs N      rounds (default 5)
#   --large FILE  the large module (no default: the row is left out)
#   --large-args  its arguments, one string split at spaces (default -V)
#   --small FILE  a WASI command to use instead of the built hello
#   --wasmem, --wasm3, --iwasm, --no-peers, --no-node  as in bench/run.sh
#   --cached      add a "wasmem cached" row (warm code cache)
# Exits non-zero if a wasmem row fails; a peer that fails is shown as
# failed and does not change the exit status.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
runs=5 quick=0 use_node=1 use_peers=1 wasmem="" out="" cached=0
wasm3_opt="" iwasm_opt="" large="" large_args="-V" small=""
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift ;;
    --large) large=$2; shift ;;
    --large-args) large_args=$2; shift ;;
    --small) small=$2; shift ;;
    --wasmem) wasmem=$2; shift ;;
    --wasm3) wasm3_opt=$2; shift ;;
    --iwasm) iwasm_opt=$2; shift ;;
    --no-peers) use_peers=0 ;;
    --no-node) use_node=0 ;;
    --cached) cached=1 ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "startup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
for f in "$large" "$small"; do
  if [ -n "$f" ] && [ ! -f "$f" ]; then echo "startup.sh: no module $f" >&2; exit 2; fi
done
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
setup bench-startup
build_proctime
find_peers

# The modules: name, file and arguments (one string, split at spaces).
echo "building the start-up modules in $out ..." >&2
printf '(module (memory (export "memory") 1) (func (export "_start")))\n' >"$out/empty.wat"
wat2wasm "$out/empty.wat" -o "$out/empty.wasm"
if [ -z "$small" ]; then
  small=$out/hello.wasm
  cat >"$out/hello.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  char *s = malloc(64);
  if (!s) return 1;
  strcpy(s, "hello from wasi-libc");
  printf("%s, %d argument(s)%s%s\n", s, argc - 1, argc > 1 ? ": " : "", argc > 1 ? argv[1] : "");
  free(s);
  return 0;
}
EOF
  clang-14 --target=wasm32-wasi -O2 -Wl,--strip-debug -o "$small" "$out/hello.c"
fi
modules=(empty hello)
declare -A mod_file=([empty]=$out/empty.wasm [hello]=$small) mod_args=([empty]="" [hello]="")
if [ -n "$large" ]; then
  modules+=(large)
  mod_file[large]=$large mod_args[large]=$large_args
fi

# The runtimes: a label and a command template in which {FILE} stands for
# the module and {ARGS} for its arguments.
runners=()
declare -A runner_words=()
add_runner() {
  local label=$1 w joined=""
  shift
  for w in "$@"; do joined+=$w$'\x1f'; done
  runners+=("$label")
  runner_words[$label]=$joined
}
add_runner "wasmem" "$wasmem" run --no-cache '{FILE}' -- '{ARGS}'
if [ $cached = 1 ]; then
  # Set for every process rather than through env(1), whose exec would be
  # timed too; only this row's wasmem reads them (the other row runs with
  # --no-cache, validate never caches).
  rm -rf "$out/cache"
  export XDG_CACHE_HOME="$out/cache" WASMEM_CACHE_MIN=0
  add_runner "wasmem cached" "$wasmem" run '{FILE}' -- '{ARGS}'
fi
add_runner "wasmem validate" "$wasmem" validate '{FILE}'
[ -n "$wasm3" ] && add_runner "wasm3" "$wasm3" '{FILE}' '{ARGS}'
[ -n "$iwasm" ] && add_runner "iwasm" "$iwasm" '{FILE}' '{ARGS}'
[ $use_node = 1 ] && add_runner "node" node --no-warnings "$top/bench/node_wasi.js" '{FILE}' '{ARGS}'
echo "runtimes: ${runners[*]}" >&2

# runner_cmd LABEL MODULE: sets cmd to the runner's command for MODULE.
runner_cmd() {
  local w words args
  IFS=$'\x1f' read -r -a words <<<"${runner_words[$1]}"
  read -r -a args <<<"${mod_args[$2]}"
  cmd=()
  for w in "${words[@]}"; do
    case $w in
      '{FILE}') cmd+=("${mod_file[$2]}") ;;
      '{ARGS}') cmd+=(${args[@]+"${args[@]}"}) ;;
      *) cmd+=("$w") ;;
    esac
  done
}

if [ $cached = 1 ]; then
  for m in "${modules[@]}"; do
    runner_cmd "wasmem cached" "$m"
    "${cmd[@]}" >/dev/null 2>&1 || true
  done
fi

declare -A walls=() cpus=() rsss=() errs=()
for ((i = 0; i < runs; i++)); do
  # The cost of a process that does nothing, to read the rows against.
  if measure true; then
    walls[base]+="$wall_us"$'\n' cpus[base]+="$cpu_us"$'\n' rsss[base]+="$rss_kb"$'\n'
  fi
  for m in "${modules[@]}"; do
    for r in "${runners[@]}"; do
      key=$m/$r
      [ -n "${errs[$key]:-}" ] && continue
      runner_cmd "$r" "$m"
      if ! measure "${cmd[@]}"; then errs[$key]=$errmsg; continue; fi
      walls[$key]+="$wall_us"$'\n' cpus[$key]+="$cpu_us"$'\n' rsss[$key]+="$rss_kb"$'\n'
      # Every runner that runs the module must print what wasmem printed.
      if [ $i = 0 ] && [[ ${runner_words[$r]} == *"{ARGS}"* ]]; then
        if [ "$r" = wasmem ]; then
          cp "$out/stdout.txt" "$out/expect-$m.txt"
        elif [ -f "$out/expect-$m.txt" ] && ! cmp -s "$out/stdout.txt" "$out/expect-$m.txt"; then
          errs[$key]="output differs from wasmem's: $(head -c 80 "$out/stdout.txt" | tr '\n' ' ')"
        fi
      fi
    done
  done
done

failed=0
hdr=$(printf '%-6s %-16s %9s %15s %9s %9s' module runtime "wall ms" "min-max" "cpu ms" "peak MB")
echo; echo "$hdr"; echo "${hdr//?/-}"
row() { # MODULE RUNTIME KEY
  printf '%-6s %-16s %9.1f %15s %9.1f %9.1f\n' "$1" "$2" \
    "$(printf '%s' "${walls[$3]}" | median | awk '{ print $1 / 1000 }')" \
    "$(printf '%s' "${walls[$3]}" | spread 1000 1)" \
    "$(printf '%s' "${cpus[$3]}" | median | awk '{ print $1 / 1000 }')" \
    "$(printf '%s' "${rsss[$3]}" | median | awk '{ print $1 / 1024 }')"
}
[ -n "${walls[base]:-}" ] && row - "true (baseline)" base
for m in "${modules[@]}"; do
  for r in "${runners[@]}"; do
    key=$m/$r
    if [ -n "${errs[$key]:-}" ]; then
      printf '%-6s %-16s failed: %s\n' "$m" "$r" "${errs[$key]}"
      [[ $r == wasmem* ]] && failed=1
      continue
    fi
    row "$m" "$r" "$key"
  done
done
echo
printf 'median of %s interleaved rounds; wall and cpu (user + sys) ms per process, peak RSS;\n' "$runs"
echo "true (baseline): /bin/true, what starting any process costs here"
for m in "${modules[@]}"; do
  printf '  %-6s %s (%s bytes)%s\n' "$m" "${mod_file[$m]}" "$(stat -c %s "${mod_file[$m]}")" \
    "${mod_args[$m]:+ args: ${mod_args[$m]}}"
done
exit $failed
