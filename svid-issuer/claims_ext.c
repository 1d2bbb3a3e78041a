/* The claims as an X.509 extension: the DER UTF8String wrapping on the way
 * out, both accepted forms on the way in (claims.h). */
#include "svid-issuer/claims.h"

#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "common/ossl.h"

#define DER_UTF8STRING 0x0c

AE_DEFINE_CLEANUP(ASN1_OBJECT *, ASN1_OBJECT_free)

/* Tag, definite length in the fewest octets (DER), then the text. JSON of
 * at most AE_CLAIMS_MAX bytes needs at most a two-octet long form. */
static size_t der_utf8string(const char *text, size_t len, uint8_t *out)
{
        size_t h = 0;

        out[h++] = DER_UTF8STRING;
        if (len < 0x80) {
                out[h++] = (uint8_t)len;
        } else if (len <= 0xff) {
                out[h++] = 0x81;
                out[h++] = (uint8_t)len;
        } else {
                out[h++] = 0x82;
                out[h++] = (uint8_t)(len >> 8);
                out[h++] = (uint8_t)len;
        }
        memcpy(out + h, text, len);
        return h + len;
}

int ae_claims_to_extension(const struct ae_claims *c, X509_EXTENSION **ret)
{
        _cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *oid = NULL;
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *value = NULL;
        char json[AE_CLAIMS_MAX + 1];
        uint8_t der[AE_CLAIMS_MAX + 4];
        X509_EXTENSION *ext;
        size_t len, der_len;

        ENSURE(c && ret, -EINVAL);
        GUARD(ae_claims_encode(c, json, sizeof(json), &len));
        der_len = der_utf8string(json, len, der);
        oid = OBJ_txt2obj(AE_CLAIMS_OID, 1);
        value = ASN1_OCTET_STRING_new();
        ENSURE(oid && value, -ENOMEM);
        ENSURE_OSSL(ASN1_OCTET_STRING_set(value, der, (int)der_len));
        /* Non-critical: a relying party that does not know the claims must
         * still accept the SVID as a plain SPIFFE identity. */
        ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, value);
        ENSURE_ALLOC(ext);
        *ret = ext;
        return 0;
}

static int refuse(enum ae_svid_reason *reason, enum ae_svid_reason r, int err)
{
        if (reason)
                *reason = r;
        return err;
}

int ae_claims_decode_extension(const uint8_t *value, size_t len, struct ae_claims *ret,
                               enum ae_svid_reason *reason)
{
        size_t body, h;

        ENSURE((value || len == 0) && ret, refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        /* JSON text never starts with 0x0c (form feed is not JSON
         * whitespace): anything else is the raw form. */
        if (len == 0 || value[0] != DER_UTF8STRING)
                return ae_claims_decode_explain((const char *)value, len, ret, reason);
        /* A header of at most four octets: anything longer is over the limit
         * whatever it says. */
        if (len > AE_CLAIMS_MAX + 4)
                return refuse(reason, AE_SVID_CLAIMS_TOO_LARGE, -EMSGSIZE);
        if (len >= 2 && value[1] < 0x80) {
                body = value[1];
                h = 2;
        } else if (len >= 3 && value[1] == 0x81 && value[2] >= 0x80) {
                body = value[2];
                h = 3;
        } else if (len >= 4 && value[1] == 0x82 && value[2] != 0) {
                body = (size_t)value[2] << 8 | value[3];
                h = 4;
        } else {
                /* Truncated, indefinite, or a length not in the fewest
                 * octets: not DER. */
                return refuse(reason, AE_SVID_CLAIMS_EXT_ENCODING, -EBADMSG);
        }
        /* Exactly one UTF8String and nothing after it. */
        if (body != len - h)
                return refuse(reason, AE_SVID_CLAIMS_EXT_ENCODING, -EBADMSG);
        return ae_claims_decode_explain((const char *)value + h, body, ret, reason);
}

int ae_claims_from_cert_explain(const X509 *cert, struct ae_claims *ret, bool *ret_present,
                                enum ae_svid_reason *reason)
{
        _cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *oid = NULL;
        const ASN1_OCTET_STRING *value;
        struct ae_claims c;
        int idx;

        ENSURE(cert && ret && ret_present, refuse(reason, AE_SVID_INTERNAL, -EINVAL));
        oid = OBJ_txt2obj(AE_CLAIMS_OID, 1);
        ENSURE(oid, refuse(reason, AE_SVID_INTERNAL, -ENOMEM));
        idx = X509_get_ext_by_OBJ(cert, oid, -1);
        if (idx < 0) {
                *ret_present = false;
                return refuse(reason, AE_SVID_OK, 0);
        }
        /* Two copies could say two things; RFC 5280 forbids repeating an
         * extension, and so do we. */
        if (X509_get_ext_by_OBJ(cert, oid, idx) >= 0)
                return refuse(reason, AE_SVID_CLAIMS_EXT_DUPLICATE, -EBADMSG);
        value = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
        ENSURE(value, refuse(reason, AE_SVID_CLAIMS_EXT_ENCODING, -EBADMSG));
        GUARD(ae_claims_decode_extension(ASN1_STRING_get0_data(value),
                                         (size_t)ASN1_STRING_length(value), &c, reason));
        *ret = c;
        *ret_present = true;
        return 0;
}

int ae_claims_from_cert(const X509 *cert, struct ae_claims *ret, bool *ret_present)
{
        return ae_claims_from_cert_explain(cert, ret, ret_present, NULL);
}
