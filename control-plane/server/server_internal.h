/* Internal to control-plane/server/: the state every API handler shares. */
#pragma once

#include <stdint.h>
#include <time.h>

#include <grpc/status.h>

#include "common/spiffe_id.h"
#include "control-plane/server/datastore.h"
#include "control-plane/server/server.h"
#include "svid-issuer/jwt_jwk.h"

struct ae_ca;
struct ae_caller_memo;
struct ae_grpc_call;
struct ae_grpc_server;
struct ae_node_verifier;
struct ae_policy;
struct ae_workq;
struct ProtobufCMessage;

struct ae_server {
        struct ae_server_config cfg;
        struct ae_policy *policy;
        struct ae_node_verifier *verifier;
        struct ae_ca *ca;
        struct ae_ds *ds;
        struct ae_caller_memo *callers; /* agents' certificates, parsed */
        struct ae_workq *work;
        struct ae_grpc_server *agents; /* TLS */
        struct ae_grpc_server *admin;  /* Unix socket, NULL without one */
        char server_id[AE_SPIFFE_ID_SIZE]; /* spiffe://<td>/spire/server */
        char jwt_kid[AE_JWT_KID_SIZE];
        char *tls_cert_pem, *tls_key_pem, *bundle_pem;
        /* Every root of the CA's bundle, DER, for GetBundle. */
        size_t n_roots;
        uint8_t *roots_der[16];
        size_t roots_len[16];
        uint64_t bundle_sequence; /* the datastore's, bumped at each start */
        uint8_t *jwt_key_der; /* the CA key's SubjectPublicKeyInfo */
        size_t jwt_key_len;
        bool started;
};

/* The agent calls and the operator calls, registered on their servers. */
AE_MUST_USE int ae_server_add_agent_api(struct ae_server *s, struct ae_grpc_server *g);
AE_MUST_USE int ae_server_add_admin_api(struct ae_server *s, struct ae_grpc_server *g);

/* Run fn(arg) on a worker; on a full queue the call is answered
 * RESOURCE_EXHAUSTED and fn is not run (the caller frees arg then: -EAGAIN). */
AE_MUST_USE int ae_server_defer(struct ae_server *s, struct ae_grpc_call *call,
                                void (*fn)(void *arg), void *arg);

/* A unary call served on a worker: fn gets the call (referenced until fn
 * returns) and its request (a copy, freed after fn). fn must finish the
 * call. On a full queue or no memory the call is answered here. */
typedef void (*ae_server_unary_fn)(struct ae_server *s, struct ae_grpc_call *call,
                                   const struct ProtobufCMessage *req);
void ae_server_unary(struct ae_grpc_call *call, const struct ProtobufCMessage *req,
                     struct ae_server *s, ae_server_unary_fn fn);

/* The methods of each service, registered on g. */
AE_MUST_USE int ae_server_add_agent_service(struct ae_server *s, struct ae_grpc_server *g);
AE_MUST_USE int ae_server_add_entry_agent_service(struct ae_server *s, struct ae_grpc_server *g);
AE_MUST_USE int ae_server_add_svid_service(struct ae_server *s, struct ae_grpc_server *g);
AE_MUST_USE int ae_server_add_bundle_service(struct ae_server *s, struct ae_grpc_server *g);
AE_MUST_USE int ae_server_add_entry_admin_service(struct ae_server *s, struct ae_grpc_server *g);
AE_MUST_USE int ae_server_add_agent_admin_service(struct ae_server *s, struct ae_grpc_server *g);

/* Whether the admin socket's caller (SO_PEERCRED) is root or the server's
 * own user; if not, the call is finished PERMISSION_DENIED here. For every
 * admin call's on_start. */
bool ae_server_operator_allowed(struct ae_grpc_call *call);

/* The calling agent's node (TLS client certificate -> agent SPIFFE ID ->
 * datastore), refused with the reason when it may not have SVIDs now:
 * unknown, banned, a superseded SVID, or an attestation that failed or is
 * older than reattestation_max_age_s. On refusal the call is finished
 * (PERMISSION_DENIED, or UNAVAILABLE for a datastore failure), the refusal
 * is audited and logged, and a negative errno returned. */
AE_MUST_USE int ae_server_caller_node(struct ae_server *s, struct ae_grpc_call *call,
                                      time_t now, struct ae_ds_node *ret);

/* Mint an agent SVID for node_id for the key of a CSR and record its
 * serial in the datastore (from then on only it speaks for the node).
 * *ret is filled for sending (clear with ae_svid_msg_clear). On failure
 * -errno and *ret_why, a text for the caller. */
struct ae_svid_msg;
AE_MUST_USE int ae_server_mint_agent_svid(struct ae_server *s, const char *node_id,
                                          const uint8_t *csr, size_t csr_len, time_t now,
                                          struct ae_svid_msg *ret, const char **ret_why);

/* Finish a call with a status, logging failures to send (a client gone). */
void ae_server_finish(struct ae_grpc_call *call, grpc_status_code code, const char *msg);
