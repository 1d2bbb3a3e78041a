/* The relying party's Workload API decoder (svid-issuer/rp_workload_api.c):
 * a FetchX509SVID response built here from certificates forged in C, then
 * broken one field at a time, each refusal with its exact text. The fetch
 * over a real socket from aegis-agent runs in the demo scenario
 * (scripts/demo-scenario, CTest demo_scenario). */
#include "svid-issuer/rp_workload_api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "check_util.h"
#include "common/ossl.h"
#include "spiffe/workload.pb-c.h"
#include "svid-issuer/rp_bundle.h"
#include "svid_forge.h"

#define ID "spiffe://example.org/w"

/* DER buffers of one response: chain (leaf, intermediate), key, bundle. */
struct fixture {
        uint8_t chain[8192], key[512], bundle[4096], other_key[512];
        size_t chain_len, leaf_len, key_len, bundle_len, other_key_len;
        X509SVID svid;
        X509SVID *svids[1];
        X509SVIDResponse resp;
};

static size_t der_cert(X509 *x, uint8_t *out)
{
        uint8_t *p = out;
        int n = i2d_X509(x, &p);

        ck_assert_int_gt(n, 0);
        return (size_t)n;
}

static size_t der_key(EVP_PKEY *k, uint8_t *out)
{
        uint8_t *p = out;
        int n = i2d_PrivateKey(k, &p);

        ck_assert_int_gt(n, 0);
        return (size_t)n;
}

/* A good response: leaf and intermediate under a root of example.org. */
static void make(struct fixture *f)
{
        int64_t now = (int64_t)time(NULL);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *root_key = NULL, *int_key = ae_forge_key(),
                                            *leaf_key = NULL, *other = ae_forge_key();
        _cleanup_(X509_freep) X509 *root = NULL, *inter = NULL, *leaf = NULL;
        struct ae_forge_opts o;

        memset(f, 0, sizeof(*f));
        ae_forge_root("example.org", now, &root_key, &root);
        ae_forge_ca_opts(&o, "spiffe://example.org", now);
        inter = ae_forge_cert(&o, int_key, root, root_key);
        ae_forge_leaf(ID, now, NULL, inter, int_key, &leaf_key, &leaf);
        f->leaf_len = der_cert(leaf, f->chain);
        f->chain_len = f->leaf_len + der_cert(inter, f->chain + f->leaf_len);
        f->key_len = der_key(leaf_key, f->key);
        f->other_key_len = der_key(other, f->other_key);
        f->bundle_len = der_cert(root, f->bundle);
        x509_svid__init(&f->svid);
        f->svid.spiffe_id = (char *)ID;
        f->svid.x509_svid = (ProtobufCBinaryData){ f->chain_len, f->chain };
        f->svid.x509_svid_key = (ProtobufCBinaryData){ f->key_len, f->key };
        f->svid.bundle = (ProtobufCBinaryData){ f->bundle_len, f->bundle };
        f->svids[0] = &f->svid;
        x509_svidresponse__init(&f->resp);
        f->resp.n_svids = 1;
        f->resp.svids = f->svids;
}

/* decode must refuse f with r and exactly the text want, leaving out as is. */
static void refused(struct fixture *f, int r, const char *want)
{
        struct ae_rp_workload_svid out = { .spiffe_id = "untouched" };
        const char *why = NULL;

        ck_assert_int_eq(ae_rp_workload_svid_decode(&f->resp, &out, &why), r);
        ck_assert_str_eq(why, want);
        ck_assert_str_eq(out.spiffe_id, "untouched");
        ck_assert_ptr_null(out.leaf);
        ck_assert_ptr_null(out.bundle);
        ERR_clear_error();
}

START_TEST(decodes_the_default_svid)
{
        struct fixture f;
        struct ae_rp_workload_svid out = { 0 };
        const char *why = NULL;

        make(&f);
        ck_assert_int_eq(ae_rp_workload_svid_decode(&f.resp, &out, &why), 0);
        ck_assert_str_eq(out.spiffe_id, ID);
        ck_assert_int_eq(sk_X509_num(out.intermediates), 1);
        ck_assert_int_eq(X509_check_private_key(out.leaf, out.key), 1);
        ck_assert_uint_eq(ae_rp_bundle_count(out.bundle), 1);
        ck_assert_str_eq(ae_rp_bundle_trust_domain(out.bundle, 0), "example.org");
        ae_rp_workload_svid_clear(&out);
        ck_assert_ptr_null(out.leaf);
        ae_rp_workload_svid_clear(&out); /* idempotent */
        ae_rp_workload_svid_clear(NULL);
}
END_TEST

