#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh -- install wasmem from a build tree into a temporary prefix and
# build a tiny consumer (consumer.c) the three ways users do: pkg-config
# (shared and static), find_package (wasmem::wasmem, wasmem::wasmem_static)
# and add_subdirectory through FetchContent. Each consumer must run and
# print the library's version.
# Usage: tests/install/run.sh BUILD_DIR SOURCE_DIR WORKDIR
set -euo pipefail

build=${1:?usage: run.sh BUILD_DIR SOURCE_DIR WORKDIR}
src=$(cd "${2:?usage: run.sh BUILD_DIR SOURCE_DIR WORKDIR}" && pwd)
work=${3:?usage: run.sh BUILD_DIR SOURCE_DIR WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cc=${CC:-cc}

fail() { echo "FAIL: $*" >&2; exit 1; }
runs() { # NAME EXE: the consumer runs and says add(2, 3) = 5
  local out
  out=$("$2") || fail "$1: exit status $?"
  [[ $out == "wasmem "*": add(2, 3) = 5" ]] || fail "$1: printed '$out'"
  echo "ok   $1: $out"
}

echo "== cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
pc=$(find "$prefix" -name wasmem.pc)
[ -n "$pc" ] || fail "no wasmem.pc installed"
libdir=$(dirname "$(dirname "$pc")")
for f in include/wasmem.h include/wasmem_guest.h include/wasm.h bin/wasmem share/man/man1/wasmem.1; do
  [ -f "$prefix/$f" ] || fail "$f not installed"
done
for f in libwasmem.a libwasmem.so libwasmem.so.0 cmake/wasmem/wasmemConfig.cmake \
         cmake/wasmem/wasmemConfigVersion.cmake cmake/wasmem/wasmemTargets.cmake; do
  [ -e "$libdir/$f" ] || fail "$libdir/$f not installed"
done
soname=$(objdump -p "$libdir/libwasmem.so" | awk '$1 == "SONAME" {print $2}')
[ "$soname" = libwasmem.so.0 ] || fail "soname is '$soname', not libwasmem.so.0"
"$prefix/bin/wasmem" --help >/dev/null || fail "the installed wasmem does not run"
echo "ok   installed: headers, libraries (soname $soname), wasmem, man page, pkg-config, CMake package"

echo "== pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig
command -v pkg-config >/dev/null || fail "pkg-config not found (scripts/install-deps.sh installs it)"
[ "$(pkg-config --modversion wasmem)" = "$(sed -n 's/^#define WM_VERSION "\(.*\)"/\1/p' "$src/include/wasmem.h")" ] ||
  fail "pkg-config --modversion disagrees with wasmem.h"
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
"$cc" "$here/consumer.c" $(pkg-config --cflags --libs wasmem) -Wl,-rpath,"$libdir" \
  -o "$work/pc_shared"
runs "pkg-config, shared" "$work/pc_shared"
static_libs=$(pkg-config --static --libs wasmem)
[[ " $static_libs " == *" -lm "* ]] || fail "pkg-config --static --libs lacks -lm: $static_libs"
# shellcheck disable=SC2046
"$cc" "$here/consumer.c" $(pkg-config --cflags wasmem) "$libdir/libwasmem.a" \
  ${static_libs//-lwasmem/} -o "$work/pc_static"
runs "pkg-config, static" "$work/pc_static"

echo "== find_package"
cmake -S "$here/consumer" -B "$work/fp" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
  >"$work/fp.log" 2>&1 || { cat "$work/fp.log"; fail "find_package: configure"; }
cmake --build "$work/fp" >>"$work/fp.log" 2>&1 || { cat "$work/fp.log"; fail "find_package: build"; }
runs "find_package, wasmem::wasmem" "$work/fp/consumer_shared"
runs "find_package, wasmem::wasmem_static" "$work/fp/consumer_static"

echo "== add_subdirectory (FetchContent, library only)"
cmake -S "$here/consumer" -B "$work/sub" -DWM_HOW=subdirectory -DWASMEM_SOURCE="$src" \
  -DCMAKE_C_COMPILER="$cc" >"$work/sub.log" 2>&1 || { cat "$work/sub.log"; fail "subdirectory: configure"; }
grep -q "wasmem_cli" "$work/sub/Makefile" "$work/sub/_deps"/*/Makefile 2>/dev/null &&
  fail "add_subdirectory builds the command too (it should build only the libraries)"
cmake --build "$work/sub" -j "${JOBS:-2}" >>"$work/sub.log" 2>&1 || { cat "$work/sub.log"; fail "subdirectory: build"; }
runs "add_subdirectory, wasmem::wasmem" "$work/sub/consumer_shared"
runs "add_subdirectory, wasmem::wasmem_static" "$work/sub/consumer_static"
echo "all consumers built and ran"
