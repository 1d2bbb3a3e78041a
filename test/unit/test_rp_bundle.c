/* Trust bundles: roots per trust domain from PEM (named or by URI SAN) and
 * SPIFFE bundle JSON, what may be a root, limits, and that a refused
 * source adds nothing. */
#include "svid-issuer/rp_bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "check_util.h"
#include "common/base64.h"
#include "common/ossl.h"
#include "svid-issuer/jwt_jwk.h"
#include "svid-issuer/rp_pem.h"
#include "svid_forge.h"

#define NOW 1800000000LL

static struct ae_rp_bundle *new_bundle(void)
{
        struct ae_rp_bundle *b = NULL;

        ck_assert_int_eq(ae_rp_bundle_new(&b), 0);
        return b;
}

static X509 *root(const char *td, EVP_PKEY **ret_key)
{
        EVP_PKEY *k;
        X509 *x;

        ae_forge_root(td, NOW, &k, &x);
        if (ret_key)
                *ret_key = k;
        else
                EVP_PKEY_free(k);
        return x;
}

/* A CA certificate with o as given (URI SAN td_uri or none). */
static X509 *ca_with(struct ae_forge_opts *o)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = ae_forge_key();

        return ae_forge_cert(o, k, NULL, NULL);
}

static int add_pem(struct ae_rp_bundle *b, const char *td, X509 *const *certs, size_t n,
                   const char **why)
{
        _cleanup_free_ char *pem = ae_forge_pem(certs, n, NULL);

        return ae_rp_bundle_add_pem(b, td, pem, strlen(pem), why);
}

START_TEST(pem_named_trust_domain)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = new_bundle();
        _cleanup_(X509_freep) X509 *a1 = root("example.org", NULL);
        _cleanup_(X509_freep) X509 *a2 = root("example.org", NULL);
        struct ae_forge_opts o;
        _cleanup_(X509_freep) X509 *plain = NULL;
        X509 *certs[3];
        const char *why = NULL;

        /* A root without any URI SAN (an upstream PKI's) is fine when named. */
        ae_forge_ca_opts(&o, NULL, NOW);
        plain = ca_with(&o);
        certs[0] = a1, certs[1] = a2, certs[2] = plain;
        ck_assert_int_eq(add_pem(b, "example.org", certs, 3, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_count(b), 1);
        ck_assert_str_eq(ae_rp_bundle_trust_domain(b, 0), "example.org");
        ck_assert_ptr_null(ae_rp_bundle_trust_domain(b, 1));
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "example.org"), 3);
        ck_assert_ptr_nonnull(ae_rp_bundle_store(b, "example.org"));
        ck_assert_ptr_eq(ae_rp_bundle_store(b, "example.org"), ae_rp_bundle_store_at(b, 0));
        ck_assert_ptr_null(ae_rp_bundle_store(b, "other.org"));
        ck_assert_ptr_null(ae_rp_bundle_store_at(b, 1));
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "other.org"), 0);

        /* The same roots again: nothing new, no error. */
        ck_assert_int_eq(add_pem(b, "example.org", certs, 2, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "example.org"), 3);
        /* The same root under a second name is that name's root too. */
        ck_assert_int_eq(ae_rp_bundle_add_root(b, "mirror.example", plain, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_count(b), 2);
}
END_TEST

START_TEST(pem_trust_domain_from_uri_san)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = new_bundle();
        _cleanup_(X509_freep) X509 *a = root("a.example", NULL);
        _cleanup_(X509_freep) X509 *b1 = root("b.example", NULL);
        _cleanup_(X509_freep) X509 *b2 = root("b.example", NULL);
        X509 *certs[3] = { a, b1, b2 };
        const char *why = NULL;

        ck_assert_int_eq(add_pem(b, NULL, certs, 3, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_count(b), 2);
        ck_assert_str_eq(ae_rp_bundle_trust_domain(b, 0), "a.example");
        ck_assert_str_eq(ae_rp_bundle_trust_domain(b, 1), "b.example");
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "a.example"), 1);
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "b.example"), 2);
}
END_TEST

