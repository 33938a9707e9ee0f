/* SPDX-License-Identifier: MIT */
/*
** capi_types.c -- the standard C API's vectors and type descriptions
** (include/wasm.h): byte, value, type and reference vectors; value, function,
** global, table, memory, extern, import and export types; configs and
** engines, which hold nothing. Plain data: no store is involved.
**
** Out of host memory, a constructor gives NULL (or an empty vector), as the
** standard has no other way to say so.
*/
#include <stdlib.h>

#include "capi.h"
#include "util.h"

/* ---------------------------------------------------------- vectors */

/*
** The shared part of every vector: _new_empty, _new_uninitialized (zeroed,
** so a pointer vector starts out all NULL) and _new (a copy of the array;
** the elements' ownership moves with it).
*/
#define CAPI_VEC_BASE(name, elem)                                             \
  void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out) {                \
    out->size = 0;                                                            \
    out->data = NULL;                                                         \
  }                                                                           \
  void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t n) { \
    out->data = n ? wm__calloc(n, sizeof(elem)) : NULL;                       \
    out->size = out->data ? n : 0;                                            \
  }                                                                           \
  void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t n, elem const src[]) { \
    wasm_##name##_vec_new_uninitialized(out, n);                              \
    if (out->size) memcpy(out->data, src, n * sizeof(elem));                  \
  }

/* Vectors of plain values: a copy is a byte copy, deletion frees the array. */
#define CAPI_VEC_PLAIN(name, elem)                                            \
  CAPI_VEC_BASE(name, elem)                                                   \
  void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *v) { \
    wasm_##name##_vec_new(out, v->size, v->data);                             \
  }                                                                           \
  void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) {                     \
    wm__free(v->data);                                                        \
    v->data = NULL;                                                           \
    v->size = 0;                                                              \
  }

/* Vectors of owned pointers: each element is copied with wasm_X_copy and
** deleted with wasm_X_delete (NULL elements are skipped). */
#define CAPI_VEC_OWNED(name)                                                  \
  CAPI_VEC_BASE(name, wasm_##name##_t *)                                      \
  void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *v) { \
    wasm_##name##_vec_new_uninitialized(out, v->size);                        \
    for (size_t i = 0; i < out->size; i++)                                    \
      out->data[i] = v->data[i] ? wasm_##name##_copy(v->data[i]) : NULL;      \
  }                                                                           \
  void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) {                     \
    for (size_t i = 0; i < v->size; i++)                                      \
      if (v->data[i]) wasm_##name##_delete(v->data[i]);                       \
    wm__free(v->data);                                                        \
    v->data = NULL;                                                           \
    v->size = 0;                                                              \
  }

CAPI_VEC_PLAIN(byte, wasm_byte_t)
CAPI_VEC_OWNED(valtype)
CAPI_VEC_OWNED(functype)
CAPI_VEC_OWNED(globaltype)
CAPI_VEC_OWNED(tabletype)
CAPI_VEC_OWNED(memorytype)
CAPI_VEC_OWNED(externtype)
CAPI_VEC_OWNED(importtype)
CAPI_VEC_OWNED(exporttype)
CAPI_VEC_OWNED(frame)
CAPI_VEC_OWNED(extern)

/* Values own their references: a copy copies each, deletion releases each. */
CAPI_VEC_BASE(val, wasm_val_t)

void wasm_val_vec_copy(wasm_val_vec_t *out, const wasm_val_vec_t *v) {
  wasm_val_vec_new_uninitialized(out, v->size);
  for (size_t i = 0; i < out->size; i++) wasm_val_copy(&out->data[i], &v->data[i]);
}

void wasm_val_vec_delete(wasm_val_vec_t *v) {
  for (size_t i = 0; i < v->size; i++) wasm_val_delete(&v->data[i]);
  wm__free(v->data);
  v->data = NULL;
  v->size = 0;
}

/* ---------------------------------------------------------- configs */

