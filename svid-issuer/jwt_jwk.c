#include "svid-issuer/jwt_jwk.h"

#include <stdbool.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/base64.h"
#include "common/hex.h"
#include "common/cleanup.h"
#include "common/ossl.h"
#include "svid-issuer/jwt_alg.h"

/* Coordinates of the largest curve (P-521). */
#define COORD_MAX 66
/* RSA modulus bytes at the accepted maximum. */
#define RSA_N_MAX (AE_JWT_RSA_BITS_MAX / 8)
/* Public exponents beyond 64 bits are legal but nobody uses them; refusing
 * them keeps verification cost bounded by the modulus alone. */
#define RSA_E_MAX 8

static const struct {
        const char *crv;   /* JWK name */
        const char *group; /* OpenSSL's */
        size_t coord;
} curves[] = {
        { "P-256", "prime256v1", 32 },
        { "P-384", "secp384r1", 48 },
        { "P-521", "secp521r1", 66 },
};

static int set_b64(json_t *obj, const char *name, const uint8_t *b, size_t n)
{
        char text[AE_B64_ENCODED_SIZE(RSA_N_MAX)];

        GUARD(ae_b64_encode(AE_B64_URL, b, n, text, sizeof(text), NULL));
        ENSURE(json_object_set_new(obj, name, json_string(text)) == 0, -ENOMEM);
        return 0;
}

static int set_bn(json_t *obj, const char *name, const BIGNUM *bn, size_t width)
{
        uint8_t b[RSA_N_MAX];
        int n;

        if (width) {
                n = BN_bn2binpad(bn, b, (int)width);
                ENSURE(n == (int)width, -EIO);
        } else {
                /* Base64urlUInt: the fewest octets, one zero octet for zero. */
                ENSURE(BN_num_bytes(bn) <= (int)sizeof(b), -EOPNOTSUPP);
                n = BN_is_zero(bn) ? (b[0] = 0, 1) : BN_bn2bin(bn, b);
        }
        return set_b64(obj, name, b, (size_t)n);
}

static int get_bn(EVP_PKEY *key, const char *param, BIGNUM **ret)
{
        ENSURE_OSSL(EVP_PKEY_get_bn_param(key, param, ret));
        return 0;
}

int ae_jwt_jwk_add_public(EVP_PKEY *key, json_t *obj)
{
        _cleanup_(BN_freep) BIGNUM *a = NULL, *b = NULL;
        enum ae_jwt_alg alg;
        size_t c;

        ENSURE(key && json_is_object(obj), -EINVAL);
        GUARD(ae_jwt_alg_for_key(key, &alg));
        if (alg == AE_JWT_RS256) {
                GUARD(get_bn(key, OSSL_PKEY_PARAM_RSA_N, &a));
                GUARD(get_bn(key, OSSL_PKEY_PARAM_RSA_E, &b));
                ENSURE(json_object_set_new(obj, "kty", json_string("RSA")) == 0, -ENOMEM);
                GUARD(set_bn(obj, "n", a, 0));
                return set_bn(obj, "e", b, 0);
        }
        c = alg == AE_JWT_ES256 ? 0 : alg == AE_JWT_ES384 ? 1 : 2;
        GUARD(get_bn(key, OSSL_PKEY_PARAM_EC_PUB_X, &a));
        GUARD(get_bn(key, OSSL_PKEY_PARAM_EC_PUB_Y, &b));
        ENSURE(json_object_set_new(obj, "kty", json_string("EC")) == 0, -ENOMEM);
        ENSURE(json_object_set_new(obj, "crv", json_string(curves[c].crv)) == 0, -ENOMEM);
        GUARD(set_bn(obj, "x", a, curves[c].coord));
        return set_bn(obj, "y", b, curves[c].coord);
}

/* Strict base64url of a string member into out; its length in *ret_len. */
static int get_b64(const json_t *jwk, const char *name, uint8_t *out, size_t cap,
                   size_t *ret_len)
{
        const json_t *v = json_object_get(jwk, name);
        int r;

        ENSURE(json_is_string(v), -EBADMSG);
        r = ae_b64_decode(AE_B64_URL, json_string_value(v), json_string_length(v), out, cap,
                          ret_len);
        return r < 0 ? -EBADMSG : 0;
}

/* Build a public key of type from params; with check, let OpenSSL check
 * it too (EC: the point on the curve and in its group). */
static int from_params(const char *type, OSSL_PARAM_BLD *bld, bool check_public,
                       EVP_PKEY **ret)
{
        _cleanup_(OSSL_PARAM_freep) OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL, *check = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;

        ENSURE_ALLOC(params);
        ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
        ENSURE_ALLOC(ctx);
        ENSURE_OSSL(EVP_PKEY_fromdata_init(ctx));
        if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
                return -EBADMSG;
        if (!check_public) {
                *ret = TAKE_PTR(key);
                return 0;
        }
        check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
        ENSURE_ALLOC(check);
        if (EVP_PKEY_public_check(check) != 1)
                return -EBADMSG;
        *ret = TAKE_PTR(key);
        return 0;
}