/* Each refused source, with the bundle left exactly as it was. */
static void refused(struct ae_rp_bundle *b, const char *td, X509 *const *certs, size_t n,
                    int err, const char *why_part)
{
        const char *why = NULL;

        ck_assert_int_eq(add_pem(b, td, certs, n, &why), err);
        ck_assert_ptr_nonnull(why);
        ck_assert_msg(strstr(why, why_part) != NULL, "why: %s", why);
        ck_assert_uint_eq(ae_rp_bundle_count(b), 1);
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "example.org"), 1);
}

START_TEST(what_may_be_a_root)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = new_bundle();
        _cleanup_(X509_freep) X509 *good = root("example.org", NULL);
        _cleanup_(X509_freep) X509 *other = root("other.org", NULL);
        _cleanup_(X509_freep) X509 *no_san = NULL, *not_ca = NULL, *no_certsign = NULL;
        _cleanup_(X509_freep) X509 *two_uris = NULL, *bad_ext = NULL;
        struct ae_forge_opts o;
        X509 *certs[2];

        ck_assert_int_eq(ae_rp_bundle_add_root(b, NULL, good, NULL), 0);

        ae_forge_ca_opts(&o, NULL, NOW);
        no_san = ca_with(&o);
        ae_forge_ca_opts(&o, "spiffe://new.org", NOW);
        o.ca = false;
        o.key_usage = KU_KEY_CERT_SIGN;
        not_ca = ca_with(&o);
        ae_forge_ca_opts(&o, "spiffe://new.org", NOW);
        o.key_usage = KU_DIGITAL_SIGNATURE;
        no_certsign = ca_with(&o);
        ae_forge_ca_opts(&o, "spiffe://new.org", NOW);
        o.uris[1] = "spiffe://new2.org";
        o.n_uris = 2;
        two_uris = ca_with(&o);
        ae_forge_ca_opts(&o, "spiffe://new.org", NOW);
        o.duplicate_san = true;
        bad_ext = ca_with(&o);

        /* A good root first, then a bad one: neither is added. */
        certs[0] = other;
        certs[1] = no_san;
        refused(b, NULL, certs, 2, -EBADMSG, "names no trust domain");
        certs[1] = two_uris;
        refused(b, NULL, certs, 2, -EBADMSG, "names no trust domain");
        certs[1] = not_ca;
        refused(b, NULL, certs, 2, -EBADMSG, "not a CA");
        refused(b, "new.org", certs + 1, 1, -EBADMSG, "not a CA");
        certs[1] = no_certsign;
        refused(b, NULL, certs, 2, -EBADMSG, "keyCertSign");
        certs[1] = bad_ext;
        refused(b, NULL, certs, 2, -EBADMSG, "malformed extensions");
        /* A root naming one trust domain cannot serve another. */
        refused(b, "example.com", &other, 1, -EBADMSG, "another trust domain");
        refused(b, "Example.org", &other, 1, -EINVAL, "trust domain");
}
END_TEST

