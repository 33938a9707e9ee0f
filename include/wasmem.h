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
** backtrace of wasm function names.
**
** Threads: a runtime and everything in it may be used by one thread at a time.
** Modules are immutable after loading and may be shared between threads.
*/
#ifndef WASMEM_H
#define WASMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WM_VERSION "0.1.0"

/*
** The error table: X(NAME, code, message). Codes are negative. Trap codes
** carry the exact message text of the WebAssembly specification.
*/
#define WM_ERRORS(X)                                                          \
  X(OK, 0, "ok")                                                              \
  X(ENOMEM, -1, "out of host memory")                                         \
  X(EINVAL, -2, "invalid argument")                                           \
  X(EIO, -3, "cannot read file")                                              \
  X(EMALFORMED, -10, "malformed module")                                      \
  X(EINVALID, -11, "invalid module")                                          \
  X(EUNSUPPORTED, -12, "not supported yet")                                   \
  X(EUNKNOWN_IMPORT, -20, "unknown import")                                   \
  X(EINCOMPATIBLE_IMPORT, -21, "incompatible import type")                    \
  X(ENOT_FOUND, -22, "no such export")                                        \
  X(ETYPE, -23, "type mismatch")                                              \
  X(ELIMIT, -24, "resource limit exceeded")                                   \
  X(EHOST, -25, "host function failed")                                       \
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
  X(TRAP_EXIT, -112, "guest exited")

typedef enum wm_err {
#define WM_ERR_ENUM_(name, code, msg) WM_##name = code,
  WM_ERRORS(WM_ERR_ENUM_)
#undef WM_ERR_ENUM_
} wm_err;

/* Static strings for a code: its message and its name ("TRAP_DIV_ZERO").
** Unknown codes give "unknown error" / "UNKNOWN". Never NULL. */
const char *wm_strerror(int code);
const char *wm_errname(int code);
/* True when code is one of the WM_TRAP_* codes. */
bool wm_is_trap(int code);

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
  WM_EXTERNREF = 0x6F
} wm_valtype;

/* Kinds of imports and exports, with their binary encoding. */
typedef enum wm_externkind {
  WM_EXTERN_FUNC = 0,
  WM_EXTERN_TABLE = 1,
  WM_EXTERN_MEMORY = 2,
  WM_EXTERN_GLOBAL = 3
} wm_externkind;

typedef struct wm_func wm_func;
typedef struct wm_table wm_table;
typedef struct wm_memory wm_memory;
typedef struct wm_global wm_global;
typedef struct wm_runtime wm_runtime;
typedef struct wm_module wm_module;
typedef struct wm_instance wm_instance;

/*
** A typed value. For WM_FUNCREF, ref is a wm_func* (NULL is ref.null). For
** WM_EXTERNREF, ref is any host pointer the embedder chooses; NULL is
** ref.null extern. f32/f64 are stored as their bit patterns so that NaN
** payloads survive unchanged.
*/
typedef struct wm_val {
  wm_valtype type;
  union {
    int32_t i32;
    int64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    void *ref;
  } of;
} wm_val;

static inline wm_val wm_val_i32(int32_t v) { wm_val x; x.type = WM_I32; x.of.i64 = 0; x.of.i32 = v; return x; }
static inline wm_val wm_val_i64(int64_t v) { wm_val x; x.type = WM_I64; x.of.i64 = v; return x; }
wm_val wm_val_f32(float v);
wm_val wm_val_f64(double v);
float wm_val_as_f32(wm_val v);
double wm_val_as_f64(wm_val v);

/* Limits of a memory (in 64 KiB pages) or a table (in elements). */
typedef struct wm_limits {
  uint64_t min;
  uint64_t max;  /* meaningful only when has_max */
  bool has_max;
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
  wm_functype func;     /* WM_EXTERN_FUNC */
  wm_valtype elem_type; /* WM_EXTERN_TABLE */
  wm_limits limits;     /* WM_EXTERN_TABLE, WM_EXTERN_MEMORY */
  wm_valtype global_type; /* WM_EXTERN_GLOBAL */
  bool global_mutable;
} wm_extern_desc;

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
} wm_runtime_options;

/* Make a runtime. opts may be NULL. On success *out owns a new runtime. */
int wm_runtime_new(const wm_runtime_options *opts, wm_runtime **out, wm_error *err);
/* Free a runtime and every object made in it. NULL is a harmless no-op. */
void wm_runtime_free(wm_runtime *rt);

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
wm_instance *wm_call_ctx_instance(wm_call_ctx *ctx);
wm_memory *wm_call_ctx_memory(wm_call_ctx *ctx);
/* Set the trap message a failing host function reports; returns rc so a
** host function can write `return wm_call_ctx_trap(ctx, -1, "...")`. */
int wm_call_ctx_trap(wm_call_ctx *ctx, int rc, const char *fmt, ...);

/*
** Make a host function of the given type. The type's arrays are copied.
** data is passed to fn on each call; the runtime never frees it.
** The function lives until the runtime is freed.
*/
int wm_func_new_host(wm_runtime *rt, const wm_functype *type, wm_host_fn fn, void *data,
                     wm_func **out, wm_error *err);
