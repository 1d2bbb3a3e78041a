/* The executable's path, and whether it still names the running file.
 *
 * The path is the kernel's name for the process's executable, read from
 * the exe link of the same /proc/<pid> directory the fd was opened from,
 * as seen from the process's own mount namespace; " (deleted)" marks a name
 * that was unlinked. (The attestor's final check confirms the link still
 * leads to the inode of its open fd, so the path and the hashed file are
 * one file.) Whether that name now holds another file is looked up inside
 * the process's root (/proc/<pid>/root, RESOLVE_IN_ROOT), only when the
 * kernel says the name was unlinked or the file has no links left, so the
 * common case costs one readlink.
 *
 * path: says which name the process was started from; it is not identity
 * (a user with a mount namespace can show any file at any path). The
 * sha256: of the open file is. */
#pragma once

#include <stddef.h>
#include <sys/stat.h>

#include "common/guard.h"

enum ae_wl_exe_state {
        AE_WL_EXE_PRESENT,  /* the path names the running file */
        AE_WL_EXE_DELETED,  /* nothing is at the path any more (or never was: memfd) */
        AE_WL_EXE_REPLACED, /* a different file is at the path */
};

/* st: fstat of our open fd of /proc/<pid>/exe; proc_dir_fd: the open
 * /proc/<pid> directory. ret_path gets the path without any " (deleted)".
 * -ENAMETOOLONG, or the errno of a failed lookup. */
AE_MUST_USE int ae_wl_exe_path(const struct stat *st, int proc_dir_fd, char *ret_path, size_t size,
                               enum ae_wl_exe_state *ret_state);
