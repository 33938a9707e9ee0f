/* SPDX-License-Identifier: MIT */
/*
** test_lex.c -- the text format's tokens and literals (src/text/lex.c):
** token kinds and places through comments and annotations; every lexical
** error, with its line and column; strings and their escapes; integers at
** their boundaries; and floats against wat2wasm (wabt), which writes the
** same literals into a binary whose bytes must equal ours.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lex.h"
#include "wasmem.h"

static int lex_all(const char *src, wm_tok *toks, int max, wm_error *err) {
  wm_lexer lx;
  wm__lex_init(&lx, src, strlen(src), err);
  for (int n = 0; n < max; n++) {
    int rc = wm__lex_next(&lx, &toks[n]);
    if (rc) return -1;
    if (toks[n].kind == WM_TOK_EOF) return n;
  }
  return max;
}

static bool tok_is(const wm_tok *t, wm_tok_kind k, const char *text) {
  return t->kind == k && t->len == strlen(text) && memcmp(t->text, text, t->len) == 0;
}

static void test_tokens(void) {
  const char *src =
      "(module ;; a line comment\n"
      "  (; a (; nested ;) block\n comment ;)\n"
      "  (@custom \"x\" (nested (@ann)) 1 2) (func $f $\"quoted id\" (param i32)\n"
      "    i32.const -0x1_0 f32.const nan:0x1 \"str\\n\" offset=8 1x"
      "))";
  wm_tok t[32];
  wm_error err;
  int n = lex_all(src, t, 32, &err);
  CHECK(n == 19);
  if (n != 19) {
    for (int i = 0; i < n; i++) fprintf(stderr, "  %d: %d %.*s\n", i, t[i].kind, (int)t[i].len, t[i].text);
    return;
  }
  CHECK(t[0].kind == WM_TOK_LPAREN && t[0].line == 1 && t[0].col == 1);
  CHECK(tok_is(&t[1], WM_TOK_KEYWORD, "module") && t[1].col == 2);
  CHECK(t[2].kind == WM_TOK_LPAREN && t[2].line == 4 && t[2].col == 37);
  CHECK(tok_is(&t[3], WM_TOK_KEYWORD, "func"));
  CHECK(tok_is(&t[4], WM_TOK_ID, "$f"));
  CHECK(tok_is(&t[5], WM_TOK_ID, "$\"quoted id\""));
  CHECK(tok_is(&t[7], WM_TOK_KEYWORD, "param") && tok_is(&t[8], WM_TOK_KEYWORD, "i32"));
  CHECK(tok_is(&t[10], WM_TOK_KEYWORD, "i32.const") && t[10].line == 5 && t[10].col == 5);
  CHECK(tok_is(&t[11], WM_TOK_NUM, "-0x1_0"));
  CHECK(tok_is(&t[13], WM_TOK_KEYWORD, "nan:0x1"));
  CHECK(tok_is(&t[14], WM_TOK_STRING, "\"str\\n\""));
  CHECK(tok_is(&t[15], WM_TOK_KEYWORD, "offset=8"));
  CHECK(tok_is(&t[16], WM_TOK_NUM, "1x")); /* a number token that no conversion takes */
  CHECK(t[17].kind == WM_TOK_RPAREN && t[18].kind == WM_TOK_RPAREN && t[18].line == 5 && t[18].col == 60);
  uint32_t v;
  CHECK(wm__tok_i32(&t[16], &v, &err) == WM_EMALFORMED && strstr(err.message, "5:"));

  /* Reserved: a $ alone, strings glued to idchars, two strings. */
  const char *res = "$ a\"b\" \"a\"\"b\" $\"a\"b";
  n = lex_all(res, t, 8, &err);
  CHECK(n == 4);
  for (int i = 0; i < n && i < 4; i++) CHECK(t[i].kind == WM_TOK_RESERVED);
}

