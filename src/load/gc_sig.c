/* SPDX-License-Identifier: MIT */
/*
** gc_sig.c -- the typing of GC's instructions for both body readers
** (gc_sig.h): immediates, the checks the spec makes of them, the operand
** and result types, and the layout facts lowering needs (gc.h).
*/
#include <stdarg.h>
#include <stdio.h>

#include "gc_sig.h"
#include "gc.h"
#include "leb.h"

#define TRY(x)                \
  do {                        \
    int rc_ = (x);            \
    if (rc_) return rc_;      \
  } while (0)

static int fail(wm_gcsig *s, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->why, sizeof s->why, fmt, ap);
  va_end(ap);
  return code;
}

static int rd_u32(wm_gcsig *s, const uint8_t *b, uint32_t *pos, uint32_t end, uint32_t *out) {
  int e = wm__leb_u32(b, pos, end, out);
  return e ? fail(s, WM_EMALFORMED, "%s", wm__leb_msg(e)) : 0;
}

/* Type index x of the given kind (WM_COMP_STRUCT / _ARRAY). */
static int rd_typeidx(wm_gcsig *s, const wm_module *mod, const uint8_t *b, uint32_t *pos,
                      uint32_t end, uint8_t kind, const wm_type **t) {
  uint32_t x = 0;
  TRY(rd_u32(s, b, pos, end, &x));
  if (x >= mod->ntypes) return fail(s, WM_EINVALID, "unknown type %u", x);
  if (mod->types[x].kind != kind) return fail(s, WM_EINVALID, "type mismatch");
  *t = &mod->types[x];
  return 0;
}

static uint32_t unpacked(uint32_t st) {
  return st == WM_PACKED_I8 || st == WM_PACKED_I16 ? WM_I32 : st;
}

static bool packed(uint32_t st) { return st == WM_PACKED_I8 || st == WM_PACKED_I16; }

/* A heap type for a cast: the nullable reference to it, nonnull if asked. */
static int rd_heap(wm_gcsig *s, const wm_module *mod, const uint8_t *b, uint32_t *pos,
                   uint32_t end, bool nonnull, uint32_t *t) {
  const char *why = NULL;
  int e = wm__read_bodytype(b, pos, end, true, mod, t, &why);
  if (e == WM_EINVALID) return fail(s, e, "unknown type %u", wm__vt_idx(*t) - 1);
  if (e) return fail(s, e, "%s", why);
  if (nonnull) *t |= WM_VT_NONNULL;
  return 0;
}

/* A get or set of storage type st: the code, signed or not; a packed one
** needs get_s/get_u, an unpacked one plain get. */
static int access(wm_gcsig *s, uint32_t st, uint32_t variant /* 0 get/set, 1 _s, 2 _u */) {
  if (packed(st) != (variant != 0)) return fail(s, WM_EINVALID, "type mismatch");
  s->store = wm__gc_store_code(st) | (variant == 1 ? WM_GS_SIGNED : 0);
  return 0;
}

static int struct_op(const wm_module *mod, const uint8_t *b, uint32_t *pos, uint32_t end,
                     uint32_t sub, wm_gcsig *s) {
  const wm_type *t;
  TRY(rd_typeidx(s, mod, b, pos, end, WM_COMP_STRUCT, &t));
  s->x = (uint32_t)(t - mod->types);
  uint32_t ref = wm__vt_ref_kind(s->x, 0x6B, false);
  s->size = wm__gc_struct_size(t);
  if (s->size > WM_GC_MAX_STRUCT)
    return fail(s, WM_ELIMIT, "struct type %u too large: %u bytes", s->x, s->size);
  s->refs = wm__gc_any_refs(t);
  if (sub == WM_GC_STRUCT_NEW || sub == WM_GC_STRUCT_NEW_DEFAULT) {
    if (sub == WM_GC_STRUCT_NEW) {
      s->fields = t->params;
      s->n = t->nparams;
    } else {
      for (uint32_t i = 0; i < t->nparams; i++)
        if (!wm__vt_defaultable(t->params[i]))
          return fail(s, WM_EINVALID, "type mismatch: field %u is not defaultable", i);
    }
    s->out = ref | WM_VT_NONNULL;
    return 0;
  }
  TRY(rd_u32(s, b, pos, end, &s->y));
  if (s->y >= t->nparams) return fail(s, WM_EINVALID, "unknown field %u", s->y);
  uint32_t st = t->params[s->y];
  s->offset = wm__gc_field_at(t, s->y);
  if (sub == WM_GC_STRUCT_SET) {
    if (!t->results[s->y]) return fail(s, WM_EINVALID, "immutable field");
    s->store = wm__gc_store_code(st);
    s->n = 2;
    s->in[0] = ref;
    s->in[1] = unpacked(st);
    return 0;
  }
  TRY(access(s, st, sub - WM_GC_STRUCT_GET));
  s->n = 1;
  s->in[0] = ref;
  s->out = unpacked(st);
  return 0;
}

