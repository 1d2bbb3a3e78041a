/* The claims extension's reader (svid-issuer/claims.h) on arbitrary
 * extension values, both forms. Properties: a refusal names a claims
 * reason; whatever decodes re-encodes, and decoding that gives the same
 * struct (coordinates rounded to the writer's decimals, nothing else
 * changed) whose encoding is byte for byte the same; the DER extension
 * built from it decodes to the same again. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "svid-issuer/claims.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the writer's "%.*f" makes of v, read back. */
static double rounded(double v, int decimals)
{
        char text[64];

        snprintf(text, sizeof(text), "%.*f", decimals, v);
        return strtod(text, NULL);
}

static void same(const struct ae_claims *a, const struct ae_claims *b, bool exact_coordinates)
{
        if (a->level != b->level || strcmp(a->workload.workload_id, b->workload.workload_id) ||
            strcmp(a->workload.code_hash, b->workload.code_hash) || a->tpm.present != b->tpm.present ||
            strcmp(a->tpm.ek_hash, b->tpm.ek_hash) || strcmp(a->tpm.ak_name, b->tpm.ak_name) ||
            strcmp(a->tpm.pcr_policy, b->tpm.pcr_policy) ||
            strcmp(a->tpm.pcr_digest, b->tpm.pcr_digest) || a->tpm.attested_at != b->tpm.attested_at ||
            a->geo.present != b->geo.present || a->geo.n_zones != b->geo.n_zones ||
            strcmp(a->geo.policy_digest, b->geo.policy_digest) ||
            strcmp(a->geo.sensor_id, b->geo.sensor_id) || a->geo.fix_time != b->geo.fix_time ||
            a->geo.has_coordinates != b->geo.has_coordinates)
                abort();
        for (size_t i = 0; i < a->geo.n_zones; i++)
                if (strcmp(a->geo.zones[i], b->geo.zones[i]) != 0)
                        abort();
        if (!a->geo.has_coordinates)
                return;
        if (exact_coordinates ? (a->geo.latitude != b->geo.latitude ||
                                 a->geo.longitude != b->geo.longitude ||
                                 a->geo.accuracy != b->geo.accuracy)
                              : (rounded(a->geo.latitude, 7) != b->geo.latitude ||
                                 rounded(a->geo.longitude, 7) != b->geo.longitude ||
                                 rounded(a->geo.accuracy, 2) != b->geo.accuracy))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct ae_claims c, again, third;
        static char text[AE_CLAIMS_MAX + 1], text2[AE_CLAIMS_MAX + 1];
        enum ae_svid_reason r = AE_SVID_REASON_COUNT;
        X509_EXTENSION *ext = NULL;
        const ASN1_OCTET_STRING *v;
        size_t n, n2;

        if (ae_claims_decode_extension(data, size, &c, &r) < 0) {
                if (r == AE_SVID_OK || r == AE_SVID_INTERNAL || r >= AE_SVID_REASON_COUNT)
                        abort();
                return 0;
        }
        if (r != AE_SVID_OK || ae_claims_validate(&c, NULL) < 0)
                abort();
        if (ae_claims_encode(&c, text, sizeof(text), &n) < 0 ||
            ae_claims_decode(text, n, &again) < 0)
                abort();
        same(&c, &again, false);
        if (ae_claims_encode(&again, text2, sizeof(text2), &n2) < 0 || n2 != n ||
            memcmp(text, text2, n) != 0)
                abort();
        if (ae_claims_to_extension(&again, &ext) < 0)
                abort();
        v = X509_EXTENSION_get_data(ext);
        if (ae_claims_decode_extension(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v),
                                       &third, NULL) < 0)
                abort();
        same(&again, &third, true);
        X509_EXTENSION_free(ext);
        return 0;
}
