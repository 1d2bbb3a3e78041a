/* The certificate pieces minting leans on, each judged by OpenSSL's own
 * code: the TBSCertificate written from a certificate's fields
 * (cert_tbs.c) against i2d_re_X509_tbs and X509_verify, signing over it
 * (cert_tbs_sign.c) against X509_sign_ctx, validity times (cert_time.c)
 * against ASN1_TIME_set, serials (cert_serial.c), and public keys put in on
 * generic-arithmetic curves (cert_pubkey.c) against OpenSSL's encoder. */
#include "svid-issuer/cert_build.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "ca_test_util.h"
#include "check_util.h"
#include "common/ossl.h"

#define NOW ((time_t)1800000000)
#define URI "spiffe://example.org/ns/prod/web"
#define PRIVATE_OID "1.3.6.1.4.1.55744.1.99"

AE_DEFINE_CLEANUP(X509_ALGOR *, X509_ALGOR_free)

static const char *const key_specs[] = { "P-256", "P-384", "RSA:2048" };
static const enum ae_ca_key_type key_types[] = { AE_CA_KEY_P256, AE_CA_KEY_P384,
                                                 AE_CA_KEY_RSA2048 };
static const int sig_nids[] = { NID_ecdsa_with_SHA256, NID_ecdsa_with_SHA384,
                                NID_sha256WithRSAEncryption };

struct signer {
        EVP_PKEY *key;
        EVP_MD_CTX *ctx;
        X509_ALGOR *alg;
};

static void signer_init(struct signer *s, int i)
{
        s->key = ctu_key(key_specs[i]);
        ck_assert_int_eq(ae_cert_signer(s->key, ae_svid_key_digest(key_types[i]), &s->ctx), 0);
        ck_assert_int_eq(ae_cert_signer_alg(s->ctx, &s->alg), 0);
}

static void signer_free(struct signer *s)
{
        EVP_PKEY_free(s->key);
        EVP_MD_CTX_free(s->ctx);
        X509_ALGOR_free(s->alg);
}

/* An extension nobody knows, carrying len octets. */
static X509_EXTENSION *private_ext(size_t len, bool critical)
{
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
        ASN1_OBJECT *oid = OBJ_txt2obj(PRIVATE_OID, 1);
        uint8_t *octets = malloc(len + 1);
        X509_EXTENSION *ext;

        ck_assert(value && oid && octets);
        memset(octets, 0x5a, len);
        ck_assert_int_eq(ASN1_OCTET_STRING_set(value, octets, (int)len), 1);
        ext = X509_EXTENSION_create_by_OBJ(NULL, oid, critical ? 1 : 0, value);
        ck_assert_ptr_nonnull(ext);
        ASN1_OBJECT_free(oid);
        free(octets);
        return ext;
}

/* An unsigned leaf as minting builds one, for subject_key, issued by a CA
 * named "O=Aegis, CN=Test CA". */
static X509 *unsigned_leaf(EVP_PKEY *subject_key, time_t from, time_t to)
{
        _cleanup_(X509_NAME_freep) X509_NAME *subject = NULL, *issuer = NULL;
        X509 *x = X509_new();
        struct ae_cert_key_id ski;
        enum ae_ca_key_type type;

        ck_assert_ptr_nonnull(x);
        ck_assert_int_eq(ae_cert_name(NULL, NULL, &subject), 0);
        ck_assert_int_eq(ae_cert_name("Test CA", "0123456789abcdef", &issuer), 0);
        ck_assert_int_eq(ae_cert_set_random_serial(x), 0);
        ck_assert_int_eq(X509_set_subject_name(x, subject), 1);
        ck_assert_int_eq(X509_set_issuer_name(x, issuer), 1);
        ck_assert_int_eq(ae_cert_set_validity(x, from, to), 0);
        ck_assert_int_eq(ae_svid_key_classify(subject_key, &type), 0);
        ck_assert_int_eq(ae_cert_set_pubkey_as(x, subject_key, type), 0);
        ck_assert_int_eq(ae_cert_key_id(x, &ski), 0);
        ck_assert_int_eq(ae_cert_add_basic_constraints(x, false), 0);
        ck_assert_int_eq(ae_cert_add_key_usage(x, X509v3_KU_DIGITAL_SIGNATURE), 0);
        ck_assert_int_eq(ae_cert_add_eku_tls(x), 0);
        ck_assert_int_eq(ae_cert_add_uri_san(x, URI, false), 0);
        ck_assert_int_eq(ae_cert_add_ski(x, &ski), 0);
        ck_assert_int_eq(ae_cert_add_aki(x, &ski), 0);
        return x;
}

