/* SPDX-License-Identifier: MIT */
/*
** script.c -- the reader of the spec's script format (.wast): its commands
** one at a time as wm_script_cmd (wasmem.h says what each holds). Tokens,
** strings and literals come from the text format's lexer (lex.h); modules
** are not parsed here but handed over as text or bytes for wm_module_load,
** so that a module's own errors show up where the caller loads it.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lex.h"
#include "parse.h"
#include "util.h"

struct wm_script {
  char *src; /* a copy of the script, NUL-terminated */
  size_t len;
  char *name; /* for messages, or NULL */
  wm_lexer lx;
  wm_tok t;        /* the current token */
  wm_lexer before; /* the lexer before t was read */
  bool lexerr;     /* t could not be read: e says why, t is an EOF */
  wm_error e;      /* where errors are written first */
  int failed;      /* the error that ended the script, 0 before one */
  uint32_t ncmds;  /* commands read */
  wm_tok cmd_kw;   /* the current command's keyword */
  const char *later; /* a value not supported yet in it, from its '(' ... */
  size_t later_len;  /* ... through its ')' */
  wm_script_cmd cmd;
  /* Per command, reused: the decoded strings and module bytes ... */
  wp_buf module, quote, id, def, aid, name_b, field, text;
  /* ... the arguments, the expected results and their alternatives (an
  ** (either ...) result's are alts[either_at[i]], made pointers when the
  ** command is complete, the arrays no longer moving). */
  wm_val *args;
  uint32_t nargs, capargs;
  wm_script_pat *res;
  uint32_t nres, capres;
  uint32_t *either_at;
  uint32_t capeither;
  wm_script_pat *alts;
  uint32_t nalts, capalts;
};

/* ------------------------------------------------------------ tokens */

