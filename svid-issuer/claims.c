/* The claims' rules and their writer (claims.h); the reader is in
 * claims_read.c, the X.509 extension in claims_ext.c. */
#include "svid-issuer/claims.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log_escape.h"
#include "common/spiffe_id.h"

/* Inclusive bounds, so a value the writer rounds up to a bound (89.99999999
 * -> "90.0000000") still reads back: what decodes always re-encodes. */
#define LAT_MAX 90.0
#define LON_MAX 180.0
#define ACCURACY_MAX 1e6

/* Validation helpers return a reason, AE_SVID_OK when the rule holds. */
#define CHECK(expr)                                                            \
        do {                                                                   \
                enum ae_svid_reason ae_check_r_ = (expr);                      \
                if (ae_check_r_ != AE_SVID_OK)                                 \
                        return ae_check_r_;                                    \
        } while (0)

const char *ae_claims_level_name(enum ae_claims_level level)
{
        switch (level) {
        case AE_CLAIMS_POR:
                return "por";
        case AE_CLAIMS_POG:
                return "pog";
        }
        return NULL;
}

/* Printable ASCII except '"' and '\\': such strings need no JSON escaping,
 * so the writer copies them verbatim. */
static bool printable(const char *s, size_t cap, size_t max)
{
        size_t n = strnlen(s, cap);

        if (n == cap || n == 0 || n > max)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
                        return false;
        return true;
}

/* Policy names (golden sets, zones) as policy.h spells them. */
static bool name_valid(const char *s, size_t cap)
{
        size_t n = strnlen(s, cap);

        if (n == cap || n == 0 || n > AE_CLAIMS_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];

                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_'))
                        return false;
        }
        return true;
}

/* Length of a lowercase hex string, or 0 when s is not one. */
static size_t hex_len(const char *s, size_t cap)
{
        size_t n = strnlen(s, cap);

        if (n == cap)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return 0;
        return n;
}

static enum ae_svid_reason hex_exact(const char *s, size_t cap, size_t len)
{
        return hex_len(s, cap) == len ? AE_SVID_OK : AE_SVID_CLAIMS_HEX;
}

static enum ae_svid_reason check_workload(const struct ae_claims *c)
{
        const char *id = c->workload.workload_id;
        size_t len = strnlen(id, sizeof(c->workload.workload_id));
        struct ae_spiffe_id parsed;

        if (len == sizeof(c->workload.workload_id) ||
            ae_spiffe_id_parse(id, len, &parsed, NULL) < 0 || parsed.path[0] == '\0')
                return AE_SVID_CLAIMS_WORKLOAD_ID;
        return hex_exact(c->workload.code_hash, sizeof(c->workload.code_hash), 64);
}

static enum ae_svid_reason check_tpm(const struct ae_claims *c)
{
        size_t ak = hex_len(c->tpm.ak_name, sizeof(c->tpm.ak_name));
        size_t pcr = hex_len(c->tpm.pcr_digest, sizeof(c->tpm.pcr_digest));

        if (!c->tpm.present)
                return AE_SVID_CLAIMS_NO_TPM;
        CHECK(hex_exact(c->tpm.ek_hash, sizeof(c->tpm.ek_hash), 64));
        if (ak < 4 || ak % 2 != 0)
                return AE_SVID_CLAIMS_HEX;
        if (!name_valid(c->tpm.pcr_policy, sizeof(c->tpm.pcr_policy)))
                return AE_SVID_CLAIMS_STRING;
        if (pcr != 40 && pcr != 64 && pcr != 96 && pcr != 128)
                return AE_SVID_CLAIMS_HEX;
        if (c->tpm.attested_at < 0)
                return AE_SVID_CLAIMS_NUMBER;
        return AE_SVID_OK;
}

static bool in_range(double v, double lo, double hi)
{
        return isfinite(v) && v >= lo && v <= hi;
}

static enum ae_svid_reason check_geo(const struct ae_claims *c)
{
        if (!c->geo.present)
                return AE_SVID_OK;
        if (c->geo.n_zones > AE_CLAIMS_ZONES_MAX)
                return AE_SVID_CLAIMS_ZONES;
        for (size_t i = 0; i < c->geo.n_zones; i++) {
                if (!name_valid(c->geo.zones[i], sizeof(c->geo.zones[i])))
                        return AE_SVID_CLAIMS_STRING;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(c->geo.zones[i], c->geo.zones[j]) == 0)
                                return AE_SVID_CLAIMS_ZONES;
        }
        CHECK(hex_exact(c->geo.policy_digest, sizeof(c->geo.policy_digest), 64));
        if (!printable(c->geo.sensor_id, sizeof(c->geo.sensor_id), AE_CLAIMS_SENSOR_ID_MAX))
                return AE_SVID_CLAIMS_STRING;
        if (c->geo.fix_time < 0)
                return AE_SVID_CLAIMS_NUMBER;
        if (c->geo.has_coordinates &&
            (!in_range(c->geo.latitude, -LAT_MAX, LAT_MAX) ||
             !in_range(c->geo.longitude, -LON_MAX, LON_MAX) ||
             !in_range(c->geo.accuracy, 0.0, ACCURACY_MAX)))
                return AE_SVID_CLAIMS_NUMBER;
        return AE_SVID_OK;
}

