/* SPDX-License-Identifier: MIT */
/*
** test_script.c -- the spec script reader (src/text/script.c, wm_script_*
** in wasmem.h): every command and what it hands over (module text spans,
** binary and quoted modules, ids, names, arguments, result patterns,
** assertion texts), the commands not supported yet, every error with its
** place, and allocation failures.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "util.h"
#include "wasmem.h"

static wm_script *open_text(const char *text) {
  wm_script *s = NULL;
  wm_error err;
  CHECK(wm_script_open(text, strlen(text), "t.wast", &s, &err) == 0 && s);
  return s;
}

/* The next command, which must exist and be of kind k. */
static const wm_script_cmd *next_cmd(wm_script *s, wm_script_kind k) {
  const wm_script_cmd *c = NULL;
  wm_error err;
  int rc = wm_script_next(s, &c, &err);
  CHECK(rc == 1 && c);
  if (rc != 1) {
    fprintf(stderr, "  wm_script_next: %d %s\n", rc, err.message);
    return NULL;
  }
  CHECK(c->kind == k);
  return c;
}

static bool same(const void *p, size_t n, const char *want) {
  return p && n == strlen(want) && memcmp(p, want, n) == 0;
}

static void at_end(wm_script *s) {
  const wm_script_cmd *c = (const wm_script_cmd *)1;
  CHECK(wm_script_next(s, &c, NULL) == 0 && c == NULL);
}

static void test_modules(void) {
  wm_script *s = open_text(
      ";; modules\n"
      "(module $m (func (export \"f\") (result i32) (i32.const 1)) ;; text\n"
      ")\n"
      "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
      "(module $q quote \"(func)\" \" (memory 1)\")\n"
      "(module quote \"(module (func))\")\n"
      "(module quote \"(func) ;; c\")\n"
      "(register \"reg\" $m) (register \"r2\")\n"
      "(module $\"a\\62\")\n");
  const wm_script_cmd *c = next_cmd(s, WM_SCRIPT_MODULE);
  if (c) {
    CHECK(c->line == 2 && c->module_text && same(c->id, c->id_len, "m"));
    CHECK(same(c->module, c->module_len,
               "(module $m (func (export \"f\") (result i32) (i32.const 1)) ;; text\n)"));
  }
  c = next_cmd(s, WM_SCRIPT_MODULE);
  if (c) {
    CHECK(c->line == 4 && !c->module_text && c->id == NULL);
    CHECK(c->module_len == 8 && memcmp(c->module, "\0asm\1\0\0\0", 8) == 0);
  }
  c = next_cmd(s, WM_SCRIPT_MODULE);
  if (c) CHECK(c->module_text && same(c->id, c->id_len, "q") &&
               same(c->module, c->module_len, "(module (func) (memory 1)\n)"));
  c = next_cmd(s, WM_SCRIPT_MODULE);
  if (c) CHECK(same(c->module, c->module_len, "(module (func))"));
  c = next_cmd(s, WM_SCRIPT_MODULE);
  if (c) {
    CHECK(same(c->module, c->module_len, "(module (func) ;; c\n)"));
    wm_module *mod = NULL;
    CHECK(wm_module_load(c->module, c->module_len, NULL, &mod, NULL) == 0);
    wm_module_free(mod);
  }
  c = next_cmd(s, WM_SCRIPT_REGISTER);
  if (c) CHECK(same(c->name, c->name_len, "reg") && c->name[3] == 0 && same(c->id, c->id_len, "m"));
  c = next_cmd(s, WM_SCRIPT_REGISTER);
  if (c) CHECK(same(c->name, c->name_len, "r2") && c->id == NULL);
  c = next_cmd(s, WM_SCRIPT_MODULE);
  if (c) CHECK(same(c->id, c->id_len, "ab"));
  at_end(s);
  at_end(s);
  wm_script_free(s);

  /* A script of a module's fields alone is that module. */
  s = open_text("(func (export \"g\")) (memory 1)");
  c = next_cmd(s, WM_SCRIPT_MODULE);
  if (c) CHECK(c->module_text && same(c->module, c->module_len, "(func (export \"g\")) (memory 1)"));
  at_end(s);
  wm_script_free(s);

  /* An empty script, and NULL freed. */
  s = NULL;
  CHECK(wm_script_open(NULL, 0, NULL, &s, NULL) == 0 && s);
  at_end(s);
  wm_script_free(s);
  wm_script_free(NULL);
}

