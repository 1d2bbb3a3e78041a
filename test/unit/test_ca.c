/* The signing CA (svid-issuer/ca.h): the files ae_ca_init writes and the
 * certificate in them, every reason ae_ca_load refuses a directory with,
 * rotation with overlap, and the upstream (CSR) flow. Refusals leave the
 * directory as it was. */
#include "svid-issuer/ca.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca_test_util.h"
#include "check_util.h"
#include "common/ossl.h"
#include "svid-issuer/x509_svid.h"

#define NOW ((time_t)1800000000) /* 2027-01-15 */
#define TD "example.org"
#define YEAR (365 * 24 * 3600LL)

static void make_ca(const char *dir, enum ae_ca_key_type type, int64_t ttl)
{
        struct ae_ca_options o = { .trust_domain = TD, .key_type = type, .ttl_s = ttl };
        enum ae_svid_reason why = AE_SVID_INTERNAL;

        ck_assert_int_eq(ae_ca_init(dir, &o, NOW, &why), 0);
        ck_assert_int_eq(why, AE_SVID_OK);
}

static struct ae_ca *load_ok(const char *dir, time_t now)
{
        enum ae_svid_reason why = AE_SVID_INTERNAL;
        struct ae_ca *ca = NULL;
        int r = ae_ca_load(dir, now, &ca, &why);

        ck_assert_msg(r == 0, "load: %d %s", r, ae_svid_reason_id(why));
        ck_assert_int_eq(why, AE_SVID_OK);
        return ca;
}

/* ae_ca_load refuses with exactly err and why, and returns nothing. */
static void load_refused(const char *dir, time_t now, int err, enum ae_svid_reason why)
{
        enum ae_svid_reason got = AE_SVID_OK;
        struct ae_ca *ca = (struct ae_ca *)0x1;
        int r = ae_ca_load(dir, now, &ca, &got);

        ck_assert_msg(r == err && got == why, "load: want %d %s, got %d %s", err,
                      ae_svid_reason_id(why), r, ae_svid_reason_id(got));
        ck_assert_ptr_eq(ca, (struct ae_ca *)0x1);
}

static time_t asn1_time(const ASN1_TIME *t)
{
        struct tm tm;

        ck_assert_int_eq(ASN1_TIME_to_tm(t, &tm), 1);
        return timegm(&tm);
}

/* The single URI SAN of x, or "" if it has not exactly one. */
static void one_uri(X509 *x, char *out, size_t cap)
{
        GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
        int n = 0;

        out[0] = 0;
        for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
                GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

                if (gn->type != GEN_URI)
                        continue;
                n++;
                snprintf(out, cap, "%.*s", ASN1_STRING_length(gn->d.uniformResourceIdentifier),
                         (const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier));
        }
        if (n != 1)
                out[0] = 0;
        GENERAL_NAMES_free(names);
}

/* ---- ae_ca_init ---- */

static const int sig_nid[] = { NID_ecdsa_with_SHA256, NID_ecdsa_with_SHA384,
                               NID_sha256WithRSAEncryption };

START_TEST(test_init_writes_a_spiffe_root)
{
        char dir[PATH_MAX], uri[300];
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        _cleanup_free_ uint8_t *cert = NULL, *bundle = NULL;
        size_t cert_len, bundle_len;
        const ASN1_OCTET_STRING *ski;
        const ASN1_OCTET_STRING *akid;
        enum ae_ca_key_type type = (enum ae_ca_key_type)_i, got_type;
        X509 *x;

        ctu_tmpdir(dir);
        strcat(dir, "/ca");
        make_ca(dir, type, 0);
        ck_assert_uint_eq(ctu_mode(dir), 0700);
        ck_assert_uint_eq(ctu_mode(ctu_path(dir, "ca-key.pem")), 0600);
        ck_assert_uint_eq(ctu_mode(ctu_path(dir, "ca-cert.pem")), 0644);
        ck_assert(!ctu_exists(ctu_path(dir, "chain.pem")));
        ck_assert(!ctu_exists(ctu_path(dir, "ca.csr")));
        cert = ctu_read(ctu_path(dir, "ca-cert.pem"), &cert_len);
        bundle = ctu_read(ctu_path(dir, "bundle.pem"), &bundle_len);
        ck_assert(bundle_len == cert_len && memcmp(cert, bundle, cert_len) == 0);

        ca = load_ok(dir, NOW);
        ck_assert_str_eq(ae_ca_trust_domain(ca), TD);
        ck_assert_int_eq(ae_ca_key_type(ca), type);
        ck_assert_int_eq(ae_svid_key_classify(ae_ca_key(ca), &got_type), 0);
        ck_assert_int_eq(got_type, type);
        x = ae_ca_cert(ca);
        ck_assert_ptr_eq(ae_ca_root(ca), x);
        ck_assert_int_eq(sk_X509_num(ae_ca_chain(ca)), 0);
        ck_assert_int_eq(sk_X509_num(ae_ca_bundle(ca)), 1);
        ck_assert_int_eq(X509_cmp(sk_X509_value(ae_ca_bundle(ca), 0), x), 0);

        /* X509-SVID 3.2, 4.1, 4.3: a signing certificate. */
        ck_assert_int_eq(X509_self_signed(x, 1), 1);
        ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
        ck_assert_int_eq(ctu_ext_critical(x, NID_basic_constraints), 1);
        ck_assert(X509_get_extension_flags(x) & EXFLAG_CA);
        ck_assert_int_eq(ctu_ext_critical(x, NID_key_usage), 1);
        ck_assert_uint_eq(X509_get_key_usage(x), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
        one_uri(x, uri, sizeof(uri));
        ck_assert_str_eq(uri, "spiffe://" TD);
        ck_assert_int_eq(ctu_ext_critical(x, NID_subject_alt_name), 0);
        ski = X509_get0_subject_key_id(x);
        akid = X509_get0_authority_key_id(x);
        ck_assert(ski && akid && ASN1_OCTET_STRING_cmp(ski, akid) == 0);
        ck_assert_int_eq(X509_get_signature_nid(x), sig_nid[type]);
        ck_assert_int_eq(asn1_time(X509_get0_notBefore(x)), NOW - AE_SVID_BACKDATE_S);
        ck_assert_int_eq(asn1_time(X509_get0_notAfter(x)), NOW + YEAR);
        ck_assert_int_eq(ae_ca_not_after(ca), NOW + YEAR);
        /* A positive serial of at most 128 bits. */
        {
                BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);

                ck_assert(bn && !BN_is_negative(bn) && !BN_is_zero(bn));
                ck_assert_int_le(BN_num_bits(bn), 128);
                BN_free(bn);
        }
}
END_TEST