/* x, signed by s with ae_cert_sign_tbs, is what OpenSSL makes of it: its
 * own encoding of x is the TBSCertificate signed, the signature verifies,
 * and x survives DER and back. */
static void assert_signed_right(X509 *x, const struct signer *s, int sig_nid)
{
        _cleanup_free_ uint8_t *tbs = NULL;
        _cleanup_(X509_freep) X509 *parsed = NULL;
        unsigned char *re = NULL, *der = NULL;
        const unsigned char *p;
        const ASN1_BIT_STRING *sig;
        const X509_ALGOR *outer;
        size_t tbs_len = 0;
        int re_len, der_len;

        ck_assert_int_eq(ae_cert_tbs_encode(x, s->alg, &tbs, &tbs_len), 0);
        re_len = i2d_re_X509_tbs(x, &re);
        ck_assert_int_gt(re_len, 0);
        ck_assert_uint_eq(tbs_len, (size_t)re_len);
        ck_assert_mem_eq(tbs, re, tbs_len);
        OPENSSL_free(re);

        ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
        ck_assert_int_eq(X509_get_signature_nid(x), sig_nid);
        X509_get0_signature(&sig, &outer, x);
        ck_assert_int_eq(X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(x)), 0);
        ck_assert_int_eq(X509_ALGOR_cmp(outer, s->alg), 0);
        ck_assert_int_eq(X509_verify(x, s->key), 1);

        der_len = i2d_X509(x, &der);
        ck_assert_int_gt(der_len, 0);
        p = der;
        parsed = d2i_X509(NULL, &p, der_len);
        ck_assert_ptr_nonnull(parsed);
        ck_assert_ptr_eq(p, der + der_len);
        ck_assert_int_eq(X509_verify(parsed, s->key), 1);
        ck_assert_int_eq(X509_cmp(parsed, x), 0);
        OPENSSL_free(der);
}

/* ---- the TBSCertificate and its signature ---- */

/* Every CA key type over every subject key type. */
START_TEST(test_sign_tbs_every_key)
{
        static const char *const subjects[] = { "P-256", "P-384", "RSA:2048", "RSA:3072" };
        struct signer s;

        signer_init(&s, _i);
        for (size_t k = 0; k < 4; k++) {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key(subjects[k]);
                _cleanup_(X509_freep) X509 *x = unsigned_leaf(wk, NOW - 30, NOW + 3600);

                ck_assert_int_eq(ae_cert_sign_tbs(x, s.ctx, s.alg), 0);
                assert_signed_right(x, &s, sig_nids[_i]);
                ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(x), wk), 1);
        }
        signer_free(&s);
}
END_TEST

/* The AlgorithmIdentifier is the one X509_sign_ctx puts in. */
START_TEST(test_sign_tbs_alg_as_x509_sign_ctx)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        _cleanup_(X509_freep) X509 *ours = unsigned_leaf(wk, NOW, NOW + 60);
        _cleanup_(X509_freep) X509 *theirs = unsigned_leaf(wk, NOW, NOW + 60);
        struct signer s;

        signer_init(&s, _i);
        ck_assert_int_eq(ae_cert_sign_tbs(ours, s.ctx, s.alg), 0);
        ck_assert_int_eq(ae_cert_sign_with(theirs, s.ctx), 0);
        ck_assert_int_eq(X509_ALGOR_cmp(X509_get0_tbs_sigalg(ours), X509_get0_tbs_sigalg(theirs)),
                         0);
        ck_assert_int_eq(X509_get_signature_nid(ours), X509_get_signature_nid(theirs));
        signer_free(&s);
}
END_TEST

