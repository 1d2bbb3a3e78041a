/* The agent's TPM operations against swtpm, each checked by something we did
 * not write: PCR values are the ones tpm2_pcrread reads, quotes pass
 * tpm2_checkquote, credentials from tpm2_makecredential activate, and
 * twenty attestation cycles leave no object or session in the TPM and no
 * memory behind. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <tss2/tss2_mu.h>

#include "check_util.h"
#include "node-attestor/attest_limits.h"
#include "node-attestor/pcrs.h"
#include "node-attestor/tpm/activate.h"
#include "node-attestor/tpm/ek_cert.h"
#include "node-attestor/tpm/keys.h"
#include "node-attestor/tpm/pcr_read.h"
#include "node-attestor/tpm/quote.h"
#include "node-attestor/tpm/tpm.h"
#include "node-attestor/tpm/tpm_error.h"
#include "tpm_agent_util.h"

/* ---- PCRs -------------------------------------------------------------- */

/* Give the resettable PCRs 16 and 23 distinct values, so a reading that
 * mixes PCRs up shows. The other tests sharing the TPM see them reset. */
static void pcrs_extend(void)
{
        uint8_t a[32], b[32], c[20];
        char arg1[200], arg2[100];

        ck_assert_int_eq(RAND_bytes(a, sizeof(a)), 1);
        ck_assert_int_eq(RAND_bytes(b, sizeof(b)), 1);
        ck_assert_int_eq(RAND_bytes(c, sizeof(c)), 1);
        snprintf(arg1, sizeof(arg1), "16:sha256=%s,sha1=%s", hex(a, 32), hex(c, 20));
        snprintf(arg2, sizeof(arg2), "23:sha256=%s", hex(b, 32));
        TOOL("tpm2_pcrreset", "16", "23");
        TOOL("tpm2_pcrextend", arg1, arg2);
}

static void pcrs_reset(void)
{
        TOOL("tpm2_pcrreset", "16", "23");
}

static TPML_PCR_SELECTION selection(const TPMI_ALG_HASH *banks, size_t nbanks,
                                    const unsigned *pcrs, size_t npcrs)
{
        TPML_PCR_SELECTION sel;

        memset(&sel, 0, sizeof(sel));
        for (size_t b = 0; b < nbanks; b++)
                for (size_t i = 0; i < npcrs; i++)
                        ck_assert_int_eq(ae_pcr_selection_add(&sel, banks[b], pcrs[i]), 0);
        return sel;
}

/* Values in tpm2_pcrread -o form: the digests concatenated, banks in
 * selection order, PCRs ascending. */
static size_t pcr_values_concat(const TPML_PCR_SELECTION *sel, const struct ae_pcr_values *vals,
                                uint8_t *buf, size_t cap)
{
        size_t len = 0;

        for (UINT32 b = 0; b < sel->count; b++)
                for (unsigned pcr = 0; pcr < AE_PCR_COUNT; pcr++) {
                        const struct ae_pcr_value *v;

                        if (!ae_pcr_selection_has(sel, sel->pcrSelections[b].hash, pcr))
                                continue;
                        v = ae_pcr_values_find(vals, sel->pcrSelections[b].hash, pcr);
                        ck_assert_ptr_nonnull(v);
                        ck_assert_uint_le(len + v->size, cap);
                        memcpy(buf + len, v->digest, v->size);
                        len += v->size;
                }
        return len;
}

static void read_pcrs(const TPML_PCR_SELECTION *sel, struct ae_pcr_values *vals)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
        int r = ae_tpm_pcr_read(tpm, sel, vals);

        ck_assert_msg(r == 0, "pcr read: %d %s", r, ae_tpm_last_error(tpm));
        ck_assert_uint_eq(vals->count, ae_pcr_selection_count(sel));
}

/* Our reading of sel equals tpm2_pcrread's of spec, byte for byte. */
static void assert_pcrs_match_tool(const TPML_PCR_SELECTION *sel, const char *spec)
{
        static struct ae_pcr_values vals;
        static uint8_t ours[AE_ATTEST_PCR_VALUES_MAX * AE_PCR_DIGEST_MAX];
        _cleanup_free_ uint8_t *tools = NULL;
        size_t len, tools_len = 0;

        read_pcrs(sel, &vals);
        len = pcr_values_concat(sel, &vals, ours, sizeof(ours));
        TOOL("tpm2_pcrread", "-o", wpath("pcrs.bin"), spec);
        read_bytes(wpath("pcrs.bin"), &tools, &tools_len);
        ck_assert_uint_eq(len, tools_len);
        ck_assert_mem_eq(ours, tools, len);
}