static int serr(wm_script *s, const wm_tok *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int serr(wm_script *s, const wm_tok *at, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (s->lexerr) return s->e.code; /* the lexer's message says more */
  return wm__error(&s->e, WM_EMALFORMED, UINT32_MAX, "%u:%u: %s", (unsigned)at->line,
                   (unsigned)at->col, msg);
}

static int nomem(wm_script *s) { return wm__error(&s->e, WM_ENOMEM, UINT32_MAX, NULL); }

/* The next token. A lexical error becomes an end of script, so that every
** command is complete before the token after it is read (that token is
** read again for the next command); whoever then finds the end
** unexpected reports the lexer's error (serr). */
static int next(wm_script *s) {
  s->before = s->lx;
  if (wm__lex_next(&s->lx, &s->t)) {
    s->lexerr = true;
    s->lx = s->before;
    s->t.kind = WM_TOK_EOF;
    s->t.len = 0;
  }
  return 0;
}

static bool tok_kw(const wm_tok *t, const char *kw) {
  size_t n = strlen(kw);
  return t->kind == WM_TOK_KEYWORD && t->len == n && memcmp(t->text, kw, n) == 0;
}

static bool kw(const wm_script *s, const char *k) { return tok_kw(&s->t, k); }

static int unexpected(wm_script *s, const char *what) {
  if (s->lexerr) return s->e.code;
  if (s->t.kind == WM_TOK_EOF) return serr(s, &s->t, "expected %s, got end of script", what);
  return serr(s, &s->t, "expected %s, got '%.*s'", what, (int)(s->t.len > 32 ? 32 : s->t.len),
              s->t.text);
}

static int expect(wm_script *s, wm_tok_kind kind, const char *what) {
  return s->t.kind == kind ? next(s) : unexpected(s, what);
}

/* The current token, a string, decoded and appended to b. */
static int append_string(wm_script *s, wp_buf *b) {
  if (s->t.kind != WM_TOK_STRING) return unexpected(s, "a string");
  if (b->n + s->t.len > b->cap) {
    size_t cap = b->cap * 2 > b->n + s->t.len ? b->cap * 2 : b->n + s->t.len + 64;
    uint8_t *p = wm__realloc(b->p, cap);
    if (!p) return nomem(s);
    b->p = p;
    b->cap = cap;
  }
  b->n += wm__tok_string(&s->t, b->p + b->n);
  return next(s);
}

/* A NUL after the bytes of b, not counted: names and ids are C strings too. */
static int terminate(wm_script *s, wp_buf *b) {
  wp_byte(b, 0);
  b->n--;
  return b->oom ? nomem(s) : 0;
}

/* A name (an export's, a registration's): a string whose bytes, escapes
** decoded, must be UTF-8. */
static int name_string(wm_script *s, wp_buf *b) {
  wm_tok at = s->t;
  int rc = append_string(s, b);
  if (!rc && !wm__utf8_valid(b->p, b->n)) rc = serr(s, &at, "malformed UTF-8 encoding in a name");
  return rc ? rc : terminate(s, b);
}

/* An id's bytes after the '$' ($"..." decoded) into b, if the current
** token is one. */
static int opt_id(wm_script *s, wp_buf *b, bool *has) {
  *has = s->t.kind == WM_TOK_ID;
  if (!*has) return 0;
  if (s->t.text[1] != '"') {
    wp_bytes(b, s->t.text + 1, s->t.len - 1);
    int rc = terminate(s, b);
    return rc ? rc : next(s);
  }
  wm_tok id = s->t;
  id.kind = WM_TOK_STRING;
  id.text++;
  id.len--;
  s->t = id;
  int rc = append_string(s, b);
  return rc ? rc : terminate(s, b);
}

/* Past the ')' that closes the list whose '(' and first token have been
** read; `what` names the list for an unterminated one. */
static int skip_list(wm_script *s, const wm_tok *open, const char *what) {
  int rc, depth = 1;
  while (depth > 0) {
    if (s->t.kind == WM_TOK_EOF) return serr(s, open, "unterminated %s", what);
    if (s->t.kind == WM_TOK_LPAREN) depth++;
    if (s->t.kind == WM_TOK_RPAREN) depth--;
    if ((rc = next(s))) return rc;
  }
  return 0;
}

/* ----------------------------------------------------------- modules */

static int unsupported(wm_script *s, const wm_tok *open, const char *what) {
  wp_bytes(&s->text, what, strlen(what));
  wp_bytes(&s->text, " not supported yet", sizeof " not supported yet");
  s->cmd.kind = WM_SCRIPT_UNSUPPORTED;
  return skip_list(s, open, "command");
}

/* Does text start with "(module"? (Then a quoted module is whole.) */
static bool starts_module(const uint8_t *text, size_t n) {
  wm_lexer lx;
  wm_tok t;
  wm__lex_init(&lx, (const char *)text, n, NULL);
  if (wm__lex_next(&lx, &t) || t.kind != WM_TOK_LPAREN) return false;
  return wm__lex_next(&lx, &t) == 0 && tok_kw(&t, "module");
}

/* Past the tokens of a text module, from the current one (where *body
** starts) to the ')' that closes the module whose '(' is open, which
** becomes the current token. */
static int module_body(wm_script *s, const wm_tok *open, const char **body) {
  int rc, depth = 1;
  *body = s->t.text;
  while (depth > 0) {
    if (s->t.kind == WM_TOK_EOF) return serr(s, open, "unterminated module");
    if (s->t.kind == WM_TOK_LPAREN) depth++;
    if (s->t.kind == WM_TOK_RPAREN && --depth == 0) break;
    if ((rc = next(s))) return rc;
  }
  return 0;
}

/* (module instance $inst? $def?): no module of its own. */
static int module_instance(wm_script *s) {
  bool has_id, has_def;
  int rc = next(s);
  if (!rc) rc = opt_id(s, &s->id, &has_id);
  if (!rc) rc = opt_id(s, &s->def, &has_def);
  if (rc) return rc;
  s->cmd.kind = WM_SCRIPT_MODULE_INSTANCE;
  s->cmd.id = has_id ? (s->id.n ? (const char *)s->id.p : "") : NULL;
  s->cmd.id_len = s->id.n;
  s->cmd.def = has_def ? (s->def.n ? (const char *)s->def.p : "") : NULL;
  s->cmd.def_len = s->def.n;
  return expect(s, WM_TOK_RPAREN, "')'");
}

/* A module, from its "module" keyword (open is its '(') through its ')':
** `module $id? ...`, `module definition $id? ...` (*def set) or, where
** instance is true, `module instance ...`. */
static int module(wm_script *s, const wm_tok *open, bool instance, bool *def) {
  bool has_id;
  int rc = next(s);
  *def = false;
  if (rc) return rc;
  if (kw(s, "instance")) {
    if (!instance) return serr(s, open, "module instances in assertions not supported yet");
    return module_instance(s);
  }
  if (kw(s, "definition")) {
    *def = true;
    if ((rc = next(s))) return rc;
  }
  if ((rc = opt_id(s, &s->id, &has_id))) return rc;
  s->cmd.id = has_id ? (s->id.n ? (const char *)s->id.p : "") : NULL;
  s->cmd.id_len = s->id.n;
  if (kw(s, "binary") || kw(s, "quote")) {
    bool quote = kw(s, "quote");
    wp_buf *b = quote ? &s->quote : &s->module;
    if ((rc = next(s))) return rc;
    while (s->t.kind == WM_TOK_STRING)
      if ((rc = append_string(s, b))) return rc;
    if ((rc = expect(s, WM_TOK_RPAREN, "a string or ')'"))) return rc;
    if (quote) {
      /* The reference interpreter reads the strings as a module or as
      ** its fields alone; the newline keeps a closing ')' out of a
      ** trailing ';;' comment. */
      bool whole = starts_module(s->quote.p, s->quote.n);
      if (!whole) wp_bytes(&s->module, "(module ", 8);
      wp_bytes(&s->module, s->quote.p, s->quote.n);
      if (!whole) wp_bytes(&s->module, "\n)", 2);
      if (s->module.oom) return nomem(s);
    }
    s->cmd.module = s->module.p ? s->module.p : (const uint8_t *)"";
    s->cmd.module_len = s->module.n;
    s->cmd.module_text = quote;
    return 0;
  }
  /* Text: the source as it is, from '(' through the matching ')'; a
  ** definition's without its "definition $id". */
  const char *body;
  if ((rc = module_body(s, open, &body))) return rc;
  size_t n = (size_t)(s->t.text + 1 - body);
  s->cmd.module_text = true;
  if (*def) {
    wp_bytes(&s->module, "(module ", 8);
    wp_bytes(&s->module, body, n);
    if (s->module.oom) return nomem(s);
    s->cmd.module = s->module.p;
    s->cmd.module_len = s->module.n;
  } else {
    s->cmd.module = (const uint8_t *)open->text;
    s->cmd.module_len = (size_t)(s->t.text + 1 - open->text);
  }
  return next(s);
}

/* '(' module ... ')' of an assertion, through its ')'. A definition is
** the same module there: an assertion only loads it. */
static int assert_module(wm_script *s) {
  wm_tok open = s->t;
  bool def;
  int rc = expect(s, WM_TOK_LPAREN, "'(module'");
  if (rc) return rc;
  if (!kw(s, "module")) return unexpected(s, "'(module'");
  return module(s, &open, false, &def);
}

/* ------------------------------------------------------------ values */

static const struct shape {
  const char *name;
  unsigned lanes, bits;
  bool fl;
} shapes[] = {{"i8x16", 16, 8, false}, {"i16x8", 8, 16, false}, {"i32x4", 4, 32, false},
              {"i64x2", 2, 64, false}, {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true}};

/* A NaN pattern keyword in a result: its kind, else 0. */
static int nan_pattern(const wm_script *s, bool result) {
  if (!result) return 0;
  if (kw(s, "nan:canonical")) return WM_PAT_NAN_CANONICAL;
  if (kw(s, "nan:arithmetic")) return WM_PAT_NAN_ARITHMETIC;
  return 0;
}

static int v128_value(wm_script *s, wm_script_pat *pat, bool result) {
  const struct shape *sh = NULL;
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
    if (kw(s, shapes[i].name)) sh = &shapes[i];
  if (!sh) return unexpected(s, "a vector shape (i8x16, i16x8, i32x4, i64x2, f32x4 or f64x2)");
  int rc = next(s);
  uint8_t bytes[16];
  unsigned width = sh->bits / 8;
  pat->shape = sh->name;
  for (unsigned i = 0; !rc && i < sh->lanes; i++) {
    uint64_t v = 0;
    uint32_t v32;
    int nan = sh->fl ? nan_pattern(s, result) : 0;
    if (s->t.kind != WM_TOK_NUM && s->t.kind != WM_TOK_KEYWORD) return unexpected(s, "a lane value");
    if (nan) {
      pat->lane_nan[i] = (uint8_t)nan;
      v = sh->bits == 32 ? 0x7fc00000u : UINT64_C(0x7ff8000000000000);
    } else if (sh->fl && sh->bits == 32) {
      rc = wm__tok_f32(&s->t, &v32, &s->e);
      v = v32;
    } else if (sh->fl) {
      rc = wm__tok_f64(&s->t, &v, &s->e);
    } else {
      rc = wm__tok_int(&s->t, sh->bits, &v, &s->e);
    }
    for (unsigned k = 0; k < width; k++) bytes[i * width + k] = (uint8_t)(v >> (8 * k));
    if (!rc) rc = next(s);
  }
  if (!rc) pat->val = wm_val_v128(bytes);
  return rc;
}

/* A value of a kind not supported yet (the references of GC, typed
** references and exceptions), from past its keyword k through its ')':
** skipped, and noted, so that the command comes back as unsupported. */
static int later_value(wm_script *s, const wm_tok *k) {
  int rc = skip_list(s, k, "constant");
  if (!rc && !s->later) {
    s->later = k->text - 1;
    s->later_len = (size_t)(s->lx.src + s->before.pos - s->later);
  }
  return rc;
}

/* A constant from its '(' through its ')': an argument, or (when result)
** an expected result, which may be a NaN pattern, a non-null reference
** of any value, or (when either) an (either ...) of results. Alternatives
** go to s->alts and their index to *either_at. */
static int value(wm_script *s, wm_script_pat *pat, bool result, bool either, uint32_t *either_at) {
  int rc = expect(s, WM_TOK_LPAREN, "a constant");
  if (rc) return rc;
  memset(pat, 0, sizeof *pat);
  wm_tok k = s->t;
  if (k.kind != WM_TOK_KEYWORD) return unexpected(s, "a constant");
  if ((rc = next(s))) return rc;
  if (s->t.kind == WM_TOK_EOF) return unexpected(s, "a value or ')'");
  uint32_t u32;
  uint64_t u64;
  int nan;
  if (tok_kw(&k, "i32.const") || tok_kw(&k, "f32.const")) {
    bool f = k.text[0] == 'f';
    pat->val.type = f ? WM_F32 : WM_I32;
    if ((nan = f ? nan_pattern(s, result) : 0)) pat->kind = (wm_script_pat_kind)nan;
    else if ((rc = f ? wm__tok_f32(&s->t, &u32, &s->e) : wm__tok_i32(&s->t, &u32, &s->e))) return rc;
    else pat->val.of.f32_bits = u32;
    rc = next(s);
  } else if (tok_kw(&k, "i64.const") || tok_kw(&k, "f64.const")) {
    bool f = k.text[0] == 'f';
    pat->val.type = f ? WM_F64 : WM_I64;
    if ((nan = f ? nan_pattern(s, result) : 0)) pat->kind = (wm_script_pat_kind)nan;
    else if ((rc = f ? wm__tok_f64(&s->t, &u64, &s->e) : wm__tok_i64(&s->t, &u64, &s->e))) return rc;
    else pat->val.of.f64_bits = u64;
    rc = next(s);
  } else if (tok_kw(&k, "v128.const")) {
    rc = v128_value(s, pat, result);
  } else if (tok_kw(&k, "ref.null")) {
    pat->kind = WM_PAT_REF_NULL;
    if (kw(s, "func") || kw(s, "funcref") || kw(s, "nofunc")) pat->val.type = WM_FUNCREF;
    else if (kw(s, "extern") || kw(s, "externref") || kw(s, "noextern")) pat->val.type = WM_EXTERNREF;
    else if (kw(s, "exn") || kw(s, "exnref") || kw(s, "noexn")) pat->val.type = WM_EXNREF;
    else if (kw(s, "any") || kw(s, "anyref") || kw(s, "eq") || kw(s, "i31") || kw(s, "struct") ||
             kw(s, "array") || kw(s, "none") || kw(s, "nullref"))
      pat->val.type = WM_ANYREF;
    else if (result && s->t.kind == WM_TOK_RPAREN) return next(s); /* any null: type 0 */
    else if (s->t.kind == WM_TOK_KEYWORD || s->t.kind == WM_TOK_ID || s->t.kind == WM_TOK_NUM)
      return later_value(s, &k); /* the heap types of typed references and GC */
    else return unexpected(s, "a reference type (func or extern)");
    rc = next(s);
  } else if (tok_kw(&k, "ref.extern") && s->t.kind == WM_TOK_NUM) {
    pat->val.type = WM_EXTERNREF;
    if ((rc = wm__tok_u64(&s->t, &u64, &s->e))) return rc;
    if (u64 >= UINTPTR_MAX) return serr(s, &s->t, "constant out of range");
    pat->val.of.ref = (void *)(uintptr_t)(u64 + 1);
    rc = next(s);
  } else if (result && (tok_kw(&k, "ref.extern") || tok_kw(&k, "ref.func"))) {
    pat->kind = WM_PAT_REF_NONNULL;
    pat->val.type = k.text[4] == 'e' ? WM_EXTERNREF : WM_FUNCREF;
  } else if (tok_kw(&k, "ref.host") && s->t.kind == WM_TOK_NUM) {
    pat->val.type = WM_ANYREF;
    pat->kind = result ? WM_PAT_REF_NONNULL : WM_PAT_VALUE;
    pat->any_kind = WM_ANY_HOST;
    if ((rc = wm__tok_u64(&s->t, &u64, &s->e))) return rc;
    if (u64 >= UINTPTR_MAX) return serr(s, &s->t, "constant out of range");
    pat->val.of.ref = (void *)(uintptr_t)(u64 + 1);
    rc = next(s);
  } else if (result && (tok_kw(&k, "ref.i31") || tok_kw(&k, "ref.struct") ||
                        tok_kw(&k, "ref.array") || tok_kw(&k, "ref.eq") || tok_kw(&k, "ref.any")) &&
             s->t.kind == WM_TOK_RPAREN) {
    pat->kind = WM_PAT_REF_NONNULL;
    pat->val.type = WM_ANYREF;
    const char *n = k.text + 4; /* past "ref." */
    pat->any_kind = n[0] == 'i'   ? WM_ANY_I31
                    : n[0] == 's' ? WM_ANY_STRUCT
                    : n[1] == 'r' ? WM_ANY_ARRAY /* array, not any */
                    : n[0] == 'e' ? WM_PAT_ANY_EQ
                                  : WM_ANY_NULL;
  } else if (tok_kw(&k, "ref.i31") || tok_kw(&k, "ref.struct") || tok_kw(&k, "ref.array") ||
             tok_kw(&k, "ref.eq") || tok_kw(&k, "ref.any") || tok_kw(&k, "ref.host") ||
             tok_kw(&k, "ref.exn")) {
    return later_value(s, &k);
  } else if (either && tok_kw(&k, "either")) {
    pat->kind = WM_PAT_EITHER;
    *either_at = s->nalts;
    while (!rc && s->t.kind == WM_TOK_LPAREN) {
      wm_script_pat alt;
      if ((rc = value(s, &alt, true, false, NULL))) return rc;
      if (wm__grow((void **)&s->alts, &s->capalts, s->nalts + 1, sizeof *s->alts)) return nomem(s);
      s->alts[s->nalts++] = alt;
      pat->neither++;
    }
    if (!pat->neither) return unexpected(s, "a result");
  } else {
    return serr(s, &k, "unknown %s '%.*s'", result ? "result" : "constant",
                (int)(k.len > 32 ? 32 : k.len), k.text);
  }
  return rc ? rc : expect(s, WM_TOK_RPAREN, "')'");
}

/* ----------------------------------------------------------- actions */

/* An action from its '(' (or its keyword when opened) through its ')'. */
static int action(wm_script *s, bool opened) {
  wm_script_action *a = &s->cmd.action;
  int rc = opened ? 0 : expect(s, WM_TOK_LPAREN, "an action");
  if (rc) return rc;
  if (kw(s, "invoke")) a->kind = WM_SCRIPT_INVOKE;
  else if (kw(s, "get")) a->kind = WM_SCRIPT_GET;
  else return unexpected(s, "an action (invoke or get)");
  bool has_id;
  if ((rc = next(s)) || (rc = opt_id(s, &s->aid, &has_id))) return rc;
  if ((rc = name_string(s, &s->field))) return rc;
  while (a->kind == WM_SCRIPT_INVOKE && s->t.kind == WM_TOK_LPAREN) {
    wm_script_pat pat;
    if ((rc = value(s, &pat, false, false, NULL))) return rc;
    if (wm__grow((void **)&s->args, &s->capargs, s->nargs + 1, sizeof *s->args)) return nomem(s);
    s->args[s->nargs++] = pat.val;
  }
  if ((rc = expect(s, WM_TOK_RPAREN, a->kind == WM_SCRIPT_INVOKE ? "a constant or ')'" : "')'")))
    return rc;
  a->module = has_id ? (s->aid.n ? (const char *)s->aid.p : "") : NULL;
  a->module_len = s->aid.n;
  a->field = s->field.n ? (const char *)s->field.p : "";
  a->field_len = s->field.n;
  a->args = s->args;
  a->nargs = s->nargs;
  return 0;
}

static int results(wm_script *s) {
  int rc = 0;
  while (!rc && s->t.kind == WM_TOK_LPAREN) {
    if (wm__grow((void **)&s->res, &s->capres, s->nres + 1, sizeof *s->res) ||
        wm__grow((void **)&s->either_at, &s->capeither, s->nres + 1, sizeof *s->either_at))
      return nomem(s);
    rc = value(s, &s->res[s->nres], true, true, &s->either_at[s->nres]);
    if (!rc) s->nres++;
  }
  if (rc) return rc;
  for (uint32_t i = 0; i < s->nres; i++)
    if (s->res[i].kind == WM_PAT_EITHER) s->res[i].either = s->alts + s->either_at[i];
  s->cmd.results = s->res;
  s->cmd.nresults = s->nres;
  return 0;
}

/* An assertion's message, if it has one. */
static int opt_text(wm_script *s) {
  return s->t.kind == WM_TOK_STRING ? append_string(s, &s->text) : 0;
}

/* ---------------------------------------------------------- commands */

/* The commands' names: an assertion's is its keyword. */
static const char *const kind_names[] = {
    [WM_SCRIPT_MODULE] = "module",
    [WM_SCRIPT_REGISTER] = "register",
    [WM_SCRIPT_ACTION] = "action",
    [WM_SCRIPT_ASSERT_RETURN] = "assert_return",
    [WM_SCRIPT_ASSERT_TRAP] = "assert_trap",
    [WM_SCRIPT_ASSERT_EXHAUSTION] = "assert_exhaustion",
    [WM_SCRIPT_ASSERT_EXCEPTION] = "assert_exception",
    [WM_SCRIPT_ASSERT_MALFORMED] = "assert_malformed",
    [WM_SCRIPT_ASSERT_INVALID] = "assert_invalid",
    [WM_SCRIPT_ASSERT_UNLINKABLE] = "assert_unlinkable",
    [WM_SCRIPT_ASSERT_UNINSTANTIABLE] = "assert_uninstantiable",
    [WM_SCRIPT_MODULE_DEFINITION] = "module definition",
    [WM_SCRIPT_MODULE_INSTANCE] = "module instance",
    [WM_SCRIPT_UNSUPPORTED] = "command",
};

const char *wm_script_kind_name(wm_script_kind k) {
  return (unsigned)k < sizeof kind_names / sizeof *kind_names && kind_names[k] ? kind_names[k] : "?";
}

/* One command, from its '(' (open) and keyword through its ')'. */
static int command(wm_script *s, const wm_tok *open) {
  wm_script_cmd *c = &s->cmd;
  wm_tok k = s->t;
  int rc;
  bool def;
  s->cmd_kw = k;
  if (tok_kw(&k, "module")) {
    c->kind = WM_SCRIPT_MODULE;
    rc = module(s, open, true, &def);
    if (!rc && def) c->kind = WM_SCRIPT_MODULE_DEFINITION;
    return rc;
  }
  if (tok_kw(&k, "register")) {
    c->kind = WM_SCRIPT_REGISTER;
    bool has_id;
    if ((rc = next(s)) || (rc = name_string(s, &s->name_b)) || (rc = opt_id(s, &s->id, &has_id)))
      return rc;
    c->name = s->name_b.n ? (const char *)s->name_b.p : "";
    c->name_len = s->name_b.n;
    c->id = has_id ? (s->id.n ? (const char *)s->id.p : "") : NULL;
    c->id_len = s->id.n;
    return expect(s, WM_TOK_RPAREN, "')'");
  }
  if (tok_kw(&k, "invoke") || tok_kw(&k, "get")) {
    c->kind = WM_SCRIPT_ACTION;
    return action(s, true);
  }
  for (int i = WM_SCRIPT_ASSERT_RETURN; i <= WM_SCRIPT_ASSERT_UNINSTANTIABLE; i++) {
    if (!tok_kw(&k, kind_names[i])) continue;
    c->kind = (wm_script_kind)i;
    if ((rc = next(s))) return rc;
    switch (c->kind) {
      case WM_SCRIPT_ASSERT_RETURN: rc = action(s, false); if (!rc) rc = results(s); break;
      case WM_SCRIPT_ASSERT_TRAP:
        /* (assert_trap (module ...) "text"): the start function traps. */
        if (s->t.kind == WM_TOK_LPAREN) {
          wm_lexer peek = s->lx;
          wm_tok t;
          peek.err = NULL;
          if (wm__lex_next(&peek, &t) == 0 && tok_kw(&t, "module")) {
            c->kind = WM_SCRIPT_ASSERT_UNINSTANTIABLE;
            rc = assert_module(s);
            break;
          }
        }
        rc = action(s, false);
        break;
      case WM_SCRIPT_ASSERT_EXHAUSTION:
      case WM_SCRIPT_ASSERT_EXCEPTION: rc = action(s, false); break;
      default: rc = assert_module(s); break;
    }
    if (!rc) rc = opt_text(s);
    if (rc) return rc;
    return expect(s, WM_TOK_RPAREN, c->kind == WM_SCRIPT_ASSERT_RETURN ? "a result or ')'" : "a string or ')'");
  }
  /* A script may be a module's fields alone (the whole script is then
  ** that module). */
  static const char *const fields[] = {"type", "import", "func", "table", "memory", "global",
                                       "export", "start", "elem", "data"};
  for (size_t i = 0; s->ncmds == 0 && i < sizeof fields / sizeof *fields; i++) {
    if (!tok_kw(&k, fields[i])) continue;
    c->kind = WM_SCRIPT_MODULE;
    c->module = (const uint8_t *)s->src;
    c->module_len = s->len;
    c->module_text = true;
    s->lx.pos = s->len; /* the next command is the end */
    s->before = s->lx;
    return 0;
  }
  static const char *const later[] = {"thread", "wait", "input", "output", "script"};
  for (size_t i = 0; i < sizeof later / sizeof *later; i++)
    if (tok_kw(&k, later[i])) return next(s) ? s->e.code : unsupported(s, open, later[i]);
  if (k.kind != WM_TOK_KEYWORD) return unexpected(s, "a command");
  return serr(s, &k, "unknown command '%.*s'", (int)(k.len > 32 ? 32 : k.len), k.text);
}

/* ------------------------------------------------------------ the API */

static void buf_free(wp_buf *b) {
  wm__free(b->p);
  memset(b, 0, sizeof *b);
}

int wm_script_open(const char *text, size_t len, const char *name, wm_script **out,
                   wm_error *err) {
  if (!out || (!text && len)) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_script_open: NULL argument");
  *out = NULL;
  wm_script *s = wm__calloc(1, sizeof *s);
  if (!s) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  s->src = wm__malloc(len + 1);
  s->name = name ? wm__strndup(name, strlen(name)) : NULL;
  if (!s->src || (name && !s->name)) {
    wm_script_free(s);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  if (len) memcpy(s->src, text, len);
  s->src[len] = '\0';
  s->len = len;
  wm__lex_init(&s->lx, s->src, len, &s->e);
  *out = s;
  return 0;
}

/* The error that ended the script, into the caller's, the name in front. */
static int report(const wm_script *s, wm_error *err) {
  if (!err) return s->failed;
  *err = s->e;
  if (s->name && s->failed == WM_EMALFORMED)
    wm__error(err, s->failed, UINT32_MAX, "%s:%s", s->name, s->e.message);
  return s->failed;
}

int wm_script_next(wm_script *s, const wm_script_cmd **cmd, wm_error *err) {
  if (!s || !cmd) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_script_next: NULL argument");
  *cmd = NULL;
  if (s->failed) return report(s, err);
  wp_buf *bufs[] = {&s->module, &s->quote, &s->id, &s->def, &s->aid, &s->name_b, &s->field, &s->text};
  for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) bufs[i]->n = 0;
  s->nargs = s->nres = s->nalts = 0;
  s->lexerr = false;
  s->later = NULL;
  memset(&s->cmd, 0, sizeof s->cmd);
  int rc = next(s);
  if (s->lexerr) rc = s->e.code;
  else if (s->t.kind == WM_TOK_EOF) return 0;
  wm_tok open = s->t;
  if (!rc) rc = expect(s, WM_TOK_LPAREN, "a command");
  if (!rc) rc = command(s, &open);
  if (!rc && s->later) {
    char msg[160];
    int n = snprintf(msg, sizeof msg, "%.*s with %.*s not supported yet", (int)s->cmd_kw.len,
                     s->cmd_kw.text, (int)(s->later_len > 64 ? 64 : s->later_len), s->later);
    s->text.n = 0;
    wp_bytes(&s->text, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    s->cmd.kind = WM_SCRIPT_UNSUPPORTED;
  }
  if (!rc) {
    wp_byte(&s->text, 0);
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
      if (bufs[i]->oom) rc = nomem(s);
  }
  if (rc) {
    s->failed = rc;
    return report(s, err);
  }
  s->lx = s->before; /* the token after the command's ')' is read again next time */
  s->cmd.line = open.line;
  s->cmd.text = (const char *)s->text.p;
  s->ncmds++;
  *cmd = &s->cmd;
  return 1;
}

void wm_script_free(wm_script *s) {
  if (!s) return;
  wp_buf *bufs[] = {&s->module, &s->quote, &s->id, &s->def, &s->aid, &s->name_b, &s->field, &s->text};
  for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) buf_free(bufs[i]);
  wm__free(s->args);
  wm__free(s->res);
  wm__free(s->either_at);
  wm__free(s->alts);
  wm__free(s->src);
  wm__free(s->name);
  wm__free(s);
}