/* Make a table, memory or global owned by the runtime. */
int wm_table_new(wm_runtime *rt, wm_valtype elem_type, wm_limits limits, void *init,
                 wm_table **out, wm_error *err);
int wm_memory_new(wm_runtime *rt, wm_limits limits, wm_memory **out, wm_error *err);
int wm_global_new(wm_runtime *rt, wm_val init, bool mutable_, wm_global **out, wm_error *err);

/*
** Make `name` in namespace `module` resolve to an object for later
** instantiations. The names are copied. A later definition of the same pair
** replaces an earlier one.
*/
int wm_runtime_define_func(wm_runtime *rt, const char *module, const char *name, wm_func *f, wm_error *err);
int wm_runtime_define_table(wm_runtime *rt, const char *module, const char *name, wm_table *t, wm_error *err);
int wm_runtime_define_memory(wm_runtime *rt, const char *module, const char *name, wm_memory *m, wm_error *err);
int wm_runtime_define_global(wm_runtime *rt, const char *module, const char *name, wm_global *g, wm_error *err);
/* Define every export of an instance under namespace `module`. */
int wm_runtime_register(wm_runtime *rt, const char *module, wm_instance *inst, wm_error *err);

/* ----------------------------------------------------------------- module */

typedef struct wm_module_options {
  int reserved; /* no options yet; pass NULL */
} wm_module_options;

/*
** Decode, validate and compile a module from bytes. The bytes are copied;
** the caller may free them on return. On failure the error names what is
** wrong and, for malformed or invalid modules, the byte offset. SIMD
** (the 0xFD prefix) is rejected with WM_EUNSUPPORTED for now.
*/
int wm_module_load(const uint8_t *bytes, size_t len, const wm_module_options *opts,
                   wm_module **out, wm_error *err);
/* Same, reading a file. */
int wm_module_load_file(const char *path, const wm_module_options *opts, wm_module **out,
                        wm_error *err);
/* Free a module. Every instance made from it must be gone (runtime freed)
** first. NULL is a no-op. */
void wm_module_free(wm_module *mod);

uint32_t wm_module_import_count(const wm_module *mod);
uint32_t wm_module_export_count(const wm_module *mod);
/* Fill *out for import/export i (i < count). Returns WM_EINVAL if out of range. */
int wm_module_import(const wm_module *mod, uint32_t i, wm_extern_desc *out);
int wm_module_export(const wm_module *mod, uint32_t i, wm_extern_desc *out);
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
} wm_module_info;
void wm_module_get_info(const wm_module *mod, wm_module_info *out);

/*
** Describe entry i of the module's index space of `kind` (imports first):
** fills kind, index and the type fields; module and name are NULL. Returns
** WM_EINVAL if i is out of range.
*/
int wm_module_entity(const wm_module *mod, wm_externkind kind, uint32_t i, wm_extern_desc *out);

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
int wm_module_data(const wm_module *mod, uint32_t i, wm_segment_desc *out);
int wm_module_elem(const wm_module *mod, uint32_t i, wm_segment_desc *out);

/* The debug name of function index idx from the `name` section, or NULL. */
const char *wm_module_func_name(const wm_module *mod, uint32_t idx);

/* ------------------------------------------------------------ instance */

typedef struct wm_instance_options {
  int reserved; /* no options yet; pass NULL */
} wm_instance_options;

/*
** Instantiate mod in rt: resolve imports against the runtime's definitions
** (WM_EUNKNOWN_IMPORT, WM_EINCOMPATIBLE_IMPORT), allocate memories, tables
** and globals, apply element and data segments and run the start function.
** A trap in a segment or the start function fails with the trap's code; the
** partly made instance stays owned by the runtime (as the spec requires, its
** effects on imported objects remain). The instance lives until the runtime
** is freed.
*/
int wm_instance_new(wm_runtime *rt, const wm_module *mod, const wm_instance_options *opts,
                    wm_instance **out, wm_error *err);
const wm_module *wm_instance_module(const wm_instance *inst);

/* Look up an export by name and kind; NULL if there is none of that kind. */
wm_func *wm_instance_func(wm_instance *inst, const char *name);
wm_table *wm_instance_table(wm_instance *inst, const char *name);
wm_memory *wm_instance_memory(wm_instance *inst, const char *name);
wm_global *wm_instance_global(wm_instance *inst, const char *name);
/* Look up an export by its exact name bytes (a name may hold any UTF-8,
** NUL included) and kind. Returns the wm_func*, wm_table*, wm_memory* or
** wm_global* that `kind` names, or NULL if there is none. */
void *wm_instance_export(wm_instance *inst, const char *name, size_t name_len, wm_externkind kind);
/* The instance's memory 0, exported or not; NULL if it has none. */
wm_memory *wm_instance_default_memory(wm_instance *inst);

/* -------------------------------------------------------------- functions */

/* The function's type; the arrays live as long as the function. */
wm_functype wm_func_type(const wm_func *f);

