#include "node-attestor/verify/ek_trust.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "check_util.h"
#include "common/ossl.h"
#include "node-attestor/verify/ek_id.h"
#include "node-attestor/verify/ek_parse.h"

/* Every certificate is dated relative to T0 and checked at T0, so the test
 * means the same whatever the machine's clock says. */
#define T0 ((time_t)1800000000) /* 2027-01-15 */
#define DAY (24L * 3600)
#define YEAR (365 * DAY)

struct pki_cert {
        X509 *x509;
        EVP_PKEY *key;
        uint8_t *der;
        size_t len;
};

static struct {
        struct pki_cert root, inter, leaf, leaf_rsa, expired, future;
        struct pki_cert rogue_root, rogue_inter, rogue_leaf;
        struct pki_cert not_ca, below_not_ca;
        struct pki_cert sub_ca, below_sub_ca;
        struct ae_ek_trust *trust;
} pki;

static long serial = 1;

/* Building the test PKI happens before Check runs any test, where ck_assert
 * cannot report: fail loudly instead. */
#define NEED(cond)                                                             \
        do {                                                                   \
                if (!(cond)) {                                                 \
                        fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                               \
                }                                                              \
        } while (0)

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
        X509V3_CTX v3;
        X509_EXTENSION *ext;

        X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
        ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
        NEED(ext);
        NEED(X509_add_ext(cert, ext, -1) == 1);
        X509_EXTENSION_free(ext);
}

/* A certificate for a fresh key. issuer NULL: self-signed. ca: NULL for an
 * end entity (an EK), else the basicConstraints value. */
static struct pki_cert make_cert(const char *cn, const struct pki_cert *issuer, const char *ca,
                                 bool rsa, long from, long to)
{
        struct pki_cert c = { 0 };
        X509_NAME *name = X509_NAME_new();
        unsigned char *p;
        time_t base = T0;
        int len;

        c.key = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
        NEED(c.key);
        c.x509 = X509_new();
        NEED(X509_set_version(c.x509, X509_VERSION_3) == 1);
        NEED(ASN1_INTEGER_set(X509_get_serialNumber(c.x509), serial++) == 1);
        NEED(X509_time_adj_ex(X509_getm_notBefore(c.x509), 0, from, &base));
        NEED(X509_time_adj_ex(X509_getm_notAfter(c.x509), 0, to, &base));
        NEED(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                        -1, 0) == 1);
        NEED(X509_set_subject_name(c.x509, name) == 1);
        NEED(X509_set_issuer_name(c.x509,
                                  issuer ? X509_get_subject_name(issuer->x509) : name) == 1);
        X509_NAME_free(name);
        NEED(X509_set_pubkey(c.x509, c.key) == 1);

        X509 *issuer_x509 = issuer ? issuer->x509 : c.x509;
        add_ext(c.x509, issuer_x509, NID_subject_key_identifier, "hash");
        if (issuer)
                add_ext(c.x509, issuer_x509, NID_authority_key_identifier, "keyid:always");
        if (ca) {
                add_ext(c.x509, issuer_x509, NID_basic_constraints, ca);
                add_ext(c.x509, issuer_x509, NID_key_usage, "critical,keyCertSign,cRLSign");
        } else {
                add_ext(c.x509, issuer_x509, NID_basic_constraints, "critical,CA:FALSE");
                add_ext(c.x509, issuer_x509, NID_key_usage, "critical,keyEncipherment");
                add_ext(c.x509, issuer_x509, NID_ext_key_usage, "2.23.133.8.1");
        }
        NEED(X509_sign(c.x509, issuer ? issuer->key : c.key, EVP_sha256()) > 0);

        len = i2d_X509(c.x509, NULL);
        NEED(len > 0);
        c.der = malloc((size_t)len);
        NEED(c.der);
        p = c.der;
        NEED(i2d_X509(c.x509, &p) == len);
        c.len = (size_t)len;
        return c;
}

static void free_cert(struct pki_cert *c)
{
        X509_free(c->x509);
        EVP_PKEY_free(c->key);
        free(c->der);
        memset(c, 0, sizeof(*c));
}

