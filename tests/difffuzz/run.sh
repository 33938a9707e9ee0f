#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh -- differential fuzzing of wasmem against V8: N random valid modules
# from `wasm-opt --translate-to-fuzz` (restricted to the features wasmem
# supports), each run by v8_exec.js under node and by wm_fuzz_exec (plain and
# checked interpreter loops); their outputs must be identical.
# Usage: tests/difffuzz/run.sh [--exec WM_FUZZ_EXEC] [--work DIR] [--first I]
#                              [--wasm-opt PATH] [--minutes M] [--simd] N [SEED]
#   N modules, inputs FIRST..FIRST+N-1 of SEED (default seed 1, first 0),
#   or fewer if M minutes have passed (the long local run):
#   the same seed and index always give the same module with the same
#   wasm-opt. wasm-opt is $WASM_OPT, else Debian's binaryen unpacked in
#   tests/difffuzz/binaryen by scripts/install-deps.sh, else the one on the
#   PATH, else AssemblyScript's (examples/seed/as/node_modules).
#   --simd also enables fixed-width SIMD in the generator (a local option:
#   the CI run keeps the default feature set).
# Prints each failure and `N passed, N failed, N skipped (...)`, then the
# figures (`exports called ...`); exits 1 on any failure. A failing module is
# kept in WORK/fail/ with both outputs and their diff. Skipped: wasm-opt or
# V8 rejected the input or timed out, wasmem rejected a feature it does not
# support (WM_EUNSUPPORTED), the only difference is a host limit (stack), or
# NaN bits (see nan_only).
# Exits 77 (CTest's skip) when node or wasm-opt is missing, except with
# CI=true, where that is a failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
exec_bin=$top/build/release/tests/difffuzz/wm_fuzz_exec
work=
first=0
wasm_opt=${WASM_OPT:-}
minutes=0
simd=0
while [ $# -gt 0 ]; do
  case $1 in
    --exec) exec_bin=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --first) first=$2; shift 2 ;;
    --wasm-opt) wasm_opt=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --simd) simd=1; shift ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 1 ;;
    *) break ;;
  esac
done
count=${1:?usage: run.sh [--exec WM_FUZZ_EXEC] [--work DIR] [--first I] [--wasm-opt PATH] [--minutes M] [--simd] N [SEED]}
seed=${2:-1}
work=${work:-$(mktemp -d)}

skip_all() {
  if [ "${CI:-}" = true ]; then echo "run.sh: $1 (a failure under CI=true)"; exit 1; fi
  echo "SKIP: $1"; exit 77
}
command -v node >/dev/null || skip_all "node not found"
if [ -z "$wasm_opt" ]; then
  for w in "$here/binaryen/usr/bin/wasm-opt" "$(command -v wasm-opt)" \
           "$top/examples/seed/as/node_modules/binaryen/bin/wasm-opt"; do
    if [ -n "$w" ] && [ -x "$w" ]; then wasm_opt=$w; break; fi
  done
fi
[ -n "$wasm_opt" ] || skip_all "wasm-opt not found (scripts/install-deps.sh unpacks binaryen)"
[ -x "$exec_bin" ] || { echo "run.sh: $exec_bin is not an executable (build it first)" >&2; exit 1; }

# wasmem's features: MVP, mutable globals, sign extension, non-trapping
# float-to-int, bulk memory, multi-value, reference types. Binaryen adds a
# hang limit (a global counting down at each loop and call; at zero it traps
# `unreachable`) so every export terminates.
features=(--mvp-features --enable-mutable-globals --enable-sign-ext
          --enable-nontrapping-float-to-int --enable-bulk-memory
          --enable-multivalue --enable-reference-types)
# Debian 12's binaryen 108 makes typed function references ((ref $t), a
# later proposal) whenever reference types are on: V8 and wasmem reject every
# such module. Old versions fuzz without reference types.
version=$("$wasm_opt" --version 2>/dev/null | sed -n 's/^wasm-opt version \([0-9]*\).*/\1/p')
if [ "${version:-0}" -lt 110 ]; then unset 'features[-1]'; fi
if [ $simd = 1 ]; then features+=(--enable-simd); fi

mkdir -p "$work/fail"
deadline=$((SECONDS + minutes * 60))

pass=0 fail=0 skip=0 exports=0 traps=0 exceptions=0 logs=0
declare -A skipped=()
skip() { skip=$((skip + 1)); skipped[$1]=$((${skipped[$1]:-0} + 1)); }
report() { # NAME WHY: keep the module and the outputs
  fail=$((fail + 1))
  local dir=$work/fail/$1
  mkdir -p "$dir"
  cp "$work/$1.wasm" "$dir/$1.wasm"
  cp "$work/$1.v8" "$dir/v8.out"
  cp "$work/wm.out" "$dir/wm.out"
  diff "$dir/v8.out" "$dir/wm.out" >"$dir/diff" 2>&1
  echo "FAIL $1: $2 (kept in $dir)"
  head -5 "$dir/diff" | sed 's/^/     /'
}

