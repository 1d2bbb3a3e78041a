/* The location claim decoder on arbitrary bytes. Properties: whatever
 * decodes re-encodes to exactly the same bytes (one encoding per claim);
 * the sensor decoder likewise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node-attestor/location_claim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t again[AE_ATTEST_LOCATION_CLAIM_MAX];
        struct ae_location_claim c;
        struct ae_sensor_id s;
        size_t n;

        if (ae_location_claim_decode(data, size, &c) == 0) {
                if (ae_location_claim_encode(&c, again, sizeof(again), &n) < 0 || n != size ||
                    memcmp(again, data, size) != 0)
                        abort();
        }
        if (ae_sensor_id_decode(data, size, &s) == 0) {
                if (ae_sensor_id_encode(&s, again, sizeof(again), &n) < 0 || n != size ||
                    memcmp(again, data, size) != 0)
                        abort();
        }
        return 0;
}
