#include "node-attestor/verify/make_credential.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <tss2/tss2_mu.h>

#include "check_util.h"
#include "common/file.h"
#include "common/ossl.h"
#include "node-attestor/verify/kdf.h"
#include "node-attestor/verify/make_credential_internal.h"
#include "node-attestor/verify/tpm_public.h"
#include "soft_tpm_key.h"

#ifndef AE_TPM_PUBLIC_CORPUS
#error "AE_TPM_PUBLIC_CORPUS must name test/fuzz/corpus/fuzz_tpm_public"
#endif

/* Known answers computed once, independently, by a Python script following
 * TPM 2.0 Part 1 §24 (hashlib/hmac for KDFa/KDFe/HMAC, the 'cryptography'
 * package for AES-CFB and ECDH), for the corpus EKs (swtpm's RSA-2048,
 * P-256 and P-384 EKs) with: AK name = the corpus RSA AK's name, secret =
 * 0xe0, 0xe1, ... (32 bytes), RSA seed = 0x5a, 0x5b, ... (32 bytes), ECC
 * ephemeral keys = the private scalars below. */
static const uint8_t kat_ak_name[] = {
        0x00, 0x0b, 0x86, 0x5a, 0x30, 0xfc, 0xce, 0x9c, 0xff, 0x2b, 0x30, 0x5b,
        0x8e, 0x86, 0x93, 0xe5, 0x26, 0x17, 0x23, 0x7c, 0x6a, 0x5b, 0x53, 0x6f,
        0xff, 0xde, 0x71, 0x32, 0x27, 0x03, 0x9d, 0x92, 0x2b, 0x7c,
};
/* 70 bytes */
static const uint8_t kat_rsa2048_blob[] = {
        0x00, 0x44, 0x00, 0x20, 0x32, 0x48, 0xf5, 0x12, 0x28, 0x09, 0x01, 0xa2,
        0x31, 0x2e, 0xfe, 0x6a, 0x6e, 0xab, 0x67, 0xad, 0x5d, 0x2e, 0x70, 0xf5,
        0x69, 0x57, 0xa2, 0x31, 0xd3, 0xaa, 0xa1, 0x52, 0xc6, 0x6c, 0x61, 0x03,
        0xe4, 0x4e, 0xc1, 0x32, 0xe9, 0x9b, 0xb4, 0xa9, 0xf5, 0x86, 0xf6, 0xb5,
        0x36, 0x1f, 0xf3, 0x62, 0x76, 0xb5, 0x28, 0xc2, 0xe3, 0xac, 0x4e, 0xd5,
        0x5d, 0x69, 0x98, 0xda, 0x40, 0xac, 0x5e, 0x41, 0xe5, 0xbc,
};
/* 32 bytes */
static const uint8_t kat_p256_eph_priv[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56,
        0x78, 0x90, 0xab, 0xcd, 0xef, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x12, 0x34, 0x56, 0x78, 0x90, 0xab, 0xcd, 0xef,
};
/* 65 bytes */
static const uint8_t kat_p256_eph_pub[] = {
        0x04, 0x66, 0x92, 0x63, 0xa3, 0xe3, 0x98, 0xe2, 0x79, 0x05, 0xa6, 0x5d,
        0x97, 0xd8, 0x97, 0x8a, 0x21, 0xa6, 0xb2, 0x69, 0x93, 0x1c, 0xad, 0xf9,
        0xce, 0x48, 0xea, 0x36, 0xb1, 0xa5, 0x93, 0x64, 0xe4, 0x16, 0x70, 0xe0,
        0x1d, 0x64, 0xb3, 0x75, 0xcf, 0x38, 0x08, 0x1e, 0x33, 0xc9, 0xea, 0x2b,
        0x90, 0xed, 0xc2, 0x38, 0x27, 0xbe, 0xa6, 0x17, 0x25, 0x6e, 0xbb, 0x2a,
        0x8d, 0x57, 0xdc, 0x0e, 0x3a,
};
/* 70 bytes */
static const uint8_t kat_p256_enc_secret[] = {
        0x00, 0x44, 0x00, 0x20, 0x66, 0x92, 0x63, 0xa3, 0xe3, 0x98, 0xe2, 0x79,
        0x05, 0xa6, 0x5d, 0x97, 0xd8, 0x97, 0x8a, 0x21, 0xa6, 0xb2, 0x69, 0x93,
        0x1c, 0xad, 0xf9, 0xce, 0x48, 0xea, 0x36, 0xb1, 0xa5, 0x93, 0x64, 0xe4,
        0x00, 0x20, 0x16, 0x70, 0xe0, 0x1d, 0x64, 0xb3, 0x75, 0xcf, 0x38, 0x08,
        0x1e, 0x33, 0xc9, 0xea, 0x2b, 0x90, 0xed, 0xc2, 0x38, 0x27, 0xbe, 0xa6,
        0x17, 0x25, 0x6e, 0xbb, 0x2a, 0x8d, 0x57, 0xdc, 0x0e, 0x3a,
};
/* 70 bytes */
static const uint8_t kat_p256_blob[] = {
        0x00, 0x44, 0x00, 0x20, 0x74, 0xd1, 0xae, 0x51, 0xf9, 0x7a, 0xa8, 0x53,
        0xcf, 0x85, 0xe5, 0x55, 0xd9, 0xb7, 0xc1, 0xa7, 0x33, 0x12, 0xb9, 0x5f,
        0x1e, 0xe0, 0xd2, 0x0a, 0x6b, 0xcf, 0xae, 0x97, 0x15, 0xa3, 0x58, 0x36,
        0x4b, 0x10, 0xd5, 0x7a, 0x72, 0x68, 0xd3, 0x76, 0x22, 0x1d, 0xdd, 0x1c,
        0xa9, 0xb5, 0x3b, 0x9e, 0x8a, 0x4b, 0x7b, 0xc4, 0x3d, 0x83, 0xd2, 0xa5,
        0x86, 0xd4, 0x51, 0xe6, 0xde, 0xe4, 0x3a, 0x82, 0x1e, 0x82,
};
/* 48 bytes */
static const uint8_t kat_p384_eph_priv[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0xfe, 0xdc, 0xba, 0x09, 0x87, 0x65, 0x43, 0x21, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0xfe, 0xdc, 0xba, 0x09, 0x87, 0x65, 0x43, 0x21,
};
/* 97 bytes */
static const uint8_t kat_p384_eph_pub[] = {
        0x04, 0x2a, 0xfb, 0x1c, 0xc1, 0xbc, 0x5e, 0x34, 0xd7, 0x41, 0xd6, 0xcc,
        0x97, 0xbe, 0x3c, 0x12, 0x49, 0x2e, 0x04, 0x88, 0x3f, 0x2c, 0x51, 0xe4,
        0x4e, 0x57, 0x53, 0xd5, 0xd9, 0x52, 0x23, 0x1a, 0xbf, 0x21, 0x34, 0x58,
        0xc2, 0x40, 0x89, 0x65, 0x82, 0x98, 0xaf, 0x2c, 0xad, 0x6c, 0x04, 0x45,
        0x90, 0xd2, 0xbd, 0xc4, 0x2e, 0x2f, 0xf6, 0xc3, 0x6f, 0x9a, 0x11, 0x07,
        0x88, 0x6e, 0x9b, 0x93, 0x53, 0x63, 0x0d, 0x24, 0x34, 0xb8, 0xdf, 0x8b,
        0x13, 0x5c, 0xfd, 0xbf, 0xe6, 0x70, 0x4d, 0x7c, 0xc0, 0xea, 0x06, 0x5f,
        0x8d, 0x49, 0x7c, 0x3d, 0x08, 0xff, 0x30, 0x14, 0x24, 0x35, 0x97, 0xd9,
        0xf7,
};
/* 102 bytes */
static const uint8_t kat_p384_enc_secret[] = {
        0x00, 0x64, 0x00, 0x30, 0x2a, 0xfb, 0x1c, 0xc1, 0xbc, 0x5e, 0x34, 0xd7,
        0x41, 0xd6, 0xcc, 0x97, 0xbe, 0x3c, 0x12, 0x49, 0x2e, 0x04, 0x88, 0x3f,
        0x2c, 0x51, 0xe4, 0x4e, 0x57, 0x53, 0xd5, 0xd9, 0x52, 0x23, 0x1a, 0xbf,
        0x21, 0x34, 0x58, 0xc2, 0x40, 0x89, 0x65, 0x82, 0x98, 0xaf, 0x2c, 0xad,
        0x6c, 0x04, 0x45, 0x90, 0x00, 0x30, 0xd2, 0xbd, 0xc4, 0x2e, 0x2f, 0xf6,
        0xc3, 0x6f, 0x9a, 0x11, 0x07, 0x88, 0x6e, 0x9b, 0x93, 0x53, 0x63, 0x0d,
        0x24, 0x34, 0xb8, 0xdf, 0x8b, 0x13, 0x5c, 0xfd, 0xbf, 0xe6, 0x70, 0x4d,
        0x7c, 0xc0, 0xea, 0x06, 0x5f, 0x8d, 0x49, 0x7c, 0x3d, 0x08, 0xff, 0x30,
        0x14, 0x24, 0x35, 0x97, 0xd9, 0xf7,
};
/* 86 bytes */
static const uint8_t kat_p384_blob[] = {
        0x00, 0x54, 0x00, 0x30, 0x2f, 0xb3, 0x2c, 0xc7, 0x01, 0xe7, 0x79, 0xbb,
        0xa8, 0x4d, 0x71, 0x40, 0x59, 0xf5, 0x72, 0x07, 0xae, 0x38, 0xca, 0x0c,
        0x63, 0x46, 0xc1, 0x4e, 0x60, 0x7b, 0xd5, 0x7d, 0x1e, 0xae, 0x8a, 0xcd,
        0x92, 0xb5, 0x3d, 0x9d, 0xbb, 0xa0, 0xd7, 0xba, 0x09, 0x94, 0x67, 0x82,
        0xd9, 0xcf, 0x23, 0xcd, 0xbe, 0x66, 0x24, 0x27, 0x25, 0x71, 0xd9, 0xa1,
        0x58, 0x0a, 0x1c, 0x1b, 0x50, 0x30, 0x5c, 0xe1, 0xc4, 0x91, 0x18, 0xa2,
        0x5f, 0xad, 0x1c, 0x0f, 0x5a, 0xcf, 0x53, 0x34, 0x24, 0x9a, 0xae, 0x2d,
        0xab, 0x7e,
};

