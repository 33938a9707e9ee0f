#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build.sh -- build the seed article's guest in every language we have a
# toolchain for, into OUTDIR (default build/examples/seed):
#   c.wasm          C, freestanding (include/wasmem_guest.h's allocator)
#   c-mv.wasm       the same plus upper_pair, with the multi-value ABI
#   c-wasi.wasm     C with wasi-libc (malloc/free), a WASI reactor
#   rust.wasm       Rust (the article's code), wasm32-unknown-unknown
#   rust-wasi.wasm  the same for wasm32-wasi (imports four WASI calls)
#   as.wasm         AssemblyScript (incremental collector); as-minimal.wasm
#                   and as-stub.wasm with its minimal and stub runtimes
#   as-article.wasm the article's own AssemblyScript module, verbatim
#                   (as/assembly/article.ts): alloc and array_sum only, no
#                   dealloc and no upper. It is in OUTDIR/variants too, but
#                   hosts that loop over the full seed guests skip it.
# A variant whose toolchain is missing is skipped with a message (exit 0)
# unless WM_GUESTS_REQUIRE=1; a build that fails is an error. OUTDIR/variants
# lists what was built, one name a line. Install the toolchains with
# scripts/install-deps.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/build/examples/seed}
mkdir -p "$out"
: >"$out/variants.tmp"
require=${WM_GUESTS_REQUIRE:-0}
rustc=${RUSTC_WASM:-/usr/bin/rustc}
asc=$here/as/node_modules/.bin/asc

built() { echo "  built   $1.wasm"; echo "$1" >>"$out/variants.tmp"; }
skip() {
  echo "  skipped $1: $2"
  if [ "$require" = 1 ]; then echo "build.sh: WM_GUESTS_REQUIRE=1 and $1 cannot be built" >&2; exit 1; fi
}

echo "Building the seed guests into $out"
# shellcheck disable=SC2054 # -Wl,--no-entry is one argument
cfree=(clang-14 --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wall -Wextra -Werror -I "$top/include")
if command -v clang-14 >/dev/null && { command -v wasm-ld-14 || command -v wasm-ld; } >/dev/null; then
  "${cfree[@]}" -o "$out/c.wasm" "$here/c/seed.c"
  built c
  "${cfree[@]}" -mmultivalue -Xclang -target-abi -Xclang experimental-mv -DWM_SEED_PAIR \
    -o "$out/c-mv.wasm" "$here/c/seed.c"
  built c-mv
  if [ -e /usr/include/wasm32-wasi/stdlib.h ]; then
    clang-14 --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-debug -Wall -Wextra -Werror \
      -I "$top/include" -o "$out/c-wasi.wasm" "$here/c/seed.c"
    built c-wasi
  else
    skip c-wasi "wasi-libc is not installed"
  fi
else
  skip c "clang-14 / wasm-ld not found"
  skip c-mv "clang-14 / wasm-ld not found"
  skip c-wasi "clang-14 / wasm-ld not found"
fi

# Debian's rustc (1.63) has the wasm32 standard libraries; rustup's does not.
if [ -x "$rustc" ] && [ -d "$("$rustc" --print sysroot 2>/dev/null)/lib/rustlib/wasm32-unknown-unknown" ]; then
  rs=("$rustc" --edition 2021 --crate-type cdylib -O -C strip=debuginfo)
  "${rs[@]}" --target wasm32-unknown-unknown -o "$out/rust.wasm" "$here/rust/lib.rs"
  built rust
  if [ -d "$("$rustc" --print sysroot)/lib/rustlib/wasm32-wasi" ]; then
    "${rs[@]}" --target wasm32-wasi -o "$out/rust-wasi.wasm" "$here/rust/lib.rs"
    built rust-wasi
  else
    skip rust-wasi "no wasm32-wasi standard library for $rustc"
  fi
else
  skip rust "$rustc with wasm32 targets not found (Debian: rustc libstd-rust-dev-wasm32)"
  skip rust-wasi "$rustc with wasm32 targets not found"
fi

if [ -x "$asc" ] && command -v node >/dev/null; then
  # The default (incremental) collector, and the minimal and stub runtimes
  # (their __pin/__unpin are simpler or no-ops; the host code is the same).
  for rt in incremental minimal stub; do
    name=as
    [ $rt = incremental ] || name=as-$rt
    (cd "$here/as" && "$asc" assembly/index.ts -O --exportRuntime --runtime $rt \
      --use abort=assembly/index/abort -o "$out/$name.wasm")
    built $name
  done
  # The article's build line (asc index.ts --use abort=index/abort), with
  # its -O and without --exportRuntime: the module exports memory, alloc,
  # array_sum and abort, nothing of the runtime.
  (cd "$here/as" && "$asc" assembly/article.ts --use abort=assembly/article/abort -O \
    -o "$out/as-article.wasm")
  built as-article
else
  skip as "AssemblyScript not installed (npm ci in examples/seed/as)"
  skip as-article "AssemblyScript not installed (npm ci in examples/seed/as)"
fi

mv "$out/variants.tmp" "$out/variants"
