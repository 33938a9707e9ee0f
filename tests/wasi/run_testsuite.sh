#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run_testsuite.sh -- run the WebAssembly/wasi-testsuite (its prod/testsuite-all
# branch: prebuilt .wasm files with .json expectations) under wasmem.
# Not in CI: the suite is not part of this repository.
#
#   tests/wasi/run_testsuite.sh SUITE_DIR [WASMEM]
#
# SUITE_DIR is a checkout (or `git archive`) of prod/testsuite-all. Every
# tests/*/testsuite/wasm32-wasip1/*.wasm and tests/proposals/*/*.wasm is run
# with what its .json names (the legacy keys: args, env, dirs -- each mapped
# with --dir to a fresh copy, so tests that write leave the suite as it was --
# exit_code, default 0, and stdout, compared exactly). stdin is a pipe that
# stays open (the threads tests expect a read of fd 0 to block). Tests for
# wasm32-wasip2/p3 (components), or whose .json asks for operations, a
# world or proposals beyond wasi-threads, are counted as not run: wasmem runs
# preview1 core modules. Prints one line a test and the totals; the exit
# status is 1 if any test failed.
set -u

suite=${1:?usage: run_testsuite.sh SUITE_DIR [WASMEM]}
wasmem=${2:-wasmem}
command -v "$wasmem" >/dev/null 2>&1 || { echo "run_testsuite.sh: no wasmem at '$wasmem'" >&2; exit 2; }
wasmem=$(realpath "$(command -v "$wasmem")")
[ -d "$suite/tests" ] || { echo "run_testsuite.sh: $suite has no tests/ folder" >&2; exit 2; }

work=$(mktemp -d /tmp/wthr_suite_run.XXXXXX)
trap 'exec 3>&- 2>/dev/null; rm -rf "$work"' EXIT
mkfifo "$work/stdin"
exec 3<>"$work/stdin" # held open: the guest's stdin never reaches its end

pass=0 fail=0 skip=0
declare -A dir_pass dir_fail

# The expectations of one test, in files under $work/t: args, env and dirs
# (each string NUL-terminated: values may hold newlines), exit, and stdout
# when it is checked.
parse_json() { # json -> files in $work/t
  python3 - "$1" "$work/t" <<'EOF'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
cfg = json.load(open(src)) if os.path.exists(src) else {}
unsupported = [k for k in ("operations", "world") if k in cfg]
props = [p for p in cfg.get("proposals", []) if p != "wasi-threads"]
if unsupported or props:
    print("unsupported: " + ", ".join(unsupported + props)); sys.exit(0)
os.makedirs(out, exist_ok=True)
def lines(name, items):
    with open(os.path.join(out, name), "w") as f:
        for s in items: f.write(s + "\0")
lines("args", cfg.get("args", []))
lines("env", ["%s=%s" % kv for kv in cfg.get("env", {}).items()])
lines("dirs", cfg.get("dirs", []))
with open(os.path.join(out, "exit"), "w") as f: f.write(str(cfg.get("exit_code", 0)))
if "stdout" in cfg:
    with open(os.path.join(out, "stdout"), "w") as f: f.write(cfg["stdout"])
print("ok")
EOF
}

run_one() { # wasm
  local wasm=$1 dir base json verdict
  dir=$(dirname "$wasm")
  base=$(basename "$wasm" .wasm)
  json="$dir/$base.json"
  rm -rf "$work/t" "$work/run"
  mkdir -p "$work/run"
  verdict=$(parse_json "$json")
  if [ "$verdict" != ok ]; then
    echo "SKIP $wasm ($verdict)"
    skip=$((skip + 1))
    return
  fi
  local -a cmd=("$wasmem" run)
  local d
  while IFS= read -r d; do
    [ -n "$d" ] || continue
    cp -r "$dir/$d" "$work/run/$d"
    cmd+=(--dir "$work/run/$d::$d")
  done < <(tr '\0' '\n' <"$work/t/dirs")
  while IFS= read -r -d '' d; do cmd+=(--env "$d"); done <"$work/t/env"
  cmd+=("$wasm" --)
  while IFS= read -r -d '' d; do cmd+=("$d"); done <"$work/t/args"
  local want got
  want=$(cat "$work/t/exit")
  (cd "$work/run" && timeout 60 "${cmd[@]}" <&3 >"$work/out" 2>"$work/err")
  got=$?
  local why=""
  [ "$got" = "$want" ] || why="exit status $got, expected $want"
  if [ -z "$why" ] && [ -f "$work/t/stdout" ] && ! cmp -s "$work/t/stdout" "$work/out"; then
    why="stdout differs"
  fi
  local group=${dir#"$suite"/tests/}
  if [ -z "$why" ]; then
    echo "PASS $group/$base"
    pass=$((pass + 1))
    dir_pass[$group]=$(( ${dir_pass[$group]:-0} + 1 ))
  else
    echo "FAIL $group/$base: $why"
    head -c 400 "$work/err" | sed 's/^/    /'
    fail=$((fail + 1))
    dir_fail[$group]=$(( ${dir_fail[$group]:-0} + 1 ))
  fi
}

shopt -s nullglob
for wasm in "$suite"/tests/*/testsuite/*/*.wasm "$suite"/tests/proposals/*/*.wasm; do
  case "$wasm" in
    */wasm32-wasip1/*|*/proposals/*) run_one "$wasm" ;;
    *) echo "SKIP ${wasm#"$suite"/tests/} (not preview1: a component)"; skip=$((skip + 1)) ;;
  esac
done

echo
for g in $(printf '%s\n' "${!dir_pass[@]}" "${!dir_fail[@]}" | sort -u); do
  echo "$g: ${dir_pass[$g]:-0} passed, ${dir_fail[$g]:-0} failed"
done
echo "total: $pass passed, $fail failed, $skip not run"
[ "$fail" -eq 0 ]
