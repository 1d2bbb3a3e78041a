/* The CA's PEM files and the checks on what they hold (svid-issuer/ca_pem.h,
 * ca_check.h): chain.pem and the issued certificate come from an upstream,
 * bundle.pem is passed around. The input is read as one certificate file;
 * its first certificate is judged as a signing certificate, the rest as its
 * chain.pem, the whole as a bundle; the input is also read as a key file.
 * Properties: a refusal always names its reason, an acceptance never does,
 * and what is accepted stays within its stated bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "common/ossl.h"
#include "common/spiffe_id.h"
#include "svid-issuer/ca_check.h"
#include "svid-issuer/ca_pem.h"
#include "svid-issuer/key_gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW ((time_t)1800000000)

static void judged(int r, enum ae_svid_reason why)
{
        if ((r == 0) != (why == AE_SVID_OK) || why >= AE_SVID_REASON_COUNT)
                abort();
}

static void certs(const uint8_t *data, size_t size)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *file = NULL, *rest = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *ints = NULL, *valid = NULL;
        _cleanup_(X509_freep) X509 *root = NULL;
        char td[AE_TRUST_DOMAIN_MAX + 1];
        enum ae_svid_reason why = AE_SVID_REASON_COUNT;
        X509 *cert;
        int n, r;

        if (ae_ca_pem_read_certs(data, size, AE_CA_PEM_CERTS_MAX, &file) < 0)
                return;
        n = sk_X509_num(file);
        if (n < 1 || n > AE_CA_PEM_CERTS_MAX)
                abort();
        cert = sk_X509_value(file, 0);

        r = ae_ca_check_signing_cert(cert, td, &why);
        judged(r, why);
        if (r == 0 && !ae_spiffe_trust_domain_valid(td))
                abort();
        why = AE_SVID_REASON_COUNT;
        r = ae_ca_check_validity(cert, NOW, &why);
        judged(r, why);

        rest = sk_X509_new_null();
        if (!rest)
                return;
        for (int i = 1; i < n; i++)
                if (X509_add_cert(rest, sk_X509_value(file, i), X509_ADD_FLAG_UP_REF) != 1)
                        return;
        if (n > 1) {
                why = AE_SVID_REASON_COUNT;
                r = ae_ca_check_chain(cert, rest, NOW, n % 2 == 0, &ints, &root, &why);
                judged(r, why);
                /* Accepted: the path is exactly the file, root last. */
                if (r == 0 && (sk_X509_num(ints) != n - 2 ||
                               X509_cmp(root, sk_X509_value(file, n - 1)) != 0))
                        abort();
        }

        why = AE_SVID_REASON_COUNT;
        r = ae_ca_check_bundle(file, sk_X509_value(file, n - 1), NOW, &valid, &why);
        judged(r, why);
        if (r == 0 && sk_X509_num(valid) > n)
                abort();
}

static void key(const uint8_t *data, size_t size)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        enum ae_ca_key_type type;

        if (ae_ca_pem_read_key(data, size, &k) < 0)
                return;
        if (ae_svid_key_classify(k, &type) == 0 && !ae_svid_key_digest(type))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        certs(data, size);
        key(data, size);
        return 0;
}
