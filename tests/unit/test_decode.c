/* SPDX-License-Identifier: MIT */
/*
** test_decode.c -- self-checking tests of the decoder (decode.c), module
** validation (validate.c) and the module API (module.c): malformed and
** invalid modules give the spec's message first and a byte offset, a module
** with every section round-trips, and truncated, bit-flipped and
** allocation-starved inputs fail cleanly (run it under the ASan build).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "wasmem.h"

static int npass, nfail;

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (cond) {                                            \
      npass++;                                             \
    } else {                                               \
      nfail++;                                             \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);          \
      printf(__VA_ARGS__);                                 \
      printf("\n");                                        \
    }                                                      \
  } while (0)

/* ------------------------------------------------------ module builder */

typedef struct buf {
  uint8_t b[8192];
  size_t n;
} buf;

static void put(buf *m, const void *p, size_t n) {
  if (m->n + n > sizeof m->b) abort();
  memcpy(m->b + m->n, p, n);
  m->n += n;
}

static void put_u32(buf *m, uint32_t v) {
  do {
    uint8_t c = v & 0x7F;
    v >>= 7;
    if (v) c |= 0x80;
    put(m, &c, 1);
  } while (v);
}

static void begin(buf *m) {
  static const uint8_t hdr[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  m->n = 0;
  put(m, hdr, 8);
}

static void section(buf *m, uint8_t id, const uint8_t *c, size_t n) {
  put(m, &id, 1);
  put_u32(m, (uint32_t)n);
  put(m, c, n);
}

/* SEC(&m, id, bytes...): append a section whose size is computed. */
#define SEC(m, id, ...)                                  \
  do {                                                   \
    static const uint8_t c_[] = {__VA_ARGS__};           \
    section((m), (id), c_, sizeof c_);                   \
  } while (0)
#define RAW(m, ...)                                      \
  do {                                                   \
    static const uint8_t c_[] = {__VA_ARGS__};           \
    put((m), c_, sizeof c_);                             \
  } while (0)

/* ------------------------------------------------------------- loading */

/*
** Decode and validate without compiling function bodies, exactly as
** wm_module_load does up to compilation: this file tests the decoder, not
** compile.c.
*/
/* Judge by WebAssembly 2.0's rules (WM_MODULE_WASM2) in the next load. */
static bool wasm2;

static int load_dv(const uint8_t *b, size_t n, wm_module **out, wm_error *err) {
  *out = NULL;
  wm_module *mod = wm__calloc(1, sizeof *mod);
  if (!mod) return WM_ENOMEM;
  mod->bytes = wm__malloc(n);
  if (!mod->bytes) {
    wm__free(mod);
    return WM_ENOMEM;
  }
  memcpy(mod->bytes, b, n);
  mod->len = n;
  mod->wasm2 = wasm2;
  int rc = wm__decode(mod, err);
  if (!rc) rc = wm__validate_module(mod, err);
  if (rc) {
    wm__module_destroy(mod);
    return rc;
  }
  *out = mod;
  return 0;
}

/* Expect failure with `code`, a message starting with `prefix`, and (when
** off != UINT32_MAX) that byte offset. */
static void expect_err(int line, const buf *m, int code, const char *prefix, uint32_t off) {
  wm_module *mod;
  wm_error err;
  memset(&err, 0, sizeof err);
  int rc = load_dv(m->b, m->n, &mod, &err);
  if (rc == 0) wm__module_destroy(mod);
  bool ok = rc == code && err.code == code && strncmp(err.message, prefix, strlen(prefix)) == 0 &&
            (off == UINT32_MAX || err.offset == off);
  CHECK(ok, "line %d: want %s \"%s\" @%u, got %s \"%s\" @%u", line, wm_errname(code), prefix,
        (unsigned)off, wm_errname(rc), rc ? err.message : "", (unsigned)err.offset);
}
#define MALFORMED(m, prefix, off) expect_err(__LINE__, (m), WM_EMALFORMED, (prefix), (off))
#define INVALID(m, prefix) expect_err(__LINE__, (m), WM_EINVALID, (prefix), UINT32_MAX)
/* Invalid by WebAssembly 2.0's rules only. */
#define INVALID2(m, prefix)                                                   \
  do {                                                                        \
    wasm2 = true;                                                             \
    expect_err(__LINE__, (m), WM_EINVALID, (prefix), UINT32_MAX);             \
    wasm2 = false;                                                            \
  } while (0)

static void expect_ok(int line, const buf *m) {
  wm_module *mod;
  wm_error err;
  memset(&err, 0, sizeof err);
  int rc = load_dv(m->b, m->n, &mod, &err);
  CHECK(rc == 0, "line %d: want success, got %s \"%s\"", line, wm_errname(rc), err.message);
  if (rc == 0) wm__module_destroy(mod);
}
#define OK(m) expect_ok(__LINE__, (m))

/* ----------------------------------------------------------- the tests */

static void test_header(void) {
  buf m;
  m.n = 0;
  MALFORMED(&m, "unexpected end", 0);
  RAW(&m, 0, 'a', 's', 'm');
  MALFORMED(&m, "unexpected end", 4);
  m.n = 0;
  RAW(&m, 0, 'a', 's', 'm', 1, 0, 0);
  MALFORMED(&m, "unexpected end", 7);
  m.n = 0;
  RAW(&m, 'a', 's', 'm', 0, 1, 0, 0, 0);
  MALFORMED(&m, "magic header not detected", 0);
  m.n = 0;
  RAW(&m, 0, 'a', 's', 'm', 2, 0, 0, 0);
  MALFORMED(&m, "unknown binary version", 4);
  begin(&m);
  OK(&m);
  RAW(&m, 14, 0);
  MALFORMED(&m, "malformed section id", 8);
  begin(&m);
  RAW(&m, 0);
  MALFORMED(&m, "unexpected end", 9);
}

static void test_sections(void) {
  buf m;
  /* Order and duplicates. */
  begin(&m);
  SEC(&m, 1, 0);
  SEC(&m, 1, 0);
  MALFORMED(&m, "unexpected content after last section", 11);
  begin(&m);
  SEC(&m, 3, 0);
  SEC(&m, 1, 0);
  MALFORMED(&m, "unexpected content after last section", 11);
  begin(&m); /* data count goes before code: this order is right */
  SEC(&m, 12, 0);
  SEC(&m, 10, 0);
  SEC(&m, 11, 0);
  OK(&m);
  begin(&m);
  SEC(&m, 10, 0);
  SEC(&m, 12, 0);
  MALFORMED(&m, "unexpected content after last section", 11);
  /* Custom sections go anywhere, more than once. */
  begin(&m);
  SEC(&m, 0, 1, 'x', 1, 2, 3);
  SEC(&m, 1, 0);
  SEC(&m, 0, 1, 'x');
  SEC(&m, 0, 0);
  OK(&m);
  begin(&m);
  SEC(&m, 0, 1, 0xFF);
  MALFORMED(&m, "malformed UTF-8 encoding", 11);
  begin(&m);
  SEC(&m, 0, 5, 'x');
  MALFORMED(&m, "length out of bounds", 10);
  /* Sizes. */
  begin(&m);
  RAW(&m, 1, 5, 0);
  MALFORMED(&m, "length out of bounds", 9);
  begin(&m);
  SEC(&m, 1, 0, 0);
  MALFORMED(&m, "section size mismatch", 11);
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0);
  MALFORMED(&m, "unexpected end", UINT32_MAX);
  /* LEB128 limits. */
  begin(&m);
  SEC(&m, 3, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
  MALFORMED(&m, "integer representation too long", 16);
  begin(&m);
  SEC(&m, 3, 1, 0x80, 0x80, 0x80, 0x80, 0x10);
  MALFORMED(&m, "integer too large", 15);
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0x80, 0x80, 0x80, 0x80, 0x00); /* long but fine */
  SEC(&m, 10, 1, 2, 0, 0x0B);
  OK(&m);
  /* Two and three bytes (read inline, decode.c's leb_short), padded. */
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 2, 0x80, 0x00, 0x80, 0x80, 0x00);
  SEC(&m, 10, 2, 2, 0, 0x0B, 2, 0, 0x0B);
  OK(&m);
  begin(&m); /* a type index of 128 (two bytes) names no type */
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0x80, 0x01);
  SEC(&m, 10, 1, 2, 0, 0x0B);
  INVALID(&m, "unknown type");
  /* A number whose bytes run past its section's end, at each length the
  ** inline path reads: the section ends first. */
  for (int k = 1; k <= 3; k++) {
    begin(&m);
    SEC(&m, 1, 1, 0x60, 0, 0);
    uint8_t f[] = {3, (uint8_t)(1 + k), 1, 0x80, 0x80, 0x80, 0x00};
    put(&m, f, 3 + (size_t)k);
    put(&m, f + 3 + k, 4 - (size_t)k); /* the rest of the number, after it */
    SEC(&m, 10, 1, 2, 0, 0x0B);
    MALFORMED(&m, "unexpected end of section or function", UINT32_MAX);
  }
  begin(&m); /* signed: the unused bits must copy the sign */
  SEC(&m, 6, 1, 0x7F, 0, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x0B);
  OK(&m);
  begin(&m);
  SEC(&m, 6, 1, 0x7F, 0, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x4F, 0x0B);
  MALFORMED(&m, "integer too large", UINT32_MAX);
  /* v128.const decodes in a global's initialiser; an unassigned 0xFD
  ** opcode there is malformed, not just non-constant. */
  begin(&m);
  SEC(&m, 6, 1, 0x7B, 0, 0xFD, 0x0C, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x0B);
  expect_ok(__LINE__, &m);
  begin(&m);
  SEC(&m, 6, 1, 0x7B, 0, 0xFD, 0x9A, 0x01, 0x0B);
  MALFORMED(&m, "illegal opcode", 13);
}

