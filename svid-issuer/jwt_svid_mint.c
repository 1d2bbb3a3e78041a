/* Minting JWT-SVIDs (jwt_svid.h): the header and the registered claims
 * written by jansson, the attestation claims spliced in as claims.h writes
 * them, signed in JOSE form. */
#include "svid-issuer/jwt_svid.h"

#include <string.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "svid-issuer/jwt_compact.h"

/* ENSURE with a reason: most checks below refuse with a code of their own. */
#define REFUSE_IF(cond, why, err)                                              \
        do {                                                                   \
                if (cond) {                                                    \
                        *reason = (why);                                       \
                        return (err);                                          \
                }                                                              \
        } while (0)

static int check_sub(const struct ae_jwt_signer *signer, const char *spiffe_id,
                     enum ae_jwt_reason *reason)
{
        struct ae_spiffe_id id;
        size_t len = strnlen(spiffe_id, AE_SPIFFE_ID_MAX + 1);

        REFUSE_IF(ae_spiffe_id_parse(spiffe_id, len, &id, NULL) < 0 || id.path[0] == '\0',
                  AE_JWT_SUB_INVALID, -EINVAL);
        REFUSE_IF(!ae_spiffe_id_in_trust_domain(&id, signer->trust_domain),
                  AE_JWT_SUB_FOREIGN_TRUST_DOMAIN, -EINVAL);
        return 0;
}

/* "aud": one value as a string, several as an array (standard 3.2). */
static int aud_json(const struct ae_jwt_svid_params *p, json_t **ret, enum ae_jwt_reason *reason)
{
        json_auto_t *arr = NULL;

        REFUSE_IF(p->n_aud == 0, AE_JWT_AUD_MISSING, -EINVAL);
        REFUSE_IF(!p->aud || p->n_aud > AE_JWT_AUD_MAX, AE_JWT_AUD_INVALID, -EINVAL);
        arr = json_array();
        REFUSE_IF(!arr, AE_JWT_INTERNAL, -ENOMEM);
        for (size_t i = 0; i < p->n_aud; i++) {
                const char *v = p->aud[i];
                size_t len = v ? strnlen(v, AE_JWT_AUD_VALUE_MAX + 1) : 0;
                json_t *s;

                REFUSE_IF(len == 0 || len > AE_JWT_AUD_VALUE_MAX, AE_JWT_AUD_INVALID, -EINVAL);
                /* json_stringn refuses text that is not UTF-8. */
                s = json_stringn(v, len);
                REFUSE_IF(!s, AE_JWT_AUD_INVALID, -EINVAL);
                REFUSE_IF(json_array_append_new(arr, s) != 0, AE_JWT_INTERNAL, -ENOMEM);
        }
        if (p->n_aud == 1) {
                *ret = json_incref(json_array_get(arr, 0));
                return 0;
        }
        *ret = TAKE_PTR(arr);
        return 0;
}

static int set(json_t *obj, const char *key, json_t *value, enum ae_jwt_reason *reason)
{
        /* set_new takes value (NULL included) whatever happens. */
        REFUSE_IF(json_object_set_new(obj, key, value) != 0, AE_JWT_INTERNAL, -ENOMEM);
        return 0;
}

/* The claims object's members, as ae_claims_encode writes them, into
 * claims_json (AE_CLAIMS_MAX + 1 bytes); *ret_len 0 without claims. */
static int claims_text(const struct ae_jwt_svid_params *p, char *claims_json, size_t *ret_len,
                       enum ae_jwt_reason *reason)
{
        *ret_len = 0;
        if (!p->claims)
                return 0;
        REFUSE_IF(ae_claims_validate(p->claims, NULL) < 0, AE_JWT_CLAIMS_INVALID, -EINVAL);
        /* Both must name one workload, or the claims describe another. */
        REFUSE_IF(strcmp(p->claims->workload.workload_id, p->spiffe_id) != 0,
                  AE_JWT_CLAIMS_SUB_MISMATCH, -EINVAL);
        REFUSE_IF(ae_claims_encode(p->claims, claims_json, AE_CLAIMS_MAX + 1, ret_len) < 0,
                  AE_JWT_CLAIMS_INVALID, -EINVAL);
        return 0;
}

/* payload = registered claims' object without '}' + ',' + claims object
 * without '{' (jwt_svid.h), into out[cap] with a NUL. */
static int payload_text(const struct ae_jwt_svid_params *p, time_t now, char *out, size_t cap,
                        size_t *ret_len, enum ae_jwt_reason *reason)
{
        json_auto_t *obj = json_object();
        _cleanup_free_ char *reg = NULL;
        char claims[AE_CLAIMS_MAX + 1];
        size_t reg_len, claims_len, len;
        json_t *aud = NULL;

        REFUSE_IF(!obj, AE_JWT_INTERNAL, -ENOMEM);
        GUARD(aud_json(p, &aud, reason));
        GUARD(set(obj, "sub", json_string(p->spiffe_id), reason));
        GUARD(set(obj, "aud", aud, reason));
        GUARD(set(obj, "exp", json_integer((json_int_t)(now + p->ttl_s)), reason));
        GUARD(set(obj, "iat", json_integer((json_int_t)now), reason));
        GUARD(claims_text(p, claims, &claims_len, reason));
        /* jansson keeps insertion order: sub, aud, exp, iat. */
        reg = json_dumps(obj, JSON_COMPACT);
        REFUSE_IF(!reg, AE_JWT_INTERNAL, -ENOMEM);
        reg_len = strlen(reg);
        len = claims_len ? reg_len + claims_len - 1 : reg_len;
        REFUSE_IF(len >= cap, AE_JWT_TOKEN_TOO_LARGE, -EMSGSIZE);
        memcpy(out, reg, reg_len + 1);
        if (claims_len) {
                out[reg_len - 1] = ',';
                memcpy(out + reg_len, claims + 1, claims_len); /* with its NUL */
        }
        *ret_len = len;
        return 0;
}