START_TEST(pem_text_refusals)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = new_bundle();
        _cleanup_(X509_freep) X509 *good = root("example.org", NULL);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = ae_forge_key();
        _cleanup_free_ char *pem = ae_forge_pem(&good, 1, NULL);
        _cleanup_(BIO_free_allp) BIO *bio = BIO_new(BIO_s_mem());
        char text[8192], *mid;
        const char *why = NULL;
        char *kdata;
        long klen;

        ck_assert_int_eq(ae_rp_bundle_add_pem(b, "example.org", pem, strlen(pem), &why), 0);
        ck_assert_int_eq(ae_rp_bundle_add_pem(b, NULL, "", 0, &why), -EBADMSG);
        ck_assert_str_eq(why, "no certificate");
        ck_assert_int_eq(ae_rp_bundle_add_pem(b, NULL, "hello\n", 6, &why), -EBADMSG);
        ck_assert_str_eq(why, "no certificate");

        /* A private key block in a bundle is a mistake, not something to skip. */
        ck_assert(PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL));
        klen = BIO_get_mem_data(bio, &kdata);
        snprintf(text, sizeof(text), "%s%.*s", pem, (int)klen, kdata);
        ck_assert_int_eq(ae_rp_bundle_add_pem(b, "third.org", text, strlen(text), &why), -EBADMSG);
        ck_assert_str_eq(why, "PEM block is not a CERTIFICATE");

        /* Text around blocks is fine; a damaged body is not. */
        snprintf(text, sizeof(text), "subject: the root\n%strailer\n", pem);
        ck_assert_int_eq(ae_rp_bundle_add_pem(b, NULL, text, strlen(text), &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "example.org"), 1);
        snprintf(text, sizeof(text), "%s", pem);
        mid = strstr(text, "\n") + 10;
        *mid = '*';
        ck_assert_int_eq(ae_rp_bundle_add_pem(b, "third.org", text, strlen(text), &why), -EBADMSG);
        ck_assert_str_eq(why, "malformed PEM block");
        /* Valid base64 that is not a certificate. */
        snprintf(text, sizeof(text), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        ck_assert_int_eq(ae_rp_bundle_add_pem(b, "third.org", text, strlen(text), &why), -EBADMSG);
        ck_assert_str_eq(why, "certificate DER malformed");
        ck_assert_uint_eq(ae_rp_bundle_count(b), 1);
        ck_assert_ptr_null(ae_rp_bundle_store(b, "third.org"));
}
END_TEST

/* The PEM reader SVID files go through too: order kept, limits. */
START_TEST(pem_certs_in_order)
{
        _cleanup_(X509_freep) X509 *a = root("a.org", NULL), *b = root("b.org", NULL);
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *got = NULL;
        X509 *certs[2] = { b, a };
        _cleanup_free_ char *pem = ae_forge_pem(certs, 2, NULL);
        char path[] = "/tmp/aegis-rp-pem-XXXXXX";
        const char *why = NULL;
        int fd;

        ck_assert_int_eq(ae_rp_pem_certs(pem, strlen(pem), &got, &why), 0);
        ck_assert_int_eq(sk_X509_num(got), 2);
        ck_assert_int_eq(X509_cmp(sk_X509_value(got, 0), b), 0);
        ck_assert_int_eq(X509_cmp(sk_X509_value(got, 1), a), 0);
        ae_x509_stack_free(TAKE_PTR(got));

        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, pem, strlen(pem)), (ssize_t)strlen(pem));
        close(fd);
        ck_assert_int_eq(ae_rp_pem_file_certs(path, &got, &why), 0);
        ck_assert_int_eq(sk_X509_num(got), 2);
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(ae_rp_pem_file_certs(path, &got, &why), -ENOENT);
        ck_assert_str_eq(why, "cannot read the PEM file");
        ck_assert_int_eq(ae_rp_pem_certs(pem, AE_RP_PEM_MAX + 1, &got, &why), -E2BIG);
        ck_assert_int_eq(ae_rp_pem_certs(NULL, 0, &got, &why), -EBADMSG);
        ck_assert_int_eq(ae_rp_pem_certs(pem, strlen(pem), NULL, &why), -EINVAL);
}
END_TEST

