/* The attestation-claims extension (DESIGN.md section 6): what an SVID says
 * about its workload beyond the SPIFFE ID — the code's hash, the host's TPM
 * identity and PCR policy, and (PoG) the geofence zones its fix lies in.
 *
 * Carried in a non-critical X.509 extension, OID 1.3.6.1.4.1.55744.1.1 (the
 * one AegisSovereignAI relying parties read), whose value is a DER
 * UTF8String holding compact JSON. Readers also accept the raw-JSON form
 * (the extension octets are the JSON text itself, as AegisSovereignAI
 * writes it). JWT-SVIDs carry the same JSON.
 *
 * Schema version 1; this module writes keys in this order, no whitespace:
 *
 *   {"v":1,"level":"pog",
 *    "grc.workload":{"workload_id":"spiffe://td/w","code_hash":"<hex>"},
 *    "grc.tpm-attestation":{"ek_hash":"<hex>","ak_name":"<hex>",
 *        "pcr_policy":"base","pcr_digest":"<hex>","attested_at":1795238298},
 *    "grc.geolocation":{"tpm-attested-location":true,"zones":["eu-de"],
 *        "policy_digest":"<hex>","sensor_id":"F9P-0042","fix_time":1795238290,
 *        "gnss":{"retrieved_location":{"latitude":52.5200000,
 *                "longitude":13.4050000,"accuracy":17.10}}}}
 *
 * Degrees with 7 decimals, metres with 2, times in integer seconds since
 * the epoch (UTC). "gnss" appears only when the policy lets coordinates be
 * shared. sensor_id and gnss.retrieved_location use the names
 * AegisSovereignAI readers look for.
 *
 * Rules, enforced by the writer and the reader alike:
 *   - "v" is 1; "level" is "por" or "pog"; "grc.workload" and
 *     "grc.tpm-attestation" are required (both levels include the host's
 *     TPM identity, DESIGN.md "PoR");
 *   - pog needs "grc.geolocation" with 1..32 zones; por claims no zone (it
 *     may carry a TPM-attested fix that lies outside every zone);
 *   - digests are lowercase hex: code_hash, ek_hash, policy_digest 64;
 *     pcr_digest 40/64/96/128; ak_name (a TPM name: algorithm + digest) an
 *     even 4..132; names (pcr_policy, zones) 1..64 of [A-Za-z0-9._-], zones
 *     distinct; sensor_id 1..128 printable ASCII without '"' or '\\';
 *     workload_id a SPIFFE ID with a path; times >= 0; latitude within ±90,
 *     longitude ±180, accuracy 0..1e6 m;
 *   - "tpm-attested-location" is true: Aegis only claims a location the TPM
 *     quote covered.
 *
 * Unknown keys: the reader rejects any key it does not know inside the
 * objects it reads (a typo or a field it would silently drop could change
 * what a relying party believes), and any unknown top-level key that is not
 * "grc.<something>". Unknown top-level "grc.*" members must be objects and
 * are ignored: a newer writer may add a claim family without breaking older
 * readers, which simply do not see it. A change to an existing object
 * bumps "v".
 *
 * Nothing here is canonical on input: the reader accepts other key orders,
 * whitespace and number spellings (the raw form comes from other writers);
 * it is strict about types, sizes and the rules above. What decodes always
 * re-encodes: claims whose canonical form would pass AE_CLAIMS_MAX are
 * refused (AE_SVID_CLAIMS_TOO_LARGE) even when their input was shorter, and
 * the decoded struct survives encode + decode unchanged except that the
 * coordinates come back rounded to the writer's decimals. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "common/guard.h"
#include "svid-issuer/svid_reason.h"

#define AE_CLAIMS_OID "1.3.6.1.4.1.55744.1.1"
#define AE_CLAIMS_VERSION 1
/* Largest JSON text written or read, in bytes. */
#define AE_CLAIMS_MAX 4096
#define AE_CLAIMS_ZONES_MAX 32
#define AE_CLAIMS_NAME_MAX 64      /* pcr_policy and zone names */
#define AE_CLAIMS_SENSOR_ID_MAX 128

enum ae_claims_level { AE_CLAIMS_POR, AE_CLAIMS_POG };

/* Plain data; the issuer fills it from the attestors' results (it does not
 * call attestor code). Strings are NUL-terminated within their arrays. */
