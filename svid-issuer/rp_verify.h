/* A relying party's verdict on a peer's X509-SVID, in four steps, each
 * refusal with its own reason (rp_reason.h):
 *
 *   1. the leaf as an X509-SVID: one URI SAN holding a SPIFFE ID with a
 *      path, not a CA, keyUsage digitalSignature without keyCertSign or
 *      cRLSign (rp_leaf.h);
 *   2. the bundle of the ID's trust domain (unknown: its own reason);
 *   3. the chain, built with X509_verify_cert from the peer's untrusted
 *      certificates to that trust domain's roots only, at the caller's
 *      time. Every root of the domain is an anchor (X509_V_FLAG_PARTIAL_
 *      CHAIN), at most AE_RP_CHAIN_DEPTH_MAX intermediates, no EKU purpose
 *      (SPIFFE does not require one). When the chain fails for want of a
 *      root but would verify against another trust domain's roots, the
 *      reason says so: that is an SVID claiming an identity its CA may not
 *      vouch for;
 *   4. the rule (rp_rule.h), with the leaf's claims extension when the rule
 *      needs claims.
 *
 * Host names play no part: SPIFFE authenticates by SPIFFE ID, and the rule
 * authorises. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h> /* STACK_OF(X509) */

#include "common/guard.h"
#include "common/spiffe_id.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/rp_reason.h"
#include "svid-issuer/svid_reason.h"

struct ae_rp_bundle;
struct ae_rp_rule;

/* Intermediate CAs allowed between a leaf and its root. */
#define AE_RP_CHAIN_DEPTH_MAX 8

/* Everything a host may log or authorise on after a verification. */
struct ae_rp_result {
        enum ae_rp_reason reason;
        int x509_error;                   /* X509_V_OK, or OpenSSL's code behind a chain reason */
        int x509_depth;                   /* where that error was found; -1 when none */
        enum ae_spiffe_id_error id_error; /* why the URI SAN is no SPIFFE ID */
        enum ae_svid_reason claims_error; /* why the claims were refused */
        bool has_id;                      /* the leaf's SPIFFE ID was read */
        struct ae_spiffe_id id;
        bool has_claims;                  /* the leaf carries claims this reader accepts */
        struct ae_claims claims;
};

/* Verify leaf (with chain: the peer's other certificates, untrusted, may
 * hold the leaf too, may be NULL) against bundle and rule (NULL: the empty
 * rule) at now (s since the epoch). 0 when accepted; -EACCES when refused,
 * -EINVAL for NULL arguments, -ENOMEM / -EIO when OpenSSL fails (reason
 * AE_RP_INTERNAL). *ret (may be NULL) is written on every return. */
AE_MUST_USE int ae_rp_verify(const struct ae_rp_bundle *bundle, const struct ae_rp_rule *rule,
                             X509 *leaf, STACK_OF(X509) *chain, int64_t now,
                             struct ae_rp_result *ret);

/* One line for the log plus NUL into buf (cut to size): the reason's id
 * and text, the detail behind it (OpenSSL's verify error and depth, the
 * SPIFFE ID rule, the claims rule), and the peer's ID once known:
 *   "chain_expired: certificate in the chain has expired (OpenSSL:
 *    certificate has expired, depth 0) id=spiffe://td/w" */
void ae_rp_result_describe(const struct ae_rp_result *r, char *buf, size_t size);