static void test_entries(void) {
  buf m;
  begin(&m);
  SEC(&m, 1, 1, 0x61, 0, 0);
  MALFORMED(&m, "malformed function type", 11);
  begin(&m);
  SEC(&m, 1, 1, 0x60, 1, 0x7B, 0);
  expect_ok(__LINE__, &m); /* (func (param v128)) */
  begin(&m);
  SEC(&m, 1, 1, 0x60, 1, 0x7A, 0);
  MALFORMED(&m, "malformed value type", 13); /* 0x7A: no such type */
  begin(&m);
  SEC(&m, 1, 1, 0x60, 1, 0x55, 0);
  MALFORMED(&m, "malformed value type", 13);
  begin(&m);
  SEC(&m, 2, 1, 1, 'm', 1, 'n', 5, 0);
  MALFORMED(&m, "malformed import kind", 15);
  begin(&m);
  SEC(&m, 2, 1, 1, 'm', 2, 0xC0, 0x80, 0, 0);
  MALFORMED(&m, "malformed UTF-8 encoding", 14);
  begin(&m);
  SEC(&m, 2, 1, 1, 'm', 2, 0xED, 0xA0, 0, 0); /* a surrogate */
  MALFORMED(&m, "malformed UTF-8 encoding", UINT32_MAX);
  begin(&m);
  SEC(&m, 2, 1, 1, 'm', 4, 0xF0, 0x9F, 0x98, 0x80, 0, 0); /* U+1F600 is fine */
  INVALID(&m, "unknown type 0");
  begin(&m);
  SEC(&m, 2, 1, 1, 'm', 1, 'n', 3, 0x7F, 2);
  MALFORMED(&m, "malformed mutability", 17);
  begin(&m);
  SEC(&m, 4, 1, 0x7F, 0, 0);
  MALFORMED(&m, "malformed reference type", 11);
  begin(&m);
  SEC(&m, 5, 1, 2, 0);
  MALFORMED(&m, "integer too large (shared memory must have maximum)", 11); /* shared, no max */
  begin(&m);
  SEC(&m, 4, 1, 0x70, 3, 0, 1);
  MALFORMED(&m, "integer too large (a table cannot be shared)", 12);
  begin(&m);
  SEC(&m, 5, 1, 8, 0);
  MALFORMED(&m, "integer too large", 11);
  begin(&m);
  SEC(&m, 5, 1, 0x81, 0, 0);
  MALFORMED(&m, "integer representation too long", 12);
  begin(&m);
  SEC(&m, 7, 1, 1, 'e', 5, 0);
  MALFORMED(&m, "malformed export kind", UINT32_MAX);
  begin(&m);
  SEC(&m, 9, 1, 8);
  MALFORMED(&m, "malformed elements segment kind", 11);
  begin(&m);
  SEC(&m, 9, 1, 1, 1, 0);
  MALFORMED(&m, "malformed element kind", 12);
  begin(&m);
  SEC(&m, 11, 1, 3);
  MALFORMED(&m, "malformed data segment kind", 11);
  begin(&m);
  SEC(&m, 11, 1, 1, 5, 'a');
  MALFORMED(&m, "length out of bounds", 12);
  begin(&m); /* inside the module, beyond the section */
  SEC(&m, 11, 1, 1, 3, 'a');
  SEC(&m, 0, 1, 'x');
  MALFORMED(&m, "unexpected end", UINT32_MAX);
  /* Function and code counts. */
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  MALFORMED(&m, "function and code section have inconsistent lengths", UINT32_MAX);
  begin(&m);
  SEC(&m, 10, 1, 2, 0, 0x0B);
  MALFORMED(&m, "function and code section have inconsistent lengths", 10);
  /* Data count. */
  begin(&m);
  SEC(&m, 12, 1);
  MALFORMED(&m, "data count and data section have inconsistent lengths", UINT32_MAX);
  begin(&m);
  SEC(&m, 12, 2);
  SEC(&m, 11, 1, 1, 0);
  MALFORMED(&m, "data count and data section have inconsistent lengths", 13);
  /* Locals. */
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 10, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 2, 0x7E, 0x0B);
  MALFORMED(&m, "too many locals", UINT32_MAX);
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 8, 2, 0xC0, 0xBB, 0x78, 0x7F, 0x7F, 0x7E, 0x0B); /* 1973696 + 127 */
  MALFORMED(&m, "too many locals", UINT32_MAX);
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 6, 1, 0xD0, 0x86, 0x03, 0x7F, 0x0B); /* 50000: the cap */
  OK(&m);
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 4, 1, 1, 0x7F, 0x0B);
  SEC(&m, 10, 1, 2, 0, 0x0B);
  MALFORMED(&m, "unexpected content after last section", UINT32_MAX);
  /* A body size beyond its section. */
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 3, 0, 0x0B);
  MALFORMED(&m, "unexpected end", UINT32_MAX);
}

