/* The answer step of node attestation (attest_tpm.c): the credential only
 * the EK's TPM can activate, the quote and everything it binds (nonce, PCR
 * selection and values, location claim), and one answer per challenge. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <tss2/tss2_mu.h>

#include "attest_harness.h"
#include "node-attestor/attest_limits.h"
#include "node-attestor/verify/make_credential.h"
#include "node-attestor/verify/tpm_public.h"

/* ---- credential activation ------------------------------------------------ */

/* What the rogue TPM answers when asked to activate a credential made for
 * another EK (activate.h), as swtpm does it: for RSA the seed does not
 * decrypt and libtpms 0.9 reports TPM_RC_FAILURE (-EIO; the spec's
 * TPM_RC_VALUE would be -EINVAL); for ECC the seed derived with the wrong
 * key fails the credential's HMAC, TPM_RC_INTEGRITY (-EPROTO). */
static const struct {
        enum ae_tpm_ek_alg ek;
        int err;
} rogue_activation[] = {
        { AE_TPM_EK_RSA2048, -EIO },
        { AE_TPM_EK_ECC_P256, -EPROTO },
};

/* The rogue TPM's AK offered beside the good TPM's EK: the server's
 * credential is for the good EK, so the rogue TPM cannot activate it, and a
 * guessed answer with an otherwise perfect rogue quote is refused. */
START_TEST(credential_rogue_ak)
{
        const enum ae_tpm_ek_alg ek_alg = rogue_activation[_i].ek;
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL, *rogue = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 }, rogue_payload = { 0 }, mixed = { 0 };
        _cleanup_buf_ struct h_buf challenge = { 0 }, own = { 0 }, response = { 0 },
                                   forged = { 0 };
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *rp = NULL;
        _cleanup_(ae_attest_challenge_freep) AeChallengeMsg *c = NULL;
        _cleanup_(ae_attest_response_freep) AeResponseMsg *rm = NULL;
        uint8_t secret[AE_ATTEST_SECRET_LEN], guess[AE_ATTEST_SECRET_LEN];
        uint8_t blob[AE_MAKE_CREDENTIAL_BLOB_MAX], enc[AE_MAKE_CREDENTIAL_ENC_SECRET_MAX];
        uint8_t name[AE_TPM_NAME_MAX];
        size_t blob_len, enc_len, name_len;
        TPM2B_PUBLIC rogue_ek, rogue_ak;
        AeChallengeMsg ce;
        AeResponseMsg re;
        int r;

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, ek_alg, AE_TPM_AK_ECC_P256, 0);
        rogue = h_agent_open(H_ROGUE, ek_alg, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        h_payload(rogue, &rogue_payload);
        ae_node_agent_free(TAKE_PTR(a));

        /* Good certificate and EK, rogue AK: a payload the server accepts. */
        {
                _cleanup_(ae_attest_payload_freep) AePayloadMsg *m = h_payload_decode(&payload);
                AePayloadMsg e = *m;

                rp = h_payload_decode(&rogue_payload);
                e.ak_public = rp->ak_public;
                h_pack(&e.base, &mixed);
        }
        ck_assert_reason(h_challenge(&s, &mixed, &challenge, &p), AE_ATTEST_OK);

        /* The rogue TPM holds the AK but not the EK: activation fails in
         * the TPM. */
        r = h_respond(rogue, &challenge, NULL, 0, &response);
        ck_assert_msg(r == rogue_activation[_i].err, "%s EK: respond %d, expected %d (%s)",
                      ae_tpm_ek_alg_name(ek_alg), r, rogue_activation[_i].err,
                      ae_node_agent_last_error(rogue));
        ck_assert_str_ne(ae_node_agent_last_error(rogue), "");
        ck_assert_ptr_nonnull(strstr(ae_node_agent_last_error(rogue), "ActivateCredential"));

        /* So a malicious agent answers with a real quote by the rogue AK
         * over the challenge's nonce and PCRs (got by giving its TPM a
         * credential it can activate) and a guessed secret. */
        ck_assert_int_eq(ae_tpm_public_parse(rp->ek_public.data, rp->ek_public.len, &rogue_ek),
                         0);
        ck_assert_int_eq(ae_tpm_public_parse(rp->ak_public.data, rp->ak_public.len, &rogue_ak),
                         0);
        ck_assert_int_eq(ae_tpm_public_name(&rogue_ak, name, sizeof(name), &name_len), 0);
        ck_assert_int_eq(RAND_bytes(secret, sizeof(secret)), 1);
        ck_assert_int_eq(ae_make_credential(&rogue_ek, name, name_len, secret, sizeof(secret),
                                            blob, sizeof(blob), &blob_len, enc, sizeof(enc),
                                            &enc_len),
                         0);
        c = h_challenge_decode(&challenge);
        ce = *c;
        ce.credential_blob = ae_attest_bytes(blob, blob_len);
        ce.encrypted_secret = ae_attest_bytes(enc, enc_len);
        h_pack(&ce.base, &own);
        h_respond_ok(rogue, &own, &response);

        rm = h_response_decode(&response);
        ck_assert_uint_eq(rm->activated_secret.len, sizeof(secret));
        ck_assert_mem_eq(rm->activated_secret.data, secret, sizeof(secret));
        ck_assert_int_eq(RAND_bytes(guess, sizeof(guess)), 1);
        re = *rm;
        re.activated_secret = ae_attest_bytes(guess, sizeof(guess));
        h_pack(&re.base, &forged);
        ck_assert_reason(h_verify(&s, p, &forged, NULL, NULL), AE_ATTEST_CREDENTIAL_MISMATCH);
}
END_TEST

