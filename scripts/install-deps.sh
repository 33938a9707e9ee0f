#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# install-deps.sh -- install what building and testing wasmem needs on Debian 12.
# Idempotent: packages already installed are skipped, and apt is not touched at
# all when nothing is missing. Run as root (CI does); otherwise uses sudo.
set -euo pipefail

# Debian package -> a file or command that shows it is installed. With
# --no-install-recommends gcc does not pull in the C library headers, so
# libc6-dev is listed on its own.
want=(
  "cmake:cmd:cmake"
  "gcc:cmd:gcc"
  # The C++ check of the public headers (examples/embed/header.cpp).
  "g++:cmd:g++"
  "libc6-dev:file:/usr/include/stdio.h"
  "make:cmd:make"
  "pkg-config:cmd:pkg-config"
  "clang-14:cmd:clang-14"
  "lld-14:cmd:wasm-ld-14"
  "wabt:cmd:wat2wasm"
  "libjansson-dev:file:/usr/include/jansson.h"
  "wasi-libc:file:/usr/include/wasm32-wasi/stdio.h"
  "libclang-rt-14-dev-wasm32:pkg:libclang-rt-14-dev-wasm32"
  "valgrind:cmd:valgrind"
  # Rust guests (examples/seed): Debian's rustc, called as /usr/bin/rustc,
  # with its wasm32 standard libraries (wasm32-unknown-unknown, wasm32-wasi).
  "rustc:file:/usr/bin/rustc"
  "libstd-rust-dev-wasm32:pkg:libstd-rust-dev-wasm32"
)
# Nice to have; a failure to install these is not fatal.
optional=(
  "hyperfine:cmd:hyperfine"
)

have() {
  local kind=$1 what=$2
  case $kind in
    cmd) command -v "$what" >/dev/null 2>&1 ;;
    file) [ -e "$what" ] ;;
    pkg) dpkg-query -W -f='${Status}' "$what" 2>/dev/null | grep -q "install ok installed" ;;
  esac
}

missing=()
for entry in "${want[@]}"; do
  IFS=: read -r pkg kind what <<<"$entry"
  have "$kind" "$what" || missing+=("$pkg")
done
# node (any version >= 16) is used by the differential tests as an oracle.
if ! command -v node >/dev/null 2>&1; then
  missing+=("nodejs")
fi
# npm installs AssemblyScript for the AS guest (examples/seed/as).
if ! command -v npm >/dev/null 2>&1; then
  missing+=("npm")
fi

# AssemblyScript, pinned by examples/seed/as/package-lock.json, into that
# folder's node_modules (git-ignored). Run after the apt step (needs npm).
as_dir=$(cd "$(dirname "$0")/.." && pwd)/examples/seed/as
install_as() {
  if [ -x "$as_dir/node_modules/.bin/asc" ]; then return 0; fi
  echo "install-deps: npm ci in examples/seed/as (AssemblyScript)"
  (cd "$as_dir" && npm ci --no-audit --no-fund --loglevel=error)
}
# binaryen's wasm-opt makes the differential fuzzer's modules
# (tests/difffuzz). Debian's package is unpacked into tests/difffuzz/binaryen
# (git-ignored), not installed: with wasm-opt on the PATH, clang-14 runs it
# on every optimised wasm32 link, which changes the guests other tests build
# (it drops the names test_decode looks for, and reshapes the allocators the
# heap checker recognises).
bin_dir=$(cd "$(dirname "$0")/.." && pwd)/tests/difffuzz/binaryen
install_binaryen() {
  if [ -x "$bin_dir/usr/bin/wasm-opt" ]; then return 0; fi
  echo "install-deps: unpacking Debian's binaryen into $bin_dir"
  local tmp
  tmp=$(mktemp -d)
  if ! (cd "$tmp" && apt-get download -qq binaryen 2>/dev/null); then
    ${SUDO:-} apt-get update -qq
    (cd "$tmp" && apt-get download -qq binaryen)
  fi
  dpkg-deb -x "$tmp"/binaryen_*.deb "$bin_dir"
  rm -rf "$tmp"
}
opt_missing=()
for entry in "${optional[@]}"; do
  IFS=: read -r pkg kind what <<<"$entry"
  have "$kind" "$what" || opt_missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ] && [ ${#opt_missing[@]} -eq 0 ]; then
  install_as
  install_binaryen
  echo "install-deps: everything is present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: missing ${missing[*]} ${opt_missing[*]} and not root" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]} ${opt_missing[*]}"
$SUDO apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ ${#opt_missing[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${opt_missing[@]}" ||
    echo "install-deps: optional ${opt_missing[*]} not installed (continuing)"
fi
install_as
install_binaryen
echo "install-deps: done"
