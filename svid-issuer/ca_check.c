#include "svid-issuer/ca_check.h"

#include <string.h>

#include <openssl/err.h>

#include "common/ossl.h"
#include "svid-issuer/ca_private.h"
#include "svid-issuer/cert_build.h"

AE_DEFINE_CLEANUP(GENERAL_NAMES *, GENERAL_NAMES_free)

int ae_ca_names_trust_domain(const GENERAL_NAMES *names, char td[AE_TRUST_DOMAIN_MAX + 1],
                             enum ae_svid_reason *reason)
{
        struct ae_spiffe_id id;
        const ASN1_IA5STRING *uri = NULL;

        if (!names)
                return ae_svid_refuse(reason, AE_SVID_CA_NO_SPIFFE_ID, -EPROTO);
        for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

                if (gn->type != GEN_URI)
                        continue;
                /* X509-SVID section 2: exactly one URI SAN. */
                if (uri)
                        return ae_svid_refuse(reason, AE_SVID_CA_NO_SPIFFE_ID, -EPROTO);
                uri = gn->d.uniformResourceIdentifier;
        }
        if (!uri || ae_spiffe_id_parse((const char *)ASN1_STRING_get0_data(uri),
                                       (size_t)ASN1_STRING_length(uri), &id, NULL) < 0)
                return ae_svid_refuse(reason, AE_SVID_CA_NO_SPIFFE_ID, -EPROTO);
        /* A signing certificate's SPIFFE ID has no path (section 3.2). */
        if (id.path[0] != '\0')
                return ae_svid_refuse(reason, AE_SVID_CA_NO_SPIFFE_ID, -EPROTO);
        memcpy(td, id.trust_domain, sizeof(id.trust_domain));
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

int ae_ca_check_signing_cert(X509 *cert, char td[AE_TRUST_DOMAIN_MAX + 1],
                             enum ae_svid_reason *reason)
{
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *names = NULL;
        uint32_t flags;
        int crit = 0;

        ENSURE(cert && td, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        /* OpenSSL decodes the extensions once and flags any that do not
         * parse, or appear twice, as invalid. */
        flags = X509_get_extension_flags(cert);
        ERR_clear_error();
        if (flags & EXFLAG_INVALID)
                return ae_svid_refuse(reason, AE_SVID_CA_CERT_MALFORMED, -EBADMSG);
        if (!(flags & EXFLAG_CA) || !(flags & EXFLAG_KUSAGE) ||
            !(X509_get_key_usage(cert) & KU_KEY_CERT_SIGN))
                return ae_svid_refuse(reason, AE_SVID_CA_NOT_CA, -EPROTO);
        names = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);
        ERR_clear_error();
        return ae_ca_names_trust_domain(names, td, reason);
}

int ae_ca_check_key(X509 *cert, EVP_PKEY *key, enum ae_ca_key_type *ret_type,
                    enum ae_svid_reason *reason)
{
        enum ae_ca_key_type type;
        EVP_PKEY *pub;