/* Software EKs (with their private halves), made once before Check forks. */
static struct {
        EVP_PKEY *rsa2048, *rsa3072, *p256, *p384;
} keys;

static void seq(uint8_t *out, size_t n, uint8_t start)
{
        for (size_t i = 0; i < n; i++)
                out[i] = (uint8_t)(start + i);
}

static size_t be16(const uint8_t *p)
{
        return (size_t)p[0] << 8 | p[1];
}

/* RSA-OAEP decryption of the seed, as the TPM does it with the EK (OpenSSL
 * wants room for a whole modulus in seed). */
static int soft_rsa_seed(EVP_PKEY *ek, const EVP_MD *md, const uint8_t *ct, size_t ct_len,
                         uint8_t *seed, size_t *seed_len)
{
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ek,
                                                                                 NULL);
        unsigned char *label = OPENSSL_memdup("IDENTITY", 9);

        ck_assert_ptr_nonnull(ctx);
        ck_assert_int_eq(EVP_PKEY_decrypt_init(ctx), 1);
        ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING), 1);
        ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md), 1);
        ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md), 1);
        ck_assert_int_eq(EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, 9), 1);
        return EVP_PKEY_decrypt(ctx, seed, seed_len, ct, ct_len) == 1 ? 0 : -EBADMSG;
}

