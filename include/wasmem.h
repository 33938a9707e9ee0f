/* SPDX-License-Identifier: MIT */
/*
** wasmem.h -- the one public header of the wasmem WebAssembly runtime.
**
** This header is the specification of the library: every function states what
** it takes, what it returns, who owns what, how long things live and how it
** fails. Names follow wm_<object>_<verb>. Objects are opaque.
**
** Object model (the WebAssembly "store", here called a runtime):
**   wm_runtime   owns every instance, function, table, memory and global made
**                in it; they all live until wm_runtime_free(). It also holds
**                the registry of names that imports are resolved against.
**   wm_module    a decoded, validated and compiled module. Immutable; it may
**                be instantiated many times, in one or several runtimes, and
**                must outlive every instance made from it.
**   wm_instance  a module instantiated in a runtime.
**
** Errors: every fallible function returns 0 (WM_OK) on success or a negative
** wm_err code, and fills the caller's optional wm_error (which may be NULL)
** with the code, a message and, for decoding errors, the byte offset. Traps
** are errors too, with one code per trap kind; their message is the text the
** WebAssembly specification uses ("integer divide by zero", ...) followed by a
** backtrace, innermost first, one line per wasm frame with the function's
** name, index and the module byte offset of the trapping instruction or of
** the call ("\n  at div (func 4, byte 0xd5)").
**
** Threads: a runtime and everything in it may be used by one thread at a time;
** different runtimes may run on different threads at once. Modules are
** immutable after loading and may be shared between threads. Shared
** memories (limits.shared) are the exception that crosses runtimes: the
** guest's threads (wasi-threads, see the WASI section) each run in a
** runtime of their own, all importing one shared memory; such a memory
** lives until the last runtime holding it is freed, and wm_memory_data,
** wm_memory_size, wm_memory_pages and wm_memory_grow on it are safe from
** any thread (the exchange API's copies are bounds-checked but not atomic).
*/
#ifndef WASMEM_H
#define WASMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version: WM_VERSION at compile time, wm_version() at run time (the
** library actually linked). The soname's number is WM_VERSION_MAJOR. */
#define WM_VERSION_MAJOR 0
#define WM_VERSION_MINOR 1
#define WM_VERSION_PATCH 0
#define WM_VERSION "0.1.0"

/* Marks the functions the shared library exports; everything else in it
** is hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define WM_API __attribute__((visibility("default")))
#else
#define WM_API
#endif

/* The version of the library linked: "0.1.0". Never NULL. */
WM_API const char *wm_version(void);

/*
** The error table: X(NAME, code, message). Codes are negative. Trap codes
** carry the exact message text of the WebAssembly specification.
*/
#define WM_ERRORS(X)                                                          \
  X(OK, 0, "ok")                                                              \
  X(ENOMEM, -1, "out of host memory")                                         \
  X(EINVAL, -2, "invalid argument")                                           \
  X(EIO, -3, "cannot read file")                                              \
  X(ECACHE, -4, "code cache rejected")                                        \
  X(EMALFORMED, -10, "malformed module")                                      \
  X(EINVALID, -11, "invalid module")                                          \
  X(EUNSUPPORTED, -12, "not supported yet")                                   \
  X(EUNKNOWN_IMPORT, -20, "unknown import")                                   \
  X(EINCOMPATIBLE_IMPORT, -21, "incompatible import type")                    \
  X(ENOT_FOUND, -22, "no such export")                                        \
  X(ETYPE, -23, "type mismatch")                                              \
  X(ELIMIT, -24, "resource limit exceeded")                                   \
  X(EHOST, -25, "host function failed")                                       \
  X(EXCEPTION, -26, "uncaught exception")                                     \
  X(EBOUNDS, -30, "guest pointer out of bounds")                              \
  X(EUTF8, -31, "invalid UTF-8")                                              \
  X(ENOALLOC, -32, "no guest allocator")                                      \
  X(EOWNERSHIP, -33, "ownership violation")                                   \
  X(TRAP_UNREACHABLE, -100, "unreachable")                                    \
  X(TRAP_MEMORY_OOB, -101, "out of bounds memory access")                     \
  X(TRAP_DIV_ZERO, -102, "integer divide by zero")                            \
  X(TRAP_INT_OVERFLOW, -103, "integer overflow")                              \
  X(TRAP_INVALID_CONVERSION, -104, "invalid conversion to integer")           \
  X(TRAP_UNDEFINED_ELEMENT, -105, "undefined element")                        \
  X(TRAP_UNINITIALIZED_ELEMENT, -106, "uninitialized element")                \
  X(TRAP_INDIRECT_CALL_TYPE, -107, "indirect call type mismatch")             \
  X(TRAP_STACK_EXHAUSTED, -108, "call stack exhausted")                       \
  X(TRAP_TABLE_OOB, -109, "out of bounds table access")                       \
  X(TRAP_NULL_REF, -110, "null reference")                                    \
  X(TRAP_HOST, -111, "host function trapped")                                 \
  X(TRAP_EXIT, -112, "guest exited")                                         \
  X(TRAP_OUT_OF_FUEL, -113, "all fuel consumed")                              \
  X(TRAP_INTERRUPTED, -114, "interrupted")                                    \
  X(TRAP_DEADLINE, -115, "deadline exceeded")                                 \
  X(TRAP_UNALIGNED_ATOMIC, -116, "unaligned atomic")                          \
  X(TRAP_EXPECTED_SHARED, -117, "expected shared memory")                    \
  X(TRAP_NULL_EXN, -118, "null exception reference")                         \
  X(TRAP_GC_MEMORY, -119, "out of GC memory")                                 \
  X(TRAP_CAST, -120, "cast failure")                                          \
  X(TRAP_ARRAY_OOB, -121, "out of bounds array access")

typedef enum wm_err {
#define WM_ERR_ENUM_(name, code, msg) WM_##name = code,
  WM_ERRORS(WM_ERR_ENUM_)
#undef WM_ERR_ENUM_
} wm_err;

/* Static strings for a code: its message and its name ("TRAP_DIV_ZERO").
** Unknown codes give "unknown error" / "UNKNOWN". Never NULL. */
WM_API const char *wm_strerror(int code);
WM_API const char *wm_errname(int code);
/* True when code is one of the WM_TRAP_* codes. */
WM_API bool wm_is_trap(int code);

/*
** Caller-owned error details. Pass NULL where details are not wanted.
** offset is the byte offset in the module for decode/validation errors and
** UINT32_MAX otherwise. message is NUL-terminated, truncated if too long.
*/
typedef struct wm_error {
  int code;
  uint32_t offset;
  char message[512];
} wm_error;

/* ------------------------------------------------------------------ types */

/* Value types carry their binary encoding. */
typedef enum wm_valtype {
  WM_I32 = 0x7F,
  WM_I64 = 0x7E,
  WM_F32 = 0x7D,
  WM_F64 = 0x7C,
  WM_V128 = 0x7B,
  WM_FUNCREF = 0x70,
  WM_EXTERNREF = 0x6F,
  WM_EXNREF = 0x69,    /* (ref null exn): an exception, see "Exceptions" */
  WM_ANYREF = 0x6E     /* (ref null any): garbage collection's references
                       ** (WebAssembly 3.0), see wm_anyref_kind */
} wm_valtype;
/*
** Typed references (WebAssembly 3.0's function references and GC types).
** A module's types may hold `(ref null? ht)`; an embedder meets them only
** in the params and results of a wm_functype (wm_func_type,
** wm_extern_desc.func) and in a table's element type, as wider wm_valtype
** values: bits 0..7 the abstract heap type (0x70 func, also for a function
** type's index; 0x6F extern; 0x69 exn; 0x6E any, 0x6D eq, 0x6C i31, 0x6B
** struct and 0x6A array, also for a struct or array type's index; the
** bottoms 0x73 nofunc, 0x72 noextern, 0x74 noexn, 0x71 none), bit 8 set for
** a non-null reference (WM_VT_NONNULL), bits 9..30 a type index + 1 (0: an
** abstract heap type). So funcref is 0x70 and (ref func) 0x170; every
** other type keeps its value. Values of such types are passed and
** returned as their kind (WM_VT_KIND): WM_FUNCREF (a wm_func*),
** WM_EXTERNREF, WM_EXNREF or WM_ANYREF; a non-null parameter refuses NULL
** and a concrete function type a function of another type (WM_ETYPE).
** wm_valtype_name prints them as "(ref null $3)", "(ref func)".
*/
#define WM_VT_NONNULL 0x100u
/* The kind of value a (typed) reference type passes: WM_FUNCREF ... */
#define WM_VT_KIND(t)                                                         \
  ((wm_valtype)((((unsigned)(t)) & 0xFFu) == 0x73u   ? 0x70u                  \
                : (((unsigned)(t)) & 0xFFu) == 0x72u ? 0x6Fu                  \
                : (((unsigned)(t)) & 0xFFu) == 0x74u ? 0x69u                  \
                : ((((unsigned)(t)) & 0xFFu) >= 0x6Au &&                      \
                   (((unsigned)(t)) & 0xFFu) <= 0x6Du) ||                     \
                          (((unsigned)(t)) & 0xFFu) == 0x71u                  \
                      ? 0x6Eu                                                 \
                      : (((unsigned)(t)) & 0xFFu)))

/* The text name of a value type ("i32", "funcref", ...); "?" if unknown. */
WM_API const char *wm_valtype_name(wm_valtype t);

/* Kinds of imports and exports, with their binary encoding. */
typedef enum wm_externkind {
  WM_EXTERN_FUNC = 0,
  WM_EXTERN_TABLE = 1,
  WM_EXTERN_MEMORY = 2,
  WM_EXTERN_GLOBAL = 3,
  WM_EXTERN_TAG = 4      /* an exception tag (WebAssembly 3.0) */
} wm_externkind;

/* The text name of a kind ("func", "table", "memory", "global", "tag");
** "?" if unknown. */
WM_API const char *wm_externkind_name(wm_externkind k);

typedef struct wm_func wm_func;
typedef struct wm_table wm_table;
typedef struct wm_memory wm_memory;
typedef struct wm_global wm_global;
typedef struct wm_tag wm_tag;
typedef struct wm_runtime wm_runtime;
typedef struct wm_module wm_module;
typedef struct wm_instance wm_instance;

/*
** A typed value. For WM_FUNCREF, ref is a wm_func* (NULL is ref.null). For
** WM_EXTERNREF, ref is any host pointer the embedder chooses; NULL is
** ref.null extern. For WM_EXNREF, ref is an exception the runtime owns
** (opaque; NULL is ref.null exn), valid as long as the runtime. f32/f64 are stored as their bit patterns so that NaN
** payloads survive unchanged. A WM_V128 is its 16 bytes in memory order
** (lane 0 first, each lane little-endian), as v128.store would write them.
*/
typedef struct wm_val {
  wm_valtype type;
  union {
    int32_t i32;
    int64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    void *ref;
    uint8_t v128[16];
  } of;
} wm_val;

static inline wm_val wm_val_i32(int32_t v) { wm_val x; x.type = WM_I32; x.of.i64 = 0; x.of.i32 = v; return x; }
static inline wm_val wm_val_i64(int64_t v) { wm_val x; x.type = WM_I64; x.of.i64 = v; return x; }
WM_API wm_val wm_val_f32(float v);
WM_API wm_val wm_val_f64(double v);
/* A v128 from its 16 bytes in memory order. */
WM_API wm_val wm_val_v128(const uint8_t bytes[16]);
WM_API float wm_val_as_f32(wm_val v);
WM_API double wm_val_as_f64(wm_val v);

/* Limits of a memory (in 64 KiB pages) or a table (in elements). A
** shared memory (the threads proposal) must have a maximum; tables are
** never shared. is64 is WebAssembly 3.0's address type i64 (memory64,
** table64): addresses, sizes and indexes are i64 values. A 64-bit memory
** still holds at most 4 GiB here (65536 pages): a larger minimum fails to
** instantiate and memory.grow past it returns -1. */
typedef struct wm_limits {
  uint64_t min;
  uint64_t max;  /* meaningful only when has_max */
  bool has_max;
  bool shared;   /* memories only */
  bool is64;     /* address type i64 */
} wm_limits;

/*
** A function type: params then results, both views into storage owned by the
** object the type was obtained from (a module or a function).
*/
typedef struct wm_functype {
  uint32_t nparams, nresults;
  const wm_valtype *params;
  const wm_valtype *results;
} wm_functype;

/* Description of one import or export of a module. Strings are owned by the
** module and live as long as it; they are NUL-terminated (a name holding a
** NUL byte is cut there; name_len gives the full length). */
typedef struct wm_extern_desc {
  const char *module;   /* imports only; NULL for exports */
  const char *name;
  uint32_t name_len;
  wm_externkind kind;
  uint32_t index;       /* index in the module's space of that kind */
  wm_functype func;     /* WM_EXTERN_FUNC; WM_EXTERN_TAG: its payload as
                        ** params, no results */
  wm_valtype elem_type; /* WM_EXTERN_TABLE */
  wm_limits limits;     /* WM_EXTERN_TABLE, WM_EXTERN_MEMORY */
  wm_valtype global_type; /* WM_EXTERN_GLOBAL */
  bool global_mutable;
} wm_extern_desc;

