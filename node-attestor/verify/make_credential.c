#include "node-attestor/verify/make_credential.h"

#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/ct.h"
#include "common/ossl.h"
#include "common/writer.h"
#include "node-attestor/verify/kdf.h"
#include "node-attestor/verify/make_credential_internal.h"
#include "node-attestor/verify/tpm_public.h"


/* The labels of Part 1 §24: each names one use of the seed. The TPM hashes
 * them with their terminating NUL (and so OAEP's label is 9 bytes). */
#define LABEL_IDENTITY "IDENTITY"
#define LABEL_STORAGE "STORAGE"
#define LABEL_INTEGRITY "INTEGRITY"

#define AES_KEY_MAX 32
#define AES_BLOCK 16

/* What the credential needs to know about the EK. */
struct ek_info {
        const TPMT_PUBLIC *pub;
        const EVP_MD *md;
        size_t digest_len;
        uint16_t sym_bits;
};

/* The seed and the form in which it travels (TPM2B_ENCRYPTED_SECRET). */
struct seed {
        uint8_t bytes[EVP_MAX_MD_SIZE];
        size_t len;
        uint8_t enc[AE_MAKE_CREDENTIAL_ENC_SECRET_MAX];
        size_t enc_len;
};

/* Keys and plaintext derived from the seed while building the ID object. */
struct cred_keys {
        uint8_t sym[AES_KEY_MAX];
        uint8_t hmac[EVP_MAX_MD_SIZE];
        uint8_t plain[2 + EVP_MAX_MD_SIZE]; /* TPM2B_DIGEST(secret) */
};

/* The ECDH shared secret Z (an x-coordinate). */
struct ecdh_z {
        uint8_t bytes[TPM2_MAX_ECC_KEY_BYTES];
};

static void seed_wipe(struct seed *s)
{
        ae_wipe(s, sizeof(*s));
}

static void cred_keys_wipe(struct cred_keys *k)
{
        ae_wipe(k, sizeof(*k));
}

static void ecdh_z_wipe(struct ecdh_z *z)
{
        ae_wipe(z, sizeof(*z));
}

/* A credential is only as safe as the key it is encrypted to: the TPM
 * accepts only a storage-shaped key for MakeCredential/ActivateCredential,
 * and the ID object is encrypted with the key's own symmetric algorithm. */
static int check_ek(const TPM2B_PUBLIC *ek, struct ek_info *ret)
{
        const TPMT_PUBLIC *p = &ek->publicArea;
        const TPMT_SYM_DEF_OBJECT *sym;
        TPMA_OBJECT a = p->objectAttributes;

        ENSURE((a & TPMA_OBJECT_RESTRICTED) && (a & TPMA_OBJECT_DECRYPT) &&
                       !(a & TPMA_OBJECT_SIGN_ENCRYPT),
               -EKEYREJECTED);
        if (p->type == TPM2_ALG_RSA) {
                sym = &p->parameters.rsaDetail.symmetric;
                ENSURE(p->parameters.rsaDetail.scheme.scheme == TPM2_ALG_NULL, -EKEYREJECTED);
        } else {
                sym = &p->parameters.eccDetail.symmetric;
                ENSURE(p->parameters.eccDetail.scheme.scheme == TPM2_ALG_NULL &&
                               p->parameters.eccDetail.kdf.scheme == TPM2_ALG_NULL,
                       -EKEYREJECTED);
        }
        ENSURE(sym->algorithm == TPM2_ALG_AES && sym->mode.aes == TPM2_ALG_CFB, -EKEYREJECTED);
        ENSURE(sym->keyBits.aes == 128 || sym->keyBits.aes == 256, -EKEYREJECTED);

        ret->pub = p;
        ret->md = ae_kdf_md(p->nameAlg);
        ret->digest_len = (size_t)EVP_MD_get_size(ret->md);
        ret->sym_bits = sym->keyBits.aes;
        return 0;
}

