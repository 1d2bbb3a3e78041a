/* SPIFFE ID parsing of untrusted text (JWT sub claims, X.509 URI SANs,
 * registration entries). Property: only the canonical form parses, so
 * whatever parses formats back to the identical bytes, and a rejection
 * always names its reason. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/spiffe_id.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ae_spiffe_id id, again;
        enum ae_spiffe_id_error err = AE_SPIFFE_ID_ERROR_COUNT;
        char text[AE_SPIFFE_ID_SIZE];
        size_t n = 0;

        if (ae_spiffe_id_parse((const char *)data, size, &id, &err) < 0) {
                if (err == AE_SPIFFE_ID_OK || err >= AE_SPIFFE_ID_ERROR_COUNT)
                        abort(); /* a rejection without a reason */
                return 0;
        }
        if (err != AE_SPIFFE_ID_OK)
                abort();
        if (ae_spiffe_id_format(&id, text, sizeof(text), &n) < 0)
                abort();
        if (n != size || memcmp(text, data, size) != 0)
                abort(); /* two texts for one identity */
        if (!ae_spiffe_trust_domain_valid(id.trust_domain))
                abort();
        if (ae_spiffe_id_from_parts(id.trust_domain, id.path, &again, NULL) < 0 ||
            !ae_spiffe_id_equal(&id, &again) || !ae_spiffe_id_is_member_of(&id, &id))
                abort();
        return 0;
}
