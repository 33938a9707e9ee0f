/* SPDX-License-Identifier: MIT */
/*
** spectest.c -- `wasmem spectest`: runs a spec script against the runtime,
** with the `spectest` host module the official tests import. One executor
** runs the commands (spec_exec); two readers feed it: the library's .wast
** reader (wm_script, for FILE.wast) and the reader of wast2json's JSON
** scripts (spectest_json.c).
*/
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char spectest_help[] =
    "usage: wasmem spectest FILE.wast|FILE.json [-v] [--checked] [--metered] [--eager]\n"
    "                        [--wasm2] [--aot [--bounds-checks]] [--max-gc-bytes SIZE]\n"
    "\n"
    "Run a spec test script: a .wast file directly (the WebAssembly spec's\n"
    "script format; chosen by the suffix .wast, or a first character '(' or\n"
    "';'), or a script made by wast2json (wabt 1.0.32) from one, whose module\n"
    "files are resolved relative to the directory of FILE.json (modules it\n"
    "gives as text, module quote and text assert_malformed, are skipped).\n"
    "All commands share one runtime, so registered modules are visible to\n"
    "later ones. Each failure prints one line; the last line is\n"
    "  N passed, N failed, N skipped\n"
    "and the exit status is 0 exactly when nothing failed.\n"
    "\n"
    "  -v         also print passing commands and full error messages\n"
    "  --checked  load every module for the guest heap checker's loop\n"
    "             (WM_MODULE_CHECKED, no checker attached): the same\n"
    "             results are expected from it as from the plain loop\n"
    "  --metered  load every module with fuel and poll points\n"
    "             (WM_MODULE_METERED) and give the runtime 10^12 units of\n"
    "             fuel: the same results are expected\n"
    "  --eager    lower every function while loading (WM_MODULE_EAGER)\n"
    "             instead of at its first call\n"
    "  --wasm2    judge modules by WebAssembly 2.0's rules where 3.0 changed\n"
    "             a meaning (WM_MODULE_WASM2: one memory, reserved zero\n"
    "             bytes where 3.0 has memory indexes): for 2.0 test suites\n"
    "  --aot      compile every module that loads to native code (wasmem\n"
    "             compile; the C compiler is $WASMEM_CC, else cc; with\n"
    "             --metered, metered code) and run that: the same results\n"
    "             are expected. A module the\n"
    "             translator does not support yet runs interpreted; the\n"
    "             line before the last counts both, and -v prints why\n"
    "             each interpreted module is not translated\n"
    "  --bounds-checks  with --aot: compiled code checks every access\n"
    "             (wasmem compile --bounds-checks) instead of guard pages\n"
    "  --max-gc-bytes SIZE  the runtime's budget of garbage-collected\n"
    "             objects (64K, 4M; default 1G): a small one makes the\n"
    "             collector run often\n";

/* --checked: modules are lowered for the checked interpreter loop;
** --metered: with FUEL instructions; --eager: all at load; --wasm2: judged
** by 2.0's rules (any may be given). */
static wm_module_options load_opts;
/* --aot: the C compiler, and how many modules ran compiled and how many
** interpreted (not translated yet). */
static const char *aot_cc;
static unsigned long aot_compiled, aot_interpreted;

/* ------------------------------------------------- the spectest host module */

static int spectest_print(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx, (void)args, (void)results, (void)data;
  return 0; /* the official tests only need the call to succeed, quietly */
}

int cli_define_spectest(wm_runtime *rt, wm_error *err) {
  static const wm_valtype i32[] = {WM_I32}, i64[] = {WM_I64}, f32[] = {WM_F32}, f64[] = {WM_F64};
  static const wm_valtype i32_f32[] = {WM_I32, WM_F32}, f64_f64[] = {WM_F64, WM_F64};
  static const struct {
    const char *name;
    uint32_t nparams;
    const wm_valtype *params;
  } prints[] = {
      {"print", 0, NULL},       {"print_i32", 1, i32},         {"print_i64", 1, i64},
      {"print_f32", 1, f32},    {"print_f64", 1, f64},         {"print_i32_f32", 2, i32_f32},
      {"print_f64_f64", 2, f64_f64},
  };
  int rc;
  for (size_t i = 0; i < sizeof prints / sizeof prints[0]; i++) {
    wm_functype ft = {prints[i].nparams, 0, prints[i].params, NULL};
    wm_func *f;
    if ((rc = wm_func_new_host(rt, &ft, spectest_print, NULL, &f, err)) != 0) return rc;
    if ((rc = wm_runtime_define_func(rt, "spectest", prints[i].name, f, err)) != 0) return rc;
  }
  const struct {
    const char *name;
    wm_val v;
  } globals[] = {
      {"global_i32", wm_val_i32(666)},
      {"global_i64", wm_val_i64(666)},
      {"global_f32", wm_val_f32(666.6f)},
      {"global_f64", wm_val_f64(666.6)},
  };
  for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++) {
    wm_global *g;
    if ((rc = wm_global_new(rt, globals[i].v, false, &g, err)) != 0) return rc;
    if ((rc = wm_runtime_define_global(rt, "spectest", globals[i].name, g, err)) != 0) return rc;
  }
  wm_table *t;
  wm_limits tl = {10, 20, true, false, false};
  if ((rc = wm_table_new(rt, WM_FUNCREF, tl, NULL, &t, err)) != 0) return rc;
  if ((rc = wm_runtime_define_table(rt, "spectest", "table", t, err)) != 0) return rc;
  wm_limits tl64 = {10, 20, true, false, true}; /* table64.wast imports it */
  if ((rc = wm_table_new(rt, WM_FUNCREF, tl64, NULL, &t, err)) != 0) return rc;
  if ((rc = wm_runtime_define_table(rt, "spectest", "table64", t, err)) != 0) return rc;
  wm_memory *m;
  wm_limits ml = {1, 2, true, false, false};
  if ((rc = wm_memory_new(rt, ml, &m, err)) != 0) return rc;
  if ((rc = wm_runtime_define_memory(rt, "spectest", "memory", m, err)) != 0) return rc;
  wm_limits sl = {1, 2, true, true, false}; /* the threads proposal's tests import it */
  if ((rc = wm_memory_new(rt, sl, &m, err)) != 0) return rc;
  return wm_runtime_define_memory(rt, "spectest", "shared_memory", m, err);
}

