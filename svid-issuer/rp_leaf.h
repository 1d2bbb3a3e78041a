/* A certificate as an X509-SVID leaf (X509-SVID standard): its one SPIFFE
 * ID, and the constraints that make it a leaf rather than a signing
 * certificate. Only what the certificate says is judged here; whether it
 * chains to a trusted root is rp_verify.c's job. */
#pragma once

#include <openssl/types.h>

#include "common/guard.h"
#include "common/spiffe_id.h"
#include "svid-issuer/rp_reason.h"

/* The SPIFFE ID in cert's URI SAN (section 2: exactly one URI SAN, a valid
 * SPIFFE ID; a trust domain's own ID is accepted here, as CA certificates
 * carry one). 0 and *ret_id, or -EACCES with *reason one of
 * AE_RP_LEAF_MALFORMED (the SAN extension cannot be decoded or appears
 * twice), AE_RP_LEAF_NO_URI_SAN, AE_RP_LEAF_URI_SANS, AE_RP_LEAF_ID_INVALID
 * (then *ret_id_error says why). -EINVAL for NULL arguments. *reason and
 * *ret_id_error (each may be NULL) are written on every return. */
AE_MUST_USE int ae_rp_cert_spiffe_id(X509 *cert, struct ae_spiffe_id *ret_id,
                                     enum ae_rp_reason *reason,
                                     enum ae_spiffe_id_error *ret_id_error);

/* The leaf rules, in this order: extensions decodable, the SPIFFE ID as
 * above and with a path (section 2), not a CA (4.1: basicConstraints cA
 * false or absent), keyUsage present (4.3) with digitalSignature and
 * without keyCertSign or cRLSign. 0 and *ret_id, or -EACCES and the first
 * rule broken; *reason / *ret_id_error as above. */
AE_MUST_USE int ae_rp_leaf_check(X509 *leaf, struct ae_spiffe_id *ret_id,
                                 enum ae_rp_reason *reason,
                                 enum ae_spiffe_id_error *ret_id_error);
