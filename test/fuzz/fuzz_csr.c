/* A CSR from the network (AttestAgent, RenewAgent, BatchNewX509SVID) through
 * svid-issuer/csr. Property: a refusal has a reason other than OK and no
 * key; an accepted CSR yields a key the issuer signs for. */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/err.h>

#include "svid-issuer/csr.h"
#include "svid-issuer/key_gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        enum ae_csr_reason why = AE_CSR_REASON_COUNT;
        enum ae_ca_key_type type;
        EVP_PKEY *key = NULL;

        if (ae_csr_public_key(data, size, &key, &why) == 0) {
                if (why != AE_CSR_OK || !key || ae_svid_key_classify(key, &type) < 0)
                        abort();
                EVP_PKEY_free(key);
        } else if (why == AE_CSR_OK || why >= AE_CSR_REASON_COUNT || key) {
                abort();
        }
        ERR_clear_error();
        return 0;
}
