/* SPDX-License-Identifier: MIT */
/*
** test_validate.c -- the function-body validator (src/load/validate_code.c):
** one test per error it reports, each through wm_module_load (which runs
** the validator before anything is lowered) with its code, message and byte
** offset; the precedence of a malformed later body; the same first error
** on two threads; the scratch buffers' growth; the operand stack's bound;
** the fast loop's shortcuts (no room test for one push, no bound test for
** a one-byte local index) and the ways around them. Modules are written
** inline: a fixed set of types and one function whose
** body each test gives. Also the depth limit of extended constant
** expressions (module-level, WebAssembly 3.0).
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "module.h"
#include "wasmem.h"

/* ------------------------------------------------------ module builder */

typedef struct buf {
  uint8_t *b;
  size_t n, cap;
} buf;

static void put(buf *m, const void *p, size_t n) {
  if (m->n + n > m->cap) {
    m->cap = (m->n + n) * 2 + 256;
    m->b = realloc(m->b, m->cap);
    if (!m->b) abort();
  }
  memcpy(m->b + m->n, p, n);
  m->n += n;
}

static void put_u8(buf *m, uint8_t v) { put(m, &v, 1); }

static void put_u32(buf *m, uint32_t v) {
  do {
    uint8_t c = v & 0x7F;
    v >>= 7;
    if (v) c |= 0x80;
    put_u8(m, c);
  } while (v);
}

static void section(buf *m, uint8_t id, const buf *c) {
  put_u8(m, id);
  put_u32(m, (uint32_t)c->n);
  put(m, c->b, c->n);
}

/* What the module has besides its functions. */
enum {
  F_MEM = 1,        /* memory 1 */
  F_TABLE = 2,      /* tables: 0 funcref, 1 externref */
  F_GLOBAL = 4,     /* globals: 0 immutable i32, 1 mutable i32 */
  F_DATA = 8,       /* one passive data segment, after the code section */
  F_DATACOUNT = 16, /* the data count section (1) */
  F_ELEM = 32,      /* one passive funcref element segment */
};

/* Types: 0 () -> (), 1 (i32) -> (i32), 2 () -> (i32 i32). */
enum { T_VOID, T_I32_I32, T_PAIR };

/* A module of nfuncs functions of type `type`, each with body `body`
** (locals included), except that function `odd` (if < nfuncs) has
** `odd_body`. *code_at receives the offset of the first function's body
** (after its size), where relative offsets count from. */
static void build(buf *m, unsigned flags, uint8_t type, uint32_t nfuncs, const uint8_t *body,
                  size_t blen, uint32_t odd, const uint8_t *odd_body, size_t odd_len,
                  uint32_t *code_at) {
  static const uint8_t hdr[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  static const uint8_t types[] = {3, 0x60, 0, 0, 0x60, 1, 0x7F, 1, 0x7F, 0x60, 0, 2, 0x7F, 0x7F};
  buf c = {0};
  m->n = 0;
  put(m, hdr, 8);
  put(&c, types, sizeof types);
  section(m, 1, &c);
  c.n = 0;
  put_u32(&c, nfuncs);
  for (uint32_t i = 0; i < nfuncs; i++) put_u8(&c, type);
  section(m, 3, &c);
  if (flags & F_TABLE) {
    static const uint8_t t[] = {2, 0x70, 0, 1, 0x6F, 0, 1};
    c.n = 0;
    put(&c, t, sizeof t);
    section(m, 4, &c);
  }
  if (flags & F_MEM) {
    static const uint8_t t[] = {1, 0, 1};
    c.n = 0;
    put(&c, t, sizeof t);
    section(m, 5, &c);
  }
  if (flags & F_GLOBAL) {
    static const uint8_t t[] = {2, 0x7F, 0, 0x41, 0, 0x0B, 0x7F, 1, 0x41, 0, 0x0B};
    c.n = 0;
    put(&c, t, sizeof t);
    section(m, 6, &c);
  }
  if (flags & F_ELEM) {
    static const uint8_t t[] = {1, 1, 0, 0}; /* passive, elemkind funcref, no items */
    c.n = 0;
    put(&c, t, sizeof t);
    section(m, 9, &c);
  }
  if (flags & F_DATACOUNT) {
    c.n = 0;
    put_u8(&c, 1);
    section(m, 12, &c);
  }
  c.n = 0;
  put_u32(&c, nfuncs);
  size_t first = 0;
  for (uint32_t i = 0; i < nfuncs; i++) {
    const uint8_t *b = i == odd ? odd_body : body;
    size_t n = i == odd ? odd_len : blen;
    put_u32(&c, (uint32_t)n);
    if (i == 0) first = c.n;
    put(&c, b, n);
  }
  put_u8(m, 10);
  put_u32(m, (uint32_t)c.n);
  *code_at = (uint32_t)(m->n + first);
  put(m, c.b, c.n);
  if (flags & F_DATA) {
    static const uint8_t t[] = {1, 1, 0}; /* passive, empty */
    c.n = 0;
    put(&c, t, sizeof t);
    section(m, 11, &c);
  }
  free(c.b);
}

/* ------------------------------------------------------------ checking */

/* Load module m: expect `code` (0: success) with a message starting with
** `msg` at module offset `off`. */
static void expect_load(int line, const buf *m, int code, const char *msg, uint32_t off) {
  wm_module *mod = NULL;
  wm_error err;
  memset(&err, 0, sizeof err);
  int rc = wm_module_load(m->b, m->n, NULL, &mod, &err);
  bool ok = rc == code && (code == 0 || (err.code == code && err.offset == off &&
                                         strncmp(err.message, msg, strlen(msg)) == 0));
  if (!ok)
    fprintf(stderr, "line %d: want %s \"%s\" @%u, got %s \"%s\" @%u\n", line, wm_errname(code),
            msg ? msg : "", off, wm_errname(rc), rc ? err.message : "", err.offset);
  CHECK(ok);
  wm_module_free(mod);
}

/* Load a one-function module: expect `code` (0: success) with a message
** starting with `msg` at body offset `rel`. */
static void expect(int line, unsigned flags, uint8_t type, const uint8_t *body, size_t n,
                   int code, const char *msg, uint32_t rel) {
  buf m = {0};
  uint32_t at;
  build(&m, flags, type, 1, body, n, UINT32_MAX, NULL, 0, &at);
  expect_load(line, &m, code, msg, at + rel);
  free(m.b);
}

#define BODY(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define VALID(flags, type, ...) expect(__LINE__, flags, type, BODY(__VA_ARGS__), 0, NULL, 0)
#define INVALID(flags, type, msg, rel, ...) \
  expect(__LINE__, flags, type, BODY(__VA_ARGS__), WM_EINVALID, msg, rel)
#define MALFORMED(flags, type, msg, rel, ...) \
  expect(__LINE__, flags, type, BODY(__VA_ARGS__), WM_EMALFORMED, msg, rel)

/* 16 bytes of a v128.const or a shuffle's lanes. */
#define V16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x

/* ---------------------------------------------------------------- tests */

static void test_type_mismatch(void) {
  /* Offsets count from the body's first byte: its local declarations. */
  INVALID(0, T_VOID, "type mismatch", 5, 0, 0x42, 0, 0x41, 0, 0x6A, 0x1A, 0x0B); /* i32.add i64 */
  INVALID(0, T_VOID, "type mismatch", 3, 0, 0x02, 0x7F, 0x0B, 0x1A, 0x0B);    /* block result */
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0x41, 0, 0x04, 0x7F, 0x41, 1, 0x0B, 0x1A, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 1, 0, 0x03, T_I32_I32, 0x0B, 0x1A, 0x0B); /* loop param */
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0x02, 0x7F, 0x42, 0, 0x41, 1, 0x0D, 0, 0x0B, 0x1A,
          0x0B); /* br_if's label wants an i32 */
  INVALID(0, T_I32_I32, "type mismatch", 3, 0, 0x42, 0, 0x0C, 0, 0x0B); /* br to the function */
  INVALID(0, T_I32_I32, "type mismatch", 3, 0, 0x42, 0, 0x10, 0, 0x0B);  /* call's argument */
  INVALID(0, T_I32_I32, "type mismatch", 3, 0, 0x42, 0, 0x0F, 0x0B);     /* return */
  INVALID(0, T_VOID, "type mismatch", 5, 0, 0x41, 1, 0x41, 2, 0x0B);     /* left on the stack */
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0x41, 0, 0x04, 0x40, 0x42, 0, 0x05, 0x0B, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 1, 0, 0x1A, 0x0B);                 /* drop of nothing */
  INVALID(F_MEM, T_VOID, "type mismatch", 5, 0, 0x42, 0, 0x41, 0, 0x36, 2, 0, 0x0B); /* store */
  INVALID(F_GLOBAL, T_VOID, "type mismatch", 3, 0, 0x42, 0, 0x24, 1, 0x0B); /* global.set */
  INVALID(0, T_VOID, "type mismatch", 3, 0, 0x41, 0, 0xD1, 0x1A, 0x0B);  /* ref.is_null i32 */
  INVALID(0, T_VOID, "type mismatch", 5, 0, 0x42, 0, 0x42, 0, 0xFD, 0x0E, 0x1A, 0x0B); /* v128 */
  INVALID(F_TABLE, T_VOID, "type mismatch", 7, 0, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 14, 0, 1,
          0x0B); /* table.copy funcref <- externref */
  INVALID(F_TABLE | F_ELEM, T_VOID, "type mismatch", 7, 0, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 12,
          0, 1, 0x0B); /* table.init of a funcref segment into externref */
  INVALID(F_TABLE, T_VOID, "type mismatch", 3, 0, 0x41, 0, 0x11, T_VOID, 1, 0x0B);
  INVALID(F_TABLE, T_VOID, "type mismatch", 5, 0, 0x41, 0, 0x41, 0, 0x26, 0, 0x0B); /* table.set */
  VALID(0, T_PAIR, 0, 0x41, 1, 0x41, 2, 0x0B); /* multi-value result */
  VALID(0, T_VOID, 0, 0x02, T_PAIR, 0x41, 1, 0x41, 2, 0x0B, 0x1A, 0x1A, 0x0B);
}

