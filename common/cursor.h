/* A read cursor over untrusted bytes (network, TPM, gpsd, /proc, files).
 *
 * Every read checks the remaining length before touching memory. A read that
 * fails returns a negative errno and leaves the cursor where it was, so a
 * parser can try an alternative or report the exact offset. Multi-byte
 * integers are big-endian (TPM and network order). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

struct ae_cursor {
        const uint8_t *data;
        size_t size;
        size_t pos;
};

void ae_cursor_init(struct ae_cursor *c, const void *data, size_t size);
size_t ae_cursor_remaining(const struct ae_cursor *c);

/* Truncated input: -EBADMSG. */
AE_MUST_USE int ae_cursor_read_u8(struct ae_cursor *c, uint8_t *ret);
AE_MUST_USE int ae_cursor_read_u16(struct ae_cursor *c, uint16_t *ret);
AE_MUST_USE int ae_cursor_read_u32(struct ae_cursor *c, uint32_t *ret);
AE_MUST_USE int ae_cursor_read_u64(struct ae_cursor *c, uint64_t *ret);

/* Borrow n bytes in place (valid as long as the underlying buffer). */
AE_MUST_USE int ae_cursor_read_bytes(struct ae_cursor *c, size_t n, const uint8_t **ret);
AE_MUST_USE int ae_cursor_copy(struct ae_cursor *c, void *dst, size_t n);
AE_MUST_USE int ae_cursor_skip(struct ae_cursor *c, size_t n);

/* A 16-bit length followed by that many bytes (the TPM2B shape). A length
 * above max is -EMSGSIZE; on any failure the length prefix is not consumed. */
AE_MUST_USE int ae_cursor_read_sized16(struct ae_cursor *c, size_t max, const uint8_t **ret,
                                       size_t *ret_len);

/* -EBADMSG when bytes remain: a message must be consumed exactly. */
AE_MUST_USE int ae_cursor_expect_end(const struct ae_cursor *c);
