/* Node attestation cost, against references taken in the same run:
 *
 *   server: full verifications per second on one core (payload checks with
 *           the EK certificate chain, MakeCredential, response decoding,
 *           quote signature, PCR digest, replay rule, golden set), replaying
 *           one real swtpm response for a fixed-secret challenge; measured at
 *           first contact (EK cache off) and again (a fleet re-attesting,
 *           the EK's verdict cached); reference:
 *           OpenSSL's ECDSA P-256 verifications per second. A verification
 *           needs about three public-key operations, so ~0.2-0.3 is the
 *           expected ratio (higher is better).
 *   agent:  milliseconds per step on swtpm; reference: one TPM2_GetRandom
 *           round trip, ratio = reference / step (how many plain TPM
 *           commands the step costs, inverted: higher is better).
 * Prints BENCH lines only; asserts nothing about time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "attest_replay.h"
#include "common/ossl.h"
#include "node-attestor/tpm/node_agent.h"
#include "node-attestor/tpm/tpm.h"
#include "node-attestor/tpm/tpm_internal.h"
#include "node-attestor/verify/node_internal.h"
#include "policy/policy.h"

#define MIN_SECONDS 1.0

int main(void);

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int r)
{
        fprintf(stderr, "bench_attest: %s: %s\n", what, strerror(r < 0 ? -r : r));
        exit(1);
}

/* OpenSSL ECDSA P-256 verifications per second on one digest. */
static double ecdsa_verify_rate(void)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = EVP_EC_gen("P-256");
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        uint8_t digest[32], sig[128];
        size_t sig_len = sizeof(sig);
        double t0 = now(), t;
        long n = 0;

        if (!key || RAND_bytes(digest, sizeof(digest)) != 1)
                die("ecdsa key", EIO);
        ctx = EVP_PKEY_CTX_new(key, NULL);
        if (!ctx || EVP_PKEY_sign_init(ctx) != 1 ||
            EVP_PKEY_sign(ctx, sig, &sig_len, digest, sizeof(digest)) != 1 ||
            EVP_PKEY_verify_init(ctx) != 1)
                die("ecdsa sign", EIO);
        do {
                if (EVP_PKEY_verify(ctx, sig, sig_len, digest, sizeof(digest)) != 1)
                        die("ecdsa verify", EIO);
                n++;
        } while ((t = now() - t0) < MIN_SECONDS);
        return (double)n / t;
}

/* Milliseconds of one TPM2_GetRandom round trip (median-free: mean of 50). */
static double get_random_ms(const char *tcti)
{
        _cleanup_(ae_tpm_closep) struct ae_tpm *tpm = NULL;
        double t0;
        int r = ae_tpm_open(tcti, &tpm);

        if (r < 0)
                die("tpm open", r);
        t0 = now();
        for (int i = 0; i < 50; i++) {
                TPM2B_DIGEST *rnd = NULL;

                if (Esys_GetRandom(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, 16,
                                   &rnd) != TSS2_RC_SUCCESS)
                        die("GetRandom", EIO);
                Esys_Free(rnd);
        }
        return (now() - t0) * 1000.0 / 50;
}

/* Verifications per second on one core with the verifier's EK cache off
 * (ttl 0: every attestation is a node's first contact) or on (a fleet
 * re-attesting: the same certificate seen again). */
static double verify_rate(struct ae_node_verifier *v, const uint8_t *payload, size_t payload_len,
                          const uint8_t *response, size_t response_len, const char *name,
                          unsigned ttl)
{
        uint8_t secret[AE_ATTEST_SECRET_LEN], nonce[AE_ATTEST_NONCE_LEN];
        struct ae_node_pending *pending = NULL;
        enum ae_attest_reason reason;
        double t0, t;
        long n = 0;

        attest_replay_fixed(secret, nonce);
        ek_cache_fini(&v->ek_cache);
        if (ek_cache_init(&v->ek_cache, ttl) < 0)
                die("cache", ENOMEM);
        t0 = now();
        do {
                struct ae_node_result res;
                uint8_t *c = NULL;
                size_t c_len;

                if (node_challenge_with(v, payload, payload_len, time(NULL), secret, nonce, &c,
                                        &c_len, &pending, &reason) < 0 ||
                    reason != AE_ATTEST_OK ||
                    ae_node_verify(v, pending, response, response_len, NULL, time(NULL), &res,
                                   &reason) < 0 ||
                    reason != AE_ATTEST_OK) {
                        fprintf(stderr, "bench_attest: %s refused: %s\n", name,
                                ae_attest_reason_str(reason));
                        exit(1);
                }
                free(c);
                ae_node_pending_free(pending);
                n++;
        } while ((t = now() - t0) < MIN_SECONDS);
        return (double)n / t;
}

