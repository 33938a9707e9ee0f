/* SPDX-License-Identifier: MIT */
/*
** aot_mem.c -- the translator's memory instructions (aot_c.c does the
** rest): loads and stores, memory.size and memory.grow, and the bulk
** instructions, of any memory, 32- or 64-bit.
**
** Memory 0's base and size are the function's C locals `mem` and `ms`
** (the size read again after anything that may grow it); another
** memory's are read from the context at each access (c->mems[i],
** *c->mem_sizes[i]). Only memory 0, and only a 32-bit one, may be
** guarded: its reservation is the one the fault handler knows, and a
** 64-bit address fits no guard. Every other access is checked, with the
** interpreter's bounds: a 64-bit address plus offset that wraps, or
** reaches 2^32 (our memories hold at most 2^32 bytes), traps as out of
** bounds as one past the size does.
*/
#include <inttypes.h>

#include "aot_emit.h"

/* Loads 0x28..0x35: access bytes, loaded C type, result class, widening. */
typedef struct memop {
  uint8_t n;
  uint8_t r;
  const char *load;   /* the C expression of the loaded value, %s the pointer */
} memop;
static const memop loads[0x36 - 0x28] = {
  {4, T_I32, "wm_ld_u32(%s)"},
  {8, T_I64, "wm_ld_u64(%s)"},
  {4, T_F32, "wm_f32_from(wm_ld_u32(%s))"},
  {8, T_F64, "wm_f64_from(wm_ld_u64(%s))"},
  {1, T_I32, "(uint32_t)(int32_t)(int8_t)wm_ld_u8(%s)"},
  {1, T_I32, "(uint32_t)wm_ld_u8(%s)"},
  {2, T_I32, "(uint32_t)(int32_t)(int16_t)wm_ld_u16(%s)"},
  {2, T_I32, "(uint32_t)wm_ld_u16(%s)"},
  {1, T_I64, "(uint64_t)(int64_t)(int8_t)wm_ld_u8(%s)"},
  {1, T_I64, "(uint64_t)wm_ld_u8(%s)"},
  {2, T_I64, "(uint64_t)(int64_t)(int16_t)wm_ld_u16(%s)"},
  {2, T_I64, "(uint64_t)wm_ld_u16(%s)"},
  {4, T_I64, "(uint64_t)(int64_t)(int32_t)wm_ld_u32(%s)"},
  {4, T_I64, "(uint64_t)wm_ld_u32(%s)"},
};
/* Stores 0x36..0x3E: bytes, value class, the C statement (%s pointer,
** %s value). */
static const memop stores[0x3F - 0x36] = {
  {4, T_I32, "wm_st_u32(%s, %s)"},
  {8, T_I64, "wm_st_u64(%s, %s)"},
  {4, T_F32, "wm_st_u32(%s, wm_f32_bits(%s))"},
  {8, T_F64, "wm_st_u64(%s, wm_f64_bits(%s))"},
  {1, T_I32, "*(%s) = (uint8_t)%s"},
  {2, T_I32, "wm_st_u16(%s, (uint16_t)%s)"},
  {1, T_I64, "*(%s) = (uint8_t)%s"},
  {2, T_I64, "wm_st_u16(%s, (uint16_t)%s)"},
  {4, T_I64, "wm_st_u32(%s, (uint32_t)%s)"},
};

uint32_t wm__aot_access_bytes(uint8_t op) {
  return op <= 0x35 ? loads[op - 0x28].n : stores[op - 0x36].n;
}

int wm__aot_memarg(fstate *f, uint32_t *mem, uint64_t *offset) {
  uint32_t align;
  *mem = 0;
  *offset = 0;
  int rc = u32imm(f, &align);
  if (!rc && (align & 0x40)) rc = u32imm(f, mem);
  if (rc) return rc;
  int e = wm__leb_u64(f->b, &f->pos, f->end, offset);
  return e ? fail(f, WM_EMALFORMED, "%s", wm__leb_msg(e)) : 0;
}

static bool is64(const fstate *f, uint32_t mem) { return f->mod->mems[mem].is64; }

/* The C expression of memory mem's size in bytes. */
static const char *size_of(fstate *f, uint32_t mem) {
  if (mem == 0) return "ms";
  char *s = f->names[f->ring++ & 7];
  snprintf(s, sizeof f->names[0], "(*c->mem_sizes[%u])", (unsigned)mem);
  return s;
}

