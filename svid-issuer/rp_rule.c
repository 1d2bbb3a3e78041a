/* The rule's text form: parsing with an exact error naming the key, and the
 * canonical text back (rp_rule.h). Checking a peer is rp_rule_check.c. */
#include "svid-issuer/rp_rule.h"

#include <stdio.h>
#include <string.h>

enum rule_key { K_TRUST_DOMAIN, K_ID, K_LEVEL, K_ZONE, K_CODE_HASH, K_EK_HASH, K_MAX_AGE, K_COUNT };

/* In the order the canonical text lists them. */
static const struct {
        const char *name;
        size_t max_values; /* 1: the key takes a single value */
} keys[K_COUNT] = {
        [K_TRUST_DOMAIN] = { "trust_domain", AE_RP_RULE_IDS_MAX },
        [K_ID] = { "id", AE_RP_RULE_IDS_MAX },
        [K_LEVEL] = { "level", 1 },
        [K_ZONE] = { "zone", AE_RP_RULE_VALUES_MAX },
        [K_CODE_HASH] = { "code_hash", AE_RP_RULE_VALUES_MAX },
        [K_EK_HASH] = { "ek_hash", AE_RP_RULE_VALUES_MAX },
        [K_MAX_AGE] = { "max_age", 1 },
};

static const struct {
        const char *id, *text;
} errors[AE_RP_RULE_ERR_COUNT] = {
        [AE_RP_RULE_ERR_OK] = { "ok", "ok" },
        [AE_RP_RULE_ERR_TOO_LONG] = { "too_long", "rule text too long" },
        [AE_RP_RULE_ERR_EMPTY_CLAUSE] = { "empty_clause", "empty clause (stray ',')" },
        [AE_RP_RULE_ERR_NO_EQUALS] = { "no_equals", "clause is not key=value" },
        [AE_RP_RULE_ERR_UNKNOWN_KEY] = { "unknown_key", "unknown key" },
        [AE_RP_RULE_ERR_DUPLICATE_KEY] = { "duplicate_key", "key given twice (use '|' for alternatives)" },
        [AE_RP_RULE_ERR_EMPTY_VALUE] = { "empty_value", "empty value" },
        [AE_RP_RULE_ERR_SINGLE_VALUE] = { "single_value", "key takes a single value" },
        [AE_RP_RULE_ERR_TOO_MANY_VALUES] = { "too_many_values", "too many alternatives" },
        [AE_RP_RULE_ERR_DUPLICATE_VALUE] = { "duplicate_value", "value given twice" },
        [AE_RP_RULE_ERR_TRUST_DOMAIN] = { "trust_domain", "not a trust domain name" },
        [AE_RP_RULE_ERR_ID] = { "id", "not a SPIFFE ID" },
        [AE_RP_RULE_ERR_ID_NO_PATH] = { "id_no_path", "SPIFFE ID without a path" },
        [AE_RP_RULE_ERR_LEVEL] = { "level", "level is neither por nor pog" },
        [AE_RP_RULE_ERR_ZONE] = { "zone", "not a zone name" },
        [AE_RP_RULE_ERR_HASH] = { "hash", "not 64 hex digits" },
        [AE_RP_RULE_ERR_MAX_AGE] = { "max_age", "not a number of seconds in range" },
};

const char *ae_rp_rule_error_str(enum ae_rp_rule_error err)
{
        if ((unsigned)err >= AE_RP_RULE_ERR_COUNT)
                return "unknown error";
        return errors[err].text;
}

const char *ae_rp_rule_error_id(enum ae_rp_rule_error err)
{
        if ((unsigned)err >= AE_RP_RULE_ERR_COUNT)
                return "unknown";
        return errors[err].id;
}

void ae_rp_rule_error_format(const struct ae_rp_rule_parse_error *e, char *buf, size_t size)
{
        if (!buf || size == 0)
                return;
        if (!e) {
                snprintf(buf, size, "no error");
                return;
        }
        if (e->code == AE_RP_RULE_ERR_ID)
                snprintf(buf, size, "%s: %s: %s (offset %zu)", e->key, ae_rp_rule_error_str(e->code),
                         ae_spiffe_id_error_str(e->id_error), e->offset);
        else if (e->key[0])
                snprintf(buf, size, "%s: %s (offset %zu)", e->key, ae_rp_rule_error_str(e->code),
                         e->offset);
        else
                snprintf(buf, size, "%s (offset %zu)", ae_rp_rule_error_str(e->code), e->offset);
}

/* ---- values ---- */