/* Serial contents as OpenSSL writes them: a 0x00 before a set top bit,
 * none before a clear one, short and full length. */
START_TEST(test_sign_tbs_serial_forms)
{
        static const uint8_t serials[][16] = {
                { 0x80 }, { 0x7f }, { 0x01 }, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
                { 0x01, 0x00 },
        };
        static const int lens[] = { 1, 1, 1, 16, 2 };
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        struct signer s;

        signer_init(&s, 0);
        for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
                _cleanup_(X509_freep) X509 *x = unsigned_leaf(wk, NOW, NOW + 60);

                ck_assert_int_eq(ASN1_STRING_set(X509_get_serialNumber(x), serials[i], lens[i]), 1);
                ck_assert_int_eq(ae_cert_sign_tbs(x, s.ctx, s.alg), 0);
                assert_signed_right(x, &s, sig_nids[0]);
        }
        signer_free(&s);
}
END_TEST

/* Long-form lengths (one and two octets), a critical extension OpenSSL
 * does not know, GeneralizedTime on both sides of UTCTime's range. */
START_TEST(test_sign_tbs_lengths_and_times)
{
        static const size_t sizes[] = { 0, 127, 128, 255, 256, 5000, 60000 };
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        struct signer s;

        signer_init(&s, 0);
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                /* 1949-12-31T23:59:59Z .. 2050-01-01T00:00:00Z */
                _cleanup_(X509_freep) X509 *x = unsigned_leaf(wk, -631152001, 2524608000);
                X509_EXTENSION *ext = private_ext(sizes[i], i % 2);

                ck_assert_int_eq(ae_cert_add_ext(x, &ext), 0);
                ck_assert_int_eq(ASN1_STRING_type(X509_get0_notBefore(x)),
                                 V_ASN1_GENERALIZEDTIME);
                ck_assert_int_eq(ASN1_STRING_type(X509_get0_notAfter(x)),
                                 V_ASN1_GENERALIZEDTIME);
                ck_assert_int_eq(ae_cert_sign_tbs(x, s.ctx, s.alg), 0);
                assert_signed_right(x, &s, sig_nids[0]);
        }
        signer_free(&s);
}
END_TEST

/* What the encoder cannot write as OpenSSL would is refused, and the
 * certificate is left as it was: unsigned, version 1. */
static void refused(X509 *x, const struct signer *s, int err)
{
        const ASN1_BIT_STRING *sig;
        const X509_ALGOR *alg;
        const ASN1_OBJECT *oid;
        uint8_t *tbs = (uint8_t *)0x1;
        size_t len = 7;

        ck_assert_int_eq(ae_cert_tbs_encode(x, s->alg, &tbs, &len), err);
        ck_assert_ptr_eq(tbs, (uint8_t *)0x1);
        ck_assert_uint_eq(len, 7);
        ck_assert_int_eq(ae_cert_sign_tbs(x, s->ctx, s->alg), err);
        ck_assert_int_eq(X509_get_version(x), X509_VERSION_1);
        X509_get0_signature(&sig, &alg, x);
        ck_assert_int_eq(ASN1_STRING_length(sig), 0);
        X509_ALGOR_get0(&oid, NULL, NULL, X509_get0_tbs_sigalg(x));
        ck_assert_int_eq(OBJ_obj2nid(oid), NID_undef);
}

