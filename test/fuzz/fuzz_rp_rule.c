/* The relying party's rule text (CLI --require, config lines). Property:
 * a rejection names its error; whatever parses formats to a canonical text
 * of the same length that parses to the same canonical text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svid-issuer/rp_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct ae_rp_rule r, again;
        static char text[AE_RP_RULE_TEXT_MAX + 1], text2[AE_RP_RULE_TEXT_MAX + 1];
        struct ae_rp_rule_parse_error e;
        size_t n = 0, n2 = 0;

        if (ae_rp_rule_parse((const char *)data, size, &r, &e) < 0) {
                if (e.code == AE_RP_RULE_ERR_OK || e.code >= AE_RP_RULE_ERR_COUNT ||
                    strlen(e.key) > AE_RP_RULE_KEY_MAX)
                        abort();
                return 0;
        }
        if (e.code != AE_RP_RULE_ERR_OK)
                abort();
        /* Canonical text reorders clauses and lowercases hashes: same length. */
        if (ae_rp_rule_format(&r, text, sizeof(text), &n) < 0 || n != size)
                abort();
        if (ae_rp_rule_parse(text, n, &again, NULL) < 0 ||
            ae_rp_rule_format(&again, text2, sizeof(text2), &n2) < 0 || n2 != n ||
            memcmp(text, text2, n) != 0)
                abort();
        if (ae_rp_rule_needs_claims(&r) != ae_rp_rule_needs_claims(&again))
                abort();
        return 0;
}