static void test_constexpr(void) {
  buf m;
  begin(&m);
  SEC(&m, 6, 1, 0x7F, 0, 0x01, 0x0B); /* nop */
  INVALID(&m, "constant expression required");
  begin(&m);
  SEC(&m, 6, 1, 0x7F, 0, 0x41, 0, 0x68, 0x0B); /* i32.const 0; i32.ctz */
  INVALID(&m, "constant expression required");
  begin(&m);
  SEC(&m, 6, 1, 0x7F, 0, 0x41, 0, 0x41, 0, 0x0B);
  INVALID(&m, "type mismatch");
  begin(&m);
  SEC(&m, 6, 1, 0x7F, 0, 0x0B);
  INVALID(&m, "type mismatch");
  begin(&m);
  SEC(&m, 6, 1, 0x7F, 0, 0x43, 0, 0, 0, 0, 0x0B);
  INVALID(&m, "type mismatch");
  begin(&m);
  SEC(&m, 6, 1, 0x7F, 0, 0x27, 0x0B); /* not an opcode at all */
  MALFORMED(&m, "illegal opcode", 13);
  begin(&m);
  SEC(&m, 6, 1, 0x7F, 0, 0x06, 0x0B); /* `try`, of the legacy exception proposal */
  MALFORMED(&m, "legacy exception handling not supported", 13);
  begin(&m);
  SEC(&m, 6, 1, 0x7F, 0, 0x41, 0);
  MALFORMED(&m, "unexpected end", UINT32_MAX);
  /* A non-constant expression, then a malformed section: malformed wins. */
  begin(&m);
  SEC(&m, 6, 1, 0x7F, 0, 0x02, 0x40, 0x0B, 0x41, 0, 0x0B); /* block end; i32.const */
  INVALID(&m, "constant expression required");
  RAW(&m, 0x20);
  MALFORMED(&m, "malformed section id", UINT32_MAX);
  /* global.get: immutable globals defined before (WebAssembly 3.0), only
  ** imported ones in 2.0. */
  begin(&m);
  SEC(&m, 6, 2, 0x7F, 0, 0x41, 0, 0x0B, 0x7F, 0, 0x23, 0, 0x0B);
  OK(&m);
  INVALID2(&m, "unknown global 0");
  begin(&m);
  SEC(&m, 6, 2, 0x7F, 0, 0x23, 1, 0x0B, 0x7F, 0, 0x41, 0, 0x0B);
  INVALID(&m, "unknown global 1");
  begin(&m);
  SEC(&m, 2, 1, 1, 'm', 1, 'g', 3, 0x7F, 1);
  SEC(&m, 6, 1, 0x7F, 0, 0x23, 0, 0x0B);
  INVALID(&m, "constant expression required");
  begin(&m);
  SEC(&m, 2, 1, 1, 'm', 1, 'g', 3, 0x7F, 0);
  SEC(&m, 6, 1, 0x7F, 0, 0x23, 0, 0x0B);
  OK(&m);
  begin(&m);
  SEC(&m, 2, 1, 1, 'm', 1, 'g', 3, 0x6F, 0);
  SEC(&m, 6, 1, 0x70, 0, 0x23, 0, 0x0B);
  INVALID(&m, "type mismatch");
  begin(&m);
  SEC(&m, 6, 1, 0x70, 0, 0xD2, 3, 0x0B);
  INVALID(&m, "unknown function 3");
  begin(&m);
  SEC(&m, 6, 1, 0x6F, 0, 0xD0, 0x6F, 0x0B);
  OK(&m);
}

