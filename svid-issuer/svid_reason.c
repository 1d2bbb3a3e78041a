#include "svid-issuer/svid_reason.h"

static const struct {
        const char *id, *text;
} reasons[AE_SVID_REASON_COUNT] = {
        [AE_SVID_OK] = { "ok", "ok" },
        [AE_SVID_INTERNAL] = { "internal", "internal failure (system or OpenSSL call)" },
        [AE_SVID_CLAIMS_TOO_LARGE] = { "claims_too_large", "claims JSON over its size limit" },
        [AE_SVID_CLAIMS_SYNTAX] = { "claims_syntax", "claims are not one JSON object (syntax, duplicate key, trailing bytes)" },
        [AE_SVID_CLAIMS_VERSION] = { "claims_version", "claims version missing or unsupported" },
        [AE_SVID_CLAIMS_UNKNOWN_KEY] = { "claims_unknown_key", "claims carry a key the schema does not know" },
        [AE_SVID_CLAIMS_MISSING] = { "claims_missing", "claims lack a required member" },
        [AE_SVID_CLAIMS_TYPE] = { "claims_type", "claims member has the wrong JSON type" },
        [AE_SVID_CLAIMS_STRING] = { "claims_string", "claims string empty, too long or not printable ASCII" },
        [AE_SVID_CLAIMS_HEX] = { "claims_hex", "claims digest not lowercase hex of an allowed length" },
        [AE_SVID_CLAIMS_NUMBER] = { "claims_number", "claims number out of range" },
        [AE_SVID_CLAIMS_WORKLOAD_ID] = { "claims_workload_id", "claims workload_id is not a SPIFFE ID" },
        [AE_SVID_CLAIMS_LEVEL] = { "claims_level", "claims level is neither por nor pog" },
        [AE_SVID_CLAIMS_LEVEL_MISMATCH] = { "claims_level_mismatch", "claims level disagrees with the zones (pog needs a zone, por has none)" },
        [AE_SVID_CLAIMS_NO_TPM] = { "claims_no_tpm", "claims lack the TPM attestation every level requires" },
        [AE_SVID_CLAIMS_ZONES] = { "claims_zones", "claims zones: too many or repeated" },
        [AE_SVID_CLAIMS_LOCATION_NOT_ATTESTED] = { "claims_location_not_attested", "claims location is not marked TPM-attested" },
        [AE_SVID_CLAIMS_EXT_ENCODING] = { "claims_ext_encoding", "claims extension is neither a DER UTF8String nor JSON text" },
        [AE_SVID_CLAIMS_EXT_DUPLICATE] = { "claims_ext_duplicate", "certificate carries the claims extension more than once" },
        [AE_SVID_CA_TRUST_DOMAIN] = { "ca_trust_domain", "trust domain name invalid or differs from the CA's" },
        [AE_SVID_CA_OPTIONS] = { "ca_options", "CA options invalid (key type, TTL)" },
        [AE_SVID_CA_EXISTS] = { "ca_exists", "CA directory already holds a CA" },
        [AE_SVID_CA_MISSING] = { "ca_missing", "CA directory or file missing (ca-key.pem, ca-cert.pem, bundle.pem, chain.pem)" },
        [AE_SVID_CA_BUSY] = { "ca_busy", "another process is changing the CA directory" },
        [AE_SVID_CA_KEY_MODE] = { "ca_key_mode", "CA key file mode wider than 0600 (readable or writable by others)" },
        [AE_SVID_CA_KEY_MALFORMED] = { "ca_key_malformed", "CA key file is not an unencrypted PEM private key" },
        [AE_SVID_CA_KEY_UNSUPPORTED] = { "ca_key_unsupported", "CA key type unsupported (EC P-256/P-384, RSA >= 2048)" },
        [AE_SVID_CA_CERT_MALFORMED] = { "ca_cert_malformed", "CA certificate file malformed" },
        [AE_SVID_CA_KEY_MISMATCH] = { "ca_key_mismatch", "CA key does not match the CA certificate" },
        [AE_SVID_CA_NOT_CA] = { "ca_not_ca", "CA certificate lacks CA:TRUE or keyCertSign" },
        [AE_SVID_CA_NO_SPIFFE_ID] = { "ca_no_spiffe_id", "CA certificate lacks a single spiffe://<trust domain> URI SAN" },
        [AE_SVID_CA_NOT_SELF_SIGNED] = { "ca_not_self_signed", "CA certificate is not self-signed and no chain.pem is given" },
        [AE_SVID_CA_EXPIRED] = { "ca_expired", "CA certificate expired" },
        [AE_SVID_CA_NOT_YET_VALID] = { "ca_not_yet_valid", "CA certificate not yet valid" },
        [AE_SVID_CA_BUNDLE_MALFORMED] = { "ca_bundle_malformed", "bundle.pem malformed or holds a certificate that is not a root" },
        [AE_SVID_CA_NOT_IN_BUNDLE] = { "ca_not_in_bundle", "bundle.pem lacks the CA's root" },
        [AE_SVID_CA_CHAIN_MALFORMED] = { "ca_chain_malformed", "chain.pem malformed" },
        [AE_SVID_CA_CHAIN_NO_ROOT] = { "ca_chain_no_root", "chain.pem holds no self-signed root" },
        [AE_SVID_CA_CHAIN_MISMATCH] = { "ca_chain_mismatch", "CA certificate does not chain to the first root of chain.pem" },
        [AE_SVID_CA_ROTATE_UPSTREAM] = { "ca_rotate_upstream", "an upstream-signed CA is rotated by its upstream, not here" },
        [AE_SVID_CA_CSR_MALFORMED] = { "ca_csr_malformed", "ca.csr missing a trust domain SPIFFE ID or malformed" },
        [AE_SVID_ID_INVALID] = { "id_invalid", "SPIFFE ID invalid" },
        [AE_SVID_ID_NO_PATH] = { "id_no_path", "SPIFFE ID of a leaf SVID needs a path" },
        [AE_SVID_ID_FOREIGN_TRUST_DOMAIN] = { "id_foreign_trust_domain", "SPIFFE ID outside the CA's trust domain" },
        [AE_SVID_KEY_UNSUPPORTED] = { "key_unsupported", "subject key type unsupported (EC P-256/P-384, RSA >= 2048)" },
        [AE_SVID_TTL_INVALID] = { "ttl_invalid", "SVID TTL or backdate out of range" },
        [AE_SVID_CLAIMS_ID_MISMATCH] = { "claims_id_mismatch", "claims workload_id differs from the SVID's SPIFFE ID" },
        [AE_SVID_DNS_NAME_INVALID] = { "dns_name_invalid", "DNS name invalid, or more than the SVID may carry" },
};

const char *ae_svid_reason_str(enum ae_svid_reason reason)
{
        if ((unsigned)reason >= AE_SVID_REASON_COUNT || !reasons[reason].text)
                return "unknown reason";
        return reasons[reason].text;
}

const char *ae_svid_reason_id(enum ae_svid_reason reason)
{
        if ((unsigned)reason >= AE_SVID_REASON_COUNT || !reasons[reason].id)
                return "unknown";
        return reasons[reason].id;
}
