/* A CA signed by an upstream that Aegis never holds the key of: the key and
 * a certificate request here, the signature there, the issued certificate
 * and the upstream's chain installed back here after every check. */
#include "svid-issuer/ca.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "common/file.h"
#include "common/ossl.h"
#include "svid-issuer/ca_check.h"
#include "svid-issuer/ca_files.h"
#include "svid-issuer/ca_pem.h"
#include "svid-issuer/ca_private.h"
#include "svid-issuer/cert_build.h"

AE_DEFINE_CLEANUP(X509_REQ *, X509_REQ_free)
AE_DEFINE_CLEANUP(GENERAL_NAMES *, GENERAL_NAMES_free)

static void ext_stack_free(STACK_OF(X509_EXTENSION) *s)
{
        sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}
AE_DEFINE_CLEANUP(STACK_OF(X509_EXTENSION) *, ext_stack_free)

static int make_csr(EVP_PKEY *key, enum ae_ca_key_type type, const char *td, char **ret,
                    size_t *ret_len)
{
        _cleanup_(X509_REQ_freep) X509_REQ *req = X509_REQ_new();
        _cleanup_(X509_freep) X509 *scratch = X509_new();
        _cleanup_(X509_NAME_freep) X509_NAME *name = NULL;
        _cleanup_(BIO_free_allp) BIO *bio = BIO_new(BIO_s_mem());
        char uri[sizeof(AE_SPIFFE_SCHEME_PREFIX) + AE_TRUST_DOMAIN_MAX];
        char *mem = NULL;
        long n;

        ENSURE(req && scratch && bio, -ENOMEM);
        snprintf(uri, sizeof(uri), AE_SPIFFE_SCHEME_PREFIX "%s", td);
        GUARD(ae_cert_name("Aegis CA", NULL, &name));
        ENSURE_OSSL(X509_REQ_set_version(req, X509_REQ_VERSION_1));
        ENSURE_OSSL(X509_REQ_set_subject_name(req, name));
        ENSURE_OSSL(X509_REQ_set_pubkey(req, key));
        /* What a signing certificate needs (X509-SVID 3.2, 4.1, 4.3), built
         * by the same code as a root's on a scratch certificate, then asked
         * for as the request's extensions. */
        GUARD(ae_cert_add_basic_constraints(scratch, true));
        GUARD(ae_cert_add_key_usage(scratch, X509v3_KU_KEY_CERT_SIGN | X509v3_KU_CRL_SIGN));
        GUARD(ae_cert_add_uri_san(scratch, uri, false));
        ENSURE_OSSL(X509_REQ_add_extensions(req, X509_get0_extensions(scratch)));
        ENSURE(X509_REQ_sign(req, key, ae_svid_key_digest(type)) > 0, -EIO);
        ENSURE_OSSL(PEM_write_bio_X509_REQ(bio, req));
        n = BIO_get_mem_data(bio, &mem);
        ENSURE(n > 0 && mem, -EIO);
        *ret = strndup(mem, (size_t)n);
        ENSURE_ALLOC(*ret);
        *ret_len = (size_t)n;
        return 0;
}

int ae_ca_csr(const char *dir, const struct ae_ca_options *opt, enum ae_svid_reason *reason)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_free_ char *csr = NULL;
        char *key_pem = NULL;
        size_t key_len = 0, csr_len = 0;
        struct ae_ca_new_dir nd;
        int r;

        ENSURE(dir, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        GUARD(ae_ca_check_options(opt, false, NULL, reason));
        r = ae_svid_key_generate(opt->key_type, &key);
        if (r == 0)
                r = make_csr(key, opt->key_type, opt->trust_domain, &csr, &csr_len);
        if (r == 0)
                r = ae_ca_pem_write_key(key, &key_pem, &key_len);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);

        r = ae_ca_new_dir_open(dir, &nd, reason);
        if (r == 0)
                r = ae_ca_new_dir_write(&nd, AE_CA_KEY_FILE, key_pem, key_len, 0600, true, reason);
        if (r == 0)
                r = ae_ca_new_dir_write(&nd, AE_CA_CSR_FILE, csr, csr_len, 0644, false, reason);
        ae_ca_pem_free_secret(key_pem, key_len);
        if (nd.dfd >= 0)
                ae_ca_new_dir_close(&nd, dir, r == 0);
        if (r < 0)
                return r;
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

