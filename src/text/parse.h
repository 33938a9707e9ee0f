/* SPDX-License-Identifier: MIT */
/*
** parse.h -- the text format's parser (the spec's 6.4-6.6): a module in
** text becomes the bytes of the same module in binary, exactly as wabt's
** wat2wasm writes them (same section order, minimal LEBs, the same choice
** among equivalent encodings), so that the loader does the rest. parse.c
** holds the module fields and the index spaces, parse_instr.c the
** instructions; this header is what they share.
**
** Errors are WM_EMALFORMED "LINE:COL: message" (the lexer's convention);
** wm_module_load_file prefixes the file name.
*/
#ifndef WM_PARSE_H
#define WM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lex.h"
#include "util.h"

/* Text -> binary. *out is wm__malloc'd (free with wm__free / wm_free). */
int wm__wat_parse(const char *src, size_t len, uint8_t **out, size_t *out_len, wm_error *err);
/* A file in text: 0 with the binary in *out, or an error whose message
** starts with the path. WP_NOT_TEXT when it is not text (binary, or not a
** module at all: the binary loader says what is wrong); WP_BYTES for a
** file that is not regular (a pipe: it cannot be read twice) and not text,
** its bytes in *out for the binary loader. */
#define WP_NOT_TEXT 1
#define WP_BYTES 2
int wm__wat_file(const char *path, uint8_t **out, size_t *out_len, wm_error *err);
/* Does the module look like text: is its first token, past whitespace and
** comments, a '('? (A binary module begins with "\0asm".) */
bool wm__wat_is_text(const uint8_t *bytes, size_t len);

/* ------------------------------------------------- shared by the parser */

/* A growable byte buffer. An allocation failure sticks in `oom` and later
** writes are dropped: callers check once, at the end. */
typedef struct wp_buf {
  uint8_t *p;
  size_t n, cap;
  bool oom;
} wp_buf;

void wp_byte(wp_buf *b, uint8_t v);
void wp_bytes(wp_buf *b, const void *v, size_t n);
void wp_u32(wp_buf *b, uint32_t v); /* unsigned LEB128, minimal */
void wp_u64(wp_buf *b, uint64_t v);
void wp_s32(wp_buf *b, int32_t v);  /* signed LEB128, minimal */
void wp_s64(wp_buf *b, int64_t v);

/* Name -> index, for one index space (open addressing). */
typedef struct wp_names {
  struct wp_name { const char *s; uint32_t len, index; } *slot;
  uint32_t cap, n;
} wp_names;

/* The index spaces that ids name. */
enum { SP_TYPE, SP_FUNC, SP_TABLE, SP_MEM, SP_GLOBAL, SP_ELEM, SP_DATA, SP_LOCAL, SP_TAG, SP_N };

/* A defined type. Value types are kept as their binary encodings, one
** after another: a byte (i32 ... v128, a nullable abstract reference as its
** shorthand, funcref ...), or 0x63/0x64 (ref null / ref) and a heap type
** (an abstract one's byte, or a type index as an s33); wp_vt_len measures
** one. Encodings are canonical, so types compare with memcmp. */
typedef struct wp_type {
  uint32_t np, nr; /* a function type's params and results ... */
  uint8_t *vt;     /* ... their encodings, params first */
  uint32_t nvt;    /* bytes in vt */
  uint8_t *def;    /* the type's entry in the type section: comptype, or
                      sub (0x50) / sub final (0x4F) with its supertypes */
  uint32_t ndef;
  uint32_t rec;    /* the first type of a (rec ...) group: the group's size;
                      0 for the other types of the group and for types alone */
  bool func;       /* a function type */
  bool plain;      /* a function type alone, final, without supertypes: the
                      only kind an inline type use names */
} wp_type;

/* A (rec) with no types at all is an entry of the type section too: its
** place is the number of types before it. */
typedef struct wp_recs {
  uint32_t *at;
  uint32_t n, cap;
} wp_recs;

typedef struct wp_label {
  const char *name; /* NULL when the block has no id */
  uint32_t len;
  uint8_t kind; /* the opcode: 0x02 block, 0x03 loop, 0x04 if; 0x05 once its else is seen */
  size_t else_end; /* where the else branch starts in the code: wat2wasm
                      writes no else opcode for an empty else branch */
} wp_label;