/* A response answers one challenge, once. */
START_TEST(response_replayed)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 }, c1 = { 0 }, c2 = { 0 }, r1 = { 0 },
                                   r2 = { 0 };
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *p1 = NULL, *p2 = NULL;
        struct ae_node_result res;

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        ck_assert_reason(h_challenge(&s, &payload, &c1, &p1), AE_ATTEST_OK);
        ck_assert_reason(h_challenge(&s, &payload, &c2, &p2), AE_ATTEST_OK);
        h_respond_ok(a, &c1, &r1);

        /* Against another challenge: another secret. */
        ck_assert_reason(h_verify(&s, p2, &r1, NULL, NULL), AE_ATTEST_CREDENTIAL_MISMATCH);
        /* Its own challenge takes it, once. */
        ck_assert_reason(h_verify(&s, p1, &r1, NULL, &res), AE_ATTEST_OK);
        ck_assert_reason(h_verify(&s, p1, &r1, NULL, NULL), AE_ATTEST_CHALLENGE_USED);
        /* The refused attempt used up the second challenge too. */
        h_respond_ok(a, &c2, &r2);
        ck_assert_reason(h_verify(&s, p2, &r2, NULL, NULL), AE_ATTEST_CHALLENGE_USED);
}
END_TEST

/* ---- quote --------------------------------------------------------------- */

/* Scratch space for editing one message (static: large). */
static struct {
        uint8_t bytes[4][AE_ATTEST_MESSAGE_MAX + 1024];
        AePcrValueMsg pv[AE_ATTEST_PCR_VALUES_MAX + 2];
        AePcrValueMsg *pp[AE_ATTEST_PCR_VALUES_MAX + 2];
} sc;

static void copy_field(ProtobufCBinaryData *f, int slot)
{
        memcpy(sc.bytes[slot], f->data, f->len);
        f->data = sc.bytes[slot];
}

/* The response's PCR values as a private, editable array. */
static void copy_values(AeResponseMsg *e)
{
        for (size_t i = 0; i < e->n_pcr_values; i++) {
                sc.pv[i] = *e->pcr_values[i];
                sc.pp[i] = &sc.pv[i];
        }
        e->pcr_values = sc.pp;
}

