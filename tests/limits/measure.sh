#!/bin/sh
# SPDX-License-Identifier: MIT
# measure.sh WASMEM DIR -- peak host memory of loading each module that
# gen_bombs.py wrote to DIR (`wasmem validate`; the table bomb is also
# instantiated and run with `wasmem call ... f`): size, max RSS, RSS per
# module byte over the RSS of loading an empty module, seconds, exit status.
set -u
wasmem=$1 dir=$2
printf '\0asm\1\0\0\0' > "$dir/empty.wasm"
rss() { /usr/bin/time -f '%M %e %x' "$@" 2>&1 >/dev/null | tail -1; }
base=$(rss "$wasmem" validate "$dir/empty.wasm" | cut -d' ' -f1)
printf '%-14s %10s %10s %8s %7s %s\n' module bytes maxrss_kb per_byte seconds status
for f in "$dir"/*.wasm; do
  name=$(basename "$f" .wasm)
  [ "$name" = empty ] && continue
  size=$(stat -c %s "$f")
  if [ "$name" = table_bomb ]; then set -- call "$f" f; else set -- validate "$f"; fi
  out=$(timeout 120 /usr/bin/time -f '%M %e %x' "$wasmem" "$@" 2>&1 >/dev/null | tail -1)
  kb=${out%% *} rest=${out#* }
  case "$kb" in *[!0-9]*|'') printf '%-14s %10s (%s)\n' "$name" "$size" "$out"; continue;; esac
  printf '%-14s %10s %10s %8.1f %7s %s\n' "$name" "$size" "$kb" \
    "$(echo "($kb - $base) * 1024 / $size" | bc -l)" ${rest% *} ${rest#* }
done
