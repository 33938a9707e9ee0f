/* SPDX-License-Identifier: MIT */
/*
** aot_gc.c -- garbage collection's instructions in compiled code
** (aot_c.c's translator, WebAssembly 3.0: 0xFB and ref.eq).
**
** A reference of any's hierarchy is a C `void *` holding what the
** interpreter's slot holds (gc.h): NULL, an i31 ((v << 1) | 1), or a
** wm_gcobj. Each instruction is typed by wm__gc_sig (gc_sig.c), as the
** interpreter's lowering and the body validator type it, and is written
** on the interpreter's object layout: a struct field's offset and storage
** code are the module type's (wm__gc_layout, computed at decoding), an
** array's length and payload are wm_gcobj's fields at offsets taken here
** from gc.h. So struct.get/set and array.get/set/len are a null check (the
** runtime's null_trap: "null structure reference", ...), a bounds check and
** one sized copy, inline; ref.test, ref.cast and br_on_cast ask the runtime
** (ref_test: wm__ref_test, the interpreter's very test).
**
** Instructions that make objects (struct.new*, array.new*, the extern
** conversions, which may box) or copy into arrays (array.fill, array.copy,
** array.init_data/elem) call the runtime (aot_abi.h's struct_new ...
** convert: gc.c's functions, the interpreter's very code, with its traps
** and messages). struct.new and array.new_fixed get a zeroed object and
** write its fields here, as struct.set does (no fences: nothing else sees
** the object before it is pushed); a value array.new or array.fill stores
** is passed in slots (v_). An allocation may collect while the operands
** and every other reference of the compiled frames are in C locals: the
** collector reads the compiled frames' stack as roots, word by word,
** interior pointers included (collect.c, aot_rt.c's segments).
*/
#include <stddef.h>

#include "aot_emit.h"
#include "gc.h"
#include "gc_sig.h"

static int sig(fstate *f, uint32_t sub, wm_gcsig *s) {
  int e = wm__gc_sig(f->mod, f->b, &f->pos, f->end, sub, s);
  if (e == 1) return fail(f, WM_EMALFORMED, "illegal opcode");
  return e ? fail(f, e, "%s", s->why) : 0;
}

int wm__aot_gc_skip(fstate *f, uint32_t sub) {
  wm_gcsig s;
  return sig(f, sub, &s);
}

/* The C statement that nulls-checks reference r, what "i31", "structure"
** or "array" (the interpreter's message). */
static void null_check(fstate *f, const char *r, const char *what) {
  put(f->o, "  if (WM_UNLIKELY(!%s)) c->null_trap(c, \"%s\", WM_SELF);\n", r, what);
}

/* Copy between a value of C name v and the field or element at
** C pointer p, stored as `code` (WM_GS_*, WM_GS_SIGNED for a signed read). */
static void gc_read(fstate *f, const char *v, const char *p, uint32_t code) {
  switch (code & 0xF) {
    case WM_GS_I8: put(f->o, "  %s = (uint32_t)*(const uint8_t *)(%s);\n", v, p); break;
    case WM_GS_I8 | WM_GS_SIGNED:
      put(f->o, "  %s = (uint32_t)(int32_t)*(const int8_t *)(%s);\n", v, p);
      break;
    case WM_GS_I16: put(f->o, "  %s = (uint32_t)wm_ld_u16(%s);\n", v, p); break;
    case WM_GS_I16 | WM_GS_SIGNED:
      put(f->o, "  %s = (uint32_t)(int32_t)(int16_t)wm_ld_u16(%s);\n", v, p);
      break;
    default: put(f->o, "  memcpy(&%s, %s, sizeof %s);\n", v, p, v); break;
  }
}
static void gc_store(fstate *f, const char *v, const char *p, uint32_t code) {
  switch (code & 7) {
    case WM_GS_I8: put(f->o, "  *(uint8_t *)(%s) = (uint8_t)%s;\n", p, v); break;
    case WM_GS_I16: put(f->o, "  wm_st_u16(%s, (uint16_t)%s);\n", p, v); break;
    default: put(f->o, "  memcpy(%s, &%s, sizeof %s);\n", p, v, v); break;
  }
}
static void gc_write(fstate *f, const char *v, const char *p, uint32_t code) {
  fence(f); /* as a memory store's: a later faulting load must not pass it */
  gc_store(f, v, p, code);
  fence(f);
}

/* `{ wm_aot_slot v_[2];` with the value at depth d in it (a block the
** caller closes). */
static void to_slots(fstate *f, uint32_t d) {
  uint32_t j = 0;
  f->extra += 32;
  put(f->o, "  { wm_aot_slot v_[2];");
  wm__aot_put_to_slot(f->o, "v_", &j, f->stk[d], V(f, d));
  put(f->o, "\n");
}

