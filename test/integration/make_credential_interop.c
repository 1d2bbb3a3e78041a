/* Software MakeCredential against an implementation Aegis did not write:
 * the TPM itself. For each of the fixture TPM's EKs (the TCG low-range RSA
 * and ECC templates, and the high-range RSA-3072 and P-384 ones),
 * tpm2-tools creates an AK; ae_make_credential encrypts a secret to the EK
 * bound to that AK's name; tpm2_activatecredential must recover it, and
 * must refuse a credential made for any other name. On the way, Aegis's
 * parsing and naming of the TPM's public areas is checked against the
 * TPM's own names and the fixture's EK certificates.
 *
 * The TPM is shared (ctest serialises its users): every tool run is
 * followed by flushing the transient objects tpm2-tools leaves loaded when
 * there is no resource manager, sessions are flushed by context, and each
 * test checks that it left no handle behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/x509.h>

#include "check_util.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/ossl.h"
#include "node-attestor/attest_limits.h"
#include "node-attestor/verify/ek_parse.h"
#include "node-attestor/verify/make_credential.h"
#include "node-attestor/verify/tpm_public.h"

/* tpm2-tools' credential file: magic and version (uint32 big-endian each),
 * then TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET as marshalled. */
#define CRED_MAGIC 0xBADCC0DEu
#define CRED_VERSION 1u

#define FILE_MAX 8192

static const struct ek_kind {
        const char *alg;      /* tpm2_createek -G */
        const char *ak_alg;   /* tpm2_createak -G */
        const char *ak_sign;  /* tpm2_createak -s */
        bool policy_secret;   /* EK authorised by PolicySecret(endorsement) */
        const char *cert_var; /* the fixture's certificate for this EK */
} kinds[] = {
        /* Low-range templates: adminWithPolicy only, authPolicy =
         * PolicySecret(TPM_RH_ENDORSEMENT). */
        { "rsa", "rsa", "rsassa", true, "AE_TPM_EK_RSA_CERT" },
        { "ecc", "ecc", "ecdsa", true, "AE_TPM_EK_ECC_CERT" },
        /* High-range templates (SHA-384, AES-256): userWithAuth with an
         * empty auth value, so a password session suffices. */
        { "rsa3072", "ecc", "ecdsa", false, NULL },
        { "ecc384", "rsa", "rsassa", false, NULL },
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static char work[4096];

static void path(char *buf, size_t size, const char *name)
{
        ck_assert_int_lt(snprintf(buf, size, "%s/%s", work, name), (int)size);
}

/* Run a tool with stdout and stderr in work/tool.log; return its exit code.
 * argv is NULL-terminated; no shell is involved. */
static int run_argv(char *const argv[])
{
        char log[4200];
        pid_t pid;
        int status = 0, fd;

        path(log, sizeof(log), "tool.log");
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                /* Tools name their files relative to the work directory. */
                fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0 ||
                    chdir(work) != 0)
                        _exit(126);
                execvp(argv[0], argv);
                _exit(127);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static char *tool_log(void)
{
        char log[4200];
        uint8_t *text = NULL;
        size_t len;

        path(log, sizeof(log), "tool.log");
        ck_assert_int_eq(ae_file_read(log, 1 << 20, &text, &len), 0);
        return (char *)text;
}

#define MAX_ARGS 24

/* run(tool, arg, ..., NULL) */
static int run(const char *tool, ...)
{
        char *argv[MAX_ARGS];
        size_t n = 0;
        va_list ap;

        argv[n++] = (char *)tool;
        va_start(ap, tool);
        while (n < MAX_ARGS - 1 && (argv[n] = va_arg(ap, char *)) != NULL)
                n++;
        va_end(ap);
        argv[n] = NULL;
        return run_argv(argv);
}

/* Without a resource manager, tools leave what they loaded in the TPM. */
static void flush_transient(void)
{
        ck_assert_int_eq(run("tpm2_flushcontext", "-t", NULL), 0);
}

#define TOOL(...)                                                                  \
        do {                                                                       \
                int tool_r_ = run(__VA_ARGS__, NULL);                              \
                if (tool_r_ != 0) {                                                \
                        _cleanup_free_ char *tool_log_ = tool_log();               \
                        ck_abort_msg("%s: exit %d\n%s", #__VA_ARGS__, tool_r_, tool_log_); \
                }                                                                  \
                flush_transient();                                                 \
        } while (0)

static void read_work(const char *name, uint8_t **ret, size_t *ret_len)
{
        char p[4200];
        int r;

        path(p, sizeof(p), name);
        r = ae_file_read(p, FILE_MAX, ret, ret_len);
        ck_assert_msg(r == 0, "read %s: %s", p, strerror(-r));
}

static void write_work(const char *name, const void *data, size_t len)
{
        char p[4200];
        FILE *f;

        path(p, sizeof(p), name);
        f = fopen(p, "wbe");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(data, 1, len, f), len);
        ck_assert_int_eq(fclose(f), 0);
}

/* Remove the work directory's files; the directory too when rmdir_too. */
static void clear_work(bool rmdir_too)
{
        DIR *d = opendir(work);
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d)) != NULL) {
                char p[sizeof(work) + sizeof(e->d_name) + 1];

                if (e->d_name[0] == '.')
                        continue;
                snprintf(p, sizeof(p), "%s/%s", work, e->d_name);
                (void)unlink(p);
        }
        closedir(d);
        if (rmdir_too)
                (void)rmdir(work);
}

