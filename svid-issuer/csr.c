#include "svid-issuer/csr.h"

#include <errno.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "svid-issuer/key_gen.h"

static const struct {
        const char *id, *text;
} reasons[AE_CSR_REASON_COUNT] = {
        [AE_CSR_OK] = { "ok", "CSR accepted" },
        [AE_CSR_SIZE] = { "csr_size", "CSR empty or too large" },
        [AE_CSR_MALFORMED] = { "csr_malformed", "CSR is not one DER PKCS#10 request" },
        [AE_CSR_KEY] = { "csr_key", "CSR key type unsupported (EC P-256/P-384, RSA >= 2048)" },
        [AE_CSR_SIGNATURE] = { "csr_signature", "CSR self-signature does not verify" },
};

const char *ae_csr_reason_str(enum ae_csr_reason r)
{
        return (unsigned)r < AE_CSR_REASON_COUNT ? reasons[r].text : "unknown CSR reason";
}

const char *ae_csr_reason_id(enum ae_csr_reason r)
{
        return (unsigned)r < AE_CSR_REASON_COUNT ? reasons[r].id : "unknown";
}

static int refuse(enum ae_csr_reason *reason, enum ae_csr_reason why, int err)
{
        if (reason)
                *reason = why;
        ERR_clear_error();
        return err;
}

int ae_csr_public_key(const uint8_t *der, size_t len, EVP_PKEY **ret,
                      enum ae_csr_reason *reason)
{
        const unsigned char *p = der;
        enum ae_ca_key_type type;
        X509_REQ *req;
        EVP_PKEY *key;
        int ok;

        /* An empty bytes field arrives as NULL and 0: empty, not malformed. */
        if (!ret || (!der && len))
                return refuse(reason, AE_CSR_MALFORMED, -EINVAL);
        if (len == 0 || len > AE_CSR_MAX)
                return refuse(reason, AE_CSR_SIZE, -EMSGSIZE);
        req = d2i_X509_REQ(NULL, &p, (long)len);
        if (!req || p != der + len) {
                X509_REQ_free(req);
                return refuse(reason, AE_CSR_MALFORMED, -EBADMSG);
        }
        key = X509_REQ_get_pubkey(req);
        if (!key || ae_svid_key_classify(key, &type) < 0) {
                EVP_PKEY_free(key);
                X509_REQ_free(req);
                return refuse(reason, AE_CSR_KEY, -EOPNOTSUPP);
        }
        ok = X509_REQ_verify(req, key) == 1;
        X509_REQ_free(req);
        if (!ok) {
                EVP_PKEY_free(key);
                return refuse(reason, AE_CSR_SIGNATURE, -EKEYREJECTED);
        }
        if (reason)
                *reason = AE_CSR_OK;
        *ret = key;
        return 0;
}
