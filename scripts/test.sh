#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test.sh -- the project's test command: build Release and run every test, then
# build Debug with AddressSanitizer + UBSan in a second build tree and run them
# again, then build the library and the threads tests (tests/threads) with
# ThreadSanitizer in a third and run those. A build failure stops at once;
# failing tests are reported and the other builds' tests still run, then the
# script exits non-zero. Build trees go under $BUILD_ROOT (default: build/ in
# the repository).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
root=${BUILD_ROOT:-$top/build}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

step() { printf '\n== %s ==\n' "$*"; }

step "Release build ($root/release)"
cmake -S "$top" -B "$root/release" -DCMAKE_BUILD_TYPE=Release
cmake --build "$root/release" -j "$jobs"
failed=()
step "Release tests"
(cd "$root/release" && ctest --output-on-failure -j "$jobs" --timeout 600) || failed+=(release)

step "Debug + sanitizers build ($root/asan)"
cmake -S "$top" -B "$root/asan" -DCMAKE_BUILD_TYPE=Debug -DWM_SANITIZE=ON
cmake --build "$root/asan" -j "$jobs"
step "Sanitizer tests"
(cd "$root/asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$jobs" --timeout 1200) || failed+=(sanitizers)

step "ThreadSanitizer build of the threads tests ($root/tsan)"
cmake -S "$top" -B "$root/tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWM_SANITIZE=thread
cmake --build "$root/tsan" -j "$jobs" --target test_threads test_stack test_pool_threads test_atomic_wait test_wasi_threads unit_test_validate unit_test_cache
step "ThreadSanitizer tests"
(cd "$root/tsan" && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --output-on-failure -R '^(threads\.|unit\.test_validate$|unit\.test_cache$)' --timeout 600) || failed+=(tsan)

if [ ${#failed[@]} -gt 0 ]; then
  step "FAILED: tests failed in: ${failed[*]}"
  exit 1
fi
step "all tests passed"
