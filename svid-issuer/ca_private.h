/* What a loaded CA holds, shared by the files of the CA module and the
 * minting code. Internal to svid-issuer/. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/x509.h>

#include "common/spiffe_id.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/cert_build.h"

struct ae_ca {
        char trust_domain[AE_TRUST_DOMAIN_MAX + 1];
        enum ae_ca_key_type key_type;
        const EVP_MD *md; /* the digest the key signs with */
        EVP_PKEY *key;
        X509 *cert;
        X509 *root;             /* cert itself (one more reference) when self-signed */
        STACK_OF(X509) *chain;  /* intermediates above cert, root excluded */
        STACK_OF(X509) *bundle; /* roots not expired at load */
        bool self_signed;
        time_t not_before;       /* cert's notBefore */
        time_t not_after;        /* earliest notAfter from cert up to root */
        struct ae_cert_key_id key_id; /* cert's subject key id: the leaves' AKI */
        X509_NAME *leaf_subject;      /* O=Aegis, made once for every leaf */
        EVP_MD_CTX *signer;           /* key and md set up once (ae_cert_signer) */
        X509_ALGOR *sig_alg;          /* signer's AlgorithmIdentifier (ae_cert_signer_alg) */
};

/* Record why in *reason (may be NULL) and return err. */
static inline int ae_svid_refuse(enum ae_svid_reason *reason, enum ae_svid_reason why, int err)
{
        if (reason)
                *reason = why;
        return err;
}

/* Read the CA in dfd (the locking is the caller's). check_time false skips
 * every validity-period check: ae_ca_rotate replaces an expired CA. */
AE_MUST_USE int ae_ca_read(int dfd, time_t now, bool check_time, struct ae_ca **ret,
                           enum ae_svid_reason *reason);

/* dfd's ca-key.pem: AE_SVID_CA_MISSING, AE_SVID_CA_KEY_MODE,
 * AE_SVID_CA_KEY_MALFORMED (type is not judged here). */
AE_MUST_USE int ae_ca_read_key(int dfd, EVP_PKEY **ret, enum ae_svid_reason *reason);

/* A new self-signed root for td with key: serial random, subject
 * O=Aegis, CN=Aegis CA, serialNumber=<serial in hex>; valid from now -
 * AE_SVID_BACKDATE_S to now + ttl_s. */
AE_MUST_USE int ae_ca_make_root(EVP_PKEY *key, enum ae_ca_key_type type, const char *td,
                                time_t now, int64_t ttl_s, X509 **ret);

/* opt's trust domain (AE_SVID_CA_TRUST_DOMAIN), key type and, when need_ttl,
 * lifetime (AE_SVID_CA_OPTIONS); -EINVAL. *ret_ttl (may be NULL) gets the
 * lifetime with 0 read as the default. */
AE_MUST_USE int ae_ca_check_options(const struct ae_ca_options *opt, bool need_ttl,
                                    int64_t *ret_ttl, enum ae_svid_reason *reason);

/* A directory getting a new CA (ae_ca_init, ae_ca_csr): opened (made 0700
 * if missing), holding no CA file (AE_SVID_CA_EXISTS), locked
 * (AE_SVID_CA_BUSY). Files written through it are removed again if the
 * whole does not succeed, and so are the lock and the directory when they
 * were made here. */
#define AE_CA_NEW_DIR_FILES_MAX 4
struct ae_ca_new_dir {
        int dfd, lock;
        bool created;
        size_t n_written;
        const char *written[AE_CA_NEW_DIR_FILES_MAX];
};
AE_MUST_USE int ae_ca_new_dir_open(const char *dir, struct ae_ca_new_dir *nd,
                                   enum ae_svid_reason *reason);
/* ae_ca_file_write into the new directory (name must be a string literal:
 * it is remembered). -EEXIST is AE_SVID_CA_EXISTS. */
AE_MUST_USE int ae_ca_new_dir_write(struct ae_ca_new_dir *nd, const char *name, const void *data,
                                    size_t len, mode_t mode, bool exclusive,
                                    enum ae_svid_reason *reason);
/* Close; with ok false, undo what was written (see above). */
void ae_ca_new_dir_close(struct ae_ca_new_dir *nd, const char *dir, bool ok);
