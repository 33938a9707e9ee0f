/* SPDX-License-Identifier: MIT */
/*
** spectest_json.c -- the reader of wast2json (wabt 1.0.32) scripts for
** `wasmem spectest FILE.json`: each JSON command becomes a wm_script_cmd,
** as the library's .wast reader makes them, for the one executor
** (spec_exec in spectest.c). Module files are read from the directory of
** the JSON file; modules wast2json writes as text (module quote, text
** assert_malformed) are handed over without bytes, which skips them.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

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

/* A module's name as the .wast reader gives ids: without the '$'. */
static const char *jid(const json_t *obj, const char *key, size_t *len) {
  const char *id = jstrn(obj, key, len);
  if (id && *len && id[0] == '$') {
    id++;
    (*len)--;
  }
  return id;
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

/* A float's bits in decimal, or (in a result) a NaN pattern: its kind. */
static bool float_pat(const char *value, bool result, uint64_t max, uint64_t *bits, int *nan) {
  *nan = 0;
  if (result && value && strcmp(value, "nan:canonical") == 0) *nan = WM_PAT_NAN_CANONICAL;
  else if (result && value && strcmp(value, "nan:arithmetic") == 0) *nan = WM_PAT_NAN_ARITHMETIC;
  else return parse_u64(value, bits) && *bits <= max;
  return true;
}

/* A JSON value {"type": "i32", "value": "..."} (bits in decimal) as a
** pattern: an argument (only exact values), or an expected result. */
static bool json_to_pat(const json_t *j, bool result, wm_script_pat *p) {
  const char *type = jstr(j, "type"), *value = jstr(j, "value");
  uint64_t u;
  int nan;
  memset(p, 0, sizeof *p);
  if (!type) return false;
  if (strcmp(type, "i32") == 0 || strcmp(type, "f32") == 0) {
    p->val.type = type[0] == 'i' ? WM_I32 : WM_F32;
    if (!float_pat(value, result && type[0] == 'f', 0xffffffffu, &u, &nan)) return false;
    p->kind = nan ? (wm_script_pat_kind)nan : WM_PAT_VALUE;
    p->val.of.f32_bits = (uint32_t)u;
    return true;
  }
  if (strcmp(type, "i64") == 0 || strcmp(type, "f64") == 0) {
    p->val.type = type[0] == 'i' ? WM_I64 : WM_F64;
    if (!float_pat(value, result && type[0] == 'f', UINT64_MAX, &u, &nan)) return false;
    p->kind = nan ? (wm_script_pat_kind)nan : WM_PAT_VALUE;
    p->val.of.f64_bits = u;
    return true;
  }
  if (strcmp(type, "externref") == 0 || strcmp(type, "funcref") == 0) {
    p->val.type = type[0] == 'e' ? WM_EXTERNREF : WM_FUNCREF;
    if (value && strcmp(value, "null") == 0) {
      p->kind = WM_PAT_REF_NULL;
      return true;
    }
    if (p->val.type == WM_FUNCREF || !value) {
      p->kind = WM_PAT_REF_NONNULL; /* non-null funcref arguments cannot be made */
      return result;
    }
    /* Host reference N: a distinct non-null pointer, never dereferenced. */
    if (!parse_u64(value, &u) || u >= UINTPTR_MAX) return false;
    p->val.of.ref = (void *)(uintptr_t)(u + 1);
    return true;
  }
  if (strcmp(type, "v128") == 0) {
    /* {"type": "v128", "lane_type": "i16", "value": ["1", ...]}: each lane
    ** its unsigned bits in decimal, a float lane maybe a NaN pattern. */
    const cli_shape *sh = v128_shape(j);
    const json_t *lanes = json_object_get(j, "value");
    uint8_t bytes[16];
    if (!sh) return false;
    p->val.type = WM_V128;
    p->shape = sh->name;
    for (unsigned i = 0; i < sh->lanes; i++) {
      const char *lane = json_string_value(json_array_get(lanes, i));
      if (!float_pat(lane, result && sh->kind == 'f', cli_lane_mask(sh), &u, &nan)) return false;
      if (nan) p->lane_nan[i] = (uint8_t)nan;
      cli_lane_set(bytes, sh, i, nan ? 0 : u);
    }
    p->val = wm_val_v128(bytes);
    return true;
  }
  return false;
}

/* What a command needs besides the command: its arrays, its module's bytes. */
typedef struct held {
  wm_val *args;
  wm_script_pat *pats, *alts;
  char *module;
} held;

static void held_free(held *h) {
  free(h->args);
  free(h->pats);
  free(h->alts);
  free(h->module);
}

/* The action of a command into c->action; NULL or why it is malformed. */
static const char *json_action(const json_t *action, wm_script_cmd *c, held *h) {
  wm_script_action *a = &c->action;
  const char *type = jstr(action, "type");
  if (!json_is_object(action) || !type) return "malformed action";
  a->field = jstrn(action, "field", &a->field_len);
  a->module = jid(action, "module", &a->module_len);
  if (!a->field) return "malformed action";
  if (strcmp(type, "get") == 0) {
    a->kind = WM_SCRIPT_GET;
    return NULL;
  }
  if (strcmp(type, "invoke") != 0) return "malformed action";
  a->kind = WM_SCRIPT_INVOKE;
  const json_t *args = json_object_get(action, "args"), *j;
  size_t n = json_array_size(args), i;
  h->args = calloc(n ? n : 1, sizeof *h->args);
  if (!h->args) return "out of memory";
  json_array_foreach(args, i, j) {
    wm_script_pat p;
    if (!json_to_pat(j, false, &p)) return "malformed value";
    h->args[i] = p.val;
  }
  a->args = h->args;
  a->nargs = (uint32_t)n;
  return NULL;
}

/* The expected results: "expected": [one value a result], or for an
** (either ...) expectation "either": [alternatives], each one value for
** the one result. */
static const char *json_results(const json_t *cmd, wm_script_cmd *c, held *h) {
  const json_t *either = json_object_get(cmd, "either"), *e;
  const json_t *exp = either ? either : json_object_get(cmd, "expected");
  size_t n = json_array_size(exp), i;
  if (!json_is_array(exp) || (either && !n)) return "malformed expected results";
  h->pats = calloc(n ? n : 1, sizeof *h->pats);
  if (!h->pats) return "out of memory";
  wm_script_pat *dst = h->pats;
  if (either) {
    h->alts = dst = calloc(n, sizeof *h->alts);
    if (!h->alts) return "out of memory";
    h->pats[0].kind = WM_PAT_EITHER;
    h->pats[0].either = h->alts;
    h->pats[0].neither = (uint32_t)n;
  }
  json_array_foreach(exp, i, e) {
    if (!json_to_pat(e, true, &dst[i])) return "malformed expected results";
  }
  c->results = h->pats;
  c->nresults = either ? 1 : (uint32_t)n;
  return NULL;
}

/* Read a command's module file, next to the JSON file; NULL or why not. */
static const char *json_module(const json_t *cmd, const char *dir, wm_script_cmd *c, held *h) {
  const char *fn = jstr(cmd, "filename");
  c->id = jid(cmd, "name", &c->id_len);
  if (is_text_module(cmd)) return NULL; /* no bytes: skipped */
  if (!fn) return "command has no filename";
  size_t n = strlen(dir) + strlen(fn) + 2, len;
  char *path = malloc(n);
  if (!path) return "out of memory";
  snprintf(path, n, "%s/%s", dir, fn);
  h->module = spec_read_file(path, &len);
  free(path);
  if (!h->module) return "cannot read the module file";
  c->module = (const uint8_t *)h->module;
  c->module_len = len;
  return NULL;
}

static void run_command(spec_run *s, const json_t *cmd, const char *dir) {
  const char *type = jstr(cmd, "type"), *why = NULL;
  const json_t *jline = json_object_get(cmd, "line");
  int line = json_is_integer(jline) && json_integer_value(jline) >= 0 &&
                     json_integer_value(jline) <= INT32_MAX
                 ? (int)json_integer_value(jline)
                 : 0;
  wm_script_cmd c;
  held h = {NULL, NULL, NULL, NULL};
  memset(&c, 0, sizeof c);
  c.line = (uint32_t)line;
  c.text = jstr(cmd, "text");
  if (!c.text) c.text = "";
  /* wast2json's types are the commands' names. */
  int k = 0;
  while (type && k < WM_SCRIPT_UNSUPPORTED && strcmp(wm_script_kind_name((wm_script_kind)k), type) != 0) k++;
  if (!type) {
    spec_fail(s, line, "(no type)", "command without a type");
    return;
  }
  if (k == WM_SCRIPT_UNSUPPORTED) {
    spec_fail(s, line, type, "unknown command type");
    return;
  }
  c.kind = (wm_script_kind)k;
  switch (c.kind) {
    case WM_SCRIPT_REGISTER:
      c.name = jstrn(cmd, "as", &c.name_len);
      c.id = jid(cmd, "name", &c.id_len);
      if (!c.name) why = "malformed register command or unknown module";
      break;
    case WM_SCRIPT_ACTION:
    case WM_SCRIPT_ASSERT_TRAP:
    case WM_SCRIPT_ASSERT_EXHAUSTION:
    case WM_SCRIPT_ASSERT_EXCEPTION:
      why = json_action(json_object_get(cmd, "action"), &c, &h);
      break;
    case WM_SCRIPT_ASSERT_RETURN:
      why = json_action(json_object_get(cmd, "action"), &c, &h);
      if (!why) why = json_results(cmd, &c, &h);
      break;
    default:
      why = json_module(cmd, dir, &c, &h);
      break;
  }
  if (why) spec_fail(s, line, type, "%s", why);
  else spec_exec(s, &c);
  held_free(&h);
}

int spec_json(spec_run *s, const char *path, const char *text, size_t len) {
  /* JSON_ALLOW_NUL: export names such as "\u0000\u0001" (names.wast) are
  ** legal and must reach the runtime intact. */
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
  const json_t *cmds = json_object_get(root, "commands"), *cmd;
  if (!json_is_array(cmds)) {
    if (root)
      cli_error("%s: not a wast2json script (no \"commands\" array)", path);
    else
      cli_error("%s: not a wast2json script (malformed JSON at line %d: %s)", path, jerr.line,
                jerr.text);
    json_decref(root);
    return 1;
  }
  const char *src = jstr(root, "source_filename"), *slash = strrchr(path, '/');
  char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
  if (!dir) {
    cli_error("out of memory");
    json_decref(root);
    return 1;
  }
  spec_source(s, src ? src : path);
  size_t i;
  json_array_foreach(cmds, i, cmd) run_command(s, cmd, dir);
  free(dir);
  json_decref(root);
  return 0;
}