START_TEST(test_init_ttl)
{
        char dir[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 7200);
        ca = load_ok(dir, NOW);
        ck_assert_int_eq(asn1_time(X509_get0_notAfter(ae_ca_cert(ca))), NOW + 7200);
}
END_TEST

START_TEST(test_init_refuses_options)
{
        static const struct {
                const char *td;
                int type;
                int64_t ttl;
                enum ae_svid_reason why;
        } cases[] = {
                { NULL, 0, 0, AE_SVID_CA_TRUST_DOMAIN },
                { "", 0, 0, AE_SVID_CA_TRUST_DOMAIN },
                { "Example.org", 0, 0, AE_SVID_CA_TRUST_DOMAIN },
                { "spiffe://example.org", 0, 0, AE_SVID_CA_TRUST_DOMAIN },
                { "example.org:443", 0, 0, AE_SVID_CA_TRUST_DOMAIN },
                { TD, 3, 0, AE_SVID_CA_OPTIONS },
                { TD, -1, 0, AE_SVID_CA_OPTIONS },
                { TD, 0, -1, AE_SVID_CA_OPTIONS },
                { TD, 0, AE_CA_TTL_MIN - 1, AE_SVID_CA_OPTIONS },
                { TD, 0, AE_CA_TTL_MAX + 1, AE_SVID_CA_OPTIONS },
        };
        char dir[PATH_MAX];

        ctu_tmpdir(dir);
        strcat(dir, "/ca");
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct ae_ca_options o = { .trust_domain = cases[i].td,
                                           .key_type = (enum ae_ca_key_type)cases[i].type,
                                           .ttl_s = cases[i].ttl };
                enum ae_svid_reason why = AE_SVID_OK;

                ck_assert_int_eq(ae_ca_init(dir, &o, NOW, &why), -EINVAL);
                ck_assert_msg(why == cases[i].why, "case %zu: %s", i, ae_svid_reason_id(why));
                /* The CSR flow has no lifetime of its own (the upstream
                 * decides), so only the other options apply to it. */
                if (cases[i].ttl == 0) {
                        why = AE_SVID_OK;
                        ck_assert_int_eq(ae_ca_csr(dir, &o, &why), -EINVAL);
                        ck_assert_int_eq(why, cases[i].why);
                }
                ck_assert_msg(!ctu_exists(dir), "case %zu made the directory", i);
        }
        ck_assert_int_eq(ae_ca_init(dir, NULL, NOW, NULL), -EINVAL);
}
END_TEST

START_TEST(test_init_refuses_existing_ca)
{
        static const char *const files[] = { "ca-key.pem", "ca-cert.pem", "bundle.pem",
                                             "chain.pem", "ca.csr" };
        struct ae_ca_options o = { .trust_domain = TD };
        enum ae_svid_reason why = AE_SVID_OK;
        char dir[PATH_MAX], other[PATH_MAX];
        _cleanup_free_ uint8_t *key = NULL, *key2 = NULL;
        size_t len, len2;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 0);
        key = ctu_read(ctu_path(dir, "ca-key.pem"), &len);
        ck_assert_int_eq(ae_ca_init(dir, &o, NOW, &why), -EEXIST);
        ck_assert_int_eq(why, AE_SVID_CA_EXISTS);
        why = AE_SVID_OK;
        ck_assert_int_eq(ae_ca_csr(dir, &o, &why), -EEXIST);
        ck_assert_int_eq(why, AE_SVID_CA_EXISTS);
        key2 = ctu_read(ctu_path(dir, "ca-key.pem"), &len2);
        ck_assert(len == len2 && memcmp(key, key2, len) == 0);
        ck_assert(!ctu_exists(ctu_path(dir, "ca.csr")));

        /* Any one CA file is enough to refuse, and nothing is added. */
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                ctu_tmpdir(other);
                ctu_write(ctu_path(other, files[i]), "x", 1, 0600);
                why = AE_SVID_OK;
                ck_assert_int_eq(ae_ca_init(other, &o, NOW, &why), -EEXIST);
                ck_assert_int_eq(why, AE_SVID_CA_EXISTS);
                ck_assert(!ctu_exists(ctu_path(other, ".lock")));
                ck_assert(!ctu_exists(ctu_path(other, i == 0 ? "ca-cert.pem" : "ca-key.pem")));
        }
}
END_TEST