/* A type use: (type x)? (param ...)* (result ...)*. With `names`, the
** params' ids go into SP_LOCAL as locals 0, 1, ... */
typedef struct wp_use {
  bool has_type;
  uint32_t typeidx; /* when has_type */
  uint32_t np, nr;  /* the inline params and results, their types in vt */
  wp_buf vt;
  wm_tok at;        /* where the use starts, for errors */
} wp_use;
typedef struct wp {
  wm_lexer lx;
  wm_tok t; /* the current token */
  wm_error *err;
  wp_names names[SP_N];
  uint32_t count[SP_N];
  wp_type *types;
  uint32_t ntypes, captypes;
  wp_recs empty_recs; /* the places of empty (rec) groups */
  wp_label *labels;
  uint32_t nlabels, caplabels;
  uint32_t depth;   /* folded instructions being parsed, bounded */
  uintptr_t stack_floor; /* and the C stack they may use (cstack.h) */
  bool data_instr;  /* memory.init or data.drop seen: a data count section */
  wp_buf tmp;       /* scratch */
  wp_use bt;        /* the block type being parsed */
  char **quoted;    /* decoded $"..." ids, freed at the end */
  uint32_t nquoted, capquoted;
  /* The ids of struct fields: field `field` of type `type` (pass 1). */
  struct wp_field { const char *s; uint32_t len, type, field; } *fields;
  uint32_t nfields, capfields;
} wp;

/* The deepest nesting of folded instructions (each level is a C call of
** about half a kilobyte); a thread with a small stack stops sooner, at the
** floor cstack.h gives. */
#define WP_MAX_DEPTH 1000

int wp_error(wp *p, const wm_tok *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int wp_next(wp *p);
bool wp_kw(const wp *p, const char *kw); /* the current token is keyword kw */
bool wp_lparen_kw(wp *p, const char *kw); /* '(' kw, without consuming */
int wp_expect(wp *p, wm_tok_kind kind, const char *what);
int wp_expect_lparen_kw(wp *p, const char *kw);
int wp_skip_to_close(wp *p); /* past the ')' closing the current level */
int wp_unexpected(wp *p, const char *what); /* "expected WHAT, got ..." */
int wp_name_key(wp *p, const wm_tok *id, const char **s, uint32_t *len);
int wp_index(wp *p, int space, uint32_t *out); /* a NUM or an ID of `space` */
bool wp_at_index(const wp *p);                 /* the current token is a NUM or an ID */
int wp_names_add(wp *p, int space, const wm_tok *id, uint32_t index);
/* Field id `id` of type `type`; a NUM or an ID of its fields. */
int wp_field_add(wp *p, const wm_tok *id, uint32_t type, uint32_t field);
int wp_field_index(wp *p, uint32_t type, uint32_t *out);
void wp_names_clear(wp_names *n);
/* A value type, its encoding appended to out; a heap type likewise (an
** abstract one's byte or a type index). */
int wp_valtype(wp *p, wp_buf *out);
int wp_heaptype(wp *p, wp_buf *out);
size_t wp_vt_len(const uint8_t *vt); /* bytes of the encoding at vt */
/* The inside of a (param ...), (result ...), (local ...) group, past its
** keyword through its ')': any number of value types, or (unless ids is
** WP_ID_NONE) an id and one type, the id naming local id_base + *n when
** ids is WP_ID_NAMED. The types are appended to vt and counted in *n. */
enum { WP_ID_NONE, WP_ID_IGNORED, WP_ID_NAMED };
int wp_types_group(wp *p, wp_buf *vt, uint32_t *n, int ids, uint32_t id_base);
/* A type use; with names, param ids name locals (a function's), else they
** are refused (a block type's, call_indirect's). */
int wp_use_parse(wp *p, wp_use *u, bool names);
/* The type index of a function's use (explicit, or found or added):
** an explicit type with an inline signature must match it. */
int wp_use_index(wp *p, wp_use *u, uint32_t *out);
int wp_type_find_or_add(wp *p, const uint8_t *vt, uint32_t nvt, uint32_t np, uint32_t nr,
                        uint32_t *out);

/* parse_instr.c: instructions until the ')' closing their list (not
** consumed), into code; labels opened here must close here. */
int wp_instrs(wp *p, wp_buf *code);
/* One folded instruction, from its '(' through its ')'. */
int wp_folded(wp *p, wp_buf *code);

#endif