static void test_actions(void) {
  wm_script *s = open_text(
      "(invoke \"f\")\n"
      "(invoke $m \"\\e2\\82\\ac\\00\" (i32.const -1) (i64.const 0x8000_0000_0000_0000)\n"
      "  (f32.const -0) (f64.const nan:0x1) (ref.null func) (ref.null extern) (ref.extern 5)\n"
      "  (v128.const i8x16 -1 255 0 1 2 3 4 5 6 7 8 9 10 11 12 -128))\n"
      "(get \"g\")\n");
  const wm_script_cmd *c = next_cmd(s, WM_SCRIPT_ACTION);
  if (c) CHECK(c->action.kind == WM_SCRIPT_INVOKE && c->action.module == NULL &&
               same(c->action.field, c->action.field_len, "f") && c->action.field[1] == 0 &&
               c->action.nargs == 0);
  c = next_cmd(s, WM_SCRIPT_ACTION);
  if (c) {
    const wm_script_action *a = &c->action;
    const wm_val *v = a->args;
    CHECK(c->line == 2 && same(a->module, a->module_len, "m"));
    CHECK(a->field_len == 4 && memcmp(a->field, "\xe2\x82\xac\0", 4) == 0);
    CHECK(a->nargs == 8);
    if (a->nargs == 8) {
      CHECK(v[0].type == WM_I32 && v[0].of.i32 == -1);
      CHECK(v[1].type == WM_I64 && (uint64_t)v[1].of.i64 == UINT64_C(0x8000000000000000));
      CHECK(v[2].type == WM_F32 && v[2].of.f32_bits == 0x80000000u);
      CHECK(v[3].type == WM_F64 && v[3].of.f64_bits == UINT64_C(0x7ff0000000000001));
      CHECK(v[4].type == WM_FUNCREF && v[4].of.ref == NULL);
      CHECK(v[5].type == WM_EXTERNREF && v[5].of.ref == NULL);
      CHECK(v[6].type == WM_EXTERNREF && v[6].of.ref == (void *)(uintptr_t)6);
      CHECK(v[7].type == WM_V128 && v[7].of.v128[0] == 0xff && v[7].of.v128[1] == 0xff &&
            v[7].of.v128[3] == 1 && v[7].of.v128[15] == 0x80);
    }
  }
  c = next_cmd(s, WM_SCRIPT_ACTION);
  if (c) CHECK(c->action.kind == WM_SCRIPT_GET && same(c->action.field, c->action.field_len, "g"));
  at_end(s);
  wm_script_free(s);
}

