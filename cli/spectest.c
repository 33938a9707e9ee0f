/* SPDX-License-Identifier: MIT */
/*
** spectest.c -- `wasmem spectest`: runs a wast2json (wabt 1.0.32) JSON script
** against the runtime, and the `spectest` host module the official tests import.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const char spectest_help[] =
    "usage: wasmem spectest FILE.json [-v] [--checked] [--metered] [--eager]\n"
    "\n"
    "Run a script made by wast2json (wabt 1.0.32) from a .wast file. Module\n"
    "files are resolved relative to the directory of FILE.json. All commands\n"
    "share one runtime, so registered modules are visible to later ones.\n"
    "Modules given as text (module quote, text assert_malformed) are skipped.\n"
    "Each failure prints one line; the last line is\n"
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
    "             instead of at its first call\n";

/* --checked: modules are lowered for the checked interpreter loop;
** --metered: with FUEL instructions; --eager: all at load (any may be
** given). */
static wm_module_options load_opts;

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
  wm_limits tl = {10, 20, true, false};
  if ((rc = wm_table_new(rt, WM_FUNCREF, tl, NULL, &t, err)) != 0) return rc;
  if ((rc = wm_runtime_define_table(rt, "spectest", "table", t, err)) != 0) return rc;
  wm_memory *m;
  wm_limits ml = {1, 2, true, false};
  if ((rc = wm_memory_new(rt, ml, &m, err)) != 0) return rc;
  if ((rc = wm_runtime_define_memory(rt, "spectest", "memory", m, err)) != 0) return rc;
  wm_limits sl = {1, 2, true, true}; /* the threads proposal's tests import it */
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
  mod_state state;
  int line;
} named;

typedef struct script {
  const char *src; /* the .wast name for messages */
  char *dir;       /* directory of the JSON file, where module files are */
  bool verbose;
  wm_runtime *rt;
  wm_module **mods; /* every module loaded, freed after the runtime */
  size_t nmods, capmods;
  named *names;
  size_t nnames, capnames;
  named cur; /* the most recent module command (name unused) */
  unsigned long orphans; /* commands failed because cur did not load */
  int line;
  const char *type;
  unsigned long passed, failed, skipped;
} script;

static void pass(script *s) {
  s->passed++;
  if (s->verbose) printf("%s:%d: %s: ok\n", s->src, s->line, s->type);
}

static void skip(script *s) {
  s->skipped++;
  if (s->verbose) printf("%s:%d: %s: skipped (text module)\n", s->src, s->line, s->type);
}

