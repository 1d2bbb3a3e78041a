#include "node-attestor/verify/kdf.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "check_util.h"

/* Expected outputs computed once, independently of this code, with Python's
 * hashlib/hmac following TPM 2.0 Part 1 §11.4.10 literally (counter, label,
 * NUL, contexts, bit count); inputs are counting byte sequences, see seq(). */
/* 16 bytes */
static const uint8_t kdfa_sha256_storage[] = {
        0x30, 0x47, 0x6c, 0xb9, 0x7d, 0xe9, 0x10, 0xbe, 0xf6, 0xa6, 0xa2, 0xc4,
        0x06, 0x64, 0x85, 0x83,
};
/* 32 bytes */
static const uint8_t kdfa_sha256_integrity[] = {
        0xba, 0xcf, 0x68, 0x9f, 0x63, 0x4e, 0xce, 0x30, 0x1e, 0x1f, 0x1b, 0x15,
        0xb0, 0x72, 0xd9, 0xc8, 0x7d, 0xb6, 0xa6, 0x95, 0x85, 0xdb, 0x42, 0xb1,
        0xa0, 0xcb, 0x8f, 0x73, 0xeb, 0xe2, 0x69, 0x2e,
};
/* 100 bytes */
static const uint8_t kdfa_sha384_two_ctx[] = {
        0x0e, 0x0f, 0xb1, 0x7d, 0x46, 0xf5, 0x4e, 0x4a, 0x32, 0x14, 0xab, 0x8d,
        0x7e, 0xa7, 0xa4, 0x7c, 0x7c, 0x71, 0xe6, 0x1f, 0x44, 0x80, 0x26, 0xf1,
        0x87, 0xb8, 0xc6, 0xe0, 0xbc, 0x85, 0x4e, 0xd7, 0xb1, 0x06, 0x0f, 0xae,
        0x6f, 0xaf, 0x1e, 0xfc, 0x90, 0xd4, 0x17, 0xc8, 0x34, 0x67, 0xe1, 0x7e,
        0x1d, 0x7a, 0xe4, 0xad, 0xc0, 0xda, 0x52, 0x23, 0xc3, 0xed, 0x0a, 0xa9,
        0xac, 0x54, 0xe5, 0x90, 0x94, 0xfd, 0x69, 0xbf, 0x7b, 0x83, 0x4e, 0x5a,
        0x34, 0xca, 0x3d, 0x6f, 0xc5, 0x68, 0x02, 0x44, 0x4a, 0xa8, 0xd1, 0xb6,
        0x34, 0xfc, 0x79, 0xee, 0xe4, 0x38, 0xa4, 0x1b, 0xa6, 0xd2, 0xdd, 0x49,
        0x07, 0x7d, 0x28, 0x16,
};
/* 65 bytes */
static const uint8_t kdfa_sha512_65[] = {
        0xfd, 0x87, 0x45, 0xbb, 0x67, 0x4d, 0xf6, 0x12, 0xb0, 0x50, 0xf3, 0x80,
        0x23, 0x1f, 0xcb, 0xa2, 0x5d, 0x12, 0x56, 0xcb, 0x92, 0xf5, 0xec, 0x50,
        0xd0, 0xa7, 0x31, 0x46, 0x64, 0x8a, 0xfd, 0x80, 0x3e, 0xcf, 0x6e, 0xec,
        0xb0, 0x3e, 0x99, 0xf8, 0x87, 0x02, 0x58, 0xa5, 0x62, 0x44, 0x38, 0x63,
        0xf1, 0xae, 0x00, 0x6b, 0x87, 0x91, 0x66, 0xe1, 0x8c, 0xe6, 0x14, 0xac,
        0x9d, 0x60, 0x62, 0xda, 0x20,
};
/* 32 bytes */
static const uint8_t kdfe_sha256_identity[] = {
        0xe8, 0x1c, 0x0c, 0x3c, 0x62, 0x24, 0x24, 0x57, 0xae, 0x6f, 0xcc, 0xd0,
        0x6c, 0x33, 0x02, 0xd4, 0x73, 0xb1, 0xca, 0x8b, 0xfb, 0xa3, 0x8e, 0x8d,
        0xc5, 0x8f, 0x8e, 0xca, 0xf5, 0x1f, 0xb5, 0xd9,
};
/* 80 bytes */
static const uint8_t kdfe_sha384_80[] = {
        0x57, 0x01, 0xba, 0x37, 0xfa, 0x1b, 0x98, 0xf8, 0xcb, 0x98, 0x13, 0xb3,
        0xbd, 0x46, 0xd6, 0x44, 0x06, 0xc6, 0xba, 0xbf, 0xf9, 0xa8, 0x7c, 0xa7,
        0x9c, 0xf4, 0x07, 0x0e, 0x11, 0xf1, 0x97, 0x9f, 0x6f, 0x7b, 0xa2, 0x8f,
        0xe2, 0x43, 0x07, 0x76, 0xb8, 0x14, 0x97, 0x36, 0x06, 0xfb, 0x4f, 0x94,
        0x2b, 0xe7, 0x08, 0x8f, 0x07, 0xc5, 0xa9, 0x5a, 0x29, 0x83, 0xd4, 0xdd,
        0x37, 0x63, 0x7c, 0x84, 0x6d, 0x7c, 0x01, 0x1e, 0x9b, 0xf6, 0x4e, 0x2f,
        0x57, 0xd5, 0x98, 0x1b, 0xc5, 0xed, 0x2e, 0x94,
};

