/* Truncated, oversized and garbage messages at every step of node
 * attestation (attest_tpm.c): the payload and the response into the server
 * (exact reasons), the challenge into the agent (exact errnos). Each is
 * refused before anything else looks at it, and refusing it disturbs
 * nothing: the genuine message still passes afterwards. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest_harness.h"
#include "node-attestor/attest_limits.h"

/* ---- malformed messages ------------------------------------------------- */

START_TEST(payload_malformed)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 }, bad = { 0 }, big = { 0 };
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *m = NULL;
        AePayloadMsg e;

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        m = h_payload_decode(&payload);

        h_buf_set(&bad, payload.data, payload.len - 1);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_MESSAGE_MALFORMED);
        h_buf_garbage(&bad, 17 * 1024, 17);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_MESSAGE_TOO_LARGE);
        h_buf_garbage(&bad, 512, 1);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_MESSAGE_MALFORMED);
        h_buf_set(&bad, NULL, 0); /* version 0 */
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_VERSION_UNSUPPORTED);

        e = *m;
        e.version = 2;
        h_pack(&e.base, &bad);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_VERSION_UNSUPPORTED);

        /* Well-formed, but over the message limit. */
        h_buf_garbage(&big, 17 * 1024, 3);
        e = *m;
        e.location_sensor = ae_attest_bytes(big.data, big.len);
        h_pack(&e.base, &bad);
        ck_assert_uint_gt(bad.len, AE_ATTEST_MESSAGE_MAX);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_MESSAGE_TOO_LARGE);

        /* A field over its own limit. */
        e = *m;
        e.ek_certificate = ae_attest_bytes(big.data, AE_ATTEST_EK_CERT_MAX + 1);
        h_pack(&e.base, &bad);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_MESSAGE_TOO_LARGE);
        e = *m;
        e.ak_public = ae_attest_bytes(big.data, AE_ATTEST_TPM_PUBLIC_MAX + 1);
        h_pack(&e.base, &bad);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_MESSAGE_TOO_LARGE);
        e = *m;
        e.location_sensor = ae_attest_bytes(big.data, AE_ATTEST_LOCATION_SENSOR_MAX + 1);
        h_pack(&e.base, &bad);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_MESSAGE_TOO_LARGE);

        /* Well-formed messages with garbage in a field. */
        e = *m;
        e.ek_public = ae_attest_bytes(big.data, 64);
        h_pack(&e.base, &bad);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_EK_PUBLIC_INVALID);
        e = *m;
        e.ek_public = ae_attest_bytes(NULL, 0);
        h_pack(&e.base, &bad);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_EK_PUBLIC_INVALID);
        e = *m;
        e.ek_certificate = ae_attest_bytes(big.data, 600);
        h_pack(&e.base, &bad);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_EK_CERT_MALFORMED);
        e = *m;
        e.ak_public = ae_attest_bytes(big.data, 64);
        h_pack(&e.base, &bad);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_AK_PUBLIC_INVALID);

        /* And the payload itself, re-packed, still passes. */
        e = *m;
        h_pack(&e.base, &bad);
        ck_assert_reason(h_challenge(&s, &bad, NULL, NULL), AE_ATTEST_OK);
}
END_TEST

START_TEST(challenge_malformed)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 }, challenge = { 0 }, bad = { 0 }, big = { 0 },
                                   response = { 0 };
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
        _cleanup_(ae_attest_challenge_freep) AeChallengeMsg *m = NULL;
        AeChallengeMsg e;
        size_t n = 0;

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        ck_assert_reason(h_challenge(&s, &payload, &challenge, &p), AE_ATTEST_OK);
        m = h_challenge_decode(&challenge);
        h_buf_garbage(&big, 17 * 1024, 5);

