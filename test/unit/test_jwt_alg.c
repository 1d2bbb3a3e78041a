/* JWS algorithms (svid-issuer/jwt_alg.h): names, which keys fit which alg,
 * signing and verifying in JOSE form, and PS256 / ES256 against the openssl
 * CLI, a signer and verifier we did not write. */
#include "svid-issuer/jwt_alg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "check_util.h"
#include "common/ossl.h"

AE_DEFINE_CLEANUP(ECDSA_SIG *, ECDSA_SIG_free)

/* Made once in main(); the forked tests inherit them. */
static EVP_PKEY *p256, *p384, *p521, *rsa2048, *rsa1024, *k256, *ed25519, *rsa_pss;

static const char msg[] = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzcGlmZmU6Ly9leGFtcGxlLm9yZy93In0";

static EVP_PKEY *key_for(enum ae_jwt_alg alg)
{
        switch (alg) {
        case AE_JWT_ES256:
                return p256;
        case AE_JWT_ES384:
                return p384;
        case AE_JWT_ES512:
                return p521;
        default:
                return rsa2048;
        }
}

START_TEST(names)
{
        static const char *const refused[] = { "none", "None", "HS256", "HS384", "HS512", "es256",
                                               "ES256K", "EdDSA", "", "RS256 ", "RSA-OAEP" };
        enum ae_jwt_alg a = AE_JWT_ALG_COUNT;

        for (int i = 0; i < AE_JWT_ALG_COUNT; i++) {
                const char *name = ae_jwt_alg_name((enum ae_jwt_alg)i);

                ck_assert_ptr_nonnull(name);
                ck_assert_int_eq(ae_jwt_alg_from_name(name, &a), 0);
                ck_assert_int_eq(a, i);
        }
        ck_assert_str_eq(ae_jwt_alg_name(AE_JWT_PS384), "PS384");
        ck_assert_ptr_null(ae_jwt_alg_name(AE_JWT_ALG_COUNT));
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
                a = AE_JWT_ALG_COUNT;
                ck_assert_int_eq(ae_jwt_alg_from_name(refused[i], &a), -ENOENT);
                ck_assert_int_eq(a, AE_JWT_ALG_COUNT);
        }
        ck_assert_int_eq(ae_jwt_alg_from_name(NULL, &a), -EINVAL);
}
END_TEST

START_TEST(alg_for_key)
{
        enum ae_jwt_alg a;

        ck_assert_int_eq(ae_jwt_alg_for_key(p256, &a), 0);
        ck_assert_int_eq(a, AE_JWT_ES256);
        ck_assert_int_eq(ae_jwt_alg_for_key(p384, &a), 0);
        ck_assert_int_eq(a, AE_JWT_ES384);
        ck_assert_int_eq(ae_jwt_alg_for_key(p521, &a), 0);
        ck_assert_int_eq(a, AE_JWT_ES512);
        ck_assert_int_eq(ae_jwt_alg_for_key(rsa2048, &a), 0);
        ck_assert_int_eq(a, AE_JWT_RS256);
        a = AE_JWT_ALG_COUNT;
        ck_assert_int_eq(ae_jwt_alg_for_key(rsa1024, &a), -EOPNOTSUPP);
        ck_assert_int_eq(ae_jwt_alg_for_key(k256, &a), -EOPNOTSUPP);
        ck_assert_int_eq(ae_jwt_alg_for_key(ed25519, &a), -EOPNOTSUPP);
        ck_assert_int_eq(ae_jwt_alg_for_key(rsa_pss, &a), -EOPNOTSUPP);
        ck_assert_int_eq(a, AE_JWT_ALG_COUNT);
        ck_assert_int_eq(ae_jwt_alg_for_key(NULL, &a), -EINVAL);
}
END_TEST