wasm_config_t *wasm_config_new(void) { return wm__calloc(1, sizeof(wasm_config_t)); }
void wasm_config_delete(wasm_config_t *c) { wm__free(c); }

wasm_engine_t *wasm_engine_new(void) { return wm__calloc(1, sizeof(wasm_engine_t)); }

wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *c) {
  wasm_config_delete(c);
  return wasm_engine_new();
}

void wasm_engine_delete(wasm_engine_t *e) { wm__free(e); }

/* ------------------------------------------------------ value types */

/* Value types carry nothing but their kind, so there is one immutable
** object per kind: new and copy hand it out, delete does nothing. */
static wasm_valtype_t valtypes[] = {
    {WASM_I32},       {WASM_I64},     {WASM_F32},       {WASM_F64},    {WASMEM_V128},
    {WASM_EXTERNREF}, {WASM_FUNCREF}, {WASMEM_ANYREF}, {WASMEM_EXNREF},
};

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t k) {
  for (size_t i = 0; i < sizeof valtypes / sizeof *valtypes; i++)
    if (valtypes[i].kind == k) return &valtypes[i];
  return NULL;
}

wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t) {
  return t ? wasm_valtype_new(t->kind) : NULL;
}

void wasm_valtype_delete(wasm_valtype_t *t) { (void)t; }

wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t) { return t ? t->kind : WASM_I32; }

bool wm__capi_kind_to_wm(wasm_valkind_t k, wm_valtype *out) {
  switch (k) {
    case WASM_I32: *out = WM_I32; return true;
    case WASM_I64: *out = WM_I64; return true;
    case WASM_F32: *out = WM_F32; return true;
    case WASM_F64: *out = WM_F64; return true;
    case WASMEM_V128: *out = WM_V128; return true;
    case WASM_EXTERNREF: *out = WM_EXTERNREF; return true;
    case WASM_FUNCREF: *out = WM_FUNCREF; return true;
    case WASMEM_ANYREF: *out = WM_ANYREF; return true;
    case WASMEM_EXNREF: *out = WM_EXNREF; return true;
    default: return false;
  }
}

/* A typed reference is described by its kind (its hierarchy): the
** standard's types have no room for a type index or nullability. */
wasm_valkind_t wm__capi_kind_from_wm(wm_valtype t) {
  switch (WM_VT_KIND(t)) {
    case WM_V128: return WASMEM_V128;
    case WM_I64: return WASM_I64;
    case WM_F32: return WASM_F32;
    case WM_F64: return WASM_F64;
    case WM_EXTERNREF: return WASM_EXTERNREF;
    case WM_FUNCREF: return WASM_FUNCREF;
    case WM_ANYREF: return WASMEM_ANYREF;
    case WM_EXNREF: return WASMEM_EXNREF;
    default: return WASM_I32;
  }
}

/* ------------------------------------------------------ extern types */

wasm_externtype_t *wm__capi_externtype_alloc(wasm_externkind_t k) {
  wasm_externtype_t *t = wm__calloc(1, sizeof *t);
  if (t) t->kind = k;
  return t;
}

void wasm_externtype_delete(wasm_externtype_t *t) {
  if (!t) return;
  wasm_valtype_vec_delete(&t->params);
  wasm_valtype_vec_delete(&t->results);
  wm__free(t);
}

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *t) {
  if (!t) return NULL;
  wasm_externtype_t *c = wm__capi_externtype_alloc(t->kind);
  if (!c) return NULL;
  *c = *t;
  wasm_valtype_vec_copy(&c->params, &t->params);
  wasm_valtype_vec_copy(&c->results, &t->results);
  if (c->params.size != t->params.size || c->results.size != t->results.size) {
    wasm_externtype_delete(c);
    return NULL;
  }
  return c;
}

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *t) { return t->kind; }

