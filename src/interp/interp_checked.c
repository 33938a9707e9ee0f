/* SPDX-License-Identifier: MIT */
/*
** interp_checked.c -- the checked dispatch loop: interp_loop.h compiled a
** second time, with the guest heap checker's hooks, for modules lowered
** with WM_MODULE_CHECKED. Kept in its own file so that the plain loop in
** interp.c is compiled exactly as if the checker did not exist.
*/
#include "interp_impl.h"

#ifdef WM_GOTO_DISPATCH
/* The checked loop's handler addresses, published by wm__run_checked with a
** NULL runtime; atomic like interp.c's plain_base and plain_offs. */
static const char *_Atomic checked_base;
static const int32_t *_Atomic checked_offs;
#endif

/*
** The checked loop's hooks (interp_loop.h with WM_CHECKED 1). CHK_ACCESS
** reads the shadow of an access as one integer of its width: zero means
** nothing to say, anything else goes to check.c's slow path, which reports
** (and lets the access happen: it is within the memory). In the plain loop
** they expand to nothing.
*/
static inline bool shadow_dirty(const uint8_t *s, uint32_t n) {
  uint16_t v2;
  uint32_t v4;
  uint64_t v8, w8;
  switch (n) {
  case 1: return s[0] != 0;
  case 2: memcpy(&v2, s, 2); return v2 != 0;
  case 4: memcpy(&v4, s, 4); return v4 != 0;
  case 16: /* v128 */
    memcpy(&v8, s, 8);
    memcpy(&w8, s + 8, 8);
    return (v8 | w8) != 0;
  default: memcpy(&v8, s, 8); return v8 != 0;
  }
}

#define WM_CHECKED 1
#define WM_METERED 1 /* checked modules may be metered too */
#define OTHER_LOOP(m) ((m)->loop != WM_LOOP_CHECKED || (m)->metered != inst->mod->metered)
#define RUN_NAME wm__run_checked
#define RUN_LINKAGE
#define DISPATCH_BASE checked_base
#define DISPATCH_OFFS checked_offs
#define CHK_LOAD_SHADOW() (shadow = mem0 ? mem0->shadow : NULL)
#define CHK_ACCESS(p, n, w)                                                   \
  do {                                                                        \
    if (shadow && WM_UNLIKELY(shadow_dirty(shadow + ((p) - membase), n))) {   \
      rt->nframes = (uint32_t)(frp - rt->frames) + 1;                         \
      wm__check_access(mem0, (uint64_t)((p) - membase), n, w, ip);            \
    }                                                                         \
  } while (0)
#define CHK_RANGE(ea, n, w)                                                   \
  do {                                                                        \
    if (shadow && (n)) {                                                      \
      rt->nframes = (uint32_t)(frp - rt->frames) + 1;                         \
      wm__check_range(mem0, ea, n, w, ip);                                    \
    }                                                                         \
  } while (0)
#include "interp_loop.h"

const char *wm__checked_dispatch(const int32_t **offs) {
#ifdef WM_GOTO_DISPATCH
  if (!checked_offs) wm__run_checked(NULL, NULL, NULL);
  *offs = checked_offs;
  return checked_base;
#else
  *offs = NULL;
  return NULL;
#endif
}
