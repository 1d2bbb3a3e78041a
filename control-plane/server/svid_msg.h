/* An X.509-SVID as SPIRE's server API carries it (spire.api.types.X509SVID:
 * the chain in DER, leaf first, the SPIFFE ID in parts, the expiry), built
 * in storage the caller owns so a handler can send it and clear it. */
#pragma once

#include <openssl/x509.h>

#include "common/guard.h"
#include "common/spiffe_id.h"
#include "spire/api/types/x509svid.pb-c.h"

struct ae_ca;

/* Leaf plus CA signing cert and intermediates. */
#define AE_SVID_MSG_CHAIN_MAX 10

struct ae_svid_msg {
        Spire__Api__Types__X509SVID svid;
        Spire__Api__Types__SPIFFEID id;
        ProtobufCBinaryData chain[AE_SVID_MSG_CHAIN_MAX];
        struct ae_spiffe_id parts;
};

/* Fill m for leaf (issued by ca) naming spiffe_id. -E2BIG for a chain past
 * AE_SVID_MSG_CHAIN_MAX, -EINVAL for an unparsable ID, -ENOMEM. */
AE_MUST_USE int ae_svid_msg_fill(struct ae_svid_msg *m, X509 *leaf, const struct ae_ca *ca,
                                 const char *spiffe_id);
/* Frees the DER buffers. NULL-safe; the struct itself is the caller's. */
void ae_svid_msg_clear(struct ae_svid_msg *m);

/* The leaf's serial number as lowercase hex into buf (cap >= 65). */
AE_MUST_USE int ae_svid_serial_hex(X509 *leaf, char *buf, size_t cap);
/* The leaf's notAfter, s since the epoch. */
AE_MUST_USE int ae_svid_not_after(X509 *leaf, int64_t *ret);
