/* svid-issuer/csr: the public key of a CSR whose self-signature verifies;
 * every refusal with its reason. CSRs are made with OpenSSL's own API. */
#include "svid-issuer/csr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "ca_test_util.h"
#include "check_util.h"

/* A DER CSR for key, signed by signer (key itself for a valid one). */
static uint8_t *make_csr(EVP_PKEY *key, EVP_PKEY *signer, size_t *ret_len)
{
        X509_REQ *req = X509_REQ_new();
        unsigned char *der = NULL;
        int n;

        ck_assert_ptr_nonnull(req);
        ck_assert_int_eq(X509_REQ_set_pubkey(req, key), 1);
        X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_ASC,
                                   (const unsigned char *)"ignored", -1, -1, 0);
        ck_assert_int_gt(X509_REQ_sign(req, signer, EVP_sha256()), 0);
        n = i2d_X509_REQ(req, &der);
        ck_assert_int_gt(n, 0);
        X509_REQ_free(req);
        *ret_len = (size_t)n;
        return der;
}

static void refused(const uint8_t *der, size_t len, int err, enum ae_csr_reason want)
{
        EVP_PKEY *key = (EVP_PKEY *)0x1;
        enum ae_csr_reason why = AE_CSR_OK;

        ck_assert_int_eq(ae_csr_public_key(der, len, &key, &why), err);
        ck_assert_str_eq(ae_csr_reason_id(why), ae_csr_reason_id(want));
        ck_assert_ptr_eq(key, (EVP_PKEY *)0x1);
}

START_TEST(test_accepts_supported_keys)
{
        static const char *const specs[] = { "P-256", "P-384", "RSA:2048" };

        for (size_t i = 0; i < 3; i++) {
                EVP_PKEY *k = ctu_key(specs[i]), *got = NULL;
                enum ae_csr_reason why = AE_CSR_SIZE;
                size_t len;
                uint8_t *der = make_csr(k, k, &len);

                ck_assert_int_eq(ae_csr_public_key(der, len, &got, &why), 0);
                ck_assert_int_eq(why, AE_CSR_OK);
                ck_assert_int_eq(EVP_PKEY_eq(got, k), 1);
                EVP_PKEY_free(got);
                OPENSSL_free(der);
                EVP_PKEY_free(k);
        }
}
END_TEST

START_TEST(test_refusals)
{
        EVP_PKEY *k = ctu_key("P-256"), *other = ctu_key("P-256"), *small = ctu_key("RSA:1024");
        uint8_t big[AE_CSR_MAX + 1], *der, *extra;
        size_t len;

        memset(big, 0x30, sizeof(big));
        refused(big, 0, -EMSGSIZE, AE_CSR_SIZE);
        refused(NULL, 0, -EMSGSIZE, AE_CSR_SIZE); /* protobuf-c's empty bytes field */
        refused(big, sizeof(big), -EMSGSIZE, AE_CSR_SIZE);
        refused((const uint8_t *)"not a CSR", 9, -EBADMSG, AE_CSR_MALFORMED);

        der = make_csr(k, k, &len);
        extra = malloc(len + 1);
        memcpy(extra, der, len);
        extra[len] = 0;
        refused(extra, len + 1, -EBADMSG, AE_CSR_MALFORMED); /* a byte after it */
        refused(der, len - 1, -EBADMSG, AE_CSR_MALFORMED);   /* cut short */
        der[len - 1] ^= 1;                                   /* in the signature */
        refused(der, len, -EKEYREJECTED, AE_CSR_SIGNATURE);
        OPENSSL_free(der);
        free(extra);

        /* Signed by a key other than the one it asks for. */
        der = make_csr(k, other, &len);
        refused(der, len, -EKEYREJECTED, AE_CSR_SIGNATURE);
        OPENSSL_free(der);

        der = make_csr(small, small, &len);
        refused(der, len, -EOPNOTSUPP, AE_CSR_KEY);
        OPENSSL_free(der);
        EVP_PKEY_free(k);
        EVP_PKEY_free(other);
        EVP_PKEY_free(small);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("csr");
        TCase *tc = tcase_create("csr");

        tcase_add_test(tc, test_accepts_supported_keys);
        tcase_add_test(tc, test_refusals);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
