#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# wasi_threads.sh -- `wasmem run` on the wasi-threads guests of
# tests/threads (wt_*.wat): the shared counter's output, proc_exit from a
# spawned thread while main waits, a trap in a thread (status 134 and its
# message), spawn failures, busy loops of unmetered code (the CLI ends the
# process), and a thread blocked reading a pipe that stays open.
# usage: wasi_threads.sh WASMEM SRCDIR
set -u
wasmem=$1 src=$2
fail=0

expect() { # name want-status want-stdout want-stderr-part [stdin]
  local name=$1 want=$2 out=$3 err=$4 got so se
  so=$(timeout 20 "$wasmem" run "$src/tests/threads/$name.wat" 2>/tmp/wthr_cli_err.$$ </dev/null)
  got=$?
  se=$(cat /tmp/wthr_cli_err.$$)
  rm -f /tmp/wthr_cli_err.$$
  if [ "$got" != "$want" ] || [ "$so" != "$out" ] || [[ "$se" != *"$err"* ]]; then
    echo "FAIL: $name: status $got (want $want), stdout '$so' (want '$out'), stderr '$se'"
    fail=1
  fi
}

expect wt_counter 0 8000 ""
expect wt_exit 7 "" ""
expect wt_trap 134 "" "trap: in wasi thread 1: unreachable"
expect wt_nostart 28 "" ""
expect wt_limit $(( (128 * 10 + 6) % 256 )) "" "" # 128 threads (the CLI's limit), then EAGAIN
expect wt_busy 0 "" ""
expect wt_busy_main 3 "" ""

# A thread blocked in fd_read on a pipe that stays open: proc_exit in main
# still ends the process.
fifo=$(mktemp -u /tmp/wthr_cli_fifo.XXXXXX)
mkfifo "$fifo"
exec 3<>"$fifo" # read and write ends held: reads block, never see the end
timeout 20 "$wasmem" run "$src/tests/threads/wt_read.wat" <&3
got=$?
exec 3<&-
rm -f "$fifo"
if [ "$got" != 5 ]; then
  echo "FAIL: wt_read: status $got (want 5)"
  fail=1
fi
[ "$fail" = 0 ] && echo ok
exit "$fail"