/* One work directory for the run, made and removed by the parent process:
 * a test that fails exits its forked child without any teardown, and must
 * not leave files behind for that. */
static void make_work(void)
{
        const char *tmp = getenv("TMPDIR");

        snprintf(work, sizeof(work), "%s/aegis-makecred-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(work)) {
                perror("mkdtemp");
                exit(EXIT_FAILURE);
        }
}

static void remove_work(void)
{
        clear_work(true);
}

/* Each test starts from an empty directory, whatever the last one left. */
static void empty_work(void)
{
        clear_work(false);
}

/* What the TPM holds and Aegis computed from it. */
struct keys {
        TPM2B_PUBLIC ek;
        uint8_t ak_name[AE_TPM_NAME_MAX];
        size_t ak_name_len;
};

/* tpm2_createek / tpm2_createak, then Aegis reads the public areas. */
static void make_keys(const struct ek_kind *k, struct keys *ret)
{
        _cleanup_free_ uint8_t *ek = NULL, *ak = NULL, *name = NULL;
        size_t ek_len, ak_len, name_len;
        TPM2B_PUBLIC ak_pub;

        TOOL("tpm2_createek", "-G", k->alg, "-c", "ek.ctx");
        TOOL("tpm2_readpublic", "-c", "ek.ctx", "-o", "ek.pub");
        TOOL("tpm2_createak", "-C", "ek.ctx", "-c", "ak.ctx", "-G", k->ak_alg, "-g", "sha256",
             "-s", k->ak_sign, "-u", "ak.pub", "-f", "tss", "-n", "ak.name");

        read_work("ek.pub", &ek, &ek_len);
        ck_assert_int_eq(ae_tpm_public_parse(ek, ek_len, &ret->ek), 0);
        read_work("ak.pub", &ak, &ak_len);
        ck_assert_int_eq(ae_tpm_public_parse(ak, ak_len, &ak_pub), 0);
        /* The AK's name as the TPM computed it (TPM2_ReadPublic), and as
         * Aegis computes it from the public area. */
        read_work("ak.name", &name, &name_len);
        ck_assert_int_eq(ae_tpm_public_name(&ak_pub, ret->ak_name, sizeof(ret->ak_name),
                                            &ret->ak_name_len),
                         0);
        ck_assert_uint_eq(ret->ak_name_len, name_len);
        ck_assert_mem_eq(ret->ak_name, name, name_len);
}

/* ae_make_credential's outputs in tpm2-tools' file format. */
static void write_credential(const char *file, const struct keys *keys, const uint8_t *name,
                             size_t name_len, const uint8_t *secret, size_t secret_len)
{
        uint8_t buf[8 + AE_MAKE_CREDENTIAL_BLOB_MAX + AE_MAKE_CREDENTIAL_ENC_SECRET_MAX];
        size_t blob_len = 0, enc_len = 0;
        const uint32_t head[2] = { CRED_MAGIC, CRED_VERSION };

        for (int i = 0; i < 2; i++)
                for (int b = 0; b < 4; b++)
                        buf[4 * i + b] = (uint8_t)(head[i] >> (24 - 8 * b));
        ck_assert_int_eq(ae_make_credential(&keys->ek, name, name_len, secret, secret_len,
                                            buf + 8, AE_MAKE_CREDENTIAL_BLOB_MAX, &blob_len,
                                            buf + 8 + AE_MAKE_CREDENTIAL_BLOB_MAX,
                                            AE_MAKE_CREDENTIAL_ENC_SECRET_MAX, &enc_len),
                         0);
        memmove(buf + 8 + blob_len, buf + 8 + AE_MAKE_CREDENTIAL_BLOB_MAX, enc_len);
        write_work(file, buf, 8 + blob_len + enc_len);
}

/* tpm2_activatecredential with the EK authorised as its template wants.
 * Returns the tool's exit code; the session is flushed either way. */