/* ------------------------------------------------------------ memory pool */

/*
** A memory pool: address-space slots for linear memories, reserved once and
** reused, for hosts that make a runtime and an instance per request. A
** memory made in a runtime whose options name a pool takes a free slot
** instead of reserving its own address space, and gives it back when the
** runtime is freed; the slot is cleared then (keep_resident_bytes below),
** so the next memory in it reads zero wherever its own data segments did
** not write, exactly like a fresh memory, and nothing of one instance's
** memory is ever visible to another. Pooling changes nothing else: sizes,
** growth, limits and budgets, the limiter, the stable base address and the
** heap checker are the same with and without a pool.
**
** A memory whose maximum (the declared maximum, capped by max_memory_pages
** and max_memory_bytes of its runtime; 4 GiB when none is declared) is
** larger than a slot, or made while every slot is in use, is made as
** without a pool; wm_pool_get_usage counts these fallbacks, so a host can
** size its pool.
**
** Thread safety: one pool may serve many runtimes on many threads at once.
** Lifetime: each runtime made with the pool holds a reference to it, so
** wm_pool_free may come before the runtimes are freed; the slots are
** unmapped when the pool's handle and all its runtimes are gone.
*/
typedef struct wm_pool wm_pool;

/* Options for a pool. Zero-initialise; zero means the default. */
typedef struct wm_pool_options {
  /* Address space of one slot in bytes, a multiple of 65536 up to 4 GiB
  ** (default 4 GiB: every wasm32 memory fits). Only what memories touch
  ** costs memory; a slot costs no more than its address space. */
  uint64_t slot_bytes;
  /* The most slots the pool reserves, lazily as they are first needed
  ** (default 1000: 4 TB of address space at the default slot size). */
  uint32_t max_slots;
  /* Bytes at the start of each free slot kept mapped between memories
  ** (default 2 MiB, at most 16 MiB; 1 keeps none). The pages a memory
  ** touched there are cleared with memset when it is freed, and the next
  ** memory finds them ready, without page faults; the rest is given back to
  ** the kernel. The pool's resident memory is thus at most this much per
  ** slot beyond the memories in use. */
  uint64_t keep_resident_bytes;
} wm_pool_options;

/* What a pool holds now. */
typedef struct wm_pool_usage {
  uint32_t slots;        /* slots reserved so far */
  uint32_t in_use;       /* of which memories hold this many */
  uint64_t fallbacks;    /* memories made without a slot (too big, or none free) */
} wm_pool_usage;

/* Make a pool. opts may be NULL. WM_EINVAL for a slot size that is not a
** multiple of 65536 or larger than 4 GiB. On success *out owns the pool. */
WM_API int wm_pool_new(const wm_pool_options *opts, wm_pool **out, wm_error *err);
/* Release the caller's handle (see Lifetime above). NULL is a no-op. */
WM_API void wm_pool_free(wm_pool *pool);
/* Fill *out (zeroes for a NULL pool). Safe while other threads use it. */
WM_API void wm_pool_get_usage(wm_pool *pool, wm_pool_usage *out);

/* ---------------------------------------------------------------- runtime */

/*
** Options for a runtime. Zero-initialise and set what you need; zero means
** the default for every field.
*/
typedef struct wm_runtime_options {
  /* Size of the value stack in bytes (default 8 MiB). Deep recursion that
  ** does not fit traps with WM_TRAP_STACK_EXHAUSTED. */
  size_t stack_bytes;
  /* Maximum nesting of wasm calls (default 100000). */
  uint32_t max_call_depth;
  /* Upper bound on any memory's size in 64 KiB pages, whatever the module
  ** declares (default and maximum 65536, i.e. 4 GiB). memory.grow beyond it
  ** returns -1; a module whose minimum exceeds it fails to instantiate. */
  uint32_t max_memory_pages;
  /* Upper bound on any table's size in elements (default 10,000,000). */
  uint32_t max_table_elems;
  /* C stack that calls into wasm may use, in bytes, counted down from where
  ** the host's outermost call into wasm (on this thread) starts. Each call
  ** into wasm from inside a host function (re-entry) first checks that a safety margin for one more level, the host
  ** function's own frame and a printf included (32 KiB; 48 KiB in
  ** AddressSanitizer builds), is still free, and else traps with
  ** WM_TRAP_STACK_EXHAUSTED instead of overflowing the C stack; re-entry
  ** is also capped at 256 levels. 0 (the default) measures the calling
  ** thread's stack bounds (pthread_getattr_np on Linux); where they cannot
  ** be read, or the call runs on a stack they do not describe (a coroutine's
  ** or fiber's own stack, a signal handler's alternate stack), a budget of
  ** 128 KiB applies. Set it when calling from coroutines, fibers or signal
  ** handlers, or from threads whose stack bounds are not those the thread
  ** library reports; it is trusted, so it must not exceed the stack that is
  ** really there. Must exceed the safety margin; 64 KiB or more is sensible
  ** (256 KiB or more under AddressSanitizer). */
  size_t c_stack_bytes;

  /*
  ** Budgets for the whole runtime. They count every memory, table and
  ** instance made in it (by instantiation or by wm_memory_new and
  ** wm_table_new) from its making until wm_runtime_free -- objects live
  ** that long, so nothing is given back earlier, also when an
  ** instantiation traps in a segment or its start function after its
  ** objects were made. Growing past a budget fails as the spec allows:
  ** memory.grow and table.grow return -1, wm_memory_grow returns
  ** WM_ELIMIT. Making an object past one fails with WM_ELIMIT and a message
  ** naming the option; wm_instance_new checks the whole instance first
  ** (these budgets, max_memory_pages and max_table_elems), so such a
  ** failure leaves nothing behind, and the usage is as it was before.
  */
  /* Total bytes of all linear memories (default 8 GiB, two full wasm32
  ** memories). Each memory's maximum is capped by it too. */
  uint64_t max_memory_bytes;
  /* Total elements of all tables (default 16,000,000: 128 MB of host
  ** memory on a 64-bit host, so one table can reach max_table_elems). */
  uint64_t max_table_elems_total;
  /* How many instances, memories and tables the runtime may hold
  ** (defaults 10,000, 1,000 and 10,000). */
  uint32_t max_instances;
  uint32_t max_memories;
  uint32_t max_tables;
  /* Total bytes of lowered code (wm_module_code_bytes) of the modules
  ** instantiated in the runtime, each module counted once (default 1 GiB):
  ** what a module holds when it is instantiated, plus what calls in the
  ** runtime lower later (see WM_MODULE_EAGER). Once the total has reached
  ** it, instantiating or a call that must lower a function fails with
  ** WM_ELIMIT. */
  uint64_t max_code_bytes;
  /* Total bytes of the runtime's live garbage-collected objects
  ** (WebAssembly 3.0's structs and arrays, and the boxes extern conversions
  ** make), with their headers (default 1 GiB). Garbage is collected (see
  ** "References of garbage collection") before an object would pass the
  ** budget, if at least a sixteenth of it was made since the last
  ** collection or the last refusal trapped; making one past it even so
  ** traps with WM_TRAP_GC_MEMORY. So a guest whose live objects stay
  ** within a sixteenth of the budget may trap rather than collect at every
  ** allocation. */
  uint64_t max_gc_bytes;
  /*
  ** Optional growth callbacks, in the manner of Wasmtime's ResourceLimiter:
  ** asked before a memory (sizes in bytes) or a table (sizes in elements)
  ** grows by a non-zero amount, and when one is made (current 0, desired
  ** its initial size), after the runtime's own limits have allowed it.
  ** maximum is the most the object may ever reach. Return true to allow;
  ** a refusal is a failed growth (-1, WM_ELIMIT) or a failed making
  ** (WM_ELIMIT "refused by the embedder's limiter"). When one refuses an
  ** object of an instantiation, the objects already made for it (and
  ** allowed) are freed again, and nothing is counted. They must not call
  ** into the runtime. limiter_data is passed to both.
  */
  bool (*memory_growing)(void *limiter_data, uint64_t current, uint64_t desired,
                         uint64_t maximum);
  bool (*table_growing)(void *limiter_data, uint64_t current, uint64_t desired,
                        uint64_t maximum);
  void *limiter_data;
  /* A memory pool (see above) for the memories made in this runtime, or
  ** NULL. The runtime holds a reference to it until wm_runtime_free. */
  wm_pool *pool;
  /* Reserve the memories that interpreted modules define as compiled code
  ** without bounds checks needs them (see wm_module_load_native): 8 GiB
  ** and 64 KiB of address space each, so that such code may import them.
  ** Address space only: max_memory_bytes and the maximum still bound
  ** growth. A memory that takes a pool slot, or whose reservation the host
  ** refuses (ulimit -v), is reserved as usual, and compiled code importing
  ** it fails to instantiate (WM_EUNSUPPORTED). Default false: a memory
  ** reserves no more than its maximum. Memories of guarded compiled
  ** modules, and wm_memory_new's outside a pool, are reserved so anyway. */
  bool guard_memories;
} wm_runtime_options;

/* What a runtime holds now, counted against its budgets. */
typedef struct wm_runtime_usage {
  uint64_t memory_bytes;   /* current sizes of all memories */
  uint64_t table_elems;    /* current sizes of all tables */
  uint64_t code_bytes;     /* lowered code of the modules instantiated */
  uint32_t instances, memories, tables;
  uint32_t exceptions;     /* exception objects held (see "Exceptions") */
  uint64_t gc_bytes;       /* live garbage-collected objects (max_gc_bytes) */
  uint64_t gc_collections; /* collections run so far */
} wm_runtime_usage;

/* Make a runtime. opts may be NULL. On success *out owns a new runtime. */
WM_API int wm_runtime_new(const wm_runtime_options *opts, wm_runtime **out, wm_error *err);
/* Free a runtime and every object made in it. NULL is a harmless no-op. */
WM_API void wm_runtime_free(wm_runtime *rt);
/* Fill *out with what rt holds now (zeroes for a NULL rt). */
WM_API void wm_runtime_get_usage(const wm_runtime *rt, wm_runtime_usage *out);

/*
** References of garbage collection (WebAssembly 3.0's anyref and its
** subtypes eqref, i31ref, structref, arrayref) pass as WM_ANYREF values:
** NULL, an i31 (wm_anyref_i31), or an object of the runtime -- a struct,
** an array, or a host reference (wm_anyref_host). A non-null anyref the
** host passes must be an i31 or one of the runtime's objects, of the type
** wanted, else WM_ETYPE.
**
** Objects belong to the runtime, which collects those nothing names any
** more (a mark and sweep, also of kept exceptions): when the bytes made
** since the last collection reach the bytes live then (at least 1 MiB),
** before an object would pass max_gc_bytes (see there), before
** instantiating a module whose constant expressions may make objects, and
** on wm_runtime_collect. wm_anyref_host never collects.
** What names an object: a value on the guest's stack (read
** conservatively), a global or table (the instances', imported or not, and
** the host's), an element segment, an exception, another object named --
** and a pin. An object the host holds in its own memory (a call's result,
** a host function's argument kept after it returns, wm_anyref_host's box)
** is valid until the next call into the runtime that may run guest code or
** collect, unless the host pins it (wm_ref_pin) or stores it in a global or
** table. Using a stale anyref is safe -- the runtime checks every anyref
** the host passes (WM_ETYPE) -- but it names nothing, or a newer object;
** a stale externref is not checked (an externref may be any pointer) and
** may name a newer object. The payloads of exceptions the host has seen
** (see "Exceptions") stay named as long as those exceptions live. Two
** runtimes whose values may meet never collect again: once a function,
** table or reference global of one is imported by the other, or a
** function of one runs on the other's stack (called through a table the
** host filled, or by wm_func_call with the other runtime); their objects
** and kept exceptions then live until wm_runtime_free, bounded by
** max_gc_bytes. Do not move objects between runtimes through the host.
*/
typedef enum wm_anyref_kind {
  WM_ANY_NULL, WM_ANY_I31, WM_ANY_STRUCT, WM_ANY_ARRAY, WM_ANY_HOST,
  WM_ANY_FOREIGN  /* none of these: not an anyref of this runtime */
} wm_anyref_kind;
WM_API wm_anyref_kind wm_anyref_kind_of(const wm_runtime *rt, const void *ref);
/* An i31 of the low 31 bits of v, and the value of one (sign-extended). */
WM_API void *wm_anyref_i31(uint32_t v);
WM_API int32_t wm_anyref_i31_value(const void *ref);
/* A host reference to p in rt (what any.convert_extern makes of an
** externref p): an object that boxes p, or p itself when p is one of rt's
** objects. WM_ENOMEM, WM_ELIMIT (max_gc_bytes) or WM_EINVAL (p NULL). */
WM_API int wm_anyref_host(wm_runtime *rt, void *p, void **out);
/* The host pointer a host reference boxes; NULL for anything else. */
WM_API void *wm_anyref_host_value(const wm_runtime *rt, const void *ref);
/* Keep the object ref (an anyref, or an externref that is one of rt's
** objects) alive until as many wm_ref_unpin: pins count. NULL and i31s need
** none (WM_OK); anything else not an object of rt is WM_EINVAL. */
WM_API int wm_ref_pin(wm_runtime *rt, void *ref);
/* Drop one pin of ref: WM_OK, or WM_ENOT_FOUND if it has none. */
WM_API int wm_ref_unpin(wm_runtime *rt, void *ref);
/* Collect now: WM_OK, WM_EUNSUPPORTED when rt shares values with another
** runtime (above: it never collects), WM_ENOMEM when there is no memory
** for the collector's lists (nothing is freed then), WM_EINVAL for NULL.
** May be called from a host function, compiled code (wasmem compile)
** below it too: the collector reads compiled frames' stack as roots. */
WM_API int wm_runtime_collect(wm_runtime *rt);

