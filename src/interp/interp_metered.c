/* SPDX-License-Identifier: MIT */
/*
** interp_metered.c -- the metered dispatch loop: interp_loop.h compiled a
** third time, with the FUEL instruction (meter.c), for modules lowered with
** WM_MODULE_METERED (and not WM_MODULE_CHECKED: the checked loop meters
** too). Kept in its own file so that the plain loop in interp.c is compiled
** exactly as if metering did not exist.
*/
#include "interp_impl.h"

#ifdef WM_GOTO_DISPATCH
/* The metered loop's handler addresses, published by wm__run_metered with a
** NULL runtime; atomic like interp.c's plain_base and plain_offs. */
static const char *_Atomic metered_base;
static const int32_t *_Atomic metered_offs;
#endif

#define WM_CHECKED 0
#define WM_METERED 1
#define OTHER_LOOP(m) ((m)->loop != WM_LOOP_METERED)
#define RUN_NAME wm__run_metered
#define RUN_LINKAGE
#define DISPATCH_BASE metered_base
#define DISPATCH_OFFS metered_offs
#define CHK_LOAD_SHADOW() ((void)0)
#define CHK_ACCESS(p, n, w) ((void)0)
#define CHK_RANGE(ea, n, w) ((void)0)
#include "interp_loop.h"

const char *wm__metered_dispatch(const int32_t **offs) {
#ifdef WM_GOTO_DISPATCH
  if (!metered_offs) wm__run_metered(NULL, NULL, NULL);
  *offs = metered_offs;
  return metered_base;
#else
  *offs = NULL;
  return NULL;
#endif
}
