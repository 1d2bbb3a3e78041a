#include "attest_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include "check_util.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/ossl.h"
#include "node-attestor/tpm/pcr_read.h"
#include "node-attestor/tpm/tpm.h"
#include "node-attestor/tpm/tpm_error.h"
#include "policy/policy.h"

extern char **environ;

#define FILE_MAX 8192

static char scratch[512];
static struct ae_pcr_values golden_main, golden_rogue;
static TPML_PCR_SELECTION quote_sel;
static unsigned policy_serial;

/* ---- bytes ------------------------------------------------------------- */

void h_buf_free(struct h_buf *b)
{
        free(b->data);
        b->data = NULL;
        b->len = 0;
}

void h_buf_set(struct h_buf *b, const void *data, size_t len)
{
        h_buf_free(b);
        b->data = malloc(len ? len : 1);
        ck_assert_ptr_nonnull(b->data);
        if (len)
                memcpy(b->data, data, len);
        b->len = len;
}

void h_buf_garbage(struct h_buf *b, size_t len, uint32_t seed)
{
        uint32_t x = seed ? seed : 1;

        h_buf_free(b);
        b->data = malloc(len ? len : 1);
        ck_assert_ptr_nonnull(b->data);
        for (size_t i = 0; i < len; i++) {
                x ^= x << 13; /* xorshift32: the same bytes every run */
                x ^= x >> 17;
                x ^= x << 5;
                b->data[i] = (uint8_t)(x >> 24);
        }
        b->len = len;
}

void h_pack(const ProtobufCMessage *m, struct h_buf *ret)
{
        size_t n = protobuf_c_message_get_packed_size(m);

        h_buf_free(ret);
        ret->data = malloc(n ? n : 1);
        ck_assert_ptr_nonnull(ret->data);
        ck_assert_uint_eq(protobuf_c_message_pack(m, ret->data), n);
        ret->len = n;
}

AePayloadMsg *h_payload_decode(const struct h_buf *b)
{
        AePayloadMsg *m = NULL;

        ck_assert_int_eq(ae_attest_payload_decode(b->data, b->len, &m), 0);
        return m;
}

AeChallengeMsg *h_challenge_decode(const struct h_buf *b)
{
        AeChallengeMsg *m = NULL;

        ck_assert_int_eq(ae_attest_challenge_decode(b->data, b->len, &m), 0);
        return m;
}

AeResponseMsg *h_response_decode(const struct h_buf *b)
{
        AeResponseMsg *m = NULL;

        ck_assert_int_eq(ae_attest_response_decode(b->data, b->len, &m), 0);
        return m;
}

/* ---- tools ------------------------------------------------------------- */

static int spawn_wait(const char *const argv[])
{
        posix_spawn_file_actions_t fa;
        pid_t pid;
        int status = 0;

        if (posix_spawn_file_actions_init(&fa) != 0)
                return -1;
        if (posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) !=
                    0 ||
            posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0) !=
                    0 ||
            posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0) {
                posix_spawn_file_actions_destroy(&fa);
                return -1;
        }
        posix_spawn_file_actions_destroy(&fa);
        if (waitpid(pid, &status, 0) != pid)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int h_tool_argv(const char *tcti_var, const char *const argv[])
{
        if (setenv("TPM2TOOLS_TCTI", ae_test_env(tcti_var), 1) != 0)
                return -1;
        return spawn_wait(argv);
}

/* An ESAPI context of our own on the TPM of tcti_var; NULL on failure. */
static ESYS_CONTEXT *esys_open(const char *tcti_var, TSS2_TCTI_CONTEXT **tcti)
{
        ESYS_CONTEXT *esys = NULL;

        if (Tss2_TctiLdr_Initialize(ae_test_env(tcti_var), tcti) != TSS2_RC_SUCCESS)
                return NULL;
        if (Esys_Initialize(&esys, *tcti, NULL) != TSS2_RC_SUCCESS) {
                Tss2_TctiLdr_Finalize(tcti);
                return NULL;
        }
        return esys;
}

static void esys_close(ESYS_CONTEXT **esys, TSS2_TCTI_CONTEXT **tcti)
{
        Esys_Finalize(esys);
        Tss2_TctiLdr_Finalize(tcti);
}