static void test_unknown(void) {
  INVALID(0, T_VOID, "unknown local 5", 1, 0, 0x20, 5, 0x1A, 0x0B);
  INVALID(0, T_VOID, "unknown local 2", 3, 1, 2, 0x7F, 0x20, 2, 0x1A, 0x0B); /* 2 declared */
  VALID(0, T_I32_I32, 1, 2, 0x7E, 0x20, 2, 0x1A, 0x20, 0, 0x0B);        /* param, then locals */
  INVALID(0, T_I32_I32, "type mismatch", 5, 1, 2, 0x7E, 0x20, 2, 0x0B); /* an i64 local */
  INVALID(0, T_VOID, "unknown global 3", 1, 0, 0x23, 3, 0x1A, 0x0B);
  INVALID(0, T_VOID, "unknown global 0", 3, 0, 0x41, 0, 0x24, 0, 0x0B);
  INVALID(F_GLOBAL, T_VOID, "global is immutable", 3, 0, 0x41, 0, 0x24, 0, 0x0B);
  INVALID(0, T_VOID, "unknown function 7", 1, 0, 0x10, 7, 0x0B);
  INVALID(0, T_VOID, "unknown function 7", 1, 0, 0xD2, 7, 0x1A, 0x0B);
  INVALID(0, T_VOID, "undeclared function reference", 1, 0, 0xD2, 0, 0x1A, 0x0B);
  INVALID(0, T_VOID, "unknown table 0", 3, 0, 0x41, 0, 0x11, 0, 0, 0x0B);
  INVALID(F_TABLE, T_VOID, "unknown type 9", 3, 0, 0x41, 0, 0x11, 9, 0, 0x0B);
  INVALID(0, T_VOID, "unknown table 0", 1, 0, 0xFC, 16, 0, 0x1A, 0x0B); /* table.size */
  INVALID(0, T_VOID, "unknown table 2", 3, 0, 0x41, 0, 0x25, 2, 0x1A, 0x0B); /* table.get */
  INVALID(0, T_VOID, "unknown type 9", 1, 0, 0x02, 9, 0x0B, 0x0B);       /* block type */
  INVALID(0, T_VOID, "unknown label", 1, 0, 0x0C, 1, 0x0B);
  INVALID(0, T_VOID, "unknown label", 3, 0, 0x41, 0, 0x0E, 1, 0, 5, 0x0B); /* br_table */
  INVALID(0, T_VOID, "unknown label", 3, 0, 0x41, 0, 0x0D, 3, 0x0B);       /* br_if */
  INVALID(0, T_VOID, "unknown memory 0", 3, 0, 0x41, 0, 0x28, 2, 0, 0x1A, 0x0B);
  INVALID(0, T_VOID, "unknown memory 0", 1, 0, 0x3F, 0, 0x1A, 0x0B);    /* memory.size */
  INVALID(0, T_VOID, "unknown memory 0", 3, 0, 0x41, 0, 0xFD, 0, 4, 0, 0x1A, 0x0B);
  INVALID(F_MEM | F_DATACOUNT | F_DATA, T_VOID, "unknown data segment 3", 1, 0, 0xFC, 9, 3, 0x0B);
  INVALID(F_MEM, T_VOID, "unknown data segment 0", 1, 0, 0xFC, 9, 0, 0x0B); /* no data at all */
  INVALID(0, T_VOID, "unknown elem segment 2", 1, 0, 0xFC, 13, 2, 0x0B);
  INVALID(F_TABLE, T_VOID, "unknown elem segment 0", 7, 0, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 12,
          0, 0, 0x0B);
}

static void test_memory(void) {
  INVALID(F_MEM, T_VOID, "alignment must not be larger than natural", 3, 0, 0x41, 0, 0x28, 3, 0,
          0x1A, 0x0B);
  VALID(F_MEM, T_VOID, 0, 0x41, 0, 0x28, 2, 0, 0x1A, 0x0B);
  INVALID(F_MEM, T_VOID, "alignment must not be larger than natural", 3, 0, 0x41, 0, 0xFD, 0, 5,
          0, 0x1A, 0x0B); /* v128.load */
  INVALID(F_MEM, T_VOID, "alignment must not be larger than natural", 3, 0, 0x41, 0, 0xFD, 0x54,
          1, 0, 0, 0x0B); /* v128.load8_lane */
  MALFORMED(F_MEM | F_DATA, T_VOID, "data count section required", 1, 0, 0xFC, 9, 0, 0x0B);
  MALFORMED(F_MEM | F_DATA, T_VOID, "data count section required", 7, 0, 0x41, 0, 0x41, 0, 0x41,
            0, 0xFC, 8, 0, 0, 0x0B); /* memory.init */
  VALID(F_MEM | F_DATA | F_DATACOUNT, T_VOID, 0, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 8, 0, 0, 0xFC,
        9, 0, 0x0B);
  /* WebAssembly 3.0: memory indexes where 2.0 had zero bytes (those are
  ** tested with WM_MODULE_WASM2 in test_unsupported_proposals). */
  INVALID(F_MEM, T_VOID, "unknown memory 1", 1, 0, 0x3F, 1, 0x1A, 0x0B);
  INVALID(F_MEM, T_VOID, "unknown memory 1", 7, 0, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 10, 0,
          1, 0x0B); /* memory.copy */
}

