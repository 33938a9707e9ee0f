/* SPDX-License-Identifier: MIT */
/*
** wasm.h -- the standard WebAssembly C API (WebAssembly/wasm-c-api, the
** edition with wasm_val_vec_t calls that Wasmtime and WAMR ship), as
** implemented by wasmem. Code written against that API builds unchanged
** with `-lwasmem` (and `-lm` for the static library).
**
** This file states the interface in wasmem's words; the standard's names,
** types and signatures are kept exactly, because they are the interface.
** wasmem's own API is in wasmem.h; the two can be used side by side but do
** not share objects.
**
** How the standard's objects map onto wasmem (src/capi_*.c):
**   wasm_engine_t    nothing to hold; there is no configuration yet.
**   wasm_store_t     one wm_runtime. Every func, global, table, memory and
**                    instance made in a store belongs to it and lives until
**                    wasm_store_delete(), whatever references are deleted
**                    before. A store is used by one thread at a time.
**   wasm_module_t    a wm_module (decoded, validated, compiled). Modules are
**                    immutable and may be shared between stores and threads
**                    (wasm_module_share / wasm_module_obtain).
**   wasm_instance_t  a wm_instance. Imports are matched by position to the
**                    module's import list.
**   wasm_trap_t      a wasmem trap: its message (the specification's text,
**                    "unreachable", or the message a host function gave)
**                    and its wasm frames, innermost first.
**
** Ownership. A parameter or result marked `own` passes ownership; the owner
** must eventually give it to the matching wasm_*_delete. A vector marked
** `own` owns its elements too. Other pointers are borrowed.
**
** References. Objects reachable from wasm (funcs, globals, tables,
** memories, instances, modules, traps, foreign objects) are handled through
** references. Copying a reference (wasm_*_copy) gives another handle to the
** same object, so wasm_*_same() compares objects, not handles; deleting a
** handle releases only that handle. Host info belongs to the object: the
** finalizer given with wasm_*_set_host_info_with_finalizer runs once, when
** the object itself goes away:
**   - funcs, globals, tables and memories, and foreign objects that were
**     ever given to wasm code, when their store is deleted (wasm code may
**     still reach them until then);
**   - instances, modules, traps and foreign objects never given to wasm,
**     when their last handle is deleted (or, at the latest, with the store).
** A func's environment finalizer (wasm_func_new_with_env) runs when the
** store is deleted. Handles must not be used after their store is deleted.
**
** Serialisation. wasmem has no ahead-of-time code format yet:
** wasm_module_serialize() gives the module's binary and
** wasm_module_deserialize() compiles it again, as the standard allows.
*/
#ifndef WASM_H
#define WASM_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Decoration of every declaration: exported from libwasmem.so, whose
** other symbols are hidden (wasmem.h's WM_API does the same). */
#ifndef WASM_API_EXTERN
#if defined(__GNUC__) || defined(__clang__)
#define WASM_API_EXTERN __attribute__((visibility("default")))
#else
#define WASM_API_EXTERN
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* -------------------------------------------------------- basic types */

typedef char byte_t;
typedef float float32_t;
typedef double float64_t;

#ifdef __cplusplus
static_assert(sizeof(float) == 4 && sizeof(double) == 8, "wasm.h needs IEEE binary32/64 floats");
#else
_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "wasm.h needs IEEE binary32/64 floats");
#endif

/* A marker for ownership (see the top of this file); expands to nothing. */
#define own

/* ------------------------------------------- declaration families
** The standard declares its objects in families, generated here by macros
** so that each family has exactly the standard's names.
**
** WASM_DECLARE_OWN(x): the opaque type wasm_x_t and wasm_x_delete().
*/
#define WASM_DECLARE_OWN(name)                                                \
  typedef struct wasm_##name##_t wasm_##name##_t;                             \
  WASM_API_EXTERN void wasm_##name##_delete(own wasm_##name##_t *);

