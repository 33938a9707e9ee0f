#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh -- build the benchmark kernels natively (gcc -O2) and as wasm32
# (clang-14, freestanding), run each natively, under wasmem and under the
# peers present (wasm3, WAMR's iwasm, node/V8), check that all agree on the
# checksum, and print a table of median times with ratios to native and to
# wasmem, and their geometric means. With --coremark DIR, also CoreMark.
#
# Usage: bench/run.sh [--quick] [--runs N] [--only k1,k2] [--no-kernels]
#                     [--check] [--aot] [--wasm2c] [--wasmem PATH] [--wasm3 PATH] [--iwasm PATH]
#                     [--no-peers] [--no-node] [--coremark DIR]
#                     [--coremark-iter N] [--cpu] [--out DIR]
#   --quick     ~10x smaller work sizes, to check the scripts in seconds
#   --runs N    runs of each kernel on each runtime (default 3); the table
#               shows the median. Runs are interleaved: for each kernel,
#               native, wasmem, wasm3, iwasm, node one after the other, N
#               times, so a drift in the machine's speed hits all alike
#   --check     also time `wasmem check --leak-check=no call` (the guest heap
#               checker's loop) and print its ratio to the plain run
#   --aot       also run each kernel (and CoreMark) compiled ahead of time
#               (`wasmem compile K.wasm -o K.so`, the system's cc; the compile
#               is not timed in the table, its time is printed after it)
#   --wasm2c    also run each kernel translated to C by wabt's wasm2c
#               (Debian's wabt; its runtime, wasm-rt-impl.c, bounds-checks
#               with guard pages) and built with gcc -O2 beside
#               bench/wasm2c_main.c: the translate-to-C reference for --aot.
#               CoreMark runs on bench/wasm2c_wasi.c, the few WASI calls it
#               makes
#   --wasmem    the wasmem binary (default: build it in build/release)
#   --wasm3, --iwasm  the peers' binaries (default: wasm3 / iwasm in
#               $WM_PEERS_DIR/bin, $WM_PEERS_DIR or on PATH; absent ones
#               are left out). bench/peers.sh builds them from checkouts
#   --no-peers  leave wasm3 and iwasm out even if present
#   --coremark DIR  build CoreMark from the checkout DIR (eembc/coremark;
#               never committed here) natively (gcc -O2) and as wasm32-wasi
#               (clang-14 -O2, wasi-libc), run the same iteration count on
#               each runtime and report iterations/s
#   --coremark-iter N  CoreMark's iteration count (default 2000, quick 200)
#   --no-kernels  skip the kernels (with --coremark: CoreMark alone)
#   --cpu       show CPU time (user + system) instead of wall time: steadier
#               when other work shares the machine
# Times are per process (start-up, load and compile included; wall-clock,
# or CPU with --cpu) for native, wasmem, wasm3 and iwasm; node's column
# times the `run` call alone (wall), since node's own start-up (~50 ms)
# would otherwise dominate. CoreMark reports its own timer's iter/s. "x native" is
# runtime / native time; "/wasmem" is peer time / wasmem time, i.e. how many
# times faster wasmem is than that peer.
# Exits non-zero if any kernel fails to build, run or agree.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernels=(fib sieve matmul crc32 sha256 memsum mix)
runs=3 quick=0 use_node=1 wasmem="" out="" check=0 aot=0 w2c=0 use_peers=1 do_kernels=1
wasm3_opt="" iwasm_opt="" coremark="" cm_iter="" clock=wall
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --runs) runs=$2; shift ;;
    --only) IFS=, read -r -a kernels <<<"$2"; shift ;;
    --no-kernels) do_kernels=0 ;;
    --no-node) use_node=0 ;;
    --check) check=1 ;;
    --aot) aot=1 ;;
    --wasm2c) w2c=1 ;;
    --wasmem) wasmem=$2; shift ;;
    --wasm3) wasm3_opt=$2; shift ;;
    --iwasm) iwasm_opt=$2; shift ;;
    --no-peers) use_peers=0 ;;
    --coremark) coremark=$2; shift ;;
    --coremark-iter) cm_iter=$2; shift ;;
    --cpu) clock=cpu ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,47p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