static void test_structure(void) {
  MALFORMED(0, T_VOID, "else without matching if", 1, 0, 0x05, 0x0B);
  MALFORMED(0, T_VOID, "else without matching if", 6, 0, 0x41, 0, 0x04, 0x40, 0x05, 0x05, 0x0B,
            0x0B); /* a second else */
  /* A body that ends inside its code: the section goes on, or not. */
  MALFORMED(F_DATA | F_DATACOUNT, T_VOID, "END opcode expected", 2, 0, 0x01);
  MALFORMED(0, T_VOID, "unexpected end", 2, 0, 0x01);
  MALFORMED(0, T_VOID, "section size mismatch", 1, 0, 0x0B, 0x01); /* bytes after the end */
  MALFORMED(0, T_VOID, "illegal opcode", 1, 0, 0xFF, 0x0B);
  MALFORMED(0, T_VOID, "illegal opcode", 1, 0, 0xFC, 18, 0x0B);
  MALFORMED(0, T_VOID, "illegal opcode", 1, 0, 0xFD, 0x80, 0x04, 0x0B);
  MALFORMED(0, T_VOID, "integer representation too long", 1, 0, 0x41, 0x80, 0x80, 0x80, 0x80,
            0x80, 0, 0x1A, 0x0B);
  MALFORMED(0, T_VOID, "integer too large", 1, 0, 0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x1A, 0x0B);
  MALFORMED(0, T_VOID, "integer too large", 1, 0, 0x20, 0x80, 0x80, 0x80, 0x80, 0x10, 0x1A, 0x0B);
  MALFORMED(0, T_VOID, "unexpected end", 1, 0, 0x44, 0, 0);             /* f64 cut short */
  MALFORMED(0, T_VOID, "malformed reference type", 1, 0, 0xD0, 0x7F, 0x1A, 0x0B);
  MALFORMED(0, T_VOID, "malformed value type", 1, 0, 0x02, 0x7A, 0x0B, 0x0B);
  MALFORMED(0, T_VOID, "malformed value type", 1, 0, 0x02, 0xFF, 0x7F, 0x0B, 0x0B); /* s33 -1 */
  /* unreachable makes the stack polymorphic: anything may be popped. */
  VALID(0, T_VOID, 0, 0x00, 0x6A, 0x1A, 0x0B);
  VALID(0, T_I32_I32, 0, 0x00, 0x0B);
  VALID(0, T_VOID, 0, 0x02, 0x7F, 0x00, 0xFD, 0x0E, 0x1A, 0x41, 0, 0x0B, 0x1A, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 4, 0, 0x00, 0x42, 0, 0x6A, 0x1A, 0x0B);
  MALFORMED(0, T_VOID, "section size mismatch", 2, 0, 0x00, 0x0B, 0x0B); /* an end too many */
}

static void test_select_and_br_table(void) {
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0xD0, 0x70, 0xD0, 0x70, 0x41, 0, 0x1B, 0x1A, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0x41, 0, 0x42, 0, 0x41, 0, 0x1B, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0xD0, 0x70, 0xD0, 0x70, 0x41, 0, 0x1C, 1, 0x70, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0x00, 0x1B, 0x1A, 0x0B); /* Unknown operands */
  INVALID(0, T_VOID, "invalid result arity", 7, 0, 0x41, 0, 0x41, 0, 0x41, 0, 0x1C, 2, 0x7F,
          0x7F, 0x1A, 0x0B);
  MALFORMED(0, T_VOID, "malformed value type", 7, 0, 0x41, 0, 0x41, 0, 0x41, 0, 0x1C, 1, 0x40,
            0x1A, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0x41, 0, 0x41, 0, 0x41, 0, 0x1C, 1, 0x7E, 0x1A, 0x0B);
  /* br_table to labels of different arity: block [] inside block [i32]. */
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0x02, 0x7F, 0x02, 0x40, 0x41, 0, 0x0E, 1, 0, 1, 0x0B,
          0x41, 0, 0x0B, 0x1A, 0x0B);
  /* Same arity, other types: i64 block and i32 block. */
  INVALID(0, T_VOID, "type mismatch", 9, 0, 0x02, 0x7E, 0x02, 0x7F, 0x41, 0, 0x41, 0, 0x0E, 1,
          0, 1, 0x0B, 0x1A, 0x42, 0, 0x0B, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0x02, 0x7F, 0x02, 0x7F, 0x41, 0, 0x41, 0, 0x0E, 2, 0, 1, 1, 0x0B, 0x0B, 0x1A,
        0x0B);
  VALID(0, T_VOID, 0, 0x00, 0x0E, 0, 0, 0x0B); /* on a polymorphic stack */
  MALFORMED(0, T_VOID, "unexpected end", 3, 0, 0x41, 0, 0x0E, 9, 0, 0x0B); /* 9 labels? */
}

static void test_simd(void) {
  INVALID(0, T_VOID, "invalid lane index", 19, 0, 0xFD, 0x0C, V16(0), 0xFD, 0x15, 16, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0xFD, 0x0C, V16(0), 0xFD, 0x15, 15, 0x1A, 0x0B);
  INVALID(0, T_VOID, "invalid lane index", 21, 0, 0xFD, 0x0C, V16(0), 0x41, 0, 0xFD, 0x1C, 4,
          0x1A, 0x0B); /* i32x4.replace_lane 4 */
  INVALID(0, T_VOID, "invalid lane index", 37, 0, 0xFD, 0x0C, V16(0), 0xFD, 0x0C, V16(0), 0xFD,
          0x0D, V16(32), 0x1A, 0x0B); /* shuffle */
  INVALID(F_MEM, T_VOID, "invalid lane index", 21, 0, 0x41, 0, 0xFD, 0x0C, V16(0), 0xFD, 0x57, 3,
          0, 2, 0x1A, 0x0B); /* v128.load64_lane 2 */
  INVALID(0, T_VOID, "type mismatch", 3, 0, 0x42, 0, 0xFD, 0x11, 0x1A, 0x0B); /* i32x4.splat */
  /* Relaxed SIMD: i32x4.relaxed_laneselect takes three v128. */
  INVALID(0, T_VOID, "type mismatch", 39, 0, 0xFD, 0x0C, V16(0), 0xFD, 0x0C, V16(0), 0x41, 0, 0xFD,
          0x8B, 0x02, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0xFD, 0x0C, V16(0), 0xFD, 0x0C, V16(0), 0xFD, 0x0C, V16(0), 0xFD, 0x8B, 0x02,
        0x1A, 0x0B);
  MALFORMED(0, T_VOID, "unexpected end", 1, 0, 0xFD, 0x0C, 1, 2, 3);
}