/* ECDH of the EK's private key with the ephemeral point, then KDFe. */
static int soft_ecc_seed(EVP_PKEY *ek, const TPM2B_PUBLIC *ek_pub, const uint8_t *enc,
                         size_t enc_len, uint8_t *seed, size_t *seed_len)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *peer = NULL;
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        const TPMT_PUBLIC *p = &ek_pub->publicArea;
        TPM2B_PUBLIC eph = *ek_pub;
        TPMS_ECC_POINT point;
        uint8_t z[TPM2_MAX_ECC_KEY_BYTES];
        size_t off = 0, z_len = sizeof(z);

        if (Tss2_MU_TPMS_ECC_POINT_Unmarshal(enc, enc_len, &off, &point) != TSS2_RC_SUCCESS ||
            off != enc_len)
                return -EBADMSG;
        eph.publicArea.unique.ecc = point;
        if (ae_tpm_public_to_evp(&eph, &peer) < 0)
                return -EBADMSG;
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ek, NULL);
        ck_assert_ptr_nonnull(ctx);
        ck_assert_int_eq(EVP_PKEY_derive_init(ctx), 1);
        ck_assert_int_eq(EVP_PKEY_derive_set_peer(ctx, peer), 1);
        ck_assert_int_eq(EVP_PKEY_derive(ctx, z, &z_len), 1);
        *seed_len = (size_t)EVP_MD_get_size(ae_kdf_md(p->nameAlg));
        ck_assert_int_eq(ae_kdfe(p->nameAlg, z, z_len, "IDENTITY", point.x.buffer, point.x.size,
                                 p->unique.ecc.x.buffer, p->unique.ecc.x.size,
                                 (uint32_t)(8 * *seed_len), seed),
                         0);
        return 0;
}

/* TPM2_ActivateCredential in software, the test-only inverse of
 * ae_make_credential, written from Part 1 §24 / Part 3 §12.5: recover the
 * seed with the EK's private key, check the integrity HMAC over
 * encIdentity || name, then decrypt. -EACCES is the TPM's
 * TPM_RC_INTEGRITY; -EBADMSG anything malformed. */
