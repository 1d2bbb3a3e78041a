#include "svid-issuer/ca_files.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "common/cleanup.h"
#include "common/file.h"
#include "svid-issuer/ca.h"

int ae_ca_dir_open(const char *dir, bool create, int *ret_fd, bool *ret_created)
{
        bool created = false;
        int fd;

        ENSURE(dir && dir[0] && ret_fd, -EINVAL);
        if (create) {
                if (mkdir(dir, 0700) == 0)
                        created = true;
                else if (errno != EEXIST)
                        return -errno;
        }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;

                if (created)
                        (void)rmdir(dir);
                return r;
        }
        *ret_fd = fd;
        if (ret_created)
                *ret_created = created;
        return 0;
}

int ae_ca_lock(int dfd, bool exclusive, int *ret_fd)
{
        _cleanup_close_ int fd = -1;

        ENSURE(ret_fd, -EINVAL);
        if (exclusive)
                fd = openat(dfd, AE_CA_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        else
                fd = openat(dfd, AE_CA_LOCK_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (!exclusive && errno == ENOENT) {
                        *ret_fd = -1;
                        return 0;
                }
                return -errno;
        }
        if (flock(fd, exclusive ? LOCK_EX | LOCK_NB : LOCK_SH) < 0)
                return errno == EWOULDBLOCK ? -EBUSY : -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

bool ae_ca_file_exists(int dfd, const char *name)
{
        struct stat st;

        return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int open_read(int dfd, const char *name)
{
        /* O_NONBLOCK: a FIFO in place of a file must not hang the open. */
        int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

        return fd < 0 ? -errno : fd;
}

int ae_ca_file_read(int dfd, const char *name, size_t max, uint8_t **ret_data, size_t *ret_len)
{
        _cleanup_close_ int fd = -1;

        ENSURE(name && ret_data && ret_len, -EINVAL);
        fd = open_read(dfd, name);
        if (fd < 0)
                return fd;
        return ae_file_read_fd(fd, max, ret_data, ret_len);
}

int ae_ca_key_file_read(int dfd, const char *name, size_t max, uint8_t **ret_data,
                        size_t *ret_len)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        ENSURE(name && ret_data && ret_len, -EINVAL);
        fd = open_read(dfd, name);
        if (fd < 0)
                return fd;
        /* The mode of the file actually opened, after any symlink. */
        if (fstat(fd, &st) < 0)
                return -errno;
        ENSURE(S_ISREG(st.st_mode), -EINVAL);
        ENSURE((st.st_mode & 07177) == 0, -EPERM);
        return ae_file_read_fd(fd, max, ret_data, ret_len);
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, p, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

/* ".<name>.<16 hex>": hidden, and never a name the CA reads. */
static int temp_name(const char *name, char *buf, size_t size)
{
        uint8_t rnd[8];
        int n;

        ENSURE(RAND_bytes(rnd, sizeof(rnd)) == 1, -EIO);
        n = snprintf(buf, size, ".%s.%02x%02x%02x%02x%02x%02x%02x%02x", name, rnd[0], rnd[1],
                     rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
        ENSURE(n > 0 && (size_t)n < size, -ENAMETOOLONG);
        return 0;
}

int ae_ca_file_write(int dfd, const char *name, const void *data, size_t len, mode_t mode,
                     bool exclusive)
{
        _cleanup_close_ int fd = -1;
        char tmp[NAME_MAX + 1];
        int r;

        ENSURE(name && (data || len == 0), -EINVAL);
        GUARD(temp_name(name, tmp, sizeof(tmp)));
        /* Born owner-only, so a key is never readable by others for an
         * instant; the exact mode (the umask may have narrowed it, or the
         * file is public) is set once the content is complete. */
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        r = write_all(fd, data, len);
        if (r == 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (r == 0) {
                if (exclusive)
                        r = linkat(dfd, tmp, dfd, name, 0) < 0 ? -errno : 0;
                else
                        r = renameat(dfd, tmp, dfd, name) < 0 ? -errno : 0;
        }
        /* After a link the temporary name is a second name; after a failure
         * it is the only one. Either way it goes. */
        if (exclusive || r < 0)
                (void)unlinkat(dfd, tmp, 0);
        if (r == 0 && fsync(dfd) < 0)
                r = -errno;
        return r;
}

int ae_ca_path_write(const char *path, const void *data, size_t len, mode_t mode)
{
        _cleanup_close_ int dfd = -1;
        char dir[PATH_MAX];
        const char *slash, *base;

        ENSURE(path && path[0], -EINVAL);
        slash = strrchr(path, '/');
        if (!slash) {
                strcpy(dir, ".");
                base = path;
        } else {
                size_t n = (size_t)(slash - path);

                ENSURE(n < sizeof(dir), -ENAMETOOLONG);
                if (n == 0)
                        n = 1; /* "/file": the root directory */
                memcpy(dir, path, n);
                dir[n] = '\0';
                base = slash + 1;
        }
        ENSURE(base[0] && strcmp(base, ".") != 0 && strcmp(base, "..") != 0, -EINVAL);
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return ae_ca_file_write(dfd, base, data, len, mode, false);
}