START_TEST(pcr_read_matches_tpm2_pcrread)
{
        static const unsigned all[AE_PCR_COUNT] = { 0,  1,  2,  3,  4,  5,  6,  7,
                                                    8,  9,  10, 11, 12, 13, 14, 15,
                                                    16, 17, 18, 19, 20, 21, 22, 23 };
        const TPMI_ALG_HASH sha256[] = { TPM2_ALG_SHA256 };
        const TPMI_ALG_HASH four[] = { TPM2_ALG_SHA384, TPM2_ALG_SHA1, TPM2_ALG_SHA512,
                                       TPM2_ALG_SHA256 };
        static struct ae_pcr_values vals;
        TPML_PCR_SELECTION sel;

        pcrs_extend();
        /* 24 PCRs: three PCR_Reads of eight. */
        sel = selection(sha256, 1, all, AE_PCR_COUNT);
        assert_pcrs_match_tool(&sel, "sha256");
        read_pcrs(&sel, &vals);
        ck_assert_ptr_nonnull(ae_pcr_values_find(&vals, TPM2_ALG_SHA256, 23));
        ck_assert_mem_ne(ae_pcr_values_find(&vals, TPM2_ALG_SHA256, 16)->digest,
                         ae_pcr_values_find(&vals, TPM2_ALG_SHA256, 23)->digest, 32);
        /* Every bank, every PCR (96 values, the most a payload carries), in
         * an order of our choosing. */
        sel = selection(four, 4, all, AE_PCR_COUNT);
        assert_pcrs_match_tool(&sel, "sha384:all+sha1:all+sha512:all+sha256:all");
        pcrs_reset();
}
END_TEST

START_TEST(pcr_read_refusals)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
        struct ae_pcr_values vals = { .count = 7 };
        TPML_PCR_SELECTION sel;

        memset(&sel, 0, sizeof(sel));
        ck_assert_int_eq(ae_tpm_pcr_read(tpm, &sel, &vals), -EINVAL);
        /* A bank selected but no PCR in it. */
        sel.count = 1;
        sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
        sel.pcrSelections[0].sizeofSelect = 3;
        ck_assert_int_eq(ae_tpm_pcr_read(tpm, &sel, &vals), -EINVAL);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "selects nothing"));
        /* PCR 24 does not exist on a PC Client TPM. */
        sel.pcrSelections[0].sizeofSelect = 4;
        sel.pcrSelections[0].pcrSelect[3] = 1;
        ck_assert_int_eq(ae_tpm_pcr_read(tpm, &sel, &vals), -EINVAL);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "PCR above 23"));
        /* A hash Aegis has no PCR bank type for. */
        sel.pcrSelections[0].sizeofSelect = 3;
        sel.pcrSelections[0].pcrSelect[0] = 1;
        sel.pcrSelections[0].hash = TPM2_ALG_SM3_256;
        ck_assert_int_eq(ae_tpm_pcr_read(tpm, &sel, &vals), -EINVAL);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "not supported"));
        /* The same bank twice. */
        sel.count = 2;
        sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
        sel.pcrSelections[1] = sel.pcrSelections[0];
        ck_assert_int_eq(ae_tpm_pcr_read(tpm, &sel, &vals), -EINVAL);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "selected twice"));
        /* Nothing written on failure. */
        ck_assert_uint_eq(vals.count, 7);
}
END_TEST

/* ---- a TPM of our own, with only a SHA-256 bank ------------------------ */

struct own_swtpm {
        char dir[600];
        char tcti[64];
        pid_t pid;
};

