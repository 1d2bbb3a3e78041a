/* The agent's TPM keys against swtpm, each checked by something we did not
 * write: the EKs are the keys tpm2_createek made and the manufacturer
 * certified; the AKs have the shape a verifier requires, are kept at a
 * persistent handle and found again after a restart, an AK tpm2_createak
 * made is reused, and a foreign key at the handle is refused. Persistent
 * handles used here are cleared before and after, since other tests share
 * the TPM. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "check_util.h"
#include "common/ossl.h"
#include "node-attestor/attest_limits.h"
#include "node-attestor/pcrs.h"
#include "node-attestor/tpm/ek_cert.h"
#include "node-attestor/tpm/keys.h"
#include "node-attestor/tpm/quote.h"
#include "node-attestor/tpm/tpm.h"
#include "node-attestor/tpm/tpm_error.h"
#include "tpm_agent_util.h"

/* Persistent handles this test owns (owner range, away from the TCG's
 * reserved 0x81000000-0x8100FFFF and 0x81010000-0x8101000F). */
#define AK_HANDLE 0x81010020u
#define FOREIGN_HANDLE 0x81010021u
#define TOOLS_AK_HANDLE 0x81010022u

/* ---- EK ---------------------------------------------------------------- */

static const struct {
        enum ae_tpm_ek_alg alg;
        const char *pub_var;
        TPMI_ALG_PUBLIC type;
} ek_cases[] = {
        { AE_TPM_EK_RSA2048, "AE_TPM_EK_RSA_PUB", TPM2_ALG_RSA },
        { AE_TPM_EK_ECC_P256, "AE_TPM_EK_ECC_PUB", TPM2_ALG_ECC },
};

START_TEST(ek_is_the_certified_tpm2_createek_key)
{
        static const uint8_t policy[32] = {
                0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
                0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
                0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
        };
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();

        for (size_t i = 0; i < sizeof(ek_cases) / sizeof(ek_cases[0]); i++) {
                _cleanup_tpm_key_ struct ae_tpm_key *ek = ek_create(tpm, ek_cases[i].alg);
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *ours = NULL, *tools = NULL;
                _cleanup_(X509_freep) X509 *cert = NULL;
                _cleanup_free_ uint8_t *der = NULL;
                _cleanup_fclose_ FILE *f = NULL;
                const TPMT_PUBLIC *p = &ae_tpm_key_public(ek)->publicArea;
                const unsigned char *q;
                size_t der_len;

                /* The template as the profile has it. */
                ck_assert_uint_eq(p->type, ek_cases[i].type);
                ck_assert_uint_eq(p->nameAlg, TPM2_ALG_SHA256);
                ck_assert_uint_eq(p->objectAttributes,
                                  TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                          TPMA_OBJECT_SENSITIVEDATAORIGIN |
                                          TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_RESTRICTED |
                                          TPMA_OBJECT_DECRYPT);
                ck_assert_uint_eq(p->authPolicy.size, sizeof(policy));
                ck_assert_mem_eq(p->authPolicy.buffer, policy, sizeof(policy));
                ck_assert_uint_eq(ae_tpm_key_persistent_handle(ek), 0);

                /* The same key tpm2_createek reported when the fixture
                 * provisioned the TPM... */
                ours = tpm_pkey(p);
                f = fopen(ae_test_env(ek_cases[i].pub_var), "r");
                ck_assert_ptr_nonnull(f);
                tools = PEM_read_PUBKEY(f, NULL, NULL, NULL);
                ck_assert_ptr_nonnull(tools);
                ck_assert_int_eq(EVP_PKEY_eq(ours, tools), 1);

                /* ...and the one its NV certificate certifies. */
                ck_assert_int_eq(ae_tpm_ek_cert_read(tpm, ek_cases[i].alg, &der, &der_len), 0);
                q = der;
                cert = d2i_X509(NULL, &q, (long)der_len);
                ck_assert_ptr_nonnull(cert);
                ck_assert_int_eq(EVP_PKEY_eq(ours, X509_get0_pubkey(cert)), 1);
        }
}
END_TEST

START_TEST(ek_create_refusals)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
        struct ae_tpm_key *ek = NULL;

        ck_assert_int_eq(ae_tpm_ek_create(tpm, AE_TPM_EK_ALG_COUNT, &ek), -EINVAL);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "unknown EK algorithm"));
        ck_assert_int_eq(ae_tpm_ek_create(NULL, AE_TPM_EK_RSA2048, &ek), -EINVAL);
        ck_assert_ptr_null(ek);
}
END_TEST

/* ---- AK ---------------------------------------------------------------- */