static int ec_to_public(const json_t *jwk, EVP_PKEY **ret)
{
        _cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = NULL;
        const char *crv = json_string_value(json_object_get(jwk, "crv"));
        uint8_t point[1 + 2 * COORD_MAX];
        size_t c, nx, ny;

        ENSURE(json_is_string(json_object_get(jwk, "crv")), -EBADMSG);
        for (c = 0; c < sizeof(curves) / sizeof(curves[0]); c++)
                if (strcmp(crv, curves[c].crv) == 0)
                        break;
        ENSURE(c < sizeof(curves) / sizeof(curves[0]), -EOPNOTSUPP);
        /* RFC 7518 6.2.1.2: each coordinate at full size, nothing else. */
        point[0] = 0x04; /* uncompressed */
        GUARD(get_b64(jwk, "x", point + 1, COORD_MAX, &nx));
        GUARD(get_b64(jwk, "y", point + 1 + curves[c].coord, COORD_MAX, &ny));
        ENSURE(nx == curves[c].coord && ny == curves[c].coord, -EBADMSG);

        bld = OSSL_PARAM_BLD_new();
        ENSURE_ALLOC(bld);
        ENSURE_OSSL(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                                    curves[c].group, 0));
        ENSURE_OSSL(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                                     1 + 2 * curves[c].coord));
        return from_params("EC", bld, true, ret);
}

/* RFC 7518 2: Base64urlUInt uses the fewest octets. */
static int get_uint(const json_t *jwk, const char *name, size_t max, BIGNUM **ret)
{
        uint8_t b[RSA_N_MAX];
        size_t n;

        GUARD(get_b64(jwk, name, b, sizeof(b), &n));
        ENSURE(n >= 1 && n <= max, -EBADMSG);
        ENSURE(b[0] != 0 || n == 1, -EBADMSG);
        *ret = BN_bin2bn(b, (int)n, NULL);
        ENSURE_ALLOC(*ret);
        return 0;
}

static int rsa_to_public(const json_t *jwk, EVP_PKEY **ret)
{
        _cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = NULL;
        _cleanup_(BN_freep) BIGNUM *n = NULL, *e = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        int bits;

        GUARD(get_uint(jwk, "n", RSA_N_MAX, &n));
        GUARD(get_uint(jwk, "e", RSA_E_MAX, &e));
        bits = BN_num_bits(n);
        ENSURE(bits >= AE_JWT_RSA_BITS_MIN && bits <= AE_JWT_RSA_BITS_MAX, -EBADMSG);
        /* An even modulus, or an even exponent or one below 3, is no RSA
         * public key. These checks stand in for OpenSSL's RSA public check,
         * whose Miller-Rabin test is randomised: a modulus with a small
         * factor could pass one call and fail the next, and every reader
         * of a bundle must reach the same verdict on it. */
        ENSURE(BN_is_odd(n), -EBADMSG);
        ENSURE(BN_is_odd(e) && !BN_is_one(e), -EBADMSG);

        bld = OSSL_PARAM_BLD_new();
        ENSURE_ALLOC(bld);
        ENSURE_OSSL(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n));
        ENSURE_OSSL(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e));
        GUARD(from_params("RSA", bld, false, &key));
        *ret = TAKE_PTR(key);
        return 0;
}

int ae_jwt_jwk_to_public(const json_t *jwk, EVP_PKEY **ret)
{
        static const char *const private_members[] = { "d", "p", "q", "dp", "dq", "qi", "oth", "k" };
        const json_t *kty;

        ENSURE(json_is_object(jwk) && ret, -EINVAL);
        kty = json_object_get(jwk, "kty");
        ENSURE(json_is_string(kty), -EBADMSG);
        /* Private material in a published bundle is a leak, not a key to
         * skip: refuse the whole thing so someone notices. */
        for (size_t i = 0; i < sizeof(private_members) / sizeof(private_members[0]); i++)
                ENSURE(!json_object_get(jwk, private_members[i]), -EBADMSG);
        if (strcmp(json_string_value(kty), "EC") == 0)
                return ec_to_public(jwk, ret);
        if (strcmp(json_string_value(kty), "RSA") == 0)
                return rsa_to_public(jwk, ret);
        return -EOPNOTSUPP;
}

int ae_jwt_kid_for_key(EVP_PKEY *key, char kid[AE_JWT_KID_SIZE])
{
        unsigned char *der = NULL, digest[32];
        int n, ok;

        ENSURE(key && kid, -EINVAL);
        n = i2d_PUBKEY(key, &der);
        ok = n > 0 && EVP_Digest(der, (size_t)n, digest, NULL, EVP_sha256(), NULL) == 1;
        OPENSSL_free(der);
        ENSURE(ok, -EIO);
        return ae_hex_encode(digest, 16, kid, AE_JWT_KID_SIZE);
}
