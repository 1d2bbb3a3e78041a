#include "control-plane/agent/workload_jwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "control-plane/agent/json_struct.h"
#include "control-plane/agent/packed.h"
#include "spiffe/workload.pb-c.h"
#include "svid-issuer/jwt_jwks.h"
#include "svid-issuer/jwt_svid.h"

/* Clock skew allowed when validating tokens for a workload. */
#define VALIDATE_LEEWAY_S 30

int ae_workload_jwt_svid_response(const struct ae_svid_source *src,
                                  const struct ae_reg_entry *entries, size_t n,
                                  const char *spiffe_id, const char *const *aud, size_t n_aud,
                                  time_t now, uint8_t **ret, size_t *ret_len)
{
        JWTSVIDResponse resp = JWTSVIDRESPONSE__INIT;
        JWTSVID *items = NULL, **ptrs = NULL;
        size_t got = 0;
        int r = 0;

        ENSURE(src && (entries || n == 0) && spiffe_id && (aud || n_aud == 0) && ret && ret_len,
               -EINVAL);
        ENSURE(n_aud > 0, -EINVAL);
        items = calloc(n ? n : 1, sizeof(*items));
        ptrs = calloc(n ? n : 1, sizeof(*ptrs));
        if (!items || !ptrs)
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < n; i++) {
                char *token = NULL;

                if (spiffe_id[0] && strcmp(entries[i].spiffe_id, spiffe_id) != 0)
                        continue;
                r = src->ops->jwt_svid(src->ctx, &entries[i], aud, n_aud, now, &token);
                if (r < 0)
                        break;
                jwtsvid__init(&items[got]);
                items[got].svid = token;
                items[got].spiffe_id = (char *)entries[i].spiffe_id;
                items[got].hint = (char *)entries[i].hint;
                ptrs[got] = &items[got];
                got++;
        }
        if (r == 0 && got == 0)
                r = -ENOENT;
        if (r == 0) {
                resp.n_svids = got;
                resp.svids = ptrs;
                r = ae_packed_message(&resp.base, ret, ret_len);
        }
        for (size_t i = 0; items && i < got; i++)
                free(items[i].svid);
        free(items);
        free(ptrs);
        return r;
}

int ae_workload_jwt_bundles_response(const struct ae_svid_source *src, uint8_t **ret,
                                     size_t *ret_len)
{
        JWTBundlesResponse resp = JWTBUNDLES_RESPONSE__INIT;
        JWTBundlesResponse__BundlesEntry entry = JWTBUNDLES_RESPONSE__BUNDLES_ENTRY__INIT;
        JWTBundlesResponse__BundlesEntry *entries[1] = { &entry };
        struct ae_jwt_bundle_material b = { 0 };
        char td_id[AE_TRUST_DOMAIN_MAX + sizeof("spiffe://")];
        int r;

        ENSURE(src && ret && ret_len, -EINVAL);
        GUARD(src->ops->jwt_bundle(src->ctx, &b));
        snprintf(td_id, sizeof(td_id), "spiffe://%s", b.trust_domain);
        entry.key = td_id;
        entry.value = (ProtobufCBinaryData){ b.jwks_len, (uint8_t *)b.jwks };
        resp.n_bundles = 1;
        resp.bundles = entries;
        r = ae_packed_message(&resp.base, ret, ret_len);
        ae_jwt_bundle_material_clear(&b);
        return r;
}

/* The validated token's payload as a Struct. */
static int payload_struct(const char *token, Google__Protobuf__Struct **ret)
{
        _cleanup_free_ char *header = NULL, *payload = NULL;
        json_t *j;
        int r;

        GUARD(ae_jwt_svid_decode_unverified(token, strlen(token), &header, &payload, NULL));
        j = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
        ENSURE(j, -EBADMSG);
        r = ae_json_to_struct(j, ret);
        json_decref(j);
        return r;
}

int ae_workload_validate_jwt_response(const struct ae_svid_source *src, const char *token,
                                      const char *audience, time_t now, uint8_t **ret,
                                      size_t *ret_len, enum ae_jwt_reason *ret_reason)
{
        ValidateJWTSVIDResponse resp = VALIDATE_JWTSVIDRESPONSE__INIT;
        _cleanup_(ae_jwks_freep) struct ae_jwks *jwks = NULL;
        struct ae_jwt_bundle_material b = { 0 };
        struct ae_jwt_svid svid;
        char id[AE_SPIFFE_ID_SIZE];
        enum ae_jwt_reason reason = AE_JWT_INTERNAL;
        int r;

        if (ret_reason)
                *ret_reason = AE_JWT_INTERNAL;
        ENSURE(src && token && audience && ret && ret_len, -EINVAL);
        GUARD(src->ops->jwt_bundle(src->ctx, &b));
        r = ae_jwks_parse(b.trust_domain, b.jwks, b.jwks_len, &jwks, NULL);
        ae_jwt_bundle_material_clear(&b);
        GUARD(r);
        r = ae_jwt_svid_validate(token, strlen(token), (const struct ae_jwks *const *)&jwks, 1,
                                 audience, now, VALIDATE_LEEWAY_S, &svid, &reason);
        if (ret_reason)
                *ret_reason = reason;
        if (r < 0)
                return reason == AE_JWT_INTERNAL ? r : -EBADMSG;
        GUARD(ae_spiffe_id_format(&svid.sub, id, sizeof(id), NULL));
        resp.spiffe_id = id;
        GUARD(payload_struct(token, &resp.claims));
        r = ae_packed_message(&resp.base, ret, ret_len);
        google__protobuf__struct__free_unpacked(resp.claims, NULL);
        return r;
}