START_TEST(fits_key)
{
        /* Each ES alg on its own curve only; RS and PS on accepted RSA only. */
        for (int i = 0; i < AE_JWT_ALG_COUNT; i++) {
                enum ae_jwt_alg alg = (enum ae_jwt_alg)i;
                bool ec = alg == AE_JWT_ES256 || alg == AE_JWT_ES384 || alg == AE_JWT_ES512;

                ck_assert_int_eq(ae_jwt_alg_fits_key(alg, p256), alg == AE_JWT_ES256);
                ck_assert_int_eq(ae_jwt_alg_fits_key(alg, p384), alg == AE_JWT_ES384);
                ck_assert_int_eq(ae_jwt_alg_fits_key(alg, p521), alg == AE_JWT_ES512);
                ck_assert_int_eq(ae_jwt_alg_fits_key(alg, rsa2048), !ec);
                ck_assert(!ae_jwt_alg_fits_key(alg, rsa1024));
                ck_assert(!ae_jwt_alg_fits_key(alg, k256));
                ck_assert(!ae_jwt_alg_fits_key(alg, ed25519));
                ck_assert(!ae_jwt_alg_fits_key(alg, rsa_pss));
                ck_assert(!ae_jwt_alg_fits_key(alg, NULL));
        }
        ck_assert(!ae_jwt_alg_fits_key(AE_JWT_ALG_COUNT, p256));
}
END_TEST

/* Every alg signs and verifies; the JOSE sizes are fixed; any change to
 * message or signature is -EBADMSG. */
START_TEST(sign_verify_every_alg)
{
        static const size_t es_len[] = { [AE_JWT_ES256] = 64, [AE_JWT_ES384] = 96,
                                         [AE_JWT_ES512] = 132 };

        for (int i = 0; i < AE_JWT_ALG_COUNT; i++) {
                enum ae_jwt_alg alg = (enum ae_jwt_alg)i;
                EVP_PKEY *key = key_for(alg);
                uint8_t sig[AE_JWT_SIG_MAX];
                size_t n = 0;
                bool ec = alg == AE_JWT_ES256 || alg == AE_JWT_ES384 || alg == AE_JWT_ES512;

                ck_assert_int_eq(ae_jwt_sign(key, alg, msg, strlen(msg), sig, sizeof(sig), &n), 0);
                ck_assert_uint_eq(n, ec ? es_len[alg] : 256);
                ck_assert_int_eq(ae_jwt_verify(key, alg, msg, strlen(msg), sig, n), 0);
                ck_assert_int_eq(ae_jwt_verify(key, alg, msg, strlen(msg) - 1, sig, n), -EBADMSG);
                ck_assert_int_eq(ae_jwt_verify(key, alg, msg, strlen(msg), sig, n - 1), -EBADMSG);
                ck_assert_int_eq(ae_jwt_verify(key, alg, msg, strlen(msg), sig, 0), -EBADMSG);
                sig[n / 2] ^= 0x01;
                ck_assert_int_eq(ae_jwt_verify(key, alg, msg, strlen(msg), sig, n), -EBADMSG);
        }
}
END_TEST

/* RS256 and PS256 are different algorithms on one key: neither verifies
 * the other's signature. Same for the hash sizes. */
START_TEST(no_cross_verification)
{
        uint8_t sig[AE_JWT_SIG_MAX];
        size_t n;

        ck_assert_int_eq(ae_jwt_sign(rsa2048, AE_JWT_RS256, msg, strlen(msg), sig, sizeof(sig), &n), 0);
        ck_assert_int_eq(ae_jwt_verify(rsa2048, AE_JWT_PS256, msg, strlen(msg), sig, n), -EBADMSG);
        ck_assert_int_eq(ae_jwt_verify(rsa2048, AE_JWT_RS384, msg, strlen(msg), sig, n), -EBADMSG);
        ck_assert_int_eq(ae_jwt_sign(rsa2048, AE_JWT_PS256, msg, strlen(msg), sig, sizeof(sig), &n), 0);
        ck_assert_int_eq(ae_jwt_verify(rsa2048, AE_JWT_RS256, msg, strlen(msg), sig, n), -EBADMSG);
        ck_assert_int_eq(ae_jwt_verify(rsa2048, AE_JWT_PS384, msg, strlen(msg), sig, n), -EBADMSG);
}
END_TEST