/* PEM of the given certificates, in order, as a malloc'd buffer. */
static char *pem_of(size_t *ret_len, const struct pki_cert *const *certs, size_t n)
{
        BIO *bio = BIO_new(BIO_s_mem());
        char *data, *copy;
        long len;

        NEED(bio);
        for (size_t i = 0; i < n; i++)
                NEED(PEM_write_bio_X509(bio, certs[i]->x509) == 1);
        len = BIO_get_mem_data(bio, &data);
        NEED(len >= 0);
        copy = malloc((size_t)len + 1);
        NEED(copy);
        memcpy(copy, data, (size_t)len);
        copy[len] = '\0';
        BIO_free(bio);
        *ret_len = (size_t)len;
        return copy;
}

static struct ae_ek_trust *trust_of(const struct pki_cert *const *certs, size_t n)
{
        struct ae_ek_trust *trust = NULL;
        size_t len;
        char *pem = pem_of(&len, certs, n);

        NEED(ae_ek_trust_load_pem(pem, len, &trust) == 0);
        free(pem);
        return trust;
}

static enum ae_ek_reason check_at(const struct ae_ek_trust *trust, const uint8_t *der,
                                  size_t len, time_t now)
{
        enum ae_ek_reason reason = AE_EK_REASON_COUNT;

        ck_assert_int_eq(ae_ek_trust_check_chain(trust, der, len, now, &reason), 0);
        ck_assert_int_lt(reason, AE_EK_REASON_COUNT);
        return reason;
}

static enum ae_ek_reason check(const struct pki_cert *c)
{
        return check_at(pki.trust, c->der, c->len, T0);
}

/* Write len bytes to a fresh temporary file; returns its malloc'd path. */
static char *temp_file(const void *data, size_t len)
{
        const char *dir = getenv("TMPDIR");
        char *path = malloc(PATH_MAX);
        int fd;

        ck_assert_ptr_nonnull(path);
        ck_assert_int_lt(snprintf(path, PATH_MAX, "%s/ek_trust.XXXXXX", dir && *dir ? dir : "/tmp"),
                         PATH_MAX);
        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
        ck_assert_int_eq(close(fd), 0);
        return path;
}

static void build_pki(void)
{
        pki.root = make_cert("Test EK Root CA", NULL, "critical,CA:TRUE", true, -YEAR, 20 * YEAR);
        pki.inter = make_cert("Test EK Intermediate CA", &pki.root, "critical,CA:TRUE,pathlen:0",
                              false, -YEAR, 10 * YEAR);
        pki.leaf = make_cert("ek", &pki.inter, NULL, false, -DAY, 5 * YEAR);
        pki.leaf_rsa = make_cert("ek-rsa", &pki.inter, NULL, true, -DAY, 5 * YEAR);
        pki.expired = make_cert("ek-expired", &pki.inter, NULL, false, -2 * YEAR, -DAY);
        pki.future = make_cert("ek-future", &pki.inter, NULL, false, DAY, 2 * YEAR);

        pki.rogue_root = make_cert("Rogue Root CA", NULL, "critical,CA:TRUE", false, -YEAR,
                                   20 * YEAR);
        pki.rogue_inter = make_cert("Rogue Intermediate CA", &pki.rogue_root,
                                    "critical,CA:TRUE,pathlen:0", false, -YEAR, 10 * YEAR);
        pki.rogue_leaf = make_cert("ek-rogue", &pki.rogue_inter, NULL, false, -DAY, 5 * YEAR);

        /* An end-entity certificate used as if it were a CA. */
        pki.not_ca = make_cert("ek-acting-as-ca", &pki.inter, NULL, false, -DAY, 5 * YEAR);
        pki.below_not_ca = make_cert("ek-below-ee", &pki.not_ca, NULL, false, -DAY, 5 * YEAR);

        /* A CA below an intermediate whose pathlen:0 forbids one. */
        pki.sub_ca = make_cert("Sub CA", &pki.inter, "critical,CA:TRUE", false, -DAY, 5 * YEAR);
        pki.below_sub_ca = make_cert("ek-below-sub-ca", &pki.sub_ca, NULL, false, -DAY, 5 * YEAR);

        pki.trust = trust_of((const struct pki_cert *[]){ &pki.root, &pki.inter }, 2);
}