static int soft_activate(EVP_PKEY *ek, const TPM2B_PUBLIC *ek_pub, const uint8_t *name,
                         size_t name_len, const uint8_t *blob, size_t blob_len,
                         const uint8_t *enc, size_t enc_len, uint8_t *ret_secret,
                         size_t *ret_len)
{
        const TPMT_PUBLIC *p = &ek_pub->publicArea;
        const EVP_MD *md = ae_kdf_md(p->nameAlg);
        const TPMT_SYM_DEF_OBJECT *sym = p->type == TPM2_ALG_RSA
                                                 ? &p->parameters.rsaDetail.symmetric
                                                 : &p->parameters.eccDetail.symmetric;
        TPM2B_ID_OBJECT id;
        TPM2B_ENCRYPTED_SECRET es;
        uint8_t seed[512], hmac_key[64], sym_key[32], mac[64], mac_in[256], plain[66];
        size_t seed_len = sizeof(seed), off = 0, dl = (size_t)EVP_MD_get_size(md), mac_len = 0;
        size_t isize, enc_id_len;
        const uint8_t *enc_id;
        EVP_CIPHER_CTX *cctx;
        static const uint8_t iv[16];
        int n = 0, r;

        /* Both outputs are exactly one TSS structure each. */
        if (Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(blob, blob_len, &off, &id) != TSS2_RC_SUCCESS ||
            off != blob_len)
                return -EBADMSG;
        off = 0;
        if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(enc, enc_len, &off, &es) !=
                    TSS2_RC_SUCCESS ||
            off != enc_len)
                return -EBADMSG;

        if (p->type == TPM2_ALG_RSA)
                r = soft_rsa_seed(ek, md, es.secret, es.size, seed, &seed_len);
        else
                r = soft_ecc_seed(ek, ek_pub, es.secret, es.size, seed, &seed_len);
        if (r < 0)
                return r;
        if (seed_len != dl)
                return -EBADMSG;

        /* credentialBlob: TPM2B_DIGEST integrity, then encIdentity. */
        if (id.size < 2 || (isize = be16(id.credential)) != dl || id.size < 2 + isize)
                return -EBADMSG;
        enc_id = id.credential + 2 + isize;
        enc_id_len = id.size - 2 - isize;
        if (enc_id_len < 2 || enc_id_len > sizeof(plain))
                return -EBADMSG;

        ck_assert_int_eq(ae_kdfa(p->nameAlg, seed, seed_len, "INTEGRITY", NULL, 0, NULL, 0,
                                 (uint32_t)(8 * dl), hmac_key),
                         0);
        memcpy(mac_in, enc_id, enc_id_len);
        memcpy(mac_in + enc_id_len, name, name_len);
        ck_assert_ptr_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, EVP_MD_get0_name(md), NULL, hmac_key,
                                        dl, mac_in, enc_id_len + name_len, mac, sizeof(mac),
                                        &mac_len));
        if (CRYPTO_memcmp(mac, id.credential + 2, dl) != 0)
                return -EACCES;

        ck_assert_int_eq(ae_kdfa(p->nameAlg, seed, seed_len, "STORAGE", name, name_len, NULL, 0,
                                 sym->keyBits.aes, sym_key),
                         0);
        cctx = EVP_CIPHER_CTX_new();
        ck_assert_ptr_nonnull(cctx);
        ck_assert_int_eq(EVP_DecryptInit_ex(cctx,
                                            sym->keyBits.aes == 128 ? EVP_aes_128_cfb128()
                                                                    : EVP_aes_256_cfb128(),
                                            NULL, sym_key, iv),
                         1);
        ck_assert_int_eq(EVP_DecryptUpdate(cctx, plain, &n, enc_id, (int)enc_id_len), 1);
        EVP_CIPHER_CTX_free(cctx);
        if ((size_t)n != enc_id_len || be16(plain) != enc_id_len - 2)
                return -EBADMSG;
        memcpy(ret_secret, plain + 2, enc_id_len - 2);
        *ret_len = enc_id_len - 2;
        return 0;
}

struct cred {
        uint8_t blob[AE_MAKE_CREDENTIAL_BLOB_MAX];
        size_t blob_len;
        uint8_t enc[AE_MAKE_CREDENTIAL_ENC_SECRET_MAX];
        size_t enc_len;
};

static int make(const TPM2B_PUBLIC *ek, const uint8_t *name, size_t name_len,
                const uint8_t *secret, size_t secret_len, struct cred *c)
{
        return ae_make_credential(ek, name, name_len, secret, secret_len, c->blob,
                                  sizeof(c->blob), &c->blob_len, c->enc, sizeof(c->enc),
                                  &c->enc_len);
}

static int activate(EVP_PKEY *key, const TPM2B_PUBLIC *ek, const uint8_t *name,
                    size_t name_len, const struct cred *c, uint8_t *secret, size_t *len)
{
        return soft_activate(key, ek, name, name_len, c->blob, c->blob_len, c->enc, c->enc_len,
                             secret, len);
}

/* An AK-like name: nameAlg and a digest of its size. */
static size_t ak_name(TPMI_ALG_HASH alg, uint8_t fill, uint8_t *out)
{
        size_t dl = (size_t)EVP_MD_get_size(ae_kdf_md(alg));

        out[0] = (uint8_t)(alg >> 8);
        out[1] = (uint8_t)alg;
        memset(out + 2, fill, dl);
        return 2 + dl;
}

static const struct combo {
        const char *what;
        int key; /* index into the keys struct */
        TPMI_ALG_HASH name_alg;
        uint16_t sym_bits;
} combos[] = {
        { "RSA-2048 SHA-256 AES-128 (TCG L-1)", 0, TPM2_ALG_SHA256, 128 },
        { "RSA-3072 SHA-384 AES-256 (TCG H-7)", 1, TPM2_ALG_SHA384, 256 },
        { "RSA-2048 SHA-512 AES-256", 0, TPM2_ALG_SHA512, 256 },
        { "P-256 SHA-256 AES-128 (TCG L-2)", 2, TPM2_ALG_SHA256, 128 },
        { "P-384 SHA-384 AES-256 (TCG H-4)", 3, TPM2_ALG_SHA384, 256 },
        { "P-256 SHA-512 AES-128", 2, TPM2_ALG_SHA512, 128 },
};