static size_t find_value(const AeResponseMsg *e, uint32_t index)
{
        for (size_t i = 0; i < e->n_pcr_values; i++)
                if (e->pcr_values[i]->hash_alg == H_QUOTE_BANK &&
                    e->pcr_values[i]->index == index)
                        return i;
        ck_abort_msg("no value for PCR %u", index);
        return 0;
}

static void r_unchanged(AeResponseMsg *e)
{
        (void)e;
}
static void r_sig_flip(AeResponseMsg *e)
{
        copy_field(&e->quote_signature, 0);
        e->quote_signature.data[e->quote_signature.len - 1] ^= 0x01;
}
static void r_attest_flip(AeResponseMsg *e)
{
        /* The last bytes are the PCR digest: still a well-formed quote. */
        copy_field(&e->quote, 0);
        e->quote.data[e->quote.len - 1] ^= 0x01;
}
static void r_attest_clock_flip(AeResponseMsg *e)
{
        TPMS_ATTEST a;
        size_t off = 0;

        copy_field(&e->quote, 0);
        ck_assert_int_eq(Tss2_MU_TPMS_ATTEST_Unmarshal(e->quote.data, e->quote.len, &off, &a),
                         0);
        a.clockInfo.clock += 1000; /* what a replayer would like */
        off = 0;
        ck_assert_int_eq(
                Tss2_MU_TPMS_ATTEST_Marshal(&a, e->quote.data, sizeof(sc.bytes[0]), &off), 0);
        ck_assert_uint_eq(off, e->quote.len);
}
static void r_magic_flip(AeResponseMsg *e)
{
        copy_field(&e->quote, 0);
        e->quote.data[0] ^= 0x01;
}
static void r_quote_truncated(AeResponseMsg *e)
{
        e->quote.len--;
}
static void r_sig_truncated(AeResponseMsg *e)
{
        e->quote_signature.len--;
}
static void r_sig_hash(AeResponseMsg *e)
{
        TPMT_SIGNATURE s;
        size_t off = 0;

        ck_assert_int_eq(Tss2_MU_TPMT_SIGNATURE_Unmarshal(e->quote_signature.data,
                                                          e->quote_signature.len, &off, &s),
                         0);
        if (s.sigAlg == TPM2_ALG_ECDSA)
                s.signature.ecdsa.hash = TPM2_ALG_SHA384;
        else
                s.signature.rsassa.hash = TPM2_ALG_SHA384;
        off = 0;
        ck_assert_int_eq(
                Tss2_MU_TPMT_SIGNATURE_Marshal(&s, sc.bytes[0], sizeof(sc.bytes[0]), &off), 0);
        e->quote_signature = ae_attest_bytes(sc.bytes[0], off);
}
static void r_sig_other_alg(AeResponseMsg *e)
{
        TPMT_SIGNATURE s, other;
        size_t off = 0;

        ck_assert_int_eq(Tss2_MU_TPMT_SIGNATURE_Unmarshal(e->quote_signature.data,
                                                          e->quote_signature.len, &off, &s),
                         0);
        memset(&other, 0, sizeof(other));
        if (s.sigAlg == TPM2_ALG_ECDSA) {
                other.sigAlg = TPM2_ALG_RSASSA;
                other.signature.rsassa.hash = TPM2_ALG_SHA256;
                other.signature.rsassa.sig.size = 256;
                memset(other.signature.rsassa.sig.buffer, 0x42, 256);
        } else {
                other.sigAlg = TPM2_ALG_ECDSA;
                other.signature.ecdsa.hash = TPM2_ALG_SHA256;
                other.signature.ecdsa.signatureR.size = 32;
                other.signature.ecdsa.signatureS.size = 32;
                memset(other.signature.ecdsa.signatureR.buffer, 0x42, 32);
                memset(other.signature.ecdsa.signatureS.buffer, 0x42, 32);
        }
        off = 0;
        ck_assert_int_eq(
                Tss2_MU_TPMT_SIGNATURE_Marshal(&other, sc.bytes[0], sizeof(sc.bytes[0]), &off),
                0);
        e->quote_signature = ae_attest_bytes(sc.bytes[0], off);
}
static void r_pcr_changed(AeResponseMsg *e)
{
        size_t i;

        copy_values(e);
        i = find_value(e, H_DEBUG_PCR);
        copy_field(&sc.pv[i].digest, 1);
        sc.pv[i].digest.data[0] ^= 0x80;
}
static void r_pcr_removed(AeResponseMsg *e)
{
        size_t i;

        copy_values(e);
        i = find_value(e, 3);
        sc.pp[i] = sc.pp[--e->n_pcr_values];
}
static void r_pcr_extra(AeResponseMsg *e)
{
        static const uint8_t zero[32];

        copy_values(e);
        aegis__node__v1__pcr_value__init(&sc.pv[e->n_pcr_values]);
        sc.pv[e->n_pcr_values].hash_alg = H_QUOTE_BANK;
        sc.pv[e->n_pcr_values].index = 8;
        sc.pv[e->n_pcr_values].digest = ae_attest_bytes(zero, sizeof(zero));
        sc.pp[e->n_pcr_values] = &sc.pv[e->n_pcr_values];
        e->n_pcr_values++;
}
static void r_pcr_duplicate(AeResponseMsg *e)
{
        copy_values(e);
        sc.pp[e->n_pcr_values++] = sc.pp[0];
}
static void r_pcr_short(AeResponseMsg *e)
{
        copy_values(e);
        sc.pv[0].digest.len = 31;
}
static void r_pcr_index(AeResponseMsg *e)
{
        copy_values(e);
        sc.pv[0].index = AE_PCR_COUNT;
}
static void r_pcr_bank(AeResponseMsg *e)
{
        copy_values(e);
        sc.pv[0].hash_alg = 0x10000 | H_QUOTE_BANK; /* not a TPM_ALG_ID */
}
static void r_claim_added(AeResponseMsg *e)
{
        static const char claim[] = "{\"lat\":52.52,\"lon\":13.40}";

        e->location_claim = ae_attest_bytes(claim, sizeof(claim) - 1);
}
static void r_secret_flip(AeResponseMsg *e)
{
        copy_field(&e->activated_secret, 2);
        e->activated_secret.data[0] ^= 0x01;
}
static void r_secret_empty(AeResponseMsg *e)
{
        e->activated_secret.len = 0;
}
static void r_secret_short(AeResponseMsg *e)
{
        e->activated_secret.len--;
}

