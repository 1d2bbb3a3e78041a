#include "control-plane/agent/workload_x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "control-plane/agent/packed.h"
#include "spiffe/workload.pb-c.h"

int ae_workload_x509_svid_response(const struct ae_svid_source *src,
                                   const struct ae_reg_entry *entries, size_t n, time_t now,
                                   uint8_t **ret, size_t *ret_len)
{
        X509SVIDResponse resp = X509_SVIDRESPONSE__INIT;
        struct ae_x509_svid_material *m = NULL;
        struct ae_bundle_material bundle = { 0 };
        X509SVID *items = NULL, **ptrs = NULL;
        size_t got = 0;
        int r;

        ENSURE(src && (entries || n == 0) && ret && ret_len, -EINVAL);
        ENSURE(n > 0, -ENOENT);
        m = calloc(n, sizeof(*m));
        items = calloc(n, sizeof(*items));
        ptrs = calloc(n, sizeof(*ptrs));
        r = m && items && ptrs ? 0 : -ENOMEM;
        if (r == 0)
                r = src->ops->x509_bundle(src->ctx, &bundle);
        for (; r == 0 && got < n; got++) {
                r = src->ops->x509_svid(src->ctx, &entries[got], now, &m[got]);
                if (r < 0)
                        break;
                x509_svid__init(&items[got]);
                items[got].spiffe_id = m[got].spiffe_id;
                items[got].x509_svid = (ProtobufCBinaryData){ m[got].chain_len, m[got].chain_der };
                items[got].x509_svid_key = (ProtobufCBinaryData){ m[got].key_len, m[got].key_der };
                items[got].bundle = (ProtobufCBinaryData){ bundle.roots_len, bundle.roots_der };
                items[got].hint = (char *)entries[got].hint;
                ptrs[got] = &items[got];
        }
        if (r == 0) {
                resp.n_svids = n;
                resp.svids = ptrs;
                r = ae_packed_message(&resp.base, ret, ret_len);
        }
        for (size_t i = 0; m && i < n; i++)
                ae_x509_svid_material_clear(&m[i]);
        ae_bundle_material_clear(&bundle);
        free(m);
        free(items);
        free(ptrs);
        return r;
}

int ae_workload_x509_bundles_response(const struct ae_svid_source *src, uint8_t **ret,
                                      size_t *ret_len)
{
        X509BundlesResponse resp = X509_BUNDLES_RESPONSE__INIT;
        X509BundlesResponse__BundlesEntry entry = X509_BUNDLES_RESPONSE__BUNDLES_ENTRY__INIT;
        X509BundlesResponse__BundlesEntry *entries[1] = { &entry };
        struct ae_bundle_material bundle = { 0 };
        char td_id[AE_TRUST_DOMAIN_MAX + sizeof("spiffe://")];
        int r;

        ENSURE(src && ret && ret_len, -EINVAL);
        GUARD(src->ops->x509_bundle(src->ctx, &bundle));
        snprintf(td_id, sizeof(td_id), "spiffe://%s", bundle.trust_domain);
        entry.key = td_id;
        entry.value = (ProtobufCBinaryData){ bundle.roots_len, bundle.roots_der };
        resp.n_bundles = 1;
        resp.bundles = entries;
        r = ae_packed_message(&resp.base, ret, ret_len);
        ae_bundle_material_clear(&bundle);
        return r;
}
