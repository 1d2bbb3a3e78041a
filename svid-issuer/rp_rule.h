/* A relying party's rule: what a peer's SPIFFE ID and attestation claims
 * (claims.h) must say, beyond a chain to its trust domain's roots. Plain
 * data, parsed from a text form (the CLI's --require, a config line) and
 * checked against one peer.
 *
 * Text form, no whitespace anywhere:
 *
 *   rule    = "" / clause *( "," clause )
 *   clause  = key "=" value *( "|" value )     ; "|" separates alternatives
 *   key     = "trust_domain" / "id" / "level" / "zone" / "code_hash"
 *             / "ek_hash" / "max_age"
 *
 *   trust_domain=td1|td2   the ID's trust domain is one of these
 *   id=spiffe://td/a|...   the ID is exactly one of these (IDs with a path)
 *   level=pog              a minimum, one value: "por" accepts por and pog
 *                          (PoG includes the TPM attestation of PoR), "pog"
 *                          accepts pog only
 *   zone=eu-de|eu-fr       at least one zone the SVID claims is in the set
 *                          (a por SVID claims none, so it never matches)
 *   code_hash=<hex>|...    the workload's code hash is one of these
 *   ek_hash=<hex>|...      the host's EK hash is one of these
 *   max_age=600            one value, seconds (1..AE_RP_RULE_MAX_AGE_MAX):
 *                          the node was attested at most this long ago, and
 *                          not more than AE_RP_RULE_CLOCK_SKEW ahead of now
 *
 * Hashes are 64 hex digits (either case; kept lowercase, as claims carry
 * them); zones are claims zone names. Clauses are ANDed; a key may appear
 * only once (a repeated key would leave open whether its clauses are ANDed
 * or ORed: write the alternatives with "|" instead); a value may not repeat
 * within its clause. Unknown keys, empty clauses or values, and malformed
 * values are errors that name the key. The empty rule asks only for a valid
 * X509-SVID chaining to its trust domain's roots.
 *
 * Claims are needed (and read) only when a claims key is present (level,
 * zone, code_hash, ek_hash, max_age): an SVID without the extension, or
 * with one this reader refuses, still passes a rule that asks nothing of
 * its claims, as a non-critical extension should. When claims are needed
 * they must be about the SVID's own SPIFFE ID (workload_id). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"
#include "common/spiffe_id.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/rp_reason.h"

#define AE_RP_RULE_TEXT_MAX 8192
#define AE_RP_RULE_VALUES_MAX 32   /* alternatives of zone, code_hash, ek_hash */
#define AE_RP_RULE_IDS_MAX 8       /* alternatives of id and trust_domain */
#define AE_RP_RULE_MAX_AGE_MAX (366LL * 24 * 3600)
/* How far attested_at may lie ahead of the relying party's clock before it
 * is refused: clocks of hosts under NTP differ by far less. */
#define AE_RP_RULE_CLOCK_SKEW 60
#define AE_RP_RULE_HASH_HEX 64

struct ae_rp_rule {
        size_t n_trust_domains;
        char trust_domains[AE_RP_RULE_IDS_MAX][AE_TRUST_DOMAIN_MAX + 1];
        size_t n_ids;
        char ids[AE_RP_RULE_IDS_MAX][AE_SPIFFE_ID_SIZE]; /* canonical text */
        bool has_level;
        enum ae_claims_level level;
        size_t n_zones;
        char zones[AE_RP_RULE_VALUES_MAX][AE_CLAIMS_NAME_MAX + 1];
        size_t n_code_hashes;
        char code_hashes[AE_RP_RULE_VALUES_MAX][AE_RP_RULE_HASH_HEX + 1];
        size_t n_ek_hashes;
        char ek_hashes[AE_RP_RULE_VALUES_MAX][AE_RP_RULE_HASH_HEX + 1];
        int64_t max_age; /* 0: no limit */
};

