/* SPDX-License-Identifier: MIT */
/*
** capi_objects.c -- the standard C API's runtime objects (include/wasm.h)
** on wasmem's core: stores (a wm_runtime each), references and host info,
** values, traps and frames, modules, funcs (host functions through one
** trampoline), globals, tables, memories, externs and instances.
**
** Built on the public API (wasmem.h) except where it has nothing to offer,
** which takes the internal headers:
**   - a global's mutability, a table's and a memory's declared maximum and a
**     table's element type (runtime.h), for wasm_*_type;
**   - growing a table (wm__table_grow, runtime.h): wasmem.h has no
**     wm_table_grow;
**   - instantiating with the imports given in order (wm__instance_new_linked,
**     runtime.h): wm_instance_new links them by name;
**   - the module's binary (module.h), returned by wasm_module_serialize, and
**     the start of a function's body (module.h), for wasm_frame_func_offset.
** Frames come from the backtrace text of wasmem's trap messages
** ("\n  at NAME (func N, byte 0xOFF)"), which wasmem.h documents.
*/
#include <stdio.h>
#include <stdlib.h>

#include "capi.h"
#include "gc.h"
#include "runtime.h"
#include "util.h"

#define R(x) ((wasm_ref_t *)(x))
#define CR(x) ((const wasm_ref_t *)(x))

struct wasm_store_t {
  wm_runtime *rt;
  wasm_ref_t *objs;         /* every live object, newest first */
  /* Extern objects by their wasmem object (wm_func*, ...), so that one
  ** runtime object always has one wasm_ref_t: open addressing, no deletes. */
  wasm_ref_t **map;
  uint32_t map_cap, map_n;
  /* The modules instantiated here, kept until the runtime is freed. */
  capi_module_core **cores;
  uint32_t ncores, cap_cores;
  /* wasm_store_delete has begun: releasing a handle only counts, so that
  ** nothing is freed under a finalizer, whatever handles it releases. */
  bool dying;
};

/* ------------------------------------------------------------ objects */

static wasm_ref_t *obj_new(wasm_store_t *s, capi_kind kind) {
  wasm_ref_t *r = wm__calloc(1, sizeof *r);
  if (!r) return NULL;
  r->kind = kind;
  r->handles = 1;
  r->store = s;
  r->next = s->objs;
  if (s->objs) s->objs->prev = r;
  s->objs = r;
  return r;
}

static void core_release(capi_module_core *c) {
  if (c && atomic_fetch_sub(&c->refs, 1) == 1) {
    wm_module_free(c->mod);
    wm__free(c);
  }
}

/* Run an object's finalizers, its host info's and then its func
** environment's; each runs once, as it is cleared before. */
static void obj_finalize(wasm_ref_t *r) {
  void (*fin)(void *) = r->finalizer;
  r->finalizer = NULL;
  if (fin) fin(r->host_info);
  if (r->hostfn && r->hostfn->finalizer) {
    fin = r->hostfn->finalizer;
    r->hostfn->finalizer = NULL;
    fin(r->hostfn->env);
  }
}

/* Unlink and free an object, running its finalizers if they have not run. */
static void obj_destroy(wasm_ref_t *r) {
  wasm_store_t *s = r->store;
  if (r->prev) r->prev->next = r->next;
  else s->objs = r->next;
  if (r->next) r->next->prev = r->prev;
  /* A finalizer that deletes a handle on this very object must not free
  ** it a second time. */
  r->handles = 0;
  r->pinned = true;
  obj_finalize(r);
  switch (r->kind) {
    case CAPI_MODULE: core_release(r->u.module); break;
    case CAPI_TRAP:
      wm__free(r->u.trap.message);
      wm__free(r->u.trap.frames);
      break;
    default: break;
  }
  wm__free(r->hostfn);
  wm__free(r);
}

static void obj_release(wasm_ref_t *r) {
  if (!r) return;
  if (r->handles) r->handles--;
  if (!r->handles && !r->pinned && !r->store->dying) obj_destroy(r);
}

static uint32_t ptr_hash(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return (uint32_t)x;
}

/* The map's slot for obj: where it is, or the empty one where it goes.
** The map must have room (map_cap > map_n). */
static wasm_ref_t **map_slot(wasm_store_t *s, const void *obj) {
  uint32_t mask = s->map_cap - 1, i = ptr_hash(obj) & mask;
  while (s->map[i] && s->map[i]->u.obj != obj) i = (i + 1) & mask;
  return &s->map[i];
}

/* Room in the map for one more object; false if out of memory. */
static bool map_reserve(wasm_store_t *s) {
  if ((s->map_n + 1) * 4 <= s->map_cap * 3) return true; /* keep the load under 3/4 */
  uint32_t ncap = s->map_cap ? s->map_cap * 2 : 64;
  wasm_ref_t **nmap = wm__calloc(ncap, sizeof *nmap);
  if (!nmap) return false;
  wasm_ref_t **old = s->map;
  uint32_t ocap = s->map_cap;
  s->map = nmap;
  s->map_cap = ncap;
  for (uint32_t k = 0; k < ocap; k++)
    if (old[k]) *map_slot(s, old[k]->u.obj) = old[k];
  wm__free(old);
  return true;
}