START_TEST(test_init_existing_empty_dir)
{
        char dir[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;

        ctu_tmpdir(dir); /* mkdtemp: 0700 already, and empty */
        make_ca(dir, AE_CA_KEY_P384, 0);
        ca = load_ok(dir, NOW);
        ck_assert_int_eq(ae_ca_key_type(ca), AE_CA_KEY_P384);
}
END_TEST

START_TEST(test_init_missing_parent)
{
        struct ae_ca_options o = { .trust_domain = TD };
        enum ae_svid_reason why = AE_SVID_OK;
        char dir[PATH_MAX];

        ctu_tmpdir(dir);
        strcat(dir, "/no/such");
        ck_assert_int_eq(ae_ca_init(dir, &o, NOW, &why), -ENOENT);
        ck_assert_int_eq(why, AE_SVID_CA_MISSING);
}
END_TEST

/* Another writer holds the directory's lock: refused without waiting. */
START_TEST(test_writers_busy)
{
        struct ae_ca_options o = { .trust_domain = TD };
        enum ae_svid_reason why = AE_SVID_OK;
        char dir[PATH_MAX], ca_dir[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        int fd;

        ctu_tmpdir(dir);
        fd = open(ctu_path(dir, ".lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(flock(fd, LOCK_EX), 0);
        ck_assert_int_eq(ae_ca_init(dir, &o, NOW, &why), -EBUSY);
        ck_assert_int_eq(why, AE_SVID_CA_BUSY);
        ck_assert(!ctu_exists(ctu_path(dir, "ca-key.pem")));
        close(fd);

        ctu_tmpdir(ca_dir);
        make_ca(ca_dir, AE_CA_KEY_P256, 0);
        fd = open(ctu_path(ca_dir, ".lock"), O_RDWR | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(flock(fd, LOCK_EX), 0);
        why = AE_SVID_OK;
        ck_assert_int_eq(ae_ca_rotate(ca_dir, NOW, &why), -EBUSY);
        ck_assert_int_eq(why, AE_SVID_CA_BUSY);
        /* Readers share the lock with each other, not with a writer. */
        ck_assert_int_eq(flock(fd, LOCK_SH), 0);
        ca = load_ok(ca_dir, NOW);
        close(fd);
}
END_TEST

/* ---- ae_ca_load: every refusal ---- */

START_TEST(test_load_missing)
{
        static const char *const files[] = { "ca-key.pem", "ca-cert.pem", "bundle.pem" };
        char dir[PATH_MAX];

        ctu_tmpdir(dir);
        load_refused(ctu_path(dir, "nothing"), NOW, -ENOENT, AE_SVID_CA_MISSING);
        ctu_write(ctu_path(dir, "file"), "x", 1, 0600);
        load_refused(ctu_path(dir, "file"), NOW, -ENOENT, AE_SVID_CA_MISSING);
        for (size_t i = 0; i < 3; i++) {
                char ca[PATH_MAX];

                ctu_tmpdir(ca);
                make_ca(ca, AE_CA_KEY_P256, 0);
                ck_assert_int_eq(unlink(ctu_path(ca, files[i])), 0);
                load_refused(ca, NOW, -ENOENT, AE_SVID_CA_MISSING);
        }
}
END_TEST

START_TEST(test_load_key_mode)
{
        static const mode_t wide[] = { 0640, 0604, 0660, 0606, 0700, 0644, 04600 };
        char dir[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 0);
        for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
                ck_assert_int_eq(chmod(ctu_path(dir, "ca-key.pem"), wide[i]), 0);
                load_refused(dir, NOW, -EACCES, AE_SVID_CA_KEY_MODE);
        }
        /* Narrower than 0600 is fine. */
        ck_assert_int_eq(chmod(ctu_path(dir, "ca-key.pem"), 0400), 0);
        ca = load_ok(dir, NOW);
}
END_TEST

static void write_encrypted_key(const char *path, EVP_PKEY *key)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *mem;
        long len;

        ck_assert_int_eq(PEM_write_bio_PKCS8PrivateKey(b, key, EVP_aes_256_cbc(), "pass", 4,
                                                       NULL, NULL),
                         1);
        len = BIO_get_mem_data(b, &mem);
        ctu_write(path, mem, (size_t)len, 0600);
        BIO_free(b);
}

START_TEST(test_load_key_malformed)
{
        char dir[PATH_MAX];
        _cleanup_free_ uint8_t *pem = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        const char *kp;
        size_t len;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 0);
        kp = ctu_path(dir, "ca-key.pem");
        pem = ctu_read(kp, &len);
        key = ctu_load_key(kp);

        ctu_write(kp, "", 0, 0600);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_KEY_MALFORMED);
        ctu_write(kp, "not a key\n", 10, 0600);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_KEY_MALFORMED);
        ctu_write(kp, pem, len / 2, 0600); /* truncated */
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_KEY_MALFORMED);
        /* An encrypted key cannot be used unattended. */
        write_encrypted_key(kp, key);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_KEY_MALFORMED);
        /* The certificate in place of the key. */
        _cleanup_free_ uint8_t *cert = ctu_read(ctu_path(dir, "ca-cert.pem"), &len);
        ctu_write(kp, cert, len, 0600);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_KEY_MALFORMED);
}
END_TEST

START_TEST(test_load_key_unsupported)
{
        static const char *const specs[] = { "ED25519", "RSA:1024", "P-521" };
        char dir[PATH_MAX];

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 0);
        for (size_t i = 0; i < 3; i++) {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = ctu_key(specs[i]);

                ctu_write_key(ctu_path(dir, "ca-key.pem"), k, 0600);
                load_refused(dir, NOW, -EOPNOTSUPP, AE_SVID_CA_KEY_UNSUPPORTED);
        }
}
END_TEST

START_TEST(test_load_cert_malformed)
{
        static const char not_a_cert[] =
                "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
        char dir[PATH_MAX];
        _cleanup_free_ uint8_t *pem = NULL, *key = NULL;
        _cleanup_free_ char *two = NULL;
        const char *cp;
        size_t len, key_len;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 0);
        cp = ctu_path(dir, "ca-cert.pem");
        pem = ctu_read(cp, &len);
        key = ctu_read(ctu_path(dir, "ca-key.pem"), &key_len);

        ctu_write(cp, "garbage\n", 8, 0644);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_CERT_MALFORMED);
        ctu_write(cp, pem, len - 40, 0644); /* END line cut */
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_CERT_MALFORMED);
        /* Two certificates: which one signs? */
        two = malloc(2 * len);
        memcpy(two, pem, len);
        memcpy(two + len, pem, len);
        ctu_write(cp, two, 2 * len, 0644);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_CERT_MALFORMED);
        /* A key block where a certificate belongs. */
        ctu_write(cp, key, key_len, 0644);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_CERT_MALFORMED);
        /* DER inside the block that is not a certificate. */
        ctu_write(cp, not_a_cert, strlen(not_a_cert), 0644);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_CERT_MALFORMED);
}
END_TEST

START_TEST(test_load_key_mismatch)
{
        char dir[PATH_MAX], other[PATH_MAX];
        _cleanup_free_ uint8_t *key = NULL;
        size_t len;

        ctu_tmpdir(dir);
        ctu_tmpdir(other);
        make_ca(dir, AE_CA_KEY_P256, 0);
        make_ca(other, AE_CA_KEY_P256, 0);
        key = ctu_read(ctu_path(other, "ca-key.pem"), &len);
        ctu_write(ctu_path(dir, "ca-key.pem"), key, len, 0600);
        load_refused(dir, NOW, -EPROTO, AE_SVID_CA_KEY_MISMATCH);
}
END_TEST

/* Replace ca-cert.pem and bundle.pem with a self-signed certificate of the
 * CA's key as c describes. */
static void replace_root(const char *dir, struct ctu_cert *c)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = ctu_load_key(ctu_path(dir, "ca-key.pem"));
        _cleanup_(X509_freep) X509 *x = NULL;

        c->key = key;
        c->not_before = NOW - 3600;
        c->not_after = NOW + 3600;
        x = ctu_cert(c);
        ctu_write_certs(ctu_path(dir, "ca-cert.pem"), &x, 1);
        ctu_write_certs(ctu_path(dir, "bundle.pem"), &x, 1);
}

START_TEST(test_load_not_ca)
{
        static const struct ctu_cert cases[] = {
                { .bc = "critical,CA:FALSE", .ku = "critical,keyCertSign,cRLSign" },
                { .ku = "critical,keyCertSign,cRLSign" },
                { .bc = "critical,CA:TRUE", .ku = "critical,digitalSignature,cRLSign" },
                { .bc = "critical,CA:TRUE" },
        };
        char dir[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 0);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct ctu_cert c = cases[i];

                c.san = "URI:spiffe://" TD;
                replace_root(dir, &c);
                load_refused(dir, NOW, -EPROTO, AE_SVID_CA_NOT_CA);
        }
        /* The same construction with the CA bits loads: the test can fail. */
        replace_root(dir, &(struct ctu_cert){ .bc = "critical,CA:TRUE",
                                              .ku = "critical,keyCertSign",
                                              .san = "URI:spiffe://" TD });
        ca = load_ok(dir, NOW);
}
END_TEST

