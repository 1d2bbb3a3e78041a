/* Reading a JWT-SVID WITHOUT verifying it, for display (jwt_svid.h). Kept
 * apart from the validator so nothing that authorises can call it by
 * accident and no reader mistakes it for validation. */
#include "svid-issuer/jwt_svid.h"

#include <stdlib.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "svid-issuer/jwt_compact.h"

/* Compact and ASCII-only: a token's strings may hold terminal controls or
 * odd Unicode, none of which may reach a screen raw. */
#define DUMP_FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII)

int ae_jwt_svid_decode_unverified(const char *token, size_t len, char **ret_header,
                                  char **ret_payload, enum ae_jwt_reason *reason)
{
        _cleanup_free_ struct ae_jwt_compact *c = NULL;
        _cleanup_free_ char *header_text = NULL, *payload_text = NULL;
        json_auto_t *header = NULL, *payload = NULL;
        enum ae_jwt_reason dummy;

        if (!reason)
                reason = &dummy;
        *reason = AE_JWT_INTERNAL;
        ENSURE((token || len == 0) && ret_header && ret_payload, -EINVAL);
        c = malloc(sizeof(*c));
        ENSURE_ALLOC(c);
        GUARD(ae_jwt_compact_split(token, len, c, reason));
        header = ae_jwt_json_object(c->header, c->header_len);
        if (!header) {
                *reason = AE_JWT_HEADER_MALFORMED;
                return -EBADMSG;
        }
        payload = ae_jwt_json_object(c->payload, c->payload_len);
        if (!payload) {
                *reason = AE_JWT_PAYLOAD_MALFORMED;
                return -EBADMSG;
        }
        header_text = json_dumps(header, DUMP_FLAGS);
        payload_text = json_dumps(payload, DUMP_FLAGS);
        ENSURE(header_text && payload_text, -ENOMEM);
        *ret_header = TAKE_PTR(header_text);
        *ret_payload = TAKE_PTR(payload_text);
        *reason = AE_JWT_OK;
        return 0;
}