static int header_text(const struct ae_jwt_signer *signer, enum ae_jwt_alg alg, char *out,
                       size_t cap, size_t *ret_len, enum ae_jwt_reason *reason)
{
        json_auto_t *obj = json_object();
        _cleanup_free_ char *text = NULL;
        size_t len;

        REFUSE_IF(!obj, AE_JWT_INTERNAL, -ENOMEM);
        GUARD(set(obj, "alg", json_string(ae_jwt_alg_name(alg)), reason));
        GUARD(set(obj, "kid", json_string(signer->kid), reason));
        GUARD(set(obj, "typ", json_string("JWT"), reason));
        text = json_dumps(obj, JSON_COMPACT);
        REFUSE_IF(!text, AE_JWT_INTERNAL, -ENOMEM);
        len = strlen(text);
        REFUSE_IF(len >= cap, AE_JWT_INTERNAL, -EIO); /* a valid kid always fits */
        memcpy(out, text, len + 1);
        *ret_len = len;
        return 0;
}

static int check_args(const struct ae_jwt_signer *signer, const struct ae_jwt_svid_params *p,
                      time_t now, enum ae_jwt_alg *ret_alg, enum ae_jwt_reason *reason)
{
        REFUSE_IF(!signer || !signer->key || !signer->kid || !signer->trust_domain || !p ||
                          !p->spiffe_id || !ae_spiffe_trust_domain_valid(signer->trust_domain),
                  AE_JWT_INTERNAL, -EINVAL);
        REFUSE_IF(ae_jwt_alg_for_key(signer->key, ret_alg) < 0, AE_JWT_KEY_UNSUPPORTED,
                  -EOPNOTSUPP);
        REFUSE_IF(!ae_jwt_kid_valid(signer->kid, strnlen(signer->kid, AE_JWT_KID_MAX + 1)),
                  AE_JWT_KID_INVALID, -EINVAL);
        GUARD(check_sub(signer, p->spiffe_id, reason));
        REFUSE_IF(p->ttl_s < 1 || p->ttl_s > AE_JWT_SVID_TTL_MAX, AE_JWT_TTL_INVALID, -EINVAL);
        REFUSE_IF(now < 0 || (int64_t)now > AE_JWT_TIME_MAX - p->ttl_s, AE_JWT_INTERNAL,
                  -EINVAL);
        return 0;
}

int ae_jwt_svid_mint(const struct ae_jwt_signer *signer, const struct ae_jwt_svid_params *p,
                     time_t now, char **ret_token, enum ae_jwt_reason *reason)
{
        enum ae_jwt_reason dummy;
        char header[AE_JWT_HEADER_MAX], payload[AE_JWT_PAYLOAD_MAX];
        uint8_t sig[AE_JWT_SIG_MAX];
        _cleanup_free_ char *token = NULL;
        size_t header_len, payload_len, sig_len, pos = 0;
        enum ae_jwt_alg alg;
        int r;

        if (!reason)
                reason = &dummy;
        *reason = AE_JWT_INTERNAL;
        ENSURE(ret_token, -EINVAL);
        GUARD(check_args(signer, p, now, &alg, reason));
        GUARD(header_text(signer, alg, header, sizeof(header), &header_len, reason));
        GUARD(payload_text(p, now, payload, sizeof(payload), &payload_len, reason));

        /* Slack past the limit: the encoder wants room for a padded last
         * block and a NUL even where the unpadded text ends up shorter. */
        token = malloc(AE_JWT_TOKEN_MAX + 8);
        REFUSE_IF(!token, AE_JWT_INTERNAL, -ENOMEM);
        r = ae_jwt_b64_append(header, header_len, token, AE_JWT_TOKEN_MAX + 8, &pos);
        if (r == 0) {
                token[pos++] = '.';
                r = ae_jwt_b64_append(payload, payload_len, token, AE_JWT_TOKEN_MAX + 8, &pos);
        }
        REFUSE_IF(r < 0 || pos >= AE_JWT_TOKEN_MAX, AE_JWT_TOKEN_TOO_LARGE, -EMSGSIZE);

        r = ae_jwt_sign(signer->key, alg, token, pos, sig, sizeof(sig), &sig_len);
        REFUSE_IF(r < 0, AE_JWT_INTERNAL, r);
        token[pos++] = '.';
        r = ae_jwt_b64_append(sig, sig_len, token, AE_JWT_TOKEN_MAX + 8, &pos);
        REFUSE_IF(r < 0 || pos > AE_JWT_TOKEN_MAX, AE_JWT_TOKEN_TOO_LARGE, -EMSGSIZE);

        *ret_token = TAKE_PTR(token);
        *reason = AE_JWT_OK;
        return 0;
}
