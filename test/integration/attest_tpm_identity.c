/* The payload step of node attestation (attest_tpm.c): which EKs each trust
 * mode accepts, with or without a certificate, and which AKs are refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "common/file.h"
#include "common/ossl.h"

#include "attest_harness.h"
#include "check_util.h"

/* ---- EK trust -------------------------------------------------------------- */

START_TEST(ek_rogue_under_ca)
{
        _cleanup_server_ struct h_server s = { 0 };

        h_server_simple(&s, "ca", NULL, NULL);
        for (int ek = 0; ek < AE_TPM_EK_ALG_COUNT; ek++) {
                _cleanup_(ae_node_agent_freep) struct ae_node_agent *a =
                        h_agent_open(H_ROGUE, (enum ae_tpm_ek_alg)ek, AE_TPM_AK_ECC_P256, 0);
                _cleanup_buf_ struct h_buf payload = { 0 };

                h_payload(a, &payload);
                ck_assert_reason(h_challenge(&s, &payload, NULL, NULL),
                                 AE_ATTEST_EK_CERT_UNTRUSTED);
        }
}
END_TEST

START_TEST(ek_not_allowlisted)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 };
        uint8_t rogue_id[32];

        h_ek_id_from_cert("AE_TPM_ROGUE_EK_RSA_CERT", rogue_id);
        h_server_simple(&s, "allowlist", rogue_id, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        ck_assert_reason(h_challenge(&s, &payload, NULL, NULL), AE_ATTEST_EK_NOT_ALLOWLISTED);
}
END_TEST

START_TEST(ek_allowlisted)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        struct ae_node_result res;
        uint8_t id[32], rogue_id[32];
        char sel[3][AE_NODE_SELECTOR_MAX];

        h_ek_id_from_cert("AE_TPM_EK_RSA_CERT", id);
        h_ek_id_from_cert("AE_TPM_ROGUE_EK_RSA_CERT", rogue_id);
        h_server_simple(&s, "allowlist", rogue_id, id);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        ck_assert_reason(h_attest(&s, a, NULL, &res), AE_ATTEST_OK);
        h_assert_spiffe_id(&res, id);
        /* No manufacturer CA vouched: no ek_ca selector. */
        h_assert_selectors(
                &res,
                (const char *const[]){
                        h_selector(sel[0], sizeof(sel[0]), "ek_hash", h_hex(id, 32)),
                        h_selector(sel[1], sizeof(sel[1]), "tpm_manufacturer", H_MANUFACTURER),
                        h_selector(sel[2], sizeof(sel[2]), "pcr_policy", H_SET_MAIN) },
                3);
}
END_TEST

