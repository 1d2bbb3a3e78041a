/* The "ek" section: how an EK earns trust. */
#include "policy/policy_sections.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"

static int parse_mode(const char *s, enum ae_ek_trust_mode *ret)
{
        static const enum ae_ek_trust_mode modes[] = {
                AE_EK_TRUST_CA, AE_EK_TRUST_ALLOWLIST, AE_EK_TRUST_CA_OR_ALLOWLIST,
                AE_EK_TRUST_CA_AND_ALLOWLIST,
        };

        for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
                if (strcmp(s, ae_ek_trust_mode_name(modes[i])) == 0) {
                        *ret = modes[i];
                        return 0;
                }
        return -EINVAL;
}

static int cmp_id(const void *a, const void *b)
{
        return memcmp(a, b, 32);
}

static int load_allowlist(struct json_check *c, json_t *list, struct ae_policy *p)
{
        size_t n = json_array_size(list), i;
        json_t *v;

        if (n > AE_POLICY_ALLOWLIST_MAX)
                return json_check_fail(c, "more than %d entries", AE_POLICY_ALLOWLIST_MAX);
        p->ek.allowlist = calloc(n ? n : 1, 32);
        ENSURE_ALLOC(p->ek.allowlist);
        json_array_foreach(list, i, v) {
                size_t saved = c->len, len;
                const char *s = json_string_value(v);

                json_check_index(c, i);
                if (!s || strlen(s) != 64 ||
                    ae_hex_decode(s, 64, p->ek.allowlist[i], 32, &len) < 0)
                        return json_check_fail(c, "expected 64 hex digits (sha256 of the EK "
                                                  "SubjectPublicKeyInfo DER)");
                json_check_up(c, saved);
        }
        qsort(p->ek.allowlist, n, 32, cmp_id);
        for (i = 1; i < n; i++)
                if (memcmp(p->ek.allowlist[i - 1], p->ek.allowlist[i], 32) == 0)
                        return json_check_fail(c, "duplicate entry");
        p->ek.n_allowlist = n;
        return 0;
}

int policy_load_ek(struct json_check *c, json_t *ek, const char *base_dir, struct ae_policy *p)
{
        static const char *const keys[] = { "trust", "ca_bundle", "allowlist", NULL };
        size_t saved = c->len;
        const char *mode, *bundle;
        bool need_ca, need_list;
        json_t *list;

        json_check_key(c, "ek");
        GUARD(json_check_keys(c, ek, keys));
        GUARD(json_check_string(c, ek, "trust", true, &mode));
        if (parse_mode(mode, &p->ek.mode) < 0) {
                json_check_key(c, "trust");
                return json_check_fail(c, "expected \"ca\", \"allowlist\", \"ca_or_allowlist\" "
                                          "or \"ca_and_allowlist\"");
        }
        need_ca = p->ek.mode != AE_EK_TRUST_ALLOWLIST;
        need_list = p->ek.mode != AE_EK_TRUST_CA;

        GUARD(json_check_string(c, ek, "ca_bundle", need_ca, &bundle));
        if (bundle) {
                int n;

                if (!*bundle) {
                        json_check_key(c, "ca_bundle");
                        return json_check_fail(c, "empty file name");
                }
                n = snprintf(p->ek.ca_bundle, sizeof(p->ek.ca_bundle), "%s%s%s",
                             bundle[0] == '/' ? "" : base_dir, bundle[0] == '/' ? "" : "/",
                             bundle);
                if (n < 0 || (size_t)n >= sizeof(p->ek.ca_bundle)) {
                        json_check_key(c, "ca_bundle");
                        return json_check_fail(c, "file name too long");
                }
        }

        GUARD(json_check_member(c, ek, "allowlist", JSON_ARRAY, need_list, &list));
        if (list) {
                size_t s2 = c->len;

                json_check_key(c, "allowlist");
                GUARD(load_allowlist(c, list, p));
                if (need_list && p->ek.n_allowlist == 0)
                        return json_check_fail(c, "empty, but trust \"%s\" needs entries",
                                               mode);
                json_check_up(c, s2);
        }
        json_check_up(c, saved);
        return 0;
}

bool ae_policy_ek_allowed(const struct ae_policy *policy, const uint8_t ek_id[32])
{
        if (!policy->ek.n_allowlist)
                return false;
        return bsearch(ek_id, policy->ek.allowlist, policy->ek.n_allowlist, 32, cmp_id) != NULL;
}
