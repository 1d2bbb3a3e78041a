/* Validating untrusted JWT-SVIDs (jwt_svid.h): the checks in the order the
 * header comment lists them, each refusal with its own reason. */
#include "svid-issuer/jwt_svid.h"

#include <math.h>
#include <strings.h>
#include <string.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "svid-issuer/jwt_compact.h"

static int refuse(enum ae_jwt_reason *reason, enum ae_jwt_reason r)
{
        *reason = r;
        return -EBADMSG;
}

/* alg first, then which members, then typ and kid (jwt_svid.h step 2). */
static int check_header(const struct ae_jwt_compact *c, struct ae_jwt_svid *s,
                        enum ae_jwt_reason *reason)
{
        json_auto_t *j = ae_jwt_json_object(c->header, c->header_len);
        const char *key;
        json_t *v, *alg, *typ, *kid;

        if (!j)
                return refuse(reason, AE_JWT_HEADER_MALFORMED);
        alg = json_object_get(j, "alg");
        if (!json_is_string(alg))
                return refuse(reason, AE_JWT_HEADER_MALFORMED);
        /* "None", "NONE": the classic bypass of case-sensitive filters. */
        if (strcasecmp(json_string_value(alg), "none") == 0)
                return refuse(reason, AE_JWT_ALG_NONE);
        if (ae_jwt_alg_from_name(json_string_value(alg), &s->alg) < 0)
                return refuse(reason, AE_JWT_ALG_NOT_ALLOWED);
        json_object_foreach (j, key, v)
                if (strcmp(key, "alg") != 0 && strcmp(key, "kid") != 0 && strcmp(key, "typ") != 0)
                        return refuse(reason, AE_JWT_HEADER_NOT_ALLOWED);
        typ = json_object_get(j, "typ");
        if (typ && !json_is_string(typ))
                return refuse(reason, AE_JWT_HEADER_MALFORMED);
        if (typ && strcmp(json_string_value(typ), "JWT") != 0 &&
            strcmp(json_string_value(typ), "JOSE") != 0)
                return refuse(reason, AE_JWT_TYP_INVALID);
        kid = json_object_get(j, "kid");
        if (!kid)
                return refuse(reason, AE_JWT_KID_MISSING);
        if (!json_is_string(kid))
                return refuse(reason, AE_JWT_HEADER_MALFORMED);
        if (!ae_jwt_kid_valid(json_string_value(kid), json_string_length(kid)))
                return refuse(reason, AE_JWT_KID_INVALID);
        memcpy(s->kid, json_string_value(kid), json_string_length(kid) + 1);
        return 0;
}

static int read_sub(json_t *payload, struct ae_jwt_svid *s, enum ae_jwt_reason *reason)
{
        json_t *sub = json_object_get(payload, "sub");

        if (!sub)
                return refuse(reason, AE_JWT_SUB_MISSING);
        if (!json_is_string(sub))
                return refuse(reason, AE_JWT_CLAIM_TYPE);
        /* A JWT-SVID names a workload: a trust domain's own ID is refused. */
        if (ae_spiffe_id_parse(json_string_value(sub), json_string_length(sub), &s->sub, NULL) < 0 ||
            s->sub.path[0] == '\0')
                return refuse(reason, AE_JWT_SUB_INVALID);
        return 0;
}

static const struct ae_jwks *bundle_for(const struct ae_jwks *const *bundles, size_t n,
                                        const struct ae_spiffe_id *sub)
{
        for (size_t i = 0; i < n; i++)
                if (ae_spiffe_id_in_trust_domain(sub, ae_jwks_trust_domain(bundles[i])))
                        return bundles[i];
        return NULL;
}

/* The key: only sub's trust domain's bundle may vouch for sub (jwt_svid.h
 * step 3), and the key kid names there decides which algs can verify. */
static int check_signature(const struct ae_jwt_compact *c, const struct ae_jwks *const *bundles,
                           size_t n_bundles, const struct ae_jwt_svid *s,
                           enum ae_jwt_reason *reason)
{
        const struct ae_jwks *bundle = bundle_for(bundles, n_bundles, &s->sub);
        const struct ae_jwks_key *k;
        int r;