/*
** Host functions. args holds type->nparams values, results has room for
** type->nresults values whose types the function must set. Return 0 on
** success; a WM_TRAP_* code to make the calling wasm code trap with that
** code (WM_TRAP_EXIT for a guest exit); any other value traps with
** WM_TRAP_HOST. The trap message is the one set with wm_call_ctx_trap(), or
** the code's message.
** The context is valid only during the call.
*/
typedef struct wm_call_ctx wm_call_ctx;
typedef int (*wm_host_fn)(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data);

/* During a host call: the instance that called (NULL if the host called the
** function directly), and that instance's memory 0 (NULL if none). */
WM_API wm_instance *wm_call_ctx_instance(wm_call_ctx *ctx);
WM_API wm_memory *wm_call_ctx_memory(wm_call_ctx *ctx);
/* Set the trap message a failing host function reports; returns rc so a
** host function can write `return wm_call_ctx_trap(ctx, -1, "...")`. */
WM_API int wm_call_ctx_trap(wm_call_ctx *ctx, int rc, const char *fmt, ...);

/*
** Make a host function of the given type. The type's arrays are copied.
** data is passed to fn on each call; the runtime never frees it.
** The function lives until the runtime is freed.
*/
WM_API int wm_func_new_host(wm_runtime *rt, const wm_functype *type, wm_host_fn fn, void *data,
                            wm_func **out, wm_error *err);
/* Make a table, memory or global owned by the runtime. */
WM_API int wm_table_new(wm_runtime *rt, wm_valtype elem_type, wm_limits limits, void *init,
                        wm_table **out, wm_error *err);
WM_API int wm_memory_new(wm_runtime *rt, wm_limits limits, wm_memory **out, wm_error *err);
WM_API int wm_global_new(wm_runtime *rt, wm_val init, bool mutable_, wm_global **out,
                         wm_error *err);

/*
** Make `name` in namespace `module` resolve to an object for later
** instantiations. The names are copied. A later definition of the same pair
** replaces an earlier one.
*/
WM_API int wm_runtime_define_func(wm_runtime *rt, const char *module, const char *name, wm_func *f,
                                  wm_error *err);
WM_API int wm_runtime_define_table(wm_runtime *rt, const char *module, const char *name,
                                   wm_table *t, wm_error *err);
WM_API int wm_runtime_define_memory(wm_runtime *rt, const char *module, const char *name,
                                    wm_memory *m, wm_error *err);
WM_API int wm_runtime_define_global(wm_runtime *rt, const char *module, const char *name,
                                    wm_global *g, wm_error *err);
/* Define every export of an instance under namespace `module`. */
WM_API int wm_runtime_register(wm_runtime *rt, const char *module, wm_instance *inst,
                               wm_error *err);

/*
** Exceptions (WebAssembly 3.0 exception handling). A tag names a kind of
** exception and the types of its payload (a function type's params; it has
** no results). Tag identity is per object: each instantiation makes its
** module's tags anew, an imported tag is the exporter's, and a try_table
** catches by identity, never by type.
**
** An exception no try_table catches ends the call that started it (the
** outermost wm_func_call, or a guest's call of a host function that let
** it through) with WM_EXCEPTION, which is not a trap (wm_is_trap() is
** false; a trap is never caught by a try_table). The runtime keeps that
** exception pending: wm_runtime_exception reads its tag and payload. A
** host function called from wasm that gets WM_EXCEPTION from a nested
** wm_func_call and returns WM_EXCEPTION itself rethrows it into its
** calling guest, where a try_table may catch it; so does one that throws
** its own with wm_runtime_throw. An exception is freed when a catch clause
** without _ref takes it, or when it is no longer pending (the next call
** from the host, wm_runtime_exception_clear), so a guest that throws and
** catches without end stays bounded. One an exnref value has been made of
** (by catch_ref, catch_all_ref or wm_runtime_exception's exn) is kept
** (wm_runtime_usage counts them) until a sweep finds nothing naming it,
** so a guest that makes exnrefs without end stays bounded too. Exceptions
** whose exnref the host has seen (a result, a host function's argument, a
** global or table read, wm_runtime_exception's exn) live as long as the
** runtime, and so do the objects their payloads name; as do all of a
** runtime that shares values with another (see "References of garbage
** collection").
*/
/* Make a tag whose payload has the types of type->params (type->nresults
** must be 0: WM_EINVAL). The type is copied; the tag lives with rt. */
WM_API int wm_tag_new(wm_runtime *rt, const wm_functype *type, wm_tag **out, wm_error *err);
/* A tag's payload types as a function type's params (storage the tag's). */
WM_API wm_functype wm_tag_type(const wm_tag *tag);
WM_API int wm_runtime_define_tag(wm_runtime *rt, const char *module, const char *name, wm_tag *tag,
                                 wm_error *err);
/* The exported tag `name` of inst, or NULL. */
WM_API wm_tag *wm_instance_tag(wm_instance *inst, const char *name);
/*
** After a call returned WM_EXCEPTION: the pending exception's tag (*tag),
** its payload count (*n) and the first `cap` payload values (vals may be
** NULL when cap is 0), and an exnref naming it (*exn, may be NULL). 0, or
** WM_EINVAL when no exception is pending. Any argument but rt may be NULL.
*/
WM_API int wm_runtime_exception(wm_runtime *rt, wm_tag **tag, wm_val *vals, uint32_t cap,
                                uint32_t *n, wm_val *exn);
/* Make a new exception of tag with payload vals[0..n) (their types must be
** the tag's: else WM_ETYPE) and make it the pending one. Returns
** WM_EXCEPTION, so that a host function can `return wm_runtime_throw(...)`
** to throw it into the guest that called it. */
WM_API int wm_runtime_throw(wm_runtime *rt, wm_tag *tag, const wm_val *vals, uint32_t n,
                            wm_error *err);
/* Forget the pending exception (a host that handled it). No-op if none. */
WM_API void wm_runtime_exception_clear(wm_runtime *rt);

/* ----------------------------------------------------------------- module */

typedef struct wm_module_options {
  /* WM_MODULE_CHECKED: lower the code for the guest heap checker (see
  ** "Guest heap checking"). Such code runs every load and store through the
  ** checker's shadow memory once a checker is attached to its instance, and
  ** only bounds-checks them otherwise; code loaded without it never
  ** consults a checker. */
  uint32_t flags;
  /* Most bytes of lowered code (instruction cells, constants and trap
  ** locations of all bodies) the module may hold; lowering past it fails
  ** with WM_ELIMIT naming this option: the load (WM_MODULE_EAGER) or the
  ** call that lowers a function (default: 16 times the module's size plus
  ** 1 MiB, far above what compilers emit). */
  uint64_t max_code_bytes;
  /* Threads that validate the function bodies of a large module (over
  ** 1 MiB) while it loads, the calling thread included: 0 for the default
  ** (the processors online, at most 4), 1 for the calling thread alone.
  ** The verdict is the same for any number. Smaller modules are validated
  ** on the calling thread. */
  uint32_t validate_threads;
  /* A directory for the code cache, or NULL for none. When set, loading
  ** looks for the module's validated form there, by the hash of its bytes
  ** (see wm_module_serialize), and skips validating the function bodies
  ** when a matching file is found; otherwise it validates as usual and
  ** writes the file (directories are made as needed). A stale, corrupted
  ** or foreign file is ignored and replaced. The cache is best effort:
  ** failing to read or write it never fails the load.
  ** wm_module_load_file with a cache file goes further: it reads in only
  ** the bytes around the code section, keeps the module's file open for
  ** the module's life, and reads each function body from it at the
  ** function's first call (all of them at load with WM_MODULE_EAGER); so
  ** does its first load of a module of 1 MiB or more, which validates the
  ** bodies through buffers before it writes the cache file. If
  ** the file changes meanwhile, that call validates the body it reads like
  ** any other, or fails with WM_EIO when the file no longer holds it. */
  const char *cache_dir;
} wm_module_options;
#define WM_MODULE_CHECKED 1u
/* WM_MODULE_METERED: lower the code with fuel and poll points (see "Fuel,
** interrupts and deadlines"), so that it can be stopped. Code loaded
** without it runs exactly as before and cannot be stopped. */
#define WM_MODULE_METERED 2u
/* WM_MODULE_EAGER: lower every function while loading. By default a
** function is lowered at its first call (loading still validates every
** body, as the spec requires), so a large module starts fast and holds
** lowered code only for what runs; then a first call can also fail with
** WM_ENOMEM, or WM_ELIMIT from max_code_bytes (of the module, or of the
** runtime it runs in). With this flag those failures happen at load, and
** no call ever lowers. */
#define WM_MODULE_EAGER 4u
/* WM_MODULE_WASM2: judge the module by WebAssembly 2.0's rules where 3.0
** changed a meaning rather than added one: one memory at most, and the
** bytes that 3.0 made memory indexes (memory.size's, bit 6 of a memarg's
** flags) are 2.0's reserved zero bytes and alignment again. For running
** 2.0 test suites; 3.0 features that do not conflict stay on. Such a
** load never uses the code cache. */
#define WM_MODULE_WASM2 8u
/* WM_MODULE_PRELOWER: remember which functions run, to lower them ahead
** next time. The module notes the functions its calls lower, in the order
** of their first call; wm_module_serialize and the cache file of
** cache_dir carry that list (wm_module_cache_update writes it). A later
** load of the same bytes with this flag and such a cache starts a thread
** that lowers the listed functions, last first, while the calls lower the
** first ones: on two processors a large program's start waits for about
** half of its lowering. The list is only a hint, checked like the rest of
** the cache (every entry must name a defined function): a function is
** still validated when it is lowered, and one not listed is lowered at its
** first call. Code lowered ahead counts against the module's
** max_code_bytes, of which the thread takes at most half; a runtime's
** (wm_runtime_options) is charged only for the code there was when it
** instantiated the module (so it depends on how far the thread got) and
** for what its own calls lower. The thread stops at wm_module_free. Do
** not fork while it may run (it holds the module's lock at times); with
** WM_MODULE_EAGER there is neither list nor thread. */
#define WM_MODULE_PRELOWER 16u
/* WM_MODULE_SPARSE: wm_module_load_file of a module of 1 MiB or more
** without a cache_dir reads in only the bytes around the code section,
** validates the function bodies as it reads them through buffers, keeps
** the file open for the module's life, and reads each body again at its
** function's first call -- as a load with a cache file does (see
** cache_dir, including what happens if the file changes). Memory then
** holds no copy of the bodies (yosys, 30 MB: 17 MB at its start instead
** of 45). A module the buffered path cannot take is loaded as usual, with
** the same verdict. Ignored with WM_MODULE_EAGER, with a cache_dir, and
** by wm_module_load; wm_module_serialize refuses such a module. */
#define WM_MODULE_SPARSE 32u

/*
** Decode, validate and compile a module from bytes. The bytes are copied;
** the caller may free them on return. On failure the error names what is
** wrong and, for malformed or invalid modules, the byte offset.
*/
WM_API int wm_module_load(const uint8_t *bytes, size_t len, const wm_module_options *opts,
                          wm_module **out, wm_error *err);
/* Same, reading a file. */
WM_API int wm_module_load_file(const char *path, const wm_module_options *opts, wm_module **out,
                               wm_error *err);
/*
** The text format. wm_module_load and wm_module_load_file take a module in
** the WebAssembly text format (.wat) as well as binary: text is recognised
** by its first token, past whitespace and comments, being '(' (a binary
** module begins with "\0asm"), converted to binary, then loaded as usual.
** WebAssembly 2.0's text syntax is covered, SIMD and extended constant
** expressions included; the binary is byte for byte what wabt's wat2wasm
** writes (no name section). A text error is WM_EMALFORMED with the message
** "LINE:COL: what" (from wm_module_load_file: "FILE:LINE:COL: what").
**
** wm_wat_to_wasm converts text without loading it: *out (free it with
** wm_free) holds *out_len bytes. Errors: WM_EINVAL for a NULL argument,
** WM_EMALFORMED as above, WM_ENOMEM. On error *out is NULL.
*/
WM_API int wm_wat_to_wasm(const char *text, size_t len, uint8_t **out, size_t *out_len,
                          wm_error *err);

/* ----------------------------------------------------------- spec scripts */

