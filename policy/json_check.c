#include "policy/json_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void json_check_init(struct json_check *c, struct ae_policy_error *err)
{
        c->err = err;
        snprintf(c->path, sizeof(c->path), "$");
        c->len = 1;
}

/* Keys that are plain identifiers are written .key, others ["key"], so a
 * path can always be read back unambiguously. */
void json_check_key(struct json_check *c, const char *key)
{
        bool plain = key[0] != '\0';
        int n;

        for (const char *k = key; *k; k++)
                if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                      (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
                        plain = false;
        n = snprintf(c->path + c->len, sizeof(c->path) - c->len, plain ? ".%s" : "[\"%.60s\"]",
                     key);
        if (n > 0)
                c->len += (size_t)n < sizeof(c->path) - c->len ? (size_t)n
                                                               : sizeof(c->path) - c->len - 1;
}

void json_check_index(struct json_check *c, size_t index)
{
        int n = snprintf(c->path + c->len, sizeof(c->path) - c->len, "[%zu]", index);

        if (n > 0)
                c->len += (size_t)n < sizeof(c->path) - c->len ? (size_t)n
                                                               : sizeof(c->path) - c->len - 1;
}

void json_check_up(struct json_check *c, size_t saved_len)
{
        c->len = saved_len;
        c->path[saved_len] = '\0';
}

int json_check_fail(struct json_check *c, const char *fmt, ...)
{
        va_list ap;

        if (c->err) {
                snprintf(c->err->path, sizeof(c->err->path), "%s", c->path);
                va_start(ap, fmt);
                vsnprintf(c->err->message, sizeof(c->err->message), fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

static const char *type_name(json_type t)
{
        switch (t) {
        case JSON_OBJECT: return "an object";
        case JSON_ARRAY: return "an array";
        case JSON_STRING: return "a string";
        case JSON_INTEGER: return "an integer";
        case JSON_REAL: return "a number";
        case JSON_TRUE:
        case JSON_FALSE: return "a boolean";
        default: return "null";
        }
}

int json_check_object(struct json_check *c, json_t *v)
{
        if (!json_is_object(v))
                return json_check_fail(c, "expected an object, found %s",
                                       type_name(json_typeof(v)));
        return 0;
}

int json_check_keys(struct json_check *c, json_t *obj, const char *const *allowed)
{
        const char *key;
        json_t *v;

        json_object_foreach(obj, key, v) {
                bool known = false;

                for (const char *const *a = allowed; *a; a++)
                        if (strcmp(key, *a) == 0)
                                known = true;
                if (!known) {
                        size_t saved = c->len;

                        json_check_key(c, key);
                        GUARD(json_check_fail(c, "unknown key"));
                        json_check_up(c, saved);
                }
        }
        return 0;
}

int json_check_member(struct json_check *c, json_t *obj, const char *key, json_type type,
                      bool required, json_t **ret)
{
        json_t *v = json_object_get(obj, key);
        size_t saved = c->len;
        int r = 0;

        json_check_key(c, key);
        if (!v) {
                if (required)
                        r = json_check_fail(c, "required");
        } else if (json_typeof(v) != type &&
                   !(type == JSON_TRUE && json_typeof(v) == JSON_FALSE)) {
                r = json_check_fail(c, "expected %s, found %s", type_name(type),
                                    type_name(json_typeof(v)));
        }
        if (r < 0)
                return r; /* keep the member's path for the error */
        json_check_up(c, saved);
        *ret = v;
        return 0;
}

int json_check_string(struct json_check *c, json_t *obj, const char *key, bool required,
                      const char **ret)
{
        json_t *v;

        GUARD(json_check_member(c, obj, key, JSON_STRING, required, &v));
        *ret = v ? json_string_value(v) : NULL;
        return 0;
}
