#include "node-attestor/verify/attest_reason.h"

static const struct {
        const char *id, *text;
} reasons[AE_ATTEST_REASON_COUNT] = {
        [AE_ATTEST_OK] = { "ok", "ok" },
        [AE_ATTEST_MESSAGE_TOO_LARGE] = { "message_too_large", "message or field over its size limit" },
        [AE_ATTEST_MESSAGE_MALFORMED] = { "message_malformed", "message malformed" },
        [AE_ATTEST_VERSION_UNSUPPORTED] = { "version_unsupported", "protocol version unsupported" },
        [AE_ATTEST_EK_PUBLIC_INVALID] = { "ek_public_invalid", "EK public area invalid or not an endorsement key" },
        [AE_ATTEST_EK_CERT_MISSING] = { "ek_cert_missing", "EK certificate required but missing" },
        [AE_ATTEST_EK_CERT_MALFORMED] = { "ek_cert_malformed", "EK certificate malformed" },
        [AE_ATTEST_EK_CERT_UNTRUSTED] = { "ek_cert_untrusted", "EK certificate not issued by a trusted manufacturer CA" },
        [AE_ATTEST_EK_CERT_SIGNATURE_INVALID] = { "ek_cert_signature_invalid", "EK certificate signature invalid" },
        [AE_ATTEST_EK_CERT_EXPIRED] = { "ek_cert_expired", "EK certificate expired" },
        [AE_ATTEST_EK_CERT_NOT_YET_VALID] = { "ek_cert_not_yet_valid", "EK certificate not yet valid" },
        [AE_ATTEST_EK_CERT_ISSUER_NOT_CA] = { "ek_cert_issuer_not_ca", "EK certificate issuer is not a CA" },
        [AE_ATTEST_EK_CERT_CHAIN_INVALID] = { "ek_cert_chain_invalid", "EK certificate chain invalid" },
        [AE_ATTEST_EK_CERT_KEY_MISMATCH] = { "ek_cert_key_mismatch", "EK certificate key differs from the EK public area" },
        [AE_ATTEST_EK_NOT_ALLOWLISTED] = { "ek_not_allowlisted", "EK not on the allowlist" },
        [AE_ATTEST_AK_PUBLIC_INVALID] = { "ak_public_invalid", "AK public area invalid" },
        [AE_ATTEST_AK_NOT_RESTRICTED] = { "ak_not_restricted", "AK is not a restricted key" },
        [AE_ATTEST_AK_NOT_FIXED] = { "ak_not_fixed", "AK is not fixedTPM/fixedParent/sensitiveDataOrigin" },
        [AE_ATTEST_AK_NOT_SIGNING] = { "ak_not_signing", "AK is not a signing-only key" },
        [AE_ATTEST_AK_SCHEME] = { "ak_scheme", "AK signing scheme not allowed" },
        [AE_ATTEST_CHALLENGE_USED] = { "challenge_used", "challenge already answered (nonce used twice)" },
        [AE_ATTEST_CREDENTIAL_MISMATCH] = { "credential_mismatch", "credential activation answer wrong" },
        [AE_ATTEST_QUOTE_MALFORMED] = { "quote_malformed", "quote or signature malformed" },
        [AE_ATTEST_QUOTE_NOT_A_QUOTE] = { "quote_not_a_quote", "attestation is not a TPM-generated quote" },
        [AE_ATTEST_QUOTE_SIGNATURE_SCHEME] = { "quote_signature_scheme", "quote signature scheme differs from the AK's" },
        [AE_ATTEST_QUOTE_SIGNATURE_INVALID] = { "quote_signature_invalid", "quote signature invalid" },
        [AE_ATTEST_QUOTE_NONCE_MISMATCH] = { "quote_nonce_mismatch", "quote qualifying data differs from the challenge" },
        [AE_ATTEST_QUOTE_PCR_SELECTION_MISMATCH] = { "quote_pcr_selection_mismatch", "quoted PCR selection differs from the requested one" },
        [AE_ATTEST_PCR_VALUES_INCOMPLETE] = { "pcr_values_incomplete", "PCR values do not cover exactly the quoted PCRs" },
        [AE_ATTEST_PCR_DIGEST_MISMATCH] = { "pcr_digest_mismatch", "PCR values do not match the quote's digest" },
        [AE_ATTEST_PCR_POLICY_NO_MATCH] = { "pcr_policy_no_match", "PCR values match no golden set" },
        [AE_ATTEST_RESET_COUNT_BACKWARDS] = { "reset_count_backwards", "TPM resetCount went backwards" },
        [AE_ATTEST_RESTART_COUNT_BACKWARDS] = { "restart_count_backwards", "TPM restartCount went backwards" },
        [AE_ATTEST_CLOCK_NOT_ADVANCED] = { "clock_not_advanced", "TPM clock did not advance since the last attestation" },
        [AE_ATTEST_LOCATION_MISSING] = { "location_missing", "no location claim (no usable fix)" },
        [AE_ATTEST_LOCATION_SENSOR_UNKNOWN] = { "location_sensor_unknown", "location sensor not on the allowlist" },
        [AE_ATTEST_LOCATION_STALE] = { "location_stale", "location fix too old" },
        [AE_ATTEST_LOCATION_IN_FUTURE] = { "location_in_future", "location fix time ahead of the server's clock" },
        [AE_ATTEST_LOCATION_MODE] = { "location_mode", "location fix below the required mode (2D/3D)" },
        [AE_ATTEST_LOCATION_ACCURACY] = { "location_accuracy", "location fix accuracy worse than allowed or unknown" },
        [AE_ATTEST_LOCATION_OUTSIDE_ZONES] = { "location_outside_zones", "location outside every geofence zone" },
        [AE_ATTEST_LOCATION_MALFORMED] = { "location_malformed", "location claim or sensor identity malformed" },
        [AE_ATTEST_LOCATION_SENSOR_MISMATCH] = { "location_sensor_mismatch", "location claim's sensor differs from the payload's" },
        [AE_ATTEST_LOCATION_IMPLAUSIBLE] = { "location_implausible", "location implausible: moved faster than allowed since the last fix" },
};

const char *ae_attest_reason_str(enum ae_attest_reason reason)
{
        if ((unsigned)reason >= AE_ATTEST_REASON_COUNT || !reasons[reason].text)
                return "unknown reason";
        return reasons[reason].text;
}

const char *ae_attest_reason_id(enum ae_attest_reason reason)
{
        if ((unsigned)reason >= AE_ATTEST_REASON_COUNT || !reasons[reason].id)
                return "unknown";
        return reasons[reason].id;
}