START_TEST(ek_ca_or_allowlist)
{
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        struct ae_node_result res;
        uint8_t id[32], rogue_id[32];
        char sel[3][AE_NODE_SELECTOR_MAX];

        h_ek_id_from_cert("AE_TPM_EK_RSA_CERT", id);
        h_ek_id_from_cert("AE_TPM_ROGUE_EK_RSA_CERT", rogue_id);
        a = h_agent_open(H_ROGUE, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        {
                /* Untrusted CA, but allowlisted: accepted, with no ek_ca. */
                _cleanup_server_ struct h_server s = { 0 };

                h_server_rogue(&s, "ca_or_allowlist", rogue_id);
                ck_assert_reason(h_attest(&s, a, NULL, &res), AE_ATTEST_OK);
                h_assert_spiffe_id(&res, rogue_id);
                h_assert_selectors(
                        &res,
                        (const char *const[]){
                                h_selector(sel[0], sizeof(sel[0]), "ek_hash",
                                           h_hex(rogue_id, 32)),
                                h_selector(sel[1], sizeof(sel[1]), "tpm_manufacturer",
                                           H_MANUFACTURER),
                                h_selector(sel[2], sizeof(sel[2]), "pcr_policy", H_SET_ROGUE) },
                        3);
        }
        {
                /* Neither: the certificate's verdict is the reason. */
                _cleanup_server_ struct h_server s = { 0 };
                _cleanup_buf_ struct h_buf payload = { 0 };

                h_server_rogue(&s, "ca_or_allowlist", id);
                h_payload(a, &payload);
                ck_assert_reason(h_challenge(&s, &payload, NULL, NULL),
                                 AE_ATTEST_EK_CERT_UNTRUSTED);
        }
}
END_TEST

START_TEST(ek_ca_and_allowlist)
{
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL, *rogue = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 }, rogue_payload = { 0 };
        struct ae_node_result res;
        uint8_t id[32], rogue_id[32], root_id[32];
        char sel[4][AE_NODE_SELECTOR_MAX];

        h_ek_id_from_cert("AE_TPM_EK_RSA_CERT", id);
        h_ek_id_from_cert("AE_TPM_ROGUE_EK_RSA_CERT", rogue_id);
        h_cert_sha256("AE_EK_CA_ROOT", root_id);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        rogue = h_agent_open(H_ROGUE, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        h_payload(rogue, &rogue_payload);
        {
                /* Chains, but is not listed. */
                _cleanup_server_ struct h_server s = { 0 };

                h_server_simple(&s, "ca_and_allowlist", rogue_id, NULL);
                ck_assert_reason(h_challenge(&s, &payload, NULL, NULL),
                                 AE_ATTEST_EK_NOT_ALLOWLISTED);
                /* Listed, but does not chain. */
                ck_assert_reason(h_challenge(&s, &rogue_payload, NULL, NULL),
                                 AE_ATTEST_EK_CERT_UNTRUSTED);
        }
        {
                /* Both: accepted, and the CA is named. */
                _cleanup_server_ struct h_server s = { 0 };

                h_server_simple(&s, "ca_and_allowlist", id, NULL);
                ck_assert_reason(h_attest(&s, a, NULL, &res), AE_ATTEST_OK);
                h_assert_spiffe_id(&res, id);
                h_assert_selectors(
                        &res,
                        (const char *const[]){
                                h_selector(sel[0], sizeof(sel[0]), "ek_hash", h_hex(id, 32)),
                                h_selector(sel[1], sizeof(sel[1]), "ek_ca", h_hex(root_id, 32)),
                                h_selector(sel[2], sizeof(sel[2]), "tpm_manufacturer",
                                           H_MANUFACTURER),
                                h_selector(sel[3], sizeof(sel[3]), "pcr_policy", H_SET_MAIN) },
                        4);
        }
}
END_TEST

/* The agent's payload with the EK certificate left out, as from a TPM that
 * has none. */
static void strip_cert(const struct h_buf *payload, struct h_buf *ret)
{
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *m = h_payload_decode(payload);
        AePayloadMsg e = *m;

        e.ek_certificate = ae_attest_bytes(NULL, 0);
        h_pack(&e.base, ret);
}

START_TEST(ek_cert_removed)
{
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 }, bare = { 0 };
        uint8_t id[32], rogue_id[32];

        h_ek_id_from_cert("AE_TPM_EK_ECC_CERT", id);
        h_ek_id_from_cert("AE_TPM_ROGUE_EK_ECC_CERT", rogue_id);
        a = h_agent_open(H_MAIN, AE_TPM_EK_ECC_P256, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        strip_cert(&payload, &bare);
        {
                _cleanup_server_ struct h_server s = { 0 };

                h_server_simple(&s, "ca", NULL, NULL);
                ck_assert_reason(h_challenge(&s, &bare, NULL, NULL), AE_ATTEST_EK_CERT_MISSING);
        }
        {
                _cleanup_server_ struct h_server s = { 0 };

                h_server_simple(&s, "ca_or_allowlist", rogue_id, NULL);
                ck_assert_reason(h_challenge(&s, &bare, NULL, NULL),
                                 AE_ATTEST_EK_NOT_ALLOWLISTED);
        }
        {
                /* Allowlisted, it attests without a certificate: the identity
                 * comes from the EK public area and equals the one the
                 * certificate would have given; nothing names a CA or a
                 * manufacturer. */
                _cleanup_server_ struct h_server s = { 0 };
                _cleanup_buf_ struct h_buf challenge = { 0 }, response = { 0 };
                _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
                struct ae_node_result res;
                char sel[2][AE_NODE_SELECTOR_MAX];

                h_server_simple(&s, "allowlist", id, NULL);
                ck_assert_reason(h_challenge(&s, &bare, &challenge, &p), AE_ATTEST_OK);
                h_respond_ok(a, &challenge, &response);
                ck_assert_reason(h_verify(&s, p, &response, NULL, &res), AE_ATTEST_OK);
                h_assert_spiffe_id(&res, id);
                h_assert_selectors(
                        &res,
                        (const char *const[]){
                                h_selector(sel[0], sizeof(sel[0]), "ek_hash", h_hex(id, 32)),
                                h_selector(sel[1], sizeof(sel[1]), "pcr_policy", H_SET_MAIN) },
                        2);
        }
}
END_TEST

/* A payload made of parts of two: one's certificate, the other's EK public
 * area (and AK). */
static void franken_payload(const struct h_buf *cert_from, const struct h_buf *rest_from,
                            struct h_buf *ret)
{
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *c = h_payload_decode(cert_from);
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *m = h_payload_decode(rest_from);
        AePayloadMsg e = *m;

        e.ek_certificate = c->ek_certificate;
        h_pack(&e.base, ret);
}

START_TEST(ek_cert_key_mismatch)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL, *rogue = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 }, rogue_payload = { 0 }, mixed = { 0 };

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        rogue = h_agent_open(H_ROGUE, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        h_payload(rogue, &rogue_payload);

        /* The good TPM's certificate over the rogue TPM's EK. */
        franken_payload(&payload, &rogue_payload, &mixed);
        ck_assert_reason(h_challenge(&s, &mixed, NULL, NULL), AE_ATTEST_EK_CERT_KEY_MISMATCH);
        ae_node_agent_free(TAKE_PTR(a));

        /* The good TPM's RSA certificate over its own ECC EK. */
        a = h_agent_open(H_MAIN, AE_TPM_EK_ECC_P256, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &rogue_payload);
        franken_payload(&payload, &rogue_payload, &mixed);
        ck_assert_reason(h_challenge(&s, &mixed, NULL, NULL), AE_ATTEST_EK_CERT_KEY_MISMATCH);
}
END_TEST