/* An object name as the TPM computes it for the AK: nameAlg || digest. */
static int check_name(const uint8_t *name, size_t len)
{
        const EVP_MD *md;

        ENSURE(name && len > 2 && len <= AE_TPM_NAME_MAX, -EINVAL);
        md = ae_kdf_md((TPMI_ALG_HASH)(name[0] << 8 | name[1]));
        ENSURE(md && len == 2 + (size_t)EVP_MD_get_size(md), -EINVAL);
        return 0;
}

static size_t ecc_coord(const TPMT_PUBLIC *p)
{
        return p->unique.ecc.x.size;
}

/* Sizes of the outputs, known before any work: 2 + (2 + digest) + (2 +
 * secret) for the ID object; the RSA ciphertext or the marshalled point. */
static void output_sizes(const struct ek_info *ek, size_t secret_len, size_t *blob_len,
                         size_t *enc_len)
{
        *blob_len = 2 + 2 + ek->digest_len + 2 + secret_len;
        if (ek->pub->type == TPM2_ALG_RSA)
                *enc_len = 2 + ek->pub->unique.rsa.size;
        else
                *enc_len = 2 + 2 + ecc_coord(ek->pub) + 2 + ecc_coord(ek->pub);
}

/* RSA EK: a random seed, RSA-OAEP encrypted with the EK's nameAlg for the
 * hash and MGF1 and "IDENTITY\0" as the label (Part 1 Annex B.10.3). */
static int rsa_seed(EVP_PKEY *key, const struct ek_info *ek, const uint8_t *fixed,
                    size_t fixed_len, struct seed *s)
{
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        char label[] = LABEL_IDENTITY;
        char *md_name = (char *)EVP_MD_get0_name(ek->md);
        OSSL_PARAM params[5];
        size_t ct_len = sizeof(s->enc) - 2;

        s->len = ek->digest_len;
        if (fixed) {
                ENSURE(fixed_len == s->len, -EINVAL);
                memcpy(s->bytes, fixed, s->len);
        } else {
                ENSURE_OSSL(RAND_priv_bytes(s->bytes, (int)s->len));
        }

        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
                                                     (char *)OSSL_PKEY_RSA_PAD_MODE_OAEP, 0);
        params[1] = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST,
                                                     md_name, 0);
        params[2] = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST,
                                                     md_name, 0);
        params[3] = OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, label,
                                                      sizeof(label));
        params[4] = OSSL_PARAM_construct_end();

        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
        ENSURE(ctx, -EIO);
        ENSURE_OSSL(EVP_PKEY_encrypt_init_ex(ctx, params));
        ENSURE_OSSL(EVP_PKEY_encrypt(ctx, s->enc + 2, &ct_len, s->bytes, s->len));
        ENSURE(ct_len == ek->pub->unique.rsa.size, -EIO);
        s->enc[0] = (uint8_t)(ct_len >> 8);
        s->enc[1] = (uint8_t)ct_len;
        s->enc_len = 2 + ct_len;
        return 0;
}

static int bn_coord(const EVP_PKEY *key, const char *param, uint8_t *out, size_t coord)
{
        _cleanup_(BN_freep) BIGNUM *bn = NULL;

        ENSURE_OSSL(EVP_PKEY_get_bn_param(key, param, &bn));
        ENSURE(BN_bn2binpad(bn, out, (int)coord) == (int)coord, -EIO);
        return 0;
}

/* Z = x-coordinate of d_eph * Q_ek, as many bytes as a coordinate. */
static int ecdh(EVP_PKEY *eph, EVP_PKEY *key, size_t coord, struct ecdh_z *z)
{
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        size_t z_len = sizeof(z->bytes);

        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL);
        ENSURE(ctx, -EIO);
        ENSURE_OSSL(EVP_PKEY_derive_init(ctx));
        /* The EK point was checked when its key was built (on the curve, not
         * infinity: enough on the prime-order curves allowed); OpenSSL's
         * default re-check here adds a full scalar multiplication. */
        ENSURE_OSSL(EVP_PKEY_derive_set_peer_ex(ctx, key, 0));
        ENSURE_OSSL(EVP_PKEY_derive(ctx, z->bytes, &z_len));
        ENSURE(z_len == coord, -EIO);
        return 0;
}

