/* Base64 (RFC 4648): the standard alphabet with padding (PEM bodies, JSON
 * bundles) and the URL-safe alphabet without padding (JWT, JWKS, RFC 7515).
 *
 * Decoding is strict, because the bytes are untrusted and must have one
 * meaning: no whitespace, correct padding for the variant, and unused low bits
 * of the last symbol must be zero (no two texts decode to the same bytes). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

enum ae_b64_variant {
        AE_B64_STD, /* + / with = padding */
        AE_B64_URL, /* - _ without padding */
};

/* Text size for n bytes, including the NUL (enough for either variant). */
#define AE_B64_ENCODED_SIZE(n) (((n) + 2) / 3 * 4 + 1)
/* Upper bound of decoded bytes for in_len characters. */
#define AE_B64_DECODED_MAX(in_len) (((in_len) + 3) / 4 * 3)

/* Encode n bytes plus NUL into out; *ret_len (optional) gets the text length
 * without NUL. -ENOBUFS if out_size is too small. */
AE_MUST_USE int ae_b64_encode(enum ae_b64_variant v, const void *in, size_t n, char *out,
                              size_t out_size, size_t *ret_len);

/* Decode in_len characters into out. Malformed text is -EINVAL, too small an
 * out is -ENOBUFS; out may be partly written on failure, *ret_len is not. */
AE_MUST_USE int ae_b64_decode(enum ae_b64_variant v, const char *in, size_t in_len,
                              uint8_t *out, size_t out_size, size_t *ret_len);