START_TEST(test_sign_tbs_refusals)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key("P-256");
        _cleanup_(X509_freep) X509 *bare = X509_new();
        _cleanup_(X509_freep) X509 *no_key = X509_new();
        _cleanup_(X509_freep) X509 *negative = unsigned_leaf(wk, NOW, NOW + 60);
        _cleanup_(X509_freep) X509 *padded = unsigned_leaf(wk, NOW, NOW + 60);
        _cleanup_(X509_freep) X509 *too_many = unsigned_leaf(wk, NOW, NOW + 60);
        _cleanup_(X509_freep) X509 *too_big = unsigned_leaf(wk, NOW, NOW + 60);
        _cleanup_(X509_freep) X509 *ok = unsigned_leaf(wk, NOW, NOW + 60);
        X509_EXTENSION *ext;
        uint8_t *tbs = NULL;
        size_t len = 0;
        struct signer s;

        signer_init(&s, 0);
        /* Arguments. */
        ck_assert_int_eq(ae_cert_tbs_encode(NULL, s.alg, &tbs, &len), -EINVAL);
        ck_assert_int_eq(ae_cert_tbs_encode(ok, NULL, &tbs, &len), -EINVAL);
        ck_assert_int_eq(ae_cert_tbs_encode(ok, s.alg, NULL, &len), -EINVAL);
        ck_assert_int_eq(ae_cert_sign_tbs(NULL, s.ctx, s.alg), -EINVAL);
        ck_assert_int_eq(ae_cert_sign_tbs(ok, NULL, s.alg), -EINVAL);
        ck_assert_int_eq(ae_cert_sign_tbs(ok, s.ctx, NULL), -EINVAL);
        ck_assert_int_eq(ae_cert_signer_alg(NULL, &s.alg), -EINVAL);
        ck_assert_int_eq(X509_get_version(ok), X509_VERSION_1);

        /* No extensions at all. */
        refused(bare, &s, -EINVAL);
        /* Extensions and times but no key. */
        ck_assert_int_eq(ae_cert_add_basic_constraints(no_key, false), 0);
        ck_assert_int_eq(ae_cert_set_validity(no_key, NOW, NOW + 60), 0);
        refused(no_key, &s, -EINVAL);
        /* Serials that are not positive INTEGERs in their shortest form
         * (OpenSSL would write the last two, and fail to read them back). */
        ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(negative), -5), 1);
        refused(negative, &s, -EINVAL);
        ck_assert_int_eq(ASN1_STRING_set(X509_get_serialNumber(padded), "\0\1", 2), 1);
        refused(padded, &s, -EINVAL);
        ck_assert_int_eq(ASN1_STRING_set(X509_get_serialNumber(padded), "", 0), 1);
        refused(padded, &s, -EINVAL);
        /* One extension past the limit (the leaf has six). */
        for (int i = X509_get_ext_count(too_many); i <= AE_CERT_TBS_EXTENSIONS_MAX; i++) {
                ext = private_ext(1, false);
                ck_assert_int_eq(ae_cert_add_ext(too_many, &ext), 0);
        }
        refused(too_many, &s, -EINVAL);
        /* Past AE_CERT_TBS_MAX. */
        ext = private_ext(AE_CERT_TBS_MAX - 200, false);
        ck_assert_int_eq(ae_cert_add_ext(too_big, &ext), 0);
        refused(too_big, &s, -EMSGSIZE);
        signer_free(&s);
}
END_TEST

/* ---- validity times ---- */

/* Written as ASN1_TIME_set writes them, across the years and on the edges
 * of UTCTime's range; x unchanged when a time cannot be written. */
