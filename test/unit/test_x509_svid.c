/* Minting X.509-SVIDs (svid-issuer/x509_svid.h): every MUST of the SPIFFE
 * X509-SVID standard on what is minted, the signature algorithm per CA key,
 * validity (backdate, caps), the claims extension, every rejection with its
 * exact reason, the files written; and key generation (key_gen.h). */
#include "svid-issuer/x509_svid.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "ca_test_util.h"
#include "check_util.h"
#include "common/ossl.h"
#include "common/spiffe_id.h"
#include "svid-issuer/claims.h"

#define NOW ((time_t)1800000000)
#define TD "example.org"
#define ID "spiffe://" TD "/ns/prod/web"

/* One CA per key type, made once in the parent (the fixture) and loaded by
 * each test. */
static char ca_dirs[AE_CA_KEY_TYPE_COUNT][PATH_MAX];

static void cas_setup(void)
{
        ctu_base_setup();
        for (int t = 0; t < AE_CA_KEY_TYPE_COUNT; t++) {
                struct ae_ca_options o = { .trust_domain = TD, .key_type = t };
                enum ae_svid_reason why;

                ctu_tmpdir(ca_dirs[t]);
                if (ae_ca_init(ca_dirs[t], &o, NOW, &why) != 0)
                        abort();
        }
}

static struct ae_ca *load(enum ae_ca_key_type t, time_t now)
{
        struct ae_ca *ca = NULL;
        enum ae_svid_reason why;

        ck_assert_int_eq(ae_ca_load(ca_dirs[t], now, &ca, &why), 0);
        return ca;
}

static time_t asn1_time(const ASN1_TIME *t)
{
        struct tm tm;

        ck_assert_int_eq(ASN1_TIME_to_tm(t, &tm), 1);
        return timegm(&tm);
}

/* mint refuses with exactly err and want, leaving *ret alone. */
static void refused(const struct ae_ca *ca, const struct ae_x509_svid_request *req, time_t now,
                    int err, enum ae_svid_reason want)
{
        X509 *leaf = (X509 *)0x1;
        enum ae_svid_reason why = AE_SVID_OK;
        int r = ae_x509_svid_mint(ca, req, now, &leaf, &why);

        ck_assert_msg(r == err && why == want, "mint: want %d %s, got %d %s", err,
                      ae_svid_reason_id(want), r, ae_svid_reason_id(why));
        ck_assert_ptr_eq(leaf, (X509 *)0x1);
}

static X509 *mint_ok(const struct ae_ca *ca, const struct ae_x509_svid_request *req, time_t now)
{
        enum ae_svid_reason why = AE_SVID_INTERNAL;
        X509 *leaf = NULL;
        int r = ae_x509_svid_mint(ca, req, now, &leaf, &why);

        ck_assert_msg(r == 0, "mint: %d %s", r, ae_svid_reason_id(why));
        ck_assert_int_eq(why, AE_SVID_OK);
        ck_assert_ptr_nonnull(leaf);
        return leaf;
}

/* ---- what is minted ---- */

static const int sig_nid[] = { NID_ecdsa_with_SHA256, NID_ecdsa_with_SHA384,
                               NID_sha256WithRSAEncryption };

