/* SPDX-License-Identifier: MIT */
/*
** parse.c -- a text module to binary (see parse.h): the module fields,
** the index spaces and the sections.
**
** Two passes, as the text format needs (an id may be used before the field
** that defines it). The first walks the fields and gives every id its
** index, in each space in order of appearance (imports come first: the
** text format forbids an import after a definition), and parses the
** explicit types whole. The second parses every field and writes each
** section's entries into its own buffer; types used but not defined are
** added to the type section in the order the spec gives (and wat2wasm
** follows): at each function's and import's type use, in field order, and
** at each block type or call_indirect of a body as its instruction is
** written. The sections are joined at the end.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cstack.h"
#include "parse.h"

/* ------------------------------------------------------------- buffers */

void wp_bytes(wp_buf *b, const void *v, size_t n) {
  if (b->oom || !n) return;
  if (b->cap - b->n < n) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->n < n) {
      if (cap > SIZE_MAX / 2) {
        b->oom = true;
        return;
      }
      cap *= 2;
    }
    uint8_t *q = wm__realloc(b->p, cap);
    if (!q) {
      b->oom = true;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->n, v, n);
  b->n += n;
}

void wp_byte(wp_buf *b, uint8_t v) { wp_bytes(b, &v, 1); }

void wp_u32(wp_buf *b, uint32_t v) { wp_u64(b, v); }

void wp_u64(wp_buf *b, uint64_t v) {
  do {
    uint8_t c = v & 0x7F;
    v >>= 7;
    wp_byte(b, (uint8_t)(c | (v ? 0x80 : 0)));
  } while (v);
}

void wp_s64(wp_buf *b, int64_t v) {
  for (;;) {
    uint8_t c = (uint8_t)(v & 0x7F);
    v >>= 7; /* arithmetic on the compilers we build with */
    bool done = (v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40));
    wp_byte(b, (uint8_t)(c | (done ? 0 : 0x80)));
    if (done) return;
  }
}

void wp_s32(wp_buf *b, int32_t v) { wp_s64(b, v); }

static void buf_free(wp_buf *b) {
  wm__free(b->p);
  b->p = NULL;
  b->n = b->cap = 0;
}

/* -------------------------------------------------------------- errors */

int wp_error(wp *p, const wm_tok *at, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return wm__error(p->err, WM_EMALFORMED, UINT32_MAX, "%u:%u: %s", (unsigned)at->line,
                   (unsigned)at->col, msg);
}

/* A token for messages: at most 32 bytes of it. */
#define TOKF "%.*s"
#define TOKA(t) (int)((t)->len > 32 ? 32 : (t)->len), (t)->text

/* -------------------------------------------------------------- tokens */

int wp_next(wp *p) { return wm__lex_next(&p->lx, &p->t); }

static bool tok_is(const wm_tok *t, const char *kw) {
  size_t n = strlen(kw);
  return t->kind == WM_TOK_KEYWORD && t->len == n && memcmp(t->text, kw, n) == 0;
}

bool wp_kw(const wp *p, const char *kw) { return tok_is(&p->t, kw); }

bool wp_lparen_kw(wp *p, const char *kw) {
  if (p->t.kind != WM_TOK_LPAREN) return false;
  wm_lexer save = p->lx;
  wm_tok t;
  save.err = NULL; /* a lexical error here is reported when reached */
  if (wm__lex_next(&save, &t)) return false;
  return tok_is(&t, kw);
}

/* The token after the current one, not consumed: a lexical error there is
** reported when it is reached (until then it reads as end of input). */
static wm_tok peek(const wp *p) {
  wm_lexer save = p->lx;
  wm_tok t;
  save.err = NULL;
  if (wm__lex_next(&save, &t)) t.kind = WM_TOK_EOF;
  return t;
}

static const char *kind_name(wm_tok_kind k) {
  switch (k) {
    case WM_TOK_EOF: return "end of input";
    case WM_TOK_LPAREN: return "'('";
    case WM_TOK_RPAREN: return "')'";
    case WM_TOK_KEYWORD: return "a keyword";
    case WM_TOK_ID: return "an id";
    case WM_TOK_STRING: return "a string";
    case WM_TOK_NUM: return "a number";
    default: return "a reserved token";
  }
}

int wp_unexpected(wp *p, const char *what) {
  if (p->t.kind == WM_TOK_EOF) return wp_error(p, &p->t, "expected %s, got end of input", what);
  return wp_error(p, &p->t, "expected %s, got '" TOKF "'", what, TOKA(&p->t));
}

int wp_expect(wp *p, wm_tok_kind kind, const char *what) {
  if (p->t.kind != kind) return wp_unexpected(p, what ? what : kind_name(kind));
  return wp_next(p);
}

int wp_expect_lparen_kw(wp *p, const char *kw) {
  char what[48];
  snprintf(what, sizeof what, "'(%s'", kw);
  if (!wp_lparen_kw(p, kw)) return wp_unexpected(p, what);
  int rc = wp_next(p);
  return rc ? rc : wp_next(p);
}

/* ---------------------------------------------------------------- names */

static uint32_t hash(const char *s, uint32_t len) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

/* The slot for key s: the one holding it, or the empty one it would go in. */
static struct wp_name *names_slot(const wp_names *n, const char *s, uint32_t len) {
  uint32_t i = hash(s, len) & (n->cap - 1);
  for (;;) {
    struct wp_name *e = &n->slot[i];
    if (!e->s || (e->len == len && memcmp(e->s, s, len) == 0)) return e;
    i = (i + 1) & (n->cap - 1);
  }
}

static bool names_find(const wp_names *n, const char *s, uint32_t len, uint32_t *index) {
  if (!n->cap) return false;
  struct wp_name *e = names_slot(n, s, len);
  if (!e->s) return false;
  *index = e->index;
  return true;
}

void wp_names_clear(wp_names *n) {
  wm__free(n->slot);
  n->slot = NULL;
  n->cap = n->n = 0;
}

/* An id's key: the bytes after '$', or the decoded string of $"...". */
int wp_name_key(wp *p, const wm_tok *id, const char **s, uint32_t *len) {
  if (id->len > UINT32_MAX) return wp_error(p, id, "id too long");
  if (id->text[1] != '"') {
    *s = id->text + 1;
    *len = (uint32_t)id->len - 1;
    return 0;
  }
  if (wm__grow((void **)&p->quoted, &p->capquoted, p->nquoted + 1, sizeof *p->quoted))
    return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
  char *d = wm__malloc(id->len);
  if (!d) return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
  p->quoted[p->nquoted++] = d;
  *s = d;
  *len = (uint32_t)wm__tok_string(id, (uint8_t *)d);
  return 0;
}

static const char *const space_name[SP_N] = {"type", "function", "table", "memory",
                                              "global", "elem segment", "data segment", "local",
                                              "tag"};

int wp_names_add(wp *p, int space, const wm_tok *id, uint32_t index) {
  wp_names *n = &p->names[space];
  const char *s;
  uint32_t len;
  int rc = wp_name_key(p, id, &s, &len);
  if (rc) return rc;
  if ((n->n + 1) * 2 > n->cap) {
    wp_names bigger = {NULL, n->cap ? n->cap * 2 : 16, n->n};
    if (bigger.cap < n->cap || !(bigger.slot = wm__calloc(bigger.cap, sizeof *bigger.slot)))
      return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
    for (uint32_t i = 0; i < n->cap; i++)
      if (n->slot[i].s) *names_slot(&bigger, n->slot[i].s, n->slot[i].len) = n->slot[i];
    wm__free(n->slot);
    *n = bigger;
  }
  struct wp_name *e = names_slot(n, s, len);
  if (e->s) return wp_error(p, id, "duplicate %s " TOKF, space_name[space], TOKA(id));
  e->s = s;
  e->len = len;
  e->index = index;
  n->n++;
  return 0;
}

