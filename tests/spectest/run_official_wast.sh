#!/bin/sh
# SPDX-License-Identifier: MIT
# run_official_wast.sh -- run the official spec testsuite (or any directory
# of .wast files) through `wasmem spectest FILE.wast`, the native reader: no
# wast2json, text modules included. Prints a per-file table, counts by
# group and the totals; exits 1 if anything failed. Local use only; CI does
# not run it. (run_official.sh --wast, which does the work.)
#
# usage: tests/spectest/run_official_wast.sh [WASMEM] [DIR]
#   WASMEM  the wasmem binary (default: build/wasmem, build/release/wasmem,
#           then wasmem on PATH)
#   DIR     directory of .wast files (default: /work/testsuite)
# Set VERBOSE=1 to see each failing file's failure lines.
exec "$(dirname "$0")/run_official.sh" --wast "$@"