/* Why a rule text was refused. */
enum ae_rp_rule_error {
        AE_RP_RULE_ERR_OK = 0,
        AE_RP_RULE_ERR_TOO_LONG,        /* over AE_RP_RULE_TEXT_MAX bytes */
        AE_RP_RULE_ERR_EMPTY_CLAUSE,    /* ",," or a leading/trailing ',' */
        AE_RP_RULE_ERR_NO_EQUALS,       /* a clause without '=' */
        AE_RP_RULE_ERR_UNKNOWN_KEY,
        AE_RP_RULE_ERR_DUPLICATE_KEY,
        AE_RP_RULE_ERR_EMPTY_VALUE,     /* "key=", "a||b", a trailing '|' */
        AE_RP_RULE_ERR_SINGLE_VALUE,    /* alternatives for level or max_age */
        AE_RP_RULE_ERR_TOO_MANY_VALUES,
        AE_RP_RULE_ERR_DUPLICATE_VALUE,
        AE_RP_RULE_ERR_TRUST_DOMAIN,    /* not a trust domain name */
        AE_RP_RULE_ERR_ID,              /* not a SPIFFE ID (see id_error) */
        AE_RP_RULE_ERR_ID_NO_PATH,
        AE_RP_RULE_ERR_LEVEL,           /* neither por nor pog */
        AE_RP_RULE_ERR_ZONE,            /* not a zone name */
        AE_RP_RULE_ERR_HASH,            /* not 64 hex digits */
        AE_RP_RULE_ERR_MAX_AGE,         /* not a decimal in range */
        AE_RP_RULE_ERR_COUNT
};

/* Longest key text kept in an error (longer keys are cut). */
#define AE_RP_RULE_KEY_MAX 32

struct ae_rp_rule_parse_error {
        enum ae_rp_rule_error code;
        size_t offset; /* byte offset of the offending clause or value */
        /* The clause's key as written, non-printable bytes shown as '?':
         * "" for errors that are not about one clause. */
        char key[AE_RP_RULE_KEY_MAX + 1];
        enum ae_spiffe_id_error id_error; /* for AE_RP_RULE_ERR_ID */
};

const char *ae_rp_rule_error_str(enum ae_rp_rule_error err);
const char *ae_rp_rule_error_id(enum ae_rp_rule_error err);

/* "zone: not a zone name (offset 17)" plus NUL into buf (cut to size). */
void ae_rp_rule_error_format(const struct ae_rp_rule_parse_error *e, char *buf, size_t size);

/* Parse text[0..len) (no NUL needed). 0 and *ret, or -EINVAL with *ret
 * untouched. *ret_err (may be NULL) is written on every return. */
AE_MUST_USE int ae_rp_rule_parse(const char *text, size_t len, struct ae_rp_rule *ret,
                                 struct ae_rp_rule_parse_error *ret_err);

/* The rule's canonical text (keys in the order of the grammar above) plus
 * NUL into buf; *ret_len (may be NULL) without NUL. Parsing it gives an
 * equal rule. -ENOBUFS when size is too small (AE_RP_RULE_TEXT_MAX + 1 is
 * always enough for a parsed rule), -EINVAL for a rule parsing would not
 * give. */
AE_MUST_USE int ae_rp_rule_format(const struct ae_rp_rule *rule, char *buf, size_t size,
                                  size_t *ret_len);

/* Whether the rule asks anything of the claims. */
bool ae_rp_rule_needs_claims(const struct ae_rp_rule *rule);

/* Judge a peer: its SPIFFE ID, its validated claims (NULL when it has none),
 * and the relying party's clock (s since the epoch). Returns AE_RP_OK or the
 * first clause that fails, in this order: trust_domain, id, claims present,
 * claims about this ID, level, zone, code_hash, ek_hash, attested in the
 * future, attested too long ago. */
enum ae_rp_reason ae_rp_rule_check(const struct ae_rp_rule *rule, const struct ae_spiffe_id *id,
                                   const struct ae_claims *claims, int64_t now);