static int activate(const struct ek_kind *k, const char *cred, const char *out)
{
        int r;

        if (!k->policy_secret)
                r = run("tpm2_activatecredential", "-c", "ak.ctx", "-C", "ek.ctx", "-i", cred,
                        "-o", out, NULL);
        else {
                TOOL("tpm2_startauthsession", "--policy-session", "-S", "session.ctx");
                TOOL("tpm2_policysecret", "-S", "session.ctx", "-c", "e");
                r = run("tpm2_activatecredential", "-c", "ak.ctx", "-C", "ek.ctx", "-i", cred,
                        "-o", out, "-P", "session:session.ctx", NULL);
        }
        {
                /* Keep the activation's log for the caller. */
                char from[4200], to[4200];

                path(from, sizeof(from), "tool.log");
                path(to, sizeof(to), "activate.log");
                ck_assert_int_eq(rename(from, to), 0);
        }
        if (k->policy_secret)
                ck_assert_int_eq(run("tpm2_flushcontext", "session.ctx", NULL), 0);
        flush_transient();
        return r;
}

/* Nothing of ours stays loaded in the shared TPM. */
static void expect_no_handles(void)
{
        static const char *const caps[] = { "handles-transient", "handles-loaded-session" };

        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
                _cleanup_free_ char *log = NULL;

                ck_assert_int_eq(run("tpm2_getcap", caps[i], NULL), 0);
                log = tool_log();
                ck_assert_msg(log[0] == '\0', "%s left: %s", caps[i], log);
        }
}

START_TEST(tpm_activates_aegis_credential)
{
        const struct ek_kind *k = &kinds[_i];
        _cleanup_free_ uint8_t *out = NULL;
        uint8_t secret[AE_ATTEST_SECRET_LEN];
        struct keys keys;
        size_t out_len;

        make_keys(k, &keys);
        ck_assert_int_eq(RAND_bytes(secret, sizeof(secret)), 1);
        write_work("secret", secret, sizeof(secret));
        write_credential("aegis.cred", &keys, keys.ak_name, keys.ak_name_len, secret,
                         sizeof(secret));

        if (activate(k, "aegis.cred", "recovered") != 0) {
                char p[4200];
                _cleanup_free_ uint8_t *log = NULL;
                size_t len;

                path(p, sizeof(p), "activate.log");
                if (ae_file_read(p, 1 << 20, &log, &len) < 0)
                        log = NULL;
                ck_abort_msg("%s EK: tpm2_activatecredential failed:\n%s", k->alg,
                             log ? (char *)log : "");
        }
        read_work("recovered", &out, &out_len);
        ck_assert_uint_eq(out_len, sizeof(secret));
        ck_assert_mem_eq(out, secret, sizeof(secret));
        expect_no_handles();
}
END_TEST

/* The binding to the AK: the TPM checks the integrity HMAC with the name of
 * the AK it is given, so a credential for another name fails there
 * (TPM_RC_INTEGRITY on the credential blob, parameter 1: 0x1DF). */
START_TEST(tpm_refuses_credential_for_other_ak)
{
        const struct ek_kind *k = &kinds[_i];
        uint8_t secret[AE_ATTEST_SECRET_LEN], other[AE_TPM_NAME_MAX];
        _cleanup_free_ uint8_t *log = NULL;
        struct keys keys;
        char p[4200];
        size_t len;

        make_keys(k, &keys);
        ck_assert_int_eq(RAND_bytes(secret, sizeof(secret)), 1);
        memcpy(other, keys.ak_name, keys.ak_name_len);
        other[keys.ak_name_len - 1] ^= 0x01;
        write_credential("other.cred", &keys, other, keys.ak_name_len, secret, sizeof(secret));

        ck_assert_int_ne(activate(k, "other.cred", "recovered"), 0);
        path(p, sizeof(p), "activate.log");
        ck_assert_int_eq(ae_file_read(p, 1 << 20, &log, &len), 0);
        ck_assert_msg(strstr((char *)log, "0x1DF") != NULL, "expected TPM_RC_INTEGRITY:\n%s",
                      (char *)log);
        path(p, sizeof(p), "recovered");
        ck_assert_int_ne(access(p, F_OK), 0);
        expect_no_handles();
}
END_TEST

static size_t be16(const uint8_t *p)
{
        return (size_t)p[0] << 8 | p[1];
}

/* The file Aegis writes has the layout of the one tpm2_makecredential
 * writes for the same EK, AK name and secret size (contents differ: the
 * seed is random). */