/* n bytes start, start+1, ... (mod 256), as the Python script made them. */
static void seq(uint8_t *out, size_t n, uint8_t start)
{
        for (size_t i = 0; i < n; i++)
                out[i] = (uint8_t)(start + i);
}

START_TEST(kdfa_vectors)
{
        uint8_t key[48], u[34], v[16], out[100];

        seq(key, 32, 0x00);
        seq(u, 34, 0x40);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "STORAGE", u, 34, NULL, 0, 128, out), 0);
        ck_assert_mem_eq(out, kdfa_sha256_storage, 16);

        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "INTEGRITY", NULL, 0, NULL, 0, 256, out),
                         0);
        ck_assert_mem_eq(out, kdfa_sha256_integrity, 32);

        /* Several blocks, the last one cut; both contexts. */
        seq(key, 48, 0x10);
        seq(u, 16, 0xa0);
        seq(v, 16, 0xc0);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA384, key, 48, "ATH", u, 16, v, 16, 800, out), 0);
        ck_assert_mem_eq(out, kdfa_sha384_two_ctx, 100);

        /* Empty label (just its NUL), only context V, one byte of block 2. */
        seq(key, 20, 0x77);
        seq(v, 3, 0x01);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA512, key, 20, "", NULL, 0, v, 3, 520, out), 0);
        ck_assert_mem_eq(out, kdfa_sha512_65, 65);
}
END_TEST

START_TEST(kdfe_vectors)
{
        uint8_t z[48], u[48], v[48], out[80];

        seq(z, 32, 0x20);
        seq(u, 32, 0x50);
        seq(v, 32, 0x90);
        ck_assert_int_eq(ae_kdfe(TPM2_ALG_SHA256, z, 32, "IDENTITY", u, 32, v, 32, 256, out), 0);
        ck_assert_mem_eq(out, kdfe_sha256_identity, 32);

        seq(z, 48, 0x33);
        seq(u, 48, 0x01);
        seq(v, 48, 0x81);
        ck_assert_int_eq(ae_kdfe(TPM2_ALG_SHA384, z, 48, "SECRET", u, 48, v, 48, 640, out), 0);
        ck_assert_mem_eq(out, kdfe_sha384_80, 80);
}
END_TEST

/* A second, unrelated implementation: OpenSSL's SP 800-108 KBKDF in counter
 * mode (32-bit counter, Label = "salt", 0x00 separator, Context = "info",
 * 32-bit L) is KDFa. */
static void openssl_kbkdf(const char *md, const uint8_t *key, size_t key_len, const char *label,
                          const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t len)
{
        EVP_KDF *kdf = EVP_KDF_fetch(NULL, "KBKDF", NULL);
        EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
        OSSL_PARAM p[] = {
                OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_MODE, (char *)"counter", 0),
                OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_MAC, (char *)"HMAC", 0),
                OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0),
                OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len),
                OSSL_PARAM_octet_string(OSSL_KDF_PARAM_SALT, (void *)label, strlen(label)),
                OSSL_PARAM_octet_string(OSSL_KDF_PARAM_INFO, (void *)ctx, ctx_len),
                OSSL_PARAM_END,
        };

        ck_assert_ptr_nonnull(kctx);
        ck_assert_int_eq(EVP_KDF_derive(kctx, out, len, p), 1);
        EVP_KDF_CTX_free(kctx);
        EVP_KDF_free(kdf);
}

