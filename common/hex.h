/* Hexadecimal text for digests and identifiers (EK hashes, selectors). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

/* Buffer size for the hex of n bytes, including the terminating NUL. */
#define AE_HEX_SIZE(n) ((n) * 2 + 1)

/* Lowercase hex of n bytes plus NUL into out. -ENOBUFS if out_size is below
 * AE_HEX_SIZE(n); out is untouched then. */
AE_MUST_USE int ae_hex_encode(const void *in, size_t n, char *out, size_t out_size);

/* Decode in_len hex digits (either case) into out. Odd length or a non-hex
 * character is -EINVAL; more bytes than out_size is -ENOBUFS. Nothing is
 * written to *ret_len on failure. */
AE_MUST_USE int ae_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t out_size,
                              size_t *ret_len);
