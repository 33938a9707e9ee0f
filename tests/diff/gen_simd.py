#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_simd.py -- writes modules/simd.wat and cases-simd.txt, the table part
# of the SIMD differential test: one export per fixed-width SIMD instruction
# (WebAssembly 2.0) with scalar parameters and results, since V8 cannot pass
# a v128 across the JS boundary, and the cases that run each one on edge
# inputs. Run it after changing the lists below; both outputs are committed.
#
# Conventions of the generated exports:
# - a v128 operand is two i64 parameters (lanes 0 and 1 of i64x2, so the
#   low 8 bytes first); a v128 result is two i64 results the same way;
# - float operands and results are integer bit patterns, so no NaN payload
#   goes through JS (which may change it);
# - a float result of an arithmetic instruction has its NaN lanes replaced
#   by the canonical NaN (0x7fc00000 / 0x7ff8000000000000) inside wasm,
#   because the spec leaves those bits to the engine; abs, neg, pmin, pmax,
#   lane moves and bit operations keep every bit and are compared exactly.
# The hand-written SIMD programs (locals, globals, blocks, calls) are in
# modules/simd_prog.wat with their cases in cases.txt.
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))

# ------------------------------------------------------------ instructions
INT_BIN = {
    'i8x16': ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u',
              'narrow_i16x8_s', 'narrow_i16x8_u', 'add', 'add_sat_s', 'add_sat_u', 'sub',
              'sub_sat_s', 'sub_sat_u', 'min_s', 'min_u', 'max_s', 'max_u', 'avgr_u', 'swizzle'],
    'i16x8': ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u',
              'q15mulr_sat_s', 'narrow_i32x4_s', 'narrow_i32x4_u', 'add', 'add_sat_s',
              'add_sat_u', 'sub', 'sub_sat_s', 'sub_sat_u', 'mul', 'min_s', 'min_u', 'max_s',
              'max_u', 'avgr_u', 'extmul_low_i8x16_s', 'extmul_high_i8x16_s',
              'extmul_low_i8x16_u', 'extmul_high_i8x16_u'],
    'i32x4': ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u',
              'add', 'sub', 'mul', 'min_s', 'min_u', 'max_s', 'max_u', 'dot_i16x8_s',
              'extmul_low_i16x8_s', 'extmul_high_i16x8_s', 'extmul_low_i16x8_u',
              'extmul_high_i16x8_u'],
    'i64x2': ['eq', 'ne', 'lt_s', 'gt_s', 'le_s', 'ge_s', 'add', 'sub', 'mul',
              'extmul_low_i32x4_s', 'extmul_high_i32x4_s', 'extmul_low_i32x4_u',
              'extmul_high_i32x4_u'],
    'v128': ['and', 'andnot', 'or', 'xor'],
}
# Float binary instructions; True where the result is arithmetic (NaN bits
# free), False where it is exact (a comparison mask or an operand's bits).
FLOAT_BIN = [('eq', False), ('ne', False), ('lt', False), ('gt', False), ('le', False),
             ('ge', False), ('add', True), ('sub', True), ('mul', True), ('div', True),
             ('min', True), ('max', True), ('pmin', False), ('pmax', False)]
