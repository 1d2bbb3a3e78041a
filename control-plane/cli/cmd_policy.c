/* aegis policy check FILE: load and validate a policy the way the verifiers
 * do, and say what it contains or exactly where it is wrong. */
#include "control-plane/cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "node-attestor/pcrs.h"
#include "policy/geo_zone.h"
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
        if (!p->location.present) {
                printf("  location       none (every node PoR)\n");
                return 0;
        }
        printf("  location       PoG %s; fix at most %u s old, mode %dD",
               p->location.required ? "required" : "optional", p->location.max_age_s,
               p->location.min_mode);
        if (p->location.max_accuracy_m > 0)
                printf(", accuracy <= %.1f m", p->location.max_accuracy_m);
        printf(", speed <= %.0f m/s\n", p->location.max_speed_mps);
        printf("  sensors        %s", p->location.n_sensors ? "" : "any");
        for (size_t i = 0; i < p->location.n_sensors; i++)
                printf("%s%s", i ? ", " : "", p->location.sensors[i].serial);
        printf("\n  zones         ");
        for (size_t i = 0; i < p->location.n_zones; i++) {
                size_t v = ae_geo_zone_vertices(p->location.zones[i].zone);

                if (v)
                        printf(" %s (%zu vertices)", p->location.zones[i].name, v);
                else
                        printf(" %s (circle)", p->location.zones[i].name);
        }
        printf("\n  coordinates    %s\n",
               p->location.share_coordinates ? "shared in results" : "kept by the verifier");
        return 0;
}
