/* Harness of the node attestation end-to-end test (attest_tpm.c): the
 * fixture's TPMs and files, policies written to a scratch directory, the
 * server and agent steps wrapped so that every call also checks the
 * contract around it (outputs written only on success, replay state never
 * touched), and helpers to take messages apart and put them back together.
 *
 * swtpm serves one connection at a time and has no resource manager: the
 * tpm2-tools helpers must run with every agent of that TPM closed, and
 * objects or sessions a crashed test left behind stay until flushed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>
#include <tss2/tss2_tpm2_types.h>

#include "common/cleanup.h"
#include "node-attestor/attest_messages.h"
#include "node-attestor/pcrs.h"
#include "node-attestor/tpm/node_agent.h"
#include "node-attestor/verify/node_verifier.h"

/* Fixture variables (test/fixtures/swtpm-fixture). */
#define H_MAIN "AE_TPM_TCTI"
#define H_ROGUE "AE_TPM_ROGUE_TCTI"

#define H_TRUST_DOMAIN "aegis.test"
/* The manufacturer the fixture's EK certificates name (its tpm_dn,
 * TPMManufacturer id:53574D20, "SWM "). */
#define H_MANUFACTURER "53574D20"
/* The golden sets the default policies carry. */
#define H_SET_MAIN "base"
#define H_SET_ROGUE "rogue"

/* What the policies quote: sha256 PCRs 0-7 and 16 (16 is resettable). */
#define H_QUOTE_BANK TPM2_ALG_SHA256
#define H_DEBUG_PCR 16

/* ---- bytes ------------------------------------------------------------- */

struct h_buf {
        uint8_t *data;
        size_t len;
};

void h_buf_free(struct h_buf *b);
static inline void h_buf_freep(struct h_buf *b)
{
        h_buf_free(b);
}
#define _cleanup_buf_ _cleanup_(h_buf_freep)

/* A copy of data[0..len). */
void h_buf_set(struct h_buf *b, const void *data, size_t len);
/* len deterministic pseudo-random bytes from seed. */
void h_buf_garbage(struct h_buf *b, size_t len, uint32_t seed);

/* Pack any message without Aegis' size limit (so oversized ones can be
 * made), independently of ae_attest_pack. */
void h_pack(const ProtobufCMessage *m, struct h_buf *ret);

/* The library's own decoders, asserted to accept. */
AePayloadMsg *h_payload_decode(const struct h_buf *b);
AeChallengeMsg *h_challenge_decode(const struct h_buf *b);
AeResponseMsg *h_response_decode(const struct h_buf *b);

/* ---- once per run ------------------------------------------------------ */

/* In main(), before the tests: scratch directory, PCR 16 reset, the test's
 * persistent handle evicted, golden PCR values read from both TPMs. Exits
 * the process when the fixture is unusable. */
void h_global_init(uint32_t persistent_handle);
/* Remove the scratch directory (main, after the tests). */
void h_global_cleanup(void);

/* Golden values read at start: the quoted PCRs of the main / rogue TPM. */
const struct ae_pcr_values *h_golden_main(void);
const struct ae_pcr_values *h_golden_rogue(void);
/* The quoted selection (sha256 0-7, 16). */
const TPML_PCR_SELECTION *h_quote_selection(void);

/* ---- per test ---------------------------------------------------------- */

/* The tests, by theme (attest_tpm*.c). */
void attest_add_path_tests(TCase *tc);     /* happy paths, persisted AK, PCR policy, replay */
void attest_add_identity_tests(TCase *tc); /* EK trust modes, AK properties */
void attest_add_answer_tests(TCase *tc);   /* credential, quote, location claim */
void attest_add_message_tests(TCase *tc);  /* malformed messages at every step */

/* Checked setup: flush what an earlier (failed) test may have left in
 * either TPM and reset PCR 16. Checked teardown: assert that the test left
 * no transient object and no session in either TPM. */
void h_setup(void);
void h_teardown(void);

/* ---- tools ------------------------------------------------------------- */

/* Run a tpm2-tools command against the TPM of tcti_var (no shell); its exit
 * status. */