w2c_rt=/usr/share/wabt/wasm2c
if [ $w2c = 1 ] && { ! command -v wasm2c >/dev/null || [ ! -f "$w2c_rt/wasm-rt-impl.c" ]; }; then
  echo "run.sh: --wasm2c needs wabt's wasm2c and $w2c_rt/wasm-rt-impl.c (apt-get install wabt)" >&2
  exit 2
fi
if [ -n "$coremark" ] && [ ! -f "$coremark/core_main.c" ]; then
  echo "run.sh: --coremark $coremark: not a CoreMark checkout (no core_main.c)" >&2
  exit 2
fi
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
setup bench
build_proctime
find_peers
# The runtimes in the order they run, each a column group of the table.
engines=(native wasmem)
[ $check = 1 ] && engines+=(check)
[ $aot = 1 ] && engines+=(aot)
[ $w2c = 1 ] && engines+=(wasm2c)
[ -n "$wasm3" ] && engines+=(wasm3)
[ -n "$iwasm" ] && engines+=(iwasm)
[ $use_node = 1 ] && engines+=(node)
echo "runtimes: ${engines[*]}" >&2
[ -n "$wasm3" ] && echo "  wasm3: $wasm3" >&2
[ -n "$iwasm" ] && echo "  iwasm: $iwasm" >&2

# kernel_cmd ENGINE KERNEL: the command that runs KERNEL's `run` on ENGINE.
kernel_cmd() {
  local w=$out/$2.wasm
  case $1 in
    native) cmd=("$out/$2") ;;
    wasmem) cmd=("$wasmem" call "$w" run) ;;
    check) cmd=("$wasmem" check --leak-check=no call "$w" run) ;;
    aot) cmd=("$wasmem" call "$out/$2.so" run) ;;
    wasm2c) cmd=("$out/$2.w2c") ;;
    wasm3) cmd=("$wasm3" --func run "$w") ;;
    iwasm) cmd=("$iwasm" -f run "$w") ;;
    node) cmd=(node "$top/bench/node_run.js" "$w") ;;
  esac
}
# kernel_result ENGINE: the checksum of the last measured run. wasm3 prints
# "Result: N" on stderr, iwasm "0x...:i32" on stdout, the rest the number.
kernel_result() {
  case $1 in
    wasm3) sed -n 's/^Result: //p' "$out/stderr.txt" | checksum ;;
    iwasm) i32_of_hex <"$out/stdout.txt" ;;
    *) checksum <"$out/stdout.txt" ;;
  esac
}
# kib FILE: FILE's size as "N KiB".
kib() { echo "$(( ($(stat -c %s "$1") + 1023) / 1024 )) KiB"; }
# fmt_ms US: microseconds as whole milliseconds (one decimal under 10 ms).
fmt_ms() { awk -v u="$1" 'BEGIN { m = u / 1000; if (m < 10) printf "%.1f", m; else printf "%.0f", m }'; }

