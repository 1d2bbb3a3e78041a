/* The JWT-SVID validator on arbitrary input, against fixed bundles
 * (jwt_fuzz_keys.h). The first byte picks what the rest is:
 *
 *   0 (mod 3): a token, validated as received;
 *   1 (mod 3): "<header JSON>\0<payload JSON>", which this target signs
 *      with a fixed key (byte 0 / 3 mod 4: P-256 ES256, RSA RS256, RSA
 *      PS256, or no signature at all) so the fuzzer reaches every check
 *      after the signature's;
 *   2 (mod 3): a token for the unverified reader.
 *
 * Properties: a refusal always names a reason, never AE_JWT_INTERNAL; an
 * accepted token is what its checks promise: sub in a bundle's trust domain
 * with a path, the audience among aud, not expired, not issued in the
 * future, the key it names in sub's bundle and fitting its alg, claims
 * valid and naming sub. Whatever validates also reads unverified. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "jwt_fuzz_keys.h"
#include "svid-issuer/jwt_svid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct ae_jwt_svid *s)
{
        const struct ae_jwks *const *bundles = ae_fuzz_jwt_bundles();
        const struct ae_jwks *b = NULL;
        const struct ae_jwks_key *k;
        char sub[AE_SPIFFE_ID_SIZE];
        bool aud = false;

        for (size_t i = 0; i < 2; i++)
                if (strcmp(s->sub.trust_domain, ae_jwks_trust_domain(bundles[i])) == 0)
                        b = bundles[i];
        k = b ? ae_jwks_find(b, s->kid) : NULL;
        if (!k || !ae_jwt_alg_fits_key(s->alg, k->key) || s->sub.path[0] == '\0')
                abort();
        if (s->n_aud < 1 || s->n_aud > AE_JWT_AUD_MAX)
                abort();
        for (size_t i = 0; i < s->n_aud; i++)
                aud = aud || strcmp(s->aud[i], AE_FUZZ_JWT_AUD) == 0;
        if (!aud || AE_FUZZ_JWT_NOW >= s->exp + AE_FUZZ_JWT_LEEWAY)
                abort();
        if ((s->has_iat && s->iat > AE_FUZZ_JWT_NOW + AE_FUZZ_JWT_LEEWAY) ||
            (s->has_nbf && s->nbf > AE_FUZZ_JWT_NOW + AE_FUZZ_JWT_LEEWAY))
                abort();
        if (ae_spiffe_id_format(&s->sub, sub, sizeof(sub), NULL) < 0)
                abort();
        if (s->has_claims && (ae_claims_validate(&s->claims, NULL) < 0 ||
                              strcmp(s->claims.workload.workload_id, sub) != 0))
                abort();
}

static void validate(const char *token, size_t len)
{
        static struct ae_jwt_svid s;
        enum ae_jwt_reason r = AE_JWT_REASON_COUNT;
        char *h = NULL, *p = NULL;
        int ret = ae_jwt_svid_validate(token, len, ae_fuzz_jwt_bundles(), 2, AE_FUZZ_JWT_AUD,
                                       AE_FUZZ_JWT_NOW, AE_FUZZ_JWT_LEEWAY, &s, &r);

        if (ret < 0) {
                if (r == AE_JWT_OK || r == AE_JWT_INTERNAL || r >= AE_JWT_REASON_COUNT)
                        abort();
                return;
        }
        if (r != AE_JWT_OK)
                abort();
        check_accepted(&s);
        if (ae_jwt_svid_decode_unverified(token, len, &h, &p, NULL) < 0)
                abort();
        free(h);
        free(p);
}

/* header '\0' payload, signed here. */
static void sign_and_validate(uint8_t mode, const uint8_t *data, size_t size)
{
        static char token[AE_JWT_TOKEN_MAX + 16];
        const uint8_t *nul = memchr(data, '\0', size);
        size_t h_len, p_len, pos = 0, sig_len = 0, n;
        uint8_t sig[AE_JWT_SIG_MAX];
        EVP_PKEY *key;
        enum ae_jwt_alg alg;

        if (!nul)
                return;
        h_len = (size_t)(nul - data);
        p_len = size - h_len - 1;
        /* Both parts and a signature must fit the token buffer. */
        if (AE_B64_ENCODED_SIZE(h_len) + AE_B64_ENCODED_SIZE(p_len) +
                    AE_B64_ENCODED_SIZE(AE_JWT_SIG_MAX) > sizeof(token))
                return;
        if (ae_b64_encode(AE_B64_URL, data, h_len, token, sizeof(token), &n) < 0)
                abort();
        pos = n;
        token[pos++] = '.';
        if (ae_b64_encode(AE_B64_URL, nul + 1, p_len, token + pos, sizeof(token) - pos, &n) < 0)
                abort();
        pos += n;
        switch ((mode / 3) % 4) {
        case 0:
                key = ae_fuzz_jwt_p256();
                alg = AE_JWT_ES256;
                break;
        case 1:
                key = ae_fuzz_jwt_rsa();
                alg = AE_JWT_RS256;
                break;
        case 2:
                key = ae_fuzz_jwt_rsa();
                alg = AE_JWT_PS256;
                break;
        default:
                key = NULL;
                alg = AE_JWT_ES256;
                break;
        }
        if (key && ae_jwt_sign(key, alg, token, pos, sig, sizeof(sig), &sig_len) < 0)
                abort();
        token[pos++] = '.';
        if (ae_b64_encode(AE_B64_URL, sig, sig_len, token + pos, sizeof(token) - pos, &n) < 0)
                abort();
        pos += n;
        validate(token, pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *h = NULL, *p = NULL;

        if (size < 1)
                return 0;
        switch (data[0] % 3) {
        case 0:
                validate((const char *)data + 1, size - 1);
                break;
        case 1:
                sign_and_validate(data[0], data + 1, size - 1);
                break;
        default:
                if (ae_jwt_svid_decode_unverified((const char *)data + 1, size - 1, &h, &p, NULL) == 0) {
                        if (!h || !p)
                                abort();
                        free(h);
                        free(p);
                }
                break;
        }
        return 0;
}