/* Function 0 of many is invalid, a later one malformed: the spec decodes
** the whole module first, so the malformed one is reported -- on one
** thread or two, the first failing body in order decides. */
static void test_precedence_and_threads(void) {
  static const uint8_t ok[] = {0, 0x0B}, bad_local[] = {0, 0x20, 9, 0x1A, 0x0B},
                       illegal[] = {0, 0xFF, 0x0B};
  buf m = {0};
  uint32_t at;
  wm_error e1, e2;
  for (int k = 0; k < 3; k++) {
    /* k 0: func 120 invalid; 1: func 250 malformed as well; 2: both, and
    ** funcs 0..119 fine, 300 functions. */
    uint32_t odd = k == 0 ? 120 : 250;
    const uint8_t *ob = k == 0 ? bad_local : illegal;
    size_t on = k == 0 ? sizeof bad_local : sizeof illegal;
    build(&m, 0, T_VOID, 300, k == 2 ? bad_local : ok, k == 2 ? sizeof bad_local : sizeof ok, odd,
          ob, on, &at);
    wm_module *mod = wm__calloc(1, sizeof *mod);
    mod->bytes = wm__malloc(m.n);
    memcpy(mod->bytes, m.b, m.n);
    mod->len = m.n;
    CHECK(wm__decode(mod, &e1) == 0 && wm__validate_module(mod, &e1) == 0);
    memset(&e1, 0, sizeof e1);
    memset(&e2, 0, sizeof e2);
    int r1 = wm__validate_code(mod, 1, &e1), r2 = wm__validate_code(mod, 2, &e2);
    int want = k == 0 ? WM_EINVALID : WM_EMALFORMED;
    CHECK(r1 == want && r2 == want);
    CHECK(e1.offset == e2.offset && strcmp(e1.message, e2.message) == 0);
    /* Function i's body starts 2 bytes (size, locals) after the last. */
    if (k == 0) CHECK(strstr(e1.message, "unknown local 9") != NULL);
    else CHECK(strstr(e1.message, "illegal opcode") != NULL);
    CHECK(wm__validate_code(mod, 7, &e2) == want && e2.offset == e1.offset);
    wm__module_destroy(mod);
  }
  /* Valid on two threads. */
  build(&m, 0, T_VOID, 300, ok, sizeof ok, UINT32_MAX, NULL, 0, &at);
  wm_module *mod = NULL;
  CHECK(wm_module_load(m.b, m.n, NULL, &mod, &e1) == 0);
  if (mod) CHECK(wm__validate_code(mod, 2, &e1) == 0);
  wm_module_free(mod);
  free(m.b);
}

/* The fast loop (validate_code.c) takes only instructions with at least
** 10 bytes of their body after the opcode: N16 puts 16 nops after the instruction
** under test so that it goes through the fast loop first; what the fast
** loop cannot take, step() takes, with the same verdict. Relocated LEBs
** padded to 5 and 10 bytes, the last byte's limits, and errors right
** after instructions the fast loop took. */
#define N16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1

static void test_fast_loop(void) {
  VALID(0, T_VOID, 0, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, N16, 0x1A, 0x0B); /* i32 -1, 5 bytes */
  VALID(0, T_VOID, 0, 0x41, 0x80, 0x80, 0x80, 0x80, 0x78, N16, 0x1A, 0x0B); /* INT32_MIN */
  MALFORMED(0, T_VOID, "integer too large", 1, 0, 0x41, 0x80, 0x80, 0x80, 0x80, 0x0F, N16, 0x1A,
            0x0B); /* sign bit set, its extension not */
  MALFORMED(0, T_VOID, "integer too large", 1, 0, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x77, N16, 0x1A,
            0x0B);
  MALFORMED(0, T_VOID, "integer representation too long", 1, 0, 0x41, 0x80, 0x80, 0x80, 0x80,
            0x80, 0, N16, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0x42, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, N16, 0x1A,
        0x0B); /* i64 -1, 10 bytes */
  MALFORMED(0, T_VOID, "integer too large", 1, 0, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
            0x80, 0x80, 0x01, N16, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0x10, 0x80, 0x80, 0x80, 0x80, 0x00, N16, 0x0B); /* call 0, padded */
  MALFORMED(0, T_VOID, "integer too large", 1, 0, 0x10, 0x80, 0x80, 0x80, 0x80, 0x10, N16, 0x0B);
  INVALID(0, T_VOID, "unknown function 1", 1, 0, 0x10, 0x81, 0x80, 0x80, 0x80, 0x00, N16, 0x0B);
  INVALID(0, T_VOID, "unknown local 5", 1, 0, 0x20, 0x85, 0x80, 0x80, 0x80, 0x00, N16, 0x1A,
          0x0B);
  VALID(F_MEM, T_VOID, 0, 0x41, 0, 0x28, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, N16, 0x1A, 0x0B);
  VALID(F_MEM, T_VOID, 0, 0x41, 0, 0x42, 0, 0x37, 3, 0x80, 0x80, 0x80, 0x80, 0, N16, 0x0B);
  INVALID(F_MEM, T_VOID, "offset out of range", 3, 0, 0x41, 0, 0x28, 2, 0xFF, 0xFF, 0xFF, 0xFF,
          0x1F, N16, 0x1A, 0x0B); /* a u64 offset past 2^32 on a 32-bit memory */
  INVALID(F_MEM, T_VOID, "alignment must not be larger than natural", 3, 0, 0x41, 0, 0x28, 3, 0,
          N16, 0x1A, 0x0B);
  INVALID(0, T_VOID, "unknown memory 0", 3, 0, 0x41, 0, 0x28, 2, 0, N16, 0x1A, 0x0B);
  INVALID(F_MEM, T_VOID, "type mismatch", 3, 0, 0x42, 0, 0x28, 2, 0, N16, 0x1A, 0x0B);
  INVALID(F_MEM, T_VOID, "type mismatch", 5, 0, 0x41, 0, 0x41, 0, 0x37, 3, 0, N16, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 5, 0, 0x42, 0, 0x41, 0, 0x6A, N16, 0x1A, 0x0B);
  INVALID(0, T_VOID, "unknown label", 1, 0, 0x0C, 1, N16, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0x02, 0x7F, 0x42, 0, 0x41, 1, 0x0D, 0, N16, 0x0B, 0x1A,
          0x0B); /* br_if's label wants an i32 */
  INVALID(0, T_I32_I32, "type mismatch", 3, 0, 0x42, 0, 0x0F, N16, 0x0B); /* return */
  MALFORMED(0, T_VOID, "else without matching if", 1, 0, 0x05, N16, 0x0B);
  /* An if without else must pass its params through as its results. */
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0x41, 0, 0x04, 0x7F, 0x41, 1, 0x0B, N16, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0x41, 1, 0x04, 0x7F, 0x41, 2, 0x05, 0x41, 3, 0x0B, N16, 0x1A, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 10, 0, 0x41, 1, 0x04, 0x7F, 0x41, 2, 0x05, 0x42, 3, 0x0B,
          N16, 0x1A, 0x0B); /* the else arm's result */
  VALID(0, T_VOID, 0, 0x03, 0x7E, 0x42, 1, 0x0B, N16, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0x02, T_PAIR, 0x41, 1, 0x41, 2, 0x0B, N16, 0x1A, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0x00, N16, 0x6A, 0x1A, 0x0B); /* polymorphic: step pops Unknowns */
  VALID(0, T_VOID, 0, 0x41, 1, 0x41, 2, 0x41, 0, 0x1B, N16, 0x1A, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0x41, 0, 0x42, 0, 0x41, 0, 0x1B, N16, 0x1A, 0x0B);
  INVALID(F_GLOBAL, T_VOID, "global is immutable", 3, 0, 0x41, 0, 0x24, 0, N16, 0x0B);
  VALID(F_GLOBAL, T_VOID, 0, 0x23, 0, 0x24, 1, N16, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 5, 1, 1, 0x7E, 0x41, 0, 0x22, 0, N16, 0x1A, 0x0B);
  VALID(F_TABLE, T_VOID, 0, 0x41, 0, 0x11, T_VOID, 0, N16, 0x0B);
  INVALID(F_TABLE, T_VOID, "type mismatch", 3, 0, 0x41, 0, 0x11, T_VOID, 1, N16, 0x0B);
  INVALID(F_TABLE, T_VOID, "unknown type 9", 3, 0, 0x41, 0, 0x11, 9, 0, N16, 0x0B);
  /* Numeric instructions, one operand and two. */
  VALID(0, T_VOID, 0, 0x41, 0, 0x45, N16, 0x1A, 0x0B);             /* i32.eqz */
  VALID(0, T_VOID, 0, 0x41, 0, 0xAC, N16, 0x1A, 0x0B);             /* i64.extend_i32_s */
  VALID(0, T_VOID, 0, 0x42, 0, 0x42, 0, 0x51, N16, 0x1A, 0x0B);    /* i64.eq */
  INVALID(0, T_VOID, "type mismatch", 3, 0, 0x42, 0, 0x45, N16, 0x1A, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 1, 0, 0x45, N16, 0x1A, 0x0B); /* no operand */
  INVALID(0, T_VOID, "type mismatch", 5, 0, 0x41, 0, 0x02, 0x40, 0x45, 0x1A, 0x0B, 0x1A, N16,
          0x0B); /* the operand is outside the block */
  INVALID(0, T_VOID, "type mismatch", 5, 0, 0x41, 0, 0x42, 0, 0x6A, N16, 0x1A, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 5, 0, 0x42, 0, 0x41, 0, 0x51, N16, 0x1A, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 7, 0, 0x41, 0, 0x02, 0x40, 0x41, 0, 0x6A, 0x1A, 0x0B, 0x1A,
          N16, 0x0B); /* one operand in the block, one outside */
  VALID(0, T_VOID, 0, 0x00, 0x45, 0x1A, 0x6A, 0x1A, N16, 0x0B); /* unreachable: step's Unknowns */
  /* The last opcodes the fast loop takes: 10 bytes after them, the body's
  ** end included, which their immediates reach. */
  VALID(0, T_VOID, 0, 0x10, 0x80, 0x80, 0x80, 0x80, 0x00, 1, 1, 1, 1, 0x0B);
  VALID(0, T_VOID, 0, 0x42, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x1A,
        0x0B);
  VALID(F_TABLE, T_VOID, 0, 0x41, 0, 0x11, 0x80, 0x80, 0x80, 0x80, 0, 0x80, 0x80, 0x80, 0x80, 0,
        0x0B);
  MALFORMED(0, T_VOID, "integer representation too long", 1, 0, 0x41, 0x80, 0x80, 0x80, 0x80,
            0x80, 0, 0x1A, 1, 1, 0x0B);
  MALFORMED(0, T_VOID, "integer too large", 1, 0, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
            0x80, 0x80, 0x0B); /* the LEB takes the body's last byte */
}