/*
** WASM_DECLARE_VEC(x, ptr_or_none): wasm_x_vec_t, a counted array of
** wasm_x_t (ptr_or_none empty) or of wasm_x_t* (ptr_or_none `*`), and its
** operations:
**   _new_empty          size 0, data NULL;
**   _new_uninitialized  room for n elements (pointers start out NULL);
**   _new                takes ownership of the n elements given (copies the
**                       array itself, not the elements);
**   _copy               a deep copy: each element copied;
**   _delete             deletes each element, then the array; the vector
**                       is left empty.
*/
#define WASM_DECLARE_VEC(name, ptr_or_none)                                   \
  typedef struct wasm_##name##_vec_t {                                        \
    size_t size;                                                              \
    wasm_##name##_t ptr_or_none *data;                                        \
  } wasm_##name##_vec_t;                                                      \
  WASM_API_EXTERN void wasm_##name##_vec_new_empty(own wasm_##name##_vec_t *out); \
  WASM_API_EXTERN void wasm_##name##_vec_new_uninitialized(own wasm_##name##_vec_t *out, \
                                                           size_t);           \
  WASM_API_EXTERN void wasm_##name##_vec_new(own wasm_##name##_vec_t *out, size_t, \
                                             own wasm_##name##_t ptr_or_none const[]); \
  WASM_API_EXTERN void wasm_##name##_vec_copy(own wasm_##name##_vec_t *out, \
                                              const wasm_##name##_vec_t *);   \
  WASM_API_EXTERN void wasm_##name##_vec_delete(own wasm_##name##_vec_t *);

/* WASM_DECLARE_TYPE(x): a type description, owned, in vectors, copyable. */
#define WASM_DECLARE_TYPE(name)                                               \
  WASM_DECLARE_OWN(name)                                                      \
  WASM_DECLARE_VEC(name, *)                                                   \
  WASM_API_EXTERN own wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *);

/* WASM_DECLARE_REF_BASE(x): a reference to a runtime object (see the top
** of this file): copy, identity, host info. */
#define WASM_DECLARE_REF_BASE(name)                                           \
  WASM_DECLARE_OWN(name)                                                      \
  WASM_API_EXTERN own wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *); \
  WASM_API_EXTERN bool wasm_##name##_same(const wasm_##name##_t *, const wasm_##name##_t *); \
  WASM_API_EXTERN void *wasm_##name##_get_host_info(const wasm_##name##_t *); \
  WASM_API_EXTERN void wasm_##name##_set_host_info(wasm_##name##_t *, void *); \
  WASM_API_EXTERN void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *, void *, \
                                                                  void (*)(void *));

/* WASM_DECLARE_REF(x): the above plus the views between wasm_x_t and the
** generic wasm_ref_t (borrowed: same object, no new handle; NULL when the
** reference is of another kind). */
#define WASM_DECLARE_REF(name)                                                \
  WASM_DECLARE_REF_BASE(name)                                                 \
  WASM_API_EXTERN wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *);        \
  WASM_API_EXTERN wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *);          \
  WASM_API_EXTERN const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *); \
  WASM_API_EXTERN const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *);

