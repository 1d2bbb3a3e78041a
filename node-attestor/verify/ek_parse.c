#include "node-attestor/verify/ek_parse.h"

#include <errno.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "common/ossl.h"

/* A malformed certificate is a verdict on the input, not an internal error:
 * leave nothing of it on OpenSSL's error queue. */
static int malformed(void)
{
        ERR_clear_error();
        return -EBADMSG;
}

int ae_ek_cert_parse(const uint8_t *der, size_t len, X509 **ret_cert)
{
        _cleanup_(X509_freep) X509 *cert = NULL;
        const unsigned char *p = der;

        ENSURE(ret_cert && (der || len == 0), -EINVAL);
        ENSURE(len <= AE_EK_CERT_MAX, -EMSGSIZE);
        ENSURE(len > 0, -EBADMSG);

        cert = d2i_X509(NULL, &p, (long)len);
        ENSURE(cert, malformed());
        /* d2i stops at the end of the first certificate; anything after it
         * would be bytes nobody checked, riding along with a valid EK. */
        ENSURE(p == der + len, malformed());
        /* The key must decode: it is the EK's identity, and OpenSSL's chain
         * building treats an undecodable one as an internal error (verify
         * returns -1) rather than as a bad certificate. */
        ENSURE(X509_get0_pubkey(cert), malformed());

        *ret_cert = TAKE_PTR(cert);
        return 0;
}