/* Make r, a new object, the one of extern obj (the map has room). Extern
** objects are pinned: the store finds them again. */
static void map_add(wasm_store_t *s, wasm_ref_t *r, void *obj) {
  r->pinned = true;
  r->u.obj = obj;
  *map_slot(s, obj) = r;
  s->map_n++;
}

/* The object of extern `obj` (a wm_func*, ...), made on first use; a new
** handle on it. */
static wasm_ref_t *extern_ref(wasm_store_t *s, capi_kind kind, void *obj) {
  if (!obj) return NULL;
  wasm_ref_t **e = s->map_cap ? map_slot(s, obj) : NULL;
  if (e && *e) {
    (*e)->handles++;
    return *e;
  }
  wasm_ref_t *r = map_reserve(s) ? obj_new(s, kind) : NULL;
  if (!r) return NULL;
  map_add(s, r, obj);
  return r;
}

/* ------------------------------------------------------------- stores */

wasm_store_t *wasm_store_new(wasm_engine_t *engine) {
  (void)engine;
  wasm_store_t *s = wm__calloc(1, sizeof *s);
  if (!s) return NULL;
  /* A store keeps every instance made in it until it is deleted (the
  ** runtime owns them), and the standard's programs make many in one store
  ** (its finalize example: 100,000), so the instance count is not capped
  ** the way a wasmem runtime's is; the memory and table budgets hold. */
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.max_instances = UINT32_MAX;
  if (wm_runtime_new(&o, &s->rt, NULL) != WM_OK) {
    wm__free(s);
    return NULL;
  }
  return s;
}

void wasm_store_delete(wasm_store_t *s) {
  if (!s) return;
  /* Every finalizer first, while every object is still there: one may
  ** delete handles on other objects of the store, older or newer, or even
  ** make objects or set finalizers, which the next round runs. Then, with
  ** no finalizer left to run, everything goes. */
  s->dying = true;
  for (bool again = true; again;) {
    again = false;
    for (wasm_ref_t *r = s->objs; r; r = r->next)
      if (r->finalizer || (r->hostfn && r->hostfn->finalizer)) {
        obj_finalize(r);
        again = true;
      }
  }
  while (s->objs) obj_destroy(s->objs);
  wm_runtime_free(s->rt);
  for (uint32_t i = 0; i < s->ncores; i++) core_release(s->cores[i]);
  wm__free(s->cores);
  wm__free(s->map);
  wm__free(s);
}

/* Keep c's module alive as long as the store's runtime; false if out of
** memory. */
static bool store_retain(wasm_store_t *s, capi_module_core *c) {
  for (uint32_t i = 0; i < s->ncores; i++)
    if (s->cores[i] == c) return true;
  if (wm__grow((void **)&s->cores, &s->cap_cores, s->ncores + 1, sizeof *s->cores)) return false;
  atomic_fetch_add(&c->refs, 1);
  s->cores[s->ncores++] = c;
  return true;
}

/* ------------------------------------------------------------- values */

/* A reference about to be held by wasm code: it must stay alive. */
static void *ref_into_wasm(wasm_ref_t *r, wm_valtype t, bool *ok) {
  *ok = true;
  if (!r) return NULL;
  if (WM_VT_KIND(t) == WM_FUNCREF) {
    if (r->kind != CAPI_FUNC) *ok = false;
    return r->kind == CAPI_FUNC ? r->u.obj : NULL;
  }
  if (WM_VT_KIND(t) != WM_EXTERNREF) { /* anyref, exnref: not through wasm.h */
    *ok = false;
    return NULL;
  }
  if (r->kind == CAPI_GCREF) return r->u.obj; /* the object itself, as it came */
  r->pinned = true;
  return r;
}

/* A reference held by wasm code, as a new handle for the host. An
** externref is a wasm_ref_t the host gave, or -- made by the guest with
** extern.convert_any -- one of the runtime's GC objects, which is never
** read as a wasm_ref_t: it gets one of its own (CAPI_GCREF), made once
** per object, and is pinned in the runtime while the store lives. */
static wasm_ref_t *ref_from_wasm(wasm_store_t *s, void *p, wm_valtype t) {
  if (!p) return NULL;
  if (WM_VT_KIND(t) == WM_FUNCREF) return extern_ref(s, CAPI_FUNC, p);
  if (WM_VT_KIND(t) != WM_EXTERNREF) return NULL; /* anyref, exnref: not through wasm.h */
  if (wm__gc_owns(s->rt, p)) {
    bool fresh = !(s->map_cap && *map_slot(s, p));
    wasm_ref_t *r = extern_ref(s, CAPI_GCREF, p);
    /* Without memory for the pin it may be collected: a stale externref
    ** is still safe (the guest checks what it converts back), only wrong. */
    if (r && fresh) (void)wm_ref_pin(s->rt, p);
    return r;
  }
  R(p)->handles++;
  return R(p);
}

/* v as a wasmem value; false if its kind is unknown or v128 (which a
** wasm_val_t cannot hold), or a funcref holds a reference that is not a
** func. */
static bool val_to_wm(const wasm_val_t *v, wm_val *out) {
  memset(out, 0, sizeof *out);
  if (!wm__capi_kind_to_wm(v->kind, &out->type) || !wm__capi_holdable(out->type)) return false;
  switch (v->kind) {
    case WASM_I32: out->of.i32 = v->of.i32; return true;
    case WASM_I64: out->of.i64 = v->of.i64; return true;
    case WASM_F32: memcpy(&out->of.f32_bits, &v->of.f32, 4); return true;
    case WASM_F64: memcpy(&out->of.f64_bits, &v->of.f64, 8); return true;
    default: {
      bool ok;
      out->of.ref = ref_into_wasm(v->of.ref, out->type, &ok);
      return ok;
    }
  }
}

