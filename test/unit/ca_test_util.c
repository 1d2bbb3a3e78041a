/* nftw() */
#define _GNU_SOURCE
#include "ca_test_util.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

static char base[PATH_MAX];

void ctu_base_setup(void)
{
        const char *tmp = getenv("TMPDIR");

        if (snprintf(base, sizeof(base), "%s/aegis-ca-test-XXXXXX", tmp && *tmp ? tmp : "/tmp") >=
                    (int)sizeof(base) ||
            !mkdtemp(base))
                abort();
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path) < 0 ? -1 : 0;
}

void ctu_base_teardown(void)
{
        /* Tests chmod keys and directories; make sure removal can read. */
        if (base[0])
                (void)nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        base[0] = '\0';
}

void ctu_tmpdir(char *buf)
{
        ck_assert(base[0] != '\0');
        ck_assert_int_lt(snprintf(buf, PATH_MAX, "%s/t-XXXXXX", base), PATH_MAX);
        ck_assert_ptr_nonnull(mkdtemp(buf));
}

const char *ctu_path(const char *dir, const char *name)
{
        static char bufs[4][PATH_MAX];
        static unsigned next;
        char *b = bufs[next++ % 4];

        ck_assert_int_lt(snprintf(b, PATH_MAX, "%s/%s", dir, name), PATH_MAX);
        return b;
}

void ctu_write(const char *path, const void *data, size_t len, mode_t mode)
{
        int fd;

        (void)unlink(path);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
        ck_assert_int_eq(fchmod(fd, mode), 0);
        close(fd);
}

uint8_t *ctu_read(const char *path, size_t *len)
{
        FILE *f = fopen(path, "rb");
        uint8_t *buf;
        long n;

        if (!f)
                return NULL;
        ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        rewind(f);
        buf = malloc((size_t)n + 1);
        ck_assert_ptr_nonnull(buf);
        ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
        buf[n] = 0;
        fclose(f);
        if (len)
                *len = (size_t)n;
        return buf;
}

mode_t ctu_mode(const char *path)
{
        struct stat st;

        ck_assert_int_eq(stat(path, &st), 0);
        return st.st_mode & 07777;
}

bool ctu_exists(const char *path)
{
        struct stat st;

        return lstat(path, &st) == 0;
}

EVP_PKEY *ctu_key(const char *spec)
{
        EVP_PKEY *k = NULL;

        if (strncmp(spec, "RSA:", 4) == 0)
                k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)atoi(spec + 4));
        else if (strcmp(spec, "ED25519") == 0)
                k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        else
                k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", spec);
        ck_assert_ptr_nonnull(k);
        return k;
}

X509 *ctu_load_cert(const char *path)
{
        FILE *f = fopen(path, "r");
        X509 *x;

        ck_assert_ptr_nonnull(f);
        x = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
        ck_assert_ptr_nonnull(x);
        return x;
}

EVP_PKEY *ctu_load_key(const char *path)
{
        FILE *f = fopen(path, "r");
        EVP_PKEY *k;

        ck_assert_ptr_nonnull(f);
        k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        ck_assert_ptr_nonnull(k);
        return k;
}

void ctu_write_certs(const char *path, X509 *const *certs, size_t n)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *mem;
        long len;

        ck_assert_ptr_nonnull(b);
        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(PEM_write_bio_X509(b, certs[i]), 1);
        len = BIO_get_mem_data(b, &mem);
        ctu_write(path, mem, (size_t)len, 0644);
        BIO_free(b);
}

void ctu_write_key(const char *path, EVP_PKEY *key, mode_t mode)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *mem;
        long len;

        ck_assert_ptr_nonnull(b);
        ck_assert_int_eq(PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL), 1);
        len = BIO_get_mem_data(b, &mem);
        ctu_write(path, mem, (size_t)len, mode);
        BIO_free(b);
}

static void add_conf_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
        X509_EXTENSION *e;

        if (!value)
                return;
        e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
}

static void random_serial(X509 *x)
{
        unsigned char raw[16];
        BIGNUM *bn;

        ck_assert_int_eq(RAND_bytes(raw, sizeof(raw)), 1);
        raw[0] &= 0x7f;
        raw[0] |= 0x01;
        bn = BN_bin2bn(raw, sizeof(raw), NULL);
        ck_assert_ptr_nonnull(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)));
        BN_free(bn);
}

X509 *ctu_cert(const struct ctu_cert *c)
{
        X509 *x = X509_new();
        X509_NAME *name = X509_NAME_new();
        X509V3_CTX ctx;

        ck_assert(x && name);
        ck_assert_int_eq(X509_set_version(x, X509_VERSION_3), 1);
        random_serial(x);
        ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                                    (const unsigned char *)(c->cn ? c->cn : "ctu"),
                                                    -1, -1, 0),
                         1);
        ck_assert_int_eq(X509_set_subject_name(x, name), 1);
        ck_assert_int_eq(X509_set_issuer_name(x, c->issuer ? X509_get_subject_name(c->issuer)
                                                            : name),
                         1);
        X509_NAME_free(name);
        ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(x), c->not_before));
        ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x), c->not_after));
        ck_assert_int_eq(X509_set_pubkey(x, c->key), 1);
        X509V3_set_ctx(&ctx, c->issuer ? c->issuer : x, x, NULL, NULL, 0);
        add_conf_ext(x, &ctx, NID_basic_constraints, c->bc);
        add_conf_ext(x, &ctx, NID_key_usage, c->ku);
        add_conf_ext(x, &ctx, NID_subject_alt_name, c->san);
        add_conf_ext(x, &ctx, NID_subject_key_identifier, "hash");
        add_conf_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
        ck_assert_int_gt(X509_sign(x, c->issuer_key ? c->issuer_key : c->key, EVP_sha256()), 0);
        return x;
}

