/* Why a node attestation was refused: one stable code per check, with a
 * short static text for the log. Tests assert the exact code. */
#pragma once

enum ae_attest_reason {
        AE_ATTEST_OK = 0,
        /* messages */
        AE_ATTEST_MESSAGE_TOO_LARGE,
        AE_ATTEST_MESSAGE_MALFORMED,
        AE_ATTEST_VERSION_UNSUPPORTED,
        /* endorsement key */
        AE_ATTEST_EK_PUBLIC_INVALID,
        AE_ATTEST_EK_CERT_MISSING,
        AE_ATTEST_EK_CERT_MALFORMED,
        AE_ATTEST_EK_CERT_UNTRUSTED,
        AE_ATTEST_EK_CERT_SIGNATURE_INVALID,
        AE_ATTEST_EK_CERT_EXPIRED,
        AE_ATTEST_EK_CERT_NOT_YET_VALID,
        AE_ATTEST_EK_CERT_ISSUER_NOT_CA,
        AE_ATTEST_EK_CERT_CHAIN_INVALID,
        AE_ATTEST_EK_CERT_KEY_MISMATCH,
        AE_ATTEST_EK_NOT_ALLOWLISTED,
        /* attestation key */
        AE_ATTEST_AK_PUBLIC_INVALID,
        AE_ATTEST_AK_NOT_RESTRICTED,
        AE_ATTEST_AK_NOT_FIXED,
        AE_ATTEST_AK_NOT_SIGNING,
        AE_ATTEST_AK_SCHEME,
        /* challenge and credential activation */
        AE_ATTEST_CHALLENGE_USED,
        AE_ATTEST_CREDENTIAL_MISMATCH,
        /* quote */
        AE_ATTEST_QUOTE_MALFORMED,
        AE_ATTEST_QUOTE_NOT_A_QUOTE,
        AE_ATTEST_QUOTE_SIGNATURE_SCHEME,
        AE_ATTEST_QUOTE_SIGNATURE_INVALID,
        AE_ATTEST_QUOTE_NONCE_MISMATCH,
        AE_ATTEST_QUOTE_PCR_SELECTION_MISMATCH,
        AE_ATTEST_PCR_VALUES_INCOMPLETE,
        AE_ATTEST_PCR_DIGEST_MISMATCH,
        AE_ATTEST_PCR_POLICY_NO_MATCH,
        /* replay protection */
        AE_ATTEST_RESET_COUNT_BACKWARDS,
        AE_ATTEST_RESTART_COUNT_BACKWARDS,
        AE_ATTEST_CLOCK_NOT_ADVANCED,
        /* location: these make a node PoR instead of PoG, or refuse it where
         * the policy requires PoG ... */
        AE_ATTEST_LOCATION_MISSING,
        AE_ATTEST_LOCATION_SENSOR_UNKNOWN,
        AE_ATTEST_LOCATION_STALE,
        AE_ATTEST_LOCATION_IN_FUTURE,
        AE_ATTEST_LOCATION_MODE,
        AE_ATTEST_LOCATION_ACCURACY,
        AE_ATTEST_LOCATION_OUTSIDE_ZONES,
        /* ... and these refuse it outright: the evidence is broken or lies */
        AE_ATTEST_LOCATION_MALFORMED,
        AE_ATTEST_LOCATION_SENSOR_MISMATCH,
        AE_ATTEST_LOCATION_IMPLAUSIBLE,
        AE_ATTEST_REASON_COUNT
};

/* Short, stable, log-friendly text ("quote signature invalid"). */
const char *ae_attest_reason_str(enum ae_attest_reason reason);
/* Stable identifier for machines ("quote_signature_invalid"). */
const char *ae_attest_reason_id(enum ae_attest_reason reason);
