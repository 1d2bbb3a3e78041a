#include "svid-issuer/x509_svid.h"

#include <stdbool.h>
#include <string.h>

#include "common/ossl.h"
#include "common/spiffe_id.h"
#include "svid-issuer/ca_files.h"
#include "svid-issuer/ca_pem.h"
#include "svid-issuer/ca_private.h"
#include "svid-issuer/cert_build.h"
#include "svid-issuer/claims.h"

/* A host name: LDH labels of 1..63 bytes, not starting or ending with a
 * hyphen, at most AE_X509_SVID_DNS_NAME_MAX bytes; "*." may lead. */
static bool dns_name_valid(const char *name)
{
        size_t len = name ? strnlen(name, AE_X509_SVID_DNS_NAME_MAX + 1) : 0, label = 0;

        if (len == 0 || len > AE_X509_SVID_DNS_NAME_MAX)
                return false;
        if (strncmp(name, "*.", 2) == 0)
                name += 2;
        for (const char *p = name;; p++) {
                char c = *p;

                if (c == '.' || c == '\0') {
                        if (label == 0 || p[-1] == '-')
                                return false;
                        if (c == '\0')
                                return true;
                        label = 0;
                        continue;
                }
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      (c == '-' && label > 0)))
                        return false;
                if (++label > 63)
                        return false;
        }
}

/* The request, judged before anything is built: the first rule broken. */
static int check_request(const struct ae_ca *ca, const struct ae_x509_svid_request *req,
                         enum ae_ca_key_type *key_type, int64_t *ttl,
                         enum ae_svid_reason *reason)
{
        struct ae_spiffe_id id;
        enum ae_svid_reason why;
        size_t len;

        len = req->spiffe_id ? strnlen(req->spiffe_id, AE_SPIFFE_ID_MAX + 1) : 0;
        if (len == 0 || ae_spiffe_id_parse(req->spiffe_id, len, &id, NULL) < 0)
                return ae_svid_refuse(reason, AE_SVID_ID_INVALID, -EINVAL);
        /* A leaf's SPIFFE ID has a path (X509-SVID 3.1). */
        if (id.path[0] == '\0')
                return ae_svid_refuse(reason, AE_SVID_ID_NO_PATH, -EINVAL);
        if (!ae_spiffe_id_in_trust_domain(&id, ca->trust_domain))
                return ae_svid_refuse(reason, AE_SVID_ID_FOREIGN_TRUST_DOMAIN, -EINVAL);
        if (req->n_dns_names > AE_X509_SVID_DNS_NAMES_MAX || (req->n_dns_names && !req->dns_names))
                return ae_svid_refuse(reason, AE_SVID_DNS_NAME_INVALID, -EINVAL);
        for (size_t i = 0; i < req->n_dns_names; i++)
                if (!dns_name_valid(req->dns_names[i]))
                        return ae_svid_refuse(reason, AE_SVID_DNS_NAME_INVALID, -EINVAL);
        if (!req->public_key || ae_svid_key_classify(req->public_key, key_type) < 0)
                return ae_svid_refuse(reason, AE_SVID_KEY_UNSUPPORTED, -EOPNOTSUPP);
        *ttl = req->ttl_s == 0 ? AE_X509_SVID_TTL_DEFAULT : req->ttl_s;
        if (*ttl < 0 || *ttl > AE_X509_SVID_TTL_MAX)
                return ae_svid_refuse(reason, AE_SVID_TTL_INVALID, -EINVAL);
        if (req->claims) {
                if (ae_claims_validate(req->claims, &why) < 0)
                        return ae_svid_refuse(reason, why, -EINVAL);
                /* Both are canonical SPIFFE IDs: equal bytes, equal identity. */
                if (strcmp(req->claims->workload.workload_id, req->spiffe_id) != 0)
                        return ae_svid_refuse(reason, AE_SVID_CLAIMS_ID_MISMATCH, -EINVAL);
        }
        return 0;
}

static int build(const struct ae_ca *ca, const struct ae_x509_svid_request *req,
                 enum ae_ca_key_type key_type, time_t not_before, time_t not_after, X509 **ret)
{
        _cleanup_(X509_freep) X509 *x = X509_new();
        X509_EXTENSION *claims = NULL;
        struct ae_cert_key_id ski;
        unsigned ku = X509v3_KU_DIGITAL_SIGNATURE;

