#include "common/file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

int ae_file_read_fd(int fd, size_t max, uint8_t **ret_data, size_t *ret_len)
{
        _cleanup_free_ uint8_t *buf = NULL;
        size_t cap = 0, len = 0;
        struct stat st;

        ENSURE(max < SIZE_MAX - 1, -EINVAL);
        ENSURE(fstat(fd, &st) == 0, -errno);
        /* A FIFO or device could block or never end; only plain files. */
        ENSURE(S_ISREG(st.st_mode), -EINVAL);

        for (;;) {
                ssize_t n;

                if (len == cap) {
                        /* Grow to at most max + 1: one byte past max proves "too big". */
                        size_t want = cap ? cap * 2 : 4096;
                        uint8_t *p;

                        if (want > max + 1)
                                want = max + 1;
                        p = realloc(buf, want + 1);
                        ENSURE_ALLOC(p);
                        buf = p;
                        cap = want;
                }
                n = read(fd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                ENSURE(n >= 0, -errno);
                if (n == 0)
                        break;
                len += (size_t)n;
                ENSURE(len <= max, -EFBIG);
        }
        buf[len] = '\0'; /* the first pass of the loop always allocated */
        *ret_data = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

int ae_file_read(const char *path, size_t max, uint8_t **ret_data, size_t *ret_len)
{
        _cleanup_close_ int fd = -1;

        ENSURE(path, -EINVAL);
        /* O_NONBLOCK: opening a FIFO must not hang before fstat can refuse it. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        ENSURE(fd >= 0, -errno);
        return ae_file_read_fd(fd, max, ret_data, ret_len);
}