START_TEST(test_load_no_spiffe_id)
{
        static const char *const sans[] = {
                NULL,
                "DNS:example.org",
                "URI:spiffe://" TD "/path",
                "URI:https://" TD,
                "URI:spiffe://" TD ",URI:spiffe://other.org",
                "URI:spiffe://Example.org",
        };
        char dir[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 0);
        for (size_t i = 0; i < sizeof(sans) / sizeof(sans[0]); i++) {
                replace_root(dir, &(struct ctu_cert){ .bc = "critical,CA:TRUE",
                                                      .ku = "critical,keyCertSign,cRLSign",
                                                      .san = sans[i] });
                load_refused(dir, NOW, -EPROTO, AE_SVID_CA_NO_SPIFFE_ID);
        }
        /* A DNS name beside the one URI is allowed (X509-SVID section 2). */
        replace_root(dir, &(struct ctu_cert){ .bc = "critical,CA:TRUE",
                                              .ku = "critical,keyCertSign,cRLSign",
                                              .san = "DNS:ca.example.org,URI:spiffe://" TD });
        ca = load_ok(dir, NOW);
}
END_TEST

START_TEST(test_load_validity)
{
        char dir[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *first = NULL, *last = NULL;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 7200);
        /* Both ends inclusive. */
        first = load_ok(dir, NOW - AE_SVID_BACKDATE_S);
        last = load_ok(dir, NOW + 7200);
        load_refused(dir, NOW - AE_SVID_BACKDATE_S - 1, -EKEYEXPIRED, AE_SVID_CA_NOT_YET_VALID);
        load_refused(dir, NOW + 7201, -EKEYEXPIRED, AE_SVID_CA_EXPIRED);
}
END_TEST

START_TEST(test_load_bundle)
{
        char dir[PATH_MAX], other[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL, *ca2 = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = ctu_key("P-256");
        _cleanup_free_ uint8_t *before = NULL, *after = NULL;
        _cleanup_(X509_freep) X509 *own = NULL, *foreign = NULL, *old = NULL, *leafish = NULL;
        size_t n1, n2;

        ctu_tmpdir(dir);
        ctu_tmpdir(other);
        make_ca(dir, AE_CA_KEY_P256, 0);
        make_ca(other, AE_CA_KEY_P256, 0);
        own = ctu_load_cert(ctu_path(dir, "ca-cert.pem"));
        foreign = ctu_load_cert(ctu_path(other, "ca-cert.pem"));

        ctu_write(ctu_path(dir, "bundle.pem"), "junk", 4, 0644);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_BUNDLE_MALFORMED);
        /* A certificate that is not a root does not belong in a bundle. */
        leafish = ctu_cert(&(struct ctu_cert){ .key = k, .issuer = foreign, .issuer_key = k,
                                               .bc = "CA:FALSE", .not_before = NOW - 60,
                                               .not_after = NOW + 60 });
        ctu_write_certs(ctu_path(dir, "bundle.pem"), (X509 *[]){ own, leafish }, 2);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_BUNDLE_MALFORMED);
        ctu_write_certs(ctu_path(dir, "bundle.pem"), &foreign, 1);
        load_refused(dir, NOW, -EPROTO, AE_SVID_CA_NOT_IN_BUNDLE);

        /* Other roots are kept while valid, dropped from what load returns
         * once expired; the file stays as it is. */
        old = ctu_cert(&(struct ctu_cert){ .key = k, .bc = "critical,CA:TRUE",
                                           .ku = "critical,keyCertSign",
                                           .san = "URI:spiffe://" TD,
                                           .not_before = NOW - 7200, .not_after = NOW + 60 });
        ctu_write_certs(ctu_path(dir, "bundle.pem"), (X509 *[]){ own, old, foreign }, 3);
        before = ctu_read(ctu_path(dir, "bundle.pem"), &n1);
        ca = load_ok(dir, NOW + 60);
        ck_assert_int_eq(sk_X509_num(ae_ca_bundle(ca)), 3);
        ca2 = load_ok(dir, NOW + 61);
        ck_assert_int_eq(sk_X509_num(ae_ca_bundle(ca2)), 2);
        ck_assert_int_eq(X509_cmp(sk_X509_value(ae_ca_bundle(ca2), 0), own), 0);
        ck_assert_int_eq(X509_cmp(sk_X509_value(ae_ca_bundle(ca2), 1), foreign), 0);
        after = ctu_read(ctu_path(dir, "bundle.pem"), &n2);
        ck_assert(n1 == n2 && memcmp(before, after, n1) == 0);
}
END_TEST

/* A CA directory whose certificate an upstream root issued (the files
 * ae_ca_install would write), for the chain.pem refusals. */
struct chained {
        EVP_PKEY *root_key, *key;
        X509 *root, *cert;
};

static void chained_dir(const char *dir, struct chained *c)
{
        c->root_key = ctu_key("P-256");
        c->key = ctu_key("P-256");
        c->root = ctu_ca_cert(c->root_key, NULL, NULL, "upstream.example", NOW);
        c->cert = ctu_ca_cert(c->key, c->root, c->root_key, TD, NOW);
        ctu_write_key(ctu_path(dir, "ca-key.pem"), c->key, 0600);
        ctu_write_certs(ctu_path(dir, "ca-cert.pem"), &c->cert, 1);
        ctu_write_certs(ctu_path(dir, "bundle.pem"), &c->root, 1);
}

static void chained_free(struct chained *c)
{
        EVP_PKEY_free(c->root_key);
        EVP_PKEY_free(c->key);
        X509_free(c->root);
        X509_free(c->cert);
}

