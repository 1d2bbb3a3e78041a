/* Why the issuer refused: one stable code per rule, for the CA files, for
 * minting, and for the attestation-claims extension, with a short static
 * text for the log. Tests assert the exact code. */
#pragma once

enum ae_svid_reason {
        AE_SVID_OK = 0,
        AE_SVID_INTERNAL, /* an OpenSSL or system call failed; see its errno */
        /* attestation claims (claims.h) */
        AE_SVID_CLAIMS_TOO_LARGE,
        AE_SVID_CLAIMS_SYNTAX,
        AE_SVID_CLAIMS_VERSION,
        AE_SVID_CLAIMS_UNKNOWN_KEY,
        AE_SVID_CLAIMS_MISSING,
        AE_SVID_CLAIMS_TYPE,
        AE_SVID_CLAIMS_STRING,
        AE_SVID_CLAIMS_HEX,
        AE_SVID_CLAIMS_NUMBER,
        AE_SVID_CLAIMS_WORKLOAD_ID,
        AE_SVID_CLAIMS_LEVEL,
        AE_SVID_CLAIMS_LEVEL_MISMATCH,
        AE_SVID_CLAIMS_NO_TPM,
        AE_SVID_CLAIMS_ZONES,
        AE_SVID_CLAIMS_LOCATION_NOT_ATTESTED,
        AE_SVID_CLAIMS_EXT_ENCODING,
        AE_SVID_CLAIMS_EXT_DUPLICATE,
        /* the CA and its files (ca.h) */
        AE_SVID_CA_TRUST_DOMAIN,
        AE_SVID_CA_OPTIONS,
        AE_SVID_CA_EXISTS,
        AE_SVID_CA_MISSING,
        AE_SVID_CA_BUSY,
        AE_SVID_CA_KEY_MODE,
        AE_SVID_CA_KEY_MALFORMED,
        AE_SVID_CA_KEY_UNSUPPORTED,
        AE_SVID_CA_CERT_MALFORMED,
        AE_SVID_CA_KEY_MISMATCH,
        AE_SVID_CA_NOT_CA,
        AE_SVID_CA_NO_SPIFFE_ID,
        AE_SVID_CA_NOT_SELF_SIGNED,
        AE_SVID_CA_EXPIRED,
        AE_SVID_CA_NOT_YET_VALID,
        AE_SVID_CA_BUNDLE_MALFORMED,
        AE_SVID_CA_NOT_IN_BUNDLE,
        AE_SVID_CA_CHAIN_MALFORMED,
        AE_SVID_CA_CHAIN_NO_ROOT,
        AE_SVID_CA_CHAIN_MISMATCH,
        AE_SVID_CA_ROTATE_UPSTREAM,
        AE_SVID_CA_CSR_MALFORMED,
        /* minting (x509_svid.h) */
        AE_SVID_ID_INVALID,
        AE_SVID_ID_NO_PATH,
        AE_SVID_ID_FOREIGN_TRUST_DOMAIN,
        AE_SVID_KEY_UNSUPPORTED,
        AE_SVID_TTL_INVALID,
        AE_SVID_CLAIMS_ID_MISMATCH,
        AE_SVID_DNS_NAME_INVALID,
        AE_SVID_REASON_COUNT
};

/* Short, stable, log-friendly text ("CA key file readable by others"). */
const char *ae_svid_reason_str(enum ae_svid_reason reason);
/* Stable identifier for machines ("ca_key_mode"). */
const char *ae_svid_reason_id(enum ae_svid_reason reason);