        ENSURE(cert && key && ret_type, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        if (ae_svid_key_classify(key, &type) < 0)
                return ae_svid_refuse(reason, AE_SVID_CA_KEY_UNSUPPORTED, -EOPNOTSUPP);
        pub = X509_get0_pubkey(cert);
        ERR_clear_error();
        if (!pub || EVP_PKEY_eq(pub, key) != 1) {
                ERR_clear_error();
                return ae_svid_refuse(reason, AE_SVID_CA_KEY_MISMATCH, -EPROTO);
        }
        *ret_type = type;
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

int ae_ca_check_validity(const X509 *cert, time_t now, enum ae_svid_reason *reason)
{
        time_t nb, na;

        ENSURE(cert, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        if (ae_cert_time(X509_get0_notBefore(cert), &nb) < 0 ||
            ae_cert_time(X509_get0_notAfter(cert), &na) < 0)
                return ae_svid_refuse(reason, AE_SVID_CA_CERT_MALFORMED, -EBADMSG);
        /* Both bounds are inclusive (RFC 5280 4.1.2.5). */
        if (now < nb)
                return ae_svid_refuse(reason, AE_SVID_CA_NOT_YET_VALID, -EKEYEXPIRED);
        if (now > na)
                return ae_svid_refuse(reason, AE_SVID_CA_EXPIRED, -EKEYEXPIRED);
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

bool ae_ca_is_root(X509 *x)
{
        bool r = X509_self_signed(x, 1) == 1;

        ERR_clear_error();
        return r;
}

static enum ae_svid_reason verify_reason(int err)
{
        switch (err) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
                return AE_SVID_CA_EXPIRED;
        case X509_V_ERR_CERT_NOT_YET_VALID:
                return AE_SVID_CA_NOT_YET_VALID;
        default:
                return AE_SVID_CA_CHAIN_MISMATCH;
        }
}

int ae_ca_check_chain(X509 *cert, STACK_OF(X509) *file, time_t now, bool check_time,
                      STACK_OF(X509) **ret_intermediates, X509 **ret_root,
                      enum ae_svid_reason *reason)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *ints = NULL;
        _cleanup_(X509_STORE_freep) X509_STORE *store = NULL;
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
        X509_VERIFY_PARAM *param;
        int n, r = -1, ok;
        X509 *root;

        ENSURE(cert && file && ret_intermediates && ret_root,
               ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        n = sk_X509_num(file);
        for (int i = 0; i < n && r < 0; i++)
                if (ae_ca_is_root(sk_X509_value(file, i)))
                        r = i;
        if (r < 0)
                return ae_svid_refuse(reason, AE_SVID_CA_CHAIN_NO_ROOT, -EPROTO);
        if (r != n - 1)
                return ae_svid_refuse(reason, AE_SVID_CA_CHAIN_MALFORMED, -EBADMSG);
        root = sk_X509_value(file, r);

        ints = sk_X509_new_null();
        store = X509_STORE_new();
        ctx = X509_STORE_CTX_new();
        ENSURE(ints && store && ctx, ae_svid_refuse(reason, AE_SVID_INTERNAL, -ENOMEM));
        for (int i = 0; i < r; i++)
                ENSURE(X509_add_cert(ints, sk_X509_value(file, i), X509_ADD_FLAG_UP_REF) == 1,
                       ae_svid_refuse(reason, AE_SVID_INTERNAL, -ENOMEM));
        ENSURE(X509_STORE_add_cert(store, root) == 1,
               ae_svid_refuse(reason, AE_SVID_INTERNAL, -ENOMEM));
        ENSURE(X509_STORE_CTX_init(ctx, store, cert, ints) == 1,
               ae_svid_refuse(reason, AE_SVID_INTERNAL, -ENOMEM));
        param = X509_STORE_CTX_get0_param(ctx);
        if (check_time)
                X509_VERIFY_PARAM_set_time(param, now);
        else
                X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
        ok = X509_verify_cert(ctx);
        ERR_clear_error();
        if (ok != 1) {
                enum ae_svid_reason why = verify_reason(X509_STORE_CTX_get_error(ctx));

                return ae_svid_refuse(reason, why,
                                      why == AE_SVID_CA_CHAIN_MISMATCH ? -EPROTO : -EKEYEXPIRED);
        }
        /* Every certificate of the file on the path, none left over: what
         * svid.pem will carry is exactly the path a peer needs. */
        if (sk_X509_num(X509_STORE_CTX_get0_chain(ctx)) != r + 2)
                return ae_svid_refuse(reason, AE_SVID_CA_CHAIN_MISMATCH, -EPROTO);
        ENSURE(X509_up_ref(root) == 1, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EIO));
        *ret_root = root;
        *ret_intermediates = TAKE_PTR(ints);
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}

int ae_ca_check_bundle(STACK_OF(X509) *bundle, X509 *root, time_t now,
                       STACK_OF(X509) **ret_valid, enum ae_svid_reason *reason)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *valid = NULL;
        bool found = false;

        ENSURE(bundle && root && ret_valid, ae_svid_refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        valid = sk_X509_new_null();
        ENSURE(valid, ae_svid_refuse(reason, AE_SVID_INTERNAL, -ENOMEM));
        for (int i = 0; i < sk_X509_num(bundle); i++) {
                X509 *x = sk_X509_value(bundle, i);
                time_t na;

                if (!ae_ca_is_root(x) || !(X509_get_extension_flags(x) & EXFLAG_CA) ||
                    ae_cert_time(X509_get0_notAfter(x), &na) < 0) {
                        ERR_clear_error();
                        return ae_svid_refuse(reason, AE_SVID_CA_BUNDLE_MALFORMED, -EBADMSG);
                }
                if (X509_cmp(x, root) == 0)
                        found = true;
                if (now <= na)
                        ENSURE(X509_add_cert(valid, x, X509_ADD_FLAG_UP_REF) == 1,
                               ae_svid_refuse(reason, AE_SVID_INTERNAL, -ENOMEM));
        }
        if (!found)
                return ae_svid_refuse(reason, AE_SVID_CA_NOT_IN_BUNDLE, -EPROTO);
        *ret_valid = TAKE_PTR(valid);
        return ae_svid_refuse(reason, AE_SVID_OK, 0);
}
