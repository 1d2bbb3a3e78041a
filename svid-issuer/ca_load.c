/* Reading a CA directory into a struct ae_ca: every file checked, each
 * failure with its own reason. */
#include "svid-issuer/ca.h"

#include <stdlib.h>

#include <openssl/err.h>

#include "common/ossl.h"
#include "svid-issuer/ca_check.h"
#include "svid-issuer/ca_files.h"
#include "svid-issuer/ca_pem.h"
#include "svid-issuer/ca_private.h"

/* A file the CA reads: its absence and its bad content each have a reason;
 * anything else the system reports is internal. */
static int read_refused(int r, enum ae_svid_reason missing, enum ae_svid_reason malformed,
                        enum ae_svid_reason *reason)
{
        if (r == -ENOENT)
                return ae_svid_refuse(reason, missing, -ENOENT);
        if (r == -EFBIG || r == -EINVAL)
                return ae_svid_refuse(reason, malformed, -EBADMSG);
        return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
}

int ae_ca_read_key(int dfd, EVP_PKEY **ret, enum ae_svid_reason *reason)
{
        uint8_t *pem = NULL;
        size_t len = 0;
        int r;

        r = ae_ca_key_file_read(dfd, AE_CA_KEY_FILE, AE_CA_KEY_PEM_MAX, &pem, &len);
        if (r == -EPERM)
                return ae_svid_refuse(reason, AE_SVID_CA_KEY_MODE, -EACCES);
        if (r < 0)
                return read_refused(r, AE_SVID_CA_MISSING, AE_SVID_CA_KEY_MALFORMED, reason);
        r = ae_ca_pem_read_key(pem, len, ret);
        ae_ca_pem_free_secret((char *)pem, len);
        if (r == -EBADMSG)
                return ae_svid_refuse(reason, AE_SVID_CA_KEY_MALFORMED, r);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        return 0;
}

/* Certificates of a PEM file, each refusal with the file's own reasons. */
static int read_certs(int dfd, const char *name, size_t max, enum ae_svid_reason missing,
                      enum ae_svid_reason malformed, STACK_OF(X509) **ret,
                      enum ae_svid_reason *reason)
{
        _cleanup_free_ uint8_t *pem = NULL;
        size_t len = 0;
        int r;

        r = ae_ca_file_read(dfd, name, AE_CA_PEM_MAX, &pem, &len);
        if (r < 0)
                return read_refused(r, missing, malformed, reason);
        r = ae_ca_pem_read_certs(pem, len, max, ret);
        if (r == -EBADMSG)
                return ae_svid_refuse(reason, malformed, r);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        return 0;
}

static int read_cert(int dfd, X509 **ret, enum ae_svid_reason *reason)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *certs = NULL;

        GUARD(read_certs(dfd, AE_CA_CERT_FILE, 1, AE_SVID_CA_MISSING, AE_SVID_CA_CERT_MALFORMED,
                         &certs, reason));
        *ret = sk_X509_shift(certs);
        return 0;
}

/* The earliest notAfter from the signing certificate up to the root. */
static int path_not_after(const struct ae_ca *ca, time_t *ret)
{
        time_t t;

        GUARD(ae_cert_time(X509_get0_notAfter(ca->cert), ret));
        GUARD(ae_cert_time(X509_get0_notAfter(ca->root), &t));
        if (t < *ret)
                *ret = t;
        for (int i = 0; i < sk_X509_num(ca->chain); i++) {
                GUARD(ae_cert_time(X509_get0_notAfter(sk_X509_value(ca->chain, i)), &t));
                if (t < *ret)
                        *ret = t;
        }
        return 0;
}

static int read_chain(int dfd, struct ae_ca *ca, time_t now, bool check_time,
                      enum ae_svid_reason *reason)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *file = NULL;

        if (ca->self_signed) {
                ca->chain = sk_X509_new_null();
                ENSURE(ca->chain && X509_up_ref(ca->cert) == 1,
                       ae_svid_refuse(reason, AE_SVID_INTERNAL, -ENOMEM));
                ca->root = ca->cert;
                return 0;
        }
        GUARD(read_certs(dfd, AE_CA_CHAIN_FILE, AE_CA_PEM_CERTS_MAX, AE_SVID_CA_NOT_SELF_SIGNED,
                         AE_SVID_CA_CHAIN_MALFORMED, &file, reason));
        return ae_ca_check_chain(ca->cert, file, now, check_time, &ca->chain, &ca->root, reason);
}

int ae_ca_read(int dfd, time_t now, bool check_time, struct ae_ca **ret,
               enum ae_svid_reason *reason)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = calloc(1, sizeof(*ca));
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *bundle = NULL;

        ENSURE(ret, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        ENSURE(ca, ae_svid_refuse(reason, AE_SVID_INTERNAL, -ENOMEM));
        GUARD(ae_ca_read_key(dfd, &ca->key, reason));
        GUARD(read_cert(dfd, &ca->cert, reason));
        GUARD(ae_ca_check_key(ca->cert, ca->key, &ca->key_type, reason));
        GUARD(ae_ca_check_signing_cert(ca->cert, ca->trust_domain, reason));
        if (check_time)
                GUARD(ae_ca_check_validity(ca->cert, now, reason));
        ca->self_signed = ae_ca_is_root(ca->cert);
        GUARD(read_chain(dfd, ca, now, check_time, reason));
        GUARD(read_certs(dfd, AE_CA_BUNDLE_FILE, AE_CA_PEM_CERTS_MAX, AE_SVID_CA_MISSING,
                         AE_SVID_CA_BUNDLE_MALFORMED, &bundle, reason));
        GUARD(ae_ca_check_bundle(bundle, ca->root, now, &ca->bundle, reason));

        ca->md = ae_svid_key_digest(ca->key_type);
        if (!ca->md || ae_cert_time(X509_get0_notBefore(ca->cert), &ca->not_before) < 0 ||
            path_not_after(ca, &ca->not_after) < 0)
                return ae_svid_refuse(reason, AE_SVID_CA_CERT_MALFORMED, -EBADMSG);
        /* The leaf subject is encoded here, once: a name built entry by
         * entry is encoded on first use, and minting threads must only
         * read the CA. */
        if (ae_cert_subject_key_id(ca->cert, &ca->key_id) < 0 ||
            ae_cert_name(NULL, NULL, &ca->leaf_subject) < 0 ||
            i2d_X509_NAME(ca->leaf_subject, NULL) <= 0 ||
            ae_cert_signer(ca->key, ca->md, &ca->signer) < 0 ||
            ae_cert_signer_alg(ca->signer, &ca->sig_alg) < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, -EIO);
        *ret = TAKE_PTR(ca);
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

int ae_ca_load(const char *dir, time_t now, struct ae_ca **ret, enum ae_svid_reason *reason)
{
        _cleanup_close_ int dfd = -1, lock = -1;
        int r;

        ENSURE(dir && ret, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        r = ae_ca_dir_open(dir, false, &dfd, NULL);
        if (r == -ENOENT || r == -ENOTDIR)
                return ae_svid_refuse(reason, AE_SVID_CA_MISSING, -ENOENT);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        /* Shared: a rotation in progress finishes first, so the key and
         * certificate read belong together. */
        r = ae_ca_lock(dfd, false, &lock);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        return ae_ca_read(dfd, now, true, ret, reason);
}