int wp_field_add(wp *p, const wm_tok *id, uint32_t type, uint32_t field) {
  const char *s;
  uint32_t len;
  int rc = wp_name_key(p, id, &s, &len);
  if (rc) return rc;
  for (uint32_t i = p->nfields; i-- > 0 && p->fields[i].type == type;)
    if (p->fields[i].len == len && memcmp(p->fields[i].s, s, len) == 0)
      return wp_error(p, id, "duplicate field " TOKF, TOKA(id));
  if (wm__grow((void **)&p->fields, &p->capfields, p->nfields + 1, sizeof *p->fields))
    return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
  p->fields[p->nfields++] = (struct wp_field){s, len, type, field};
  return 0;
}

int wp_field_index(wp *p, uint32_t type, uint32_t *out) {
  if (p->t.kind == WM_TOK_NUM) {
    int rc = wm__tok_u32(&p->t, out, p->err);
    return rc ? rc : wp_next(p);
  }
  if (p->t.kind != WM_TOK_ID) return wp_unexpected(p, "a field");
  const char *s;
  uint32_t len;
  int rc = wp_name_key(p, &p->t, &s, &len);
  if (rc) return rc;
  for (uint32_t i = 0; i < p->nfields; i++)
    if (p->fields[i].type == type && p->fields[i].len == len && memcmp(p->fields[i].s, s, len) == 0) {
      *out = p->fields[i].field;
      return wp_next(p);
    }
  return wp_error(p, &p->t, "unknown field " TOKF, TOKA(&p->t));
}

bool wp_at_index(const wp *p) { return p->t.kind == WM_TOK_NUM || p->t.kind == WM_TOK_ID; }

int wp_index(wp *p, int space, uint32_t *out) {
  if (p->t.kind == WM_TOK_NUM) {
    int rc = wm__tok_u32(&p->t, out, p->err);
    return rc ? rc : wp_next(p);
  }
  if (p->t.kind != WM_TOK_ID) {
    char what[48];
    snprintf(what, sizeof what, "a %s index or id", space_name[space]);
    return wp_unexpected(p, what);
  }
  const char *s;
  uint32_t len;
  int rc = wp_name_key(p, &p->t, &s, &len);
  if (rc) return rc;
  if (!names_find(&p->names[space], s, len, out))
    return wp_error(p, &p->t, "unknown %s " TOKF, space_name[space], TOKA(&p->t));
  return wp_next(p);
}

/* ---------------------------------------------------------------- types */

/* The abstract heap types: their names, the names of their nullable
** references, and their codes (also the references' shorthands). */
static const struct { const char *name, *ref; uint8_t code; } heap_types[] = {
    {"func", "funcref", 0x70},      {"extern", "externref", 0x6F},
    {"exn", "exnref", 0x69},        {"any", "anyref", 0x6E},
    {"eq", "eqref", 0x6D},          {"i31", "i31ref", 0x6C},
    {"struct", "structref", 0x6B},  {"array", "arrayref", 0x6A},
    {"none", "nullref", 0x71},      {"noextern", "nullexternref", 0x72},
    {"nofunc", "nullfuncref", 0x73}, {"noexn", "nullexnref", 0x74}};

int wp_heaptype(wp *p, wp_buf *out) {
  for (size_t i = 0; i < sizeof heap_types / sizeof *heap_types; i++) {
    if (wp_kw(p, heap_types[i].name)) {
      wp_byte(out, heap_types[i].code);
      return wp_next(p);
    }
  }
  if (!wp_at_index(p)) return wp_unexpected(p, "a heap type");
  uint32_t idx;
  int rc = wp_index(p, SP_TYPE, &idx);
  if (rc) return rc;
  if (idx > INT32_MAX) return wp_error(p, &p->t, "type index out of range");
  wp_s32(out, (int32_t)idx); /* an s33, as a positive s32 is written */
  return 0;
}

int wp_valtype(wp *p, wp_buf *out) {
  static const struct { const char *name; uint8_t code; } vts[] = {
      {"i32", 0x7F}, {"i64", 0x7E}, {"f32", 0x7D}, {"f64", 0x7C}, {"v128", 0x7B}};
  int rc;
  for (size_t i = 0; i < sizeof vts / sizeof *vts; i++) {
    if (wp_kw(p, vts[i].name)) {
      wp_byte(out, vts[i].code);
      return wp_next(p);
    }
  }
  for (size_t i = 0; i < sizeof heap_types / sizeof *heap_types; i++) {
    if (wp_kw(p, heap_types[i].ref)) {
      wp_byte(out, heap_types[i].code);
      return wp_next(p);
    }
  }
  if (!wp_lparen_kw(p, "ref")) return wp_unexpected(p, "a value type");
  /* (ref null? ht): a nullable abstract one as its shorthand. */
  if ((rc = wp_next(p)) || (rc = wp_next(p))) return rc;
  bool null = wp_kw(p, "null");
  if (null && (rc = wp_next(p))) return rc;
  size_t at = out->n;
  wp_byte(out, null ? 0x63 : 0x64);
  if ((rc = wp_heaptype(p, out))) return rc;
  if (null && !out->oom && out->n == at + 2 && out->p[at + 1] >= 0x40 && out->p[at + 1] < 0x80) {
    out->p[at] = out->p[at + 1]; /* a one-byte negative s33: abstract */
    out->n--;
  }
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

size_t wp_vt_len(const uint8_t *vt) {
  if (vt[0] != 0x63 && vt[0] != 0x64) return 1;
  size_t k = 1;
  while (vt[k] & 0x80) k++;
  return k + 1;
}

/* Bytes of the first n encodings at vt. */
static size_t vts_len(const uint8_t *vt, uint32_t n) {
  size_t k = 0;
  for (uint32_t i = 0; i < n; i++) k += wp_vt_len(vt + k);
  return k;
}

static bool sig_eq(const wp_type *t, const uint8_t *vt, uint32_t nvt, uint32_t np, uint32_t nr) {
  return t->func && t->np == np && t->nr == nr && t->nvt == nvt &&
         (nvt == 0 || memcmp(t->vt, vt, nvt) == 0);
}

/* A function type's comptype: 0x60, params, results. */
static void func_comptype(wp_buf *out, const uint8_t *vt, uint32_t nvt, uint32_t np, uint32_t nr) {
  size_t pb = vts_len(vt, np);
  wp_byte(out, 0x60);
  wp_u32(out, np);
  wp_bytes(out, vt, pb);
  wp_u32(out, nr);
  wp_bytes(out, vt + pb, nvt - pb);
}

/* A new type: def its section entry (moved in, or freed on failure), vt
** its signature when a function type (copied). */
static int type_add(wp *p, wp_buf *def, const uint8_t *vt, uint32_t nvt, uint32_t np,
                    uint32_t nr, bool func, bool plain) {
  wp_type *t = NULL;
  if (!def->oom && !wm__grow((void **)&p->types, &p->captypes, p->ntypes + 1, sizeof *p->types)) {
    t = &p->types[p->ntypes];
    memset(t, 0, sizeof *t);
    t->vt = wm__malloc(nvt ? nvt : 1);
  }
  if (!t || !t->vt) {
    buf_free(def); /* ours either way */
    return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  if (nvt) memcpy(t->vt, vt, nvt);
  t->nvt = nvt;
  t->np = np;
  t->nr = nr;
  t->func = func;
  t->plain = plain;
  t->def = def->p;
  t->ndef = (uint32_t)def->n;
  *def = (wp_buf){0};
  p->ntypes++;
  return 0;
}

int wp_type_find_or_add(wp *p, const uint8_t *vt, uint32_t nvt, uint32_t np, uint32_t nr,
                        uint32_t *out) {
  for (uint32_t i = 0; i < p->ntypes; i++) {
    if (p->types[i].plain && sig_eq(&p->types[i], vt, nvt, np, nr)) {
      *out = i;
      return 0;
    }
  }
  *out = p->ntypes;
  wp_buf def = {0};
  func_comptype(&def, vt, nvt, np, nr);
  return type_add(p, &def, vt, nvt, np, nr, true, true);
}

int wp_types_group(wp *p, wp_buf *vt, uint32_t *n, int ids, uint32_t id_base) {
  int rc;
  if (p->t.kind == WM_TOK_ID && ids != WP_ID_NONE) {
    if (ids == WP_ID_NAMED && (rc = wp_names_add(p, SP_LOCAL, &p->t, id_base + *n))) return rc;
    if ((rc = wp_next(p)) || (rc = wp_valtype(p, vt))) return rc;
    ++*n;
  } else {
    while (p->t.kind != WM_TOK_RPAREN) {
      if (*n == UINT32_MAX - id_base) return wp_error(p, &p->t, "too many value types");
      if ((rc = wp_valtype(p, vt))) return rc;
      ++*n;
    }
  }
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

/* (param $id? t) | (param t*) groups, then (result t*) groups. ids says
** what a param id does: WP_ID_NAMED adds it to SP_LOCAL (a function), with
** WP_ID_IGNORED it is allowed and means nothing (a type definition), and
** WP_ID_NONE refuses it (block types and call_indirect, where the spec's
** grammar has no ids). */
static int sig_parse(wp *p, wp_buf *vt, uint32_t *np, uint32_t *nr, int ids) {
  int rc;
  *np = *nr = 0;
  while (wp_lparen_kw(p, "param")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p))) return rc;
    if ((rc = wp_types_group(p, vt, np, ids, 0))) return rc;
  }
  while (wp_lparen_kw(p, "result")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p))) return rc;
    if ((rc = wp_types_group(p, vt, nr, WP_ID_NONE, 0))) return rc;
  }
  if (wp_lparen_kw(p, "param")) return wp_error(p, &p->t, "param after result");
  return vt->oom ? wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL) : 0;
}

