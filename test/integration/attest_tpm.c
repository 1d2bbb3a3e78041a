/* TPM node attestation end to end: the agent's steps on the fixture's swtpm
 * pair, the server's steps on policies written here, and every way a node
 * can fail, each with the exact reason the verifier must give (or the exact
 * errno the agent must return).
 *
 * Identities are recomputed here from the fixture's own files with OpenSSL
 * (EK SPKI hash, manufacturer root hash), golden PCR sets come from the TPM
 * as it is when the run starts, and tpm2-tools change PCR 16 behind the
 * agent's back. Every test is checked afterwards for objects and sessions
 * left in either TPM. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <tss2/tss2_mu.h>

#include "attest_harness.h"
#include "check_util.h"
#include "common/file.h"
#include "common/hex.h"
#include "node-attestor/attest_limits.h"
#include "node-attestor/verify/make_credential.h"
/* node-attestor/tpm/keys.h (via the harness) and verify/tpm_public.h both
 * define AE_TPM_NAME_MAX, differently (sizeof(TPMU_NAME) and 2 + 64), so a
 * file using both the agent and the verifier API cannot include both. Until
 * one is renamed, the verifier's is the one meant here. */
#undef AE_TPM_NAME_MAX
#include "node-attestor/verify/tpm_public.h"

/* Persistent handle this test owns (owner range, clear of the TCG's
 * reserved ranges and of tpm_agent_ops' 0x81010020-22). Evicted at start and
 * by the test that uses it. */
#define AK_HANDLE 0x81010030u

/* ---- small helpers ------------------------------------------------------ */

static void assert_selectors(const struct ae_node_result *res, const char *const want[],
                             size_t n)
{
        ck_assert_uint_eq(res->n_selectors, n);
        for (size_t i = 0; i < n; i++)
                ck_assert_str_eq(res->selectors[i], want[i]);
}

static const char *selector(char *buf, size_t size, const char *kind, const char *value)
{
        snprintf(buf, size, "%s:%s", kind, value);
        return buf;
}

static void assert_spiffe_id(const struct ae_node_result *res, const uint8_t ek_id[32])
{
        char want[AE_SPIFFE_ID_MAX];

        snprintf(want, sizeof(want), "spiffe://%s/spire/agent/aegis_tpm/%s", H_TRUST_DOMAIN,
                 h_hex(ek_id, 32));
        ck_assert_str_eq(res->spiffe_id, want);
        ck_assert_mem_eq(res->ek_id, ek_id, 32);
}

static const char *cert_var(const char *tcti_var, enum ae_tpm_ek_alg ek)
{
        bool rogue = strcmp(tcti_var, H_ROGUE) == 0;

        if (ek == AE_TPM_EK_RSA2048)
                return rogue ? "AE_TPM_ROGUE_EK_RSA_CERT" : "AE_TPM_EK_RSA_CERT";
        return rogue ? "AE_TPM_ROGUE_EK_ECC_CERT" : "AE_TPM_EK_ECC_CERT";
}

/* A server with one trust mode, the main TPM's golden set, and an
 * allowlist of up to two EK identities (NULL: none). */
static void server_open(struct h_server *s, const char *trust, const uint8_t *allow0,
                        const uint8_t *allow1)
{
        uint8_t allow[2][32];
        size_t n = 0;

        if (allow0)
                memcpy(allow[n++], allow0, 32);
        if (allow1)
                memcpy(allow[n++], allow1, 32);
        h_server_open(s, &(struct h_policy_spec){ .trust = trust, .allow = allow, .n_allow = n });
}

