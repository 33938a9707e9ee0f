#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# wasm-c-api-examples.sh -- build the official examples of the standard
# WebAssembly C API (github.com/WebAssembly/wasm-c-api, example/*.c) against
# wasmem's include/wasm.h and libwasmem.a, run each from a scratch directory
# and compare what it prints with scripts/wasm-c-api-expected/NAME.out.
# Not part of CI: it needs a checkout of that repository, which we do not
# vendor.
#
# usage: scripts/wasm-c-api-examples.sh [-b BUILD_DIR] [-s] [-k] [CHECKOUT]
#   CHECKOUT   a checkout of WebAssembly/wasm-c-api (default: $WASM_C_API_DIR,
#              else a shallow clone into a temporary directory)
#   -b DIR     the wasmem build directory holding libwasmem.a
#              (default: build/release)
#   -s         link with the shared library, -lwasmem (default: libwasmem.a)
#   -k         keep the scratch directory (its path is printed)
# Environment: CC (default cc), CFLAGS (default -O1 -g), EXAMPLES (default:
# all thirteen).
#
# Expected-output files: one line per line printed. A line "~ RE" matches a
# printed line that RE (a Python regular expression) matches as a whole;
# "~+ RE" matches one or more such lines. Such lines stand where engines
# differ: trap messages, frames (pointers and offsets), the host pointers
# hostref prints. First lines "#sorted" (compare sorted lines: threads
# interleave) and "#ignore RE" (drop printed lines RE matches: finalize's
# "Finalizing #N..." come whenever an engine collects) change the comparison.
# Every example also has to exit with status 0.
#
# Two example .wat files use syntax of an older text format that today's
# wat2wasm rejects (`anyfunc`, a `ref.null` without its type). When wat2wasm
# fails, they are rewritten to the current spelling (funcref, ref.null
# extern) and converted again; the table says so.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build/release
keep=0
shared=0
while getopts "b:sk" opt; do
  case $opt in
    b) build=$(cd "$OPTARG" && pwd) ;;
    s) shared=1 ;;
    k) keep=1 ;;
    *) sed -n '2,25p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
src=${1:-${WASM_C_API_DIR:-}}

if [ $shared = 1 ]; then
  lib=$build/libwasmem.so
  link=(-L"$build" -Wl,-rpath,"$build" -lwasmem)
else
  lib=$build/libwasmem.a
  link=("$lib" -lm)
fi
[ -f "$lib" ] || { echo "no $lib: build wasmem first (cmake --build $build)" >&2; exit 2; }
command -v wat2wasm >/dev/null || { echo "wat2wasm (wabt) is needed" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/wasm-c-api.XXXXXX")
cleanup() { if [ "$keep" = 1 ]; then echo "scratch directory kept: $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

if [ -z "$src" ]; then
  git clone -q --depth 1 https://github.com/WebAssembly/wasm-c-api "$work/wasm-c-api"
  src=$work/wasm-c-api
fi
[ -d "$src/example" ] || { echo "$src has no example/ directory" >&2; exit 2; }
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo "unknown revision")

CC=${CC:-cc}
CFLAGS=${CFLAGS:--O1 -g}
EXAMPLES=${EXAMPLES:-"hello callback global memory table trap start reflect multi hostref finalize threads serialize"}

# compare EXPECTED ACTUAL: exit 0 when they match, else print the first
# difference.
compare() {
  python3 - "$1" "$2" <<'PY'
import re, sys
exp = open(sys.argv[1]).read().splitlines()
act = open(sys.argv[2], errors="replace").read().splitlines()
ignore, sort = [], False
while exp and exp[0].startswith("#"):
    d = exp.pop(0)
    if d == "#sorted": sort = True
    elif d.startswith("#ignore "): ignore.append(re.compile(d[8:]))
act = [l for l in act if not any(r.fullmatch(l) for r in ignore)]
if sort:
    act.sort()
i = 0
for n, e in enumerate(exp, 1):
    many = e.startswith("~+ ")
    pat = re.compile(e[3:]) if many else re.compile(e[2:]) if e.startswith("~ ") else None
    ok = lambda l: l == e if pat is None else pat.fullmatch(l) is not None
    if i >= len(act) or not ok(act[i]):
        got = act[i] if i < len(act) else "<end of output>"
        print(f"expected line {n} {e!r}, got {got!r}")
        sys.exit(1)
    i += 1
    while many and i < len(act) and ok(act[i]):
        i += 1
if i < len(act):
    print(f"unexpected extra output: {act[i]!r}")
    sys.exit(1)
PY
}

echo "wasm-c-api $rev, examples built with $CC $CFLAGS against $lib"
echo
printf '| %-9s | %-6s | %s |\n' example result notes
printf '|%s|%s|%s|\n' ----------- -------- -------------------------------------------
fails=0
for ex in $EXAMPLES; do
  dir=$work/$ex
  mkdir -p "$dir"
  cp "$src/example/$ex.c" "$src/example/$ex.wat" "$dir/"
  note=""
  result=pass
  if ! (cd "$dir" && $CC $CFLAGS -I"$root/include" "$ex.c" -o "$ex" "${link[@]}" -lpthread) \
      >"$dir/build.log" 2>&1; then
    result=FAIL; note="does not compile: $(grep -m1 -i error "$dir/build.log" || true)"
  elif ! wat2wasm "$dir/$ex.wat" -o "$dir/$ex.wasm" 2>"$dir/wat.log"; then
    sed -e 's/\banyfunc\b/funcref/g' -e 's/(ref\.null)/(ref.null extern)/g' \
      "$src/example/$ex.wat" >"$dir/$ex.wat"
    if wat2wasm "$dir/$ex.wat" -o "$dir/$ex.wasm" 2>>"$dir/wat.log"; then
      note="(.wat in the old text syntax, modernised for wat2wasm) "
    else
      result=FAIL; note="wat2wasm: $(head -1 "$dir/wat.log")"
    fi
  fi
  if [ $result = pass ]; then
    set +e
    (cd "$dir" && timeout 300 "./$ex") >"$dir/out.txt" 2>"$dir/err.txt"
    rc=$?
    set -e
    if [ $rc -ne 0 ]; then
      result=FAIL; note+="exit status $rc: $(tail -1 "$dir/out.txt") $(tail -1 "$dir/err.txt")"
    elif ! why=$(compare "$here/wasm-c-api-expected/$ex.out" "$dir/out.txt"); then
      result=FAIL; note+="output differs: $why"
    else
      note+="$(wc -l <"$dir/out.txt") lines as expected"
    fi
  fi
  [ $result = pass ] || fails=$((fails + 1))
  printf '| %-9s | %-6s | %s |\n' "$ex" "$result" "$note"
done
echo
[ $fails = 0 ] && echo "all examples pass" || echo "$fails example(s) failed"
[ $fails = 0 ]
