/* TPM node attestation end to end: the agent's steps on the fixture's swtpm
 * pair, the server's steps on policies written here, and every way a node
 * can fail, each with the exact reason the verifier must give (or the exact
 * errno the agent must return). One binary, four files by theme:
 *
 *   attest_tpm.c           happy paths, persisted AK, PCR policy, replay state
 *   attest_tpm_identity.c  EK trust modes, AK properties (the payload step)
 *   attest_tpm_answer.c    credential activation, quote, location claim
 *   attest_tpm_messages.c  truncated, oversized and garbage messages
 *
 * Identities are recomputed from the fixture's own files with OpenSSL (EK
 * SPKI hash, manufacturer root hash), golden PCR sets come from the TPM as
 * it is when the run starts, and tpm2-tools change PCR 16 behind the
 * agent's back. Every test is checked afterwards for objects and sessions
 * left in either TPM (attest_harness.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "attest_harness.h"
#include "check_util.h"
#include "common/file.h"
#include "common/hex.h"

/* Persistent handle this test owns (owner range, clear of the TCG's
 * reserved ranges and of tpm_agent_ops' 0x81010020-22). Evicted at start and
 * by the test that uses it. */
#define AK_HANDLE 0x81010030u

/* ---- happy paths --------------------------------------------------------- */

static const struct {
        enum ae_tpm_ek_alg ek;
        enum ae_tpm_ak_alg ak;
} combos[] = {
        { AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256 },
        { AE_TPM_EK_ECC_P256, AE_TPM_AK_RSA2048 },
        { AE_TPM_EK_RSA2048, AE_TPM_AK_RSA2048 },
        { AE_TPM_EK_ECC_P256, AE_TPM_AK_ECC_P256 },
};

START_TEST(happy_path)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 };
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *m = NULL;
        _cleanup_free_ uint8_t *der = NULL;
        struct ae_node_result res;
        uint8_t ek_id[32], root_id[32];
        char sel[4][AE_NODE_SELECTOR_MAX];
        size_t der_len;

        h_ek_id_from_cert(h_cert_var(H_MAIN, combos[_i].ek), ek_id);
        h_cert_sha256("AE_EK_CA_ROOT", root_id);
        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, combos[_i].ek, combos[_i].ak, 0);
        ck_assert(ae_node_agent_has_ek_cert(a));

        /* The payload carries the certificate the manufacturer wrote. */
        h_payload(a, &payload);
        m = h_payload_decode(&payload);
        ck_assert_int_eq(ae_file_read(ae_test_env(h_cert_var(H_MAIN, combos[_i].ek)), 8192,
                                      &der, &der_len),
                         0);
        ck_assert_uint_eq(m->ek_certificate.len, der_len);
        ck_assert_mem_eq(m->ek_certificate.data, der, der_len);

        ck_assert_reason(h_attest(&s, a, NULL, &res), AE_ATTEST_OK);
        h_assert_spiffe_id(&res, ek_id);
        h_assert_selectors(
                &res,
                (const char *const[]){
                        h_selector(sel[0], sizeof(sel[0]), "ek_hash", h_hex(ek_id, 32)),
                        h_selector(sel[1], sizeof(sel[1]), "ek_ca", h_hex(root_id, 32)),
                        h_selector(sel[2], sizeof(sel[2]), "tpm_manufacturer", H_MANUFACTURER),
                        h_selector(sel[3], sizeof(sel[3]), "pcr_policy", H_SET_MAIN) },
                4);
        ck_assert_str_eq(res.pcr_policy, H_SET_MAIN);
        ck_assert(res.state.known);
        ck_assert_uint_gt(res.state.clock, 0);
}
END_TEST

/* An AK kept at a persistent handle survives the agent: the next agent
 * finds and reuses it, and its attestations carry on the replay state. */