static const struct response_edit {
        const char *name;
        void (*edit)(AeResponseMsg *e);
        enum ae_attest_reason want;
} response_edits[] = {
        { "unchanged (re-packed)", r_unchanged, AE_ATTEST_OK },
        { "signature flipped", r_sig_flip, AE_ATTEST_QUOTE_SIGNATURE_INVALID },
        { "quote flipped", r_attest_flip, AE_ATTEST_QUOTE_SIGNATURE_INVALID },
        { "quote clock moved", r_attest_clock_flip, AE_ATTEST_QUOTE_SIGNATURE_INVALID },
        { "quote magic flipped", r_magic_flip, AE_ATTEST_QUOTE_NOT_A_QUOTE },
        { "quote truncated", r_quote_truncated, AE_ATTEST_QUOTE_MALFORMED },
        { "signature truncated", r_sig_truncated, AE_ATTEST_QUOTE_MALFORMED },
        { "signature hash SHA-384", r_sig_hash, AE_ATTEST_QUOTE_SIGNATURE_SCHEME },
        { "signature of the other algorithm", r_sig_other_alg,
          AE_ATTEST_QUOTE_SIGNATURE_SCHEME },
        { "PCR value changed", r_pcr_changed, AE_ATTEST_PCR_DIGEST_MISMATCH },
        { "PCR value removed", r_pcr_removed, AE_ATTEST_PCR_VALUES_INCOMPLETE },
        { "PCR value added", r_pcr_extra, AE_ATTEST_PCR_VALUES_INCOMPLETE },
        { "PCR value twice", r_pcr_duplicate, AE_ATTEST_MESSAGE_MALFORMED },
        { "PCR value short", r_pcr_short, AE_ATTEST_MESSAGE_MALFORMED },
        { "PCR index 24", r_pcr_index, AE_ATTEST_MESSAGE_MALFORMED },
        { "PCR bank not an algorithm", r_pcr_bank, AE_ATTEST_MESSAGE_MALFORMED },
        { "location claim added after the quote", r_claim_added,
          AE_ATTEST_QUOTE_NONCE_MISMATCH },
        { "activated secret flipped", r_secret_flip, AE_ATTEST_CREDENTIAL_MISMATCH },
        { "activated secret empty", r_secret_empty, AE_ATTEST_CREDENTIAL_MISMATCH },
        { "activated secret short", r_secret_short, AE_ATTEST_CREDENTIAL_MISMATCH },
};