START_TEST(argument_errors)
{
        uint8_t sig[AE_JWT_SIG_MAX];
        size_t n = 0;

        ck_assert_int_eq(ae_jwt_sign(p256, AE_JWT_ES384, msg, 3, sig, sizeof(sig), &n), -EINVAL);
        ck_assert_int_eq(ae_jwt_sign(p256, AE_JWT_RS256, msg, 3, sig, sizeof(sig), &n), -EINVAL);
        ck_assert_int_eq(ae_jwt_sign(rsa1024, AE_JWT_RS256, msg, 3, sig, sizeof(sig), &n), -EINVAL);
        ck_assert_int_eq(ae_jwt_sign(p256, AE_JWT_ES256, msg, 3, sig, 63, &n), -ENOBUFS);
        ck_assert_int_eq(ae_jwt_sign(rsa2048, AE_JWT_RS256, msg, 3, sig, 255, &n), -ENOBUFS);
        ck_assert_int_eq(ae_jwt_sign(NULL, AE_JWT_ES256, msg, 3, sig, sizeof(sig), &n), -EINVAL);
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(ae_jwt_sign(p256, AE_JWT_ES256, msg, 3, sig, 64, &n), 0);
        ck_assert_int_eq(ae_jwt_verify(p384, AE_JWT_ES256, msg, 3, sig, 64), -EINVAL);
        ck_assert_int_eq(ae_jwt_verify(ed25519, AE_JWT_ES256, msg, 3, sig, 64), -EINVAL);
}
END_TEST

/* r or s zero, or at least the group order: never a valid signature. */
START_TEST(ecdsa_out_of_range)
{
        /* P-256's group order (SEC 2). */
        _cleanup_(BN_freep) BIGNUM *order = NULL;
        uint8_t sig[64], good[64];
        size_t n;

        ck_assert_int_gt(BN_hex2bn(&order, "FFFFFFFF00000000FFFFFFFFFFFFFFFF"
                                           "BCE6FAADA7179E84F3B9CAC2FC632551"), 0);
        ck_assert_int_eq(ae_jwt_sign(p256, AE_JWT_ES256, msg, strlen(msg), good, sizeof(good), &n), 0);
        memcpy(sig, good, 64);
        memset(sig, 0, 32);
        ck_assert_int_eq(ae_jwt_verify(p256, AE_JWT_ES256, msg, strlen(msg), sig, 64), -EBADMSG);
        memcpy(sig, good, 64);
        memset(sig + 32, 0, 32);
        ck_assert_int_eq(ae_jwt_verify(p256, AE_JWT_ES256, msg, strlen(msg), sig, 64), -EBADMSG);
        /* s = n and r = n: zero modulo n, spelled out of range. */
        memcpy(sig, good, 64);
        ck_assert_int_eq(BN_bn2binpad(order, sig + 32, 32), 32);
        ck_assert_int_eq(ae_jwt_verify(p256, AE_JWT_ES256, msg, strlen(msg), sig, 64), -EBADMSG);
        memcpy(sig, good, 64);
        ck_assert_int_eq(BN_bn2binpad(order, sig, 32), 32);
        ck_assert_int_eq(ae_jwt_verify(p256, AE_JWT_ES256, msg, strlen(msg), sig, 64), -EBADMSG);
        memset(sig, 0xff, 64);
        ck_assert_int_eq(ae_jwt_verify(p256, AE_JWT_ES256, msg, strlen(msg), sig, 64), -EBADMSG);
}
END_TEST

/* ---- the openssl CLI ---- */

static int run(const char *const argv[])
{
        pid_t pid = fork();
        int status;

        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                /* Keep the CLI's chatter out of the test log. */
                if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
                        _exit(126);
                execvp(argv[0], (char *const *)argv);
                _exit(127);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_file(const char *path, const void *data, size_t n)
{
        FILE *f = fopen(path, "wb");

        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(data, 1, n, f), n);
        ck_assert_int_eq(fclose(f), 0);
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
        FILE *f = fopen(path, "rb");
        size_t n;

        ck_assert_ptr_nonnull(f);
        n = fread(buf, 1, cap, f);
        ck_assert_int_eq(fclose(f), 0);
        return n;
}