/*
** The WebAssembly specification's script format (.wast): a sequence of
** commands -- modules, register, actions and assertions -- that its test
** suite is written in. wm_script reads a script and hands its commands one
** at a time to the caller, who runs them (the `wasmem spectest` command is
** such a caller; an embedder can run scripts against its own host
** functions the same way). Reading never runs or loads anything.
**
**   wm_script_open  copies text (len bytes) and prepares to read it. name,
**                   which may be NULL, is put in front of error messages
**                   ("NAME:LINE:COL: what"). Errors: WM_EINVAL for a NULL
**                   text with len > 0 or a NULL out, WM_ENOMEM.
**   wm_script_next  reads the next command into *cmd: 1 when there is one,
**                   0 at the end of the script, or WM_EMALFORMED for a
**                   script that does not follow the format ("LINE:COL:
**                   what": an unknown command, a malformed constant, an
**                   action name that is not UTF-8, an unterminated list,
**                   ...), or WM_ENOMEM. After an error the same error is
**                   returned again. *cmd and everything it points to stay
**                   valid until the next call or wm_script_free.
**   wm_script_free  frees the reader (NULL is a no-op).
**
** Modules. A command's module (module_len bytes at module) is what the
** caller passes to wm_module_load: for a module written in text, its
** source `(module ...)` verbatim, so that a text error shows where an
** assertion expects one (assert_malformed); for `module binary`, the
** decoded bytes; for `module quote`, the concatenated strings as text,
** wrapped in "(module ...)" unless they start with it. module_text tells
** text from binary. id is the module's $name without the '$' (decoded for
** $"..."), NULL when it has none.
**
** Names and ids are their bytes with a length (a name may hold NULs, as
** export names may), and NUL-terminated too.
**
** Values. Arguments are wm_vals; `ref.extern N` is the WM_EXTERNREF whose
** ref is (void *)(uintptr_t)(N + 1), so that no N is the null reference.
** Expected results are patterns (wm_script_pat).
*/
typedef struct wm_script wm_script;

typedef enum wm_script_kind {
  WM_SCRIPT_MODULE,                /* module: load and instantiate it, name it id */
  WM_SCRIPT_REGISTER,              /* register the module named id (NULL: the latest) as name */
  WM_SCRIPT_ACTION,                /* action, results ignored */
  WM_SCRIPT_ASSERT_RETURN,         /* action returns results */
  WM_SCRIPT_ASSERT_TRAP,           /* action traps with text */
  WM_SCRIPT_ASSERT_EXHAUSTION,     /* action exhausts the call stack (text) */
  WM_SCRIPT_ASSERT_EXCEPTION,      /* action throws an exception */
  WM_SCRIPT_ASSERT_MALFORMED,      /* module does not decode or parse (text) */
  WM_SCRIPT_ASSERT_INVALID,        /* module does not validate (text) */
  WM_SCRIPT_ASSERT_UNLINKABLE,     /* module's imports do not link (text) */
  WM_SCRIPT_ASSERT_UNINSTANTIABLE, /* module traps while instantiated (text); also
                                      (assert_trap (module ...) text) */
  WM_SCRIPT_MODULE_DEFINITION,     /* module definition: load it (no instance), name
                                      the definition id */
  WM_SCRIPT_MODULE_INSTANCE,       /* module instance: instantiate the definition
                                      named def (NULL: the latest), name it id */
  WM_SCRIPT_UNSUPPORTED            /* a command this reader does not run yet
                                      (thread, wait, input, output, script),
                                      or one
                                      holding a value not supported yet (the
                                      references of GC, typed references and
                                      exceptions: (ref.i31), (ref.null any)
                                      ...): text says which; it was read or
                                      skipped whole */
} wm_script_kind;

typedef enum wm_script_action_kind {
  WM_SCRIPT_INVOKE, /* call the exported function field with args */
  WM_SCRIPT_GET     /* read the exported global field */
} wm_script_action_kind;

typedef enum wm_script_pat_kind {
  WM_PAT_VALUE,          /* exactly val (floats by their bits; a v128 by its
                            bytes, except lanes that lane_nan marks) */
  WM_PAT_NAN_CANONICAL,  /* an f32/f64 (val.type) canonical NaN, either sign */
  WM_PAT_NAN_ARITHMETIC, /* an f32/f64 (val.type) quiet NaN, any payload */
  WM_PAT_REF_NULL,       /* the null reference of val.type, or of any
                            reference type when val.type is 0 ((ref.null)) */
  WM_PAT_REF_NONNULL,    /* any non-null reference of val.type: (ref.func),
                            (ref.extern) with no index; of WM_ANYREF, one
                            of the kind any_kind says */
  WM_PAT_EITHER          /* any one of the neither patterns at either */
} wm_script_pat_kind;

typedef struct wm_script_pat {
  wm_script_pat_kind kind;
  wm_val val;        /* the type always; the value for WM_PAT_VALUE */
  const char *shape; /* a v128's lane shape as written ("i8x16" ...
                        "f64x2"), NULL for other types */
  uint8_t lane_nan[4]; /* f32x4/f64x2: per lane, 0 for the exact bits, or
                          WM_PAT_NAN_CANONICAL / WM_PAT_NAN_ARITHMETIC */
  uint32_t neither;
  const struct wm_script_pat *either; /* alternatives, never nested */
  /* A non-null anyref pattern: WM_ANY_I31 (ref.i31), WM_ANY_STRUCT
  ** (ref.struct), WM_ANY_ARRAY (ref.array), WM_ANY_HOST ((ref.host N):
  ** val.of.ref is N + 1), WM_PAT_ANY_EQ (ref.eq: an i31, struct or array),
  ** WM_ANY_NULL (ref.any: any non-null one). */
  uint8_t any_kind;
} wm_script_pat;
#define WM_PAT_ANY_EQ 100

typedef struct wm_script_action {
  wm_script_action_kind kind;
  const char *module; /* the module's id, NULL for the latest module */
  size_t module_len;
  const char *field; /* the export's name: UTF-8, may hold NUL bytes */
  size_t field_len;
  const wm_val *args; /* WM_SCRIPT_INVOKE; (ref.host N) is a WM_ANYREF
                         holding N + 1, a host pointer for the embedder to
                         make a host reference of (wm_anyref_host) */
  uint32_t nargs;
} wm_script_action;

typedef struct wm_script_cmd {
  wm_script_kind kind;
  uint32_t line;      /* of the command's '(' */
  const char *id;     /* module, definition, instance: its id; register: the
                         module's; may be NULL */
  size_t id_len;
  const char *def;    /* module instance: the definition's id, or NULL */
  size_t def_len;
  const uint8_t *module; /* the module commands and module assertions */
  size_t module_len;
  bool module_text;
  const char *name; /* register: the name to register as (UTF-8, may hold NULs) */
  size_t name_len;
  wm_script_action action; /* action, assert_return/trap/exhaustion/exception */
  const wm_script_pat *results; /* assert_return: one pattern a result */
  uint32_t nresults;
  const char *text; /* assertions' expected message (NUL-terminated, cut at
                       a NUL it holds); "" when none */
} wm_script_cmd;

/* A command kind's name: an assertion's keyword ("assert_return" ...),
** "module", "register", "action", "module definition", "module instance";
** "command" for WM_SCRIPT_UNSUPPORTED, "?" for no kind. */
WM_API const char *wm_script_kind_name(wm_script_kind k);
WM_API int wm_script_open(const char *text, size_t len, const char *name, wm_script **out,
                          wm_error *err);
WM_API int wm_script_next(wm_script *s, const wm_script_cmd **cmd, wm_error *err);
WM_API void wm_script_free(wm_script *s);

/*
** The code cache. wm_module_serialize writes what loading learnt about a
** module's bytes -- that every body validated, and where each body's code
** starts -- into a new buffer (free it with wm_free), for
** wm_module_deserialize to load the same bytes later without validating
** the bodies again. The buffer carries a format version, the wasmem build
** that wrote it, the length and 128-bit hash of the module's bytes and a
** checksum of itself: anything that does not match fails with WM_ECACHE
** and a message saying what (the caller then loads with wm_module_load).
**
** A cache is never trusted with memory safety: every bound it gives is
** checked, and a body is still validated as it is lowered, at its first
** call. A forged file can at most move a body's validation error from
** the load to that first call. Loading options (flags, limits) are the
** caller's, as with wm_module_load, which deserialize otherwise matches:
** the bytes are copied.
*/
WM_API int wm_module_serialize(const wm_module *mod, uint8_t **out, size_t *out_len,
                               wm_error *err);
WM_API int wm_module_deserialize(const uint8_t *bytes, size_t len, const uint8_t *cache,
                                 size_t cache_len, const wm_module_options *opts,
                                 wm_module **out, wm_error *err);
/* With WM_MODULE_PRELOWER and a cache_dir: write the module's cache file
** again when its calls have lowered functions that the file's first-call
** list lacks (the list gains them, in order), so that the next load lowers
** them ahead. 0 when written or when there is nothing to write (no such
** functions, or the module was loaded without the flag or a cache
** directory); WM_EINVAL for a NULL mod, WM_ENOMEM, or WM_EIO when the file
** cannot be written. */
WM_API int wm_module_cache_update(wm_module *mod, wm_error *err);
/* The 128-bit hash of a module's bytes that a cache is keyed by; as hex,
** it names the files of wm_module_options.cache_dir ("<hex>.wmc"). Not a
** cryptographic hash. */
WM_API void wm_module_hash(const uint8_t *bytes, size_t len, uint8_t out[16]);

/*
** Ahead-of-time compilation (`wasmem compile`). wm_module_to_c translates a
** loaded module into one C file (*out, NUL-terminated, free it with
** wm_free), which a C compiler makes into a shared object:
**   cc -O2 -shared -fPIC -ffp-contract=off -o m.so m.c
** wm_module_load_native loads such an object: the module it carries is
** loaded and validated as by wm_module_load (opts alike; WM_MODULE_CHECKED
** is refused with WM_EUNSUPPORTED for now, WM_MODULE_METERED unless the
** object was compiled WM_COMPILE_METERED), and its
** functions run as native code, with the interpreter's semantics, traps
** and messages. A compiled object is code: load only objects you trust
** as you trust a shared library (docs/SECURITY.md); one made by another
** wasmem ABI, or whose module does not match the hash it was compiled
** for, is refused (WM_EINVAL).
** Not translated yet (WM_EUNSUPPORTED, "... not supported yet"):
** threads (shared memories, atomics); a module loaded through the code
** cache (load it without one).
*/
WM_API int wm_module_to_c(const wm_module *mod, char **out, size_t *out_len, wm_error *err);
/* How wm_module_to_c_parts translates (NULL or zeroed: as wm_module_to_c).
** By default, on 64-bit hosts, loads and stores are not checked: the
** memory of an instance of the compiled module is reserved with 8 GiB of
** address space, and an access past its size hits inaccessible pages,
** whose fault the runtime turns into the "out of bounds memory access"
** trap (a SIGSEGV/SIGBUS handler installed at the first such instance,
** which passes every other fault on to the handler installed before it).
** Such an object refuses, at instantiation, an imported memory not
** reserved so: one defined by an interpreted module, or taken from a
** wm_pool slot (memories of wm_memory_new are reserved so unless a pool
** gives them a slot). WM_COMPILE_BOUNDS_CHECKS checks every access against
** the memory's size instead, and takes any memory; 32-bit hosts always
** check. */
#define WM_COMPILE_BOUNDS_CHECKS 1u
/* WM_COMPILE_METERED: the code charges fuel and polls for interrupts and
** deadlines exactly as code loaded WM_MODULE_METERED does (the same cost
** per basic block, the same traps), so that fuel, wm_runtime_interrupt and
** deadlines stop it. wm_module_load_native loads such an object as a
** metered module (with or without WM_MODULE_METERED); an object compiled
** without it is refused under WM_MODULE_METERED. */
#define WM_COMPILE_METERED 2u
typedef struct wm_compile_options {
  uint32_t flags; /* WM_COMPILE_* */
} wm_compile_options;
/* The C of a module, translated as opts says, as nparts files (1 to
** WM_C_PARTS_MAX), for compilers run in parallel and one link: out[i] and
** out_len[i] (NULL allowed) for part i, each freed with wm_free. Part 0
** holds the descriptor, the module's bytes and the function tables; the
** functions are spread over the parts by size; what the parts share is
** visible to the object's other parts only. One part with NULL options is
** wm_module_to_c's file. */
#define WM_C_PARTS_MAX 256u
WM_API int wm_module_to_c_parts(const wm_module *mod, const wm_compile_options *opts,
                                uint32_t nparts, char **out, size_t *out_len, wm_error *err);
WM_API int wm_module_load_native(const char *path, const wm_module_options *opts,
                                 wm_module **out, wm_error *err);

/* Free a module. Every instance made from it must be gone (runtime freed)
** first. NULL is a no-op. */
WM_API void wm_module_free(wm_module *mod);
/* Bytes of lowered code the module holds (see max_code_bytes): it grows as
** functions are first called, unless loaded WM_MODULE_EAGER; 0 for NULL. */
WM_API uint64_t wm_module_code_bytes(const wm_module *mod);

