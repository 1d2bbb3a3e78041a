#define _GNU_SOURCE /* O_PATH */
#include "workload-attestor/exe_path.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "common/cleanup.h"

#define DELETED_SUFFIX " (deleted)"

/* What is at path inside the process's root now: 1 the same file, 0 a
 * different one, -ENOENT nothing; else a negative errno. */
static int same_file_at(int root_fd, const char *path, const struct stat *st)
{
        struct open_how how = {
                .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        _cleanup_close_ int fd = -1;
        struct stat at;

        fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
        if (fd < 0)
                return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
        ENSURE(fstat(fd, &at) == 0, -errno);
        return at.st_dev == st->st_dev && at.st_ino == st->st_ino;
}

int ae_wl_exe_path(const struct stat *st, int proc_dir_fd, char *ret_path, size_t size,
                   enum ae_wl_exe_state *ret_state)
{
        _cleanup_close_ int root_fd = -1;
        char buf[PATH_MAX + sizeof(DELETED_SUFFIX)];
        size_t sl = strlen(DELETED_SUFFIX);
        bool suffix;
        ssize_t n;
        int r;

        n = readlinkat(proc_dir_fd, "exe", buf, sizeof(buf));
        ENSURE(n >= 0, -errno);
        ENSURE((size_t)n < sizeof(buf), -ENAMETOOLONG);
        buf[n] = '\0';
        suffix = (size_t)n > sl && memcmp(buf + n - sl, DELETED_SUFFIX, sl) == 0;

        /* Common case: linked, and the kernel says the name is intact. */
        if (st->st_nlink > 0 && !suffix) {
                ENSURE((size_t)n < size, -ENAMETOOLONG);
                memcpy(ret_path, buf, (size_t)n + 1);
                *ret_state = AE_WL_EXE_PRESENT;
                return 0;
        }

        root_fd = openat(proc_dir_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        ENSURE(root_fd >= 0, -errno);
        /* A file really named "x (deleted)" that is still linked. */
        if (suffix && st->st_nlink > 0 && buf[0] == '/' && same_file_at(root_fd, buf, st) == 1) {
                ENSURE((size_t)n < size, -ENAMETOOLONG);
                memcpy(ret_path, buf, (size_t)n + 1);
                *ret_state = AE_WL_EXE_PRESENT;
                return 0;
        }
        if (suffix)
                buf[n - sl] = '\0';
        ENSURE(strlen(buf) < size, -ENAMETOOLONG);
        strcpy(ret_path, buf);
        if (buf[0] != '/') { /* not a file system path at all */
                *ret_state = AE_WL_EXE_DELETED;
                return 0;
        }
        r = same_file_at(root_fd, buf, st);
        if (r == -ENOENT) {
                *ret_state = AE_WL_EXE_DELETED;
                return 0;
        }
        if (r < 0)
                return r;
        /* The same file again (relinked under its old name) is still it. */
        *ret_state = r == 1 ? AE_WL_EXE_PRESENT : AE_WL_EXE_REPLACED;
        return 0;
}