/* ------------------------------------------------------------ script state */

/* What became of a module command: later commands on it depend on this. */
typedef enum { MOD_NONE, MOD_OK, MOD_FAILED, MOD_SKIPPED } mod_state;

typedef struct named {
  char *name; /* may hold NUL bytes: namelen counts them */
  size_t namelen;
  wm_instance *inst;
  wm_module *mod; /* a module definition's, else unused */
  mod_state state;
  int line;
} named;

/* Names: of instances, or of module definitions (a namespace of their own). */
typedef struct names {
  named *v;
  size_t n, cap;
} names;

struct spec_run {
  const char *src; /* the .wast name for messages */
  char *src_copy;  /* spec_source's copy of it */
  bool verbose;
  wm_runtime *rt;
  wm_module **mods; /* every module loaded, freed after the runtime */
  size_t nmods, capmods;
  names insts, defs;
  named cur;     /* the most recent module or instance (name unused) */
  named lastdef; /* the most recent module definition (name unused) */
  unsigned long orphans; /* commands failed because cur did not load */
  int line;
  const char *type;
  unsigned long passed, failed, skipped;
};

static void pass(spec_run *s) {
  s->passed++;
  if (s->verbose) printf("%s:%d: %s: ok\n", s->src, s->line, s->type);
}

static void skip(spec_run *s) {
  s->skipped++;
  if (s->verbose) printf("%s:%d: %s: skipped (text module)\n", s->src, s->line, s->type);
}

static void vfail(spec_run *s, const char *fmt, va_list ap) {
  s->failed++;
  printf("%s:%d: %s: ", s->src, s->line, s->type);
  vprintf(fmt, ap);
  putchar('\n');
}

