#include "control-plane/server/node_claims.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/hex.h"

const char *ae_server_entry_code_hash(const struct ae_ds_entry *e)
{
        const size_t n = strlen(AE_SERVER_CODE_HASH_PREFIX);

        for (size_t i = 0; i < e->n_selectors; i++) {
                const struct ae_ds_selector *s = &e->selectors[i];

                if (strcmp(s->type, AE_SERVER_CODE_HASH_TYPE) == 0 &&
                    strncmp(s->value, AE_SERVER_CODE_HASH_PREFIX, n) == 0 &&
                    strlen(s->value + n) == 64)
                        return s->value + n;
        }
        return NULL;
}

int ae_server_node_claims(const struct ae_ds_node *node, const char *spiffe_id,
                          const char *code_hash, const uint8_t policy_digest[32],
                          struct ae_claims *ret)
{
        struct ae_claims c = { 0 };

        ENSURE(node && spiffe_id && code_hash && policy_digest && ret, -EINVAL);
        c.level = node->level == AE_DS_LEVEL_POG ? AE_CLAIMS_POG : AE_CLAIMS_POR;
        ENSURE(snprintf(c.workload.workload_id, sizeof(c.workload.workload_id), "%s",
                        spiffe_id) < (int)sizeof(c.workload.workload_id),
               -EINVAL);
        ENSURE(snprintf(c.workload.code_hash, sizeof(c.workload.code_hash), "%s", code_hash) ==
                       64,
               -EINVAL);

        c.tpm.present = true;
        GUARD(ae_hex_encode(node->ek_id, sizeof(node->ek_id), c.tpm.ek_hash,
                            sizeof(c.tpm.ek_hash)));
        GUARD(ae_hex_encode(node->ak_name, node->ak_name_len, c.tpm.ak_name,
                            sizeof(c.tpm.ak_name)));
        snprintf(c.tpm.pcr_policy, sizeof(c.tpm.pcr_policy), "%s", node->pcr_policy);
        GUARD(ae_hex_encode(node->pcr_digest, node->pcr_digest_len, c.tpm.pcr_digest,
                            sizeof(c.tpm.pcr_digest)));
        c.tpm.attested_at = node->attested_at;

        if (node->has_fix || c.level == AE_CLAIMS_POG) {
                c.geo.present = true;
                if (c.level == AE_CLAIMS_POG) {
                        ENSURE(node->n_zones <= AE_CLAIMS_ZONES_MAX, -EINVAL);
                        for (size_t i = 0; i < node->n_zones; i++)
                                snprintf(c.geo.zones[i], sizeof(c.geo.zones[i]), "%s",
                                         node->zones[i]);
                        c.geo.n_zones = node->n_zones;
                }
                GUARD(ae_hex_encode(policy_digest, 32, c.geo.policy_digest,
                                    sizeof(c.geo.policy_digest)));
                snprintf(c.geo.sensor_id, sizeof(c.geo.sensor_id), "%s", node->sensor_id);
                c.geo.fix_time = node->fix_time_ms / 1000;
        }
        GUARD(ae_claims_validate(&c, NULL));
        *ret = c;
        return 0;
}
