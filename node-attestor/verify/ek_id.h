/* The identity Aegis gives an EK: SHA-256 of its DER SubjectPublicKeyInfo.
 * It names the agent (spiffe://<td>/spire/agent/aegis_tpm/<hex>) and is what
 * purchase-order allowlists list. */
#pragma once

#include <stdint.h>

#include <openssl/types.h>

#include "common/guard.h"

#define AE_EK_ID_LEN 32

AE_MUST_USE int ae_ek_spki_sha256(const X509 *cert, uint8_t ret_id[AE_EK_ID_LEN]);
/* The same identity from a key (e.g. the EK public area, when there is no
 * certificate). */
AE_MUST_USE int ae_ek_pkey_sha256(EVP_PKEY *key, uint8_t ret_id[AE_EK_ID_LEN]);
