#include "node-attestor/verify/ek_trust.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "common/file.h"
#include "common/ossl.h"
#include "node-attestor/verify/ek_parse.h"

struct ae_ek_trust {
        X509_STORE *anchors;
        STACK_OF(X509) *intermediates;
        size_t n_anchors;
};

void ae_ek_trust_free(struct ae_ek_trust *trust)
{
        if (!trust)
                return;
        X509_STORE_free(trust->anchors);
        sk_X509_pop_free(trust->intermediates, X509_free);
        free(trust);
}

void ae_ek_trust_counts(const struct ae_ek_trust *trust, size_t *ret_anchors,
                        size_t *ret_intermediates)
{
        if (ret_anchors)
                *ret_anchors = trust ? trust->n_anchors : 0;
        if (ret_intermediates)
                *ret_intermediates = trust ? (size_t)sk_X509_num(trust->intermediates) : 0;
}

/* PEM_read_bio_X509 returns NULL both at the end of the input and for a
 * broken block; only "no start line" on the error queue means the end. */
static bool pem_at_end(void)
{
        unsigned long e = ERR_peek_last_error();

        return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

static int add_cert(struct ae_ek_trust *trust, X509 *cert)
{
        /* Verify the self-signature too: a self-issued certificate that does
         * not verify must not become an anchor. -1 means the key does not
         * decode; such a certificate would make chain building fail with an
         * internal error later, for every EK checked against this bundle. */
        int self = X509_self_signed(cert, 1);

        ENSURE(self >= 0, -EBADMSG);
        if (self) {
                ENSURE_OSSL(X509_STORE_add_cert(trust->anchors, cert));
                trust->n_anchors++;
                return 0;
        }
        ENSURE(X509_up_ref(cert) == 1, -EIO);
        if (sk_X509_push(trust->intermediates, cert) <= 0) {
                X509_free(cert);
                return -ENOMEM;
        }
        return 0;
}

int ae_ek_trust_load_pem(const void *pem, size_t len, struct ae_ek_trust **ret)
{
        _cleanup_ek_trust_ struct ae_ek_trust *trust = NULL;
        _cleanup_(BIO_free_allp) BIO *bio = NULL;
        size_t n = 0;

        ENSURE(ret && (pem || len == 0), -EINVAL);
        ENSURE(len <= AE_EK_TRUST_BUNDLE_MAX, -EFBIG);

        trust = calloc(1, sizeof(*trust));
        ENSURE_ALLOC(trust);
        trust->anchors = X509_STORE_new();
        trust->intermediates = sk_X509_new_null();
        ENSURE_ALLOC(trust->anchors);
        ENSURE_ALLOC(trust->intermediates);

        bio = BIO_new_mem_buf(pem ? pem : "", (int)len);
        ENSURE_ALLOC(bio);

        ERR_clear_error();
        for (;;) {
                _cleanup_(X509_freep) X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);

                if (!cert) {
                        bool end = pem_at_end();

                        ERR_clear_error();
                        ENSURE(end, -EBADMSG);
                        break;
                }
                ENSURE(++n <= AE_EK_TRUST_CERTS_MAX, -E2BIG);
                GUARD(add_cert(trust, cert));
        }
        ENSURE(n > 0, -ENODATA);
        ENSURE(trust->n_anchors > 0, -ENOKEY);

        *ret = TAKE_PTR(trust);
        return 0;
}

int ae_ek_trust_load_file(const char *path, struct ae_ek_trust **ret)
{
        _cleanup_free_ uint8_t *pem = NULL;
        size_t len;

        ENSURE(path && ret, -EINVAL);
        GUARD(ae_file_read(path, AE_EK_TRUST_BUNDLE_MAX, &pem, &len));
        return ae_ek_trust_load_pem(pem, len, ret);
}

/* X509_verify_cert's error, as the reason an operator can act on. */
static enum ae_ek_reason reason_of(int verify_error)
{
        switch (verify_error) {
        case X509_V_OK:
                return AE_EK_OK;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_CERT_UNTRUSTED:
        case X509_V_ERR_CERT_REJECTED:
                return AE_EK_UNTRUSTED;
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
                return AE_EK_SIGNATURE_INVALID;
        case X509_V_ERR_CERT_HAS_EXPIRED:
                return AE_EK_EXPIRED;
        case X509_V_ERR_CERT_NOT_YET_VALID:
                return AE_EK_NOT_YET_VALID;
        case X509_V_ERR_INVALID_CA:
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
                return AE_EK_ISSUER_NOT_CA;
        case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
        case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
                return AE_EK_MALFORMED;
        default:
                /* Path length, unhandled critical extensions, name
                 * constraints, ...: still a rejection, never a pass. */
                return AE_EK_CHAIN_INVALID;
        }
}

