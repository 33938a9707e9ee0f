/* SPDX-License-Identifier: MIT */
/*
** interp_gc.h -- the handlers of garbage collection's instructions
** (WebAssembly 3.0), included by interp_loop.h into each compilation of
** the loop. Objects, i31s and storage codes are gc.h's; making objects,
** the run-time type test and the extern conversions are gc.c's.
*/

/* An allocation may collect (collect.c) when the instance is of the
** runtime whose stack this is: the frames are brought up to date first, and
** every live value is in the slots. */
#define GC_MAY_COLLECT() (rt->nframes = (uint32_t)(frp - rt->frames) + 1, inst->rt == rt)
#define GC_NEW(obj, kind, x, size, refs)                                        \
  do {                                                                          \
    int t_ = 0;                                                                 \
    obj = wm__gc_alloc(inst->rt, GC_MAY_COLLECT(), (kind), inst->type_ids[(x)], (size), (refs), \
                       &t_, msg);                                               \
    if (WM_UNLIKELY(!obj)) TRAP(t_);                                            \
  } while (0)
#define GC_NULL(r, what)                                                        \
  do {                                                                          \
    if (WM_UNLIKELY(!(r))) {                                                    \
      snprintf(msg, 256, "null %s reference", (what));                          \
      TRAP(WM_TRAP_NULL_REF);                                                   \
    }                                                                           \
  } while (0)
/* Elements [i, i + n) of array o in bounds, else the trap. */
#define GC_RANGE(o, i, n)                                                       \
  do {                                                                          \
    if (WM_UNLIKELY(!wm__in_range((i), (n), (o)->len))) TRAP(WM_TRAP_ARRAY_OOB); \
  } while (0)
#define GC_ESIZE(st) (1u << ((st) & 7))
/* A shared helper's (gc.c) result: its trap, if any. */
#define GC_DONE(t)                                                              \
  do {                                                                          \
    int d_ = (t);                                                               \
    if (WM_UNLIKELY(d_)) TRAP(d_);                                              \
  } while (0)