static bool zone_valid(const char *s, size_t n)
{
        if (n == 0 || n > AE_CLAIMS_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-'))
                        return false;
        }
        return true;
}

/* 64 hex digits of either case into out, lowercased. */
static bool hash_parse(const char *s, size_t n, char out[AE_RP_RULE_HASH_HEX + 1])
{
        if (n != AE_RP_RULE_HASH_HEX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (c >= 'A' && c <= 'F')
                        c = (char)(c - 'A' + 'a');
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                        return false;
                out[i] = c;
        }
        out[n] = '\0';
        return true;
}

/* Decimal seconds, no sign, no leading zero, 1..AE_RP_RULE_MAX_AGE_MAX. */
static bool max_age_parse(const char *s, size_t n, int64_t *ret)
{
        int64_t v = 0;

        if (n == 0 || n > 12 || s[0] == '0')
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        if (v > AE_RP_RULE_MAX_AGE_MAX)
                return false;
        *ret = v;
        return true;
}

static bool in_set(const char *s, const void *set, size_t stride, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(s, (const char *)set + i * stride) == 0)
                        return true;
        return false;
}

#define IN_SET(s, arr, n) in_set((s), (arr), sizeof((arr)[0]), (n))

/* Add one value of key k to r. Returns the error code (OK on success). */
static enum ae_rp_rule_error add_value(struct ae_rp_rule *r, enum rule_key k, const char *v,
                                       size_t n, enum ae_spiffe_id_error *id_error)
{
        char hash[AE_RP_RULE_HASH_HEX + 1];
        struct ae_spiffe_id id;

        switch (k) {
        case K_TRUST_DOMAIN: {
                char td[AE_TRUST_DOMAIN_MAX + 1];
                if (n > AE_TRUST_DOMAIN_MAX || memchr(v, '\0', n))
                        return AE_RP_RULE_ERR_TRUST_DOMAIN;
                memcpy(td, v, n);
                td[n] = '\0';
                if (!ae_spiffe_trust_domain_valid(td))
                        return AE_RP_RULE_ERR_TRUST_DOMAIN;
                if (IN_SET(td, r->trust_domains, r->n_trust_domains))
                        return AE_RP_RULE_ERR_DUPLICATE_VALUE;
                memcpy(r->trust_domains[r->n_trust_domains++], td, n + 1);
                return AE_RP_RULE_ERR_OK;
        }
        case K_ID: {
                char text[AE_SPIFFE_ID_SIZE];
                if (ae_spiffe_id_parse(v, n, &id, id_error) < 0)
                        return AE_RP_RULE_ERR_ID;
                if (!id.path[0])
                        return AE_RP_RULE_ERR_ID_NO_PATH;
                /* Only the canonical form parses: the text is v itself. */
                memcpy(text, v, n);
                text[n] = '\0';
                if (IN_SET(text, r->ids, r->n_ids))
                        return AE_RP_RULE_ERR_DUPLICATE_VALUE;
                memcpy(r->ids[r->n_ids++], text, n + 1);
                return AE_RP_RULE_ERR_OK;
        }
        case K_LEVEL:
                if (n == 3 && memcmp(v, "por", 3) == 0)
                        r->level = AE_CLAIMS_POR;
                else if (n == 3 && memcmp(v, "pog", 3) == 0)
                        r->level = AE_CLAIMS_POG;
                else
                        return AE_RP_RULE_ERR_LEVEL;
                r->has_level = true;
                return AE_RP_RULE_ERR_OK;
        case K_ZONE: {
                char zone[AE_CLAIMS_NAME_MAX + 1];
                if (!zone_valid(v, n))
                        return AE_RP_RULE_ERR_ZONE;
                memcpy(zone, v, n);
                zone[n] = '\0';
                if (IN_SET(zone, r->zones, r->n_zones))
                        return AE_RP_RULE_ERR_DUPLICATE_VALUE;
                memcpy(r->zones[r->n_zones++], zone, n + 1);
                return AE_RP_RULE_ERR_OK;
        }
        case K_CODE_HASH:
                if (!hash_parse(v, n, hash))
                        return AE_RP_RULE_ERR_HASH;
                if (IN_SET(hash, r->code_hashes, r->n_code_hashes))
                        return AE_RP_RULE_ERR_DUPLICATE_VALUE;
                memcpy(r->code_hashes[r->n_code_hashes++], hash, sizeof(hash));
                return AE_RP_RULE_ERR_OK;
        case K_EK_HASH:
                if (!hash_parse(v, n, hash))
                        return AE_RP_RULE_ERR_HASH;
                if (IN_SET(hash, r->ek_hashes, r->n_ek_hashes))
                        return AE_RP_RULE_ERR_DUPLICATE_VALUE;
                memcpy(r->ek_hashes[r->n_ek_hashes++], hash, sizeof(hash));
                return AE_RP_RULE_ERR_OK;
        case K_MAX_AGE:
                if (!max_age_parse(v, n, &r->max_age))
                        return AE_RP_RULE_ERR_MAX_AGE;
                return AE_RP_RULE_ERR_OK;
        case K_COUNT:
                break;
        }
        return AE_RP_RULE_ERR_UNKNOWN_KEY;
}

