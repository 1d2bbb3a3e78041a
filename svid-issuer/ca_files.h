/* The CA directory on disk: opening it, its lock, reading files with a size
 * limit (the key also with a mode check), and replacing files so a reader
 * sees the old or the new content, never a mix. All paths are relative to
 * an open directory fd: a directory renamed under us cannot mix two CAs.
 * Internal to svid-issuer/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/guard.h"

/* Open dir (O_DIRECTORY). With create, make it first (mode 0700) when it
 * does not exist; *ret_created says whether it was made here. Errors are the
 * system's: -ENOENT, -ENOTDIR, -EACCES, ... */
AE_MUST_USE int ae_ca_dir_open(const char *dir, bool create, int *ret_fd, bool *ret_created);

/* The directory's lock. Exclusive: created if missing, taken without
 * waiting (-EBUSY when held). Shared: waits; 0 with *ret_fd = -1 when there
 * is no lock file (a directory someone copied: nobody writes it through
 * Aegis). The lock lasts until the fd is closed. */
AE_MUST_USE int ae_ca_lock(int dfd, bool exclusive, int *ret_fd);

/* Whether name exists in dfd (any type, symlinks not followed). */
bool ae_ca_file_exists(int dfd, const char *name);

/* Read name in dfd, at most max bytes (+ a NUL, as ae_file_read). */
AE_MUST_USE int ae_ca_file_read(int dfd, const char *name, size_t max, uint8_t **ret_data,
                                size_t *ret_len);

/* As ae_ca_file_read for a private key: -EPERM (before reading) when the
 * file's mode grants anything beyond 0600 (group or other bits, execute;
 * -EACCES stays the system's "permission denied").
 * The caller wipes and frees *ret_data (ae_ca_pem_free_secret). */
AE_MUST_USE int ae_ca_key_file_read(int dfd, const char *name, size_t max, uint8_t **ret_data,
                                    size_t *ret_len);

/* Write data to name in dfd with exactly mode: to a fresh temporary file in
 * the same directory (O_EXCL), fsync'd, then renamed over name (exclusive
 * false) or linked to name, which fails with -EEXIST if it exists
 * (exclusive true); then the directory is fsync'd. */
AE_MUST_USE int ae_ca_file_write(int dfd, const char *name, const void *data, size_t len,
                                 mode_t mode, bool exclusive);

/* As ae_ca_file_write(..., false) for a path (its directory opened first). */
AE_MUST_USE int ae_ca_path_write(const char *path, const void *data, size_t len, mode_t mode);