static int get_handles(const char *tcti_var, uint32_t first, uint32_t max, TPML_HANDLE *ret)
{
        TSS2_TCTI_CONTEXT *tcti = NULL;
        ESYS_CONTEXT *esys = esys_open(tcti_var, &tcti);
        TPMS_CAPABILITY_DATA *cap = NULL;
        TPMI_YES_NO more = TPM2_NO;
        TSS2_RC rc;

        if (!esys)
                return -EIO;
        rc = Esys_GetCapability(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                TPM2_CAP_HANDLES, first, max, &more, &cap);
        if (rc == TSS2_RC_SUCCESS)
                *ret = cap->data.handles;
        Esys_Free(cap);
        esys_close(&esys, &tcti);
        return rc == TSS2_RC_SUCCESS ? 0 : -EIO;
}

uint32_t h_count_handles(const char *tcti_var, uint8_t handle_type)
{
        TPML_HANDLE h;

        /* The TPM answers with handles of that type only; sessions are
         * listed under their own handles (0x02... HMAC, 0x03... policy)
         * whichever of the two session types was asked for. */
        ck_assert_int_eq(get_handles(tcti_var, (uint32_t)handle_type << TPM2_HR_SHIFT,
                                     TPM2_MAX_CAP_HANDLES, &h),
                         0);
        return h.count;
}

bool h_persistent_present(const char *tcti_var, uint32_t handle)
{
        TPML_HANDLE h;

        ck_assert_int_eq(get_handles(tcti_var, handle, 1, &h), 0);
        return h.count == 1 && h.handle[0] == handle;
}

int h_evict(const char *tcti_var, uint32_t handle)
{
        struct ae_tpm *tpm = NULL;
        int r = ae_tpm_open(ae_test_env(tcti_var), &tpm);

        if (r < 0)
                return r;
        r = ae_tpm_persistent_evict(tpm, handle);
        ae_tpm_close(tpm);
        return r;
}

/* ---- once per run ------------------------------------------------------ */

static void die(const char *what, int r)
{
        fprintf(stderr, "attest_tpm: %s: %s\n", what, r < 0 ? strerror(-r) : "failed");
        exit(EXIT_FAILURE);
}

static void read_golden(const char *tcti_var, struct ae_pcr_values *ret)
{
        struct ae_tpm *tpm = NULL;
        int r = ae_tpm_open(ae_test_env(tcti_var), &tpm);

        if (r < 0)
                die(ae_tpm_last_error(NULL), r);
        r = ae_tpm_pcr_read(tpm, &quote_sel, ret);
        if (r < 0)
                die(ae_tpm_last_error(tpm), r);
        ae_tpm_close(tpm);
}

static void tools_clean(const char *tcti_var, bool reset_pcr)
{
        static const char *const flush[][3] = { { "tpm2_flushcontext", "-t", NULL },
                                                { "tpm2_flushcontext", "-l", NULL },
                                                { "tpm2_flushcontext", "-s", NULL } };

        for (size_t i = 0; i < sizeof(flush) / sizeof(flush[0]); i++)
                if (h_tool_argv(tcti_var, flush[i]) != 0)
                        die(flush[i][0], 0);
        if (reset_pcr &&
            h_tool_argv(tcti_var, (const char *const[]){ "tpm2_pcrreset", "16", NULL }) != 0)
                die("tpm2_pcrreset 16", 0);
}

void h_global_init(uint32_t persistent_handle)
{
        int r;

        snprintf(scratch, sizeof(scratch), "%s/attest_tpm.XXXXXX", ae_test_env("AE_SWTPM_DIR"));
        if (!mkdtemp(scratch))
                die("mkdtemp", -errno);
        for (unsigned i = 0; i < 8; i++)
                if (ae_pcr_selection_add(&quote_sel, H_QUOTE_BANK, i) < 0)
                        die("PCR selection", -EINVAL);
        if (ae_pcr_selection_add(&quote_sel, H_QUOTE_BANK, H_DEBUG_PCR) < 0)
                die("PCR selection", -EINVAL);

        /* A rerun against the same fixture starts from the same state. */
        tools_clean(H_MAIN, true);
        tools_clean(H_ROGUE, false);
        r = h_evict(H_MAIN, persistent_handle);
        if (r < 0 && r != -ENOENT)
                die("evicting the test's persistent handle", r);
        r = h_evict(H_ROGUE, persistent_handle);
        if (r < 0 && r != -ENOENT)
                die("evicting the test's persistent handle (rogue)", r);

        read_golden(H_MAIN, &golden_main);
        read_golden(H_ROGUE, &golden_rogue);
        if (golden_main.count != 9 || golden_rogue.count != 9)
                die("golden PCR values: expected 9", -EPROTO);
}

