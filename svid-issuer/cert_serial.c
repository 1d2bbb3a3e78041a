/* Random serial numbers.
 *
 * RAND_bytes costs about the same for 16 octets as for 256 (one generate
 * call of OpenSSL's DRBG, 0.9 us here: 3% of minting a leaf), so each
 * thread draws a block and hands out AE_CERT_SERIAL_BYTES of it per serial.
 * Nothing is lost by it: the octets become public serial numbers, each is
 * handed out once (and wiped from the block), and a child process starts
 * with an empty block after fork (pthread_atfork), as OpenSSL's own DRBGs
 * reseed there. Should registering that handler fail, every serial is drawn
 * on its own. */
#include "svid-issuer/cert_build.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#define BLOCK (16 * AE_CERT_SERIAL_BYTES)

struct block {
        uint8_t octets[BLOCK];
        size_t left; /* unused octets at the end of octets */
};

static __thread struct block block;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static bool atfork_ok;

/* In the child, on the thread that forked: the only one left. */
static void forget_block(void)
{
        OPENSSL_cleanse(&block, sizeof(block));
}

static void atfork_init(void)
{
        atfork_ok = pthread_atfork(NULL, NULL, forget_block) == 0;
}

static int draw(uint8_t *out, size_t n)
{
        uint8_t *from;

        if (pthread_once(&atfork_once, atfork_init) != 0 || !atfork_ok || n > BLOCK) {
                ENSURE_OSSL(RAND_bytes(out, (int)n));
                return 0;
        }
        if (block.left < n) {
                ENSURE_OSSL(RAND_bytes(block.octets, sizeof(block.octets)));
                block.left = sizeof(block.octets);
        }
        from = block.octets + sizeof(block.octets) - block.left;
        memcpy(out, from, n);
        OPENSSL_cleanse(from, n);
        block.left -= n;
        return 0;
}

int ae_cert_set_random_serial(X509 *x)
{
        uint8_t raw[AE_CERT_SERIAL_BYTES];
        size_t skip;

        ENSURE(x, -EINVAL);
        /* A zero serial is not allowed (RFC 5280 4.1.2.2); with 128 random
         * bits the loop runs once. */
        do {
                GUARD(draw(raw, sizeof(raw)));
                for (skip = 0; skip < sizeof(raw) && raw[skip] == 0; skip++)
                        ;
        } while (skip == sizeof(raw));
        /* The content of a positive INTEGER as OpenSSL keeps it: the
         * magnitude without leading zero octets (its encoder adds the 0x00
         * that a set top bit needs). X509_get_serialNumber gives the
         * certificate's own INTEGER. */
        ENSURE(ASN1_STRING_set(X509_get_serialNumber(x), raw + skip, (int)(sizeof(raw) - skip)) == 1,
               -ENOMEM);
        return 0;
}