static void test_invalid(void) {
  buf m;
  begin(&m);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 2, 0, 0x0B);
  INVALID(&m, "unknown type 0");
  begin(&m);
  SEC(&m, 2, 1, 1, 'm', 1, 'f', 0, 1);
  INVALID(&m, "unknown type 1");
  begin(&m);
  SEC(&m, 5, 2, 0, 0, 0, 0);
  OK(&m); /* WebAssembly 3.0: multiple memories */
  INVALID2(&m, "multiple memories");
  begin(&m);
  SEC(&m, 2, 1, 1, 'm', 1, 'n', 2, 0, 0);
  SEC(&m, 5, 1, 0, 0);
  OK(&m);
  INVALID2(&m, "multiple memories");
  begin(&m);
  SEC(&m, 5, 1, 0, 0x81, 0x80, 0x04);
  INVALID(&m, "memory size must be at most 65536 pages (4GiB)");
  begin(&m);
  SEC(&m, 5, 1, 1, 0, 0x81, 0x80, 0x04);
  INVALID(&m, "memory size must be at most 65536 pages (4GiB)");
  begin(&m);
  SEC(&m, 5, 1, 1, 0, 0x80, 0x80, 0x04);
  OK(&m);
  begin(&m);
  SEC(&m, 5, 1, 1, 2, 1);
  INVALID(&m, "size minimum must not be greater than maximum");
  begin(&m);
  SEC(&m, 4, 1, 0x70, 1, 2, 1);
  INVALID(&m, "size minimum must not be greater than maximum");
  begin(&m);
  SEC(&m, 4, 1, 0x70, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
  OK(&m);
  /* Start function. */
  begin(&m);
  SEC(&m, 1, 1, 0x60, 1, 0x7F, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 8, 0);
  SEC(&m, 10, 1, 2, 0, 0x0B);
  INVALID(&m, "start function");
  begin(&m);
  SEC(&m, 8, 0);
  INVALID(&m, "unknown function 0");
  /* Elements: function indexes, each checked; references of functions
  ** match func (without a type match each: validate.c's check_elem), not
  ** extern. */
  for (int k = 0; k < 4; k++) {
    static const uint8_t segs[4][10] = {
        {1, 0, 0x41, 0, 0x0B, 2, 0, 0},             /* active, indexes */
        {1, 0, 0x41, 0, 0x0B, 2, 0, 5},             /* an unknown function */
        {1, 5, 0x70, 2, 0xD2, 0, 0x0B, 0xD2, 5, 0x0B}, /* passive funcref exprs */
        {1, 5, 0x6F, 1, 0xD2, 0, 0x0B},             /* externref exprs */
    };
    static const uint8_t lens[4] = {8, 8, 10, 7};
    begin(&m);
    SEC(&m, 1, 1, 0x60, 0, 0);
    SEC(&m, 3, 1, 0);
    SEC(&m, 4, 1, 0x70, 0, 2);
    section(&m, 9, segs[k], lens[k]);
    SEC(&m, 10, 1, 2, 0, 0x0B);
    if (k == 0) OK(&m);
    else if (k == 3) INVALID(&m, "type mismatch");
    else INVALID(&m, "unknown function 5");
  }
  /* Exports. */
  begin(&m);
  SEC(&m, 7, 1, 1, 'f', 0, 5);
  INVALID(&m, "unknown function 5");
  begin(&m);
  SEC(&m, 7, 1, 1, 't', 1, 0);
  INVALID(&m, "unknown table 0");
  begin(&m);
  SEC(&m, 7, 1, 1, 'm', 2, 0);
  INVALID(&m, "unknown memory 0");
  begin(&m);
  SEC(&m, 7, 1, 1, 'g', 3, 0);
  INVALID(&m, "unknown global 0");
  begin(&m);
  SEC(&m, 5, 1, 0, 0);
  SEC(&m, 7, 3, 1, 'a', 2, 0, 1, 'b', 2, 0, 1, 'a', 2, 0);
  INVALID(&m, "duplicate export name");
  begin(&m);
  SEC(&m, 5, 1, 0, 0);
  SEC(&m, 7, 3, 1, 'a', 2, 0, 2, 'a', 'a', 2, 0, 0, 2, 0);
  OK(&m);
  /* Segments. */
  begin(&m);
  SEC(&m, 11, 1, 0, 0x41, 0, 0x0B, 0);
  INVALID(&m, "unknown memory 0");
  begin(&m);
  SEC(&m, 5, 1, 0, 0);
  SEC(&m, 11, 1, 0, 0x42, 0, 0x0B, 0);
  INVALID(&m, "type mismatch");
  begin(&m);
  SEC(&m, 9, 1, 0, 0x41, 0, 0x0B, 0);
  INVALID(&m, "unknown table 0");
  begin(&m);
  SEC(&m, 4, 1, 0x70, 0, 0);
  SEC(&m, 9, 1, 5, 0x6F, 1, 0xD0, 0x70, 0x0B); /* funcref item, externref segment */
  INVALID(&m, "type mismatch");
  begin(&m);
  SEC(&m, 4, 1, 0x70, 0, 0);
  SEC(&m, 9, 1, 4, 0x41, 0, 0x0B, 1, 0xD0, 0x6F, 0x0B);
  INVALID(&m, "type mismatch");
  begin(&m);
  SEC(&m, 4, 1, 0x6F, 0, 0);
  SEC(&m, 9, 1, 6, 0, 0x41, 0, 0x0B, 0x70, 0);
  INVALID(&m, "type mismatch"); /* funcref segment into an externref table */
  begin(&m);
  SEC(&m, 9, 1, 1, 0, 1, 0);
  INVALID(&m, "unknown function 0");
}

