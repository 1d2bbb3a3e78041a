/* Putting a public key into a certificate without OpenSSL 3.0's encoder
 * lookup. X509_set_pubkey on a provider key builds an OSSL_ENCODER context
 * for every call, which on 3.0 costs about 0.2 ms: ten times the ECDSA
 * signature a mint needs (bench_svid_mint). A key in OpenSSL's legacy form
 * is encoded directly by its method, so the public half is copied into one
 * (EC: the encoded point on its named curve; RSA: n and e) and that is what
 * the certificate gets. The legacy key types are deprecated API, used here
 * and only here for that reason. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "svid-issuer/cert_build.h"

#include <pthread.h>
#include <stdbool.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "common/ossl.h"
#include "svid-issuer/key_gen.h"

AE_DEFINE_CLEANUP(EC_KEY *, EC_KEY_free)
AE_DEFINE_CLEANUP(RSA *, RSA_free)

/* An uncompressed P-384 point is 97 bytes. */
#define EC_POINT_MAX 133

/* The two curves, built once: EC_KEY_new_by_curve_name would build the
 * group again each time (about 12 us); EC_KEY_set_group copies a built one
 * in under 1 us. Groups are never modified after creation, so threads
 * share them.
 *
 * They are built from the named curves' parameters on OpenSSL's generic
 * arithmetic, not taken from EC_GROUP_new_by_curve_name: on x86_64 that
 * gives P-256 the nistz256 method, whose point encoding always inverts Z
 * (about 2.5 us), and X509_PUBKEY_set encodes the point twice. The generic
 * methods see the Z = 1 that decoding left and skip it. Only
 * the representation differs: the same curve, its name and the named-curve
 * flag (so the certificate names the curve, as before), and every
 * operation on the resulting public key goes to the provider by that name. */
static EC_GROUP *curves[2];
static pthread_once_t curves_once = PTHREAD_ONCE_INIT;

/* The named curve's p, a, b, generator, order and cofactor on a group of
 * generic arithmetic (EC_GROUP_new_curve_GFp never picks nistz256). */
static EC_GROUP *generic_curve(int nid)
{
        EC_GROUP *named = EC_GROUP_new_by_curve_name(nid);
        BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new(), *x = BN_new(), *y = BN_new();
        EC_GROUP *g = NULL;
        EC_POINT *gen = NULL;
        bool ok = false;

        if (named && p && a && b && x && y && EC_GROUP_get_curve(named, p, a, b, NULL) == 1 &&
            EC_POINT_get_affine_coordinates(named, EC_GROUP_get0_generator(named), x, y, NULL) == 1)
                g = EC_GROUP_new_curve_GFp(p, a, b, NULL);
        if (g)
                gen = EC_POINT_new(g);
        if (gen && EC_POINT_set_affine_coordinates(g, gen, x, y, NULL) == 1 &&
            EC_GROUP_set_generator(g, gen, EC_GROUP_get0_order(named),
                                   EC_GROUP_get0_cofactor(named)) == 1) {
                EC_GROUP_set_curve_name(g, nid);
                EC_GROUP_set_asn1_flag(g, OPENSSL_EC_NAMED_CURVE);
                ok = true;
        }
        EC_POINT_free(gen);
        BN_free(p);
        BN_free(a);
        BN_free(b);
        BN_free(x);
        BN_free(y);
        EC_GROUP_free(named);
        if (!ok) {
                EC_GROUP_free(g);
                return NULL;
        }
        return g;
}

static void curves_init(void)
{
        curves[0] = generic_curve(NID_X9_62_prime256v1);
        curves[1] = generic_curve(NID_secp384r1);
}

static int legacy_ec(EVP_PKEY *key, enum ae_ca_key_type type, EVP_PKEY **ret)
{
        _cleanup_(EC_KEY_freep) EC_KEY *ec = EC_KEY_new();
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *out = EVP_PKEY_new();
        unsigned char point[EC_POINT_MAX];
        const unsigned char *p = point;
        const EC_GROUP *group;
        size_t len = 0;

        ENSURE(ec && out, -ENOMEM);
        ENSURE(pthread_once(&curves_once, curves_init) == 0, -EIO);
        group = curves[type == AE_CA_KEY_P384 ? 1 : 0];
        ENSURE(group, -ENOMEM);
        ENSURE_OSSL(EC_KEY_set_group(ec, group));
        ENSURE_OSSL(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                                    sizeof(point), &len));
        /* o2i_ECPublicKey checks the point lies on the curve. */
        ENSURE(o2i_ECPublicKey(&ec, &p, (long)len) != NULL, -EIO);
        ENSURE_OSSL(EVP_PKEY_assign_EC_KEY(out, ec));
        ec = NULL; /* owned by out */
        *ret = TAKE_PTR(out);
        return 0;
}

static int legacy_rsa(EVP_PKEY *key, EVP_PKEY **ret)
{
        _cleanup_(RSA_freep) RSA *rsa = RSA_new();
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *out = EVP_PKEY_new();
        _cleanup_(BN_freep) BIGNUM *n = NULL;
        _cleanup_(BN_freep) BIGNUM *e = NULL;

        ENSURE(rsa && out, -ENOMEM);
        ENSURE_OSSL(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n));
        ENSURE_OSSL(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e));
        ENSURE_OSSL(RSA_set0_key(rsa, n, e, NULL));
        n = e = NULL; /* owned by rsa */
        ENSURE_OSSL(EVP_PKEY_assign_RSA(out, rsa));
        rsa = NULL;
        *ret = TAKE_PTR(out);
        return 0;
}

int ae_cert_set_pubkey_as(X509 *x, EVP_PKEY *key, enum ae_ca_key_type type)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *legacy = NULL;

        ENSURE(x && key, -EINVAL);
        switch (type) {
        case AE_CA_KEY_P256:
        case AE_CA_KEY_P384:
                GUARD(legacy_ec(key, type, &legacy));
                break;
        case AE_CA_KEY_RSA2048:
                GUARD(legacy_rsa(key, &legacy));
                break;
        default:
                return -EINVAL;
        }
        ENSURE_OSSL(X509_set_pubkey(x, legacy));
        return 0;
}

int ae_cert_set_pubkey(X509 *x, EVP_PKEY *key)
{
        enum ae_ca_key_type type;

        ENSURE(x && key, -EINVAL);
        if (ae_svid_key_classify(key, &type) == 0)
                return ae_cert_set_pubkey_as(x, key, type);
        ENSURE_OSSL(X509_set_pubkey(x, key));
        return 0;
}