/* The fast loop has two variants (validate_fast.h): the narrow one while
** no operand it pushes can be a v128 (these tests' types and globals name
** none, so a body without v128 locals and without a v128 on the stack),
** the wide one else. A v128 local, or one that step pushed, makes a body
** wide; a block of v128 result leaves the narrow loop for step. */
static void test_fast_wide(void) {
  /* Locals: 0 v128, 1 i32. Wide from the start. */
  VALID(0, T_VOID, 2, 1, 0x7B, 1, 0x7F, 0x20, 0, 0x21, 0, N16, 0x0B);
  VALID(0, T_VOID, 2, 1, 0x7B, 1, 0x7F, 0x20, 0, 0x20, 0, 0x20, 1, 0x1B, 0x1A, N16, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 7, 2, 1, 0x7B, 1, 0x7F, 0x20, 0, 0x21, 1, N16, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 9, 2, 1, 0x7B, 1, 0x7F, 0x20, 0, 0x20, 1, 0x6A, N16, 0x1A,
          0x0B); /* i32.add of a v128 */
  INVALID(0, T_VOID, "type mismatch", 7, 2, 1, 0x7B, 1, 0x7F, 0x20, 1, 0x21, 0, N16, 0x0B);
  INVALID(0, T_VOID, "unknown local 2", 5, 2, 1, 0x7B, 1, 0x7F, 0x20, 2, N16, 0x1A, 0x0B);
  /* A v128 that step pushed (v128.const), then the fast loop: wide. */
  VALID(0, T_VOID, 0, 0xFD, 0x0C, V16(0), 0x1A, N16, 0x0B);
  VALID(0, T_VOID, 0, 0xFD, 0x0C, V16(0), 0x41, 1, 0x04, 0x40, 0x0B, 0x1A, N16, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 19, 0, 0xFD, 0x0C, V16(0), 0x04, 0x40, 0x0B, N16, 0x1A,
          0x0B); /* if's condition a v128 */
  /* A block of v128 result in a narrow body: step enters it. */
  VALID(0, T_VOID, 0, 0x02, 0x7B, 0xFD, 0x0C, V16(0), 0x0B, 0x1A, N16, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 5, 0, 0x02, 0x7B, 0x41, 0, 0x0B, 0x1A, N16, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 3, 0, 0x02, 0x7B, 0x0B, N16, 0x1A, 0x0B); /* underflow */
  /* Stack underflow and the unreachable stack, narrow. */
  INVALID(0, T_VOID, "type mismatch", 1, 0, 0x1A, N16, 0x0B);
  INVALID(0, T_VOID, "type mismatch", 3, 0, 0x41, 0, 0x6A, N16, 0x1A, 0x0B);
  VALID(0, T_VOID, 0, 0x00, 0x6A, 0x1A, N16, 0x0B);
}

/* Every opcode, in the fast loop's reach (16 bytes before the end), in a
** narrow body and in a wide one, with i32 operands under it and zero
** bytes after it: the body validator's verdict is the compiler's (code,
** message, offset), whichever case of the fast loop the opcode lands on. */
static void test_fast_every_op(void) {
  for (int wide = 0; wide < 2; wide++) {
    for (unsigned op = 0; op < 256; op++) {
      uint8_t body[64];
      size_t n = 0;
      if (wide) {
        static const uint8_t l[] = {1, 1, 0x7B};
        memcpy(body, l, sizeof l);
        n = sizeof l;
      } else {
        body[n++] = 0;
      }
      for (int i = 0; i < 3; i++) body[n++] = 0x41, body[n++] = 0;
      body[n++] = (uint8_t)op;
      memset(body + n, 0, 24);
      n += 24;
      body[n++] = 0x0B;
      buf m = {0};
      uint32_t at;
      build(&m, F_MEM | F_TABLE | F_GLOBAL, T_VOID, 1, body, n, UINT32_MAX, NULL, 0, &at);
      wm_module *mod = wm__calloc(1, sizeof *mod);
      wm_error e1, e2;
      mod->bytes = wm__malloc(m.n);
      memcpy(mod->bytes, m.b, m.n);
      mod->len = m.n;
      mod->code_limit = (uint64_t)m.n * 16 + ((uint64_t)1 << 20);
      mod->loop = WM_LOOP_PLAIN;
      CHECK(wm__decode(mod, &e1) == 0 && wm__validate_module(mod, &e1) == 0);
      memset(&e1, 0, sizeof e1);
      memset(&e2, 0, sizeof e2);
      int rv = wm__validate_func(mod, 0, &e1);
      wm_code code;
      memset(&code, 0, sizeof code);
      int rc = wm__compile_func(mod, 0, &code, &e2);
      if (!rc && !code.in_arena) {
        wm__free(code.code);
        wm__free(code.consts);
        wm__free(code.pcmap_cell);
        wm__free(code.pcmap_off);
      }
      bool same = rv == rc && (!rc || (e1.offset == e2.offset && !strcmp(e1.message, e2.message)));
      if (!same)
        fprintf(stderr, "opcode 0x%02X (%s): validator %s \"%s\" @%u, compiler %s \"%s\" @%u\n", op,
                wide ? "wide" : "narrow", wm_errname(rv), rv ? e1.message : "", e1.offset,
                wm_errname(rc), rc ? e2.message : "", e2.offset);
      CHECK(same);
      wm__module_destroy(mod);
      free(m.b);
    }
  }
}

