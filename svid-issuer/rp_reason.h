/* Why a relying party refused a peer's X509-SVID: one stable code per check,
 * in the order the checks run (the leaf as an X509-SVID, its trust domain,
 * the chain, then the rule), with a short static text for the log. Tests
 * assert the exact code. */
#pragma once

enum ae_rp_reason {
        AE_RP_OK = 0,
        AE_RP_INTERNAL, /* an OpenSSL or system call failed; see its errno */
        /* the leaf as an X509-SVID (X509-SVID standard, sections 2, 4.1, 4.3) */
        AE_RP_LEAF_MALFORMED,            /* extensions OpenSSL cannot decode */
        AE_RP_LEAF_NO_URI_SAN,
        AE_RP_LEAF_URI_SANS,             /* more than one URI SAN */
        AE_RP_LEAF_ID_INVALID,           /* the URI SAN is not a SPIFFE ID */
        AE_RP_LEAF_ID_NO_PATH,           /* a trust domain's own ID on a leaf */
        AE_RP_LEAF_IS_CA,                /* basicConstraints cA=true */
        AE_RP_LEAF_NO_KEY_USAGE,         /* keyUsage extension absent */
        AE_RP_LEAF_KEY_USAGE_NOT_CRITICAL, /* X509-SVID 4.3: it MUST be critical */
        AE_RP_LEAF_NO_DIGITAL_SIGNATURE, /* keyUsage without digitalSignature */
        AE_RP_LEAF_CERT_SIGN,            /* keyUsage keyCertSign or cRLSign */
        /* the trust bundle */
        AE_RP_TRUST_DOMAIN_UNKNOWN, /* no roots for the ID's trust domain */
        /* the chain, against that trust domain's roots only */
        AE_RP_CHAIN_UNTRUSTED,          /* no path to one of its roots */
        AE_RP_CHAIN_OTHER_TRUST_DOMAIN, /* it chains to another domain's root */
        AE_RP_CHAIN_SIGNATURE,          /* a signature in the chain is wrong */
        AE_RP_CHAIN_EXPIRED,
        AE_RP_CHAIN_NOT_YET_VALID,
        AE_RP_CHAIN_ISSUER_NOT_CA,
        AE_RP_CHAIN_PATH_LENGTH,        /* a pathLenConstraint is exceeded */
        AE_RP_CHAIN_TOO_LONG,           /* over AE_RP_CHAIN_DEPTH_MAX */
        AE_RP_CHAIN_INVALID,            /* any other X509_V_ERR_*, kept in the result */
        /* the rule (rp_rule.h) */
        AE_RP_RULE_TRUST_DOMAIN,
        AE_RP_RULE_ID,
        AE_RP_CLAIMS_ABSENT,      /* the rule needs claims; no claims extension */
        AE_RP_CLAIMS_INVALID,     /* the claims extension is there but refused */
        AE_RP_CLAIMS_ID_MISMATCH, /* claims name another workload than the SVID */
        AE_RP_RULE_LEVEL,
        AE_RP_RULE_ZONE,
        AE_RP_RULE_CODE_HASH,
        AE_RP_RULE_EK_HASH,
        AE_RP_ATTESTATION_STALE,  /* attested_at older than max_age */
        AE_RP_ATTESTATION_FUTURE, /* attested_at ahead of the clock */
        AE_RP_REASON_COUNT
};

/* Short, stable, log-friendly text ("certificate chains to another trust
 * domain's root"). */
const char *ae_rp_reason_str(enum ae_rp_reason reason);
/* Stable identifier for machines ("chain_other_trust_domain"). */
const char *ae_rp_reason_id(enum ae_rp_reason reason);