START_TEST(limits)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = new_bundle();
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *many = sk_X509_new_null();
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *domains = sk_X509_new_null();
        const char *why = NULL;
        char td[32];

        for (int i = 0; i <= AE_RP_BUNDLE_ROOTS_MAX; i++)
                ck_assert(sk_X509_push(many, root("example.org", NULL)) > 0);
        ck_assert_int_eq(ae_rp_bundle_add_roots(b, NULL, many, &why), -E2BIG);
        ck_assert_str_eq(why, "too many roots for one trust domain");
        ck_assert_uint_eq(ae_rp_bundle_count(b), 0);
        X509_free(sk_X509_pop(many));
        ck_assert_int_eq(ae_rp_bundle_add_roots(b, NULL, many, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "example.org"), AE_RP_BUNDLE_ROOTS_MAX);

        for (int i = 1; i < AE_RP_BUNDLE_DOMAINS_MAX; i++) {
                snprintf(td, sizeof(td), "d%d.org", i);
                ck_assert(sk_X509_push(domains, root(td, NULL)) > 0);
        }
        ck_assert(sk_X509_push(domains, root("one-too-many.org", NULL)) > 0);
        ck_assert_int_eq(ae_rp_bundle_add_roots(b, NULL, domains, &why), -E2BIG);
        ck_assert_str_eq(why, "too many trust domains");
        ck_assert_uint_eq(ae_rp_bundle_count(b), 1);
        X509_free(sk_X509_pop(domains));
        ck_assert_int_eq(ae_rp_bundle_add_roots(b, NULL, domains, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_count(b), AE_RP_BUNDLE_DOMAINS_MAX);
}
END_TEST

/* ---- SPIFFE bundle JSON ---- */

static json_t *x509_jwk(X509 *cert, EVP_PKEY *key)
{
        json_t *jwk = json_object();
        unsigned char *der = NULL;
        int len = i2d_X509(cert, &der);
        char b64[8192];

        ck_assert(jwk && len > 0);
        ck_assert_int_eq(ae_jwt_jwk_add_public(key, jwk), 0);
        ck_assert_int_eq(ae_b64_encode(AE_B64_STD, der, (size_t)len, b64, sizeof(b64), NULL), 0);
        OPENSSL_free(der);
        json_object_set_new(jwk, "use", json_string("x509-svid"));
        json_object_set_new(jwk, "x5c", json_pack("[s]", b64));
        return jwk;
}

static int add_json(struct ae_rp_bundle *b, const char *td, json_t *doc, const char **why)
{
        _cleanup_free_ char *text = json_dumps(doc, JSON_COMPACT);

        ck_assert_ptr_nonnull(text);
        return ae_rp_bundle_add_spiffe_json(b, td, text, strlen(text), why);
}

START_TEST(spiffe_bundle_json)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = new_bundle();
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k1 = NULL, *k2 = NULL, *jwt_key = ae_forge_key();
        _cleanup_(X509_freep) X509 *r1 = root("example.org", &k1);
        _cleanup_(X509_freep) X509 *r2 = root("example.org", &k2);
        json_auto_t *doc = json_object(), *keys = json_array(), *jwt = json_object();
        const char *why = NULL;

        ck_assert_int_eq(ae_jwt_jwk_add_public(jwt_key, jwt), 0);
        json_object_set_new(jwt, "use", json_string("jwt-svid"));
        json_object_set_new(jwt, "kid", json_string("k1"));
        json_array_append_new(keys, x509_jwk(r1, k1));
        json_array_append(keys, jwt);
        json_array_append_new(keys, x509_jwk(r2, k2));
        json_array_append_new(keys, json_pack("{s:s,s:s}", "use", "other", "kty", "OKP"));
        json_object_set(doc, "keys", keys);
        json_object_set_new(doc, "spiffe_sequence", json_integer(7));
        json_object_set_new(doc, "spiffe_refresh_hint", json_integer(300));

        ck_assert_int_eq(add_json(b, "example.org", doc, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "example.org"), 2);
        /* The JSON does not name its trust domain: the caller must. */
        ck_assert_int_eq(add_json(b, NULL, doc, &why), -EINVAL);
        /* A root naming example.org cannot be other.org's. */
        ck_assert_int_eq(add_json(b, "other.org", doc, &why), -EBADMSG);
        ck_assert_str_eq(why, "root's URI SAN names another trust domain");
        ck_assert_uint_eq(ae_rp_bundle_count(b), 1);
}
END_TEST