/* ECC EK (Part 1 Annex C.6.4): an ephemeral key on the EK's curve, Z from
 * ECDH, seed = KDFe(nameAlg, Z, "IDENTITY", eph.x, ek.x, digest bits); the
 * encrypted secret is the ephemeral public point (TPMS_ECC_POINT). */
static int ecc_seed(EVP_PKEY *key, const struct ek_info *ek, EVP_PKEY *fixed, struct seed *s)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *fresh = NULL;
        _cleanup_(ecdh_z_wipe) struct ecdh_z z = { { 0 } };
        const TPMT_PUBLIC *p = ek->pub;
        size_t coord = ecc_coord(p);
        uint8_t x[TPM2_MAX_ECC_KEY_BYTES], y[TPM2_MAX_ECC_KEY_BYTES];
        EVP_PKEY *eph = fixed;
        struct ae_writer w;

        if (eph) {
                ENSURE(EVP_PKEY_parameters_eq(eph, key) == 1, -EINVAL);
        } else {
                fresh = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
                                          p->parameters.eccDetail.curveID == TPM2_ECC_NIST_P256
                                                  ? "P-256"
                                                  : "P-384");
                ENSURE(fresh, -EIO);
                eph = fresh;
        }
        GUARD(bn_coord(eph, OSSL_PKEY_PARAM_EC_PUB_X, x, coord));
        GUARD(bn_coord(eph, OSSL_PKEY_PARAM_EC_PUB_Y, y, coord));
        GUARD(ecdh(eph, key, coord, &z));

        s->len = ek->digest_len;
        GUARD(ae_kdfe(p->nameAlg, z.bytes, coord, LABEL_IDENTITY, x, coord, p->unique.ecc.x.buffer,
                      coord, (uint32_t)(8 * s->len), s->bytes));

        ae_writer_init(&w, s->enc, sizeof(s->enc));
        GUARD(ae_writer_put_u16(&w, (uint16_t)(2 + coord + 2 + coord)));
        GUARD(ae_writer_put_sized16(&w, x, coord));
        GUARD(ae_writer_put_sized16(&w, y, coord));
        s->enc_len = w.len;
        return 0;
}

/* encIdentity = AES-CFB(symKey, IV 0) of TPM2B_DIGEST(secret). A zero IV is
 * what the TPM uses here: symKey comes from a fresh seed and encrypts one
 * message. */
static int encrypt_identity(const struct ek_info *ek, const uint8_t *sym_key,
                            const uint8_t *plain, size_t len, uint8_t *out)
{
        _cleanup_(EVP_CIPHER_CTX_freep) EVP_CIPHER_CTX *ctx = NULL;
        static const uint8_t iv[AES_BLOCK];
        int out_len = 0, fin_len = 0;

        ctx = EVP_CIPHER_CTX_new();
        ENSURE_ALLOC(ctx);
        ENSURE_OSSL(EVP_EncryptInit_ex(
                ctx, ek->sym_bits == 128 ? EVP_aes_128_cfb128() : EVP_aes_256_cfb128(), NULL,
                sym_key, iv));
        ENSURE_OSSL(EVP_EncryptUpdate(ctx, out, &out_len, plain, (int)len));
        ENSURE_OSSL(EVP_EncryptFinal_ex(ctx, out + out_len, &fin_len));
        ENSURE((size_t)out_len + (size_t)fin_len == len, -EIO);
        return 0;
}

/* TPM2B_ID_OBJECT = TPM2B_DIGEST(integrity) || encIdentity, with
 * integrity = HMAC(KDFa(seed, "INTEGRITY"), encIdentity || ak_name) so that
 * ActivateCredential with another AK fails before decrypting anything. */
