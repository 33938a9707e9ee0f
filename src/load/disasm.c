/* SPDX-License-Identifier: MIT */
/*
** disasm.c -- prints lowered code (ops.h) in readable form, one instruction
** a line, for debugging and for the compiler's tests. Slots print as
** l<n> (local), k<n> (constant) or s<n> (operand stack, by height).
*/
#include <inttypes.h>
#include <stdio.h>

#include "module.h"
#include "ops.h"


static const uint8_t op_class[] = {
#define X_(name, cls, wasm) C_##cls,
    WM_OPS(X_)
#undef X_
};

const char *wm__op_layout(wm_op op) {
  op = wm__acc_base(op);
  if (op >= WM_OP_I32_ADD_K_BR_EQ && op <= WM_OP_I32_ADD_K_BR_GE_U) return "ssisso";
  if (op >= WM_OP_I32_ADD_BR_EQ && op <= WM_OP_I32_ADD_BR_GE_U) return "ssssso";
  switch (op_class[op]) {
    case C_UN: return "ss";
    case C_BIN: return "sss";
    case C_LOAD: case C_STORE: return "ssi";
    case C_CMPBR: return "sso";
    case C_BINK: return "ssi";
    case C_CMPBRK: return "sio";
    case C_LOADK: return "ssii";
    case C_STOREK: return "sisi";
    case C_BINLD: return "sssii";
    case C_LOADX: return "sssi";
    case C_STOREX: return "sssi";
    case C_BINRMW: return "ssii";
    case C_ADDBR: return "ssisio";
    case C_BINSH: return "sssi";
    case C_SELCMP: return "sssss";
    case C_SELCMPK: return "ssssi";
    case C_ALOAD: case C_ASTORE: return "ssi";
    case C_ARMW: return "sssi";
    case C_ACMPX: return "ssssi";
    case C_VUN: case C_VTEST: case C_VSPLAT: return "ss";
    case C_VBIN: case C_VSHIFT: return "sss";
    case C_VTERN: return "ssss";
    case C_VEXTRACT: return "ssi";
    case C_VLOAD: case C_VSTORE: return "ssii";
    case C_VREPLACE: return "sssi";
    case C_VLOADLANE: return "sssiii";
    case C_VSTORELANE: return "ssiii";
    case C_VSHUF: return "sssiiii";
    default: break;
  }
  switch (op) {
    case WM_OP_BR: return "o";
    case WM_OP_BR_IF: case WM_OP_BR_IF_NOT: return "so";
    case WM_OP_CALL: return "ibccc";
    case WM_OP_CALL_IMPORT: return "ib";
    case WM_OP_CALL_INDIRECT: return "siib";
    case WM_OP_RETURN_CALL: return "ibi";
    case WM_OP_RETURN_CALL_INDIRECT: return "siibi";
    case WM_OP_MOVE: return "ss";
    case WM_OP_MOVE2: return "ssss";
    case WM_OP_MOVE4: return "ssssssss";
    case WM_OP_I32_ADD_K_CALL: return "ssiibccc";
    case WM_OP_CONST32: return "si";
    case WM_OP_I32_ADD_K_LOAD8_U_BR_IF_NOT_MOVE: return "ssiiissioiiss";
    case WM_OP_I32_LOAD_2: case WM_OP_I32_LOAD8_S_2: case WM_OP_I32_LOAD8_U_2:
    case WM_OP_I32_LOAD16_S_2: case WM_OP_I32_LOAD16_U_2: return "ssiiissi";
    case WM_OP_CONST64: return "sq";
    case WM_OP_SELECT: case WM_OP_SELECT_V: return "ssss";
    case WM_OP_GLOBAL_GET_V: return "si";
    case WM_OP_GLOBAL_SET_V: return "is";
    case WM_OP_MOVE_V: return "ss";
    case WM_OP_GLOBAL_GET: return "si";
    case WM_OP_GLOBAL_SET: return "is";
    case WM_OP_REF_FUNC: return "si";
    case WM_OP_MEMORY_SIZE: return "s";
    case WM_OP_MEMORY_GROW: return "ss";
    case WM_OP_MEMORY_INIT: return "isss";
    case WM_OP_DATA_DROP: return "i";
    case WM_OP_MEMORY_COPY: case WM_OP_MEMORY_FILL: return "sss";
    case WM_OP_MEMORY_SELECT: return "i";
    case WM_OP_MEMORY_COPY_MM: return "sssii";
    case WM_OP_TABLE_GET: return "sis";
    case WM_OP_TABLE_SET: return "iss";
    case WM_OP_TABLE_INIT: return "iisss";
    case WM_OP_ELEM_DROP: return "i";
    case WM_OP_TABLE_COPY: return "iisss";
    case WM_OP_TABLE_GROW: return "siss";
    case WM_OP_TABLE_SIZE: return "si";
    case WM_OP_TABLE_FILL: return "isss";
    case WM_OP_MOVE_BR: return "sso";
    case WM_OP_MOVE_BR_IF: case WM_OP_MOVE_BR_IF_NOT: return "ssso";
    case WM_OP_I32_LOAD_BR_IF: case WM_OP_I32_LOAD_BR_IF_NOT:
    case WM_OP_I32_LOAD8_U_BR_IF: case WM_OP_I32_LOAD8_U_BR_IF_NOT: return "ssio";
    case WM_OP_I32_SHR_U_AND_K: return "ssii";
    case WM_OP_I32_LOAD_SHL_K: return "ssiii";
    case WM_OP_MOVE_I32_LOAD: return "ssssi";
    case WM_OP_MOVE_I32_LOAD_STORE: return "ssssis";
    case WM_OP_MOVE_I32_LOAD_STORE_MOVE_BR_IF: return "ssssisssso";
    case WM_OP_I32_STORE8_X_ADD_BR_LE_U: return "sssissssso";
    case WM_OP_MOVE_I32_LOAD_K: case WM_OP_MOVE_I32_LOAD8_U_K: return "ssssii";
    case WM_OP_I32_LOAD_BR_EQ: case WM_OP_I32_LOAD_BR_NE: return "ssiso";
    case WM_OP_SELECT_AND_K: return "ssssi";
    case WM_OP_I32_SHR_U_XOR_K: return "sssii";
    case WM_OP_I32_SHR_U_AND_K_XOR_K: return "sssiii";
    case WM_OP_I32_SHR_U_AND_K_XOR_K_SELECT: return "sssiiisssssii";
    /* the second step's head and cells, not read: as immediates */
    case WM_OP_I32_SHR_U_XOR_K_SELECT2: return "sssiisssssiiiiiiiiiiiiiiii";
    case WM_OP_I32_SHR_U_AND_K_XOR_K_SELECT2: return "sssiiisssssiiiiiiiiiiiiiiiii";
    case WM_OP_SELECT_XOR_AND_K: return "sssssii";
    case WM_OP_I32_SHR_U_XOR_K_SELECT: return "sssiisssssii";
    case WM_OP_I32_SIGMA_K: return "ssiiii";
    case WM_OP_I32_ANDN: return "sss";
    case WM_OP_I32_MAJ: return "ssss";
    case WM_OP_F32_MUL_ADD_RMW: case WM_OP_F64_MUL_ADD_RMW: return "sssiisi";
    case WM_OP_F32_ADD_MUL_ADD_RMW: case WM_OP_F64_ADD_MUL_ADD_RMW: return "ssssssiisi";
    case WM_OP_F32_ADDK_MUL_ADD_RMW: case WM_OP_F64_ADDK_MUL_ADD_RMW: return "ssisssiisi";
    case WM_OP_I32_MUL_ADD: return "ssss";
    case WM_OP_I32_MUL_K_ADD: return "ssis";
    case WM_OP_I32_MUL_K_ADD_K: case WM_OP_I32_ADD_K_AND_K: return "ssii";
    case WM_OP_I32_DIV_S_K: case WM_OP_I32_DIV_U_K: case WM_OP_I32_REM_S_K:
    case WM_OP_I32_REM_U_K: return "ssqi";
    case WM_OP_I32_MUL_LD_ADD: return "sssiis";
    case WM_OP_FUEL: return "i";
    case WM_OP_ADDR64: return "ssq";
    case WM_OP_INDEX64: return "ss";
    case WM_OP_MEMORY_GROW64: return "ss";
    case WM_OP_MEMORY_FILL64: return "sss";
    case WM_OP_MEMORY_INIT64: return "isss";
    case WM_OP_MEMORY_COPY64: return "sssiii";
    case WM_OP_TABLE_GROW64: return "siss";
    case WM_OP_CALL_REF: return "sb";
    case WM_OP_RETURN_CALL_REF: return "sbi";
    case WM_OP_REF_AS_NON_NULL: return "s";
    case WM_OP_BR_ON_NULL: case WM_OP_BR_ON_NON_NULL: return "so";
    case WM_OP_MEMORY_ATOMIC_NOTIFY: return "sssi";
    case WM_OP_MEMORY_ATOMIC_WAIT32: case WM_OP_MEMORY_ATOMIC_WAIT64: return "ssssi";
    case WM_OP_REF_EQ: return "sss";
    case WM_OP_REF_I31: case WM_OP_I31_GET_S: case WM_OP_I31_GET_U: return "ss";
    case WM_OP_ANY_CONVERT_EXTERN: case WM_OP_EXTERN_CONVERT_ANY: case WM_OP_ARRAY_LEN: return "ss";
    case WM_OP_REF_TEST: return "ssi";
    case WM_OP_REF_CAST: return "si";
    case WM_OP_BR_ON_CAST: case WM_OP_BR_ON_CAST_FAIL: return "sio";
    case WM_OP_STRUCT_NEW: return "siiii"; /* then n (slot, offst) pairs */
    case WM_OP_STRUCT_NEW_DEFAULT: return "siii";
    case WM_OP_STRUCT_GET: case WM_OP_STRUCT_SET: return "ssi";
    case WM_OP_ARRAY_NEW: return "sissi";
    case WM_OP_ARRAY_NEW_DEFAULT: return "sisi";
    case WM_OP_ARRAY_NEW_FIXED: return "siii"; /* then n slots */
    case WM_OP_ARRAY_NEW_DATA: case WM_OP_ARRAY_NEW_ELEM: return "siissi";
    case WM_OP_ARRAY_GET: case WM_OP_ARRAY_SET: return "sssi";
    case WM_OP_ARRAY_FILL: return "ssssi";
    case WM_OP_ARRAY_COPY: return "sssssi";
    case WM_OP_ARRAY_INIT_DATA: case WM_OP_ARRAY_INIT_ELEM: return "issssi";
    case WM_OP_THROW: return "ib";
    case WM_OP_THROW_REF: return "s";
    case WM_OP_NATIVE: return "i";
    case WM_OP_UNREACHABLE: case WM_OP_RETURN: case WM_OP_ATOMIC_FENCE: case WM_OP_LAZY:
      return "";
    default: return NULL; /* BR_TABLE and BR_TABLE_K: see wm__disasm */
  }
}

