#include "policy/policy.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/file.h" /* json_decrefp comes with jansson */
#include "policy/geo_zone.h"
#include "policy/json_check.h"
#include "policy/policy_sections.h"


void ae_policy_free(struct ae_policy *policy)
{
        if (!policy)
                return;
        free(policy->ek.allowlist);
        free(policy->golden);
        for (size_t i = 0; i < policy->location.n_zones; i++)
                ae_geo_zone_free(policy->location.zones[i].zone);
        free(policy->location.zones);
        free(policy->location.sensors);
        free(policy);
}

static int load_document(struct json_check *c, json_t *doc, const char *base_dir,
                         struct ae_policy *p)
{
        static const char *const keys[] = { "version", "trust_domain", "ek", "pcrs", "location",
                                            NULL };
        const char *td;
        json_t *v;

        GUARD(json_check_object(c, doc));
        GUARD(json_check_keys(c, doc, keys));

        GUARD(json_check_member(c, doc, "version", JSON_INTEGER, true, &v));
        if (json_integer_value(v) != AE_POLICY_VERSION) {
                json_check_key(c, "version");
                return json_check_fail(c, "unsupported version %lld (this Aegis reads %d)",
                                       (long long)json_integer_value(v), AE_POLICY_VERSION);
        }

        GUARD(json_check_string(c, doc, "trust_domain", true, &td));
        if (!ae_spiffe_trust_domain_valid(td)) {
                json_check_key(c, "trust_domain");
                return json_check_fail(c, "not a SPIFFE trust domain name (lowercase letters, "
                                          "digits, '.', '-', '_'; at most 255)");
        }
        strcpy(p->trust_domain, td); /* length checked by the validator */

        GUARD(json_check_member(c, doc, "ek", JSON_OBJECT, true, &v));
        GUARD(policy_load_ek(c, v, base_dir, p));
        GUARD(json_check_member(c, doc, "pcrs", JSON_OBJECT, true, &v));
        GUARD(policy_load_pcrs(c, v, p));
        GUARD(json_check_member(c, doc, "location", JSON_OBJECT, false, &v));
        if (v)
                GUARD(policy_load_location(c, v, base_dir, p));
        return 0;
}

int ae_policy_load_json(const char *text, size_t len, const char *base_dir,
                        struct ae_policy **ret, struct ae_policy_error *ret_err)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p = NULL;
        _cleanup_(json_decrefp) json_t *doc = NULL;
        struct json_check c;
        json_error_t jerr;

        ENSURE(text && ret, -EINVAL);
        json_check_init(&c, ret_err);
        if (len > AE_POLICY_FILE_MAX) {
                json_check_fail(&c, "policy larger than %u bytes", AE_POLICY_FILE_MAX);
                return -EFBIG;
        }
        /* Duplicate keys would make the meaning depend on the parser. */
        doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc) {
                json_check_fail(&c, "malformed JSON at line %d column %d: %s", jerr.line,
                                jerr.column, jerr.text);
                return -EBADMSG;
        }
        p = calloc(1, sizeof(*p));
        ENSURE_ALLOC(p);
        GUARD(load_document(&c, doc, base_dir ? base_dir : ".", p));
        ENSURE(EVP_Digest(text, len, p->digest, NULL, EVP_sha256(), NULL) == 1, -EIO);
        *ret = TAKE_PTR(p);
        return 0;
}

int ae_policy_load_file(const char *path, struct ae_policy **ret, struct ae_policy_error *ret_err)
{
        _cleanup_free_ uint8_t *text = NULL;
        _cleanup_free_ char *copy = NULL;
        size_t len;
        int r;

        ENSURE(path && ret, -EINVAL);
        r = ae_file_read(path, AE_POLICY_FILE_MAX, &text, &len);
        if (r < 0) {
                struct json_check c;

                json_check_init(&c, ret_err);
                json_check_fail(&c, "cannot read %s: %s", path, strerror(-r));
                return r;
        }
        copy = strdup(path);
        ENSURE_ALLOC(copy);
        return ae_policy_load_json((const char *)text, len, dirname(copy), ret, ret_err);
}

const char *ae_ek_trust_mode_name(enum ae_ek_trust_mode mode)
{
        switch (mode) {
        case AE_EK_TRUST_CA: return "ca";
        case AE_EK_TRUST_ALLOWLIST: return "allowlist";
        case AE_EK_TRUST_CA_OR_ALLOWLIST: return "ca_or_allowlist";
        case AE_EK_TRUST_CA_AND_ALLOWLIST: return "ca_and_allowlist";
        }
        return "unknown";
}
