/* The server's first step fed arbitrary payload bytes: protobuf decoding,
 * field limits, EK and AK public areas, the EK certificate, and (for inputs
 * that get that far) MakeCredential. Property: no crash, no leak, and a
 * challenge only ever comes with AE_ATTEST_OK. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "attest_context.h"
#include "node-attestor/verify/node_verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const struct attest_context *c = attest_context_get();
        struct ae_node_pending *pending = NULL;
        uint8_t *challenge = NULL;
        size_t challenge_len = 0;
        enum ae_attest_reason reason;

        if (ae_node_challenge(c->verifier, data, size, time(NULL), &challenge, &challenge_len,
                              &pending, &reason) < 0)
                return 0;
        if ((reason == AE_ATTEST_OK) != (challenge != NULL && pending != NULL))
                abort();
        free(challenge);
        ae_node_pending_free(pending);
        return 0;
}
