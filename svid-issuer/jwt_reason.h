/* Why a JWT-SVID was refused, by its validator or by the minter: one stable
 * code per check, with a short static text for the log. Tests assert the
 * exact code. */
#pragma once

enum ae_jwt_reason {
        AE_JWT_OK = 0,
        AE_JWT_INTERNAL,           /* bad arguments, or an OpenSSL or allocation failure */
        /* the token as text */
        AE_JWT_TOKEN_TOO_LARGE,    /* the token, or one of its parts, over its limit */
        AE_JWT_MALFORMED,          /* not three base64url parts */
        /* the JOSE header */
        AE_JWT_HEADER_MALFORMED,   /* not a JSON object, duplicate or mistyped member */
        AE_JWT_HEADER_NOT_ALLOWED, /* a member other than alg, kid, typ */
        AE_JWT_TYP_INVALID,
        AE_JWT_ALG_NONE,
        AE_JWT_ALG_NOT_ALLOWED,    /* HS256 and friends, or anything unknown */
        AE_JWT_KID_MISSING,
        AE_JWT_KID_INVALID,        /* not a key ID any bundle can hold (jwt_jwks.h) */
        /* key and signature */
        AE_JWT_KID_UNKNOWN,
        AE_JWT_ALG_KEY_MISMATCH,   /* alg does not fit the key kid names */
        AE_JWT_SIGNATURE_INVALID,
        /* the claims */
        AE_JWT_PAYLOAD_MALFORMED,
        AE_JWT_CLAIM_TYPE,         /* a registered claim of the wrong JSON type or range */
        AE_JWT_SUB_MISSING,
        AE_JWT_SUB_INVALID,        /* sub is not a SPIFFE ID with a path */
        AE_JWT_SUB_FOREIGN_TRUST_DOMAIN,
        AE_JWT_AUD_MISSING,
        AE_JWT_AUD_INVALID,        /* too many values, or one empty or too long */
        AE_JWT_AUD_MISMATCH,
        AE_JWT_EXP_MISSING,
        AE_JWT_EXPIRED,
        AE_JWT_NOT_YET_VALID,      /* nbf ahead of the clock */
        AE_JWT_IAT_IN_FUTURE,
        AE_JWT_CLAIMS_INVALID,     /* Aegis attestation claims present but refused */
        AE_JWT_CLAIMS_SUB_MISMATCH, /* the claims' workload_id is not sub */
        /* minting only */
        AE_JWT_KEY_UNSUPPORTED,    /* no JWT-SVID alg for the signing key */
        AE_JWT_TTL_INVALID,
        AE_JWT_REASON_COUNT
};

/* Short, stable, log-friendly text ("token expired"). */
const char *ae_jwt_reason_str(enum ae_jwt_reason reason);
/* Stable identifier for machines ("expired"). */
const char *ae_jwt_reason_id(enum ae_jwt_reason reason);