struct cli_dir {
        char dir[64], msg[96], key[96], pub[96], sig[96];
};

static void cli_setup(struct cli_dir *d, EVP_PKEY *key)
{
        FILE *f;

        strcpy(d->dir, "/tmp/ae-jwt-alg-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(d->dir));
        snprintf(d->msg, sizeof(d->msg), "%s/msg", d->dir);
        snprintf(d->key, sizeof(d->key), "%s/key.pem", d->dir);
        snprintf(d->pub, sizeof(d->pub), "%s/pub.pem", d->dir);
        snprintf(d->sig, sizeof(d->sig), "%s/sig", d->dir);
        write_file(d->msg, msg, strlen(msg));
        f = fopen(d->key, "w");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
        ck_assert_int_eq(fclose(f), 0);
        f = fopen(d->pub, "w");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(PEM_write_PUBKEY(f, key), 1);
        ck_assert_int_eq(fclose(f), 0);
}

static void cli_cleanup(struct cli_dir *d)
{
        unlink(d->msg);
        unlink(d->key);
        unlink(d->pub);
        unlink(d->sig);
        ck_assert_int_eq(rmdir(d->dir), 0);
}

/* PS256 (RFC 7518 3.5: MGF1 with SHA-256, salt of the hash's length) both
 * ways, and the wrong salt length refused by us. */
START_TEST(ps256_with_openssl_cli)
{
        struct cli_dir d;
        uint8_t sig[AE_JWT_SIG_MAX];
        size_t n;

        cli_setup(&d, rsa2048);
        ck_assert_int_eq(ae_jwt_sign(rsa2048, AE_JWT_PS256, msg, strlen(msg), sig, sizeof(sig), &n), 0);
        write_file(d.sig, sig, n);
        {
                const char *const argv[] = { "openssl", "dgst", "-sha256", "-sigopt",
                                             "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                                             "-sigopt", "rsa_mgf1_md:sha256", "-verify", d.pub,
                                             "-signature", d.sig, d.msg, NULL };

                ck_assert_int_eq(run(argv), 0);
        }
        {
                const char *const argv[] = { "openssl", "dgst", "-sha256", "-sigopt",
                                             "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                                             "-sign", d.key, "-out", d.sig, d.msg, NULL };

                ck_assert_int_eq(run(argv), 0);
                n = read_file(d.sig, sig, sizeof(sig));
                ck_assert_uint_eq(n, 256);
                ck_assert_int_eq(ae_jwt_verify(rsa2048, AE_JWT_PS256, msg, strlen(msg), sig, n), 0);
        }
        {
                /* A 20-byte salt is valid PSS but not PS256. */
                const char *const argv[] = { "openssl", "dgst", "-sha256", "-sigopt",
                                             "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:20",
                                             "-sign", d.key, "-out", d.sig, d.msg, NULL };

                ck_assert_int_eq(run(argv), 0);
                n = read_file(d.sig, sig, sizeof(sig));
                ck_assert_int_eq(ae_jwt_verify(rsa2048, AE_JWT_PS256, msg, strlen(msg), sig, n),
                                 -EBADMSG);
        }
        cli_cleanup(&d);
}
END_TEST

/* ES384: openssl's DER signature, as r||s, verifies with us; ours, as DER,
 * verifies with openssl. */
START_TEST(es384_with_openssl_cli)
{
        struct cli_dir d;
        uint8_t sig[AE_JWT_SIG_MAX], der[256];
        size_t n;

        cli_setup(&d, p384);
        {
                const char *const argv[] = { "openssl", "dgst", "-sha384", "-sign", d.key, "-out",
                                             d.sig, d.msg, NULL };
                _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *s = NULL;
                const unsigned char *p = der;
                const BIGNUM *r, *sv;

                ck_assert_int_eq(run(argv), 0);
                n = read_file(d.sig, der, sizeof(der));
                s = d2i_ECDSA_SIG(NULL, &p, (long)n);
                ck_assert_ptr_nonnull(s);
                ECDSA_SIG_get0(s, &r, &sv);
                ck_assert_int_eq(BN_bn2binpad(r, sig, 48), 48);
                ck_assert_int_eq(BN_bn2binpad(sv, sig + 48, 48), 48);
                ck_assert_int_eq(ae_jwt_verify(p384, AE_JWT_ES384, msg, strlen(msg), sig, 96), 0);
        }
        {
                const char *const argv[] = { "openssl", "dgst", "-sha384", "-verify", d.pub,
                                             "-signature", d.sig, d.msg, NULL };
                _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *s = ECDSA_SIG_new();
                BIGNUM *r, *sv;
                unsigned char *p = der;
                int len;

                ck_assert_int_eq(ae_jwt_sign(p384, AE_JWT_ES384, msg, strlen(msg), sig, sizeof(sig), &n), 0);
                r = BN_bin2bn(sig, 48, NULL);
                sv = BN_bin2bn(sig + 48, 48, NULL);
                ck_assert_int_eq(ECDSA_SIG_set0(s, r, sv), 1);
                len = i2d_ECDSA_SIG(s, &p);
                ck_assert_int_gt(len, 0);
                write_file(d.sig, der, (size_t)len);
                ck_assert_int_eq(run(argv), 0);
                /* And the CLI does refuse a bad one: this check can fail. */
                sig[0] ^= 0x80;
                ECDSA_SIG_free(s);
                s = ECDSA_SIG_new();
                ck_assert_int_eq(ECDSA_SIG_set0(s, BN_bin2bn(sig, 48, NULL), BN_bin2bn(sig + 48, 48, NULL)), 1);
                p = der;
                len = i2d_ECDSA_SIG(s, &p);
                write_file(d.sig, der, (size_t)len);
                ck_assert_int_ne(run(argv), 0);
        }
        cli_cleanup(&d);
}
END_TEST

/* An RSA-PSS-restricted key (EVP_PKEY_Q_keygen knows only plain RSA). */
static EVP_PKEY *rsa_pss_gen(void)
{
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
        EVP_PKEY *key = NULL;

        if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) != 1 ||
            EVP_PKEY_generate(ctx, &key) != 1)
                return NULL;
        return key;
}