START_TEST(test_load_chain)
{
        char dir[PATH_MAX];
        struct chained c;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k2 = ctu_key("P-256");
        _cleanup_(X509_freep) X509 *root2 = NULL, *inter = NULL;
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;

        ctu_tmpdir(dir);
        chained_dir(dir, &c);
        load_refused(dir, NOW, -ENOENT, AE_SVID_CA_NOT_SELF_SIGNED);
        ctu_write(ctu_path(dir, "chain.pem"), "junk", 4, 0644);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_CHAIN_MALFORMED);

        root2 = ctu_ca_cert(k2, NULL, NULL, "upstream.example", NOW);
        inter = ctu_ca_cert(k2, c.root, c.root_key, "upstream.example", NOW);
        /* No self-signed certificate at all. */
        ctu_write_certs(ctu_path(dir, "chain.pem"), &inter, 1);
        load_refused(dir, NOW, -EPROTO, AE_SVID_CA_CHAIN_NO_ROOT);
        /* The root not last. */
        ctu_write_certs(ctu_path(dir, "chain.pem"), (X509 *[]){ c.root, inter }, 2);
        load_refused(dir, NOW, -EBADMSG, AE_SVID_CA_CHAIN_MALFORMED);
        /* Another root: the certificate does not chain to it. */
        ctu_write_certs(ctu_path(dir, "chain.pem"), &root2, 1);
        load_refused(dir, NOW, -EPROTO, AE_SVID_CA_CHAIN_MISMATCH);
        /* A certificate on no path: chain.pem holds the path, no more. */
        ctu_write_certs(ctu_path(dir, "chain.pem"), (X509 *[]){ inter, c.root }, 2);
        load_refused(dir, NOW, -EPROTO, AE_SVID_CA_CHAIN_MISMATCH);
        /* The path itself loads. */
        ctu_write_certs(ctu_path(dir, "chain.pem"), &c.root, 1);
        ca = load_ok(dir, NOW);
        ck_assert_int_eq(sk_X509_num(ae_ca_chain(ca)), 0);
        ck_assert_int_eq(X509_cmp(ae_ca_root(ca), c.root), 0);
        ck_assert_int_eq(ae_ca_not_after(ca), asn1_time(X509_get0_notAfter(c.root)));
        chained_free(&c);
}
END_TEST

/* ---- rotation ---- */

static X509 *mint(const struct ae_ca *ca, const char *id, int64_t ttl, time_t now)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = ctu_key("P-256");
        struct ae_x509_svid_request req = { .spiffe_id = id, .public_key = k, .ttl_s = ttl };
        enum ae_svid_reason why;
        X509 *leaf = NULL;

        ck_assert_int_eq(ae_x509_svid_mint(ca, &req, now, &leaf, &why), 0);
        return leaf;
}

static size_t count_entries(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;

        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

START_TEST(test_rotate_overlap)
{
        const int64_t ttl = 2 * 86400;
        char dir[PATH_MAX], retired[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *before = NULL, *after = NULL, *later = NULL;
        _cleanup_(ae_ca_freep) struct ae_ca *again = NULL;
        _cleanup_(X509_freep) X509 *old_leaf = NULL, *new_leaf = NULL, *old_root = NULL;
        _cleanup_free_ uint8_t *b1 = NULL, *b2 = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *only_old = sk_X509_new_null();
        enum ae_svid_reason why = AE_SVID_INTERNAL;
        size_t n1, n2;
        char name[200];
        BIGNUM *bn;
        char *hex;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, ttl);
        before = load_ok(dir, NOW);
        old_leaf = mint(before, "spiffe://" TD "/web", 4 * 3600, NOW);
        old_root = X509_dup(ae_ca_cert(before));

        ck_assert_int_eq(ae_ca_rotate(dir, NOW + 3600, &why), 0);
        ck_assert_int_eq(why, AE_SVID_OK);
        after = load_ok(dir, NOW + 3600);
        ck_assert_int_ne(X509_cmp(ae_ca_cert(after), old_root), 0);
        ck_assert_int_ne(EVP_PKEY_eq(ae_ca_key(after), ae_ca_key(before)), 1);
        ck_assert_int_eq(ae_ca_key_type(after), AE_CA_KEY_P256);
        ck_assert_str_eq(ae_ca_trust_domain(after), TD);
        /* Same lifetime, from the rotation on. */
        ck_assert_int_eq(asn1_time(X509_get0_notAfter(ae_ca_cert(after))), NOW + 3600 + ttl);
        /* New root first, old root still trusted. */
        ck_assert_int_eq(sk_X509_num(ae_ca_bundle(after)), 2);
        ck_assert_int_eq(X509_cmp(sk_X509_value(ae_ca_bundle(after), 0), ae_ca_cert(after)), 0);
        ck_assert_int_eq(X509_cmp(sk_X509_value(ae_ca_bundle(after), 1), old_root), 0);

        /* The SVID minted before rotation verifies with the new bundle;
         * one minted after does, and not with the old root alone. */
        ck_assert_int_eq(ctu_verify(old_leaf, NULL, ae_ca_bundle(after), NOW + 3600), 0);
        new_leaf = mint(after, "spiffe://" TD "/web", 3600, NOW + 3600);
        ck_assert_int_eq(ctu_verify(new_leaf, NULL, ae_ca_bundle(after), NOW + 3600), 0);
        sk_X509_push(only_old, X509_dup(old_root));
        ck_assert_int_ne(ctu_verify(new_leaf, NULL, only_old, NOW + 3600), 0);

        /* The old pair is kept aside, the key owner-only. */
        ck_assert_int_lt(snprintf(retired, sizeof(retired), "%s/retired", dir), PATH_MAX);
        ck_assert_uint_eq(ctu_mode(retired), 0700);
        bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(old_root), NULL);
        hex = BN_bn2hex(bn);
        snprintf(name, sizeof(name), "%s-key.pem", hex);
        ck_assert_uint_eq(ctu_mode(ctu_path(retired, name)), 0600);
        snprintf(name, sizeof(name), "%s-cert.pem", hex);
        ck_assert(ctu_exists(ctu_path(retired, name)));
        OPENSSL_free(hex);
        BN_free(bn);

        /* Past the old root's notAfter, the bundle holds the new root only;
         * loading rewrote nothing. */
        b1 = ctu_read(ctu_path(dir, "bundle.pem"), &n1);
        later = load_ok(dir, NOW + ttl + 1);
        ck_assert_int_eq(sk_X509_num(ae_ca_bundle(later)), 1);
        ck_assert_int_eq(X509_cmp(sk_X509_value(ae_ca_bundle(later), 0), ae_ca_cert(after)), 0);
        b2 = ctu_read(ctu_path(dir, "bundle.pem"), &n2);
        ck_assert(n1 == n2 && memcmp(b1, b2, n1) == 0);

        /* The next rotation drops the expired root from the file and the
         * expired retired pair from retired/. */
        ck_assert_int_eq(ae_ca_rotate(dir, NOW + ttl + 1, &why), 0);
        again = load_ok(dir, NOW + ttl + 1);
        ck_assert_int_eq(sk_X509_num(ae_ca_bundle(again)), 2);
        ck_assert_int_eq(X509_cmp(sk_X509_value(ae_ca_bundle(again), 1), ae_ca_cert(after)), 0);
        ck_assert_uint_eq(count_entries(retired), 2); /* the second root's pair */
        ck_assert(!ctu_exists(ctu_path(retired, name)));
}
END_TEST

