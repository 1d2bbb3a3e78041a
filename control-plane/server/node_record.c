#include "control-plane/server/node_record.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "node-attestor/location_claim.h"

int ae_server_node_record(const struct ae_node_result *res, struct ae_ds_node *ret)
{
        struct ae_ds_node *n = ret;

        ENSURE(res && ret, -EINVAL);
        ENSURE(res->n_selectors <= AE_DS_NODE_SELECTORS_MAX && res->n_zones <= AE_DS_ZONES_MAX,
               -EINVAL);
        ENSURE(res->pcr_digest_len <= sizeof(n->pcr_digest) &&
                       res->ak_name_len <= sizeof(n->ak_name),
               -EINVAL);
        memset(n, 0, sizeof(*n));
        snprintf(n->spiffe_id, sizeof(n->spiffe_id), "%s", res->spiffe_id);
        memcpy(n->ek_id, res->ek_id, sizeof(n->ek_id));
        n->replay = res->state;
        for (size_t i = 0; i < res->n_selectors; i++) {
                snprintf(n->selectors[i].type, sizeof(n->selectors[i].type), "%s",
                         AE_NODE_ATTESTOR_TYPE);
                snprintf(n->selectors[i].value, sizeof(n->selectors[i].value), "%s",
                         res->selectors[i]);
        }
        n->n_selectors = res->n_selectors;
        n->level = res->level == AE_LEVEL_POG ? AE_DS_LEVEL_POG : AE_DS_LEVEL_POR;
        snprintf(n->pcr_policy, sizeof(n->pcr_policy), "%s", res->pcr_policy);
        memcpy(n->pcr_digest, res->pcr_digest, res->pcr_digest_len);
        n->pcr_digest_len = res->pcr_digest_len;
        memcpy(n->ak_name, res->ak_name, res->ak_name_len);
        n->ak_name_len = res->ak_name_len;
        n->attested_at = (int64_t)res->attested_at;
        n->has_fix = res->has_fix;
        n->fix_time_ms = res->has_fix ? res->fix_time_ms : 0;
        if (res->has_fix)
                snprintf(n->sensor_id, sizeof(n->sensor_id), "%s",
                         ae_sensor_id_name(&res->sensor));
        for (size_t i = 0; i < res->n_zones; i++)
                snprintf(n->zones[i], sizeof(n->zones[i]), "%s", res->zones[i]);
        n->n_zones = res->n_zones;
        n->last_attested_at = n->attested_at;
        n->last_accepted = true;
        return 0;
}
