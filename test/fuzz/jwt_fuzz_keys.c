#include "jwt_fuzz_keys.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "svid-issuer/jwt_jwks.h"

static const char p256_pem[] =
        "-----BEGIN PRIVATE KEY-----\n"
        "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggG7MPOYyh/gtoIE3\n"
        "RW3jyv+eOcWkmFSkH4zYLoVy2S2hRANCAARTd46BzPeDfWVaiimhtQ60fnN4BudY\n"
        "JW/lCOzWagk6VGlf2Gopf5CIFZhCaFxmo6h9usQMsKd72RRsqx9FTq9F\n"
        "-----END PRIVATE KEY-----\n"
        ;

static const char rsa_pem[] =
        "-----BEGIN PRIVATE KEY-----\n"
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCa3SQ3zKD3AcFc\n"
        "jFtZy5P/vkenAwtQIxjTN/wLPN4z6bOB98nVFpyjGmah05qkvDp7ly9Lps3TEO27\n"
        "0r0WM8PKd0NyZ4TusJ5mQkatRjPU1YJx9g6c5MmjF3fYAuSjS+ciPpikYF6EmFMb\n"
        "JcYTMJ4zLsaVRDd6Prh16TUQXYFZtdQteT7e/wC+jQwkrhushOaCMzMupMZatCu4\n"
        "qHIiJ03v8H2XEoY9oPj5IkPtEJ1AhbX4gikl9QYw2AR2n3HEdqXNsn8keZekQEDS\n"
        "AHQyc59bsSnzLjHEmzYutGw+F8NTedw8eJ4fgEGAIdPJmVofJ1IqpY1f8XqcWRHq\n"
        "HJ9uAzDRAgMBAAECggEACJ8nbypXq0zIF7eSNeZ3NcGhklcha/uaPBcls3f27He2\n"
        "OFYD4PbGb2+ut1N1LHb0wBD3j3wIwTeT7rUhtRDadYUMhpvkCxhe5zVJI0gxZkfh\n"
        "QGg5Icu8fJWXxNlLYpp9Epteyub5GCN1XAFvPL4EDrgr0t9WgdooUZszSrcT9psq\n"
        "WbuSsXXMAHG4dzf4pMdgxowSYOBnn4p2dFvUacpuihcDHIPjaPgWI7AbizBmigwZ\n"
        "A4lWjM4OPnnBSuzlxWJzb/C5lOS9ClIjsKVYG3GesCtmqOnzzgFfEUbOdi0IQ5Mk\n"
        "1luSgZ7VrnGP8B8LJGM4sww8ay1ajX4BpKPtn4sYCQKBgQDKIf4Mf/iJooH0hpbJ\n"
        "v9IHK5tB06iREBIHseHkKoHdfV49ZMD8Rkks+ORuhIQeIpPYmzRwQtkgqcTLe2J2\n"
        "ms9rKiVjUVmplAoFaNVMohE2NO50flXxiwpxXZrRvrc4/uobQFWnuCaDAKxLdGK3\n"
        "vfRtz87/EiqdemMJX2DKNsGWmQKBgQDEIlejTAC9qNQC8y1sIXFKx/9BP7Tyzoaa\n"
        "FsU8yeJe3H80bvmM7E0dm6mY3yM+gkcS6oJUdujZadoidH5Z0dZARLJI9TFjQiWV\n"
        "xSID+s5vhBbWhDGh6+9TkklKBXf2LDlakFG8aK1iUZcYtSDLhI/ceAfW2aDjprBF\n"
        "zUUbTWUm+QKBgAuKkVTpYamKK91oaeevGjDqnnzNtwxBXKYv0/QRMUUSSXU78YD2\n"
        "CmuU8oYU7u5BjyuJAR9/0aH5z5DGxMJ86Gb4CxZ2qKX0G/ZfG/66Kj1sHEluhT27\n"
        "cKc0bwiW2SNZ+sf/jmR7MUe9nBja1mAjandyrCEISoKfYFRCq+Yf5kHRAoGAB66s\n"
        "rhnBAazGOSNbSRv6OwqgZebf6I7MWObBbQMfWcXbOauLHMj4sEszlmhPEhi6PfRv\n"
        "jG1n63Qo9iaH+G6urK/EJ/VqrM+fd0FUdsFxKo8K8fYVl5kNM8HMGxkhvMO4r2Jt\n"
        "wSp8eBhoCbC2iyIzHFibPgAiPCiASQukRFCAwMkCgYEAqclub5NhnEi3G0WQc9c7\n"
        "22PEWs5Uj+etJQpzBL9BuY2skJpy9/w1AKmKVN8dCuWaGItiB1RoBmJUp2gXVFmU\n"
        "K0lHKkPQ4cLSK1h+a2sm2Xp2o68LOzL0BbX7YEBUL1B280fuyJhM2tyF/ONrcSag\n"
        "dobHnDB6mD8XnDrmoUcaxRE=\n"
        "-----END PRIVATE KEY-----\n"
        ;

static EVP_PKEY *load(const char *pem)
{
        BIO *b = BIO_new_mem_buf(pem, -1);
        EVP_PKEY *key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

        BIO_free(b);
        return key;
}

EVP_PKEY *ae_fuzz_jwt_p256(void)
{
        static EVP_PKEY *key;

        if (!key)
                key = load(p256_pem);
        return key;
}

EVP_PKEY *ae_fuzz_jwt_rsa(void)
{
        static EVP_PKEY *key;

        if (!key)
                key = load(rsa_pem);
        return key;
}

static struct ae_jwks *bundle(const char *td, EVP_PKEY **keys, const char **kids, size_t n)
{
        struct ae_jwks *b = NULL;
        char *json = NULL;

        if (ae_jwks_from_keys(keys, kids, n, &json) < 0 ||
            ae_jwks_parse(td, json, strlen(json), &b, NULL) < 0)
                b = NULL;
        free(json);
        return b;
}

const struct ae_jwks *const *ae_fuzz_jwt_bundles(void)
{
        static const struct ae_jwks *bundles[2];

        if (!bundles[0]) {
                EVP_PKEY *td_keys[] = { ae_fuzz_jwt_p256(), ae_fuzz_jwt_rsa() };
                const char *td_kids[] = { "k256", "rsa" };
                EVP_PKEY *other_keys[] = { ae_fuzz_jwt_p256() };
                const char *other_kids[] = { "o1" };

                if (!td_keys[0] || !td_keys[1])
                        abort();
                bundles[0] = bundle(AE_FUZZ_JWT_TD, td_keys, td_kids, 2);
                bundles[1] = bundle(AE_FUZZ_JWT_OTHER_TD, other_keys, other_kids, 1);
                if (!bundles[0] || !bundles[1])
                        abort();
        }
        return bundles;
}