static void val_from_wm(wasm_store_t *s, wm_val v, wasm_val_t *out) {
  memset(out, 0, sizeof *out);
  out->kind = wm__capi_kind_from_wm(v.type);
  switch (v.type) {
    case WM_I32: out->of.i32 = v.of.i32; break;
    case WM_I64: out->of.i64 = v.of.i64; break;
    case WM_F32: memcpy(&out->of.f32, &v.of.f32_bits, 4); break;
    case WM_F64: memcpy(&out->of.f64, &v.of.f64_bits, 8); break;
    case WM_FUNCREF:
    case WM_EXTERNREF: out->of.ref = ref_from_wasm(s, v.of.ref, v.type); break;
    default: break;
  }
}

void wasm_val_delete(wasm_val_t *v) {
  if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
    obj_release(v->of.ref);
    v->of.ref = NULL;
  }
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v) {
  *out = *v;
  if (wasm_valkind_is_ref(v->kind) && v->of.ref) v->of.ref->handles++;
}

/* -------------------------------------------------------- references */

/*
** The reference family of one kind: delete, copy, same, host info, and
** the views to and from wasm_ref_t. IS(r) says whether object r is of the
** kind.
*/
#define CAPI_REF_BASE(name)                                                   \
  void wasm_##name##_delete(wasm_##name##_t *x) { obj_release(R(x)); }        \
  wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *x) {             \
    if (x) R(x)->handles++;                                                   \
    return (wasm_##name##_t *)x;                                              \
  }                                                                           \
  bool wasm_##name##_same(const wasm_##name##_t *a, const wasm_##name##_t *b) { \
    return a == b;                                                            \
  }                                                                           \
  void *wasm_##name##_get_host_info(const wasm_##name##_t *x) {               \
    return x ? CR(x)->host_info : NULL;                                       \
  }                                                                           \
  void wasm_##name##_set_host_info(wasm_##name##_t *x, void *info) {          \
    wasm_##name##_set_host_info_with_finalizer(x, info, NULL);                \
  }                                                                           \
  void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *x, void *info, \
                                                  void (*fin)(void *)) {      \
    if (!x) return;                                                           \
    R(x)->host_info = info;                                                   \
    R(x)->finalizer = fin;                                                    \
  }

#define CAPI_REF(name, IS)                                                    \
  CAPI_REF_BASE(name)                                                         \
  wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *x) { return R(x); }       \
  const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *x) { return CR(x); } \
  wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r) {                        \
    return r && IS(r) ? (wasm_##name##_t *)r : NULL;                          \
  }                                                                           \
  const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r) {    \
    return r && IS(r) ? (const wasm_##name##_t *)r : NULL;                    \
  }

#define IS_FUNC(r) ((r)->kind == CAPI_FUNC)
#define IS_GLOBAL(r) ((r)->kind == CAPI_GLOBAL)
#define IS_TABLE(r) ((r)->kind == CAPI_TABLE)
#define IS_MEMORY(r) ((r)->kind == CAPI_MEMORY)
#define IS_EXTERN(r) ((r)->kind <= CAPI_MEMORY)
#define IS_INSTANCE(r) ((r)->kind == CAPI_INSTANCE)
#define IS_MODULE(r) ((r)->kind == CAPI_MODULE)
#define IS_TRAP(r) ((r)->kind == CAPI_TRAP)
#define IS_FOREIGN(r) ((r)->kind == CAPI_FOREIGN)

CAPI_REF_BASE(ref)
CAPI_REF(func, IS_FUNC)
CAPI_REF(global, IS_GLOBAL)
CAPI_REF(table, IS_TABLE)
CAPI_REF(memory, IS_MEMORY)
CAPI_REF(extern, IS_EXTERN)
CAPI_REF(instance, IS_INSTANCE)
CAPI_REF(module, IS_MODULE)
CAPI_REF(trap, IS_TRAP)
CAPI_REF(foreign, IS_FOREIGN)

/* The views between externs and the four kinds. */
#define CAPI_EXTERN_VIEWS(name, IS)                                           \
  wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *x) { return (wasm_extern_t *)x; } \
  const wasm_extern_t *wasm_##name##_as_extern_const(const wasm_##name##_t *x) { \
    return (const wasm_extern_t *)x;                                          \
  }                                                                           \
  wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *e) {                  \
    return e && IS(R(e)) ? (wasm_##name##_t *)e : NULL;                       \
  }                                                                           \
  const wasm_##name##_t *wasm_extern_as_##name##_const(const wasm_extern_t *e) { \
    return e && IS(CR(e)) ? (const wasm_##name##_t *)e : NULL;                \
  }

CAPI_EXTERN_VIEWS(func, IS_FUNC)
CAPI_EXTERN_VIEWS(global, IS_GLOBAL)
CAPI_EXTERN_VIEWS(table, IS_TABLE)
CAPI_EXTERN_VIEWS(memory, IS_MEMORY)

wasm_foreign_t *wasm_foreign_new(wasm_store_t *s) {
  return s ? (wasm_foreign_t *)obj_new(s, CAPI_FOREIGN) : NULL;
}

/* ------------------------------------------------------ traps, frames */

void wasm_frame_delete(wasm_frame_t *f) { wm__free(f); }

wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f) {
  if (!f) return NULL;
  wasm_frame_t *c = wm__malloc(sizeof *c);
  if (c) *c = *f;
  return c;
}