        if (!bundle)
                return refuse(reason, AE_JWT_SUB_FOREIGN_TRUST_DOMAIN);
        k = ae_jwks_find(bundle, s->kid);
        if (!k)
                return refuse(reason, AE_JWT_KID_UNKNOWN);
        if (!ae_jwt_alg_fits_key(s->alg, k->key) || (k->has_alg && k->alg != s->alg))
                return refuse(reason, AE_JWT_ALG_KEY_MISMATCH);
        r = ae_jwt_verify(k->key, s->alg, c->signing_input, c->signing_input_len, c->sig,
                          c->sig_len);
        if (r == -EBADMSG)
                return refuse(reason, AE_JWT_SIGNATURE_INVALID);
        if (r < 0) {
                *reason = AE_JWT_INTERNAL;
                return r;
        }
        return 0;
}

/* A string aud value into s->aud[i]. */
static int aud_value(json_t *v, struct ae_jwt_svid *s, size_t i, enum ae_jwt_reason *reason)
{
        size_t len;

        if (!json_is_string(v))
                return refuse(reason, AE_JWT_CLAIM_TYPE);
        len = json_string_length(v);
        if (i >= AE_JWT_AUD_MAX || len == 0 || len > AE_JWT_AUD_VALUE_MAX)
                return refuse(reason, AE_JWT_AUD_INVALID);
        memcpy(s->aud[i], json_string_value(v), len + 1);
        return 0;
}

static int check_aud(json_t *payload, const char *audience, struct ae_jwt_svid *s,
                     enum ae_jwt_reason *reason)
{
        json_t *aud = json_object_get(payload, "aud"), *v;
        size_t i;

        if (!aud)
                return refuse(reason, AE_JWT_AUD_MISSING);
        if (json_is_string(aud)) {
                GUARD(aud_value(aud, s, 0, reason));
                s->n_aud = 1;
        } else if (json_is_array(aud)) {
                if (json_array_size(aud) == 0)
                        return refuse(reason, AE_JWT_AUD_MISSING);
                json_array_foreach (aud, i, v)
                        GUARD(aud_value(v, s, i, reason));
                s->n_aud = json_array_size(aud);
        } else {
                return refuse(reason, AE_JWT_CLAIM_TYPE);
        }
        for (i = 0; i < s->n_aud; i++)
                if (strcmp(s->aud[i], audience) == 0)
                        return 0;
        return refuse(reason, AE_JWT_AUD_MISMATCH);
}

/* A NumericDate (RFC 7519 2): any JSON number, here within
 * 0..AE_JWT_TIME_MAX. Fractions round towards refusal: exp down, nbf and
 * iat up. */
static int read_time(json_t *payload, const char *name, bool round_up, bool *ret_present,
                     int64_t *ret, enum ae_jwt_reason *reason)
{
        json_t *v = json_object_get(payload, name);
        double d;

        *ret_present = v != NULL;
        if (!v)
                return 0;
        if (json_is_integer(v)) {
                json_int_t t = json_integer_value(v);

                if (t < 0 || t > AE_JWT_TIME_MAX)
                        return refuse(reason, AE_JWT_CLAIM_TYPE);
                *ret = (int64_t)t;
                return 0;
        }
        if (!json_is_real(v))
                return refuse(reason, AE_JWT_CLAIM_TYPE);
        d = json_real_value(v);
        if (!(d >= 0.0 && d <= (double)AE_JWT_TIME_MAX))
                return refuse(reason, AE_JWT_CLAIM_TYPE);
        *ret = (int64_t)(round_up ? ceil(d) : floor(d));
        return 0;
}

/* now and leeway are in range (checked by the caller): no sum overflows. */
static int check_times(json_t *payload, int64_t now, int64_t leeway, struct ae_jwt_svid *s,
                       enum ae_jwt_reason *reason)
{
        bool has_exp;