/* ---- clauses ---- */

static int fail(struct ae_rp_rule_parse_error *e, enum ae_rp_rule_error code, size_t offset,
                const char *key, size_t key_len)
{
        size_t n = key_len < AE_RP_RULE_KEY_MAX ? key_len : AE_RP_RULE_KEY_MAX;

        e->code = code;
        e->offset = offset;
        /* The key is untrusted text headed for a log line. */
        for (size_t i = 0; i < n; i++)
                e->key[i] = key[i] > 0x20 && key[i] < 0x7f ? key[i] : '?';
        e->key[n] = '\0';
        return -EINVAL;
}

static int key_lookup(const char *k, size_t n)
{
        for (int i = 0; i < K_COUNT; i++)
                if (strlen(keys[i].name) == n && memcmp(keys[i].name, k, n) == 0)
                        return i;
        return -1;
}

/* One clause text[start..end) into r. */
static int parse_clause(const char *text, size_t start, size_t end, struct ae_rp_rule *r,
                        unsigned *seen, struct ae_rp_rule_parse_error *e)
{
        const char *clause = text + start, *eq;
        size_t klen, v, count = 0;
        int k;

        if (end == start)
                return fail(e, AE_RP_RULE_ERR_EMPTY_CLAUSE, start, "", 0);
        eq = memchr(clause, '=', end - start);
        if (!eq)
                return fail(e, AE_RP_RULE_ERR_NO_EQUALS, start, clause, end - start);
        klen = (size_t)(eq - clause);
        k = key_lookup(clause, klen);
        if (k < 0)
                return fail(e, AE_RP_RULE_ERR_UNKNOWN_KEY, start, clause, klen);
        if (*seen & (1u << k))
                return fail(e, AE_RP_RULE_ERR_DUPLICATE_KEY, start, clause, klen);
        *seen |= 1u << k;

        v = start + klen + 1;
        for (;;) {
                const char *bar = memchr(text + v, '|', end - v);
                size_t vend = bar ? (size_t)(bar - text) : end;
                enum ae_rp_rule_error err;

                if (vend == v)
                        return fail(e, AE_RP_RULE_ERR_EMPTY_VALUE, v, clause, klen);
                if (++count > keys[k].max_values)
                        return fail(e, keys[k].max_values == 1 ? AE_RP_RULE_ERR_SINGLE_VALUE
                                                               : AE_RP_RULE_ERR_TOO_MANY_VALUES,
                                    v, clause, klen);
                err = add_value(r, (enum rule_key)k, text + v, vend - v, &e->id_error);
                if (err != AE_RP_RULE_ERR_OK)
                        return fail(e, err, v, clause, klen);
                if (!bar)
                        return 0;
                v = vend + 1;
        }
}

int ae_rp_rule_parse(const char *text, size_t len, struct ae_rp_rule *ret,
                     struct ae_rp_rule_parse_error *ret_err)
{
        struct ae_rp_rule_parse_error scratch;
        struct ae_rp_rule_parse_error *e = ret_err ? ret_err : &scratch;
        struct ae_rp_rule r = { 0 };
        unsigned seen = 0;
        size_t start = 0;

        memset(e, 0, sizeof(*e));
        if (!ret || (!text && len > 0))
                return -EINVAL; /* a caller's mistake, not the text's */
        if (len > AE_RP_RULE_TEXT_MAX)
                return fail(e, AE_RP_RULE_ERR_TOO_LONG, AE_RP_RULE_TEXT_MAX, "", 0);
        while (len > 0) {
                const char *comma = memchr(text + start, ',', len - start);
                size_t end = comma ? (size_t)(comma - text) : len;

                GUARD(parse_clause(text, start, end, &r, &seen, e));
                if (!comma)
                        break;
                start = end + 1;
                if (start == len) /* a trailing ',' */
                        return fail(e, AE_RP_RULE_ERR_EMPTY_CLAUSE, start, "", 0);
        }
        *ret = r;
        return 0;
}

/* ---- canonical text ---- */

struct out {
        char *buf;
        size_t size, len;
        bool overflow;
};