/* A fresh challenge answered by the agent, the answer edited, verified. */
static enum ae_attest_reason answer_edited(struct h_server *s, struct ae_node_agent *a,
                                           const struct h_buf *payload,
                                           void (*edit)(AeResponseMsg *e))
{
        _cleanup_buf_ struct h_buf challenge = { 0 }, response = { 0 }, edited = { 0 };
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
        _cleanup_(ae_attest_response_freep) AeResponseMsg *m = NULL;
        AeResponseMsg e;

        ck_assert_reason(h_challenge(s, payload, &challenge, &p), AE_ATTEST_OK);
        h_respond_ok(a, &challenge, &response);
        m = h_response_decode(&response);
        e = *m;
        edit(&e);
        h_pack(&e.base, &edited);
        return h_verify(s, p, &edited, NULL, NULL);
}

/* Each AK algorithm: RSASSA and ECDSA signatures are checked differently. */
START_TEST(response_tampering)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 };

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, (enum ae_tpm_ak_alg)_i, 0);
        h_payload(a, &payload);
        for (size_t i = 0; i < sizeof(response_edits) / sizeof(response_edits[0]); i++) {
                enum ae_attest_reason got =
                        answer_edited(&s, a, &payload, response_edits[i].edit);

                ck_assert_msg(got == response_edits[i].want, "%s (AK %s): %s, expected %s",
                              response_edits[i].name, ae_tpm_ak_alg_name(_i),
                              ae_attest_reason_id(got),
                              ae_attest_reason_id(response_edits[i].want));
        }
}
END_TEST

/* The challenge changed on its way to the agent: the TPM signs what it was
 * asked, which is not what the server asked. */
static void c_nonce(AeChallengeMsg *e)
{
        copy_field(&e->nonce, 0);
        e->nonce.data[AE_ATTEST_NONCE_LEN - 1] ^= 0x01;
}

static void set_selection(AeChallengeMsg *e, const TPML_PCR_SELECTION *sel)
{
        size_t off = 0;

        ck_assert_int_eq(
                Tss2_MU_TPML_PCR_SELECTION_Marshal(sel, sc.bytes[1], sizeof(sc.bytes[1]), &off),
                0);
        e->pcr_selection = ae_attest_bytes(sc.bytes[1], off);
}

static void c_without_16(AeChallengeMsg *e)
{
        TPML_PCR_SELECTION sel = *h_quote_selection();

        sel.pcrSelections[0].pcrSelect[H_DEBUG_PCR / 8] &= (uint8_t) ~(1u << (H_DEBUG_PCR % 8));
        set_selection(e, &sel);
}
static void c_with_8(AeChallengeMsg *e)
{
        TPML_PCR_SELECTION sel = *h_quote_selection();

        sel.pcrSelections[0].pcrSelect[1] |= 0x01;
        set_selection(e, &sel);
}
static void c_sha1_bank(AeChallengeMsg *e)
{
        TPML_PCR_SELECTION sel = *h_quote_selection();

        ck_assert_int_eq(sel.pcrSelections[0].hash, TPM2_ALG_SHA256);
        sel.pcrSelections[0].hash = TPM2_ALG_SHA1;
        set_selection(e, &sel);
}