int wp_use_parse(wp *p, wp_use *u, bool names) {
  int rc;
  u->at = p->t;
  u->has_type = false;
  u->vt.n = 0;
  if (wp_lparen_kw(p, "type")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p))) return rc;
    if ((rc = wp_index(p, SP_TYPE, &u->typeidx))) return rc;
    if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
    u->has_type = true;
  }
  return sig_parse(p, &u->vt, &u->np, &u->nr, names ? WP_ID_NAMED : WP_ID_NONE);
}

int wp_use_index(wp *p, wp_use *u, uint32_t *out) {
  uint32_t nvt = (uint32_t)u->vt.n;
  if (!u->has_type) return wp_type_find_or_add(p, u->vt.p, nvt, u->np, u->nr, out);
  *out = u->typeidx;
  if (u->np + u->nr == 0) return 0;
  if (u->typeidx >= p->ntypes || !sig_eq(&p->types[u->typeidx], u->vt.p, nvt, u->np, u->nr))
    return wp_error(p, &u->at, "inline function type does not match type %u",
                    (unsigned)u->typeidx);
  return 0;
}

/* -------------------------------------------------------------- modules */

/* The sections we write, in their binary order. */
enum { S_TYPE, S_IMPORT, S_FUNC, S_TABLE, S_MEM, S_TAG, S_GLOBAL, S_EXPORT, S_START, S_ELEM,
       S_DATACOUNT, S_CODE, S_DATA, S_N };
static const uint8_t section_id[S_N] = {1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11};

typedef struct wp_module {
  wp_buf sec[S_N];
  uint32_t n[S_N];
  bool seen_def, seen_start;
  wp_use use;
  wp_buf body, lt; /* a function's body and its locals' types */
  wp_buf rt;       /* a table's or an element segment's reference type */
} wp_module;

/* Past the ')' closing the current parenthesis level; iterative. */
int wp_skip_to_close(wp *p) {
  uint32_t depth = 1;
  while (depth) {
    if (p->t.kind == WM_TOK_EOF) return wp_unexpected(p, "')'");
    if (p->t.kind == WM_TOK_LPAREN) depth++;
    if (p->t.kind == WM_TOK_RPAREN) depth--;
    int rc = wp_next(p);
    if (rc) return rc;
  }
  return 0;
}

static int string_tok(wp *p, wp_buf *out, bool with_len) {
  if (p->t.kind != WM_TOK_STRING) return wp_unexpected(p, "a string");
  p->tmp.n = 0;
  if (p->tmp.cap < p->t.len) {
    uint8_t *q = wm__realloc(p->tmp.p, p->t.len);
    if (!q) return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
    p->tmp.p = q;
    p->tmp.cap = p->t.len;
  }
  size_t n = wm__tok_string(&p->t, p->tmp.p);
  if (with_len) {
    if (n > UINT32_MAX) return wp_error(p, &p->t, "string too long");
    wp_u32(out, (uint32_t)n);
  }
  wp_bytes(out, p->tmp.p, n);
  return wp_next(p);
}

/* Pass 1 of one field, from its keyword: ids and counts, explicit types. */
/* ------------------------------------------------------ type definitions */

/* A field type, (mut st) or st, st a value type or i8/i16: written st, mut. */
static int fieldtype(wp *p, wp_buf *out) {
  int rc;
  bool mut = wp_lparen_kw(p, "mut");
  if (mut && ((rc = wp_next(p)) || (rc = wp_next(p)))) return rc;
  if (wp_kw(p, "i8") || wp_kw(p, "i16")) {
    wp_byte(out, wp_kw(p, "i8") ? 0x78 : 0x77);
    rc = wp_next(p);
  } else {
    rc = wp_valtype(p, out);
  }
  if (rc || (mut && (rc = wp_expect(p, WM_TOK_RPAREN, NULL)))) return rc;
  wp_byte(out, mut);
  return 0;
}

/* (struct (field $id? ft) | (field ft*) ...), past "struct", through its ')'. */
static int struct_type(wp *p, wp_buf *def) {
  wp_buf f = {0};
  uint32_t n = 0;
  int rc = 0;
  while (!rc && wp_lparen_kw(p, "field")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p))) break;
    if (p->t.kind == WM_TOK_ID) {
      if (!(rc = wp_field_add(p, &p->t, p->ntypes, n)) && !(rc = wp_next(p)) &&
          !(rc = fieldtype(p, &f)))
        n++;
    } else {
      while (!rc && p->t.kind != WM_TOK_RPAREN) {
        if (n == UINT32_MAX) rc = wp_error(p, &p->t, "too many fields");
        else if (!(rc = fieldtype(p, &f))) n++;
      }
    }
    if (!rc) rc = wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  if (!rc) {
    wp_byte(def, 0x5F);
    wp_u32(def, n);
    wp_bytes(def, f.p, f.n);
    if (f.oom) def->oom = true;
    rc = wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  buf_free(&f);
  return rc;
}

/* A type definition's inside, past "type" and its id: (func ...),
** (struct ...), (array ...), or (sub final? x* that), added as a type:
** plain when a final function type without supertypes (rec_field says
** whether it is alone). */
static int subtype(wp *p) {
  int rc;
  bool sub = wp_lparen_kw(p, "sub"), final = !sub, func = false;
  wp_buf def = {0}, vt = {0};
  uint32_t np = 0, nr = 0, nsupers = 0;
  if (sub) {
    wp_buf supers = {0};
    rc = wp_next(p);
    if (!rc) rc = wp_next(p);
    if (!rc && wp_kw(p, "final")) {
      final = true;
      rc = wp_next(p);
    }
    while (!rc && wp_at_index(p)) {
      uint32_t x;
      if (!(rc = wp_index(p, SP_TYPE, &x))) wp_u32(&supers, x);
      nsupers++;
    }
    wp_byte(&def, final ? 0x4F : 0x50);
    wp_u32(&def, nsupers);
    wp_bytes(&def, supers.p, supers.n);
    if (supers.oom) def.oom = true;
    buf_free(&supers);
    if (rc) goto done;
  }
  if (wp_lparen_kw(p, "func")) {
    func = true;
    if ((rc = wp_next(p)) || (rc = wp_next(p))) goto done;
    if ((rc = sig_parse(p, &vt, &np, &nr, WP_ID_IGNORED))) goto done;
    if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) goto done;
    if (vt.oom) def.oom = true;
    else func_comptype(&def, vt.p, (uint32_t)vt.n, np, nr);
  } else if (wp_lparen_kw(p, "struct")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p)) || (rc = struct_type(p, &def))) goto done;
  } else if (wp_lparen_kw(p, "array")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p))) goto done;
    wp_byte(&def, 0x5E);
    if ((rc = fieldtype(p, &def)) || (rc = wp_expect(p, WM_TOK_RPAREN, NULL))) goto done;
  } else {
    rc = wp_unexpected(p, sub ? "func, struct or array" : "func, struct, array or sub");
    goto done;
  }
  if (sub && (rc = wp_expect(p, WM_TOK_RPAREN, NULL))) goto done;
  rc = type_add(p, &def, vt.p, (uint32_t)vt.n, np, nr, func, func && final && !nsupers);