# Unary instructions: name -> (input kind, result canonicalisation: None,
# 'f32' or 'f64').
UNARY = {
    'v128.not': ('int', None),
    'i8x16.abs': ('int', None), 'i8x16.neg': ('int', None), 'i8x16.popcnt': ('int', None),
    'i16x8.abs': ('int', None), 'i16x8.neg': ('int', None),
    'i16x8.extend_low_i8x16_s': ('int', None), 'i16x8.extend_high_i8x16_s': ('int', None),
    'i16x8.extend_low_i8x16_u': ('int', None), 'i16x8.extend_high_i8x16_u': ('int', None),
    'i16x8.extadd_pairwise_i8x16_s': ('int', None), 'i16x8.extadd_pairwise_i8x16_u': ('int', None),
    'i32x4.abs': ('int', None), 'i32x4.neg': ('int', None),
    'i32x4.extend_low_i16x8_s': ('int', None), 'i32x4.extend_high_i16x8_s': ('int', None),
    'i32x4.extend_low_i16x8_u': ('int', None), 'i32x4.extend_high_i16x8_u': ('int', None),
    'i32x4.extadd_pairwise_i16x8_s': ('int', None), 'i32x4.extadd_pairwise_i16x8_u': ('int', None),
    'i32x4.trunc_sat_f32x4_s': ('f32', None), 'i32x4.trunc_sat_f32x4_u': ('f32', None),
    'i32x4.trunc_sat_f64x2_s_zero': ('f64', None), 'i32x4.trunc_sat_f64x2_u_zero': ('f64', None),
    'i64x2.abs': ('int', None), 'i64x2.neg': ('int', None),
    'i64x2.extend_low_i32x4_s': ('int', None), 'i64x2.extend_high_i32x4_s': ('int', None),
    'i64x2.extend_low_i32x4_u': ('int', None), 'i64x2.extend_high_i32x4_u': ('int', None),
    'f32x4.abs': ('f32', None), 'f32x4.neg': ('f32', None), 'f32x4.sqrt': ('f32', 'f32'),
    'f32x4.ceil': ('f32', 'f32'), 'f32x4.floor': ('f32', 'f32'), 'f32x4.trunc': ('f32', 'f32'),
    'f32x4.nearest': ('f32', 'f32'),
    'f32x4.convert_i32x4_s': ('int', None), 'f32x4.convert_i32x4_u': ('int', None),
    'f32x4.demote_f64x2_zero': ('f64', 'f32'),
    'f64x2.abs': ('f64', None), 'f64x2.neg': ('f64', None), 'f64x2.sqrt': ('f64', 'f64'),
    'f64x2.ceil': ('f64', 'f64'), 'f64x2.floor': ('f64', 'f64'), 'f64x2.trunc': ('f64', 'f64'),
    'f64x2.nearest': ('f64', 'f64'),
    'f64x2.convert_low_i32x4_s': ('int', None), 'f64x2.convert_low_i32x4_u': ('int', None),
    'f64x2.promote_low_f32x4': ('f32', 'f64'),
}
SHAPES = {'i8x16': 16, 'i16x8': 8, 'i32x4': 4, 'i64x2': 2, 'f32x4': 4, 'f64x2': 2}
# Lane immediates for extract_lane / replace_lane: first, a middle, last.
LANES = {'i8x16': [0, 7, 15], 'i16x8': [0, 5, 7], 'i32x4': [0, 2, 3], 'i64x2': [0, 1],
         'f32x4': [0, 1, 3], 'f64x2': [0, 1]}
