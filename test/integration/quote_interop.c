/* Cross-validation with tools we did not write: tpm2-tools creates the EK
 * and AK and makes the quote (tpm2_quote) with Aegis' qualifying-data rule;
 * the Aegis verifier (ae_quote_check) must accept it, and refuse it when the
 * nonce or a PCR value differs. swtpm has no resource manager, so every
 * tpm2-tools step is followed by a flush. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "check_util.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/ossl.h"
#include "node-attestor/pcrs.h"
#include "node-attestor/qualifying_data.h"
#include "node-attestor/verify/quote_check.h"
#include "node-attestor/verify/tpm_public.h"

static char dir[64];

static void setup(void)
{
        strcpy(dir, "/tmp/aegis-quote-interop-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        ck_assert_int_eq(setenv("TPM2TOOLS_TCTI", ae_test_env("AE_TPM_TCTI"), 1), 0);
}

static void teardown(void)
{
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "tpm2_flushcontext -t >/dev/null 2>&1; rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run a shell command (printf-formatted) in the test's directory. */
static void sh(const char *fmt, ...)
{
        char cmd[2048];
        va_list ap;

        snprintf(cmd, sizeof(cmd), "cd '%s' && ", dir);
        va_start(ap, fmt);
        vsnprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), fmt, ap);
        va_end(ap);
        ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

static size_t slurp(const char *name, uint8_t **ret)
{
        char path[256];
        size_t len;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        ck_assert_int_eq(ae_file_read(path, 65536, ret, &len), 0);
        return len;
}

/* tpm2-tools makes an AK of type alg/scheme and quotes sha256:0-7 with the
 * qualifying data Aegis derives from nonce (and no location claim). */
static void tpm2_tools_quote(const char *alg, const char *scheme,
                             const uint8_t nonce[AE_ATTEST_NONCE_LEN])
{
        uint8_t q[AE_QUALIFYING_DATA_LEN];
        char qhex[AE_HEX_SIZE(AE_QUALIFYING_DATA_LEN)];

        ck_assert_int_eq(ae_attest_qualifying_data(nonce, NULL, 0, q), 0);
        ck_assert_int_eq(ae_hex_encode(q, sizeof(q), qhex, sizeof(qhex)), 0);
        sh("tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null && tpm2_flushcontext -t");
        sh("tpm2_createak -C ek.ctx -c ak.ctx -G %s -g sha256 -s %s -u ak.pub -n ak.name "
           ">/dev/null && tpm2_flushcontext -t && tpm2_flushcontext -s",
           alg, scheme);
        sh("tpm2_quote -c ak.ctx -l sha256:0,1,2,3,4,5,6,7 -q %s -m quote.msg -s quote.sig "
           "-g sha256 >/dev/null && tpm2_flushcontext -t",
           qhex);
        sh("tpm2_pcrread sha256:0,1,2,3,4,5,6,7 -o pcrs.bin >/dev/null");
}

struct verify_input {
        TPM2B_PUBLIC ak;
        EVP_PKEY *key;
        uint8_t *msg, *sig;
        size_t msg_len, sig_len;
        TPML_PCR_SELECTION sel;
        struct ae_pcr_values values;
};

static void load_input(struct verify_input *in)
{
        _cleanup_free_ uint8_t *pub = NULL, *pcrs = NULL;
        size_t pub_len = slurp("ak.pub", &pub), pcrs_len = slurp("pcrs.bin", &pcrs);

        memset(in, 0, sizeof(*in));
        ck_assert_int_eq(ae_tpm_public_parse(pub, pub_len, &in->ak), 0);
        ck_assert_int_eq(ae_tpm_public_to_evp(&in->ak, &in->key), 0);
        in->msg_len = slurp("quote.msg", &in->msg);
        in->sig_len = slurp("quote.sig", &in->sig);
        /* tpm2_pcrread -o writes the digests back to back in selection order. */
        ck_assert_uint_eq(pcrs_len, 8 * 32);
        for (unsigned i = 0; i < 8; i++) {
                ck_assert_int_eq(ae_pcr_selection_add(&in->sel, TPM2_ALG_SHA256, i), 0);
                ck_assert_int_eq(ae_pcr_values_add(&in->values, TPM2_ALG_SHA256, i,
                                                   pcrs + 32 * i, 32), 0);
        }
}

static void free_input(struct verify_input *in)
{
        EVP_PKEY_free(in->key);
        free(in->msg);
        free(in->sig);
}

static enum ae_attest_reason check(struct verify_input *in, const uint8_t *nonce)
{
        uint8_t q[AE_QUALIFYING_DATA_LEN];
        struct ae_quote_info info;
        enum ae_attest_reason reason = AE_ATTEST_REASON_COUNT;

        ck_assert_int_eq(ae_attest_qualifying_data(nonce, NULL, 0, q), 0);
        ck_assert_int_eq(ae_quote_check(&in->ak, in->key, in->msg, in->msg_len, in->sig,
                                        in->sig_len, q, sizeof(q), &in->sel, &in->values, &info,
                                        &reason),
                         0);
        return reason;
}

static void run(const char *alg, const char *scheme)
{
        uint8_t nonce[AE_ATTEST_NONCE_LEN], other[AE_ATTEST_NONCE_LEN];
        struct verify_input in;

        ck_assert_int_eq(RAND_bytes(nonce, sizeof(nonce)), 1);
        memcpy(other, nonce, sizeof(other));
        other[0] ^= 1;
        tpm2_tools_quote(alg, scheme, nonce);
        load_input(&in);
        ck_assert_int_eq(check(&in, nonce), AE_ATTEST_OK);
        ck_assert_int_eq(check(&in, other), AE_ATTEST_QUOTE_NONCE_MISMATCH);
        in.values.v[3].digest[0] ^= 1;
        ck_assert_int_eq(check(&in, nonce), AE_ATTEST_PCR_DIGEST_MISMATCH);
        free_input(&in);
}

START_TEST(tpm2_quote_ecdsa_accepted)
{
        run("ecc", "ecdsa");
}
END_TEST

START_TEST(tpm2_quote_rsassa_accepted)
{
        run("rsa", "rsassa");
}
END_TEST

int main(void)
{
        Suite *s = suite_create("quote_interop");
        TCase *tc = tcase_create("quote_interop");

        tcase_set_timeout(tc, 60);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, tpm2_quote_ecdsa_accepted);
        tcase_add_test(tc, tpm2_quote_rsassa_accepted);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
