#include "svid-issuer/jwt_jwks.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common/ossl.h"
#include "common/spiffe_id.h"
#include "svid-issuer/jwt_jwk.h"

#define USE_JWT_SVID "jwt-svid"

struct ae_jwks {
        char trust_domain[AE_TRUST_DOMAIN_MAX + 1];
        size_t n;
        struct ae_jwks_key keys[AE_JWKS_KEYS_MAX];
};

bool ae_jwt_kid_valid(const char *kid, size_t len)
{
        if (!kid || len == 0 || len > AE_JWT_KID_MAX)
                return false;
        /* Printable, no space: a kid ends up in logs and lookups. */
        for (size_t i = 0; i < len; i++)
                if (kid[i] < 0x21 || kid[i] > 0x7e)
                        return false;
        return true;
}

static int add_jwk(json_t *keys, EVP_PKEY *key, const char *kid)
{
        json_auto_t *jwk = json_object();

        ENSURE_ALLOC(jwk);
        GUARD(ae_jwt_jwk_add_public(key, jwk));
        ENSURE(json_object_set_new(jwk, "kid", json_string(kid)) == 0, -ENOMEM);
        ENSURE(json_object_set_new(jwk, "use", json_string(USE_JWT_SVID)) == 0, -ENOMEM);
        ENSURE(json_array_append(keys, jwk) == 0, -ENOMEM);
        return 0;
}

int ae_jwks_from_keys(EVP_PKEY *const *keys, const char *const *kids, size_t n, char **ret_json)
{
        json_auto_t *doc = NULL;
        json_t *arr; /* owned by doc */
        char *text;

        ENSURE((keys && kids) || n == 0, -EINVAL);
        ENSURE(ret_json && n <= AE_JWKS_KEYS_MAX, -EINVAL);
        doc = json_object();
        ENSURE_ALLOC(doc);
        /* set_new takes arr even when it fails (a NULL arr included). */
        arr = json_array();
        ENSURE(json_object_set_new(doc, "keys", arr) == 0, -ENOMEM);
        for (size_t i = 0; i < n; i++) {
                ENSURE(keys[i] && kids[i], -EINVAL);
                ENSURE(ae_jwt_kid_valid(kids[i], strnlen(kids[i], AE_JWT_KID_MAX + 1)), -EINVAL);
                for (size_t j = 0; j < i; j++)
                        ENSURE(strcmp(kids[i], kids[j]) != 0, -EINVAL);
                GUARD(add_jwk(arr, keys[i], kids[i]));
        }
        text = json_dumps(doc, JSON_COMPACT);
        ENSURE_ALLOC(text);
        *ret_json = text;
        return 0;
}

void ae_jwks_free(struct ae_jwks *jwks)
{
        if (!jwks)
                return;
        for (size_t i = 0; i < jwks->n; i++)
                EVP_PKEY_free(jwks->keys[i].key);
        free(jwks);
}

static int why(const char **ret_why, const char *text, int err)
{
        if (ret_why)
                *ret_why = text;
        return err;
}

/* One element of "keys": added to s when it is a JWT-SVID key we know. */
static int read_key(struct ae_jwks *s, const json_t *jwk, const char **ret_why)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        const json_t *use, *kid, *alg;
        struct ae_jwks_key *k;
        int r;

        if (!json_is_object(jwk))
                return why(ret_why, "a keys element is not an object", -EBADMSG);
        use = json_object_get(jwk, "use");
        /* Bundle standard 4.2.2: a missing or other use means "not for us". */
        if (!json_is_string(use) || strcmp(json_string_value(use), USE_JWT_SVID) != 0)
                return 0;
        r = ae_jwt_jwk_to_public(jwk, &key);
        if (r == -EOPNOTSUPP)
                return 0; /* 4.2.1: unknown key types are skipped */
        if (r == -EBADMSG)
                return why(ret_why, "a jwt-svid key's material is invalid", r);
        GUARD(r);

        /* JWT-SVID standard 6.1: every JWT-SVID key has a kid. */
        kid = json_object_get(jwk, "kid");
        if (!json_is_string(kid) || !ae_jwt_kid_valid(json_string_value(kid),
                                                      json_string_length(kid)))
                return why(ret_why, "a jwt-svid key has no valid kid", -EBADMSG);
        if (ae_jwks_find(s, json_string_value(kid)))
                return why(ret_why, "two jwt-svid keys share a kid", -EBADMSG);

        k = &s->keys[s->n];
        memset(k, 0, sizeof(*k));
        alg = json_object_get(jwk, "alg");
        if (alg) {
                if (!json_is_string(alg) ||
                    ae_jwt_alg_from_name(json_string_value(alg), &k->alg) < 0 ||
                    !ae_jwt_alg_fits_key(k->alg, key))
                        return why(ret_why, "a jwt-svid key's alg is unknown or does not fit it",
                                   -EBADMSG);
                k->has_alg = true;
        }
        memcpy(k->kid, json_string_value(kid), json_string_length(kid) + 1);
        k->key = TAKE_PTR(key);
        s->n++;
        return 0;
}

int ae_jwks_parse(const char *trust_domain, const char *json, size_t len, struct ae_jwks **ret,
                  const char **ret_why)
{
        _cleanup_(ae_jwks_freep) struct ae_jwks *s = NULL;
        json_auto_t *doc = NULL;
        const json_t *keys;
        json_error_t jerr;

        ENSURE(json && ret, -EINVAL);
        if (!ae_spiffe_trust_domain_valid(trust_domain))
                return why(ret_why, "trust domain name invalid", -EINVAL);
        if (len > AE_JWKS_MAX)
                return why(ret_why, "JWK Set larger than 64 KiB", -E2BIG);
        /* Duplicate members would let two readers see two different sets. */
        doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc || !json_is_object(doc))
                return why(ret_why, "not one JSON object (syntax or duplicate key)", -EBADMSG);
        keys = json_object_get(doc, "keys");
        if (!json_is_array(keys))
                return why(ret_why, "\"keys\" missing or not an array", -EBADMSG);
        if (json_array_size(keys) > AE_JWKS_KEYS_MAX)
                return why(ret_why, "more than 64 keys", -E2BIG);

        s = calloc(1, sizeof(*s));
        ENSURE_ALLOC(s);
        strcpy(s->trust_domain, trust_domain); /* length checked above */
        for (size_t i = 0; i < json_array_size(keys); i++)
                GUARD(read_key(s, json_array_get(keys, i), ret_why));
        *ret = TAKE_PTR(s);
        return 0;
}

const char *ae_jwks_trust_domain(const struct ae_jwks *jwks)
{
        return jwks ? jwks->trust_domain : NULL;
}

size_t ae_jwks_count(const struct ae_jwks *jwks)
{
        return jwks ? jwks->n : 0;
}

const struct ae_jwks_key *ae_jwks_key_at(const struct ae_jwks *jwks, size_t i)
{
        return jwks && i < jwks->n ? &jwks->keys[i] : NULL;
}

const struct ae_jwks_key *ae_jwks_find(const struct ae_jwks *jwks, const char *kid)
{
        if (!jwks || !kid)
                return NULL;
        for (size_t i = 0; i < jwks->n; i++)
                if (strcmp(jwks->keys[i].kid, kid) == 0)
                        return &jwks->keys[i];
        return NULL;
}