void h_global_cleanup(void)
{
        if (scratch[0])
                (void)spawn_wait((const char *const[]){ "rm", "-rf", scratch, NULL });
}

const struct ae_pcr_values *h_golden_main(void)
{
        return &golden_main;
}

const struct ae_pcr_values *h_golden_rogue(void)
{
        return &golden_rogue;
}

const TPML_PCR_SELECTION *h_quote_selection(void)
{
        return &quote_sel;
}

/* ---- per test ---------------------------------------------------------- */

void h_setup(void)
{
        tools_clean(H_MAIN, true);
        tools_clean(H_ROGUE, false);
}

void h_teardown(void)
{
        static const char *const tpms[] = { H_MAIN, H_ROGUE };

        for (size_t i = 0; i < 2; i++) {
                ck_assert_msg(h_count_handles(tpms[i], TPM2_HT_TRANSIENT) == 0,
                              "%s: transient objects left in the TPM", tpms[i]);
                ck_assert_msg(h_count_handles(tpms[i], TPM2_HT_LOADED_SESSION) == 0,
                              "%s: sessions left in the TPM", tpms[i]);
                ck_assert_msg(h_count_handles(tpms[i], TPM2_HT_SAVED_SESSION) == 0,
                              "%s: saved sessions left in the TPM", tpms[i]);
        }
}

/* ---- identities -------------------------------------------------------- */

static void sha256(const void *buf, size_t len, uint8_t ret[32])
{
        unsigned n = 0;

        ck_assert_int_eq(EVP_Digest(buf, len, ret, &n, EVP_sha256(), NULL), 1);
        ck_assert_uint_eq(n, 32);
}

void h_ek_id_from_cert(const char *cert_var, uint8_t ret[32])
{
        _cleanup_free_ uint8_t *der = NULL;
        _cleanup_(X509_freep) X509 *x = NULL;
        const unsigned char *p;
        unsigned char *spki = NULL;
        size_t len;
        int n;

        ck_assert_int_eq(ae_file_read(ae_test_env(cert_var), FILE_MAX, &der, &len), 0);
        p = der;
        x = d2i_X509(NULL, &p, (long)len);
        ck_assert_ptr_nonnull(x);
        n = i2d_PUBKEY(X509_get0_pubkey(x), &spki);
        ck_assert_int_gt(n, 0);
        sha256(spki, (size_t)n, ret);
        OPENSSL_free(spki);
}

void h_cert_sha256(const char *pem_var, uint8_t ret[32])
{
        _cleanup_fclose_ FILE *f = fopen(ae_test_env(pem_var), "r");
        _cleanup_(X509_freep) X509 *x = NULL;
        unsigned char *der = NULL;
        int n;

        ck_assert_ptr_nonnull(f);
        x = PEM_read_X509(f, NULL, NULL, NULL);
        ck_assert_ptr_nonnull(x);
        n = i2d_X509(x, &der);
        ck_assert_int_gt(n, 0);
        sha256(der, (size_t)n, ret);
        OPENSSL_free(der);
}

const char *h_cert_var(const char *tcti_var, enum ae_tpm_ek_alg ek)
{
        bool rogue = strcmp(tcti_var, H_ROGUE) == 0;

        if (ek == AE_TPM_EK_RSA2048)
                return rogue ? "AE_TPM_ROGUE_EK_RSA_CERT" : "AE_TPM_EK_RSA_CERT";
        return rogue ? "AE_TPM_ROGUE_EK_ECC_CERT" : "AE_TPM_EK_ECC_CERT";
}

const char *h_selector(char *buf, size_t size, const char *kind, const char *value)
{
        snprintf(buf, size, "%s:%s", kind, value);
        return buf;
}

void h_assert_selectors(const struct ae_node_result *res, const char *const want[], size_t n)
{
        /* The harness' policies have no location section: every node is
         * PoR, and says so in its last selector. */
        ck_assert_uint_eq(res->n_selectors, n + 1);
        for (size_t i = 0; i < n; i++)
                ck_assert_str_eq(res->selectors[i], want[i]);
        ck_assert_str_eq(res->selectors[n], "level:por");
        ck_assert_int_eq(res->level, AE_LEVEL_POR);
}

