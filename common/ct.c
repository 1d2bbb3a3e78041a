#include "common/ct.h"

#include <stdlib.h>

#include <openssl/crypto.h>

bool ae_ct_equal(const void *a, const void *b, size_t n)
{
        if (n == 0)
                return true;
        return CRYPTO_memcmp(a, b, n) == 0;
}

bool ae_ct_equal_len(const void *a, size_t a_len, const void *b, size_t b_len)
{
        if (a_len != b_len)
                return false;
        return ae_ct_equal(a, b, a_len);
}

void ae_wipe(void *p, size_t n)
{
        if (p && n)
                OPENSSL_cleanse(p, n);
}

void ae_secret_free(void *p, size_t n)
{
        ae_wipe(p, n);
        free(p);
}