failed=0
aot_compile=""
if [ $do_kernels = 1 ]; then
  echo "building kernels in $out ..." >&2
  for k in "${kernels[@]}"; do
    src=$top/bench/$k.c
    [ -f "$src" ] || { echo "run.sh: no kernel $src" >&2; exit 2; }
    gcc -O2 -std=gnu11 "${defs[@]}" -o "$out/$k" "$src"
    clang-14 --target=wasm32 -O2 -nostdlib "${defs[@]}" -Wl,--no-entry -Wl,--export=run \
      -o "$out/$k.wasm" "$src"
    if [ $aot = 1 ]; then
      measure "$wasmem" compile "$out/$k.wasm" -o "$out/$k.so" ||
        { echo "run.sh: wasmem compile $k.wasm: $errmsg" >&2; exit 1; }
      aot_compile+=" $k $(fmt_ms "$wall_us") ms $(kib "$out/$k.so"),"
    fi
    if [ $w2c = 1 ]; then
      wasm2c "$out/$k.wasm" -n "$k" -o "$out/$k.w2c.c"
      gcc -O2 -I"$w2c_rt" -I"$out" -DW2C_NAME="$k" "-DW2C_HEADER=\"$k.w2c.h\"" -o "$out/$k.w2c" \
        "$top/bench/wasm2c_main.c" "$out/$k.w2c.c" "$w2c_rt/wasm-rt-impl.c" -lm
    fi
  done

  # Column groups: native: ms; wasmem: ms, x native; check: ms, /wasmem;
  # wasm3, iwasm: ms, x native, /wasmem; node: ms, x native.
  declare -A ratios=()   # "engine:column" -> ratios, one a line
  declare -A widest=()   # engine -> "max/min kernel": its widest spread
  hdr=$(printf '%-8s' kernel)
  for e in "${engines[@]}"; do
    case $e in
      native) hdr+=$(printf ' %9s' "native ms") ;;
      wasmem) hdr+=$(printf ' %9s %8s' "wasmem ms" "x native") ;;
      check) hdr+=$(printf ' %9s %8s' "check ms" "/wasmem") ;;
      wasm3|iwasm) hdr+=$(printf ' %9s %8s %8s' "$e ms" "x native" "/wasmem") ;;
      aot) hdr+=$(printf ' %9s %8s' "aot ms" "x native") ;;
      wasm2c) hdr+=$(printf ' %9s %8s' "wasm2c ms" "x native") ;;
      node) hdr+=$(printf ' %9s %8s' "node* ms" "x native") ;;
    esac
  done
  echo; echo "$hdr"; echo "${hdr//?/-}"
  for k in "${kernels[@]}"; do
    declare -A times=() sums=() errs=()
    for ((i = 0; i < runs; i++)); do
      for e in "${engines[@]}"; do
        [ -n "${errs[$e]:-}" ] && continue
        kernel_cmd "$e" "$k"
        if ! measure "${cmd[@]}"; then errs[$e]=$errmsg; continue; fi
        us=$wall_us
        [ $clock = cpu ] && us=$cpu_us
        if [ "$e" = node ]; then
          us=$(sed -n 's/^time_ms \([0-9.]*\).*/\1/p' "$out/stderr.txt" | awk '{ printf "%d", $1 * 1000 }')
        fi
        times[$e]+="$us"$'\n'
        [ -z "${sums[$e]:-}" ] && sums[$e]=$(kernel_result "$e")
      done
    done
    row=$(printf '%-8s' "$k") notes=""
    declare -A med=()
    for e in "${engines[@]}"; do
      if [ -z "${errs[$e]:-}" ] && [ "${sums[$e]:-}" != "${sums[native]:-}" ]; then
        errs[$e]="checksum '${sums[$e]:-}', native '${sums[native]:-}'"
      fi
      if [ -n "${errs[$e]:-}" ]; then
        notes+=" [$e: ${errs[$e]}]"
        failed=1
        case $e in
          native) row+=$(printf ' %9s' ERROR) ;;
          wasm3|iwasm) row+=$(printf ' %9s %8s %8s' ERROR - -) ;;
          *) row+=$(printf ' %9s %8s' ERROR -) ;;
        esac
        continue
      fi
      med[$e]=$(printf '%s' "${times[$e]}" | median)
      spr=$(printf '%s' "${times[$e]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (lo < 1) lo = 1; printf "%.2f", hi / lo }')
      if awk -v a="$spr" -v b="${widest[$e]:-}" 'BEGIN { split(b, w, " "); exit !(b == "" || a + 0 > w[1] + 0) }'; then
        widest[$e]="$spr $k"
      fi
      ms=$(fmt_ms "${med[$e]}")
      case $e in
        native) row+=$(printf ' %9s' "$ms") ;;
        check)
          if [ -n "${med[wasmem]:-}" ]; then
            r=$(ratio "${med[check]}" "${med[wasmem]}")
            ratios[check:wasmem]+="$r"$'\n'
            row+=$(printf ' %9s %7sx' "$ms" "$r")
          else
            row+=$(printf ' %9s %8s' "$ms" -)
          fi ;;
        *)
          r=-
          if [ -n "${med[native]:-}" ]; then
            r=$(ratio "${med[$e]}" "${med[native]}")
            ratios[$e:native]+="$r"$'\n'
            r+=x
          fi
          row+=$(printf ' %9s %8s' "$ms" "$r")
          if [ "$e" = wasm3 ] || [ "$e" = iwasm ]; then
            r=-
            if [ -n "${med[wasmem]:-}" ]; then
              r=$(ratio "${med[$e]}" "${med[wasmem]}")
              ratios[$e:wasmem]+="$r"$'\n'
              r+=x
            fi
            row+=$(printf ' %8s' "$r")
          fi ;;
      esac
    done
    echo "$row$notes"
    unset times sums errs med
  done
  row=$(printf '%-8s' geomean)
  for e in "${engines[@]}"; do
    case $e in
      native) row+=$(printf ' %9s' "") ;;
      check) row+=$(printf ' %9s %8s' "" "$(printf '%s' "${ratios[check:wasmem]:-}" | geomean)") ;;
      wasm3|iwasm) row+=$(printf ' %9s %8s %8s' "" "$(printf '%s' "${ratios[$e:native]:-}" | geomean)" \
        "$(printf '%s' "${ratios[$e:wasmem]:-}" | geomean)") ;;
      *) row+=$(printf ' %9s %8s' "" "$(printf '%s' "${ratios[$e:native]:-}" | geomean)") ;;
    esac
  done
  echo "${hdr//?/-}"; echo "$row"
  echo
  echo "median of $runs interleaved runs; $clock ms per process (node*: the call alone, wall);"
  echo "x native = time / native time; /wasmem = peer time / wasmem time (>1: wasmem faster)"
  line="widest spread (slowest / fastest run):"
  for e in "${engines[@]}"; do
    [ -n "${widest[$e]:-}" ] && line+=" $e ${widest[$e]% *}x (${widest[$e]#* }),"
  done
  echo "${line%,}"
  [ -n "$aot_compile" ] && echo "aot: wasmem compile (translate + cc, wall; object size):${aot_compile%,}"
