/* SPDX-License-Identifier: MIT */
/*
** exchange.c -- host/guest data exchange: checked access to linear memory,
** UTF-8/UTF-16 strings, guest allocator conventions, block ownership
** handles, calls with (ptr, len) arguments and results, checked host calls.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime.h"
#include "util.h"

/* ------------------------------------------------------------ checked access */

void wm_free(void *p) { wm__free(p); }

/* The error every range check gives. */
static int bounds_error(wm_error *err, const wm_memory *m, uint64_t ptr, uint64_t len) {
  return wm__error(err, WM_EBOUNDS, UINT32_MAX,
                   "guest range [0x%llx, +%llu) is out of bounds of memory of %llu bytes",
                   (unsigned long long)ptr, (unsigned long long)len,
                   (unsigned long long)m->size);
}

int wm_memory_slice(wm_memory *m, uint64_t ptr, uint64_t len, uint8_t **out, wm_error *err) {
  if (out) *out = NULL;
  if (!m || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_memory_slice: NULL argument");
  if (!wm__in_range(ptr, len, m->size)) return bounds_error(err, m, ptr, len);
  *out = m->base + ptr;
  return WM_OK;
}

int wm_memory_read(wm_memory *m, uint64_t ptr, void *dst, size_t len, wm_error *err) {
  uint8_t *p;
  int rc = wm_memory_slice(m, ptr, len, &p, err);
  if (rc) return rc;
  if (m->chk) wm__check_host_access(m, ptr, len, false, "wm_memory_read");
  if (len) memcpy(dst, p, len);
  return WM_OK;
}

int wm_memory_write(wm_memory *m, uint64_t ptr, const void *src, size_t len, wm_error *err) {
  uint8_t *p;
  int rc = wm_memory_slice(m, ptr, len, &p, err);
  if (rc) return rc;
  if (m->chk) wm__check_host_access(m, ptr, len, true, "wm_memory_write");
  if (len) memcpy(p, src, len);
  return WM_OK;
}

size_t wm_elemtype_size(wm_elemtype t) {
  switch (t) {
  case WM_ELEM_U8: case WM_ELEM_I8: return 1;
  case WM_ELEM_U16: case WM_ELEM_I16: return 2;
  case WM_ELEM_U32: case WM_ELEM_I32: case WM_ELEM_F32: return 4;
  case WM_ELEM_U64: case WM_ELEM_I64: case WM_ELEM_F64: return 8;
  }
  return 0;
}

/* Reverse the bytes of each element on big-endian hosts; a no-op (that the
** compiler removes) on little-endian ones, where the copy is a memcpy. */
static void swap_elems(uint8_t *p, size_t n, size_t size) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  for (size_t i = 0; i < n; i++, p += size)
    for (size_t a = 0, b = size - 1; a < b; a++, b--) {
      uint8_t t = p[a];
      p[a] = p[b];
      p[b] = t;
    }
#else
  (void)p, (void)n, (void)size;
#endif
}

static int array_range(wm_memory *m, uint64_t ptr, wm_elemtype t, size_t count, uint8_t **p,
                       size_t *nbytes, wm_error *err) {
  size_t size = wm_elemtype_size(t);
  *p = NULL;
  if (!size) return wm__error(err, WM_EINVAL, UINT32_MAX, "unknown element type %d", (int)t);
  if (count > SIZE_MAX / size || (uint64_t)count * size > UINT64_MAX - 1)
    return wm__error(err, WM_EBOUNDS, UINT32_MAX, "array of %zu elements of %zu bytes overflows",
                     count, size);
  *nbytes = count * size;
  return wm_memory_slice(m, ptr, *nbytes, p, err);
}

int wm_memory_read_array(wm_memory *m, uint64_t ptr, wm_elemtype t, void *dst, size_t count,
                         wm_error *err) {
  uint8_t *p;
  size_t n = 0;
  int rc = array_range(m, ptr, t, count, &p, &n, err);
  if (rc) return rc;
  if (m->chk) wm__check_host_access(m, ptr, n, false, "wm_memory_read_array");
  if (n) memcpy(dst, p, n);
  swap_elems(dst, count, wm_elemtype_size(t));
  return WM_OK;
}

int wm_memory_write_array(wm_memory *m, uint64_t ptr, wm_elemtype t, const void *src,
                          size_t count, wm_error *err) {
  uint8_t *p;
  size_t n = 0;
  int rc = array_range(m, ptr, t, count, &p, &n, err);
  if (rc) return rc;
  if (m->chk) wm__check_host_access(m, ptr, n, true, "wm_memory_write_array");
  if (n) memcpy(p, src, n);
  swap_elems(p, count, wm_elemtype_size(t));
  return WM_OK;
}

/* ------------------------------------------------------------------ UTF-8 */

/* Length of the valid UTF-8 sequence at s[i..n), or 0 if there is none. */
static size_t utf8_seq(const uint8_t *s, size_t i, size_t n, uint32_t *cp) {
  uint8_t c = s[i];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  uint32_t v, min;
  if (c >= 0xC2 && c <= 0xDF) len = 2, v = c & 0x1F, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, v = c & 0x0F, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, v = c & 0x07, min = 0x10000;
  else return 0;
  if (n - i < len) return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[i + k] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i + k] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return len;
}

bool wm_utf8_valid(const void *str, size_t len, size_t *bad) {
  const uint8_t *s = str;
  size_t i = 0;
  uint32_t cp;
  while (i < len) {
    /* ASCII runs are the common case: skip them 8 bytes at a time. */
    while (len - i >= 8) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & UINT64_C(0x8080808080808080)) break;
      i += 8;
    }
    if (i >= len) break;
    size_t k = utf8_seq(s, i, len, &cp);
    if (!k) {
      if (bad) *bad = i;
      return false;
    }
    i += k;
  }
  return true;
}

static int utf8_error(wm_error *err, size_t at, uint64_t ptr) {
  return wm__error(err, WM_EUTF8, UINT32_MAX,
                   "invalid UTF-8 at byte %zu of the string (guest address 0x%llx)", at,
                   (unsigned long long)(ptr + at));
}

int wm_memory_string(wm_memory *m, uint64_t ptr, uint64_t len, const char **out, wm_error *err) {
  uint8_t *p;
  size_t bad;
  if (out) *out = NULL;
  int rc = wm_memory_slice(m, ptr, len, &p, err);
  if (rc) return rc;
  if (m->chk) wm__check_host_access(m, ptr, len, false, "wm_memory_string");
  if (!wm_utf8_valid(p, (size_t)len, &bad)) return utf8_error(err, bad, ptr);
  *out = (const char *)p;
  return WM_OK;
}

/* A NUL-terminated heap copy of n bytes. */
static int dup_bytes(const uint8_t *p, size_t n, char **out, size_t *out_len, wm_error *err) {
  char *s = wm__malloc(n + 1);
  if (!s) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (n) memcpy(s, p, n);
  s[n] = 0;
  *out = s;
  if (out_len) *out_len = n;
  return WM_OK;
}

