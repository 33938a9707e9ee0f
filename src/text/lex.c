/* SPDX-License-Identifier: MIT */
/*
** lex.c -- the text format's tokens and the values of its literals (see
** lex.h). The rules are the spec's (6.3 Lexical Format, 6.3 Values):
**   - tokens are parentheses, strings, and maximal runs of idchars, which
**     are keywords (starting a-z), ids ($...) or numbers when they parse as
**     such, and reserved otherwise;
**   - `;;` comments run to the end of the line, `(; ;)` ones nest, and
**     annotations `(@name ...)` are skipped with whatever they hold;
**   - strings hold UTF-8 and the escapes \t \n \r \" \' \\ \hh \u{h+};
**   - numbers allow one `_` between digits; floats are rounded once, to
**     nearest even, straight to their type (strtof for f32: no double
**     rounding through f64), in the C locale whatever the process's is.
*/
#define _GNU_SOURCE /* strtod_l, strtof_l, newlocale */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "util.h"

/* ------------------------------------------------------------ characters */

static bool is_idchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != 0 && strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL;
}

/* The characters WebAssembly 3.0 lets a reserved token hold besides
** idchars and strings (`;` only where no line comment starts). */
static bool is_reserved_extra(const unsigned char *s, size_t pos, size_t len) {
  unsigned char c = s[pos];
  if (c == ';') return pos + 1 >= len || s[pos + 1] != ';';
  return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The length of the UTF-8 character at p (n bytes left), or 0 if it is
** not one (overlong forms, surrogates and code points past U+10FFFF too). */
static size_t utf8_len(const unsigned char *p, size_t n) {
  unsigned c = p[0];
  size_t len;
  uint32_t cp, min;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07, min = 0x10000;
  else return 0;
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool wm__utf8_valid(const uint8_t *s, size_t n) {
  for (size_t i = 0, k; i < n; i += k)
    if ((k = utf8_len(s + i, n - i)) == 0) return false;
  return true;
}

/* ----------------------------------------------------------------- lexer */

static int lex_error(wm_lexer *lx, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* `at` is on the current line, or before it: then its line is found by
** counting back (only errors pay for it). */
static int lex_error(wm_lexer *lx, size_t at, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  uint32_t line = lx->line;
  size_t ls = lx->line_start;
  while (at < ls) {
    line--;
    ls--; /* the newline ending the line before */
    while (ls > 0 && lx->src[ls - 1] != '\n') ls--;
  }
  return wm__error(lx->err, WM_EMALFORMED, UINT32_MAX, "%u:%u: %s", (unsigned)line,
                   (unsigned)(at - ls + 1), msg);
}

void wm__lex_init(wm_lexer *lx, const char *src, size_t len, wm_error *err) {
  lx->src = src;
  lx->len = len;
  lx->pos = 0;
  lx->line = 1;
  lx->line_start = 0;
  lx->err = err;
}

static void newline(wm_lexer *lx, size_t at) {
  lx->line++;
  lx->line_start = at + 1;
}

/* A string from its opening quote: checks escapes and UTF-8, stops after
** the closing quote. */
static int scan_string(wm_lexer *lx) {
  const unsigned char *s = (const unsigned char *)lx->src;
  size_t start = lx->pos++;
  for (;;) {
    if (lx->pos >= lx->len) return lex_error(lx, start, "unterminated string");
    unsigned char c = s[lx->pos];
    if (c == '"') {
      lx->pos++;
      return 0;
    }
    if (c == '\n') return lex_error(lx, start, "newline in string");
    if (c < 0x20 || c == 0x7F) return lex_error(lx, lx->pos, "control character in string");
    if (c != '\\') {
      size_t n = utf8_len(s + lx->pos, lx->len - lx->pos);
      if (!n) return lex_error(lx, lx->pos, "malformed UTF-8 encoding");
      lx->pos += n;
      continue;
    }
    size_t esc = lx->pos++;
    if (lx->pos >= lx->len) return lex_error(lx, start, "unterminated string");
    c = s[lx->pos];
    if (strchr("tnr\"'\\", c) && c) {
      lx->pos++;
    } else if (hexval(c) >= 0 && lx->pos + 1 < lx->len && hexval(s[lx->pos + 1]) >= 0) {
      lx->pos += 2;
    } else if (c == 'u' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '{') {
      uint32_t cp = 0;
      size_t digits = 0;
      lx->pos += 2;
      while (lx->pos < lx->len && s[lx->pos] != '}') {
        int h = hexval(s[lx->pos]);
        if (h < 0 && !(s[lx->pos] == '_' && digits)) return lex_error(lx, esc, "malformed escape");
        if (h >= 0) {
          cp = cp * 16 + (uint32_t)h;
          digits++;
          if (cp > 0x10FFFF) return lex_error(lx, esc, "malformed escape: code point too large");
        }
        lx->pos++;
      }
      if (lx->pos >= lx->len || !digits || s[lx->pos - 1] == '_')
        return lex_error(lx, esc, "malformed escape");
      if (cp >= 0xD800 && cp <= 0xDFFF)
        return lex_error(lx, esc, "malformed escape: surrogate code point");
      lx->pos++;
    } else {
      return lex_error(lx, esc, "malformed escape");
    }
  }
}

/* A block comment from its "(;": nested ones inside, lines counted. */
static int skip_block_comment(wm_lexer *lx) {
  size_t start = lx->pos;
  int depth = 0;
  while (lx->pos < lx->len) {
    char c = lx->src[lx->pos];
    if (c == '(' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == ';') {
      depth++;
      lx->pos += 2;
    } else if (c == ';' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == ')') {
      lx->pos += 2;
      if (--depth == 0) return 0;
    } else {
      if (c == '\n') newline(lx, lx->pos);
      lx->pos++;
    }
  }
  return lex_error(lx, start, "unterminated block comment");
}

/* Whitespace and comments; 0 at a token or the end. */
static int skip_blank(wm_lexer *lx) {
  while (lx->pos < lx->len) {
    char c = lx->src[lx->pos];
    if (c == ' ' || c == '\t' || c == '\r') {
      lx->pos++;
    } else if (c == '\n') {
      newline(lx, lx->pos);
      lx->pos++;
    } else if (c == ';' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == ';') {
      /* To the end of the line: a newline is LF, CR or CR LF. */
      while (lx->pos < lx->len && lx->src[lx->pos] != '\n' && lx->src[lx->pos] != '\r') lx->pos++;
    } else if (c == '(' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == ';') {
      int rc = skip_block_comment(lx);
      if (rc) return rc;
    } else {
      return 0;
    }
  }
  return 0;
}

/* A quoted name, $"..." or (@"...": the string from start + 1 to the
** current position, escapes decoded, is not empty and is UTF-8 (a string
** may hold any bytes, a name may not). `what` names it in errors. */
static int quoted_name(wm_lexer *lx, size_t start, const char *what) {
  wm_tok str = {0};
  str.kind = WM_TOK_STRING;
  str.text = lx->src + start + 1;
  str.len = lx->pos - start - 1;
  if (str.len == 2) return lex_error(lx, start, "empty %s", what);
  uint8_t *name = wm__malloc(str.len);
  if (!name) return wm__error(lx->err, WM_ENOMEM, UINT32_MAX, NULL);
  size_t n = wm__tok_string(&str, name);
  bool ok = wm__utf8_valid(name, n);
  wm__free(name);
  return ok ? 0 : lex_error(lx, start, "malformed UTF-8 encoding in an %s", what);
}

/* One token that is not a parenthesis: a string, or a run of idchars and
** strings (an id may be $"..."). */
static int scan_atom(wm_lexer *lx, wm_tok *out) {
  const unsigned char *s = (const unsigned char *)lx->src;
  size_t start = lx->pos, first_string = 0;
  int nstrings = 0;
  bool any_idchar = false, any_extra = false;
  for (;;) {
    if (lx->pos < lx->len && s[lx->pos] == '"') {
      if (nstrings++ == 0) first_string = lx->pos;
      int rc = scan_string(lx);
      if (rc) return rc;
    } else if (lx->pos < lx->len && is_idchar(s[lx->pos])) {
      lx->pos++;
      any_idchar = true;
    } else if (lx->pos < lx->len && is_reserved_extra(s, lx->pos, lx->len)) {
      lx->pos++;
      any_extra = true;
    } else {
      break;
    }
  }
  if (start == lx->pos) {
    unsigned char c = s[start];
    if (c >= 0x20 && c < 0x7F) return lex_error(lx, start, "unexpected character '%c'", c);
    return lex_error(lx, start, "unexpected character 0x%02x", c);
  }
  out->text = lx->src + start;
  out->len = lx->pos - start;
  if (any_extra) {
    out->kind = WM_TOK_RESERVED; /* `,` `;` `[` `]` `{` `}`: never a token of use */
  } else if (s[start] == '$') {
    /* $name, or $"name": the string right after the $, ending the token. */
    bool quoted = nstrings == 1 && first_string == start + 1 && out->len > 1 && s[lx->pos - 1] == '"';
    bool plain = nstrings == 0 && out->len > 1;
    out->kind = quoted || plain ? WM_TOK_ID : WM_TOK_RESERVED;
    if (quoted) {
      int rc = quoted_name(lx, start, "identifier");
      if (rc) return rc;
    }
  } else if (nstrings) {
    out->kind = nstrings == 1 && !any_idchar ? WM_TOK_STRING : WM_TOK_RESERVED;
  } else if (s[start] >= 'a' && s[start] <= 'z') {
    out->kind = WM_TOK_KEYWORD;
  } else {
    out->kind = WM_TOK_NUM; /* or reserved: the conversions tell */
  }
  return 0;
}

/* An annotation from its "(@": its id right after the @ (idchars or a
** non-empty UTF-8 string), then its tokens, balanced parentheses (nested
** "(@" are plain tokens there). */
static int skip_annotation(wm_lexer *lx) {
  size_t start = lx->pos, id = start + 2;
  const unsigned char *s = (const unsigned char *)lx->src;
  if (id >= lx->len || (s[id] != '"' && !is_idchar(s[id])))
    return lex_error(lx, start, "empty annotation id");
  if (s[id] == '"') {
    lx->pos = id;
    int rc = scan_string(lx);
    if (!rc) rc = quoted_name(lx, id - 1, "annotation id");
    if (rc) return rc;
    lx->pos = start;
  }
  int depth = 0;
  wm_tok t;
  for (;;) {
    int rc = skip_blank(lx);
    if (rc) return rc;
    if (lx->pos >= lx->len) return lex_error(lx, start, "unterminated annotation");
    char c = lx->src[lx->pos];
    if (c == '(') {
      depth++;
      lx->pos++;
    } else if (c == ')') {
      lx->pos++;
      if (--depth == 0) return 0;
    } else if ((rc = scan_atom(lx, &t))) {
      return rc;
    }
  }
}

int wm__lex_next(wm_lexer *lx, wm_tok *out) {
  for (;;) {
    int rc = skip_blank(lx);
    if (rc) return rc;
    out->line = lx->line;
    out->col = (uint32_t)(lx->pos - lx->line_start + 1);
    out->text = lx->src + lx->pos;
    out->len = 0;
    if (lx->pos >= lx->len) {
      out->kind = WM_TOK_EOF;
      return 0;
    }
    char c = lx->src[lx->pos];
    if (c == '(' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == '@') {
      rc = skip_annotation(lx);
      if (rc) return rc;
      continue;
    }
    if (c == '(' || c == ')') {
      out->kind = c == '(' ? WM_TOK_LPAREN : WM_TOK_RPAREN;
      out->len = 1;
      lx->pos++;
      return 0;
    }
    return scan_atom(lx, out);
  }
}

size_t wm__tok_string(const wm_tok *t, uint8_t *out) {
  const unsigned char *s = (const unsigned char *)t->text, *end = s + t->len;
  size_t n = 0;
  while (s < end && *s != '"') s++; /* past $ of an id */
  s++;
  end--; /* the closing quote */
  while (s < end) {
    if (*s != '\\') {
      out[n++] = *s++;
      continue;
    }
    s++;
    switch (*s) {
    case 't': out[n++] = '\t'; s++; break;
    case 'n': out[n++] = '\n'; s++; break;
    case 'r': out[n++] = '\r'; s++; break;
    case '"': case '\'': case '\\': out[n++] = *s++; break;
    case 'u': {
      uint32_t cp = 0;
      for (s += 2; *s != '}'; s++)
        if (*s != '_') cp = cp * 16 + (uint32_t)hexval(*s);
      s++;
      if (cp < 0x80) {
        out[n++] = (uint8_t)cp;
      } else if (cp < 0x800) {
        out[n++] = (uint8_t)(0xC0 | cp >> 6);
        out[n++] = (uint8_t)(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        out[n++] = (uint8_t)(0xE0 | cp >> 12);
        out[n++] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        out[n++] = (uint8_t)(0x80 | (cp & 0x3F));
      } else {
        out[n++] = (uint8_t)(0xF0 | cp >> 18);
        out[n++] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
        out[n++] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        out[n++] = (uint8_t)(0x80 | (cp & 0x3F));
      }
      break;
    }
    default: /* two hex digits */
      out[n++] = (uint8_t)(hexval(s[0]) * 16 + hexval(s[1]));
      s += 2;
      break;
    }
  }
  return n;
}

/* --------------------------------------------------------------- numbers */

static int num_error(const wm_tok *t, wm_error *err, const char *what) {
  return wm__error(err, WM_EMALFORMED, UINT32_MAX, "%u:%u: %s: %.*s", (unsigned)t->line,
                   (unsigned)t->col, what, (int)(t->len > 64 ? 64 : t->len), t->text);
}

/* Digits (hex or decimal) with single underscores between them, from p,
** into *v (saturating: *over set past 2^64-1). The count consumed, 0 when
** no well-formed run starts there. */
static size_t digits(const char *p, const char *end, bool hex, uint64_t *v, bool *over) {
  const char *q = p;
  *v = 0;
  *over = false;
  while (q < end) {
    int d = hex ? hexval((unsigned char)*q) : (*q >= '0' && *q <= '9' ? *q - '0' : -1);
    if (d < 0) {
      if (*q == '_' && q > p && q + 1 < end && q[-1] != '_') {
        q++;
        continue;
      }
      break;
    }
    unsigned base = hex ? 16 : 10;
    if (*v > (UINT64_MAX - (uint64_t)d) / base) *over = true;
    *v = *v * base + (uint64_t)d;
    q++;
  }
  if (q > p && q[-1] == '_') return 0;
  return (size_t)(q - p);
}

/* An integer token: sign, magnitude. 1 when it is not an integer at all. */
static int parse_int(const wm_tok *t, bool *neg, bool *sign, uint64_t *mag, bool *over) {
  const char *p = t->text, *end = t->text + t->len;
  *neg = *sign = false;
  if (p < end && (*p == '+' || *p == '-')) {
    *sign = true;
    *neg = *p == '-';
    p++;
  }
  bool hex = end - p > 2 && p[0] == '0' && p[1] == 'x';
  if (hex) p += 2;
  size_t n = digits(p, end, hex, mag, over);
  return n == 0 || p + n != end ? 1 : 0;
}

static int to_int(const wm_tok *t, unsigned bits, bool allow_sign, uint64_t *out, wm_error *err) {
  bool neg, sign, over;
  uint64_t mag;
  if (t->kind != WM_TOK_NUM || parse_int(t, &neg, &sign, &mag, &over))
    return num_error(t, err, "unexpected token, expected an integer");
  if (sign && !allow_sign) return num_error(t, err, "unexpected token, expected an unsigned integer");
  uint64_t umax = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
  uint64_t smin = (uint64_t)1 << (bits - 1); /* magnitude of the most negative */
  if (over || (neg ? mag > smin : mag > umax)) return num_error(t, err, "constant out of range");
  *out = neg ? (0 - mag) & umax : mag;
  return 0;
}

int wm__tok_u32(const wm_tok *t, uint32_t *out, wm_error *err) {
  uint64_t v = 0;
  int rc = to_int(t, 32, false, &v, err);
  if (!rc) *out = (uint32_t)v;
  return rc;
}

int wm__tok_u64(const wm_tok *t, uint64_t *out, wm_error *err) {
  return to_int(t, 64, false, out, err);
}

int wm__tok_i32(const wm_tok *t, uint32_t *out, wm_error *err) {
  uint64_t v = 0;
  int rc = to_int(t, 32, true, &v, err);
  if (!rc) *out = (uint32_t)v;
  return rc;
}

int wm__tok_i64(const wm_tok *t, uint64_t *out, wm_error *err) {
  return to_int(t, 64, true, out, err);
}

int wm__tok_int(const wm_tok *t, unsigned bits, uint64_t *out, wm_error *err) {
  return to_int(t, bits, true, out, err);
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

/*
** A float token into `clean` (without underscores, for strtod), after
** checking its form: [+-] then inf, nan, nan:0xHEX, a decimal num[.num?]
** [e[+-]num] or 0xhexnum[.hexnum?][p[+-]num]. *kind: 0 finite, 1 inf,
** 2 nan (*has_payload for nan:0x...). 1 when malformed.
*/
static int float_form(const wm_tok *t, char *clean, int *kind, bool *neg, uint64_t *payload,
                      bool *pay_over, bool *has_payload) {
  const char *p = t->text, *end = t->text + t->len;
  size_t n = 0;
  uint64_t v;
  bool over;
  *neg = false;
  *kind = 0;
  *has_payload = false;
  if (t->kind != WM_TOK_NUM && t->kind != WM_TOK_KEYWORD) return 1;
  if (p < end && (*p == '+' || *p == '-')) {
    *neg = *p == '-';
    clean[n++] = *p++;
  }
  size_t rest = (size_t)(end - p);
  if (rest == 3 && memcmp(p, "inf", 3) == 0) {
    *kind = 1;
    return 0;
  }
  if (rest == 3 && memcmp(p, "nan", 3) == 0) {
    *kind = 2;
    *payload = 0;
    return 0;
  }
  if (rest > 6 && memcmp(p, "nan:0x", 6) == 0) {
    size_t k = digits(p + 6, end, true, payload, pay_over);
    if (k == 0 || p + 6 + k != end) return 1;
    *kind = 2;
    *has_payload = true;
    return 0;
  }
  bool hex = rest > 2 && p[0] == '0' && p[1] == 'x';
  if (hex) {
    clean[n++] = '0';
    clean[n++] = 'x';
    p += 2;
  }
  /* mantissa: digits, optionally '.', optionally more digits */
  for (int part = 0; part < 2; part++) {
    const char *q = p;
    size_t k = digits(p, end, hex, &v, &over);
    if (k == 0 && part == 0) return 1;
    for (; q < p + k; q++)
      if (*q != '_') clean[n++] = *q;
    p += k;
    if (part == 0) {
      if (p < end && *p == '.') {
        clean[n++] = *p++;
      } else {
        break;
      }
    }
  }
  if (p < end && (hex ? (*p == 'p' || *p == 'P') : (*p == 'e' || *p == 'E'))) {
    clean[n++] = *p++;
    if (p < end && (*p == '+' || *p == '-')) clean[n++] = *p++;
    const char *q = p;
    size_t k = digits(p, end, false, &v, &over);
    if (k == 0) return 1;
    for (; q < p + k; q++)
      if (*q != '_') clean[n++] = *q;
    p += k;
  }
  if (p != end) return 1;
  clean[n] = 0;
  return 0;
}

/* A float of either width, as the bits of an f32 (single) or an f64. */
static int to_float(const wm_tok *t, bool single, uint64_t *bits, wm_error *err) {
  const uint64_t sign = single ? 0x80000000u : (uint64_t)1 << 63;
  const uint64_t inf = single ? 0x7F800000u : 0x7FF0000000000000ull;
  const uint64_t quiet = single ? 0x400000u : 0x8000000000000ull; /* the canonical NaN */
  const uint64_t max_payload = single ? 0x7FFFFFu : 0xFFFFFFFFFFFFFull;
  char *clean = wm__malloc(t->len + 8);
  int kind, rc = 0;
  bool neg, pay_over = false, has_payload;
  uint64_t payload = 0;
  if (!clean) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (float_form(t, clean, &kind, &neg, &payload, &pay_over, &has_payload)) {
    rc = num_error(t, err, "unexpected token, expected a float");
  } else if (kind == 1) {
    *bits = (neg ? sign : 0) | inf;
  } else if (kind == 2) {
    if (has_payload && (pay_over || payload == 0 || payload > max_payload))
      rc = num_error(t, err, "constant out of range");
    else *bits = (neg ? sign : 0) | inf | (has_payload ? payload : quiet);
  } else {
    pthread_once(&c_locale_once, make_c_locale);
    if (single) {
      float f = c_locale ? strtof_l(clean, NULL, c_locale) : strtof(clean, NULL);
      uint32_t b;
      memcpy(&b, &f, 4);
      *bits = b;
      if (isinf(f)) rc = num_error(t, err, "constant out of range");
    } else {
      double d = c_locale ? strtod_l(clean, NULL, c_locale) : strtod(clean, NULL);
      memcpy(bits, &d, 8);
      if (isinf(d)) rc = num_error(t, err, "constant out of range");
    }
  }
  wm__free(clean);
  return rc;
}

int wm__tok_f32(const wm_tok *t, uint32_t *bits, wm_error *err) {
  uint64_t b = 0;
  int rc = to_float(t, true, &b, err);
  if (!rc) *bits = (uint32_t)b;
  return rc;
}

int wm__tok_f64(const wm_tok *t, uint64_t *bits, wm_error *err) {
  return to_float(t, false, bits, err);
}
