// Invariant checks: broken compiler invariants abort with a message (user errors are
// diagnostics, never these).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FLYTEC_CHECK(cond, msg)                                                                \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "flytec: internal error: %s (%s) at %s:%d\n", msg, #cond, __FILE__, \
                   __LINE__);                                                                  \
      std::abort();                                                                            \
    }                                                                                          \
  } while (false)

#define FLYTEC_UNREACHABLE(msg)                                                               \
  do {                                                                                        \
    std::fprintf(stderr, "flytec: internal error: unreachable: %s at %s:%d\n", msg, __FILE__, \
                 __LINE__);                                                                   \
    std::abort();                                                                             \
  } while (false)
