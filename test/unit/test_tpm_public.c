#include "node-attestor/verify/tpm_public.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "check_util.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/ossl.h"
#include "node-attestor/attest_limits.h"
#include "soft_tpm_key.h"


#ifndef AE_TPM_PUBLIC_CORPUS
#error "AE_TPM_PUBLIC_CORPUS must name test/fuzz/corpus/fuzz_tpm_public"
#endif

/* Public areas a real TPM (swtpm) made with tpm2-tools, kept as the fuzz
 * seed corpus; names as that TPM computed them (tpm2_loadexternal -n, equal
 * to tpm2_createak -n for the AKs), not by Aegis. */
static const struct corpus_entry {
        const char *file;
        TPMI_ALG_PUBLIC type;
        const char *name;
} corpus[] = {
        { "ek-rsa2048.pub", TPM2_ALG_RSA,
          "000b2ce12f3f3ee52e23e8cb1b83ab971a265bd27ad21a73dae37cbd2bfe492e0c07" },
        { "ek-rsa3072.pub", TPM2_ALG_RSA,
          "000c61f02194eff0e2024c6097e9bcf8994bd24f6afe70acd799d7875604ae0f51a5daf5da7316f45b"
          "a2561b8334a63b7176" },
        { "ek-ecc-p256.pub", TPM2_ALG_ECC,
          "000b7c06bf836fd610bdb9a41775edd357bd85f310d0de9d4130820bb91262dc1a9a" },
        { "ek-ecc-p384.pub", TPM2_ALG_ECC,
          "000c4e255ee07e72f616130fc2e23b5379f3f8449f0dfd401033a2be3d8eb2f6295d5b30fae7ab6109"
          "908a9bc434b93c083d" },
        { "ak-rsa2048-sha256.pub", TPM2_ALG_RSA,
          "000b865a30fcce9cff2b305b8e8693e52617237c6a5b536fffde713227039d922b7c" },
        { "ak-ecc-p256-sha256.pub", TPM2_ALG_ECC,
          "000b1d76a40a445d01ad34533ad64b02752089e20a1f4108713d093652bb50b02446" },
        { "primary-ecc-p384-sha384.pub", TPM2_ALG_ECC,
          "000c83b26090b51a32c82be0c55ca24d78eae11b21dbd2431602feb4e07c4c92bb3f37ea500c8c7645"
          "6515ab14e490b37ab3" },
        { "primary-rsa3072-sha512.pub", TPM2_ALG_RSA,
          "000dfbc289607889ae3b2c8327665883e8d2c8f9d21ad33c3bea2a706a011d11e2181e7cbb2114206f"
          "e217a541bc50d07ff63643a1700b7c7ec4a17d32f4baa0fb6b" },
};

#define N_CORPUS (sizeof(corpus) / sizeof(corpus[0]))

/* An RSA-4096 public key (openssl genpkey, once): swtpm makes no 4096-bit
 * keys and generating one per run is slow under valgrind. */
static const char rsa4096_pem[] =
        "-----BEGIN PUBLIC KEY-----\n"
        "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAu+0lrzzPCn7DXzy2zNXM\n"
        "aW1vMFnjyijJWns9TkK41MgcZI0ck3r1/7dd69eZ5sK+DwzO0XI/tHoa3w5ECgYP\n"
        "wJYgoEqHcuy/OkChU4NkhDg923urDORnLBUjLWdgbBbactmvsK5JGNeJPQ1wlcPc\n"
        "iKGVuA5j2Y1WX20/ThvQLacBVh8mMfilrLIMhcu4mksqfj3706koSZXSOYquwMP+\n"
        "2kHTgDditzLGuLj8HizFnsQX4hNHfTPmyvVnzRA5aGTrg/ghSQ+7ul26tOTwBXCa\n"
        "7hE+G6xqx4zzwCWXnITRG/xw85Wy7OhfwcdO/QTUPAbr0EzeMYObWeOoHxoJ3iod\n"
        "DPQpl+51YA/KJm5M1pNZrGnpde+SgGLz4gwpc6RA5mh9yZpwx+8Mb6ROkJsP4JAs\n"
        "Vy2oqMOP3p09rBJ4A4p2ytZBLQFa2QprdoAdF/A1CNEBfzOo412EFXWCPNc9eqSh\n"
        "KDeM4a4eTps2QOpnjjK0tP39kmVDFw169UUzYnoYMolNWPaOrdr5Pj950hszO2F8\n"
        "Du++BCPJZnfe3AYdrs521UnSMd1nNHQE5+s1bR1Q8S7P9g7lL+23zxpMGclDPe0k\n"
        "+YsS4iuzGMDylUE5HJuJqHB6JZg1NYQMPxEUBPP1Y4ljdAKe6Fkc7evo7WNwjzik\n"
        "BSw+gwLKR56ExbmOfhhXJX8CAwEAAQ==\n"
        "-----END PUBLIC KEY-----\n";