WM_API uint32_t wm_module_import_count(const wm_module *mod);
WM_API uint32_t wm_module_export_count(const wm_module *mod);
/* Fill *out for import/export i (i < count). Returns WM_EINVAL if out of range. */
WM_API int wm_module_import(const wm_module *mod, uint32_t i, wm_extern_desc *out);
WM_API int wm_module_export(const wm_module *mod, uint32_t i, wm_extern_desc *out);
/* Counts of a module's index spaces (imports included) and segments. */
typedef struct wm_module_info {
  const char *name;        /* from the `name` section, or NULL */
  uint32_t ntypes;
  uint32_t nfuncs, nfunc_imports;
  uint32_t ntables, ntable_imports;
  uint32_t nmems, nmem_imports;
  uint32_t nglobals, nglobal_imports;
  uint32_t nelems, ndatas;
  bool has_start;
  uint32_t start;          /* function index, when has_start */
  uint32_t ntags, ntag_imports; /* exception tags (WebAssembly 3.0) */
} wm_module_info;
WM_API void wm_module_get_info(const wm_module *mod, wm_module_info *out);

/*
** Describe entry i of the module's index space of `kind` (imports first):
** fills kind, index and the type fields; module and name are NULL. Returns
** WM_EINVAL if i is out of range.
*/
WM_API int wm_module_entity(const wm_module *mod, wm_externkind kind, uint32_t i,
                            wm_extern_desc *out);

typedef enum wm_segment_mode {
  WM_SEGMENT_ACTIVE = 0,
  WM_SEGMENT_PASSIVE = 1,
  WM_SEGMENT_DECLARATIVE = 2
} wm_segment_mode;

/* A data or element segment. For active segments `target` is the memory or
** table index, and when the offset is a constant (not a global.get)
** offset_known is true and offset holds it. count is the number of bytes
** (data) or elements (elem). */
typedef struct wm_segment_desc {
  wm_segment_mode mode;
  uint32_t target;
  bool offset_known;
  uint64_t offset;
  uint32_t count;
  wm_valtype elem_type;    /* element segments only */
} wm_segment_desc;
/* Returns WM_EINVAL if i is out of range. */
WM_API int wm_module_data(const wm_module *mod, uint32_t i, wm_segment_desc *out);
WM_API int wm_module_elem(const wm_module *mod, uint32_t i, wm_segment_desc *out);

/* Write the lowered code of function index `func` -- the interpreter's
** instructions, one a line, with their slot operands -- to `out`, lowering
** it first if no call has (it then counts in wm_module_code_bytes). For
** reading and debugging (`wasmem inspect --lowered`): the format follows
** the interpreter and is not stable. WM_EINVAL for an imported or unknown
** function or a module loaded from a compiled object; the lowering's error
** (an invalid body, WM_ENOMEM, max_code_bytes) otherwise. */
WM_API int wm_module_print_lowered(wm_module *mod, uint32_t func, FILE *out, wm_error *err);

/* The debug name of function index idx from the `name` section, or NULL. */
WM_API const char *wm_module_func_name(const wm_module *mod, uint32_t idx);

/* ------------------------------------------------------------ instance */

typedef struct wm_instance_options {
  int reserved; /* no options yet; pass NULL */
} wm_instance_options;

/*
** Instantiate mod in rt: resolve imports against the runtime's definitions
** (WM_EUNKNOWN_IMPORT, WM_EINCOMPATIBLE_IMPORT), allocate memories, tables
** and globals, apply element and data segments and run the start function.
** A failure to link or to make the instance (WM_ELIMIT, the limiter's
** refusal included, or WM_ENOMEM) comes before any segment is applied and
** leaves nothing behind: no instance, memory or table remains or is
** counted in wm_runtime_usage.
** A trap in a segment or the start function fails with the trap's code; the
** partly made instance stays owned by the runtime (as the spec requires, its
** effects on imported objects remain). The instance lives until the runtime
** is freed.
*/
WM_API int wm_instance_new(wm_runtime *rt, const wm_module *mod, const wm_instance_options *opts,
                           wm_instance **out, wm_error *err);
WM_API const wm_module *wm_instance_module(const wm_instance *inst);

/* Look up an export by name and kind; NULL if there is none of that kind. */
WM_API wm_func *wm_instance_func(wm_instance *inst, const char *name);
WM_API wm_table *wm_instance_table(wm_instance *inst, const char *name);
WM_API wm_memory *wm_instance_memory(wm_instance *inst, const char *name);
WM_API wm_global *wm_instance_global(wm_instance *inst, const char *name);
/* Look up an export by its exact name bytes (a name may hold any UTF-8,
** NUL included) and kind. Returns the wm_func*, wm_table*, wm_memory* or
** wm_global* that `kind` names, or NULL if there is none. */
WM_API void *wm_instance_export(wm_instance *inst, const char *name, size_t name_len,
                                wm_externkind kind);
/* The instance's memory 0, exported or not; NULL if it has none. */
WM_API wm_memory *wm_instance_default_memory(wm_instance *inst);

/* -------------------------------------------------------------- functions */

/* The function's type; the arrays live as long as the function. */
WM_API wm_functype wm_func_type(const wm_func *f);

/*
** Call f. args must hold nparams values of the right types (WM_ETYPE
** otherwise); results receives nresults values. On a trap returns the
** trap's code and err->message holds its text and a wasm backtrace; the
** runtime stays usable. May be called from inside a host function; when
** too little C stack is left for that, or the nesting of such calls passes
** 256, it traps with WM_TRAP_STACK_EXHAUSTED (see c_stack_bytes in
** wm_runtime_options).
*/
WM_API int wm_func_call(wm_runtime *rt, wm_func *f, const wm_val *args, uint32_t nargs,
                        wm_val *results, uint32_t nresults, wm_error *err);

/* ------------------------------------ fuel, interrupts, deadlines (meter.c)
**
** Stopping a guest. Code loaded with WM_MODULE_METERED starts each basic
** block (a function's entry, a loop's head, an arm of an if, the code after
** a block's end or after a br_if) with a poll point that charges the block's
** cost in fuel and stops the call with a trap when
**   - the runtime's fuel is short:       WM_TRAP_OUT_OF_FUEL "all fuel consumed"
**   - wm_runtime_interrupt was called:   WM_TRAP_INTERRUPTED "interrupted"
**   - the runtime's deadline has passed: WM_TRAP_DEADLINE "deadline exceeded"
** Every loop iteration and every call passes a poll point. The trap is like
** any other: it has a backtrace, host functions on the way out see it as
** their callee's error code, and the runtime stays usable.
**
** Cost: each wasm instruction executed costs 1 unit of fuel, except `nop`,
** `block`, `loop`, `else` and `end`, which cost 0. A basic block is charged
** whole before it runs; when less fuel is left than its cost the call traps
** without running it, and the fuel left becomes 0. So after a call that
** returns, exactly the instructions it executed have been charged; after a
** trap in the middle of a block, the whole block.
**
** Code loaded without WM_MODULE_METERED has no poll points: it runs at full
** speed and nothing can stop it. While fuel or a deadline is set, calling such
** code (from the host, or from metered code in another instance) fails with
** WM_EUNSUPPORTED instead of running unbounded. An interrupt only stops
** metered code.
**
** A guest blocked in a host function (say, a WASI read) is stopped only when
** it returns to wasm code.
**
** Calls the host makes after such a trap run under the same limits: to give
** guest blocks back (wm_block_free, or wm_guest_call's own clean-up after a
** trapped call, which then abandons them) refuel or move the deadline first.
*/

/* wm_runtime_set_fuel's value for "no budget", and what wm_runtime_get_fuel
** returns then. */
#define WM_FUEL_UNLIMITED UINT64_MAX

/*
** Set the fuel left in rt (a store's budget, like Wasmtime's
** Store::set_fuel): every call into rt draws on it, host -> guest calls
** nested in another call included, until it is set again; it is not reset
** per call. Refuel by setting it again. WM_FUEL_UNLIMITED (the default)
** turns fuel off. Returns WM_EINVAL if rt is NULL. May be called from a
** host function; the running guest continues with the new amount.
*/
WM_API int wm_runtime_set_fuel(wm_runtime *rt, uint64_t fuel);
/* The fuel left, or WM_FUEL_UNLIMITED when no fuel is set. */
WM_API uint64_t wm_runtime_get_fuel(const wm_runtime *rt);

/*
** Ask the metered code running in rt to stop: it traps with
** WM_TRAP_INTERRUPTED at its next poll point, nested calls and the calls
** they are nested in alike. Safe from any thread and from a signal handler
** (it only stores an atomic flag); rt must not be freed meanwhile. A request
** made while no metered code runs is kept and stops the next call into
** metered code at its first poll point. Once metered code has seen it, it is
** cleared when the outermost call into rt returns, so the call after runs
** normally.
*/
WM_API void wm_runtime_interrupt(wm_runtime *rt);

/*
** Set a deadline ns nanoseconds from now (CLOCK_MONOTONIC); 0 clears it.
** Metered code still running past it traps with WM_TRAP_DEADLINE. It holds
** for every later call until cleared or set again: after the trap, set a
** new one or clear it before calling again. The clock is read once per
** 16384 units of fuel with the kernel's coarse clock, so the trap comes up
** to a few milliseconds late. Returns WM_EINVAL if rt is NULL.
*/
WM_API int wm_runtime_set_deadline(wm_runtime *rt, uint64_t ns);

/* ---------------------------------------------------------------- memory */

/*
** The memory's base address and current size in bytes. GUARANTEE: the base
** address of a memory never changes during its life, also across
** memory.grow (the address space for its maximum is reserved up front), so a
** host pointer into linear memory stays valid as long as the offset is below
** the current size. The size only grows.
*/
WM_API uint8_t *wm_memory_data(wm_memory *m);
WM_API uint64_t wm_memory_size(const wm_memory *m);
/* Size in 64 KiB pages. */
WM_API uint64_t wm_memory_pages(const wm_memory *m);
/* Grow by delta pages; *old_pages (may be NULL) receives the previous size.
** Fails with WM_ELIMIT past the maximum, past the runtime's memory budget
** (max_memory_bytes) or when the embedder's memory_growing refuses. */
WM_API int wm_memory_grow(wm_memory *m, uint64_t delta, uint64_t *old_pages, wm_error *err);

/* --------------------------------------------------------- tables/globals */

WM_API uint32_t wm_table_size(const wm_table *t);
/* Read/write element i; WM_TRAP_TABLE_OOB if out of range, WM_ETYPE if the
** value's type differs from the table's. */
WM_API int wm_table_get(const wm_table *t, uint32_t i, wm_val *out, wm_error *err);
WM_API int wm_table_set(wm_table *t, uint32_t i, wm_val v, wm_error *err);

WM_API wm_val wm_global_get(const wm_global *g);
/* WM_EINVAL if immutable, WM_ETYPE if v's type differs from the global's. */
WM_API int wm_global_set(wm_global *g, wm_val v, wm_error *err);

/* ------------------------------------------------ data exchange (exchange.c)
** Host/guest data exchange: checked access, strings, guest allocators and
** block ownership. (Section owned by src/exchange.c.)
**
** Guest addresses are offsets into a linear memory. Every function here that
** takes a guest (ptr, len) checks the whole range in the same call that uses
** it -- overflow-safe, so ptr + len may not wrap -- and fails with
** WM_EBOUNDS ("guest range [0x10000, +32) is out of bounds of memory of
** 65536 bytes") without touching anything. There is no separate
** check-then-translate pair to forget. Host pointers obtained here stay
** valid across memory.grow (the base never moves, see wm_memory_data); they
** die with the runtime.
**
** On a shared memory (wm_limits.shared) these calls are plain copies: each
** is bounds-checked as above, but other threads may write the same bytes
** meanwhile, so a read may see a mix of old and new bytes and a write may
** interleave with the guest's -- no access is atomic, ordered or
** untearable beyond each byte copied. Synchronise through the guest (its
** atomics, wait and notify) when that matters.
*/

/* Free memory that an exchange function returned (strings). NULL is a no-op. */
WM_API void wm_free(void *p);

/* One checked step from a guest range to a host pointer: *out = base + ptr
** when [ptr, ptr+len) lies inside m, else WM_EBOUNDS and *out = NULL. A
** zero-length range at the very end (ptr == size) is valid. */
WM_API int wm_memory_slice(wm_memory *m, uint64_t ptr, uint64_t len, uint8_t **out, wm_error *err);
/* Copy len bytes out of / into guest memory at ptr (WM_EBOUNDS if any byte
** is out of range; then nothing is copied). */
WM_API int wm_memory_read(wm_memory *m, uint64_t ptr, void *dst, size_t len, wm_error *err);
WM_API int wm_memory_write(wm_memory *m, uint64_t ptr, const void *src, size_t len, wm_error *err);

/* Element types of little-endian arrays in guest memory. */
typedef enum wm_elemtype {
  WM_ELEM_U8, WM_ELEM_I8, WM_ELEM_U16, WM_ELEM_I16, WM_ELEM_U32, WM_ELEM_I32,
  WM_ELEM_U64, WM_ELEM_I64, WM_ELEM_F32, WM_ELEM_F64
} wm_elemtype;
/* Size in bytes of one element (0 for an unknown type). */
WM_API size_t wm_elemtype_size(wm_elemtype t);
/*
** Copy `count` elements between a host array of the C type (uint16_t for
** WM_ELEM_U16, float for WM_ELEM_F32, ...) in host byte order and guest
** memory at ptr in little-endian order. ptr needs no alignment. WM_EBOUNDS
** if count * size overflows or leaves the memory; WM_EINVAL for an unknown
** type.
*/
WM_API int wm_memory_read_array(wm_memory *m, uint64_t ptr, wm_elemtype t, void *dst, size_t count,
                                wm_error *err);