void h_assert_spiffe_id(const struct ae_node_result *res, const uint8_t ek_id[32])
{
        char want[AE_SPIFFE_ID_MAX];

        snprintf(want, sizeof(want), "spiffe://%s/spire/agent/%s/%s", H_TRUST_DOMAIN,
                 AE_NODE_ATTESTOR_TYPE, h_hex(ek_id, 32));
        ck_assert_str_eq(res->spiffe_id, want);
        ck_assert_mem_eq(res->ek_id, ek_id, 32);
}

const char *h_hex(const uint8_t *buf, size_t len)
{
        static char ring[8][AE_HEX_SIZE(64)];
        static unsigned next;
        char *p = ring[next++ % 8];

        ck_assert_int_eq(ae_hex_encode(buf, len, p, sizeof(ring[0])), 0);
        return p;
}

/* ---- policy and server ------------------------------------------------- */

static json_t *golden_json(const struct ae_pcr_values *vals)
{
        json_t *bank = json_object();

        ck_assert_ptr_nonnull(bank);
        for (size_t i = 0; i < vals->count; i++) {
                char idx[8];

                ck_assert_int_eq(vals->v[i].bank, H_QUOTE_BANK);
                snprintf(idx, sizeof(idx), "%u", (unsigned)vals->v[i].index);
                ck_assert_int_eq(json_object_set_new(bank, idx,
                                                     json_string(h_hex(vals->v[i].digest,
                                                                       vals->v[i].size))),
                                 0);
        }
        return json_pack("{s:o}", "sha256", bank);
}

static json_t *policy_json(const struct h_policy_spec *spec)
{
        const struct h_golden_set def = { H_SET_MAIN, &golden_main };
        const struct h_golden_set *sets = spec->golden ? spec->golden : &def;
        size_t n_sets = spec->golden ? spec->n_golden : 1;
        json_t *ek = json_pack("{s:s}", "trust", spec->trust);
        json_t *golden = json_object(), *quote = json_array();

        ck_assert(ek && golden && quote);
        if (strcmp(spec->trust, "allowlist") != 0 || spec->ca_bundle_var)
                ck_assert_int_eq(json_object_set_new(
                                         ek, "ca_bundle",
                                         json_string(ae_test_env(spec->ca_bundle_var
                                                                         ? spec->ca_bundle_var
                                                                         : "AE_EK_CA_BUNDLE"))),
                                 0);
        if (spec->n_allow) {
                json_t *list = json_array();

                for (size_t i = 0; i < spec->n_allow; i++)
                        ck_assert_int_eq(json_array_append_new(
                                                 list, json_string(h_hex(spec->allow[i], 32))),
                                         0);
                ck_assert_int_eq(json_object_set_new(ek, "allowlist", list), 0);
        }
        for (unsigned i = 0; i < AE_PCR_COUNT; i++)
                if (ae_pcr_selection_has(&quote_sel, H_QUOTE_BANK, i))
                        ck_assert_int_eq(json_array_append_new(quote, json_integer(i)), 0);
        for (size_t i = 0; i < n_sets; i++)
                ck_assert_int_eq(
                        json_object_set_new(golden, sets[i].name, golden_json(sets[i].values)),
                        0);
        return json_pack("{s:i,s:s,s:o,s:{s:{s:o},s:o}}", "version", 1, "trust_domain",
                         H_TRUST_DOMAIN, "ek", ek, "pcrs", "quote", "sha256", quote, "golden",
                         golden);
}

void h_server_open(struct h_server *s, const struct h_policy_spec *spec)
{
        _cleanup_(json_decrefp) json_t *doc = policy_json(spec);
        struct ae_policy_error perr = { .path = "", .message = "" };
        char path[600];
        int r;

        ck_assert_ptr_nonnull(doc);
        snprintf(path, sizeof(path), "%s/policy-%d-%u.json", scratch, (int)getpid(),
                 policy_serial++);
        ck_assert_int_eq(json_dump_file(doc, path, JSON_INDENT(2) | JSON_SORT_KEYS), 0);
        memset(s, 0, sizeof(*s));
        r = ae_policy_load_file(path, &s->policy, &perr);
        ck_assert_msg(r == 0, "policy %s: %d %s: %s", path, r, perr.path, perr.message);
        r = ae_node_verifier_new(s->policy, &s->v);
        ck_assert_msg(r == 0, "verifier: %d", r);
}