int main(void)
{
        Suite *s = suite_create("jwt_alg");
        TCase *tc = tcase_create("jwt_alg");
        int r;

        p256 = EVP_EC_gen("P-256");
        p384 = EVP_EC_gen("P-384");
        p521 = EVP_EC_gen("P-521");
        k256 = EVP_EC_gen("secp256k1");
        rsa2048 = EVP_RSA_gen(2048);
        rsa1024 = EVP_RSA_gen(1024);
        ed25519 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        rsa_pss = rsa_pss_gen();
        if (!p256 || !p384 || !p521 || !k256 || !rsa2048 || !rsa1024 || !ed25519 || !rsa_pss) {
                fprintf(stderr, "key generation failed\n");
                return EXIT_FAILURE;
        }
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, names);
        tcase_add_test(tc, alg_for_key);
        tcase_add_test(tc, fits_key);
        tcase_add_test(tc, sign_verify_every_alg);
        tcase_add_test(tc, no_cross_verification);
        tcase_add_test(tc, argument_errors);
        tcase_add_test(tc, ecdsa_out_of_range);
        tcase_add_test(tc, ps256_with_openssl_cli);
        tcase_add_test(tc, es384_with_openssl_cli);
        suite_add_tcase(s, tc);
        r = ae_check_run(s);
        EVP_PKEY_free(p256);
        EVP_PKEY_free(p384);
        EVP_PKEY_free(p521);
        EVP_PKEY_free(k256);
        EVP_PKEY_free(rsa2048);
        EVP_PKEY_free(rsa1024);
        EVP_PKEY_free(ed25519);
        EVP_PKEY_free(rsa_pss);
        return r;
}
