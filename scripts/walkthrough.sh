#!/usr/bin/env bash
# walkthrough.sh -- the main job, end to end: the seed article's exchange of
# arrays and strings between a host and guests written in four languages.
# Installs what is missing (scripts/install-deps.sh; WM_NO_INSTALL=1 skips
# that), builds wasmem and the guests (examples/seed/build.sh), then for
# each guest calls array_sum on [1, 2, 3, 4, 5] (15) and upper on a string
# with `wasmem call`, and replays the article's double free. Prints OK or
# FAIL per step and exits non-zero if any step failed.
# Environment: BUILD_DIR (default build/release), WASMEM (use this binary
# instead of building one), WM_NO_INSTALL=1.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build/release}
guests=$top/build/examples/seed

say() { printf '\n== %s\n' "$*"; }
die() { printf 'walkthrough: %s\n' "$*" >&2; exit 1; }

if [ "${WM_NO_INSTALL:-0}" != 1 ]; then
  say "0. Install what is missing (scripts/install-deps.sh; WM_NO_INSTALL=1 skips this)"
  "$top/scripts/install-deps.sh" || die "installing the dependencies failed"
fi

if [ -n "${WASMEM:-}" ]; then
  say "1. Using the wasmem binary given in \$WASMEM: $WASMEM"
  wasmem=$WASMEM
else
  say "1. Build wasmem (Release) in $build"
  cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null || die "cmake failed"
  cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null || die "build failed"
  wasmem=$build/wasmem
  echo "built $wasmem"
fi

say "2. Build the seed guest in every language (examples/seed/build.sh)"
"$top/examples/seed/build.sh" "$guests" || die "building the guests failed"
mapfile -t variants <"$guests/variants"

# The second half of the double free story: wasmem's side. Needs the
# exchange CLI (--transfer) and examples/seed/host.c, a C host on the
# library's block API that frees a transferred block on purpose.
double_free_demo() {
  local hostc=$build/seed_host
  if [ -x "$hostc" ]; then
    printf '$ seed_host rust.wasm --double-free\n'
    out=$("$hostc" "$guests/rust.wasm" --double-free 2>&1); rc=$?
    printf '%s\n' "$out"
    if [ $rc -eq 0 ]; then record OK "double free: reported by wasmem, guest heap intact"
    else record FAIL "double free demo"; fi
  else
    echo "(not available in this build: wasmem's block-ownership API and the C host"
    echo " examples/seed/host.c are not there yet)"
    record SKIP "double free under wasmem: ownership API not available"
  fi
}

results=() failed=0
record() { # record STATUS WHAT
  results+=("$(printf '%-5s %s' "$1" "$2")")
  [ "$1" = FAIL ] && failed=1
  return 0
}

# call WANT LABEL ARGS...: `wasmem call ARGS`, shown as typed, checked
# against WANT. Sets $out and $rc.
call() {
  local want=$1 label=$2; shift 2
  printf '$ wasmem call %s\n' "$(printf '%q ' "${@}" | sed "s|$guests/||")"
  out=$("$wasmem" call "$@" 2>&1); rc=$?
  printf '%s\n' "$out"
  if [ $rc -eq 0 ] && [ "$out" = "$want" ]; then record OK "$label"; return 0; fi
  if grep -q "wasi_snapshot_preview1" <<<"$out" && [ $rc -ne 0 ]; then
    echo "   (this build of wasmem cannot provide the WASI calls this guest imports)"
    record SKIP "$label: needs WASI (wasi_snapshot_preview1) in wasmem call"
    return 1
  fi
  echo "   expected: $want"
  record FAIL "$label"
  return 1
}

if ! "$wasmem" call --help 2>&1 | grep -q -- '--bytes'; then
  say "3. wasmem call cannot pass arrays or strings yet (no --bytes/--string)"
  record FAIL "wasmem call --bytes/--string/--result (the exchange CLI) is missing"
else
  say "3. Call each guest the article's way: copy in through alloc, call, read back, free"
  echo "Rust's array_sum and upper take ownership of their input (Vec::from_raw_parts),"
  echo "so for them the host passes --transfer and does not free the input itself."
  for v in "${variants[@]}"; do
    own=()
    case $v in rust*) own=(--transfer) ;; esac
    echo
    echo "-- $v"
    call 15 "$v: array_sum [1,2,3,4,5] = 15" "$guests/$v.wasm" array_sum --bytes 1,2,3,4,5 "${own[@]}" &&
      call "THIS SHOULD BE UPPERCASE" "$v: upper" \
        "$guests/$v.wasm" upper --string "this should be uppercase" --result string:same-len "${own[@]}"
  done
fi

say "4. The article's double free"
if printf '%s\n' "${variants[@]}" | grep -qx rust; then
  echo "The article's host freed the input after array_sum had taken ownership of it."
  echo "Under node (the article's JS host, examples/seed/host.js) that corrupts the"
  echo "guest's heap: dlmalloc's free then traps on a wild access, or worse, does not."
  printf '$ node examples/seed/host.js rust.wasm array_sum --bytes 1,2,3,4,5   # no --transfer\n'
  if command -v node >/dev/null; then
    node "$top/examples/seed/host.js" "$guests/rust.wasm" array_sum --bytes 1,2,3,4,5 2>&1 | head -n 3
  else
    echo "(node not found)"
  fi
  echo
  echo "wasmem records who owns each block. Declaring that the callee takes ownership"
  echo "(--transfer) makes wasmem refuse to free the block afterwards, and say so:"
  double_free_demo
else
  echo "(the Rust guest was not built: skipped)"
  record SKIP "double free demo: no Rust guest"
fi

say "Summary"
printf '%s\n' "${results[@]}"
if [ $failed -ne 0 ]; then
  say "walkthrough FAILED"
  exit 1
fi
say "walkthrough OK"
