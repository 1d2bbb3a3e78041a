#include "control-plane/agent/reg_entry.h"

#include <string.h>

static const struct {
        const char *id, *text;
} errors[AE_REG_ENTRY_ERROR_COUNT] = {
        [AE_REG_ENTRY_OK] = { "ok", "ok" },
        [AE_REG_ENTRY_ID] = { "entry_id", "entry id empty, too long or not [A-Za-z0-9._-]" },
        [AE_REG_ENTRY_SPIFFE_ID] = { "spiffe_id", "SPIFFE ID invalid or without a path" },
        [AE_REG_ENTRY_NO_SELECTORS] = { "no_selectors", "entry has no selectors" },
        [AE_REG_ENTRY_SELECTOR] = { "selector", "selector is not type:value" },
        [AE_REG_ENTRY_DUPLICATE_SELECTOR] = { "duplicate_selector", "selector repeated" },
        [AE_REG_ENTRY_TTL] = { "ttl", "SVID TTL out of range" },
        [AE_REG_ENTRY_HINT] = { "hint", "hint not printable ASCII" },
};

const char *ae_reg_entry_error_str(enum ae_reg_entry_error err)
{
        return (unsigned)err < AE_REG_ENTRY_ERROR_COUNT ? errors[err].text : "unknown";
}

const char *ae_reg_entry_error_id(enum ae_reg_entry_error err)
{
        return (unsigned)err < AE_REG_ENTRY_ERROR_COUNT ? errors[err].id : "unknown";
}

static bool id_valid(const char *id, size_t cap)
{
        size_t n = strnlen(id, cap);

        if (n == 0 || n == cap)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = id[i];

                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-'))
                        return false;
        }
        return true;
}

static bool hint_valid(const char *h, size_t cap)
{
        size_t n = strnlen(h, cap);

        if (n == cap)
                return false;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)h[i] < 0x20 || (unsigned char)h[i] > 0x7e)
                        return false;
        return true;
}

enum ae_reg_entry_error ae_reg_entry_validate(const struct ae_reg_entry *e)
{
        struct ae_spiffe_id id;
        size_t len;

        if (!id_valid(e->id, sizeof(e->id)))
                return AE_REG_ENTRY_ID;
        len = strnlen(e->spiffe_id, sizeof(e->spiffe_id));
        if (len == sizeof(e->spiffe_id) || ae_spiffe_id_parse(e->spiffe_id, len, &id, NULL) < 0 ||
            id.path[0] == '\0')
                return AE_REG_ENTRY_SPIFFE_ID;
        if (e->n_selectors == 0)
                return AE_REG_ENTRY_NO_SELECTORS;
        if (e->n_selectors > AE_REG_ENTRY_SELECTORS_MAX)
                return AE_REG_ENTRY_SELECTOR;
        for (size_t i = 0; i < e->n_selectors; i++) {
                if (strnlen(e->selectors[i], sizeof(e->selectors[i])) == sizeof(e->selectors[i]) ||
                    !ae_selector_valid(e->selectors[i]))
                        return AE_REG_ENTRY_SELECTOR;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(e->selectors[i], e->selectors[j]) == 0)
                                return AE_REG_ENTRY_DUPLICATE_SELECTOR;
        }
        if (e->x509_svid_ttl < 0 || e->x509_svid_ttl > AE_REG_ENTRY_TTL_MAX ||
            e->jwt_svid_ttl < 0 || e->jwt_svid_ttl > AE_REG_ENTRY_TTL_MAX)
                return AE_REG_ENTRY_TTL;
        if (!hint_valid(e->hint, sizeof(e->hint)))
                return AE_REG_ENTRY_HINT;
        return AE_REG_ENTRY_OK;
}

bool ae_reg_entry_matches(const struct ae_reg_entry *e, const struct ae_selector_set *workload)
{
        if (e->n_selectors == 0)
                return false; /* an entry without selectors would match everyone */
        for (size_t i = 0; i < e->n_selectors; i++)
                if (!ae_selector_set_contains(workload, e->selectors[i]))
                        return false;
        return true;
}