wasm_instance_t *wasm_frame_instance(const wasm_frame_t *f) {
  (void)f;
  return NULL;
}
uint32_t wasm_frame_func_index(const wasm_frame_t *f) { return f->f.func_index; }
size_t wasm_frame_func_offset(const wasm_frame_t *f) { return f->f.func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t *f) { return f->f.module_offset; }

/* A trap object holding a copy of msg[0..len). */
static wasm_trap_t *trap_make(wasm_store_t *s, const char *msg, size_t len) {
  wasm_ref_t *r = obj_new(s, CAPI_TRAP);
  if (!r) return NULL;
  r->u.trap.message = wm__strndup(msg, len);
  if (!r->u.trap.message) {
    obj_destroy(r);
    return NULL;
  }
  return (wasm_trap_t *)r;
}

/*
** Parse one backtrace line's "(func N, byte 0xOFF)" (searched from the end:
** the name before it may hold anything). The function's body start, for
** func_offset, is known when the frame is in module `mod`.
*/
static bool parse_frame(const char *line, size_t len, const wm_module *mod, capi_frame *out) {
  char buf[200];
  if (len >= sizeof buf) {
    line += len - (sizeof buf - 1);
    len = sizeof buf - 1;
  }
  memcpy(buf, line, len);
  buf[len] = 0;
  char *p = NULL;
  for (char *q = strstr(buf, "(func "); q; q = strstr(q + 1, "(func ")) p = q;
  if (!p) return false;
  unsigned idx = 0, off = 0;
  int n = sscanf(p, "(func %u, byte 0x%x)", &idx, &off);
  if (n < 1) return false;
  out->func_index = idx;
  out->module_offset = n == 2 ? off : 0;
  out->func_offset = 0;
  if (n == 2 && mod && idx >= mod->nfunc_imports && idx < mod->nfuncs) {
    const wm_funcdef *fd = &mod->funcs[idx];
    if (off >= fd->body_off && off < fd->body_off + fd->body_len) out->func_offset = off - fd->body_off;
  }
  return true;
}

/* A trap from a wasmem error: its message without the backtrace, and the
** backtrace's frames (func_offset resolved for frames in mod). */
static wasm_trap_t *trap_from_error(wasm_store_t *s, const wm_error *err, const wm_module *mod) {
  const char *msg = err->message;
  const char *bt = strstr(msg, "\n  at ");
  wasm_trap_t *t = trap_make(s, msg, bt ? (size_t)(bt - msg) : strlen(msg));
  if (!t || !bt) return t;
  uint32_t cap = 0;
  for (const char *p = bt; p; p = strstr(p + 1, "\n  at ")) cap++;
  capi_frame *fr = wm__calloc(cap, sizeof *fr);
  if (!fr) return t;
  uint32_t n = 0;
  for (const char *p = bt; p && n < cap;) {
    const char *next = strstr(p + 1, "\n  at ");
    size_t len = next ? (size_t)(next - p) : strlen(p);
    if (parse_frame(p, len, mod, &fr[n])) n++;
    p = next;
  }
  R(t)->u.trap.frames = fr;
  R(t)->u.trap.nframes = n;
  return t;
}