/* WASM_DECLARE_SHARABLE_REF(x): the above plus a thread-safe form,
** wasm_shared_x_t, made with _share and turned back into a reference in
** another store with _obtain. */
#define WASM_DECLARE_SHARABLE_REF(name)                                       \
  WASM_DECLARE_REF(name)                                                      \
  WASM_DECLARE_OWN(shared_##name)                                             \
  WASM_API_EXTERN own wasm_shared_##name##_t *wasm_##name##_share(const wasm_##name##_t *); \
  WASM_API_EXTERN own wasm_##name##_t *wasm_##name##_obtain(wasm_store_t *,   \
                                                            const wasm_shared_##name##_t *);

/* ---------------------------------------------------- bytes and names */

typedef byte_t wasm_byte_t;
WASM_DECLARE_VEC(byte, )

/* Names are byte vectors; they are not NUL-terminated unless said. */
typedef wasm_byte_vec_t wasm_name_t;
#define wasm_name wasm_byte_vec
#define wasm_name_new wasm_byte_vec_new
#define wasm_name_new_empty wasm_byte_vec_new_empty
#define wasm_name_new_new_uninitialized wasm_byte_vec_new_uninitialized
#define wasm_name_copy wasm_byte_vec_copy
#define wasm_name_delete wasm_byte_vec_delete

/* A name holding s's bytes, without / with its terminating NUL. */
static inline void wasm_name_new_from_string(own wasm_name_t *out, const char *s) {
  wasm_name_new(out, strlen(s), s);
}
static inline void wasm_name_new_from_string_nt(own wasm_name_t *out, const char *s) {
  wasm_name_new(out, strlen(s) + 1, s);
}

/* ------------------------------------------ configs, engines, stores */

WASM_DECLARE_OWN(config)
/* wasmem has no engine options yet: a config is accepted and ignored. */
WASM_API_EXTERN own wasm_config_t *wasm_config_new(void);

WASM_DECLARE_OWN(engine)
WASM_API_EXTERN own wasm_engine_t *wasm_engine_new(void);
/* Takes ownership of the config. */
WASM_API_EXTERN own wasm_engine_t *wasm_engine_new_with_config(own wasm_config_t *);

WASM_DECLARE_OWN(store)
/* A new store (a wasmem runtime with default options); NULL if out of
** memory. Deleting it frees everything made in it and runs the
** finalizers still pending. */
WASM_API_EXTERN own wasm_store_t *wasm_store_new(wasm_engine_t *);

/* ------------------------------------------------------------- types */

typedef uint8_t wasm_mutability_t;
enum wasm_mutability_enum { WASM_CONST, WASM_VAR };

/* Limits in pages (memories) or elements (tables). A max of
** wasm_limits_max_default means "no maximum". */
typedef struct wasm_limits_t {
  uint32_t min;
  uint32_t max;
} wasm_limits_t;
static const uint32_t wasm_limits_max_default = 0xffffffff;

WASM_DECLARE_TYPE(valtype)

typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum {
  WASM_I32,
  WASM_I64,
  WASM_F32,
  WASM_F64,
  WASMEM_V128, /* wasmem's extension (the standard has no v128 kind): types
               ** can say v128, but a wasm_val_t cannot hold one, so
               ** wasm_func_call refuses functions with v128 params or
               ** results (call them through wasmem.h's wm_func_call),
               ** wasm_func_new and wasm_global_new refuse v128 types, and
               ** wasm_global_get of a v128 global gives the kind only */
  WASM_EXTERNREF = 128,
  WASM_FUNCREF,
  WASMEM_ANYREF, /* wasmem's extensions for WebAssembly 3.0: garbage
                 ** collection's references and exception references. As
                 ** with WASMEM_V128, types can say them but a wasm_val_t
                 ** cannot hold one (wasm_func_call refuses such functions;
                 ** use wasmem.h). Typed references are described by their
                 ** hierarchy: (ref $f) as WASM_FUNCREF, and so on. */
  WASMEM_EXNREF
};

/* NULL for a kind that is not one of the above. */
WASM_API_EXTERN own wasm_valtype_t *wasm_valtype_new(wasm_valkind_t);
WASM_API_EXTERN wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *);

static inline bool wasm_valkind_is_num(wasm_valkind_t k) { return k < WASM_EXTERNREF; }
static inline bool wasm_valkind_is_ref(wasm_valkind_t k) { return k >= WASM_EXTERNREF; }
static inline bool wasm_valtype_is_num(const wasm_valtype_t *t) {
  return wasm_valkind_is_num(wasm_valtype_kind(t));
}
static inline bool wasm_valtype_is_ref(const wasm_valtype_t *t) {
  return wasm_valkind_is_ref(wasm_valtype_kind(t));
}

WASM_DECLARE_TYPE(functype)
/* Takes ownership of both vectors (and their valtypes). */
WASM_API_EXTERN own wasm_functype_t *wasm_functype_new(own wasm_valtype_vec_t *params,
                                                      own wasm_valtype_vec_t *results);
WASM_API_EXTERN const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *);
WASM_API_EXTERN const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *);

WASM_DECLARE_TYPE(globaltype)
WASM_API_EXTERN own wasm_globaltype_t *wasm_globaltype_new(own wasm_valtype_t *,
                                                          wasm_mutability_t);
WASM_API_EXTERN const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *);
WASM_API_EXTERN wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *);

WASM_DECLARE_TYPE(tabletype)
WASM_API_EXTERN own wasm_tabletype_t *wasm_tabletype_new(own wasm_valtype_t *,
                                                        const wasm_limits_t *);
WASM_API_EXTERN const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *);
WASM_API_EXTERN const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *);

WASM_DECLARE_TYPE(memorytype)
WASM_API_EXTERN own wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *);
WASM_API_EXTERN const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *);

/* The type of an import or export: one of the four above. The conversions
** below are views of the same object (NULL when the kind differs). */
WASM_DECLARE_TYPE(externtype)