static void test_assertions(void) {
  wm_script *s = open_text(
      "(assert_return (invoke \"f\" (i32.const 1)) (i32.const 2) (f32.const nan:canonical)\n"
      "  (f64.const nan:arithmetic) (ref.func) (ref.extern) (ref.extern 0) (ref.null func)\n"
      "  (v128.const f32x4 nan:canonical 1 nan:arithmetic -0)\n"
      "  (either (i64.const 1) (f64.const nan:canonical)))\n"
      "(assert_trap (invoke \"f\") \"integer divide by zero\")\n"
      "(assert_trap (module (func)) \"unreachable\")\n"
      "(assert_exhaustion (invoke \"f\") \"call stack exhausted\")\n"
      "(assert_exception (invoke \"f\"))\n"
      "(assert_malformed (module quote \"(func\") \"unexpected end\")\n"
      "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
      "(assert_unlinkable (module binary \"\\00asm\") \"unknown import\")\n"
      "(assert_uninstantiable (module $x (memory 0)) \"out of bounds\")\n"
      "(assert_return (get \"g\"))\n");
  const wm_script_cmd *c = next_cmd(s, WM_SCRIPT_ASSERT_RETURN);
  if (c) {
    const wm_script_pat *p = c->results;
    CHECK(c->nresults == 9 && c->action.nargs == 1 && c->text && c->text[0] == 0);
    if (c->nresults == 9) {
      CHECK(p[0].kind == WM_PAT_VALUE && p[0].val.type == WM_I32 && p[0].val.of.i32 == 2);
      CHECK(p[1].kind == WM_PAT_NAN_CANONICAL && p[1].val.type == WM_F32);
      CHECK(p[2].kind == WM_PAT_NAN_ARITHMETIC && p[2].val.type == WM_F64);
      CHECK(p[3].kind == WM_PAT_REF_NONNULL && p[3].val.type == WM_FUNCREF);
      CHECK(p[4].kind == WM_PAT_REF_NONNULL && p[4].val.type == WM_EXTERNREF);
      CHECK(p[5].kind == WM_PAT_VALUE && p[5].val.of.ref == (void *)(uintptr_t)1);
      CHECK(p[6].kind == WM_PAT_REF_NULL && p[6].val.type == WM_FUNCREF);
      CHECK(p[7].kind == WM_PAT_VALUE && p[7].val.type == WM_V128 && p[7].shape &&
            strcmp(p[7].shape, "f32x4") == 0);
      CHECK(p[7].lane_nan[0] == WM_PAT_NAN_CANONICAL && p[7].lane_nan[1] == 0 &&
            p[7].lane_nan[2] == WM_PAT_NAN_ARITHMETIC && p[7].lane_nan[3] == 0);
      CHECK(p[7].val.of.v128[4] == 0 && p[7].val.of.v128[7] == 0x3f && p[7].val.of.v128[15] == 0x80);
      CHECK(p[8].kind == WM_PAT_EITHER && p[8].neither == 2 && p[8].either);
      if (p[8].neither == 2) {
        CHECK(p[8].either[0].val.type == WM_I64 && p[8].either[0].val.of.i64 == 1);
        CHECK(p[8].either[1].kind == WM_PAT_NAN_CANONICAL && p[8].either[1].val.type == WM_F64);
      }
    }
  }
  c = next_cmd(s, WM_SCRIPT_ASSERT_TRAP);
  if (c) CHECK(strcmp(c->text, "integer divide by zero") == 0 && c->line == 5);
  c = next_cmd(s, WM_SCRIPT_ASSERT_UNINSTANTIABLE);
  if (c) CHECK(same(c->module, c->module_len, "(module (func))") && strcmp(c->text, "unreachable") == 0);
  c = next_cmd(s, WM_SCRIPT_ASSERT_EXHAUSTION);
  if (c) CHECK(strcmp(c->text, "call stack exhausted") == 0);
  c = next_cmd(s, WM_SCRIPT_ASSERT_EXCEPTION);
  if (c) CHECK(c->text[0] == 0 && same(c->action.field, c->action.field_len, "f"));
  c = next_cmd(s, WM_SCRIPT_ASSERT_MALFORMED);
  if (c) {
    /* The reader hands the quoted text over; loading it is what fails. */
    wm_module *mod = NULL;
    wm_error err;
    CHECK(same(c->module, c->module_len, "(module (func\n)"));
    int rc = wm_module_load(c->module, c->module_len, NULL, &mod, &err);
    CHECK_ERR(rc, err, WM_EMALFORMED, "2:2: expected ')'");
  }
  c = next_cmd(s, WM_SCRIPT_ASSERT_INVALID);
  if (c) CHECK(strcmp(c->text, "type mismatch") == 0);
  c = next_cmd(s, WM_SCRIPT_ASSERT_UNLINKABLE);
  if (c) CHECK(!c->module_text && c->module_len == 4);
  c = next_cmd(s, WM_SCRIPT_ASSERT_UNINSTANTIABLE);
  if (c) CHECK(same(c->id, c->id_len, "x") && strcmp(c->text, "out of bounds") == 0);
  c = next_cmd(s, WM_SCRIPT_ASSERT_RETURN);
  if (c) CHECK(c->action.kind == WM_SCRIPT_GET && c->nresults == 0);
  at_end(s);
  wm_script_free(s);
}