fi

# CoreMark: one fixed iteration count everywhere, iterations/s as CoreMark
# itself times them (its own clock around the benchmark loop).
if [ -n "$coremark" ]; then
  [ -n "$cm_iter" ] || { if [ $quick = 1 ]; then cm_iter=200; else cm_iter=2000; fi; }
  echo "building CoreMark from $coremark in $out ..." >&2
  cm_aot() {
    measure "$wasmem" compile "$out/coremark.wasm" -o "$out/coremark.so" ||
      { echo "wasmem compile: $errmsg" >>"$out/cm-build.txt"; return 1; }
  }
  cm_src=()
  for f in core_list_join.c core_main.c core_matrix.c core_state.c core_util.c posix/core_portme.c; do
    cm_src+=("$coremark/$f")
  done
  if ! gcc -O2 -I"$coremark/posix" -I"$coremark" '-DFLAGS_STR="-O2"' -o "$out/coremark" \
       "${cm_src[@]}" -lrt 2>"$out/cm-build.txt" ||
     ! clang-14 --target=wasm32-wasi -O2 -Wl,--strip-debug -I"$coremark/posix" -I"$coremark" \
       '-DFLAGS_STR="-O2 wasm32-wasi"' -o "$out/coremark.wasm" "${cm_src[@]}" 2>>"$out/cm-build.txt" ||
     { [ $aot = 1 ] && ! cm_aot; } ||
     { [ $w2c = 1 ] && ! { wasm2c "$out/coremark.wasm" -n coremark -o "$out/coremark.w2c.c" &&
         gcc -O2 -I"$w2c_rt" -I"$out" -DW2C_NAME=coremark '-DW2C_HEADER="coremark.w2c.h"' \
           -o "$out/coremark.w2c" "$top/bench/wasm2c_wasi.c" "$out/coremark.w2c.c" \
           "$w2c_rt/wasm-rt-impl.c" -lm; } 2>>"$out/cm-build.txt"; }; then
    echo "run.sh: CoreMark did not build:" >&2
    head -n 20 "$out/cm-build.txt" >&2
    exit 1
  fi
  cm_compile=""
  [ $aot = 1 ] && cm_compile="$(fmt_ms "$wall_us") ms wall, $(fmt_ms "$cpu_us") ms CPU, $(kib "$out/coremark.so")"
  cm_args=(0x0 0x0 0x66 "$cm_iter")
  cm_engines=()
  for e in "${engines[@]}"; do [ "$e" = check ] || cm_engines+=("$e"); done
  declare -A cm_ips=() cm_crc=() cm_err=()
  for ((i = 0; i < runs; i++)); do
    for e in "${cm_engines[@]}"; do
      [ -n "${cm_err[$e]:-}" ] && continue
      case $e in
        native) cmd=("$out/coremark" "${cm_args[@]}") ;;
        wasmem) cmd=("$wasmem" run "$out/coremark.wasm" -- "${cm_args[@]}") ;;
        aot) cmd=("$wasmem" run "$out/coremark.so" -- "${cm_args[@]}") ;;
        wasm2c) cmd=("$out/coremark.w2c" "${cm_args[@]}") ;;
        wasm3) cmd=("$wasm3" "$out/coremark.wasm" "${cm_args[@]}") ;;
        iwasm) cmd=("$iwasm" "$out/coremark.wasm" "${cm_args[@]}") ;;
        node) cmd=(node --no-warnings "$top/bench/node_wasi.js" "$out/coremark.wasm" "${cm_args[@]}") ;;
      esac
      if ! measure "${cmd[@]}"; then cm_err[$e]=$errmsg; continue; fi
      ips=$(sed -n 's/^Iterations\/Sec *: *//p' "$out/stdout.txt")
      crc=$(sed -n 's/^\[0\]crcfinal *: *//p' "$out/stdout.txt")
      if [ -z "$ips" ] || [ -z "$crc" ]; then
        cm_err[$e]="no Iterations/Sec or crcfinal in its output"
        continue
      fi
      cm_ips[$e]+="$ips"$'\n'
      [ -z "${cm_crc[$e]:-}" ] && cm_crc[$e]=$crc
    done
  done
  echo
  hdr=$(printf '%-8s %12s %10s %9s' "CoreMark" "iter/s" "x native" "/wasmem")
  echo "$hdr"; echo "${hdr//?/-}"
  cm_med_native="" cm_med_wasmem=""
  for e in "${cm_engines[@]}"; do
    if [ -z "${cm_err[$e]:-}" ] && [ "${cm_crc[$e]:-}" != "${cm_crc[native]:-}" ]; then
      cm_err[$e]="crcfinal ${cm_crc[$e]:-}, native ${cm_crc[native]:-}"
    fi
    if [ -n "${cm_err[$e]:-}" ]; then
      printf '%-8s %12s %10s %9s [%s]\n' "$e" ERROR - - "${cm_err[$e]}"
      failed=1
      continue
    fi
    m=$(printf '%s' "${cm_ips[$e]}" | median)
    [ "$e" = native ] && cm_med_native=$m
    [ "$e" = wasmem ] && cm_med_wasmem=$m
    # Slower is a higher ratio, as for the kernels' times.
    xn=- xw=-
    [ -n "$cm_med_native" ] && xn=$(ratio "$cm_med_native" "$m")x
    if [ -n "$cm_med_wasmem" ] && [ "$e" != native ]; then xw=$(ratio "$cm_med_wasmem" "$m")x; fi
    printf '%-8s %12.0f %10s %9s\n' "$e" "$m" "$xn" "$xw"
  done
  echo
  echo "$cm_iter iterations, median of $runs interleaved runs, crcfinal ${cm_crc[native]:-?};"
  echo "x native = native iter/s / this; /wasmem = wasmem iter/s / this (>1: wasmem faster)"
  echo "(CoreMark's own timer; it warns that a valid score needs 10 s: these are short runs)"
  [ -n "$cm_compile" ] && echo "aot: wasmem compile coremark.wasm ($(kib "$out/coremark.wasm")): $cm_compile"
fi
[ $quick = 1 ] && echo "(quick sizes: ratios are not representative)"
exit $failed