START_TEST(spiffe_bundle_json_refusals)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = new_bundle();
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k1 = NULL, *k2 = NULL;
        _cleanup_(X509_freep) X509 *r1 = root("example.org", &k1);
        _cleanup_(X509_freep) X509 *r2 = root("example.org", &k2);
        static const struct {
                const char *json, *why;
        } texts[] = {
                { "[]", "bundle is not one JSON object" },
                { "{\"keys\":[]", "bundle is not one JSON object" },
                { "{\"keys\":[],\"keys\":[]}", "bundle is not one JSON object" },
                { "{\"spiffe_sequence\":1}", "bundle lacks a \"keys\" array" },
                { "{\"keys\":{}}", "bundle lacks a \"keys\" array" },
                { "{\"keys\":[1]}", "bundle key is not an object" },
                { "{\"keys\":[]}", "bundle has no x509-svid authority" },
                { "{\"keys\":[{\"use\":\"jwt-svid\"}]}", "bundle has no x509-svid authority" },
                { "{\"keys\":[{\"use\":\"x509-svid\"}]}", "x509-svid element needs exactly one x5c entry" },
                { "{\"keys\":[{\"use\":\"x509-svid\",\"x5c\":[]}]}", "x509-svid element needs exactly one x5c entry" },
                { "{\"keys\":[{\"use\":\"x509-svid\",\"x5c\":[1]}]}", "x5c entry is not a string of a sane size" },
                { "{\"keys\":[{\"use\":\"x509-svid\",\"x5c\":[\"AA-_\"]}]}", "x5c entry is not base64" },
                { "{\"keys\":[{\"use\":\"x509-svid\",\"x5c\":[\"AAAA\"]}]}", "x5c certificate DER malformed" },
        };
        json_auto_t *two = json_pack("{s:[o]}", "keys", x509_jwk(r1, k1));
        json_auto_t *mismatch = json_pack("{s:[o]}", "keys", x509_jwk(r1, k2));
        json_auto_t *unknown_kty = json_pack("{s:[o]}", "keys", x509_jwk(r1, k1));
        json_t *x5c = json_object_get(json_array_get(json_object_get(two, "keys"), 0), "x5c");
        json_t *jwk = json_array_get(json_object_get(unknown_kty, "keys"), 0);
        const char *why = NULL;

        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
                why = NULL;
                ck_assert_int_lt(ae_rp_bundle_add_spiffe_json(b, "example.org", texts[i].json,
                                                              strlen(texts[i].json), &why), 0);
                ck_assert_msg(why && strcmp(why, texts[i].why) == 0, "%s: %s", texts[i].json, why);
        }
        json_array_append(x5c, json_array_get(x5c, 0));
        ck_assert_int_eq(add_json(b, "example.org", two, &why), -EBADMSG);
        ck_assert_str_eq(why, "x509-svid element needs exactly one x5c entry");
        ck_assert_int_eq(add_json(b, "example.org", mismatch, &why), -EBADMSG);
        ck_assert_str_eq(why, "x509-svid element's key differs from its certificate's");
        /* An unknown key type is skipped, as the bundle standard asks. */
        json_object_set_new(jwk, "kty", json_string("OKP"));
        ck_assert_int_eq(add_json(b, "example.org", unknown_kty, &why), -EBADMSG);
        ck_assert_str_eq(why, "bundle has no x509-svid authority");
        ck_assert_uint_eq(ae_rp_bundle_count(b), 0);
        (void)r2;
}
END_TEST

/* ---- files and the command-line form ---- */

