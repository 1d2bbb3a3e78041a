#include "svid-issuer/rp_leaf.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/cleanup.h"

static void general_names_free(GENERAL_NAMES *names)
{
        GENERAL_NAMES_free(names);
}
AE_DEFINE_CLEANUP(GENERAL_NAMES *, general_names_free)

static int refuse(enum ae_rp_reason *reason, enum ae_rp_reason r)
{
        if (reason)
                *reason = r;
        return r == AE_RP_OK ? 0 : -EACCES;
}

int ae_rp_cert_spiffe_id(X509 *cert, struct ae_spiffe_id *ret_id, enum ae_rp_reason *reason,
                         enum ae_spiffe_id_error *ret_id_error)
{
        _cleanup_(general_names_freep) GENERAL_NAMES *names = NULL;
        const ASN1_IA5STRING *uri = NULL;
        struct ae_spiffe_id id;
        size_t n_uris = 0;
        int crit = -1;

        if (ret_id_error)
                *ret_id_error = AE_SPIFFE_ID_OK;
        if (!cert || !ret_id) {
                refuse(reason, AE_RP_INTERNAL);
                return -EINVAL;
        }
        /* OpenSSL marks a certificate whose standard extensions it cannot
         * decode (or that repeats one) as invalid. */
        if (X509_get_extension_flags(cert) & EXFLAG_INVALID)
                return refuse(reason, AE_RP_LEAF_MALFORMED);
        names = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);
        if (!names) {
                /* crit -1: no SAN at all; otherwise it is there but broken
                 * (-2: twice). */
                return refuse(reason, crit == -1 ? AE_RP_LEAF_NO_URI_SAN : AE_RP_LEAF_MALFORMED);
        }
        for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
                if (gn->type == GEN_URI) {
                        n_uris++;
                        uri = gn->d.uniformResourceIdentifier;
                }
        }
        if (n_uris == 0)
                return refuse(reason, AE_RP_LEAF_NO_URI_SAN);
        if (n_uris > 1)
                return refuse(reason, AE_RP_LEAF_URI_SANS);
        if (ae_spiffe_id_parse((const char *)ASN1_STRING_get0_data(uri),
                               (size_t)ASN1_STRING_length(uri), &id, ret_id_error) < 0)
                return refuse(reason, AE_RP_LEAF_ID_INVALID);
        *ret_id = id;
        return refuse(reason, AE_RP_OK);
}

int ae_rp_leaf_check(X509 *leaf, struct ae_spiffe_id *ret_id, enum ae_rp_reason *reason,
                     enum ae_spiffe_id_error *ret_id_error)
{
        struct ae_spiffe_id id;
        uint32_t flags, ku;

        GUARD(ae_rp_cert_spiffe_id(leaf, &id, reason, ret_id_error));
        if (!id.path[0])
                return refuse(reason, AE_RP_LEAF_ID_NO_PATH);
        flags = X509_get_extension_flags(leaf);
        if (flags & EXFLAG_CA)
                return refuse(reason, AE_RP_LEAF_IS_CA);
        if (!(flags & EXFLAG_KUSAGE))
                return refuse(reason, AE_RP_LEAF_NO_KEY_USAGE);
        /* Present once (EXFLAG_INVALID refused a repeat), so the first is it. */
        if (X509_EXTENSION_get_critical(
                    X509_get_ext(leaf, X509_get_ext_by_NID(leaf, NID_key_usage, -1))) != 1)
                return refuse(reason, AE_RP_LEAF_KEY_USAGE_NOT_CRITICAL);
        ku = X509_get_key_usage(leaf);
        if (!(ku & KU_DIGITAL_SIGNATURE))
                return refuse(reason, AE_RP_LEAF_NO_DIGITAL_SIGNATURE);
        if (ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN))
                return refuse(reason, AE_RP_LEAF_CERT_SIGN);
        *ret_id = id;
        return refuse(reason, AE_RP_OK);
}
