/* The "pcrs" section: which PCRs the agent must quote, and the named golden
 * sets a node's values must match (one of them, every PCR it names). */
#include "policy/policy_sections.h"

#include <stdlib.h>
#include <string.h>

#include "common/hex.h"

static int parse_bank(struct json_check *c, const char *name, TPMI_ALG_HASH *ret)
{
        if (ae_pcr_bank_parse(name, ret) < 0)
                return json_check_fail(c, "unknown PCR bank (sha1, sha256, sha384, sha512)");
        return 0;
}

static int load_quote(struct json_check *c, json_t *quote, struct ae_policy *p)
{
        const char *bank_name;
        json_t *list;

        if (json_object_size(quote) == 0)
                return json_check_fail(c, "no PCRs to quote");
        json_object_foreach(quote, bank_name, list) {
                size_t saved = c->len, i;
                TPMI_ALG_HASH bank;
                json_t *v;

                json_check_key(c, bank_name);
                GUARD(parse_bank(c, bank_name, &bank));
                if (!json_is_array(list) || json_array_size(list) == 0)
                        return json_check_fail(c, "expected a non-empty array of PCR indices");
                json_array_foreach(list, i, v) {
                        size_t s2 = c->len;
                        json_int_t idx = json_integer_value(v);

                        json_check_index(c, i);
                        if (!json_is_integer(v) || idx < 0 || idx >= AE_PCR_COUNT)
                                return json_check_fail(c, "expected a PCR index 0..23");
                        if (ae_pcr_selection_has(&p->quote_pcrs, bank, (unsigned)idx))
                                return json_check_fail(c, "PCR %lld listed twice",
                                                       (long long)idx);
                        if (ae_pcr_selection_add(&p->quote_pcrs, bank, (unsigned)idx) < 0)
                                return json_check_fail(c, "too many PCR banks");
                        json_check_up(c, s2);
                }
                json_check_up(c, saved);
        }
        return 0;
}

bool policy_name_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > AE_POLICY_NAME_MAX)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
                        return false;
        return true;
}

/* "7" -> 7; only canonical decimal 0..23 ("07" would be a second spelling). */
static int parse_index(const char *s, unsigned *ret)
{
        unsigned v = 0;

        if (!*s || (s[0] == '0' && s[1]) || strlen(s) > 2)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(*s - '0');
        }
        if (v >= AE_PCR_COUNT)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int load_set(struct json_check *c, json_t *set, const struct ae_policy *p,
                    struct ae_policy_pcr_set *out)
{
        const char *bank_name;
        json_t *pcrs;

        GUARD(json_check_object(c, set));
        if (json_object_size(set) == 0)
                return json_check_fail(c, "a golden set must name at least one PCR");
        json_object_foreach(set, bank_name, pcrs) {
                size_t saved = c->len;
                const char *idx_text;
                TPMI_ALG_HASH bank;
                json_t *v;

                json_check_key(c, bank_name);
                GUARD(parse_bank(c, bank_name, &bank));
                GUARD(json_check_object(c, pcrs));
                if (json_object_size(pcrs) == 0)
                        return json_check_fail(c, "no PCR values");
                json_object_foreach(pcrs, idx_text, v) {
                        size_t s2 = c->len, want = ae_pcr_bank_digest_size(bank), len;
                        uint8_t digest[AE_PCR_DIGEST_MAX];
                        const char *hex = json_string_value(v);
                        unsigned idx;

                        json_check_key(c, idx_text);
                        if (parse_index(idx_text, &idx) < 0)
                                return json_check_fail(c, "expected a PCR index \"0\"..\"23\"");
                        if (!ae_pcr_selection_has(&p->quote_pcrs, bank, idx))
                                return json_check_fail(c, "PCR %u of %s is not in "
                                                          "$.pcrs.quote, so it is never quoted",
                                                       idx, bank_name);
                        if (!hex || strlen(hex) != 2 * want ||
                            ae_hex_decode(hex, 2 * want, digest, sizeof(digest), &len) < 0)
                                return json_check_fail(c, "expected %zu hex digits", 2 * want);
                        GUARD(ae_pcr_values_add(&out->values, bank, idx, digest, len));
                        json_check_up(c, s2);
                }
                json_check_up(c, saved);
        }
        return 0;
}

static int load_golden(struct json_check *c, json_t *golden, struct ae_policy *p)
{
        size_t n = json_object_size(golden), i = 0;
        const char *name;
        json_t *set;

        if (n == 0)
                return json_check_fail(c, "at least one golden set is required (a node "
                                          "whose platform state matches none is refused)");
        if (n > AE_POLICY_GOLDEN_MAX)
                return json_check_fail(c, "more than %d golden sets", AE_POLICY_GOLDEN_MAX);
        p->golden = calloc(n, sizeof(*p->golden));
        ENSURE_ALLOC(p->golden);
        json_object_foreach(golden, name, set) {
                size_t saved = c->len;

                json_check_key(c, name);
                if (!policy_name_valid(name))
                        return json_check_fail(c, "golden set names are 1..64 of "
                                                  "[A-Za-z0-9._-]");
                strcpy(p->golden[i].name, name);
                GUARD(load_set(c, set, p, &p->golden[i]));
                p->n_golden = ++i;
                json_check_up(c, saved);
        }
        return 0;
}

int policy_load_pcrs(struct json_check *c, json_t *pcrs, struct ae_policy *p)
{
        static const char *const keys[] = { "quote", "golden", NULL };
        size_t saved = c->len;
        json_t *quote, *golden;

        json_check_key(c, "pcrs");
        GUARD(json_check_keys(c, pcrs, keys));
        GUARD(json_check_member(c, pcrs, "quote", JSON_OBJECT, true, &quote));
        GUARD(json_check_member(c, pcrs, "golden", JSON_OBJECT, true, &golden));
        json_check_key(c, "quote");
        GUARD(load_quote(c, quote, p));
        json_check_up(c, saved);
        json_check_key(c, "pcrs");
        json_check_key(c, "golden");
        GUARD(load_golden(c, golden, p));
        json_check_up(c, saved);
        return 0;
}