/* Software keys, made once before Check forks the tests. */
static struct {
        EVP_PKEY *rsa2048, *rsa3072, *rsa4096, *p256, *p384, *p256_other;
} keys;

static void read_corpus(const char *file, uint8_t **ret, size_t *ret_len)
{
        char path[4096];
        int r;

        snprintf(path, sizeof(path), "%s/%s", AE_TPM_PUBLIC_CORPUS, file);
        r = ae_file_read(path, 4096, ret, ret_len);
        ck_assert_msg(r == 0, "read %s: %s", path, strerror(-r));
}

static TPM2B_PUBLIC parse_ok(const char *file)
{
        _cleanup_free_ uint8_t *buf = NULL;
        TPM2B_PUBLIC pub;
        size_t len;

        read_corpus(file, &buf, &len);
        ck_assert_int_eq(ae_tpm_public_parse(buf, len, &pub), 0);
        return pub;
}

/* Parse a marshalled public area; on failure *ret must be untouched. */
static int parse_bytes(const uint8_t *buf, size_t len)
{
        TPM2B_PUBLIC pub, before;
        int r;

        memset(&pub, 0x5a, sizeof(pub));
        before = pub;
        r = ae_tpm_public_parse(buf, len, &pub);
        if (r < 0)
                ck_assert_mem_eq(&pub, &before, sizeof(pub));
        return r;
}

/* Marshal pub as it is (the TSS computes the size field) and parse it. */
static int parse_struct(const TPM2B_PUBLIC *pub)
{
        uint8_t buf[sizeof(TPM2B_PUBLIC)];

        return parse_bytes(buf, soft_public_marshal(pub, buf, sizeof(buf)));
}

START_TEST(corpus_parses_with_the_tpms_names)
{
        for (size_t i = 0; i < N_CORPUS; i++) {
                _cleanup_free_ uint8_t *buf = NULL;
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
                uint8_t name[AE_TPM_NAME_MAX], want[AE_TPM_NAME_MAX];
                uint8_t again[AE_ATTEST_TPM_PUBLIC_MAX];
                size_t len, name_len = 0, want_len = 0;
                TPM2B_PUBLIC pub;

                read_corpus(corpus[i].file, &buf, &len);
                ck_assert_msg(ae_tpm_public_parse(buf, len, &pub) == 0, "%s", corpus[i].file);
                ck_assert_uint_eq(pub.publicArea.type, corpus[i].type);

                ck_assert_int_eq(ae_hex_decode(corpus[i].name, strlen(corpus[i].name), want,
                                               sizeof(want), &want_len),
                                 0);
                ck_assert_int_eq(ae_tpm_public_name(&pub, name, sizeof(name), &name_len), 0);
                ck_assert_uint_eq(name_len, want_len);
                ck_assert_msg(memcmp(name, want, want_len) == 0, "name of %s", corpus[i].file);

                /* What parses exactly re-marshals to the same bytes: the name
                 * is over what the agent sent. */
                ck_assert_uint_eq(soft_public_marshal(&pub, again, sizeof(again)), len);
                ck_assert_mem_eq(again, buf, len);

                ck_assert_int_eq(ae_tpm_public_to_evp(&pub, &key), 0);
                ck_assert_int_eq(EVP_PKEY_get_base_id(key),
                                 corpus[i].type == TPM2_ALG_RSA ? EVP_PKEY_RSA : EVP_PKEY_EC);
        }
}
END_TEST