typedef uint8_t wasm_externkind_t;
enum wasm_externkind_enum {
  WASM_EXTERN_FUNC,
  WASM_EXTERN_GLOBAL,
  WASM_EXTERN_TABLE,
  WASM_EXTERN_MEMORY
};

WASM_API_EXTERN wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *);

WASM_API_EXTERN wasm_externtype_t *wasm_functype_as_externtype(wasm_functype_t *);
WASM_API_EXTERN wasm_externtype_t *wasm_globaltype_as_externtype(wasm_globaltype_t *);
WASM_API_EXTERN wasm_externtype_t *wasm_tabletype_as_externtype(wasm_tabletype_t *);
WASM_API_EXTERN wasm_externtype_t *wasm_memorytype_as_externtype(wasm_memorytype_t *);
WASM_API_EXTERN wasm_functype_t *wasm_externtype_as_functype(wasm_externtype_t *);
WASM_API_EXTERN wasm_globaltype_t *wasm_externtype_as_globaltype(wasm_externtype_t *);
WASM_API_EXTERN wasm_tabletype_t *wasm_externtype_as_tabletype(wasm_externtype_t *);
WASM_API_EXTERN wasm_memorytype_t *wasm_externtype_as_memorytype(wasm_externtype_t *);

WASM_API_EXTERN const wasm_externtype_t *wasm_functype_as_externtype_const(const wasm_functype_t *);
WASM_API_EXTERN const wasm_externtype_t *wasm_globaltype_as_externtype_const(const wasm_globaltype_t *);
WASM_API_EXTERN const wasm_externtype_t *wasm_tabletype_as_externtype_const(const wasm_tabletype_t *);
WASM_API_EXTERN const wasm_externtype_t *wasm_memorytype_as_externtype_const(const wasm_memorytype_t *);
WASM_API_EXTERN const wasm_functype_t *wasm_externtype_as_functype_const(const wasm_externtype_t *);
WASM_API_EXTERN const wasm_globaltype_t *wasm_externtype_as_globaltype_const(const wasm_externtype_t *);
WASM_API_EXTERN const wasm_tabletype_t *wasm_externtype_as_tabletype_const(const wasm_externtype_t *);
WASM_API_EXTERN const wasm_memorytype_t *wasm_externtype_as_memorytype_const(const wasm_externtype_t *);

/* An import: module name, field name and type (the new one owns all
** three). */
WASM_DECLARE_TYPE(importtype)
WASM_API_EXTERN own wasm_importtype_t *wasm_importtype_new(own wasm_name_t *module,
                                                          own wasm_name_t *name,
                                                          own wasm_externtype_t *);
WASM_API_EXTERN const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *);
WASM_API_EXTERN const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *);
WASM_API_EXTERN const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *);

WASM_DECLARE_TYPE(exporttype)
WASM_API_EXTERN own wasm_exporttype_t *wasm_exporttype_new(own wasm_name_t *,
                                                          own wasm_externtype_t *);
WASM_API_EXTERN const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *);
WASM_API_EXTERN const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *);

/* ------------------------------------------------------------ values */

struct wasm_ref_t;

/* A value. For the reference kinds `ref` is a reference (NULL is the null
** reference); a wasm_val_t holding one owns it when marked `own`. */
typedef struct wasm_val_t {
  wasm_valkind_t kind;
  union {
    int32_t i32;
    int64_t i64;
    float32_t f32;
    float64_t f64;
    struct wasm_ref_t *ref;
  } of;
} wasm_val_t;

/* Release the reference a value owns (no-op for numbers). */
WASM_API_EXTERN void wasm_val_delete(own wasm_val_t *v);
/* *out = a copy of the value, with a new handle for a reference. */
WASM_API_EXTERN void wasm_val_copy(own wasm_val_t *out, const wasm_val_t *);

WASM_DECLARE_VEC(val, )

/* -------------------------------------------------------- references */

WASM_DECLARE_REF_BASE(ref)

