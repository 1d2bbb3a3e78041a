/* X.509-SVID minting rate (P-256 CA, P-256 workload key, claims present)
 * against OpenSSL's raw ECDSA P-256 signing rate (EVP_DigestSign over 32
 * bytes, one init per signature as a mint needs) on the same machine in the
 * same run. A mint is one such signature plus building the certificate, so
 * the ratio says what the certificate costs on top; higher is better.
 * Prints BENCH lines; asserts nothing about time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bench_ca.h"
#include "ca_test_util.h"
#include "common/ossl.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/x509_svid.h"

/* Alternating rounds, best of each: the machine is shared, and the best
 * round is the one least disturbed by others. */
#define ROUNDS 7
#define MIN_SECONDS 0.25
#define ID "spiffe://example.org/ns/prod/web"

int main(void);

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Operations per second of stmt, repeated for at least MIN_SECONDS. */
#define MEASURE(result, stmt)                                                  \
        do {                                                                   \
                double t0 = now(), t;                                          \
                long iters = 0;                                                \
                do {                                                           \
                        stmt;                                                  \
                        iters++;                                               \
                } while ((t = now() - t0) < MIN_SECONDS);                      \
                (result) = (double)iters / t;                                  \
        } while (0)

static int bench(const char *dir)
{
        struct ae_ca_options o = { .trust_domain = "example.org", .key_type = AE_CA_KEY_P256 };
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *workload = NULL, *ref_key = NULL;
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        struct ae_claims claims;
        struct ae_x509_svid_request req = { .spiffe_id = ID, .claims = &claims };
        enum ae_svid_reason why;
        time_t at = time(NULL);
        unsigned char msg[32] = { 1 }, sig[80];
        double mints = 0, signs = 0;

        if (!md || ae_ca_init(dir, &o, at, &why) < 0 || ae_ca_load(dir, at, &ca, &why) < 0 ||
            ae_svid_key_generate(AE_CA_KEY_P256, &workload) < 0 ||
            ae_svid_key_generate(AE_CA_KEY_P256, &ref_key) < 0)
                return 1;
        ctu_claims(&claims, ID);
        req.public_key = workload;

        for (int round = 0; round < ROUNDS; round++) {
                double m, s;

                MEASURE(m, {
                        X509 *leaf = NULL;

                        if (ae_x509_svid_mint(ca, &req, at, &leaf, &why) < 0)
                                return 1;
                        X509_free(leaf);
                });
                MEASURE(s, {
                        size_t len = sizeof(sig);

                        if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, ref_key) != 1 ||
                            EVP_DigestSign(md, sig, &len, msg, sizeof(msg)) != 1)
                                return 1;
                });
                if (m > mints)
                        mints = m;
                if (s > signs)
                        signs = s;
        }
        printf("BENCH x509_svid_mint value=%.0f unit=mints/s ref=%.0f ratio=%.2f\n", mints, signs,
               mints / signs);
        return 0;
}

int main(void)
{
        char dir[] = "/tmp/aegis-bench-svid-XXXXXX";
        int r;

        if (!mkdtemp(dir))
                return 1;
        r = bench(dir);
        bench_remove_ca(dir);
        return r;
}