START_TEST(truncated_input_is_malformed)
{
        _cleanup_free_ uint8_t *buf = NULL;
        size_t len;

        read_corpus("truncated-ek-rsa2048.pub", &buf, &len);
        ck_assert_int_eq(parse_bytes(buf, len), -EBADMSG);

        /* Every prefix of every real public area, the empty one included;
         * an exact-size heap copy so a read past the end shows under ASan. */
        for (size_t i = 0; i < N_CORPUS; i++) {
                _cleanup_free_ uint8_t *full = NULL;
                size_t full_len;

                read_corpus(corpus[i].file, &full, &full_len);
                for (size_t n = 0; n < full_len; n++) {
                        _cleanup_free_ uint8_t *prefix = malloc(n ? n : 1);

                        ck_assert_ptr_nonnull(prefix);
                        memcpy(prefix, full, n);
                        ck_assert_msg(parse_bytes(prefix, n) == -EBADMSG, "%s[0..%zu)",
                                      corpus[i].file, n);
                }
        }
}
END_TEST

START_TEST(size_field_must_cover_exactly_the_rest)
{
        _cleanup_free_ uint8_t *buf = NULL;
        uint8_t more[AE_ATTEST_TPM_PUBLIC_MAX];
        size_t len;

        read_corpus("ek-ecc-p256.pub", &buf, &len);
        memcpy(more, buf, len);

        /* A trailing byte outside the TPM2B. */
        more[len] = 0;
        ck_assert_int_eq(parse_bytes(more, len + 1), -EBADMSG);
        /* A trailing byte inside it: the size field covers it, the TPMT_PUBLIC
         * does not. */
        more[1]++;
        ck_assert_int_eq(parse_bytes(more, len + 1), -EBADMSG);
        /* A size field one short of the TPMT_PUBLIC. */
        more[1] -= 2;
        ck_assert_int_eq(parse_bytes(more, len), -EBADMSG);
        more[1]++;
        ck_assert_int_eq(parse_bytes(more, len), 0);
}
END_TEST

START_TEST(too_large_is_emsgsize)
{
        uint8_t big[AE_ATTEST_TPM_PUBLIC_MAX + 1];

        memset(big, 0, sizeof(big));
        ck_assert_int_eq(parse_bytes(big, sizeof(big)), -EMSGSIZE);
        /* At the limit it is judged on content. */
        big[0] = (AE_ATTEST_TPM_PUBLIC_MAX - 2) >> 8;
        big[1] = (AE_ATTEST_TPM_PUBLIC_MAX - 2) & 0xff;
        ck_assert_int_eq(parse_bytes(big, AE_ATTEST_TPM_PUBLIC_MAX), -EBADMSG);
}
END_TEST

START_TEST(bad_arguments)
{
        uint8_t byte = 0, name[AE_TPM_NAME_MAX];
        TPM2B_PUBLIC pub = parse_ok("ek-rsa2048.pub");
        EVP_PKEY *key = NULL;
        size_t len;

        ck_assert_int_eq(ae_tpm_public_parse(NULL, 1, &pub), -EINVAL);
        ck_assert_int_eq(ae_tpm_public_parse(&byte, 1, NULL), -EINVAL);
        ck_assert_int_eq(ae_tpm_public_parse(NULL, 0, &pub), -EBADMSG);
        ck_assert_int_eq(ae_tpm_public_name(NULL, name, sizeof(name), &len), -EINVAL);
        ck_assert_int_eq(ae_tpm_public_name(&pub, NULL, sizeof(name), &len), -EINVAL);
        ck_assert_int_eq(ae_tpm_public_name(&pub, name, sizeof(name), NULL), -EINVAL);
        ck_assert_int_eq(ae_tpm_public_to_evp(NULL, &key), -EINVAL);
        ck_assert_int_eq(ae_tpm_public_to_evp(&pub, NULL), -EINVAL);
        ck_assert_int_eq(ae_tpm_public_matches_cert(&pub, NULL), -EINVAL);
}
END_TEST

