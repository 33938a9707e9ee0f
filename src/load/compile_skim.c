/* SPDX-License-Identifier: MIT */
/*
** compile_skim.c -- reads a function body without validating it
** (wm__skim_body): only the encoding errors the main pass (compile.c)
** would report. After an invalid body the loader skims the bodies after
** it, since the spec reports a malformed body before an invalid one.
** The instruction families with their own files skim there
** (wm__c_skim_simd, wm__c_skim_atomic, wm__c_skim_gc).
*/
#include "compile.h"

static int skip_u32(cstate *c, uint32_t n) {
  uint32_t v;
  for (uint32_t i = 0; i < n; i++) TRY(wm__c_rd_u32(c, &v));
  return 0;
}

static int skip_zero(cstate *c) {
  uint8_t b;
  TRY(wm__c_rd_u8(c, &b));
  return b ? wm__c_malformed(c, "zero byte expected") : 0;
}

/* A memory index: 2.0's reserved zero byte, or 3.0's u32. */
static int skip_memidx(cstate *c) { return c->mod->wasm2 ? skip_zero(c) : skip_u32(c, 1); }

/* A value type (or heap type) for skimming: its encoding errors only. */
static int skim_type(cstate *c, bool heap) {
  uint32_t t;
  int rc = wm__c_rd_type(c, heap, &t);
  return rc == WM_EINVALID ? 0 : rc;
}

/* Decode the body of c (bytes c->pos..c->end) without validating it: only
** the encoding errors the main pass would report. */
static int skim(cstate *c) {
  uint32_t depth = 1;
  while (depth > 0) {
    c->instr_off = c->pos;
    if (c->pos >= c->end) {
      if (c->end >= c->mod->len) return wm__c_unexpected_end(c);
      return wm__c_malformed(c, "END opcode expected");
    }
    uint8_t op = c->bytes[c->pos++ - c->base], b;
    int64_t s;
    uint64_t bits;
    uint32_t n;
    if ((op >= 0x45 && op <= 0xC4) || op <= 0x01 || op == 0x05 || op == 0x0F || op == 0x1A ||
        op == 0x1B || op == 0xD1 || (op == 0xD4 && !c->mod->wasm2))
      continue;
    if ((op >= 0x0C && op <= 0x10) || op == 0x12 || (op >= 0x20 && op <= 0x26) || op == 0xD2 ||
        ((op == 0x14 || op == 0x15 || op == 0xD5 || op == 0xD6) && !c->mod->wasm2)) {
      if (op == 0x0E) { /* br_table */
        TRY(wm__c_rd_u32(c, &n));
        if (n > c->end - c->pos) return wm__c_unexpected_end(c);
        TRY(skip_u32(c, n));
      }
      TRY(skip_u32(c, 1)); /* the label, index or default label */
      continue;
    }
    if (op >= 0x28 && op <= 0x3E) {
      TRY(wm__c_skip_memarg(c));
      continue;
    }
    switch (op) {
      case 0x02: case 0x03: case 0x04: {
        ctl bt;
        int rc = wm__c_rd_blocktype(c, &bt);
        if (rc && rc != WM_EINVALID) return rc;
        depth++;
        break;
      }
      case 0x0B: depth--; break;
      case 0x11: case 0x13: TRY(skip_u32(c, 2)); break;
      case 0x1C:
        TRY(wm__c_rd_u32(c, &n));
        if (n > c->end - c->pos) return wm__c_unexpected_end(c);
        for (uint32_t i = 0; i < n; i++) TRY(skim_type(c, false));
        break;
      case 0x3F: case 0x40: TRY(skip_memidx(c)); break;
      case 0x41: TRY(wm__c_rd_sleb(c, 32, &s)); break;
      case 0x42: TRY(wm__c_rd_sleb(c, 64, &s)); break;
      case 0x43: TRY(wm__c_rd_fixed(c, 4, &bits)); break;
      case 0x44: TRY(wm__c_rd_fixed(c, 8, &bits)); break;
      case 0xD0: TRY(skim_type(c, true)); break;
      case 0x08: /* throw */
        if (c->mod->wasm2) return wm__c_malformed(c, "illegal opcode");
        TRY(skip_u32(c, 1));
        break;
      case 0x0A: /* throw_ref */
        if (c->mod->wasm2) return wm__c_malformed(c, "illegal opcode");
        break;
      case 0x1F: { /* try_table */
        if (c->mod->wasm2) return wm__c_malformed(c, "illegal opcode");
        ctl bt;
        int rc = wm__c_rd_blocktype(c, &bt);
        if (rc && rc != WM_EINVALID) return rc;
        TRY(wm__c_rd_u32(c, &n));
        for (uint32_t i = 0; i < n; i++) {
          TRY(wm__c_rd_u8(c, &b));
          if (b > WM_CATCH_ALL_REF) return wm__c_malformed(c, "malformed catch clause");
          TRY(skip_u32(c, b < WM_CATCH_ALL ? 2 : 1));
        }
        depth++;
        break;
      }
      case 0xFC:
        TRY(wm__c_rd_u32(c, &n));
        if (n <= 7) break;
        if (n == 8 || n == 9) {
          if (!c->mod->has_datacount && c->mod->ndatas > 0)
            return wm__c_malformed(c, "data count section required");
          TRY(skip_u32(c, 1));
          if (n == 8) TRY(skip_memidx(c));
        } else if (n == 10) {
          TRY(skip_memidx(c));
          TRY(skip_memidx(c));
        } else if (n == 11) {
          TRY(skip_memidx(c));
        } else if (n == 12 || n == 14) {
          TRY(skip_u32(c, 2));
        } else if (n <= 17) {
          TRY(skip_u32(c, 1));
        } else {
          return wm__c_malformed(c, "illegal opcode");
        }
        break;
      case 0xFD: TRY(wm__c_skim_simd(c)); break;
      case 0xFE: TRY(wm__c_skim_atomic(c)); break;
      case 0xFB:
        TRY(wm__c_rd_u32(c, &n));
        TRY(wm__c_skim_gc(c, n));
        break;
      case 0xD3:
        if (c->mod->wasm2) return wm__c_malformed(c, "illegal opcode");
        break;
      default: {
        const char *why = wm__unsupported_op(op);
        return wm__c_malformed(c, why ? why : "illegal opcode");
      }
    }
  }
  if (c->pos != c->end) return wm__c_malformed(c, "section size mismatch");
  return 0;
}

int wm__skim_body(wm_module *mod, uint32_t idx, wm_error *err) {
  if (idx < mod->nfunc_imports || idx >= mod->nfuncs) return 0;
  const wm_funcdef *fd = &mod->funcs[idx];
  const uint8_t *body;
  uint8_t *buf = NULL;
  uint32_t cap = 0;
  if (wm__body_bytes(mod, idx, &body, &buf, &cap, err)) {
    wm__free(buf);
    return 0;
  }
  cstate c;
  memset(&c, 0, sizeof c);
  c.mod = mod;
  c.err = err;
  c.bytes = body;
  c.base = fd->body_off;
  c.pos = fd->code_start;
  c.end = fd->body_off + fd->body_len;
  int rc = c.end > mod->len || c.pos > c.end || c.pos < c.base ? 0 : skim(&c);
  wm__free(buf);
  return rc;
}
