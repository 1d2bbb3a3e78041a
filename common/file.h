/* Reading whole files with a size limit: policy, certificates, keys, and
 * /proc entries (which report size 0, so the limit is enforced while reading). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

/* Read the regular file at path, at most max bytes. The buffer gets one extra
 * NUL byte (not counted in *ret_len) so text parsers can use it directly.
 * Larger than max: -EFBIG. Not a regular file: -EINVAL. Else the open/read
 * errno. The caller frees *ret_data. */
AE_MUST_USE int ae_file_read(const char *path, size_t max, uint8_t **ret_data, size_t *ret_len);

/* As ae_file_read, from an open fd (read from its current offset). */
AE_MUST_USE int ae_file_read_fd(int fd, size_t max, uint8_t **ret_data, size_t *ret_len);