        GUARD(read_time(payload, "exp", false, &has_exp, &s->exp, reason));
        if (!has_exp)
                return refuse(reason, AE_JWT_EXP_MISSING);
        GUARD(read_time(payload, "nbf", true, &s->has_nbf, &s->nbf, reason));
        GUARD(read_time(payload, "iat", true, &s->has_iat, &s->iat, reason));
        /* RFC 7519 4.1.4: the current time MUST be before exp. */
        if (now >= s->exp + leeway)
                return refuse(reason, AE_JWT_EXPIRED);
        if (s->has_nbf && s->nbf > now + leeway)
                return refuse(reason, AE_JWT_NOT_YET_VALID);
        if (s->has_iat && s->iat > now + leeway)
                return refuse(reason, AE_JWT_IAT_IN_FUTURE);
        return 0;
}

static int check_claims(json_t *payload, struct ae_jwt_svid *s, enum ae_jwt_reason *reason)
{
        char sub[AE_SPIFFE_ID_SIZE];

        if (ae_claims_from_jwt_payload(payload, &s->claims, &s->has_claims, NULL) < 0)
                return refuse(reason, AE_JWT_CLAIMS_INVALID);
        if (!s->has_claims)
                return 0;
        if (ae_spiffe_id_format(&s->sub, sub, sizeof(sub), NULL) < 0) {
                *reason = AE_JWT_INTERNAL;
                return -EIO;
        }
        if (strcmp(s->claims.workload.workload_id, sub) != 0)
                return refuse(reason, AE_JWT_CLAIMS_SUB_MISMATCH);
        return 0;
}

static bool args_valid(const struct ae_jwks *const *bundles, size_t n_bundles,
                       const char *audience, time_t now, int64_t leeway_s)
{
        if ((!bundles && n_bundles) || n_bundles > AE_JWT_BUNDLES_MAX || !audience ||
            audience[0] == '\0' || now < 0 || (int64_t)now > AE_JWT_TIME_MAX || leeway_s < 0 ||
            leeway_s > AE_JWT_LEEWAY_MAX)
                return false;
        /* One bundle per trust domain: two would make "the" bundle of a
         * trust domain ambiguous. */
        for (size_t i = 0; i < n_bundles; i++) {
                if (!bundles[i])
                        return false;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(ae_jwks_trust_domain(bundles[i]),
                                   ae_jwks_trust_domain(bundles[j])) == 0)
                                return false;
        }
        return true;
}

int ae_jwt_svid_validate(const char *token, size_t len, const struct ae_jwks *const *bundles,
                         size_t n_bundles, const char *audience, time_t now, int64_t leeway_s,
                         struct ae_jwt_svid *ret, enum ae_jwt_reason *reason)
{
        _cleanup_free_ struct ae_jwt_compact *c = NULL;
        _cleanup_free_ struct ae_jwt_svid *s = NULL;
        json_auto_t *payload = NULL;
        enum ae_jwt_reason dummy;

        if (!reason)
                reason = &dummy;
        *reason = AE_JWT_INTERNAL;
        ENSURE((token || len == 0) && ret, -EINVAL);
        ENSURE(args_valid(bundles, n_bundles, audience, now, leeway_s), -EINVAL);
        /* Some 25 KiB between them: kept off the stack of callers that
         * may run on small ones. */
        c = malloc(sizeof(*c));
        s = calloc(1, sizeof(*s));
        ENSURE(c && s, -ENOMEM);

        GUARD(ae_jwt_compact_split(token, len, c, reason));
        GUARD(check_header(c, s, reason));
        payload = ae_jwt_json_object(c->payload, c->payload_len);
        if (!payload)
                return refuse(reason, AE_JWT_PAYLOAD_MALFORMED);
        GUARD(read_sub(payload, s, reason));
        GUARD(check_signature(c, bundles, n_bundles, s, reason));
        GUARD(check_aud(payload, audience, s, reason));
        GUARD(check_times(payload, now, leeway_s, s, reason));
        GUARD(check_claims(payload, s, reason));

        *ret = *s;
        *reason = AE_JWT_OK;
        return 0;
}