WM_API int wm_memory_write_array(wm_memory *m, uint64_t ptr, wm_elemtype t, const void *src,
                                 size_t count, wm_error *err);

/* Is s[0..len) valid UTF-8 (no overlongs, surrogates or code points past
** U+10FFFF)? If not, *bad (may be NULL) receives the offset of the first
** byte that is not part of a valid sequence. */
WM_API bool wm_utf8_valid(const void *s, size_t len, size_t *bad);

/*
** Strings in guest memory. Every reader checks the range, then validates:
** WM_EUTF8 with a message naming the offset of the first bad byte, e.g.
** "invalid UTF-8 at byte 3 of the string (guest address 0x10003)".
**   wm_memory_string      zero-copy: *out points into guest memory (not
**                         NUL-terminated); valid until the guest changes it.
**   wm_memory_read_string a copy, NUL-terminated, *out_len (may be NULL)
**                         without the NUL; free it with wm_free.
**   wm_memory_read_cstr   a NUL-terminated guest string of at most max_len
**                         bytes before the NUL; WM_EBOUNDS if no NUL comes
**                         within max_len bytes or before the memory's end.
**   wm_memory_read_utf16  nbytes of UTF-16LE (even; an unpaired surrogate is
**                         WM_EUTF8 naming its byte offset) converted to a
**                         UTF-8 copy as read_string gives.
** On failure *out is NULL.
*/
WM_API int wm_memory_string(wm_memory *m, uint64_t ptr, uint64_t len, const char **out,
                            wm_error *err);
WM_API int wm_memory_read_string(wm_memory *m, uint64_t ptr, uint64_t len, char **out,
                                 size_t *out_len, wm_error *err);
WM_API int wm_memory_read_cstr(wm_memory *m, uint64_t ptr, uint64_t max_len, char **out,
                               size_t *out_len, wm_error *err);
WM_API int wm_memory_read_utf16(wm_memory *m, uint64_t ptr, uint64_t nbytes, char **out,
                                size_t *out_len, wm_error *err);

/*
** Guest allocator conventions, found by export name (WM_ALLOC_AUTO tries them
** in this order and takes the first whose every export exists):
**   SEED      alloc(len) -> ptr, dealloc(ptr, len)       (the seed article)
**             dealloc may be missing, as in the article's AssemblyScript
**             guest: blocks are then made and used as usual but can never
**             be given back (see wm_block_free); they count as `abandoned`.
**             WM_ALLOC_AUTO settles for alloc alone only when no other
**             convention's exports are all there.
**   MALLOC    malloc(len) -> ptr, free(ptr)              (wasi-libc, Emscripten)
**   WBINDGEN  __wbindgen_malloc(size, align) -> ptr,
**             __wbindgen_free(ptr, size, align)          (wasm-bindgen; the
**             older one-argument malloc / two-argument free also work)
**   ASC       __new(size, id) -> ptr, __pin(ptr), __unpin(ptr)
**             (AssemblyScript --exportRuntime). Byte blocks are ArrayBuffers
**             (class id 0), pinned until freed; freeing unpins them and the
**             guest's GC reclaims them (wm_guest_free runs __collect).
**   CABI      cabi_realloc(0, 0, align, size) -> ptr (Component Model).
**             It has no free: freeing a CABI block gives nothing back to the
**             guest; a block received from a call FUNC is freed by calling
**             cabi_post_FUNC with the call's results when that is exported.
**             Such blocks count as `abandoned` in wm_guest_stats.
** All take and return i32 (wasm32); an export of another type is rejected.
** A guest allocator that returns 0 for a non-empty request fails with
** WM_ENOMEM ("guest allocator returned null").
*/
typedef enum wm_alloc_kind {
  WM_ALLOC_AUTO = 0, /* detect (options only) */
  WM_ALLOC_SEED,
  WM_ALLOC_MALLOC,
  WM_ALLOC_WBINDGEN,
  WM_ALLOC_ASC,
  WM_ALLOC_CABI,
  WM_ALLOC_NONE      /* detection found none */
} wm_alloc_kind;
/* "auto", "seed", "malloc", "wbindgen", "asc", "cabi", "none". */
WM_API const char *wm_alloc_kind_name(wm_alloc_kind k);
/* The kind named so (as above, "c" also means malloc); false if none is. */
WM_API bool wm_alloc_kind_parse(const char *name, wm_alloc_kind *out);

/*
** A guest context: one instance, its memory and its allocator, plus the
** table of blocks the host has made or received. Not thread-safe, like the
** runtime.
*/
typedef struct wm_guest wm_guest;

typedef struct wm_guest_options {
  wm_alloc_kind alloc;  /* WM_ALLOC_AUTO (default): detect from the exports */
  const char *memory;   /* memory export name; NULL: "memory", else memory 0 */
  /* By default wm_guest_new calls an exported `_initialize` (wasi-libc
  ** reactors, C++ constructors) before anything else. Make only one guest
  ** context per instance, or set this in the others: it must run once. */
  bool skip_initialize;
} wm_guest_options;

/*
** Make a guest context for inst (made in rt; both must outlive it). opts may
** be NULL. With WM_ALLOC_AUTO and no known allocator this succeeds with kind
** WM_ALLOC_NONE, and every allocation then fails with WM_ENOALLOC naming
** the exports looked for; with an explicit kind whose exports are missing or
** of the wrong type (for WM_ALLOC_SEED: alloc; dealloc may be missing but
** not of the wrong type) it fails with WM_ENOALLOC. WM_EINVAL if the instance has
** no memory; a trap in _initialize is returned as such.
*/
WM_API int wm_guest_new(wm_runtime *rt, wm_instance *inst, const wm_guest_options *opts,
                        wm_guest **out, wm_error *err);

/* Counts of the blocks a guest context has seen. */
typedef struct wm_guest_stats {
  uint32_t live_blocks;   /* host-owned now: the host must free these */
  uint64_t live_bytes;
  uint32_t allocated, received, transferred, freed; /* totals */
  uint32_t abandoned;     /* freed with no way to give them back (CABI, a
                          ** SEED guest with no dealloc), or whose guest
                          ** free trapped */
  uint64_t abandoned_bytes;
} wm_guest_stats;
WM_API void wm_guest_get_stats(const wm_guest *g, wm_guest_stats *out);

/*
** Free the context. Blocks still host-owned are leaks of the host: they are
** freed with the guest's free now, and reported in *leaks (may be NULL):
** live_blocks/live_bytes count them, abandoned those that could not be
** given back. The other fields are the final totals. NULL g frees nothing
** and zeroes *leaks.
*/
WM_API void wm_guest_free(wm_guest *g, wm_guest_stats *leaks);

WM_API wm_alloc_kind wm_guest_alloc_kind(const wm_guest *g);
/* Can a block be given back to the guest? False for WM_ALLOC_NONE, CABI
** (only a result whose function has a cabi_post_ export is) and a SEED
** guest with no dealloc; then every block ends up `abandoned`. */
WM_API bool wm_guest_can_free(const wm_guest *g);
WM_API wm_memory *wm_guest_memory(wm_guest *g);
WM_API wm_instance *wm_guest_instance(wm_guest *g);

/*
** A handle for a block of guest memory. ptr and len are copies for reading;
** what counts is the state wasmem keeps under `id`, so editing them changes
** nothing. A handle goes stale when its block is freed or transferred; every
** use of a stale handle is a WM_EOWNERSHIP error that says why ("block
** 0x10010 (5 bytes) was already freed", "... was transferred to the guest")
** and never reaches the guest's allocator. Handles are plain values: copy
** them freely; the zero handle is never valid.
*/
typedef struct wm_block {
  uint64_t id;
  uint32_t ptr;
  uint32_t len;
} wm_block;

typedef enum wm_owner {
  WM_OWNER_INVALID = 0, /* not a handle of this guest, or too old to tell */
  WM_OWNER_HOST,        /* the host must free it */
  WM_OWNER_GUEST,       /* transferred: the guest frees it */
  WM_OWNER_FREED
} wm_owner;

/* Allocate len bytes with the guest's allocator: a host-owned block. The
** allocator may grow memory; earlier host pointers stay valid. */
WM_API int wm_guest_alloc(wm_guest *g, uint32_t len, wm_block *out, wm_error *err);
/* Allocate and copy len bytes in (WM_ELIMIT if len exceeds 4 GiB). */
WM_API int wm_guest_alloc_copy(wm_guest *g, const void *src, size_t len, wm_block *out,
                               wm_error *err);
/*
** AssemblyScript only (WM_ALLOC_ASC, else WM_ENOALLOC): make a pinned String
** object (class id 2) holding utf8[0..len) converted to UTF-16LE (WM_EUTF8
** if utf8 is not valid). out->ptr is the object pointer an AS function
** taking `string` expects; out->len its byte length.
*/
WM_API int wm_guest_alloc_as_string(wm_guest *g, const char *utf8, size_t len, wm_block *out,
                                    wm_error *err);
/* Read an AssemblyScript String object at ptr (class id checked, length
** from its header) into a UTF-8 copy to free with wm_free. */
WM_API int wm_guest_read_as_string(wm_guest *g, uint64_t ptr, char **out, size_t *out_len,
                                   wm_error *err);
/*
** Take ownership of a block the guest handed over (a result): checks the
** range (WM_EBOUNDS) and refuses a null ptr (WM_EINVAL); the block is then
** host-owned and must be freed with wm_block_free.
*/
WM_API int wm_guest_adopt(wm_guest *g, uint64_t ptr, uint64_t len, wm_block *out, wm_error *err);

/* Who owns the block now. */
WM_API wm_owner wm_block_owner(const wm_guest *g, wm_block b);
/* A host pointer to a host-owned block's bytes (WM_EOWNERSHIP if the handle
** is stale). Valid until the block is freed or transferred. */
WM_API int wm_block_data(wm_guest *g, wm_block b, uint8_t **out, wm_error *err);
/* Give a host-owned block to the guest (a call took ownership of it). The
** host must not free it afterwards. */
WM_API int wm_block_transfer(wm_guest *g, wm_block b, wm_error *err);
/*
** Free a host-owned block with the guest's free function. Freeing twice or
** freeing a transferred block is WM_EOWNERSHIP and the guest is not called.
** If the guest's free traps, that trap is returned and the block counts as
** abandoned (it is not host-owned any more). WM_ENOALLOC when the guest has no
** free function at all (WM_ALLOC_NONE): the block stays host-owned.
** A SEED guest that exports alloc but no dealloc is not called either: the
** block ends (freeing it again is WM_EOWNERSHIP), counts as abandoned, and
** the result is WM_ENOALLOC, "the guest exports alloc but no dealloc: block
** 0x600 (5 bytes) cannot be given back".
*/
WM_API int wm_block_free(wm_guest *g, wm_block b, wm_error *err);

/*
** Calling a guest function with blocks. Each wm_arg is one value, or a byte
** range passed as two i32 parameters (ptr, len), or an AS string passed as
** one i32 object pointer.
*/
typedef enum wm_arg_kind {
  WM_ARG_VALUE = 0,   /* `value`, one parameter */
  WM_ARG_BYTES,       /* data[0..len) copied into a fresh block: (ptr, len) */
  WM_ARG_BLOCK,       /* an existing host-owned `block`: (ptr, len) */
  WM_ARG_AS_STRING    /* UTF-8 data[0..len) as an AS String object: (ptr) */
} wm_arg_kind;

typedef struct wm_arg {
  wm_arg_kind kind;
  wm_val value;
  const void *data;
  size_t len;
  wm_block block;
} wm_arg;

static inline wm_arg wm_arg_value(wm_val v) { wm_arg a = {WM_ARG_VALUE, v, NULL, 0, {0, 0, 0}}; return a; }
static inline wm_arg wm_arg_bytes(const void *p, size_t n) { wm_arg a = {WM_ARG_BYTES, {WM_I32, {0}}, p, n, {0, 0, 0}}; return a; }
/* A NUL-terminated string's bytes (without the NUL) as WM_ARG_BYTES. */
WM_API wm_arg wm_arg_string(const char *s);
static inline wm_arg wm_arg_block(wm_block b) { wm_arg a = {WM_ARG_BLOCK, {WM_I32, {0}}, NULL, 0, b}; return a; }