START_TEST(test_mint_follows_x509_svid)
{
        enum ae_ca_key_type t = (enum ae_ca_key_type)_i;
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(t, NOW);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_claims claims, got;
        struct ae_x509_svid_request req = { .spiffe_id = ID, .public_key = wk,
                                            .claims = &claims };
        GENERAL_NAMES *names;
        uint8_t want_ski[SHA_DIGEST_LENGTH];
        unsigned ski_len;
        const ASN1_OCTET_STRING *ski, *akid;
        EXTENDED_KEY_USAGE *eku;
        X509_NAME *subject;
        BIGNUM *serial;
        bool present = false;
        char buf[256];

        ctu_claims(&claims, ID);
        leaf = mint_ok(ca, &req, NOW);
        ck_assert_int_eq(X509_get_version(leaf), X509_VERSION_3);

        /* Section 2: exactly one URI SAN, the SPIFFE ID, and nothing else. */
        names = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
        ck_assert_int_eq(sk_GENERAL_NAME_num(names), 1);
        ck_assert_int_eq(sk_GENERAL_NAME_value(names, 0)->type, GEN_URI);
        snprintf(buf, sizeof(buf), "%s",
                 ASN1_STRING_get0_data(sk_GENERAL_NAME_value(names, 0)->d.uniformResourceIdentifier));
        ck_assert_str_eq(buf, ID);
        GENERAL_NAMES_free(names);
        /* Section 3.1: the subject is not empty, so the SAN need not be
         * critical; it is the fixed O=Aegis. */
        subject = X509_get_subject_name(leaf);
        ck_assert_int_eq(X509_NAME_entry_count(subject), 1);
        X509_NAME_get_text_by_NID(subject, NID_organizationName, buf, sizeof(buf));
        ck_assert_str_eq(buf, "Aegis");
        ck_assert_int_eq(ctu_ext_critical(leaf, NID_subject_alt_name), 0);
        ck_assert_int_eq(X509_NAME_cmp(X509_get_issuer_name(leaf),
                                       X509_get_subject_name(ae_ca_cert(ca))),
                         0);

        /* 4.1: cA=FALSE, critical. */
        ck_assert_int_eq(ctu_ext_critical(leaf, NID_basic_constraints), 1);
        ck_assert(!(X509_get_extension_flags(leaf) & EXFLAG_CA));
        ck_assert(X509_get_extension_flags(leaf) & EXFLAG_BCONS);
        /* 4.3: keyUsage critical, digitalSignature only for an EC key. */
        ck_assert_int_eq(ctu_ext_critical(leaf, NID_key_usage), 1);
        ck_assert_uint_eq(X509_get_key_usage(leaf), KU_DIGITAL_SIGNATURE);
        /* 4.4: serverAuth and clientAuth. */
        eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, NULL, NULL);
        ck_assert_int_eq(sk_ASN1_OBJECT_num(eku), 2);
        ck_assert_int_eq(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_server_auth);
        ck_assert_int_eq(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 1)), NID_client_auth);
        sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
        ck_assert_uint_eq(X509_get_extended_key_usage(leaf), XKU_SSL_SERVER | XKU_SSL_CLIENT);

        /* SKI by RFC 5280 method 1; AKI = the CA's SKI. */
        ck_assert_int_eq(X509_pubkey_digest(leaf, EVP_sha1(), want_ski, &ski_len), 1);
        ski = X509_get0_subject_key_id(leaf);
        ck_assert(ski && ASN1_STRING_length(ski) == SHA_DIGEST_LENGTH);
        ck_assert_mem_eq(ASN1_STRING_get0_data(ski), want_ski, SHA_DIGEST_LENGTH);
        akid = X509_get0_authority_key_id(leaf);
        ck_assert(akid && ASN1_OCTET_STRING_cmp(akid, X509_get0_subject_key_id(ae_ca_cert(ca))) == 0);

        /* A positive serial of at most 128 random bits. */
        serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), NULL);
        ck_assert(serial && !BN_is_negative(serial) && !BN_is_zero(serial));
        ck_assert_int_le(BN_num_bits(serial), 128);
        BN_free(serial);

        /* Validity: backdated 30 s, one hour by default. */
        ck_assert_int_eq(asn1_time(X509_get0_notBefore(leaf)), NOW - AE_SVID_BACKDATE_S);
        ck_assert_int_eq(asn1_time(X509_get0_notAfter(leaf)), NOW + AE_X509_SVID_TTL_DEFAULT);

        /* The signature for the CA's key type; the path verifies. */
        ck_assert_int_eq(X509_get_signature_nid(leaf), sig_nid[t]);
        ck_assert_int_eq(ctu_verify(leaf, NULL, ae_ca_bundle(ca), NOW), 0);

        /* The claims, as given (criticality: test_claims_extension_non_critical). */
        ck_assert_int_eq(ae_claims_from_cert(leaf, &got, &present), 0);
        ck_assert(present);
        ck_assert_str_eq(got.workload.workload_id, ID);
        ck_assert_str_eq(got.workload.code_hash, claims.workload.code_hash);
        ck_assert_int_eq(got.tpm.attested_at, claims.tpm.attested_at);
}
END_TEST

