/* aegis policy check FILE: load and validate a policy the way the verifiers
 * do, and say what it contains or exactly where it is wrong. */
#include "control-plane/cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "node-attestor/pcrs.h"
#include "policy/policy.h"

#define USAGE "usage: aegis policy check FILE\n"

int ae_cli_policy(int argc, char **argv)
{
        _cleanup_(ae_policy_freep) struct ae_policy *p = NULL;
        struct ae_policy_error err;

        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                fputs(USAGE "\nValidate an Aegis policy (JSON). Errors name the JSON path of "
                            "the problem.\nExit status: 0 valid, 1 invalid, 2 usage error.\n",
                      stdout);
                return 0;
        }
        if (argc != 3 || strcmp(argv[1], "check") != 0) {
                fputs(USAGE, stderr);
                return 2;
        }
        if (ae_policy_load_file(argv[2], &p, &err) < 0) {
                printf("%s: invalid: %s: %s\n", argv[2], err.path, err.message);
                return 1;
        }
        printf("%s: valid\n", argv[2]);
        printf("  trust domain   %s\n", p->trust_domain);
        printf("  EK trust       %s", ae_ek_trust_mode_name(p->ek.mode));
        if (p->ek.ca_bundle[0])
                printf(", CA bundle %s", p->ek.ca_bundle);
        if (p->ek.n_allowlist)
                printf(", %zu allowlisted EK%s", p->ek.n_allowlist,
                       p->ek.n_allowlist == 1 ? "" : "s");
        printf("\n  quoted PCRs    %zu\n  golden sets   ", ae_pcr_selection_count(&p->quote_pcrs));
        for (size_t i = 0; i < p->n_golden; i++)
                printf(" %s (%zu PCRs)", p->golden[i].name, p->golden[i].values.count);
        putchar('\n');
        return 0;
}