/*
** Call f. args must hold nparams values of the right types (WM_ETYPE
** otherwise); results receives nresults values. On a trap returns the
** trap's code and err->message holds its text and a wasm backtrace; the
** runtime stays usable. May be called from inside a host function.
*/
int wm_func_call(wm_runtime *rt, wm_func *f, const wm_val *args, uint32_t nargs,
                 wm_val *results, uint32_t nresults, wm_error *err);

/* ---------------------------------------------------------------- memory */

/*
** The memory's base address and current size in bytes. GUARANTEE: the base
** address of a memory never changes during its life, also across
** memory.grow (the address space for its maximum is reserved up front), so a
** host pointer into linear memory stays valid as long as the offset is below
** the current size. The size only grows.
*/
uint8_t *wm_memory_data(wm_memory *m);
uint64_t wm_memory_size(const wm_memory *m);
/* Size in 64 KiB pages. */
uint64_t wm_memory_pages(const wm_memory *m);
/* Grow by delta pages; *old_pages (may be NULL) receives the previous size.
** Fails with WM_ELIMIT past the maximum. */
int wm_memory_grow(wm_memory *m, uint64_t delta, uint64_t *old_pages, wm_error *err);

/* --------------------------------------------------------- tables/globals */

uint32_t wm_table_size(const wm_table *t);
/* Read/write element i; WM_TRAP_TABLE_OOB if out of range, WM_ETYPE if the
** value's type differs from the table's. */
int wm_table_get(const wm_table *t, uint32_t i, wm_val *out, wm_error *err);
int wm_table_set(wm_table *t, uint32_t i, wm_val v, wm_error *err);

wm_val wm_global_get(const wm_global *g);
/* WM_EINVAL if immutable, WM_ETYPE if v's type differs from the global's. */
int wm_global_set(wm_global *g, wm_val v, wm_error *err);

/* ------------------------------------------------ data exchange (exchange.c)
** Host/guest data exchange: checked access, strings, guest allocators and
** block ownership. (Section owned by src/exchange.c.) */

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
** What is not supported, and the errno the guest gets: proc_raise ENOSYS
** (52); sock_accept/recv/send/shutdown ENOTSOCK (57), as no pre-opened
** socket exists yet; fd_fdstat_set_flags for DSYNC/RSYNC/SYNC ENOTSUP (58);
** path_link with LOOKUP_SYMLINK_FOLLOW EINVAL (28). The full table is at
** the top of src/wasi.c.
*/
typedef struct wm_wasi wm_wasi;

/* Make a WASI context with no arguments, an empty environment, no
** pre-opened directory and stdio bound to the host's fds 0, 1 and 2. */
int wm_wasi_new(wm_wasi **out, wm_error *err);
/* Free a context and close the host files it opened. The runtimes it was
** defined in must not call it any more (free them first). NULL is a no-op. */
void wm_wasi_free(wm_wasi *w);

/* Set the guest's argv (argv[0] is the program name). Strings are copied. */
int wm_wasi_set_args(wm_wasi *w, int argc, const char *const *argv, wm_error *err);
/* Add one environment variable "KEY=VALUE" (copied; KEY must be non-empty
** and hold no '='). A later value of the same KEY replaces the earlier. */
int wm_wasi_add_env(wm_wasi *w, const char *key_eq_value, wm_error *err);
/*
** Pre-open host directory host_path under the guest name guest_path (e.g.
** "." or "/data"; NULL means the same as host_path). The directory is
** opened now; WM_EIO if it cannot be. Guest fds 3, 4, ... are given to
** pre-opens in the order they are added.
*/
int wm_wasi_preopen_dir(wm_wasi *w, const char *host_path, const char *guest_path, wm_error *err);
/*
** Bind guest fd 0, 1 or 2 to the host file descriptor host_fd. The fd is not
** duplicated and never closed by wasmem; it must stay open while the guest
** runs.
*/
int wm_wasi_set_stdio_fd(wm_wasi *w, int guest_fd, int host_fd, wm_error *err);
/*
** Capture guest fd 1 or 2 into a memory buffer instead (read it back with
** wm_wasi_output), or feed guest fd 0 from the `len` bytes at `data`
** (copied; the guest then reads end-of-file). For fd 1/2 data must be NULL.
*/
int wm_wasi_set_stdio_buffer(wm_wasi *w, int guest_fd, const void *data, size_t len,
                             wm_error *err);
/* What the guest wrote to a captured fd 1 or 2 so far; *len receives the
** size. The bytes are owned by w and valid until its next use. NULL (and
** *len 0) if that fd is not captured. */
const uint8_t *wm_wasi_output(const wm_wasi *w, int guest_fd, size_t *len);

/*
** Define every function of `wasi_snapshot_preview1` in rt so that later
** instantiations resolve them against w. w must outlive rt's use of them.
** A function reaches the guest's memory through the calling instance's
** memory 0 (WASI modules export it as "memory").
*/
int wm_wasi_define(wm_wasi *w, wm_runtime *rt, wm_error *err);

/* After a call returned WM_TRAP_EXIT: true and the code the guest passed to
** proc_exit in *code. False if the guest has not exited. */
bool wm_wasi_exit_code(const wm_wasi *w, int *code);

#ifdef __cplusplus
}
#endif
#endif /* WASMEM_H */
