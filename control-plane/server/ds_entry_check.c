/* The rules a registration entry must follow before it is stored, each with
 * its own reason. */
#include "control-plane/server/datastore.h"

#include <string.h>

#include "control-plane/server/ds_internal.h"

static const struct {
        const char *id, *text;
} reasons[AE_DS_ENTRY_REASON_COUNT] = {
        [AE_DS_ENTRY_OK] = { "ok", "ok" },
        [AE_DS_ENTRY_SPIFFE_ID] = { "spiffe_id", "SPIFFE ID invalid or without a path" },
        [AE_DS_ENTRY_PARENT_ID] = { "parent_id", "parent ID invalid or without a path" },
        [AE_DS_ENTRY_TRUST_DOMAIN] = { "trust_domain",
                                       "parent ID in another trust domain than the SPIFFE ID" },
        [AE_DS_ENTRY_NO_SELECTORS] = { "no_selectors", "entry has no selectors" },
        [AE_DS_ENTRY_TOO_MANY_SELECTORS] = { "too_many_selectors", "entry has too many selectors" },
        [AE_DS_ENTRY_SELECTOR_TYPE] = { "selector_type",
                                        "selector type empty, too long or not printable" },
        [AE_DS_ENTRY_SELECTOR_VALUE] = { "selector_value",
                                         "selector value empty, too long or not printable" },
        [AE_DS_ENTRY_DUPLICATE_SELECTOR] = { "duplicate_selector", "selector repeated" },
        [AE_DS_ENTRY_TTL] = { "ttl", "SVID TTL out of range" },
        [AE_DS_ENTRY_TOO_MANY_DNS_NAMES] = { "too_many_dns_names", "entry has too many DNS names" },
        [AE_DS_ENTRY_DNS_NAME] = { "dns_name", "DNS name invalid" },
        [AE_DS_ENTRY_HINT] = { "hint", "hint too long or not printable" },
        [AE_DS_ENTRY_EXISTS] = { "exists",
                                 "an entry with this SPIFFE ID, parent and selectors exists" },
};

const char *ae_ds_entry_reason_str(enum ae_ds_entry_reason r)
{
        return (unsigned)r < AE_DS_ENTRY_REASON_COUNT ? reasons[r].text : "unknown";
}

const char *ae_ds_entry_reason_id(enum ae_ds_entry_reason r)
{
        return (unsigned)r < AE_DS_ENTRY_REASON_COUNT ? reasons[r].id : "unknown";
}

static bool label_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-';
}

/* Dot-separated labels of 1..63 [A-Za-z0-9-] not starting or ending with
 * '-', at most AE_DS_DNS_NAME_MAX in all; the first label may be "*" when
 * others follow. */
static bool dns_name_valid(const char *s, size_t cap)
{
        size_t n, start = 0;

        if (!ae_ds_terminated(s, cap))
                return false;
        n = strlen(s);
        if (n == 0 || n > AE_DS_DNS_NAME_MAX)
                return false;
        if (s[0] == '*') {
                if (s[1] != '.' || n < 3)
                        return false;
                start = 2;
        }
        while (start <= n) {
                size_t end = start;

                while (end < n && s[end] != '.')
                        end++;
                if (end == start || end - start > 63 || s[start] == '-' || s[end - 1] == '-')
                        return false;
                for (size_t i = start; i < end; i++)
                        if (!label_char(s[i]))
                                return false;
                start = end + 1;
        }
        return true;
}

static bool ttl_valid(int64_t t)
{
        return t >= 0 && t <= AE_DS_TTL_MAX;
}

enum ae_ds_entry_reason ae_ds_entry_validate(const struct ae_ds_entry *e)
{
        struct ae_spiffe_id id, parent;

        if (!ae_ds_spiffe_id_valid(e->spiffe_id, sizeof(e->spiffe_id), &id))
                return AE_DS_ENTRY_SPIFFE_ID;
        if (!ae_ds_spiffe_id_valid(e->parent_id, sizeof(e->parent_id), &parent))
                return AE_DS_ENTRY_PARENT_ID;
        if (strcmp(id.trust_domain, parent.trust_domain) != 0)
                return AE_DS_ENTRY_TRUST_DOMAIN;
        if (e->n_selectors == 0)
                return AE_DS_ENTRY_NO_SELECTORS;
        if (e->n_selectors > AE_DS_ENTRY_SELECTORS_MAX)
                return AE_DS_ENTRY_TOO_MANY_SELECTORS;
        for (size_t i = 0; i < e->n_selectors; i++) {
                const struct ae_ds_selector *s = &e->selectors[i];

                if (!ae_ds_selector_type_valid(s->type, sizeof(s->type)))
                        return AE_DS_ENTRY_SELECTOR_TYPE;
                if (!ae_ds_selector_value_valid(s->value, sizeof(s->value)))
                        return AE_DS_ENTRY_SELECTOR_VALUE;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(s->type, e->selectors[j].type) == 0 &&
                            strcmp(s->value, e->selectors[j].value) == 0)
                                return AE_DS_ENTRY_DUPLICATE_SELECTOR;
        }
        if (!ttl_valid(e->x509_svid_ttl) || !ttl_valid(e->jwt_svid_ttl))
                return AE_DS_ENTRY_TTL;
        if (e->n_dns_names > AE_DS_DNS_NAMES_MAX)
                return AE_DS_ENTRY_TOO_MANY_DNS_NAMES;
        for (size_t i = 0; i < e->n_dns_names; i++)
                if (!dns_name_valid(e->dns_names[i], sizeof(e->dns_names[i])))
                        return AE_DS_ENTRY_DNS_NAME;
        if (!ae_ds_printable(e->hint, sizeof(e->hint), 0))
                return AE_DS_ENTRY_HINT;
        return AE_DS_ENTRY_OK;
}