/* A module with every section, decoded and described. */
static void build_full(buf *m) {
  begin(m);
  SEC(m, 0, 3, 'a', 'b', 'c', 9, 9); /* custom, skipped */
  SEC(m, 1, 2, 0x60, 2, 0x7F, 0x7E, 1, 0x7D, 0x60, 0, 0);
  SEC(m, 2, 4,
      3, 'e', 'n', 'v', 1, 'f', 0, 0,
      3, 'e', 'n', 'v', 1, 't', 1, 0x70, 1, 1, 10,
      3, 'e', 'n', 'v', 1, 'm', 2, 0, 1,
      3, 'e', 'n', 'v', 1, 'g', 3, 0x7E, 0);
  SEC(m, 3, 2, 1, 1);
  SEC(m, 4, 1, 0x6F, 0, 4);
  SEC(m, 6, 2, 0x7F, 1, 0x41, 0x7F, 0x0B, 0x70, 0, 0xD2, 1, 0x0B);
  SEC(m, 7, 4, 3, 'r', 'u', 'n', 0, 2, 4, 'm', 'e', 'm', '0', 2, 0, 1, 'g', 3, 1, 2, 't',
      '2', 1, 1);
  SEC(m, 8, 2);
  SEC(m, 9, 4,
      0, 0x41, 1, 0x0B, 2, 0, 2,                /* active, table 0, funcidx 0 2 */
      1, 0, 1, 1,                               /* passive, funcidx 1 */
      7, 0x70, 2, 0xD0, 0x70, 0x0B, 0xD2, 1, 0x0B, /* declarative exprs */
      6, 1, 0x41, 0, 0x0B, 0x6F, 1, 0xD0, 0x6F, 0x0B); /* table 1, externref */
  SEC(m, 12, 2);
  SEC(m, 10, 2, 6, 2, 1, 0x7F, 2, 0x7C, 0x0B, 4, 1, 3, 0x7E, 0x0B);
  SEC(m, 11, 2, 0, 0x41, 8, 0x0B, 3, 'x', 'y', 'z', 1, 2, 'h', 'i');
  SEC(m, 0, 4, 'n', 'a', 'm', 'e',
      0, 5, 4, 'f', 'u', 'l', 'l',           /* module name */
      1, 10, 2, 0, 2, 'i', 'f', 2, 3, 'r', 'u', 'n'); /* function names */
}

