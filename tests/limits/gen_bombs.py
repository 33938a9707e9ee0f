#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen_bombs.py -- write modules that try to make wasmem's loader (or an
instance) hold far more host memory than the module's own size: the inputs
behind the amplification figures in docs/ARCHITECTURE.md ("Limits").

usage: gen_bombs.py OUTDIR [SIZE]

SIZE is the rough size of each module in bytes (default 10 MB; the quadratic
ones are kept smaller, see below). Each module is written as OUTDIR/NAME.wasm;
measure with e.g. `/usr/bin/time -v wasmem validate OUTDIR/NAME.wasm` (load
only) or `wasmem call OUTDIR/NAME.wasm f` (load, instantiate and run).
"""
import os
import sys


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def vec(items):
    return leb(len(items)) + b"".join(items)


def section(sid, payload):
    return bytes([sid]) + leb(len(payload)) + payload


def module(*sections):
    return b"\0asm\1\0\0\0" + b"".join(sections)


def functype(params, results):
    return b"\x60" + vec([bytes([t]) for t in params]) + vec([bytes([t]) for t in results])


I32, I64 = 0x7F, 0x7E
VOID = functype([], [])


def body(code, locals_=b"\x00"):
    b = locals_ + code
    return leb(len(b)) + b


def export_func(name, idx):
    return leb(len(name)) + name.encode() + b"\x00" + leb(idx)


def one_func(code, types=(VOID,), locals_=b"\x00", typeidx=0, extra=()):
    """A module of one exported function `f` with the given body."""
    return module(section(1, vec(list(types))), section(3, vec([leb(typeidx)])),
                  *extra,
                  section(7, vec([export_func("f", 0)])),
                  section(10, vec([body(code, locals_)])))


def br_table(size):
    """One function: block; local.get 0; br_table 0 0 0 ... 0; end."""
    n = size - 40
    code = b"\x02\x40" + b"\x41\x00" + b"\x0e" + leb(n) + b"\x00" * (n + 1) + b"\x0b\x0b"
    return one_func(code)


def br_table_wide(size):
    """A br_table over a block of 1000 i64 results whose operands come from
    one call (2 bytes): the old lowering type-checked every target."""
    m = 1000
    t_res = functype([], [I64] * m)
    n = size - 4000
    code = (b"\x02\x01" + b"\x10\x01" + b"\x41\x00" + b"\x0e" + leb(n) + b"\x00" * (n + 1) +
            b"\x0b" + b"\x1a" * m + b"\x0b")
    mk = b"\x42\x00" * m + b"\x0b"
    return module(section(1, vec([VOID, t_res])), section(3, vec([leb(0), leb(1)])),
                  section(7, vec([export_func("f", 0)])),
                  section(10, vec([body(code), body(mk)])))


def locals_funcs(size):
    """Many functions, each declaring 50000 i64 locals (the per-function cap)."""
    decl = b"\x01" + leb(50000) + bytes([I64])
    one = body(b"\x0b", decl)
    n = size // (len(one) + 1)
    return module(section(1, vec([VOID])), section(3, vec([b"\x00"] * n)),
                  section(10, vec([one] * n)))


def nesting(size):
    """One function of blocks nested as deep as the size allows."""
    n = (size - 40) // 3
    code = b"\x02\x40" * n + b"\x0b" * n + b"\x0b"
    return one_func(code)


def br_if_moves(size):
    """Quadratic lowering: m values named by local.get stay on the stack and
    every `local.get; br_if 1` copies all m of them to the label's slots."""
    m = 1000
    t = functype([], [I32] * m)
    k = (size - 3 * m) // 4
    code = (b"\x02\x01" + b"\x02\x40" + b"\x20\x00" * m + b"\x20\x00\x0d\x01" * k +
            b"\x1a" * m + b"\x0b" + b"\x00" + b"\x0b" + b"\x1a" * m + b"\x0b")
    return one_func(code, types=(VOID, t), locals_=b"\x01\x01\x7f")


def funcs(size):
    """As many tiny functions as fit (4 bytes each)."""
    n = size // 4
    return module(section(1, vec([VOID])), section(3, vec([b"\x00"] * n)),
                  section(10, vec([body(b"\x0b")] * n)))


def types(size):
    """As many distinct-index empty function types as fit (3 bytes each)."""
    n = size // 3
    return module(section(1, vec([VOID] * n)))


def imports(size):
    """As many global imports with empty names as fit (5 bytes each)."""
    imp = b"\x00\x00\x03" + bytes([I32]) + b"\x00"
    n = size // len(imp)
    return module(section(2, vec([imp] * n)))


def elem(size):
    """One passive element segment of ref.func 0 items (1 byte each)."""
    n = size - 40
    seg = b"\x01\x00" + leb(n) + b"\x00" * n
    return module(section(1, vec([VOID])), section(3, vec([b"\x00"])),
                  section(9, vec([seg])), section(10, vec([body(b"\x0b")])))


def data(size):
    """One passive data segment."""
    n = size - 40
    seg = b"\x01" + leb(n) + b"\x00" * n
    return module(section(5, vec([b"\x00\x01"])), section(11, vec([seg])))


def table_bomb(_size):
    """The runtime finding: 40 tables, each grown to the 10M per-table cap
    by the exported function f (about 600 bytes)."""
    tables = [b"\x70\x00\x00"] * 40
    code = b""
    for i in range(40):
        code += b"\xd0\x70" + b"\x41" + leb(10_000_000) + b"\xfc\x0f" + leb(i) + b"\x1a"
    code += b"\x0b"
    return one_func(code, extra=(section(4, vec(tables)),))


BOMBS = {
    "br_table": br_table, "br_table_wide": br_table_wide, "locals": locals_funcs,
    "nesting": nesting, "br_if_moves": br_if_moves, "funcs": funcs, "types": types,
    "imports": imports, "elem": elem, "data": data, "table_bomb": table_bomb,
}
# Inputs whose cost was quadratic: a smaller size shows it as well.
SMALL = {"br_if_moves": 200_000, "br_table_wide": 1_000_000}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    size = int(float(sys.argv[2])) if len(sys.argv) > 2 else 10_000_000
    os.makedirs(out, exist_ok=True)
    for name, gen in BOMBS.items():
        with open(os.path.join(out, name + ".wasm"), "wb") as f:
            f.write(gen(min(size, SMALL.get(name, size))))


if __name__ == "__main__":
    main()