/* Deep nesting and a tall stack grow the scratch buffers. */
static void test_growth(void) {
  buf b = {0};
  put_u8(&b, 0);
  for (int i = 0; i < 3000; i++) put(&b, (const uint8_t[]){0x02, 0x40}, 2);
  for (int i = 0; i < 5000; i++) put(&b, (const uint8_t[]){0x41, 1}, 2);
  for (int i = 0; i < 4999; i++) put_u8(&b, 0x6A);
  put_u8(&b, 0x1A);
  for (int i = 0; i < 3000; i++) put_u8(&b, 0x0B);
  put_u8(&b, 0x0B);
  expect(__LINE__, 0, T_VOID, b.b, b.n, 0, NULL, 0);
  b.n -= 3001; /* the same, one value left over in the innermost block */
  b.n -= 1;
  put_u8(&b, 0x0B);
  for (int i = 0; i < 3000; i++) put_u8(&b, 0x0B);
  expect(__LINE__, 0, T_VOID, b.b, b.n, WM_EINVALID, "type mismatch", b.n - 3001);
  free(b.b);
}

/* The fast loop takes a one-byte local index without a bound test: the
** scratch's types past the body's locals read as no local's (NO_LOCAL in
** validate_code.c), also where an earlier body, of more locals, wrote
** them. Function 0 has 100 i32 locals; function 1, validated next with
** the same scratch, names one of them. */
static void expect_second(int line, const uint8_t *odd, size_t n, const char *msg, uint32_t rel) {
  static const uint8_t first[] = {1, 100, 0x7F, 0x20, 99, 0x21, 98, N16, 0x0B};
  buf m = {0};
  uint32_t at;
  build(&m, 0, T_VOID, 2, first, sizeof first, 1, odd, n, &at);
  uint32_t second = at + (uint32_t)sizeof first + 1; /* after its one-byte size */
  expect_load(line, &m, msg ? WM_EINVALID : 0, msg, second + rel);
  free(m.b);
}

#define SECOND(msg, rel, ...) expect_second(__LINE__, BODY(__VA_ARGS__), msg, rel)

static void test_fast_locals(void) {
  SECOND("unknown local 50", 1, 0, 0x20, 50, N16, 0x1A, 0x0B);
  SECOND("unknown local 50", 3, 0, 0x41, 0, 0x21, 50, N16, 0x0B);
  SECOND("unknown local 50", 3, 0, 0x41, 0, 0x22, 50, N16, 0x1A, 0x0B);
  SECOND("unknown local 1", 3, 1, 1, 0x7F, 0x20, 1, N16, 0x1A, 0x0B);
  SECOND("unknown local 127", 1, 0, 0x20, 127, N16, 0x1A, 0x0B);
  SECOND("unknown local 128", 1, 0, 0x20, 0x80, 0x01, N16, 0x1A, 0x0B);
  SECOND(NULL, 0, 1, 1, 0x7F, 0x20, 0, N16, 0x21, 0, 0x0B);
}

