/* Keys and bundles the JWT-SVID tests share: made once in main(), before
 * Check forks, so every test sees the same ones. */
#pragma once

#include <openssl/types.h>

struct ae_jwks;
struct ae_claims;

#define TD "example.org"
#define OTHER_TD "other.org"
#define SUB "spiffe://example.org/ns/prod/web"
#define AUD "reports"
#define NOW INT64_C(1795238400)

struct ae_test_jwt_env {
        /* example.org's JWT keys, kids "k256", "k384", "k521", "rsa" */
        EVP_PKEY *p256, *p384, *p521, *rsa;
        EVP_PKEY *other;            /* other.org's key, kid "o1" */
        EVP_PKEY *rsa1024, *ed25519; /* keys no JWT-SVID may use */
        struct ae_jwks *td;         /* example.org: the four keys above */
        struct ae_jwks *other_td;   /* other.org: "o1" */
        struct ae_jwks *restricted; /* example.org: "rsa" with "alg":"RS256" */
        char p256_pub_pem[512];     /* the public keys' PEM, the HMAC secret */
        char rsa_pub_pem[1024];     /* an alg-confusion attacker would use */
};

extern struct ae_test_jwt_env ae_jwt_env;

/* 0, or -1 with a message on stderr. */
int ae_test_jwt_env_init(void);
void ae_test_jwt_env_free(void);

/* Valid PoG claims (one zone, coordinates) for workload_id. */
void ae_test_claims_sample(struct ae_claims *c, const char *workload_id);
