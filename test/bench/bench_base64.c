/* Base64 throughput (JWT-SVIDs, JWKS and PEM bundles are base64) against
 * OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock on the same buffer in the same
 * run. Prints BENCH lines; asserts nothing about time. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/base64.h"

#define BUF_SIZE (256 * 1024)
#define MIN_SECONDS 0.3

int main(void);

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile size_t sink;

/* MB/s of fn over BUF_SIZE input bytes, repeated for at least MIN_SECONDS. */
#define MEASURE(result, stmt)                                                  \
        do {                                                                   \
                double t0 = now(), t;                                          \
                long iters = 0;                                                \
                do {                                                           \
                        stmt;                                                  \
                        iters++;                                               \
                } while ((t = now() - t0) < MIN_SECONDS);                      \
                (result) = (double)iters * BUF_SIZE / t / 1e6;                 \
        } while (0)

int main(void)
{
        unsigned char *raw = malloc(BUF_SIZE), *text = malloc(AE_B64_ENCODED_SIZE(BUF_SIZE));
        unsigned char *back = malloc(BUF_SIZE + 3);
        size_t text_len = 0, n = 0;
        double ours, ref;

        if (!raw || !text || !back || RAND_bytes(raw, BUF_SIZE) != 1)
                return 1;

        MEASURE(ours, {
                if (ae_b64_encode(AE_B64_STD, raw, BUF_SIZE, (char *)text,
                                  AE_B64_ENCODED_SIZE(BUF_SIZE), &text_len) < 0)
                        return 1;
                sink += text_len;
        });
        MEASURE(ref, sink += (size_t)EVP_EncodeBlock(text, raw, BUF_SIZE));
        printf("BENCH base64_encode value=%.1f unit=MB/s ref=%.1f ratio=%.2f\n", ours, ref,
               ours / ref);

        MEASURE(ours, {
                if (ae_b64_decode(AE_B64_STD, (const char *)text, text_len, back, BUF_SIZE + 3,
                                  &n) < 0)
                        return 1;
                sink += n;
        });
        MEASURE(ref, sink += (size_t)EVP_DecodeBlock(back, text, (int)text_len));
        printf("BENCH base64_decode value=%.1f unit=MB/s ref=%.1f ratio=%.2f\n", ours, ref,
               ours / ref);

        free(raw);
        free(text);
        free(back);
        return 0;
}
