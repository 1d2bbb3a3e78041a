/* Certificate signing requests as the server receives them from agents
 * (AttestAgent, RenewAgent, BatchNewX509SVID: PKCS#10, DER). Only the
 * public key is taken, after the request's self-signature proves the sender
 * holds its private key; the subject, attributes and any names requested
 * are ignored, because the server alone decides what an SVID names. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/guard.h"

/* Largest CSR accepted (an RSA-4096 request is under 2 KiB). */
#define AE_CSR_MAX 8192

/* Why a CSR was refused. */
enum ae_csr_reason {
        AE_CSR_OK = 0,
        AE_CSR_SIZE,          /* empty or over AE_CSR_MAX */
        AE_CSR_MALFORMED,     /* not one DER PKCS#10 request, or bytes after it */
        AE_CSR_KEY,           /* key type the issuer does not sign (key_gen.h) */
        AE_CSR_SIGNATURE,     /* self-signature does not verify */
        AE_CSR_REASON_COUNT
};

const char *ae_csr_reason_str(enum ae_csr_reason r);
const char *ae_csr_reason_id(enum ae_csr_reason r);

/* The public key of der[0..len): 0 and *ret (free with EVP_PKEY_free), or
 * -EMSGSIZE (SIZE), -EBADMSG (MALFORMED), -EOPNOTSUPP (KEY), -EKEYREJECTED
 * (SIGNATURE). *reason (may be NULL) is always written. */
AE_MUST_USE int ae_csr_public_key(const uint8_t *der, size_t len, EVP_PKEY **ret,
                                  enum ae_csr_reason *reason);
