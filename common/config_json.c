#include "common/config_json.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/file.h"

int ae_config_fail(struct ae_config *c, const char *fmt, ...)
{
        va_list ap;

        if (c->err && c->err_cap) {
                va_start(ap, fmt);
                vsnprintf(c->err, c->err_cap, fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

int ae_config_open(struct ae_config *c, const char *text, size_t len, const char *base_dir,
                   char *err, size_t err_cap)
{
        json_error_t je;

        ENSURE(c && text && base_dir, -EINVAL);
        *c = (struct ae_config){ .err = err, .err_cap = err_cap };
        if (err && err_cap)
                err[0] = '\0';
        if (snprintf(c->base_dir, sizeof(c->base_dir), "%s", base_dir) >=
            (int)sizeof(c->base_dir))
                return ae_config_fail(c, "configuration directory path too long");
        c->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        if (!c->root)
                return ae_config_fail(c, "line %d: %s", je.line, je.text);
        if (!json_is_object(c->root)) {
                json_decref(c->root);
                c->root = NULL;
                return ae_config_fail(c, "$: expected an object");
        }
        return 0;
}

int ae_config_open_file(struct ae_config *c, const char *path, char *err, size_t err_cap)
{
        char dir[4096];
        uint8_t *text = NULL;
        size_t len;
        int r;

        ENSURE(c && path, -EINVAL);
        if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
                return -ENAMETOOLONG;
        r = ae_file_read(path, AE_CONFIG_FILE_MAX, &text, &len);
        if (r < 0) {
                if (err && err_cap)
                        snprintf(err, err_cap, "%s: %s", path, strerror(-r));
                return r;
        }
        r = ae_config_open(c, (const char *)text, len, dirname(dir), err, err_cap);
        free(text);
        return r;
}

void ae_config_close(struct ae_config *c)
{
        if (!c)
                return;
        json_decref(c->root);
        c->root = NULL;
}

int ae_config_only(struct ae_config *c, const char *const *allowed)
{
        const char *key;
        json_t *v;

        json_object_foreach(c->root, key, v) {
                bool known = false;

                for (size_t i = 0; allowed[i] && !known; i++)
                        known = strcmp(key, allowed[i]) == 0;
                if (!known)
                        return ae_config_fail(c, "$.%s: unknown member", key);
        }
        return 0;
}

/* The member, NULL when absent; -EINVAL when required and absent. */
static int member(struct ae_config *c, const char *key, bool required, json_t **ret)
{
        *ret = json_object_get(c->root, key);
        if (!*ret && required)
                return ae_config_fail(c, "$.%s: required", key);
        return 0;
}

int ae_config_string(struct ae_config *c, const char *key, bool required, char *ret, size_t cap)
{
        json_t *v;

        GUARD(member(c, key, required, &v));
        if (!v)
                return 0;
        if (!json_is_string(v))
                return ae_config_fail(c, "$.%s: expected a string", key);
        if (json_string_length(v) == 0 || json_string_length(v) >= cap ||
            strlen(json_string_value(v)) != json_string_length(v))
                return ae_config_fail(c, "$.%s: expected 1..%zu bytes without NUL", key, cap - 1);
        memcpy(ret, json_string_value(v), json_string_length(v) + 1);
        return 0;
}

int ae_config_path(struct ae_config *c, const char *key, bool required, char *ret, size_t cap)
{
        char raw[4096];
        int n;

        raw[0] = '\0';
        GUARD(ae_config_string(c, key, required, raw, sizeof(raw)));
        if (!raw[0])
                return 0;
        n = raw[0] == '/' ? snprintf(ret, cap, "%s", raw)
                          : snprintf(ret, cap, "%s/%s", c->base_dir, raw);
        if (n < 0 || (size_t)n >= cap)
                return ae_config_fail(c, "$.%s: path too long", key);
        return 0;
}

int ae_config_int(struct ae_config *c, const char *key, bool required, int64_t min, int64_t max,
                  int64_t *ret)
{
        json_t *v;

        GUARD(member(c, key, required, &v));
        if (!v)
                return 0;
        if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
                return ae_config_fail(c, "$.%s: expected an integer in %lld..%lld", key, (long long)min,
                            (long long)max);
        *ret = json_integer_value(v);
        return 0;
}

int ae_config_bool(struct ae_config *c, const char *key, bool required, bool *ret)
{
        json_t *v;

        GUARD(member(c, key, required, &v));
        if (!v)
                return 0;
        if (!json_is_boolean(v))
                return ae_config_fail(c, "$.%s: expected true or false", key);
        *ret = json_is_true(v);
        return 0;
}

int ae_config_strings(struct ae_config *c, const char *key, bool required, char *ret, size_t max,
                      size_t cap, size_t *ret_n)
{
        json_t *v, *s;
        size_t i;

        GUARD(member(c, key, required, &v));
        if (!v)
                return 0;
        if (!json_is_array(v) || json_array_size(v) > max)
                return ae_config_fail(c, "$.%s: expected an array of at most %zu strings", key, max);
        json_array_foreach(v, i, s) {
                if (!json_is_string(s) || json_string_length(s) == 0 ||
                    json_string_length(s) >= cap ||
                    strlen(json_string_value(s)) != json_string_length(s))
                        return ae_config_fail(c, "$.%s[%zu]: expected a string of 1..%zu bytes", key, i,
                                    cap - 1);
        }
        json_array_foreach(v, i, s)
                memcpy(ret + i * cap, json_string_value(s), json_string_length(s) + 1);
        *ret_n = json_array_size(v);
        return 0;
}
