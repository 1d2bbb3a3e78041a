#include "common/spiffe_id.h"

#include <string.h>

bool ae_spiffe_trust_domain_valid(const char *td)
{
        size_t n;

        if (!td)
                return false;
        n = strnlen(td, AE_TRUST_DOMAIN_MAX + 1);
        if (n == 0 || n > AE_TRUST_DOMAIN_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = td[i];

                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                      c == '_'))
                        return false;
        }
        return true;
}
