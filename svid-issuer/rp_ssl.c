#include "svid-issuer/rp_ssl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/cleanup.h"
#include "common/ossl.h"
#include "svid-issuer/rp_bundle.h"
#include "svid-issuer/rp_rule.h"
#include "svid-issuer/rp_verify.h"

/* What a context verifies with; owned by the SSL_CTX's ex_data. */
struct verifier {
        struct ae_rp_bundle *bundle;
        struct ae_rp_rule rule;
};

static int ctx_index = -1, ssl_index = -1;
static CRYPTO_ONCE indexes_once = CRYPTO_ONCE_STATIC_INIT;

static void verifier_free(struct verifier *v)
{
        if (!v)
                return;
        ae_rp_bundle_unref(v->bundle);
        free(v);
}

static void free_verifier(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                          void *argp)
{
        (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
        verifier_free(ptr);
}

static void free_result(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                        void *argp)
{
        (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
        free(ptr);
}

static void make_indexes(void)
{
        ctx_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, free_verifier);
        ssl_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, free_result);
}

static bool indexes(void)
{
        return CRYPTO_THREAD_run_once(&indexes_once, make_indexes) == 1 && ctx_index >= 0 &&
               ssl_index >= 0;
}

/* The X509_V_ERR_* code libssl turns into the alert and keeps as the
 * connection's verify result. */
static int x509_code(const struct ae_rp_result *r)
{
        if (r->reason == AE_RP_INTERNAL)
                return X509_V_ERR_UNSPECIFIED;
        if (r->x509_error != X509_V_OK)
                return r->x509_error;
        return X509_V_ERR_APPLICATION_VERIFICATION;
}

/* Runs instead of X509_verify_cert on the peer's chain. */
static int verify_peer(X509_STORE_CTX *sctx, void *arg)
{
        const struct verifier *v = arg;
        SSL *ssl = X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
        struct ae_rp_result *r;

        if (!ssl || !v)
                return 0;
        r = SSL_get_ex_data(ssl, ssl_index);
        if (!r) {
                r = calloc(1, sizeof(*r));
                if (!r || SSL_set_ex_data(ssl, ssl_index, r) != 1) {
                        free(r);
                        X509_STORE_CTX_set_error(sctx, X509_V_ERR_OUT_OF_MEM);
                        return 0;
                }
        }
        if (ae_rp_verify(v->bundle, &v->rule, X509_STORE_CTX_get0_cert(sctx),
                         X509_STORE_CTX_get0_untrusted(sctx), (int64_t)time(NULL), r) < 0) {
                X509_STORE_CTX_set_error(sctx, x509_code(r));
                return 0;
        }
        X509_STORE_CTX_set_error(sctx, X509_V_OK);
        return 1;
}

int ae_rp_ssl_set_verifier(SSL_CTX *ctx, enum ae_rp_ssl_role role, struct ae_rp_bundle *bundle,
                           const struct ae_rp_rule *rule)
{
        struct verifier *v, *old;
        int mode = SSL_VERIFY_PEER;

        ENSURE(ctx && bundle, -EINVAL);
        ENSURE(role == AE_RP_SSL_SERVER || role == AE_RP_SSL_CLIENT, -EINVAL);
        ENSURE(indexes(), -ENOMEM);
        v = calloc(1, sizeof(*v));
        ENSURE_ALLOC(v);
        if (rule)
                v->rule = *rule;
        old = SSL_CTX_get_ex_data(ctx, ctx_index);
        if (SSL_CTX_set_ex_data(ctx, ctx_index, v) != 1) {
                free(v);
                return -ENOMEM;
        }
        v->bundle = ae_rp_bundle_ref(bundle);
        verifier_free(old);
        if (role == AE_RP_SSL_SERVER)
                mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        SSL_CTX_set_verify(ctx, mode, NULL);
        SSL_CTX_set_cert_verify_callback(ctx, verify_peer, v);
        return 0;
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
        (void)buf, (void)size, (void)rwflag, (void)u;
        return -1;
}

static int why(const char **ret_why, const char *text, int err)
{
        if (ret_why)
                *ret_why = text;
        return err;
}

static void ssl_ctx_freep(SSL_CTX **p)
{
        SSL_CTX_free(*p);
}

/* The private key of a PEM file (PKCS#8 or traditional, unencrypted). */
static int read_key(const char *path, EVP_PKEY **ret)
{
        _cleanup_(BIO_free_allp) BIO *bio = BIO_new_file(path, "r");
        EVP_PKEY *key;

        ENSURE(bio, -EBADMSG);
        /* No passphrase callback: an encrypted key is refused, not prompted for. */
        key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
        ENSURE(key, -EBADMSG);
        *ret = key;
        return 0;
}

