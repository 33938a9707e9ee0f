/* SPDX-License-Identifier: MIT */
/*
** check.h -- the assertion macros shared by the C unit tests: each CHECK
** counts a pass or prints the failing condition with its place, and the
** test ends with the `N passed, N failed` line CI reads.
*/
#ifndef WM_TEST_CHECK_H
#define WM_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int npass, nfail;

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (cond)                                                                 \
      npass++;                                                                \
    else {                                                                    \
      nfail++;                                                                \
      fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);     \
    }                                                                         \
  } while (0)

/* Check that rc and err.code are `code_` and the message contains `text`. */
#define CHECK_ERR(rc, err, code_, text)                                       \
  do {                                                                        \
    CHECK((rc) == (code_));                                                   \
    CHECK((err).code == (code_));                                             \
    if (!strstr((err).message, (text))) {                                     \
      nfail++;                                                                \
      fprintf(stderr, "%s:%d: FAILED: message \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, \
              (err).message, (text));                                         \
    } else                                                                    \
      npass++;                                                                \
  } while (0)

#endif
