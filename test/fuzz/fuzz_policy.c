/* The policy loader on arbitrary documents: JSON, every section, the
 * geofence zones inside. Properties: a rejection always says where and
 * what; an accepted policy is self-consistent (its golden sets only name
 * quoted PCRs, its zones answer queries). Zone "file" references resolve
 * against a directory that does not exist, so nothing is read from disk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node-attestor/pcrs.h"
#include "policy/geo_zone.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ae_policy *p = NULL;
        struct ae_policy_error err;
        int r;

        memset(&err, 0, sizeof(err));
        r = ae_policy_load_json((const char *)data, size, "/nonexistent-fuzz-dir", &p, &err);
        if (r < 0) {
                if (p || !err.path[0] || !err.message[0])
                        abort();
                return 0;
        }
        for (size_t i = 0; i < p->n_golden; i++)
                for (size_t j = 0; j < p->golden[i].values.count; j++)
                        if (!ae_pcr_selection_has(&p->quote_pcrs, p->golden[i].values.v[j].bank,
                                                  p->golden[i].values.v[j].index))
                                abort();
        for (size_t i = 0; i < p->location.n_zones; i++)
                (void)ae_geo_zone_contains(p->location.zones[i].zone, 52.52, 13.405);
        ae_policy_free(p);
        return 0;
}