static void free_pki(void)
{
        ae_ek_trust_free(pki.trust);
        struct pki_cert *all[] = { &pki.root,       &pki.inter,       &pki.leaf,
                                   &pki.leaf_rsa,   &pki.expired,     &pki.future,
                                   &pki.rogue_root, &pki.rogue_inter, &pki.rogue_leaf,
                                   &pki.not_ca,     &pki.below_not_ca, &pki.sub_ca,
                                   &pki.below_sub_ca };
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
                free_cert(all[i]);
}

START_TEST(good_chain_is_ok)
{
        size_t anchors, inters;

        ae_ek_trust_counts(pki.trust, &anchors, &inters);
        ck_assert_uint_eq(anchors, 1);
        ck_assert_uint_eq(inters, 1);
        ck_assert_int_eq(check(&pki.leaf), AE_EK_OK);
        ck_assert_int_eq(check(&pki.leaf_rsa), AE_EK_OK);
}
END_TEST

START_TEST(bundle_order_does_not_matter)
{
        _cleanup_ek_trust_ struct ae_ek_trust *t =
                trust_of((const struct pki_cert *[]){ &pki.inter, &pki.root }, 2);

        ck_assert_int_eq(check_at(t, pki.leaf.der, pki.leaf.len, T0), AE_EK_OK);
}
END_TEST

START_TEST(rogue_chain_is_untrusted)
{
        ck_assert_int_eq(check(&pki.rogue_leaf), AE_EK_UNTRUSTED);
        /* The rogue CA's own certificates are not anchors either. */
        ck_assert_int_eq(check(&pki.rogue_inter), AE_EK_UNTRUSTED);
        ck_assert_int_eq(check(&pki.rogue_root), AE_EK_UNTRUSTED);
}
END_TEST

START_TEST(rogue_chain_ok_against_rogue_bundle)
{
        _cleanup_ek_trust_ struct ae_ek_trust *t =
                trust_of((const struct pki_cert *[]){ &pki.rogue_root, &pki.rogue_inter }, 2);

        ck_assert_int_eq(check_at(t, pki.rogue_leaf.der, pki.rogue_leaf.len, T0), AE_EK_OK);
        ck_assert_int_eq(check_at(t, pki.leaf.der, pki.leaf.len, T0), AE_EK_UNTRUSTED);
}
END_TEST

START_TEST(missing_intermediate_is_untrusted)
{
        _cleanup_ek_trust_ struct ae_ek_trust *t =
                trust_of((const struct pki_cert *[]){ &pki.root }, 1);

        ck_assert_int_eq(check_at(t, pki.leaf.der, pki.leaf.len, T0), AE_EK_UNTRUSTED);
}
END_TEST

START_TEST(expired_leaf)
{
        ck_assert_int_eq(check(&pki.expired), AE_EK_EXPIRED);
}
END_TEST

START_TEST(not_yet_valid_leaf)
{
        ck_assert_int_eq(check(&pki.future), AE_EK_NOT_YET_VALID);
}
END_TEST

START_TEST(validity_is_judged_at_now)
{
        /* The good leaf, at times outside its window. */
        ck_assert_int_eq(check_at(pki.trust, pki.leaf.der, pki.leaf.len, T0 + 6 * YEAR),
                         AE_EK_EXPIRED);
        ck_assert_int_eq(check_at(pki.trust, pki.leaf.der, pki.leaf.len, T0 - 2 * DAY),
                         AE_EK_NOT_YET_VALID);
        /* And the bad ones at times inside theirs. */
        ck_assert_int_eq(check_at(pki.trust, pki.expired.der, pki.expired.len, T0 - YEAR),
                         AE_EK_OK);
        ck_assert_int_eq(check_at(pki.trust, pki.future.der, pki.future.len, T0 + YEAR),
                         AE_EK_OK);
}
END_TEST

START_TEST(tampered_signature_byte)
{
        uint8_t *der = malloc(pki.leaf.len);

        ck_assert_ptr_nonnull(der);
        memcpy(der, pki.leaf.der, pki.leaf.len);
        /* The last byte belongs to the signature value. */
        der[pki.leaf.len - 1] ^= 0x01;
        ck_assert_int_eq(check_at(pki.trust, der, pki.leaf.len, T0), AE_EK_SIGNATURE_INVALID);
        free(der);
}
END_TEST