static int id_object(const struct ek_info *ek, const struct seed *s, const uint8_t *name,
                     size_t name_len, const uint8_t *secret, size_t secret_len, uint8_t *blob,
                     size_t cap, size_t *ret_len)
{
        _cleanup_(cred_keys_wipe) struct cred_keys k = { { 0 }, { 0 }, { 0 } };
        size_t plain_len = 2 + secret_len, mac_len = 0;
        uint8_t enc[2 + EVP_MAX_MD_SIZE], mac_in[sizeof(enc) + AE_TPM_NAME_MAX];
        uint8_t integrity[EVP_MAX_MD_SIZE];
        TPMI_ALG_HASH alg = ek->pub->nameAlg;
        struct ae_writer w;

        /* The AES key depends on the AK name too: the TPM derives it with the
         * name of the object it is asked to activate for. */
        GUARD(ae_kdfa(alg, s->bytes, s->len, LABEL_STORAGE, name, name_len, NULL, 0,
                      ek->sym_bits, k.sym));
        k.plain[0] = (uint8_t)(secret_len >> 8);
        k.plain[1] = (uint8_t)secret_len;
        memcpy(k.plain + 2, secret, secret_len);
        GUARD(encrypt_identity(ek, k.sym, k.plain, plain_len, enc));

        GUARD(ae_kdfa(alg, s->bytes, s->len, LABEL_INTEGRITY, NULL, 0, NULL, 0,
                      (uint32_t)(8 * ek->digest_len), k.hmac));
        memcpy(mac_in, enc, plain_len);
        memcpy(mac_in + plain_len, name, name_len);
        ENSURE(EVP_Q_mac(NULL, OSSL_MAC_NAME_HMAC, NULL, EVP_MD_get0_name(ek->md), NULL, k.hmac,
                         ek->digest_len, mac_in, plain_len + name_len, integrity,
                         sizeof(integrity), &mac_len),
               -EIO);
        ENSURE(mac_len == ek->digest_len, -EIO);

        ae_writer_init(&w, blob, cap);
        GUARD(ae_writer_put_u16(&w, (uint16_t)(2 + mac_len + plain_len)));
        GUARD(ae_writer_put_sized16(&w, integrity, mac_len));
        GUARD(ae_writer_put_bytes(&w, enc, plain_len));
        *ret_len = w.len;
        return 0;
}

int ae_make_credential_check_ek(const TPM2B_PUBLIC *ek)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;

        ENSURE(ek, -EINVAL);
        GUARD(ae_tpm_public_to_evp(ek, &key));
        return ae_make_credential_check_ek_shape(ek);
}

int ae_make_credential_check_ek_shape(const TPM2B_PUBLIC *ek)
{
        struct ek_info info;

        ENSURE(ek, -EINVAL);
        return check_ek(ek, &info);
}

static int make_credential(const TPM2B_PUBLIC *ek_pub, EVP_PKEY *ek_key, const uint8_t *ak_name,
                           size_t ak_name_len, const uint8_t *secret, size_t secret_len,
                           const uint8_t *rsa_seed_in, size_t rsa_seed_len,
                           EVP_PKEY *ecc_ephemeral, uint8_t *ret_blob, size_t blob_cap,
                           size_t *ret_blob_len, uint8_t *ret_enc_secret, size_t enc_cap,
                           size_t *ret_enc_len);

int ae_make_credential_seeded(const TPM2B_PUBLIC *ek_pub, const uint8_t *ak_name,
                              size_t ak_name_len, const uint8_t *secret, size_t secret_len,
                              const uint8_t *rsa_seed_in, size_t rsa_seed_len,
                              EVP_PKEY *ecc_ephemeral, uint8_t *ret_blob, size_t blob_cap,
                              size_t *ret_blob_len, uint8_t *ret_enc_secret, size_t enc_cap,
                              size_t *ret_enc_len)
{
        return make_credential(ek_pub, NULL, ak_name, ak_name_len, secret, secret_len,
                               rsa_seed_in, rsa_seed_len, ecc_ephemeral, ret_blob, blob_cap,
                               ret_blob_len, ret_enc_secret, enc_cap, ret_enc_len);
}

