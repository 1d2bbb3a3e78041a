#include "node-attestor/verify/ek_reason.h"

#include <stddef.h>

static const char *const texts[AE_EK_REASON_COUNT] = {
        [AE_EK_OK] = "ok",
        [AE_EK_MALFORMED] = "certificate malformed",
        [AE_EK_TOO_LARGE] = "certificate too large",
        [AE_EK_UNTRUSTED] = "not issued by a trusted manufacturer CA",
        [AE_EK_SIGNATURE_INVALID] = "signature invalid",
        [AE_EK_EXPIRED] = "certificate expired",
        [AE_EK_NOT_YET_VALID] = "certificate not yet valid",
        [AE_EK_ISSUER_NOT_CA] = "issuer is not a CA",
        [AE_EK_CHAIN_INVALID] = "certificate chain violates X.509 constraints",
};

const char *ae_ek_reason_str(enum ae_ek_reason reason)
{
        if ((unsigned)reason >= AE_EK_REASON_COUNT || !texts[reason])
                return "unknown reason";
        return texts[reason];
}
