#include "svid-issuer/rp_workload_api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/cleanup.h"
#include "common/ossl.h"
#include "spiffe/workload.pb-c.h"
#include "svid-issuer/rp_bundle.h"

static int why(const char **ret_why, const char *text, int r)
{
        if (ret_why)
                *ret_why = text;
        return r;
}

static void x509_stack_freep(STACK_OF(X509) **p)
{
        sk_X509_pop_free(*p, X509_free);
}

void ae_rp_workload_svid_clear(struct ae_rp_workload_svid *s)
{
        if (!s)
                return;
        X509_free(s->leaf);
        sk_X509_pop_free(s->intermediates, X509_free);
        EVP_PKEY_free(s->key);
        ae_rp_bundle_unref(s->bundle);
        memset(s, 0, sizeof(*s));
}

/* The certificates of a concatenation of DER certificates, none left out:
 * every byte belongs to one. */
static int der_chain(const ProtobufCBinaryData *der, STACK_OF(X509) **ret)
{
        _cleanup_(x509_stack_freep) STACK_OF(X509) *chain = NULL;
        const unsigned char *p = der->data, *end;

        /* protobuf-c gives an empty field as NULL, 0. */
        ENSURE(der->data && der->len > 0, -EBADMSG);
        end = p + der->len;
        chain = sk_X509_new_null();
        ENSURE_ALLOC(chain);
        while (p < end) {
                X509 *x;

                ENSURE(sk_X509_num(chain) < AE_RP_WORKLOAD_CHAIN_MAX, -E2BIG);
                x = d2i_X509(NULL, &p, (long)(end - p));
                ENSURE(x, -EBADMSG);
                if (!sk_X509_push(chain, x)) {
                        X509_free(x);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(chain);
        return 0;
}

/* Roots of the trust domain that SPIFFE ID or name td_or_id names. */
static int add_roots(struct ae_rp_bundle *b, const char *td_or_id, const ProtobufCBinaryData *der,
                     const char **ret_why)
{
        _cleanup_(x509_stack_freep) STACK_OF(X509) *roots = NULL;
        struct ae_spiffe_id id;
        const char *td = td_or_id;
        int r;

        if (strncmp(td_or_id, AE_SPIFFE_SCHEME_PREFIX, strlen(AE_SPIFFE_SCHEME_PREFIX)) == 0) {
                ENSURE(ae_spiffe_id_parse(td_or_id, strlen(td_or_id), &id, NULL) == 0,
                       why(ret_why, "a federated bundle's key is not a trust domain", -EBADMSG));
                td = id.trust_domain;
        }
        r = der_chain(der, &roots);
        if (r < 0)
                return why(ret_why, "a bundle is not DER certificates", r);
        return ae_rp_bundle_add_roots(b, td, roots, ret_why);
}

int ae_rp_workload_svid_decode(const X509SVIDResponse *m, struct ae_rp_workload_svid *ret,
                               const char **ret_why)
{
        _cleanup_(x509_stack_freep) STACK_OF(X509) *chain = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *bundle = NULL;
        struct ae_rp_workload_svid out = { 0 };
        const X509SVID *s;
        const unsigned char *p;
        struct ae_spiffe_id id;
        int r;

        ENSURE(m && ret, -EINVAL);
        ENSURE(m->n_svids > 0 && m->svids[0], why(ret_why, "the response holds no SVID", -EBADMSG));
        s = m->svids[0];
        ENSURE(s->spiffe_id && ae_spiffe_id_parse(s->spiffe_id, strlen(s->spiffe_id), &id, NULL) == 0,
               why(ret_why, "the SVID's SPIFFE ID is invalid", -EBADMSG));
        r = der_chain(&s->x509_svid, &chain);
        if (r < 0)
                return why(ret_why, "the SVID's chain is not DER certificates", r);
        p = s->x509_svid_key.data;
        key = d2i_AutoPrivateKey(NULL, &p, (long)s->x509_svid_key.len);
        ENSURE(key && p == s->x509_svid_key.data + s->x509_svid_key.len,
               why(ret_why, "the SVID's key is not a DER private key", -EBADMSG));
        ENSURE(X509_check_private_key(sk_X509_value(chain, 0), key) == 1,
               why(ret_why, "the SVID's key is not its certificate's", -EBADMSG));
        GUARD(ae_rp_bundle_new(&bundle));
        GUARD(add_roots(bundle, id.trust_domain, &s->bundle, ret_why));
        for (size_t i = 0; i < m->n_federated_bundles; i++) {
                const X509SVIDResponse__FederatedBundlesEntry *e = m->federated_bundles[i];

                ENSURE(e && e->key, why(ret_why, "a federated bundle has no key", -EBADMSG));
                GUARD(add_roots(bundle, e->key, &e->value, ret_why));
        }
        GUARD(ae_spiffe_id_format(&id, out.spiffe_id, sizeof(out.spiffe_id), NULL));
        out.leaf = sk_X509_shift(chain);
        out.intermediates = TAKE_PTR(chain);
        out.key = TAKE_PTR(key);
        out.bundle = TAKE_PTR(bundle);
        *ret = out;
        return 0;
}

/* The socket path in SPIFFE_ENDPOINT_SOCKET ("unix:///path", "unix:/path"). */
static const char *endpoint_socket(void)
{
        const char *v = getenv("SPIFFE_ENDPOINT_SOCKET");

        if (!v)
                return NULL;
        if (strncmp(v, "unix://", 7) == 0)
                return v + 7;
        if (strncmp(v, "unix:", 5) == 0)
                return v + 5;
        return NULL;
}

int ae_rp_workload_fetch(const char *socket_path, uint32_t timeout_ms,
                         struct ae_rp_workload_svid *ret, struct ae_grpc_status *ret_status,
                         const char **ret_why)
{
        static const struct ae_grpc_md md[] = { { "workload.spiffe.io", "true" } };
        const struct ae_grpc_call_opts opts = { .md = md, .n_md = 1, .timeout_ms = timeout_ms };
        _cleanup_(ae_grpc_client_freep) struct ae_grpc_client *c = NULL;
        _cleanup_(ae_grpc_client_stream_freep) struct ae_grpc_client_stream *s = NULL;
        X509SVIDRequest req = X509_SVIDREQUEST__INIT;
        struct ae_grpc_status st = { 0 };
        ProtobufCMessage *m = NULL;
        int r;

        ENSURE(ret, -EINVAL);
        if (!socket_path)
                socket_path = endpoint_socket();
        ENSURE(socket_path && socket_path[0] == '/',
               why(ret_why, "no Workload API socket (SPIFFE_ENDPOINT_SOCKET unset or not unix:)",
                   -EINVAL));
        r = ae_grpc_client_new_unix(socket_path, NULL, &c);
        if (r < 0)
                return why(ret_why, "cannot use the Workload API socket path", r);
        r = ae_grpc_client_stream_open(c, "/SpiffeWorkloadAPI/FetchX509SVID", &opts, &req.base, &s);
        if (r == 0)
                r = ae_grpc_client_stream_read(s, &x509_svidresponse__descriptor, &m, &st);
        if (ret_status)
                *ret_status = st;
        if (r == -EREMOTEIO || r == -ENODATA) {
                if (st.code == GRPC_STATUS_PERMISSION_DENIED)
                        return why(ret_why, "the agent gives this process no identity", -EACCES);
                if (st.code == GRPC_STATUS_UNAVAILABLE)
                        return why(ret_why, "the agent cannot serve yet", -EAGAIN);
                return why(ret_why, "the Workload API call failed", -EREMOTEIO);
        }
        if (r < 0)
                return why(ret_why, "the Workload API answer did not parse", r);
        r = ae_rp_workload_svid_decode((X509SVIDResponse *)m, ret, ret_why);
        protobuf_c_message_free_unpacked(m, NULL);
        return r;
}
