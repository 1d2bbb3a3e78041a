/* TPM2B_PUBLIC areas arrive from agents as untrusted bytes (EK and AK).
 * The seed corpus holds public areas swtpm made through tpm2-tools (RSA
 * 2048/3072 and P-256/P-384 EKs, AKs, primaries named with SHA-384/512) and
 * a truncated one.
 * Properties: parsing fails only with -EBADMSG, or -EMSGSIZE above the
 * limit, and leaves nothing on OpenSSL's error queue; what parses
 * re-marshals to exactly the input (so the name is over what was sent), has
 * a name of nameAlg || digest, converts to an OpenSSL key of its type, and
 * either takes a credential or is refused as no decryption key. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <tss2/tss2_mu.h>

#include "node-attestor/attest_limits.h"
#include "node-attestor/verify/make_credential.h"
#include "node-attestor/verify/tpm_public.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_credential(const TPM2B_PUBLIC *pub, const uint8_t *name, size_t name_len)
{
        uint8_t blob[AE_MAKE_CREDENTIAL_BLOB_MAX], enc[AE_MAKE_CREDENTIAL_ENC_SECRET_MAX];
        uint8_t secret[32] = { 1, 2, 3 };
        size_t blob_len = 0, enc_len = 0;
        int r;

        r = ae_make_credential(pub, name, name_len, secret, sizeof(secret), blob, sizeof(blob),
                               &blob_len, enc, sizeof(enc), &enc_len);
        if (r != 0 && r != -EKEYREJECTED)
                abort();
        if (r == 0 && (blob_len < 4 || enc_len < 4 || blob_len > sizeof(blob) ||
                       enc_len > sizeof(enc)))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t name[AE_TPM_NAME_MAX], again[AE_ATTEST_TPM_PUBLIC_MAX];
        size_t name_len = 0, off = 0;
        TPM2B_PUBLIC pub, copy;
        EVP_PKEY *key = NULL;
        int r;

        r = ae_tpm_public_parse(data, size, &pub);
        if (r < 0) {
                if (r != -EBADMSG && !(r == -EMSGSIZE && size > AE_ATTEST_TPM_PUBLIC_MAX))
                        abort();
                if (ERR_peek_error() != 0)
                        abort();
                return 0;
        }

        copy = pub;
        copy.size = 0;
        if (Tss2_MU_TPM2B_PUBLIC_Marshal(&copy, again, sizeof(again), &off) != TSS2_RC_SUCCESS ||
            off != size || memcmp(again, data, size) != 0)
                abort();

        if (ae_tpm_public_name(&pub, name, sizeof(name), &name_len) != 0 || name_len < 2 + 32 ||
            name[0] != (uint8_t)(pub.publicArea.nameAlg >> 8) ||
            name[1] != (uint8_t)pub.publicArea.nameAlg)
                abort();

        if (ae_tpm_public_to_evp(&pub, &key) != 0 ||
            EVP_PKEY_get_base_id(key) !=
                    (pub.publicArea.type == TPM2_ALG_RSA ? EVP_PKEY_RSA : EVP_PKEY_EC))
                abort();
        EVP_PKEY_free(key);

        check_credential(&pub, name, name_len);
        ERR_clear_error();
        return 0;
}
