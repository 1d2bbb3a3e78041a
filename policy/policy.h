/* The Aegis policy: one JSON document, validated on load, turned into plain
 * data the verifiers read. A rejected document yields an error naming the
 * JSON path of the problem ("$.pcrs.golden.base.sha256.7: expected 64 hex
 * digits"), and no policy.
 *
 *   {
 *     "version": 1,
 *     "trust_domain": "example.org",
 *     "ek": {
 *       "trust": "ca" | "allowlist" | "ca_or_allowlist" | "ca_and_allowlist",
 *       "ca_bundle": "ek-ca.pem",            relative to the policy file
 *       "allowlist": ["<hex sha256 of EK SubjectPublicKeyInfo DER>", ...]
 *     },
 *     "pcrs": {
 *       "quote": { "sha256": [0, 1, 2, 3, 4, 5, 6, 7] },
 *       "golden": { "<name>": { "sha256": { "0": "<hex>", "7": "<hex>" } } }
 *     },
 *     "location": {                           optional: Proof of Geofencing
 *       "required": false,                    true: no PoG, no identity
 *       "max_age_s": 60, "max_future_s": 5,   fix time vs the server's clock
 *       "min_mode": 3, "max_accuracy_m": 50,  fix quality (accuracy: gpsd's eph)
 *       "max_speed_mps": 340,                 faster than this since the last
 *                                             accepted fix is a teleport
 *       "share_coordinates": false,           raw coordinates in results?
 *       "sensors": [{"serial": "F9P-0042", "driver": "u-blox"}],
 *                                             allowlist; absent: any sensor
 *       "zones": { "<name>": <GeoJSON Polygon/MultiPolygon/Feature>
 *                          | {"circle": {"center": [lon, lat], "radius_m": R}}
 *                          | {"file": "DEU.geojson"} }   relative to the policy
 *     }
 *   }
 *
 * Unknown keys are errors (a typo must not silently weaken a policy). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "common/spiffe_id.h"
#include "node-attestor/pcrs.h"

#define AE_POLICY_FILE_MAX (16u * 1024 * 1024)
#define AE_POLICY_VERSION 1
#define AE_POLICY_NAME_MAX 64      /* golden set names: [A-Za-z0-9._-] */
#define AE_POLICY_ALLOWLIST_MAX 100000
#define AE_POLICY_GOLDEN_MAX 1024
#define AE_POLICY_PATH_MAX 4096

enum ae_ek_trust_mode {
        AE_EK_TRUST_CA,               /* chain to the manufacturer CA bundle */
        AE_EK_TRUST_ALLOWLIST,        /* EK SPKI sha256 on the allowlist */
        AE_EK_TRUST_CA_OR_ALLOWLIST,  /* either is enough */
        AE_EK_TRUST_CA_AND_ALLOWLIST, /* both are required */
};

struct ae_policy_pcr_set {
        char name[AE_POLICY_NAME_MAX + 1];
        struct ae_pcr_values values; /* every PCR named must match exactly */
};

#define AE_POLICY_ZONES_MAX 256
#define AE_POLICY_SENSORS_MAX 10000
#define AE_POLICY_SENSOR_FIELD_MAX 128
/* A zone file may hold a country border (DEU: ~85,000 vertices, ~3 MB). */
#define AE_POLICY_ZONE_FILE_MAX (64u * 1024 * 1024)

struct ae_geo_zone;

struct ae_policy_sensor {
        char serial[AE_POLICY_SENSOR_FIELD_MAX];
        char driver[AE_POLICY_SENSOR_FIELD_MAX]; /* "": any driver */
};

struct ae_policy_zone {
        char name[AE_POLICY_NAME_MAX + 1];
        struct ae_geo_zone *zone;
};

struct ae_policy_location {
        bool present; /* the policy has a location section */
        bool required;
        unsigned max_age_s, max_future_s;
        int min_mode;
        double max_accuracy_m; /* 0: no bound */
        double max_speed_mps;
        bool share_coordinates;
        size_t n_sensors; /* 0: any sensor */
        struct ae_policy_sensor *sensors;
        size_t n_zones;
        struct ae_policy_zone *zones;
};

struct ae_policy {
        char trust_domain[AE_TRUST_DOMAIN_MAX + 1];
        struct {
                enum ae_ek_trust_mode mode;
                char ca_bundle[AE_POLICY_PATH_MAX]; /* absolute or "" */
                size_t n_allowlist;
                uint8_t (*allowlist)[32]; /* sorted, for bsearch */
        } ek;
        TPML_PCR_SELECTION quote_pcrs;
        size_t n_golden;
        struct ae_policy_pcr_set *golden;
        struct ae_policy_location location;
        /* sha256 of the policy's JSON text: names the exact rules a result
         * was judged by (the SVID claims' policy_digest). */
        uint8_t digest[32];
};

struct ae_policy_error {
        char path[256];    /* JSON path, "$" for the document */
        char message[256]; /* what is wrong there */
};

/* Load and validate. base_dir resolves relative file names (NULL: the
 * current directory). On rejection returns -EINVAL (or -EBADMSG for
 * malformed JSON, -EFBIG for a document over AE_POLICY_FILE_MAX) and fills
 * *ret_err when given. */
AE_MUST_USE int ae_policy_load_json(const char *text, size_t len, const char *base_dir,
                                    struct ae_policy **ret, struct ae_policy_error *ret_err);
/* As above, from a file; relative names resolve against its directory. */
AE_MUST_USE int ae_policy_load_file(const char *path, struct ae_policy **ret,
                                    struct ae_policy_error *ret_err);
void ae_policy_free(struct ae_policy *policy);
AE_DEFINE_CLEANUP(struct ae_policy *, ae_policy_free)

const char *ae_ek_trust_mode_name(enum ae_ek_trust_mode mode);

/* Whether a location sensor (its serial and gpsd driver) is allowed: the
 * policy lists none (any sensor) or one with this serial and, when it names
 * one, this driver. */
bool ae_policy_sensor_allowed(const struct ae_policy *policy, const char *serial,
                              const char *driver);

/* Whether the EK identity (sha256 of SPKI DER) is on the allowlist. */
bool ae_policy_ek_allowed(const struct ae_policy *policy, const uint8_t ek_id[32]);
