/* Agent side of TPM node attestation as two transport-free steps
 * (DESIGN.md section 2):
 *
 *   ae_node_agent_payload()  -> payload bytes   (EK certificate/public, AK public)
 *   challenge bytes          -> ae_node_agent_respond() -> response bytes
 *                               (activated credential, quote, PCR values)
 *
 * The agent decides nothing: it proves what its TPM holds and lets the
 * server judge. Hosts move the bytes (aegis-agent, the SPIRE plugin,
 * `aegis attest`). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "node-attestor/tpm/ek_cert.h"
#include "node-attestor/tpm/keys.h"

struct ae_node_agent_config {
        const char *tcti;           /* NULL: AE_TPM_TCTI_DEFAULT */
        enum ae_tpm_ek_alg ek_alg;  /* which EK (and its NV certificate) to use */
        enum ae_tpm_ak_alg ak_alg;
        uint32_t ak_handle;         /* persistent AK handle; 0: a transient AK */
};

struct ae_node_agent;

/* Open the TPM, create the EK from its template, read its certificate (a
 * TPM without one still attests where policy allowlists the EK) and create
 * or reuse the AK. The TPM stays open until ae_node_agent_free. On failure
 * ae_node_agent_last_error(NULL) says why, on the calling thread. */
AE_MUST_USE int ae_node_agent_open(const struct ae_node_agent_config *cfg,
                                   struct ae_node_agent **ret);
void ae_node_agent_free(struct ae_node_agent *a);
AE_DEFINE_CLEANUP(struct ae_node_agent *, ae_node_agent_free)

/* The TPM error text behind the last failure (for the log), or "". */
const char *ae_node_agent_last_error(const struct ae_node_agent *a);

/* Whether the EK came with a certificate from NV. */
bool ae_node_agent_has_ek_cert(const struct ae_node_agent *a);

/* Step 1. sensor: the location sensor's identity bytes (PoG), or NULL/0.
 * *ret is malloc'd. */
AE_MUST_USE int ae_node_agent_payload(struct ae_node_agent *a, const uint8_t *sensor,
                                      size_t sensor_len, uint8_t **ret, size_t *ret_len);

/* Step 2: activate the credential, quote the requested PCRs with the
 * qualifying data that binds the nonce and the location claim (NULL/0 for
 * none), read the quoted PCRs. A challenge that does not decode is -EBADMSG
 * (-EMSGSIZE over a limit, -EPROTONOSUPPORT another version); TPM failures
 * are -errno with the text in ae_node_agent_last_error. */
AE_MUST_USE int ae_node_agent_respond(struct ae_node_agent *a, const uint8_t *challenge,
                                      size_t challenge_len, const uint8_t *location_claim,
                                      size_t claim_len, uint8_t **ret, size_t *ret_len);