/* A trap for a call that could not be made. */
static wasm_trap_t *trap_printf(wasm_store_t *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static wasm_trap_t *trap_printf(wasm_store_t *s, const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return trap_make(s, buf, strlen(buf));
}

wasm_trap_t *wasm_trap_new(wasm_store_t *s, const wasm_message_t *m) {
  if (!s) return NULL;
  size_t len = m && m->data ? m->size : 0;
  if (len && m->data[len - 1] == 0) len--;
  return trap_make(s, len ? m->data : "", len);
}

void wasm_trap_message(const wasm_trap_t *t, wasm_message_t *out) {
  const char *msg = CR(t)->u.trap.message;
  wasm_byte_vec_new(out, strlen(msg) + 1, msg);
}

wasm_frame_t *wasm_trap_origin(const wasm_trap_t *t) {
  if (!CR(t)->u.trap.nframes) return NULL;
  return wasm_frame_copy((const wasm_frame_t *)&CR(t)->u.trap.frames[0]);
}

void wasm_trap_trace(const wasm_trap_t *t, wasm_frame_vec_t *out) {
  uint32_t n = CR(t)->u.trap.nframes;
  wasm_frame_vec_new_uninitialized(out, n);
  for (size_t i = 0; i < out->size; i++)
    out->data[i] = wasm_frame_copy((const wasm_frame_t *)&CR(t)->u.trap.frames[i]);
}

/* ------------------------------------------------------------ modules */

static wasm_module_t *module_of_core(wasm_store_t *s, capi_module_core *c) {
  wasm_ref_t *r = obj_new(s, CAPI_MODULE);
  if (!r) {
    core_release(c);
    return NULL;
  }
  r->u.module = c;
  return (wasm_module_t *)r;
}

wasm_module_t *wasm_module_new(wasm_store_t *s, const wasm_byte_vec_t *binary) {
  if (!s || !binary) return NULL;
  wm_module *mod = NULL;
  if (wm_module_load((const uint8_t *)binary->data, binary->size, NULL, &mod, NULL) != WM_OK)
    return NULL;
  /* wasm.h has no tags (exception handling): a module that imports or
  ** exports one is refused; tags of its own are fine. */
  wm_extern_desc d;
  bool tags = false;
  for (uint32_t i = 0; i < wm_module_import_count(mod); i++)
    tags |= wm_module_import(mod, i, &d) == WM_OK && d.kind == WM_EXTERN_TAG;
  for (uint32_t i = 0; i < wm_module_export_count(mod); i++)
    tags |= wm_module_export(mod, i, &d) == WM_OK && d.kind == WM_EXTERN_TAG;
  if (tags) {
    wm_module_free(mod);
    return NULL;
  }
  capi_module_core *c = wm__calloc(1, sizeof *c);
  if (!c) {
    wm_module_free(mod);
    return NULL;
  }
  c->mod = mod;
  atomic_init(&c->refs, 1);
  return module_of_core(s, c);
}

bool wasm_module_validate(wasm_store_t *s, const wasm_byte_vec_t *binary) {
  (void)s;
  wm_module *mod = NULL;
  if (!binary || wm_module_load((const uint8_t *)binary->data, binary->size, NULL, &mod, NULL))
    return false;
  wm_module_free(mod);
  return true;
}

static const wm_module *module_wm(const wasm_module_t *m) { return CR(m)->u.module->mod; }

void wasm_module_imports(const wasm_module_t *m, wasm_importtype_vec_t *out) {
  const wm_module *mod = module_wm(m);
  uint32_t n = wm_module_import_count(mod);
  wasm_importtype_vec_new_uninitialized(out, n);
  for (uint32_t i = 0; i < out->size; i++) {
    wm_extern_desc d;
    wm_module_import(mod, i, &d);
    wasm_name_t mn, nn;
    wasm_name_new(&mn, strlen(d.module), d.module);
    wasm_name_new(&nn, d.name_len, d.name);
    out->data[i] = wasm_importtype_new(&mn, &nn, wm__capi_externtype_from_desc(&d));
  }
}

void wasm_module_exports(const wasm_module_t *m, wasm_exporttype_vec_t *out) {
  const wm_module *mod = module_wm(m);
  uint32_t n = wm_module_export_count(mod);
  wasm_exporttype_vec_new_uninitialized(out, n);
  for (uint32_t i = 0; i < out->size; i++) {
    wm_extern_desc d;
    wm_module_export(mod, i, &d);
    wasm_name_t nn;
    wasm_name_new(&nn, d.name_len, d.name);
    out->data[i] = wasm_exporttype_new(&nn, wm__capi_externtype_from_desc(&d));
  }
}

/* The "serialised" form is the binary itself (see wasm.h). */
void wasm_module_serialize(const wasm_module_t *m, wasm_byte_vec_t *out) {
  const wm_module *mod = module_wm(m);
  wasm_byte_vec_new(out, mod->len, (const wasm_byte_t *)mod->bytes);
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *s, const wasm_byte_vec_t *bytes) {
  return wasm_module_new(s, bytes);
}

void wasm_shared_module_delete(wasm_shared_module_t *sm) {
  if (!sm) return;
  core_release(sm->core);
  wm__free(sm);
}

wasm_shared_module_t *wasm_module_share(const wasm_module_t *m) {
  wasm_shared_module_t *sm = wm__malloc(sizeof *sm);
  if (!sm) return NULL;
  sm->core = CR(m)->u.module;
  atomic_fetch_add(&sm->core->refs, 1);
  return sm;
}

wasm_module_t *wasm_module_obtain(wasm_store_t *s, const wasm_shared_module_t *sm) {
  if (!s || !sm) return NULL;
  atomic_fetch_add(&sm->core->refs, 1);
  return module_of_core(s, sm->core);
}

/* -------------------------------------------------------------- funcs */

/* A host function's closure gets its types right after it. */
static wm_valtype *hostfn_types(capi_hostfn *h) { return (wm_valtype *)(h + 1); }

/*
** Every host function made by wasm_func_new* runs through here: the
** arguments become wasm_val_ts (holding new handles on references, released
** after the call), the results are preset to their kinds, and a returned
** trap becomes a WM_TRAP_HOST with the trap's message.
*/
static int host_trampoline(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  capi_hostfn *h = data;
  const wm_valtype *types = hostfn_types(h);
  wasm_val_t small[16];
  size_t n = (size_t)h->nparams + h->nresults;
  wasm_val_t *vals = n <= 16 ? small : wm__calloc(n, sizeof *vals);
  if (!vals) return wm_call_ctx_trap(ctx, WM_TRAP_HOST, "out of host memory");
  wasm_val_vec_t av = {h->nparams, vals}, rv = {h->nresults, vals + h->nparams};
  for (uint32_t i = 0; i < h->nparams; i++) val_from_wm(h->store, args[i], &av.data[i]);
  for (uint32_t i = 0; i < h->nresults; i++) {
    memset(&rv.data[i], 0, sizeof rv.data[i]);
    rv.data[i].kind = wm__capi_kind_from_wm(types[h->nparams + i]);
  }
  wasm_trap_t *trap = h->cb ? h->cb(&av, &rv) : h->cb_env(h->env, &av, &rv);
  int rc = WM_OK;
  if (trap) {
    rc = wm_call_ctx_trap(ctx, WM_TRAP_HOST, "%s", R(trap)->u.trap.message);
    wasm_trap_delete(trap);
  }
  for (uint32_t i = 0; rc == WM_OK && i < h->nresults; i++) {
    wm_valtype want = types[h->nparams + i];
    if (!val_to_wm(&rv.data[i], &results[i]) || results[i].type != want)
      rc = wm_call_ctx_trap(ctx, WM_TRAP_HOST, "host function result %u is not a %s", (unsigned)i,
                            wm_valtype_name(want));
  }
  for (size_t i = 0; i < n; i++) wasm_val_delete(&vals[i]);
  if (vals != small) wm__free(vals);
  return rc;
}

static wasm_func_t *func_new(wasm_store_t *s, const wasm_functype_t *type,
                             wasm_func_callback_t cb, wasm_func_callback_with_env_t cb_env,
                             void *env, void (*finalizer)(void *)) {
  if (!s || !type) return NULL;
  const wasm_valtype_vec_t *ps = wasm_functype_params(type), *rs = wasm_functype_results(type);
  size_t n = ps->size + rs->size;
  capi_hostfn *h = wm__calloc(1, sizeof *h + n * sizeof(wm_valtype));
  if (!h) return NULL;
  h->store = s;
  h->cb = cb;
  h->cb_env = cb_env;
  h->env = env;
  h->nparams = (uint32_t)ps->size;
  h->nresults = (uint32_t)rs->size;
  wm_valtype *types = hostfn_types(h);
  for (size_t i = 0; i < n; i++) {
    const wasm_valtype_t *vt = i < ps->size ? ps->data[i] : rs->data[i - ps->size];
    /* A host function cannot take or give a v128: no wasm_val_t holds one. */
    if (!vt || !wm__capi_kind_to_wm(vt->kind, &types[i]) || !wm__capi_holdable(types[i])) {
      wm__free(h);
      return NULL;
    }
  }
  /* The object first: once the runtime's function exists it holds h, so
  ** nothing may fail after it. */
  wm_functype ft = {h->nparams, h->nresults, types, types + h->nparams};
  wm_func *f = NULL;
  wasm_ref_t *r = map_reserve(s) ? obj_new(s, CAPI_FUNC) : NULL;
  if (!r || wm_func_new_host(s->rt, &ft, host_trampoline, h, &f, NULL) != WM_OK) {
    if (r) obj_destroy(r);
    wm__free(h);
    return NULL;
  }
  map_add(s, r, f);
  h->finalizer = finalizer;
  r->hostfn = h;
  return (wasm_func_t *)r;
}

wasm_func_t *wasm_func_new(wasm_store_t *s, const wasm_functype_t *type, wasm_func_callback_t cb) {
  return cb ? func_new(s, type, cb, NULL, NULL, NULL) : NULL;
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *s, const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t cb, void *env,
                                    void (*finalizer)(void *)) {
  return cb ? func_new(s, type, NULL, cb, env, finalizer) : NULL;
}

static wm_func *func_wm(const wasm_func_t *f) { return CR(f)->u.obj; }

wasm_functype_t *wasm_func_type(const wasm_func_t *f) {
  return wm__capi_functype_from_wm(wm_func_type(func_wm(f)));
}
size_t wasm_func_param_arity(const wasm_func_t *f) { return wm_func_type(func_wm(f)).nparams; }
size_t wasm_func_result_arity(const wasm_func_t *f) { return wm_func_type(func_wm(f)).nresults; }

/* The module a function belongs to (for frames), or NULL for host ones. */
static const wm_module *func_module(const wm_func *f) {
  return f->inst ? wm_instance_module(f->inst) : NULL;
}

wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results) {
  wasm_store_t *s = CR(func)->store;
  wm_func *f = func_wm(func);
  wm_functype ft = wm_func_type(f);
  size_t nargs = args ? args->size : 0, nres = results ? results->size : 0;
  if (nargs != ft.nparams)
    return trap_printf(s, "wrong number of arguments: expected %u, got %zu", (unsigned)ft.nparams,
                       nargs);
  for (uint32_t i = 0; i < ft.nparams + ft.nresults; i++) {
    wm_valtype t = i < ft.nparams ? ft.params[i] : ft.results[i - ft.nparams];
    if (!wm__capi_holdable(t))
      return trap_printf(s, "a%s %s %s cannot pass through wasm.h (%s): call the function with "
                            "wasmem.h's wm_func_call",
                         t == WM_V128 ? "" : "n", wm_valtype_name(t),
                         i < ft.nparams ? "argument" : "result",
                         t == WM_V128 ? "a wasm_val_t has no room for 16 bytes"
                                      : "a wasm_val_t cannot hold one");
  }
  wm_val small[16];
  size_t n = (size_t)ft.nparams + ft.nresults;
  wm_val *vals = n <= 16 ? small : wm__calloc(n, sizeof *vals);
  if (!vals) return trap_printf(s, "out of host memory");
  wasm_trap_t *trap = NULL;
  for (uint32_t i = 0; i < ft.nparams && !trap; i++)
    if (!val_to_wm(&args->data[i], &vals[i]) || vals[i].type != ft.params[i])
      trap = trap_printf(s, "argument %u: expected %s", (unsigned)i, wm_valtype_name(ft.params[i]));
  if (!trap) {
    wm_error err;
    if (wm_func_call(s->rt, f, vals, ft.nparams, vals + ft.nparams, ft.nresults, &err) != WM_OK)
      trap = trap_from_error(s, &err, func_module(f));
    else /* a results vector too short gets what fits */
      for (uint32_t i = 0; i < ft.nresults && i < nres; i++)
        val_from_wm(s, vals[ft.nparams + i], &results->data[i]);
  }
  if (vals != small) wm__free(vals);
  return trap;
}

