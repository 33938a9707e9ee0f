#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh -- differential test: run every case of cases.txt and cases-*.txt
# under node (V8) and under `wasmem call`, and compare. Modules are built
# from modules/*.wat (wat2wasm), modules/*.c and examples/seed/array_sum.c
# (clang-14, wasm32). node runs with tail calls on (node 18 needs the flag).
# Usage: tests/diff/run.sh [--aot] WASMEM [WORKDIR [CASES...]]
#   CASES: the case files to run (default cases.txt and cases-*.txt here).
#   --aot: wasmem runs compiled code (`call --aot`, cached under WORKDIR);
#   a case whose module is not compiled yet (SIMD...) runs in the
#   interpreter, its note taken out of stderr and counted.
# Prints each mismatch and `N passed, N failed`; exits non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tier=()
if [ "${1:-}" = --aot ]; then tier=(--aot); shift; fi
wasmem=${1:?usage: run.sh [--aot] WASMEM [WORKDIR [CASES...]]}
work=${2:-$(mktemp -d)}
shift $(($# < 2 ? $# : 2))
[ $# -gt 0 ] || set -- "$here/cases.txt" "$here"/cases-*.txt
mkdir -p "$work"
cat "$@" >"$work/cases.txt"
cases=$work/cases.txt
[ -x "$wasmem" ] || { echo "run.sh: $wasmem is not an executable" >&2; exit 1; }

for tool in node wat2wasm clang-14; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
done

# Build the modules.
for f in "$here"/modules/*.wat; do
  wat2wasm "$f" -o "$work/$(basename "$f" .wat).wasm"
done
# shellcheck disable=SC2054 # -Wl,--no-entry is one argument
cflags=(--target=wasm32 -O2 -nostdlib -Wl,--no-entry)
# A module's own flags: a first line `/* cflags: ... */` (tailcall.c's
# -mtail-call).
for f in "$here"/modules/*.c; do
  read -r -a extra <<<"$(sed -n '1s|^/\* cflags: \(.*\) \*/$|\1|p' "$f")"
  clang-14 "${cflags[@]}" "${extra[@]}" -o "$work/$(basename "$f" .c).wasm" "$f"
done
clang-14 "${cflags[@]}" -o "$work/seed.wasm" "$top/examples/seed/array_sum.c"
# Broken modules for the error cases.
head -c 40 "$work/control.wasm" >"$work/truncated.wasm"
printf 'hello, world' >"$work/garbage.wasm"
: >"$work/empty.wasm"
rm -f "$work/missing.wasm"

# The oracle's results, one line per case.
node --experimental-wasm-return-call "$here/v8_call.js" --expect "$cases" "$work" >"$work/expected.txt"

# wasmem's: exit status, stdout and stderr of each case on one line.
: >"$work/actual.txt"
if [ ${#tier[@]} -gt 0 ]; then export XDG_CACHE_HOME=$work/aot-cache; fi
: >"$work/fallbacks.txt"
flat() { tr '\t\n' '  ' <"$1" | head -c 2000; }
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$cases" |
while read -r mod func rest; do
  read -r -a args <<<"$rest"
  set +e
  timeout 60 "$wasmem" call "$work/$mod.wasm" "$func" ${tier[@]+"${tier[@]}"} "${args[@]}" >"$work/out.txt" 2>"$work/err.txt" </dev/null
  rc=$?
  if [ ${#tier[@]} -gt 0 ]; then
    grep "running it in the interpreter" "$work/err.txt" >>"$work/fallbacks.txt"
    grep -v "running it in the interpreter" "$work/err.txt" >"$work/err2.txt"
    mv "$work/err2.txt" "$work/err.txt"
  fi
  set -e
  printf '%s\t%s\t%s\n' "$rc" "$(flat "$work/out.txt")" "$(flat "$work/err.txt")" >>"$work/actual.txt"
done

if [ ${#tier[@]} -gt 0 ]; then
  echo "aot: $(wc -l <"$work/fallbacks.txt") cases ran in the interpreter (modules not compiled yet):"
  sed 's/^wasmem: note: //' "$work/fallbacks.txt" | sort | uniq -c
fi
node "$here/v8_call.js" --compare "$cases" "$work/expected.txt" "$work/actual.txt"