static const struct challenge_edit {
        const char *name;
        void (*edit)(AeChallengeMsg *e);
        enum ae_attest_reason want;
} challenge_edits[] = {
        { "nonce altered", c_nonce, AE_ATTEST_QUOTE_NONCE_MISMATCH },
        { "PCR 16 dropped from the selection", c_without_16,
          AE_ATTEST_QUOTE_PCR_SELECTION_MISMATCH },
        { "PCR 8 added to the selection", c_with_8, AE_ATTEST_QUOTE_PCR_SELECTION_MISMATCH },
        { "SHA-1 bank instead of SHA-256", c_sha1_bank,
          AE_ATTEST_QUOTE_PCR_SELECTION_MISMATCH },
};

START_TEST(challenge_tampering)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 };

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        for (size_t i = 0; i < sizeof(challenge_edits) / sizeof(challenge_edits[0]); i++) {
                _cleanup_buf_ struct h_buf challenge = { 0 }, edited = { 0 }, response = { 0 };
                _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
                _cleanup_(ae_attest_challenge_freep) AeChallengeMsg *m = NULL;
                AeChallengeMsg e;
                enum ae_attest_reason got;

                ck_assert_reason(h_challenge(&s, &payload, &challenge, &p), AE_ATTEST_OK);
                m = h_challenge_decode(&challenge);
                e = *m;
                challenge_edits[i].edit(&e);
                h_pack(&e.base, &edited);
                h_respond_ok(a, &edited, &response);
                got = h_verify(&s, p, &response, NULL, NULL);
                ck_assert_msg(got == challenge_edits[i].want, "%s: %s, expected %s",
                              challenge_edits[i].name, ae_attest_reason_id(got),
                              ae_attest_reason_id(challenge_edits[i].want));
        }
}
END_TEST

/* The location claim is bound into the quote's qualifying data: the one
 * quoted verifies (and is handed on), any other does not. */
START_TEST(location_claim_bound)
{
        static const char claim[] = "{\"lat\":48.137,\"lon\":11.575,\"sensor\":\"gps0\"}";
        static const char other[] = "{\"lat\":48.137,\"lon\":11.576,\"sensor\":\"gps0\"}";
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 };

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_ECC_P256, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        for (int variant = 0; variant < 3; variant++) {
                _cleanup_buf_ struct h_buf challenge = { 0 }, response = { 0 }, edited = { 0 };
                _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
                _cleanup_(ae_attest_response_freep) AeResponseMsg *m = NULL;
                struct ae_node_result res;
                AeResponseMsg e;

                ck_assert_reason(h_challenge(&s, &payload, &challenge, &p), AE_ATTEST_OK);
                ck_assert_int_eq(h_respond(a, &challenge, claim, sizeof(claim) - 1, &response),
                                 0);
                m = h_response_decode(&response);
                e = *m;
                if (variant == 0) {
                        ck_assert_reason(h_verify(&s, p, &response, NULL, &res), AE_ATTEST_OK);
                        ck_assert_uint_eq(res.location_claim_len, sizeof(claim) - 1);
                        ck_assert_mem_eq(res.location_claim, claim, sizeof(claim) - 1);
                        continue;
                }
                /* Changed after the quote, or dropped. */
                e.location_claim = variant == 1 ? ae_attest_bytes(other, sizeof(other) - 1)
                                                : ae_attest_bytes(NULL, 0);
                h_pack(&e.base, &edited);
                ck_assert_reason(h_verify(&s, p, &edited, NULL, NULL),
                                 AE_ATTEST_QUOTE_NONCE_MISMATCH);
        }
}
END_TEST

void attest_add_answer_tests(TCase *tc)
{
        tcase_add_loop_test(tc, credential_rogue_ak, 0,
                            sizeof(rogue_activation) / sizeof(rogue_activation[0]));
        tcase_add_test(tc, response_replayed);
        tcase_add_loop_test(tc, response_tampering, 0, AE_TPM_AK_ALG_COUNT);
        tcase_add_test(tc, challenge_tampering);
        tcase_add_test(tc, location_claim_bound);
}
