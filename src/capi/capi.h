/* SPDX-License-Identifier: MIT */
/*
** capi.h -- the inside of the standard C API (include/wasm.h): the layout
** of its objects, shared by capi_types.c (type descriptions and vectors)
** and capi_objects.c (stores, references and the runtime objects on top of
** wasmem's core).
*/
#ifndef WM_CAPI_H
#define WM_CAPI_H

#include <stdatomic.h>

#include "wasm.h"
#include "wasmem.h"

/* ----------------------------------------------------------- types */

struct wasm_valtype_t {
  wasm_valkind_t kind;
};

/*
** One struct for every extern type, so that the _as_externtype views are
** the same pointer. Which fields count depends on kind: params/results
** (func), content/mutability (global), content/limits (table: content is
** the element type), limits (memory).
*/
struct wasm_externtype_t {
  wasm_externkind_t kind;
  wasm_valtype_vec_t params, results;
  wasm_valtype_t *content;
  wasm_mutability_t mutability;
  wasm_limits_t limits;
};
/* The four specific types are views of it. */
struct wasm_functype_t { struct wasm_externtype_t et; };
struct wasm_globaltype_t { struct wasm_externtype_t et; };
struct wasm_tabletype_t { struct wasm_externtype_t et; };
struct wasm_memorytype_t { struct wasm_externtype_t et; };

struct wasm_importtype_t {
  wasm_name_t module, name;
  wasm_externtype_t *type;
};

struct wasm_exporttype_t {
  wasm_name_t name;
  wasm_externtype_t *type;
};

/* capi_types.c: between wasm_valkind_t and wm_valtype (false/0 if none). */
bool wm__capi_kind_to_wm(wasm_valkind_t k, wm_valtype *out);
wasm_valkind_t wm__capi_kind_from_wm(wm_valtype t);
/* capi_types.c: an extern type from a wasmem import/export description or
** function type; NULL if out of memory. */
wasm_externtype_t *wm__capi_externtype_from_desc(const wm_extern_desc *d);
wasm_functype_t *wm__capi_functype_from_wm(wm_functype ft);
/* capi_types.c: a new extern type of kind k, zeroed; NULL if out of memory. */
wasm_externtype_t *wm__capi_externtype_alloc(wasm_externkind_t k);

/* Can a wasm_val_t hold a value of type t? Not a v128 (16 bytes), not
** an anyref or exnref (wasmem's kinds, described but not passed: their
** lifetime is the collector's), not a typed reference (its checks are
** wm_func_call's, which takes the type the host wrote). */
static inline bool wm__capi_holdable(wm_valtype t) {
  return t != WM_V128 && WM_VT_KIND(t) != WM_ANYREF && WM_VT_KIND(t) != WM_EXNREF && t <= 0x7F;
}

/* --------------------------------------------------------- objects */

/* What a reference refers to. */
typedef enum capi_kind {
  CAPI_FUNC = WASM_EXTERN_FUNC,
  CAPI_GLOBAL = WASM_EXTERN_GLOBAL,
  CAPI_TABLE = WASM_EXTERN_TABLE,
  CAPI_MEMORY = WASM_EXTERN_MEMORY,
  CAPI_INSTANCE,
  CAPI_MODULE,
  CAPI_TRAP,
  CAPI_FOREIGN,
  /* A garbage-collected object of the runtime that reached the host as an
  ** externref (extern.convert_any in the guest): u.obj is the object,
  ** pinned in the runtime while the store lives (capi_objects.c). */
  CAPI_GCREF
} capi_kind;

/* A module's wasmem form, shared (with an atomic count) by the module
** references of every store and thread that use it, and by each store that
** instantiated it (the core's module must outlive its instances). */
typedef struct capi_module_core {
  wm_module *mod;
  atomic_uint refs;
} capi_module_core;

typedef struct capi_frame {
  uint32_t func_index;
  size_t func_offset, module_offset;
} capi_frame;

struct wasm_frame_t {
  capi_frame f;
};

struct wasm_shared_module_t {
  capi_module_core *core;
};

/* A host function's closure (the wm_host_fn data), followed in the same
** allocation by its nparams + nresults wasmem value types. */
typedef struct capi_hostfn {
  wasm_store_t *store;
  wasm_func_callback_t cb;
  wasm_func_callback_with_env_t cb_env;
  void *env;
  void (*finalizer)(void *);
  uint32_t nparams, nresults;
} capi_hostfn;

/*
** The one object behind every reference (wasm_ref_t, and wasm_func_t,
** wasm_extern_t, ... which are views of it). There is one per runtime
** object, so handles compare by address: wasm_*_copy counts a new handle
** on the same object. An object is freed (its finalizer run) when its
** handle count falls to zero, unless `pinned` -- it may still be reached
** from wasm or found again through the store: externs always, foreign
** objects once given to wasm -- and in any case when its store is deleted.
*/
struct wasm_ref_t {
  capi_kind kind;
  bool pinned;
  uint32_t handles;
  wasm_store_t *store;
  struct wasm_ref_t *prev, *next;  /* the store's list of live objects */
  void *host_info;
  void (*finalizer)(void *);
  union {
    void *obj;                     /* externs: the wm_func*, wm_global*, ... */
    struct {
      wm_instance *inst;
      capi_module_core *core;
    } instance;
    capi_module_core *module;
    struct {
      char *message;               /* NUL-terminated */
      capi_frame *frames;
      uint32_t nframes;
    } trap;
  } u;
  capi_hostfn *hostfn;             /* host funcs made by wasm_func_new* */
};

/* The views. Each holds nothing but the object, so a pointer to one is a
** pointer to the object; the code below only ever reads wasm_ref_t. */
struct wasm_func_t { struct wasm_ref_t r; };
struct wasm_global_t { struct wasm_ref_t r; };
struct wasm_table_t { struct wasm_ref_t r; };
struct wasm_memory_t { struct wasm_ref_t r; };
struct wasm_extern_t { struct wasm_ref_t r; };
struct wasm_instance_t { struct wasm_ref_t r; };
struct wasm_module_t { struct wasm_ref_t r; };
struct wasm_trap_t { struct wasm_ref_t r; };
struct wasm_foreign_t { struct wasm_ref_t r; };

struct wasm_config_t { int unused; };
struct wasm_engine_t { int unused; };

#endif