/* A frame of a trap's backtrace. func_index is the function's index in its
** module; module_offset the byte offset in the module binary of the
** trapping instruction (innermost frame) or of the call (the others);
** func_offset the same relative to the start of the function's body, when
** known (else 0). wasm_frame_instance gives NULL: wasmem's backtraces do
** not record the instance. */
WASM_DECLARE_OWN(frame)
WASM_DECLARE_VEC(frame, *)
WASM_API_EXTERN own wasm_frame_t *wasm_frame_copy(const wasm_frame_t *);
WASM_API_EXTERN struct wasm_instance_t *wasm_frame_instance(const wasm_frame_t *);
WASM_API_EXTERN uint32_t wasm_frame_func_index(const wasm_frame_t *);
WASM_API_EXTERN size_t wasm_frame_func_offset(const wasm_frame_t *);
WASM_API_EXTERN size_t wasm_frame_module_offset(const wasm_frame_t *);

/* Messages are names that end in a NUL byte (counted in size). */
typedef wasm_name_t wasm_message_t;

WASM_DECLARE_REF(trap)
/* A trap with the given message (copied; a NUL is added if it lacks one),
** for a host function to return. */
WASM_API_EXTERN own wasm_trap_t *wasm_trap_new(wasm_store_t *store, const wasm_message_t *);
WASM_API_EXTERN void wasm_trap_message(const wasm_trap_t *, own wasm_message_t *out);
/* The innermost frame, or NULL when the trap has none (made by the host). */
WASM_API_EXTERN own wasm_frame_t *wasm_trap_origin(const wasm_trap_t *);
/* Every frame, innermost first (possibly empty). */
WASM_API_EXTERN void wasm_trap_trace(const wasm_trap_t *, own wasm_frame_vec_t *out);

/* A foreign object: an opaque host value that wasm code holds as an
** externref. Its identity and host info are all it has. */
WASM_DECLARE_REF(foreign)
WASM_API_EXTERN own wasm_foreign_t *wasm_foreign_new(wasm_store_t *);

/* ----------------------------------------------------------- modules */

WASM_DECLARE_SHARABLE_REF(module)

/* Decode, validate and compile; NULL if the binary is not a valid module
** (or uses a feature wasmem does not support yet). */
WASM_API_EXTERN own wasm_module_t *wasm_module_new(wasm_store_t *, const wasm_byte_vec_t *binary);
WASM_API_EXTERN bool wasm_module_validate(wasm_store_t *, const wasm_byte_vec_t *binary);
WASM_API_EXTERN void wasm_module_imports(const wasm_module_t *, own wasm_importtype_vec_t *out);
WASM_API_EXTERN void wasm_module_exports(const wasm_module_t *, own wasm_exporttype_vec_t *out);
/* See "Serialisation" at the top of this file. */
WASM_API_EXTERN void wasm_module_serialize(const wasm_module_t *, own wasm_byte_vec_t *out);
WASM_API_EXTERN own wasm_module_t *wasm_module_deserialize(wasm_store_t *, const wasm_byte_vec_t *);

/* ------------------------------------------------------------- funcs */

WASM_DECLARE_REF(func)

/*
** Host functions. args holds the parameters; results has one element per
** result, whose kind is preset to the result's type: the callback fills
** the values (a reference result is owned by the caller and released after
** the call). Returning a trap (owned: the runtime deletes it) makes the
** calling wasm code trap with the trap's message; NULL means success.
*/
typedef own wasm_trap_t *(*wasm_func_callback_t)(const wasm_val_vec_t *args,
                                                 own wasm_val_vec_t *results);
typedef own wasm_trap_t *(*wasm_func_callback_with_env_t)(void *env, const wasm_val_vec_t *args,
                                                          wasm_val_vec_t *results);

WASM_API_EXTERN own wasm_func_t *wasm_func_new(wasm_store_t *, const wasm_functype_t *,
                                              wasm_func_callback_t);
/* env is passed to each call; finalizer (may be NULL) is called with env
** when the store is deleted. */
WASM_API_EXTERN own wasm_func_t *wasm_func_new_with_env(wasm_store_t *,
                                                       const wasm_functype_t *type,
                                                       wasm_func_callback_with_env_t, void *env,
                                                       void (*finalizer)(void *));

WASM_API_EXTERN own wasm_functype_t *wasm_func_type(const wasm_func_t *);
WASM_API_EXTERN size_t wasm_func_param_arity(const wasm_func_t *);
WASM_API_EXTERN size_t wasm_func_result_arity(const wasm_func_t *);