START_TEST(wrong_type_is_malformed)
{
        TPM2B_PUBLIC pub;
        TPMT_PUBLIC *p = &pub.publicArea;

        /* A well-formed HMAC key: the TSS unmarshals it, Aegis does not take
         * it as an EK or AK. */
        memset(&pub, 0, sizeof(pub));
        p->type = TPM2_ALG_KEYEDHASH;
        p->nameAlg = TPM2_ALG_SHA256;
        p->objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH;
        p->parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
        p->unique.keyedHash.size = 32;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);

        memset(&pub, 0, sizeof(pub));
        p->type = TPM2_ALG_SYMCIPHER;
        p->nameAlg = TPM2_ALG_SHA256;
        p->parameters.symDetail.sym.algorithm = TPM2_ALG_AES;
        p->parameters.symDetail.sym.keyBits.aes = 128;
        p->parameters.symDetail.sym.mode.aes = TPM2_ALG_CFB;
        p->unique.sym.size = 32;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
}
END_TEST

START_TEST(unknown_type_is_malformed)
{
        _cleanup_free_ uint8_t *buf = NULL;
        size_t len;

        read_corpus("ek-rsa2048.pub", &buf, &len);
        /* type is the first field of the TPMT_PUBLIC. */
        buf[2] = 0x00;
        buf[3] = 0x99;
        ck_assert_int_eq(parse_bytes(buf, len), -EBADMSG);
}
END_TEST

START_TEST(weak_or_unknown_name_alg_is_malformed)
{
        static const TPMI_ALG_HASH bad[] = { TPM2_ALG_SHA1, TPM2_ALG_NULL, TPM2_ALG_SM3_256,
                                             TPM2_ALG_SHA3_256, 0x7777 };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                TPM2B_PUBLIC rsa = parse_ok("ek-rsa2048.pub"), ecc = parse_ok("ek-ecc-p256.pub");
                uint8_t name[AE_TPM_NAME_MAX];
                size_t len;

                rsa.publicArea.nameAlg = bad[i];
                ecc.publicArea.nameAlg = bad[i];
                ck_assert_int_eq(parse_struct(&rsa), -EBADMSG);
                ck_assert_int_eq(parse_struct(&ecc), -EBADMSG);
                /* Nor is such an area named or turned into a key. */
                ck_assert_int_eq(ae_tpm_public_name(&rsa, name, sizeof(name), &len), -EBADMSG);
        }
}
END_TEST

/* Replace the modulus by the nearest odd multiple of 3 below it (same size,
 * top bit still set for a real modulus). */
static void with_factor_3(TPM2B_PUBLIC_KEY_RSA *n)
{
        _cleanup_(BN_freep) BIGNUM *bn = BN_bin2bn(n->buffer, n->size, NULL);

        ck_assert_ptr_nonnull(bn);
        ck_assert_int_eq(BN_sub_word(bn, BN_mod_word(bn, 3)), 1);
        if (!BN_is_odd(bn))
                ck_assert_int_eq(BN_sub_word(bn, 3), 1);
        ck_assert_uint_eq(BN_mod_word(bn, 3), 0);
        ck_assert_int_eq(BN_bn2binpad(bn, n->buffer, n->size), n->size);
        ck_assert(n->buffer[0] & 0x80);
}

START_TEST(rsa_key_size_rules)
{
        TPM2B_PUBLIC pub;

        /* keyBits outside 2048/3072/4096, modulus to match. */
        pub = parse_ok("ek-rsa2048.pub");
        pub.publicArea.parameters.rsaDetail.keyBits = 1024;
        pub.publicArea.unique.rsa.size = 128;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);

        pub = parse_ok("ek-rsa2048.pub");
        pub.publicArea.parameters.rsaDetail.keyBits = 2040;
        pub.publicArea.unique.rsa.size = 255;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);

        /* Modulus size not keyBits / 8. */
        pub = parse_ok("ek-rsa2048.pub");
        pub.publicArea.unique.rsa.size = 255;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub = parse_ok("ek-rsa2048.pub");
        pub.publicArea.unique.rsa.size = 257;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub = parse_ok("ek-rsa2048.pub");
        pub.publicArea.parameters.rsaDetail.keyBits = 3072;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);

        /* A modulus shorter than advertised (leading zero bits). */
        pub = parse_ok("ek-rsa2048.pub");
        pub.publicArea.unique.rsa.buffer[0] = 0x7f;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);

        /* An even modulus is no RSA modulus; nor is one with a small factor. */
        pub = parse_ok("ek-rsa2048.pub");
        pub.publicArea.unique.rsa.buffer[255] &= 0xfe;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub = parse_ok("ek-rsa2048.pub");
        with_factor_3(&pub.publicArea.unique.rsa);
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
}
END_TEST