START_TEST(federated_bundles)
{
        struct fixture f;
        X509SVIDResponse__FederatedBundlesEntry e, *es[1] = { &e };
        struct ae_rp_workload_svid out = { 0 };
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *other_key = NULL;
        _cleanup_(X509_freep) X509 *other = NULL;
        uint8_t other_der[2048];
        const char *why = NULL;

        make(&f);
        ae_forge_root("other.example", (int64_t)time(NULL), &other_key, &other);
        x509_svidresponse__federated_bundles_entry__init(&e);
        e.key = (char *)"spiffe://other.example";
        e.value = (ProtobufCBinaryData){ der_cert(other, other_der), other_der };
        f.resp.n_federated_bundles = 1;
        f.resp.federated_bundles = es;
        ck_assert_int_eq(ae_rp_workload_svid_decode(&f.resp, &out, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_count(out.bundle), 2);
        ck_assert_str_eq(ae_rp_bundle_trust_domain(out.bundle, 1), "other.example");
        ae_rp_workload_svid_clear(&out);

        e.key = (char *)"spiffe://Not A Domain";
        refused(&f, -EBADMSG, "a federated bundle's key is not a trust domain");
        e.key = (char *)"spiffe://other.example";
        e.value.len = 10;
        refused(&f, -EBADMSG, "a bundle is not DER certificates");
}
END_TEST

START_TEST(refusals)
{
        struct fixture f;
        uint8_t big[16 * 1024];

        make(&f);
        f.resp.n_svids = 0;
        refused(&f, -EBADMSG, "the response holds no SVID");

        make(&f);
        f.svid.spiffe_id = (char *)"https://example.org/w";
        refused(&f, -EBADMSG, "the SVID's SPIFFE ID is invalid");

        make(&f);
        f.svid.x509_svid.len = 0;
        refused(&f, -EBADMSG, "the SVID's chain is not DER certificates");
        make(&f);
        f.svid.x509_svid.len = f.chain_len - 1; /* the intermediate cut short */
        refused(&f, -EBADMSG, "the SVID's chain is not DER certificates");
        make(&f);
        f.chain[f.chain_len] = 0x30; /* a byte after the last certificate */
        f.svid.x509_svid.len = f.chain_len + 1;
        refused(&f, -EBADMSG, "the SVID's chain is not DER certificates");

        make(&f);
        f.svid.x509_svid_key.len = 7;
        refused(&f, -EBADMSG, "the SVID's key is not a DER private key");
        make(&f);
        f.svid.x509_svid_key.len = f.key_len + 1; /* trailing byte */
        refused(&f, -EBADMSG, "the SVID's key is not a DER private key");
        make(&f);
        f.svid.x509_svid_key = (ProtobufCBinaryData){ f.other_key_len, f.other_key };
        refused(&f, -EBADMSG, "the SVID's key is not its certificate's");

        make(&f);
        f.svid.bundle.len = 0;
        refused(&f, -EBADMSG, "a bundle is not DER certificates");

        /* More certificates than a chain may have. */
        make(&f);
        ck_assert_uint_le((AE_RP_WORKLOAD_CHAIN_MAX + 1) * f.leaf_len, sizeof(big));
        for (size_t i = 0; i <= AE_RP_WORKLOAD_CHAIN_MAX; i++)
                memcpy(big + i * f.leaf_len, f.chain, f.leaf_len);
        f.svid.x509_svid = (ProtobufCBinaryData){ (AE_RP_WORKLOAD_CHAIN_MAX + 1) * f.leaf_len, big };
        refused(&f, -E2BIG, "the SVID's chain is not DER certificates");
}
END_TEST

START_TEST(fetch_needs_a_socket)
{
        struct ae_rp_workload_svid out = { 0 };
        const char *why = NULL;

        unsetenv("SPIFFE_ENDPOINT_SOCKET");
        ck_assert_int_eq(ae_rp_workload_fetch(NULL, 100, &out, NULL, &why), -EINVAL);
        ck_assert_str_eq(why, "no Workload API socket (SPIFFE_ENDPOINT_SOCKET unset or not unix:)");
        setenv("SPIFFE_ENDPOINT_SOCKET", "tcp://127.0.0.1:1", 1);
        why = NULL;
        ck_assert_int_eq(ae_rp_workload_fetch(NULL, 100, &out, NULL, &why), -EINVAL);
        ck_assert_str_eq(why, "no Workload API socket (SPIFFE_ENDPOINT_SOCKET unset or not unix:)");
        /* unix:///path with nobody listening: the agent is not there. */
        setenv("SPIFFE_ENDPOINT_SOCKET", "unix:///nonexistent/agent.sock", 1);
        why = NULL;
        ck_assert_int_eq(ae_rp_workload_fetch(NULL, 2000, &out, NULL, &why), -EAGAIN);
        ck_assert_str_eq(why, "the agent cannot serve yet");
        unsetenv("SPIFFE_ENDPOINT_SOCKET");
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("rp_workload");
        TCase *tc = tcase_create("decode");

        tcase_add_test(tc, decodes_the_default_svid);
        tcase_add_test(tc, federated_bundles);
        tcase_add_test(tc, refusals);
        tcase_add_test(tc, fetch_needs_a_socket);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(suite());
}