/* The translations that call the runtime (aot_abi.h); a the depth of the
** first operand. */
static int gc_call(fstate *f, uint32_t sub, const wm_gcsig *s, uint32_t a) {
  const unsigned data = (unsigned)offsetof(wm_gcobj, data);
  const unsigned st = s->store | (s->refs ? WM_GS_REFS : 0);
  int rc;
  switch (sub) {
    case WM_GC_STRUCT_NEW_DEFAULT:
      f->sp = a;
      return pushv(f, T_REF, "c->struct_new(c, %uu, %uu, %uu, WM_SELF)", (unsigned)s->x,
                   (unsigned)s->size, (unsigned)s->refs);
    case WM_GC_STRUCT_NEW: case WM_GC_ARRAY_NEW_FIXED: {
      /* The operands stay in their C locals across the allocation. */
      const wm_type *t = &f->mod->types[s->x];
      char p[96];
      if (sub == WM_GC_STRUCT_NEW)
        put(f->o, "  { void *o_ = c->struct_new(c, %uu, %uu, %uu, WM_SELF);\n", (unsigned)s->x,
            (unsigned)s->size, (unsigned)s->refs);
      else
        put(f->o, "  { void *o_ = c->array_new(c, %uu, %uu, %uu, NULL, WM_SELF);\n",
            (unsigned)s->x, st, (unsigned)s->n);
      f->extra += 32;
      for (uint32_t i = 0; i < s->n; i++) {
        uint32_t code = sub == WM_GC_STRUCT_NEW ? wm__gc_store_code(t->params[i]) : s->store & 7;
        uint64_t off = sub == WM_GC_STRUCT_NEW ? wm__gc_field_at(t, i) : (uint64_t)i << code;
        snprintf(p, sizeof p, "(unsigned char *)o_ + %llu", (unsigned long long)(data + off));
        gc_store(f, V(f, a + i), p, code);
      }
      f->sp = a;
      if ((rc = push(f, T_REF))) return rc;
      put(f->o, "  %s = o_; }\n", V(f, a));
      return 0;
    }
    case WM_GC_ARRAY_NEW:
      to_slots(f, a);
      f->sp = a;
      if ((rc = push(f, T_REF))) return rc;
      put(f->o, "  %s = c->array_new(c, %uu, %uu, %s, v_, WM_SELF); }\n", V(f, a),
          (unsigned)s->x, st, NV(f, a + 1, T_I32));
      return 0;
    case WM_GC_ARRAY_NEW_DEFAULT:
      f->sp = a;
      return pushv(f, T_REF, "c->array_new(c, %uu, %uu, %s, NULL, WM_SELF)", (unsigned)s->x, st,
                   NV(f, a, T_I32));
    case WM_GC_ARRAY_NEW_DATA:
      f->sp = a;
      return pushv(f, T_REF, "c->array_new_data(c, %uu, %uu, %uu, %s, %s, WM_SELF)",
                   (unsigned)s->x, st, (unsigned)s->y, NV(f, a, T_I32), NV(f, a + 1, T_I32));
    case WM_GC_ARRAY_NEW_ELEM:
      f->sp = a;
      return pushv(f, T_REF, "c->array_new_elem(c, %uu, %uu, %s, %s, WM_SELF)", (unsigned)s->x,
                   (unsigned)s->y, NV(f, a, T_I32), NV(f, a + 1, T_I32));
    case WM_GC_ARRAY_FILL:
      to_slots(f, a + 2);
      put(f->o, "  c->array_fill(c, %s, %s, v_, %s, %uu, WM_SELF); }\n", NV(f, a, T_REF),
          NV(f, a + 1, T_I32), NV(f, a + 3, T_I32), st);
      f->sp = a;
      return 0;
    case WM_GC_ARRAY_COPY:
      put(f->o, "  c->array_copy(c, %s, %s, %s, %s, %s, %uu, WM_SELF);\n", NV(f, a, T_REF),
          NV(f, a + 1, T_I32), NV(f, a + 2, T_REF), NV(f, a + 3, T_I32), NV(f, a + 4, T_I32), st);
      f->sp = a;
      return 0;
    case WM_GC_ARRAY_INIT_DATA: case WM_GC_ARRAY_INIT_ELEM:
      put(f->o, "  c->array_init(c, %d, %uu, %s, %s, %s, %s, %uu, WM_SELF);\n",
          sub == WM_GC_ARRAY_INIT_DATA, (unsigned)s->y, NV(f, a, T_REF), NV(f, a + 1, T_I32),
          NV(f, a + 2, T_I32), NV(f, a + 3, T_I32), st);
      f->sp = a;
      return 0;
    default: /* WM_GC_ANY_CONVERT_EXTERN, WM_GC_EXTERN_CONVERT_ANY */
      f->sp = a;
      return pushv(f, T_REF, "c->convert(c, %s, %d, WM_SELF)", NV(f, a, T_REF),
                   sub == WM_GC_EXTERN_CONVERT_ANY);
  }
}