/* The trust domain ca.csr asked for. */
static int csr_trust_domain(int dfd, char td[AE_TRUST_DOMAIN_MAX + 1],
                            enum ae_svid_reason *reason)
{
        _cleanup_free_ uint8_t *pem = NULL;
        _cleanup_(BIO_free_allp) BIO *bio = NULL;
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL;
        _cleanup_(ext_stack_freep) STACK_OF(X509_EXTENSION) *exts = NULL;
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *names = NULL;
        size_t len = 0;
        int r;

        r = ae_ca_file_read(dfd, AE_CA_CSR_FILE, AE_CA_PEM_MAX, &pem, &len);
        if (r == -ENOENT)
                return ae_svid_refuse(reason, AE_SVID_CA_MISSING, r);
        if (r == -EFBIG || r == -EINVAL)
                return ae_svid_refuse(reason, AE_SVID_CA_CSR_MALFORMED, -EBADMSG);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        bio = BIO_new_mem_buf(pem, (int)len);
        ENSURE(bio, ae_svid_refuse(reason, AE_SVID_INTERNAL, -ENOMEM));
        req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
        if (req)
                exts = X509_REQ_get_extensions(req);
        if (exts)
                names = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
        ERR_clear_error();
        if (!names || ae_ca_names_trust_domain(names, td, NULL) < 0)
                return ae_svid_refuse(reason, AE_SVID_CA_CSR_MALFORMED, -EBADMSG);
        return 0;
}

/* Certificates from a file an operator names (upstream output). */
static int read_path_certs(const char *path, size_t max, enum ae_svid_reason malformed,
                           STACK_OF(X509) **ret, enum ae_svid_reason *reason)
{
        _cleanup_free_ uint8_t *pem = NULL;
        size_t len = 0;
        int r;

        r = ae_file_read(path, AE_CA_PEM_MAX, &pem, &len);
        if (r == -ENOENT)
                return ae_svid_refuse(reason, AE_SVID_CA_MISSING, r);
        if (r == -EFBIG || r == -EINVAL)
                return ae_svid_refuse(reason, malformed, -EBADMSG);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        r = ae_ca_pem_read_certs(pem, len, max, ret);
        if (r < 0)
                return ae_svid_refuse(reason, r == -EBADMSG ? malformed : AE_SVID_INTERNAL, r);
        return 0;
}

/* Everything ae_ca_load would check, on the files offered. */
static int check_offer(int dfd, X509 *cert, STACK_OF(X509) *file, time_t now,
                       STACK_OF(X509) **ret_ints, X509 **ret_root, enum ae_svid_reason *reason)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        char want[AE_TRUST_DOMAIN_MAX + 1], got[AE_TRUST_DOMAIN_MAX + 1];
        enum ae_ca_key_type type;

        GUARD(ae_ca_read_key(dfd, &key, reason));
        GUARD(csr_trust_domain(dfd, want, reason));
        GUARD(ae_ca_check_key(cert, key, &type, reason));
        GUARD(ae_ca_check_signing_cert(cert, got, reason));
        if (strcmp(want, got) != 0)
                return ae_svid_refuse(reason, AE_SVID_CA_TRUST_DOMAIN, -EINVAL);
        GUARD(ae_ca_check_validity(cert, now, reason));
        if (ae_ca_is_root(cert))
                return ae_svid_refuse(reason, AE_SVID_CA_CHAIN_MISMATCH, -EPROTO);
        return ae_ca_check_chain(cert, file, now, true, ret_ints, ret_root, reason);
}