#define N_COMBOS (sizeof(combos) / sizeof(combos[0]))

static EVP_PKEY *combo_key(const struct combo *c)
{
        EVP_PKEY *all[] = { keys.rsa2048, keys.rsa3072, keys.p256, keys.p384 };

        return all[c->key];
}

START_TEST(round_trip)
{
        const struct combo *c = &combos[_i];
        EVP_PKEY *key = combo_key(c);
        TPM2B_PUBLIC ek;
        size_t dl = (size_t)EVP_MD_get_size(ae_kdf_md(c->name_alg));
        size_t lens[] = { 1, 16, 32, dl };
        uint8_t name[AE_TPM_NAME_MAX];
        size_t name_len = ak_name(TPM2_ALG_SHA256, 0x42, name);

        soft_key_ek_public(key, c->name_alg, c->sym_bits, &ek);
        for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
                uint8_t secret[64], out[64];
                size_t out_len = 0;
                struct cred cred;

                seq(secret, lens[i], (uint8_t)(0x10 * i));
                ck_assert_msg(make(&ek, name, name_len, secret, lens[i], &cred) == 0, "%s",
                              c->what);
                /* The sizes the TPM's structures have. */
                ck_assert_uint_eq(cred.blob_len, 2 + 2 + dl + 2 + lens[i]);
                if (ek.publicArea.type == TPM2_ALG_RSA)
                        ck_assert_uint_eq(cred.enc_len, 2 + (size_t)EVP_PKEY_get_size(key));
                else
                        ck_assert_uint_eq(cred.enc_len,
                                          2 + 2 + 2 * (size_t)(EVP_PKEY_get_bits(key) / 8) + 2);
                ck_assert_msg(activate(key, &ek, name, name_len, &cred, out, &out_len) == 0,
                              "%s, %zu bytes", c->what, lens[i]);
                ck_assert_uint_eq(out_len, lens[i]);
                ck_assert_mem_eq(out, secret, lens[i]);
        }
}
END_TEST

/* The point of the exercise: a credential for one AK does not activate for
 * another, even one whose name differs only in its last bit or nameAlg. */
START_TEST(other_ak_name_fails_integrity)
{
        const struct combo *c = &combos[_i];
        EVP_PKEY *key = combo_key(c);
        uint8_t name[AE_TPM_NAME_MAX], other[AE_TPM_NAME_MAX], secret[32], out[64];
        size_t name_len = ak_name(TPM2_ALG_SHA256, 0x42, name), other_len, out_len;
        struct cred cred;
        TPM2B_PUBLIC ek;

        soft_key_ek_public(key, c->name_alg, c->sym_bits, &ek);
        seq(secret, sizeof(secret), 1);
        ck_assert_int_eq(make(&ek, name, name_len, secret, sizeof(secret), &cred), 0);

        memcpy(other, name, name_len);
        other[name_len - 1] ^= 1;
        ck_assert_int_eq(activate(key, &ek, other, name_len, &cred, out, &out_len), -EACCES);
        other_len = ak_name(TPM2_ALG_SHA384, 0x42, other);
        ck_assert_int_eq(activate(key, &ek, other, other_len, &cred, out, &out_len), -EACCES);
}
END_TEST

/* Any change to the credential blob is caught (integrity or structure). */
START_TEST(tampering_is_caught)
{
        EVP_PKEY *key = _i == 0 ? keys.rsa2048 : keys.p256;
        uint8_t name[AE_TPM_NAME_MAX], secret[32], out[64];
        size_t name_len = ak_name(TPM2_ALG_SHA256, 0x42, name), out_len;
        struct cred cred, bad;
        TPM2B_PUBLIC ek;

        soft_key_ek_public(key, TPM2_ALG_SHA256, 128, &ek);
        seq(secret, sizeof(secret), 1);
        ck_assert_int_eq(make(&ek, name, name_len, secret, sizeof(secret), &cred), 0);
        for (size_t i = 0; i < cred.blob_len; i++) {
                bad = cred;
                bad.blob[i] ^= 0x01;
                ck_assert_msg(activate(key, &ek, name, name_len, &bad, out, &out_len) < 0,
                              "blob byte %zu", i);
        }
        /* A different seed: OAEP fails, or the point moves off the curve /
         * to another seed. */
        bad = cred;
        bad.enc[bad.enc_len - 1] ^= 0x01;
        ck_assert_int_lt(activate(key, &ek, name, name_len, &bad, out, &out_len), 0);
        ck_assert_int_eq(activate(key, &ek, name, name_len, &cred, out, &out_len), 0);
}
END_TEST