/* The claims extension is found by OID even where OpenSSL has no NID. */
START_TEST(test_claims_extension_non_critical)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P256, NOW);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        _cleanup_(X509_freep) X509 *with = NULL, *without = NULL;
        ASN1_OBJECT *oid = OBJ_txt2obj(AE_CLAIMS_OID, 1);
        struct ae_claims claims, got;
        struct ae_x509_svid_request req = { .spiffe_id = ID, .public_key = wk };
        bool present = true;
        int i;

        without = mint_ok(ca, &req, NOW);
        ck_assert_int_lt(X509_get_ext_by_OBJ(without, oid, -1), 0);
        ck_assert_int_eq(ae_claims_from_cert(without, &got, &present), 0);
        ck_assert(!present);

        ctu_claims(&claims, ID);
        req.claims = &claims;
        with = mint_ok(ca, &req, NOW);
        i = X509_get_ext_by_OBJ(with, oid, -1);
        ck_assert_int_ge(i, 0);
        ck_assert_int_eq(X509_EXTENSION_get_critical(X509_get_ext(with, i)), 0);
        ck_assert_int_lt(X509_get_ext_by_OBJ(with, oid, i), 0); /* once */
        ASN1_OBJECT_free(oid);
}
END_TEST

START_TEST(test_mint_subject_keys)
{
        static const char *const specs[] = { "P-256", "P-384", "RSA:2048", "RSA:3072" };
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P384, NOW);

        for (size_t i = 0; i < 4; i++) {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key(specs[i]);
                _cleanup_(X509_freep) X509 *leaf = NULL;
                struct ae_x509_svid_request req = { .spiffe_id = ID, .public_key = wk };
                bool rsa = strncmp(specs[i], "RSA", 3) == 0;

                leaf = mint_ok(ca, &req, NOW);
                ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(leaf), wk), 1);
                /* keyEncipherment only where it means something: RSA. */
                ck_assert_uint_eq(X509_get_key_usage(leaf),
                                  rsa ? KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT
                                      : KU_DIGITAL_SIGNATURE);
                ck_assert_int_eq(X509_get_signature_nid(leaf), NID_ecdsa_with_SHA384);
                ck_assert_int_eq(ctu_verify(leaf, NULL, ae_ca_bundle(ca), NOW), 0);
        }
}
END_TEST

START_TEST(test_serials_differ)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P256, NOW);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        _cleanup_(X509_freep) X509 *a = NULL, *b = NULL;
        struct ae_x509_svid_request req = { .spiffe_id = ID, .public_key = wk };

        a = mint_ok(ca, &req, NOW);
        b = mint_ok(ca, &req, NOW);
        ck_assert_int_ne(ASN1_INTEGER_cmp(X509_get0_serialNumber(a), X509_get0_serialNumber(b)),
                         0);
}
END_TEST

START_TEST(test_validity_caps)
{
        char dir[PATH_MAX];
        struct ae_ca_options o = { .trust_domain = TD, .ttl_s = 2 * 3600 };
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        _cleanup_(X509_freep) X509 *capped = NULL, *early = NULL, *longer = NULL;
        struct ae_x509_svid_request req = { .spiffe_id = ID, .public_key = wk };
        enum ae_svid_reason why;

        ctu_tmpdir(dir);
        ck_assert_int_eq(ae_ca_init(dir, &o, NOW, &why), 0);
        ck_assert_int_eq(ae_ca_load(dir, NOW, &ca, &why), 0);

        /* Never past the CA's notAfter. */
        req.ttl_s = AE_X509_SVID_TTL_MAX;
        capped = mint_ok(ca, &req, NOW + 3600);
        ck_assert_int_eq(asn1_time(X509_get0_notAfter(capped)), NOW + 2 * 3600);
        ck_assert_int_eq(asn1_time(X509_get0_notBefore(capped)),
                         NOW + 3600 - AE_SVID_BACKDATE_S);
        /* Never before the CA's notBefore. */
        req.ttl_s = 60;
        early = mint_ok(ca, &req, NOW - 10);
        ck_assert_int_eq(asn1_time(X509_get0_notBefore(early)), NOW - AE_SVID_BACKDATE_S);
        ck_assert_int_eq(asn1_time(X509_get0_notAfter(early)), NOW + 50);
        /* A ttl below the cap is kept. */
        req.ttl_s = 600;
        longer = mint_ok(ca, &req, NOW);
        ck_assert_int_eq(asn1_time(X509_get0_notAfter(longer)), NOW + 600);

        /* The CA itself out of its validity period. */
        refused(ca, &req, NOW + 2 * 3600 + 1, -EKEYEXPIRED, AE_SVID_CA_EXPIRED);
        refused(ca, &req, NOW - AE_SVID_BACKDATE_S - 1, -EKEYEXPIRED, AE_SVID_CA_NOT_YET_VALID);
}
END_TEST