/* X509_verify_cert returned -1: it could not finish. Out of memory is ours
 * to report; anything else was brought about by the certificate (OpenSSL
 * reports some malformed input this way) and is a rejection like any other,
 * so 0 here means "reject", never "accept". */
static int verify_failure(void)
{
        unsigned long e;
        bool oom = false;

        while ((e = ERR_get_error()) != 0)
                if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
                        oom = true;
        return oom ? -ENOMEM : 0;
}

int ae_ek_trust_check_chain(const struct ae_ek_trust *trust, const uint8_t *der, size_t len,
                            time_t now, enum ae_ek_reason *ret_reason)
{
        return ae_ek_trust_check_chain_anchor(trust, der, len, now, ret_reason, NULL);
}

static int asn1_time(const ASN1_TIME *t, time_t *ret)
{
        struct tm tm;

        ENSURE(t && ASN1_TIME_to_tm(t, &tm) == 1, -EBADMSG);
        *ret = timegm(&tm);
        return 0;
}

/* The verified path: its anchor (the manufacturer root the EK chained to,
 * named by the SHA-256 of its DER) and the window in which every
 * certificate on it is valid. */
static int chain_info(X509_STORE_CTX *ctx, struct ae_ek_chain_info *ret)
{
        STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
        unsigned len = 0;
        int n;

        ENSURE(chain && (n = sk_X509_num(chain)) > 0, -EIO);
        ENSURE_OSSL(X509_digest(sk_X509_value(chain, n - 1), EVP_sha256(), ret->anchor_id, &len));
        ENSURE(len == 32, -EIO);
        ret->not_before = 0;
        ret->not_after = (time_t)INT64_MAX;
        for (int i = 0; i < n; i++) {
                X509 *x = sk_X509_value(chain, i);
                time_t nb, na;

                GUARD(asn1_time(X509_get0_notBefore(x), &nb));
                GUARD(asn1_time(X509_get0_notAfter(x), &na));
                if (nb > ret->not_before)
                        ret->not_before = nb;
                if (na < ret->not_after)
                        ret->not_after = na;
        }
        return 0;
}

int ae_ek_trust_check_chain_anchor(const struct ae_ek_trust *trust, const uint8_t *der,
                                   size_t len, time_t now, enum ae_ek_reason *ret_reason,
                                   uint8_t *ret_anchor_id)
{
        _cleanup_(X509_freep) X509 *cert = NULL;
        struct ae_ek_chain_info info;
        int r;

        ENSURE(trust && ret_reason && (der || len == 0), -EINVAL);

        r = ae_ek_cert_parse(der, len, &cert);
        if (r == -EMSGSIZE) {
                *ret_reason = AE_EK_TOO_LARGE;
                return 0;
        }
        if (r == -EBADMSG) {
                *ret_reason = AE_EK_MALFORMED;
                return 0;
        }
        GUARD(r);
        GUARD(ae_ek_trust_check_cert(trust, cert, now, ret_reason, &info));
        if (*ret_reason == AE_EK_OK && ret_anchor_id)
                memcpy(ret_anchor_id, info.anchor_id, sizeof(info.anchor_id));
        return 0;
}

int ae_ek_trust_check_cert(const struct ae_ek_trust *trust, X509 *cert, time_t now,
                           enum ae_ek_reason *ret_reason, struct ae_ek_chain_info *ret_info)
{
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
        enum ae_ek_reason reason;
        int r;

        ENSURE(trust && cert && ret_reason, -EINVAL);
        ctx = X509_STORE_CTX_new();
        ENSURE_ALLOC(ctx);
        ENSURE_OSSL(X509_STORE_CTX_init(ctx, trust->anchors, cert, trust->intermediates));
        /* Sets X509_V_FLAG_USE_CHECK_TIME: validity is judged at now. */
        X509_STORE_CTX_set_time(ctx, 0, now);

        r = X509_verify_cert(ctx);
        if (r < 0)
                GUARD(verify_failure());
        reason = r == 1 ? AE_EK_OK : reason_of(X509_STORE_CTX_get_error(ctx));
        /* A failed verify must not come out as OK, whatever error it left. */
        if (r != 1 && reason == AE_EK_OK)
                reason = AE_EK_CHAIN_INVALID;
        if (reason == AE_EK_OK && ret_info)
                GUARD(chain_info(ctx, ret_info));
        ERR_clear_error();
        *ret_reason = reason;
        return 0;
}
