#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh -- run the `wasmem check` test cases (tests/check/cases.txt) on the
# guests built by build.sh, and compare what the checker reports with what
# each case must report.
# Usage: tests/check/run.sh WASMEM OUTDIR [FILTER]
#   WASMEM  the wasmem CLI;  OUTDIR  build.sh's output directory
#   FILTER  optional substring of a case's "MODULE MODE FUNC ARGS": run
#           only the matching cases (and the extra checks on them)
# Each case runs as `wasmem check --json F [OPTIONS] call|run ...`; its JSON
# Lines records (error and leak records, then a summary) must be exactly
# the expected multiset of kinds, with the expected offsets, block sizes,
# leak sizes and functions, and the summary must agree with the records.
# Then: --error-exitcode=99 exits 99 on a failing case and 0 on a clean
# one; plain `wasmem call` / `wasmem run` of the clean cases exit 0 with the
# same output; --leak-check=no reports no leaks; the text report has
# Valgrind's lines. Prints ok / FAIL / skip per check, with the reason and
# the text report on a failure; the JSON files stay in OUTDIR/work.
# Exit: 0 all passed, 1 a failure, 77 (CTest's skip) when no guest was
# built or node is missing -- except with CI=true, where a skip is a failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
wasmem=${1:?usage: run.sh WASMEM OUTDIR [FILTER]}
out=${2:?usage: run.sh WASMEM OUTDIR [FILTER]}
filter=${3:-}

if ! command -v node >/dev/null; then
  if [ "${CI:-}" = true ]; then echo "run.sh: node not found (a failure under CI=true)"; exit 1; fi
  echo "SKIP: node not found"; exit 77
fi
if [ ! -x "$wasmem" ]; then echo "run.sh: $wasmem is not an executable" >&2; exit 2; fi
exec node "$here/run_cases.js" "$wasmem" "$out" "$here/cases.txt" "$out/work" ${filter:+"$filter"}