/* One loaded CA, several threads minting at once: every leaf verifies and
 * every serial is its own. */
#define THREADS 4
#define PER_THREAD 25

struct minter {
        const struct ae_ca *ca;
        EVP_PKEY *key;
        X509 *leaves[PER_THREAD];
        int failures;
};

static void *mint_many(void *arg)
{
        struct minter *m = arg;
        struct ae_x509_svid_request req = { .spiffe_id = ID, .public_key = m->key };
        enum ae_svid_reason why;

        for (int i = 0; i < PER_THREAD; i++)
                if (ae_x509_svid_mint(m->ca, &req, NOW, &m->leaves[i], &why) != 0)
                        m->failures++;
        return NULL;
}

START_TEST(test_concurrent_mint)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P256, NOW);
        struct minter m[THREADS];
        pthread_t t[THREADS];

        for (int i = 0; i < THREADS; i++) {
                m[i] = (struct minter){ .ca = ca, .key = ctu_key(i % 2 ? "P-384" : "P-256") };
                ck_assert_int_eq(pthread_create(&t[i], NULL, mint_many, &m[i]), 0);
        }
        for (int i = 0; i < THREADS; i++)
                ck_assert_int_eq(pthread_join(t[i], NULL), 0);
        for (int i = 0; i < THREADS; i++) {
                ck_assert_int_eq(m[i].failures, 0);
                for (int j = 0; j < PER_THREAD; j++) {
                        ck_assert_int_eq(ctu_verify(m[i].leaves[j], NULL, ae_ca_bundle(ca), NOW), 0);
                        ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(m[i].leaves[j]), m[i].key), 1);
                        for (int k = 0; k < i * PER_THREAD + j; k++)
                                ck_assert_int_ne(
                                        ASN1_INTEGER_cmp(
                                                X509_get0_serialNumber(m[i].leaves[j]),
                                                X509_get0_serialNumber(
                                                        m[k / PER_THREAD].leaves[k % PER_THREAD])),
                                        0);
                }
        }
        for (int i = 0; i < THREADS; i++) {
                for (int j = 0; j < PER_THREAD; j++)
                        X509_free(m[i].leaves[j]);
                EVP_PKEY_free(m[i].key);
        }
}
END_TEST

/* ---- rejections, each with its reason ---- */

START_TEST(test_reject_ids)
{
        static const struct {
                const char *id;
                enum ae_svid_reason why;
        } cases[] = {
                { NULL, AE_SVID_ID_INVALID },
                { "", AE_SVID_ID_INVALID },
                { "https://" TD "/web", AE_SVID_ID_INVALID },
                { "spiffe://" TD "/a//b", AE_SVID_ID_INVALID },
                { "spiffe://" TD "/web/", AE_SVID_ID_INVALID },
                { "spiffe://" TD "/a/../b", AE_SVID_ID_INVALID },
                { "spiffe://Example.org/web", AE_SVID_ID_INVALID },
                { "spiffe://" TD "/web?x=1", AE_SVID_ID_INVALID },
                { "spiffe://" TD "/w%20b", AE_SVID_ID_INVALID },
                { "spiffe://" TD, AE_SVID_ID_NO_PATH },
                { "spiffe://other.org/web", AE_SVID_ID_FOREIGN_TRUST_DOMAIN },
                { "spiffe://sub." TD "/web", AE_SVID_ID_FOREIGN_TRUST_DOMAIN },
        };
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P256, NOW);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        _cleanup_free_ char *huge = malloc(AE_SPIFFE_ID_MAX + 2);

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct ae_x509_svid_request req = { .spiffe_id = cases[i].id, .public_key = wk };

                refused(ca, &req, NOW, -EINVAL, cases[i].why);
        }
        /* One byte over the standard's 2048. */
        strcpy(huge, "spiffe://" TD "/");
        memset(huge + strlen(huge), 'a', AE_SPIFFE_ID_MAX + 1 - strlen(huge));
        huge[AE_SPIFFE_ID_MAX + 1] = 0;
        refused(ca, &(struct ae_x509_svid_request){ .spiffe_id = huge, .public_key = wk }, NOW,
                -EINVAL, AE_SVID_ID_INVALID);
}
END_TEST