/* The same, with the rogue TPM's golden set named H_SET_ROGUE. */
static void server_open_rogue(struct h_server *s, const char *trust, const uint8_t *allow0)
{
        const struct h_golden_set set = { H_SET_ROGUE, h_golden_rogue() };
        uint8_t allow[1][32];

        if (allow0)
                memcpy(allow[0], allow0, 32);
        h_server_open(s, &(struct h_policy_spec){ .trust = trust,
                                                  .allow = allow,
                                                  .n_allow = allow0 ? 1 : 0,
                                                  .golden = &set,
                                                  .n_golden = 1 });
}

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
        _cleanup_buf_ struct h_buf payload = { 0 }, cert = { 0 };
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *m = NULL;
        _cleanup_free_ uint8_t *der = NULL;
        struct ae_node_result res;
        uint8_t ek_id[32], root_id[32];
        char sel[4][AE_NODE_SELECTOR_MAX];
        size_t der_len;

        h_ek_id_from_cert(cert_var(H_MAIN, combos[_i].ek), ek_id);
        h_cert_sha256("AE_EK_CA_ROOT", root_id);
        server_open(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, combos[_i].ek, combos[_i].ak, 0);
        ck_assert(ae_node_agent_has_ek_cert(a));

        /* The payload carries the certificate the manufacturer wrote. */
        h_payload(a, &payload);
        m = h_payload_decode(&payload);
        ck_assert_int_eq(ae_file_read(ae_test_env(cert_var(H_MAIN, combos[_i].ek)), 8192, &der,
                                      &der_len),
                         0);
        ck_assert_uint_eq(m->ek_certificate.len, der_len);
        ck_assert_mem_eq(m->ek_certificate.data, der, der_len);

        ck_assert_reason(h_attest(&s, a, NULL, &res), AE_ATTEST_OK);
        assert_spiffe_id(&res, ek_id);
        assert_selectors(&res,
                         (const char *const[]){
                                 selector(sel[0], sizeof(sel[0]), "ek_hash", h_hex(ek_id, 32)),
                                 selector(sel[1], sizeof(sel[1]), "ek_ca", h_hex(root_id, 32)),
                                 selector(sel[2], sizeof(sel[2]), "tpm_manufacturer",
                                          H_MANUFACTURER),
                                 selector(sel[3], sizeof(sel[3]), "pcr_policy", H_SET_MAIN) },
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
        server_open(&s, "ca", NULL, NULL);

        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, AK_HANDLE);
        h_payload(a, &p1);
        ck_assert_reason(h_attest(&s, a, NULL, &r1), AE_ATTEST_OK);
        ae_node_agent_free(a);
        ck_assert(h_persistent_present(H_MAIN, AK_HANDLE));

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

/* ---- EK trust -------------------------------------------------------------- */

