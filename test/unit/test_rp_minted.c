/* The relying party on what the issuer really mints (ca.h, x509_svid.h):
 * every CA key type, a rotated CA whose bundle holds two roots, and a CA
 * signed by an upstream root, where the SVID file carries the chain. The
 * other rp tests use certificates forged in C; these close the loop with
 * the issuer's own files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "check_util.h"
#include "common/ossl.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/rp_bundle.h"
#include "svid-issuer/rp_rule.h"
#include "svid-issuer/rp_ssl.h"
#include "svid-issuer/rp_verify.h"
#include "svid-issuer/x509_svid.h"
#include "svid_forge.h"

#define TD "example.org"
#define WID "spiffe://example.org/web"
#define RULE                                                                                       \
        "trust_domain=example.org,id=" WID ",level=pog,zone=eu-de,code_hash="                     \
        "1111111111111111111111111111111111111111111111111111111111111111,ek_hash="                \
        "2222222222222222222222222222222222222222222222222222222222222222,max_age=600"

static char dir[64];
static const time_t now = 1800000000;

static void path_of(char *buf, size_t size, const char *name)
{
        snprintf(buf, size, "%s/%s", dir, name);
}

static void make_dir(void)
{
        snprintf(dir, sizeof(dir), "/tmp/aegis-rp-minted-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* rm -r of the test's directory (CA files, retired/, SVID files). */
static void remove_dir(void)
{
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
}

/* Mint an SVID with valid PoG claims and write ca/svid.pem, ca/svid.key. */
static void mint(const char *ca_dir, enum ae_ca_key_type type, time_t at)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_x509_svid_request req = { .spiffe_id = WID };
        enum ae_svid_reason reason = AE_SVID_INTERNAL;
        struct ae_claims c;
        char pem[128], keyp[128];

        snprintf(pem, sizeof(pem), "%s/svid.pem", ca_dir);
        snprintf(keyp, sizeof(keyp), "%s/svid.key", ca_dir);
        ck_assert_int_eq(ae_ca_load(ca_dir, at, &ca, &reason), 0);
        ck_assert_int_eq(ae_svid_key_generate(type, &key), 0);
        ae_forge_claims(&c, WID, (int64_t)at - 10);
        req.public_key = key;
        req.claims = &c;
        ck_assert_msg(ae_x509_svid_mint(ca, &req, at, &leaf, &reason) == 0, "%s",
                      ae_svid_reason_id(reason));
        ck_assert_int_eq(ae_x509_svid_write_files(pem, keyp, leaf, key, ca), 0);
}

/* The certificates of a PEM file: the leaf and the rest. */
static X509 *read_svid(const char *path, STACK_OF(X509) **ret_chain)
{
        _cleanup_fclose_ FILE *f = fopen(path, "r");
        STACK_OF(X509) *chain = sk_X509_new_null();
        X509 *leaf, *x;

        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(chain);
        leaf = PEM_read_X509(f, NULL, NULL, NULL);
        ck_assert_ptr_nonnull(leaf);
        while ((x = PEM_read_X509(f, NULL, NULL, NULL)))
                ck_assert(sk_X509_push(chain, x) > 0);
        ERR_clear_error();
        *ret_chain = chain;
        return leaf;
}

/* Verify ca_dir/svid.pem against bundle_path (with or without its chain). */
static enum ae_rp_reason verify_files(const char *ca_dir, const char *bundle_path, bool with_chain,
                                      time_t at)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *chain = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_rp_rule rule;
        struct ae_rp_result r;
        char pem[128];
        const char *why = NULL;
        int rc;

        snprintf(pem, sizeof(pem), "%s/svid.pem", ca_dir);
        ck_assert_int_eq(ae_rp_bundle_new(&b), 0);
        /* No td=: the issuer's roots name their trust domain. */
        ck_assert_msg(ae_rp_bundle_load_file(b, NULL, bundle_path, &why) == 0, "%s", why);
        ck_assert_int_eq(ae_rp_rule_parse(RULE, strlen(RULE), &rule, NULL), 0);
        leaf = read_svid(pem, &chain);
        rc = ae_rp_verify(b, &rule, leaf, with_chain ? chain : NULL, (int64_t)at, &r);
        ck_assert_int_eq(rc, r.reason == AE_RP_OK ? 0 : -EACCES);
        return r.reason;
}

static const enum ae_ca_key_type types[] = { AE_CA_KEY_P256, AE_CA_KEY_P384, AE_CA_KEY_RSA2048 };

