/* SPIFFE IDs (SPIFFE ID standard, section 2): parsing with an exact reason
 * for every rejection, formatting, and the membership tests a relying party
 * authorises with.
 *
 * Only the canonical form is accepted: lowercase "spiffe" scheme, lowercase
 * trust domain, no percent-encoding. An ID that parses formats back to the
 * identical bytes, so comparing formatted IDs compares identities. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/guard.h"

/* The standard's limit for a whole SPIFFE ID; trust domains are shorter. */
#define AE_SPIFFE_ID_MAX 2048
#define AE_TRUST_DOMAIN_MAX 255
#define AE_SPIFFE_SCHEME_PREFIX "spiffe://"
/* Longest path: an ID of AE_SPIFFE_ID_MAX bytes with a one-byte trust domain. */
#define AE_SPIFFE_PATH_MAX (AE_SPIFFE_ID_MAX - (sizeof(AE_SPIFFE_SCHEME_PREFIX) - 1) - 1)

/* A trust domain name: 1..255 characters of [a-z0-9._-] (lowercase only; no
 * scheme, port, userinfo or percent-encoding). */
bool ae_spiffe_trust_domain_valid(const char *td);

/* Why a string is not a SPIFFE ID. Where several rules are broken, the one
 * at the leftmost offending byte is reported. */
enum ae_spiffe_id_error {
        AE_SPIFFE_ID_OK = 0,
        AE_SPIFFE_ID_EMPTY,
        AE_SPIFFE_ID_TOO_LONG,                /* over AE_SPIFFE_ID_MAX bytes */
        AE_SPIFFE_ID_WRONG_SCHEME,            /* not "spiffe://" (any case but lower) */
        AE_SPIFFE_ID_TRUST_DOMAIN_MISSING,    /* "spiffe://" or "spiffe:///x" */
        AE_SPIFFE_ID_TRUST_DOMAIN_TOO_LONG,   /* over AE_TRUST_DOMAIN_MAX */
        AE_SPIFFE_ID_TRUST_DOMAIN_UPPERCASE,  /* A-Z in the trust domain */
        AE_SPIFFE_ID_TRUST_DOMAIN_PORT,       /* ':' in the authority */
        AE_SPIFFE_ID_TRUST_DOMAIN_USERINFO,   /* '@' in the authority */
        AE_SPIFFE_ID_TRUST_DOMAIN_CHAR,       /* any other byte outside [a-z0-9._-] */
        AE_SPIFFE_ID_PERCENT_ENCODED,         /* '%' anywhere */
        AE_SPIFFE_ID_PATH_NO_LEADING_SLASH,   /* a path part not starting with '/' */
        AE_SPIFFE_ID_PATH_CHAR,               /* a byte outside [A-Za-z0-9._-] */
        AE_SPIFFE_ID_PATH_EMPTY_SEGMENT,      /* "//" */
        AE_SPIFFE_ID_PATH_DOT_SEGMENT,        /* "/." or "/.." segment */
        AE_SPIFFE_ID_PATH_TRAILING_SLASH,     /* ends in '/' */
        AE_SPIFFE_ID_QUERY,                   /* '?' */
        AE_SPIFFE_ID_FRAGMENT,                /* '#' */
        AE_SPIFFE_ID_ERROR_COUNT
};

/* Short, stable text for the log ("path has an empty segment"). */
const char *ae_spiffe_id_error_str(enum ae_spiffe_id_error err);
/* Stable identifier for machines ("path_empty_segment"). */
const char *ae_spiffe_id_error_id(enum ae_spiffe_id_error err);

/* A parsed SPIFFE ID: plain data, NUL-terminated parts. path is "" for a
 * trust domain's own ID, else "/seg/seg". */
struct ae_spiffe_id {
        char trust_domain[AE_TRUST_DOMAIN_MAX + 1];
        char path[AE_SPIFFE_PATH_MAX + 1];
};

/* Parse s[0..len) (not NUL-terminated; a NUL byte is an invalid character).
 * Returns 0 and fills *ret when s is a SPIFFE ID; -EINVAL when it is not.
 * *ret_err (may be NULL) is written on every return: AE_SPIFFE_ID_OK or the
 * rule s breaks, so a relying party can log exactly what was wrong. */
AE_MUST_USE int ae_spiffe_id_parse(const char *s, size_t len, struct ae_spiffe_id *ret,
                                   enum ae_spiffe_id_error *ret_err);

/* Build an ID from a trust domain and a path ("" or "/a/b"), with the same
 * rules as parsing; -EINVAL (and *ret_err, may be NULL) when they break one. */
AE_MUST_USE int ae_spiffe_id_from_parts(const char *trust_domain, const char *path,
                                        struct ae_spiffe_id *ret,
                                        enum ae_spiffe_id_error *ret_err);

/* Text size for any formatted ID, including the NUL. */
#define AE_SPIFFE_ID_SIZE (AE_SPIFFE_ID_MAX + 1)

/* "spiffe://<trust domain><path>" plus NUL into buf; *ret_len (may be NULL)
 * gets the length without NUL. -ENOBUFS if size is too small, -EINVAL for an
 * id that does not hold a valid SPIFFE ID. */
AE_MUST_USE int ae_spiffe_id_format(const struct ae_spiffe_id *id, char *buf, size_t size,
                                    size_t *ret_len);

/* True when id belongs to trust domain td (exact, case-sensitive match:
 * trust domains are lowercase by construction). */
bool ae_spiffe_id_in_trust_domain(const struct ae_spiffe_id *id, const char *td);

/* True when id is parent itself or lies under it, segment-wise: in the same
 * trust domain, with parent's path a prefix of id's path that ends at a '/'.
 * spiffe://td/ns/prod covers spiffe://td/ns/prod/web but not
 * spiffe://td/ns/production; a trust domain's ID covers every ID in it. */
bool ae_spiffe_id_is_member_of(const struct ae_spiffe_id *id, const struct ae_spiffe_id *parent);

/* True when a and b are the same identity. */
bool ae_spiffe_id_equal(const struct ae_spiffe_id *a, const struct ae_spiffe_id *b);
