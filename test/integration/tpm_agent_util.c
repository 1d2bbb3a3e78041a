/* Helpers of the TPM agent tests (tpm_agent_keys, tpm_agent_ops): scratch
 * files, running tpm2-tools, and TPM calls that must succeed. */
#include "tpm_agent_util.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "check_util.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/ossl.h"
#include "node-attestor/tpm/tpm.h"
#include "node-attestor/tpm/tpm_error.h"

extern char **environ;

/* ---- files and processes ---------------------------------------------- */

/* Per-test scratch directory inside the fixture's, so a failed run's files
 * go when the fixture restarts. */
static char work[512];

const char *wpath(const char *name)
{
        static char ring[16][600];
        static unsigned next;
        char *p = ring[next++ % 16];

        snprintf(p, sizeof(ring[0]), "%s/%s", work, name);
        return p;
}

void write_bytes(const char *path, const void *buf, size_t len)
{
        FILE *f = fopen(path, "wb");

        ck_assert_msg(f, "open %s: %s", path, strerror(errno));
        ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
        ck_assert_int_eq(fclose(f), 0);
}

void read_bytes(const char *path, uint8_t **ret, size_t *ret_len)
{
        int r = ae_file_read(path, TA_FILE_MAX, ret, ret_len);

        ck_assert_msg(r == 0, "read %s: %s", path, strerror(-r));
}

const char *hex(const uint8_t *buf, size_t len)
{
        static char ring[4][AE_HEX_SIZE(128)];
        static unsigned next;
        char *p = ring[next++ % 4];

        ck_assert_int_eq(ae_hex_encode(buf, len, p, sizeof(ring[0])), 0);
        return p;
}

int run_argv(const char *out, const char *const argv[])
{
        posix_spawn_file_actions_t fa;
        pid_t pid;
        int status = 0;

        ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
        ck_assert_int_eq(posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
                                                          out ? out : "/dev/null",
                                                          O_WRONLY | O_CREAT | O_TRUNC, 0600),
                         0);
        ck_assert_int_eq(posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
                                                          O_RDONLY, 0),
                         0);
        ck_assert_msg(posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) == 0,
                      "cannot run %s", argv[0]);
        posix_spawn_file_actions_destroy(&fa);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void setup(void)
{
        /* The tools talk to the fixture's main TPM, as our code does. */
        ck_assert_int_eq(setenv("TPM2TOOLS_TCTI", ae_test_env("AE_TPM_TCTI"), 1), 0);
        snprintf(work, sizeof(work), "%s/tpm_agent.XXXXXX", ae_test_env("AE_SWTPM_DIR"));
        ck_assert_ptr_nonnull(mkdtemp(work));
        /* Without a resource manager, whatever an earlier test left loaded
         * when it failed stays in the TPM and would fail this one too. */
        TOOL("tpm2_flushcontext", "-t", "-l", "-s");
}

void teardown(void)
{
        if (work[0])
                (void)RUN("rm", "-rf", work);
}

/* ---- TPM helpers ------------------------------------------------------- */

struct ae_tpm *open_tpm(void)
{
        struct ae_tpm *tpm = NULL;
        int r = ae_tpm_open(ae_test_env("AE_TPM_TCTI"), &tpm);

        ck_assert_msg(r == 0, "ae_tpm_open: %d %s", r, ae_tpm_last_error(NULL));
        return tpm;
}

struct ae_tpm_key *ek_create(struct ae_tpm *tpm, enum ae_tpm_ek_alg alg)
{
        struct ae_tpm_key *ek = NULL;
        int r = ae_tpm_ek_create(tpm, alg, &ek);

        ck_assert_msg(r == 0, "EK %s: %d %s", ae_tpm_ek_alg_name(alg), r, ae_tpm_last_error(tpm));
        return ek;
}

struct ae_tpm_key *ak_create(struct ae_tpm *tpm, const struct ae_tpm_key *ek,
                                    enum ae_tpm_ak_alg alg, uint32_t handle)
{
        struct ae_tpm_key *ak = NULL;
        int r = ae_tpm_ak_create(tpm, ek, alg, handle, &ak);

        ck_assert_msg(r == 0, "AK %s at 0x%08x: %d %s", ae_tpm_ak_alg_name(alg), handle, r,
                      ae_tpm_last_error(tpm));
        return ak;
}

void evict_if_present(uint32_t handle)
{
        _cleanup_tpm_ struct ae_tpm *tpm = open_tpm();
        int r = ae_tpm_persistent_evict(tpm, handle);

        ck_assert_msg(r == 0 || r == -ENOENT, "evict 0x%08x: %d %s", handle, r,
                      ae_tpm_last_error(tpm));
}

uint32_t count_handles(uint8_t type)
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

void marshal_public(const struct ae_tpm_key *key, uint8_t *buf, size_t *len)
{
        ck_assert_int_eq(ae_tpm_key_public_marshal(key, buf, AE_TPM_PUBLIC_MAX, len), 0);
}

EVP_PKEY *tpm_pkey(const TPMT_PUBLIC *p)
{
        _cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        _cleanup_(OSSL_PARAM_freep) OSSL_PARAM *params = NULL;
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        BIGNUM *n = NULL, *e = NULL;
        EVP_PKEY *pkey = NULL;
        uint8_t point[65];

        ck_assert_ptr_nonnull(bld);
        if (p->type == TPM2_ALG_RSA) {
                n = BN_bin2bn(p->unique.rsa.buffer, p->unique.rsa.size, NULL);
                e = BN_new();
                ck_assert(n && e);
                ck_assert_int_eq(BN_set_word(e, p->parameters.rsaDetail.exponent
                                                        ? p->parameters.rsaDetail.exponent
                                                        : 65537),
                                 1);
                ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n), 1);
                ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e), 1);
                ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        } else {
                ck_assert_int_eq(p->type, TPM2_ALG_ECC);
                ck_assert_uint_eq(p->unique.ecc.x.size, 32);
                ck_assert_uint_eq(p->unique.ecc.y.size, 32);
                point[0] = 0x04;
                memcpy(point + 1, p->unique.ecc.x.buffer, 32);
                memcpy(point + 33, p->unique.ecc.y.buffer, 32);
                ck_assert_int_eq(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                                                 "prime256v1", 0),
                                 1);
                ck_assert_int_eq(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                                                  point, sizeof(point)),
                                 1);
                ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        }
        params = OSSL_PARAM_BLD_to_param(bld);
        ck_assert(ctx && params);
        ck_assert_int_eq(EVP_PKEY_fromdata_init(ctx), 1);
        ck_assert_int_eq(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), 1);
        BN_free(n);
        BN_free(e);
        return pkey;
}
