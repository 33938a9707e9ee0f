/* SPDX-License-Identifier: MIT */
/*
** decode.c -- the binary decoder: turns the bytes of a module into the
** fields of wm_module, section by section. Function bodies are only located
** (compile.c decodes their instructions); nothing here checks indices or
** types beyond what the binary format itself requires (that is validate.c).
*/
#include "module.h"
#include "gc.h"


/* Our cap on declared locals per function (the spec allows 2^32-1, and says
** "too many locals" beyond): generous for real code, small enough that a
** frame can never overflow the slot arithmetic of compile.c. */
#define MAX_LOCALS 50000
/* And on the locals of all functions together: lowering a body costs time
** and scratch memory in its number of locals, so without it a 10 MB module
** of 7-byte bodies declaring 50000 locals each took 75 s to load. Compilers
** declare about 0.01 locals per module byte. */
#define MAX_LOCALS_PER_BYTE 4u
#define MAX_LOCALS_SLACK 1000000u
/* Our cap on a function type's params and on its results, as for host
** functions (runtime.c) and in the JS API: validating an instruction costs
** time in the arity of the types it uses, so an unbounded arity would let a
** few bytes (a call, a branch) cost millions of steps each. */
#define MAX_ARITY 1000
/* The most fields a struct type may have: the limit the JS embedding
** sets, which keeps one object's layout small. */
#define MAX_FIELDS 10000

/*
** A reader over bytes [pos, end) of the module. Inside a section `end` is the
** section's end, so nothing can read into the next section, let alone past
** the buffer. Errors name the spec's text first, then the offset and section.
*/
typedef struct rd {
  const uint8_t *b;
  size_t pos, end;
  size_t len;     /* whole module: "length out of bounds" is measured on it */
  int sec;        /* section id being read, -1 at top level */
  wm_error *err;
  size_t at;      /* added to offsets in errors: where b[0] is in the module */
  bool wasm2;     /* WM_MODULE_WASM2: 64-bit limits are malformed */
  const wm_module *mod; /* the types read so far (heaptype) */
} rd;

/* Decoder state beyond the module: capacities of the growable index
** spaces, and where the `name` section is (it is parsed last, once the
** number of functions is known). */
typedef struct dstate {
  uint32_t cap_funcs, cap_tables, cap_mems, cap_globals, cap_tags;
  size_t name_off, name_len;
  bool has_name, has_code;
} dstate;

#define TRY(x)                \
  do {                        \
    int rc_ = (x);            \
    if (rc_) return rc_;      \
  } while (0)

static void report(const rd *r, size_t off, const char *msg) {
  off += r->at;
  if (r->sec < 0)
    wm__error(r->err, WM_EMALFORMED, (uint32_t)off, "%s (at byte 0x%zx)", msg, off);
  else
    wm__error(r->err, WM_EMALFORMED, (uint32_t)off, "%s (at byte 0x%zx: section %d)", msg, off,
              r->sec);
}

/* Error paths return the code as a constant (not wm__error's result), from
** an inline function, so that the compiler sees every TRY() failure leave
** with outputs unset, whatever it inlines (the ThreadSanitizer build did
** not inline a longer fail() and warned of maybe-uninitialized outputs). */
static inline int fail(rd *r, size_t off, const char *msg) {
  report(r, off, msg);
  return WM_EMALFORMED;
}

/* Running out of bytes: the reference interpreter says "unexpected end" in
** the module header and "unexpected end of section or function" inside a
** section; the second starts with the first, so prefix matches work both
** ways. */
static int eof(rd *r) {
  return fail(r, r->pos, r->sec < 0 ? "unexpected end" : "unexpected end of section or function");
}

static int nomem(rd *r) {
  wm__error(r->err, WM_ENOMEM, UINT32_MAX, NULL);
  return WM_ENOMEM;
}

static int u8(rd *r, uint8_t *v) {
  if (r->pos >= r->end) return eof(r);
  *v = r->b[r->pos++];
  return 0;
}

static int bytes(rd *r, size_t n, const uint8_t **p) {
  if (n > r->end - r->pos) {
    r->pos = r->end;
    return eof(r);
  }
  *p = r->b + r->pos;
  r->pos += n;
  return 0;
}

