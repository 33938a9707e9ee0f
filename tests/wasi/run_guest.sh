#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run_guest.sh -- build one WASI guest (C: clang-14 --target=wasm32-wasi;
# .rs: Debian's /usr/bin/rustc --target wasm32-wasi) and run it under
# `wasmem run`, checking its exit status and stdout.
# Exits 77 (CTest skip) when the toolchain for it is not installed.
#
# usage: run_guest.sh WASMEM OUTDIR SRC NAME [--status N] [--stdout TEXT]
#                     [--stdin TEXT] [--sandbox] [--ro-sandbox] [--tcp TEXT]
#                     [--reactor] [--call] [--node] [--valgrind] [--aot]
#                     -- RUN-ARGS...
# RUN-ARGS are passed to `wasmem run`; @WASM@ in them becomes the module.
# --sandbox pre-opens a fresh temp dir as /sandbox (its parent holds
# secret.txt) and afterwards checks that nothing outside it changed.
# --ro-sandbox pre-opens a fresh temp dir holding r.txt ("read me") as /ro
# with --ro-dir and afterwards checks that nothing in it changed.
# --tcp gives the guest `--tcplisten 127.0.0.1:PORT` (a free port), connects
# to it once the guest listens, sends TEXT and appends "reply=" and what
# comes back to the guest's stdout for the --stdout check.
# --call uses `wasmem call RUN-ARGS... [sandbox options]` instead of run.
# --valgrind runs wasmem under valgrind (skipped if it is missing); Debian
# 12's valgrind does not know openat2, so this also exercises the fallback.
# --node also runs the module under node:wasi (node_wasi.js) and requires
# the same stdout and exit status (skipped if node is missing).
# --aot runs `wasmem run --aot` (or call --aot; compiled code cached under
# OUTDIR/aot-cache) and fails if wasmem fell back to the interpreter.
# TEXT is interpreted by printf %b (so \n works).
set -u
wasmem=$1 outdir=$2 src=$3 name=$4
shift 4
status=0 want_stdout="" check_stdout=0 stdin="" sandbox=0 cflags=() node=0 valgrind=0
ro=0 tcp=0 tcp_text="" cmd=run aot=()
while [ $# -gt 0 ]; do
  case $1 in
    --status) status=$2; shift 2 ;;
    --stdout) want_stdout=$2; check_stdout=1; shift 2 ;;
    --stdin) stdin=$2; shift 2 ;;
    --sandbox) sandbox=1; shift ;;
    --ro-sandbox) ro=1; shift ;;
    --call) cmd=call; shift ;;
    --tcp) tcp=1; tcp_text=$2; shift 2 ;;
    --node) node=1; shift ;;
    --valgrind) valgrind=1; shift ;;
    --aot) aot=(--aot); shift ;;
    --reactor) cflags+=(-mexec-model=reactor); shift ;;
    --) shift; break ;;
    *) echo "run_guest.sh: bad option $1" >&2; exit 2 ;;
  esac
done

mkdir -p "$outdir"
wasm=$outdir/$name.wasm
case $src in
  *.rs)
    # Debian's rustc (1.63) with libstd-rust-dev-wasm32; rustup's has no wasm32.
    if [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/wasm32-wasi ]; then
      echo "skip: /usr/bin/rustc with libstd-rust-dev-wasm32 not installed"
      exit 77
    fi
    /usr/bin/rustc --edition 2021 --target wasm32-wasi -O -C strip=debuginfo \
      -o "$wasm" "$src" || exit 1 ;;
  *)
    clang=$(command -v clang-14 || true)
    if [ -z "$clang" ] || [ ! -e /usr/include/wasm32-wasi/stdio.h ] ||
       ! ls /usr/lib/llvm-14/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; then
      echo "skip: clang-14 with wasi-libc and libclang-rt-14-dev-wasm32 not installed"
      exit 77
    fi
    "$clang" --target=wasm32-wasi -O2 -Wl,--strip-debug ${cflags[@]+"${cflags[@]}"} -o "$wasm" "$src" || exit 1 ;;
esac