/* And OpenSSL's SP 800-56C single-step KDF with a hash is KDFe, with
 * FixedInfo = label || 0x00 || partyU || partyV. */
static void openssl_sskdf(const char *md, const uint8_t *z, size_t z_len, const uint8_t *info,
                          size_t info_len, uint8_t *out, size_t len)
{
        EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SSKDF", NULL);
        EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
        OSSL_PARAM p[] = {
                OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0),
                OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, (void *)z, z_len),
                OSSL_PARAM_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
                OSSL_PARAM_END,
        };

        ck_assert_ptr_nonnull(kctx);
        ck_assert_int_eq(EVP_KDF_derive(kctx, out, len, p), 1);
        EVP_KDF_CTX_free(kctx);
        EVP_KDF_free(kdf);
}

static const struct {
        TPMI_ALG_HASH alg;
        const char *md;
} hashes[] = {
        { TPM2_ALG_SHA256, "SHA256" },
        { TPM2_ALG_SHA384, "SHA384" },
        { TPM2_ALG_SHA512, "SHA512" },
};

/* Every hash, output lengths around the block boundaries, with and without
 * contexts. */
START_TEST(kdfa_matches_openssl_kbkdf)
{
        static const size_t lens[] = { 1, 16, 31, 32, 33, 48, 64, 65, 130, 1024 };
        uint8_t key[40], u[34], v[20], ctx[54], out[1024], ref[1024];

        seq(key, sizeof(key), 0x11);
        seq(u, sizeof(u), 0x22);
        seq(v, sizeof(v), 0x33);
        memcpy(ctx, u, sizeof(u));
        memcpy(ctx + sizeof(u), v, sizeof(v));
        for (size_t h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++)
                for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
                        size_t n = lens[i];

                        ck_assert_int_eq(ae_kdfa(hashes[h].alg, key, sizeof(key), "STORAGE", u,
                                                 sizeof(u), v, sizeof(v), (uint32_t)(8 * n), out),
                                         0);
                        openssl_kbkdf(hashes[h].md, key, sizeof(key), "STORAGE", ctx,
                                      sizeof(ctx), ref, n);
                        ck_assert_mem_eq(out, ref, n);

                        ck_assert_int_eq(ae_kdfa(hashes[h].alg, key, 7, "INTEGRITY", NULL, 0,
                                                 NULL, 0, (uint32_t)(8 * n), out),
                                         0);
                        openssl_kbkdf(hashes[h].md, key, 7, "INTEGRITY", NULL, 0, ref, n);
                        ck_assert_mem_eq(out, ref, n);
                }
}
END_TEST

START_TEST(kdfe_matches_openssl_sskdf)
{
        static const size_t lens[] = { 1, 32, 33, 48, 64, 65, 200 };
        uint8_t z[48], u[48], v[48], info[9 + 96], out[200], ref[200];

        seq(z, sizeof(z), 0x44);
        seq(u, sizeof(u), 0x55);
        seq(v, sizeof(v), 0x66);
        memcpy(info, "IDENTITY", 9); /* with its NUL */
        memcpy(info + 9, u, sizeof(u));
        memcpy(info + 9 + sizeof(u), v, sizeof(v));
        for (size_t h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++)
                for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
                        size_t n = lens[i];

                        ck_assert_int_eq(ae_kdfe(hashes[h].alg, z, sizeof(z), "IDENTITY", u,
                                                 sizeof(u), v, sizeof(v), (uint32_t)(8 * n), out),
                                         0);
                        openssl_sskdf(hashes[h].md, z, sizeof(z), info, sizeof(info), ref, n);
                        ck_assert_mem_eq(out, ref, n);
                }
}
END_TEST

/* What is and is not an input: the label, the requested length (hashed as
 * [bits]32, so a shorter output is not a prefix of a longer one); not the
 * place where the context is split between U and V. */
