#!/bin/sh
# SPDX-License-Identifier: MIT
# compare.sh -- our text parser against wabt's wat2wasm, byte for byte:
# every .wat file under tests/, and every module of tests/wast/*.wast (the
# modules extracted by wast_modules, compared with the .wasm files that
# wast2json writes for the same commands). Prints the counts; fails on any
# difference. Run on any other .wast files by giving them after WORKDIR.
# usage: compare.sh WASMEM WAST_MODULES WAT2WASM WAST2JSON SRCDIR WORKDIR [FILE.wast...]
set -u
wasmem=$1 tool=$2 wat2wasm=$3 wast2json=$4 src=$5 work=$6
shift 6
flags="--enable-relaxed-simd --enable-extended-const --enable-threads --enable-tail-call --enable-multi-memory --enable-memory64"
same=0 differ=0 files=0
rm -rf "$work"
mkdir -p "$work"

check() { # ours reference label
  if cmp -s "$1" "$2"; then
    same=$((same + 1))
  else
    differ=$((differ + 1))
    echo "DIFFERENT: $3"
  fi
}

for f in $(find "$src/tests" -name '*.wat' | sort); do
  files=$((files + 1))
  # A file of syntax wabt 1.0.32 does not have (try_table) says so.
  if grep -q '^;; compare.sh: skip' "$f"; then echo "skipped: $f (not wabt 1.0.32's syntax)"; continue; fi
  if ! "$wat2wasm" $flags "$f" -o "$work/ref.wasm"; then
    differ=$((differ + 1)); echo "DIFFERENT: $f (wat2wasm fails)"; continue
  fi
  rm -f "$work/our.wasm"
  "$wasmem" wat2wasm "$f" -o "$work/our.wasm"
  check "$work/our.wasm" "$work/ref.wasm" "$f"
done

if [ $# -eq 0 ]; then set -- "$src"/tests/wast/*.wast; fi
for w in "$@"; do
  files=$((files + 1))
  base=$(basename "$w" .wast)
  d="$work/$base"
  mkdir -p "$d"
  if ! "$wast2json" $flags --no-check "$w" -o "$d/$base.json" 2>/dev/null; then
    echo "skipped: $w (wast2json fails)"; continue
  fi
  grep -o '"filename": "[^"]*\.wasm"' "$d/$base.json" | sed 's/.*: "//; s/"$//' >"$d/ref.txt"
  "$tool" "$w" "$d" m >"$d/ours.txt" || { differ=$((differ + 1)); echo "DIFFERENT: $w (extraction)"; continue; }
  if [ "$(wc -l <"$d/ours.txt")" != "$(wc -l <"$d/ref.txt")" ]; then
    differ=$((differ + 1)); echo "DIFFERENT: $w (module count)"; continue
  fi
  paste "$d/ours.txt" "$d/ref.txt" >"$d/pairs.txt"
  while read -r wat ref; do
    rm -f "$d/our.wasm"
    "$wasmem" wat2wasm "$wat" -o "$d/our.wasm"
    check "$d/our.wasm" "$d/$ref" "$wat ($base.wast)"
  done <"$d/pairs.txt"
done
echo "compare: $same identical, $differ different, of $((same + differ)) modules from $files files"
[ "$differ" -eq 0 ]
