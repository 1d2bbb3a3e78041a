#include "svid-issuer/rp_pem.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "common/file.h"
#include "common/ossl.h"

static int why(const char **ret_why, const char *text, int err)
{
        if (ret_why)
                *ret_why = text;
        return err;
}

static void openssl_freep(unsigned char **p)
{
        OPENSSL_free(*p);
}

static void openssl_free_strp(char **p)
{
        OPENSSL_free(*p);
}

/* The next PEM block of bio: 1 and a certificate, 0 at the end, or an
 * error for anything else (another block type, bad base64, bad DER). */
static int next_cert(BIO *bio, X509 **ret, const char **ret_why)
{
        _cleanup_(openssl_free_strp) char *name = NULL, *header = NULL;
        _cleanup_(openssl_freep) unsigned char *data = NULL;
        const unsigned char *p;
        long len = 0;
        X509 *x;

        if (PEM_read_bio(bio, &name, &header, &data, &len) != 1) {
                unsigned long e = ERR_peek_last_error();
                bool end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
                ERR_clear_error();
                return end ? 0 : why(ret_why, "malformed PEM block", -EBADMSG);
        }
        if (strcmp(name, PEM_STRING_X509) != 0)
                return why(ret_why, "PEM block is not a CERTIFICATE", -EBADMSG);
        /* Encrypted or annotated blocks have no place here. */
        if (header && header[0])
                return why(ret_why, "PEM block has headers", -EBADMSG);
        p = data;
        x = d2i_X509(NULL, &p, len);
        if (!x || p != data + len) {
                X509_free(x);
                ERR_clear_error();
                return why(ret_why, "certificate DER malformed", -EBADMSG);
        }
        *ret = x;
        return 1;
}

int ae_rp_pem_certs(const char *pem, size_t len, STACK_OF(X509) **ret, const char **ret_why)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *certs = NULL;
        _cleanup_(BIO_free_allp) BIO *bio = NULL;
        X509 *x = NULL;
        int r;

        ENSURE((pem || len == 0) && ret, why(ret_why, "no text", -EINVAL));
        ENSURE(len <= AE_RP_PEM_MAX, why(ret_why, "PEM text over the size limit", -E2BIG));
        ENSURE(len > 0, why(ret_why, "no certificate", -EBADMSG));
        certs = sk_X509_new_null();
        bio = BIO_new_mem_buf(pem, (int)len);
        ENSURE(certs && bio, why(ret_why, "out of memory", -ENOMEM));
        while ((r = next_cert(bio, &x, ret_why)) == 1) {
                if (sk_X509_num(certs) >= AE_RP_PEM_CERTS_MAX) {
                        X509_free(x);
                        return why(ret_why, "too many certificates", -E2BIG);
                }
                if (!sk_X509_push(certs, x)) {
                        X509_free(x);
                        return why(ret_why, "out of memory", -ENOMEM);
                }
        }
        GUARD(r);
        ENSURE(sk_X509_num(certs) > 0, why(ret_why, "no certificate", -EBADMSG));
        *ret = TAKE_PTR(certs);
        return 0;
}

int ae_rp_pem_file_certs(const char *path, STACK_OF(X509) **ret, const char **ret_why)
{
        _cleanup_free_ uint8_t *data = NULL;
        size_t len = 0;
        int r;

        ENSURE(path && ret, why(ret_why, "no path", -EINVAL));
        r = ae_file_read(path, AE_RP_PEM_MAX, &data, &len);
        if (r == -EFBIG)
                return why(ret_why, "PEM file over the size limit", -E2BIG);
        if (r < 0)
                return why(ret_why, "cannot read the PEM file", r);
        return ae_rp_pem_certs((const char *)data, len, ret, ret_why);
}
