/* SPDX-License-Identifier: MIT */
/*
** lex.h -- the tokens of the WebAssembly text format (the spec's 6.3):
** parentheses, keywords, $ids, strings and numbers, with whitespace,
** comments and annotations skipped; and the conversions of number and
** string tokens to values, which the parser applies once it knows the type
** a token must have. The text-format parser (parse.h) uses them.
**
** Errors are WM_EMALFORMED with the message "LINE:COL: what", the caller
** prefixing a file name; a conversion error names the token's place too.
*/
#ifndef WM_LEX_H
#define WM_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmem.h"

typedef enum wm_tok_kind {
  WM_TOK_EOF,
  WM_TOK_LPAREN,
  WM_TOK_RPAREN,
  WM_TOK_KEYWORD,  /* a-z then idchars: module, i32.add, offset=8 */
  WM_TOK_ID,       /* $name, or $"any string" */
  WM_TOK_STRING,   /* "..." with its quotes; wm__tok_string decodes it */
  WM_TOK_NUM,      /* an integer or float literal, converted by type */
  WM_TOK_RESERVED  /* idchars that are none of the above: an error where used */
} wm_tok_kind;

typedef struct wm_tok {
  wm_tok_kind kind;
  const char *text; /* into the source */
  size_t len;
  uint32_t line, col; /* 1-based; col counts bytes */
} wm_tok;

typedef struct wm_lexer {
  const char *src;
  size_t len, pos;
  uint32_t line;
  size_t line_start;
  wm_error *err;
} wm_lexer;

void wm__lex_init(wm_lexer *lx, const char *src, size_t len, wm_error *err);
/* The next token into *out (WM_TOK_EOF at the end): 0, or WM_EMALFORMED
** for a malformed string, comment or annotation, or a stray byte. */
int wm__lex_next(wm_lexer *lx, wm_tok *out);

/* A string token's bytes, escapes decoded, into out (room for t->len
** bytes is always enough); returns their count. The lexer has checked the
** token, so this cannot fail. */
size_t wm__tok_string(const wm_tok *t, uint8_t *out);

/* Are the n bytes at s well-formed UTF-8 (no overlong forms, surrogates or
** code points past U+10FFFF)? A string token's decoded bytes may not be. */
bool wm__utf8_valid(const uint8_t *s, size_t n);

/* Numbers, by the type the parser expects. Each returns 0 or
** WM_EMALFORMED ("LINE:COL: ..."): not a number of that form, or
** "constant out of range". u32: an unsigned index, alignment or offset.
** i32/i64: signed or unsigned, as the bits of the two's complement. f32 and
** f64: decimal or hexadecimal, correctly rounded; inf, nan, nan:0xPAYLOAD. */
int wm__tok_u32(const wm_tok *t, uint32_t *out, wm_error *err);
int wm__tok_u64(const wm_tok *t, uint64_t *out, wm_error *err);
int wm__tok_i32(const wm_tok *t, uint32_t *out, wm_error *err);
int wm__tok_i64(const wm_tok *t, uint64_t *out, wm_error *err);
/* An integer of bits <= 64 bits, signed or unsigned (a v128 lane of a
** script's constant): its two's complement bits. */
int wm__tok_int(const wm_tok *t, unsigned bits, uint64_t *out, wm_error *err);
int wm__tok_f32(const wm_tok *t, uint32_t *bits, wm_error *err);
int wm__tok_f64(const wm_tok *t, uint64_t *bits, wm_error *err);

#endif