struct ae_claims {
        enum ae_claims_level level;
        struct {
                char workload_id[2049]; /* the workload's SPIFFE ID */
                char code_hash[65];     /* hex sha256 of the executable */
        } workload;                     /* grc.workload */
        struct {
                bool present;
                char ek_hash[65];    /* hex sha256 of the EK SubjectPublicKeyInfo */
                char ak_name[133];   /* hex TPM name of the AK */
                char pcr_policy[65]; /* name of the golden set matched */
                char pcr_digest[129];
                int64_t attested_at; /* node attestation time, s since epoch */
        } tpm;                       /* grc.tpm-attestation */
        struct {
                bool present;
                size_t n_zones;
                char zones[AE_CLAIMS_ZONES_MAX][65];
                char policy_digest[65];
                char sensor_id[129];
                int64_t fix_time; /* s since epoch */
                bool has_coordinates;
                double latitude, longitude, accuracy; /* degrees, degrees, metres */
        } geo;                                        /* grc.geolocation */
};

/* "por" / "pog"; NULL for a value outside the enum. */
const char *ae_claims_level_name(enum ae_claims_level level);

/* Check c against the rules above. 0 or -EINVAL; *reason (may be NULL) is
 * written either way: AE_SVID_OK or the first rule broken. */
AE_MUST_USE int ae_claims_validate(const struct ae_claims *c, enum ae_svid_reason *reason);

/* Write c as version-1 JSON into buf: *ret_len bytes plus a NUL.
 * -EINVAL for claims ae_claims_validate refuses, -EMSGSIZE when the JSON
 * would exceed AE_CLAIMS_MAX, -ENOBUFS when cap is too small (cap of
 * AE_CLAIMS_MAX + 1 is always enough). buf is untouched on failure. */
AE_MUST_USE int ae_claims_encode(const struct ae_claims *c, char *buf, size_t cap,
                                 size_t *ret_len);

/* Read len bytes of JSON (no NUL needed). -EMSGSIZE above AE_CLAIMS_MAX,
 * -EBADMSG for anything else the rules refuse (an encoding over the limit
 * included); *ret only on success. */
AE_MUST_USE int ae_claims_decode(const char *json, size_t len, struct ae_claims *ret);
/* As ae_claims_decode; *reason (may be NULL) is always written: AE_SVID_OK
 * or why the claims were refused. */
AE_MUST_USE int ae_claims_decode_explain(const char *json, size_t len, struct ae_claims *ret,
                                         enum ae_svid_reason *reason);

/* The claims a JWT-SVID payload carries (jwt_svid.h): the vocabulary's
 * members ("v", "level", "grc.*") at the payload's top level, next to the
 * token's own claims (sub, aud, ...), which are ignored here. None of those
 * members: 0 with *ret_present false (*ret untouched). Otherwise the members
 * must form valid claims by the rules above (-EBADMSG), and 0 with
 * *ret_present true and *ret. *reason (may be NULL) is always written. */
struct json_t;
AE_MUST_USE int ae_claims_from_jwt_payload(const struct json_t *payload, struct ae_claims *ret,
                                           bool *ret_present, enum ae_svid_reason *reason);

/* The extension (non-critical, value DER UTF8String of the JSON) for c.
 * -EINVAL / -EMSGSIZE as ae_claims_encode; -ENOMEM / -EIO from OpenSSL. The
 * caller frees *ret with X509_EXTENSION_free. */
AE_MUST_USE int ae_claims_to_extension(const struct ae_claims *c, X509_EXTENSION **ret);

/* Decode an extension's value octets: a DER UTF8String holding the JSON, or
 * the JSON text itself. A value starting with the UTF8String tag (0x0c,
 * never the first byte of JSON text) must be exactly one DER UTF8String.
 * Errors and *reason as ae_claims_decode_explain, plus
 * AE_SVID_CLAIMS_EXT_ENCODING. */
AE_MUST_USE int ae_claims_decode_extension(const uint8_t *value, size_t len,
                                           struct ae_claims *ret,
                                           enum ae_svid_reason *reason);

/* The claims of a certificate. No claims extension: 0 with *ret_present
 * false (*ret untouched). The extension twice: -EBADMSG. Otherwise 0 with
 * *ret_present true and *ret, or the errors of ae_claims_decode. The
 * extension's criticality is not judged: a reader that understands it may
 * read it either way. */
AE_MUST_USE int ae_claims_from_cert(const X509 *cert, struct ae_claims *ret, bool *ret_present);
/* As ae_claims_from_cert; *reason (may be NULL) is always written
 * (AE_SVID_OK also when the extension is absent). */
AE_MUST_USE int ae_claims_from_cert_explain(const X509 *cert, struct ae_claims *ret,
                                            bool *ret_present, enum ae_svid_reason *reason);
