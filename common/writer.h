/* A bounded writer into caller-owned memory: the encoding side of
 * common/cursor.h. Every write checks capacity first; a write that does not
 * fit returns -ENOBUFS and leaves the writer unchanged. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

struct ae_writer {
        uint8_t *buf;
        size_t cap;
        size_t len;
};

void ae_writer_init(struct ae_writer *w, void *buf, size_t cap);

AE_MUST_USE int ae_writer_put_u8(struct ae_writer *w, uint8_t v);
AE_MUST_USE int ae_writer_put_u16(struct ae_writer *w, uint16_t v);
AE_MUST_USE int ae_writer_put_u32(struct ae_writer *w, uint32_t v);
AE_MUST_USE int ae_writer_put_u64(struct ae_writer *w, uint64_t v);
AE_MUST_USE int ae_writer_put_bytes(struct ae_writer *w, const void *p, size_t n);

/* 16-bit length prefix + bytes (TPM2B shape); n above 0xffff is -EMSGSIZE. */
AE_MUST_USE int ae_writer_put_sized16(struct ae_writer *w, const void *p, size_t n);