/* ------------------------------------------------------------ globals */

static wm_global *global_wm(const wasm_global_t *g) { return CR(g)->u.obj; }

wasm_global_t *wasm_global_new(wasm_store_t *s, const wasm_globaltype_t *type,
                               const wasm_val_t *val) {
  if (!s || !type || !val) return NULL;
  const wasm_externtype_t *t = wasm_globaltype_as_externtype_const(type);
  wm_val v;
  if (!t->content || val->kind != t->content->kind || !val_to_wm(val, &v)) return NULL;
  wm_global *g = NULL;
  if (wm_global_new(s->rt, v, t->mutability == WASM_VAR, &g, NULL) != WM_OK) return NULL;
  return (wasm_global_t *)extern_ref(s, CAPI_GLOBAL, g);
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *g) {
  const wm_global *w = global_wm(g);
  return wasm_globaltype_new(wasm_valtype_new(wm__capi_kind_from_wm(w->type)),
                             w->mut ? WASM_VAR : WASM_CONST);
}

void wasm_global_get(const wasm_global_t *g, wasm_val_t *out) {
  val_from_wm(CR(g)->store, wm_global_get(global_wm(g)), out);
}

void wasm_global_set(wasm_global_t *g, const wasm_val_t *val) {
  wm_val v;
  if (val && val_to_wm(val, &v)) wm_global_set(global_wm(g), v, NULL);
}