/*
** How a function returns a block, declared once per call. The block is
** always received (host-owned) and is put in *out_block.
**   NONE        the function returns no block; all results are values.
**   SAME_LEN    an i32 ptr; the length is that of the first byte argument
**               (the seed's upper).
**   OUT_PTR     wasmem allocates 8 bytes and passes their address as an
**               extra LAST i32 parameter; the guest stores {ptr: u32 LE,
**               len: u32 LE} there (wasmem_guest.h's wm_guest_ret_out).
**   PAIR        two i32 results (ptr, len) (multi-value).
**   I64         one i64 result: ptr in the low 32 bits, len in the high 32.
**   CSTR        an i32 ptr to NUL-terminated bytes (at most max_len before
**               the NUL); the block's len counts the bytes before the NUL,
**               and it is freed with len + 1 as the size.
**   LEN_PREFIX  an i32 ptr to a u32 LE length followed by the bytes; the
**               block covers the prefix too (read from ptr + 4).
**   AS_STRING   an i32 ptr to an AssemblyScript String (asc allocator only,
**               else WM_ENOALLOC); the block is its UTF-16LE payload, pinned
**               by wasmem (__pin) so the collector keeps it until the block
**               is freed (__unpin). Read it with wm_guest_read_as_string.
** The results the convention consumes are the first ones; the remaining
** wasm results are returned in `results`.
*/
typedef enum wm_result_conv {
  WM_RESULT_NONE = 0,
  WM_RESULT_SAME_LEN,
  WM_RESULT_OUT_PTR,
  WM_RESULT_PAIR,
  WM_RESULT_I64,
  WM_RESULT_CSTR,
  WM_RESULT_LEN_PREFIX,
  WM_RESULT_AS_STRING
} wm_result_conv;
/* "none", "same-len", "out-ptr", "pair", "i64", "cstr", "len-prefix",
** "as-string". */
WM_API const char *wm_result_conv_name(wm_result_conv c);
WM_API bool wm_result_conv_parse(const char *name, wm_result_conv *out);

typedef struct wm_guest_call_options {
  wm_result_conv result;
  /* The callee takes ownership of its block arguments (the seed's Rust
  ** array_sum and upper free their input): they are marked transferred
  ** before the call and never freed by the host. Default: blocks made for
  ** WM_ARG_BYTES/WM_ARG_AS_STRING are freed after the call; WM_ARG_BLOCK
  ** arguments stay the caller's. */
  bool transfer;
  uint64_t max_len;  /* CSTR: longest string accepted (default 16 MiB) */
} wm_guest_call_options;

/*
** Call export `func` of the guest with args; opts may be NULL (no block
** result, no transfer). The wasm parameters are the args expanded (two per
** byte range) plus the out-pointer for OUT_PTR: WM_ETYPE if they do not
** match the function's type, or if its results do not fit the convention.
** results receives the nresults values the convention leaves (nresults
** must equal that count). On success with a result convention *out_block
** is the received, host-owned block.
** On any failure -- a trap included -- every block wasmem made for the call
** is freed (transferred ones excepted: the guest may have freed them
** already), *out_block is the zero handle and nothing leaks on the host.
** If freeing an argument block after a successful call fails, the call
** still succeeds and the block shows in wm_guest_stats as abandoned (as
** always with a guest that has no dealloc).
*/
WM_API int wm_guest_call(wm_guest *g, const char *func, const wm_guest_call_options *opts,
                         const wm_arg *args, uint32_t nargs, wm_val *results, uint32_t nresults,
                         wm_block *out_block, wm_error *err);

/*
** Host functions with checked pointer parameters. Each wm_param is one wasm
** parameter of a value type, or a byte range or string taking two i32 wasm
** parameters (ptr, len). Before fn runs, wasmem checks every range against
** the calling instance's memory 0 and, for strings, validates UTF-8; a bad
** range traps with WM_TRAP_MEMORY_OOB and a message naming the argument
** ("argument 1 of host function 'log': guest range [0xfffffff0, +32) is
** out of bounds of memory of 65536 bytes"), bad UTF-8 with WM_TRAP_HOST.
** fn then gets one wm_hostarg per wm_param: `value` for values; for ranges
** `data` (host pointer, valid during the call), `len` and the guest `ptr`.
** Results and return codes are those of wm_host_fn.
*/
typedef enum wm_param_kind {
  WM_PARAM_VALUE = 0, /* one wasm parameter of type `type` */
  WM_PARAM_BYTES,     /* (ptr: i32, len: i32) */
  WM_PARAM_STRING     /* (ptr: i32, len: i32), valid UTF-8 */
} wm_param_kind;

typedef struct wm_param {
  wm_param_kind kind;
  wm_valtype type;    /* WM_PARAM_VALUE only */
} wm_param;

typedef struct wm_hostarg {
  wm_val value;
  const uint8_t *data;
  size_t len;
  uint32_t ptr;
} wm_hostarg;

typedef int (*wm_checked_fn)(wm_call_ctx *ctx, const wm_hostarg *args, wm_val *results,
                             void *data);

/* Make such a function (name is for messages; copied). Lives until the
** runtime is freed; define it with wm_runtime_define_func. */
WM_API int wm_func_new_checked(wm_runtime *rt, const char *name, const wm_param *params,
                               uint32_t nparams, const wm_valtype *results, uint32_t nresults,
                               wm_checked_fn fn, void *data, wm_func **out, wm_error *err);


/* ------------------------------------------------------------ WASI (wasi.c)
** WASI preview1 (wasi_snapshot_preview1) host module. (Section owned by
** src/wasi.c.) */

/*
** A WASI context: the configuration one guest sees (arguments, environment,
** pre-opened directories, where its stdin/stdout/stderr go) and its state
** (open file descriptors, exit code). Make one per instance you run.
**
** The guest sees only the directories pre-opened here, under the guest names
** given; no path it passes can reach outside them, through "..", absolute
** paths or symbolic links (also ones it made itself). Every pointer a guest
** passes is bounds-checked against its memory; a bad one makes the call
** return errno EFAULT (21) and touches nothing.
**
** Paths are resolved with openat2(RESOLVE_BENEATH) on Linux 5.6+, else by
** walking them one name at a time; symlinks are followed only while they
** stay inside. path_symlink refuses absolute targets (ENOTCAPABLE, 76).
** Rights are tracked and enforced per fd, and can only be dropped; stdio
** cannot be truncated, re-timed or have its fcntl flags changed, as those
** would reach the host's own terminal or files.
**
** Sockets: preview1 cannot create, bind or connect a socket; the host can
** pre-open listening or connected stream sockets (wm_wasi_preopen_socket,
** wm_wasi_listen_tcp), on which the guest uses sock_accept/recv/send/
** shutdown, fd_read/fd_write and poll_oneoff. A write to a socket whose
** peer is gone returns EPIPE (64); it never raises SIGPIPE in the host
** (stdio bound to a socket included). A write to a pipe whose reader is
** gone raises SIGPIPE as write(2) does, unless the embedder ignores the
** signal (the wasmem CLI does: the guest then gets EPIPE).
**
** What is not supported, and the errno the guest gets: proc_raise ENOSYS
** (52); sock_* on an fd that is not a socket ENOTSOCK (57);
** fd_fdstat_set_flags for DSYNC/RSYNC/SYNC ENOTSUP (58); path_link with
** LOOKUP_SYMLINK_FOLLOW EINVAL (28); poll_oneoff with more than 65536
** subscriptions ENOTSUP (58). The full table is at the top of src/wasi.c.
**
** Limits, so a guest cannot make the host use unbounded memory: at most
** 65536 open guest fds (then ENFILE/EMFILE), captured output up to the cap
** given to wm_wasi_set_stdio_buffer (then ENOSPC, 51).
*/
typedef struct wm_wasi wm_wasi;

/* Make a WASI context with no arguments, an empty environment, no
** pre-opened directory and stdio bound to the host's fds 0, 1 and 2. */
WM_API int wm_wasi_new(wm_wasi **out, wm_error *err);
/* Free a context and close the host files it opened. The runtimes it was
** defined in must not call it any more (free them first). NULL is a no-op. */
WM_API void wm_wasi_free(wm_wasi *w);

/* Set the guest's argv (argv[0] is the program name). Strings are copied. */
WM_API int wm_wasi_set_args(wm_wasi *w, int argc, const char *const *argv, wm_error *err);
/* Add one environment variable "KEY=VALUE" (copied; KEY must be non-empty
** and hold no '='). A later value of the same KEY replaces the earlier. */
WM_API int wm_wasi_add_env(wm_wasi *w, const char *key_eq_value, wm_error *err);
/* Flags for wm_wasi_preopen_dir. */
enum {
  /* The guest may read and list the tree but not change it: no creating,
  ** writing, truncating, renaming, linking, removing or re-timing, in the
  ** directory or anything opened through it (ENOTCAPABLE, 76); no hard
  ** link to its files from a writable pre-open either. Files are opened
  ** read-only on the host too. This guards paths through this pre-open: a
  ** writable pre-open of a directory above or inside it reaches the same
  ** files writable. */
  WM_WASI_READONLY = 1u << 0
};

/*
** Pre-open host directory host_path under the guest name guest_path (e.g.
** "." or "/data"; NULL means the same as host_path), with the WM_WASI_*
** flags (0: full access). The directory is opened now; WM_EIO if it cannot
** be. Guest fds 3, 4, ... are given to pre-opens in the order they are
** added. Pre-open directories before sockets: wasi-libc and Rust's std stop
** looking for directories at the first fd that is not one.
*/
WM_API int wm_wasi_preopen_dir(wm_wasi *w, const char *host_path, const char *guest_path,
                               unsigned flags, wm_error *err);
/*
** Give the guest the host socket host_fd as its next fd: a listening stream
** socket (the guest calls sock_accept on it) or a connected one (sock_recv,
** sock_send, fd_read, fd_write). w owns host_fd from then on, also when
** this fails (it is closed); WM_EINVAL if host_fd is not a socket. The
** guest fd's number is stored in *guest_fd unless that is NULL.
*/
WM_API int wm_wasi_preopen_socket(wm_wasi *w, int host_fd, uint32_t *guest_fd, wm_error *err);
/*
** Listen on the TCP address addr, "HOST:PORT" ("127.0.0.1:8080",
** "[::1]:0", "localhost:9000"; port 0 picks a free port) and pre-open the
** listener as with wm_wasi_preopen_socket. The port bound is stored in
** *port unless that is NULL. WM_EINVAL for a malformed address, WM_EIO
** (with the reason) if it cannot be bound.
*/
WM_API int wm_wasi_listen_tcp(wm_wasi *w, const char *addr, uint32_t *guest_fd, uint16_t *port,
                              wm_error *err);
/*
** Bind guest fd 0, 1 or 2 to the host file descriptor host_fd. The fd is not
** duplicated and never closed by wasmem; it must stay open while the guest
** runs.
*/
WM_API int wm_wasi_set_stdio_fd(wm_wasi *w, int guest_fd, int host_fd, wm_error *err);
/*
** Capture guest fd 1 or 2 into a memory buffer instead (read it back with
** wm_wasi_output), or feed guest fd 0 from the `len` bytes at `data`
** (copied; the guest then reads end-of-file). For fd 1/2 data must be NULL
** and len is the most bytes kept (0: WM_WASI_CAPTURE_MAX); a write past it
** stores what fits and the next one fails with ENOSPC (51).
*/
#define WM_WASI_CAPTURE_MAX ((size_t)64 << 20)
WM_API int wm_wasi_set_stdio_buffer(wm_wasi *w, int guest_fd, const void *data, size_t len,
                                    wm_error *err);
/* What the guest wrote to a captured fd 1 or 2 so far; *len receives the
** size. The bytes are owned by w and valid until its next use. NULL (and
** *len 0) if that fd is not captured. */
WM_API const uint8_t *wm_wasi_output(const wm_wasi *w, int guest_fd, size_t *len);

/*
** Define every function of `wasi_snapshot_preview1` in rt so that later
** instantiations resolve them against w, and those of `wasi_unstable` (the
** older snapshot 0: the same calls but for fd_seek's whence numbering, the
** filestat and clock subscription layouts and no sock_accept; leading
** slashes of its paths are taken as relative to the directory, as the
** libc of its day meant them). w must outlive rt's use of them.
** A function reaches the guest's memory through the calling instance's
** memory 0 (WASI modules export it as "memory").
*/
WM_API int wm_wasi_define(wm_wasi *w, wm_runtime *rt, wm_error *err);

/* After a call returned WM_TRAP_EXIT: true and the code the guest passed to
** proc_exit in *code. False if the guest has not exited. */
WM_API bool wm_wasi_exit_code(const wm_wasi *w, int *code);

/* Run a WASI command: call inst's `_start` (w defined in rt, inst made
** from it). Returns 0 when the program ended, by returning from _start
** (*exit_code 0) or by proc_exit (*exit_code its code): an exit is the
** program's result, not an error. Otherwise the error: WM_ENOT_FOUND (no
** _start: a reactor), WM_ETYPE (_start takes or returns something), or a
** trap code with err's message and backtrace. exit_code may be NULL.
** With threads: when _start returns or traps, the process ends and its
** threads are waited for (wm_wasi_threads_end); a thread's proc_exit or
** trap is the result, as if the main thread had made it. */
WM_API int wm_wasi_run(wm_wasi *w, wm_runtime *rt, wm_instance *inst, int *exit_code,
                       wm_error *err);