/* A modulus the fuzzer made from a corpus entry (odd, no small factor).
 * OpenSSL's public key check, whose Miller-Rabin bases are random, refused
 * it in about one call in forty; Aegis's verdict may not depend on chance. */
START_TEST(verdict_is_the_same_every_time)
{
        _cleanup_free_ uint8_t *buf = NULL;
        size_t len;

        read_corpus("regress-rsa3072-crafted-modulus.pub", &buf, &len);
        for (int i = 0; i < 400; i++)
                ck_assert_int_eq(parse_bytes(buf, len), 0);
}
END_TEST

START_TEST(rsa_exponent_rules)
{
        TPM2B_PUBLIC pub = parse_ok("ek-rsa2048.pub");
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(BN_freep) BIGNUM *e = NULL;

        /* 0 means 2^16 + 1. */
        ck_assert_uint_eq(pub.publicArea.parameters.rsaDetail.exponent, 0);
        ck_assert_int_eq(ae_tpm_public_to_evp(&pub, &key), 0);
        ck_assert_int_eq(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e), 1);
        ck_assert(BN_is_word(e, 65537));

        /* Spelled out, it is the same key. */
        pub.publicArea.parameters.rsaDetail.exponent = 65537;
        ck_assert_int_eq(parse_struct(&pub), 0);
        /* Even exponents and 1 (no encryption at all) are refused; other odd
         * ones are RSA keys, if unusual for a TPM. */
        pub.publicArea.parameters.rsaDetail.exponent = 65536;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub.publicArea.parameters.rsaDetail.exponent = 1;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub.publicArea.parameters.rsaDetail.exponent = 3;
        ck_assert_int_eq(parse_struct(&pub), 0);
        pub.publicArea.parameters.rsaDetail.exponent = 0xffffffff;
        ck_assert_int_eq(parse_struct(&pub), 0);
}
END_TEST

START_TEST(ecc_curve_and_point_rules)
{
        TPM2B_PUBLIC pub;

        /* Curves other than P-256/P-384. */
        pub = parse_ok("ek-ecc-p256.pub");
        pub.publicArea.parameters.eccDetail.curveID = TPM2_ECC_BN_P256;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub = parse_ok("ek-ecc-p256.pub");
        pub.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P521;
        pub.publicArea.unique.ecc.x.size = 66;
        pub.publicArea.unique.ecc.y.size = 66;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub = parse_ok("ek-ecc-p384.pub");
        pub.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);

        /* Coordinates not at full size. */
        pub = parse_ok("ek-ecc-p256.pub");
        pub.publicArea.unique.ecc.x.size = 31;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub = parse_ok("ek-ecc-p256.pub");
        pub.publicArea.unique.ecc.y.size = 33;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub = parse_ok("ek-ecc-p256.pub");
        pub.publicArea.unique.ecc.x.size = 0;
        pub.publicArea.unique.ecc.y.size = 0;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);

        /* Points off the curve. */
        pub = parse_ok("ek-ecc-p256.pub");
        pub.publicArea.unique.ecc.y.buffer[31] ^= 1;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub = parse_ok("ek-ecc-p384.pub");
        pub.publicArea.unique.ecc.x.buffer[0] ^= 0x80;
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
        pub = parse_ok("ek-ecc-p256.pub");
        memset(pub.publicArea.unique.ecc.x.buffer, 0, 32);
        memset(pub.publicArea.unique.ecc.y.buffer, 0, 32);
        ck_assert_int_eq(parse_struct(&pub), -EBADMSG);
}
END_TEST