START_TEST(test_reject_keys)
{
        static const char *const specs[] = { "RSA:1024", "ED25519", "P-521" };
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P256, NOW);

        for (size_t i = 0; i < 3; i++) {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key(specs[i]);

                refused(ca, &(struct ae_x509_svid_request){ .spiffe_id = ID, .public_key = wk },
                        NOW, -EOPNOTSUPP, AE_SVID_KEY_UNSUPPORTED);
        }
        refused(ca, &(struct ae_x509_svid_request){ .spiffe_id = ID }, NOW, -EOPNOTSUPP,
                AE_SVID_KEY_UNSUPPORTED);
}
END_TEST

/* DNS names follow the one URI SAN; a bad or excess one is refused. */
START_TEST(test_dns_names)
{
        static const char *const good[] = { "aegis-server.example.org", "localhost",
                                             "*.edge.example.org" };
        static const char *const bad[] = { "", "-lead.example", "trail-.example", "a..b",
                                           "under_score.example", "sp ace", "*", "x.*.y",
                                           "bad.", "caf\xc3\xa9.example" };
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P256, NOW);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        const char *many[AE_X509_SVID_DNS_NAMES_MAX + 1];
        char long_label[80];
        X509 *leaf;
        GENERAL_NAMES *names;

        leaf = mint_ok(ca,
                       &(struct ae_x509_svid_request){ .spiffe_id = ID, .public_key = wk,
                                                       .dns_names = good, .n_dns_names = 3 },
                       NOW);
        names = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
        ck_assert_int_eq(sk_GENERAL_NAME_num(names), 4);
        ck_assert_int_eq(sk_GENERAL_NAME_value(names, 0)->type, GEN_URI);
        for (int i = 1; i < 4; i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

                ck_assert_int_eq(gn->type, GEN_DNS);
                ck_assert_str_eq((const char *)ASN1_STRING_get0_data(gn->d.dNSName), good[i - 1]);
        }
        GENERAL_NAMES_free(names);
        /* Host name checks see them (what TLS clients of a server do). */
        ck_assert_int_eq(X509_check_host(leaf, "aegis-server.example.org", 0, 0, NULL), 1);
        ck_assert_int_eq(X509_check_host(leaf, "node7.edge.example.org", 0, 0, NULL), 1);
        X509_free(leaf);

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                refused(ca,
                        &(struct ae_x509_svid_request){ .spiffe_id = ID, .public_key = wk,
                                                        .dns_names = &bad[i], .n_dns_names = 1 },
                        NOW, -EINVAL, AE_SVID_DNS_NAME_INVALID);
        memset(long_label, 'a', 64);
        strcpy(long_label + 64, ".example");
        refused(ca,
                &(struct ae_x509_svid_request){ .spiffe_id = ID, .public_key = wk,
                                                .dns_names = (const char *const[]){ long_label },
                                                .n_dns_names = 1 },
                NOW, -EINVAL, AE_SVID_DNS_NAME_INVALID);
        for (size_t i = 0; i < AE_X509_SVID_DNS_NAMES_MAX + 1; i++)
                many[i] = "localhost";
        refused(ca,
                &(struct ae_x509_svid_request){ .spiffe_id = ID, .public_key = wk,
                                                .dns_names = many,
                                                .n_dns_names = AE_X509_SVID_DNS_NAMES_MAX + 1 },
                NOW, -EINVAL, AE_SVID_DNS_NAME_INVALID);
}
END_TEST