void h_server_close(struct h_server *s)
{
        ae_node_verifier_free(s->v); /* before the policy it borrows */
        ae_policy_free(s->policy);
        s->v = NULL;
        s->policy = NULL;
}

void h_server_simple(struct h_server *s, const char *trust, const uint8_t *allow0,
                     const uint8_t *allow1)
{
        uint8_t allow[2][32];
        size_t n = 0;

        if (allow0)
                memcpy(allow[n++], allow0, 32);
        if (allow1)
                memcpy(allow[n++], allow1, 32);
        h_server_open(s,
                      &(struct h_policy_spec){ .trust = trust, .allow = allow, .n_allow = n });
}

void h_server_rogue(struct h_server *s, const char *trust, const uint8_t *allow0)
{
        const struct h_golden_set set = { H_SET_ROGUE, &golden_rogue };
        uint8_t allow[1][32];

        if (allow0)
                memcpy(allow[0], allow0, 32);
        h_server_open(s, &(struct h_policy_spec){ .trust = trust,
                                                  .allow = allow,
                                                  .n_allow = allow0 ? 1 : 0,
                                                  .golden = &set,
                                                  .n_golden = 1 });
}

/* ---- the steps --------------------------------------------------------- */

struct ae_node_agent *h_agent_open(const char *tcti_var, enum ae_tpm_ek_alg ek,
                                   enum ae_tpm_ak_alg ak, uint32_t ak_handle)
{
        const struct ae_node_agent_config cfg = { .tcti = ae_test_env(tcti_var),
                                                  .ek_alg = ek,
                                                  .ak_alg = ak,
                                                  .ak_handle = ak_handle };
        struct ae_node_agent *a = NULL;
        int r = ae_node_agent_open(&cfg, &a);

        ck_assert_msg(r == 0, "agent on %s: %d %s", tcti_var, r, ae_node_agent_last_error(a));
        ck_assert_ptr_nonnull(a);
        return a;
}

void h_payload(struct ae_node_agent *a, struct h_buf *ret)
{
        int r;

        h_buf_free(ret);
        r = ae_node_agent_payload(a, NULL, 0, &ret->data, &ret->len);
        ck_assert_msg(r == 0, "payload: %d %s", r, ae_node_agent_last_error(a));
}

/* Stand-ins an output must still hold after a refusal. */
static uint8_t sentinel_byte;
#define SENTINEL_PTR ((void *)&sentinel_byte)
#define SENTINEL_LEN ((size_t)0x5e5e5e5e)

enum ae_attest_reason h_challenge(struct h_server *s, const struct h_buf *payload,
                                  struct h_buf *ret_challenge,
                                  struct ae_node_pending **ret_pending)
{
        uint8_t *ch = SENTINEL_PTR;
        size_t ch_len = SENTINEL_LEN;
        struct ae_node_pending *p = SENTINEL_PTR;
        enum ae_attest_reason reason = AE_ATTEST_REASON_COUNT;
        int r = ae_node_challenge(s->v, payload->data, payload->len, time(NULL), &ch, &ch_len,
                                  &p, &reason);

        ck_assert_msg(r == 0, "ae_node_challenge: %d", r);
        ck_assert_int_lt(reason, AE_ATTEST_REASON_COUNT);
        if (reason != AE_ATTEST_OK) {
                ck_assert_msg(ch == SENTINEL_PTR && ch_len == SENTINEL_LEN && p == SENTINEL_PTR,
                              "challenge outputs written on refusal (%s)",
                              ae_attest_reason_id(reason));
                return reason;
        }
        ck_assert(ch != SENTINEL_PTR && ch && ch_len != SENTINEL_LEN && ch_len > 0);
        ck_assert(p != SENTINEL_PTR && p);
        if (ret_challenge) {
                h_buf_free(ret_challenge);
                ret_challenge->data = ch;
                ret_challenge->len = ch_len;
        } else {
                free(ch);
        }
        if (ret_pending)
                *ret_pending = p;
        else
                ae_node_pending_free(p);
        return reason;
}

