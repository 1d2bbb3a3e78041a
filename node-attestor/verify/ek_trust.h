/* Manufacturer CA trust for EK certificates: a bundle of PEM certificates in
 * which self-signed ones are trust anchors and the others untrusted
 * intermediates that a chain may pass through. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/types.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "node-attestor/verify/ek_reason.h"

struct ae_ek_trust;

/* Limits for a bundle: its size and the certificates in it. */
#define AE_EK_TRUST_BUNDLE_MAX (1024 * 1024)
#define AE_EK_TRUST_CERTS_MAX 256

/* Load a bundle from a PEM file. Returns -errno of open/read (-ENOENT for a
 * missing file), -EFBIG above AE_EK_TRUST_BUNDLE_MAX, -EINVAL for something
 * not a regular file, and what ae_ek_trust_load_pem returns. */
AE_MUST_USE int ae_ek_trust_load_file(const char *path, struct ae_ek_trust **ret);

/* Load a bundle from len bytes of PEM. Text between PEM blocks and blocks of
 * other types (keys, CRLs) are skipped. Returns -EBADMSG for a CERTIFICATE
 * block that does not parse, -ENODATA when there is no certificate, -ENOKEY
 * when none is self-signed (nothing to anchor a chain), -E2BIG above
 * AE_EK_TRUST_CERTS_MAX certificates. */
AE_MUST_USE int ae_ek_trust_load_pem(const void *pem, size_t len, struct ae_ek_trust **ret);

/* Accepts NULL. */
void ae_ek_trust_free(struct ae_ek_trust *trust);
AE_DEFINE_CLEANUP(struct ae_ek_trust *, ae_ek_trust_free)
#define _cleanup_ek_trust_ _cleanup_(ae_ek_trust_freep)

/* How many anchors and intermediates the bundle gave. */
void ae_ek_trust_counts(const struct ae_ek_trust *trust, size_t *ret_anchors,
                        size_t *ret_intermediates);

/* Decide whether the DER certificate der[0..len) chains to one of trust's
 * anchors at time now (validity of every certificate on the path is checked
 * against now, not the clock). Returns 0 with *ret_reason AE_EK_OK or the
 * rejection; a negative errno only for bad arguments or internal failure
 * (then *ret_reason is untouched). */
AE_MUST_USE int ae_ek_trust_check_chain(const struct ae_ek_trust *trust, const uint8_t *der,
                                        size_t len, time_t now, enum ae_ek_reason *ret_reason);

/* As ae_ek_trust_check_chain; on AE_EK_OK also writes the SHA-256 of the
 * DER of the trust anchor the path ended in to ret_anchor_id[32] (when not
 * NULL): which manufacturer CA vouched for this EK. */
AE_MUST_USE int ae_ek_trust_check_chain_anchor(const struct ae_ek_trust *trust,
                                               const uint8_t *der, size_t len, time_t now,
                                               enum ae_ek_reason *ret_reason,
                                               uint8_t *ret_anchor_id);

/* What an accepted chain established (ae_ek_trust_check_cert). */
struct ae_ek_chain_info {
        uint8_t anchor_id[32];        /* SHA-256 of the trust anchor's DER */
        time_t not_before, not_after; /* when every certificate of the path is valid */
};

/* As ae_ek_trust_check_chain_anchor, for a certificate already parsed with
 * ae_ek_cert_parse (so a caller that also reads the certificate parses it
 * once). ret_info (may be NULL) is written on AE_EK_OK. */
AE_MUST_USE int ae_ek_trust_check_cert(const struct ae_ek_trust *trust, X509 *cert, time_t now,
                                       enum ae_ek_reason *ret_reason,
                                       struct ae_ek_chain_info *ret_info);