static enum ae_svid_reason check_claims(const struct ae_claims *c)
{
        bool zoned;

        if (!ae_claims_level_name(c->level))
                return AE_SVID_CLAIMS_LEVEL;
        CHECK(check_workload(c));
        CHECK(check_tpm(c));
        CHECK(check_geo(c));
        zoned = c->geo.present && c->geo.n_zones > 0;
        if ((c->level == AE_CLAIMS_POG) != zoned)
                return AE_SVID_CLAIMS_LEVEL_MISMATCH;
        return AE_SVID_OK;
}

int ae_claims_validate(const struct ae_claims *c, enum ae_svid_reason *reason)
{
        enum ae_svid_reason r;

        ENSURE(c, -EINVAL);
        r = check_claims(c);
        if (reason)
                *reason = r;
        return r == AE_SVID_OK ? 0 : -EINVAL;
}

/* ---- writer ---- */

static void put_str(struct ae_textbuf *t, const char *key, const char *value, bool first)
{
        ae_textbuf_puts(t, first ? "\"" : ",\"");
        ae_textbuf_puts(t, key);
        ae_textbuf_puts(t, "\":\"");
        ae_textbuf_puts(t, value);
        ae_textbuf_puts(t, "\"");
}

static void put_int(struct ae_textbuf *t, const char *key, int64_t v)
{
        char num[32];

        snprintf(num, sizeof(num), "%" PRId64, v);
        ae_textbuf_puts(t, ",\"");
        ae_textbuf_puts(t, key);
        ae_textbuf_puts(t, "\":");
        ae_textbuf_puts(t, num);
}

/* Fixed decimals; "-0.00" is written "0.00" so a zero has one spelling. */
static void put_fixed(struct ae_textbuf *t, const char *key, double v, int decimals, bool first)
{
        char num[64];
        int n = snprintf(num, sizeof(num), "%.*f", decimals, v);

        if (n > 0 && num[0] == '-' && strspn(num + 1, "0.") == (size_t)(n - 1))
                memmove(num, num + 1, (size_t)n);
        ae_textbuf_puts(t, first ? "\"" : ",\"");
        ae_textbuf_puts(t, key);
        ae_textbuf_puts(t, "\":");
        ae_textbuf_puts(t, num);
}

static void put_geo(struct ae_textbuf *t, const struct ae_claims *c)
{
        ae_textbuf_puts(t, ",\"grc.geolocation\":{\"tpm-attested-location\":true,\"zones\":[");
        for (size_t i = 0; i < c->geo.n_zones; i++) {
                ae_textbuf_puts(t, i ? ",\"" : "\"");
                ae_textbuf_puts(t, c->geo.zones[i]);
                ae_textbuf_puts(t, "\"");
        }
        ae_textbuf_puts(t, "]");
        put_str(t, "policy_digest", c->geo.policy_digest, false);
        put_str(t, "sensor_id", c->geo.sensor_id, false);
        put_int(t, "fix_time", c->geo.fix_time);
        if (c->geo.has_coordinates) {
                ae_textbuf_puts(t, ",\"gnss\":{\"retrieved_location\":{");
                put_fixed(t, "latitude", c->geo.latitude, 7, true);
                put_fixed(t, "longitude", c->geo.longitude, 7, false);
                put_fixed(t, "accuracy", c->geo.accuracy, 2, false);
                ae_textbuf_puts(t, "}}");
        }
        ae_textbuf_puts(t, "}");
}

int ae_claims_encode(const struct ae_claims *c, char *buf, size_t cap, size_t *ret_len)
{
        char text[AE_CLAIMS_MAX + 1];
        struct ae_textbuf t;

        ENSURE(c && buf && ret_len, -EINVAL);
        ENSURE(check_claims(c) == AE_SVID_OK, -EINVAL);
        ae_textbuf_init(&t, text, sizeof(text));
        ae_textbuf_puts(&t, "{\"v\":1,\"level\":\"");
        ae_textbuf_puts(&t, ae_claims_level_name(c->level));
        ae_textbuf_puts(&t, "\",\"grc.workload\":{");
        put_str(&t, "workload_id", c->workload.workload_id, true);
        put_str(&t, "code_hash", c->workload.code_hash, false);
        ae_textbuf_puts(&t, "},\"grc.tpm-attestation\":{");
        put_str(&t, "ek_hash", c->tpm.ek_hash, true);
        put_str(&t, "ak_name", c->tpm.ak_name, false);
        put_str(&t, "pcr_policy", c->tpm.pcr_policy, false);
        put_str(&t, "pcr_digest", c->tpm.pcr_digest, false);
        put_int(&t, "attested_at", c->tpm.attested_at);
        ae_textbuf_puts(&t, "}");
        if (c->geo.present)
                put_geo(&t, c);
        ae_textbuf_puts(&t, "}");
        /* text holds AE_CLAIMS_MAX characters plus the NUL: truncated means
         * the JSON is over the limit. */
        ENSURE(!t.truncated, -EMSGSIZE);
        ENSURE(t.len < cap, -ENOBUFS);
        memcpy(buf, t.buf, t.len + 1);
        *ret_len = t.len;
        return 0;
}
