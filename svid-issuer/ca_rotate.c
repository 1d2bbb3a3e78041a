/* Rotating a self-signed CA with overlap: the new key signs from now on,
 * the old root stays in the bundle until it expires, so every SVID the old
 * key issued keeps verifying for as long as it is valid. */
#include "svid-issuer/ca.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include "common/ossl.h"
#include "svid-issuer/ca_files.h"
#include "svid-issuer/ca_pem.h"
#include "svid-issuer/ca_private.h"

AE_DEFINE_CLEANUP(DIR *, closedir)

static void openssl_strp(char **p)
{
        OPENSSL_free(*p);
}

/* The new root lives as long as the old one was meant to. */
static int64_t lifetime(const struct ae_ca *ca)
{
        time_t na;
        int64_t ttl;

        if (ae_cert_time(X509_get0_notAfter(ca->cert), &na) < 0)
                return AE_CA_TTL_DEFAULT;
        ttl = (int64_t)na - (int64_t)ca->not_before - AE_SVID_BACKDATE_S;
        if (ttl < AE_CA_TTL_MIN)
                return AE_CA_TTL_MIN;
        if (ttl > AE_CA_TTL_MAX)
                return AE_CA_TTL_MAX;
        return ttl;
}

/* The new root first, then every old root still valid (the loaded bundle
 * holds only those), at most AE_CA_PEM_CERTS_MAX in all: the oldest go
 * first past that. */
static int new_bundle(X509 *root, STACK_OF(X509) *old, STACK_OF(X509) **ret)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *b = sk_X509_new_null();

        ENSURE_ALLOC(b);
        ENSURE(X509_add_cert(b, root, X509_ADD_FLAG_UP_REF) == 1, -ENOMEM);
        for (int i = 0; i < sk_X509_num(old) && sk_X509_num(b) < AE_CA_PEM_CERTS_MAX; i++)
                ENSURE(X509_add_cert(b, sk_X509_value(old, i),
                                     X509_ADD_FLAG_UP_REF | X509_ADD_FLAG_NO_DUP) == 1,
                       -ENOMEM);
        *ret = TAKE_PTR(b);
        return 0;
}

/* "retired/<serial hex>-key.pem" and "-cert.pem" for the CA being replaced. */
struct retired {
        int dfd;
        char key[96], cert[96];
        bool key_written, cert_written;
};

static int retire(int dfd, const struct ae_ca *ca, struct retired *rt)
{
        _cleanup_(BN_freep) BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(ca->cert), NULL);
        _cleanup_(openssl_strp) char *hex = NULL;
        _cleanup_free_ char *cert_pem = NULL;
        char *key_pem = NULL;
        size_t key_len = 0, cert_len = 0;
        int r;

        ENSURE_ALLOC(bn);
        hex = BN_bn2hex(bn);
        ENSURE_ALLOC(hex);
        ENSURE(strlen(hex) <= 64, -EINVAL);
        snprintf(rt->key, sizeof(rt->key), "%s-key.pem", hex);
        snprintf(rt->cert, sizeof(rt->cert), "%s-cert.pem", hex);
        if (mkdirat(dfd, AE_CA_RETIRED_DIR, 0700) < 0 && errno != EEXIST)
                return -errno;
        rt->dfd = openat(dfd, AE_CA_RETIRED_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        ENSURE(rt->dfd >= 0, -errno);
        GUARD(ae_ca_pem_write_cert(ca->cert, &cert_pem, &cert_len));
        GUARD(ae_ca_pem_write_key(ca->key, &key_pem, &key_len));
        r = ae_ca_file_write(rt->dfd, rt->key, key_pem, key_len, 0600, true);
        ae_ca_pem_free_secret(key_pem, key_len);
        GUARD(r);
        rt->key_written = true;
        GUARD(ae_ca_file_write(rt->dfd, rt->cert, cert_pem, cert_len, 0644, true));
        rt->cert_written = true;
        return 0;
}

static void retire_undo(struct retired *rt)
{
        if (rt->key_written)
                (void)unlinkat(rt->dfd, rt->key, 0);
        if (rt->cert_written)
                (void)unlinkat(rt->dfd, rt->cert, 0);
}

/* Remove retired pairs whose certificate has expired at now: the key can no
 * longer sign anything a relying party would accept. Best effort: a file
 * that does not read stays for a person to look at. */
static void prune_retired(int rdfd, time_t now)
{
        _cleanup_(closedirp) DIR *d = NULL;
        int fd = dup(rdfd);
        struct dirent *de;

        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                (void)close(fd);
                return;
        }
        while ((de = readdir(d))) {
                _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *certs = NULL;
                _cleanup_free_ uint8_t *pem = NULL;
                size_t len = 0, n = strlen(de->d_name);
                char key[NAME_MAX + 1];
                time_t na;

                if (n <= strlen("-cert.pem") || n >= sizeof(key) ||
                    strcmp(de->d_name + n - strlen("-cert.pem"), "-cert.pem") != 0)
                        continue;
                if (ae_ca_file_read(rdfd, de->d_name, AE_CA_PEM_MAX, &pem, &len) < 0 ||
                    ae_ca_pem_read_certs(pem, len, 1, &certs) < 0 ||
                    ae_cert_time(X509_get0_notAfter(sk_X509_value(certs, 0)), &na) < 0 ||
                    now <= na)
                        continue;
                memcpy(key, de->d_name, n - strlen("-cert.pem"));
                strcpy(key + n - strlen("-cert.pem"), "-key.pem");
                (void)unlinkat(rdfd, key, 0);
                (void)unlinkat(rdfd, de->d_name, 0);
        }
}

