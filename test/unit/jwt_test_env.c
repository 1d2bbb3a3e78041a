#include "jwt_test_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "common/cleanup.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/jwt_jwks.h"

struct ae_test_jwt_env ae_jwt_env;

static int pub_pem(EVP_PKEY *key, char *out, size_t cap)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *data;
        long n;
        int ok;

        if (!b)
                return -1;
        ok = PEM_write_bio_PUBKEY(b, key) == 1;
        n = BIO_get_mem_data(b, &data);
        ok = ok && n > 0 && (size_t)n < cap;
        if (ok) {
                memcpy(out, data, (size_t)n);
                out[n] = '\0';
        }
        BIO_free(b);
        return ok ? 0 : -1;
}

static int bundle(const char *td, EVP_PKEY *const *keys, const char *const *kids, size_t n,
                  const char *restrict_kid, const char *alg, struct ae_jwks **ret)
{
        _cleanup_free_ char *json = NULL, *edited = NULL;
        json_t *doc, *k;
        size_t i;
        int r;

        if (ae_jwks_from_keys(keys, kids, n, &json) < 0)
                return -1;
        if (restrict_kid) {
                doc = json_loads(json, 0, NULL);
                if (!doc)
                        return -1;
                json_array_foreach (json_object_get(doc, "keys"), i, k)
                        if (strcmp(json_string_value(json_object_get(k, "kid")), restrict_kid) == 0)
                                json_object_set_new(k, "alg", json_string(alg));
                edited = json_dumps(doc, JSON_COMPACT);
                json_decref(doc);
                if (!edited)
                        return -1;
        }
        r = ae_jwks_parse(td, edited ? edited : json, strlen(edited ? edited : json), ret, NULL);
        return r < 0 ? -1 : 0;
}

int ae_test_jwt_env_init(void)
{
        struct ae_test_jwt_env *e = &ae_jwt_env;
        EVP_PKEY *keys[4];
        static const char *const kids[] = { "k256", "k384", "k521", "rsa" };
        static const char *const other_kid[] = { "o1" };

        e->p256 = EVP_EC_gen("P-256");
        e->p384 = EVP_EC_gen("P-384");
        e->p521 = EVP_EC_gen("P-521");
        e->rsa = EVP_RSA_gen(2048);
        e->other = EVP_EC_gen("P-256");
        e->rsa1024 = EVP_RSA_gen(1024);
        e->ed25519 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        if (!e->p256 || !e->p384 || !e->p521 || !e->rsa || !e->other || !e->rsa1024 ||
            !e->ed25519) {
                fprintf(stderr, "key generation failed\n");
                return -1;
        }
        keys[0] = e->p256;
        keys[1] = e->p384;
        keys[2] = e->p521;
        keys[3] = e->rsa;
        if (bundle(TD, keys, kids, 4, NULL, NULL, &e->td) < 0 ||
            bundle(OTHER_TD, &e->other, other_kid, 1, NULL, NULL, &e->other_td) < 0 ||
            bundle(TD, keys, kids, 4, "rsa", "RS256", &e->restricted) < 0 ||
            pub_pem(e->p256, e->p256_pub_pem, sizeof(e->p256_pub_pem)) < 0 ||
            pub_pem(e->rsa, e->rsa_pub_pem, sizeof(e->rsa_pub_pem)) < 0) {
                fprintf(stderr, "bundle setup failed\n");
                return -1;
        }
        return 0;
}

void ae_test_jwt_env_free(void)
{
        struct ae_test_jwt_env *e = &ae_jwt_env;

        EVP_PKEY_free(e->p256);
        EVP_PKEY_free(e->p384);
        EVP_PKEY_free(e->p521);
        EVP_PKEY_free(e->rsa);
        EVP_PKEY_free(e->other);
        EVP_PKEY_free(e->rsa1024);
        EVP_PKEY_free(e->ed25519);
        ae_jwks_free(e->td);
        ae_jwks_free(e->other_td);
        ae_jwks_free(e->restricted);
        memset(e, 0, sizeof(*e));
}

void ae_test_claims_sample(struct ae_claims *c, const char *workload_id)
{
        memset(c, 0, sizeof(*c));
        c->level = AE_CLAIMS_POG;
        snprintf(c->workload.workload_id, sizeof(c->workload.workload_id), "%s", workload_id);
        strcpy(c->workload.code_hash, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        c->tpm.present = true;
        strcpy(c->tpm.ek_hash, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae");
        strcpy(c->tpm.ak_name, "000bfcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9");
        strcpy(c->tpm.pcr_policy, "base");
        strcpy(c->tpm.pcr_digest, "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7");
        c->tpm.attested_at = NOW - 600;
        c->geo.present = true;
        c->geo.n_zones = 1;
        strcpy(c->geo.zones[0], "eu-de");
        strcpy(c->geo.policy_digest, "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13");
        strcpy(c->geo.sensor_id, "F9P-0042");
        c->geo.fix_time = NOW - 610;
        c->geo.has_coordinates = true;
        c->geo.latitude = 52.52;
        c->geo.longitude = 13.405;
        c->geo.accuracy = 17.1;
}
