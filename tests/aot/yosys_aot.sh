#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# yosys_aot.sh -- yosys compiled ahead of time, end to end (issue 13). Not
# run by ctest: the compile takes tens of CPU-minutes.
#
# Compiles yosys.core.wasm (from `npm pack @yowasp/yosys`) once, through
# `wasmem run --aot` with a fresh code cache (the compile `wasmem compile
# -j N` does: the same cli_compile_module, and the parts do not depend on
# -j), with every C compiler run timed by a wrapper; copies the cached
# object out as OUT/yosys.so; then runs `-V` and a small synthesis (a
# counter, `read_verilog; synth -top; stat`) four ways -- the interpreter,
# `wasmem run OUT/yosys.so`, `wasmem run --aot` from the cache, and node
# if it is there -- and checks that their output is byte-identical. Prints
# the compile's wall and CPU time, the object's size, the C compiler's
# time per part and each run's wall and CPU time.
#
# Usage: tests/aot/yosys_aot.sh [--wasmem PATH] [--share DIR] [--out DIR]
#                               [--nice N] YOSYS.wasm
#   --wasmem  the wasmem command (default build/release/wasmem)
#   --share   yosys' share directory, mapped as /share (default: written
#             with node from the package's gen/resources-yosys.js, which
#             holds it, found beside YOSYS.wasm or in package/gen/)
#   --out     where the object, the cache and the outputs go (default
#             /tmp/yosys_aot)
#   --nice N  the compile's niceness (default 10)
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
wasmem=$here/build/release/wasmem
share=
out=/tmp/yosys_aot
niceness=10
mod=
while [ $# -gt 0 ]; do
  case $1 in
    --wasmem) wasmem=$2; shift 2 ;;
    --share) share=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --nice) niceness=$2; shift 2 ;;
    -*) echo "yosys_aot.sh: unknown option $1" >&2; exit 2 ;;
    *) mod=$1; shift ;;
  esac
done
if [ -z "$mod" ] || [ ! -f "$mod" ]; then
  echo "usage: yosys_aot.sh [--wasmem PATH] [--share DIR] [--out DIR] [--nice N] YOSYS.wasm" >&2
  exit 2
fi
mod=$(cd "$(dirname "$mod")" && pwd)/$(basename "$mod")
rm -rf "$out"
mkdir -p "$out/work" "$out/cache" "$out/tmp" || exit 1
if [ -z "$share" ]; then
  # yowasp keeps the share tree in a JS module: strings, and URLs of files
  # beside it.
  res=
  for r in "$(dirname "$mod")/resources-yosys.js" "$(dirname "$mod")/package/gen/resources-yosys.js"; do
    [ -f "$r" ] && res=$r && break
  done
  if [ -z "$res" ] || ! command -v node > /dev/null; then
    echo "yosys_aot.sh: no share directory (give --share DIR)" >&2
    exit 2
  fi
  cat > "$out/share.mjs" <<'EOF'
import fs from 'node:fs';
import path from 'node:path';
const [res, dest] = process.argv.slice(2);
const { filesystem } = await import(path.resolve(res));
function put(dir, tree) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(tree)) {
    const p = path.join(dir, name);
    if (typeof v === 'string') fs.writeFileSync(p, v);
    else if (v instanceof URL) fs.copyFileSync(v, p);
    else put(p, v);
  }
}
put(dest, filesystem.share);
EOF
  share=$out/share
  node "$out/share.mjs" "$res" "$share" || exit 1
fi

# The design: a 4-bit counter with an enable.
cat > "$out/work/counter.v" <<'EOF'
module counter(input clk, input rst, input en, output reg [3:0] q);
  always @(posedge clk)
    if (rst) q <= 4'd0;
    else if (en) q <= q + 4'd1;
endmodule
EOF
# -noabc: abc is another program (/yosys-abc), which a WASI guest cannot
# start; yosys' output stops at "Running ABC command" without it.
script='read_verilog /work/counter.v; synth -top counter -noabc; stat'

