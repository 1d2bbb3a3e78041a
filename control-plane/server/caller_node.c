/* Who is calling: the agent behind a TLS client certificate, and whether
 * its node may have SVIDs now (server_internal.h). gRPC has verified the
 * certificate's chain to the bundle in the handshake; this decides what it
 * names and whether that node is in good standing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "common/grpc_call.h"
#include "common/log.h"
#include "common/ossl.h"
#include "control-plane/server/caller_memo.h"
#include "control-plane/server/server_internal.h"
#include "control-plane/server/svid_msg.h"
#include "node-attestor/verify/node_verifier.h"
#include "svid-issuer/rp_leaf.h"
#include "svid-issuer/rp_pem.h"

#define AGENT_PATH_PREFIX "/spire/agent/" AE_NODE_ATTESTOR_TYPE "/"

/* Refuse: audit (when the node is known), log, and finish the call. */
static int refuse(struct ae_server *s, struct ae_grpc_call *call, const char *agent_id,
                  grpc_status_code code, const char *reason, const char *text, time_t now)
{
        struct ae_ds_audit a = { .time = now, .kind = AE_DS_AUDIT_SVID_REFUSED };

        if (agent_id && agent_id[0]) {
                snprintf(a.agent_id, sizeof(a.agent_id), "%s", agent_id);
                snprintf(a.reason, sizeof(a.reason), "%s", reason);
                snprintf(a.detail, sizeof(a.detail), "%s: %s", ae_grpc_call_method(call), text);
                if (ae_ds_audit_append(s->ds, &a, NULL) < 0)
                        ae_log(AE_LOG_ERROR, "audit log: %s", ae_ds_errmsg());
        }
        ae_log_fields(AE_LOG_WARNING,
                      AE_LOG_KV({ "agent", agent_id }, { "reason", reason },
                                { "method", ae_grpc_call_method(call) }),
                      "agent refused: %s", text);
        ae_server_finish(call, code, text);
        return -EACCES;
}

/* The agent SPIFFE ID and serial the certificate pem names. */
static int parse_caller_cert(const char *pem, char *id_buf, size_t id_cap, char *serial,
                             size_t serial_cap, const char **why)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *certs = NULL;
        struct ae_spiffe_id id;
        enum ae_rp_reason rp;

        *why = "client certificate unreadable";
        if (ae_rp_pem_certs(pem, strlen(pem), &certs, why) < 0 || sk_X509_num(certs) < 1)
                return -EBADMSG;
        *why = "client certificate is not an X509-SVID";
        if (ae_rp_leaf_check(sk_X509_value(certs, 0), &id, &rp, NULL) < 0)
                return -EBADMSG;
        *why = "client certificate is not an agent SVID";
        if (strncmp(id.path, AGENT_PATH_PREFIX, strlen(AGENT_PATH_PREFIX)) != 0)
                return -EACCES;
        GUARD(ae_spiffe_id_format(&id, id_buf, id_cap, NULL));
        return ae_svid_serial_hex(sk_X509_value(certs, 0), serial, serial_cap);
}

/* The agent SPIFFE ID and serial of the caller's certificate, parsed once
 * per certificate (caller_memo.h). */
static int caller_cert(struct ae_server *s, struct ae_grpc_call *call, char *id, size_t id_cap,
                       char *serial, size_t serial_cap, const char **why)
{
        const char *pem;

        *why = "no client certificate: attest first (AttestAgent)";
        if (ae_grpc_call_peer_cert(call, &pem) < 0)
                return -ENOENT;
        if (ae_caller_memo_get(s->callers, pem, id, id_cap, serial, serial_cap))
                return 0;
        GUARD(parse_caller_cert(pem, id, id_cap, serial, serial_cap, why));
        ae_caller_memo_put(s->callers, pem, id, serial);
        return 0;
}

int ae_server_caller_node(struct ae_server *s, struct ae_grpc_call *call, time_t now,
                          struct ae_ds_node *ret)
{
        char id[AE_SPIFFE_ID_SIZE] = "", serial[AE_DS_SVID_SERIAL_MAX + 1], text[160];
        const char *why;
        int r;

        if (caller_cert(s, call, id, sizeof(id), serial, sizeof(serial), &why) < 0)
                return refuse(s, call, NULL, GRPC_STATUS_PERMISSION_DENIED, "agent_unauthenticated",
                              why, now);
        r = ae_ds_node_get(s->ds, id, ret);
        if (r == -ENOENT)
                return refuse(s, call, id, GRPC_STATUS_PERMISSION_DENIED, "agent_not_attested",
                              "agent not attested", now);
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "datastore: node %s: %s", id, ae_ds_errmsg());
                ae_server_finish(call, GRPC_STATUS_UNAVAILABLE, "datastore unavailable");
                return r;
        }
        if (ret->banned)
                return refuse(s, call, id, GRPC_STATUS_PERMISSION_DENIED, "agent_banned",
                              "agent banned", now);
        /* Only the SVID issued last: an older one (copied before a
         * re-attestation, say) no longer speaks for the node. */
        if (strcmp(serial, ret->svid_serial) != 0)
                return refuse(s, call, id, GRPC_STATUS_PERMISSION_DENIED, "agent_svid_superseded",
                              "agent SVID superseded: use the latest one", now);
        if (!ret->last_accepted) {
                snprintf(text, sizeof(text), "node's latest attestation failed (%s)",
                         ret->last_reason);
                return refuse(s, call, id, GRPC_STATUS_PERMISSION_DENIED,
                              "node_attestation_failed", text, now);
        }
        if (now - ret->attested_at > s->cfg.reattestation_max_age_s) {
                snprintf(text, sizeof(text), "node's attestation is %llds old (limit %llds)",
                         (long long)(now - ret->attested_at),
                         (long long)s->cfg.reattestation_max_age_s);
                return refuse(s, call, id, GRPC_STATUS_PERMISSION_DENIED,
                              "node_attestation_stale", text, now);
        }
        return 0;
}
