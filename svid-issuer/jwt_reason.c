#include "svid-issuer/jwt_reason.h"

static const struct {
        const char *id, *text;
} reasons[AE_JWT_REASON_COUNT] = {
        [AE_JWT_OK] = { "ok", "ok" },
        [AE_JWT_INTERNAL] = { "internal", "internal error (bad arguments, OpenSSL or memory)" },
        [AE_JWT_TOKEN_TOO_LARGE] = { "token_too_large", "token or one of its parts over its size limit" },
        [AE_JWT_MALFORMED] = { "malformed", "token is not three base64url parts (JWS compact serialization)" },
        [AE_JWT_HEADER_MALFORMED] = { "header_malformed", "JOSE header is not a JSON object of the expected types" },
        [AE_JWT_HEADER_NOT_ALLOWED] = { "header_not_allowed", "JOSE header carries a member JWT-SVID forbids (only alg, kid, typ)" },
        [AE_JWT_TYP_INVALID] = { "typ_invalid", "typ header is neither JWT nor JOSE" },
        [AE_JWT_ALG_NONE] = { "alg_none", "unsigned token (alg none)" },
        [AE_JWT_ALG_NOT_ALLOWED] = { "alg_not_allowed", "alg not allowed for JWT-SVIDs (only RS/PS/ES 256/384/512)" },
        [AE_JWT_KID_MISSING] = { "kid_missing", "kid header missing: no bundle key can be chosen" },
        [AE_JWT_KID_INVALID] = { "kid_invalid", "kid is not 1..128 printable characters without space" },
        [AE_JWT_KID_UNKNOWN] = { "kid_unknown", "no JWT-SVID key with this kid in the trust bundle" },
        [AE_JWT_ALG_KEY_MISMATCH] = { "alg_key_mismatch", "alg does not fit the bundle key's type, curve or alg" },
        [AE_JWT_SIGNATURE_INVALID] = { "signature_invalid", "signature invalid" },
        [AE_JWT_PAYLOAD_MALFORMED] = { "payload_malformed", "payload is not a JSON object" },
        [AE_JWT_CLAIM_TYPE] = { "claim_type", "registered claim of the wrong type or out of range" },
        [AE_JWT_SUB_MISSING] = { "sub_missing", "sub claim missing" },
        [AE_JWT_SUB_INVALID] = { "sub_invalid", "sub claim is not a SPIFFE ID with a path" },
        [AE_JWT_SUB_FOREIGN_TRUST_DOMAIN] = { "sub_foreign_trust_domain", "sub is in another trust domain than the bundle's" },
        [AE_JWT_AUD_MISSING] = { "aud_missing", "aud claim missing or empty" },
        [AE_JWT_AUD_INVALID] = { "aud_invalid", "aud has too many values, or one empty or too long" },
        [AE_JWT_AUD_MISMATCH] = { "aud_mismatch", "audience not among the token's aud values" },
        [AE_JWT_EXP_MISSING] = { "exp_missing", "exp claim missing" },
        [AE_JWT_EXPIRED] = { "expired", "token expired" },
        [AE_JWT_NOT_YET_VALID] = { "not_yet_valid", "token not valid yet (nbf ahead of the clock)" },
        [AE_JWT_IAT_IN_FUTURE] = { "iat_in_future", "token issued in the future (iat ahead of the clock)" },
        [AE_JWT_CLAIMS_INVALID] = { "claims_invalid", "attestation claims present but invalid" },
        [AE_JWT_CLAIMS_SUB_MISMATCH] = { "claims_sub_mismatch", "attestation claims name another workload than sub" },
        [AE_JWT_KEY_UNSUPPORTED] = { "key_unsupported", "signing key fits no JWT-SVID alg (P-256/384/521, RSA 2048..8192)" },
        [AE_JWT_TTL_INVALID] = { "ttl_invalid", "lifetime outside 1 s .. 24 h" },
};

const char *ae_jwt_reason_str(enum ae_jwt_reason reason)
{
        if ((unsigned)reason >= AE_JWT_REASON_COUNT || !reasons[reason].text)
                return "unknown reason";
        return reasons[reason].text;
}

const char *ae_jwt_reason_id(enum ae_jwt_reason reason)
{
        if ((unsigned)reason >= AE_JWT_REASON_COUNT || !reasons[reason].id)
                return "unknown";
        return reasons[reason].id;
}
