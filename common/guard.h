/* Guard macros: early returns on failure, each a single statement.
 *
 * Functions that can fail return int: 0 on success, a negative errno on
 * failure, and are marked AE_MUST_USE so a caller cannot drop the result. */
#pragma once

#include <errno.h>

#define AE_MUST_USE __attribute__((warn_unused_result))

/* Return err unless cond holds. */
#define ENSURE(cond, err)                                                      \
        do {                                                                   \
                if (!(cond))                                                   \
                        return (err);                                          \
        } while (0)

/* Propagate a negative result of a call. */
#define GUARD(expr)                                                            \
        do {                                                                   \
                int ae_guard_r_ = (expr);                                      \
                if (ae_guard_r_ < 0)                                           \
                        return ae_guard_r_;                                    \
        } while (0)

/* Allocation check: a NULL pointer becomes -ENOMEM. */
#define ENSURE_ALLOC(ptr) ENSURE((ptr) != NULL, -ENOMEM)

/* OpenSSL calls return 1 on success. Anything else is an internal failure of
 * an operation that should have worked; its text stays on OpenSSL's error
 * queue for the caller to log (common/ossl.h). Verification outcomes are not
 * checked with this macro: they carry reasons of their own. */
#define ENSURE_OSSL(call)                                                      \
        do {                                                                   \
                if ((call) != 1)                                               \
                        return -EIO;                                           \
        } while (0)
