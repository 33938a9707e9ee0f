#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# walkthrough.sh -- the main job, end to end: the seed article's exchange of
# arrays and strings between a host and guests written in four languages.
# Installs what is missing (scripts/install-deps.sh; WM_NO_INSTALL=1 skips
# that), builds wasmem and the guests (examples/seed/build.sh), then for
# each guest calls array_sum on [1, 2, 3, 4, 5] (15) and upper on a string
# through the article's host in C (examples/seed/host.c) and with `wasmem
# call` (when it has --bytes), and replays the article's double free. Prints OK or
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
# The full seed guests (array_sum, upper, dealloc). as-article, the article's
# own AssemblyScript module, has neither upper nor dealloc: tests/guests
# runs it on its own (tests/guests/article.sh).
mapfile -t variants < <(grep -vx as-article "$guests/variants")

say "2b. Build the article's host in C on wasmem's core API (examples/seed/host.c)"
lib=$(dirname "$wasmem")/libwasmem.a
seed_host=$guests/seed_host
if [ -f "$lib" ]; then
  printf '$ cc -std=c11 -O2 -I include examples/seed/host.c %s -lm -o %s\n' "${lib#"$top"/}" "${seed_host#"$top"/}"
  cc -std=c11 -O2 -I "$top/include" "$top/examples/seed/host.c" "$lib" -lm -o "$seed_host" ||
    die "building examples/seed/host.c failed"
else
  echo "(no libwasmem.a next to $wasmem: the C host is skipped)"
  seed_host=
fi

# The second half of the double free story: wasmem's block ownership
# (examples/seed/ownership.c, on the exchange API). Built here; a library
# without that API cannot link it, and the step is then a SKIP.
double_free_demo() {
  local own_bin=$guests/seed_ownership
  echo
  echo "On wasmem's exchange API the host declares that the call takes ownership;"
  echo "freeing the block afterwards is then refused and reported, and the guest's"
  echo "allocator is never called a second time:"
  if [ -z "$seed_host" ] ||
     ! cc -std=c11 -O2 -I "$top/include" "$top/examples/seed/ownership.c" "$lib" -lm \
          -o "$own_bin" 2>/dev/null; then
    echo "(not available: this build of libwasmem has no exchange API to link against)"
    record SKIP "double free refused by wasmem's ownership tracking: no exchange API"
    return 0
  fi
  printf '$ seed_ownership rust.wasm\n'
  out=$("$own_bin" "$guests/rust.wasm" 2>&1); rc=$?
  printf '%s\n' "$out"
  if [ $rc -eq 0 ]; then record OK "double free refused and reported by wasmem; guest heap intact"
  else record FAIL "double free under wasmem's ownership tracking"; fi
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

say "3. Each guest through the C host: copy in through alloc, call, read back, free"
echo "Rust's array_sum and upper take ownership of their input (Vec::from_raw_parts),"
echo "so for Rust the host passes --transfer and does not free the input itself."
if [ -n "$seed_host" ]; then
  for v in "${variants[@]}"; do
    own=()
    case $v in rust*) own=(--transfer) ;; esac
    printf '$ seed_host %s.wasm %s\n' "$v" "${own[*]}"
    out=$("$seed_host" "$guests/$v.wasm" "${own[@]}" 2>&1); rc=$?
    printf '%s\n' "$out"
    want='array_sum([1, 2, 3, 4, 5]) = 15
upper("this should be uppercase") = "THIS SHOULD BE UPPERCASE"'
    if [ $rc -eq 0 ] && [ "$out" = "$want" ]; then record OK "$v: C host: array_sum = 15, upper"
    elif grep -q wasi_snapshot_preview1 <<<"$out"; then
      echo "   (the C host defines no WASI functions)"
      record SKIP "$v: C host: needs WASI imports"
    else record FAIL "$v: C host"; fi
  done
fi

if ! "$wasmem" call --help 2>&1 | grep -q -- '--bytes'; then
  say "3b. wasmem call cannot pass arrays or strings yet (no --bytes/--string)"
  record SKIP "wasmem call --bytes/--string/--result: not in this build"
