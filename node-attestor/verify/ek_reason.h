/* Why an EK was accepted or rejected: a code for tests and policy, a short
 * static text for the log. */
#pragma once

enum ae_ek_reason {
        AE_EK_OK = 0,
        AE_EK_MALFORMED,         /* not exactly one DER certificate */
        AE_EK_TOO_LARGE,         /* above AE_EK_CERT_MAX */
        AE_EK_UNTRUSTED,         /* no path to a configured manufacturer CA */
        AE_EK_SIGNATURE_INVALID, /* a signature in the chain does not verify */
        AE_EK_EXPIRED,           /* a certificate in the chain has expired */
        AE_EK_NOT_YET_VALID,     /* a certificate in the chain is not valid yet */
        AE_EK_ISSUER_NOT_CA,     /* an issuer lacks CA:TRUE / keyCertSign */
        AE_EK_CHAIN_INVALID,     /* any other X.509 chain rule (path length, ...) */
        AE_EK_REASON_COUNT
};

/* Short static text, e.g. "expired"; "unknown reason" outside the enum. */
const char *ae_ek_reason_str(enum ae_ek_reason reason);