START_TEST(test_reject_ttl)
{
        static const int64_t bad[] = { -1, -3600, INT64_MIN, AE_X509_SVID_TTL_MAX + 1,
                                       INT64_MAX };
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P256, NOW);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                refused(ca,
                        &(struct ae_x509_svid_request){ .spiffe_id = ID, .public_key = wk,
                                                        .ttl_s = bad[i] },
                        NOW, -EINVAL, AE_SVID_TTL_INVALID);
}
END_TEST

START_TEST(test_reject_claims)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P256, NOW);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        struct ae_claims c;
        struct ae_x509_svid_request req = { .spiffe_id = ID, .public_key = wk, .claims = &c };

        /* Claims about another workload. */
        ctu_claims(&c, "spiffe://" TD "/ns/prod/db");
        refused(ca, &req, NOW, -EINVAL, AE_SVID_CLAIMS_ID_MISMATCH);
        /* Claims that break their own rules: ae_claims_validate's reason. */
        ctu_claims(&c, ID);
        c.workload.code_hash[3] = 'G';
        refused(ca, &req, NOW, -EINVAL, AE_SVID_CLAIMS_HEX);
        ctu_claims(&c, ID);
        c.level = AE_CLAIMS_POG; /* pog without a zone */
        refused(ca, &req, NOW, -EINVAL, AE_SVID_CLAIMS_LEVEL_MISMATCH);
        ctu_claims(&c, ID);
        c.tpm.present = false;
        refused(ca, &req, NOW, -EINVAL, AE_SVID_CLAIMS_NO_TPM);
        ctu_claims(&c, "spiffe://" TD);
        req.spiffe_id = "spiffe://" TD "/x";
        refused(ca, &req, NOW, -EINVAL, AE_SVID_CLAIMS_WORKLOAD_ID);
}
END_TEST

START_TEST(test_reject_order)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P256, NOW);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *bad = ctu_key("RSA:1024");
        struct ae_claims c;

        /* Several rules broken: the documented order decides the reason. */
        ctu_claims(&c, "spiffe://" TD "/other");
        refused(ca,
                &(struct ae_x509_svid_request){ .spiffe_id = "spiffe://other.org/x",
                                                .public_key = bad, .ttl_s = -1, .claims = &c },
                NOW, -EINVAL, AE_SVID_ID_FOREIGN_TRUST_DOMAIN);
        refused(ca,
                &(struct ae_x509_svid_request){ .spiffe_id = ID, .public_key = bad, .ttl_s = -1,
                                                .claims = &c },
                NOW, -EOPNOTSUPP, AE_SVID_KEY_UNSUPPORTED);
        ck_assert_int_eq(ae_x509_svid_mint(NULL, NULL, NOW, NULL, NULL), -EINVAL);
}
END_TEST

/* ---- files ---- */

START_TEST(test_write_files)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = load(AE_CA_KEY_P256, NOW);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = NULL, *other = ctu_key("P-256"), *back = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL, *first = NULL;
        _cleanup_free_ uint8_t *key_text = NULL, *cert_text = NULL;
        struct ae_x509_svid_request req = { .spiffe_id = ID };
        char dir[PATH_MAX];
        const char *cert_path, *key_path;
        size_t len;

        ck_assert_int_eq(ae_svid_key_generate(AE_CA_KEY_P256, &wk), 0);
        req.public_key = wk;
        leaf = mint_ok(ca, &req, NOW);
        ctu_tmpdir(dir);
        cert_path = strdup(ctu_path(dir, "svid.pem"));
        key_path = strdup(ctu_path(dir, "svid.key"));

        /* A key that is not the leaf's: refused, nothing written. */
        ck_assert_int_eq(ae_x509_svid_write_files(cert_path, key_path, leaf, other, ca), -EINVAL);
        ck_assert(!ctu_exists(cert_path) && !ctu_exists(key_path));
        ck_assert_int_eq(ae_x509_svid_write_files(cert_path, key_path, leaf, NULL, ca), -EINVAL);

        ck_assert_int_eq(ae_x509_svid_write_files(cert_path, key_path, leaf, wk, ca), 0);
        ck_assert_uint_eq(ctu_mode(key_path), 0600);
        ck_assert_uint_eq(ctu_mode(cert_path), 0644);
        key_text = ctu_read(key_path, &len);
        ck_assert_ptr_nonnull(strstr((char *)key_text, "-----BEGIN PRIVATE KEY-----")); /* PKCS#8 */
        back = ctu_load_key(key_path);
        ck_assert_int_eq(EVP_PKEY_eq(back, wk), 1);
        /* A self-signed CA: svid.pem is the leaf alone. */
        cert_text = ctu_read(cert_path, &len);
        ck_assert_ptr_null(strstr(strstr((char *)cert_text, "-----END CERTIFICATE-----"),
                                  "-----BEGIN"));
        first = ctu_load_cert(cert_path);
        ck_assert_int_eq(X509_cmp(first, leaf), 0);

        /* Replaced in place; only the certificate when there is no key. */
        ck_assert_int_eq(chmod(key_path, 0640), 0);
        ck_assert_int_eq(ae_x509_svid_write_files(cert_path, key_path, leaf, wk, ca), 0);
        ck_assert_uint_eq(ctu_mode(key_path), 0600);
        ck_assert_int_eq(unlink(key_path), 0);
        ck_assert_int_eq(ae_x509_svid_write_files(cert_path, NULL, leaf, NULL, ca), 0);
        ck_assert(!ctu_exists(key_path));
        free((void *)cert_path);
        free((void *)key_path);
}
END_TEST