int wm__aot_gc(fstate *f, uint32_t sub) {
  uint32_t at = f->pos;
  wm_gcsig s;
  int rc = sig(f, sub, &s);
  if (rc) return rc;
  if (s.out && tclass(s.out) < 0) return unsupported(f, tclass_why(s.out));
  if (sub <= WM_GC_ARRAY_INIT_ELEM || sub == WM_GC_ANY_CONVERT_EXTERN ||
      sub == WM_GC_EXTERN_CONVERT_ANY)
    switch (sub) {
      case WM_GC_STRUCT_GET: case WM_GC_STRUCT_GET_S: case WM_GC_STRUCT_GET_U: case WM_GC_STRUCT_SET:
      case WM_GC_ARRAY_GET: case WM_GC_ARRAY_GET_S: case WM_GC_ARRAY_GET_U: case WM_GC_ARRAY_SET:
      case WM_GC_ARRAY_LEN: break;
      default: return gc_call(f, sub, &s, f->sp - s.n);
    }
  const unsigned data = (unsigned)offsetof(wm_gcobj, data), len = (unsigned)offsetof(wm_gcobj, len);
  char in[5][24], p[96];
  uint32_t a = f->sp - s.n;
  for (uint32_t i = 0; i < s.n && i < 5; i++) snprintf(in[i], sizeof in[i], "%s", V(f, a + i));
  switch (sub) {
    case WM_GC_REF_EQ:
      f->sp = a;
      return pushv(f, T_I32, "(uint32_t)(%s == %s)", in[0], in[1]);
    case WM_GC_REF_I31:
      f->sp = a;
      return pushv(f, T_REF, "(void *)(uintptr_t)((((uint64_t)%s << 1) | 1) & 0xFFFFFFFFu)", in[0]);
    case WM_GC_I31_GET_S: case WM_GC_I31_GET_U:
      null_check(f, in[0], "i31");
      f->sp = a;
      return pushv(f, T_I32, sub == WM_GC_I31_GET_S ? "(uint32_t)((int32_t)(uint32_t)(uintptr_t)%s >> 1)"
                                                    : "(uint32_t)(uintptr_t)%s >> 1",
                   in[0]);
    case WM_GC_REF_TEST: case WM_GC_REF_TEST_NULL:
      f->sp = a;
      return pushv(f, T_I32, "(uint32_t)c->ref_test(c, %s, %uu)", in[0], (unsigned)s.t1);
    case WM_GC_REF_CAST: case WM_GC_REF_CAST_NULL: /* the same value, or the trap */
      put(f->o, "  if (WM_UNLIKELY(!c->ref_test(c, %s, %uu))) wm_trap(c, %d);\n", in[0],
          (unsigned)s.t1, WM_TRAP_CAST);
      return 0;
    case WM_GC_BR_ON_CAST: case WM_GC_BR_ON_CAST_FAIL: {
      /* As br_if on the test: the label takes the values below and the
      ** reference, which stays for the fall-through too. */
      char cond[96];
      snprintf(cond, sizeof cond, "%sc->ref_test(c, %s, %uu)", sub == WM_GC_BR_ON_CAST ? "" : "!",
               V(f, f->sp - 1), (unsigned)s.t2);
      return wm__aot_branch_if(f, cond, s.label);
    }
    case WM_GC_STRUCT_GET: case WM_GC_STRUCT_GET_S: case WM_GC_STRUCT_GET_U: {
      null_check(f, in[0], "structure");
      snprintf(p, sizeof p, "(unsigned char *)%s + %u", in[0], data + (unsigned)s.offset);
      f->sp = a;
      int k = tclass(s.out);
      if ((rc = push(f, k))) return rc;
      gc_read(f, V(f, a), p, s.store);
      return 0;
    }
    case WM_GC_STRUCT_SET:
      null_check(f, in[0], "structure");
      snprintf(p, sizeof p, "(unsigned char *)%s + %u", in[0], data + (unsigned)s.offset);
      gc_write(f, in[1], p, s.store);
      f->sp = a;
      return 0;
    case WM_GC_ARRAY_LEN:
      null_check(f, in[0], "array");
      f->sp = a;
      return pushv(f, T_I32, "wm_ld_u32((const uint8_t *)%s + %u)", in[0], len);
    case WM_GC_ARRAY_GET: case WM_GC_ARRAY_GET_S: case WM_GC_ARRAY_GET_U:
    case WM_GC_ARRAY_SET: {
      null_check(f, in[0], "array");
      put(f->o, "  if (WM_UNLIKELY(%s >= wm_ld_u32((const uint8_t *)%s + %u))) wm_trap(c, %d);\n",
          in[1], in[0], len, WM_TRAP_ARRAY_OOB);
      snprintf(p, sizeof p, "(unsigned char *)%s + %u + (size_t)%s * %u", in[0], data, in[1],
               1u << (s.store & 7));
      f->sp = a;
      if (sub == WM_GC_ARRAY_SET) {
        gc_write(f, in[2], p, s.store);
        return 0;
      }
      int k = tclass(s.out);
      if ((rc = push(f, k))) return rc;
      gc_read(f, V(f, a), p, s.store);
      return 0;
    }
    default:
      f->pos = at;
      return unsupported(f, "this GC instruction");
  }
}