/* The narrow loop needs room on the operand stack for a slot per byte
** left in the body (validate_code.c, fast_run): a longer body grows the
** stack first; a call that pushes more values than that room leaves the
** call to step, which grows it; a body of more than NARROW_MAX (1 MiB)
** bytes, or a stack that cannot grow, takes the wide loop. Verdicts are
** the same on every path. */
static void load_one(buf *m, const buf *body, uint32_t *at) {
  static const uint8_t hdr[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  buf c = {0};
  m->n = 0;
  put(m, hdr, 8);
  /* Types: 0 () -> (i32 x 1000), 1 () -> (); import m.f of type 0. */
  put_u8(&c, 2);
  put(&c, (const uint8_t[]){0x60, 0}, 2);
  put_u32(&c, 1000);
  for (int i = 0; i < 1000; i++) put_u8(&c, 0x7F);
  put(&c, (const uint8_t[]){0x60, 0, 0}, 3);
  section(m, 1, &c);
  c.n = 0;
  put(&c, (const uint8_t[]){1, 1, 'm', 1, 'f', 0, 0}, 7);
  section(m, 2, &c);
  c.n = 0;
  put(&c, (const uint8_t[]){1, 1}, 2);
  section(m, 3, &c);
  c.n = 0;
  put_u8(&c, 1);
  put_u32(&c, (uint32_t)body->n);
  size_t first = c.n;
  put(&c, body->b, body->n);
  put_u8(m, 10);
  put_u32(m, (uint32_t)c.n);
  *at = (uint32_t)(m->n + first);
  put(m, c.b, c.n);
  free(c.b);
}

static void expect_body(int line, const buf *body, int code, const char *msg, uint32_t rel) {
  buf m = {0};
  uint32_t at;
  load_one(&m, body, &at);
  expect_load(line, &m, code, msg, at + rel);
  free(m.b);
}

static void test_narrow_room(void) {
  buf b = {0};
  /* Three calls of 1,000 results each, then 3,000 drops: the second call
  ** does not fit the room the body's length asked for. */
  put_u8(&b, 0);
  for (int i = 0; i < 3; i++) put(&b, (const uint8_t[]){0x10, 0}, 2);
  for (int i = 0; i < 3000; i++) put_u8(&b, 0x1A);
  put_u8(&b, 0x0B);
  expect_body(__LINE__, &b, 0, NULL, 0);
  b.n--;
  put(&b, (const uint8_t[]){0x1A, 0x0B}, 2); /* one drop too many */
  expect_body(__LINE__, &b, WM_EINVALID, "type mismatch", (uint32_t)b.n - 2);
  b.n -= 3;
  put(&b, (const uint8_t[]){0x45, 0x0B}, 2); /* i32.eqz of the last result: left over */
  expect_body(__LINE__, &b, WM_EINVALID, "type mismatch", (uint32_t)b.n - 1);
  /* Past 1 MiB of body: the wide loop, no v128 anywhere. */
  b.n = 0;
  put_u8(&b, 0);
  for (int i = 0; i < (1 << 20) + 16; i++) put_u8(&b, 0x01);
  put(&b, (const uint8_t[]){0x10, 0, 0x41, 0, 0x6A}, 5);
  uint32_t add = (uint32_t)b.n - 1;
  for (int i = 0; i < 1000; i++) put_u8(&b, 0x1A);
  put_u8(&b, 0x0B);
  expect_body(__LINE__, &b, 0, NULL, 0);
  b.b[add - 2] = 0x42; /* i32.add of an i64 */
  expect_body(__LINE__, &b, WM_EINVALID, "type mismatch", add);
  /* A stack that cannot grow for the narrow loop: the wide one takes the
  ** body (vstate_init's three allocations succeed, the fourth fails). */
  b.n = 0;
  put_u8(&b, 0);
  for (int i = 0; i < 3000; i++) put_u8(&b, 0x01);
  put(&b, (const uint8_t[]){0x41, 0, 0x41, 0, 0x6A, 0x1A, 0x0B}, 7);
  for (int bad = 0; bad < 2; bad++) {
    if (bad) b.b[b.n - 5] = 0x42; /* i64.const: i32.add's type mismatch */
    buf m = {0};
    uint32_t at;
    load_one(&m, &b, &at);
    wm_module *mod = wm__calloc(1, sizeof *mod);
    wm_error err;
    mod->bytes = wm__malloc(m.n);
    memcpy(mod->bytes, m.b, m.n);
    mod->len = m.n;
    CHECK(wm__decode(mod, &err) == 0 && wm__validate_module(mod, &err) == 0);
    memset(&err, 0, sizeof err);
    wm__alloc_fail_after(3);
    int rc = wm__validate_code(mod, 1, &err);
    wm__alloc_fail_after(-1);
    if (!bad) CHECK(rc == 0);
    else CHECK(rc == WM_EINVALID && err.offset == at + b.n - 3 &&
               strcmp(err.message, "type mismatch") == 0);
    wm__module_destroy(mod);
    free(m.b);
  }
  free(b.b);
}

/* The operand stack holds fewer than 2^28 - 1 slots: calls of an import
** returning 1000 v128 each (2000 slots) reach it at call 134218. */
static void test_stack_bound(void) {
  buf m = {0}, c = {0};
  static const uint8_t hdr[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  put(&m, hdr, 8);
  put_u8(&c, 2);
  put(&c, (const uint8_t[]){0x60, 0}, 2);
  put_u32(&c, 1000);
  for (int i = 0; i < 1000; i++) put_u8(&c, 0x7B);
  put(&c, (const uint8_t[]){0x60, 0, 0}, 3);
  section(&m, 1, &c);
  c.n = 0;
  put(&c, (const uint8_t[]){1, 1, 'm', 1, 'f', 0, 0}, 7); /* import m.f: type 0 */
  section(&m, 2, &c);
  c.n = 0;
  put(&c, (const uint8_t[]){1, 1}, 2);
  section(&m, 3, &c);
  const uint32_t ncalls = 134218;
  buf body = {0};
  put_u8(&body, 0);
  for (uint32_t i = 0; i < ncalls; i++) put(&body, (const uint8_t[]){0x10, 0}, 2);
  put_u8(&body, 0x0B);
  c.n = 0;
  put_u8(&c, 1);
  put_u32(&c, (uint32_t)body.n);
  uint32_t at = (uint32_t)(m.n + 1 + 3 + c.n); /* id, a 3-byte size, then c so far */
  put(&c, body.b, body.n);
  put_u8(&m, 10);
  put_u32(&m, (uint32_t)c.n);
  CHECK(m.n + c.n - at == body.n); /* the size took 3 bytes */
  put(&m, c.b, c.n);
  wm_module *mod = NULL;
  wm_error err;
  int rc = wm_module_load(m.b, m.n, NULL, &mod, &err);
  /* Before call k (0-based) 2000k slots are in use; the 728th result of
  ** call 134217 would make 268435456 > 2^28 - 1. */
  CHECK(rc == WM_ELIMIT && strcmp(err.message, "function too large: operand stack") == 0 &&
        err.offset == at + 1 + 2 * 134217);
  wm_module_free(mod);
  free(m.b);
  free(c.b);
  free(body.b);
}

/* Extended constant expressions (WebAssembly 3.0): an operand stack of
** at most WM_CONST_MAX_DEPTH (an implementation limit, WM_ELIMIT past it),
** the offset of a bad instruction, and the description the public API
** gives of a computed segment offset (unknown). */
static void test_extended_const(void) {
  for (int depth = (int)WM_CONST_MAX_DEPTH; depth <= (int)WM_CONST_MAX_DEPTH + 1; depth++) {
    size_t cap = 128 + (size_t)depth * 24;
    char *wat = malloc(cap);
    if (!wat) continue;
    int n = snprintf(wat, cap, "(module (global (export \"g\") i32");
    for (int i = 0; i < depth; i++) n += snprintf(wat + n, cap - (size_t)n, " i32.const %d", i);
    for (int i = 1; i < depth; i++) n += snprintf(wat + n, cap - (size_t)n, " i32.add");
    snprintf(wat + n, cap - (size_t)n, ")\n (memory 1) (data (i32.add (i32.const 1) (i32.const 2)) \"x\"))");
    size_t len;
    uint8_t *bin = wat_bytes(wat, "--enable-extended-const", &len);
    free(wat);
    if (!bin) continue;
    wm_module *mod = NULL;
    wm_error err;
    int rc = wm_module_load(bin, len, NULL, &mod, &err);
    if (depth == (int)WM_CONST_MAX_DEPTH) {
      CHECK(rc == WM_OK);
      wm_segment_desc d;
      CHECK(wm_module_data(mod, 0, &d) == WM_OK && !d.offset_known && d.offset == 0);
      wm_runtime *rt;
      wm_instance *inst;
      CHECK(wm_runtime_new(NULL, &rt, &err) == WM_OK);
      CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == WM_OK);
      wm_global *g = wm_instance_global(inst, "g");
      CHECK(g && wm_global_get(g).of.i32 == depth * (depth - 1) / 2);
      wm_runtime_free(rt);
    } else {
      CHECK(rc == WM_ELIMIT && strstr(err.message, "constant expression too deep"));
    }
    wm_module_free(mod);
    free(bin);
  }
}

/* Proposals wasmem recognises but does not run yet are refused by name,
** at the byte they start, still as malformed (or invalid) modules as
** WebAssembly 2.0 has them (issue 15). One module each. */
static void test_unsupported_proposals(void) {
  static const uint8_t head[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  static const uint8_t fn[] = {1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0}; /* type () -> (), one func */
  static const struct {
    const char *what;
    uint8_t body[6];
    size_t n;
    const char *msg;
  } ops[] = {
      /* The legacy exception proposal's, not 3.0's try_table and throw. */
      {"try", {0x06, 0x40}, 2, "legacy exception handling not supported"},
      {"rethrow", {0x09, 0x00}, 2, "legacy exception handling not supported"},
      {"delegate", {0x18, 0x00}, 2, "legacy exception handling not supported"},
  };
  /* i32.load with a memory index (bit 6 of the flags): memory 0 named in
  ** WebAssembly 3.0, an alignment too large by 2.0's rules. */
  {
    static const uint8_t m[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7F, 3, 2,
                                1, 0, 5, 3, 1, 0, 1, 10, 10, 1, 8, 0, 0x41, 0, 0x28, 0x42,
                                0, 0, 0x0B};
    wm_module *mod = NULL;
    wm_error err;
    CHECK(wm_module_load(m, sizeof m, NULL, &mod, &err) == 0);
    wm_module_free(mod);
    mod = NULL;
    wm_module_options o = {.flags = WM_MODULE_WASM2};
    CHECK_ERR(wm_module_load(m, sizeof m, &o, &mod, &err), err, WM_EINVALID,
              "alignment must not be larger than natural");
    CHECK(err.offset == 31); /* the i32.load */
    wm_module_free(mod);
    /* memory.size's byte: a memory index in 3.0, 2.0's reserved zero. */
    static const uint8_t sz[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7F, 3, 2,
                                 1, 0, 5, 3, 1, 0, 1, 10, 6, 1, 4, 0, 0x3F, 1, 0x0B};
    mod = NULL;
    CHECK_ERR(wm_module_load(sz, sizeof sz, NULL, &mod, &err), err, WM_EINVALID,
              "unknown memory 1");
    CHECK_ERR(wm_module_load(sz, sizeof sz, &o, &mod, &err), err, WM_EMALFORMED,
              "zero byte expected");
    /* Two memories: 3.0 only. */
    static const uint8_t two[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 5, 5, 2, 0, 1, 0, 1};
    CHECK(wm_module_load(two, sizeof two, NULL, &mod, &err) == 0);
    wm_module_free(mod);
    mod = NULL;
    CHECK_ERR(wm_module_load(two, sizeof two, &o, &mod, &err), err, WM_EINVALID,
              "multiple memories");
    /* A tag section (exception handling): 3.0 only; a tag's type has no
    ** results and must exist; the attribute byte is 0. */
    static const uint8_t tag[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 13, 3, 1, 0, 0};
    CHECK(wm_module_load(tag, sizeof tag, NULL, &mod, &err) == 0);
    wm_module_free(mod);
    mod = NULL;
    CHECK_ERR(wm_module_load(tag, sizeof tag, &o, &mod, &err), err, WM_EMALFORMED,
              "not WebAssembly 2.0");
    static const uint8_t res[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7F,
                                  13, 3, 1, 0, 0};
    CHECK_ERR(wm_module_load(res, sizeof res, NULL, &mod, &err), err, WM_EINVALID,
              "non-empty tag result type");
    static const uint8_t idx[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 13, 3, 1, 0, 0};
    CHECK_ERR(wm_module_load(idx, sizeof idx, NULL, &mod, &err), err, WM_EINVALID,
              "unknown type 0");
    static const uint8_t attr[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 13, 3, 1, 1, 0};
    CHECK_ERR(wm_module_load(attr, sizeof attr, NULL, &mod, &err), err, WM_EMALFORMED,
              "malformed tag attribute");
    /* The tag section goes between memory and global. */
    static const uint8_t order[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0,
                                    6, 1, 0, 13, 3, 1, 0, 0};
    CHECK_ERR(wm_module_load(order, sizeof order, NULL, &mod, &err), err, WM_EMALFORMED,
              "unexpected content after last section");
    static const uint8_t exp[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 7, 5, 1, 1, 'e', 4, 0};
    CHECK_ERR(wm_module_load(exp, sizeof exp, NULL, &mod, &err), err, WM_EINVALID,
              "unknown tag 0");
  }
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
    uint8_t m[64];
    size_t n = 0;
    memcpy(m, head, 8), n = 8;
    memcpy(m + n, fn, sizeof fn), n += sizeof fn;
    size_t body = 1 + ops[i].n + 1; /* no locals, the instruction, end */
    m[n++] = 10, m[n++] = (uint8_t)(body + 2), m[n++] = 1, m[n++] = (uint8_t)body, m[n++] = 0;
    uint32_t at = (uint32_t)n;
    memcpy(m + n, ops[i].body, ops[i].n), n += ops[i].n;
    m[n++] = 0x0B;
    wm_module *mod = NULL;
    wm_error err;
    int rc = wm_module_load(m, n, NULL, &mod, &err);
    bool ok = rc == WM_EMALFORMED && strstr(err.message, ops[i].msg) && err.offset == at;
    CHECK(ok);
    if (!ok) fprintf(stderr, "  %s: %d at 0x%x: %s\n", ops[i].what, rc, err.offset, err.message);
    wm_module_free(mod);
  }
  static const struct {
    const char *what;
    uint8_t sec[16];
    size_t n;
    int code;
    const char *msg;
  } secs[] = {
      {"shared, no max", {5, 3, 1, 2, 1}, 5, WM_EMALFORMED, "shared memory must have maximum"},
      /* memory64 and table64: flags 4..7; a table's shared bit, a 64-bit
      ** shared memory without a maximum and flags past 7 are malformed. */
      {"table64 shared", {4, 4, 1, 0x70, 6, 1}, 6, WM_EMALFORMED, "a table cannot be shared"},
      {"memory64 shared, no max", {5, 3, 1, 6, 1}, 5, WM_EMALFORMED,
       "shared memory must have maximum"},
      {"limits flags 8", {5, 3, 1, 8, 1}, 5, WM_EMALFORMED, "integer too large"},
      {"memory64 min 2^64",
       {5, 12, 1, 4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02}, 14,
       WM_EMALFORMED, "integer too large"},
      {"memory64 min 2^48+1", {5, 9, 1, 4, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40}, 11,
       WM_EINVALID, "memory size must be at most 2^48 pages"},
      {"memory64 min 2^48", {5, 9, 1, 4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40}, 11,
       WM_OK, ""},
      /* Typed references and rec groups of function types run; a typed
      ** reference to a type that is not there is invalid. */
      {"typed param", {1, 6, 1, 0x60, 1, 0x63, 0, 0}, 8, WM_OK, ""},
      {"typed param, unknown type", {1, 6, 1, 0x60, 1, 0x63, 1, 0}, 8, WM_EINVALID, "unknown type 1"},
      {"empty rec group", {1, 3, 1, 0x4E, 0}, 5, WM_OK, ""},
      /* GC's types: struct and array types, packed fields, its heap types. */
      {"rec group of a struct", {1, 5, 1, 0x4E, 1, 0x5F, 0}, 7, WM_OK, ""},
      {"struct type", {1, 3, 1, 0x5F, 0}, 5, WM_OK, ""},
      {"i8 array type", {1, 4, 1, 0x5E, 0x78, 1}, 6, WM_OK, ""},
      {"struct field mutability 2", {1, 5, 1, 0x5F, 1, 0x7F, 2}, 7, WM_EMALFORMED,
       "malformed mutability"},
      {"i8 param", {1, 5, 1, 0x60, 1, 0x78, 0}, 7, WM_EMALFORMED, "malformed value type"},
      {"i31ref table", {4, 4, 1, 0x6C, 0, 1}, 6, WM_OK, ""},
      {"struct typed table", {1, 3, 1, 0x5F, 0, 4, 5, 1, 0x63, 0, 0, 1}, 12, WM_OK, ""},
  };
  for (size_t i = 0; i < sizeof secs / sizeof *secs; i++) {
    uint8_t m[32];
    memcpy(m, head, 8);
    memcpy(m + 8, secs[i].sec, secs[i].n);
    wm_module *mod = NULL;
    wm_error err;
    int rc = wm_module_load(m, 8 + secs[i].n, NULL, &mod, &err);
    bool ok = rc == secs[i].code && (rc == WM_OK || strstr(err.message, secs[i].msg));
    CHECK(ok);
    if (!ok) fprintf(stderr, "  %s: %d: %s\n", secs[i].what, rc, rc ? err.message : "");
    wm_module_free(mod);
  }
}

int main(void) {
  test_type_mismatch();
  test_unknown();
  test_memory();
  test_structure();
  test_select_and_br_table();
  test_simd();
  test_precedence_and_threads();
  test_fast_loop();
  test_fast_wide();
  test_fast_every_op();
  test_growth();
  test_extended_const();
  test_unsupported_proposals();
  test_stack_bound();
  test_narrow_room();
  test_fast_locals();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail != 0;
}
