/* JWS Compact Serialization (RFC 7515 section 7.1) for JWT-SVIDs: three
 * base64url parts joined by '.', split and decoded strictly into caller
 * memory of fixed size, and the JSON of the first two parts read without
 * duplicate members. Shared by the validator and the unverified reader;
 * what the parts mean is jwt_svid_validate.c's business. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"
#include "svid-issuer/jwt_alg.h"
#include "svid-issuer/jwt_reason.h"
#include "svid-issuer/jwt_svid.h"

struct json_t;

struct ae_jwt_compact {
        /* The JWS Signing Input: the token's first two parts and the dot
         * between them, as received. */
        const char *signing_input;
        size_t signing_input_len;
        char header[AE_JWT_HEADER_MAX];
        size_t header_len;
        char payload[AE_JWT_PAYLOAD_MAX];
        size_t payload_len;
        uint8_t sig[AE_JWT_SIG_MAX];
        size_t sig_len; /* 0 for an empty third part (alg "none" tokens) */
};

/* Split token[0..len) and decode its parts into *ret (which points into
 * token afterwards). -EMSGSIZE with AE_JWT_TOKEN_TOO_LARGE for a token over
 * AE_JWT_TOKEN_MAX or a part over its buffer; -EBADMSG with
 * AE_JWT_MALFORMED for anything but three strict base64url parts, the first
 * two non-empty. *reason is always written. */
AE_MUST_USE int ae_jwt_compact_split(const char *token, size_t len, struct ae_jwt_compact *ret,
                                     enum ae_jwt_reason *reason);

/* Parse text[0..len) as one JSON object, refusing duplicate members.
 * NULL for anything else. The caller json_decref()s the result. */
struct json_t *ae_jwt_json_object(const char *text, size_t len);

/* base64url of in[0..n) appended to out at *pos (cap bytes in all, NUL
 * kept after the text). -EMSGSIZE when it does not fit. */
AE_MUST_USE int ae_jwt_b64_append(const void *in, size_t n, char *out, size_t cap, size_t *pos);
