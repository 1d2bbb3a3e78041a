/* A peer's leaf certificate (DER from the network) through the X509-SVID
 * leaf rules. Property: every refusal has a reason of the leaf stage, and
 * an accepted leaf has a SPIFFE ID with a path that formats cleanly. */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "svid-issuer/rp_leaf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const unsigned char *p = data;
        X509 *x = d2i_X509(NULL, &p, (long)size);
        struct ae_spiffe_id id;
        enum ae_rp_reason reason = AE_RP_REASON_COUNT;
        enum ae_spiffe_id_error id_err = AE_SPIFFE_ID_ERROR_COUNT;
        char text[AE_SPIFFE_ID_SIZE];

        if (!x) {
                ERR_clear_error();
                return 0;
        }
        if (ae_rp_leaf_check(x, &id, &reason, &id_err) < 0) {
                if (reason < AE_RP_LEAF_MALFORMED || reason > AE_RP_LEAF_CERT_SIGN)
                        abort();
                if ((reason == AE_RP_LEAF_ID_INVALID) != (id_err != AE_SPIFFE_ID_OK))
                        abort();
        } else {
                if (reason != AE_RP_OK || !id.path[0] ||
                    ae_spiffe_id_format(&id, text, sizeof(text), NULL) < 0)
                        abort();
        }
        X509_free(x);
        ERR_clear_error();
        return 0;
}
