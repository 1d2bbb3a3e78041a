/* Size limits of the node attestation messages (proto/aegis/
 * node_attestation.proto). Both sides check them before parsing further:
 * nothing from the wire is trusted to be small. */
#pragma once

#define AE_ATTEST_VERSION 1

#define AE_ATTEST_MESSAGE_MAX (16 * 1024)

#define AE_ATTEST_EK_CERT_MAX 4096
#define AE_ATTEST_TPM_PUBLIC_MAX 1024
#define AE_ATTEST_LOCATION_SENSOR_MAX 1024

#define AE_ATTEST_CREDENTIAL_BLOB_MAX 256
/* An RSA-4096 EK's OAEP ciphertext (512) with its TPM2B size (2). */
#define AE_ATTEST_ENCRYPTED_SECRET_MAX 514
#define AE_ATTEST_NONCE_LEN 32
#define AE_ATTEST_PCR_SELECTION_MAX 132

#define AE_ATTEST_SECRET_MAX 64
#define AE_ATTEST_QUOTE_MAX 1024
#define AE_ATTEST_SIGNATURE_MAX 1024
#define AE_ATTEST_PCR_VALUES_MAX 96
#define AE_ATTEST_LOCATION_CLAIM_MAX 2048

/* The credential secret the server encrypts to the EK (SHA-256 sized). */
#define AE_ATTEST_SECRET_LEN 32

/* Quote qualifying data: SHA-256("aegis-quote-v1" || nonce || SHA-256(claim)). */
#define AE_ATTEST_QUOTE_LABEL "aegis-quote-v1"