/* Module definitions and instances of them: a definition's text module
** comes without its "definition $id", an instance names its definition or
** none (the latest); in an assertion a definition is its module. */
static void test_definitions(void) {
  wm_script *s = open_text("(module definition $d (func $f) (memory 1))\n"
                           "(module definition binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
                           "(module instance $i $d)\n(module instance $j)\n(module instance)\n"
                           "(assert_invalid (module definition $x (func (result i32))) \"type mismatch\")\n"
                           "(module definition)");
  const wm_script_cmd *c = next_cmd(s, WM_SCRIPT_MODULE_DEFINITION);
  if (c) {
    wm_module *mod;
    wm_error err;
    CHECK(same(c->id, c->id_len, "d") && c->module_text);
    CHECK(same((const char *)c->module, c->module_len, "(module (func $f) (memory 1))"));
    CHECK(wm_module_load(c->module, c->module_len, NULL, &mod, &err) == 0);
    wm_module_free(mod);
  }
  c = next_cmd(s, WM_SCRIPT_MODULE_DEFINITION);
  if (c) CHECK(!c->id && !c->module_text && c->module_len == 8);
  c = next_cmd(s, WM_SCRIPT_MODULE_INSTANCE);
  if (c) CHECK(same(c->id, c->id_len, "i") && same(c->def, c->def_len, "d") && !c->module);
  c = next_cmd(s, WM_SCRIPT_MODULE_INSTANCE);
  if (c) CHECK(same(c->id, c->id_len, "j") && !c->def);
  c = next_cmd(s, WM_SCRIPT_MODULE_INSTANCE);
  if (c) CHECK(!c->id && !c->def && c->line == 5);
  c = next_cmd(s, WM_SCRIPT_ASSERT_INVALID);
  if (c) CHECK(same((const char *)c->module, c->module_len, "(module (func (result i32)))"));
  c = next_cmd(s, WM_SCRIPT_MODULE_DEFINITION);
  if (c) CHECK(same((const char *)c->module, c->module_len, "(module )"));
  at_end(s);
  wm_script_free(s);
}

/* Each kind's name, an assertion's its keyword; none for a kind that is not. */
static void test_kind_names(void) {
  CHECK(strcmp(wm_script_kind_name(WM_SCRIPT_ASSERT_RETURN), "assert_return") == 0);
  CHECK(strcmp(wm_script_kind_name(WM_SCRIPT_ASSERT_UNINSTANTIABLE), "assert_uninstantiable") == 0);
  CHECK(strcmp(wm_script_kind_name(WM_SCRIPT_MODULE_INSTANCE), "module instance") == 0);
  CHECK(strcmp(wm_script_kind_name(WM_SCRIPT_UNSUPPORTED), "command") == 0);
  CHECK(strcmp(wm_script_kind_name((wm_script_kind)(WM_SCRIPT_UNSUPPORTED + 1)), "?") == 0);
  CHECK(strcmp(wm_script_kind_name((wm_script_kind)-1), "?") == 0);
}