/*
** LEB128 of `bits` bits. The last allowed byte may not continue ("integer
** representation too long") and its unused bits must be zero, or for signed
** numbers copies of the sign bit ("integer too large"). The number may run
** past the end of the section (never past the module): the reference
** interpreter reads it whole and reports its encoding errors first, so the
** callers check the section bound afterwards.
*/
static int leb_raw(rd *r, unsigned bits, bool sign, uint64_t *out) {
  uint64_t v = 0;
  unsigned shift = 0;
  for (;;) {
    size_t at = r->pos;
    if (shift >= bits) return fail(r, at, "integer representation too long");
    if (r->pos >= r->len) {
      r->pos = r->end;
      return eof(r);
    }
    uint8_t b = r->b[r->pos++];
    unsigned left = bits - shift; /* bits still to be filled */
    if (left < 7) {
      uint8_t unused = (uint8_t)((0x7F << (sign ? left - 1 : left)) & 0x7F);
      uint8_t got = b & unused;
      if (sign ? (got != 0 && got != unused) : got != 0)
        return fail(r, at, "integer too large");
    }
    v |= (uint64_t)(b & 0x7F) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (sign && shift < 64 && (v >> (shift - 1)) & 1) v |= ~(uint64_t)0 << shift;
  *out = v;
  return 0;
}

/* The number must end inside the section. */
static int in_section(rd *r) {
  if (r->pos <= r->end) return 0;
  r->pos = r->end;
  return eof(r);
}

static int leb(rd *r, unsigned bits, bool sign, uint64_t *out) {
  TRY(leb_raw(r, bits, sign, out));
  return in_section(r);
}

/* A number of up to three bytes inside the section, nearly all of a
** module's (yosys: the function and element sections' 60,000 indexes), is
** read inline: three bytes of a 32-bit number leave no unused bits to
** check. Longer ones, and every error, go through leb_raw. */
static inline bool leb_short(rd *r, uint32_t *v) {
  const uint8_t *b = r->b + r->pos;
  size_t room = r->end > r->pos ? r->end - r->pos : 0;
  if (room < 1) return false;
  if (!(b[0] & 0x80)) {
    *v = b[0];
    r->pos += 1;
    return true;
  }
  if (room < 2) return false;
  if (!(b[1] & 0x80)) {
    *v = (uint32_t)(b[0] & 0x7F) | (uint32_t)b[1] << 7;
    r->pos += 2;
    return true;
  }
  if (room < 3 || (b[2] & 0x80)) return false;
  *v = (uint32_t)(b[0] & 0x7F) | (uint32_t)(b[1] & 0x7F) << 7 | (uint32_t)b[2] << 14;
  r->pos += 3;
  return true;
}

static int u32(rd *r, uint32_t *v) {
  if (leb_short(r, v)) return 0;
  uint64_t x;
  TRY(leb(r, 32, false, &x));
  *v = (uint32_t)x;
  return 0;
}

/* A length or count: it can never exceed what is left of the module,
** counted from the length's own first byte (as the reference interpreter
** does, so that its "length out of bounds" cases match). */
static int len32(rd *r, uint32_t *n) {
  size_t at = r->pos;
  if (leb_short(r, n)) return *n > r->len - at ? fail(r, at, "length out of bounds") : 0;
  uint64_t x;
  TRY(leb_raw(r, 32, false, &x));
  *n = (uint32_t)x;
  if (*n > r->len - at) return fail(r, at, "length out of bounds");
  return in_section(r);
}

/* A vector count: every element takes at least one byte, so a count beyond
** the section's remaining bytes is truncated input; checking it up front
** also bounds every allocation by the module's size. */
static int count(rd *r, uint32_t *n) {
  TRY(len32(r, n));
  if (*n > r->end - r->pos) {
    r->pos = r->end;
    return eof(r);
  }
  return 0;
}

/* Type codes are one-byte signed LEB128 numbers in the reference
** interpreter: a continuation bit makes them too long, not unknown. */
static int typecode(rd *r, uint8_t *b) {
  size_t at = r->pos;
  TRY(u8(r, b));
  if (*b & 0x80) return fail(r, at + 1, "integer representation too long");
  return 0;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_ok(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    size_t k;
    uint32_t cp, min;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xC2 && c <= 0xDF) { k = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { k = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { k = 3; cp = c & 0x07; min = 0x10000; }
    else return false;
    if (k > n - i - 1) return false;
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += k + 1;
  }
  return true;
}

/* A name: length, UTF-8 bytes. *p points into the module. */
static int name(rd *r, const uint8_t **p, uint32_t *n) {
  TRY(len32(r, n));
  size_t at = r->pos;
  TRY(bytes(r, *n, p));
  if (!utf8_ok(*p, *n)) return fail(r, at, "malformed UTF-8 encoding");
  return 0;
}

static int name_dup(rd *r, char **out, uint32_t *n) {
  const uint8_t *p;
  TRY(name(r, &p, n));
  *out = wm__strndup((const char *)p, *n);
  return *out ? 0 : nomem(r);
}


/* A heap type (s33): an abstract one's byte, or a type index (bounds are
** validation's: the type section may name types after the current one).
** *t gets the nullable reference to it. */
static int heaptype(rd *r, uint32_t *t) {
  size_t at = r->pos;
  if (r->pos >= r->end) return eof(r);
  uint8_t b = r->b[r->pos];
  if ((b & 0xC0) == 0x40) { /* a one-byte negative s33: abstract */
    r->pos++;
    if (!wm__null_type(b) || (r->wasm2 && b != WM_FUNCREF && b != WM_EXTERNREF))
      return fail(r, at, "malformed reference type");
    *t = b;
    return 0;
  }
  if (r->wasm2) return fail(r, at, "malformed reference type");
  uint64_t y;
  TRY(leb(r, 33, true, &y));
  int64_t v = (int64_t)y;
  if (v < 0) return fail(r, at, "malformed reference type");
  if (v >= WM_VT_MAX_IDX) return fail(r, at, "too many types");
  /* The type's kind gives the low byte. Inside the type section a type may
  ** name a later one: fix_kinds sets those once the section is read; an
  ** index past the types is validation's to report. */
  const wm_module *mod = r->mod;
  uint8_t kind = r->sec != 1 && mod && (uint64_t)v < mod->ntypes ? mod->types[v].kind : WM_COMP_FUNC;
  *t = wm__vt_ref_kind((uint32_t)v, wm__kind_heap(kind), false);
  return 0;
}

/* A value type: a one-byte code, or 0x63/0x64 (ref null / ref) and a heap
** type. */
static int valtype(rd *r, wm_valtype *t) {
  size_t at = r->pos;
  uint8_t b;
  uint32_t h;
  TRY(typecode(r, &b));
  switch (b) {
  case WM_I32: case WM_I64: case WM_F32: case WM_F64: case WM_V128: case WM_FUNCREF:
  case WM_EXTERNREF:
    *t = (wm_valtype)b;
    return 0;
  case WM_EXNREF: case 0x6E: case 0x6D: case 0x6C: case 0x6B: case 0x6A: case 0x71: case 0x73:
  case 0x72: case 0x74: /* WebAssembly 3.0's, as the rest of this switch */
    if (r->wasm2) break;
    *t = (wm_valtype)b;
    return 0;
  case 0x63: case 0x64:
    if (r->wasm2) break;
    TRY(heaptype(r, &h));
    *t = (wm_valtype)(h | (b == 0x64 ? WM_VT_NONNULL : 0));
    return 0;
  }
  return fail(r, at, "malformed value type");
}

static int reftype(rd *r, wm_valtype *t) {
  size_t at = r->pos;
  uint8_t b = r->pos < r->end ? r->b[r->pos] : 0;
  if (b != 0x63 && b != 0x64 && !wm__is_reftype(b)) {
    TRY(typecode(r, &b));
    return fail(r, at, "malformed reference type");
  }
  TRY(valtype(r, t));
  if (!wm__is_reftype(*t)) return fail(r, at, "malformed reference type");
  return 0;
}

/* ref.null's heap type: the reference type its null has. */
static int nulltype(rd *r, wm_valtype *t) {
  uint32_t h;
  TRY(heaptype(r, &h));
  *t = (wm_valtype)h;
  return 0;
}

/*
** The flags are a small LEB128 number, hence the spec's messages: bit 0 a
** maximum, bit 1 a memory's shared bit (the threads proposal), bit 2 the
** address type i64 (WebAssembly 3.0's memory64 and table64), whose sizes
** are u64. Shared without a maximum (2, 6) is invalid for the proposal and
** malformed for WebAssembly 2.0 ("integer too large"): it is refused here
** as malformed, with both reasons; so is a table's shared bit, and 64-bit
** limits under WM_MODULE_WASM2.
*/
static int limits(rd *r, wm_limits *l, bool memory) {
  uint64_t flags, v;
  uint8_t f = r->pos < r->end ? r->b[r->pos] : 0;
  if (f >= 2 && f <= 7) {
    if (f >= 4 && r->wasm2)
      return fail(r, r->pos, "integer too large (64-bit limits are WebAssembly 3.0)");
    if (!memory && (f & 2)) return fail(r, r->pos, "integer too large (a table cannot be shared)");
    if ((f & 3) == 2)
      return fail(r, r->pos, "integer too large (shared memory must have maximum)");
  }
  TRY(leb(r, 3, false, &flags));
  l->is64 = flags & 4;
  unsigned bits = l->is64 ? 64 : 32;
  TRY(leb(r, bits, false, &v));
  l->min = v;
  l->has_max = flags & 1;
  l->shared = flags & 2;
  l->max = 0;
  if (l->has_max) {
    TRY(leb(r, bits, false, &v));
    l->max = v;
  }
  return 0;
}

static int tabletype(rd *r, wm_tabletype *t) {
  TRY(reftype(r, &t->elem));
  return limits(r, &t->lim, false);
}

static int constexpr(rd *r, wm_constexpr *e, uint64_t *hi);

static int globaltype(rd *r, wm_globaltype *g) {
  TRY(valtype(r, &g->type));
  size_t at = r->pos;
  uint8_t m;
  TRY(u8(r, &m));
  if (m > 1) return fail(r, at, "malformed mutability");
  g->mut = m == 1;
  return 0;
}

/* ------------------------------------------------- constant expressions */

/*
** Skip one instruction that cannot appear in a constant expression, so that
** decoding can go on to the expression's end: the expression is invalid
** (validation says so), but a malformed byte later in the module must still
** win, since decoding comes before validation.
*/
static int skip_instr(rd *r, uint8_t op, size_t at) {
  uint32_t x, n;
  uint64_t y;
  uint8_t b;
  wm_valtype t;
  const uint8_t *p;
  if (op <= 0x01 || op == 0x05 || op == 0x0B || op == 0x0F || op == 0x1A || op == 0x1B || op == 0xD1 ||
      (op >= 0x45 && op <= 0xC4))
    return 0;
  switch (op) {
  case 0x02: case 0x03: case 0x04:
    return leb(r, 33, true, &y);
  case 0x0C: case 0x0D: case 0x10: case 0x20: case 0x21: case 0x22: case 0x24:
  case 0x25: case 0x26: case 0x08:
    return u32(r, &x);
  case 0x0A:
    return 0;
  case 0x1F: /* try_table: block type, then catch clauses */
    TRY(leb(r, 33, true, &y));
    TRY(count(r, &n));
    for (uint32_t i = 0; i < n; i++) {
      TRY(u8(r, &b));
      if (b > 3) return fail(r, at, "malformed catch clause");
      if (b < 2) TRY(u32(r, &x));
      TRY(u32(r, &x));
    }
    return 0;
  case 0x0E:
    TRY(count(r, &n));
    for (uint32_t i = 0; i <= n; i++) TRY(u32(r, &x));
    return 0;
  case 0x11:
    TRY(u32(r, &x));
    return u32(r, &x);
  case 0x1C:
    TRY(count(r, &n));
    for (uint32_t i = 0; i < n; i++) TRY(valtype(r, &t));
    return 0;
  case 0x3F: case 0x40:
    return u8(r, &b);
  case 0xFC:
    TRY(u32(r, &x));
    if (x <= 7) return 0;
    switch (x) {
    case 8: TRY(u32(r, &n)); return u8(r, &b);
    case 9: case 13: case 15: case 16: case 17: return u32(r, &n);
    case 10: TRY(u8(r, &b)); return u8(r, &b);
    case 11: return u8(r, &b);
    case 12: case 14: TRY(u32(r, &n)); return u32(r, &n);
    }
    return fail(r, at, "illegal opcode");
  case 0xFD: { /* SIMD */
    TRY(u32(r, &x));
    int imm = wm__simd_immediates(x);
    if (imm == WM_SIMD_UNKNOWN) return fail(r, at, "illegal opcode");
    if (imm == WM_SIMD_BYTES16) return bytes(r, 16, &p);
    if (imm == WM_SIMD_MEMARG || imm == WM_SIMD_MEMARG_LANE) {
      TRY(u32(r, &n));
      TRY(u32(r, &n));
    }
    return imm == WM_SIMD_LANE || imm == WM_SIMD_MEMARG_LANE ? u8(r, &b) : 0;
  }
  }
  if (op >= 0x28 && op <= 0x3E) {
    TRY(u32(r, &x));
    return u32(r, &x);
  }
  if (op == 0xD3) return 0; /* ref.eq */
  if (op == 0xFB) { /* GC: as wm__c_skim_gc */
    static const uint8_t nimm[0x14] = {1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 0, 1, 2, 2, 2};
    TRY(u32(r, &x));
    if (x < 0x14) {
      for (uint32_t i = 0; i < nimm[x]; i++) TRY(u32(r, &n));
      return 0;
    }
    if (x > 0x1E) return fail(r, at, "illegal opcode");
    if (x >= 0x18 && x <= 0x19) {
      TRY(u8(r, &b));
      TRY(u32(r, &n));
      TRY(leb(r, 33, true, &y));
    }
    return x <= 0x19 ? leb(r, 33, true, &y) : 0;
  }
  if (op == 0xFE) {
    TRY(u32(r, &x));
    wm_atomic_sig s = wm__atomic_sig(x);
    if (s.kind == WM_ATOMIC_NONE) return fail(r, at, "illegal opcode");
    if (s.kind == WM_ATOMIC_FENCE) return u8(r, &b);
    TRY(u32(r, &x));
    return u32(r, &x);
  }
  const char *why = wm__unsupported_op(op);
  return fail(r, at, why ? why : "illegal opcode");
}

/*
** One instruction of a constant expression, its opcode `op` read: c gets
** its op, type and immediate (a v128.const keeps its upper 8 bytes in *hi
** when hi is not NULL). Returns 1 when it is not a constant instruction
** (it is skipped), else 0 or the error. The arithmetic of extended
** constant expressions (WebAssembly 3.0: i32 and i64 add, sub, mul) counts
** as constant; its type is its operands'.
*/
static int const_instr(rd *r, uint8_t op, size_t at, wm_constexpr *c, uint64_t *hi) {
  uint64_t v;
  const uint8_t *p;
  memset(c, 0, sizeof *c);
  c->op = op;
  switch (op) {
  case 0x41:
    TRY(leb(r, 32, true, &v));
    c->type = WM_I32;
    c->bits = (uint32_t)v;
    return 0;
  case 0x42:
    TRY(leb(r, 64, true, &v));
    c->type = WM_I64;
    c->bits = v;
    return 0;
  case 0x43:
    TRY(bytes(r, 4, &p));
    c->type = WM_F32;
    c->bits = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
    return 0;
  case 0x44:
    TRY(bytes(r, 8, &p));
    c->type = WM_F64;
    for (int i = 7; i >= 0; i--) c->bits = c->bits << 8 | p[i];
    return 0;
  case 0xFD: {
    uint32_t sub;
    TRY(u32(r, &sub));
    if (sub != 0x0C) {
      r->pos = at + 1;
      TRY(skip_instr(r, op, at));
      return 1;
    }
    TRY(bytes(r, 16, &p));
    c->type = WM_V128;
    for (int i = 7; i >= 0; i--) c->bits = c->bits << 8 | p[i];
    if (hi) {
      *hi = 0;
      for (int i = 15; i >= 8; i--) *hi = *hi << 8 | p[i];
    }
    return 0;
  }
  case 0xD0: {
    wm_valtype t;
    TRY(nulltype(r, &t));
    c->type = t;
    return 0;
  }
  case 0xD2:
    TRY(u32(r, &c->idx));
    c->type = WM_FUNCREF;
    return 0;
  case 0x23:
    TRY(u32(r, &c->idx));
    c->type = WM_I32; /* placeholder: validation sets the global's type */
    return 0;
  case 0x6A: case 0x6B: case 0x6C:
    c->type = WM_I32;
    return 0;
  case 0xFB: { /* GC: the constant ones (validation types them, from their bytes at `bits`) */
    uint32_t sub;
    TRY(u32(r, &sub));
    r->pos = at + 1;
    TRY(skip_instr(r, op, at));
    c->idx = sub;
    c->bits = at;
    bool constant = sub <= 0x01 || (sub >= 0x06 && sub <= 0x08) || (sub >= 0x1A && sub <= 0x1C);
    return constant ? 0 : 1;
  }
  case 0x7C: case 0x7D: case 0x7E:
    c->type = WM_I64;
    return 0;
  default:
    TRY(skip_instr(r, op, at));
    return 1;
  }
}

static bool is_arith(uint8_t op) {
  return (op >= 0x6A && op <= 0x6C) || (op >= 0x7C && op <= 0x7E) || op == 0xFB;
}

/*
** A constant expression. On success e describes its one instruction (a
** v128.const keeps its upper 8 bytes in *hi, which only a global's
** initialiser passes; elsewhere it is a type mismatch that validation
** reports). Several constant instructions, or any arithmetic, make an
** extended expression (op WM_CONST_EXTENDED, module.h) that validation
** types and instantiation runs. An expression that decodes but holds a
** non-constant instruction, or none, gets op = 0 and idx =
** WM_CONST_NONCONST or WM_CONST_ARITY, with bits holding the offending
** byte offset, for validation to report.
*/
static int constexpr(rd *r, wm_constexpr *e, uint64_t *hi) {
  uint32_t nconst = 0, depth = 0;
  bool nonconst = false, arith = false;
  size_t bad = r->pos, start = r->pos;
  memset(e, 0, sizeof *e);
  for (;;) {
    size_t at = r->pos;
    uint8_t op;
    wm_constexpr c;
    TRY(u8(r, &op));
    if (op == 0x0B && depth == 0) break;
    if (op == 0x0B) depth--;
    if (op >= 0x02 && op <= 0x04) depth++; /* so that their `end` is not ours */
    int rc = const_instr(r, op, at, &c, nconst == 0 ? hi : NULL);
    if (rc == 1) {
      if (!nonconst) bad = at;
      nonconst = true;
      continue;
    }
    if (rc) return rc;
    arith |= is_arith(op);
    if (nconst++ == 0) *e = c;
  }
  if (nonconst || nconst == 0) {
    e->op = 0;
    e->idx = nonconst ? WM_CONST_NONCONST : WM_CONST_ARITY;
    e->bits = nconst == 0 && !nonconst ? r->pos - 1 : bad;
  } else if (nconst > 1 || arith) {
    e->op = WM_CONST_EXTENDED;
    e->type = 0;
    e->bits = start;
    e->idx = (uint32_t)(r->pos - 1 - start);
  }
  return 0;
}

void wm__const_next(const wm_module *mod, uint32_t *pos, wm_constexpr *out) {
  wm_error scratch;
  rd r = {mod->bytes, *pos, mod->len, mod->len, -1, &scratch, 0, mod->wasm2, mod};
  uint8_t op = 0;
  /* Defensive: constexpr has decoded these very bytes. */
  if (u8(&r, &op) || const_instr(&r, op, *pos, out, NULL)) out->op = 0;
  *pos = (uint32_t)r.pos;
}

/* --------------------------------------------------------------- sections */

static int too_many(rd *r, size_t at, const char *what, uint32_t n) {
  wm__error(r->err, WM_ELIMIT, (uint32_t)at,
            "function type with %u %s: more than the limit of %u (at byte 0x%zx)", n, what,
            MAX_ARITY, at);
  return WM_ELIMIT;
}

/* One function type (after its 0x60), params and results in one
** allocation; the vectors are read twice, first to count them. */
static int functype(rd *r, wm_type *ty, size_t at) {
  uint32_t np, nr;
  wm_valtype t;
  size_t start = r->pos;
  TRY(count(r, &np));
  if (np > MAX_ARITY) return too_many(r, at, "params", np);
  for (uint32_t j = 0; j < np; j++) TRY(valtype(r, &t));
  TRY(count(r, &nr));
  if (nr > MAX_ARITY) return too_many(r, at, "results", nr);
  for (uint32_t j = 0; j < nr; j++) TRY(valtype(r, &t));
  size_t end = r->pos;
  ty->params = wm__calloc((size_t)np + nr + 1, sizeof(wm_valtype));
  if (!ty->params) return nomem(r);
  ty->results = ty->params + np;
  ty->nparams = np;
  ty->nresults = nr;
  r->pos = start;
  TRY(count(r, &np));
  for (uint32_t j = 0; j < np; j++) TRY(valtype(r, &ty->params[j]));
  TRY(count(r, &nr));
  for (uint32_t j = 0; j < nr; j++) TRY(valtype(r, &ty->results[j]));
  r->pos = end;
  return 0;
}

/* A field's storage type (a value type, or packed i8 / i16) and its
** mutability: 0 or 1 (a var). */
static int fieldtype(rd *r, wm_valtype *st, wm_valtype *mut) {
  size_t at = r->pos;
  if (r->pos < r->end && (r->b[r->pos] == WM_PACKED_I8 || r->b[r->pos] == WM_PACKED_I16))
    *st = (wm_valtype)r->b[r->pos++];
  else
    TRY(valtype(r, st));
  uint8_t m;
  at = r->pos;
  TRY(u8(r, &m));
  if (m > 1) return fail(r, at, "malformed mutability");
  *mut = (wm_valtype)m;
  return 0;
}

/* A struct (0x5F: a vector of fields) or array (0x5E: one field) type,
** after its byte, into params (storage types) and results (mutability). */
static int aggtype(rd *r, wm_type *ty, uint8_t form, size_t at) {
  uint32_t n = 1;
  if (form == 0x5F) {
    TRY(count(r, &n));
    if (n > MAX_FIELDS) {
      wm__error(r->err, WM_ELIMIT, (uint32_t)(r->at + at),
                "struct type with %u fields: more than the limit of %u (at byte 0x%zx)", n,
                MAX_FIELDS, r->at + at);
      return WM_ELIMIT;
    }
  }
  ty->kind = form == 0x5F ? WM_COMP_STRUCT : WM_COMP_ARRAY;
  /* Storage types, mutability, then (gc.h, wm__gc_layout) the layout:
  ** n field offsets, the payload size, whether a field holds references. */
  size_t cells = (size_t)n * 2 + WM_GC_LAYOUT_CELLS(n);
  ty->params = wm__calloc(cells, sizeof(wm_valtype));
  if (!ty->params) return nomem(r);
  ty->results = ty->params + n;
  ty->nparams = ty->nresults = n;
  for (uint32_t i = 0; i < n; i++) {
    int rc = fieldtype(r, &ty->params[i], &ty->results[i]);
    if (rc) { /* not counted in ntypes yet: wm__module_destroy would miss it */
      wm__free(ty->params);
      *ty = (wm_type){0};
      return rc;
    }
  }
  wm__gc_lay_out(ty);
  return 0;
}

/* A subtype: `sub final? x* comptype` (0x50, 0x4F) or a plain comptype,
** final without supertypes. */
static int subtype(rd *r, wm_type *ty, wm_typemeta *m) {
  size_t at = r->pos;
  uint8_t form;
  TRY(typecode(r, &form));
  m->final = true;
  m->super = 0;
  if ((form == 0x50 || form == 0x4F) && !r->wasm2) {
    uint32_t n, x;
    m->final = form == 0x4F;
    TRY(count(r, &n));
    if (n > 1) return fail(r, at, "multiple supertypes not supported");
    for (uint32_t i = 0; i < n; i++) {
      TRY(u32(r, &x));
      if (x >= WM_VT_MAX_IDX) return fail(r, at, "too many types");
      m->super = x + 1;
    }
    at = r->pos;
    TRY(typecode(r, &form));
  }
  if ((form == 0x5E || form == 0x5F) && !r->wasm2) return aggtype(r, ty, form, at);
  if (form != 0x60) return fail(r, at, "malformed function type");
  return functype(r, ty, at);
}

/* The references inside the types, read before the types they name were
** known, get their kind's abstract type (module.h) in the low byte. An
** index past the types keeps func: the type checks (types.c) refuse it. */
static void fix_kinds(wm_module *mod) {
  for (uint32_t i = 0; i < mod->ntypes; i++) {
    wm_type *t = &mod->types[i];
    uint32_t n = t->kind == WM_COMP_FUNC ? t->nparams + t->nresults : t->nparams;
    for (uint32_t k = 0; k < n; k++) {
      uint32_t x = wm__vt_idx(t->params[k]);
      if (x && x - 1 < mod->ntypes)
        t->params[k] = (wm_valtype)((t->params[k] & ~0xFFu) | wm__kind_heap(mod->types[x - 1].kind));
    }
  }
}

/* The type section: entries that are a function type, a subtype, or a
** rec group of several (0x4E), each adding its types to the one space. */
static int sec_type(rd *r, wm_module *mod) {
  uint32_t n;
  TRY(count(r, &n));
  size_t cap = n ? n : 1;
  mod->types = wm__calloc(cap, sizeof *mod->types);
  mod->tmeta = wm__calloc(cap, sizeof *mod->tmeta);
  if (!mod->types || !mod->tmeta) return nomem(r);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t m = 1;
    if (r->pos < r->end && r->b[r->pos] == 0x4E && !r->wasm2) {
      r->pos++;
      TRY(count(r, &m));
      if (mod->ntypes + (size_t)m > 1000000) return fail(r, r->pos, "too many types");
      if (mod->ntypes + (size_t)m + (n - i) > cap) {
        size_t want = mod->ntypes + (size_t)m + (n - i);
        wm_type *p = wm__realloc(mod->types, want * sizeof *p);
        if (p) mod->types = p;
        wm_typemeta *q = wm__realloc(mod->tmeta, want * sizeof *q);
        if (q) mod->tmeta = q;
        if (!p || !q) return nomem(r);
        memset(p + cap, 0, (want - cap) * sizeof *p);
        memset(q + cap, 0, (want - cap) * sizeof *q);
        cap = want;
      }
    }
    for (uint32_t k = 0; k < m; k++) {
      wm_typemeta *me = &mod->tmeta[mod->ntypes];
      TRY(subtype(r, &mod->types[mod->ntypes], me));
      me->rec_i = k;
      me->rec_n = m;
      mod->ntypes++;
    }
  }
  fix_kinds(mod);
  return 0;
}

/* Make room for `more` entries in one of the index spaces. */
static int grow(rd *r, void **arr, uint32_t *cap, uint32_t have, uint32_t more, size_t elsize) {
  if (more > UINT32_MAX - have) return fail(r, r->pos, "too many definitions");
  uint32_t old = *cap;
  if (more > 1 && have + more > old) {
    /* A whole section's definitions, the last addition to the space:
    ** exactly as many as needed, not the next power of two. */
    void *p = wm__realloc(*arr, ((size_t)have + more) * elsize);
    if (!p) return nomem(r);
    *arr = p;
    *cap = have + more;
  } else if (wm__grow(arr, cap, have + more, elsize)) {
    return nomem(r);
  }
  if (*cap > old) memset((char *)*arr + (size_t)old * elsize, 0, (size_t)(*cap - old) * elsize);
  return 0;
}

/* A name copied, NUL-terminated, to *at in the module's import names. */
static int name_to(rd *r, char **at, char **out, uint32_t *n) {
  const uint8_t *p;
  TRY(name(r, &p, n));
  memcpy(*at, p, *n);
  (*at)[*n] = 0;
  *out = *at;
  *at += *n + 1;
  return 0;
}

/* A tag's type: the attribute byte (0: exception, the only one) and a
** type index, checked by validation. */
static int tagtype(rd *r, uint32_t *typeidx) {
  size_t at = r->pos;
  uint8_t attr;
  TRY(u8(r, &attr));
  if (attr != 0) return fail(r, at, "malformed tag attribute");
  return u32(r, typeidx);
}

static int sec_import(rd *r, wm_module *mod, dstate *ds) {
  uint32_t n;
  TRY(count(r, &n));
  mod->imports = wm__calloc(n, sizeof *mod->imports);
  /* Each name's length takes at least a byte of the section, as its NUL
  ** does here: the section's size is room enough for all of them. */
  mod->import_names = wm__malloc(r->end - r->pos);
  if (!mod->imports || !mod->import_names) return nomem(r);
  char *at = mod->import_names;
  for (uint32_t i = 0; i < n; i++) {
    wm_import *im = &mod->imports[i];
    mod->nimports = i + 1;
    TRY(name_to(r, &at, &im->module, &im->module_len));
    TRY(name_to(r, &at, &im->name, &im->name_len));
    size_t at = r->pos;
    uint8_t kind;
    TRY(u8(r, &kind));
    switch (kind) {
    case WM_EXTERN_FUNC:
      TRY(u32(r, &im->typeidx));
      TRY(grow(r, (void **)&mod->funcs, &ds->cap_funcs, mod->nfuncs, 1, sizeof *mod->funcs));
      mod->funcs[mod->nfuncs++].typeidx = im->typeidx;
      mod->nfunc_imports++;
      break;
    case WM_EXTERN_TABLE:
      TRY(tabletype(r, &im->table));
      TRY(grow(r, (void **)&mod->tables, &ds->cap_tables, mod->ntables, 1, sizeof *mod->tables));
      mod->tables[mod->ntables++] = im->table;
      mod->ntable_imports++;
      break;
    case WM_EXTERN_MEMORY:
      TRY(limits(r, &im->mem, true));
      TRY(grow(r, (void **)&mod->mems, &ds->cap_mems, mod->nmems, 1, sizeof *mod->mems));
      mod->mems[mod->nmems++] = im->mem;
      mod->nmem_imports++;
      break;
    case WM_EXTERN_GLOBAL:
      TRY(globaltype(r, &im->global));
      TRY(grow(r, (void **)&mod->globals, &ds->cap_globals, mod->nglobals, 1,
               sizeof *mod->globals));
      mod->globals[mod->nglobals++].type = im->global;
      mod->nglobal_imports++;
      break;
    case WM_EXTERN_TAG:
      if (mod->wasm2) return fail(r, at, "malformed import kind");
      TRY(tagtype(r, &im->typeidx));
      TRY(grow(r, (void **)&mod->tags, &ds->cap_tags, mod->ntags, 1, sizeof *mod->tags));
      mod->tags[mod->ntags++] = im->typeidx;
      mod->ntag_imports++;
      break;
    default:
      return fail(r, at, "malformed import kind");
    }
    im->kind = (wm_externkind)kind;
  }
  return 0;
}

/* The function section comes once, after the imports: the function space
** grows no more after it. A large one (yosys: 34,004 functions, 1.1 MB)
** goes on huge pages (wm__map_huge: 266 page faults saved). */
static int sec_func(rd *r, wm_module *mod, dstate *ds) {
  uint32_t n;
  TRY(count(r, &n));
  size_t bytes = ((size_t)mod->nfuncs + n) * sizeof *mod->funcs;
  wm_funcdef *big = bytes >= WM_HUGE_FROM ? wm__map_huge(bytes) : NULL;
  if (big) {
    if (mod->nfuncs) memcpy(big, mod->funcs, (size_t)mod->nfuncs * sizeof *mod->funcs);
    wm__free(mod->funcs);
    mod->funcs = big;
    mod->funcs_mapped = bytes;
    ds->cap_funcs = mod->nfuncs + n;
  }
  TRY(grow(r, (void **)&mod->funcs, &ds->cap_funcs, mod->nfuncs, n, sizeof *mod->funcs));
  for (uint32_t i = 0; i < n; i++) {
    TRY(u32(r, &mod->funcs[mod->nfuncs].typeidx));
    mod->nfuncs++;
  }
  return 0;
}

static int sec_table(rd *r, wm_module *mod, dstate *ds) {
  uint32_t n;
  TRY(count(r, &n));
  TRY(grow(r, (void **)&mod->tables, &ds->cap_tables, mod->ntables, n, sizeof *mod->tables));
  for (uint32_t i = 0; i < n; i++) {
    /* 0x40 0x00: a table type with an initialiser (typed references). */
    bool init = r->pos + 1 < r->end && r->b[r->pos] == 0x40;
    if (init) {
      if (r->b[r->pos + 1] != 0x00) return fail(r, r->pos + 1, "malformed table");
      r->pos += 2;
    }
    TRY(tabletype(r, &mod->tables[mod->ntables]));
    if (init) {
      uint32_t d = mod->ntables - mod->ntable_imports, nd = mod->ntables - mod->ntable_imports + (n - i);
      if (!mod->table_inits) {
        mod->table_inits = wm__calloc(nd, sizeof *mod->table_inits);
        if (!mod->table_inits) return nomem(r);
      }
      TRY(constexpr(r, &mod->table_inits[d], NULL));
    }
    mod->ntables++;
  }
  return 0;
}

static int sec_mem(rd *r, wm_module *mod, dstate *ds) {
  uint32_t n;
  TRY(count(r, &n));
  TRY(grow(r, (void **)&mod->mems, &ds->cap_mems, mod->nmems, n, sizeof *mod->mems));
  for (uint32_t i = 0; i < n; i++) {
    TRY(limits(r, &mod->mems[mod->nmems], true));
    mod->nmems++;
  }
  return 0;
}

static int sec_global(rd *r, wm_module *mod, dstate *ds) {
  uint32_t n;
  TRY(count(r, &n));
  TRY(grow(r, (void **)&mod->globals, &ds->cap_globals, mod->nglobals, n, sizeof *mod->globals));
  for (uint32_t i = 0; i < n; i++) {
    wm_global_def *g = &mod->globals[mod->nglobals];
    TRY(globaltype(r, &g->type));
    g->init_hi = 0;
    TRY(constexpr(r, &g->init, &g->init_hi));
    mod->nglobals++;
  }
  return 0;
}

/* The tag section (13, WebAssembly 3.0 exception handling): each tag an
** attribute byte 0 (an exception) and the type index of its payload. */
static int sec_tag(rd *r, wm_module *mod, dstate *ds) {
  uint32_t n;
  TRY(count(r, &n));
  TRY(grow(r, (void **)&mod->tags, &ds->cap_tags, mod->ntags, n, sizeof *mod->tags));
  for (uint32_t i = 0; i < n; i++) {
    TRY(tagtype(r, &mod->tags[mod->ntags]));
    mod->ntags++;
  }
  return 0;
}

static int sec_export(rd *r, wm_module *mod) {
  uint32_t n;
  TRY(count(r, &n));
  mod->exports = wm__calloc(n, sizeof *mod->exports);
  if (!mod->exports) return nomem(r);
  for (uint32_t i = 0; i < n; i++) {
    wm_export *ex = &mod->exports[i];
    mod->nexports = i + 1;
    TRY(name_dup(r, &ex->name, &ex->name_len));
    size_t at = r->pos;
    uint8_t kind;
    TRY(u8(r, &kind));
    if (kind > WM_EXTERN_TAG || (kind == WM_EXTERN_TAG && mod->wasm2))
      return fail(r, at, "malformed export kind");
    ex->kind = (wm_externkind)kind;
    TRY(u32(r, &ex->idx));
  }
  return 0;
}

/*
** Element segments. The flags value selects one of eight encodings:
** bit 0 passive-or-declarative (else active), bit 1 explicit table index
** (active) or declarative (not active), bit 2 items as expressions.
*/
static int elem_seg(rd *r, wm_elem *el) {
  size_t at = r->pos;
  uint32_t flags, n;
  TRY(u32(r, &flags));
  if (flags > 7) return fail(r, at, "malformed elements segment kind");
  bool exprs = flags & 4;
  /* Function indexes are non-null references (WebAssembly 3.0: (ref
  ** func)); encoding 4's expressions funcref. */
  el->type = exprs ? WM_FUNCREF : (wm_valtype)(WM_FUNCREF | WM_VT_NONNULL);
  if (flags & 1) {
    el->mode = (flags & 2) ? WM_SEG_DECLARATIVE : WM_SEG_PASSIVE;
  } else {
    el->mode = WM_SEG_ACTIVE;
    if (flags & 2) TRY(u32(r, &el->table));
    TRY(constexpr(r, &el->offset, NULL));
  }
  /* Encodings 0 and 4 imply funcref; the others name elemkind or reftype. */
  if (flags & 3) {
    if (exprs) {
      TRY(reftype(r, &el->type));
    } else {
      size_t kat = r->pos;
      uint8_t kind;
      TRY(u8(r, &kind));
      if (kind != 0) return fail(r, kat, "malformed element kind");
    }
  }
  TRY(count(r, &n));
  el->items = wm__calloc(n, sizeof *el->items);
  if (!el->items) return nomem(r);
  for (uint32_t i = 0; i < n; i++) {
    wm_constexpr *e = &el->items[i];
    if (exprs) {
      TRY(constexpr(r, e, NULL));
    } else {
      e->op = 0xD2;
      e->type = WM_FUNCREF;
      TRY(u32(r, &e->idx));
    }
    el->count = i + 1;
  }
  return 0;
}

static int sec_elem(rd *r, wm_module *mod) {
  uint32_t n;
  TRY(count(r, &n));
  mod->elems = wm__calloc(n, sizeof *mod->elems);
  if (!mod->elems) return nomem(r);
  for (uint32_t i = 0; i < n; i++) {
    mod->nelems = i + 1;
    TRY(elem_seg(r, &mod->elems[i]));
  }
  return 0;
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The code section from a code cache's body table (cache.c) instead of the
** bodies' headers, which on a large module are most of what decoding
** touches. The table is checked, not trusted: every body must lie in this
** section after the last one, its code must start inside it, and its locals
** stay within the limits sec_code enforces. Whatever else is wrong with it
** -- a code start in the middle of the local declarations, a wrong count of
** locals -- wm__decode_locals catches before any body is lowered, and the
** compiler validates the instructions. */
/* The cap on all the functions' locals together, for a module of len bytes. */
static uint64_t max_locals_all(size_t len) {
  return (uint64_t)len * MAX_LOCALS_PER_BYTE + MAX_LOCALS_SLACK;
}

static int code_from_cache(rd *r, wm_module *mod, uint32_t n, uint64_t max_all) {
  if (mod->cache_nfuncs != n)
    return wm__error(r->err, WM_ECACHE, UINT32_MAX,
                     "code cache rejected: %u bodies, the code section has %u",
                     mod->cache_nfuncs, n);
  const uint8_t *t = mod->cache_table;
  size_t next = r->pos;
  uint64_t all = 0;
  for (uint32_t i = 0; i < n; i++, t += 16) {
    wm_funcdef *fd = &mod->funcs[mod->nfunc_imports + i];
    uint32_t off = le32(t), len = le32(t + 4), start = le32(t + 8), nlocals = le32(t + 12);
    all += nlocals;
    if (off <= next || off > r->end || len > r->end - off || start < off ||
        start - off > len || nlocals > MAX_LOCALS || all > max_all)
      return wm__error(r->err, WM_ECACHE, UINT32_MAX,
                       "code cache rejected: body %u does not match the code section",
                       mod->nfunc_imports + i);
    fd->body_off = off;
    fd->body_len = len;
    fd->code_start = start;
    fd->nlocals = nlocals;
    next = (size_t)off + len;
  }
  r->pos = r->end;
  return 0;
}

bool wm__locals_fit(uint64_t nlocals, uint64_t all, size_t len) {
  return nlocals <= MAX_LOCALS && all <= max_locals_all(len);
}

static int sec_code(rd *r, wm_module *mod, dstate *ds) {
  size_t at = r->pos;
  uint32_t n;
  TRY(count(r, &n));
  if (n != mod->nfuncs - mod->nfunc_imports)
    return fail(r, at, "function and code section have inconsistent lengths");
  ds->has_code = true;
  uint64_t all = 0, max_all = max_locals_all(r->len);
  if (mod->cache_table) return code_from_cache(r, mod, n, max_all);
  if (mod->scan) {
    /* Bodies left in the file (which may have changed since these bytes
    ** were read): their bounds, checked by the scan as sec_code checks
    ** them, reach funcs[] as the validator's threads take them
    ** (wm__scan_next). */
    if (!wm__scan_covers(mod->scan, n, r->pos, r->end))
      return wm__error(r->err, WM_ECACHE, UINT32_MAX, "the body scan read another code section");
    r->pos = r->end;
    return 0;
  }
  for (uint32_t i = 0; i < n; i++) {
    wm_funcdef *fd = &mod->funcs[mod->nfunc_imports + i];
    uint32_t size, ngroups;
    TRY(len32(r, &size));
    if (size > r->end - r->pos) {
      r->pos = r->end;
      return eof(r);
    }
    /* The body is its own reader: locals can never run past it. */
    rd b = *r;
    b.end = r->pos + size;
    fd->body_off = (uint32_t)r->pos;
    fd->body_len = size;
    TRY(count(&b, &ngroups));
    uint64_t total = 0;
    for (uint32_t g = 0; g < ngroups; g++) {
      size_t gat = b.pos;
      uint32_t k;
      wm_valtype t;
      TRY(u32(&b, &k));
      TRY(valtype(&b, &t));
      total += k; /* at most 2^32 groups of 2^32: fits in 64 bits */
      if (total > MAX_LOCALS) return fail(&b, gat, "too many locals");
    }
    all += total;
    if (all > max_all) {
      wm__error(r->err, WM_ELIMIT, fd->body_off,
                "too many locals in all functions: more than the limit of %llu (4 per module "
                "byte plus 1000000) at function %u (at byte 0x%x)",
                (unsigned long long)max_all, mod->nfunc_imports + i, fd->body_off);
      return WM_ELIMIT;
    }
    /* Only counted here: the expanded types are made per body, just
    ** before it is lowered (wm__decode_locals). Expanding every body up
    ** front let a 70 KB module of bodies declaring 50000 locals each hold
    ** 1.8 GB. */
    fd->code_start = (uint32_t)b.pos;
    fd->nlocals = (uint32_t)total;
    r->pos = b.end; /* instructions are compile.c's */
  }
  return 0;
}

static int sec_data(rd *r, wm_module *mod) {
  size_t at = r->pos;
  uint32_t n;
  TRY(count(r, &n));
  if (mod->has_datacount && n != mod->datacount)
    return fail(r, at, "data count and data section have inconsistent lengths");
  mod->datas = wm__calloc(n, sizeof *mod->datas);
  if (!mod->datas) return nomem(r);
  for (uint32_t i = 0; i < n; i++) {
    wm_data *d = &mod->datas[i];
    size_t fat = r->pos;
    uint32_t flags, len;
    mod->ndatas = i + 1;
    TRY(u32(r, &flags));
    if (flags > 2) return fail(r, fat, "malformed data segment kind");
    d->mode = flags == 1 ? WM_SEG_PASSIVE : WM_SEG_ACTIVE;
    if (flags == 2) TRY(u32(r, &d->mem));
    if (flags != 1) TRY(constexpr(r, &d->offset, NULL));
    TRY(len32(r, &len));
    TRY(bytes(r, len, &d->bytes));
    d->len = len;
  }
  return 0;
}

/* Expand the local declarations of a body that sec_code already checked
** into out (fd->nlocals type codes): the body validator's reused scratch,
** or the compiler's. */
int wm__decode_locals(const wm_module *mod, const wm_funcdef *fd, const uint8_t *body, uint32_t *out,
                      wm_error *err) {
  /* sec_code, or code_from_cache for a cache's table, made sure that
  ** body_off <= code_start <= body_off + body_len. */
  rd b = {body, 0, fd->code_start - fd->body_off, fd->body_len, 10, err, fd->body_off, mod->wasm2, mod};
  uint32_t ngroups, li = 0;
  TRY(count(&b, &ngroups));
  for (uint32_t g = 0; g < ngroups; g++) {
    uint32_t k;
    wm_valtype t;
    TRY(u32(&b, &k));
    TRY(valtype(&b, &t));
    /* Defensive, unreachable: sec_code summed these same counts. */
    if (k > fd->nlocals - li) return fail(&b, b.pos, "too many locals");
    for (uint32_t j = 0; j < k; j++) out[li + j] = t;
    li += k;
  }
  /* Unreachable too, unless a code cache (cache.c) gave a body's code
  ** start or count of locals wrongly. */
  if (li != fd->nlocals || b.pos != fd->code_start - fd->body_off)
    return wm__error(err, WM_ECACHE, fd->body_off,
                     "code cache rejected: the local declarations at byte 0x%x do not match",
                     fd->body_off);
  return 0;
}

/* ------------------------------------------------------- the name section */

/*
** The `name` section is debugging information: anything wrong in it is
** ignored (the spec says so), keeping whatever names came before.
*/
static void name_section(wm_module *mod, size_t off, size_t len) {
  wm_error scratch;
  rd r = {mod->bytes, off, off + len, mod->len, 0, &scratch, 0, mod->wasm2, mod};
  uint8_t last = 0;
  bool any = false;
  while (r.pos < r.end) {
    uint8_t id;
    uint32_t size, n;
    if (u8(&r, &id) || u32(&r, &size) || size > r.end - r.pos) return;
    if (any && id <= last) return; /* subsections come in order, once */
    any = true;
    last = id;
    rd s = r;
    s.end = r.pos + size;
    r.pos = s.end;
    if (id == 0) {
      const uint8_t *p;
      if (name(&s, &p, &n) || mod->module_name) continue;
      mod->module_name = wm__strndup((const char *)p, n);
    } else if (id == 1 && mod->nfuncs > 0) {
      if (!mod->func_names) {
        mod->func_names = wm__calloc(mod->nfuncs, sizeof(char *));
        if (!mod->func_names) return;
      }
      if (count(&s, &n)) continue;
      for (uint32_t i = 0; i < n; i++) {
        uint32_t idx, nl;
        const uint8_t *p;
        if (u32(&s, &idx) || name(&s, &p, &nl)) break;
        if (idx >= mod->nfuncs || mod->func_names[idx]) continue;
        mod->func_names[idx] = wm__strndup((const char *)p, nl);
      }
    } else if (id == 7 && mod->nglobals > 0) {
      /* Global names (the extended name section LLVM writes). Subsections
      ** 2..6 between them are skipped by their size like any other. */
      if (!mod->global_names) {
        mod->global_names = wm__calloc(mod->nglobals, sizeof(char *));
        if (!mod->global_names) return;
      }
      if (count(&s, &n)) continue;
      for (uint32_t i = 0; i < n; i++) {
        uint32_t idx, nl;
        const uint8_t *p;
        if (u32(&s, &idx) || name(&s, &p, &nl)) break;
        if (idx >= mod->nglobals || mod->global_names[idx]) continue;
        mod->global_names[idx] = wm__strndup((const char *)p, nl);
      }
    }
  }
}

/* ----------------------------------------------------------------- module */

/* Order of the non-custom sections; the data count section (12) sits
** between elements (9) and code (10). */
static int section_rank(uint8_t id) {
  /* ... and the tag section (13) between memory (5) and global (6). */
  static const int8_t rank[14] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
  return rank[id];
}

static int section(rd *r, wm_module *mod, dstate *ds, uint8_t id) {
  switch (id) {
  case 1: return sec_type(r, mod);
  case 2: return sec_import(r, mod, ds);
  case 3: return sec_func(r, mod, ds);
  case 4: return sec_table(r, mod, ds);
  case 5: return sec_mem(r, mod, ds);
  case 6: return sec_global(r, mod, ds);
  case 7: return sec_export(r, mod);
  case 8:
    mod->has_start = true;
    return u32(r, &mod->start);
  case 9: return sec_elem(r, mod);
  case 10: return sec_code(r, mod, ds);
  case 11: return sec_data(r, mod);
  case 12:
    mod->has_datacount = true;
    return u32(r, &mod->datacount);
  case 13: return sec_tag(r, mod, ds);
  }
  return 0;
}

static int custom(rd *r, dstate *ds) {
  const uint8_t *p;
  uint32_t n;
  TRY(name(r, &p, &n));
  if (n == 4 && memcmp(p, "name", 4) == 0 && !ds->has_name) {
    ds->has_name = true;
    ds->name_off = r->pos;
    ds->name_len = r->end - r->pos;
  }
  r->pos = r->end;
  return 0;
}

int wm__decode(wm_module *mod, wm_error *err) {
  static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6D};
  static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
  rd r = {mod->bytes, 0, mod->len, mod->len, -1, err, 0, mod->wasm2, mod};
  dstate ds;
  const uint8_t *p;
  int last = 0;
  memset(&ds, 0, sizeof ds);

  TRY(bytes(&r, 4, &p));
  if (memcmp(p, magic, 4) != 0) return fail(&r, 0, "magic header not detected");
  TRY(bytes(&r, 4, &p));
  if (memcmp(p, version, 4) != 0) return fail(&r, 4, "unknown binary version");

  while (r.pos < r.len) {
    size_t at = r.pos;
    uint8_t id;
    uint32_t size;
    r.sec = -1;
    r.end = r.len;
    TRY(u8(&r, &id));
    if (id == 13 && mod->wasm2)
      return fail(&r, at, "malformed section id 13: a tag section (exception handling) is "
                          "not WebAssembly 2.0");
    if (id > 13) return fail(&r, at, "malformed section id");
    TRY(len32(&r, &size));
    if (size > r.len - r.pos) return fail(&r, r.pos, "unexpected end");
    if (id != 0) {
      int rank = section_rank(id);
      if (rank <= last) return fail(&r, at, "unexpected content after last section");
      last = rank;
    }
    r.sec = id;
    r.end = r.pos + size;
    TRY(id == 0 ? custom(&r, &ds) : section(&r, mod, &ds, id));
    if (r.pos != r.end) return fail(&r, r.pos, "section size mismatch");
  }
  r.sec = -1;
  if (!ds.has_code && mod->nfuncs != mod->nfunc_imports)
    return fail(&r, r.pos, "function and code section have inconsistent lengths");
  if (mod->has_datacount && mod->datacount != mod->ndatas)
    return fail(&r, r.pos, "data count and data section have inconsistent lengths");
  if (ds.has_name) name_section(mod, ds.name_off, ds.name_len);
  return 0;
}
