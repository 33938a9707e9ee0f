/* SPDX-License-Identifier: MIT */
/*
** interp_mem64.h -- the handlers of WebAssembly 3.0's 64-bit addresses
** (memory64, table64), included by interp_loop.h into each compilation
** of the loop. A load or store on a 64-bit memory is ADDR64 then the plain
** access; a table instruction takes its i64 operands through INDEX64; the
** bulk memory instructions and the two grows have forms of their own.
*/

      vmcase(ADDR64) {
        uint64_t ea = R(1).u64 + ((uint64_t)OPD(2) | (uint64_t)OPD(3) << 32);
        /* Our memories hold at most 2^32 bytes, so an access at 2^32 or
        ** past it (or one whose sum wrapped) is out of bounds. */
        if (WM_UNLIKELY(ea < R(1).u64 || ea >> 32)) TRAP(WM_TRAP_MEMORY_OOB);
        R(0).u64 = ea;
        ip += 6;
        vmbreak;
      }
      vmcase(INDEX64) {
        uint64_t x = R(1).u64;
        R(0).u64 = x > UINT32_MAX ? UINT32_MAX : x;
        ip += 4;
        vmbreak;
      }
      vmcase(MEMORY_GROW64) {
        int64_t old = wm__memory_grow(mem0, R(1).u64);
        R(0).i64 = old; /* -1 when it fails */
        memsize = mem0->size;
        ip += 4;
        vmbreak;
      }
      vmcase(MEMORY_FILL64) {
        uint64_t dst = R(0).u64, n = R(2).u64;
        if (!wm__in_range(dst, n, memsize)) TRAP(WM_TRAP_MEMORY_OOB);
        CHK_RANGE(dst, n, true);
        if (n) memset(membase + dst, (int)(uint8_t)R(1).u32, (size_t)n);
        ip += 5;
        vmbreak;
      }
      vmcase(MEMORY_INIT64) {
        uint32_t seg = OPD(0);
        const wm_data *d = &inst->mod->datas[seg];
        uint32_t seglen = inst->data_dropped[seg] ? 0 : d->len;
        uint64_t dst = R(1).u64;
        uint32_t src = R(2).u32, n = R(3).u32;
        if (!wm__in_range(src, n, seglen) || !wm__in_range(dst, n, memsize))
          TRAP(WM_TRAP_MEMORY_OOB);
        CHK_RANGE(dst, n, true);
        if (n) memcpy(membase + dst, d->bytes + src, n);
        ip += 6;
        vmbreak;
      }
      vmcase(MEMORY_COPY64) {
        wm_memory *md = inst->mems[OPD(3)], *ms = inst->mems[OPD(4)];
        uint32_t w = OPD(5);
        uint64_t dst = w & 1 ? R(0).u64 : R(0).u32, src = w & 2 ? R(1).u64 : R(1).u32;
        uint64_t n = w & 4 ? R(2).u64 : R(2).u32;
        if (!wm__in_range(src, n, ms->size) || !wm__in_range(dst, n, md->size))
          TRAP(WM_TRAP_MEMORY_OOB);
        COPY_MM(md, ms, dst, src, n);
        ip += 8;
        vmbreak;
      }
      vmcase(TABLE_GROW64) {
        R(0).i64 = wm__table_grow(inst->tables[OPD(1)], R(3).u64, R(2).ref); /* -1: failed */
        ip += 6;
        vmbreak;
      }
