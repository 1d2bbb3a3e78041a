/* The Workload API's X.509 answers from an issuer-backed SVID source and a
 * real CA directory: the packed X509SVIDResponse decodes with protobuf-c,
 * each SVID's key matches its certificate, the chain verifies to the
 * bundle sent with it, claims carry the entry's code hash, and SVIDs are
 * renewed at half-life (not before) with a generation change for streams. */
#define _GNU_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "check_util.h"
#include "common/ossl.h"
#include "control-plane/agent/issuer_source.h"
#include "control-plane/agent/workload_jwt.h"
#include "control-plane/agent/workload_x509.h"
#include "spiffe/workload.pb-c.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/jwt_jwks.h"

#define NOW 1800000000LL
#define HASH "4add4bb89d8ca0e3b1bd861130ddd7ae0fd9617a8055de0a38c8d2ca1ac95723"
#define EK "60bec0c12469e811b409d2e983c1e82b0bc4e277f498cdd7634cd0a9e3e61a7f"

static char dir[64];
static struct ae_ca *ca;

static void setup(void)
{
        struct ae_ca_options opt = { .trust_domain = "example.org" };
        char cadir[128];

        snprintf(dir, sizeof(dir), "/tmp/ae-agent-x509-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(cadir, sizeof(cadir), "%s/ca", dir);
        ck_assert_int_eq(ae_ca_init(cadir, &opt, NOW - 3600, NULL), 0);
        ck_assert_int_eq(ae_ca_load(cadir, NOW, &ca, NULL), 0);
}

static void teardown(void)
{
        char cmd[160];

        ae_ca_free(ca);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
}

static void node_claims(struct ae_claims *c)
{
        memset(c, 0, sizeof(*c));
        c->level = AE_CLAIMS_POG;
        c->tpm.present = true;
        strcpy(c->tpm.ek_hash, EK);
        strcpy(c->tpm.ak_name, "000b" EK);
        strcpy(c->tpm.pcr_policy, "base");
        strcpy(c->tpm.pcr_digest, EK);
        c->tpm.attested_at = NOW - 5;
        c->geo.present = true;
        c->geo.n_zones = 1;
        strcpy(c->geo.zones[0], "eu-de");
        strcpy(c->geo.policy_digest, EK);
        strcpy(c->geo.sensor_id, "F9P-1");
        c->geo.fix_time = NOW - 8;
}

static void entry(struct ae_reg_entry *e, const char *id, const char *spiffe_id,
                  const char *selector)
{
        memset(e, 0, sizeof(*e));
        snprintf(e->id, sizeof(e->id), "%s", id);
        snprintf(e->spiffe_id, sizeof(e->spiffe_id), "%s", spiffe_id);
        snprintf(e->selectors[0], sizeof(e->selectors[0]), "%s", selector);
        e->n_selectors = 1;
        e->x509_svid_ttl = 3600;
}

/* The certificates of a DER chain. */
static STACK_OF(X509) *certs_of(const ProtobufCBinaryData *der)
{
        STACK_OF(X509) *s = sk_X509_new_null();
        const unsigned char *p = der->data, *end = der->data + der->len;

        while (p < end) {
                X509 *x = d2i_X509(NULL, &p, end - p);

                ck_assert_ptr_nonnull(x);
                ck_assert_int_gt(sk_X509_push(s, x), 0);
        }
        return s;
}

/* Checks one X509SVID the way a workload would. */
static void check_svid(const X509SVID *svid, const char *want_id, bool want_claims)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *chain = certs_of(&svid->x509_svid);
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *roots = certs_of(&svid->bundle);
        _cleanup_(X509_STORE_freep) X509_STORE *store = X509_STORE_new();
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        const unsigned char *p = svid->x509_svid_key.data;
        X509 *leaf = sk_X509_value(chain, 0);
        struct ae_claims claims;
        bool present;

        ck_assert_str_eq(svid->spiffe_id, want_id);
        key = d2i_AutoPrivateKey(NULL, &p, (long)svid->x509_svid_key.len);
        ck_assert_ptr_nonnull(key);
        ck_assert_int_eq(X509_check_private_key(leaf, key), 1);
        for (int i = 0; i < sk_X509_num(roots); i++)
                ck_assert_int_eq(X509_STORE_add_cert(store, sk_X509_value(roots, i)), 1);
        ck_assert_int_eq(X509_STORE_CTX_init(ctx, store, leaf, chain), 1);
        X509_STORE_CTX_set_time(ctx, 0, (time_t)NOW);
        ck_assert_msg(X509_verify_cert(ctx) == 1, "%s",
                      X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
        ck_assert_int_eq(ae_claims_from_cert(leaf, &claims, &present), 0);
        ck_assert(present == want_claims);
        if (present) {
                ck_assert_str_eq(claims.workload.workload_id, want_id);
                ck_assert_str_eq(claims.workload.code_hash, HASH);
                ck_assert_str_eq(claims.geo.zones[0], "eu-de");
        }
}

START_TEST(svid_response)
{
        _cleanup_(ae_issuer_source_freep) struct ae_issuer_source *is = NULL;
        struct ae_svid_source src;
        struct ae_reg_entry e[2];
        struct ae_claims nc;
        X509SVIDResponse *resp;
        uint8_t *bytes = NULL;
        size_t len = 0;

        node_claims(&nc);
        ck_assert_int_eq(ae_issuer_source_new(ca, &nc, AE_CA_KEY_P256, &is), 0);
        src = ae_issuer_source_as_source(is);
        entry(&e[0], "model", "spiffe://example.org/model", "aegis_exe:sha256:" HASH);
        entry(&e[1], "user", "spiffe://example.org/user", "aegis_exe:uid:1000");
        strcpy(e[1].hint, "internal");
        ck_assert_int_eq(ae_workload_x509_svid_response(&src, e, 2, NOW, &bytes, &len), 0);
        resp = x509_svidresponse__unpack(NULL, len, bytes);
        ck_assert_ptr_nonnull(resp);
        ck_assert_uint_eq(resp->n_svids, 2);
        check_svid(resp->svids[0], "spiffe://example.org/model", true);
        /* No code hash in the entry: nothing vouches for the code, no claims. */
        check_svid(resp->svids[1], "spiffe://example.org/user", false);
        ck_assert_str_eq(resp->svids[1]->hint, "internal");
        x509_svidresponse__free_unpacked(resp, NULL);
        OPENSSL_clear_free(bytes, len);
        /* No entries: the caller has no identity. */
        ck_assert_int_eq(ae_workload_x509_svid_response(&src, e, 0, NOW, &bytes, &len), -ENOENT);
}
END_TEST

START_TEST(renewal_at_half_life)
{
        _cleanup_(ae_issuer_source_freep) struct ae_issuer_source *is = NULL;
        struct ae_x509_svid_material a = { 0 }, b = { 0 };
        struct ae_svid_source src;
        struct ae_reg_entry e;
        uint64_t g;

        ck_assert_int_eq(ae_issuer_source_new(ca, NULL, AE_CA_KEY_P256, &is), 0);
        src = ae_issuer_source_as_source(is);
        entry(&e, "model", "spiffe://example.org/model", "aegis_exe:sha256:" HASH);
        ck_assert_int_eq(src.ops->x509_svid(src.ctx, &e, NOW, &a), 0);
        ck_assert_int_eq(a.not_after, NOW + 3600);
        g = src.ops->generation(src.ctx);
        /* Before half-life: the same SVID, no mint. */
        ck_assert_uint_eq(src.ops->tick(src.ctx, NOW + 1799), g);
        ck_assert_int_eq(src.ops->x509_svid(src.ctx, &e, NOW + 1799, &b), 0);
        ck_assert(b.chain_len == a.chain_len && memcmp(b.chain_der, a.chain_der, a.chain_len) == 0);
        ck_assert_uint_eq(ae_issuer_source_mints(is), 1);
        ae_x509_svid_material_clear(&b);
        /* At half-life the tick renews it: a new key and certificate. */
        ck_assert_uint_gt(src.ops->tick(src.ctx, NOW + 1800), g);
        ck_assert_uint_eq(ae_issuer_source_mints(is), 2);
        ck_assert_int_eq(src.ops->x509_svid(src.ctx, &e, NOW + 1800, &b), 0);
        ck_assert(b.key_len != a.key_len || memcmp(b.key_der, a.key_der, a.key_len) != 0);
        ck_assert_int_eq(b.not_after, NOW + 1800 + 3600);
        ae_x509_svid_material_clear(&b);
        /* A changed entry is minted again at once. */
        strcpy(e.spiffe_id, "spiffe://example.org/model-v2");
        ck_assert_int_eq(src.ops->x509_svid(src.ctx, &e, NOW + 1801, &b), 0);
        ck_assert_str_eq(b.spiffe_id, "spiffe://example.org/model-v2");
        ck_assert_uint_eq(ae_issuer_source_mints(is), 3);
        /* An entry outside the CA's trust domain is refused. */
        strcpy(e.spiffe_id, "spiffe://other.org/model");
        ck_assert_int_eq(src.ops->x509_svid(src.ctx, &e, NOW + 1801, &b), -EACCES);
        ae_x509_svid_material_clear(&a);
        ae_x509_svid_material_clear(&b);
}
END_TEST

START_TEST(bundles_response)
{
        _cleanup_(ae_issuer_source_freep) struct ae_issuer_source *is = NULL;
        X509BundlesResponse *resp;
        struct ae_svid_source src;
        uint8_t *bytes = NULL;
        size_t len = 0;

        ck_assert_int_eq(ae_issuer_source_new(ca, NULL, AE_CA_KEY_P256, &is), 0);
        src = ae_issuer_source_as_source(is);
        ck_assert_int_eq(ae_workload_x509_bundles_response(&src, &bytes, &len), 0);
        resp = x509_bundles_response__unpack(NULL, len, bytes);
        ck_assert_ptr_nonnull(resp);
        ck_assert_uint_eq(resp->n_bundles, 1);
        ck_assert_str_eq(resp->bundles[0]->key, "spiffe://example.org");
        {
                _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *roots =
                        certs_of(&resp->bundles[0]->value);

                ck_assert_int_eq(sk_X509_num(roots), 1);
                ck_assert_int_eq(X509_cmp(sk_X509_value(roots, 0), ae_ca_root(ca)), 0);
        }
        x509_bundles_response__free_unpacked(resp, NULL);
        free(bytes);
}
END_TEST

/* The Struct's member key, or NULL. */
static const Google__Protobuf__Value *member(const Google__Protobuf__Struct *s, const char *key)
{
        for (size_t i = 0; i < s->n_fields; i++)
                if (strcmp(s->fields[i]->key, key) == 0)
                        return s->fields[i]->value;
        return NULL;
}

START_TEST(jwt_fetch_and_validate)
{
        _cleanup_(ae_issuer_source_freep) struct ae_issuer_source *is = NULL;
        static const char *const aud[] = { "spiffe://example.org/db" };
        const Google__Protobuf__Value *v;
        struct ae_svid_source src;
        struct ae_reg_entry e[2];
        struct ae_claims nc;
        enum ae_jwt_reason reason;
        JWTSVIDResponse *resp;
        ValidateJWTSVIDResponse *vr;
        uint8_t *bytes = NULL, *vbytes = NULL;
        size_t len = 0, vlen = 0;

        node_claims(&nc);
        ck_assert_int_eq(ae_issuer_source_new(ca, &nc, AE_CA_KEY_P256, &is), 0);
        src = ae_issuer_source_as_source(is);
        entry(&e[0], "model", "spiffe://example.org/model", "aegis_exe:sha256:" HASH);
        entry(&e[1], "user", "spiffe://example.org/user", "aegis_exe:uid:1000");
        ck_assert_int_eq(ae_workload_jwt_svid_response(&src, e, 2, "", aud, 1, NOW, &bytes, &len),
                         0);
        resp = jwtsvidresponse__unpack(NULL, len, bytes);
        ck_assert_ptr_nonnull(resp);
        ck_assert_uint_eq(resp->n_svids, 2);
        ck_assert_str_eq(resp->svids[0]->spiffe_id, "spiffe://example.org/model");

        /* The token validates for its audience, with the claims as a Struct. */
        ck_assert_int_eq(ae_workload_validate_jwt_response(&src, resp->svids[0]->svid, aud[0],
                                                           NOW + 10, &vbytes, &vlen, &reason),
                         0);
        ck_assert_int_eq(reason, AE_JWT_OK);
        vr = validate_jwtsvidresponse__unpack(NULL, vlen, vbytes);
        ck_assert_ptr_nonnull(vr);
        ck_assert_str_eq(vr->spiffe_id, "spiffe://example.org/model");
        v = member(vr->claims, "sub");
        ck_assert(v && v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE);
        ck_assert_str_eq(v->string_value, "spiffe://example.org/model");
        v = member(vr->claims, "level");
        ck_assert(v && strcmp(v->string_value, "pog") == 0);
        v = member(vr->claims, "grc.workload");
        ck_assert(v && v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_STRUCT_VALUE);
        ck_assert_str_eq(member(v->struct_value, "code_hash")->string_value, HASH);
        v = member(vr->claims, "exp");
        ck_assert(v && v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE);
        ck_assert(v->number_value == (double)(NOW + 300));
        validate_jwtsvidresponse__free_unpacked(vr, NULL);
        free(vbytes);

        /* Refusals, each with its reason, and no response. */
        vbytes = NULL;
        ck_assert_int_eq(ae_workload_validate_jwt_response(&src, resp->svids[0]->svid,
                                                           "spiffe://example.org/other", NOW,
                                                           &vbytes, &vlen, &reason),
                         -EBADMSG);
        ck_assert_int_eq(reason, AE_JWT_AUD_MISMATCH);
        ck_assert_int_eq(ae_workload_validate_jwt_response(&src, resp->svids[0]->svid, aud[0],
                                                           NOW + 301 + 30, &vbytes, &vlen,
                                                           &reason),
                         -EBADMSG);
        ck_assert_int_eq(reason, AE_JWT_EXPIRED);
        ck_assert_int_eq(ae_workload_validate_jwt_response(&src, "e30.e30.", aud[0], NOW, &vbytes,
                                                           &vlen, &reason),
                         -EBADMSG);
        ck_assert_ptr_null(vbytes);
        jwtsvidresponse__free_unpacked(resp, NULL);
        free(bytes);

        /* One identity when the request names it; none it does not hold. */
        ck_assert_int_eq(ae_workload_jwt_svid_response(&src, e, 2, "spiffe://example.org/user",
                                                       aud, 1, NOW, &bytes, &len),
                         0);
        resp = jwtsvidresponse__unpack(NULL, len, bytes);
        ck_assert_uint_eq(resp->n_svids, 1);
        ck_assert_str_eq(resp->svids[0]->spiffe_id, "spiffe://example.org/user");
        jwtsvidresponse__free_unpacked(resp, NULL);
        free(bytes);
        ck_assert_int_eq(ae_workload_jwt_svid_response(&src, e, 2, "spiffe://example.org/nobody",
                                                       aud, 1, NOW, &bytes, &len),
                         -ENOENT);
        ck_assert_int_eq(ae_workload_jwt_svid_response(&src, e, 2, "", aud, 0, NOW, &bytes, &len),
                         -EINVAL);
        /* An audience the token format refuses: -EINVAL, and nothing freed
         * that was not allocated (this crashed the agent once). */
        {
                static const char *const empty[] = { "" };

                ck_assert_int_eq(ae_workload_jwt_svid_response(&src, e, 2, "", empty, 1, NOW,
                                                               &bytes, &len),
                                 -EINVAL);
        }
}
END_TEST

START_TEST(jwt_bundles)
{
        _cleanup_(ae_issuer_source_freep) struct ae_issuer_source *is = NULL;
        _cleanup_(ae_jwks_freep) struct ae_jwks *jwks = NULL;
        JWTBundlesResponse *resp;
        struct ae_svid_source src;
        uint8_t *bytes = NULL;
        size_t len = 0;

        ck_assert_int_eq(ae_issuer_source_new(ca, NULL, AE_CA_KEY_P256, &is), 0);
        src = ae_issuer_source_as_source(is);
        ck_assert_int_eq(ae_workload_jwt_bundles_response(&src, &bytes, &len), 0);
        resp = jwtbundles_response__unpack(NULL, len, bytes);
        ck_assert_ptr_nonnull(resp);
        ck_assert_uint_eq(resp->n_bundles, 1);
        ck_assert_str_eq(resp->bundles[0]->key, "spiffe://example.org");
        /* A JWK Set with one jwt-svid key, the CA's. */
        ck_assert_int_eq(ae_jwks_parse("example.org", (const char *)resp->bundles[0]->value.data,
                                       resp->bundles[0]->value.len, &jwks, NULL),
                         0);
        ck_assert_uint_eq(ae_jwks_count(jwks), 1);
        ck_assert_int_eq(EVP_PKEY_eq(ae_jwks_key_at(jwks, 0)->key, ae_ca_key(ca)), 1);
        jwtbundles_response__free_unpacked(resp, NULL);
        free(bytes);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("agent_x509");
        TCase *tc = tcase_create("x509");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, svid_response);
        tcase_add_test(tc, renewal_at_half_life);
        tcase_add_test(tc, bundles_response);
        tcase_add_test(tc, jwt_fetch_and_validate);
        tcase_add_test(tc, jwt_bundles);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