done:
  buf_free(&def);
  buf_free(&vt);
  return rc;
}

/* (type $id? subtype), past "type" (its id named in type_names). */
static int type_field(wp *p) {
  int rc;
  if (p->t.kind == WM_TOK_ID && (rc = wp_next(p))) return rc;
  if ((rc = subtype(p))) return rc;
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

/* (rec (type ...)*), past "rec": a group of types that may name each
** other; an empty one is an entry of the type section too. */
static int rec_field(wp *p) {
  uint32_t first = p->ntypes;
  int rc;
  while (wp_lparen_kw(p, "type")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p)) || (rc = type_field(p))) return rc;
  }
  if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
  uint32_t n = p->ntypes - first;
  if (n) {
    p->types[first].rec = n;
    for (uint32_t i = first; n > 1 && i < p->ntypes; i++) p->types[i].plain = false;
    return 0;
  }
  wp_recs *r = &p->empty_recs;
  if (wm__grow((void **)&r->at, &r->cap, r->n + 1, sizeof *r->at))
    return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
  r->at[r->n++] = first;
  return 0;
}

/* Type n's id, if it has one, past its ')'. */
static int type_name(wp *p, uint32_t *n) {
  int rc = p->t.kind == WM_TOK_ID ? wp_names_add(p, SP_TYPE, &p->t, *n) : 0;
  ++*n;
  return rc ? rc : wp_skip_to_close(p);
}

/* Before anything else, the ids of all types, so that a type may name one
** defined after it: fields from the current token on, the lexer put back
** where it was. */
static int type_names(wp *p) {
  wm_lexer lx = p->lx;
  wm_tok t = p->t;
  uint32_t n = 0;
  int rc = 0;
  while (!rc && p->t.kind == WM_TOK_LPAREN) {
    if ((rc = wp_next(p))) break;
    bool rec = wp_kw(p, "rec");
    if (!wp_kw(p, "type") && !rec) {
      rc = wp_skip_to_close(p);
      continue;
    }
    if ((rc = wp_next(p))) break;
    if (!rec) {
      rc = type_name(p, &n);
      continue;
    }
    while (!rc && wp_lparen_kw(p, "type")) {
      if (!(rc = wp_next(p)) && !(rc = wp_next(p))) rc = type_name(p, &n);
    }
    if (!rc) rc = wp_skip_to_close(p);
  }
  p->lx = lx;
  p->t = t;
  return rc;
}

static int collect_field(wp *p, wp_module *m) {
  wm_tok kw = p->t;
  int rc;
  static const struct { const char *kw; int space; } spaces[] = {
      {"func", SP_FUNC}, {"table", SP_TABLE}, {"memory", SP_MEM}, {"global", SP_GLOBAL},
      {"tag", SP_TAG}, {"elem", SP_ELEM}, {"data", SP_DATA}};
  if ((rc = wp_next(p))) return rc;
  if (tok_is(&kw, "type")) return type_field(p);
  if (tok_is(&kw, "rec")) return rec_field(p);
  if (tok_is(&kw, "import")) {
    if (m->seen_def) return wp_error(p, &kw, "imports must occur before all non-import definitions");
    for (int i = 0; i < 2; i++) {
      if (p->t.kind != WM_TOK_STRING) return wp_unexpected(p, "a string");
      if ((rc = wp_next(p))) return rc;
    }
    if (p->t.kind != WM_TOK_LPAREN) return wp_unexpected(p, "an import description");
    if ((rc = wp_next(p))) return rc;
    for (size_t i = 0; i < 5; i++) {
      if (!wp_kw(p, spaces[i].kw)) continue;
      int sp = spaces[i].space;
      if ((rc = wp_next(p))) return rc;
      if (p->t.kind == WM_TOK_ID && (rc = wp_names_add(p, sp, &p->t, p->count[sp]))) return rc;
      p->count[sp]++;
      if ((rc = wp_skip_to_close(p))) return rc;
      return wp_skip_to_close(p);
    }
    return wp_unexpected(p, "func, table, memory, global or tag");
  }
  for (size_t i = 0; i < sizeof spaces / sizeof *spaces; i++) {
    if (!tok_is(&kw, spaces[i].kw)) continue;
    int sp = spaces[i].space;
    if (p->t.kind == WM_TOK_ID) {
      if ((rc = wp_names_add(p, sp, &p->t, p->count[sp])) || (rc = wp_next(p))) return rc;
    }
    p->count[sp]++;
    if (sp == SP_ELEM || sp == SP_DATA) return wp_skip_to_close(p);
    /* Inline exports, then an inline import or a definition. */
    while (wp_lparen_kw(p, "export")) {
      if ((rc = wp_next(p)) || (rc = wp_skip_to_close(p))) return rc;
    }
    if (wp_lparen_kw(p, "import")) {
      if (m->seen_def)
        return wp_error(p, &p->t, "imports must occur before all non-import definitions");
      return wp_skip_to_close(p);
    }
    m->seen_def = true;
    /* An inline (elem ...) or (data ...) makes a segment here. */
    while (p->t.kind != WM_TOK_RPAREN) {
      if (p->t.kind == WM_TOK_EOF) return wp_unexpected(p, "')'");
      if ((sp == SP_TABLE && wp_lparen_kw(p, "elem")) || (sp == SP_MEM && wp_lparen_kw(p, "data")))
        p->count[sp == SP_TABLE ? SP_ELEM : SP_DATA]++;
      if (p->t.kind == WM_TOK_LPAREN) {
        if ((rc = wp_next(p)) || (rc = wp_skip_to_close(p))) return rc;
      } else if ((rc = wp_next(p))) {
        return rc;
      }
    }
    return wp_next(p);
  }
  if (tok_is(&kw, "export") || tok_is(&kw, "start")) return wp_skip_to_close(p);
  return wp_error(p, &kw, "unknown module field '" TOKF "'", TOKA(&kw));
}

/* (export "name")* of an item, written to the export section. */
static int inline_exports(wp *p, wp_module *m, uint8_t kind, uint32_t index) {
  int rc;
  while (wp_lparen_kw(p, "export")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p))) return rc;
    if ((rc = string_tok(p, &m->sec[S_EXPORT], true))) return rc;
    wp_byte(&m->sec[S_EXPORT], kind);
    wp_u32(&m->sec[S_EXPORT], index);
    m->n[S_EXPORT]++;
    if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
  }
  return 0;
}