/* A fresh seed every time: nothing of one credential repeats in the next. */
START_TEST(every_credential_is_fresh)
{
        EVP_PKEY *key = _i == 0 ? keys.rsa2048 : keys.p256;
        uint8_t name[AE_TPM_NAME_MAX], secret[32];
        size_t name_len = ak_name(TPM2_ALG_SHA256, 0x42, name);
        struct cred a, b;
        TPM2B_PUBLIC ek;

        soft_key_ek_public(key, TPM2_ALG_SHA256, 128, &ek);
        seq(secret, sizeof(secret), 1);
        ck_assert_int_eq(make(&ek, name, name_len, secret, sizeof(secret), &a), 0);
        ck_assert_int_eq(make(&ek, name, name_len, secret, sizeof(secret), &b), 0);
        ck_assert_uint_eq(a.blob_len, b.blob_len);
        ck_assert_mem_ne(a.blob + 4, b.blob + 4, a.blob_len - 4);
        ck_assert_mem_ne(a.enc + 2, b.enc + 2, 16);
}
END_TEST

static TPM2B_PUBLIC corpus_ek(const char *file)
{
        _cleanup_free_ uint8_t *buf = NULL;
        char path[4096];
        TPM2B_PUBLIC pub;
        size_t len;

        snprintf(path, sizeof(path), "%s/%s", AE_TPM_PUBLIC_CORPUS, file);
        ck_assert_int_eq(ae_file_read(path, 4096, &buf, &len), 0);
        ck_assert_int_eq(ae_tpm_public_parse(buf, len, &pub), 0);
        return pub;
}

START_TEST(known_answer_rsa)
{
        TPM2B_PUBLIC ek = corpus_ek("ek-rsa2048.pub");
        uint8_t seed[32], secret[32];
        struct cred c;

        seq(seed, sizeof(seed), 0x5a);
        seq(secret, sizeof(secret), 0xe0);
        ck_assert_int_eq(ae_make_credential_seeded(&ek, kat_ak_name, sizeof(kat_ak_name), secret,
                                                   sizeof(secret), seed, sizeof(seed), NULL,
                                                   c.blob, sizeof(c.blob), &c.blob_len, c.enc,
                                                   sizeof(c.enc), &c.enc_len),
                         0);
        ck_assert_uint_eq(c.blob_len, sizeof(kat_rsa2048_blob));
        ck_assert_mem_eq(c.blob, kat_rsa2048_blob, c.blob_len);
        /* The OAEP ciphertext is randomised; its size is the modulus's. */
        ck_assert_uint_eq(c.enc_len, 2 + 256);
        ck_assert_uint_eq(be16(c.enc), 256);
}
END_TEST

static EVP_PKEY *ec_keypair(const char *group, const uint8_t *priv, size_t priv_len,
                            const uint8_t *pub, size_t pub_len)
{
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC",
                                                                                 NULL);
        BIGNUM *d = BN_bin2bn(priv, (int)priv_len, NULL);
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        OSSL_PARAM *params;
        EVP_PKEY *key = NULL;

        ck_assert_ptr_nonnull(ctx);
        ck_assert_ptr_nonnull(d);
        ck_assert_ptr_nonnull(bld);
        ck_assert_int_eq(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                                         0),
                         1);
        ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d), 1);
        ck_assert_int_eq(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
                                                          pub_len),
                         1);
        params = OSSL_PARAM_BLD_to_param(bld);
        ck_assert_ptr_nonnull(params);
        ck_assert_int_eq(EVP_PKEY_fromdata_init(ctx), 1);
        ck_assert_int_eq(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params), 1);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
        BN_clear_free(d);
        return key;
}

static void ecc_known_answer(const char *file, const char *group, const uint8_t *priv,
                             size_t priv_len, const uint8_t *pub, size_t pub_len,
                             const uint8_t *want_enc, size_t want_enc_len,
                             const uint8_t *want_blob, size_t want_blob_len)
{
        TPM2B_PUBLIC ek = corpus_ek(file);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *eph = ec_keypair(group, priv, priv_len, pub, pub_len);
        uint8_t secret[32];
        struct cred c;

        seq(secret, sizeof(secret), 0xe0);
        ck_assert_int_eq(ae_make_credential_seeded(&ek, kat_ak_name, sizeof(kat_ak_name), secret,
                                                   sizeof(secret), NULL, 0, eph, c.blob,
                                                   sizeof(c.blob), &c.blob_len, c.enc,
                                                   sizeof(c.enc), &c.enc_len),
                         0);
        ck_assert_uint_eq(c.enc_len, want_enc_len);
        ck_assert_mem_eq(c.enc, want_enc, want_enc_len);
        ck_assert_uint_eq(c.blob_len, want_blob_len);
        ck_assert_mem_eq(c.blob, want_blob, want_blob_len);
}

START_TEST(known_answer_ecc)
{
        ecc_known_answer("ek-ecc-p256.pub", "P-256", kat_p256_eph_priv,
                         sizeof(kat_p256_eph_priv), kat_p256_eph_pub, sizeof(kat_p256_eph_pub),
                         kat_p256_enc_secret, sizeof(kat_p256_enc_secret), kat_p256_blob,
                         sizeof(kat_p256_blob));
        ecc_known_answer("ek-ecc-p384.pub", "P-384", kat_p384_eph_priv,
                         sizeof(kat_p384_eph_priv), kat_p384_eph_pub, sizeof(kat_p384_eph_pub),
                         kat_p384_enc_secret, sizeof(kat_p384_enc_secret), kat_p384_blob,
                         sizeof(kat_p384_blob));
}
END_TEST

