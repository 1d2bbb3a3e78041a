/* SHA-256 of an executable from an open fd.
 *
 * read() in AE_WL_HASH_CHUNK pieces into a buffer that stays in L2, rather
 * than mmap: on this project's reference machine both reach OpenSSL's
 * in-memory rate within a few per cent (test/bench/bench_workload.c), and a
 * mapping turns a file truncated under us (possible once the process has
 * exited and the file is no longer write-protected) into SIGBUS in the
 * agent, where read() just returns short. */
#pragma once

#include <stdint.h>
#include <sys/stat.h>

#include "common/guard.h"

#define AE_WL_HASH_CHUNK (256 * 1024)

/* Hash the first expected->st_size bytes of fd (from offset 0; the file
 * offset is not used). Afterwards the file must still be what expected
 * describes (device, inode, size, mtime, ctime) and have been exactly that
 * long: else -ESTALE, the content changed underneath. A read error is its
 * negative errno; -ENOMEM. */
AE_MUST_USE int ae_wl_exe_hash(int fd, const struct stat *expected, uint8_t ret[32]);

/* True when a and b describe the same version of the same file: device,
 * inode, size, mtime and ctime (nanoseconds) all equal. */
int ae_wl_same_file_version(const struct stat *a, const struct stat *b);