static void fail(script *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(script *s, const char *fmt, ...) {
  va_list ap;
  s->failed++;
  printf("%s:%d: %s: ", s->src, s->line, s->type);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
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

/* One line for a module rejected with WM_EUNSUPPORTED (SIMD for now). */
static void fail_unsupported(script *s, const wm_error *err) {
  const char *line = errline(err);
  if (strstr(line, "not supported yet")) fail(s, "%s", line);
  else fail(s, "not supported yet: %s", line);
}

/* Commands on a module that failed to load fail too, but one line for all
** of them is enough (SIMD files would otherwise print thousands). */
static void flush_orphans(script *s) {
  if (s->orphans) {
    printf("%s:%d: module: %lu later command%s on this module counted as failed\n", s->src,
           s->cur.line, s->orphans, s->orphans == 1 ? "" : "s");
    s->orphans = 0;
  }
}

static bool push_module(script *s, wm_module *mod) {
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

static bool set_name(script *s, const char *name, size_t len, const named *val) {
  for (size_t i = 0; i < s->nnames; i++) {
    if (same_name(&s->names[i], name, len)) {
      char *keep = s->names[i].name;
      s->names[i] = *val;
      s->names[i].name = keep;
      s->names[i].namelen = len;
      return true;
    }
  }
  if (s->nnames == s->capnames) {
    size_t ncap = s->capnames ? s->capnames * 2 : 8;
    named *n = realloc(s->names, ncap * sizeof *n);
    if (!n) return false;
    s->names = n;
    s->capnames = ncap;
  }
  char *copy = malloc(len + 1);
  if (!copy) return false;
  memcpy(copy, name, len);
  copy[len] = '\0';
  s->names[s->nnames] = *val;
  s->names[s->nnames].name = copy;
  s->names[s->nnames].namelen = len;
  s->nnames++;
  return true;
}

/* The module a command refers to: by name, else the current one. */
static const named *find_module(script *s, const char *name, size_t len) {
  if (!name) return &s->cur;
  for (size_t i = 0; i < s->nnames; i++)
    if (same_name(&s->names[i], name, len)) return &s->names[i];
  return NULL;
}

/* ----------------------------------------------------------------- values */

/* A string member, or NULL. The script is decoded with JSON_ALLOW_NUL, so
** names (exports, modules) may hold NUL bytes: read those with jstrn. */
static const char *jstr(const json_t *obj, const char *key) {
  return json_string_value(json_object_get(obj, key));
}

static const char *jstrn(const json_t *obj, const char *key, size_t *len) {
  const json_t *v = json_object_get(obj, key);
  *len = json_is_string(v) ? json_string_length(v) : 0;
  return json_string_value(v);
}

static bool parse_u64(const char *str, uint64_t *out) {
  if (!str || *str < '0' || *str > '9') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(str, &end, 10);
  if (errno || *end) return false;
  *out = v;
  return true;
}

static bool is_text_module(const json_t *cmd) {
  const char *mt = jstr(cmd, "module_type");
  const char *fn = jstr(cmd, "filename");
  if (mt) return strcmp(mt, "text") == 0;
  size_t n = fn ? strlen(fn) : 0;
  return n > 4 && strcmp(fn + n - 4, ".wat") == 0;
}

/* The lane shape of a JSON v128 value, when its "value" array holds that
** many lanes; else NULL. */
static const cli_shape *v128_shape(const json_t *j) {
  const cli_shape *sh = cli_shape_of_lane(jstr(j, "lane_type"));
  const json_t *lanes = json_object_get(j, "value");
  return sh && json_is_array(lanes) && json_array_size(lanes) == sh->lanes ? sh : NULL;
}

/* Convert a JSON argument {"type": "i32", "value": "..."} to a value. */
static bool json_to_val(const json_t *j, wm_val *out, const char **why) {
  const char *type = jstr(j, "type"), *value = jstr(j, "value");
  uint64_t u;
  *why = "malformed value";
  if (!type) return false;
  out->of.i64 = 0;
  if (strcmp(type, "i32") == 0 || strcmp(type, "f32") == 0) {
    if (!parse_u64(value, &u) || u > 0xffffffffu) return false;
    out->type = type[0] == 'i' ? WM_I32 : WM_F32;
    out->of.f32_bits = (uint32_t)u;
    return true;
  }
  if (strcmp(type, "i64") == 0 || strcmp(type, "f64") == 0) {
    if (!parse_u64(value, &u)) return false;
    out->type = type[0] == 'i' ? WM_I64 : WM_F64;
    out->of.f64_bits = u;
    return true;
  }
  if (strcmp(type, "externref") == 0 || strcmp(type, "funcref") == 0) {
    out->type = type[0] == 'e' ? WM_EXTERNREF : WM_FUNCREF;
    out->of.ref = NULL;
    if (value && strcmp(value, "null") == 0) return true;
    if (out->type == WM_FUNCREF) {
      *why = "non-null funcref arguments cannot be made";
      return false;
    }
    /* Host reference N: a distinct non-null pointer, never dereferenced. */
    if (!parse_u64(value, &u) || u >= UINTPTR_MAX) return false;
    out->of.ref = (void *)(uintptr_t)(u + 1);
    return true;
  }
  if (strcmp(type, "v128") == 0) {
    /* {"type": "v128", "lane_type": "i16", "value": ["1", ...]}: each lane
    ** its unsigned bits in decimal. */
    const cli_shape *sh = v128_shape(j);
    const json_t *lanes = json_object_get(j, "value");
    uint8_t bytes[16];
    if (!sh) return false;
    for (unsigned i = 0; i < sh->lanes; i++) {
      if (!parse_u64(json_string_value(json_array_get(lanes, i)), &u) || u > cli_lane_mask(sh))
        return false;
      cli_lane_set(bytes, sh, i, u);
    }
    *out = wm_val_v128(bytes);
    return true;
  }
  return false;
}

/* Do the bits of a float of the given width match an expected value: its
** bits in decimal, or a NaN pattern (nan:canonical: the quiet NaN with an
** empty payload, either sign; nan:arithmetic: any quiet NaN)? */
static bool float_matches(const char *value, uint64_t bits, unsigned width) {
  uint64_t quiet_nan = width == 4 ? 0x7fc00000u : UINT64_C(0x7ff8000000000000);
  uint64_t sign = width == 4 ? 0x80000000u : UINT64_C(0x8000000000000000);
  uint64_t u;
  if (!value) return false;
  if (strcmp(value, "nan:canonical") == 0) return (bits & ~sign) == quiet_nan;
  if (strcmp(value, "nan:arithmetic") == 0) return (bits & quiet_nan) == quiet_nan;
  return parse_u64(value, &u) && bits == u;
}

/* The first lane of a v128 result that does not match the expected v128,
** or -1 when all do. */
static int v128_mismatch(const json_t *e, const cli_shape *sh, const uint8_t got[16]) {
  const json_t *lanes = json_object_get(e, "value");
  for (unsigned i = 0; i < sh->lanes; i++) {
    const char *want = json_string_value(json_array_get(lanes, i));
    uint64_t bits = cli_lane_get(got, sh, i), u;
    if (sh->kind == 'f' ? !float_matches(want, bits, sh->width)
                        : !parse_u64(want, &u) || u != bits)
      return (int)i;
  }
  return -1;
}

/* Does the result match the expected JSON value (with NaN patterns)? */
static bool val_matches(const json_t *e, const wm_val *got) {
  const char *type = jstr(e, "type"), *value = jstr(e, "value");
  uint64_t u;
  if (!type) return false;
  if (strcmp(type, "i32") == 0)
    return got->type == WM_I32 && parse_u64(value, &u) && (uint32_t)got->of.i32 == u;
  if (strcmp(type, "i64") == 0)
    return got->type == WM_I64 && parse_u64(value, &u) && (uint64_t)got->of.i64 == u;
  if (strcmp(type, "f32") == 0)
    return got->type == WM_F32 && float_matches(value, got->of.f32_bits, 4);
  if (strcmp(type, "f64") == 0)
    return got->type == WM_F64 && float_matches(value, got->of.f64_bits, 8);
  if (strcmp(type, "funcref") == 0 || strcmp(type, "externref") == 0) {
    if (got->type != (type[0] == 'f' ? WM_FUNCREF : WM_EXTERNREF)) return false;
    if (value && strcmp(value, "null") == 0) return got->of.ref == NULL;
    if (!value || got->type == WM_FUNCREF) return got->of.ref != NULL; /* any non-null */
    return parse_u64(value, &u) && u < UINTPTR_MAX && got->of.ref == (void *)(uintptr_t)(u + 1);
  }
  if (strcmp(type, "v128") == 0) {
    const cli_shape *sh = v128_shape(e);
    return got->type == WM_V128 && sh && v128_mismatch(e, sh, got->of.v128) < 0;
  }
  return false; /* anything unknown */
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

/* Write an expected JSON value as "i32:42" or "i32x4:[1, 2, 3, 4]". */
static void describe_expected(textbuf *t, const json_t *e) {
  const char *type = jstr(e, "type"), *value = jstr(e, "value");
  const cli_shape *sh = type && strcmp(type, "v128") == 0 ? v128_shape(e) : NULL;
  if (!sh) {
    put(t, "%s:%s", type ? type : "?", value ? value : "?");
    return;
  }
  put(t, "%s:[", sh->name);
  for (unsigned i = 0; i < sh->lanes; i++) {
    const char *lane = json_string_value(json_array_get(json_object_get(e, "value"), i));
    uint64_t u;
    if (i) put(t, ", ");
    if (parse_u64(lane, &u)) put_lane(t, sh, u);
    else put(t, "%s", lane ? lane : "?");
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
  case WM_FUNCREF: put(t, "funcref:%s", v->of.ref ? "non-null" : "null"); break;
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

/* One line for a result that matched no expectation: want is the expected
** value, or an array of alternatives (wast2json's "either"). A v128 result
** is shown in the expected lane shape, with the first lane that differs. */
static void fail_result(script *s, const json_t *cmd, size_t i, const json_t *want,
                        const wm_val *got) {
  char buf[2048];
  textbuf t = {buf, sizeof buf, 0};
  bool either = json_is_array(want);
  const json_t *e = either ? json_array_get(want, 0) : want, *alt;
  const char *type = jstr(e, "type"), *field = jstr(json_object_get(cmd, "action"), "field");
  const cli_shape *sh = type && strcmp(type, "v128") == 0 ? v128_shape(e) : NULL;
  size_t k;
  put(&t, "%s: result %zu: expected ", field ? field : "?", i);
  if (either) {
    put(&t, "one of ");
    json_array_foreach(want, k, alt) {
      if (k) put(&t, " | ");
      describe_expected(&t, alt);
    }
  } else {
    describe_expected(&t, want);
  }
  put(&t, ", got ");
  describe_val(&t, got, sh);
  if (!either && sh && got->type == WM_V128)
    put(&t, " (lane %d differs)", v128_mismatch(e, sh, got->of.v128));
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
static int run_action(script *s, const json_t *action, action_result *r) {
  memset(r, 0, sizeof *r);
  r->why = "malformed action";
  if (!json_is_object(action)) return ACT_BAD;
  size_t fieldlen, modlen;
  const char *type = jstr(action, "type"), *field = jstrn(action, "field", &fieldlen);
  const char *modname = jstrn(action, "module", &modlen);
  if (!type || !field) return ACT_BAD;
  const named *m = find_module(s, modname, modlen);
  if (!m || m->state == MOD_NONE) {
    r->why = "no such module";
    return ACT_BAD;
  }
  if (m->state == MOD_SKIPPED) return ACT_SKIPPED;
  if (m->state == MOD_FAILED) {
    r->why = "the module did not load";
    return ACT_NO_MODULE;
  }
  if (strcmp(type, "get") == 0) {
    wm_global *g = wm_instance_export(m->inst, field, fieldlen, WM_EXTERN_GLOBAL);
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
  if (strcmp(type, "invoke") != 0) return ACT_BAD;
  wm_func *f = wm_instance_export(m->inst, field, fieldlen, WM_EXTERN_FUNC);
  if (!f) {
    r->why = "no such function export";
    return ACT_BAD;
  }
  wm_functype ft = wm_func_type(f);
  const json_t *args = json_object_get(action, "args");
  size_t nargs = json_array_size(args); /* 0 when not an array */
  if (nargs != ft.nparams) {
    r->why = "wrong number of arguments";
    return ACT_BAD;
  }
  wm_val *argv = calloc(ft.nparams ? ft.nparams : 1, sizeof *argv);
  r->vals = calloc(ft.nresults ? ft.nresults : 1, sizeof *r->vals);
  if (!argv || !r->vals) {
    free(argv);
    r->why = "out of memory";
    return ACT_BAD;
  }
  size_t i;
  const json_t *a;
  json_array_foreach(args, i, a) {
    if (!json_to_val(a, &argv[i], &r->why)) {
      free(argv);
      return ACT_BAD;
    }
  }
  r->nresults = ft.nresults;
  int rc = wm_func_call(s->rt, f, argv, ft.nparams, r->vals, ft.nresults, &r->err);
  free(argv);
  return rc;
}

/* Report an action that could not run as the command expected; returns
** true when it was handled (skipped, or failed with a line). */
static bool action_trouble(script *s, int rc, const action_result *r) {
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

static void cmd_action(script *s, const json_t *cmd, bool check) {
  action_result r;
  int rc = run_action(s, json_object_get(cmd, "action"), &r);
  if (action_trouble(s, rc, &r)) goto done;
  if (rc != 0) {
    fail(s, "unexpected %s: %.*s", wm_is_trap(rc) ? "trap" : "error",
         first_line_len(errmsg(&r.err)), errmsg(&r.err));
    if (s->verbose) printf("  %s\n", errmsg(&r.err));
    goto done;
  }
  if (check) {
    /* wast2json writes "expected": [one value a result], or for an
    ** (either ...) expectation "either": [alternatives], each one value
    ** for the one result; any alternative may match. */
    const json_t *either = json_object_get(cmd, "either");
    const json_t *exp = either ? either : json_object_get(cmd, "expected");
    int n = !json_is_array(exp) ? -1 : either ? (json_array_size(exp) ? 1 : -1)
                                              : (int)json_array_size(exp);
    if (n < 0) {
      fail(s, "malformed expected results");
      goto done;
    }
    if (n != (int)r.nresults) {
      fail(s, "expected %d result%s, got %" PRIu32, n, n == 1 ? "" : "s", r.nresults);
      goto done;
    }
    size_t i;
    const json_t *e;
    if (either) {
      json_array_foreach(exp, i, e) {
        if (val_matches(e, &r.vals[0])) goto matched;
      }
      fail_result(s, cmd, 0, exp, &r.vals[0]);
      goto done;
    }
    json_array_foreach(exp, i, e) {
      if (!val_matches(e, &r.vals[i])) {
        fail_result(s, cmd, i, e, &r.vals[i]);
        goto done;
      }
    }
  }
matched:
  pass(s);
done:
  free(r.vals);
}

/* The action must trap with a message that starts with the expected text. */
static void cmd_assert_trap(script *s, const json_t *cmd, bool exhaustion) {
  const char *text = jstr(cmd, "text");
  action_result r;
  int rc = run_action(s, json_object_get(cmd, "action"), &r);
  if (action_trouble(s, rc, &r)) goto done;
  if (rc == 0) {
    fail(s, "expected trap \"%s\", got success", text ? text : "");
  } else if (!wm_is_trap(rc) || (exhaustion && rc != WM_TRAP_STACK_EXHAUSTED)) {
    fail(s, "expected trap \"%s\", got %s: %.*s", text ? text : "", wm_errname(rc),
         first_line_len(errmsg(&r.err)), errmsg(&r.err));
  } else if (text && strncmp(errmsg(&r.err), text, strlen(text)) != 0) {
    fail(s, "expected trap \"%s\", got trap \"%.*s\"", text, first_line_len(errmsg(&r.err)),
         errmsg(&r.err));
  } else {
    if (s->verbose) printf("%s:%d: %s: trapped: %s\n", s->src, s->line, s->type, errmsg(&r.err));
    pass(s);
  }
done:
  free(r.vals);
}

/* ---------------------------------------------------------------- modules */

/* Build the path of a module file next to the JSON file. */
static char *module_path(script *s, const char *filename) {
  size_t n = strlen(s->dir) + strlen(filename) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", s->dir, filename);
  return p;
}

/* Load a command's module file; returns a library code, with *out set on
** success and kept for freeing after the runtime. */
static int load(script *s, const json_t *cmd, wm_module **out, wm_error *err) {
  const char *fn = jstr(cmd, "filename");
  *out = NULL;
  memset(err, 0, sizeof *err);
  err->offset = UINT32_MAX;
  if (!fn) {
    snprintf(err->message, sizeof err->message, "command has no filename");
    return err->code = WM_EINVAL;
  }
  char *path = module_path(s, fn);
  if (!path) {
    snprintf(err->message, sizeof err->message, "out of memory");
    return err->code = WM_ENOMEM;
  }
  int rc = wm_module_load_file(path, &load_opts, out, err);
  free(path);
  if (rc == 0 && !push_module(s, *out)) {
    wm_module_free(*out);
    *out = NULL;
    snprintf(err->message, sizeof err->message, "out of memory");
    return err->code = WM_ENOMEM;
  }
  return rc;
}

static void cmd_module(script *s, const json_t *cmd) {
  flush_orphans(s);
  size_t namelen;
  const char *name = jstrn(cmd, "name", &namelen);
  named st = {NULL, 0, NULL, MOD_FAILED, s->line};
  if (is_text_module(cmd)) {
    st.state = MOD_SKIPPED;
    skip(s);
  } else {
    wm_module *mod;
    wm_error err;
    int rc = load(s, cmd, &mod, &err);
    if (rc == 0) rc = wm_instance_new(s->rt, mod, NULL, &st.inst, &err);
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
  s->cur = st;
  if (name && !set_name(s, name, namelen, &st)) fail(s, "out of memory");
}

static void cmd_register(script *s, const json_t *cmd) {
  size_t aslen, namelen;
  const char *as = jstrn(cmd, "as", &aslen), *name = jstrn(cmd, "name", &namelen);
  const named *m = find_module(s, name, namelen);
  wm_error err;
  if (!as || !m || m->state == MOD_NONE) {
    fail(s, "malformed register command or unknown module");
  } else if (memchr(as, '\0', aslen)) {
    fail(s, "cannot register a name holding a NUL byte"); /* the API takes C strings */
  } else if (m->state == MOD_SKIPPED) {
    skip(s);
  } else if (m->state == MOD_FAILED) {
    fail(s, "cannot register \"%s\": the module did not load", as);
  } else if (wm_runtime_register(s->rt, as, m->inst, &err) != 0) {
    fail(s, "cannot register \"%s\": %s", as, errmsg(&err));
  } else {
    pass(s);
  }
}

/* assert_malformed / assert_invalid: a binary module must fail to load. */
static void cmd_assert_bad_module(script *s, const json_t *cmd) {
  if (is_text_module(cmd)) {
    skip(s);
    return;
  }
  const char *text = jstr(cmd, "text");
  wm_module *mod;
  wm_error err;
  int rc = load(s, cmd, &mod, &err);
  if (rc == WM_EMALFORMED || rc == WM_EINVALID) {
    if (s->verbose)
      printf("%s:%d: %s: \"%s\" -> %s\n", s->src, s->line, s->type, text ? text : "", errmsg(&err));
    pass(s);
  } else if (rc == 0) {
    fail(s, "expected \"%s\", but the module loaded", text ? text : "");
  } else if (rc == WM_EUNSUPPORTED) {
    fail_unsupported(s, &err);
  } else {
    fail(s, "expected \"%s\", got %s: %s", text ? text : "", wm_errname(rc), errline(&err));
  }
}

/* assert_unlinkable / assert_uninstantiable: the module loads, and
** instantiation fails at linking or traps. */
static void cmd_assert_instantiate(script *s, const json_t *cmd, bool unlinkable) {
  if (is_text_module(cmd)) {
    skip(s);
    return;
  }
  const char *text = jstr(cmd, "text");
  if (!text) text = "";
  wm_module *mod;
  wm_instance *inst;
  wm_error err;
  int rc = load(s, cmd, &mod, &err);
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

/* ------------------------------------------------------------------ driver */

static char *read_file(const char *path, size_t *len) {
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

static void run_command(script *s, const json_t *cmd) {
  const char *type = jstr(cmd, "type");
  const json_t *line = json_object_get(cmd, "line");
  s->line = json_is_integer(line) && json_integer_value(line) >= 0 &&
                    json_integer_value(line) <= INT32_MAX
                ? (int)json_integer_value(line)
                : 0;
  s->type = type ? type : "(no type)";
  if (!type) fail(s, "command without a type");
  else if (strcmp(type, "module") == 0) cmd_module(s, cmd);
  else if (strcmp(type, "register") == 0) cmd_register(s, cmd);
  else if (strcmp(type, "action") == 0) cmd_action(s, cmd, false);
  else if (strcmp(type, "assert_return") == 0) cmd_action(s, cmd, true);
  else if (strcmp(type, "assert_trap") == 0) cmd_assert_trap(s, cmd, false);
  else if (strcmp(type, "assert_exhaustion") == 0) cmd_assert_trap(s, cmd, true);
  else if (strcmp(type, "assert_malformed") == 0 || strcmp(type, "assert_invalid") == 0)
    cmd_assert_bad_module(s, cmd);
  else if (strcmp(type, "assert_unlinkable") == 0) cmd_assert_instantiate(s, cmd, true);
  else if (strcmp(type, "assert_uninstantiable") == 0) cmd_assert_instantiate(s, cmd, false);
  else fail(s, "unknown command type");
}

int cli_spectest(int argc, char **argv) {
  const char *path = NULL;
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
    } else if (argv[i][0] == '-' && argv[i][1]) {
      cli_error("spectest: unknown option '%s' (see wasmem spectest --help)", argv[i]);
      return 2;
    } else if (path) {
      cli_error("spectest: expected one FILE.json (see wasmem spectest --help)");
      return 2;
    } else {
      path = argv[i];
    }
  }
  if (!path) {
    cli_error("spectest: expected FILE.json (see wasmem spectest --help)");
    return 2;
  }
  size_t len;
  char *text = read_file(path, &len);
  if (!text) return 1;
  /* JSON_ALLOW_NUL: export names such as "\u0000\u0001" (names.wast) are
  ** legal and must reach the runtime intact. */
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
  free(text);
  const json_t *cmds = json_object_get(root, "commands");
  if (!json_is_array(cmds)) {
    if (root)
      cli_error("%s: not a wast2json script (no \"commands\" array)", path);
    else
      cli_error("%s: not a wast2json script (malformed JSON at line %d: %s)", path, jerr.line,
                jerr.text);
    json_decref(root);
    return 1;
  }

  script s;
  memset(&s, 0, sizeof s);
  s.verbose = verbose;
  s.src = jstr(root, "source_filename");
  if (!s.src) s.src = path;
  const char *slash = strrchr(path, '/');
  s.dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
  int status = 1;
  wm_error err;
  if (!s.dir) {
    cli_error("out of memory");
    goto done;
  }
  if (wm_runtime_new(NULL, &s.rt, &err) != 0 || cli_define_spectest(s.rt, &err) != 0) {
    cli_report("runtime", &err);
    goto done;
  }
  if (load_opts.flags & WM_MODULE_METERED) wm_runtime_set_fuel(s.rt, 1000000000000ull);
  const json_t *cmd;
  size_t i;
  json_array_foreach(cmds, i, cmd) {
    run_command(&s, cmd);
    fflush(stdout);
  }
  flush_orphans(&s);
  printf("%lu passed, %lu failed, %lu skipped\n", s.passed, s.failed, s.skipped);
  status = s.failed ? 1 : 0;
done:
  wm_runtime_free(s.rt);
  for (size_t i = 0; i < s.nmods; i++) wm_module_free(s.mods[i]);
  free(s.mods);
  for (size_t i = 0; i < s.nnames; i++) free(s.names[i].name);
  free(s.names);
  free(s.dir);
  json_decref(root);
  return status;
}