/* Segment x of the data (data: true) or element segments. */
static int rd_segment(wm_gcsig *s, const wm_module *mod, const uint8_t *b, uint32_t *pos,
                      uint32_t end, bool data) {
  TRY(rd_u32(s, b, pos, end, &s->y));
  if (data) {
    if (!mod->has_datacount && mod->ndatas > 0)
      return fail(s, WM_EMALFORMED, "data count section required");
    uint32_t n = mod->has_datacount ? mod->datacount : 0;
    if (s->y >= n) return fail(s, WM_EINVALID, "unknown data segment %u", s->y);
  } else if (s->y >= mod->nelems) {
    return fail(s, WM_EINVALID, "unknown elem segment %u", s->y);
  }
  return 0;
}

static int array_op(const wm_module *mod, const uint8_t *b, uint32_t *pos, uint32_t end,
                    uint32_t sub, wm_gcsig *s) {
  const wm_type *t;
  if (sub == WM_GC_ARRAY_LEN) {
    s->n = 1;
    s->in[0] = 0x6A; /* arrayref */
    s->out = WM_I32;
    return 0;
  }
  TRY(rd_typeidx(s, mod, b, pos, end, WM_COMP_ARRAY, &t));
  s->x = (uint32_t)(t - mod->types);
  uint32_t ref = wm__vt_ref_kind(s->x, 0x6A, false), st = t->params[0], et = unpacked(st);
  bool mut = t->results[0];
  s->refs = wm__is_reftype(st);
  s->store = wm__gc_store_code(st);
  switch (sub) {
  case WM_GC_ARRAY_NEW: case WM_GC_ARRAY_NEW_DEFAULT: case WM_GC_ARRAY_NEW_FIXED:
    s->out = ref | WM_VT_NONNULL;
    if (sub == WM_GC_ARRAY_NEW_FIXED) {
      TRY(rd_u32(s, b, pos, end, &s->y));
      if (s->y > 10000) return fail(s, WM_ELIMIT, "array.new_fixed of %u elements", s->y);
      s->n = s->y;
      s->rep = et;
      return 0;
    }
    if (sub == WM_GC_ARRAY_NEW_DEFAULT && !wm__vt_defaultable(st))
      return fail(s, WM_EINVALID, "type mismatch: the element is not defaultable");
    s->in[s->n++] = et;
    if (sub == WM_GC_ARRAY_NEW_DEFAULT) s->n = 0;
    s->in[s->n++] = WM_I32;
    return 0;
  case WM_GC_ARRAY_NEW_DATA: case WM_GC_ARRAY_INIT_DATA:
  case WM_GC_ARRAY_NEW_ELEM: case WM_GC_ARRAY_INIT_ELEM: {
    bool data = sub == WM_GC_ARRAY_NEW_DATA || sub == WM_GC_ARRAY_INIT_DATA;
    bool init = sub == WM_GC_ARRAY_INIT_DATA || sub == WM_GC_ARRAY_INIT_ELEM;
    if (init && !mut) return fail(s, WM_EINVALID, "immutable array");
    TRY(rd_segment(s, mod, b, pos, end, data));
    if (data && wm__is_reftype(st))
      return fail(s, WM_EINVALID, "array type is not numeric or vector");
    if (!data && !wm__valtype_match(mod, mod->elems[s->y].type, st))
      return fail(s, WM_EINVALID, "type mismatch");
    if (init) {
      s->in[s->n++] = ref;
      s->in[s->n++] = WM_I32;
    } else {
      s->out = ref | WM_VT_NONNULL;
    }
    s->in[s->n++] = WM_I32;
    s->in[s->n++] = WM_I32;
    return 0;
  }
  case WM_GC_ARRAY_GET: case WM_GC_ARRAY_GET_S: case WM_GC_ARRAY_GET_U:
    TRY(access(s, st, sub - WM_GC_ARRAY_GET));
    s->n = 2;
    s->in[0] = ref;
    s->in[1] = WM_I32;
    s->out = et;
    return 0;
  case WM_GC_ARRAY_SET: case WM_GC_ARRAY_FILL:
    if (!mut) return fail(s, WM_EINVALID, "immutable array");
    s->n = sub == WM_GC_ARRAY_FILL ? 4 : 3;
    s->in[0] = ref;
    s->in[1] = WM_I32;
    s->in[2] = et;
    s->in[3] = WM_I32;
    return 0;
  default: { /* array.copy x y */
    const wm_type *u;
    if (!mut) return fail(s, WM_EINVALID, "immutable array");
    TRY(rd_typeidx(s, mod, b, pos, end, WM_COMP_ARRAY, &u));
    s->y = (uint32_t)(u - mod->types);
    uint32_t su = u->params[0];
    bool ok = packed(st) || packed(su) ? st == su : wm__valtype_match(mod, su, st);
    if (!ok) return fail(s, WM_EINVALID, "array types do not match");
    s->n = 5;
    s->in[0] = ref;
    s->in[1] = WM_I32;
    s->in[2] = wm__vt_ref_kind(s->y, 0x6A, false);
    s->in[3] = WM_I32;
    s->in[4] = WM_I32;
    return 0;
  }
  }
}

