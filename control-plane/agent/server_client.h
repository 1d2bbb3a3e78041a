/* The agent's side of SPIRE's server API (DESIGN.md section 3), over TLS to
 * aegis-server (or anything speaking the same API):
 *
 *   ae_server_attest        AttestAgent: the aegis_tpm round trip through the
 *                           node's TPM; returns the agent's identity (an
 *                           agent SVID and the key made for it)
 *   ae_server_conn_*        with that identity (mTLS): RenewAgent,
 *                           GetAuthorizedEntries, BatchNewX509SVID,
 *                           NewJWTSVID, GetBundle
 *
 * The server is authenticated twice: its certificate must chain to the
 * trust bundle and carry the dialled name (gRPC's checks), and its SPIFFE ID
 * must be spiffe://<trust domain>/spire/server (checked here).
 *
 * Results: 0; -EREMOTEIO when the server answered with a status other than
 * OK (in *st, may be NULL); -EBADMSG for an answer that breaks the
 * protocol; other negative errno for local failures. Blocking; each call
 * has the configured deadline. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/cleanup.h"
#include "common/grpc_client.h"
#include "common/guard.h"
#include "common/spiffe_id.h"

struct ae_node_agent;
struct ae_server_conn;
struct ae_x509_svid_material;

struct ae_server_client_config {
        const char *address;      /* "host:port" */
        const char *server_name;  /* DNS name in the server's certificate; NULL: address's host */
        const char *trust_domain;
        const char *bundle_pem;   /* roots the server's certificate chains to */
        uint32_t timeout_ms;      /* per call; 0: 15000 */
};

/* The agent SVID and its private key, PEM. */
struct ae_agent_identity {
        char spiffe_id[AE_SPIFFE_ID_SIZE];
        char *cert_pem; /* leaf, then intermediates */
        char *key_pem;  /* PKCS#8; wiped when cleared */
        int64_t expires_at;
        int64_t issued_at; /* the leaf's notBefore */
};
void ae_agent_identity_clear(struct ae_agent_identity *id);

/* AttestAgent with the node's TPM. sensor / claim: the location sensor's
 * identity and the location claim (PoG), or NULL/0. With current (may be
 * NULL) the call is made over mTLS with that identity (re-attestation).
 * -EACCES when the server refused the node (its reason in st->message). */
AE_MUST_USE int ae_server_attest(const struct ae_server_client_config *cfg,
                                 const struct ae_agent_identity *current,
                                 struct ae_node_agent *tpm, const uint8_t *sensor,
                                 size_t sensor_len, const uint8_t *claim, size_t claim_len,
                                 struct ae_agent_identity *ret, struct ae_grpc_status *st);

/* A connection speaking as id (copied). */
AE_MUST_USE int ae_server_conn_new(const struct ae_server_client_config *cfg,
                                   const struct ae_agent_identity *id,
                                   struct ae_server_conn **ret);
void ae_server_conn_free(struct ae_server_conn *c);
AE_DEFINE_CLEANUP(struct ae_server_conn *, ae_server_conn_free)

/* RenewAgent: a new agent SVID for a fresh key. The connection keeps
 * speaking as the old one; open a new connection with the result. */
AE_MUST_USE int ae_server_conn_renew(struct ae_server_conn *c, struct ae_agent_identity *ret,
                                     struct ae_grpc_status *st);

/* GetAuthorizedEntries: *ret (free with protobuf_c_message_free_unpacked)
 * is a spire.api.server.entry.v1.GetAuthorizedEntriesResponse. */
struct ProtobufCMessage;
AE_MUST_USE int ae_server_conn_entries(struct ae_server_conn *c, struct ProtobufCMessage **ret,
                                       struct ae_grpc_status *st);

/* BatchNewX509SVID for n (1..AE_SERVER_BATCH_MAX) entries in one call,
 * each with the key the agent made for it. On 0 the call went through and
 * each entry has its own outcome: ret_r[i] 0 with its SVID in ret[i] (key
 * included, as the Workload API hands it out), or -EREMOTEIO for an entry
 * the server refused (the first refusal's status in st, whose code the
 * call itself left OK), or -EBADMSG for an SVID that would not decode.
 * Negative: the call failed as a whole (st says why), ret untouched. */
AE_MUST_USE int ae_server_conn_x509_svids(struct ae_server_conn *c, const char *const *entry_ids,
                                          EVP_PKEY *const *keys, size_t n,
                                          struct ae_x509_svid_material *ret, int *ret_r,
                                          struct ae_grpc_status *st);

/* The same for one entry: its SVID, or -EREMOTEIO with the refusal's
 * status in st. */
AE_MUST_USE int ae_server_conn_x509_svid(struct ae_server_conn *c, const char *entry_id,
                                         EVP_PKEY *key, struct ae_x509_svid_material *ret,
                                         struct ae_grpc_status *st);

/* A PKCS#10 request for key, as BatchNewX509SVID takes it: *ret is DER
 * (free with OPENSSL_free). */
AE_MUST_USE int ae_server_make_csr(EVP_PKEY *key, uint8_t **ret, size_t *ret_len);

/* One SVID of a batch: the entry and a request made with ae_server_make_csr. */
struct ae_server_csr {
        const char *entry_id;
        const uint8_t *csr;
        size_t csr_len;
};

/* At most this many SVIDs per BatchNewX509SVID (aegis-server's limit). */
#define AE_SERVER_BATCH_MAX 256u

/* BatchNewX509SVID for n (1..AE_SERVER_BATCH_MAX) entries in one call, the
 * requests made beforehand. On 0, *ret (free with
 * protobuf_c_message_free_unpacked) is a spire.api.server.svid.v1.
 * BatchNewX509SVIDResponse holding exactly n results, each with its
 * status; the caller checks each one (a refused entry is a result, not an
 * error of the call). */
AE_MUST_USE int ae_server_conn_x509_batch(struct ae_server_conn *c,
                                          const struct ae_server_csr *params, size_t n,
                                          struct ProtobufCMessage **ret,
                                          struct ae_grpc_status *st);

/* NewJWTSVID: *ret_token malloc'd, *ret_expires_at its expiry. */
AE_MUST_USE int ae_server_conn_jwt_svid(struct ae_server_conn *c, const char *entry_id,
                                        const char *const *aud, size_t n_aud, char **ret_token,
                                        int64_t *ret_expires_at, struct ae_grpc_status *st);

/* GetBundle: *ret is a spire.api.types.Bundle (free as above). */
AE_MUST_USE int ae_server_conn_bundle(struct ae_server_conn *c, struct ProtobufCMessage **ret,
                                      struct ae_grpc_status *st);
