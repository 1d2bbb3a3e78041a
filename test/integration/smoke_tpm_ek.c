/* The swtpm fixture is real: EK certificates read through Aegis's ESAPI code
 * are the ones the fixture wrote, certify the EKs the TPM reported, chain to
 * the test manufacturer CA and not to the rogue one, and reading leaves
 * nothing behind in the TPM or in memory. */
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "check_util.h"
#include "common/file.h"
#include "common/ossl.h"
#include "node-attestor/tpm/ek_cert.h"
#include "node-attestor/tpm/nv.h"
#include "node-attestor/tpm/tpm.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/verify/ek_id.h"
#include "node-attestor/verify/ek_parse.h"
#include "node-attestor/verify/ek_trust.h"

struct ek_case {
        enum ae_tpm_ek_alg alg;
        const char *cert_var, *pub_var;
        const char *rogue_cert_var, *rogue_pub_var;
};

static const struct ek_case cases[AE_TPM_EK_ALG_COUNT] = {
        { AE_TPM_EK_RSA2048, "AE_TPM_EK_RSA_CERT", "AE_TPM_EK_RSA_PUB",
          "AE_TPM_ROGUE_EK_RSA_CERT", "AE_TPM_ROGUE_EK_RSA_PUB" },
        { AE_TPM_EK_ECC_P256, "AE_TPM_EK_ECC_CERT", "AE_TPM_EK_ECC_PUB",
          "AE_TPM_ROGUE_EK_ECC_CERT", "AE_TPM_ROGUE_EK_ECC_PUB" },
};

static void read_file(const char *path, uint8_t **ret, size_t *ret_len)
{
        int r = ae_file_read(path, AE_EK_CERT_MAX, ret, ret_len);

        ck_assert_msg(r == 0, "read %s: %s", path, strerror(-r));
}

static struct ae_tpm *open_tpm(const char *tcti_var)
{
        struct ae_tpm *tpm = NULL;
        int r = ae_tpm_open(ae_test_env(tcti_var), &tpm);

        ck_assert_msg(r == 0, "ae_tpm_open(%s): %d %s", ae_test_env(tcti_var), r,
                      ae_tpm_last_error(NULL));
        return tpm;
}

static void read_ek(struct ae_tpm *tpm, enum ae_tpm_ek_alg alg, uint8_t **der, size_t *len)
{
        int r = ae_tpm_ek_cert_read(tpm, alg, der, len);

        ck_assert_msg(r == 0, "read %s EK cert: %d %s", ae_tpm_ek_alg_name(alg), r,
                      ae_tpm_last_error(tpm));
}

static enum ae_ek_reason chain_reason(const char *bundle_var, const uint8_t *der, size_t len)
{
        _cleanup_ek_trust_ struct ae_ek_trust *trust = NULL;
        enum ae_ek_reason reason = AE_EK_REASON_COUNT;

        ck_assert_int_eq(ae_ek_trust_load_file(ae_test_env(bundle_var), &trust), 0);
        ck_assert_int_eq(ae_ek_trust_check_chain(trust, der, len, time(NULL), &reason), 0);
        return reason;
}

START_TEST(ek_certs_are_the_fixture_files)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm("AE_TPM_TCTI");

        for (int i = 0; i < AE_TPM_EK_ALG_COUNT; i++) {
                _cleanup_free_ uint8_t *der = NULL, *file = NULL;
                size_t len, file_len;

                read_ek(tpm, cases[i].alg, &der, &len);
                read_file(ae_test_env(cases[i].cert_var), &file, &file_len);
                ck_assert_uint_eq(len, file_len);
                ck_assert_mem_eq(der, file, len);
        }
}
END_TEST

START_TEST(ek_certs_certify_the_eks)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm("AE_TPM_TCTI");

        for (int i = 0; i < AE_TPM_EK_ALG_COUNT; i++) {
                _cleanup_free_ uint8_t *der = NULL;
                _cleanup_(X509_freep) X509 *cert = NULL;
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *ek = NULL;
                _cleanup_fclose_ FILE *f = NULL;
                uint8_t id[AE_EK_ID_LEN], want[AE_EK_ID_LEN];
                unsigned char *spki = NULL;
                unsigned int md_len = 0;
                size_t len;
                int n;

                read_ek(tpm, cases[i].alg, &der, &len);
                ck_assert_int_eq(ae_ek_cert_parse(der, len, &cert), 0);

                /* The key tpm2_createek reported from the TPM's own template. */
                f = fopen(ae_test_env(cases[i].pub_var), "r");
                ck_assert_ptr_nonnull(f);
                ek = PEM_read_PUBKEY(f, NULL, NULL, NULL);
                ck_assert_ptr_nonnull(ek);
                ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(cert), ek), 1);
                ck_assert_int_eq(EVP_PKEY_get_base_id(ek),
                                 cases[i].alg == AE_TPM_EK_RSA2048 ? EVP_PKEY_RSA : EVP_PKEY_EC);

                /* So the EK identity is the same from either side. */
                n = i2d_PUBKEY(ek, &spki);
                ck_assert_int_gt(n, 0);
                ck_assert_int_eq(EVP_Digest(spki, (size_t)n, want, &md_len, EVP_sha256(), NULL), 1);
                OPENSSL_free(spki);
                ck_assert_int_eq(ae_ek_spki_sha256(cert, id), 0);
                ck_assert_mem_eq(id, want, AE_EK_ID_LEN);
        }
}
END_TEST

