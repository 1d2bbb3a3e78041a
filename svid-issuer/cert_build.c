#include "svid-issuer/cert_build.h"

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/ossl.h"

AE_DEFINE_CLEANUP(BASIC_CONSTRAINTS *, BASIC_CONSTRAINTS_free)
AE_DEFINE_CLEANUP(ASN1_BIT_STRING *, ASN1_BIT_STRING_free)
AE_DEFINE_CLEANUP(EXTENDED_KEY_USAGE *, EXTENDED_KEY_USAGE_free)
AE_DEFINE_CLEANUP(GENERAL_NAMES *, GENERAL_NAMES_free)
AE_DEFINE_CLEANUP(GENERAL_NAME *, GENERAL_NAME_free)
AE_DEFINE_CLEANUP(AUTHORITY_KEYID *, AUTHORITY_KEYID_free)

int ae_cert_set_random_serial(X509 *x)
{
        _cleanup_(BN_freep) BIGNUM *bn = NULL;
        uint8_t raw[AE_CERT_SERIAL_BYTES];

        ENSURE(x, -EINVAL);
        /* A zero serial is not allowed (RFC 5280 4.1.2.2); with 128 random
         * bits the loop runs once. */
        do {
                ENSURE_OSSL(RAND_bytes(raw, sizeof(raw)));
                BN_free(bn);
                bn = BN_bin2bn(raw, sizeof(raw), NULL);
                ENSURE_ALLOC(bn);
        } while (BN_is_zero(bn));
        /* X509_get_serialNumber gives the certificate's own INTEGER. */
        ENSURE(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL, -ENOMEM);
        return 0;
}

int ae_cert_name(const char *cn, const char *sn, X509_NAME **ret)
{
        _cleanup_(X509_NAME_freep) X509_NAME *name = X509_NAME_new();

        ENSURE(ret, -EINVAL);
        ENSURE_ALLOC(name);
        ENSURE_OSSL(X509_NAME_add_entry_by_NID(name, NID_organizationName, MBSTRING_ASC,
                                               (const unsigned char *)"Aegis", -1, -1, 0));
        if (cn)
                ENSURE_OSSL(X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_ASC,
                                                       (const unsigned char *)cn, -1, -1, 0));
        if (sn)
                ENSURE_OSSL(X509_NAME_add_entry_by_NID(name, NID_serialNumber, MBSTRING_ASC,
                                                       (const unsigned char *)sn, -1, -1, 0));
        *ret = TAKE_PTR(name);
        return 0;
}

int ae_cert_set_validity(X509 *x, time_t not_before, time_t not_after)
{
        ENSURE(x, -EINVAL);
        ENSURE(not_after >= not_before, -ERANGE);
        /* ASN1_TIME_set picks UTCTime before 2050 and GeneralizedTime from
         * then on, as RFC 5280 4.1.2.5 requires. */
        ENSURE(ASN1_TIME_set(X509_getm_notBefore(x), not_before) != NULL, -ERANGE);
        ENSURE(ASN1_TIME_set(X509_getm_notAfter(x), not_after) != NULL, -ERANGE);
        return 0;
}

int ae_cert_time(const ASN1_TIME *t, time_t *ret)
{
        struct tm tm;
        time_t v;

        ENSURE(t && ret, -EINVAL);
        memset(&tm, 0, sizeof(tm));
        ENSURE(ASN1_TIME_to_tm(t, &tm) == 1, -EINVAL);
        /* -1 is also 1969-12-31T23:59:59, a time no certificate here has. */
        v = timegm(&tm);
        ENSURE(v != (time_t)-1, -EINVAL);
        *ret = v;
        return 0;
}

/* Encode value as extension nid; i2d by the extension's own method. */
static int ext_from(int nid, bool critical, void *value, X509_EXTENSION **ret)
{
        X509_EXTENSION *ext = X509V3_EXT_i2d(nid, critical ? 1 : 0, value);

        ENSURE(ext, -ENOMEM);
        *ret = ext;
        return 0;
}

int ae_ext_basic_constraints(bool ca, X509_EXTENSION **ret)
{
        _cleanup_(BASIC_CONSTRAINTS_freep) BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();

        ENSURE(ret, -EINVAL);
        ENSURE_ALLOC(bc);
        /* cA=FALSE is DER's default and so encoded by omission; no
         * pathLenConstraint: SPIFFE leaves the depth to the operator. */
        bc->ca = ca ? 0xff : 0;
        return ext_from(NID_basic_constraints, true, bc, ret);
}

/* X509v3_KU_* are masks as OpenSSL reads the BIT STRING back;
 * ASN1_BIT_STRING_set_bit counts from the first octet's top bit, the
 * numbering of RFC 5280 4.2.1.3 (digitalSignature = 0). */
static const struct {
        unsigned mask;
        int bit;
} ku_bits[] = {
        { X509v3_KU_DIGITAL_SIGNATURE, 0 }, { X509v3_KU_NON_REPUDIATION, 1 },
        { X509v3_KU_KEY_ENCIPHERMENT, 2 },  { X509v3_KU_DATA_ENCIPHERMENT, 3 },
        { X509v3_KU_KEY_AGREEMENT, 4 },     { X509v3_KU_KEY_CERT_SIGN, 5 },
        { X509v3_KU_CRL_SIGN, 6 },
};

