#include "workload-attestor/fsverity.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/fsverity.h>

#include "common/hex.h"

int ae_wl_fsverity_measure(int fd, struct ae_wl_fsverity *ret)
{
        union {
                struct fsverity_digest d;
                uint8_t raw[sizeof(struct fsverity_digest) + AE_WL_FSVERITY_DIGEST_MAX];
        } u;

        memset(&u, 0, sizeof(u));
        u.d.digest_size = AE_WL_FSVERITY_DIGEST_MAX;
        if (ioctl(fd, FS_IOC_MEASURE_VERITY, &u.d) != 0) {
                if (errno == ENODATA || errno == ENOTTY || errno == EOPNOTSUPP ||
                    errno == EINVAL)
                        return 0;
                return -errno;
        }
        ENSURE(u.d.digest_size > 0 && u.d.digest_size <= AE_WL_FSVERITY_DIGEST_MAX, -EIO);
        memset(ret, 0, sizeof(*ret));
        ret->algorithm = u.d.digest_algorithm;
        ret->size = u.d.digest_size;
        memcpy(ret->digest, u.d.digest, u.d.digest_size);
        return 1;
}

int ae_wl_fsverity_format(const struct ae_wl_fsverity *v, char *out, size_t size)
{
        const char *alg;
        size_t n;

        switch (v->algorithm) {
        case FS_VERITY_HASH_ALG_SHA256:
                alg = "sha256";
                ENSURE(v->size == 32, -EINVAL);
                break;
        case FS_VERITY_HASH_ALG_SHA512:
                alg = "sha512";
                ENSURE(v->size == 64, -EINVAL);
                break;
        default:
                return -EINVAL;
        }
        n = strlen(alg);
        ENSURE(size >= n + 1 + AE_HEX_SIZE(v->size), -ENOBUFS);
        memcpy(out, alg, n);
        out[n] = ':';
        return ae_hex_encode(v->digest, v->size, out + n + 1, size - n - 1);
}