static void own_swtpm_start(struct own_swtpm *t)
{
        char state[700], pidfile[700], server[80], ctrl[80];

        snprintf(state, sizeof(state), "dir=%s", t->dir);
        snprintf(pidfile, sizeof(pidfile), "file=%s/swtpm.pid", t->dir);
        for (int i = 0; i < 64; i++) {
                /* Below the ephemeral range, like the fixture's ports. */
                int port = 20000 + 2 * (int)(random() % 6000);
                _cleanup_free_ uint8_t *pid = NULL;
                size_t len = 0;

                snprintf(server, sizeof(server), "type=tcp,port=%d,bindaddr=127.0.0.1", port);
                snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%d,bindaddr=127.0.0.1", port + 1);
                (void)unlink(pidfile + 5);
                if (RUN("swtpm", "socket", "--tpm2", "--tpmstate", state, "--server", server,
                        "--ctrl", ctrl, "--flags", "not-need-init,startup-clear", "--daemon",
                        "--pid", pidfile) != 0)
                        continue;
                for (int w = 0; w < 50 && access(pidfile + 5, R_OK) != 0; w++)
                        usleep(100 * 1000);
                read_bytes(pidfile + 5, &pid, &len);
                t->pid = (pid_t)atoi((const char *)pid);
                ck_assert_int_gt(t->pid, 1);
                snprintf(t->tcti, sizeof(t->tcti), "swtpm:host=127.0.0.1,port=%d", port);
                return;
        }
        ck_abort_msg("could not start a swtpm of our own");
}

static void own_swtpm_stop(struct own_swtpm *t)
{
        if (t->pid <= 1)
                return;
        (void)kill(t->pid, SIGTERM);
        for (int i = 0; i < 50 && kill(t->pid, 0) == 0; i++)
                usleep(100 * 1000);
        if (kill(t->pid, 0) == 0)
                (void)kill(t->pid, SIGKILL);
        t->pid = 0;
}

START_TEST(missing_bank_is_named)
{
        struct own_swtpm t = { .pid = 0 };
        struct ae_tpm *tpm = NULL;
        struct ae_pcr_values vals;
        TPML_PCR_SELECTION sel;
        int r;

        snprintf(t.dir, sizeof(t.dir), "%s", wpath("own-swtpm"));
        ck_assert_int_eq(mkdir(t.dir, 0700), 0);
        srandom((unsigned)getpid() ^ (unsigned)time(NULL));

        /* Allocation changes at the next TPM2_Startup: restart swtpm. */
        own_swtpm_start(&t);
        r = RUN("tpm2_pcrallocate", "-T", t.tcti, "sha256:all+sha1:none+sha384:none+sha512:none");
        own_swtpm_stop(&t);
        ck_assert_int_eq(r, 0);
        own_swtpm_start(&t);

        r = ae_tpm_open(t.tcti, &tpm);
        ck_assert_msg(r == 0, "open own swtpm: %s", ae_tpm_last_error(NULL));
        memset(&sel, 0, sizeof(sel));
        ck_assert_int_eq(ae_pcr_selection_add(&sel, TPM2_ALG_SHA256, 3), 0);
        ck_assert_int_eq(ae_tpm_pcr_read(tpm, &sel, &vals), 0);
        ck_assert_uint_eq(vals.count, 1);
        /* The SHA-256 PCR is read, then the SHA-384 one is missing. */
        ck_assert_int_eq(ae_pcr_selection_add(&sel, TPM2_ALG_SHA384, 5), 0);
        vals.count = 9;
        ck_assert_int_eq(ae_tpm_pcr_read(tpm, &sel, &vals), -EOPNOTSUPP);
        ck_assert_str_eq(ae_tpm_last_error(tpm), "TPM has no sha384 PCR 5 (bank not allocated?)");
        ck_assert_uint_eq(vals.count, 9);
        ae_tpm_close(tpm);
        own_swtpm_stop(&t);
}
END_TEST

/* ---- quote ------------------------------------------------------------- */

