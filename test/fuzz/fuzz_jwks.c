/* The JWK Set reader (svid-issuer/jwt_jwks.h) on arbitrary documents.
 * Properties: a refusal says why; an accepted set has distinct valid kids,
 * each found by name, each key fitting some JWT-SVID alg (and its own
 * "alg", when it names one); written back with ae_jwks_from_keys and read
 * again, it is the same keys under the same kids. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "svid-issuer/jwt_jwks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ae_jwks *set = NULL, *again = NULL;
        EVP_PKEY *keys[AE_JWKS_KEYS_MAX];
        const char *kids[AE_JWKS_KEYS_MAX];
        const char *why = NULL;
        char *json = NULL;
        size_t n;

        if (ae_jwks_parse("example.org", (const char *)data, size, &set, &why) < 0) {
                if (set || !why || !*why)
                        abort();
                return 0;
        }
        n = ae_jwks_count(set);
        if (n > AE_JWKS_KEYS_MAX || strcmp(ae_jwks_trust_domain(set), "example.org") != 0)
                abort();
        for (size_t i = 0; i < n; i++) {
                const struct ae_jwks_key *k = ae_jwks_key_at(set, i);
                enum ae_jwt_alg alg;

                if (!k || ae_jwks_find(set, k->kid) != k ||
                    !ae_jwt_kid_valid(k->kid, strlen(k->kid)) ||
                    ae_jwt_alg_for_key(k->key, &alg) < 0 ||
                    (k->has_alg && !ae_jwt_alg_fits_key(k->alg, k->key)))
                        abort();
                keys[i] = k->key;
                kids[i] = k->kid;
        }
        if (ae_jwks_from_keys(keys, kids, n, &json) < 0 ||
            ae_jwks_parse("example.org", json, strlen(json), &again, NULL) < 0 ||
            ae_jwks_count(again) != n)
                abort();
        for (size_t i = 0; i < n; i++) {
                const struct ae_jwks_key *k = ae_jwks_find(again, kids[i]);

                if (!k || EVP_PKEY_eq(k->key, keys[i]) != 1)
                        abort();
        }
        free(json);
        ae_jwks_free(again);
        ae_jwks_free(set);
        return 0;
}