/* The views between an extern type and the four kinds, mutable and const. */
#define CAPI_EXTERNTYPE_VIEWS(name, KIND)                                     \
  wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t) {        \
    return (wasm_externtype_t *)t;                                            \
  }                                                                           \
  const wasm_externtype_t *wasm_##name##_as_externtype_const(const wasm_##name##_t *t) { \
    return (const wasm_externtype_t *)t;                                      \
  }                                                                           \
  wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *t) {          \
    return t && t->kind == KIND ? (wasm_##name##_t *)t : NULL;                \
  }                                                                           \
  const wasm_##name##_t *wasm_externtype_as_##name##_const(const wasm_externtype_t *t) { \
    return t && t->kind == KIND ? (const wasm_##name##_t *)t : NULL;          \
  }                                                                           \
  void wasm_##name##_delete(wasm_##name##_t *t) {                             \
    wasm_externtype_delete((wasm_externtype_t *)t);                           \
  }                                                                           \
  wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *t) {             \
    return (wasm_##name##_t *)wasm_externtype_copy((const wasm_externtype_t *)t); \
  }

CAPI_EXTERNTYPE_VIEWS(functype, WASM_EXTERN_FUNC)
CAPI_EXTERNTYPE_VIEWS(globaltype, WASM_EXTERN_GLOBAL)
CAPI_EXTERNTYPE_VIEWS(tabletype, WASM_EXTERN_TABLE)
CAPI_EXTERNTYPE_VIEWS(memorytype, WASM_EXTERN_MEMORY)

/* The extern type inside a specific one. */
#define ET(t) ((wasm_externtype_t *)(t))
#define CET(t) ((const wasm_externtype_t *)(t))

wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results) {
  wasm_externtype_t *t = wm__capi_externtype_alloc(WASM_EXTERN_FUNC);
  if (!t) {
    wasm_valtype_vec_delete(params);
    wasm_valtype_vec_delete(results);
    return NULL;
  }
  t->params = *params;
  t->results = *results;
  wasm_valtype_vec_new_empty(params);
  wasm_valtype_vec_new_empty(results);
  return (wasm_functype_t *)t;
}

const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t) {
  return &CET(t)->params;
}
const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t) {
  return &CET(t)->results;
}

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content, wasm_mutability_t mut) {
  if (!content) return NULL;
  wasm_externtype_t *t = wm__capi_externtype_alloc(WASM_EXTERN_GLOBAL);
  if (!t) return NULL;
  t->content = content;
  t->mutability = mut;
  return (wasm_globaltype_t *)t;
}

const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t) {
  return CET(t)->content;
}
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t) {
  return CET(t)->mutability;
}

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *elem, const wasm_limits_t *lim) {
  if (!elem || !lim) return NULL;
  wasm_externtype_t *t = wm__capi_externtype_alloc(WASM_EXTERN_TABLE);
  if (!t) return NULL;
  t->content = elem;
  t->limits = *lim;
  return (wasm_tabletype_t *)t;
}

const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t) {
  return CET(t)->content;
}
const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t) { return &CET(t)->limits; }

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *lim) {
  if (!lim) return NULL;
  wasm_externtype_t *t = wm__capi_externtype_alloc(WASM_EXTERN_MEMORY);
  if (!t) return NULL;
  t->limits = *lim;
  return (wasm_memorytype_t *)t;
}

const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t) {
  return &CET(t)->limits;
}

/* A valtype vector of wasmem types; false if out of memory. */
static bool valtypes_from_wm(wasm_valtype_vec_t *out, const wm_valtype *ts, uint32_t n) {
  wasm_valtype_vec_new_uninitialized(out, n);
  if (out->size != n) return false;
  for (uint32_t i = 0; i < n; i++) out->data[i] = wasm_valtype_new(wm__capi_kind_from_wm(ts[i]));
  return true;
}