static void test_roundtrip(void) {
  buf m;
  build_full(&m);
  wm_module *mod;
  wm_error err;
  int rc = load_dv(m.b, m.n, &mod, &err);
  CHECK(rc == 0, "full module: %s", err.message);
  if (rc) return;
  CHECK(mod->ntypes == 2 && mod->types[0].nparams == 2 && mod->types[0].nresults == 1 &&
            mod->types[0].params[1] == WM_I64 && mod->types[0].results[0] == WM_F32,
        "types");
  CHECK(mod->nimports == 4 && mod->nfuncs == 3 && mod->nfunc_imports == 1, "funcs %u/%u",
        mod->nfuncs, mod->nfunc_imports);
  CHECK(mod->ntables == 2 && mod->ntable_imports == 1 && mod->tables[1].elem == WM_EXTERNREF &&
            mod->tables[1].lim.min == 4 && !mod->tables[1].lim.has_max,
        "tables");
  CHECK(mod->nmems == 1 && mod->nmem_imports == 1 && mod->mems[0].min == 1, "mems");
  CHECK(mod->nglobals == 3 && mod->nglobal_imports == 1 && mod->globals[1].type.mut &&
            mod->globals[1].init.op == 0x41 && mod->globals[1].init.bits == 0xFFFFFFFF &&
            mod->globals[2].init.op == 0xD2 && mod->globals[2].init.idx == 1,
        "globals");
  CHECK(mod->nexports == 4 && mod->has_start && mod->start == 2, "exports/start");
  CHECK(mod->nelems == 4 && mod->elems[0].mode == WM_SEG_ACTIVE && mod->elems[0].count == 2 &&
            mod->elems[0].items[1].idx == 2 && mod->elems[0].offset.bits == 1 &&
            mod->elems[1].mode == WM_SEG_PASSIVE && mod->elems[2].mode == WM_SEG_DECLARATIVE &&
            mod->elems[2].items[0].op == 0xD0 && mod->elems[3].table == 1 &&
            mod->elems[3].type == WM_EXTERNREF,
        "elems");
  CHECK(mod->has_datacount && mod->datacount == 2 && mod->ndatas == 2 &&
            mod->datas[0].len == 3 && memcmp(mod->datas[0].bytes, "xyz", 3) == 0 &&
            mod->datas[0].offset.bits == 8 && mod->datas[1].mode == WM_SEG_PASSIVE,
        "datas");
  wm_funcdef *f1 = &mod->funcs[1], *f2 = &mod->funcs[2];
  uint32_t l1[3], l2[3];
  CHECK(f1->nlocals == 3 && f2->nlocals == 3 && wm__decode_locals(mod, f1, mod->bytes + f1->body_off, l1, NULL) == 0 &&
            wm__decode_locals(mod, f2, mod->bytes + f2->body_off, l2, NULL) == 0,
        "locals expand");
  CHECK(l1[0] == WM_I32 && l1[2] == WM_F64 &&
            f1->body_len == 6 && m.b[f1->code_start] == 0x0B &&
            f1->code_start == f1->body_off + 5,
        "code 1");
  CHECK(l2[2] == WM_I64 && f2->code_start == f2->body_off + 3, "code 2");
  /* C.refs: elements (0, 2, 1), the global initialiser (1), exports (2). */
  CHECK(mod->func_declared[0] && mod->func_declared[1] && mod->func_declared[2], "declared");
  CHECK(mod->module_name && strcmp(mod->module_name, "full") == 0, "module name");
  CHECK(wm_module_func_name(mod, 0) && strcmp(wm_module_func_name(mod, 0), "if") == 0 &&
            !wm_module_func_name(mod, 1) && strcmp(wm_module_func_name(mod, 2), "run") == 0 &&
            !wm_module_func_name(mod, 3),
        "func names");

  wm_extern_desc d;
  CHECK(wm_module_import_count(mod) == 4 && wm_module_export_count(mod) == 4, "counts");
  CHECK(wm_module_import(mod, 0, &d) == 0 && strcmp(d.module, "env") == 0 &&
            strcmp(d.name, "f") == 0 && d.kind == WM_EXTERN_FUNC && d.index == 0 &&
            d.func.nparams == 2 && d.func.params[0] == WM_I32 && d.func.results[0] == WM_F32,
        "import 0");
  CHECK(wm_module_import(mod, 1, &d) == 0 && d.kind == WM_EXTERN_TABLE && d.index == 0 &&
            d.elem_type == WM_FUNCREF && d.limits.has_max && d.limits.min == 1 &&
            d.limits.max == 10,
        "import 1");
  CHECK(wm_module_import(mod, 2, &d) == 0 && d.kind == WM_EXTERN_MEMORY && d.limits.min == 1 &&
            !d.limits.has_max,
        "import 2");
  CHECK(wm_module_import(mod, 3, &d) == 0 && d.kind == WM_EXTERN_GLOBAL && d.index == 0 &&
            d.global_type == WM_I64 && !d.global_mutable,
        "import 3");
  CHECK(wm_module_import(mod, 4, &d) == WM_EINVAL, "import 4");
  CHECK(wm_module_export(mod, 0, &d) == 0 && !d.module && strcmp(d.name, "run") == 0 &&
            d.name_len == 3 && d.kind == WM_EXTERN_FUNC && d.index == 2 &&
            d.func.nparams == 0 && d.func.nresults == 0,
        "export 0");
  CHECK(wm_module_export(mod, 1, &d) == 0 && strcmp(d.name, "mem0") == 0 &&
            d.kind == WM_EXTERN_MEMORY && d.index == 0,
        "export 1");
  CHECK(wm_module_export(mod, 2, &d) == 0 && d.kind == WM_EXTERN_GLOBAL && d.index == 1 &&
            d.global_type == WM_I32 && d.global_mutable,
        "export 2");
  CHECK(wm_module_export(mod, 3, &d) == 0 && d.kind == WM_EXTERN_TABLE && d.index == 1 &&
            d.elem_type == WM_EXTERNREF && d.limits.min == 4,
        "export 3");
  CHECK(wm_module_export(mod, 4, &d) == WM_EINVAL, "export 4");
  wm__module_destroy(mod);
  rc = wm_module_load(m.b, m.n, NULL, &mod, &err);
  CHECK(rc == 0 && strcmp(wm_module_func_name(mod, 2), "run") == 0,
        "full module, wm_module_load: %s", err.message);
  if (rc == 0) wm_module_free(mod);

  /* A malformed name section is ignored, not an error. */
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 2, 0, 0x0B);
  SEC(&m, 0, 4, 'n', 'a', 'm', 'e', 1, 9, 5, 0, 0xFF, 0xFF);
  OK(&m);
}