/* (import "m" "n") of an item: the two names into the import section. */
static int inline_import(wp *p, wp_module *m) {
  int rc;
  if ((rc = wp_next(p)) || (rc = wp_next(p))) return rc;
  if ((rc = string_tok(p, &m->sec[S_IMPORT], true))) return rc;
  if ((rc = string_tok(p, &m->sec[S_IMPORT], true))) return rc;
  m->n[S_IMPORT]++;
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

/* A limit: a u64 for a 64-bit memory or table, else a u32. */
static int limit_num(wp *p, bool is64, uint64_t *out) {
  if (p->t.kind != WM_TOK_NUM) return wp_unexpected(p, "a limit");
  uint32_t v = 0;
  int rc = is64 ? wm__tok_u64(&p->t, out, p->err) : wm__tok_u32(&p->t, &v, p->err);
  if (!is64) *out = v;
  return rc ? rc : wp_next(p);
}

/* The address type before limits (WebAssembly 3.0): i64 for memory64 and
** table64, i32 (the default) otherwise; true for i64. */
static int addrtype(wp *p, bool *is64) {
  *is64 = wp_kw(p, "i64");
  return *is64 || wp_kw(p, "i32") ? wp_next(p) : 0;
}

/* addrtype? min max? (shared)? as flags and LEBs. */
static int limits(wp *p, wp_buf *out, bool memory) {
  uint64_t min, max = 0;
  bool is64;
  int rc;
  if ((rc = addrtype(p, &is64)) || (rc = limit_num(p, is64, &min))) return rc;
  bool has_max = p->t.kind == WM_TOK_NUM;
  if (has_max && (rc = limit_num(p, is64, &max))) return rc;
  bool shared = memory && wp_kw(p, "shared");
  if (shared && (rc = wp_next(p))) return rc;
  wp_byte(out, (uint8_t)((has_max ? 1 : 0) | (shared ? 2 : 0) | (is64 ? 4 : 0)));
  wp_u64(out, min);
  if (has_max) wp_u64(out, max);
  return out->oom ? wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL) : 0;
}

/* A reference type's shorthand keyword (funcref ...). */
static bool is_ref_kw(const wm_tok *t) {
  for (size_t i = 0; i < sizeof heap_types / sizeof *heap_types; i++)
    if (tok_is(t, heap_types[i].ref)) return true;
  return false;
}

/* At a reference type: a shorthand or (ref ...). */
static bool at_reftype(wp *p) { return is_ref_kw(&p->t) || wp_lparen_kw(p, "ref"); }

/* A reference type, its encoding appended to out. */
static int reftype(wp *p, wp_buf *out) {
  size_t at = out->n;
  int rc = wp_valtype(p, out);
  if (rc || out->oom) return rc;
  uint8_t c = out->p[at];
  if (c >= 0x7B && c <= 0x7F) return wp_error(p, &p->t, "expected a reference type");
  return 0;
}

static int globaltype(wp *p, wp_buf *out) {
  int rc;
  bool mut = wp_lparen_kw(p, "mut");
  if (mut && ((rc = wp_next(p)) || (rc = wp_next(p)))) return rc;
  if ((rc = wp_valtype(p, out))) return rc;
  if (mut && (rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
  wp_byte(out, mut);
  return 0;
}

/* A constant expression up to the closing ')', with its end opcode. */
static int const_expr(wp *p, wp_buf *out) {
  int rc = wp_instrs(p, out);
  if (rc) return rc;
  wp_byte(out, 0x0B);
  return 0;
}

/* An offset: (offset instr*) or one folded instruction. */
static int offset_expr(wp *p, wp_buf *out) {
  int rc;
  if (wp_lparen_kw(p, "offset")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p)) || (rc = const_expr(p, out))) return rc;
    return wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  if (p->t.kind != WM_TOK_LPAREN) return wp_unexpected(p, "an offset expression");
  if ((rc = wp_folded(p, out))) return rc;
  wp_byte(out, 0x0B);
  return 0;
}

/* ------------------------------------------------------ pass 2: fields */

/* A function: an import, or a definition with its body into the code
** section. From past the keyword. */
static int func_field(wp *p, wp_module *m) {
  uint32_t index = p->count[SP_FUNC]++, typeidx;
  int rc;
  if (p->t.kind == WM_TOK_ID && (rc = wp_next(p))) return rc;
  if ((rc = inline_exports(p, m, 0, index))) return rc;
  wp_names_clear(&p->names[SP_LOCAL]);
  if (wp_lparen_kw(p, "import")) {
    if ((rc = inline_import(p, m)) || (rc = wp_use_parse(p, &m->use, true))) return rc;
    if ((rc = wp_use_index(p, &m->use, &typeidx))) return rc;
    wp_byte(&m->sec[S_IMPORT], 0x00);
    wp_u32(&m->sec[S_IMPORT], typeidx);
    return wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  if ((rc = wp_use_parse(p, &m->use, true)) || (rc = wp_use_index(p, &m->use, &typeidx))) return rc;
  wp_u32(&m->sec[S_FUNC], typeidx);
  m->n[S_FUNC]++;
  uint32_t nparams = m->use.np;
  /* A type index past the types known so far is written as it is (the
  ** loader rejects it, unless an implicit type fills it by then). */
  if (m->use.has_type && m->use.np + m->use.nr == 0 && typeidx < p->ntypes)
    nparams = p->types[typeidx].np;
  /* Locals: their types' encodings in lt. */
  wp_buf *lt = &m->lt;
  uint32_t nlocals = 0;
  lt->n = 0;
  while (wp_lparen_kw(p, "local")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p))) return rc;
    if ((rc = wp_types_group(p, lt, &nlocals, WP_ID_NAMED, nparams))) return rc;
  }
  if (lt->oom) return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
  /* The local declarations: runs of one type, counted first. */
  wp_buf *b = &m->body;
  b->n = 0;
  for (int write = 0; write < 2; write++) {
    uint32_t runs = 0;
    for (size_t i = 0, j; i < lt->n; i = j) {
      size_t len = wp_vt_len(lt->p + i);
      uint32_t count = 0;
      for (j = i; j < lt->n && wp_vt_len(lt->p + j) == len && memcmp(lt->p + j, lt->p + i, len) == 0;
           j += len)
        count++;
      runs++;
      if (write) {
        wp_u32(b, count);
        wp_bytes(b, lt->p + i, len);
      }
    }
    if (!write) wp_u32(b, runs);
  }
  if ((rc = wp_instrs(p, b))) return rc;
  wp_byte(b, 0x0B);
  if (b->oom) return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
  if (b->n > UINT32_MAX) return wp_error(p, &p->t, "function body too large");
  wp_u32(&m->sec[S_CODE], (uint32_t)b->n);
  wp_bytes(&m->sec[S_CODE], b->p, b->n);
  m->n[S_CODE]++;
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

/* The items of an element list: function indices (funcs) or expressions,
** each with its end opcode. A table's inline funcref list whose items all
** start with ref.func is written as bare indices (flags without bit 2), as
** wat2wasm writes it. */
typedef struct elemlist {
  wp_buf exprs, funcs;
  uint32_t n;
  bool all_funcs;
} elemlist;

static int elem_funcs(wp *p, elemlist *l) {
  while (wp_at_index(p)) {
    uint32_t f;
    int rc = wp_index(p, SP_FUNC, &f);
    if (rc) return rc;
    wp_u32(&l->funcs, f);
    wp_byte(&l->exprs, 0xD2);
    wp_u32(&l->exprs, f);
    wp_byte(&l->exprs, 0x0B);
    l->n++;
  }
  return 0;
}

static int elem_exprs(wp *p, elemlist *l) {
  int rc;
  while (p->t.kind == WM_TOK_LPAREN) {
    size_t start = l->exprs.n;
    if (wp_lparen_kw(p, "item")) {
      if ((rc = wp_next(p)) || (rc = wp_next(p)) || (rc = const_expr(p, &l->exprs))) return rc;
      if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
    } else {
      if ((rc = wp_folded(p, &l->exprs))) return rc;
      wp_byte(&l->exprs, 0x0B);
    }
    if (l->exprs.oom) return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
    const uint8_t *e = l->exprs.p + start;
    if (l->exprs.n - start > 1 && e[0] == 0xD2) {
      size_t k = 1;
      while (e[k] & 0x80) k++;
      wp_bytes(&l->funcs, e + 1, k);
    } else {
      l->all_funcs = false;
    }
    l->n++;
  }
  return 0;
}

enum { SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARE };

