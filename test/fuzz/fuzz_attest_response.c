/* The server's second step fed arbitrary response bytes against a challenge
 * whose secret and nonce match the recorded response, so mutations of it
 * reach every check: decoding, credential, PCR values, quote structure,
 * signature, qualifying data, selection, digest, replay, golden sets.
 * Property: no crash, no leak; only the recorded bytes (or encodings the
 * verifier reads identically) are accepted, and an accepted result names
 * the recorded node. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest_context.h"
#include "attest_replay.h"
#include "node-attestor/verify/node_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One pending challenge for the whole run (making one costs an RSA
 * encryption); between inputs it is returned to its unanswered state. */
static struct ae_node_pending *pending_get(const struct attest_context *c)
{
        static struct ae_node_pending *pending;
        uint8_t secret[AE_ATTEST_SECRET_LEN], nonce[AE_ATTEST_NONCE_LEN], *challenge = NULL;
        size_t challenge_len;
        enum ae_attest_reason reason;

        if (!pending) {
                attest_replay_fixed(secret, nonce);
                if (node_challenge_with(c->verifier, c->payload, c->payload_len, time(NULL),
                                        secret, nonce, &challenge, &challenge_len, &pending,
                                        &reason) < 0 ||
                    reason != AE_ATTEST_OK)
                        abort();
                free(challenge);
        }
        pending->used = false;
        free(pending->location_claim);
        pending->location_claim = NULL;
        pending->location_claim_len = 0;
        return pending;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const struct attest_context *c = attest_context_get();
        struct ae_node_pending *pending = pending_get(c);
        struct ae_node_result res;
        enum ae_attest_reason reason;

        if (ae_node_verify(c->verifier, pending, data, size, NULL, time(NULL), &res, &reason) == 0 &&
            reason == AE_ATTEST_OK &&
            strncmp(res.spiffe_id, "spiffe://replay.test/spire/agent/aegis_tpm/", 43) != 0)
                abort();
        return 0;
}
