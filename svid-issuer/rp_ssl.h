/* SPIFFE mTLS with OpenSSL: the relying party's verifier (rp_verify.h) as
 * the SSL_CTX's certificate verification, and SSL_CTXs built from SVID
 * files.
 *
 * The verifier replaces X509_verify_cert for the whole peer chain
 * (SSL_CTX_set_cert_verify_callback): the peer's SPIFFE ID, its trust
 * domain's roots, its claims and the rule. Host names are not checked:
 * SPIFFE authenticates by SPIFFE ID and authorises by rule. After a
 * handshake, ae_rp_ssl_result() tells the host who the peer is, or why it
 * was refused; OpenSSL's verify result (SSL_get_verify_result) holds the
 * X509_V_ERR_* code (X509_V_ERR_APPLICATION_VERIFICATION for a refusal that
 * is not about the chain).
 *
 * The contexts speak TLS 1.2 and 1.3 (1.3 is chosen when both sides can),
 * never resume sessions and never renegotiate: every connection's peer is
 * verified once, afresh, against the clock of that moment. */
#pragma once

#include <openssl/types.h>
#include <openssl/x509.h>

#include "common/guard.h"

struct ae_rp_bundle;
struct ae_rp_rule;
struct ae_rp_result;

enum ae_rp_ssl_role {
        AE_RP_SSL_SERVER, /* requires a client certificate */
        AE_RP_SSL_CLIENT,
};

/* Make ctx verify its peers with bundle (the context takes a reference) and
 * a copy of rule (NULL: the empty rule), at the time of each handshake.
 * A server context also refuses clients without a certificate. Replaces an
 * earlier verifier; call it before the context is used for handshakes (it
 * is not safe while other threads use the context). -EINVAL, -ENOMEM. */
AE_MUST_USE int ae_rp_ssl_set_verifier(SSL_CTX *ctx, enum ae_rp_ssl_role role,
                                       struct ae_rp_bundle *bundle, const struct ae_rp_rule *rule);

/* A context for role presenting the SVID in svid_pem (the leaf first, then
 * its intermediates) with the private key in svid_key (PEM), verifying
 * peers as ae_rp_ssl_set_verifier does. The caller frees *ret with
 * SSL_CTX_free. -EINVAL for NULL arguments, a file's access errno,
 * -EBADMSG for files OpenSSL cannot read or a key that does not match the
 * certificate, -ENOMEM / -EIO. *ret_why (may be NULL) gets a short static
 * text on failure; OpenSSL's own text stays on its error queue. */
AE_MUST_USE int ae_rp_ssl_ctx_new(enum ae_rp_ssl_role role, const char *svid_pem,
                                  const char *svid_key, struct ae_rp_bundle *bundle,
                                  const struct ae_rp_rule *rule, SSL_CTX **ret,
                                  const char **ret_why);

/* The same from an SVID in memory (as the Workload API delivers it):
 * leaf, its intermediates (may be NULL) and key; the context takes its own
 * references. */
AE_MUST_USE int ae_rp_ssl_ctx_new_svid(enum ae_rp_ssl_role role, X509 *leaf,
                                       STACK_OF(X509) *intermediates, EVP_PKEY *key,
                                       struct ae_rp_bundle *bundle,
                                       const struct ae_rp_rule *rule, SSL_CTX **ret,
                                       const char **ret_why);

/* The verification of ssl's peer (owned by ssl): its reason, its SPIFFE ID
 * and claims. NULL when none ran (a peer that sent no certificate, or a
 * handshake that failed before). */
const struct ae_rp_result *ae_rp_ssl_result(const SSL *ssl);
