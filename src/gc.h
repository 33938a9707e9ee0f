/* SPDX-License-Identifier: MIT */
/*
** gc.h -- the values of WebAssembly 3.0's garbage collection: i31
** references, struct and array objects, and boxes for what crosses
** between the any and extern hierarchies (gc.c).
**
** A reference of any's hierarchy in a slot (wm_slot.ref) is NULL, an i31
** (the 31-bit value v as (v << 1) | 1: objects are 8-byte aligned, so bit 0
** tells them apart), or a wm_gcobj of the runtime: a struct, an array, or a
** box of a host pointer (any.convert_extern of an externref that is not one
** of our objects). An externref is a host pointer or one of our objects
** (extern.convert_any of a struct or array is the object itself, of an i31
** a box holding it, of a host box the host pointer again), so converting
** back and forth gives the same reference.
**
** Objects live until the collector (collect.c) finds nothing naming them,
** or their runtime is freed; their bytes are counted against
** wm_runtime_options.max_gc_bytes. A set of their addresses answers "is
** this pointer one of ours" (extern conversions, references from the host,
** the collector's conservative reads).
*/
#ifndef WM_GC_H
#define WM_GC_H

#include <stdint.h>
#include <string.h>

#include "module.h"

/* What an object is (wm_gcobj.kind): WM_COMP_STRUCT or WM_COMP_ARRAY, or
** a box. */
enum { WM_GC_HOSTBOX = 8, WM_GC_I31BOX = 9 };

typedef struct wm_gcobj {
  struct wm_gcobj *next; /* every object of the runtime, newest first */
  uint32_t type_id;      /* the runtime's type id (structs and arrays) */
  uint8_t kind;
  uint8_t has_refs;      /* the payload may hold references (8-aligned) */
  uint8_t mark;          /* reached, during a collection (collect.c) */
  uint8_t pad_;
  uint32_t len;          /* an array's element count */
  uint32_t size;         /* payload bytes */
  _Alignas(8) unsigned char data[]; /* fields or elements; a box's pointer */
} wm_gcobj;

/* How a field or element is stored (struct.get/set, array.*), the low
** three bits of a lowered instruction's storage cell: its size is
** 1 << code; WM_GS_SIGNED (bit 3) sign-extends a packed read. */
enum { WM_GS_I8 = 0, WM_GS_I16 = 1, WM_GS_32 = 2, WM_GS_64 = 3, WM_GS_V128 = 4 };
#define WM_GS_SIGNED 8u
#define WM_GS_REFS 16u /* on allocation cells: the object may hold references */

/* The storage code of a field's storage type (a value type or packed). */
static inline uint32_t wm__gc_store_code(uint32_t st) {
  switch (st & 0xFF) {
  case WM_PACKED_I8: return WM_GS_I8;
  case WM_PACKED_I16: return WM_GS_I16;
  case 0x7F: case 0x7D: return WM_GS_32; /* i32, f32 */
  case 0x7B: return WM_GS_V128;
  default: return WM_GS_64;              /* i64, f64, references */
  }
}

/*
** A struct type's layout: field i at offset wm__gc_layout(t)[i] (natural
** alignment up to 8), then the payload's bytes (at most WM_GC_MAX_STRUCT
** for a type objects can be made of), then 1 if a field holds references.
** decode.c computes it once per struct or array type (wm__gc_lay_out) in
** the cells after the type's mutability flags, so an instruction reads it
** in constant time: a module's types only (a runtime's copies of interned
** types do not carry it).
*/
#define WM_GC_MAX_STRUCT (1u << 20)
#define WM_GC_LAYOUT_CELLS(n) ((size_t)(n) + 2)
_Static_assert(sizeof(wm_valtype) == sizeof(uint32_t), "layout cells are wm_valtype-sized");
static inline uint32_t *wm__gc_layout(const wm_type *t) {
  return (uint32_t *)(t->params + 2 * (size_t)t->nparams);
}
static inline void wm__gc_lay_out(wm_type *t) {
  uint32_t *lay = wm__gc_layout(t);
  uint64_t off = 0;
  bool refs = false;
  for (uint32_t i = 0; i < t->nparams; i++) {
    uint32_t n = 1u << wm__gc_store_code(t->params[i]);
    uint32_t a = n > 8 ? 8 : n;
    off = (off + a - 1) & ~(uint64_t)(a - 1);
    lay[i] = (uint32_t)off;
    off += n;
    refs |= wm__is_reftype(t->params[i]);
  }
  off = (off + 7) & ~(uint64_t)7;
  lay[t->nparams] = (uint32_t)off; /* at most 10,000 fields of 16 bytes */
  lay[t->nparams + 1] = refs;
}
static inline uint32_t wm__gc_field_at(const wm_type *t, uint32_t field) {
  return wm__gc_layout(t)[field];
}
static inline uint32_t wm__gc_struct_size(const wm_type *t) { return wm__gc_layout(t)[t->nparams]; }
static inline bool wm__gc_any_refs(const wm_type *t) { return wm__gc_layout(t)[t->nparams + 1] != 0; }

