#include "jwt_forge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/base64.h"

char *ae_test_b64url(const void *data, size_t n)
{
        size_t cap = AE_B64_ENCODED_SIZE(n);
        char *out = malloc(cap);

        ck_assert_ptr_nonnull(out);
        ck_assert_int_eq(ae_b64_encode(AE_B64_URL, data, n, out, cap, NULL), 0);
        return out;
}

char *ae_test_jwt_join(const char *header, const char *payload, const char *sig_b64)
{
        char *h = ae_test_b64url(header, strlen(header));
        char *p = ae_test_b64url(payload, strlen(payload));
        size_t n = strlen(h) + strlen(p) + strlen(sig_b64) + 3;
        char *out = malloc(n);

        ck_assert_ptr_nonnull(out);
        snprintf(out, n, "%s.%s.%s", h, p, sig_b64);
        free(h);
        free(p);
        return out;
}

/* The token with its signature part replaced by sig. */
static char *with_signature(char *unsigned_token, const uint8_t *sig, size_t n)
{
        char *s = ae_test_b64url(sig, n);
        size_t len = strlen(unsigned_token) + strlen(s) + 1;
        char *out = malloc(len);

        ck_assert_ptr_nonnull(out);
        snprintf(out, len, "%s%s", unsigned_token, s);
        free(s);
        free(unsigned_token);
        return out;
}

char *ae_test_jwt_forge(EVP_PKEY *key, enum ae_jwt_alg alg, const char *header,
                        const char *payload)
{
        char *t = ae_test_jwt_join(header, payload, "");
        uint8_t sig[AE_JWT_SIG_MAX];
        size_t n;

        /* The signing input: everything before the last '.'. */
        ck_assert_int_eq(ae_jwt_sign(key, alg, t, strlen(t) - 1, sig, sizeof(sig), &n), 0);
        return with_signature(t, sig, n);
}

char *ae_test_jwt_forge_hmac(const char *md, const void *secret, size_t n, const char *header,
                             const char *payload)
{
        char *t = ae_test_jwt_join(header, payload, "");
        uint8_t mac[EVP_MAX_MD_SIZE];
        unsigned int mac_len = 0;

        ck_assert_ptr_nonnull(HMAC(EVP_get_digestbyname(md), secret, (int)n,
                                   (const unsigned char *)t, strlen(t) - 1, mac, &mac_len));
        return with_signature(t, mac, mac_len);
}