static void quote_checked_by_tools(enum ae_tpm_ak_alg alg)
{
        static const unsigned pcrs[] = { 0, 1, 2, 16, 23 };
        const TPMI_ALG_HASH sha1[] = { TPM2_ALG_SHA1 }, sha256[] = { TPM2_ALG_SHA256 };
        const char *list = "sha1:16+sha256:0,1,2,16,23";
        static struct ae_pcr_values vals;
        static uint8_t values[AE_ATTEST_PCR_VALUES_MAX * AE_PCR_DIGEST_MAX];
        uint8_t attest[AE_ATTEST_QUOTE_MAX], sig[AE_ATTEST_SIGNATURE_MAX];
        uint8_t pub[AE_TPM_PUBLIC_MAX], qualifying[32], other[32];
        size_t attest_len = 0, sig_len = 0, pub_len = 0, values_len;
        TPML_PCR_SELECTION sel, s256;
        TPMS_ATTEST parsed;
        size_t off = 0;
        int r;

        /* The selection as a verifier would ask: SHA-1 first, then SHA-256. */
        sel = selection(sha1, 1, pcrs + 3, 1);
        s256 = selection(sha256, 1, pcrs, 5);
        sel.pcrSelections[sel.count++] = s256.pcrSelections[0];
        ck_assert_int_eq(RAND_bytes(qualifying, sizeof(qualifying)), 1);
        memcpy(other, qualifying, sizeof(other));
        other[0] ^= 1;

        {
                _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
                _cleanup_tpm_key_ struct ae_tpm_key *ek = ek_create(tpm, AE_TPM_EK_ECC_P256);
                _cleanup_tpm_key_ struct ae_tpm_key *ak = ak_create(tpm, ek, alg, 0);
                uint8_t big[AE_TPM_QUALIFYING_MAX + 1] = { 0 };
                size_t untouched = 5;

                r = ae_tpm_quote(tpm, ak, qualifying, sizeof(qualifying), &sel, attest,
                                 sizeof(attest), &attest_len, sig, sizeof(sig), &sig_len);
                ck_assert_msg(r == 0, "quote: %d %s", r, ae_tpm_last_error(tpm));
                r = ae_tpm_pcr_read(tpm, &sel, &vals);
                ck_assert_msg(r == 0, "pcr read: %d %s", r, ae_tpm_last_error(tpm));
                marshal_public(ak, pub, &pub_len);

                /* Refusals: nothing written. */
                ck_assert_int_eq(ae_tpm_quote(tpm, ak, big, sizeof(big), &sel, attest,
                                              sizeof(attest), &untouched, sig, sizeof(sig),
                                              &untouched),
                                 -EINVAL);
                ck_assert_int_eq(ae_tpm_quote(tpm, ak, qualifying, 32, &sel, attest, 16,
                                              &untouched, sig, sizeof(sig), &untouched),
                                 -ENOBUFS);
                ck_assert_int_eq(ae_tpm_quote(tpm, ak, qualifying, 32, &sel, attest,
                                              sizeof(attest), &untouched, sig, 16, &untouched),
                                 -ENOBUFS);
                ck_assert_int_eq(ae_tpm_quote(tpm, ek, qualifying, 32, &sel, attest,
                                              sizeof(attest), &untouched, sig, sizeof(sig),
                                              &untouched),
                                 -EINVAL);
                ck_assert_uint_eq(untouched, 5);
        }

        /* What was signed is a quote of exactly this selection and data. */
        memset(&parsed, 0, sizeof(parsed));
        ck_assert_int_eq(Tss2_MU_TPMS_ATTEST_Unmarshal(attest, attest_len, &off, &parsed), 0);
        ck_assert_uint_eq(off, attest_len);
        ck_assert_uint_eq(parsed.magic, TPM2_GENERATED_VALUE);
        ck_assert_uint_eq(parsed.type, TPM2_ST_ATTEST_QUOTE);
        ck_assert_uint_eq(parsed.extraData.size, sizeof(qualifying));
        ck_assert_mem_eq(parsed.extraData.buffer, qualifying, sizeof(qualifying));
        ck_assert(ae_pcr_selection_equal(&parsed.attested.quote.pcrSelect, &sel));

        values_len = pcr_values_concat(&sel, &vals, values, sizeof(values));
        write_bytes(wpath("ak.pub"), pub, pub_len);
        write_bytes(wpath("quote.msg"), attest, attest_len);
        write_bytes(wpath("quote.sig"), sig, sig_len);
        write_bytes(wpath("pcrs.bin"), values, values_len);

        /* Our PCR values are the ones tpm2_pcrread reads. */
        {
                _cleanup_free_ uint8_t *tools = NULL;
                size_t tools_len = 0;

                TOOL("tpm2_pcrread", "-o", wpath("pcrs-tools.bin"), list);
                read_bytes(wpath("pcrs-tools.bin"), &tools, &tools_len);
                ck_assert_uint_eq(values_len, tools_len);
                ck_assert_mem_eq(values, tools, values_len);
        }

        /* tpm2_checkquote: signature by the AK over the message, the
         * qualifying data, and the PCR digest of these values. */
        ck_assert_int_eq(RUN("tpm2_checkquote", "-u", wpath("ak.pub"), "-m", wpath("quote.msg"),
                             "-s", wpath("quote.sig"), "-g", "sha256", "-q",
                             hex(qualifying, sizeof(qualifying)), "-f", wpath("pcrs.bin"), "-l",
                             list),
                         0);
        /* ...and it is not a tool that accepts anything. */
        ck_assert_int_ne(RUN("tpm2_checkquote", "-u", wpath("ak.pub"), "-m", wpath("quote.msg"),
                             "-s", wpath("quote.sig"), "-g", "sha256", "-q",
                             hex(other, sizeof(other)), "-f", wpath("pcrs.bin"), "-l", list),
                         0);
        values[values_len - 1] ^= 1;
        write_bytes(wpath("pcrs-bad.bin"), values, values_len);
        ck_assert_int_ne(RUN("tpm2_checkquote", "-u", wpath("ak.pub"), "-m", wpath("quote.msg"),
                             "-s", wpath("quote.sig"), "-g", "sha256", "-q",
                             hex(qualifying, sizeof(qualifying)), "-f", wpath("pcrs-bad.bin"),
                             "-l", list),
                         0);
}

