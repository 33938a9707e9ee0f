/* SPDX-License-Identifier: MIT */
/*
** aot.h -- ahead-of-time compilation: the translator to C (aot_c.c) and
** the runtime side of compiled objects (aot_rt.c). See aot_abi.h for what
** the two sides share and docs/ARCHITECTURE.md, "Ahead-of-time code".
*/
#ifndef WM_AOT_H
#define WM_AOT_H

#include "aot_abi.h"
#include "runtime.h"

/* aot_abi.h and the interpreter's numeric.h as text (made by the build:
** cmake/embed_text.cmake), copied into every C file the translator writes;
** simd_lanes.h into those of modules that use v128. */
extern const char wm__aot_text_abi[];
extern const char wm__aot_text_numeric[];
extern const char wm__aot_text_simd[];

/* aot_simd.c: one SIMD instruction, read from b at *pos (after the 0xFD
** prefix) and written as a C statement for aot_c.c to place: the
** operands it pops (class letters i l f d v, as the C locals' suffixes;
** the first is the address of a memory access), the result it pushes,
** the access, and the statement, where $0 $1 $2 stand for the operands,
** $r for the result and $p for the accessed bytes (base + ea_). 0, or a
** WM_E* code with its message in *why. */
typedef struct wm_aot_vform {
  uint8_t nin;      /* operands */
  char in[3];       /* their classes */
  char out;         /* the result's class, 0 for none */
  uint8_t access;   /* bytes accessed in memory `mem` (0: no access) */
  bool store;       /* the access writes */
  uint32_t mem;     /* memarg's memory index */
  uint64_t offset;  /* memarg's offset */
  char form[256];
} wm_aot_vform;
int wm__aot_simd(const uint8_t *b, uint32_t *pos, uint32_t end, wm_aot_vform *v, const char **why);
/* aot_simd.c: what a C file that uses v128 has after simd_lanes.h. */
extern const char wm__aot_simd_prelude[];
extern const char wm__aot_text_simd[];

/* A module loaded from a compiled object (wm_module.aot): the object's
** handle and descriptor, and the lowered code every defined function
** enters: one NATIVE instruction and a RETURN. */
typedef struct wm_aot_lib {
  void *handle;                /* dlopen's */
  const wm_aot_module *desc;
  wm_code *codes;              /* per defined function */
  uintptr_t frame_room;        /* two largest frames and their slack */
  uint32_t *cells;
  /* The object's file, opened at load (-1 if it could not be): its
  ** symbol table is read from it at the first trap, when the path it was
  ** loaded by may be gone (a temporary object, a cache directory's
  ** /proc/self/fd/N path whose descriptor is closed). */
  int fd;
  /* aot_bt.c: the object's functions by address, read at its first trap. */
  _Atomic(struct wm_aot_syms *) syms;
} wm_aot_lib;

/* aot_rt.c: the NATIVE instruction. Run defined function k of inst's
** module natively, its arguments in fp[0..], its results to fp[0..];
** `top` is the first slot above the frame (nested calls go above it).
** 0, or a trap code with its message in msg (WM_TRAP_MSG_CAP bytes) and
** the compiled frames' backtrace lines after it. */
int wm__aot_run(wm_runtime *rt, wm_instance *inst, uint32_t k, wm_slot *fp, wm_slot *top,
                char *msg);
/* aot_rt.c: make inst's context (inst->aot) when its module is compiled. */
int wm__aot_instance(wm_instance *inst, wm_error *err);
/* aot_rt.c: free a compiled module's part (wm_module_free). */
void wm__aot_module_free(wm_module *mod);
/* aot_bt.c: append to msg (cap bytes; the trap's text where it is empty)
** the compiled frames bt took between a trap and wm__aot_run, which
** entered function `entered` (a wasm index): innermost first, the
** interpreter's lines without byte offsets, the entered function left to
** the interpreter's backtrace. */
struct wm_aot_bt;
void wm__aot_bt_format(wm_instance *inst, uint32_t entered, const struct wm_aot_bt *bt, int code,
                       char *msg, size_t cap);
/* aot_bt.c: free what wm__aot_bt_format read of l's object. */
void wm__aot_bt_free(wm_aot_lib *l);

#endif