static void bench_combo(const char *tcti, const char *ca_bundle, enum ae_tpm_ek_alg ek,
                        enum ae_tpm_ak_alg ak, const char *name, double ecdsa_rate,
                        double tpm_ms)
{
        struct ae_node_agent_config cfg = { .tcti = tcti, .ek_alg = ek, .ak_alg = ak };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *agent = NULL;
        _cleanup_(ae_policy_freep) struct ae_policy *policy = NULL;
        _cleanup_(ae_node_verifier_freep) struct ae_node_verifier *v = NULL;
        _cleanup_free_ uint8_t *payload = NULL, *challenge = NULL, *response = NULL;
        _cleanup_free_ char *json = NULL;
        size_t payload_len, challenge_len, response_len;
        uint8_t secret[AE_ATTEST_SECRET_LEN], nonce[AE_ATTEST_NONCE_LEN];
        struct ae_node_pending *pending = NULL;
        enum ae_attest_reason reason;
        double t0, open_ms, payload_ms, respond_ms, first, again;
        int r;

        attest_replay_fixed(secret, nonce);
        t0 = now();
        if ((r = ae_node_agent_open(&cfg, &agent)) < 0)
                die("agent open", r);
        open_ms = (now() - t0) * 1000.0;
        t0 = now();
        if ((r = ae_node_agent_payload(agent, NULL, 0, &payload, &payload_len)) < 0)
                die("payload", r);
        payload_ms = (now() - t0) * 1000.0;

        if ((r = attest_replay_challenge_policy(payload, payload_len, &json)) < 0 ||
            (r = ae_policy_load_json(json, strlen(json), NULL, &policy, NULL)) < 0 ||
            (r = ae_node_verifier_new(policy, &v)) < 0 ||
            (r = node_challenge_with(v, payload, payload_len, time(NULL), secret, nonce,
                                     &challenge, &challenge_len, &pending, &reason)) < 0)
                die("challenge", r);
        ae_node_pending_free(pending);
        t0 = now();
        if ((r = ae_node_agent_respond(agent, challenge, challenge_len, NULL, 0, &response,
                                       &response_len)) < 0)
                die("respond", r);
        respond_ms = (now() - t0) * 1000.0;

        /* The measured server policy: EK chained to the manufacturer CA. */
        ae_node_verifier_free(TAKE_PTR(v));
        ae_policy_free(TAKE_PTR(policy));
        free(TAKE_PTR(json));
        if ((r = attest_replay_policy(payload, payload_len, response, response_len, ca_bundle,
                                      &json)) < 0 ||
            (r = ae_policy_load_json(json, strlen(json), NULL, &policy, NULL)) < 0 ||
            (r = ae_node_verifier_new(policy, &v)) < 0)
                die("policy", r);

        first = verify_rate(v, payload, payload_len, response, response_len, name, 0);
        again = verify_rate(v, payload, payload_len, response, response_len, name,
                            AE_EK_CACHE_TTL_DEFAULT);
        printf("BENCH attest_verify_first_%s value=%.0f unit=verifications/s ref=%.0f "
               "ratio=%.3f\n",
               name, first, ecdsa_rate, first / ecdsa_rate);
        printf("BENCH attest_verify_again_%s value=%.0f unit=verifications/s ref=%.0f "
               "ratio=%.3f\n",
               name, again, ecdsa_rate, again / ecdsa_rate);
        printf("BENCH agent_open_%s value=%.2f unit=ms ref=%.3f ratio=%.4f\n", name, open_ms,
               tpm_ms, tpm_ms / open_ms);
        printf("BENCH agent_payload_%s value=%.3f unit=ms ref=%.3f ratio=%.4f\n", name,
               payload_ms, tpm_ms, tpm_ms / payload_ms);
        printf("BENCH agent_respond_%s value=%.2f unit=ms ref=%.3f ratio=%.4f\n", name,
               respond_ms, tpm_ms, tpm_ms / respond_ms);
}

int main(void)
{
        const char *tcti = getenv("AE_TPM_TCTI"), *ca = getenv("AE_EK_CA_BUNDLE");
        double ecdsa_rate, tpm_ms;

        if (!tcti || !ca) {
                fprintf(stderr, "bench_attest: run through ctest (needs the swtpm fixture)\n");
                return 1;
        }
        ecdsa_rate = ecdsa_verify_rate();
        tpm_ms = get_random_ms(tcti);
        bench_combo(tcti, ca, AE_TPM_EK_ECC_P256, AE_TPM_AK_ECC_P256, "ecc_ek_ecc_ak", ecdsa_rate,
                    tpm_ms);
        bench_combo(tcti, ca, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, "rsa_ek_ecc_ak", ecdsa_rate,
                    tpm_ms);
        return 0;
}
