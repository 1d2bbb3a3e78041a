/* A relying party's own X.509-SVID from the SPIFFE Workload API: what a
 * service needs to speak SPIFFE mTLS (rp_ssl.h) without files on disk. The
 * agent attests the calling process and answers with its SVIDs; the first
 * is the default, and it is the one taken here.
 *
 * The socket is the agent's (aegis-agent's socket_path), or, when the
 * caller names none, the one SPIFFE_ENDPOINT_SOCKET gives ("unix:///path"
 * or "unix:/path", as go-spiffe and py-spiffe read it).
 *
 * Everything in a response is checked before it is used: the SPIFFE ID,
 * every DER certificate of the chain and of the bundles, the key (PKCS#8)
 * against the leaf. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "common/grpc_client.h"
#include "common/guard.h"
#include "common/spiffe_id.h"

struct ae_rp_bundle;
struct X509SVIDResponse;

#define AE_RP_WORKLOAD_CHAIN_MAX 16 /* certificates in one SVID chain or bundle */

struct ae_rp_workload_svid {
        char spiffe_id[AE_SPIFFE_ID_SIZE];
        X509 *leaf;
        STACK_OF(X509) *intermediates; /* may be empty */
        EVP_PKEY *key;
        /* The SVID's trust domain's roots, and the federated ones. */
        struct ae_rp_bundle *bundle;
};

/* Frees what s holds and zeroes it; NULL-safe, idempotent. */
void ae_rp_workload_svid_clear(struct ae_rp_workload_svid *s);

/* The default SVID of a FetchX509SVID response. -EBADMSG for anything
 * malformed (no SVID, an invalid SPIFFE ID, a chain or bundle that is not
 * DER certificates, a key that is not the leaf's), -E2BIG past
 * AE_RP_WORKLOAD_CHAIN_MAX, -ENOMEM. *ret_why (may be NULL) gets a short
 * static text on failure. *ret is untouched on failure. */
AE_MUST_USE int ae_rp_workload_svid_decode(const struct X509SVIDResponse *m,
                                           struct ae_rp_workload_svid *ret,
                                           const char **ret_why);

/* One FetchX509SVID on socket_path (NULL: SPIFFE_ENDPOINT_SOCKET), the
 * first response decoded, within timeout_ms. -EACCES when the agent says
 * PERMISSION_DENIED (this process has no identity), -EAGAIN for
 * UNAVAILABLE (the agent cannot serve yet, or is not there), -EREMOTEIO for
 * other statuses, with the status in *ret_status (may be NULL); -EINVAL
 * without a socket; the decoder's errors. */
AE_MUST_USE int ae_rp_workload_fetch(const char *socket_path, uint32_t timeout_ms,
                                     struct ae_rp_workload_svid *ret,
                                     struct ae_grpc_status *ret_status, const char **ret_why);
