#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# symbols.sh -- the shared library exports exactly the functions its
# public headers declare for export (WM_API in wasmem.h, WASM_API_EXTERN in
# wasm.h): nothing internal (wm__*, helpers), nothing missing. Usage: tests/install/symbols.sh LIBWASMEM.SO HEADER...
set -euo pipefail
lib=${1:?usage: symbols.sh LIBWASMEM.SO HEADER...}
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Declared: every function the headers mark for export (WM_API,
# WASM_API_EXTERN), read after the preprocessor has expanded the
# declaration macros of wasm.h.
cc=${CC:-cc}
for h in "$@"; do
  "$cc" -E -P -I "$(dirname "$h")" "$h" | tr ';' '\n' |
    grep -o 'visibility("default"))) [^(]*[ *][A-Za-z_][A-Za-z0-9_]*(' |
    sed 's/.*[ *]\([A-Za-z_][A-Za-z0-9_]*\)($/\1/'
done | sort -u >"$work/declared"
# Exported: defined dynamic symbols (functions and data), without the
# linker's own.
nm -D --defined-only "$lib" | awk '{print $3}' |
  grep -vE '^(_init|_fini|_edata|_end|__bss_start)$' | sort -u >"$work/exported"
[ -s "$work/declared" ] || { echo "FAIL: no exported declarations found in $*"; exit 1; }
extra=$(comm -13 "$work/declared" "$work/exported")
missing=$(comm -23 "$work/declared" "$work/exported")
if [ -n "$extra" ]; then echo "FAIL: exported but not public:"; echo "$extra" | sed 's/^/  /'; fi
if [ -n "$missing" ]; then echo "FAIL: public but not exported:"; echo "$missing" | sed 's/^/  /'; fi
[ -z "$extra$missing" ] || exit 1
echo "ok: $(wc -l <"$work/exported") symbols exported, exactly the public functions"