START_TEST(name_needs_room)
{
        TPM2B_PUBLIC pub = parse_ok("ek-ecc-p384.pub");
        uint8_t name[AE_TPM_NAME_MAX];
        size_t len = 12345;

        memset(name, 0xee, sizeof(name));
        ck_assert_int_eq(ae_tpm_public_name(&pub, name, 2 + 48 - 1, &len), -ENOBUFS);
        ck_assert_uint_eq(len, 12345);
        ck_assert_uint_eq(name[0], 0xee);
        ck_assert_int_eq(ae_tpm_public_name(&pub, name, 2 + 48, &len), 0);
        ck_assert_uint_eq(len, 50);
        ck_assert_uint_eq(name[0], 0x00);
        ck_assert_uint_eq(name[1], 0x0c);
}
END_TEST

/* A hand-built area with sizes past its buffers is refused before any read
 * (ASan would see one). */
START_TEST(hand_built_sizes_are_checked)
{
        TPM2B_PUBLIC pub = parse_ok("ek-ecc-p256.pub");
        EVP_PKEY *key = NULL;
        uint8_t name[AE_TPM_NAME_MAX];
        size_t len;

        pub.publicArea.unique.ecc.x.size = 0xffff;
        ck_assert_int_eq(ae_tpm_public_to_evp(&pub, &key), -EBADMSG);
        ck_assert_int_eq(ae_tpm_public_name(&pub, name, sizeof(name), &len), -EBADMSG);
        pub = parse_ok("ek-rsa2048.pub");
        pub.publicArea.unique.rsa.size = 0xffff;
        ck_assert_int_eq(ae_tpm_public_to_evp(&pub, &key), -EBADMSG);
        ck_assert_ptr_null(key);
}
END_TEST

static void check_round_trip(EVP_PKEY *key, TPMI_ALG_HASH name_alg)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *back = NULL;
        uint8_t buf[AE_ATTEST_TPM_PUBLIC_MAX];
        TPM2B_PUBLIC pub, parsed;
        size_t len;

        soft_key_ek_public(key, name_alg, 128, &pub);
        len = soft_public_marshal(&pub, buf, sizeof(buf));
        ck_assert_int_eq(ae_tpm_public_parse(buf, len, &parsed), 0);
        ck_assert_int_eq(ae_tpm_public_to_evp(&parsed, &back), 0);
        ck_assert_int_eq(EVP_PKEY_eq(back, key), 1);
}

START_TEST(software_keys_round_trip)
{
        check_round_trip(keys.rsa2048, TPM2_ALG_SHA256);
        check_round_trip(keys.rsa3072, TPM2_ALG_SHA384);
        check_round_trip(keys.rsa4096, TPM2_ALG_SHA512);
        check_round_trip(keys.p256, TPM2_ALG_SHA256);
        check_round_trip(keys.p384, TPM2_ALG_SHA384);
}
END_TEST

/* A self-signed certificate for key: what ae_tpm_public_matches_cert reads
 * is only its public key. */
static X509 *cert_for(EVP_PKEY *key)
{
        X509 *cert = X509_new();

        ck_assert_ptr_nonnull(cert);
        ck_assert_int_eq(X509_set_pubkey(cert, key), 1);
        ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(cert), 1), 1);
        ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(cert), 0));
        ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(cert), 3600));
        ck_assert_int_gt(X509_sign(cert, key, EVP_sha256()), 0);
        return cert;
}