START_TEST(ek_rogue_under_ca)
{
        _cleanup_server_ struct h_server s = { 0 };

        server_open(&s, "ca", NULL, NULL);
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
        server_open(&s, "allowlist", rogue_id, NULL);
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
        server_open(&s, "allowlist", rogue_id, id);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        ck_assert_reason(h_attest(&s, a, NULL, &res), AE_ATTEST_OK);
        assert_spiffe_id(&res, id);
        /* No manufacturer CA vouched: no ek_ca selector. */
        assert_selectors(&res,
                         (const char *const[]){
                                 selector(sel[0], sizeof(sel[0]), "ek_hash", h_hex(id, 32)),
                                 selector(sel[1], sizeof(sel[1]), "tpm_manufacturer",
                                          H_MANUFACTURER),
                                 selector(sel[2], sizeof(sel[2]), "pcr_policy", H_SET_MAIN) },
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

                server_open_rogue(&s, "ca_or_allowlist", rogue_id);
                ck_assert_reason(h_attest(&s, a, NULL, &res), AE_ATTEST_OK);
                assert_spiffe_id(&res, rogue_id);
                assert_selectors(&res,
                                 (const char *const[]){
                                         selector(sel[0], sizeof(sel[0]), "ek_hash",
                                                  h_hex(rogue_id, 32)),
                                         selector(sel[1], sizeof(sel[1]), "tpm_manufacturer",
                                                  H_MANUFACTURER),
                                         selector(sel[2], sizeof(sel[2]), "pcr_policy",
                                                  H_SET_ROGUE) },
                                 3);
        }
        {
                /* Neither: the certificate's verdict is the reason. */
                _cleanup_server_ struct h_server s = { 0 };
                _cleanup_buf_ struct h_buf payload = { 0 };

                server_open_rogue(&s, "ca_or_allowlist", id);
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

                server_open(&s, "ca_and_allowlist", rogue_id, NULL);
                ck_assert_reason(h_challenge(&s, &payload, NULL, NULL),
                                 AE_ATTEST_EK_NOT_ALLOWLISTED);
                /* Listed, but does not chain. */
                ck_assert_reason(h_challenge(&s, &rogue_payload, NULL, NULL),
                                 AE_ATTEST_EK_CERT_UNTRUSTED);
        }
        {
                /* Both: accepted, and the CA is named. */
                _cleanup_server_ struct h_server s = { 0 };

                server_open(&s, "ca_and_allowlist", id, NULL);
                ck_assert_reason(h_attest(&s, a, NULL, &res), AE_ATTEST_OK);
                assert_spiffe_id(&res, id);
                assert_selectors(
                        &res,
                        (const char *const[]){
                                selector(sel[0], sizeof(sel[0]), "ek_hash", h_hex(id, 32)),
                                selector(sel[1], sizeof(sel[1]), "ek_ca", h_hex(root_id, 32)),
                                selector(sel[2], sizeof(sel[2]), "tpm_manufacturer",
                                         H_MANUFACTURER),
                                selector(sel[3], sizeof(sel[3]), "pcr_policy", H_SET_MAIN) },
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

                server_open(&s, "ca", NULL, NULL);
                ck_assert_reason(h_challenge(&s, &bare, NULL, NULL), AE_ATTEST_EK_CERT_MISSING);
        }
        {
                _cleanup_server_ struct h_server s = { 0 };

                server_open(&s, "ca_or_allowlist", rogue_id, NULL);
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

                server_open(&s, "allowlist", id, NULL);
                ck_assert_reason(h_challenge(&s, &bare, &challenge, &p), AE_ATTEST_OK);
                h_respond_ok(a, &challenge, &response);
                ck_assert_reason(h_verify(&s, p, &response, NULL, &res), AE_ATTEST_OK);
                assert_spiffe_id(&res, id);
                assert_selectors(&res,
                                 (const char *const[]){
                                         selector(sel[0], sizeof(sel[0]), "ek_hash",
                                                  h_hex(id, 32)),
                                         selector(sel[1], sizeof(sel[1]), "pcr_policy",
                                                  H_SET_MAIN) },
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

        server_open(&s, "ca", NULL, NULL);
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
        ck_assert_int_eq(Tss2_MU_TPM2B_PUBLIC_Unmarshal(m->ak_public.data, m->ak_public.len, &off,
                                                        &pub),
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

        server_open(&s, "ca", NULL, NULL);
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

/* ---- credential activation ------------------------------------------------ */

/* What the rogue TPM answers when asked to activate a credential made for
 * another EK, as swtpm (libtpms) does it: for RSA the seed does not decrypt
 * and libtpms reports TPM_RC_FAILURE (the spec's TPM_RC_VALUE would be
 * -EINVAL); for ECC the seed derived from the wrong key fails the
 * credential's HMAC, TPM_RC_INTEGRITY, which Aegis has no closer errno
 * for. */
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

        server_open(&s, "ca", NULL, NULL);
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

        server_open(&s, "ca", NULL, NULL);
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
                if (e->pcr_values[i]->hash_alg == H_QUOTE_BANK && e->pcr_values[i]->index == index)
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
        ck_assert_int_eq(Tss2_MU_TPMS_ATTEST_Unmarshal(e->quote.data, e->quote.len, &off, &a), 0);
        a.clockInfo.clock += 1000; /* what a replayer would like */
        off = 0;
        ck_assert_int_eq(Tss2_MU_TPMS_ATTEST_Marshal(&a, e->quote.data, sizeof(sc.bytes[0]), &off),
                         0);
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
        ck_assert_int_eq(Tss2_MU_TPMT_SIGNATURE_Marshal(&s, sc.bytes[0], sizeof(sc.bytes[0]),
                                                       &off),
                         0);
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
        ck_assert_int_eq(Tss2_MU_TPMT_SIGNATURE_Marshal(&other, sc.bytes[0], sizeof(sc.bytes[0]),
                                                       &off),
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

        server_open(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, (enum ae_tpm_ak_alg)_i, 0);
        h_payload(a, &payload);
        for (size_t i = 0; i < sizeof(response_edits) / sizeof(response_edits[0]); i++) {
                enum ae_attest_reason got = answer_edited(&s, a, &payload, response_edits[i].edit);

                ck_assert_msg(got == response_edits[i].want, "%s (AK %s): %s, expected %s",
                              response_edits[i].name, ae_tpm_ak_alg_name(_i),
                              ae_attest_reason_id(got), ae_attest_reason_id(response_edits[i].want));
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

        ck_assert_int_eq(Tss2_MU_TPML_PCR_SELECTION_Marshal(sel, sc.bytes[1], sizeof(sc.bytes[1]),
                                                           &off),
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
        { "SHA-1 bank instead of SHA-256", c_sha1_bank, AE_ATTEST_QUOTE_PCR_SELECTION_MISMATCH },
};

START_TEST(challenge_tampering)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 };

        server_open(&s, "ca", NULL, NULL);
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

        server_open(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_ECC_P256, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        for (int variant = 0; variant < 3; variant++) {
                _cleanup_buf_ struct h_buf challenge = { 0 }, response = { 0 }, edited = { 0 };
                _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
                _cleanup_(ae_attest_response_freep) AeResponseMsg *m = NULL;
                struct ae_node_result res;
                AeResponseMsg e;

                ck_assert_reason(h_challenge(&s, &payload, &challenge, &p), AE_ATTEST_OK);
                ck_assert_int_eq(h_respond(a, &challenge, claim, sizeof(claim) - 1, &response), 0);
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
        ck_assert_int_eq(EVP_Digest(measurement, sizeof(measurement) - 1, d, &n, EVP_sha256(),
                                    NULL),
                         1);
        for (i = 0; i < extended.count && extended.v[i].index != H_DEBUG_PCR; i++)
                ;
        ck_assert_uint_lt(i, extended.count);
        memcpy(cat, extended.v[i].digest, 32);
        memcpy(cat + 32, d, 32);
        ck_assert_int_eq(EVP_Digest(cat, sizeof(cat), extended.v[i].digest, &n, EVP_sha256(),
                                    NULL),
                         1);

        h_server_open(&base, &(struct h_policy_spec){ .trust = "ca" });
        h_server_open(&both, &(struct h_policy_spec){
                                     .trust = "ca",
                                     .golden = (const struct h_golden_set[]){
                                             { H_SET_MAIN, h_golden_main() },
                                             { "debug", &extended } },
                                     .n_golden = 2 });

        snprintf(arg, sizeof(arg), "16:sha256=%s", h_hex(d, 32));
        H_TOOL(H_MAIN, "tpm2_pcrextend", arg);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        ck_assert_reason(h_attest(&base, a, NULL, NULL), AE_ATTEST_PCR_POLICY_NO_MATCH);
        ck_assert_reason(h_attest(&both, a, NULL, &res), AE_ATTEST_OK);
        ck_assert_str_eq(res.pcr_policy, "debug");
        ck_assert_str_eq(res.selectors[res.n_selectors - 1], "pcr_policy:debug");
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
        { "restartCount went back", true, 0, +1, CLOCK_ZERO, AE_ATTEST_RESTART_COUNT_BACKWARDS },
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

        server_open(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);

        /* Two attestations in a row: the state moves forward. */
        ck_assert_reason(h_attest(&s, a, NULL, &r1), AE_ATTEST_OK);
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

/* ---- malformed messages ------------------------------------------------- */

START_TEST(payload_malformed)
{
        _cleanup_server_ struct h_server s = { 0 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        _cleanup_buf_ struct h_buf payload = { 0 }, bad = { 0 }, big = { 0 };
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *m = NULL;
        AePayloadMsg e;

        server_open(&s, "ca", NULL, NULL);
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
        _cleanup_buf_ struct h_buf payload = { 0 }, challenge = { 0 }, bad = { 0 },
                                   big = { 0 }, response = { 0 };
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
        _cleanup_(ae_attest_challenge_freep) AeChallengeMsg *m = NULL;
        AeChallengeMsg e;
        size_t n = 0;

        server_open(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        ck_assert_reason(h_challenge(&s, &payload, &challenge, &p), AE_ATTEST_OK);
        m = h_challenge_decode(&challenge);
        h_buf_garbage(&big, 17 * 1024, 5);

#define EXPECT(what, err)                                                      \
        do {                                                                   \
                int r_ = h_respond(a, &bad, NULL, 0, &response);               \
                ck_assert_msg(r_ == (err), "challenge %s: %d, expected %d", what, r_, err); \
                n++;                                                           \
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

        server_open(&s, "ca", NULL, NULL);
        a = h_agent_open(H_MAIN, AE_TPM_EK_RSA2048, AE_TPM_AK_ECC_P256, 0);
        h_payload(a, &payload);
        ck_assert_reason(h_challenge(&s, &payload, &challenge, &p0), AE_ATTEST_OK);
        h_respond_ok(a, &challenge, &response);
        m = h_response_decode(&response);
        h_buf_garbage(&big, 17 * 1024, 7);

        /* Decoding fails before any check: each gets a pending challenge of
         * its own (one answer per challenge). */
#define EXPECT(what, reason)                                                   \
        do {                                                                   \
                _cleanup_(ae_node_pending_freep) struct ae_node_pending *p_ = NULL; \
                enum ae_attest_reason got_;                                    \
                                                                               \
                ck_assert_reason(h_challenge(&s, &payload, NULL, &p_), AE_ATTEST_OK); \
                got_ = h_verify(&s, p_, &bad, NULL, NULL);                     \
                ck_assert_msg(got_ == (reason), "response %s: %s, expected %s", what, \
                              ae_attest_reason_id(got_), ae_attest_reason_id(reason)); \
                /* ... which it has used up. */                                \
                ck_assert_reason(h_verify(&s, p_, &response, NULL, NULL),      \
                                 AE_ATTEST_CHALLENGE_USED);                    \
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

int main(void)
{
        Suite *s = suite_create("attest_tpm");
        TCase *tc = tcase_create("swtpm");
        int rc;

        h_global_init(AK_HANDLE);

        /* RSA AK creation takes swtpm ~0.5 s; valgrind slows the rest. */
        tcase_set_timeout(tc, 300);
        tcase_add_checked_fixture(tc, h_setup, h_teardown);
        tcase_add_loop_test(tc, happy_path, 0, sizeof(combos) / sizeof(combos[0]));
        tcase_add_test(tc, ak_persisted_and_reused);
        tcase_add_test(tc, ek_rogue_under_ca);
        tcase_add_test(tc, ek_not_allowlisted);
        tcase_add_test(tc, ek_allowlisted);
        tcase_add_test(tc, ek_ca_or_allowlist);
        tcase_add_test(tc, ek_ca_and_allowlist);
        tcase_add_test(tc, ek_cert_removed);
        tcase_add_test(tc, ek_cert_key_mismatch);
        tcase_add_test(tc, ak_properties);
        tcase_add_loop_test(tc, credential_rogue_ak, 0,
                            sizeof(rogue_activation) / sizeof(rogue_activation[0]));
        tcase_add_test(tc, response_replayed);
        tcase_add_loop_test(tc, response_tampering, 0, AE_TPM_AK_ALG_COUNT);
        tcase_add_test(tc, challenge_tampering);
        tcase_add_test(tc, location_claim_bound);
        tcase_add_test(tc, pcr_policy_debug_pcr);
        tcase_add_test(tc, replay_state);
        tcase_add_test(tc, payload_malformed);
        tcase_add_test(tc, challenge_malformed);
        tcase_add_test(tc, response_malformed);
        suite_add_tcase(s, tc);

        rc = ae_check_run(s);
        h_global_cleanup();
        return rc;
}
