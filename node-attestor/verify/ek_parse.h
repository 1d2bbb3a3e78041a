/* An EK certificate as it arrives from an agent: untrusted DER. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "common/guard.h"

/* Largest EK certificate accepted. Real ones are about 1-1.5 KiB; the agent
 * reads at most as much from NV. */
#define AE_EK_CERT_MAX 4096

/* Parse der as exactly one X.509 certificate: every byte of der[0..len) must
 * belong to it, and its public key must decode. Returns -EMSGSIZE above
 * AE_EK_CERT_MAX, -EBADMSG for empty, malformed, truncated input, trailing
 * bytes or an undecodable key. */
AE_MUST_USE int ae_ek_cert_parse(const uint8_t *der, size_t len, X509 **ret_cert);