START_TEST(test_validity_as_asn1_time_set)
{
        static const time_t edges[] = {
                0, -1, 59, 86399, 86400, 951782400 /* 2000-02-29 */, 951868799,
                -631152001 /* 1949-12-31T23:59:59 */, -631152000,
                2524607999 /* 2049-12-31T23:59:59 */, 2524608000,
                -62167219200 /* 0000-01-01 */, 253402300799 /* 9999-12-31T23:59:59 */,
                4107542400 /* 2100-03-01 */, -2203891200 /* 1900-03-01 */,
        };
        _cleanup_(X509_freep) X509 *x = X509_new();
        _cleanup_(ASN1_TIME_freep) ASN1_TIME *want = ASN1_TIME_new();
        uint64_t seed = 0x9e3779b97f4a7c15ULL;

        ck_assert(x && want);
        for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]) + 2000; i++) {
                time_t t;

                if (i < sizeof(edges) / sizeof(edges[0])) {
                        t = edges[i];
                } else {
                        /* Spread over years 0000..9999. */
                        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                        t = (time_t)(seed >> 1) % 315569520000 - 62167219200;
                }
                ck_assert_int_eq(ae_cert_set_validity(x, t, t), 0);
                ck_assert_ptr_nonnull(ASN1_TIME_set(want, t));
                ck_assert_msg(ASN1_STRING_type(X509_get0_notBefore(x)) == ASN1_STRING_type(want) &&
                                      ASN1_STRING_cmp(X509_get0_notBefore(x), want) == 0 &&
                                      ASN1_STRING_cmp(X509_get0_notAfter(x), want) == 0,
                              "time %lld: %s, want %s", (long long)t,
                              ASN1_STRING_get0_data(X509_get0_notBefore(x)),
                              ASN1_STRING_get0_data(want));
        }

        /* Out of range, or the wrong way round: nothing changes. */
        ck_assert_int_eq(ae_cert_set_validity(x, NOW, NOW + 60), 0);
        ck_assert_int_eq(ae_cert_set_validity(x, NOW, 253402300800 /* 10000-01-01 */), -ERANGE);
        ck_assert_int_eq(ae_cert_set_validity(x, -62167219201, NOW), -ERANGE);
        ck_assert_int_eq(ae_cert_set_validity(x, NOW + 1, NOW), -ERANGE);
        ck_assert_int_eq(ae_cert_set_validity(NULL, NOW, NOW), -EINVAL);
        ck_assert_ptr_nonnull(ASN1_TIME_set(want, NOW));
        ck_assert_int_eq(ASN1_STRING_cmp(X509_get0_notBefore(x), want), 0);
        ck_assert_ptr_nonnull(ASN1_TIME_set(want, NOW + 60));
        ck_assert_int_eq(ASN1_STRING_cmp(X509_get0_notAfter(x), want), 0);
}
END_TEST

/* ---- serials ---- */

static int serial_cmp(const void *a, const void *b)
{
        return ASN1_INTEGER_cmp(*(ASN1_INTEGER *const *)a, *(ASN1_INTEGER *const *)b);
}

#define SERIALS 1000

/* Positive, at most 16 octets without a leading zero, all different
 * (across many refills of a thread's block). */
START_TEST(test_serials)
{
        X509 *certs[SERIALS];
        const ASN1_INTEGER *serials[SERIALS];

        for (int i = 0; i < SERIALS; i++) {
                const ASN1_INTEGER *s;

                certs[i] = X509_new();
                ck_assert_ptr_nonnull(certs[i]);
                ck_assert_int_eq(ae_cert_set_random_serial(certs[i]), 0);
                s = X509_get0_serialNumber(certs[i]);
                ck_assert_int_eq(ASN1_STRING_type(s), V_ASN1_INTEGER);
                ck_assert_int_ge(ASN1_STRING_length(s), 1);
                ck_assert_int_le(ASN1_STRING_length(s), AE_CERT_SERIAL_BYTES);
                ck_assert_uint_ne(ASN1_STRING_get0_data(s)[0], 0);
                serials[i] = s;
        }
        qsort(serials, SERIALS, sizeof(serials[0]), serial_cmp);
        for (int i = 1; i < SERIALS; i++)
                ck_assert_int_ne(ASN1_INTEGER_cmp(serials[i - 1], serials[i]), 0);
        ck_assert_int_eq(ae_cert_set_random_serial(NULL), -EINVAL);
        for (int i = 0; i < SERIALS; i++)
                X509_free(certs[i]);
}
END_TEST

/* A child of fork does not hand out the octets its parent will: it starts
 * with an empty block. */
