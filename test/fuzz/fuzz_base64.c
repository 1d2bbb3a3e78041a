/* Base64 decoding of untrusted text, both variants. Property: decoding is
 * strict, so whatever decodes must re-encode to exactly the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const enum ae_b64_variant variants[] = { AE_B64_STD, AE_B64_URL };
        size_t cap = AE_B64_DECODED_MAX(size);
        uint8_t *out = malloc(cap ? cap : 1);
        char *again = malloc(AE_B64_ENCODED_SIZE(cap ? cap : 1));

        if (!out || !again)
                abort();
        for (size_t v = 0; v < 2; v++) {
                size_t n, m;

                if (ae_b64_decode(variants[v], (const char *)data, size, out, cap, &n) < 0)
                        continue;
                if (ae_b64_encode(variants[v], out, n, again, AE_B64_ENCODED_SIZE(cap ? cap : 1),
                                  &m) < 0)
                        abort();
                if (m != size || memcmp(again, data, size) != 0)
                        abort(); /* two texts decode to the same bytes */
        }
        free(out);
        free(again);
        return 0;
}