/* The TPM's own keys: EKs (and storage primaries) protect credentials;
 * AKs, signing keys, do not. */
START_TEST(check_ek_on_tpm_keys)
{
        static const char *const ok[] = { "ek-rsa2048.pub", "ek-rsa3072.pub", "ek-ecc-p256.pub",
                                          "ek-ecc-p384.pub", "primary-ecc-p384-sha384.pub",
                                          "primary-rsa3072-sha512.pub" };
        static const char *const refused[] = { "ak-rsa2048-sha256.pub",
                                               "ak-ecc-p256-sha256.pub" };

        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                TPM2B_PUBLIC ek = corpus_ek(ok[i]);

                ck_assert_msg(ae_make_credential_check_ek(&ek) == 0, "%s", ok[i]);
        }
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
                TPM2B_PUBLIC ak = corpus_ek(refused[i]);

                ck_assert_int_eq(ae_make_credential_check_ek(&ak), -EKEYREJECTED);
        }
}
END_TEST

START_TEST(seeded_entry_checks_its_inputs)
{
        TPM2B_PUBLIC rsa = corpus_ek("ek-rsa2048.pub"), ecc = corpus_ek("ek-ecc-p256.pub");
        uint8_t seed[48] = { 0 }, secret[32] = { 1 };
        struct cred c;

        /* A seed of the wrong size; randomness for the other key type. */
        ck_assert_int_eq(ae_make_credential_seeded(&rsa, kat_ak_name, sizeof(kat_ak_name), secret,
                                                   32, seed, 48, NULL, c.blob, sizeof(c.blob),
                                                   &c.blob_len, c.enc, sizeof(c.enc), &c.enc_len),
                         -EINVAL);
        ck_assert_int_eq(ae_make_credential_seeded(&rsa, kat_ak_name, sizeof(kat_ak_name), secret,
                                                   32, NULL, 0, keys.p256, c.blob, sizeof(c.blob),
                                                   &c.blob_len, c.enc, sizeof(c.enc), &c.enc_len),
                         -EINVAL);
        ck_assert_int_eq(ae_make_credential_seeded(&ecc, kat_ak_name, sizeof(kat_ak_name), secret,
                                                   32, seed, 32, NULL, c.blob, sizeof(c.blob),
                                                   &c.blob_len, c.enc, sizeof(c.enc), &c.enc_len),
                         -EINVAL);
        /* An ephemeral key on another curve. */
        ck_assert_int_eq(ae_make_credential_seeded(&ecc, kat_ak_name, sizeof(kat_ak_name), secret,
                                                   32, NULL, 0, keys.p384, c.blob, sizeof(c.blob),
                                                   &c.blob_len, c.enc, sizeof(c.enc), &c.enc_len),
                         -EINVAL);
}
END_TEST

/* Each rejection with its code, and nothing written on any of them. An EK
 * refused as a key is refused the same way by ae_make_credential_check_ek. */
static void expect(int want, const TPM2B_PUBLIC *ek, const uint8_t *name, size_t name_len,
                   const uint8_t *secret, size_t secret_len, size_t blob_cap, size_t enc_cap)
{
        struct cred c, before;
        int r;

        memset(&c, 0x77, sizeof(c));
        before = c;
        r = ae_make_credential(ek, name, name_len, secret, secret_len, c.blob, blob_cap,
                               &c.blob_len, c.enc, enc_cap, &c.enc_len);
        ck_assert_int_eq(r, want);
        ck_assert_mem_eq(&c, &before, sizeof(c));
        if (ek && (want == -EKEYREJECTED || want == -EBADMSG))
                ck_assert_int_eq(ae_make_credential_check_ek(ek), want);
        else if (ek)
                ck_assert_int_eq(ae_make_credential_check_ek(ek), 0);
}