/* Commands read but not run yet: skipped whole, the script goes on. */
static void test_unsupported(void) {
  wm_script *s = open_text("(thread $t (shared (module $m)) (invoke \"f\"))\n(wait $t)\n"
                           "(input \"x\")\n(output $m \"y\")\n(script $s (module))\n(module)");
  static const char *const what[] = {"thread", "wait", "input", "output", "script"};
  for (size_t i = 0; i < sizeof what / sizeof *what; i++) {
    const wm_script_cmd *c = next_cmd(s, WM_SCRIPT_UNSUPPORTED);
    if (c) CHECK(strstr(c->text, what[i]) && strstr(c->text, "not supported yet") &&
                 c->line == i + 1);
  }
  next_cmd(s, WM_SCRIPT_MODULE);
  at_end(s);
  wm_script_free(s);

  /* Values of GC that cannot be given (an i31 or a struct as an argument, a
  ** null of a concrete type): the command is read whole and comes back
  ** unsupported; (ref.host N), GC's result patterns, the bottom types of
  ** func and extern, and (ref.null) for a null of any type, are in. */
  s = open_text("(assert_return (invoke \"f\" (ref.i31 1)) (ref.null any))\n"
                "(invoke \"f\" (ref.host 1) (ref.struct))\n"
                "(assert_return (invoke \"f\") (either (ref.eq) (i32.const 1)) (ref.null $t))\n"
                "(assert_return (invoke \"f\" (ref.null nofunc) (ref.null noextern)) (ref.null))\n");
  const wm_script_cmd *c = next_cmd(s, WM_SCRIPT_UNSUPPORTED);
  if (c) CHECK(strcmp(c->text, "assert_return with (ref.i31 1) not supported yet") == 0);
  c = next_cmd(s, WM_SCRIPT_UNSUPPORTED);
  if (c) CHECK(strcmp(c->text, "invoke with (ref.struct) not supported yet") == 0 && c->line == 2);
  c = next_cmd(s, WM_SCRIPT_UNSUPPORTED);
  if (c) CHECK(strcmp(c->text, "assert_return with (ref.null $t) not supported yet") == 0);
  c = next_cmd(s, WM_SCRIPT_ASSERT_RETURN);
  if (c && c->action.nargs == 2 && c->nresults == 1) {
    CHECK(c->action.args[0].type == WM_FUNCREF && c->action.args[0].of.ref == NULL);
    CHECK(c->action.args[1].type == WM_EXTERNREF && c->action.args[1].of.ref == NULL);
    CHECK(c->results[0].kind == WM_PAT_REF_NULL && c->results[0].val.type == 0);
  } else {
    CHECK(!"(ref.null nofunc) and (ref.null)");
  }
  at_end(s);
  wm_script_free(s);

  /* GC's result patterns and host references. */
  s = open_text("(assert_return (invoke \"g\" (ref.host 2)) (ref.i31) (ref.struct) (ref.array)"
                " (ref.eq) (ref.any) (ref.host 3))\n");
  c = next_cmd(s, WM_SCRIPT_ASSERT_RETURN);
  if (c && c->action.nargs == 1 && c->nresults == 6) {
    CHECK(c->action.args[0].type == WM_ANYREF && c->action.args[0].of.ref == (void *)3);
    static const uint8_t kinds[] = {WM_ANY_I31, WM_ANY_STRUCT, WM_ANY_ARRAY, WM_PAT_ANY_EQ,
                                    WM_ANY_NULL, WM_ANY_HOST};
    for (int i = 0; i < 6; i++)
      CHECK(c->results[i].kind == WM_PAT_REF_NONNULL && c->results[i].val.type == WM_ANYREF &&
            c->results[i].any_kind == kinds[i]);
    CHECK(c->results[5].val.of.ref == (void *)4);
  } else {
    CHECK(!"GC's patterns");
  }
  at_end(s);
  wm_script_free(s);
}