/* ---- key_gen.h ---- */

START_TEST(test_key_gen)
{
        for (int t = 0; t < AE_CA_KEY_TYPE_COUNT; t++) {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
                enum ae_ca_key_type got;

                ck_assert_int_eq(ae_svid_key_generate(t, &k), 0);
                ck_assert_int_eq(ae_svid_key_classify(k, &got), 0);
                ck_assert_int_eq(got, t);
                ck_assert_int_eq(ae_ca_key_type_from_name(ae_ca_key_type_name(t), &got), 0);
                ck_assert_int_eq(got, t);
        }
        {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = (EVP_PKEY *)0x1;
                enum ae_ca_key_type got = AE_CA_KEY_P384;

                ck_assert_int_eq(ae_svid_key_generate(AE_CA_KEY_TYPE_COUNT, &k), -EINVAL);
                ck_assert_ptr_eq(k, (EVP_PKEY *)0x1);
                k = NULL;
                ck_assert_int_eq(ae_ca_key_type_from_name("P256", &got), -EINVAL);
                ck_assert_int_eq(ae_ca_key_type_from_name("", &got), -EINVAL);
                ck_assert_int_eq(got, AE_CA_KEY_P384);
                ck_assert_ptr_null(ae_ca_key_type_name(AE_CA_KEY_TYPE_COUNT));
        }
        {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = ctu_key("RSA:4096");
                enum ae_ca_key_type got;

                ck_assert_int_eq(ae_svid_key_classify(k, &got), 0);
                ck_assert_int_eq(got, AE_CA_KEY_RSA2048);
        }
        ck_assert_ptr_eq(ae_svid_key_digest(AE_CA_KEY_P384), EVP_sha384());
        ck_assert_ptr_eq(ae_svid_key_digest(AE_CA_KEY_P256), EVP_sha256());
        ck_assert_ptr_eq(ae_svid_key_digest(AE_CA_KEY_RSA2048), EVP_sha256());
}
END_TEST

static Suite *x509_svid_suite(void)
{
        Suite *s = suite_create("x509_svid");
        TCase *tc;

        tc = tcase_create("mint");
        tcase_add_unchecked_fixture(tc, cas_setup, ctu_base_teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_loop_test(tc, test_mint_follows_x509_svid, 0, AE_CA_KEY_TYPE_COUNT);
        tcase_add_test(tc, test_claims_extension_non_critical);
        tcase_add_test(tc, test_dns_names);
        tcase_add_test(tc, test_mint_subject_keys);
        tcase_add_test(tc, test_serials_differ);
        tcase_add_test(tc, test_concurrent_mint);
        tcase_add_test(tc, test_validity_caps);
        tcase_add_test(tc, test_reject_ids);
        tcase_add_test(tc, test_reject_keys);
        tcase_add_test(tc, test_reject_ttl);
        tcase_add_test(tc, test_reject_claims);
        tcase_add_test(tc, test_reject_order);
        tcase_add_test(tc, test_write_files);
        tcase_add_test(tc, test_key_gen);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(x509_svid_suite());
}
