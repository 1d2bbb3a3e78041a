#include "common/spiffe_id.h"

#include <string.h>

#define PREFIX_LEN (sizeof(AE_SPIFFE_SCHEME_PREFIX) - 1)

static const struct {
        const char *id, *text;
} errors[AE_SPIFFE_ID_ERROR_COUNT] = {
        [AE_SPIFFE_ID_OK] = { "ok", "ok" },
        [AE_SPIFFE_ID_EMPTY] = { "empty", "SPIFFE ID is empty" },
        [AE_SPIFFE_ID_TOO_LONG] = { "too_long", "SPIFFE ID longer than 2048 bytes" },
        [AE_SPIFFE_ID_WRONG_SCHEME] = { "wrong_scheme", "scheme is not \"spiffe://\" (lowercase)" },
        [AE_SPIFFE_ID_TRUST_DOMAIN_MISSING] = { "trust_domain_missing", "trust domain is missing" },
        [AE_SPIFFE_ID_TRUST_DOMAIN_TOO_LONG] = { "trust_domain_too_long", "trust domain longer than 255 bytes" },
        [AE_SPIFFE_ID_TRUST_DOMAIN_UPPERCASE] = { "trust_domain_uppercase", "trust domain is not lowercase" },
        [AE_SPIFFE_ID_TRUST_DOMAIN_PORT] = { "trust_domain_port", "trust domain has a port" },
        [AE_SPIFFE_ID_TRUST_DOMAIN_USERINFO] = { "trust_domain_userinfo", "trust domain has userinfo" },
        [AE_SPIFFE_ID_TRUST_DOMAIN_CHAR] = { "trust_domain_char", "trust domain characters are limited to a-z 0-9 . - _" },
        [AE_SPIFFE_ID_PERCENT_ENCODED] = { "percent_encoded", "percent-encoding is not allowed" },
        [AE_SPIFFE_ID_PATH_NO_LEADING_SLASH] = { "path_no_leading_slash", "path does not start with '/'" },
        [AE_SPIFFE_ID_PATH_CHAR] = { "path_char", "path characters are limited to A-Z a-z 0-9 . - _" },
        [AE_SPIFFE_ID_PATH_EMPTY_SEGMENT] = { "path_empty_segment", "path has an empty segment" },
        [AE_SPIFFE_ID_PATH_DOT_SEGMENT] = { "path_dot_segment", "path has a '.' or '..' segment" },
        [AE_SPIFFE_ID_PATH_TRAILING_SLASH] = { "path_trailing_slash", "path ends in '/'" },
        [AE_SPIFFE_ID_QUERY] = { "query", "SPIFFE ID has a query" },
        [AE_SPIFFE_ID_FRAGMENT] = { "fragment", "SPIFFE ID has a fragment" },
};

const char *ae_spiffe_id_error_str(enum ae_spiffe_id_error err)
{
        if ((unsigned)err >= AE_SPIFFE_ID_ERROR_COUNT || !errors[err].text)
                return "unknown SPIFFE ID error";
        return errors[err].text;
}

const char *ae_spiffe_id_error_id(enum ae_spiffe_id_error err)
{
        if ((unsigned)err >= AE_SPIFFE_ID_ERROR_COUNT || !errors[err].id)
                return "unknown";
        return errors[err].id;
}

/* Explicit ranges, not <ctype.h>: the locale must not widen the alphabet. */
static bool td_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

static bool path_char(char c)
{
        return td_char(c) || (c >= 'A' && c <= 'Z');
}

/* Bytes that end the URI's hier-part or are banned everywhere; checked
 * before the character class so the report names the URI rule broken. */
static enum ae_spiffe_id_error uri_delimiter(char c)
{
        switch (c) {
        case '%':
                return AE_SPIFFE_ID_PERCENT_ENCODED;
        case '?':
                return AE_SPIFFE_ID_QUERY;
        case '#':
                return AE_SPIFFE_ID_FRAGMENT;
        default:
                return AE_SPIFFE_ID_OK;
        }
}

/* The authority s[0..len) up to the first '/' (its index in *ret_end). */
static enum ae_spiffe_id_error scan_trust_domain(const char *s, size_t len, size_t *ret_end)
{
        size_t i;