X509 *ctu_ca_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *td, time_t now)
{
        static unsigned serial;
        char san[300], cn[32];

        /* Distinct names: a certificate whose issuer name equals its own
         * subject would look self-issued. */
        snprintf(cn, sizeof(cn), "ctu CA %u", ++serial);
        snprintf(san, sizeof(san), "URI:spiffe://%s", td);
        return ctu_cert(&(struct ctu_cert){
                .key = key,
                .issuer = issuer,
                .issuer_key = issuer_key,
                .cn = cn,
                .bc = "critical,CA:TRUE",
                .ku = "critical,keyCertSign,cRLSign",
                .san = san,
                .not_before = now - 3600,
                .not_after = now + 365 * 86400,
        });
}

X509 *ctu_sign_csr(const char *csr_path, X509 *issuer, EVP_PKEY *issuer_key, const char *san,
                   time_t now)
{
        FILE *f = fopen(csr_path, "r");
        X509_REQ *req;
        STACK_OF(X509_EXTENSION) *exts;
        X509 *x = X509_new();
        X509V3_CTX ctx;

        ck_assert_ptr_nonnull(f);
        req = PEM_read_X509_REQ(f, NULL, NULL, NULL);
        fclose(f);
        ck_assert_ptr_nonnull(req);
        ck_assert_int_eq(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
        ck_assert_int_eq(X509_set_version(x, X509_VERSION_3), 1);
        random_serial(x);
        ck_assert_int_eq(X509_set_subject_name(x, X509_REQ_get_subject_name(req)), 1);
        ck_assert_int_eq(X509_set_issuer_name(x, X509_get_subject_name(issuer)), 1);
        ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(x), now - 3600));
        ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x), now + 30 * 86400));
        ck_assert_int_eq(X509_set_pubkey(x, X509_REQ_get0_pubkey(req)), 1);
        exts = X509_REQ_get_extensions(req);
        ck_assert_ptr_nonnull(exts);
        for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
                X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);

                if (san && OBJ_obj2nid(X509_EXTENSION_get_object(e)) == NID_subject_alt_name)
                        continue;
                ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
        }
        sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
        X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
        add_conf_ext(x, &ctx, NID_subject_alt_name, san);
        add_conf_ext(x, &ctx, NID_subject_key_identifier, "hash");
        add_conf_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
        ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
        X509_REQ_free(req);
        return x;
}

static int verify_for(X509 *leaf, STACK_OF(X509) *untrusted, STACK_OF(X509) *roots, time_t now,
                      int purpose)
{
        X509_STORE *store = X509_STORE_new();
        X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        int ok, err;

        ck_assert(store && ctx);
        for (int i = 0; i < sk_X509_num(roots); i++)
                ck_assert_int_eq(X509_STORE_add_cert(store, sk_X509_value(roots, i)), 1);
        ck_assert_int_eq(X509_STORE_CTX_init(ctx, store, leaf, untrusted), 1);
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), now);
        ck_assert_int_eq(X509_STORE_CTX_set_purpose(ctx, purpose), 1);
        ok = X509_verify_cert(ctx);
        err = ok == 1 ? 0 : X509_STORE_CTX_get_error(ctx);
        if (ok == 1)
                ck_assert_int_eq(err, X509_V_OK);
        X509_STORE_CTX_free(ctx);
        X509_STORE_free(store);
        return ok == 1 ? 0 : (err ? err : -1);
}

int ctu_verify(X509 *leaf, STACK_OF(X509) *untrusted, STACK_OF(X509) *roots, time_t now)
{
        int r = verify_for(leaf, untrusted, roots, now, X509_PURPOSE_SSL_CLIENT);

        if (r != 0)
                return r;
        return verify_for(leaf, untrusted, roots, now, X509_PURPOSE_SSL_SERVER);
}

void ctu_claims(struct ae_claims *c, const char *id)
{
        memset(c, 0, sizeof(*c));
        c->level = AE_CLAIMS_POR;
        snprintf(c->workload.workload_id, sizeof(c->workload.workload_id), "%s", id);
        memset(c->workload.code_hash, 'a', 64);
        c->tpm.present = true;
        memset(c->tpm.ek_hash, 'b', 64);
        strcpy(c->tpm.ak_name, "000b");
        memset(c->tpm.ak_name + 4, 'c', 64);
        strcpy(c->tpm.pcr_policy, "base");
        memset(c->tpm.pcr_digest, 'd', 64);
        c->tpm.attested_at = 1795238298;
}

int ctu_ext_critical(X509 *x, int nid)
{
        int i = X509_get_ext_by_NID(x, nid, -1);

        if (i < 0)
                return -1;
        return X509_EXTENSION_get_critical(X509_get_ext(x, i)) ? 1 : 0;
}