START_TEST(ek_certs_chain_to_manufacturer)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm("AE_TPM_TCTI");

        for (int i = 0; i < AE_TPM_EK_ALG_COUNT; i++) {
                _cleanup_free_ uint8_t *der = NULL;
                size_t len;

                read_ek(tpm, cases[i].alg, &der, &len);
                ck_assert_int_eq(chain_reason("AE_EK_CA_BUNDLE", der, len), AE_EK_OK);
                ck_assert_int_eq(chain_reason("AE_EK_ROGUE_CA_BUNDLE", der, len),
                                 AE_EK_UNTRUSTED);
        }
}
END_TEST

START_TEST(rogue_tpm_is_untrusted)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm("AE_TPM_ROGUE_TCTI");

        for (int i = 0; i < AE_TPM_EK_ALG_COUNT; i++) {
                _cleanup_free_ uint8_t *der = NULL, *file = NULL;
                size_t len, file_len;

                read_ek(tpm, cases[i].alg, &der, &len);
                read_file(ae_test_env(cases[i].rogue_cert_var), &file, &file_len);
                ck_assert_uint_eq(len, file_len);
                ck_assert_mem_eq(der, file, len);

                ck_assert_int_eq(chain_reason("AE_EK_CA_BUNDLE", der, len), AE_EK_UNTRUSTED);
                ck_assert_str_eq(ae_ek_reason_str(AE_EK_UNTRUSTED),
                                 "not issued by a trusted manufacturer CA");
                ck_assert_int_eq(chain_reason("AE_EK_ROGUE_CA_BUNDLE", der, len), AE_EK_OK);
        }
}
END_TEST

START_TEST(undefined_index_is_enoent)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm("AE_TPM_TCTI");
        uint8_t *data = NULL;
        size_t len = 0;

        /* 0x01c00004: the TCG's RSA EK template index, not defined here. */
        ck_assert_int_eq(ae_tpm_nv_read(tpm, 0x01c00004, 4096, &data, &len), -ENOENT);
        ck_assert_ptr_null(data);
        ck_assert_uint_eq(len, 0);
        ck_assert_str_ne(ae_tpm_last_error(tpm), "");
        /* Not an NV index at all. */
        ck_assert_int_eq(ae_tpm_nv_read(tpm, 0x81000001, 4096, &data, &len), -EINVAL);
        /* Defined, but larger than the caller allows. */
        ck_assert_int_eq(ae_tpm_nv_read(tpm, AE_TPM_EK_NV_RSA2048, 16, &data, &len), -EMSGSIZE);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "limit 16"));
        ck_assert_ptr_null(data);
        ck_assert_int_eq(ae_tpm_ek_cert_read(tpm, AE_TPM_EK_ALG_COUNT, &data, &len), -EINVAL);
}
END_TEST

static uint32_t env_index(const char *var)
{
        char *end;
        unsigned long v = strtoul(ae_test_env(var), &end, 0);

        ck_assert_msg(*end == '\0' && v <= UINT32_MAX, "%s is not an NV index", var);
        return (uint32_t)v;
}

START_TEST(nv_read_in_chunks_with_index_auth)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm("AE_TPM_TCTI");
        _cleanup_free_ uint8_t *data = NULL, *file = NULL;
        size_t len = 0, file_len = 0;
        int r;

        /* 2000 bytes: two NV_Reads on swtpm (1024 + 976). The index has
         * AUTHREAD but not OWNERREAD, so its own (empty) auth is used. */
        r = ae_tpm_nv_read(tpm, env_index("AE_TPM_NV_BLOB_INDEX"), 4096, &data, &len);
        ck_assert_msg(r == 0, "nv read: %d %s", r, ae_tpm_last_error(tpm));
        ck_assert_int_eq(ae_file_read(ae_test_env("AE_TPM_NV_BLOB"), 4096, &file, &file_len), 0);
        ck_assert_uint_eq(len, 2000);
        ck_assert_uint_eq(len, file_len);
        ck_assert_mem_eq(data, file, len);
}
END_TEST

START_TEST(nv_read_refusals)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm("AE_TPM_TCTI");
        uint8_t *data = NULL;
        size_t len = 0;

        /* Only the platform may read it: neither owner nor index auth works. */
        ck_assert_int_eq(ae_tpm_nv_read(tpm, env_index("AE_TPM_NV_PP_ONLY_INDEX"), 4096, &data,
                                        &len),
                         -EACCES);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "neither owner nor auth"));
        /* Defined, never written. */
        ck_assert_int_eq(ae_tpm_nv_read(tpm, env_index("AE_TPM_NV_UNWRITTEN_INDEX"), 4096, &data,
                                        &len),
                         -ENODATA);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "never written"));
        ck_assert_ptr_null(data);
        ck_assert_uint_eq(len, 0);
}
END_TEST

