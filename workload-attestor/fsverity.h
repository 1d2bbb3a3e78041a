/* fs-verity: where the executable's file has verity enabled, the kernel
 * holds a digest of its whole content (a Merkle tree root) and refuses to
 * return data that does not match it. FS_IOC_MEASURE_VERITY on the open fd
 * asks for it; a file system without verity, or a file without it, simply
 * has no digest. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

#define AE_WL_FSVERITY_DIGEST_MAX 64 /* SHA-512 */
/* "sha512:" + hex + NUL */
#define AE_WL_FSVERITY_TEXT_MAX (7 + 2 * AE_WL_FSVERITY_DIGEST_MAX + 1)

struct ae_wl_fsverity {
        uint16_t algorithm; /* FS_VERITY_HASH_ALG_* */
        uint16_t size;
        uint8_t digest[AE_WL_FSVERITY_DIGEST_MAX];
};

/* 1 with *ret filled when fd's file has verity; 0 when it has not (ENODATA)
 * or its file system cannot have it (ENOTTY, EOPNOTSUPP, EINVAL); else the
 * negative errno. */
AE_MUST_USE int ae_wl_fsverity_measure(int fd, struct ae_wl_fsverity *ret);

/* fsverity-utils' form, "sha256:<hex>", into out. -EINVAL for an unknown
 * algorithm or a size that does not match it; -ENOBUFS. */
AE_MUST_USE int ae_wl_fsverity_format(const struct ae_wl_fsverity *v, char *out, size_t size);
