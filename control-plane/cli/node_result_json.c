#include "control-plane/cli/node_result_json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/hex.h"
#include "policy/policy.h"

static int set_hex(json_t *j, const char *key, const uint8_t *b, size_t n)
{
        char hex[AE_HEX_SIZE(66)];

        GUARD(ae_hex_encode(b, n, hex, sizeof(hex)));
        return json_object_set_new(j, key, json_string(hex)) == 0 ? 0 : -ENOMEM;
}

json_t *ae_cli_node_result_json(const struct ae_node_result *res, const struct ae_policy *policy)
{
        json_t *sel = json_array(), *zones = json_array(), *j;

        for (size_t i = 0; i < res->n_selectors; i++)
                json_array_append_new(sel, json_string(res->selectors[i]));
        for (size_t i = 0; i < res->n_zones; i++)
                json_array_append_new(zones, json_string(res->zones[i]));
        j = json_pack("{s:b,s:s,s:s,s:o,s:s,s:s,s:o,s:{s:I,s:i,s:i},s:I}", "accepted", 1,
                      "spiffe_id", res->spiffe_id, "attestor", AE_NODE_ATTESTOR_TYPE,
                      "selectors", sel, "pcr_policy", res->pcr_policy, "level",
                      ae_attest_level_name(res->level), "zones", zones, "tpm_clock", "clock",
                      (json_int_t)res->state.clock, "reset_count", (int)res->state.reset_count,
                      "restart_count", (int)res->state.restart_count, "attested_at",
                      (json_int_t)res->attested_at);
        if (!j)
                return NULL;
        if (set_hex(j, "ek_hash", res->ek_id, sizeof(res->ek_id)) < 0 ||
            set_hex(j, "ak_name", res->ak_name, res->ak_name_len) < 0 ||
            set_hex(j, "pcr_digest", res->pcr_digest, res->pcr_digest_len) < 0 ||
            set_hex(j, "policy_digest", policy->digest, sizeof(policy->digest)) < 0)
                goto fail;
        if (res->level == AE_LEVEL_POR && res->por_reason != AE_ATTEST_OK &&
            json_object_set_new(j, "por_reason", json_string(ae_attest_reason_id(res->por_reason))))
                goto fail;
        if (res->has_fix &&
            json_object_set_new(j, "fix",
                                json_pack("{s:I,s:s}", "time", (json_int_t)(res->fix_time_ms / 1000),
                                          "sensor_id", ae_sensor_id_name(&res->sensor))))
                goto fail;
        if (res->has_coordinates &&
            json_object_set_new(j, "location",
                                json_pack("{s:f,s:f}", "latitude", res->latitude, "longitude",
                                          res->longitude)))
                goto fail;
        return j;
fail:
        json_decref(j);
        return NULL;
}

/* Copy string member key of j into buf (cap bytes with NUL). */
static int copy_str(const json_t *j, const char *key, char *buf, size_t cap, const char **why)
{
        const char *s = json_string_value(json_object_get(j, key));

        if (!s || strlen(s) >= cap) {
                *why = key;
                return -EBADMSG;
        }
        memcpy(buf, s, strlen(s) + 1);
        return 0;
}

static int read_int(const json_t *j, const char *key, int64_t *ret, const char **why)
{
        const json_t *v = json_object_get(j, key);

        if (!json_is_integer(v) || json_integer_value(v) < 0) {
                *why = key;
                return -EBADMSG;
        }
        *ret = json_integer_value(v);
        return 0;
}

static int read_geo(const json_t *j, struct ae_claims *c, const char **why)
{
        const json_t *zones = json_object_get(j, "zones"), *fix = json_object_get(j, "fix");
        size_t i;
        const json_t *z;

        if (!json_is_array(zones) || json_array_size(zones) > AE_CLAIMS_ZONES_MAX) {
                *why = "zones";
                return -EBADMSG;
        }
        json_array_foreach(zones, i, z) {
                const char *s = json_string_value(z);

                if (!s || strlen(s) >= sizeof(c->geo.zones[0])) {
                        *why = "zones";
                        return -EBADMSG;
                }
                memcpy(c->geo.zones[i], s, strlen(s) + 1);
        }
        c->geo.n_zones = json_array_size(zones);
        /* A PoR node without a usable fix claims no location at all. */
        if (!fix && c->level == AE_CLAIMS_POR)
                return 0;
        if (!json_is_object(fix)) {
                *why = "fix";
                return -EBADMSG;
        }
        c->geo.present = true;
        GUARD(copy_str(j, "policy_digest", c->geo.policy_digest, sizeof(c->geo.policy_digest),
                       why));
        GUARD(copy_str(fix, "sensor_id", c->geo.sensor_id, sizeof(c->geo.sensor_id), why));
        return read_int(fix, "time", &c->geo.fix_time, why);
}

int ae_cli_node_result_claims(const json_t *j, struct ae_claims *c, const char **ret_why)
{
        const char *level = json_string_value(json_object_get(j, "level"));

        ENSURE(j && c && ret_why, -EINVAL);
        if (!json_is_true(json_object_get(j, "accepted"))) {
                *ret_why = "accepted";
                return -EBADMSG;
        }
        if (!level || (strcmp(level, "por") != 0 && strcmp(level, "pog") != 0)) {
                *ret_why = "level";
                return -EBADMSG;
        }
        c->level = strcmp(level, "pog") == 0 ? AE_CLAIMS_POG : AE_CLAIMS_POR;
        memset(&c->tpm, 0, sizeof(c->tpm));
        memset(&c->geo, 0, sizeof(c->geo));
        c->tpm.present = true;
        GUARD(copy_str(j, "ek_hash", c->tpm.ek_hash, sizeof(c->tpm.ek_hash), ret_why));
        GUARD(copy_str(j, "ak_name", c->tpm.ak_name, sizeof(c->tpm.ak_name), ret_why));
        GUARD(copy_str(j, "pcr_policy", c->tpm.pcr_policy, sizeof(c->tpm.pcr_policy), ret_why));
        GUARD(copy_str(j, "pcr_digest", c->tpm.pcr_digest, sizeof(c->tpm.pcr_digest), ret_why));
        GUARD(read_int(j, "attested_at", &c->tpm.attested_at, ret_why));
        return read_geo(j, c, ret_why);
}
