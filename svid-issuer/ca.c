/* A self-signed CA: making its root, writing a new CA directory, and the
 * loaded CA's accessors. Loading is ca_load.c, rotation ca_rotate.c, the
 * upstream (CSR) flow ca_upstream.c. */
#include "svid-issuer/ca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include "common/ossl.h"
#include "svid-issuer/ca_files.h"
#include "svid-issuer/ca_pem.h"
#include "svid-issuer/ca_private.h"
#include "svid-issuer/cert_build.h"

static void openssl_strp(char **p)
{
        OPENSSL_free(*p);
}

/* The CA's name carries its serial number so that successive roots of one
 * trust domain have distinct subjects: a person reading a bundle can tell
 * them apart, and chain building never has to guess by key identifier. */
static int root_name(X509 *x, X509_NAME **ret)
{
        _cleanup_(BN_freep) BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        _cleanup_(openssl_strp) char *hex = NULL;

        ENSURE_ALLOC(bn);
        hex = BN_bn2hex(bn);
        ENSURE_ALLOC(hex);
        return ae_cert_name("Aegis CA", hex, ret);
}

int ae_ca_make_root(EVP_PKEY *key, enum ae_ca_key_type type, const char *td, time_t now,
                    int64_t ttl_s, X509 **ret)
{
        _cleanup_(X509_freep) X509 *x = X509_new();
        _cleanup_(X509_NAME_freep) X509_NAME *name = NULL;
        struct ae_cert_key_id id;
        char uri[sizeof(AE_SPIFFE_SCHEME_PREFIX) + AE_TRUST_DOMAIN_MAX];

        ENSURE(key && td && ret && ttl_s > 0, -EINVAL);
        ENSURE_ALLOC(x);
        ENSURE(snprintf(uri, sizeof(uri), AE_SPIFFE_SCHEME_PREFIX "%s", td) < (int)sizeof(uri),
               -EINVAL);
        GUARD(ae_cert_set_random_serial(x));
        GUARD(root_name(x, &name));
        ENSURE_OSSL(X509_set_subject_name(x, name));
        ENSURE_OSSL(X509_set_issuer_name(x, name));
        GUARD(ae_cert_set_validity(x, now - AE_SVID_BACKDATE_S, now + ttl_s));
        ENSURE_OSSL(X509_set_pubkey(x, key));
        GUARD(ae_cert_key_id(x, &id));
        /* X509-SVID 3.2 and 4.1-4.3: cA=TRUE, keyUsage keyCertSign and
         * cRLSign (critical), the trust domain's SPIFFE ID as its one URI
         * SAN (non-critical: the subject is not empty). */
        GUARD(ae_cert_add_basic_constraints(x, true));
        GUARD(ae_cert_add_key_usage(x, X509v3_KU_KEY_CERT_SIGN | X509v3_KU_CRL_SIGN));
        GUARD(ae_cert_add_uri_san(x, uri, false));
        GUARD(ae_cert_add_ski(x, &id));
        GUARD(ae_cert_add_aki(x, &id));
        GUARD(ae_cert_sign(x, key, ae_svid_key_digest(type)));
        *ret = TAKE_PTR(x);
        return 0;
}

int ae_ca_check_options(const struct ae_ca_options *opt, bool need_ttl, int64_t *ret_ttl,
                        enum ae_svid_reason *reason)
{
        int64_t ttl;