        ENSURE_ALLOC(x);
        GUARD(ae_cert_set_random_serial(x));
        ENSURE_OSSL(X509_set_subject_name(x, ca->leaf_subject));
        ENSURE_OSSL(X509_set_issuer_name(x, X509_get_subject_name(ca->cert)));
        GUARD(ae_cert_set_validity(x, not_before, not_after));
        GUARD(ae_cert_set_pubkey_as(x, req->public_key, key_type));
        GUARD(ae_cert_key_id(x, &ski));

        /* RSA keys may also encrypt a TLS 1.2 key exchange (X509-SVID 4.3
         * allows keyEncipherment on leaves); EC keys only sign. */
        if (key_type == AE_CA_KEY_RSA2048)
                ku |= X509v3_KU_KEY_ENCIPHERMENT;
        GUARD(ae_cert_add_basic_constraints(x, false));
        GUARD(ae_cert_add_key_usage(x, ku));
        GUARD(ae_cert_add_eku_tls(x));
        GUARD(ae_cert_add_sans(x, req->spiffe_id, req->dns_names, req->n_dns_names, false));
        GUARD(ae_cert_add_ski(x, &ski));
        GUARD(ae_cert_add_aki(x, &ca->key_id));
        if (req->claims) {
                GUARD(ae_claims_to_extension(req->claims, &claims));
                GUARD(ae_cert_add_ext(x, &claims));
        }
        GUARD(ae_cert_sign_tbs(x, ca->signer, ca->sig_alg));
        *ret = TAKE_PTR(x);
        return 0;
}

int ae_x509_svid_mint(const struct ae_ca *ca, const struct ae_x509_svid_request *req, time_t now,
                      X509 **ret, enum ae_svid_reason *reason)
{
        enum ae_ca_key_type key_type;
        time_t not_before, not_after;
        int64_t ttl;
        int r;

        ENSURE(ca && req && ret, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        GUARD(check_request(ca, req, &key_type, &ttl, reason));
        if (now < ca->not_before)
                return ae_svid_refuse(reason, AE_SVID_CA_NOT_YET_VALID, -EKEYEXPIRED);
        if (now > ca->not_after)
                return ae_svid_refuse(reason, AE_SVID_CA_EXPIRED, -EKEYEXPIRED);

        /* Backdated for peers whose clock runs behind, but never before the
         * CA itself; never past the CA's path either (ttl is bounded, so
         * the sum cannot overflow). */
        not_before = now - AE_SVID_BACKDATE_S;
        if (not_before < ca->not_before)
                not_before = ca->not_before;
        not_after = now + (time_t)ttl;
        if (not_after > ca->not_after)
                not_after = ca->not_after;

        r = build(ca, req, key_type, not_before, not_after, ret);
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_INTERNAL, r);
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

/* The leaf, then what a peer needs to reach a root from it: the signing
 * certificate unless it is the root, then the intermediates. */
int ae_x509_svid_chain(X509 *leaf, const struct ae_ca *ca, STACK_OF(X509) **ret)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *s = sk_X509_new_null();

        ENSURE_ALLOC(s);
        ENSURE(X509_add_cert(s, leaf, X509_ADD_FLAG_UP_REF) == 1, -ENOMEM);
        if (!ca->self_signed) {
                ENSURE(X509_add_cert(s, ca->cert, X509_ADD_FLAG_UP_REF) == 1, -ENOMEM);
                ENSURE(X509_add_certs(s, ca->chain, X509_ADD_FLAG_UP_REF) == 1, -ENOMEM);
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int ae_x509_svid_write_files(const char *cert_path, const char *key_path, X509 *leaf,
                             EVP_PKEY *key, const struct ae_ca *ca)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *chain = NULL;
        _cleanup_free_ char *cert_pem = NULL;
        char *key_pem = NULL;
        size_t cert_len = 0, key_len = 0;
        EVP_PKEY *pub;
        int r;

        ENSURE(cert_path && leaf && ca, -EINVAL);
        ENSURE(!key_path == !key, -EINVAL);
        if (key) {
                pub = X509_get0_pubkey(leaf);
                ENSURE(pub && EVP_PKEY_eq(pub, key) == 1, -EINVAL);
        }
        GUARD(ae_x509_svid_chain(leaf, ca, &chain));
        GUARD(ae_ca_pem_write_certs(chain, &cert_pem, &cert_len));
        /* The key first: a reader that sees the new certificate finds the
         * key it belongs to (the pair is not replaced as one). */
        if (key) {
                GUARD(ae_ca_pem_write_key(key, &key_pem, &key_len));
                r = ae_ca_path_write(key_path, key_pem, key_len, 0600);
                ae_ca_pem_free_secret(key_pem, key_len);
                GUARD(r);
        }
        return ae_ca_path_write(cert_path, cert_pem, cert_len, 0644);
}