START_TEST(matches_cert)
{
        _cleanup_(X509_freep) X509 *rsa_cert = cert_for(keys.rsa2048);
        _cleanup_(X509_freep) X509 *ec_cert = cert_for(keys.p256);
        _cleanup_(X509_freep) X509 *empty = X509_new();
        TPM2B_PUBLIC rsa, ec, other, p384, bad;

        soft_key_ek_public(keys.rsa2048, TPM2_ALG_SHA256, 128, &rsa);
        soft_key_ek_public(keys.p256, TPM2_ALG_SHA256, 128, &ec);
        soft_key_ek_public(keys.p256_other, TPM2_ALG_SHA256, 128, &other);
        soft_key_ek_public(keys.p384, TPM2_ALG_SHA384, 256, &p384);

        ck_assert_int_eq(ae_tpm_public_matches_cert(&rsa, rsa_cert), 0);
        ck_assert_int_eq(ae_tpm_public_matches_cert(&ec, ec_cert), 0);
        /* Attributes and nameAlg are not part of the key. */
        ec.publicArea.nameAlg = TPM2_ALG_SHA512;
        ck_assert_int_eq(ae_tpm_public_matches_cert(&ec, ec_cert), 0);

        /* Another key of the same curve, another curve, another type. */
        ck_assert_int_eq(ae_tpm_public_matches_cert(&other, ec_cert), -EKEYREJECTED);
        ck_assert_int_eq(ae_tpm_public_matches_cert(&p384, ec_cert), -EKEYREJECTED);
        ck_assert_int_eq(ae_tpm_public_matches_cert(&rsa, ec_cert), -EKEYREJECTED);
        ck_assert_int_eq(ae_tpm_public_matches_cert(&ec, rsa_cert), -EKEYREJECTED);
        /* Another RSA-2048 key (a TPM's EK). */
        bad = parse_ok("ek-rsa2048.pub");
        ck_assert_int_eq(ae_tpm_public_matches_cert(&bad, rsa_cert), -EKEYREJECTED);

        /* Unusable public areas (an even modulus, a point off the curve); a
         * certificate without a key. */
        bad = rsa;
        bad.publicArea.unique.rsa.buffer[255] &= 0xfe;
        ck_assert_int_eq(ae_tpm_public_matches_cert(&bad, rsa_cert), -EBADMSG);
        bad = ec;
        bad.publicArea.unique.ecc.y.buffer[0] ^= 1;
        ck_assert_int_eq(ae_tpm_public_matches_cert(&bad, ec_cert), -EBADMSG);
        ck_assert_ptr_nonnull(empty);
        ck_assert_int_eq(ae_tpm_public_matches_cert(&ec, empty), -EINVAL);
}
END_TEST

static EVP_PKEY *read_pem_pubkey(const char *pem)
{
        _cleanup_(BIO_free_allp) BIO *bio = BIO_new_mem_buf(pem, -1);
        EVP_PKEY *key;

        SOFT_NEED(bio != NULL);
        key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        SOFT_NEED(key != NULL);
        return key;
}

int main(void)
{
        Suite *s = suite_create("tpm_public");
        TCase *tc = tcase_create("tpm_public");
        int r;

        keys.rsa2048 = soft_key_rsa(2048);
        keys.rsa3072 = soft_key_rsa(3072);
        keys.rsa4096 = read_pem_pubkey(rsa4096_pem);
        keys.p256 = soft_key_ec("P-256");
        keys.p256_other = soft_key_ec("P-256");
        keys.p384 = soft_key_ec("P-384");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, corpus_parses_with_the_tpms_names);
        tcase_add_test(tc, truncated_input_is_malformed);
        tcase_add_test(tc, size_field_must_cover_exactly_the_rest);
        tcase_add_test(tc, too_large_is_emsgsize);
        tcase_add_test(tc, bad_arguments);
        tcase_add_test(tc, wrong_type_is_malformed);
        tcase_add_test(tc, unknown_type_is_malformed);
        tcase_add_test(tc, weak_or_unknown_name_alg_is_malformed);
        tcase_add_test(tc, rsa_key_size_rules);
        tcase_add_test(tc, verdict_is_the_same_every_time);
        tcase_add_test(tc, rsa_exponent_rules);
        tcase_add_test(tc, ecc_curve_and_point_rules);
        tcase_add_test(tc, name_needs_room);
        tcase_add_test(tc, hand_built_sizes_are_checked);
        tcase_add_test(tc, software_keys_round_trip);
        tcase_add_test(tc, matches_cert);
        suite_add_tcase(s, tc);
        r = ae_check_run(s);

        EVP_PKEY_free(keys.rsa2048);
        EVP_PKEY_free(keys.rsa3072);
        EVP_PKEY_free(keys.rsa4096);
        EVP_PKEY_free(keys.p256);
        EVP_PKEY_free(keys.p256_other);
        EVP_PKEY_free(keys.p384);
        return r;
}