/* ------------------------------------------------------------- tables */

static wm_table *table_wm(const wasm_table_t *t) { return CR(t)->u.obj; }

static wm_limits limits_to_wm(const wasm_limits_t *l) {
  wm_limits r;
  r.min = l->min;
  r.has_max = l->max != wasm_limits_max_default;
  r.max = r.has_max ? l->max : 0;
  r.shared = false; /* the standard C API has no shared memories */
  r.is64 = false;   /* nor 64-bit ones: a memory64 import of it fails to link */
  return r;
}

static wasm_limits_t limits_now(uint64_t cur, wm_limits decl) {
  wasm_limits_t r;
  r.min = cur > UINT32_MAX ? UINT32_MAX : (uint32_t)cur;
  r.max = decl.has_max && decl.max < UINT32_MAX ? (uint32_t)decl.max : wasm_limits_max_default;
  return r;
}

wasm_table_t *wasm_table_new(wasm_store_t *s, const wasm_tabletype_t *type, wasm_ref_t *init) {
  if (!s || !type) return NULL;
  const wasm_externtype_t *t = wasm_tabletype_as_externtype_const(type);
  wm_valtype elem;
  bool ok;
  if (!t->content || !wm__capi_kind_to_wm(t->content->kind, &elem)) return NULL;
  void *p = ref_into_wasm(init, elem, &ok);
  wm_table *tab = NULL;
  if (!ok || wm_table_new(s->rt, elem, limits_to_wm(&t->limits), p, &tab, NULL) != WM_OK)
    return NULL;
  return (wasm_table_t *)extern_ref(s, CAPI_TABLE, tab);
}

wasm_tabletype_t *wasm_table_type(const wasm_table_t *t) {
  const wm_table *w = table_wm(t);
  wasm_limits_t lim = limits_now(w->size, w->decl);
  return wasm_tabletype_new(wasm_valtype_new(wm__capi_kind_from_wm(w->type)), &lim);
}

wasm_ref_t *wasm_table_get(const wasm_table_t *t, wasm_table_size_t index) {
  wm_val v;
  if (wm_table_get(table_wm(t), index, &v, NULL) != WM_OK) return NULL;
  return ref_from_wasm(CR(t)->store, v.of.ref, v.type);
}

bool wasm_table_set(wasm_table_t *t, wasm_table_size_t index, wasm_ref_t *ref) {
  wm_table *w = table_wm(t);
  if (index >= wm_table_size(w)) return false;
  wm_val v;
  bool ok;
  memset(&v, 0, sizeof v);
  v.type = w->type;
  v.of.ref = ref_into_wasm(ref, w->type, &ok);
  return ok && wm_table_set(w, index, v, NULL) == WM_OK;
}

wasm_table_size_t wasm_table_size(const wasm_table_t *t) { return wm_table_size(table_wm(t)); }

bool wasm_table_grow(wasm_table_t *t, wasm_table_size_t delta, wasm_ref_t *init) {
  wm_table *w = table_wm(t);
  bool ok;
  void *p = ref_into_wasm(init, w->type, &ok);
  return ok && wm__table_grow(w, delta, p) >= 0;
}

/* ----------------------------------------------------------- memories */

static wm_memory *memory_wm(const wasm_memory_t *m) { return CR(m)->u.obj; }