int wm_memory_read_string(wm_memory *m, uint64_t ptr, uint64_t len, char **out, size_t *out_len,
                          wm_error *err) {
  const char *view;
  if (out) *out = NULL;
  if (!out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_memory_read_string: NULL out");
  if (len >= SIZE_MAX) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  int rc = wm_memory_string(m, ptr, len, &view, err);
  if (rc) return rc;
  return dup_bytes((const uint8_t *)view, (size_t)len, out, out_len, err);
}

/* The length of the NUL-terminated string at ptr, at most max_len. */
static int cstr_len(wm_memory *m, uint64_t ptr, uint64_t max_len, uint64_t *len, wm_error *err) {
  if (!m) return wm__error(err, WM_EINVAL, UINT32_MAX, "NULL memory");
  if (ptr >= m->size) return bounds_error(err, m, ptr, 1);
  uint64_t avail = m->size - ptr;
  uint64_t scan = max_len < avail ? max_len + 1 : avail;
  const uint8_t *nul = memchr(m->base + ptr, 0, (size_t)scan);
  if (!nul) {
    if (scan == avail)
      return wm__error(err, WM_EBOUNDS, UINT32_MAX,
                       "string at guest address 0x%llx has no NUL before the end of memory",
                       (unsigned long long)ptr);
    return wm__error(err, WM_EBOUNDS, UINT32_MAX,
                     "string at guest address 0x%llx has no NUL within %llu bytes",
                     (unsigned long long)ptr, (unsigned long long)max_len);
  }
  *len = (uint64_t)(nul - (m->base + ptr));
  return WM_OK;
}

int wm_memory_read_cstr(wm_memory *m, uint64_t ptr, uint64_t max_len, char **out,
                        size_t *out_len, wm_error *err) {
  uint64_t n = 0;
  if (out) *out = NULL;
  int rc = cstr_len(m, ptr, max_len, &n, err);
  if (rc) return rc;
  return wm_memory_read_string(m, ptr, n, out, out_len, err);
}

int wm_memory_read_utf16(wm_memory *m, uint64_t ptr, uint64_t nbytes, char **out,
                         size_t *out_len, wm_error *err) {
  uint8_t *p;
  if (out) *out = NULL;
  if (!out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_memory_read_utf16: NULL out");
  if (nbytes & 1)
    return wm__error(err, WM_EUTF8, UINT32_MAX, "UTF-16 string at guest address 0x%llx has an odd byte length %llu",
                     (unsigned long long)ptr, (unsigned long long)nbytes);
  int rc = wm_memory_slice(m, ptr, nbytes, &p, err);
  if (rc) return rc;
  /* Every UTF-16 unit becomes at most 3 UTF-8 bytes (a pair of 2 becomes 4). */
  size_t units = (size_t)(nbytes / 2);
  if (units > (SIZE_MAX - 1) / 3) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  char *s = wm__malloc(units * 3 + 1);
  if (!s) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  size_t o = 0;
  for (size_t i = 0; i < units; i++) {
    uint32_t c = (uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8;
    if (c >= 0xD800 && c <= 0xDFFF) {
      uint32_t d = i + 1 < units ? ((uint32_t)p[2 * i + 2] | (uint32_t)p[2 * i + 3] << 8) : 0;
      if (c >= 0xDC00 || d < 0xDC00 || d > 0xDFFF) {
        wm__free(s);
        return wm__error(err, WM_EUTF8, UINT32_MAX,
                         "invalid UTF-16 (unpaired surrogate 0x%04x) at byte %zu of the string "
                         "(guest address 0x%llx)",
                         (unsigned)c, 2 * i, (unsigned long long)(ptr + 2 * i));
      }
      c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
      i++;
    }
    if (c < 0x80) s[o++] = (char)c;
    else if (c < 0x800) {
      s[o++] = (char)(0xC0 | c >> 6);
      s[o++] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      s[o++] = (char)(0xE0 | c >> 12);
      s[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
      s[o++] = (char)(0x80 | (c & 0x3F));
    } else {
      s[o++] = (char)(0xF0 | c >> 18);
      s[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
      s[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
      s[o++] = (char)(0x80 | (c & 0x3F));
    }
  }
  s[o] = 0;
  *out = s;
  if (out_len) *out_len = o;
  return WM_OK;
}

/* ----------------------------------------------------------- guest context */

enum { ST_HOST = 1, ST_GUEST, ST_FREED };

/*
** One block the host has seen. Slots are reused (LIFO) once their block is
** no longer host-owned; the generation in the handle tells an old handle
** from the slot's current block, so a stale handle is caught, not misread.
*/
typedef struct slot {
  uint32_t gen;
  uint8_t state;
  uint32_t ptr, len;           /* what the handle shows */
  uint32_t free_ptr, free_size, align; /* what the guest's free needs */
  wm_func *post;               /* CABI: cabi_post_FUNC to run on free */
  wm_val post_args[2];
  uint32_t npost;
  uint32_t next_free;          /* free-slot list, index + 1 */
} slot;

struct wm_guest {
  wm_runtime *rt;
  wm_instance *inst;
  wm_memory *mem;
  wm_alloc_kind kind;
  wm_func *f_alloc, *f_free, *f_pin, *f_collect;
  uint32_t alloc_np, free_np;
  slot *slots;
  uint32_t nslots, cap;
  uint32_t free_head;
  wm_guest_stats st;
};

static const char *const kind_names[] = {"auto", "seed", "malloc", "wbindgen", "asc", "cabi", "none"};

const char *wm_alloc_kind_name(wm_alloc_kind k) {
  return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

bool wm_alloc_kind_parse(const char *name, wm_alloc_kind *out) {
  if (!name) return false;
  if (strcmp(name, "c") == 0) name = "malloc";
  for (unsigned i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
    if (strcmp(name, kind_names[i]) == 0) {
      *out = (wm_alloc_kind)i;
      return true;
    }
  return false;
}

static const char looked_for[] =
    "looked for alloc/dealloc, malloc/free, __wbindgen_malloc/__wbindgen_free, "
    "__new/__pin/__unpin and cabi_realloc";

/* The export `name` if it is a function taking np (np2 if not 0) i32s and
** returning nr i32s; NULL with *why set if it exists with another type. */
static wm_func *find_fn(wm_instance *inst, const char *name, uint32_t np, uint32_t np2,
                        uint32_t nr, bool *wrong, wm_error *err) {
  wm_func *f = wm_instance_func(inst, name);
  if (!f) return NULL;
  wm_functype t = wm_func_type(f);
  bool ok = (t.nparams == np || (np2 && t.nparams == np2)) && t.nresults == nr;
  for (uint32_t i = 0; ok && i < t.nparams; i++) ok = t.params[i] == WM_I32;
  for (uint32_t i = 0; ok && i < t.nresults; i++) ok = t.results[i] == WM_I32;
  if (!ok) {
    *wrong = true;
    wm__error(err, WM_ENOALLOC, UINT32_MAX,
              "no guest allocator: export '%s' takes %u parameter(s) and returns %u result(s), "
              "not the i32 signature its convention needs",
              name, t.nparams, t.nresults);
    return NULL;
  }
  return f;
}

/* Bind the functions of convention k; false (err filled) if any is missing.
** With no_free, the seed convention also binds with alloc alone. */
static bool bind_alloc(wm_guest *g, wm_alloc_kind k, bool no_free, wm_error *err) {
  bool wrong = false;
  const char *a = NULL, *f = NULL;
  g->f_alloc = g->f_free = g->f_pin = g->f_collect = NULL;
  switch (k) {
  case WM_ALLOC_SEED:
    a = "alloc", f = "dealloc";
    g->f_alloc = find_fn(g->inst, a, 1, 0, 1, &wrong, err);
    if (g->f_alloc) g->f_free = find_fn(g->inst, f, 2, 0, 0, &wrong, err);
    /* The article's AssemblyScript guest exports alloc and no dealloc: its
    ** blocks work as usual but are abandoned when freed (free_slot). A
    ** dealloc of the wrong type is still an error (wrong is set). */
    if (no_free && g->f_alloc && !g->f_free && !wrong) {
      g->kind = k;
      g->alloc_np = 1;
      g->free_np = 0;
      return true;
    }
    break;
  case WM_ALLOC_MALLOC:
    a = "malloc", f = "free";
    g->f_alloc = find_fn(g->inst, a, 1, 0, 1, &wrong, err);
    if (g->f_alloc) g->f_free = find_fn(g->inst, f, 1, 0, 0, &wrong, err);
    break;
  case WM_ALLOC_WBINDGEN:
    a = "__wbindgen_malloc", f = "__wbindgen_free";
    g->f_alloc = find_fn(g->inst, a, 2, 1, 1, &wrong, err);
    if (g->f_alloc) g->f_free = find_fn(g->inst, f, 3, 2, 0, &wrong, err);
    break;
  case WM_ALLOC_ASC:
    a = "__new", f = "__unpin";
    g->f_alloc = find_fn(g->inst, a, 2, 0, 1, &wrong, err);
    if (g->f_alloc) g->f_free = find_fn(g->inst, f, 1, 0, 0, &wrong, err);
    if (g->f_free) g->f_pin = find_fn(g->inst, "__pin", 1, 0, 1, &wrong, err);
    if (g->f_pin) g->f_collect = find_fn(g->inst, "__collect", 0, 0, 0, &wrong, err);
    if (!g->f_pin) g->f_free = NULL;
    wrong = false; /* __collect is optional */
    if (!g->f_free && !g->f_alloc) break;
    if (!g->f_pin) {
      if (!wm_instance_func(g->inst, "__pin"))
        wm__error(err, WM_ENOALLOC, UINT32_MAX,
                  "no guest allocator: the asc convention needs exports __new, __pin and __unpin");
      g->f_alloc = NULL;
      return false;
    }
    break;
  case WM_ALLOC_CABI:
    a = "cabi_realloc";
    g->f_alloc = find_fn(g->inst, a, 4, 0, 1, &wrong, err);
    if (g->f_alloc) {
      g->kind = k;
      g->alloc_np = 4;
      return true;
    }
    break;
  default:
    return false;
  }
  if (g->f_alloc && g->f_free) {
    g->kind = k;
    g->alloc_np = wm_func_type(g->f_alloc).nparams;
    g->free_np = wm_func_type(g->f_free).nparams;
    return true;
  }
  if (!wrong && k == WM_ALLOC_SEED && no_free)
    wm__error(err, WM_ENOALLOC, UINT32_MAX,
              "no guest allocator: the seed convention needs an export 'alloc' (and 'dealloc' "
              "to give blocks back)");
  else if (!wrong)
    wm__error(err, WM_ENOALLOC, UINT32_MAX,
              "no guest allocator: the %s convention needs exports '%s' and '%s'",
              wm_alloc_kind_name(k), a, f ? f : "");
  g->f_alloc = g->f_free = g->f_pin = NULL;
  return false;
}

int wm_guest_new(wm_runtime *rt, wm_instance *inst, const wm_guest_options *opts,
                 wm_guest **out, wm_error *err) {
  wm_guest_options o = {0};
  if (opts) o = *opts;
  if (out) *out = NULL;
  if (!rt || !inst || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_guest_new: NULL argument");
  wm_memory *m = o.memory ? wm_instance_memory(inst, o.memory) : wm_instance_memory(inst, "memory");
  if (!m && !o.memory) m = wm_instance_default_memory(inst);
  if (!m)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "guest has no memory%s%s%s",
                     o.memory ? " exported as '" : "", o.memory ? o.memory : "",
                     o.memory ? "'" : "");
  /* Its allocator and calls would pass i64 pointers, which the guest
  ** conventions here (i32 ptr, len) do not read. */
  if (m->decl.is64)
    return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX,
                     "memory64 not supported by the exchange API (wm_guest) yet: the guest's "
                     "memory is 64-bit");
  wm_guest *g = wm__calloc(1, sizeof *g);
  if (!g) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  g->rt = rt;
  g->inst = inst;
  g->mem = m;
  g->kind = WM_ALLOC_NONE;
  if (o.alloc != WM_ALLOC_AUTO) {
    if (o.alloc == WM_ALLOC_NONE || !bind_alloc(g, o.alloc, true, err)) {
      if (o.alloc == WM_ALLOC_NONE) g->kind = WM_ALLOC_NONE;
      else {
        wm__free(g);
        return err ? err->code : WM_ENOALLOC;
      }
    }
  } else {
    static const wm_alloc_kind order[] = {WM_ALLOC_SEED, WM_ALLOC_MALLOC, WM_ALLOC_WBINDGEN,
                                          WM_ALLOC_ASC, WM_ALLOC_CABI};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
      wm_error e2;
      if (bind_alloc(g, order[i], false, &e2)) break;
      /* An export of a known name but the wrong type is a real error. */
      if (strstr(e2.message, "not the i32 signature")) {
        if (err) *err = e2;
        wm__free(g);
        return WM_ENOALLOC;
      }
    }
    /* alloc with no dealloc comes last: a convention that can give blocks
    ** back is better where a guest exports both (the signature of alloc was
    ** checked by the first round). */
    if (g->kind == WM_ALLOC_NONE) bind_alloc(g, WM_ALLOC_SEED, true, NULL);
  }
  if (!o.skip_initialize) {
    wm_func *init = wm_instance_func(inst, "_initialize");
    if (init) {
      wm_functype t = wm_func_type(init);
      if (t.nparams == 0 && t.nresults == 0) {
        int rc = wm_func_call(rt, init, NULL, 0, NULL, 0, err);
        if (rc) {
          wm__free(g);
          return rc;
        }
      }
    }
  }
  *out = g;
  return WM_OK;
}

wm_alloc_kind wm_guest_alloc_kind(const wm_guest *g) { return g ? g->kind : WM_ALLOC_NONE; }

bool wm_guest_can_free(const wm_guest *g) { return g && g->f_free; }
wm_memory *wm_guest_memory(wm_guest *g) { return g ? g->mem : NULL; }
wm_instance *wm_guest_instance(wm_guest *g) { return g ? g->inst : NULL; }

void wm_guest_get_stats(const wm_guest *g, wm_guest_stats *out) {
  if (!out) return;
  memset(out, 0, sizeof *out);
  if (g) *out = g->st;
}

/* ---------------------------------------------------------- guest allocator */

static int call_i32(wm_guest *g, wm_func *f, const int32_t *a, uint32_t n, int32_t *res,
                    wm_error *err) {
  wm_val args[4], r[1];
  for (uint32_t i = 0; i < n; i++) args[i] = wm_val_i32(a[i]);
  int rc = wm_func_call(g->rt, f, args, n, r, res ? 1 : 0, err);
  if (rc == 0 && res) *res = r[0].of.i32;
  return rc;
}

/* Ask the guest for size bytes; class_id is AssemblyScript's (0 for bytes). */
static int raw_alloc_(wm_guest *g, uint32_t size, uint32_t align, uint32_t class_id,
                      uint32_t *ptr, wm_error *err);

/* raw_alloc_ with the host entry point named for the checker's stacks. */
static int raw_alloc(wm_guest *g, uint32_t size, uint32_t align, uint32_t class_id,
                     uint32_t *ptr, wm_error *err) {
  const char *saved = wm__check_host_label(g->rt, "wm_guest_alloc");
  int rc = raw_alloc_(g, size, align, class_id, ptr, err);
  wm__check_host_label(g->rt, saved);
  return rc;
}

static int raw_alloc_(wm_guest *g, uint32_t size, uint32_t align, uint32_t class_id,
                      uint32_t *ptr, wm_error *err) {
  int32_t a[4], r = 0;
  int rc;
  switch (g->kind) {
  case WM_ALLOC_SEED:
    a[0] = (int32_t)size;
    rc = call_i32(g, g->f_alloc, a, 1, &r, err);
    break;
  case WM_ALLOC_MALLOC:
    a[0] = (int32_t)(size ? size : 1); /* malloc(0) may be NULL */
    rc = call_i32(g, g->f_alloc, a, 1, &r, err);
    break;
  case WM_ALLOC_WBINDGEN:
    a[0] = (int32_t)size, a[1] = (int32_t)align;
    rc = call_i32(g, g->f_alloc, a, g->alloc_np, &r, err);
    break;
  case WM_ALLOC_ASC:
    a[0] = (int32_t)size, a[1] = (int32_t)class_id;
    rc = call_i32(g, g->f_alloc, a, 2, &r, err);
    if (rc == 0 && r) {
      a[0] = r;
      rc = call_i32(g, g->f_pin, a, 1, &r, err);
    }
    break;
  case WM_ALLOC_CABI:
    a[0] = 0, a[1] = 0, a[2] = (int32_t)align, a[3] = (int32_t)size;
    rc = call_i32(g, g->f_alloc, a, 4, &r, err);
    break;
  default:
    return wm__error(err, WM_ENOALLOC, UINT32_MAX, "no guest allocator: %s", looked_for);
  }
  if (rc) return rc;
  if (r == 0 && size > 0)
    return wm__error(err, WM_ENOMEM, UINT32_MAX,
                     "guest allocator returned null for %u bytes (out of guest memory?)", size);
  if (!wm__in_range((uint32_t)r, size, g->mem->size))
    return wm__error(err, WM_EBOUNDS, UINT32_MAX,
                     "guest allocator returned [0x%x, +%u), out of bounds of memory of %llu bytes",
                     (unsigned)(uint32_t)r, size, (unsigned long long)g->mem->size);
  *ptr = (uint32_t)r;
  return WM_OK;
}

static int raw_free_(wm_guest *g, const slot *s, wm_error *err);

/* Give a slot's block back to the guest (raw_free_), the host entry point
** named for the checker's stacks. */
static int raw_free(wm_guest *g, const slot *s, wm_error *err) {
  const char *saved = wm__check_host_label(g->rt, "wm_block_free");
  int rc = raw_free_(g, s, err);
  wm__check_host_label(g->rt, saved);
  return rc;
}

static int raw_free_(wm_guest *g, const slot *s, wm_error *err) {
  int32_t a[3];
  switch (g->kind) {
  case WM_ALLOC_SEED:
    a[0] = (int32_t)s->free_ptr, a[1] = (int32_t)s->free_size;
    return call_i32(g, g->f_free, a, 2, NULL, err);
  case WM_ALLOC_MALLOC:
  case WM_ALLOC_ASC:
    a[0] = (int32_t)s->free_ptr;
    return call_i32(g, g->f_free, a, 1, NULL, err);
  case WM_ALLOC_WBINDGEN:
    a[0] = (int32_t)s->free_ptr, a[1] = (int32_t)s->free_size, a[2] = (int32_t)s->align;
    return call_i32(g, g->f_free, a, g->free_np, NULL, err);
  default:
    return wm__error(err, WM_ENOALLOC, UINT32_MAX,
                     "no guest free function to give block 0x%x back: %s", s->free_ptr,
                     g->kind == WM_ALLOC_NONE ? looked_for : "the convention has none");
  }
}

/* ------------------------------------------------------------------ blocks */

static wm_block handle_of(const wm_guest *g, uint32_t idx) {
  const slot *s = &g->slots[idx];
  wm_block b = {((uint64_t)s->gen << 32) | (idx + 1), s->ptr, s->len};
  return b;
}

/* The generation new slots start at; tests set it near the end of the
** generations to reach it without 2^32 allocations. */
static uint32_t first_gen = 1;
void wm__guest_first_gen(uint32_t gen) { first_gen = gen ? gen : 1; }

/* Record a new host-owned block. */
static int new_slot(wm_guest *g, uint32_t ptr, uint32_t len, uint32_t free_ptr,
                    uint32_t free_size, uint32_t align, uint32_t *idx, wm_error *err) {
  uint32_t i = 0;
  if (g->free_head) {
    i = g->free_head - 1;
    g->free_head = g->slots[i].next_free;
    g->slots[i].gen++;
  } else {
    if (g->nslots == UINT32_MAX - 1 ||
        wm__grow((void **)&g->slots, &g->cap, g->nslots + 1, sizeof *g->slots) != 0)
      return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
    i = g->nslots++;
    memset(&g->slots[i], 0, sizeof g->slots[i]);
    g->slots[i].gen = first_gen;
  }
  slot *s = &g->slots[i];
  s->state = ST_HOST;
  s->ptr = ptr, s->len = len;
  s->free_ptr = free_ptr, s->free_size = free_size, s->align = align;
  s->post = NULL;
  s->npost = 0;
  wm__check_host_owns(g->mem, free_ptr, true);
  g->st.live_blocks++;
  g->st.live_bytes += free_size;
  *idx = i;
  return WM_OK;
}

/* The block is no longer the host's: account for it and recycle its slot,
** unless its generation is spent: it would wrap to a value an old handle
** may still hold, so the slot is retired instead (one slot per 2^32 uses). */
static void end_slot(wm_guest *g, uint32_t i, int state) {
  slot *s = &g->slots[i];
  s->state = (uint8_t)state;
  wm__check_host_owns(g->mem, s->free_ptr, false);
  g->st.live_blocks--;
  g->st.live_bytes -= s->free_size;
  if (s->gen == UINT32_MAX) return;
  s->next_free = g->free_head;
  g->free_head = i + 1;
}

/* Find the host-owned slot of b; WM_EOWNERSHIP (saying why) otherwise. */
static int lookup(const wm_guest *g, wm_block b, const char *verb, uint32_t *idx, wm_error *err) {
  uint32_t i = (uint32_t)b.id, gen = (uint32_t)(b.id >> 32);
  if (!g) return wm__error(err, WM_EINVAL, UINT32_MAX, "NULL guest");
  if (i == 0 || i > g->nslots || gen == 0 || gen > g->slots[i - 1].gen)
    return wm__error(err, WM_EOWNERSHIP, UINT32_MAX,
                     "cannot %s block 0x%x: not a block handle of this guest", verb, b.ptr);
  const slot *s = &g->slots[i - 1];
  if (gen != s->gen)
    return wm__error(err, WM_EOWNERSHIP, UINT32_MAX,
                     "cannot %s block 0x%x (%u bytes): it was already freed or transferred",
                     verb, b.ptr, b.len);
  if (s->state == ST_FREED)
    return wm__error(err, WM_EOWNERSHIP, UINT32_MAX,
                     "cannot %s block 0x%x (%u bytes): it was already freed (double free)",
                     verb, s->ptr, s->len);
  if (s->state == ST_GUEST)
    return wm__error(err, WM_EOWNERSHIP, UINT32_MAX,
                     "cannot %s block 0x%x (%u bytes): it was transferred to the guest, "
                     "which frees it",
                     verb, s->ptr, s->len);
  *idx = i - 1;
  return WM_OK;
}

wm_owner wm_block_owner(const wm_guest *g, wm_block b) {
  uint32_t i = (uint32_t)b.id, gen = (uint32_t)(b.id >> 32);
  if (!g || i == 0 || i > g->nslots || gen != g->slots[i - 1].gen) return WM_OWNER_INVALID;
  switch (g->slots[i - 1].state) {
  case ST_HOST: return WM_OWNER_HOST;
  case ST_GUEST: return WM_OWNER_GUEST;
  case ST_FREED: return WM_OWNER_FREED;
  }
  return WM_OWNER_INVALID;
}

static int alloc_block(wm_guest *g, uint32_t len, uint32_t align, uint32_t class_id,
                       wm_block *out, wm_error *err) {
  uint32_t ptr = 0, idx = 0;
  /* Make room for the slot first, so that a host allocation failure cannot
  ** strand a guest block. */
  if (!g->free_head &&
      wm__grow((void **)&g->slots, &g->cap, g->nslots + 1, sizeof *g->slots) != 0)
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  int rc = raw_alloc(g, len, align, class_id, &ptr, err);
  if (rc) return rc;
  rc = new_slot(g, ptr, len, ptr, len, align, &idx, err);
  if (rc) return rc; /* unreachable: room was made above */
  g->st.allocated++;
  *out = handle_of(g, idx);
  return WM_OK;
}

int wm_guest_alloc(wm_guest *g, uint32_t len, wm_block *out, wm_error *err) {
  wm_block zero = {0, 0, 0};
  if (out) *out = zero;
  if (!g || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_guest_alloc: NULL argument");
  return alloc_block(g, len, 1, 0, out, err);
}

int wm_guest_alloc_copy(wm_guest *g, const void *src, size_t len, wm_block *out, wm_error *err) {
  wm_block zero = {0, 0, 0};
  if (out) *out = zero;
  if (!g || !out || (!src && len))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_guest_alloc_copy: NULL argument");
  if (len > UINT32_MAX)
    return wm__error(err, WM_ELIMIT, UINT32_MAX, "%zu bytes do not fit in a wasm32 guest", len);
  int rc = alloc_block(g, (uint32_t)len, 1, 0, out, err);
  if (rc) return rc;
  /* Checked again: memory cannot shrink, but say so in one place. */
  return wm_memory_write(g->mem, out->ptr, src, len, err);
}

int wm_guest_adopt(wm_guest *g, uint64_t ptr, uint64_t len, wm_block *out, wm_error *err) {
  wm_block zero = {0, 0, 0};
  uint32_t idx = 0;
  if (out) *out = zero;
  if (!g || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_guest_adopt: NULL argument");
  if (ptr == 0)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "guest returned a null pointer (length %llu)",
                     (unsigned long long)len);
  if (!wm__in_range(ptr, len, g->mem->size) || ptr > UINT32_MAX)
    return bounds_error(err, g->mem, ptr, len);
  int rc = new_slot(g, (uint32_t)ptr, (uint32_t)len, (uint32_t)ptr, (uint32_t)len, 1, &idx, err);
  if (rc) return rc;
  g->st.received++;
  *out = handle_of(g, idx);
  return WM_OK;
}

int wm_block_data(wm_guest *g, wm_block b, uint8_t **out, wm_error *err) {
  uint32_t i = 0;
  if (out) *out = NULL;
  int rc = lookup(g, b, "access", &i, err);
  if (rc) return rc;
  /* The host gets a pointer it will use directly: what the checker can
  ** say is whether the block is still there now. */
  if (g->mem->chk) wm__check_host_access(g->mem, g->slots[i].ptr, g->slots[i].len, false, "wm_block_data");
  return wm_memory_slice(g->mem, g->slots[i].ptr, g->slots[i].len, out, err);
}

int wm_block_transfer(wm_guest *g, wm_block b, wm_error *err) {
  uint32_t i = 0;
  int rc = lookup(g, b, "transfer", &i, err);
  if (rc) return rc;
  end_slot(g, i, ST_GUEST);
  g->st.transferred++;
  return WM_OK;
}

/* Free slot i (host-owned): the guest's free, or CABI's post-return. */
static int free_slot(wm_guest *g, uint32_t i, wm_error *err) {
  slot s = g->slots[i];
  int rc;
  /* End the slot before the guest runs: its free may call a host import
  ** that frees the same handle again, which must then see it freed. */
  if (g->kind != WM_ALLOC_NONE) end_slot(g, i, ST_FREED);
  if (g->kind == WM_ALLOC_CABI) {
    rc = s.post ? wm_func_call(g->rt, s.post, s.post_args, s.npost, NULL, 0, err) : WM_OK;
    g->st.freed++;
    if (!s.post || rc) {
      g->st.abandoned++;
      g->st.abandoned_bytes += s.free_size;
    }
    return rc;
  }
  if (g->kind == WM_ALLOC_NONE) return raw_free(g, &s, err);
  if (!g->f_free) {
    /* The seed convention without dealloc: nothing can take the block
    ** back, so the guest is not called. The slot has ended all the same
    ** (a second free is a double free) and the block counts as abandoned. */
    g->st.abandoned++;
    g->st.abandoned_bytes += s.free_size;
    return wm__error(err, WM_ENOALLOC, UINT32_MAX,
                     "the guest exports alloc but no dealloc: block 0x%x (%u bytes) cannot be "
                     "given back",
                     s.ptr, s.len);
  }
  rc = raw_free(g, &s, err);
  if (rc) {
    g->st.abandoned++;
    g->st.abandoned_bytes += s.free_size;
  } else {
    g->st.freed++;
  }
  return rc;
}

int wm_block_free(wm_guest *g, wm_block b, wm_error *err) {
  uint32_t i = 0;
  int rc = lookup(g, b, "free", &i, err);
  if (rc) return rc;
  return free_slot(g, i, err);
}

void wm_guest_free(wm_guest *g, wm_guest_stats *leaks) {
  if (!g) {
    if (leaks) memset(leaks, 0, sizeof *leaks); /* nothing leaked */
    return;
  }
  uint32_t nleak = 0;
  uint64_t leak_bytes = 0;
  for (uint32_t i = 0; i < g->nslots; i++) {
    if (g->slots[i].state != ST_HOST) continue;
    nleak++;
    leak_bytes += g->slots[i].free_size;
    if (g->kind == WM_ALLOC_NONE) {
      g->st.abandoned++;
      g->st.abandoned_bytes += g->slots[i].free_size;
      end_slot(g, i, ST_FREED);
      continue;
    }
    free_slot(g, i, NULL);
  }
  if (g->kind == WM_ALLOC_ASC && g->f_collect) wm_func_call(g->rt, g->f_collect, NULL, 0, NULL, 0, NULL);
  if (leaks) {
    *leaks = g->st;
    leaks->live_blocks = nleak;
    leaks->live_bytes = leak_bytes;
  }
  wm__free(g->slots);
  wm__free(g);
}

/* ---------------------------------------------------- AssemblyScript strings */

#define AS_STRING_ID 2u

int wm_guest_alloc_as_string(wm_guest *g, const char *utf8, size_t len, wm_block *out,
                             wm_error *err) {
  wm_block zero = {0, 0, 0};
  size_t bad;
  uint32_t cp;
  if (out) *out = zero;
  if (!g || !out || (!utf8 && len))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_guest_alloc_as_string: NULL argument");
  if (g->kind != WM_ALLOC_ASC)
    return wm__error(err, WM_ENOALLOC, UINT32_MAX,
                     "AssemblyScript strings need the asc allocator (__new, __pin, __unpin); "
                     "this guest's is %s", wm_alloc_kind_name(g->kind));
  const uint8_t *s = (const uint8_t *)utf8;
  if (!wm_utf8_valid(s, len, &bad))
    return wm__error(err, WM_EUTF8, UINT32_MAX, "invalid UTF-8 at byte %zu of the string", bad);
  size_t units = 0;
  for (size_t i = 0; i < len; i += utf8_seq(s, i, len, &cp)) {
    utf8_seq(s, i, len, &cp);
    units += cp >= 0x10000 ? 2 : 1;
  }
  if (units > UINT32_MAX / 2)
    return wm__error(err, WM_ELIMIT, UINT32_MAX, "string too long for a wasm32 guest");
  int rc = alloc_block(g, (uint32_t)(units * 2), 1, AS_STRING_ID, out, err);
  if (rc) return rc;
  uint8_t *p;
  rc = wm_memory_slice(g->mem, out->ptr, units * 2, &p, err);
  if (rc) return rc;
  for (size_t i = 0, k; i < len; i += k) {
    k = utf8_seq(s, i, len, &cp);
    if (cp >= 0x10000) {
      uint32_t hi = 0xD800 + ((cp - 0x10000) >> 10), lo = 0xDC00 + ((cp - 0x10000) & 0x3FF);
      *p++ = (uint8_t)hi, *p++ = (uint8_t)(hi >> 8);
      *p++ = (uint8_t)lo, *p++ = (uint8_t)(lo >> 8);
    } else {
      *p++ = (uint8_t)cp, *p++ = (uint8_t)(cp >> 8);
    }
  }
  return WM_OK;
}

/* The byte size of the AS String object at ptr, from its header (rtId at
** ptr-8 must be String's, rtSize at ptr-4). */
static int as_string_size(wm_guest *g, uint64_t ptr, uint32_t *size, wm_error *err) {
  uint32_t hdr[2];
  if (ptr < 20) return bounds_error(err, g->mem, ptr, 0);
  int rc = wm_memory_read_array(g->mem, ptr - 8, WM_ELEM_U32, hdr, 2, err);
  if (rc) return rc;
  if (hdr[0] != AS_STRING_ID)
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "object at guest address 0x%llx has class id %u, not String (%u)",
                     (unsigned long long)ptr, hdr[0], AS_STRING_ID);
  *size = hdr[1];
  return WM_OK;
}

int wm_guest_read_as_string(wm_guest *g, uint64_t ptr, char **out, size_t *out_len,
                            wm_error *err) {
  uint32_t size = 0;
  if (out) *out = NULL;
  if (!g || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_guest_read_as_string: NULL argument");
  int rc = as_string_size(g, ptr, &size, err);
  if (rc) return rc;
  return wm_memory_read_utf16(g->mem, ptr, size, out, out_len, err);
}

/* -------------------------------------------------------------------- calls */

static const char *const conv_names[] = {"none", "same-len", "out-ptr", "pair",
                                         "i64",  "cstr",     "len-prefix", "as-string"};

const char *wm_result_conv_name(wm_result_conv c) {
  return (unsigned)c < sizeof conv_names / sizeof conv_names[0] ? conv_names[c] : "?";
}

bool wm_result_conv_parse(const char *name, wm_result_conv *out) {
  for (unsigned i = 0; name && i < sizeof conv_names / sizeof conv_names[0]; i++)
    if (strcmp(name, conv_names[i]) == 0) {
      *out = (wm_result_conv)i;
      return true;
    }
  return false;
}

wm_arg wm_arg_string(const char *s) { return wm_arg_bytes(s, s ? strlen(s) : 0); }

/* What a call convention takes from the function's results. */
static uint32_t conv_results(wm_result_conv c, wm_valtype *t) {
  switch (c) {
  case WM_RESULT_SAME_LEN: case WM_RESULT_CSTR: case WM_RESULT_LEN_PREFIX:
  case WM_RESULT_AS_STRING:
    t[0] = WM_I32;
    return 1;
  case WM_RESULT_PAIR:
    t[0] = t[1] = WM_I32;
    return 2;
  case WM_RESULT_I64:
    t[0] = WM_I64;
    return 1;
  default:
    return 0;
  }
}

/* Work areas of one call, freed together. */
typedef struct call_state {
  wm_block *made;      /* per arg: the block made for it (id 0 if none) */
  wm_val *vals;        /* params, then results */
  wm_block outslot;
} call_state;

static void release_made(wm_guest *g, call_state *cs, uint32_t nargs) {
  for (uint32_t i = 0; cs->made && i < nargs; i++)
    if (cs->made[i].id && wm_block_owner(g, cs->made[i]) == WM_OWNER_HOST)
      wm_block_free(g, cs->made[i], NULL);
  if (cs->outslot.id && wm_block_owner(g, cs->outslot) == WM_OWNER_HOST)
    wm_block_free(g, cs->outslot, NULL);
  wm__free(cs->made);
  wm__free(cs->vals);
}

int wm_guest_call(wm_guest *g, const char *func, const wm_guest_call_options *opts,
                  const wm_arg *args, uint32_t nargs, wm_val *results, uint32_t nresults,
                  wm_block *out_block, wm_error *err) {
  wm_guest_call_options o = {0};
  wm_block zero = {0, 0, 0};
  call_state cs = {NULL, NULL, {0, 0, 0}};
  if (opts) o = *opts;
  if (!o.max_len) o.max_len = 16u << 20;
  if (out_block) *out_block = zero;
  if (!g || !func || (nargs && !args) || (nresults && !results))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_guest_call: NULL argument");
  if (o.result != WM_RESULT_NONE && !out_block)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_guest_call: a result convention needs out_block");
  if ((unsigned)o.result > WM_RESULT_AS_STRING)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "unknown result convention %d", (int)o.result);
  if (o.result == WM_RESULT_AS_STRING && g->kind != WM_ALLOC_ASC)
    return wm__error(err, WM_ENOALLOC, UINT32_MAX,
                     "the as-string result convention needs the asc allocator (__new, __pin, "
                     "__unpin); this guest's is %s", wm_alloc_kind_name(g->kind));
  wm_func *f = wm_instance_func(g->inst, func);
  if (!f) return wm__error(err, WM_ENOT_FOUND, UINT32_MAX, "no exported function '%s'", func);
  wm_functype ft = wm_func_type(f);

  /* Check the shape: params expanded from args, results the convention's. */
  uint32_t np = 0, first_len_arg = UINT32_MAX;
  for (uint32_t i = 0; i < nargs; i++) {
    bool range = args[i].kind == WM_ARG_BYTES || args[i].kind == WM_ARG_BLOCK;
    if (args[i].kind == WM_ARG_VALUE) {
      if (np >= ft.nparams || ft.params[np] != args[i].value.type) goto bad_params;
      np++;
      continue;
    }
    if ((unsigned)args[i].kind > WM_ARG_AS_STRING)
      return wm__error(err, WM_EINVAL, UINT32_MAX, "argument %u: unknown kind %d", i + 1,
                       (int)args[i].kind);
    if (first_len_arg == UINT32_MAX) first_len_arg = i;
    for (uint32_t k = 0; k < (range ? 2u : 1u); k++, np++)
      if (np >= ft.nparams || ft.params[np] != WM_I32) goto bad_params;
  }
  if (o.result == WM_RESULT_OUT_PTR) {
    if (np >= ft.nparams || ft.params[np] != WM_I32) goto bad_params;
    np++;
  }
  if (np != ft.nparams) goto bad_params;
  wm_valtype ct[2];
  uint32_t nc = conv_results(o.result, ct);
  if (ft.nresults != nc + nresults) goto bad_results;
  for (uint32_t i = 0; i < nc; i++)
    if (ft.results[i] != ct[i]) goto bad_results;
  if (o.result == WM_RESULT_SAME_LEN && first_len_arg == UINT32_MAX)
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "the same-len result convention needs a byte or string argument");
  for (uint32_t i = 0; i < nargs; i++)
    if (args[i].kind == WM_ARG_BLOCK) {
      uint32_t idx = 0;
      int rc = lookup(g, args[i].block, "pass", &idx, err);
      if (rc) return rc;
    }

  cs.made = wm__calloc(nargs ? nargs : 1, sizeof *cs.made);
  cs.vals = wm__calloc(ft.nparams + ft.nresults + 1, sizeof *cs.vals);
  if (!cs.made || !cs.vals) {
    release_made(g, &cs, nargs);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  int rc = WM_OK;
  uint64_t same_len = 0;
  np = 0;
  for (uint32_t i = 0; i < nargs; i++) {
    const wm_arg *a = &args[i];
    wm_block b = a->block;
    switch (a->kind) {
    case WM_ARG_VALUE:
      cs.vals[np++] = a->value;
      continue;
    case WM_ARG_BYTES:
      rc = wm_guest_alloc_copy(g, a->data, a->len, &cs.made[i], err);
      b = cs.made[i];
      break;
    case WM_ARG_AS_STRING:
      rc = wm_guest_alloc_as_string(g, a->data, a->len, &cs.made[i], err);
      b = cs.made[i];
      break;
    case WM_ARG_BLOCK:
      break;
    }
    if (rc) {
      release_made(g, &cs, nargs);
      return rc;
    }
    if (i == first_len_arg) same_len = b.len;
    cs.vals[np++] = wm_val_i32((int32_t)b.ptr);
    if (a->kind != WM_ARG_AS_STRING) cs.vals[np++] = wm_val_i32((int32_t)b.len);
  }
  if (o.result == WM_RESULT_OUT_PTR) {
    static const uint8_t zeros[8];
    rc = alloc_block(g, 8, 4, 0, &cs.outslot, err);
    if (!rc) rc = wm_memory_write(g->mem, cs.outslot.ptr, zeros, 8, err);
    if (rc) {
      release_made(g, &cs, nargs);
      return rc;
    }
    cs.vals[np++] = wm_val_i32((int32_t)cs.outslot.ptr);
  }
  /* Ownership moves before the call: if it traps half-way, the guest may
  ** already have freed the blocks, so the host must not free them again. */
  if (o.transfer)
    for (uint32_t i = 0; i < nargs; i++) {
      if (cs.made[i].id) wm_block_transfer(g, cs.made[i], NULL);
      else if (args[i].kind == WM_ARG_BLOCK) wm_block_transfer(g, args[i].block, NULL);
    }

  wm_val *res = cs.vals + ft.nparams;
  const char *saved_label = wm__check_host_label(g->rt, "wm_guest_call");
  rc = wm_func_call(g->rt, f, cs.vals, ft.nparams, res, ft.nresults, err);
  wm__check_host_label(g->rt, saved_label);
  if (rc) {
    release_made(g, &cs, nargs);
    return rc;
  }

  /* Decode the result block. */
  uint64_t rptr = 0, rlen = 0, fptr, fsize;
  bool want = o.result != WM_RESULT_NONE, pinned = false;
  switch (o.result) {
  case WM_RESULT_SAME_LEN:
    rptr = (uint32_t)res[0].of.i32, rlen = same_len;
    break;
  case WM_RESULT_CSTR:
    rptr = (uint32_t)res[0].of.i32;
    if (rptr) rc = cstr_len(g->mem, rptr, o.max_len, &rlen, err);
    break;
  case WM_RESULT_LEN_PREFIX: {
    uint32_t n = 0;
    rptr = (uint32_t)res[0].of.i32;
    if (rptr) rc = wm_memory_read_array(g->mem, rptr, WM_ELEM_U32, &n, 1, err);
    rlen = n;
    break;
  }
  case WM_RESULT_PAIR:
    rptr = (uint32_t)res[0].of.i32, rlen = (uint32_t)res[1].of.i32;
    break;
  case WM_RESULT_I64:
    rptr = (uint32_t)res[0].of.i64, rlen = (uint64_t)res[0].of.i64 >> 32;
    break;
  case WM_RESULT_AS_STRING: {
    /* Pinned once checked, so that the collector keeps the string until
    ** the block is freed (with __unpin). */
    uint32_t size = 0;
    rptr = (uint32_t)res[0].of.i32;
    if (rptr) rc = as_string_size(g, rptr, &size, err);
    rlen = size;
    if (!rc && rptr && !wm__in_range(rptr, rlen, g->mem->size))
      rc = bounds_error(err, g->mem, rptr, rlen);
    if (!rc && rptr) {
      int32_t a = (int32_t)rptr, r;
      rc = call_i32(g, g->f_pin, &a, 1, &r, err);
      pinned = rc == 0;
    }
    break;
  }
  case WM_RESULT_OUT_PTR: {
    uint32_t pl[2];
    rc = wm_memory_read_array(g->mem, cs.outslot.ptr, WM_ELEM_U32, pl, 2, err);
    rptr = pl[0], rlen = pl[1];
    break;
  }
  default:
    break;
  }
  fptr = rptr, fsize = rlen;
  if (o.result == WM_RESULT_CSTR) fsize = rlen + 1;
  if (o.result == WM_RESULT_LEN_PREFIX) rptr += 4, fsize = rlen + 4;
  if (!rc && want) {
    rc = wm_guest_adopt(g, rptr, rlen, out_block, err);
    if (!rc && !wm__in_range(fptr, fsize, g->mem->size)) rc = bounds_error(err, g->mem, fptr, fsize);
    if (!rc) {
      slot *s = &g->slots[(uint32_t)out_block->id - 1];
      s->free_ptr = (uint32_t)fptr;
      s->free_size = (uint32_t)fsize;
      g->st.live_bytes += fsize - rlen;
    } else if (out_block->id) {
      /* Not a block we can trust: forget it without calling the guest. */
      end_slot(g, (uint32_t)out_block->id - 1, ST_FREED);
      *out_block = zero;
    } else if (pinned) {
      int32_t a = (int32_t)rptr;
      call_i32(g, g->f_free, &a, 1, NULL, NULL); /* no block made: undo the pin */
    }
  }
  /* CABI: the callee's post-return function frees what the results point to. */
  if (!rc && g->kind == WM_ALLOC_CABI) {
    char name[256];
    snprintf(name, sizeof name, "cabi_post_%s", func);
    wm_func *post = wm_instance_func(g->inst, name);
    if (post && wm_func_type(post).nparams == ft.nresults && ft.nresults <= 2) {
      if (want) {
        slot *s = &g->slots[(uint32_t)out_block->id - 1];
        s->post = post;
        s->npost = ft.nresults;
        memcpy(s->post_args, res, ft.nresults * sizeof *res);
      } else {
        rc = wm_func_call(g->rt, post, res, ft.nresults, NULL, 0, err);
      }
    }
  }
  if (!rc)
    for (uint32_t i = 0; i < nresults; i++) results[i] = res[nc + i];
  release_made(g, &cs, nargs);
  return rc;

bad_params:
bad_results: {
  char have[160], want_s[8] = "";
  size_t o2 = 0;
  have[0] = 0;
  for (uint32_t i = 0; i < ft.nparams && o2 < sizeof have - 16; i++)
    o2 += (size_t)snprintf(have + o2, sizeof have - o2, "%s%s", i ? ", " : "",
                           ft.params[i] == WM_I32 ? "i32" : ft.params[i] == WM_I64 ? "i64"
                           : ft.params[i] == WM_F32 ? "f32" : ft.params[i] == WM_F64 ? "f64" : "ref");
  (void)want_s;
  return wm__error(err, WM_ETYPE, UINT32_MAX,
                   "function '%s' (params %s; %u results) does not match the arguments given "
                   "(byte and string arguments take (ptr: i32, len: i32), an AS string one "
                   "i32%s) and the %s result convention with %u more result(s)",
                   func, have[0] ? have : "none", ft.nresults,
                   o.result == WM_RESULT_OUT_PTR ? ", the out-pointer a last i32" : "",
                   wm_result_conv_name(o.result), nresults);
}
}

/* ------------------------------------------------- checked host functions */

typedef struct checked_fn {
  wm_checked_fn fn;
  void *data;
  uint32_t nparams;
  wm_param *params;
  char *name;
} checked_fn;

static int checked_trampoline(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  checked_fn *c = data;
  wm_hostarg small[16], *ha = small;
  if (c->nparams > 16) {
    ha = wm__calloc(c->nparams, sizeof *ha);
    if (!ha) return wm_call_ctx_trap(ctx, WM_TRAP_HOST, "out of host memory");
  }
  wm_memory *m = wm_call_ctx_memory(ctx);
  int rc = 0;
  uint32_t k = 0;
  for (uint32_t i = 0; i < c->nparams; i++) {
    memset(&ha[i], 0, sizeof ha[i]);
    if (c->params[i].kind == WM_PARAM_VALUE) {
      ha[i].value = args[k++];
      continue;
    }
    uint32_t ptr = (uint32_t)args[k].of.i32, len = (uint32_t)args[k + 1].of.i32;
    k += 2;
    ha[i].value = wm_val_i32((int32_t)ptr);
    ha[i].ptr = ptr;
    ha[i].len = len;
    if (!m) {
      rc = wm_call_ctx_trap(ctx, WM_TRAP_MEMORY_OOB,
                            "argument %u of host function '%s': the caller has no memory", i + 1,
                            c->name);
      break;
    }
    if (!wm__in_range(ptr, len, m->size)) {
      rc = wm_call_ctx_trap(ctx, WM_TRAP_MEMORY_OOB,
                            "argument %u of host function '%s': guest range [0x%x, +%u) is out of "
                            "bounds of memory of %llu bytes",
                            i + 1, c->name, ptr, len, (unsigned long long)m->size);
      break;
    }
    ha[i].data = m->base + ptr;
    if (m->chk) wm__check_host_access(m, ptr, len, false, c->name);
    size_t bad;
    if (c->params[i].kind == WM_PARAM_STRING && !wm_utf8_valid(ha[i].data, len, &bad)) {
      rc = wm_call_ctx_trap(ctx, WM_TRAP_HOST,
                            "argument %u of host function '%s': invalid UTF-8 at byte %zu of the "
                            "string (guest address 0x%llx)",
                            i + 1, c->name, bad, (unsigned long long)ptr + bad);
      break;
    }
  }
  if (!rc) rc = c->fn(ctx, ha, results, c->data);
  if (ha != small) wm__free(ha);
  return rc;
}

int wm_func_new_checked(wm_runtime *rt, const char *name, const wm_param *params,
                        uint32_t nparams, const wm_valtype *results, uint32_t nresults,
                        wm_checked_fn fn, void *data, wm_func **out, wm_error *err) {
  if (out) *out = NULL;
  if (!rt || !fn || !out || (nparams && !params) || (nresults && !results))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_func_new_checked: NULL argument");
  if (!name) name = "?";
  uint32_t nwasm = 0;
  for (uint32_t i = 0; i < nparams; i++) {
    if ((unsigned)params[i].kind > WM_PARAM_STRING)
      return wm__error(err, WM_EINVAL, UINT32_MAX, "parameter %u: unknown kind", i + 1);
    nwasm += params[i].kind == WM_PARAM_VALUE ? 1 : 2;
    if (nwasm > 1000)
      return wm__error(err, WM_ELIMIT, UINT32_MAX, "too many parameters");
  }
  size_t nlen = strlen(name);
  /* One allocation holds the closure, its parameter list and name; the
  ** runtime frees it. */
  size_t size = sizeof(checked_fn) + nparams * sizeof(wm_param) + nlen + 1;
  checked_fn *c = wm__malloc(size);
  wm_valtype *wp = wm__calloc(nwasm ? nwasm : 1, sizeof *wp);
  if (!c || !wp) {
    wm__free(c);
    wm__free(wp);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  c->fn = fn;
  c->data = data;
  c->nparams = nparams;
  c->params = (wm_param *)(c + 1);
  if (nparams) memcpy(c->params, params, nparams * sizeof *params);
  c->name = (char *)(c->params + nparams);
  memcpy(c->name, name, nlen + 1);
  uint32_t k = 0;
  for (uint32_t i = 0; i < nparams; i++) {
    if (params[i].kind == WM_PARAM_VALUE) wp[k++] = params[i].type;
    else wp[k++] = WM_I32, wp[k++] = WM_I32;
  }
  if (wm__rt_own(rt, c) != 0) {
    wm__free(c);
    wm__free(wp);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  wm_functype ft = {nwasm, nresults, wp, results};
  int rc = wm_func_new_host(rt, &ft, checked_trampoline, c, out, err);
  wm__free(wp);
  return rc;
}
