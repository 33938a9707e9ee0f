#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# peers.sh -- build the peer interpreters that bench/run.sh and
# bench/startup.sh compare wasmem with, from local checkouts you already
# have, into a prefix outside this repository. It downloads nothing: the
# builds run with CMake's FetchContent disconnected, so a configuration that
# would fetch a dependency fails instead. Nothing it builds is ever committed;
# CI never runs it.
#
# Usage: bench/peers.sh [--wasm3 DIR] [--wamr DIR] [--prefix DIR] [--jobs N]
#   --wasm3 DIR   a checkout of wasm3 (github wasm3/wasm3)
#   --wamr DIR    a checkout of WAMR (github bytecodealliance/wasm-micro-runtime)
#   --prefix DIR  where builds and binaries go (default $WM_PEERS_DIR, else
#                 /work/peers): DIR/bin/wasm3, DIR/bin/iwasm
#   --jobs N      parallel build jobs (default 2)
# At least one of --wasm3 and --wamr. Afterwards point the benchmarks at
# the binaries with WM_PEERS_DIR=DIR (they look in DIR/bin), or put DIR/bin
# on PATH, or pass --wasm3/--iwasm to them.
#
# The configurations, and why:
#   wasm3: Release, BUILD_WASI=simple (wasm3's own WASI over libc; the
#          default, uvwasi, would download libuv and uvwasi), BUILD_NATIVE=OFF
#          (no -march=native: wasmem is built for generic x86-64 too).
#   WAMR:  product-mini/platforms/linux, Release, the fast interpreter only
#          (INTERP=1 FAST_INTERP=1 AOT=0 JIT=0 FAST_JIT=0), libc-wasi on,
#          SIMD=0: with SIMD on, the fast interpreter needs SIMDe, which
#          WAMR's CMake downloads. The benchmark kernels use no SIMD.
set -euo pipefail

wasm3_src="" wamr_src="" prefix=${WM_PEERS_DIR:-/work/peers} jobs=2
while [ $# -gt 0 ]; do
  case $1 in
    --wasm3) wasm3_src=$2; shift ;;
    --wamr) wamr_src=$2; shift ;;
    --prefix) prefix=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "peers.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$wasm3_src" ] && [ -z "$wamr_src" ]; then
  echo "peers.sh: give --wasm3 DIR and/or --wamr DIR (local checkouts)" >&2
  exit 2
fi
mkdir -p "$prefix/bin" "$prefix/build"
prefix=$(cd "$prefix" && pwd)
offline=(-DFETCHCONTENT_FULLY_DISCONNECTED=ON)
# quietly LOG CMD...: runs CMD with its output in LOG, shown if it fails.
quietly() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "peers.sh: failed: $* (whole log: $log)" >&2
    exit 1
  fi
}

if [ -n "$wasm3_src" ]; then
  [ -f "$wasm3_src/source/wasm3.h" ] || { echo "peers.sh: $wasm3_src is not a wasm3 checkout" >&2; exit 2; }
  echo "building wasm3 from $wasm3_src ..." >&2
  quietly "$prefix/build/wasm3-configure.log" cmake -S "$wasm3_src" -B "$prefix/build/wasm3" \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_WASI=simple -DBUILD_NATIVE=OFF "${offline[@]}"
  quietly "$prefix/build/wasm3-build.log" cmake --build "$prefix/build/wasm3" -j "$jobs"
  cp "$prefix/build/wasm3/wasm3" "$prefix/bin/wasm3"
  echo "  $prefix/bin/wasm3" >&2
fi

if [ -n "$wamr_src" ]; then
  plat=$wamr_src/product-mini/platforms/linux
  [ -f "$plat/CMakeLists.txt" ] || { echo "peers.sh: $wamr_src is not a WAMR checkout" >&2; exit 2; }
  echo "building WAMR iwasm (fast interpreter) from $wamr_src ..." >&2
  quietly "$prefix/build/wamr-configure.log" cmake -S "$plat" -B "$prefix/build/wamr" \
    -DCMAKE_BUILD_TYPE=Release -DWAMR_BUILD_INTERP=1 -DWAMR_BUILD_FAST_INTERP=1 \
    -DWAMR_BUILD_AOT=0 -DWAMR_BUILD_JIT=0 -DWAMR_BUILD_FAST_JIT=0 \
    -DWAMR_BUILD_SIMD=0 -DWAMR_BUILD_LIBC_WASI=1 "${offline[@]}"
  quietly "$prefix/build/wamr-build.log" cmake --build "$prefix/build/wamr" -j "$jobs"
  cp "$prefix/build/wamr/iwasm" "$prefix/bin/iwasm"
  echo "  $prefix/bin/iwasm" >&2
fi