START_TEST(files_and_args)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *b = new_bundle();
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        _cleanup_(X509_freep) X509 *a = root("a.org", NULL);
        _cleanup_(X509_freep) X509 *j = root("j.org", &k);
        _cleanup_(X509_freep) X509 *c = root("c.org", NULL);
        json_auto_t *doc = json_pack("{s:[o]}", "keys", x509_jwk(j, k));
        char dir[] = "/tmp/aegis-rp-bundle-XXXXXX", pem[128], json[128], odd[128], big[128];
        char arg[300];
        const char *why = NULL;
        _cleanup_fclose_ FILE *f = NULL;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(pem, sizeof(pem), "%s/a.pem", dir);
        snprintf(json, sizeof(json), "%s/j.json", dir);
        snprintf(odd, sizeof(odd), "%s/x=c.pem", dir);
        snprintf(big, sizeof(big), "%s/big.pem", dir);
        ae_forge_write_pem(pem, &a, 1);
        ae_forge_write_pem(odd, &c, 1);
        ck_assert_int_eq(json_dump_file(doc, json, 0), 0);
        f = fopen(big, "w");
        ck_assert_ptr_nonnull(f);
        for (int i = 0; i < AE_RP_BUNDLE_FILE_MAX / 64 + 1; i++)
                fputs("0123456789012345678901234567890123456789012345678901234567890123", f);
        ck_assert_int_eq(fclose(TAKE_PTR(f)), 0);

        ck_assert_int_eq(ae_rp_bundle_load_file(b, NULL, pem, &why), 0);
        ck_assert_int_eq(ae_rp_bundle_load_file(b, NULL, json, &why), -EINVAL);
        ck_assert_str_eq(why, "a SPIFFE bundle JSON file needs td=");
        snprintf(arg, sizeof(arg), "j.org=%s", json);
        ck_assert_int_eq(ae_rp_bundle_load_arg(b, arg, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "j.org"), 1);
        /* "x=c.pem" inside a path is not a trust domain prefix. */
        ck_assert_int_eq(ae_rp_bundle_load_arg(b, odd, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "c.org"), 1);
        snprintf(arg, sizeof(arg), "a.org=%s", pem);
        ck_assert_int_eq(ae_rp_bundle_load_arg(b, arg, &why), 0);
        ck_assert_uint_eq(ae_rp_bundle_root_count(b, "a.org"), 1);
        ck_assert_int_eq(ae_rp_bundle_load_arg(b, "a.org=", &why), -EINVAL);
        ck_assert_int_eq(ae_rp_bundle_load_arg(b, "", &why), -EINVAL);
        snprintf(arg, sizeof(arg), "%s/missing.pem", dir);
        ck_assert_int_eq(ae_rp_bundle_load_arg(b, arg, &why), -ENOENT);
        ck_assert_str_eq(why, "cannot read the bundle file");
        ck_assert_int_eq(ae_rp_bundle_load_file(b, "big.org", big, &why), -E2BIG);
        ck_assert_int_eq(ae_rp_bundle_load_file(b, "dir.org", dir, &why), -EINVAL);
        ck_assert_uint_eq(ae_rp_bundle_count(b), 3);

        ck_assert_int_eq(unlink(pem), 0);
        ck_assert_int_eq(unlink(json), 0);
        ck_assert_int_eq(unlink(odd), 0);
        ck_assert_int_eq(unlink(big), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(references)
{
        struct ae_rp_bundle *b = new_bundle();
        _cleanup_(X509_freep) X509 *a = root("a.org", NULL);

        ck_assert_ptr_eq(ae_rp_bundle_ref(b), b);
        ae_rp_bundle_unref(b);
        /* Still alive: the first reference remains. */
        ck_assert_int_eq(ae_rp_bundle_add_root(b, NULL, a, NULL), 0);
        ck_assert_uint_eq(ae_rp_bundle_count(b), 1);
        ae_rp_bundle_unref(b);
        ae_rp_bundle_unref(NULL);
        ck_assert_ptr_null(ae_rp_bundle_ref(NULL));
        ck_assert_uint_eq(ae_rp_bundle_count(NULL), 0);
        ck_assert_int_eq(ae_rp_bundle_new(NULL), -EINVAL);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("rp_bundle");
        TCase *tc = tcase_create("bundle");

        tcase_add_test(tc, pem_named_trust_domain);
        tcase_add_test(tc, pem_trust_domain_from_uri_san);
        tcase_add_test(tc, what_may_be_a_root);
        tcase_add_test(tc, pem_text_refusals);
        tcase_add_test(tc, pem_certs_in_order);
        tcase_add_test(tc, limits);
        tcase_add_test(tc, spiffe_bundle_json);
        tcase_add_test(tc, spiffe_bundle_json_refusals);
        tcase_add_test(tc, files_and_args);
        tcase_add_test(tc, references);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(suite());
}
