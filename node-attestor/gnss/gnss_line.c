#include "node-attestor/gnss/gnss_line.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "common/cleanup.h" /* _cleanup_; json_decrefp comes with jansson */


#define CLASS_PREFIX "{\"class\":\""

static const struct {
        const char *name;
        enum ae_gnss_class class;
} classes[] = {
        { "TPV", AE_GNSS_CLASS_TPV },         { "SKY", AE_GNSS_CLASS_SKY },
        { "DEVICES", AE_GNSS_CLASS_DEVICES }, { "DEVICE", AE_GNSS_CLASS_DEVICE },
        { "ERROR", AE_GNSS_CLASS_ERROR },
};

/* Length of the class name after CLASS_PREFIX when it is [A-Z0-9]+ closed
 * by '"'; else 0. */
static size_t class_name_len(const char *line, size_t len)
{
        size_t at = sizeof(CLASS_PREFIX) - 1, n = 0;

        if (len < at || memcmp(line, CLASS_PREFIX, at) != 0)
                return 0;
        while (at + n < len && ((line[at + n] >= 'A' && line[at + n] <= 'Z') ||
                                (line[at + n] >= '0' && line[at + n] <= '9')))
                n++;
        if (n == 0 || at + n >= len || line[at + n] != '"')
                return 0;
        return n;
}

/* Printable ASCII, and brackets nested no deeper than the limit, counted
 * before jansson recurses into them. Syntax is jansson's business. */
static bool shallow_ascii(const char *line, size_t len)
{
        size_t depth = 0;
        bool in_string = false, escaped = false;

        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)line[i];

                if (c < 0x20 || c > 0x7e)
                        return false;
                if (in_string) {
                        if (escaped)
                                escaped = false;
                        else if (c == '\\')
                                escaped = true;
                        else if (c == '"')
                                in_string = false;
                } else if (c == '"') {
                        in_string = true;
                } else if (c == '{' || c == '[') {
                        if (++depth > AE_GNSS_JSON_DEPTH_MAX)
                                return false;
                } else if ((c == '}' || c == ']') && depth > 0) {
                        depth--;
                }
        }
        return true;
}

int ae_gnss_line_parse(const char *line, size_t len, enum ae_gnss_class *ret_class,
                       struct json_t **ret_json)
{
        _cleanup_(json_decrefp) json_t *obj = NULL;
        enum ae_gnss_class class = AE_GNSS_CLASS_OTHER;
        const char *name = line + sizeof(CLASS_PREFIX) - 1;
        json_error_t err;
        size_t n;

        ENSURE(len <= AE_GNSS_LINE_MAX, -EBADMSG);
        n = class_name_len(line, len);
        ENSURE(n > 0, -EBADMSG);
        ENSURE(shallow_ascii(line, len), -EBADMSG);
        obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
        ENSURE(obj != NULL && json_is_object(obj), -EBADMSG);

        for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
                if (strlen(classes[i].name) == n && memcmp(name, classes[i].name, n) == 0)
                        class = classes[i].class;
        *ret_class = class;
        if (ret_json)
                *ret_json = TAKE_PTR(obj);
        return 0;
}