        for (i = 0; i < len && s[i] != '/'; i++) {
                enum ae_spiffe_id_error e = uri_delimiter(s[i]);

                if (e != AE_SPIFFE_ID_OK)
                        return e;
                if (i == AE_TRUST_DOMAIN_MAX)
                        return AE_SPIFFE_ID_TRUST_DOMAIN_TOO_LONG;
                if (td_char(s[i]))
                        continue;
                if (s[i] >= 'A' && s[i] <= 'Z')
                        return AE_SPIFFE_ID_TRUST_DOMAIN_UPPERCASE;
                if (s[i] == ':')
                        return AE_SPIFFE_ID_TRUST_DOMAIN_PORT;
                if (s[i] == '@')
                        return AE_SPIFFE_ID_TRUST_DOMAIN_USERINFO;
                return AE_SPIFFE_ID_TRUST_DOMAIN_CHAR;
        }
        if (i == 0)
                return AE_SPIFFE_ID_TRUST_DOMAIN_MISSING;
        *ret_end = i;
        return AE_SPIFFE_ID_OK;
}

/* A segment ends at s[end]; it started after the '/' at s[start]. */
static enum ae_spiffe_id_error check_segment(const char *s, size_t start, size_t end)
{
        size_t n = end - start - 1;

        if (n == 0)
                return AE_SPIFFE_ID_PATH_EMPTY_SEGMENT;
        /* Relative modifiers would let two IDs name one workload after a
         * URI library normalises them. */
        if ((n == 1 && s[start + 1] == '.') ||
            (n == 2 && s[start + 1] == '.' && s[start + 2] == '.'))
                return AE_SPIFFE_ID_PATH_DOT_SEGMENT;
        return AE_SPIFFE_ID_OK;
}

/* A path s[0..len): empty, or '/' then segments. */
static enum ae_spiffe_id_error scan_path(const char *s, size_t len)
{
        size_t seg = 0; /* index of the '/' the current segment follows */
        enum ae_spiffe_id_error e;

        if (len == 0)
                return AE_SPIFFE_ID_OK;
        if (s[0] != '/')
                return AE_SPIFFE_ID_PATH_NO_LEADING_SLASH;
        for (size_t i = 1; i < len; i++) {
                if (s[i] == '/') {
                        e = check_segment(s, seg, i);
                        if (e != AE_SPIFFE_ID_OK)
                                return e;
                        seg = i;
                        continue;
                }
                e = uri_delimiter(s[i]);
                if (e != AE_SPIFFE_ID_OK)
                        return e;
                if (!path_char(s[i]))
                        return AE_SPIFFE_ID_PATH_CHAR;
        }
        e = check_segment(s, seg, len);
        /* An empty last segment is a trailing slash: "/a/" or "/". */
        return e == AE_SPIFFE_ID_PATH_EMPTY_SEGMENT ? AE_SPIFFE_ID_PATH_TRAILING_SLASH : e;
}

static int fail(enum ae_spiffe_id_error e, enum ae_spiffe_id_error *ret_err)
{
        if (ret_err)
                *ret_err = e;
        return -EINVAL;
}

/* Both parts already checked; lengths fit the struct's arrays. */
static void fill(struct ae_spiffe_id *ret, const char *td, size_t td_len, const char *path,
                 size_t path_len)
{
        memcpy(ret->trust_domain, td, td_len);
        ret->trust_domain[td_len] = '\0';
        memcpy(ret->path, path, path_len);
        ret->path[path_len] = '\0';
}

int ae_spiffe_id_parse(const char *s, size_t len, struct ae_spiffe_id *ret,
                       enum ae_spiffe_id_error *ret_err)
{
        enum ae_spiffe_id_error e;
        size_t td_len = 0;

        if (!s || !ret) {
                if (ret_err)
                        *ret_err = AE_SPIFFE_ID_EMPTY;
                return -EINVAL;
        }
        if (len == 0)
                return fail(AE_SPIFFE_ID_EMPTY, ret_err);
        if (len > AE_SPIFFE_ID_MAX)
                return fail(AE_SPIFFE_ID_TOO_LONG, ret_err);
        if (len < PREFIX_LEN || memcmp(s, AE_SPIFFE_SCHEME_PREFIX, PREFIX_LEN) != 0)
                return fail(AE_SPIFFE_ID_WRONG_SCHEME, ret_err);
        s += PREFIX_LEN;
        len -= PREFIX_LEN;