void wm__aot_address(fstate *f, uint32_t a, uint32_t mem, uint64_t offset, uint32_t n,
                     bool guarded, char *p, size_t cap) {
  if (mem == 0)
    snprintf(p, cap, "(mem + ea_)");
  else
    snprintf(p, cap, "(c->mems[%u] + ea_)", (unsigned)mem);
  const char *x = V(f, a);
  if (is64(f, mem)) {
    put(f->o, "  ea_ = %s + UINT64_C(%" PRIu64 ");", x, offset);
    put(f->o, " if (WM_UNLIKELY(ea_ < %s || ea_ >> 32 || ea_ + %u > %s)) wm_trap(c, %d);\n", x,
        (unsigned)n, size_of(f, mem), WM_TRAP_MEMORY_OOB);
    return;
  }
  /* A 32-bit memory's offset is below 2^32 (validation says so). */
  put(f->o, "  ea_ = (uint64_t)%s + %" PRIu64 "u;", x, offset);
  if (guarded && mem == 0)
    put(f->o, "\n");
  else
    put(f->o, " if (WM_UNLIKELY(ea_ + %u > %s)) wm_trap(c, %d);\n", (unsigned)n, size_of(f, mem),
        WM_TRAP_MEMORY_OOB);
}

/* A load (0x28..0x35) or a store (0x36..0x3E). */
static int load_store(fstate *f, uint8_t op) {
  uint32_t mem;
  uint64_t offset;
  char p[40];
  int rc = wm__aot_memarg(f, &mem, &offset);
  if (rc) return rc;
  bool guarded = f->guarded && mem == 0;
  /* A versioned loop's fast copy (aot_vec.c): its guard proved every
  ** access in bounds, so nothing faults, and no access is pinned. */
  bool fast = f->vec != NULL;
  if (fast) guarded = false;
  if (op <= 0x35) {
    const memop *m = &loads[op - 0x28];
    uint32_t a = f->sp - 1;
    if (fast)
      wm__aot_vec_address(f, p, sizeof p);
    else
      wm__aot_address(f, a, mem, offset, m->n, guarded, p, sizeof p);
    f->sp = a;
    rc = push(f, m->r);
    if (rc) return rc;
    put(f->o, "  %s = ", V(f, a));
    put(f->o, m->load, p);
    put(f->o, ";\n");
    /* A guarded load's value is used, in the register it is loaded to, so
    ** the C compiler keeps the load even where wasm drops its result: its
    ** fault is the trap. */
    if (guarded) put(f->o, "  WM_KEEP%s(%s);\n", m->r == T_F32 || m->r == T_F64 ? "F" : "", V(f, a));
    return 0;
  }
  const memop *m = &stores[op - 0x36];
  uint32_t a = f->sp - 2;
  if (fast)
    wm__aot_vec_address(f, p, sizeof p);
  else
    wm__aot_address(f, a, mem, offset, m->n, guarded, p, sizeof p);
  if (!fast) fence(f);
  put(f->o, "  ");
  put(f->o, m->load, p, V(f, a + 1));
  put(f->o, ";\n");
  if (!fast) fence(f);
  f->sp = a;
  return 0;
}

int wm__aot_mem(fstate *f, uint8_t op) {
  if (op >= 0x28 && op <= 0x3E) return load_store(f, op);
  uint32_t mem;
  int rc = u32imm(f, &mem);
  if (rc) return rc;
  if (op == 0x3F) { /* memory.size */
    if (is64(f, mem)) return pushv(f, T_I64, "(%s >> 16)", size_of(f, mem));
    return pushv(f, T_I32, "(uint32_t)(%s >> 16)", size_of(f, mem));
  }
  /* memory.grow: the old size in pages, or -1 of the memory's width. */
  const char *a = V(f, f->sp - 1);
  put(f->o, "  %s = (%s)c->mem_grow(c, %uu, %s);\n", a, is64(f, mem) ? "uint64_t" : "uint32_t",
      (unsigned)mem, a);
  reload_size(f);
  return 0;
}

int wm__aot_mem_bulk(fstate *f, uint32_t x) {
  uint32_t i0 = 0, i1 = 0;
  int rc = u32imm(f, &i0);
  if (!rc && (x == 8 || x == 10)) rc = u32imm(f, &i1);
  if (rc) return rc;
  char head[64];
  switch (x) {
    case 8: /* memory.init seg mem */
      snprintf(head, sizeof head, "c->mem_init(c, %uu, %uu", (unsigned)i1, (unsigned)i0);
      return bulk(f, head, 3);
    case 9: snprintf(head, sizeof head, "c->data_drop(c, %uu", (unsigned)i0); return bulk(f, head, 0);
    case 10: /* memory.copy dst src */
      snprintf(head, sizeof head, "c->mem_copy(c, %uu, %uu", (unsigned)i0, (unsigned)i1);
      return bulk(f, head, 3);
    default: /* 11, memory.fill mem */
      snprintf(head, sizeof head, "c->mem_fill(c, %uu", (unsigned)i0);
      return bulk(f, head, 3);
  }
}
