/* Relying-party verifications per second: a P-256 X509-SVID with claims,
 * signed by its trust domain's root, through ae_rp_verify with a rule that
 * reads every claim (leaf rules, chain, claims JSON, rule), against the one
 * ECDSA P-256 verification (EVP_DigestVerify, SHA-256) it cannot avoid, on
 * the same machine in the same run. Prints BENCH lines; asserts nothing
 * about time (it fails only if a verification is refused). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/ossl.h"
#include "svid-issuer/rp_bundle.h"
#include "svid-issuer/rp_rule.h"
#include "svid-issuer/rp_verify.h"
#include "svid_forge.h"

#define MIN_SECONDS 1.0
#define WID "spiffe://example.org/web"
#define RULE                                                                                       \
        "trust_domain=example.org,id=" WID ",level=pog,zone=eu-de,code_hash="                     \
        "1111111111111111111111111111111111111111111111111111111111111111,ek_hash="                \
        "2222222222222222222222222222222222222222222222222222222222222222,max_age=600"

int main(void);

static double now_s(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Operations per second of stmt, repeated for at least MIN_SECONDS. */
#define MEASURE(result, stmt)                                                  \
        do {                                                                   \
                double t0 = now_s(), t;                                        \
                long iters = 0;                                                \
                do {                                                           \
                        stmt;                                                  \
                        iters++;                                               \
                } while ((t = now_s() - t0) < MIN_SECONDS);                    \
                (result) = (double)iters / t;                                  \
        } while (0)

int main(void)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *ca_key = NULL, *key = NULL;
        _cleanup_(X509_freep) X509 *ca = NULL, *leaf = NULL;
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *bundle = NULL;
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        int64_t at = (int64_t)time(NULL);
        static struct ae_rp_rule rule;
        static struct ae_rp_result result;
        struct ae_claims claims;
        unsigned char msg[512], sig[128];
        size_t sig_len = sizeof(sig);
        double ours, ref;

        ae_forge_root("example.org", at, &ca_key, &ca);
        ae_forge_claims(&claims, WID, at - 10);
        ae_forge_leaf(WID, at, &claims, ca, ca_key, &key, &leaf);
        if (!md || ae_rp_bundle_new(&bundle) < 0 ||
            ae_rp_bundle_add_root(bundle, NULL, ca, NULL) < 0 ||
            ae_rp_rule_parse(RULE, strlen(RULE), &rule, NULL) < 0)
                return 1;

        MEASURE(ours, {
                if (ae_rp_verify(bundle, &rule, leaf, NULL, at, &result) < 0) {
                        fprintf(stderr, "refused: %s\n", ae_rp_reason_id(result.reason));
                        return 1;
                }
        });

        /* The reference: verify a signature of the CA key over a message of
         * a leaf certificate's size, a fresh context each time as the
         * verifier has. */
        if (RAND_bytes(msg, sizeof(msg)) != 1 ||
            EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, ca_key) != 1 ||
            EVP_DigestSign(md, sig, &sig_len, msg, sizeof(msg)) != 1)
                return 1;
        MEASURE(ref, {
                if (EVP_MD_CTX_reset(md) != 1 ||
                    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, ca_key) != 1 ||
                    EVP_DigestVerify(md, sig, sig_len, msg, sizeof(msg)) != 1)
                        return 1;
        });
        printf("BENCH rp_verify_p256_claims value=%.0f unit=verify/s ref=%.0f ratio=%.2f\n", ours,
               ref, ours / ref);
        return 0;
}
