#include "workload-attestor/exe_hash.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ossl.h"

int ae_wl_same_file_version(const struct stat *a, const struct stat *b)
{
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
               a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
               a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
               a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int ae_wl_exe_hash(int fd, const struct stat *expected, uint8_t ret[32])
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        uint8_t md[32];
        unsigned md_len = 0;
        off_t off = 0;
        struct stat after;

        ENSURE(fd >= 0 && expected && expected->st_size >= 0, -EINVAL);
        ctx = EVP_MD_CTX_new();
        ENSURE_ALLOC(ctx);
        buf = malloc(AE_WL_HASH_CHUNK);
        ENSURE_ALLOC(buf);
        /* A hint for files not yet in the page cache; failure is harmless. */
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        ENSURE_OSSL(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL));
        while (off < expected->st_size) {
                size_t want = AE_WL_HASH_CHUNK;
                ssize_t n;

                if ((off_t)want > expected->st_size - off)
                        want = (size_t)(expected->st_size - off);
                n = pread(fd, buf, want, off);
                if (n < 0 && errno == EINTR)
                        continue;
                ENSURE(n >= 0, errno ? -errno : -EIO);
                ENSURE(n > 0, -ESTALE); /* shorter than it was */
                ENSURE_OSSL(EVP_DigestUpdate(ctx, buf, (size_t)n));
                off += n;
        }
        ENSURE_OSSL(EVP_DigestFinal_ex(ctx, md, &md_len));
        ENSURE(md_len == sizeof(md), -EIO);
        ENSURE(fstat(fd, &after) == 0, -errno);
        ENSURE(ae_wl_same_file_version(expected, &after), -ESTALE);
        memcpy(ret, md, sizeof(md));
        return 0;
}