/* text fails at its first command with WM_EMALFORMED and a message holding
** msg; the same error again on the next call. */
static void bad(const char *text, const char *msg) {
  wm_script *s = open_text(text);
  const wm_script_cmd *c = (const wm_script_cmd *)1;
  wm_error err, again;
  memset(&err, 0, sizeof err);
  int rc = wm_script_next(s, &c, &err);
  CHECK_ERR(rc, err, WM_EMALFORMED, msg);
  CHECK(c == NULL && strncmp(err.message, "t.wast:", 7) == 0);
  CHECK(wm_script_next(s, &c, &again) == WM_EMALFORMED && strcmp(again.message, err.message) == 0);
  wm_script_free(s);
}

static void test_errors(void) {
  /* Unterminated commands and lists. */
  bad("(module (func)", "1:1: unterminated module");
  bad("(assert_return (invoke \"f\")", "1:28: expected a result or ')', got end of script");
  bad("(invoke \"f\" (i32.const 1)", "expected a constant or ')', got end of script");
  bad("(module quote \"x\"", "expected a string or ')', got end of script");
  bad("(thread $t (module)", "1:1: unterminated command");
  bad("(", "1:2: expected a command, got end of script");
  bad(")", "1:1: expected a command, got ')'");
  bad("module", "1:1: expected a command, got 'module'");
  /* Unknown commands, assertions, actions, constants. */
  bad("\n  (modul)", "2:4: unknown command 'modul'");
  bad("(assert_foo (invoke \"f\"))", "1:2: unknown command 'assert_foo'");
  bad("(\"x\")", "1:2: expected a command, got '\"x\"'");
  bad("(assert_return (call \"f\"))", "1:17: expected an action (invoke or get), got 'call'");
  bad("(assert_trap (invoke \"f\") \"x\" \"y\")", "expected a string or ')', got '\"y\"'");
  bad("(assert_invalid (func))", "1:18: expected '(module', got 'func'");
  bad("(assert_invalid (module instance $i) \"x\")", "1:17: module instances in assertions not supported yet");
  bad("(module instance $i $d (func))", "1:24: expected ')', got '('");
  bad("(module definition $d (func)", "1:1: unterminated module");
  bad("(invoke \"f\" (i33.const 1))", "1:14: unknown constant 'i33.const'");
  bad("(invoke \"f\" (ref.func))", "unknown constant 'ref.func'");
  bad("(invoke \"f\" (ref.extern))", "unknown constant 'ref.extern'");
  bad("(assert_return (invoke \"f\") (either (either (i32.const 1))))", "1:38: unknown result 'either'");
  bad("(assert_return (invoke \"f\") (either))", "expected a result, got ')'");
  bad("(invoke \"f\" (f32.const nan:canonical))", "1:24: unexpected token, expected a float");
  bad("(invoke \"f\" 1)", "expected a constant or ')', got '1'");
  bad("(invoke \"f\" (1))", "1:14: expected a constant, got '1'");
  bad("(invoke \"f\" (i32.const))", "expected an integer");
  /* Bad constants. */
  bad("(invoke \"f\" (i32.const 0x1_0000_0000))", "1:24: constant out of range");
  bad("(invoke \"f\" (i64.const 1.5))", "expected an integer");
  bad("(invoke \"f\" (f64.const 1e400))", "constant out of range");
  bad("(invoke \"f\" (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))", "1:31: constant out of range");
  bad("(invoke \"f\" (v128.const i16x8 0 0))", "expected a lane value, got ')'");
  bad("(invoke \"f\" (v128.const i32 0))", "expected a vector shape");
  bad("(invoke \"f\" (ref.null \"any\"))", "expected a reference type (func or extern), got '\"any\"'");
  bad("(invoke \"f\" (ref.null))", "expected a reference type (func or extern), got ')'");
  bad("(invoke \"f\" (ref.i31 (i32.const 1)", "1:14: unterminated constant");
  bad("(invoke \"f\" (ref.extern -1))", "expected an unsigned integer");
  bad("(invoke \"f\" (i32.const 1 2))", "expected ')', got '2'");
  /* Names: UTF-8 after escapes; the lexer's own errors. */
  bad("(invoke \"\\ff\")", "1:9: malformed UTF-8 encoding in a name");
  bad("(register \"\\c0\\80\")", "malformed UTF-8 encoding in a name");
  bad("(invoke \"\\q\")", "1:10: malformed escape");
  bad("(invoke f)", "expected a string, got 'f'");
  bad("(invoke \"f\" (i32.const 1) \"unterminated)", "1:27: unterminated string");
  bad("(register \"r\" 5)", "expected ')', got '5'");
  bad("(module $m binary \"\\00asm\" x)", "expected a string or ')', got 'x'");

  /* An error after a complete command leaves that command whole. */
  static const struct { const char *text, *msg; } after[] = {
      {"(module)\n(invoke \"\\q\")", "t.wast:2:10: malformed escape"},
      {"(module) \"\\q\"", "t.wast:1:11: malformed escape"},
      {"(module) (; never closed", "t.wast:1:10: unterminated block comment"},
  };
  wm_script *s;
  const wm_script_cmd *c;
  wm_error err;
  int rc;
  for (size_t i = 0; i < sizeof after / sizeof *after; i++) {
    s = open_text(after[i].text);
    next_cmd(s, WM_SCRIPT_MODULE);
    rc = wm_script_next(s, &c, &err);
    CHECK_ERR(rc, err, WM_EMALFORMED, after[i].msg);
    wm_script_free(s);
  }
  /* No name: messages start with the place. */
  CHECK(wm_script_open("(x)", 3, NULL, &s, NULL) == 0);
  rc = wm_script_next(s, &c, &err);
  CHECK_ERR(rc, err, WM_EMALFORMED, "1:2: unknown command 'x'");
  CHECK(strncmp(err.message, "1:2:", 4) == 0);
  wm_script_free(s);

  /* NULL arguments. */
  rc = wm_script_open(NULL, 1, NULL, &s, &err);
  CHECK_ERR(rc, err, WM_EINVAL, "NULL argument");
  rc = wm_script_open("", 0, NULL, NULL, &err);
  CHECK_ERR(rc, err, WM_EINVAL, "NULL argument");
  rc = wm_script_next(NULL, &c, &err);
  CHECK_ERR(rc, err, WM_EINVAL, "NULL argument");
}