args=()
tmp=""
if [ $sandbox = 1 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir "$tmp/sandbox"
  echo secret >"$tmp/secret.txt"
  args+=(--dir "$tmp/sandbox::/sandbox")
fi
if [ $ro = 1 ]; then
  rotmp=$(mktemp -d)
  trap 'rm -rf "$rotmp" ${tmp:+"$tmp"}' EXIT
  echo "read me" >"$rotmp/r.txt"
  args+=(--ro-dir "$rotmp::/ro")
fi
# `wasmem call` takes FILE FUNC first and options after them.
if [ $cmd = call ]; then
  opts=(${args[@]+"${args[@]}"})
  args=()
fi
for a in "$@"; do args+=("${a//@WASM@/$wasm}"); done
# --aot goes before FILE for run, anywhere after FILE FUNC for call.
aot_on=${#aot[@]}
if [ $cmd = call ]; then args+=(${opts[@]+"${opts[@]}"} ${aot[@]+"${aot[@]}"}); aot=(); fi

runner=()
errf=$(mktemp)
if [ "$aot_on" -gt 0 ]; then export XDG_CACHE_HOME=$outdir/aot-cache; fi
if [ $valgrind = 1 ]; then
  command -v valgrind >/dev/null 2>&1 || { echo "skip: valgrind not installed"; exit 77; }
  runner=(valgrind -q --error-exitcode=99 --leak-check=full)
fi
if [ $tcp = 0 ]; then
  out=$(printf '%b' "$stdin" | ${runner[@]+"${runner[@]}"} "$wasmem" $cmd ${aot[@]+"${aot[@]}"} "${args[@]}" 2>"$errf")
  rc=$?
  cat "$errf" >&2
else
  # Pick a port; if another process holds it, wasmem fails to listen
  # (status 2, "cannot listen") and we try another.
  outf=$(mktemp)
  for try in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    ${runner[@]+"${runner[@]}"} "$wasmem" run ${aot[@]+"${aot[@]}"} --tcplisten "127.0.0.1:$port" "${args[@]}" >"$outf" 2>&1 &
    pid=$!
    # Wait for the listener as long as wasmem lives, up to 5 minutes:
    # with --aot the guest is compiled first, which takes tens of seconds
    # on a loaded machine (10 s was too short under CI's sanitizer builds).
    reply="" connected=0
    for i in $(seq 1 6000); do
      if exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null; then connected=1; break; fi
      kill -0 $pid 2>/dev/null || break
      sleep 0.05
    done
    if [ $connected = 1 ]; then
      printf '%b' "$tcp_text" >&3
      reply=$(timeout 30 cat <&3)
      exec 3<&-
    else
      kill $pid 2>/dev/null
    fi
    wait $pid
    rc=$?
    grep -q "cannot listen" "$outf" || break
  done
  out="$(cat "$outf")"$'\n'"reply=$reply"
  rm -f "$outf"
fi
printf '%s\n' "$out"
fail=0
if [ "$aot_on" -gt 0 ] && { cat "$errf"; printf '%s\n' "$out"; } | grep -q "running it in the interpreter"; then
  echo "FAIL: --aot fell back to the interpreter"
  fail=1
fi
rm -f "$errf"
if [ "$rc" != "$status" ]; then
  echo "FAIL: exit status $rc, expected $status"
  fail=1
fi
if [ $check_stdout = 1 ] && [ "$out" != "$(printf '%b' "$want_stdout")" ]; then
  echo "FAIL: stdout differs; expected:"
  printf '%b\n' "$want_stdout"
  fail=1
fi
if [ $sandbox = 1 ]; then
  if [ "$(cat "$tmp/secret.txt")" != secret ] || [ "$(ls -A "$tmp" | tr '\n' ' ')" != "sandbox secret.txt " ]; then
    echo "FAIL: the guest changed something outside its sandbox:"
    ls -la "$tmp"
    fail=1
  fi
fi
if [ $ro = 1 ] && { [ "$(cat "$rotmp/r.txt")" != "read me" ] || [ "$(ls -A "$rotmp")" != r.txt ]; }; then
  echo "FAIL: the guest changed its read-only directory:"
  ls -la "$rotmp"
  fail=1
fi
if [ $node = 1 ] && command -v node >/dev/null 2>&1; then
  nout=$(printf '%b' "$stdin" | node "$(dirname "$0")/node_wasi.js" "${args[@]}")
  nrc=$?
  if [ "$nout" != "$out" ] || [ "$nrc" != "$rc" ]; then
    echo "FAIL: node:wasi differs (status $nrc):"
    printf '%s\n' "$nout"
    fail=1
  fi
fi
exit $fail