        ENSURE(opt, ae_svid_refuse(reason, AE_SVID_CA_OPTIONS, -EINVAL));
        if (!opt->trust_domain || !ae_spiffe_trust_domain_valid(opt->trust_domain))
                return ae_svid_refuse(reason, AE_SVID_CA_TRUST_DOMAIN, -EINVAL);
        if ((unsigned)opt->key_type >= AE_CA_KEY_TYPE_COUNT)
                return ae_svid_refuse(reason, AE_SVID_CA_OPTIONS, -EINVAL);
        ttl = opt->ttl_s == 0 ? AE_CA_TTL_DEFAULT : opt->ttl_s;
        if (need_ttl && (ttl < AE_CA_TTL_MIN || ttl > AE_CA_TTL_MAX))
                return ae_svid_refuse(reason, AE_SVID_CA_OPTIONS, -EINVAL);
        if (ret_ttl)
                *ret_ttl = ttl;
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

static const char *const ca_files[] = {
        AE_CA_KEY_FILE, AE_CA_CERT_FILE, AE_CA_BUNDLE_FILE, AE_CA_CHAIN_FILE, AE_CA_CSR_FILE,
};

static bool holds_ca(int dfd)
{
        for (size_t i = 0; i < sizeof(ca_files) / sizeof(ca_files[0]); i++)
                if (ae_ca_file_exists(dfd, ca_files[i]))
                        return true;
        return false;
}

int ae_ca_new_dir_open(const char *dir, struct ae_ca_new_dir *nd, enum ae_svid_reason *reason)
{
        int r;

        *nd = (struct ae_ca_new_dir){ .dfd = -1, .lock = -1, .n_written = 0 };
        r = ae_ca_dir_open(dir, true, &nd->dfd, &nd->created);
        if (r == -ENOENT || r == -ENOTDIR)
                return ae_svid_refuse(reason, AE_SVID_CA_MISSING, -ENOENT);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        /* Refuse before taking the lock (which creates .lock): a refused
         * call leaves the directory as it was. */
        if (holds_ca(nd->dfd)) {
                r = ae_svid_refuse(reason, AE_SVID_CA_EXISTS, -EEXIST);
                goto fail;
        }
        r = ae_ca_lock(nd->dfd, true, &nd->lock);
        if (r < 0) {
                r = ae_svid_refuse(reason, r == -EBUSY ? AE_SVID_CA_BUSY : AE_SVID_INTERNAL, r);
                goto fail;
        }
        /* Again under the lock: another writer may have just finished. */
        if (holds_ca(nd->dfd)) {
                r = ae_svid_refuse(reason, AE_SVID_CA_EXISTS, -EEXIST);
                goto fail;
        }
        return 0;
fail:
        ae_ca_new_dir_close(nd, dir, false);
        return r;
}

int ae_ca_new_dir_write(struct ae_ca_new_dir *nd, const char *name, const void *data, size_t len,
                        mode_t mode, bool exclusive, enum ae_svid_reason *reason)
{
        int r = ae_ca_file_write(nd->dfd, name, data, len, mode, exclusive);

        if (r == -EEXIST)
                return ae_svid_refuse(reason, AE_SVID_CA_EXISTS, r);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        if (nd->n_written < AE_CA_NEW_DIR_FILES_MAX)
                nd->written[nd->n_written++] = name;
        return 0;
}

void ae_ca_new_dir_close(struct ae_ca_new_dir *nd, const char *dir, bool ok)
{
        if (!ok && nd->dfd >= 0) {
                for (size_t i = 0; i < nd->n_written; i++)
                        (void)unlinkat(nd->dfd, nd->written[i], 0);
                if (nd->created) {
                        (void)unlinkat(nd->dfd, AE_CA_LOCK_FILE, 0);
                        (void)rmdir(dir);
                }
        }
        if (nd->lock >= 0)
                (void)close(nd->lock);
        if (nd->dfd >= 0)
                (void)close(nd->dfd);
        nd->lock = nd->dfd = -1;
}

int ae_ca_init(const char *dir, const struct ae_ca_options *opt, time_t now,
               enum ae_svid_reason *reason)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *root = NULL;
        _cleanup_free_ char *cert_pem = NULL;
        char *key_pem = NULL;
        size_t key_len = 0, cert_len = 0;
        struct ae_ca_new_dir nd;
        int64_t ttl;
        int r;

        ENSURE(dir, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        GUARD(ae_ca_check_options(opt, true, &ttl, reason));
        /* Everything that can fail without touching the disk, first. */
        r = ae_svid_key_generate(opt->key_type, &key);
        if (r == 0)
                r = ae_ca_make_root(key, opt->key_type, opt->trust_domain, now, ttl, &root);
        if (r == 0)
                r = ae_ca_pem_write_cert(root, &cert_pem, &cert_len);
        if (r == 0)
                r = ae_ca_pem_write_key(key, &key_pem, &key_len);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);

        r = ae_ca_new_dir_open(dir, &nd, reason);
        if (r == 0)
                /* Linked into place only if absent: two inits never share a
                 * directory. */
                r = ae_ca_new_dir_write(&nd, AE_CA_KEY_FILE, key_pem, key_len, 0600, true, reason);
        if (r == 0)
                r = ae_ca_new_dir_write(&nd, AE_CA_CERT_FILE, cert_pem, cert_len, 0644, false,
                                        reason);
        if (r == 0)
                r = ae_ca_new_dir_write(&nd, AE_CA_BUNDLE_FILE, cert_pem, cert_len, 0644, false,
                                        reason);
        ae_ca_pem_free_secret(key_pem, key_len);
        if (nd.dfd >= 0)
                ae_ca_new_dir_close(&nd, dir, r == 0);
        if (r < 0)
                return r;
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

void ae_ca_free(struct ae_ca *ca)
{
        if (!ca)
                return;
        EVP_PKEY_free(ca->key);
        X509_free(ca->cert);
        X509_free(ca->root);
        ae_x509_stack_free(ca->chain);
        ae_x509_stack_free(ca->bundle);
        X509_NAME_free(ca->leaf_subject);
        EVP_MD_CTX_free(ca->signer);
        X509_ALGOR_free(ca->sig_alg);
        free(ca);
}

const char *ae_ca_trust_domain(const struct ae_ca *ca)
{
        return ca ? ca->trust_domain : NULL;
}

EVP_PKEY *ae_ca_key(const struct ae_ca *ca)
{
        return ca ? ca->key : NULL;
}

X509 *ae_ca_cert(const struct ae_ca *ca)
{
        return ca ? ca->cert : NULL;
}

STACK_OF(X509) *ae_ca_chain(const struct ae_ca *ca)
{
        return ca ? ca->chain : NULL;
}

STACK_OF(X509) *ae_ca_bundle(const struct ae_ca *ca)
{
        return ca ? ca->bundle : NULL;
}

X509 *ae_ca_root(const struct ae_ca *ca)
{
        return ca ? ca->root : NULL;
}

time_t ae_ca_not_after(const struct ae_ca *ca)
{
        return ca ? ca->not_after : 0;
}

enum ae_ca_key_type ae_ca_key_type(const struct ae_ca *ca)
{
        return ca ? ca->key_type : AE_CA_KEY_TYPE_COUNT;
}

int ae_ca_write_bundle(const struct ae_ca *ca, const char *path)
{
        _cleanup_free_ char *pem = NULL;
        size_t len = 0;

        ENSURE(ca && path, -EINVAL);
        GUARD(ae_ca_pem_write_certs(ca->bundle, &pem, &len));
        return ae_ca_path_write(path, pem, len, 0644);
}