/* Every allocation may fail: WM_ENOMEM, nothing leaked (ASan), no crash. */
static void test_alloc_failures(void) {
  static const char text[] =
      "(module $m (func)) (module binary \"\\00asm\" \"\\01\\00\\00\\00\") (module quote \"(func)\")\n"
      "(register \"r\" $m) (assert_return (invoke $m \"f\" (i32.const 1) (i64.const 2))\n"
      "  (either (i32.const 1) (i32.const 2)) (f32.const nan:canonical))\n"
      "(assert_trap (invoke \"f\") \"text\")";
  int failures = 0;
  bool done = false;
  for (long n = 0; n < 500 && !done; n++) {
    wm_script *s = NULL;
    const wm_script_cmd *c;
    wm_error err;
    int rc, count = 0;
    wm__alloc_fail_after(n);
    rc = wm_script_open(text, sizeof text - 1, "a", &s, &err);
    while (rc == 0 && (rc = wm_script_next(s, &c, &err)) == 1) {
      count++;
      rc = 0;
    }
    wm__alloc_fail_after(-1);
    if (rc == 0) {
      done = count == 6;
      CHECK(count == 6);
    } else {
      failures += rc == WM_ENOMEM;
      CHECK(rc == WM_ENOMEM);
      if (rc != WM_ENOMEM) fprintf(stderr, "  after %ld: %s\n", n, err.message);
    }
    wm_script_free(s);
  }
  CHECK(done && failures > 5);
}

int main(void) {
  test_modules();
  test_actions();
  test_assertions();
  test_definitions();
  test_kind_names();
  test_unsupported();
  test_errors();
  test_alloc_failures();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