/* A non-null anyref from the host must be an i31 or one of the runtime's
** objects (wm__anyref_ok, below); the refusal's words. */
#define WM_GC_NOT_OURS "an anyref that is neither an i31 nor an object of this runtime"

/* An i31 in a slot, and its value back. */
static inline void *wm__i31_make(uint32_t v) {
  return (void *)(uintptr_t)((((uint64_t)v << 1) | 1) & 0xFFFFFFFFu);
}
static inline bool wm__is_i31(const void *r) { return ((uintptr_t)r & 1) != 0; }
/* An i31 as wm__i31_make makes it: bit 0 set, nothing above bit 31 (what
** the host passes must be one, or ref.eq would tell equal values apart). */
static inline bool wm__is_host_i31(const void *r) {
  return wm__is_i31(r) && (uint64_t)(uintptr_t)r <= 0xFFFFFFFFu;
}
static inline int32_t wm__i31_s(const void *r) { return (int32_t)((uint32_t)(uintptr_t)r) >> 1; }
static inline uint32_t wm__i31_u(const void *r) { return ((uint32_t)(uintptr_t)r) >> 1; }

/* Read a field or element at p as a slot's bits (code: WM_GS_* with
** WM_GS_SIGNED), and write one; v128 are two slots (p 8-aligned). */
static inline void wm__gc_read(const unsigned char *p, uint32_t code, wm_slot *d) {
  switch (code) {
  case WM_GS_I8: d->u64 = *p; break;
  case WM_GS_I8 | WM_GS_SIGNED: d->i64 = (int8_t)*p; break;
  case WM_GS_I16: { uint16_t h; memcpy(&h, p, 2); d->u64 = h; break; }
  case WM_GS_I16 | WM_GS_SIGNED: { int16_t h; memcpy(&h, p, 2); d->i64 = h; break; }
  case WM_GS_32: { uint32_t w; memcpy(&w, p, 4); d->u64 = w; break; }
  case WM_GS_V128: memcpy(d, p, 16); break;
  default: memcpy(&d->u64, p, 8); break;
  }
}
static inline void wm__gc_write(unsigned char *p, uint32_t code, const wm_slot *s) {
  switch (code & 7) {
  case WM_GS_I8: *p = (unsigned char)s->u32; break;
  case WM_GS_I16: { uint16_t h = (uint16_t)s->u32; memcpy(p, &h, 2); break; }
  case WM_GS_32: memcpy(p, &s->u32, 4); break;
  case WM_GS_V128: memcpy(p, s, 16); break;
  default: memcpy(p, &s->u64, 8); break;
  }
}

struct wm_runtime;
struct wm_instance;
/* gc.c: a new zeroed object of `size` payload bytes, counted against
** max_gc_bytes; NULL with msg (256 bytes) set and *trap the code when the
** budget or the allocator refuses. With may_collect (only where every
** live value is in the stack's slots and rt->nframes is up to date: the
** interpreter), a collection may run first when one is due or the budget
** would refuse. */
wm_gcobj *wm__gc_alloc(struct wm_runtime *rt, bool may_collect, uint8_t kind, uint32_t type_id,
                       uint64_t size, bool refs, int *trap, char *msg);
