/* spire.api.server.bundle.v1.Bundle/GetBundle: the trust domain's X.509
 * roots and JWT signing keys, for agents (over mTLS) and operators (the
 * admin socket). Public material only, kept in memory since start. */
#include <errno.h>
#include <stdlib.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"
#include "control-plane/server/server_internal.h"
#include "spire/api/server/bundle/v1/bundle.pb-c.h"
#include "svid-issuer/ca.h"

#define BUNDLE_SERVICE "/spire.api.server.bundle.v1.Bundle/"

static void bundle_start(struct ae_grpc_call *call, const ProtobufCMessage *req, void *ud)
{
        struct ae_server *s = ud;
        Spire__Api__Types__Bundle b = SPIRE__API__TYPES__BUNDLE__INIT;
        Spire__Api__Types__X509Certificate roots[16], *root_ptrs[16];
        Spire__Api__Types__JWTKey key = SPIRE__API__TYPES__JWTKEY__INIT, *key_ptr = &key;
        int r;

        (void)req; /* the output mask: every field is always sent */
        for (size_t i = 0; i < s->n_roots; i++) {
                spire__api__types__x509_certificate__init(&roots[i]);
                roots[i].asn1 = (ProtobufCBinaryData){ s->roots_len[i], s->roots_der[i] };
                root_ptrs[i] = &roots[i];
        }
        key.public_key = (ProtobufCBinaryData){ s->jwt_key_len, s->jwt_key_der };
        key.key_id = s->jwt_kid;
        key.expires_at = (int64_t)ae_ca_not_after(s->ca);
        b.trust_domain = (char *)ae_ca_trust_domain(s->ca);
        b.n_x509_authorities = s->n_roots;
        b.x509_authorities = root_ptrs;
        b.n_jwt_authorities = 1;
        b.jwt_authorities = &key_ptr;
        /* Agents look again this often (seconds): roots rotate with overlap. */
        b.refresh_hint = 300;
        b.sequence_number = s->bundle_sequence;
        r = ae_grpc_call_reply(call, &b.base);
        if (r < 0 && r != -EPIPE)
                ae_server_finish(call, GRPC_STATUS_INTERNAL, "bundle not sent");
}

int ae_server_add_bundle_service(struct ae_server *s, struct ae_grpc_server *g)
{
        const struct ae_grpc_method m = {
                .path = BUNDLE_SERVICE "GetBundle",
                .kind = AE_GRPC_UNARY,
                .request = &spire__api__server__bundle__v1__get_bundle_request__descriptor,
                .on_start = bundle_start,
                .userdata = s,
        };

        return ae_grpc_server_add_method(g, &m);
}
