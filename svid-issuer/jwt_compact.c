#include "svid-issuer/jwt_compact.h"

#include <string.h>

#include <jansson.h>

#include "common/base64.h"

static int refuse(enum ae_jwt_reason *reason, enum ae_jwt_reason r, int err)
{
        *reason = r;
        return err;
}

/* One part: strict base64url into out[cap]. A part that cannot fit is too
 * large, whatever else is wrong with it. */
static int decode_part(const char *text, size_t len, void *out, size_t cap, size_t *ret_len,
                       enum ae_jwt_reason *reason)
{
        int r = ae_b64_decode(AE_B64_URL, text, len, out, cap, ret_len);
        if (r == -ENOBUFS)
                return refuse(reason, AE_JWT_TOKEN_TOO_LARGE, -EMSGSIZE);
        if (r < 0)
                return refuse(reason, AE_JWT_MALFORMED, -EBADMSG);
        return 0;
}

int ae_jwt_compact_split(const char *token, size_t len, struct ae_jwt_compact *ret,
                         enum ae_jwt_reason *reason)
{
        const char *dot1, *dot2, *sig;
        size_t h_len, p_len, s_len;

        *reason = AE_JWT_INTERNAL;
        ENSURE((token || len == 0) && ret, -EINVAL);
        if (len > AE_JWT_TOKEN_MAX)
                return refuse(reason, AE_JWT_TOKEN_TOO_LARGE, -EMSGSIZE);
        dot1 = len ? memchr(token, '.', len) : NULL;
        if (!dot1)
                return refuse(reason, AE_JWT_MALFORMED, -EBADMSG);
        dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
        if (!dot2)
                return refuse(reason, AE_JWT_MALFORMED, -EBADMSG);
        sig = dot2 + 1;
        h_len = (size_t)(dot1 - token);
        p_len = (size_t)(dot2 - dot1 - 1);
        s_len = len - (size_t)(sig - token);
        /* A fourth part (JWE has five) or an empty header or payload is not
         * a JWS; the base64url alphabet has no '.', so the decoder below
         * would refuse a third dot too, but say so plainly. */
        if (h_len == 0 || p_len == 0 || memchr(sig, '.', s_len))
                return refuse(reason, AE_JWT_MALFORMED, -EBADMSG);
        GUARD(decode_part(token, h_len, ret->header, sizeof(ret->header), &ret->header_len,
                          reason));
        GUARD(decode_part(dot1 + 1, p_len, ret->payload, sizeof(ret->payload),
                          &ret->payload_len, reason));
        GUARD(decode_part(sig, s_len, ret->sig, sizeof(ret->sig), &ret->sig_len, reason));
        ret->signing_input = token;
        ret->signing_input_len = (size_t)(dot2 - token);
        *reason = AE_JWT_OK;
        return 0;
}

json_t *ae_jwt_json_object(const char *text, size_t len)
{
        /* Duplicate members would let two readers see two different
         * tokens (RFC 7515 4: "MUST reject ... or use a JSON parser that
         * returns only the lexically last": we reject). */
        json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);

        if (j && !json_is_object(j)) {
                json_decref(j);
                return NULL;
        }
        return j;
}

int ae_jwt_b64_append(const void *in, size_t n, char *out, size_t cap, size_t *pos)
{
        size_t added;

        ENSURE(out && pos && *pos < cap, -EINVAL);
        if (ae_b64_encode(AE_B64_URL, in, n, out + *pos, cap - *pos, &added) < 0)
                return -EMSGSIZE;
        *pos += added;
        return 0;
}