wasm_memory_t *wasm_memory_new(wasm_store_t *s, const wasm_memorytype_t *type) {
  if (!s || !type) return NULL;
  wm_memory *m = NULL;
  if (wm_memory_new(s->rt, limits_to_wm(wasm_memorytype_limits(type)), &m, NULL) != WM_OK)
    return NULL;
  return (wasm_memory_t *)extern_ref(s, CAPI_MEMORY, m);
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *m) {
  const wm_memory *w = memory_wm(m);
  wasm_limits_t lim = limits_now(wm_memory_pages(w), w->decl);
  return wasm_memorytype_new(&lim);
}

byte_t *wasm_memory_data(wasm_memory_t *m) { return (byte_t *)wm_memory_data(memory_wm(m)); }
size_t wasm_memory_data_size(const wasm_memory_t *m) {
  return (size_t)wm_memory_size(memory_wm(m));
}
wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *m) {
  return (wasm_memory_pages_t)wm_memory_pages(memory_wm(m));
}
bool wasm_memory_grow(wasm_memory_t *m, wasm_memory_pages_t delta) {
  return wm_memory_grow(memory_wm(m), delta, NULL, NULL) == WM_OK;
}

/* ------------------------------------------------------------ externs */

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e) { return (wasm_externkind_t)CR(e)->kind; }

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e) {
  switch (CR(e)->kind) {
    case CAPI_FUNC: return (wasm_externtype_t *)wasm_func_type((const wasm_func_t *)e);
    case CAPI_GLOBAL: return (wasm_externtype_t *)wasm_global_type((const wasm_global_t *)e);
    case CAPI_TABLE: return (wasm_externtype_t *)wasm_table_type((const wasm_table_t *)e);
    case CAPI_MEMORY: return (wasm_externtype_t *)wasm_memory_type((const wasm_memory_t *)e);
    default: return NULL;
  }
}

static capi_kind kind_of_wm(wm_externkind k) {
  switch (k) {
    case WM_EXTERN_FUNC: return CAPI_FUNC;
    case WM_EXTERN_TABLE: return CAPI_TABLE;
    case WM_EXTERN_MEMORY: return CAPI_MEMORY;
    default: return CAPI_GLOBAL;
  }
}

/* ---------------------------------------------------------- instances */

/* The externs given for mod's imports, in order, as what instantiation
** links to (*out, owned by the caller); an error says which import is
** wrong. */
static int given_imports(const wm_module *mod, const wasm_extern_vec_t *imports, wm_binding **out,
                         wm_error *err) {
  uint32_t n = wm_module_import_count(mod);
  size_t have = imports ? imports->size : 0;
  *out = NULL;
  if (have < n)
    return wm__error(err, WM_EUNKNOWN_IMPORT, UINT32_MAX,
                     "the module has %u imports, %zu were given", (unsigned)n, have);
  wm_binding *bs = wm__calloc(n, sizeof *bs);
  if (!bs) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  for (uint32_t i = 0; i < n; i++) {
    wm_extern_desc d;
    wm_module_import(mod, i, &d);
    const wasm_ref_t *e = CR(imports->data[i]);
    if (!e || e->kind != kind_of_wm(d.kind)) {
      wm__free(bs);
      return wm__error(err, WM_EINCOMPATIBLE_IMPORT, UINT32_MAX,
                       "import %u (\"%s\" \"%s\"): expected a %s", (unsigned)i, d.module, d.name,
                       wm_externkind_name(d.kind));
    }
    bs[i].kind = d.kind;
    bs[i].obj = e->u.obj;
  }
  *out = bs;
  return WM_OK;
}

wasm_instance_t *wasm_instance_new(wasm_store_t *s, const wasm_module_t *m,
                                   const wasm_extern_vec_t *imports, wasm_trap_t **trap) {
  if (trap) *trap = NULL;
  if (!s || !m) return NULL;
  capi_module_core *c = CR(m)->u.module;
  wm_error err;
  wm_instance *inst = NULL;
  wm_binding *given = NULL;
  int rc = given_imports(c->mod, imports, &given, &err);
  if (rc == WM_OK && !store_retain(s, c)) rc = wm__error(&err, WM_ENOMEM, UINT32_MAX, NULL);
  if (rc == WM_OK) rc = wm__instance_new_linked(s->rt, c->mod, NULL, given, &inst, &err);
  wm__free(given);
  wasm_ref_t *r = rc == WM_OK ? obj_new(s, CAPI_INSTANCE) : NULL;
  if (!r) {
    if (rc == WM_OK) wm__error(&err, WM_ENOMEM, UINT32_MAX, NULL);
    if (trap) *trap = trap_from_error(s, &err, c->mod);
    return NULL;
  }
  r->u.instance.inst = inst;
  r->u.instance.core = c;
  return (wasm_instance_t *)r;
}

void wasm_instance_exports(const wasm_instance_t *i, wasm_extern_vec_t *out) {
  wasm_store_t *s = CR(i)->store;
  wm_instance *inst = CR(i)->u.instance.inst;
  const wm_module *mod = wm_instance_module(inst);
  wasm_extern_vec_new_uninitialized(out, wm_module_export_count(mod));
  for (uint32_t k = 0; k < out->size; k++) {
    wm_extern_desc d;
    wm_module_export(mod, k, &d);
    void *obj = wm_instance_export(inst, d.name, d.name_len, d.kind);
    out->data[k] = (wasm_extern_t *)extern_ref(s, kind_of_wm(d.kind), obj);
  }
}
