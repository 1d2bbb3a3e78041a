/* The rules a CA's certificates must meet, each refusal with its reason
 * (svid_reason.h). They judge parsed certificates: files that come from an
 * upstream or a copied directory are untrusted until they pass here.
 * Internal to svid-issuer/; fuzzed through fuzz_ca_pem. */
#pragma once

#include <stdbool.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/guard.h"
#include "common/spiffe_id.h"
#include "svid-issuer/key_gen.h"
#include "svid-issuer/svid_reason.h"

/* Whether x is a root: self-issued, with a signature its own key verifies. */
bool ae_ca_is_root(X509 *x);

/* The trust domain of names holding exactly one URI that is a SPIFFE ID
 * without a path: 0, or -EPROTO (AE_SVID_CA_NO_SPIFFE_ID). Other name types
 * may be present. */
AE_MUST_USE int ae_ca_names_trust_domain(const GENERAL_NAMES *names,
                                         char td[AE_TRUST_DOMAIN_MAX + 1],
                                         enum ae_svid_reason *reason);

/* A signing certificate (X509-SVID 3.2, 4.1, 4.3): extensions that parse
 * (AE_SVID_CA_CERT_MALFORMED, -EBADMSG), cA=TRUE and keyUsage with
 * keyCertSign (AE_SVID_CA_NOT_CA, -EPROTO), one spiffe://<td> URI SAN
 * (AE_SVID_CA_NO_SPIFFE_ID, -EPROTO). td gets the trust domain. */
AE_MUST_USE int ae_ca_check_signing_cert(X509 *cert, char td[AE_TRUST_DOMAIN_MAX + 1],
                                         enum ae_svid_reason *reason);

/* The CA key: a supported type (AE_SVID_CA_KEY_UNSUPPORTED, -EOPNOTSUPP)
 * that is the certificate's public key (AE_SVID_CA_KEY_MISMATCH, -EPROTO). */
AE_MUST_USE int ae_ca_check_key(X509 *cert, EVP_PKEY *key, enum ae_ca_key_type *ret_type,
                                enum ae_svid_reason *reason);

/* notBefore <= now <= notAfter: AE_SVID_CA_NOT_YET_VALID / AE_SVID_CA_EXPIRED
 * (-EKEYEXPIRED); AE_SVID_CA_CERT_MALFORMED (-EBADMSG) for times that do not
 * parse. */
AE_MUST_USE int ae_ca_check_validity(const X509 *cert, time_t now, enum ae_svid_reason *reason);

/* cert's path up through the certificates of chain.pem (issuer first,
 * ending with a self-signed root): AE_SVID_CA_CHAIN_NO_ROOT (-EPROTO) when
 * none is self-signed, AE_SVID_CA_CHAIN_MALFORMED (-EBADMSG) when the root is
 * not last, AE_SVID_CA_CHAIN_MISMATCH (-EPROTO) when RFC 5280 path
 * validation from cert through every certificate to that root fails, or the
 * validity reasons at now (skipped when check_time is false). On success
 * *ret_intermediates gets the certificates before the root, *ret_root the
 * root (the caller owns both). */
AE_MUST_USE int ae_ca_check_chain(X509 *cert, STACK_OF(X509) *file, time_t now, bool check_time,
                                  STACK_OF(X509) **ret_intermediates, X509 **ret_root,
                                  enum ae_svid_reason *reason);

/* bundle.pem's certificates: each a self-signed CA certificate
 * (AE_SVID_CA_BUNDLE_MALFORMED, -EBADMSG), one of them root
 * (AE_SVID_CA_NOT_IN_BUNDLE, -EPROTO). *ret_valid gets those not expired at
 * now, in file order. */
AE_MUST_USE int ae_ca_check_bundle(STACK_OF(X509) *bundle, X509 *root, time_t now,
                                   STACK_OF(X509) **ret_valid, enum ae_svid_reason *reason);