        e = scan_trust_domain(s, len, &td_len);
        if (e == AE_SPIFFE_ID_OK)
                e = scan_path(s + td_len, len - td_len);
        if (e != AE_SPIFFE_ID_OK)
                return fail(e, ret_err);
        fill(ret, s, td_len, s + td_len, len - td_len);
        if (ret_err)
                *ret_err = AE_SPIFFE_ID_OK;
        return 0;
}

int ae_spiffe_id_from_parts(const char *trust_domain, const char *path, struct ae_spiffe_id *ret,
                            enum ae_spiffe_id_error *ret_err)
{
        enum ae_spiffe_id_error e;
        size_t td_len, path_len, end = 0;

        if (!trust_domain || !path || !ret) {
                if (ret_err)
                        *ret_err = AE_SPIFFE_ID_EMPTY;
                return -EINVAL;
        }
        /* Bounded: the parts may come from anywhere. */
        td_len = strnlen(trust_domain, AE_SPIFFE_ID_MAX + 1);
        path_len = strnlen(path, AE_SPIFFE_ID_MAX + 1);
        if (PREFIX_LEN + td_len + path_len > AE_SPIFFE_ID_MAX)
                return fail(AE_SPIFFE_ID_TOO_LONG, ret_err);
        e = scan_trust_domain(trust_domain, td_len, &end);
        if (e == AE_SPIFFE_ID_OK && end != td_len)
                e = AE_SPIFFE_ID_TRUST_DOMAIN_CHAR; /* a '/' inside the trust domain */
        if (e == AE_SPIFFE_ID_OK)
                e = scan_path(path, path_len);
        if (e != AE_SPIFFE_ID_OK)
                return fail(e, ret_err);
        fill(ret, trust_domain, td_len, path, path_len);
        if (ret_err)
                *ret_err = AE_SPIFFE_ID_OK;
        return 0;
}

int ae_spiffe_id_format(const struct ae_spiffe_id *id, char *buf, size_t size, size_t *ret_len)
{
        struct ae_spiffe_id check;
        size_t td_len, path_len, n;

        ENSURE(id && buf, -EINVAL);
        /* The struct is plain data a caller may have filled by hand: never
         * emit something that would not parse back to it. */
        td_len = strnlen(id->trust_domain, sizeof(id->trust_domain));
        path_len = strnlen(id->path, sizeof(id->path));
        ENSURE(td_len < sizeof(id->trust_domain) && path_len < sizeof(id->path), -EINVAL);
        GUARD(ae_spiffe_id_from_parts(id->trust_domain, id->path, &check, NULL));

        n = PREFIX_LEN + td_len + path_len;
        ENSURE(n < size, -ENOBUFS);
        memcpy(buf, AE_SPIFFE_SCHEME_PREFIX, PREFIX_LEN);
        memcpy(buf + PREFIX_LEN, id->trust_domain, td_len);
        memcpy(buf + PREFIX_LEN + td_len, id->path, path_len);
        buf[n] = '\0';
        if (ret_len)
                *ret_len = n;
        return 0;
}

bool ae_spiffe_id_in_trust_domain(const struct ae_spiffe_id *id, const char *td)
{
        if (!id || !td)
                return false;
        return strncmp(id->trust_domain, td, sizeof(id->trust_domain)) == 0;
}

bool ae_spiffe_id_is_member_of(const struct ae_spiffe_id *id, const struct ae_spiffe_id *parent)
{
        size_t n;

        if (!id || !parent || !ae_spiffe_id_in_trust_domain(id, parent->trust_domain))
                return false;
        n = strnlen(parent->path, sizeof(parent->path));
        if (n == sizeof(parent->path) || strncmp(id->path, parent->path, n) != 0)
                return false;
        /* Prefix must end at a segment boundary: /ns/prod is not /ns/production. */
        return id->path[n] == '\0' || id->path[n] == '/';
}

bool ae_spiffe_id_equal(const struct ae_spiffe_id *a, const struct ae_spiffe_id *b)
{
        if (!a || !b)
                return false;
        return strncmp(a->trust_domain, b->trust_domain, sizeof(a->trust_domain)) == 0 &&
               strncmp(a->path, b->path, sizeof(a->path)) == 0;
}

bool ae_spiffe_trust_domain_valid(const char *td)
{
        size_t n;

        if (!td)
                return false;
        n = strnlen(td, AE_TRUST_DOMAIN_MAX + 1);
        if (n == 0 || n > AE_TRUST_DOMAIN_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!td_char(td[i]))
                        return false;
        return true;
}