/* name = nameAlg || SHA-256(marshalled TPMT_PUBLIC), computed here. */
static void assert_name(const struct ae_tpm_key *key)
{
        uint8_t pub[sizeof(TPMT_PUBLIC)], name[AE_TPM_KEY_NAME_MAX], want[2 + 32];
        size_t len = 0, name_len = 0;
        unsigned int md_len = 0;

        ck_assert_int_eq(Tss2_MU_TPMT_PUBLIC_Marshal(&ae_tpm_key_public(key)->publicArea, pub,
                                                     sizeof(pub), &len),
                         0);
        want[0] = 0x00;
        want[1] = 0x0b;
        ck_assert_int_eq(EVP_Digest(pub, len, want + 2, &md_len, EVP_sha256(), NULL), 1);
        ck_assert_int_eq(ae_tpm_key_name(key, name, sizeof(name), &name_len), 0);
        ck_assert_uint_eq(name_len, sizeof(want));
        ck_assert_mem_eq(name, want, sizeof(want));
        /* Too small a buffer: refused, nothing written. */
        name_len = 7;
        ck_assert_int_eq(ae_tpm_key_name(key, name, 33, &name_len), -ENOBUFS);
        ck_assert_uint_eq(name_len, 7);
}

START_TEST(ak_is_a_restricted_signing_key)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
        _cleanup_tpm_key_ struct ae_tpm_key *ek = ek_create(tpm, AE_TPM_EK_ECC_P256);

        for (int alg = 0; alg < AE_TPM_AK_ALG_COUNT; alg++) {
                _cleanup_tpm_key_ struct ae_tpm_key *ak = ak_create(tpm, ek, alg, 0);
                const TPMT_PUBLIC *p = &ae_tpm_key_public(ak)->publicArea;
                uint8_t buf[AE_TPM_PUBLIC_MAX];
                TPM2B_PUBLIC back;
                size_t len = 0, off = 0;

                ck_assert_uint_eq(p->nameAlg, TPM2_ALG_SHA256);
                ck_assert_uint_eq(p->objectAttributes,
                                  TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                          TPMA_OBJECT_SENSITIVEDATAORIGIN |
                                          TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED |
                                          TPMA_OBJECT_SIGN_ENCRYPT);
                ck_assert_uint_eq(p->authPolicy.size, 0);
                if (alg == AE_TPM_AK_ECC_P256) {
                        ck_assert_uint_eq(p->type, TPM2_ALG_ECC);
                        ck_assert_uint_eq(p->parameters.eccDetail.scheme.scheme, TPM2_ALG_ECDSA);
                        ck_assert_uint_eq(p->parameters.eccDetail.scheme.details.ecdsa.hashAlg,
                                          TPM2_ALG_SHA256);
                        ck_assert_uint_eq(p->parameters.eccDetail.curveID, TPM2_ECC_NIST_P256);
                        ck_assert_uint_eq(p->parameters.eccDetail.symmetric.algorithm,
                                          TPM2_ALG_NULL);
                        ck_assert_uint_eq(p->unique.ecc.x.size, 32);
                } else {
                        ck_assert_uint_eq(p->type, TPM2_ALG_RSA);
                        ck_assert_uint_eq(p->parameters.rsaDetail.scheme.scheme, TPM2_ALG_RSASSA);
                        ck_assert_uint_eq(p->parameters.rsaDetail.scheme.details.rsassa.hashAlg,
                                          TPM2_ALG_SHA256);
                        ck_assert_uint_eq(p->parameters.rsaDetail.keyBits, 2048);
                        ck_assert_uint_eq(p->parameters.rsaDetail.symmetric.algorithm,
                                          TPM2_ALG_NULL);
                        ck_assert_uint_eq(p->unique.rsa.size, 256);
                }
                ck_assert_uint_eq(ae_tpm_key_persistent_handle(ak), 0);
                assert_name(ak);

                /* The wire form reads back as the same public area. */
                marshal_public(ak, buf, &len);
                memset(&back, 0, sizeof(back));
                ck_assert_int_eq(Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, &back), 0);
                ck_assert_uint_eq(off, len);
                ck_assert_mem_eq(&back.publicArea, p, sizeof(*p));
                ck_assert_int_eq(ae_tpm_key_public_marshal(ak, buf, 10, &len), -ENOBUFS);
        }
}
END_TEST

