#!/usr/bin/env bash
# walkthrough.sh -- the main job, end to end: build wasmem, compile the seed's
# array_sum guest (examples/seed/array_sum.c) from C to wasm32 with clang-14,
# and call its exports with `wasmem call`. Exits non-zero if any step fails
# or a result is not the expected one.
# Environment: BUILD_DIR (default build/release), WASMEM (use this binary
# instead of building one).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build/release}
out=$top/build/examples
mkdir -p "$out"

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

if [ -n "${WASMEM:-}" ]; then
  say "1. Using the wasmem binary given in \$WASMEM: $WASMEM"
  wasmem=$WASMEM
else
  say "1. Build wasmem (Release) in $build"
  cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
  wasmem=$build/wasmem
  echo "built $wasmem"
fi

say "2. Compile the guest from C to a freestanding wasm32 module"
run clang-14 --target=wasm32 -O2 -nostdlib -Wl,--no-entry \
  -o "$out/array_sum.wasm" "$top/examples/seed/array_sum.c"

failed=0
# expect WANT CMD...: runs CMD, prints its output, checks the first integer in
# it (type names such as "i32" aside) is WANT.
expect() {
  local want=$1 got outp; shift
  printf '$ %s\n' "$*"
  if ! outp=$("$@" 2>&1); then
    printf '%s\n' "$outp"
    echo "   FAILED (exit status non-zero)"; failed=1; return
  fi
  printf '%s\n' "$outp"
  got=$(sed -E 's/\b[if](32|64)\b//g' <<<"$outp" | grep -oE -- '-?[0-9]+' | head -n 1 || true)
  if [ "$got" != "$want" ]; then echo "   FAILED (expected $want)"; failed=1; fi
}

say "3. Call its exports with wasmem"
# array_sum(ptr, len) needs the host to copy an array into linear memory
# first; `wasmem call` cannot do that yet (the exchange API is the next step),
# so sum_demo does the copy inside the guest and sums [1, 2, 3, 4, 5].
expect 15 "$wasmem" call "$out/array_sum.wasm" sum_demo
expect 6765 "$wasmem" call "$out/array_sum.wasm" fib 20
expect 12586269025 "$wasmem" call "$out/array_sum.wasm" fib 50

if command -v node >/dev/null 2>&1; then
  say "For reference: the article's JavaScript host under node passes the array itself"
  run node "$top/examples/seed/host.js" "$out/array_sum.wasm"
fi

if [ $failed -ne 0 ]; then
  say "walkthrough FAILED"
  exit 1
fi
say "walkthrough OK"