int h_tool_argv(const char *tcti_var, const char *const argv[]);
#define H_TOOL(tcti_var, ...)                                                                  \
        ck_assert_msg(h_tool_argv(tcti_var, (const char *const[]){ __VA_ARGS__, NULL }) == 0,  \
                      "%s failed", #__VA_ARGS__)

/* Transient objects / loaded sessions in a TPM, asked on a connection of
 * our own. */
uint32_t h_count_handles(const char *tcti_var, uint8_t handle_type);
/* Whether a persistent object is at handle. */
bool h_persistent_present(const char *tcti_var, uint32_t handle);
/* ae_tpm_persistent_evict through a connection of its own; its result. */
int h_evict(const char *tcti_var, uint32_t handle);

/* ---- identities, computed independently from the fixture's files ------- */

/* The fixture variable naming the EK certificate file of a TPM (H_MAIN or
 * H_ROGUE) and EK algorithm. */
const char *h_cert_var(const char *tcti_var, enum ae_tpm_ek_alg ek);

/* sha256 of the EK SubjectPublicKeyInfo DER of the certificate file in
 * cert_var (AE_TPM_EK_RSA_CERT, ...). */
void h_ek_id_from_cert(const char *cert_var, uint8_t ret[32]);
/* sha256 of the DER of the PEM certificate in pem_var (AE_EK_CA_ROOT). */
void h_cert_sha256(const char *pem_var, uint8_t ret[32]);
/* Lowercase hex, from a small ring of static buffers. */
const char *h_hex(const uint8_t *buf, size_t len);

/* ---- policy and server ------------------------------------------------- */

struct h_golden_set {
        const char *name;
        const struct ae_pcr_values *values;
};

struct h_policy_spec {
        const char *trust;         /* "ca", "allowlist", "ca_or_allowlist", ... */
        const char *ca_bundle_var; /* NULL: AE_EK_CA_BUNDLE (when trust needs one) */
        const uint8_t (*allow)[32];
        size_t n_allow;
        const struct h_golden_set *golden; /* NULL: { H_SET_MAIN, h_golden_main() } */
        size_t n_golden;
};

struct h_server {
        struct ae_policy *policy;
        struct ae_node_verifier *v;
};

/* Write the policy as JSON to the scratch directory, load it with
 * ae_policy_load_file and make a verifier for it. */
void h_server_open(struct h_server *s, const struct h_policy_spec *spec);
void h_server_close(struct h_server *s);
static inline void h_server_closep(struct h_server *s)
{
        h_server_close(s);
}
#define _cleanup_server_ _cleanup_(h_server_closep)

/* A server with one trust mode, the main TPM's golden set (H_SET_MAIN) and
 * an allowlist of up to two EK identities (NULL: none). */
void h_server_simple(struct h_server *s, const char *trust, const uint8_t *allow0,
                     const uint8_t *allow1);
/* The same with the rogue TPM's golden set (H_SET_ROGUE) and up to one
 * allowlisted identity. */
void h_server_rogue(struct h_server *s, const char *trust, const uint8_t *allow0);

/* ---- the steps, with their contracts checked --------------------------- */

/* ae_node_agent_open on the TPM of tcti_var; asserts success. */
struct ae_node_agent *h_agent_open(const char *tcti_var, enum ae_tpm_ek_alg ek,
                                   enum ae_tpm_ak_alg ak, uint32_t ak_handle);
void h_payload(struct ae_node_agent *a, struct h_buf *ret);

/* ae_node_challenge: returns the reason (a negative errno fails the test).
 * On OK, *ret_challenge and *ret_pending are set (either may be NULL: then
 * it is freed); otherwise it is asserted that neither output was written. */
enum ae_attest_reason h_challenge(struct h_server *s, const struct h_buf *payload,
                                  struct h_buf *ret_challenge,
                                  struct ae_node_pending **ret_pending);

/* ae_node_agent_respond: returns its result; on failure asserts *ret was
 * not written. h_respond_ok asserts success. */
int h_respond(struct ae_node_agent *a, const struct h_buf *challenge, const void *claim,
              size_t claim_len, struct h_buf *ret);
void h_respond_ok(struct ae_node_agent *a, const struct h_buf *challenge, struct h_buf *ret);

/* ae_node_verify: returns the reason (a negative errno fails the test).
 * Asserts *prev is unchanged, and on a refusal that the result was not
 * written; on OK copies it to *ret (when not NULL). */
enum ae_attest_reason h_verify(struct h_server *s, struct ae_node_pending *p,
                               const struct h_buf *response,
                               const struct ae_node_replay_state *prev,
                               struct ae_node_result *ret);

/* A whole attestation with an agent: payload, challenge, response, verify.
 * Asserts the payload is accepted and returns the verdict on the
 * response. */
enum ae_attest_reason h_attest(struct h_server *s, struct ae_node_agent *a,
                               const struct ae_node_replay_state *prev,
                               struct ae_node_result *ret);

/* Let the TPM's clock (milliseconds) move on, so two attestations in a row
 * cannot carry the same clock however fast the machine is. */
void h_tick(void);

/* The clock info of the quote in a response (parsed with libtss2-mu). */
TPMS_CLOCK_INFO h_quote_clock(const struct h_buf *response);

/* "kind:value" into buf, which it returns. */
const char *h_selector(char *buf, size_t size, const char *kind, const char *value);
/* The result's selectors are exactly want[0..n), in that order. */
/* res's selectors are want[0..n) followed by "level:por" (the harness'
 * policies have no location section). */
void h_assert_selectors(const struct ae_node_result *res, const char *const want[], size_t n);
/* The result names the agent spiffe://H_TRUST_DOMAIN/spire/agent/aegis_tpm/
 * <hex ek_id>. */
void h_assert_spiffe_id(const struct ae_node_result *res, const uint8_t ek_id[32]);

/* Assert a reason, naming both on failure. */
#define ck_assert_reason(got, want)                                                            \
        do {                                                                                   \
                enum ae_attest_reason h_got_ = (got), h_want_ = (want);                        \
                ck_assert_msg(h_got_ == h_want_, "reason %s, expected %s",                     \
                              ae_attest_reason_id(h_got_), ae_attest_reason_id(h_want_));      \
        } while (0)
