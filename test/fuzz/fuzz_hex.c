/* Hex decoding of untrusted text. Property: what decodes re-encodes to the
 * same text up to letter case. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t *out = malloc(size / 2 + 1);
        char *again = malloc(AE_HEX_SIZE(size / 2 + 1));
        size_t n;

        if (!out || !again)
                abort();
        if (ae_hex_decode((const char *)data, size, out, size / 2 + 1, &n) == 0) {
                if (ae_hex_encode(out, n, again, AE_HEX_SIZE(n)) < 0 || 2 * n != size)
                        abort();
                for (size_t i = 0; i < size; i++)
                        if (tolower(data[i]) != again[i])
                                abort();
        }
        free(out);
        free(again);
        return 0;
}
