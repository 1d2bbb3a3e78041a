/* Bounded checks of the text the datastore stores: every string arrives in
 * a fixed array and is refused unless it ends inside it. */
#include "control-plane/server/ds_internal.h"

#include <string.h>

bool ae_ds_terminated(const char *s, size_t cap)
{
        return cap > 0 && strnlen(s, cap) < cap;
}

bool ae_ds_printable(const char *s, size_t cap, size_t min_len)
{
        size_t n;

        if (!ae_ds_terminated(s, cap))
                return false;
        n = strlen(s);
        if (n < min_len)
                return false;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
                        return false;
        return true;
}

bool ae_ds_spiffe_id_valid(const char *s, size_t cap, struct ae_spiffe_id *ret)
{
        struct ae_spiffe_id id;

        if (!ae_ds_terminated(s, cap) || ae_spiffe_id_parse(s, strlen(s), &id, NULL) < 0 ||
            id.path[0] == '\0')
                return false;
        if (ret)
                *ret = id;
        return true;
}

bool ae_ds_name_valid(const char *s, size_t cap)
{
        size_t n;

        if (!ae_ds_terminated(s, cap))
                return false;
        n = strlen(s);
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];

                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-'))
                        return false;
        }
        return true;
}

bool ae_ds_selector_type_valid(const char *type, size_t cap)
{
        if (!ae_ds_printable(type, cap, 1) || strlen(type) > AE_DS_SELECTOR_TYPE_MAX)
                return false;
        return strchr(type, ':') == NULL && strchr(type, ' ') == NULL;
}

bool ae_ds_selector_value_valid(const char *value, size_t cap)
{
        return ae_ds_printable(value, cap, 1) && strlen(value) <= AE_DS_SELECTOR_VALUE_MAX;
}

void ae_ds_copy_trunc(char *dst, size_t size, const char *s)
{
        size_t n = strnlen(s, size - 1);

        memcpy(dst, s, n);
        dst[n] = '\0';
}
