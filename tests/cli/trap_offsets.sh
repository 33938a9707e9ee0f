#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# trap_offsets.sh -- the byte offsets in wasmem's trap backtraces, checked
# against wasm-objdump's disassembly of the same module: the innermost
# frame's offset must be the trapping instruction, every caller's its call.
# usage: trap_offsets.sh WASMEM MODULE.wasm
set -u
wasmem=$1 wasm=$2
dis=$(wasm-objdump -d "$wasm") || exit 1
fail=0
# outer(a, b) (fn=outer): b = 0 divides by zero; b = 0x10000 loads out of bounds (in
# a table lookup, whose shift and add the load absorbed);
# b = 1 calls through an empty table slot.
check() { # ARGS... -- expected instructions, innermost first
  local args=() want=()
  while [ "$1" != -- ]; do args+=("$1"); shift; done
  shift
  want=("$@")
  local out
  out=$("$wasmem" call "$wasm" "$fn" "${args[@]}" 2>&1)
  local offs=($(printf '%s\n' "$out" | sed -n 's/.*byte 0x\([0-9a-f]*\)).*/\1/p'))
  if [ ${#offs[@]} != ${#want[@]} ]; then
    echo "FAIL $fn ${args[*]}: expected ${#want[@]} offsets in:"; printf '%s\n' "$out"; fail=1; return
  fi
  for i in "${!offs[@]}"; do
    local line
    line=$(printf '%s\n' "$dis" | grep -E "^ 0*${offs[$i]}: " | head -1)
    local insn=${line#*|}
    insn=${insn#"${insn%%[! ]*}"} # the instruction, indentation removed
    if [[ "$insn" != "${want[$i]}"* ]]; then
      echo "FAIL $fn ${args[*]}: frame $i at 0x${offs[$i]} is '$line', expected ${want[$i]}"
      fail=1
    fi
  done
  printf '%s\n' "$out"
}
fn=outer
check 5 0 -- i32.div_s call call
check 5 65536 -- "i32.load 2 4" call call
check 5 1 -- call_indirect call call
# fused(b, c): F64_MUL_ADD_RMW traps in its multiply's load (b) or in its
# add's (c); then MOVE_I32_LOAD in $walk (c + 40000 out of bounds).
fn=fused
check 65528 0 -- "f64.load 3 8" call
check 0 65520 -- "f64.load 3 16" call
check 0 30000 -- "i32.load 2 40000" call
# xchg(p, r): MOVE_I32_LOAD_STORE traps in its load.
fn=xchg
check 65530 1 -- "i32.load 2 8" call
# imad(p, s): I32_MUL_LD_ADD traps in its load.
fn=imad
check 65530 1 -- "i32.load 2 12" call
# mm(b, c): F64_ADD_MUL_ADD_RMW traps in its multiply's load (b + c) or in
# its add's (c).
fn=mm
check 65528 0 -- "f64.load 3 8" call
check 0 65520 -- "f64.load 3 16" call
# addcall(a, b): $div1 divides by b - 1, its argument computed by the add
# that each call absorbed (I32_ADD_K_CALL); the callers name their calls.
fn=addcall
check 0 1 -- i32.div_u call call
exit $fail