START_TEST(test_rotate_expired_ca_and_key_type)
{
        char dir[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        enum ae_svid_reason why;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_RSA2048, 7200);
        load_refused(dir, NOW + 7300, -EKEYEXPIRED, AE_SVID_CA_EXPIRED);
        ck_assert_int_eq(ae_ca_rotate(dir, NOW + 7300, &why), 0);
        ca = load_ok(dir, NOW + 7300);
        ck_assert_int_eq(ae_ca_key_type(ca), AE_CA_KEY_RSA2048);
        ck_assert_int_eq(sk_X509_num(ae_ca_bundle(ca)), 1);
}
END_TEST

START_TEST(test_rotate_refusals)
{
        char dir[PATH_MAX], empty[PATH_MAX];
        _cleanup_free_ uint8_t *k1 = NULL, *k2 = NULL;
        enum ae_svid_reason why = AE_SVID_OK;
        struct chained c;
        size_t n1, n2;

        ctu_tmpdir(empty);
        ck_assert_int_eq(ae_ca_rotate(ctu_path(empty, "none"), NOW, &why), -ENOENT);
        ck_assert_int_eq(why, AE_SVID_CA_MISSING);
        why = AE_SVID_OK;
        ck_assert_int_eq(ae_ca_rotate(empty, NOW, &why), -ENOENT);
        ck_assert_int_eq(why, AE_SVID_CA_MISSING);
        ck_assert_uint_eq(count_entries(empty), 0);

        /* A broken CA is not rotated over, and stays as it was. */
        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 0);
        ck_assert_int_eq(chmod(ctu_path(dir, "ca-key.pem"), 0640), 0);
        k1 = ctu_read(ctu_path(dir, "ca-key.pem"), &n1);
        why = AE_SVID_OK;
        ck_assert_int_eq(ae_ca_rotate(dir, NOW, &why), -EACCES);
        ck_assert_int_eq(why, AE_SVID_CA_KEY_MODE);
        k2 = ctu_read(ctu_path(dir, "ca-key.pem"), &n2);
        ck_assert(n1 == n2 && memcmp(k1, k2, n1) == 0);
        ck_assert(!ctu_exists(ctu_path(dir, "retired")));

        /* An upstream-signed CA is rotated by its upstream. */
        ctu_tmpdir(dir);
        chained_dir(dir, &c);
        ctu_write_certs(ctu_path(dir, "chain.pem"), &c.root, 1);
        why = AE_SVID_OK;
        ck_assert_int_eq(ae_ca_rotate(dir, NOW, &why), -EOPNOTSUPP);
        ck_assert_int_eq(why, AE_SVID_CA_ROTATE_UPSTREAM);
        ck_assert(!ctu_exists(ctu_path(dir, "retired")));
        chained_free(&c);
}
END_TEST

/* ---- the upstream (CSR) flow ---- */

struct upstream {
        char dir[PATH_MAX];
        struct ae_ca *ca; /* the upstream: an Aegis root of its own domain */
};

static void upstream_make(struct upstream *u)
{
        struct ae_ca_options o = { .trust_domain = "upstream.example" };
        enum ae_svid_reason why;

        ctu_tmpdir(u->dir);
        ck_assert_int_eq(ae_ca_init(u->dir, &o, NOW, &why), 0);
        u->ca = load_ok(u->dir, NOW);
}

static void csr_ok(const char *dir)
{
        struct ae_ca_options o = { .trust_domain = TD };
        enum ae_svid_reason why = AE_SVID_INTERNAL;

        ck_assert_int_eq(ae_ca_csr(dir, &o, &why), 0);
        ck_assert_int_eq(why, AE_SVID_OK);
}

static void install_refused(const char *dir, const char *cert, const char *chain, time_t now,
                            int err, enum ae_svid_reason want)
{
        enum ae_svid_reason why = AE_SVID_OK;
        int r = ae_ca_install(dir, cert, chain, now, &why);

        ck_assert_msg(r == err && why == want, "install: want %d %s, got %d %s", err,
                      ae_svid_reason_id(want), r, ae_svid_reason_id(why));
        ck_assert(!ctu_exists(ctu_path(dir, "ca-cert.pem")) || err == -EEXIST);
        if (err != -EEXIST) {
                ck_assert(!ctu_exists(ctu_path(dir, "chain.pem")));
                ck_assert(!ctu_exists(ctu_path(dir, "bundle.pem")));
        }
}