/* The public loader: bodies need compile.c, so use modules without any. */
static void test_public_load(void) {
  buf m;
  wm_module *mod = (wm_module *)1;
  wm_error err;
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 2, 1, 1, 'm', 1, 'f', 0, 0);
  SEC(&m, 7, 1, 1, 'f', 0, 0);
  int rc = wm_module_load(m.b, m.n, NULL, &mod, &err);
  CHECK(rc == 0 && mod && wm_module_export_count(mod) == 1, "wm_module_load: %s", err.message);
  wm_module_free(mod);
  rc = wm_module_load(m.b, 3, NULL, &mod, &err);
  CHECK(rc == WM_EMALFORMED && mod == NULL && err.code == WM_EMALFORMED && err.offset == 3,
        "short load");

  const char *path = "/tmp/wasmem_test_decode.wasm";
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(m.b, 1, m.n, f);
    fclose(f);
    rc = wm_module_load_file(path, NULL, &mod, &err);
    CHECK(rc == 0 && wm_module_import_count(mod) == 1, "load_file: %s", err.message);
    wm_module_free(mod);
    remove(path);
  }
  rc = wm_module_load_file("/nonexistent/x.wasm", NULL, &mod, &err);
  CHECK(rc == WM_EIO && mod == NULL, "load_file missing");
  wm_module_free(NULL);
  CHECK(wm_module_func_name(NULL, 0) == NULL && wm_module_import_count(NULL) == 0, "NULL module");
}