START_TEST(test_serial_after_fork)
{
        _cleanup_(X509_freep) X509 *before = X509_new(), *parent = X509_new();
        unsigned char child_serial[AE_CERT_SERIAL_BYTES + 1];
        int fds[2], status, len;
        ssize_t n;
        pid_t pid;

        ck_assert(before && parent);
        /* Fill this thread's block. */
        ck_assert_int_eq(ae_cert_set_random_serial(before), 0);
        ck_assert_int_eq(pipe(fds), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                X509 *x = X509_new();
                const ASN1_INTEGER *s;

                close(fds[0]);
                if (!x || ae_cert_set_random_serial(x) != 0)
                        _exit(1);
                s = X509_get0_serialNumber(x);
                if (write(fds[1], ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s)) !=
                    ASN1_STRING_length(s))
                        _exit(1);
                _exit(0);
        }
        close(fds[1]);
        n = read(fds[0], child_serial, sizeof(child_serial));
        close(fds[0]);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(ae_cert_set_random_serial(parent), 0);
        len = ASN1_STRING_length(X509_get0_serialNumber(parent));
        ck_assert(n != len ||
                  memcmp(child_serial, ASN1_STRING_get0_data(X509_get0_serialNumber(parent)),
                         (size_t)n) != 0);
}
END_TEST

/* ---- public keys ---- */

/* The key as OpenSSL's own encoder writes it, usable as the key it is. */
START_TEST(test_pubkey_as_encoder)
{
        static const char *const specs[] = { "P-256", "P-384", "RSA:2048" };
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *wk = ctu_key(specs[_i]);
        _cleanup_(X509_freep) X509 *x = X509_new();
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *sign = EVP_MD_CTX_new();
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *verify = EVP_MD_CTX_new();
        unsigned char *ours = NULL, *theirs = NULL, sig[512];
        size_t sig_len = sizeof(sig);
        int ours_len, theirs_len;

        ck_assert(x && sign && verify);
        ck_assert_int_eq(ae_cert_set_pubkey_as(x, wk, key_types[_i]), 0);
        ours_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &ours);
        theirs_len = i2d_PUBKEY(wk, &theirs);
        ck_assert_int_gt(ours_len, 0);
        ck_assert_int_eq(ours_len, theirs_len);
        ck_assert_mem_eq(ours, theirs, (size_t)ours_len);
        ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(x), wk), 1);
        /* What the workload signs verifies with the certificate's key. */
        ck_assert_int_eq(EVP_DigestSignInit(sign, NULL, EVP_sha256(), NULL, wk), 1);
        ck_assert_int_eq(EVP_DigestSign(sign, sig, &sig_len, (const unsigned char *)"m", 1), 1);
        ck_assert_int_eq(EVP_DigestVerifyInit(verify, NULL, EVP_sha256(), NULL,
                                              X509_get0_pubkey(x)),
                         1);
        ck_assert_int_eq(EVP_DigestVerify(verify, sig, sig_len, (const unsigned char *)"m", 1), 1);
        OPENSSL_free(ours);
        OPENSSL_free(theirs);

        /* A type outside the enum, and no arguments. */
        ck_assert_int_eq(ae_cert_set_pubkey_as(x, wk, AE_CA_KEY_TYPE_COUNT), -EINVAL);
        ck_assert_int_eq(ae_cert_set_pubkey_as(NULL, wk, key_types[_i]), -EINVAL);
        ck_assert_int_eq(ae_cert_set_pubkey_as(x, NULL, key_types[_i]), -EINVAL);
}
END_TEST

static Suite *cert_tbs_suite(void)
{
        Suite *s = suite_create("cert_tbs");
        TCase *tc = tcase_create("cert");

        tcase_set_timeout(tc, 120);
        tcase_add_loop_test(tc, test_sign_tbs_every_key, 0, 3);
        tcase_add_loop_test(tc, test_sign_tbs_alg_as_x509_sign_ctx, 0, 3);
        tcase_add_test(tc, test_sign_tbs_serial_forms);
        tcase_add_test(tc, test_sign_tbs_lengths_and_times);
        tcase_add_test(tc, test_sign_tbs_refusals);
        tcase_add_test(tc, test_validity_as_asn1_time_set);
        tcase_add_test(tc, test_serials);
        tcase_add_test(tc, test_serial_after_fork);
        tcase_add_loop_test(tc, test_pubkey_as_encoder, 0, 3);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(cert_tbs_suite());
}
