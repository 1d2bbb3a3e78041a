#include "attest_context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest_replay.h"
#include "common/file.h"
#include "node-attestor/verify/node_internal.h"
#include "policy/policy.h"

static struct attest_context ctx;

static uint8_t *load(const char *name, size_t *ret_len)
{
        char path[4096];
        uint8_t *data;

        snprintf(path, sizeof(path), "%s/%s", AE_FUZZ_CORPUS_ROOT, name);
        if (ae_file_read(path, 1u << 20, &data, ret_len) < 0) {
                fprintf(stderr, "attest_context: cannot read %s\n", path);
                abort();
        }
        return data;
}

const struct attest_context *attest_context_get(void)
{
        struct ae_policy *policy = NULL;
        struct ae_node_pending *pending = NULL;
        struct ae_node_result res;
        uint8_t secret[AE_ATTEST_SECRET_LEN], nonce[AE_ATTEST_NONCE_LEN], *challenge = NULL;
        size_t challenge_len;
        enum ae_attest_reason reason = AE_ATTEST_REASON_COUNT;
        char *json = NULL;

        if (ctx.verifier)
                return &ctx;
        ctx.payload = load("fuzz_attest_payload/payload-rsa-ecc.bin", &ctx.payload_len);
        ctx.response = load("fuzz_attest_response/response-rsa-ecc.bin", &ctx.response_len);
        attest_replay_fixed(secret, nonce);
        /* The policy and verifier live as long as the process. */
        if (attest_replay_policy(ctx.payload, ctx.payload_len, ctx.response, ctx.response_len,
                                 NULL, &json) < 0 ||
            ae_policy_load_json(json, strlen(json), NULL, &policy, NULL) < 0 ||
            ae_node_verifier_new(policy, &ctx.verifier) < 0 ||
            node_challenge_with(ctx.verifier, ctx.payload, ctx.payload_len, time(NULL), secret,
                                nonce, &challenge, &challenge_len, &pending, &reason) < 0 ||
            reason != AE_ATTEST_OK ||
            ae_node_verify(ctx.verifier, pending, ctx.response, ctx.response_len, NULL,
                           time(NULL), &res, &reason) < 0 ||
            reason != AE_ATTEST_OK) {
                fprintf(stderr, "attest_context: the recorded pair is not accepted (%s)\n",
                        ae_attest_reason_str(reason));
                abort();
        }
        free(json);
        free(challenge);
        ae_node_pending_free(pending);
        return &ctx;
}