START_TEST(self_signed_ca_each_key_type)
{
        struct ae_ca_options opt = { .trust_domain = TD, .key_type = types[_i] };
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = NULL;
        enum ae_svid_reason reason;
        char bundle[128], pem[128], key[128];
        SSL_CTX *ctx = NULL;

        make_dir();
        ck_assert_int_eq(ae_ca_init(dir, &opt, now, &reason), 0);
        mint(dir, types[_i], now);
        path_of(bundle, sizeof(bundle), AE_CA_BUNDLE_FILE);
        ck_assert_int_eq(verify_files(dir, bundle, true, now), AE_RP_OK);
        /* The files are what an mTLS context is built from. */
        path_of(pem, sizeof(pem), "svid.pem");
        path_of(key, sizeof(key), "svid.key");
        ck_assert_int_eq(ae_rp_bundle_new(&b), 0);
        ck_assert_int_eq(ae_rp_bundle_load_file(b, NULL, bundle, NULL), 0);
        ck_assert_int_eq(ae_rp_ssl_ctx_new(AE_RP_SSL_SERVER, pem, key, b, NULL, &ctx, NULL), 0);
        SSL_CTX_free(ctx);
        /* Past the SVID's default hour the chain has expired. */
        ck_assert_int_eq(verify_files(dir, bundle, true, now + 2 * 3600), AE_RP_CHAIN_EXPIRED);
        remove_dir();
}
END_TEST

START_TEST(rotated_ca_bundle_holds_both_roots)
{
        struct ae_ca_options opt = { .trust_domain = TD };
        enum ae_svid_reason reason;
        char bundle[128], old_svid[128], pem[128];

        make_dir();
        ck_assert_int_eq(ae_ca_init(dir, &opt, now, &reason), 0);
        mint(dir, AE_CA_KEY_P256, now);
        path_of(pem, sizeof(pem), "svid.pem");
        path_of(old_svid, sizeof(old_svid), "old-svid.pem");
        ck_assert_int_eq(rename(pem, old_svid), 0);
        ck_assert_int_eq(ae_ca_rotate(dir, now + 60, &reason), 0);
        mint(dir, AE_CA_KEY_P256, now + 60);
        path_of(bundle, sizeof(bundle), AE_CA_BUNDLE_FILE);
        /* The new root's SVID, and the old root's, both verify. */
        ck_assert_int_eq(verify_files(dir, bundle, true, now + 60), AE_RP_OK);
        ck_assert_int_eq(rename(old_svid, pem), 0);
        ck_assert_int_eq(verify_files(dir, bundle, true, now + 60), AE_RP_OK);
        remove_dir();
}
END_TEST

START_TEST(upstream_signed_ca_chain)
{
        struct ae_ca_options opt = { .trust_domain = TD };
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *up_key = NULL, *ca_pub = NULL;
        _cleanup_(X509_freep) X509 *up = NULL, *issued = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        struct ae_forge_opts o;
        enum ae_svid_reason reason;
        X509_REQ *csr;
        char csr_path[128], cert[128], chain[128], bundle[128], up_bundle[128];

        make_dir();
        ck_assert_int_eq(ae_ca_csr(dir, &opt, &reason), 0);
        /* The upstream (our forged root) signs what ca.csr asks for. */
        ae_forge_root(TD, (int64_t)now, &up_key, &up);
        path_of(csr_path, sizeof(csr_path), AE_CA_CSR_FILE);
        f = fopen(csr_path, "r");
        ck_assert_ptr_nonnull(f);
        csr = PEM_read_X509_REQ(f, NULL, NULL, NULL);
        ck_assert_ptr_nonnull(csr);
        ca_pub = X509_REQ_get_pubkey(csr);
        X509_REQ_free(csr);
        ae_forge_ca_opts(&o, "spiffe://" TD, (int64_t)now);
        o.not_after = (int64_t)now + 30 * 24 * 3600;
        issued = ae_forge_cert(&o, ca_pub, up, up_key);
        path_of(cert, sizeof(cert), "issued.pem");
        path_of(chain, sizeof(chain), "upstream.pem");
        ae_forge_write_pem(cert, &issued, 1);
        ae_forge_write_pem(chain, &up, 1);
        ck_assert_msg(ae_ca_install(dir, cert, chain, now, &reason) == 0, "%s",
                      ae_svid_reason_id(reason));

        mint(dir, AE_CA_KEY_P256, now);
        path_of(bundle, sizeof(bundle), AE_CA_BUNDLE_FILE);
        /* svid.pem carries the signing CA; the bundle is the upstream root. */
        ck_assert_int_eq(verify_files(dir, bundle, true, now), AE_RP_OK);
        ck_assert_int_eq(verify_files(dir, bundle, false, now), AE_RP_CHAIN_UNTRUSTED);
        /* The same with the upstream root given as a plain PEM file. */
        path_of(up_bundle, sizeof(up_bundle), "upstream.pem");
        ck_assert_int_eq(verify_files(dir, up_bundle, true, now), AE_RP_OK);
        remove_dir();
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("rp_minted");
        TCase *tc = tcase_create("minted");

        tcase_add_loop_test(tc, self_signed_ca_each_key_type, 0,
                            (int)(sizeof(types) / sizeof(types[0])));
        tcase_add_test(tc, rotated_ca_bundle_holds_both_roots);
        tcase_add_test(tc, upstream_signed_ca_chain);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(suite());
}