static void test_errors(void) {
  static const struct {
    const char *src, *where, *what;
  } cases[] = {
      {"(module \"abc", "1:9:", "unterminated string"},
      {"\"a\nb\"", "1:1:", "newline in string"},
      {"\"a\tb\"", "1:3:", "control character"},
      {"\"\\q\"", "1:2:", "malformed escape"},
      {"\"\\u{d800}\"", "1:2:", "surrogate"},
      {"\"\\u{110000}\"", "1:2:", "too large"},
      {"\"\\u{}\"", "1:2:", "malformed escape"},
      {"\"\\u{41\"", "1:2:", "malformed escape"},
      {"\"\\4\"", "1:2:", "malformed escape"},
      {"\"\xc3\x28\"", "1:2:", "malformed UTF-8"},
      {"\"\xed\xa0\x80\"", "1:2:", "malformed UTF-8"}, /* a surrogate, encoded */
      {"\"\xc0\xaf\"", "1:2:", "malformed UTF-8"},     /* overlong */
      {"(; open (; nested ;)\n", "1:1:", "unterminated block comment"},
      {"(module\n  (@ann (x)\n", "2:3:", "unterminated annotation"},
      {"\n  \x7f", "2:3:", "unexpected character 0x7f"},
      {"a \x80", "1:3:", "unexpected character 0x80"},
      {"(func $\"\")", "1:7:", "empty identifier"},
      {"(@ x)", "1:1:", "empty annotation id"},
      {"(module (@\"\"))", "1:10:", "empty annotation id"},
      {"(@\"\\ef\" x)", "1:2:", "malformed UTF-8 encoding in an annotation id"},
      {"$\"\\ef\"", "1:1:", "malformed UTF-8 encoding in an identifier"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    wm_tok t[8];
    wm_error err;
    memset(&err, 0, sizeof err);
    int n = lex_all(cases[i].src, t, 8, &err);
    bool ok = n < 0 && err.code == WM_EMALFORMED && strncmp(err.message, cases[i].where, strlen(cases[i].where)) == 0 &&
              strstr(err.message, cases[i].what);
    CHECK(ok);
    if (!ok) fprintf(stderr, "  case %zu: %d \"%s\"\n", i, n, err.message);
  }
}

static void test_strings(void) {
  const char *src = "\"a\\t\\n\\r\\\"\\'\\\\\\41\\7f\\u{48}\\u{e9}\\u{20ac}\\u{1F600}\\u{1_0000}\xc3\xa9\"";
  wm_tok t[4];
  wm_error err;
  CHECK(lex_all(src, t, 4, &err) == 1 && t[0].kind == WM_TOK_STRING);
  uint8_t out[64];
  size_t n = wm__tok_string(&t[0], out);
  static const uint8_t want[] = {'a', '\t', '\n', '\r', '"', '\'', '\\', 0x41, 0x7F, 'H',
                                 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80,
                                 0xF0, 0x90, 0x80, 0x80, 0xC3, 0xA9};
  CHECK(n == sizeof want && memcmp(out, want, n) == 0);
  /* An id's quoted name decodes the same way. */
  CHECK(lex_all("$\"x\\41\"", t, 4, &err) == 1 && t[0].kind == WM_TOK_ID);
  n = wm__tok_string(&t[0], out);
  CHECK(n == 2 && out[0] == 'x' && out[1] == 'A');
  CHECK(lex_all("\"\"", t, 4, &err) == 1 && wm__tok_string(&t[0], out) == 0);
  /* WebAssembly 3.0's reserved tokens may hold , ; [ ] { } (annotations
  ** carry them); `;;` still starts a comment. */
  wm_tok r[8];
  CHECK(lex_all("x, {a} ;] x;;c", r, 8, &err) == 4 && tok_is(&r[0], WM_TOK_RESERVED, "x,") &&
        tok_is(&r[1], WM_TOK_RESERVED, "{a}") && tok_is(&r[2], WM_TOK_RESERVED, ";]") &&
        tok_is(&r[3], WM_TOK_KEYWORD, "x"));
  /* A line comment ends at a newline of any kind: LF, CR, CR LF. */
  CHECK(lex_all(";; c\r2 ;; d\r\n3", t, 4, &err) == 2 && tok_is(&t[0], WM_TOK_NUM, "2") &&
        tok_is(&t[1], WM_TOK_NUM, "3"));
}

static wm_tok num(const char *s) {
  wm_tok t;
  memset(&t, 0, sizeof t);
  t.kind = s[0] >= 'a' && s[0] <= 'z' ? WM_TOK_KEYWORD : WM_TOK_NUM;
  t.text = s;
  t.len = strlen(s);
  t.line = 3;
  t.col = 7;
  return t;
}

static void test_integers(void) {
  static const struct {
    const char *s;
    int rc32;
    uint32_t v32;
  } i32s[] = {
      {"0", 0, 0},
      {"-0", 0, 0},
      {"+1", 0, 1},
      {"4294967295", 0, 0xFFFFFFFF},
      {"0xffff_ffff", 0, 0xFFFFFFFF},
      {"-2147483648", 0, 0x80000000},
      {"-0x8000_0000", 0, 0x80000000},
      {"2147483648", 0, 0x80000000},
      {"1_000_000", 0, 1000000},
      {"0XFF", WM_EMALFORMED, 0},
      {"4294967296", WM_EMALFORMED, 0},
      {"-2147483649", WM_EMALFORMED, 0},
      {"1__0", WM_EMALFORMED, 0},
      {"_1", WM_EMALFORMED, 0},
      {"1_", WM_EMALFORMED, 0},
      {"0x_1", WM_EMALFORMED, 0},
      {"0x", WM_EMALFORMED, 0},
      {"-", WM_EMALFORMED, 0},
      {"1.0", WM_EMALFORMED, 0},
      {"99999999999999999999999", WM_EMALFORMED, 0},
  };
  for (size_t i = 0; i < sizeof i32s / sizeof *i32s; i++) {
    wm_tok t = num(i32s[i].s);
    uint32_t v = 0xDEAD;
    wm_error err;
    int rc = wm__tok_i32(&t, &v, &err);
    bool ok = rc == i32s[i].rc32 && (rc || v == i32s[i].v32);
    if (rc) ok = ok && strncmp(err.message, "3:7: ", 5) == 0;
    CHECK(ok);
    if (!ok) fprintf(stderr, "  i32 %s: rc %d v 0x%x %s\n", i32s[i].s, rc, v, rc ? err.message : "");
  }
  wm_error err;
  uint64_t v64;
  uint32_t u;
  wm_tok t = num("18446744073709551615");
  CHECK(wm__tok_i64(&t, &v64, &err) == 0 && v64 == UINT64_MAX);
  t = num("-9223372036854775808");
  CHECK(wm__tok_i64(&t, &v64, &err) == 0 && v64 == 0x8000000000000000ull);
  t = num("-9223372036854775809");
  CHECK_ERR(wm__tok_i64(&t, &v64, &err), err, WM_EMALFORMED, "constant out of range");
  t = num("18446744073709551616");
  CHECK_ERR(wm__tok_i64(&t, &v64, &err), err, WM_EMALFORMED, "constant out of range");
  t = num("0x1_0000_0000_0000_0000");
  CHECK(wm__tok_u64(&t, &v64, &err) == WM_EMALFORMED);
  t = num("+5");
  CHECK_ERR(wm__tok_u32(&t, &u, &err), err, WM_EMALFORMED, "unsigned");
  t = num("0x10");
  CHECK(wm__tok_u32(&t, &u, &err) == 0 && u == 16);
}

/* Literals that wabt must assemble into the same bits as ours. */
static const char *const f32_lits[] = {
    "0", "-0", "1", "-1.5", "0.1", "3.14159265358979", "1e10", "1E-10", "0x1p-149", "0x1p-150",
    "0x1.8p-150", "0x1.000001p0", "0x1.0000018p0", "0x1.fffffep127", "3.4028234e38",
    "3.40282356e38", "1.17549435e-38", "1.4e-45", "7e-46", "123456789012345678901234567890",
    "0x1_0000.0p0", "1_000.000_1", "1.", "0x1.", "+0x1p+3", "inf", "-inf", "+inf",
    "nan", "-nan", "nan:0x1", "nan:0x7f_ffff", "-nan:0x200000", "0x123456789abcdef0p-40",
    "0.000000000000000000000000000000000000000000001", "16777217", "16777219", "33554435",
};
static const char *const f64_lits[] = {
    "0", "-0", "1", "0.1", "-2.5e-300", "0x1p-1074", "0x1p-1075", "0x1.8p-1075",
    "0x1.fffffffffffffp1023", "1.7976931348623157e308", "1.7976931348623158e308",
    "2.2250738585072014e-308", "4.9e-324", "2.4703282292062328e-324", "9007199254740993",
    "0x1.00000000000008p0", "0x1.00000000000018p0", "123456789012345678901234567890e-10",
    "1_234.5_6e1_0", "inf", "-inf", "nan", "-nan", "nan:0x1", "nan:0xf_ffff_ffff_ffff",
    "-nan:0x8000000000000", "0x1.921fb54442d18p+1", "1e-400",
};

static uint8_t *section(uint8_t *b, size_t len, uint8_t id) {
  size_t p = 8;
  while (p < len) {
    uint8_t sid = b[p++];
    uint32_t size = 0;
    for (int sh = 0;; sh += 7) {
      uint8_t c = b[p++];
      size |= (uint32_t)(c & 0x7F) << sh;
      if (!(c & 0x80)) break;
    }
    if (sid == id) return b + p;
    p += size;
  }
  return NULL;
}

static void test_floats_against_wabt(void) {
  char wat[8192];
  size_t n32 = sizeof f32_lits / sizeof *f32_lits, n64 = sizeof f64_lits / sizeof *f64_lits;
  int w = snprintf(wat, sizeof wat, "(module");
  for (size_t i = 0; i < n32; i++)
    w += snprintf(wat + w, sizeof wat - (size_t)w, "\n (global f32 (f32.const %s))", f32_lits[i]);
  for (size_t i = 0; i < n64; i++)
    w += snprintf(wat + w, sizeof wat - (size_t)w, "\n (global f64 (f64.const %s))", f64_lits[i]);
  snprintf(wat + w, sizeof wat - (size_t)w, ")\n");
  size_t len;
  uint8_t *bin = wat_bytes(wat, "", &len);
  if (!bin) return;
  uint8_t *g = section(bin, len, 6);
  CHECK(g != NULL);
  if (!g) {
    free(bin);
    return;
  }
  /* count (one LEB byte: < 128 globals), then 7D 00 43 b0..b3 0B, and
  ** 7C 00 44 b0..b7 0B */
  CHECK(g[0] == n32 + n64);
  const uint8_t *e = g + 1;
  int same = 0;
  for (size_t i = 0; i < n32; i++, e += 8) {
    wm_tok t = num(f32_lits[i]);
    uint32_t bits = 0, want;
    wm_error err;
    memcpy(&want, e + 3, 4); /* little-endian host */
    int rc = wm__tok_f32(&t, &bits, &err);
    if (rc == 0 && bits == want) same++;
    else fprintf(stderr, "  f32 %s: ours 0x%08x (rc %d), wabt 0x%08x\n", f32_lits[i], bits, rc, want);
  }
  for (size_t i = 0; i < n64; i++, e += 12) {
    wm_tok t = num(f64_lits[i]);
    uint64_t bits = 0, want;
    wm_error err;
    memcpy(&want, e + 3, 8);
    int rc = wm__tok_f64(&t, &bits, &err);
    if (rc == 0 && bits == want) same++;
    else
      fprintf(stderr, "  f64 %s: ours 0x%016llx (rc %d), wabt 0x%016llx\n", f64_lits[i],
              (unsigned long long)bits, rc, (unsigned long long)want);
  }
  CHECK(same == (int)(n32 + n64));
  free(bin);

  /* What wabt refuses, we refuse. */
  static const char *const bad32[] = {"3.4028236e38", "1e39", "0x1p128", "-0x1.ffffffp127",
                                      "nan:0x0", "nan:0x800000", "nan:0x", "0x1p", "1e",
                                      "1.e+", ".5", "0x.8p1", "1..2", "0x1.0p1.0", "infinity", "nan:1"};
  for (size_t i = 0; i < sizeof bad32 / sizeof *bad32; i++) {
    char one[128];
    snprintf(one, sizeof one, "(module (global f32 (f32.const %s)))", bad32[i]);
    wm_tok t = num(bad32[i]);
    uint32_t bits;
    wm_error err;
    bool ours = wm__tok_f32(&t, &bits, &err) == WM_EMALFORMED;
    CHECK(ours);
    if (!ours) fprintf(stderr, "  f32 %s accepted: 0x%08x\n", bad32[i], bits);
  }
  static const char *const bad64[] = {"1.7976931348623159e308", "0x1p1024", "nan:0x10000000000000",
                                      "nan:0x0", "1e309"};
  for (size_t i = 0; i < sizeof bad64 / sizeof *bad64; i++) {
    wm_tok t = num(bad64[i]);
    uint64_t bits;
    wm_error err;
    CHECK_ERR(wm__tok_f64(&t, &bits, &err), err, WM_EMALFORMED, "3:7: ");
  }
}

int main(void) {
  test_tokens();
  test_errors();
  test_strings();
  test_integers();
  test_floats_against_wabt();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