static int cast_op(const wm_module *mod, const uint8_t *b, uint32_t *pos, uint32_t end,
                   uint32_t sub, wm_gcsig *s) {
  if (sub <= WM_GC_REF_CAST_NULL) {
    bool nonnull = sub == WM_GC_REF_TEST || sub == WM_GC_REF_CAST;
    TRY(rd_heap(s, mod, b, pos, end, nonnull, &s->t1));
    s->n = 1;
    s->in[0] = wm__vt_top(s->t1);
    s->out = sub <= WM_GC_REF_TEST_NULL ? WM_I32 : s->t1;
    return 0;
  }
  /* br_on_cast(_fail) flags l rt1 rt2 */
  if (*pos >= end) return fail(s, WM_EMALFORMED, "%s", wm__leb_msg(WM_LEB_END));
  uint8_t flags = b[(*pos)++];
  if (flags > 3) return fail(s, WM_EMALFORMED, "malformed cast flags");
  TRY(rd_u32(s, b, pos, end, &s->label));
  TRY(rd_heap(s, mod, b, pos, end, !(flags & 1), &s->t1));
  TRY(rd_heap(s, mod, b, pos, end, !(flags & 2), &s->t2));
  if (!wm__valtype_match(mod, s->t2, s->t1)) return fail(s, WM_EINVALID, "type mismatch");
  s->n = 1;
  s->in[0] = s->t1;
  return 0;
}

int wm__gc_sig(const wm_module *mod, const uint8_t *b, uint32_t *pos, uint32_t end, uint32_t sub,
               wm_gcsig *s) {
  memset(s, 0, sizeof *s);
  if (sub <= WM_GC_STRUCT_SET) return struct_op(mod, b, pos, end, sub, s);
  if (sub <= WM_GC_ARRAY_INIT_ELEM) return array_op(mod, b, pos, end, sub, s);
  if (sub <= WM_GC_BR_ON_CAST_FAIL) return cast_op(mod, b, pos, end, sub, s);
  s->n = 1;
  switch (sub) {
  case WM_GC_ANY_CONVERT_EXTERN: s->in[0] = WM_EXTERNREF; s->out = 0x6E; return 0;
  case WM_GC_EXTERN_CONVERT_ANY: s->in[0] = 0x6E; s->out = WM_EXTERNREF; return 0;
  case WM_GC_REF_I31: s->in[0] = WM_I32; s->out = 0x6C | WM_VT_NONNULL; return 0;
  case WM_GC_I31_GET_S: case WM_GC_I31_GET_U: s->in[0] = 0x6C; s->out = WM_I32; return 0;
  case WM_GC_REF_EQ: s->n = 2; s->in[0] = s->in[1] = 0x6D; s->out = WM_I32; return 0;
  default: return 1;
  }
}
