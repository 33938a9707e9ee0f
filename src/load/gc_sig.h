/* SPDX-License-Identifier: MIT */
/*
** gc_sig.h -- the typing of GC's instructions (WebAssembly 3.0: 0xFB and
** ref.eq), read once for both body readers: the compiler (compile_gc.c)
** and the body validator (validate_code.c) take the immediates, the
** checks and the operand types from wm__gc_sig, so that they give the same
** verdicts; each then pops, pushes and (the compiler) lowers.
*/
#ifndef WM_GC_SIG_H
#define WM_GC_SIG_H

#include "module.h"

/* The GC sub-opcodes (after 0xFB) by name. */
enum {
  WM_GC_STRUCT_NEW = 0x00, WM_GC_STRUCT_NEW_DEFAULT, WM_GC_STRUCT_GET, WM_GC_STRUCT_GET_S,
  WM_GC_STRUCT_GET_U, WM_GC_STRUCT_SET, WM_GC_ARRAY_NEW, WM_GC_ARRAY_NEW_DEFAULT,
  WM_GC_ARRAY_NEW_FIXED, WM_GC_ARRAY_NEW_DATA, WM_GC_ARRAY_NEW_ELEM, WM_GC_ARRAY_GET,
  WM_GC_ARRAY_GET_S, WM_GC_ARRAY_GET_U, WM_GC_ARRAY_SET, WM_GC_ARRAY_LEN, WM_GC_ARRAY_FILL,
  WM_GC_ARRAY_COPY, WM_GC_ARRAY_INIT_DATA, WM_GC_ARRAY_INIT_ELEM, WM_GC_REF_TEST,
  WM_GC_REF_TEST_NULL, WM_GC_REF_CAST, WM_GC_REF_CAST_NULL, WM_GC_BR_ON_CAST,
  WM_GC_BR_ON_CAST_FAIL, WM_GC_ANY_CONVERT_EXTERN, WM_GC_EXTERN_CONVERT_ANY, WM_GC_REF_I31,
  WM_GC_I31_GET_S, WM_GC_I31_GET_U,
  WM_GC_REF_EQ = 0x100 /* 0xD3, not a sub-opcode: wm__gc_sig takes it so */
};

typedef struct wm_gcsig {
  uint32_t x, y;           /* immediates: type index, field / count / segment / type */
  uint32_t n;              /* operands it pops (wm__gc_in gives their types) */
  uint32_t in[5];          /* their types, bottom first, unless ... */
  const wm_valtype *fields; /* struct.new: operand i is field i's value type */
  uint32_t rep;            /* array.new_fixed: every operand is this type */
  uint32_t out;            /* the result's type; 0: none */
  uint32_t t1, t2;         /* ref.test/cast: target type (t1); br_on_cast: rt1, rt2 */
  uint32_t label;          /* br_on_cast(_fail): the label's depth */
  uint32_t store;          /* the field's or element's WM_GS_* (gc.h), signed flag */
  uint32_t offset, size;   /* struct: the field's offset, the payload's size */
  bool refs;               /* the struct or array may hold references */
  char why[96];
} wm_gcsig;

/*
** Read GC instruction `sub` (WM_GC_*) at b[*pos..end) of mod, checking its
** immediates and what it needs of the module. 0 and *s filled; WM_EMALFORMED
** or WM_EINVALID with s->why; 1 for a sub-opcode that is none.
*/
int wm__gc_sig(const wm_module *mod, const uint8_t *b, uint32_t *pos, uint32_t end, uint32_t sub,
               wm_gcsig *s);

/* The type of operand i (bottom first). */
static inline uint32_t wm__gc_in(const wm_gcsig *s, uint32_t i) {
  if (s->fields) {
    uint32_t t = s->fields[i];
    return t == WM_PACKED_I8 || t == WM_PACKED_I16 ? WM_I32 : t;
  }
  return s->rep ? s->rep : s->in[i];
}

#endif
