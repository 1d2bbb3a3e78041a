#include "svid-issuer/cert_build.h"

#include <pthread.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>

#include "common/ossl.h"

AE_DEFINE_CLEANUP(ASN1_BIT_STRING *, ASN1_BIT_STRING_free)
AE_DEFINE_CLEANUP(EXTENDED_KEY_USAGE *, EXTENDED_KEY_USAGE_free)
AE_DEFINE_CLEANUP(GENERAL_NAMES *, GENERAL_NAMES_free)
AE_DEFINE_CLEANUP(GENERAL_NAME *, GENERAL_NAME_free)

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

/* Encode value as extension nid straight into x. X509_add_ext would copy a
 * finished X509_EXTENSION once more (an encode and a decode per extension,
 * a measurable share of a mint); appending skips the search for a previous
 * one, which the builders never leave. */
static int add_i2d(X509 *x, int nid, bool critical, void *value)
{
        ENSURE(x, -EINVAL);
        ENSURE(X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_APPEND) == 1,
               -ENOMEM);
        return 0;
}

int ae_cert_add_basic_constraints(X509 *x, bool ca)
{
        /* cA=FALSE is DER's default and so encoded by omission; no
         * pathLenConstraint: SPIFFE leaves the depth to the operator. */
        BASIC_CONSTRAINTS bc = { .ca = ca ? 0xff : 0, .pathlen = NULL };

        return add_i2d(x, NID_basic_constraints, true, &bc);
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

int ae_cert_add_key_usage(X509 *x, unsigned ku)
{
        _cleanup_(ASN1_BIT_STRING_freep) ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();

        ENSURE(ku != 0, -EINVAL);
        ENSURE_ALLOC(bits);
        for (size_t i = 0; i < sizeof(ku_bits) / sizeof(ku_bits[0]); i++)
                if (ku & ku_bits[i].mask)
                        ENSURE_OSSL(ASN1_BIT_STRING_set_bit(bits, ku_bits[i].bit, 1));
        return add_i2d(x, NID_key_usage, true, bits);
}

int ae_cert_add_eku_tls(X509 *x)
{
        _cleanup_(EXTENDED_KEY_USAGE_freep) EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();

        ENSURE_ALLOC(eku);
        /* OBJ_nid2obj returns static objects: pushing them is free of
         * ownership (ASN1_OBJECT_free ignores them). */
        ENSURE(sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) > 0, -ENOMEM);
        ENSURE(sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_client_auth)) > 0, -ENOMEM);
        return add_i2d(x, NID_ext_key_usage, false, eku);
}

/* One IA5String general name of type (GEN_URI, GEN_DNS) appended to names. */
static int push_ia5_name(GENERAL_NAMES *names, int type, const char *text)
{
        _cleanup_(GENERAL_NAME_freep) GENERAL_NAME *gn = GENERAL_NAME_new();
        ASN1_IA5STRING *ia5;

        ENSURE(text, -EINVAL);
        ENSURE(gn, -ENOMEM);
        ia5 = ASN1_IA5STRING_new();
        ENSURE_ALLOC(ia5);
        if (ASN1_STRING_set(ia5, text, (int)strlen(text)) != 1) {
                ASN1_IA5STRING_free(ia5);
                return -ENOMEM;
        }
        GENERAL_NAME_set0_value(gn, type, ia5);
        ENSURE(sk_GENERAL_NAME_push(names, gn) > 0, -ENOMEM);
        gn = NULL; /* owned by names now */
        return 0;
}

int ae_cert_add_sans(X509 *x, const char *uri, const char *const *dns, size_t n, bool critical)
{
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *names = GENERAL_NAMES_new();

        ENSURE(names, -ENOMEM);
        ENSURE(n == 0 || dns, -EINVAL);
        GUARD(push_ia5_name(names, GEN_URI, uri));
        for (size_t i = 0; i < n; i++)
                GUARD(push_ia5_name(names, GEN_DNS, dns[i]));
        return add_i2d(x, NID_subject_alt_name, critical, names);
}

int ae_cert_add_uri_san(X509 *x, const char *uri, bool critical)
{
        return ae_cert_add_sans(x, uri, NULL, 0, critical);
}

/* SHA-1 fetched once: EVP_sha1() is looked up in the provider store on
 * every digest. Never freed; threads only read it. */
static EVP_MD *sha1;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;

static void sha1_init(void)
{
        sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
}

int ae_cert_key_id(const X509 *x, struct ae_cert_key_id *ret)
{
        const ASN1_BIT_STRING *key;
        unsigned len = 0;

        ENSURE(x && ret, -EINVAL);
        ENSURE(pthread_once(&sha1_once, sha1_init) == 0 && sha1, -EIO);
        /* What X509_pubkey_digest hashes: the subjectPublicKey's value. */
        key = X509_get0_pubkey_bitstr(x);
        ENSURE(key, -EINVAL);
        ENSURE_OSSL(EVP_Digest(ASN1_STRING_get0_data(key), (size_t)ASN1_STRING_length(key), ret->id,
                               &len, sha1, NULL));
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

static bool key_id_valid(const struct ae_cert_key_id *id)
{
        return id && id->len > 0 && id->len <= AE_CERT_KEY_ID_MAX;
}

int ae_cert_add_ski(X509 *x, const struct ae_cert_key_id *id)
{
        /* An OCTET STRING over the caller's bytes: encoded, not kept. */
        ASN1_OCTET_STRING os = { 0 };

        ENSURE(key_id_valid(id), -EINVAL);
        os.type = V_ASN1_OCTET_STRING;
        os.length = (int)id->len;
        os.data = (unsigned char *)id->id;
        return add_i2d(x, NID_subject_key_identifier, false, &os);
}

int ae_cert_add_aki(X509 *x, const struct ae_cert_key_id *id)
{
        ASN1_OCTET_STRING os = { 0 };
        AUTHORITY_KEYID aki = { 0 };

        ENSURE(key_id_valid(id), -EINVAL);
        os.type = V_ASN1_OCTET_STRING;
        os.length = (int)id->len;
        os.data = (unsigned char *)id->id;
        aki.keyid = &os;
        return add_i2d(x, NID_authority_key_identifier, false, &aki);
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

int ae_cert_signer(EVP_PKEY *key, const EVP_MD *md, EVP_MD_CTX **ret)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();

        ENSURE(key && md && ret, -EINVAL);
        ENSURE_ALLOC(ctx);
        ENSURE_OSSL(EVP_DigestSignInit(ctx, NULL, md, NULL, key));
        *ret = TAKE_PTR(ctx);
        return 0;
}

int ae_cert_sign_with(X509 *x, const EVP_MD_CTX *signer)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();

        ENSURE(x && signer, -EINVAL);
        ENSURE_ALLOC(ctx);
        ENSURE_OSSL(EVP_MD_CTX_copy_ex(ctx, signer));
        ENSURE(X509_set_version(x, X509_VERSION_3) == 1, -EIO);
        ENSURE(X509_sign_ctx(x, ctx) > 0, -EIO);
        return 0;
}