# True if the outputs agree once `wasm-opt --denan` has made every NaN a
# zero: then they differed in NaN bits only, which the spec leaves to the
# engine (V8's f32.min returns the canonical NaN where wasmem keeps the
# operand's payload; both are allowed). Such modules go to WORK/nan/.
nan_only() {
  local d=$work/nan/$1
  mkdir -p "$d"
  cp "$work/$1.wasm" "$d/"
  timeout 60 "$wasm_opt" "$work/$1.wasm" --denan "${features[@]}" -o "$d/denan.wasm" >/dev/null 2>&1 &&
    timeout 10 node "$here/v8_exec.js" "$d/denan.wasm" >"$d/v8.out" 2>/dev/null &&
    timeout 10 "$exec_bin" "$d/denan.wasm" >"$d/wm.out" 2>/dev/null &&
    timeout 10 "$exec_bin" --checked "$d/denan.wasm" >"$d/wm-checked.out" 2>/dev/null &&
    cmp -s "$d/v8.out" "$d/wm.out" && cmp -s "$d/v8.out" "$d/wm-checked.out"
}

# One module, once V8's output X.v8 is there: both wasmem loops must agree.
check() {
  local name=$1 wasm=$work/$1.wasm flavour rc
  if [ ! -s "$work/$name.v8" ]; then skip v8-failed; return; fi
  if grep -q '^compile error' "$work/$name.v8"; then
    # V8 rejected it: wasmem should too, unless V8 hit one of its own
    # limits. A module wasmem loads goes to WORK/rejected/ to be looked at.
    timeout 10 "$exec_bin" "$wasm" >"$work/wm.out" 2>&1
    if [ $? -eq 2 ]; then skip v8-rejected; return; fi
    mkdir -p "$work/rejected"
    cp "$wasm" "$work/$name.v8" "$work/rejected/"
    skip v8-rejected-wasmem-loaded
    return
  fi
  for flavour in plain checked; do
    args=()
    [ $flavour = checked ] && args=(--checked)
    timeout 10 "$exec_bin" "${args[@]}" "$wasm" >"$work/wm.out" 2>"$work/wm.err"
    rc=$?
    if [ $rc -eq 2 ] && grep -q '^load error EUNSUPPORTED' "$work/wm.out"; then skip unsupported; return; fi
    if [ $rc -ne 0 ]; then
      { cat "$work/wm.err"; echo "exit status $rc"; } >>"$work/wm.out"
      report "$name" "wm_fuzz_exec ($flavour) exited with status $rc"; return
    fi
    if ! cmp -s "$work/$name.v8" "$work/wm.out"; then
      # A stack overflow on either side is a host limit, not a divergence.
      if grep -q '^trap stack$' "$work/$name.v8" "$work/wm.out"; then skip host-limit; return; fi
      if nan_only "$name"; then skip nan-bits; return; fi
      report "$name" "outputs differ ($flavour)"; return
    fi
  done
  pass=$((pass + 1))
  exports=$((exports + $(grep -c '^export ' "$work/$name.v8")))
  traps=$((traps + $(grep -c '^trap ' "$work/$name.v8")))
  exceptions=$((exceptions + $(grep -c '^exception$' "$work/$name.v8")))
  logs=$((logs + $(grep -c '^log ' "$work/$name.v8")))
}

# Chunks of up to 100 modules: inputs, modules, then V8 on all of them in one
# node process (node's start is most of the cost); if that process fails or
# hangs, each module of the chunk again in its own node.
last=$((first - 1))
for ((chunk = first; chunk < first + count; chunk += 100)); do
  if [ "$minutes" -gt 0 ] && [ $SECONDS -ge $deadline ]; then break; fi
  n=$((first + count - chunk)); [ $n -gt 100 ] && n=100
  node "$here/v8_exec.js" --inputs "$work" "$seed" "$chunk" "$n" || exit 1
  names=()
  for ((i = chunk; i < chunk + n; i++)); do
    name=s$seed-$i
    rm -f "$work/$name.wasm" "$work/$name.v8"
    # Odd inputs also go through random optimisation passes chosen by the
    # input (--fuzz-passes): optimised code has other shapes for wasmem's
    # lowering (fused compare-and-branch, folded loads, block results).
    passes=()
    [ $((i % 2)) -eq 1 ] && passes=(--fuzz-passes)
    if timeout 60 "$wasm_opt" "$work/in-$i.bin" -ttf "${passes[@]}" "${features[@]}" -o "$work/$name.wasm" >/dev/null 2>&1; then
      names+=("$name")
    else
      skip generator
    fi
    rm -f "$work/in-$i.bin"
  done
  last=$((chunk + n - 1))
  [ ${#names[@]} -gt 0 ] || continue
  paths=()
  for name in "${names[@]}"; do paths+=("$work/$name.wasm"); done
  if ! timeout $((60 + 10 * ${#names[@]})) node "$here/v8_exec.js" "${paths[@]}" 2>"$work/v8.err"; then
    for name in "${names[@]}"; do
      timeout 10 node "$here/v8_exec.js" "$work/$name.wasm" >"$work/$name.v8" 2>>"$work/v8.err"
    done
  fi
  for name in "${names[@]}"; do
    check "$name"
    rm -f "$work/$name.wasm" "$work/$name.v8"
  done
done

why=
for k in "${!skipped[@]}"; do why+="${why:+, }$k ${skipped[$k]}"; done
echo "$pass passed, $fail failed, $skip skipped${why:+ ($why)}"
echo "passing modules: exports called $exports, traps $traps, exceptions $exceptions, log lines $logs"
echo "generator: $("$wasm_opt" --version 2>/dev/null | head -1) ${features[*]}; seed $seed, inputs $first..$last; work dir $work"
rm -f "$work"/in-*.bin
[ $fail -eq 0 ]