START_TEST(credential_file_layout_matches_tpm2_tools)
{
        const struct ek_kind *k = &kinds[_i];
        _cleanup_free_ uint8_t *ours = NULL, *theirs = NULL;
        uint8_t secret[AE_ATTEST_SECRET_LEN];
        char name_hex[AE_HEX_SIZE(AE_TPM_NAME_MAX)];
        size_t ours_len, theirs_len, id_len;
        struct keys keys;

        make_keys(k, &keys);
        ck_assert_int_eq(RAND_bytes(secret, sizeof(secret)), 1);
        write_work("secret", secret, sizeof(secret));
        write_credential("aegis.cred", &keys, keys.ak_name, keys.ak_name_len, secret,
                         sizeof(secret));
        ck_assert_int_eq(ae_hex_encode(keys.ak_name, keys.ak_name_len, name_hex,
                                       sizeof(name_hex)),
                         0);
        /* -T none: no TPM involved, tpm2-tools' own software implementation. */
        TOOL("tpm2_makecredential", "-T", "none", "-u", "ek.pub", "-s", "secret", "-n", name_hex,
             "-o", "tools.cred");

        read_work("aegis.cred", &ours, &ours_len);
        read_work("tools.cred", &theirs, &theirs_len);
        ck_assert_mem_eq(ours, theirs, 8); /* magic and version */
        ck_assert_uint_eq(be16(ours + 8), be16(theirs + 8));
        id_len = be16(ours + 8);
        /* Each file is exactly header, ID object, encrypted secret. The
         * secret's size is only comparable for RSA: for ECC it holds a random
         * ephemeral point, and tpm2-tools drops a coordinate's leading zero
         * byte (about 1 run in 128) where Aegis keeps the curve's size. */
        ck_assert_uint_eq(10 + id_len + 2 + be16(ours + 10 + id_len), ours_len);
        ck_assert_uint_eq(10 + id_len + 2 + be16(theirs + 10 + id_len), theirs_len);
        if (strncmp(k->alg, "rsa", 3) == 0)
                ck_assert_uint_eq(ours_len, theirs_len);
        /* And the TPM activates theirs as well as ours: both are the format
         * it expects. */
        ck_assert_int_eq(activate(k, "tools.cred", "recovered"), 0);
        expect_no_handles();
}
END_TEST

/* The EK public area the TPM reports is the key the fixture certified. */
START_TEST(ek_public_matches_fixture_certificate)
{
        const struct ek_kind *k = &kinds[_i];
        _cleanup_free_ uint8_t *der = NULL;
        _cleanup_(X509_freep) X509 *cert = NULL, *other_cert = NULL;
        struct keys keys;
        size_t len;

        make_keys(k, &keys);
        ck_assert_int_eq(ae_file_read(ae_test_env(k->cert_var), FILE_MAX, &der, &len), 0);
        ck_assert_int_eq(ae_ek_cert_parse(der, len, &cert), 0);
        ck_assert_int_eq(ae_tpm_public_matches_cert(&keys.ek, cert), 0);

        /* Not the certificate of this TPM's other EK, nor that of the rogue
         * TPM's EK of the same type. */
        for (int i = 0; i < 2; i++) {
                static const char *const vars[2][2] = {
                        { "AE_TPM_EK_ECC_CERT", "AE_TPM_ROGUE_EK_RSA_CERT" },
                        { "AE_TPM_EK_RSA_CERT", "AE_TPM_ROGUE_EK_ECC_CERT" },
                };
                _cleanup_free_ uint8_t *other = NULL;

                X509_free(other_cert);
                other_cert = NULL;
                ck_assert_int_eq(ae_file_read(ae_test_env(vars[_i][i]), FILE_MAX, &other, &len),
                                 0);
                ck_assert_int_eq(ae_ek_cert_parse(other, len, &other_cert), 0);
                ck_assert_int_eq(ae_tpm_public_matches_cert(&keys.ek, other_cert),
                                 -EKEYREJECTED);
        }
        expect_no_handles();
}
END_TEST

int main(void)
{
        Suite *s = suite_create("make_credential_interop");
        TCase *tc = tcase_create("swtpm");

        /* tpm2-tools find the fixture TPM through this. */
        if (setenv("TPM2TOOLS_TCTI", ae_test_env("AE_TPM_TCTI"), 1) != 0)
                return EXIT_FAILURE;

        tcase_set_timeout(tc, 120);
        tcase_add_unchecked_fixture(tc, make_work, remove_work);
        tcase_add_checked_fixture(tc, empty_work, NULL);
        tcase_add_loop_test(tc, tpm_activates_aegis_credential, 0, N_KINDS);
        tcase_add_loop_test(tc, tpm_refuses_credential_for_other_ak, 0, N_KINDS);
        tcase_add_loop_test(tc, credential_file_layout_matches_tpm2_tools, 0, N_KINDS);
        tcase_add_loop_test(tc, ek_public_matches_fixture_certificate, 0, 2);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