START_TEST(tampered_signed_byte)
{
        uint8_t *der = malloc(pki.leaf.len);
        X509 *probe;
        const unsigned char *p;
        size_t i;

        ck_assert_ptr_nonnull(der);
        memcpy(der, pki.leaf.der, pki.leaf.len);
        /* Flip a byte of the subject CN "ek" inside the signed part: still a
         * well-formed certificate, no longer the one the CA signed. */
        for (i = 2; i + 1 < pki.leaf.len; i++)
                if (der[i - 2] == 0x0c && der[i - 1] == 2 && der[i] == 'e' && der[i + 1] == 'k')
                        break;
        ck_assert_uint_lt(i + 1, pki.leaf.len);
        der[i] = 'E';
        p = der;
        probe = d2i_X509(NULL, &p, (long)pki.leaf.len);
        ck_assert_ptr_nonnull(probe);
        X509_free(probe);
        ck_assert_int_eq(check_at(pki.trust, der, pki.leaf.len, T0), AE_EK_SIGNATURE_INVALID);
        free(der);
}
END_TEST

START_TEST(truncated_der_is_malformed)
{
        ck_assert_int_eq(check_at(pki.trust, pki.leaf.der, pki.leaf.len - 1, T0),
                         AE_EK_MALFORMED);
        ck_assert_int_eq(check_at(pki.trust, pki.leaf.der, pki.leaf.len / 2, T0),
                         AE_EK_MALFORMED);
        ck_assert_int_eq(check_at(pki.trust, pki.leaf.der, 1, T0), AE_EK_MALFORMED);
        ck_assert_int_eq(check_at(pki.trust, pki.leaf.der, 0, T0), AE_EK_MALFORMED);
}
END_TEST

START_TEST(trailing_bytes_are_malformed)
{
        size_t n = pki.leaf.len;
        uint8_t *der = malloc(2 * n);

        ck_assert_ptr_nonnull(der);
        memcpy(der, pki.leaf.der, n);
        der[n] = 0x00;
        ck_assert_int_eq(check_at(pki.trust, der, n + 1, T0), AE_EK_MALFORMED);
        /* Two valid certificates back to back are not one certificate. */
        memcpy(der + n, pki.leaf.der, n);
        ck_assert_int_eq(check_at(pki.trust, der, 2 * n, T0), AE_EK_MALFORMED);
        free(der);
}
END_TEST

START_TEST(garbage_is_malformed)
{
        static const uint8_t junk[] = "-----BEGIN CERTIFICATE-----";

        ck_assert_int_eq(check_at(pki.trust, junk, sizeof(junk) - 1, T0), AE_EK_MALFORMED);
}
END_TEST

/* A copy of c's DER whose P-256 public key no longer decodes. */
static uint8_t *with_undecodable_key(const struct pki_cert *c)
{
        uint8_t *der = malloc(c->len);
        size_t i;

        ck_assert_ptr_nonnull(der);
        memcpy(der, c->der, c->len);
        /* The point in the SubjectPublicKeyInfo: BIT STRING of 66 bytes, no
         * unused bits, uncompressed form 0x04. 0x05 is no point format
         * (0x06 and 0x07 would be the hybrid forms, which decode). */
        for (i = 0; i + 3 < c->len; i++)
                if (!memcmp(der + i, (const uint8_t[]){ 0x03, 0x42, 0x00, 0x04 }, 4))
                        break;
        ck_assert_uint_lt(i + 3, c->len);
        der[i + 3] = 0x05;
        return der;
}

START_TEST(undecodable_key_is_malformed)
{
        uint8_t *der = with_undecodable_key(&pki.leaf);
        const unsigned char *p = der;
        X509 *probe = d2i_X509(NULL, &p, (long)pki.leaf.len);

        /* Still a certificate by its ASN.1 structure... */
        ck_assert_ptr_nonnull(probe);
        X509_free(probe);
        /* ...but not one with a usable key: a verdict, not an internal error. */
        ck_assert_int_eq(check_at(pki.trust, der, pki.leaf.len, T0), AE_EK_MALFORMED);
        free(der);
}
END_TEST