/*
** Call a function. args must hold the parameters with their kinds;
** results should have room for every result (a shorter vector receives
** the first results->size only). Returns NULL on success (results filled;
** reference results are owned by the caller), else a trap: a wasm trap, a
** host function's trap, or a call that could not be made (wrong argument
** count or kinds), with a message saying which.
*/
WASM_API_EXTERN own wasm_trap_t *wasm_func_call(const wasm_func_t *, const wasm_val_vec_t *args,
                                               wasm_val_vec_t *results);

/* ----------------------------------------------------------- globals */

WASM_DECLARE_REF(global)

/* NULL if the value's kind is not the type's content. */
WASM_API_EXTERN own wasm_global_t *wasm_global_new(wasm_store_t *, const wasm_globaltype_t *,
                                                  const wasm_val_t *);
WASM_API_EXTERN own wasm_globaltype_t *wasm_global_type(const wasm_global_t *);
WASM_API_EXTERN void wasm_global_get(const wasm_global_t *, own wasm_val_t *out);
/* Ignored if the global is immutable or the kind differs (the standard
** gives this call no way to fail). */
WASM_API_EXTERN void wasm_global_set(wasm_global_t *, const wasm_val_t *);

/* ------------------------------------------------------------ tables */

WASM_DECLARE_REF(table)

typedef uint32_t wasm_table_size_t;

/* Every element starts as init (may be NULL). For a funcref table a
** reference must be a func. */
WASM_API_EXTERN own wasm_table_t *wasm_table_new(wasm_store_t *, const wasm_tabletype_t *,
                                                wasm_ref_t *init);
/* The current type: min is the current size. */
WASM_API_EXTERN own wasm_tabletype_t *wasm_table_type(const wasm_table_t *);
/* NULL for a null element or an index out of range. */
WASM_API_EXTERN own wasm_ref_t *wasm_table_get(const wasm_table_t *, wasm_table_size_t index);
/* False if index is out of range or the reference does not fit. */
WASM_API_EXTERN bool wasm_table_set(wasm_table_t *, wasm_table_size_t index, wasm_ref_t *);
WASM_API_EXTERN wasm_table_size_t wasm_table_size(const wasm_table_t *);
/* Add delta elements set to init; false past the maximum. */
WASM_API_EXTERN bool wasm_table_grow(wasm_table_t *, wasm_table_size_t delta, wasm_ref_t *init);

/* ---------------------------------------------------------- memories */

WASM_DECLARE_REF(memory)

typedef uint32_t wasm_memory_pages_t;
static const size_t MEMORY_PAGE_SIZE = 0x10000;

WASM_API_EXTERN own wasm_memory_t *wasm_memory_new(wasm_store_t *, const wasm_memorytype_t *);
/* The current type: min is the current size in pages. */
WASM_API_EXTERN own wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *);
/* The base of linear memory. It never moves in wasmem, also across grows. */
WASM_API_EXTERN byte_t *wasm_memory_data(wasm_memory_t *);
WASM_API_EXTERN size_t wasm_memory_data_size(const wasm_memory_t *);
/* Size in pages. */
WASM_API_EXTERN wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *);
/* False past the maximum. */
WASM_API_EXTERN bool wasm_memory_grow(wasm_memory_t *, wasm_memory_pages_t delta);

/* ----------------------------------------------------------- externs */

/* An extern is a func, global, table or memory seen generically; the
** conversions are views of the same object (NULL when the kind differs). */
WASM_DECLARE_REF(extern)
WASM_DECLARE_VEC(extern, *)

WASM_API_EXTERN wasm_externkind_t wasm_extern_kind(const wasm_extern_t *);
WASM_API_EXTERN own wasm_externtype_t *wasm_extern_type(const wasm_extern_t *);

WASM_API_EXTERN wasm_extern_t *wasm_func_as_extern(wasm_func_t *);
WASM_API_EXTERN wasm_extern_t *wasm_global_as_extern(wasm_global_t *);
WASM_API_EXTERN wasm_extern_t *wasm_table_as_extern(wasm_table_t *);
WASM_API_EXTERN wasm_extern_t *wasm_memory_as_extern(wasm_memory_t *);
WASM_API_EXTERN wasm_func_t *wasm_extern_as_func(wasm_extern_t *);
WASM_API_EXTERN wasm_global_t *wasm_extern_as_global(wasm_extern_t *);
WASM_API_EXTERN wasm_table_t *wasm_extern_as_table(wasm_extern_t *);
WASM_API_EXTERN wasm_memory_t *wasm_extern_as_memory(wasm_extern_t *);