START_TEST(ak_persisted_and_reused)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_buf_ struct h_buf p1 = { 0 }, p2 = { 0 };
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *m1 = NULL, *m2 = NULL;
        struct ae_node_result r1, r2;
        struct ae_node_agent *a;
        struct ae_node_agent_config cfg = { .tcti = ae_test_env(H_MAIN),
                                            .ek_alg = AE_TPM_EK_RSA2048,
                                            .ak_alg = AE_TPM_AK_RSA2048,
                                            .ak_handle = AK_HANDLE };
        int r;

        r = h_evict(H_MAIN, AK_HANDLE);
        ck_assert(r == 0 || r == -ENOENT);
        h_server_simple(&s, "ca", NULL, NULL);

        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, AK_HANDLE);
        h_payload(a, &p1);
        ck_assert_reason(h_attest(&s, a, NULL, &r1), AE_ATTEST_OK);
        ae_node_agent_free(a);
        ck_assert(h_persistent_present(H_MAIN, AK_HANDLE));
        h_tick();

        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, AK_HANDLE);
        h_payload(a, &p2);
        ck_assert_reason(h_attest(&s, a, &r1.state, &r2), AE_ATTEST_OK);
        ae_node_agent_free(a);

        /* Same AK, same node; the TPM's clock moved on, its counters did not. */
        m1 = h_payload_decode(&p1);
        m2 = h_payload_decode(&p2);
        ck_assert_uint_eq(m1->ak_public.len, m2->ak_public.len);
        ck_assert_mem_eq(m1->ak_public.data, m2->ak_public.data, m1->ak_public.len);
        ck_assert_str_eq(r1.spiffe_id, r2.spiffe_id);
        ck_assert_uint_gt(r2.state.clock, r1.state.clock);
        ck_assert_uint_eq(r2.state.reset_count, r1.state.reset_count);
        ck_assert_uint_eq(r2.state.restart_count, r1.state.restart_count);

        /* Another kind of AK asked for at that handle: refused, not replaced. */
        a = NULL;
        ck_assert_int_eq(ae_node_agent_open(&cfg, &a), -EEXIST);
        ck_assert_ptr_null(a);
        ck_assert(h_persistent_present(H_MAIN, AK_HANDLE));

        ck_assert_int_eq(h_evict(H_MAIN, AK_HANDLE), 0);
        ck_assert(!h_persistent_present(H_MAIN, AK_HANDLE));
        ck_assert_int_eq(h_evict(H_MAIN, AK_HANDLE), -ENOENT);
}
END_TEST

/* ---- PCR policy ------------------------------------------------------------ */

START_TEST(pcr_policy_debug_pcr)
{
        static const char measurement[] = "aegis test: debug PCR measurement";
        _cleanup_server_ struct h_server base = { 0 }, both = { 0 };
        struct ae_pcr_values extended = *h_golden_main();
        struct ae_node_result res;
        struct ae_node_agent *a;
        uint8_t d[32], cat[64];
        unsigned n = 0;
        char arg[16 + AE_HEX_SIZE(32)];
        size_t i;

        /* The value tpm2_pcrextend will give PCR 16, computed here:
         * H(old || d). */
        ck_assert_int_eq(
                EVP_Digest(measurement, sizeof(measurement) - 1, d, &n, EVP_sha256(), NULL), 1);
        for (i = 0; i < extended.count && extended.v[i].index != H_DEBUG_PCR; i++)
                ;
        ck_assert_uint_lt(i, extended.count);
        memcpy(cat, extended.v[i].digest, 32);
        memcpy(cat + 32, d, 32);
        ck_assert_int_eq(
                EVP_Digest(cat, sizeof(cat), extended.v[i].digest, &n, EVP_sha256(), NULL), 1);

        h_server_open(&base, &(struct h_policy_spec){ .trust = "ca" });
        h_server_open(&both,
                      &(struct h_policy_spec){ .trust = "ca",
                                               .golden =
                                                       (const struct h_golden_set[]){
                                                               { H_SET_MAIN, h_golden_main() },
                                                               { "debug", &extended } },
                                               .n_golden = 2 });

        snprintf(arg, sizeof(arg), "16:sha256=%s", h_hex(d, 32));
        H_TOOL(H_MAIN, "tpm2_pcrextend", arg);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        ck_assert_reason(h_attest(&base, a, NULL, NULL), AE_ATTEST_PCR_POLICY_NO_MATCH);
        ck_assert_reason(h_attest(&both, a, NULL, &res), AE_ATTEST_OK);
        ck_assert_str_eq(res.pcr_policy, "debug");
        ck_assert_str_eq(res.selectors[res.n_selectors - 2], "pcr_policy:debug");
        ae_node_agent_free(a);

        H_TOOL(H_MAIN, "tpm2_pcrreset", "16");
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        ck_assert_reason(h_attest(&base, a, NULL, &res), AE_ATTEST_OK);
        ck_assert_str_eq(res.pcr_policy, H_SET_MAIN);
        ck_assert_reason(h_attest(&both, a, NULL, &res), AE_ATTEST_OK);
        ck_assert_str_eq(res.pcr_policy, H_SET_MAIN);
        ae_node_agent_free(a);
}
END_TEST

/* ---- replay state ------------------------------------------------------- */

enum clock_rule { CLOCK_ZERO, CLOCK_SAME, CLOCK_AHEAD, CLOCK_BEHIND, CLOCK_MAX };