#define EXPECT(what, err)                                                                      \
        do {                                                                                   \
                int r_ = h_respond(a, &bad, NULL, 0, &response);                               \
                ck_assert_msg(r_ == (err), "challenge %s: %d, expected %d", what, r_, err);    \
                n++;                                                                           \
        } while (0)

        h_buf_set(&bad, challenge.data, challenge.len - 1);
        EXPECT("truncated", -EBADMSG);
        h_buf_garbage(&bad, 17 * 1024, 17);
        EXPECT("17 KiB", -EMSGSIZE);
        h_buf_garbage(&bad, 512, 1);
        EXPECT("garbage", -EBADMSG);

        e = *m;
        e.version = 2;
        h_pack(&e.base, &bad);
        EXPECT("version 2", -EPROTONOSUPPORT);
        e = *m;
        e.nonce.len = AE_ATTEST_NONCE_LEN - 1;
        h_pack(&e.base, &bad);
        EXPECT("31-byte nonce", -EBADMSG);
        e = *m;
        e.nonce = ae_attest_bytes(big.data, AE_ATTEST_NONCE_LEN + 1);
        h_pack(&e.base, &bad);
        EXPECT("33-byte nonce", -EBADMSG);
        e = *m;
        e.nonce = ae_attest_bytes(NULL, 0);
        h_pack(&e.base, &bad);
        EXPECT("no nonce", -EBADMSG);
        e = *m;
        e.credential_blob = ae_attest_bytes(big.data, AE_ATTEST_CREDENTIAL_BLOB_MAX + 1);
        h_pack(&e.base, &bad);
        EXPECT("credential blob over its limit", -EMSGSIZE);
        e = *m;
        e.encrypted_secret = ae_attest_bytes(big.data, AE_ATTEST_ENCRYPTED_SECRET_MAX + 1);
        h_pack(&e.base, &bad);
        EXPECT("encrypted secret over its limit", -EMSGSIZE);
        e = *m;
        e.pcr_selection = ae_attest_bytes(big.data, AE_ATTEST_PCR_SELECTION_MAX + 1);
        h_pack(&e.base, &bad);
        EXPECT("PCR selection over its limit", -EMSGSIZE);
        e = *m;
        e.pcr_selection = ae_attest_bytes(big.data, 10);
        h_pack(&e.base, &bad);
        EXPECT("PCR selection garbage", -EBADMSG);
        e = *m;
        e.credential_blob = ae_attest_bytes(big.data, 40);
        h_pack(&e.base, &bad);
        EXPECT("credential blob garbage", -EBADMSG);
        e = *m;
        e.encrypted_secret.len--;
        h_pack(&e.base, &bad);
        EXPECT("encrypted secret truncated", -EBADMSG);
#undef EXPECT
        ck_assert_uint_eq(n, 13);

        /* None of it wedged the agent: the real challenge still passes. */
        h_respond_ok(a, &challenge, &response);
        ck_assert_reason(h_verify(&s, p, &response, NULL, NULL), AE_ATTEST_OK);
}
END_TEST

START_TEST(response_malformed)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 }, challenge = { 0 }, response = { 0 },
                                   bad = { 0 }, big = { 0 };
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *p0 = NULL;
        _cleanup_(ae_attest_response_freep) AeResponseMsg *m = NULL;
        AePcrValueMsg pv[AE_ATTEST_PCR_VALUES_MAX + 1], *pp[AE_ATTEST_PCR_VALUES_MAX + 1];
        AeResponseMsg e;

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        ck_assert_reason(h_challenge(&s, &payload, &challenge, &p0), AE_ATTEST_OK);
        h_respond_ok(a, &challenge, &response);
        m = h_response_decode(&response);
        h_buf_garbage(&big, 17 * 1024, 7);

        /* Decoding fails before any check: each gets a pending challenge of
         * its own (one answer per challenge). */
