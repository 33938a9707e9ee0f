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
        wm_gcobj *o;
        uint32_t st = OPD(4), n = R(3).u32, es = GC_ESIZE(st);
        GC_NEW(o, WM_COMP_ARRAY, OPD(1), (uint64_t)n * es, (st & WM_GS_REFS) != 0);
        o->len = n;
        for (uint32_t i = 0; i < n; i++) wm__gc_write(o->data + (size_t)i * es, st, &R(2));
        R(0).ref = o;
        ip += 7;
        vmbreak;
      }
      vmcase(ARRAY_NEW_DEFAULT) {
        wm_gcobj *o;
        uint32_t st = OPD(3), n = R(2).u32;
        GC_NEW(o, WM_COMP_ARRAY, OPD(1), (uint64_t)n * GC_ESIZE(st), (st & WM_GS_REFS) != 0);
        o->len = n;
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
        wm_gcobj *o;
        uint32_t seg = OPD(2), st = OPD(5), src = R(3).u32, n = R(4).u32, es = GC_ESIZE(st);
        const wm_data *d = &inst->mod->datas[seg];
        uint64_t bytes = (uint64_t)n * es;
        if ((uint64_t)src + bytes > (inst->data_dropped[seg] ? 0 : d->len))
          TRAP(WM_TRAP_MEMORY_OOB);
        GC_NEW(o, WM_COMP_ARRAY, OPD(1), bytes, false);
        o->len = n;
        if (bytes) memcpy(o->data, d->bytes + src, (size_t)bytes);
        R(0).ref = o;
        ip += 8;
        vmbreak;
      }
      vmcase(ARRAY_NEW_ELEM) {
        wm_gcobj *o;
        uint32_t seg = OPD(2), src = R(3).u32, n = R(4).u32;
        const wm_elem *e = &inst->mod->elems[seg];
        if (!wm__in_range(src, n, inst->elem_dropped[seg] ? 0 : e->count)) TRAP(WM_TRAP_TABLE_OOB);
        GC_NEW(o, WM_COMP_ARRAY, OPD(1), (uint64_t)n * 8, true);
        o->len = n;
        for (uint32_t k = 0; k < n; k++) {
          void *v = wm__elem_item(inst, seg, src + k);
          memcpy(o->data + (size_t)k * 8, &v, 8);
        }
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
        uint32_t i = R(1).u32, n = R(3).u32, st = OPD(4), es = GC_ESIZE(st);
        GC_RANGE(o, i, n);
        for (uint32_t k = 0; k < n; k++) wm__gc_write(o->data + (size_t)(i + k) * es, st, &R(2));
        ip += 7;
        vmbreak;
      }
      vmcase(ARRAY_COPY) {
        wm_gcobj *a = R(0).ref;
        const wm_gcobj *b = R(2).ref;
        GC_NULL(a, "array");
        GC_NULL(b, "array");
        uint32_t i = R(1).u32, j = R(3).u32, n = R(4).u32, es = GC_ESIZE(OPD(5));
        GC_RANGE(a, i, n);
        GC_RANGE(b, j, n);
        if (n) memmove(a->data + (size_t)i * es, b->data + (size_t)j * es, (size_t)n * es);
        ip += 8;
        vmbreak;
      }
      vmcase(ARRAY_INIT_DATA) {
        uint32_t seg = OPD(0), i = R(2).u32, src = R(3).u32, n = R(4).u32, es = GC_ESIZE(OPD(5));
        wm_gcobj *o = R(1).ref;
        GC_NULL(o, "array");
        GC_RANGE(o, i, n);
        const wm_data *d = &inst->mod->datas[seg];
        if ((uint64_t)src + (uint64_t)n * es > (inst->data_dropped[seg] ? 0 : d->len))
          TRAP(WM_TRAP_MEMORY_OOB);
        if (n) memcpy(o->data + (size_t)i * es, d->bytes + src, (size_t)n * es);
        ip += 8;
        vmbreak;
      }
      vmcase(ARRAY_INIT_ELEM) {
        uint32_t seg = OPD(0), i = R(2).u32, src = R(3).u32, n = R(4).u32;
        wm_gcobj *o = R(1).ref;
        GC_NULL(o, "array");
        GC_RANGE(o, i, n);
        const wm_elem *e = &inst->mod->elems[seg];
        if (!wm__in_range(src, n, inst->elem_dropped[seg] ? 0 : e->count)) TRAP(WM_TRAP_TABLE_OOB);
        for (uint32_t k = 0; k < n; k++) {
          void *v = wm__elem_item(inst, seg, src + k);
          memcpy(o->data + (size_t)(i + k) * 8, &v, 8);
        }
        ip += 8;
        vmbreak;
      }

#undef GC_NEW
#undef GC_MAY_COLLECT
#undef GC_NULL
#undef GC_RANGE
#undef GC_ESIZE