START_TEST(too_large)
{
        uint8_t *big = calloc(1, AE_EK_CERT_MAX + 1);

        ck_assert_ptr_nonnull(big);
        ck_assert_int_eq(check_at(pki.trust, big, AE_EK_CERT_MAX + 1, T0), AE_EK_TOO_LARGE);
        /* Exactly the limit is parsed (and found malformed), not refused. */
        ck_assert_int_eq(check_at(pki.trust, big, AE_EK_CERT_MAX, T0), AE_EK_MALFORMED);
        free(big);
}
END_TEST

START_TEST(issuer_not_a_ca)
{
        _cleanup_ek_trust_ struct ae_ek_trust *t = trust_of(
                (const struct pki_cert *[]){ &pki.root, &pki.inter, &pki.not_ca }, 3);

        ck_assert_int_eq(check_at(t, pki.below_not_ca.der, pki.below_not_ca.len, T0),
                         AE_EK_ISSUER_NOT_CA);
}
END_TEST

START_TEST(path_length_exceeded)
{
        _cleanup_ek_trust_ struct ae_ek_trust *t = trust_of(
                (const struct pki_cert *[]){ &pki.root, &pki.inter, &pki.sub_ca }, 3);

        ck_assert_int_eq(check_at(t, pki.below_sub_ca.der, pki.below_sub_ca.len, T0),
                         AE_EK_CHAIN_INVALID);
}
END_TEST

START_TEST(bad_arguments)
{
        enum ae_ek_reason reason = AE_EK_REASON_COUNT;

        ck_assert_int_eq(ae_ek_trust_check_chain(NULL, pki.leaf.der, pki.leaf.len, T0, &reason),
                         -EINVAL);
        ck_assert_int_eq(ae_ek_trust_check_chain(pki.trust, NULL, 10, T0, &reason), -EINVAL);
        ck_assert_int_eq(ae_ek_trust_check_chain(pki.trust, pki.leaf.der, pki.leaf.len, T0, NULL),
                         -EINVAL);
        /* Outputs are written only on success. */
        ck_assert_int_eq(reason, AE_EK_REASON_COUNT);
}
END_TEST

START_TEST(bundle_file_loads)
{
        _cleanup_ek_trust_ struct ae_ek_trust *t = NULL;
        size_t len;
        char *pem = pem_of(&len, (const struct pki_cert *[]){ &pki.root, &pki.inter }, 2);
        char *path = temp_file(pem, len);
        int r = ae_ek_trust_load_file(path, &t);

        /* Before any assertion, so a failing test leaves no file behind. */
        unlink(path);
        free(path);
        ck_assert_int_eq(r, 0);
        ck_assert_int_eq(check_at(t, pki.leaf.der, pki.leaf.len, T0), AE_EK_OK);
        free(pem);
}
END_TEST

START_TEST(bundle_file_missing)
{
        struct ae_ek_trust *t = NULL;

        ck_assert_int_eq(ae_ek_trust_load_file("/nonexistent/aegis/ek-ca.pem", &t), -ENOENT);
        ck_assert_ptr_null(t);
        ck_assert_int_eq(ae_ek_trust_load_file(NULL, &t), -EINVAL);
}
END_TEST

START_TEST(bundle_file_too_big)
{
        struct ae_ek_trust *t = NULL;
        char *blank = malloc(AE_EK_TRUST_BUNDLE_MAX + 1);
        char *path;
        int r;

        ck_assert_ptr_nonnull(blank);
        memset(blank, '\n', AE_EK_TRUST_BUNDLE_MAX + 1);
        path = temp_file(blank, AE_EK_TRUST_BUNDLE_MAX + 1);
        r = ae_ek_trust_load_file(path, &t);
        unlink(path);
        free(path);
        ck_assert_int_eq(r, -EFBIG);
        ck_assert_ptr_null(t);
        free(blank);
}
END_TEST

START_TEST(bundle_without_certificates)
{
        struct ae_ek_trust *t = NULL;
        static const char text[] = "just a comment\n";

        ck_assert_int_eq(ae_ek_trust_load_pem("", 0, &t), -ENODATA);
        ck_assert_int_eq(ae_ek_trust_load_pem(text, sizeof(text) - 1, &t), -ENODATA);
        ck_assert_ptr_null(t);
}
END_TEST