/* ---- the verifier's EK cache --------------------------------------------- */

/* The fixture's EK certificate's notBefore (which) or notAfter (!which). */
static time_t cert_time(const char *cert_var, bool not_before)
{
        _cleanup_free_ uint8_t *der = NULL;
        _cleanup_(X509_freep) X509 *x = NULL;
        const unsigned char *p;
        struct tm tm;
        size_t len;

        ck_assert_int_eq(ae_file_read(ae_test_env(cert_var), 1 << 16, &der, &len), 0);
        p = der;
        x = d2i_X509(NULL, &p, (long)len);
        ck_assert_ptr_nonnull(x);
        ck_assert_int_eq(ASN1_TIME_to_tm(not_before ? X509_get0_notBefore(x)
                                                    : X509_get0_notAfter(x),
                                         &tm),
                         1);
        return timegm(&tm);
}

/* A verifier that has accepted an EK remembers it (ek_cache.h); that memory
 * must never hide a rejection: another EK under the same certificate, the
 * same certificate after it expired. And a remembered EK names the node
 * exactly as a first contact does. */
START_TEST(ek_cache_never_hides_a_rejection)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL, *rogue = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 }, rogue_payload = { 0 }, mixed = { 0 };
        struct ae_node_pending *pending = NULL;
        struct ae_node_result first, again;
        enum ae_attest_reason reason;
        uint8_t *challenge = NULL;
        size_t challenge_len;

        h_server_simple(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        ck_assert_reason(h_attest(&s, a, NULL, &first), AE_ATTEST_OK);
        h_tick();
        ck_assert_reason(h_attest(&s, a, &first.state, &again), AE_ATTEST_OK);
        ck_assert_str_eq(again.spiffe_id, first.spiffe_id);
        ck_assert_uint_eq(again.n_selectors, first.n_selectors);
        for (size_t i = 0; i < first.n_selectors; i++)
                ck_assert_str_eq(again.selectors[i], first.selectors[i]);

        h_payload(a, &payload);
        rogue = h_agent_open(H_ROGUE, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(rogue, &rogue_payload);
        franken_payload(&payload, &rogue_payload, &mixed);
        ck_assert_reason(h_challenge(&s, &mixed, NULL, NULL), AE_ATTEST_EK_CERT_KEY_MISMATCH);

        /* Before the certificate's notBefore: the remembered verdict is still
         * fresh (its TTL counts from now), only the validity window stops
         * it. After notAfter both do. */
        ck_assert_int_eq(ae_node_challenge(s.v, payload.data, payload.len,
                                           cert_time("AE_TPM_EK_RSA_CERT", true) - 86400,
                                           &challenge, &challenge_len, &pending, &reason),
                         0);
        ck_assert_reason(reason, AE_ATTEST_EK_CERT_NOT_YET_VALID);
        ck_assert_int_eq(ae_node_challenge(s.v, payload.data, payload.len,
                                           cert_time("AE_TPM_EK_RSA_CERT", false) + 86400,
                                           &challenge, &challenge_len, &pending, &reason),
                         0);
        ck_assert_reason(reason, AE_ATTEST_EK_CERT_EXPIRED);
        ck_assert_ptr_null(challenge);
        ck_assert_ptr_null(pending);
}
END_TEST

/* ---- AK properties ------------------------------------------------------- */

static void ak_clear_restricted(TPMT_PUBLIC *p)
{
        p->objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
}
static void ak_clear_fixed_tpm(TPMT_PUBLIC *p)
{
        p->objectAttributes &= ~TPMA_OBJECT_FIXEDTPM;
}
static void ak_clear_fixed_parent(TPMT_PUBLIC *p)
{
        p->objectAttributes &= ~TPMA_OBJECT_FIXEDPARENT;
}
static void ak_clear_sensitive_origin(TPMT_PUBLIC *p)
{
        p->objectAttributes &= ~TPMA_OBJECT_SENSITIVEDATAORIGIN;
}
static void ak_clear_sign(TPMT_PUBLIC *p)
{
        p->objectAttributes &= ~TPMA_OBJECT_SIGN_ENCRYPT;
}
static void ak_set_decrypt(TPMT_PUBLIC *p)
{
        p->objectAttributes |= TPMA_OBJECT_DECRYPT;
}
static void ak_ecdsa_sha1(TPMT_PUBLIC *p)
{
        ck_assert_int_eq(p->parameters.eccDetail.scheme.scheme, TPM2_ALG_ECDSA);
        p->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA1;
}
static void ak_ecschnorr(TPMT_PUBLIC *p)
{
        p->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECSCHNORR;
        p->parameters.eccDetail.scheme.details.ecschnorr.hashAlg = TPM2_ALG_SHA256;
}
static void ak_rsapss(TPMT_PUBLIC *p)
{
        ck_assert_int_eq(p->parameters.rsaDetail.scheme.scheme, TPM2_ALG_RSASSA);
        p->parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSAPSS;
        p->parameters.rsaDetail.scheme.details.rsapss.hashAlg = TPM2_ALG_SHA256;
}
static void ak_rsassa_sha1(TPMT_PUBLIC *p)
{
        p->parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA1;
}
static void ak_unchanged(TPMT_PUBLIC *p)
{
        (void)p;
}

static const struct ak_edit {
        const char *name;
        enum ae_tpm_ak_alg alg;
        void (*edit)(TPMT_PUBLIC *p);
        enum ae_attest_reason want;
} ak_edits[] = {
        { "unchanged (re-marshalled)", AE_TPM_AK_ECC_P256, ak_unchanged, AE_ATTEST_OK },
        { "restricted cleared", AE_TPM_AK_ECC_P256, ak_clear_restricted,
          AE_ATTEST_AK_NOT_RESTRICTED },
        { "fixedTPM cleared", AE_TPM_AK_ECC_P256, ak_clear_fixed_tpm, AE_ATTEST_AK_NOT_FIXED },
        { "fixedParent cleared", AE_TPM_AK_ECC_P256, ak_clear_fixed_parent,
          AE_ATTEST_AK_NOT_FIXED },
        { "sensitiveDataOrigin cleared", AE_TPM_AK_ECC_P256, ak_clear_sensitive_origin,
          AE_ATTEST_AK_NOT_FIXED },
        { "sign cleared", AE_TPM_AK_ECC_P256, ak_clear_sign, AE_ATTEST_AK_NOT_SIGNING },
        { "decrypt set", AE_TPM_AK_ECC_P256, ak_set_decrypt, AE_ATTEST_AK_NOT_SIGNING },
        { "ECDSA with SHA-1", AE_TPM_AK_ECC_P256, ak_ecdsa_sha1, AE_ATTEST_AK_SCHEME },
        { "ECSCHNORR", AE_TPM_AK_ECC_P256, ak_ecschnorr, AE_ATTEST_AK_SCHEME },
        { "unchanged RSA (re-marshalled)", AE_TPM_AK_RSA2048, ak_unchanged, AE_ATTEST_OK },
        { "RSA restricted cleared", AE_TPM_AK_RSA2048, ak_clear_restricted,
          AE_ATTEST_AK_NOT_RESTRICTED },
        { "RSAPSS", AE_TPM_AK_RSA2048, ak_rsapss, AE_ATTEST_AK_SCHEME },
        { "RSASSA with SHA-1", AE_TPM_AK_RSA2048, ak_rsassa_sha1, AE_ATTEST_AK_SCHEME },
};

/* The payload with its AK public area re-marshalled after edit. */
static void edit_ak(const struct h_buf *payload, void (*edit)(TPMT_PUBLIC *), struct h_buf *ret)
{
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *m = h_payload_decode(payload);
        AePayloadMsg e = *m;
        TPM2B_PUBLIC pub;
        uint8_t buf[sizeof(TPM2B_PUBLIC)];
        size_t off = 0;

        memset(&pub, 0, sizeof(pub));
        ck_assert_int_eq(
                Tss2_MU_TPM2B_PUBLIC_Unmarshal(m->ak_public.data, m->ak_public.len, &off, &pub),
                TSS2_RC_SUCCESS);
        ck_assert_uint_eq(off, m->ak_public.len);
        edit(&pub.publicArea);
        off = 0;
        ck_assert_int_eq(Tss2_MU_TPM2B_PUBLIC_Marshal(&pub, buf, sizeof(buf), &off),
                         TSS2_RC_SUCCESS);
        e.ak_public = ae_attest_bytes(buf, off);
        h_pack(&e.base, ret);
}

START_TEST(ak_properties)
{
        _cleanup_server_ struct h_server s = { 0 };

        h_server_simple(&s, "ca", NULL, NULL);
        for (int alg = 0; alg < AE_TPM_AK_ALG_COUNT; alg++) {
                _cleanup_(ae_node_agent_freep) struct ae_node_agent *a =
                        h_agent_open(H_MAIN, AE_TPM_EK_ECC_P256, (enum ae_tpm_ak_alg)alg, 0);
                _cleanup_buf_ struct h_buf payload = { 0 };

                h_payload(a, &payload);
                for (size_t i = 0; i < sizeof(ak_edits) / sizeof(ak_edits[0]); i++) {
                        _cleanup_buf_ struct h_buf edited = { 0 };
                        enum ae_attest_reason got;

                        if (ak_edits[i].alg != (enum ae_tpm_ak_alg)alg)
                                continue;
                        edit_ak(&payload, ak_edits[i].edit, &edited);
                        got = h_challenge(&s, &edited, NULL, NULL);
                        ck_assert_msg(got == ak_edits[i].want, "AK %s: %s, expected %s",
                                      ak_edits[i].name, ae_attest_reason_id(got),
                                      ae_attest_reason_id(ak_edits[i].want));
                }
        }
}
END_TEST

void attest_add_identity_tests(TCase *tc)
{
        tcase_add_test(tc, ek_rogue_under_ca);
        tcase_add_test(tc, ek_not_allowlisted);
        tcase_add_test(tc, ek_allowlisted);
        tcase_add_test(tc, ek_ca_or_allowlist);
        tcase_add_test(tc, ek_ca_and_allowlist);
        tcase_add_test(tc, ek_cert_removed);
        tcase_add_test(tc, ek_cert_key_mismatch);
        tcase_add_test(tc, ek_cache_never_hides_a_rejection);
        tcase_add_test(tc, ak_properties);
}