else
  say "3b. The same from the command line: wasmem call"
  for v in "${variants[@]}"; do
    own=()
    case $v in rust*) own=(--transfer) ;; esac
    echo
    echo "-- $v"
    call 15 "$v: wasmem call array_sum [1,2,3,4,5] = 15" "$guests/$v.wasm" array_sum --bytes 1,2,3,4,5 "${own[@]}" &&
      call "THIS SHOULD BE UPPERCASE" "$v: wasmem call upper" \
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
  echo "The same mistake in the C host on wasmem (no --transfer) ends the same way: the"
  echo "guest's allocator traps, and wasmem names where:"
  if [ -n "$seed_host" ]; then
    printf '$ seed_host rust.wasm   # no --transfer\n'
    out=$("$seed_host" "$guests/rust.wasm" 2>&1); rc=$?
    printf '%s\n' "$out" | head -n 4
    if [ $rc -ne 0 ] && grep -q dealloc <<<"$out"; then
      record OK "double free replayed: the guest's dealloc traps (as under node)"
    else record FAIL "double free replay: expected a trap in dealloc"; fi
  fi
  double_free_demo
else
  echo "(the Rust guest was not built: skipped)"
  record SKIP "double free demo: no Rust guest"
fi

say "5. wasmem check: the article's Valgrind run, on the module it ships"
if ! "$wasmem" check --help >/dev/null 2>&1; then
  record SKIP "wasmem check: not in this build"
else
  echo "The article compiled its Rust guest natively to run Valgrind on it. wasmem"
  echo "checks the real module, inside its linear memory:"
  if printf '%s\n' "${variants[@]}" | grep -qx rust; then
    printf '$ wasmem check call rust.wasm array_sum --bytes 1,2,3,4,5   # no --transfer\n'
    err=$("$wasmem" check --error-exitcode=9 call "$guests/rust.wasm" array_sum --bytes 1,2,3,4,5 2>&1 >/dev/null); rc=$?
    printf '%s\n' "$err"
    if [ $rc -eq 9 ] && grep -q "Double free" <<<"$err" && grep -q "by array_sum" <<<"$err"; then
      record OK "wasmem check: the double free reported with both frees' stacks"
    else record FAIL "wasmem check: the double free"; fi
    echo
    printf '$ wasmem check call rust.wasm upper --string "this should be uppercase" --result string:same-len --transfer --keep-result\n'
    err=$("$wasmem" check --error-exitcode=9 call "$guests/rust.wasm" upper --string "this should be uppercase" \
          --result string:same-len --transfer --keep-result 2>&1 >/dev/null); rc=$?
    printf '%s\n' "$err" | grep -E "loss record|at |by |host \(|not freed by host"
    if [ $rc -eq 9 ] && grep -q "24 bytes in 1 blocks are not freed by the host" <<<"$err"; then
      record OK "wasmem check: the forgotten result, 24 bytes, reported as the host's leak"
    else record FAIL "wasmem check: the forgotten result"; fi
  fi
  echo
  echo "And the walkthrough's own calls, checked: zero errors, zero leaks."
  for v in "${variants[@]}"; do
    own=()
    case $v in rust*) own=(--transfer) ;; esac
    e1=$("$wasmem" check --error-exitcode=9 call "$guests/$v.wasm" array_sum --bytes 1,2,3,4,5 "${own[@]}" 2>&1 >/dev/null); r1=$?
    e2=$("$wasmem" check --error-exitcode=9 call "$guests/$v.wasm" upper --string "this should be uppercase" \
         --result string:same-len "${own[@]}" 2>&1 >/dev/null); r2=$?
    alloc=$(grep -m1 -o "allocator: .*" <<<"$e1")
    if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && grep -q "ERROR SUMMARY: 0 errors" <<<"$e1" &&
       grep -q "ERROR SUMMARY: 0 errors" <<<"$e2"; then
      if grep -q "only" <<<"$alloc"; then record OK "$v: wasmem check: 0 errors ($alloc)"
      else record OK "$v: wasmem check: 0 errors, 0 leaks ($alloc)"; fi
    else
      printf '%s\n%s\n' "$e1" "$e2"
      record FAIL "$v: wasmem check of the walkthrough's calls"
    fi
  done
fi

say "Summary"
printf '%s\n' "${results[@]}"
if [ $failed -ne 0 ]; then
  say "walkthrough FAILED"
  exit 1
fi
say "walkthrough OK"