START_TEST(bundle_without_anchor)
{
        struct ae_ek_trust *t = NULL;
        size_t len;
        char *pem = pem_of(&len, (const struct pki_cert *[]){ &pki.inter }, 1);

        ck_assert_int_eq(ae_ek_trust_load_pem(pem, len, &t), -ENOKEY);
        ck_assert_ptr_null(t);
        free(pem);
}
END_TEST

START_TEST(bundle_with_broken_block)
{
        struct ae_ek_trust *t = NULL;
        size_t len;
        char *pem = pem_of(&len, (const struct pki_cert *[]){ &pki.root, &pki.inter }, 2);
        char *body;

        /* Corrupt the base64 body of the second certificate. */
        body = strstr(pem + 1, "-----BEGIN CERTIFICATE-----");
        ck_assert_ptr_nonnull(body);
        body += strlen("-----BEGIN CERTIFICATE-----\n");
        memcpy(body, "!!!!", 4);
        ck_assert_int_eq(ae_ek_trust_load_pem(pem, len, &t), -EBADMSG);
        ck_assert_ptr_null(t);
        free(pem);
}
END_TEST

START_TEST(bundle_with_undecodable_key)
{
        struct ae_ek_trust *t = NULL;
        uint8_t *bad = with_undecodable_key(&pki.inter);
        BIO *bio = BIO_new(BIO_s_mem());
        char *data;
        long len;

        ck_assert_ptr_nonnull(bio);
        ck_assert_int_eq(PEM_write_bio_X509(bio, pki.root.x509), 1);
        ck_assert_int_gt(PEM_write_bio(bio, "CERTIFICATE", "", bad, (long)pki.inter.len), 0);
        len = BIO_get_mem_data(bio, &data);
        ck_assert_int_eq(ae_ek_trust_load_pem(data, (size_t)len, &t), -EBADMSG);
        ck_assert_ptr_null(t);
        BIO_free(bio);
        free(bad);
}
END_TEST

START_TEST(bundle_skips_other_blocks)
{
        _cleanup_ek_trust_ struct ae_ek_trust *t = NULL;
        size_t len;
        char *pem = pem_of(&len, (const struct pki_cert *[]){ &pki.root, &pki.inter }, 2);
        static const char head[] = "Manufacturer EK CA bundle\n"
                                   "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";
        char *mixed = malloc(sizeof(head) + len);

        ck_assert_ptr_nonnull(mixed);
        memcpy(mixed, head, sizeof(head) - 1);
        memcpy(mixed + sizeof(head) - 1, pem, len + 1);
        ck_assert_int_eq(ae_ek_trust_load_pem(mixed, strlen(mixed), &t), 0);
        ck_assert_int_eq(check_at(t, pki.leaf.der, pki.leaf.len, T0), AE_EK_OK);
        free(mixed);
        free(pem);
}
END_TEST

START_TEST(bundle_bad_arguments)
{
        struct ae_ek_trust *t = NULL;

        ck_assert_int_eq(ae_ek_trust_load_pem(NULL, 5, &t), -EINVAL);
        ck_assert_int_eq(ae_ek_trust_load_pem("x", 1, NULL), -EINVAL);
        ck_assert_int_eq(ae_ek_trust_load_pem("x", AE_EK_TRUST_BUNDLE_MAX + 1, &t), -EFBIG);
        ck_assert_ptr_null(t);
        ae_ek_trust_free(NULL);
}
END_TEST

START_TEST(parse_exact)
{
        X509 *cert = NULL;

        ck_assert_int_eq(ae_ek_cert_parse(pki.leaf.der, pki.leaf.len, &cert), 0);
        ck_assert_ptr_nonnull(cert);
        ck_assert_int_eq(X509_cmp(cert, pki.leaf.x509), 0);
        X509_free(cert);
        cert = NULL;
        ck_assert_int_eq(ae_ek_cert_parse(pki.leaf.der, pki.leaf.len - 1, &cert), -EBADMSG);
        ck_assert_int_eq(ae_ek_cert_parse(pki.leaf.der, 0, &cert), -EBADMSG);
        ck_assert_int_eq(ae_ek_cert_parse(pki.leaf.der, AE_EK_CERT_MAX + 1, &cert), -EMSGSIZE);
        ck_assert_int_eq(ae_ek_cert_parse(NULL, 1, &cert), -EINVAL);
        ck_assert_ptr_null(cert);
}
END_TEST