# Every C compiler run, timed: one line per run (wall, user, sys seconds,
# peak KB, its last argument).
cat > "$out/cc.sh" <<EOF
#!/usr/bin/env bash
exec /usr/bin/time -a -o "$out/cc.log" -f "%e %U %S %M \${@: -1}" cc "\$@"
EOF
chmod +x "$out/cc.sh"
export WASMEM_CC=$out/cc.sh
export XDG_CACHE_HOME=$out/cache

# One run: its output (stdout then stderr, and the exit status) to
# $out/NAME.out, its wall and CPU seconds to the table. yosys' lines of
# time and memory used ("End of script. ... CPU: user ...", "Time spent")
# differ between any two runs and are left out of the comparison.
run() {
  local name=$1
  shift
  /usr/bin/time -o "$out/$name.time" -f "%e %U %S %M" "$@" > "$out/$name.stdout" 2> "$out/$name.stderr"
  local rc=$?
  { grep -v -e '^End of script\.' -e '^Time spent' "$out/$name.stdout"; echo "--- stderr"; grep -v '^wasmem: note' "$out/$name.stderr" |
      grep -v 'Command exited with non-zero status'; echo "--- exit $rc"; } > "$out/$name.out"
  printf '%-14s %s\n' "$name" "$(awk '{printf "wall %6.2f s  cpu %6.2f s  rss %d MB", $1, $2 + $3, $4 / 1024}' "$out/$name.time")"
}

# run --aot runs as many C compilers at once as there are CPUs.
echo "== compile (run --aot, a fresh cache; nice $niceness, $(nproc) CPUs)"
run aot_first nice -n "$niceness" "$wasmem" run --aot "$mod" -V
obj=$(ls "$out"/cache/wasmem/aot/*.so 2>/dev/null | head -1)
if [ -z "$obj" ]; then
  echo "yosys_aot.sh: no compiled object in the cache"; cat "$out/aot_first.stderr"; exit 1
fi
cp "$obj" "$out/yosys.so"
echo "object: $(stat -c %s "$out/yosys.so") bytes ($(du -h "$out/yosys.so" | cut -f1))"
echo "C compiler runs (wall, user, sys s, peak KB, file):"
sed 's/^/  /' "$out/cc.log"
awk '{w += $1; c += $2 + $3} END {printf "  sum: wall %.1f s, cpu %.1f s over %d runs\n", w, c, NR}' "$out/cc.log"

echo "== runs"
dirs=(--dir "$out/work::/work" --dir "$out/tmp::/tmp" --ro-dir "$share::/share")
run interp_V "$wasmem" run "${dirs[@]}" "$mod" -V
run so_V "$wasmem" run "${dirs[@]}" "$out/yosys.so" -V
run aot_V "$wasmem" run --aot "${dirs[@]}" "$mod" -V
run interp_synth "$wasmem" run "${dirs[@]}" "$mod" -p "$script"
run so_synth "$wasmem" run "${dirs[@]}" "$out/yosys.so" -p "$script"
run aot_synth "$wasmem" run --aot "${dirs[@]}" "$mod" -p "$script"
have_node=false
if command -v node > /dev/null && [ -f "$here/bench/node_wasi.js" ]; then
  have_node=true
  # node's WASI maps the current directory as "."; yosys reads /share, so
  # node runs -V only, and the synthesis reads ./counter.v from work/.
  run node_V node --no-warnings "$here/bench/node_wasi.js" "$mod" -V
fi

fail=0
same() {
  if cmp -s "$out/$1.out" "$out/$2.out"; then
    echo "same: $1 $2"
  else
    echo "DIFFERENT: $1 $2"; diff "$out/$1.out" "$out/$2.out" | head -20; fail=1
  fi
}
echo "== outputs"
same aot_first interp_V
same interp_V so_V
same interp_V aot_V
$have_node && same interp_V node_V
same interp_synth so_synth
same interp_synth aot_synth
grep -q 'Number of cells' "$out/interp_synth.out" || { echo "the synthesis printed no statistics"; fail=1; }
if [ $fail = 0 ]; then echo "yosys_aot.sh: all passed"; else echo "yosys_aot.sh: FAILED"; exit 1; fi