START_TEST(rejections)
{
        TPM2B_PUBLIC rsa, ecc, ek;
        uint8_t name[AE_TPM_NAME_MAX], secret[65] = { 1 };
        size_t name_len = ak_name(TPM2_ALG_SHA256, 0x42, name);
        const size_t B = AE_MAKE_CREDENTIAL_BLOB_MAX, E = AE_MAKE_CREDENTIAL_ENC_SECRET_MAX;

        soft_key_ek_public(keys.rsa2048, TPM2_ALG_SHA256, 128, &rsa);
        soft_key_ek_public(keys.p256, TPM2_ALG_SHA256, 128, &ecc);

        /* Arguments. */
        ck_assert_int_eq(ae_make_credential_check_ek(NULL), -EINVAL);
        expect(-EINVAL, NULL, name, name_len, secret, 32, B, E);
        expect(-EINVAL, &rsa, NULL, name_len, secret, 32, B, E);
        expect(-EINVAL, &rsa, name, name_len, NULL, 32, B, E);
        /* Secret sizes: empty, above the EK nameAlg's digest. */
        expect(-EINVAL, &rsa, name, name_len, secret, 0, B, E);
        expect(-EINVAL, &rsa, name, name_len, secret, 33, B, E);
        ek = ecc;
        ek.publicArea.nameAlg = TPM2_ALG_SHA512;
        expect(-EINVAL, &ek, name, name_len, secret, 65, B, E);
        /* AK names: empty, just an algorithm, SHA-1, a length not the
         * digest's, longer than any name. */
        expect(-EINVAL, &rsa, name, 0, secret, 32, B, E);
        expect(-EINVAL, &rsa, name, 2, secret, 32, B, E);
        expect(-EINVAL, &rsa, name, name_len - 1, secret, 32, B, E);
        expect(-EINVAL, &rsa, name, AE_TPM_NAME_MAX + 1, secret, 32, B, E);
        {
                uint8_t sha1_name[22] = { 0x00, 0x04 };

                expect(-EINVAL, &rsa, sha1_name, sizeof(sha1_name), secret, 20, B, E);
        }

        /* An EK that is no usable key. */
        ek = ecc;
        ek.publicArea.unique.ecc.y.buffer[5] ^= 1;
        expect(-EBADMSG, &ek, name, name_len, secret, 32, B, E);
        ek = rsa;
        ek.publicArea.nameAlg = TPM2_ALG_SHA1;
        expect(-EBADMSG, &ek, name, name_len, secret, 20, B, E);

        /* Keys a TPM would not activate a credential with. */
        ek = rsa;
        ek.publicArea.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
        expect(-EKEYREJECTED, &ek, name, name_len, secret, 32, B, E);
        ek = ecc;
        ek.publicArea.objectAttributes &= ~TPMA_OBJECT_DECRYPT;
        expect(-EKEYREJECTED, &ek, name, name_len, secret, 32, B, E);
        ek = ecc;
        ek.publicArea.objectAttributes |= TPMA_OBJECT_SIGN_ENCRYPT;
        expect(-EKEYREJECTED, &ek, name, name_len, secret, 32, B, E);
        ek = rsa;
        ek.publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
        expect(-EKEYREJECTED, &ek, name, name_len, secret, 32, B, E);
        ek = rsa;
        ek.publicArea.parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CBC;
        expect(-EKEYREJECTED, &ek, name, name_len, secret, 32, B, E);
        ek = ecc;
        ek.publicArea.parameters.eccDetail.symmetric.keyBits.aes = 192;
        expect(-EKEYREJECTED, &ek, name, name_len, secret, 32, B, E);
        ek = ecc;
        ek.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_SM4;
        expect(-EKEYREJECTED, &ek, name, name_len, secret, 32, B, E);
        ek = rsa;
        ek.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_OAEP;
        ek.publicArea.parameters.rsaDetail.scheme.details.oaep.hashAlg = TPM2_ALG_SHA256;
        expect(-EKEYREJECTED, &ek, name, name_len, secret, 32, B, E);
        ek = ecc;
        ek.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_KDF1_SP800_56A;
        ek.publicArea.parameters.eccDetail.kdf.details.kdf1_sp800_56a.hashAlg = TPM2_ALG_SHA256;
        expect(-EKEYREJECTED, &ek, name, name_len, secret, 32, B, E);
        ek = ecc;
        ek.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDH;
        expect(-EKEYREJECTED, &ek, name, name_len, secret, 32, B, E);

        /* Outputs one byte too small: 2+2+32+2+32 and 2+256 / 2+2+32+2+32. */
        expect(-ENOBUFS, &rsa, name, name_len, secret, 32, 69, E);
        expect(-ENOBUFS, &rsa, name, name_len, secret, 32, B, 257);
        expect(-ENOBUFS, &ecc, name, name_len, secret, 32, B, 69);
        {
                struct cred c;

                ck_assert_int_eq(ae_make_credential(&ecc, name, name_len, secret, 32, c.blob, 70,
                                                    &c.blob_len, c.enc, 70, &c.enc_len),
                                 0);
        }
}
END_TEST

int main(void)
{
        Suite *s = suite_create("make_credential");
        TCase *tc = tcase_create("make_credential");
        int r;

        keys.rsa2048 = soft_key_rsa(2048);
        keys.rsa3072 = soft_key_rsa(3072);
        keys.p256 = soft_key_ec("P-256");
        keys.p384 = soft_key_ec("P-384");

        tcase_set_timeout(tc, 120);
        tcase_add_loop_test(tc, round_trip, 0, N_COMBOS);
        tcase_add_loop_test(tc, other_ak_name_fails_integrity, 0, N_COMBOS);
        tcase_add_loop_test(tc, tampering_is_caught, 0, 2);
        tcase_add_loop_test(tc, every_credential_is_fresh, 0, 2);
        tcase_add_test(tc, known_answer_rsa);
        tcase_add_test(tc, known_answer_ecc);
        tcase_add_test(tc, check_ek_on_tpm_keys);
        tcase_add_test(tc, seeded_entry_checks_its_inputs);
        tcase_add_test(tc, rejections);
        suite_add_tcase(s, tc);
        r = ae_check_run(s);

        EVP_PKEY_free(keys.rsa2048);
        EVP_PKEY_free(keys.rsa3072);
        EVP_PKEY_free(keys.p256);
        EVP_PKEY_free(keys.p384);
        return r;
}
