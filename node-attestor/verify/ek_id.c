#include "node-attestor/verify/ek_id.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

int ae_ek_spki_sha256(const X509 *cert, uint8_t ret_id[AE_EK_ID_LEN])
{
        const X509_PUBKEY *spki;
        unsigned char *der = NULL;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;
        int len, ok;

        ENSURE(cert && ret_id, -EINVAL);
        spki = X509_get_X509_PUBKEY(cert);
        ENSURE(spki, -EBADMSG);

        /* Re-encoded from the parsed key: the same DER for the same key, however
         * the certificate around it was written. */
        len = i2d_X509_PUBKEY(spki, &der);
        ENSURE(len > 0, -EIO);
        ok = EVP_Digest(der, (size_t)len, md, &md_len, EVP_sha256(), NULL);
        OPENSSL_free(der);
        ENSURE(ok == 1 && md_len == AE_EK_ID_LEN, -EIO);

        memcpy(ret_id, md, AE_EK_ID_LEN);
        return 0;
}

int ae_ek_pkey_sha256(EVP_PKEY *key, uint8_t ret_id[AE_EK_ID_LEN])
{
        unsigned char *der = NULL;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;
        int len, ok;

        ENSURE(key && ret_id, -EINVAL);
        len = i2d_PUBKEY(key, &der);
        ENSURE(len > 0, -EIO);
        ok = EVP_Digest(der, (size_t)len, md, &md_len, EVP_sha256(), NULL);
        OPENSSL_free(der);
        ENSURE(ok == 1 && md_len == AE_EK_ID_LEN, -EIO);
        memcpy(ret_id, md, AE_EK_ID_LEN);
        return 0;
}