int h_respond(struct ae_node_agent *a, const struct h_buf *challenge, const void *claim,
              size_t claim_len, struct h_buf *ret)
{
        uint8_t *out = SENTINEL_PTR;
        size_t out_len = SENTINEL_LEN;
        int r = ae_node_agent_respond(a, challenge->data, challenge->len, claim, claim_len,
                                      &out, &out_len);

        if (r < 0) {
                ck_assert_msg(out == SENTINEL_PTR && out_len == SENTINEL_LEN,
                              "response written on failure (%d)", r);
                return r;
        }
        ck_assert_int_eq(r, 0);
        ck_assert(out != SENTINEL_PTR && out && out_len != SENTINEL_LEN);
        h_buf_free(ret);
        ret->data = out;
        ret->len = out_len;
        return 0;
}

void h_respond_ok(struct ae_node_agent *a, const struct h_buf *challenge, struct h_buf *ret)
{
        int r = h_respond(a, challenge, NULL, 0, ret);

        ck_assert_msg(r == 0, "respond: %d %s", r, ae_node_agent_last_error(a));
}

enum ae_attest_reason h_verify(struct h_server *s, struct ae_node_pending *p,
                               const struct h_buf *response,
                               const struct ae_node_replay_state *prev,
                               struct ae_node_result *ret)
{
        struct ae_node_result res, sentinel;
        struct ae_node_replay_state prev_copy;
        enum ae_attest_reason reason = AE_ATTEST_REASON_COUNT;
        int r;

        memset(&sentinel, 0x5e, sizeof(sentinel));
        memcpy(&res, &sentinel, sizeof(res));
        if (prev)
                memcpy(&prev_copy, prev, sizeof(prev_copy));
        r = ae_node_verify(s->v, p, response->data, response->len, prev, time(NULL), &res,
                           &reason);
        ck_assert_msg(r == 0, "ae_node_verify: %d", r);
        ck_assert_int_lt(reason, AE_ATTEST_REASON_COUNT);
        /* Field by field: the padding of a state the caller copied around
         * need not be initialised. */
        if (prev)
                ck_assert_msg(prev->known == prev_copy.known &&
                                      prev->clock == prev_copy.clock &&
                                      prev->reset_count == prev_copy.reset_count &&
                                      prev->restart_count == prev_copy.restart_count,
                              "the previous replay state was modified");
        if (reason != AE_ATTEST_OK) {
                ck_assert_msg(memcmp(&res, &sentinel, sizeof(res)) == 0,
                              "result written on refusal (%s)", ae_attest_reason_id(reason));
                return reason;
        }
        if (ret)
                memcpy(ret, &res, sizeof(res));
        return reason;
}

enum ae_attest_reason h_attest(struct h_server *s, struct ae_node_agent *a,
                               const struct ae_node_replay_state *prev,
                               struct ae_node_result *ret)
{
        _cleanup_buf_ struct h_buf payload = { 0 }, challenge = { 0 }, response = { 0 };
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
        enum ae_attest_reason reason;

        h_payload(a, &payload);
        ck_assert_reason(h_challenge(s, &payload, &challenge, &p), AE_ATTEST_OK);
        h_respond_ok(a, &challenge, &response);
        reason = h_verify(s, p, &response, prev, ret);
        /* The result's location claim points into p, freed here. */
        if (reason == AE_ATTEST_OK && ret) {
                ret->location_claim = NULL;
                ret->location_claim_len = 0;
        }
        return reason;
}

void h_tick(void)
{
        const struct timespec ts = { .tv_sec = 0, .tv_nsec = 5 * 1000 * 1000 };

        ck_assert_int_eq(nanosleep(&ts, NULL), 0);
}

TPMS_CLOCK_INFO h_quote_clock(const struct h_buf *response)
{
        _cleanup_(ae_attest_response_freep) AeResponseMsg *m = h_response_decode(response);
        TPMS_ATTEST a;
        size_t off = 0;

        memset(&a, 0, sizeof(a));
        ck_assert_int_eq(Tss2_MU_TPMS_ATTEST_Unmarshal(m->quote.data, m->quote.len, &off, &a),
                         TSS2_RC_SUCCESS);
        ck_assert_uint_eq(off, m->quote.len);
        return a.clockInfo;
}