int ae_ext_key_usage(unsigned ku, X509_EXTENSION **ret)
{
        _cleanup_(ASN1_BIT_STRING_freep) ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();

        ENSURE(ret && ku != 0, -EINVAL);
        ENSURE_ALLOC(bits);
        for (size_t i = 0; i < sizeof(ku_bits) / sizeof(ku_bits[0]); i++)
                if (ku & ku_bits[i].mask)
                        ENSURE_OSSL(ASN1_BIT_STRING_set_bit(bits, ku_bits[i].bit, 1));
        return ext_from(NID_key_usage, true, bits, ret);
}

int ae_ext_eku_tls(X509_EXTENSION **ret)
{
        _cleanup_(EXTENDED_KEY_USAGE_freep) EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();

        ENSURE(ret, -EINVAL);
        ENSURE_ALLOC(eku);
        /* OBJ_nid2obj returns static objects: pushing them is free of
         * ownership (ASN1_OBJECT_free ignores them). */
        ENSURE(sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) > 0, -ENOMEM);
        ENSURE(sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_client_auth)) > 0, -ENOMEM);
        return ext_from(NID_ext_key_usage, false, eku, ret);
}

int ae_ext_uri_san(const char *uri, bool critical, X509_EXTENSION **ret)
{
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *names = GENERAL_NAMES_new();
        _cleanup_(GENERAL_NAME_freep) GENERAL_NAME *gn = GENERAL_NAME_new();
        ASN1_IA5STRING *ia5;

        ENSURE(uri && ret, -EINVAL);
        ENSURE(names && gn, -ENOMEM);
        ia5 = ASN1_IA5STRING_new();
        ENSURE_ALLOC(ia5);
        if (ASN1_STRING_set(ia5, uri, (int)strlen(uri)) != 1) {
                ASN1_IA5STRING_free(ia5);
                return -ENOMEM;
        }
        GENERAL_NAME_set0_value(gn, GEN_URI, ia5);
        ENSURE(sk_GENERAL_NAME_push(names, gn) > 0, -ENOMEM);
        gn = NULL; /* owned by names now */
        return ext_from(NID_subject_alt_name, critical, names, ret);
}

int ae_cert_key_id(const X509 *x, struct ae_cert_key_id *ret)
{
        unsigned len = 0;

        ENSURE(x && ret, -EINVAL);
        ENSURE_OSSL(X509_pubkey_digest(x, EVP_sha1(), ret->id, &len));
        ENSURE(len == 20, -EIO);
        ret->len = len;
        return 0;
}

int ae_cert_subject_key_id(X509 *x, struct ae_cert_key_id *ret)
{
        const ASN1_OCTET_STRING *ski;

        ENSURE(x && ret, -EINVAL);
        ski = X509_get0_subject_key_id(x);
        if (ski && ASN1_STRING_length(ski) > 0 && ASN1_STRING_length(ski) <= AE_CERT_KEY_ID_MAX) {
                ret->len = (size_t)ASN1_STRING_length(ski);
                memcpy(ret->id, ASN1_STRING_get0_data(ski), ret->len);
                return 0;
        }
        return ae_cert_key_id(x, ret);
}

int ae_ext_ski(const struct ae_cert_key_id *id, X509_EXTENSION **ret)
{
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();

        ENSURE(id && id->len > 0 && id->len <= AE_CERT_KEY_ID_MAX && ret, -EINVAL);
        ENSURE_ALLOC(os);
        ENSURE_OSSL(ASN1_OCTET_STRING_set(os, id->id, (int)id->len));
        return ext_from(NID_subject_key_identifier, false, os, ret);
}

int ae_ext_aki(const struct ae_cert_key_id *id, X509_EXTENSION **ret)
{
        _cleanup_(AUTHORITY_KEYID_freep) AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();

        ENSURE(id && id->len > 0 && id->len <= AE_CERT_KEY_ID_MAX && ret, -EINVAL);
        ENSURE_ALLOC(aki);
        aki->keyid = ASN1_OCTET_STRING_new();
        ENSURE_ALLOC(aki->keyid);
        ENSURE_OSSL(ASN1_OCTET_STRING_set(aki->keyid, id->id, (int)id->len));
        return ext_from(NID_authority_key_identifier, false, aki, ret);
}

int ae_cert_add_ext(X509 *x, X509_EXTENSION **ext)
{
        _cleanup_(X509_EXTENSION_freep) X509_EXTENSION *e = TAKE_PTR(*ext);

        ENSURE(x && e, -EINVAL);
        ENSURE_OSSL(X509_add_ext(x, e, -1));
        return 0;
}

int ae_cert_sign(X509 *x, EVP_PKEY *key, const EVP_MD *md)
{
        ENSURE(x && key && md, -EINVAL);
        ENSURE(X509_set_version(x, X509_VERSION_3) == 1, -EIO);
        ENSURE(X509_sign(x, key, md) > 0, -EIO);
        return 0;
}