wasm_functype_t *wm__capi_functype_from_wm(wm_functype ft) {
  wasm_externtype_t *t = wm__capi_externtype_alloc(WASM_EXTERN_FUNC);
  if (!t) return NULL;
  if (!valtypes_from_wm(&t->params, ft.params, ft.nparams) ||
      !valtypes_from_wm(&t->results, ft.results, ft.nresults)) {
    wasm_externtype_delete(t);
    return NULL;
  }
  return (wasm_functype_t *)t;
}

static wasm_limits_t limits_from_wm(wm_limits l) {
  wasm_limits_t r;
  r.min = l.min > UINT32_MAX ? UINT32_MAX : (uint32_t)l.min;
  r.max = l.has_max && l.max < UINT32_MAX ? (uint32_t)l.max : wasm_limits_max_default;
  return r;
}

wasm_externtype_t *wm__capi_externtype_from_desc(const wm_extern_desc *d) {
  wasm_externtype_t *t = NULL;
  switch (d->kind) {
    case WM_EXTERN_FUNC:
      return ET(wm__capi_functype_from_wm(d->func));
    case WM_EXTERN_GLOBAL:
      t = wm__capi_externtype_alloc(WASM_EXTERN_GLOBAL);
      if (!t) return NULL;
      t->content = wasm_valtype_new(wm__capi_kind_from_wm(d->global_type));
      t->mutability = d->global_mutable ? WASM_VAR : WASM_CONST;
      return t;
    case WM_EXTERN_TABLE:
      t = wm__capi_externtype_alloc(WASM_EXTERN_TABLE);
      if (!t) return NULL;
      t->content = wasm_valtype_new(wm__capi_kind_from_wm(d->elem_type));
      t->limits = limits_from_wm(d->limits);
      return t;
    case WM_EXTERN_MEMORY:
      t = wm__capi_externtype_alloc(WASM_EXTERN_MEMORY);
      if (!t) return NULL;
      t->limits = limits_from_wm(d->limits);
      return t;
    case WM_EXTERN_TAG: /* never: wasm_module_new refuses them */
      return NULL;
  }
  return NULL;
}

/* ---------------------------------------------- import/export types */

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                       wasm_externtype_t *type) {
  wasm_importtype_t *t = wm__calloc(1, sizeof *t);
  if (!t) {
    wasm_name_delete(module);
    wasm_name_delete(name);
    wasm_externtype_delete(type);
    return NULL;
  }
  t->module = *module;
  t->name = *name;
  t->type = type;
  wasm_name_new_empty(module);
  wasm_name_new_empty(name);
  return t;
}

void wasm_importtype_delete(wasm_importtype_t *t) {
  if (!t) return;
  wasm_name_delete(&t->module);
  wasm_name_delete(&t->name);
  wasm_externtype_delete(t->type);
  wm__free(t);
}

wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *t) {
  if (!t) return NULL;
  wasm_name_t m, n;
  wasm_name_copy(&m, &t->module);
  wasm_name_copy(&n, &t->name);
  return wasm_importtype_new(&m, &n, wasm_externtype_copy(t->type));
}

const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t) { return &t->module; }
const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t) { return &t->name; }
const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t) { return t->type; }

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name, wasm_externtype_t *type) {
  wasm_exporttype_t *t = wm__calloc(1, sizeof *t);
  if (!t) {
    wasm_name_delete(name);
    wasm_externtype_delete(type);
    return NULL;
  }
  t->name = *name;
  t->type = type;
  wasm_name_new_empty(name);
  return t;
}

void wasm_exporttype_delete(wasm_exporttype_t *t) {
  if (!t) return;
  wasm_name_delete(&t->name);
  wasm_externtype_delete(t->type);
  wm__free(t);
}

wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *t) {
  if (!t) return NULL;
  wasm_name_t n;
  wasm_name_copy(&n, &t->name);
  return wasm_exporttype_new(&n, wasm_externtype_copy(t->type));
}

const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t) { return &t->name; }
const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t) { return t->type; }