START_TEST(ak_create_refusals)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
        _cleanup_tpm_key_ struct ae_tpm_key *ek = ek_create(tpm, AE_TPM_EK_RSA2048);
        _cleanup_tpm_key_ struct ae_tpm_key *ak = ak_create(tpm, ek, AE_TPM_AK_ECC_P256, 0);
        struct ae_tpm_key *k = NULL;

        ck_assert_int_eq(ae_tpm_ak_create(tpm, ek, AE_TPM_AK_ALG_COUNT, 0, &k), -EINVAL);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "unknown AK algorithm"));
        /* Not in the owner's persistent range. */
        ck_assert_int_eq(ae_tpm_ak_create(tpm, ek, AE_TPM_AK_ECC_P256, 0x81800000, &k), -EINVAL);
        ck_assert_int_eq(ae_tpm_ak_create(tpm, ek, AE_TPM_AK_ECC_P256, 0x01c00002, &k), -EINVAL);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "not an owner persistent handle"));
        ck_assert_int_eq(ae_tpm_persistent_evict(tpm, 0x80000000), -EINVAL);
        /* The parent must be an EK. */
        ck_assert_int_eq(ae_tpm_ak_create(tpm, ak, AE_TPM_AK_ECC_P256, 0, &k), -EINVAL);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "not an EK"));
        ck_assert_ptr_null(k);
}
END_TEST

START_TEST(ak_persists_and_is_reused)
{
        uint8_t first[AE_TPM_PUBLIC_MAX], again[AE_TPM_PUBLIC_MAX];
        size_t first_len = 0, again_len = 0;

        evict_if_present(AK_HANDLE);
        {
                _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
                _cleanup_tpm_key_ struct ae_tpm_key *ek = ek_create(tpm, AE_TPM_EK_RSA2048);
                _cleanup_tpm_key_ struct ae_tpm_key *ak =
                        ak_create(tpm, ek, AE_TPM_AK_ECC_P256, AK_HANDLE);

                ck_assert_uint_eq(ae_tpm_key_persistent_handle(ak), AK_HANDLE);
                marshal_public(ak, first, &first_len);
                assert_name(ak);
        }
        /* Nothing transient stays behind: the loaded copy was flushed. */
        ck_assert_uint_eq(count_handles(TPM2_HT_TRANSIENT), 0);
        ck_assert_uint_eq(count_handles(TPM2_HT_PERSISTENT) >= 1, 1);

        /* An agent restart: a new connection, the same AK. */
        {
                _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
                _cleanup_tpm_key_ struct ae_tpm_key *ek = ek_create(tpm, AE_TPM_EK_RSA2048);
                _cleanup_tpm_key_ struct ae_tpm_key *ak =
                        ak_create(tpm, ek, AE_TPM_AK_ECC_P256, AK_HANDLE);
                _cleanup_tpm_key_ struct ae_tpm_key *twice =
                        ak_create(tpm, ek, AE_TPM_AK_ECC_P256, AK_HANDLE);
                struct ae_tpm_key *k = NULL;
                uint8_t attest[AE_ATTEST_QUOTE_MAX], sig[AE_ATTEST_SIGNATURE_MAX];
                size_t attest_len, sig_len;
                TPML_PCR_SELECTION sel = { .count = 0 };

                ck_assert_uint_eq(ae_tpm_key_persistent_handle(ak), AK_HANDLE);
                marshal_public(ak, again, &again_len);
                ck_assert_uint_eq(again_len, first_len);
                ck_assert_mem_eq(again, first, first_len);

                /* Two keys for one handle, one freed: the other still works
                 * (no ESYS_TR shared between them). */
                ae_tpm_key_free(TAKE_PTR(twice));
                ck_assert_int_eq(ae_pcr_selection_add(&sel, TPM2_ALG_SHA256, 0), 0);
                ck_assert_int_eq(ae_tpm_quote(tpm, ak, (const uint8_t *)"x", 1, &sel, attest,
                                              sizeof(attest), &attest_len, sig, sizeof(sig),
                                              &sig_len),
                                 0);

                /* An ECC AK is not what an RSA AK request may reuse. */
                ck_assert_int_eq(ae_tpm_ak_create(tpm, ek, AE_TPM_AK_RSA2048, AK_HANDLE, &k),
                                 -EEXIST);
                ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "0x81010020"));
                ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "key type differs"));
                ck_assert_ptr_null(k);

                /* Another key put at the handle since: refused, not used. */
                ck_assert_int_eq(ae_tpm_persistent_evict(tpm, AK_HANDLE), 0);
                {
                        _cleanup_tpm_key_ struct ae_tpm_key *other =
                                ak_create(tpm, ek, AE_TPM_AK_ECC_P256, AK_HANDLE);
                }
                ck_assert_int_eq(ae_tpm_quote(tpm, ak, (const uint8_t *)"x", 1, &sel, attest,
                                              sizeof(attest), &attest_len, sig, sizeof(sig),
                                              &sig_len),
                                 -ESTALE);
                ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "no longer holds"));

                ck_assert_int_eq(ae_tpm_persistent_evict(tpm, AK_HANDLE), 0);
                ck_assert_int_eq(ae_tpm_persistent_evict(tpm, AK_HANDLE), -ENOENT);
                ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "no persistent object"));
        }
        ck_assert_uint_eq(count_handles(TPM2_HT_TRANSIENT), 0);
        ck_assert_uint_eq(count_handles(TPM2_HT_LOADED_SESSION), 0);
}
END_TEST

