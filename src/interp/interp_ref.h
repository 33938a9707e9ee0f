/* SPDX-License-Identifier: MIT */
/*
** interp_ref.h -- the handlers of WebAssembly 3.0's typed function
** references, included by interp_loop.h into each compilation of the
** loop. call_ref and return_call_ref take the shared call paths of
** CALL_INDIRECT and RETURN_CALL_INDIRECT, without the type check:
** validation proved the reference's type.
*/

      vmcase(CALL_REF) {
        callee = (wm_func *)R(0).ref;
        if (WM_UNLIKELY(!callee)) {
          snprintf(msg, 256, "null function reference");
          TRAP(WM_TRAP_NULL_REF);
        }
        nfp = fp + OPD(1);
        next_ip = ip + 4;
        goto call_common;
      }
      vmcase(RETURN_CALL_REF) {
        callee = (wm_func *)R(0).ref;
        if (WM_UNLIKELY(!callee)) {
          snprintf(msg, 256, "null function reference");
          TRAP(WM_TRAP_NULL_REF);
        }
        nfp = fp + OPD(1);
        ntail = OPD(2);
        next_ip = ip + 5;
        goto tail_common;
      }
      vmcase(REF_AS_NON_NULL) {
        if (WM_UNLIKELY(!R(0).ref)) TRAP(WM_TRAP_NULL_REF);
        ip += 3;
        vmbreak;
      }
      vmcase(BR_ON_NULL) {
        if (!R(0).ref)
          ip += (int32_t)OPD(1);
        else
          ip += 4;
        vmbreak;
      }
      vmcase(BR_ON_NON_NULL) {
        if (R(0).ref)
          ip += (int32_t)OPD(1);
        else
          ip += 4;
        vmbreak;
      }