WASM_API_EXTERN const wasm_extern_t *wasm_func_as_extern_const(const wasm_func_t *);
WASM_API_EXTERN const wasm_extern_t *wasm_global_as_extern_const(const wasm_global_t *);
WASM_API_EXTERN const wasm_extern_t *wasm_table_as_extern_const(const wasm_table_t *);
WASM_API_EXTERN const wasm_extern_t *wasm_memory_as_extern_const(const wasm_memory_t *);
WASM_API_EXTERN const wasm_func_t *wasm_extern_as_func_const(const wasm_extern_t *);
WASM_API_EXTERN const wasm_global_t *wasm_extern_as_global_const(const wasm_extern_t *);
WASM_API_EXTERN const wasm_table_t *wasm_extern_as_table_const(const wasm_extern_t *);
WASM_API_EXTERN const wasm_memory_t *wasm_extern_as_memory_const(const wasm_extern_t *);

/* --------------------------------------------------------- instances */

WASM_DECLARE_REF(instance)

/*
** Instantiate: imports->data[i] provides the module's import i (in the
** order wasm_module_imports lists them) and must be of its kind and type.
** On failure returns NULL and, when trap is not NULL, stores in *trap a trap
** (owned by the caller) saying why: a trap of the start function or of a
** segment, or a linking error (a missing or incompatible import). The
** names of the imports play no part: a module may import one name twice and
** get two different externs, and nothing is bound in the store.
*/
WASM_API_EXTERN own wasm_instance_t *wasm_instance_new(wasm_store_t *, const wasm_module_t *,
                                                      const wasm_extern_vec_t *imports,
                                                      own wasm_trap_t **trap);
/* Every export, in the module's export order. */
WASM_API_EXTERN void wasm_instance_exports(const wasm_instance_t *, own wasm_extern_vec_t *out);

/* ------------------------------------------------------- conveniences */

#define WASM_EMPTY_VEC {0, NULL}
#define WASM_ARRAY_VEC(array) {sizeof(array) / sizeof(*(array)), array}

static inline own wasm_valtype_t *wasm_valtype_new_i32(void) { return wasm_valtype_new(WASM_I32); }
static inline own wasm_valtype_t *wasm_valtype_new_i64(void) { return wasm_valtype_new(WASM_I64); }
static inline own wasm_valtype_t *wasm_valtype_new_f32(void) { return wasm_valtype_new(WASM_F32); }
static inline own wasm_valtype_t *wasm_valtype_new_f64(void) { return wasm_valtype_new(WASM_F64); }
static inline own wasm_valtype_t *wasm_valtype_new_externref(void) {
  return wasm_valtype_new(WASM_EXTERNREF);
}
static inline own wasm_valtype_t *wasm_valtype_new_funcref(void) {
  return wasm_valtype_new(WASM_FUNCREF);
}