START_TEST(foreign_key_at_handle_is_refused)
{
        evict_if_present(FOREIGN_HANDLE);
        /* A storage primary: restricted, but a decryption key, not an AK. */
        TOOL("tpm2_createprimary", "-C", "o", "-G", "ecc", "-c", wpath("primary.ctx"));
        TOOL("tpm2_flushcontext", "-t");
        TOOL("tpm2_evictcontrol", "-C", "o", "-c", wpath("primary.ctx"), "0x81010021");
        TOOL("tpm2_flushcontext", "-t");
        {
                _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
                _cleanup_tpm_key_ struct ae_tpm_key *ek = ek_create(tpm, AE_TPM_EK_ECC_P256);
                struct ae_tpm_key *ak = NULL;

                ck_assert_int_eq(
                        ae_tpm_ak_create(tpm, ek, AE_TPM_AK_ECC_P256, FOREIGN_HANDLE, &ak),
                        -EEXIST);
                ck_assert_ptr_null(ak);
                ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "0x81010021"));
                ck_assert_ptr_nonnull(
                        strstr(ae_tpm_last_error(tpm), "not a restricted signing key"));
                /* Refused, and left alone: it is still there to evict. */
                ck_assert_int_eq(ae_tpm_persistent_evict(tpm, FOREIGN_HANDLE), 0);
        }
        ck_assert_uint_eq(count_handles(TPM2_HT_TRANSIENT), 0);
}
END_TEST

START_TEST(ak_made_by_tpm2_createak_is_reused)
{
        uint8_t tools_pub[AE_TPM_PUBLIC_MAX];
        _cleanup_free_ uint8_t *file = NULL;
        size_t len = 0, file_len = 0;

        evict_if_present(TOOLS_AK_HANDLE);
        TOOL("tpm2_createek", "-G", "rsa", "-c", wpath("ek.ctx"));
        TOOL("tpm2_createak", "-C", wpath("ek.ctx"), "-c", wpath("ak.ctx"), "-G", "ecc", "-g",
             "sha256", "-s", "ecdsa", "-u", wpath("ak.pub"));
        TOOL("tpm2_flushcontext", "-t");
        TOOL("tpm2_evictcontrol", "-C", "o", "-c", wpath("ak.ctx"), "0x81010022");
        TOOL("tpm2_flushcontext", "-t");
        TOOL("tpm2_flushcontext", "-s");
        {
                _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
                _cleanup_tpm_key_ struct ae_tpm_key *ek = ek_create(tpm, AE_TPM_EK_RSA2048);
                _cleanup_tpm_key_ struct ae_tpm_key *ak =
                        ak_create(tpm, ek, AE_TPM_AK_ECC_P256, TOOLS_AK_HANDLE);
                struct ae_tpm_key *k = NULL;

                marshal_public(ak, tools_pub, &len);
                ck_assert_int_eq(ae_tpm_ak_create(tpm, ek, AE_TPM_AK_RSA2048, TOOLS_AK_HANDLE, &k),
                                 -EEXIST);
                ck_assert_int_eq(ae_tpm_persistent_evict(tpm, TOOLS_AK_HANDLE), 0);
        }
        /* tpm2_createak's own record of the public area (TPM2B_PUBLIC). */
        read_bytes(wpath("ak.pub"), &file, &file_len);
        ck_assert_uint_eq(len, file_len);
        ck_assert_mem_eq(tools_pub, file, len);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("tpm_agent_keys");
        TCase *tc = tcase_create("swtpm");

        tcase_set_timeout(tc, 120);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, ek_is_the_certified_tpm2_createek_key);
        tcase_add_test(tc, ek_create_refusals);
        tcase_add_test(tc, ak_is_a_restricted_signing_key);
        tcase_add_test(tc, ak_create_refusals);
        tcase_add_test(tc, ak_persists_and_is_reused);
        tcase_add_test(tc, foreign_key_at_handle_is_refused);
        tcase_add_test(tc, ak_made_by_tpm2_createak_is_reused);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