START_TEST(spki_sha256_is_key_identity)
{
        uint8_t id[AE_EK_ID_LEN], id2[AE_EK_ID_LEN], want[AE_EK_ID_LEN];
        unsigned char *spki = NULL;
        unsigned int md_len = 0;
        int len;

        /* Independently: SHA-256 over the key's DER SubjectPublicKeyInfo. */
        len = i2d_PUBKEY(pki.leaf.key, &spki);
        ck_assert_int_gt(len, 0);
        ck_assert_int_eq(EVP_Digest(spki, (size_t)len, want, &md_len, EVP_sha256(), NULL), 1);
        OPENSSL_free(spki);

        ck_assert_int_eq(ae_ek_spki_sha256(pki.leaf.x509, id), 0);
        ck_assert_mem_eq(id, want, AE_EK_ID_LEN);
        ck_assert_int_eq(ae_ek_spki_sha256(pki.leaf_rsa.x509, id2), 0);
        ck_assert(memcmp(id, id2, AE_EK_ID_LEN) != 0);
        ck_assert_int_eq(ae_ek_spki_sha256(NULL, id), -EINVAL);
}
END_TEST

START_TEST(reason_texts)
{
        for (int i = 0; i < AE_EK_REASON_COUNT; i++) {
                const char *s = ae_ek_reason_str((enum ae_ek_reason)i);

                ck_assert_ptr_nonnull(s);
                ck_assert_str_ne(s, "unknown reason");
                for (int j = 0; j < i; j++)
                        ck_assert_str_ne(s, ae_ek_reason_str((enum ae_ek_reason)j));
        }
        ck_assert_str_eq(ae_ek_reason_str(AE_EK_UNTRUSTED),
                         "not issued by a trusted manufacturer CA");
        ck_assert_str_eq(ae_ek_reason_str(AE_EK_REASON_COUNT), "unknown reason");
        ck_assert_str_eq(ae_ek_reason_str((enum ae_ek_reason)-1), "unknown reason");
}
END_TEST

int main(void)
{
        Suite *s = suite_create("ek_trust");
        TCase *chain = tcase_create("chain");
        TCase *bundle = tcase_create("bundle");
        TCase *misc = tcase_create("parse+id");
        int rc;

        build_pki();

        tcase_add_test(chain, good_chain_is_ok);
        tcase_add_test(chain, bundle_order_does_not_matter);
        tcase_add_test(chain, rogue_chain_is_untrusted);
        tcase_add_test(chain, rogue_chain_ok_against_rogue_bundle);
        tcase_add_test(chain, missing_intermediate_is_untrusted);
        tcase_add_test(chain, expired_leaf);
        tcase_add_test(chain, not_yet_valid_leaf);
        tcase_add_test(chain, validity_is_judged_at_now);
        tcase_add_test(chain, tampered_signature_byte);
        tcase_add_test(chain, tampered_signed_byte);
        tcase_add_test(chain, truncated_der_is_malformed);
        tcase_add_test(chain, trailing_bytes_are_malformed);
        tcase_add_test(chain, garbage_is_malformed);
        tcase_add_test(chain, undecodable_key_is_malformed);
        tcase_add_test(chain, too_large);
        tcase_add_test(chain, issuer_not_a_ca);
        tcase_add_test(chain, path_length_exceeded);
        tcase_add_test(chain, bad_arguments);
        suite_add_tcase(s, chain);

        tcase_add_test(bundle, bundle_file_loads);
        tcase_add_test(bundle, bundle_file_missing);
        tcase_add_test(bundle, bundle_file_too_big);
        tcase_add_test(bundle, bundle_without_certificates);
        tcase_add_test(bundle, bundle_without_anchor);
        tcase_add_test(bundle, bundle_with_broken_block);
        tcase_add_test(bundle, bundle_with_undecodable_key);
        tcase_add_test(bundle, bundle_skips_other_blocks);
        tcase_add_test(bundle, bundle_bad_arguments);
        suite_add_tcase(s, bundle);

        tcase_add_test(misc, parse_exact);
        tcase_add_test(misc, spki_sha256_is_key_identity);
        tcase_add_test(misc, reason_texts);
        suite_add_tcase(s, misc);

        rc = ae_check_run(s);
        free_pki();
        return rc;
}