START_TEST(test_csr)
{
        char dir[PATH_MAX], uri[300];
        FILE *f;
        X509_REQ *req;
        STACK_OF(X509_EXTENSION) *exts;
        GENERAL_NAMES *names;
        BASIC_CONSTRAINTS *bc;

        ctu_tmpdir(dir);
        strcat(dir, "/ca");
        csr_ok(dir);
        ck_assert_uint_eq(ctu_mode(dir), 0700);
        ck_assert_uint_eq(ctu_mode(ctu_path(dir, "ca-key.pem")), 0600);
        ck_assert(!ctu_exists(ctu_path(dir, "ca-cert.pem")));
        load_refused(dir, NOW, -ENOENT, AE_SVID_CA_MISSING);

        f = fopen(ctu_path(dir, "ca.csr"), "r");
        ck_assert_ptr_nonnull(f);
        req = PEM_read_X509_REQ(f, NULL, NULL, NULL);
        fclose(f);
        ck_assert_ptr_nonnull(req);
        ck_assert_int_eq(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
        exts = X509_REQ_get_extensions(req);
        names = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
        ck_assert_int_eq(sk_GENERAL_NAME_num(names), 1);
        ck_assert_int_eq(sk_GENERAL_NAME_value(names, 0)->type, GEN_URI);
        snprintf(uri, sizeof(uri), "%s",
                 (const char *)ASN1_STRING_get0_data(
                         sk_GENERAL_NAME_value(names, 0)->d.uniformResourceIdentifier));
        ck_assert_str_eq(uri, "spiffe://" TD);
        bc = X509V3_get_d2i(exts, NID_basic_constraints, NULL, NULL);
        ck_assert(bc && bc->ca);
        BASIC_CONSTRAINTS_free(bc);
        GENERAL_NAMES_free(names);
        sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
        X509_REQ_free(req);
}
END_TEST

START_TEST(test_install_from_upstream_root)
{
        struct upstream u;
        char dir[PATH_MAX];
        _cleanup_(X509_freep) X509 *cert = NULL, *leaf = NULL;
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *untrusted = sk_X509_new_null();
        enum ae_svid_reason why = AE_SVID_INTERNAL;
        X509 *up_root;

        upstream_make(&u);
        up_root = ae_ca_cert(u.ca);
        ctu_tmpdir(dir);
        csr_ok(dir);
        cert = ctu_sign_csr(ctu_path(dir, "ca.csr"), up_root, ae_ca_key(u.ca), NULL, NOW);
        ctu_write_certs(ctu_path(dir, "issued.pem"), &cert, 1);
        ctu_write_certs(ctu_path(dir, "up.pem"), &up_root, 1);
        ck_assert_int_eq(ae_ca_install(dir, ctu_path(dir, "issued.pem"), ctu_path(dir, "up.pem"),
                                       NOW, &why),
                         0);
        ck_assert_int_eq(why, AE_SVID_OK);

        ca = load_ok(dir, NOW);
        ck_assert_str_eq(ae_ca_trust_domain(ca), TD);
        ck_assert_int_eq(X509_cmp(ae_ca_cert(ca), cert), 0);
        ck_assert_int_eq(sk_X509_num(ae_ca_chain(ca)), 0);
        ck_assert_int_eq(X509_cmp(ae_ca_root(ca), up_root), 0);
        ck_assert_int_eq(sk_X509_num(ae_ca_bundle(ca)), 1);
        ck_assert_int_eq(X509_cmp(sk_X509_value(ae_ca_bundle(ca), 0), up_root), 0);
        /* The issued certificate ends first: no SVID may outlive it. */
        ck_assert_int_eq(ae_ca_not_after(ca), NOW + 30 * 86400);

        leaf = mint(ca, "spiffe://" TD "/db", 0, NOW);
        sk_X509_push(untrusted, X509_dup(cert));
        ck_assert_int_eq(ctu_verify(leaf, untrusted, ae_ca_bundle(ca), NOW), 0);

        /* Installed once; and never rotated here. */
        install_refused(dir, ctu_path(dir, "issued.pem"), ctu_path(dir, "up.pem"), NOW, -EEXIST,
                        AE_SVID_CA_EXISTS);
        why = AE_SVID_OK;
        ck_assert_int_eq(ae_ca_rotate(dir, NOW, &why), -EOPNOTSUPP);
        ck_assert_int_eq(why, AE_SVID_CA_ROTATE_UPSTREAM);
        ae_ca_free(u.ca);
}
END_TEST

START_TEST(test_install_through_intermediate)
{
        char dir[PATH_MAX], svid[PATH_MAX];
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *rk = ctu_key("P-384"), *ik = ctu_key("RSA:2048");
        _cleanup_(X509_freep) X509 *root = NULL, *inter = NULL, *cert = NULL, *leaf = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *untrusted = sk_X509_new_null();
        struct ae_x509_svid_request req = { .spiffe_id = "spiffe://" TD "/db", .public_key = wk };
        enum ae_svid_reason why;

        root = ctu_ca_cert(rk, NULL, NULL, "corp.example", NOW);
        inter = ctu_ca_cert(ik, root, rk, "corp.example", NOW);
        ctu_tmpdir(dir);
        csr_ok(dir);
        cert = ctu_sign_csr(ctu_path(dir, "ca.csr"), inter, ik, NULL, NOW);
        ctu_write_certs(ctu_path(dir, "issued.pem"), &cert, 1);
        ctu_write_certs(ctu_path(dir, "chain-in.pem"), (X509 *[]){ inter, root }, 2);
        ck_assert_int_eq(ae_ca_install(dir, ctu_path(dir, "issued.pem"),
                                       ctu_path(dir, "chain-in.pem"), NOW, &why),
                         0);
        ca = load_ok(dir, NOW);
        ck_assert_int_eq(sk_X509_num(ae_ca_chain(ca)), 1);
        ck_assert_int_eq(X509_cmp(sk_X509_value(ae_ca_chain(ca), 0), inter), 0);
        ck_assert_int_eq(X509_cmp(ae_ca_root(ca), root), 0);

        /* svid.pem: the leaf, the signing certificate, the intermediate;
         * never the root. */
        ck_assert_int_eq(ae_x509_svid_mint(ca, &req, NOW, &leaf, &why), 0);
        ck_assert_int_lt(snprintf(svid, sizeof(svid), "%s/svid.pem", dir), PATH_MAX);
        ck_assert_int_eq(ae_x509_svid_write_files(svid, NULL, leaf, NULL, ca), 0);
        {
                BIO *b = BIO_new_file(svid, "r");
                X509 *x;
                int n = 0;

                while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
                        X509 *want[] = { leaf, cert, inter };

                        ck_assert_int_lt(n, 3);
                        ck_assert_int_eq(X509_cmp(x, want[n]), 0);
                        if (n > 0)
                                sk_X509_push(untrusted, X509_dup(x));
                        X509_free(x);
                        n++;
                }
                BIO_free(b);
                ck_assert_int_eq(n, 3);
        }
        ck_assert_int_eq(ctu_verify(leaf, untrusted, ae_ca_bundle(ca), NOW), 0);
}
END_TEST