/* A context for role, TLS 1.2 at least, nothing in it yet. */
static int ctx_start(enum ae_rp_ssl_role role, SSL_CTX **ret, const char **ret_why)
{
        SSL_CTX *ctx;

        ENSURE(role == AE_RP_SSL_SERVER || role == AE_RP_SSL_CLIENT,
               why(ret_why, "unknown role", -EINVAL));
        ctx = SSL_CTX_new(role == AE_RP_SSL_SERVER ? TLS_server_method() : TLS_client_method());
        ENSURE(ctx, why(ret_why, "SSL_CTX_new failed", -ENOMEM));
        if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
                SSL_CTX_free(ctx);
                return why(ret_why, "cannot set TLS 1.2 as the minimum", -EIO);
        }
        *ret = ctx;
        return 0;
}

/* The rest, once ctx holds the SVID's certificates: its key, no session
 * reuse, the verifier. */
static int ctx_finish(SSL_CTX *ctx, enum ae_rp_ssl_role role, EVP_PKEY *key,
                      struct ae_rp_bundle *bundle, const struct ae_rp_rule *rule,
                      const char **ret_why)
{
        static const unsigned char sid_ctx[] = "aegis-rp";
        int r;

        /* Checked here, before OpenSSL's own check, to say which it is. */
        ENSURE(X509_check_private_key(SSL_CTX_get0_certificate(ctx), key) == 1,
               why(ret_why, "SVID key does not match the SVID certificate", -EBADMSG));
        ENSURE(SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1,
               why(ret_why, "SVID key not accepted by OpenSSL", -EBADMSG));
        /* No resumption: a resumed session would skip the verifier, and
         * with it the clock-dependent parts of the rule. */
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        /* No renegotiation either: one peer, verified once, per connection. */
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
        ENSURE(SSL_CTX_set_num_tickets(ctx, 0) == 1, why(ret_why, "cannot disable tickets", -EIO));
        if (role == AE_RP_SSL_SERVER)
                ENSURE(SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1) == 1,
                       why(ret_why, "cannot set the session id context", -EIO));
        r = ae_rp_ssl_set_verifier(ctx, role, bundle, rule);
        if (r < 0)
                return why(ret_why, "cannot install the verifier", r);
        return 0;
}

int ae_rp_ssl_ctx_new(enum ae_rp_ssl_role role, const char *svid_pem, const char *svid_key,
                      struct ae_rp_bundle *bundle, const struct ae_rp_rule *rule, SSL_CTX **ret,
                      const char **ret_why)
{
        _cleanup_(ssl_ctx_freep) SSL_CTX *ctx = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        int r;

        ENSURE(svid_pem && svid_key && bundle && ret, why(ret_why, "missing argument", -EINVAL));
        if (access(svid_pem, R_OK) != 0)
                return why(ret_why, "cannot read the SVID certificate file", -errno);
        if (access(svid_key, R_OK) != 0)
                return why(ret_why, "cannot read the SVID key file", -errno);
        GUARD(ctx_start(role, &ctx, ret_why));
        ENSURE(SSL_CTX_use_certificate_chain_file(ctx, svid_pem) == 1,
               why(ret_why, "SVID certificate file is not a PEM certificate chain", -EBADMSG));
        r = read_key(svid_key, &key);
        if (r < 0)
                return why(ret_why, "SVID key file is not a PEM private key", r);
        GUARD(ctx_finish(ctx, role, key, bundle, rule, ret_why));
        *ret = TAKE_PTR(ctx);
        return 0;
}

int ae_rp_ssl_ctx_new_svid(enum ae_rp_ssl_role role, X509 *leaf, STACK_OF(X509) *intermediates,
                           EVP_PKEY *key, struct ae_rp_bundle *bundle,
                           const struct ae_rp_rule *rule, SSL_CTX **ret, const char **ret_why)
{
        _cleanup_(ssl_ctx_freep) SSL_CTX *ctx = NULL;

        ENSURE(leaf && key && bundle && ret, why(ret_why, "missing argument", -EINVAL));
        GUARD(ctx_start(role, &ctx, ret_why));
        ENSURE(SSL_CTX_use_certificate(ctx, leaf) == 1,
               why(ret_why, "SVID certificate not accepted by OpenSSL", -EBADMSG));
        for (int i = 0; i < sk_X509_num(intermediates); i++)
                ENSURE(SSL_CTX_add1_chain_cert(ctx, sk_X509_value(intermediates, i)) == 1,
                       why(ret_why, "SVID intermediate not accepted by OpenSSL", -EBADMSG));
        GUARD(ctx_finish(ctx, role, key, bundle, rule, ret_why));
        *ret = TAKE_PTR(ctx);
        return 0;
}

const struct ae_rp_result *ae_rp_ssl_result(const SSL *ssl)
{
        if (!ssl || !indexes())
                return NULL;
        return SSL_get_ex_data(ssl, ssl_index);
}
