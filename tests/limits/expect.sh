# SPDX-License-Identifier: MIT
# expect.sh -- sourced by the CLI limit tests: `expect` runs a command and
# compares its exit status, stdout and stderr; it needs $work and sets
# fail=1 on a mismatch.
# expect WHAT STATUS STDOUT STDERR-REGEX -- COMMAND... (an empty regex: no stderr)
expect() {
  local what=$1 want_status=$2 want_out=$3 want_err=$4
  shift 5
  local out err status
  out=$("$@" 2>"$work/err")
  status=$?
  err=$(cat "$work/err")
  if [ "$status" != "$want_status" ] || [ "$out" != "$want_out" ] ||
     { [ -n "$want_err" ] && ! grep -Eq -- "$want_err" "$work/err"; } ||
     { [ -z "$want_err" ] && [ -n "$err" ]; }; then
    echo "FAIL $what: status $status (want $want_status), stdout '$out' (want '$want_out'),"
    echo "     stderr '$err' (want /$want_err/)"
    fail=1
  else
    echo "ok   $what"
  fi
}