/* An element segment of reference type rt (an encoding): function indices
** where it is funcref and all items are ref.func, as wat2wasm writes it. */
static void write_elem(wp_module *m, int mode, uint32_t table, const wp_buf *offset, const wp_buf *rt,
                       const elemlist *l) {
  wp_buf *s = &m->sec[S_ELEM];
  bool funcref = rt->n == 1 && rt->p[0] == 0x70;
  uint8_t flags = mode == SEG_PASSIVE ? 1 : mode == SEG_DECLARE ? 3 : 0;
  if (mode == SEG_ACTIVE && (!funcref || table != 0)) flags |= 2;
  bool exprs = !(funcref && l->all_funcs);
  if (exprs) flags |= 4;
  wp_byte(s, flags);
  if ((flags & 2) && mode == SEG_ACTIVE) wp_u32(s, table);
  if (mode == SEG_ACTIVE) wp_bytes(s, offset->p, offset->n);
  if ((flags & 3) && exprs) wp_bytes(s, rt->p, rt->n);
  else if (flags & 3) wp_byte(s, 0x00);
  wp_u32(s, l->n);
  if (exprs) wp_bytes(s, l->exprs.p, l->exprs.n);
  else wp_bytes(s, l->funcs.p, l->funcs.n);
  m->n[S_ELEM]++;
}

static void elemlist_free(elemlist *l) {
  buf_free(&l->exprs);
  buf_free(&l->funcs);
}

static const wp_buf zero_offset = {(uint8_t *)"\x41\x00\x0B", 3, 3, false};
static const wp_buf zero_offset64 = {(uint8_t *)"\x42\x00\x0B", 3, 3, false};