SHUFFLES = {
    'identity': list(range(16)),
    'reverse': list(range(15, -1, -1)),
    'interleave_lo': [i // 2 + (16 if i % 2 else 0) for i in range(16)],
    'second': list(range(16, 32)),
    'broadcast31': [31] * 16,
    'mixed': [0, 31, 1, 30, 15, 16, 8, 24, 3, 3, 19, 19, 7, 23, 12, 28],
}
# Memory instructions with a scalar or vector result: name -> (natural
# alignment as a power of two, how many bytes it reads).
LOADS = {'v128.load': (4, 16), 'v128.load8x8_s': (3, 8), 'v128.load8x8_u': (3, 8),
         'v128.load16x4_s': (3, 8), 'v128.load16x4_u': (3, 8), 'v128.load32x2_s': (3, 8),
         'v128.load32x2_u': (3, 8), 'v128.load8_splat': (0, 1), 'v128.load16_splat': (1, 2),
         'v128.load32_splat': (2, 4), 'v128.load64_splat': (3, 8), 'v128.load32_zero': (2, 4),
         'v128.load64_zero': (3, 8)}
LANE_MEM = {'8': ('i8x16', 1), '16': ('i16x8', 2), '32': ('i32x4', 4), '64': ('i64x2', 8)}


# ------------------------------------------------------------------ values
def u64(b):
    return struct.unpack('<Q', bytes(b))[0]


def vec(shape, lanes):
    """(lo, hi) of a vector of the given shape, lanes as ints or floats."""
    if shape == 'f32x4':
        raw = b''.join(struct.pack('<I', x) if isinstance(x, int) and not isinstance(x, bool)
                       else struct.pack('<f', x) for x in lanes)
    elif shape == 'f64x2':
        raw = b''.join(struct.pack('<Q', x) if isinstance(x, int) else struct.pack('<d', x)
                       for x in lanes)
    else:
        size = 16 // SHAPES[shape]
        raw = b''.join((x & ((1 << (8 * size)) - 1)).to_bytes(size, 'little') for x in lanes)
    return u64(raw[:8]), u64(raw[8:])


INF32, NINF32, NAN32, NNAN32, SNAN32 = 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001
NZ32, DENORM32, MAX32, NMAX32 = 0x80000000, 0x00000001, 0x7f7fffff, 0xff7fffff
INF64, NINF64, NAN64, SNAN64 = 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001
NZ64, DENORM64, MAX64 = 0x8000000000000000, 0x0000000000000001, 0x7fefffffffffffff

INT_VECS = {
    'b1': vec('i8x16', [0x80, 0x7f, 0xff, 0x00, 0x01, 0xfe, 0x81, 0x7e,
                        0x40, 0xc0, 0x10, 0xf0, 0x55, 0xaa, 0x02, 0x03]),
    'b2': vec('i8x16', [0x7f, 0x80, 0x01, 0xff, 0x00, 0x7f, 0x81, 0x82,
                        0x40, 0x40, 0xf0, 0x10, 0xaa, 0x55, 0xfd, 0x1f]),
    'h1': vec('i16x8', [0x8000, 0x7fff, 0xffff, 0x0000, 0x0001, 0xfffe, 0x8001, 0x7ffe]),
    'h2': vec('i16x8', [0x8000, 0x0001, 0x7fff, 0xffff, 0x8000, 0x0002, 0xc000, 0x4000]),
    'w1': vec('i32x4', [0x80000000, 0x7fffffff, 0xffffffff, 0x00000001]),
    'w2': vec('i32x4', [0xffffffff, 0x80000000, 0x7fffffff, 0x00000002]),
    'w3': vec('i32x4', [5, -7, 100000, -100000]),
    'd1': vec('i64x2', [0x8000000000000000, 0x7fffffffffffffff]),
    'd2': vec('i64x2', [0xffffffffffffffff, 0x0000000100000002]),
    'sw': vec('i8x16', [0, 15, 16, 0x80, 0xff, 7, 1, 31, 14, 2, 0x10, 0x7f, 3, 9, 8, 255]),
}
INT_PAIRS = [('b1', 'b2'), ('h1', 'h2'), ('w1', 'w2'), ('d1', 'd2'), ('w3', 'b1')]

F32_VECS = {
    'f1': vec('f32x4', [NAN32, NZ32, 0.0, INF32]),
    'f2': vec('f32x4', [1.0, 0.0, NZ32, NINF32]),
    'f3': vec('f32x4', [1.5, -2.5, 0.5, -0.5]),
    'f4': vec('f32x4', [3e9, -3e9, 4.5e9, 2147483520.0]),
    'f5': vec('f32x4', [DENORM32, NMAX32, SNAN32, NNAN32]),
    'f6': vec('f32x4', [2.0, 3.0, -1.0, 1e30]),
    'f7': vec('f32x4', [-2147483904.0, 4294967040.0, 8388609.5, -0.75]),
}
F32_PAIRS = [('f1', 'f2'), ('f2', 'f1'), ('f3', 'f6'), ('f5', 'f1'), ('f4', 'f3'), ('f6', 'f5')]
F64_VECS = {
    'g1': vec('f64x2', [NAN64, NZ64]),
    'g2': vec('f64x2', [0.0, INF64]),
    'g3': vec('f64x2', [2.5, -3.5]),
    'g4': vec('f64x2', [4294967296.5, -2147483649.0]),
    'g5': vec('f64x2', [DENORM64, SNAN64]),
    'g6': vec('f64x2', [1e300, -1e-300]),
    'g7': vec('f64x2', [4294967295.9, -0.9]),
    'g8': vec('f64x2', [3.4028235677973366e38, 1.0000000596046448]),  # f32 rounding edges
}
F64_PAIRS = [('g1', 'g2'), ('g2', 'g1'), ('g3', 'g6'), ('g5', 'g3'), ('g4', 'g7'), ('g6', 'g6')]


def hx(x):
    return '0x%x' % x


# -------------------------------------------------------------- the module
def module():
    out = []
    w = out.append
    w(';; SPDX-License-Identifier: MIT')
    w(';; simd.wat -- generated by tests/diff/gen_simd.py (edit that, not this):')
    w(';; one export per WebAssembly 2.0 SIMD instruction, v128 operands and')
    w(';; results as pairs of i64, floats as bit patterns.')
    w('(module')
    w('  (memory (export "memory") 1)')
    # Bytes 0..255 at 0, a descending pattern at the end of memory.
    w('  (data (i32.const 0) "%s")' % ''.join('\\%02x' % ((i * 37 + 11) & 0xff) for i in range(256)))
    w('  (data (i32.const 65504) "%s")' % ''.join('\\%02x' % (0xff - i) for i in range(32)))
    w('  (func $v (param i64 i64) (result v128)')
    w('    (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)))')
    w('  (func $r (param v128) (result i64 i64)')
    w('    (i64x2.extract_lane 0 (local.get 0)) (i64x2.extract_lane 1 (local.get 0)))')
    w('  ;; NaN lanes become the canonical NaN (their bits are the engine\'s choice).')
    w('  (func $rf32 (param v128) (result i64 i64)')
    w('    (call $r (v128.bitselect (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000)')
    w('                             (local.get 0) (f32x4.ne (local.get 0) (local.get 0)))))')
    w('  (func $rf64 (param v128) (result i64 i64)')
    w('    (call $r (v128.bitselect (v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000)')
    w('                             (local.get 0) (f64x2.ne (local.get 0) (local.get 0)))))')
    bin2 = '(param i64 i64 i64 i64) (result i64 i64)'
    a = '(call $v (local.get 0) (local.get 1))'
    b = '(call $v (local.get 2) (local.get 3))'
    w('  ;; binary')
    for shape, ops in INT_BIN.items():
        for op in ops:
            w('  (func (export "%s.%s") %s (call $r (%s.%s %s %s)))' % (shape, op, bin2, shape, op, a, b))
    for shape in ('f32x4', 'f64x2'):
        for op, arith in FLOAT_BIN:
            res = ('$rf32' if shape == 'f32x4' else '$rf64') if arith else '$r'
            w('  (func (export "%s.%s") %s (call %s (%s.%s %s %s)))' % (shape, op, bin2, res, shape, op, a, b))
    w('  ;; unary')
    for name, (_, canon) in UNARY.items():
        res = {'f32': '$rf32', 'f64': '$rf64', None: '$r'}[canon]
        w('  (func (export "%s") (param i64 i64) (result i64 i64) (call %s (%s %s)))' % (name, res, name, a))
    w('  ;; bitselect (v1 where the mask is 1, else v2), shifts, tests')
    w('  (func (export "v128.bitselect") (param i64 i64 i64 i64 i64 i64) (result i64 i64)')
    w('    (call $r (v128.bitselect %s %s (call $v (local.get 4) (local.get 5)))))' % (a, b))
    for shape in ('i8x16', 'i16x8', 'i32x4', 'i64x2'):
        for op in ('shl', 'shr_s', 'shr_u'):
            w('  (func (export "%s.%s") (param i64 i64 i32) (result i64 i64) (call $r (%s.%s %s (local.get 2))))'
              % (shape, op, shape, op, a))
    for name in ('v128.any_true', 'i8x16.all_true', 'i16x8.all_true', 'i32x4.all_true', 'i64x2.all_true',
                 'i8x16.bitmask', 'i16x8.bitmask', 'i32x4.bitmask', 'i64x2.bitmask'):
        w('  (func (export "%s") (param i64 i64) (result i32) (%s %s))' % (name, name, a))
    w('  ;; splat (floats from their bits)')
    for shape, pt, conv in (('i8x16', 'i32', ''), ('i16x8', 'i32', ''), ('i32x4', 'i32', ''),
                            ('i64x2', 'i64', ''), ('f32x4', 'i32', 'f32.reinterpret_i32'),
                            ('f64x2', 'i64', 'f64.reinterpret_i64')):
        arg = '(%s (local.get 0))' % conv if conv else '(local.get 0)'
        w('  (func (export "%s.splat") (param %s) (result i64 i64) (call $r (%s.splat %s)))' % (shape, pt, shape, arg))
    w('  ;; extract_lane / replace_lane (float lanes as bits)')
    for shape, lanes in LANES.items():
        for lane in lanes:
            if shape in ('i8x16', 'i16x8'):
                for sx in ('s', 'u'):
                    w('  (func (export "%s.extract_lane_%s_%d") (param i64 i64) (result i32) (%s.extract_lane_%s %d %s))'
                      % (shape, sx, lane, shape, sx, lane, a))
            else:
                rt = {'i32x4': 'i32', 'i64x2': 'i64', 'f32x4': 'i32', 'f64x2': 'i64'}[shape]
                e = '(%s.extract_lane %d %s)' % (shape, lane, a)
                if shape == 'f32x4':
                    e = '(i32.reinterpret_f32 %s)' % e
                elif shape == 'f64x2':
                    e = '(i64.reinterpret_f64 %s)' % e
                w('  (func (export "%s.extract_lane_%d") (param i64 i64) (result %s) %s)' % (shape, lane, rt, e))
            pt = 'i64' if shape in ('i64x2', 'f64x2') else 'i32'
            x = '(local.get 2)'
            if shape == 'f32x4':
                x = '(f32.reinterpret_i32 %s)' % x
            elif shape == 'f64x2':
                x = '(f64.reinterpret_i64 %s)' % x
            w('  (func (export "%s.replace_lane_%d") (param i64 i64 %s) (result i64 i64) (call $r (%s.replace_lane %d %s %s)))'
              % (shape, lane, pt, shape, lane, a, x))
    w('  ;; shuffles')
    for name, idx in SHUFFLES.items():
        w('  (func (export "i8x16.shuffle_%s") %s (call $r (i8x16.shuffle %s %s %s)))'
          % (name, bin2, ' '.join(map(str, idx)), a, b))
    w('  (func (export "v128.const") (result i64 i64 i64 i64 i64 i64)')
    w('    (call $r (v128.const i8x16 -128 -1 0 1 127 255 2 3 4 5 6 7 8 9 10 11))')
    w('    (call $r (v128.const i16x8 -32768 65535 1 2 3 4 5 32767))')
    w('    (call $r (v128.const f32x4 -0x1p-149 nan:0x200000 -inf 0x1.fffffep127)))')
    w('  ;; memory: loads at an address (plus a variant with offset=16 and')
    w('  ;; alignment 1), stores and lane accesses returning the 32 bytes around.')
    for name, (align, _) in LOADS.items():
        w('  (func (export "%s") (param i32) (result i64 i64) (call $r (%s align=%d (local.get 0))))'
          % (name, name, 1 << align))
        w('  (func (export "%s_off16") (param i32) (result i64 i64) (call $r (%s offset=16 align=1 (local.get 0))))'
          % (name, name))
    w('  ;; The i64 at an address, or 0 where that is out of bounds.')
    w('  (func $ld (param i32) (result i64)')
    w('    (if (result i64) (i32.le_u (local.get 0) (i32.const 65528))')
    w('      (then (i64.load (local.get 0))) (else (i64.const 0))))')
    w('  (func $around (param i32) (result i64 i64 i64 i64)')
    w('    (call $ld (i32.sub (local.get 0) (i32.const 8))) (call $ld (local.get 0))')
    w('    (call $ld (i32.add (local.get 0) (i32.const 8))) (call $ld (i32.add (local.get 0) (i32.const 16))))')
    w('  (func (export "v128.store") (param i32 i64 i64) (result i64 i64 i64 i64)')
    w('    (v128.store (local.get 0) (call $v (local.get 1) (local.get 2))) (call $around (local.get 0)))')
    w('  (func (export "v128.store_off16") (param i32 i64 i64) (result i64 i64 i64 i64)')
    w('    (v128.store offset=16 align=1 (local.get 0) (call $v (local.get 1) (local.get 2)))')
    w('    (call $around (i32.add (local.get 0) (i32.const 16))))')
    for bits, (shape, size) in LANE_MEM.items():
        for lane in (0, SHAPES[shape] - 1):
            w('  (func (export "v128.load%s_lane_%d") (param i32 i64 i64) (result i64 i64)' % (bits, lane))
            w('    (call $r (v128.load%s_lane %d (local.get 0) (call $v (local.get 1) (local.get 2)))))' % (bits, lane))
            w('  (func (export "v128.store%s_lane_%d") (param i32 i64 i64) (result i64 i64 i64 i64)' % (bits, lane))
            w('    (v128.store%s_lane offset=0 align=1 %d (local.get 0) (call $v (local.get 1) (local.get 2)))' % (bits, lane))
            w('    (call $around (local.get 0)))')
        w('  (func (export "v128.load%s_lane_off16") (param i32 i64 i64) (result i64 i64)' % bits)
        w('    (call $r (v128.load%s_lane offset=16 1 (local.get 0) (call $v (local.get 1) (local.get 2)))))' % bits)
    w(')')
    return '\n'.join(out) + '\n'


# ---------------------------------------------------------------- the cases
def cases():
    out = ['# SPDX-License-Identifier: MIT',
           '# Generated by gen_simd.py (edit that, not this): one line per case,',
           '# MODULE FUNC ARGS... as in cases.txt. A v128 is two i64 (lanes 0, 1).']
    w = out.append

    def v(name, table):
        lo, hi = table[name]
        return '%s %s' % (hx(lo), hx(hi))
    w('# --- integer and bitwise binary ---')
    for shape, ops in INT_BIN.items():
        for op in ops:
            pairs = INT_PAIRS + ([('b1', 'sw'), ('h2', 'sw')] if op == 'swizzle' else [])
            for x, y in pairs:
                w('simd %s.%s %s %s' % (shape, op, v(x, INT_VECS), v(y, INT_VECS)))
    w('# --- float binary ---')
    for shape, vecs, pairs in (('f32x4', F32_VECS, F32_PAIRS), ('f64x2', F64_VECS, F64_PAIRS)):
        for op, _ in FLOAT_BIN:
            for x, y in pairs:
                w('simd %s.%s %s %s' % (shape, op, v(x, vecs), v(y, vecs)))
    w('# --- unary ---')
    for name, (kind, _) in UNARY.items():
        table = {'int': INT_VECS, 'f32': F32_VECS, 'f64': F64_VECS}[kind]
        for x in (('b1', 'h2', 'w1', 'd1', 'w3') if kind == 'int' else table):
            w('simd %s %s' % (name, v(x, table)))
    w('# --- bitselect, shifts, tests ---')
    w('simd v128.bitselect %s %s %s' % (v('b1', INT_VECS), v('b2', INT_VECS), v('h1', INT_VECS)))
    w('simd v128.bitselect %s %s 0xff00ff00f0f0f0f0 0x0123456789abcdef' % (v('w1', INT_VECS), v('d2', INT_VECS)))
    for shape in ('i8x16', 'i16x8', 'i32x4', 'i64x2'):
        width = 16 // SHAPES[shape] * 8
        for op in ('shl', 'shr_s', 'shr_u'):
            for x in ('b1', 'h1', 'd1'):
                for n in (0, 1, width - 1, width, width + 3, -1):
                    if x != 'b1' and n not in (1, width + 3, -1):
                        continue
                    w('simd %s.%s %s %d' % (shape, op, v(x, INT_VECS), n))
    tests = {'zero': (0, 0), 'hi_only': (0, 1 << 63), 'ones': (2**64 - 1, 2**64 - 1),
             'b1': INT_VECS['b1'], 'lane_sets': (0x0101010101010101, 0x0000000100000001),
             'one_byte_zero': (0xffffffffffffff00, 0xffffffffffffffff),
             'one_word_zero': (0xffffffff0000ffff, 0xffffffffffffffff),
             'd1': INT_VECS['d1'], 'h2': INT_VECS['h2']}
    for name in ('v128.any_true', 'i8x16.all_true', 'i16x8.all_true', 'i32x4.all_true', 'i64x2.all_true',
                 'i8x16.bitmask', 'i16x8.bitmask', 'i32x4.bitmask', 'i64x2.bitmask'):
        for lo, hi in tests.values():
            w('simd %s %s %s' % (name, hx(lo), hx(hi)))
    w('# --- splat, lanes ---')
    for x in ('0', '-1', '128', '-129', '65535', '0x12345678', '-2147483648'):
        for shape in ('i8x16', 'i16x8', 'i32x4', 'f32x4'):
            w('simd %s.splat %s' % (shape, x))
    for x in ('0', '-1', '0x8000000000000000', '0x7ff0000000000001', '0x0123456789abcdef'):
        for shape in ('i64x2', 'f64x2'):
            w('simd %s.splat %s' % (shape, x))
    for shape, lanes in LANES.items():
        srcs = ('b1', 'h1', 'd1') if shape[0] == 'i' else ('f1', 'f5') if shape == 'f32x4' else ('g1', 'g5')
        table = INT_VECS if shape[0] == 'i' else F32_VECS if shape == 'f32x4' else F64_VECS
        for lane in lanes:
            for x in srcs:
                if shape in ('i8x16', 'i16x8'):
                    w('simd %s.extract_lane_s_%d %s' % (shape, lane, v(x, table)))
                    w('simd %s.extract_lane_u_%d %s' % (shape, lane, v(x, table)))
                else:
                    w('simd %s.extract_lane_%d %s' % (shape, lane, v(x, table)))
            for val in (('-1', '0x7fc00001') if shape == 'f32x4' else ('-1', '0xfff0000000000001')
                        if shape == 'f64x2' else ('-1', '0x1234', '-2147483648') if shape != 'i64x2'
                        else ('-1', '0x1234', '0x8000000000000000')):
                w('simd %s.replace_lane_%d %s %s' % (shape, lane, v(srcs[0], table), val))
    for name in SHUFFLES:
        w('simd i8x16.shuffle_%s %s %s' % (name, v('b1', INT_VECS), v('b2', INT_VECS)))
    w('simd v128.const')
    w('# --- memory ---')
    for name, (_, size) in LOADS.items():
        for addr in (0, 1, 100, 65536 - size, 65536 - size + 1, 65535, 65536, -1):
            w('simd %s %d' % (name, addr))
        for addr in (0, 7, 65520 - size, 65521 - size, -16, -17):
            w('simd %s_off16 %d' % (name, addr))
    pat = v('b1', INT_VECS)
    for addr in (8, 9, 100, 65520, 65521, 65536, -1):
        w('simd v128.store %d %s' % (addr, pat))
    for addr in (8, 65504, 65505, -16):
        w('simd v128.store_off16 %d %s' % (addr, pat))
    for bits, (shape, size) in LANE_MEM.items():
        for lane in (0, SHAPES[shape] - 1):
            for addr in (8, 13, 65536 - size, 65537 - size, -1):
                w('simd v128.load%s_lane_%d %d %s' % (bits, lane, addr, pat))
                w('simd v128.store%s_lane_%d %d %s' % (bits, lane, addr, pat))
        for addr in (0, 65520 - size, 65521 - size):
            w('simd v128.load%s_lane_off16 %d %s' % (bits, addr, pat))
    return '\n'.join(out) + '\n'


with open(os.path.join(here, 'modules', 'simd.wat'), 'w') as f:
    f.write(module())
with open(os.path.join(here, 'cases-simd.txt'), 'w') as f:
    f.write(cases())
