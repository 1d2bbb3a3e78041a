#include "node-attestor/verify/ek_san.h"

#include <ctype.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "common/cleanup.h"

AE_DEFINE_CLEANUP(GENERAL_NAMES *, GENERAL_NAMES_free)
AE_DEFINE_CLEANUP(ASN1_OBJECT *, ASN1_OBJECT_free)

static int parse_vendor_id(const ASN1_STRING *value, char ret_id[AE_TPM_MANUFACTURER_SIZE])
{
        const unsigned char *p = ASN1_STRING_get0_data(value);
        int len = ASN1_STRING_length(value);

        ENSURE(p && len == 11 && memcmp(p, "id:", 3) == 0, -EBADMSG);
        for (int i = 3; i < 11; i++)
                ENSURE(isxdigit(p[i]), -EBADMSG);
        for (int i = 0; i < 8; i++)
                ret_id[i] = (char)toupper(p[3 + i]);
        ret_id[8] = '\0';
        return 0;
}

int ae_ek_cert_tpm_manufacturer(const X509 *cert, char ret_id[AE_TPM_MANUFACTURER_SIZE])
{
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *names = NULL;
        _cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *oid = OBJ_txt2obj("2.23.133.2.1", 1);

        ENSURE(cert && ret_id, -EINVAL);
        ENSURE_ALLOC(oid);
        names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
        ENSURE(names, -ENOENT);
        for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
                int at;

                if (gn->type != GEN_DIRNAME)
                        continue;
                at = X509_NAME_get_index_by_OBJ(gn->d.directoryName, oid, -1);
                if (at >= 0)
                        return parse_vendor_id(
                                X509_NAME_ENTRY_get_data(
                                        X509_NAME_get_entry(gn->d.directoryName, at)),
                                ret_id);
        }
        return -ENOENT;
}