#define GC_MADE(obj)                                                            \
  do {                                                                          \
    if (WM_UNLIKELY(!(obj))) TRAP(t_);                                          \
  } while (0)

      vmcase(REF_EQ) {
        R(0).u64 = R(1).ref == R(2).ref;
        ip += 5;
        vmbreak;
      }
      vmcase(REF_I31) {
        R(0).ref = wm__i31_make(R(1).u32);
        ip += 4;
        vmbreak;
      }
      vmcase(I31_GET_S) {
        GC_NULL(R(1).ref, "i31");
        R(0).u64 = (uint32_t)wm__i31_s(R(1).ref);
        ip += 4;
        vmbreak;
      }
      vmcase(I31_GET_U) {
        GC_NULL(R(1).ref, "i31");
        R(0).u64 = wm__i31_u(R(1).ref);
        ip += 4;
        vmbreak;
      }
      vmcase(REF_TEST) {
        R(0).u64 = wm__ref_test(inst->rt, inst, R(1).ref, OPD(2));
        ip += 5;
        vmbreak;
      }
      vmcase(REF_CAST) {
        if (WM_UNLIKELY(!wm__ref_test(inst->rt, inst, R(0).ref, OPD(1)))) TRAP(WM_TRAP_CAST);
        ip += 4;
        vmbreak;
      }
      vmcase(BR_ON_CAST) {
        if (wm__ref_test(inst->rt, inst, R(0).ref, OPD(1)))
          ip += (int32_t)OPD(2);
        else
          ip += 5;
        vmbreak;
      }
      vmcase(BR_ON_CAST_FAIL) {
        if (!wm__ref_test(inst->rt, inst, R(0).ref, OPD(1)))
          ip += (int32_t)OPD(2);
        else
          ip += 5;
        vmbreak;
      }
      vmcase(ANY_CONVERT_EXTERN) {
        void *r;
        int t = wm__gc_internalize(inst->rt, GC_MAY_COLLECT(), R(1).ref, &r, msg);
        if (WM_UNLIKELY(t)) TRAP(t);
        R(0).ref = r;
        ip += 4;
        vmbreak;
      }
      vmcase(EXTERN_CONVERT_ANY) {
        void *r;
        int t = wm__gc_externalize(inst->rt, GC_MAY_COLLECT(), R(1).ref, &r, msg);
        if (WM_UNLIKELY(t)) TRAP(t);
        R(0).ref = r;
        ip += 4;
        vmbreak;
      }
      vmcase(STRUCT_NEW) {
        wm_gcobj *o;
        uint32_t n = OPD(4);
        GC_NEW(o, WM_COMP_STRUCT, OPD(1), OPD(2), OPD(3));
        for (uint32_t i = 0; i < n; i++) {
          uint32_t offst = OPD(6 + 2 * i);
          wm__gc_write(o->data + (offst >> 8), offst & 7, &fp[OPD(5 + 2 * i)]);
        }
        R(0).ref = o;
        ip += 7 + 2 * n;
        vmbreak;
      }
      vmcase(STRUCT_NEW_DEFAULT) {
        wm_gcobj *o;
        GC_NEW(o, WM_COMP_STRUCT, OPD(1), OPD(2), OPD(3));
        R(0).ref = o;
        ip += 6;
        vmbreak;
      }
      vmcase(STRUCT_GET) {
        const wm_gcobj *o = R(1).ref;
        GC_NULL(o, "structure");
        uint32_t offst = OPD(2);
        wm__gc_read(o->data + (offst >> 8), offst & 0xFF, &R(0));
        ip += 5;
        vmbreak;
      }
      vmcase(STRUCT_SET) {
        wm_gcobj *o = R(0).ref;
        GC_NULL(o, "structure");
        uint32_t offst = OPD(2);
        wm__gc_write(o->data + (offst >> 8), offst & 7, &R(1));
        ip += 5;
        vmbreak;
      }
      vmcase(ARRAY_NEW) {
        int t_ = 0;
        wm_gcobj *o = wm__gc_array_new(inst->rt, GC_MAY_COLLECT(), inst->type_ids[OPD(1)], OPD(4),
                                       R(3).u32, &R(2), &t_, msg);
        GC_MADE(o);
        R(0).ref = o;
        ip += 7;
        vmbreak;
      }
      vmcase(ARRAY_NEW_DEFAULT) {
        int t_ = 0;
        wm_gcobj *o = wm__gc_array_new(inst->rt, GC_MAY_COLLECT(), inst->type_ids[OPD(1)], OPD(3),
                                       R(2).u32, NULL, &t_, msg);
        GC_MADE(o);
        R(0).ref = o;
        ip += 6;
        vmbreak;
      }
      vmcase(ARRAY_NEW_FIXED) {
        wm_gcobj *o;
        uint32_t st = OPD(2), n = OPD(3), es = GC_ESIZE(st);
        GC_NEW(o, WM_COMP_ARRAY, OPD(1), (uint64_t)n * es, (st & WM_GS_REFS) != 0);
        o->len = n;
        for (uint32_t i = 0; i < n; i++) wm__gc_write(o->data + (size_t)i * es, st, &fp[OPD(4 + i)]);
        R(0).ref = o;
        ip += 6 + n;
        vmbreak;
      }
      vmcase(ARRAY_NEW_DATA) {
        int t_ = 0;
        wm_gcobj *o = wm__gc_array_new_data(inst->rt, GC_MAY_COLLECT(), inst, inst->type_ids[OPD(1)],
                                            OPD(2), OPD(5), R(3).u32, R(4).u32, &t_, msg);
        GC_MADE(o);
        R(0).ref = o;
        ip += 8;
        vmbreak;
      }
      vmcase(ARRAY_NEW_ELEM) {
        int t_ = 0;
        wm_gcobj *o = wm__gc_array_new_elem(inst->rt, GC_MAY_COLLECT(), inst, inst->type_ids[OPD(1)],
                                            OPD(2), R(3).u32, R(4).u32, &t_, msg);
        GC_MADE(o);
        R(0).ref = o;
        ip += 8;
        vmbreak;
      }
      vmcase(ARRAY_GET) {
        const wm_gcobj *o = R(1).ref;
        GC_NULL(o, "array");
        uint32_t i = R(2).u32, st = OPD(3);
        GC_RANGE(o, i, 1);
        wm__gc_read(o->data + (size_t)i * GC_ESIZE(st), st & 0xF, &R(0));
        ip += 6;
        vmbreak;
      }
      vmcase(ARRAY_SET) {
        wm_gcobj *o = R(0).ref;
        GC_NULL(o, "array");
        uint32_t i = R(1).u32, st = OPD(3);
        GC_RANGE(o, i, 1);
        wm__gc_write(o->data + (size_t)i * GC_ESIZE(st), st, &R(2));
        ip += 6;
        vmbreak;
      }
      vmcase(ARRAY_LEN) {
        const wm_gcobj *o = R(1).ref;
        GC_NULL(o, "array");
        R(0).u64 = o->len;
        ip += 4;
        vmbreak;
      }
      vmcase(ARRAY_FILL) {
        wm_gcobj *o = R(0).ref;
        GC_NULL(o, "array");
        GC_DONE(wm__gc_array_fill(o, R(1).u32, R(3).u32, OPD(4), &R(2)));
        ip += 7;
        vmbreak;
      }
      vmcase(ARRAY_COPY) {
        wm_gcobj *a = R(0).ref;
        const wm_gcobj *b = R(2).ref;
        GC_NULL(a, "array");
        GC_NULL(b, "array");
        GC_DONE(wm__gc_array_copy(a, R(1).u32, b, R(3).u32, R(4).u32, OPD(5)));
        ip += 8;
        vmbreak;
      }
      vmcase(ARRAY_INIT_DATA) {
        wm_gcobj *o = R(1).ref;
        GC_NULL(o, "array");
        GC_DONE(wm__gc_array_init_data(inst, o, OPD(0), R(2).u32, R(3).u32, R(4).u32, OPD(5)));
        ip += 8;
        vmbreak;
      }
      vmcase(ARRAY_INIT_ELEM) {
        wm_gcobj *o = R(1).ref;
        GC_NULL(o, "array");
        GC_DONE(wm__gc_array_init_elem(inst, o, OPD(0), R(2).u32, R(3).u32, R(4).u32));
        ip += 8;
        vmbreak;
      }

#undef GC_NEW
#undef GC_MAY_COLLECT
#undef GC_NULL
#undef GC_RANGE
#undef GC_ESIZE
#undef GC_DONE
#undef GC_MADE