START_TEST(test_install_refusals)
{
        struct upstream u;
        char dir[PATH_MAX], dir2[PATH_MAX];
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k2 = ctu_key("P-256");
        _cleanup_(X509_freep) X509 *cert = NULL, *foreign = NULL, *inter = NULL, *other = NULL;
        _cleanup_(X509_freep) X509 *root2 = NULL;
        enum ae_svid_reason why = AE_SVID_INTERNAL;
        X509 *up_root;
        const char *issued, *chain;

        upstream_make(&u);
        up_root = ae_ca_cert(u.ca);
        ctu_tmpdir(dir);
        csr_ok(dir);
        issued = strdup(ctu_path(dir, "issued.pem"));
        chain = strdup(ctu_path(dir, "up.pem"));
        cert = ctu_sign_csr(ctu_path(dir, "ca.csr"), up_root, ae_ca_key(u.ca), NULL, NOW);
        ctu_write_certs(issued, &cert, 1);
        ctu_write_certs(chain, &up_root, 1);

        install_refused(ctu_path(dir, "none"), issued, chain, NOW, -ENOENT, AE_SVID_CA_MISSING);
        install_refused(dir, ctu_path(dir, "none.pem"), chain, NOW, -ENOENT, AE_SVID_CA_MISSING);
        install_refused(dir, issued, ctu_path(dir, "none.pem"), NOW, -ENOENT,
                        AE_SVID_CA_MISSING);
        ctu_write(ctu_path(dir, "junk.pem"), "junk", 4, 0644);
        install_refused(dir, ctu_path(dir, "junk.pem"), chain, NOW, -EBADMSG,
                        AE_SVID_CA_CERT_MALFORMED);
        install_refused(dir, issued, ctu_path(dir, "junk.pem"), NOW, -EBADMSG,
                        AE_SVID_CA_CHAIN_MALFORMED);

        /* Issued for another trust domain than ca.csr asked for. */
        foreign = ctu_sign_csr(ctu_path(dir, "ca.csr"), up_root, ae_ca_key(u.ca),
                               "URI:spiffe://other.org", NOW);
        ctu_write_certs(ctu_path(dir, "foreign.pem"), &foreign, 1);
        install_refused(dir, ctu_path(dir, "foreign.pem"), chain, NOW, -EINVAL,
                        AE_SVID_CA_TRUST_DOMAIN);

        /* Issued for another request (another key). */
        ctu_tmpdir(dir2);
        csr_ok(dir2);
        other = ctu_sign_csr(ctu_path(dir2, "ca.csr"), up_root, ae_ca_key(u.ca), NULL, NOW);
        ctu_write_certs(ctu_path(dir, "other.pem"), &other, 1);
        install_refused(dir, ctu_path(dir, "other.pem"), chain, NOW, -EPROTO,
                        AE_SVID_CA_KEY_MISMATCH);

        /* Chains that do not lead to the issuer's root. */
        root2 = ctu_ca_cert(k2, NULL, NULL, "upstream.example", NOW);
        inter = ctu_ca_cert(k2, up_root, ae_ca_key(u.ca), "upstream.example", NOW);
        ctu_write_certs(ctu_path(dir, "c.pem"), &root2, 1);
        install_refused(dir, issued, ctu_path(dir, "c.pem"), NOW, -EPROTO,
                        AE_SVID_CA_CHAIN_MISMATCH);
        ctu_write_certs(ctu_path(dir, "c.pem"), &inter, 1);
        install_refused(dir, issued, ctu_path(dir, "c.pem"), NOW, -EPROTO,
                        AE_SVID_CA_CHAIN_NO_ROOT);
        ctu_write_certs(ctu_path(dir, "c.pem"), (X509 *[]){ up_root, inter }, 2);
        install_refused(dir, issued, ctu_path(dir, "c.pem"), NOW, -EBADMSG,
                        AE_SVID_CA_CHAIN_MALFORMED);

        /* The issued certificate's validity at install time. */
        install_refused(dir, issued, chain, NOW + 31 * 86400, -EKEYEXPIRED, AE_SVID_CA_EXPIRED);
        install_refused(dir, issued, chain, NOW - 7200, -EKEYEXPIRED,
                        AE_SVID_CA_NOT_YET_VALID);

        /* A broken ca.csr names no trust domain. */
        {
                _cleanup_free_ uint8_t *csr = NULL;
                size_t len;

                csr = ctu_read(ctu_path(dir, "ca.csr"), &len);
                ctu_write(ctu_path(dir, "ca.csr"), "junk", 4, 0644);
                install_refused(dir, issued, chain, NOW, -EBADMSG, AE_SVID_CA_CSR_MALFORMED);
                ctu_write(ctu_path(dir, "ca.csr"), csr, len, 0644);
        }

        /* After all that, the right files still install. */
        ck_assert_int_eq(ae_ca_install(dir, issued, chain, NOW, &why), 0);
        ck_assert_int_eq(why, AE_SVID_OK);
        free((void *)issued);
        free((void *)chain);
        ae_ca_free(u.ca);
}
END_TEST

START_TEST(test_write_bundle)
{
        char dir[PATH_MAX];
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        _cleanup_(X509_freep) X509 *x = NULL;

        ctu_tmpdir(dir);
        make_ca(dir, AE_CA_KEY_P256, 0);
        ca = load_ok(dir, NOW);
        ck_assert_int_eq(ae_ca_write_bundle(ca, ctu_path(dir, "out-bundle.pem")), 0);
        ck_assert_uint_eq(ctu_mode(ctu_path(dir, "out-bundle.pem")), 0644);
        x = ctu_load_cert(ctu_path(dir, "out-bundle.pem"));
        ck_assert_int_eq(X509_cmp(x, ae_ca_cert(ca)), 0);
        ck_assert_int_eq(ae_ca_write_bundle(ca, ctu_path(dir, "no/such/file.pem")), -ENOENT);
}
END_TEST

static Suite *ca_suite(void)
{
        Suite *s = suite_create("ca");
        TCase *tc;

        tc = tcase_create("init");
        tcase_add_unchecked_fixture(tc, ctu_base_setup, ctu_base_teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_loop_test(tc, test_init_writes_a_spiffe_root, 0, AE_CA_KEY_TYPE_COUNT);
        tcase_add_test(tc, test_init_ttl);
        tcase_add_test(tc, test_init_refuses_options);
        tcase_add_test(tc, test_init_refuses_existing_ca);
        tcase_add_test(tc, test_init_existing_empty_dir);
        tcase_add_test(tc, test_init_missing_parent);
        tcase_add_test(tc, test_writers_busy);
        tcase_add_test(tc, test_write_bundle);
        suite_add_tcase(s, tc);

        tc = tcase_create("load");
        tcase_add_unchecked_fixture(tc, ctu_base_setup, ctu_base_teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_load_missing);
        tcase_add_test(tc, test_load_key_mode);
        tcase_add_test(tc, test_load_key_malformed);
        tcase_add_test(tc, test_load_key_unsupported);
        tcase_add_test(tc, test_load_cert_malformed);
        tcase_add_test(tc, test_load_key_mismatch);
        tcase_add_test(tc, test_load_not_ca);
        tcase_add_test(tc, test_load_no_spiffe_id);
        tcase_add_test(tc, test_load_validity);
        tcase_add_test(tc, test_load_bundle);
        tcase_add_test(tc, test_load_chain);
        suite_add_tcase(s, tc);

        tc = tcase_create("rotate");
        tcase_add_unchecked_fixture(tc, ctu_base_setup, ctu_base_teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_rotate_overlap);
        tcase_add_test(tc, test_rotate_expired_ca_and_key_type);
        tcase_add_test(tc, test_rotate_refusals);
        suite_add_tcase(s, tc);

        tc = tcase_create("upstream");
        tcase_add_unchecked_fixture(tc, ctu_base_setup, ctu_base_teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_csr);
        tcase_add_test(tc, test_install_from_upstream_root);
        tcase_add_test(tc, test_install_through_intermediate);
        tcase_add_test(tc, test_install_refusals);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(ca_suite());
}