static void fail(spec_run *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(spec_run *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(s, fmt, ap);
  va_end(ap);
}

void spec_fail(spec_run *s, int line, const char *type, const char *fmt, ...) {
  va_list ap;
  s->line = line;
  s->type = type;
  va_start(ap, fmt);
  vfail(s, fmt, ap);
  va_end(ap);
}

/* Copied: a JSON script's name lives in its parsed document, which is
** freed before the last failures (orphans) are reported. */
void spec_source(spec_run *s, const char *name) {
  free(s->src_copy);
  s->src_copy = strdup(name);
  s->src = s->src_copy ? s->src_copy : "(script)";
}

/* The first line of a library message, for one-line reports. */
static int first_line_len(const char *msg) { return (int)strcspn(msg, "\n"); }

static const char *errmsg(const wm_error *err) {
  return err->message[0] ? err->message : wm_strerror(err->code);
}

/* The first line of an error message, with the byte offset of decoding
** errors when the message does not already name it. Static buffer. */
static const char *errline(const wm_error *err) {
  static char buf[640];
  const char *msg = errmsg(err), *at = strstr(msg, "at byte");
  int len = first_line_len(msg);
  if (err->offset != UINT32_MAX && !(at && at - msg < len))
    snprintf(buf, sizeof buf, "%.*s (at byte 0x%" PRIx32 ")", len, msg, err->offset);
  else
    snprintf(buf, sizeof buf, "%.*s", len, msg);
  return buf;
}

/* One line for a module rejected with WM_EUNSUPPORTED. */
static void fail_unsupported(spec_run *s, const wm_error *err) {
  const char *line = errline(err);
  if (strstr(line, "not supported yet")) fail(s, "%s", line);
  else fail(s, "not supported yet: %s", line);
}

/* Commands on a module that failed to load fail too, but one line for all
** of them is enough (SIMD files would otherwise print thousands). */
static void flush_orphans(spec_run *s) {
  if (s->orphans) {
    printf("%s:%d: module: %lu later command%s on this module counted as failed\n", s->src,
           s->cur.line, s->orphans, s->orphans == 1 ? "" : "s");
    s->orphans = 0;
  }
}

static bool push_module(spec_run *s, wm_module *mod) {
  if (s->nmods == s->capmods) {
    size_t ncap = s->capmods ? s->capmods * 2 : 16;
    wm_module **n = realloc(s->mods, ncap * sizeof *n);
    if (!n) return false;
    s->mods = n;
    s->capmods = ncap;
  }
  s->mods[s->nmods++] = mod;
  return true;
}

static bool same_name(const named *n, const char *name, size_t len) {
  return n->namelen == len && memcmp(n->name, name, len) == 0;
}

static bool set_name(names *ns, const char *name, size_t len, const named *val) {
  for (size_t i = 0; i < ns->n; i++) {
    if (same_name(&ns->v[i], name, len)) {
      char *keep = ns->v[i].name;
      ns->v[i] = *val;
      ns->v[i].name = keep;
      ns->v[i].namelen = len;
      return true;
    }
  }
  if (ns->n == ns->cap) {
    size_t ncap = ns->cap ? ns->cap * 2 : 8;
    named *n = realloc(ns->v, ncap * sizeof *n);
    if (!n) return false;
    ns->v = n;
    ns->cap = ncap;
  }
  char *copy = malloc(len + 1);
  if (!copy) return false;
  memcpy(copy, name, len);
  copy[len] = '\0';
  ns->v[ns->n] = *val;
  ns->v[ns->n].name = copy;
  ns->v[ns->n].namelen = len;
  ns->n++;
  return true;
}

/* The entry a command refers to: by name, else the latest (dflt). */
static const named *find_name(const names *ns, const named *dflt, const char *name, size_t len) {
  if (!name) return dflt;
  for (size_t i = 0; i < ns->n; i++)
    if (same_name(&ns->v[i], name, len)) return &ns->v[i];
  return NULL;
}

static const named *find_module(spec_run *s, const char *name, size_t len) {
  return find_name(&s->insts, &s->cur, name, len);
}

static void free_names(names *ns) {
  for (size_t i = 0; i < ns->n; i++) free(ns->v[i].name);
  free(ns->v);
}

/* --------------------------------------------------------------- patterns */

/* Do the bits of a float of the given width match a NaN pattern
** (nan:canonical: the quiet NaN with an empty payload, either sign;
** nan:arithmetic: any quiet NaN)? */
static bool nan_matches(int kind, uint64_t bits, unsigned width) {
  uint64_t quiet_nan = width == 4 ? 0x7fc00000u : UINT64_C(0x7ff8000000000000);
  uint64_t sign = width == 4 ? 0x80000000u : UINT64_C(0x8000000000000000);
  if (kind == WM_PAT_NAN_CANONICAL) return (bits & ~sign) == quiet_nan;
  return (bits & quiet_nan) == quiet_nan;
}

/* The lane shape of a v128 pattern (i32x4 when it names none). */
static const cli_shape *pat_shape(const wm_script_pat *p) {
  const cli_shape *sh = p->shape ? cli_shape_find(p->shape, strlen(p->shape)) : NULL;
  return sh ? sh : cli_shape_default;
}

/* The first lane of a v128 result that does not match a v128 pattern, or
** -1 when all do. */
static int v128_mismatch(const wm_script_pat *p, const uint8_t got[16]) {
  const cli_shape *sh = pat_shape(p);
  for (unsigned i = 0; i < sh->lanes; i++) {
    uint64_t bits = cli_lane_get(got, sh, i);
    int nan = sh->kind == 'f' && i < 4 ? p->lane_nan[i] : 0;
    if (nan ? !nan_matches(nan, bits, sh->width) : bits != cli_lane_get(p->val.of.v128, sh, i))
      return (int)i;
  }
  return -1;
}

/* A non-null anyref pattern (any_kind) against a value of rt. */
static bool any_matches(const wm_runtime *rt, const wm_script_pat *p, const void *ref) {
  wm_anyref_kind k = wm_anyref_kind_of(rt, ref);
  if (k == WM_ANY_NULL || k == WM_ANY_FOREIGN) return false;
  switch (p->any_kind) {
    case WM_ANY_NULL: return true;
    case WM_PAT_ANY_EQ: return k != WM_ANY_HOST;
    case WM_ANY_HOST: return wm_anyref_host_value(rt, ref) == p->val.of.ref;
    default: return k == p->any_kind;
  }
}

static bool pat_matches(const wm_runtime *rt, const wm_script_pat *p, const wm_val *got) {
  if (p->kind == WM_PAT_EITHER) {
    for (uint32_t i = 0; i < p->neither; i++)
      if (pat_matches(rt, &p->either[i], got)) return true;
    return false;
  }
  if (p->kind == WM_PAT_REF_NULL && p->val.type == 0) /* (ref.null): of any type */
    return (got->type == WM_FUNCREF || got->type == WM_EXTERNREF || got->type == WM_EXNREF ||
            got->type == WM_ANYREF) &&
           got->of.ref == NULL;
  if (got->type != p->val.type) return false;
  switch (p->kind) {
    case WM_PAT_NAN_CANONICAL:
    case WM_PAT_NAN_ARITHMETIC:
      return got->type == WM_F32 ? nan_matches(p->kind, got->of.f32_bits, 4)
                                 : nan_matches(p->kind, got->of.f64_bits, 8);
    case WM_PAT_REF_NULL: return got->of.ref == NULL;
    case WM_PAT_REF_NONNULL:
      return got->type == WM_ANYREF ? any_matches(rt, p, got->of.ref) : got->of.ref != NULL;
    default: break;
  }
  switch (got->type) {
    case WM_I32: return got->of.i32 == p->val.of.i32;
    case WM_F32: return got->of.f32_bits == p->val.of.f32_bits;
    case WM_I64: return got->of.i64 == p->val.of.i64;
    case WM_F64: return got->of.f64_bits == p->val.of.f64_bits;
    case WM_V128: return v128_mismatch(p, got->of.v128) < 0;
    case WM_FUNCREF: return got->of.ref != NULL; /* a funcref is never given by value */
    default: return got->of.ref == p->val.of.ref;
  }
}

/* A message being written into a fixed buffer; what does not fit is cut. */
typedef struct textbuf {
  char *p;
  size_t n, len;
} textbuf;

static void put(textbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(textbuf *t, const char *fmt, ...) {
  if (t->len >= t->n) return;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(t->p + t->len, t->n - t->len, fmt, ap);
  va_end(ap);
  if (k > 0) t->len = (size_t)k < t->n - t->len ? t->len + (size_t)k : t->n;
}

/* A lane as its bits (the form wast2json writes), and a float's value. */
static void put_lane(textbuf *t, const cli_shape *sh, uint64_t bits) {
  char val[40];
  put(t, "%" PRIu64, bits);
  if (sh->kind == 'f') {
    cli_format_lane(val, sizeof val, sh, bits);
    put(t, " (%s)", val);
  }
}

static const char *nan_name(int kind) {
  return kind == WM_PAT_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic";
}

/* Write a pattern as "i32:42", "f32:nan:canonical" or "i32x4:[1, 2, 3, 4]". */
static void describe_pat(textbuf *t, const wm_script_pat *p) {
  const char *type = wm_valtype_name(p->val.type);
  switch (p->kind) {
    case WM_PAT_NAN_CANONICAL:
    case WM_PAT_NAN_ARITHMETIC: put(t, "%s:%s", type, nan_name(p->kind)); return;
    case WM_PAT_REF_NULL: put(t, "%s:null", p->val.type ? type : "ref"); return;
    case WM_PAT_REF_NONNULL: put(t, "%s:non-null", type); return;
    case WM_PAT_EITHER:
      put(t, "one of ");
      for (uint32_t i = 0; i < p->neither; i++) {
        if (i) put(t, " | ");
        describe_pat(t, &p->either[i]);
      }
      return;
    default: break;
  }
  switch (p->val.type) {
    case WM_I32: put(t, "i32:%" PRIu32, (uint32_t)p->val.of.i32); return;
    case WM_F32: put(t, "f32:%" PRIu32, p->val.of.f32_bits); return;
    case WM_I64: put(t, "i64:%" PRIu64, (uint64_t)p->val.of.i64); return;
    case WM_F64: put(t, "f64:%" PRIu64, p->val.of.f64_bits); return;
    case WM_EXTERNREF: put(t, "externref:%" PRIuPTR, (uintptr_t)p->val.of.ref - 1); return;
    case WM_V128: break;
    default: put(t, "%s:?", type); return;
  }
  const cli_shape *sh = pat_shape(p);
  put(t, "%s:[", sh->name);
  for (unsigned i = 0; i < sh->lanes; i++) {
    int nan = sh->kind == 'f' && i < 4 ? p->lane_nan[i] : 0;
    if (i) put(t, ", ");
    if (nan) put(t, "%s", nan_name(nan));
    else put_lane(t, sh, cli_lane_get(p->val.of.v128, sh, i));
  }
  put(t, "]");
}

/* Write a result; a v128 in the lane shape sh (i32x4 when NULL). */
static void describe_val(textbuf *t, const wm_val *v, const cli_shape *sh) {
  switch (v->type) {
  case WM_I32: put(t, "i32:%" PRIu32, (uint32_t)v->of.i32); break;
  case WM_I64: put(t, "i64:%" PRIu64, (uint64_t)v->of.i64); break;
  case WM_F32: put(t, "f32:%" PRIu32 " (%.9g)", v->of.f32_bits, (double)wm_val_as_f32(*v)); break;
  case WM_F64: put(t, "f64:%" PRIu64 " (%.17g)", v->of.f64_bits, wm_val_as_f64(*v)); break;
  case WM_FUNCREF:
  case WM_EXNREF:
  case WM_ANYREF: put(t, "%s:%s", wm_valtype_name(v->type), v->of.ref ? "non-null" : "null"); break;
  case WM_EXTERNREF:
    if (v->of.ref) put(t, "externref:%" PRIuPTR, (uintptr_t)v->of.ref - 1);
    else put(t, "externref:null");
    break;
  case WM_V128:
    if (!sh) sh = cli_shape_default;
    put(t, "%s:[", sh->name);
    for (unsigned i = 0; i < sh->lanes; i++) {
      if (i) put(t, ", ");
      put_lane(t, sh, cli_lane_get(v->of.v128, sh, i));
    }
    put(t, "]");
    break;
  default: put(t, "type 0x%x", (unsigned)v->type); break;
  }
}

/* One line for a result that matched no expectation. A v128 result is
** shown in the expected lane shape, with the first lane that differs. */
static void fail_result(spec_run *s, const wm_script_cmd *c, uint32_t i, const wm_script_pat *want,
                        const wm_val *got) {
  char buf[2048];
  textbuf t = {buf, sizeof buf, 0};
  const wm_script_pat *e = want->kind == WM_PAT_EITHER ? &want->either[0] : want;
  const cli_shape *sh = e->val.type == WM_V128 ? pat_shape(e) : NULL;
  put(&t, "%.*s: result %" PRIu32 ": expected ", (int)c->action.field_len, c->action.field, i);
  describe_pat(&t, want);
  put(&t, ", got ");
  describe_val(&t, got, sh);
  if (want->kind != WM_PAT_EITHER && sh && got->type == WM_V128)
    put(&t, " (lane %d differs)", v128_mismatch(e, got->of.v128));
  fail(s, "%s", buf);
}

/* ---------------------------------------------------------------- actions */

/* Outcome of running an action, besides a library code (0 or negative). */
enum { ACT_SKIPPED = 1, ACT_NO_MODULE, ACT_BAD };

typedef struct action_result {
  wm_val *vals; /* nresults results, malloc'ed */
  uint32_t nresults;
  wm_error err;
  const char *why; /* for ACT_NO_MODULE / ACT_BAD */
} action_result;

/* Run an invoke or get action. Returns 0, a negative library code (err set),
** or one of ACT_*. */
static int run_action(spec_run *s, const wm_script_action *a, action_result *r) {
  memset(r, 0, sizeof *r);
  const named *m = find_module(s, a->module, a->module_len);
  if (!m || m->state == MOD_NONE) {
    r->why = "no such module";
    return ACT_BAD;
  }
  if (m->state == MOD_SKIPPED) return ACT_SKIPPED;
  if (m->state == MOD_FAILED) {
    r->why = "the module did not load";
    return ACT_NO_MODULE;
  }
  if (a->kind == WM_SCRIPT_GET) {
    wm_global *g = wm_instance_export(m->inst, a->field, a->field_len, WM_EXTERN_GLOBAL);
    if (!g) {
      r->why = "no such global export";
      return ACT_BAD;
    }
    r->vals = malloc(sizeof *r->vals);
    if (!r->vals) {
      r->why = "out of memory";
      return ACT_BAD;
    }
    r->vals[0] = wm_global_get(g);
    r->nresults = 1;
    return 0;
  }
  wm_func *f = wm_instance_export(m->inst, a->field, a->field_len, WM_EXTERN_FUNC);
  if (!f) {
    r->why = "no such function export";
    return ACT_BAD;
  }
  wm_functype ft = wm_func_type(f);
  if (a->nargs != ft.nparams) {
    r->why = "wrong number of arguments";
    return ACT_BAD;
  }
  r->vals = calloc(ft.nresults ? ft.nresults : 1, sizeof *r->vals);
  if (!r->vals) {
    r->why = "out of memory";
    return ACT_BAD;
  }
  r->nresults = ft.nresults;
  /* (ref.host N) arguments become host references of the runtime. */
  wm_val *args = NULL;
  for (uint32_t i = 0; i < a->nargs && !args; i++)
    if (a->args[i].type == WM_ANYREF && a->args[i].of.ref) {
      if (!(args = malloc(a->nargs * sizeof *args))) {
        r->why = "out of memory";
        return ACT_BAD;
      }
      memcpy(args, a->args, a->nargs * sizeof *args);
    }
  for (uint32_t i = 0; args && i < a->nargs; i++)
    if (args[i].type == WM_ANYREF && args[i].of.ref &&
        wm_anyref_host(s->rt, a->args[i].of.ref, &args[i].of.ref)) {
      free(args);
      r->why = "cannot make a host reference";
      return ACT_BAD;
    }
  int rc = wm_func_call(s->rt, f, args ? args : a->args, ft.nparams, r->vals, ft.nresults, &r->err);
  free(args);
  return rc;
}

/* Report an action that could not run as the command expected; returns
** true when it was handled (skipped, or failed with a line). */
static bool action_trouble(spec_run *s, int rc, const action_result *r) {
  if (rc == ACT_SKIPPED) {
    skip(s);
    return true;
  }
  if (rc == ACT_NO_MODULE) {
    s->failed++;
    s->orphans++;
    if (s->verbose) printf("%s:%d: %s: %s\n", s->src, s->line, s->type, r->why);
    return true;
  }
  if (rc == ACT_BAD) {
    fail(s, "%s", r->why);
    return true;
  }
  return false;
}

static void cmd_action(spec_run *s, const wm_script_cmd *c, bool check) {
  action_result r;
  int rc = run_action(s, &c->action, &r);
  if (action_trouble(s, rc, &r)) goto done;
  if (rc != 0) {
    fail(s, "unexpected %s: %.*s", wm_is_trap(rc) ? "trap" : "error",
         first_line_len(errmsg(&r.err)), errmsg(&r.err));
    if (s->verbose) printf("  %s\n", errmsg(&r.err));
    goto done;
  }
  if (check) {
    if (c->nresults != r.nresults) {
      fail(s, "expected %" PRIu32 " result%s, got %" PRIu32, c->nresults,
           c->nresults == 1 ? "" : "s", r.nresults);
      goto done;
    }
    for (uint32_t i = 0; i < c->nresults; i++) {
      if (!pat_matches(s->rt, &c->results[i], &r.vals[i])) {
        fail_result(s, c, i, &c->results[i], &r.vals[i]);
        goto done;
      }
    }
  }
  pass(s);
done:
  free(r.vals);
}

/* The action must trap with a message that starts with the expected text. */
static void cmd_assert_trap(spec_run *s, const wm_script_cmd *c, bool exhaustion) {
  const char *text = c->text;
  action_result r;
  int rc = run_action(s, &c->action, &r);
  if (action_trouble(s, rc, &r)) goto done;
  if (rc == 0) {
    fail(s, "expected trap \"%s\", got success", text);
  } else if (!wm_is_trap(rc) || (exhaustion && rc != WM_TRAP_STACK_EXHAUSTED)) {
    fail(s, "expected trap \"%s\", got %s: %.*s", text, wm_errname(rc),
         first_line_len(errmsg(&r.err)), errmsg(&r.err));
  } else if (strncmp(errmsg(&r.err), text, strlen(text)) != 0) {
    fail(s, "expected trap \"%s\", got trap \"%.*s\"", text, first_line_len(errmsg(&r.err)),
         errmsg(&r.err));
  } else {
    if (s->verbose) printf("%s:%d: %s: trapped: %s\n", s->src, s->line, s->type, errmsg(&r.err));
    pass(s);
  }
done:
  free(r.vals);
}

/* assert_exception: the action ends with an exception nothing caught (not
** a trap). */
static void cmd_assert_exception(spec_run *s, const wm_script_cmd *c) {
  action_result r;
  int rc = run_action(s, &c->action, &r);
  if (action_trouble(s, rc, &r)) goto done;
  if (rc == WM_EXCEPTION) {
    if (s->verbose) printf("%s:%d: %s: %s\n", s->src, s->line, s->type, errmsg(&r.err));
    pass(s);
  } else if (rc == 0) {
    fail(s, "expected an exception, got success");
  } else {
    fail(s, "expected an exception, got %s: %.*s", wm_errname(rc), first_line_len(errmsg(&r.err)),
         errmsg(&r.err));
  }
done:
  free(r.vals);
}

/* ---------------------------------------------------------------- modules */

/* --aot: compile a loaded module and replace *mod by the native one; a
** module the translator refuses stays interpreted (with -v, saying why). */
static int compile_native(spec_run *s, wm_module **mod, wm_error *err) {
  const char *tmpdir = getenv("TMPDIR");
  char so[4096];
  snprintf(so, sizeof so, "%s/wasmem-spectest-XXXXXX.so", tmpdir && *tmpdir ? tmpdir : "/tmp");
  int fd = mkstemps(so, 3);
  if (fd < 0) {
    snprintf(err->message, sizeof err->message, "cannot make a temporary file");
    return err->code = WM_EIO;
  }
  close(fd);
  /* What --metered loads must be metered: a metered load refuses an
  ** unmetered object (wm_module_load_native). */
  unsigned flags = (cli_bounds_checks ? WM_COMPILE_BOUNDS_CHECKS : 0u) |
                   (load_opts.flags & WM_MODULE_METERED ? WM_COMPILE_METERED : 0u);
  int rc = cli_compile_module(*mod, so, aot_cc, 1, flags, err);
  if (rc == WM_EUNSUPPORTED) {
    aot_interpreted++;
    if (s->verbose) printf("%s:%d: %s: interpreted: %s\n", s->src, s->line, s->type, err->message);
    rc = 0;
  } else if (rc == 1) {
    snprintf(err->message, sizeof err->message, "the C compiler failed on the translated module");
    rc = err->code = WM_EIO;
  } else if (rc == 0) {
    wm_module *native;
    rc = wm_module_load_native(so, &load_opts, &native, err);
    if (rc == 0) {
      wm_module_free(*mod);
      *mod = native;
      aot_compiled++;
    }
  }
  unlink(so);
  return rc;
}

/* Load a command's module; returns a library code, with *out set on
** success and kept for freeing after the runtime. */
static int load(spec_run *s, const wm_script_cmd *c, wm_module **out, wm_error *err) {
  int rc = wm_module_load(c->module, c->module_len, &load_opts, out, err);
  if (rc == 0 && aot_cc) {
    rc = compile_native(s, out, err);
    if (rc) {
      wm_module_free(*out);
      *out = NULL;
    }
  }
  if (rc == 0 && !push_module(s, *out)) {
    wm_module_free(*out);
    *out = NULL;
    snprintf(err->message, sizeof err->message, "out of memory");
    return err->code = WM_ENOMEM;
  }
  return rc;
}

/* module, and module definition: loaded, then instantiated unless a
** definition. */
static void cmd_module(spec_run *s, const wm_script_cmd *c) {
  bool def = c->kind == WM_SCRIPT_MODULE_DEFINITION;
  if (!def) flush_orphans(s);
  named st = {NULL, 0, NULL, NULL, MOD_FAILED, s->line};
  if (!c->module) {
    st.state = MOD_SKIPPED;
    skip(s);
  } else {
    wm_error err;
    int rc = load(s, c, &st.mod, &err);
    if (rc == 0 && !def) rc = wm_instance_new(s->rt, st.mod, NULL, &st.inst, &err);
    if (rc == WM_EUNSUPPORTED) {
      fail_unsupported(s, &err);
    } else if (rc != 0) {
      fail(s, "%s: %s", wm_errname(rc), errline(&err));
      if (s->verbose) printf("  %s\n", errmsg(&err));
    } else {
      st.state = MOD_OK;
      pass(s);
    }
  }
  *(def ? &s->lastdef : &s->cur) = st;
  if (c->id && !set_name(def ? &s->defs : &s->insts, c->id, c->id_len, &st)) fail(s, "out of memory");
}

/* module instance: a new instance of a definition. */
static void cmd_instance(spec_run *s, const wm_script_cmd *c) {
  flush_orphans(s);
  named st = {NULL, 0, NULL, NULL, MOD_FAILED, s->line};
  const named *d = find_name(&s->defs, &s->lastdef, c->def, c->def_len);
  wm_error err;
  if (!d || d->state == MOD_NONE) {
    fail(s, "unknown module definition");
  } else if (d->state != MOD_OK) {
    fail(s, "the module definition did not load");
  } else if (wm_instance_new(s->rt, d->mod, NULL, &st.inst, &err) != 0) {
    fail(s, "%s: %s", wm_errname(err.code), errline(&err));
  } else {
    st.state = MOD_OK;
    pass(s);
  }
  s->cur = st;
  if (c->id && !set_name(&s->insts, c->id, c->id_len, &st)) fail(s, "out of memory");
}

static void cmd_register(spec_run *s, const wm_script_cmd *c) {
  const named *m = find_module(s, c->id, c->id_len);
  wm_error err;
  if (!m || m->state == MOD_NONE) {
    fail(s, "malformed register command or unknown module");
  } else if (memchr(c->name, '\0', c->name_len)) {
    fail(s, "cannot register a name holding a NUL byte"); /* the API takes C strings */
  } else if (m->state == MOD_SKIPPED) {
    skip(s);
  } else if (m->state == MOD_FAILED) {
    fail(s, "cannot register \"%s\": the module did not load", c->name);
  } else if (wm_runtime_register(s->rt, c->name, m->inst, &err) != 0) {
    fail(s, "cannot register \"%s\": %s", c->name, errmsg(&err));
  } else {
    pass(s);
  }
}

/* assert_malformed / assert_invalid: the module must fail to load. */
static void cmd_assert_bad_module(spec_run *s, const wm_script_cmd *c) {
  if (!c->module) {
    skip(s);
    return;
  }
  wm_module *mod;
  wm_error err;
  int rc = load(s, c, &mod, &err);
  if (rc == WM_EMALFORMED || rc == WM_EINVALID) {
    if (s->verbose) printf("%s:%d: %s: \"%s\" -> %s\n", s->src, s->line, s->type, c->text, errmsg(&err));
    pass(s);
  } else if (rc == 0) {
    fail(s, "expected \"%s\", but the module loaded", c->text);
  } else if (rc == WM_EUNSUPPORTED) {
    fail_unsupported(s, &err);
  } else {
    fail(s, "expected \"%s\", got %s: %s", c->text, wm_errname(rc), errline(&err));
  }
}

/* assert_unlinkable / assert_uninstantiable: the module loads, and
** instantiation fails at linking or traps. */
static void cmd_assert_instantiate(spec_run *s, const wm_script_cmd *c, bool unlinkable) {
  if (!c->module) {
    skip(s);
    return;
  }
  const char *text = c->text;
  wm_module *mod;
  wm_instance *inst;
  wm_error err;
  int rc = load(s, c, &mod, &err);
  if (rc == WM_EUNSUPPORTED) {
    fail_unsupported(s, &err);
    return;
  }
  if (rc != 0) {
    fail(s, "module did not load: %s", errline(&err));
    return;
  }
  rc = wm_instance_new(s->rt, mod, NULL, &inst, &err);
  bool ok = unlinkable ? rc == WM_EUNKNOWN_IMPORT || rc == WM_EINCOMPATIBLE_IMPORT
                       : wm_is_trap(rc) && strncmp(errmsg(&err), text, strlen(text)) == 0;
  if (ok) {
    if (s->verbose)
      printf("%s:%d: %s: \"%s\" -> %s\n", s->src, s->line, s->type, text, errmsg(&err));
    pass(s);
  } else if (rc == 0) {
    fail(s, "expected \"%s\", but instantiation succeeded", text);
  } else {
    fail(s, "expected \"%s\", got %s: %.*s", text, wm_errname(rc), first_line_len(errmsg(&err)),
         errmsg(&err));
  }
}

/* ------------------------------------------------------------- executor */

void spec_exec(spec_run *s, const wm_script_cmd *c) {
  s->line = (int)c->line;
  s->type = wm_script_kind_name(c->kind);
  switch (c->kind) {
    case WM_SCRIPT_MODULE:
    case WM_SCRIPT_MODULE_DEFINITION: cmd_module(s, c); break;
    case WM_SCRIPT_REGISTER: cmd_register(s, c); break;
    case WM_SCRIPT_MODULE_INSTANCE: cmd_instance(s, c); break;
    case WM_SCRIPT_ACTION: cmd_action(s, c, false); break;
    case WM_SCRIPT_ASSERT_RETURN: cmd_action(s, c, true); break;
    case WM_SCRIPT_ASSERT_TRAP: cmd_assert_trap(s, c, false); break;
    case WM_SCRIPT_ASSERT_EXHAUSTION: cmd_assert_trap(s, c, true); break;
    case WM_SCRIPT_ASSERT_MALFORMED:
    case WM_SCRIPT_ASSERT_INVALID: cmd_assert_bad_module(s, c); break;
    case WM_SCRIPT_ASSERT_UNLINKABLE: cmd_assert_instantiate(s, c, true); break;
    case WM_SCRIPT_ASSERT_UNINSTANTIABLE: cmd_assert_instantiate(s, c, false); break;
    case WM_SCRIPT_ASSERT_EXCEPTION: cmd_assert_exception(s, c); break;
    default: fail(s, "%s", c->text && c->text[0] ? c->text : "unknown command"); break;
  }
  fflush(stdout);
}

/* ------------------------------------------------------------------ driver */

char *spec_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    cli_error("%s: %s", path, strerror(errno));
    return NULL;
  }
  char *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n + 1 >= cap) {
      size_t ncap = cap ? cap * 2 : 65536;
      char *nb = realloc(buf, ncap);
      if (!nb) {
        cli_error("%s: out of memory", path);
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    cli_error("%s: read error", path);
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* A .wast script through the library's reader. A script that stops
** following the format counts one failure, after the commands before it. */
static void run_wast(spec_run *s, const char *path, const char *text, size_t len) {
  wm_script *sc;
  wm_error err;
  const wm_script_cmd *c;
  int rc = wm_script_open(text, len, path, &sc, &err);
  while (rc == 0 && (rc = wm_script_next(sc, &c, &err)) == 1) {
    spec_exec(s, c);
    rc = 0;
  }
  if (rc < 0) {
    s->failed++;
    printf("%s\n", errmsg(&err));
  }
  wm_script_free(sc);
}

/* Is the script .wast (by its suffix, or a first character that JSON
** never starts with)? */
static bool is_wast(const char *path, const char *text) {
  size_t n = strlen(path);
  if (n >= 5 && strcmp(path + n - 5, ".wast") == 0) return true;
  text += strspn(text, " \t\r\n");
  return *text == '(' || *text == ';';
}

int cli_spectest(int argc, char **argv) {
  const char *path = NULL;
  wm_runtime_options ro;
  memset(&ro, 0, sizeof ro);
  bool verbose = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      fputs(spectest_help, stdout);
      return 0;
    } else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
      verbose = true;
    } else if (strcmp(argv[i], "--checked") == 0) {
      load_opts.flags |= WM_MODULE_CHECKED;
    } else if (strcmp(argv[i], "--metered") == 0) {
      load_opts.flags |= WM_MODULE_METERED;
    } else if (strcmp(argv[i], "--eager") == 0) {
      load_opts.flags |= WM_MODULE_EAGER;
    } else if (strcmp(argv[i], "--aot") == 0) {
      const char *cc = getenv("WASMEM_CC");
      aot_cc = cc && *cc ? cc : "cc";
    } else if (strcmp(argv[i], "--bounds-checks") == 0) {
      cli_bounds_checks = true;
    } else if (strcmp(argv[i], "--wasm2") == 0) {
      load_opts.flags |= WM_MODULE_WASM2;
    } else if (strcmp(argv[i], "--max-gc-bytes") == 0) {
      if (i + 1 >= argc) {
        cli_error("spectest: --max-gc-bytes needs a value (see wasmem spectest --help)");
        return 2;
      }
      if (!cli_parse_size("spectest: --max-gc-bytes", argv[++i], &ro.max_gc_bytes)) return 2;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      cli_error("spectest: unknown option '%s' (see wasmem spectest --help)", argv[i]);
      return 2;
    } else if (path) {
      cli_error("spectest: expected one FILE.wast or FILE.json (see wasmem spectest --help)");
      return 2;
    } else {
      path = argv[i];
    }
  }
  if (!path) {
    cli_error("spectest: expected FILE.wast or FILE.json (see wasmem spectest --help)");
    return 2;
  }
  size_t len;
  char *text = spec_read_file(path, &len);
  if (!text) return 1;

  spec_run s;
  memset(&s, 0, sizeof s);
  s.verbose = verbose;
  s.src = path;
  int status = 1;
  wm_error err;
  /* Compiled modules may import memories of modules the translator left
  ** to the interpreter. */
  ro.guard_memories = aot_cc && !cli_bounds_checks;
  if (wm_runtime_new(&ro, &s.rt, &err) != 0 || cli_define_spectest(s.rt, &err) != 0) {
    cli_report("runtime", &err);
    goto done;
  }
  if (load_opts.flags & WM_MODULE_METERED) wm_runtime_set_fuel(s.rt, 1000000000000ull);
  if (is_wast(path, text)) run_wast(&s, path, text, len);
  else if (spec_json(&s, path, text, len) != 0) goto done;
  flush_orphans(&s);
  if (aot_cc) printf("aot: %lu modules compiled, %lu interpreted (not supported yet)\n", aot_compiled, aot_interpreted);
  printf("%lu passed, %lu failed, %lu skipped\n", s.passed, s.failed, s.skipped);
  status = s.failed ? 1 : 0;
done:
  wm_runtime_free(s.rt);
  for (size_t i = 0; i < s.nmods; i++) wm_module_free(s.mods[i]);
  free(s.mods);
  free_names(&s.insts);
  free_names(&s.defs);
  free(s.src_copy);
  free(text);
  return status;
}