static const struct replay_case {
        const char *name;
        bool known;
        int d_reset, d_restart;
        enum clock_rule clock;
        enum ae_attest_reason want;
} replay_cases[] = {
        { "resetCount went back", true, +1, 0, CLOCK_ZERO, AE_ATTEST_RESET_COUNT_BACKWARDS },
        { "restartCount went back", true, 0, +1, CLOCK_ZERO,
          AE_ATTEST_RESTART_COUNT_BACKWARDS },
        { "same clock (replayed quote)", true, 0, 0, CLOCK_SAME, AE_ATTEST_CLOCK_NOT_ADVANCED },
        { "clock went back", true, 0, 0, CLOCK_AHEAD, AE_ATTEST_CLOCK_NOT_ADVANCED },
        { "clock advanced by 1 ms", true, 0, 0, CLOCK_BEHIND, AE_ATTEST_OK },
        { "TPM reset since (clock not compared)", true, -1, 0, CLOCK_MAX, AE_ATTEST_OK },
        { "unknown node (state ignored)", false, +1, +1, CLOCK_MAX, AE_ATTEST_OK },
};

START_TEST(replay_state)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 };
        struct ae_node_result r1, r2;

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);

        /* Two attestations in a row: the state moves forward. */
        ck_assert_reason(h_attest(&s, a, NULL, &r1), AE_ATTEST_OK);
        h_tick();
        ck_assert_reason(h_attest(&s, a, &r1.state, &r2), AE_ATTEST_OK);
        ck_assert(r2.state.known);
        ck_assert_uint_gt(r2.state.clock, r1.state.clock);

        for (size_t i = 0; i < sizeof(replay_cases) / sizeof(replay_cases[0]); i++) {
                const struct replay_case *c = &replay_cases[i];
                _cleanup_buf_ struct h_buf challenge = { 0 }, response = { 0 };
                _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
                struct ae_node_replay_state prev;
                struct ae_node_result res;
                enum ae_attest_reason got;
                TPMS_CLOCK_INFO q;

                ck_assert_reason(h_challenge(&s, &payload, &challenge, &p), AE_ATTEST_OK);
                h_respond_ok(a, &challenge, &response);
                q = h_quote_clock(&response);
                /* swtpm starts with TPM2_Startup(CLEAR): resetCount >= 1. */
                ck_assert_uint_ge(q.resetCount, 1);
                ck_assert_uint_gt(q.clock, 0);

                memset(&prev, 0, sizeof(prev));
                prev.known = c->known;
                prev.reset_count = (uint32_t)((int64_t)q.resetCount + c->d_reset);
                prev.restart_count = (uint32_t)((int64_t)q.restartCount + c->d_restart);
                prev.clock = c->clock == CLOCK_ZERO     ? 0
                             : c->clock == CLOCK_SAME   ? q.clock
                             : c->clock == CLOCK_AHEAD  ? q.clock + 60000
                             : c->clock == CLOCK_BEHIND ? q.clock - 1
                                                        : UINT64_MAX;
                got = h_verify(&s, p, &response, &prev, &res);
                ck_assert_msg(got == c->want, "%s: %s, expected %s", c->name,
                              ae_attest_reason_id(got), ae_attest_reason_id(c->want));
                if (got != AE_ATTEST_OK)
                        continue;
                /* The new state is the quote's. */
                ck_assert(res.state.known);
                ck_assert_uint_eq(res.state.clock, q.clock);
                ck_assert_uint_eq(res.state.reset_count, q.resetCount);
                ck_assert_uint_eq(res.state.restart_count, q.restartCount);
        }
}
END_TEST

void attest_add_path_tests(TCase *tc)
{
        tcase_add_loop_test(tc, happy_path, 0, sizeof(combos) / sizeof(combos[0]));
        tcase_add_test(tc, ak_persisted_and_reused);
        tcase_add_test(tc, pcr_policy_debug_pcr);
        tcase_add_test(tc, replay_state);
}

int main(void)
{
        Suite *s = suite_create("attest_tpm");
        TCase *tc = tcase_create("swtpm");
        int rc;

        h_global_init(AK_HANDLE);

        /* RSA AK creation takes swtpm ~0.5 s; valgrind slows the rest. */
        tcase_set_timeout(tc, 300);
        tcase_add_checked_fixture(tc, h_setup, h_teardown);
        attest_add_path_tests(tc);
        attest_add_identity_tests(tc);
        attest_add_answer_tests(tc);
        attest_add_message_tests(tc);
        suite_add_tcase(s, tc);

        rc = ae_check_run(s);
        h_global_cleanup();
        return rc;
}