/* Install the new CA: bundle first (trusting a root before it signs is
 * safe), then key and certificate. A crash between the last two leaves a
 * key that does not match the certificate, which ae_ca_load refuses
 * (AE_SVID_CA_KEY_MISMATCH) rather than signing with the wrong pair; the
 * old pair is in retired/. */
static int publish(int dfd, const char *bundle, size_t bundle_len, const char *key,
                   size_t key_len, const char *cert, size_t cert_len, const uint8_t *old_bundle,
                   size_t old_bundle_len)
{
        int r;

        GUARD(ae_ca_file_write(dfd, AE_CA_BUNDLE_FILE, bundle, bundle_len, 0644, false));
        r = ae_ca_file_write(dfd, AE_CA_KEY_FILE, key, key_len, 0600, false);
        if (r == 0)
                r = ae_ca_file_write(dfd, AE_CA_CERT_FILE, cert, cert_len, 0644, false);
        if (r < 0) {
                /* Best effort: the old bundle back. If that fails too, the
                 * bundle merely trusts a root nothing was signed with. */
                int undo = ae_ca_file_write(dfd, AE_CA_BUNDLE_FILE, old_bundle, old_bundle_len,
                                            0644, false);

                (void)undo;
        }
        return r;
}

static int rotate_locked(int dfd, time_t now, enum ae_svid_reason *reason)
{
        _cleanup_(ae_ca_freep) struct ae_ca *old = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *root = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *bundle = NULL;
        _cleanup_free_ char *cert_pem = NULL, *bundle_pem = NULL;
        _cleanup_free_ uint8_t *old_bundle = NULL;
        struct retired rt = { .dfd = -1 };
        size_t key_len = 0, cert_len = 0, bundle_len = 0, old_bundle_len = 0;
        char *key_pem = NULL;
        int r;

        GUARD(ae_ca_read(dfd, now, false, &old, reason));
        if (!old->self_signed)
                return ae_svid_refuse(reason, AE_SVID_CA_ROTATE_UPSTREAM, -EOPNOTSUPP);

        r = ae_svid_key_generate(old->key_type, &key);
        if (r == 0)
                r = ae_ca_make_root(key, old->key_type, old->trust_domain, now, lifetime(old),
                                    &root);
        if (r == 0)
                r = new_bundle(root, old->bundle, &bundle);
        if (r == 0)
                r = ae_ca_pem_write_cert(root, &cert_pem, &cert_len);
        if (r == 0)
                r = ae_ca_pem_write_certs(bundle, &bundle_pem, &bundle_len);
        if (r == 0)
                r = ae_ca_file_read(dfd, AE_CA_BUNDLE_FILE, AE_CA_PEM_MAX, &old_bundle,
                                    &old_bundle_len);
        if (r == 0)
                r = ae_ca_pem_write_key(key, &key_pem, &key_len);
        if (r == 0)
                r = retire(dfd, old, &rt);
        if (r == 0) {
                r = publish(dfd, bundle_pem, bundle_len, key_pem, key_len, cert_pem, cert_len,
                            old_bundle, old_bundle_len);
                if (r < 0)
                        retire_undo(&rt);
        } else {
                retire_undo(&rt);
        }
        ae_ca_pem_free_secret(key_pem, key_len);
        if (r == 0)
                prune_retired(rt.dfd, now);
        if (rt.dfd >= 0)
                (void)close(rt.dfd);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

int ae_ca_rotate(const char *dir, time_t now, enum ae_svid_reason *reason)
{
        _cleanup_close_ int dfd = -1, lock = -1;
        int r;

        ENSURE(dir, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        r = ae_ca_dir_open(dir, false, &dfd, NULL);
        if (r == -ENOENT || r == -ENOTDIR)
                return ae_svid_refuse(reason, AE_SVID_CA_MISSING, -ENOENT);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        /* No key, no CA: refused before the lock file is made. */
        if (!ae_ca_file_exists(dfd, AE_CA_KEY_FILE))
                return ae_svid_refuse(reason, AE_SVID_CA_MISSING, -ENOENT);
        /* A directory without .lock gets one: rotation is a writer. */
        r = ae_ca_lock(dfd, true, &lock);
        if (r < 0)
                return ae_svid_refuse(reason, r == -EBUSY ? AE_SVID_CA_BUSY : AE_SVID_INTERNAL, r);
        return rotate_locked(dfd, now, reason);
}
