#include "svid-issuer/rp_reason.h"

static const struct {
        const char *id, *text;
} reasons[AE_RP_REASON_COUNT] = {
        [AE_RP_OK] = { "ok", "ok" },
        [AE_RP_INTERNAL] = { "internal", "internal failure (system or OpenSSL call)" },
        [AE_RP_LEAF_MALFORMED] = { "leaf_malformed", "leaf certificate has extensions that cannot be decoded" },
        [AE_RP_LEAF_NO_URI_SAN] = { "leaf_no_uri_san", "leaf certificate has no URI SAN" },
        [AE_RP_LEAF_URI_SANS] = { "leaf_uri_sans", "leaf certificate has more than one URI SAN" },
        [AE_RP_LEAF_ID_INVALID] = { "leaf_id_invalid", "leaf URI SAN is not a SPIFFE ID" },
        [AE_RP_LEAF_ID_NO_PATH] = { "leaf_id_no_path", "leaf SPIFFE ID has no path" },
        [AE_RP_LEAF_IS_CA] = { "leaf_is_ca", "leaf certificate is a CA (basicConstraints cA=true)" },
        [AE_RP_LEAF_NO_KEY_USAGE] = { "leaf_no_key_usage", "leaf certificate has no keyUsage extension" },
        [AE_RP_LEAF_KEY_USAGE_NOT_CRITICAL] = { "leaf_key_usage_not_critical", "leaf keyUsage extension is not marked critical" },
        [AE_RP_LEAF_NO_DIGITAL_SIGNATURE] = { "leaf_no_digital_signature", "leaf keyUsage lacks digitalSignature" },
        [AE_RP_LEAF_CERT_SIGN] = { "leaf_cert_sign", "leaf keyUsage has keyCertSign or cRLSign" },
        [AE_RP_TRUST_DOMAIN_UNKNOWN] = { "trust_domain_unknown", "no trust bundle for the SPIFFE ID's trust domain" },
        [AE_RP_CHAIN_UNTRUSTED] = { "chain_untrusted", "certificate does not chain to a root of its trust domain" },
        [AE_RP_CHAIN_OTHER_TRUST_DOMAIN] = { "chain_other_trust_domain", "certificate chains to another trust domain's root" },
        [AE_RP_CHAIN_SIGNATURE] = { "chain_signature", "certificate signature in the chain is invalid" },
        [AE_RP_CHAIN_EXPIRED] = { "chain_expired", "certificate in the chain has expired" },
        [AE_RP_CHAIN_NOT_YET_VALID] = { "chain_not_yet_valid", "certificate in the chain is not yet valid" },
        [AE_RP_CHAIN_ISSUER_NOT_CA] = { "chain_issuer_not_ca", "certificate in the chain is issued by a non-CA certificate" },
        [AE_RP_CHAIN_PATH_LENGTH] = { "chain_path_length", "chain exceeds a CA's path length constraint" },
        [AE_RP_CHAIN_TOO_LONG] = { "chain_too_long", "chain longer than the verifier's depth limit" },
        [AE_RP_CHAIN_INVALID] = { "chain_invalid", "chain refused by X.509 verification (see the OpenSSL code)" },
        [AE_RP_RULE_TRUST_DOMAIN] = { "rule_trust_domain", "trust domain not allowed by the rule" },
        [AE_RP_RULE_ID] = { "rule_id", "SPIFFE ID not allowed by the rule" },
        [AE_RP_CLAIMS_ABSENT] = { "claims_absent", "rule needs attestation claims; the SVID has none" },
        [AE_RP_CLAIMS_INVALID] = { "claims_invalid", "attestation claims extension refused" },
        [AE_RP_CLAIMS_ID_MISMATCH] = { "claims_id_mismatch", "claims workload_id differs from the SVID's SPIFFE ID" },
        [AE_RP_RULE_LEVEL] = { "rule_level", "attestation level below the rule's (PoG required)" },
        [AE_RP_RULE_ZONE] = { "rule_zone", "no claimed zone is in the rule's zone set" },
        [AE_RP_RULE_CODE_HASH] = { "rule_code_hash", "code hash not in the rule's set" },
        [AE_RP_RULE_EK_HASH] = { "rule_ek_hash", "EK hash not in the rule's set" },
        [AE_RP_ATTESTATION_STALE] = { "attestation_stale", "node attested longer ago than the rule's max_age" },
        [AE_RP_ATTESTATION_FUTURE] = { "attestation_future", "node attestation time is ahead of the clock" },
};

const char *ae_rp_reason_str(enum ae_rp_reason reason)
{
        if ((unsigned)reason >= AE_RP_REASON_COUNT || !reasons[reason].text)
                return "unknown reason";
        return reasons[reason].text;
}

const char *ae_rp_reason_id(enum ae_rp_reason reason)
{
        if ((unsigned)reason >= AE_RP_REASON_COUNT || !reasons[reason].id)
                return "unknown";
        return reasons[reason].id;
}