#define EXPECT(what, reason)                                                                   \
        do {                                                                                   \
                _cleanup_(ae_node_pending_freep) struct ae_node_pending *p_ = NULL;            \
                enum ae_attest_reason got_;                                                    \
                                                                                               \
                ck_assert_reason(h_challenge(&s, &payload, NULL, &p_), AE_ATTEST_OK);          \
                got_ = h_verify(&s, p_, &bad, NULL, NULL);                                     \
                ck_assert_msg(got_ == (reason), "response %s: %s, expected %s", what,          \
                              ae_attest_reason_id(got_), ae_attest_reason_id(reason));         \
                /* ... which it has used up. */                                                \
                ck_assert_reason(h_verify(&s, p_, &response, NULL, NULL),                      \
                                 AE_ATTEST_CHALLENGE_USED);                                    \
        } while (0)

        h_buf_set(&bad, response.data, response.len - 1);
        EXPECT("truncated", AE_ATTEST_MESSAGE_MALFORMED);
        h_buf_garbage(&bad, 17 * 1024, 17);
        EXPECT("17 KiB", AE_ATTEST_MESSAGE_TOO_LARGE);
        h_buf_garbage(&bad, 512, 1);
        EXPECT("garbage", AE_ATTEST_MESSAGE_MALFORMED);

        e = *m;
        e.version = 2;
        h_pack(&e.base, &bad);
        EXPECT("version 2", AE_ATTEST_VERSION_UNSUPPORTED);
        e = *m;
        e.location_claim = ae_attest_bytes(big.data, big.len);
        h_pack(&e.base, &bad);
        EXPECT("well-formed, 17 KiB", AE_ATTEST_MESSAGE_TOO_LARGE);
        e = *m;
        e.activated_secret = ae_attest_bytes(big.data, AE_ATTEST_SECRET_MAX + 1);
        h_pack(&e.base, &bad);
        EXPECT("secret over its limit", AE_ATTEST_MESSAGE_TOO_LARGE);
        e = *m;
        e.quote = ae_attest_bytes(big.data, AE_ATTEST_QUOTE_MAX + 1);
        h_pack(&e.base, &bad);
        EXPECT("quote over its limit", AE_ATTEST_MESSAGE_TOO_LARGE);
        e = *m;
        e.quote_signature = ae_attest_bytes(big.data, AE_ATTEST_SIGNATURE_MAX + 1);
        h_pack(&e.base, &bad);
        EXPECT("signature over its limit", AE_ATTEST_MESSAGE_TOO_LARGE);
        e = *m;
        e.location_claim = ae_attest_bytes(big.data, AE_ATTEST_LOCATION_CLAIM_MAX + 1);
        h_pack(&e.base, &bad);
        EXPECT("location claim over its limit", AE_ATTEST_MESSAGE_TOO_LARGE);

        e = *m;
        for (size_t i = 0; i < e.n_pcr_values; i++) {
                pv[i] = *e.pcr_values[i];
                pp[i] = &pv[i];
        }
        e.pcr_values = pp;
        pv[0].digest = ae_attest_bytes(big.data, AE_PCR_DIGEST_MAX + 1);
        h_pack(&e.base, &bad);
        EXPECT("PCR digest over its limit", AE_ATTEST_MESSAGE_TOO_LARGE);

        e = *m;
        for (size_t i = 0; i <= AE_ATTEST_PCR_VALUES_MAX; i++) {
                pv[i] = *m->pcr_values[i % m->n_pcr_values];
                pv[i].index = (uint32_t)(i % AE_PCR_COUNT);
                pp[i] = &pv[i];
        }
        e.pcr_values = pp;
        e.n_pcr_values = AE_ATTEST_PCR_VALUES_MAX + 1;
        h_pack(&e.base, &bad);
        EXPECT("97 PCR values", AE_ATTEST_MESSAGE_TOO_LARGE);
#undef EXPECT

        /* The untouched response still passes on its own challenge. */
        ck_assert_reason(h_verify(&s, p0, &response, NULL, NULL), AE_ATTEST_OK);
}
END_TEST

void attest_add_message_tests(TCase *tc)
{
        tcase_add_test(tc, payload_malformed);
        tcase_add_test(tc, challenge_malformed);
        tcase_add_test(tc, response_malformed);
}
