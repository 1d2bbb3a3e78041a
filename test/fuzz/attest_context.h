/* Shared by the attestation fuzz targets: a verifier that accepts the
 * recorded RSA-EK / ECC-AK payload and response in the seed corpora (made
 * by ae-attest-seeds against swtpm). */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct ae_node_verifier;

struct attest_context {
        struct ae_node_verifier *verifier;
        uint8_t *payload, *response;
        size_t payload_len, response_len;
};

/* Loads the recorded pair and builds the verifier once; aborts when the
 * recorded pair is no longer accepted (the harness would fuzz nothing). */
const struct attest_context *attest_context_get(void);
