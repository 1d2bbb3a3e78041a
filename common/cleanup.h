/* Scope-bound ownership: a variable declared with _cleanup_(f) is released by
 * f(&var) when it leaves scope, on every return path. TAKE_PTR/TAKE_FD hand
 * ownership on (the variable becomes NULL / -1 and is no longer released). */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

#define TAKE_PTR(p)                                                            \
        ({                                                                     \
                typeof(p) ae_take_ = (p);                                      \
                (p) = NULL;                                                    \
                ae_take_;                                                      \
        })

#define TAKE_FD(fd)                                                            \
        ({                                                                     \
                int ae_take_fd_ = (fd);                                        \
                (fd) = -1;                                                     \
                ae_take_fd_;                                                   \
        })

/* AE_DEFINE_CLEANUP(X509 *, X509_free) defines X509_freep(X509 **), which
 * accepts a NULL pointer. */
#define AE_DEFINE_CLEANUP(type, func)                                          \
        static inline void func##p(type *p)                                    \
        {                                                                      \
                if (*p)                                                        \
                        func(*p);                                              \
        }

static inline void freep(void *p)
{
        free(*(void **)p);
}

/* close() keeps errno: a cleanup must not change the error a caller reads. */
static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                (void)close(*fd);
                errno = saved;
        }
}

static inline void fclosep(FILE **f)
{
        if (*f) {
                int saved = errno;
                (void)fclose(*f);
                errno = saved;
        }
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
