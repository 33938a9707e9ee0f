#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build.sh -- build the `wasmem check` test guests (tests/check/guests) into
# OUTDIR (default build/check-guests):
#   c-free.wasm       C, freestanding, include/wasmem_guest.h's allocator (a
#                     reactor: one export per case)
#   c-wasi.wasm       C with wasi-libc (dlmalloc), a WASI command: argv[1]
#                     is the case
#   c-wasi-argv.wasm  C with wasi-libc, main(argc, argv): wasi-libc's own
#                     argv blocks
#   rust.wasm         Rust, wasm32-unknown-unknown cdylib (one export per case)
#   rust-wasi.wasm    Rust, wasm32-wasi command (argv[1] is the case)
#   as.wasm, as-minimal.wasm  AssemblyScript, --debug, the incremental and
#                     the minimal collector (one export per case)
#   as-churn.wasm, as-minimal-churn.wasm  a busy AssemblyScript program
#                     with no __collect compiled in, both collectors
#   as-seed.wasm      the seed's AssemblyScript guest, --debug
# A variant whose toolchain is missing is skipped with a message (exit 0)
# unless WM_GUESTS_REQUIRE=1; a build that fails is an error. OUTDIR/variants
# lists what was built, one name a line (run.sh skips the cases of the
# others). Install the toolchains with scripts/install-deps.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
src=$here/guests
out=${1:-$top/build/check-guests}
mkdir -p "$out"
: >"$out/variants.tmp"
require=${WM_GUESTS_REQUIRE:-0}
rustc=${RUSTC_WASM:-/usr/bin/rustc}

built() { echo "  built   $1.wasm"; echo "$1" >>"$out/variants.tmp"; }
skip() {
  echo "  skipped $1: $2"
  if [ "$require" = 1 ]; then echo "build.sh: WM_GUESTS_REQUIRE=1 and $1 cannot be built" >&2; exit 1; fi
}

echo "Building the check guests into $out"
# -O1 as a real program would be built; every bad access in the sources is
# volatile so that the optimiser keeps it.
if command -v clang-14 >/dev/null && { command -v wasm-ld-14 || command -v wasm-ld; } >/dev/null; then
  # shellcheck disable=SC2054 # -Wl,--no-entry is one argument
  clang-14 --target=wasm32 -O1 -nostdlib -Wl,--no-entry -Wall -Wextra -Werror -I "$top/include" \
    -o "$out/c-free.wasm" "$src/c_free.c"
  built c-free
  clang-14 --target=wasm32 -O1 -msimd128 -nostdlib -Wl,--no-entry -Wall -Wextra -Werror \
    -I "$top/include" -o "$out/c-simd.wasm" "$src/c_simd.c"
  built c-simd
  if [ -e /usr/include/wasm32-wasi/stdlib.h ]; then
    clang-14 --target=wasm32-wasi -O1 -Wl,--strip-debug -Wall -Wextra -Werror \
      -o "$out/c-wasi.wasm" "$src/c_wasi.c"
    built c-wasi
    clang-14 --target=wasm32-wasi -O1 -Wl,--strip-debug -Wall -Wextra -Werror \
      -o "$out/c-wasi-argv.wasm" "$src/c_wasi_argv.c"
    built c-wasi-argv
  else
    skip c-wasi "wasi-libc is not installed"
    skip c-wasi-argv "wasi-libc is not installed"
  fi
else
  skip c-free "clang-14 / wasm-ld not found"
  skip c-simd "clang-14 / wasm-ld not found"
  skip c-wasi "clang-14 / wasm-ld not found"
  skip c-wasi-argv "clang-14 / wasm-ld not found"
fi

# Debian's rustc (1.63) has the wasm32 standard libraries; rustup's does not.
if [ -x "$rustc" ] && [ -d "$("$rustc" --print sysroot 2>/dev/null)/lib/rustlib/wasm32-unknown-unknown" ]; then
  rs=("$rustc" --edition 2021 -O -C strip=debuginfo)
  "${rs[@]}" --crate-type cdylib --target wasm32-unknown-unknown -o "$out/rust.wasm" "$src/rust_lib.rs"
  built rust
  if [ -d "$("$rustc" --print sysroot)/lib/rustlib/wasm32-wasi" ]; then
    "${rs[@]}" --crate-type bin --target wasm32-wasi -o "$out/rust-wasi.wasm" "$src/rust_bin.rs"
    built rust-wasi
  else
    skip rust-wasi "no wasm32-wasi standard library for $rustc"
  fi
else
  skip rust "$rustc with wasm32 targets not found (Debian: rustc libstd-rust-dev-wasm32)"
  skip rust-wasi "$rustc with wasm32 targets not found"
fi

# AssemblyScript (the seed's npm install in examples/seed/as): unoptimised
# --debug builds, whose name section names the runtime's functions; once
# per collector. The seed guest too, for the host's side.
asc=$top/examples/seed/as/node_modules/.bin/asc
if [ -x "$asc" ] && command -v node >/dev/null; then
  for rt in incremental minimal; do
    name=as
    [ $rt = incremental ] || name=as-$rt
    (cd "$src" && "$asc" as_cases.ts --debug --runtime $rt --use abort=as_cases/abort \
      -o "$out/$name.wasm")
    built $name
    (cd "$src" && "$asc" as_churn.ts --debug --runtime $rt --use abort=as_churn/abort \
      -o "$out/$name-churn.wasm")
    built $name-churn
  done
  (cd "$top/examples/seed/as" && "$asc" assembly/index.ts --debug --exportRuntime \
    --use abort=assembly/index/abort -o "$out/as-seed.wasm")
  built as-seed
else
  for v in as as-minimal as-churn as-minimal-churn as-seed; do skip $v "AssemblyScript not installed (scripts/install-deps.sh)"; done
fi

mv "$out/variants.tmp" "$out/variants"