/* Found by fuzzing: local declarations are run-length coded, so a body of
** 6 bytes may declare 50000 locals. The loader used to keep every body's
** expanded types, which let a 70 KB module hold 1.8 GB; now they exist only
** while the body is lowered. (Locals of all bodies are bounded too, to 4 a
** module byte plus a million: test_limits.c.) */
static void test_locals_bomb(void) {
  enum { NBODIES = 20 };
  static buf m;
  uint8_t funcs[2 + NBODIES];
  static const uint8_t body[] = {6, 1, 0xD0, 0x86, 0x03, 0x7F, 0x0B}; /* 50000 x i32 */
  begin(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  funcs[0] = (NBODIES & 0x7F) | 0x80;
  funcs[1] = NBODIES >> 7;
  memset(funcs + 2, 0, NBODIES);
  section(&m, 3, funcs, sizeof funcs);
  RAW(&m, 10);
  put_u32(&m, 2 + NBODIES * (uint32_t)sizeof body);
  put(&m, funcs, 2);
  for (int i = 0; i < NBODIES; i++) put(&m, body, sizeof body);
  wm_module *mod = NULL;
  wm_error err;
  int rc = wm_module_load(m.b, m.n, NULL, &mod, &err);
  CHECK(rc == 0, "locals bomb: %s", err.message);
  /* Locals are expanded only while a body is lowered, never kept. */
  bool all = true;
  for (uint32_t i = 0; mod && i < mod->nfuncs; i++) {
    const wm_code *c = NULL;
    bool fresh;
    all = all && mod->funcs[i].nlocals == 50000 &&
          wm__lower(mod, i, &c, &fresh, NULL) == 0 && c->nlocal_slots == 50000;
  }
  CHECK(mod && mod->nfuncs == NBODIES && all, "locals bomb: lowered");
  wm_module_free(mod);
}

/* Every prefix must fail cleanly (or be a valid module when it ends at a
** section boundary); every corrupted byte must give an error or a module,
** never a crash. */
static void sweep(const char *what, const uint8_t *b, size_t n) {
  int bad = 0;
  for (size_t k = 0; k < n; k++) {
    wm_module *mod;
    wm_error err;
    int rc = load_dv(b, k, &mod, &err);
    if (rc == 0) wm__module_destroy(mod);
    else if (rc != WM_EMALFORMED && rc != WM_EINVALID) bad++;
    if (rc == WM_EMALFORMED && err.offset > k) bad++;
  }
  CHECK(bad == 0, "%s: %d truncations misbehaved", what, bad);
  static const uint8_t flips[] = {0x01, 0x80, 0xFF, 0x40, 0x7F};
  uint8_t *copy = malloc(n);
  bad = 0;
  for (size_t k = 0; k < n; k++) {
    for (size_t j = 0; j < sizeof flips; j++) {
      memcpy(copy, b, n);
      copy[k] ^= flips[j];
      wm_module *mod;
      wm_error err;
      int rc = load_dv(copy, n, &mod, &err);
      if (rc == 0) wm__module_destroy(mod);
      else if (rc != WM_EMALFORMED && rc != WM_EINVALID && rc != WM_EUNSUPPORTED) bad++;
      copy[k] = (uint8_t)(0xFF - j); /* and a few absolute values */
      rc = load_dv(copy, n, &mod, &err);
      if (rc == 0) wm__module_destroy(mod);
      /* The public loader too: any result but a crash or a leak. */
      rc = wm_module_load(copy, n, NULL, &mod, &err);
      if (rc == 0) wm_module_free(mod);
    }
  }
  free(copy);
  CHECK(bad == 0, "%s: %d byte flips misbehaved", what, bad);
}

/* Fail each allocation in turn: the loader must report ENOMEM and free all. */
static void alloc_failures(const char *what, const uint8_t *b, size_t n) {
  int bad = 0, ok_in_row = 0;
  /* A failure in the name section is swallowed (it is optional), so stop
  ** only after a long run of successes, not at the first. */
  for (long k = 0; k < 100000 && ok_in_row < 200; k++) {
    wm_module *mod;
    wm_error err;
    wm__alloc_fail_after(k);
    int rc = load_dv(b, n, &mod, &err);
    wm__alloc_fail_after(-1);
    if (rc == 0) {
      wm__module_destroy(mod);
      ok_in_row++;
      continue;
    }
    ok_in_row = 0;
    if (rc != WM_ENOMEM) bad++;
  }
  CHECK(bad == 0, "%s: %d allocation failures misbehaved", what, bad);
}

/* A module from clang, when clang can target wasm32 here. */
static size_t clang_module(uint8_t *out, size_t cap) {
  const char *src = "/tmp/wasmem_test_decode.c", *wasm = "/tmp/wasmem_test_decode_c.wasm";
  FILE *f = fopen(src, "w");
  if (!f) return 0;
  fputs("static int tab[64];\n"
        "int add(int a, int b) { return a + b; }\n"
        "long long mul(long long a, long long b) { return a * b; }\n"
        "int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\n"
        "int get(int i) { return tab[i & 63]; }\n"
        "double sq(double x) { return x * x; }\n"
        "static int k1(int x) { return x + 1; } static int k2(int x) { return x * 2; }\n"
        "int (*fp[2])(int) = {k1, k2};\n"
        "int callp(int i, int x) { return fp[i & 1](x); }\n"
        "const char *msg = \"hello, world\";\n",
        f);
  fclose(f);
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "clang-14 --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-all "
           "-o %s %s >/dev/null 2>&1",
           wasm, src);
  int rc = system(cmd);
  remove(src);
  if (rc != 0) return 0;
  f = fopen(wasm, "rb");
  if (!f) return 0;
  size_t n = fread(out, 1, cap, f);
  fclose(f);
  remove(wasm);
  return n < cap ? n : 0;
}

static void test_clang(void) {
  static uint8_t b[65536];
  size_t n = clang_module(b, sizeof b);
  if (!n) {
    printf("skip: clang-14 cannot build a wasm32 module here\n");
    return;
  }
  wm_module *mod;
  wm_error err;
  int rc = load_dv(b, n, &mod, &err);
  CHECK(rc == 0, "clang module: %s", err.message);
  if (rc) return;
  bool found = false;
  for (uint32_t i = 0; i < mod->nfuncs; i++) {
    const char *nm = wm_module_func_name(mod, i);
    if (nm && strcmp(nm, "fib") == 0) found = true;
  }
  CHECK(found, "clang module: function names");
  CHECK(mod->nelems == 1 && mod->ndatas >= 1 && mod->nmems == 1, "clang module: segments");
  wm__module_destroy(mod);
  /* Through the public loader, compile.c included. */
  rc = wm_module_load(b, n, NULL, &mod, &err);
  CHECK(rc == 0, "clang module, wm_module_load: %s", err.message);
  if (rc == 0) wm_module_free(mod);
  sweep("clang module", b, n);
  alloc_failures("clang module", b, n);
}

int main(void) {
  test_header();
  test_sections();
  test_entries();
  test_constexpr();
  test_invalid();
  test_roundtrip();
  test_public_load();
  test_locals_bomb();
  buf m;
  build_full(&m);
  sweep("full module", m.b, m.n);
  alloc_failures("full module", m.b, m.n);
  test_clang();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail != 0;
}
