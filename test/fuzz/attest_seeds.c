/* ae-attest-seeds TCTI OUT_DIR: record real attestations from a TPM for the
 * attestation fuzz targets' seed corpora. For each EK/AK combination it
 * writes payload-<ek>-<ak>.bin and response-<ek>-<ak>.bin, the response
 * answering a challenge made with the fixed secret and nonce of
 * test/support/attest_replay.h, quoting sha256 PCRs 0-7. Not run by the
 * tests; rerun it when the protocol changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest_replay.h"
#include "node-attestor/tpm/node_agent.h"
#include "node-attestor/verify/node_internal.h"
#include "policy/policy.h"

int main(int argc, char **argv);

static int write_file(const char *dir, const char *kind, const char *tag, const uint8_t *data,
                      size_t len)
{
        char path[4096];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s-%s.bin", dir, kind, tag);
        f = fopen(path, "wb");
        if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
                perror(path);
                if (f)
                        fclose(f);
                return -EIO;
        }
        return 0;
}

static int record(const char *tcti, const char *dir, enum ae_tpm_ek_alg ek, enum ae_tpm_ak_alg ak,
                  const char *tag)
{
        struct ae_node_agent_config cfg = { .tcti = tcti, .ek_alg = ek, .ak_alg = ak };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *agent = NULL;
        _cleanup_(ae_policy_freep) struct ae_policy *policy = NULL;
        _cleanup_(ae_node_verifier_freep) struct ae_node_verifier *v = NULL;
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *pending = NULL;
        _cleanup_free_ uint8_t *payload = NULL, *challenge = NULL, *response = NULL;
        _cleanup_free_ char *json = NULL;
        size_t payload_len, challenge_len, response_len;
        uint8_t secret[AE_ATTEST_SECRET_LEN], nonce[AE_ATTEST_NONCE_LEN];
        enum ae_attest_reason reason;

        attest_replay_fixed(secret, nonce);
        GUARD(ae_node_agent_open(&cfg, &agent));
        GUARD(ae_node_agent_payload(agent, NULL, 0, &payload, &payload_len));
        GUARD(attest_replay_challenge_policy(payload, payload_len, &json));
        GUARD(ae_policy_load_json(json, strlen(json), NULL, &policy, NULL));
        GUARD(ae_node_verifier_new(policy, &v));
        GUARD(node_challenge_with(v, payload, payload_len, time(NULL), secret, nonce, &challenge,
                                  &challenge_len, &pending, &reason));
        ENSURE(reason == AE_ATTEST_OK, -EPROTO);
        GUARD(ae_node_agent_respond(agent, challenge, challenge_len, NULL, 0, &response,
                                    &response_len));
        GUARD(write_file(dir, "payload", tag, payload, payload_len));
        return write_file(dir, "response", tag, response, response_len);
}

int main(int argc, char **argv)
{
        static const struct {
                enum ae_tpm_ek_alg ek;
                enum ae_tpm_ak_alg ak;
                const char *tag;
        } combos[] = {
                { AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, "rsa-ecc" },
                { AE_TPM_EK_ECC_P256, AE_TPM_AK_RSA2048, "ecc-rsa" },
        };

        if (argc != 3) {
                fprintf(stderr, "usage: %s TCTI OUT_DIR\n", argv[0]);
                return 2;
        }
        for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
                int r = record(argv[1], argv[2], combos[i].ek, combos[i].ak, combos[i].tag);

                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", combos[i].tag, strerror(-r));
                        return 1;
                }
        }
        return 0;
}