/* A localhost port nobody listens on: bound by us, then released. */
static int closed_port(void)
{
        struct sockaddr_in sa = { .sin_family = AF_INET,
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t sl = sizeof(sa);
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
        close(fd);
        return ntohs(sa.sin_port);
}

START_TEST(closed_port_fails_with_text)
{
        struct ae_tpm *tpm = NULL;
        char conf[64];
        int r;

        snprintf(conf, sizeof(conf), "swtpm:host=127.0.0.1,port=%d", closed_port());
        r = ae_tpm_open(conf, &tpm);
        ck_assert_msg(r == -ECONNREFUSED || r == -EIO, "ae_tpm_open(%s) = %d", conf, r);
        ck_assert_ptr_null(tpm);
        ck_assert_str_ne(ae_tpm_last_error(NULL), "");
}
END_TEST

/* Handles of one type (TPM2_HT_*) the TPM holds, asked on a connection of
 * our own so Aegis's code is not the one answering. */
static uint32_t count_handles(uint8_t type)
{
        TSS2_TCTI_CONTEXT *tcti = NULL;
        ESYS_CONTEXT *esys = NULL;
        TPMS_CAPABILITY_DATA *cap = NULL;
        TPMI_YES_NO more = TPM2_NO;
        uint32_t n;

        ck_assert_int_eq(Tss2_TctiLdr_Initialize(ae_test_env("AE_TPM_TCTI"), &tcti), 0);
        ck_assert_int_eq(Esys_Initialize(&esys, tcti, NULL), 0);
        ck_assert_int_eq(Esys_GetCapability(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                            TPM2_CAP_HANDLES, (uint32_t)type << TPM2_HR_SHIFT,
                                            TPM2_MAX_CAP_HANDLES, &more, &cap),
                         0);
        n = cap->data.handles.count;
        Esys_Free(cap);
        Esys_Finalize(&esys);
        Tss2_TctiLdr_Finalize(&tcti);
        return n;
}

START_TEST(repeated_reads_leave_nothing_behind)
{
        size_t before, after;

        {
                _cleanup_tpm_ struct ae_tpm *tpm = open_tpm("AE_TPM_TCTI");
                uint8_t *der;
                size_t len;

                /* Warm up: the first read caches NV_BUFFER_MAX; OpenSSL (which
                 * ESAPI uses for names) fills its caches over the first ~6
                 * reads, then the heap stays flat. */
                for (int i = 0; i < 10; i++) {
                        read_ek(tpm, (enum ae_tpm_ek_alg)(i % AE_TPM_EK_ALG_COUNT), &der, &len);
                        free(der);
                }
                before = mallinfo2().uordblks;
                for (int i = 0; i < 50; i++) {
                        read_ek(tpm, (enum ae_tpm_ek_alg)(i % AE_TPM_EK_ALG_COUNT), &der, &len);
                        free(der);
                }
                /* A leaked ESAPI buffer costs hundreds of bytes a read (about
                 * 2 KiB for the public area and data); 50 reads would show.
                 * (A leaked ESYS_TR would not: tpm2-tss 3.2 hands out the same
                 * one again for the same TPM handle.) */
                after = mallinfo2().uordblks;
                ck_assert_msg(after <= before + 1024, "heap grew by %zu bytes over 50 reads",
                              after - before);
        }

        ck_assert_uint_eq(count_handles(TPM2_HT_TRANSIENT), 0);
        ck_assert_uint_eq(count_handles(TPM2_HT_LOADED_SESSION), 0);
        ck_assert_uint_eq(count_handles(TPM2_HT_POLICY_SESSION), 0);
}
END_TEST

START_TEST(open_close_repeatedly)
{
        for (int i = 0; i < 20; i++) {
                _cleanup_tpm_ struct ae_tpm *tpm = open_tpm("AE_TPM_TCTI");
                _cleanup_free_ uint8_t *der = NULL;
                size_t len;

                read_ek(tpm, AE_TPM_EK_ECC_P256, &der, &len);
        }
        ck_assert_uint_eq(count_handles(TPM2_HT_TRANSIENT), 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("smoke_tpm_ek");
        TCase *tc = tcase_create("swtpm");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, ek_certs_are_the_fixture_files);
        tcase_add_test(tc, ek_certs_certify_the_eks);
        tcase_add_test(tc, ek_certs_chain_to_manufacturer);
        tcase_add_test(tc, rogue_tpm_is_untrusted);
        tcase_add_test(tc, undefined_index_is_enoent);
        tcase_add_test(tc, nv_read_in_chunks_with_index_auth);
        tcase_add_test(tc, nv_read_refusals);
        tcase_add_test(tc, closed_port_fails_with_text);
        tcase_add_test(tc, repeated_reads_leave_nothing_behind);
        tcase_add_test(tc, open_close_repeatedly);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
