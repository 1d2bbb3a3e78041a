/* Trust bundle sources (PEM and SPIFFE bundle JSON, fetched from a bundle
 * endpoint or a file). Property: a refused source adds nothing and says
 * why; an accepted one adds at least one trust domain. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/err.h>

#include "svid-issuer/rp_bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size, bool json)
{
        struct ae_rp_bundle *b = NULL;
        const char *why = NULL;
        int r;

        if (ae_rp_bundle_new(&b) < 0)
                abort();
        r = json ? ae_rp_bundle_add_spiffe_json(b, "example.org", (const char *)data, size, &why)
                 : ae_rp_bundle_add_pem(b, NULL, (const char *)data, size, &why);
        if (r < 0 && (!why || ae_rp_bundle_count(b) != 0))
                abort();
        if (r == 0 && ae_rp_bundle_count(b) == 0)
                abort();
        ae_rp_bundle_unref(b);
        ERR_clear_error();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        one(data, size, false);
        one(data, size, true);
        return 0;
}