/*
** wasm_functype_new_P_R: a function type of P parameters and R results
** (P 0..3, R 0..2), taking ownership of the valtypes given. They share one
** helper, which is not part of the standard.
*/
static inline own wasm_functype_t *wasm_functype_make_(size_t np, wasm_valtype_t **ps, size_t nr,
                                                      wasm_valtype_t **rs) {
  wasm_valtype_vec_t params, results;
  if (np) wasm_valtype_vec_new(&params, np, ps);
  else wasm_valtype_vec_new_empty(&params);
  if (nr) wasm_valtype_vec_new(&results, nr, rs);
  else wasm_valtype_vec_new_empty(&results);
  return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_0_0(void) {
  return wasm_functype_make_(0, NULL, 0, NULL);
}
static inline own wasm_functype_t *wasm_functype_new_1_0(own wasm_valtype_t *p) {
  wasm_valtype_t *ps[1] = {p};
  return wasm_functype_make_(1, ps, 0, NULL);
}
static inline own wasm_functype_t *wasm_functype_new_2_0(own wasm_valtype_t *p1,
                                                        own wasm_valtype_t *p2) {
  wasm_valtype_t *ps[2] = {p1, p2};
  return wasm_functype_make_(2, ps, 0, NULL);
}
static inline own wasm_functype_t *wasm_functype_new_3_0(own wasm_valtype_t *p1,
                                                        own wasm_valtype_t *p2,
                                                        own wasm_valtype_t *p3) {
  wasm_valtype_t *ps[3] = {p1, p2, p3};
  return wasm_functype_make_(3, ps, 0, NULL);
}
static inline own wasm_functype_t *wasm_functype_new_0_1(own wasm_valtype_t *r) {
  wasm_valtype_t *rs[1] = {r};
  return wasm_functype_make_(0, NULL, 1, rs);
}
static inline own wasm_functype_t *wasm_functype_new_1_1(own wasm_valtype_t *p,
                                                        own wasm_valtype_t *r) {
  wasm_valtype_t *ps[1] = {p}, *rs[1] = {r};
  return wasm_functype_make_(1, ps, 1, rs);
}
static inline own wasm_functype_t *wasm_functype_new_2_1(own wasm_valtype_t *p1,
                                                        own wasm_valtype_t *p2,
                                                        own wasm_valtype_t *r) {
  wasm_valtype_t *ps[2] = {p1, p2}, *rs[1] = {r};
  return wasm_functype_make_(2, ps, 1, rs);
}
static inline own wasm_functype_t *wasm_functype_new_3_1(own wasm_valtype_t *p1,
                                                        own wasm_valtype_t *p2,
                                                        own wasm_valtype_t *p3,
                                                        own wasm_valtype_t *r) {
  wasm_valtype_t *ps[3] = {p1, p2, p3}, *rs[1] = {r};
  return wasm_functype_make_(3, ps, 1, rs);
}
static inline own wasm_functype_t *wasm_functype_new_0_2(own wasm_valtype_t *r1,
                                                        own wasm_valtype_t *r2) {
  wasm_valtype_t *rs[2] = {r1, r2};
  return wasm_functype_make_(0, NULL, 2, rs);
}
static inline own wasm_functype_t *wasm_functype_new_1_2(own wasm_valtype_t *p,
                                                        own wasm_valtype_t *r1,
                                                        own wasm_valtype_t *r2) {
  wasm_valtype_t *ps[1] = {p}, *rs[2] = {r1, r2};
  return wasm_functype_make_(1, ps, 2, rs);
}
static inline own wasm_functype_t *wasm_functype_new_2_2(own wasm_valtype_t *p1,
                                                        own wasm_valtype_t *p2,
                                                        own wasm_valtype_t *r1,
                                                        own wasm_valtype_t *r2) {
  wasm_valtype_t *ps[2] = {p1, p2}, *rs[2] = {r1, r2};
  return wasm_functype_make_(2, ps, 2, rs);
}
static inline own wasm_functype_t *wasm_functype_new_3_2(own wasm_valtype_t *p1,
                                                        own wasm_valtype_t *p2,
                                                        own wasm_valtype_t *p3,
                                                        own wasm_valtype_t *r1,
                                                        own wasm_valtype_t *r2) {
  wasm_valtype_t *ps[3] = {p1, p2, p3}, *rs[2] = {r1, r2};
  return wasm_functype_make_(3, ps, 2, rs);
}

/* A host pointer carried in an integer value of the pointer's width. */
static inline void wasm_val_init_ptr(own wasm_val_t *out, void *p) {
#if UINTPTR_MAX == UINT32_MAX
  out->kind = WASM_I32;
  out->of.i32 = (int32_t)(intptr_t)p;
#else
  out->kind = WASM_I64;
  out->of.i64 = (int64_t)(intptr_t)p;
#endif
}
static inline void *wasm_val_ptr(const wasm_val_t *val) {
#if UINTPTR_MAX == UINT32_MAX
  return (void *)(intptr_t)val->of.i32;
#else
  return (void *)(intptr_t)val->of.i64;
#endif
}

/* Initialisers for wasm_val_t. WASM_INIT_VAL is a null externref. */
#define WASM_I32_VAL(i) {.kind = WASM_I32, .of = {.i32 = i}}
#define WASM_I64_VAL(i) {.kind = WASM_I64, .of = {.i64 = i}}
#define WASM_F32_VAL(z) {.kind = WASM_F32, .of = {.f32 = z}}
#define WASM_F64_VAL(z) {.kind = WASM_F64, .of = {.f64 = z}}
#define WASM_REF_VAL(r) {.kind = WASM_EXTERNREF, .of = {.ref = r}}
#define WASM_INIT_VAL {.kind = WASM_EXTERNREF, .of = {.ref = NULL}}

#undef own

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WASM_H */