/* ek_key: the EK's key when the caller already built it (from ek_pub, by
 * ae_tpm_public_to_evp or ae_tpm_public_parse_key), else NULL. */
static int make_credential(const TPM2B_PUBLIC *ek_pub, EVP_PKEY *ek_key, const uint8_t *ak_name,
                           size_t ak_name_len, const uint8_t *secret, size_t secret_len,
                           const uint8_t *rsa_seed_in, size_t rsa_seed_len,
                           EVP_PKEY *ecc_ephemeral, uint8_t *ret_blob, size_t blob_cap,
                           size_t *ret_blob_len, uint8_t *ret_enc_secret, size_t enc_cap,
                           size_t *ret_enc_len)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *built = NULL;
        EVP_PKEY *key = ek_key;
        _cleanup_(seed_wipe) struct seed s = { { 0 }, 0, { 0 }, 0 };
        uint8_t blob[AE_MAKE_CREDENTIAL_BLOB_MAX];
        size_t blob_len = 0, want_blob, want_enc;
        struct ek_info ek;

        ENSURE(ek_pub && ret_blob && ret_blob_len && ret_enc_secret && ret_enc_len, -EINVAL);
        ENSURE(secret && secret_len > 0, -EINVAL);
        GUARD(check_name(ak_name, ak_name_len));
        if (!key) {
                GUARD(ae_tpm_public_to_evp(ek_pub, &built));
                key = built;
        }
        GUARD(check_ek(ek_pub, &ek));
        /* The TPM carries the secret in a TPM2B_DIGEST of the EK's nameAlg. */
        ENSURE(secret_len <= ek.digest_len, -EINVAL);
        output_sizes(&ek, secret_len, &want_blob, &want_enc);
        ENSURE(want_blob <= blob_cap && want_enc <= enc_cap, -ENOBUFS);

        if (ek.pub->type == TPM2_ALG_RSA) {
                ENSURE(!ecc_ephemeral, -EINVAL);
                GUARD(rsa_seed(key, &ek, rsa_seed_in, rsa_seed_len, &s));
        } else {
                ENSURE(!rsa_seed_in, -EINVAL);
                GUARD(ecc_seed(key, &ek, ecc_ephemeral, &s));
        }
        GUARD(id_object(&ek, &s, ak_name, ak_name_len, secret, secret_len, blob, sizeof(blob),
                        &blob_len));
        ENSURE(blob_len == want_blob && s.enc_len == want_enc, -EIO);

        memcpy(ret_blob, blob, blob_len);
        *ret_blob_len = blob_len;
        memcpy(ret_enc_secret, s.enc, s.enc_len);
        *ret_enc_len = s.enc_len;
        return 0;
}

int ae_make_credential(const TPM2B_PUBLIC *ek, const uint8_t *ak_name, size_t ak_name_len,
                       const uint8_t *secret, size_t secret_len, uint8_t *ret_blob,
                       size_t blob_cap, size_t *ret_blob_len, uint8_t *ret_enc_secret,
                       size_t enc_cap, size_t *ret_enc_len)
{
        return ae_make_credential_seeded(ek, ak_name, ak_name_len, secret, secret_len, NULL, 0,
                                         NULL, ret_blob, blob_cap, ret_blob_len, ret_enc_secret,
                                         enc_cap, ret_enc_len);
}

int ae_make_credential_with_key(const TPM2B_PUBLIC *ek, EVP_PKEY *ek_key, const uint8_t *ak_name,
                                size_t ak_name_len, const uint8_t *secret, size_t secret_len,
                                uint8_t *ret_blob, size_t blob_cap, size_t *ret_blob_len,
                                uint8_t *ret_enc_secret, size_t enc_cap, size_t *ret_enc_len)
{
        ENSURE(ek_key, -EINVAL);
        return make_credential(ek, ek_key, ak_name, ak_name_len, secret, secret_len, NULL, 0,
                               NULL, ret_blob, blob_cap, ret_blob_len, ret_enc_secret, enc_cap,
                               ret_enc_len);
}
