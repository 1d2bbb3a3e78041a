/* The X.509 half of a SPIFFE bundle (SPIFFE Trust Domain and Bundle
 * standard, section 4): JWK Set elements with "use":"x509-svid", each
 * carrying one authority certificate in "x5c" whose key is the JWK's. */
#include "svid-issuer/rp_bundle.h"

#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "common/base64.h"
#include "common/ossl.h"
#include "svid-issuer/jwt_jwk.h"

#define USE_X509_SVID "x509-svid"
/* Largest DER certificate read from an x5c entry. */
#define X5C_DER_MAX (16 * 1024)
#define KEYS_MAX 256

static int why(const char **ret_why, const char *text, int err)
{
        if (ret_why)
                *ret_why = text;
        return err;
}

/* One x509-svid element into certs; 0 also for an element skipped because
 * the standard says to (unknown key type). */
static int read_authority(const json_t *jwk, STACK_OF(X509) *certs, const char **ret_why)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_free_ uint8_t *der = NULL;
        const json_t *x5c, *b64;
        const unsigned char *p;
        size_t der_len = 0;
        int r;

        x5c = json_object_get(jwk, "x5c");
        if (!json_is_array(x5c) || json_array_size(x5c) != 1)
                return why(ret_why, "x509-svid element needs exactly one x5c entry", -EBADMSG);
        b64 = json_array_get(x5c, 0);
        if (!json_is_string(b64) || json_string_length(b64) == 0 ||
            json_string_length(b64) > AE_B64_ENCODED_SIZE(X5C_DER_MAX))
                return why(ret_why, "x5c entry is not a string of a sane size", -EBADMSG);
        der = malloc(AE_B64_DECODED_MAX(json_string_length(b64)));
        ENSURE(der, why(ret_why, "out of memory", -ENOMEM));
        /* RFC 7517 4.7: standard base64 (with padding), not base64url. */
        if (ae_b64_decode(AE_B64_STD, json_string_value(b64), json_string_length(b64), der,
                          AE_B64_DECODED_MAX(json_string_length(b64)), &der_len) < 0)
                return why(ret_why, "x5c entry is not base64", -EBADMSG);
        p = der;
        x = d2i_X509(NULL, &p, (long)der_len);
        if (!x || p != der + der_len) {
                ERR_clear_error();
                return why(ret_why, "x5c certificate DER malformed", -EBADMSG);
        }

        r = ae_jwt_jwk_to_public(jwk, &key);
        if (r == -EOPNOTSUPP)
                return 0; /* a key type this reader does not know: skip */
        if (r < 0)
                return why(ret_why, "x509-svid element's key material malformed", -EBADMSG);
        if (EVP_PKEY_eq(key, X509_get0_pubkey(x)) != 1) {
                ERR_clear_error();
                return why(ret_why, "x509-svid element's key differs from its certificate's",
                           -EBADMSG);
        }
        ENSURE(sk_X509_push(certs, x), why(ret_why, "out of memory", -ENOMEM));
        x = NULL; /* owned by certs */
        return 0;
}

int ae_rp_bundle_add_spiffe_json(struct ae_rp_bundle *b, const char *td, const char *json,
                                 size_t len, const char **ret_why)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *certs = NULL;
        json_auto_t *doc = NULL;
        const json_t *keys;
        json_error_t jerr;

        ENSURE(b && td && (json || len == 0), why(ret_why, "no bundle, trust domain or text", -EINVAL));
        ENSURE(len <= AE_RP_BUNDLE_FILE_MAX, why(ret_why, "bundle JSON over the size limit", -E2BIG));
        doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc || !json_is_object(doc))
                return why(ret_why, "bundle is not one JSON object", -EBADMSG);
        keys = json_object_get(doc, "keys");
        if (!json_is_array(keys))
                return why(ret_why, "bundle lacks a \"keys\" array", -EBADMSG);
        if (json_array_size(keys) > KEYS_MAX)
                return why(ret_why, "bundle has too many keys", -E2BIG);
        certs = sk_X509_new_null();
        ENSURE(certs, why(ret_why, "out of memory", -ENOMEM));
        for (size_t i = 0; i < json_array_size(keys); i++) {
                const json_t *jwk = json_array_get(keys, i), *use;

                if (!json_is_object(jwk))
                        return why(ret_why, "bundle key is not an object", -EBADMSG);
                use = json_object_get(jwk, "use");
                if (!json_is_string(use) || json_string_length(use) != strlen(USE_X509_SVID) ||
                    strcmp(json_string_value(use), USE_X509_SVID) != 0)
                        continue; /* JWT-SVID keys and unknown uses are not ours */
                GUARD(read_authority(jwk, certs, ret_why));
        }
        if (sk_X509_num(certs) == 0)
                return why(ret_why, "bundle has no x509-svid authority", -EBADMSG);
        return ae_rp_bundle_add_roots(b, td, certs, ret_why);
}