static void put(struct out *o, const char *s)
{
        size_t n = strlen(s);

        if (o->overflow || n >= o->size - o->len) {
                o->overflow = true;
                return;
        }
        memcpy(o->buf + o->len, s, n + 1);
        o->len += n;
}

static void put_clause(struct out *o, enum rule_key k, const void *set, size_t stride, size_t n)
{
        if (n == 0)
                return;
        if (o->len > 0)
                put(o, ",");
        put(o, keys[k].name);
        put(o, "=");
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        put(o, "|");
                put(o, (const char *)set + i * stride);
        }
}

#define PUT_CLAUSE(o, k, arr, n) put_clause((o), (k), (arr), sizeof((arr)[0]), (n))

/* Whether every value of set is one parsing would accept for key k. */
static bool values_valid(enum rule_key k, const void *set, size_t stride, size_t n, size_t max)
{
        struct ae_rp_rule scratch = { 0 };
        enum ae_spiffe_id_error id_error;

        if (n > max)
                return false;
        for (size_t i = 0; i < n; i++) {
                const char *v = (const char *)set + i * stride;
                size_t len = strnlen(v, stride);

                if (len == stride || add_value(&scratch, k, v, len, &id_error) != AE_RP_RULE_ERR_OK)
                        return false;
        }
        if (k == K_CODE_HASH || k == K_EK_HASH) /* stored lowercase */
                for (size_t i = 0; i < n; i++)
                        if (strcmp((const char *)set + i * stride,
                                   k == K_CODE_HASH ? scratch.code_hashes[i] : scratch.ek_hashes[i]))
                                return false;
        return true;
}

#define VALUES_VALID(k, arr, n, max) values_valid((k), (arr), sizeof((arr)[0]), (n), (max))

int ae_rp_rule_format(const struct ae_rp_rule *rule, char *buf, size_t size, size_t *ret_len)
{
        struct out o = { .buf = buf, .size = size };
        char age[24];

        ENSURE(rule && buf && size > 0, -EINVAL);
        ENSURE(VALUES_VALID(K_TRUST_DOMAIN, rule->trust_domains, rule->n_trust_domains,
                            AE_RP_RULE_IDS_MAX), -EINVAL);
        ENSURE(VALUES_VALID(K_ID, rule->ids, rule->n_ids, AE_RP_RULE_IDS_MAX), -EINVAL);
        ENSURE(!rule->has_level || rule->level == AE_CLAIMS_POR || rule->level == AE_CLAIMS_POG,
               -EINVAL);
        ENSURE(VALUES_VALID(K_ZONE, rule->zones, rule->n_zones, AE_RP_RULE_VALUES_MAX), -EINVAL);
        ENSURE(VALUES_VALID(K_CODE_HASH, rule->code_hashes, rule->n_code_hashes,
                            AE_RP_RULE_VALUES_MAX), -EINVAL);
        ENSURE(VALUES_VALID(K_EK_HASH, rule->ek_hashes, rule->n_ek_hashes, AE_RP_RULE_VALUES_MAX),
               -EINVAL);
        ENSURE(rule->max_age >= 0 && rule->max_age <= AE_RP_RULE_MAX_AGE_MAX, -EINVAL);

        buf[0] = '\0';
        PUT_CLAUSE(&o, K_TRUST_DOMAIN, rule->trust_domains, rule->n_trust_domains);
        PUT_CLAUSE(&o, K_ID, rule->ids, rule->n_ids);
        if (rule->has_level) {
                const char *level = ae_claims_level_name(rule->level);
                put_clause(&o, K_LEVEL, level, strlen(level) + 1, 1);
        }
        PUT_CLAUSE(&o, K_ZONE, rule->zones, rule->n_zones);
        PUT_CLAUSE(&o, K_CODE_HASH, rule->code_hashes, rule->n_code_hashes);
        PUT_CLAUSE(&o, K_EK_HASH, rule->ek_hashes, rule->n_ek_hashes);
        if (rule->max_age > 0) {
                snprintf(age, sizeof(age), "%lld", (long long)rule->max_age);
                put_clause(&o, K_MAX_AGE, age, sizeof(age), 1);
        }
        if (o.overflow) {
                buf[0] = '\0';
                return -ENOBUFS;
        }
        if (ret_len)
                *ret_len = o.len;
        return 0;
}

bool ae_rp_rule_needs_claims(const struct ae_rp_rule *rule)
{
        return rule->has_level || rule->n_zones > 0 || rule->n_code_hashes > 0 ||
               rule->n_ek_hashes > 0 || rule->max_age > 0;
}
