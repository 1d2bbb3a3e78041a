/* A protobuf-c message packed into a malloc'd buffer: what every Workload
 * API answer is handed on as. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "common/guard.h"

/* *ret (malloc'd, at least one byte) and *ret_len only on success. The
 * buffer may hold private keys: callers wipe it (OPENSSL_clear_free).
 * -ENOMEM, -EIO if protobuf-c packs another length than it announced. */
AE_MUST_USE int ae_packed_message(const ProtobufCMessage *m, uint8_t **ret, size_t *ret_len);