START_TEST(quote_passes_tpm2_checkquote)
{
        pcrs_extend();
        quote_checked_by_tools(AE_TPM_AK_ECC_P256);
        quote_checked_by_tools(AE_TPM_AK_RSA2048);
        pcrs_reset();
}
END_TEST

/* ---- credential activation --------------------------------------------- */

struct credential {
        uint8_t blob[AE_ATTEST_CREDENTIAL_BLOB_MAX];
        size_t blob_len;
        uint8_t secret[AE_ATTEST_ENCRYPTED_SECRET_MAX];
        size_t secret_len;
};

static uint32_t be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* tpm2_makecredential, offline (-T none), for ek's public area and ak's
 * name. Its file: magic 0xBADCC0DE, version 1 (big-endian uint32 each),
 * then the TPM2B_ID_OBJECT and the TPM2B_ENCRYPTED_SECRET. */
static void make_credential(const struct ae_tpm_key *ek, const struct ae_tpm_key *ak,
                            const uint8_t *secret, size_t secret_len, struct credential *ret)
{
        uint8_t pub[AE_TPM_PUBLIC_MAX], name[AE_TPM_KEY_NAME_MAX];
        _cleanup_free_ uint8_t *file = NULL;
        size_t pub_len = 0, name_len = 0, file_len = 0, id_len;

        marshal_public(ek, pub, &pub_len);
        ck_assert_int_eq(ae_tpm_key_name(ak, name, sizeof(name), &name_len), 0);
        write_bytes(wpath("ek.pub"), pub, pub_len);
        write_bytes(wpath("secret.bin"), secret, secret_len);
        TOOL("tpm2_makecredential", "-T", "none", "-u", wpath("ek.pub"), "-s",
             wpath("secret.bin"), "-n", hex(name, name_len), "-o", wpath("cred.bin"));

        read_bytes(wpath("cred.bin"), &file, &file_len);
        ck_assert_uint_gt(file_len, 10);
        ck_assert_uint_eq(be32(file), 0xbadcc0de);
        ck_assert_uint_eq(be32(file + 4), 1);
        id_len = 2 + ((size_t)file[8] << 8 | file[9]);
        ck_assert_uint_lt(8 + id_len, file_len);
        ck_assert_uint_le(id_len, sizeof(ret->blob));
        ck_assert_uint_le(file_len - 8 - id_len, sizeof(ret->secret));
        memcpy(ret->blob, file + 8, id_len);
        ret->blob_len = id_len;
        memcpy(ret->secret, file + 8 + id_len, file_len - 8 - id_len);
        ret->secret_len = file_len - 8 - id_len;
}

static int activate(struct ae_tpm *tpm, const struct ae_tpm_key *ak, const struct ae_tpm_key *ek,
                    const struct credential *c, uint8_t *out, size_t *out_len)
{
        return ae_tpm_activate_credential(tpm, ak, ek, c->blob, c->blob_len, c->secret,
                                          c->secret_len, out, AE_ATTEST_SECRET_MAX, out_len);
}