/* gc.c: put o in the address set, which has room for it (collect.c). */
void wm__gc_set_put(struct wm_runtime *rt, wm_gcobj *o);
/* collect.c: a collection of rt's objects and kept exceptions (see there);
** extra, if not NULL, an exception being kept now whose payload is a root.
** false when it could not run (values shared with another runtime, or no
** memory for its work lists). */
struct wm_exn;
bool wm__gc_collect(struct wm_runtime *rt, const struct wm_exn *extra);
/* Collections come at least this many bytes of new objects apart. */
#define WM_GC_MIN_STEP (1u << 20)
/* collect.c: does one of words[0..k) (sorted) point into object o, its
** header or payload, or one past its end? */
bool wm__gc_held(const uintptr_t *words, size_t k, const wm_gcobj *o);
/* collect.c (WM_NATIVE_SCAN): an address below the caller's whole frame
** (its saved registers too): compiled frames' segment ends there. */
uintptr_t wm__native_sp(void);
/* gc.c, for the interpreter and compiled code alike (st: the elements'
** storage code, WM_GS_REFS included; trap codes as the interpreter's).
** array.new of n elements, each *init or, init NULL, zero; array.new_data
** and array.new_elem of segment seg from src (NULL with *trap and, when the
** allocation failed, msg); array.fill, array.copy (a's [i, i + n) from b's
** [j, j + n)), array.init_data and array.init_elem: 0 or the trap. */
wm_gcobj *wm__gc_array_new(struct wm_runtime *rt, bool may_collect, uint32_t type_id, uint32_t st,
                           uint32_t n, const wm_slot *init, int *trap, char *msg);
wm_gcobj *wm__gc_array_new_data(struct wm_runtime *rt, bool may_collect,
                                const struct wm_instance *inst, uint32_t type_id, uint32_t seg,
                                uint32_t st, uint32_t src, uint32_t n, int *trap, char *msg);
wm_gcobj *wm__gc_array_new_elem(struct wm_runtime *rt, bool may_collect,
                                const struct wm_instance *inst, uint32_t type_id, uint32_t seg,
                                uint32_t src, uint32_t n, int *trap, char *msg);
int wm__gc_array_fill(wm_gcobj *o, uint32_t i, uint32_t n, uint32_t st, const wm_slot *v);
int wm__gc_array_copy(wm_gcobj *a, uint32_t i, const wm_gcobj *b, uint32_t j, uint32_t n,
                      uint32_t st);
int wm__gc_array_init_data(const struct wm_instance *inst, wm_gcobj *o, uint32_t seg, uint32_t i,
                           uint32_t src, uint32_t n, uint32_t st);
int wm__gc_array_init_elem(const struct wm_instance *inst, wm_gcobj *o, uint32_t seg, uint32_t i,
                           uint32_t src, uint32_t n);
/* gc.c: free every object (wm_runtime_free). */
void wm__gc_free_all(struct wm_runtime *rt);
/* gc.c: is p one of rt's objects? */
bool wm__gc_owns(const struct wm_runtime *rt, const void *p);
static inline bool wm__anyref_ok(const struct wm_runtime *rt, const void *p) {
  return !p || wm__is_host_i31(p) || wm__gc_owns(rt, p);
}
/* gc.c: does reference r (in a slot, of the hierarchy of t) match
** reference type t of inst's module (ref.test, ref.cast, br_on_cast)? */
bool wm__ref_test(const struct wm_runtime *rt, const struct wm_instance *inst, const void *r,
                  uint32_t t);
/* gc.c: the same for a type whose index (if any) is runtime id `id`. */
bool wm__ref_match(const struct wm_runtime *rt, const void *r, uint32_t t, uint32_t id);
/* gc.c: why the host's reference p cannot be a value of type t of any's
** hierarchy (t's type index, if any, a runtime id), or NULL when it can. */
const char *wm__gcref_refusal(const struct wm_runtime *rt, uint32_t t, const void *p);
/* Is t a reference type of any's hierarchy (a GC reference)? */
static inline bool wm__vt_gc(uint32_t t) { return wm__is_reftype(t) && wm__vt_top(t) == 0x6E; }
/* gc.c: any.convert_extern and extern.convert_any; 0 or a trap code (a
** box could not be made) with msg set; 
** may_collect as for wm__gc_alloc. */
int wm__gc_internalize(struct wm_runtime *rt, bool may_collect, void *e, void **out, char *msg);
int wm__gc_externalize(struct wm_runtime *rt, bool may_collect, void *a, void **out, char *msg);

#endif
