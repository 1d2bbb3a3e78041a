/* Secrets: constant-time comparison and wiping. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* True when the n bytes at a and b are equal; time depends only on n. */
bool ae_ct_equal(const void *a, const void *b, size_t n);

/* As ae_ct_equal, for buffers whose lengths are public: different lengths are
 * unequal without looking at the bytes. */
bool ae_ct_equal_len(const void *a, size_t a_len, const void *b, size_t b_len);

/* Overwrite n bytes with zeros in a way the compiler cannot elide. */
void ae_wipe(void *p, size_t n);

/* Wipe then free a heap secret of n bytes. Accepts NULL. */
void ae_secret_free(void *p, size_t n);