START_TEST(activate_tpm2_makecredential)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();

        for (int i = 0; i < AE_TPM_EK_ALG_COUNT; i++) {
                _cleanup_tpm_key_ struct ae_tpm_key *ek = ek_create(tpm, (enum ae_tpm_ek_alg)i);
                _cleanup_tpm_key_ struct ae_tpm_key *ak =
                        ak_create(tpm, ek, i ? AE_TPM_AK_RSA2048 : AE_TPM_AK_ECC_P256, 0);
                uint8_t secret[AE_ATTEST_SECRET_LEN], got[AE_ATTEST_SECRET_MAX];
                uint8_t longer[AE_ATTEST_CREDENTIAL_BLOB_MAX + 1];
                struct credential c, bad;
                size_t got_len = 0;
                int r;

                ck_assert_int_eq(RAND_bytes(secret, sizeof(secret)), 1);
                make_credential(ek, ak, secret, sizeof(secret), &c);

                r = activate(tpm, ak, ek, &c, got, &got_len);
                ck_assert_msg(r == 0, "activate (%s EK): %d %s",
                              ae_tpm_ek_alg_name((enum ae_tpm_ek_alg)i), r, ae_tpm_last_error(tpm));
                ck_assert_uint_eq(got_len, sizeof(secret));
                ck_assert_mem_eq(got, secret, sizeof(secret));

                /* One flipped byte in the encrypted credential: the TPM's
                 * integrity check fails, and says so. */
                bad = c;
                bad.blob[bad.blob_len - 1] ^= 0x01;
                got_len = 99;
                r = activate(tpm, ak, ek, &bad, got, &got_len);
                ck_assert_int_eq(r, -EPROTO);
                ck_assert_uint_eq(got_len, 99);
                ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "Esys_ActivateCredential"));
                ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "integrity"));
                /* One flipped byte in the encrypted seed. */
                bad = c;
                bad.secret[bad.secret_len / 2] ^= 0x80;
                r = activate(tpm, ak, ek, &bad, got, &got_len);
                if (i == AE_TPM_EK_RSA2048)
                        /* OAEP decoding fails: TPM_RC_VALUE by the spec;
                         * libtpms 0.9 answers TPM_RC_FAILURE (and goes on
                         * working). */
                        ck_assert_msg(r == -EINVAL || r == -EIO, "RSA seed: %d", r);
                else
                        ck_assert_int_eq(r, -EPROTO);
                ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "Esys_ActivateCredential"));
                if (i == AE_TPM_EK_ECC_P256)
                        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "not on the"));

                /* Not exactly one TPM2B each: refused before the TPM sees it. */
                memcpy(longer, c.blob, c.blob_len);
                longer[c.blob_len] = 0;
                ck_assert_int_eq(ae_tpm_activate_credential(tpm, ak, ek, longer, c.blob_len + 1,
                                                            c.secret, c.secret_len, got,
                                                            sizeof(got), &got_len),
                                 -EBADMSG);
                ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "TPM2B_ID_OBJECT"));
                ck_assert_int_eq(ae_tpm_activate_credential(tpm, ak, ek, c.blob, c.blob_len,
                                                            c.secret, c.secret_len - 1, got,
                                                            sizeof(got), &got_len),
                                 -EBADMSG);
                /* Keys swapped: the AK is not an EK. */
                ck_assert_int_eq(ae_tpm_activate_credential(tpm, ek, ak, c.blob, c.blob_len,
                                                            c.secret, c.secret_len, got,
                                                            sizeof(got), &got_len),
                                 -EINVAL);
                /* Too small for the secret. */
                ck_assert_int_eq(ae_tpm_activate_credential(tpm, ak, ek, c.blob, c.blob_len,
                                                            c.secret, c.secret_len, got, 16,
                                                            &got_len),
                                 -ENOBUFS);
                ck_assert_uint_eq(got_len, 99);

                /* A credential for another AK's name does not activate. */
                {
                        _cleanup_tpm_key_ struct ae_tpm_key *other =
                                ak_create(tpm, ek, AE_TPM_AK_ECC_P256, 0);

                        ck_assert_int_eq(activate(tpm, other, ek, &c, got, &got_len), -EPROTO);
                        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(tpm), "integrity"));
                }
        }
}
END_TEST

/* ---- resources --------------------------------------------------------- */