/*
** Threads (wasi-threads). A module importing `wasi` `thread-spawn` (param
** i32) (result i32) gets it from wm_wasi_define, on by default: each call
** instantiates the caller's module again, in a new runtime (made with the
** caller's runtime options) on a new host thread, its memory imports bound
** to the caller's memories -- the module must import its memory 0, shared
** -- and calls that instance's export wasi_thread_start(tid, start_arg).
** The result is the new thread's id, unique among running threads, from 1
** to 0x1FFFFFFF, or a negative WASI errno: -28 (EINVAL) when the module
** does not import a shared memory 0 or lacks a wasi_thread_start of type
** (i32, i32) -> (), -58 (ENOTSUP) for a module loaded with
** WM_MODULE_CHECKED (the heap checker does not follow threads yet),
** -6 (EAGAIN) when max_threads are running, the process
** is ending, or the thread cannot be made (its instantiation failed, out
** of host memory).
**
** The threads, and the embedder's thread that spawned first (the "main"
** thread, whose runtime is remembered until the group ends), form one
** process sharing w: WASI calls then hold a lock on w (blocking reads and
** poll_oneoff release it while they wait). The process ends at the first
** of: proc_exit in any thread (its code is the exit code), a trap in a
** spawned thread (the trap is the process's outcome, its message saying
** "in wasi thread N"), or the main thread's return or trap. Ending stops
** every other thread: one waiting in memory.atomic.wait or blocked in a
** WASI call returns at once and traps (WM_TRAP_INTERRUPTED), as does one
** at its next WASI call; a thread of code loaded with WM_MODULE_METERED
** stops at its next block. A thread looping in unmetered code that neither
** waits nor calls WASI cannot be stopped: load modules metered to stop such
** threads, or end the process from the `ended` callback (the wasmem CLI
** flushes stdout and exits). A spawned thread frees its runtime when it
** returns. One WASI context holds one process: once ended, thread-spawn
** fails with -6.
*/
typedef struct wm_wasi_threads_options {
  /* Threads running at once; 0: thread-spawn always fails (-6). The
  ** default, without wm_wasi_set_threads, is 128. */
  uint32_t max_threads;
  /* Called in the spawning thread for each new thread's runtime before its
  ** instance is made: define there what the module imports besides WASI
  ** and its memories (a nonzero return fails the spawn with -6). May be
  ** NULL. */
  int (*setup)(void *data, wm_runtime *rt, wm_error *err);
  /* Called once, on the thread that ends the process, when other threads
  ** are still running: exit_code for proc_exit or the main thread's return
  ** (trap 0), else the trap's code and message. It may end the host
  ** process (flushing what it must: the guest's writes are unbuffered);
  ** if it returns, the threads are stopped as above. It must not call
  ** wm_wasi_* on this context. May be NULL. */
  void (*ended)(void *data, int exit_code, int trap, const wm_error *trap_err);
  void *data;
} wm_wasi_threads_options;

/* Configure threads before the first thread-spawn (WM_EINVAL after it). */
WM_API int wm_wasi_set_threads(wm_wasi *w, const wm_wasi_threads_options *opts, wm_error *err);
/* End the process of w's threads, if any were spawned: stop them and wait
** until every one has returned and freed its runtime. Returns 0, or the
** trap of a spawned thread that ended the process (its message in err).
** wm_wasi_run does this when _start returns, and wm_wasi_free too; an
** embedder calling _start itself calls it before freeing the runtime. */
WM_API int wm_wasi_threads_end(wm_wasi *w, wm_error *err);

/* ---------------------------------------------------- guest heap checking */

/*
** A memory checker for the guest's own heap, in the manner of Valgrind's
** memcheck: it tracks the guest allocator's blocks (seen through calls from
** the host and from inside the guest), keeps a shadow byte for every byte
** of linear memory, and reports invalid reads and writes, use after free,
** double and invalid frees, frees of blocks the host owns, allocations
** that overlap live blocks or lie outside the heap (in the module's static
** data), and at the end leaks.
**
** Use: load the module with WM_MODULE_CHECKED, make a checker in the
** runtime, then instantiate: the first instance of a checked module made
** in a runtime with a checker is attached to it before its start function
** runs (wm_checker_attach() of it is then a no-op; an instance made before
** the checker must be attached before anything of it is called). Each error reaches opts.on_report as
** a struct with its text; wm_checker_finish() runs the leak check and
** fills a summary. The checker belongs to the runtime and is freed with it.
**
** Allocators recognised, by export name or `name` section (the lowest
** level present wins; calls nested inside a tracked call are the
** allocator's own business and are not checked): wasi-libc / dlmalloc
** (malloc, calloc, realloc, free, posix_memalign, aligned_alloc, and the
** dl* names), Rust (__rust_alloc, __rust_dealloc, __rust_realloc,
** __rust_alloc_zeroed, and __rdl_* / __rg_*), the exchange API's
** conventions (alloc/dealloc, cabi_realloc, __wbindgen_malloc/free), and
** names given in the options. Freed blocks wait in a quarantine: the
** guest's free is deferred until the quarantine's byte budget is spent, so
** their memory cannot be reused while use after free is being watched for.
** A module whose allocator is not recognised still gets bounds and
** host-ownership checks (wm_checker_allocator() says so).
*/
typedef struct wm_checker wm_checker;

#define WM_CHECK_KINDS(X)                                                     \
  X(INVALID_READ, "invalid-read", "Invalid read")                             \
  X(INVALID_WRITE, "invalid-write", "Invalid write")                          \
  X(FREED_READ, "use-after-free-read", "Use after free: read")                \
  X(FREED_WRITE, "use-after-free-write", "Use after free: write")             \
  X(DOUBLE_FREE, "double-free", "Double free")                                \
  X(INVALID_FREE, "invalid-free", "Invalid free")                             \
  X(HOST_BLOCK_FREE, "host-block-free", "Free of a block the host owns")      \
  X(OVERLAP_ALLOC, "overlapping-alloc", "Allocation overlaps a live block")   \
  X(ALLOC_OUTSIDE_HEAP, "alloc-outside-heap", "Allocation outside the heap")  \
  X(LEAK_DEFINITE, "leak-definite", "definitely lost")                        \
  X(LEAK_INDIRECT, "leak-indirect", "indirectly lost")                        \
  X(LEAK_POSSIBLE, "leak-possible", "possibly lost")                          \
  X(LEAK_REACHABLE, "leak-reachable", "still reachable")                      \
  X(LEAK_HOST, "leak-host", "not freed by the host")

typedef enum wm_check_kind {
#define WM_CHECK_KIND_ENUM_(name, id, title) WM_CHECK_##name,
  WM_CHECK_KINDS(WM_CHECK_KIND_ENUM_)
#undef WM_CHECK_KIND_ENUM_
  WM_CHECK_KIND_COUNT_
} wm_check_kind;
/* "invalid-read", ... (for suppressions and JSON), and "Invalid read", ... */
WM_API const char *wm_check_kind_id(wm_check_kind k);
WM_API const char *wm_check_kind_title(wm_check_kind k);
/* The kind named by id, or WM_CHECK_KIND_COUNT_. */
WM_API wm_check_kind wm_check_kind_parse(const char *id);

/* One line of a wasm backtrace: function index, module byte offset of the
** instruction (UINT32_MAX if unknown), name from the module (NULL if none;
** valid as long as the module). */
typedef struct wm_check_frame {
  uint32_t func_idx;
  uint32_t offset;
  const char *name;
} wm_check_frame;

/* A backtrace, innermost first. `host` names the host entry point
** ("wm_guest_call", "wm_block_free", ...) when the outermost call came from
** the host through the exchange API, or, with host_innermost, the host
** function (or exchange API function) that made the access itself, called
** by the innermost frame. NULL when neither. */
typedef struct wm_check_stack {
  const wm_check_frame *frames;
  uint32_t nframes;
  const char *host;
  bool host_innermost;
} wm_check_stack;

/*
** One report. Everything it points to is valid only during the callback.
** For errors: addr/size are the access (or the pointer freed, size 0);
** `where` is where it happened. When the address relates to a block
** (inside, just after or just before it, or the block freed), has_block is
** set with the block's address, size, its allocation stack and, for freed
** blocks, the stack of the free. For leaks: addr/size are the first
** block's, count the blocks and bytes the total of this allocation stack.
*/
typedef struct wm_check_report {
  wm_check_kind kind;
  uint64_t addr;
  uint64_t size;
  uint64_t count;      /* leaks: blocks with this allocation stack */
  uint64_t bytes;      /* leaks: their total size */
  wm_check_stack where;
  bool has_block;
  bool block_freed;
  uint64_t block_addr, block_size;
  wm_check_stack alloc_stack, free_stack;
  const char *text;    /* the whole report, Valgrind-style, NUL-terminated */
} wm_check_report;

typedef void (*wm_check_fn)(const wm_check_report *r, void *data);

typedef struct wm_check_options {
  /* Bytes of freed blocks held back from the guest's allocator (default
  ** 16 MiB; SIZE_MAX means the default too; 1 keeps only the last). */
  size_t quarantine_bytes;
  /* A user-named allocator, by export or `name`-section name: alloc(size)
  ** -> ptr, free(ptr, ...), realloc(ptr, size) -> ptr (or NULL each).
  ** When given, it replaces recognition. */
  const char *alloc_fn, *free_fn, *realloc_fn;
  /* Receives every error (once per distinct kind and place; repeats are
  ** counted) and, from wm_checker_finish, every leak record. */
  wm_check_fn on_report;
  void *data;
  /* Frames kept per stack (default 12, at most 64). */
  uint32_t backtrace_depth;
} wm_check_options;

/* Make the runtime's checker (one per runtime). opts may be NULL. */
WM_API int wm_checker_new(wm_runtime *rt, const wm_check_options *opts, wm_checker **out,
                          wm_error *err);
/* The runtime's checker, or NULL. */
WM_API wm_checker *wm_runtime_checker(wm_runtime *rt);
/*
** Check inst: its module must have been loaded with WM_MODULE_CHECKED
** (else WM_EINVAL). Finds the allocator, and sets up the shadow of its
** memory 0 (the heap region is the memory past __heap_base, or past the
** stack and data when only __stack_pointer is known). An instance with no
** memory is accepted, with nothing to check. One instance per checker for
** now; a second attach is WM_EUNSUPPORTED.
*/
WM_API int wm_checker_attach(wm_checker *c, wm_instance *inst, wm_error *err);
/* One line saying what the checker tracks, e.g. "allocator: wasi-libc
** malloc/free (malloc, calloc, realloc, free)" or "allocator: not
** recognised; checking bounds and host ownership only". */
WM_API const char *wm_checker_allocator(const wm_checker *c);

typedef enum wm_leak_check {
  WM_LEAK_CHECK_FULL = 0,  /* each leak reported with its allocation stack */
  WM_LEAK_CHECK_SUMMARY,   /* totals only */
  WM_LEAK_CHECK_NO
} wm_leak_check;

typedef struct wm_check_summary {
  uint64_t errors;            /* every error, repeats included */
  uint64_t error_contexts;    /* distinct ones (reports) */
  uint64_t suppressed;        /* errors not reported because of suppressions */
  uint64_t allocs, frees, bytes_allocated;
  uint64_t in_use_blocks, in_use_bytes;   /* at the end, host blocks included */
  /* Leaks by kind, indexed by wm_check_kind - WM_CHECK_LEAK_DEFINITE,
  ** suppressed ones apart. */
  uint64_t leak_blocks[5], leak_bytes[5];
  uint64_t leak_suppressed_blocks, leak_suppressed_bytes;
} wm_check_summary;

/*
** End of the run: the leak check (unless WM_LEAK_CHECK_NO), reporting each
** leak through on_report in FULL mode, then the summary. Reachability is
** Valgrind's: roots are the globals and the memory outside the heap (the
** dead part of the stack excluded); a block pointed to at its start is
** reachable, one pointed to only inside is possibly lost, one not pointed
** to is definitely lost, one reached only from lost blocks indirectly lost.
** Blocks the host still owns through the exchange API are host leaks.
** May be called once; checking stops after it.
*/
WM_API int wm_checker_finish(wm_checker *c, wm_leak_check mode, wm_check_summary *out,
                             wm_error *err);
/* Write the HEAP SUMMARY, LEAK SUMMARY and ERROR SUMMARY blocks of s to
** buf (at most cap bytes, NUL-terminated); returns the length needed. */
WM_API size_t wm_check_summary_format(const wm_checker *c, const wm_check_summary *s,
                                      wm_leak_check mode,
                                      char *buf, size_t cap);
/*
** Draw c's memory as an SVG document on out: the data, stack and heap
** regions, every live block, host-owned blocks, freed blocks still in the
** quarantine and, after wm_checker_finish with a leak check, leaked blocks
** (definitely, indirectly or possibly lost) in their own colour, with a
** legend and a byte scale. Big memories are summarised (small blocks
** merged by pixel), so the document stays under about 2 MB. title may be
** NULL.
*/
WM_API int wm_checker_heap_map(wm_checker *c, const char *title, FILE *out, wm_error *err);
/* Suppress errors whose kind and function names match a line "KIND FUNC"
** of text: FUNC (which may end in '*') matches any frame of the error's
** stack (a leak's: its allocation stack); "KIND N:FUNC" only frame N, 0
** being the innermost; KIND may be '*'; '#' starts a comment. Suppressed
** errors are counted in the summary, not reported. Built in: wasi-libc's
** argv blocks, which its start-up code never frees (leaks allocated with
** __main_void as frame 1). */
WM_API int wm_checker_suppress(wm_checker *c, const char *text, wm_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WASMEM_H */
