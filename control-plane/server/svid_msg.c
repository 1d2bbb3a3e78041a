#include "control-plane/server/svid_msg.h"

#include <errno.h>
#include <string.h>

#include <openssl/bn.h>

#include "common/cleanup.h"
#include "common/ossl.h"
#include "svid-issuer/x509_svid.h"

void ae_svid_msg_clear(struct ae_svid_msg *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < AE_SVID_MSG_CHAIN_MAX; i++)
                OPENSSL_free(m->chain[i].data);
        memset(m, 0, sizeof(*m));
}

int ae_svid_not_after(X509 *leaf, int64_t *ret)
{
        struct tm tm;

        ENSURE(ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) == 1, -EBADMSG);
        *ret = (int64_t)timegm(&tm);
        return 0;
}

int ae_svid_serial_hex(X509 *leaf, char *buf, size_t cap)
{
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), NULL);
        char *hex;
        int r = 0;

        ENSURE_ALLOC(bn);
        hex = BN_bn2hex(bn);
        BN_free(bn);
        ENSURE_ALLOC(hex);
        for (char *p = hex; *p; p++)
                if (*p >= 'A' && *p <= 'F')
                        *p = (char)(*p - 'A' + 'a');
        if (strlen(hex) >= cap)
                r = -ENOBUFS;
        else
                memcpy(buf, hex, strlen(hex) + 1);
        OPENSSL_free(hex);
        return r;
}

int ae_svid_msg_fill(struct ae_svid_msg *m, X509 *leaf, const struct ae_ca *ca,
                     const char *spiffe_id)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *chain = NULL;
        int n;

        ENSURE(m && leaf && ca && spiffe_id, -EINVAL);
        memset(m, 0, sizeof(*m));
        GUARD(ae_spiffe_id_parse(spiffe_id, strlen(spiffe_id), &m->parts, NULL));
        GUARD(ae_x509_svid_chain(leaf, ca, &chain));
        n = sk_X509_num(chain);
        ENSURE(n > 0 && n <= AE_SVID_MSG_CHAIN_MAX, -E2BIG);
        spire__api__types__x509_svid__init(&m->svid);
        spire__api__types__spiffeid__init(&m->id);
        for (int i = 0; i < n; i++) {
                unsigned char *der = NULL;
                int len = i2d_X509(sk_X509_value(chain, i), &der);

                if (len <= 0) {
                        ae_svid_msg_clear(m);
                        return -ENOMEM;
                }
                m->chain[i] = (ProtobufCBinaryData){ .len = (size_t)len, .data = der };
        }
        if (ae_svid_not_after(leaf, &m->svid.expires_at) < 0) {
                ae_svid_msg_clear(m);
                return -EBADMSG;
        }
        m->id.trust_domain = m->parts.trust_domain;
        m->id.path = m->parts.path;
        m->svid.id = &m->id;
        m->svid.n_cert_chain = (size_t)n;
        m->svid.cert_chain = m->chain;
        return 0;
}