START_TEST(kdf_inputs_all_count)
{
        uint8_t key[32], a[32], b[32];

        seq(key, sizeof(key), 0);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "STORAGE", NULL, 0, NULL, 0, 256, a), 0);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "STORAG", NULL, 0, NULL, 0, 256, b), 0);
        ck_assert_mem_ne(a, b, 32);
        /* The context is split between U and V only in the caller's mind. */
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "L", key, 10, key + 10, 6, 256, a), 0);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "L", key, 16, NULL, 0, 256, b), 0);
        ck_assert_mem_eq(a, b, 32);
        /* The bit count is an input: a shorter request is not a prefix. */
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "L", NULL, 0, NULL, 0, 128, b), 0);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "L", NULL, 0, NULL, 0, 256, a), 0);
        ck_assert_mem_ne(a, b, 16);
}
END_TEST

START_TEST(kdf_rejects_bad_arguments)
{
        uint8_t key[32] = { 1 }, out[AE_KDF_OUT_MAX + 1], before[sizeof(out)];

        memset(out, 0xa5, sizeof(out));
        memcpy(before, out, sizeof(out));
        /* SHA-1 and NULL are not hashes Aegis derives keys with. */
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA1, key, 32, "L", NULL, 0, NULL, 0, 256, out), -EINVAL);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_NULL, key, 32, "L", NULL, 0, NULL, 0, 256, out), -EINVAL);
        ck_assert_int_eq(ae_kdfe(TPM2_ALG_SHA1, key, 32, "L", NULL, 0, NULL, 0, 256, out), -EINVAL);
        ck_assert_int_eq(ae_kdfe(TPM2_ALG_SM3_256, key, 32, "L", NULL, 0, NULL, 0, 256, out),
                         -EINVAL);
        /* Bit counts: zero, partial bytes, above the bound. */
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "L", NULL, 0, NULL, 0, 0, out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "L", NULL, 0, NULL, 0, 12, out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "L", NULL, 0, NULL, 0,
                                 8 * (AE_KDF_OUT_MAX + 1), out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfe(TPM2_ALG_SHA256, key, 32, "L", NULL, 0, NULL, 0, 7, out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfe(TPM2_ALG_SHA256, key, 32, "L", NULL, 0, NULL, 0, UINT32_MAX, out),
                         -EINVAL);
        /* Empty key / Z, missing label, contexts or output. */
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 0, "L", NULL, 0, NULL, 0, 256, out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, NULL, 32, "L", NULL, 0, NULL, 0, 256, out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfe(TPM2_ALG_SHA256, key, 0, "L", NULL, 0, NULL, 0, 256, out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, NULL, NULL, 0, NULL, 0, 256, out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfe(TPM2_ALG_SHA256, key, 32, NULL, NULL, 0, NULL, 0, 256, out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "L", NULL, 1, NULL, 0, 256, out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfe(TPM2_ALG_SHA256, key, 32, "L", NULL, 0, NULL, 1, 256, out),
                         -EINVAL);
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "L", NULL, 0, NULL, 0, 256, NULL),
                         -EINVAL);
        /* Nothing was written by any of them. */
        ck_assert_mem_eq(out, before, sizeof(out));

        /* The bound itself is accepted and writes exactly that much. */
        ck_assert_int_eq(ae_kdfa(TPM2_ALG_SHA256, key, 32, "L", NULL, 0, NULL, 0,
                                 8 * AE_KDF_OUT_MAX, out),
                         0);
        ck_assert_uint_eq(out[AE_KDF_OUT_MAX], 0xa5);
}
END_TEST

START_TEST(kdf_md_mapping)
{
        ck_assert_ptr_eq(ae_kdf_md(TPM2_ALG_SHA256), EVP_sha256());
        ck_assert_ptr_eq(ae_kdf_md(TPM2_ALG_SHA384), EVP_sha384());
        ck_assert_ptr_eq(ae_kdf_md(TPM2_ALG_SHA512), EVP_sha512());
        ck_assert_ptr_null(ae_kdf_md(TPM2_ALG_SHA1));
        ck_assert_ptr_null(ae_kdf_md(TPM2_ALG_NULL));
        ck_assert_ptr_null(ae_kdf_md(TPM2_ALG_SHA3_256));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("kdf");
        TCase *tc = tcase_create("kdf");

        tcase_add_test(tc, kdfa_vectors);
        tcase_add_test(tc, kdfe_vectors);
        tcase_add_test(tc, kdfa_matches_openssl_kbkdf);
        tcase_add_test(tc, kdfe_matches_openssl_sskdf);
        tcase_add_test(tc, kdf_inputs_all_count);
        tcase_add_test(tc, kdf_rejects_bad_arguments);
        tcase_add_test(tc, kdf_md_mapping);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