static int install_locked(int dfd, const char *cert_path, const char *chain_path, time_t now,
                          enum ae_svid_reason *reason)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *certs = NULL, *file = NULL, *ints = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *bundle = NULL;
        _cleanup_(X509_freep) X509 *root = NULL;
        _cleanup_free_ char *cert_pem = NULL, *chain_pem = NULL, *bundle_pem = NULL;
        size_t cert_len = 0, chain_len = 0, bundle_len = 0;
        bool wrote_chain = false, wrote_bundle = false;
        int r;

        if (ae_ca_file_exists(dfd, AE_CA_CERT_FILE))
                return ae_svid_refuse(reason, AE_SVID_CA_EXISTS, -EEXIST);
        GUARD(read_path_certs(cert_path, 1, AE_SVID_CA_CERT_MALFORMED, &certs, reason));
        GUARD(read_path_certs(chain_path, AE_CA_PEM_CERTS_MAX, AE_SVID_CA_CHAIN_MALFORMED, &file,
                              reason));
        GUARD(check_offer(dfd, sk_X509_value(certs, 0), file, now, &ints, &root, reason));

        bundle = sk_X509_new_null();
        r = bundle && X509_add_cert(bundle, root, X509_ADD_FLAG_UP_REF) == 1 ? 0 : -ENOMEM;
        /* Written as PEM of the parsed certificates: no stray text or
         * blocks from the upstream's files survive. */
        if (r == 0)
                r = ae_ca_pem_write_cert(sk_X509_value(certs, 0), &cert_pem, &cert_len);
        if (r == 0)
                r = ae_ca_pem_write_certs(file, &chain_pem, &chain_len);
        if (r == 0)
                r = ae_ca_pem_write_certs(bundle, &bundle_pem, &bundle_len);
        if (r == 0)
                r = ae_ca_file_write(dfd, AE_CA_CHAIN_FILE, chain_pem, chain_len, 0644, false);
        if (r == 0) {
                wrote_chain = true;
                r = ae_ca_file_write(dfd, AE_CA_BUNDLE_FILE, bundle_pem, bundle_len, 0644, false);
        }
        /* The certificate last and only if absent: it makes the CA whole. */
        if (r == 0) {
                wrote_bundle = true;
                r = ae_ca_file_write(dfd, AE_CA_CERT_FILE, cert_pem, cert_len, 0644, true);
        }
        if (r < 0) {
                if (wrote_chain)
                        (void)unlinkat(dfd, AE_CA_CHAIN_FILE, 0);
                if (wrote_bundle)
                        (void)unlinkat(dfd, AE_CA_BUNDLE_FILE, 0);
                return ae_svid_refuse(reason, r == -EEXIST ? AE_SVID_CA_EXISTS : AE_SVID_INTERNAL,
                                      r);
        }
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

int ae_ca_install(const char *dir, const char *cert_path, const char *chain_path, time_t now,
                  enum ae_svid_reason *reason)
{
        _cleanup_close_ int dfd = -1, lock = -1;
        int r;

        ENSURE(dir && cert_path && chain_path, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        r = ae_ca_dir_open(dir, false, &dfd, NULL);
        if (r == -ENOENT || r == -ENOTDIR)
                return ae_svid_refuse(reason, AE_SVID_CA_MISSING, -ENOENT);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        if (!ae_ca_file_exists(dfd, AE_CA_KEY_FILE))
                return ae_svid_refuse(reason, AE_SVID_CA_MISSING, -ENOENT);
        r = ae_ca_lock(dfd, true, &lock);
        if (r < 0)
                return ae_svid_refuse(reason, r == -EBUSY ? AE_SVID_CA_BUSY : AE_SVID_INTERNAL, r);
        return install_locked(dfd, cert_path, chain_path, now, reason);
}