static int table_field(wp *p, wp_module *m) {
  uint32_t index = p->count[SP_TABLE]++;
  int rc;
  if (p->t.kind == WM_TOK_ID && (rc = wp_next(p))) return rc;
  if ((rc = inline_exports(p, m, 1, index))) return rc;
  wp_buf *lim = &m->body, *rt = &m->rt;
  lim->n = rt->n = 0;
  if (wp_lparen_kw(p, "import")) {
    if ((rc = inline_import(p, m)) || (rc = limits(p, lim, false)) || (rc = reftype(p, rt)))
      return rc;
    wp_byte(&m->sec[S_IMPORT], 0x01);
    wp_bytes(&m->sec[S_IMPORT], rt->p, rt->n);
    wp_bytes(&m->sec[S_IMPORT], lim->p, lim->n);
    return wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  /* addrtype? reftype (elem ...): the table just fits the list. */
  bool is64 = wp_kw(p, "i64") || wp_kw(p, "i32");
  if (is64) {
    wm_tok next = peek(p);
    is64 = is_ref_kw(&next) || next.kind == WM_TOK_LPAREN;
    if (is64) {
      is64 = wp_kw(p, "i64");
      if ((rc = wp_next(p))) return rc;
    }
  }
  if (at_reftype(p)) {
    if ((rc = reftype(p, rt)) || (rc = wp_expect_lparen_kw(p, "elem"))) return rc;
    elemlist l = {.all_funcs = true};
    rc = p->t.kind == WM_TOK_LPAREN ? elem_exprs(p, &l) : elem_funcs(p, &l);
    if (!rc) rc = wp_expect(p, WM_TOK_RPAREN, NULL);
    if (!rc && (l.exprs.oom || l.funcs.oom)) rc = wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
    if (!rc) {
      wp_bytes(&m->sec[S_TABLE], rt->p, rt->n);
      wp_byte(&m->sec[S_TABLE], is64 ? 5 : 1);
      wp_u32(&m->sec[S_TABLE], l.n);
      wp_u32(&m->sec[S_TABLE], l.n);
      m->n[S_TABLE]++;
      p->count[SP_ELEM]++;
      write_elem(m, SEG_ACTIVE, index, is64 ? &zero_offset64 : &zero_offset, rt, &l);
    }
    elemlist_free(&l);
    return rc ? rc : wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  if ((rc = limits(p, lim, false)) || (rc = reftype(p, rt))) return rc;
  wp_buf *s = &m->sec[S_TABLE];
  bool init = p->t.kind != WM_TOK_RPAREN; /* an expression every element starts as */
  if (init) wp_bytes(s, "\x40\x00", 2);
  wp_bytes(s, rt->p, rt->n);
  wp_bytes(s, lim->p, lim->n);
  if (init && (rc = const_expr(p, s))) return rc;
  m->n[S_TABLE]++;
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

/* An active data segment's header: flags, memory, offset. */
static void data_header(wp_module *m, uint32_t mem, const wp_buf *offset) {
  wp_buf *s = &m->sec[S_DATA];
  wp_byte(s, mem ? 2 : 0);
  if (mem) wp_u32(s, mem);
  wp_bytes(s, offset->p, offset->n);
}

/* string* up to ')', as a vector into the data section. */
static int data_strings(wp *p, wp_module *m) {
  wp_buf *all = &m->body;
  all->n = 0;
  while (p->t.kind == WM_TOK_STRING) {
    int rc = string_tok(p, all, false);
    if (rc) return rc;
  }
  if (all->oom) return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
  if (all->n > UINT32_MAX) return wp_error(p, &p->t, "data segment too large");
  wp_u32(&m->sec[S_DATA], (uint32_t)all->n);
  wp_bytes(&m->sec[S_DATA], all->p, all->n);
  m->n[S_DATA]++;
  return 0;
}

static int memory_field(wp *p, wp_module *m) {
  uint32_t index = p->count[SP_MEM]++;
  int rc;
  if (p->t.kind == WM_TOK_ID && (rc = wp_next(p))) return rc;
  if ((rc = inline_exports(p, m, 2, index))) return rc;
  if (wp_lparen_kw(p, "import")) {
    if ((rc = inline_import(p, m))) return rc;
    wp_byte(&m->sec[S_IMPORT], 0x02);
    if ((rc = limits(p, &m->sec[S_IMPORT], true))) return rc;
    return wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  /* addrtype? (data ...): the memory just fits the strings. */
  bool is64 = false;
  if (wp_kw(p, "i64") || wp_kw(p, "i32")) {
    if (peek(p).kind == WM_TOK_LPAREN) {
      is64 = wp_kw(p, "i64");
      if ((rc = wp_next(p))) return rc;
    }
  }
  if (wp_lparen_kw(p, "data")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p))) return rc;
    p->count[SP_DATA]++;
    data_header(m, index, is64 ? &zero_offset64 : &zero_offset);
    if ((rc = data_strings(p, m))) return rc;
    uint64_t pages = ((uint64_t)m->body.n + 65535) / 65536;
    wp_byte(&m->sec[S_MEM], is64 ? 5 : 1);
    wp_u32(&m->sec[S_MEM], (uint32_t)pages);
    wp_u32(&m->sec[S_MEM], (uint32_t)pages);
    m->n[S_MEM]++;
    if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
    return wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  if ((rc = limits(p, &m->sec[S_MEM], true))) return rc;
  m->n[S_MEM]++;
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

static int global_field(wp *p, wp_module *m) {
  uint32_t index = p->count[SP_GLOBAL]++;
  int rc;
  if (p->t.kind == WM_TOK_ID && (rc = wp_next(p))) return rc;
  if ((rc = inline_exports(p, m, 3, index))) return rc;
  if (wp_lparen_kw(p, "import")) {
    if ((rc = inline_import(p, m))) return rc;
    wp_byte(&m->sec[S_IMPORT], 0x03);
    if ((rc = globaltype(p, &m->sec[S_IMPORT]))) return rc;
    return wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  if ((rc = globaltype(p, &m->sec[S_GLOBAL])) || (rc = const_expr(p, &m->sec[S_GLOBAL]))) return rc;
  m->n[S_GLOBAL]++;
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

/* A tag's type: its attribute (0, an exception) and type index, from a
** type use whose params may have ids (they mean nothing). */
static int tagtype(wp *p, wp_module *m, wp_buf *out) {
  uint32_t typeidx;
  int rc;
  wp_names_clear(&p->names[SP_LOCAL]);
  if ((rc = wp_use_parse(p, &m->use, true)) || (rc = wp_use_index(p, &m->use, &typeidx))) return rc;
  wp_byte(out, 0x00);
  wp_u32(out, typeidx);
  return 0;
}

/* (tag $id? (export "n")* (import "m" "n")? typeuse) */
static int tag_field(wp *p, wp_module *m) {
  uint32_t index = p->count[SP_TAG]++;
  int rc;
  if (p->t.kind == WM_TOK_ID && (rc = wp_next(p))) return rc;
  if ((rc = inline_exports(p, m, 4, index))) return rc;
  if (wp_lparen_kw(p, "import")) {
    if ((rc = inline_import(p, m))) return rc;
    wp_byte(&m->sec[S_IMPORT], 0x04);
    if ((rc = tagtype(p, m, &m->sec[S_IMPORT]))) return rc;
    return wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  if ((rc = tagtype(p, m, &m->sec[S_TAG]))) return rc;
  m->n[S_TAG]++;
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

static int import_field(wp *p, wp_module *m) {
  int rc;
  wp_buf *s = &m->sec[S_IMPORT];
  if ((rc = string_tok(p, s, true)) || (rc = string_tok(p, s, true))) return rc;
  m->n[S_IMPORT]++;
  if ((rc = wp_expect(p, WM_TOK_LPAREN, "an import description"))) return rc;
  wm_tok kw = p->t;
  if ((rc = wp_next(p))) return rc;
  if (p->t.kind == WM_TOK_ID && (rc = wp_next(p))) return rc;
  if (tok_is(&kw, "func")) {
    uint32_t typeidx;
    p->count[SP_FUNC]++;
    wp_names_clear(&p->names[SP_LOCAL]);
    if ((rc = wp_use_parse(p, &m->use, true)) || (rc = wp_use_index(p, &m->use, &typeidx))) return rc;
    wp_byte(s, 0x00);
    wp_u32(s, typeidx);
  } else if (tok_is(&kw, "table")) {
    wp_buf *lim = &m->body, *rt = &m->rt;
    lim->n = rt->n = 0;
    p->count[SP_TABLE]++;
    if ((rc = limits(p, lim, false)) || (rc = reftype(p, rt))) return rc;
    wp_byte(s, 0x01);
    wp_bytes(s, rt->p, rt->n);
    wp_bytes(s, lim->p, lim->n);
  } else if (tok_is(&kw, "memory")) {
    p->count[SP_MEM]++;
    wp_byte(s, 0x02);
    if ((rc = limits(p, s, true))) return rc;
  } else if (tok_is(&kw, "tag")) {
    p->count[SP_TAG]++;
    wp_byte(s, 0x04);
    if ((rc = tagtype(p, m, s))) return rc;
  } else {
    p->count[SP_GLOBAL]++;
    wp_byte(s, 0x03);
    if ((rc = globaltype(p, s))) return rc;
  }
  if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

static int export_field(wp *p, wp_module *m) {
  static const struct { const char *kw; int space; } kinds[] = {
      {"func", SP_FUNC}, {"table", SP_TABLE}, {"memory", SP_MEM}, {"global", SP_GLOBAL},
      {"tag", SP_TAG}};
  wp_buf *s = &m->sec[S_EXPORT];
  int rc;
  if ((rc = string_tok(p, s, true))) return rc;
  if ((rc = wp_expect(p, WM_TOK_LPAREN, "an export description"))) return rc;
  for (uint8_t k = 0; k < 5; k++) {
    if (!wp_kw(p, kinds[k].kw)) continue;
    uint32_t index;
    if ((rc = wp_next(p)) || (rc = wp_index(p, kinds[k].space, &index))) return rc;
    wp_byte(s, k);
    wp_u32(s, index);
    m->n[S_EXPORT]++;
    if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
    return wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  return wp_unexpected(p, "func, table, memory, global or tag");
}

static int start_field(wp *p, wp_module *m, const wm_tok *kw) {
  uint32_t f;
  if (m->seen_start) return wp_error(p, kw, "multiple start sections");
  m->seen_start = true;
  int rc = wp_index(p, SP_FUNC, &f);
  if (rc) return rc;
  wp_u32(&m->sec[S_START], f);
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

static int elem_field(wp *p, wp_module *m) {
  int rc, mode = SEG_PASSIVE;
  uint32_t table = 0;
  wp_buf *rt = &m->rt;
  rt->n = 0;
  wp_byte(rt, 0x70);
  p->count[SP_ELEM]++;
  if (p->t.kind == WM_TOK_ID && (rc = wp_next(p))) return rc;
  wp_buf offset = {0};
  elemlist l = {.all_funcs = true};
  if (wp_kw(p, "declare")) {
    mode = SEG_DECLARE;
    rc = wp_next(p);
  } else {
    rc = 0;
    if (wp_lparen_kw(p, "table")) {
      if (!(rc = wp_next(p)) && !(rc = wp_next(p)) && !(rc = wp_index(p, SP_TABLE, &table)))
        rc = wp_expect(p, WM_TOK_RPAREN, NULL);
      mode = SEG_ACTIVE;
    } else if (p->t.kind == WM_TOK_NUM) { /* the 1.0 form: a bare table index */
      rc = wp_index(p, SP_TABLE, &table);
      mode = SEG_ACTIVE;
    }
    if (!rc && (mode == SEG_ACTIVE || (p->t.kind == WM_TOK_LPAREN && !wp_lparen_kw(p, "ref")))) {
      mode = SEG_ACTIVE;
      rc = offset_expr(p, &offset);
    }
  }
  if (!rc) {
    if (wp_kw(p, "func")) {
      if (!(rc = wp_next(p))) rc = elem_funcs(p, &l);
    } else if (at_reftype(p)) {
      rt->n = 0;
      if (!(rc = reftype(p, rt))) rc = elem_exprs(p, &l);
      /* Written as expressions, the segment has the type written: as bare
      ** indices it would be (ref func), a narrower type (WebAssembly 3.0). */
      l.all_funcs = false;
    } else if (mode == SEG_ACTIVE) { /* offset funcidx* */
      rc = elem_funcs(p, &l);
    } else {
      rc = wp_unexpected(p, "func or a reference type");
    }
  }
  if (!rc) rc = wp_expect(p, WM_TOK_RPAREN, NULL);
  if (!rc && (offset.oom || l.exprs.oom || l.funcs.oom))
    rc = wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
  if (!rc) write_elem(m, mode, table, &offset, rt, &l);
  buf_free(&offset);
  elemlist_free(&l);
  return rc;
}

static int data_field(wp *p, wp_module *m) {
  int rc;
  uint32_t mem = 0;
  bool active = false;
  p->count[SP_DATA]++;
  if (p->t.kind == WM_TOK_ID && (rc = wp_next(p))) return rc;
  if (wp_lparen_kw(p, "memory")) {
    if ((rc = wp_next(p)) || (rc = wp_next(p)) || (rc = wp_index(p, SP_MEM, &mem))) return rc;
    if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
    active = true;
  } else if (p->t.kind == WM_TOK_NUM) { /* the 1.0 form: a bare memory index */
    if ((rc = wp_index(p, SP_MEM, &mem))) return rc;
    active = true;
  }
  if (active || p->t.kind == WM_TOK_LPAREN) {
    wp_buf offset = {0};
    rc = offset_expr(p, &offset);
    if (!rc && offset.oom) rc = wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL);
    if (!rc) data_header(m, mem, &offset);
    buf_free(&offset);
    if (rc) return rc;
  } else {
    wp_byte(&m->sec[S_DATA], 1);
  }
  if ((rc = data_strings(p, m))) return rc;
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

/* Pass 2 of one field, from its keyword. */
static int emit_field(wp *p, wp_module *m) {
  wm_tok kw = p->t;
  int rc = wp_next(p);
  if (rc) return rc;
  if (tok_is(&kw, "type") || tok_is(&kw, "rec")) return wp_skip_to_close(p); /* pass 1's */
  if (tok_is(&kw, "func")) return func_field(p, m);
  if (tok_is(&kw, "table")) return table_field(p, m);
  if (tok_is(&kw, "memory")) return memory_field(p, m);
  if (tok_is(&kw, "global")) return global_field(p, m);
  if (tok_is(&kw, "import")) return import_field(p, m);
  if (tok_is(&kw, "export")) return export_field(p, m);
  if (tok_is(&kw, "start")) return start_field(p, m, &kw);
  if (tok_is(&kw, "elem")) return elem_field(p, m);
  if (tok_is(&kw, "tag")) return tag_field(p, m);
  return data_field(p, m);
}

/* ------------------------------------------------------------- assembly */

static void section(wp_buf *out, uint8_t id, const wp_buf *content, uint32_t count, bool counted) {
  wp_buf head = {0};
  if (counted) wp_u32(&head, count);
  size_t size = head.n + content->n;
  wp_byte(out, id);
  wp_u32(out, (uint32_t)size);
  wp_bytes(out, head.p, head.n);
  wp_bytes(out, content->p, content->n);
  if (head.oom) out->oom = true;
  buf_free(&head);
}

static int assemble(wp *p, wp_module *m, wp_buf *out) {
  static const uint8_t magic[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  wp_bytes(out, magic, sizeof magic);
  /* The type section: an entry a type, or a rec group and its types. */
  wp_buf *types = &m->sec[S_TYPE];
  uint32_t entries = 0, e = 0;
  for (uint32_t i = 0; i <= p->ntypes; i++) {
    for (; e < p->empty_recs.n && p->empty_recs.at[e] == i; e++, entries++) wp_bytes(types, "\x4E\x00", 2);
    if (i == p->ntypes) break;
    const wp_type *t = &p->types[i];
    if (t->rec) {
      wp_byte(types, 0x4E);
      wp_u32(types, t->rec);
      for (uint32_t k = 0; k < t->rec; k++) wp_bytes(types, p->types[i + k].def, p->types[i + k].ndef);
      i += t->rec - 1;
    } else {
      wp_bytes(types, t->def, t->ndef);
    }
    entries++;
  }
  m->n[S_TYPE] = entries;
  if (m->n[S_DATA] && p->data_instr) m->n[S_DATACOUNT] = m->n[S_DATA];
  for (int s = 0; s < S_N; s++) {
    if (m->sec[s].oom) out->oom = true;
    if (s == S_START) {
      if (m->seen_start) section(out, section_id[s], &m->sec[s], 0, false);
    } else if (m->n[s]) {
      if (m->sec[s].n > UINT32_MAX - 5) return wp_error(p, &p->t, "section too large");
      section(out, section_id[s], &m->sec[s], m->n[s], true);
    }
  }
  return out->oom ? wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL) : 0;
}

/* (module $id? binary string*): the bytes as they are. */
static int binary_module(wp *p, wp_buf *out) {
  int rc = wp_next(p);
  while (!rc && p->t.kind == WM_TOK_STRING) rc = string_tok(p, out, false);
  return rc;
}

static int parse_module(wp *p, wp_buf *out) {
  wp_module m;
  memset(&m, 0, sizeof m);
  int rc = wp_next(p);
  bool wrapped = !rc && wp_lparen_kw(p, "module");
  if (wrapped) {
    if ((rc = wp_next(p)) || (rc = wp_next(p))) return rc;
    if (p->t.kind == WM_TOK_ID && (rc = wp_next(p))) return rc;
    if (wp_kw(p, "binary")) {
      if ((rc = binary_module(p, out))) return rc;
      if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
      return p->t.kind == WM_TOK_EOF ? 0 : wp_unexpected(p, "end of input");
    }
    if (wp_kw(p, "quote")) return wp_error(p, &p->t, "module quote not supported yet");
  }
  wm_lexer fields_lx = p->lx;
  wm_tok fields_t = p->t;
  rc = type_names(p);
  for (int pass = 1; !rc && pass <= 2; pass++) {
    if (pass == 2) {
      p->lx = fields_lx;
      p->t = fields_t;
      memset(p->count, 0, sizeof p->count);
    }
    while (!rc && p->t.kind == WM_TOK_LPAREN) {
      if ((rc = wp_next(p))) break;
      if (p->t.kind != WM_TOK_KEYWORD) {
        rc = wp_unexpected(p, "a module field");
        break;
      }
      rc = pass == 1 ? collect_field(p, &m) : emit_field(p, &m);
    }
    if (rc) break;
    if (wrapped && (rc = wp_expect(p, WM_TOK_RPAREN, NULL))) break;
    if (p->t.kind != WM_TOK_EOF) rc = wp_unexpected(p, wrapped ? "end of input" : "a module field");
  }
  if (!rc) rc = assemble(p, &m, out);
  for (int s = 0; s < S_N; s++) buf_free(&m.sec[s]);
  buf_free(&m.use.vt);
  buf_free(&m.body);
  buf_free(&m.lt);
  buf_free(&m.rt);
  return rc;
}

int wm__wat_parse(const char *src, size_t len, uint8_t **out, size_t *out_len, wm_error *err) {
  if (!out || !out_len || (!src && len)) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_wat_to_wasm: NULL argument");
  *out = NULL;
  *out_len = 0;
  wp p;
  memset(&p, 0, sizeof p);
  p.err = err;
  uintptr_t lo, hi;
  p.stack_floor = wm__cstack_floor(WM_FRAME_ADDRESS(p), &lo, &hi);
  wm__lex_init(&p.lx, src ? src : "", len, err);
  wp_buf bin = {0};
  int rc = parse_module(&p, &bin);
  for (int s = 0; s < SP_N; s++) wp_names_clear(&p.names[s]);
  for (uint32_t i = 0; i < p.ntypes; i++) {
    wm__free(p.types[i].vt);
    wm__free(p.types[i].def);
  }
  wm__free(p.empty_recs.at);
  wm__free(p.types);
  wm__free(p.labels);
  for (uint32_t i = 0; i < p.nquoted; i++) wm__free(p.quoted[i]);
  wm__free(p.quoted);
  wm__free(p.fields);
  buf_free(&p.tmp);
  buf_free(&p.bt.vt);
  if (rc) {
    buf_free(&bin);
    return rc;
  }
  *out = bin.p;
  *out_len = bin.n;
  return 0;
}

bool wm__wat_is_text(const uint8_t *bytes, size_t len) {
  wm_lexer lx;
  wm_tok t;
  if (!bytes || len < 1) return false;
  if (len >= 4 && memcmp(bytes, "\0asm", 4) == 0) return false;
  wm__lex_init(&lx, (const char *)bytes, len, NULL);
  return wm__lex_next(&lx, &t) == 0 && t.kind == WM_TOK_LPAREN;
}

int wm_wat_to_wasm(const char *text, size_t len, uint8_t **out, size_t *out_len, wm_error *err) {
  return wm__wat_parse(text, len, out, out_len, err);
}

int wm__wat_file(const char *path, uint8_t **out, size_t *out_len, wm_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return WP_NOT_TEXT; /* the binary loader reports it */
  struct stat st;
  bool regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
  char head[4];
  size_t got = fread(head, 1, sizeof head, f);
  if (regular && got == 4 && memcmp(head, "\0asm", 4) == 0) {
    fclose(f);
    return WP_NOT_TEXT;
  }
  /* The whole file, then a look at its first token. A pipe cannot be
  ** read again: what it held goes back to the caller as it is. */
  wp_buf text = {0};
  wp_bytes(&text, head, got);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) wp_bytes(&text, chunk, n);
  bool bad = ferror(f) != 0;
  fclose(f);
  int rc = WP_NOT_TEXT;
  if (text.oom) {
    rc = wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  } else if (bad && !regular) {
    rc = wm__error(err, WM_EIO, UINT32_MAX, "cannot read %s", path);
  } else if (!bad && wm__wat_is_text(text.p, text.n)) {
    rc = wm__wat_parse((const char *)text.p, text.n, out, out_len, err);
    if (rc && err) {
      char msg[sizeof err->message + 4096];
      snprintf(msg, sizeof msg, "%s:%s", path, err->message);
      size_t n = strlen(msg);
      if (n >= sizeof err->message) n = sizeof err->message - 1;
      memcpy(err->message, msg, n);
      err->message[n] = '\0';
    }
  } else if (!regular) {
    *out = text.p ? text.p : wm__malloc(1);
    *out_len = text.n;
    return *out ? WP_BYTES : wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  buf_free(&text);
  return rc;
}