static void slot(const wm_code *c, uint32_t s, FILE *out) {
  if (s < c->nlocal_slots) fprintf(out, " l%" PRIu32, s);
  else if (s - c->nlocal_slots < c->nconsts) fprintf(out, " k%" PRIu32, s - c->nlocal_slots);
  else fprintf(out, " s%" PRIu32, s - c->nlocal_slots - c->nconsts);
}

void wm__disasm(const wm_code *c, FILE *out) {
  fprintf(out, "; func %" PRIu32 ": %" PRIu32 " params, %" PRIu32 " locals, %" PRIu32
               " results, %" PRIu32 " consts, frame %" PRIu32 ", %" PRIu32 " cells\n",
          c->func_idx, c->nparam_slots, c->nlocal_slots, c->nresult_slots, c->nconsts,
          c->frame_slots, c->ncode);
  for (uint32_t i = 0; i < c->nconsts; i++)
    fprintf(out, ";   k%" PRIu32 " = 0x%" PRIx64 "\n", i, c->consts[i]);
  uint32_t pc = 0;
  while (pc + WM_HEAD_CELLS <= c->ncode) {
    uint64_t head = c->code[pc] | (uint64_t)c->code[pc + 1] << 32;
    wm_op op = wm__op_from_head(head);
    if ((unsigned)op >= WM_OP_COUNT_) {
      fprintf(out, "%6" PRIu32 ": ??? head 0x%" PRIx64 "\n", pc, head);
      return;
    }
    uint32_t at = pc;
    fprintf(out, "%6" PRIu32 ": %s", pc, wm__op_name(op));
    pc += WM_HEAD_CELLS;
    if (op == WM_OP_BR_TABLE || op == WM_OP_BR_TABLE_K) {
      bool k = op == WM_OP_BR_TABLE_K; /* an immediate after the slot */
      if (pc + 2 + k > c->ncode) break;
      slot(c, c->code[pc], out);
      if (k) fprintf(out, " %" PRIu32, c->code[pc + 1]);
      uint32_t n = c->code[pc + 1 + k];
      pc += 2 + k;
      fprintf(out, " [");
      for (uint32_t k = 0; k <= n && pc < c->ncode; k++, pc++)
        fprintf(out, "%s%" PRIu32, k ? " " : "", at + c->code[pc]);
      fprintf(out, "]\n");
      continue;
    }
    uint32_t n = 0; /* the operands of STRUCT_NEW and ARRAY_NEW_FIXED after their count */
    const char *lay = wm__op_layout(op);
    for (const char *l = lay ? lay : ""; *l && pc < c->ncode; l++) {
      uint32_t v = c->code[pc++];
      if (!l[1] && (op == WM_OP_STRUCT_NEW || op == WM_OP_ARRAY_NEW_FIXED)) n = v;
      switch (*l) {
        case 's': case 'b': slot(c, v, out); break;
        case 'i': fprintf(out, " %" PRIu32, v); break;
        case 'o': fprintf(out, " ->%" PRIu32, at + v); break;
        case 'q':
          if (pc < c->ncode) fprintf(out, " 0x%" PRIx64, v | (uint64_t)c->code[pc++] << 32);
          break;
      }
    }
    for (uint32_t k = 0; k < n && pc < c->ncode; k++) {
      slot(c, c->code[pc++], out);
      if (op == WM_OP_STRUCT_NEW && pc < c->ncode) fprintf(out, "@%" PRIu32, c->code[pc++] >> 8);
    }
    fputc('\n', out);
  }
}
