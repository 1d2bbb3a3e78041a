#include "svid-issuer/ca_pem.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "common/ossl.h"

/* OpenSSL allocations from PEM_read_bio. */
static void openssl_freep(void *p)
{
        OPENSSL_free(*(void **)p);
}

/* One PEM block: 1 and its parts, 0 at the end of the input, -EBADMSG for a
 * block that does not decode. */
static int next_block(BIO *bio, char **name, char **header, uint8_t **data, long *len)
{
        unsigned long err;

        ERR_set_mark();
        if (PEM_read_bio(bio, name, header, data, len) == 1) {
                ERR_pop_to_mark();
                return 1;
        }
        err = ERR_peek_last_error();
        ERR_pop_to_mark();
        /* No further "-----BEGIN" line: a clean end. */
        if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE)
                return 0;
        return -EBADMSG;
}

int ae_ca_pem_read_certs(const uint8_t *pem, size_t len, size_t max, STACK_OF(X509) **ret)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *certs = NULL;
        _cleanup_(BIO_free_allp) BIO *bio = NULL;

        ENSURE(pem && ret && max > 0, -EINVAL);
        ENSURE(len > 0 && len <= AE_CA_PEM_MAX, -EBADMSG);
        bio = BIO_new_mem_buf(pem, (int)len);
        certs = sk_X509_new_null();
        ENSURE(bio && certs, -ENOMEM);
        for (;;) {
                _cleanup_(openssl_freep) char *name = NULL;
                _cleanup_(openssl_freep) char *header = NULL;
                _cleanup_(openssl_freep) uint8_t *data = NULL;
                const uint8_t *p;
                long dlen = 0;
                X509 *x;
                int r;

                r = next_block(bio, &name, &header, &data, &dlen);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                ENSURE(strcmp(name, PEM_STRING_X509) == 0, -EBADMSG);
                ENSURE(header[0] == '\0', -EBADMSG);
                ENSURE((size_t)sk_X509_num(certs) < max, -EBADMSG);
                p = data;
                x = d2i_X509(NULL, &p, dlen);
                ENSURE(x, -EBADMSG);
                if (p != data + dlen || sk_X509_push(certs, x) <= 0) {
                        X509_free(x);
                        return -EBADMSG;
                }
        }
        ENSURE(sk_X509_num(certs) > 0, -EBADMSG);
        ERR_clear_error();
        *ret = TAKE_PTR(certs);
        return 0;
}

/* Never ask for a passphrase (OpenSSL's default would prompt on the
 * terminal): an encrypted key simply fails to load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
        (void)buf;
        (void)size;
        (void)rwflag;
        (void)u;
        return -1;
}

int ae_ca_pem_read_key(const uint8_t *pem, size_t len, EVP_PKEY **ret)
{
        _cleanup_(BIO_free_allp) BIO *bio = NULL;
        EVP_PKEY *key;

        ENSURE(pem && ret, -EINVAL);
        ENSURE(len > 0 && len <= AE_CA_KEY_PEM_MAX, -EBADMSG);
        bio = BIO_new_mem_buf(pem, (int)len);
        ENSURE_ALLOC(bio);
        key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
        ERR_clear_error();
        ENSURE(key, -EBADMSG);
        *ret = key;
        return 0;
}

/* Copy a memory BIO's contents into a malloc'd, NUL-terminated buffer. */
static int bio_take(BIO *bio, char **ret, size_t *ret_len)
{
        char *mem = NULL, *out;
        long n = BIO_get_mem_data(bio, &mem);

        ENSURE(n > 0 && mem, -EIO);
        out = malloc((size_t)n + 1);
        ENSURE_ALLOC(out);
        memcpy(out, mem, (size_t)n);
        out[n] = '\0';
        *ret = out;
        *ret_len = (size_t)n;
        return 0;
}

int ae_ca_pem_write_certs(STACK_OF(X509) *certs, char **ret, size_t *ret_len)
{
        _cleanup_(BIO_free_allp) BIO *bio = BIO_new(BIO_s_mem());

        ENSURE(certs && ret && ret_len, -EINVAL);
        ENSURE_ALLOC(bio);
        ENSURE(sk_X509_num(certs) > 0, -EINVAL);
        for (int i = 0; i < sk_X509_num(certs); i++)
                ENSURE_OSSL(PEM_write_bio_X509(bio, sk_X509_value(certs, i)));
        return bio_take(bio, ret, ret_len);
}

int ae_ca_pem_write_cert(X509 *cert, char **ret, size_t *ret_len)
{
        _cleanup_(BIO_free_allp) BIO *bio = BIO_new(BIO_s_mem());

        ENSURE(cert && ret && ret_len, -EINVAL);
        ENSURE_ALLOC(bio);
        ENSURE_OSSL(PEM_write_bio_X509(bio, cert));
        return bio_take(bio, ret, ret_len);
}

int ae_ca_pem_write_key(EVP_PKEY *key, char **ret, size_t *ret_len)
{
        /* The secure-heap BIO wipes the key text when it is freed. */
        _cleanup_(BIO_free_allp) BIO *bio = BIO_new(BIO_s_secmem());

        ENSURE(key && ret && ret_len, -EINVAL);
        ENSURE_ALLOC(bio);
        /* PEM_write_bio_PrivateKey writes PKCS#8 ("PRIVATE KEY"). */
        ENSURE_OSSL(PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL));
        return bio_take(bio, ret, ret_len);
}

void ae_ca_pem_free_secret(char *buf, size_t len)
{
        if (!buf)
                return;
        OPENSSL_cleanse(buf, len);
        free(buf);
}