static void one_cycle(struct ae_tpm *tpm, int i)
{
        _cleanup_tpm_key_ struct ae_tpm_key *ek = ek_create(tpm, (enum ae_tpm_ek_alg)(i % 2));
        _cleanup_tpm_key_ struct ae_tpm_key *ak =
                ak_create(tpm, ek, (enum ae_tpm_ak_alg)((i / 2) % 2), 0);
        uint8_t attest[AE_ATTEST_QUOTE_MAX], sig[AE_ATTEST_SIGNATURE_MAX];
        uint8_t secret[AE_ATTEST_SECRET_LEN], got[AE_ATTEST_SECRET_MAX];
        size_t attest_len, sig_len, got_len;
        struct ae_pcr_values vals;
        TPML_PCR_SELECTION sel;
        struct credential c;
        int r;

        memset(&sel, 0, sizeof(sel));
        for (unsigned pcr = 0; pcr < AE_PCR_COUNT; pcr += 2)
                ck_assert_int_eq(ae_pcr_selection_add(&sel, TPM2_ALG_SHA256, pcr), 0);
        ck_assert_int_eq(RAND_bytes(secret, sizeof(secret)), 1);

        r = ae_tpm_quote(tpm, ak, secret, sizeof(secret), &sel, attest, sizeof(attest),
                         &attest_len, sig, sizeof(sig), &sig_len);
        ck_assert_msg(r == 0, "quote: %d %s", r, ae_tpm_last_error(tpm));
        ck_assert_int_eq(ae_tpm_pcr_read(tpm, &sel, &vals), 0);
        make_credential(ek, ak, secret, sizeof(secret), &c);
        r = activate(tpm, ak, ek, &c, got, &got_len);
        ck_assert_msg(r == 0, "activate: %d %s", r, ae_tpm_last_error(tpm));
        ck_assert_mem_eq(got, secret, sizeof(secret));
        /* A failing activation must not leave its session behind either. */
        c.blob[c.blob_len - 1] ^= 1;
        ck_assert_int_lt(activate(tpm, ak, ek, &c, got, &got_len), 0);
}

/* Whether mallinfo2() counts exactly what is in use: glibc's per-thread
 * cache holds freed chunks it still reports as allocated, so the heap check
 * needs it off (tpm_agent.cmake sets the tunable; a sanitizer's allocator
 * reports nothing useful). */
static bool heap_is_measurable(void)
{
        const char *t = getenv("GLIBC_TUNABLES");

        return t && strstr(t, "glibc.malloc.tcache_count=0") && mallinfo2().uordblks > 0;
}

START_TEST(twenty_cycles_leave_nothing_behind)
{
        size_t before, after;

        {
                _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();

                /* Warm up: OpenSSL (under ESAPI) fills its caches first. */
                for (int i = 0; i < 4; i++)
                        one_cycle(tpm, i);
                before = mallinfo2().uordblks;
                for (int i = 4; i < 24; i++)
                        one_cycle(tpm, i);
                after = mallinfo2().uordblks;
                /* An ESAPI buffer not freed, or an ESYS_TR not closed (ESAPI
                 * keeps about 1 KiB per handle until Esys_Finalize, where
                 * valgrind no longer sees it), costs hundreds of bytes a
                 * cycle: twenty cycles show. */
                if (heap_is_measurable())
                        ck_assert_msg(after <= before + 256,
                                      "heap grew by %zu bytes over 20 cycles", after - before);
                else
                        fprintf(stderr, "tpm_agent_ops: heap not measurable here; "
                                        "checking TPM handles only\n");
        }
        ck_assert_uint_eq(count_handles(TPM2_HT_TRANSIENT), 0);
        ck_assert_uint_eq(count_handles(TPM2_HT_LOADED_SESSION), 0);
        ck_assert_uint_eq(count_handles(TPM2_HT_SAVED_SESSION), 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("tpm_agent_ops");
        TCase *tc = tcase_create("swtpm");

        tcase_set_timeout(tc, 120);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, pcr_read_matches_tpm2_pcrread);
        tcase_add_test(tc, pcr_read_refusals);
        tcase_add_test(tc, missing_bank_is_named);
        tcase_add_test(tc, quote_passes_tpm2_checkquote);
        tcase_add_test(tc, activate_tpm2_makecredential);
        tcase_add_test(tc, twenty_cycles_leave_nothing_behind);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
